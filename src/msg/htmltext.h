/* htmltext.h: plain text from an HTML part, for messages that have no
 * text/plain alternative.  HTML from a message is never sent as HTML:
 * this keeps the words and drops everything else. */
#ifndef LISTARC_HTMLTEXT_H
#define LISTARC_HTMLTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Appends the text of html[0..n) to out: tags removed (script, style and
 * head contents too), block elements and <br> as line breaks, character
 * references decoded, runs of blank lines collapsed.  Output is UTF-8 if
 * the input is. */
void htmltext(struct buf *out, const char *html, size_t n);

/* The charset an HTML document names for itself in a <meta charset=...>
 * or <meta http-equiv=Content-Type content="...; charset=..."> among its
 * first 4 KiB (HTML5's prescan, simplified), copied into out[0..outn).
 * For HTML parts whose MIME header names none.  Returns false if there
 * is none. */
bool htmltext_meta_charset(const char *html, size_t n, char *out, size_t outn);

#endif
