// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * runtime_log.c - a line of a container runtime's log unwrapped (see
 * runtime_log.h). Only a runtime's own stamp is taken as the time: it is
 * UTC with nanoseconds, where the container's line has the container's
 * zone and a second's precision. Pure: a line in, the container's line out.
 */
#include <string.h>

#include "lib/jsonflat.h"
#include "maillog/runtime_log.h"

struct docker_line {
	char *log;
	size_t loglen;
	char time[48];
};

static void docker_want(void *ctx, const char *key, char **out, size_t *outlen)
{
	struct docker_line *d = ctx;

	if (!strcmp(key, "log"))
		*out = d->log, *outlen = d->loglen;
	else if (!strcmp(key, "time"))
		*out = d->time, *outlen = sizeof(d->time);
}

/* An RFC 3339 time, all of s. */
static bool stamp(struct mlog *m, const char *s, int64_t *ns)
{
	const char *end;

	return s[0] >= '0' && s[0] <= '9' && mlog_time(m, s, ns, &end) && !*end && s[10] == 'T';
}

enum rlog_line rlog_unwrap(struct mlog *m, enum rlog_format fmt, const char *line, char *text, size_t len,
			   int64_t *ns)
{
	text[0] = 0;
	if (fmt == RLOG_DOCKER_JSON) {
		struct docker_line d = { text, len, "" };
		size_t n;

		if (!jflat_parse(line, docker_want, &d) || !stamp(m, d.time, ns))
			return RLOG_BAD;
		/* dockerd ends each whole line with its newline ("\n" in the
		 * JSON, '?' once read); a line it split has none but the last. */
		n = strlen(text);
		if (!n || text[n - 1] != '?' || !strstr(line, "\\n\""))
			return RLOG_PARTIAL;
		text[n - 1] = 0;
		return RLOG_OK;
	}
	if (fmt == RLOG_CRI) {
		/* "2026-12-08T03:04:05.123456789+00:00 stdout F text" */
		const char *sp = strchr(line, ' '), *stream, *tag;
		char when[48];
		size_t i = 0;

		if (!sp || (size_t)(sp - line) >= sizeof(when))
			return RLOG_BAD;
		memcpy(when, line, (size_t)(sp - line));
		when[sp - line] = 0;
		stream = sp + 1;
		if (!stamp(m, when, ns) || (strncmp(stream, "stdout ", 7) && strncmp(stream, "stderr ", 7)))
			return RLOG_BAD;
		tag = stream + 7;
		if ((tag[0] != 'F' && tag[0] != 'P') || (tag[1] != ' ' && tag[1] != 0))
			return RLOG_BAD;
		if (tag[0] == 'P')
			return RLOG_PARTIAL;
		for (const char *s = tag[1] ? tag + 2 : tag + 1; *s && i + 1 < len; s++)
			text[i++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
		text[i] = 0;
		return RLOG_OK;
	}
	return RLOG_BAD;
}

const char *rlog_format_name(enum rlog_format fmt)
{
	return fmt == RLOG_DOCKER_JSON ? "docker json-file" : fmt == RLOG_CRI ? "CRI (k8s-file)" : "plain";
}
