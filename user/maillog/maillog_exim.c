// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * maillog_exim.c - Exim's main log lines (see maillog_parse.h): "ID <="
 * (arrival), "=>" and "->" (delivered), "**" (failed), "==" (deferred),
 * "H=host [addr]: SMTP error from remote mail server after ..." (a session
 * given up before the next host) and "Completed".
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "maillog/maillog_parse.h"

/* An Exim message ID: 6-6-2 (before 4.97) or 6-11-4 base-62. */
static bool is_exim_id(const char *s, size_t n)
{
	size_t a = strspn(s, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

	if (a != 6 || s[6] != '-')
		return false;
	if (n == 16)
		return strspn(s + 7, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == 6 &&
		       s[13] == '-';
	if (n == 23)
		return strspn(s + 7, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == 11 &&
		       s[18] == '-';
	return false;
}

/* The value of " KEY=" in an Exim line (up to the next space; a quoted
 * value whole), "" if absent. */
static void exim_field(const char *s, const char *key, char *out, size_t len)
{
	char pat[8];
	const char *p, *e;

	out[0] = 0;
	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(s, pat);
	if (!p)
		return;
	p += strlen(pat);
	if (*p == '"') {
		e = strchr(p + 1, '"');
		snprintf(out, len, "%.*s", (int)(e ? e - p - 1 : (long)strlen(p + 1)), p + 1);
		return;
	}
	e = p + strcspn(p, " ");
	snprintf(out, len, "%.*s", (int)(e - p), p);
}

/*
 * Exim's main log: "[PID] ID <= sender ... R=origid" (arrival; a bounce's
 * names the message it reports on), "ID => rcpt R=router T=transport
 * H=host [addr]:port ... C=\"250 ...\"" (delivered; "->" for more recipients
 * of one delivery), "ID ** rcpt ...: why" (failed, bounced), "ID == rcpt
 * ... defer (errno): why" (deferred), "ID Completed".
 */
bool mlog_exim_line(struct mlog *m, int64_t ns, uint32_t pid, const char *p)
{
	char id[MLOG_QID_LEN], flag[3], v[MLOG_ADDR_LEN];
	const char *after;
	struct mlog_message *msg;
	size_t n;

	while (*p == ' ')
		p++;
	if (*p == '[') {
		pid = (uint32_t)strtoul(p + 1, NULL, 10);
		p = strchr(p, ']');
		if (!p)
			return false;
		p++;
		while (*p == ' ')
			p++;
	}
	n = strcspn(p, " ");
	if (!is_exim_id(p, n))
		return false;
	m->lines_mta++; /* an MTA line this parser reads */
	snprintf(id, sizeof(id), "%.*s", (int)n, p);
	p += n;
	while (*p == ' ')
		p++;
	snprintf(flag, sizeof(flag), "%.2s", p);
	/* What follows the flag: never past the end of a line cut short. */
	after = strlen(flag) == 2 && p[2] == ' ' ? p + 3 : "";
	msg = mlog_get_message(m, id, ns);
	if (!msg)
		return false;
	if (!strcmp(flag, "<=")) {
		const char *a = after;

		n = strcspn(a, " ");
		snprintf(msg->from, sizeof(msg->from), "%.*s", (int)(n < sizeof(msg->from) ? n : sizeof(msg->from) - 1),
			 a);
		if (!strcmp(msg->from, "<>"))
			msg->from[0] = 0;
		msg->from_seen = true;
		exim_field(p, "S", v, sizeof(v));
		msg->size = strtoull(v, NULL, 10);
		exim_field(p, "R", v, sizeof(v));
		if (!msg->from[0] && is_exim_id(v, strlen(v)))
			mlog_link_notice(m, v, id, ns);
		return true;
	}
	if (!strcmp(flag, "=>") || !strcmp(flag, "->") || !strcmp(flag, "**") || !strcmp(flag, "==")) {
		struct mlog_delivery *d, nd;
		const char *a = after, *why;

		memset(&nd, 0, sizeof(nd));
		d = mlog_delivery_add(m, msg, &nd);
		if (!d)
			return true;
		d->wall_ns = ns;
		d->pid = pid;
		snprintf(d->agent, sizeof(d->agent), "exim");
		n = strcspn(a, " :");
		snprintf(d->to, sizeof(d->to), "%.*s", (int)(n < sizeof(d->to) ? n : sizeof(d->to) - 1), a);
		exim_field(p, "H", v, sizeof(v));
		if (v[0]) {
			const char *lb = strstr(p, " H="), *q;

			snprintf(d->relay_host, sizeof(d->relay_host), "%s", v);
			/* "H=host [addr]:port" */
			q = lb ? strchr(lb + 3, ' ') : NULL;
			if (q && q[1] == '[') {
				const char *rb = strchr(q + 2, ']');

				if (rb) {
					snprintf(d->relay_addr, sizeof(d->relay_addr), "%.*s",
						 (int)(rb - q - 2 < 63 ? rb - q - 2 : 63), q + 2);
					if (rb[1] == ':')
						d->relay_port = (uint16_t)atoi(rb + 2);
				}
			}
		}
		d->status = flag[0] == '=' && flag[1] == '>' ? MS_SENT
			    : flag[0] == '-'		      ? MS_SENT
			    : flag[0] == '*'		      ? MS_BOUNCED
							      : MS_DEFERRED;
		if (d->status == MS_SENT) {
			exim_field(p, "C", d->text, sizeof(d->text));
		} else if ((why = strstr(p, ": "))) {
			snprintf(d->text, sizeof(d->text), "%s", why + 2);
		}
		return true;
	}
	if (!strncmp(p, "Completed", 9)) {
		msg->removed = true;
	} else if (!strncmp(p, "H=", 2)) {
		/* "H=host [addr]:port: SMTP error from remote mail server after
		 * initial connection: 421 ...": that host's session failed, the
		 * delivery goes on. */
		const char *sp = strchr(p, ' '), *rb = sp && sp[1] == '[' ? strchr(sp, ']') : NULL;
		const char *rest = rb ? strstr(rb, ": ") : NULL;
		struct mlog_reply *r = &msg->replies[msg->replies_next];
		char host[256], addr[64];

		if (!rest)
			return true;
		snprintf(host, sizeof(host), "%.*s", (int)(sp - p - 2 < 255 ? sp - p - 2 : 255), p + 2);
		snprintf(addr, sizeof(addr), "%.*s", (int)(rb - sp - 2 < 63 ? rb - sp - 2 : 63), sp + 2);
		if (smtp_reply_exim(rest + 2, host, addr, &r->r)) {
			r->wall_ns = ns;
			r->pid = pid;
			msg->replies_next = (msg->replies_next + 1) % MLOG_MAX_REPLIES;
			if (msg->n_replies < MLOG_MAX_REPLIES)
				msg->n_replies++;
		}
	}
	return true;
}
