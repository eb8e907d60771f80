// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * ra - send one IPv6 router advertisement with a prefix for stateless
 * address autoconfiguration (SLAAC), so a test namespace's kernel makes an
 * address from it the way a relay on a real network gets one.
 *
 *   ra IFACE PREFIX   e.g. ra s1 2001:db8:5::   (a /64, on-link and autonomous)
 *
 * The router lifetime is 0: no default route, only the prefix. Sent to
 * ff02::1 on IFACE with hop limit 255, as RFC 4861 requires; the kernel
 * fills in the checksum. Exit 0 once sent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct {
		struct nd_router_advert ra;
		struct nd_opt_prefix_info pi;
	} __attribute__((packed)) m;
	struct sockaddr_in6 to = { .sin6_family = AF_INET6 };
	int fd, hops = 255;

	if (argc != 3) {
		fprintf(stderr, "usage: ra IFACE PREFIX\n");
		return 2;
	}
	memset(&m, 0, sizeof(m));
	m.ra.nd_ra_type = ND_ROUTER_ADVERT;
	m.ra.nd_ra_curhoplimit = 64;
	m.ra.nd_ra_router_lifetime = 0;
	m.pi.nd_opt_pi_type = ND_OPT_PREFIX_INFORMATION;
	m.pi.nd_opt_pi_len = 4; /* 32 bytes in units of 8 */
	m.pi.nd_opt_pi_prefix_len = 64;
	m.pi.nd_opt_pi_flags_reserved = ND_OPT_PI_FLAG_ONLINK | ND_OPT_PI_FLAG_AUTO;
	m.pi.nd_opt_pi_valid_time = htonl(86400);
	m.pi.nd_opt_pi_preferred_time = htonl(14400);
	if (inet_pton(AF_INET6, argv[2], &m.pi.nd_opt_pi_prefix) != 1) {
		fprintf(stderr, "ra: %s is not an IPv6 prefix\n", argv[2]);
		return 2;
	}
	inet_pton(AF_INET6, "ff02::1", &to.sin6_addr);
	to.sin6_scope_id = if_nametoindex(argv[1]);
	if (!to.sin6_scope_id) {
		fprintf(stderr, "ra: no interface %s\n", argv[1]);
		return 1;
	}
	fd = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	if (fd < 0 || setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops))) {
		perror("ra: socket");
		return 1;
	}
	if (sendto(fd, &m, sizeof(m), 0, (struct sockaddr *)&to, sizeof(to)) != (ssize_t)sizeof(m)) {
		perror("ra: sendto");
		return 1;
	}
	close(fd);
	return 0;
}
