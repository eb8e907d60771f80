// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * source.bpf.c - what an IPv6 source address is, at the moment an attempt
 * or a route probe leaves from it: the address as its interface holds it
 * (temporary privacy address, deprecated, configured or from a router
 * advertisement, lifetimes), found among the addresses of the device the
 * socket's route goes out of. Included by famtrace.bpf.c; called from its
 * SYN_SENT hook and from the return of a UDP connect().
 *
 * One FT_EV_SRCADDR record per (network namespace, address) and change of
 * its flags, not per attempt: ft_srcseen remembers what was written, and an
 * address in use has its flags read again at most once a second (a change
 * shows within that second; the attempts between keep the kind before it).
 */

#define FT_SRC_SCAN 16 /* addresses looked at on the outgoing device */

struct ft_src_key {
	__u32 netns;
	__u32 _pad;
	__u8 addr[16];
};

/* What was last written for an address, and when its flags were last read:
 * an address in use is looked at again at most once a second. */
struct ft_src_seen {
	__u32 seen; /* ifa_flags | found << 31, as last written */
	__u32 _pad;
	__u64 checked_ns;
};

#define FT_SRC_RECHECK_NS 1000000000ULL

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct ft_src_key);
	__type(value, struct ft_src_seen);
} ft_srcseen SEC(".maps");

static __always_inline bool in6_equal(const __u8 *a, const __u8 *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

	return x[0] == y[0] && x[1] == y[1];
}

static __always_inline void note_source(const struct sock *sk, const struct ft_task *task)
{
	struct ft_src_key key = {};
	struct inet6_ifaddr *ifa = NULL;
	struct net_device *dev = NULL;
	struct ft_srcaddr *r;
	struct dst_entry *dst;
	struct inet6_dev *idev;
	struct list_head *head, *pos;
	struct ft_src_seen *old, now = {};

	bpf_core_read(key.addr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
	/* An IPv4-mapped source is IPv4: no such flags. */
	if (((__u64 *)key.addr)[0] == 0 && ((__u32 *)key.addr)[2] == bpf_htonl(0xffff))
		return;
	key.netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	now.checked_ns = bpf_ktime_get_boot_ns();
	old = bpf_map_lookup_elem(&ft_srcseen, &key);
	if (old && now.checked_ns - old->checked_ns < FT_SRC_RECHECK_NS)
		return; /* looked at within the last second */
	dst = BPF_CORE_READ(sk, sk_dst_cache);
	if (dst)
		dev = BPF_CORE_READ(dst, dev);
	idev = dev ? BPF_CORE_READ(dev, ip6_ptr) : NULL;
	if (idev) {
		head = &idev->addr_list;
		pos = BPF_CORE_READ(idev, addr_list.next);
		for (int i = 0; i < FT_SRC_SCAN && pos && pos != head; i++) {
			struct inet6_ifaddr *cand = (void *)pos - bpf_core_field_offset(struct inet6_ifaddr, if_list);
			__u8 a[16];

			if (bpf_core_read(a, 16, &cand->addr))
				break;
			if (in6_equal(a, key.addr)) {
				ifa = cand;
				break;
			}
			pos = BPF_CORE_READ(pos, next);
		}
	}
	now.seen = ifa ? (BPF_CORE_READ(ifa, flags) | 1u << 31) : 0;
	if (old && old->seen == now.seen) {
		old->checked_ns = now.checked_ns;
		return;
	}
	bpf_map_update_elem(&ft_srcseen, &key, &now, BPF_ANY);
	r = bpf_ringbuf_reserve(&ft_events, sizeof(*r), 0);
	if (!r) {
		count(FT_CNT_LOST);
		/* Not written: write it the next time. */
		bpf_map_delete_elem(&ft_srcseen, &key);
		return;
	}
	r->hdr.kind = FT_EV_SRCADDR;
	r->hdr.size = sizeof(*r);
	r->hdr.cpu = bpf_get_smp_processor_id();
	r->hdr.ts_ns = bpf_ktime_get_boot_ns();
	r->task = *task;
	__builtin_memcpy(r->addr, key.addr, 16);
	r->netns = key.netns;
	r->ifindex = dev ? BPF_CORE_READ(dev, ifindex) : 0;
	__builtin_memset(r->ifname, 0, sizeof(r->ifname));
	if (dev)
		BPF_CORE_READ_STR_INTO(&r->ifname, dev, name);
	r->found = ifa != NULL;
	r->ifa_flags = ifa ? BPF_CORE_READ(ifa, flags) : 0;
	r->prefix_len = ifa ? BPF_CORE_READ(ifa, prefix_len) : 0;
	r->preferred_lft = ifa ? BPF_CORE_READ(ifa, prefered_lft) : 0;
	r->valid_lft = ifa ? BPF_CORE_READ(ifa, valid_lft) : 0;
	r->proto = 0;
	if (ifa && bpf_core_field_exists(ifa->ifa_proto))
		r->proto = BPF_CORE_READ(ifa, ifa_proto);
	__builtin_memset(r->_pad, 0, sizeof(r->_pad));
	bpf_ringbuf_submit(r, wakeup_flags());
}
