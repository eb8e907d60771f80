// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * cgroup.h - the root of the cgroup v2 hierarchy, where famtrace attaches its
 * DNS wire programs so that they see every process's sockets.
 */
#ifndef FT_CGROUP_H
#define FT_CGROUP_H

#include <stddef.h>

/*
 * Open the cgroup v2 root directory (O_RDONLY|O_DIRECTORY): a cgroup2 mount
 * of the hierarchy's root from /proc/self/mountinfo, else a private mount
 * made for the purpose and detached again at once (the open descriptor
 * keeps the cgroup). Returns the descriptor, or -1 with a reason in err.
 */
int cgroup_root_open(char *err, size_t errlen);

#endif
