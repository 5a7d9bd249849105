/* vec.c: growing arrays (vec.h). */
#include "util/vec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

bool vec_reserve(void *pv, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	if (elem == 0)
		return false;
	size_t ncap = *cap ? *cap : 16;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return false;
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / elem)
		return false;
	/* The caller's pointer is read and written as bytes: its type is the
	 * caller's, not void *. */
	void *old;
	memcpy(&old, pv, sizeof old);
	void *n = realloc(old, ncap * elem);
	if (!n)
		return false;
	memcpy(pv, &n, sizeof n);
	*cap = ncap;
	return true;
}
