// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * privs.h - giving up privileges once the BPF programs are loaded and
 * attached: what famtrace does after that needs almost none of them.
 */
#ifndef FT_PRIVS_H
#define FT_PRIVS_H

#include <stdbool.h>
#include <stddef.h>

struct privs_keep {
	bool files; /* CAP_DAC_OVERRIDE: recordings and metrics in any directory */
	bool kill;  /* CAP_KILL: pass Ctrl-C on to `run`'s command under any uid */
};

/*
 * Keep CAP_BPF (reading the kernel's counters from their map needs it on
 * kernels before 6.5) and what k asks for; drop every other capability from
 * the effective, permitted, inheritable and bounding sets, and set
 * no_new_privs. Returns 0, or -1 with one line in err.
 */
int privs_drop(const struct privs_keep *k, char *err, size_t errlen);

/* The effective set, as /proc/self/status shows it (for --debug). */
unsigned long long privs_effective(void);

#endif
