/*
 * floor - loads bench/floor.bpf.c: empty programs on famtrace's tracepoints,
 * on the same resolver functions of LIBC (entry and return) and, as
 * famtrace's DNS wire programs, on every packet of the cgroup v2 root (egress
 * and ingress); prints "ready" and waits for SIGINT/SIGTERM.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"
#include "cgroup.h"

static volatile sig_atomic_t stop;
static void on_sig(int s) { stop = 1; }

int main(int argc, char **argv)
{
	static const char *const fns[] = { "getaddrinfo", "gethostbyname", "gethostbyname2",
		"gethostbyname_r", "gethostbyname2_r", "res_query", "res_search", "res_nquery",
		"res_nsearch", "res_send", "res_nsend", "res_querydomain", "res_nquerydomain" };
	char err[256];
	int cg;
	struct floor_bpf *s;

	if (argc != 2) {
		fprintf(stderr, "usage: floor LIBC\n");
		return 2;
	}
	signal(SIGINT, on_sig);
	signal(SIGTERM, on_sig);
	s = floor_bpf__open_and_load();
	if (!s || floor_bpf__attach(s)) {
		fprintf(stderr, "floor: cannot load or attach\n");
		return 1;
	}
	cg = cgroup_root_open(err, sizeof(err));
	if (cg < 0 || !bpf_program__attach_cgroup(s->progs.floor_skb_egress, cg) ||
	    !bpf_program__attach_cgroup(s->progs.floor_skb_ingress, cg)) {
		fprintf(stderr, "floor: cannot attach to the cgroup2 root: %s\n", cg < 0 ? err : "attach");
		return 1;
	}
	close(cg);
	for (unsigned i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
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
