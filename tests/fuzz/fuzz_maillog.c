// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * fuzz_maillog.c - libFuzzer target: arbitrary bytes as the MTA's log,
 * line by line, through the Postfix and Exim parsers (a log holds text
 * others chose: addresses, server replies), and each line as an entry of
 * `journalctl -o json` (--journal) and as a line of a container runtime's
 * log (docker json-file, CRI: --container-logs). Lines cut anywhere, lines without their
 * newline, and many messages (the bound on kept messages).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "maillog/journal.h"
#include "maillog/maillog.h"
#include "maillog/runtime_log.h"

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
		char inner[4096];
		int64_t ns;

		mlog_line(&m, line);
		if (journal_entry_parse(line, &e))
			mlog_entry(&m, e.ns, e.ident, e.pid, e.text);
		for (int f = RLOG_DOCKER_JSON; f <= RLOG_CRI; f++)
			if (rlog_unwrap(&m, (enum rlog_format)f, line, inner, sizeof(inner), &ns) == RLOG_OK) {
				mlog_set_scope(&m, "502f11796fb0120ba5aa60bf4c9fd52aff4eab1d2892e0dc50e33f2a5417f698");
				mlog_line_at(&m, inner, ns);
				mlog_set_scope(&m, NULL);
			}
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
