// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
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

#include "maillog/maillog_parse.h"

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

/* "00:00:01" or "2+03:04:05" into seconds; -1 if neither (or out of
 * range: days 0-99999, hours 0-23, minutes and seconds 0-59). */
static double sm_delay(const char *v)
{
	int d = 0, h, m, s, n = 0, end = 0;

	if (strchr(v, '+')) {
		if (sscanf(v, "%5d+%n", &d, &n) != 1 || d < 0)
			return -1;
		v += n;
	}
	if (sscanf(v, "%2d:%2d:%2d%n", &h, &m, &s, &end) != 3 || v[end] || h < 0 || h > 23 || m < 0 ||
	    m > 59 || s < 0 || s > 59)
		return -1;
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

/* "to=..., delay=..., mailer=..., relay=..., dsn=..., stat=..." (fields f).
 * False when the line breaks the grammar: no stat, or a delay that is no
 * time. */
static bool sm_delivery(struct mlog *m, struct mlog_message *msg, uint32_t pid, int64_t ns,
			const struct mlog_fields *f)
{
	struct mlog_delivery nd;
	char v[512], st[512];
	const char *t = st;

	memset(&nd, 0, sizeof(nd));
	if (!mlog_get(f, "stat", st, sizeof(st)))
		return false;
	if (mlog_get(f, "delay", v, sizeof(v)) && (nd.delay = sm_delay(v)) < 0)
		return false;
	nd.wall_ns = ns;
	nd.pid = pid;
	mlog_get(f, "mailer", v, sizeof(v));
	snprintf(nd.agent, sizeof(nd.agent), "%.15s", v[0] ? v : "sendmail");
	mlog_get(f, "to", nd.to, sizeof(nd.to));
	mlog_get(f, "relay", v, sizeof(v));
	sm_relay(v, &nd);
	mlog_get(f, "xdelay", nd.delays, sizeof(nd.delays));
	mlog_get(f, "dsn", nd.dsn, sizeof(nd.dsn));
	if (!strncmp(t, "Sent", 4) && (t[4] == 0 || t[4] == ' ')) {
		const char *paren = strchr(t, '(');

		nd.status = MS_SENT;
		if (paren) {
			size_t n = strlen(paren + 1);

			if (n && paren[n] == ')')
				n--;
			snprintf(nd.text, sizeof(nd.text), "%.*s", (int)n, paren + 1);
		}
	} else {
		nd.status = !strncmp(t, "Deferred", 8) || nd.dsn[0] == '4' ? MS_DEFERRED
			    : nd.dsn[0] == '5'				    ? MS_BOUNCED
									    : MS_NONE;
		if (!strncmp(t, "Deferred: ", 10))
			t += 10;
		snprintf(nd.text, sizeof(nd.text), "%s", t);
	}
	mlog_delivery_add(m, msg, &nd);
	return true;
}

bool mlog_sendmail_text(struct mlog *m, int64_t ns, uint32_t pid, const char *rest)
{
	char qid[MLOG_QID_LEN];
	struct mlog_message *msg;
	struct mlog_fields f;
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
		if (!mlog_fields(rest, "stat", &f) || !sm_delivery(m, msg, pid, ns, &f))
			m->lines_bad++;
	} else if (!strncmp(rest, "from=", 5)) {
		if (mlog_fields(rest, "stat", &f))
			mlog_arrival(msg, &f, "nrcpts");
		else
			m->lines_bad++;
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
