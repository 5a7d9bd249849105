/* text_int.h: what text.c takes from textlore.c (stage-internal): the
 * parts of a message's text that lore's prefixes search beyond words:
 * the parts of its diffs, its patch ids, attachment names, List-Id. */
#ifndef LISTARC_MSG_TEXT_INT_H
#define LISTARC_MSG_TEXT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "msg/text.h"
#include "util/span.h"

void text_lore_init(struct msg_text *t);
void text_lore_free(struct msg_text *t);
void text_lore_reset(struct msg_text *t);

/* One non-quoted line p[0..n) (without its '\n') of a text part, in
 * order: its part of a diff, if it is one (else it goes to nqrest).
 * *in_diff carries the state from line to line (false at the start of a
 * part and after quoted text). */
void text_diff_line(struct msg_text *t, bool *in_diff, const char *p, size_t n);

/* A non-quoted line of a text part without diffs (to nqrest). */
void text_nq_line(struct msg_text *t, const char *p, size_t n);

/* The patch ids of a whole decoded text part. */
void text_patchids(struct msg_text *t, const char *text, size_t n);

/* A List-Id header field's value. */
void text_list_id(struct msg_text *t, struct span value);

/* An attachment's file name (UTF-8). */
void text_filename(struct msg_text *t, const char *name);

#endif
