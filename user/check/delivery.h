// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * delivery.h - does mail leave? Conforming is not delivering: a destination
 * whose every attempt failed in one family while the other family's
 * addresses were never tried, or a family configured but failing on every
 * attempt, is a finding whatever the configuration says. Used by check.c.
 */
#ifndef FT_DELIVERY_H
#define FT_DELIVERY_H

#include "check/check.h"
#include "core/correlate.h"

#define DELIVERY_MAX_FINDINGS 24

struct delivery {
	unsigned stuck;	   /* destinations that got nothing, a family left untried/unusable */
	unsigned unusable; /* configured families that failed every attempt */
	unsigned costly;   /* fallbacks that lost more than --max-lost */
	unsigned limited;  /* stuck destinations where the MTA's address limit decided */
	unsigned tfo_unbounded; /* Exim Fast Open attempts that outlived connect_timeout */
	unsigned no_address;	/* MX sets with no address in any family asked (stuck too) */
	int never_asked;	/* the family those lookups never asked, -1 none */
	unsigned blocked;	/* families whose outbound port 25 looks blocked (1 << FAM_*) */
	unsigned blocked_here;	/* ...dropped by this host's own netfilter, every SYN */
	unsigned sessions_failed; /* connected, then the MTA went on to the other family */
	unsigned refused;	/* deliveries refused over one family, the other never tried
				 * (the MTA's log; stuck too) */
	char finding[DELIVERY_MAX_FINDINGS][600];
	unsigned n, more;
	char ways_out[1200]; /* what the operator can do, "" when nothing is wrong */
};

/* Judge the correlator's facts against what the instance is set to do. */
void delivery_judge(struct correlator *c, const struct check_expect *e, const struct check_log *log,
		    struct delivery *d);

#endif
