// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * maillog_read.h - reading the MTA's log files into a struct mlog: whole
 * files (plain or gzip, for `report`), or one file followed while famtrace
 * runs, across rotation (renamed and recreated, or truncated).
 */
#ifndef FT_MAILLOG_READ_H
#define FT_MAILLOG_READ_H

#include <stddef.h>
#include <stdint.h>

#include <sys/types.h>

#include "maillog/maillog.h"
#include "maillog/runtime_log.h"

/* How a log's lines are read: as the MTA wrote them, or unwrapped from a
 * container runtime's log of its container's output, each line then one
 * of that container (scope: its id) and none older than since_ns. */
struct mlog_src {
	enum rlog_format fmt;
	char scope[72];
	int64_t since_ns;
};

/* Every line of path (gzip or plain). 0, or -1 with err set. */
int maillog_read_file(struct mlog *m, const char *path, char *err, size_t errlen);
/* The same, read as src says (NULL: as the MTA wrote them). */
int maillog_read_file_src(struct mlog *m, const char *path, const struct mlog_src *src, char *err, size_t errlen);

struct mlog_follow;

/* Follow path from its current end. NULL with err set if it cannot be read. */
struct mlog_follow *mlog_follow_open(const char *path, char *err, size_t errlen);
/* Follow path read as src says, from the first whole line in its last back
 * bytes (0: from its end). */
struct mlog_follow *mlog_follow_open_src(const char *path, const struct mlog_src *src, off_t back, char *err,
					 size_t errlen);
/* After a rotation the old file is read on until it has been quiet this
 * long: its writer may not have reopened the path yet. */
#define MLOG_ROTATED_QUIET_NS (5 * 1000000000LL)

/* Read the lines written since the last poll (whole lines only). */
void mlog_follow_poll(struct mlog_follow *f, struct mlog *m);
/* The same, at now_ns on CLOCK_MONOTONIC (for tests). */
void mlog_follow_poll_at(struct mlog_follow *f, struct mlog *m, int64_t now_ns);
/* Stop following (a last poll reads what is there). */
void mlog_follow_close(struct mlog_follow *f);

#endif
