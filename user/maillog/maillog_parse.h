// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * maillog_parse.h - what the MTA log parsers share, inside maillog/: the
 * line router that calls them (maillog_line.c), one parser per MTA
 * (maillog_postfix.c, maillog_exim.c, maillog_sendmail.c,
 * maillog_opensmtpd.c), and the message
 * store they fill (maillog.c). Each parser
 * takes a line's time, its process id where the log names one, and the
 * text after the program's "name[pid]: " (Exim's main log: after the time).
 */
#ifndef FT_MAILLOG_PARSE_H
#define FT_MAILLOG_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "maillog/maillog.h"

struct mlog_fields; /* below */

/* The message with this queue ID, made if new (the oldest goes, counted,
 * beyond MLOG_MAX_MESSAGES); its last time moves to ns. NULL without memory.
 * May drop another message: look earlier pointers up again. */
struct mlog_message *mlog_get_message(struct mlog *m, const char *qid, int64_t ns);

/* notice_qid is the non-delivery (or delivery status) notice sent about
 * orig_qid: each message made if new, and each names the other. */
void mlog_link_notice(struct mlog *m, const char *orig_qid, const char *notice_qid, int64_t ns);

/* nd as msg's next delivery line, from the log m is reading now (its
 * scope). When all MLOG_MAX_DELIVERIES are taken, the oldest line that is
 * not final (deferred, or without a status) gives its place, so a message
 * deferred many times (or a run of forged lines) never hides how it ended;
 * NULL (not kept) when every kept line is final. Either way counted in
 * n_d_extra. The kept copy, to be completed, or NULL. */
struct mlog_delivery *mlog_delivery_add(struct mlog *m, struct mlog_message *msg, const struct mlog_delivery *nd);

/* An arrival line's fields "from=..., size=N, ..., NRCPT_KEY=N" into msg
 * (Postfix says nrcpt, Sendmail nrcpts). */
void mlog_arrival(struct mlog_message *msg, const struct mlog_fields *f, const char *nrcpt_key);

/* A line's "key=value, ..." list, read by its grammar (maillog_fields.c):
 * fields from the start, in order; a value runs to the next ", " outside
 * <...> and "..." (addresses are opaque); the field named last_key
 * ("status", "stat") takes the rest of the line. False when s does not
 * follow the grammar (an open quote or bracket, a key that is no key). */
#define MLOG_MAX_FIELDS 24
struct mlog_fields {
	unsigned n;
	struct {
		const char *key, *val;
		size_t klen, vlen;
	} f[MLOG_MAX_FIELDS];
};
bool mlog_fields(const char *s, const char *last_key, struct mlog_fields *out);

/* The value of key ("" and false if absent); an address without its <>. */
bool mlog_get(const struct mlog_fields *f, const char *key, char *out, size_t len);

/* A number of seconds ("0.02"): finite, 0 to 1e9, nothing after it. */
bool mlog_seconds(const char *v, double *out);

/* A count ("271", "1 (queue active)"): digits, at most max. */
bool mlog_count(const char *v, uint64_t max, uint64_t *out);

/* Postfix: "postfix/smtp" -> agent "smtp"; false unless a Postfix program
 * (a '/' in its name). The text of one of its lines. */
bool mlog_postfix_agent(const char *prog, size_t len, char *agent, size_t agent_len);
bool mlog_postfix_text(struct mlog *m, int64_t ns, const char *agent, uint32_t pid,
		       const char *rest);

/* Exim's main log: "[PID] ID <= ..." and the rest (pid 0: from the line). */
bool mlog_exim_line(struct mlog *m, int64_t ns, uint32_t pid, const char *p);

/* Sendmail: is prog ("sendmail", "sm-mta", "sm-msp-queue") one of its
 * names? The text of one of its lines. */
bool mlog_is_sendmail(const char *prog, size_t len);
bool mlog_sendmail_text(struct mlog *m, int64_t ns, uint32_t pid, const char *rest);

/* OpenSMTPD: is prog its syslog name ("smtpd")? The text of one of its
 * lines. */
bool mlog_is_opensmtpd(const char *prog, size_t len);
bool mlog_opensmtpd_text(struct mlog *m, int64_t ns, uint32_t pid, const char *rest);

#endif
