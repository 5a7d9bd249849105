/* vec.h: growing an array by doubling, with the size arithmetic checked.
 *
 *     struct item *v = NULL; size_t n = 0, cap = 0;
 *     if (!vec_reserve(&v, &cap, n + 1, sizeof *v))
 *             return LA_ENOMEM;
 *     v[n++] = item;
 *
 * The caller owns the array and frees it with free(). */
#ifndef LISTARC_VEC_H
#define LISTARC_VEC_H

#include <stdbool.h>
#include <stddef.h>

/* Makes room for at least need elements of elem bytes in the array *pv
 * (pv is the address of the caller's pointer, of any element type) of
 * capacity *cap, doubling the capacity (from 16) as often as needed.
 * Returns true with *pv and *cap updated, or false, leaving both as they
 * were, if memory runs out or need * elem overflows. */
bool vec_reserve(void *pv, size_t *cap, size_t need, size_t elem);

#endif
