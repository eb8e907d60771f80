// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * cli_help.c - famtrace's help texts, printed from the option table
 * (cli_table.h): famtrace --help lists every option by theme; SUB --help
 * (famtrace help SUB) exactly the options SUB takes, and its examples.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cli.h"
#include "cmd/cli_table.h"

#define HELP_COL 26 /* where an option's help starts */

static const char *const group_title[G_N] = {
	[G_WHAT] = "What to trace (default: mail programs by name, plus any process that\n"
		   "connects to a mail port, plus their children):",
	[G_OUTPUT] = "Output:",
	[G_RECORD] = "Recordings and metrics:",
	[G_LOG] = "The MTA's log:",
	[G_CHECK] = "Check:",
	[G_OTHER] = "Other:",
};

/* "  -p, --pid PID          only this process..." and its further lines. */
static void print_option(FILE *f, const struct cli_option *o)
{
	const char *line = o->help, *nl;
	int n;

	if (o->short_name)
		n = fprintf(f, "  -%c, --%s", o->short_name, o->name);
	else
		n = fprintf(f, "      --%s", o->name);
	if (o->arg)
		n += fprintf(f, " %s", o->arg); /* "[CONF]": optional */
	if (n > HELP_COL - 1) {
		fputc('\n', f);
		n = 0;
	}
	for (;;) {
		nl = strchr(line, '\n');
		fprintf(f, "%*s%.*s\n", HELP_COL - n, "", nl ? (int)(nl - line) : (int)strlen(line), line);
		if (!nl)
			break;
		line = nl + 1;
		n = 0;
	}
}

static void print_examples(FILE *f, const char *ex)
{
	while (*ex) {
		const char *nl = strchr(ex, '\n');
		int len = nl ? (int)(nl - ex) : (int)strlen(ex);

		fprintf(f, "  %.*s\n", len, ex);
		ex += len + (nl != NULL);
	}
}

void cli_usage(FILE *f)
{
	fprintf(f,
"Usage: famtrace [OPTIONS]                 trace mail processes live until Ctrl-C\n"
"       famtrace run [OPTIONS] -- CMD [ARG...]  trace CMD and its children\n"
"       famtrace record -o FILE [OPTIONS]  write a recording until Ctrl-C\n"
"       famtrace report [OPTIONS] FILE...  the report, from recordings\n"
"       famtrace check [OPTIONS] (-d SECONDS | -- CMD [ARG...])\n"
"                                          does an MTA use the address families\n"
"                                          it is configured for, and does its\n"
"                                          mail leave? (a monitoring plugin)\n"
"       famtrace help [SUBCOMMAND]         this, or exactly one subcommand's\n"
"                                          options and examples\n"
"\n"
"Shows, per process, which address family (IPv4/IPv6) each connect attempt\n"
"used, how it ended, and whether the process fell back to the other family.\n");
	for (int g = 0; g < G_N; g++) {
		fprintf(f, "%s\n", group_title[g]);
		for (size_t i = 0; i < cli_n_options; i++)
			if (cli_options[i].group == (enum cli_group)g)
				print_option(f, &cli_options[i]);
	}
	fprintf(f, "\nExamples:\n");
	for (size_t i = 0; i < cli_n_subcmds; i++)
		print_examples(f, cli_subcmds[i].examples);
	fprintf(f,
"\n"
"Exit codes: 0 ok (run: CMD's status), 1 runtime failure, 2 bad usage,\n"
"3 missing privileges, 4 kernel lacks BTF/ring buffer or refused the\n"
"programs, 5 tracefs unavailable, 6 no such process, 7 a recording is\n"
"unreadable (not a recording, corrupt, or a newer format). check exits as a\n"
"monitoring plugin: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n");
}

void cli_usage_for(FILE *f, unsigned sub)
{
	const struct cli_subcmd *s = cli_subcmd_by_bit(sub);

	if (!s) {
		cli_usage(f);
		return;
	}
	fprintf(f, "Usage: %s\n%s\n\nOptions:\n", s->usage, s->about);
	for (size_t i = 0; i < cli_n_options; i++)
		if (cli_options[i].subs & sub)
			print_option(f, &cli_options[i]);
	fprintf(f, "\nExamples:\n");
	print_examples(f, s->examples);
	fprintf(f, "\nfamtrace --help lists every subcommand; man famtrace has the details.\n");
}
