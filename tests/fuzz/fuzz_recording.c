// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * fuzz_recording.c - libFuzzer target: arbitrary bytes as the (decompressed)
 * stream of a recording, through the frame reader, the record validator, the
 * correlator, the metrics counters and both reporters. Anything a damaged or
 * hostile recording holds must end in an error or a report, never a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/correlate.h"
#include "report/metrics.h"
#include "records/recording.h"
#include "cmd/replay.h"
#include "report/report.h"

struct mem {
	const uint8_t *p;
	size_t left;
};

static long mem_read(void *src, void *buf, size_t n, const char **why)
{
	struct mem *m = src;

	if (n > m->left)
		n = m->left;
	memcpy(buf, m->p, n);
	m->p += n;
	m->left -= n;
	return (long)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct mem m = { data, size };
	struct report_opts ro = { 0 };
	struct replay_opts rpo = { 0 };
	const struct source_stats *ss;
	struct sink js, sink;
	struct metrics *mx;
	struct correlator *c;
	struct replay *rp;
	struct rec_reader *r;

	if (!null)
		null = fopen("/dev/null", "w");
	ro.out = null;
	ro.verbose = true;
	json_sink(&js, &ro);
	mx = metrics_new("fuzz", 0);
	metrics_tee(mx, &sink, &js);
	c = correlator_new(&(struct correlator_cfg){ 0 }, &sink);
	rp = replay_new(&rpo, c);
	r = rec_reader_new(mem_read, &m);
	replay_stream(rp, r);
	ss = replay_stats(rp);
	ro.stats = ss;
	correlate_flush(c);
	json_report(&ro, c, UINT64_MAX / 2);
	text_report(&ro, c, UINT64_MAX / 2);
	metrics_print(null, mx, ss, correlator_events(c));
	rec_reader_free(r);
	replay_free(rp);
	correlator_free(c);
	metrics_free(mx);
	return 0;
}
