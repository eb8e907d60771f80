// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * confine.h - after start-up, famtrace confines itself with Landlock: files
 * only where it reads and writes them, no TCP, no ptrace or signals beyond
 * itself. What a compromised famtrace could do then is small even though it
 * still runs as uid 0 (its recordings are root's).
 */
#ifndef FT_CONFINE_H
#define FT_CONFINE_H

#include <stdbool.h>
#include <stddef.h>

#define CONFINE_MAX_DIRS 20

struct confine_cfg {
	/* Directories famtrace creates, rotates and removes files in. */
	const char *write_dirs[2];
	/* Directories it reads files from (followed mail logs, which rotate). */
	const char *read_dirs[CONFINE_MAX_DIRS];
	size_t n_read_dirs;
	/* A directory it reads by descriptor (the cgroup v2 root, which may be
	 * a private mount with no path): -1 for none. */
	int read_fd;
	/* Processes it must still signal (run's command, journalctl) exist. */
	bool signals_out;
};

/*
 * Apply the confinement to this process (and what it forks later): reads
 * only under /proc and cfg's directories, writes only in cfg's write
 * directories. Returns the Landlock ABI used (>= 1), or 0 with the reason
 * in why when this kernel cannot confine (no Landlock, or it is off).
 */
int confine_self(const struct confine_cfg *cfg, char *why, size_t whylen);

/* The directory part of path, as a rule needs it ("." for a bare name). */
void confine_dirname(const char *path, char *out, size_t len);

#endif
