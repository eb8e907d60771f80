// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * journal.h - the systemd journal as the MTA's log: one entry as
 * `journalctl -o json` prints it (journal.c, pure), and journalctl run and
 * read into a struct mlog (journal_read.c), whole for `report` or followed
 * while famtrace traces.
 */
#ifndef FT_JOURNAL_H
#define FT_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "maillog/maillog.h"

struct journal_entry {
	int64_t ns;	     /* __REALTIME_TIMESTAMP (UTC ns since the epoch) */
	char ident[64];	     /* SYSLOG_IDENTIFIER ("postfix/smtp", "exim"): the writer's say */
	uint32_t pid;	     /* _PID (journald's, trusted), else SYSLOG_PID; 0 if neither */
	char comm[16];	     /* _COMM (trusted): the writing process's name; "" if absent */
	int64_t uid;	     /* _UID (trusted); -1 if absent */
	char text[4096];     /* MESSAGE (control characters made '?') */
	char container[72];  /* CONTAINER_ID_FULL: a container's output, as its
			      * runtime's journald log driver wrote it */
	int facility;	     /* SYSLOG_FACILITY (2: mail), -1 if none */
};

/* Parse one line of `journalctl -o json`. False unless it is a JSON object
 * with a time, a message and an identifier or a container's id. */
bool journal_entry_parse(const char *line, struct journal_entry *e);

/*
 * Was e written by the MTA it names? SYSLOG_IDENTIFIER and SYSLOG_PID are
 * whatever the writer says (`logger -t postfix/smtp` by any user), so the
 * fields journald itself adds decide: _COMM must be the program the
 * identifier names ("postfix/smtp": smtp; "exim": exim4 or exim; Sendmail's
 * names), and _UID root or one of mta_uids (the MTA's users as this host
 * names them: postfix, Debian-exim, smmta, ...); with none known here (a
 * journal copied from another host), a system user (below 1000).
 */
bool journal_entry_from_mta(const struct journal_entry *e, const int64_t *mta_uids, size_t n_uids);

/*
 * Was e written by a container runtime's journald log driver: a line of
 * container e->container's output? CONTAINER_ID_FULL is the writer's say;
 * journald's own fields decide: _UID root and _COMM the runtime's process
 * that writes it (dockerd; podman's conmon).
 */
bool journal_entry_from_runtime(const struct journal_entry *e);

/* Where the entries come from: the local journal, or journal files in a
 * directory (`journalctl -D`, a copy taken after an incident); and which:
 * the mail facility (the MTA's syslog lines), or containers' output
 * written by their runtimes (all, or only container_id's). */
struct journal_src {
	const char *dir; /* NULL: the local journal */
	bool containers;
	const char *container_id; /* with containers: only its, NULL: all */
};

/* Every mail-facility entry since since_s (seconds since the epoch) into m
 * (with src->containers: every line of a container's output, each read as
 * a line of that container's log, mlog_set_scope).
 * How many entries were read, or -1 with err set (journalctl missing or
 * failing). */
int journal_read(struct mlog *m, const struct journal_src *src, int64_t since_s, char *err,
		 size_t errlen);

/* Is journalctl there to run (on PATH)? 0, or -1 with err set. */
int journal_check(char *err, size_t errlen);

struct journal_follow;

/* Follow the journal from now (journalctl -f). NULL with err set. */
struct journal_follow *journal_follow_open(const struct journal_src *src, char *err, size_t errlen);
/* The entries journalctl has printed since the last poll. */
void journal_follow_poll(struct journal_follow *f, struct mlog *m);
/* Stop journalctl (by its pid) and free f. */
void journal_follow_close(struct journal_follow *f);

#endif
