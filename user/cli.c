/*
 * cli.c - famtrace's command line (cli.h): usage text, option parsing, and
 * the checks that tie options to the subcommands they belong to. Every
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

#include "cli.h"
#include "exitcodes.h"
#include "report.h"

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

void cli_usage(FILE *f)
{
	fprintf(f,
"Usage: famtrace [OPTIONS]                 trace mail processes live until Ctrl-C\n"
"       famtrace run [OPTIONS] -- CMD [ARG...]  trace CMD and its children\n"
"       famtrace record -o FILE [OPTIONS]  write a recording until Ctrl-C\n"
"       famtrace report [OPTIONS] FILE...  the report, from recordings\n"
"       famtrace help [SUBCOMMAND]         this, or one subcommand's usage\n"
"       famtrace check [--postfix DIR | --exim [CONF] | --sendmail [CF]]\n"
"                      [--expect F] [--prefer F] [--max-lost SECONDS]\n"
"                      (-d SECONDS | -- CMD [ARG...])\n"
"                          does an MTA use the address families it is\n"
"                          configured for, and does its mail leave? Exits\n"
"                          as a monitoring plugin: 0 OK (conforms), 1 WARNING\n"
"                          (violation, or degraded), 2 CRITICAL (mail stuck),\n"
"                          3 UNKNOWN (could not check)\n"
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
"  -j, --json              JSON Lines instead of text (schema: docs/json.md)\n"
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
"                          reads inet_protocols, smtp_address_preference,\n"
"                          smtp_mx_address_limit, smtp_balance_inet_protocols\n"
"                          and the rest that decide delivery, with postconf;\n"
"                          traces its master and children, and CMD\n"
"      --exim [CONF]       the Exim instance of configuration CONF (default:\n"
"                          Exim's own): reads disable_ipv6, dns_ipv4_lookup\n"
"                          and the smtp transports' hosts_try_fastopen,\n"
"                          hosts_max_try and timeouts with exim -bP; traces\n"
"                          its daemon (when running) and children, and CMD\n"
"      --sendmail [CF]     the Sendmail instance of sendmail.cf CF (default\n"
"                          /etc/mail/sendmail.cf): reads its Client- and\n"
"                          DaemonPortOptions, Timeout.connect/iconnect and\n"
"                          ResolverOptions; traces its daemon (PidFile, when\n"
"                          running) and children, and CMD\n"
"      --expect F          allowed families: ipv4, ipv6 or all (overrides)\n"
"      --prefer F          first family for dual-stack destinations: ipv4,\n"
"                          ipv6 or any (overrides)\n"
"      --max-lost SECONDS  a fallback that loses more than this is a finding\n"
"      (without --postfix, --exim or --sendmail, name the MTA's processes with\n"
"      -p PID\n"
"      or -- CMD)\n"
"Other:\n"
"  -d, --duration SECONDS  stop after SECONDS\n"
"      --group-gap SECONDS attempts to one port within this gap form one\n"
"                          destination group (default 2)\n"
"      --maillog FILE      the MTA's log (Postfix, Exim, Sendmail): messages\n"
"                          joined to what famtrace saw behind each delivery\n"
"                          (live: followed across rotation; report: plain or\n"
"                          gzip; repeatable)\n"
"      --journal           the MTA's log from the systemd journal (its mail\n"
"                          facility, through journalctl): live, followed;\n"
"                          report, from the recording's start\n"
"      --journal-dir DIR   the same from journal files in DIR (a copy)\n"
"      --queue-id QID, --domain DOMAIN, --recipient ADDR\n"
"                          with --maillog or --journal: show only these\n"
"                          messages\n"
"      --dns-port LIST     nameserver ports (default 53): DNS messages to and\n"
"                          from them are captured, and a UDP connect to one\n"
"                          is a resolver's DNS socket, not a route probe\n"
"      --gai-conf FILE     getaddrinfo's address-sorting policy (RFC 6724)\n"
"                          used to explain result orders (default\n"
"                          /etc/gai.conf, else glibc's built-in table)\n"
"      --libc PATH         also trace lookups through this C library\n"
"                          (default: the system's, and those mapped by\n"
"                          traced processes, e.g. in containers)\n"
"      --no-resolver       do not trace lookups (connects only)\n"
"      --no-dns-wire       do not capture DNS messages on the wire (only the\n"
"                          C library's resolver calls are seen)\n"
"      --no-fexit          take connect()'s errno from the route lookup only,\n"
"                          even where the kernel allows fexit programs\n"
"      --buffer-size KIB   kernel ring buffer size, a power of two (default 4096)\n"
"      --map-entries N     size of the kernel's process and attempt maps\n"
"                          (default 65536); a full map refuses and counts\n"
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
"  sudo famtrace check --exim -- exim4 -qff\n"
"  sudo famtrace check --sendmail -- sendmail -q\n"
"  sudo famtrace record -o /var/log/famtrace/trace.ftr.gz --rotate 100M\n"
"  famtrace report -T /var/log/famtrace/trace.ftr.gz* --since 09:00\n"
"\n"
"Exit codes: 0 ok (run: CMD's status), 1 runtime failure, 2 bad usage,\n"
"3 missing privileges, 4 kernel lacks BTF/ring buffer or refused the\n"
"programs, 5 tracefs unavailable, 6 no such process, 7 a recording is\n"
"unreadable (not a recording, corrupt, or a newer format).\n");
}

/* `famtrace SUBCOMMAND --help`: what that subcommand does and takes. */
static void usage_for(FILE *f, const struct opts *o)
{
	if (o->run)
		fprintf(f,
"Usage: famtrace run [OPTIONS] -- CMD [ARG...]\n"
"Trace CMD and its children; exit with CMD's status. Takes the output,\n"
"recording and metrics options (-j -T -v -i -d -o --rotate --keep --metrics\n"
"--metrics-interval --group-gap --libc --no-resolver --no-dns-wire --no-fexit\n"
"--dns-port --buffer-size\n"
"--map-entries --debug).\n");
	else if (o->record)
		fprintf(f,
"Usage: famtrace record -o FILE [OPTIONS]\n"
"Write a recording (gzip, 0600, synced every second) until Ctrl-C or -d.\n"
"An existing recording at FILE moves to FILE.1; a second famtrace on FILE\n"
"refuses to start. Takes --rotate SIZE, --keep N, --metrics FILE and the\n"
"filters (-a -p -c --port).\n");
	else if (o->report)
		fprintf(f,
"Usage: famtrace report [OPTIONS] FILE...\n"
"The report of recordings, in any order (sorted by their headers). Takes\n"
"-j -T -v -p PID -c COMM --group-gap --gai-conf --metrics FILE, --maillog\n"
"FILE, --journal or --journal-dir DIR with --queue-id/--domain/--recipient,\n"
"and --since/--until\n"
"TIME (\"YYYY-MM-DD HH:MM:SS\", HH:MM[:SS], @UNIXSECONDS, +SECONDS).\n"
"Exit 7 when a file is not a recording, is corrupt, or is newer.\n");
	else if (o->check)
		fprintf(f,
"Usage: famtrace check [--postfix DIR | --exim [CONF] | --sendmail [CF]]\n"
"                      [--expect F] [--prefer F] [--max-lost SECONDS]\n"
"                      (-d SECONDS | -- CMD [ARG...])\n"
"Does the MTA use the families it is configured for, and does its mail\n"
"leave? --postfix DIR reads the instance with postconf and traces its\n"
"master; --exim [CONF] reads Exim's with exim -bP and traces its daemon;\n"
"--sendmail [CF] reads sendmail.cf; -- CMD is traced too (exim4 -qff and\n"
"sendmail -q deliver in their own processes);\n"
"-p PID names other processes.\n"
"The first line is a monitoring plugin's status line; exit 0 OK (conforms),\n"
"1 WARNING (a violation, or degraded: mail leaves but a family is unusable\n"
"or costly), 2 CRITICAL (mail stuck), 3 UNKNOWN (could not check, nothing\n"
"observed, or an incomplete trace).\n");
	fprintf(f, "famtrace --help lists every option; man famtrace has the details.\n");
}

const char *cli_version(void)
{
	return FAMTRACE_VERSION;
}

int cli_usage_error(const char *fmt, ...)
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

enum { OPT_PORT = 256, OPT_GAP, OPT_DEBUG, OPT_LIBC, OPT_NO_RESOLVER, OPT_POSTFIX, OPT_EXIM, OPT_SENDMAIL, OPT_EXPECT,
       OPT_PREFER, OPT_BUFFER, OPT_ROTATE, OPT_KEEP, OPT_METRICS, OPT_METRICS_INTERVAL, OPT_SINCE,
       OPT_UNTIL, OPT_MAP_ENTRIES, OPT_MAX_LOST, OPT_GAI_CONF, OPT_MAILLOG, OPT_JOURNAL, OPT_JOURNAL_DIR, OPT_QUEUE_ID,
       OPT_DOMAIN, OPT_RECIPIENT, OPT_DNS_PORT, OPT_NO_DNS_WIRE, OPT_NO_FEXIT };

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
	{ "gai-conf", required_argument, NULL, OPT_GAI_CONF },
	{ "maillog", required_argument, NULL, OPT_MAILLOG },
	{ "journal", no_argument, NULL, OPT_JOURNAL },
	{ "journal-dir", required_argument, NULL, OPT_JOURNAL_DIR },
	{ "dns-port", required_argument, NULL, OPT_DNS_PORT },
	{ "queue-id", required_argument, NULL, OPT_QUEUE_ID },
	{ "domain", required_argument, NULL, OPT_DOMAIN },
	{ "recipient", required_argument, NULL, OPT_RECIPIENT },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "libc", required_argument, NULL, OPT_LIBC },
	{ "no-resolver", no_argument, NULL, OPT_NO_RESOLVER },
	{ "no-dns-wire", no_argument, NULL, OPT_NO_DNS_WIRE },
	{ "no-fexit", no_argument, NULL, OPT_NO_FEXIT },
	{ "postfix", required_argument, NULL, OPT_POSTFIX },
	{ "exim", optional_argument, NULL, OPT_EXIM },
	{ "sendmail", optional_argument, NULL, OPT_SENDMAIL },
	{ "expect", required_argument, NULL, OPT_EXPECT },
	{ "prefer", required_argument, NULL, OPT_PREFER },
	{ "buffer-size", required_argument, NULL, OPT_BUFFER },
	{ "map-entries", required_argument, NULL, OPT_MAP_ENTRIES },
	{ "max-lost", required_argument, NULL, OPT_MAX_LOST },
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
int cli_parse(struct opts *o, int argc, char **argv)
{
	int c, rc;
	double secs;

	opterr = 0; /* our messages, one line each */
	while ((c = getopt_long(argc, argv, "+:ap:c:jTi:vd:o:hV", long_opts, NULL)) != -1) {
		switch (c) {
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
		case 'j':
			o->json = true;
			break;
		case 'T':
			o->wall_time = true;
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
		case OPT_GAP:
			if (!parse_seconds(optarg, &secs) || secs > 3600)
				return cli_usage_error("--group-gap: '%s' is not a number of seconds (0-3600)", optarg);
			o->group_gap_ns = (uint64_t)(secs * 1e9);
			break;
		case OPT_DNS_PORT:
			if ((rc = parse_port_list("--dns-port", optarg, o->dns_ports, &o->n_dns_ports)))
				return rc;
			break;
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
				return cli_usage_error("--buffer-size: '%s' must be a power of two in KiB, "
						   "4 to 1048576", optarg);
			o->ringbuf_bytes = (uint32_t)(kb * 1024);
			break;
		}
		case 'o':
			o->rec_path = optarg;
			break;
		case OPT_MAX_LOST:
			if (!parse_seconds(optarg, &secs))
				return cli_usage_error("--max-lost: '%s' is not a positive number of seconds",
						       optarg);
			o->max_lost_ns = (uint64_t)(secs * 1e9);
			break;
		case OPT_MAP_ENTRIES: {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*optarg == 0 || *end || v < 16 || v > 1048576)
				return cli_usage_error("--map-entries: '%s' must be a number from 16 to "
						       "1048576", optarg);
			o->map_entries = (uint32_t)v;
			break;
		}
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
		case 'h':
			if (o->run || o->record || o->report || o->check)
				usage_for(stdout, o);
			else
				cli_usage(stdout);
			return FT_EXIT_OK;
		case 'V':
			printf("famtrace %s (%s%s%srecord ABI %d, JSON schema %d)\n", FAMTRACE_VERSION,
			       FAMTRACE_GIT[0] ? "git " : "", FAMTRACE_GIT, FAMTRACE_GIT[0] ? "; " : "",
			       FT_ABI_VERSION, FT_JSON_SCHEMA);
			return FT_EXIT_OK;
		case ':':
			return cli_usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return cli_usage_error("unknown option '-%c'", optopt);
			return cli_usage_error("unknown option '%s'", argv[optind - 1]);
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
			if (!o->run && !o->check && !o->record && !o->report) {
				o->check = false;
				return cli_usage_error("help: unknown command '%s' (run, check, record, report)", of);
			}
			usage_for(stdout, o);
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
		optind = base + 1;
		/* getopt_long wants argv[0] before the options: hand it the
		 * subcommand's name in that place. */
		argc -= base;
		argv += base;
		optind = 1;
		if ((rc = cli_parse(o, argc, argv)) >= 0)
			return rc;
		*first_operand = base + optind;
		if (o->report)
			return -1;
		if (optind < argc)
			o->cmd = argv + optind;
		else if (o->run)
			return cli_usage_error("run: no command given (famtrace run -- CMD [ARG...])");
	}
	if (o->record && !o->rec_path)
		return cli_usage_error("record: say where with -o FILE");
	if (o->record && o->cmd)
		return cli_usage_error("record traces live; to record a command use famtrace run -o FILE -- CMD");
	if ((o->rotate_bytes || o->keep_given) && !o->rec_path)
		return cli_usage_error("--rotate and --keep belong to a recording (-o FILE)");
	if (o->metrics_interval_s && !o->metrics_path)
		return cli_usage_error("--metrics-interval needs --metrics FILE");
	if (o->since || o->until)
		return cli_usage_error("--since and --until belong to famtrace report");
	if ((o->queue_id || o->domain || o->recipient) && !o->n_maillogs && !o->journal)
		return cli_usage_error("--queue-id, --domain and --recipient select messages of the MTA's "
				       "log: give it with --maillog FILE or --journal");
	if ((o->n_maillogs || o->journal) && (o->record || o->check))
		return cli_usage_error("--maillog and --journal belong to live tracing, run and report (a recording "
				       "keeps famtrace's events; give the log to famtrace report)");
	if (!o->keep_given)
		o->keep = 5;
	if (!o->metrics_interval_s)
		o->metrics_interval_s = 15;
	if ((o->postfix_dir || o->exim || o->sendmail || o->expect || o->prefer || o->max_lost_ns) &&
	    !o->check)
		return cli_usage_error("--postfix, --exim, --sendmail, --expect, --prefer and --max-lost "
				       "belong to famtrace check");
	if (!!o->postfix_dir + o->exim + o->sendmail > 1)
		return cli_usage_error("check: --postfix, --exim, --sendmail: one MTA instance at a time");
	if (o->check && (o->all || o->n_comms))
		return cli_usage_error("check traces one instance; --all and --comm do not apply");
	if (o->all && (o->n_pids || o->n_comms || o->run))
		return cli_usage_error("--all cannot be combined with --pid, --comm or run");
	if (o->run && o->n_pids)
		return cli_usage_error("run traces its command; --pid cannot be added");
	return -1;
}
