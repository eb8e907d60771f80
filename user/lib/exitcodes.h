// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * exitcodes.h - every exit code famtrace returns, in one place (README
 * "Exit codes", famtrace --help). Nothing else defines one.
 */
#ifndef FT_EXITCODES_H
#define FT_EXITCODES_H

enum ft_exit {
	FT_EXIT_OK = 0,
	FT_EXIT_RUNTIME = 1, /* failure while tracing, or the trace is incomplete */
	FT_EXIT_USAGE = 2,   /* bad command line */
	FT_EXIT_PRIV = 3,    /* not root / missing CAP_BPF + CAP_PERFMON */
	FT_EXIT_KERNEL = 4,  /* kernel lacks BTF, ring buffers or a hook, or refuses the programs */
	FT_EXIT_TRACEFS = 5, /* tracefs is not mounted and cannot be mounted */
	FT_EXIT_NOPID = 6,   /* -p names a process that does not exist */
	FT_EXIT_INPUT = 7,   /* a recording is unreadable: foreign, corrupt or too new */
};

/* `famtrace check`'s verdicts, inside famtrace (check_verdict). */
enum ft_check_verdict {
	FT_CHECK_CONFORMS = 0,	/* observed behaviour matches the configuration, mail leaves */
	FT_CHECK_VIOLATION = 1, /* it does not match: evidence printed */
	FT_CHECK_UNKNOWN = 2,	/* could not check: bad input, tracing failed, nothing seen */
	FT_CHECK_STUCK = 3,	/* mail could not leave: a family failed, the other untried */
	FT_CHECK_DEGRADED = 4,	/* mail leaves, but a configured family is unusable or costly */
};

/* `famtrace check` exits by the monitoring-plugins convention (Nagios,
 * Icinga, Sensu), whatever went wrong underneath: check_exit_code(). */
enum ft_plugin_exit {
	FT_PLUGIN_OK = 0,	/* conforms */
	FT_PLUGIN_WARNING = 1,	/* a violation of the configuration, or degraded: mail leaves */
	FT_PLUGIN_CRITICAL = 2, /* mail stuck: it could not leave */
	FT_PLUGIN_UNKNOWN = 3,	/* could not check: bad input, no privileges, the kernel, an
				 * incomplete trace, nothing observed */
};

#endif
