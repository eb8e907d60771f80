// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * famtrace.bpf.c - kernel side of famtrace: connect attempts and their
 * outcomes, and the traced process tree.
 *
 * Hooks that cost per connect, per route lookup or per socket, never per
 * system call of the rest of the host (no syscalls:* tracepoint: attaching
 * one puts every system call of every task on the slow path):
 *   cgroup/connect4, connect6    an attempt: who connects where (every
 *                                connect(), TCP Fast Open's sendto/sendmsg,
 *                                io_uring's connect), before the route lookup
 *   tp_btf/fib_table_lookup,     the route verdict in the connecting task,
 *   tp_btf/fib6_table_lookup     hence the errno of a connect that fails at
 *                                once (route.bpf.c)
 *   tp_btf/inet_sock_set_state   CLOSE -> SYN_SENT: the SYN leaves (task
 *                                context); SYN_SENT -> ESTABLISHED / CLOSE:
 *                                the outcome (softirq!)
 *   cgroup/sock_release          the end of an attempt that never sent a SYN
 *   cgroup/getsockname4, 6       a UDP connect's source, as the caller reads it
 *   tp_btf/inet_sk_error_report  the errno of an asynchronous failure (optional)
 *   tp_btf/sched_process_{fork,exec,exit}   the traced process tree
 *   fexit on the connect and sendto system calls (optional, where the kernel
 *                                allows trampolines): the exact return value
 * and, from the SYN_SENT hook and a UDP connect's source, what an IPv6 source
 * address is (source.bpf.c).
 *
 * An attempt lives in ft_pending, keyed by its socket's cookie, until its
 * outcome is known; ft_opening says which attempt a thread is making before
 * its SYN, so that the route lookup finds it. One record per attempt is
 * written, when its outcome is known. Outcomes that arrive in softirq context
 * are attributed from the ft_pending entry, never from the current task.
 *
 * Must never: reserve ring-buffer space for a record it will not submit, emit
 * anything for a process the filter rejects, drop a record without counting,
 * or write an errno that no hook saw (FT_F_ERRNO_UNSEEN instead).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "famtrace.h"
#include "arch.bpf.h"

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define TCP_ESTABLISHED 1
#define TCP_SYN_SENT 2
#define TCP_CLOSE 7
#define EINPROGRESS 115
#define EADDRNOTAVAIL 99
#define O_NONBLOCK 00004000
#define SIGNAL_GROUP_EXIT 0x00000004
#define PF_IO_WORKER 0x00000010

/* Set by user space between open and load. */
const volatile __u32 ft_cfg_mode = FT_MODE_MAIL;
const volatile __u64 ft_cfg_ports[FT_PORT_WORDS] = {};
const volatile __u32 ft_cfg_wakeup_bytes = 64 * 1024;

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 1024 * 1024);
} ft_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FT_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} ft_counters SEC(".maps");

/* Process names that make a process a mail process (FT_MODE_MAIL). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FT_MAX_COMMS);
	__type(key, char[FT_COMM_LEN]);
	__type(value, __u8);
} ft_comms SEC(".maps");

/* Traced processes by tgid; value is enum ft_why. A plain hash: when it is
 * full an insert fails and is counted (an LRU would evict silently); entries
 * go when the whole thread group has exited. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FT_MAP_ENTRIES);
	__type(key, __u32);
	__type(value, __u8);
} ft_tracked SEC(".maps");

/* Attempts by socket cookie (unique for the boot, so a socket freed and
 * reused cannot inherit an older attempt). A plain hash, so that a full map
 * refuses an insert, which is counted, instead of evicting an attempt
 * silently. Every entry leaves: TCP through the socket's way out of
 * SYN_SENT, or when the attempt is settled (below); UDP when settled. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FT_MAP_ENTRIES);
	__type(key, __u64);
	__type(value, struct ft_pending);
} ft_pending SEC(".maps");

/* The attempt a thread is making, by thread id: its socket's cookie, from
 * the connect hook until its SYN leaves or it is settled. The route lookup
 * runs in the thread and finds its attempt here. A hash, not task storage:
 * cgroup programs cannot reach task storage on Linux 6.1. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FT_MAP_ENTRIES);
	__type(key, __u32);
	__type(value, __u64);
} ft_opening SEC(".maps");

/* How many entries of ft_opening belong to threads whose tid falls in each
 * slot (tid % FT_OPENHINT_SLOTS), kept beside every insert and delete: the
 * route-lookup points and the fexit programs run for every thread of the
 * host, and a zero here (an inlined array read) spares them the hash
 * lookup. Never too low: a count is raised after its insert succeeds, by
 * the inserting thread before its route lookups, and lowered only after a
 * delete succeeds; too high (two threads in one slot) only costs the
 * lookup. */
#define FT_OPENHINT_SLOTS 65536
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FT_OPENHINT_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} ft_openhint SEC(".maps");

/* A mark in the socket's own storage, set when a traced attempt is put in
 * ft_pending: the only sockets that can have an entry there. Every other
 * socket's release, state change, error and getsockname returns after one
 * pointer load (a socket without storage) instead of making a cookie and
 * missing in a hash (bench/run v4_connect, bpf_stats: the release went
 * from 335 to 175 ns a call against 120 for an empty program, the state
 * change from 87 to 42 against 25). Freed with the socket. Its value is the
 * socket's cookie (the key of its attempt), for the hooks that may not make
 * one from the pointer they have (the drop point: an RCU pointer). */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} ft_marked SEC(".maps");

/* Can this socket have an attempt in ft_pending? (sk: a struct sock, a
 * bpf_sock or a cgroup sock program's context.) */
static __always_inline bool sock_marked(void *sk)
{
	return bpf_sk_storage_get(&ft_marked, sk, NULL, 0) != NULL;
}

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&ft_counters, &idx);

	if (v)
		*v += 1;
}

static __always_inline void openhint_add(__u32 tid, int d)
{
	__u32 k = tid & (FT_OPENHINT_SLOTS - 1);
	__u32 *n = bpf_map_lookup_elem(&ft_openhint, &k);

	if (n)
		__sync_fetch_and_add(n, d);
}

/* May thread tid have an entry in ft_opening? */
static __always_inline bool opening_maybe(__u32 tid)
{
	__u32 k = tid & (FT_OPENHINT_SLOTS - 1);
	__u32 *n = bpf_map_lookup_elem(&ft_openhint, &k);

	return !n || *n;
}

/* Thread tid makes the attempt key (ft_opening and its hint together). */
static __always_inline long opening_set(__u32 tid, __u64 key)
{
	long err = bpf_map_update_elem(&ft_opening, &tid, &key, BPF_NOEXIST);

	if (!err) {
		openhint_add(tid, 1);
		return 0;
	}
	if (err != -17 /* EEXIST: already counted */)
		return err;
	err = bpf_map_update_elem(&ft_opening, &tid, &key, BPF_EXIST);
	if (err == -2 /* ENOENT: deleted meanwhile */ &&
	    !(err = bpf_map_update_elem(&ft_opening, &tid, &key, BPF_NOEXIST)))
		openhint_add(tid, 1);
	return err;
}

static __always_inline void opening_del(__u32 tid)
{
	if (!bpf_map_delete_elem(&ft_opening, &tid))
		openhint_add(tid, -1);
}

static __always_inline __u64 wakeup_flags(void)
{
	/* Wake the reader only when a batch has piled up; it also polls on a
	 * timer, so no record waits longer than one poll interval. */
	if (bpf_ringbuf_query(&ft_events, BPF_RB_AVAIL_DATA) >= ft_cfg_wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

static __always_inline bool port_is_mail(__u16 port)
{
	return (ft_cfg_ports[(port >> 6) & (FT_PORT_WORDS - 1)] >> (port & 63)) & 1;
}

/* The parts of "who" that need the task itself (tp_btf programs only):
 * the parent, the start time, and for an io_uring worker (named iou-wrk-PID)
 * the process's own name. */
static __always_inline void fill_task_btf(struct ft_task *t, struct task_struct *task)
{
	/* task is a BTF pointer (bpf_get_current_task_btf): plain loads, which
	 * the verifier turns into fault-safe ones, instead of helper calls. */
	t->ppid = task->real_parent->tgid;
	t->start_ns = task->group_leader->start_boottime;
	if (task->flags & PF_IO_WORKER)
		BPF_CORE_READ_STR_INTO(&t->comm, task, group_leader, comm);
}

/* The whole "who", in a program that may read the task (tp_btf, uprobes). */
static __always_inline void fill_task(struct ft_task *t, struct task_struct *task, __u8 why)
{
	__u64 id = bpf_get_current_pid_tgid();

	t->tgid = id >> 32;
	t->tid = (__u32)id;
	t->uid = (__u32)bpf_get_current_uid_gid();
	t->why = why;
	bpf_get_current_comm(t->comm, sizeof(t->comm));
	fill_task_btf(t, task);
}

/*
 * Decide whether the current process is traced. In mail mode a process
 * qualifies by name or by the destination port, and is then remembered so
 * that its other connects and its children are traced too. In --all mode
 * every process qualifies; it is remembered for its exec and exit records.
 */
static __always_inline __u8 traced_why(__u32 tgid, __u16 dport)
{
	__u8 *known, why = 0;
	char comm[FT_COMM_LEN];

	known = bpf_map_lookup_elem(&ft_tracked, &tgid);
	if (known)
		return *known;
	if (ft_cfg_mode == FT_MODE_ALL) {
		/* Remembered only so that its exec and exit are reported. */
		why = FT_WHY_ALL;
	} else if (ft_cfg_mode != FT_MODE_MAIL) {
		return 0;
	} else if (port_is_mail(dport)) {
		why = FT_WHY_PORT;
	} else {
		bpf_get_current_comm(comm, sizeof(comm));
		if (bpf_map_lookup_elem(&ft_comms, comm))
			why = FT_WHY_COMM;
	}
	if (why && bpf_map_update_elem(&ft_tracked, &tgid, &why, BPF_ANY))
		count(FT_CNT_TRACK_FULL);
	return why;
}

#include "source.bpf.c"

/* The system call the current task is inside (-1 outside one). */
static __always_inline long current_syscall(void)
{
	return ft_syscall_nr((struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf()));
}

/* The opening task, read once in task context (a route lookup or the
 * SYN_SENT change, whichever comes first): the parts of "who" that need the
 * task, and whether io_uring opened the connection, from its worker thread
 * or inline in io_uring_enter(). */
static __always_inline void note_opener(struct ft_pending *p)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (p->task.start_ns)
		return;
	fill_task_btf(&p->task, task);
	if ((task->flags & PF_IO_WORKER) || current_syscall() == FT_NR_IO_URING_ENTER)
		p->flags |= FT_F_IOURING;
}

/*
 * Write the record of a finished attempt and forget it. sk, when given, is
 * the connected socket (its source address and port are read from it).
 */
static __always_inline void emit_attempt(__u64 key, struct ft_pending *p, __u8 outcome, __s32 err,
					 __u64 end_ns, const struct sock *sk)
{
	struct ft_attempt *a;

	a = bpf_ringbuf_reserve(&ft_events, sizeof(*a), 0);
	if (!a) {
		count(FT_CNT_LOST);
		bpf_map_delete_elem(&ft_pending, &key);
		return;
	}
	a->hdr.kind = outcome == FT_OUT_PROBE ? FT_EV_PROBE : FT_EV_ATTEMPT;
	a->hdr.size = sizeof(*a);
	a->hdr.cpu = bpf_get_smp_processor_id();
	a->hdr.ts_ns = bpf_ktime_get_boot_ns();
	a->end_ns = end_ns ? end_ns : a->hdr.ts_ns;
	a->task = p->task;
	a->start_ns = p->start_ns;
	__builtin_memcpy(a->daddr, p->daddr, 16);
	if (sk) {
		a->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
		/* Explicit sizes: BPF_CORE_READ_INTO would copy one byte,
		 * the size of an element of saddr. */
		__builtin_memset(a->saddr, 0, 16);
		if (p->family == AF_INET)
			bpf_core_read(a->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
		else
			bpf_core_read(a->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
	} else {
		/* The source noted on the way (zero when none was); the
		 * port only where a UDP caller read it. */
		a->sport = p->sport;
		__builtin_memcpy(a->saddr, p->saddr, 16);
	}
	a->family = p->family;
	a->dport = p->dport;
	a->proto = p->proto;
	a->outcome = outcome;
	a->err = err;
	a->flags = p->flags;
	if (!err && outcome == FT_OUT_IMMEDIATE)
		a->flags |= FT_F_ERRNO_UNSEEN;
	bpf_map_delete_elem(&ft_pending, &key);
	bpf_ringbuf_submit(a, wakeup_flags());
}

/* The thread no longer makes this attempt. */
static __always_inline void forget_opening(__u32 tid, __u64 key)
{
	__u64 *c = bpf_map_lookup_elem(&ft_opening, &tid);

	if (c && *c == key)
		opening_del(tid);
}

/*
 * Settle an attempt that never sent a SYN, from what the hooks saw: its
 * connect() has returned (the socket is being released, connected again, or
 * its thread makes another attempt). TCP: it failed, with the errno the
 * route lookup decided, else "errno not seen". UDP: a route probe, routable
 * when the socket showed it is connected or its route was found.
 */
static __always_inline void settle(__u64 key, struct ft_pending *p)
{
	__u32 tid = p->task.tid;
	__s32 err = p->err;

	if (p->proto == IPPROTO_UDP) {
		if (p->confirmed)
			err = 0;
		else if (!err && !p->route_seen)
			p->flags |= FT_F_ERRNO_UNSEEN; /* failed before any route lookup */
		emit_attempt(key, p, FT_OUT_PROBE, err, p->decided_ns, NULL);
	} else {
		emit_attempt(key, p, FT_OUT_IMMEDIATE, err, p->decided_ns, NULL);
	}
	forget_opening(tid, key);
}

/* Settle the thread's attempt before its SYN, if it has one: it moves on. */
static __always_inline void settle_thread(__u32 tid)
{
	struct ft_pending *p;
	__u64 *c, key;

	c = bpf_map_lookup_elem(&ft_opening, &tid);
	if (!c)
		return;
	key = *c;
	p = bpf_map_lookup_elem(&ft_pending, &key);
	if (p && p->stage == FT_STAGE_OPENING)
		settle(key, p);
	else
		opening_del(tid);
}

/*
 * connect() on an inet socket (and TCP Fast Open's sendto/sendmsg, and
 * io_uring's connect, which pass the same hook), before the route lookup.
 * Always allows the connect: famtrace only looks.
 */
static __always_inline int open_attempt(struct bpf_sock_addr *ctx, const __u16 family)
{
	struct ft_pending p = {}, *old;
	struct bpf_sock *bsk;
	__u64 *mark;
	struct tcp_sock *tp;
	__u64 id, key;
	__u32 tid, proto;
	__u8 why;

	proto = ctx->protocol;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return 1;
	id = bpf_get_current_pid_tgid();
	p.dport = bpf_ntohs((__u16)ctx->user_port);
	why = traced_why(id >> 32, p.dport);
	if (!why)
		return 1;
	tid = (__u32)id;
	key = bpf_get_socket_cookie(ctx);
	/* The thread's previous attempt has had its connect() return; the
	 * same socket connected again ends its earlier attempt too. */
	settle_thread(tid);
	old = bpf_map_lookup_elem(&ft_pending, &key);
	if (old && old->stage == FT_STAGE_OPENING)
		settle(key, old);

	/* family is a constant per program: connect4 may not read user_ip6. */
	p.family = family;
	if (family == AF_INET) {
		__u32 a4 = ctx->user_ip4;

		__builtin_memcpy(p.daddr, &a4, 4);
	} else {
		__u32 a6[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2], ctx->user_ip6[3] };

		__builtin_memcpy(p.daddr, a6, 16);
	}
	p.proto = proto;
	p.stage = FT_STAGE_OPENING;
	p.start_ns = bpf_ktime_get_boot_ns();
	p.task.tgid = id >> 32;
	p.task.tid = tid;
	p.task.uid = (__u32)bpf_get_current_uid_gid();
	p.task.why = why;
	bpf_get_current_comm(p.task.comm, sizeof(p.task.comm));
	if (proto == IPPROTO_TCP) {
		bsk = ctx->sk;
		tp = bsk ? bpf_skc_to_tcp_sock(bsk) : NULL;
		if (tp) {
			struct file *f = tp->inet_conn.icsk_inet.sk.sk_socket->file;

			if (f && (f->f_flags & O_NONBLOCK))
				p.flags |= FT_F_NONBLOCK;
			/* sendto/sendmsg with MSG_FASTOPEN, or a connect()
			 * after TCP_FASTOPEN_CONNECT */
			if (tp->fastopen_req || BPF_CORE_READ_BITFIELD(tp, fastopen_connect))
				p.flags |= FT_F_TFO;
		}
	}
	/* The mark first: without it the attempt's end would not be seen
	 * (out of memory; refused and counted like a full map). */
	mark = ctx->sk ? bpf_sk_storage_get(&ft_marked, ctx->sk, NULL, BPF_SK_STORAGE_GET_F_CREATE) : NULL;
	if (!mark || bpf_map_update_elem(&ft_pending, &key, &p, BPF_ANY)) {
		count(FT_CNT_PENDING_FULL);
		return 1;
	}
	*mark = key;
	if (opening_set(tid, key)) {
		/* Without it the route's verdict is not found: the attempt
		 * would read "errno not seen". Refused and counted. */
		bpf_map_delete_elem(&ft_pending, &key);
		count(FT_CNT_PENDING_FULL);
	}
	return 1;
}

SEC("cgroup/connect4")
int ft_connect4(struct bpf_sock_addr *ctx)
{
	return open_attempt(ctx, AF_INET);
}

SEC("cgroup/connect6")
int ft_connect6(struct bpf_sock_addr *ctx)
{
	return open_attempt(ctx, AF_INET6);
}

/* The thread's attempt before its SYN, if this route lookup is its own. */
static __always_inline struct ft_pending *opening_of_thread(__u64 *key)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ft_pending *p;
	__u64 *c;

	if (!opening_maybe(tid))
		return NULL;
	c = bpf_map_lookup_elem(&ft_opening, &tid);
	if (!c)
		return NULL;
	*key = *c;
	p = bpf_map_lookup_elem(&ft_pending, key);
	if (!p || p->stage != FT_STAGE_OPENING)
		return NULL;
	return p;
}

#include "route.bpf.c"

/* The socket is closed: an attempt that never sent a SYN has its outcome.
 * (One in SYN_SENT is left to the SYN_SENT -> CLOSE that follows.) */
SEC("cgroup/sock_release")
int ft_release(struct bpf_sock *ctx)
{
	struct ft_pending *p;
	__u64 key;

	if (ctx->protocol != IPPROTO_TCP && ctx->protocol != IPPROTO_UDP)
		return 1;
	if (!sock_marked(ctx))
		return 1;
	key = bpf_get_socket_cookie(ctx);
	p = bpf_map_lookup_elem(&ft_pending, &key);
	if (!p || p->stage != FT_STAGE_OPENING)
		return 1;
	/* A UDP socket still connected: its connect() worked. */
	if (p->proto == IPPROTO_UDP && ctx->state == TCP_ESTABLISHED)
		p->confirmed = 1;
	settle(key, p);
	return 1;
}

/*
 * getsockname() right after a UDP connect (glibc's getaddrinfo does it for
 * every candidate address, to sort them by RFC 6724): the connect worked,
 * and this is the source the caller reads.
 */
static __always_inline void note_sockname(struct bpf_sock_addr *ctx, const __u16 family)
{
	struct ft_pending *p;
	__u64 key;

	if (ctx->protocol != IPPROTO_UDP || !ctx->sk || !sock_marked(ctx->sk))
		return;
	key = bpf_get_socket_cookie(ctx);
	p = bpf_map_lookup_elem(&ft_pending, &key);
	if (!p || p->stage != FT_STAGE_OPENING || p->confirmed)
		return;
	p->confirmed = 1;
	p->sport = bpf_ntohs((__u16)ctx->user_port);
	if (family == AF_INET) {
		__u32 a4 = ctx->user_ip4;

		__builtin_memcpy(p->saddr, &a4, 4);
	} else {
		__u32 a6[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2], ctx->user_ip6[3] };
		struct udp6_sock *us = ctx->sk ? bpf_skc_to_udp6_sock(ctx->sk) : NULL;

		__builtin_memcpy(p->saddr, a6, 16);
		if (us)
			note_source((const struct sock *)us, &p->task);
	}
}

SEC("cgroup/getsockname4")
int ft_sockname4(struct bpf_sock_addr *ctx)
{
	note_sockname(ctx, AF_INET);
	return 1;
}

SEC("cgroup/getsockname6")
int ft_sockname6(struct bpf_sock_addr *ctx)
{
	note_sockname(ctx, AF_INET6);
	return 1;
}

/*
 * Optional ("?"), where the kernel allows trampolines (Debian's stock
 * kernels do; a hardened one may not): the exact return of connect() and
 * sendto(), so that a failure before the SYN has its errno whatever
 * decided it (a tentative IPv6 source, another cgroup program, ...).
 */
static __always_inline int open_returned(long ret)
{
	struct ft_pending *p;
	__u64 key;

	p = opening_of_thread(&key);
	if (!p)
		return 0;
	if (p->proto == IPPROTO_UDP) {
		p->confirmed = ret == 0;
		p->err = ret < 0 ? -ret : 0;
		p->route_seen = 1;
		if (!p->decided_ns)
			p->decided_ns = bpf_ktime_get_boot_ns();
		settle(key, p);
	} else if (ret < 0 && ret != -EINPROGRESS) {
		p->err = -ret;
		settle(key, p);
	}
	return 0;
}

SEC("?fexit/" FT_SYS_CONNECT)
int BPF_PROG(ft_connect_ret, struct pt_regs *regs, long ret)
{
	return open_returned(ret);
}

SEC("?fexit/" FT_SYS_SENDTO)
int BPF_PROG(ft_sendto_ret, struct pt_regs *regs, long ret)
{
	return open_returned(ret);
}

/*
 * Is the current task inside connect() or sendto()? A socket that falls
 * back from SYN_SENT to CLOSE inside the call failed there (no local port:
 * EADDRNOTAVAIL), which is not an abandonment.
 */
static __always_inline bool in_open_syscall(void)
{
	long nr = current_syscall();

	return nr == FT_NR_CONNECT || nr == FT_NR_SENDTO;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(ft_set_state, const struct sock *sk, const int oldstate, const int newstate)
{
	struct ft_pending *p;
	__u64 key;
	__s32 err;

	if (!sock_marked((void *)sk))
		return 0;
	if (oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT) {
		/* In the connecting task: the route and a port were found,
		 * the SYN leaves now. */
		key = bpf_get_socket_cookie((void *)sk);
		p = bpf_map_lookup_elem(&ft_pending, &key);
		if (!p)
			return 0;
		p->stage = FT_STAGE_SYN_SENT;
		p->err = 0;
		forget_opening(p->task.tid, key);
		note_opener(p);
		/* The source address is chosen now (the port just after);
		 * note it for an attempt that fails. */
		if (p->family == AF_INET) {
			bpf_core_read(p->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
		} else {
			bpf_core_read(p->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
			note_source(sk, &p->task);
		}
		return 0;
	}
	if (oldstate != TCP_SYN_SENT)
		return 0;
	key = bpf_get_socket_cookie((void *)sk);
	p = bpf_map_lookup_elem(&ft_pending, &key);
	if (!p || p->stage != FT_STAGE_SYN_SENT)
		return 0;
	if (newstate == TCP_ESTABLISHED) {
		/* Fast Open: did the SYN carry data, and did the server take it?
		 * tcp_ack() has run on the SYN-ACK: all that was sent is
		 * acknowledged when the data was accepted; only the SYN when the
		 * cookie was refused (the data goes again after the handshake). */
		if ((p->flags & FT_F_TFO) &&
		    BPF_CORE_READ_BITFIELD_PROBED((struct tcp_sock *)sk, syn_data)) {
			p->flags |= FT_F_TFO_SYN_DATA;
			if (BPF_CORE_READ((struct tcp_sock *)sk, snd_una) ==
			    BPF_CORE_READ((struct tcp_sock *)sk, snd_nxt))
				p->flags |= FT_F_TFO_DATA_ACKED;
		}
		emit_attempt(key, p, FT_OUT_CONNECTED, 0, 0, sk);
	} else if (newstate == TCP_CLOSE) {
		/* The kernel sets sk_err before tcp_done(); an application
		 * close() in SYN_SENT leaves it 0. */
		err = BPF_CORE_READ(sk, sk_err);
		if (!err)
			err = p->err;
		if (!err && in_open_syscall()) {
			/* connect() itself fails after SYN_SENT: no local
			 * port (the sequence number is chosen only once one
			 * is), else an errno no hook sees. Settled when the
			 * call returns (fexit) or the socket goes. */
			__u32 tid = (__u32)bpf_get_current_pid_tgid();

			p->stage = FT_STAGE_OPENING;
			p->decided = 1;
			p->err = BPF_CORE_READ((struct tcp_sock *)sk, write_seq) == 0 ? EADDRNOTAVAIL : 0;
			p->decided_ns = bpf_ktime_get_boot_ns();
			opening_set(tid, key);
			return 0;
		}
		emit_attempt(key, p, err ? FT_OUT_ASYNC : FT_OUT_ABANDONED, err, 0, NULL);
	}
	return 0;
}

/* Optional ("?"): Linux 5.13 added this tracepoint; sk_err read at the
 * SYN_SENT -> CLOSE transition carries the same errno on every path
 * (RST, ICMP, SYN timeout), so older kernels lose nothing essential. */
SEC("?tp_btf/inet_sk_error_report")
int BPF_PROG(ft_error_report, const struct sock *sk)
{
	struct ft_pending *p;
	__u64 key;

	/* Only an attempt still in SYN_SENT can be pending here: a refused
	 * connect has already gone to CLOSE (and been reported) when its
	 * error is reported, and most sockets erroring are not connecting. */
	if (sk->__sk_common.skc_state != TCP_SYN_SENT || !sock_marked((void *)sk))
		return 0;
	key = bpf_get_socket_cookie((void *)sk);
	p = bpf_map_lookup_elem(&ft_pending, &key);
	if (p && p->stage == FT_STAGE_SYN_SENT && !p->err)
		p->err = BPF_CORE_READ(sk, sk_err);
	return 0;
}

/*
 * Optional: a packet of a traced attempt dropped on this host, and why, by
 * the kernel's own drop reason. kfree_skb fires for drops only (a consumed
 * packet goes through consume_skb), so the rest of the host pays nothing;
 * netfilter's verdict on the SYN tells "a firewall rule on this host" from
 * "the network never answered". Kernels without the reason (before 6.0)
 * leave the flag unset: said as not known, never as "not dropped here".
 */
SEC("?tp_btf/kfree_skb")
int BPF_PROG(ft_skb_drop, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	struct ft_pending *p;
	struct sock *sk;
	__u64 *key;

	if (!bpf_core_enum_value_exists(enum skb_drop_reason, SKB_DROP_REASON_NETFILTER_DROP) ||
	    reason != bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_NETFILTER_DROP))
		return 0;
	sk = skb->sk;
	key = sk ? bpf_sk_storage_get(&ft_marked, sk, NULL, 0) : NULL;
	if (!key)
		return 0;
	p = bpf_map_lookup_elem(&ft_pending, key);
	if (p)
		p->flags |= FT_F_DROPPED_HERE;
	return 0;
}

/* The pid a struct pid gives in its innermost PID namespace (the last of
 * its numbers[]), and that namespace's inode; 0 and 0 when unreadable. */
static __always_inline __u32 ns_nr(struct pid *pid, __u32 *ns_inum)
{
	unsigned int level;
	struct upid up = {};

	if (!pid)
		return 0;
	level = BPF_CORE_READ(pid, level);
	if (level > 31) /* the kernel's MAX_PID_NS_LEVEL is 32 */
		return 0;
	if (bpf_core_read(&up, sizeof(up), &pid->numbers[level]))
		return 0;
	if (ns_inum)
		*ns_inum = BPF_CORE_READ(up.ns, ns.inum);
	return up.nr;
}

/* Where task runs: its cgroup, its pid and its parent's in its own PID
 * namespace, its PID and network namespaces. A parent in an outer
 * namespace (a container's first process) has no number in the inner one:
 * its innermost namespace differs, and ns_ppid is 0. */
static __always_inline void fill_place(struct ft_proc *e, struct task_struct *task)
{
	__u32 pns = 0;

	e->cgroup_id = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
	e->ns_tgid = ns_nr(BPF_CORE_READ(task, group_leader, thread_pid), &e->pidns);
	e->ns_ppid = ns_nr(BPF_CORE_READ(task, real_parent, group_leader, thread_pid), &pns);
	if (pns != e->pidns)
		e->ns_ppid = 0;
	e->netns = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
}

static __always_inline void emit_proc(struct task_struct *task, __u32 what, __u8 why)
{
	struct ft_proc *e;

	e = bpf_ringbuf_reserve(&ft_events, sizeof(*e), 0);
	if (!e) {
		count(FT_CNT_LOST);
		return;
	}
	e->hdr.kind = FT_EV_PROC;
	e->hdr.size = sizeof(*e);
	e->hdr.cpu = bpf_get_smp_processor_id();
	e->hdr.ts_ns = bpf_ktime_get_boot_ns();
	e->task.tgid = BPF_CORE_READ(task, tgid);
	e->task.tid = BPF_CORE_READ(task, pid);
	e->task.ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->task.uid = BPF_CORE_READ(task, cred, uid.val);
	e->task.start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	e->task.why = why;
	__builtin_memset(e->task._pad, 0, sizeof(e->task._pad));
	BPF_CORE_READ_STR_INTO(&e->task.comm, task, group_leader, comm);
	e->what = what;
	e->exit_code = 0;
	fill_place(e, task);
	if (what == FT_PROC_EXIT) {
		/* exit_group() or a fatal signal: the group's status; else the
		 * last thread's own exit. */
		if (BPF_CORE_READ(task, signal, flags) & SIGNAL_GROUP_EXIT)
			e->exit_code = BPF_CORE_READ(task, signal, group_exit_code);
		else
			e->exit_code = BPF_CORE_READ(task, exit_code);
	}
	bpf_ringbuf_submit(e, wakeup_flags());
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(ft_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid, ctgid;
	__u8 why = FT_WHY_PARENT;

	if (ft_cfg_mode == FT_MODE_ALL)
		return 0; /* nothing to inherit; attempts carry their own ppid */
	ctgid = BPF_CORE_READ(child, tgid);
	ptgid = BPF_CORE_READ(parent, tgid);
	if (ctgid == ptgid)
		return 0; /* a new thread, not a new process */
	if (!bpf_map_lookup_elem(&ft_tracked, &ptgid))
		return 0;
	if (bpf_map_update_elem(&ft_tracked, &ctgid, &why, BPF_ANY))
		count(FT_CNT_TRACK_FULL);
	emit_proc(child, FT_PROC_FORK, why);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(ft_exec, struct task_struct *task)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	char comm[FT_COMM_LEN];
	__u8 *known, why;

	known = bpf_map_lookup_elem(&ft_tracked, &tgid);
	if (known) {
		why = *known;
	} else {
		if (ft_cfg_mode != FT_MODE_MAIL)
			return 0;
		bpf_get_current_comm(comm, sizeof(comm));
		if (!bpf_map_lookup_elem(&ft_comms, comm))
			return 0;
		why = FT_WHY_COMM;
		if (bpf_map_update_elem(&ft_tracked, &tgid, &why, BPF_ANY))
			count(FT_CNT_TRACK_FULL);
	}
	emit_proc(task, FT_PROC_EXEC, why);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(ft_exit, struct task_struct *task)
{
	__u32 tgid = task->tgid;
	__u8 *known, why;

	/* The process ends with its last thread, which need not be the
	 * leader (pthread_exit in main): do_exit has counted this thread out
	 * of signal->live before this tracepoint. Two threads ending together
	 * may both see 0; the delete decides which one reports. */
	if (task->signal->live.counter != 0)
		return 0;
	known = bpf_map_lookup_elem(&ft_tracked, &tgid);
	if (!known)
		return 0;
	why = *known;
	if (bpf_map_delete_elem(&ft_tracked, &tgid))
		return 0;
	emit_proc(task, FT_PROC_EXIT, why);
	return 0;
}

/*
 * A cgroup made on the v2 hierarchy: its id and path, so that user space
 * knows what a process record's cgroup id was even when the cgroup is gone
 * by the time the record is read (a container whose process connects once
 * and exits). Per cgroup made: systemd's units and sessions, containers.
 * Only those root makes: a user with a delegated subtree (systemd gives
 * each its own) could otherwise make them in a loop and crowd the ring
 * buffer the attempts share.
 */
SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(ft_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	struct ft_cgroup *e;

	if (cgrp->root->hierarchy_id != 0) /* a cgroup v1 hierarchy */
		return 0;
	if ((__u32)bpf_get_current_uid_gid() != 0)
		return 0;
	e = bpf_ringbuf_reserve(&ft_events, sizeof(*e), 0);
	if (!e) {
		count(FT_CNT_LOST);
		return 0;
	}
	e->hdr.kind = FT_EV_CGROUP;
	e->hdr.size = sizeof(*e);
	e->hdr.cpu = bpf_get_smp_processor_id();
	e->hdr.ts_ns = bpf_ktime_get_boot_ns();
	e->cgroup_id = cgrp->kn->id;
	if (bpf_probe_read_kernel_str(e->path, sizeof(e->path), path) < 0)
		e->path[0] = 0;
	e->path[sizeof(e->path) - 1] = 0;
	e->name[0] = 0;
	bpf_ringbuf_submit(e, wakeup_flags());
	return 0;
}

/* The DNS wire programs and the resolver uprobes share these maps and
 * helpers; one object, one skeleton. */
#include "dns.bpf.c"
#include "resolver.bpf.c"
