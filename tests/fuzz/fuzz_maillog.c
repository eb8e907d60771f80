// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * fuzz_maillog.c - libFuzzer target: arbitrary bytes as the MTA's log,
 * line by line, through the Postfix and Exim parsers (a log holds text
 * others chose: addresses, server replies), and each line as an entry of
 * `journalctl -o json` (--journal). Lines cut anywhere, lines without their
 * newline, and many messages (the bound on kept messages).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "maillog/journal.h"
#include "maillog/maillog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlog m;
	char *text = malloc(size + 1), *line, *save = NULL;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	mlog_init(&m, 1794960000);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct journal_entry e;

		mlog_line(&m, line);
		if (journal_entry_parse(line, &e))
			mlog_entry(&m, e.ns, e.ident, e.pid, e.text);
	}
	for (size_t i = 0; i < m.n; i++) {
		mlog_find(&m, m.msgs[i]->qid);
		mlog_find(&m, m.msgs[i]->notice_of);
		for (unsigned k = 0; k < m.msgs[i]->n_d; k++)
			(void)mlog_domain(m.msgs[i]->d[k].to);
	}
	mlog_free(&m);
	free(text);
	return 0;
}
