// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * recording_write.c - writing famtrace recordings (recording.h).
 *
 * The writer appends frames to a gzip stream and makes them durable once a
 * second: a sync flush ends the deflate block on a byte boundary, so the file
 * on disk always decompresses up to the last sync, and fdatasync puts it on
 * the disk. An event's runs of zero bytes (unused name and address room in
 * its fixed-size record) are elided before compression (zeroruns.h): deflate
 * then reads a third of the bytes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "famtrace.h"
#include "records/recording.h"
#include "records/zeroruns.h"

struct rec_writer {
	struct rec_writer_cfg cfg;
	char *path;
	struct rec_meta meta;
	gzFile gz;
	int fd;
	bool dirty;	     /* written since the last sync */
	bool header_due;     /* the part's HEADER goes before its first frame */
	bool kept_earlier;   /* an earlier recording at the path was moved to path.1 */
	bool appended_earlier; /* ... or went on in, as it had ended cleanly */
	bool part_synced;    /* the current part has reached the disk at least once */
	uint64_t bytes_done; /* compressed bytes of finished parts */
	char err[256];
};

static int fail(struct rec_writer *w, const char *what, int e)
{
	snprintf(w->err, sizeof(w->err), "%s: %s: %s", w->path, what, strerror(e));
	return -e;
}

/* A symlink in a sticky directory (fs.protected_symlinks) fails with EACCES
 * before O_NOFOLLOW's ELOOP: name the real reason either way. */
static bool is_symlink(const char *path)
{
	struct stat st;

	return !lstat(path, &st) && S_ISLNK(st.st_mode);
}

/*
 * The file at fd may be written (or moved aside) by this famtrace: a regular
 * file, owned by famtrace's own user, with no other name (a hard link to a
 * root-owned file, made in a directory others can write, would have that
 * file appended to and chmodded), not locked by another famtrace; the
 * lock is then ours. Closes fd and returns -errno (one line in w->err)
 * otherwise.
 */
static int claim(struct rec_writer *w, int fd, struct stat *st)
{
	if (fstat(fd, st) || !S_ISREG(st->st_mode)) {
		close(fd);
		return fail(w, "refusing to write: not a regular file", EINVAL);
	}
	if (st->st_nlink > 1) {
		close(fd);
		snprintf(w->err, sizeof(w->err), "%s: refusing to write into or replace a file with %u "
			 "hard links (another name for the same file); move it away", w->path,
			 (unsigned)st->st_nlink);
		return -EPERM;
	}
	if (st->st_uid != geteuid()) {
		close(fd);
		snprintf(w->err, sizeof(w->err), "%s: refusing to write into or replace a file owned by "
			 "uid %u (famtrace runs as uid %u); move it away", w->path,
			 (unsigned)st->st_uid, (unsigned)geteuid());
		return -EPERM;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int e = errno;

		close(fd);
		if (e == EWOULDBLOCK) {
			snprintf(w->err, sizeof(w->err), "%s: another famtrace is writing this recording",
				 w->path);
			return -EBUSY;
		}
		return fail(w, "cannot lock", e);
	}
	return 0;
}

/*
 * Open the file for writing: never through a symlink (O_NOFOLLOW), never
 * blocking on a FIFO (O_NONBLOCK), only a regular file that belongs to
 * famtrace's own user (another user's file would keep its owner, who could
 * read the whole recording), mode 0600 whatever the umask, and locked
 * (flock) so that a second famtrace on the same path refuses to start.
 */
static int open_file(struct rec_writer *w, int extra_flags)
{
	struct stat st;
	int rc, fd = open(w->path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | extra_flags,
		      0600);

	if (fd < 0) {
		if (errno == ELOOP || is_symlink(w->path))
			return fail(w, "refusing to write through a symlink", EPERM);
		if (errno == ENXIO)
			return fail(w, "refusing to write: not a regular file", EINVAL);
		if (errno == EEXIST)
			return fail(w, "appeared while famtrace was starting it", EEXIST);
		return fail(w, "cannot create", errno);
	}
	if ((rc = claim(w, fd, &st)))
		return rc;
	if (fchmod(fd, 0600)) {
		int e = errno;

		close(fd);
		return fail(w, "cannot set mode 0600", e);
	}
	return fd;
}

/* path.N -> path.N+1 for N = keep-1 .. 1, path -> path.1; path.keep is
 * dropped. keep 0: path is removed. */
static int shift_files(struct rec_writer *w, unsigned keep)
{
	size_t n = strlen(w->path) + 16;
	char *from = malloc(n), *to = malloc(n);
	int rc = 0;

	if (!from || !to) {
		free(from);
		free(to);
		return fail(w, "rotate", ENOMEM);
	}
	if (keep == 0) {
		unlink(w->path);
	} else {
		snprintf(to, n, "%s.%u", w->path, keep);
		unlink(to);
		for (unsigned i = keep; i > 1; i--) {
			snprintf(from, n, "%s.%u", w->path, i - 1);
			snprintf(to, n, "%s.%u", w->path, i);
			if (rename(from, to) && errno != ENOENT && !rc)
				rc = fail(w, "rotate", errno);
		}
		snprintf(to, n, "%s.1", w->path);
		if (rename(w->path, to) && !rc)
			rc = fail(w, "rotate", errno);
	}
	free(from);
	free(to);
	return rc;
}

/* Files larger than this are not read through at start-up (about 2 s). */
#define APPEND_SCAN_MAX (128ULL << 20)

/*
 * Can this run go on in the file an earlier run left at the path, rather
 * than push it into the rotation? Each restart (systemctl restart, an
 * upgrade) used to take one of --keep's places, so K+1 restarts lost the
 * oldest part, which may hold the incident. Only a file that the same
 * famtrace on the same host and kernel ended cleanly (its last frame an END,
 * its gzip stream whole), smaller than --rotate's size: a new part after a
 * cut one would not read back, and a cut file is evidence of a crash, kept
 * apart.
 */
static bool appendable(const struct rec_writer *w, off_t size)
{
	char err[256];
	struct rec_file *f;
	struct rec_frame fr;
	enum rec_status s;
	bool same = false;

	if ((uint64_t)size > APPEND_SCAN_MAX || (w->cfg.rotate_bytes && (uint64_t)size >= w->cfg.rotate_bytes))
		return false;
	f = rec_file_open(w->path, err, sizeof(err));
	if (!f)
		return false;
	while ((s = rec_next(rec_file_reader(f), &fr)) == REC_OK)
		if (fr.type == REC_HEADER) {
			const struct rec_meta *m = rec_reader_meta(rec_file_reader(f));

			same = m->format == w->meta.format && !strcmp(m->version, w->meta.version) &&
			       !strcmp(m->host, w->meta.host) && !strcmp(m->kernel, w->meta.kernel);
			if (!same)
				break;
		}
	same = same && s == REC_DONE && rec_reader_ended(rec_file_reader(f)) && rec_file_whole(f);
	rec_file_close(f);
	return same;
}

/*
 * Before the first part: a recording already at the path (an earlier run
 * killed, a crash, a restart by systemd) is never truncated. It must be ours
 * and not being written by another famtrace; then it moves to path.1, as a
 * rotation would (at least one older file is kept even with --keep 0).
 */
static int take_path(struct rec_writer *w)
{
	struct stat st;
	int rc, fd = open(w->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno == ELOOP || is_symlink(w->path))
			return fail(w, "refusing to write through a symlink", EPERM);
		return fail(w, "cannot open", errno);
	}
	if ((rc = claim(w, fd, &st)))
		return rc;
	close(fd);
	if (st.st_size == 0) {
		unlink(w->path); /* ours and empty: nothing to keep */
		return 0;
	}
	if (appendable(w, st.st_size)) {
		w->appended_earlier = true;
		return 1;
	}
	w->kept_earlier = true;
	return shift_files(w, w->cfg.keep ? w->cfg.keep : 1);
}

static int write_header(struct rec_writer *w);

static int put(struct rec_writer *w, uint16_t type, const void *a, size_t alen, const void *b,
	       size_t blen)
{
	struct rec_frame_hdr h = { .len = (uint32_t)(alen + blen), .type = type };

	if (!w->gz)
		return -EBADF;
	if (w->header_due) {
		int rc;

		w->header_due = false;
		if ((rc = write_header(w)))
			return rc;
	}
	if (gzwrite(w->gz, &h, sizeof(h)) != (int)sizeof(h) ||
	    (alen && gzwrite(w->gz, a, (unsigned)alen) != (int)alen) ||
	    (blen && gzwrite(w->gz, b, (unsigned)blen) != (int)blen)) {
		int e;
		const char *m = gzerror(w->gz, &e);

		snprintf(w->err, sizeof(w->err), "%s: write failed: %s", w->path,
			 e == Z_ERRNO ? strerror(errno) : m);
		return -EIO;
	}
	w->dirty = true;
	return 0;
}

static int write_header(struct rec_writer *w)
{
	char text[2048];
	uint32_t ver = REC_FORMAT_VERSION;
	int n = snprintf(text, sizeof(text),
			 "version=%s\nabi=%d\nhost=%s\nkernel=%s\nendian=little\n"
			 "boot_to_real_ns=%" PRId64 "\nt0_ns=%" PRIu64 "\nfilters=%s\npart=%u\n"
			 "connect_errno=%s\n",
			 w->meta.version, FT_ABI_VERSION, w->meta.host, w->meta.kernel,
			 w->meta.boot_to_real_ns, w->meta.t0_ns, w->meta.filters, w->meta.part,
			 w->meta.connect_errno);
	char payload[sizeof(text) + 12];

	if (n < 0 || (size_t)n >= sizeof(text))
		n = (int)strlen(text);
	memcpy(payload, REC_MAGIC, 8);
	memcpy(payload + 8, &ver, 4);
	memcpy(payload + 12, text, (size_t)n);
	return put(w, REC_HEADER, payload, 12 + (size_t)n, NULL, 0);
}

/* Open w->path with flags and start a gzip member with a header. */
static int start_part(struct rec_writer *w, int flags)
{
	int fd = open_file(w, flags);

	if (fd < 0)
		return fd;
	w->fd = fd;
	/* Level 1: compression was most of famtrace's CPU on a busy relay.
	 * On bench/relay's recording of 12,000 messages (25.3 MB of frames
	 * with zero runs elided), level 6 takes 0.27 s and gives 3.14 MB,
	 * level 3 0.11 s and 3.42 MB, level 1 0.085 s and 3.74 MB (without
	 * the elision, level 3 read 5 times the bytes and gave 6.6 MB). */
	w->gz = gzdopen(fd, "ab1");
	if (!w->gz) {
		close(fd);
		return fail(w, "cannot start compression", ENOMEM);
	}
	/* A bigger buffer: fewer writes between the once-a-second syncs. */
	gzbuffer(w->gz, 128 * 1024);
	w->header_due = true;
	w->part_synced = false;
	return 0;
}

struct rec_writer *rec_writer_open(const struct rec_writer_cfg *cfg, const struct rec_meta *m,
				   char *err, size_t errlen)
{
	struct rec_writer *w = calloc(1, sizeof(*w));
	int rc;

	if (!w || !(w->path = strdup(cfg->path))) {
		snprintf(err, errlen, "out of memory");
		free(w);
		return NULL;
	}
	w->cfg = *cfg;
	w->cfg.path = w->path;
	w->meta = *m;
	w->meta.part = 1;
	w->fd = -1;
	if ((rc = take_path(w)) < 0 || start_part(w, rc ? O_APPEND : O_EXCL) < 0) {
		snprintf(err, errlen, "%s", w->err);
		if (w->gz)
			gzclose(w->gz);
		free(w->path);
		free(w);
		return NULL;
	}
	return w;
}

void rec_writer_start(struct rec_writer *w, uint64_t t0_ns, const char *filters,
		      const char *connect_errno)
{
	w->meta.t0_ns = t0_ns;
	if (connect_errno)
		snprintf(w->meta.connect_errno, sizeof(w->meta.connect_errno), "%s", connect_errno);
	if (filters)
		snprintf(w->meta.filters, sizeof(w->meta.filters), "%s", filters);
}

int rec_write_event(struct rec_writer *w, const void *data, size_t len)
{
	/* Kernel records are at most 4.2 KiB (a DNS message's); anything
	 * larger goes as it is. */
	uint8_t zr[ZR_BOUND(8192)];
	size_t n;

	if (len > 8192 || (n = zr_encode(data, len, zr)) >= len)
		return put(w, REC_EVENT, data, len, NULL, 0);
	return put(w, REC_EVENT_ZR, zr, n, NULL, 0);
}

int rec_write_tick(struct rec_writer *w, uint64_t now_ns)
{
	return put(w, REC_TICK, &now_ns, sizeof(now_ns), NULL, 0);
}

int rec_write_budget(struct rec_writer *w, uint64_t now_ns, uint64_t traced, uint64_t other)
{
	uint64_t c[2] = { traced, other };

	return put(w, REC_BUDGET, &now_ns, sizeof(now_ns), c, sizeof(c));
}

int rec_write_counters(struct rec_writer *w, uint64_t now_ns, const uint64_t c[REC_NCOUNTERS])
{
	return put(w, REC_COUNTERS, &now_ns, sizeof(now_ns), c, REC_NCOUNTERS * sizeof(c[0]));
}

/* Finish the current part: END frame, gzip trailer, data on disk. */
static int finish_part(struct rec_writer *w, uint64_t now_ns, uint32_t reason)
{
	int rc = 0, zrc;
	struct stat st;

	if (!w->gz)
		return -EBADF;
	rc = put(w, REC_END, &now_ns, sizeof(now_ns), &reason, sizeof(reason));
	if (gzflush(w->gz, Z_FINISH) != Z_OK && !rc)
		rc = fail(w, "flush failed", errno ? errno : EIO);
	if (fdatasync(w->fd) && !rc)
		rc = fail(w, "sync failed", errno);
	if (!fstat(w->fd, &st))
		w->bytes_done += (uint64_t)st.st_size;
	zrc = gzclose(w->gz); /* closes w->fd */
	if (zrc != Z_OK && !rc)
		rc = fail(w, "close failed", errno ? errno : EIO);
	w->gz = NULL;
	w->fd = -1;
	w->dirty = false;
	return rc;
}

static int rotate(struct rec_writer *w, uint64_t now_ns)
{
	int rc = finish_part(w, now_ns, REC_END_ROTATE);
	int src = shift_files(w, w->cfg.keep);

	if (src && !rc)
		rc = src;
	w->meta.part++;
	src = start_part(w, O_EXCL);
	return rc ? rc : src;
}

int rec_writer_sync(struct rec_writer *w, uint64_t now_ns)
{
	if (!w->gz)
		return -EBADF;
	if (w->dirty) {
		if (gzflush(w->gz, Z_SYNC_FLUSH) != Z_OK)
			return fail(w, "flush failed", errno ? errno : EIO);
		if (fdatasync(w->fd))
			return fail(w, "sync failed", errno);
		w->dirty = false;
		w->part_synced = true;
	}
	if (w->cfg.rotate_bytes) {
		struct stat st;

		if (!fstat(w->fd, &st) && (uint64_t)st.st_size >= w->cfg.rotate_bytes)
			return rotate(w, now_ns);
	}
	return 0;
}

int rec_writer_restart(struct rec_writer *w, uint64_t now_ns)
{
	int rc;

	if (w->gz) {
		/* The stream is broken: drop what is buffered; what reached the
		 * disk stays readable up to its last sync (a cut part). */
		gzclose(w->gz);
		w->gz = NULL;
		w->fd = -1;
	}
	w->dirty = false;
	w->err[0] = 0;
	/* A part that never reached the disk holds nothing worth a place in
	 * the rotation: replace it rather than push older files out. */
	if (w->part_synced)
		rc = shift_files(w, w->cfg.keep ? w->cfg.keep : 1);
	else
		rc = unlink(w->path) && errno != ENOENT ? fail(w, "cannot remove", errno) : 0;
	if (rc)
		return rc;
	w->meta.part++;
	w->part_synced = false;
	(void)now_ns;
	return start_part(w, O_EXCL);
}

bool rec_writer_kept_earlier(const struct rec_writer *w)
{
	return w->kept_earlier;
}

bool rec_writer_appended(const struct rec_writer *w)
{
	return w->appended_earlier;
}

int rec_writer_reopen(struct rec_writer *w, uint64_t now_ns)
{
	int rc = w->gz ? finish_part(w, now_ns, REC_END_REOPEN) : 0;
	int src;

	w->meta.part++;
	src = start_part(w, O_APPEND);
	return rc ? rc : src;
}

int rec_writer_close(struct rec_writer *w, uint64_t now_ns, char *err, size_t errlen)
{
	int rc = 0;

	if (!w)
		return 0;
	if (w->gz)
		rc = finish_part(w, now_ns, REC_END_STOP);
	snprintf(err, errlen, "%s", w->err[0] ? w->err : "no error");
	free(w->path);
	free(w);
	return rc;
}

const char *rec_writer_error(const struct rec_writer *w)
{
	return w->err;
}

uint64_t rec_writer_bytes(const struct rec_writer *w)
{
	struct stat st;

	if (w->gz && !fstat(w->fd, &st))
		return w->bytes_done + (uint64_t)st.st_size;
	return w->bytes_done;
}
