// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * live.c - live tracing: `famtrace`, `run`, `record` and `check`. Wires the
 * loader (kernel records) to the correlator (facts), the reporters, the
 * recording writer and the metrics file; owns signals, the child of `run`,
 * and the exit code of a live trace. Knows nothing about how facts are
 * derived (correlate.c) or judged (check.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check/check.h"
#include "cmd/cli.h"
#include "core/correlate.h"
#include "records/decode.h"
#include "lib/exitcodes.h"
#include "kernel/libc.h"
#include "cmd/live.h"
#include "maillog/journal.h"
#include "maillog/maillog_read.h"
#include "kernel/cgroup.h"
#include "kernel/loader.h"
#include "report/metrics.h"
#include "kernel/privs.h"
#include "kernel/confine.h"
#include "records/dnsbudget.h"
#include "lib/procfs.h"
#include "records/recording.h"
#include "report/report.h"

static volatile sig_atomic_t stop_signal, hup_signal;

static void on_signal(int sig)
{
	static volatile sig_atomic_t count;

	/* A second Ctrl-C means now: no report. */
	if (sig == SIGINT && ++count > 1)
		_exit(130);
	if (sig == SIGHUP)
		hup_signal = 1;
	else
		stop_signal = sig;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

#define REC_RETRY_NS (5 * 1000000000ULL)	     /* a stopped recording is retried this often */
#define METRICS_REWARN_NS (3600 * 1000000000ULL) /* a failing metrics file is said again */
#define TICK_EVERY_NS (50 * 1000000ULL)	     /* due groups are closed at most this often */

struct state {
	struct correlator *corr;
	struct loader *ldr;
	struct report_opts ro;
	bool json;
	struct source_stats ss; /* what the kernel and the recording lost */
	struct rec_writer *rec; /* -o */
	const char *rec_path;
	bool rec_down;		/* stopped by a write failure; tracing goes on */
	bool rec_resuming;	/* restarted, not yet on disk */
	uint64_t rec_retry_at;
	uint64_t rec_counters[REC_NCOUNTERS];
	uint64_t rec_budget[2]; /* the DNS budget's counts last written */
	struct dns_budget *dnsb;
	struct metrics *metrics; /* --metrics */
	bool metrics_written;	 /* at least once */
	uint64_t metrics_warned_at;
	unsigned metrics_failures;
	bool counters_warned;
	struct mlog mlog;		  /* --maillog: the MTA's log, followed */
	struct mlog_follow *follow[8];
	size_t n_follow;
	struct journal_follow *journal;	  /* --journal: journalctl -f */
};

/* New lines of the MTA's log files. */
static void poll_maillogs(struct state *st)
{
	for (size_t i = 0; i < st->n_follow; i++)
		mlog_follow_poll(st->follow[i], &st->mlog);
	if (st->journal)
		journal_follow_poll(st->journal, &st->mlog);
}

/*
 * The recording failed (disk full, I/O error): say so once, keep tracing,
 * and retry every few seconds. Events traced meanwhile are counted as
 * missing from the recording, and the trace ends incomplete.
 */
static void rec_fail(struct state *st, uint64_t now)
{
	if (st->rec_down)
		return;
	st->rec_down = true;
	st->rec_retry_at = now + REC_RETRY_NS;
	if (st->rec_resuming) {
		st->rec_resuming = false; /* the same outage goes on: no new message */
		return;
	}
	st->ss.rec_stopped++;
	fprintf(stderr, "famtrace: recording stopped: %s; tracing goes on, retrying every %llu s\n",
		rec_writer_error(st->rec), REC_RETRY_NS / 1000000000ULL);
}

static void rec_retry(struct state *st, uint64_t now)
{
	if (!st->rec_down || now < st->rec_retry_at)
		return;
	st->rec_retry_at = now + REC_RETRY_NS;
	if (rec_writer_restart(st->rec, now))
		return; /* still failing; said once already */
	st->rec_down = false;
	st->rec_resuming = true;
	memset(st->rec_counters, 0xff, sizeof(st->rec_counters)); /* the new part gets them */
	memset(st->rec_budget, 0xff, sizeof(st->rec_budget));
}

static void on_event(void *ctx, const void *data, size_t len)
{
	struct state *st = ctx;
	const char *why;

	/* A DNS message over its source's budget is neither recorded nor
	 * correlated (counted): a stranger's flood costs counted messages,
	 * not the history on disk. */
	if (st->dnsb && !dnsb_admit(st->dnsb, data, len))
		return;
	/* The recording gets the raw record, exactly as the correlator does. */
	if (st->rec && st->rec_down)
		st->ss.rec_missed++;
	else if (st->rec && rec_write_event(st->rec, data, len))
		st->ss.rec_missed++, rec_fail(st, clock_ns(CLOCK_BOOTTIME));

	if (!ft_decode_check(data, len, &why)) {
		st->ss.malformed++;
		return;
	}
	correlate_event(st->corr, data, len);
}

static void refresh_counters(struct state *st, uint64_t now)
{
	struct source_stats *ss = &st->ss;
	uint64_t cnt[FT_CNT_MAX];

	_Static_assert(FT_CNT_MAX == REC_NCOUNTERS, "recording counters");
	int e = loader_counters(st->ldr, cnt);

	if (e && !st->counters_warned) {
		/* Never silently: without them lost events would go unseen. */
		fprintf(stderr, "famtrace: warning: cannot read the kernel's lost-event counters: %s\n",
			strerror(-e));
		st->counters_warned = true;
		ss->malformed++; /* mark the trace incomplete */
	}
	if (e)
		return;
	ss->lost = cnt[FT_CNT_LOST];
	ss->track_full = cnt[FT_CNT_TRACK_FULL];
	ss->pending_full = cnt[FT_CNT_PENDING_FULL];
	ss->stale = cnt[FT_CNT_STALE];
	{
		struct wire_stats ws;

		correlator_wire_stats(st->corr, &ws);
		ss->wire_dropped = ws.dropped;
	}
	ss->procs_full = correlator_procs_refused(st->corr);
	if (st->dnsb) {
		dnsb_dropped(st->dnsb, &ss->dns_over_traced, &ss->dns_over_other);
		if (st->rec && !st->rec_down &&
		    (ss->dns_over_traced != st->rec_budget[0] || ss->dns_over_other != st->rec_budget[1])) {
			if (rec_write_budget(st->rec, now, ss->dns_over_traced, ss->dns_over_other))
				rec_fail(st, now);
			st->rec_budget[0] = ss->dns_over_traced;
			st->rec_budget[1] = ss->dns_over_other;
		}
	}
	if (st->rec && !st->rec_down && memcmp(cnt, st->rec_counters, sizeof(cnt))) {
		if (rec_write_counters(st->rec, now, cnt))
			rec_fail(st, now);
		else
			memcpy(st->rec_counters, cnt, sizeof(cnt));
	}
}

/* Once a second: push the recording to disk; the first success after a
 * restart is when it has really resumed. */
static void rec_sync(struct state *st, uint64_t now)
{
	if (!st->rec || st->rec_down)
		return;
	if (rec_writer_sync(st->rec, now)) {
		rec_fail(st, now);
		return;
	}
	if (st->rec_resuming) {
		st->rec_resuming = false;
		fprintf(stderr, "famtrace: recording resumed in %s; %llu events traced meanwhile are "
				"not in it\n", st->rec_path, (unsigned long long)st->ss.rec_missed);
	}
}

static void count_delivery(void *ctx, const struct mlog_delivery *d, const struct group *g)
{
	metrics_count_delivery(ctx, d->status, msg_family_problem(g));
}

/* A metrics file that cannot be written is said once, then once an hour. */
static void write_metrics(struct state *st, const char *path, uint64_t now, bool final)
{
	char err[512];

	if (st->n_follow || st->journal) {
		/* Delivery lines whose groups are final by now (the gap and a
		 * second's log resolution later), each counted once. */
		int64_t wall = (int64_t)now + st->ro.boot_to_real_ns;

		poll_maillogs(st);
		messages_settle(&st->mlog, st->corr, st->ro.boot_to_real_ns,
				final ? INT64_MAX : wall - 3000000000LL, count_delivery, st->metrics);
	}

	if (!metrics_write(path, st->metrics, &st->ss, correlator_events(st->corr), err,
			   sizeof(err))) {
		if (st->metrics_failures && st->metrics_written)
			fprintf(stderr, "famtrace: metrics written again to %s\n", path);
		st->metrics_written = true;
		st->metrics_failures = 0;
		return;
	}
	if (!st->metrics_failures++ || now - st->metrics_warned_at >= METRICS_REWARN_NS) {
		fprintf(stderr, "famtrace: warning: metrics not written: %s%s\n", err,
			st->metrics_failures > 1 ? " (still; said again every hour)" : "");
		st->metrics_warned_at = now;
	}
}

static void report(struct state *st, uint64_t now)
{
	refresh_counters(st, now);
	poll_maillogs(st);
	if (st->json)
		json_report(&st->ro, st->corr, now);
	else
		text_report(&st->ro, st->corr, now);
}

/*
 * `run`: fork CMD stopped on a pipe, so that it is tracked before it can
 * connect anywhere; released once tracing is live.
 */
static pid_t spawn(char **cmd, int *release_fd)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char c;

		close(p[1]);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (read(p[0], &c, 1) != 1)
			_exit(127); /* famtrace failed before releasing us */
		execvp(cmd[0], cmd);
		fprintf(stderr, "famtrace: cannot run %s: %s\n", cmd[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(p[0]);
	*release_fd = p[1];
	return pid;
}

/* The filters, as the recording's header states them. */
static void filters_text(char *buf, size_t len, const struct opts *o, const struct loader_cfg *c)
{
	size_t n = 0;

#define ADD(...)                                                                   \
	do {                                                                        \
		if (n < len)                                                        \
			n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__);      \
	} while (0)
	buf[0] = 0;
	if (c->mode == FT_MODE_ALL)
		ADD("all processes");
	else if (c->mode == FT_MODE_PIDS)
		ADD("%s", o->run ? "run " : o->check ? "check " : "pids");
	else
		ADD("mail processes");
	if (o->cmd)
		for (char **a = o->cmd; *a; a++)
			ADD("%s%s", a == o->cmd ? "" : " ", *a);
	for (size_t i = 0; i < o->n_pids; i++)
		ADD("%s%d", i ? "," : " ", (int)o->pids[i]);
	if (o->n_comms) {
		ADD("; names");
		for (size_t i = 0; i < o->n_comms; i++)
			ADD("%s%s", i ? "," : " ", o->comms[i]);
	}
	if (c->n_ports) {
		ADD("; ports");
		for (size_t i = 0; i < c->n_ports; i++)
			ADD("%s%u", i ? "," : " ", c->ports[i]);
	}
	if (o->no_resolver)
		ADD("; no resolver");
	if (o->no_dns_wire)
		ADD("; %s", FT_NO_DNS_WIRE_TEXT);
#undef ADD
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
}

/* Said, never silent: without the wire programs a resolver famtrace has no
 * probe in (musl, c-ares, Go) makes lookups nobody sees. */
static void warn_no_wire(const char *why)
{
	fprintf(stderr, "famtrace: warning: DNS messages on the wire are not seen (%s); "
			"lookups outside the C library's resolver are missed\n", why);
}

/*
 * Everything famtrace opens from now on is under /proc, in its recording's
 * and metrics' directories, or a followed mail log (which rotates, so its
 * directory). The time zone and the MTA's users are read before. Under
 * --debug, the confinement is proven on /etc/shadow.
 */
static void confine(const struct opts *o, const struct state *st, pid_t child)
{
	char dirs[2 + CONFINE_MAX_DIRS][4096], why[512];
	struct confine_cfg c = { .signals_out = child > 0 || st->journal };
	int abi, fd;

	tzset();
	if (o->rec_path) {
		confine_dirname(o->rec_path, dirs[0], sizeof(dirs[0]));
		c.write_dirs[0] = dirs[0];
	}
	if (o->metrics_path) {
		confine_dirname(o->metrics_path, dirs[1], sizeof(dirs[1]));
		c.write_dirs[1] = dirs[1];
	}
	for (size_t i = 0; i < o->n_maillogs && i < CONFINE_MAX_DIRS; i++) {
		confine_dirname(o->maillogs[i], dirs[2 + i], sizeof(dirs[2 + i]));
		c.read_dirs[c.n_read_dirs++] = dirs[2 + i];
	}
	abi = confine_self(&c, why, sizeof(why));
	if (!o->debug)
		return;
	if (!abi) {
		fprintf(stderr, "famtrace: not confined: %s\n", why);
		return;
	}
	fd = open("/etc/shadow", O_RDONLY | O_CLOEXEC);
	fprintf(stderr, "famtrace: confined (Landlock ABI %d): reading /etc/shadow: %s\n", abi,
		fd < 0 ? strerror(errno) : "ALLOWED");
	if (fd >= 0)
		close(fd);
}

int live_main(struct opts *o)
{
	struct check_expect expect;
	struct state st = { 0 };
	struct correlator_cfg ccfg = { 0 };
	struct loader_cfg lcfg = { 0 };
	struct sink sink;
	struct sigaction sa = { 0 };
	char err[512];
	int rc, code, release_fd = -1, child_status = 0, cg_fd = -1;
	pid_t child = -1;
	uint64_t t0, next_report, deadline, child_gone_at = 0, next_lost_check = 0, lost_seen = 0,
		 lost_checked = 0;
	uint64_t next_metrics, end_ns, next_tick = 0;

	if (o->check) {
		struct check_mta_arg mta = { o->postfix_dir, o->exim, o->exim_conf, o->sendmail,
					     o->sendmail_cf };
		pid_t master;

		if (check_setup(&expect, &mta, o->expect, o->prefer, &master, err, sizeof(err))) {
			fprintf(stderr, "famtrace: check: %s\n", err);
			return FT_CHECK_UNKNOWN;
		}
		if (master && o->n_pids < MAX_PIDS)
			o->pids[o->n_pids++] = master;
		expect.max_lost_ns = o->max_lost_ns;
		if (!o->n_pids && !o->cmd) {
			fprintf(stderr, "famtrace: check: name the instance with --postfix DIR, --exim [CONF], "
				"--sendmail [CF] or -p PID%s\n",
				o->exim ? " (no Exim daemon is running: give -- CMD)" :
				o->sendmail ? " (no Sendmail daemon is running: give -- CMD)" : "");
			return FT_CHECK_UNKNOWN;
		}
		if (!o->cmd && !o->duration_s) {
			fprintf(stderr, "famtrace: check: give -d SECONDS or -- CMD to say how long to trace\n");
			return FT_CHECK_UNKNOWN;
		}
	}
	for (size_t i = 0; i < o->n_pids; i++)
		if (!proc_exists(o->pids[i])) {
			fprintf(stderr, "famtrace: no process with pid %d\n", (int)o->pids[i]);
			return o->check ? FT_CHECK_UNKNOWN : FT_EXIT_NOPID;
		}

	/* Filter. */
	lcfg.debug = o->debug;
	lcfg.ringbuf_bytes = o->ringbuf_bytes;
	lcfg.map_entries = o->map_entries;
	lcfg.dns_ports = o->dns_ports;
	lcfg.n_dns_ports = o->n_dns_ports;
	if (o->all) {
		lcfg.mode = FT_MODE_ALL;
	} else if (o->n_pids || o->run || o->check) {
		lcfg.mode = FT_MODE_PIDS;
	} else {
		lcfg.mode = FT_MODE_MAIL;
		if (o->n_comms) {
			lcfg.comms = o->comms;
			lcfg.n_comms = o->n_comms;
		} else {
			lcfg.comms = cli_mail_comms;
			lcfg.n_comms = cli_n_mail_comms;
		}
		if (o->ports_given) {
			lcfg.ports = o->ports;
			lcfg.n_ports = o->n_ports;
		} else if (!o->n_comms) {
			lcfg.ports = cli_mail_ports;
			lcfg.n_ports = cli_n_mail_ports;
		}
	}
	/* The cgroup v2 root: the attempt programs attach there, and the DNS
	 * wire programs too. Found before the recording's header is written. */
	cg_fd = cgroup_root_open(err, sizeof(err));
	if (cg_fd < 0) {
		fprintf(stderr, "famtrace: %s; famtrace sees connect attempts through the cgroup v2 "
				"root\n", err);
		return o->check ? 2 : FT_EXIT_KERNEL;
	}
	lcfg.cgroup_fd = cg_fd;
	lcfg.route_errno_only = o->no_fexit;

	/* Reporters and correlator. */
	st.json = o->json;
	st.ro.out = stdout;
	/* Into a file or a pipe, output leaves in 64 KiB writes (flushed once
	 * per batch anyway): -j on a busy relay wrote 4 KiB 700 times a second. */
	if (!isatty(STDOUT_FILENO)) {
		static char outbuf[1 << 16]; /* glibc ignores the size without a buffer */

		setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	}
	st.ro.wall_time = o->wall_time;
	st.ro.verbose = o->verbose;
	st.ro.stats = &st.ss;
	st.ro.policy = o->policy;
	if (o->n_maillogs || o->journal) {
		mlog_init(&st.mlog, time(NULL));
		for (size_t i = 0; i < o->n_maillogs; i++) {
			st.follow[i] = mlog_follow_open(o->maillogs[i], err, sizeof(err));
			if (!st.follow[i]) {
				fprintf(stderr, "famtrace: --maillog %s\n", err);
				return FT_EXIT_USAGE;
			}
			st.n_follow++;
		}
		st.ro.mlog = &st.mlog;
		st.ro.filter.qid = o->queue_id;
		st.ro.filter.domain = o->domain;
		st.ro.filter.recipient = o->recipient;
	}
	st.rec_path = o->rec_path;
	st.ro.boot_to_real_ns = (int64_t)(clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME));
	if (o->json)
		json_sink(&sink, &st.ro);
	else
		text_sink(&sink, &st.ro);
	if (o->check && !o->verbose)
		memset(&sink, 0, sizeof(sink)); /* the verdict is the output */
	if (o->record)
		memset(&sink, 0, sizeof(sink)); /* the recording is the output */
	if (msg_filter_active(&st.ro.filter))
		memset(&sink, 0, sizeof(sink)); /* the selected messages are the output */
	if (o->metrics_path) {
		struct sink teed;

		st.metrics = metrics_new(cli_version(), (double)clock_ns(CLOCK_REALTIME) / 1e9);
		if (!st.metrics) {
			fprintf(stderr, "famtrace: out of memory\n");
			return FT_EXIT_RUNTIME;
		}
		metrics_tee(st.metrics, &teed, &sink);
		sink = teed;
		if (o->n_maillogs || o->journal)
			metrics_enable_messages(st.metrics);
	}
	ccfg.group_gap_ns = o->group_gap_ns;
	/* The verdict's evidence names them; so does a message's delivery. */
	ccfg.keep_exited_details = o->check || o->n_maillogs || o->journal;
	ccfg.mail_comms = cli_mail_comms;
	ccfg.n_mail_comms = cli_n_mail_comms;
	ccfg.mail_ports = o->ports_given ? o->ports : cli_mail_ports;
	ccfg.n_mail_ports = o->ports_given ? o->n_ports : cli_n_mail_ports;
	ccfg.policy = o->policy;
	ccfg.dns_ports = o->dns_ports;
	ccfg.n_dns_ports = o->n_dns_ports;
	st.corr = correlator_new(&ccfg, &sink);
	st.dnsb = dnsb_new();
	if (!st.corr || !st.dnsb) {
		fprintf(stderr, "famtrace: out of memory\n");
		correlator_free(st.corr);
		dnsb_free(st.dnsb);
		return FT_EXIT_RUNTIME;
	}

	if (o->rec_path) {
		struct rec_writer_cfg wc = { .path = o->rec_path, .rotate_bytes = o->rotate_bytes,
					     .keep = o->keep };
		struct rec_meta m = { .format = REC_FORMAT_VERSION };
		struct utsname u;

		snprintf(m.version, sizeof(m.version), "%s", cli_version());
		if (gethostname(m.host, sizeof(m.host) - 1))
			strcpy(m.host, "unknown");
		if (!uname(&u))
			snprintf(m.kernel, sizeof(m.kernel), "%s", u.release);
		m.boot_to_real_ns = st.ro.boot_to_real_ns;
		filters_text(m.filters, sizeof(m.filters), o, &lcfg);
		st.rec = rec_writer_open(&wc, &m, err, sizeof(err));
		if (st.rec && rec_writer_appended(st.rec))
			fprintf(stderr, "famtrace: going on in the earlier recording at %s (it ended "
					"cleanly), so restarts do not rotate history away\n", o->rec_path);
		if (st.rec && rec_writer_kept_earlier(st.rec))
			fprintf(stderr, "famtrace: an earlier recording at %s was moved to %s.1 "
					"(report reads both)\n", o->rec_path, o->rec_path);
		if (!st.rec) {
			fprintf(stderr, "famtrace: recording: %s\n", err);
			correlator_free(st.corr);
			dnsb_free(st.dnsb);
			metrics_free(st.metrics);
			return FT_EXIT_RUNTIME;
		}
	}

	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* journalctl starts once privileges are dropped (it needs none of
	 * famtrace's); whether it is there at all is said now. */
	if (o->journal && journal_check(err, sizeof(err))) {
		fprintf(stderr, "famtrace: --journal: %s\n", err);
		return FT_EXIT_USAGE;
	}
	if (o->cmd) {
		child = spawn(o->cmd, &release_fd);
		if (child < 0) {
			fprintf(stderr, "famtrace: cannot start %s: %s\n", o->cmd[0], strerror(errno));
			return FT_EXIT_RUNTIME;
		}
	}

	st.ldr = loader_open(&lcfg, on_event, &st, err, sizeof(err), &code);
	if (!st.ldr) {
		fprintf(stderr, "famtrace: %s\n", err);
		close(cg_fd);
		if (o->check)
			code = 2; /* could not check */
		if (child > 0) {
			close(release_fd); /* the child exits without running CMD */
			waitpid(child, NULL, 0);
		}
		correlator_free(st.corr);
		dnsb_free(st.dnsb);
		metrics_free(st.metrics);
		if (st.rec) {
			rec_writer_close(st.rec, clock_ns(CLOCK_BOOTTIME), err, sizeof(err));
			unlink(o->rec_path); /* nothing was traced */
		}
		return code;
	}

	/* Seed the processes to follow; their children follow via the fork hook. */
	if (o->n_pids || child > 0) {
		pid_t seeds[MAX_PIDS + 1], desc[4096];
		size_t n_seeds = 0, n_desc;

		/* `run` and `check -- CMD`: the command is part of what is traced
		 * (an MTA's queue run delivers in its own process tree). */
		if (child > 0)
			seeds[n_seeds++] = child;
		for (size_t i = 0; i < o->n_pids; i++)
			seeds[n_seeds++] = o->pids[i];
		for (size_t i = 0; i < n_seeds; i++)
			if (loader_track(st.ldr, seeds[i], FT_WHY_PID))
				fprintf(stderr, "famtrace: warning: cannot track pid %d\n", (int)seeds[i]);
		n_desc = proc_descendants(seeds + (child > 0), n_seeds - (child > 0), desc, 4096);
		for (size_t i = 0; i < n_desc; i++)
			loader_track(st.ldr, desc[i], FT_WHY_PARENT);
	}

	if (!o->no_resolver)
		libc_attach_all(st.ldr, &lcfg, o->libcs, o->n_libcs, o->pids, o->n_pids);
	st.ss.no_dns_wire = o->no_dns_wire;
	snprintf(st.ss.connect_errno, sizeof(st.ss.connect_errno), "%s",
		 loader_exact_errno(st.ldr) ? "fexit" : "route");
	if (!o->no_dns_wire) {
		if (loader_attach_dns(st.ldr, cg_fd, err, sizeof(err))) {
			/* The recording's header, not yet written, says it too
			 * (rec_writer_start below). */
			st.ss.no_dns_wire = o->no_dns_wire = true;
			warn_no_wire(err);
		}
	}
	close(cg_fd);

	/* Loaded and attached: from here on famtrace reads a ring buffer and
	 * writes files. Keep only what that needs. */
	{
		struct privs_keep keep = { .files = o->rec_path || o->metrics_path, .kill = child > 0 };

		if (privs_drop(&keep, err, sizeof(err)))
			fprintf(stderr, "famtrace: warning: cannot drop privileges: %s\n", err);
		else if (o->debug)
			fprintf(stderr, "famtrace: capabilities now %#llx\n", privs_effective());
	}
	if (o->journal) {
		/* Followed from now, before the command is released or
		 * "tracing" is said: no entry of a traced delivery is missed. */
		struct journal_src js = { o->journal_dir };

		st.journal = journal_follow_open(&js, err, sizeof(err));
		if (!st.journal)
			fprintf(stderr, "famtrace: warning: --journal: %s; no message of the journal "
					"will be shown\n", err);
	}
	confine(o, &st, child);

	t0 = clock_ns(CLOCK_BOOTTIME);
	st.ro.t0_ns = t0;
	if (st.rec) {
		char filters[512];

		filters_text(filters, sizeof(filters), o, &lcfg);
		rec_writer_start(st.rec, t0, filters, st.ss.connect_errno);
	}
	if (o->cmd) {
		if (write(release_fd, "go", 1) != 1) {
			fprintf(stderr, "famtrace: cannot release %s\n", o->cmd[0]);
			kill(child, SIGKILL);
		}
		close(release_fd);
	} else {
		const char *what = o->all ? "all processes" : o->n_pids ? "the given processes" :
				   o->n_comms ? "the named processes" : "mail processes";

		if (o->record)
			fprintf(stderr, "famtrace: recording %s to %s; Ctrl-C to stop\n", what, o->rec_path);
		else
			fprintf(stderr, "famtrace: tracing %s; Ctrl-C to stop and print the report\n", what);
	}
	if (!o->json && !o->record && (!o->check || o->verbose) && !msg_filter_active(&st.ro.filter))
		text_header(&st.ro);
	next_metrics = o->metrics_path ? t0 + (uint64_t)(o->metrics_interval_s * 1e9) : UINT64_MAX;

	next_report = o->interval_s ? t0 + (uint64_t)(o->interval_s * 1e9) : UINT64_MAX;
	deadline = o->duration_s ? t0 + (uint64_t)(o->duration_s * 1e9) : UINT64_MAX;
	rc = FT_EXIT_OK;
	for (;;) {
		uint64_t now;
		int e;

		/* Live lines leave once per batch, before waiting, not once
		 * per record: a write per event was most of famtrace's
		 * system time on a busy relay. */
		fflush(st.ro.out);
		e = loader_poll(st.ldr, 100);

		if (e < 0) {
			fprintf(stderr, "famtrace: reading events failed: %s\n", strerror(-e));
			rc = FT_EXIT_RUNTIME;
			break;
		}
		now = clock_ns(CLOCK_BOOTTIME);
		/* Closing due groups walks every process: at most every
		 * TICK_EVERY_NS, however often a busy relay fills a batch. */
		if (now >= next_tick) {
			poll_maillogs(&st);
			correlate_tick(st.corr, now);
			/* Replay ticks where live tracing ticked: same groups, same order. */
			if (st.rec && !st.rec_down && rec_write_tick(st.rec, now))
				rec_fail(&st, now);
			next_tick = now + TICK_EVERY_NS;
		}
		if (st.rec)
			rec_retry(&st, now);
		if (now >= next_lost_check) {
			/* Say so while it happens, not only in the report. */
			uint64_t lost;

			refresh_counters(&st, now);
			rec_sync(&st, now);
			lost = st.ss.lost;
			/* A reader that was stopped (SIGSTOP, a suspended
			 * terminal) checks late: the span says how late. */
			if (lost > lost_seen && (!lost_checked || now - lost_checked < 1500000000ULL))
				fprintf(stderr, "famtrace: warning: %llu events lost in the last second "
						"(ring buffer full; try --buffer-size or narrower filters)\n",
					(unsigned long long)(lost - lost_seen));
			else if (lost > lost_seen)
				fprintf(stderr, "famtrace: warning: %llu events lost in the last %.0f s "
						"(ring buffer full; try --buffer-size or narrower filters)\n",
					(unsigned long long)(lost - lost_seen),
					(double)(now - lost_checked) / 1e9);
			lost_seen = lost;
			lost_checked = now;
			next_lost_check = now + 1000000000ULL;
		}
		if (hup_signal) {
			hup_signal = 0;
			if (st.rec && st.rec_down) {
				st.rec_retry_at = now; /* a hang-up is a good moment to retry */
			} else if (st.rec) {
				if (rec_writer_reopen(st.rec, now)) {
					fprintf(stderr, "famtrace: recording: cannot reopen %s after SIGHUP\n",
						o->rec_path);
					rec_fail(&st, now);
				} else {
					fprintf(stderr, "famtrace: SIGHUP: reopened %s\n", o->rec_path);
				}
			} else {
				stop_signal = SIGHUP; /* a hang-up ends a terminal session */
			}
		}
		if (now >= next_metrics) {
			refresh_counters(&st, now);
			write_metrics(&st, o->metrics_path, now, false);
			next_metrics = now + (uint64_t)(o->metrics_interval_s * 1e9);
		}
		if (now >= next_report) {
			report(&st, now);
			next_report = now + (uint64_t)(o->interval_s * 1e9);
		}
		if (child > 0 && !child_gone_at) {
			pid_t w = waitpid(child, &child_status, WNOHANG);

			if (w == child)
				child_gone_at = now;
		}
		/* After CMD exits, keep reading briefly: sockets it left in
		 * SYN_SENT are closed during its exit and report just after. */
		if (child_gone_at && now - child_gone_at > 200000000ULL)
			break;
		if (now >= deadline)
			break;
		if (stop_signal) {
			if (child > 0 && !child_gone_at) {
				/* Pass it on; the child's exit ends the trace. */
				kill(child, stop_signal);
				stop_signal = 0;
				continue;
			}
			break;
		}
	}
	/* What the ring holds at the stop, a batch at a time for at most a
	 * second: a flood cannot hold the stop past the unit's timeout, and
	 * what is left unread is said, never silently dropped. */
	{
		uint64_t until = clock_ns(CLOCK_BOOTTIME) + 1000000000ULL;
		int e;

		while ((e = loader_poll(st.ldr, 0)) == LOADER_BATCH && clock_ns(CLOCK_BOOTTIME) < until)
			;
		if (e == LOADER_BATCH) {
			st.ss.unread = 1;
			fprintf(stderr, "famtrace: warning: stopped during a flood: records still in the ring "
					"buffer were not read\n");
		}
	}
	/* Attempts still in SYN_SENT (an IPv6 black hole retried while the
	 * process delivered over IPv4) are facts too: report them as in
	 * progress, with the time so far, instead of letting them vanish. */
	st.ss.in_progress = (uint64_t)loader_pending(st.ldr, clock_ns(CLOCK_BOOTTIME));
	correlate_flush(st.corr);
	end_ns = clock_ns(CLOCK_BOOTTIME);
	if ((!o->check || o->verbose) && !o->record)
		report(&st, end_ns);
	else
		refresh_counters(&st, end_ns);
	if (st.metrics) {
		write_metrics(&st, o->metrics_path, end_ns, true);
		metrics_free(st.metrics);
		if (!st.metrics_written) {
			fprintf(stderr, "famtrace: metrics were never written to %s\n", o->metrics_path);
			rc = FT_EXIT_RUNTIME;
		}
	}
	if (st.rec) {
		uint64_t bytes = rec_writer_bytes(st.rec);
		bool closed = !st.rec_down && !rec_writer_close(st.rec, end_ns, err, sizeof(err));

		if (st.rec_down)
			rec_writer_close(st.rec, end_ns, err, sizeof(err));
		else if (!closed)
			st.ss.rec_stopped++;
		if (!closed || st.ss.rec_stopped) {
			fprintf(stderr, "famtrace: recording incomplete: it stopped %llu time(s), and %llu "
					"events traced are not in it%s%s\n",
				(unsigned long long)st.ss.rec_stopped, (unsigned long long)st.ss.rec_missed,
				closed ? "" : "; last error: ", closed ? "" : err);
			rc = FT_EXIT_RUNTIME;
		} else {
			fprintf(stderr, "famtrace: recorded %llu events to %s (%.1f KiB compressed)\n",
				(unsigned long long)correlator_events(st.corr), o->rec_path,
				(double)bytes / 1024);
		}
	}
	if (!source_complete(&st.ss)) {
		char gaps[512];

		fprintf(stderr, "famtrace: warning: the trace is incomplete: %s\n",
			source_gaps(gaps, sizeof(gaps), &st.ss));
	}
	if (o->check) {
		char why[600] = "";

		/* A check that could not observe properly has no verdict to give,
		 * whatever it saw: exit 2 with the reason. */
		if (rc != FT_EXIT_OK)
			snprintf(why, sizeof(why), "tracing failed");
		else if (!source_complete(&st.ss))
			source_gaps(why, sizeof(why), &st.ss);
		int verdict = check_verdict(stdout, o->json, st.corr, &expect, why[0] ? why : NULL);

		rc = check_exit_code(verdict);
		o->check_judged = true;
		loader_close(st.ldr);
		correlator_free(st.corr);
		dnsb_free(st.dnsb);
		if (child > 0 && !child_gone_at)
			waitpid(child, &child_status, 0);
		return rc;
	}
	loader_close(st.ldr);
	correlator_free(st.corr);
	dnsb_free(st.dnsb);
	for (size_t i = 0; i < st.n_follow; i++)
		mlog_follow_close(st.follow[i]);
	journal_follow_close(st.journal);
	mlog_free(&st.mlog);
	if (child > 0 && rc == FT_EXIT_OK) {
		if (!child_gone_at)
			waitpid(child, &child_status, 0);
		if (WIFEXITED(child_status))
			return WEXITSTATUS(child_status);
		if (WIFSIGNALED(child_status))
			return 128 + WTERMSIG(child_status);
	}
	return rc;
}
