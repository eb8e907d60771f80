// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * metrics.h - Prometheus text exposition for the node exporter's textfile
 * collector (README "Metrics"). Counts facts as the correlator reports them,
 * so the numbers survive the correlator freeing exited processes.
 */
#ifndef FT_METRICS_H
#define FT_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/correlate.h"
#include "maillog/messages.h"
#include "records/source.h"

struct metrics;

/* Counts everything that passes through the sink it installs. */
struct metrics *metrics_new(const char *version, double start_time_s);
void metrics_free(struct metrics *m);

/* Make *out a sink that counts, then passes each fact on to next (copied). */
void metrics_tee(struct metrics *m, struct sink *out, const struct sink *next);
/* Label each process's series with its container (a label only when it
 * runs in one), as c knows where it runs. */
void metrics_watch(struct metrics *m, const struct correlator *c);

/* --maillog: delivery lines of the MTA's log, by status (enum mlog_status)
 * and whether a family problem stood behind them; the series exist (at 0)
 * once enabled. */
void metrics_enable_messages(struct metrics *m);
/* A delivery line of the MTA's log, joined (messages_settle): its status,
 * whether a family problem stood behind it, and what the remote server
 * replied (sm). */
void metrics_count_delivery(struct metrics *m, const struct mlog_delivery *d, bool family_problem,
			    const struct msg_smtp *sm);

/* The exposition text, from the counters and the source's own stats. */
void metrics_print(FILE *f, struct metrics *m, const struct source_stats *ss, uint64_t events);

/* Write path atomically: a temporary file in the same directory, fsync,
 * rename. Returns 0, or -errno with one line in err. */
int metrics_write(const char *path, struct metrics *m, const struct source_stats *ss,
		  uint64_t events, char *err, size_t errlen);

#endif
