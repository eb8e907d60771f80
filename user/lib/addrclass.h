// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * addrclass.h - what kind of address an IPv4 or IPv6 address is, from the
 * IANA special-purpose address registries and the transition prefixes
 * (6to4, Teredo, NAT64): "global", "documentation", "6to4 of 192.0.2.2", ...
 * Pure functions of the address bytes; no tables outside this module.
 */
#ifndef FT_ADDRCLASS_H
#define FT_ADDRCLASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/fmt.h"

enum addr_class {
	AC_GLOBAL = 0,	   /* global unicast, nothing special */
	AC_UNSPECIFIED,	   /* 0.0.0.0/32 (inside 0/8), ::/128 */
	AC_THIS_NETWORK,   /* 0.0.0.0/8 */
	AC_LOOPBACK,	   /* 127.0.0.0/8, ::1/128 */
	AC_LINK_LOCAL,	   /* 169.254.0.0/16, fe80::/10 */
	AC_PRIVATE,	   /* RFC 1918: 10/8, 172.16/12, 192.168/16 */
	AC_SHARED,	   /* 100.64.0.0/10, carrier-grade NAT (RFC 6598) */
	AC_ULA,		   /* fc00::/7 (RFC 4193) */
	AC_SITE_LOCAL,	   /* fec0::/10, deprecated (RFC 3879) */
	AC_V4MAPPED,	   /* ::ffff:0:0/96 */
	AC_V4COMPAT,	   /* ::/96, deprecated (RFC 4291) */
	AC_6TO4,	   /* 2002::/16 (RFC 3056), embeds an IPv4 address */
	AC_TEREDO,	   /* 2001::/32 (RFC 4380), embeds server and client */
	AC_NAT64,	   /* 64:ff9b::/96 (RFC 6052), embeds an IPv4 address */
	AC_NAT64_LOCAL,	   /* 64:ff9b:1::/48 (RFC 8215) */
	AC_DOCUMENTATION,  /* 192.0.2/24, 198.51.100/24, 203.0.113/24,
			    * 2001:db8::/32, 3fff::/20 */
	AC_BENCHMARKING,   /* 198.18.0.0/15, 2001:2::/48 */
	AC_IETF_PROTOCOL,  /* 192.0.0.0/24, 2001::/23 (the rest of them) */
	AC_AS112,	   /* 192.31.196.0/24, 192.175.48.0/24, 2001:4:112::/48,
			    * 2620:4f:8000::/48 */
	AC_AMT,		   /* 192.52.193.0/24, 2001:3::/32 */
	AC_ORCHID,	   /* 2001:10::/28 (deprecated), 2001:20::/28 */
	AC_6TO4_RELAY,	   /* 192.88.99.0/24, deprecated 6to4 relay anycast */
	AC_DISCARD,	   /* 100::/64 (RFC 6666) */
	AC_MULTICAST,	   /* 224.0.0.0/4, ff00::/8 */
	AC_BROADCAST,	   /* 255.255.255.255 */
	AC_RESERVED,	   /* 240.0.0.0/4; IPv6 outside 2000::/3 not listed above */
	AC_N
};

/* Stable key for JSON ("global", "documentation", "6to4", ...). */
const char *addr_class_key(enum addr_class c);
/* Words for a person ("documentation (RFC 5737/3849)", ...). */
const char *addr_class_name(enum addr_class c);

/* The class of an address in wire form (4 bytes for IPv4, 16 for IPv6). */
enum addr_class addr_class_of(enum wire_fam fam, const uint8_t *addr);

/*
 * The class with what the address embeds: "6to4 of 192.0.2.2", "Teredo:
 * server 192.0.2.1, client 198.51.100.7:40000", "NAT64 of 192.0.2.33",
 * "IPv4-mapped 192.0.2.1"; the class name for the rest. Returns buf.
 */
char *addr_class_describe(char *buf, size_t len, enum wire_fam fam, const uint8_t *addr);

/* A transition mechanism's address: 6to4 or Teredo (unreliable; an MX
 * host's AAAA should never be one, and mail should not leave from one). */
bool addr_class_transition(enum addr_class c);

/* An address no host on the public Internet can reach: private, ULA,
 * link-local, loopback, documentation, reserved, ... (false for global,
 * transition and NAT64 addresses, which are routed). */
bool addr_class_internal(enum addr_class c);

#endif
