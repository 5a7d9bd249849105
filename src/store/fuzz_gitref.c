/* fuzz_gitref: a ref file's bytes and packed-refs lines (store/gitref.c)
 * from any bytes.  The first byte picks: even, the rest is a ref file
 * (HEAD, a loose ref): a symbolic ref's name must be one git could write
 * (under refs/, no "..", no control character), an id must be the hex of
 * the 40 bytes read; odd, the rest is packed-refs, each line looked up
 * as refs/heads/master: a line found is "HEX refs/heads/master". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/gitref.h"
#include "util/hex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 1 << 16)
		return 0;
	const char *p = (const char *)data + 1;
	size_t n = size - 1;
	unsigned char id[GITREF_OID];
	if (data[0] % 2 == 0) {
		char sym[64];
		if (gitref_parse(p, n, id, sym, sizeof sym) != LA_OK)
			return 0;
		if (sym[0]) {
			if (strncmp(sym, "refs/", 5) != 0 || strstr(sym, "..") ||
			    strlen(sym) >= sizeof sym)
				abort();
			for (const char *c = sym; *c; c++)
				if ((unsigned char)*c < 0x21)
					abort();
		} else {
			unsigned char again[GITREF_OID];
			if (n < 2 * GITREF_OID || !hex_decode(p, GITREF_OID, again) ||
			    memcmp(id, again, GITREF_OID) != 0)
				abort();
		}
		return 0;
	}
	static const char name[] = "refs/heads/master";
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) : n;
		if (gitref_packed_line(p, k, name, id) &&
		    (k != 2 * GITREF_OID + sizeof name || p[2 * GITREF_OID] != ' ' ||
		     memcmp(p + 2 * GITREF_OID + 1, name, sizeof name - 1) != 0))
			abort();
		k += nl ? 1 : 0;
		p += k;
		n -= k;
	}
	return 0;
}
