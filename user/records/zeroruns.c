// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * zeroruns.c - eliding runs of zero bytes and putting them back (zeroruns.h).
 */
#include <stdbool.h>
#include <string.h>

#include "records/zeroruns.h"

static uint8_t *put_chunk(uint8_t *o, const uint8_t *lit, size_t nlit, size_t nzero)
{
	/* A literal longer than a u16 goes out in pieces with no zeros. */
	while (nlit > 65535) {
		o[0] = 0xff, o[1] = 0xff, o[2] = 0, o[3] = 0;
		memcpy(o + 4, lit, 65535);
		o += 4 + 65535, lit += 65535, nlit -= 65535;
	}
	while (nzero > 65535) {
		o[0] = (uint8_t)nlit, o[1] = (uint8_t)(nlit >> 8), o[2] = 0xff, o[3] = 0xff;
		memcpy(o + 4, lit, nlit);
		o += 4 + nlit, nlit = 0, nzero -= 65535;
	}
	o[0] = (uint8_t)nlit, o[1] = (uint8_t)(nlit >> 8);
	o[2] = (uint8_t)nzero, o[3] = (uint8_t)(nzero >> 8);
	memcpy(o + 4, lit, nlit);
	return o + 4 + nlit;
}

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "zr_encode reads bytes in little-endian word order"
#endif

#define ZR_LOW7 0x7f7f7f7f7f7f7f7fULL
#define ZR_HIGH 0x8080808080808080ULL

/* The zero bytes of w, as the top bit of each (exact: no borrow between
 * bytes). Byte i of the word is the one at address +i (little-endian). */
static inline uint64_t zero_bytes(uint64_t w)
{
	return ~(((w & ZR_LOW7) + ZR_LOW7) | w | ZR_LOW7);
}

/* A zero run [run, stop) ends: elided when it is long enough, or when it
 * reaches the end of the input (last) whatever its length; otherwise it
 * stays in the literal. */
static uint8_t *end_run(uint8_t *o, const uint8_t **lit, const uint8_t *run, const uint8_t *stop,
			bool last)
{
	if (stop - run < ZR_MIN_RUN && !last)
		return o;
	o = put_chunk(o, *lit, (size_t)(run - *lit), (size_t)(stop - run));
	*lit = stop;
	return o;
}

/*
 * One pass, eight bytes a step: a word of zeros extends or starts a run; a
 * word with a non-zero byte ends the open run at its first non-zero byte
 * and opens one at its trailing zeros (a run wholly inside a word is
 * shorter than ZR_MIN_RUN and stays literal). A record is mostly zero and
 * its other bytes are binary fields with zeros scattered among them: a
 * search per zero byte, as before, was most of the encoder's time.
 */
size_t zr_encode(const void *src, size_t len, void *dst)
{
	const uint8_t *s = src, *lit = s, *end = s + len, *run = NULL, *p = s;
	uint8_t *o = dst;

	for (; end - p >= 8; p += 8) {
		uint64_t w, nz;

		memcpy(&w, p, 8);
		nz = ~zero_bytes(w) & ZR_HIGH; /* the non-zero bytes */
		if (!nz) {
			if (!run)
				run = p;
			continue;
		}
		if (run)
			o = end_run(o, &lit, run, p + (__builtin_ctzll(nz) >> 3), false);
		/* The last byte zero: a run may start at the word's trailing zeros. */
		run = nz >> 56 ? NULL : p + 8 - (__builtin_clzll(nz) >> 3);
	}
	for (; p < end; p++) { /* the last few bytes, one at a time */
		if (!*p) {
			if (!run)
				run = p;
		} else if (run) {
			o = end_run(o, &lit, run, p, false);
			run = NULL;
		}
	}
	if (run)
		o = end_run(o, &lit, run, end, true);
	if (lit < end)
		o = put_chunk(o, lit, (size_t)(end - lit), 0);
	return (size_t)(o - (uint8_t *)dst);
}

long zr_decode(const void *src, size_t len, void *dst, size_t cap)
{
	const uint8_t *s = src, *end = s + len;
	uint8_t *o = dst;
	size_t n = 0;

	while (s < end) {
		size_t nlit, nzero;

		if (end - s < 4)
			return -1;
		nlit = (size_t)s[0] | (size_t)s[1] << 8;
		nzero = (size_t)s[2] | (size_t)s[3] << 8;
		s += 4;
		if ((size_t)(end - s) < nlit || nlit + nzero > cap - n)
			return -1;
		memcpy(o + n, s, nlit);
		memset(o + n + nlit, 0, nzero);
		s += nlit;
		n += nlit + nzero;
	}
	return (long)n;
}
