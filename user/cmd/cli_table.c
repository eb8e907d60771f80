// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * cli_table.c - the subcommands and options of famtrace's command line, and
 * which subcommand takes which option (cli_table.h). Data only.
 */
#include <getopt.h>

#include "cmd/cli_table.h"

#define T SUB_TRACING
#define LOGS (SUB_LIVE | SUB_RUN | SUB_REPORT)       /* where the MTA's log is read */
#define LOGS_READ (LOGS | SUB_CHECK)			     /* ...and judged by */
#define SHOWN (SUB_LIVE | SUB_RUN | SUB_REPORT | SUB_CHECK) /* where a report is printed */

const struct cli_option cli_options[] = {
	/* What to trace */
	{ "all", 'a', no_argument, 'a', NULL, SUB_LIVE | SUB_RECORD, G_WHAT, "every process" },
	{ "pid", 'p', required_argument, 'p', "PID", SUB_LIVE | SUB_RECORD | SUB_REPORT | SUB_CHECK,
	  G_WHAT, "only this process and its descendants\n(repeatable)" },
	{ "comm", 'c', required_argument, 'c', "NAME", SUB_LIVE | SUB_RECORD | SUB_REPORT, G_WHAT,
	  "only processes named NAME (repeatable); replaces\nthe built-in list and, unless --port "
	  "is given,\nthe mail-port rule" },
	{ "container", 0, required_argument, OPT_CONTAINER, "NAME", SUB_LIVE | SUB_RUN | SUB_REPORT | SUB_CHECK,
	  G_WHAT, "only processes in this container (its name, or\n4+ characters of its id): shown, "
	  "and joined to\nthe MTA's log, whose pids are the container's;\ncheck --postfix DIR: DIR is "
	  "read inside it,\nby its own postconf" },
	{ "unit", 0, required_argument, OPT_UNIT, "NAME", SUB_LIVE | SUB_RUN | SUB_REPORT, G_WHAT,
	  "only processes of this systemd unit (NAME or\nNAME.service)" },
	{ "port", 0, required_argument, OPT_PORT, "LIST", SUB_LIVE | SUB_RECORD, G_WHAT,
	  "mail ports, comma-separated (default\n25,465,587,2525,24,110,143,993,995)" },
	/* Output */
	{ "json", 'j', no_argument, 'j', NULL, SHOWN, G_OUTPUT,
	  "JSON Lines instead of text (docs/json.md)" },
	{ "timestamps", 'T', no_argument, 'T', NULL, SHOWN, G_OUTPUT,
	  "wall-clock times instead of seconds since start" },
	{ "wide", 'w', no_argument, 'w', NULL, SHOWN, G_OUTPUT,
	  "one line per event, however long (default: text\nfolded to 100 columns, or $COLUMNS)" },
	{ "interval", 'i', required_argument, 'i', "SECONDS", SUB_LIVE | SUB_RUN, G_OUTPUT,
	  "print the per-process report every SECONDS" },
	{ "verbose", 'v', no_argument, 'v', NULL, SHOWN, G_OUTPUT,
	  "also successful route probes and plain successes" },
	{ "duration", 'd', required_argument, 'd', "SECONDS", T, G_OUTPUT, "stop after SECONDS" },
	/* Recordings and metrics */
	{ "output", 'o', required_argument, 'o', "FILE", T, G_RECORD,
	  "also write a recording (gzip; mode 0600; synced\nto disk every second; SIGHUP "
	  "reopens FILE)" },
	{ "rotate", 0, required_argument, OPT_ROTATE, "SIZE", T, G_RECORD,
	  "start a new FILE when it reaches SIZE (e.g. 100M);\nolder ones become FILE.1, FILE.2, ..." },
	{ "keep", 0, required_argument, OPT_KEEP, "N", T, G_RECORD, "rotated files to keep (default 5)" },
	{ "metrics", 0, required_argument, OPT_METRICS, "FILE", SUB_ALL, G_RECORD,
	  "Prometheus text file for node_exporter's textfile\ncollector, replaced atomically" },
	{ "metrics-interval", 0, required_argument, OPT_METRICS_INTERVAL, "SECONDS", T, G_RECORD,
	  "how often the metrics are written (default 15)" },
	{ "since", 0, required_argument, OPT_SINCE, "TIME", SUB_REPORT, G_RECORD,
	  "only events from TIME: \"YYYY-MM-DD HH:MM:SS\",\nHH:MM[:SS] on the day the recording "
	  "starts,\n@UNIXSECONDS or +SECONDS" },
	{ "until", 0, required_argument, OPT_UNTIL, "TIME", SUB_REPORT, G_RECORD,
	  "only events up to TIME (the same forms)" },
	/* The MTA's log */
	{ "maillog", 0, required_argument, OPT_MAILLOG, "FILE", LOGS_READ, G_LOG,
	  "the MTA's log (Postfix, Exim, Sendmail): messages\njoined to what famtrace saw behind "
	  "each delivery\n(live: followed across rotation; report: plain or\ngzip; repeatable)" },
	{ "journal", 0, no_argument, OPT_JOURNAL, NULL, LOGS_READ, G_LOG,
	  "the MTA's log from the systemd journal (its mail\nfacility, through journalctl): live, "
	  "followed;\nreport, from the recording's start" },
	{ "journal-dir", 0, required_argument, OPT_JOURNAL_DIR, "DIR", LOGS_READ, G_LOG,
	  "the same from journal files in DIR (a copy)" },
	{ "container-logs", 0, no_argument, OPT_CONTAINER_LOGS, NULL, LOGS_READ, G_LOG,
	  "each docker or podman container famtrace names:\nits runtime's log of its output (json-file,\n"
	  "k8s-file) as the MTA's log, its pids matched\nin that container only" },
	{ "queue-id", 0, required_argument, OPT_QUEUE_ID, "QID", LOGS, G_LOG,
	  "with --maillog, --journal or --container-logs:\nonly this message" },
	{ "domain", 0, required_argument, OPT_DOMAIN, "DOMAIN", LOGS, G_LOG,
	  "... only messages to this domain" },
	{ "recipient", 0, required_argument, OPT_RECIPIENT, "ADDR", LOGS, G_LOG,
	  "... only messages to this address" },
	/* Check */
	{ "postfix", 0, required_argument, OPT_POSTFIX, "DIR", SUB_CHECK, G_CHECK,
	  "the Postfix instance whose config directory is DIR:\nreads inet_protocols, "
	  "smtp_address_preference,\nsmtp_mx_address_limit and the rest that decide\ndelivery, "
	  "with postconf; traces its master and\nchildren, and CMD" },
	{ "exim", 0, optional_argument, OPT_EXIM, "[CONF]", SUB_CHECK, G_CHECK,
	  "the Exim instance of configuration CONF (default:\nExim's own): reads disable_ipv6, "
	  "dns_ipv4_lookup,\nthe smtp transports' hosts_max_try and timeouts\nwith exim -bP; traces "
	  "its daemon and children,\nand CMD" },
	{ "sendmail", 0, optional_argument, OPT_SENDMAIL, "[CF]", SUB_CHECK, G_CHECK,
	  "the Sendmail instance of sendmail.cf CF (default\n/etc/mail/sendmail.cf): its Client- and "
	  "\nDaemonPortOptions, timeouts and ResolverOptions;\ntraces its daemon and children, and CMD" },
	{ "opensmtpd", 0, optional_argument, OPT_OPENSMTPD, "[CONF]", SUB_CHECK, G_CHECK,
	  "the OpenSMTPD instance of smtpd.conf CONF (default\n/etc/smtpd.conf): its relay actions and the\n"
	  "source addresses (src) that decide its families,\nchecked with smtpd -n; traces its daemon and\n"
	  "children, and CMD" },
	{ "expect", 0, required_argument, OPT_EXPECT, "F", SUB_CHECK, G_CHECK,
	  "allowed families: ipv4, ipv6 or all (overrides)" },
	{ "prefer", 0, required_argument, OPT_PREFER, "F", SUB_CHECK, G_CHECK,
	  "first family for dual-stack destinations: ipv4,\nipv6 or any (overrides)" },
	{ "max-lost", 0, required_argument, OPT_MAX_LOST, "SECONDS", SUB_CHECK, G_CHECK,
	  "a fallback that loses more than this is a finding" },
	/* Other */
	{ "group-gap", 0, required_argument, OPT_GAP, "SECONDS", SHOWN, G_OTHER,
	  "attempts to one port within this gap form one\ndestination group (default 2)" },
	{ "dns-port", 0, required_argument, OPT_DNS_PORT, "LIST", SUB_ALL, G_OTHER,
	  "nameserver ports (default 53): DNS messages to and\nfrom them are captured, and a UDP "
	  "connect to one\nis a resolver's DNS socket, not a route probe" },
	{ "gai-conf", 0, required_argument, OPT_GAI_CONF, "FILE", SHOWN, G_OTHER,
	  "getaddrinfo's address-sorting policy (RFC 6724)\nused to explain result orders "
	  "(default\n/etc/gai.conf, else glibc's built-in table)" },
	{ "libc", 0, required_argument, OPT_LIBC, "PATH", T, G_OTHER,
	  "also trace lookups through this C library\n(default: the system's, and those mapped by\n"
	  "traced processes, e.g. in containers)" },
	{ "no-resolver", 0, no_argument, OPT_NO_RESOLVER, NULL, T, G_OTHER,
	  "do not trace lookups (connects only)" },
	{ "no-dns-wire", 0, no_argument, OPT_NO_DNS_WIRE, NULL, T, G_OTHER,
	  "do not capture DNS messages on the wire (only the\nC library's resolver calls are seen)" },
	{ "no-fexit", 0, no_argument, OPT_NO_FEXIT, NULL, T, G_OTHER,
	  "take connect()'s errno from the route lookup only,\neven where the kernel allows fexit "
	  "programs" },
	{ "buffer-size", 0, required_argument, OPT_BUFFER, "KIB", T, G_OTHER,
	  "kernel ring buffer size, a power of two (default\n4096)" },
	{ "map-entries", 0, required_argument, OPT_MAP_ENTRIES, "N", T, G_OTHER,
	  "size of the kernel's process and attempt maps\n(default 65536); a full map refuses and "
	  "counts" },
	{ "debug", 0, no_argument, OPT_DEBUG, NULL, T, G_OTHER,
	  "show libbpf's messages (verifier log) and the\nprivileges and confinement famtrace keeps" },
	{ "help", 'h', no_argument, 'h', NULL, SUB_ALL, G_OTHER, "this text" },
	{ "version", 'V', no_argument, 'V', NULL, SUB_ALL, G_OTHER, "version and record ABI" },
};
const size_t cli_n_options = sizeof(cli_options) / sizeof(cli_options[0]);

const struct cli_subcmd cli_subcmds[] = {
	{ SUB_LIVE, NULL, "live tracing", "famtrace [OPTIONS]",
	  "Trace mail processes live until Ctrl-C (or -d), then print the report.",
	  "sudo famtrace                          # watch Postfix/Exim/clients live\n"
	  "sudo famtrace -T -i 60                 # with times, report every minute\n"
	  "sudo famtrace -p $(pgrep -o master)    # one Postfix instance\n" },
	{ SUB_RUN, "run", "run", "famtrace run [OPTIONS] -- CMD [ARG...]",
	  "Trace CMD and its children; exit with CMD's status.",
	  "sudo famtrace run -- swaks --to u@example.com --server mx.example.com\n"
	  "sudo famtrace run -j -o q.ftr -- postqueue -f\n" },
	{ SUB_RECORD, "record", "record", "famtrace record -o FILE [OPTIONS]",
	  "Write a recording (gzip, 0600, synced every second) until Ctrl-C or -d.\n"
	  "A recording at FILE that ended cleanly is gone on in; any other moves to\n"
	  "FILE.1. A second famtrace on FILE refuses to start. Nothing is printed but\n"
	  "the recording's own messages: read it with famtrace report.",
	  "sudo famtrace record -o /var/log/famtrace/trace.ftr --rotate 100M --keep 20\n"
	  "sudo famtrace record -o trace.ftr --metrics /var/lib/prometheus/node-exporter/famtrace.prom\n" },
	{ SUB_REPORT, "report", "report", "famtrace report [OPTIONS] FILE...",
	  "The report of recordings, in any order (sorted by their headers); - reads\n"
	  "one from standard input. Exit 7 when a file is not a recording, is corrupt,\n"
	  "or is newer.",
	  "famtrace report -T /var/log/famtrace/trace.ftr* --since 09:00\n"
	  "famtrace report --maillog /var/log/mail.log --recipient u@example.com trace.ftr\n"
	  "ssh relay1 cat /var/log/famtrace/trace.ftr | famtrace report -\n" },
	{ SUB_CHECK, "check", "check",
	  "famtrace check [--postfix DIR | --exim [CONF] | --sendmail [CF] |\n"
	  "                      --opensmtpd [CONF]]\n"
	  "                      [--expect F] [--prefer F] [--max-lost SECONDS]\n"
	  "                      (-d SECONDS | -- CMD [ARG...])",
	  "Does the MTA use the address families it is configured for, and does its\n"
	  "mail leave? Without --postfix, --exim, --sendmail or --opensmtpd, name the\n"
	  "MTA's processes with -p PID or -- CMD. The first line is a monitoring\nplugin's "
	  "status line. Exit 0 OK (conforms), 1 WARNING (a violation, or\ndegraded: "
	  "mail leaves but a family is unusable or costly),\n"
	  "2 CRITICAL (mail stuck), 3 UNKNOWN (could not check, nothing observed, or an\n"
	  "incomplete trace; bad usage too).",
	  "sudo famtrace check --postfix /etc/postfix -d 300     # passive: watch 5 minutes\n"
	  "sudo famtrace check --exim -d 300\n"
	  "sudo famtrace check --postfix /etc/postfix -- postqueue -i QUEUEID\n" },
};
const size_t cli_n_subcmds = sizeof(cli_subcmds) / sizeof(cli_subcmds[0]);

const struct cli_option *cli_option_by_val(int val)
{
	for (size_t i = 0; i < cli_n_options; i++)
		if (cli_options[i].val == val)
			return &cli_options[i];
	return NULL;
}

const struct cli_subcmd *cli_subcmd_by_bit(unsigned bit)
{
	for (size_t i = 0; i < cli_n_subcmds; i++)
		if (cli_subcmds[i].bit == bit)
			return &cli_subcmds[i];
	return NULL;
}
