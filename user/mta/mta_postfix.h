// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * mta_postfix.h - what a Postfix instance is configured to do, read with its
 * own postconf, and which process is that instance's master.
 */
#ifndef FT_MTA_POSTFIX_H
#define FT_MTA_POSTFIX_H

#include <stddef.h>
#include <sys/types.h>

#define POSTFIX_MAX_SETTINGS 24

struct postfix_conf {
	char inet_protocols[256];
	char address_preference[256]; /* smtp_address_preference */
	char queue_directory[1024];
	pid_t master; /* the running master of this instance (the host's pid) */
	pid_t master_ns_pid; /* its pid in its own PID namespace when that is not
			      * the host's (a container's Postfix), else 0 */
	char container[128]; /* read in this container (its own postconf), "" host */
	/* Every setting that decides which families are asked, in what order
	 * addresses are tried and how many (as postconf -x shows them). */
	struct {
		char name[48];
		char value[256];
	} set[POSTFIX_MAX_SETTINGS];
	unsigned n_set;
	int mx_address_limit; /* smtp_mx_address_limit, -1 unknown */
	int balance;	      /* smtp_balance_inet_protocols: 1 yes, 0 no, -1 unknown */
	char transport[48];   /* default_transport's service name ("smtp") */
	char overridden[160]; /* settings that its master.cf -o replaced, "" none */
};

/*
 * Read DIR's main.cf through `postconf -c DIR -x` (so $name values are
 * expanded as Postfix expands them) and find the instance's master: the pid
 * in queue_directory/pid/master.pid, accepted only when that process is a
 * Postfix master working in this queue directory; a master in a PID
 * namespace of its own (a container) wrote the pid it has there, and is
 * found by that pid among the masters working in this queue directory.
 * container (NULL: none): DIR is a path in that container (its name or 4+
 * characters of its id), read by the container's own postconf in its mount
 * and UTS namespaces (nsenter), and the master is one of the container's.
 * Returns 0, or -1 with one line in err.
 */
int postfix_read(const char *dir, const char *container, struct postfix_conf *pc, char *err, size_t errlen);

#endif
