// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * places.h - while tracing: what the cgroups that process records name are
 * (their path, and a container's name from its runtime's metadata), read
 * while they exist, and the place of a process seen with no fork or exec
 * record, from /proc. Both become records (FT_EV_CGROUP, FT_PROC_SEEN) that
 * go to the recording and the correlator like the kernel's.
 */
#ifndef FT_PLACES_H
#define FT_PLACES_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>

#include "famtrace.h"

struct places;

/* Opens the cgroup v2 root (privately mounted if need be: before
 * privileges are dropped). Never fails: without a root, ids are resolved
 * from /proc alone. */
struct places *places_open(void);
void places_close(struct places *pl);
/* The cgroup root it reads (for the confinement's rules), -1 if none. */
int places_cgroup_fd(const struct places *pl);
/* The directory of docker's containers' metadata (dockerd's data root). */
const char *places_docker_dir(const struct places *pl);

/* The kernel said cgroup r->cgroup_id was made at r->path: kept (the newest
 * few thousand), with a container's name read now. */
void places_made(struct places *pl, const struct ft_cgroup *r);

/* Before process record r goes on: if it names a cgroup not described yet,
 * its description in *out (true). Unresolvable ids are tried again at most
 * once a second. */
bool places_describe(struct places *pl, const struct ft_proc *r, uint64_t now_ns, struct ft_cgroup *out);

/* A process first seen now, by task t, with no process record: its place
 * from /proc as an FT_PROC_SEEN record in *out (false when it is gone or
 * another process has its pid), and its cgroup's description in *cg when
 * that is new (*cg_new), to go before it. Both carry the time now_ns: the
 * time of the record that showed the process, never the time it is read
 * (a process first known later than its first deed would not be joined
 * to the log line of that deed). */
bool places_seen(struct places *pl, const struct ft_task *t, uint64_t now_ns, struct ft_proc *out,
		 struct ft_cgroup *cg, bool *cg_new);

#endif
