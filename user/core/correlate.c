// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * correlate.c - the correlator's event dispatch: famtrace records in, to the
 * process table, groups and lookups (see correlate.h, correlate_int.h and
 * DESIGN.md's "Facts the correlator must get right"); time passing; the end.
 *
 * Processes are keyed by (tgid, start time) so a reused pid is a new process;
 * threads fold into their tgid. Attempts toward the same port join one group
 * while each starts within the group gap of the previous outcome; a group is
 * closed when a later, non-overlapping attempt arrives after a success, or
 * when the gap passes with nothing new. Records arrive when outcomes are
 * known, so a group is ordered by attempt start time when it is classified.
 *
 * Must never: do I/O, read a clock, or depend on libbpf.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "core/correlate_int.h"
#include "lib/addrclass.h"

struct correlator *correlator_new(const struct correlator_cfg *cfg, const struct sink *sink)
{
	struct correlator *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->cfg = *cfg;
	if (!c->cfg.group_gap_ns)
		c->cfg.group_gap_ns = DEFAULT_GROUP_GAP_NS;
	if (sink)
		c->sink = *sink;
	c->next_group_id = 1;
	c->next_lookup_id = 1;
	return c;
}

void correlator_free(struct correlator *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < CANDIDATE_LOOKUPS; i++)
		free(c->cand[i]);
	for (size_t i = 0; i < c->n_all; i++) {
		groups_free(c->all[i]->open);
		groups_free(c->all[i]->done);
		lookups_free(c->all[i]->lookups);
		order_free(c->all[i]);
		free(c->all[i]);
	}
	free(c->all);
	free(c->srcs);
	free(c->shown);
	where_free(c);
	wire_free(c);
	free(c);
}

/* The process a record speaks of; a new one adopts the lookups it made
 * before it was traced. */
static struct proc *traced_proc(struct correlator *c, const struct ft_task *t, uint64_t ts)
{
	bool created;
	struct proc *p = procs_get(c, t, ts, &created);

	if (p && created)
		lookups_adopt(c, p);
	return p;
}

/* A resolver call: made a lookup, joined to the DNS messages its thread
 * exchanged during the call (wire.c), and routed to its process (lookups.c).
 * Here, in the dispatch, so that lookups.c and wire.c do not call each other. */
static void lookup_event(struct correlator *c, const struct ft_lookup *r)
{
	struct lookup *l;

	/* An address-literal check (AI_NUMERICHOST) that fails asked no one. */
	if (r->api == FT_API_GETADDRINFO && r->hint_family >= 0 && (r->hint_flags & 0x4) && r->ret)
		return;
	l = lookup_from(c, r);
	if (!l)
		return;
	wire_claim(c, l, r->task.tgid, r->task.start_ns);
	lookup_route(c, &r->task, r->hdr.ts_ns, l);
}

static void attempt_from(struct attempt *a, const struct ft_attempt *r)
{
	int mapped;

	memset(a, 0, sizeof(*a));
	a->start_ns = r->start_ns;
	a->end_ns = r->end_ns >= r->start_ns ? r->end_ns : r->start_ns;
	a->fam = wire_family(r->family, r->daddr, a->daddr, &mapped);
	a->v4mapped = mapped;
	/* The source the kernel chose: a connect that reached SYN_SENT, a
	 * route probe that found a route (all zero otherwise). */
	if (r->outcome != FT_OUT_IMMEDIATE && !(r->outcome == FT_OUT_PROBE && r->err)) {
		static const uint8_t zero[16];

		wire_family(r->family, r->saddr, a->saddr, NULL);
		a->has_saddr = memcmp(a->saddr, zero, 16) != 0;
	}
	a->nonblock = r->flags & FT_F_NONBLOCK;
	a->flags = r->flags;
	a->dport = r->dport;
	a->sport = r->sport;
	a->tid = r->task.tid;
	a->outcome = r->outcome;
	/* Failed, but no hook saw how: never read as success (err 0). */
	a->err = !r->err && (r->flags & FT_F_ERRNO_UNSEEN) ? ERR_UNSEEN : r->err;
	a->res = result_of(r->outcome, a->err);
}

/* A failure the process's own network decided before a packet left: the
 * route lookup (no route), or no source address. */
static void note_local(struct fam_stats *fs, const struct attempt *a)
{
	if (a->outcome != FT_OUT_IMMEDIATE && a->outcome != FT_OUT_PROBE)
		return;
	if (a->err == ENETUNREACH)
		fs->local_no_route++;
	else if (a->err == EADDRNOTAVAIL)
		fs->local_no_addr++;
}

static void on_attempt(struct correlator *c, const struct ft_attempt *r)
{
	const struct attempt *stored;
	const char *key = "";
	struct lookup *l;
	struct attempt a;
	struct fam_stats *fs;
	struct group *g;
	struct proc *p;

	p = traced_proc(c, &r->task, r->hdr.ts_ns);
	if (!p)
		return;
	memcpy(p->comm, r->task.comm, FT_COMM_LEN);
	p->comm[FT_COMM_LEN - 1] = 0;
	attempt_from(&a, r);
	fs = &p->fam[a.fam];
	if (a.has_saddr) {
		p->src_classes[a.fam] |= 1u << addr_class_of(a.fam, a.saddr);
		if (a.fam == FAM_V6)
			srcaddr_kind(c, a.saddr, &a.src);
	}

	if (r->hdr.kind == FT_EV_PROBE) {
		a.dns = is_dns_port(c, a.dport);
		if (a.dns) {
			/* A resolver's socket to its nameserver (res_nsend, libasr,
			 * c-ares): DNS traffic, not a question about routes. */
			if (a.err)
				fs->dns_failed++;
			else
				fs->dns_ok++;
			if (c->sink.probe)
				c->sink.probe(c->sink.ctx, p, &a);
			return;
		}
		if (a.err) {
			fs->probes_failed++;
			fs->last_probe_err = a.err;
			note_local(fs, &a);
		} else {
			fs->probes_ok++;
		}
		order_note_probe(p, &a);
		if (c->sink.probe)
			c->sink.probe(c->sink.ctx, p, &a);
		return;
	}

	fs->tried++;
	fs->res[a.res]++;
	note_local(fs, &a);
	if (a.has_saddr)
		srcaddr_count(p, &a);
	if (a.res == RES_CONNECTED) {
		uint64_t lat = a.end_ns - a.start_ns;

		fs->connected++;
		fs->lat_n++;
		fs->lat_sum_ns += lat;
		if (lat < fs->lat_min_ns)
			fs->lat_min_ns = lat;
		if (lat > fs->lat_max_ns)
			fs->lat_max_ns = lat;
	}
	/* A name of its own, else one its parent looked up (Exim resolves in
	 * one process and connects from a child), else an address literal. */
	l = lookup_link(p, &a, true);
	if (!l && lookups_inherit(c, p, &a))
		l = lookup_link(p, &a, true);
	if (!l)
		l = lookup_link(p, &a, false);
	if (l) {
		const struct lookup *m = lookup_mx_of(p, lookup_dest(l), NULL);

		key = m ? m->dns.qname : lookup_dest(l);
	}
	g = group_for(c, p, &a, key);
	if (!g)
		return;
	if (l)
		lookup_join(p, g, l);
	stored = group_add(g, &a);
	if (c->sink.attempt)
		c->sink.attempt(c->sink.ctx, p, stored ? stored : &a, g);
}

static void on_proc(struct correlator *c, const struct ft_proc *r)
{
	struct proc *p = traced_proc(c, &r->task, r->hdr.ts_ns);

	if (!p)
		return;
	where_proc_event(p, r);
	switch (r->what) {
	case FT_PROC_FORK:
	case FT_PROC_SEEN:
		break;
	case FT_PROC_EXEC:
		memcpy(p->comm, r->task.comm, FT_COMM_LEN);
		p->comm[FT_COMM_LEN - 1] = 0;
		break;
	case FT_PROC_EXIT:
		/* Groups stay open: sockets closed during exit report their
		 * outcome after this record; the gap or flush closes them. */
		p->exited = true;
		p->exit_code = r->exit_code;
		p->exit_ns = r->hdr.ts_ns;
		if (c->sink.exit)
			c->sink.exit(c->sink.ctx, p);
		break;
	}
}

static void tick(struct correlator *c, uint64_t now_ns, bool trim);

void correlate_tick(struct correlator *c, uint64_t now_ns)
{
	if (now_ns > c->now_ns)
		c->now_ns = now_ns;
	tick(c, now_ns, true);
}

struct due {
	struct proc *p;
	struct group *g;
};

/* Groups close in the order their last outcome came, across processes, so
 * live lines run forward in time. */
static int by_last_end(const void *a, const void *b)
{
	const struct group *x = ((const struct due *)a)->g, *y = ((const struct due *)b)->g;

	if (x->last_end_ns != y->last_end_ns)
		return x->last_end_ns < y->last_end_ns ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Trimming only while tracing goes on: the final report wants it all. */
static void tick(struct correlator *c, uint64_t now_ns, bool trim)
{
	struct due *due = NULL;
	size_t n_due = 0, cap = 0;

	/* Wire lookups first: a group closing now may need them. */
	wire_tick(c, now_ns);

	for (size_t i = 0; i < c->n_all; i++)
		for (struct group *g = c->all[i]->open; g; g = g->next) {
			if (now_ns <= g->last_end_ns + group_wait_ns(c, g))
				continue;
			if (n_due == cap) {
				size_t ncap = cap ? cap * 2 : 16;
				struct due *n = realloc(due, ncap * sizeof(*n));

				if (!n)
					break; /* the rest close at the next tick */
				due = n;
				cap = ncap;
			}
			due[n_due++] = (struct due){ c->all[i], g };
		}
	if (n_due > 1)
		qsort(due, n_due, sizeof(*due), by_last_end);
	for (size_t k = 0; k < n_due; k++)
		group_finalize(c, due[k].p, due[k].g);
	free(due);
	for (size_t i = 0; i < c->n_all; i++) {
		struct proc *p = c->all[i];

		/* A busy process holds dozens of lookups: walk them only when
		 * one is due, and note when the next one will be. */
		if (now_ns > p->check_due_ns) {
			uint64_t due = UINT64_MAX;

			for (struct lookup *l = p->lookups; l; l = l->next) {
				if (l->checked)
					continue;
				if (now_ns > l->end_ns + c->cfg.group_gap_ns)
					lookup_check_unused(c, p, l);
				else if (l->end_ns + c->cfg.group_gap_ns < due)
					due = l->end_ns + c->cfg.group_gap_ns;
			}
			p->check_due_ns = due;
		}
		/* check keeps them, up to CHECK_KEEP_PROCS processes */
		if (trim && !(c->cfg.keep_exited_details && c->n_all < CHECK_KEEP_PROCS) &&
		    p->exited && !p->trimmed && !p->open &&
		    now_ns > p->exit_ns + c->cfg.group_gap_ns) {
			fold_trim_exited(p);
			c->n_trimmed++;
		}
	}
	if (trim)
		fold_exited(c);
}

void correlate_event(struct correlator *c, const void *rec, size_t len)
{
	const struct ft_hdr *h = rec;

	if (len < sizeof(*h))
		return;
	/* The memory bound, before anything new is kept. */
	if (groups_held() >= DETAIL_GROUPS_BUDGET || lookups_held() >= DETAIL_LOOKUPS_BUDGET)
		fold_bound_details(c);
	c->events++;
	if (!c->first_ns || h->ts_ns < c->first_ns)
		c->first_ns = h->ts_ns;
	if (h->ts_ns > c->last_ns)
		c->last_ns = h->ts_ns;
	if (h->ts_ns > c->now_ns)
		c->now_ns = h->ts_ns;
	switch (h->kind) {
	case FT_EV_ATTEMPT:
	case FT_EV_PROBE:
		if (len == sizeof(struct ft_attempt))
			on_attempt(c, rec);
		break;
	case FT_EV_PROC:
		if (len == sizeof(struct ft_proc))
			on_proc(c, rec);
		break;
	case FT_EV_LOOKUP:
		if (len == sizeof(struct ft_lookup))
			lookup_event(c, rec);
		break;
	case FT_EV_SRCADDR:
		if (len == sizeof(struct ft_srcaddr))
			srcaddr_event(c, rec);
		break;
	case FT_EV_DNS:
		if (len >= sizeof(struct ft_dns))
			wire_event(c, rec, len);
		break;
	case FT_EV_CGROUP:
		if (len == sizeof(struct ft_cgroup))
			where_cgroup_event(c, rec);
		break;
	}
}

void correlate_flush(struct correlator *c)
{
	tick(c, UINT64_MAX - c->cfg.group_gap_ns - 1, false);
	for (size_t i = 0; i < c->n_all; i++)
		while (c->all[i]->open)
			group_finalize(c, c->all[i], c->all[i]->open);
}

size_t correlator_procs(struct correlator *c, struct proc ***out)
{
	size_t n = 0;

	*out = c->all;
	if (!c->cfg.place_sel)
		return c->n_all;
	/* --container, --unit: those that ran there, in the same order. */
	if (c->cap_shown < c->n_all) {
		struct proc **s = realloc(c->shown, c->n_all * sizeof(*s));

		if (!s)
			return 0;
		c->shown = s;
		c->cap_shown = c->n_all;
	}
	for (size_t i = 0; i < c->n_all; i++)
		if (correlator_proc_wanted(c, c->all[i]))
			c->shown[n++] = c->all[i];
	*out = c->shown;
	return n;
}

uint64_t correlator_events(const struct correlator *c)
{
	return c->events;
}

uint64_t correlator_procs_refused(const struct correlator *c)
{
	return c->procs_refused;
}

uint64_t correlator_first_ns(const struct correlator *c)
{
	return c->first_ns;
}

uint64_t correlator_last_ns(const struct correlator *c)
{
	return c->last_ns;
}

uint64_t correlator_dropped_groups(const struct correlator *c)
{
	return c->dropped_groups;
}

uint64_t correlator_dropped_lookups(const struct correlator *c)
{
	return c->dropped_lookups;
}
