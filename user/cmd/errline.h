// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * errline.h - the last error famtrace said on stderr, kept so that check,
 * when it cannot check, can carry the reason in its one result (the status
 * line and the JSON object) instead of "see stderr".
 */
#ifndef FT_ERRLINE_H
#define FT_ERRLINE_H

/* From now on stderr also keeps its last "famtrace: " line that is not a
 * warning or a note. Call once, first thing. */
void errline_keep(void);

/* That line without "famtrace: " and its "(see ...)" tail; "" if none. */
const char *errline_last(void);

#endif
