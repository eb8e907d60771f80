// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * correlate_int.h - the correlator's insides, shared by its files and by
 * nothing else: the correlator struct and the functions one part of the
 * correlator offers the others. Each part calls only parts below it
 * (checked against the objects' symbols when this was written), bottom up:
 *   model.c (reading facts: a lookup's name, the lookup an attempt joined);
 *   procs.c (the process table), where.c (where each runs), srcaddrs.c,
 *   labels.c, addr_notes.c;
 *   race.c, lookup_order.c, mx_fates.c (what a group's lookups tell);
 *   egress.c (port 25 silent in one family, over all processes);
 *   groups.c (attempts toward one destination);
 *   lookups.c (resolver calls, their join to attempts);
 *   wire.c (DNS messages on the wire, made into or claimed by lookups);
 *   fold.c (what is kept: trimming, folding, the memory budget);
 *   correlate.c (the event dispatch, on top).
 */
#ifndef FT_CORRELATE_INT_H
#define FT_CORRELATE_INT_H

#include "core/model.h"
#include "core/correlate.h" /* the calls the parts implement */

#define PROC_BUCKETS 4096

struct correlator {
	struct correlator_cfg cfg;
	struct sink sink;
	struct proc *buckets[PROC_BUCKETS];
	struct proc **all; /* in order of first appearance */
	size_t n_all, cap_all;
	uint64_t next_group_id, next_lookup_id;
	/* Lookups of processes not traced (yet): a ring, oldest overwritten. */
	struct lookup *cand[CANDIDATE_LOOKUPS];
	uint32_t cand_tgid[CANDIDATE_LOOKUPS];
	uint64_t cand_start[CANDIDATE_LOOKUPS];
	unsigned cand_next;
	uint64_t events;
	uint64_t first_ns, last_ns;
	uint64_t now_ns; /* the latest time known: of a record or a tick */
	size_t n_held;				/* processes allocated (summaries apart) */
	uint64_t procs_refused;			/* records of processes beyond max_procs */
	size_t n_trimmed;			/* settled exited processes in all[] */
	uint64_t dropped_groups, dropped_lookups; /* by the memory bound */
	struct proc *folds[FOLD_MAX_NAMES + 1]; /* per-name summaries; last: "other" */
	unsigned n_folds;
	struct order_name orders[ORDER_NAMES]; /* lookup_order.c */
	unsigned n_orders;
	struct src_seen *srcs; /* srcaddrs.c: a ring of SRC_SEEN */
	unsigned src_next;
	struct wire_state *wire; /* wire.c, made at the first DNS record */
	struct cg_info *cgroups; /* where.c: the cgroups described, newest first */
	struct proc **shown;	 /* correlator_procs with cfg.place_sel: those of all[] there */
	size_t cap_shown;
	unsigned n_cgroups;
};

#define SRC_SEEN 256 /* IPv6 source addresses remembered with their kind */

struct src_seen {
	uint8_t addr[16];
	struct src_kind kind;
};

/* procs.c */
struct proc *procs_exact(struct correlator *c, uint32_t tgid, uint64_t start_ns);
bool procs_append(struct correlator *c, struct proc *p);
/* Find or create the process of t; *created says which. */
struct proc *procs_get(struct correlator *c, const struct ft_task *t, uint64_t ts, bool *created);
void procs_unhash(struct correlator *c, struct proc *p);

/* where.c */
void where_cgroup_event(struct correlator *c, const struct ft_cgroup *r);
void where_proc_event(struct proc *p, const struct ft_proc *r);
void where_free(struct correlator *c);

/* groups.c */
size_t groups_held(void);	/* groups in memory, all correlators */
void groups_note_alloc(void);	/* one more, made outside groups.c */
void groups_free(struct group *g); /* a whole list */
void groups_cut(struct group **head, unsigned keep);
void proc_cut_done(struct correlator *c, struct proc *p, unsigned keep); /* counted */
void group_finalize(struct correlator *c, struct proc *p, struct group *g);
struct group *group_for(struct correlator *c, struct proc *p, const struct attempt *a,
			const char *name);
const struct attempt *group_add(struct group *g, const struct attempt *a);

/* model.c (the rest of it is read by the reporters too: correlate.h) */
const char *lookup_dest(const struct lookup *l);

/* lookups.c */
size_t lookups_held(void); /* lookups kept by processes, all correlators */
void lookups_free(struct lookup *l);
void lookups_cut(struct correlator *c, struct proc *p, unsigned keep);
void lookups_adopt(struct correlator *c, struct proc *p);
const struct lookup *lookup_mx_of(const struct proc *p, const char *host, int *pref);
void lookup_attach(struct correlator *c, struct proc *p, struct lookup *l);
struct lookup *lookup_from(struct correlator *c, const struct ft_lookup *r);
/* The whole answer to l's question, from the wire (len of total bytes):
 * where l's own copy was cut (the resolver probes and the ring buffer's
 * record keep FT_DNS_MAX bytes), l is read again from it, and its
 * addresses added. Ignored unless it answers l's question. */
void lookup_full_answer(struct lookup *l, const uint8_t *msg, uint32_t len, uint32_t total);
void lookup_route(struct correlator *c, const struct ft_task *t, uint64_t ts, struct lookup *l);

/* Is port a nameserver port (--dns-port; none given: 53)? */
static inline bool is_dns_port(const struct correlator *c, uint16_t port)
{
	if (!c->cfg.n_dns_ports)
		return port == 53;
	for (size_t i = 0; i < c->cfg.n_dns_ports; i++)
		if (c->cfg.dns_ports[i] == port)
			return true;
	return false;
}

/* race.c */
void race_judge(struct proc *p, struct group *g);

/* wire.c: DNS messages on the wire */
void wire_event(struct correlator *c, const struct ft_dns *d, size_t len);
/* Queries unanswered for WIRE_TIMEOUT_NS are settled; held exchanges that
 * no C library call claimed are let go. */
void wire_tick(struct correlator *c, uint64_t now_ns);
/* A C library lookup of (tgid, its start) takes the exchanges its thread
 * made during the call. */
void wire_claim(struct correlator *c, struct lookup *l, uint32_t tgid, uint64_t pstart);
void wire_free(struct correlator *c);
struct lookup *lookup_link(struct proc *p, struct attempt *a, bool names_only);
/* The attempt's address was returned by none of p's lookups: a process that
 * resolves and then forks the child that connects (Exim's delivery) — p
 * inherits copies of its parent's lookups that ended within the group gap
 * before the attempt and returned its address; else, of the same, a
 * sibling's of the same name (an MTA whose resolver and client are two
 * children of its master: OpenSMTPD's lka and mta). Returns how many. */
unsigned lookups_inherit(struct correlator *c, struct proc *p, const struct attempt *a);
void lookup_join(struct proc *p, struct group *g, const struct lookup *l);
void lookup_check_unused(struct correlator *c, struct proc *p, struct lookup *l);

/* srcaddrs.c */
void srcaddr_event(struct correlator *c, const struct ft_srcaddr *r);
/* The kind of an IPv6 source, as last reported; false if never. */
bool srcaddr_kind(const struct correlator *c, const uint8_t addr[16], struct src_kind *out);
void srcaddr_count(struct proc *p, const struct attempt *a); /* a TCP attempt with a source */
void srcaddr_fold(struct proc *d, const struct proc *s);	     /* into a summary */

/* lookup_order.c */
void order_note_probe(struct proc *p, const struct attempt *a); /* keep a route probe */
void order_attach(struct correlator *c, struct proc *p, struct lookup *l); /* sources, stats */
void order_free(struct proc *p);

/* fold.c */
void fold_trim_exited(struct proc *p);
void fold_exited(struct correlator *c);
void fold_bound_details(struct correlator *c);

#endif
