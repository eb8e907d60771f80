// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * mta_sendmail.c - reading a Sendmail instance (mta_sendmail.h) from its
 * sendmail.cf: the "O Name=Value" lines. Reads files and /proc; never
 * traces and never judges (check.c does).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mta/mta_sendmail.h"
#include "lib/procfs.h"

static const char *const names[] = {
	"DaemonPortOptions", "ClientPortOptions", "Timeout.connect", "Timeout.iconnect",
	"ResolverOptions", "PidFile",
};

static void put(struct sendmail_conf *sc, const char *name, const char *value)
{
	if (sc->n_set == SENDMAIL_MAX_SETTINGS)
		return;
	snprintf(sc->set[sc->n_set].name, sizeof(sc->set[0].name), "%s", name);
	snprintf(sc->set[sc->n_set].value, sizeof(sc->set[0].value), "%.255s", value);
	sc->n_set++;
}

static bool is_sendmail(pid_t pid)
{
	char comm[32];

	return proc_comm(pid, comm, sizeof(comm)) &&
	       (!strcmp(comm, "sendmail") || !strcmp(comm, "sendmail-mta"));
}

int sendmail_read(const char *cf, struct sendmail_conf *sc, char *err, size_t errlen)
{
	char line[2048];
	unsigned n_o = 0;
	FILE *f;

	memset(sc, 0, sizeof(*sc));
	if (!cf)
		cf = "/etc/mail/sendmail.cf";
	f = fopen(cf, "re");
	if (!f) {
		snprintf(err, errlen, "cannot read %s: %s", cf, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *eq, *v;

		line[strcspn(line, "\r\n")] = 0;
		if (line[0] != 'O' || line[1] != ' ')
			continue;
		n_o++;
		eq = strchr(line + 2, '=');
		v = eq ? eq + 1 : "";
		if (eq)
			*eq = 0;
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			if (strcmp(line + 2, names[i]))
				continue;
			if (!strcmp(names[i], "PidFile")) {
				snprintf(sc->pid_file, sizeof(sc->pid_file), "%s", v);
				break;
			}
			put(sc, names[i], v);
			if (!strcmp(names[i], "ClientPortOptions") && strstr(v, "Family=inet") &&
			    !strstr(v, "Family=inet6"))
				sc->client_inet_only = true;
		}
	}
	fclose(f);
	if (!n_o) {
		snprintf(err, errlen, "%s has no option lines; is it a sendmail.cf?", cf);
		return -1;
	}
	f = sc->pid_file[0] ? fopen(sc->pid_file, "re") : NULL;
	if (f) {
		long pid = 0;

		/* The first line is the pid; the second the daemon's command. */
		if (fgets(line, sizeof(line), f))
			pid = strtol(line, NULL, 10);
		fclose(f);
		/* Named so, root's, started before its pid file. */
		if (pid > 1 && pid <= INT_MAX && is_sendmail((pid_t)pid) &&
		    !proc_not_daemon((pid_t)pid, NULL, sc->pid_file))
			sc->daemon = (pid_t)pid;
	}
	return 0;
}
