/*
 * maillog.c - the MTA's log lines turned into messages (see maillog.h).
 * Postfix:
 * "QID: from=<...>" (qmgr, pickup), "QID: to=<...>, relay=..., status=..."
 * (the delivery agents), "QID: sender non-delivery notification: QID2"
 * (bounce), "QID: removed". Exim's main log: "ID <=", "=>", "->", "**",
 * "==" and "Completed". Lines of other programs, and lines this parser does
 * not know, are counted and skipped.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "maillog.h"

void mlog_init(struct mlog *m, time_t around)
{
	struct tm tm;

	memset(m, 0, sizeof(*m));
	localtime_r(&around, &tm);
	m->year = tm.tm_year + 1900;
	m->year_month = tm.tm_mon + 1;
}

void mlog_free(struct mlog *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->msgs[i]);
	free(m->msgs);
	memset(m, 0, sizeof(*m));
}

const char *mlog_status_key(enum mlog_status s)
{
	static const char *const k[] = { "none", "sent", "deferred", "bounced", "expired" };

	return s <= MS_EXPIRED ? k[s] : "none";
}

const char *mlog_domain(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at ? at + 1 : "";
}

static int month_of(const char *s)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

	for (int i = 0; i < 12; i++)
		if (!strncmp(s, mon[i], 3))
			return i + 1;
	return 0;
}

/* A time a log line can hold (what mktime/timegm and ns arithmetic take). */
static bool time_fields_ok(int y, int mo, int d, int hh, int mm, int ss)
{
	return y >= 1970 && y <= 2200 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && hh >= 0 &&
	       hh <= 23 && mm >= 0 && mm <= 59 && ss >= 0 && ss <= 60;
}

bool mlog_time(struct mlog *m, const char *s, int64_t *ns, const char **end)
{
	struct tm tm = { 0 };
	int mon = month_of(s), n = 0, frac_digits = 0;
	long frac = 0;
	time_t t;

	if (mon && s[3] == ' ') {
		/* "Dec  2 19:30:17": local time, no year. A month far after the
		 * one the year was taken at belongs to the year before. */
		int day, hh, mm, ss;

		if (sscanf(s + 4, "%d %d:%d:%d%n", &day, &hh, &mm, &ss, &n) != 4 ||
		    !time_fields_ok(m->year, mon, day, hh, mm, ss))
			return false;
		tm.tm_year = m->year - 1900 - (mon > m->year_month + 6 ? 1 : 0);
		tm.tm_mon = mon - 1;
		tm.tm_mday = day;
		tm.tm_hour = hh;
		tm.tm_min = mm;
		tm.tm_sec = ss;
		tm.tm_isdst = -1;
		t = mktime(&tm);
		*ns = (int64_t)t * 1000000000LL;
		*end = s + 4 + n;
		return t != (time_t)-1;
	}
	/* "2026-12-02T19:30:17.123456+00:00" (rsyslog, journald exports). */
	{
		int y, mo, d, hh, mm, ss, off = 0;
		const char *p;

		bool local = false;

		if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &hh, &mm, &ss, &n) != 6) {
			/* Exim's "2026-12-02 19:30:17[.123]": local time. */
			if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &hh, &mm, &ss, &n) != 6)
				return false;
			local = true;
		}
		if (!time_fields_ok(y, mo, d, hh, mm, ss))
			return false;
		p = s + n;
		if (*p == '.') {
			p++;
			while (isdigit((unsigned char)*p)) {
				if (frac_digits < 9) {
					frac = frac * 10 + (*p - '0');
					frac_digits++;
				}
				p++;
			}
			while (frac_digits < 9) {
				frac *= 10;
				frac_digits++;
			}
		}
		if (*p == 'Z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int oh, om, used = 0;

			/* Exactly "HH:MM": sscanf would also take "+1:2" (4 bytes). */
			if (!isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]) || p[3] != ':' ||
			    !isdigit((unsigned char)p[4]) || !isdigit((unsigned char)p[5]) ||
			    sscanf(p + 1, "%2d:%2d%n", &oh, &om, &used) != 2 || used != 5 || oh > 14 || om > 59)
				return false;
			off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
			p += 6;
		}
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = hh;
		tm.tm_min = mm;
		tm.tm_sec = ss;
		tm.tm_isdst = -1;
		t = local && !off && *p != 'Z' ? mktime(&tm) : timegm(&tm) - off;
		*ns = (int64_t)t * 1000000000LL + frac;
		*end = p;
		return true;
	}
}

struct mlog_message *mlog_find(const struct mlog *m, const char *qid)
{
	/* Newest first: a queue ID is looked up while its lines arrive. */
	for (size_t i = m->n; i-- > 0;)
		if (!strcmp(m->msgs[i]->qid, qid))
			return m->msgs[i];
	return NULL;
}

static struct mlog_message *get_message(struct mlog *m, const char *qid, int64_t ns)
{
	struct mlog_message *msg = mlog_find(m, qid);

	if (msg) {
		if (ns > msg->last_ns)
			msg->last_ns = ns;
		return msg;
	}
	if (m->n == MLOG_MAX_MESSAGES) {
		/* Bounded: the oldest message goes, counted. */
		free(m->msgs[0]);
		memmove(m->msgs, m->msgs + 1, (m->n - 1) * sizeof(*m->msgs));
		m->n--;
		m->dropped_messages++;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct mlog_message **n = realloc(m->msgs, cap * sizeof(*n));

		if (!n)
			return NULL;
		m->msgs = n;
		m->cap = cap;
	}
	msg = calloc(1, sizeof(*msg));
	if (!msg)
		return NULL;
	snprintf(msg->qid, sizeof(msg->qid), "%s", qid);
	msg->first_ns = msg->last_ns = ns;
	msg->seq = m->next_seq++;
	m->msgs[m->n++] = msg;
	return msg;
}

/* The value of "key=" in s up to the next ", " (or the end); "" if absent.
 * A value in <...> is taken whole (addresses may hold commas). */
static void field(const char *s, const char *key, char *out, size_t len)
{
	size_t kl = strlen(key);
	const char *p = s, *e;

	out[0] = 0;
	while ((p = strstr(p, key))) {
		if ((p == s || p[-1] == ' ') && p[kl] == '=')
			break;
		p += kl;
	}
	if (!p)
		return;
	p += kl + 1;
	if (*p == '<') {
		e = strchr(p, '>');
		if (!e)
			return;
		snprintf(out, len, "%.*s", (int)(e - p - 1), p + 1);
		return;
	}
	e = strstr(p, ", ");
	if (!e)
		e = p + strcspn(p, " ");
	snprintf(out, len, "%.*s", (int)(e - p), p);
}

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

static void delivery_line(struct mlog_message *msg, const char *agent, uint32_t pid, int64_t ns,
			  const char *rest)
{
	struct mlog_delivery *d;
	char v[512];
	const char *st;

	if (msg->n_d == MLOG_MAX_DELIVERIES) {
		msg->n_d_extra++;
		return;
	}
	d = &msg->d[msg->n_d++];
	memset(d, 0, sizeof(*d));
	d->wall_ns = ns;
	d->pid = pid;
	snprintf(d->agent, sizeof(d->agent), "%s", agent);
	field(rest, "to", d->to, sizeof(d->to));
	field(rest, "relay", v, sizeof(v));
	parse_relay(v, d);
	field(rest, "delay", v, sizeof(v));
	d->delay = atof(v);
	field(rest, "delays", d->delays, sizeof(d->delays));
	field(rest, "dsn", d->dsn, sizeof(d->dsn));
	st = strstr(rest, "status=");
	if (st) {
		const char *paren;

		st += 7;
		d->status = !strncmp(st, "sent", 4)	    ? MS_SENT
			    : !strncmp(st, "deferred", 8) ? MS_DEFERRED
			    : !strncmp(st, "bounced", 7)  ? MS_BOUNCED
			    : !strncmp(st, "expired", 7)  ? MS_EXPIRED
							  : MS_NONE;
		paren = strchr(st, '(');
		if (paren) {
			size_t n = strlen(paren + 1);

			if (n && paren[n] == ')')
				n--;
			snprintf(d->text, sizeof(d->text), "%.*s", (int)n, paren + 1);
		}
	}
}

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
static bool exim_line(struct mlog *m, int64_t ns, uint32_t pid, const char *p)
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
	msg = get_message(m, id, ns);
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
		if (!msg->from[0] && is_exim_id(v, strlen(v))) {
			struct mlog_message *orig;

			snprintf(msg->notice_of, sizeof(msg->notice_of), "%.23s", v);
			orig = get_message(m, v, ns);
			msg = mlog_find(m, id);
			if (orig && msg)
				snprintf(orig->notice_qid, sizeof(orig->notice_qid), "%s", id);
		}
		return true;
	}
	if (!strcmp(flag, "=>") || !strcmp(flag, "->") || !strcmp(flag, "**") || !strcmp(flag, "==")) {
		struct mlog_delivery *d;
		const char *a = after, *why;

		if (msg->n_d == MLOG_MAX_DELIVERIES) {
			msg->n_d_extra++;
			return true;
		}
		d = &msg->d[msg->n_d++];
		memset(d, 0, sizeof(*d));
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
	if (!strncmp(p, "Completed", 9))
		msg->removed = true;
	return true;
}

/*
 * The text of one Postfix line after "prog[pid]: ", from the program whose
 * last name part is agent ("smtp" of "postfix/smtp").
 */
static bool postfix_text(struct mlog *m, int64_t ns, const char *agent, uint32_t pid,
			 const char *rest)
{
	char qid[MLOG_QID_LEN], v[MLOG_ADDR_LEN];
	struct mlog_message *msg;
	size_t n;

	m->lines_mta++;
	n = strcspn(rest, ":");
	if (!is_qid(rest, n) || rest[n] != ':' || rest[n + 1] != ' ')
		return false;
	snprintf(qid, sizeof(qid), "%.*s", (int)n, rest);
	rest += n + 2;
	msg = get_message(m, qid, ns);
	if (!msg)
		return false;
	if (!strncmp(rest, "to=<", 4)) {
		delivery_line(msg, agent, pid, ns, rest);
	} else if (!strncmp(rest, "from=<", 6)) {
		field(rest, "from", msg->from, sizeof(msg->from));
		msg->from_seen = true;
		field(rest, "size", v, sizeof(v));
		msg->size = strtoull(v, NULL, 10);
		field(rest, "nrcpt", v, sizeof(v));
		msg->nrcpt = (unsigned)strtoul(v, NULL, 10);
		if (strstr(rest, "status=expired"))
			delivery_line(msg, agent, pid, ns, rest);
	} else if (!strncmp(rest, "uid=", 4) && strstr(rest, "from=<") && !msg->from_seen) {
		field(rest, "from", msg->from, sizeof(msg->from));
	} else if (!strcmp(rest, "removed")) {
		msg->removed = true;
	} else if (!strncmp(rest, "sender non-delivery notification: ", 34) ||
		   !strncmp(rest, "sender delivery status notification: ", 37) ||
		   !strncmp(rest, "postmaster non-delivery notification: ", 38)) {
		const char *q = strrchr(rest, ' ') + 1;
		struct mlog_message *notice;

		if (!is_qid(q, strlen(q)))
			return true;
		snprintf(msg->notice_qid, sizeof(msg->notice_qid), "%s", q);
		notice = get_message(m, q, ns);
		/* get_message may have dropped the oldest: look msg up again. */
		msg = mlog_find(m, qid);
		if (notice && msg)
			snprintf(notice->notice_of, sizeof(notice->notice_of), "%s", msg->qid);
	}
	return true;
}

/* "postfix/smtp" -> "smtp"; false unless a Postfix program (a '/' in it). */
static bool postfix_agent(const char *prog, size_t len, char *agent, size_t agent_len)
{
	const char *slash = prog + len;

	if (!len || len > 64 || !memchr(prog, '/', len))
		return false;
	while (slash > prog && slash[-1] != '/')
		slash--;
	snprintf(agent, agent_len, "%.*s", (int)(prog + len - slash), slash);
	return true;
}

bool mlog_line(struct mlog *m, const char *line)
{
	const char *p, *prog, *lbr, *colon;
	char agent[16];
	int64_t ns;

	m->lines++;
	if (!mlog_time(m, line, &ns, &p))
		return false;
	if (isdigit((unsigned char)line[0]) && line[10] == ' ')
		return exim_line(m, ns, 0, p); /* Exim's main log: no host, no program */
	/* " host prog[pid]: " */
	while (*p == ' ')
		p++;
	p += strcspn(p, " ");
	while (*p == ' ')
		p++;
	prog = p;
	lbr = strchr(prog, '[');
	if (!lbr || !postfix_agent(prog, (size_t)(lbr - prog), agent, sizeof(agent)))
		return false; /* not a Postfix program ("postfix/smtp") */
	colon = strstr(lbr, "]: ");
	if (!colon)
		return false;
	return postfix_text(m, ns, agent, (uint32_t)strtoul(lbr + 1, NULL, 10), colon + 3);
}

bool mlog_entry(struct mlog *m, int64_t ns, const char *ident, uint32_t pid, const char *text)
{
	char agent[16];

	m->lines++;
	if (!strncmp(ident, "exim", 4))
		return exim_line(m, ns, pid, text);
	if (!postfix_agent(ident, strlen(ident), agent, sizeof(agent)))
		return false;
	return postfix_text(m, ns, agent, pid, text);
}
