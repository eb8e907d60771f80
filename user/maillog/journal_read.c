// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * journal_read.c - the systemd journal read through journalctl (see
 * journal.h): `journalctl -o json --all` for the mail facility (how Postfix,
 * Exim and Sendmail log through syslog) or containers' output, either every
 * entry since a time (report) or followed from now (live tracing).
 * journalctl runs as a child with its output on a pipe; its errors go to
 * famtrace's standard error. A followed journalctl is stopped by its pid.
 *
 * A followed journalctl is given no match: journalctl 252 (Debian 12)
 * following a match skips entries — 229 to 233 of 300 logged in a burst
 * came out with a match on _COMM, 300 of 300 without one, in a private
 * journald. So it prints every entry (only the fields famtrace reads), and
 * the entries are chosen here, by the same fields a match would test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pwd.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "maillog/journal.h"

extern char **environ;

#define LINE_MAX_BYTES (64 * 1024) /* a longer entry is skipped */

/* Following containers' output: entries of a container famtrace has not
 * named yet wait here a while (its process's records may be read after
 * journalctl has passed its first lines on), then are taken or dropped. */
#define HELD_MAX 64
#define HELD_NS (10 * 1000000000LL)

struct journal_follow {
	struct journal_src src;
	struct journal_entry *held; /* a ring of HELD_MAX, oldest at held_first */
	unsigned n_held, held_first;
	pid_t pid;
	int fd;
	char *buf;
	size_t len;
	bool skipping; /* inside an entry longer than the buffer */
	bool ended;    /* journalctl exited: said once */
};

/* Start journalctl with args; its standard output is *fd (O_CLOEXEC). */
static pid_t spawn(const struct journal_src *src, const char *const *extra, bool follow, int *fd, char *err,
		   size_t errlen)
{
	const char *argv[16];
	char match[100];
	int n = 0, p[2];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	pid_t pid;
	int rc;

	argv[n++] = "journalctl";
	argv[n++] = "-o";
	argv[n++] = "json";
	argv[n++] = "--all";
	argv[n++] = "--no-pager";
	argv[n++] = "--quiet";
	argv[n++] = "--output-fields=MESSAGE,SYSLOG_IDENTIFIER,SYSLOG_PID,SYSLOG_FACILITY,_PID,_COMM,_UID,"
		    "CONTAINER_ID_FULL";
	if (src->dir) {
		argv[n++] = "-D";
		argv[n++] = src->dir;
	}
	while (*extra)
		argv[n++] = *extra++;
	if (follow) {
		/* no match (above) */
	} else if (!src->containers) {
		argv[n++] = "SYSLOG_FACILITY=2";
	} else if (src->container_id) {
		snprintf(match, sizeof(match), "CONTAINER_ID_FULL=%s", src->container_id);
		argv[n++] = match;
	} else {
		/* Same field twice: either. */
		argv[n++] = "_COMM=dockerd";
		argv[n++] = "_COMM=conmon";
	}
	argv[n] = NULL;
	if (pipe2(p, O_CLOEXEC)) {
		snprintf(err, errlen, "journal: pipe: %s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	/* A process group of its own: the terminal's Ctrl-C stops famtrace,
	 * which then reads the rest and stops journalctl itself. */
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&at, 0);
	rc = posix_spawnp(&pid, "journalctl", &fa, &at, (char *const *)argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (rc) {
		close(p[0]);
		snprintf(err, errlen, "journal: journalctl: %s%s", strerror(rc),
			 rc == ENOENT ? " (it comes with systemd)" : "");
		return -1;
	}
	*fd = p[0];
	return pid;
}

int journal_check(char *err, size_t errlen)
{
	const char *path = getenv("PATH");
	char file[4200];

	if (!path || !*path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(file, sizeof(file), "%.*s/journalctl", (int)(n && n < 4096 ? n : 1), n ? path : ".");
		if (!access(file, X_OK))
			return 0;
		path += n + (path[n] == ':');
	}
	snprintf(err, errlen, "journalctl is not on PATH (it comes with systemd)");
	return -1;
}

/* The MTA's users as /etc/passwd names them (journal_entry_from_mta).
 * Read as a file, not through NSS: system users are local, and NSS modules
 * would open sockets (systemd's userdb) the unit does not allow. */
static size_t mta_uids(int64_t *out, size_t max)
{
	static const char *const users[] = { "postfix", "Debian-exim", "exim", "smmta", "smmsp", "mail",
					     "opensmtpd", "opensmtpq", "_smtpd", "_smtpq" };
	FILE *f = fopen("/etc/passwd", "re");
	const struct passwd *pw;
	size_t n = 0;

	while (f && (pw = fgetpwent(f)) && n < max)
		for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
			if (pw->pw_uid && !strcmp(pw->pw_name, users[i])) {
				out[n++] = pw->pw_uid;
				break;
			}
	if (f)
		fclose(f);
	return n;
}

/* The MTA's users, looked up once: before the first entry, or before
 * famtrace confines itself (after that /etc/passwd is not readable). */
static int64_t uids[8];
static size_t n_uids;
static bool uids_known;

static void know_uids(void)
{
	if (!uids_known) {
		n_uids = mta_uids(uids, sizeof(uids) / sizeof(uids[0]));
		uids_known = true;
	}
}

/* A line of container e->container's output, into its log. */
static void take_container_line(struct mlog *m, const struct journal_entry *e)
{
	if (!mlog_set_scope(m, e->container)) {
		m->lines++;
		m->lines_bad++;
		return;
	}
	mlog_line_at(m, e->text, e->ns);
	mlog_set_scope(m, NULL);
}

/* Held entries whose container famtrace has named since are taken; those
 * held longer than HELD_NS are of containers it does not trace: dropped. */
static void release_held(struct journal_follow *f, struct mlog *m, int64_t now_ns)
{
	unsigned n = f->n_held;

	for (unsigned i = 0; i < n; i++) {
		struct journal_entry *e = &f->held[f->held_first];

		f->held_first = (f->held_first + 1) % HELD_MAX;
		f->n_held--;
		if (mlog_scope_known(m, e->container))
			take_container_line(m, e);
		else if (now_ns - e->ns < HELD_NS)
			f->held[(f->held_first + f->n_held++) % HELD_MAX] = *e; /* back in line */
		else
			m->lines++; /* read, of a container not traced */
	}
}

/* One line of a container's output: read as a line of that container's
 * log, when its runtime wrote it and (following a trace) famtrace has
 * named the container — the lines of others are not about a traced
 * process; a container not named yet has its entries held a while. */
static int feed_container(struct mlog *m, const struct journal_entry *e, struct journal_follow *f)
{
	if (!journal_entry_from_runtime(e)) {
		m->lines++;
		m->lines_foreign++;
		return 1;
	}
	if (f && !mlog_scope_known(m, e->container)) {
		if (f->n_held == HELD_MAX) {
			f->held_first = (f->held_first + 1) % HELD_MAX; /* the oldest goes */
			f->n_held--;
			m->lines++;
		}
		f->held[(f->held_first + f->n_held++) % HELD_MAX] = *e;
		return 1;
	}
	take_container_line(m, e);
	return 1;
}

/* One line of journalctl's output; 1 if it was an entry. An entry named
 * like the MTA's but not written by it is counted and ignored. f: the
 * follower reading it, NULL for a whole read. */
static int feed(struct mlog *m, const char *line, const struct journal_src *src, struct journal_follow *f)
{
	struct journal_entry e;

	if (!journal_entry_parse(line, &e))
		return 0;
	/* What a match would have chosen (a followed journalctl has none). */
	if (src->containers ? !e.container[0] : e.facility != 2)
		return 0;
	if (src->containers)
		return feed_container(m, &e, f);
	know_uids();
	if (!journal_entry_from_mta(&e, uids, n_uids)) {
		m->lines++;
		if (mlog_is_mta(e.ident))
			m->lines_foreign++;
		return 1;
	}
	mlog_entry(m, e.ns, e.ident, e.pid, e.text);
	return 1;
}

int journal_read(struct mlog *m, const struct journal_src *src, int64_t since_s, char *err,
		 size_t errlen)
{
	char since[40];
	const char *extra[] = { "--since", since, NULL };
	int fd, status;
	pid_t pid;
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int entries = 0;

	snprintf(since, sizeof(since), "@%lld", (long long)since_s);
	pid = spawn(src, extra, false, &fd, err, errlen);
	if (pid < 0)
		return -1;
	f = fdopen(fd, "r");
	if (!f) {
		snprintf(err, errlen, "journal: %s", strerror(errno));
		close(fd);
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		return -1;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = 0;
		entries += feed(m, line, src, NULL);
	}
	free(line);
	fclose(f);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(err, errlen, "journal: journalctl %s %d%s", WIFEXITED(status) ? "exited with status" : "died of signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
			 src->dir ? " (is the directory a journal?)" : "");
		return -1;
	}
	return entries;
}

struct journal_follow *journal_follow_open(const struct journal_src *src, char *err, size_t errlen)
{
	const char *extra[] = { "--follow", "--lines=0", NULL };
	struct journal_follow *f = calloc(1, sizeof(*f));

	know_uids();

	if (!f || !(f->buf = malloc(LINE_MAX_BYTES))) {
		free(f);
		snprintf(err, errlen, "journal: out of memory");
		return NULL;
	}
	f->src = *src;
	f->src.container_id = NULL; /* followed: all containers, those named taken */
	if (src->containers && !(f->held = calloc(HELD_MAX, sizeof(*f->held)))) {
		free(f->buf);
		free(f);
		snprintf(err, errlen, "journal: out of memory");
		return NULL;
	}
	f->pid = spawn(&f->src, extra, true, &f->fd, err, errlen);
	if (f->pid < 0) {
		free(f->held);
		free(f->buf);
		free(f);
		return NULL;
	}
	fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) | O_NONBLOCK);
	return f;
}

void journal_follow_poll(struct journal_follow *f, struct mlog *m)
{
	if (f->n_held) {
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		release_held(f, m, (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec);
	}
	for (;;) {
		ssize_t n = read(f->fd, f->buf + f->len, LINE_MAX_BYTES - 1 - f->len);
		char *start, *nl;

		if (n == 0 && !f->ended) {
			/* journalctl stopped following: what the MTA logs from
			 * now on is not read, and that is said, not implied. */
			int status = 0;

			f->ended = true;
			if (waitpid(f->pid, &status, 0) == f->pid)
				f->pid = -1;
			fprintf(stderr, "famtrace: warning: journalctl ended (%s %d); the MTA's lines "
					"logged from now on are not read, so later messages are not shown\n",
				WIFSIGNALED(status) ? "signal" : "status",
				WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		}
		if (n <= 0)
			return; /* nothing more for now (EAGAIN), or journalctl ended */
		f->len += (size_t)n;
		f->buf[f->len] = 0;
		start = f->buf;
		while ((nl = memchr(start, '\n', f->len - (size_t)(start - f->buf)))) {
			*nl = 0;
			if (!f->skipping)
				feed(m, start, &f->src, f);
			f->skipping = false;
			start = nl + 1;
		}
		f->len -= (size_t)(start - f->buf);
		memmove(f->buf, start, f->len);
		if (f->len == LINE_MAX_BYTES - 1) {
			/* An entry longer than the buffer: drop it to its end. */
			f->skipping = true;
			f->len = 0;
		}
	}
}

void journal_follow_close(struct journal_follow *f)
{
	if (!f)
		return;
	close(f->fd);
	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		while (waitpid(f->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	free(f->held);
	free(f->buf);
	free(f);
}
