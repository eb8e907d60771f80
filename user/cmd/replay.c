// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * replay.c - `famtrace report`: recordings in, the live report out.
 *
 * Frames go through exactly what live tracing uses: ft_decode_check, then
 * correlate_event, and correlate_tick at the times the live loop ticked (the
 * writer records each tick), so group boundaries and the order of output
 * lines come out as they did live.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "records/decode.h"
#include "report/metrics.h"
#include "cmd/replay.h"
#include "maillog/journal.h"
#include "maillog/maillog_read.h"
#include "cmd/container_logs.h"
#include "lib/runtimes.h"
#include "lib/wrapout.h"
#include "report/report.h"

#define MAX_SESSIONS 256

#define KEPT_SOCKETS 1024

struct replay {
	struct replay_opts o;
	struct correlator *c;
	bool have_meta;
	struct rec_meta first; /* the earliest recording's header */
	int64_t boot_to_real_ns; /* of the header being read */
	bool times_ok;
	int64_t since_wall, until_wall;
	/* Kernel counters are cumulative per famtrace run (its t0); sum the
	 * last value of each run. */
	struct session {
		uint64_t t0;
		uint64_t cnt[REC_NCOUNTERS];
		uint64_t budget[2]; /* REC_BUDGET: DNS messages not kept, traced and other */
		unsigned parts, max_part; /* headers read, highest part number */
	} sessions[MAX_SESSIONS];
	unsigned n_sessions;
	uint64_t cur_t0;
	uint32_t *pidset; /* -p: the named pids, and their descendants as they fork */
	size_t n_pidset, cap_pidset;
	uint64_t last_ns; /* latest time seen: the report's "now" */
	struct source_stats ss; /* what the recordings say about themselves */
	const char *time_error;
	uint64_t events_read, events_kept; /* valid events, and those the filters kept */
	/* -p/-c: the sockets of the DNS queries kept, newest over the oldest,
	 * so the answers the kernel found by socket (they carry no task) go
	 * with their queries. */
	uint64_t kept_sockets[KEPT_SOCKETS];
	unsigned n_kept_sockets;
};

/* famtrace captures DNS on the wire since 0.3. */
static bool version_has_wire(const char *v)
{
	unsigned major = 0, minor = 0;

	if (sscanf(v, "%u.%u", &major, &minor) != 2)
		return false;
	return major > 0 || minor >= 3;
}

static bool pid_in(const struct replay *rp, uint32_t pid)
{
	for (size_t i = 0; i < rp->n_pidset; i++)
		if (rp->pidset[i] == pid)
			return true;
	return false;
}

static void pid_add(struct replay *rp, uint32_t pid)
{
	if (pid_in(rp, pid))
		return;
	if (rp->n_pidset == rp->cap_pidset) {
		size_t cap = rp->cap_pidset ? rp->cap_pidset * 2 : 64;
		uint32_t *n = realloc(rp->pidset, cap * sizeof(*n));

		if (!n)
			return;
		rp->pidset = n;
		rp->cap_pidset = cap;
	}
	rp->pidset[rp->n_pidset++] = pid;
}

struct replay *replay_new(const struct replay_opts *o, struct correlator *c)
{
	struct replay *rp = calloc(1, sizeof(*rp));

	if (!rp)
		return NULL;
	rp->o = *o;
	rp->c = c;
	rp->until_wall = INT64_MAX;
	rp->since_wall = INT64_MIN;
	for (size_t i = 0; i < o->n_pids; i++)
		pid_add(rp, (uint32_t)o->pids[i]);
	return rp;
}

const struct source_stats *replay_stats(const struct replay *rp)
{
	return &rp->ss;
}

void replay_free(struct replay *rp)
{
	if (rp)
		free(rp->pidset);
	free(rp);
}

bool replay_parse_time(const char *s, int64_t day_of_ns, int64_t *out_ns)
{
	struct tm tm = { 0 };
	const char *end;
	char *e;

	if (*s == '@' || *s == '+') {
		double v;

		errno = 0;
		v = strtod(s + 1, &e);
		if (errno || e == s + 1 || *e || v < 0 || v > 1e11)
			return false;
		*out_ns = (int64_t)(v * 1e9) + (*s == '+' ? day_of_ns : 0);
		return true;
	}
	if ((end = strptime(s, "%Y-%m-%d %H:%M:%S", &tm)) && !*end)
		goto ok;
	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) && !*end)
		goto ok;
	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%d %H:%M", &tm)) && !*end)
		goto ok;
	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%dT%H:%M", &tm)) && !*end)
		goto ok;
	{
		/* A time of day: on the day the recording starts. */
		time_t day = (time_t)(day_of_ns / 1000000000LL);
		struct tm d;

		memset(&tm, 0, sizeof(tm));
		if (!((end = strptime(s, "%H:%M:%S", &tm)) && !*end)) {
			memset(&tm, 0, sizeof(tm));
			if (!((end = strptime(s, "%H:%M", &tm)) && !*end))
				return false;
		}
		localtime_r(&day, &d);
		tm.tm_year = d.tm_year;
		tm.tm_mon = d.tm_mon;
		tm.tm_mday = d.tm_mday;
	}
ok:
	tm.tm_isdst = -1;
	{
		time_t t = mktime(&tm);

		if (t == (time_t)-1)
			return false;
		*out_ns = (int64_t)t * 1000000000LL;
	}
	return true;
}

/* --since/--until, once the first header says when the recording starts. */
static void resolve_times(struct replay *rp)
{
	int64_t start = (int64_t)rp->first.t0_ns + rp->first.boot_to_real_ns;

	rp->times_ok = true;
	if (rp->o.since && !replay_parse_time(rp->o.since, start, &rp->since_wall))
		rp->time_error = "--since";
	if (rp->o.until && !replay_parse_time(rp->o.until, start, &rp->until_wall))
		rp->time_error = "--until";
}

static bool socket_kept(const struct replay *rp, uint64_t cookie)
{
	unsigned n = rp->n_kept_sockets < KEPT_SOCKETS ? rp->n_kept_sockets : KEPT_SOCKETS;

	for (unsigned i = 0; i < n; i++)
		if (rp->kept_sockets[i] == cookie)
			return true;
	return false;
}

static void socket_keep(struct replay *rp, uint64_t cookie)
{
	if (!socket_kept(rp, cookie))
		rp->kept_sockets[rp->n_kept_sockets++ % KEPT_SOCKETS] = cookie;
}

static bool keep_event(struct replay *rp, const void *data, int kind, uint64_t ts)
{
	const struct ft_task *t = (const struct ft_task *)((const char *)data + sizeof(struct ft_hdr));
	const struct ft_dns *d = kind == FT_EV_DNS ? data : NULL;
	int64_t wall;

	if (rp->o.since || rp->o.until) {
		if (ts > INT64_MAX || __builtin_add_overflow((int64_t)ts, rp->boot_to_real_ns, &wall))
			return false; /* no real clock reads that */
		if (wall < rp->since_wall || wall > rp->until_wall)
			return false;
	}
	/* An answer found by its socket has no task: it is kept when its
	 * socket's queries were. */
	if (d && (d->flags & FT_DF_BY_SOCKET) && (rp->o.n_pids || rp->o.n_comms))
		return socket_kept(rp, d->cookie);
	if (rp->o.n_pids) {
		if (!pid_in(rp, t->tgid)) {
			if (!pid_in(rp, t->ppid))
				return false;
			pid_add(rp, t->tgid); /* a descendant */
		}
	}
	if (rp->o.n_comms) {
		bool match = false;

		for (size_t i = 0; i < rp->o.n_comms; i++)
			if (!strncmp(t->comm, rp->o.comms[i], FT_COMM_LEN))
				match = true;
		if (!match)
			return false;
	}
	if (d && !(d->flags & FT_DF_RECEIVED) && (rp->o.n_pids || rp->o.n_comms))
		socket_keep(rp, d->cookie);
	return true;
}

/* The famtrace run (its t0) being read, created on first sight; NULL past
 * MAX_SESSIONS. */
static struct session *session_of(struct replay *rp)
{
	unsigned i;

	for (i = 0; i < rp->n_sessions; i++)
		if (rp->sessions[i].t0 == rp->cur_t0)
			return &rp->sessions[i];
	if (rp->n_sessions == MAX_SESSIONS)
		return NULL;
	memset(&rp->sessions[rp->n_sessions], 0, sizeof(rp->sessions[0]));
	rp->sessions[rp->n_sessions].t0 = rp->cur_t0;
	return &rp->sessions[rp->n_sessions++];
}

static void session_counters(struct replay *rp, const uint64_t *cnt)
{
	struct session *se = session_of(rp);

	if (se)
		memcpy(se->cnt, cnt, sizeof(se->cnt));
}

static void sum_counters(struct replay *rp)
{
	struct source_stats *ss = &rp->ss;

	ss->lost = ss->track_full = ss->pending_full = ss->missing_parts = ss->stale = 0;
	ss->dns_over_traced = ss->dns_over_other = 0;
	for (unsigned i = 0; i < rp->n_sessions; i++) {
		/* Parts of a run not read: rotated away, not named, or a part
		 * the writer gave up before it reached the disk. */
		if (rp->sessions[i].max_part > rp->sessions[i].parts)
			ss->missing_parts += rp->sessions[i].max_part - rp->sessions[i].parts;
		ss->lost += rp->sessions[i].cnt[FT_CNT_LOST];
		ss->track_full += rp->sessions[i].cnt[FT_CNT_TRACK_FULL];
		ss->pending_full += rp->sessions[i].cnt[FT_CNT_PENDING_FULL];
		ss->stale += rp->sessions[i].cnt[FT_CNT_STALE];
		ss->dns_over_traced += rp->sessions[i].budget[0];
		ss->dns_over_other += rp->sessions[i].budget[1];
	}
	{
		struct wire_stats ws;

		correlator_wire_stats(rp->c, &ws);
		ss->wire_dropped = ws.dropped;
	}
	ss->procs_full = correlator_procs_refused(rp->c);
}

enum rec_status replay_stream(struct replay *rp, struct rec_reader *r)
{
	struct rec_frame f;
	enum rec_status s;

	while ((s = rec_next(r, &f)) == REC_OK) {
		switch (f.type) {
		case REC_HEADER: {
			const struct rec_meta *m = rec_reader_meta(r);

			if (!rp->have_meta) {
				rp->first = *m;
				rp->have_meta = true;
				resolve_times(rp);
			}
			rp->boot_to_real_ns = m->boot_to_real_ns;
			rp->cur_t0 = m->t0_ns;
			/* Earlier famtraces had no wire capture: their filters
			 * say nothing of it, and a "no dns" there means nothing. */
			if (strstr(m->filters, FT_NO_DNS_WIRE_TEXT) || !version_has_wire(m->version))
				rp->ss.no_dns_wire = true;
			/* Before 0.4 the header had no such key: syscall
			 * tracepoints. Recordings that disagree say "route"
			 * (the weaker) for all. */
			{
				const char *ce = m->connect_errno[0] ? m->connect_errno : "syscall";

				if (!rp->ss.connect_errno[0] || !strcmp(ce, "route"))
					snprintf(rp->ss.connect_errno, sizeof(rp->ss.connect_errno), "%s", ce);
			}
			{
				struct session *se = session_of(rp);

				if (se) {
					se->parts++;
					if (m->part > se->max_part)
						se->max_part = m->part;
				}
			}
			break;
		}
		case REC_EVENT: {
			const char *why;
			struct ft_lookup full; /* a packed lookup, spread out */
			size_t len = f.len;
			const void *data = ft_decode_full(f.data, &len, &full);
			int kind = ft_decode_check(data, len, &why);

			if (!kind) {
				rp->ss.malformed++;
				break;
			}
			rp->events_read++;
			if (!keep_event(rp, data, kind, f.ts_ns))
				break;
			rp->events_kept++;
			if (kind == FT_EV_ATTEMPT &&
			    ((const struct ft_attempt *)data)->outcome == FT_OUT_PENDING)
				rp->ss.in_progress++;
			correlate_event(rp->c, data, len);
			break;
		}
		case REC_TICK:
			correlate_tick(rp->c, f.ts_ns);
			if (f.ts_ns > rp->last_ns)
				rp->last_ns = f.ts_ns;
			break;
		case REC_COUNTERS:
			session_counters(rp, (const uint64_t *)((const char *)f.data + 8));
			break;
		case REC_BUDGET: {
			struct session *se = session_of(rp);

			if (se)
				memcpy(se->budget, (const char *)f.data + 8, sizeof(se->budget));
			break;
		}
		case REC_END:
			if (f.ts_ns > rp->last_ns)
				rp->last_ns = f.ts_ns;
			break;
		case REC_EVENT_ZR: /* rec_next hands these out as REC_EVENT */
			break;
		}
	}
	return s;
}

/* One input file, opened to read its header (for sorting) and then in full. */
struct input {
	const char *path;
	const char *name; /* in messages: the path, or "standard input" for - */
	struct rec_meta meta;
};

/* Filters that kept nothing of what the recordings hold say so: an empty
 * report must not read as "nothing happened". */
static void say_no_match(const struct replay_opts *o, uint64_t events)
{
	char what[512];
	size_t n = 0;

	what[0] = 0;
	for (size_t i = 0; i < o->n_pids && n < sizeof(what); i++)
		n += (size_t)snprintf(what + n, sizeof(what) - n, "%s-p %d", n ? ", " : "", (int)o->pids[i]);
	for (size_t i = 0; i < o->n_comms && n < sizeof(what); i++)
		n += (size_t)snprintf(what + n, sizeof(what) - n, "%s-c %s", n ? ", " : "", o->comms[i]);
	if (o->since && n < sizeof(what))
		n += (size_t)snprintf(what + n, sizeof(what) - n, "%s--since %s", n ? ", " : "", o->since);
	if (o->until && n < sizeof(what))
		n += (size_t)snprintf(what + n, sizeof(what) - n, "%s--until %s", n ? ", " : "", o->until);
	if (!what[0])
		return;
	fprintf(stderr, "famtrace: report: no event matched %s (the recordings hold %" PRIu64
			" events)\n", what, events);
}

/* `report -`: standard input into an anonymous file in memory (a pipe can
 * be read once; the report reads each input twice); path names it. */
static int copy_stdin(char *path, size_t len)
{
	char buf[65536];
	ssize_t n;
	int fd = memfd_create("famtrace-stdin", MFD_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "famtrace: report: standard input: %s\n", strerror(errno));
		return -1;
	}
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(fd, buf, (size_t)n) != n) {
			fprintf(stderr, "famtrace: report: standard input: %s\n", strerror(errno));
			close(fd);
			return -1;
		}
	}
	snprintf(path, len, "/proc/self/fd/%d", fd); /* open for the run, closed at exit */
	return 0;
}

static int by_start(const void *a, const void *b)
{
	const struct input *x = a, *y = b;

	if (x->meta.t0_ns != y->meta.t0_ns)
		return x->meta.t0_ns < y->meta.t0_ns ? -1 : 1;
	if (x->meta.part != y->meta.part)
		return x->meta.part < y->meta.part ? -1 : 1;
	return 0;
}

static void when_text(char *buf, size_t len, int64_t wall_ns)
{
	time_t t = (time_t)(wall_ns / 1000000000LL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

/* Read each file's first frame: refuse foreign, corrupt and newer files
 * before reporting anything. */
static int read_headers(struct input *in, int n)
{
	for (int i = 0; i < n; i++) {
		char err[512];
		struct rec_file *f = rec_file_open(in[i].path, err, sizeof(err));
		struct rec_frame fr;
		enum rec_status s;

		if (!f) {
			fprintf(stderr, "famtrace: report: %s\n", err);
			return FT_EXIT_INPUT;
		}
		s = rec_next(rec_file_reader(f), &fr);
		if (s != REC_OK) {
			fprintf(stderr, "famtrace: report: %s: %s\n", in[i].name,
				s == REC_DONE || s == REC_CUT ? "not a famtrace recording"
							    : rec_reader_why(rec_file_reader(f)));
			rec_file_close(f);
			return FT_EXIT_INPUT;
		}
		in[i].meta = *rec_reader_meta(rec_file_reader(f));
		rec_file_close(f);
	}
	return 0;
}

/* Delivery lines of the MTA's log while the recording ran, for the metrics. */
struct settle_ctx {
	struct metrics *mx;
	int64_t from, to; /* wall ns */
};

static void count_delivery(void *ctx, const struct mlog_delivery *d, const struct group *g,
			   const struct msg_smtp *sm)
{
	struct settle_ctx *sc = ctx;

	if (d->wall_ns >= sc->from && d->wall_ns <= sc->to)
		metrics_count_delivery(sc->mx, d, !sm->reused && msg_family_problem(g), sm);
}

/* The inputs, each once: the same recording named twice (a glob and a
 * name, a link) is read once, not counted twice. A name that is no file is
 * a usage error, not a corrupt recording; - is standard input. */
static int gather_inputs(struct input *in, char *const *files, int *n, char *stdin_path, size_t len)
{
	struct stat seen[*n > 0 ? *n : 1];
	int k = 0;

	for (int i = 0; i < *n; i++) {
		struct stat st;
		bool dup = false;

		if (!strcmp(files[i], "-")) {
			/* Standard input, read twice (header, then all):
			 * copied into memory first. */
			if (stdin_path[0]) {
				fprintf(stderr, "famtrace: report: - (standard input) is named twice\n");
				return FT_EXIT_USAGE;
			}
			if (copy_stdin(stdin_path, len))
				return FT_EXIT_INPUT;
			in[k].name = "standard input";
			in[k++].path = stdin_path;
			continue;
		}
		if (stat(files[i], &st)) {
			int e = errno;

			fprintf(stderr, "famtrace: report: %s: %s\n", files[i], strerror(e));
			return e == ENOENT || e == ENOTDIR ? FT_EXIT_USAGE : FT_EXIT_INPUT;
		}
		for (int j = 0; j < k && !dup; j++)
			dup = seen[j].st_dev == st.st_dev && seen[j].st_ino == st.st_ino;
		if (dup) {
			fprintf(stderr, "famtrace: report: %s is named twice; read once\n", files[i]);
			continue;
		}
		seen[k] = st;
		in[k].name = files[i];
		in[k++].path = files[i];
	}
	*n = k;
	return 0;
}

/* The MTA's log, beside the recording: its classic syslog times take the
 * year of the recording's start; the journal is read from a minute
 * before it. 0, or an exit code. */
static int read_mta_log(const struct replay_opts *o, struct mlog *ml, int64_t t0_ns, int64_t boot_to_real_ns)
{
	mlog_init(ml, (time_t)((t0_ns + boot_to_real_ns) / 1000000000LL));
	for (size_t i = 0; i < o->n_maillogs; i++) {
		char err[600];

		if (maillog_read_file(ml, o->maillogs[i], err, sizeof(err))) {
			fprintf(stderr, "famtrace: report: --maillog %s\n", err);
			return FT_EXIT_INPUT;
		}
	}
	if (o->journal) {
		/* From a minute before the recording started, to now. */
		struct journal_src js = { .dir = o->journal_dir };
		int64_t since = (t0_ns + boot_to_real_ns) / 1000000000LL - 60;
		char err[600];
		int got = journal_read(ml, &js, since, err, sizeof(err));

		if (got < 0) {
			fprintf(stderr, "famtrace: report: --journal: %s\n", err);
			return FT_EXIT_INPUT;
		}
		if (!got) {
			/* Not "nothing was delivered": nothing was read. */
			char when[40];
			time_t t = (time_t)since;

			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
			fprintf(stderr, "famtrace: report: warning: the journal%s%s has no mail-facility entries since %s; no message can be shown\n",
				o->journal_dir ? " in " : "", o->journal_dir ? o->journal_dir : "", when);
		}
	}
	return 0;
}

/* Each input through the correlator, in order. 0, FT_EXIT_INPUT (a file
 * not readable, corrupt or newer: what came before is still reported), or
 * FT_EXIT_USAGE (a bad --since/--until: nothing is). */
static int replay_inputs(struct replay *rp, const struct replay_opts *o, struct input *in, int n)
{
	int rc = 0;

	for (int i = 0; i < n; i++) {
		char err[512];
		struct rec_file *f = rec_file_open(in[i].path, err, sizeof(err));
		struct rec_reader *r;
		enum rec_status s;

		if (!f) {
			fprintf(stderr, "famtrace: report: %s\n", err);
			rc = FT_EXIT_INPUT;
			break;
		}
		r = rec_file_reader(f);
		s = replay_stream(rp, r);
		if (rp->time_error) {
			fprintf(stderr, "famtrace: report: %s '%s' is not a time (use \"YYYY-MM-DD "
					"HH:MM:SS\", HH:MM[:SS], @UNIXSECONDS or +SECONDS)\n",
				rp->time_error, !strcmp(rp->time_error, "--since") ? o->since : o->until);
			rec_file_close(f);
			return FT_EXIT_USAGE;
		}
		if (s == REC_DONE && !rec_reader_ended(r))
			s = REC_CUT;
		if (s == REC_CUT) {
			char w[32];

			when_text(w, sizeof(w), (int64_t)rp->last_ns + rp->boot_to_real_ns);
			fprintf(stderr, "famtrace: report: %s: the recording is cut short at %s "
					"(byte %" PRIu64 " of its data; the writer was killed or the machine "
					"stopped): reporting up to there\n",
				in[i].name, w, rec_reader_offset(r));
			rp->ss.cut++;
		} else if (s != REC_DONE) {
			fprintf(stderr, "famtrace: report: %s: %s\n", in[i].name, rec_reader_why(r));
			rc = FT_EXIT_INPUT;
		}
		rec_file_close(f);
		if (rc)
			break;
	}
	return rc;
}

int replay_main(const struct replay_opts *o, char *const *files, int n)
{
	struct input *in = calloc((size_t)n, sizeof(*in));
	struct correlator_cfg ccfg = { .group_gap_ns = o->group_gap_ns,
				       .mail_comms = o->mail_comms, .n_mail_comms = o->n_mail_comms,
				       .mail_ports = o->mail_ports, .n_mail_ports = o->n_mail_ports,
				       .policy = o->policy, .dns_ports = o->dns_ports,
				       .n_dns_ports = o->n_dns_ports, .place_sel = o->place };
	struct report_opts ro = { .out = stdout, .wall_time = o->wall_time, .verbose = o->verbose,
				  .policy = o->policy, .width = o->json ? 0 : o->width, .place = o->place };
	struct metrics *mx = NULL;
	struct correlator *c = NULL;
	struct replay *rp = NULL;
	struct sink sink, teed;
	struct mlog ml = { 0 };
	char stdin_path[64] = "";
	int rc = 0;

	if (!in) {
		fprintf(stderr, "famtrace: out of memory\n");
		return 1;
	}
	if ((rc = gather_inputs(in, files, &n, stdin_path, sizeof(stdin_path))))
		goto out;
	if ((rc = read_headers(in, n)))
		goto out;
	qsort(in, (size_t)n, sizeof(*in), by_start);

	ro.t0_ns = in[0].meta.t0_ns;
	ro.boot_to_real_ns = in[0].meta.boot_to_real_ns;
	if (o->n_maillogs || o->journal || o->container_logs) {
		/* The MTA's log, beside the recording: its classic syslog
		 * times take the year of the recording's start. */
		if ((rc = read_mta_log(o, &ml, in[0].meta.t0_ns, in[0].meta.boot_to_real_ns)))
			goto out;
		ro.mlog = &ml;
		ro.filter = o->filter;
		ccfg.keep_exited_details = true; /* the deliveries' evidence */
	}
	if (o->json)
		json_sink(&sink, &ro);
	else
		text_sink(&sink, &ro);
	if (text_open(&ro)) {
		fprintf(stderr, "famtrace: out of memory\n");
		rc = 1;
		goto out;
	}
	if (msg_filter_active(&ro.filter))
		memset(&sink, 0, sizeof(sink)); /* the selected messages are the output */
	if (o->metrics_path) {
		mx = metrics_new(in[0].meta.version,
				 (double)((int64_t)in[0].meta.t0_ns + in[0].meta.boot_to_real_ns) / 1e9);
		if (!mx) {
			rc = 1;
			goto out;
		}
		metrics_tee(mx, &teed, &sink);
		sink = teed;
	}
	c = correlator_new(&ccfg, &sink);
	ro.corr = c;
	if (mx && c)
		metrics_watch(mx, c);
	rp = c ? replay_new(o, c) : NULL;
	if (!rp) {
		fprintf(stderr, "famtrace: out of memory\n");
		rc = 1;
		goto out;
	}
	{
		char w[32];
		FILE *err = ro.width ? wrapout_open(stderr, ro.width, NULL, NULL) : NULL;

		when_text(w, sizeof(w), (int64_t)in[0].meta.t0_ns + in[0].meta.boot_to_real_ns);
		fprintf(err ? err : stderr, "famtrace: recording of %s (kernel %s, famtrace %s), "
					    "started %s; filters: %s\n",
			in[0].meta.host, in[0].meta.kernel, in[0].meta.version, w, in[0].meta.filters);
		if (err)
			fclose(err);
	}
	/* Every argument checked before any output: --since and --until
	 * parse against the earliest recording's day (the same day the
	 * stream resolves them with). */
	{
		int64_t start = (int64_t)in[0].meta.t0_ns + in[0].meta.boot_to_real_ns, t;
		const char *bad = o->since && !replay_parse_time(o->since, start, &t) ? "--since"
				  : o->until && !replay_parse_time(o->until, start, &t) ? "--until"
											: NULL;

		if (bad) {
			fprintf(stderr, "famtrace: report: %s '%s' is not a time (use \"YYYY-MM-DD "
					"HH:MM:SS\", HH:MM[:SS], @UNIXSECONDS or +SECONDS)\n",
				bad, !strcmp(bad, "--since") ? o->since : o->until);
			rc = FT_EXIT_USAGE;
			goto out;
		}
	}
	if (!o->json && !msg_filter_active(&ro.filter))
		text_header(&ro);
	if ((rc = replay_inputs(rp, o, in, n)) == FT_EXIT_USAGE)
		goto out;
	if (o->container_logs) {
		/* The containers the recording names are known now: their
		 * runtimes' logs, from a minute before it began. */
		char docker_dir[512];
		struct ctr_logs *cl;

		rt_docker_containers_dir(docker_dir, sizeof(docker_dir));
		cl = ctr_logs_new(&ml, (int64_t)ro.t0_ns + ro.boot_to_real_ns - 60000000000LL, false, docker_dir,
				  o->journal_dir, stderr);
		if (o->place && o->place_is_container)
			ctr_logs_only(cl, o->place);
		ctr_logs_discover(cl, c);
		if (cl && !ctr_logs_reading(cl))
			fprintf(stderr, "famtrace: report: warning: --container-logs: no docker or podman "
					"container's log was read; no message of one can be shown\n");
		ctr_logs_free(cl);
	}
	sum_counters(rp);
	correlate_flush(c);
	ro.stats = &rp->ss;
	if (o->json)
		json_report(&ro, c, rp->last_ns);
	else
		text_report(&ro, c, rp->last_ns);
	if (!rc && rp->events_read && !rp->events_kept)
		say_no_match(o, rp->events_read);
	if (mx && (o->n_maillogs || o->journal || o->container_logs)) {
		struct settle_ctx sc = { mx, (int64_t)ro.t0_ns + ro.boot_to_real_ns - 1000000000LL,
					 (int64_t)rp->last_ns + ro.boot_to_real_ns + 2000000000LL };

		metrics_enable_messages(mx);
		messages_settle(&ml, c, ro.boot_to_real_ns, INT64_MAX, count_delivery, &sc);
	}
	if (mx) {
		char err[512];

		if (metrics_write(o->metrics_path, mx, &rp->ss, correlator_events(c), err,
				  sizeof(err))) {
			fprintf(stderr, "famtrace: report: metrics: %s\n", err);
			rc = rc ? rc : 1;
		}
	}
out:
	text_close(&ro);
	replay_free(rp);
	correlator_free(c);
	metrics_free(mx);
	mlog_free(&ml);
	free(in);
	return rc;
}
