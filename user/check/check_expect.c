// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * check_expect.c - what `famtrace check` expects of an MTA instance: its
 * configuration read with the MTA's own tools (mta/), turned into the
 * families it may use, the one it should prefer, and the settings that
 * decide delivery; --expect and --prefer override. check.c judges the
 * trace against it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check/check.h"
#include "lib/exitcodes.h"
#include "mta/mta_exim.h"
#include "mta/mta_postfix.h"
#include "mta/mta_opensmtpd.h"
#include "mta/mta_sendmail.h"

/* One setting the MTA's own tool showed, for the report (bounded). */
static void add_setting(struct check_expect *e, const char *name, const char *value)
{
	if (e->n_set == sizeof(e->set) / sizeof(e->set[0]))
		return;
	snprintf(e->set[e->n_set].name, sizeof(e->set[0].name), "%s", name);
	snprintf(e->set[e->n_set].value, sizeof(e->set[0].value), "%s", value);
	e->n_set++;
}

static void setup_postfix(struct check_expect *e, const struct postfix_conf *pc, const char *dir)
{
	e->mta = MTA_POSTFIX;
	if (pc->container[0])
		snprintf(e->source, sizeof(e->source), "postconf -c %s in container %s (its own postconf); its "
			 "master is pid %d on the host, pid %d in the container", dir, pc->container,
			 (int)pc->master, (int)(pc->master_ns_pid ? pc->master_ns_pid : pc->master));
	else if (pc->master_ns_pid)
		snprintf(e->source, sizeof(e->source), "postconf -c %s; its master is pid %d on the host, pid %d "
			 "in a PID namespace of its own (a container)", dir, (int)pc->master, (int)pc->master_ns_pid);
	else
		snprintf(e->source, sizeof(e->source), "postconf -c %s", dir);
	/* (A long value is cut: the settings list below has them whole.) */
	if (snprintf(e->configured, sizeof(e->configured),
		     "inet_protocols = %s, smtp_address_preference = %s%s%s%s%s%s",
		     pc->inet_protocols, pc->address_preference,
		     pc->overridden[0] ? " (master.cf -o for the " : "",
		     pc->overridden[0] ? pc->transport : "", pc->overridden[0] ? " transport: " : "",
		     pc->overridden, pc->overridden[0] ? ")" : "") >= (int)sizeof(e->configured))
		e->configured[sizeof(e->configured) - 2] = '~';
	snprintf(e->family_setting, sizeof(e->family_setting), "inet_protocols = %s", pc->inet_protocols);
	e->v6_off = "inet_protocols = ipv4";
	e->v4_off = "inet_protocols = ipv6";
	e->limit_name = "smtp_mx_address_limit";
	for (unsigned i = 0; i < pc->n_set; i++)
		add_setting(e, pc->set[i].name, pc->set[i].value);
	e->addr_limit = pc->mx_address_limit;
	e->balance = pc->balance;
	for (unsigned i = 0; i < pc->n_set; i++)
		if (!strcmp(pc->set[i].name, "smtp_dns_reply_filter"))
			snprintf(e->reply_filter, sizeof(e->reply_filter), "%s", pc->set[i].value);
}

/* Exim: disable_ipv6 turns IPv6 off; dns_ipv4_lookup = * asks no AAAA at
 * all, a narrower list none for the names it covers (judged per name).
 * Exim has no preference between families and no balancing: prefer any. */
static void setup_exim(struct check_expect *e, const struct exim_conf *xc, const char *conf)
{
	e->mta = MTA_EXIM;
	snprintf(e->source, sizeof(e->source), "exim -bP%s%s", conf ? " -C " : "", conf ? conf : "");
	snprintf(e->configured, sizeof(e->configured), "disable_ipv6 = %s, dns_ipv4_lookup = %s",
		 xc->disable_ipv6 ? "true" : "false", xc->dns_ipv4_lookup[0] ? xc->dns_ipv4_lookup : "(empty)");
	snprintf(e->family_setting, sizeof(e->family_setting), "disable_ipv6 = %s",
		 xc->disable_ipv6 ? "true" : "false");
	e->v6_off = "disable_ipv6 = true";
	e->v4_off = NULL;
	e->limit_name = "hosts_max_try";
	if (xc->disable_ipv6 || !strcmp(xc->dns_ipv4_lookup, "*"))
		e->families = 1u << FAM_V4;
	snprintf(e->ipv4_lookup, sizeof(e->ipv4_lookup), "%s", xc->dns_ipv4_lookup);
	for (unsigned i = 0; i < xc->n_set; i++)
		add_setting(e, xc->set[i].name, xc->set[i].value);
	e->addr_limit = xc->hosts_max_try;
	e->fastopen = xc->fastopen;
	snprintf(e->connect_timeout, sizeof(e->connect_timeout), "%s", xc->connect_timeout);
	snprintf(e->command_timeout, sizeof(e->command_timeout), "%s", xc->command_timeout);
	e->connect_timeout_ns = exim_time_ns(xc->connect_timeout);
}

/* Sendmail: no setting limits the client's families (ClientPortOptions'
 * Family only chooses which client options apply), no preference setting
 * (it asks AAAA and tries IPv6 first): both families, any first family. */
static void setup_sendmail(struct check_expect *e, const struct sendmail_conf *sc, const char *cf)
{
	size_t off = 0;

	e->mta = MTA_SENDMAIL;
	snprintf(e->source, sizeof(e->source), "%s", cf ? cf : "/etc/mail/sendmail.cf");
	for (unsigned i = 0; i < sc->n_set && off < sizeof(e->configured); i++)
		if (!strcmp(sc->set[i].name, "ClientPortOptions"))
			off += (size_t)snprintf(e->configured + off, sizeof(e->configured) - off, "%sClientPortOptions=%s",
						off ? ", " : "", sc->set[i].value);
	if (!off)
		snprintf(e->configured, sizeof(e->configured), "no ClientPortOptions");
	snprintf(e->family_setting, sizeof(e->family_setting),
		 "Sendmail tries IPv6 whenever it can open an IPv6 socket");
	e->v6_off = "Sendmail has no setting for it: RestrictAddressFamilies=~AF_INET6 in its unit";
	e->v4_off = NULL;
	e->limit_name = NULL;
	e->client_inet_only = sc->client_inet_only;
	for (unsigned i = 0; i < sc->n_set; i++)
		add_setting(e, sc->set[i].name, sc->set[i].value);
}

/* OpenSMTPD: no family setting; its relay actions' src addresses decide
 * which families it can send from (IPv4 sources only: no IPv6 attempt), and
 * no preference (it tries an MX host's addresses as its resolver returns
 * them): any first family. */
static void setup_opensmtpd(struct check_expect *e, const struct opensmtpd_conf *oc, const char *conf)
{
	size_t off = 0;

	e->mta = MTA_OPENSMTPD;
	/* smtpd -n unrun is said, never read as a file it accepted. */
	snprintf(e->source, sizeof(e->source), "%s%s", conf ? conf : OPENSMTPD_CONF,
		 oc->smtpd_n == 0 ? " (smtpd -n: configuration OK)"
				  : " (not checked with smtpd -n: smtpd is not in PATH; read by famtrace alone)");
	for (unsigned i = 0; i < oc->n_set && off < sizeof(e->configured); i++)
		off += (size_t)snprintf(e->configured + off, sizeof(e->configured) - off, "%s%s %s",
					off ? "; " : "", oc->set[i].name, oc->set[i].value);
	if (oc->families && oc->families != (1u << FAM_V4 | 1u << FAM_V6))
		e->families = oc->families;
	snprintf(e->family_setting, sizeof(e->family_setting), "%s",
		 oc->families == (1u << FAM_V4) ? "the relay actions' src addresses are IPv4 only"
		 : oc->families == (1u << FAM_V6) ? "the relay actions' src addresses are IPv6 only"
						  : "a relay action without src, or with sources of both families");
	e->v6_off = "give the relay action IPv4 source addresses only (action \"relay\" relay src <IPv4 address or table>)";
	e->v4_off = "give the relay action IPv6 source addresses only (src)";
	e->limit_name = NULL;
	e->asks_every_family = true;
	for (unsigned i = 0; i < oc->n_set; i++)
		add_setting(e, oc->set[i].name, oc->set[i].value);
}

int check_setup(struct check_expect *e, const struct check_mta_arg *m, const char *expect,
		const char *prefer, pid_t *master, char *err, size_t errlen)
{
	memset(e, 0, sizeof(*e));
	e->prefer = -1;
	e->addr_limit = -1;
	e->balance = -1;
	e->families = 1u << FAM_V4 | 1u << FAM_V6;
	*master = 0;
	if (!!m->postfix_dir + m->exim + m->sendmail + m->opensmtpd > 1) {
		snprintf(err, errlen, "--postfix, --exim, --sendmail, --opensmtpd: check one MTA instance at a time");
		return -1;
	}
	if (m->postfix_dir) {
		struct postfix_conf pc;

		if (postfix_read(m->postfix_dir, m->container, &pc, err, errlen))
			return -1;
		if (!check_parse_protocols(pc.inet_protocols, &e->families) ||
		    !check_parse_prefer(pc.address_preference, &e->prefer)) {
			snprintf(err, errlen, "cannot read inet_protocols '%s' / "
				 "smtp_address_preference '%s'", pc.inet_protocols, pc.address_preference);
			return -1;
		}
		setup_postfix(e, &pc, m->postfix_dir);
		*master = pc.master;
	} else if (m->exim) {
		struct exim_conf xc;

		if (exim_read(m->exim_conf, &xc, err, errlen))
			return -1;
		setup_exim(e, &xc, m->exim_conf);
		*master = xc.daemon;
	} else if (m->sendmail) {
		struct sendmail_conf sc;

		if (sendmail_read(m->sendmail_cf, &sc, err, errlen))
			return -1;
		setup_sendmail(e, &sc, m->sendmail_cf);
		*master = sc.daemon;
	} else if (m->opensmtpd) {
		struct opensmtpd_conf oc;

		if (opensmtpd_read(m->opensmtpd_conf, &oc, err, errlen))
			return -1;
		setup_opensmtpd(e, &oc, m->opensmtpd_conf);
		*master = oc.daemon;
	} else {
		snprintf(e->source, sizeof(e->source), "command line");
	}
	if (expect) {
		if (!check_parse_protocols(expect, &e->families)) {
			snprintf(err, errlen, "--expect '%s': use ipv4, ipv6 or all", expect);
			return -1;
		}
		snprintf(e->source + strlen(e->source), sizeof(e->source) - strlen(e->source),
			 "%s--expect %s", e->source[0] ? ", overridden by " : "", expect);
		e->configured[0] = 0;
	}
	if (prefer) {
		if (!check_parse_prefer(prefer, &e->prefer)) {
			snprintf(err, errlen, "--prefer '%s': use ipv4, ipv6 or any", prefer);
			return -1;
		}
		snprintf(e->source + strlen(e->source), sizeof(e->source) - strlen(e->source),
			 ", --prefer %s", prefer);
		e->configured[0] = 0;
	}
	return 0;
}

bool check_parse_protocols(const char *s, unsigned *families)
{
	*families = 0;
	while (*s == ' ')
		s++;
	if (!strcmp(s, "all")) {
		*families = 1u << FAM_V4 | 1u << FAM_V6;
		return true;
	}
	if (strstr(s, "ipv4"))
		*families |= 1u << FAM_V4;
	if (strstr(s, "ipv6"))
		*families |= 1u << FAM_V6;
	return *families != 0;
}

bool check_parse_prefer(const char *s, int *prefer)
{
	if (!strcmp(s, "ipv4"))
		*prefer = FAM_V4;
	else if (!strcmp(s, "ipv6"))
		*prefer = FAM_V6;
	else if (!strcmp(s, "any"))
		*prefer = -1;
	else
		return false;
	return true;
}

const struct check_service *check_service_of(const struct check_expect *e, uint32_t tgid)
{
	for (unsigned i = 0; i < e->n_svc; i++)
		if (e->svc[i].tgid == tgid)
			return &e->svc[i];
	return NULL;
}

void check_note_args(struct check_expect *e, uint32_t tgid, const char *args, size_t len)
{
	struct check_service s = { .tgid = tgid, .families = e->families, .prefer = e->prefer };
	const char *argv[64];
	size_t argc = 0;
	bool own = false;

	if (e->mta != MTA_POSTFIX || !e->configured[0])
		return; /* --expect/--prefer: the user's word, for every process */
	for (size_t i = 0; i < len && argc < 64; i += strlen(args + i) + 1)
		argv[argc++] = args + i;
	for (size_t i = 0; i + 1 < argc; i++) {
		const char *v = argv[i + 1];
		size_t n = strlen(s.overrides);
		unsigned fams;

		if (!strcmp(argv[i], "-n")) {
			snprintf(s.name, sizeof(s.name), "%s", v);
		} else if (!strcmp(argv[i], "-o") && !strncmp(v, "inet_protocols=", 15) &&
			   check_parse_protocols(v + 15, &fams)) {
			s.families = fams;
			snprintf(s.overrides + n, sizeof(s.overrides) - n, "%s-o %s", n ? " " : "", v);
			own = true;
		} else if (!strcmp(argv[i], "-o") && !strncmp(v, "smtp_address_preference=", 24) &&
			   check_parse_prefer(v + 24, &s.prefer)) {
			snprintf(s.overrides + n, sizeof(s.overrides) - n, "%s-o %s", n ? " " : "", v);
			own = true;
		}
	}
	for (unsigned i = 0; i < e->n_svc; i++)
		if (e->svc[i].tgid == tgid) {
			/* The same pid again (an exec): what it is now. */
			if (own)
				e->svc[i] = s;
			else
				e->svc[i] = e->svc[--e->n_svc];
			return;
		}
	if (own && e->n_svc < CHECK_MAX_SERVICES)
		e->svc[e->n_svc++] = s;
}
