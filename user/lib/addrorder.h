// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * addrorder.h - why getaddrinfo returned its addresses in that order: the
 * destination address selection rules of RFC 6724 (RFC 3484 as glibc
 * implements them), with the host's policy table (/etc/gai.conf, else
 * glibc's built-in one) and the source address of each destination that
 * glibc's route probes found. For each adjacent pair of a result list, the
 * rule that put the first one first, or that the rules cannot explain it.
 * Pure: the policy file is read by addr_policy_load only.
 */
#ifndef FT_ADDRORDER_H
#define FT_ADDRORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/fmt.h"

#define POLICY_MAX 64

struct policy_entry {
	uint8_t prefix[16];
	unsigned bits;
	int val;
};

struct scope4_entry {
	uint32_t net, mask; /* host byte order */
	int scope;
};

/* glibc's tables: labels, precedences, IPv4 scopes (gai.conf's label,
 * precedence and scopev4 lines; each replaces the built-in table whole). */
struct addr_policy {
	struct policy_entry label[POLICY_MAX], prec[POLICY_MAX];
	struct scope4_entry scope4[POLICY_MAX];
	unsigned n_label, n_prec, n_scope4;
	bool custom_label, custom_prec, custom_scope4;
	char source[256]; /* "built-in" or the file it came from */
};

/* glibc's built-in table (RFC 3484's, plus labels for site-local, ULA and
 * Teredo; IPv4 precedence 10, IPv6 40). */
void addr_policy_default(struct addr_policy *p);
/* Read a gai.conf. A missing file is the built-in table (returns 0, source
 * "built-in"); an unreadable one -1 with err set. Lines glibc would ignore
 * are ignored. */
int addr_policy_load(struct addr_policy *p, const char *path, char *err, size_t errlen);
/* The same, from the text of a file (tests). */
void addr_policy_parse(struct addr_policy *p, const char *text);

int addr_policy_label(const struct addr_policy *p, enum wire_fam fam, const uint8_t *addr);
int addr_policy_precedence(const struct addr_policy *p, enum wire_fam fam, const uint8_t *addr);
int addr_scope(const struct addr_policy *p, enum wire_fam fam, const uint8_t *addr);

/* Leading bits a and b share (of len bytes): rule 9's common prefix. */
unsigned addr_common_bits(const uint8_t *a, const uint8_t *b, unsigned len);

/* One destination as glibc's sort saw it. */
struct order_dest {
	enum wire_fam fam;
	uint8_t addr[16];
	int8_t src_state; /* 1: source known (src), -1: unusable (the probe failed:
			   * err), 0: famtrace did not see the probe */
	int err;
	uint8_t src[16]; /* same family as addr */
	int8_t src_deprecated; /* 1 deprecated, 0 not, -1 unknown (IPv4, or not reported) */
};

/* Why a came before b. rule: 1..10 the deciding rule (10: no rule decided,
 * the resolver's own order was kept); 0: the rules put b first — another
 * resolver or library ordered the list, or a rule famtrace cannot evaluate
 * (4: home address, 7: native transport; 3 when a source's flags are not
 * known) decided. */
struct order_step {
	int rule;
	char why[224];
};

/* Compare by the rules: <0 a first, >0 b first, 0 no rule decides. *rule
 * gets the deciding rule (10 when none), why the words. */
int order_compare(const struct addr_policy *p, const struct order_dest *a,
		  const struct order_dest *b, int *rule, char *why, size_t len);

/* Explain each adjacent pair of a result list: steps[i] is why d[i] came
 * before d[i + 1]. Returns how many pairs the rules cannot explain. */
unsigned order_explain(const struct addr_policy *p, const struct order_dest *d, unsigned n,
		       struct order_step *steps);

#endif
