/* fuzz_fold: the search's letter folding over any bytes (util/fold.h):
 * the folded text is never longer, the same folded in place, valid
 * UTF-8 if the text was, changed exactly when fold_needed says so, and
 * folding it again changes nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/fold.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The input and the outputs alone in their buffers, exactly n
	 * bytes, so that a read or write past them is caught. */
	size_t cap = size ? size : 1;
	char *p = malloc(cap), *out = malloc(cap), *again = malloc(cap);
	if (!p || !out || !again)
		abort();
	memcpy(p, data, size);
	size_t n = fold_letters(p, size, out);
	if (n > size)
		abort();
	bool changed = n != size || memcmp(out, p, n) != 0;
	if (changed != fold_needed(p, size))
		abort();
	if (utf8_valid(p, size) && !utf8_valid(out, n))
		abort();
	/* Twice: nothing more to fold. */
	if (fold_needed(out, n) || fold_letters(out, n, again) != n || memcmp(again, out, n) != 0)
		abort();
	/* In place: the same bytes. */
	if (fold_letters(p, size, p) != n || memcmp(p, out, n) != 0)
		abort();
	free(p);
	free(out);
	free(again);
	return 0;
}
