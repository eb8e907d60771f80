// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * srcaddrs.c - what each IPv6 source address was when famtrace's processes
 * left from it: the kernel reports an address (FT_EV_SRCADDR) when it is
 * first used and when its flags change; attempts and route probes take the
 * kind last reported for their source. A ring of the latest addresses;
 * and per process, the sources its attempts left from.
 */
#include <stdlib.h>
#include <string.h>

#include "core/correlate_int.h"

#define IFA_F_TEMPORARY_ 0x01
#define IFA_F_DEPRECATED_ 0x20
#define IFA_F_PERMANENT_ 0x80
#define IFAPROT_KERNEL_LO_ 1
#define IFAPROT_KERNEL_RA_ 2
#define IFAPROT_KERNEL_LL_ 3

void srcaddr_event(struct correlator *c, const struct ft_srcaddr *r)
{
	struct src_seen *s = NULL;

	if (!c->srcs && !(c->srcs = calloc(SRC_SEEN, sizeof(*c->srcs))))
		return;
	/* An address seen before is updated in place: the latest word wins. */
	for (unsigned i = 0; i < SRC_SEEN && i < c->src_next; i++)
		if (!memcmp(c->srcs[i].addr, r->addr, 16)) {
			s = &c->srcs[i];
			break;
		}
	if (!s)
		s = &c->srcs[c->src_next++ % SRC_SEEN];
	memset(s, 0, sizeof(*s));
	memcpy(s->addr, r->addr, 16);
	s->kind.known = true;
	s->kind.found = r->found;
	s->kind.flags = r->ifa_flags;
	s->kind.proto = r->proto;
	s->kind.preferred_lft = r->preferred_lft;
	s->kind.valid_lft = r->valid_lft;
	s->kind.prefix_len = r->prefix_len;
	memcpy(s->kind.ifname, r->ifname, sizeof(s->kind.ifname));
	s->kind.ifname[sizeof(s->kind.ifname) - 1] = 0;
}

bool srcaddr_kind(const struct correlator *c, const uint8_t addr[16], struct src_kind *out)
{
	for (unsigned i = 0; c->srcs && i < SRC_SEEN && i < c->src_next; i++)
		if (!memcmp(c->srcs[i].addr, addr, 16)) {
			*out = c->srcs[i].kind;
			return true;
		}
	memset(out, 0, sizeof(*out));
	return false;
}

const char *src_kind_origin(const struct src_kind *k)
{
	if (!k->known || !k->found)
		return NULL;
	if (k->flags & IFA_F_TEMPORARY_)
		return "temporary";
	if (k->proto == IFAPROT_KERNEL_RA_)
		return "slaac";
	if (k->proto == IFAPROT_KERNEL_LL_ || k->proto == IFAPROT_KERNEL_LO_)
		return "kernel";
	if (k->flags & IFA_F_PERMANENT_)
		return "configured";
	/* Lifetimes, not added by the kernel's router-advertisement code as
	 * far as this kernel says (before 6.3 it does not say): SLAAC on an
	 * older kernel, DHCPv6, or a configuration tool. */
	return "dynamic";
}

void srcaddr_count(struct proc *p, const struct attempt *a)
{
	for (unsigned i = 0; i < p->n_srcs; i++)
		if (p->srcs[i].fam == a->fam && !memcmp(p->srcs[i].addr, a->saddr, 16)) {
			p->srcs[i].attempts++;
			if (a->src.known)
				p->srcs[i].kind = a->src;
			return;
		}
	if (p->n_srcs == PROC_SRCS) {
		p->srcs_more++;
		return;
	}
	p->srcs[p->n_srcs].fam = a->fam;
	memcpy(p->srcs[p->n_srcs].addr, a->saddr, 16);
	p->srcs[p->n_srcs].attempts = 1;
	p->srcs[p->n_srcs].kind = a->src;
	p->n_srcs++;
}

void srcaddr_fold(struct proc *d, const struct proc *s)
{
	for (unsigned i = 0; i < s->n_srcs; i++) {
		unsigned k;

		for (k = 0; k < d->n_srcs; k++)
			if (d->srcs[k].fam == s->srcs[i].fam && !memcmp(d->srcs[k].addr, s->srcs[i].addr, 16))
				break;
		if (k < d->n_srcs) {
			d->srcs[k].attempts += s->srcs[i].attempts;
			if (s->srcs[i].kind.known)
				d->srcs[k].kind = s->srcs[i].kind;
		} else if (d->n_srcs < PROC_SRCS) {
			d->srcs[d->n_srcs++] = s->srcs[i];
		} else {
			d->srcs_more += s->srcs[i].attempts;
		}
	}
	d->srcs_more += s->srcs_more;
	for (int f = 0; f < FAM_N; f++)
		d->src_classes[f] |= s->src_classes[f];
}
