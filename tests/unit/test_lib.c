// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * test_lib.c - unit tests of lib/: what lib/ knows of addresses (fmt_addr is
 * inet_ntop), DNS messages (the parser, short copies, records of the
 * question only), terminal escaping and where a cgroup path puts a
 * process (every runtime's naming, and what is not a container). Output as in test_correlate.c ("ok -
 * name" ..., "N passed, N failed").
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
#include "lib/cgpath.h"
#include "lib/wrapout.h"
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

/* fmt_addr writes what inet_ntop writes: every IPv6 pattern of zero,
 * 0xffff and other groups (all 3^8), each with random other groups, and
 * random IPv4 addresses; a buffer too short gives "?". */
static void test_fmt_addr_is_inet_ntop(void)
{
	uint8_t a[16];
	char want[INET6_ADDRSTRLEN], got[INET6_ADDRSTRLEN];
	unsigned bad = 0, seed = 12345;

	for (unsigned pat = 0; pat < 6561; pat++)
		for (int rep = 0; rep < 4; rep++) {
			for (unsigned i = 0, q = pat; i < 8; i++, q /= 3) {
				unsigned w = q % 3 == 0 ? 0 : q % 3 == 1 ? 0xffff : (rand_r(&seed) & 0xffff);

				if (q % 3 == 2 && rep == 3)
					w &= 0xf; /* short groups */
				a[2 * i] = (uint8_t)(w >> 8);
				a[2 * i + 1] = (uint8_t)w;
			}
			inet_ntop(AF_INET6, a, want, sizeof(want));
			fmt_addr(got, sizeof(got), FAM_V6, a);
			if (strcmp(want, got) && bad++ < 5)
				printf("#   %s written as %s\n", want, got);
		}
	for (int n = 0; n < 100000; n++) {
		uint32_t v = (uint32_t)rand_r(&seed) ^ (uint32_t)rand_r(&seed) << 16;

		memcpy(a, &v, 4);
		if (n < 256)
			a[0] = a[1] = a[2] = a[3] = (uint8_t)n;
		inet_ntop(AF_INET, a, want, sizeof(want));
		fmt_addr(got, sizeof(got), FAM_V4, a);
		if (strcmp(want, got) && bad++ < 5)
			printf("#   %s written as %s\n", want, got);
	}
	CHECK(bad == 0);
	memset(a, 0xff, 16);
	CHECK(!strcmp(fmt_addr(got, 10, FAM_V6, a), "?"));
	CHECK(!strcmp(fmt_addr(got, 40, FAM_V6, a), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
	CHECK(!strcmp(fmt_addr(got, 15, FAM_V4, a), "?"));
	CHECK(!strcmp(fmt_addr(got, 16, FAM_V4, a), "255.255.255.255"));
}

/* A DNS response by hand: header, question, one answer of type. */
static size_t dns_reply(uint8_t *m, const char *qname, int type, const uint8_t *rdata, int rdlen,
			int rcode)
{
	size_t n = 12;

	memset(m, 0, 512);
	m[0] = 0x12, m[1] = 0x34;
	m[2] = 0x81, m[3] = 0x80 | rcode;
	m[5] = 1;		  /* qdcount */
	m[7] = rdata ? 1 : 0; /* ancount */
	n += put_name(m + n, qname);
	m[n++] = 0, m[n++] = (uint8_t)type, m[n++] = 0, m[n++] = 1;
	if (rdata) {
		m[n++] = 0xc0, m[n++] = 12; /* the question's name */
		m[n++] = 0, m[n++] = (uint8_t)type, m[n++] = 0, m[n++] = 1;
		m[n++] = 0, m[n++] = 0, m[n++] = 0x0e, m[n++] = 0x10;
		m[n++] = 0, m[n++] = (uint8_t)rdlen;
		memcpy(m + n, rdata, (size_t)rdlen);
		n += (size_t)rdlen;
	}
	return n;
}

static void test_dns_answer_parsed(void)
{
	uint8_t m[512], a[4] = { 192, 0, 2, 25 };
	size_t n = dns_reply(m, "mx.example.org", 1, a, 4, 0);
	struct dns_msg d;

	dns_parse(m, n, n, &d);
	CHECK(d.parsed && d.is_response && d.rcode == 0);
	CHECK(!strcmp(d.qname, "mx.example.org") && d.qtype == 1);
	CHECK(d.n_rrs == 1 && d.rr[0].type == 1 && !memcmp(d.rr[0].addr, a, 4));
}

static void test_dns_short_copy_and_nxdomain(void)
{
	uint8_t m[512], a[4] = { 192, 0, 2, 25 };
	size_t n = dns_reply(m, "mx.example.org", 1, a, 4, 0);
	struct dns_msg d;

	/* A copy shorter than the message, cut inside its only answer:
	 * reported, not parsed. */
	dns_parse(m, n - 3, n, &d);
	CHECK(!d.parsed && d.error);
	/* Cut after the first of two answers (an EDNS0 answer longer than the
	 * copy): parsed as far as it goes, the first answer kept. */
	{
		uint8_t two[512], b[4] = { 192, 0, 2, 26 };
		size_t n1 = dns_reply(two, "mx.example.org", 1, a, 4, 0), n2;

		n2 = dns_reply(m, "mx.example.org", 1, b, 4, 0);
		/* the second answer record is the tail of m after its question */
		memcpy(two + n1, m + (n1 - 16), n2 - (n1 - 16));
		two[7] = 2;
		n2 = n1 + (n2 - (n1 - 16));
		dns_parse(two, n2, n2, &d);
		CHECK(d.parsed && d.n_rrs == 2 && !d.partial);
		dns_parse(two, n2 - 3, n2 + 200, &d);
		CHECK(d.parsed && d.partial && d.n_rrs == 1 && d.answers_read == 1 && d.n_answers == 2 &&
		      !memcmp(d.rr[0].addr, a, 4));
	}
	/* NXDOMAIN without answers: parsed, rcode 3. */
	n = dns_reply(m, "nope.example.org", 28, NULL, 0, 3);
	dns_parse(m, n, n, &d);
	CHECK(d.parsed && d.rcode == 3 && d.n_rrs == 0);
	CHECK(!strcmp(dns_rcode_name(3), "NXDOMAIN") && !strcmp(dns_type_name(28), "AAAA"));
	/* A failed res_query leaves the reply in the buffer, length unknown. */
	CHECK(dns_header(m, sizeof(m), "nope.example.org", &d) && d.header_only && d.rcode == 3);
	CHECK(!dns_header(m, sizeof(m), "other.example.org", &d));
}

/* Append an answer record owned by name (uncompressed) to m of n bytes. */
static size_t dns_add_rr(uint8_t *m, size_t n, const char *name, int type, const void *rd,
			 int rdlen)
{
	n += put_name(m + n, name);
	m[n++] = 0, m[n++] = (uint8_t)type, m[n++] = 0, m[n++] = 1;
	m[n++] = 0, m[n++] = 0, m[n++] = 0x0e, m[n++] = 0x10;
	m[n++] = 0, m[n++] = (uint8_t)rdlen;
	memcpy(m + n, rd, (size_t)rdlen);
	m[7]++; /* ancount */
	return n + (size_t)rdlen;
}

/* Finding 3 of issue 35: a hostile nameserver's extra records. An AAAA
 * answer that also carries an A record, an AAAA of another name, and a
 * CNAME chain: only the AAAA records owned along the chain are answers. */
static void test_dns_only_records_for_the_question(void)
{
	uint8_t m[1024], a[4] = { 192, 0, 2, 25 }, six[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x25 },
			  off[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x66 }, tgt[64];
	size_t n = dns_reply(m, "mx.example.org", 28, NULL, 0, 0), k;
	struct dns_msg d;

	n = dns_add_rr(m, n, "mx.example.org", 1, a, 4);	       /* wrong type */
	n = dns_add_rr(m, n, "other.example.org", 28, off, 16);      /* off the chain */
	k = put_name(tgt, "real.example.net");
	n = dns_add_rr(m, n, "real.example.net", 28, six, 16);	       /* before its CNAME */
	n = dns_add_rr(m, n, "MX.example.org", 5, tgt, (int)k);       /* the chain's link */
	dns_parse(m, n, n, &d);
	CHECK(d.parsed && d.n_answers == 4 && d.n_ignored == 2 && d.n_rrs == 2);
	CHECK(d.rr[0].type == 28 && !memcmp(d.rr[0].addr, six, 16));
	CHECK(d.rr[1].type == 5 && !strcmp(d.rr[1].target, "real.example.net"));
	CHECK(dns_count_addrs(m, n) == 1);
	/* The same records in an A answer: only the A record counts. */
	n = dns_reply(m, "mx.example.org", 1, NULL, 0, 0);
	n = dns_add_rr(m, n, "mx.example.org", 28, six, 16);
	n = dns_add_rr(m, n, "mx.example.org", 1, a, 4);
	dns_parse(m, n, n, &d);
	CHECK(d.parsed && d.n_rrs == 1 && d.rr[0].type == 1 && d.n_ignored == 1);
	CHECK(dns_count_addrs(m, n) == 1);
	/* A CNAME loop ends; nothing is owned along it. */
	n = dns_reply(m, "loop.example.org", 1, NULL, 0, 0);
	k = put_name(tgt, "loop.example.org");
	n = dns_add_rr(m, n, "loop.example.org", 5, tgt, (int)k);
	dns_parse(m, n, n, &d);
	CHECK(d.parsed && d.n_rrs == 1 && d.n_ignored == 0 && dns_count_addrs(m, n) == 0);
}

/* What a folding stream (lib/wrapout.c) made of text written into it. */
static char *folded(size_t width, wrapout_hang_fn hang, const char *text)
{
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len), *w = m ? wrapout_open(m, width, hang, NULL) : NULL;

	CHECK(w);
	if (!w) {
		if (m)
			fclose(m);
		free(out);
		return NULL;
	}
	/* In pieces, as fprintf calls write them. */
	for (const char *p = text; *p; p += strlen(p) < 7 ? strlen(p) : 7)
		fprintf(w, "%.7s", p);
	fclose(w);
	fclose(m);
	return out;
}

static size_t table_column(const char *line, size_t len, void *arg)
{
	return len > 10 && !strncmp(line, "0.1 ", 4) ? 10 : 0;
}

/* Folded lines: none longer than the width unless one word is, the words
 * and their order unchanged, continuations under the right column. */
static void test_lines_fold_to_the_width(void)
{
	const char *note = "NOTE: DNS messages on the wire were not captured: lookups are those of the C "
			   "library's resolver only; a process with a resolver of its own (musl, c-ares, "
			   "Go) shows attempts without names";
	char *out, *line, *save = NULL, joined[512] = "";
	size_t lines = 0, longest = 0;

	out = folded(60, NULL, "short line, unchanged\n");
	CHECK(out && !strcmp(out, "short line, unchanged\n"));
	free(out);

	/* A label's continuations start after it. */
	out = folded(60, NULL, note);
	for (line = out ? strtok_r(out, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		lines++;
		CHECK(lines == 1 ? line[0] != ' ' : !strncmp(line, "      ", 6) && line[6] != ' ');
		if (strlen(line) > longest)
			longest = strlen(line);
		strcat(joined, lines == 1 ? "" : " ");
		strcat(joined, line + (lines == 1 ? 0 : 6));
	}
	CHECK(lines >= 3 && longest <= 60 && longest > 50);
	CHECK(!strcmp(joined, note)); /* an unfinished last line too */
	free(out);

	/* A word longer than the width stays whole; an indented line goes on
	 * four columns in; a list item under its text. */
	out = folded(20, NULL, "a-word-longer-than-the-width-of-twenty tail\n");
	CHECK(out && !strcmp(out, "a-word-longer-than-the-width-of-twenty\n    tail\n"));
	free(out);
	out = folded(20, NULL, "  one two three four five\n  - six seven eight nine\n");
	CHECK(out && !strcmp(out, "  one two three four\n      five\n  - six seven eight\n    nine\n"));
	free(out);

	/* Between fields (two spaces) where that leaves more than half. */
	out = folded(30, NULL, "smtp[12]  parent master[1]  uid 107  exited 0\n");
	CHECK(out && !strcmp(out, "smtp[12]  parent master[1]\n    uid 107  exited 0\n"));
	free(out);

	/* A table's rows continue under the column its caller names. */
	out = folded(30, table_column, "0.1 12   dest.example port 25: NO FALLBACK\n");
	CHECK(out && !strcmp(out, "0.1 12   dest.example port 25:\n          NO FALLBACK\n"));
	free(out);
}

static void test_terminal_escaping(void)
{
	CHECK(!strcmp(fmt_safe("smtp"), "smtp"));
	CHECK(!strcmp(fmt_safe("x\033[2J\nFAKE\r\a"), "x\\e[2J\\nFAKE\\r\\x07"));
	CHECK(!strcmp(fmt_safe("a\\b\t\x7f\xc3"), "a\\\\b\\t\\x7f\\xc3"));
	/* Long input is cut, never overflowed. */
	{
		char big[3000];

		memset(big, '\033', sizeof(big) - 1);
		big[sizeof(big) - 1] = 0;
		CHECK(strlen(fmt_safe(big)) < 1024);
	}
}

/* Each runtime's cgroup naming, systemd's and cgroupfs's drivers; podman's
 * monitor, a session and a bare slice are not containers. */
static void test_cgroup_paths(void)
{
	static const char id[] = "502f11796fb0120ba5aa60bf4c9fd52aff4eab1d2892e0dc50e33f2a5417f698";
	struct cg_place p;
	char path[512], sid[16];
	const struct {
		const char *fmt, *runtime, *id;
	} ctr[] = {
		{ "/system.slice/docker-%s.scope", "docker", id },
		{ "/docker/%s", "docker", id },
		{ "/machine.slice/libpod-%s.scope/container", "podman", id },
		{ "/libpod_parent/libpod-%s", "podman", id },
		{ "/system.slice/cri-containerd-%s.scope", "containerd", id },
		{ "/kubepods/burstable/pod1234/%s", "containerd", id },
		{ "/machine.slice/machine-mail\\x2drelay.scope%s", "systemd-nspawn", "mail-relay" },
		{ "/lxc.payload.mx1%s", "lxc", "mx1" },
	};

	for (size_t i = 0; i < sizeof(ctr) / sizeof(ctr[0]); i++) {
		snprintf(path, sizeof(path), ctr[i].fmt, strchr(ctr[i].fmt, '%') && ctr[i].id == id ? id : "");
		cg_classify(path, &p);
		CHECK(p.kind == CG_CONTAINER);
		CHECK(!strcmp(p.runtime, ctr[i].runtime));
		CHECK(!strcmp(p.id, ctr[i].id));
	}
	cg_classify("/system.slice/docker-502f11796fb0.scope", &p);
	CHECK(p.kind == CG_CONTAINER && !strcmp(cg_short_id(&p, sid, sizeof(sid)), "502f11796fb0"));
	cg_classify("/system.slice/postfix@-.service", &p);
	CHECK(p.kind == CG_UNIT && !strcmp(p.unit, "postfix@-.service"));
	cg_classify("/system.slice/exim4.service/children", &p);
	CHECK(p.kind == CG_UNIT && !strcmp(p.unit, "exim4.service"));
	snprintf(path, sizeof(path), "/machine.slice/libpod-conmon-%s.scope", id);
	cg_classify(path, &p);
	CHECK(p.kind == CG_UNIT); /* podman's monitor: a scope, not the container */
	cg_classify("/user.slice/user-0.slice/session-3.scope", &p);
	CHECK(p.kind == CG_HOST);
	cg_classify("/", &p);
	CHECK(p.kind == CG_HOST);
	cg_classify("", &p);
	CHECK(p.kind == CG_HOST);
	cg_classify("/docker/not-hex", &p);
	CHECK(p.kind == CG_HOST);
}

int main(void)
{
	RUN(test_cgroup_paths);
	RUN(test_fmt_addr_is_inet_ntop);
	RUN(test_dns_answer_parsed);
	RUN(test_dns_short_copy_and_nxdomain);
	RUN(test_dns_only_records_for_the_question);
	RUN(test_terminal_escaping);
	RUN(test_lines_fold_to_the_width);
	UNIT_DONE();
}
