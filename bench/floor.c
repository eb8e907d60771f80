/*
 * floor - loads bench/floor.bpf.c: empty programs on famtrace's tracepoints,
 * on the same resolver functions of LIBC (entry and return) and, as
 * famtrace's DNS wire programs, on every packet of the cgroup v2 root (egress
 * and ingress); prints "ready" and waits for SIGINT/SIGTERM.
 *
 * Optional PART arguments attach one kind of hook only, for what each kind
 * costs on its own: "syscalls" (the connect and sendto syscall tracepoints,
 * which put every system call of every process on the tracing slow path),
 * "events" (the tp_btf socket and scheduler points), "uprobes" (the
 * resolver functions) and "wire" (the cgroup packet programs). No PART: all.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"
#include "cgroup.h"

static volatile sig_atomic_t stop;
static void on_sig(int s) { stop = 1; }

/* Is PART among the command line's parts (argv[2..]), or are there none? */
static bool wanted(int argc, char **argv, const char *part)
{
	if (argc <= 2)
		return true;
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], part))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	static const char *const fns[] = { "getaddrinfo", "gethostbyname", "gethostbyname2",
		"gethostbyname_r", "gethostbyname2_r", "res_query", "res_search", "res_nquery",
		"res_nsearch", "res_send", "res_nsend", "res_querydomain", "res_nquerydomain" };
	char err[256];
	int cg;
	struct floor_bpf *s;
	struct bpf_program *prog;

	static const char *const parts[] = { "syscalls", "events", "uprobes", "wire" };

	if (argc < 2) {
		fprintf(stderr, "usage: floor LIBC [syscalls|events|uprobes|wire]...\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		bool known = false;

		for (unsigned j = 0; j < sizeof(parts) / sizeof(parts[0]); j++)
			known |= !strcmp(argv[i], parts[j]);
		if (!known) {
			fprintf(stderr, "floor: unknown part %s (syscalls, events, uprobes, wire)\n", argv[i]);
			return 2;
		}
	}
	signal(SIGINT, on_sig);
	signal(SIGTERM, on_sig);
	s = floor_bpf__open();
	if (!s) {
		fprintf(stderr, "floor: cannot open\n");
		return 1;
	}
	/* The auto-attached kinds, by section: the syscall tracepoints and the
	 * tp_btf points (uprobes and cgroup programs are attached below). */
	bpf_object__for_each_program(prog, s->obj) {
		const char *sec = bpf_program__section_name(prog);

		if ((!strncmp(sec, "tracepoint/syscalls/", 20) && !wanted(argc, argv, "syscalls")) ||
		    (!strncmp(sec, "tp_btf/", 7) && !wanted(argc, argv, "events")))
			bpf_program__set_autoattach(prog, false);
	}
	if (floor_bpf__load(s) || floor_bpf__attach(s)) {
		fprintf(stderr, "floor: cannot load or attach\n");
		return 1;
	}
	if (wanted(argc, argv, "wire")) {
		cg = cgroup_root_open(err, sizeof(err));
		if (cg < 0 || !bpf_program__attach_cgroup(s->progs.floor_skb_egress, cg) ||
		    !bpf_program__attach_cgroup(s->progs.floor_skb_ingress, cg)) {
			fprintf(stderr, "floor: cannot attach to the cgroup2 root: %s\n",
				cg < 0 ? err : "attach");
			return 1;
		}
		close(cg);
	}
	for (unsigned i = 0; wanted(argc, argv, "uprobes") && i < sizeof(fns) / sizeof(fns[0]); i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, en, .func_name = fns[i]);
		LIBBPF_OPTS(bpf_uprobe_opts, ex, .func_name = fns[i], .retprobe = true);

		if (!bpf_program__attach_uprobe_opts(s->progs.floor_uprobe, -1, argv[1], 0, &en) ||
		    !bpf_program__attach_uprobe_opts(s->progs.floor_uretprobe, -1, argv[1], 0, &ex))
			fprintf(stderr, "floor: cannot probe %s\n", fns[i]);
	}
	printf("ready\n");
	fflush(stdout);
	while (!stop)
		pause();
	floor_bpf__destroy(s);
	return 0;
}
