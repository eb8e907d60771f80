/*
 * maillog.c - the MTA's log lines turned into messages (see maillog.h): the
 * store of messages by queue ID, log times, and which MTA's parser a line
 * goes to (maillog_postfix.c, maillog_exim.c, maillog_sendmail.c). Lines
 * of other programs, and lines a parser does not know, are counted and
 * skipped.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "maillog.h"
#include "maillog_parse.h"

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

struct mlog_message *mlog_get_message(struct mlog *m, const char *qid, int64_t ns)
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

/* notice_qid is the notice sent about orig_qid (maillog_parse.h). */
void mlog_link_notice(struct mlog *m, const char *orig_qid, const char *notice_qid, int64_t ns)
{
	struct mlog_message *orig, *notice;

	/* A message is not its own notice, a notice has one original, and
	 * two messages are not each other's: a forged line (anyone can write
	 * to syslog) must not hide a message under itself or a circle. */
	if (!strcmp(orig_qid, notice_qid))
		return;
	mlog_get_message(m, orig_qid, ns);
	notice = mlog_get_message(m, notice_qid, ns);
	/* Making the second may have dropped the oldest: look the first up again. */
	orig = mlog_find(m, orig_qid);
	if (!orig || !notice || notice->notice_of[0] || !strcmp(orig->notice_of, notice->qid))
		return;
	snprintf(orig->notice_qid, sizeof(orig->notice_qid), "%s", notice->qid);
	snprintf(notice->notice_of, sizeof(notice->notice_of), "%s", orig->qid);
}

struct mlog_delivery *mlog_delivery_slot(struct mlog_message *msg)
{
	if (msg->n_d < MLOG_MAX_DELIVERIES)
		return &msg->d[msg->n_d++];
	msg->n_d_extra++;
	for (unsigned i = 0; i < msg->n_d; i++)
		if (msg->d[i].status == MS_DEFERRED || msg->d[i].status == MS_NONE) {
			memmove(&msg->d[i], &msg->d[i + 1], (msg->n_d - i - 1) * sizeof(msg->d[0]));
			return &msg->d[msg->n_d - 1];
		}
	return NULL;
}

void mlog_arrival(struct mlog_message *msg, const struct mlog_fields *f, const char *nrcpt_key)
{
	uint64_t n;
	char v[32];

	mlog_get(f, "from", msg->from, sizeof(msg->from));
	msg->from_seen = true;
	if (mlog_get(f, "size", v, sizeof(v)) && mlog_count(v, UINT64_MAX, &n))
		msg->size = n;
	if (mlog_get(f, nrcpt_key, v, sizeof(v)) && mlog_count(v, UINT32_MAX, &n))
		msg->nrcpt = (unsigned)n;
}

bool mlog_line(struct mlog *m, const char *line)
{
	const char *p, *prog, *lbr, *colon;
	char agent[16];
	uint32_t pid;
	int64_t ns;

	m->lines++;
	/* A syslog datagram as a client sent it (a log of /dev/log's raw
	 * lines): "<PRI>" first, and no host name after the time. */
	if (line[0] == '<' && isdigit((unsigned char)line[1])) {
		const char *gt = line + 1 + strspn(line + 1, "0123456789");

		if (*gt == '>' && gt - line <= 4)
			line = gt + 1;
	}
	if (!mlog_time(m, line, &ns, &p))
		return false;
	if (isdigit((unsigned char)line[0]) && line[10] == ' ')
		return mlog_exim_line(m, ns, 0, p); /* Exim's main log: no host, no program */
	/* " host prog[pid]: " (or " prog[pid]: " without a host) */
	while (*p == ' ')
		p++;
	{
		size_t tok = strcspn(p, " ");

		if (!(tok > 2 && p[tok - 1] == ':' && p[tok - 2] == ']' && memchr(p, '[', tok))) {
			p += tok;
			while (*p == ' ')
				p++;
		}
	}
	prog = p;
	lbr = strchr(prog, '[');
	if (!lbr || lbr - prog > 64)
		return false;
	colon = strstr(lbr, "]: ");
	if (!colon)
		return false;
	pid = (uint32_t)strtoul(lbr + 1, NULL, 10);
	if (mlog_postfix_agent(prog, (size_t)(lbr - prog), agent, sizeof(agent)))
		return mlog_postfix_text(m, ns, agent, pid, colon + 3);
	if (mlog_is_sendmail(prog, (size_t)(lbr - prog)))
		return mlog_sendmail_text(m, ns, pid, colon + 3);
	return false; /* another program */
}

bool mlog_is_mta(const char *ident)
{
	char agent[16];

	return !strncmp(ident, "exim", 4) || mlog_postfix_agent(ident, strlen(ident), agent, sizeof(agent)) ||
	       mlog_is_sendmail(ident, strlen(ident));
}

bool mlog_entry(struct mlog *m, int64_t ns, const char *ident, uint32_t pid, const char *text)
{
	char agent[16];

	m->lines++;
	if (!strncmp(ident, "exim", 4))
		return mlog_exim_line(m, ns, pid, text);
	if (mlog_postfix_agent(ident, strlen(ident), agent, sizeof(agent)))
		return mlog_postfix_text(m, ns, agent, pid, text);
	if (mlog_is_sendmail(ident, strlen(ident)))
		return mlog_sendmail_text(m, ns, pid, text);
	return false;
}
