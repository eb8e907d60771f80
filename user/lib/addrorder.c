// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * addrorder.c - RFC 6724 destination address ordering as glibc's
 * getaddrinfo applies it (its rfc3484_sort and gai.conf), turned around:
 * given the order a process received, name the rule that decided each
 * adjacent pair. Rules 4 (home address) and 7 (native transport) need
 * interface facts famtrace does not have, rule 3 the source's flags (known
 * for IPv6 sources the kernel reported); the rest need only the addresses,
 * their sources and the policy table.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/addrorder.h"

static void put(struct policy_entry *t, unsigned *n, const char *net, unsigned bits, int val)
{
	if (*n >= POLICY_MAX)
		return;
	inet_pton(AF_INET6, net, t[*n].prefix);
	t[*n].bits = bits;
	t[*n].val = val;
	(*n)++;
}

void addr_policy_default(struct addr_policy *p)
{
	memset(p, 0, sizeof(*p));
	put(p->label, &p->n_label, "::1", 128, 0);
	put(p->label, &p->n_label, "2002::", 16, 2);
	put(p->label, &p->n_label, "::", 96, 3);
	put(p->label, &p->n_label, "::ffff:0:0", 96, 4);
	put(p->label, &p->n_label, "fec0::", 10, 5);
	put(p->label, &p->n_label, "fc00::", 7, 6);
	put(p->label, &p->n_label, "2001::", 32, 7);
	put(p->label, &p->n_label, "::", 0, 1);
	put(p->prec, &p->n_prec, "::1", 128, 50);
	put(p->prec, &p->n_prec, "2002::", 16, 30);
	put(p->prec, &p->n_prec, "::", 96, 20);
	put(p->prec, &p->n_prec, "::ffff:0:0", 96, 10);
	put(p->prec, &p->n_prec, "::", 0, 40);
	p->scope4[0] = (struct scope4_entry){ 0xa9fe0000u, 0xffff0000u, 2 }; /* 169.254/16 */
	p->scope4[1] = (struct scope4_entry){ 0x7f000000u, 0xff000000u, 2 }; /* 127/8 */
	p->scope4[2] = (struct scope4_entry){ 0, 0, 14 };
	p->n_scope4 = 3;
	snprintf(p->source, sizeof(p->source), "built-in");
}

/* "PREFIX[/BITS] VALUE" as glibc reads it; false if glibc would skip it. */
static bool parse_prefix_line(char *v1, const char *v2, struct policy_entry *e)
{
	char *slash = strchr(v1, '/'), *end;
	unsigned long bits = 128, val;

	if (slash)
		*slash++ = 0;
	if (inet_pton(AF_INET6, v1, e->prefix) != 1)
		return false;
	if (slash) {
		errno = 0;
		bits = strtoul(slash, &end, 10);
		if (errno || *end || bits > 128)
			return false;
	}
	errno = 0;
	val = strtoul(v2, &end, 10);
	if (errno || *end || !*v2 || val > 0x7fffffff)
		return false;
	e->bits = (unsigned)bits;
	e->val = (int)val;
	return true;
}

static bool parse_scope4_line(char *v1, const char *v2, struct scope4_entry *e)
{
	char *slash = strchr(v1, '/'), *end;
	unsigned long bits, val;
	uint8_t a6[16];
	uint32_t a4;

	if (slash)
		*slash++ = 0;
	if (inet_pton(AF_INET6, v1, a6) == 1) {
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

		if (memcmp(a6, mapped, 12))
			return false;
		bits = 128;
		if (slash) {
			errno = 0;
			bits = strtoul(slash, &end, 10);
			if (errno || *end || bits < 96 || bits > 128)
				return false;
		}
		bits -= 96;
		memcpy(&a4, a6 + 12, 4);
	} else if (inet_pton(AF_INET, v1, &a4) == 1) {
		bits = 32;
		if (slash) {
			errno = 0;
			bits = strtoul(slash, &end, 10);
			if (errno || *end || bits > 32)
				return false;
		}
	} else {
		return false;
	}
	errno = 0;
	val = strtoul(v2, &end, 10);
	if (errno || *end || !*v2 || val > 0x7fffffff)
		return false;
	e->mask = bits ? 0xffffffffu << (32 - bits) : 0;
	e->net = ntohl(a4) & e->mask;
	e->scope = (int)val;
	return true;
}

void addr_policy_parse(struct addr_policy *p, const char *text)
{
	struct policy_entry label[POLICY_MAX], prec[POLICY_MAX];
	struct scope4_entry scope4[POLICY_MAX];
	unsigned nl = 0, np = 0, ns = 0;
	bool l0 = false, p0 = false, s0 = false;
	const char *line = text;

	addr_policy_default(p);
	while (line && *line) {
		const char *nl_at = strchr(line, '\n');
		size_t n = nl_at ? (size_t)(nl_at - line) : strlen(line);
		char buf[512], *cmd, *v1, *v2, *save = NULL;

		snprintf(buf, sizeof(buf), "%.*s", (int)(n < sizeof(buf) - 1 ? n : sizeof(buf) - 1), line);
		line = nl_at ? nl_at + 1 : NULL;
		buf[strcspn(buf, "#")] = 0;
		cmd = strtok_r(buf, " \t\r", &save);
		v1 = cmd ? strtok_r(NULL, " \t\r", &save) : NULL;
		v2 = v1 ? strtok_r(NULL, " \t\r", &save) : NULL;
		if (!v2)
			continue;
		if (!strcmp(cmd, "label") && nl < POLICY_MAX - 1 && parse_prefix_line(v1, v2, &label[nl]))
			l0 |= label[nl++].bits == 0;
		else if (!strcmp(cmd, "precedence") && np < POLICY_MAX - 1 &&
			 parse_prefix_line(v1, v2, &prec[np]))
			p0 |= prec[np++].bits == 0;
		else if (!strcmp(cmd, "scopev4") && ns < POLICY_MAX - 1 &&
			 parse_scope4_line(v1, v2, &scope4[ns]))
			s0 |= scope4[ns++].mask == 0;
	}
	/* Each kind of line, once given, replaces its table; glibc adds a
	 * catch-all (label 1, precedence 40, scope 14) when none is given. */
	if (nl) {
		if (!l0)
			label[nl++] = (struct policy_entry){ .bits = 0, .val = 1 };
		memcpy(p->label, label, nl * sizeof(label[0]));
		p->n_label = nl;
		p->custom_label = true;
	}
	if (np) {
		if (!p0)
			prec[np++] = (struct policy_entry){ .bits = 0, .val = 40 };
		memcpy(p->prec, prec, np * sizeof(prec[0]));
		p->n_prec = np;
		p->custom_prec = true;
	}
	if (ns) {
		if (!s0)
			scope4[ns++] = (struct scope4_entry){ 0, 0, 14 };
		memcpy(p->scope4, scope4, ns * sizeof(scope4[0]));
		p->n_scope4 = ns;
		p->custom_scope4 = true;
	}
}

int addr_policy_load(struct addr_policy *p, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *text;
	size_t n;

	if (!f) {
		addr_policy_default(p);
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	text = calloc(1, 1 << 16);
	if (!text) {
		fclose(f);
		addr_policy_default(p);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	n = fread(text, 1, (1 << 16) - 1, f);
	text[n] = 0;
	fclose(f);
	addr_policy_parse(p, text);
	if (p->custom_label || p->custom_prec || p->custom_scope4)
		snprintf(p->source, sizeof(p->source), "%s", path);
	free(text);
	return 0;
}

static bool prefix_match(const uint8_t *a, const uint8_t *net, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;

	if (memcmp(a, net, whole))
		return false;
	return !rest || ((a[whole] ^ net[whole]) & (0xff00 >> rest) & 0xff) == 0;
}

/* IPv4 as glibc's tables see it: ::ffff:a.b.c.d. */
static void as_v6(enum wire_fam fam, const uint8_t *addr, uint8_t out[16])
{
	if (fam == FAM_V6) {
		memcpy(out, addr, 16);
		return;
	}
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	memcpy(out + 12, addr, 4);
}

static int table_match(const struct policy_entry *t, unsigned n, enum wire_fam fam,
		       const uint8_t *addr, int dflt)
{
	uint8_t a[16];
	int best = -1;

	as_v6(fam, addr, a);
	for (unsigned i = 0; i < n; i++)
		if ((best < 0 || t[i].bits > t[best].bits) && prefix_match(a, t[i].prefix, t[i].bits))
			best = (int)i;
	return best < 0 ? dflt : t[best].val;
}

int addr_policy_label(const struct addr_policy *p, enum wire_fam fam, const uint8_t *addr)
{
	return table_match(p->label, p->n_label, fam, addr, 0x7fffffff);
}

int addr_policy_precedence(const struct addr_policy *p, enum wire_fam fam, const uint8_t *addr)
{
	return table_match(p->prec, p->n_prec, fam, addr, 0);
}

int addr_scope(const struct addr_policy *p, enum wire_fam fam, const uint8_t *addr)
{
	if (fam == FAM_V6) {
		if (addr[0] == 0xff)
			return addr[1] & 0xf;
		if ((addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80) ||
		    !memcmp(addr, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16))
			return 2;
		if (addr[0] == 0xfe && (addr[1] & 0xc0) == 0xc0)
			return 5;
		return 14;
	}
	{
		uint32_t a = ((uint32_t)addr[0] << 24) | (addr[1] << 16) | (addr[2] << 8) | addr[3];
		int best = -1;

		for (unsigned i = 0; i < p->n_scope4; i++)
			if ((a & p->scope4[i].mask) == p->scope4[i].net &&
			    (best < 0 || p->scope4[i].mask > p->scope4[best].mask))
				best = (int)i;
		return best < 0 ? 14 : p->scope4[best].scope;
	}
}

unsigned addr_common_bits(const uint8_t *a, const uint8_t *b, unsigned len)
{
	unsigned n = 0;

	for (unsigned i = 0; i < len; i++) {
		uint8_t x = a[i] ^ b[i];

		if (!x) {
			n += 8;
			continue;
		}
		while (!(x & 0x80)) {
			n++;
			x <<= 1;
		}
		break;
	}
	return n;
}

int order_compare(const struct addr_policy *p, const struct order_dest *a,
		  const struct order_dest *b, int *rule, char *why, size_t len)
{
	bool srcs = a->src_state && b->src_state;
	int sa, sb;

	/* Rule 1: avoid unusable destinations (the probe found no route). */
	if (srcs && (a->src_state > 0) != (b->src_state > 0)) {
		const struct order_dest *bad = a->src_state > 0 ? b : a;

		*rule = 1;
		snprintf(why, len, "no source address for %s (route probe: %s)",
			 bad == a ? "the first" : "the second", errno_name(bad->err));
		return a->src_state > 0 ? -1 : 1;
	}
	srcs = srcs && a->src_state > 0 && b->src_state > 0;
	sa = addr_scope(p, a->fam, a->addr);
	sb = addr_scope(p, b->fam, b->addr);
	/* Rule 2: prefer matching scope. */
	if (srcs) {
		bool ma = sa == addr_scope(p, a->fam, a->src), mb = sb == addr_scope(p, b->fam, b->src);

		if (ma != mb) {
			*rule = 2;
			snprintf(why, len, "only the %s's scope matches its source's", ma ? "first" : "second");
			return ma ? -1 : 1;
		}
	}
	/* Rule 3: avoid deprecated sources (when the kernel said). */
	if (srcs && a->src_deprecated >= 0 && b->src_deprecated >= 0 &&
	    a->src_deprecated != b->src_deprecated) {
		*rule = 3;
		snprintf(why, len, "the %s's source is deprecated", a->src_deprecated ? "first" : "second");
		return a->src_deprecated ? 1 : -1;
	}
	/* Rule 4 (home addresses, Mobile IPv6) needs what famtrace does not
	 * have. Rule 5: prefer matching label. */
	if (srcs) {
		int la = addr_policy_label(p, a->fam, a->addr), lb = addr_policy_label(p, b->fam, b->addr);
		bool ma = la == addr_policy_label(p, a->fam, a->src);
		bool mb = lb == addr_policy_label(p, b->fam, b->src);

		if (ma != mb) {
			*rule = 5;
			snprintf(why, len, "label %d matches its source's, label %d does not",
				 ma ? la : lb, ma ? lb : la);
			return ma ? -1 : 1;
		}
	}
	/* Rule 6: prefer higher precedence. */
	{
		int pa = addr_policy_precedence(p, a->fam, a->addr);
		int pb = addr_policy_precedence(p, b->fam, b->addr);

		if (pa != pb) {
			*rule = 6;
			snprintf(why, len, "precedence %d > %d", pa > pb ? pa : pb, pa > pb ? pb : pa);
			return pa > pb ? -1 : 1;
		}
	}
	/* Rule 7 needs the interfaces. Rule 8: prefer smaller scope. */
	if (sa != sb) {
		*rule = 8;
		snprintf(why, len, "smaller scope (%d < %d)", sa < sb ? sa : sb, sa < sb ? sb : sa);
		return sa < sb ? -1 : 1;
	}
	/* Rule 9: longest matching prefix with the source. glibc compares
	 * whole IPv6 addresses, and IPv4 only inside the source's subnet
	 * (whose length famtrace does not know). */
	if (srcs && a->fam == b->fam && a->fam == FAM_V6) {
		unsigned ca = addr_common_bits(a->addr, a->src, 16), cb = addr_common_bits(b->addr, b->src, 16);

		if (ca != cb) {
			*rule = 9;
			snprintf(why, len, "%u common prefix bits with its source > %u", ca > cb ? ca : cb,
				 ca > cb ? cb : ca);
			return ca > cb ? -1 : 1;
		}
	}
	*rule = 10;
	if (!a->src_state || !b->src_state)
		snprintf(why, len, "no rule famtrace can evaluate decides (route probes not seen): "
				   "the resolver's order");
	else if (a->fam == FAM_V4 && b->fam == FAM_V4)
		snprintf(why, len, "the resolver's order (or rule 9 inside the source's subnet)");
	else
		snprintf(why, len, "the resolver's order");
	return 0;
}

unsigned order_explain(const struct addr_policy *p, const struct order_dest *d, unsigned n,
		       struct order_step *steps)
{
	unsigned bad = 0;

	for (unsigned i = 0; i + 1 < n; i++) {
		char why[128];
		int rule, c = order_compare(p, &d[i], &d[i + 1], &rule, why, sizeof(why));

		if (c <= 0) {
			steps[i].rule = rule;
			snprintf(steps[i].why, sizeof(steps[i].why), "%s", why);
		} else {
			steps[i].rule = 0;
			snprintf(steps[i].why, sizeof(steps[i].why),
				 "not by the rules: rule %d puts the second first (%s)", rule, why);
			bad++;
		}
	}
	return bad;
}
