/*
 * maillog_sendmail.c - Sendmail's log lines (see maillog_parse.h), as it
 * writes them to syslog under "sendmail" (or "sm-mta", Debian's daemon):
 * "QID: from=<...>, size=N, ..., nrcpts=N" (arrival), "QID: to=<...>, ...,
 * delay=HH:MM:SS, ..., mailer=esmtp, ..., relay=host. [addr], dsn=X.Y.Z,
 * stat=Sent (...)" (a delivery: "Sent", "Deferred: why", or the failure
 * that bounces it), and "QID: QID2: DSN: why" (QID2 is the delivery status
 * notification sent about QID).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "maillog_parse.h"

bool mlog_is_sendmail(const char *prog, size_t len)
{
	return (len == 8 && !memcmp(prog, "sendmail", 8)) || (len == 6 && !memcmp(prog, "sm-mta", 6)) ||
	       (len == 12 && !memcmp(prog, "sm-msp-queue", 12));
}

/* A Sendmail queue ID: 12 to 16 letters and digits (8.12 and later: 14). */
static bool is_sendmail_qid(const char *s, size_t n)
{
	if (n < 12 || n > 16 || n >= MLOG_QID_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]))
			return false;
	return true;
}

/* "00:00:01" or "2+03:04:05" into seconds; 0 if neither. */
static double sm_delay(const char *v)
{
	int d = 0, h, m, s, n = 0;

	if (strchr(v, '+') && sscanf(v, "%d+%n", &d, &n) == 1)
		v += n;
	if (sscanf(v, "%d:%d:%d", &h, &m, &s) != 3)
		return 0;
	return ((d * 24.0 + h) * 60 + m) * 60 + s;
}

/* "host. [addr]", "[addr]" or "host.": the host without its final dot, the
 * address in its usual form ("IPv6:2001:db8:0:0:0:0:0:1" -> "2001:db8::1"). */
static void sm_relay(const char *v, struct mlog_delivery *d)
{
	const char *lb = strchr(v, '['), *rb = lb ? strchr(lb, ']') : NULL;
	size_t hn = lb ? (size_t)(lb - v) : strlen(v);
	char a[64];
	unsigned char bin[16];

	while (hn && (v[hn - 1] == ' ' || v[hn - 1] == '.'))
		hn--;
	snprintf(d->relay_host, sizeof(d->relay_host), "%.*s", (int)(hn < 255 ? hn : 255), v);
	if (!lb || !rb)
		return;
	snprintf(a, sizeof(a), "%.*s", (int)(rb - lb - 1 < 63 ? rb - lb - 1 : 63), lb + 1);
	if (!strncasecmp(a, "IPv6:", 5)) {
		if (inet_pton(AF_INET6, a + 5, bin) == 1)
			inet_ntop(AF_INET6, bin, d->relay_addr, sizeof(d->relay_addr));
		else
			snprintf(d->relay_addr, sizeof(d->relay_addr), "%s", a + 5);
	} else {
		snprintf(d->relay_addr, sizeof(d->relay_addr), "%s", a);
	}
}

static void sm_delivery(struct mlog_message *msg, uint32_t pid, int64_t ns, const char *rest)
{
	struct mlog_delivery *d;
	const char *st = strstr(rest, " stat=");
	char v[512];

	if (msg->n_d == MLOG_MAX_DELIVERIES) {
		msg->n_d_extra++;
		return;
	}
	d = &msg->d[msg->n_d++];
	memset(d, 0, sizeof(*d));
	d->wall_ns = ns;
	d->pid = pid;
	mlog_field(rest, "mailer", v, sizeof(v));
	snprintf(d->agent, sizeof(d->agent), "%.15s", v[0] ? v : "sendmail");
	mlog_field(rest, "to", d->to, sizeof(d->to));
	mlog_field(rest, "relay", v, sizeof(v));
	sm_relay(v, d);
	mlog_field(rest, "delay", v, sizeof(v));
	d->delay = sm_delay(v);
	mlog_field(rest, "xdelay", d->delays, sizeof(d->delays));
	mlog_field(rest, "dsn", d->dsn, sizeof(d->dsn));
	if (!st)
		return;
	st += 6; /* the rest of the line: its text may hold ", " */
	if (!strncmp(st, "Sent", 4)) {
		const char *paren = strchr(st, '(');

		d->status = MS_SENT;
		if (paren) {
			size_t n = strlen(paren + 1);

			if (n && paren[n] == ')')
				n--;
			snprintf(d->text, sizeof(d->text), "%.*s", (int)n, paren + 1);
		}
		return;
	}
	d->status = !strncmp(st, "Deferred", 8) || d->dsn[0] == '4' ? MS_DEFERRED
		    : d->dsn[0] == '5'				     ? MS_BOUNCED
								     : MS_NONE;
	if (!strncmp(st, "Deferred: ", 10))
		st += 10;
	snprintf(d->text, sizeof(d->text), "%s", st);
}

bool mlog_sendmail_text(struct mlog *m, int64_t ns, uint32_t pid, const char *rest)
{
	char qid[MLOG_QID_LEN];
	struct mlog_message *msg;
	size_t n;

	m->lines_mta++;
	n = strcspn(rest, ":");
	if (!is_sendmail_qid(rest, n) || rest[n] != ':' || rest[n + 1] != ' ')
		return false;
	snprintf(qid, sizeof(qid), "%.*s", (int)n, rest);
	rest += n + 2;
	msg = mlog_get_message(m, qid, ns);
	if (!msg)
		return false;
	if (!strncmp(rest, "to=", 3)) {
		sm_delivery(msg, pid, ns, rest);
	} else if (!strncmp(rest, "from=", 5)) {
		mlog_arrival(msg, rest, "nrcpts");
	} else {
		/* "QID: QID2: DSN: why": QID2 is the notice about QID. */
		size_t k = strcspn(rest, ":");
		char nq[MLOG_QID_LEN];

		if (!is_sendmail_qid(rest, k) || strncmp(rest + k, ": DSN: ", 7))
			return true;
		snprintf(nq, sizeof(nq), "%.*s", (int)k, rest);
		mlog_link_notice(m, qid, nq, ns);
	}
	return true;
}
