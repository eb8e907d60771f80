// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * decode.c - validation of raw event records (bpf/famtrace.h) from the ring
 * buffer or, later, a recording. It never trusts a length or enum it has not
 * checked, and never modifies the record.
 */
#include <string.h>
#include "records/decode.h"

_Static_assert(sizeof(struct ft_hdr) == 16, "ft_hdr layout");
_Static_assert(sizeof(struct ft_task) == 48, "ft_task layout");
_Static_assert(sizeof(struct ft_attempt) == 128, "ft_attempt layout");
_Static_assert(sizeof(struct ft_proc) == 96, "ft_proc layout");
_Static_assert(offsetof(struct ft_proc, cgroup_id) == FT_PROC_V3_SIZE, "short process record layout");
_Static_assert(sizeof(struct ft_proc) <= sizeof(struct ft_lookup), "scratch room");
_Static_assert(sizeof(struct ft_lookup) == 1144, "ft_lookup layout");
_Static_assert(offsetof(struct ft_lookup, name) == FT_LOOKUP_FIXED, "packed lookup layout");
_Static_assert(sizeof(struct ft_srcaddr) == 128, "ft_srcaddr layout");
_Static_assert(sizeof(struct ft_dns) == 112, "ft_dns layout");
_Static_assert(sizeof(struct ft_cgroup) == 344, "ft_cgroup layout");

static int comm_ok(const struct ft_task *t)
{
	return memchr(t->comm, 0, sizeof(t->comm)) != NULL;
}

int ft_lookup_unpack(const void *data, size_t len, struct ft_lookup *out)
{
	const unsigned char *p = data;
	size_t na, off = FT_LOOKUP_FIXED;

	if (len == sizeof(*out)) {
		memcpy(out, data, len);
		if (!(out->flags & FT_LF_PACKED))
			return 0;
	}
	if (len < FT_LOOKUP_FIXED || len > sizeof(*out))
		return -1;
	memset(out, 0, sizeof(*out));
	memcpy(out, data, FT_LOOKUP_FIXED);
	if (!(out->flags & FT_LF_PACKED) || out->name_len > FT_NAME_LEN ||
	    out->n_addrs > FT_LOOKUP_ADDRS || out->dns_len > FT_DNS_MAX)
		return -1;
	na = out->n_addrs * sizeof(struct ft_addr);
	if (len != FT_LOOKUP_FIXED + out->name_len + na + out->dns_len)
		return -1;
	/* name_len counts the NUL: a name that does not end in it was cut
	 * or forged (the zeroes after it here would hide that). */
	if (out->name_len && p[off + out->name_len - 1])
		return -1;
	memcpy(out->name, p + off, out->name_len);
	off += out->name_len;
	memcpy(out->addrs, p + off, na);
	off += na;
	memcpy(out->dns, p + off, out->dns_len);
	out->flags &= ~FT_LF_PACKED;
	out->hdr.size = sizeof(*out);
	return 0;
}

const void *ft_decode_full(const void *data, size_t *len, struct ft_lookup *scratch)
{
	struct ft_hdr h;
	__u32 flags;

	if (*len == FT_PROC_V3_SIZE) {
		/* A process record of record ABI 3 (recordings of format 4 and before):
		 * the same fields, no place; the place reads as unknown. */
		memcpy(&h, data, sizeof(h));
		if (h.kind != FT_EV_PROC || h.size != FT_PROC_V3_SIZE)
			return data;
		memset(scratch, 0, sizeof(struct ft_proc));
		memcpy(scratch, data, FT_PROC_V3_SIZE);
		((struct ft_hdr *)scratch)->size = sizeof(struct ft_proc);
		*len = sizeof(struct ft_proc);
		return scratch;
	}
	if (*len < FT_LOOKUP_FIXED)
		return data;
	memcpy(&h, data, sizeof(h));
	memcpy(&flags, (const char *)data + offsetof(struct ft_lookup, flags), sizeof(flags));
	if (h.kind != FT_EV_LOOKUP || !(flags & FT_LF_PACKED) || ft_lookup_unpack(data, *len, scratch))
		return data;
	*len = sizeof(*scratch);
	return scratch;
}

int ft_decode_check(const void *data, size_t len, const char **why)
{
	struct ft_hdr h;

	if (len < sizeof(h)) {
		*why = "record shorter than its header";
		return 0;
	}
	memcpy(&h, data, sizeof(h));
	if (h.size != len) {
		*why = "record size does not match its header";
		return 0;
	}
	switch (h.kind) {
	case FT_EV_ATTEMPT:
	case FT_EV_PROBE: {
		const struct ft_attempt *a = data;

		if (len != sizeof(*a)) {
			*why = "attempt record has the wrong size";
			return 0;
		}
		if (a->family != 2 && a->family != 10) {
			*why = "attempt with unknown address family";
			return 0;
		}
		if (a->outcome < FT_OUT_CONNECTED || a->outcome > FT_OUT_PENDING ||
		    (h.kind == FT_EV_PROBE) != (a->outcome == FT_OUT_PROBE)) {
			*why = "attempt with unknown outcome";
			return 0;
		}
		if (!comm_ok(&a->task)) {
			*why = "unterminated process name";
			return 0;
		}
		return h.kind;
	}
	case FT_EV_PROC: {
		const struct ft_proc *p = data;

		if (len != sizeof(*p)) {
			*why = "process record has the wrong size";
			return 0;
		}
		if (p->what < FT_PROC_FORK || p->what > FT_PROC_SEEN) {
			*why = "process record of unknown kind";
			return 0;
		}
		if (!comm_ok(&p->task)) {
			*why = "unterminated process name";
			return 0;
		}
		return h.kind;
	}
	case FT_EV_LOOKUP: {
		struct ft_lookup full;
		const struct ft_lookup *l = data;

		/* A full record is checked where it is; a packed one spread out
		 * first (callers that pass ft_decode_full's result have done
		 * that already). */
		if (len != sizeof(*l) || (l->flags & FT_LF_PACKED)) {
			if (ft_lookup_unpack(data, len, &full)) {
				*why = "lookup record has the wrong size";
				return 0;
			}
			l = &full;
		}
		if (l->api < 1 || l->api > FT_API_RES_NQUERYDOMAIN) {
			*why = "lookup from an unknown resolver function";
			return 0;
		}
		if (l->n_addrs > FT_LOOKUP_ADDRS || l->dns_len > FT_DNS_MAX ||
		    (l->dns_len > l->dns_total && !(l->flags & FT_LF_DNS_UNSIZED))) {
			*why = "lookup with impossible counts";
			return 0;
		}
		for (unsigned i = 0; i < l->n_addrs; i++)
			if (l->addrs[i].family != 2 && l->addrs[i].family != 10 && l->addrs[i].family != 0) {
				*why = "lookup result with unknown address family";
				return 0;
			}
		if (!memchr(l->name, 0, sizeof(l->name)) || !comm_ok(&l->task)) {
			*why = "unterminated name in lookup";
			return 0;
		}
		return h.kind;
	}
	case FT_EV_SRCADDR: {
		const struct ft_srcaddr *r = data;

		if (len != sizeof(*r)) {
			*why = "source address record has the wrong size";
			return 0;
		}
		if (!memchr(r->ifname, 0, sizeof(r->ifname)) || !comm_ok(&r->task)) {
			*why = "unterminated name in source address record";
			return 0;
		}
		return h.kind;
	}
	case FT_EV_DNS: {
		const struct ft_dns *d = data;

		if (len < sizeof(*d) || len != sizeof(*d) + d->msg_len) {
			*why = "DNS record has the wrong size";
			return 0;
		}
		if (d->msg_len > FT_DNS_WIRE_MAX || d->msg_len > d->msg_total ||
		    (d->family != 2 && d->family != 10) || !comm_ok(&d->task)) {
			*why = "DNS record with impossible fields";
			return 0;
		}
		return h.kind;
	}
	case FT_EV_CGROUP: {
		const struct ft_cgroup *g = data;

		if (len != sizeof(*g)) {
			*why = "cgroup record has the wrong size";
			return 0;
		}
		if (!memchr(g->path, 0, sizeof(g->path)) || !memchr(g->name, 0, sizeof(g->name))) {
			*why = "unterminated name in cgroup record";
			return 0;
		}
		return h.kind;
	}
	default:
		*why = "unknown record kind";
		return 0;
	}
}
