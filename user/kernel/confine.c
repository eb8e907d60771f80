// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * confine.c - Landlock by its system calls (no library): the rule set
 * famtrace puts on itself once its programs are attached and its files
 * are open. The constants are the kernel's UAPI values, spelled here so that
 * older kernel headers build the same binary.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel/confine.h"

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif

#define LL_VERSION (1U << 0) /* LANDLOCK_CREATE_RULESET_VERSION */
#define LL_RULE_PATH 1       /* LANDLOCK_RULE_PATH_BENEATH */

/* LANDLOCK_ACCESS_FS_*, by ABI */
#define FS_EXECUTE (1ULL << 0)
#define FS_WRITE_FILE (1ULL << 1)
#define FS_READ_FILE (1ULL << 2)
#define FS_READ_DIR (1ULL << 3)
#define FS_REMOVE_DIR (1ULL << 4)
#define FS_REMOVE_FILE (1ULL << 5)
#define FS_MAKE_REG (1ULL << 8)
#define FS_ABI1 ((1ULL << 13) - 1) /* execute .. make_sym */
#define FS_REFER (1ULL << 13)      /* ABI 2 */
#define FS_TRUNCATE (1ULL << 14)   /* ABI 3 */
#define FS_IOCTL_DEV (1ULL << 15)  /* ABI 5 */
/* LANDLOCK_ACCESS_NET_* (ABI 4) and LANDLOCK_SCOPE_* (ABI 6) */
#define NET_TCP ((1ULL << 0) | (1ULL << 1))
#define SCOPE_ABSTRACT_UNIX (1ULL << 0)
#define SCOPE_SIGNAL (1ULL << 1)

struct ll_ruleset_attr {
	uint64_t fs;
	uint64_t net;    /* ABI 4 */
	uint64_t scoped; /* ABI 6 */
};

struct ll_path_beneath {
	uint64_t allowed;
	int32_t parent_fd;
} __attribute__((packed));

void confine_dirname(const char *path, char *out, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(out, len, ".");
	else if (slash == path)
		snprintf(out, len, "/");
	else
		snprintf(out, len, "%.*s", (int)(slash - path), path);
}

/* A rule for dir, or when dir is NULL for the directory open as fd. */
static int allow_at(int ruleset, const char *dir, int fd, uint64_t access, uint64_t handled,
		    char *why, size_t whylen)
{
	struct ll_path_beneath pb = { .allowed = access & handled };
	int rc;

	pb.parent_fd = dir ? open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC) : fd;
	if (pb.parent_fd < 0) {
		snprintf(why, whylen, "%s: %s", dir ? dir : "directory", strerror(errno));
		return -1;
	}
	rc = (int)syscall(__NR_landlock_add_rule, ruleset, LL_RULE_PATH, &pb, 0);
	if (rc)
		snprintf(why, whylen, "rule for %s: %s", dir ? dir : "the cgroup root", strerror(errno));
	if (dir)
		close(pb.parent_fd);
	return rc;
}

static int allow(int ruleset, const char *dir, uint64_t access, uint64_t handled, char *why,
		 size_t whylen)
{
	return allow_at(ruleset, dir, -1, access, handled, why, whylen);
}

int confine_self(const struct confine_cfg *cfg, char *why, size_t whylen)
{
	const uint64_t reads = FS_READ_FILE | FS_READ_DIR;
	const uint64_t writes = reads | FS_WRITE_FILE | FS_REMOVE_FILE | FS_MAKE_REG | FS_TRUNCATE |
				FS_REFER;
	struct ll_ruleset_attr attr = { 0 };
	size_t attr_size = sizeof(attr.fs);
	long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LL_VERSION);
	int ruleset, rc = 0;

	if (abi < 1) {
		snprintf(why, whylen, "%s",
			 errno == EOPNOTSUPP ? "Landlock is off in this kernel (lsm= on its command line)" :
			 errno == ENOSYS ? "this kernel has no Landlock" :
					   strerror(errno));
		return 0;
	}
	attr.fs = FS_ABI1 | (abi >= 2 ? FS_REFER : 0) | (abi >= 3 ? FS_TRUNCATE : 0) |
		  (abi >= 5 ? FS_IOCTL_DEV : 0);
	if (abi >= 4) {
		attr.net = NET_TCP; /* no rule: no TCP bind or connect at all */
		attr_size = offsetof(struct ll_ruleset_attr, scoped);
	}
	if (abi >= 6) {
		attr.scoped = SCOPE_ABSTRACT_UNIX | (cfg->signals_out ? 0 : SCOPE_SIGNAL);
		attr_size = sizeof(attr);
	}
	ruleset = (int)syscall(__NR_landlock_create_ruleset, &attr, attr_size, 0);
	if (ruleset < 0) {
		snprintf(why, whylen, "landlock_create_ruleset: %s", strerror(errno));
		return 0;
	}
	/* /proc: what the traced processes are; nothing else of the host. */
	rc = allow(ruleset, "/proc", reads, attr.fs, why, whylen);
	for (size_t i = 0; !rc && i < sizeof(cfg->write_dirs) / sizeof(cfg->write_dirs[0]); i++)
		if (cfg->write_dirs[i])
			rc = allow(ruleset, cfg->write_dirs[i], writes, attr.fs, why, whylen);
	for (size_t i = 0; !rc && i < cfg->n_read_dirs; i++)
		rc = allow(ruleset, cfg->read_dirs[i], reads, attr.fs, why, whylen);
	if (!rc && cfg->read_fd >= 0)
		rc = allow_at(ruleset, NULL, cfg->read_fd, reads, attr.fs, why, whylen);
	/* no_new_privs is already set (privs_drop); set again for callers
	 * that come here without it, as restrict_self requires one or the
	 * other. */
	if (!rc && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(why, whylen, "no_new_privs: %s", strerror(errno));
		rc = -1;
	}
	if (!rc && syscall(__NR_landlock_restrict_self, ruleset, 0)) {
		snprintf(why, whylen, "landlock_restrict_self: %s", strerror(errno));
		rc = -1;
	}
	close(ruleset);
	return rc ? 0 : (int)abi;
}
