// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * loader.h - the only part of famtrace that talks to libbpf: checks that the
 * kernel and our privileges allow tracing, loads and attaches the BPF
 * programs, seeds the tracking map, and hands raw ring-buffer records on.
 *
 * SYNOPSIS
 *	loader_open, loader_close	load and attach; detach in the background
 *	loader_attach_resolver, loader_attach_dns	the optional programs
 *	loader_track			a process to follow
 *	loader_poll, loader_pending	records out, a bounded batch at a time
 *	loader_connecting		attempts still waiting for their outcome
 *	loader_counters, loader_exact_errno	what the kernel side counted
 *	loader_needs_fd			a descriptor a later attach needs (the prober)
 */
#ifndef FT_LOADER_H
#define FT_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "famtrace.h"
#include "lib/exitcodes.h"


struct loader_cfg {
	enum ft_mode mode;
	const char *const *comms; /* process names (FT_MODE_MAIL) */
	size_t n_comms;
	const uint16_t *ports; /* destination ports that make a process a mail process */
	size_t n_ports;
	bool debug; /* pass libbpf's messages (verifier log) to stderr */
	uint32_t ringbuf_bytes; /* ring buffer size (power of two, >= page); 0: 4 MiB */
	uint32_t map_entries;	/* ft_tracked and ft_pending; 0: FT_MAP_ENTRIES */
	const uint16_t *dns_ports; /* nameserver ports whose messages are captured; none: 53 */
	size_t n_dns_ports;
	int cgroup_fd;		/* the cgroup v2 root (cgroup_root_open): the attempt
				 * programs attach there */
	bool route_errno_only;	/* never use fexit, even where it loads (tests) */
};

/* Called for every raw record, in ring-buffer order. */
typedef void (*loader_event_fn)(void *ctx, const void *data, size_t len);

struct loader;

/*
 * Check privileges, BTF, ring buffers and tracefs (mounting it when absent),
 * then load and attach. On failure returns NULL, writes one line to err and
 * the exit code to *code.
 */
struct loader *loader_open(const struct loader_cfg *cfg, loader_event_fn fn, void *ctx,
			   char *err, size_t errlen, int *code);

/* Do connect()'s errnos come from fexit on the system calls (exact), or
 * from the route lookup (the kernel allows no trampolines)? */
bool loader_exact_errno(const struct loader *l);

/*
 * Attach the resolver uprobes to one C library (a path, possibly under
 * /proc/PID/root). Symbols the library lacks are named in one warning line
 * each on stderr; returns the number of functions traced (0: none).
 */
int loader_attach_resolver(struct loader *l, const char *lib);

/*
 * Attach the DNS wire programs (egress and ingress) to the cgroup v2 root,
 * open as fd (cgroup_root_open; the caller closes it). 0, or -1 with a
 * reason in err: DNS messages are then not seen, and the caller must say so.
 */
int loader_attach_dns(struct loader *l, int fd, char *err, size_t errlen);

/* Trace this process (and, through the fork hook, its future children). */
int loader_track(struct loader *l, uint32_t tgid, uint8_t why);

/* Wait up to timeout_ms for records and deliver those that are ready, at
 * most a batch (LOADER_BATCH): under a flood the caller's turn comes back in
 * bounded time and the rest waits in the ring. Returns the number delivered
 * (LOADER_BATCH: there may be more) or a negative errno. */
#define LOADER_BATCH 4096
int loader_poll(struct loader *l, int timeout_ms);

/*
 * The end of a trace: every attempt still waiting for its outcome (in
 * SYN_SENT) goes to the event callback as an FT_OUT_PENDING record ending
 * at now_ns, so live output, recordings and reports all show it; one whose
 * connect() returned but was not settled yet goes as the kernel side would
 * settle it. Returns how many were still waiting.
 */
int loader_pending(struct loader *l, uint64_t now_ns);
/* How many attempts are waiting for their outcome (in SYN_SENT) now;
 * nothing is sent anywhere. */
int loader_connecting(struct loader *l);
/* Kernel-side counters (enum ft_counter), summed over CPUs. 0 or -errno. */
int loader_counters(struct loader *l, uint64_t out[FT_CNT_MAX]);

void loader_close(struct loader *l);

/* Is fd one of the loaded programs' (what attaching a probe later needs)? */
bool loader_needs_fd(struct loader *l, int fd);

#endif
