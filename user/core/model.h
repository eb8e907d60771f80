// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * model.h - the correlator's facts as types: an attempt, a lookup with its
 * DNS exchanges, a destination group, a process with its counters; their
 * bounds; the settings a correlator is made with and the sink its facts
 * leave by. The bottom of core/: every part of the correlator, and every
 * reader of its facts, stands on it; it includes nothing of core/.
 */
#ifndef FT_MODEL_H
#define FT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "famtrace.h"
#include "lib/fmt.h"
#include "lib/dns.h"
#include "lib/addrorder.h"

/* How an attempt ended, as a person reads it. */
enum result {
	RES_CONNECTED = 0,
	RES_REFUSED,	 /* ECONNREFUSED: RST to the SYN */
	RES_NET_UNREACH, /* ENETUNREACH: no route (immediate) or ICMP */
	RES_HOST_UNREACH,
	RES_TIMEOUT,	/* ETIMEDOUT: SYNs never answered */
	RES_ABANDONED,	/* closed by the application in SYN_SENT */
	RES_NO_ADDR,	/* EADDRNOTAVAIL: no usable source address or port */
	RES_NO_FAMILY,	/* EAFNOSUPPORT */
	RES_DENIED,	/* EACCES / EPERM: policy (cgroup, firewall) */
	RES_OTHER,
	RES_UNSEEN,	 /* failed before the SYN; no hook saw the errno */
	RES_IN_PROGRESS, /* still in SYN_SENT when the trace ended */
	RES_N
};

/* What happened to a group of attempts toward one destination. */
enum group_class {
	GC_CONNECTED_FIRST = 0, /* the first attempt connected */
	GC_FALLBACK,		/* failed in one family, connected in the other */
	GC_RETRIED,		/* failed, then connected, all in one family */
	GC_ALL_FAILED,		/* no attempt connected */
	GC_NO_FALLBACK,		/* all failed in one family; the lookup had the other */
	GC_FAMILY_UNREACHABLE,	/* the lookup had only a family the process never tries */
	GC_NO_USABLE_ADDRESS,	/* an MX set whose hosts gave no address in any family asked */
	GC_FIRST_ANSWER_EMPTY,	/* A and AAAA asked at once on the wire, the first answer
				 * empty, the other's addresses never tried: nothing was */
	GC_N
};

/* What an IPv6 source address was when it was used (bpf: FT_EV_SRCADDR). */
struct src_kind {
	bool known;	   /* the kernel reported it (IPv6 only) */
	bool found;	   /* ...and found it on the outgoing device */
	uint32_t flags;	   /* IFA_F_* */
	uint8_t proto;	   /* ifa_proto (2: SLAAC), 0 unknown */
	uint32_t preferred_lft, valid_lft, prefix_len;
	char ifname[16];
};

struct attempt {
	uint64_t start_ns, end_ns;
	uint8_t daddr[16], saddr[16]; /* wire-family form (4 bytes for IPv4) */
	bool has_saddr;		      /* saddr known: SYN_SENT reached, or a probe's route */
	struct src_kind src;	      /* what saddr was (IPv6) */
	bool dns;		      /* a UDP connect to a nameserver port: a DNS socket,
				       * not a route probe */
	enum wire_fam fam;	      /* family on the wire */
	bool v4mapped;		      /* AF_INET6 socket, ::ffff:a.b.c.d */
	bool nonblock;
	uint32_t flags; /* FT_F_*: how it was opened (TFO, io_uring, not connect()) */
	uint16_t dport, sport;
	uint32_t tid;
	enum ft_outcome outcome;
	int err; /* errno, 0 if none */
	enum result res;
	/* Connected, and then the process went on to another address of the
	 * same delivery (groups.c): the session failed after the handshake (a
	 * greeting refused, a 4xx reply). The group no longer counts it as
	 * its winner. */
	bool session_failed;
	uint64_t lookup_id; /* the lookup whose result held daddr, 0 if none */
};

/* An address as a lookup returned it. */
struct offered {
	enum wire_fam fam;
	uint8_t addr[16];
	uint16_t port;
};

#define LOOKUP_MAX_ADDRS 16

/* The source address glibc's route probe found for an offered address. */
struct lookup_src {
	int8_t state; /* 1: source known, -1: the probe failed (err), 0: no probe seen */
	int8_t deprecated; /* the source was deprecated: 1, not: 0, unknown: -1 */
	int16_t err;
	uint8_t addr[16];
};

/*
 * One DNS question on the wire and what came of it: a query the process
 * sent and the answer it received (or none). Kept inside its lookup, by
 * value, so that a lookup copied to a child stays self-contained.
 */
struct wire_x {
	uint64_t sent_ns;
	uint64_t answered_ns;	/* 0: no answer seen */
	uint8_t ns_addr[16];	/* the nameserver */
	uint8_t ns_fam;		/* enum wire_fam */
	bool tcp;
	bool asked_again;	/* unanswered, and the same question was sent again */
	bool truncated;		/* the answer had TC set */
	uint16_t ns_port;
	uint16_t id;		/* DNS id */
	uint16_t qtype;
	uint16_t hflags;	/* the answer's header flags word (QR..RCODE) */
	int16_t rcode;		/* -1: no answer */
	uint16_t n_answers;	/* answer records in the answer */
	uint16_t n_addrs;	/* of them A/AAAA records */
	uint32_t size;		/* the answer's size in bytes */
	char qname[DNS_NAME_LEN];
};

#define LOOKUP_MAX_WIRE 8

/* One resolver call and its result. */
struct lookup {
	/* What a walk over a process's lookups reads, in the first cache
	 * line: the struct is 3 KB, and a busy relay's processes hold dozens. */
	struct lookup *next;	/* newest first */
	uint64_t id; /* 1, 2, ... in arrival order */
	uint64_t start_ns, end_ns;
	uint32_t dest_hash;	/* lookup_name_hash of its name; 0: not computed */
	bool checked;		/* looked at for family_unreachable */
	enum ft_api api;
	char name[FT_NAME_LEN]; /* as asked; for res_send the question's */
	int ret;
	int hint_family, hint_flags, hint_socktype;
	uint16_t qtype, qclass; /* res_*: asked; res_send: from the question */
	bool failed;		/* no usable result (EAI_*, not found, -1, rcode != 0) */
	bool more_addrs;	/* the result list was longer than kept */
	unsigned n_addrs;	/* addresses offered, in result order, duplicates removed */
	struct offered addrs[LOOKUP_MAX_ADDRS];
	bool has_dns;
	struct dns_msg dns;	/* res_*: the parsed message */
	uint32_t dns_total;
	unsigned used;		/* attempts linked to it */
	bool inherited;		/* a copy of the parent's lookup (not counted twice) */
	bool literal;		/* the name is an address ("2001:db8::1"): no name, no question */
	uint32_t tid;		/* the thread that called */
	bool has_src;		/* getaddrinfo with 2+ addresses: src[] filled */
	struct lookup_src src[LOOKUP_MAX_ADDRS]; /* per addrs[i], from route probes */
	/* The DNS messages of this lookup on the wire, in the order they were
	 * sent: inside a C library call, the ones its thread exchanged during
	 * the call; a lookup seen only on the wire (api FT_API_WIRE), its
	 * question's tries. */
	unsigned n_wire;
	unsigned wire_extra; /* more than LOOKUP_MAX_WIRE: counted, not kept */
	struct wire_x wire[LOOKUP_MAX_WIRE];
};

#define GROUP_MAX_ATTEMPTS 16
#define GROUP_MAX_OFFERED 32 /* addresses of a destination kept (4 MX hosts x 5, and more) */

struct proc;

struct group {
	uint64_t id; /* 1, 2, ... in the order groups were opened */
	uint64_t settled_msg; /* messages_settle: the seq + 1 of the message whose
			       * delivery it carried first; 0 none yet */
	struct proc *proc;
	uint16_t dport;
	char key[FT_NAME_LEN];	     /* what attempts group by: MX domain, else host name */
	char name[FT_NAME_LEN];	     /* host name of the first linked lookup, "" if none */
	char mx_domain[FT_NAME_LEN]; /* the domain whose MX led here, "" if none */
	int mx_pref;		     /* its preference, -1 if none */
	struct offered offered[GROUP_MAX_OFFERED]; /* what the linked lookups returned:
						    * every host of an MX set */
	unsigned n_offered;
	unsigned n_offered_extra; /* offered beyond GROUP_MAX_OFFERED, not kept */
	uint64_t lookup_ids[4]; /* linked lookups, oldest first */
	unsigned n_lookup_ids;
	uint64_t first_start_ns, last_end_ns;
	uint64_t decided_ns; /* when it was classified and closed: the correlator's time then */
	struct attempt at[GROUP_MAX_ATTEMPTS];
	unsigned n;	  /* attempts stored */
	unsigned n_extra; /* attempts seen beyond GROUP_MAX_ATTEMPTS */
	int winner;	  /* index of the attempt that connected, -1 if none */
	bool final;
	bool service; /* a mail program's connection to a non-mail port (ident):
		       * reported apart, never judged as a delivery */
	/* Valid once final: */
	enum group_class cls;
	enum wire_fam from_fam, to_fam; /* fallback: first family, winning family;
					 * no_fallback: family tried, family not tried;
					 * family_unreachable: the family offered */
	uint64_t cost_ns;		/* first start -> winner's start */
	unsigned fam_mask;		/* bit per wire family tried */
	unsigned asked_mask;		/* no_usable_address: families its hosts were asked for */
	/* First-answer race (race.c): A and AAAA asked at once on the wire,
	 * only the family that answered first was tried, and it was tried
	 * before the other family's answer came. */
	bool race;
	enum wire_fam race_fam;	/* the family that answered first, the one tried */
	uint64_t race_lead_ns;	/* how much later the other family's answer came */
	struct group *next;		/* in the process's open or done list */
};

struct fam_stats {
	uint64_t tried, connected;
	uint64_t res[RES_N];
	uint64_t lat_n, lat_sum_ns, lat_min_ns, lat_max_ns; /* connected attempts */
	uint64_t probes_ok, probes_failed;
	int last_probe_err;
	uint64_t dns_ok, dns_failed; /* UDP sockets connected to a nameserver port */
	/* What the process's own network said, before any packet left: connects
	 * and route probes that failed at the route lookup with ENETUNREACH (no
	 * route to the address, so no default route either), or with
	 * EADDRNOTAVAIL (no source address of the family). */
	uint64_t local_no_route, local_no_addr;
};

#define PROC_MAX_DONE_GROUPS 64 /* finished groups kept per process for the report */
#define PROC_DONE_SLACK 16	/* ...and up to this many more between cuts */
#define PROC_MAX_OPEN_GROUPS 32 /* destinations collecting attempts at once, per process */
#define PROC_MAX_LOOKUPS 32	/* recent lookups kept per process for joining */
#define PROC_LOOKUPS_SLACK 16	/* ...and up to this many more between cuts */
#define PROC_LOOKUP_KEYS (PROC_MAX_LOOKUPS + PROC_LOOKUPS_SLACK + 1) /* the list's most */
#define PROC_KEEP_EXITED 4	/* finished groups kept once a process has exited */
#define CANDIDATE_LOOKUPS 256	/* lookups kept from processes not (yet) traced */
#define FOLD_KEEP_EXITED 256	/* settled exited processes kept one by one; older
				 * ones are folded into one summary per name */
#define FOLD_MAX_NAMES 256	/* summaries; later names fold into "other" */
#define DETAIL_GROUPS_BUDGET 8192  /* finished groups kept over all processes (~19 MB) */
#define DETAIL_LOOKUPS_BUDGET 4096 /* lookups kept over all processes (~13 MB) */

/* A route probe kept briefly: getaddrinfo's probes arrive before its
 * result, which then takes the sources from them. */
struct probe_note {
	uint64_t ns;
	uint32_t tid;
	enum wire_fam fam;
	int err;
	int8_t deprecated; /* as lookup_src */
	uint8_t daddr[16], saddr[16];
};

#define PROC_PROBES 16 /* probes kept per process (a ring, allocated at the first) */
#define PROC_SRCS 4	/* source addresses counted per process */
/* Each process held costs about 3 KiB before any detail (struct proc and
 * its hash entry): 16,384 of them are about 50 MB, beside the details'
 * 49 MB (fold.c). A local user can keep that many alive; the records of
 * processes beyond are counted (correlator_procs_refused), not correlated,
 * and make the trace incomplete. */
#define PROC_HELD_MAX 16384

/* A source address a process's attempts left from, and how often. */
struct proc_src {
	enum wire_fam fam;
	uint8_t addr[16];
	uint64_t attempts;
	struct src_kind kind; /* as last seen */
};

/* Time spent in lookups by what they asked: IPv4 only (A, AF_INET), IPv6
 * only (AAAA, AF_INET6), both (getaddrinfo AF_UNSPEC), other (MX, ...).
 * LW_WIRE_V4/V6 split the "both" calls by what their messages on the wire
 * show: from the call's start to that family's first answer (to the call's
 * end when none came). */
enum lookup_wait_kind { LW_V4 = 0, LW_V6, LW_BOTH, LW_OTHER, LW_WIRE_V4, LW_WIRE_V6, LW_N };
struct lookup_wait {
	uint64_t n, sum_ns, max_ns;
};

/* A kept lookup as the walks that pick one see it first: its id and the
 * hash of its name, in a compact ring beside the list (a lookup is 3 KB;
 * walking a busy process's list by its nodes was a cache miss each). */
struct lookup_key {
	struct lookup *l;
	uint64_t id;
	uint32_t hash; /* its dest_hash; 0: not computed, compare the name */
};

struct proc {
	uint32_t tgid, ppid, uid;
	uint64_t start_ns; /* with tgid, the identity of the process */
	char comm[FT_COMM_LEN];
	char first_comm[FT_COMM_LEN]; /* before any exec we saw */
	uint8_t why;		      /* enum ft_why */
	uint64_t first_ns, last_ns;
	bool exited;
	int exit_code;
	uint64_t exit_ns;
	bool trimmed; /* exited and settled: lookups freed, done groups cut to PROC_KEEP_EXITED */
	uint64_t groups_dropped, lookups_dropped; /* details freed by the memory bound */
	struct fam_stats fam[FAM_N];
	uint64_t groups[GC_N];	/* delivery groups by class (service ones apart) */
	uint64_t races;		/* groups with a first-answer race (race.c) */
	uint64_t wire_lookups;	/* lookups of api FT_API_WIRE ever kept: none,
				 * and there is no race to look for */
	uint64_t service_groups; /* connections of a mail program to non-mail ports */
	uint64_t fallback_cost_sum_ns, fallback_cost_max_ns;
	uint64_t dual_first[FAM_N]; /* groups offered both families, by the first family tried */
	unsigned fallback_fam_from[FAM_N]; /* fallbacks by the family that failed */
	struct lookup *lookups;		    /* newest first, at most PROC_MAX_LOOKUPS (+ SLACK) */
	unsigned n_lookups;
	/* The same lookups' keys, the newest at lkey_top, the i-th newest
	 * i places before it (proc_lkey); n_lookups of them are valid. */
	struct lookup_key lkeys[PROC_LOOKUP_KEYS];
	unsigned lkey_top;
	uint64_t check_due_ns; /* no lookup of p is due for lookup_check_unused before this (0: unknown) */
	uint64_t lookups_total, lookups_failed, lookup_lat_sum_ns, lookup_lat_max_ns;
	struct lookup_wait wait[LW_N]; /* time spent in lookups, by the families asked */
	uint64_t lookups_by_api[FT_API_MAX + 1];
	uint64_t asked_a, asked_aaaa, asked_mx, asked_other; /* res_*: types asked */
	uint64_t gai_unspec, gai_inet, gai_inet6;	      /* getaddrinfo: families asked */
	uint64_t gai_literal; /* getaddrinfo of an address literal: asked no one */
	struct group *open;		    /* groups still collecting attempts */
	struct group *done;		    /* newest first, at most PROC_MAX_DONE_GROUPS (+ SLACK) */
	unsigned n_done;
	uint32_t src_classes[FAM_N]; /* bit per enum addr_class of the sources seen */
	struct proc_src srcs[PROC_SRCS];
	unsigned n_srcs;
	uint64_t srcs_more; /* attempts from further sources, not kept */
	struct probe_note *probes; /* PROC_PROBES, newest at probe_next - 1 */
	unsigned probe_next;
	/* Where it runs (the place fields of its process records; 0: unknown):
	 * its cgroup, its pid and its parent's in its own PID namespace, and
	 * that namespace's and its network namespace's inodes. */
	uint64_t cgroup_id;
	uint32_t ns_tgid, ns_ppid, pidns, netns;
	bool place_asked; /* live: /proc was read for it (it had no record) */
	uint64_t seq; /* order of first appearance */
	uint64_t folded; /* >0: not a process but the sum of this many exited
			  * processes named comm (tgid 0) */
	struct proc *hnext;
};

/* p's i-th newest kept lookup's key (i < p->n_lookups). */
static inline const struct lookup_key *proc_lkey(const struct proc *p, unsigned i)
{
	unsigned k = p->lkey_top >= i ? p->lkey_top - i : p->lkey_top + PROC_LOOKUP_KEYS - i;

	return &p->lkeys[k];
}

/* Facts as they become known. Any callback may be NULL. */
struct sink {
	void *ctx;
	/* An attempt's outcome; g is the group it joined (not yet final, but
	 * classified so far), a points into g->at when the group kept it. */
	void (*attempt)(void *ctx, const struct proc *p, const struct attempt *a,
			const struct group *g);
	/* A UDP connect(): a route probe. */
	void (*probe)(void *ctx, const struct proc *p, const struct attempt *a);
	/* A group of attempts is classified and closed. */
	void (*group)(void *ctx, const struct proc *p, const struct group *g);
	/* A traced process exited (its groups were closed just before). */
	void (*exit)(void *ctx, const struct proc *p);
	/* A lookup attributed to a traced process (possibly made earlier). */
	void (*lookup)(void *ctx, const struct proc *p, const struct lookup *l);
};

struct correlator_cfg {
	/* Attempts to the same port join a group while each starts no later
	 * than this after the previous outcome. */
	uint64_t group_gap_ns;
	/* Keep an exited process's lookups and groups (check: a verdict's
	 * evidence; the memory budget of fold.c still bounds them). */
	bool keep_exited_details;
	/* A mail program's (by name) connections to a port that is not a mail
	 * port (ident 113, ...) are not deliveries: groups marked service.
	 * n_mail_comms 0: no group is. */
	const char *const *mail_comms;
	size_t n_mail_comms;
	const uint16_t *mail_ports;
	size_t n_mail_ports;
	/* Nameserver ports: a UDP connect to one is a DNS socket, not a route
	 * probe. n_dns_ports 0: port 53. */
	const uint16_t *dns_ports;
	size_t n_dns_ports;
	/* The policy table getaddrinfo sorted with; NULL: glibc's built-in. */
	const struct addr_policy *policy;
	/* Processes held at once (live, or exited and not yet folded);
	 * 0: PROC_HELD_MAX. */
	size_t max_procs;
	/* Only processes that run here (a container's name or id, a unit's
	 * name: proc_place_is) are reported and joined to the MTA's log;
	 * NULL: all. */
	const char *place_sel;
};

#define DEFAULT_GROUP_GAP_NS 2000000000ULL
/* A group whose attempts all failed while addresses it was offered are
 * untried stays open this long after its last outcome (not just the gap):
 * a client that pauses before the next address (OpenSMTPD waits 2 s) goes
 * on with the same destination. Only an attempt to one of those untried
 * addresses, from the group's own lookups, joins it after the gap. */
#define GROUP_HOLD_NS 5000000000ULL
/* Exited processes whose details check keeps (800 bytes each, plus what
 * the details budget of fold.c allows): beyond, they are trimmed. */
#define CHECK_KEEP_PROCS 4096

#endif
