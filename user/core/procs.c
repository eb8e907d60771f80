// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * procs.c - the correlator's process table: a process is (tgid, start time),
 * so a reused pid is a new process; found by tgid through a hash, listed in
 * order of first appearance. Creates processes and nothing else: adopting
 * the lookups a new process made earlier is its caller's step.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "core/correlate_int.h"

static unsigned bucket_of(uint32_t tgid)
{
	return (tgid * 2654435761u) % PROC_BUCKETS;
}

struct proc *correlator_find(struct correlator *c, uint32_t tgid)
{
	struct proc *best = NULL;

	for (struct proc *p = c->buckets[bucket_of(tgid)]; p; p = p->hnext)
		if (p->tgid == tgid && (!best || p->start_ns > best->start_ns))
			best = p;
	return best;
}

struct proc *procs_exact(struct correlator *c, uint32_t tgid, uint64_t start_ns)
{
	for (struct proc *p = c->buckets[bucket_of(tgid)]; p; p = p->hnext)
		if (p->tgid == tgid && p->start_ns == start_ns)
			return p;
	return NULL;
}

bool procs_append(struct correlator *c, struct proc *p)
{
	if (c->n_all == c->cap_all) {
		size_t cap = c->cap_all ? c->cap_all * 2 : 64;
		struct proc **all = realloc(c->all, cap * sizeof(*all));

		if (!all)
			return false;
		c->all = all;
		c->cap_all = cap;
	}
	p->seq = c->n_all;
	c->all[c->n_all++] = p;
	return true;
}

/* The process a record speaks of, created on first sight. */
struct proc *procs_get(struct correlator *c, const struct ft_task *t, uint64_t ts, bool *created)
{
	unsigned b = bucket_of(t->tgid);
	struct proc *p = procs_exact(c, t->tgid, t->start_ns);

	*created = false;
	if (!p) {
		if (c->n_held >= (c->cfg.max_procs ? c->cfg.max_procs : PROC_HELD_MAX)) {
			c->procs_refused++;
			return NULL;
		}
		p = calloc(1, sizeof(*p));
		if (!p)
			return NULL;
		p->tgid = t->tgid;
		p->start_ns = t->start_ns;
		p->ppid = t->ppid;
		p->uid = t->uid;
		p->why = t->why;
		memcpy(p->comm, t->comm, FT_COMM_LEN);
		memcpy(p->first_comm, t->comm, FT_COMM_LEN);
		p->comm[FT_COMM_LEN - 1] = p->first_comm[FT_COMM_LEN - 1] = 0;
		p->first_ns = ts;
		for (int f = 0; f < FAM_N; f++)
			p->fam[f].lat_min_ns = UINT64_MAX;
		if (!procs_append(c, p)) {
			free(p);
			return NULL;
		}
		p->hnext = c->buckets[b];
		c->buckets[b] = p;
		c->n_held++;
		*created = true;
	}
	if (ts > p->last_ns)
		p->last_ns = ts;
	return p;
}

void procs_unhash(struct correlator *c, struct proc *p)
{
	struct proc **pp = &c->buckets[bucket_of(p->tgid)];

	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == p) {
			*pp = p->hnext;
			return;
		}
}
