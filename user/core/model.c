// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * model.c - reading the correlator's facts: the accessors every part of
 * the correlator and the reporters use (a lookup's name, the lookup an
 * attempt joined, the families a lookup asked). The bottom of core/: it
 * calls nothing else in it.
 */
#include <ctype.h>
#include <string.h>

#include "core/correlate_int.h"

const struct lookup *proc_lookup(const struct proc *p, uint64_t id)
{
	for (unsigned i = 0; i < p->n_lookups; i++)
		if (proc_lkey(p, i)->id == id)
			return proc_lkey(p, i)->l;
	return NULL;
}

/* The name an attempt's destination is known by, from its lookup. */
const char *lookup_dest(const struct lookup *l)
{
	return l->name[0] ? l->name : l->dns.qname;
}

const char *attempt_host(const struct proc *p, const struct attempt *a)
{
	const struct lookup *l = a->lookup_id ? proc_lookup(p, a->lookup_id) : NULL;

	return l && lookup_dest(l)[0] ? lookup_dest(l) : NULL;
}

/* Case-insensitive FNV-1a of a name, never 0: a cheap first test before
 * strcasecmp when a busy process's lookups are searched by name. */
uint32_t lookup_name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)tolower((unsigned char)*s)) * 16777619u;
	return h ? h : 1;
}

unsigned lookup_asks(const struct lookup *l)
{
	if (l->literal)
		return 0;
	if (l->api == FT_API_GETADDRINFO)
		return l->hint_family == 2 ? 1u << FAM_V4 : l->hint_family == 10 ? 1u << FAM_V6 :
		       1u << FAM_V4 | 1u << FAM_V6;
	if (l->api <= FT_API_GETHOSTBYNAME2_R)
		return l->hint_family == 10 ? 1u << FAM_V6 : 1u << FAM_V4;
	if (l->qtype == 1)
		return 1u << FAM_V4;
	if (l->qtype == 28)
		return 1u << FAM_V6;
	return 0;
}
