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
		/* Placeholders only: the SQL never holds a quote of the user's,
		 * nor does that of an OR's members or of what NOTs are taken
		 * from (search_branches, search_except). */
		if (strchr(search_where(q), '\'') || strchr(search_where(q), '"'))
			abort();
		size_t n;
		const struct search_query *const *br = search_branches(q, &n);
		for (size_t i = 0; i < n; i++) {
			buf_init(&b, 1 << 22);
			search_describe(br[i], &b);
			buf_free(&b);
			if (strchr(search_where(br[i]), '\'') || strchr(search_where(br[i]), '"'))
				abort();
		}
		const char *const *minus;
		const struct search_query *rest = search_except(q, &minus, &n);
		if (rest && (strchr(search_where(rest), '\'') || strchr(search_where(rest), '"') ||
		             search_match(rest) || n == 0 || !minus[n - 1][0]))
			abort();
		search_free(q);
	} else if (!err.msg[0]) {
		abort();
	}
	free(p);
	return 0;
}
