/* fuzz_ftstok: the writer's unicode61 (store/ftstok.c) over any bytes
 * gives the tokens SQLite's unicode61 gives, in the same order, with the
 * same offsets, for the search index's options and for FTS5's defaults. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A token as a line of out: offsets, then its bytes. */
static int note(void *arg, int flags, const char *tok, int n, int start, int end)
{
	struct buf *out = arg;
	buf_printf(out, "%d %d %d %d:", flags, n, start, end);
	buf_add(out, tok, (size_t)n);
	buf_addc(out, '\n');
	return SQLITE_OK;
}

static fts5_api *api_of(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
		(void)sqlite3_step(s);
	}
	sqlite3_finalize(s);
	return api;
}

/* The tokens of text by db's unicode61 with options az[0..n). */
static void tokens(sqlite3 *db, const char **az, int n, const uint8_t *text, size_t size,
                   struct buf *out)
{
	fts5_api *api = api_of(db);
	void *ud = NULL;
	fts5_tokenizer x;
	Fts5Tokenizer *t = NULL;
	if (!api || api->xFindTokenizer(api, "unicode61", &ud, &x) != SQLITE_OK ||
	    x.xCreate(ud, az, n, &t) != SQLITE_OK)
		abort();
	if (x.xTokenize(t, out, FTS5_TOKENIZE_DOCUMENT, (const char *)text, (int)size, note) !=
	    SQLITE_OK)
		abort();
	x.xDelete(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static sqlite3 *fast, *plain;
	if (!fast) {
		if (sqlite3_open(":memory:", &fast) != SQLITE_OK ||
		    sqlite3_open(":memory:", &plain) != SQLITE_OK)
			abort();
		st_fts_fast_tokens(fast);
	}
	if (size > 1 << 16)
		return 0;
	static const char *opts[][4] = {
		{"remove_diacritics", "2", "tokenchars", "_"},
		{"remove_diacritics", "1", NULL, NULL},
		{"separators", "x", NULL, NULL},
	};
	static const int nopts[] = {4, 2, 2};
	for (size_t k = 0; k < sizeof nopts / sizeof *nopts; k++) {
		struct buf a, b;
		buf_init(&a, 1 << 22);
		buf_init(&b, 1 << 22);
		tokens(fast, opts[k], nopts[k], data, size, &a);
		tokens(plain, opts[k], nopts[k], data, size, &b);
		if (a.err || b.err || a.len != b.len ||
		    (a.len && memcmp(a.data, b.data, a.len) != 0))
			abort();
		buf_free(&a);
		buf_free(&b);
	}
	return 0;
}
