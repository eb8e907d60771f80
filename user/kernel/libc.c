// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * libc.c - which C libraries get the resolver uprobes (libc.h). Reads /proc
 * through procfs.c and hands paths to the loader; never parses ELF itself.
 */
#include <stdio.h>
#include <sys/stat.h>

#include "kernel/libc.h"
#include "lib/procfs.h"

/*
 * Resolver uprobes go on every distinct C library the traced processes use:
 * ours (the system's), --libc ones, and those mapped by the processes named
 * with -p or running under a mail program's name now (a container's libc is
 * another file, reached through /proc/PID/root).
 */
/* The C libraries probed, by device and inode (inherited by the prober). */
static struct {
	dev_t dev;
	ino_t ino;
} seen[LIBC_MAX];
static size_t n_seen;

bool libc_note(const struct stat *st)
{
	for (size_t k = 0; k < n_seen; k++)
		if (seen[k].dev == st->st_dev && seen[k].ino == st->st_ino)
			return false;
	if (n_seen == LIBC_MAX)
		return false;
	seen[n_seen].dev = st->st_dev;
	seen[n_seen++].ino = st->st_ino;
	return true;
}

size_t libc_count(void)
{
	return n_seen;
}

int libc_attach_all(struct loader *l, const struct loader_cfg *cfg, const char *const *extra,
		    size_t n_extra, const pid_t *seed_pids, size_t n_seed_pids)
{
	static char paths[64][4096];
	pid_t pids[512];
	size_t n_paths = 0, n_pids = 0;
	int traced = 0;

	n_paths = proc_libcs(0, paths, 64);
	for (size_t i = 0; i < n_extra && n_paths < 64; i++)
		snprintf(paths[n_paths++], sizeof(paths[0]), "%s", extra[i]);
	for (size_t i = 0; i < n_seed_pids && n_pids < 256; i++)
		pids[n_pids++] = seed_pids[i];
	if (cfg->mode == FT_MODE_MAIL)
		n_pids += proc_by_comm(cfg->comms, cfg->n_comms, pids + n_pids, 256);
	for (size_t i = 0; i < n_pids && n_paths < 64; i++)
		n_paths += proc_libcs(pids[i], paths + n_paths, 64 - n_paths);

	for (size_t i = 0; i < n_paths; i++) {
		struct stat st;

		if (stat(paths[i], &st))
			continue; /* the process exited meanwhile */
		if (!libc_note(&st))
			continue;
		traced += loader_attach_resolver(l, paths[i]) > 0;
	}
	if (!traced)
		fprintf(stderr, "famtrace: warning: no C library found to trace lookups in; "
				"connects are traced without them (try --libc PATH)\n");
	return traced;
}

