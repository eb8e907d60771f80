// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * prober.c - a privileged child that probes the C libraries appearing after
 * start-up (prober.h). It reads pids from a pipe; for each, waits up to
 * 100 ms for the dynamic loader to map the process's C library, and probes
 * each library it has not probed (by device and inode: the one file of a
 * container that overlays the host's root is the host's own, probed once).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kernel/libc.h"
#include "kernel/prober.h"
#include "lib/procfs.h"

struct prober {
	int fd; /* the pipe's write end */
	pid_t child;
	uint64_t window_ns; /* the current second */
	unsigned in_window;
	uint64_t skipped;
};

static void look(struct loader *l, pid_t pid, unsigned *later, bool *said)
{
	static char paths[8][4096];
	size_t n = 0;

	for (int t = 0; t < 10 && !n; t++) {
		n = proc_libcs(pid, paths, 8);
		if (!n) {
			if (kill(pid, 0))
				return;
			usleep(10000);
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		int fns;

		if (stat(paths[i], &st) || !libc_note(&st))
			continue;
		if (*later == PROBER_LATER_MAX) {
			if (!*said)
				fprintf(stderr, "famtrace: warning: the C library %s of pid %d (and any later "
						"one) is not probed: %d appeared after start-up and are probed "
						"already; its lookups are seen on the wire only\n",
					paths[i], (int)pid, PROBER_LATER_MAX);
			*said = true;
			continue;
		}
		++*later;
		fns = loader_attach_resolver(l, paths[i]);
		fprintf(stderr, "famtrace: probing %s, the C library of pid %d, which appeared after "
				"famtrace started: %d resolver function%s (its lookups before now were seen "
				"on the wire only)\n",
			paths[i], (int)pid, fns, fns == 1 ? "" : "s");
	}
}

static void child_loop(struct loader *l, int fd)
{
	unsigned later = 0;
	bool said = false;
	pid_t pid;

	for (;;) {
		ssize_t r = read(fd, &pid, sizeof(pid));

		if (r == (ssize_t)sizeof(pid)) {
			look(l, pid, &later, &said);
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		break; /* famtrace closed the pipe, or exited */
	}
	/* The kernel drops the probes as this process exits. */
	_exit(0);
}

struct prober *prober_start(struct loader *l)
{
	struct prober *p = calloc(1, sizeof(*p));
	pid_t parent = getpid();
	int fds[2];

	if (!p || pipe2(fds, O_CLOEXEC)) {
		fprintf(stderr, "famtrace: warning: a C library that appears later will not be probed: %s\n",
			strerror(errno));
		free(p);
		return NULL;
	}
	p->child = fork();
	if (p->child < 0) {
		fprintf(stderr, "famtrace: warning: a C library that appears later will not be probed: "
				"fork: %s\n", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		free(p);
		return NULL;
	}
	if (p->child == 0) {
		/* Only what it uses: the programs, the pipe and stderr. Not
		 * famtrace's report (stdout), its recording, its log pipes: a
		 * reader waiting for their end must not wait for this. */
		long max = sysconf(_SC_OPEN_MAX);
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			(void)dup2(null, STDOUT_FILENO);
		for (int fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
			if (fd != fds[0] && !loader_needs_fd(l, fd))
				close(fd);
		/* It ends when its pipe does: famtrace's exit closes the write
		 * end however famtrace ends (no other process holds it: it is
		 * close-on-exec). Never killed inside a system call by a
		 * signal meant for famtrace (Ctrl-C reaches the whole group). */
		if (getppid() != parent)
			_exit(0);
		signal(SIGINT, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		child_loop(l, fds[0]);
	}
	close(fds[0]);
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	p->fd = fds[1];
	return p;
}

void prober_look(struct prober *p, pid_t pid, uint64_t now_ns)
{
	if (!p || pid <= 0)
		return;
	if (now_ns >= p->window_ns + 1000000000ULL) {
		p->window_ns = now_ns;
		p->in_window = 0;
	}
	if (p->in_window >= PROBER_RATE || write(p->fd, &pid, sizeof(pid)) != (ssize_t)sizeof(pid)) {
		p->skipped++;
		return;
	}
	p->in_window++;
}

void prober_stop(struct prober *p)
{
	if (!p)
		return;
	close(p->fd);
	if (p->skipped)
		fprintf(stderr, "famtrace: note: the C libraries of %llu process(es) were not looked at "
				"(over %d a second); a library only they use was not probed\n",
			(unsigned long long)p->skipped, PROBER_RATE);
	free(p);
}
