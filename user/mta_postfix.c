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

#include "mta_postfix.h"

/* Run `postconf -c DIR -x -h NAMES...`; one value per line into vals. */
static int postconf(const char *dir, const char *const *names, int n, char vals[][1024])
{
	int pfd[2], status = 0;
	char *argv[16] = { "postconf", "-c", (char *)dir, "-x", "-h" };
	pid_t pid;
	FILE *f;

	for (int i = 0; i < n && i < 10; i++)
		argv[5 + i] = (char *)names[i];
	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(pfd[1], 1);
		if (null >= 0)
			dup2(null, 2);
		execvp("postconf", argv);
		_exit(127);
	}
	close(pfd[1]);
	f = fdopen(pfd[0], "r");
	for (int i = 0; i < n; i++) {
		vals[i][0] = 0;
		if (f && fgets(vals[i], 1024, f))
			vals[i][strcspn(vals[i], "\n")] = 0;
	}
	if (f)
		fclose(f);
	else
		close(pfd[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Is pid a Postfix master whose working directory is queue_dir? */
static const char *not_master(pid_t pid, const char *queue_dir)
{
	char path[64], comm[32] = "", cwd[PATH_MAX], want[PATH_MAX];
	FILE *f;
	ssize_t n;

	if (pid <= 1)
		return "not a Postfix master";
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return "no such process";
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = 0;
	fclose(f);
	comm[strcspn(comm, "\n")] = 0;
	if (strcmp(comm, "master"))
		return "not a Postfix master";
	/* The master works in its queue directory: that tells instances apart. */
	snprintf(path, sizeof(path), "/proc/%d/cwd", (int)pid);
	n = readlink(path, cwd, sizeof(cwd) - 1);
	if (n < 0)
		return "its working directory cannot be read";
	cwd[n] = 0;
	if (!realpath(queue_dir, want) || strcmp(cwd, want))
		return "a master of another Postfix instance";
	return NULL;
}

int postfix_read(const char *dir, struct postfix_conf *pc, char *err, size_t errlen)
{
	static const char *const names[] = { "inet_protocols", "smtp_address_preference",
					     "queue_directory" };
	char vals[3][1024], pidfile[1100], line[64];
	const char *why;
	long pid;
	char *end;
	FILE *f;
	int rc;

	memset(pc, 0, sizeof(*pc));
	rc = postconf(dir, names, 3, vals);
	if (rc) {
		snprintf(err, errlen, "postconf -c %s failed%s; is it a Postfix config directory?", dir,
			 rc == 127 ? " (postconf is not installed)" : "");
		return -1;
	}
	snprintf(pc->inet_protocols, sizeof(pc->inet_protocols), "%.255s", vals[0]);
	snprintf(pc->address_preference, sizeof(pc->address_preference), "%.255s",
		 vals[1][0] ? vals[1] : "any");
	snprintf(pc->queue_directory, sizeof(pc->queue_directory), "%s", vals[2]);

	snprintf(pidfile, sizeof(pidfile), "%s/pid/master.pid", vals[2]);
	f = fopen(pidfile, "re");
	if (!f || !fgets(line, sizeof(line), f)) {
		snprintf(err, errlen, "the Postfix instance of %s is not running (no pid in %s)", dir,
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
	if ((why = not_master((pid_t)pid, vals[2]))) {
		snprintf(err, errlen, "%s names pid %ld, %s; is the instance of %s running?", pidfile, pid,
			 why, dir);
		return -1;
	}
	pc->master = (pid_t)pid;
	return 0;
}
