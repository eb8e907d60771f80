// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * mx_fates.c - what became of each host of an MX set, for a destination
 * reached through MX: the families its lookups returned and were asked,
 * whether it was tried and how its last attempt ended, and, when famtrace
 * can tell, why not (a more preferred host took the mail; it was never looked
 * up; its lookups gave no address in the families asked, naming the one never
 * asked; it has only a family this process never tries). A host's lookups
 * count from the MX question of the group on. Read by the reporters;
 * changes nothing.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/correlate.h"

unsigned group_mx_fates(const struct proc *p, const struct group *g, struct mx_fate *out,
			unsigned max)
{
	const struct lookup *mx = g->n_lookup_ids ? proc_lookup(p, g->lookup_ids[0]) : NULL;
	bool done[DNS_MAX_RRS] = { false };
	unsigned n = 0, tried_fams = 0;
	const unsigned both = 1u << FAM_V4 | 1u << FAM_V6;
	uint32_t hash;
	int win_pref = -1;

	if (!g->mx_domain[0] || !mx || !mx->dns.parsed)
		return 0;
	for (int f = 0; f < FAM_N; f++)
		if (p->fam[f].tried)
			tried_fams |= 1u << f;
	/* The preference of the host that took the mail, if one did. */
	if (g->winner >= 0) {
		const char *h = attempt_host(p, &g->at[g->winner]);

		for (unsigned i = 0; h && i < mx->dns.n_rrs; i++)
			if (mx->dns.rr[i].type == 15 && !strcasecmp(mx->dns.rr[i].target, h))
				win_pref = mx->dns.rr[i].pref;
	}
	while (n < max) {
		struct mx_fate *m = &out[n];
		int best = -1;

		/* Lowest preference not yet listed. */
		for (unsigned i = 0; i < mx->dns.n_rrs; i++)
			if (mx->dns.rr[i].type == 15 && !done[i] &&
			    (best < 0 || mx->dns.rr[i].pref < mx->dns.rr[best].pref))
				best = (int)i;
		if (best < 0)
			break;
		done[best] = true;
		memset(m, 0, sizeof(*m));
		m->pref = mx->dns.rr[best].pref;
		snprintf(m->host, sizeof(m->host), "%s", mx->dns.rr[best].target);
		hash = lookup_name_hash(m->host);
		/* Only this delivery's lookups of the host: those from its MX
		 * question on (an earlier delivery's answer, or its lookup of a
		 * host this one never looked up, is not this one's fate). Once
		 * both families were asked and returned, older lookups add
		 * nothing (a relay's process holds dozens). */
		for (unsigned k = 0; k < p->n_lookups && !(m->asked == both && m->fams == both); k++) {
			const struct lookup_key *key = proc_lkey(p, k);
			const struct lookup *l = key->l;

			if ((!key->hash || key->hash == hash) && l->start_ns >= mx->start_ns &&
			    !strcasecmp(l->name[0] ? l->name : l->dns.qname, m->host)) {
				m->looked = true;
				m->asked |= lookup_asks(l);
				for (unsigned i = 0; i < l->n_addrs; i++)
					m->fams |= 1u << l->addrs[i].fam;
			}
		}
		for (unsigned i = 0; i < g->n; i++) {
			const char *h = attempt_host(p, &g->at[i]);

			if (h && !strcasecmp(h, m->host)) {
				m->tried = true;
				m->res = g->at[i].res;
			}
		}
		if (m->tried)
			m->why_not = NULL;
		else if (win_pref >= 0 && m->pref > win_pref)
			m->why_not = "a more preferred host took the mail";
		else if (!m->looked)
			m->why_not = "never looked up";
		else if (!m->fams)
			m->why_not = "no address in the families asked";
		else if (tried_fams && !(m->fams & tried_fams))
			m->why_not = "only a family this process never tries";
		else
			m->why_not = "not tried (the MTA stopped before it: its address or session limit, "
				     "or the delivery ended)";
		n++;
	}
	return n;
}
