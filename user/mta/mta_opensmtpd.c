// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * mta_opensmtpd.c - reading an OpenSMTPD instance (mta_opensmtpd.h) from its
 * smtpd.conf. OpenSMTPD has no family setting and no configuration dump:
 * which families it delivers over follows from its relay actions' `src`
 * (the source addresses it may bind; with IPv4 ones only, no IPv6 route is
 * usable) and `host` (a smarthost). So the file is read by smtpd.conf's own
 * grammar as far as those need: statements, "quoted" words, $macros, and
 * tables given inline ({ a, b }) or as files (file:PATH, one entry per
 * line). Reads files and /proc and runs `smtpd -n`; never judges.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/procfs.h"
#include "lib/runcmd.h"
#include "mta/mta_opensmtpd.h"

#define MAX_WORDS 4096
#define MAX_MACROS 64
#define CONF_MAX (1 << 20)

struct words {
	char *w[MAX_WORDS];
	unsigned n;
};

static void put(struct opensmtpd_conf *oc, const char *name, const char *value)
{
	if (oc->n_set == OPENSMTPD_MAX_SETTINGS)
		return;
	snprintf(oc->set[oc->n_set].name, sizeof(oc->set[0].name), "%s", name);
	snprintf(oc->set[oc->n_set].value, sizeof(oc->set[0].value), "%.255s", value);
	oc->n_set++;
}

/* The file's words, copied into store (2 * strlen(s) + 2 bytes): comments
 * gone, "quoted" words whole, braces, commas and '=' words of their own, and
 * a newline a word ("\n") ending a statement unless escaped or inside
 * braces. */
static void split(const char *s, char *store, struct words *out)
{
	int depth = 0;

	out->n = 0;
	while (*s && out->n < MAX_WORDS - 1) {
		size_t n;

		if (*s == '#') {
			s += strcspn(s, "\n");
			continue;
		}
		if (*s == '\\' && s[1] == '\n') {
			s += 2;
			continue;
		}
		if (*s == '\n') {
			if (!depth && out->n && strcmp(out->w[out->n - 1], "\n"))
				out->w[out->n++] = "\n";
			s++;
			continue;
		}
		if (isspace((unsigned char)*s)) {
			s++;
			continue;
		}
		if (strchr("{},=", *s)) {
			depth += *s == '{' ? 1 : *s == '}' && depth ? -1 : 0;
			n = 1;
		} else if (*s == '"') {
			const char *e = strchr(s + 1, '"');

			if (!e)
				return; /* an open quote: smtpd -n says so */
			s++;
			n = (size_t)(e - s);
			memcpy(store, s, n);
			store[n] = 0;
			out->w[out->n++] = store;
			store += n + 1;
			s = e + 1;
			continue;
		} else {
			n = strcspn(s, " \t\r\n{},=\"#");
		}
		memcpy(store, s, n);
		store[n] = 0;
		out->w[out->n++] = store;
		store += n + 1;
		s += n;
	}
}

static unsigned addr_family_bits(const char *a)
{
	unsigned char b[16];
	char buf[64];
	size_t n = strlen(a);

	if (*a == '[' && n > 2 && a[n - 1] == ']') {
		snprintf(buf, sizeof(buf), "%.*s", (int)(n - 2), a + 1);
		a = buf;
	}
	if (inet_pton(AF_INET, a, b) == 1)
		return 1u << 0;
	if (inet_pton(AF_INET6, a, b) == 1)
		return 1u << 1;
	return 0;
}

/* A file table's entries: the first word of each line. ~0u when the
 * table cannot be read (a db: table, a missing file). */
static unsigned file_table_families(const char *path)
{
	char line[512];
	unsigned fams = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return ~0u;
	while (fgets(line, sizeof(line), f)) {
		char *w = line + strspn(line, " \t");

		w[strcspn(w, " \t\r\n#")] = 0;
		fams |= addr_family_bits(w);
	}
	fclose(f);
	return fams;
}

/* The families table name's entries hold: ~0u when unknown. */
static unsigned table_families(const struct words *ws, const char *name, char *desc, size_t dlen)
{
	for (unsigned i = 0; i + 2 < ws->n; i++) {
		if (strcmp(ws->w[i], "table") || (i && strcmp(ws->w[i - 1], "\n")) || strcmp(ws->w[i + 1], name))
			continue;
		if (!strcmp(ws->w[i + 2], "{")) {
			unsigned fams = 0;
			size_t off = 0;

			for (unsigned k = i + 3; k < ws->n && strcmp(ws->w[k], "}"); k++) {
				if (!strcmp(ws->w[k], ",") || !strcmp(ws->w[k], "\n"))
					continue;
				fams |= addr_family_bits(ws->w[k]);
				if (off < dlen)
					off += (size_t)snprintf(desc + off, dlen - off, "%s%s", off ? ", " : "", ws->w[k]);
			}
			return fams;
		}
		if (!strncmp(ws->w[i + 2], "file:", 5) || ws->w[i + 2][0] == '/') {
			const char *path = ws->w[i + 2] + (ws->w[i + 2][0] == '/' ? 0 : 5);

			snprintf(desc, dlen, "%s", path);
			return file_table_families(path);
		}
		snprintf(desc, dlen, "%s", ws->w[i + 2]);
		return ~0u; /* db:, or a table backend of its own */
	}
	snprintf(desc, dlen, "no such table");
	return ~0u;
}

/* $name macros replaced by their values (defined by "name = value" lines
 * before their use, as smtpd.conf wants them). */
static void expand_macros(struct words *ws)
{
	const char *name[MAX_MACROS], *val[MAX_MACROS];
	unsigned n = 0;

	for (unsigned i = 0; i < ws->n; i++) {
		if (ws->w[i][0] == '$') {
			for (unsigned k = n; k-- > 0;)
				if (!strcmp(name[k], ws->w[i] + 1)) {
					ws->w[i] = (char *)val[k];
					break;
				}
			continue;
		}
		if ((!i || !strcmp(ws->w[i - 1], "\n")) && i + 2 < ws->n && !strcmp(ws->w[i + 1], "=") &&
		    n < MAX_MACROS) {
			name[n] = ws->w[i];
			val[n++] = ws->w[i + 2];
		}
	}
}

static void relay_action(struct opensmtpd_conf *oc, const struct words *ws, unsigned i)
{
	char value[256], desc[160];
	size_t off = 0;
	unsigned fams = 1u << 0 | 1u << 1;
	const char *name = ws->w[i + 1];

	oc->n_relay++;
	for (unsigned k = i + 2; k < ws->n && strcmp(ws->w[k], "\n"); k++) {
		if (off < sizeof(value))
			off += (size_t)snprintf(value + off, sizeof(value) - off, "%s%s", off ? " " : "", ws->w[k]);
		if (!strcmp(ws->w[k], "host") && k + 1 < ws->n)
			oc->via_host = true;
		if (!strcmp(ws->w[k], "src") && k + 1 < ws->n) {
			const char *s = ws->w[k + 1];
			size_t n = strlen(s);
			unsigned f;

			if (s[0] == '<' && n > 2 && s[n - 1] == '>') {
				char t[128];

				snprintf(t, sizeof(t), "%.*s", (int)(n - 2), s + 1);
				f = table_families(ws, t, desc, sizeof(desc));
				if (off < sizeof(value))
					off += (size_t)snprintf(value + off, sizeof(value) - off, " %s (%s)", s, desc);
				k++;
			} else {
				f = addr_family_bits(s);
			}
			if (f != ~0u && f)
				fams = f;
		}
	}
	if (off == 0)
		snprintf(value, sizeof(value), "relay");
	oc->families |= fams;
	{
		char nm[48];

		snprintf(nm, sizeof(nm), "action \"%.32s\"", name);
		put(oc, nm, value);
	}
}

static bool is_opensmtpd_daemon(pid_t pid, const char *conf_real)
{
	char comm[32], exe[PATH_MAX], cmd[4096], real[PATH_MAX];
	const char *f = NULL;
	pid_t pp = proc_ppid(pid);
	size_t n, at;
	ssize_t el;
	char link[64];

	if (!proc_comm(pid, comm, sizeof(comm)) || strcmp(comm, "smtpd"))
		return false;
	if (pp > 0 && proc_comm(pp, comm, sizeof(comm)) && (!strcmp(comm, "smtpd") || !strcmp(comm, "master")))
		return false; /* OpenSMTPD's own children, or Postfix's smtpd */
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	el = readlink(link, exe, sizeof(exe) - 1);
	if (el > 0) {
		exe[el] = 0;
		if (strstr(exe, "/postfix/"))
			return false;
	}
	n = proc_cmdline(pid, cmd, sizeof(cmd));
	for (at = 0; at < n; at += strlen(cmd + at) + 1)
		if (!strcmp(cmd + at, "-f") && at + 3 < n)
			f = cmd + at + 3;
		else if (!strncmp(cmd + at, "-f", 2) && cmd[at + 2])
			f = cmd + at + 2;
	if (!f)
		f = OPENSMTPD_CONF;
	if (!realpath(f, real))
		snprintf(real, sizeof(real), "%s", f);
	return !strcmp(real, conf_real);
}

int opensmtpd_read(const char *conf, struct opensmtpd_conf *oc, char *err, size_t errlen)
{
	struct words ws;
	char *text, *store, real[PATH_MAX];
	size_t len;
	FILE *f;

	memset(oc, 0, sizeof(*oc));
	oc->smtpd_n = -1;
	if (!conf)
		conf = OPENSMTPD_CONF;
	f = fopen(conf, "re");
	if (!f) {
		snprintf(err, errlen, "cannot read %s: %s", conf, strerror(errno));
		return -1;
	}
	text = malloc(CONF_MAX + 2);
	store = malloc(2 * CONF_MAX + 4);
	if (!text || !store) {
		free(text);
		free(store);
		fclose(f);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	len = fread(text, 1, CONF_MAX, f);
	fclose(f);
	text[len] = '\n';
	text[len + 1] = 0;
	split(text, store, &ws);
	expand_macros(&ws);
	for (unsigned i = 0; i + 2 < ws.n; i++)
		if (!strcmp(ws.w[i], "action") && (!i || !strcmp(ws.w[i - 1], "\n")) && !strcmp(ws.w[i + 2], "relay"))
			relay_action(oc, &ws, i);
	free(text);
	free(store);
	if (!oc->n_relay && !oc->n_set) {
		/* No relay action: nothing leaves this instance by SMTP. */
		put(oc, "relay actions", "none");
	}
	/* Its own parser's word on the file, when smtpd is here. */
	{
		char *argv[] = { "smtpd", "-n", "-f", (char *)conf, NULL };
		int rc = run_lines(argv, NULL, NULL);

		oc->smtpd_n = rc == 127 ? -1 : rc;
		if (oc->smtpd_n > 0) {
			snprintf(err, errlen, "smtpd -n -f %s: the configuration has errors (exit %d)", conf, rc);
			return -1;
		}
	}
	if (!realpath(conf, real))
		snprintf(real, sizeof(real), "%s", conf);
	{
		const char *names[] = { "smtpd" };
		pid_t pids[256];
		size_t n = proc_by_comm(names, 1, pids, 256);

		for (size_t i = 0; i < n && !oc->daemon; i++)
			if (is_opensmtpd_daemon(pids[i], real))
				oc->daemon = pids[i];
	}
	return 0;
}
