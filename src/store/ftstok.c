/* ftstok.c: the search index's tokenizer, unicode61, made faster for
 * the text a writer inserts (st_fts_fast_tokens).  unicode61 looks at
 * every character through its tables; most of what listarc indexes is
 * ASCII, whose words it only lowercases.  The writer's connection gets a
 * tokenizer under the same name, unicode61 (FTS5 finds the latest of a
 * name first, and the table's `tokenize=` names it), that gives the
 * tokens of each run of ASCII word characters itself and hands every
 * run with a byte >= 0x80 to SQLite's unicode61 as it is: the same
 * tokens in the same order, so the same positions, as SQLite's alone
 * (t4081 compares every token at every position; fuzz_ftstok any
 * bytes), for about 40% fewer instructions (20,000 generated messages:
 * 1.29 G to 0.81 G, the search thread's 6.1 G to 5.7 G).  Readers keep
 * SQLite's (a query's few words).
 *
 * Why the runs can be cut apart: an ASCII byte other than a word
 * character (for the table's options: letters, digits, and `_` if its
 * `tokenchars` say so) separates tokens in unicode61 and is in none, and
 * UTF-8 (and unicode61's reading of bytes that are not UTF-8) never
 * takes an ASCII byte into a character.  Options this does not know
 * (categories, separators, other token characters) leave every text to
 * SQLite's, and so does a build without SSE2.  A text's lowercased copy
 * and its bits are kept between calls: less than three times the longest
 * column's text.
 *
 * Two characters >= 0x80 are made here too: the diffs' line breaks
 * (MSG_LINE_BREAK, U+E000) and dfhh's mark before each of its stems
 * (MSG_STEM_MARK, U+E001), private use: unicode61 keeps them in the word
 * around them, as they are.  They are most of the runs with such a byte
 * (~17 a message in generated mail, ~850 instructions each in SQLite's).
 * A run whose bytes >= 0x80 are all whole marks is lowercased here; only
 * if SQLite's gives the marks so, which fast_create asks it
 * (mark_probe). */
#include <stdbool.h>
#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "msg/text.h"
#include "store/store_int.h"

/* SQLite's unicode61, as found before this one took its name. */
struct inner {
	fts5_tokenizer x;
	void *ud;
};

struct fast {
	Fts5Tokenizer *inner;
	const struct inner *in;
	bool whole; /* every text to SQLite's (options not known here) */
	bool under; /* '_' a word character (tokenchars _) */
	bool mark;  /* U+E000, U+E001 word characters, as they are (mark_probe) */
	/* A text's bytes lowercased (A-Z only), and a bit a byte: runs, set
	 * for word characters and bytes >= 0x80; highs, for those >= 0x80
	 * (grown as needed: about twice the longest text). */
	unsigned char *low;
	uint64_t *runs, *highs;
	size_t cap, words;
	bool high; /* (scan: the text has a byte >= 0x80) */
};

/* mark_probe's tokens: their count, and whether the first is the one
 * expected. */
struct probe {
	int n;
	bool same;
};

static int probe_token(void *arg, int flags, const char *tok, int n, int start, int end)
{
	static const char want[] = "x" MSG_LINE_BREAK MSG_STEM_MARK "y";
	struct probe *p = arg;
	p->same = p->n++ == 0 && flags == 0 && n == (int)sizeof want - 1 &&
	          memcmp(tok, want, sizeof want - 1) == 0 && start == 0 && end == n;
	return SQLITE_OK;
}

/* Whether SQLite's tokenizer t makes of "x<U+E000><U+E001>Y" one token
 * "x<U+E000><U+E001>y": the marks word characters, neither folded nor
 * dropped (what fast_tokenize does with them). */
static bool mark_probe(const struct inner *in, Fts5Tokenizer *t)
{
	static const char text[] = "x" MSG_LINE_BREAK MSG_STEM_MARK "Y";
	struct probe p = {0, false};
	return in->x.xTokenize(t, &p, FTS5_TOKENIZE_DOCUMENT, text, (int)sizeof text - 1,
	                       probe_token) == SQLITE_OK &&
	       p.n == 1 && p.same;
}

static int fast_create(void *ud, const char **az, int n, Fts5Tokenizer **out)
{
	const struct inner *in = ud;
	struct fast *f = calloc(1, sizeof *f);
	if (!f)
		return SQLITE_NOMEM;
	f->in = in;
	int rc = in->x.xCreate(in->ud, az, n, &f->inner);
	if (rc != SQLITE_OK) {
		free(f);
		return rc;
	}
	/* (SQLite's checked the options: an error came back above.) */
	for (int i = 0; i + 1 < n; i += 2) {
		if (strcmp(az[i], "remove_diacritics") == 0)
			continue; /* (ASCII has none) */
		if (strcmp(az[i], "tokenchars") == 0 && strspn(az[i + 1], "_") == strlen(az[i + 1]))
			f->under = f->under || az[i + 1][0];
		else
			f->whole = true;
	}
#ifndef __SSE2__
	f->whole = true; /* (the scan below is SSE2's) */
#endif
	if (n % 2)
		f->whole = true;
	f->mark = !f->whole && mark_probe(in, f->inner);
	*out = (Fts5Tokenizer *)f;
	return SQLITE_OK;
}

static void fast_delete(Fts5Tokenizer *t)
{
	struct fast *f = (struct fast *)t;
	if (!f)
		return;
	f->in->x.xDelete(f->inner);
	free(f->low);
	free(f->runs);
	free(f->highs);
	free(f);
}

/* A run handed to SQLite's tokenizer: its tokens' offsets moved to the
 * run's place in the text. */
struct shifted {
	void *ctx;
	int (*xToken)(void *, int, const char *, int, int, int);
	int at;
};

static int shifted_token(void *arg, int flags, const char *tok, int n, int start, int end)
{
	struct shifted *s = arg;
	return s->xToken(s->ctx, flags, tok, n, start + s->at, end + s->at);
}

#ifdef __SSE2__
/* f->low, f->runs and f->highs of p[0..n), sixteen bytes at a time; the
 * bits past n clear (one word more than n needs, so that a run always
 * ends).  False if memory ran out. */
static bool scan(struct fast *f, const unsigned char *p, size_t n)
{
	size_t words = n / 64 + 1;
	if (n + 16 > f->cap || words > f->words) {
		size_t cap = (n + 16) * 2, nw = cap / 64 + 1;
		unsigned char *low = malloc(cap);
		uint64_t *runs = malloc(nw * sizeof *runs), *highs = malloc(nw * sizeof *highs);
		if (!low || !runs || !highs) {
			free(low);
			free(runs);
			free(highs);
			return false;
		}
		free(f->low);
		free(f->runs);
		free(f->highs);
		f->low = low;
		f->runs = runs;
		f->highs = highs;
		f->cap = cap;
		f->words = nw;
	}
	const __m128i a1 = _mm_set1_epi8('A' - 1), z1 = _mm_set1_epi8('Z' + 1),
		      la1 = _mm_set1_epi8('a' - 1), lz1 = _mm_set1_epi8('z' + 1),
		      d1 = _mm_set1_epi8('0' - 1), d9 = _mm_set1_epi8('9' + 1),
		      us = _mm_set1_epi8('_'), sp = _mm_set1_epi8(0x20);
	uint64_t anyh = 0;
	for (size_t w = 0; w < words; w++) {
		uint64_t r = 0, h = 0;
		for (size_t j = 0, i = w * 64; j < 64 && i < n; j += 16, i += 16) {
			__m128i v;
			if (n - i >= 16) {
				v = _mm_loadu_si128((const __m128i *)(p + i));
			} else {
				unsigned char tail[16] = {0}; /* (0: a separator) */
				memcpy(tail, p + i, n - i);
				v = _mm_loadu_si128((const __m128i *)tail);
			}
			/* (Signed: the bytes >= 0x80 are below every bound.) */
			__m128i up = _mm_and_si128(_mm_cmpgt_epi8(v, a1), _mm_cmplt_epi8(v, z1));
			__m128i word = _mm_or_si128(
				up, _mm_or_si128(_mm_and_si128(_mm_cmpgt_epi8(v, la1),
			                                       _mm_cmplt_epi8(v, lz1)),
			                         _mm_and_si128(_mm_cmpgt_epi8(v, d1),
			                                       _mm_cmplt_epi8(v, d9))));
			if (f->under)
				word = _mm_or_si128(word, _mm_cmpeq_epi8(v, us));
			_mm_storeu_si128((__m128i *)(f->low + i),
			                 _mm_add_epi8(v, _mm_and_si128(up, sp)));
			uint64_t hm = (uint64_t)(unsigned)_mm_movemask_epi8(v);
			uint64_t wm = (uint64_t)(unsigned)_mm_movemask_epi8(word);
			r |= (wm | hm) << j;
			h |= hm << j;
		}
		f->runs[w] = r;
		f->highs[w] = h;
		anyh |= h;
	}
	f->high = anyh != 0;
	return true;
}

/* Whether every byte >= 0x80 of p[s..e) is in a whole U+E000 or U+E001
 * (MSG_LINE_BREAK, MSG_STEM_MARK: EE 80 80, EE 80 81). */
static bool marks_only(const unsigned char *p, size_t s, size_t e)
{
	for (size_t j = s; j < e; j++) {
		if (p[j] < 0x80)
			continue;
		if (e - j < 3 || p[j] != 0xEE || p[j + 1] != 0x80 || (p[j + 2] & 0xFE) != 0x80)
			return false;
		j += 2;
	}
	return true;
}

/* Whether bits has a bit set in [s, e) (s < e). */
static inline bool any_in(const uint64_t *bits, size_t s, size_t e)
{
	size_t w = s / 64, last = (e - 1) / 64;
	uint64_t from = ~UINT64_C(0) << (s % 64), to = ~UINT64_C(0) >> (63 - (e - 1) % 64);
	if (w == last)
		return bits[w] & from & to;
	if (bits[w] & from)
		return true;
	while (++w < last)
		if (bits[w])
			return true;
	return bits[last] & to;
}
#endif

static int fast_tokenize(Fts5Tokenizer *t, void *ctx, int flags, const char *text, int n,
                         int (*xToken)(void *, int, const char *, int, int, int))
{
	struct fast *f = (struct fast *)t;
#ifdef __SSE2__
	if (f->whole || n <= 0)
		return f->in->x.xTokenize(f->inner, ctx, flags, text, n, xToken);
	size_t len = (size_t)n;
	if (!scan(f, (const unsigned char *)text, len))
		return SQLITE_NOMEM;
	/* The runs' edges, word by word: each bit whose bit before (the
	 * previous word's last, for bit 0) differs is a run's start or
	 * end, one after the other (the word past n's bits ends every
	 * run). */
	size_t s = 0;
	uint64_t carry = 0;
	for (size_t w = 0; w <= len / 64; w++) {
		uint64_t r = f->runs[w];
		uint64_t edges = r ^ ((r << 1) | carry);
		carry = r >> 63;
		while (edges) {
			size_t at = w * 64 + (size_t)__builtin_ctzll(edges);
			edges &= edges - 1;
			if (r >> (at % 64) & 1) {
				s = at;
				continue;
			}
			int rc;
			if (f->high && any_in(f->highs, s, at) &&
			    !(f->mark && marks_only((const unsigned char *)text, s, at))) {
				struct shifted sh = {ctx, xToken, (int)s};
				rc = f->in->x.xTokenize(f->inner, &sh, flags, text + s,
				                        (int)(at - s), shifted_token);
			} else {
				rc = xToken(ctx, 0, (const char *)f->low + s, (int)(at - s), (int)s,
				            (int)at);
			}
			if (rc != SQLITE_OK)
				return rc;
		}
	}
	return SQLITE_OK;
#else
	return f->in->x.xTokenize(f->inner, ctx, flags, text, n, xToken);
#endif
}

fts5_api *st_fts5_api(sqlite3 *db)
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

void st_fts_fast_tokens(sqlite3 *db)
{
	const char *off = getenv("LISTARC_FTS_SQLITE_TOKENS");
	if (off && strcmp(off, "1") == 0)
		return;
	fts5_api *api = st_fts5_api(db);
	if (!api || api->iVersion < 2)
		return;
	struct inner *in = calloc(1, sizeof *in);
	if (!in)
		return;
	if (api->xFindTokenizer(api, "unicode61", &in->ud, &in->x) != SQLITE_OK) {
		free(in);
		return;
	}
	fts5_tokenizer x = {fast_create, fast_delete, fast_tokenize};
	if (api->xCreateTokenizer(api, "unicode61", in, &x, free) != SQLITE_OK)
		free(in);
}
