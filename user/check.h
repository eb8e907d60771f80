/*
 * check.h - `famtrace check`: does what an MTA instance did match what it is
 * configured to do (Postfix inet_protocols and smtp_address_preference)?
 */
#ifndef FT_CHECK_H
#define FT_CHECK_H

#include <stdbool.h>
#include <stdio.h>

#include "correlate.h"

struct check_expect {
	unsigned families; /* bit (1 << FAM_V4) / (1 << FAM_V6): families allowed */
	int prefer;	   /* FAM_V4, FAM_V6, or -1 for any */
	char source[300];  /* where the expectation came from, for the report */
	char inet_protocols[256], preference[256];
};

/* Parse "ipv4" / "ipv6" / "all" / "ipv4, ipv6" into families; false if unknown. */
bool check_parse_protocols(const char *s, unsigned *families);
/* Parse "ipv4" / "ipv6" / "any" into prefer; false if unknown. */
bool check_parse_prefer(const char *s, int *prefer);

/*
 * Print what was expected, what was observed and the verdict, with evidence.
 * Returns 0 when the observed behaviour conforms, 1 when it violates.
 */
int check_verdict(FILE *out, bool json, struct correlator *c, const struct check_expect *e);

#endif
