// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * test_records.c - unit tests of records/: the recording writer and reader
 * (round trip, cut, corrupt, restart, lock, hard links, events with their
 * zero runs elided), --since and --until times, and the one judgement of
 * whether a trace is complete. Output as in test_correlate.c ("ok - name"
 * ..., "N passed, N failed").
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
#include "records/decode.h"
#include "unit.h"
#include "records/zeroruns.h"

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

/* A process record as recordings of format 4 hold it (72 bytes, record ABI
 * 3) reads as today's with an unknown place; a cgroup record is checked
 * like the kernel's (its strings terminated); a 73-byte one is malformed. */
static void test_process_records_old_and_new(void)
{
	unsigned char old[FT_PROC_V3_SIZE + 1];
	struct ft_lookup scratch;
	struct ft_proc p;
	struct ft_cgroup g;
	const struct ft_proc *got;
	const char *why;
	size_t len = FT_PROC_V3_SIZE;

	memset(&p, 0, sizeof(p));
	p.hdr.kind = FT_EV_PROC;
	p.hdr.size = FT_PROC_V3_SIZE;
	p.task.tgid = 42;
	strcpy(p.task.comm, "smtp");
	p.what = FT_PROC_EXIT;
	p.exit_code = 256;
	memcpy(old, &p, FT_PROC_V3_SIZE);
	got = ft_decode_full(old, &len, &scratch);
	CHECK(len == sizeof(struct ft_proc) && ft_decode_check(got, len, &why) == FT_EV_PROC);
	CHECK(got->task.tgid == 42 && got->exit_code == 256 && !got->cgroup_id && !got->ns_tgid &&
	      !got->pidns && !got->netns);
	len = FT_PROC_V3_SIZE + 1;
	((struct ft_hdr *)old)->size = FT_PROC_V3_SIZE + 1;
	CHECK(ft_decode_check(ft_decode_full(old, &len, &scratch), len, &why) == 0);
	p.hdr.size = sizeof(p);
	p.what = FT_PROC_SEEN + 1;
	CHECK(ft_decode_check(&p, sizeof(p), &why) == 0);
	memset(&g, 'x', sizeof(g));
	g.hdr.kind = FT_EV_CGROUP;
	g.hdr.size = sizeof(g);
	CHECK(ft_decode_check(&g, sizeof(g), &why) == 0); /* unterminated */
	g.path[5] = 0;
	g.name[0] = 0;
	CHECK(ft_decode_check(&g, sizeof(g), &why) == FT_EV_CGROUP);
}

int main(void)
{
	RUN(test_process_records_old_and_new);
	if (unit_tmp_make())
		return 1;
	RUN(test_recording_round_trip);
	RUN(test_recording_cut_is_read_up_to_the_cut);
	RUN(test_recording_never_truncates_and_locks);
	RUN(test_recording_refuses_a_hard_link);
	RUN(test_recording_restart_starts_a_new_part);
	RUN(test_recording_refuses_absurd_frames);
	RUN(test_zero_runs_round_trip);
	RUN(test_zero_runs_refuse_malformed_input);
	RUN(test_recording_events_come_back_whole);
	RUN(test_recording_header_says_what_attached);
	RUN(test_times_for_since_and_until);
	RUN(test_completeness_is_one_judgement);
	unit_tmp_remove();
	UNIT_DONE();
}
