// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * test_addresses.c - unit tests of what famtrace says about addresses: the
 * special-purpose classes (addrclass.c) and the RFC 6724 ordering rules
 * with glibc's tables and gai.conf (addrorder.c), against the RFC's own
 * examples (RFC 6724 section 10.2).
 */
#include <arpa/inet.h>
#include <string.h>

#include "core/correlate.h"
#include "lib/addrclass.h"
#include "lib/addrorder.h"
#include "unit.h"

static enum wire_fam parse(const char *s, uint8_t out[16])
{
	memset(out, 0, 16);
	if (strchr(s, ':')) {
		inet_pton(AF_INET6, s, out);
		return FAM_V6;
	}
	inet_pton(AF_INET, s, out);
	return FAM_V4;
}

static const char *cls(const char *s)
{
	uint8_t a[16];
	enum wire_fam f = parse(s, a);

	return addr_class_key(addr_class_of(f, a));
}

static const char *describe(const char *s)
{
	static char buf[128];
	uint8_t a[16];
	enum wire_fam f = parse(s, a);

	return addr_class_describe(buf, sizeof(buf), f, a);
}

static void test_classes_from_the_registries(void)
{
	CHECK(!strcmp(cls("192.0.2.25"), "documentation"));
	CHECK(!strcmp(cls("198.51.100.1"), "documentation"));
	CHECK(!strcmp(cls("203.0.113.255"), "documentation"));
	CHECK(!strcmp(cls("2001:db8:1::25"), "documentation"));
	CHECK(!strcmp(cls("3fff:1::1"), "documentation"));
	CHECK(!strcmp(cls("10.1.2.3"), "private"));
	CHECK(!strcmp(cls("172.31.255.1"), "private"));
	CHECK(!strcmp(cls("172.32.0.1"), "global"));
	CHECK(!strcmp(cls("192.168.0.1"), "private"));
	CHECK(!strcmp(cls("100.64.0.1"), "shared"));
	CHECK(!strcmp(cls("100.128.0.1"), "global"));
	CHECK(!strcmp(cls("127.0.0.1"), "loopback"));
	CHECK(!strcmp(cls("::1"), "loopback"));
	CHECK(!strcmp(cls("169.254.13.78"), "link_local"));
	CHECK(!strcmp(cls("fe80::1"), "link_local"));
	CHECK(!strcmp(cls("fd11::1"), "ula"));
	CHECK(!strcmp(cls("fec0::1"), "site_local"));
	CHECK(!strcmp(cls("198.19.0.1"), "benchmarking"));
	CHECK(!strcmp(cls("2001:2::1"), "benchmarking"));
	CHECK(!strcmp(cls("224.0.0.1"), "multicast"));
	CHECK(!strcmp(cls("ff02::1"), "multicast"));
	CHECK(!strcmp(cls("240.0.0.1"), "reserved"));
	CHECK(!strcmp(cls("255.255.255.255"), "broadcast"));
	CHECK(!strcmp(cls("0.1.2.3"), "this_network"));
	CHECK(!strcmp(cls("0.0.0.0"), "unspecified"));
	CHECK(!strcmp(cls("::"), "unspecified"));
	CHECK(!strcmp(cls("192.0.0.9"), "ietf_protocol"));
	CHECK(!strcmp(cls("192.88.99.1"), "6to4_relay"));
	CHECK(!strcmp(cls("2001:10::1"), "orchid"));
	CHECK(!strcmp(cls("100::1"), "discard"));
	CHECK(!strcmp(cls("4000::1"), "reserved")); /* outside 2000::/3 */
	CHECK(!strcmp(cls("2a00:1450::1"), "global"));
	CHECK(!strcmp(cls("8.8.8.8"), "global"));
}

static void test_transition_addresses_say_what_they_embed(void)
{
	CHECK(!strcmp(cls("2002:c000:202::25"), "6to4"));
	CHECK(!strcmp(describe("2002:c000:202::25"), "6to4 of 192.0.2.2"));
	/* RFC 4380's example: server 65.54.227.120, client 192.0.2.45:40000
	 * (port and client inverted on the wire). */
	CHECK(!strcmp(cls("2001:0:4136:e378:8000:63bf:3fff:fdd2"), "teredo"));
	CHECK(!strcmp(describe("2001:0:4136:e378:8000:63bf:3fff:fdd2"),
		      "Teredo: server 65.54.227.120, client 192.0.2.45:40000"));
	CHECK(!strcmp(cls("64:ff9b::c000:221"), "nat64"));
	CHECK(!strcmp(describe("64:ff9b::c000:221"), "NAT64 of 192.0.2.33"));
	CHECK(!strcmp(cls("64:ff9b:1::1"), "nat64_local"));
	CHECK(!strcmp(describe("::ffff:192.0.2.1"), "IPv4-mapped 192.0.2.1"));
	CHECK(addr_class_transition(AC_6TO4) && addr_class_transition(AC_TEREDO));
	CHECK(!addr_class_transition(AC_NAT64) && !addr_class_transition(AC_GLOBAL));
	CHECK(addr_class_internal(AC_DOCUMENTATION) && addr_class_internal(AC_ULA) &&
	      addr_class_internal(AC_PRIVATE) && !addr_class_internal(AC_GLOBAL) &&
	      !addr_class_internal(AC_6TO4));
}

/* A destination with its source ("-" for none: the probe failed). */
static void dest(struct order_dest *d, const char *addr, const char *src)
{
	memset(d, 0, sizeof(*d));
	d->src_deprecated = -1;
	d->fam = parse(addr, d->addr);
	if (!src) {
		d->src_state = 0;
	} else if (!strcmp(src, "-")) {
		d->src_state = -1;
		d->err = 101; /* ENETUNREACH */
	} else {
		parse(src, d->src);
		d->src_state = 1;
	}
}

/* Which comes first by the rules, and by which rule. */
static int first_by(const struct addr_policy *p, const char *a, const char *sa, const char *b,
		    const char *sb, int *rule, char *why)
{
	struct order_dest da, db;

	dest(&da, a, sa);
	dest(&db, b, sb);
	return order_compare(p, &da, &db, rule, why, 224);
}

/* RFC 6724 section 10.2, with the sources the RFC's source selection picks. */
static void test_rfc6724_examples(void)
{
	struct addr_policy p;
	char why[224];
	int rule;

	addr_policy_default(&p);
	/* Prefer matching scope: a link-local IPv4 source for a global IPv4
	 * destination loses to a global IPv6 pair. */
	CHECK(first_by(&p, "2001:db8:1::1", "2001:db8:1::2", "198.51.100.121", "169.254.13.78",
		       &rule, why) < 0 && rule == 2);
	CHECK(first_by(&p, "198.51.100.121", "198.51.100.117", "2001:db8:1::1", "fe80::1", &rule,
		       why) < 0 && rule == 2);
	/* Prefer higher precedence: IPv6 40 over IPv4 (glibc: 10). */
	CHECK(first_by(&p, "2001:db8:1::1", "2001:db8:1::2", "10.1.2.3", "10.1.2.4", &rule, why) < 0 &&
	      rule == 6 && !strcmp(why, "precedence 40 > 10"));
	/* Prefer smaller scope. */
	CHECK(first_by(&p, "fe80::1", "fe80::2", "2001:db8:1::1", "2001:db8:1::2", &rule, why) < 0 &&
	      rule == 8);
	/* Prefer matching label: 6to4 to 6to4. */
	CHECK(first_by(&p, "2002:c633:6401::1", "2002:c633:6401::2", "2001:db8:1::1",
		       "2002:c633:6401::2", &rule, why) < 0 && rule == 5);
	/* Native IPv6 over 6to4 when both have matching sources: precedence. */
	CHECK(first_by(&p, "2001:db8:1::1", "2001:db8:1::2", "2002:c633:6401::1", "2002:c633:6401::2",
		       &rule, why) < 0 && rule == 6 && !strcmp(why, "precedence 40 > 30"));
	/* Avoid unusable destinations. */
	CHECK(first_by(&p, "192.0.2.25", "192.0.2.10", "2001:db8:2::25", "-", &rule, why) < 0 &&
	      rule == 1 && strstr(why, "ENETUNREACH"));
	/* Longest matching prefix: 2001:db8:1::/64 shares 64+ bits with the source. */
	CHECK(first_by(&p, "2001:db8:1::30", "2001:db8:1::10", "2001:db8:2::30", "2001:db8:1::10",
		       &rule, why) < 0 && rule == 9 && strstr(why, "> 46"));
	/* Avoid deprecated sources, when the kernel said which is. */
	{
		struct order_dest da, db;

		dest(&da, "2001:db8:1::30", "2001:db8:1::10");
		dest(&db, "2001:db8:2::30", "2001:db8:1::10");
		da.src_deprecated = 1;
		db.src_deprecated = 0;
		CHECK(order_compare(&p, &da, &db, &rule, why, sizeof(why)) > 0 && rule == 3);
		da.src_deprecated = -1; /* not known: rule 3 cannot decide */
		CHECK(order_compare(&p, &da, &db, &rule, why, sizeof(why)) < 0 && rule == 9);
	}
	/* Nothing decides: the resolver's order. */
	CHECK(first_by(&p, "2001:db8:2::30", "2001:db8:1::10", "2001:db8:3::30", "2001:db8:1::10",
		       &rule, why) == 0 && rule == 10);
	/* No probes seen: only precedence and scope can be judged. */
	CHECK(first_by(&p, "2001:db8:1::1", NULL, "192.0.2.1", NULL, &rule, why) < 0 && rule == 6);
}

/* The RFC 6724 table itself, as a gai.conf, and a gai.conf that prefers IPv4. */
static void test_gai_conf_replaces_tables(void)
{
	static const char rfc6724[] = "# RFC 6724 section 2.1\n"
				      "precedence ::1/128 50\nprecedence ::/0 40\n"
				      "precedence ::ffff:0:0/96 35\nprecedence 2002::/16 30\n"
				      "precedence 2001::/32 5\nprecedence fc00::/7 3\n"
				      "precedence ::/96 1\nprecedence fec0::/10 1\n"
				      "precedence 3ffe::/16 1\n"
				      "label ::1/128 0\nlabel ::/0 1\nlabel ::ffff:0:0/96 4\n"
				      "label 2002::/16 2\nlabel 2001::/32 5\nlabel fc00::/7 13\n"
				      "label ::/96 3\nlabel fec0::/10 11\nlabel 3ffe::/16 12\n";
	struct addr_policy p;
	char why[224];
	int rule;
	uint8_t a[16];

	addr_policy_parse(&p, rfc6724);
	CHECK(p.custom_prec && p.custom_label && !p.custom_scope4);
	CHECK(first_by(&p, "2001:db8:1::1", "2001:db8:1::2", "10.1.2.3", "10.1.2.4", &rule, why) < 0 &&
	      rule == 6 && !strcmp(why, "precedence 40 > 35"));
	/* RFC 6724 puts ULA below IPv4 (3 < 35); glibc's table does not. */
	CHECK(first_by(&p, "192.0.2.1", "192.0.2.2", "fd11::1", "fd11::2", &rule, why) < 0 &&
	      rule == 6);
	/* Debian's commented-out line, uncommented: IPv4 first. Only the
	 * lines given remain, plus the catch-all ::/0 40. */
	addr_policy_parse(&p, "  precedence  ::ffff:0:0/96  100   # prefer IPv4\nbogus line here\n"
			      "precedence not-an-address 7\n");
	CHECK(p.custom_prec && !p.custom_label && p.n_prec == 2);
	CHECK(first_by(&p, "192.0.2.25", "192.0.2.10", "2001:db8:1::25", "2001:db8:1::10", &rule, why) < 0 &&
	      rule == 6 && !strcmp(why, "precedence 100 > 40"));
	parse("::1", a);
	CHECK(addr_policy_precedence(&p, FAM_V6, a) == 40); /* ::1 50 is gone with the table */
	/* scopev4 */
	addr_policy_parse(&p, "scopev4 ::ffff:10.0.0.0/104 5\n");
	parse("10.1.2.3", a);
	CHECK(p.custom_scope4 && addr_scope(&p, FAM_V4, a) == 5);
	parse("192.0.2.1", a);
	CHECK(addr_scope(&p, FAM_V4, a) == 14);
}

static void test_explain_a_list(void)
{
	struct addr_policy p;
	struct order_dest d[3];
	struct order_step s[2];

	addr_policy_default(&p);
	dest(&d[0], "2001:db8:1::25", "2001:db8:1::10");
	dest(&d[1], "2001:db8:2::25", "2001:db8:1::10");
	dest(&d[2], "192.0.2.25", "192.0.2.10");
	CHECK(order_explain(&p, d, 3, s) == 0);
	CHECK(s[0].rule == 9 && s[1].rule == 6);
	/* The same list the other way round: not what glibc would return. */
	dest(&d[0], "192.0.2.25", "192.0.2.10");
	dest(&d[1], "2001:db8:1::25", "2001:db8:1::10");
	CHECK(order_explain(&p, d, 2, s) == 1 && s[0].rule == 0 && strstr(s[0].why, "rule 6"));
}

/* Notes of one kind are said once, naming a few addresses: twenty
 * documentation addresses made twenty near-identical lines under check's
 * "addresses:". */
static void test_address_notes_said_once_per_kind(void)
{
	static const char *const addrs[] = { "192.0.2.2", "192.0.2.25", "2001:db8:2::25", "192.0.2.2",
					     "198.51.100.7", "203.0.113.9", "2002:c000:202::25" };
	struct addr_note_set set = { .n = 0 };
	char text[480];

	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		struct addr_note a = { 0 };
		enum addr_class c;

		a.fam = parse(addrs[i], a.addr);
		c = addr_class_of(a.fam, a.addr);
		a.cls = c;
		a.transition = addr_class_transition(c);
		addr_note_set_add(&set, &a);
	}
	/* Two kinds: documentation (5 distinct addresses, one named twice),
	 * and 6to4, alone with its own sentence. */
	CHECK(set.n == 2 && set.more == 0);
	addr_note_set_text(text, sizeof(text), &set, 0);
	CHECK(!strcmp(text, "192.0.2.2, 192.0.2.25, 2001:db8:2::25 and 2 more are documentation (RFC "
			    "5737/3849): no host on the Internet can reach them, and no attempt or route "
			    "probe famtrace saw left from an address of that kind"));
	if (strncmp(text, "192.0.2.2, ", 11))
		printf("#   got: %s\n", text);
	addr_note_set_text(text, sizeof(text), &set, 1);
	CHECK(strstr(text, "2002:c000:202::25 is 6to4 of 192.0.2.2: a transition address") == text);
}

int main(void)
{
	RUN(test_classes_from_the_registries);
	RUN(test_transition_addresses_say_what_they_embed);
	RUN(test_rfc6724_examples);
	RUN(test_gai_conf_replaces_tables);
	RUN(test_explain_a_list);
	RUN(test_address_notes_said_once_per_kind);
	UNIT_DONE();
}
