/*
 * maillog_read.h - reading the MTA's log files into a struct mlog: whole
 * files (plain or gzip, for `report`), or one file followed while famtrace
 * runs, across rotation (renamed and recreated, or truncated).
 */
#ifndef FT_MAILLOG_READ_H
#define FT_MAILLOG_READ_H

#include <stddef.h>

#include "maillog.h"

/* Every line of path (gzip or plain). 0, or -1 with err set. */
int maillog_read_file(struct mlog *m, const char *path, char *err, size_t errlen);

struct mlog_follow;

/* Follow path from its current end. NULL with err set if it cannot be read. */
struct mlog_follow *mlog_follow_open(const char *path, char *err, size_t errlen);
/* Read the lines written since the last poll (whole lines only). */
void mlog_follow_poll(struct mlog_follow *f, struct mlog *m);
void mlog_follow_close(struct mlog_follow *f);

#endif
