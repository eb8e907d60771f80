// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * addr_notes.c - what is wrong with the addresses behind a destination, by
 * their class: an address a lookup offered for a mail host that is a
 * transition address (6to4, Teredo: unreliable, never for an MX host) or
 * one nobody on the Internet can reach (private, ULA, link-local,
 * documentation, ... — unless this relay itself has a source of that kind,
 * as on an internal network or in a lab); an attempt that left from a 6to4
 * or Teredo source, or from a temporary (RFC 4941 privacy) address. Read by the reporters and check; changes nothing.
 */
#include <stdio.h>
#include <string.h>

#include "core/correlate.h"
#include "lib/addrclass.h"

static bool noted(const struct addr_note *out, unsigned n, enum wire_fam fam, const uint8_t *addr,
		  bool source)
{
	for (unsigned i = 0; i < n; i++)
		if (out[i].fam == fam && out[i].source == source && !memcmp(out[i].addr, addr, 16))
			return true;
	return false;
}

unsigned group_address_notes(const struct proc *p, const struct group *g, struct addr_note *out,
			     unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < g->n_offered && n < max; i++) {
		const struct offered *o = &g->offered[i];
		enum addr_class c = addr_class_of(o->fam, o->addr);
		struct addr_note *a = &out[n];

		if (!addr_class_transition(c) &&
		    (!addr_class_internal(c) || (p->src_classes[o->fam] & (1u << c))))
			continue;
		if (noted(out, n, o->fam, o->addr, false))
			continue;
		memset(a, 0, sizeof(*a));
		a->fam = o->fam;
		memcpy(a->addr, o->addr, 16);
		a->cls = c;
		a->transition = addr_class_transition(c);
		n++;
	}
	for (unsigned i = 0; i < g->n && n < max; i++) {
		const struct attempt *at = &g->at[i];
		enum addr_class c;
		bool temp;

		if (!at->has_saddr || noted(out, n, at->fam, at->saddr, true))
			continue;
		c = addr_class_of(at->fam, at->saddr);
		temp = at->src.known && at->src.found && (at->src.flags & 0x01);
		if (!addr_class_transition(c) && !temp)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].fam = at->fam;
		memcpy(out[n].addr, at->saddr, 16);
		out[n].cls = c;
		out[n].transition = addr_class_transition(c);
		out[n].temporary = temp;
		out[n].source = true;
		memcpy(out[n].ifname, at->src.ifname, sizeof(out[n].ifname));
		n++;
	}
	return n;
}

char *addr_note_text(char *buf, size_t len, const struct addr_note *a)
{
	char addr[64], what[128];

	fmt_addr(addr, sizeof(addr), a->fam, a->addr);
	addr_class_describe(what, sizeof(what), a->fam, a->addr);
	if (a->temporary)
		snprintf(buf, len, "IPv6 attempts left from a temporary (privacy) address %s on %s: "
				   "receivers' reverse-DNS and SPF checks see an address nobody published; "
				   "set smtp_bind_address6 (Postfix) or disable use_tempaddr on %s",
			 addr, fmt_safe(a->ifname), fmt_safe(a->ifname));
	else if (a->source)
		snprintf(buf, len, "mail left from %s (%s): a transition address; receivers' reverse-DNS "
				   "and SPF checks see an address nobody published for this relay",
			 addr, what);
	else if (a->transition)
		snprintf(buf, len, "%s is %s: a transition address; a mail host's %s record should "
				   "give a native address", addr, what, a->fam == FAM_V6 ? "AAAA" : "A");
	else
		snprintf(buf, len, "%s is %s: no host on the Internet can reach it, and no attempt or "
				   "route probe famtrace saw left from an address of that kind", addr, what);
	return buf;
}

/* Notes that say the same thing of different addresses: one kind. */
static bool same_kind(const struct addr_note *a, const struct addr_note *b)
{
	char x[128], y[128];

	if (a->source != b->source || a->temporary != b->temporary || a->transition != b->transition ||
	    (a->temporary && strcmp(a->ifname, b->ifname)))
		return false;
	addr_class_describe(x, sizeof(x), a->fam, a->addr);
	addr_class_describe(y, sizeof(y), b->fam, b->addr);
	return !strcmp(x, y);
}

void addr_note_set_add(struct addr_note_set *s, const struct addr_note *a)
{
	unsigned k;

	for (k = 0; k < s->n && !same_kind(&s->kind[k].ex[0], a); k++)
		;
	if (k == s->n) {
		if (s->n == ADDR_NOTE_KINDS) {
			s->more++;
			return;
		}
		memset(&s->kind[k], 0, sizeof(s->kind[k]));
		s->n++;
	}
	for (unsigned i = 0; i < s->kind[k].shown; i++)
		if (s->kind[k].ex[i].fam == a->fam && !memcmp(s->kind[k].ex[i].addr, a->addr, 16))
			return; /* said already */
	if (s->kind[k].shown < ADDR_NOTE_EXAMPLES)
		s->kind[k].ex[s->kind[k].shown++] = *a;
	else
		s->kind[k].extra++; /* beyond the examples, duplicates are not told apart */
}

char *addr_note_set_text(char *buf, size_t len, const struct addr_note_set *s, unsigned k)
{
	const struct addr_note *a = &s->kind[k].ex[0];
	char list[200], what[128], more[32] = "";
	size_t n = 0;
	unsigned shown = s->kind[k].shown;

	if (shown == 1 && !s->kind[k].extra)
		return addr_note_text(buf, len, a);
	for (unsigned i = 0; i < shown && n < sizeof(list); i++) {
		char addr[64];

		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
				      !i ? "" : i + 1 == shown && !s->kind[k].extra ? " and " : ", ",
				      fmt_addr(addr, sizeof(addr), s->kind[k].ex[i].fam, s->kind[k].ex[i].addr));
	}
	if (s->kind[k].extra)
		snprintf(more, sizeof(more), " and %u more", s->kind[k].extra);
	addr_class_describe(what, sizeof(what), a->fam, a->addr);
	if (a->temporary)
		snprintf(buf, len, "IPv6 attempts left from temporary (privacy) addresses %s%s on %s: "
				   "receivers' reverse-DNS and SPF checks see addresses nobody published; "
				   "set smtp_bind_address6 (Postfix) or disable use_tempaddr on %s",
			 list, more, fmt_safe(a->ifname), fmt_safe(a->ifname));
	else if (a->source)
		snprintf(buf, len, "mail left from %s%s (%s): transition addresses; receivers' reverse-DNS "
				   "and SPF checks see addresses nobody published for this relay",
			 list, more, what);
	else if (a->transition)
		snprintf(buf, len, "%s%s are %s: transition addresses; a mail host's A or AAAA record "
				   "should give a native address", list, more, what);
	else
		snprintf(buf, len, "%s%s are %s: no host on the Internet can reach them, and no attempt "
				   "or route probe famtrace saw left from an address of that kind",
			 list, more, what);
	return buf;
}
