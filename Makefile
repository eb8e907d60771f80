# famtrace build. `make` builds ./famtrace; `make test` runs every test (as root).
# BPF objects are built with clang -target bpf against the committed vmlinux.h
# (CO-RE), so a build host needs no BTF of its own; `make vmlinux` refreshes it
# from the running kernel (scripts/vmlinux-debian ARCH from a Debian kernel package).

# ARCH: the machine famtrace is built for, as uname -m names it (x86_64,
# aarch64). Another than this host's is a cross build: Debian's cross
# compiler (gcc-aarch64-linux-gnu), the target's libraries from multiarch
# (libbpf-dev:arm64, libelf-dev:arm64, zlib1g-dev:arm64), and everything,
# the binary included, under build/ARCH. The BPF side is the same source
# against vmlinux/ARCH/vmlinux.h (bpf/arch.bpf.h holds what differs).
HOST_ARCH := $(shell uname -m)
ARCH ?= $(HOST_ARCH)
BPF_ARCH := $(subst x86_64,x86,$(subst aarch64,arm64,$(ARCH)))
VMLINUX_DIR := vmlinux/$(ARCH)

CLANG ?= clang
BPFTOOL ?= bpftool

ifeq ($(ARCH),$(HOST_ARCH))
BUILD := build
FT := famtrace
else
BUILD := build/$(ARCH)
FT := $(BUILD)/famtrace
ifeq ($(origin CC),default)
CC := $(ARCH)-linux-gnu-gcc
endif
endif
# The version lives in VERSION; a build from a git checkout adds its description.
VERSION := $(shell cat VERSION)
GIT_DESC := $(shell git describe --always --dirty 2>/dev/null)
PREFIX ?= /usr/local
DESTDIR ?=
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Iuser -Ibpf -I$(BUILD)
VERSION_FLAGS := -DFAMTRACE_VERSION='"$(VERSION)"' -DFAMTRACE_GIT='"$(GIT_DESC)"' 
LDLIBS_BPF := -lbpf -lelf -lz -lresolv
BPF_CFLAGS := -target bpf -g -O2 -Wall -Werror -D__TARGET_ARCH_$(BPF_ARCH) -I$(VMLINUX_DIR) -Ibpf

# user/ has one folder per layer (docs/ARCHITECTURE.md says which may use
# which; tests/layers.sh holds it). File names are unique across folders, so
# objects keep flat names and make finds each source through vpath.
LAYERS := lib kernel records core mta maillog report check cmd
vpath %.c $(addprefix user/,$(LAYERS))
USER_HDRS := $(wildcard user/*/*.h)
# The correlator and reporters know nothing of libbpf; only kernel/ does.
CORE_NAMES := source jsonflat model labels procs where cgpath groups lookups srcaddrs lookup_order addrorder addrclass rdns addr_notes \
	mx_fates egress fold correlate report_group report_text report_json report_messages report_refusal report_place maillog maillog_line maillog_postfix \
	maillog_exim maillog_sendmail maillog_opensmtpd maillog_fields maillog_read runtime_log dnsbudget journal journal_read \
	messages smtp_reply fmt wrapout jprintf decode dns wire race recording_write recording_read zeroruns replay container_logs runtimes procfs metrics
TOOL_NAMES := main errline cli cli_table cli_help live libc runcmd mta_postfix mta_exim mta_sendmail mta_opensmtpd \
	loader cgroup places prober check_expect check delivery identity privs confine $(CORE_NAMES)
CORE_OBJS := $(patsubst %,$(BUILD)/%.o,$(CORE_NAMES))
TOOL_OBJS := $(patsubst %,$(BUILD)/%.o,$(TOOL_NAMES))

TEST_CLIENTS := $(patsubst tests/clients/%.c,$(BUILD)/tests/%,$(wildcard tests/clients/*.c))

# famtrace-static is a file target, built on demand (make famtrace-static).
.PHONY: all clean test test-unit test-kernels vmlinux tools guest-tools demo bench bench-relay bench-tools sanitize fuzz \
	install uninstall
all: $(FT)

$(BUILD)/tests:
	mkdir -p $(BUILD) $(BUILD)/tests

$(BUILD)/famtrace.bpf.o: bpf/famtrace.bpf.c bpf/arch.bpf.h bpf/route.bpf.c bpf/resolver.bpf.c bpf/source.bpf.c bpf/dns.bpf.c bpf/famtrace.h $(VMLINUX_DIR)/vmlinux.h | $(BUILD)/tests
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/famtrace.skel.h: $(BUILD)/famtrace.bpf.o
	$(BPFTOOL) gen skeleton $< name famtrace_bpf > $@

$(BUILD)/loader.o: $(BUILD)/famtrace.skel.h

# --version: rebuilt when VERSION changes.
$(BUILD)/cli.o: user/cmd/cli.c VERSION $(USER_HDRS) bpf/famtrace.h | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $(VERSION_FLAGS) -c $< -o $@

$(BUILD)/%.o: %.c $(USER_HDRS) bpf/famtrace.h | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(FT): $(TOOL_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS_BPF)

# The same, linked statically (libbpf, libelf, zlib, glibc): a binary to copy
# to a relay that has no libbpf of its own. It reads /etc/passwd and
# /etc/services as files, so it needs none of glibc's NSS modules either.
$(FT)-static: $(TOOL_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -static $^ -o $@ $(LDLIBS_BPF)

$(BUILD)/tests/unit: tests/unit/test_correlate.c $(CORE_OBJS) | $(BUILD)/tests
	$(CC) $(CFLAGS) $^ -o $@ -lresolv -lz

# One unit-test program per folder of user/ (core: test_correlate, test_wire,
# test_addresses), each linked with the same objects.
UNIT_FOLDERS := records report lib check maillog
FORMAT_OBJS := $(CORE_OBJS) $(BUILD)/check_expect.o $(BUILD)/check.o $(BUILD)/delivery.o $(BUILD)/identity.o $(BUILD)/runcmd.o $(BUILD)/mta_postfix.o $(BUILD)/mta_exim.o $(BUILD)/mta_sendmail.o $(BUILD)/mta_opensmtpd.o
$(BUILD)/tests/unit_%: tests/unit/test_%.c $(FORMAT_OBJS) | $(BUILD)/tests
	$(CC) $(CFLAGS) $^ -o $@ -lresolv -lz

$(BUILD)/tests/unit_addresses: tests/unit/test_addresses.c $(CORE_OBJS) | $(BUILD)/tests
	$(CC) $(CFLAGS) $^ -o $@ -lresolv -lz

$(BUILD)/tests/unit_wire: tests/unit/test_wire.c $(CORE_OBJS) | $(BUILD)/tests
	$(CC) $(CFLAGS) $^ -o $@ -lresolv -lz

$(BUILD)/tests/uring: tests/clients/uring.c tests/clients/addr.h | $(BUILD)/tests
	$(CC) $(CFLAGS) $< -o $@ -luring

$(BUILD)/tests/aresconnect: tests/clients/aresconnect.c tests/clients/connect_wait.h | $(BUILD)/tests
	$(CC) $(CFLAGS) $< -o $@ -lcares

$(BUILD)/tests/%: tests/clients/%.c tests/clients/addr.h tests/clients/connect_wait.h | $(BUILD)/tests
	$(CC) $(CFLAGS) $< -o $@ -lpthread -lresolv

# The same client with musl, static: no glibc, no shared library, so no
# resolver probe of famtrace's can see its lookups (musl-tools).
$(BUILD)/tests/gaiconnect-musl: tests/clients/gaiconnect.c tests/clients/connect_wait.h | $(BUILD)/tests
	musl-gcc -static -O2 -Wall -Werror $< -o $@
# ... and dynamically linked: musl's libc.so, a C library no process maps
# when famtrace starts, probed when this one appears.
$(BUILD)/tests/gaiconnect-musldyn: tests/clients/gaiconnect.c tests/clients/connect_wait.h | $(BUILD)/tests
	musl-gcc -O2 -Wall -Werror $< -o $@

# The same core, built with clang's AddressSanitizer and UndefinedBehavior-
# Sanitizer: the unit tests again, and libFuzzer targets for the recording
# reader and the DNS parser (tests/fuzz). tests/run runs both.
SAN := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
SAN_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Iuser -Ibpf $(SAN)
SAN_OBJS := $(patsubst %,$(BUILD)/san/%.o,$(CORE_NAMES))
FUZZERS := $(BUILD)/fuzz/fuzz_recording $(BUILD)/fuzz/fuzz_dns $(BUILD)/fuzz/fuzz_maillog

$(BUILD)/san $(BUILD)/fuzz:
	mkdir -p $@

$(BUILD)/san/%.o: %.c $(USER_HDRS) bpf/famtrace.h | $(BUILD)/san
	$(CLANG) $(SAN_CFLAGS) -c $< -o $@

$(BUILD)/san/unit: tests/unit/test_correlate.c $(SAN_OBJS) | $(BUILD)/san
	$(CLANG) $(SAN_CFLAGS) $^ -o $@ -lresolv -lz

SAN_FORMAT_OBJS := $(SAN_OBJS) $(BUILD)/san/check_expect.o $(BUILD)/san/check.o $(BUILD)/san/delivery.o $(BUILD)/san/identity.o \
	$(BUILD)/san/runcmd.o $(BUILD)/san/procfs.o $(BUILD)/san/mta_postfix.o $(BUILD)/san/mta_exim.o \
	$(BUILD)/san/mta_sendmail.o $(BUILD)/san/mta_opensmtpd.o
$(BUILD)/san/unit_%: tests/unit/test_%.c $(SAN_FORMAT_OBJS) | $(BUILD)/san
	$(CLANG) $(SAN_CFLAGS) $^ -o $@ -lresolv -lz

$(BUILD)/san/unit_addresses: tests/unit/test_addresses.c $(SAN_OBJS) | $(BUILD)/san
	$(CLANG) $(SAN_CFLAGS) $^ -o $@ -lresolv -lz

$(BUILD)/san/unit_wire: tests/unit/test_wire.c $(SAN_OBJS) | $(BUILD)/san
	$(CLANG) $(SAN_CFLAGS) $^ -o $@ -lresolv -lz

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(SAN_OBJS) | $(BUILD)/fuzz
	$(CLANG) $(SAN_CFLAGS) -fsanitize=fuzzer $^ -o $@ -lresolv -lz

sanitize: $(BUILD)/san/unit $(patsubst %,$(BUILD)/san/unit_%,$(UNIT_FOLDERS)) $(BUILD)/san/unit_addresses $(BUILD)/san/unit_wire $(FUZZERS)

# make fuzz FUZZ_SECONDS=600: a longer run than the test suite's.
FUZZ_SECONDS ?= 60
fuzz: $(FUZZERS)
	tests/fuzz/run $(FUZZ_SECONDS)

tools: $(TEST_CLIENTS) $(BUILD)/tests/gaiconnect-musl $(BUILD)/tests/gaiconnect-musldyn $(BUILD)/tests/unit $(patsubst %,$(BUILD)/tests/unit_%,$(UNIT_FOLDERS)) $(BUILD)/tests/unit_addresses $(BUILD)/tests/unit_wire $(BUILD)/bench/connstorm $(BUILD)/bench/dnsstorm $(BUILD)/bench/floor sanitize

test: famtrace tools
	$(MAKE) ARCH=aarch64 guest-tools
	tests/run

# What the qemu guests run (scripts/test-kernels): famtrace and the C test
# clients they need; `make ARCH=aarch64 guest-tools` for the arm64 guests.
GUEST_CLIENTS := connector listener resolver baddns dnsrace
guest-tools: $(FT) $(patsubst %,$(BUILD)/tests/%,$(GUEST_CLIENTS))

# Only the qemu part: Debian 12's stock kernels, the kernel tests inside,
# amd64 and arm64 guests.
test-kernels: famtrace tools
	$(MAKE) ARCH=aarch64 guest-tools
	scripts/test-kernels

# Benchmarks (bench/run): workloads, the empty-program floor, peers.
$(BUILD)/bench:
	mkdir -p $@

$(BUILD)/bench/floor.bpf.o: bench/floor.bpf.c $(VMLINUX_DIR)/vmlinux.h | $(BUILD)/bench
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench/floor.skel.h: $(BUILD)/bench/floor.bpf.o
	$(BPFTOOL) gen skeleton $< name floor_bpf > $@

$(BUILD)/bench/floor: bench/floor.c user/kernel/cgroup.c $(BUILD)/bench/floor.skel.h
	$(CC) $(CFLAGS) -I$(BUILD)/bench -Iuser bench/floor.c user/kernel/cgroup.c -o $@ $(LDLIBS_BPF)

$(BUILD)/bench/connstorm: bench/connstorm.c | $(BUILD)/bench
	$(CC) $(CFLAGS) $< -o $@ -luring

$(BUILD)/bench/resstorm: bench/resstorm.c | $(BUILD)/bench
	$(CC) $(CFLAGS) $< -o $@ -lresolv

$(BUILD)/bench/%: bench/%.c | $(BUILD)/bench
	$(CC) $(CFLAGS) $< -o $@

bench-tools: famtrace $(BUILD)/bench/floor $(BUILD)/bench/connstorm $(BUILD)/bench/gaistorm $(BUILD)/bench/dnsstorm $(BUILD)/bench/bulk $(BUILD)/bench/syscalls $(BUILD)/bench/resstorm tools

# bench/run: connect and resolver storms; bench/relay: a Postfix relay's
# throughput per delivered message; bench/replay: famtrace's user-space CPU
# on the relay's recording. bench-relay runs the relay alone.
bench: bench-tools
	scripts/install-deps --bench
	bench/run
	bench/relay
	bench/replay

bench-relay: bench-tools
	scripts/install-deps --bench
	bench/relay

# The broken-IPv6 relay incident with real Postfix, explained (as root).
demo:
	scripts/demo

test-unit: $(BUILD)/tests/unit $(patsubst %,$(BUILD)/tests/unit_%,$(UNIT_FOLDERS)) $(BUILD)/tests/unit_addresses $(BUILD)/tests/unit_wire
	set -e; for u in unit unit_wire unit_addresses $(patsubst %,unit_%,$(UNIT_FOLDERS)); do $(BUILD)/tests/$$u; done

vmlinux:
	mkdir -p $(VMLINUX_DIR)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $(VMLINUX_DIR)/vmlinux.h

clean:
	rm -rf $(BUILD) famtrace famtrace-static

# make install [PREFIX=/usr/local] [DESTDIR=]: the binary, famtrace(8), the systemd unit
# (ExecStart pointing at the installed binary; installed, not enabled) and
# the Prometheus rules with their tests. make uninstall removes them.
UNIT_DIR = $(PREFIX)/lib/systemd/system
install: $(FT)
	install -D -m 0755 $(FT) $(DESTDIR)$(PREFIX)/sbin/famtrace
	install -d $(DESTDIR)$(UNIT_DIR)
	sed 's#/usr/local/sbin/famtrace#$(PREFIX)/sbin/famtrace#g' scripts/famtrace.service \
		>$(DESTDIR)$(UNIT_DIR)/famtrace.service
	chmod 0644 $(DESTDIR)$(UNIT_DIR)/famtrace.service
	install -d $(DESTDIR)$(PREFIX)/share/man/man8
	sed 's/@VERSION@/$(shell cat VERSION)/' man/famtrace.8 >$(DESTDIR)$(PREFIX)/share/man/man8/famtrace.8
	chmod 0644 $(DESTDIR)$(PREFIX)/share/man/man8/famtrace.8
	install -D -m 0644 completion/famtrace.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/famtrace
	install -D -m 0644 completion/_famtrace $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/_famtrace
	install -D -m 0644 alerts/famtrace.rules.yml $(DESTDIR)$(PREFIX)/share/famtrace/famtrace.rules.yml
	install -D -m 0644 alerts/famtrace.rules.test.yml \
		$(DESTDIR)$(PREFIX)/share/famtrace/famtrace.rules.test.yml
	install -d $(DESTDIR)$(PREFIX)/share/doc/famtrace/docs
	install -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/famtrace/README.md
	install -m 0644 docs/*.md $(DESTDIR)$(PREFIX)/share/doc/famtrace/docs/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/sbin/famtrace $(DESTDIR)$(UNIT_DIR)/famtrace.service \
		$(DESTDIR)$(PREFIX)/share/man/man8/famtrace.8 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/famtrace \
		$(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/_famtrace \
		$(DESTDIR)$(PREFIX)/share/famtrace/famtrace.rules.yml \
		$(DESTDIR)$(PREFIX)/share/famtrace/famtrace.rules.test.yml
	rm -rf $(DESTDIR)$(PREFIX)/share/doc/famtrace
	-rmdir $(DESTDIR)$(PREFIX)/share/famtrace 2>/dev/null
