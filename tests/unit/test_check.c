// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * test_check.c - unit tests of check/ and mta/: check's parsers:
 * inet_protocols and preferences, Exim's domain lists and times. Output as
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

int main(void)
{
	RUN(test_check_parsers);
	RUN(test_exim_lists_and_times);
	UNIT_DONE();
}
