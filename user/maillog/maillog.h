// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * maillog.h - the MTA's own log, read as messages: Postfix's lines (syslog
 * or postlogd's maillog_file, classic "Mon DD HH:MM:SS" or ISO 8601 times),
 * Exim's main log and Sendmail's syslog lines turned into messages by queue
 * ID, each with its sender, recipients and every delivery attempt the log
 * reports (time, process id, relay, status, DSN, delays), and a bounce
 * notice linked to the message it reports on.
 * Pure: lines in, facts out; reading files is maillog_read's job.
 *
 * SYNOPSIS
 *	mlog_init, mlog_free		the message store
 *	mlog_line, mlog_line_at, mlog_entry	a log line, or a journal entry, in
 *	mlog_set_scope			the container the next lines came from
 *	mlog_find			a message by queue ID
 *	mlog_is_mta, mlog_status_key, mlog_domain, mlog_time	reading them
 */
#ifndef FT_MAILLOG_H
#define FT_MAILLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "maillog/smtp_reply.h"

#define MLOG_QID_LEN 24
#define MLOG_ADDR_LEN 256
#define MLOG_MAX_MESSAGES 20000 /* beyond, the oldest are dropped (counted) */
#define MLOG_MAX_DELIVERIES 16	 /* delivery lines kept per message */
#define MLOG_SCOPES 64		 /* containers whose own logs are read */
#define MLOG_MAX_REPLIES 4	 /* remote replies on lines of their own, newest kept */

enum mlog_status { MS_NONE = 0, MS_SENT, MS_DEFERRED, MS_BOUNCED, MS_EXPIRED };

/* One "to=<...>, relay=..., status=..." line of a delivery agent. */
struct mlog_delivery {
	int64_t wall_ns;	  /* log time (UTC ns since the epoch) */
	uint32_t pid;		  /* the smtp/lmtp process that logged it */
	char agent[16];		  /* "smtp", "lmtp", "local", ... */
	char to[MLOG_ADDR_LEN];
	char relay_host[256];	  /* "" for relay=none */
	char relay_addr[64];	  /* "" when none */
	uint16_t relay_port;
	double delay;		  /* seconds, as logged */
	char delays[48];	  /* "a/b/c/d" as logged */
	char dsn[16];
	enum mlog_status status;
	char text[512];		  /* the explanation in parentheses */
	bool settled;		  /* joined and counted once (messages_settle) */
	const char *scope;	  /* the container whose log it came from (its
				   * runtime's id, in struct mlog): its pid is
				   * matched there only. NULL: any namespace */
};

/* A remote server's reply the MTA logged on a line of its own, as a
 * session failed and it went on to another address (Postfix's "host H[A]
 * refused to talk to me: 421 ...", "host H[A] said: 451 ..."). A final
 * reply is in its delivery line's text. */
struct mlog_reply {
	int64_t wall_ns;
	uint32_t pid;
	struct smtp_reply r;
};

struct mlog_message {
	char qid[MLOG_QID_LEN];
	char from[MLOG_ADDR_LEN];
	bool from_seen;		/* a qmgr "from=" line was read */
	uint64_t size;
	unsigned nrcpt;
	int64_t first_ns, last_ns; /* wall times of its first and last line */
	bool removed;
	char notice_qid[MLOG_QID_LEN];	/* the non-delivery notice sent about it */
	char notice_of[MLOG_QID_LEN];	/* this message is the notice about that one */
	struct mlog_delivery d[MLOG_MAX_DELIVERIES];
	unsigned n_d, n_d_extra;
	struct mlog_reply replies[MLOG_MAX_REPLIES]; /* a ring: the newest n_replies */
	unsigned n_replies, replies_next;
	uint64_t seq; /* order of first appearance */
};

struct mlog {
	struct mlog_message **msgs; /* by first appearance */
	size_t n, cap;
	uint64_t next_seq;
	uint64_t lines, lines_mta, dropped_messages;
	uint64_t lines_bad; /* an MTA's lines that do not follow its grammar, pieces of
			     * lines a container runtime split, lines of containers
			     * beyond MLOG_SCOPES: ignored */
	uint64_t lines_foreign; /* journal entries named like the MTA's, written by
				 * another user or program: ignored */
	/* The containers whose runtime's logs are read (their ids), and the
	 * one whose lines are being read now (NULL: a host's log). */
	char scopes[MLOG_SCOPES][72];
	unsigned n_scopes;
	const char *scope;
	int year;	/* for classic syslog times, which have none */
	int year_month; /* the month that year was taken at (1-12) */
};

void mlog_init(struct mlog *m, time_t around);
void mlog_free(struct mlog *m);

/* One line of the log (no newline). Returns true if it said something
 * about a message. */
bool mlog_line(struct mlog *m, const char *line);

/* The same, with the time the line was received at (UTC ns: a container
 * runtime's stamp, which has a zone and ns where the line's own may not). */
bool mlog_line_at(struct mlog *m, const char *line, int64_t ns);

/* The lines that follow come from the log of the container with this id
 * (NULL: no container's). False when MLOG_SCOPES containers are known. */
bool mlog_set_scope(struct mlog *m, const char *container_id);
/* Is container_id one whose lines are read (set as a scope before)? */
bool mlog_scope_known(const struct mlog *m, const char *container_id);

/* One entry of a structured log (the systemd journal): its time, the
 * program's syslog identifier ("postfix/smtp", "exim"), its pid and its
 * text. Same as mlog_line otherwise. */
bool mlog_entry(struct mlog *m, int64_t ns, const char *ident, uint32_t pid, const char *text);

/* Does a syslog identifier name an MTA's program ("postfix/smtp", "exim",
 * "sendmail")? */
bool mlog_is_mta(const char *ident);

struct mlog_message *mlog_find(const struct mlog *m, const char *qid);

const char *mlog_status_key(enum mlog_status s); /* "sent", "deferred", ... */

/* The domain of an address ("u@example.org" -> "example.org"), "" if none. */
const char *mlog_domain(const char *addr);

/* Parse "Mon DD HH:MM:SS" (with m's year) or an ISO 8601 time at the start
 * of s into UTC ns; *end is set past it. False if neither. */
bool mlog_time(struct mlog *m, const char *s, int64_t *ns, const char **end);

#endif
