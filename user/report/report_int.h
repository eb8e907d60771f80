// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * report_int.h - what report_group.c lends the other reporters of report/
 * and nothing else: the words for a result, a destination, a race, the
 * untried addresses, the DNS exchanges and address orders of a lookup;
 * and report_place.c's words for where a process runs.
 */
#ifndef FT_REPORT_INT_H
#define FT_REPORT_INT_H

#include <stdio.h>

#include "report/report.h"

char *fmt_result(char *buf, size_t len, const struct attempt *a);
const char *class_tag(enum wire_fam fam, const uint8_t *addr);
void print_order(FILE *f, const struct report_opts *o, const struct lookup *l,
			const char *indent);
void print_wire(FILE *f, const struct lookup *l, const char *indent);
char *race_text(char *buf, size_t len, const struct group *g);
char *fmt_dest(char *buf, size_t len, const struct group *g);
char *fmt_untried(char *buf, size_t len, const struct group *g);
char *fmt_host_endpoint(char *buf, size_t len, const struct proc *p, const struct attempt *a);

/* report_place.c: where p runs. fmt_place: "container NAME (podman ID), pid N
 * in its PID namespace", "unit X.service", "" when on the host or unknown. */
char *fmt_place(char *buf, size_t len, const struct correlator *c, const struct proc *p);
void json_place(FILE *f, const struct correlator *c, const struct proc *p);
/* What p's network namespace lacked in family fam, read from its failures
 * before any packet left, when the family never worked: "no_route",
 * "no_address", or NULL. */
const char *net_verdict_key(const struct proc *p, int fam);
/* NETWORK: lines for a process in a container, each begun with in. */
void text_network(FILE *f, const struct correlator *c, const struct proc *p, const char *in);
void json_network(FILE *f, const struct proc *p);
/* The container's name, else its short id; "" on the host (a metric's label). */
const char *place_label(const struct correlator *c, const struct proc *p, char *buf, size_t len);

#endif
