// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * identity.c - who the receivers see (identity.h): for each source address
 * the traced deliveries left from, its PTR record, whether that name resolves
 * back to the address (forward-confirmed reverse DNS), and whether it is the
 * HELO name the MTA gives; looked up after tracing (lib/rdns.c).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check/identity.h"
#include "lib/addrclass.h"
#include "lib/rdns.h"

/* Add a delivery's source once (only addresses a receiver could judge). */
static void add_source(struct identities *out, const struct attempt *a)
{
	size_t len = a->fam == FAM_V6 ? 16 : 4;
	enum addr_class cls = addr_class_of(a->fam, a->saddr);

	if (cls == AC_LOOPBACK || cls == AC_LINK_LOCAL || cls == AC_UNSPECIFIED)
		return;
	for (unsigned i = 0; i < out->n; i++)
		if (out->id[i].fam == a->fam && !memcmp(out->id[i].addr, a->saddr, len)) {
			out->id[i].attempts++;
			return;
		}
	if (out->n == IDENTITY_MAX) {
		out->more++;
		return;
	}
	memset(&out->id[out->n], 0, sizeof(out->id[0]));
	out->id[out->n].fam = a->fam;
	memcpy(out->id[out->n].addr, a->saddr, len);
	out->id[out->n].attempts = 1;
	out->id[out->n].temporary = a->src.known && (a->src.flags & 0x01);
	out->n++;
}

void identity_check(struct correlator *c, const struct rdns_ctx *where, const char *helo,
		    struct identities *out)
{
	struct proc **procs;
	size_t n = correlator_procs(c, &procs);
	bool silent = false;

	memset(out, 0, sizeof(*out));
	snprintf(out->helo, sizeof(out->helo), "%s", helo ? helo : "");
	snprintf(out->where, sizeof(out->where), "%s", where->where);
	for (size_t i = 0; i < n; i++)
		for (const struct group *g = procs[i]->done; g; g = g->next)
			for (unsigned k = 0; !g->service && k < g->n; k++)
				if (g->at[k].has_saddr && g->at[k].res == RES_CONNECTED)
					add_source(out, &g->at[k]);
	for (unsigned i = 0; i < out->n; i++) {
		struct identity *id = &out->id[i];
		struct rdns r;

		/* Nameservers that did not answer once are not waited for
		 * again (up to 8 s each): the rest are said not asked. */
		if (silent) {
			id->ptr_state = -1;
			id->fcrdns = id->helo_match = -1;
			snprintf(id->ptr_err, sizeof(id->ptr_err), "not asked: the nameservers did not answer");
			continue;
		}
		rdns_lookup(where, id->fam == FAM_V6, id->addr, &r);
		silent = r.ptr_state < 0 && strstr(r.ptr_err, "no answer") != NULL;
		id->ptr_state = r.ptr_state;
		id->fcrdns = r.fcrdns;
		id->helo_match = -1;
		snprintf(id->ptr, sizeof(id->ptr), "%s", r.ptr);
		snprintf(id->ptr_err, sizeof(id->ptr_err), "%s", r.ptr_err);
		snprintf(id->fwd_err, sizeof(id->fwd_err), "%s", r.fwd_err);
		if (id->ptr_state == 1 && out->helo[0])
			id->helo_match = !strcasecmp(id->ptr, out->helo);
	}
}

char *identity_text(char *buf, size_t len, const struct identity *id, const char *helo)
{
	char a[64];
	size_t off;

	fmt_addr(a, sizeof(a), id->fam, id->addr);
	off = (size_t)snprintf(buf, len, "%s (%s, %u connection%s): ", a, fam_name(id->fam), id->attempts,
			       id->attempts == 1 ? "" : "s");
#define ADD(...) (off += off < len ? (size_t)snprintf(buf + off, len - off, __VA_ARGS__) : 0)
	if (id->ptr_state < 0)
		ADD("PTR not known: %s", id->ptr_err);
	else if (id->ptr_state == 0)
		ADD("no PTR (%s): receivers that require one, such as Gmail over IPv6, refuse mail from it",
		    id->ptr_err);
	else {
		ADD("PTR %s", fmt_safe(id->ptr));
		if (id->fcrdns == 1)
			ADD(", which resolves back to it (FCrDNS)");
		else if (id->fcrdns == 0)
			ADD(", which does not resolve back to it (%s): no FCrDNS, which receivers "
			    "require as they require a PTR", id->fwd_err[0] ? id->fwd_err : "another address");
		else
			ADD(", not confirmed: %s", id->fwd_err);
		if (id->helo_match == 1)
			ADD("; the HELO name %s matches", fmt_safe(helo));
		else if (id->helo_match == 0)
			ADD("; the HELO name is %s, not the PTR's", fmt_safe(helo));
	}
	if (id->temporary)
		ADD("; a temporary (privacy, RFC 4941) address, which no PTR can name: leave from a stable one");
#undef ADD
	return buf;
}
