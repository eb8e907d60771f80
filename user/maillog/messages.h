// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * messages.h - the MTA's messages joined to famtrace's facts: each delivery
 * line of the log (queue ID, process id, time, relay, status) finds the
 * destination group of that process that it reports on, so a message shows
 * the lookups and attempts behind each of its delivery attempts.
 */
#ifndef FT_MESSAGES_H
#define FT_MESSAGES_H

#include <stdbool.h>
#include <stdint.h>

#include "core/correlate.h"
#include "maillog/maillog.h"

/* What to print: NULL fields select everything. */
struct msg_filter {
	const char *qid;       /* --queue-id: this message, its notice, its original */
	const char *domain;    /* --domain: a recipient in this domain */
	const char *recipient; /* --recipient: this recipient */
};

bool msg_filter_active(const struct msg_filter *f);
bool msg_selected(const struct mlog *m, const struct mlog_message *msg, const struct msg_filter *f);

/*
 * The group of the delivery's process that the delivery line reports on:
 * the newest whose destination is the recipient's domain (MX), the relay
 * host or address, and which began before the line was logged. *pp gets
 * the process. NULL when famtrace saw none (the process was not traced, or
 * the line is from before the trace).
 */
const struct group *msg_delivery_group(struct correlator *c, const struct mlog_delivery *d,
				       int64_t boot_to_real_ns, const struct proc **pp);
/* The same; NULL with *ambiguous when processes of two PID namespaces (the
 * host and a container, two containers) fit the line alike: a log line's
 * pid is its own namespace's, and which namespace logged it is not known. */
const struct group *msg_delivery_group_ns(struct correlator *c, const struct mlog_delivery *d,
					  int64_t boot_to_real_ns, const struct proc **pp, bool *ambiguous);

/*
 * What the remote servers answered in one delivery, from the MTA's log: the
 * reply its delivery line ended on, the sessions given up before it (lines
 * of their own, of the same process, since its group began), and whether
 * the mail was refused over one family while the other was never tried.
 */
#define MSG_MAX_SESSIONS MLOG_MAX_REPLIES
struct msg_smtp {
	bool reused;		 /* messages_settle: the group carried another message's
				  * delivery first (a reused connection) */
	bool has_final;		 /* the delivery line's text is a remote reply */
	struct smtp_reply final;
	int final_fam;		 /* enum wire_fam of its address, -1 if not known */
	const struct mlog_reply *failed[MSG_MAX_SESSIONS]; /* oldest first */
	int failed_fam[MSG_MAX_SESSIONS];
	unsigned n_failed;
	/* Not delivered, the last reply a 5xx refusal of the sending host
	 * (smtp_reply_judges_source) from an address of refused_fam, the
	 * other family offered by the group and never tried (untried_other
	 * addresses): "refused over IPv6". -1: not. */
	int refused_fam;
	unsigned untried_other;
	/* Not delivered, and the line's text names an address of status_fam
	 * only, while the group's attempts in the other family failed too
	 * (other_failed of them, the last as other_res): the MTA's status
	 * line tells one family's error ("Network is unreachable" for IPv6
	 * while IPv4's port 25 timed out). status_fam -1: not so. */
	int status_fam;
	unsigned other_failed;
	enum result other_res;
};
/* g's attempt to the address the log wrote (the last one, if several); NULL
 * if none. */
const struct attempt *msg_attempt_to(const struct group *g, const char *addr);

void msg_delivery_smtp(const struct mlog_message *msg, const struct mlog_delivery *d,
		       const struct group *g, int64_t boot_to_real_ns, struct msg_smtp *out);

/* Did an address family problem stand behind the group (a failure in one
 * family, no fallback, a family unreachable, no usable address)? */
bool msg_family_problem(const struct group *g);

/*
 * Which message's delivery a group carried first: every delivery line of
 * m (of the selected messages, wanted(msg) true, or all when wanted is
 * NULL) joined, and per group the earliest line's message kept. A later
 * delivery of another message joined to the same group rode a connection
 * that delivery opened (OpenSMTPD's and Postfix's connection reuse): its
 * attempts, and their cost, were the first delivery's. msg_claims_first
 * gives that first message, or NULL.
 */
struct msg_claims {
	struct msg_claim {
		uint64_t gid;
		int64_t wall_ns;
		const struct mlog_message *msg;
	} *slot;
	size_t cap;
};
void msg_claims_build(struct msg_claims *cl, const struct mlog *m, struct correlator *c, int64_t boot_to_real_ns);
const struct mlog_message *msg_claims_first(const struct msg_claims *cl, const struct group *g);
void msg_claims_free(struct msg_claims *cl);

/*
 * Each delivery line logged before settle_before (wall ns) and not settled
 * yet is joined once (its group, if any, is final by then) and passed to fn
 * with what the remote servers replied;
 * then it is marked settled. For counting (metrics), not for printing.
 */
void messages_settle(struct mlog *m, struct correlator *c, int64_t boot_to_real_ns,
		     int64_t settle_before,
		     void (*fn)(void *ctx, const struct mlog_delivery *d, const struct group *g,
				const struct msg_smtp *sm),
		     void *ctx);

#endif
