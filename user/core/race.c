// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * race.c - the first-answer race verdict. A client with a resolver of its
 * own sends its A and AAAA queries together and uses whichever answer comes
 * first: its family then depends on which nameserver reply wins, and the
 * other family is never tried, even when the first one fails. famtrace sees
 * both questions on the wire (lookups of api FT_API_WIRE) and names it when
 *   - both questions were sent before the group's first attempt (a client
 *     that asks AAAA only after its A attempt is not racing; the second
 *     query may leave after the first answer came, on a fast network),
 *   - both answers held addresses,
 *   - the group tried only the family that answered first, and
 *   - its first attempt started before the other family's answer arrived
 *     (a client that waits for both and then picks one is not racing).
 * glibc's getaddrinfo, which also sends both at once, waits for both and
 * returns both to its caller: its lookups are calls, never judged here.
 * The other form, an empty first answer and nothing tried, is judged where
 * unused lookups are (lookups.c: first_answer_empty).
 */
#include <strings.h>

#include "core/correlate_int.h"

/* The earliest-answered wire lookup of name for family fam with addresses. */
static const struct lookup *wire_answer(const struct proc *p, const char *name, enum wire_fam fam,
					uint64_t from_ns, uint64_t to_ns)
{
	const struct lookup *best = NULL;

	for (const struct lookup *l = p->lookups; l; l = l->next) {
		bool has = false;

		if (l->api != FT_API_WIRE || l->failed || l->end_ns < from_ns || l->start_ns > to_ns ||
		    l->qtype != (fam == FAM_V6 ? 28 : 1) || strcasecmp(lookup_dest(l), name))
			continue;
		for (unsigned i = 0; i < l->n_addrs && !has; i++)
			has = l->addrs[i].fam == fam;
		if (has && (!best || l->end_ns < best->end_ns))
			best = l;
	}
	return best;
}

void race_judge(struct proc *p, struct group *g)
{
	const struct lookup *v4, *v6, *first, *other;
	uint64_t from, to;

	if (g->cls == GC_FIRST_ANSWER_EMPTY)
		return; /* judged from its lookups (lookups.c), nothing tried */
	g->race = false;
	if (!p->wire_lookups || !g->n || !g->name[0] || (g->fam_mask != 1u << FAM_V4 && g->fam_mask != 1u << FAM_V6))
		return;
	from = g->first_start_ns > 60000000000ULL ? g->first_start_ns - 60000000000ULL : 0;
	to = g->last_end_ns;
	v4 = wire_answer(p, g->name, FAM_V4, from, to);
	v6 = wire_answer(p, g->name, FAM_V6, from, to);
	if (!v4 || !v6)
		return;
	first = v4->end_ns <= v6->end_ns ? v4 : v6;
	other = first == v4 ? v6 : v4;
	if (g->fam_mask != 1u << (first == v4 ? FAM_V4 : FAM_V6) || other->start_ns >= g->first_start_ns ||
	    g->first_start_ns >= other->end_ns)
		return;
	g->race = true;
	g->race_fam = first == v4 ? FAM_V4 : FAM_V6;
	g->race_lead_ns = other->end_ns - first->end_ns;
	p->races++;
}
