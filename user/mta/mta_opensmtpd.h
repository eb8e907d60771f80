// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * mta_opensmtpd.h - what an OpenSMTPD instance is configured to do, read
 * from its smtpd.conf (and validated by its own `smtpd -n`), and which
 * process is its daemon.
 */
#ifndef FT_MTA_OPENSMTPD_H
#define FT_MTA_OPENSMTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define OPENSMTPD_MAX_SETTINGS 16
#define OPENSMTPD_CONF "/etc/smtpd.conf"

struct opensmtpd_conf {
	pid_t daemon; /* the running daemon of this configuration, 0 if none */
	/* Every relay action, as written ("relay src <out4>"), and the tables
	 * its src names, resolved to their addresses. */
	struct {
		char name[48];
		char value[256];
	} set[OPENSMTPD_MAX_SETTINGS];
	unsigned n_set;
	unsigned n_relay;	/* relay actions */
	/* The families the relay actions can send from: bit 1 << 0 IPv4,
	 * 1 << 1 IPv6 (a relay action without src: both). 0 when no relay
	 * action exists. */
	unsigned families;
	bool via_host;		/* a relay action sends through a smarthost (host ...) */
	int smtpd_n;		/* `smtpd -n -f CONF`'s exit status; -1 not run */
};

/*
 * Read the relay actions of smtpd.conf at conf (NULL: /etc/smtpd.conf), the
 * tables and macros they use, check the file with `smtpd -n` when smtpd is
 * in PATH, and find the daemon running it (a process named smtpd, not
 * Postfix's, whose parent is not an smtpd and whose -f names this file).
 * Returns 0, or -1 with one line in err.
 */
int opensmtpd_read(const char *conf, struct opensmtpd_conf *oc, char *err, size_t errlen);

#endif
