// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * test_maillog.c - unit tests of maillog/: the MTA logs' lines (Postfix,
 * Exim, Sendmail, OpenSMTPD, the journal), hostile addresses in them, and a followed
 * log across rotation. Output as in test_correlate.c ("ok - name" ..., "N
 * passed, N failed").
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check/check.h"
#include "mta/mta_exim.h"
#include "lib/dns.h"
#include "lib/fmt.h"
#include "records/recording.h"
#include "cmd/replay.h"
#include "report/report.h"
#include "records/source.h"
#include "maillog/journal.h"
#include "report/jprintf.h"
#include "maillog/maillog.h"
#include "maillog/messages.h"
#include "records/decode.h"
#include "maillog/maillog_read.h"
#include "dnsname.h"
#include "unit.h"
#include "records/zeroruns.h"

/* Sendmail's syslog lines: arrival, delivery (sent, deferred, bounced) and
 * the DSN that links a notice to its message. */
static void test_sendmail_lines(void)
{
	struct mlog m;
	struct mlog_message *msg, *notice;

	mlog_init(&m, 1796249741);
	CHECK(mlog_line(&m, "Dec  2 22:15:41 relay sendmail[4242]: 5B2MFfxA004242: from=<lab@relay.lab.test>, "
			    "size=312, class=0, nrcpts=1, msgid=<x@relay.lab.test>, relay=root@localhost"));
	CHECK(mlog_line(&m, "Dec  2 22:15:42 relay sendmail[4243]: 5B2MFfxA004242: to=<u@dual.lab.test>, "
			    "ctladdr=<lab@relay.lab.test> (0/0), delay=00:00:01, xdelay=00:00:01, mailer=esmtp, "
			    "pri=120312, relay=mx-dual.lab.test. [IPv6:2001:db8:200:0:0:0:0:10], dsn=2.0.0, "
			    "stat=Sent (Ok: queued as 4F2A1)"));
	msg = mlog_find(&m, "5B2MFfxA004242");
	CHECK(msg && msg->from_seen && !strcmp(msg->from, "lab@relay.lab.test") && msg->size == 312 &&
	      msg->nrcpt == 1 && msg->n_d == 1);
	CHECK(msg && msg->d[0].status == MS_SENT && msg->d[0].pid == 4243 && !strcmp(msg->d[0].agent, "esmtp") &&
	      !strcmp(msg->d[0].to, "u@dual.lab.test") && !strcmp(msg->d[0].relay_host, "mx-dual.lab.test") &&
	      !strcmp(msg->d[0].relay_addr, "2001:db8:200::10") && msg->d[0].delay == 1 &&
	      !strcmp(msg->d[0].dsn, "2.0.0") && !strcmp(msg->d[0].text, "Ok: queued as 4F2A1"));
	/* Deferred (the why holds ", "), then bounced with its notice. */
	CHECK(mlog_line(&m, "Dec  2 22:16:00 relay sm-mta[4250]: 5B2MG0xB004250: to=<u@v6only.lab.test>, "
			    "delay=1+00:00:02, mailer=esmtp, pri=1, relay=mx-v6.lab.test., dsn=4.0.0, "
			    "stat=Deferred: Network is unreachable, try later"));
	CHECK(mlog_line(&m, "Dec  2 22:16:05 relay sendmail[4251]: 5B2MG0xB004250: to=<u@v6only.lab.test>, "
			    "delay=00:00:07, mailer=esmtp, pri=2, relay=mx-v6.lab.test., dsn=5.1.2, "
			    "stat=Host unknown (Name server: mx-v6.lab.test.: host not found)"));
	CHECK(mlog_line(&m, "Dec  2 22:16:05 relay sendmail[4251]: 5B2MG0xB004250: 5B2MG5xC004251: DSN: "
			    "Host unknown (Name server: mx-v6.lab.test.: host not found)"));
	msg = mlog_find(&m, "5B2MG0xB004250");
	notice = mlog_find(&m, "5B2MG5xC004251");
	CHECK(msg && msg->n_d == 2 && msg->d[0].status == MS_DEFERRED && msg->d[0].delay == 86402 &&
	      !strcmp(msg->d[0].text, "Network is unreachable, try later") && !strcmp(msg->d[0].relay_host, "mx-v6.lab.test") &&
	      !msg->d[0].relay_addr[0] && msg->d[1].status == MS_BOUNCED && !strcmp(msg->d[1].dsn, "5.1.2"));
	CHECK(msg && notice && !strcmp(msg->notice_qid, "5B2MG5xC004251") && !strcmp(notice->notice_of, msg->qid));
	/* Not Sendmail's: another program, a short ID, a line it does not know. */
	CHECK(!mlog_line(&m, "Dec  2 22:16:05 relay sendmailx[1]: 5B2MG0xB004250: to=<a@b>, stat=Sent"));
	CHECK(!mlog_line(&m, "Dec  2 22:16:05 relay sendmail[1]: 5B2MG: to=<a@b>, stat=Sent"));
	CHECK(mlog_entry(&m, 1796249800000000000LL, "sendmail", 77,
			 "5B2MH0xD004260: to=<u@dual.lab.test>, mailer=esmtp, relay=mx-dual.lab.test. [203.0.113.10], "
			 "dsn=2.0.0, stat=Sent (ok)"));
	msg = mlog_find(&m, "5B2MH0xD004260");
	CHECK(msg && msg->d[0].pid == 77 && !strcmp(msg->d[0].relay_addr, "203.0.113.10"));
	/* As /dev/log receives it (a raw datagram: priority, no host name), and
	 * Sendmail's addresses without angle brackets. */
	CHECK(mlog_line(&m, "<22>Dec  2 23:38:23 sendmail[20542]: 6B2NcNF6020542: from=lab@lab.test, size=29, "
			    "class=0, nrcpts=1, msgid=<x@relay.lab.test>, relay=root@localhost"));
	CHECK(mlog_line(&m, "<22>Dec  2 23:38:23 sendmail[20542]: 6B2NcNF6020542: to=u@dual.lab.test, "
			    "ctladdr=lab@lab.test (0/0), delay=00:00:00, xdelay=00:00:00, mailer=esmtp, pri=30029, "
			    "relay=mx-dual.lab.test. [203.0.113.10], dsn=2.0.0, stat=Sent (Ok: queued as 3FD7613219F)"));
	msg = mlog_find(&m, "6B2NcNF6020542");
	CHECK(msg && !strcmp(msg->from, "lab@lab.test") && msg->n_d == 1 && msg->d[0].pid == 20542 &&
	      !strcmp(msg->d[0].to, "u@dual.lab.test") && msg->d[0].status == MS_SENT);
	mlog_free(&m);
}

/* journalctl -o json entries: the fields wanted, whatever their form. */
/* A container's output as its runtime's journald driver writes it: the
 * container's id taken (64 hex digits, or none), and the entry believed
 * only from dockerd or conmon as root; an id in an entry of anyone else
 * (logger --journald) is no container's line. */
static void test_journal_container_entries(void)
{
	static const char id[] = "807fd371b514ba7e2a34e2a3c9b4c24d5ac8c0a7e3d9b8f5b6c0d2e1f4a3b2c1";
	char line[1024];
	struct journal_entry e;

	snprintf(line, sizeof(line),
		 "{\"__REALTIME_TIMESTAMP\":\"1796249741483123\",\"_PID\":\"812\",\"_COMM\":\"dockerd\","
		 "\"_UID\":\"0\",\"CONTAINER_ID_FULL\":\"%s\",\"CONTAINER_NAME\":\"mta\",\"MESSAGE\":"
		 "\"Dec  7 20:00:05 dk postfix/smtp[7]: 6F4A1B2C3D: status=deferred\"}", id);
	CHECK(journal_entry_parse(line, &e) && !strcmp(e.container, id) && !e.ident[0] &&
	      journal_entry_from_runtime(&e) && !journal_entry_from_mta(&e, NULL, 0) && e.facility == -1);
	strcpy(e.comm, "conmon");
	CHECK(journal_entry_from_runtime(&e));
	strcpy(e.comm, "logger");
	CHECK(!journal_entry_from_runtime(&e));
	strcpy(e.comm, "dockerd");
	e.uid = 1000;
	CHECK(!journal_entry_from_runtime(&e));
	/* Not an id: no container, and (no identifier either) no entry. */
	snprintf(line, sizeof(line),
		 "{\"__REALTIME_TIMESTAMP\":\"1796249741483123\",\"_COMM\":\"dockerd\",\"_UID\":\"0\","
		 "\"CONTAINER_ID_FULL\":\"../../etc\",\"MESSAGE\":\"x\"}");
	CHECK(!journal_entry_parse(line, &e) && !e.container[0]);
	/* The facility, what a followed journalctl (no match) is filtered by. */
	CHECK(journal_entry_parse("{\"__REALTIME_TIMESTAMP\":\"1\",\"SYSLOG_IDENTIFIER\":\"postfix/smtp\","
				  "\"SYSLOG_FACILITY\":\"2\",\"MESSAGE\":\"x\"}", &e) && e.facility == 2);
}

static void test_journal_entries(void)
{
	struct journal_entry e;
	struct mlog m;
	struct mlog_message *msg;

	CHECK(journal_entry_parse(
		"{\"__CURSOR\":\"s=1;i=2\",\"__REALTIME_TIMESTAMP\":\"1796249741483123\",\"_PID\":\"99\","
		"\"SYSLOG_IDENTIFIER\":\"postfix/smtp\",\"SYSLOG_PID\":\"4342\",\"PRIORITY\":\"6\","
		"\"MESSAGE\":\"AED691321CC: to=<u@v6only.lab.test>, relay=none, delay=0.02, "
		"delays=0/0/0.01/0, dsn=5.4.4, status=bounced (Host \\\"x\\\" \\u00e9t\\ud83d\\ude00)\"}", &e));
	/* The pid is journald's _PID: SYSLOG_PID is the writer's say. */
	CHECK(e.ns == 1796249741483123000LL && e.pid == 99 && !strcmp(e.ident, "postfix/smtp"));
	CHECK(strstr(e.text, "(Host \"x\" \xc3\xa9t\xf0\x9f\x98\x80)") != NULL);
	/* A message that is not UTF-8 comes as bytes; a repeated field as an
	 * array (the first is taken); _PID when there is no SYSLOG_PID; a
	 * newline inside a message does not make a second line. */
	CHECK(journal_entry_parse("{\"MESSAGE\":[65,66,10,255],\"SYSLOG_IDENTIFIER\":[\"exim\",\"x\"],"
				  "\"_PID\":\"7\",\"__REALTIME_TIMESTAMP\":\"1000000\",\"BIG\":null,"
				  "\"N\":[[1,2],{\"a\":1}]}", &e));
	CHECK(!strcmp(e.text, "AB?\xff") && !strcmp(e.ident, "exim") && e.pid == 7 && e.ns == 1000000000LL);
	/* Refused: not an object, cut short, no time, no message, a bad escape. */
	CHECK(!journal_entry_parse("", &e));
	CHECK(!journal_entry_parse("-- No entries --", &e));
	CHECK(!journal_entry_parse("{\"MESSAGE\":\"a\",\"SYSLOG_IDENTIFIER\":\"postfix/smtp\",\"__REALTIME_TIME", &e));
	CHECK(!journal_entry_parse("{\"MESSAGE\":\"a\",\"SYSLOG_IDENTIFIER\":\"postfix/smtp\"}", &e));
	CHECK(!journal_entry_parse("{\"SYSLOG_IDENTIFIER\":\"postfix/smtp\",\"__REALTIME_TIMESTAMP\":\"1\"}", &e));
	CHECK(!journal_entry_parse("{\"MESSAGE\":\"a\\q\",\"SYSLOG_IDENTIFIER\":\"p/s\",\"__REALTIME_TIMESTAMP\":\"1\"}", &e));
	CHECK(!journal_entry_parse("{\"MESSAGE\":\"a\",\"SYSLOG_IDENTIFIER\":\"p/s\",\"__REALTIME_TIMESTAMP\":\"99999999999999999999\"}", &e));
	/* Finding 7: who wrote it is journald's _COMM and _UID, not the
	 * identifier the writer chose. */
	{
		int64_t uids[] = { 102, 105 };

		CHECK(journal_entry_parse("{\"MESSAGE\":\"x\",\"SYSLOG_IDENTIFIER\":\"postfix/smtp\",\"_COMM\":\"smtp\","
					  "\"_UID\":\"102\",\"__REALTIME_TIMESTAMP\":\"1\"}", &e));
		CHECK(journal_entry_from_mta(&e, uids, 2) && journal_entry_from_mta(&e, NULL, 0));
		CHECK(journal_entry_parse("{\"MESSAGE\":\"x\",\"SYSLOG_IDENTIFIER\":\"postfix/smtp\",\"_COMM\":\"logger\","
					  "\"_UID\":\"65534\",\"__REALTIME_TIMESTAMP\":\"1\"}", &e));
		CHECK(!journal_entry_from_mta(&e, uids, 2) && !journal_entry_from_mta(&e, NULL, 0));
		/* A copy of smtp run by nobody, or by another system user. */
		CHECK(journal_entry_parse("{\"MESSAGE\":\"x\",\"SYSLOG_IDENTIFIER\":\"postfix/smtp\",\"_COMM\":\"smtp\","
					  "\"_UID\":\"33\",\"__REALTIME_TIMESTAMP\":\"1\"}", &e));
		CHECK(!journal_entry_from_mta(&e, uids, 2));
		e.uid = 65534;
		CHECK(!journal_entry_from_mta(&e, NULL, 0));
		/* Exim's identifier is exim, its command exim4; root may log. */
		CHECK(journal_entry_parse("{\"MESSAGE\":\"x\",\"SYSLOG_IDENTIFIER\":\"exim\",\"_COMM\":\"exim4\","
					  "\"_UID\":\"0\",\"__REALTIME_TIMESTAMP\":\"1\"}", &e));
		CHECK(journal_entry_from_mta(&e, uids, 2));
		/* Without journald's fields, nothing says who wrote it. */
		CHECK(journal_entry_parse("{\"MESSAGE\":\"x\",\"SYSLOG_IDENTIFIER\":\"exim\",\"__REALTIME_TIMESTAMP\":\"1\"}", &e));
		CHECK(!journal_entry_from_mta(&e, uids, 2));
	}
	/* Entries into messages: Postfix's by its identifier, Exim's too. */
	mlog_init(&m, 1796249741);
	CHECK(mlog_entry(&m, 1796249741000000000LL, "postfix/qmgr", 10,
			 "AED691321CC: from=<lab@lab.test>, size=271, nrcpt=1 (queue active)"));
	CHECK(mlog_entry(&m, 1796249741100000000LL, "postfix-out/smtp", 4342,
			 "AED691321CC: to=<u@v6only.lab.test>, relay=none, delay=0.02, delays=0/0/0.01/0, "
			 "dsn=5.4.4, status=bounced (Host or domain name not found)"));
	CHECK(mlog_entry(&m, 1796249742000000000LL, "exim", 555,
			 "1tQk2x-000Abc-3D ** u@v6only.lab.test: Unrouteable address"));
	CHECK(!mlog_entry(&m, 1796249742000000000LL, "sshd", 1, "AED691321CC: to=<x@y>, status=sent"));
	msg = mlog_find(&m, "AED691321CC");
	CHECK(msg && !strcmp(msg->from, "lab@lab.test") && msg->n_d == 1 && msg->d[0].pid == 4342 &&
	      msg->d[0].status == MS_BOUNCED && !strcmp(msg->d[0].agent, "smtp") &&
	      msg->d[0].wall_ns == 1796249741100000000LL);
	msg = mlog_find(&m, "1tQk2x-000Abc-3D");
	CHECK(msg && msg->n_d == 1 && msg->d[0].pid == 555 && msg->d[0].status == MS_BOUNCED);
	mlog_free(&m);
}

/* A qmgr line that makes a message of qid, written to fd. */
static void qmgr_line(int fd, const char *qid, bool newline)
{
	char line[160];
	int n = snprintf(line, sizeof(line), "Dec 02 19:30:17 relay postfix/qmgr[7]: %s: from=<a@lab.test>, "
				"size=1, nrcpt=1 (queue active)%s", qid, newline ? "\n" : "");

	CHECK(write(fd, line, (size_t)n) == n);
}

/* A followed log across rotation: lines its writer puts in the old file
 * after the new one appeared are read while it is quiet for less than
 * MLOG_ROTATED_QUIET_NS; then the old file is let go, its unfinished last
 * line read as a line, while the new one is read on. */
static void test_maillog_follow_across_rotation(void)
{
	char path[300], moved[310], err[200];
	struct mlog_follow *f;
	struct mlog m;
	int w_old, w_new;
	const int64_t s = 1000000000LL;

	snprintf(path, sizeof(path), "%s/maillog", unit_dir);
	snprintf(moved, sizeof(moved), "%s.1", path);
	mlog_init(&m, 1794960000);
	w_old = open(path, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0600);
	CHECK(w_old >= 0);
	qmgr_line(w_old, "0A0000000A0", true); /* before the follow: not read */
	f = mlog_follow_open(path, err, sizeof(err));
	CHECK(f != NULL);
	if (!f)
		return;
	qmgr_line(w_old, "0A0000000A1", true);
	mlog_follow_poll_at(f, &m, 0);
	CHECK(!mlog_find(&m, "0A0000000A0") && mlog_find(&m, "0A0000000A1"));
	/* Renamed; the writer has not reopened yet; the new file appears. */
	CHECK(!rename(path, moved));
	qmgr_line(w_old, "0A0000000A2", true);
	w_new = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	CHECK(w_new >= 0);
	qmgr_line(w_new, "0A0000000B1", true);
	mlog_follow_poll_at(f, &m, 1 * s);
	CHECK(mlog_find(&m, "0A0000000A2") && mlog_find(&m, "0A0000000B1"));
	/* The writer's late lines in the old file, after the switch. */
	qmgr_line(w_old, "0A0000000A3", true);
	mlog_follow_poll_at(f, &m, 2 * s);
	CHECK(mlog_find(&m, "0A0000000A3"));
	qmgr_line(w_old, "0A0000000A4", false);
	mlog_follow_poll_at(f, &m, 3 * s);
	CHECK(!mlog_find(&m, "0A0000000A4")); /* no newline yet */
	mlog_follow_poll_at(f, &m, 3 * s + MLOG_ROTATED_QUIET_NS - 1);
	CHECK(!mlog_find(&m, "0A0000000A4"));
	mlog_follow_poll_at(f, &m, 3 * s + MLOG_ROTATED_QUIET_NS);
	CHECK(mlog_find(&m, "0A0000000A4")); /* quiet: let go, its last line read */
	CHECK(write(w_old, "\n", 1) == 1);
	qmgr_line(w_old, "0A0000000A5", true);
	mlog_follow_poll_at(f, &m, 20 * s);
	CHECK(!mlog_find(&m, "0A0000000A5")); /* no longer held */
	qmgr_line(w_new, "0A0000000B2", true);
	mlog_follow_poll_at(f, &m, 21 * s);
	mlog_follow_close(f);
	CHECK(mlog_find(&m, "0A0000000B2")); /* the new file read on */
	CHECK(m.n == 6);
	close(w_old);
	close(w_new);
	mlog_free(&m);
}

/* Postfix's own lines, as postlogd and syslog write them. */
/* Finding 6 of issue 35: addresses a remote SMTP client chooses, inside
 * genuine Postfix and Sendmail lines, cannot steer the parser. */
static void test_maillog_hostile_addresses(void)
{
	struct mlog m;
	struct mlog_message *msg;

	mlog_init(&m, 1794960000);
	/* A recipient named "status=sent" on a deferred line: deferred. */
	CHECK(mlog_line(&m, "Dec 02 19:30:17 relay postfix/smtp[1]: 8CA6F11006A: to=<status=sent@x.test>, "
			    "relay=none, delay=3, delays=0/0/3/0, dsn=4.4.1, status=deferred (connect to "
			    "x.test[192.0.2.1]:25: Connection timed out)"));
	msg = mlog_find(&m, "8CA6F11006A");
	CHECK(msg && msg->n_d == 1 && msg->d[0].status == MS_DEFERRED &&
	      !strcmp(msg->d[0].to, "status=sent@x.test") && msg->d[0].delay == 3);
	/* A quoted sender holding "status=expired" adds no expiry; one holding
	 * " delay=nan" and a quoted relay= steer nothing. */
	CHECK(mlog_line(&m, "Dec 02 19:30:17 relay postfix/qmgr[2]: 9CA6F11006B: "
			    "from=<\"x status=expired\"@evil.test>, size=300, nrcpt=1 (queue active)"));
	CHECK(mlog_line(&m, "Dec 02 19:30:18 relay postfix/smtp[1]: 9CA6F11006B: "
			    "to=<\"a delay=nan, relay=evil[203.0.113.9]:25,\"@x.test>, "
			    "relay=mx.x.test[192.0.2.25]:25, delay=0.5, delays=0/0/0/0.5, dsn=2.0.0, status=sent "
			    "(250 ok)"));
	msg = mlog_find(&m, "9CA6F11006B");
	CHECK(msg && msg->n_d == 1 && msg->size == 300 && !strcmp(msg->from, "\"x status=expired\"@evil.test"));
	CHECK(msg && msg->d[0].status == MS_SENT && msg->d[0].delay == 0.5 &&
	      !strcmp(msg->d[0].relay_addr, "192.0.2.25") && !strcmp(msg->d[0].relay_host, "mx.x.test"));
	/* A delay that is no number breaks the grammar: ignored and counted,
	 * never a NaN in the JSON. An open quote too. */
	CHECK(m.lines_bad == 0);
	mlog_line(&m, "Dec 02 19:30:18 relay postfix/smtp[1]: ACA6F11006C: to=<u@x.test>, relay=none, "
		      "delay=nan, delays=0/0/0/0, dsn=5.0.0, status=bounced (x)");
	mlog_line(&m, "Dec 02 19:30:18 relay postfix/smtp[1]: ACA6F11006C: to=<\"u@x.test>, relay=none, "
		      "delay=1, dsn=5.0.0, status=bounced (x)");
	msg = mlog_find(&m, "ACA6F11006C");
	CHECK(m.lines_bad == 2 && (!msg || msg->n_d == 0));
	/* Sendmail: a recipient holding ", stat=Sent" on a deferred line. */
	CHECK(mlog_line(&m, "Dec  2 19:44:22 relay sendmail[3]: 5B2JiMqX000123: "
			    "to=<\"x, stat=Sent (y)\"@x.test>, delay=00:00:04, xdelay=00:00:04, mailer=esmtp, "
			    "pri=120304, relay=x.test., dsn=4.0.0, stat=Deferred: Connection timed out with x.test."));
	msg = mlog_find(&m, "5B2JiMqX000123");
	CHECK(msg && msg->n_d == 1 && msg->d[0].status == MS_DEFERRED && msg->d[0].delay == 4 &&
	      !strcmp(msg->d[0].to, "\"x, stat=Sent (y)\"@x.test"));
	/* Finding 9: deferred 20 times, then bounced: the bounce is kept,
	 * the oldest deferrals gave way (counted). */
	for (int i = 0; i < 20; i++)
		CHECK(mlog_line(&m, "Dec 02 19:30:17 relay postfix/smtp[1]: BCA6F11006D: to=<u@x.test>, "
				    "relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (timeout)"));
	CHECK(mlog_line(&m, "Dec 03 19:30:17 relay postfix/smtp[1]: BCA6F11006D: to=<u@x.test>, "
			    "relay=none, delay=86400, delays=0/0/1/0, dsn=5.4.7, status=bounced (too old)"));
	msg = mlog_find(&m, "BCA6F11006D");
	CHECK(msg && msg->n_d == MLOG_MAX_DELIVERIES && msg->n_d_extra == 5 &&
	      msg->d[msg->n_d - 1].status == MS_BOUNCED && msg->d[0].status == MS_DEFERRED);
	/* Finding 8: a forged notice line naming the message itself, or its
	 * own notice back, cannot hide a message beneath itself. */
	CHECK(mlog_line(&m, "Dec 02 19:30:19 relay postfix/bounce[4]: 8CA6F11006A: sender non-delivery "
			    "notification: 8CA6F11006A"));
	msg = mlog_find(&m, "8CA6F11006A");
	CHECK(msg && !msg->notice_of[0] && !msg->notice_qid[0]);
	CHECK(mlog_line(&m, "Dec 02 19:30:19 relay postfix/bounce[4]: 8CA6F11006A: sender non-delivery "
			    "notification: 9CA6F11006B"));
	CHECK(mlog_line(&m, "Dec 02 19:30:19 relay postfix/bounce[4]: 9CA6F11006B: sender non-delivery "
			    "notification: 8CA6F11006A"));
	msg = mlog_find(&m, "8CA6F11006A");
	CHECK(msg && !msg->notice_of[0] && !strcmp(msg->notice_qid, "9CA6F11006B"));
	mlog_free(&m);
}

static void test_maillog_lines(void)
{
	struct mlog m;
	struct mlog_message *msg, *notice;
	int64_t ns;
	const char *end;

	mlog_init(&m, 1794960000); /* 2026-11-18 */
	CHECK(mlog_line(&m, "Dec 02 19:30:17 relay postfix/qmgr[22670]: 8CA6F11006A: from=<lab@lab.test>, "
			    "size=271, nrcpt=1 (queue active)"));
	CHECK(mlog_line(&m, "Dec 02 19:30:17 relay postfix/smtp[22689]: 8CA6F11006A: to=<u@v6only.lab.test>, "
			    "relay=none, delay=0.02, delays=0.01/0.01/0/0, dsn=5.4.4, status=bounced (Host or "
			    "domain name not found. Name service error for name=mx-v6.lab.test type=A: Host found "
			    "but no data record of requested type)"));
	CHECK(mlog_line(&m, "Dec 02 19:30:17 relay postfix/bounce[22690]: 8CA6F11006A: sender non-delivery "
			    "notification: 90A1F11006D"));
	CHECK(mlog_line(&m, "2026-12-02T19:30:18.250000+00:00 relay postfix-out/smtp[22689]: 90A1F11006D: "
			    "to=<lab@lab.test>, orig_to=<x@lab.test>, relay=mx-dual.lab.test[2001:db8:200::10]:25, "
			    "conn_use=2, delay=1.5, delays=0/0/1/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued "
			    "as 4F2A1)"));
	CHECK(mlog_line(&m, "Dec 02 19:30:18 relay postfix/qmgr[22670]: 8CA6F11006A: removed"));
	CHECK(!mlog_line(&m, "Dec 02 19:30:18 relay postfix/smtp[22689]: warning: no MX host for x has a "
			     "valid address record"));
	CHECK(!mlog_line(&m, "Dec 02 19:30:18 relay sshd[1]: 8CA6F11006A: not postfix"));
	CHECK(!mlog_line(&m, "garbage"));
	msg = mlog_find(&m, "8CA6F11006A");
	notice = mlog_find(&m, "90A1F11006D");
	CHECK(msg && notice && m.n == 2);
	CHECK(msg && !strcmp(msg->from, "lab@lab.test") && msg->size == 271 && msg->nrcpt == 1 &&
	      msg->removed && !strcmp(msg->notice_qid, "90A1F11006D"));
	CHECK(msg && msg->n_d == 1 && msg->d[0].status == MS_BOUNCED && !strcmp(msg->d[0].dsn, "5.4.4") &&
	      msg->d[0].pid == 22689 && !strcmp(msg->d[0].agent, "smtp") && !msg->d[0].relay_host[0] &&
	      !strcmp(msg->d[0].to, "u@v6only.lab.test") && strstr(msg->d[0].text, "type=A: Host found") &&
	      msg->d[0].text[strlen(msg->d[0].text) - 1] != ')');
	CHECK(notice && !strcmp(notice->notice_of, "8CA6F11006A") && notice->n_d == 1 &&
	      notice->d[0].status == MS_SENT && !strcmp(notice->d[0].relay_host, "mx-dual.lab.test") &&
	      !strcmp(notice->d[0].relay_addr, "2001:db8:200::10") && notice->d[0].relay_port == 25 &&
	      notice->d[0].delay == 1.5 && !strcmp(notice->d[0].delays, "0/0/1/0.5") &&
	      !strcmp(notice->d[0].to, "lab@lab.test"));
	/* ISO times carry their fraction and offset; a classic one is local. */
	CHECK(mlog_time(&m, "2026-12-02T20:30:18.25+01:00 x", &ns, &end) &&
	      ns == 1796239818LL * 1000000000LL + 250000000LL && *end == ' ');
	/* Classic times have no year: a month far after the one the year was
	 * taken at (a December line read in January) is the year before's. */
	mlog_free(&m);
	mlog_init(&m, 1767225600); /* 2026-01-01 */
	CHECK(mlog_time(&m, "Dec 31 23:59:59 x", &ns, &end));
	{
		time_t t = (time_t)(ns / 1000000000LL);
		struct tm tm;

		localtime_r(&t, &tm);
		CHECK(tm.tm_year + 1900 == 2025 && tm.tm_mon == 11 && tm.tm_mday == 31);
	}
	CHECK(!strcmp(mlog_domain("u@v6only.lab.test"), "v6only.lab.test") && !strcmp(mlog_domain("x"), ""));
	/* Times no log holds are not times (the fuzzer's year 0001, month 13). */
	CHECK(!mlog_time(&m, "0001-01-01T00:00:00Z x", &ns, &end) &&
	      !mlog_time(&m, "2026-13-01 00:00:00 x", &ns, &end) && !mlog_time(&m, "Dec 99 19:30:17 x", &ns, &end));
	/* An offset cut short is refused, never read past (the fuzzer's find). */
	CHECK(!mlog_time(&m, "2026-12-02T20:30:18+1:2", &ns, &end) &&
	      !mlog_time(&m, "2026-12-02T20:30:18+01:", &ns, &end) && !mlog_time(&m, "2026-12-02T20:30:18-", &ns, &end));
	/* An Exim line cut right after its flag is read no further. */
	CHECK(mlog_line(&m, "2026-12-02 19:44:24 1xYqFb-0001Zn-3B ==") &&
	      mlog_find(&m, "1xYqFb-0001Zn-3B")->n_d == 1);
	mlog_free(&m);

	/* Exim's main log, with and without +pid. */
	mlog_init(&m, 1794960000);
	CHECK(mlog_line(&m, "2026-12-02 19:44:22.457 [6054] 1xYqFa-0001Ze-1S <= lab@lab.test U=root P=local S=304"));
	CHECK(mlog_line(&m, "2026-12-02 19:44:22.463 [6060] 1xYqFa-0001Ze-1S ** u@v6only.lab.test: all relevant "
			    "MX records point to non-existent hosts"));
	CHECK(mlog_line(&m, "2026-12-02 19:44:22.470 [6061] 1xYqFa-0001Zl-1V <= <> R=1xYqFa-0001Ze-1S "
			    "U=Debian-exim P=local S=1554"));
	CHECK(mlog_line(&m, "2026-12-02 19:44:23 1xYqFb-0001Zm-2A => u@dual.lab.test R=dnslookup T=remote_smtp "
			    "H=mx-dual.lab.test [2001:db8:200::10]:25 C=\"250 2.0.0 Ok: queued as 4F2A1\""));
	CHECK(mlog_line(&m, "2026-12-02 19:44:24.001 [7000] 1xYqFb-0001Zn-3B == u@wide.lab.test R=dnslookup "
			    "T=remote_smtp defer (101): Network is unreachable"));
	CHECK(!mlog_line(&m, "2026-12-02 19:44:20.415 [6033] exim 4.96 daemon started: pid=6033"));
	msg = mlog_find(&m, "1xYqFa-0001Ze-1S");
	notice = mlog_find(&m, "1xYqFa-0001Zl-1V");
	CHECK(msg && notice && !strcmp(msg->from, "lab@lab.test") && msg->size == 304 &&
	      !strcmp(msg->notice_qid, "1xYqFa-0001Zl-1V") && !strcmp(notice->notice_of, "1xYqFa-0001Ze-1S") &&
	      !notice->from[0]);
	CHECK(msg && msg->n_d == 1 && msg->d[0].status == MS_BOUNCED && msg->d[0].pid == 6060 &&
	      !strcmp(msg->d[0].to, "u@v6only.lab.test") && !strcmp(msg->d[0].agent, "exim") &&
	      !strcmp(msg->d[0].text, "all relevant MX records point to non-existent hosts"));
	msg = mlog_find(&m, "1xYqFb-0001Zm-2A");
	CHECK(msg && msg->d[0].status == MS_SENT && msg->d[0].pid == 0 &&
	      !strcmp(msg->d[0].relay_host, "mx-dual.lab.test") && !strcmp(msg->d[0].relay_addr, "2001:db8:200::10") &&
	      msg->d[0].relay_port == 25 && !strcmp(msg->d[0].text, "250 2.0.0 Ok: queued as 4F2A1"));
	msg = mlog_find(&m, "1xYqFb-0001Zn-3B");
	CHECK(msg && msg->d[0].status == MS_DEFERRED && !strcmp(msg->d[0].to, "u@wide.lab.test") &&
	      strstr(msg->d[0].text, "Network is unreachable"));
	mlog_free(&m);
}

/* Remote replies as Postfix logs them: code, enhanced status, the command
 * answered, the kind of refusal; and the lines of their own kept by message. */
static void test_smtp_replies(void)
{
	struct smtp_reply r;
	struct mlog m;
	struct mlog_message *msg;

	/* Gmail's five-line IPv6 text, joined as Postfix logs it. */
	CHECK(smtp_reply_postfix("host gmail-smtp-in.l.google.com[2001:db8:4860::1b] said: 550-5.7.1 "
				 "[2001:db8:100::2] Our system has detected that this message does 550-5.7.1 "
				 "not meet IPv6 sending guidelines regarding PTR records and 550-5.7.1 "
				 "authentication. Please review 550-5.7.1  https://support.google.com/mail/"
				 "?p=IPv6AuthError for more information 550 5.7.1 . x1si - gsmtp (in reply to "
				 "RCPT TO command)", &r));
	CHECK(r.code == 550 && !strcmp(r.enhanced, "5.7.1") && r.stage == SS_RCPT && r.cls == SC_PTR_AUTH &&
	      !strcmp(r.host, "gmail-smtp-in.l.google.com") && !strcmp(r.addr, "2001:db8:4860::1b") &&
	      !strcmp(r.text, "[2001:db8:100::2] Our system has detected that this message does"));
	/* A refused greeting, an IPv6 address as Postfix writes it. */
	CHECK(smtp_reply_postfix("host mx.example[ipv6:2001:db8::25] refused to talk to me: 421 4.7.0 Try "
				 "again later, closing connection.", &r));
	CHECK(r.code == 421 && r.stage == SS_GREETING && r.cls == SC_GREETING && !strcmp(r.addr, "2001:db8::25") &&
	      !strcmp(r.text, "Try again later, closing connection."));
	/* The classes: RFC 7372 codes first, then the receivers' words. */
	CHECK(smtp_reply_postfix("host a[192.0.2.1] said: 550 5.7.23 SPF validation failed (in reply to end of "
				 "DATA command)", &r) && r.cls == SC_SPF && r.stage == SS_END_DATA);
	CHECK(smtp_reply_postfix("host a[192.0.2.1] said: 550 5.7.25 no reverse DNS (in reply to MAIL FROM "
				 "command)", &r) && r.cls == SC_PTR_AUTH && r.stage == SS_MAIL);
	CHECK(smtp_reply_postfix("host a[2001:db8::1] said: 554 5.7.1 Service unavailable; Client host "
				 "[2001:db8::1] blocked using zen.spamhaus.org (in reply to RCPT TO command)", &r) &&
	      r.cls == SC_BLOCKLIST);
	CHECK(smtp_reply_postfix("host a[2001:db8::1] said: 421 4.7.28 Our system has detected an unusual "
				 "rate of unsolicited mail (in reply to end of DATA command)", &r) && r.cls == SC_RATE);
	/* A word inside another is not the word; a text naming nothing is other. */
	CHECK(smtp_reply_postfix("host a[192.0.2.1] said: 550 5.1.1 generated separately: user unknown (in "
				 "reply to RCPT TO command)", &r) && r.cls == SC_OTHER);
	CHECK(smtp_reply_postfix("host a[192.0.2.1] said: 250 2.0.0 Ok (in reply to end of DATA command)", &r) &&
	      r.cls == SC_NONE && r.code == 250);
	/* Which refusals judge the sending host (another family could
	 * change them), and which the mail or its recipient. */
	CHECK(smtp_reply_postfix("host a[2001:db8::1] said: 550 5.1.1 <u@x>: Recipient address rejected: "
				 "User unknown (in reply to RCPT TO command)", &r) && !smtp_reply_judges_source(&r));
	CHECK(smtp_reply_postfix("host a[2001:db8::1] said: 552 5.2.2 mailbox full (in reply to end of DATA "
				 "command)", &r) && !smtp_reply_judges_source(&r));
	CHECK(smtp_reply_postfix("host a[2001:db8::1] said: 554 5.7.1 Relay access denied (in reply to RCPT TO "
				 "command)", &r) && r.cls == SC_OTHER && smtp_reply_judges_source(&r));
	CHECK(smtp_reply_postfix("host a[2001:db8::1] refused to talk to me: 554 go away", &r) &&
	      smtp_reply_judges_source(&r));
	CHECK(smtp_reply_postfix("host a[2001:db8::1] said: 550 5.7.23 SPF fail (in reply to MAIL FROM command)",
				 &r) && smtp_reply_judges_source(&r));
	/* Not replies: a connect failure, a name with a space, no bracket. */
	CHECK(!smtp_reply_postfix("connect to a[192.0.2.1]:25: Connection refused", &r));
	CHECK(!smtp_reply_postfix("host a b[192.0.2.1] said: 550 x", &r));
	CHECK(!smtp_reply_postfix("host a said: 550 x", &r));
	/* A reply with no code is kept as text, never a made-up code. */
	CHECK(smtp_reply_postfix("host a[192.0.2.1] said: Bad things (in reply to QUIT command)", &r) &&
	      r.code == 0 && r.stage == SS_OTHER && !strcmp(r.text, "Bad things"));

	/* Exim's: the reply after the command, its lines joined by "\n";
	 * the old form with "host H [A]: " first. */
	CHECK(smtp_reply_exim("SMTP error from remote mail server after RCPT TO:<u@policy.lab.test>: "
			      "550-5.7.1 [2001:db8:100::1] Our system has detected\\n550-5.7.1 not meet IPv6 "
			      "sending guidelines regarding PTR records\\n550 5.7.1 . x - gsmtp",
			      "mx.example", "2001:db8:200::60", &r));
	CHECK(r.code == 550 && !strcmp(r.enhanced, "5.7.1") && r.stage == SS_RCPT && r.cls == SC_PTR_AUTH &&
	      !strcmp(r.addr, "2001:db8:200::60") && !strcmp(r.text, "[2001:db8:100::1] Our system has detected"));
	CHECK(smtp_reply_exim("SMTP error from remote mail server after initial connection: 421 4.7.0 Try "
			      "again later, closing connection.", "mx", "2001:db8::61", &r) &&
	      r.stage == SS_GREETING && r.code == 421 && r.cls == SC_GREETING);
	CHECK(smtp_reply_exim("SMTP error from remote mail server after MAIL FROM:<a@b> SIZE=2868: 550 Bad SPF "
			      "records for [b:192.0.2.9]", "", "", &r) &&
	      r.stage == SS_MAIL && r.code == 550 && r.cls == SC_SPF);
	CHECK(smtp_reply_exim("SMTP error from remote mail server after RCPT TO:<x@y>: host mx0.example [192.0.2.5]: "
			      "450 4.3.2 Too many mails, try again", "", "", &r) &&
	      !strcmp(r.host, "mx0.example") && !strcmp(r.addr, "192.0.2.5") && r.code == 450 && r.cls == SC_RATE);
	CHECK(!smtp_reply_exim("Connection timed out", "mx", "192.0.2.1", &r));

	/* Exim's line of its own for a session given up (another pid: its
	 * transport's subprocess). */
	mlog_init(&m, 1794960000);
	CHECK(mlog_line(&m, "2026-12-07 17:50:17.564 [10129] 1xacqv-0002dG-1g H=mx-greet.lab.test "
			    "[2001:db8:200::61]:25: SMTP error from remote mail server after initial connection: "
			    "421 4.7.0 Try again later, closing connection."));
	msg = mlog_find(&m, "1xacqv-0002dG-1g");
	CHECK(msg && msg->n_replies == 1 && msg->replies[0].pid == 10129 && msg->replies[0].r.code == 421 &&
	      msg->replies[0].r.stage == SS_GREETING && !strcmp(msg->replies[0].r.addr, "2001:db8:200::61") &&
	      !strcmp(msg->replies[0].r.host, "mx-greet.lab.test"));
	mlog_free(&m);

	/* The line of its own before the delivery line: kept by message. */
	mlog_init(&m, 1794960000);
	CHECK(mlog_line(&m, "Dec 07 17:09:45 relay postfix/smtp[3356]: D83AD132065: host "
			    "mx-greet.lab.test[2001:db8:200::61] refused to talk to me: 421 4.7.0 Try again "
			    "later, closing connection."));
	for (int i = 0; i < MLOG_MAX_REPLIES + 2; i++)
		CHECK(mlog_line(&m, "Dec 07 17:09:46 relay postfix/smtp[3356]: D83AD132065: host "
				    "mx-greet.lab.test[2001:db8:200::61] said: 451 4.3.0 later (in reply to RCPT TO "
				    "command)"));
	msg = mlog_find(&m, "D83AD132065");
	CHECK(msg && msg->n_replies == MLOG_MAX_REPLIES && msg->replies[0].pid == 3356);
	/* The ring keeps the newest: the greeting line has given way. */
	for (unsigned i = 0; msg && i < msg->n_replies; i++)
		CHECK(msg->replies[i].r.code == 451 && msg->replies[i].r.stage == SS_RCPT);
	mlog_free(&m);
}

/* Who: an smtp process tgid, started at 99 s. */
static void place_task(struct ft_task *t, uint32_t tgid)
{
	t->tgid = t->tid = tgid;
	t->ppid = tgid - 1;
	t->start_ns = 99000000000ULL;
	t->why = FT_WHY_COMM;
	strcpy(t->comm, "smtp");
}

/* A process record with a place: tgid, its pid in its PID namespace, that
 * namespace, its cgroup. */
static void place_proc(struct correlator *c, uint32_t tgid, uint32_t ns_tgid, uint32_t pidns, uint64_t cg)
{
	struct ft_proc r;
	const char *why;

	memset(&r, 0, sizeof(r));
	r.hdr.kind = FT_EV_PROC;
	r.hdr.size = sizeof(r);
	r.hdr.ts_ns = 100000000000ULL;
	place_task(&r.task, tgid);
	r.what = FT_PROC_EXEC;
	r.cgroup_id = cg;
	r.ns_tgid = ns_tgid;
	r.ns_ppid = ns_tgid - 1;
	r.pidns = pidns;
	r.netns = pidns + 1;
	CHECK(ft_decode_check(&r, sizeof(r), &why) == FT_EV_PROC);
	correlate_event(c, &r, sizeof(r));
}

static void place_attempt(struct correlator *c, uint32_t tgid, uint64_t start)
{
	struct ft_attempt a;

	memset(&a, 0, sizeof(a));
	a.hdr.kind = FT_EV_ATTEMPT;
	a.hdr.size = sizeof(a);
	a.hdr.ts_ns = start + 100000000ULL;
	place_task(&a.task, tgid);
	a.start_ns = start;
	a.end_ns = start + 100000000ULL;
	a.family = AF_INET;
	inet_pton(AF_INET, "203.0.113.10", a.daddr);
	a.dport = 25;
	a.proto = IPPROTO_TCP;
	a.outcome = FT_OUT_CONNECTED;
	correlate_event(c, &a, sizeof(a));
}

/*
 * A log line's pid is its own PID namespace's: a container's Postfix logs
 * smtp[183] for the process the host knows as 24188. Only the container's
 * process: joined to it (a join by host pids found no process 183). Only
 * a host process 183: joined to it. Both fitting the line alike: neither,
 * said as ambiguous, until --container names the container. A host
 * delivery that began before the message reached the queue (its delay) is
 * no rival.
 */
static void test_log_pids_in_their_namespace(void)
{
	static const char line[] = "2026-12-07T20:00:01.000000+00:00 crelay postfix/smtp[183]: 4B2C1F2A3: "
				   "to=<u@x.test>, relay=mx.x.test[203.0.113.10]:25, delay=0.5, "
				   "delays=0/0/0/0.5, dsn=2.0.0, status=sent (250 ok)";
	const int64_t b2r = 1796673600LL * 1000000000LL - 100000000000LL; /* boottime 100 s = 20:00:00Z */
	struct ft_cgroup cg;
	struct mlog m;
	const struct mlog_message *msg;
	const struct proc *p;
	bool amb;

	mlog_init(&m, 1796673600);
	CHECK(mlog_line(&m, line));
	msg = mlog_find(&m, "4B2C1F2A3");
	CHECK(msg && msg->n_d == 1 && msg->d[0].pid == 183);
	if (!msg || msg->n_d != 1)
		goto out;
	memset(&cg, 0, sizeof(cg));
	cg.hdr.kind = FT_EV_CGROUP;
	cg.hdr.size = sizeof(cg);
	cg.cgroup_id = 77;
	snprintf(cg.path, sizeof(cg.path), "/libpod_parent/libpod-%s",
		 "502f11796fb0120ba5aa60bf4c9fd52aff4eab1d2892e0dc50e33f2a5417f698");
	snprintf(cg.name, sizeof(cg.name), "mta1");
	for (int k = 0; k < 5; k++) {
		/* 0: container only; 1: host only; 2: both; 3: both, --container;
		 * 4: both, the host's 50 s before the message reached the queue */
		struct correlator_cfg cfg = { .group_gap_ns = 2000000000ULL, .keep_exited_details = true,
					      .place_sel = k == 3 ? "mta1" : NULL };
		struct correlator *c = correlator_new(&cfg, NULL);
		const struct group *g;

		CHECK(c != NULL);
		if (!c)
			continue;
		correlate_event(c, &cg, sizeof(cg));
		if (k != 1) {
			place_proc(c, 24188, 183, 4026532375u, 77);
			place_attempt(c, 24188, 100500000000ULL);
		}
		if (k != 0) {
			place_proc(c, 183, 183, 4026531836u, 1);
			place_attempt(c, 183, k == 4 ? 50000000000ULL : 100500000000ULL);
		}
		correlate_flush(c);
		g = msg_delivery_group_ns(c, &msg->d[0], b2r, &p, &amb);
		if (k == 0 || k == 3 || k == 4)
			CHECK(g && p && p->tgid == 24188 && !amb && proc_place_is(c, p, "mta1") &&
			      proc_place_is(c, p, "502f1179") && proc_in_own_pidns(p));
		else if (k == 1)
			CHECK(g && p && p->tgid == 183 && !amb && !proc_in_own_pidns(p));
		else
			CHECK(!g && !p && amb);
		correlator_free(c);
	}
out:
	mlog_free(&m);
}

/*
 * A container's own log (--container-logs) holds lines of its processes
 * only: its smtp[183] is the container's smtp, never a host process 183,
 * though the host's 183 fits the line alike (a log of unknown origin would
 * leave both, as ambiguous). The lines come through the runtime's log as
 * dockerd and podman write it, each stamped by the runtime: the delivery's
 * time is that stamp, not the line's own.
 */
static void test_container_log_scope(void)
{
	static const char *const lines[] = {
		"{\"log\":\"Dec  7 20:00:05 crelay postfix/smtp[183]: 4B2C1F2A3: to=\\u003cu@x.test\\u003e, "
		"relay=mx.x.test[203.0.113.10]:25, delay=0.5, delays=0/0/0/0.5, dsn=2.0.0, status=sent (250 ok)\\n\","
		"\"stream\":\"stdout\",\"time\":\"2026-12-07T20:00:01.25Z\"}",
		"2026-12-07T20:00:01.250000000+00:00 stdout F Dec  7 20:00:05 crelay postfix/smtp[183]: 4B2C1F2A3: "
		"to=<u@x.test>, relay=mx.x.test[203.0.113.10]:25, delay=0.5, delays=0/0/0/0.5, dsn=2.0.0, "
		"status=sent (250 ok)",
	};
	static const char id[] = "502f11796fb0120ba5aa60bf4c9fd52aff4eab1d2892e0dc50e33f2a5417f698";
	const int64_t b2r = 1796673600LL * 1000000000LL - 100000000000LL;
	char text[4096], path[] = "/tmp/ft-unit-ctrlog-XXXXXX", err[256];
	struct ft_cgroup cg;
	int64_t ns;

	memset(&cg, 0, sizeof(cg));
	cg.hdr.kind = FT_EV_CGROUP;
	cg.hdr.size = sizeof(cg);
	cg.cgroup_id = 77;
	snprintf(cg.path, sizeof(cg.path), "/libpod_parent/libpod-%s", id);
	for (int f = 0; f < 2; f++) {
		enum rlog_format fmt = f ? RLOG_CRI : RLOG_DOCKER_JSON;
		struct mlog_src src = { .fmt = fmt };
		const struct mlog_message *msg;
		struct mlog m;
		int fd = mkstemp(path);

		mlog_init(&m, 1796673600);
		CHECK(rlog_unwrap(&m, fmt, lines[f], text, sizeof(text), &ns) == RLOG_OK);
		CHECK(ns == 1796673601250000000LL && !strncmp(text, "Dec  7 20:00:05 crelay", 22) &&
		      strstr(text, "to=<u@x.test>,") && !strcmp(text + strlen(text) - 8, "(250 ok)"));
		snprintf(src.scope, sizeof(src.scope), "%s", id);
		CHECK(fd >= 0 && write(fd, lines[f], strlen(lines[f])) == (ssize_t)strlen(lines[f]) &&
		      write(fd, "\n", 1) == 1);
		if (fd >= 0)
			close(fd);
		CHECK(!maillog_read_file_src(&m, path, &src, err, sizeof(err)));
		unlink(path);
		strcpy(path, "/tmp/ft-unit-ctrlog-XXXXXX");
		msg = mlog_find(&m, "4B2C1F2A3");
		CHECK(msg && msg->n_d == 1 && msg->d[0].pid == 183 && msg->d[0].scope &&
		      !strcmp(msg->d[0].scope, id) && msg->d[0].wall_ns == 1796673601250000000LL);
		for (int k = 0; msg && msg->n_d == 1 && k < 2; k++) {
			/* 0: a host process 183 only; 1: it and the container's */
			struct correlator_cfg cfg = { .group_gap_ns = 2000000000ULL, .keep_exited_details = true };
			struct correlator *c = correlator_new(&cfg, NULL);
			const struct proc *p;
			const struct group *g;
			bool amb;

			CHECK(c != NULL);
			if (!c)
				continue;
			correlate_event(c, &cg, sizeof(cg));
			place_proc(c, 183, 183, 4026531836u, 1);
			place_attempt(c, 183, 100500000000ULL);
			if (k) {
				place_proc(c, 24188, 183, 4026532375u, 77);
				place_attempt(c, 24188, 100500000000ULL);
			}
			correlate_flush(c);
			g = msg_delivery_group_ns(c, &msg->d[0], b2r, &p, &amb);
			if (k)
				CHECK(g && p && p->tgid == 24188 && !amb);
			else
				CHECK(!g && !p && !amb);
			correlator_free(c);
		}
		mlog_free(&m);
	}
	/* Pieces and strangers: a split line waits for nothing (skipped,
	 * counted), a line of another form is no line. */
	{
		struct mlog m;

		mlog_init(&m, 1796673600);
		CHECK(rlog_unwrap(&m, RLOG_CRI, "2026-12-07T20:00:01.25+00:00 stdout P Dec  7 20:00:05 x", text,
				  sizeof(text), &ns) == RLOG_PARTIAL);
		CHECK(rlog_unwrap(&m, RLOG_DOCKER_JSON,
				  "{\"log\":\"Dec  7 20:00:05 x\",\"stream\":\"stdout\",\"time\":\"2026-12-07T20:00:01Z\"}",
				  text, sizeof(text), &ns) == RLOG_PARTIAL);
		CHECK(rlog_unwrap(&m, RLOG_CRI, "Dec  7 20:00:05 crelay postfix/smtp[183]: x", text, sizeof(text),
				  &ns) == RLOG_BAD);
		CHECK(rlog_unwrap(&m, RLOG_CRI, "2026-12-07T20:00:01Z stdin F x", text, sizeof(text), &ns) ==
		      RLOG_BAD);
		CHECK(rlog_unwrap(&m, RLOG_DOCKER_JSON, "{\"log\":\"x\\n\",\"time\":\"yesterday\"}", text,
				  sizeof(text), &ns) == RLOG_BAD);
		CHECK(rlog_unwrap(&m, RLOG_DOCKER_JSON, "not json", text, sizeof(text), &ns) == RLOG_BAD);
		mlog_free(&m);
	}
}

/* OpenSMTPD's syslog lines, as Debian's 6.8 writes them in the lab: the
 * arrival (message, envelope), a delivery that fell back (sent), one that
 * reached no address (deferred, the domain as relay), a bounce; lines that
 * break the grammar are counted and change nothing. */
static void test_opensmtpd_lines(void)
{
	struct mlog m;
	struct mlog_message *msg;

	mlog_init(&m, 1796685000);
	CHECK(mlog_line(&m, "<22>Dec  7 23:50:09 smtpd[8757]: d1163ae6c75bc2b4 smtp message msgid=8912ad4f "
			    "size=306 nrcpt=1 proto=ESMTP"));
	CHECK(mlog_line(&m, "<22>Dec  7 23:50:09 smtpd[8757]: d1163ae6c75bc2b4 smtp envelope "
			    "evpid=8912ad4f44d5b99c from=<lab@lab.test> to=<u@dual.lab.test>"));
	/* Session lines and the route cache's say nothing of a message. */
	CHECK(!mlog_line(&m, "<22>Dec  7 23:50:09 smtpd[8757]: d1163aea9b3d2aac mta connecting "
			     "address=smtp://[2001:db8:200::10]:25 host=mx-dual.lab.test"));
	CHECK(!mlog_line(&m, "<22>Dec  7 23:50:09 smtpd[8757]: smtp-out: Disabling route [] <-> "
			     "[2001:db8:200::10] (mx-dual.lab.test) for 15s"));
	CHECK(mlog_line(&m, "<22>Dec  7 23:50:11 smtpd[8757]: d1163aeb6271f226 mta delivery "
			    "evpid=8912ad4f44d5b99c from=<lab@lab.test> to=<u@dual.lab.test> rcpt=<-> "
			    "source=\"198.51.100.1\" relay=\"203.0.113.10 (mx-dual.lab.test)\" delay=2s "
			    "result=\"Ok\" stat=\"250 2.0.0 Ok: queued as 66ED21125EC\""));
	msg = mlog_find(&m, "8912ad4f");
	CHECK(msg && msg->from_seen && !strcmp(msg->from, "lab@lab.test") && msg->size == 306 &&
	      msg->nrcpt == 1 && msg->n_d == 1);
	CHECK(msg && msg->d[0].status == MS_SENT && msg->d[0].pid == 8757 && !strcmp(msg->d[0].agent, "smtpd") &&
	      !strcmp(msg->d[0].to, "u@dual.lab.test") && !strcmp(msg->d[0].relay_host, "mx-dual.lab.test") &&
	      !strcmp(msg->d[0].relay_addr, "203.0.113.10") && msg->d[0].delay == 2 &&
	      !strcmp(msg->d[0].dsn, "2.0.0") && !strcmp(msg->d[0].text, "250 2.0.0 Ok: queued as 66ED21125EC"));
	/* No address reached: session id zero, the domain as relay. */
	CHECK(mlog_line(&m, "<22>Dec  7 23:53:05 smtpd[9717]: 0000000000000000 mta delivery "
			    "evpid=24d2d760cb8a001b from=<lab@lab.test> to=<u@v6only.lab.test> rcpt=<-> source=\"-\" "
			    "relay=\"v6only.lab.test\" delay=1m11s result=\"TempFail\" "
			    "stat=\"Network error on destination MXs\""));
	msg = mlog_find(&m, "24d2d760");
	CHECK(msg && msg->n_d == 1 && msg->d[0].status == MS_DEFERRED && msg->d[0].delay == 71 &&
	      !strcmp(msg->d[0].relay_host, "v6only.lab.test") && !msg->d[0].relay_addr[0] && !msg->d[0].dsn[0]);
	CHECK(mlog_line(&m, "Dec  7 23:54:00 relay smtpd[9717]: d1163aeb6271f227 mta delivery "
			    "evpid=3a3a3a3a00000001 from=<> to=<u@policy.lab.test> rcpt=<-> source=\"2001:db8:100::1\" "
			    "relay=\"2001:db8:200::60 (mx-policy.lab.test)\" delay=0s result=\"PermFail\" "
			    "stat=\"550 5.7.1 result=\"Ok\" is not an address\""));
	msg = mlog_find(&m, "3a3a3a3a");
	CHECK(msg && msg->n_d == 1 && msg->d[0].status == MS_BOUNCED && !strcmp(msg->d[0].dsn, "5.7.1") &&
	      !strcmp(msg->d[0].relay_addr, "2001:db8:200::60") && !strcmp(msg->d[0].relay_host, "mx-policy.lab.test") &&
	      !strcmp(msg->d[0].text, "550 5.7.1 result=\"Ok\" is not an address"));
	/* Broken: an open quote, no result, an unknown result, a delay that is
	 * no duration, an envelope id that is no hex. Counted, nothing added. */
	CHECK(m.lines_bad == 0);
	CHECK(!mlog_line(&m, "Dec  7 23:55:00 relay smtpd[1]: 0000000000000000 mta delivery evpid=4a4a4a4a00000001 "
			     "to=<u@x.test> relay=\"x.test result=\"Ok\" stat=\"x\""));
	CHECK(!mlog_line(&m, "Dec  7 23:55:00 relay smtpd[1]: 0000000000000000 mta delivery evpid=4a4a4a4a00000001 "
			     "to=<u@x.test> stat=\"x\""));
	CHECK(!mlog_line(&m, "Dec  7 23:55:00 relay smtpd[1]: 0000000000000000 mta delivery evpid=4a4a4a4a00000001 "
			     "to=<u@x.test> result=\"Sent\" stat=\"x\""));
	CHECK(!mlog_line(&m, "Dec  7 23:55:00 relay smtpd[1]: 0000000000000000 mta delivery evpid=4a4a4a4a00000001 "
			     "to=<u@x.test> delay=nan result=\"Ok\" stat=\"x\""));
	CHECK(!mlog_line(&m, "Dec  7 23:55:00 relay smtpd[1]: 0000000000000000 mta delivery evpid=4A4A4A4A0000000Z "
			     "to=<u@x.test> result=\"Ok\" stat=\"x\""));
	CHECK(m.lines_bad == 5 && !mlog_find(&m, "4a4a4a4a"));
	/* Postfix's smtpd is not OpenSMTPD's. */
	CHECK(!mlog_line(&m, "Dec  7 23:55:00 relay postfix/smtpd[1]: d1163ae6c75bc2b4 smtp message msgid=5a5a5a5a "
			     "size=1 nrcpt=1"));
	CHECK(!mlog_find(&m, "5a5a5a5a"));
	CHECK(mlog_is_mta("smtpd") && mlog_entry(&m, 1796686000000000000LL, "smtpd", 42,
						  "d1163ae6c75bc2b5 smtp message msgid=6b6b6b6b size=9 nrcpt=2 proto=SMTP"));
	msg = mlog_find(&m, "6b6b6b6b");
	CHECK(msg && msg->nrcpt == 2 && msg->size == 9);
	mlog_free(&m);
}

int main(void)
{
	if (unit_tmp_make())
		return 1;
	RUN(test_log_pids_in_their_namespace);
	RUN(test_container_log_scope);
	RUN(test_maillog_hostile_addresses);
	RUN(test_maillog_lines);
	RUN(test_smtp_replies);
	RUN(test_maillog_follow_across_rotation);
	RUN(test_journal_entries);
	RUN(test_journal_container_entries);
	RUN(test_sendmail_lines);
	RUN(test_opensmtpd_lines);
	unit_tmp_remove();
	UNIT_DONE();
}
