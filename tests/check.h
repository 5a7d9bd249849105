/* check.h: the unit tests' few macros.  Each CHECK prints "ok - ..." or
 * "not ok - ..." (the runner counts them); main returns check_status(). */
#ifndef LISTARC_CHECK_H
#define LISTARC_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_pass, check_fail;

#define CHECK(cond, ...)                                              \
	do {                                                              \
		if (cond) {                                                   \
			check_pass++;                                             \
			printf("ok - ");                                          \
		} else {                                                      \
			check_fail++;                                             \
			printf("not ok - %s:%d: ", __FILE__, __LINE__);           \
		}                                                             \
		printf(__VA_ARGS__);                                          \
		printf("\n");                                                 \
	} while (0)

#define CHECK_STR(got, want, ...)                                              \
	do {                                                                       \
		const char *g_ = (got), *w_ = (want);                                  \
		int same_ = g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_;                 \
		CHECK(same_, __VA_ARGS__);                                             \
		if (!same_)                                                            \
			printf("#   got:  \"%s\"\n#   want: \"%s\"\n", g_ ? g_ : "(null)", \
			       w_ ? w_ : "(null)");                                        \
	} while (0)

static inline int check_status(void)
{
	return check_fail ? 1 : 0;
}

#endif
