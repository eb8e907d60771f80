// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * test_check.c - unit tests of check/ and mta/: check's parsers:
 * inet_protocols and preferences, master.cf services' overrides, Exim's
 * domain lists and times. Output as
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

int main(void)
{
	RUN(test_service_overrides_from_arguments);
	RUN(test_check_parsers);
	RUN(test_exim_lists_and_times);
	UNIT_DONE();
}
