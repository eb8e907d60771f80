// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * dns.h - DNS messages copied by the resolver probes, parsed with the C
 * library's own parser (libresolv's ns_initparse / ns_parserr).
 */
#ifndef FT_DNS_H
#define FT_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_MAX_RRS 16
#define DNS_NAME_LEN 128

struct dns_rr {
	uint16_t type;	/* 1 A, 28 AAAA, 15 MX, 5 CNAME, other */
	uint16_t pref;	/* MX preference */
	uint8_t addr[16]; /* A: 4 bytes, AAAA: 16 */
	char target[DNS_NAME_LEN]; /* A/AAAA: owner name; MX: exchange; CNAME: target */
};

struct dns_msg {
	bool parsed;	   /* false: see error */
	bool header_only;  /* not parsed, but header and question read (see dns_header) */
	bool partial;	   /* parsed as far as the copy went: the answers that fit in it
			    * (n_answers is still the message's count) */
	unsigned answers_read; /* partial: answer records wholly inside the copy */
	const char *error; /* why it could not be parsed */
	bool is_response;
	int rcode; /* 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, ... */
	char qname[DNS_NAME_LEN];
	uint16_t qtype, qclass;
	unsigned n_answers;   /* in the message */
	unsigned n_rrs;	      /* kept in rr (A, AAAA, MX, CNAME), at most DNS_MAX_RRS */
	unsigned n_ignored;   /* answer records not for the question, ignored as a
			       * resolver ignores them: another type than the one
			       * asked, or an owner off the question's CNAME chain */
	struct dns_rr rr[DNS_MAX_RRS];
};

/*
 * Parse msg (len bytes copied of total). Only answer records for the
 * question are kept, as a resolver reads them: the type asked (CNAMEs too),
 * owned by the name asked or a name its CNAME chain leads to; the rest are
 * counted in n_ignored (an A record in an AAAA answer offers no address). A copy shorter than the message
 * (an EDNS0 answer with its additional records) is parsed as far as it goes:
 * the answer section comes first, and the records wholly inside the copy
 * are kept (partial); with none, it is reported as truncated. Never reads
 * outside msg.
 */
void dns_parse(const uint8_t *msg, size_t len, size_t total, struct dns_msg *out);

/*
 * Read only the header and question of a buffer whose message length is not
 * known (a failed res_query leaves the reply in its buffer). Sets header_only
 * and returns true when it holds a reply to a question named qname.
 */
bool dns_header(const uint8_t *buf, size_t len, const char *qname, struct dns_msg *out);

/*
 * Only the header and the question (a query on the wire: nothing else to
 * read), without clearing the whole of out. True when a question was read.
 */
bool dns_question(const uint8_t *buf, size_t len, struct dns_msg *out);

/* The A or AAAA records that answer msg's question (its type, owned by a
 * name on its CNAME chain), among the answers wholly inside msg. */
unsigned dns_count_addrs(const uint8_t *msg, size_t len);

const char *dns_rcode_name(int rcode); /* "NOERROR", "NXDOMAIN", ... */
const char *dns_type_name(int type);   /* "A", "AAAA", "MX", "TYPE99" */

#endif
