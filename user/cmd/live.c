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
#include "cmd/container_logs.h"
#include "kernel/cgroup.h"
#include "kernel/loader.h"
#include "report/metrics.h"
#include "kernel/privs.h"
#include "kernel/confine.h"
#include "kernel/places.h"
#include "lib/runtimes.h"
#include "kernel/prober.h"
#include "lib/rdns.h"
#include "records/dnsbudget.h"
#include "lib/procfs.h"
#include "lib/wrapout.h"
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
/* check -- CMD: after CMD, the deliveries it set off are judged once no
 * traced attempt is connecting and nothing new came for CHECK_QUIET_NS, or
 * at the latest CHECK_SETTLE_MAX_NS after CMD ended. */
#define CHECK_QUIET_NS (2000 * 1000000ULL)
#define CHECK_SETTLE_MAX_NS (120 * 1000000000ULL)

struct state {
	struct check_expect *services; /* check --postfix: services' overrides, from their arguments */
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
	uint64_t newest_ns; /* the latest record time read from the ring */
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
	struct ctr_logs *ctr_logs;	  /* --container-logs: containers' own, followed */
	struct places *places;		  /* what cgroups are; processes' places from /proc */
	struct prober *prober;		  /* C libraries that appear later */
};

/* New lines of the MTA's log files. */
static void poll_maillogs(struct state *st)
{
	for (size_t i = 0; i < st->n_follow; i++)
		mlog_follow_poll(st->follow[i], &st->mlog);
	if (st->journal)
		journal_follow_poll(st->journal, &st->mlog);
	if (st->ctr_logs) {
		ctr_logs_discover(st->ctr_logs, st->corr);
		ctr_logs_poll(st->ctr_logs);
	}
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

/* check --postfix: a process that just exec'd may be a master.cf service
 * with overrides of what check judges by; its arguments say. */
static void note_service(struct state *st, pid_t pid)
{
	char args[4096];
	size_t n = proc_cmdline(pid, args, sizeof(args));

	if (n)
		check_note_args(st->services, (uint32_t)pid, args, n);
}

/* One record, the kernel's or famtrace's own, to the recording and the
 * correlator. */
static void feed(struct state *st, const void *data, size_t len)
{
	const char *why;
	struct ft_lookup full; /* a packed lookup, spread out */

	/* The recording gets the raw record, exactly as the correlator does. */
	if (st->rec && st->rec_down)
		st->ss.rec_missed++;
	else if (st->rec && rec_write_event(st->rec, data, len))
		st->ss.rec_missed++, rec_fail(st, clock_ns(CLOCK_BOOTTIME));

	data = ft_decode_full(data, &len, &full);
	if (!ft_decode_check(data, len, &why)) {
		st->ss.malformed++;
		return;
	}
	if (st->services && ((const struct ft_hdr *)data)->kind == FT_EV_PROC &&
	    ((const struct ft_proc *)data)->what == FT_PROC_EXEC)
		note_service(st, (pid_t)((const struct ft_proc *)data)->task.tgid);
	/* A process that exec'd, or was first seen: its C library may be
	 * one famtrace has not probed. */
	if (st->prober && ((const struct ft_hdr *)data)->kind == FT_EV_PROC &&
	    (((const struct ft_proc *)data)->what == FT_PROC_EXEC ||
	     ((const struct ft_proc *)data)->what == FT_PROC_SEEN))
		prober_look(st->prober, (pid_t)((const struct ft_proc *)data)->task.tgid,
			    ((const struct ft_hdr *)data)->ts_ns);
	correlate_event(st->corr, data, len);
}

/* Where a process runs: a process record's cgroup described before the
 * record (while the cgroup exists); a process first seen by another record
 * read from /proc once, as an FT_PROC_SEEN record. */
static void place_before(struct state *st, const struct ft_proc *r)
{
	struct ft_cgroup cg;

	if (st->places && places_describe(st->places, r, clock_ns(CLOCK_BOOTTIME), &cg))
		feed(st, &cg, sizeof(cg));
}

/* Before a record of a traced process famtrace has no place for (it ran
 * before famtrace started): the place, so that the record's first counts
 * (metrics) already know it. A lookup's process may not be traced: read
 * only for one the correlator holds. */
static void place_first(struct state *st, const struct ft_hdr *h, size_t len)
{
	const struct ft_task *t = (const struct ft_task *)(h + 1);
	struct ft_proc seen;
	struct ft_cgroup cg;
	bool cg_new;
	struct proc *p;

	if (!st->places || len < sizeof(*h) + sizeof(*t) ||
	    (h->kind != FT_EV_ATTEMPT && h->kind != FT_EV_PROBE && h->kind != FT_EV_SRCADDR &&
	     h->kind != FT_EV_LOOKUP))
		return;
	p = correlator_find(st->corr, t->tgid);
	if (p && (t->start_ns && p->start_ns != t->start_ns))
		p = NULL; /* an earlier process with that pid */
	if ((!p && h->kind == FT_EV_LOOKUP) || (p && (p->ns_tgid || p->place_asked)))
		return;
	if (p)
		p->place_asked = true;
	if (!places_seen(st->places, t, h->ts_ns, &seen, &cg, &cg_new))
		return;
	if (cg_new)
		feed(st, &cg, sizeof(cg));
	feed(st, &seen, sizeof(seen));
	if ((p = correlator_find(st->corr, t->tgid)))
		p->place_asked = true;
}

static void on_event(void *ctx, const void *data, size_t len)
{
	struct state *st = ctx;
	const struct ft_hdr *h = data;

	/* How far the records read go (the tick goes no further while a
	 * full batch leaves more unread: live_loop). */
	if (h->ts_ns > st->newest_ns)
		st->newest_ns = h->ts_ns;
	/* A DNS message over its source's budget is neither recorded nor
	 * correlated (counted): a stranger's flood costs counted messages,
	 * not the history on disk. */
	if (st->dnsb && !dnsb_admit(st->dnsb, data, len))
		return;
	/* A cgroup made: kept for the process records that may name it,
	 * neither recorded nor correlated itself. */
	if (h->kind == FT_EV_CGROUP) {
		const char *why;

		if (ft_decode_check(data, len, &why) == FT_EV_CGROUP)
			places_made(st->places, data);
		else
			st->ss.malformed++;
		return;
	}
	if (len == sizeof(struct ft_proc) && h->kind == FT_EV_PROC)
		place_before(st, data);
	else
		place_first(st, h, len);
	feed(st, data, len);
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

static void count_delivery(void *ctx, const struct mlog_delivery *d, const struct group *g,
			   const struct msg_smtp *sm)
{
	metrics_count_delivery(ctx, d, !sm->reused && msg_family_problem(g), sm);
}

/* A metrics file that cannot be written is said once, then once an hour. */
static void write_metrics(struct state *st, const char *path, uint64_t now, bool final)
{
	char err[512];

	if (st->ro.mlog) {
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
	const char *const runtime_dirs[] = { RT_PODMAN_CONTAINERS,
					     places_docker_dir(st->places) };
	char dirs[2 + CONFINE_MAX_DIRS][4096], rt_dirs[2][4096], why[512];
	struct confine_cfg c = { .signals_out = child > 0 || st->journal || st->ctr_logs,
				 .read_fd = places_cgroup_fd(st->places) };
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
	/* The container runtimes' metadata: containers' names. A runtime's
	 * folder is made at its first container, which may come after
	 * famtrace (a service started at boot): Landlock needs a folder that
	 * exists, so the nearest one that does, down to /var/lib. */
	for (size_t i = 0; i < sizeof(runtime_dirs) / sizeof(runtime_dirs[0]); i++) {
		char *d = rt_dirs[i];

		if (!runtime_dirs[i] || c.n_read_dirs >= CONFINE_MAX_DIRS)
			continue;
		snprintf(d, sizeof(rt_dirs[0]), "%s", runtime_dirs[i]);
		if (!access(d, F_OK)) {
			c.read_dirs[c.n_read_dirs++] = d;
			continue;
		}
		if (strncmp(d, "/var/lib/", 9))
			continue;
		while (access(d, F_OK) && strlen(d) > strlen("/var/lib"))
			*strrchr(d, '/') = 0;
		if (!access(d, F_OK))
			c.read_dirs[c.n_read_dirs++] = d;
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

/* One live run: what its chapters (below) share. */
struct live {
	struct opts *o;
	struct state st;
	struct loader_cfg lcfg;
	struct check_expect expect;
	struct rdns_ctx rdns; /* check: the sources' reverse DNS, asked where the MTA runs */
	bool rdns_ok;
	int cg_fd;	    /* the cgroup v2 root, until the programs are attached */
	pid_t child;	    /* run's and check's CMD, or -1 */
	int release_fd;	    /* CMD waits on it until tracing starts */
	int child_status;
	uint64_t child_gone_at, t0;
	uint64_t settle_events, settle_quiet_since; /* check -- CMD: see check_settled */
};

/* check: what is expected of the instance, and which processes are it.
 * -1 to go on, or an exit code. */
static int live_check_setup(struct live *lv)
{
	struct opts *o = lv->o;
	struct check_mta_arg mta = { o->postfix_dir, o->exim, o->exim_conf, o->sendmail, o->sendmail_cf,
				     o->opensmtpd, o->opensmtpd_conf, o->place_is_container ? o->place : NULL };
	pid_t master;
	char err[512];

	if (check_setup(&lv->expect, &mta, o->expect, o->prefer, &master, err, sizeof(err))) {
		fprintf(stderr, "famtrace: check: %s\n", err);
		return FT_CHECK_UNKNOWN;
	}
	if (master && o->n_pids < MAX_PIDS)
		o->pids[o->n_pids++] = master;
	lv->expect.max_lost_ns = o->max_lost_ns;
	if (o->postfix_dir)
		lv->st.services = &lv->expect;
	if (!o->n_pids && !o->cmd) {
		fprintf(stderr, "famtrace: check: name the instance with --postfix DIR, --exim [CONF], "
				"--sendmail [CF], --opensmtpd [CONF] or -p PID%s\n",
			o->exim ? " (no Exim daemon is running: give -- CMD)" :
			o->sendmail ? " (no Sendmail daemon is running: give -- CMD)" :
			o->opensmtpd ? " (no OpenSMTPD daemon runs this configuration: give -- CMD)" : "");
		return FT_CHECK_UNKNOWN;
	}
	if (!o->cmd && !o->duration_s) {
		fprintf(stderr, "famtrace: check: give -d SECONDS or -- CMD to say how long to trace\n");
		return FT_CHECK_UNKNOWN;
	}
	/* Sockets in the MTA's network namespace for the sources' reverse
	 * DNS, opened now: entering it takes a privilege dropped later. */
	lv->rdns_ok = rdns_open(&lv->rdns, master, err, sizeof(err)) == 0;
	if (!lv->rdns_ok && o->debug)
		fprintf(stderr, "famtrace: check: no reverse DNS of the sources: %s\n", err);
	return -1;
}

/* What the kernel side selects: every process, given pids, or mail ones. */
static void live_filter(struct live *lv)
{
	struct opts *o = lv->o;
	struct loader_cfg *c = &lv->lcfg;

	c->debug = o->debug;
	c->ringbuf_bytes = o->ringbuf_bytes;
	c->map_entries = o->map_entries;
	c->dns_ports = o->dns_ports;
	c->n_dns_ports = o->n_dns_ports;
	c->route_errno_only = o->no_fexit;
	if (o->all) {
		c->mode = FT_MODE_ALL;
	} else if (o->n_pids || o->run || o->check) {
		c->mode = FT_MODE_PIDS;
	} else {
		c->mode = FT_MODE_MAIL;
		c->comms = o->n_comms ? o->comms : cli_mail_comms;
		c->n_comms = o->n_comms ? o->n_comms : cli_n_mail_comms;
		if (o->ports_given) {
			c->ports = o->ports;
			c->n_ports = o->n_ports;
		} else if (!o->n_comms) {
			c->ports = cli_mail_ports;
			c->n_ports = cli_n_mail_ports;
		}
	}
}

/* The reporters, the MTA's logs, the metrics and the correlator they read.
 * -1 to go on, or an exit code. */
static int live_reporting(struct live *lv)
{
	struct opts *o = lv->o;
	struct state *st = &lv->st;
	struct correlator_cfg ccfg = { 0 };
	struct sink sink;
	char err[512];

	st->json = o->json;
	st->ro.out = stdout;
	/* Into a file or a pipe, output leaves in 64 KiB writes (flushed once
	 * per batch anyway): -j on a busy relay wrote 4 KiB 700 times a second. */
	if (!isatty(STDOUT_FILENO)) {
		static char outbuf[1 << 16]; /* glibc ignores the size without a buffer */

		setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	}
	st->ro.wall_time = o->wall_time;
	st->ro.width = o->json ? 0 : text_width(o->wide);
	st->ro.verbose = o->verbose;
	st->ro.stats = &st->ss;
	st->ro.policy = o->policy;
	st->ro.place = o->place;
	if (o->n_maillogs || o->journal || o->container_logs) {
		mlog_init(&st->mlog, time(NULL));
		for (size_t i = 0; i < o->n_maillogs; i++) {
			st->follow[i] = mlog_follow_open(o->maillogs[i], err, sizeof(err));
			if (!st->follow[i]) {
				fprintf(stderr, "famtrace: --maillog %s\n", err);
				return FT_EXIT_USAGE;
			}
			st->n_follow++;
		}
		st->ro.mlog = &st->mlog;
		st->ro.filter.qid = o->queue_id;
		st->ro.filter.domain = o->domain;
		st->ro.filter.recipient = o->recipient;
	}
	st->rec_path = o->rec_path;
	st->ro.boot_to_real_ns = (int64_t)(clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME));
	if (o->json)
		json_sink(&sink, &st->ro);
	else
		text_sink(&sink, &st->ro);
	if (text_open(&st->ro)) {
		fprintf(stderr, "famtrace: out of memory\n");
		return FT_EXIT_RUNTIME;
	}
	/* The verdict, the recording, or the selected messages are the output. */
	if ((o->check && !o->verbose) || o->record || msg_filter_active(&st->ro.filter))
		memset(&sink, 0, sizeof(sink));
	if (o->metrics_path) {
		struct sink teed;

		st->metrics = metrics_new(cli_version(), (double)clock_ns(CLOCK_REALTIME) / 1e9);
		if (!st->metrics) {
			fprintf(stderr, "famtrace: out of memory\n");
			return FT_EXIT_RUNTIME;
		}
		metrics_tee(st->metrics, &teed, &sink);
		sink = teed;
		if (o->n_maillogs || o->journal || o->container_logs)
			metrics_enable_messages(st->metrics);
	}
	ccfg.group_gap_ns = o->group_gap_ns;
	/* The verdict's evidence names them; so does a message's delivery. */
	ccfg.keep_exited_details = o->check || o->n_maillogs || o->journal || o->container_logs;
	ccfg.place_sel = o->place;
	ccfg.mail_comms = cli_mail_comms;
	ccfg.n_mail_comms = cli_n_mail_comms;
	ccfg.mail_ports = o->ports_given ? o->ports : cli_mail_ports;
	ccfg.n_mail_ports = o->ports_given ? o->n_ports : cli_n_mail_ports;
	ccfg.policy = o->policy;
	ccfg.dns_ports = o->dns_ports;
	ccfg.n_dns_ports = o->n_dns_ports;
	st->corr = correlator_new(&ccfg, &sink);
	st->ro.corr = st->corr;
	if (st->metrics && st->corr)
		metrics_watch(st->metrics, st->corr);
	st->dnsb = dnsb_new();
	if (!st->corr || !st->dnsb) {
		fprintf(stderr, "famtrace: out of memory\n");
		return FT_EXIT_RUNTIME;
	}
	return -1;
}

/* -o: the recording opened, its header waiting for the start time. -1 to
 * go on, or an exit code. */
static int live_recording(struct live *lv)
{
	struct opts *o = lv->o;
	struct rec_writer_cfg wc = { .path = o->rec_path, .rotate_bytes = o->rotate_bytes, .keep = o->keep };
	struct rec_meta m = { .format = REC_FORMAT_VERSION };
	struct utsname u;
	char err[512];

	if (!o->rec_path)
		return -1;
	snprintf(m.version, sizeof(m.version), "%s", cli_version());
	if (gethostname(m.host, sizeof(m.host) - 1))
		strcpy(m.host, "unknown");
	if (!uname(&u))
		snprintf(m.kernel, sizeof(m.kernel), "%s", u.release);
	m.boot_to_real_ns = lv->st.ro.boot_to_real_ns;
	filters_text(m.filters, sizeof(m.filters), o, &lv->lcfg);
	lv->st.rec = rec_writer_open(&wc, &m, err, sizeof(err));
	if (!lv->st.rec) {
		fprintf(stderr, "famtrace: recording: %s\n", err);
		return FT_EXIT_RUNTIME;
	}
	if (rec_writer_appended(lv->st.rec))
		fprintf(stderr, "famtrace: going on in the earlier recording at %s (it ended "
				"cleanly), so restarts do not rotate history away\n", o->rec_path);
	if (rec_writer_kept_earlier(lv->st.rec))
		fprintf(stderr, "famtrace: an earlier recording at %s was moved to %s.1 "
				"(report reads both)\n", o->rec_path, o->rec_path);
	return -1;
}

/* The processes to follow from the start; their children follow via the
 * fork hook. */
static void live_seed(struct live *lv)
{
	struct opts *o = lv->o;
	pid_t seeds[MAX_PIDS + 1], desc[4096];
	size_t n_seeds = 0, n_desc;

	if (!o->n_pids && lv->child <= 0)
		return;
	/* `run` and `check -- CMD`: the command is part of what is traced
	 * (an MTA's queue run delivers in its own process tree). */
	if (lv->child > 0)
		seeds[n_seeds++] = lv->child;
	for (size_t i = 0; i < o->n_pids; i++)
		seeds[n_seeds++] = o->pids[i];
	for (size_t i = 0; i < n_seeds; i++)
		if (loader_track(lv->st.ldr, seeds[i], FT_WHY_PID))
			fprintf(stderr, "famtrace: warning: cannot track pid %d\n", (int)seeds[i]);
	n_desc = proc_descendants(seeds + (lv->child > 0), n_seeds - (lv->child > 0), desc, 4096);
	for (size_t i = 0; i < n_desc; i++) {
		loader_track(lv->st.ldr, desc[i], FT_WHY_PARENT);
		if (lv->st.services)
			note_service(&lv->st, desc[i]);
	}
}

/* Signals, CMD started (held), the programs loaded and attached, the
 * processes seeded; then privileges dropped and famtrace confined. -1 to
 * go on, or an exit code. */
static int live_attach(struct live *lv)
{
	struct opts *o = lv->o;
	struct state *st = &lv->st;
	struct sigaction sa = { 0 };
	char err[512];
	int code;

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
		lv->child = spawn(o->cmd, &lv->release_fd);
		if (lv->child < 0) {
			fprintf(stderr, "famtrace: cannot start %s: %s\n", o->cmd[0], strerror(errno));
			return FT_EXIT_RUNTIME;
		}
	}
	st->ldr = loader_open(&lv->lcfg, on_event, st, err, sizeof(err), &code);
	if (!st->ldr) {
		fprintf(stderr, "famtrace: %s\n", err);
		return o->check ? 2 : code; /* check: could not check */
	}
	live_seed(lv);
	if (!o->no_resolver) {
		libc_attach_all(st->ldr, &lv->lcfg, o->libcs, o->n_libcs, o->pids, o->n_pids);
		/* Before the privileges go: the prober keeps them. */
		st->prober = prober_start(st->ldr);
	}
	st->ss.no_dns_wire = o->no_dns_wire;
	snprintf(st->ss.connect_errno, sizeof(st->ss.connect_errno), "%s",
		 loader_exact_errno(st->ldr) ? "fexit" : "route");
	if (!o->no_dns_wire && loader_attach_dns(st->ldr, lv->cg_fd, err, sizeof(err))) {
		/* The recording's header, not yet written, says it too
		 * (rec_writer_start in live_start). */
		st->ss.no_dns_wire = o->no_dns_wire = true;
		warn_no_wire(err);
	}
	close(lv->cg_fd);
	lv->cg_fd = -1;
	/* Its own cgroup root, mounted privately if need be: before the
	 * privileges go. */
	st->places = places_open();
	/* Loaded and attached: from here on famtrace reads a ring buffer and
	 * writes files. Keep only what that needs. */
	{
		struct privs_keep keep = { .files = o->rec_path || o->metrics_path, .kill = lv->child > 0 };

		if (privs_drop(&keep, err, sizeof(err)))
			fprintf(stderr, "famtrace: warning: cannot drop privileges: %s\n", err);
		else if (o->debug)
			fprintf(stderr, "famtrace: capabilities now %#llx\n", privs_effective());
	}
	if (o->journal) {
		/* Followed from now, before the command is released or
		 * "tracing" is said: no entry of a traced delivery is missed. */
		struct journal_src js = { .dir = o->journal_dir };

		st->journal = journal_follow_open(&js, err, sizeof(err));
		if (!st->journal)
			fprintf(stderr, "famtrace: warning: --journal: %s; no message of the journal "
					"will be shown\n", err);
	}
	if (o->container_logs) {
		/* Lines from now on: what famtrace traces. */
		st->ctr_logs = ctr_logs_new(&st->mlog, (int64_t)clock_ns(CLOCK_REALTIME), true,
					    places_docker_dir(st->places), o->journal_dir, stderr);
		if (!st->ctr_logs) {
			fprintf(stderr, "famtrace: out of memory\n");
			return FT_EXIT_RUNTIME;
		}
		if (o->place_is_container)
			ctr_logs_only(st->ctr_logs, o->place);
	}
	confine(o, st, lv->child);
	return -1;
}

/* Time zero: the recording's header, CMD released, "tracing" said. */
static void live_start(struct live *lv)
{
	struct opts *o = lv->o;
	struct state *st = &lv->st;

	lv->t0 = clock_ns(CLOCK_BOOTTIME);
	st->ro.t0_ns = lv->t0;
	if (st->rec) {
		char filters[512];

		filters_text(filters, sizeof(filters), o, &lv->lcfg);
		rec_writer_start(st->rec, lv->t0, filters, st->ss.connect_errno);
	}
	if (o->cmd) {
		if (write(lv->release_fd, "go", 1) != 1) {
			fprintf(stderr, "famtrace: cannot release %s\n", o->cmd[0]);
			kill(lv->child, SIGKILL);
		}
		close(lv->release_fd);
		lv->release_fd = -1;
	} else {
		const char *what = o->all ? "all processes" : o->n_pids ? "the given processes" :
				   o->n_comms ? "the named processes" : "mail processes";

		if (o->record)
			fprintf(stderr, "famtrace: recording %s to %s; Ctrl-C to stop\n", what, o->rec_path);
		else
			fprintf(stderr, "famtrace: tracing %s; Ctrl-C to stop and print the report\n", what);
	}
	if (!o->json && !o->record && (!o->check || o->verbose) && !msg_filter_active(&st->ro.filter))
		text_header(&st->ro);
}

/*
 * check -- CMD: postqueue -i, sendmail or exim -M return before the MTA's
 * own processes deliver, and an attempt still connecting when the trace
 * ends is no outcome (a 30 s connect timeout then a fallback would read as
 * mail stuck). Settled: nothing new from the traced processes for
 * CHECK_QUIET_NS and none of their attempts connecting; or
 * CHECK_SETTLE_MAX_NS after CMD, said on stderr.
 */
static bool check_settled(struct live *lv, uint64_t now)
{
	uint64_t events = correlator_events(lv->st.corr);

	if (events != lv->settle_events) {
		lv->settle_events = events;
		lv->settle_quiet_since = now;
	}
	if (now - lv->child_gone_at >= CHECK_SETTLE_MAX_NS) {
		fprintf(stderr, "famtrace: check: the instance was still busy %llu s after the command "
				"ended; judging what was seen\n",
			(unsigned long long)(CHECK_SETTLE_MAX_NS / 1000000000ULL));
		return true;
	}
	return now - lv->settle_quiet_since >= CHECK_QUIET_NS && !loader_connecting(lv->st.ldr);
}

/* Once a second: counters refreshed, the recording synced, and lost events
 * said while it happens, not only in the report. */
static void live_second(struct live *lv, uint64_t now, uint64_t *lost_seen, uint64_t *lost_checked)
{
	struct state *st = &lv->st;
	uint64_t lost;

	refresh_counters(st, now);
	rec_sync(st, now);
	lost = st->ss.lost;
	/* A reader that was stopped (SIGSTOP, a suspended terminal) checks
	 * late: the span says how late. */
	if (lost > *lost_seen && (!*lost_checked || now - *lost_checked < 1500000000ULL))
		fprintf(stderr, "famtrace: warning: %llu events lost in the last second "
				"(ring buffer full; try --buffer-size or narrower filters)\n",
			(unsigned long long)(lost - *lost_seen));
	else if (lost > *lost_seen)
		fprintf(stderr, "famtrace: warning: %llu events lost in the last %.0f s "
				"(ring buffer full; try --buffer-size or narrower filters)\n",
			(unsigned long long)(lost - *lost_seen), (double)(now - *lost_checked) / 1e9);
	*lost_seen = lost;
	*lost_checked = now;
}

/* SIGHUP: reopen the recording (logrotate), retry a stopped one, or end a
 * terminal session. */
static void live_hangup(struct live *lv, uint64_t now)
{
	struct state *st = &lv->st;

	if (st->rec && st->rec_down) {
		st->rec_retry_at = now; /* a hang-up is a good moment to retry */
	} else if (st->rec) {
		if (rec_writer_reopen(st->rec, now)) {
			fprintf(stderr, "famtrace: recording: cannot reopen %s after SIGHUP\n", lv->o->rec_path);
			rec_fail(st, now);
		} else {
			fprintf(stderr, "famtrace: SIGHUP: reopened %s\n", lv->o->rec_path);
		}
	} else {
		stop_signal = SIGHUP; /* a hang-up ends a terminal session */
	}
}

/* Records in until -d, CMD's exit or a signal; on the way, ticks, the
 * recording, metrics and interval reports. Returns the exit code so far. */
static int live_loop(struct live *lv)
{
	struct opts *o = lv->o;
	struct state *st = &lv->st;
	uint64_t t0 = lv->t0, next_tick = 0, next_second = 0, lost_seen = 0, lost_checked = 0, last_tick_at = 0;
	uint64_t next_metrics = o->metrics_path ? t0 + (uint64_t)(o->metrics_interval_s * 1e9) : UINT64_MAX;
	uint64_t next_report = o->interval_s ? t0 + (uint64_t)(o->interval_s * 1e9) : UINT64_MAX;
	uint64_t deadline = o->duration_s ? t0 + (uint64_t)(o->duration_s * 1e9) : UINT64_MAX;

	for (;;) {
		uint64_t now;
		int e;

		/* Live lines leave once per batch, before waiting, not once
		 * per record: a write per event was most of famtrace's
		 * system time on a busy relay. */
		fflush(st->ro.out);
		e = loader_poll(st->ldr, 100);
		if (e < 0) {
			fprintf(stderr, "famtrace: reading events failed: %s\n", strerror(-e));
			return FT_EXIT_RUNTIME;
		}
		now = clock_ns(CLOCK_BOOTTIME);
		/* Closing due groups walks every process: at most every
		 * TICK_EVERY_NS, however often a busy relay fills a batch. */
		if (now >= next_tick) {
			/* A full batch left records in the ring: time has passed
			 * for famtrace, not yet for them. Ticking at the clock
			 * would close a group whose next attempt is still unread
			 * (an IPv6 failure after 3 s, IPv4 tried 1 ms later, read
			 * past a batch's end: "NO FALLBACK" for a fallback), so
			 * time goes only as far as the records read. */
			uint64_t tick_at = e >= LOADER_BATCH && st->newest_ns && st->newest_ns < now ? st->newest_ns : now;

			if (tick_at < last_tick_at)
				tick_at = last_tick_at; /* never backwards */
			last_tick_at = tick_at;

			poll_maillogs(st);
			correlate_tick(st->corr, tick_at);
			/* Replay ticks where live tracing ticked: same groups, same order. */
			if (st->rec && !st->rec_down && rec_write_tick(st->rec, tick_at))
				rec_fail(st, now);
			next_tick = now + TICK_EVERY_NS;
		}
		if (st->rec)
			rec_retry(st, now);
		if (now >= next_second) {
			live_second(lv, now, &lost_seen, &lost_checked);
			next_second = now + 1000000000ULL;
		}
		if (hup_signal) {
			hup_signal = 0;
			live_hangup(lv, now);
		}
		if (now >= next_metrics) {
			refresh_counters(st, now);
			write_metrics(st, o->metrics_path, now, false);
			next_metrics = now + (uint64_t)(o->metrics_interval_s * 1e9);
		}
		if (now >= next_report) {
			report(st, now);
			next_report = now + (uint64_t)(o->interval_s * 1e9);
		}
		if (lv->child > 0 && !lv->child_gone_at && waitpid(lv->child, &lv->child_status, WNOHANG) == lv->child)
			lv->child_gone_at = lv->settle_quiet_since = now;
		/* After CMD exits, keep reading briefly: sockets it left in
		 * SYN_SENT are closed during its exit and report just after.
		 * check waits for the deliveries CMD set off. */
		if ((lv->child_gone_at && now - lv->child_gone_at > 200000000ULL &&
		     (!o->check || check_settled(lv, now))) ||
		    now >= deadline)
			return FT_EXIT_OK;
		if (stop_signal) {
			if (lv->child > 0 && !lv->child_gone_at) {
				/* Pass it on; the child's exit ends the trace. */
				kill(lv->child, stop_signal);
				stop_signal = 0;
				continue;
			}
			return FT_EXIT_OK;
		}
	}
}

/* The recording's end mark, or what kept it from being whole. */
static int live_close_recording(struct live *lv, uint64_t end_ns)
{
	struct state *st = &lv->st;
	uint64_t bytes = rec_writer_bytes(st->rec);
	char err[512];
	bool closed = !st->rec_down && !rec_writer_close(st->rec, end_ns, err, sizeof(err));

	if (st->rec_down)
		rec_writer_close(st->rec, end_ns, err, sizeof(err));
	else if (!closed)
		st->ss.rec_stopped++;
	st->rec = NULL;
	if (!closed || st->ss.rec_stopped) {
		fprintf(stderr, "famtrace: recording incomplete: it stopped %llu time(s), and %llu "
				"events traced are not in it%s%s\n",
			(unsigned long long)st->ss.rec_stopped, (unsigned long long)st->ss.rec_missed,
			closed ? "" : "; last error: ", closed ? "" : err);
		return FT_EXIT_RUNTIME;
	}
	fprintf(stderr, "famtrace: recorded %llu events to %s (%.1f KiB compressed)\n",
		(unsigned long long)correlator_events(st->corr), lv->o->rec_path, (double)bytes / 1024);
	return FT_EXIT_OK;
}

/* After the loop: what the ring still holds, the report, the last metrics,
 * the recording closed, and what was missed said. Returns the exit code. */
static int live_finish(struct live *lv, int rc)
{
	struct opts *o = lv->o;
	struct state *st = &lv->st;
	uint64_t until = clock_ns(CLOCK_BOOTTIME) + 1000000000ULL, end_ns;
	int e;

	/* What the ring holds at the stop, a batch at a time for at most a
	 * second: a flood cannot hold the stop past the unit's timeout, and
	 * what is left unread is said, never silently dropped. */
	while ((e = loader_poll(st->ldr, 0)) == LOADER_BATCH && clock_ns(CLOCK_BOOTTIME) < until)
		;
	if (e == LOADER_BATCH) {
		st->ss.unread = 1;
		fprintf(stderr, "famtrace: warning: stopped during a flood: records still in the ring "
				"buffer were not read\n");
	}
	/* Attempts still in SYN_SENT (an IPv6 black hole retried while the
	 * process delivered over IPv4) are facts too: report them as in
	 * progress, with the time so far, instead of letting them vanish. */
	st->ss.in_progress = (uint64_t)loader_pending(st->ldr, clock_ns(CLOCK_BOOTTIME));
	correlate_flush(st->corr);
	end_ns = clock_ns(CLOCK_BOOTTIME);
	if ((!o->check || o->verbose) && !o->record)
		report(st, end_ns);
	else
		refresh_counters(st, end_ns);
	if (st->metrics) {
		write_metrics(st, o->metrics_path, end_ns, true);
		if (!st->metrics_written) {
			fprintf(stderr, "famtrace: metrics were never written to %s\n", o->metrics_path);
			rc = FT_EXIT_RUNTIME;
		}
	}
	if (st->rec && live_close_recording(lv, end_ns))
		rc = FT_EXIT_RUNTIME;
	if (!source_complete(&st->ss)) {
		char gaps[512];

		fprintf(stderr, "famtrace: warning: the trace is incomplete: %s\n",
			source_gaps(gaps, sizeof(gaps), &st->ss));
	}
	if (o->check) {
		char why[600] = "";

		/* A check that could not observe properly has no verdict to give,
		 * whatever it saw: UNKNOWN with the reason. */
		if (rc != FT_EXIT_OK)
			snprintf(why, sizeof(why), "tracing failed");
		else if (!source_complete(&st->ss))
			source_gaps(why, sizeof(why), &st->ss);
		struct check_log log = { st->ro.mlog, st->ro.boot_to_real_ns, lv->rdns_ok ? &lv->rdns : NULL };

		/* The MTA logs a delivery's end as it ends: read it to the end. */
		if (st->ro.mlog)
			poll_maillogs(st);
		rc = check_exit_code(check_verdict(stdout, o->json, st->ro.width, st->corr, &lv->expect, &log,
						   why[0] ? why : NULL));
		o->check_judged = true;
	}
	return rc;
}

/* The one way out, whatever was set up: in the reverse order. A recording
 * still open here was never started: nothing was traced, so it goes. */
static void live_free(struct live *lv)
{
	struct state *st = &lv->st;
	char err[512];

	if (lv->rdns_ok)
		rdns_close(&lv->rdns);
	/* CMD never released exits without running; check waits for its
	 * CMD; run waited already (live_main), or failed and leaves it be. */
	if (lv->child > 0 && !lv->child_gone_at && (lv->release_fd >= 0 || lv->o->check)) {
		if (lv->release_fd >= 0)
			close(lv->release_fd);
		waitpid(lv->child, &lv->child_status, 0);
	} else if (lv->release_fd >= 0) {
		close(lv->release_fd);
	}
	loader_close(st->ldr);
	if (lv->cg_fd >= 0)
		close(lv->cg_fd);
	if (st->rec) {
		rec_writer_close(st->rec, clock_ns(CLOCK_BOOTTIME), err, sizeof(err));
		unlink(lv->o->rec_path);
	}
	prober_stop(st->prober);
	metrics_free(st->metrics);
	correlator_free(st->corr);
	places_close(st->places);
	dnsb_free(st->dnsb);
	for (size_t i = 0; i < st->n_follow; i++)
		mlog_follow_close(st->follow[i]);
	journal_follow_close(st->journal);
	ctr_logs_free(st->ctr_logs);
	if (st->ro.mlog)
		mlog_free(&st->mlog);
	text_close(&st->ro);
}

int live_main(struct opts *o)
{
	struct live lv = { .o = o, .cg_fd = -1, .child = -1, .release_fd = -1 };
	char err[512];
	int rc = -1;

	if (o->check && (rc = live_check_setup(&lv)) >= 0)
		return rc;
	for (size_t i = 0; i < o->n_pids; i++)
		if (!proc_exists(o->pids[i])) {
			fprintf(stderr, "famtrace: no process with pid %d\n", (int)o->pids[i]);
			return o->check ? FT_CHECK_UNKNOWN : FT_EXIT_NOPID;
		}
	live_filter(&lv);
	/* The cgroup v2 root: the attempt programs attach there, and the DNS
	 * wire programs too. Found before the recording's header is written. */
	lv.cg_fd = cgroup_root_open(err, sizeof(err));
	if (lv.cg_fd < 0) {
		fprintf(stderr, "famtrace: %s; famtrace sees connect attempts through the cgroup v2 "
				"root\n", err);
		return o->check ? 2 : FT_EXIT_KERNEL;
	}
	lv.lcfg.cgroup_fd = lv.cg_fd;
	if ((rc = live_reporting(&lv)) < 0 && (rc = live_recording(&lv)) < 0 && (rc = live_attach(&lv)) < 0) {
		live_start(&lv);
		rc = live_finish(&lv, live_loop(&lv));
		/* run: CMD's status, when famtrace itself did well. */
		if (!o->check && lv.child > 0 && rc == FT_EXIT_OK) {
			if (!lv.child_gone_at && waitpid(lv.child, &lv.child_status, 0) == lv.child)
				lv.child_gone_at = 1;
			if (WIFEXITED(lv.child_status))
				rc = WEXITSTATUS(lv.child_status);
			else if (WIFSIGNALED(lv.child_status))
				rc = 128 + WTERMSIG(lv.child_status);
		}
	}
	live_free(&lv);
	return rc;
}
