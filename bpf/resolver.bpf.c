// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * resolver.bpf.c - uprobes on the C library's resolver: getaddrinfo,
 * gethostbyname{,2}{,_r}, res_{,n}{query,search,send,querydomain}. Included by
 * famtrace.bpf.c (one object, one skeleton); shares its maps and filter.
 *
 * The entry probe remembers the call's arguments by thread; the return
 * probe writes one FT_EV_LOOKUP record with the name, the result list in
 * order, or the raw DNS message for user space to parse with libresolv.
 * Calls nested inside a traced call (gethostbyname2 -> gethostbyname2_r)
 * are counted in depth and not reported twice.
 *
 * Must never: parse DNS here (user space does, with the C library's own
 * parser), or follow a result list further than FT_LOOKUP_ADDRS entries.
 */

struct rcall {
	__u64 start_ns;
	__u64 arg[6];
	__u8 api;   /* 0: no call in progress */
	__u8 depth; /* traced resolver calls nested inside this one */
	__u8 why;
	__u8 _pad[5];
};

/* The resolver call a thread is inside, in the thread's own storage: no
 * hash to update and delete on every call (the LRU hash cost ~0.4 us of
 * the ~2.1 us per getaddrinfo), and freed with the thread. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct rcall);
} ft_rcalls SEC(".maps");

/*
 * A lookup record is built in the thread's own storage (full), then packed
 * (FT_LF_PACKED: no unused name, address or DNS room) and copied to the
 * ring buffer. What a record costs is mostly its writes to the ring buffer,
 * whose lines the reader on another CPU last held: about 1.7 ns a byte on
 * this machine kind, beside a fixed ~0.4 us. A res_nsearch return probe
 * took 2.2-2.4 us with the whole 1,144-byte record written in place and
 * 1.55 us packed (243 bytes for an MX answer; bpf_stats, 3,000 calls).
 * Per thread, so a preempted probe cannot have its record overwritten by
 * another's on the same CPU.
 */
struct lookup_buf {
	struct ft_lookup full;
	__u8 packed[sizeof(struct ft_lookup)];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct lookup_buf);
} ft_lookup_buf SEC(".maps");

_Static_assert(__builtin_offsetof(struct ft_lookup, name) == FT_LOOKUP_FIXED, "packed layout");

/* Zero what a record may leave unwritten: everything before dns (only its
 * first dns_len bytes are sent; the last word reaches into it). Plain
 * stores: clang has no memset for BPF at this size, and
 * bpf_probe_read_kernel from a template goes a word at a time through the
 * fault handler. */
static __always_inline void lookup_zero(struct ft_lookup *e)
{
	__u64 *w = (__u64 *)e;

#pragma clang loop unroll(full)
	for (int i = 0; i < (int)((__builtin_offsetof(struct ft_lookup, dns) + 7) / 8); i++) {
		w[i] = 0;
		asm volatile("" ::: "memory"); /* kept as stores, not a memset call */
	}
}

/* 1..max for 1 <= n <= max (max a power of two), in a form every
 * supported verifier bounds; 0 stays 0. */
static __always_inline __u32 bounded(__u32 n, const __u32 max)
{
	if (!n)
		return 0;
	if (n > max)
		n = max;
	asm volatile("" : "+r"(n));
	return ((n - 1) & (max - 1)) + 1;
}

/* Pack e into out (FT_LF_PACKED); returns the packed size, 0 on failure. */
static __always_inline __u32 lookup_pack(struct ft_lookup *e, __u8 *out)
{
	__u32 nl = bounded(e->name_len, FT_NAME_LEN);
	__u32 na = bounded(e->n_addrs, FT_LOOKUP_ADDRS);
	__u32 dl = bounded(e->dns_len, FT_DNS_MAX);
	__u32 off = FT_LOOKUP_FIXED;

	e->flags |= FT_LF_PACKED;
	e->name_len = nl;
	e->n_addrs = na;
	e->dns_len = dl;
	e->hdr.size = FT_LOOKUP_FIXED + nl + na * sizeof(struct ft_addr) + dl;
	__builtin_memcpy(out, e, FT_LOOKUP_FIXED);
	/* Kernel-to-kernel copies within bounds, which do not fail; should
	 * one, the record is not sent (and counted lost by the caller). */
	if (nl && bpf_probe_read_kernel(out + off, nl, e->name))
		return 0;
	off += nl;
	if (na && bpf_probe_read_kernel(out + off, na * sizeof(struct ft_addr), e->addrs))
		return 0;
	off += na * sizeof(struct ft_addr);
	if (dl && bpf_probe_read_kernel(out + off, dl, e->dns))
		return 0;
	return off + dl;
}

/* Service names of the services database and their TCP ports (filled by
 * user space): a getaddrinfo that names a service says which port its
 * addresses are for. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FT_MAX_SERVICES);
	__type(key, char[FT_SERVICE_LEN]);
	__type(value, __u16);
} ft_services SEC(".maps");

/* User-space struct addrinfo and struct hostent (LP64 layouts). */
struct u_addrinfo {
	int ai_flags;
	int ai_family;
	int ai_socktype;
	int ai_protocol;
	__u32 ai_addrlen;
	void *ai_addr;
	char *ai_canonname;
	struct u_addrinfo *ai_next;
};

struct u_hostent {
	char *h_name;
	char **h_aliases;
	int h_addrtype;
	int h_length;
	char **h_addr_list;
};

/*
 * getaddrinfo's service names a port that is not a mail port, so its
 * addresses come back with that port. Digits are the port; a name is looked
 * up in ft_services. No service, port 0, a name famtrace does not know or
 * one too long to compare: not known to be another port (false).
 */
static __always_inline bool service_not_mail(const void *uservice)
{
	char s[FT_SERVICE_LEN] = {};
	__u32 port = 0;
	__u16 *known;
	long n;
	int i;

	if (!uservice)
		return false;
	n = bpf_probe_read_user_str(s, sizeof(s), uservice);
	if (n <= 1 || n >= (long)sizeof(s))
		return false;
	for (i = 0; i < 6; i++) {
		char ch = s[i];

		if (!ch)
			break;
		if (ch < '0' || ch > '9') {
			known = bpf_map_lookup_elem(&ft_services, s);
			return known && *known && !port_is_mail(*known);
		}
		port = port * 10 + (ch - '0');
	}
	if (i == 6 || port == 0 || port > 65535)
		return false;
	return !port_is_mail(port);
}

/*
 * Should this call be recorded? In mail mode every process's calls are,
 * with why 0 for processes not (yet) known to be mail processes: user space
 * keeps a short history of those and attributes it if the process later
 * connects to a mail port. Except a getaddrinfo of such a process for a
 * service that is not a mail port (a web client's "443"): its addresses
 * carry that port, and it is decided before the name is looked at, so that
 * the calls most processes make cost the least.
 */
static __always_inline bool lookup_why(__u32 tgid, __u8 *why, __u8 api, const void *service)
{
	char comm[FT_COMM_LEN];
	__u8 *known = bpf_map_lookup_elem(&ft_tracked, &tgid);

	if (known) {
		*why = *known;
		return true;
	}
	if (ft_cfg_mode == FT_MODE_ALL) {
		*why = FT_WHY_ALL;
		return true;
	}
	if (ft_cfg_mode != FT_MODE_MAIL)
		return false;
	if (api == FT_API_GETADDRINFO && service_not_mail(service))
		return false;
	bpf_get_current_comm(comm, sizeof(comm));
	*why = 0;
	if (bpf_map_lookup_elem(&ft_comms, comm)) {
		*why = FT_WHY_COMM;
		if (bpf_map_update_elem(&ft_tracked, &tgid, why, BPF_ANY))
			count(FT_CNT_TRACK_FULL);
	}
	return true;
}

static __always_inline int call_enter(struct pt_regs *ctx, __u8 api)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct incall *slot = incall_slot(task->pid);
	struct rcall *c = NULL;
	__u8 why;

	if (!slot)
		return 0;
	/* A call inside one being recorded is counted, not recorded; only a
	 * slot with calls open can hold one. */
	if (slot->open) {
		c = bpf_task_storage_get(&ft_rcalls, task, NULL, 0);
		if (c && c->api) {
			c->depth++;
			return 0;
		}
	}
	if (!lookup_why(task->tgid, &why, api, (const void *)PT_REGS_PARM2(ctx)))
		return 0;
	if (!c)
		c = bpf_task_storage_get(&ft_rcalls, task, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!c)
		return 0;
	c->start_ns = bpf_ktime_get_boot_ns();
	c->why = why;
	c->depth = 0;
	c->arg[0] = PT_REGS_PARM1(ctx);
	c->arg[1] = PT_REGS_PARM2(ctx);
	c->arg[2] = PT_REGS_PARM3(ctx);
	c->arg[3] = PT_REGS_PARM4(ctx);
	c->arg[4] = PT_REGS_PARM5(ctx);
	c->arg[5] = PT_REGS_PARM6(ctx);
	c->api = api;
	slot->tid = task->pid;
	__sync_fetch_and_add(&slot->open, 1);
	return 0;
}

static __always_inline void read_name(struct ft_lookup *e, const void *uname)
{
	long n = bpf_probe_read_user_str(e->name, sizeof(e->name), uname);

	if (n <= 0) {
		e->name[0] = 0;
		return;
	}
	e->name_len = n;
	if (n == sizeof(e->name))
		e->flags |= FT_LF_NAME_CUT;
}

/* res_querydomain's name: NAME "." DOMAIN (DOMAIN may be NULL), as glibc
 * joins them before it asks. */
static __always_inline void read_name_domain(struct ft_lookup *e, const void *uname,
					     const void *udomain)
{
	long n = bpf_probe_read_user_str(e->name, sizeof(e->name), uname), m;

	if (n <= 0) {
		e->name[0] = 0;
		return;
	}
	e->name_len = n;
	if (!udomain)
		return;
	/* n counts the NUL: the dot goes in its place. */
	if (n >= (long)sizeof(e->name) - 1) {
		e->flags |= FT_LF_NAME_CUT;
		return;
	}
	n &= sizeof(e->name) - 1;
	e->name[n - 1] = '.';
	m = bpf_probe_read_user_str(e->name + n, sizeof(e->name) - n, udomain);
	if (m < 0)
		e->name[n - 1] = 0;
	else
		e->name_len = n + m;
}

/* One read of the sockaddr, as long as ai_addrlen says (at most IPv6's). */
static __always_inline void read_sockaddr(struct ft_addr *a, const void *usa, __u32 len)
{
	struct sockaddr_in6 sa = {};
	__u32 n = len < sizeof(sa) ? len : sizeof(sa);

	if (n < sizeof(struct sockaddr_in) || bpf_probe_read_user(&sa, n, usa))
		return;
	a->family = sa.sin6_family;
	a->port = bpf_ntohs(sa.sin6_port);
	if (sa.sin6_family == AF_INET)
		__builtin_memcpy(a->addr, &((struct sockaddr_in *)&sa)->sin_addr, 4);
	else if (sa.sin6_family == AF_INET6 && n == sizeof(sa))
		__builtin_memcpy(a->addr, &sa.sin6_addr, 16);
}

static __always_inline void read_gai(struct ft_lookup *e, const struct rcall *c)
{
	struct u_addrinfo ai = {}, *next = NULL, **res = (void *)c->arg[3];
	int i;

	read_name(e, (const void *)c->arg[0]);
	e->hint_family = -1;
	if (c->arg[2] && !bpf_probe_read_user(&ai, sizeof(ai), (void *)c->arg[2])) {
		e->hint_family = ai.ai_family;
		e->hint_flags = ai.ai_flags;
		e->hint_socktype = ai.ai_socktype;
	}
	if (e->ret != 0 || bpf_probe_read_user(&next, sizeof(next), res))
		return;
	for (i = 0; i < FT_LOOKUP_ADDRS && next; i++) {
		if (bpf_probe_read_user(&ai, sizeof(ai), next))
			break;
		if (ai.ai_addr)
			read_sockaddr(&e->addrs[i], ai.ai_addr, ai.ai_addrlen);
		e->addrs[i].socktype = ai.ai_socktype;
		e->n_addrs = i + 1;
		next = ai.ai_next;
	}
	if (next)
		e->flags |= FT_LF_MORE_ADDRS;
}

static __always_inline void read_hostent(struct ft_lookup *e, struct u_hostent *uh)
{
	struct u_hostent h = {};
	char *p;
	int i;

	if (!uh || bpf_probe_read_user(&h, sizeof(h), uh))
		return;
	for (i = 0; i < FT_LOOKUP_ADDRS; i++) {
		if (bpf_probe_read_user(&p, sizeof(p), &h.h_addr_list[i]) || !p)
			break;
		e->addrs[i].family = h.h_addrtype;
		if (h.h_addrtype == AF_INET6)
			bpf_probe_read_user(e->addrs[i].addr, 16, p);
		else
			bpf_probe_read_user(e->addrs[i].addr, 4, p);
		e->n_addrs = i + 1;
	}
	if (i == FT_LOOKUP_ADDRS && !bpf_probe_read_user(&p, sizeof(p), &h.h_addr_list[i]) && p)
		e->flags |= FT_LF_MORE_ADDRS;
}

static __always_inline void read_dns(struct ft_lookup *e, const void *umsg, long len)
{
	__u32 n;

	if (len <= 0)
		return;
	e->dns_total = len;
	n = len > FT_DNS_MAX ? FT_DNS_MAX : len;
	n &= (FT_DNS_MAX * 2 - 1); /* a bound the verifier can see */
	if (n > FT_DNS_MAX)
		n = FT_DNS_MAX;
	if (n && !bpf_probe_read_user(e->dns, n, umsg))
		e->dns_len = n;
}

/*
 * A failed res_* call's buffer: the reply (NXDOMAIN, NODATA) is at its start,
 * but its length is unknown and the copy may reach pages nobody touched (Exim
 * passes a 64 KiB buffer from a fresh pool), where a read fails whole. Then
 * keep what lies on the reply's first page: header and question are enough.
 */
static __always_inline void read_dns_head(struct ft_lookup *e, const void *umsg, long len)
{
	__u32 head;

	read_dns(e, umsg, len);
	if (e->dns_len || len <= 0)
		return;
	head = 4096 - ((__u64)umsg & 4095);
	if (head >= FT_DNS_MAX || head >= len)
		return;
	head &= FT_DNS_MAX - 1;
	if (head && !bpf_probe_read_user(e->dns, head, umsg))
		e->dns_len = head;
}

static __always_inline int call_exit(struct pt_regs *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct incall *slot = incall_slot(task->pid);
	struct lookup_buf *buf;
	struct ft_lookup *e;
	struct rcall *cp, c;
	__u32 size;
	long rc;
	int off;

	if (!slot || !slot->open)
		return 0;
	cp = bpf_task_storage_get(&ft_rcalls, task, NULL, 0);
	if (!cp || !cp->api)
		return 0;
	if (cp->depth) {
		cp->depth--;
		return 0;
	}
	c = *cp;
	cp->api = 0;
	if (slot->tid == task->pid)
		slot->tid = 0;
	__sync_fetch_and_add(&slot->open, -1);

	buf = bpf_task_storage_get(&ft_lookup_buf, task, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!buf) {
		count(FT_CNT_LOST);
		return 0;
	}
	e = &buf->full;
	lookup_zero(e); /* no bytes of the thread's last record */
	e->hdr.kind = FT_EV_LOOKUP; /* its size: lookup_pack() */
	e->hdr.cpu = bpf_get_smp_processor_id();
	e->end_ns = e->hdr.ts_ns = bpf_ktime_get_boot_ns();
	e->start_ns = c.start_ns;
	fill_task(&e->task, task, c.why);
	e->api = c.api;
	rc = PT_REGS_RC(ctx);
	e->hint_family = -1;

	switch (c.api) {
	case FT_API_GETADDRINFO:
		e->ret = (int)rc;
		read_gai(e, &c);
		break;
	case FT_API_GETHOSTBYNAME:
	case FT_API_GETHOSTBYNAME2:
		read_name(e, (const void *)c.arg[0]);
		e->hint_family = c.api == FT_API_GETHOSTBYNAME2 ? (int)c.arg[1] : AF_INET;
		e->ret = rc ? 0 : -1;
		read_hostent(e, (void *)rc);
		break;
	case FT_API_GETHOSTBYNAME_R:
	case FT_API_GETHOSTBYNAME2_R: {
		/* The result pointer is the 5th (_r) or 6th (2_r) argument. */
		struct u_hostent *h = NULL;
		void *resultp = (void *)(c.api == FT_API_GETHOSTBYNAME_R ? c.arg[4] : c.arg[5]);

		read_name(e, (const void *)c.arg[0]);
		e->hint_family = c.api == FT_API_GETHOSTBYNAME2_R ? (int)c.arg[1] : AF_INET;
		e->ret = (int)rc;
		if (!bpf_probe_read_user(&h, sizeof(h), resultp) && h)
			read_hostent(e, h);
		else if (!e->ret)
			e->ret = -1; /* returned 0 but found nothing */
		break;
	}
	case FT_API_RES_QUERY:
	case FT_API_RES_SEARCH:
	case FT_API_RES_NQUERY:
	case FT_API_RES_NSEARCH:
		/* res_n* take the resolver state first. */
		off = c.api >= FT_API_RES_NQUERY ? 1 : 0;
		read_name(e, (const void *)c.arg[off & 1]);
		e->qclass = (__u16)c.arg[(off + 1) & 3];
		e->qtype = (__u16)c.arg[(off + 2) & 3];
		e->ret = (int)rc;
		if ((int)rc > 0) {
			read_dns(e, (const void *)c.arg[(off + 3) & 7], (int)rc);
		} else {
			/* glibc returns -1 for NXDOMAIN and NODATA but leaves the
			 * reply in the buffer; user space reads its header. */
			read_dns_head(e, (const void *)c.arg[(off + 3) & 7], (int)c.arg[(off + 4) & 7]);
			e->dns_total = 0;
			e->flags |= FT_LF_DNS_UNSIZED;
		}
		break;
	case FT_API_RES_QUERYDOMAIN:
	case FT_API_RES_NQUERYDOMAIN:
		/* (statp,) name, domain, class, type, answer, anslen: the 7th
		 * argument of res_nquerydomain is on the stack, so its answer
		 * length is taken as the copy's when the call failed. */
		off = c.api == FT_API_RES_NQUERYDOMAIN ? 1 : 0;
		read_name_domain(e, (const void *)c.arg[off & 1], (const void *)c.arg[(off + 1) & 3]);
		e->qclass = (__u16)c.arg[(off + 2) & 3];
		e->qtype = (__u16)c.arg[(off + 3) & 7];
		e->ret = (int)rc;
		if ((int)rc > 0) {
			read_dns(e, (const void *)c.arg[(off + 4) & 7], (int)rc);
		} else {
			read_dns_head(e, (const void *)c.arg[(off + 4) & 7],
				      off ? FT_DNS_MAX : (int)c.arg[5]);
			e->dns_total = 0;
			e->flags |= FT_LF_DNS_UNSIZED;
		}
		break;
	case FT_API_RES_SEND:
	case FT_API_RES_NSEND:
		off = c.api == FT_API_RES_NSEND ? 1 : 0;
		e->ret = (int)rc;
		if ((int)rc > 0) {
			read_dns(e, (const void *)c.arg[(off + 2) & 3], (int)rc);
		} else {
			/* No answer: keep the query so the name and type are known. */
			e->flags |= FT_LF_DNS_QUERY;
			read_dns(e, (const void *)c.arg[off & 1], (int)c.arg[(off + 1) & 3]);
		}
		break;
	}
	size = lookup_pack(e, buf->packed);
	asm volatile("" : "+r"(size));
	if (size < FT_LOOKUP_FIXED || size > sizeof(*e)) {
		count(FT_CNT_LOST); /* not expected; never unsaid */
		return 0;
	}
	if (bpf_ringbuf_output(&ft_events, buf->packed, size, wakeup_flags()))
		count(FT_CNT_LOST);
	return 0;
}

#define RESOLVER_PROBES(name, api)                                  \
	SEC("uprobe")                                               \
	int ft_##name##_enter(struct pt_regs *ctx)                  \
	{                                                           \
		return call_enter(ctx, api);                        \
	}                                                           \
	SEC("uretprobe")                                            \
	int ft_##name##_exit(struct pt_regs *ctx)                   \
	{                                                           \
		return call_exit(ctx);                              \
	}

RESOLVER_PROBES(getaddrinfo, FT_API_GETADDRINFO)
RESOLVER_PROBES(gethostbyname, FT_API_GETHOSTBYNAME)
RESOLVER_PROBES(gethostbyname2, FT_API_GETHOSTBYNAME2)
RESOLVER_PROBES(gethostbyname_r, FT_API_GETHOSTBYNAME_R)
RESOLVER_PROBES(gethostbyname2_r, FT_API_GETHOSTBYNAME2_R)
RESOLVER_PROBES(res_query, FT_API_RES_QUERY)
RESOLVER_PROBES(res_search, FT_API_RES_SEARCH)
RESOLVER_PROBES(res_nquery, FT_API_RES_NQUERY)
RESOLVER_PROBES(res_nsearch, FT_API_RES_NSEARCH)
RESOLVER_PROBES(res_send, FT_API_RES_SEND)
RESOLVER_PROBES(res_nsend, FT_API_RES_NSEND)
RESOLVER_PROBES(res_querydomain, FT_API_RES_QUERYDOMAIN)
RESOLVER_PROBES(res_nquerydomain, FT_API_RES_NQUERYDOMAIN)
