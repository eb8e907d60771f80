// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * container_logs.h - --container-logs: each docker or podman container the
 * trace names has its runtime's log of its output read as the MTA's log
 * (container_logs.c), each line matched to that container's processes only.
 */
#ifndef FT_CONTAINER_LOGS_H
#define FT_CONTAINER_LOGS_H

#include <stdint.h>
#include <stdio.h>

#include "core/correlate.h"
#include "maillog/maillog.h"

struct ctr_logs;

/* Readers of containers' logs into m; lines older than since_ns (UTC) are
 * not read. follow: live (each log followed from a little before its end),
 * else read whole. docker_dir: dockerd's containers' folder
 * (rt_docker_containers_dir); journal_dir: journal files to read the
 * journald driver's entries from (NULL: the local journal; following, one
 * journalctl runs for all containers). What is found, and what cannot be read, is said on say. */
struct ctr_logs *ctr_logs_new(struct mlog *m, int64_t since_ns, bool follow, const char *docker_dir,
			      const char *journal_dir, FILE *say);
void ctr_logs_free(struct ctr_logs *cl);
/* Only the container sel (--container: its name or 4+ characters of its
 * id): the others' lines are about no process that is reported. */
void ctr_logs_only(struct ctr_logs *cl, const char *sel);

/* Each container described in c that has no reader yet gets one (its log
 * found; read whole, or followed from now on). */
void ctr_logs_discover(struct ctr_logs *cl, const struct correlator *c);
/* Followed logs: the lines written since the last poll. */
void ctr_logs_poll(struct ctr_logs *cl);
/* How many containers' logs are being read. */
unsigned ctr_logs_reading(const struct ctr_logs *cl);

#endif
