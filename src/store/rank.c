/* rank.c: lrank(fts), the relevance of a search's matches: FTS5's bm25
 * (k1 1.2, b 0.75, every column weighted 1) with each phrase's document
 * count bounded.
 *
 * bm25 weighs each phrase by its idf, log((N - n + 0.5) / (n + 0.5)) for
 * N rows of which n hold it, and FTS5's counts n by reading every row
 * that holds the phrase (xQueryPhrase) before the first score: `the` at
 * 5,000,000 messages reads 5,000,000 rows for a page of 20 ranked among
 * the newest 10,000 (RANK_WINDOW), ~950 ms.  Here the count stops at
 * RANK_COUNT_MAX rows (store_int.h): a phrase in fewer is counted
 * exactly (the same score as bm25's, to the bit: test_store), one in
 * more is estimated from how densely it fills the rows (the ids, from 1)
 * up to its RANK_COUNT_MAX-th, which is its count if it is spread
 * evenly.  A query of one phrase is ranked in bm25's order either way
 * (its idf is one positive factor of every score), but a word is two
 * (its columns and its stems'), and there an estimate moves the weights:
 * the 13 queries of bench/search (by relevance at 100,000 generated
 * messages, words in up to 100,000 rows) listed the same 20 messages in
 * the same order as bm25.  A phrase in more than half of the rows has
 * the least idf, 1e-6, counted or estimated, as in bm25.
 *
 * Each row's frequencies are read phrase by phrase (xPhraseFirst/Next),
 * not through the instances of every phrase sorted together (bm25's
 * xInst), for the same counts. */
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>

#include "store/store_int.h"

#define RANK_K1 1.2
#define RANK_B 0.75

/* What a statement's scores share (its auxdata): the average row's
 * length in tokens and each phrase's idf. */
struct rank_data {
	double avgdl;
	int nphrase;
	double idf[];
};

struct rank_count {
	int64_t max, n, last;
};

static int64_t count_max(void)
{
	const char *t = getenv("LISTARC_TEST_RANK_COUNT");
	return t && atoi(t) >= 1 ? atoi(t) : RANK_COUNT_MAX;
}

static int count_row(const Fts5ExtensionApi *api, Fts5Context *fts, void *arg)
{
	struct rank_count *c = arg;
	if (++c->n < c->max)
		return SQLITE_OK;
	c->last = api->xRowid(fts);
	return SQLITE_DONE;
}

/* The rows that hold phrase i: counted up to the bound, estimated past
 * it (rows 1..last held n of them: n * nrow / last of all).  -1 on an
 * error. */
static int64_t phrase_rows(const Fts5ExtensionApi *api, Fts5Context *fts, int i, int64_t nrow)
{
	struct rank_count c = {count_max(), 0, 0};
	if (api->xQueryPhrase(fts, i, &c, count_row) != SQLITE_OK)
		return -1;
	if (c.n < c.max || c.last <= 0)
		return c.n;
	double est = (double)c.n * (double)nrow / (double)c.last;
	return est >= (double)nrow ? nrow : est < (double)c.n ? c.n : (int64_t)est;
}

static int rank_data_new(const Fts5ExtensionApi *api, Fts5Context *fts, struct rank_data **out)
{
	int nphrase = api->xPhraseCount(fts);
	sqlite3_int64 nrow = 0, ntok = 0;
	int rc = api->xRowCount(fts, &nrow);
	if (rc == SQLITE_OK)
		rc = api->xColumnTotalSize(fts, -1, &ntok);
	if (rc != SQLITE_OK)
		return rc;
	struct rank_data *d = sqlite3_malloc64(sizeof *d + (size_t)(nphrase > 0 ? nphrase : 0) *
	                                                           sizeof d->idf[0]);
	if (!d)
		return SQLITE_NOMEM;
	d->nphrase = nphrase;
	d->avgdl = nrow > 0 ? (double)ntok / (double)nrow : 1.0;
	if (d->avgdl <= 0)
		d->avgdl = 1.0;
	for (int i = 0; i < nphrase; i++) {
		int64_t hit = phrase_rows(api, fts, i, nrow);
		if (hit < 0) {
			sqlite3_free(d);
			return SQLITE_ERROR;
		}
		double idf = log(((double)nrow - (double)hit + 0.5) / ((double)hit + 0.5));
		d->idf[i] = idf > 0 ? idf : 1e-6;
	}
	*out = d;
	return SQLITE_OK;
}

static void lrank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval,
                  sqlite3_value **val)
{
	(void)nval;
	(void)val;
	struct rank_data *d = api->xGetAuxdata(fts, 0);
	int rc = SQLITE_OK;
	if (!d) {
		rc = rank_data_new(api, fts, &d);
		if (rc == SQLITE_OK)
			rc = api->xSetAuxdata(fts, d, sqlite3_free);
	}
	int dl = 0;
	if (rc == SQLITE_OK)
		rc = api->xColumnSize(fts, -1, &dl);
	double score = 0;
	for (int i = 0; rc == SQLITE_OK && i < d->nphrase; i++) {
		Fts5PhraseIter it;
		int col = -1, off = 0, freq = 0;
		rc = api->xPhraseFirst(fts, i, &it, &col, &off);
		for (; rc == SQLITE_OK && col >= 0; api->xPhraseNext(fts, &it, &col, &off))
			freq++;
		if (freq > 0)
			score += d->idf[i] *
			         ((freq * (RANK_K1 + 1.0)) /
			          (freq + RANK_K1 * (1 - RANK_B + RANK_B * dl / d->avgdl)));
	}
	if (rc == SQLITE_OK)
		sqlite3_result_double(ctx, -score);
	else
		sqlite3_result_error_code(ctx, rc);
}

void st_fts_rank(sqlite3 *db)
{
	fts5_api *api = st_fts5_api(db);
	if (api)
		(void)api->xCreateFunction(api, "lrank", NULL, lrank, NULL);
}
