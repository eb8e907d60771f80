// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * report_refusal.c - the words for what a remote server answered and for a
 * refusal over one family: the reply as a sentence, and the ways out that
 * would let the mail through, by what the receiver objected to (its PTR or
 * authentication, SPF, a blocklist, a rate). Used by the message view and
 * by check.
 */
#include <stdio.h>
#include <string.h>

#include "report/report.h"

/* "IPv6", "IPv4", "?" for an enum wire_fam, or -1. */
const char *refusal_fam(int fam)
{
	return fam == FAM_V6 ? "IPv6" : fam == FAM_V4 ? "IPv4" : "?";
}

/* "refused the session at the greeting: 421 4.7.0 Try again later" */
void print_reply(FILE *out, const struct smtp_reply *r)
{
	if (r->stage == SS_GREETING)
		fprintf(out, "refused the session at the greeting:");
	else
		fprintf(out, "answered %s with", smtp_stage_name(r->stage));
	if (r->code)
		fprintf(out, " %u", r->code);
	if (r->enhanced[0])
		fprintf(out, " %s", fmt_safe(r->enhanced));
	if (r->text[0])
		fprintf(out, " %s", fmt_safe(r->text));
	if (r->cls != SC_NONE && r->cls != SC_OTHER && r->cls != SC_GREETING)
		fprintf(out, " (%s)", smtp_class_name(r->cls));
}

/* What would let the mail through, by what the receiver objected to: a
 * refusal over one family (sm->refused_fam), from agent ("smtp" for
 * Postfix, "exim", "sendmail"); a: the attempt it refused. */
char *smtp_ways_out(char *buf, size_t len, const char *agent, const struct msg_smtp *sm,
		    const struct attempt *a)
{
	char src[64] = "the source";
	bool postfix = strcmp(agent, "exim") && strcmp(agent, "sendmail");
	const char *fam = refusal_fam(sm->refused_fam);
	const char *other = refusal_fam(sm->refused_fam == FAM_V6 ? FAM_V4 : FAM_V6);
	size_t off = 0;

	if (a && a->has_saddr)
		fmt_addr(src, sizeof(src), a->fam, a->saddr);
#define ADD(...) (off += off < len ? (size_t)snprintf(buf + off, len - off, __VA_ARGS__) : 0)
	buf[0] = 0;
	switch (sm->final.cls) {
	case SC_PTR_AUTH:
		ADD("give %s a PTR whose name resolves back to it (FCrDNS) and matches the HELO name, "
		    "and sign the mail (SPF and DKIM for the sender's domain)", src);
		break;
	case SC_SPF:
		ADD("let the sender domain's SPF record permit %s (an ip%s: mechanism)", src,
		    sm->refused_fam == FAM_V6 ? "6" : "4");
		break;
	case SC_BLOCKLIST:
		ADD("have %s (or its network) delisted, or leave from another %s source address%s", src, fam,
		    postfix ? (sm->refused_fam == FAM_V6 ? " (smtp_bind_address6)" : " (smtp_bind_address)") : "");
		break;
	case SC_RATE:
		ADD("send to this destination more slowly%s",
		    postfix ? " (smtp_destination_rate_delay, smtp_destination_concurrency_limit)" : "");
		break;
	default:
		ADD("read the reply: it says what the receiver wants of %s", src);
		break;
	}
	if (a && a->src.known && (a->src.flags & 0x01))
		ADD("; %s is a temporary (privacy) address, which no PTR can name: leave from a stable one", src);
	if (postfix)
		ADD("; or send this destination over %s (a transport_maps entry for the domain to a master.cf "
		    "service with -o inet_protocols=%s)", other, sm->refused_fam == FAM_V6 ? "ipv4" : "ipv6");
	else
		ADD("; or send this destination over %s only", other);
#undef ADD
	return buf;
}

