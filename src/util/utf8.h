/* utf8.h: UTF-8 validation, repair and boundary-safe truncation. */
#ifndef LISTARC_UTF8_H
#define LISTARC_UTF8_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if the bytes at p
 * (at most n of them) do not start one.  Overlong forms, surrogates and
 * code points above U+10FFFF are invalid. */
size_t utf8_seq_len(const unsigned char *p, size_t n);

/* True if p[0..n) is valid UTF-8. */
bool utf8_valid(const char *p, size_t n);

/* Appends p[0..n) to out with every invalid byte replaced by U+FFFD. */
void utf8_repair(struct buf *out, const char *p, size_t n);

/* The largest m <= n such that p[0..m) does not end inside a UTF-8
 * sequence.  Used to cut strings at a bound without splitting a char. */
size_t utf8_trunc(const char *p, size_t n);

#endif
