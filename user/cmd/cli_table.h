// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * cli_table.h - famtrace's subcommands and options as data: which options
 * each subcommand takes, their values and their help. The parser (cli.c)
 * builds getopt's table from it and refuses an option the subcommand does
 * not take; the help (cli_help.c) prints from it; nothing else lists options.
 *
 * SYNOPSIS
 *	cli_options[], cli_n_options	every option
 *	cli_subcmds[], cli_n_subcmds	live tracing, run, record, report, check
 *	cli_option_by_val(val)		the option getopt returned
 *	cli_subcmd_by_bit(bit)		a subcommand's entry
 */
#ifndef FT_CLI_TABLE_H
#define FT_CLI_TABLE_H

#include <stddef.h>

/* Subcommands, as bits (an option says which take it). */
enum cli_sub {
	SUB_LIVE = 1 << 0,   /* famtrace [OPTIONS]: live tracing */
	SUB_RUN = 1 << 1,    /* famtrace run -- CMD */
	SUB_RECORD = 1 << 2, /* famtrace record -o FILE */
	SUB_REPORT = 1 << 3, /* famtrace report FILE... */
	SUB_CHECK = 1 << 4,  /* famtrace check ... */
};
#define SUB_TRACING (SUB_LIVE | SUB_RUN | SUB_RECORD | SUB_CHECK) /* load the programs */
#define SUB_ALL (SUB_TRACING | SUB_REPORT)

/* getopt values of the options without a short form. */
enum {
	OPT_PORT = 256, OPT_GAP, OPT_DEBUG, OPT_LIBC, OPT_NO_RESOLVER, OPT_POSTFIX, OPT_EXIM,
	OPT_SENDMAIL, OPT_OPENSMTPD, OPT_EXPECT, OPT_PREFER, OPT_BUFFER, OPT_ROTATE, OPT_KEEP, OPT_METRICS,
	OPT_METRICS_INTERVAL, OPT_SINCE, OPT_UNTIL, OPT_MAP_ENTRIES, OPT_MAX_LOST, OPT_GAI_CONF,
	OPT_MAILLOG, OPT_JOURNAL, OPT_JOURNAL_DIR, OPT_CONTAINER_LOGS, OPT_QUEUE_ID, OPT_DOMAIN, OPT_RECIPIENT,
	OPT_DNS_PORT, OPT_NO_DNS_WIRE, OPT_NO_FEXIT, OPT_CONTAINER, OPT_UNIT,
};

/* Where an option is listed in famtrace --help. */
enum cli_group { G_WHAT, G_OUTPUT, G_RECORD, G_LOG, G_CHECK, G_OTHER, G_N };

struct cli_option {
	const char *name;  /* long name, without -- */
	char short_name;   /* 0: none */
	int has_arg;	   /* getopt's no_argument, required_argument, optional_argument */
	int val;	   /* what getopt returns for it */
	const char *arg;   /* its value in the help ("SECONDS"), or NULL */
	unsigned subs;	   /* enum cli_sub bits: the subcommands that take it */
	enum cli_group group;
	const char *help;  /* lines of at most 52 columns, '\n' between them */
};

struct cli_subcmd {
	unsigned bit;	       /* enum cli_sub */
	const char *name;      /* "report"; NULL for live tracing */
	const char *what;      /* how an error names it: "report", "live tracing" */
	const char *usage;     /* the Usage: lines */
	const char *about;     /* what it does, lines of at most 76 columns */
	const char *examples;  /* command lines, one per line */
};

extern const struct cli_option cli_options[];
extern const size_t cli_n_options;
extern const struct cli_subcmd cli_subcmds[];
extern const size_t cli_n_subcmds;

const struct cli_option *cli_option_by_val(int val);
const struct cli_subcmd *cli_subcmd_by_bit(unsigned bit);

#endif
