// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * egress.c - outbound port 25 that looks blocked in one family: a provider
 * or a firewall that drops SMTP in one family shows as attempts to port 25
 * that are never answered (timed out, or given up in SYN_SENT by the MTA's
 * own connect timeout), at every host, while the same family works for
 * DNS or for other ports. One host that never answers is a host problem;
 * several, with the family working otherwise, is the egress. Reads the
 * processes' facts (the groups and lookups kept); changes nothing.
 */
#include <string.h>

#include "core/correlate_int.h"
#include "lib/fmt.h"

#define EGRESS_HOSTS 16 /* distinct addresses counted; enough to say "several" */

static bool unanswered(enum result r)
{
	return r == RES_TIMEOUT || r == RES_ABANDONED || r == RES_IN_PROGRESS;
}

/* Does family f work otherwise: a DNS answer over it, or a connection over
 * it to a port other than 25? Its evidence, as words, into w. */
static bool works_otherwise(const struct proc *p, enum wire_fam f, char *w, size_t len)
{
	char a[64];

	for (const struct lookup *l = p->lookups; l; l = l->next)
		for (unsigned i = 0; i < l->n_wire; i++)
			if (l->wire[i].answered_ns && l->wire[i].ns_fam == f) {
				snprintf(w, len, "the nameserver %s answered DNS over %s",
					 fmt_addr(a, sizeof(a), f, l->wire[i].ns_addr), fam_name(f));
				return true;
			}
	for (const struct group *g = p->done; g; g = g->next)
		for (unsigned k = 0; k < g->n; k++)
			if (g->at[k].fam == f && g->at[k].res == RES_CONNECTED && g->at[k].dport != 25) {
				snprintf(w, len, "%s connected to port %u of %s", fam_name(f), g->at[k].dport,
					 fmt_addr(a, sizeof(a), f, g->at[k].daddr));
				return true;
			}
	return false;
}

void correlator_egress(struct correlator *c, enum wire_fam f, struct egress_block *b)
{
	uint8_t hosts[EGRESS_HOSTS][16];
	struct proc **procs;
	size_t n = correlator_procs(c, &procs);
	bool answered = false, works = false;

	memset(b, 0, sizeof(*b));
	for (size_t i = 0; i < n; i++) {
		const struct proc *p = procs[i];

		if (!works)
			works = works_otherwise(p, f, b->works, sizeof(b->works));
		for (const struct group *g = p->done; g; g = g->next)
			for (unsigned k = 0; k < g->n; k++) {
				const struct attempt *a = &g->at[k];
				unsigned h;

				if (a->fam != f || a->dport != 25)
					continue;
				if (!unanswered(a->res)) {
					answered = true; /* connected, refused, unreachable: not a silent drop */
					continue;
				}
				b->attempts++;
				if (a->flags & FT_F_DROPPED_HERE)
					b->dropped_here++;
				for (h = 0; h < b->hosts && memcmp(hosts[h], a->daddr, 16); h++)
					;
				if (h == b->hosts && b->hosts < EGRESS_HOSTS)
					memcpy(hosts[b->hosts++], a->daddr, 16);
			}
	}
	b->blocked = !answered && works && b->hosts >= 2;
	if (!works)
		b->works[0] = 0;
}
