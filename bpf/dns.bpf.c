// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * dns.bpf.c - DNS messages on the wire: cgroup skb programs on the root
 * cgroup see every UDP datagram and TCP segment a socket sends to, or
 * receives from, a DNS port, whatever resolver built it (glibc, musl, c-ares,
 * Go, libasr, a library of its own). Included by famtrace.bpf.c; shares its
 * maps, filter and ring buffer.
 *
 * Egress runs in the sending task's context for UDP (udp_sendmsg ->
 * ip_finish_output) and for a TCP connect's SYN, so the sender is taken from
 * the current task there. Ingress runs in softirq: an answer is attributed to
 * the socket's sender, never to the current task. Where every query is
 * reported (the mail and all modes), a UDP answer goes out with the socket's
 * cookie only and user space finds its query by it; otherwise, and for TCP,
 * the sender is remembered in the socket's storage (ft_dnssocks), and a TCP
 * segment after the SYN is attributed from there (a retransmission runs from
 * a timer).
 *
 * Every other packet pays a read of its linear header and two compares. The programs
 * never drop or change a packet: they always return 1.
 */

#define ETH_P_IP_BE 0x0008 /* bpf_htons(0x0800) on little-endian */
#define IP_MF_OFFSET 0x3fff /* more-fragments flag and fragment offset */

const volatile __u64 ft_cfg_dns_ports[FT_PORT_WORDS] = {};

/* The sender behind a DNS socket. */
struct dns_owner {
	struct ft_task task;
	__u32 flags;  /* FT_DF_IN_CALL of its last query */
	__u8 traced;  /* 0: filtered out (its answers are not reported) */
	__u8 _pad[3];
};

/* In the socket's own storage: no hash to look up or update per packet,
 * nothing to evict, freed with the socket. */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct dns_owner);
} ft_dnssocks SEC(".maps");

/* ft_incall[tid % 65536].tid == tid while that thread is inside a traced
 * resolver call (written by resolver.bpf.c): an array slot costs the
 * resolver probes one store each way, where task storage is not readable
 * from cgroup programs on older kernels. Two threads in calls whose tids
 * are 65536 apart share a slot; the later one wins, the other's messages
 * read as outside a call. .open counts the recorded calls in progress of
 * all the slot's threads: a return probe whose slot has none returns at
 * once, without a task-storage lookup (most calls of a busy machine are
 * not recorded). */
#define FT_INCALL_SLOTS 65536
struct incall {
	__u32 tid;
	__u32 open;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FT_INCALL_SLOTS);
	__type(key, __u32);
	__type(value, struct incall);
} ft_incall SEC(".maps");

struct dns_buf {
	struct ft_dns d;
	__u8 msg[FT_DNS_WIRE_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dns_buf);
} ft_dnsbuf SEC(".maps");

static __always_inline bool port_is_dns(__u16 port)
{
	return (ft_cfg_dns_ports[(port >> 6) & (FT_PORT_WORDS - 1)] >> (port & 63)) & 1;
}

/* The slot of thread tid (NULL only to the verifier: the index is masked). */
static __always_inline struct incall *incall_slot(__u32 tid)
{
	__u32 k = tid & (FT_INCALL_SLOTS - 1);

	return bpf_map_lookup_elem(&ft_incall, &k);
}

/* The current task (a BTF pointer: plain loads, which the verifier makes
 * fault-safe, instead of a probe-read helper call per field; cgroup
 * programs have bpf_get_current_task_btf but not the tracing helpers). */
static __always_inline __u8 dns_owner_fill(struct dns_owner *o)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 tgid = task->tgid, tid = task->pid;
	struct incall *slot;
	__u8 *known, why = 0;

	o->task.tgid = tgid;
	o->task.tid = tid;
	o->task.ppid = task->real_parent->tgid;
	o->task.uid = task->cred->uid.val;
	o->task.start_ns = task->group_leader->start_boottime;
	bpf_probe_read_kernel_str(o->task.comm, sizeof(o->task.comm), task->comm);
	slot = incall_slot(tid);
	o->flags = slot && slot->tid == tid && tid ? FT_DF_IN_CALL : 0;

	/* The lookup filter: traced processes; in mail mode also everyone
	 * else, as candidates (why 0) for the pre-trace window. */
	known = bpf_map_lookup_elem(&ft_tracked, &tgid);
	if (known) {
		why = *known;
	} else if (ft_cfg_mode == FT_MODE_ALL) {
		why = FT_WHY_ALL;
	} else if (ft_cfg_mode == FT_MODE_MAIL) {
		if (bpf_map_lookup_elem(&ft_comms, o->task.comm)) {
			why = FT_WHY_COMM;
			if (bpf_map_update_elem(&ft_tracked, &tgid, &why, BPF_ANY))
				count(FT_CNT_TRACK_FULL);
		}
	} else {
		o->task.why = 0;
		return 0;
	}
	o->task.why = why;
	return 1;
}

static __always_inline int dns_skb(struct __sk_buff *skb, bool egress)
{
	struct dns_owner fresh = {}, *o;
	struct bpf_sock *sk;
	struct dns_buf *b;
	__u8 h[44];
	__u32 l4, payload, n, zero = 0;
	__u16 sport, dport, port, family;
	__u8 proto;
	__u64 cookie;
	bool by_socket, tcp_syn = false;

	/* The fast test, by direct packet access to the linear header (every
	 * packet pays this): not UDP or TCP, or not a DNS port, leaves here.
	 * Headers that are not linear, or IPv4 with options, take the helper
	 * path below. */
	{
		__u8 *d = (__u8 *)(long)skb->data, *e = (__u8 *)(long)skb->data_end, pr;
		__u16 pt;

		if (d + 24 <= e && d[0] == 0x45) {
			pr = d[9];
			pt = egress ? (d[22] << 8 | d[23]) : (d[20] << 8 | d[21]);
			if ((pr != IPPROTO_UDP && pr != IPPROTO_TCP) || !port_is_dns(pt))
				return 1;
		} else if (d + 44 <= e && (d[0] >> 4) == 6) {
			pr = d[6];
			pt = egress ? (d[42] << 8 | d[43]) : (d[40] << 8 | d[41]);
			if ((pr != IPPROTO_UDP && pr != IPPROTO_TCP) || !port_is_dns(pt))
				return 1;
		}
	}
	if (bpf_skb_load_bytes(skb, 0, h, 28))
		return 1;
	if ((h[0] >> 4) == 4) {
		if (((h[6] << 8 | h[7]) & IP_MF_OFFSET))
			return 1; /* a fragment: the first one's header says nothing of DNS */
		proto = h[9];
		l4 = (h[0] & 0xf) * 4;
		family = AF_INET;
		if (l4 != 20 && bpf_skb_load_bytes(skb, l4, h + 20, 4))
			return 1;
		sport = h[20] << 8 | h[21];
		dport = h[22] << 8 | h[23];
	} else if ((h[0] >> 4) == 6) {
		if (bpf_skb_load_bytes(skb, 28, h + 28, 16))
			return 1;
		proto = h[6];
		l4 = 40;
		family = AF_INET6;
		sport = h[40] << 8 | h[41];
		dport = h[42] << 8 | h[43];
	} else {
		return 1;
	}
	if (proto != IPPROTO_UDP && proto != IPPROTO_TCP)
		return 1;
	port = egress ? dport : sport;
	if (!port_is_dns(port))
		return 1;

	/* A DNS packet. */
	if (proto == IPPROTO_UDP) {
		payload = l4 + 8;
	} else {
		__u8 tcph[2]; /* data offset, flags */

		if (bpf_skb_load_bytes(skb, l4 + 12, tcph, 2))
			return 1;
		payload = l4 + (tcph[0] >> 4) * 4;
		tcp_syn = (tcph[1] & 0x12) == 0x02; /* SYN without ACK: a connect */
	}
	sk = skb->sk;
	if (!sk)
		return 1;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return 1;
	cookie = bpf_get_socket_cookie(skb);
	/* UDP where every query is reported (the mail and all modes): a query
	 * names its sender from the current task, and user space finds an
	 * answer's query by the socket's cookie. No storage is made or read:
	 * glibc opens a socket per call, and making its storage was most of
	 * what a query cost (bench/run dns_fresh). */
	by_socket = proto == IPPROTO_UDP && ft_cfg_mode != FT_MODE_PIDS;
	if (by_socket) {
		o = NULL;
		if (egress) {
			dns_owner_fill(&fresh);
			fresh.traced = 1;
			o = &fresh;
		}
		goto owned;
	}
	/* A UDP query always names its sender (from the current task), so its
	 * socket's storage is taken or made in one call; a TCP segment makes
	 * it only if none is there (the SYN), else reads it. */
	o = bpf_sk_storage_get(&ft_dnssocks, sk, NULL,
			       egress && proto == IPPROTO_UDP ? BPF_SK_STORAGE_GET_F_CREATE : 0);
	/* TCP is a DNS client's only from its own SYN to port 53: a
	 * connection from a peer's port 53 (to our port 25, say) is no DNS,
	 * and its segments, either way, cost nothing here. */
	if (proto == IPPROTO_TCP && !o && !(egress && tcp_syn))
		return 1;
	if (egress && (proto == IPPROTO_UDP || !o)) {
		/* UDP, and TCP's SYN: in the sender's context. */
		dns_owner_fill(&fresh);
		fresh.traced = fresh.task.why || ft_cfg_mode == FT_MODE_MAIL;
		if (!o)
			o = bpf_sk_storage_get(&ft_dnssocks, sk, NULL, BPF_SK_STORAGE_GET_F_CREATE);
		if (o && (o->task.tid != fresh.task.tid || o->flags != fresh.flags ||
			  o->task.why != fresh.task.why || o->task.tgid != fresh.task.tgid))
			*o = fresh;
		o = &fresh;
	}
owned:
	if (skb->len <= payload)
		return 1; /* no payload: a SYN, an ACK, a FIN */

	b = bpf_map_lookup_elem(&ft_dnsbuf, &zero);
	if (!b)
		return 1;
	if (!o && by_socket) {
		/* An answer: its sender is its query's, found by the cookie. */
		__builtin_memset(&b->d.task, 0, sizeof(b->d.task));
		b->d.flags = FT_DF_RECEIVED | FT_DF_BY_SOCKET;
		b->d.msg_total = skb->len - payload;
	} else if (!o) {
		/* An answer on a socket whose queries were not seen. */
		__builtin_memset(&b->d, 0, sizeof(b->d));
		b->d.flags = FT_DF_UNOWNED | FT_DF_RECEIVED | (proto == IPPROTO_TCP ? FT_DF_TCP : 0);
		b->d.msg_total = skb->len - payload;
	} else {
		if (!o->traced)
			return 1;
		b->d.task = o->task;
		b->d.flags = o->flags | (egress ? 0 : FT_DF_RECEIVED) |
			     (proto == IPPROTO_TCP ? FT_DF_TCP : 0);
		b->d.msg_total = skb->len - payload;
	}
	b->d.cookie = cookie;
	b->d.family = family;
	b->d.ns_port = port;
	b->d.local_port = egress ? sport : dport;
	__builtin_memset(b->d.ns_addr, 0, 16);
	if (family == AF_INET)
		bpf_skb_load_bytes(skb, egress ? 16 : 12, b->d.ns_addr, 4);
	else
		bpf_skb_load_bytes(skb, egress ? 24 : 8, b->d.ns_addr, 16);
	n = 0;
	if ((o || by_socket) && b->d.msg_total) {
		n = b->d.msg_total;
		if (n > FT_DNS_WIRE_MAX)
			n = FT_DNS_WIRE_MAX;
		/* 1..FT_DNS_WIRE_MAX in a form older verifiers (6.1) can bound:
		 * they do not narrow a length from the branch above. */
		asm volatile("" : "+r"(n));
		n = ((n - 1) & (FT_DNS_WIRE_MAX - 1)) + 1;
		if (bpf_skb_load_bytes(skb, payload, b->msg, n))
			n = 0;
	}
	b->d.msg_len = n;
	b->d.hdr.kind = FT_EV_DNS;
	b->d.hdr.size = sizeof(b->d) + n;
	b->d.hdr.cpu = bpf_get_smp_processor_id();
	b->d.hdr.ts_ns = bpf_ktime_get_boot_ns();
	if (n > FT_DNS_WIRE_MAX)
		return 1;
	if (bpf_ringbuf_output(&ft_events, b, sizeof(b->d) + n, wakeup_flags()))
		count(FT_CNT_LOST);
	return 1;
}

SEC("cgroup_skb/egress")
int ft_dns_egress(struct __sk_buff *skb)
{
	return dns_skb(skb, true);
}

SEC("cgroup_skb/ingress")
int ft_dns_ingress(struct __sk_buff *skb)
{
	return dns_skb(skb, false);
}
