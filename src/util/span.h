/* span.h: a borrowed (pointer, length) pair into someone else's buffer.
 * A span never owns its bytes and is valid only while its owner is. */
#ifndef LISTARC_SPAN_H
#define LISTARC_SPAN_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct span {
	const char *p;
	size_t n;
};

#define SPAN_NULL ((struct span){NULL, 0})

static inline struct span span_make(const char *p, size_t n)
{
	return (struct span){p, n};
}

static inline struct span span_cstr(const char *s)
{
	return (struct span){s, s ? strlen(s) : 0};
}

/* Case-insensitive ASCII comparison with a NUL-terminated literal. */
bool span_ieq(struct span s, const char *lit);
/* True if s starts with lit, ASCII case-insensitively. */
bool span_istarts(struct span s, const char *lit);
/* s without leading and trailing ASCII whitespace (space, tab, CR, LF). */
struct span span_trim(struct span s);
/* Index of byte c in s, or -1. */
static inline long span_find(struct span s, char c)
{
	const char *q = s.n ? memchr(s.p, c, s.n) : NULL;
	return q ? q - s.p : -1;
}
/* memmem(p, n, needle, k): the first occurrence, or NULL; each place of
 * the needle's first two bytes found by mem2chr (the mbox's "\nFrom ", a
 * body's "\ndiff "; glibc's memmem is slower for short needles). */
const char *span_memmem(const char *p, size_t n, const char *needle, size_t k);

/* The first of p[0..n) where byte a is followed by byte b (both within
 * n), or NULL: a search for a short pattern's first two bytes, 16
 * places at a time (glibc's memmem takes several instructions a byte
 * for a short needle; memchr of a frequent byte stops too often). */
const char *mem2chr(const char *p, size_t n, char a, char b);

#endif
