// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * connector - a test client that connects the way mail clients do: it tries
 * the given addresses in order and stops at the first that connects (a
 * client with fallback), or only the first (-1, a client without).
 *
 *   connector [-n] [-t MS] [-1] [-u] [-T] [-F] [-w MS] PORT ADDR...
 *     -n      non-blocking connect, abandoned (closed) after -t MS (default 1000)
 *     -1      try only the first address
 *     -u      UDP connect() (a route probe) instead of TCP
 *     -T      connect from a second thread
 *     -F      connect from a forked child (the parent waits)
 *     -w MS   wait MS before connecting (lets a tracer start)
 *     -L      connect from a second thread after the main thread has ended
 *             (pthread_exit: the thread-group leader exits first)
 *     -P N    try each address on ports PORT .. PORT+N-1 in turn (N destinations)
 *     -s MS   sleep MS after the attempts before exiting (a live process)
 *     -M N    open N non-blocking connects to the first address at once,
 *             keep them -t MS, then close them all (a burst of attempts)
 *     -S PORT connect from this source port (a peer sending from port 53)
 *     -D N    once connected, send N bytes, one segment each 100 bytes
 *
 * Prints one line per attempt to stderr; exits 0 if one connected, 1 if none.
 * IPv4-mapped IPv6 (::ffff:a.b.c.d) is connected over an AF_INET6 socket.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"

static bool nonblock, first_only, udp, in_thread, in_child, leader_exits;
static int burst, sleep_after_ms, n_ports = 1, src_port, send_bytes;
static int timeout_ms = 1000, port;
static char **addrs;
static int n_addrs;

static int try_one(const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, e = 0;

	if (to_sockaddr(addr, port, &ss, &len))
		return -EINVAL;
	fd = socket(ss.ss_family, (udp ? SOCK_DGRAM : SOCK_STREAM) | (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		return -errno;
	if (src_port) {
		struct sockaddr_storage src;
		socklen_t sl;
		int one = 1;

		to_sockaddr(ss.ss_family == AF_INET6 ? "::" : "0.0.0.0", src_port, &src, &sl);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&src, sl)) {
			e = errno;
			close(fd);
			return -e;
		}
	}
	if (connect(fd, (struct sockaddr *)&ss, len) == 0) {
		e = 0;
		for (int sent = 0; sent < send_bytes; sent += 100) {
			char seg[100];

			memset(seg, 'x', sizeof(seg));
			if (write(fd, seg, sizeof(seg)) < 0)
				break;
			usleep(1000); /* one segment each */
		}
	} else if (errno == EINPROGRESS) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int r = poll(&p, 1, timeout_ms);

		if (r == 0) {
			e = ETIMEDOUT; /* we give up: close() while in SYN_SENT */
		} else {
			socklen_t l = sizeof(e);

			getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l);
		}
	} else {
		e = errno;
	}
	/* stderr: stdout may be famtrace's JSON when run under it. */
	fprintf(stderr, "%s %s: %s\n", udp ? "udp" : "tcp", addr, e ? strerror(e) : "connected");
	close(fd);
	return -e;
}

/* -M: n sockets in SYN_SENT together; returns how many connects started. */
static int run_burst(const char *addr)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	bool v6 = strchr(addr, ':') != NULL;
	int *fds = calloc(burst, sizeof(int)), started = 0;

	if (!fds || (v6 ? inet_pton(AF_INET6, addr, &s6.sin6_addr) : inet_pton(AF_INET, addr, &s4.sin_addr)) != 1)
		return -1;
	for (int i = 0; i < burst; i++) {
		fds[i] = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fds[i] < 0)
			continue;
		if (connect(fds[i], v6 ? (struct sockaddr *)&s6 : (struct sockaddr *)&s4,
			    v6 ? sizeof(s6) : sizeof(s4)) == 0 || errno == EINPROGRESS)
			started++;
	}
	usleep(timeout_ms * 1000);
	for (int i = 0; i < burst; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	fprintf(stderr, "burst %s: %d connects started\n", addr, started);
	free(fds);
	return started;
}

static void *run_all(void *arg)
{
	long ok = 0;

	if (leader_exits)
		usleep(200 * 1000); /* let the main thread be gone first */
	for (int i = 0; i < n_addrs; i++) {
		if (try_one(addrs[i]) == 0) {
			ok = 1;
			if (!udp)
				break;
		}
		if (first_only)
			break;
	}
	return (void *)ok;
}

int main(int argc, char **argv)
{
	void *ok = NULL;
	int c, wait_ms = 0;

	while ((c = getopt(argc, argv, "nt:1uTFw:LM:s:P:S:D:")) != -1) {
		switch (c) {
		case 'n': nonblock = true; break;
		case 't': timeout_ms = atoi(optarg); break;
		case '1': first_only = true; break;
		case 'u': udp = true; break;
		case 'T': in_thread = true; break;
		case 'F': in_child = true; break;
		case 'w': wait_ms = atoi(optarg); break;
		case 'L': leader_exits = true; break;
		case 'M': burst = atoi(optarg); break;
		case 's': sleep_after_ms = atoi(optarg); break;
		case 'P': n_ports = atoi(optarg); break;
		case 'S': src_port = atoi(optarg); break;
		case 'D': send_bytes = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: connector [-n] [-t MS] [-1] [-u] [-T] [-F] [-w MS] PORT ADDR...\n");
			return 2;
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr, "usage: connector [-n] [-t MS] [-1] [-u] [-T] [-F] [-w MS] PORT ADDR...\n");
		return 2;
	}
	port = atoi(argv[optind]);
	addrs = argv + optind + 1;
	n_addrs = argc - optind - 1;
	if (wait_ms)
		usleep(wait_ms * 1000);
	if (burst)
		return run_burst(addrs[0]) == burst ? 0 : 1;
	if (n_ports > 1) {
		int base = port;

		for (int k = 0; k < n_ports; k++) {
			port = base + k;
			if (run_all(NULL))
				ok = (void *)1;
		}
		if (sleep_after_ms)
			usleep(sleep_after_ms * 1000);
		return ok ? 0 : 1;
	}
	if (leader_exits) {
		pthread_t t;

		/* The thread connects after main has gone; the process lives on
		 * in it, and its exit status is the thread's. */
		pthread_create(&t, NULL, run_all, NULL);
		pthread_detach(t);
		pthread_exit(NULL);
	}
	if (in_child) {
		int st;
		pid_t pid = fork();

		if (pid == 0)
			_exit(run_all(NULL) ? 0 : 1);
		waitpid(pid, &st, 0);
		return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
	}
	if (in_thread) {
		pthread_t t;

		pthread_create(&t, NULL, run_all, NULL);
		pthread_join(t, &ok);
	} else {
		ok = run_all(NULL);
	}
	if (sleep_after_ms)
		usleep(sleep_after_ms * 1000);
	return ok ? 0 : 1;
}
