// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * famtrace.bpf.c - kernel side of famtrace: connect attempts and their outcomes.
 *
 * Hooks (tracepoints and tp_btf only: kprobes and fentry do not exist on the
 * kernels famtrace targets):
 *   syscalls:sys_enter_connect   who connects where; the socket behind the fd
 *   syscalls:sys_exit_connect    immediate errors; UDP route probes
 *   syscalls:sys_{enter,exit}_sendto  the same for sendto(MSG_FASTOPEN)
 *   tp_btf/inet_sock_set_state   CLOSE -> SYN_SENT of an active open that was
 *                                not a connect() (TCP Fast Open's sendto/
 *                                sendmsg, io_uring's connect): in the opening
 *                                task's context; SYN_SENT -> ESTABLISHED /
 *                                CLOSE (softirq!)
 *   tp_btf/inet_sk_error_report  the errno of an asynchronous failure (optional)
 *   tp_btf/sched_process_{fork,exec,exit}   the traced process tree
 * and, from the SYN_SENT hook and a UDP connect's return, what an IPv6 source
 * address is (source.bpf.c).
 *
 * One record per attempt is written, when its outcome is known; the attempt
 * lives in ft_pending, keyed by socket, until then. Outcomes that arrive in
 * softirq context are attributed from that entry, never from the current task.
 *
 * Must never: reserve ring-buffer space for a record it will not submit, emit
 * anything for a process the filter rejects, or drop a record without counting.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "famtrace.h"

#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define TCP_ESTABLISHED 1
#define TCP_SYN_SENT 2
#define TCP_CLOSE 7
#define EINPROGRESS 115
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define O_NONBLOCK 00004000
#define SIGNAL_GROUP_EXIT 0x00000004
#define PF_IO_WORKER 0x00000010
#define MSG_FASTOPEN 0x20000000
#define INFLIGHT_REFUSED 1ULL /* ft_inflight: the call's attempt could not be tracked
			       * (no socket lives at address 1) */

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

/* Attempts by socket address. A plain hash, so that a full map refuses an
 * insert, which is counted, instead of evicting an attempt silently. Every
 * entry leaves: TCP through the socket's way out of SYN_SENT or connect()'s
 * immediate error, UDP at connect()'s return. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FT_MAP_ENTRIES);
	__type(key, __u64);
	__type(value, struct ft_pending);
} ft_pending SEC(".maps");

/*
 * The connect() or sendto() a thread is inside, in the thread's own storage:
 * cheaper than a hash by tid and freed with the thread. key is its socket
 * (0: none). A UDP connect's attempt waits here rather than in ft_pending:
 * its outcome is the call's return on this same thread and nothing else
 * looks for it, so it costs no hash update, lookup and delete (a resolver
 * connects a UDP socket to its nameserver for every query).
 */
struct inflight {
	__u64 key;
	__u8 udp; /* the attempt waits in p, not in ft_pending */
	__u8 _pad[7];
	struct ft_pending p;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct inflight);
} ft_inflight SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&ft_counters, &idx);

	if (v)
		*v += 1;
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

static __always_inline void fill_task(struct ft_task *t, struct task_struct *task, __u8 why)
{
	__u64 id = bpf_get_current_pid_tgid();

	t->tgid = id >> 32;
	t->tid = (__u32)id;
	t->uid = (__u32)bpf_get_current_uid_gid();
	/* task is a BTF pointer (bpf_get_current_task_btf): plain loads, which
	 * the verifier turns into fault-safe ones, instead of helper calls. */
	t->ppid = task->real_parent->tgid;
	t->start_ns = task->group_leader->start_boottime;
	t->why = why;
	bpf_get_current_comm(t->comm, sizeof(t->comm));
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

/* struct sock behind a file descriptor of the current task, or NULL. */
static __always_inline struct sock *sock_of_fd(struct task_struct *task, int fd, __u32 *fflags)
{
	struct file **fds, *file;
	struct socket *sock;
	unsigned int max;
	umode_t mode;

	max = task->files->fdt->max_fds;
	if (fd < 0 || (unsigned int)fd >= max)
		return NULL;
	fds = task->files->fdt->fd;
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return NULL;
	mode = BPF_CORE_READ(file, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return NULL;
	*fflags = BPF_CORE_READ(file, f_flags);
	sock = BPF_CORE_READ(file, private_data);
	if (!sock)
		return NULL;
	return BPF_CORE_READ(sock, sk);
}

/*
 * A call that opens a connection from a socket to the address the caller
 * passed: connect(), or sendto() with MSG_FASTOPEN (extra_flags FT_F_TFO).
 * The attempt waits in ft_pending for its outcome; the thread notes the
 * socket so that the call's return can report an immediate error.
 */
static __always_inline int enter_open(int fd, const void *uaddr, __u64 alen, __u32 extra_flags)
{
	struct sockaddr_in6 sa = {};
	struct task_struct *task;
	struct ft_pending p = {};
	struct inflight *inflight;
	__u64 id, key;
	struct sock *sk;
	__u32 tgid, fflags = 0;
	__u16 proto;
	__u8 why;
	__u32 n;

	/* One user-memory read of what the caller passed, at most a
	 * sockaddr_in6: never past the end of its buffer. */
	if (alen < sizeof(struct sockaddr_in))
		return 0;
	n = alen < sizeof(sa) ? (__u32)alen : sizeof(sa);
	if (bpf_probe_read_user(&sa, n, uaddr))
		return 0;
	if (sa.sin6_family == AF_INET6) {
		if (n < sizeof(struct sockaddr_in6))
			return 0;
	} else if (sa.sin6_family != AF_INET) {
		return 0;
	}

	id = bpf_get_current_pid_tgid();
	tgid = id >> 32;
	p.dport = bpf_ntohs(sa.sin6_port);
	why = traced_why(tgid, p.dport);
	if (!why)
		return 0;

	task = bpf_get_current_task_btf();
	sk = sock_of_fd(task, fd, &fflags);
	if (!sk)
		return 0;
	proto = BPF_CORE_READ(sk, sk_protocol);
	if (proto == IPPROTO_TCP) {
		/* A connect() on a socket that is not closed is no new attempt
		 * (EALREADY/EISCONN polling): its outcome is already tracked. */
		if (BPF_CORE_READ(sk, __sk_common.skc_state) != TCP_CLOSE)
			return 0;
	} else if (proto != IPPROTO_UDP || (extra_flags & FT_F_TFO)) {
		return 0;
	}

	p.family = sa.sin6_family;
	if (p.family == AF_INET)
		__builtin_memcpy(p.daddr, &((struct sockaddr_in *)&sa)->sin_addr, 4);
	else
		__builtin_memcpy(p.daddr, &sa.sin6_addr, 16);
	p.proto = proto;
	p.flags = ((fflags & O_NONBLOCK) ? FT_F_NONBLOCK : 0) | extra_flags;
	p.start_ns = bpf_ktime_get_boot_ns();
	fill_task(&p.task, task, why);

	/* The thread's slot first: without it the connect's return would go
	 * unseen and the entry would linger. */
	inflight = bpf_task_storage_get(&ft_inflight, task, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!inflight) {
		count(FT_CNT_PENDING_FULL);
		return 0;
	}
	key = (__u64)sk;
	inflight->udp = proto == IPPROTO_UDP;
	if (inflight->udp) {
		inflight->p = p;
		inflight->key = key;
		return 0;
	}
	if (bpf_map_update_elem(&ft_pending, &key, &p, BPF_ANY)) {
		count(FT_CNT_PENDING_FULL);
		/* Refused and counted: the SYN_SENT hook, which runs inside
		 * this very call, must not count it again. */
		inflight->key = INFLIGHT_REFUSED;
		return 0;
	}
	inflight->key = key;
	return 0;
}

#include "source.bpf.c"

/* Write the record for a finished attempt and forget it (in ft_pending
 * unless it waited in the thread's storage: in_map false). */
static __always_inline void emit_attempt_from(__u64 key, struct ft_pending *p, __u8 outcome,
					      __s32 err, const struct sock *sk, bool in_map)
{
	struct ft_attempt *a;

	a = bpf_ringbuf_reserve(&ft_events, sizeof(*a), 0);
	if (!a) {
		count(FT_CNT_LOST);
		if (in_map)
			bpf_map_delete_elem(&ft_pending, &key);
		return;
	}
	a->hdr.kind = outcome == FT_OUT_PROBE ? FT_EV_PROBE : FT_EV_ATTEMPT;
	a->hdr.size = sizeof(*a);
	a->hdr.cpu = bpf_get_smp_processor_id();
	a->end_ns = a->hdr.ts_ns = bpf_ktime_get_boot_ns();
	a->task = p->task;
	a->start_ns = p->start_ns;
	__builtin_memcpy(a->daddr, p->daddr, 16);
	__builtin_memset(a->saddr, 0, 16);
	a->sport = 0;
	if (sk) {
		a->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
		/* Explicit sizes: BPF_CORE_READ_INTO would copy one byte,
		 * the size of an element of saddr. */
		if (p->family == AF_INET)
			bpf_core_read(a->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
		else
			bpf_core_read(a->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
	} else {
		/* Failed after SYN_SENT: the source it left from, noted then
		 * (zero when it never got there); the port is not known. */
		__builtin_memcpy(a->saddr, p->saddr, 16);
	}
	a->family = p->family;
	a->dport = p->dport;
	a->proto = p->proto;
	a->outcome = outcome;
	a->err = err;
	a->flags = p->flags;
	if (in_map)
		bpf_map_delete_elem(&ft_pending, &key);
	bpf_ringbuf_submit(a, wakeup_flags());
}

static __always_inline void emit_attempt(__u64 key, struct ft_pending *p, __u8 outcome, __s32 err,
					 const struct sock *sk)
{
	emit_attempt_from(key, p, outcome, err, sk, true);
}

SEC("tracepoint/syscalls/sys_enter_connect")
int ft_enter_connect(struct trace_event_raw_sys_enter *ctx)
{
	/* The arguments as direct context loads at constant offsets (each
	 * BPF_CORE_READ would be a helper call on the hot path). */
	return enter_open((int)ctx->args[0], (const void *)ctx->args[1], ctx->args[2], 0);
}

/* TCP Fast Open (Exim's default): sendto(fd, data, len, MSG_FASTOPEN, addr)
 * opens the connection; every other sendto returns at the first test. */
SEC("tracepoint/syscalls/sys_enter_sendto")
int ft_enter_sendto(struct trace_event_raw_sys_enter *ctx)
{
	if (!(ctx->args[3] & MSG_FASTOPEN))
		return 0;
	return enter_open((int)ctx->args[0], (const void *)ctx->args[4], ctx->args[5], FT_F_TFO);
}

/* The return of connect() or sendto(): immediate errors and route probes. */
static __always_inline int exit_open(long ret)
{
	struct inflight *in;
	struct ft_pending *p;
	struct sock *sk;
	__u64 key;

	in = bpf_task_storage_get(&ft_inflight, bpf_get_current_task_btf(), NULL, 0);
	if (!in || !in->key)
		return 0;
	key = in->key;
	in->key = 0;
	if (key == INFLIGHT_REFUSED)
		return 0;
	sk = (struct sock *)key;
	if (in->udp) {
		/* A route probe, or a resolver's socket to its nameserver. */
		in->udp = 0;
		if (ret == 0 && in->p.family == AF_INET6)
			note_source(sk, &in->p.task);
		emit_attempt_from(key, &in->p, FT_OUT_PROBE, ret < 0 ? -ret : 0, ret == 0 ? sk : NULL,
				  false);
		return 0;
	}
	p = bpf_map_lookup_elem(&ft_pending, &key);
	if (!p)
		return 0; /* outcome already emitted (blocking connect) */
	/* TCP: an error while the socket never left CLOSE means no SYN was sent. */
	if (ret < 0 && ret != -EINPROGRESS &&
	    BPF_CORE_READ(sk, __sk_common.skc_state) == TCP_CLOSE)
		emit_attempt(key, p, FT_OUT_IMMEDIATE, -ret, NULL);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int ft_exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	return exit_open(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_sendto")
int ft_exit_sendto(struct trace_event_raw_sys_exit *ctx)
{
	return exit_open(ctx->ret);
}

/* Is the current thread inside connect() on this very socket? tcp_v*_connect
 * falls back to CLOSE after SYN_SENT when, for example, no local port is
 * free (EADDRNOTAVAIL); that is an immediate error, not an abandonment. */
static __always_inline bool connect_in_progress(__u64 key)
{
	struct inflight *in = bpf_task_storage_get(&ft_inflight, bpf_get_current_task_btf(), NULL, 0);

	return in && in->key == key;
}

/*
 * Every active TCP open passes CLOSE -> SYN_SENT in the task that opens it,
 * whatever the call: connect() (already tracked at its entry), sendto() or
 * sendmsg() with MSG_FASTOPEN, connect() after TCP_FASTOPEN_CONNECT, and
 * io_uring's IORING_OP_CONNECT (which never enters the connect syscall).
 * The ones not tracked yet become attempts here.
 */
/*
 * Is the current task inside connect() or sendto()? Those calls are
 * tracked (or filtered out) at their entry; the SYN_SENT hook then need not
 * run the filter a second time for every untraced process's connect.
 * bpf_task_pt_regs needs Linux 5.15: on older kernels the answer is "no"
 * and the filter simply runs twice.
 */
static __always_inline bool in_open_syscall(void)
{
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs)) {
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
		long nr;

#if defined(__TARGET_ARCH_x86)
		nr = BPF_CORE_READ(regs, orig_ax);
		return nr == 42 /* connect */ || nr == 44 /* sendto */;
#elif defined(__TARGET_ARCH_arm64)
		nr = BPF_CORE_READ(regs, syscallno);
		return nr == 203 /* connect */ || nr == 206 /* sendto */;
#else
		(void)regs;
		(void)nr;
#endif
	}
	return false;
}

static __always_inline int track_active_open(const struct sock *sk)
{
	struct task_struct *task;
	struct ft_pending p = {};
	struct inflight *inflight;
	__u64 key = (__u64)sk;
	__u32 tgid;
	__u8 why;

	if (in_open_syscall())
		return 0; /* connect()/sendto(): tracked, or filtered out, at its entry */
	if (bpf_map_lookup_elem(&ft_pending, &key))
		return 0; /* tracked since its entry */
	inflight = bpf_task_storage_get(&ft_inflight, bpf_get_current_task_btf(), NULL, 0);
	if (inflight && inflight->key == INFLIGHT_REFUSED)
		return 0; /* inside a connect() whose entry was refused, and counted */
	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;
	tgid = bpf_get_current_pid_tgid() >> 32;
	p.dport = bpf_ntohs(sk->__sk_common.skc_dport);
	why = traced_why(tgid, p.dport);
	if (!why)
		return 0;
	task = bpf_get_current_task_btf();
	p.family = sk->__sk_common.skc_family;
	if (p.family == AF_INET)
		bpf_core_read(p.daddr, 4, &sk->__sk_common.skc_daddr);
	else
		bpf_core_read(p.daddr, 16, &sk->__sk_common.skc_v6_daddr);
	p.proto = IPPROTO_TCP;
	p.flags = FT_F_NOCONNECT;
	if (BPF_CORE_READ((struct tcp_sock *)sk, fastopen_req) ||
	    BPF_CORE_READ_BITFIELD_PROBED((struct tcp_sock *)sk, fastopen_connect))
		p.flags |= FT_F_TFO;
	if (task->flags & PF_IO_WORKER)
		p.flags |= FT_F_IOURING;
	p.start_ns = bpf_ktime_get_boot_ns();
	fill_task(&p.task, task, why);
	/* An io_uring worker is named iou-wrk-PID: the process's name instead. */
	if (p.flags & FT_F_IOURING)
		BPF_CORE_READ_STR_INTO(&p.task.comm, task, group_leader, comm);
	if (bpf_map_update_elem(&ft_pending, &key, &p, BPF_NOEXIST))
		count(FT_CNT_PENDING_FULL);
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(ft_set_state, const struct sock *sk, const int oldstate, const int newstate)
{
	struct ft_pending *p;
	__u64 key;
	__s32 err;

	if (oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT) {
		track_active_open(sk);
		/* The source address is chosen now (the port just after);
		 * note it for an attempt that fails. */
		key = (__u64)sk;
		p = bpf_map_lookup_elem(&ft_pending, &key);
		if (p) {
			if (p->family == AF_INET) {
				bpf_core_read(p->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
			} else {
				bpf_core_read(p->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
				note_source(sk, &p->task);
			}
		}
		return 0;
	}
	if (oldstate != TCP_SYN_SENT)
		return 0;
	key = (__u64)sk;
	p = bpf_map_lookup_elem(&ft_pending, &key);
	if (!p)
		return 0;
	/* The entry must be this connection's: a socket freed and reused at
	 * the same address must not inherit an older attempt. */
	if (p->proto != IPPROTO_TCP || p->dport != bpf_ntohs(sk->__sk_common.skc_dport)) {
		bpf_map_delete_elem(&ft_pending, &key);
		count(FT_CNT_STALE);
		return 0;
	}
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
		emit_attempt(key, p, FT_OUT_CONNECTED, 0, sk);
	} else if (newstate == TCP_CLOSE) {
		/* The kernel sets sk_err before tcp_done(); an application
		 * close() in SYN_SENT leaves it 0. */
		err = BPF_CORE_READ(sk, sk_err);
		if (!err)
			err = p->err;
		if (!err && connect_in_progress(key))
			return 0; /* connect() itself fails; its exit has the errno */
		emit_attempt(key, p, err ? FT_OUT_ASYNC : FT_OUT_ABANDONED, err, NULL);
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
	__u64 key = (__u64)sk;

	/* Only an attempt still in SYN_SENT can be pending here: a refused
	 * connect has already gone to CLOSE (and been reported) when its
	 * error is reported, and most sockets erroring are not connecting. */
	if (sk->__sk_common.skc_state != TCP_SYN_SENT)
		return 0;
	p = bpf_map_lookup_elem(&ft_pending, &key);
	if (p && !p->err)
		p->err = BPF_CORE_READ(sk, sk_err);
	return 0;
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

/* The DNS wire programs and the resolver uprobes share these maps and
 * helpers; one object, one skeleton. */
#include "dns.bpf.c"
#include "resolver.bpf.c"
