// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * maillog_postfix.c - Postfix's log lines (see maillog_parse.h): "QID:
 * from=<...>" (qmgr, pickup), "QID: to=<...>, relay=..., status=..." (the
 * delivery agents), "QID: host H[A] refused to talk to me: ..." and "QID:
 * host H[A] said: ..." (a session given up), "QID: sender non-delivery
 * notification: QID2" (bounce), "QID: removed".
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "maillog/maillog_parse.h"

/* A Postfix queue ID: short (upper-case hex, 6 or more) or long (10 or
 * more of the vowel-less base-52 alphabet, enable_long_queue_ids). */
static bool is_qid(const char *s, size_t n)
{
	static const char longq[] = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";
	bool hex = true, lng = true;

	if (n < 6 || n >= MLOG_QID_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		hex &= isdigit((unsigned char)s[i]) || (s[i] >= 'A' && s[i] <= 'F');
		lng &= s[i] && strchr(longq, s[i]) != NULL;
	}
	return hex || (lng && n >= 10);
}

/* "host[addr]:port" or "none" / "local". */
static void parse_relay(const char *v, struct mlog_delivery *d)
{
	const char *lb = strchr(v, '['), *rb = lb ? strchr(lb, ']') : NULL;

	if (!lb || !rb) {
		if (strcmp(v, "none"))
			snprintf(d->relay_host, sizeof(d->relay_host), "%.255s", v);
		return;
	}
	snprintf(d->relay_host, sizeof(d->relay_host), "%.*s", (int)(lb - v), v);
	snprintf(d->relay_addr, sizeof(d->relay_addr), "%.*s", (int)(rb - lb - 1), lb + 1);
	if (!strncasecmp(d->relay_addr, "ipv6:", 5))
		memmove(d->relay_addr, d->relay_addr + 5, strlen(d->relay_addr + 5) + 1);
	if (rb[1] == ':')
		d->relay_port = (uint16_t)atoi(rb + 2);
}

/* "sent (250 2.0.0 Ok)" -> MS_SENT and the text in the parentheses. */
static void status_of(const char *st, struct mlog_delivery *d)
{
	const char *paren;
	size_t w = strcspn(st, " ,");

	d->status = w == 4 && !strncmp(st, "sent", 4)	    ? MS_SENT
		    : w == 8 && !strncmp(st, "deferred", 8) ? MS_DEFERRED
		    : w == 7 && !strncmp(st, "bounced", 7)  ? MS_BOUNCED
		    : w == 7 && !strncmp(st, "expired", 7)  ? MS_EXPIRED
							    : MS_NONE;
	paren = strchr(st, '(');
	if (paren) {
		size_t n = strlen(paren + 1);

		if (n && paren[n] == ')')
			n--;
		snprintf(d->text, sizeof(d->text), "%.*s", (int)n, paren + 1);
	}
}

/* A delivery agent's "to=<...>, relay=..., delay=..., ..., status=..." or
 * qmgr's "from=<...>, status=expired, ..." (its fields f). False when the
 * line breaks the grammar: no status, or a delay that is no number. */
static bool delivery_line(struct mlog *m, struct mlog_message *msg, const char *agent, uint32_t pid, int64_t ns,
			  const struct mlog_fields *f)
{
	struct mlog_delivery nd;
	char v[512];

	memset(&nd, 0, sizeof(nd));
	if (!mlog_get(f, "status", v, sizeof(v)))
		return false;
	status_of(v, &nd);
	if (mlog_get(f, "delay", v, sizeof(v)) && !mlog_seconds(v, &nd.delay))
		return false;
	nd.wall_ns = ns;
	nd.pid = pid;
	snprintf(nd.agent, sizeof(nd.agent), "%s", agent);
	mlog_get(f, "to", nd.to, sizeof(nd.to));
	mlog_get(f, "relay", v, sizeof(v));
	parse_relay(v, &nd);
	mlog_get(f, "delays", nd.delays, sizeof(nd.delays));
	mlog_get(f, "dsn", nd.dsn, sizeof(nd.dsn));
	mlog_delivery_add(m, msg, &nd);
	return true;
}

/*
 * The text of one Postfix line after "prog[pid]: ", from the program whose
 * last name part is agent ("smtp" of "postfix/smtp").
 */
bool mlog_postfix_text(struct mlog *m, int64_t ns, const char *agent, uint32_t pid,
			 const char *rest)
{
	char qid[MLOG_QID_LEN], v[512];
	struct mlog_message *msg;
	struct mlog_fields f;
	size_t n;

	m->lines_mta++;
	n = strcspn(rest, ":");
	if (!is_qid(rest, n) || rest[n] != ':' || rest[n + 1] != ' ')
		return false;
	snprintf(qid, sizeof(qid), "%.*s", (int)n, rest);
	rest += n + 2;
	msg = mlog_get_message(m, qid, ns);
	if (!msg)
		return false;
	if (!strncmp(rest, "to=<", 4)) {
		if (!mlog_fields(rest, "status", &f) || !delivery_line(m, msg, agent, pid, ns, &f))
			m->lines_bad++;
	} else if (!strncmp(rest, "from=<", 6)) {
		if (!mlog_fields(rest, "status", &f)) {
			m->lines_bad++;
			return true;
		}
		mlog_arrival(msg, &f, "nrcpt");
		/* qmgr's "from=<...>, status=expired, returned to sender". */
		if (mlog_get(&f, "status", v, sizeof(v)) && !delivery_line(m, msg, agent, pid, ns, &f))
			m->lines_bad++;
	} else if (!strncmp(rest, "uid=", 4) && !msg->from_seen) {
		/* pickup's "uid=0 from=<...>": one space, no comma. */
		size_t u = strspn(rest + 4, "0123456789");

		if (u && !strncmp(rest + 4 + u, " from=", 6) && mlog_fields(rest + 4 + u + 1, "status", &f))
			mlog_get(&f, "from", msg->from, sizeof(msg->from));
	} else if (!strncmp(rest, "host ", 5)) {
		/* A session that failed before the delivery line: "host H[A]
		 * refused to talk to me: 421 ...", "host H[A] said: 451 ...". */
		struct mlog_reply *r = &msg->replies[msg->replies_next];

		if (smtp_reply_postfix(rest, &r->r)) {
			r->wall_ns = ns;
			r->pid = pid;
			msg->replies_next = (msg->replies_next + 1) % MLOG_MAX_REPLIES;
			if (msg->n_replies < MLOG_MAX_REPLIES)
				msg->n_replies++;
		}
	} else if (!strcmp(rest, "removed")) {
		msg->removed = true;
	} else if (!strncmp(rest, "sender non-delivery notification: ", 34) ||
		   !strncmp(rest, "sender delivery status notification: ", 37) ||
		   !strncmp(rest, "postmaster non-delivery notification: ", 38)) {
		const char *q = strrchr(rest, ' ') + 1;

		if (is_qid(q, strlen(q)))
			mlog_link_notice(m, qid, q, ns);
	}
	return true;
}

/* "postfix/smtp" -> "smtp"; false unless a Postfix program (a '/' in it). */
bool mlog_postfix_agent(const char *prog, size_t len, char *agent, size_t agent_len)
{
	const char *slash = prog + len;

	if (!len || len > 64 || !memchr(prog, '/', len))
		return false;
	while (slash > prog && slash[-1] != '/')
		slash--;
	snprintf(agent, agent_len, "%.*s", (int)(prog + len - slash), slash);
	return true;
}
