// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * lookup_order.c - the order of getaddrinfo's results, in the correlator:
 * the route probes glibc makes while sorting (a UDP connect per address,
 * which picks the source address) give each offered address its source;
 * with those, addrorder.c names the rule behind each adjacent pair; and per
 * name and family, how often each address came first over the run, and
 * whether rule 9 pinned it there.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/correlate_int.h"

void order_note_probe(struct proc *p, const struct attempt *a)
{
	struct probe_note *n;

	if (a->dns)
		return; /* a resolver's socket, not getaddrinfo's sorting */

	if (!p->probes) {
		p->probes = calloc(PROC_PROBES, sizeof(*p->probes));
		if (!p->probes)
			return;
	}
	n = &p->probes[p->probe_next++ % PROC_PROBES];
	n->ns = a->start_ns;
	n->tid = a->tid;
	n->fam = a->fam;
	n->err = a->err;
	n->deprecated = !a->src.known || !a->src.found ? -1 : (a->src.flags & 0x20) != 0;
	memcpy(n->daddr, a->daddr, 16);
	memcpy(n->saddr, a->saddr, 16);
}

void order_free(struct proc *p)
{
	free(p->probes);
	p->probes = NULL;
}

static const struct addr_policy *policy_or_default(const struct addr_policy *pol)
{
	static struct addr_policy dflt;
	static bool ready;

	if (pol)
		return pol;
	if (!ready) {
		addr_policy_default(&dflt);
		ready = true;
	}
	return &dflt;
}

static void to_dest(const struct lookup *l, unsigned i, struct order_dest *d)
{
	memset(d, 0, sizeof(*d));
	d->src_deprecated = -1;
	d->fam = l->addrs[i].fam;
	memcpy(d->addr, l->addrs[i].addr, 16);
	if (l->has_src) {
		d->src_state = l->src[i].state;
		d->err = l->src[i].err;
		d->src_deprecated = l->src[i].deprecated;
		memcpy(d->src, l->src[i].addr, 16);
	}
}

unsigned lookup_order(const struct lookup *l, const struct addr_policy *pol,
		      struct order_step steps[LOOKUP_MAX_ADDRS], unsigned *unexplained)
{
	struct order_dest d[LOOKUP_MAX_ADDRS];

	*unexplained = 0;
	if (l->api != FT_API_GETADDRINFO || l->failed || l->literal || l->n_addrs < 2)
		return 0;
	for (unsigned i = 0; i < l->n_addrs; i++)
		to_dest(l, i, &d[i]);
	*unexplained = order_explain(policy_or_default(pol), d, l->n_addrs, steps);
	return l->n_addrs - 1;
}

/* The name's record for fam, made at first sight; NULL when the table is full. */
static struct order_name *order_name_for(struct correlator *c, const char *name, enum wire_fam fam)
{
	struct order_name *o;

	for (unsigned i = 0; i < c->n_orders; i++)
		if (c->orders[i].fam == fam && !strcasecmp(c->orders[i].name, name))
			return &c->orders[i];
	if (c->n_orders >= ORDER_NAMES)
		return NULL;
	o = &c->orders[c->n_orders++];
	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%s", name);
	o->fam = fam;
	return o;
}

static void count_addr(struct order_name *o, const uint8_t *addr, bool first)
{
	for (unsigned i = 0; i < o->n_addrs; i++)
		if (!memcmp(o->addrs[i].addr, addr, 16)) {
			o->addrs[i].seen++;
			o->addrs[i].first += first;
			return;
		}
	if (o->n_addrs >= ORDER_NAME_ADDRS)
		return;
	memcpy(o->addrs[o->n_addrs].addr, addr, 16);
	o->addrs[o->n_addrs].seen = 1;
	o->addrs[o->n_addrs].first = first;
	o->n_addrs++;
}

/* The sources of a getaddrinfo result, from the probes the same thread made
 * while the call ran; then the run's per-name statistics. */
void order_attach(struct correlator *c, struct proc *p, struct lookup *l)
{
	const struct addr_policy *pol = policy_or_default(c->cfg.policy);

	if (l->api != FT_API_GETADDRINFO || l->failed || l->literal || l->n_addrs < 2)
		return;
	l->has_src = true;
	for (unsigned i = 0; i < l->n_addrs; i++)
		l->src[i].deprecated = -1;
	for (unsigned i = 0; i < l->n_addrs && p->probes; i++) {
		size_t len = l->addrs[i].fam == FAM_V6 ? 16 : 4;

		/* Newest first: a later probe of the same address wins. */
		for (unsigned k = 1; k <= PROC_PROBES && k <= p->probe_next; k++) {
			const struct probe_note *n = &p->probes[(p->probe_next - k) % PROC_PROBES];

			if (n->tid != l->tid || n->ns < l->start_ns || n->ns > l->end_ns ||
			    n->fam != l->addrs[i].fam || memcmp(n->daddr, l->addrs[i].addr, len))
				continue;
			l->src[i].state = n->err ? -1 : 1;
			l->src[i].err = (int16_t)n->err;
			l->src[i].deprecated = n->deprecated;
			memcpy(l->src[i].addr, n->saddr, 16);
			break;
		}
	}
	for (int fam = 0; fam < FAM_N; fam++) {
		int first = -1, second = -1;
		struct order_dest a, b;
		struct order_name *o;
		char why[160];
		int rule;

		for (unsigned i = 0; i < l->n_addrs; i++)
			if ((int)l->addrs[i].fam == fam) {
				if (first < 0)
					first = (int)i;
				else if (second < 0)
					second = (int)i;
			}
		if (second < 0 || !(o = order_name_for(c, lookup_dest(l), fam)))
			continue;
		o->lookups++;
		for (unsigned i = 0; i < l->n_addrs; i++)
			if ((int)l->addrs[i].fam == fam)
				count_addr(o, l->addrs[i].addr, (int)i == first);
		to_dest(l, (unsigned)first, &a);
		to_dest(l, (unsigned)second, &b);
		if (order_compare(pol, &a, &b, &rule, why, sizeof(why)) < 0 && rule == 9) {
			o->rule9_first++;
			o->rule9_bits = (uint8_t)addr_common_bits(a.addr, a.src, 16);
		}
	}
}

const char *order_name_verdict(const struct order_name *o)
{
	unsigned firsts = 0;

	if (o->lookups < 2 || o->n_addrs < 2)
		return NULL;
	for (unsigned i = 0; i < o->n_addrs; i++)
		firsts += o->addrs[i].first > 0;
	if (firsts > 1)
		return "rotating";
	if (o->rule9_first == o->lookups)
		return "rule9_pinned";
	return NULL;
}

size_t correlator_orders(const struct correlator *c, const struct order_name **out)
{
	*out = c->orders;
	return c->n_orders;
}
