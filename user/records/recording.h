// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * recording.h - famtrace recordings: the raw event stream, as the correlator
 * consumes it, written to a file now and read back later (README
 * "Recordings").
 *
 * On disk a recording is gzip (RFC 1952), so zcat can always open it. Inside
 * is a sequence of frames, each an 8-byte frame header (little-endian u32
 * payload length, u16 type, u16 reserved) and its payload:
 *
 *   HEADER   "FAMTRACE", u32 format version, then "key=value\n" text lines
 *            (famtrace version, host, kernel, boot-to-wall-clock offset,
 *            start time, filters). Always first; again after a SIGHUP
 *            reopen appended to an existing file.
 *   EVENT    one raw ring-buffer record (bpf/famtrace.h), unchanged.
 *   TICK     u64 boottime ns: time passed with or without events.
 *   COUNTERS u64 boottime ns, then the kernel's counters (u64 each).
 *   END      u64 boottime ns, u32 reason: the writer closed the file.
 *
 * A file without END was cut (the writer was killed or the machine died);
 * everything up to the last whole frame is still read.
 *
 * SYNOPSIS
 *	rec_writer_open, rec_writer_start, rec_writer_close	one recording
 *	rec_write_event, rec_write_tick, rec_write_counters, rec_write_budget
 *	rec_writer_sync, rec_writer_restart, rec_writer_reopen	durability, outages,
 *						SIGHUP
 *	rec_file_open, rec_file_reader, rec_next, rec_file_close	reading back
 *	rec_reader_meta, rec_reader_ended, rec_file_whole	what the file says
 */
#ifndef FT_RECORDING_H
#define FT_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 2: FT_EV_SRCADDR records may appear; 3: events may come as REC_EVENT_ZR
 * frames, which a reader of format 2 would skip as unknown; 4: lookup
 * records may be packed (FT_LF_PACKED), which a reader of format 3 would
 * count as malformed; 5: process records say where the process runs (96
 * bytes) and FT_EV_CGROUP records name cgroups, both malformed to a reader
 * of format 4 */
#define REC_FORMAT_VERSION 5
#define REC_MAGIC "FAMTRACE"
#define REC_MAX_FRAME 65536 /* larger payloads mean a corrupt file */
#define REC_NCOUNTERS 4

enum rec_frame_type {
	REC_HEADER = 1,
	REC_EVENT = 2,
	REC_TICK = 3,
	REC_COUNTERS = 4,
	REC_END = 5,
	REC_EVENT_ZR = 6, /* an event with its zero runs elided (zeroruns.h); the
			   * reader hands it out as REC_EVENT */
	REC_BUDGET = 7,	  /* DNS messages not kept, over their source's budget
			   * (dnsbudget.h): time, traced, other (u64 each).
			   * Readers before 0.4.1 skip it. */
};

/* On disk, every frame: this header (little-endian), then len bytes. */
struct rec_frame_hdr {
	uint32_t len;
	uint16_t type; /* enum rec_frame_type */
	uint16_t reserved;
};

_Static_assert(sizeof(struct rec_frame_hdr) == 8, "frame header layout");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "recordings are little-endian; a big-endian port needs byte swapping here");

enum rec_end_reason {
	REC_END_STOP = 1,   /* tracing ended */
	REC_END_ROTATE = 2, /* --rotate: continued in a new file */
	REC_END_REOPEN = 3, /* SIGHUP: continued in a reopened file */
};

/* What a recording's header says. */
struct rec_meta {
	unsigned format;       /* REC_FORMAT_VERSION of the writer */
	char version[32];      /* famtrace version */
	char host[256];	       /* host name */
	char kernel[128];      /* uname -r */
	int64_t boot_to_real_ns; /* boottime + this = wall clock */
	uint64_t t0_ns;	       /* boottime when tracing started */
	char filters[512];     /* the command-line filters, as text */
	char connect_errno[8]; /* "fexit" or "route" (source_stats); "" before 0.4 */
	unsigned part;	       /* 1, 2, ... across --rotate */
};

/* ---- Writing ---- */

struct rec_writer_cfg {
	const char *path;
	uint64_t rotate_bytes; /* 0: never rotate */
	unsigned keep;	       /* rotated files kept besides the current one */
};

struct rec_writer;

/* Create cfg->path, mode 0600, never through a symlink, locked against a
 * second writer. A recording already there is never truncated: it must be
 * ours and unlocked, and moves to path.1 (rotating older ones as --keep
 * says). The header goes before the first frame. NULL on failure with one
 * line in err. */
struct rec_writer *rec_writer_open(const struct rec_writer_cfg *cfg, const struct rec_meta *m,
				   char *err, size_t errlen);
/* Tracing starts now (boottime ns): the header's t0, and (unless NULL) its
 * filters as the attach turned out (a part that could not attach, said in
 * every part's header). Before the first frame. */
void rec_writer_start(struct rec_writer *w, uint64_t t0_ns, const char *filters,
		      const char *connect_errno);
int rec_write_event(struct rec_writer *w, const void *data, size_t len);
int rec_write_tick(struct rec_writer *w, uint64_t now_ns);
int rec_write_counters(struct rec_writer *w, uint64_t now_ns, const uint64_t c[REC_NCOUNTERS]);
/* The DNS budget's counts so far (REC_BUDGET). */
int rec_write_budget(struct rec_writer *w, uint64_t now_ns, uint64_t traced, uint64_t other);
/* Push everything written so far to the disk (gzip sync flush + fdatasync);
 * then rotate if the file has grown past rotate_bytes. Call once a second. */
int rec_writer_sync(struct rec_writer *w, uint64_t now_ns);
/* After a write failure (ENOSPC...): give up the broken part (readable up
 * to its last sync, as a cut file) and start a new part at cfg->path. 0 or
 * -errno (rec_writer_error says why). */
int rec_writer_restart(struct rec_writer *w, uint64_t now_ns);
/* Did opening move an earlier recording at the path to path.1? */
bool rec_writer_kept_earlier(const struct rec_writer *w);
/* ... or go on in it (same famtrace, host and kernel, ended cleanly,
 * smaller than rotate_bytes), so that restarts do not rotate history away? */
bool rec_writer_appended(const struct rec_writer *w);
/* SIGHUP: finish the current file and continue in cfg->path, appending if a
 * file is there (logrotate's copytruncate) or creating it. */
int rec_writer_reopen(struct rec_writer *w, uint64_t now_ns);
/* Write END and close; err gets the first error met while writing, if any.
 * Returns 0 or -errno (data may be lost). */
int rec_writer_close(struct rec_writer *w, uint64_t now_ns, char *err, size_t errlen);
const char *rec_writer_error(const struct rec_writer *w);
uint64_t rec_writer_bytes(const struct rec_writer *w); /* compressed, all parts */

/* ---- Reading ---- */

/* Pull up to n bytes into buf; returns bytes read (< n only at the end),
 * or -1 on error with a message in *why. */
typedef long (*rec_read_fn)(void *src, void *buf, size_t n, const char **why);

struct rec_frame {
	enum rec_frame_type type;
	uint32_t len;
	const void *data; /* payload, valid until the next rec_next */
	uint64_t ts_ns;	  /* TICK, COUNTERS, END: their time; EVENT: the record's */
};

enum rec_status {
	REC_OK = 1,	  /* a frame */
	REC_DONE = 0,	  /* clean end of input */
	REC_CUT = -1,	  /* input ends inside a frame: cut short */
	REC_BAD = -2,	  /* not a recording, corrupt, or unreadable */
	REC_TOO_NEW = -3, /* a format version this famtrace does not read */
};

struct rec_reader;

struct rec_reader *rec_reader_new(rec_read_fn fn, void *src);
void rec_reader_free(struct rec_reader *r);
/* The next frame. The first frame of a stream must be a HEADER. */
enum rec_status rec_next(struct rec_reader *r, struct rec_frame *f);
/* After rec_next: the latest header (meta) and the reason for a failure. */
const struct rec_meta *rec_reader_meta(const struct rec_reader *r);
const char *rec_reader_why(const struct rec_reader *r);
uint64_t rec_reader_offset(const struct rec_reader *r); /* bytes of stream consumed */
bool rec_reader_ended(const struct rec_reader *r);	/* an END frame was last */

/* A reader over a (gzip or plain) file; err gets one line on failure. */
struct rec_file;
struct rec_file *rec_file_open(const char *path, char *err, size_t errlen);
struct rec_reader *rec_file_reader(struct rec_file *f);
/* Did the gzip stream end whole (not cut inside a member)? Valid once the
 * reader has reached the end. */
bool rec_file_whole(const struct rec_file *f);
void rec_file_close(struct rec_file *f);

/* Parse a header payload into m. Returns REC_OK, REC_BAD or REC_TOO_NEW. */
enum rec_status rec_parse_header(const void *data, size_t len, struct rec_meta *m,
				 const char **why);

#endif
