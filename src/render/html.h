/* html.h: the only way text from a message reaches a page.  One escaper
 * per context: element text, attribute values, URL path components, and
 * message bodies (which also get links and address obfuscation). */
#ifndef LISTARC_HTML_H
#define LISTARC_HTML_H

#include <stddef.h>

#include "util/buf.h"

/* Element text: escapes & < > " ', shows control characters (and Unicode
 * direction overrides, U+FFFE and U+FFFF) as '.', drops CR, keeps tab and newline, and
 * replaces invalid UTF-8 with U+FFFD. */
void html_text(struct buf *b, const char *p, size_t n);
void html_texts(struct buf *b, const char *s);

/* Attribute values: the same escaping as html_text (quotes included), for
 * use inside double-quoted attributes. */
#define html_attr html_text
#define html_attrs html_texts

enum {
	HTML_LINKS = 1 << 0,     /* http(s)/ftp URLs become rel="nofollow" links */
	HTML_OBFUSCATE = 1 << 1, /* user@example.com becomes user@...mple.com */
};

/* Message text (header lines and bodies): html_text plus the flags.
 * URLs are linked but never obfuscated (the link must work); addresses
 * outside URLs are obfuscated. */
void html_body(struct buf *b, const char *p, size_t n, unsigned flags);

/* Percent-encodes s for a URL path segment: everything but unreserved
 * characters (A-Z a-z 0-9 - . _ ~) and, if keep is given, the characters
 * in keep. */
void url_encode(struct buf *b, const char *p, size_t n, const char *keep);

/* Appends p[0..n) to out as plain text (not escaped) with addresses
 * obfuscated the same way (for text that is escaped later, piecewise). */
void text_obfuscate(struct buf *out, const char *p, size_t n);

/* Obfuscates addresses in a plain string for display outside <pre>
 * (names and addresses in listings), then escapes it. */
void html_obfuscated(struct buf *b, const char *p, size_t n);

#endif
