/* htmltext.h: plain text from an HTML part, for messages that have no
 * text/plain alternative.  HTML from a message is never sent as HTML:
 * this keeps the words and drops everything else. */
#ifndef LISTARC_HTMLTEXT_H
#define LISTARC_HTMLTEXT_H

#include <stddef.h>

#include "util/buf.h"

/* Appends the text of html[0..n) to out: tags removed (script, style and
 * head contents too), block elements and <br> as line breaks, character
 * references decoded, runs of blank lines collapsed.  Output is UTF-8 if
 * the input is. */
void htmltext(struct buf *out, const char *html, size_t n);

#endif
