// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * cli.h - famtrace's command line: the options, the help texts
 * (cli_help.c, from the table in cli_table.c), and the parser that turns
 * argv into struct opts with one clear line (exit 2) for anything it cannot
 * accept, naming the subcommand.
 */
#ifndef FT_CLI_H
#define FT_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <linux/types.h>

#include "famtrace.h"
#include "lib/addrorder.h"

#ifndef FAMTRACE_VERSION
#define FAMTRACE_VERSION "unknown" /* the Makefile passes VERSION's */
#endif
#ifndef FAMTRACE_GIT
#define FAMTRACE_GIT ""
#endif

#define MAX_PIDS 256
#define MAX_PORTS 64
#define MAX_LIBCS 16

/* The built-in mail programs and ports (the default filter). */
extern const char *const cli_mail_comms[];
extern const size_t cli_n_mail_comms;
extern const uint16_t cli_mail_ports[];
extern const size_t cli_n_mail_ports;

struct opts {
	bool json, wall_time, wide, verbose, all, debug, run, check, record, report;
	bool check_judged; /* check: a verdict was given (live.c); else it could not check */
	const char *postfix_dir, *expect, *prefer; /* check */
	bool exim;		/* check --exim [CONF] */
	const char *exim_conf;
	bool sendmail;		/* check --sendmail [CF] */
	const char *sendmail_cf;
	bool opensmtpd;		/* check --opensmtpd [CONF] */
	const char *opensmtpd_conf;
	uint64_t max_lost_ns;			   /* check --max-lost */
	double interval_s, duration_s;
	uint64_t group_gap_ns;
	pid_t pids[MAX_PIDS];
	size_t n_pids;
	const char *comms[FT_MAX_COMMS];
	size_t n_comms;
	const char *libcs[MAX_LIBCS]; /* --libc */
	size_t n_libcs;
	bool no_resolver;
	bool no_dns_wire; /* --no-dns-wire */
	bool no_fexit;	  /* --no-fexit */
	uint32_t ringbuf_bytes; /* --buffer-size */
	uint32_t map_entries;	/* --map-entries (tracking and pending maps) */
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
	const char *gai_conf;	   /* --gai-conf: getaddrinfo's policy table */
	uint16_t dns_ports[MAX_PORTS]; /* --dns-port: nameserver ports (default 53) */
	size_t n_dns_ports;
	const char *maillogs[8];   /* --maillog: the MTA's log files */
	size_t n_maillogs;
	bool journal;		   /* --journal: the MTA's log from the systemd journal */
	const char *journal_dir;   /* --journal-dir: journal files in this directory */
	bool container_logs;	   /* --container-logs: each container's runtime's log */
	const char *queue_id, *domain, *recipient; /* the message view's filters */
	const char *place;	   /* --container or --unit: where the processes shown run */
	bool place_is_container;   /* it was --container */
	const struct addr_policy *policy; /* loaded from it (main.c) */
	unsigned long long given; /* bit i: cli_options[i] was given */
};

/* famtrace --help: every subcommand and option (cli_help.c). */
void cli_usage(FILE *f);
/* SUB --help, famtrace help SUB (live: famtrace help live): exactly the
 * options of sub (enum cli_sub), with examples. */
void cli_usage_for(FILE *f, unsigned sub);
/* The subcommand o names, as an enum cli_sub bit (SUB_LIVE for none). */
unsigned cli_sub_of(const struct opts *o);
/* famtrace's version (the VERSION file, at build time). */
const char *cli_version(void);
/* One line "famtrace: ... (see famtrace --help)" on stderr; returns FT_EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Parse options from argv[optind]; stops at the first operand. Returns -1 to
 * go on, or an exit code (0 after --help/--version). */
int cli_parse(struct opts *o, int argc, char **argv);
/* The whole command line: subcommand, its options, CMD. -1 to go on. */
int cli_parse_all(struct opts *o, int argc, char **argv, int *first_operand);

#endif
