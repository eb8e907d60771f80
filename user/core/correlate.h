// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * correlate.h - the correlator: famtrace's events in, per-process facts out.
 *
 * Pure C: no libbpf, no I/O, no clock. Given the same events it reaches the
 * same facts, whether they come from the live ring buffer, a recording, or a
 * unit test. Facts leave through the sink callbacks as they become known and
 * stay queryable (correlator_procs) for the final report. The facts
 * themselves (attempt, lookup, group, proc) and the settings and sink are
 * declared in core/model.h, the bottom of core/; this is the door.
 *
 * SYNOPSIS
 *	correlator_new, correlator_free		one correlator, its settings and sink
 *	correlate_event, correlate_tick,	records in, time passing, the end
 *	correlate_flush
 *	correlator_procs, correlator_find	the processes and their facts
 *	correlator_events, correlator_first_ns, correlator_last_ns,
 *	correlator_procs_refused, correlator_dropped_groups,
 *	correlator_dropped_lookups, correlator_wire_stats	what it kept and dropped
 *	correlator_egress			port 25 that looks blocked in one family
 *	group_*, lookup_*, attempt_*, result_*	reading one fact (for the reporters)
 */
#ifndef FT_CORRELATE_H
#define FT_CORRELATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "core/model.h"
#include "lib/cgpath.h"

struct correlator;

struct correlator *correlator_new(const struct correlator_cfg *cfg, const struct sink *sink);
void correlator_free(struct correlator *c);

/* Feed one validated record (see ft_decode_check). */
void correlate_event(struct correlator *c, const void *rec, size_t len);
/* Time passes (boottime ns): close groups whose gap has elapsed. */
void correlate_tick(struct correlator *c, uint64_t now_ns);
/* End of input: close every open group. */
void correlate_flush(struct correlator *c);

/* All processes seen, in order of first appearance, and the per-name
 * summaries of folded exited processes (with cfg.place_sel, only the
 * processes that ran there); returns the count. The array is owned by the
 * correlator and valid until the next event, tick or call. */
size_t correlator_procs(struct correlator *c, struct proc ***out);
/* The most recent process with this tgid, or NULL. */
struct proc *correlator_find(struct correlator *c, uint32_t tgid);

/* Where a process runs (where.c): the cgroup its records named, as
 * described while it existed, read as a container or a unit. */
struct cg_info {
	uint64_t id;
	char path[FT_CG_PATH_LEN];
	char name[FT_CG_NAME_LEN]; /* a container's name, "" when none is known */
	struct cg_place place;
	struct cg_info *next;
};
/* The cgroups described so far, newest first (each ->next), NULL if none. */
const struct cg_info *correlator_cgroups(const struct correlator *c);
/* p's cgroup as described, NULL when it was not (or p's records had none). */
const struct cg_info *correlator_cgroup(const struct correlator *c, const struct proc *p);
/* Does p run in a PID namespace of its own (its pid there differs)? */
bool proc_in_own_pidns(const struct proc *p);
/* The pid p's own PID namespace knows it by: what its logs say. */
uint32_t proc_log_pid(const struct proc *p);
/* Does p run where sel says: a container's name or id (a prefix of 4 or
 * more of its hex id), or a unit's name (with or without ".service")? */
bool proc_place_is(const struct correlator *c, const struct proc *p, const char *sel);
/* Is p one the reports show and the log joins (cfg.place_sel)? */
bool correlator_proc_wanted(const struct correlator *c, const struct proc *p);

uint64_t correlator_events(const struct correlator *c);
/* Records of new processes not correlated: cfg.max_procs were held. */
uint64_t correlator_procs_refused(const struct correlator *c);
uint64_t correlator_first_ns(const struct correlator *c);
uint64_t correlator_last_ns(const struct correlator *c);
/* Finished groups and lookups of processes (live or not) freed to keep
 * memory bounded: their counters stay, their details are gone. */
uint64_t correlator_dropped_groups(const struct correlator *c);
uint64_t correlator_dropped_lookups(const struct correlator *c);

/* DNS messages on the wire (wire.c): how many came, and the ones that could
 * not be made into exchanges, each a reason to doubt "no lookup". */
struct wire_stats {
	uint64_t messages;  /* FT_EV_DNS records */
	uint64_t unowned;   /* answers on sockets with no question in flight (asked
			     * before the trace, or given up on) */
	uint64_t unmatched; /* answers matching none of their socket's questions */
	uint64_t dropped;   /* queries not kept: too many in flight */
	uint64_t unclaimed; /* exchanges inside a call whose lookup never came */
};
void correlator_wire_stats(const struct correlator *c, struct wire_stats *out);
/* Of a lookup's exchanges in flight together (A and AAAA sent in
 * parallel), the one answered first; NULL when none overlapped. */
const struct wire_x *wire_first_answer(const struct lookup *l);

/* Outbound port 25 in one family (egress.c): blocked when every attempt
 * to port 25 kept went unanswered (timed out, abandoned in SYN_SENT, still
 * connecting), at two or more addresses, none answered in any way, while
 * the family worked otherwise (a DNS answer over it, a connection to
 * another port). */
struct egress_block {
	bool blocked;
	uint64_t attempts; /* unanswered attempts to port 25 */
	unsigned hosts;	   /* their distinct addresses (up to 16 counted) */
	uint64_t dropped_here; /* of the attempts, those whose SYN netfilter dropped on
				* this host (FT_F_DROPPED_HERE): all of them, and it is
				* this host's firewall, not the provider */
	char works[160];   /* how the family worked otherwise, "" not seen */
};
void correlator_egress(struct correlator *c, enum wire_fam f, struct egress_block *b);

/* The attempt of g that started first, NULL if g has none. */
const struct attempt *group_first(const struct group *g);
/* g's first attempt (by start) that connected and whose session failed
 * (struct attempt's session_failed); NULL if none. */
const struct attempt *group_session_failed(const struct group *g);

/* Indexes of g->at in the order the attempts started; returns g->n. */
unsigned group_order(const struct group *g, int order[GROUP_MAX_ATTEMPTS]);

/* The addresses of family fam that g's lookups offered and no attempt of g
 * used, in offered order; returns how many (at most max) were written. */
unsigned group_untried(const struct group *g, enum wire_fam fam, struct offered *out, unsigned max);
/* How long after its last outcome g waits for more: the gap, or
 * GROUP_HOLD_NS while it failed with offered addresses untried. */
uint64_t group_wait_ns(const struct correlator *c, const struct group *g);

/* The lookup with this id kept for p, or NULL. */
const struct lookup *proc_lookup(const struct proc *p, uint64_t id);

/* The host name an attempt was looked up as, or NULL. */
const char *attempt_host(const struct proc *p, const struct attempt *a);
/* Case-insensitive FNV-1a of a name, never 0: a cheap first test before
 * strcasecmp when a process's lookups are searched by name (dest_hash). */
uint32_t lookup_name_hash(const char *s);

/*
 * Why a getaddrinfo result came in its order: steps[i] explains addrs[i]
 * before addrs[i + 1] (RFC 6724, sources from the route probes). Returns the
 * number of steps (n_addrs - 1, 0 for fewer than two addresses or another
 * call); *unexplained gets how many the rules put the other way round.
 */
unsigned lookup_order(const struct lookup *l, const struct addr_policy *pol,
		      struct order_step steps[LOOKUP_MAX_ADDRS], unsigned *unexplained);

#define ORDER_NAMES 128	     /* names whose result order is followed over the run */
#define ORDER_NAME_ADDRS 8   /* addresses of one family per name */

/* Over the run, for one name and family with several addresses: how often
 * each address came first in getaddrinfo's results, and how often rule 9
 * (longest prefix with the source) decided that. */
struct order_name {
	char name[FT_NAME_LEN];
	enum wire_fam fam;
	uint64_t lookups;	/* getaddrinfo results with 2+ addresses of fam */
	uint64_t rule9_first;	/* ...whose first address of fam won by rule 9 */
	uint8_t rule9_bits;	/* its common prefix bits, the last time */
	unsigned n_addrs;
	struct {
		uint8_t addr[16];
		uint64_t first;
		uint64_t seen;
	} addrs[ORDER_NAME_ADDRS];
};

/* "rule9_pinned": one address first every time, by rule 9, over 2+
 * lookups — DNS round robin across the others cannot work; "rotating": the
 * first address changed; NULL: too little seen. */
const char *order_name_verdict(const struct order_name *o);
/* The names followed, in order of first sight; returns the count. */
size_t correlator_orders(const struct correlator *c, const struct order_name **out);

/* What became of one host of an MX set (mx_fates.c). */
struct mx_fate {
	int pref;
	char host[FT_NAME_LEN];
	bool looked;	     /* a lookup of it was seen */
	unsigned asked;	     /* families its lookups asked (bits 1 << FAM_*) */
	unsigned fams;	     /* families its lookups returned */
	bool tried;
	enum result res;     /* when tried: how its last attempt ended */
	const char *why_not; /* NULL when tried */
};

/* For a destination reached through MX: its hosts in preference order
 * with their fates; returns how many (0 when g has no MX answer kept). */
unsigned group_mx_fates(const struct proc *p, const struct group *g, struct mx_fate *out,
			unsigned max);

/* "temporary", "slaac", "configured", ...: where a source address came
 * from; NULL when not known. */
const char *src_kind_origin(const struct src_kind *k);

/* An address behind a destination that deserves a word (addr_notes.c). */
struct addr_note {
	enum wire_fam fam;
	uint8_t addr[16];
	int cls;	 /* enum addr_class */
	bool transition; /* 6to4 or Teredo */
	bool source;	 /* a source an attempt left from, not an offered address */
	bool temporary;	 /* ...a temporary (privacy) one */
	char ifname[16];
};

/* The notes for g: offered addresses of a transition or internal class (not
 * internal when p has a source of that class itself), sources of a
 * transition class. Returns how many (at most max). */
unsigned group_address_notes(const struct proc *p, const struct group *g, struct addr_note *out,
			     unsigned max);
/* One note as a sentence. */
char *addr_note_text(char *buf, size_t len, const struct addr_note *a);

/* Notes said once: gathered by kind (what they say), each kind with up to
 * ADDR_NOTE_EXAMPLES addresses named and how many more. Zero it to start. */
#define ADDR_NOTE_KINDS 10
#define ADDR_NOTE_EXAMPLES 3
struct addr_note_set {
	struct {
		struct addr_note ex[ADDR_NOTE_EXAMPLES];
		unsigned shown, extra;
	} kind[ADDR_NOTE_KINDS];
	unsigned n, more; /* kinds, and notes of kinds beyond ADDR_NOTE_KINDS */
};
void addr_note_set_add(struct addr_note_set *s, const struct addr_note *a);
/* Kind k as one sentence: the single note's own, or "A, B and 3 more are ...". */
char *addr_note_set_text(char *buf, size_t len, const struct addr_note_set *s, unsigned k);

const char *api_name(enum ft_api a); /* "getaddrinfo", "res_nsearch", ... */
/* How an attempt was opened: "connect", "tfo", "io_uring" or "other" (seen at
 * SYN_SENT only, by a call famtrace does not hook). */
const char *attempt_via(const struct attempt *a);
/* A Fast Open attempt that connected: "data_in_syn" (cookie accepted),
 * "syn_data_refused" (the data went again after the handshake) or
 * "plain_handshake" (no cookie yet, or no data); NULL otherwise. */
const char *attempt_tfo(const struct attempt *a);
/* Which families a lookup asked for (bits 1 << FAM_*); 0 for an address
 * literal or a question that is not for addresses (MX, PTR...). */
unsigned lookup_asks(const struct lookup *l);
/* "ipv4", "ipv6", "both", "other", "ipv4_wire", "ipv6_wire": the JSON and
 * metrics names of LW_*. */
const char *lookup_wait_key(int k);
/* The family whose lookups are slow: its slowest single-family lookup
 * (A or AAAA alone, as Postfix asks), or its slowest answer on the wire
 * inside a call for both, took at least LOOKUP_SLOW_NS and ten times the
 * other family's slowest; FAM_N when none. */
enum wire_fam lookup_slow_family(const struct lookup_wait w[LW_N]);
/* Add src's lookup times into dst (counts and totals summed, slowest kept). */
void lookup_wait_add(struct lookup_wait dst[LW_N], const struct lookup_wait src[LW_N]);
/* "the slowest AAAA lookup took 1.00 s against 0.13 ms for IPv4" into buf,
 * for slow (FAM_V4 or FAM_V6); returns buf. */
const char *lookup_slow_text(const struct lookup_wait w[LW_N], enum wire_fam slow, char *buf, size_t len);
/* What family f's queries of l waited on the wire: from the call's start to
 * the family's first answer, or to the call's end when none was answered.
 * false when l sent no query of that family. */
bool lookup_wire_wait(const struct lookup *l, enum wire_fam f, uint64_t *ns);
/* A family's slowest wait: single-family lookups or its answers on the wire. */
uint64_t lookup_fam_max(const struct lookup_wait w[LW_N], enum wire_fam f);
#define LOOKUP_SLOW_NS 1000000000ULL

enum result result_of(enum ft_outcome o, int err);
const char *result_name(enum result r);	 /* "refused", "net unreachable", ... */
const char *result_key(enum result r);	 /* stable JSON form: "refused", "net_unreachable" */
const char *group_class_name(enum group_class g); /* "connected first time", ... */
const char *group_class_key(enum group_class g);  /* "connected_first", "fallback", ... */

#endif
