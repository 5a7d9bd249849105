/* fuzz_search: the query language over any input: it must parse or give
 * a message, and what it builds must be well-formed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "search/search.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p = malloc(size ? size : 1);
	memcpy(p, data, size);
	struct search_query *q;
	struct la_err err = {0};
	if (search_parse(p, size, 1559347200, &q, &err) == LA_OK) {
		struct buf b;
		buf_init(&b, 1 << 22);
		search_describe(q, &b);
		buf_free(&b);
		/* Placeholders only: the SQL never holds a quote of the user's. */
		if (strchr(search_where(q), '\'') || strchr(search_where(q), '"'))
			abort();
		search_free(q);
	} else if (!err.msg[0]) {
		abort();
	}
	free(p);
	return 0;
}
