// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * mta_postfix.c - reading a Postfix instance (mta_postfix.h). Runs postconf,
 * reads /proc; never traces and never judges (check.c does).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mta/mta_postfix.h"
#include "lib/procfs.h"
#include "lib/runcmd.h"
#include "lib/runtimes.h"

/* What check reads; a name this Postfix does not know (an older release) is
 * simply absent from postconf's output. */
static const char *const names[] = {
	"inet_protocols", "smtp_address_preference", "queue_directory", "smtp_mx_address_limit",
	"smtp_balance_inet_protocols", "smtp_mx_session_limit", "smtp_randomize_addresses",
	"smtp_connect_timeout", "smtp_bind_address", "smtp_bind_address6", "smtp_host_lookup",
	"smtp_dns_support_level", "smtp_dns_reply_filter", "relayhost", "default_transport",
	"daemon_directory", "smtp_helo_name",
};
#define N_NAMES (sizeof(names) / sizeof(names[0]))

/* One "name = value" line of postconf's output, kept. */
static void keep(void *ctx, char *line)
{
	struct postfix_conf *pc = ctx;
	char *eq = strstr(line, " = ");
	size_t n;

	if (pc->n_set == POSTFIX_MAX_SETTINGS)
		return;
	if (!eq) {
		eq = strstr(line, " =");
		if (!eq || eq[2])
			return;
	}
	n = (size_t)(eq - line);
	snprintf(pc->set[pc->n_set].name, sizeof(pc->set[0].name), "%.*s", (int)n, line);
	snprintf(pc->set[pc->n_set].value, sizeof(pc->set[0].value), "%.255s", eq[2] ? eq + 3 : "");
	pc->n_set++;
}

/* Where the instance is read: on the host, or in a container (pid: one of
 * its masters, whose mount and UTS namespaces postconf runs in, so that the
 * container's own postconf reads the container's own files; root: the
 * container's root as the host reaches it). */
struct pf_where {
	pid_t pid;
	char pidstr[16];
	char root[32]; /* "" on the host */
};

/* Run `postconf ARGS...` where w says, each line it prints to line(). */
static int run_postconf(const struct pf_where *w, char *const *args, void (*line)(void *, char *), void *ctx)
{
	char *argv[N_NAMES + 16];
	size_t n = 0;

	if (w->pid) {
		argv[n++] = "nsenter";
		argv[n++] = "-t";
		argv[n++] = (char *)w->pidstr;
		argv[n++] = "-m";
		argv[n++] = "-u";
		argv[n++] = "--";
	}
	argv[n++] = "postconf";
	while (*args && n < sizeof(argv) / sizeof(argv[0]) - 1)
		argv[n++] = *args++;
	argv[n] = NULL;
	return run_lines(argv, line, ctx);
}

/* Run `postconf -c DIR -x NAMES...` and keep each "name = value" it prints. */
static int postconf(const struct pf_where *w, const char *dir, struct postfix_conf *pc)
{
	char *args[N_NAMES + 4] = { "-c", (char *)dir, "-x" };

	for (size_t i = 0; i < N_NAMES; i++)
		args[3 + i] = (char *)names[i];
	args[3 + N_NAMES] = NULL;
	return run_postconf(w, args, keep, pc);
}

/* One "service/type/name = value" line of `postconf -P`: kept when name is
 * one check reads (a master.cf -o override of it). */
static void keep_override(void *ctx, char *line)
{
	struct postfix_conf *pc = ctx;
	char *eq = strstr(line, " = "), *name;

	if (!eq || pc->n_set == POSTFIX_MAX_SETTINGS)
		return;
	*eq = 0;
	name = strrchr(line, '/');
	if (!name)
		return;
	for (size_t i = 0; i < N_NAMES; i++)
		if (!strcmp(name + 1, names[i])) {
			snprintf(pc->set[pc->n_set].name, sizeof(pc->set[0].name), "%s", line);
			snprintf(pc->set[pc->n_set].value, sizeof(pc->set[0].value), "%.255s", eq + 3);
			pc->n_set++;
			return;
		}
}

static const char *setting(const struct postfix_conf *pc, const char *name)
{
	for (unsigned i = 0; i < pc->n_set; i++)
		if (!strcmp(pc->set[i].name, name))
			return pc->set[i].value;
	return NULL;
}

/* Is pid this instance's Postfix master: named master, root's, running
 * daemon_dir/master, started before pidfile, working in queue_dir? */
static const char *not_master(pid_t pid, const char *queue_dir, const char *daemon_dir,
			      const char *pidfile)
{
	char bin[4200];
	const char *why;
	char path[64], comm[32] = "";
	struct stat cwd, want;

	if (pid <= 1)
		return "not a Postfix master";
	if (!proc_comm(pid, comm, sizeof(comm)))
		return "no such process";
	if (strcmp(comm, "master"))
		return "not a Postfix master";
	/* The master works in its queue directory: that tells instances apart.
	 * Compared as files, not paths: the master may run in another mount
	 * namespace (ip netns exec), where its cwd has no path from here. */
	snprintf(path, sizeof(path), "/proc/%d/cwd", (int)pid);
	if (stat(path, &cwd))
		return "its working directory cannot be read";
	if (stat(queue_dir, &want) || cwd.st_dev != want.st_dev || cwd.st_ino != want.st_ino)
		return "a master of another Postfix instance";
	snprintf(bin, sizeof(bin), "%s/master", daemon_dir);
	if ((why = proc_not_daemon(pid, daemon_dir[0] ? bin : NULL, pidfile)))
		return why;
	return NULL;
}

/* The master working in queue_dir whose pid in its own PID namespace is
 * ns_pid: a Postfix in a container writes the pid it has there (often 1).
 * 0 when none is. */
static pid_t master_in_namespace(const char *queue_dir, const char *daemon_dir, const char *pidfile,
				 long ns_pid)
{
	const char *names[] = { "master" };
	pid_t pids[256];
	size_t n = proc_by_comm(names, 1, pids, 256);

	for (size_t i = 0; i < n; i++) {
		uint32_t inner = 0;

		if (proc_nspid(pids[i], &inner) > 1 && inner == (uint32_t)ns_pid &&
		    !not_master(pids[i], queue_dir, daemon_dir, pidfile))
			return pids[i];
	}
	return 0;
}

/* The master among a container's (cands) whose pid in its own PID
 * namespace is the one its pid file names. */
static pid_t master_of_container(const pid_t *cands, size_t n, const struct pf_where *w, const char *queue_dir,
				 const char *daemon_dir, const char *pidfile, long pid, pid_t *ns_pid)
{
	char qd[1100];

	snprintf(qd, sizeof(qd), "%s%s", w->root, queue_dir);
	for (size_t i = 0; i < n; i++) {
		uint32_t inner = 0;
		unsigned levels = proc_nspid(cands[i], &inner);

		if (levels && inner == (uint32_t)pid && !not_master(cands[i], qd, daemon_dir, pidfile)) {
			*ns_pid = levels > 1 ? (pid_t)pid : 0;
			return cands[i];
		}
	}
	return 0;
}

int postfix_read(const char *dir, const char *container, struct postfix_conf *pc, char *err, size_t errlen)
{
	char pidfile[1100], line[64], in[200] = "";
	const char *why, *v;
	struct pf_where w = { 0 };
	pid_t cands[16];
	size_t n_cands = 0;
	long pid;
	char *end;
	FILE *f;
	int rc;

	memset(pc, 0, sizeof(*pc));
	if (container) {
		n_cands = rt_container_procs(container, "master", cands, sizeof(cands) / sizeof(cands[0]));
		if (!n_cands) {
			snprintf(err, errlen, "no Postfix master runs in container %s (its name as podman or "
				 "docker know it, or 4+ characters of its id)", container);
			return -1;
		}
		w.pid = cands[0];
		snprintf(w.pidstr, sizeof(w.pidstr), "%d", (int)w.pid);
		snprintf(w.root, sizeof(w.root), "/proc/%d/root", (int)w.pid);
		snprintf(in, sizeof(in), " in container %s", container);
		snprintf(pc->container, sizeof(pc->container), "%s", container);
	}
	rc = postconf(&w, dir, pc);
	if (rc || !setting(pc, "inet_protocols") || !setting(pc, "queue_directory")) {
		snprintf(err, errlen, "postconf -c %s%s failed%s; is it a Postfix config directory%s?", dir, in,
			 rc == 127 ? (container ? " (nsenter or the container's postconf is missing)"
					       : " (postconf is not installed)") : "",
			 container ? " in the container" : "");
		return -1;
	}
	/* master.cf's -o overrides: the default transport's own decide for it. */
	{
		char *args[] = { "-c", (char *)dir, "-P", NULL };
		char over[80];
		const char *t = setting(pc, "default_transport");

		run_postconf(&w, args, keep_override, pc);
		snprintf(pc->transport, sizeof(pc->transport), "%.40s", t && *t ? t : "smtp");
		pc->transport[strcspn(pc->transport, ":")] = 0;
		for (const char *const *n = (const char *const[]){ "smtp_address_preference",
				"smtp_mx_address_limit", "smtp_balance_inet_protocols", NULL }; *n; n++) {
			snprintf(over, sizeof(over), "%s/unix/%s", pc->transport, *n);
			if ((v = setting(pc, over))) {
				/* the override replaces the main.cf value for check */
				for (unsigned i = 0; i < pc->n_set; i++)
					if (!strcmp(pc->set[i].name, *n)) {
						memmove(pc->set[i].value, v, strlen(v) + 1);
						snprintf(pc->overridden + strlen(pc->overridden),
							 sizeof(pc->overridden) - strlen(pc->overridden),
							 "%s%s", pc->overridden[0] ? ", " : "", *n);
					}
			}
		}
	}
	/* (memcpy of bounded strings: the sources live in *pc too.) */
	v = setting(pc, "inet_protocols");
	memcpy(pc->inet_protocols, v, strlen(v) + 1);
	v = setting(pc, "smtp_address_preference");
	v = v && *v ? v : "any";
	memcpy(pc->address_preference, v, strlen(v) + 1);
	v = setting(pc, "queue_directory");
	memcpy(pc->queue_directory, v, strlen(v) + 1);
	v = setting(pc, "smtp_mx_address_limit");
	pc->mx_address_limit = v && *v ? atoi(v) : -1;
	v = setting(pc, "smtp_balance_inet_protocols");
	pc->balance = !v ? -1 : !strcmp(v, "yes") ? 1 : 0;

	snprintf(pidfile, sizeof(pidfile), "%s%s/pid/master.pid", w.root, pc->queue_directory);
	f = fopen(pidfile, "re");
	if (!f || !fgets(line, sizeof(line), f)) {
		snprintf(err, errlen, "the Postfix instance of %s%s is not running (no pid in %s)", dir, in,
			 pidfile);
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	errno = 0;
	pid = strtol(line, &end, 10);
	while (*end == ' ' || *end == '\n')
		end++;
	if (errno || end == line || *end || pid < 1 || pid > INT_MAX) {
		snprintf(err, errlen, "%s does not hold a process id", pidfile);
		return -1;
	}
	v = setting(pc, "daemon_directory");
	if (container) {
		pc->master = master_of_container(cands, n_cands, &w, pc->queue_directory, v ? v : "", pidfile, pid,
						 &pc->master_ns_pid);
		if (!pc->master) {
			snprintf(err, errlen, "%s names pid %ld, which is none of the Postfix masters running "
				 "in container %s; is the instance of %s running there?", pidfile, pid, container, dir);
			return -1;
		}
		return 0;
	}
	if ((why = not_master((pid_t)pid, pc->queue_directory, v ? v : "", pidfile))) {
		pid_t host = master_in_namespace(pc->queue_directory, v ? v : "", pidfile, pid);

		if (!host) {
			snprintf(err, errlen, "%s names pid %ld, %s (nor is a master in this queue directory "
				 "that pid in a PID namespace of its own); is the instance of %s running?",
				 pidfile, pid, why, dir);
			return -1;
		}
		pc->master = host;
		pc->master_ns_pid = (pid_t)pid;
		return 0;
	}
	pc->master = (pid_t)pid;
	return 0;
}
