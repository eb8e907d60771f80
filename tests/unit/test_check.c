// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * test_check.c - unit tests of check/ and mta/: check's parsers:
 * inet_protocols and preferences, master.cf services' overrides, Exim's
 * domain lists and times, OpenSMTPD's smtpd.conf; verdicts on a correlator fed synthetic records
 * (an override that had no effect, a session that failed after connecting). Output as
 * in test_correlate.c ("ok - name" ..., "N passed, N failed").
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
#include "core/correlate.h"
#include "records/decode.h"
#include "mta/mta_exim.h"
#include "mta/mta_opensmtpd.h"
#include "lib/dns.h"
#include "lib/fmt.h"
#include "records/recording.h"
#include "cmd/replay.h"
#include "report/report.h"
#include "records/source.h"
#include "maillog/journal.h"
#include "report/jprintf.h"
#include "maillog/maillog.h"
#include "maillog/maillog_read.h"
#include "dnsname.h"
#include "unit.h"
#include "records/zeroruns.h"

static void test_check_parsers(void)
{
	unsigned f;
	int pref;

	CHECK(check_parse_protocols("all", &f) && f == (1u << FAM_V4 | 1u << FAM_V6));
	CHECK(check_parse_protocols("ipv4", &f) && f == 1u << FAM_V4);
	CHECK(check_parse_protocols("ipv4, ipv6", &f) && f == (1u << FAM_V4 | 1u << FAM_V6));
	CHECK(check_parse_protocols(" ipv6", &f) && f == 1u << FAM_V6);
	CHECK(!check_parse_protocols("$inet_protocols", &f));
	CHECK(!check_parse_protocols("", &f));
	CHECK(check_parse_prefer("ipv6", &pref) && pref == FAM_V6);
	CHECK(check_parse_prefer("any", &pref) && pref == -1);
	CHECK(!check_parse_prefer("both", &pref));
}

static void test_exim_lists_and_times(void)
{
	CHECK(exim_domain_match("*", "mx.example.org"));
	CHECK(exim_domain_match("a.example : *.example.org", "mx.example.org"));
	CHECK(exim_domain_match(" MX.example.org ", "mx.example.org"));
	CHECK(!exim_domain_match("!mx.example.org : *", "mx.example.org"));
	CHECK(exim_domain_match("!mx.example.org : *", "other.example.org"));
	CHECK(!exim_domain_match("", "mx.example.org"));
	CHECK(!exim_domain_match("*.example.com", "mx.example.org"));
	CHECK(exim_time_ns("2s") == 2000000000ULL);
	CHECK(exim_time_ns("1m30s") == 90000000000ULL);
	CHECK(exim_time_ns("5") == 5000000000ULL);
	CHECK(exim_time_ns("1h") == 3600000000000ULL);
	CHECK(exim_time_ns("soon") == 0);
}

/* A master.cf service's -o overrides, from a process's arguments as
 * /proc/PID/cmdline has them (each ending in NUL). */
static void test_service_overrides_from_arguments(void)
{
	static const char smtp4b[] = "smtp\0-n\0smtp4b\0-t\0unix\0-u\0-o\0smtp_address_preference=ipv4";
	static const char smtp4[] = "smtp\0-n\0smtp4\0-t\0unix\0-u\0-o\0inet_protocols=ipv4\0"
				    "-o\0smtp_address_preference=any";
	static const char plain[] = "smtp\0-t\0unix\0-u";
	static const char bad[] = "smtp\0-n\0x\0-o\0inet_protocols=$nonsense\0-o";
	static const char half[] = "smtp\0-n\0y\0-o\0inet_protocols=$x\0-o\0smtp_address_preference=ipv4";
	struct check_expect *e = calloc(1, sizeof(*e));
	const struct check_service *s;

	CHECK(e);
	if (!e)
		return;
	e->mta = MTA_POSTFIX;
	e->families = 1u << FAM_V4 | 1u << FAM_V6;
	e->prefer = FAM_V6;
	snprintf(e->configured, sizeof(e->configured), "inet_protocols = all");
	check_note_args(e, 10, smtp4b, sizeof(smtp4b));
	check_note_args(e, 11, smtp4, sizeof(smtp4));
	check_note_args(e, 12, plain, sizeof(plain));
	check_note_args(e, 13, bad, sizeof(bad));
	check_note_args(e, 15, half, sizeof(half));
	CHECK(e->n_svc == 3 && !check_service_of(e, 12) && !check_service_of(e, 13));
	/* An override it cannot read leaves the instance's value. */
	s = check_service_of(e, 15);
	CHECK(s && s->families == (1u << FAM_V4 | 1u << FAM_V6) && s->prefer == FAM_V4 &&
	      !strcmp(s->overrides, "-o smtp_address_preference=ipv4"));
	s = check_service_of(e, 10);
	CHECK(s && !strcmp(s->name, "smtp4b") && s->prefer == FAM_V4 &&
	      s->families == (1u << FAM_V4 | 1u << FAM_V6) &&
	      !strcmp(s->overrides, "-o smtp_address_preference=ipv4"));
	s = check_service_of(e, 11);
	CHECK(s && !strcmp(s->name, "smtp4") && s->families == 1u << FAM_V4 && s->prefer == -1 &&
	      !strcmp(s->overrides, "-o inet_protocols=ipv4 -o smtp_address_preference=any"));
	/* The same pid exec'd as a plain smtp: judged by main.cf again. */
	check_note_args(e, 10, plain, sizeof(plain));
	CHECK(e->n_svc == 2 && !check_service_of(e, 10) && check_service_of(e, 11) && check_service_of(e, 15));
	/* --expect/--prefer (configured cleared): the user's word for all. */
	e->configured[0] = 0;
	check_note_args(e, 14, smtp4b, sizeof(smtp4b));
	CHECK(!check_service_of(e, 14));
	free(e);
}

/* Process tgid, named smtp, traced by its name. */
static void smtp_task(struct ft_task *t, uint32_t tgid)
{
	t->tgid = t->tid = tgid;
	t->ppid = 1;
	t->start_ns = 1000000000ULL;
	t->why = FT_WHY_COMM;
	strcpy(t->comm, "smtp");
}

/* One attempt of process tgid (named smtp), as the kernel reports it. */
static void feed_attempt(struct correlator *c, uint32_t tgid, const char *addr, uint64_t start, uint64_t end)
{
	struct ft_attempt a;
	const char *why;

	memset(&a, 0, sizeof(a));
	a.hdr.kind = FT_EV_ATTEMPT;
	a.hdr.size = sizeof(a);
	a.hdr.ts_ns = end;
	smtp_task(&a.task, tgid);
	a.start_ns = start;
	a.end_ns = end;
	a.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	inet_pton(a.family, addr, a.daddr);
	a.dport = 25;
	a.proto = IPPROTO_TCP;
	a.outcome = FT_OUT_CONNECTED;
	CHECK(ft_decode_check(&a, sizeof(a), &why) == FT_EV_ATTEMPT);
	correlate_event(c, &a, sizeof(a));
}

/* A Postfix instance allowing both families, preferring IPv6, and a
 * correlator that keeps exited processes' details, as check has them. */
struct fixture {
	struct check_expect *e;
	struct correlator *c;
	char *out; /* 64 KiB for the verdict's JSON */
};

static bool fixture_open(struct fixture *fx)
{
	struct correlator_cfg cfg = { .group_gap_ns = 2000000000ULL, .keep_exited_details = true };

	fx->e = calloc(1, sizeof(*fx->e));
	fx->c = correlator_new(&cfg, NULL);
	fx->out = calloc(1, 65536);
	CHECK(fx->e && fx->c && fx->out);
	if (!fx->e || !fx->c || !fx->out)
		return false;
	fx->e->mta = MTA_POSTFIX;
	fx->e->families = 1u << FAM_V4 | 1u << FAM_V6;
	fx->e->prefer = FAM_V6;
	snprintf(fx->e->source, sizeof(fx->e->source), "unit test");
	return true;
}

static void fixture_close(struct fixture *fx)
{
	if (fx->c)
		correlator_free(fx->c);
	free(fx->e);
	free(fx->out);
}

/* The verdict check prints for c, its JSON object in out. */
static int verdict_of(struct correlator *c, const struct check_expect *e, char *out, size_t len)
{
	FILE *f = fmemopen(out, len, "w");
	int v;

	if (!f)
		return -1;
	v = check_verdict(f, true, 0, c, e, NULL, NULL);
	fclose(f);
	return v;
}

/*
 * A process judged by its master.cf service's -o inet_protocols=ipv4 that
 * tried IPv6 all the same: a violation, and the evidence says the override
 * had no effect. A plain smtp trying IPv6 under inet_protocols = ipv4 is the
 * same violation, without that line.
 */
static void test_override_without_effect(void)
{
	static const char smtp4[] = "smtp\0-n\0smtp4\0-t\0unix\0-u\0-o\0inet_protocols=ipv4";
	struct fixture fx;

	if (fixture_open(&fx)) {
		snprintf(fx.e->configured, sizeof(fx.e->configured), "inet_protocols = all");
		check_note_args(fx.e, 40, smtp4, sizeof(smtp4));
		feed_attempt(fx.c, 40, "2001:db8::25", 5000000000ULL, 5001000000ULL);
		feed_attempt(fx.c, 41, "2001:db8::26", 5000000000ULL, 5001000000ULL);
		correlate_flush(fx.c);
		CHECK(verdict_of(fx.c, fx.e, fx.out, 65536) == FT_CHECK_VIOLATION);
		CHECK(strstr(fx.out, "smtp[40] tried IPv6: [2001:db8::25]:25, connected") != NULL);
		CHECK(strstr(fx.out, "smtp[40] is master.cf service smtp4 with -o inet_protocols=ipv4: the "
				     "override had no effect on what it did (above)") != NULL);
		CHECK(strstr(fx.out, "smtp[41] is master.cf service") == NULL);
	}
	fixture_close(&fx);
}

/* getaddrinfo of name by process tgid, returning addrs (text). */
static void feed_gai(struct correlator *c, uint32_t tgid, const char *name, const char *const *addrs, int n,
		     uint64_t start, uint64_t end)
{
	static struct ft_lookup l;
	const char *why;

	memset(&l, 0, sizeof(l));
	l.hdr.kind = FT_EV_LOOKUP;
	l.hdr.size = sizeof(l);
	l.hdr.ts_ns = end;
	smtp_task(&l.task, tgid);
	l.start_ns = start;
	l.end_ns = end;
	l.api = FT_API_GETADDRINFO;
	strcpy(l.name, name);
	for (int i = 0; i < n; i++) {
		l.addrs[i].family = strchr(addrs[i], ':') ? AF_INET6 : AF_INET;
		inet_pton(l.addrs[i].family, addrs[i], l.addrs[i].addr);
		l.addrs[i].port = 25;
	}
	l.n_addrs = n;
	CHECK(ft_decode_check(&l, sizeof(l), &why) == FT_EV_LOOKUP);
	correlate_event(c, &l, sizeof(l));
}

/*
 * A connection whose session failed, then the next address of the same
 * answer in the other family: one group, a fallback; DEGRADED with the
 * session named (no log: it says where the reply would be), never the
 * VIOLATION "first tried IPv4" of two groups.
 */
static void test_session_failed_is_degraded(void)
{
	static const char *const both[] = { "2001:db8::25", "192.0.2.25" };
	struct fixture fx;

	if (fixture_open(&fx)) {
		feed_gai(fx.c, 50, "mx.example.test", both, 2, 4990000000ULL, 4991000000ULL);
		feed_attempt(fx.c, 50, "2001:db8::25", 5000000000ULL, 5001000000ULL);
		feed_attempt(fx.c, 50, "192.0.2.25", 5003000000ULL, 5004000000ULL);
		correlate_flush(fx.c);
		CHECK(verdict_of(fx.c, fx.e, fx.out, 65536) == FT_CHECK_DEGRADED);
		CHECK(strstr(fx.out, "\"sessions_failed\":1") != NULL && strstr(fx.out, "\"evidence\":[]") != NULL);
		CHECK(strstr(fx.out, "smtp[50] mx.example.test: the IPv6 session with [2001:db8::25]:25 failed after "
				     "connecting (give --maillog or --journal for the reply); smtp went on to IPv4") != NULL);
	}
	fixture_close(&fx);
}

/* smtpd.conf read as OpenSMTPD's grammar has it: the relay actions, the
 * families their src gives (an address, an inline table, a file table, a
 * macro), one without src (both), a smarthost; comments and quotes. */
static void test_opensmtpd_conf(void)
{
	struct opensmtpd_conf oc;
	char err[256];
	FILE *f;
	const char *oldpath = getenv("PATH");
	char *saved = oldpath ? strdup(oldpath) : NULL;

	CHECK(unit_tmp_make() == 0);
	/* No smtpd in PATH: the file alone is read (smtpd -n not run). */
	setenv("PATH", unit_dir, 1);
	f = fopen(path_in("v4.conf"), "w");
	fprintf(f, "# relay over IPv4 only\nout4 = \"198.51.100.1\"\n"
		   "table aliases file:/etc/aliases\nlisten on localhost\n"
		   "action \"local\" maildir alias <aliases>\n"
		   "action \"relay\" relay src $out4 # the source\n"
		   "match from local for any action \"relay\"\n");
	fclose(f);
	CHECK(opensmtpd_read(path_in("v4.conf"), &oc, err, sizeof(err)) == 0);
	CHECK(oc.n_relay == 1 && oc.families == 1u && oc.smtpd_n == -1 && !oc.via_host && oc.n_set == 1 &&
	      !strcmp(oc.set[0].name, "action \"relay\"") && !strcmp(oc.set[0].value, "relay src 198.51.100.1"));
	/* An inline table over two lines with both families, and a file
	 * table of IPv6 sources on a second action: both. */
	f = fopen(path_in("src6"), "w");
	fprintf(f, "2001:db8:100::1\n# a comment\n\n");
	fclose(f);
	f = fopen(path_in("both.conf"), "w");
	fprintf(f, "table srcs { 198.51.100.1,\n  2001:db8:100::1 }\ntable six file:%s\n"
		   "action \"out\" relay \\\n  src <srcs> helo relay.example\n"
		   "action \"out6\" relay src <six>\n", path_in("src6"));
	fclose(f);
	CHECK(opensmtpd_read(path_in("both.conf"), &oc, err, sizeof(err)) == 0);
	CHECK(oc.n_relay == 2 && oc.families == 3u && oc.n_set == 2 &&
	      !strcmp(oc.set[0].value, "relay src <srcs> (198.51.100.1, 2001:db8:100::1) helo relay.example") &&
	      !strncmp(oc.set[1].value, "relay src <six> (/", 18));
	/* IPv6 sources only, through a smarthost; no src: both. */
	f = fopen(path_in("six.conf"), "w");
	fprintf(f, "action relay relay host smtp://[2001:db8::25] src 2001:db8:100::1\n");
	fclose(f);
	CHECK(opensmtpd_read(path_in("six.conf"), &oc, err, sizeof(err)) == 0);
	CHECK(oc.families == 2u && oc.via_host);
	f = fopen(path_in("plain.conf"), "w");
	fprintf(f, "action \"relay\" relay\n");
	fclose(f);
	CHECK(opensmtpd_read(path_in("plain.conf"), &oc, err, sizeof(err)) == 0);
	CHECK(oc.families == 3u && oc.n_relay == 1);
	/* A table it cannot read (db:) decides nothing: both families. */
	f = fopen(path_in("db.conf"), "w");
	fprintf(f, "table s db:/nonexistent/s.db\naction \"relay\" relay src <s>\n");
	fclose(f);
	CHECK(opensmtpd_read(path_in("db.conf"), &oc, err, sizeof(err)) == 0 && oc.families == 3u);
	CHECK(opensmtpd_read(path_in("missing.conf"), &oc, err, sizeof(err)) == -1 &&
	      strstr(err, "cannot read") != NULL);
	if (saved) {
		setenv("PATH", saved, 1);
		free(saved);
	}
	unit_tmp_remove();
}

int main(void)
{
	RUN(test_override_without_effect);
	RUN(test_session_failed_is_degraded);
	RUN(test_service_overrides_from_arguments);
	RUN(test_check_parsers);
	RUN(test_exim_lists_and_times);
	RUN(test_opensmtpd_conf);
	UNIT_DONE();
}
