/* html.h: the only way text from a message reaches a page.  One escaper
 * per context: element text, attribute values, URL path components, and
 * message bodies (which also get links and address obfuscation). */
#ifndef LISTARC_HTML_H
#define LISTARC_HTML_H

#include <stdbool.h>
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

/* A hook for the URLs html_body_ex links: local may write into href
 * (unescaped: it is escaped as an attribute) another target for the URL
 * url[0..n), such as this archive's copy of a message, and return true;
 * the text shown stays the URL. */
struct html_links {
	bool (*local)(void *arg, const char *url, size_t n, struct buf *href);
	void *arg;
};
/* html_body, with links through lk (NULL: as html_body). */
void html_body_ex(struct buf *b, const char *p, size_t n, unsigned flags,
                  const struct html_links *lk);
/* Tags around each line of a text (html_body_lines): open before it,
 * close after it (its newline after close). */
struct html_wrap {
	const char *open, *close;
	size_t open_n, close_n;
};
/* html_body_ex of each line of p[0..n) (lines end at newlines; the last
 * needs none), each line between wrap's open and close, the newlines
 * between them kept: the lines of a diff's hunk in one call, as body.c
 * writes them. */
void html_body_lines(struct buf *b, const char *p, size_t n, unsigned flags,
                     const struct html_links *lk, const struct html_wrap *wrap);
/* html_body_ex (and html_text, flags 0) a byte at a time, as they were
 * before they skipped runs of plain bytes: for fuzz_html, which checks
 * that both give the same bytes. */
void html_body_ref(struct buf *b, const char *p, size_t n, unsigned flags,
                   const struct html_links *lk);

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
