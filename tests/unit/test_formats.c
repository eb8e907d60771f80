// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * test_formats.c - unit tests for the parsers and file formats around the
 * correlator: the recording writer and reader (round trip, cut, corrupt,
 * restart, lock, events with their zero runs elided), the DNS parser, --since/--until times, check's parsers,
 * terminal escaping, the completeness judgement, and the MTA logs' lines and
 * a followed log across rotation. Output as in
 * test_correlate.c ("ok - name" ..., "N passed, N failed").
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

static char dir[64];

static const char *path_in(const char *name)
{
	static char buf[4][128];
	static unsigned k;
	char *b = buf[k++ % 4];

	snprintf(b, sizeof(buf[0]), "%s/%s", dir, name);
	return b;
}

static struct rec_writer *writer(const char *name, unsigned keep, char *err, size_t errlen)
{
	struct rec_writer_cfg cfg = { .path = path_in(name), .keep = keep };
	struct rec_meta m = { .format = REC_FORMAT_VERSION, .version = "test", .host = "h",
			      .kernel = "k", .filters = "all" };

	return rec_writer_open(&cfg, &m, err, errlen);
}

/* Every frame of a file: counts by type; returns the final status. */
static enum rec_status read_all(const char *path, unsigned counts[6], uint64_t *tick_sum)
{
	char err[256];
	struct rec_file *f = rec_file_open(path, err, sizeof(err));
	struct rec_frame fr;
	enum rec_status s;

	memset(counts, 0, 6 * sizeof(counts[0]));
	*tick_sum = 0;
	if (!f)
		return REC_BAD;
	while ((s = rec_next(rec_file_reader(f), &fr)) == REC_OK) {
		counts[fr.type < 6 ? fr.type : 0]++;
		if (fr.type == REC_TICK)
			*tick_sum += fr.ts_ns;
	}
	if (s == REC_DONE && !rec_reader_ended(rec_file_reader(f)))
		s = REC_CUT;
	rec_file_close(f);
	return s;
}

static void test_recording_round_trip(void)
{
	char err[256];
	struct rec_writer *w = writer("rt.ftr", 5, err, sizeof(err));
	unsigned n[6];
	uint64_t ticks;

	CHECK(w);
	if (!w)
		return;
	rec_writer_start(w, 7, NULL, NULL);
	for (uint64_t t = 1; t <= 100; t++)
		CHECK(rec_write_tick(w, t) == 0);
	CHECK(rec_writer_close(w, 200, err, sizeof(err)) == 0);
	CHECK(read_all(path_in("rt.ftr"), n, &ticks) == REC_DONE);
	CHECK(n[REC_HEADER] == 1 && n[REC_TICK] == 100 && n[REC_END] == 1);
	CHECK(ticks == 5050);
}

static void test_recording_cut_is_read_up_to_the_cut(void)
{
	char err[256];
	struct rec_writer *w = writer("cut.ftr", 5, err, sizeof(err));
	unsigned n[6];
	uint64_t ticks;
	struct stat st;

	CHECK(w);
	if (!w)
		return;
	rec_writer_start(w, 7, NULL, NULL);
	for (uint64_t t = 1; t <= 50; t++)
		rec_write_tick(w, t);
	CHECK(rec_writer_sync(w, 60) == 0);
	CHECK(stat(path_in("cut.ftr"), &st) == 0 && st.st_size > 0);
	/* What a kill -9 leaves: the file as of the last sync, then nothing. */
	{
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "cp %s %s", path_in("cut.ftr"), path_in("cut2.ftr"));
		CHECK(system(cmd) == 0);
	}
	rec_writer_close(w, 70, err, sizeof(err));
	CHECK(read_all(path_in("cut2.ftr"), n, &ticks) == REC_CUT);
	CHECK(n[REC_TICK] == 50 && n[REC_END] == 0);
}

static void test_recording_never_truncates_and_locks(void)
{
	char err[256], err2[256];
	struct rec_writer *w1, *w2;
	unsigned n[6];
	uint64_t ticks;
	int fd = open(path_in("keep.ftr"), O_WRONLY | O_CREAT | O_TRUNC, 0600);

	CHECK(fd >= 0 && write(fd, "earlier run", 11) == 11);
	close(fd);
	w1 = writer("keep.ftr", 0, err, sizeof(err));
	CHECK(w1 && rec_writer_kept_earlier(w1));
	/* keep 0 still keeps the one earlier recording */
	CHECK(access(path_in("keep.ftr.1"), F_OK) == 0);
	w2 = writer("keep.ftr", 5, err2, sizeof(err2));
	CHECK(!w2 && strstr(err2, "another famtrace is writing this recording"));
	if (w1) {
		rec_write_tick(w1, 1);
		rec_writer_close(w1, 2, err, sizeof(err));
	}
	CHECK(read_all(path_in("keep.ftr"), n, &ticks) == REC_DONE && n[REC_TICK] == 1);
}

/* Issue 35, finding 16: a hard link at the recording's path (another name
 * of a file, /etc/shadow say) is neither written nor moved aside. */
static void test_recording_refuses_a_hard_link(void)
{
	char err[256];
	struct rec_writer *w;
	int fd = open(path_in("victim"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	struct stat st;

	CHECK(fd >= 0 && write(fd, "secret", 6) == 6);
	close(fd);
	CHECK(link(path_in("victim"), path_in("hl.ftr")) == 0);
	w = writer("hl.ftr", 2, err, sizeof(err));
	CHECK(!w && strstr(err, "hard links"));
	CHECK(!stat(path_in("victim"), &st) && st.st_size == 6 && (st.st_mode & 0777) == 0644 &&
	      st.st_nlink == 2);
	if (w)
		rec_writer_close(w, 1, err, sizeof(err));
}

static void test_recording_restart_starts_a_new_part(void)
{
	char err[256];
	struct rec_writer *w = writer("rs.ftr", 3, err, sizeof(err));
	unsigned n[6];
	uint64_t ticks;

	CHECK(w);
	if (!w)
		return;
	rec_writer_start(w, 7, NULL, NULL);
	rec_write_tick(w, 1);
	CHECK(rec_writer_sync(w, 2) == 0);
	/* After a write failure: the synced part moves aside, a new one starts. */
	CHECK(rec_writer_restart(w, 3) == 0);
	rec_write_tick(w, 4);
	CHECK(rec_writer_close(w, 5, err, sizeof(err)) == 0);
	CHECK(read_all(path_in("rs.ftr.1"), n, &ticks) == REC_CUT && n[REC_TICK] == 1);
	CHECK(read_all(path_in("rs.ftr"), n, &ticks) == REC_DONE && n[REC_TICK] == 1 && ticks == 4);
}

static void test_recording_refuses_absurd_frames(void)
{
	/* A gzip file whose first frame claims 1 GiB. */
	char cmd[256];
	unsigned n[6];
	uint64_t ticks;

	snprintf(cmd, sizeof(cmd), "printf '\\000\\000\\000\\100\\001\\000\\000\\000' | gzip >%s",
		 path_in("big.ftr"));
	CHECK(system(cmd) == 0);
	CHECK(read_all(path_in("big.ftr"), n, &ticks) == REC_BAD);
	/* Issue 35, finding 18: a valid recording, then a gzip of zeros: not
	 * a recording cut short (exit 0) but a corrupt one. */
	{
		char err[256];
		struct rec_writer *w = writer("zeros.ftr", 0, err, sizeof(err));

		CHECK(w != NULL);
		if (w) {
			rec_write_tick(w, 1);
			rec_writer_close(w, 2, err, sizeof(err));
		}
		snprintf(cmd, sizeof(cmd), "head -c 4096 /dev/zero | gzip >>%s", path_in("zeros.ftr"));
		CHECK(system(cmd) == 0);
		CHECK(read_all(path_in("zeros.ftr"), n, &ticks) == REC_BAD);
	}
}

/* The encoding by its definition, a byte at a time, for inputs whose
 * literals and runs fit a chunk header (< 65536 bytes): every run of at
 * least ZR_MIN_RUN zeros elided, and a run that reaches the end whatever
 * its length; everything else literal. */
static size_t zr_by_definition(const uint8_t *s, size_t len, uint8_t *o)
{
	size_t lit = 0, i = 0, n = 0;

	while (i < len) {
		size_t j = i;

		if (s[i]) {
			i++;
			continue;
		}
		while (j < len && !s[j])
			j++;
		if (j - i >= ZR_MIN_RUN || j == len) {
			o[n] = (uint8_t)(i - lit), o[n + 1] = (uint8_t)((i - lit) >> 8);
			o[n + 2] = (uint8_t)(j - i), o[n + 3] = (uint8_t)((j - i) >> 8);
			memcpy(o + n + 4, s + lit, i - lit);
			n += 4 + i - lit;
			lit = j;
		}
		i = j;
	}
	if (lit < len) {
		o[n] = (uint8_t)(len - lit), o[n + 1] = (uint8_t)((len - lit) >> 8);
		o[n + 2] = o[n + 3] = 0;
		memcpy(o + n + 4, s + lit, len - lit);
		n += 4 + len - lit;
	}
	return n;
}

/* Encode, check the bound (and, below 65536 bytes, that the encoding is
 * the defined one byte for byte: a run missed would still round-trip),
 * decode, compare. */
static bool zr_round_trip(const uint8_t *in, size_t len, size_t *enc_len)
{
	static uint8_t enc[ZR_BOUND(140000)], out[140000], def[ZR_BOUND(140000)];
	long n;

	*enc_len = zr_encode(in, len, enc);
	if (*enc_len > ZR_BOUND(len))
		return false;
	if (len < 65536 && (zr_by_definition(in, len, def) != *enc_len || memcmp(def, enc, *enc_len)))
		return false;
	n = zr_decode(enc, *enc_len, out, sizeof(out));
	return n == (long)len && !memcmp(in, out, len);
}

static void test_zero_runs_round_trip(void)
{
	static uint8_t b[140000];
	size_t e;

	CHECK(zr_round_trip(b, 0, &e) && e == 0);
	CHECK(zr_round_trip(b, 1144, &e) && e == 4); /* all zero: one chunk */
	memset(b, 0xab, sizeof(b));
	CHECK(zr_round_trip(b, 1144, &e) && e == 1148); /* no zeros: one literal */
	CHECK(zr_round_trip(b, 140000, &e)); /* literals past a u16 */
	memset(b, 0, sizeof(b));
	b[0] = 1, b[139999] = 2;
	CHECK(zr_round_trip(b, 140000, &e) && e < 32); /* zero runs past a u16 */
	/* Short runs stay literal; a run at the very end is elided whatever
	 * its length; odd mixes, by a fixed pseudo-random sequence. */
	for (unsigned seed = 1; seed < 200; seed++) {
		unsigned x = seed;
		size_t len = 1 + seed * 37 % 5000;

		for (size_t i = 0; i < len; i++) {
			x = x * 1103515245 + 12345;
			b[i] = (x >> 16) % 4 ? 0 : (uint8_t)(x >> 8);
		}
		CHECK(zr_round_trip(b, len, &e));
	}
	/* Runs of every length from 1 to 20 at every offset within a word,
	 * between non-zero bytes, and reaching the end. */
	for (size_t run = 1; run <= 20; run++)
		for (size_t at = 0; at < 16; at++) {
			memset(b, 0x5a, 64);
			memset(b + at, 0, run);
			CHECK(zr_round_trip(b, 64, &e));
			CHECK(zr_round_trip(b, at + run, &e));
		}
	/* A lookup record as the kernel fills it: the name, two addresses,
	 * the rest zero. */
	{
		struct ft_lookup l;

		memset(&l, 0, sizeof(l));
		l.hdr.kind = FT_EV_LOOKUP, l.hdr.size = sizeof(l), l.hdr.ts_ns = 123456789;
		snprintf(l.name, sizeof(l.name), "mx.dual.lab.test");
		l.n_addrs = 2;
		l.addrs[0].family = 2, l.addrs[1].family = 10;
		memset(l.addrs[0].addr, 0xcb, 4), memset(l.addrs[1].addr, 0x20, 16);
		CHECK(zr_round_trip((const uint8_t *)&l, sizeof(l), &e) && e < sizeof(l) / 4);
	}
}

static void test_zero_runs_refuse_malformed_input(void)
{
	uint8_t out[64];
	const uint8_t cut_header[] = { 1, 0, 0 };
	const uint8_t literal_past_end[] = { 5, 0, 0, 0, 'a', 'b' };
	const uint8_t too_long[] = { 1, 0, 64, 0, 'a' };
	const uint8_t fits[] = { 1, 0, 63, 0, 'a' };

	CHECK(zr_decode(cut_header, sizeof(cut_header), out, sizeof(out)) == -1);
	CHECK(zr_decode(literal_past_end, sizeof(literal_past_end), out, sizeof(out)) == -1);
	CHECK(zr_decode(too_long, sizeof(too_long), out, sizeof(out)) == -1);
	CHECK(zr_decode(fits, sizeof(fits), out, sizeof(out)) == 64 && out[0] == 'a' && !out[63]);
}

/* Events go in with their zero runs elided and come out byte for byte, as
 * REC_EVENT frames with the record's time; the file holds fewer bytes than
 * the records. */
static void test_recording_events_come_back_whole(void)
{
	char err[256];
	struct rec_writer *w = writer("ev.ftr", 5, err, sizeof(err));
	struct ft_lookup l;
	uint8_t dense[200];
	struct rec_file *f;
	struct rec_frame fr;
	unsigned events = 0, same = 0;
	size_t on_disk = 0;

	CHECK(w);
	if (!w)
		return;
	memset(&l, 0, sizeof(l));
	l.hdr.kind = FT_EV_LOOKUP, l.hdr.size = sizeof(l);
	snprintf(l.name, sizeof(l.name), "dual.lab.test");
	for (size_t i = 0; i < sizeof(dense); i++)
		dense[i] = (uint8_t)(i | 1);
	memset(dense, 0, sizeof(struct ft_hdr));
	rec_writer_start(w, 7, NULL, NULL);
	for (unsigned i = 0; i < 50; i++) {
		l.hdr.ts_ns = 1000 + i;
		CHECK(rec_write_event(w, &l, sizeof(l)) == 0);
		CHECK(rec_write_event(w, dense, sizeof(dense)) == 0);
	}
	CHECK(rec_writer_close(w, 2000, err, sizeof(err)) == 0);
	f = rec_file_open(path_in("ev.ftr"), err, sizeof(err));
	CHECK(f);
	if (!f)
		return;
	while (rec_next(rec_file_reader(f), &fr) == REC_OK) {
		if (fr.type != REC_EVENT)
			continue;
		if (events % 2 == 0) {
			l.hdr.ts_ns = 1000 + events / 2;
			same += fr.len == sizeof(l) && !memcmp(fr.data, &l, sizeof(l)) &&
				fr.ts_ns == l.hdr.ts_ns;
		} else {
			same += fr.len == sizeof(dense) && !memcmp(fr.data, dense, sizeof(dense));
		}
		events++;
	}
	CHECK(events == 100 && same == 100);
	on_disk = (size_t)rec_reader_offset(rec_file_reader(f)); /* uncompressed stream */
	rec_file_close(f);
	CHECK(on_disk < 50 * (sizeof(l) + sizeof(dense)) / 2);
}

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

/* The filters the trace turned out to have (a part that could not attach)
 * reach the header, written with the first frame. */
static void test_recording_header_says_what_attached(void)
{
	char err[256];
	struct rec_writer *w = writer("filters.ftr", 5, err, sizeof(err));
	struct rec_file *f;
	struct rec_frame fr;

	CHECK(w);
	if (!w)
		return;
	rec_writer_start(w, 7, "mail processes; DNS wire not captured", NULL);
	CHECK(rec_write_tick(w, 8) == 0);
	CHECK(rec_writer_close(w, 9, err, sizeof(err)) == 0);
	f = rec_file_open(path_in("filters.ftr"), err, sizeof(err));
	CHECK(f);
	if (!f)
		return;
	CHECK(rec_next(rec_file_reader(f), &fr) == REC_OK && fr.type == REC_HEADER);
	CHECK(!strcmp(rec_reader_meta(rec_file_reader(f))->filters,
		      "mail processes; DNS wire not captured"));
	CHECK(rec_reader_meta(rec_file_reader(f))->t0_ns == 7);
	rec_file_close(f);
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

static void test_times_for_since_and_until(void)
{
	int64_t t, day = 1795000000LL * 1000000000LL;
	struct tm tm = { .tm_year = 126, .tm_mon = 10, .tm_mday = 22, .tm_hour = 10, .tm_min = 4,
			 .tm_sec = 5, .tm_isdst = -1 };

	CHECK(replay_parse_time("@100", day, &t) && t == 100 * 1000000000LL);
	CHECK(replay_parse_time("+90", day, &t) && t == day + 90 * 1000000000LL);
	CHECK(replay_parse_time("2026-11-22 10:04:05", day, &t) &&
	      t == (int64_t)mktime(&tm) * 1000000000LL);
	CHECK(replay_parse_time("2026-11-22T10:04:05", day, &t) &&
	      t == (int64_t)mktime(&tm) * 1000000000LL);
	CHECK(!replay_parse_time("yesterday", day, &t));
	CHECK(!replay_parse_time("+", day, &t));
	CHECK(!replay_parse_time("@-5", day, &t));
	CHECK(!replay_parse_time("2026-11-22 10:04:05x", day, &t));
}

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

static void test_completeness_is_one_judgement(void)
{
	struct source_stats ss = { 0 };
	char buf[512];

	CHECK(source_complete(&ss) && !source_gaps(buf, sizeof(buf), &ss)[0]);
	ss.in_progress = 3; /* reported, not missing */
	CHECK(source_complete(&ss));
	ss.rec_stopped = 1, ss.rec_missed = 12;
	CHECK(!source_complete(&ss) && strstr(source_gaps(buf, sizeof(buf), &ss), "missed 12 events"));
	ss = (struct source_stats){ .pending_full = 48 };
	CHECK(!source_complete(&ss) && strstr(source_gaps(buf, sizeof(buf), &ss), "48 attempts not tracked"));
	ss = (struct source_stats){ .missing_parts = 2 };
	CHECK(!source_complete(&ss));
}

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

	snprintf(path, sizeof(path), "%s/maillog", dir);
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

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/famtrace-unit.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_recording_round_trip);
	RUN(test_fmt_addr_is_inet_ntop);
	RUN(test_recording_cut_is_read_up_to_the_cut);
	RUN(test_recording_never_truncates_and_locks);
	RUN(test_recording_refuses_a_hard_link);
	RUN(test_recording_restart_starts_a_new_part);
	RUN(test_recording_refuses_absurd_frames);
	RUN(test_zero_runs_round_trip);
	RUN(test_zero_runs_refuse_malformed_input);
	RUN(test_recording_events_come_back_whole);
	RUN(test_recording_header_says_what_attached);
	RUN(test_dns_answer_parsed);
	RUN(test_dns_short_copy_and_nxdomain);
	RUN(test_dns_only_records_for_the_question);
	RUN(test_maillog_hostile_addresses);
	RUN(test_times_for_since_and_until);
	RUN(test_check_parsers);
	RUN(test_exim_lists_and_times);
	RUN(test_terminal_escaping);
	RUN(test_json_strings_and_times);
	RUN(test_jprintf_writes_what_printf_writes);
	RUN(test_jprintf_keeps_stdio_order_and_buffering);
	RUN(test_completeness_is_one_judgement);
	RUN(test_maillog_lines);
	RUN(test_maillog_follow_across_rotation);
	RUN(test_journal_entries);
	RUN(test_sendmail_lines);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd))
			printf("# could not remove %s\n", dir);
	}
	UNIT_DONE();
}
