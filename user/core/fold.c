// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * fold.c - what the correlator keeps, bounded: exited processes trimmed to
 * their totals and last groups, then folded into per-name summaries; and the
 * memory budget over all processes, live ones included, whose freed details
 * are counted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "core/correlate_int.h"

/*
 * A process that has exited and settled keeps its counters (the report's
 * totals) but not its lookups or more than a few finished groups: memory
 * stays bounded on a relay that runs thousands of smtp processes a day.
 */
void fold_trim_exited(struct proc *p)
{
	lookups_free(p->lookups);
	p->lookups = NULL;
	p->n_lookups = 0;
	order_free(p);
	groups_cut(&p->done, PROC_KEEP_EXITED);
	if (p->n_done > PROC_KEEP_EXITED)
		p->n_done = PROC_KEEP_EXITED;
	p->trimmed = true;
}

/* The summary that exited processes named comm fold into. */
static struct proc *fold_for(struct correlator *c, const char *comm)
{
	struct proc *f;
	unsigned slot;

	for (unsigned i = 0; i < c->n_folds; i++)
		if (!strcmp(c->folds[i]->comm, comm))
			return c->folds[i];
	if (c->n_folds == FOLD_MAX_NAMES) {
		slot = FOLD_MAX_NAMES;
		comm = "other";
		if (c->folds[slot])
			return c->folds[slot];
	} else {
		slot = c->n_folds;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	snprintf(f->comm, sizeof(f->comm), "%s", comm);
	memcpy(f->first_comm, f->comm, sizeof(f->comm));
	f->exited = f->trimmed = true;
	for (int k = 0; k < FAM_N; k++)
		f->fam[k].lat_min_ns = UINT64_MAX;
	if (!procs_append(c, f)) {
		free(f);
		return NULL;
	}
	c->folds[slot] = f;
	if (slot < FOLD_MAX_NAMES)
		c->n_folds++;
	return f;
}

static void add_fam(struct fam_stats *d, const struct fam_stats *s)
{
	d->tried += s->tried;
	d->connected += s->connected;
	for (int r = 0; r < RES_N; r++)
		d->res[r] += s->res[r];
	d->lat_n += s->lat_n;
	d->lat_sum_ns += s->lat_sum_ns;
	if (s->lat_n && s->lat_min_ns < d->lat_min_ns)
		d->lat_min_ns = s->lat_min_ns;
	if (s->lat_max_ns > d->lat_max_ns)
		d->lat_max_ns = s->lat_max_ns;
	d->probes_ok += s->probes_ok;
	d->probes_failed += s->probes_failed;
	d->dns_ok += s->dns_ok;
	d->dns_failed += s->dns_failed;
	if (s->last_probe_err)
		d->last_probe_err = s->last_probe_err;
}

/* Add an exited process's counters to a summary; its recent groups become
 * the summary's examples. */
static void fold_into(struct proc *d, struct proc *s)
{
	struct group **tail = &s->done;

	for (int f = 0; f < FAM_N; f++) {
		add_fam(&d->fam[f], &s->fam[f]);
		d->dual_first[f] += s->dual_first[f];
		d->fallback_fam_from[f] += s->fallback_fam_from[f];
	}
	for (int g = 0; g < GC_N; g++)
		d->groups[g] += s->groups[g];
	d->fallback_cost_sum_ns += s->fallback_cost_sum_ns;
	if (s->fallback_cost_max_ns > d->fallback_cost_max_ns)
		d->fallback_cost_max_ns = s->fallback_cost_max_ns;
	d->lookups_total += s->lookups_total;
	d->lookups_failed += s->lookups_failed;
	d->lookup_lat_sum_ns += s->lookup_lat_sum_ns;
	if (s->lookup_lat_max_ns > d->lookup_lat_max_ns)
		d->lookup_lat_max_ns = s->lookup_lat_max_ns;
	lookup_wait_add(d->wait, s->wait);
	for (int a = 0; a <= FT_API_MAX; a++)
		d->lookups_by_api[a] += s->lookups_by_api[a];
	d->asked_a += s->asked_a;
	d->asked_aaaa += s->asked_aaaa;
	d->asked_mx += s->asked_mx;
	d->asked_other += s->asked_other;
	d->gai_unspec += s->gai_unspec;
	d->gai_inet += s->gai_inet;
	d->gai_inet6 += s->gai_inet6;
	d->gai_literal += s->gai_literal;
	d->service_groups += s->service_groups;
	d->races += s->races;
	srcaddr_fold(d, s);
	if (!d->first_ns || (s->first_ns && s->first_ns < d->first_ns))
		d->first_ns = s->first_ns;
	if (s->last_ns > d->last_ns)
		d->last_ns = s->last_ns;
	if (s->exit_ns > d->exit_ns)
		d->exit_ns = s->exit_ns;
	d->folded++;
	/* Newest first: the folded process's groups, then the older examples. */
	for (struct group *g = s->done; g; g = g->next) {
		g->proc = d;
		tail = &g->next;
	}
	*tail = d->done;
	d->done = s->done;
	s->done = NULL;
	groups_cut(&d->done, PROC_KEEP_EXITED);
	d->n_done = 0;
	for (struct group *g = d->done; g; g = g->next)
		d->n_done++;
}

/*
 * Keep at most FOLD_KEEP_EXITED settled exited processes one by one; fold
 * the oldest beyond that into their name's summary and free them. Runs when
 * twice as many have gathered, so all[] is compacted once per batch.
 */
void fold_exited(struct correlator *c)
{
	size_t to_fold, w = 0, n;

	if (c->n_trimmed < 2 * FOLD_KEEP_EXITED)
		return;
	to_fold = c->n_trimmed - FOLD_KEEP_EXITED;
	n = c->n_all; /* summaries created meanwhile are appended after n */
	for (size_t i = 0; i < n && to_fold; i++) {
		struct proc *p = c->all[i], *f;

		if (!p->trimmed || p->folded || p->open)
			continue;
		f = fold_for(c, p->comm);
		if (!f)
			break;
		fold_into(f, p);
		procs_unhash(c, p);
		groups_free(p->done);
		order_free(p);
		free(p);
		c->n_held--;
		c->all[i] = NULL;
		c->n_trimmed--;
		to_fold--;
	}
	for (size_t i = 0; i < c->n_all; i++)
		if (c->all[i]) {
			c->all[i]->seq = w;
			c->all[w++] = c->all[i];
		}
	c->n_all = w;
}

/*
 * The memory bound over all processes, live ones included: a local user can
 * start thousands of processes that each connect and look up as often as
 * they like. When the details kept pass the budget, every process keeps
 * only its share (half the budget split evenly; the newest first), and what
 * is freed is counted. Counters (the report's totals) are never cut.
 */
void fold_bound_details(struct correlator *c)
{
	size_t with_groups = 0, with_lookups = 0;

	if (groups_held() >= DETAIL_GROUPS_BUDGET) {
		unsigned keep;

		for (size_t i = 0; i < c->n_all; i++)
			with_groups += c->all[i]->n_done > 0 || c->all[i]->open;
		keep = (unsigned)(DETAIL_GROUPS_BUDGET / 2 / (with_groups ? with_groups : 1));
		for (size_t i = 0; i < c->n_all; i++) {
			struct proc *p = c->all[i];
			unsigned n_open = 0, keep_done;

			for (struct group *g = p->open; g; g = g->next)
				n_open++;
			/* Destinations still collecting close early, oldest first
			 * (they are counted and reported as usual). */
			while (n_open > (keep ? keep : 1)) {
				struct group *oldest = p->open;

				while (oldest->next)
					oldest = oldest->next;
				group_finalize(c, p, oldest);
				n_open--;
			}
			keep_done = keep > n_open ? keep - n_open : 0;
			proc_cut_done(c, p, keep_done);
		}
	}
	if (lookups_held() >= DETAIL_LOOKUPS_BUDGET) {
		unsigned keep;

		for (size_t i = 0; i < c->n_all; i++)
			with_lookups += c->all[i]->n_lookups > 0;
		keep = (unsigned)(DETAIL_LOOKUPS_BUDGET / 2 / (with_lookups ? with_lookups : 1));
		for (size_t i = 0; i < c->n_all; i++)
			if (c->all[i]->n_lookups > keep)
				lookups_cut(c, c->all[i], keep);
	}
}
