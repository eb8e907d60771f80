// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * addrclass.c - classify IPv4 and IPv6 addresses by the IANA special-purpose
 * address registries and the transition prefixes, and describe what a
 * transition address embeds. A table of prefixes, longest match wins.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "lib/addrclass.h"

static const struct {
	const char *key, *name;
} names[AC_N] = {
	[AC_GLOBAL] = { "global", "global unicast" },
	[AC_UNSPECIFIED] = { "unspecified", "unspecified address" },
	[AC_THIS_NETWORK] = { "this_network", "\"this network\" (0.0.0.0/8)" },
	[AC_LOOPBACK] = { "loopback", "loopback" },
	[AC_LINK_LOCAL] = { "link_local", "link-local" },
	[AC_PRIVATE] = { "private", "private (RFC 1918)" },
	[AC_SHARED] = { "shared", "shared address space, carrier-grade NAT (RFC 6598)" },
	[AC_ULA] = { "ula", "unique local (ULA, RFC 4193)" },
	[AC_SITE_LOCAL] = { "site_local", "site-local (deprecated)" },
	[AC_V4MAPPED] = { "v4mapped", "IPv4-mapped" },
	[AC_V4COMPAT] = { "v4compat", "IPv4-compatible (deprecated)" },
	[AC_6TO4] = { "6to4", "6to4 (RFC 3056)" },
	[AC_TEREDO] = { "teredo", "Teredo (RFC 4380)" },
	[AC_NAT64] = { "nat64", "NAT64 (RFC 6052)" },
	[AC_NAT64_LOCAL] = { "nat64_local", "local-use NAT64 (RFC 8215)" },
	[AC_DOCUMENTATION] = { "documentation", "documentation (RFC 5737/3849)" },
	[AC_BENCHMARKING] = { "benchmarking", "benchmarking (RFC 2544/5180)" },
	[AC_IETF_PROTOCOL] = { "ietf_protocol", "IETF protocol assignment" },
	[AC_AS112] = { "as112", "AS112 (RFC 7534/7535)" },
	[AC_AMT] = { "amt", "AMT (RFC 7450)" },
	[AC_ORCHID] = { "orchid", "ORCHID (RFC 7343)" },
	[AC_6TO4_RELAY] = { "6to4_relay", "6to4 relay anycast (deprecated)" },
	[AC_DISCARD] = { "discard", "discard-only (RFC 6666)" },
	[AC_MULTICAST] = { "multicast", "multicast" },
	[AC_BROADCAST] = { "broadcast", "limited broadcast" },
	[AC_RESERVED] = { "reserved", "reserved" },
};

const char *addr_class_key(enum addr_class c)
{
	return c < AC_N ? names[c].key : "reserved";
}

const char *addr_class_name(enum addr_class c)
{
	return c < AC_N ? names[c].name : "reserved";
}

struct prefix {
	const char *net;
	unsigned bits;
	enum addr_class cls;
};

/* IPv4: the IANA IPv4 Special-Purpose Address Registry, plus multicast and
 * the deprecated 6to4 relay anycast block. */
static const struct prefix v4[] = {
	{ "0.0.0.0", 8, AC_THIS_NETWORK },
	{ "0.0.0.0", 32, AC_UNSPECIFIED },
	{ "10.0.0.0", 8, AC_PRIVATE },
	{ "100.64.0.0", 10, AC_SHARED },
	{ "127.0.0.0", 8, AC_LOOPBACK },
	{ "169.254.0.0", 16, AC_LINK_LOCAL },
	{ "172.16.0.0", 12, AC_PRIVATE },
	{ "192.0.0.0", 24, AC_IETF_PROTOCOL },
	{ "192.0.2.0", 24, AC_DOCUMENTATION },
	{ "192.31.196.0", 24, AC_AS112 },
	{ "192.52.193.0", 24, AC_AMT },
	{ "192.88.99.0", 24, AC_6TO4_RELAY },
	{ "192.168.0.0", 16, AC_PRIVATE },
	{ "192.175.48.0", 24, AC_AS112 },
	{ "198.18.0.0", 15, AC_BENCHMARKING },
	{ "198.51.100.0", 24, AC_DOCUMENTATION },
	{ "203.0.113.0", 24, AC_DOCUMENTATION },
	{ "224.0.0.0", 4, AC_MULTICAST },
	{ "240.0.0.0", 4, AC_RESERVED },
	{ "255.255.255.255", 32, AC_BROADCAST },
};

/* IPv6: the IANA IPv6 Special-Purpose Address Registry, plus multicast,
 * the deprecated site-local and IPv4-compatible forms. */
static const struct prefix v6[] = {
	{ "::", 128, AC_UNSPECIFIED },
	{ "::1", 128, AC_LOOPBACK },
	{ "::", 96, AC_V4COMPAT },
	{ "::ffff:0:0", 96, AC_V4MAPPED },
	{ "64:ff9b::", 96, AC_NAT64 },
	{ "64:ff9b:1::", 48, AC_NAT64_LOCAL },
	{ "100::", 64, AC_DISCARD },
	{ "2001::", 23, AC_IETF_PROTOCOL },
	{ "2001::", 32, AC_TEREDO },
	{ "2001:2::", 48, AC_BENCHMARKING },
	{ "2001:3::", 32, AC_AMT },
	{ "2001:4:112::", 48, AC_AS112 },
	{ "2001:10::", 28, AC_ORCHID },
	{ "2001:20::", 28, AC_ORCHID },
	{ "2001:db8::", 32, AC_DOCUMENTATION },
	{ "2002::", 16, AC_6TO4 },
	{ "2620:4f:8000::", 48, AC_AS112 },
	{ "3fff::", 20, AC_DOCUMENTATION },
	{ "fc00::", 7, AC_ULA },
	{ "fe80::", 10, AC_LINK_LOCAL },
	{ "fec0::", 10, AC_SITE_LOCAL },
	{ "ff00::", 8, AC_MULTICAST },
};

static bool prefix_match(const uint8_t *a, const uint8_t *net, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;

	if (memcmp(a, net, whole))
		return false;
	return !rest || ((a[whole] ^ net[whole]) & (0xff00 >> rest) & 0xff) == 0;
}

#define NV4 (sizeof(v4) / sizeof(v4[0]))
#define NV6 (sizeof(v6) / sizeof(v6[0]))

/* The tables' prefixes as bytes, parsed once (reporters classify every
 * address they print). */
static uint8_t v4_net[NV4][4], v6_net[NV6][16];

static void parse_tables(void)
{
	static bool done;

	if (done)
		return;
	for (size_t i = 0; i < NV4; i++)
		inet_pton(AF_INET, v4[i].net, v4_net[i]);
	for (size_t i = 0; i < NV6; i++)
		inet_pton(AF_INET6, v6[i].net, v6_net[i]);
	done = true;
}

static enum addr_class lookup(const struct prefix *t, size_t n, size_t width, const uint8_t *nets,
			      const uint8_t *addr, enum addr_class dflt)
{
	enum addr_class best = dflt;
	int best_bits = -1;

	for (size_t i = 0; i < n; i++) {
		const uint8_t *net = nets + i * width;

		if ((int)t[i].bits > best_bits && prefix_match(addr, net, t[i].bits)) {
			best = t[i].cls;
			best_bits = (int)t[i].bits;
		}
	}
	return best;
}

/* The registry scan, memoised: a relay prints the same few addresses (its
 * sources, its MX hosts) on every line, and JSON classifies each. */
#define CLASS_CACHE 64

static struct {
	bool valid;
	uint8_t fam, cls;
	uint8_t addr[16];
} cache[CLASS_CACHE];

static enum addr_class classify(enum wire_fam fam, const uint8_t *addr);

enum addr_class addr_class_of(enum wire_fam fam, const uint8_t *addr)
{
	size_t len = fam == FAM_V4 ? 4 : 16;
	uint32_t h = 2166136261u;
	unsigned slot;

	for (size_t i = 0; i < len; i++)
		h = (h ^ addr[i]) * 16777619u;
	slot = (h ^ fam) % CLASS_CACHE;
	if (cache[slot].valid && cache[slot].fam == fam && !memcmp(cache[slot].addr, addr, len))
		return (enum addr_class)cache[slot].cls;
	cache[slot].valid = true;
	cache[slot].fam = (uint8_t)fam;
	memcpy(cache[slot].addr, addr, len);
	cache[slot].cls = (uint8_t)classify(fam, addr);
	return (enum addr_class)cache[slot].cls;
}

static enum addr_class classify(enum wire_fam fam, const uint8_t *addr)
{
	parse_tables();
	if (fam == FAM_V4)
		return lookup(v4, NV4, 4, &v4_net[0][0], addr, AC_GLOBAL);
	/* Global unicast is 2000::/3; the rest of the space is reserved by
	 * the IETF unless the registry says otherwise. */
	return lookup(v6, NV6, 16, &v6_net[0][0], addr,
		      (addr[0] & 0xe0) == 0x20 ? AC_GLOBAL : AC_RESERVED);
}

char *addr_class_describe(char *buf, size_t len, enum wire_fam fam, const uint8_t *addr)
{
	enum addr_class c = addr_class_of(fam, addr);
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	uint8_t v4addr[4];

	switch (c) {
	case AC_6TO4:
		/* 2002:AABB:CCDD::/48 is the site of IPv4 AA.BB.CC.DD. */
		inet_ntop(AF_INET, addr + 2, a, sizeof(a));
		snprintf(buf, len, "6to4 of %s", a);
		break;
	case AC_TEREDO:
		/* 2001:0:SSSS:SSSS:FLAG:PORT:CCCC:CCCC, port and client
		 * obfuscated (every bit inverted). */
		inet_ntop(AF_INET, addr + 4, a, sizeof(a));
		for (int i = 0; i < 4; i++)
			v4addr[i] = addr[12 + i] ^ 0xff;
		inet_ntop(AF_INET, v4addr, b, sizeof(b));
		snprintf(buf, len, "Teredo: server %s, client %s:%u", a, b,
			 (unsigned)(((addr[10] << 8) | addr[11]) ^ 0xffff));
		break;
	case AC_NAT64:
		inet_ntop(AF_INET, addr + 12, a, sizeof(a));
		snprintf(buf, len, "NAT64 of %s", a);
		break;
	case AC_V4MAPPED:
		inet_ntop(AF_INET, addr + 12, a, sizeof(a));
		snprintf(buf, len, "IPv4-mapped %s", a);
		break;
	case AC_V4COMPAT:
		inet_ntop(AF_INET, addr + 12, a, sizeof(a));
		snprintf(buf, len, "IPv4-compatible %s (deprecated)", a);
		break;
	default:
		snprintf(buf, len, "%s", addr_class_name(c));
		break;
	}
	return buf;
}

bool addr_class_transition(enum addr_class c)
{
	return c == AC_6TO4 || c == AC_TEREDO;
}

bool addr_class_internal(enum addr_class c)
{
	switch (c) {
	case AC_GLOBAL:
	case AC_6TO4:
	case AC_TEREDO:
	case AC_NAT64:
	case AC_AS112:
	case AC_AMT:
	case AC_IETF_PROTOCOL:
		return false;
	default:
		return true;
	}
}
