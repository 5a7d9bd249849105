/* msort.h: a stable merge sort with its comparison inline, for the
 * arrays a commit sorts where qsort's call a comparison was most of the
 * time (a commit's figure rows, the walks' changes).
 *
 *     static bool item_less(const struct item *a, const struct item *b);
 *     MSORT_DEFINE(items_sort, struct item, item_less)
 *     ...
 *     struct item *sorted = items_sort(v, tmp, n);   (v or tmp)
 */
#ifndef LISTARC_MSORT_H
#define LISTARC_MSORT_H

#include <stddef.h>

/* Defines static T *NAME(T *v, T *tmp, size_t n): sorts v[0..n) stably
 * by LESS(const T *a, const T *b) (true if a goes before b), runs of 8
 * by insertion and then merges of doubling width through tmp (room for n
 * more); the result is in v or in tmp, the one it returns. */
#define MSORT_DEFINE(NAME, T, LESS)            \
	static T *NAME(T *v, T *tmp, size_t n) \
	{                                      \
		MSORT_BODY_(T, LESS)           \
	}

/* The same with a context: static T *NAME(T *v, T *tmp, size_t n,
 * const C *ctx), comparing by LESS(const T *a, const T *b, const C *ctx)
 * (items that name what they are compared by, smaller than a copy of
 * it: the sort's memory is twice theirs). */
#define MSORT_DEFINE_CTX(NAME, T, C, LESS)                   \
	static T *NAME(T *v, T *tmp, size_t n, const C *ctx) \
	{                                                    \
		MSORT_BODY_(T, LESS, ctx)                    \
	}

#define MSORT_BODY_(T, LESS, ...)                                                              \
	for (size_t lo = 0; lo < n; lo += 8) {                                                 \
		size_t hi = lo + 8 < n ? lo + 8 : n;                                           \
		for (size_t i = lo + 1; i < hi; i++) {                                         \
			T x = v[i];                                                            \
			size_t j = i;                                                          \
			for (; j > lo && LESS(&x, &v[j - 1], ##__VA_ARGS__); j--)              \
				v[j] = v[j - 1];                                               \
			v[j] = x;                                                              \
		}                                                                              \
	}                                                                                      \
	T *from = v, *to = tmp;                                                                \
	for (size_t w = 8; w < n; w *= 2) {                                                    \
		for (size_t lo = 0; lo < n; lo += 2 * w) {                                     \
			size_t mid = lo + w < n ? lo + w : n;                                  \
			size_t hi = lo + 2 * w < n ? lo + 2 * w : n;                           \
			size_t i = lo, j = mid, k = lo;                                        \
			while (i < mid && j < hi)                                              \
				to[k++] = LESS(&from[j], &from[i], ##__VA_ARGS__) ? from[j++]  \
				                                                  : from[i++]; \
			while (i < mid)                                                        \
				to[k++] = from[i++];                                           \
			while (j < hi)                                                         \
				to[k++] = from[j++];                                           \
		}                                                                              \
		T *t = from;                                                                   \
		from = to;                                                                     \
		to = t;                                                                        \
	}                                                                                      \
	return from;

#endif
