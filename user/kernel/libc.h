// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * libc.h - finding the C libraries whose resolver functions famtrace probes:
 * the system's, those named with --libc, and those mapped by the processes
 * famtrace follows (a container's own libc, reached through /proc/PID/root).
 */
#ifndef FT_LIBC_H
#define FT_LIBC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "kernel/loader.h"

/*
 * Attach the resolver uprobes to every distinct C library (by device and
 * inode) found for these: famtrace's own, extra (--libc paths), the pids,
 * and in mail mode the running processes with a mail program's name.
 * Warns once on stderr when no library could be traced. Returns how many
 * libraries were traced.
 */
int libc_attach_all(struct loader *l, const struct loader_cfg *cfg, const char *const *extra,
		    size_t n_extra, const pid_t *pids, size_t n_pids);

#define LIBC_MAX 64 /* C libraries probed, at start-up and later together */

/* A C library (the file st) is new: noted as probed (true); false when it
 * was already, or LIBC_MAX are. */
bool libc_note(const struct stat *st);
/* How many are probed. */
size_t libc_count(void);

#endif
