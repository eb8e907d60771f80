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

#include "maillog/maillog.h"

/* Every line of path (gzip or plain). 0, or -1 with err set. */
int maillog_read_file(struct mlog *m, const char *path, char *err, size_t errlen);

struct mlog_follow;

/* Follow path from its current end. NULL with err set if it cannot be read. */
struct mlog_follow *mlog_follow_open(const char *path, char *err, size_t errlen);
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
