// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * mta_exim.h - what an Exim instance is configured to do, read with its own
 * `exim -bP`, and which process is its daemon.
 */
#ifndef FT_MTA_EXIM_H
#define FT_MTA_EXIM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define EXIM_MAX_SETTINGS 16

struct exim_conf {
	bool disable_ipv6;
	char dns_ipv4_lookup[256]; /* a domain list; "" none */
	char pid_file[1024], spool[1024];
	pid_t daemon; /* the running daemon of this configuration, 0 if none */
	/* The settings that decide families and attempts, as -bP shows them;
	 * transport options as "remote_smtp.hosts_max_try". */
	struct {
		char name[48];
		char value[256];
	} set[EXIM_MAX_SETTINGS];
	unsigned n_set;
	int hosts_max_try;    /* of the first smtp transport, -1 unknown */
	bool fastopen;	      /* hosts_try_fastopen of an smtp transport is not empty */
	char connect_timeout[32], command_timeout[32]; /* of that transport */
};

/*
 * Read the configuration conf (NULL: Exim's own) with `exim4 [-C conf] -bP`
 * (exim4, else exim, from PATH) and find its daemon: the pid in
 * pid_file_path, accepted only when that process is an Exim. A daemon that
 * is not running is not an error (-odi deliveries and cron queue runs need
 * none): daemon is 0. Returns 0, or -1 with one line in err.
 */
int exim_read(const char *conf, struct exim_conf *xc, char *err, size_t errlen);

/* Exim's time ("2s", "1m30s", "1h"; a bare number is seconds) in ns; 0 if
 * unreadable. */
unsigned long long exim_time_ns(const char *s);

/* Does Exim's domain list (colon-separated; "*", "*.suffix", "!item",
 * "domain") match name? First match wins; a negated match is false. */
bool exim_domain_match(const char *list, const char *name);

#endif
