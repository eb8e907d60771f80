/*
 * maillog_parse.h - what the MTA log parsers share, inside the maillog
 * module: the message store (maillog.c) and one parser per MTA
 * (maillog_postfix.c, maillog_exim.c, maillog_sendmail.c). Each parser
 * takes a line's time, its process id where the log names one, and the
 * text after the program's "name[pid]: " (Exim's main log: after the time).
 */
#ifndef FT_MAILLOG_PARSE_H
#define FT_MAILLOG_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "maillog.h"

/* The message with this queue ID, made if new (the oldest goes, counted,
 * beyond MLOG_MAX_MESSAGES); its last time moves to ns. NULL without memory.
 * May drop another message: look earlier pointers up again. */
struct mlog_message *mlog_get_message(struct mlog *m, const char *qid, int64_t ns);

/* notice_qid is the non-delivery (or delivery status) notice sent about
 * orig_qid: each message made if new, and each names the other. */
void mlog_link_notice(struct mlog *m, const char *orig_qid, const char *notice_qid, int64_t ns);

/* An arrival line's "from=..., size=N, ..., NRCPT_KEY=N" into msg
 * (Postfix says nrcpt, Sendmail nrcpts). */
void mlog_arrival(struct mlog_message *msg, const char *rest, const char *nrcpt_key);

/* The value of "key=" in s up to the next ", " (or the end); "" if absent.
 * A value in <...> is taken whole (addresses may hold commas). */
void mlog_field(const char *s, const char *key, char *out, size_t len);

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

#endif
