// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * test_report.c - unit tests of report/: the JSON writer: jprintf writes
 * what printf writes, keeps stdio's order and buffering; JSON strings and
 * times. Output as in test_correlate.c ("ok - name" ..., "N passed, N
 * failed").
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

/* What json_str and json_wall_time write, through a memory stream. */
static void test_json_strings_and_times(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f);
	if (!f)
		return;
	json_str(f, "plain mx1.lab.test");
	fputc('|', f);
	json_str(f, "a\"b\\c\x01\x7f\xff end");
	fputc('|', f);
	json_str(f, "");
	fputc('|', f);
	json_wall_time(f, 1700000000123456789LL);
	json_wall_time(f, 1700000000999999000LL); /* the same second */
	json_wall_time(f, 1700000061000001000LL); /* a later one */
	fclose(f);
	CHECK(!strcmp(buf, "\"plain mx1.lab.test\"|\"a\\\"b\\\\c\\u0001\\u007f\\u00ff end\"|\"\"|"
			   "\"2023-11-14T22:13:20.123456Z\"\"2023-11-14T22:13:20.999999Z\""
			   "\"2023-11-14T22:14:21.000001Z\""));
	free(buf);
}

/* jprintf writes what fprintf writes, conversion by conversion, and hands
 * what it does not format itself to vfprintf. */
static int jp_bad;

#define JP_SAME(...)                                                                 \
	do {                                                                         \
		char *got = NULL, want[8192];                                        \
		size_t gl = 0;                                                       \
		FILE *mf = open_memstream(&got, &gl);                                \
                                                                                     \
		if (!mf) {                                                           \
			jp_bad++;                                                    \
			break;                                                       \
		}                                                                    \
		jprintf(mf, __VA_ARGS__);                                            \
		fclose(mf);                                                          \
		snprintf(want, sizeof(want), __VA_ARGS__);                           \
		if (strcmp(got, want)) {                                             \
			printf("#   jprintf \"%s\" != printf \"%s\"\n", got, want);     \
			jp_bad++;                                                    \
		}                                                                    \
		free(got);                                                           \
	} while (0)

static void test_jprintf_writes_what_printf_writes(void)
{
	static char longs[3000];

	memset(longs, 'x', sizeof(longs) - 1);
	jp_bad = 0;
	JP_SAME("plain, no conversion");
	JP_SAME("%s|%s|%5s|%c|%%|%3c", "a", "", "ab", 'z', 'q');
	JP_SAME("%d %d %d %i %u %u", 0, -1, 2147483647, -2147483647 - 1, 0u, 4294967295u);
	JP_SAME("%ld %lu %lld %llu %zu", -9223372036854775807L - 1, 18446744073709551615UL,
		123456789012345LL, 1ULL, (size_t)77);
	JP_SAME(",\"start_ns\":%" PRIu64 ",\"x\":%" PRId64, (uint64_t)37172660341894ULL,
		(int64_t)-5);
	JP_SAME("%06d|%03u|%04x|%x|%5d|%05d|%2d|%1u", 42, 7u, 255u, 0xdeadbeefu, -12, -12, 345, 6u);
	/* Handed whole to vfprintf: a flag, a precision or a conversion of
	 * its own anywhere in the format. */
	JP_SAME("%d|%-4d|%+d|% d|%#x", 1, 3, 3, 3, 255u);
	JP_SAME("%hd %hu %hhd %hhu", (short)-4464, (unsigned short)65535, (signed char)-56,
		(unsigned char)200);
	JP_SAME("%.3f %g %p %08.3f %m", 1.23456, 0.5, (void *)0, 2.5);
	JP_SAME("%s%s", longs, longs + 100); /* past the buffer */
	JP_SAME("\"%s\":%u,\"%s\":\"%s\"", "k", 5u, "key", "value");
	/* Every digit count, at each power of ten and either side of it, in
	 * widths shorter and longer than the number (digits go two at a time). */
	for (uint64_t p10 = 1;; p10 *= 10) {
		for (int d = -1; d <= 1; d++) {
			uint64_t v = p10 + (uint64_t)d;

			JP_SAME("%llu|%20llu|%021llu|%lld|%3lld", (unsigned long long)v, (unsigned long long)v,
				(unsigned long long)v, -(long long)(v >> 1), (long long)(v >> 1));
		}
		if (p10 > UINT64_MAX / 10)
			break;
	}
	JP_SAME("%llu", (unsigned long long)UINT64_MAX);
	/* Pieces of every length the short copies handle, and either side:
	 * strings of 0 to 20 bytes, and literal text of 1 to 17 bytes between
	 * conversions (jprintf's formats are literals). */
	for (size_t len = 0; len <= 20; len++) {
		char piece[24];

		for (size_t i = 0; i < len; i++)
			piece[i] = (char)('a' + i);
		piece[len] = 0;
		JP_SAME("%s|%s", piece, piece);
	}
	JP_SAME("a%ub%uab%uabc%uabcd%u", 1u, 2u, 3u, 4u, 5u);
	JP_SAME("abcde%uabcdef%uabcdefg%uabcdefgh%u", 1u, 2u, 3u, 4u);
	JP_SAME("abcdefghi%uabcdefghij%uabcdefghijk%u", 1u, 2u, 3u);
	JP_SAME("abcdefghijkl%uabcdefghijklm%uabcdefghijklmn%u", 1u, 2u, 3u);
	JP_SAME("abcdefghijklmno%uabcdefghijklmnop%uabcdefghijklmnopq%u", 1u, 2u, 3u);
	/* More conversions than a compiled format holds (32): scanned per call,
	 * the same bytes; a literal '%' among them. */
	for (int rep = 0; rep < 2; rep++)
		JP_SAME("%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,"
			"%u,%u,%u,%u,%u,%u,%u,%u,%s,%d%%,%03u!",
			1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 12u, 13u, 14u, 15u, 16u, 17u,
			18u, 19u, 20u, 21u, 22u, 23u, 24u, 25u, 26u, 27u, 28u, 29u, 30u, 31u, 32u,
			"thirty-three", -34, 35u);
	JP_SAME("%u%%%s%%", 7u, "x");
	CHECK(jp_bad == 0);
}

/* jprintf writes into the stream's own buffer where it has room: mixed
 * with stdio's own calls, on a fully buffered stream with a small buffer, a
 * line-buffered one and an unbuffered one, the bytes are fprintf's in the
 * same order; a line-buffered stream's line is out (readable from the pipe)
 * as soon as jprintf wrote its newline, without a flush. */
static void jp_mixed(FILE *f, bool j, const char *longs)
{
	for (int i = 0; i < 300; i++) {
		if (j)
			jprintf(f, "{\"n\":%d,\"s\":\"%s\"", i, longs + (i * 37) % 3000);
		else
			fprintf(f, "{\"n\":%d,\"s\":\"%s\"", i, longs + (i * 37) % 3000);
		fputc('}', f);
		if (j)
			jprintf(f, "%s", "\n");
		else
			fputs("\n", f);
	}
}

static void test_jprintf_keeps_stdio_order_and_buffering(void)
{
	static char longs[3001];
	static const int modes[] = { _IOFBF, _IOLBF, _IONBF };
	char buf[2][64];
	int bad = 0;

	memset(longs, 'y', sizeof(longs) - 1);
	for (size_t m = 0; m < 3; m++) {
		FILE *f[2] = { tmpfile(), tmpfile() };
		char *got[2] = { NULL, NULL };
		size_t n[2] = { 0, 0 };

		if (!f[0] || !f[1]) {
			bad++;
			continue;
		}
		for (int k = 0; k < 2; k++) {
			setvbuf(f[k], modes[m] == _IONBF ? NULL : buf[k], modes[m], sizeof(buf[k]));
			jp_mixed(f[k], k == 1, longs);
			fflush(f[k]);
			n[k] = (size_t)ftell(f[k]);
			rewind(f[k]);
			got[k] = malloc(n[k] + 1);
			if (!got[k] || fread(got[k], 1, n[k], f[k]) != n[k])
				bad++;
			fclose(f[k]);
		}
		if (n[0] != n[1] || !got[0] || !got[1] || memcmp(got[0], got[1], n[0])) {
			printf("#   setvbuf mode %d: %zu bytes by fprintf, %zu by jprintf, or different\n",
			       modes[m], n[0], n[1]);
			bad++;
		}
		free(got[0]);
		free(got[1]);
	}
	CHECK(bad == 0);

	/* Line-buffered on a pipe: each line reaches the reader at its newline. */
	{
		int p[2];
		char line[64];
		FILE *w;
		ssize_t r;

		CHECK(pipe(p) == 0);
		w = fdopen(p[1], "w");
		CHECK(w != NULL);
		if (!w)
			return;
		setvbuf(w, NULL, _IOLBF, 4096);
		fcntl(p[0], F_SETFL, O_NONBLOCK);
		jprintf(w, "{\"a\":%u}\n", 1u);
		r = read(p[0], line, sizeof(line));
		CHECK(r == 8 && !memcmp(line, "{\"a\":1}\n", 8));
		jprintf(w, "{\"b\":%u", 2u);
		r = read(p[0], line, sizeof(line));
		CHECK(r < 0); /* no newline yet: still in the buffer */
		jprintf(w, "}\n");
		r = read(p[0], line, sizeof(line));
		CHECK(r == 8 && !memcmp(line, "{\"b\":2}\n", 8));
		fclose(w);
		close(p[0]);
	}
}

int main(void)
{
	RUN(test_json_strings_and_times);
	RUN(test_jprintf_writes_what_printf_writes);
	RUN(test_jprintf_keeps_stdio_order_and_buffering);
	UNIT_DONE();
}
