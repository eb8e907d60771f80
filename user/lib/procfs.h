// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* procfs.h - what famtrace needs to know from /proc about processes. */
#ifndef FT_PROCFS_H
#define FT_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Does a process with this pid exist (a thread group leader)? */
bool proc_exists(pid_t pid);

/* Parent pid from /proc/PID/stat, or -1. */
pid_t proc_ppid(pid_t pid);

/*
 * Every live descendant of the given pids (children, grandchildren, ...),
 * appended to out (at most max entries). Returns how many were appended.
 */
size_t proc_descendants(const pid_t *roots, size_t n_roots, pid_t *out, size_t max);

/*
 * C libraries mapped by a process (glibc's libc.so.6, musl's libc), as paths
 * usable from here, each checked against the mapping's inode: under
 * /proc/PID/root (a container's own libc: maps shows its path inside the
 * container), else as maps shows it (a chrooted process: maps shows the
 * host's path), else /proc/PID/map_files/RANGE. A mapping none of them
 * reaches is said on stderr, never skipped silently. pid 0 means famtrace
 * itself. Returns how many were written.
 */
size_t proc_libcs(pid_t pid, char (*out)[4096], size_t max);

/* pid's arguments (/proc/PID/cmdline, each ending in NUL) into buf: the
 * bytes read, 0 when there are none or they cannot be read. */
size_t proc_cmdline(pid_t pid, char *buf, size_t len);

/* pid's command name (/proc/PID/comm) into buf; false if it cannot be read. */
bool proc_comm(pid_t pid, char *buf, size_t len);

/* Pids of live processes whose name (comm) is one of names. */
size_t proc_by_comm(const char *const *names, size_t n_names, pid_t *out, size_t max);

/*
 * Is pid the daemon an MTA's pid file names? It must be root's (an MTA
 * starts its daemon as root), run binary (a path as the daemon's own root
 * sees it, compared as files, device and inode: the daemon may run in a
 * container or another mount namespace; NULL skips this),
 * and have started no later than pidfile was last written (a pid reused
 * after the daemon stopped started after its file). NULL when it is, else
 * why not, for a message.
 */
const char *proc_not_daemon(pid_t pid, const char *binary, const char *pidfile);

/* When pid started, in seconds on CLOCK_BOOTTIME (clock ticks' resolution);
 * -1 if unknown. */
double proc_start_boot(pid_t pid);

/* pid's cgroup path: the v2 hierarchy's ("0::PATH"), or where that is "/"
 * or absent (a cgroup v1 host), systemd's own hierarchy's. False if it
 * cannot be read. */
bool proc_cgroup_path(pid_t pid, char *out, size_t len);

/* How many PID namespaces number pid (/proc/PID/status NSpid: 1 on the
 * host), with its pid in the innermost in *inner; 0 if unknown. */
unsigned proc_nspid(pid_t pid, uint32_t *inner);

#endif
