/*
 * maillog_read.c - the MTA's log files into struct mlog (see
 * maillog_read.h). A followed file is read from where the last poll stopped;
 * when its path names a new file (logrotate moved it) the rest of the old
 * one is read first, then the new one from its start; a file that shrank was
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
#include <unistd.h>
#include <zlib.h>

#include "maillog_read.h"

int maillog_read_file(struct mlog *m, const char *path, char *err, size_t errlen)
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
		mlog_line(m, line);
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

struct mlog_follow {
	char *path;
	int fd;
	ino_t ino;
	off_t off;
	char buf[8192];
	size_t have; /* bytes of a partial line kept in buf */
};

struct mlog_follow *mlog_follow_open(const char *path, char *err, size_t errlen)
{
	struct mlog_follow *f = calloc(1, sizeof(*f));
	struct stat st;

	if (!f || !(f->path = strdup(path))) {
		free(f);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (f->fd < 0 || fstat(f->fd, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (f->fd >= 0)
			close(f->fd);
		free(f->path);
		free(f);
		return NULL;
	}
	f->ino = st.st_ino;
	f->off = st.st_size; /* what is already there happened before the trace */
	return f;
}

/* Read fd from f->off to its end, line by line. */
static void drain(struct mlog_follow *f, struct mlog *m)
{
	for (;;) {
		ssize_t n = pread(f->fd, f->buf + f->have, sizeof(f->buf) - 1 - f->have, f->off);
		char *start, *nl;

		if (n <= 0)
			return;
		f->off += n;
		f->have += (size_t)n;
		f->buf[f->have] = 0;
		start = f->buf;
		while ((nl = memchr(start, '\n', f->have - (size_t)(start - f->buf)))) {
			*nl = 0;
			mlog_line(m, start);
			start = nl + 1;
		}
		f->have -= (size_t)(start - f->buf);
		memmove(f->buf, start, f->have);
		if (f->have == sizeof(f->buf) - 1)
			f->have = 0; /* a line longer than the buffer: dropped */
	}
}

void mlog_follow_poll(struct mlog_follow *f, struct mlog *m)
{
	struct stat st, cur;

	if (!f)
		return;
	if (!fstat(f->fd, &cur) && cur.st_size < f->off) {
		f->off = 0; /* truncated (copytruncate): from the start again */
		f->have = 0;
	}
	drain(f, m);
	if (stat(f->path, &st) || st.st_ino == f->ino)
		return;
	/* Rotated: the old file is read to its end above; now the new one. */
	{
		int fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

		if (fd < 0)
			return;
		close(f->fd);
		f->fd = fd;
		f->ino = st.st_ino;
		f->off = 0;
		f->have = 0;
		drain(f, m);
	}
}

void mlog_follow_close(struct mlog_follow *f)
{
	if (!f)
		return;
	close(f->fd);
	free(f->path);
	free(f);
}
