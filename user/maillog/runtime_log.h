// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * runtime_log.h - one line of a container runtime's log of its container's
 * output, unwrapped to the line the container wrote and the time the
 * runtime stamped it with (runtime_log.c, pure):
 *
 *	docker json-file	{"log":"TEXT\n","stream":"stdout","time":"RFC3339NANO"}
 *	CRI (podman k8s-file,	RFC3339NANO STREAM F|P TEXT
 *	 containerd)
 *
 * A mail stack in a container logs to its standard output (Postfix's
 * maillog_file = /dev/stdout, a syslog daemon writing to it): TEXT is then
 * a syslog line of the MTA, its pid that of the container's namespace.
 */
#ifndef FT_RUNTIME_LOG_H
#define FT_RUNTIME_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "maillog/maillog.h"

enum rlog_format { RLOG_PLAIN = 0, RLOG_DOCKER_JSON, RLOG_CRI };

enum rlog_line {
	RLOG_OK,      /* a whole line in text, its time in *ns */
	RLOG_PARTIAL, /* a piece of a longer line (the runtime split it): skipped */
	RLOG_BAD,     /* not a line of that format */
};

/* Unwrap line (fmt not RLOG_PLAIN) into text (len bytes, control
 * characters made '?') and *ns (UTC ns since the epoch). */
enum rlog_line rlog_unwrap(struct mlog *m, enum rlog_format fmt, const char *line, char *text, size_t len,
			   int64_t *ns);

/* "docker json-file", "CRI (k8s-file)": for what famtrace says it read. */
const char *rlog_format_name(enum rlog_format fmt);

#endif
