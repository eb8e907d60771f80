// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * zeroruns.h - eliding runs of zero bytes from a record, and putting them
 * back. famtrace's kernel records are fixed-size structures whose name,
 * address and message room is mostly unused; a recording stores them with
 * those runs elided, which cuts what deflate reads by two thirds.
 *
 * Encoded form: chunks of [u16 literal bytes][u16 zero bytes] (little-
 * endian), each followed by its literal bytes. Runs shorter than
 * ZR_MIN_RUN stay literal: a chunk header costs four bytes.
 */
#ifndef FAMTRACE_ZERORUNS_H
#define FAMTRACE_ZERORUNS_H

#include <stddef.h>
#include <stdint.h>

#define ZR_MIN_RUN 8
/* Room zr_encode may need for len bytes: one chunk per ZR_MIN_RUN bytes at
 * most, and one per 65535 literal bytes. */
#define ZR_BOUND(len) ((len) + 4 * ((len) / ZR_MIN_RUN + (len) / 65535 + 2))

/* Encode len bytes of src into dst (ZR_BOUND(len) bytes of room). Returns
 * the encoded length. */
size_t zr_encode(const void *src, size_t len, void *dst);

/* Decode len bytes of src into dst (cap bytes of room). Returns the decoded
 * length, or -1 when the input is malformed or decodes to more than cap. */
long zr_decode(const void *src, size_t len, void *dst, size_t cap);

#endif
