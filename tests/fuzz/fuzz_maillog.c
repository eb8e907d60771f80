/*
 * fuzz_maillog.c - libFuzzer target: arbitrary bytes as the MTA's log,
 * line by line, through the Postfix and Exim parsers (a log holds text
 * others chose: addresses, server replies). Lines cut anywhere, lines
 * without their newline, and many messages (the bound on kept messages).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "maillog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlog m;
	char *text = malloc(size + 1), *line, *save = NULL;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	mlog_init(&m, 1794960000);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		mlog_line(&m, line);
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
