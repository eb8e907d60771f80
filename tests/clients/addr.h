// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * addr.h - the test clients' one address parser: "192.0.2.1" or
 * "2001:db8::1" and a port into a sockaddr for connect()/sendto().
 */
#ifndef FT_TEST_ADDR_H
#define FT_TEST_ADDR_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

/* 0, or -1 when addr is neither an IPv4 nor an IPv6 address. */
static inline int to_sockaddr(const char *addr, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (void *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		return inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1 ? 0 : -1;
	} else {
		struct sockaddr_in *s4 = (void *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
		return inet_pton(AF_INET, addr, &s4->sin_addr) == 1 ? 0 : -1;
	}
}

#endif
