// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * mta_sendmail.h - what a Sendmail instance is configured to do, read from
 * its sendmail.cf, and which process is its daemon.
 */
#ifndef FT_MTA_SENDMAIL_H
#define FT_MTA_SENDMAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SENDMAIL_MAX_SETTINGS 16

struct sendmail_conf {
	pid_t daemon; /* the running daemon of this configuration, 0 if none */
	/* Every O line that decides families, order or time: DaemonPortOptions
	 * and ClientPortOptions (each line), Timeout.connect, Timeout.iconnect,
	 * ResolverOptions. */
	struct {
		char name[48];
		char value[256];
	} set[SENDMAIL_MAX_SETTINGS];
	unsigned n_set;
	bool client_inet_only; /* a ClientPortOptions says Family=inet (which does
				* not stop IPv6 attempts) */
	char pid_file[1024];
};

/*
 * Read the O lines of sendmail.cf at cf (NULL: /etc/mail/sendmail.cf) and
 * find the daemon named by its PidFile (accepted only when that process is a
 * sendmail). No daemon is not an error (-odi and -q deliver in their own
 * processes). Returns 0, or -1 with one line in err.
 */
int sendmail_read(const char *cf, struct sendmail_conf *sc, char *err, size_t errlen);

#endif
