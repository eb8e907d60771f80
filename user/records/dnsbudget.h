// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * dnsbudget.h - what strangers' DNS may cost famtrace: a budget per source
 * where the wire meets the recording and the correlator (live.c). Every
 * process's DNS on the wire reaches famtrace (its own lookups are how a
 * resolver of its own is seen), so an unprivileged flood of questions would
 * otherwise be copied whole into the recording and rotate the history
 * away. Each DNS message is charged to its sender: a question to the
 * process that sent it, an answer to the process whose question left on its
 * socket. Past its budget a message is neither recorded nor correlated,
 * and counted: for a traced process (a mail process) that makes the trace
 * incomplete; for one not traced, it is said, and its lookups before it was
 * traced may be missing.
 */
#ifndef FT_DNSBUDGET_H
#define FT_DNSBUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Messages a second, and the burst, per source; and for all the sources
 * not traced together (a fork flood gets no more than one busy source). */
#define DNSB_TRACED_RATE 2000
#define DNSB_TRACED_BURST 20000
#define DNSB_OTHER_RATE 200
#define DNSB_OTHER_BURST 2000
#define DNSB_OTHERS_RATE 2000
#define DNSB_OTHERS_BURST 20000
#define DNSB_ALL_TRACED_RATE 20000 /* a flood of processes named like mail ones */
#define DNSB_ALL_TRACED_BURST 200000

struct dns_budget;

struct dns_budget *dnsb_new(void);
void dnsb_free(struct dns_budget *b);

/* A ring-buffer record: true to keep it (anything that is not a DNS
 * message is kept), false when its source is over budget (counted). */
bool dnsb_admit(struct dns_budget *b, const void *rec, size_t len);

/* Messages not kept so far: of traced processes (with answers whose
 * sender was not known, which may have been traced), and of the others. */
void dnsb_dropped(const struct dns_budget *b, uint64_t *traced, uint64_t *other);

#endif
