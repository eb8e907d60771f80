// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * check.h - `famtrace check`: does what an MTA instance did match what it is
 * configured to do (Postfix inet_protocols and smtp_address_preference; Exim
 * disable_ipv6 and dns_ipv4_lookup), and can its mail leave?
 */
#ifndef FT_CHECK_H
#define FT_CHECK_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "core/correlate.h"

enum check_mta { MTA_NONE, MTA_POSTFIX, MTA_EXIM, MTA_SENDMAIL, MTA_OPENSMTPD };

/* A Postfix delivery process started by a master.cf service that overrides
 * what check judges by (-o inet_protocols=..., -o
 * smtp_address_preference=...): that process is judged by its overrides. */
struct check_service {
	uint32_t tgid;
	char name[32];	     /* the master.cf service (-n NAME) */
	unsigned families;   /* its allowed families */
	int prefer;	     /* its preference: FAM_V4, FAM_V6, -1 any */
	char overrides[160]; /* as master.cf gave them: "-o inet_protocols=ipv4" */
};
#define CHECK_MAX_SERVICES 64

struct check_expect {
	unsigned families; /* bit (1 << FAM_V4) / (1 << FAM_V6): families allowed */
	int prefer;	   /* FAM_V4, FAM_V6, or -1 for any */
	char source[300];  /* where the expectation came from, for the report */
	enum check_mta mta;
	/* The settings the expectation comes from, as the report shows them
	 * ("inet_protocols = all, smtp_address_preference = ipv6"); "" when
	 * overridden by --expect/--prefer. */
	char configured[600];
	char family_setting[300]; /* the one that allows families: "inet_protocols = all" */
	const char *limit_name;	  /* the MTA's address limit: "smtp_mx_address_limit" */
	const char *v6_off;	  /* the setting that stops IPv6: "inet_protocols = ipv4" */
	const char *v4_off;	  /* the same for IPv4, NULL when the MTA has none */
	char ipv4_lookup[256];	  /* Exim's dns_ipv4_lookup: names never asked AAAA */
	char reply_filter[256];	  /* Postfix smtp_dns_reply_filter, "" none */
	bool client_inet_only;	  /* Sendmail ClientPortOptions Family=inet (no effect on IPv6) */
	bool fastopen;		  /* Exim tries TCP Fast Open (hosts_try_fastopen) */
	bool asks_every_family;	  /* it asks A and AAAA whatever it may use (OpenSMTPD's
				   * src chooses the families tried, not asked): asking
				   * is no violation, trying is */
	char connect_timeout[32], command_timeout[32];
	uint64_t connect_timeout_ns; /* 0 unknown */
	/* The MTA's own settings that decide delivery, when known (--postfix). */
	struct {
		char name[48];
		char value[256];
	} set[24];
	unsigned n_set;
	int addr_limit; /* addresses tried per delivery (smtp_mx_address_limit), -1 unknown */
	int balance;	/* both families kept within that limit: 1, 0, -1 unknown */
	uint64_t max_lost_ns; /* --max-lost: a fallback costing more is a finding; 0 none */
	struct check_service svc[CHECK_MAX_SERVICES]; /* check_note_args */
	unsigned n_svc;
};

/* Which MTA instance check reads (at most one of them). */
struct check_mta_arg {
	const char *postfix_dir; /* --postfix DIR */
	bool exim;		 /* --exim [CONF] */
	const char *exim_conf;	 /* CONF, NULL for Exim's own */
	bool sendmail;		 /* --sendmail [CF] */
	const char *sendmail_cf; /* CF, NULL for /etc/mail/sendmail.cf */
	bool opensmtpd;		 /* --opensmtpd [CONF] */
	const char *opensmtpd_conf; /* CONF, NULL for /etc/smtpd.conf */
	const char *container;	 /* --container: the instance runs there */
};

/*
 * What `check` expects: from an MTA instance and --expect/--prefer
 * overrides. *master gets the instance's master (Postfix) or daemon (Exim)
 * pid, 0 when there is none to trace. Returns 0, or -1 with one line in err.
 */
int check_setup(struct check_expect *e, const struct check_mta_arg *m, const char *expect,
		const char *prefer, pid_t *master, char *err, size_t errlen);

/*
 * A traced process's arguments (/proc/PID/cmdline: len bytes, each argument
 * ending in NUL), under check --postfix without --expect/--prefer: a
 * master.cf service whose -o overrides set inet_protocols or
 * smtp_address_preference is noted, and the process is judged by them
 * (transport_maps routing a domain to such a service is how postmasters send
 * it over one family). Anything else, or a later exec of the same pid that
 * drops them, leaves or makes it judged by the instance's settings.
 */
void check_note_args(struct check_expect *e, uint32_t tgid, const char *args, size_t len);
/* The service tgid was noted as, or NULL. */
const struct check_service *check_service_of(const struct check_expect *e, uint32_t tgid);

/* Parse "ipv4" / "ipv6" / "all" / "ipv4, ipv6" into families; false if unknown. */
bool check_parse_protocols(const char *s, unsigned *families);
/* Parse "ipv4" / "ipv6" / "any" into prefer; false if unknown. */
bool check_parse_prefer(const char *s, int *prefer);

/*
 * Print what was expected, what was observed, whether mail can leave
 * (delivery.c), and the verdict, with evidence; text after the status line is
 * folded to width columns (0: never).
 * Returns FT_CHECK_STUCK when a destination's mail could not leave while a
 * family was left untried or unusable, FT_CHECK_VIOLATION, FT_CHECK_DEGRADED
 * when mail leaves but a configured family fails every time (or a fallback
 * costs more than --max-lost), FT_CHECK_CONFORMS, or FT_CHECK_UNKNOWN when
 * nothing at all was observed (no lookup, no attempt) or the trace cannot be
 * trusted (untrusted: why, e.g. "12 records lost"; NULL when it can): never
 * "conforms".
 */
struct mlog;
struct rdns_ctx;
/* What check reads beside the trace: the MTA's log (--maillog, --journal:
 * what the receivers replied; mlog NULL: none given), and where the
 * sources' reverse DNS is asked (the MTA's network namespace and
 * resolv.conf; NULL: not asked). */
struct check_log {
	const struct mlog *mlog;
	int64_t boot_to_real_ns; /* wall time = boottime + this */
	const struct rdns_ctx *rdns;
};
int check_verdict(FILE *out, bool json, size_t width, struct correlator *c,
		  const struct check_expect *e, const struct check_log *log, const char *untrusted);

/* A verdict's exit code by the monitoring-plugins convention: conforms 0
 * (OK), violation or degraded 1 (WARNING), mail stuck 2 (CRITICAL), could
 * not check 3 (UNKNOWN). */
int check_exit_code(int verdict);

/* What a monitoring plugin prints when check could not judge: the status
 * line (text), or one result object (-j) with why ("" when the reason is
 * the one line already on stderr). */
void check_print_unknown(FILE *out, bool json, const char *why);

#endif
