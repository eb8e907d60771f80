// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * replay.h - `famtrace report FILE...`: recordings through the same decoder,
 * correlator and reporters as live tracing.
 */
#ifndef FT_REPLAY_H
#define FT_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/correlate.h"
#include "lib/exitcodes.h"
#include "records/source.h"
#include "records/recording.h"
#include "maillog/messages.h"


struct replay_opts {
	bool json, wall_time, verbose;
	size_t width; /* text folded to this (text_width); 0: never */
	uint64_t group_gap_ns;
	const pid_t *pids; /* only these processes and their descendants */
	size_t n_pids;
	const char *const *comms; /* only processes with these names */
	size_t n_comms;
	const char *since, *until; /* TIME (see replay_parse_time) */
	const char *metrics_path;  /* also write the metrics file at the end */
	/* Mail programs and mail ports (correlator_cfg: service groups). */
	const char *const *mail_comms;
	size_t n_mail_comms;
	const uint16_t *mail_ports;
	size_t n_mail_ports;
	const struct addr_policy *policy; /* getaddrinfo's sort table, NULL: built-in */
	const char *place; /* --container, --unit: only processes that ran there */
	const uint16_t *dns_ports;	  /* --dns-port (none: 53) */
	size_t n_dns_ports;
	const char *const *maillogs;	  /* --maillog: the MTA's log files */
	size_t n_maillogs;
	bool journal;			  /* --journal: also the systemd journal */
	const char *journal_dir;	  /* --journal-dir: its files, elsewhere */
	bool container_logs;		  /* --container-logs: each container's own */
	bool place_is_container;	  /* place is --container's */
	struct msg_filter filter;	  /* --queue-id, --domain, --recipient */
};

/* Report on the recordings in files (any order; sorted by their headers).
 * Returns an exit code. */
int replay_main(const struct replay_opts *o, char *const *files, int n);

/*
 * Feed one recording stream (from a reader) into a correlator; used by
 * replay_main and the fuzz target. Returns the reader's final status.
 */
struct replay;
struct replay *replay_new(const struct replay_opts *o, struct correlator *c);
enum rec_status replay_stream(struct replay *rp, struct rec_reader *r);
/* What the recordings fed so far say about themselves (lost, cut...). */
const struct source_stats *replay_stats(const struct replay *rp);
void replay_free(struct replay *rp);

/*
 * TIME for --since/--until, as wall-clock Unix ns: "2026-11-22 10:04:05"
 * (or with T), "10:04[:05]" on the day the recording starts (local time),
 * "@1795000000" (Unix seconds), "+90" (seconds after the recording starts).
 * day_of_ns is the recording's start. Returns false when s is none of these.
 */
bool replay_parse_time(const char *s, int64_t day_of_ns, int64_t *out_ns);

#endif
