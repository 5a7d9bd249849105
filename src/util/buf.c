/* buf.c: bounded growable buffer. */
#include "util/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max;
	b->err = LA_OK;
}

void buf_free(struct buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->err = LA_OK;
}

enum la_status buf_reserve(struct buf *b, size_t n)
{
	if (b->err)
		return b->err;
	/* One spare byte for buf_cstr's NUL. */
	if (n > SIZE_MAX - b->len - 1 || b->len + n > b->max)
		return b->err = LA_ETOOBIG;
	size_t need = b->len + n + 1;
	if (need <= b->cap)
		return LA_OK;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	char *p = realloc(b->data, cap);
	if (!p)
		return b->err = LA_ENOMEM;
	b->data = p;
	b->cap = cap;
	return LA_OK;
}

void buf_add_slow(struct buf *b, const void *p, size_t n)
{
	if (n == 0 || buf_reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	if (b->err)
		return;
	va_list ap2;
	va_copy(ap2, ap);
	char small[256];
	int n = vsnprintf(small, sizeof small, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		buf_add(b, small, (size_t)n);
		return;
	}
	if (buf_reserve(b, (size_t)n + 1))
		return;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

const char *buf_cstr(struct buf *b)
{
	if (b->err || !b->data)
		return "";
	b->data[b->len] = '\0';
	return b->data;
}

char *buf_steal(struct buf *b, size_t *len)
{
	char *p = b->data;
	if (len)
		*len = b->len;
	if (p)
		p[b->len] = '\0';
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
