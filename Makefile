# famtrace build. `make` builds ./famtrace; `make test` runs every test (as root).
# BPF objects are built with clang -target bpf against the committed vmlinux.h
# (CO-RE), so a build host needs no BTF of its own; `make vmlinux` refreshes it.

ARCH ?= $(shell uname -m)
BPF_ARCH := $(subst x86_64,x86,$(subst aarch64,arm64,$(ARCH)))
VMLINUX_DIR := vmlinux/$(ARCH)

CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= cc

BUILD := build
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

# The correlator and reporters know nothing of libbpf; only the loader does.
CORE_SRCS := user/source.c user/labels.c user/procs.c user/groups.c user/lookups.c user/srcaddrs.c user/lookup_order.c user/addrorder.c user/addrclass.c user/addr_notes.c user/mx_fates.c user/fold.c user/correlate.c user/report_text.c user/report_json.c user/report_messages.c user/maillog.c user/maillog_postfix.c user/maillog_exim.c user/maillog_sendmail.c user/maillog_fields.c user/maillog_read.c user/dnsbudget.c user/journal.c user/journal_read.c user/messages.c user/fmt.c user/jprintf.c user/decode.c user/dns.c user/wire.c user/race.c \
	user/recording_write.c user/recording_read.c user/zeroruns.c user/replay.c user/metrics.c
TOOL_SRCS := user/main.c user/errline.c user/cli.c user/cli_table.c user/cli_help.c user/live.c user/libc.c user/runcmd.c user/mta_postfix.c user/mta_exim.c user/mta_sendmail.c user/loader.c user/cgroup.c user/procfs.c user/check.c user/delivery.c user/privs.c user/confine.c $(CORE_SRCS)
CORE_OBJS := $(patsubst user/%.c,$(BUILD)/%.o,$(CORE_SRCS))
TOOL_OBJS := $(patsubst user/%.c,$(BUILD)/%.o,$(TOOL_SRCS))

TEST_CLIENTS := $(patsubst tests/clients/%.c,$(BUILD)/tests/%,$(wildcard tests/clients/*.c))

.PHONY: all clean test test-unit test-kernels vmlinux tools demo bench bench-relay bench-tools sanitize fuzz \
	install uninstall
all: famtrace

$(BUILD):
	mkdir -p $(BUILD) $(BUILD)/tests

$(BUILD)/famtrace.bpf.o: bpf/famtrace.bpf.c bpf/arch.bpf.h bpf/route.bpf.c bpf/resolver.bpf.c bpf/source.bpf.c bpf/dns.bpf.c bpf/famtrace.h $(VMLINUX_DIR)/vmlinux.h | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/famtrace.skel.h: $(BUILD)/famtrace.bpf.o
	$(BPFTOOL) gen skeleton $< name famtrace_bpf > $@

$(BUILD)/loader.o: $(BUILD)/famtrace.skel.h

# --version: rebuilt when VERSION changes.
$(BUILD)/cli.o: user/cli.c VERSION $(wildcard user/*.h) bpf/famtrace.h | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(VERSION_FLAGS) -c $< -o $@

$(BUILD)/%.o: user/%.c $(wildcard user/*.h) bpf/famtrace.h | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

famtrace: $(TOOL_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS_BPF)

$(BUILD)/tests/unit: tests/unit/test_correlate.c $(CORE_OBJS) | $(BUILD)
	$(CC) $(CFLAGS) $^ -o $@ -lresolv -lz

# Parsers and formats: recordings, DNS, times, check's parsers, escaping.
FORMAT_OBJS := $(CORE_OBJS) $(BUILD)/check.o $(BUILD)/delivery.o $(BUILD)/runcmd.o $(BUILD)/procfs.o $(BUILD)/mta_postfix.o $(BUILD)/mta_exim.o $(BUILD)/mta_sendmail.o
$(BUILD)/tests/unit_formats: tests/unit/test_formats.c $(FORMAT_OBJS) | $(BUILD)
	$(CC) $(CFLAGS) $^ -o $@ -lresolv -lz

$(BUILD)/tests/unit_addresses: tests/unit/test_addresses.c $(CORE_OBJS) | $(BUILD)
	$(CC) $(CFLAGS) $^ -o $@ -lresolv -lz

$(BUILD)/tests/unit_wire: tests/unit/test_wire.c $(CORE_OBJS) | $(BUILD)
	$(CC) $(CFLAGS) $^ -o $@ -lresolv -lz

$(BUILD)/tests/uring: tests/clients/uring.c tests/clients/addr.h | $(BUILD)
	$(CC) $(CFLAGS) $< -o $@ -luring

$(BUILD)/tests/aresconnect: tests/clients/aresconnect.c tests/clients/connect_wait.h | $(BUILD)
	$(CC) $(CFLAGS) $< -o $@ -lcares

$(BUILD)/tests/%: tests/clients/%.c tests/clients/addr.h tests/clients/connect_wait.h | $(BUILD)
	$(CC) $(CFLAGS) $< -o $@ -lpthread -lresolv

# The same client with musl, static: no glibc, no shared library, so no
# resolver probe of famtrace's can see its lookups (musl-tools).
$(BUILD)/tests/gaiconnect-musl: tests/clients/gaiconnect.c tests/clients/connect_wait.h | $(BUILD)
	musl-gcc -static -O2 -Wall -Werror $< -o $@

# The same core, built with clang's AddressSanitizer and UndefinedBehavior-
# Sanitizer: the unit tests again, and libFuzzer targets for the recording
# reader and the DNS parser (tests/fuzz). tests/run runs both.
SAN := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
SAN_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Iuser -Ibpf $(SAN)
SAN_OBJS := $(patsubst user/%.c,$(BUILD)/san/%.o,$(CORE_SRCS))
FUZZERS := $(BUILD)/fuzz/fuzz_recording $(BUILD)/fuzz/fuzz_dns $(BUILD)/fuzz/fuzz_maillog

$(BUILD)/san $(BUILD)/fuzz:
	mkdir -p $@

$(BUILD)/san/%.o: user/%.c $(wildcard user/*.h) bpf/famtrace.h | $(BUILD)/san
	$(CLANG) $(SAN_CFLAGS) -c $< -o $@

$(BUILD)/san/unit: tests/unit/test_correlate.c $(SAN_OBJS) | $(BUILD)/san
	$(CLANG) $(SAN_CFLAGS) $^ -o $@ -lresolv -lz

$(BUILD)/san/unit_formats: tests/unit/test_formats.c $(SAN_OBJS) $(BUILD)/san/check.o \
		$(BUILD)/san/delivery.o $(BUILD)/san/runcmd.o $(BUILD)/san/procfs.o $(BUILD)/san/mta_postfix.o $(BUILD)/san/mta_exim.o $(BUILD)/san/mta_sendmail.o | $(BUILD)/san
	$(CLANG) $(SAN_CFLAGS) $^ -o $@ -lresolv -lz

$(BUILD)/san/unit_addresses: tests/unit/test_addresses.c $(SAN_OBJS) | $(BUILD)/san
	$(CLANG) $(SAN_CFLAGS) $^ -o $@ -lresolv -lz

$(BUILD)/san/unit_wire: tests/unit/test_wire.c $(SAN_OBJS) | $(BUILD)/san
	$(CLANG) $(SAN_CFLAGS) $^ -o $@ -lresolv -lz

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(SAN_OBJS) | $(BUILD)/fuzz
	$(CLANG) $(SAN_CFLAGS) -fsanitize=fuzzer $^ -o $@ -lresolv -lz

sanitize: $(BUILD)/san/unit $(BUILD)/san/unit_formats $(BUILD)/san/unit_addresses $(BUILD)/san/unit_wire $(FUZZERS)

# make fuzz FUZZ_SECONDS=600: a longer run than the test suite's.
FUZZ_SECONDS ?= 60
fuzz: $(FUZZERS)
	tests/fuzz/run $(FUZZ_SECONDS)

tools: $(TEST_CLIENTS) $(BUILD)/tests/gaiconnect-musl $(BUILD)/tests/unit $(BUILD)/tests/unit_formats $(BUILD)/tests/unit_addresses $(BUILD)/tests/unit_wire $(BUILD)/bench/connstorm $(BUILD)/bench/dnsstorm $(BUILD)/bench/floor sanitize

test: famtrace tools
	tests/run

# Only the qemu part: Debian 12's stock kernel, the kernel tests inside.
test-kernels: famtrace tools
	scripts/test-kernels

# Benchmarks (bench/run): workloads, the empty-program floor, peers.
$(BUILD)/bench:
	mkdir -p $@

$(BUILD)/bench/floor.bpf.o: bench/floor.bpf.c $(VMLINUX_DIR)/vmlinux.h | $(BUILD)/bench
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench/floor.skel.h: $(BUILD)/bench/floor.bpf.o
	$(BPFTOOL) gen skeleton $< name floor_bpf > $@

$(BUILD)/bench/floor: bench/floor.c user/cgroup.c $(BUILD)/bench/floor.skel.h
	$(CC) $(CFLAGS) -I$(BUILD)/bench -Iuser bench/floor.c user/cgroup.c -o $@ $(LDLIBS_BPF)

$(BUILD)/bench/connstorm: bench/connstorm.c | $(BUILD)/bench
	$(CC) $(CFLAGS) $< -o $@ -luring

$(BUILD)/bench/%: bench/%.c | $(BUILD)/bench
	$(CC) $(CFLAGS) $< -o $@

bench-tools: famtrace $(BUILD)/bench/floor $(BUILD)/bench/connstorm $(BUILD)/bench/gaistorm $(BUILD)/bench/dnsstorm $(BUILD)/bench/bulk $(BUILD)/bench/syscalls tools

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

test-unit: $(BUILD)/tests/unit $(BUILD)/tests/unit_formats $(BUILD)/tests/unit_addresses $(BUILD)/tests/unit_wire
	$(BUILD)/tests/unit && $(BUILD)/tests/unit_formats && $(BUILD)/tests/unit_addresses && $(BUILD)/tests/unit_wire

vmlinux:
	mkdir -p $(VMLINUX_DIR)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $(VMLINUX_DIR)/vmlinux.h

clean:
	rm -rf $(BUILD) famtrace

# make install [PREFIX=/usr/local] [DESTDIR=]: the binary, famtrace(8), the systemd unit
# (ExecStart pointing at the installed binary; installed, not enabled) and
# the Prometheus rules with their tests. make uninstall removes them.
UNIT_DIR = $(PREFIX)/lib/systemd/system
install: famtrace
	install -D -m 0755 famtrace $(DESTDIR)$(PREFIX)/sbin/famtrace
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
