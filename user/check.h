/*
 * check.h - `famtrace check`: does what an MTA instance did match what it is
 * configured to do (Postfix inet_protocols and smtp_address_preference)?
 */
#ifndef FT_CHECK_H
#define FT_CHECK_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "correlate.h"

struct check_expect {
	unsigned families; /* bit (1 << FAM_V4) / (1 << FAM_V6): families allowed */
	int prefer;	   /* FAM_V4, FAM_V6, or -1 for any */
	char source[300];  /* where the expectation came from, for the report */
	char inet_protocols[256], preference[256];
	/* The MTA's own settings that decide delivery, when known (--postfix). */
	struct {
		char name[48];
		char value[256];
	} set[16];
	unsigned n_set;
	int addr_limit; /* addresses tried per delivery (smtp_mx_address_limit), -1 unknown */
	int balance;	/* both families kept within that limit: 1, 0, -1 unknown */
	uint64_t max_lost_ns; /* --max-lost: a fallback costing more is a finding; 0 none */
};

/*
 * What `check` expects: from a Postfix instance (postfix_dir, may be NULL)
 * and --expect/--prefer overrides. *master gets the instance's master pid
 * (0 without postfix_dir). Returns 0, or -1 with one line in err.
 */
int check_setup(struct check_expect *e, const char *postfix_dir, const char *expect,
		const char *prefer, pid_t *master, char *err, size_t errlen);

/* Parse "ipv4" / "ipv6" / "all" / "ipv4, ipv6" into families; false if unknown. */
bool check_parse_protocols(const char *s, unsigned *families);
/* Parse "ipv4" / "ipv6" / "any" into prefer; false if unknown. */
bool check_parse_prefer(const char *s, int *prefer);

/*
 * Print what was expected, what was observed, whether mail can leave
 * (delivery.c), and the verdict, with evidence.
 * Returns FT_CHECK_STUCK when a destination's mail could not leave while a
 * family was left untried or unusable, FT_CHECK_VIOLATION, FT_CHECK_DEGRADED
 * when mail leaves but a configured family fails every time (or a fallback
 * costs more than --max-lost), FT_CHECK_CONFORMS, or FT_CHECK_UNKNOWN when
 * nothing at all was observed (no lookup, no attempt) or the trace cannot be
 * trusted (untrusted: why, e.g. "12 records lost"; NULL when it can): never
 * "conforms".
 */
int check_verdict(FILE *out, bool json, struct correlator *c, const struct check_expect *e,
		  const char *untrusted);

#endif
