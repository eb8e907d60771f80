// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * famtrace.h - the only ABI between famtrace's BPF programs and user space.
 *
 * Every record the kernel side writes into the ring buffer is declared here,
 * with fixed-width fields and explicit padding, so that the same bytes can be
 * decoded live, written to a recording, and read back on another machine.
 * This header must stay includable from both BPF C (vmlinux.h types) and
 * ordinary C (linux/types.h); it holds types and constants, never code.
 *
 * Times are CLOCK_BOOTTIME nanoseconds (bpf_ktime_get_boot_ns), the clock that
 * task->start_boottime and /proc/PID/stat use too.
 */
#ifndef FAMTRACE_H
#define FAMTRACE_H

#define FT_ABI_VERSION 4 /* 3: packed lookup records (FT_LF_PACKED); 4: process
			  * records say where the process runs */

#define FT_COMM_LEN 16
#define FT_SERVICE_LEN 16 /* service names compared, with their NUL */
#define FT_MAX_SERVICES 2048
#define FT_MAX_COMMS 64	  /* size of the process-name filter map */
#define FT_PORT_WORDS 1024 /* 65536-bit port bitmap as __u64 words */

/* Kinds of ring-buffer records; the first field of every record. */
enum ft_event_kind {
	FT_EV_ATTEMPT = 1, /* TCP connect attempt with its outcome */
	FT_EV_PROBE = 2,   /* UDP connect(): a route probe, not an attempt */
	FT_EV_PROC = 3,	   /* process fork, exec or exit */
	FT_EV_LOOKUP = 4,  /* a resolver call and its result */
	FT_EV_SRCADDR = 5, /* what an IPv6 source address is (temporary, ...) */
	FT_EV_DNS = 6,	   /* a DNS message on the wire (variable size) */
	FT_EV_CGROUP = 7,  /* what a cgroup id is: made (kernel), or described
			    * for the record (user space) */
};

/* How a TCP connect attempt ended. */
enum ft_outcome {
	FT_OUT_CONNECTED = 1, /* SYN_SENT -> ESTABLISHED */
	FT_OUT_IMMEDIATE = 2, /* connect() failed before a SYN left: err */
	FT_OUT_ASYNC = 3,     /* SYN_SENT -> CLOSE with sk_err set: err */
	FT_OUT_ABANDONED = 4, /* closed by the application while in SYN_SENT */
	FT_OUT_PROBE = 5,     /* UDP connect(); err is its result, 0 = routable */
	FT_OUT_PENDING = 6,   /* still in SYN_SENT when the trace ended (written by
			       * user space from ft_pending, end_ns = the end) */
};

/* What an FT_EV_PROC record reports. */
enum ft_proc_what {
	FT_PROC_FORK = 1,
	FT_PROC_EXEC = 2,
	FT_PROC_EXIT = 3,
	FT_PROC_SEEN = 4, /* written by user space from /proc: a process first
			   * seen at an attempt or lookup, with no fork or exec
			   * record (it ran before famtrace started) */
};

/* Why a process is traced (ft_task.why). */
enum ft_why {
	FT_WHY_ALL = 1,	  /* --all */
	FT_WHY_COMM = 2,  /* its name is on the mail-process list */
	FT_WHY_PORT = 3,  /* it connected to a mail port */
	FT_WHY_PID = 4,	  /* named by -p or started by `famtrace run` */
	FT_WHY_PARENT = 5 /* inherited from a traced parent */
};

/* Flags of an attempt (ft_attempt.flags). */
#define FT_F_NONBLOCK 0x1  /* the socket was O_NONBLOCK at connect() */
#define FT_F_TFO 0x2	   /* TCP Fast Open: the SYN may carry data (sendto/sendmsg
			    * MSG_FASTOPEN, or TCP_FASTOPEN_CONNECT) */
#define FT_F_NOCONNECT 0x4 /* not opened by connect(2): seen at SYN_SENT only, so
			    * an error before the SYN (no route) is not seen
			    * (written by famtrace before 0.4, read in recordings) */
#define FT_F_IOURING 0x8   /* opened by an io_uring worker (IORING_OP_CONNECT) */
#define FT_F_TFO_SYN_DATA 0x10   /* TFO, connected: the SYN carried data (a cookie was known) */
#define FT_F_TFO_DATA_ACKED 0x20 /* ... and the SYN-ACK acknowledged it (cookie accepted) */
#define FT_F_DROPPED_HERE 0x80	 /* a packet of the attempt (its SYN) was dropped on this
				  * host by netfilter: a firewall rule here, not the
				  * network (the kernel's drop reason, Linux 6.0+) */
#define FT_F_ERRNO_UNSEEN 0x40	 /* failed before the SYN (a UDP connect: failed), but no
				  * hook saw the errno: err is 0, never a guess */

/* Filter modes, set before load in .rodata (ft_cfg_mode). */
enum ft_mode {
	FT_MODE_MAIL = 0, /* mail process names, mail ports, and descendants */
	FT_MODE_ALL = 1,  /* every process */
	FT_MODE_PIDS = 2, /* only the seeded pids and their descendants */
};

/* Header of every record: 16 bytes. */
struct ft_hdr {
	__u16 kind; /* enum ft_event_kind */
	__u16 size; /* size of the whole record in bytes */
	__u32 cpu;
	__u64 ts_ns; /* when the record was produced */
};

/* Who did it: 48 bytes. Captured in process context, never from softirq. */
struct ft_task {
	__u32 tgid;
	__u32 tid;
	__u32 ppid; /* parent's tgid */
	__u32 uid;
	__u64 start_ns; /* thread-group leader's start (boottime ns) */
	char comm[FT_COMM_LEN];
	__u8 why; /* enum ft_why */
	__u8 _pad[7];
};

/* FT_EV_ATTEMPT and FT_EV_PROBE: 128 bytes. */
struct ft_attempt {
	struct ft_hdr hdr;
	struct ft_task task;
	__u64 start_ns; /* connect() entered */
	__u64 end_ns;	/* outcome known */
	__u8 daddr[16]; /* AF_INET: first 4 bytes; AF_INET6: as given */
	__u8 saddr[16]; /* local address, when known (SYN_SENT reached; a probe's route);
			 * all zero when not */
	__u16 family;	/* address family passed to connect() */
	__u16 dport;	/* host byte order */
	__u16 sport;	/* host byte order, 0 when unknown */
	__u8 proto;	/* IPPROTO_TCP or IPPROTO_UDP */
	__u8 outcome;	/* enum ft_outcome */
	__s32 err;	/* positive errno, 0 for none */
	__u32 flags;	/* FT_F_* */
};

/* FT_EV_PROC: 96 bytes (72 before record ABI 4: up to exit_code; readers
 * take the short form with the place fields zero). task.comm is the name
 * after the event. The place fields say where the process runs: its cgroup
 * (v2 id: the cgroup directory's inode, 0 when unknown), its pid in its own
 * PID namespace, and that namespace's and its network namespace's inode
 * numbers (nsfs, as /proc/PID/ns/pid and ns/net show them). */
struct ft_proc {
	struct ft_hdr hdr;
	struct ft_task task;
	__u32 what;	 /* enum ft_proc_what */
	__s32 exit_code; /* FT_PROC_EXIT: wait status as the kernel keeps it */
	__u64 cgroup_id;
	__u32 ns_tgid;	 /* tgid as the process's own PID namespace numbers it */
	__u32 ns_ppid;	 /* the parent's, in that namespace; 0 when the parent
			  * is outside it (a container's first process) */
	__u32 pidns;	 /* PID namespace inode */
	__u32 netns;	 /* network namespace inode */
};
#define FT_PROC_V3_SIZE 72 /* an FT_EV_PROC record of record ABI 3 */

/*
 * FT_EV_CGROUP: 344 bytes. The kernel writes one when a cgroup is made on
 * the v2 hierarchy (id and path; name empty), which user space keeps and
 * does not record. User space writes one, into the recording and the
 * correlator, for each cgroup a process record names: what it was, read
 * while it existed or when it was made (a container's cgroup goes with the
 * container), with a container's name. Before any process record that
 * names the id.
 */
#define FT_CG_PATH_LEN 256
#define FT_CG_NAME_LEN 64
struct ft_cgroup {
	struct ft_hdr hdr;
	__u64 cgroup_id;
	char path[FT_CG_PATH_LEN]; /* in the cgroup v2 hierarchy ("/system.slice/x.service");
				    * on a host without one, the systemd hierarchy's */
	char name[FT_CG_NAME_LEN]; /* a container's name, from its runtime's own
				    * metadata; "" when none is known */
};

/* Resolver entry points traced with uprobes (ft_lookup.api). */
enum ft_api {
	FT_API_GETADDRINFO = 1,
	FT_API_GETHOSTBYNAME = 2,
	FT_API_GETHOSTBYNAME2 = 3,
	FT_API_GETHOSTBYNAME_R = 4,
	FT_API_GETHOSTBYNAME2_R = 5,
	FT_API_RES_QUERY = 6,
	FT_API_RES_SEARCH = 7,
	FT_API_RES_NQUERY = 8,
	FT_API_RES_NSEARCH = 9,
	FT_API_RES_SEND = 10,
	FT_API_RES_NSEND = 11,
	FT_API_RES_QUERYDOMAIN = 12,  /* Sendmail: name "." domain */
	FT_API_RES_NQUERYDOMAIN = 13,
	FT_API_WIRE = 14,  /* user space only: a lookup seen on the wire alone
			    * (a resolver famtrace has no probe in) */
	FT_API_MAX = 14,
};

#define FT_NAME_LEN 128	 /* looked-up name, truncated (FT_LF_NAME_CUT) */
#define FT_LOOKUP_ADDRS 16 /* addresses kept from a result list, in order */
#define FT_DNS_MAX 512	 /* DNS message bytes copied; dns_total has the true size */

/* Flags of a lookup (ft_lookup.flags). */
#define FT_LF_MORE_ADDRS 0x1 /* the result list had more than FT_LOOKUP_ADDRS entries */
#define FT_LF_NAME_CUT 0x2   /* name longer than FT_NAME_LEN - 1 */
#define FT_LF_DNS_QUERY 0x4  /* dns[] holds the query (the send failed), not an answer */
#define FT_LF_DNS_UNSIZED 0x8 /* res_query/search failed: dns[] is the start of the
			       * answer buffer, which may hold the reply (NXDOMAIN,
			       * NODATA); its length is unknown, dns_total is 0 */
#define FT_LF_PACKED 0x10     /* written packed: the fixed part (FT_LOOKUP_FIXED
			       * bytes), then name_len bytes of name, n_addrs
			       * addresses and dns_len bytes of DNS, no unused
			       * room (the ring buffer's writes cost per byte) */

/* One address from a result list (24 bytes). */
struct ft_addr {
	__u16 family; /* AF_INET or AF_INET6 */
	__u16 port;   /* host byte order; 0 when not given */
	__u32 socktype;
	__u8 addr[16];
};

/*
 * FT_EV_SRCADDR: 128 bytes. An IPv6 source address an attempt or a route
 * probe of a traced process left from, as its interface holds it at that
 * moment. Written the first time a (netns, address) is seen and again when
 * its flags change, not per attempt; task is the process that used it.
 */
struct ft_srcaddr {
	struct ft_hdr hdr;
	struct ft_task task;
	__u8 addr[16];
	__u32 netns;	     /* network namespace inode */
	__u32 ifindex;	     /* the outgoing device */
	__u32 ifa_flags;     /* IFA_F_*: TEMPORARY 0x1, DEPRECATED 0x20, PERMANENT 0x80, ... */
	__u32 prefix_len;
	__u32 preferred_lft; /* seconds, as configured (0xffffffff: forever) */
	__u32 valid_lft;
	char ifname[16];
	__u8 proto;	     /* ifa_proto: 2 = router advertisement (SLAAC); 0 unknown
			      * (also on kernels before 6.3) */
	__u8 found;	     /* 0: not among the outgoing device's addresses */
	__u8 _pad[6];
};

/* FT_EV_LOOKUP: 1144 bytes, or packed (FT_LF_PACKED) as short as its
 * contents. Written when the resolver call returns. */
struct ft_lookup {
	struct ft_hdr hdr;
	struct ft_task task;
	__u64 start_ns; /* call entered */
	__u64 end_ns;	/* call returned */
	__s32 ret;	/* getaddrinfo: 0 or EAI_*; gethostbyname*: 0 found, -1 not
			 * (the _r forms: their return value); res_*: answer
			 * length or -1 */
	__u32 flags;	/* FT_LF_* */
	__s32 hint_family;   /* getaddrinfo hints / gethostbyname2 af; -1 none */
	__s32 hint_flags;    /* getaddrinfo hints ai_flags (AI_ADDRCONFIG...) */
	__s32 hint_socktype; /* getaddrinfo hints ai_socktype */
	__u16 qclass;	     /* res_query/search: class asked */
	__u16 qtype;	     /* res_query/search: type asked (1 A, 28 AAAA, 15 MX) */
	__u8 api;	     /* enum ft_api */
	__u8 n_addrs;	     /* entries used in addrs */
	__u16 dns_len;	     /* bytes used in dns */
	__u32 dns_total;     /* size of the whole DNS message */
	__u16 name_len;	     /* packed: bytes of name, its NUL included; 0: none */
	__u16 _pad;
	char name[FT_NAME_LEN]; /* node / name asked (res_send*: empty, see dns) */
	struct ft_addr addrs[FT_LOOKUP_ADDRS];
	__u8 dns[FT_DNS_MAX];
};

#define FT_LOOKUP_FIXED 116 /* offsetof(struct ft_lookup, name) */

/*
 * FT_EV_DNS: a DNS message a process sent or received, as the socket saw it
 * (cgroup skb programs on the root cgroup, UDP and TCP to/from the DNS
 * ports). 112 bytes of header, then msg_len bytes of the message; hdr.size
 * is the whole record. TCP: one segment's payload from the 2-byte length
 * prefix on (msg_total is that prefix's length); UDP: the datagram.
 */
#define FT_DNS_WIRE_MAX 4096 /* message bytes copied */

#define FT_DF_RECEIVED 0x1 /* an answer arriving (else a query leaving) */
#define FT_DF_IN_CALL 0x2  /* sent while the thread was inside a traced
			    * resolver call (received: its query was) */
#define FT_DF_TCP 0x4	   /* over TCP (else UDP) */
#define FT_DF_UNOWNED 0x8  /* an answer on a socket whose queries were not seen
			    * (opened before the trace, or its storage not made):
			    * no task, no message, counted by user space */
#define FT_DF_BY_SOCKET 0x10 /* a UDP answer whose sender is its query's, found by
			      * the socket's cookie: no task (the mail and all modes,
			      * where every query is reported) */

struct ft_dns {
	struct ft_hdr hdr;
	struct ft_task task;  /* the sender of the socket's queries */
	__u64 cookie;	      /* the socket (bpf_get_socket_cookie) */
	__u8 ns_addr[16];     /* the nameserver: AF_INET first 4 bytes */
	__u16 family;	      /* AF_INET or AF_INET6 */
	__u16 ns_port;	      /* host byte order */
	__u16 local_port;
	__u16 msg_len;	      /* bytes of msg copied */
	__u32 msg_total;      /* the message's true size */
	__u32 flags;	      /* FT_DF_* */
	__u32 _pad;
	/* msg_len bytes of the message follow */
};

#define FT_MAP_ENTRIES 65536 /* default size of ft_tracked, ft_pending, ft_opening */

/* Where an attempt in ft_pending stands (ft_pending.stage). */
enum ft_stage {
	FT_STAGE_OPENING = 0, /* inside connect(): before the SYN (TCP), or a UDP
			       * connect not settled yet */
	FT_STAGE_SYN_SENT = 1, /* TCP: the SYN left; its outcome comes from the socket */
};

/*
 * An attempt between connect() and its outcome (ft_pending, keyed by the
 * socket's cookie). User space reads what is left at the end of a trace:
 * attempts still in SYN_SENT, and ones whose connect() was not settled yet.
 * Never written to a recording (its layout may change). 120 bytes.
 */
struct ft_pending {
	struct ft_task task;
	__u64 start_ns;
	__u8 daddr[16];
	__u16 family;
	__u16 dport;
	__u8 proto;
	__u8 stage;	   /* enum ft_stage */
	__u8 route_seen;   /* the route lookup of this connect() was seen */
	__u8 confirmed;	   /* UDP: the socket showed it is connected */
	__s32 err;	   /* SYN_SENT: from inet_sk_error_report, if it came first;
			    * OPENING: the errno the route lookup decided (or
			    * EADDRNOTAVAIL: no local port), 0 when none */
	__u32 flags;
	__u8 saddr[16];	   /* the source: TCP at CLOSE -> SYN_SENT, UDP from its
			    * route or getsockname(); 0 before */
	__u64 decided_ns;  /* OPENING: when err or the route was decided */
	__u16 sport;	   /* UDP: from getsockname(), 0 when not seen */
	__u8 decided;	   /* OPENING: err is final (the socket fell back from
			    * SYN_SENT inside connect()); route lookups after it
			    * (a loopback reply processed in this thread) do not count */
	__u8 _pad[5];
};

/* Indexes of the per-CPU counters map (ft_counters). */
enum ft_counter {
	FT_CNT_LOST = 0,       /* ring buffer full: record dropped */
	FT_CNT_TRACK_FULL = 1, /* a process could not be added to ft_tracked */
	FT_CNT_PENDING_FULL = 2, /* an attempt could not be added to ft_pending */
	FT_CNT_STALE = 3,	 /* a pending entry whose socket had been reused: dropped */
	FT_CNT_MAX = 4,
};

#endif /* FAMTRACE_H */
