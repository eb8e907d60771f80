/* procfs.h - what famtrace needs to know from /proc about processes. */
#ifndef FT_PROCFS_H
#define FT_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
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

#endif
