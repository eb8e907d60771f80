// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * cli.c - famtrace's command line (cli.h): option parsing, and the checks
 * that tie options to the subcommands that take them (cli_table.c says which). Every
 * rejection is one line on stderr starting with "famtrace:" and exit 2;
 * getopt's own messages are replaced by ours.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/cli_table.h"
#include "lib/exitcodes.h"
#include "report/report.h"

/* Built-in mail programs: Postfix daemons and tools, other MTAs, clients. */
const char *const cli_mail_comms[] = {
	"master", "smtp", "smtpd", "lmtp", "qmgr", "bounce", "postscreen", "pickup",
	"cleanup", "local", "virtual", "pipe", "showq", "tlsmgr", "verify", "scache",
	"proxymap", "postdrop", "postqueue", "sendmail", "sendmail-mta", "sm-mta",
	"exim", "exim4", "opensmtpd", "smtpctl", "nullmailer-send", "ssmtp", "dma",
	"swaks", "msmtp", "mutt", "neomutt", "fetchmail", "thunderbird", "mailx",
	"s-nail", "mbsync", "offlineimap", "getmail", "claws-mail", "alpine",
};
const size_t cli_n_mail_comms = sizeof(cli_mail_comms) / sizeof(cli_mail_comms[0]);
const uint16_t cli_mail_ports[] = { 25, 465, 587, 2525, 24, 110, 143, 993, 995 };
const size_t cli_n_mail_ports = sizeof(cli_mail_ports) / sizeof(cli_mail_ports[0]);

const char *cli_version(void)
{
	return FAMTRACE_VERSION;
}

/* The subcommand being parsed, for the messages (0: none yet). */
static unsigned parsing_sub;

unsigned cli_sub_of(const struct opts *o)
{
	return o->run ? SUB_RUN : o->record ? SUB_RECORD : o->report ? SUB_REPORT : o->check ? SUB_CHECK :
									    SUB_LIVE;
}

/* "report" while a subcommand's options are parsed, else "". */
static const char *sub_prefix(const struct opts *o)
{
	const struct cli_subcmd *s = cli_subcmd_by_bit(cli_sub_of(o));

	return parsing_sub && s && s->name ? s->name : "";
}

int cli_usage_error(const char *fmt, ...)
{
	const struct cli_subcmd *s = parsing_sub ? cli_subcmd_by_bit(parsing_sub) : NULL;
	va_list ap;

	fprintf(stderr, "famtrace: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (s && s->name)
		fprintf(stderr, " (see famtrace help %s)\n", s->name);
	else
		fprintf(stderr, " (see famtrace --help)\n");
	return FT_EXIT_USAGE;
}

/* An option given to a subcommand that does not take it: name both, and
 * the subcommands that do. */
static int check_given(const struct opts *o)
{
	unsigned sub = cli_sub_of(o);
	const struct cli_subcmd *s = cli_subcmd_by_bit(sub);

	for (size_t i = 0; i < cli_n_options; i++) {
		const struct cli_option *c = &cli_options[i];
		char takers[160];
		size_t n = 0, k = 0, count = 0;

		if (!(o->given >> i & 1) || (c->subs & sub))
			continue;
		for (size_t j = 0; j < cli_n_subcmds; j++)
			count += !!(c->subs & cli_subcmds[j].bit);
		takers[0] = 0;
		for (size_t j = 0; j < cli_n_subcmds && n < sizeof(takers); j++)
			if (c->subs & cli_subcmds[j].bit) {
				k++;
				n += (size_t)snprintf(takers + n, sizeof(takers) - n, "%s%s",
						      k == 1 ? "" : k == count ? " and " : ", ",
						      cli_subcmds[j].what);
			}
		parsing_sub = sub;
		return cli_usage_error("%s does not take --%s (%s %s)", s->what, c->name, takers,
				       count == 1 ? "does" : "do");
	}
	return -1;
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

/* "25,587": every element a port; an empty list or element is an error,
 * never "no mail ports" (which would switch the mail-port rule off). */
/* "25,587" into ports (at most MAX_PORTS); opt names the option in errors. */
static int parse_port_list(const char *opt, const char *list, uint16_t *ports, size_t *n)
{
	const char *s = list;

	*n = 0;
	for (;;) {
		char *end;
		long v;

		errno = 0;
		v = strtol(s, &end, 10);
		if (end == s || errno || (*end && *end != ',') || v < 1 || v > 65535) {
			size_t k = strcspn(s, ",");

			return cli_usage_error("%s: '%.*s' in '%s' is not a port number (1-65535)", opt,
					       (int)k, s, list);
		}
		if (*n == MAX_PORTS)
			return cli_usage_error("%s: at most %d ports", opt, MAX_PORTS);
		ports[(*n)++] = (uint16_t)v;
		if (!*end)
			return 0;
		s = end + 1;
	}
}

static int parse_ports(struct opts *o, const char *list)
{
	o->ports_given = true;
	return parse_port_list("--port", list, o->ports, &o->n_ports);
}

/* getopt's tables, built from cli_options[] once. */
static struct option long_opts[80];
static char short_opts[80];

static void build_getopt(void)
{
	size_t n = 0, k = 0;

	if (short_opts[0])
		return;
	short_opts[k++] = '+'; /* stop at the first operand (the subcommand, CMD) */
	short_opts[k++] = ':'; /* a missing value returns ':' */
	for (size_t i = 0; i < cli_n_options && n + 1 < sizeof(long_opts) / sizeof(long_opts[0]); i++) {
		const struct cli_option *c = &cli_options[i];

		long_opts[n++] = (struct option){ c->name, c->has_arg, NULL, c->val };
		if (c->short_name && k + 3 < sizeof(short_opts)) {
			short_opts[k++] = c->short_name;
			if (c->has_arg == required_argument)
				short_opts[k++] = ':';
		}
	}
	long_opts[n] = (struct option){ 0 };
	short_opts[k] = 0;
}

/* What to trace: -a, -p, -c, --port. Returns -1 when taken, or an
 * exit code. */
static int opt_what(struct opts *o, int c, int argc, char **argv)
{
	int rc;

	switch (c) {
	case OPT_CONTAINER:
	case OPT_UNIT:
		if (o->place)
			return cli_usage_error("--container and --unit: give one of them, once");
		/* Container names are [a-zA-Z0-9][a-zA-Z0-9_.-]*, ids hex; a
		 * unit's name adds '@', ':' and '\\' (systemd's escapes). */
		if (!*optarg || strlen(optarg) > 127 ||
		    strspn(optarg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-@:\\") !=
			    strlen(optarg) ||
		    (c == OPT_CONTAINER && strpbrk(optarg, "@:\\")))
			return cli_usage_error("--%s: '%s' is not a %s name", c == OPT_CONTAINER ? "container" : "unit",
					       optarg, c == OPT_CONTAINER ? "container" : "unit");
		o->place = optarg;
		o->place_is_container = c == OPT_CONTAINER;
		break;
	case 'a':
		o->all = true;
		break;
	case 'p': {
		char *end;
		long v = strtol(optarg, &end, 10);

		if (*optarg == 0 || *end || v < 1 || v > INT_MAX)
			return cli_usage_error("--pid: '%s' is not a process id", optarg);
		if (o->n_pids == MAX_PIDS)
			return cli_usage_error("--pid: at most %d processes", MAX_PIDS);
		o->pids[o->n_pids++] = (pid_t)v;
		break;
	}
	case 'c':
		if (!*optarg || strlen(optarg) >= FT_COMM_LEN)
			return cli_usage_error("--comm: '%s' must be 1-%d characters (the kernel's "
					   "process name length)", optarg, FT_COMM_LEN - 1);
		if (o->n_comms == FT_MAX_COMMS)
			return cli_usage_error("--comm: at most %d names", FT_MAX_COMMS);
		o->comms[o->n_comms++] = optarg;
		break;
	case OPT_PORT:
		if ((rc = parse_ports(o, optarg)))
			return rc;
		break;
	}
	return -1;
}

/* Output: -j, -T, -w, -i, -v, -d. Returns -1 when taken, or an
 * exit code. */
static int opt_output(struct opts *o, int c, int argc, char **argv)
{
	switch (c) {
	case 'j':
		o->json = true;
		break;
	case 'T':
		o->wall_time = true;
		break;
	case 'w':
		o->wide = true;
		break;
	case 'i':
		if (!parse_seconds(optarg, &o->interval_s))
			return cli_usage_error("--interval: '%s' is not a positive number of seconds", optarg);
		break;
	case 'v':
		o->verbose = true;
		break;
	case 'd':
		if (!parse_seconds(optarg, &o->duration_s))
			return cli_usage_error("--duration: '%s' is not a positive number of seconds", optarg);
		break;
	}
	return -1;
}

/* Recordings and metrics: -o, --rotate, --keep, --metrics,
 * --metrics-interval, --since, --until. Returns -1 when taken, or an
 * exit code. */
static int opt_record(struct opts *o, int c, int argc, char **argv)
{
	switch (c) {
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
			return cli_usage_error("--rotate: '%s' is not a size of at least 4K (e.g. 100M)",
					   optarg);
		o->rotate_bytes = (uint64_t)(v * (double)mul);
		break;
	}
	case OPT_KEEP: {
		char *end;
		long v = strtol(optarg, &end, 10);

		if (*optarg == 0 || *end || v < 0 || v > 1000)
			return cli_usage_error("--keep: '%s' is not a number of files (0-1000)", optarg);
		o->keep = (unsigned)v;
		o->keep_given = true;
		break;
	}
	case OPT_METRICS:
		o->metrics_path = optarg;
		break;
	case OPT_METRICS_INTERVAL:
		if (!parse_seconds(optarg, &o->metrics_interval_s) || o->metrics_interval_s < 0.1)
			return cli_usage_error("--metrics-interval: '%s' is not a number of seconds "
					   "(at least 0.1)", optarg);
		break;
	case OPT_SINCE:
		o->since = optarg;
		break;
	case OPT_UNTIL:
		o->until = optarg;
		break;
	}
	return -1;
}

/* The MTA's log: --maillog, --journal, --journal-dir, and the message
 * filters. Returns -1 when taken, or an
 * exit code. */
static int opt_log(struct opts *o, int c, int argc, char **argv)
{
	switch (c) {
	case OPT_MAILLOG:
		if (o->n_maillogs == sizeof(o->maillogs) / sizeof(o->maillogs[0]))
			return cli_usage_error("--maillog: at most %zu files", o->n_maillogs);
		if (access(optarg, R_OK))
			return cli_usage_error("--maillog: %s: %s", optarg, strerror(errno));
		o->maillogs[o->n_maillogs++] = optarg;
		break;
	case OPT_JOURNAL:
		o->journal = true;
		break;
	case OPT_CONTAINER_LOGS:
		o->container_logs = true;
		break;
	case OPT_JOURNAL_DIR: {
		struct stat st;

		if (stat(optarg, &st))
			return cli_usage_error("--journal-dir: %s: %s", optarg, strerror(errno));
		if (!S_ISDIR(st.st_mode))
			return cli_usage_error("--journal-dir: %s: not a directory", optarg);
		o->journal = true;
		o->journal_dir = optarg;
		break;
	}
	case OPT_QUEUE_ID:
		/* Postfix (hex, or long IDs up to 20), Sendmail (12-16)
		 * and Exim (6-6-2, or 6-11-4 since 4.97: 23 with dashes). */
		if (strlen(optarg) < 5 || strlen(optarg) > 23 ||
		    strspn(optarg, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-") !=
			    strlen(optarg))
			return cli_usage_error("--queue-id: '%s' is not a queue ID (5-23 letters, digits "
					       "and dashes: Postfix, Sendmail or Exim)", optarg);
		o->queue_id = optarg;
		break;
	case OPT_DOMAIN:
		if (!*optarg || strchr(optarg, '@') || strchr(optarg, ' '))
			return cli_usage_error("--domain: '%s' is not a domain", optarg);
		o->domain = optarg;
		break;
	case OPT_RECIPIENT:
		if (!strchr(optarg, '@') || strchr(optarg, ' '))
			return cli_usage_error("--recipient: '%s' is not an address (user@domain)", optarg);
		o->recipient = optarg;
		break;
	}
	return -1;
}

/* Check: the MTA instance and what is expected of it. Returns -1 when taken, or an
 * exit code. */
static int opt_check(struct opts *o, int c, int argc, char **argv)
{
	double secs;

	switch (c) {
	case OPT_POSTFIX:
		o->postfix_dir = optarg;
		break;
	case OPT_EXIM:
		/* --exim, --exim=CONF, or --exim CONF (a word that is not an
		 * option and not the -- before a command). */
		o->exim = true;
		o->exim_conf = optarg;
		if (!optarg && optind < argc && argv[optind][0] != '-')
			o->exim_conf = argv[optind++];
		break;
	case OPT_SENDMAIL:
		o->sendmail = true;
		o->sendmail_cf = optarg;
		if (!optarg && optind < argc && argv[optind][0] != '-')
			o->sendmail_cf = argv[optind++];
		break;
	case OPT_OPENSMTPD:
		o->opensmtpd = true;
		o->opensmtpd_conf = optarg;
		if (!optarg && optind < argc && argv[optind][0] != '-')
			o->opensmtpd_conf = argv[optind++];
		break;
	case OPT_EXPECT:
		o->expect = optarg;
		break;
	case OPT_PREFER:
		o->prefer = optarg;
		break;
	case OPT_MAX_LOST:
		if (!parse_seconds(optarg, &secs))
			return cli_usage_error("--max-lost: '%s' is not a positive number of seconds",
					       optarg);
		o->max_lost_ns = (uint64_t)(secs * 1e9);
		break;
	}
	return -1;
}

/* The rest: grouping, nameserver ports, the policy table, the resolver,
 * the kernel side's sizes, --debug. Returns -1 when taken, or an
 * exit code. */
static int opt_other(struct opts *o, int c, int argc, char **argv)
{
	int rc;
	double secs;

	switch (c) {
	case OPT_GAP:
		if (!parse_seconds(optarg, &secs) || secs > 3600)
			return cli_usage_error("--group-gap: '%s' is not a number of seconds (0-3600)", optarg);
		o->group_gap_ns = (uint64_t)(secs * 1e9);
		break;
	case OPT_DNS_PORT:
		if ((rc = parse_port_list("--dns-port", optarg, o->dns_ports, &o->n_dns_ports)))
			return rc;
		break;
	case OPT_GAI_CONF:
		if (access(optarg, R_OK))
			return cli_usage_error("--gai-conf: %s: %s", optarg, strerror(errno));
		o->gai_conf = optarg;
		break;
	case OPT_DEBUG:
		o->debug = true;
		break;
	case OPT_LIBC:
		if (o->n_libcs == sizeof(o->libcs) / sizeof(o->libcs[0]))
			return cli_usage_error("--libc: at most %zu libraries", o->n_libcs);
		if (access(optarg, R_OK))
			return cli_usage_error("--libc: %s: %s", optarg, strerror(errno));
		o->libcs[o->n_libcs++] = optarg;
		break;
	case OPT_NO_RESOLVER:
		o->no_resolver = true;
		break;
	case OPT_NO_DNS_WIRE:
		o->no_dns_wire = true;
		break;
	case OPT_NO_FEXIT:
		o->no_fexit = true;
		break;
	case OPT_BUFFER: {
		char *end;
		unsigned long kb = strtoul(optarg, &end, 10);

		if (*optarg == 0 || *end || kb < 4 || kb > 1024 * 1024 || (kb & (kb - 1)))
			return cli_usage_error("--buffer-size: '%s' must be a power of two in KiB, "
					   "4 to 1048576", optarg);
		o->ringbuf_bytes = (uint32_t)(kb * 1024);
		break;
	}
	case OPT_MAP_ENTRIES: {
		char *end;
		unsigned long v = strtoul(optarg, &end, 10);

		if (*optarg == 0 || *end || v < 16 || v > 1048576)
			return cli_usage_error("--map-entries: '%s' must be a number from 16 to "
					       "1048576", optarg);
		o->map_entries = (uint32_t)v;
		break;
	}
	}
	return -1;
}

/* Returns -1 to go on, or an exit code. */
int cli_parse(struct opts *o, int argc, char **argv)
{
	int c, rc;

	opterr = 0; /* our messages, one line each */
	build_getopt();
	while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		const struct cli_option *given = cli_option_by_val(c);

		if (given)
			o->given |= 1ULL << (given - cli_options);
		switch (given ? given->group : G_N) {
		case G_WHAT:
			rc = opt_what(o, c, argc, argv);
			break;
		case G_OUTPUT:
			rc = opt_output(o, c, argc, argv);
			break;
		case G_RECORD:
			rc = opt_record(o, c, argc, argv);
			break;
		case G_LOG:
			rc = opt_log(o, c, argc, argv);
			break;
		case G_CHECK:
			rc = opt_check(o, c, argc, argv);
			break;
		default:
			rc = c == 'h' || c == 'V' || !given ? -1 : opt_other(o, c, argc, argv);
			break;
		}
		if (rc >= 0)
			return rc;
		if (given && c != 'h' && c != 'V')
			continue; /* taken */
		switch (c) {
		case 'h':
			if (cli_sub_of(o) == SUB_LIVE)
				cli_usage(stdout);
			else
				cli_usage_for(stdout, cli_sub_of(o));
			return FT_EXIT_OK;
		case 'V':
			printf("famtrace %s (%s%s%srecord ABI %d, JSON schema %d)\n", FAMTRACE_VERSION,
			       FAMTRACE_GIT[0] ? "git " : "", FAMTRACE_GIT, FAMTRACE_GIT[0] ? "; " : "",
			       FT_ABI_VERSION, FT_JSON_SCHEMA);
			return FT_EXIT_OK;
		case ':':
			return cli_usage_error("%s%soption '%s' needs a value", sub_prefix(o), *sub_prefix(o) ? ": " : "",
					       argv[optind - 1]);
		default:
			if (optopt)
				return cli_usage_error("%s%sunknown option '-%c'", sub_prefix(o),
						       *sub_prefix(o) ? ": " : "", optopt);
			return cli_usage_error("%s%sunknown option '%s'", sub_prefix(o), *sub_prefix(o) ? ": " : "",
					       argv[optind - 1]);
		}
	}
	return -1;
}


int cli_parse_all(struct opts *o, int argc, char **argv, int *first_operand)
{
	int rc;

	if ((rc = cli_parse(o, argc, argv)) >= 0)
		return rc;
	*first_operand = argc;
	if (optind < argc) {
		const char *sub = argv[optind];
		int base = optind;

		/* `famtrace help [SUBCOMMAND]`: the same as --help. */
		if (!strcmp(sub, "help")) {
			const char *of = optind + 1 < argc ? argv[optind + 1] : NULL;

			if (optind + 2 < argc)
				return cli_usage_error("help takes at most one subcommand");
			if (!of) {
				cli_usage(stdout);
				return 0;
			}
			o->run = !strcmp(of, "run");
			o->check = !strcmp(of, "check");
			o->record = !strcmp(of, "record");
			o->report = !strcmp(of, "report");
			if (!o->run && !o->check && !o->record && !o->report && strcmp(of, "live")) {
				o->check = false;
				return cli_usage_error("help: unknown command '%s' (live, run, check, record, "
						       "report)", of);
			}
			cli_usage_for(stdout, cli_sub_of(o));
			o->check = false; /* help is no check: exit 0 */
			return 0;
		}
		if (!strcmp(sub, "run"))
			o->run = true;
		else if (!strcmp(sub, "check"))
			o->check = true;
		else if (!strcmp(sub, "record"))
			o->record = true;
		else if (!strcmp(sub, "report"))
			o->report = true;
		else
			return cli_usage_error("unknown command '%s'", sub);
		parsing_sub = cli_sub_of(o);
		optind = base + 1;
		/* getopt_long wants argv[0] before the options: hand it the
		 * subcommand's name in that place. */
		argc -= base;
		argv += base;
		optind = 1;
		if ((rc = cli_parse(o, argc, argv)) >= 0)
			return rc;
		*first_operand = base + optind;
		if ((rc = check_given(o)) >= 0)
			return rc;
		if (o->report)
			return -1;
		if (optind < argc)
			o->cmd = argv + optind;
		else if (o->run)
			return cli_usage_error("run: no command given (famtrace run -- CMD [ARG...])");
	}
	if ((rc = check_given(o)) >= 0)
		return rc;
	if (o->record && !o->rec_path)
		return cli_usage_error("record: say where with -o FILE");
	if (o->record && o->cmd)
		return cli_usage_error("record traces live; to record a command use famtrace run -o FILE -- CMD");
	if ((o->rotate_bytes || o->keep_given) && !o->rec_path)
		return cli_usage_error("--rotate and --keep belong to a recording (-o FILE)");
	if (o->metrics_interval_s && !o->metrics_path)
		return cli_usage_error("--metrics-interval needs --metrics FILE");
	if ((o->queue_id || o->domain || o->recipient) && !o->n_maillogs && !o->journal && !o->container_logs)
		return cli_usage_error("--queue-id, --domain and --recipient select messages of the MTA's "
				       "log: give it with --maillog FILE, --journal or --container-logs");
	if (!o->keep_given)
		o->keep = 5;
	if (!o->metrics_interval_s)
		o->metrics_interval_s = 15;
	if (!!o->postfix_dir + o->exim + o->sendmail + o->opensmtpd > 1)
		return cli_usage_error("check: --postfix, --exim, --sendmail, --opensmtpd: one MTA instance at a time");
	if (o->all && (o->n_pids || o->n_comms))
		return cli_usage_error("--all cannot be combined with --pid or --comm");
	return -1;
}
