/* charset.h: charset labels as real mail writes them, and the conversion
 * of text in any of them to UTF-8.  One alias table (charset.c) serves
 * headers, bodies and attachments alike; msg_to_utf8 (msg.h) is the way
 * in for the rest of listarc. */
#ifndef LISTARC_MSG_CHARSET_H
#define LISTARC_MSG_CHARSET_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* What a label names. */
struct charset {
	/* The iconv name to convert with, or NULL for text read as
	 * undeclared 8-bit (charset_mixed): UTF-8, US-ASCII, ISO-8859-1 and
	 * windows-1252 labels, which mail uses for one another. */
	const char *iconv;
	/* A superset tried when iconv fails on the text (GB2312 -> GB18030,
	 * Shift_JIS -> CP932, ...), or NULL. */
	const char *superset;
	/* A name to show for it ("UTF-8", "ISO-8859-2", ...). */
	const char *name;
};

/* Looks a label up: label[0..n), compared ASCII case-insensitively with
 * everything but letters and digits ignored ("UTF_8", "utf8" and
 * "utf-8" are one label), and a leading "x-" dropped when the label is
 * not known with it.  Returns false for a label the table does not know
 * (also for an empty or over-long one); *cs is then left as it was. */
bool charset_lookup(const char *label, size_t n, struct charset *cs);

/* Appends p[0..n) read as undeclared 8-bit text: each valid UTF-8
 * sequence as itself, a sequence of UTF-8's shape but a forbidden value
 * (overlong, surrogate, beyond U+10FFFF) as one U+FFFD per byte, and
 * every other byte as windows-1252 (its five undefined bytes as the C1
 * controls of the same value).  Never fails (but out may hit its cap). */
void charset_mixed(struct buf *out, const char *p, size_t n);

/* Appends the UTF-8 form of p[0..n) in the charset label[0..ln) (see
 * msg_to_utf8). */
void charset_to_utf8(struct buf *out, const char *p, size_t n, const char *label, size_t ln);

/* For tests: calls fn with every table entry's key and charset. */
void charset_each(void (*fn)(const char *key, const struct charset *cs, void *arg), void *arg);

#endif
