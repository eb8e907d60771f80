// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * dns.c - reads the DNS messages famtrace copies from res_* calls, with
 * libresolv's parser rather than a hand-written one: header, question, and
 * the answer records that matter for mail routing (MX, A, AAAA, CNAME).
 * Must never trust a count or length from the message: the parser checks
 * every record against the buffer, and a failure is a fact to report.
 */
#include <arpa/nameser.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/dns.h"

static const char *const rcodes[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
				      "NOTIMP",	 "REFUSED" };

const char *dns_rcode_name(int rcode)
{
	static __thread char buf[16];

	if (rcode >= 0 && rcode < (int)(sizeof(rcodes) / sizeof(rcodes[0])))
		return rcodes[rcode];
	snprintf(buf, sizeof(buf), "RCODE%d", rcode);
	return buf;
}

const char *dns_type_name(int type)
{
	static __thread char buf[16];

	switch (type) {
	case ns_t_a: return "A";
	case ns_t_aaaa: return "AAAA";
	case ns_t_mx: return "MX";
	case ns_t_cname: return "CNAME";
	case ns_t_ptr: return "PTR";
	case ns_t_txt: return "TXT";
	case ns_t_ns: return "NS";
	case ns_t_soa: return "SOA";
	case ns_t_srv: return "SRV";
	case ns_t_any: return "ANY";
	}
	snprintf(buf, sizeof(buf), "TYPE%d", type);
	return buf;
}

/* Names longer than our buffers are cut: they are for display and matching. */
static void copy_name(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = 0;
	for (; *dst; dst++)
		if (*dst >= 'A' && *dst <= 'Z')
			*dst += 'a' - 'A';
}

static int uncompress(ns_msg *h, const unsigned char *src, char *dst, size_t size)
{
	char full[NS_MAXDNAME];

	if (ns_name_uncompress(ns_msg_base(*h), ns_msg_end(*h), src, full, sizeof(full)) < 0)
		return -1;
	copy_name(dst, size, full);
	return 0;
}

/*
 * When the whole message cannot be parsed, the question may still be
 * readable: it says what was asked. dn_expand checks every label against
 * the end of the buffer.
 */
static void question_only(const uint8_t *msg, size_t len, struct dns_msg *out)
{
	char name[NS_MAXDNAME];
	int n;

	if (len < NS_HFIXEDSZ + 5 || ns_get16(msg + 4) < 1)
		return;
	n = dn_expand(msg, msg + len, msg + NS_HFIXEDSZ, name, sizeof(name));
	if (n < 0 || NS_HFIXEDSZ + (size_t)n + 4 > len)
		return;
	copy_name(out->qname, sizeof(out->qname), name);
	out->qtype = ns_get16(msg + NS_HFIXEDSZ + n);
	out->qclass = ns_get16(msg + NS_HFIXEDSZ + n + 2);
	out->rcode = msg[3] & 0x0f;
	out->is_response = msg[2] & 0x80;
}

/*
 * The question's name and the names its CNAME chain leads to, from the
 * answer records wholly inside msg: what a resolver accepts as owners of an
 * answer. Bounded: a chain longer than CHAIN_MAX names stops there (glibc
 * follows fewer). dn_expand checks every label against the end of msg.
 */
#define CHAIN_MAX 8
struct chain {
	unsigned n;
	char name[CHAIN_MAX][NS_MAXDNAME];
};

static bool in_chain(const struct chain *c, const char *name)
{
	for (unsigned i = 0; i < c->n; i++)
		if (!strcasecmp(c->name[i], name))
			return true;
	return false;
}

/* The answer record at p, wholly inside msg..end: its owner (expanded),
 * type and data length; returns where the next record starts, NULL when it
 * does not fit. */
static const uint8_t *rr_at(const uint8_t *msg, const uint8_t *end, const uint8_t *p,
			    char owner[NS_MAXDNAME], unsigned *type, unsigned *rdlen)
{
	int k = dn_expand(msg, end, p, owner, NS_MAXDNAME);

	if (k < 0 || p + k + NS_RRFIXEDSZ > end)
		return NULL;
	*type = ns_get16(p + k);
	*rdlen = ns_get16(p + k + 8);
	if (p + k + NS_RRFIXEDSZ + *rdlen > end)
		return NULL;
	return p + k + NS_RRFIXEDSZ + *rdlen;
}

static void chain_of(const uint8_t *msg, size_t len, struct chain *c)
{
	const uint8_t *end = msg + len, *first;
	unsigned an;
	bool grew = true;
	int k;

	c->n = 0;
	if (len < NS_HFIXEDSZ || ns_get16(msg + 4) != 1)
		return;
	k = dn_expand(msg, end, msg + NS_HFIXEDSZ, c->name[0], sizeof(c->name[0]));
	if (k < 0 || msg + NS_HFIXEDSZ + k + 4 > end)
		return;
	c->n = 1;
	first = msg + NS_HFIXEDSZ + k + 4;
	an = ns_get16(msg + 6);
	/* Each pass may add the next link; records can come in any order. */
	for (unsigned pass = 0; grew && pass < CHAIN_MAX && c->n < CHAIN_MAX; pass++) {
		const uint8_t *p = first;

		grew = false;
		for (unsigned i = 0; i < an && c->n < CHAIN_MAX; i++) {
			char owner[NS_MAXDNAME];
			unsigned type, rdlen;
			const uint8_t *next = rr_at(msg, end, p, owner, &type, &rdlen);

			if (!next)
				break;
			/* The data is the record's last rdlen bytes: the target. */
			if (type == ns_t_cname && in_chain(c, owner) &&
			    dn_expand(msg, end, next - rdlen, c->name[c->n], sizeof(c->name[c->n])) >= 0 &&
			    !in_chain(c, c->name[c->n])) {
				c->n++;
				grew = true;
			}
			p = next;
		}
	}
}

bool dns_question(const uint8_t *buf, size_t len, struct dns_msg *out)
{
	out->parsed = out->header_only = false;
	out->qname[0] = 0;
	out->qtype = out->qclass = 0;
	out->n_rrs = out->n_answers = 0;
	question_only(buf, len, out);
	return out->qname[0] != 0;
}

unsigned dns_count_addrs(const uint8_t *msg, size_t len)
{
	const uint8_t *p, *end = msg + len;
	struct chain chain;
	unsigned an, qtype, n = 0;
	int k;

	chain_of(msg, len, &chain);
	if (!chain.n)
		return 0;
	an = ns_get16(msg + 6);
	p = msg + NS_HFIXEDSZ;
	k = dn_skipname(p, end);
	qtype = ns_get16(p + k); /* chain_of checked the question fits */
	p += k + 4;
	for (unsigned i = 0; i < an; i++) {
		char owner[NS_MAXDNAME];
		unsigned type, rdlen;
		const uint8_t *next = rr_at(msg, end, p, owner, &type, &rdlen);

		if (!next)
			break;
		if (type == qtype && in_chain(&chain, owner))
			n += (type == ns_t_a && rdlen == 4) || (type == ns_t_aaaa && rdlen == 16);
		p = next;
	}
	return n;
}

bool dns_header(const uint8_t *buf, size_t len, const char *qname, struct dns_msg *out)
{
	memset(out, 0, sizeof(*out));
	question_only(buf, len, out);
	if (!out->is_response || !out->qname[0] || strcasecmp(out->qname, qname)) {
		memset(out, 0, sizeof(*out));
		out->error = "no reply";
		return false;
	}
	out->header_only = true;
	out->n_answers = ns_get16(buf + 6);
	return true;
}

void dns_parse(const uint8_t *msg, size_t len, size_t total, struct dns_msg *out)
{
	struct chain chain;
	ns_msg h;
	ns_rr rr;

	memset(out, 0, sizeof(*out));
	if (!len) {
		out->error = "no message";
		return;
	}
	if (len < total) {
		uint8_t cut[NS_PACKETSZ * 16];
		size_t upto = 0;
		unsigned whole = 0, count;

		/* The answers wholly inside the copy, found with dn_skipname
		 * (bounded by the copy's end), become a message of their own. */
		if (len >= NS_HFIXEDSZ && len <= sizeof(cut) && ns_get16(msg + 4) == 1) {
			const uint8_t *p = msg + NS_HFIXEDSZ, *end = msg + len;
			int n = dn_skipname(p, end);

			if (n >= 0 && p + n + 4 <= end) {
				p += n + 4;
				upto = (size_t)(p - msg);
				count = ns_get16(msg + 6);
				for (; whole < count; whole++) {
					n = dn_skipname(p, end);
					if (n < 0 || p + n + NS_RRFIXEDSZ > end ||
					    p + n + NS_RRFIXEDSZ + ns_get16(p + n + 8) > end)
						break;
					p += n + NS_RRFIXEDSZ + ns_get16(p + n + 8);
					upto = (size_t)(p - msg);
				}
			}
		}
		if (!whole) {
			out->error = "message larger than the copy kept";
			question_only(msg, len, out);
			return;
		}
		memcpy(cut, msg, upto);
		count = ns_get16(msg + 6);
		cut[6] = (uint8_t)(whole >> 8);
		cut[7] = (uint8_t)whole;
		memset(cut + 8, 0, 4); /* no authority, no additional */
		dns_parse(cut, upto, upto, out);
		out->partial = true;
		out->answers_read = whole;
		out->n_answers = count;
		return;
	}
	if (ns_initparse(msg, (int)len, &h) < 0) {
		out->error = "unparsable message";
		question_only(msg, len, out);
		return;
	}
	out->is_response = ns_msg_getflag(h, ns_f_qr);
	out->rcode = ns_msg_getflag(h, ns_f_rcode);
	if (ns_msg_count(h, ns_s_qd) > 0) {
		if (ns_parserr(&h, ns_s_qd, 0, &rr) < 0) {
			out->error = "unparsable question";
			return;
		}
		copy_name(out->qname, sizeof(out->qname), ns_rr_name(rr));
		out->qtype = ns_rr_type(rr);
		out->qclass = ns_rr_class(rr);
	}
	out->n_answers = ns_msg_count(h, ns_s_an);
	chain_of(msg, len, &chain);
	for (unsigned i = 0; i < out->n_answers; i++) {
		struct dns_rr *r = &out->rr[out->n_rrs];
		const unsigned char *rd;
		unsigned type;

		if (ns_parserr(&h, ns_s_an, (int)i, &rr) < 0) {
			out->error = "unparsable answer record";
			out->n_rrs = 0;
			return;
		}
		/* What a resolver ignores offers nothing: another type than
		 * the one asked (ANY takes all), or an owner off the chain. */
		type = ns_rr_type(rr);
		if ((type != ns_t_cname && out->qtype != ns_t_any && type != out->qtype) ||
		    !in_chain(&chain, ns_rr_name(rr))) {
			out->n_ignored++;
			continue;
		}
		if (out->n_rrs == DNS_MAX_RRS)
			continue;
		rd = ns_rr_rdata(rr);
		memset(r, 0, sizeof(*r));
		r->type = ns_rr_type(rr);
		switch (r->type) {
		case ns_t_a:
			if (ns_rr_rdlen(rr) != 4)
				goto bad;
			memcpy(r->addr, rd, 4);
			copy_name(r->target, sizeof(r->target), ns_rr_name(rr));
			break;
		case ns_t_aaaa:
			if (ns_rr_rdlen(rr) != 16)
				goto bad;
			memcpy(r->addr, rd, 16);
			copy_name(r->target, sizeof(r->target), ns_rr_name(rr));
			break;
		case ns_t_mx:
			if (ns_rr_rdlen(rr) < 3)
				goto bad;
			r->pref = ns_get16(rd);
			if (uncompress(&h, rd + 2, r->target, sizeof(r->target)))
				goto bad;
			break;
		case ns_t_cname:
			if (uncompress(&h, rd, r->target, sizeof(r->target)))
				goto bad;
			break;
		default:
			continue; /* counted in n_answers, not kept */
		}
		out->n_rrs++;
	}
	out->parsed = true;
	return;
bad:
	out->error = "malformed record data";
	out->n_rrs = 0;
}
