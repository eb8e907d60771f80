// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * syscalls - a storm of cheap, unrelated system calls (getppid), the
 * workload a tracer must not touch: a program on any syscall tracepoint puts
 * every system call of every task on the tracing slow path, so this storm
 * shows that cost directly (bench/run's "syscalls" workload).
 *   syscalls N      make N getppid() calls; prints "OPS_PER_SEC <n>"
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	long n = argc > 1 ? atol(argv[1]) : 0;
	double s;

	if (n <= 0) {
		fprintf(stderr, "usage: syscalls N\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid); /* glibc does not cache it, but be explicit */
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("OPS_PER_SEC %.0f\n", s > 0 ? n / s : 0);
	return 0;
}
