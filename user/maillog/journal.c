// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * journal.c - one line of `journalctl -o json` into a struct journal_entry
 * (see journal.h). journalctl prints each entry as one flat JSON object:
 * every field a string, an array of byte values (a field that is not valid
 * UTF-8), null (too large, without --all), or an array of those (a field
 * that occurs more than once; the first is taken), read by jsonflat.c.
 * Fields other than the seven wanted are skipped. Pure: a line in, an
 * entry out.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lib/jsonflat.h"
#include "maillog/journal.h"

/* A decimal number field ("1764712345123456") into v. */
static bool decimal(const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return false;
	*v = strtoull(s, &end, 10);
	return !*end && *v <= max;
}

/* The members of an entry famtrace reads, and where each goes. */
struct entry_bufs {
	struct journal_entry *e;
	char num[32], syslog_pid[32], pid[32], uid[32], container[80], facility[8];
};

static void entry_want(void *ctx, const char *key, char **out, size_t *outlen)
{
	struct entry_bufs *b = ctx;
	struct journal_entry *e = b->e;

	if (!strcmp(key, "MESSAGE"))
		*out = e->text, *outlen = sizeof(e->text);
	else if (!strcmp(key, "SYSLOG_IDENTIFIER"))
		*out = e->ident, *outlen = sizeof(e->ident);
	else if (!strcmp(key, "SYSLOG_PID"))
		*out = b->syslog_pid, *outlen = sizeof(b->syslog_pid);
	else if (!strcmp(key, "_PID"))
		*out = b->pid, *outlen = sizeof(b->pid);
	else if (!strcmp(key, "_COMM"))
		*out = e->comm, *outlen = sizeof(e->comm);
	else if (!strcmp(key, "_UID"))
		*out = b->uid, *outlen = sizeof(b->uid);
	else if (!strcmp(key, "__REALTIME_TIMESTAMP"))
		*out = b->num, *outlen = sizeof(b->num);
	else if (!strcmp(key, "CONTAINER_ID_FULL"))
		*out = b->container, *outlen = sizeof(b->container);
	else if (!strcmp(key, "SYSLOG_FACILITY"))
		*out = b->facility, *outlen = sizeof(b->facility);
}

bool journal_entry_parse(const char *line, struct journal_entry *e)
{
	struct entry_bufs b = { .e = e };
	unsigned long long v;
	bool have_time;

	memset(e, 0, sizeof(*e));
	if (!jflat_parse(line, entry_want, &b))
		return false;
	/* µs since the epoch; up to the year 2262 fits in ns. */
	have_time = decimal(b.num, 9223372036854775ULL, &v);
	e->ns = have_time ? (int64_t)v * 1000 : 0;
	/* journald's own _PID first: SYSLOG_PID is the writer's say. */
	if (decimal(b.pid, UINT32_MAX, &v) || decimal(b.syslog_pid, UINT32_MAX, &v))
		e->pid = (uint32_t)v;
	e->uid = decimal(b.uid, UINT32_MAX, &v) ? (int64_t)v : -1;
	e->facility = decimal(b.facility, 23, &v) ? (int)v : -1;
	/* A container's id is 64 hex digits (it goes into no path, but is
	 * matched against the ids the cgroups gave). */
	if (strlen(b.container) == 64 && strspn(b.container, "0123456789abcdef") == 64)
		memcpy(e->container, b.container, 65);
	return have_time && (e->ident[0] || e->container[0]) && e->text[0];
}

bool journal_entry_from_runtime(const struct journal_entry *e)
{
	return e->container[0] && e->uid == 0 && (!strcmp(e->comm, "dockerd") || !strcmp(e->comm, "conmon"));
}

/* Is comm the process that logs as program (the identifier's last part)? */
static bool comm_is(const char *comm, const char *program)
{
	static const char *const sendmail[] = { "sendmail", "sm-mta", "sm-msp-queue", "sendmail-mta" };
	bool sm_prog = false, sm_comm = false;

	/* A command name is cut to 15 characters. */
	if (!strncmp(comm, program, 15))
		return true;
	if (!strcmp(program, "exim"))
		return !strcmp(comm, "exim4");
	for (size_t i = 0; i < sizeof(sendmail) / sizeof(sendmail[0]); i++) {
		sm_prog |= !strcmp(program, sendmail[i]);
		sm_comm |= !strcmp(comm, sendmail[i]);
	}
	return sm_prog && sm_comm;
}

bool journal_entry_from_mta(const struct journal_entry *e, const int64_t *mta_uids, size_t n_uids)
{
	const char *slash = strrchr(e->ident, '/');
	bool uid_ok = e->uid == 0;

	if (!e->ident[0] || !e->comm[0] || e->uid < 0)
		return false;
	for (size_t i = 0; i < n_uids && !uid_ok; i++)
		uid_ok = e->uid == mta_uids[i];
	if (!n_uids && e->uid > 0 && e->uid < 1000)
		uid_ok = true;
	return uid_ok && comm_is(e->comm, slash ? slash + 1 : e->ident);
}
