// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * maillog_line.c - one line of the MTA's log (or one journal entry) to the
 * parser of the MTA that wrote it: its time, in the classic syslog or ISO
 * 8601 form, and its program. Lines of other programs, and lines a parser
 * does not know, are counted and skipped. Above the parsers; the store
 * (maillog.c) is below them.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "maillog/maillog.h"
#include "maillog/maillog_parse.h"

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

bool mlog_line(struct mlog *m, const char *line)
{
	return mlog_line_at(m, line, 0);
}

bool mlog_line_at(struct mlog *m, const char *line, int64_t at_ns)
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
	if (at_ns)
		ns = at_ns;
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
	if (mlog_is_opensmtpd(prog, (size_t)(lbr - prog)))
		return mlog_opensmtpd_text(m, ns, pid, colon + 3);
	return false; /* another program */
}

bool mlog_is_mta(const char *ident)
{
	char agent[16];

	return !strncmp(ident, "exim", 4) || mlog_postfix_agent(ident, strlen(ident), agent, sizeof(agent)) ||
	       mlog_is_sendmail(ident, strlen(ident)) || mlog_is_opensmtpd(ident, strlen(ident));
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
	if (mlog_is_opensmtpd(ident, strlen(ident)))
		return mlog_opensmtpd_text(m, ns, pid, text);
	return false;
}
