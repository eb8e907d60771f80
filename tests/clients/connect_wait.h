// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * connect_wait.h - the test clients' one non-blocking connect with a time
 * limit: connect, wait up to ms for the outcome, close. Plain POSIX, so it
 * builds with musl too (gaiconnect-musl).
 */
#ifndef FT_TEST_CONNECT_WAIT_H
#define FT_TEST_CONNECT_WAIT_H

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

/* 0 when it connected, else the errno (ETIMEDOUT after ms). */
static inline int connect_wait(const struct sockaddr *sa, socklen_t len, int ms)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK, 0), err = 0;
	socklen_t el = sizeof(err);
	struct pollfd pf = { .events = POLLOUT };

	if (fd < 0)
		return errno;
	if (connect(fd, sa, len) && errno != EINPROGRESS) {
		err = errno;
		close(fd);
		return err;
	}
	pf.fd = fd;
	if (poll(&pf, 1, ms) != 1) {
		close(fd);
		return ETIMEDOUT;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
	close(fd);
	return err;
}

#endif
