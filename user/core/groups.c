// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * groups.c - attempts toward one destination: attempts to the same port (and
 * the same MX domain or host, when known) join a group while each starts
 * within the group gap of the previous outcome; a group is classified
 * (connected first, fallback, retried, all failed, no fallback) by its
 * attempts in start order, and finalized into the process's counters. A
 * connection whose session failed (the process went on to the next address
 * it was offered) counts as a failed attempt of its group.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "core/correlate_int.h"

/* Groups in memory, over every correlator of this process: what the memory
 * bound (fold_bound_details) keeps under its budget. */
static size_t groups_in_memory;

size_t groups_held(void)
{
	return groups_in_memory;
}

void groups_note_alloc(void)
{
	groups_in_memory++;
}

void groups_free(struct group *g)
{
	while (g) {
		struct group *n = g->next;

		groups_in_memory--;
		free(g);
		g = n;
	}
}

/*
 * Classify a group from its attempts ordered by start time. Works on open
 * groups too, so a reporter can say "fallback" the moment the winner arrives.
 */
static void group_classify(struct group *g)
{
	const struct attempt *w, *first = NULL, *other = NULL, *failed = NULL;

	if (g->n == 0)
		return; /* family_unreachable: made from a lookup, class preset */
	g->fam_mask = 0;
	for (unsigned i = 0; i < g->n; i++) {
		g->fam_mask |= 1u << g->at[i].fam;
		if (!first || g->at[i].start_ns < first->start_ns)
			first = &g->at[i];
	}
	g->cost_ns = 0;
	if (g->winner < 0) {
		unsigned untried = 0;

		for (unsigned i = 0; i < g->n_offered; i++)
			untried |= (1u << g->offered[i].fam) & ~g->fam_mask;
		g->cls = untried ? GC_NO_FALLBACK : GC_ALL_FAILED;
		g->from_fam = g->to_fam = first ? first->fam : FAM_V4;
		if (untried)
			g->to_fam = (untried & (1u << FAM_V6)) ? FAM_V6 : FAM_V4;
		return;
	}
	w = &g->at[g->winner];
	g->to_fam = w->fam;
	g->from_fam = w->fam;
	/* Earliest attempt that started before the winner and failed; one that
	 * started earlier but connected later only lost a race. */
	for (unsigned i = 0; i < g->n; i++) {
		const struct attempt *a = &g->at[i];

		if ((int)i == g->winner || a->start_ns > w->start_ns ||
		    (a->res == RES_CONNECTED && !a->session_failed))
			continue;
		if (!failed || a->start_ns < failed->start_ns)
			failed = a;
		if (a->fam != w->fam && (!other || a->start_ns < other->start_ns))
			other = a;
	}
	if (!failed) {
		g->cls = GC_CONNECTED_FIRST;
		return;
	}
	g->cost_ns = w->start_ns - first->start_ns;
	if (other) {
		g->cls = GC_FALLBACK;
		g->from_fam = other->fam;
	} else {
		g->cls = GC_RETRIED;
	}
}

/* Keep the first `keep` groups of a list, free the rest. */
unsigned group_untried(const struct group *g, enum wire_fam fam, struct offered *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < g->n_offered && n < max; i++) {
		bool tried = false;

		if (g->offered[i].fam != fam)
			continue;
		for (unsigned k = 0; k < g->n; k++)
			tried |= g->at[k].fam == fam &&
				 !memcmp(g->at[k].daddr, g->offered[i].addr, fam == FAM_V6 ? 16 : 4);
		if (!tried)
			out[n++] = g->offered[i];
	}
	return n;
}

void groups_cut(struct group **head, unsigned keep)
{
	for (unsigned i = 0; i < keep && *head; i++)
		head = &(*head)->next;
	groups_free(*head);
	*head = NULL;
}

/* Keep p's newest keep finished groups; the ones freed stay in p's counts
 * and are counted as dropped (the report says "no longer shown"). */
void proc_cut_done(struct correlator *c, struct proc *p, unsigned keep)
{
	if (p->n_done <= keep)
		return;
	p->groups_dropped += p->n_done - keep;
	c->dropped_groups += p->n_done - keep;
	groups_cut(&p->done, keep);
	p->n_done = keep;
}

const struct attempt *group_first(const struct group *g)
{
	const struct attempt *f = NULL;

	for (unsigned i = 0; i < g->n; i++)
		if (!f || g->at[i].start_ns < f->start_ns)
			f = &g->at[i];
	return f;
}

const struct attempt *group_session_failed(const struct group *g)
{
	const struct attempt *f = NULL;

	for (unsigned i = 0; i < g->n; i++)
		if (g->at[i].session_failed && (!f || g->at[i].start_ns < f->start_ns))
			f = &g->at[i];
	return f;
}

unsigned group_order(const struct group *g, int order[GROUP_MAX_ATTEMPTS])
{
	for (unsigned i = 0; i < g->n; i++) {
		unsigned j = i;

		while (j > 0 && g->at[order[j - 1]].start_ns > g->at[i].start_ns) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = (int)i;
	}
	return g->n;
}

static void group_unlink_open(struct proc *p, struct group *g)
{
	for (struct group **pp = &p->open; *pp; pp = &(*pp)->next)
		if (*pp == g) {
			*pp = g->next;
			g->next = NULL;
			return;
		}
}

/* A mail program's connection to a port that is not a mail port. */
static bool is_service(const struct correlator *c, const struct proc *p, const struct group *g)
{
	bool mail_comm = false;

	/* A resolver's TCP connection to its nameserver (after a truncated
	 * answer, or options use-vc) is DNS, never a delivery. */
	if (g->dport && is_dns_port(c, g->dport))
		return true;
	if (!c->cfg.n_mail_comms || !g->dport)
		return false;
	for (size_t i = 0; i < c->cfg.n_mail_comms && !mail_comm; i++)
		mail_comm = !strcmp(p->comm, c->cfg.mail_comms[i]);
	if (!mail_comm)
		return false;
	for (size_t i = 0; i < c->cfg.n_mail_ports; i++)
		if (g->dport == c->cfg.mail_ports[i])
			return false;
	return true;
}

void group_finalize(struct correlator *c, struct proc *p, struct group *g)
{
	/* Stamped with when it was decided, so that verdict lines come out in
	 * time order with the lines around them. */
	g->decided_ns = c->now_ns > g->last_end_ns ? c->now_ns : g->last_end_ns;
	group_classify(g);
	g->final = true;
	group_unlink_open(p, g);
	g->service = is_service(c, p, g);
	if (!g->service)
		race_judge(p, g);
	if (g->service)
		p->service_groups++;
	else
		p->groups[g->cls]++;
	if (g->n && !g->service) {
		unsigned offered = 0;

		for (unsigned i = 0; i < g->n_offered; i++)
			offered |= 1u << g->offered[i].fam;
		if (offered == (1u << FAM_V4 | 1u << FAM_V6))
			p->dual_first[group_first(g)->fam]++;
	}
	if (g->cls == GC_FALLBACK && !g->service) {
		p->fallback_cost_sum_ns += g->cost_ns;
		if (g->cost_ns > p->fallback_cost_max_ns)
			p->fallback_cost_max_ns = g->cost_ns;
		p->fallback_fam_from[g->from_fam]++;
	}
	if (c->sink.group)
		c->sink.group(c->sink.ctx, p, g);

	/* Keep the newest finished groups for the report, bounded; cut in
	 * steps of PROC_DONE_SLACK (one walk per that many groups). */
	g->next = p->done;
	p->done = g;
	if (++p->n_done > PROC_MAX_DONE_GROUPS + PROC_DONE_SLACK)
		proc_cut_done(c, p, PROC_MAX_DONE_GROUPS);
}

/* Does g still offer addresses it has not tried? */
static bool group_has_untried(const struct group *g)
{
	struct offered un[1];

	return group_untried(g, FAM_V4, un, 1) || group_untried(g, FAM_V6, un, 1);
}

uint64_t group_wait_ns(const struct correlator *c, const struct group *g)
{
	if (g->winner >= 0 || (g->proc && g->proc->exited) || c->cfg.group_gap_ns >= GROUP_HOLD_NS ||
	    !group_has_untried(g))
		return c->cfg.group_gap_ns;
	return GROUP_HOLD_NS;
}

/* Did the process look g's destination up again after g's last outcome,
 * before a started? Then a begins a new delivery (a queue run's retry),
 * whichever lookup its address is linked to. */
static bool looked_up_again(const struct group *g, const struct attempt *a)
{
	if (!g->proc || !g->key[0])
		return false;
	for (const struct lookup *l = g->proc->lookups; l; l = l->next)
		if (l->start_ns > g->last_end_ns && l->start_ns < a->start_ns &&
		    !strcasecmp(lookup_dest(l), g->key))
			return true;
	return false;
}

/* Did g offer a's address, and has g not tried it yet? */
static bool offered_untried(const struct group *g, const struct attempt *a)
{
	size_t len = a->fam == FAM_V6 ? 16 : 4;
	bool offered = false;

	for (unsigned i = 0; i < g->n_offered && !offered; i++)
		offered = g->offered[i].fam == a->fam && !memcmp(g->offered[i].addr, a->daddr, len);
	for (unsigned k = 0; k < g->n && offered; k++)
		if (g->at[k].fam == a->fam && !memcmp(g->at[k].daddr, a->daddr, len))
			offered = false;
	return offered;
}

/* Is a's address one g offered and has not tried yet, from g's own lookups
 * or from another answer the process had before g's last outcome (the
 * MX host's A answer beside the AAAA one g's first attempt used: OpenSMTPD
 * asks them apart and, 2 s after the IPv6 failure, tries the IPv4 address
 * of the same answer set)? */
static bool next_offered(const struct group *g, const struct attempt *a)
{
	bool own_lookup = !a->lookup_id;

	for (unsigned i = 0; i < g->n_lookup_ids && !own_lookup; i++)
		own_lookup = g->lookup_ids[i] == a->lookup_id;
	if (!own_lookup && g->proc) {
		const struct lookup *l = proc_lookup(g->proc, a->lookup_id);

		own_lookup = l && l->end_ns <= g->last_end_ns;
	}
	return own_lookup && offered_untried(g, a);
}

/*
 * After g's winner connected, a connect to an address g offered and has not
 * tried, from an answer the process had before the winner started, with no
 * new lookup of the destination since, within the gap: the MTA gave the
 * session up (a refused greeting, a 4xx reply) and went on to the next
 * address of the same delivery, as MTAs do only when a session failed. A
 * next delivery looks the destination up again, or reuses its connection.
 */
static bool session_moved_on(const struct correlator *c, const struct group *g, const struct attempt *a)
{
	const struct attempt *w = &g->at[g->winner];
	const struct lookup *l;

	if (a->start_ns > g->last_end_ns + c->cfg.group_gap_ns || !a->lookup_id || !g->proc ||
	    !offered_untried(g, a) || looked_up_again(g, a))
		return false;
	l = proc_lookup(g->proc, a->lookup_id);
	return l && l->end_ns <= w->start_ns;
}

static bool group_joins(const struct correlator *c, const struct group *g, const struct attempt *a)
{
	if (g->winner >= 0)
		return a->start_ns <= g->at[g->winner].end_ns || /* raced the winner */
		       session_moved_on(c, g, a);
	if (a->start_ns <= g->last_end_ns + c->cfg.group_gap_ns)
		return true;
	/* Later, within the hold: only the next address of the same answer.
	 * A new lookup first means a new delivery (a queue run's retry). */
	return a->start_ns <= g->last_end_ns + group_wait_ns(c, g) && next_offered(g, a) &&
	       !looked_up_again(g, a);
}

struct group *group_for(struct correlator *c, struct proc *p, const struct attempt *a,
				const char *name)
{
	struct group *g;

	/* Same port, and the same destination (MX domain or host) when both are known. */
	for (g = p->open; g; g = g->next)
		if (g->dport == a->dport && (!g->key[0] || !name[0] || !strcmp(g->key, name)))
			break;
	/* Else a destination whose attempts all failed so far and that offered
	 * this address, untried, within its wait: the next address of the
	 * same delivery, whatever name its own lookup gives (its MX lookup cut
	 * to bound memory, or another domain's MX answer naming the same host
	 * since). */
	if (!g)
		for (g = p->open; g; g = g->next)
			if (g->dport == a->dport && g->winner < 0 && g->n && offered_untried(g, a) &&
			    a->start_ns <= g->last_end_ns + group_wait_ns(c, g) && !looked_up_again(g, a))
				break;
	if (g && !group_joins(c, g, a)) {
		group_finalize(c, p, g);
		g = NULL;
	}
	if (!g) {
		unsigned n_open = 0;
		struct group *oldest = NULL;

		/* Bounded: a process connecting to thousands of ports at once
		 * closes its oldest destination early rather than grow. */
		for (struct group *o = p->open; o; o = o->next, n_open++)
			oldest = o;
		if (n_open >= PROC_MAX_OPEN_GROUPS)
			group_finalize(c, p, oldest);
		g = calloc(1, sizeof(*g));
		if (!g)
			return NULL;
		groups_in_memory++;
		g->id = c->next_group_id++;
		g->proc = p;
		g->dport = a->dport;
		g->winner = -1;
		g->mx_pref = -1;
		g->first_start_ns = a->start_ns;
		g->next = p->open;
		p->open = g;
	}
	return g;
}

/* Returns the stored copy of the attempt, or NULL if it was not kept. */
const struct attempt *group_add(struct group *g, const struct attempt *a)
{
	unsigned i = g->n;

	if (i == GROUP_MAX_ATTEMPTS) {
		g->n_extra++;
		if (a->res != RES_CONNECTED || g->winner >= 0)
			return NULL;
		i = GROUP_MAX_ATTEMPTS - 1; /* keep the winner, lose one failure */
	} else {
		g->n++;
	}
	g->at[i] = *a;
	if (a->start_ns < g->first_start_ns)
		g->first_start_ns = a->start_ns;
	if (a->end_ns > g->last_end_ns)
		g->last_end_ns = a->end_ns;
	if (g->winner >= 0 && a->start_ns > g->at[g->winner].end_ns) {
		/* Joined after the winner's session (session_moved_on): that
		 * session failed; this attempt carries the delivery, if any. */
		g->at[g->winner].session_failed = true;
		g->winner = -1;
	}
	if (a->res == RES_CONNECTED && g->winner < 0)
		g->winner = (int)i;
	group_classify(g);
	return &g->at[i];
}
