/*
 * main.c - famtrace's command line: live tracing and `famtrace run`.
 *
 * Wires the loader (kernel records) to the correlator (facts) and the
 * reporters (text or JSON Lines). Owns signals, the child of `run`, and the
 * exit code; knows nothing about how facts are derived.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "correlate.h"
#include "decode.h"
#include "loader.h"
#include "metrics.h"
#include "privs.h"
#include "procfs.h"
#include "recording.h"
#include "replay.h"
#include "report.h"

#ifndef FAMTRACE_VERSION
#define FAMTRACE_VERSION "0.1.0"
#endif

/* Built-in mail programs: Postfix daemons and tools, other MTAs, clients. */
static const char *const mail_comms[] = {
	"master", "smtp", "smtpd", "lmtp", "qmgr", "bounce", "postscreen", "pickup",
	"cleanup", "local", "virtual", "pipe", "showq", "tlsmgr", "verify", "scache",
	"proxymap", "postdrop", "postqueue", "sendmail", "sendmail-mta", "sm-mta",
	"exim", "exim4", "opensmtpd", "smtpctl", "nullmailer-send", "ssmtp", "dma",
	"swaks", "msmtp", "mutt", "neomutt", "fetchmail", "thunderbird", "mailx",
	"s-nail", "mbsync", "offlineimap", "getmail", "claws-mail", "alpine",
};
static const uint16_t mail_ports[] = { 25, 465, 587, 2525, 24, 110, 143, 993, 995 };

#define MAX_PIDS 256
#define MAX_PORTS 64

struct opts {
	bool json, wall_time, verbose, all, debug, run, check, record, report;
	const char *postfix_dir, *expect, *prefer; /* check */
	double interval_s, duration_s;
	uint64_t group_gap_ns;
	pid_t pids[MAX_PIDS];
	size_t n_pids;
	const char *comms[FT_MAX_COMMS];
	size_t n_comms;
	const char *libcs[16]; /* --libc */
	size_t n_libcs;
	bool no_resolver;
	uint32_t ringbuf_bytes; /* --buffer-size */
	uint16_t ports[MAX_PORTS];
	size_t n_ports;
	bool ports_given;
	char **cmd;
	const char *rec_path;	/* -o: write a recording */
	uint64_t rotate_bytes;	/* --rotate */
	unsigned keep;		/* --keep */
	bool keep_given;
	const char *metrics_path; /* --metrics */
	double metrics_interval_s;
	const char *since, *until; /* report */
};

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

static void usage(FILE *f)
{
	fprintf(f,
"Usage: famtrace [OPTIONS]                 trace mail processes live until Ctrl-C\n"
"       famtrace run [OPTIONS] -- CMD [ARG...]  trace CMD and its children\n"
"       famtrace record -o FILE [OPTIONS]  write a recording until Ctrl-C\n"
"       famtrace report [OPTIONS] FILE...  the report, from recordings\n"
"       famtrace check [--postfix DIR] [--expect F] [--prefer F]\n"
"                      (-d SECONDS | -- CMD [ARG...])\n"
"                          does an MTA use the address families it is\n"
"                          configured for? exit 0 conforms, 1 violation,\n"
"                          2 could not check\n"
"\n"
"Shows, per process, which address family (IPv4/IPv6) each connect attempt\n"
"used, how it ended, and whether the process fell back to the other family.\n"
"\n"
"What to trace (default: mail programs by name, plus any process that\n"
"connects to a mail port, plus their children):\n"
"  -a, --all               every process\n"
"  -p, --pid PID           only this process and its descendants (repeatable)\n"
"  -c, --comm NAME         only processes named NAME (repeatable); replaces\n"
"                          the built-in list and, unless --port is given,\n"
"                          the mail-port rule\n"
"      --port LIST         mail ports, comma-separated (default\n"
"                          25,465,587,2525,24,110,143,993,995)\n"
"Output:\n"
"  -j, --json              JSON Lines instead of text (schema in README.md)\n"
"  -T, --timestamps        wall-clock times instead of seconds since start\n"
"  -i, --interval SECONDS  print the per-process report every SECONDS\n"
"  -v, --verbose           also successful route probes and plain successes\n"
"Recordings and metrics:\n"
"  -o, --output FILE       also write a recording (gzip; mode 0600; synced\n"
"                          to disk every second; SIGHUP reopens FILE)\n"
"      --rotate SIZE       start a new FILE when it reaches SIZE (e.g. 100M);\n"
"                          older ones become FILE.1, FILE.2, ...\n"
"      --keep N            rotated files to keep (default 5)\n"
"      --metrics FILE      Prometheus text file for node_exporter's textfile\n"
"                          collector, replaced atomically\n"
"      --metrics-interval SECONDS  how often (default 15)\n"
"      --since TIME, --until TIME  report: only events in this window; TIME\n"
"                          is \"YYYY-MM-DD HH:MM:SS\", HH:MM[:SS] on the day\n"
"                          the recording starts, @UNIXSECONDS or +SECONDS\n"
"Check:\n"
"      --postfix DIR       the Postfix instance whose config directory is DIR:\n"
"                          reads inet_protocols and smtp_address_preference\n"
"                          with postconf, traces its master and children\n"
"      --expect F          allowed families: ipv4, ipv6 or all (overrides)\n"
"      --prefer F          first family for dual-stack destinations: ipv4,\n"
"                          ipv6 or any (overrides)\n"
"      (without --postfix, name the MTA's processes with -p PID)\n"
"Other:\n"
"  -d, --duration SECONDS  stop after SECONDS\n"
"      --group-gap SECONDS attempts to one port within this gap form one\n"
"                          destination group (default 2)\n"
"      --libc PATH         also trace lookups through this C library\n"
"                          (default: the system's, and those mapped by\n"
"                          traced processes, e.g. in containers)\n"
"      --no-resolver       do not trace lookups (connects only)\n"
"      --buffer-size KIB   kernel ring buffer size, a power of two (default 4096)\n"
"      --debug             show libbpf's messages (verifier log)\n"
"  -h, --help              this text\n"
"  -V, --version           version and record ABI\n"
"\n"
"Examples:\n"
"  sudo famtrace                          # watch Postfix/Exim/clients live\n"
"  sudo famtrace -T -i 60                 # with times, report every minute\n"
"  sudo famtrace run -- swaks --to u@example.com --server mx.example.com\n"
"  sudo famtrace -p $(pgrep -o master)    # one Postfix instance\n"
"  sudo famtrace --all -j -d 30 > trace.jsonl\n"
"  sudo famtrace check --postfix /etc/postfix -- postqueue -f\n"
"  sudo famtrace record -o /var/log/famtrace/trace.ftr.gz --rotate 100M\n"
"  famtrace report -T /var/log/famtrace/trace.ftr.gz* --since 09:00\n"
"\n"
"Exit codes: 0 ok (run: CMD's status), 1 runtime failure, 2 bad usage,\n"
"3 missing privileges, 4 kernel lacks BTF/ring buffer or refused the\n"
"programs, 5 tracefs unavailable, 6 no such process, 7 a recording is\n"
"unreadable (not a recording, corrupt, or a newer format).\n");
}

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "famtrace: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see famtrace --help)\n");
	return FT_EXIT_USAGE;
}

static bool parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 1e7)
		return false;
	*out = v;
	return true;
}

static int parse_ports(struct opts *o, const char *list)
{
	char *copy = strdup(list), *save = NULL, *tok;
	int rc = 0;

	o->n_ports = 0;
	o->ports_given = true;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		long v = strtol(tok, &end, 10);

		if (*tok == 0 || *end || v < 1 || v > 65535) {
			rc = usage_error("--port: '%s' is not a port number (1-65535)", tok);
			break;
		}
		if (o->n_ports == MAX_PORTS) {
			rc = usage_error("--port: at most %d ports", MAX_PORTS);
			break;
		}
		o->ports[o->n_ports++] = (uint16_t)v;
	}
	free(copy);
	return rc;
}

enum { OPT_PORT = 256, OPT_GAP, OPT_DEBUG, OPT_LIBC, OPT_NO_RESOLVER, OPT_POSTFIX, OPT_EXPECT,
       OPT_PREFER, OPT_BUFFER, OPT_ROTATE, OPT_KEEP, OPT_METRICS, OPT_METRICS_INTERVAL, OPT_SINCE,
       OPT_UNTIL };

static const struct option long_opts[] = {
	{ "all", no_argument, NULL, 'a' },
	{ "pid", required_argument, NULL, 'p' },
	{ "comm", required_argument, NULL, 'c' },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "json", no_argument, NULL, 'j' },
	{ "timestamps", no_argument, NULL, 'T' },
	{ "interval", required_argument, NULL, 'i' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "duration", required_argument, NULL, 'd' },
	{ "group-gap", required_argument, NULL, OPT_GAP },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "libc", required_argument, NULL, OPT_LIBC },
	{ "no-resolver", no_argument, NULL, OPT_NO_RESOLVER },
	{ "postfix", required_argument, NULL, OPT_POSTFIX },
	{ "expect", required_argument, NULL, OPT_EXPECT },
	{ "prefer", required_argument, NULL, OPT_PREFER },
	{ "buffer-size", required_argument, NULL, OPT_BUFFER },
	{ "output", required_argument, NULL, 'o' },
	{ "rotate", required_argument, NULL, OPT_ROTATE },
	{ "keep", required_argument, NULL, OPT_KEEP },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "metrics-interval", required_argument, NULL, OPT_METRICS_INTERVAL },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ 0 },
};

/* Returns -1 to go on, or an exit code. */
static int parse_opts(struct opts *o, int argc, char **argv)
{
	int c, rc;
	double secs;

	while ((c = getopt_long(argc, argv, "+ap:c:jTi:vd:o:hV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->all = true;
			break;
		case 'p': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*optarg == 0 || *end || v < 1 || v > INT_MAX)
				return usage_error("--pid: '%s' is not a process id", optarg);
			if (o->n_pids == MAX_PIDS)
				return usage_error("--pid: at most %d processes", MAX_PIDS);
			o->pids[o->n_pids++] = (pid_t)v;
			break;
		}
		case 'c':
			if (!*optarg || strlen(optarg) >= FT_COMM_LEN)
				return usage_error("--comm: '%s' must be 1-%d characters (the kernel's "
						   "process name length)", optarg, FT_COMM_LEN - 1);
			if (o->n_comms == FT_MAX_COMMS)
				return usage_error("--comm: at most %d names", FT_MAX_COMMS);
			o->comms[o->n_comms++] = optarg;
			break;
		case OPT_PORT:
			if ((rc = parse_ports(o, optarg)))
				return rc;
			break;
		case 'j':
			o->json = true;
			break;
		case 'T':
			o->wall_time = true;
			break;
		case 'i':
			if (!parse_seconds(optarg, &o->interval_s))
				return usage_error("--interval: '%s' is not a positive number of seconds", optarg);
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'd':
			if (!parse_seconds(optarg, &o->duration_s))
				return usage_error("--duration: '%s' is not a positive number of seconds", optarg);
			break;
		case OPT_GAP:
			if (!parse_seconds(optarg, &secs) || secs > 3600)
				return usage_error("--group-gap: '%s' is not a number of seconds (0-3600)", optarg);
			o->group_gap_ns = (uint64_t)(secs * 1e9);
			break;
		case OPT_DEBUG:
			o->debug = true;
			break;
		case OPT_LIBC:
			if (o->n_libcs == sizeof(o->libcs) / sizeof(o->libcs[0]))
				return usage_error("--libc: at most %zu libraries", o->n_libcs);
			if (access(optarg, R_OK))
				return usage_error("--libc: %s: %s", optarg, strerror(errno));
			o->libcs[o->n_libcs++] = optarg;
			break;
		case OPT_NO_RESOLVER:
			o->no_resolver = true;
			break;
		case OPT_POSTFIX:
			o->postfix_dir = optarg;
			break;
		case OPT_EXPECT:
			o->expect = optarg;
			break;
		case OPT_PREFER:
			o->prefer = optarg;
			break;
		case OPT_BUFFER: {
			char *end;
			unsigned long kb = strtoul(optarg, &end, 10);

			if (*optarg == 0 || *end || kb < 4 || kb > 1024 * 1024 || (kb & (kb - 1)))
				return usage_error("--buffer-size: '%s' must be a power of two in KiB, "
						   "4 to 1048576", optarg);
			o->ringbuf_bytes = (uint32_t)(kb * 1024);
			break;
		}
		case 'o':
			o->rec_path = optarg;
			break;
		case OPT_ROTATE: {
			char *end;
			double v = strtod(optarg, &end);
			uint64_t mul = 1;

			if (*end == 'k' || *end == 'K')
				mul = 1024, end++;
			else if (*end == 'm' || *end == 'M')
				mul = 1024 * 1024, end++;
			else if (*end == 'g' || *end == 'G')
				mul = 1024ULL * 1024 * 1024, end++;
			if (end == optarg || *end || !(v * (double)mul >= 4096) || v * (double)mul > 1e15)
				return usage_error("--rotate: '%s' is not a size of at least 4K (e.g. 100M)",
						   optarg);
			o->rotate_bytes = (uint64_t)(v * (double)mul);
			break;
		}
		case OPT_KEEP: {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*optarg == 0 || *end || v < 0 || v > 1000)
				return usage_error("--keep: '%s' is not a number of files (0-1000)", optarg);
			o->keep = (unsigned)v;
			o->keep_given = true;
			break;
		}
		case OPT_METRICS:
			o->metrics_path = optarg;
			break;
		case OPT_METRICS_INTERVAL:
			if (!parse_seconds(optarg, &o->metrics_interval_s) || o->metrics_interval_s < 0.1)
				return usage_error("--metrics-interval: '%s' is not a number of seconds "
						   "(at least 0.1)", optarg);
			break;
		case OPT_SINCE:
			o->since = optarg;
			break;
		case OPT_UNTIL:
			o->until = optarg;
			break;
		case 'h':
			usage(stdout);
			return FT_EXIT_OK;
		case 'V':
			printf("famtrace %s (record ABI %d, JSON schema %d)\n", FAMTRACE_VERSION,
			       FT_ABI_VERSION, FT_JSON_SCHEMA);
			return FT_EXIT_OK;
		default:
			fprintf(stderr, "famtrace: see famtrace --help\n");
			return FT_EXIT_USAGE;
		}
	}
	return -1;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

struct state {
	struct correlator *corr;
	struct loader *ldr;
	struct report_opts ro;
	bool json;
	struct rec_writer *rec; /* -o */
	bool rec_failed;
	uint64_t rec_counters[REC_NCOUNTERS];
	struct metrics *metrics; /* --metrics */
	bool counters_warned;
};

static void on_event(void *ctx, const void *data, size_t len)
{
	struct state *st = ctx;
	const char *why;

	/* The recording gets the raw record, exactly as the correlator does. */
	if (st->rec && !st->rec_failed && rec_write_event(st->rec, data, len))
		st->rec_failed = true;

	if (!ft_decode_check(data, len, &why)) {
		correlator_stats(st->corr)->malformed++;
		return;
	}
	correlate_event(st->corr, data, len);
}

static void refresh_counters(struct state *st, uint64_t now)
{
	struct source_stats *ss = correlator_stats(st->corr);
	uint64_t cnt[FT_CNT_MAX];

	_Static_assert(FT_CNT_MAX == REC_NCOUNTERS, "recording counters");
	int e = loader_counters(st->ldr, cnt);

	if (e && !st->counters_warned) {
		/* Never silently: without them lost events would go unseen. */
		fprintf(stderr, "famtrace: warning: cannot read the kernel's lost-event counters: %s\n",
			strerror(-e));
		st->counters_warned = true;
		correlator_stats(st->corr)->malformed++; /* mark the trace incomplete */
	}
	ss->lost = cnt[FT_CNT_LOST];
	ss->track_full = cnt[FT_CNT_TRACK_FULL];
	ss->pending_full = cnt[FT_CNT_PENDING_FULL];
	if (st->rec && !st->rec_failed && memcmp(cnt, st->rec_counters, sizeof(cnt))) {
		if (rec_write_counters(st->rec, now, cnt))
			st->rec_failed = true;
		memcpy(st->rec_counters, cnt, sizeof(cnt));
	}
}

static void write_metrics(struct state *st, const char *path)
{
	char err[512];

	if (metrics_write(path, st->metrics, correlator_stats(st->corr), correlator_events(st->corr),
			  err, sizeof(err)))
		fprintf(stderr, "famtrace: warning: metrics not written: %s\n", err);
}

static void report(struct state *st, uint64_t now)
{
	refresh_counters(st, now);
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

/* Run `postconf -c DIR -h NAMES...`; one value per line into vals. */
static bool postconf(const char *dir, const char *const *names, int n, char vals[][256])
{
	int pfd[2], status;
	char *argv[16] = { "postconf", "-c", (char *)dir, "-h" };
	pid_t pid;
	FILE *f;

	for (int i = 0; i < n; i++)
		argv[4 + i] = (char *)names[i];
	if (pipe2(pfd, O_CLOEXEC))
		return false;
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		execvp("postconf", argv);
		_exit(127);
	}
	close(pfd[1]);
	f = fdopen(pfd[0], "r");
	for (int i = 0; i < n; i++) {
		vals[i][0] = 0;
		if (f && fgets(vals[i], 256, f))
			vals[i][strcspn(vals[i], "\n")] = 0;
	}
	if (f)
		fclose(f);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* What `check` expects, and which master it traces. Returns an exit code or -1. */
static int check_setup(struct opts *o, struct check_expect *e)
{
	memset(e, 0, sizeof(*e));
	e->prefer = -1;
	e->families = 1u << FAM_V4 | 1u << FAM_V6;
	if (o->postfix_dir) {
		static const char *const names[] = { "inet_protocols", "smtp_address_preference",
						     "queue_directory" };
		char vals[3][256], pidfile[512];
		FILE *f;
		int pid = 0;

		if (!postconf(o->postfix_dir, names, 3, vals)) {
			fprintf(stderr, "famtrace: check: postconf -c %s failed; is it a Postfix config "
					"directory?\n", o->postfix_dir);
			return 2;
		}
		snprintf(e->inet_protocols, sizeof(e->inet_protocols), "%s", vals[0]);
		snprintf(e->preference, sizeof(e->preference), "%s", vals[1]);
		snprintf(e->source, sizeof(e->source), "postconf -c %s", o->postfix_dir);
		if (!check_parse_protocols(vals[0], &e->families) ||
		    !check_parse_prefer(vals[1][0] ? vals[1] : "any", &e->prefer)) {
			fprintf(stderr, "famtrace: check: cannot read inet_protocols '%s' / "
					"smtp_address_preference '%s'\n", vals[0], vals[1]);
			return 2;
		}
		snprintf(pidfile, sizeof(pidfile), "%s/pid/master.pid", vals[2]);
		f = fopen(pidfile, "re");
		if (!f || fscanf(f, "%d", &pid) != 1 || !proc_exists(pid)) {
			fprintf(stderr, "famtrace: check: the Postfix instance of %s is not running "
					"(no live pid in %s)\n", o->postfix_dir, pidfile);
			if (f)
				fclose(f);
			return 2;
		}
		fclose(f);
		if (o->n_pids < MAX_PIDS)
			o->pids[o->n_pids++] = pid;
	} else if (!o->n_pids) {
		fprintf(stderr, "famtrace: check: name the instance with --postfix DIR or -p PID\n");
		return 2;
	} else {
		snprintf(e->source, sizeof(e->source), "command line");
	}
	if (o->expect) {
		if (!check_parse_protocols(o->expect, &e->families)) {
			fprintf(stderr, "famtrace: check: --expect '%s': use ipv4, ipv6 or all\n", o->expect);
			return 2;
		}
		snprintf(e->source + strlen(e->source), sizeof(e->source) - strlen(e->source),
			 "%s--expect %s", e->source[0] ? ", overridden by " : "", o->expect);
		e->inet_protocols[0] = 0;
	}
	if (o->prefer) {
		if (!check_parse_prefer(o->prefer, &e->prefer)) {
			fprintf(stderr, "famtrace: check: --prefer '%s': use ipv4, ipv6 or any\n", o->prefer);
			return 2;
		}
		snprintf(e->source + strlen(e->source), sizeof(e->source) - strlen(e->source),
			 ", --prefer %s", o->prefer);
		e->inet_protocols[0] = 0;
	}
	if (!o->cmd && !o->duration_s) {
		fprintf(stderr, "famtrace: check: give -d SECONDS or -- CMD to say how long to trace\n");
		return 2;
	}
	return -1;
}

/*
 * Resolver uprobes go on every distinct C library the traced processes use:
 * ours (the system's), --libc ones, and those mapped by the processes named
 * with -p or running under a mail program's name now (a container's libc is
 * another file, reached through /proc/PID/root).
 */
static void attach_resolver(struct loader *l, const struct opts *o, const struct loader_cfg *cfg)
{
	static char paths[64][4096];
	struct { dev_t dev; ino_t ino; } seen[64];
	pid_t pids[MAX_PIDS + 256];
	size_t n_paths = 0, n_pids = 0, n_seen = 0;
	int traced = 0;

	n_paths = proc_libcs(0, paths, 64);
	for (size_t i = 0; i < o->n_libcs && n_paths < 64; i++)
		snprintf(paths[n_paths++], sizeof(paths[0]), "%s", o->libcs[i]);
	for (size_t i = 0; i < o->n_pids; i++)
		pids[n_pids++] = o->pids[i];
	if (cfg->mode == FT_MODE_MAIL)
		n_pids += proc_by_comm(cfg->comms, cfg->n_comms, pids + n_pids, 256);
	for (size_t i = 0; i < n_pids && n_paths < 64; i++)
		n_paths += proc_libcs(pids[i], paths + n_paths, 64 - n_paths);

	for (size_t i = 0; i < n_paths; i++) {
		struct stat st;
		bool dup = false;

		if (stat(paths[i], &st))
			continue; /* the process exited meanwhile */
		for (size_t k = 0; k < n_seen; k++)
			if (seen[k].dev == st.st_dev && seen[k].ino == st.st_ino)
				dup = true;
		if (dup || n_seen == 64)
			continue;
		seen[n_seen].dev = st.st_dev;
		seen[n_seen++].ino = st.st_ino;
		traced += loader_attach_resolver(l, paths[i]) > 0;
	}
	if (!traced)
		fprintf(stderr, "famtrace: warning: no C library found to trace lookups in; "
				"connects are traced without them (try --libc PATH)\n");
}

/* `famtrace report FILE...` */
static int report_cmd(const struct opts *o, int nfiles, char **files)
{
	struct replay_opts ro = { 0 };

	if (nfiles < 1)
		return usage_error("report: name the recording(s): famtrace report [OPTIONS] FILE...");
	if (o->all || o->interval_s || o->duration_s || o->debug || o->n_libcs || o->no_resolver ||
	    o->ringbuf_bytes || o->ports_given || o->rec_path || o->rotate_bytes || o->keep_given ||
	    o->metrics_interval_s || o->postfix_dir || o->expect || o->prefer)
		return usage_error("report reads recordings; it takes -j, -T, -v, -p, -c, --since, "
				   "--until, --group-gap and --metrics");
	ro.json = o->json;
	ro.wall_time = o->wall_time;
	ro.verbose = o->verbose;
	ro.group_gap_ns = o->group_gap_ns;
	ro.pids = o->pids;
	ro.n_pids = o->n_pids;
	ro.comms = o->comms;
	ro.n_comms = o->n_comms;
	ro.since = o->since;
	ro.until = o->until;
	ro.metrics_path = o->metrics_path;
	return replay_main(&ro, files, nfiles);
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
#undef ADD
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct check_expect expect;
	struct state st = { 0 };
	struct correlator_cfg ccfg = { 0 };
	struct loader_cfg lcfg = { 0 };
	struct sink sink;
	struct sigaction sa = { 0 };
	char err[512];
	int rc, code, release_fd = -1, child_status = 0;
	pid_t child = -1;
	uint64_t t0, next_report, deadline, child_gone_at = 0, next_lost_check = 0, lost_seen = 0;
	uint64_t next_metrics, end_ns;

	if ((rc = parse_opts(&o, argc, argv)) >= 0)
		return rc;
	if (optind < argc) {
		if (!strcmp(argv[optind], "run"))
			o.run = true;
		else if (!strcmp(argv[optind], "check"))
			o.check = true;
		else if (!strcmp(argv[optind], "record"))
			o.record = true;
		else if (!strcmp(argv[optind], "report"))
			o.report = true;
		else
			return usage_error("unknown command '%s'", argv[optind]);
		argc -= optind;
		argv += optind;
		optind = 1;
		if ((rc = parse_opts(&o, argc, argv)) >= 0)
			return rc; /* 0 or FT_EXIT_USAGE, which is check's "could not check" too */
		if (o.report)
			return report_cmd(&o, argc - optind, argv + optind);
		if (optind < argc)
			o.cmd = argv + optind;
		else if (o.run)
			return usage_error("run: no command given (famtrace run -- CMD [ARG...])");
	}
	if (o.record && !o.rec_path)
		return usage_error("record: say where with -o FILE");
	if (o.record && o.cmd)
		return usage_error("record traces live; to record a command use famtrace run -o FILE -- CMD");
	if ((o.rotate_bytes || o.keep_given) && !o.rec_path)
		return usage_error("--rotate and --keep belong to a recording (-o FILE)");
	if (o.metrics_interval_s && !o.metrics_path)
		return usage_error("--metrics-interval needs --metrics FILE");
	if (o.since || o.until)
		return usage_error("--since and --until belong to famtrace report");
	if (!o.keep_given)
		o.keep = 5;
	if (!o.metrics_interval_s)
		o.metrics_interval_s = 15;
	if ((o.postfix_dir || o.expect || o.prefer) && !o.check)
		return usage_error("--postfix, --expect and --prefer belong to famtrace check");
	if (o.check) {
		if (o.all || o.n_comms)
			return usage_error("check traces one instance; --all and --comm do not apply");
		if ((rc = check_setup(&o, &expect)) >= 0)
			return rc;
	}
	if (o.all && (o.n_pids || o.n_comms || o.run))
		return usage_error("--all cannot be combined with --pid, --comm or run");
	if (o.run && o.n_pids)
		return usage_error("run traces its command; --pid cannot be added");
	for (size_t i = 0; i < o.n_pids; i++)
		if (!proc_exists(o.pids[i])) {
			fprintf(stderr, "famtrace: no process with pid %d\n", (int)o.pids[i]);
			return FT_EXIT_NOPID;
		}

	/* Filter. */
	lcfg.debug = o.debug;
	lcfg.ringbuf_bytes = o.ringbuf_bytes;
	if (o.all) {
		lcfg.mode = FT_MODE_ALL;
	} else if (o.n_pids || o.run || o.check) {
		lcfg.mode = FT_MODE_PIDS;
	} else {
		lcfg.mode = FT_MODE_MAIL;
		if (o.n_comms) {
			lcfg.comms = o.comms;
			lcfg.n_comms = o.n_comms;
		} else {
			lcfg.comms = mail_comms;
			lcfg.n_comms = sizeof(mail_comms) / sizeof(mail_comms[0]);
		}
		if (o.ports_given) {
			lcfg.ports = o.ports;
			lcfg.n_ports = o.n_ports;
		} else if (!o.n_comms) {
			lcfg.ports = mail_ports;
			lcfg.n_ports = sizeof(mail_ports) / sizeof(mail_ports[0]);
		}
	}

	/* Reporters and correlator. */
	st.json = o.json;
	st.ro.out = stdout;
	st.ro.wall_time = o.wall_time;
	st.ro.verbose = o.verbose;
	st.ro.boot_to_real_ns = (int64_t)(clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME));
	if (o.json)
		json_sink(&sink, &st.ro);
	else
		text_sink(&sink, &st.ro);
	if (o.check && !o.verbose)
		memset(&sink, 0, sizeof(sink)); /* the verdict is the output */
	if (o.record)
		memset(&sink, 0, sizeof(sink)); /* the recording is the output */
	if (o.metrics_path) {
		struct sink teed;

		st.metrics = metrics_new(FAMTRACE_VERSION, (double)clock_ns(CLOCK_REALTIME) / 1e9);
		if (!st.metrics) {
			fprintf(stderr, "famtrace: out of memory\n");
			return FT_EXIT_RUNTIME;
		}
		metrics_tee(st.metrics, &teed, &sink);
		sink = teed;
	}
	ccfg.group_gap_ns = o.group_gap_ns;
	st.corr = correlator_new(&ccfg, &sink);
	if (!st.corr) {
		fprintf(stderr, "famtrace: out of memory\n");
		return FT_EXIT_RUNTIME;
	}

	if (o.rec_path) {
		struct rec_writer_cfg wc = { .path = o.rec_path, .rotate_bytes = o.rotate_bytes,
					     .keep = o.keep };
		struct rec_meta m = { .format = REC_FORMAT_VERSION };
		struct utsname u;

		snprintf(m.version, sizeof(m.version), "%s", FAMTRACE_VERSION);
		if (gethostname(m.host, sizeof(m.host) - 1))
			strcpy(m.host, "unknown");
		if (!uname(&u))
			snprintf(m.kernel, sizeof(m.kernel), "%s", u.release);
		m.boot_to_real_ns = st.ro.boot_to_real_ns;
		filters_text(m.filters, sizeof(m.filters), &o, &lcfg);
		st.rec = rec_writer_open(&wc, &m, err, sizeof(err));
		if (!st.rec) {
			fprintf(stderr, "famtrace: recording: %s\n", err);
			correlator_free(st.corr);
			metrics_free(st.metrics);
			return FT_EXIT_RUNTIME;
		}
	}

	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (o.cmd) {
		child = spawn(o.cmd, &release_fd);
		if (child < 0) {
			fprintf(stderr, "famtrace: cannot start %s: %s\n", o.cmd[0], strerror(errno));
			return FT_EXIT_RUNTIME;
		}
	}

	st.ldr = loader_open(&lcfg, on_event, &st, err, sizeof(err), &code);
	if (!st.ldr) {
		fprintf(stderr, "famtrace: %s\n", err);
		if (o.check)
			code = 2; /* could not check */
		if (child > 0) {
			close(release_fd); /* the child exits without running CMD */
			waitpid(child, NULL, 0);
		}
		correlator_free(st.corr);
		metrics_free(st.metrics);
		if (st.rec) {
			rec_writer_close(st.rec, clock_ns(CLOCK_BOOTTIME), err, sizeof(err));
			unlink(o.rec_path); /* nothing was traced */
		}
		return code;
	}

	/* Seed the processes to follow; their children follow via the fork hook. */
	if (o.n_pids || o.run) {
		pid_t seeds[MAX_PIDS + 1], desc[4096];
		size_t n_seeds = 0, n_desc;

		if (o.run)
			seeds[n_seeds++] = child;
		for (size_t i = 0; i < o.n_pids; i++)
			seeds[n_seeds++] = o.pids[i];
		for (size_t i = 0; i < n_seeds; i++)
			if (loader_track(st.ldr, seeds[i], FT_WHY_PID))
				fprintf(stderr, "famtrace: warning: cannot track pid %d\n", (int)seeds[i]);
		n_desc = o.run ? 0 : proc_descendants(seeds, n_seeds, desc, 4096);
		for (size_t i = 0; i < n_desc; i++)
			loader_track(st.ldr, desc[i], FT_WHY_PARENT);
	}

	if (!o.no_resolver)
		attach_resolver(st.ldr, &o, &lcfg);

	/* Loaded and attached: from here on famtrace reads a ring buffer and
	 * writes files. Keep only what that needs. */
	{
		struct privs_keep keep = { .files = o.rec_path || o.metrics_path, .kill = child > 0 };

		if (privs_drop(&keep, err, sizeof(err)))
			fprintf(stderr, "famtrace: warning: cannot drop privileges: %s\n", err);
		else if (o.debug)
			fprintf(stderr, "famtrace: capabilities now %#llx\n", privs_effective());
	}

	t0 = clock_ns(CLOCK_BOOTTIME);
	st.ro.t0_ns = t0;
	if (st.rec)
		rec_writer_start(st.rec, t0);
	if (o.cmd) {
		if (write(release_fd, "go", 1) != 1) {
			fprintf(stderr, "famtrace: cannot release %s\n", o.cmd[0]);
			kill(child, SIGKILL);
		}
		close(release_fd);
	} else {
		const char *what = o.all ? "all processes" : o.n_pids ? "the given processes" :
				   o.n_comms ? "the named processes" : "mail processes";

		if (o.record)
			fprintf(stderr, "famtrace: recording %s to %s; Ctrl-C to stop\n", what, o.rec_path);
		else
			fprintf(stderr, "famtrace: tracing %s; Ctrl-C to stop and print the report\n", what);
	}
	if (!o.json && !o.record && (!o.check || o.verbose))
		text_header(&st.ro);
	next_metrics = o.metrics_path ? t0 + (uint64_t)(o.metrics_interval_s * 1e9) : UINT64_MAX;

	next_report = o.interval_s ? t0 + (uint64_t)(o.interval_s * 1e9) : UINT64_MAX;
	deadline = o.duration_s ? t0 + (uint64_t)(o.duration_s * 1e9) : UINT64_MAX;
	rc = FT_EXIT_OK;
	for (;;) {
		uint64_t now;
		int e = loader_poll(st.ldr, 100);

		if (e < 0) {
			fprintf(stderr, "famtrace: reading events failed: %s\n", strerror(-e));
			rc = FT_EXIT_RUNTIME;
			break;
		}
		now = clock_ns(CLOCK_BOOTTIME);
		correlate_tick(st.corr, now);
		/* Replay ticks where live tracing ticked: same groups, same order. */
		if (st.rec && !st.rec_failed && rec_write_tick(st.rec, now))
			st.rec_failed = true;
		if (now >= next_lost_check) {
			/* Say so while it happens, not only in the report. */
			uint64_t lost;

			refresh_counters(&st, now);
			if (st.rec && !st.rec_failed && rec_writer_sync(st.rec, now))
				st.rec_failed = true;
			lost = correlator_stats(st.corr)->lost;
			if (lost > lost_seen)
				fprintf(stderr, "famtrace: warning: %llu events lost in the last second "
						"(ring buffer full; try --buffer-size or narrower filters)\n",
					(unsigned long long)(lost - lost_seen));
			lost_seen = lost;
			next_lost_check = now + 1000000000ULL;
		}
		if (st.rec_failed) {
			fprintf(stderr, "famtrace: recording failed, stopping: %s\n",
				rec_writer_error(st.rec));
			rc = FT_EXIT_RUNTIME;
			break;
		}
		if (hup_signal) {
			hup_signal = 0;
			if (st.rec) {
				if (rec_writer_reopen(st.rec, now)) {
					fprintf(stderr, "famtrace: recording: cannot reopen: %s\n",
						rec_writer_error(st.rec));
					rc = FT_EXIT_RUNTIME;
					break;
				}
				fprintf(stderr, "famtrace: SIGHUP: reopened %s\n", o.rec_path);
			} else {
				stop_signal = SIGHUP; /* a hang-up ends a terminal session */
			}
		}
		if (now >= next_metrics) {
			refresh_counters(&st, now);
			write_metrics(&st, o.metrics_path);
			next_metrics = now + (uint64_t)(o.metrics_interval_s * 1e9);
		}
		if (now >= next_report) {
			report(&st, now);
			next_report = now + (uint64_t)(o.interval_s * 1e9);
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
	loader_poll(st.ldr, 0);
	correlate_flush(st.corr);
	end_ns = clock_ns(CLOCK_BOOTTIME);
	if ((!o.check || o.verbose) && !o.record)
		report(&st, end_ns);
	else
		refresh_counters(&st, end_ns);
	if (st.metrics) {
		write_metrics(&st, o.metrics_path);
		metrics_free(st.metrics);
	}
	if (st.rec) {
		uint64_t bytes = rec_writer_bytes(st.rec);

		if (rec_writer_close(st.rec, end_ns, err, sizeof(err)) || st.rec_failed) {
			fprintf(stderr, "famtrace: recording incomplete: %s\n", err);
			rc = FT_EXIT_RUNTIME;
		} else {
			fprintf(stderr, "famtrace: recorded %llu events to %s (%.1f KiB compressed)\n",
				(unsigned long long)correlator_events(st.corr), o.rec_path,
				(double)bytes / 1024);
		}
	}
	{
		struct source_stats *ss = correlator_stats(st.corr);

		if (ss->lost || ss->track_full || ss->pending_full || ss->malformed)
			fprintf(stderr, "famtrace: warning: the trace is incomplete (%llu records lost, "
					"%llu attempts and %llu processes not tracked, %llu malformed)\n",
				(unsigned long long)ss->lost, (unsigned long long)ss->pending_full,
				(unsigned long long)ss->track_full, (unsigned long long)ss->malformed);
	}
	if (o.check) {
		struct source_stats *ss = correlator_stats(st.corr);

		rc = check_verdict(stdout, o.json, st.corr, &expect);
		if (ss->lost || ss->pending_full || ss->track_full) {
			fprintf(stderr, "famtrace: check: events were lost; the verdict cannot be trusted\n");
			rc = 2;
		}
		loader_close(st.ldr);
		correlator_free(st.corr);
		if (child > 0 && !child_gone_at)
			waitpid(child, &child_status, 0);
		return rc;
	}
	loader_close(st.ldr);
	correlator_free(st.corr);
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
