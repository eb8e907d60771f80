// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * jsonflat.h - a flat JSON object on one line, read member by member
 * (jsonflat.c): journalctl's entries, docker's json-file log lines.
 */
#ifndef FT_JSONFLAT_H
#define FT_JSONFLAT_H

#include <stdbool.h>
#include <stddef.h>

/* Called with each member's key (cut to 63 bytes): set *out and *outlen to
 * where its value goes as text, or leave *out NULL to skip it. A key that
 * occurs twice is asked for twice; the last value stays. */
typedef void (*jflat_want)(void *ctx, const char *key, char **out, size_t *outlen);

/* Read line, one JSON object. False unless it is one (with one member or
 * more), in which case what was written so far is no value to trust. */
bool jflat_parse(const char *line, jflat_want want, void *ctx);

#endif
