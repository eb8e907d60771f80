// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * source.c - the one judgement of whether a trace is complete (source.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "records/source.h"

bool source_complete(const struct source_stats *ss)
{
	return !ss->lost && !ss->track_full && !ss->pending_full && !ss->malformed && !ss->cut &&
	       !ss->rec_stopped && !ss->rec_missed && !ss->missing_parts && !ss->stale && !ss->unread && !ss->dns_over_traced &&
	       !ss->wire_dropped && !ss->procs_full;
}

char *source_gaps(char *buf, size_t len, const struct source_stats *ss)
{
	size_t n = 0;

#define GAP(cond, ...)                                                                        \
	do {                                                                                 \
		if ((cond) && n < len)                                                       \
			n += (size_t)snprintf(buf + n, len - n, "%s", n ? ", " : "");      \
		if ((cond) && n < len)                                                       \
			n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__);               \
	} while (0)
	buf[0] = 0;
	GAP(ss->lost, "%" PRIu64 " records lost (ring buffer full)", ss->lost);
	GAP(ss->pending_full, "%" PRIu64 " attempts not tracked (pending map full)", ss->pending_full);
	GAP(ss->track_full, "%" PRIu64 " processes not tracked (tracking map full)", ss->track_full);
	GAP(ss->stale, "%" PRIu64 " attempts whose outcome was never seen (socket reused)", ss->stale);
	GAP(ss->malformed, "%" PRIu64 " malformed records", ss->malformed);
	GAP(ss->cut, "%" PRIu64 " recording(s) cut short (the writer was killed or the machine "
		     "stopped)", ss->cut);
	GAP(ss->rec_stopped, "the recording stopped %" PRIu64 " time(s) and missed %" PRIu64
			     " events", ss->rec_stopped, ss->rec_missed);
	GAP(ss->wire_dropped, "%" PRIu64 " DNS questions on the wire not kept (too many in flight)",
	    ss->wire_dropped);
	GAP(ss->dns_over_traced, "%" PRIu64 " DNS messages of traced processes not kept (over their "
				 "budget: a flood)", ss->dns_over_traced);
	GAP(ss->procs_full, "%" PRIu64 " records of processes beyond the bound of processes held "
				 "at once not correlated (a process storm)", ss->procs_full);
	GAP(ss->unread, "records still in the ring buffer at the stop were not read (a flood)");
	GAP(ss->missing_parts, "%" PRIu64 " part(s) of the recording not read (rotated away, not "
			       "named, or never written)", ss->missing_parts);
#undef GAP
	return buf;
}

const char *source_errno_line(const struct source_stats *ss)
{
	if (!strcmp(ss->connect_errno, "fexit"))
		return "connect errnos: exact (fexit on the connect and sendto system calls)";
	if (!strcmp(ss->connect_errno, "route"))
		return "connect errnos: from the route lookup (no fexit on this kernel, or --no-fexit); a failure "
		       "before the SYN that the route did not decide reads \"errno not seen\"";
	if (!strcmp(ss->connect_errno, "syscall"))
		return "connect errnos: from the syscall tracepoints (recorded by famtrace before 0.4)";
	return "";
}
