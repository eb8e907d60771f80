// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * maillog_read.c - the MTA's log files into struct mlog (see
 * maillog_read.h). A followed file is read from where the last poll stopped;
 * when its path names a new file (logrotate moved it) the rest of the old
 * one is read first, then the new one from its start, and the old one is
 * still read while its writer may hold it open; a file that shrank was
 * truncated and is read again from its start. A partial last line waits for
 * its newline.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "maillog/maillog_read.h"

/* One line of a log read as src says. */
static void feed(const struct mlog_src *src, struct mlog *m, const char *line)
{
	char text[4096];
	int64_t ns;

	if (!src || src->fmt == RLOG_PLAIN) {
		mlog_line(m, line);
		return;
	}
	switch (rlog_unwrap(m, src->fmt, line, text, sizeof(text), &ns)) {
	case RLOG_OK:
		/* A line older than what is traced is not read (the
		 * follower starts a little before a container's log's end). */
		if (ns < src->since_ns)
			return;
		if (!mlog_set_scope(m, src->scope[0] ? src->scope : NULL)) {
			m->lines++;
			m->lines_bad++;
			return;
		}
		mlog_line_at(m, text, ns);
		mlog_set_scope(m, NULL);
		return;
	case RLOG_PARTIAL:
		m->lines++;
		m->lines_bad++; /* ignored, as a line that breaks the grammar */
		return;
	case RLOG_BAD:
		m->lines++;
		return;
	}
}

int maillog_read_file(struct mlog *m, const char *path, char *err, size_t errlen)
{
	return maillog_read_file_src(m, path, NULL, err, errlen);
}

int maillog_read_file_src(struct mlog *m, const char *path, const struct mlog_src *src, char *err, size_t errlen)
{
	gzFile z = gzopen(path, "rb"); /* reads plain files as they are */
	char line[4096];

	if (!z) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : ENOMEM));
		return -1;
	}
	while (gzgets(z, line, sizeof(line))) {
		size_t n = strlen(line);

		if (n && line[n - 1] == '\n')
			line[--n] = 0;
		else if (n == sizeof(line) - 1) {
			/* A line longer than the buffer: skip the rest of it. */
			int ch;

			while ((ch = gzgetc(z)) != -1 && ch != '\n')
				;
		}
		feed(src, m, line);
	}
	{
		int zerr;
		const char *msg = gzerror(z, &zerr);

		if (zerr != Z_OK && zerr != Z_STREAM_END) {
			snprintf(err, errlen, "%s: %s", path, msg);
			gzclose(z);
			return -1;
		}
	}
	gzclose(z);
	return 0;
}

/* One open file read from off on; a partial last line waits in buf. */
struct tail {
	int fd; /* -1: none */
	ino_t ino;
	off_t off;
	char buf[8192];
	size_t have; /* bytes of a partial line kept in buf */
};

struct mlog_follow {
	char *path;
	struct mlog_src src;
	struct tail cur;
	/* The file the path named before the last rotation. Its writer may
	 * hold it open a while (Postfix's postlogd until the master's reload
	 * reaches it; syslog daemons until their HUP): it is read on until
	 * it has been quiet for MLOG_ROTATED_QUIET_NS. */
	struct tail old;
	int64_t old_grew_ns;
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct mlog_follow *mlog_follow_open(const char *path, char *err, size_t errlen)
{
	return mlog_follow_open_src(path, NULL, 0, err, errlen);
}

struct mlog_follow *mlog_follow_open_src(const char *path, const struct mlog_src *src, off_t back, char *err,
					 size_t errlen)
{
	struct mlog_follow *f = calloc(1, sizeof(*f));
	struct stat st;

	if (!f || !(f->path = strdup(path))) {
		free(f);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->old.fd = -1;
	f->cur.fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (f->cur.fd < 0 || fstat(f->cur.fd, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (f->cur.fd >= 0)
			close(f->cur.fd);
		free(f->path);
		free(f);
		return NULL;
	}
	f->cur.ino = st.st_ino;
	f->cur.off = st.st_size; /* what is already there happened before the trace */
	if (src) {
		f->src = *src;
		if (back > 0) {
			/* From the first whole line in the last back bytes. */
			char ch;

			f->cur.off = st.st_size > back ? st.st_size - back : 0;
			while (f->cur.off > 0 && f->cur.off < st.st_size &&
			       pread(f->cur.fd, &ch, 1, f->cur.off - 1) == 1 && ch != '\n')
				f->cur.off++;
		}
	}
	return f;
}

/* Read t from t->off to its end, line by line. Returns the bytes read. */
static size_t drain(struct tail *t, struct mlog *m, const struct mlog_src *src)
{
	size_t total = 0;

	if (t->fd < 0)
		return 0;
	for (;;) {
		ssize_t n = pread(t->fd, t->buf + t->have, sizeof(t->buf) - 1 - t->have, t->off);
		char *start, *nl;

		if (n <= 0)
			return total;
		total += (size_t)n;
		t->off += n;
		t->have += (size_t)n;
		t->buf[t->have] = 0;
		start = t->buf;
		while ((nl = memchr(start, '\n', t->have - (size_t)(start - t->buf)))) {
			*nl = 0;
			feed(src, m, start);
			start = nl + 1;
		}
		t->have -= (size_t)(start - t->buf);
		memmove(t->buf, start, t->have);
		if (t->have == sizeof(t->buf) - 1)
			t->have = 0; /* a line longer than the buffer: dropped */
	}
}

/* Done with a file: what is left in it is read, and a last line that
 * never got its newline is a line all the same. */
static void tail_close(struct tail *t, struct mlog *m, const struct mlog_src *src)
{
	if (t->fd < 0)
		return;
	drain(t, m, src);
	if (t->have) {
		t->buf[t->have] = 0;
		feed(src, m, t->buf);
		t->have = 0;
	}
	close(t->fd);
	t->fd = -1;
}

void mlog_follow_poll_at(struct mlog_follow *f, struct mlog *m, int64_t now_ns)
{
	struct stat st, cur;

	if (!f)
		return;
	if (!fstat(f->cur.fd, &cur) && cur.st_size < f->cur.off) {
		f->cur.off = 0; /* truncated (copytruncate): from the start again */
		f->cur.have = 0;
	}
	drain(&f->cur, m, &f->src);
	if (f->old.fd >= 0) {
		if (drain(&f->old, m, &f->src))
			f->old_grew_ns = now_ns;
		else if (now_ns - f->old_grew_ns >= MLOG_ROTATED_QUIET_NS)
			tail_close(&f->old, m, &f->src);
	}
	if (stat(f->path, &st) || st.st_ino == f->cur.ino)
		return;
	/* Rotated. What reached the old file between the read above and the
	 * stat is read now; the old file stays open for its writer's late
	 * lines, and the new one is read from its start. */
	{
		int fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

		if (fd < 0)
			return;
		tail_close(&f->old, m, &f->src); /* rotated twice within the quiet time */
		drain(&f->cur, m, &f->src);
		f->old = f->cur;
		f->old_grew_ns = now_ns;
		f->cur.fd = fd;
		f->cur.ino = st.st_ino;
		f->cur.off = 0;
		f->cur.have = 0;
		drain(&f->cur, m, &f->src);
	}
}

void mlog_follow_poll(struct mlog_follow *f, struct mlog *m)
{
	mlog_follow_poll_at(f, m, mono_ns());
}

void mlog_follow_close(struct mlog_follow *f)
{
	if (!f)
		return;
	if (f->old.fd >= 0)
		close(f->old.fd);
	close(f->cur.fd);
	free(f->path);
	free(f);
}
