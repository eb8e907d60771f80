// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * smtp_reply.c - a remote server's SMTP reply as the MTA logged it, read
 * into code, enhanced status, the command it answered and the kind of
 * refusal (see smtp_reply.h). The kinds are read from the enhanced status
 * first (RFC 7372: 5.7.25 reverse DNS, 5.7.23 SPF, 5.7.26 authentication;
 * 4.7.28 and 4.2.1 rates, as large providers send them) and then from the
 * words receivers use; a text that names none of them is "other", never a
 * guess.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "maillog/smtp_reply.h"

static const char *const stage_names[SS_N][2] = {
	[SS_UNKNOWN] = { "a command the log does not name", "unknown" },
	[SS_GREETING] = { "the greeting", "greeting" },
	[SS_HELO] = { "HELO/EHLO", "helo" },
	[SS_MAIL] = { "MAIL FROM", "mail" },
	[SS_RCPT] = { "RCPT TO", "rcpt" },
	[SS_DATA] = { "DATA", "data" },
	[SS_END_DATA] = { "the end of DATA", "end_of_data" },
	[SS_OTHER] = { "another command", "other" },
};

static const char *const class_names[SC_N][2] = {
	[SC_NONE] = { "not a refusal", "none" },
	[SC_PTR_AUTH] = { "policy on the source's reverse DNS (PTR) or authentication", "ptr_auth" },
	[SC_SPF] = { "SPF does not permit the source", "spf" },
	[SC_BLOCKLIST] = { "the source is on a blocklist", "blocklist" },
	[SC_RATE] = { "a rate limit", "rate" },
	[SC_GREETING] = { "the session refused at the greeting", "greeting" },
	[SC_OTHER] = { "another reason", "other" },
};

const char *smtp_stage_name(enum smtp_stage s)
{
	return s < SS_N ? stage_names[s][0] : "?";
}

const char *smtp_stage_key(enum smtp_stage s)
{
	return s < SS_N ? stage_names[s][1] : "unknown";
}

const char *smtp_class_name(enum smtp_class c)
{
	return c < SC_N ? class_names[c][0] : "?";
}

const char *smtp_class_key(enum smtp_class c)
{
	return c < SC_N ? class_names[c][1] : "other";
}

/* Does s hold this text (case-insensitive)? */
static bool has(const char *s, const char *text)
{
	return strcasestr(s, text) != NULL;
}

/* ...as a word of its own ("rate", not "generated")? */
static bool has_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = s; (p = strcasestr(p, word)) != NULL; p++)
		if ((p == s || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[n]))
			return true;
	return false;
}

static enum smtp_class classify(uint16_t code, const char *enh, const char *all)
{
	if (code < 400)
		return SC_NONE;
	/* The enhanced status, where it is specific. */
	if (!strcmp(enh + 1, ".7.25") || !strcmp(enh + 1, ".7.26") || !strcmp(enh + 1, ".7.27"))
		return !strcmp(enh + 1, ".7.26") && has(all, "SPF") && !has(all, "DKIM") ? SC_SPF
										      : SC_PTR_AUTH;
	if (!strcmp(enh + 1, ".7.23") || !strcmp(enh + 1, ".7.24"))
		return SC_SPF;
	if (!strcmp(enh, "4.7.28") || !strcmp(enh, "4.2.1") || !strcmp(enh, "4.7.32"))
		return SC_RATE;
	/* The words. */
	if (has_word(all, "PTR") || has(all, "reverse DNS") || has_word(all, "rDNS") ||
	    has(all, "IPv6 sending guidelines") || has(all, "not authenticated") ||
	    has(all, "unauthenticated"))
		return SC_PTR_AUTH;
	if (has_word(all, "SPF"))
		return SC_SPF;
	if (has(all, "blocklist") || has(all, "blacklist") || has(all, "block list") ||
	    has(all, "blocked using") || has_word(all, "listed") || has(all, "Spamhaus") ||
	    has_word(all, "DNSBL") || has_word(all, "RBL"))
		return SC_BLOCKLIST;
	if (has_word(all, "rate") || has(all, "too many") || has(all, "throttl"))
		return SC_RATE;
	return SC_OTHER;
}

void smtp_reply_codes(const char *s, enum smtp_stage stage, struct smtp_reply *r)
{
	const char *p = s, *e;
	size_t n;

	r->code = 0;
	r->enhanced[0] = 0;
	r->text[0] = 0;
	r->stage = stage;
	while (*p == ' ')
		p++;
	if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
	    (p[3] == ' ' || p[3] == '-' || !p[3]) && p[0] >= '2' && p[0] <= '5') {
		r->code = (uint16_t)((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
		p += 3;
		if (*p)
			p++;
		/* "5.7.1": class digit, subject, detail (1-3 digits each). */
		e = p;
		if ((*e == '2' || *e == '4' || *e == '5') && e[1] == '.') {
			size_t a = strspn(e + 2, "0123456789");

			if (a >= 1 && a <= 3 && e[2 + a] == '.') {
				size_t b = strspn(e + 3 + a, "0123456789");

				if (b >= 1 && b <= 3 && (e[3 + a + b] == ' ' || !e[3 + a + b])) {
					snprintf(r->enhanced, sizeof(r->enhanced), "%.*s", (int)(3 + a + b), e);
					p = e + 3 + a + b;
				}
			}
		}
		while (*p == ' ')
			p++;
	}
	/* The first line's text: up to where the next line's "550-" (as the
	 * MTA joined them) begins. */
	n = strlen(p);
	if (r->code) {
		char cont[8];

		snprintf(cont, sizeof(cont), " %03u", (unsigned)r->code % 1000u);
		for (const char *q = p; (q = strstr(q, cont)) != NULL; q++)
			if (q[4] == '-' || q[4] == ' ') {
				n = (size_t)(q - p);
				break;
			}
	}
	snprintf(r->text, sizeof(r->text), "%.*s", (int)n, p);
	r->cls = classify(r->code, r->enhanced[0] ? r->enhanced : "x.x.x", s);
	if (stage == SS_GREETING && r->cls == SC_OTHER)
		r->cls = SC_GREETING;
}

bool smtp_reply_judges_source(const struct smtp_reply *r)
{
	switch (r->cls) {
	case SC_PTR_AUTH:
	case SC_SPF:
	case SC_BLOCKLIST:
	case SC_RATE:
	case SC_GREETING:
		return true;
	case SC_OTHER:
		return r->enhanced[0] && !strncmp(r->enhanced + 1, ".7.", 3);
	default:
		return false;
	}
}

/* "(in reply to RCPT TO command)" at the end of s: the stage; *end is where
 * that part begins. */
static enum smtp_stage in_reply_to(const char *s, size_t *end)
{
	static const struct {
		const char *cmd;
		enum smtp_stage st;
	} cmds[] = {
		{ "RCPT TO", SS_RCPT }, { "MAIL FROM", SS_MAIL }, { "end of DATA", SS_END_DATA },
		{ "DATA", SS_DATA },	{ "EHLO", SS_HELO },	  { "HELO", SS_HELO },
		{ "LHLO", SS_HELO },	{ "STARTTLS", SS_OTHER }, { "AUTH", SS_OTHER },
		{ "QUIT", SS_OTHER },	{ "RSET", SS_OTHER },
	};
	const char *p = strstr(s, " (in reply to ");
	const char *last = NULL;

	while (p) { /* the last one: a reply's own text may hold the words */
		last = p;
		p = strstr(p + 1, " (in reply to ");
	}
	*end = strlen(s);
	if (!last)
		return SS_UNKNOWN;
	*end = (size_t)(last - s);
	last += strlen(" (in reply to ");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		size_t k = strlen(cmds[i].cmd);

		if (!strncmp(last, cmds[i].cmd, k) && !strncmp(last + k, " command)", 9))
			return cmds[i].st;
	}
	return SS_OTHER;
}

bool smtp_reply_exim(const char *s, const char *host, const char *addr, struct smtp_reply *r)
{
	static const char lead[] = "SMTP error from remote mail server after ";
	static const struct {
		const char *what;
		enum smtp_stage st;
	} after[] = {
		{ "initial connection", SS_GREETING }, { "RCPT TO:", SS_RCPT },
		{ "MAIL FROM:", SS_MAIL },	       { "end of data", SS_END_DATA },
		{ "pipelined end of data", SS_END_DATA }, { "pipelined DATA", SS_DATA },
		{ "DATA", SS_DATA },		       { "EHLO ", SS_HELO },
		{ "HELO ", SS_HELO },		       { "pipelined RCPT TO:", SS_RCPT },
		{ "pipelined MAIL FROM:", SS_MAIL },
	};
	enum smtp_stage stage = SS_OTHER;
	const char *p, *colon;
	char body[1024];
	size_t k = 0;

	memset(r, 0, sizeof(*r));
	if (strncmp(s, lead, sizeof(lead) - 1))
		return false;
	p = s + sizeof(lead) - 1;
	for (size_t i = 0; i < sizeof(after) / sizeof(after[0]); i++)
		if (!strncmp(p, after[i].what, strlen(after[i].what))) {
			stage = after[i].st;
			break;
		}
	/* The command ends at the ": " before the reply (an address in <...>
	 * holds no ": " that ends it). */
	colon = p;
	if (*colon == '<' || strstr(p, ":<") == strchr(p, ':')) {
		const char *gt = strchr(p, '>');

		colon = gt ? gt : p;
	}
	colon = strstr(colon, ": ");
	if (!colon)
		return false;
	p = colon + 2;
	snprintf(r->host, sizeof(r->host), "%s", host ? host : "");
	snprintf(r->addr, sizeof(r->addr), "%s", addr ? addr : "");
	/* Exim before 4.8: "host H [A]: " first. */
	if (!strncmp(p, "host ", 5)) {
		const char *lb = strchr(p, '['), *rb = lb ? strchr(lb, ']') : NULL;

		if (lb && rb && rb[1] == ':' && lb > p + 6) {
			snprintf(r->host, sizeof(r->host), "%.*s", (int)(lb - p - 6), p + 5);
			snprintf(r->addr, sizeof(r->addr), "%.*s", (int)(rb - lb - 1), lb + 1);
			p = rb + 2;
			while (*p == ' ')
				p++;
		}
	}
	/* A multi-line reply, its line breaks written "\n". */
	for (; *p && k + 1 < sizeof(body); p++) {
		if (p[0] == '\\' && p[1] == 'n') {
			body[k++] = ' ';
			p++;
		} else {
			body[k++] = *p;
		}
	}
	body[k] = 0;
	smtp_reply_codes(body, stage, r);
	return true;
}

bool smtp_reply_postfix(const char *s, struct smtp_reply *r)
{
	static const char said[] = "] said: ", refused[] = "] refused to talk to me: ";
	const char *lb, *rb, *rest;
	enum smtp_stage stage;
	char body[1024];
	size_t end;

	memset(r, 0, sizeof(*r));
	if (strncmp(s, "host ", 5))
		return false;
	s += 5;
	lb = strchr(s, '[');
	rb = lb ? strchr(lb, ']') : NULL;
	if (!lb || !rb || memchr(s, ' ', (size_t)(lb - s)))
		return false;
	if (!strncmp(rb, said, sizeof(said) - 1)) {
		rest = rb + sizeof(said) - 1;
		stage = in_reply_to(rest, &end);
	} else if (!strncmp(rb, refused, sizeof(refused) - 1)) {
		rest = rb + sizeof(refused) - 1;
		stage = SS_GREETING;
		end = strlen(rest);
	} else {
		return false;
	}
	snprintf(r->host, sizeof(r->host), "%.*s", (int)(lb - s), s);
	snprintf(r->addr, sizeof(r->addr), "%.*s", (int)(rb - lb - 1), lb + 1);
	if (!strncasecmp(r->addr, "ipv6:", 5))
		memmove(r->addr, r->addr + 5, strlen(r->addr + 5) + 1);
	snprintf(body, sizeof(body), "%.*s", (int)end, rest);
	smtp_reply_codes(body, stage, r);
	return true;
}
