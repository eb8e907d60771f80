// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * smtp_reply.h - what a remote SMTP server answered, as the MTA logged it:
 * Postfix's "host H[A] said: 550-5.7.1 ... (in reply to RCPT TO command)"
 * and "host H[A] refused to talk to me: 421 ...", Exim's "SMTP error from
 * remote mail server after RCPT TO:<...>: 550 ...". Read into the reply
 * code, the enhanced status (RFC 3463), the command it answered and what
 * kind of refusal it is (policy on the source's PTR and authentication, SPF,
 * a blocklist, a rate limit), so a refusal over one family can be named.
 * Pure: text in, facts out.
 */
#ifndef FT_SMTP_REPLY_H
#define FT_SMTP_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The point of the session the reply answered. */
enum smtp_stage {
	SS_UNKNOWN = 0,
	SS_GREETING, /* the server's banner: it refused the session */
	SS_HELO,
	SS_MAIL,
	SS_RCPT,
	SS_DATA,     /* DATA itself */
	SS_END_DATA, /* the final dot: the message was refused after it was sent */
	SS_OTHER,
	SS_N
};

/* What kind of refusal, from the enhanced status and the text. */
enum smtp_class {
	SC_NONE = 0,  /* accepted, or not a refusal */
	SC_PTR_AUTH,  /* the source's reverse DNS, or its authentication (Gmail's IPv6 rule) */
	SC_SPF,	      /* SPF does not permit the source */
	SC_BLOCKLIST, /* the source (or its network) is on a blocklist */
	SC_RATE,      /* too many messages or connections: a rate limit */
	SC_GREETING,  /* the session refused at the banner, no reason given */
	SC_OTHER,     /* any other refusal */
	SC_N
};

struct smtp_reply {
	uint16_t code;	     /* 421, 550, ...; 0 when the text held none */
	char enhanced[12];   /* "5.7.1", "" when none */
	enum smtp_stage stage;
	enum smtp_class cls;
	char host[256];	     /* as the MTA named it */
	char addr[64];	     /* the address it talked to, "" if not said */
	char text[200];	     /* the reply's first line, after the codes */
};

/* Postfix's "host H[A] said: TEXT (in reply to X command)" or "host H[A]
 * refused to talk to me: TEXT" (a status's text, or a line of its own).
 * False when s is neither. */
bool smtp_reply_postfix(const char *s, struct smtp_reply *r);

/* Exim's "SMTP error from remote mail server after COMMAND: TEXT" (a "**"
 * or "==" line's text, or a line of its own after "H=host [addr]: "; Exim
 * before 4.8 put "host H [A]: " before TEXT), host and addr from the line's
 * H= where it has one. False when s is not one. */
bool smtp_reply_exim(const char *s, const char *host, const char *addr, struct smtp_reply *r);

/* "421 4.7.0 text" (a multi-line reply as the MTA joined it) into code,
 * enhanced status, text and class; stage as given. */
void smtp_reply_codes(const char *s, enum smtp_stage stage, struct smtp_reply *r);

/* Is the refusal about the sending host (its PTR, authentication, SPF, a
 * blocklist, a rate, a refused greeting, or any 4.7.x/5.7.x policy), the
 * kind another family could change, and not about the mail or the
 * recipient (5.1.1 user unknown, a full mailbox, content)? */
bool smtp_reply_judges_source(const struct smtp_reply *r);

const char *smtp_stage_name(enum smtp_stage s);	/* "RCPT TO", "the greeting" */
const char *smtp_stage_key(enum smtp_stage s);	/* "rcpt", "greeting" */
const char *smtp_class_name(enum smtp_class c);	/* "the source's PTR or authentication" */
const char *smtp_class_key(enum smtp_class c);	/* "ptr_auth" */

#endif
