// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * where.c - where each process runs: the cgroups the records described
 * (FT_EV_CGROUP), read as containers or units, and the place fields of a
 * process's own records (its cgroup, its pid in its own PID namespace).
 * What famtrace learns of a container it learns here; the reporters ask.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/correlate_int.h"

#define CGROUPS_KEPT 4096 /* descriptions kept; the oldest go first */

void where_cgroup_event(struct correlator *c, const struct ft_cgroup *r)
{
	struct cg_info *g;

	for (g = c->cgroups; g; g = g->next)
		if (g->id == r->cgroup_id)
			break;
	if (!g) {
		if (c->n_cgroups >= CGROUPS_KEPT) {
			struct cg_info **pp = &c->cgroups;

			while ((*pp)->next)
				pp = &(*pp)->next;
			free(*pp);
			*pp = NULL;
			c->n_cgroups--;
		}
		g = calloc(1, sizeof(*g));
		if (!g)
			return;
		g->next = c->cgroups;
		c->cgroups = g;
		c->n_cgroups++;
	}
	g->id = r->cgroup_id;
	memcpy(g->path, r->path, sizeof(g->path));
	memcpy(g->name, r->name, sizeof(g->name));
	g->path[sizeof(g->path) - 1] = g->name[sizeof(g->name) - 1] = 0;
	cg_classify(g->path, &g->place);
}

void where_proc_event(struct proc *p, const struct ft_proc *r)
{
	/* A process leaving has given up its namespaces: keep what it had. */
	if (r->cgroup_id)
		p->cgroup_id = r->cgroup_id;
	if (r->ns_tgid) {
		p->ns_tgid = r->ns_tgid;
		p->ns_ppid = r->ns_ppid;
	}
	if (r->pidns)
		p->pidns = r->pidns;
	if (r->netns)
		p->netns = r->netns;
}

void where_free(struct correlator *c)
{
	while (c->cgroups) {
		struct cg_info *n = c->cgroups->next;

		free(c->cgroups);
		c->cgroups = n;
	}
	c->n_cgroups = 0;
}

const struct cg_info *correlator_cgroups(const struct correlator *c)
{
	return c->cgroups;
}

const struct cg_info *correlator_cgroup(const struct correlator *c, const struct proc *p)
{
	if (!p->cgroup_id)
		return NULL;
	for (const struct cg_info *g = c->cgroups; g; g = g->next)
		if (g->id == p->cgroup_id)
			return g;
	return NULL;
}

bool proc_in_own_pidns(const struct proc *p)
{
	return p->ns_tgid && p->ns_tgid != p->tgid;
}

uint32_t proc_log_pid(const struct proc *p)
{
	return p->ns_tgid ? p->ns_tgid : p->tgid;
}

bool correlator_proc_wanted(const struct correlator *c, const struct proc *p)
{
	return !c->cfg.place_sel || (!p->folded && proc_place_is(c, p, c->cfg.place_sel));
}

bool proc_place_is(const struct correlator *c, const struct proc *p, const char *sel)
{
	const struct cg_info *g = correlator_cgroup(c, p);
	size_t n = strlen(sel);

	if (!g || !n)
		return false;
	if (g->place.kind == CG_CONTAINER)
		return cg_container_is(&g->place, g->name, sel);
	if (g->place.kind == CG_UNIT)
		return !strcmp(g->place.unit, sel) ||
		       (!strncmp(g->place.unit, sel, n) && !strcmp(g->place.unit + n, ".service"));
	return false;
}
