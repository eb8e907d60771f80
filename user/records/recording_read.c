// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * recording_read.c - reading famtrace recordings (recording.h), from any
 * byte source and from files. The reader never trusts a length it has not
 * bounded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "famtrace.h"
#include "records/recording.h"
#include "records/zeroruns.h"

struct rec_reader {
	rec_read_fn fn;
	void *src;
	uint8_t buf[REC_MAX_FRAME];
	uint8_t ev[REC_MAX_FRAME]; /* a REC_EVENT_ZR frame, decoded */
	uint64_t offset;
	bool seen_header, ended;
	struct rec_meta meta;
	const char *why;
	char whybuf[160];
};

struct rec_reader *rec_reader_new(rec_read_fn fn, void *src)
{
	struct rec_reader *r = calloc(1, sizeof(*r));

	if (r) {
		r->fn = fn;
		r->src = src;
	}
	return r;
}

void rec_reader_free(struct rec_reader *r)
{
	free(r);
}

/* Read exactly n bytes: 1 done, 0 clean end before any byte, -1 cut, -2 error. */
static int read_full(struct rec_reader *r, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		const char *why = NULL;
		long k = r->fn(r->src, (uint8_t *)buf + got, n - got, &why);

		if (k < 0) {
			r->why = why ? why : "read error";
			return -2;
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	r->offset += got;
	if (got == n)
		return 1;
	return got == 0 ? 0 : -1;
}

static bool key_is(const char *line, size_t len, const char *key, const char **val)
{
	size_t k = strlen(key);

	if (len > k && !memcmp(line, key, k) && line[k] == '=') {
		*val = line + k + 1;
		return true;
	}
	return false;
}

static void copy_val(char *dst, size_t dstlen, const char *v, size_t vlen)
{
	if (vlen >= dstlen)
		vlen = dstlen - 1;
	memcpy(dst, v, vlen);
	dst[vlen] = 0;
}

enum rec_status rec_parse_header(const void *data, size_t len, struct rec_meta *m,
				 const char **why)
{
	const char *p = (const char *)data + 12, *end = (const char *)data + len;
	uint32_t ver;

	memset(m, 0, sizeof(*m));
	if (len < 12 || memcmp(data, REC_MAGIC, 8)) {
		*why = "not a famtrace recording";
		return REC_BAD;
	}
	memcpy(&ver, (const char *)data + 8, 4);
	m->format = ver;
	if (ver == 0) {
		*why = "not a famtrace recording (format version 0)";
		return REC_BAD;
	}
	if (ver > REC_FORMAT_VERSION) {
		*why = "newer format";
		return REC_TOO_NEW;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *v;
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char num[32];

		if (key_is(p, l, "version", &v))
			copy_val(m->version, sizeof(m->version), v, l - (size_t)(v - p));
		else if (key_is(p, l, "host", &v))
			copy_val(m->host, sizeof(m->host), v, l - (size_t)(v - p));
		else if (key_is(p, l, "kernel", &v))
			copy_val(m->kernel, sizeof(m->kernel), v, l - (size_t)(v - p));
		else if (key_is(p, l, "filters", &v))
			copy_val(m->filters, sizeof(m->filters), v, l - (size_t)(v - p));
		else if (key_is(p, l, "connect_errno", &v))
			copy_val(m->connect_errno, sizeof(m->connect_errno), v, l - (size_t)(v - p));
		else if (key_is(p, l, "endian", &v) && (l - (size_t)(v - p) != 6 || memcmp(v, "little", 6))) {
			*why = "recording written on a big-endian machine; this famtrace reads little-endian only";
			return REC_BAD;
		} else if (key_is(p, l, "boot_to_real_ns", &v)) {
			copy_val(num, sizeof(num), v, l - (size_t)(v - p));
			m->boot_to_real_ns = strtoll(num, NULL, 10);
		} else if (key_is(p, l, "t0_ns", &v)) {
			copy_val(num, sizeof(num), v, l - (size_t)(v - p));
			m->t0_ns = strtoull(num, NULL, 10);
		} else if (key_is(p, l, "part", &v)) {
			copy_val(num, sizeof(num), v, l - (size_t)(v - p));
			m->part = (unsigned)strtoul(num, NULL, 10);
		}
		p += l + 1;
	}
	/* Boottime and its offset to the wall clock fit in 2^62 ns (146 years);
	 * anything larger is damage, and would overflow time arithmetic. */
	if (m->t0_ns > (1ULL << 62) || m->boot_to_real_ns > (1LL << 62) ||
	    m->boot_to_real_ns < -(1LL << 62)) {
		*why = "corrupt header (impossible clock values)";
		return REC_BAD;
	}
	return REC_OK;
}

enum rec_status rec_next(struct rec_reader *r, struct rec_frame *f)
{
	struct rec_frame_hdr h;
	int rc;

	memset(f, 0, sizeof(*f));
	for (;;) {
		rc = read_full(r, &h, sizeof(h));
		if (rc == 0) {
			if (!r->seen_header) {
				r->why = "empty file, not a famtrace recording";
				return REC_BAD;
			}
			return REC_DONE;
		}
		if (rc == -2)
			return REC_BAD;
		if (rc == -1) {
			r->why = !r->seen_header ? "not a famtrace recording" : "cut inside a frame header";
			return r->seen_header ? REC_CUT : REC_BAD;
		}
		if (!r->seen_header && (h.type != REC_HEADER || h.len < 12 || h.len > REC_MAX_FRAME)) {
			r->why = "not a famtrace recording";
			return REC_BAD;
		}
		/* Type 0 is no frame of any revision (zeros where frames
		 * should be): corrupt, never a recording that was cut short. */
		if (h.len > REC_MAX_FRAME || h.reserved || h.type == 0) {
			snprintf(r->whybuf, sizeof(r->whybuf), "corrupt frame at byte %" PRIu64,
				 r->offset - sizeof(h));
			r->why = r->whybuf;
			return REC_BAD;
		}
		rc = read_full(r, r->buf, h.len);
		if (rc == -2)
			return REC_BAD;
		if (rc <= 0 && h.len) {
			r->why = "cut inside a frame";
			return REC_CUT;
		}
		f->type = h.type;
		f->len = h.len;
		f->data = r->buf;
		r->ended = false;
		switch (h.type) {
		case REC_HEADER: {
			const char *why = NULL;
			enum rec_status s = rec_parse_header(r->buf, h.len, &r->meta, &why);

			if (s == REC_TOO_NEW) {
				snprintf(r->whybuf, sizeof(r->whybuf),
					 "recording format version %u is newer than this famtrace reads "
					 "(version %d); use a newer famtrace",
					 r->meta.format, REC_FORMAT_VERSION);
				r->why = r->whybuf;
				return s;
			}
			if (s != REC_OK) {
				r->why = why;
				return s;
			}
			r->seen_header = true;
			return REC_OK;
		}
		case REC_EVENT_ZR: {
			long n = zr_decode(r->buf, h.len, r->ev, sizeof(r->ev));

			if (n < 0) {
				snprintf(r->whybuf, sizeof(r->whybuf),
					 "corrupt event frame at byte %" PRIu64, r->offset - h.len - sizeof(h));
				r->why = r->whybuf;
				return REC_BAD;
			}
			f->type = REC_EVENT;
			f->len = (uint32_t)n;
			f->data = r->ev;
		}
			/* fall through */
		case REC_EVENT:
			if (f->len >= sizeof(struct ft_hdr)) {
				struct ft_hdr eh;

				memcpy(&eh, f->data, sizeof(eh));
				f->ts_ns = eh.ts_ns;
			}
			return REC_OK;
		case REC_TICK:
		case REC_COUNTERS:
		case REC_BUDGET:
		case REC_END:
			if (h.len < 8 || (h.type == REC_TICK && h.len != 8) ||
			    (h.type == REC_COUNTERS && h.len != 8 + REC_NCOUNTERS * 8) ||
			    (h.type == REC_BUDGET && h.len != 8 + 2 * 8) ||
			    (h.type == REC_END && h.len != 12)) {
				snprintf(r->whybuf, sizeof(r->whybuf),
					 "corrupt frame at byte %" PRIu64, r->offset - h.len - sizeof(h));
				r->why = r->whybuf;
				return REC_BAD;
			}
			memcpy(&f->ts_ns, r->buf, 8);
			if (h.type == REC_END)
				r->ended = true;
			return REC_OK;
		default:
			/* A frame type from a later minor revision: skip it. */
			continue;
		}
	}
}

const struct rec_meta *rec_reader_meta(const struct rec_reader *r)
{
	return &r->meta;
}

const char *rec_reader_why(const struct rec_reader *r)
{
	return r->why ? r->why : "";
}

uint64_t rec_reader_offset(const struct rec_reader *r)
{
	return r->offset;
}

bool rec_reader_ended(const struct rec_reader *r)
{
	return r->ended;
}

/* ---------------------------------------------------------- file source */

struct rec_file {
	gzFile gz;
	bool gz_cut;
	struct rec_reader *r;
	char why[200];
};

static long gz_read(void *src, void *buf, size_t n, const char **why)
{
	struct rec_file *f = src;
	int k, e;
	const char *m;

	if (f->gz_cut)
		return 0;
	k = gzread(f->gz, buf, (unsigned)(n > 1u << 30 ? 1u << 30 : n));
	if (k >= 0)
		return k;
	m = gzerror(f->gz, &e);
	if (e == Z_BUF_ERROR) {
		/* The gzip stream itself ends early: the file was cut. */
		f->gz_cut = true;
		return 0;
	}
	/* zlib names the stream "<fd:N>"; the caller names the file. */
	if (e != Z_ERRNO && !strncmp(m, "<fd:", 4) && strstr(m, ": "))
		m = strstr(m, ": ") + 2;
	snprintf(f->why, sizeof(f->why), "%s", e == Z_ERRNO ? strerror(errno) : m);
	*why = f->why;
	return -1;
}

struct rec_file *rec_file_open(const char *path, char *err, size_t errlen)
{
	struct rec_file *f = calloc(1, sizeof(*f));
	int fd;
	struct stat st;

	if (!f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* Non-blocking: a FIFO must not hang famtrace in open(). */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(f);
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		free(f);
		return NULL;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	f->gz = gzdopen(fd, "rb");
	if (f->gz)
		f->r = rec_reader_new(gz_read, f);
	if (!f->gz || !f->r) {
		snprintf(err, errlen, "%s: out of memory", path);
		if (f->gz)
			gzclose(f->gz);
		else
			close(fd);
		free(f);
		return NULL;
	}
	gzbuffer(f->gz, 128 * 1024);
	return f;
}

bool rec_file_whole(const struct rec_file *f)
{
	return !f->gz_cut;
}

struct rec_reader *rec_file_reader(struct rec_file *f)
{
	return f->r;
}

void rec_file_close(struct rec_file *f)
{
	if (!f)
		return;
	rec_reader_free(f->r);
	gzclose(f->gz);
	free(f);
}
