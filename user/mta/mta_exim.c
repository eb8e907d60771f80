// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * mta_exim.c - reading an Exim instance (mta_exim.h). Runs `exim -bP`,
 * reads /proc; never traces and never judges (check.c does).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mta/mta_exim.h"
#include "lib/procfs.h"
#include "lib/runcmd.h"

/* The main options check reads; every one is known to Exim 4.9x (-bP
 * fails as a whole on an unknown name). */
static const char *const names[] = {
	"disable_ipv6", "dns_ipv4_lookup", "pid_file_path", "spool_directory", "log_file_path",
};
#define N_NAMES (sizeof(names) / sizeof(names[0]))

/* Transport options worth showing, of smtp transports. */
static const char *const transport_names[] = {
	"hosts_try_fastopen", "hosts_max_try", "connect_timeout", "command_timeout", "interface",
};

struct reader {
	struct exim_conf *xc;
	char transport[48]; /* the transport whose options follow, "" outside */
	bool smtp;	    /* it is an smtp transport */
	unsigned n_smtp;    /* smtp transports seen */
};

static void put(struct exim_conf *xc, const char *name, const char *value)
{
	if (xc->n_set == EXIM_MAX_SETTINGS)
		return;
	snprintf(xc->set[xc->n_set].name, sizeof(xc->set[0].name), "%s", name);
	snprintf(xc->set[xc->n_set].value, sizeof(xc->set[0].value), "%.255s", value);
	xc->n_set++;
}

/* Lines of -bP: "name = value", "name" / "no_name" (booleans), and for
 * transports "NAME transport:" before that transport's options. */
static void line(void *ctx, char *text)
{
	struct reader *r = ctx;
	struct exim_conf *xc = r->xc;
	char *eq = strstr(text, " = "), *value = eq ? eq + 3 : "";
	size_t n = strlen(text);

	if (!eq && n > 11 && !strcmp(text + n - 11, " transport:")) {
		snprintf(r->transport, sizeof(r->transport), "%.*s", (int)(n - 11), text);
		r->smtp = false;
		return;
	}
	if (!eq) {
		eq = strstr(text, " =");
		if (eq && eq[2])
			eq = NULL;
	}
	if (eq)
		*eq = 0;
	if (!r->transport[0]) {
		if (!strcmp(text, "disable_ipv6") || !strcmp(text, "no_disable_ipv6")) {
			xc->disable_ipv6 = text[0] == 'd';
			put(xc, "disable_ipv6", xc->disable_ipv6 ? "true" : "false");
		} else if (!strcmp(text, "dns_ipv4_lookup")) {
			snprintf(xc->dns_ipv4_lookup, sizeof(xc->dns_ipv4_lookup), "%s", value);
			put(xc, text, value);
		} else if (!strcmp(text, "pid_file_path")) {
			snprintf(xc->pid_file, sizeof(xc->pid_file), "%s", value);
		} else if (!strcmp(text, "spool_directory")) {
			snprintf(xc->spool, sizeof(xc->spool), "%s", value);
		}
		return;
	}
	if (!strcmp(text, "driver")) {
		r->smtp = !strcmp(value, "smtp");
		r->n_smtp += r->smtp;
		return;
	}
	if (!r->smtp)
		return;
	for (size_t i = 0; i < sizeof(transport_names) / sizeof(transport_names[0]); i++) {
		char full[48];

		if (strcmp(text, transport_names[i]))
			continue;
		snprintf(full, sizeof(full), "%.24s.%s", r->transport, text);
		put(xc, full, value);
		if (r->n_smtp != 1)
			return; /* the first smtp transport decides the numbers */
		if (!strcmp(text, "hosts_max_try"))
			xc->hosts_max_try = atoi(value);
		else if (!strcmp(text, "hosts_try_fastopen"))
			xc->fastopen = value[0] != 0;
		else if (!strcmp(text, "connect_timeout"))
			snprintf(xc->connect_timeout, sizeof(xc->connect_timeout), "%s", value);
		else if (!strcmp(text, "command_timeout"))
			snprintf(xc->command_timeout, sizeof(xc->command_timeout), "%s", value);
	}
}

/* exim4 (Debian's name), else exim, with -C conf when given, then args. */
static int exim_bp(const char *conf, const char *const *args, size_t n_args, struct reader *r)
{
	const char *bins[] = { "exim4", "exim" };
	int rc = 127;

	for (size_t b = 0; b < 2 && rc == 127; b++) {
		char *argv[N_NAMES + 8];
		size_t k = 0;

		argv[k++] = (char *)bins[b];
		if (conf) {
			argv[k++] = "-C";
			argv[k++] = (char *)conf;
		}
		argv[k++] = "-bP";
		for (size_t i = 0; i < n_args; i++)
			argv[k++] = (char *)args[i];
		argv[k] = NULL;
		rc = run_lines(argv, line, r);
	}
	return rc;
}

/* Is pid an Exim process? (Its daemon's command name is exim4 or exim.) */
static bool is_exim(pid_t pid)
{
	char comm[32];

	return proc_comm(pid, comm, sizeof(comm)) && (!strcmp(comm, "exim4") || !strcmp(comm, "exim"));
}

int exim_read(const char *conf, struct exim_conf *xc, char *err, size_t errlen)
{
	const char *transports[] = { "transports" };
	struct reader r = { .xc = xc };
	char line_buf[64];
	long pid;
	char *end;
	FILE *f;
	int rc;

	memset(xc, 0, sizeof(*xc));
	xc->hosts_max_try = -1;
	rc = exim_bp(conf, names, N_NAMES, &r);
	if (rc || !xc->spool[0]) {
		snprintf(err, errlen, "exim -bP%s%s failed%s; is it an Exim configuration?",
			 conf ? " -C " : "", conf ? conf : "",
			 rc == 127 ? " (neither exim4 nor exim is in PATH)" : "");
		return -1;
	}
	if (exim_bp(conf, transports, 1, &r)) {
		snprintf(err, errlen, "exim -bP transports failed");
		return -1;
	}
	/* The pid file: "%s" in it stands for an empty string (no -oP). */
	{
		char *pct = strstr(xc->pid_file, "%s");

		if (pct)
			memmove(pct, pct + 2, strlen(pct + 2) + 1);
	}
	f = xc->pid_file[0] ? fopen(xc->pid_file, "re") : NULL;
	if (!f)
		return 0; /* no daemon: the command's deliveries are traced */
	if (!fgets(line_buf, sizeof(line_buf), f))
		line_buf[0] = 0;
	fclose(f);
	errno = 0;
	pid = strtol(line_buf, &end, 10);
	while (*end == ' ' || *end == '\n')
		end++;
	if (errno || end == line_buf || *end || pid < 2 || pid > INT_MAX) {
		snprintf(err, errlen, "%s does not hold the process id of an Exim daemon", xc->pid_file);
		return -1;
	}
	/* The daemon, only if it is one: named so, root's, and started
	 * before its pid file (a pid reused by anyone else is no daemon). */
	if (is_exim((pid_t)pid) && !proc_not_daemon((pid_t)pid, NULL, xc->pid_file))
		xc->daemon = (pid_t)pid;
	return 0;
}

unsigned long long exim_time_ns(const char *s)
{
	unsigned long long total = 0;

	while (*s) {
		char *end;
		unsigned long v = strtoul(s, &end, 10);
		unsigned long long unit;

		if (end == s)
			return 0;
		switch (*end) {
		case 'w': unit = 604800; break;
		case 'd': unit = 86400; break;
		case 'h': unit = 3600; break;
		case 'm': unit = 60; break;
		case 's': case 0: unit = 1; break;
		default: return 0;
		}
		total += v * unit * 1000000000ULL;
		s = *end ? end + 1 : end;
	}
	return total;
}

bool exim_domain_match(const char *list, const char *name)
{
	char item[256];
	const char *s = list;

	while (*s) {
		size_t n = strcspn(s, ":");
		const char *it;
		bool neg = false;

		snprintf(item, sizeof(item), "%.*s", (int)n, s);
		s += n + (s[n] == ':');
		it = item;
		while (*it == ' ')
			it++;
		for (size_t k = strlen(item); k > 0 && item[k - 1] == ' ';)
			item[--k] = 0;
		if (*it == '!') {
			neg = true;
			it++;
		}
		if (!*it)
			continue;
		if (!fnmatch(it, name, FNM_CASEFOLD))
			return !neg;
	}
	return false;
}
