// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * main.c - famtrace's entry point: parse the command line (cli.c) and hand it
 * to the subcommand that does the work: live tracing, run, record and check
 * (live.c) or report (replay.c).
 */
#include <stdio.h>
#include <string.h>

#include "check/check.h"
#include "cmd/cli.h"
#include "cmd/errline.h"
#include "lib/exitcodes.h"
#include "cmd/live.h"
#include "cmd/replay.h"
#include "lib/wrapout.h"

/* `famtrace report FILE...` */
static int report_cmd(const struct opts *o, int nfiles, char **files)
{
	struct replay_opts ro = { 0 };

	if (nfiles < 1)
		return cli_usage_error("report: name the recording(s): famtrace report [OPTIONS] FILE...");
	ro.json = o->json;
	ro.wall_time = o->wall_time;
	ro.width = text_width(o->wide);
	ro.verbose = o->verbose;
	ro.group_gap_ns = o->group_gap_ns;
	ro.mail_comms = cli_mail_comms;
	ro.n_mail_comms = cli_n_mail_comms;
	ro.mail_ports = cli_mail_ports;
	ro.n_mail_ports = cli_n_mail_ports;
	ro.pids = o->pids;
	ro.n_pids = o->n_pids;
	ro.comms = o->comms;
	ro.n_comms = o->n_comms;
	ro.since = o->since;
	ro.until = o->until;
	ro.metrics_path = o->metrics_path;
	ro.policy = o->policy;
	ro.place = o->place;
	ro.dns_ports = o->dns_ports;
	ro.n_dns_ports = o->n_dns_ports;
	if ((o->queue_id || o->domain || o->recipient) && !o->n_maillogs && !o->journal && !o->container_logs)
		return cli_usage_error("--queue-id, --domain and --recipient select messages of the MTA's "
				       "log: give it with --maillog FILE, --journal or --container-logs");
	ro.maillogs = o->maillogs;
	ro.n_maillogs = o->n_maillogs;
	ro.journal = o->journal;
	ro.journal_dir = o->journal_dir;
	ro.container_logs = o->container_logs;
	ro.place_is_container = o->place_is_container;
	ro.filter.qid = o->queue_id;
	ro.filter.domain = o->domain;
	ro.filter.recipient = o->recipient;
	return replay_main(&ro, files, nfiles);
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	int rc, first = 0;

	static struct addr_policy policy;
	char err[320];

	errline_keep();
	if ((rc = cli_parse_all(&o, argc, argv, &first)) >= 0) {
		/* 0 (--help) or FT_EXIT_USAGE: for check, could not check. */
		if (o.check && rc) {
			check_print_unknown(stdout, o.json, errline_last());
			return FT_PLUGIN_UNKNOWN;
		}
		return rc;
	}
	/* The table getaddrinfo sorts with, to explain its result orders. */
	if (addr_policy_load(&policy, o.gai_conf ? o.gai_conf : "/etc/gai.conf", err, sizeof(err))) {
		if (o.gai_conf)
			return cli_usage_error("--gai-conf: %s", err);
		fprintf(stderr, "famtrace: warning: %s; explaining address orders with glibc's "
				"built-in table\n", err);
	}
	o.policy = &policy;
	if (o.report)
		return report_cmd(&o, argc - first, argv + first);
	rc = live_main(&o);
	/* check without a verdict could not check, whatever went wrong
	 * underneath (privileges, the kernel, the MTA's configuration): one
	 * result on stdout, UNKNOWN by the plugin convention. */
	if (o.check && !o.check_judged && rc) {
		check_print_unknown(stdout, o.json, errline_last());
		return FT_PLUGIN_UNKNOWN;
	}
	return rc;
}
