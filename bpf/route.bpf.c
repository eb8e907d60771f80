// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * route.bpf.c - the route verdict of a connect(), from the FIB table lookups
 * the connecting thread makes, and from it the errno of a connect that fails
 * before its SYN: no route (ENETUNREACH; EADDRNOTAVAIL where IPv6 is off in
 * the namespace, as the source is chosen first), an unreachable, prohibit or
 * blackhole route (EHOSTUNREACH, EACCES, EINVAL). Included by
 * famtrace.bpf.c; the attempt is the thread's in ft_opening.
 *
 * Every output route lookup on the host passes these programs: each returns
 * after one field test (input lookups) or one hash lookup (a thread making
 * no traced attempt). A lookup counts only when its destination and protocol
 * are the attempt's. One route lookup may try several tables: a table with
 * no match ("try the next": -EAGAIN for IPv4, the null entry for IPv6) makes
 * the verdict "no route" only until a table matches.
 *
 * Must never: decide anything for an attempt whose SYN has left, or count a
 * lookup made for another destination (a packet processed in softirq while
 * the thread was interrupted).
 */

#define LOOPBACK_IFINDEX 1 /* the iif of every output route lookup */
#define EAGAIN 11
#define ENETUNREACH 101
#define EHOSTUNREACH 113
#define EACCES 13
#define EINVAL 22
#define EADDRNOTAVAIL 99
#define RTN_BLACKHOLE 6
#define RTN_UNREACHABLE 7
#define RTN_PROHIBIT 8
#define RTN_THROW 9

/* One table's answer: 0 a route, -EAGAIN no match here, else its errno. */
static __always_inline void route_verdict(struct ft_pending *p, int err)
{
	if (p->decided)
		return;
	p->decided_ns = bpf_ktime_get_boot_ns();
	if (err == 0) {
		p->route_seen = 1;
		p->err = 0;
	} else if (err == -EAGAIN) {
		if (!p->route_seen)
			p->err = ENETUNREACH;
	} else {
		p->route_seen = 1;
		p->err = -err;
	}
}

SEC("tp_btf/fib_table_lookup")
int BPF_PROG(ft_fib4, u32 tb_id, const struct flowi4 *flp, const struct fib_nh_common *nhc, int err)
{
	struct ft_pending *p;
	__u32 daddr;
	__u64 key;

	if (flp->__fl_common.flowic_iif != LOOPBACK_IFINDEX)
		return 0;
	p = opening_of_thread(&key);
	if (!p || flp->__fl_common.flowic_proto != p->proto)
		return 0;
	/* AF_INET, or an AF_INET6 socket's ::ffff:a.b.c.d */
	if (p->family == AF_INET)
		__builtin_memcpy(&daddr, p->daddr, 4);
	else
		__builtin_memcpy(&daddr, p->daddr + 12, 4);
	if (flp->daddr != daddr)
		return 0;
	note_opener(p);
	route_verdict(p, err);
	/* The second lookup of a connect carries the source it chose. */
	if (!err && flp->saddr && p->proto == IPPROTO_UDP && p->family == AF_INET)
		__builtin_memcpy(p->saddr, &flp->saddr, 4);
	return 0;
}

SEC("tp_btf/fib6_table_lookup")
int BPF_PROG(ft_fib6, const struct net *net, const struct fib6_result *res, struct fib6_table *table,
	     const struct flowi6 *flp)
{
	struct ft_pending *p;
	__u8 type;
	__u64 key;
	int err;

	if (flp->__fl_common.flowic_iif != LOOPBACK_IFINDEX)
		return 0;
	p = opening_of_thread(&key);
	if (!p || p->family != AF_INET6 || flp->__fl_common.flowic_proto != p->proto)
		return 0;
	if (!in6_equal((const __u8 *)&flp->daddr, p->daddr))
		return 0;
	note_opener(p);
	/* The null entry: nothing matched in this table (connect() gets
	 * ENETUNREACH when no table matches). Else the route's type. */
	if (res->f6i == net->ipv6.fib6_null_entry) {
		err = -EAGAIN;
	} else {
		type = res->fib6_type;
		err = type == RTN_UNREACHABLE ? -EHOSTUNREACH
		      : type == RTN_PROHIBIT  ? -EACCES
		      : type == RTN_BLACKHOLE ? -EINVAL
		      : type == RTN_THROW     ? -EAGAIN
					      : 0;
	}
	route_verdict(p, err);
	/* No route in a namespace with IPv6 off (net.ipv6.conf.all.disable_ipv6,
	 * what Docker sets in a container without IPv6): connect() chooses
	 * the source before it returns the route's error, finds no IPv6
	 * address at all, and fails with EADDRNOTAVAIL, not ENETUNREACH. */
	if (!p->decided && !p->route_seen && p->err == ENETUNREACH && net->ipv6.devconf_all &&
	    net->ipv6.devconf_all->disable_ipv6)
		p->err = EADDRNOTAVAIL;
	return 0;
}
