// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * privs.c - dropping capabilities with capset(2) and prctl(2) directly: no
 * library needed for a handful of bits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel/privs.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static int capget_(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };

	return (int)syscall(SYS_capget, &h, d);
}

unsigned long long privs_effective(void)
{
	struct __user_cap_data_struct d[2];

	if (capget_(d))
		return 0;
	return (unsigned long long)d[1].effective << 32 | d[0].effective;
}

int privs_drop(const struct privs_keep *k, char *err, size_t errlen)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	unsigned long long keep = 1ULL << CAP_BPF, have;
	int last;

	if (k->files)
		keep |= 1ULL << CAP_DAC_OVERRIDE;
	if (k->kill)
		keep |= 1ULL << CAP_KILL;
	if (capget_(d)) {
		snprintf(err, errlen, "capget: %s", strerror(errno));
		return -1;
	}
	have = (unsigned long long)d[1].permitted << 32 | d[0].permitted;
	keep &= have;
	/* The bounding set first: dropping from it needs CAP_SETPCAP, which
	 * goes next. Capabilities this kernel does not know end the loop. */
	for (last = 0; last < 64; last++) {
		if (prctl(PR_CAPBSET_READ, last, 0, 0, 0) < 0)
			break;
		if (!(keep >> last & 1) && prctl(PR_CAPBSET_DROP, last, 0, 0, 0) && errno != EINVAL &&
		    errno != EPERM) {
			snprintf(err, errlen, "dropping capability %d from the bounding set: %s", last,
				 strerror(errno));
			return -1;
		}
	}
	memset(d, 0, sizeof(d));
	d[0].effective = d[0].permitted = (unsigned)keep;
	d[1].effective = d[1].permitted = (unsigned)(keep >> 32);
	if (syscall(SYS_capset, &h, d)) {
		snprintf(err, errlen, "capset: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(err, errlen, "no_new_privs: %s", strerror(errno));
		return -1;
	}
	return 0;
}
