// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * jprintf.h - the printf the JSON writer uses: the conversions it needs
 * (%s %c %d %i %u %x with h/l/ll/z, a width and the 0 flag) formatted by
 * hand straight into the stream's buffer, where vfprintf was a sixth of
 * famtrace's CPU with -j on a busy relay. Each format is compiled once into
 * its pieces. Any other conversion makes the whole call an ordinary
 * vfprintf, so the output never differs. Also the two JSON pieces every
 * JSON writer shares (a wall-clock time, a string or null), so that all JSON
 * writing sits here.
 */
#ifndef FT_JPRINTF_H
#define FT_JPRINTF_H

#include <stdint.h>
#include <stdio.h>

/* fmt must be a string literal: it is judged once and then known by its
 * address (the macro refuses anything else at compile time). */
#define jprintf(f, fmt, ...) jprintf_lit(f, "" fmt, ##__VA_ARGS__)
void jprintf_lit(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A wall-clock time (ns since the epoch) as a JSON string, UTC. */
void json_wall_time(FILE *f, int64_t real_ns);
/* s as a JSON string, or null when s is NULL or empty. */
void json_str_or_null(FILE *f, const char *s);

#endif
