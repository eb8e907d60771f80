// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * source.h - what the event source (live ring buffer or recordings) says
 * about itself: records it lost, refused or could not read, and whether the
 * recording kept up. The feeders (live.c, replay.c) own and fill it; the
 * reporters, metrics and check read it. Whether a trace is complete is
 * decided here and nowhere else.
 */
#ifndef FT_SOURCE_H
#define FT_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct source_stats {
	uint64_t lost;	       /* records the ring buffer could not take */
	uint64_t track_full;   /* processes the tracking map could not take */
	uint64_t pending_full; /* attempts the pending map could not take */
	uint64_t malformed;    /* records that failed validation */
	uint64_t cut;	       /* recordings that end without their end mark */
	uint64_t rec_stopped;  /* times the recording stopped (disk full, I/O error) */
	uint64_t rec_missed;   /* events that never reached the recording */
	uint64_t missing_parts; /* report: parts of a recording not read (rotated away...) */
	uint64_t in_progress;  /* attempts still in SYN_SENT when the trace ended */
	uint64_t stale;	       /* pending attempts dropped: their socket had been reused */
	uint64_t wire_dropped; /* DNS questions on the wire the table of questions in
				* flight could not keep (a flood): their answers and
				* what they would have shown were never seen */
	uint64_t dns_over_traced; /* DNS messages of traced processes not kept: over
				   * their source's budget (dnsbudget.h) */
	uint64_t dns_over_other;  /* the same for processes not traced: said, and
				   * not a gap (nothing traced lost them) */
	uint64_t procs_full;   /* records of processes beyond the correlator's
				* bound of processes held at once (PROC_HELD_MAX) */
	uint64_t unread;       /* 1: the trace stopped during a flood, with records still
				* in the ring buffer that were never read */
	bool no_dns_wire;      /* DNS messages on the wire were not captured (--no-dns-wire,
				* or no cgroup2 to attach to): only the C library's
				* resolver calls were seen */
	char connect_errno[8]; /* where connect()'s errnos came from: "fexit" (the
				* system calls' return), "route" (the route lookup),
				* "syscall" (the syscall tracepoints, before 0.4) */
};

/* A line saying where connect()'s errnos came from, for the report's head;
 * "" when not known. */
const char *source_errno_line(const struct source_stats *ss);

/* How a recording's filters say that DNS on the wire was not captured. */
#define FT_NO_DNS_WIRE_TEXT "DNS wire not captured"

/* Did the source see and keep everything? (in_progress does not count:
 * those attempts are reported, only their outcome is unknown.) */
bool source_complete(const struct source_stats *ss);

/* One line naming what is missing, e.g. "12 records lost (ring buffer
 * full), the recording stopped 1 time(s)"; "" when complete. */
char *source_gaps(char *buf, size_t len, const struct source_stats *ss);

#endif
