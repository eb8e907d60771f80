/*
 * zeroruns.c - eliding runs of zero bytes and putting them back (zeroruns.h).
 */
#include <string.h>

#include "zeroruns.h"

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

/* The first non-zero byte at or after p, or end: eight bytes at a time. */
static const uint8_t *run_end(const uint8_t *p, const uint8_t *end)
{
	uint64_t w;

	while (end - p >= 8 && (memcpy(&w, p, 8), !w))
		p += 8;
	while (p < end && !*p)
		p++;
	return p;
}

size_t zr_encode(const void *src, size_t len, void *dst)
{
	const uint8_t *s = src, *lit = s, *end = s + len;
	uint8_t *o = dst;

	for (const uint8_t *p = s; p < end;) {
		const uint8_t *z;

		p = memchr(p, 0, (size_t)(end - p));
		if (!p)
			break;
		z = run_end(p, end);
		if (z - p >= ZR_MIN_RUN || z == end) {
			o = put_chunk(o, lit, (size_t)(p - lit), (size_t)(z - p));
			lit = z;
		}
		p = z;
	}
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
