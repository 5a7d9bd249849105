/* buf.h: a growable byte buffer with a hard cap and a sticky error.
 *
 * Appends after a failure (allocation failed, or the cap was reached) are
 * ignored, so long builders check buf.err once at the end (blists' buffer
 * does the same).  The buffer owns data; buf_free releases it. */
#ifndef LISTARC_BUF_H
#define LISTARC_BUF_H

#include <stddef.h>
#include <stdarg.h>
#include <string.h>

#include "util/status.h"

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;         /* appends that would exceed max fail */
	enum la_status err; /* LA_OK, LA_ENOMEM or LA_ETOOBIG */
};

/* Sets up an empty buffer that may grow to max bytes. */
void buf_init(struct buf *b, size_t max);
/* Releases the data; b may be reused after buf_init. NULL-safe. */
void buf_free(struct buf *b);
/* Empties b, keeping its allocation and clearing its error. */
void buf_reset(struct buf *b);
/* Makes room for n more bytes.  Returns LA_OK or the sticky error. */
LA_MUST_CHECK enum la_status buf_reserve(struct buf *b, size_t n);
/* Appends n bytes at p (buf_add_slow when b must grow, or is in error). */
void buf_add_slow(struct buf *b, const void *p, size_t n);
/* Inline, room permitting: a page is built of many short appends, and a
 * literal's length and copy are then the compiler's. */
static inline void buf_add(struct buf *b, const void *p, size_t n)
{
	/* (cap never exceeds max + 1: room here is within max.) */
	if (n && !b->err && b->cap - b->len > n) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
		return;
	}
	buf_add_slow(b, p, n);
}
static inline void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}
static inline void buf_addc(struct buf *b, char c)
{
	if (b->len + 1 < b->cap && !b->err) {
		b->data[b->len++] = c;
		return;
	}
	buf_add_slow(b, &c, 1);
}
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* A NUL-terminated view of the contents (the NUL is not counted in len).
 * Returns "" if the buffer is in error or empty. */
const char *buf_cstr(struct buf *b);
/* Hands the data to the caller (who frees it with free()) and empties b. */
char *buf_steal(struct buf *b, size_t *len);

#endif
