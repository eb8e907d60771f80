// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * report.h - reporters: turn the correlator's facts into text for a person
 * or JSON Lines for a script. They read the correlator, never the loader.
 *
 * SYNOPSIS
 *	text_sink, json_sink		live lines as facts become known
 *	text_open, text_close		text folded to the terminal's width
 *	text_header, text_report, json_report	the report at the end
 *	text_messages, json_messages	the message view (with the MTA's log)
 *	refusal_fam, print_reply, smtp_ways_out	a remote reply, and a refusal's ways out
 *	text_group_detail, fmt_lookup_question, fmt_lookup_answer, fmt_when,
 *	proc_active			pieces check/ reuses (and jprintf.h's JSON writing)
 */
#ifndef FT_REPORT_H
#define FT_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/correlate.h"
#include "records/source.h"
#include "maillog/maillog.h"
#include "maillog/messages.h"

#define FT_JSON_SCHEMA 1 /* "v" in every JSON object; bump on incompatible change */

struct report_opts {
	FILE *out;
	const struct correlator *corr; /* set once made: --container, --unit filter the
					* events streamed (correlator_proc_wanted) */
	const char *place;	       /* that filter (--container, --unit), NULL: none */
	size_t width;	 /* text folded to this many columns; 0: --wide, never */
	FILE *under;	 /* text_open: where the folded text goes */
	int64_t boot_to_real_ns; /* boottime + this = wall clock */
	uint64_t t0_ns;		 /* boottime that relative times count from */
	bool wall_time;		 /* -T: wall-clock times instead of relative */
	bool verbose;		 /* also successful route probes */
	const struct source_stats *stats; /* the feeder's; NULL: nothing known */
	const struct addr_policy *policy; /* getaddrinfo's sort table; NULL: glibc's built-in */
	const struct mlog *mlog;	  /* the MTA's log (--maillog), NULL: none */
	struct msg_filter filter;	  /* --queue-id, --domain, --recipient */
};

/* Live facts as they happen. */
void text_sink(struct sink *s, struct report_opts *o);
void json_sink(struct sink *s, struct report_opts *o);

/* Text from here on folded to o->width (the event table's rows continue
 * under their text column), and back to the stream it went to. */
int text_open(struct report_opts *o);
void text_close(struct report_opts *o);

/* Column header for live text lines. */
void text_header(struct report_opts *o);

/* The per-process report at the end (or every -i seconds). */
void text_report(struct report_opts *o, struct correlator *c, uint64_t now_ns);
void json_report(struct report_opts *o, struct correlator *c, uint64_t now_ns);

/* One destination group in detail: class, lookups, MX hosts, attempts. */
void text_group_detail(struct report_opts *o, const struct proc *p, const struct group *g,
		       const char *indent);

/* The messages of the MTA's log, each with the deliveries behind it
 * (report_messages.c). */
void text_messages(struct report_opts *o, struct correlator *c);
/* report_refusal.c: "IPv6", "IPv4" ("?" for -1); a reply as a sentence
 * ("answered RCPT TO with 550 5.7.1 ..."); what would let mail refused over
 * one family through (sm->refused_fam), by the reply's class, for the MTA
 * named by agent; a: the refused attempt. */
const char *refusal_fam(int fam);
void print_reply(FILE *out, const struct smtp_reply *r);
char *smtp_ways_out(char *buf, size_t len, const char *agent, const struct msg_smtp *sm,
		    const struct attempt *a);
void json_messages(struct report_opts *o, struct correlator *c);

/* Lookups as text: the question and the answer. */
char *fmt_lookup_question(char *buf, size_t len, const struct lookup *l);
char *fmt_lookup_answer(char *buf, size_t len, const struct lookup *l);

/* Has the process done anything a report is about (attempts, probes, lookups)? */
bool proc_active(const struct proc *p);
/* Were all of p's lookups seen on the wire, none by a resolver probe? */
bool lookups_wire_only(const struct proc *p);
/* Is p's event one to stream (o->corr's place filter)? */
bool report_wants(const struct report_opts *o, const struct proc *p);

/* "12:03:04.567" (wall) or "3.250" (seconds since t0). */
char *fmt_when(char *buf, size_t len, const struct report_opts *o, uint64_t ts_ns);

#endif
