// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * maillog_opensmtpd.c - OpenSMTPD's log lines (see maillog_parse.h), as
 * smtpd 6.x writes them to syslog under "smtpd": each begins with a session
 * id (16 hex digits) and the side that speaks ("smtp" receives, "mta"
 * delivers), then space-separated key=value fields, quoted where the value
 * has spaces:
 *	SID smtp message msgid=M size=N nrcpt=N proto=ESMTP	(arrival)
 *	SID smtp envelope evpid=E from=<...> to=<...>		(a recipient)
 *	SID mta delivery evpid=E from=<...> to=<...> rcpt=<...> source="A"
 *	    relay="ADDR (HOST)" delay=2s result="Ok" stat="250 2.0.0 ..."
 * An envelope id's first 8 hex digits are its message's id, which stands
 * for Postfix's queue ID here. The delivery line is logged by the process
 * that connected (the "pony express" process, which also receives); when
 * no address of the destination could be reached its relay is the domain
 * and its session id zero. Addresses cannot hold spaces, quotes or angle
 * brackets (smtpd refuses them), so fields split at spaces; the remote
 * server's text (stat) comes last and takes the rest of the line.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maillog/maillog_parse.h"

bool mlog_is_opensmtpd(const char *prog, size_t len)
{
	return len == 5 && !memcmp(prog, "smtpd", 5);
}

static bool hex_run(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

/* "key=value key="quoted value" ..." into out; the field named last_key
 * takes the rest of the line (its quotes removed). False when a field is no
 * key=value or a quote or bracket is left open. */
static bool osd_fields(const char *s, const char *last_key, struct mlog_fields *out)
{
	size_t lk = strlen(last_key);

	out->n = 0;
	while (*s) {
		const char *k = s, *v, *end;
		size_t kl = strspn(s, "abcdefghijklmnopqrstuvwxyz_");

		if (!kl || s[kl] != '=' || out->n == MLOG_MAX_FIELDS)
			return false;
		v = s + kl + 1;
		if (kl == lk && !memcmp(k, last_key, lk)) {
			end = v + strlen(v);
			if (*v == '"') {
				if (end - v < 2 || end[-1] != '"')
					return false;
				v++;
				end--;
			}
			s = v + strlen(v);
		} else if (*v == '"') {
			end = strchr(v + 1, '"');
			if (!end || (end[1] && end[1] != ' '))
				return false;
			v++;
			s = end + 1;
		} else if (*v == '<') {
			end = strchr(v, '>');
			if (!end || (end[1] && end[1] != ' '))
				return false;
			s = ++end;
		} else {
			end = v + strcspn(v, " ");
			s = end;
		}
		out->f[out->n].key = k;
		out->f[out->n].klen = kl;
		out->f[out->n].val = v;
		out->f[out->n].vlen = (size_t)(end - v);
		out->n++;
		while (*s == ' ')
			s++;
	}
	return true;
}

/* "2s", "1m30s", "1d2h3m4s": seconds; -1 when not that. */
static double osd_delay(const char *v)
{
	double total = 0;
	bool any = false;

	while (*v) {
		char *e;
		unsigned long n;

		if (!isdigit((unsigned char)*v))
			return -1;
		n = strtoul(v, &e, 10);
		if (n > 100000000UL)
			return -1;
		switch (*e) {
		case 'd': total += n * 86400.0; break;
		case 'h': total += n * 3600.0; break;
		case 'm': total += n * 60.0; break;
		case 's': total += n; break;
		default: return -1;
		}
		v = e + 1;
		any = true;
	}
	return any ? total : -1;
}

/* relay="203.0.113.10 (mx.example.org)", "[2001:db8::1] (mx...)" or the
 * domain alone when no address was reached. */
static void osd_relay(const char *v, struct mlog_delivery *d)
{
	const char *sp = strchr(v, ' ');
	char a[64];
	unsigned char bin[16];
	size_t n = sp ? (size_t)(sp - v) : strlen(v);

	if (*v == '[' && n > 2 && v[n - 1] == ']') {
		v++;
		n -= 2;
	}
	snprintf(a, sizeof(a), "%.*s", (int)(n < 63 ? n : 63), v);
	if (inet_pton(AF_INET6, a, bin) == 1)
		inet_ntop(AF_INET6, bin, d->relay_addr, sizeof(d->relay_addr));
	else if (inet_pton(AF_INET, a, bin) == 1)
		snprintf(d->relay_addr, sizeof(d->relay_addr), "%s", a);
	else {
		snprintf(d->relay_host, sizeof(d->relay_host), "%s", a);
		return;
	}
	if (sp && sp[1] == '(') {
		const char *h = sp + 2;
		size_t hn = strcspn(h, ")");

		snprintf(d->relay_host, sizeof(d->relay_host), "%.*s", (int)(hn < 255 ? hn : 255), h);
	}
}

/* The message an envelope id belongs to (its first 8 hex digits). */
static struct mlog_message *osd_message(struct mlog *m, const char *evpid, int64_t ns)
{
	char qid[MLOG_QID_LEN];

	if (strlen(evpid) != 16 || !hex_run(evpid, 16))
		return NULL;
	snprintf(qid, sizeof(qid), "%.8s", evpid);
	return mlog_get_message(m, qid, ns);
}

static bool osd_delivery(struct mlog *m, uint32_t pid, int64_t ns, const struct mlog_fields *f)
{
	struct mlog_message *msg;
	struct mlog_delivery nd;
	char ev[32], v[512], st[512];

	memset(&nd, 0, sizeof(nd));
	if (!mlog_get(f, "evpid", ev, sizeof(ev)) || !mlog_get(f, "result", v, sizeof(v)) ||
	    !mlog_get(f, "stat", st, sizeof(st)))
		return false;
	if (!strcmp(v, "Ok"))
		nd.status = MS_SENT;
	else if (!strcmp(v, "TempFail"))
		nd.status = MS_DEFERRED;
	else if (!strcmp(v, "PermFail") || !strcmp(v, "Loop"))
		nd.status = MS_BOUNCED;
	else
		return false;
	nd.delay = -1;
	if (mlog_get(f, "delay", v, sizeof(v)) && (nd.delay = osd_delay(v)) < 0)
		return false;
	msg = osd_message(m, ev, ns);
	if (!msg)
		return false;
	nd.wall_ns = ns;
	nd.pid = pid;
	snprintf(nd.agent, sizeof(nd.agent), "smtpd");
	mlog_get(f, "to", nd.to, sizeof(nd.to));
	if (mlog_get(f, "relay", v, sizeof(v)))
		osd_relay(v, &nd);
	/* "250 2.0.0 Ok: queued as X": the enhanced code, and the reply. */
	if (isdigit((unsigned char)st[0]) && isdigit((unsigned char)st[1]) && isdigit((unsigned char)st[2]) &&
	    st[3] == ' ') {
		size_t cl = strspn(st + 4, "0123456789.");

		if (cl >= 5 && cl < sizeof(nd.dsn) && st[4 + cl] == ' ')
			snprintf(nd.dsn, sizeof(nd.dsn), "%.*s", (int)cl, st + 4);
	}
	snprintf(nd.text, sizeof(nd.text), "%s", st);
	mlog_delivery_add(m, msg, &nd);
	return true;
}

bool mlog_opensmtpd_text(struct mlog *m, int64_t ns, uint32_t pid, const char *rest)
{
	struct mlog_message *msg;
	struct mlog_fields f;
	char v[MLOG_ADDR_LEN];
	uint64_t n;

	m->lines_mta++;
	/* "SID side what fields": other lines (warnings, "smtp-out: ...")
	 * say nothing of a message. */
	if (strlen(rest) < 17 || !hex_run(rest, 16) || rest[16] != ' ')
		return false;
	rest += 17;
	if (!strncmp(rest, "mta delivery ", 13)) {
		if (!osd_fields(rest + 13, "stat", &f) || !osd_delivery(m, pid, ns, &f)) {
			m->lines_bad++;
			return false;
		}
		return true;
	}
	if (!strncmp(rest, "smtp message ", 13)) {
		if (!osd_fields(rest + 13, "stat", &f) || !mlog_get(&f, "msgid", v, sizeof(v)) ||
		    strlen(v) != 8 || !hex_run(v, 8) || !(msg = mlog_get_message(m, v, ns))) {
			m->lines_bad++;
			return false;
		}
		if (mlog_get(&f, "size", v, sizeof(v)) && mlog_count(v, UINT64_MAX, &n))
			msg->size = n;
		if (mlog_get(&f, "nrcpt", v, sizeof(v)) && mlog_count(v, UINT32_MAX, &n))
			msg->nrcpt = (unsigned)n;
		return true;
	}
	if (!strncmp(rest, "smtp envelope ", 14)) {
		if (!osd_fields(rest + 14, "stat", &f) || !mlog_get(&f, "evpid", v, sizeof(v)) ||
		    !(msg = osd_message(m, v, ns))) {
			m->lines_bad++;
			return false;
		}
		mlog_get(&f, "from", msg->from, sizeof(msg->from));
		msg->from_seen = true;
		return true;
	}
	return false;
}
