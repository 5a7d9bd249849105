/* fuzz_patchid: git's patch ids over any text: bounded, and each id is
 * 40 lowercase hex digits, the same on a second reading. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg/patchid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The input alone in its buffer, so that a read past it is caught. */
	char *p = malloc(size ? size : 1);
	memcpy(p, data, size);
	char a[8][PATCHID_HEX + 1], b[8][PATCHID_HEX + 1];
	size_t na = msg_patchids(p, size, a, 8);
	size_t nb = msg_patchids(p, size, b, 8);
	if (na != nb)
		abort();
	for (size_t i = 0; i < na && i < 8; i++) {
		if (strlen(a[i]) != PATCHID_HEX ||
		    strspn(a[i], "0123456789abcdef") != PATCHID_HEX || strcmp(a[i], b[i]) != 0)
			abort();
	}
	free(p);
	return 0;
}
