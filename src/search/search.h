/* search.h: the query language, parsed by a real lexer and grammar and
 * translated to SQL over the index with every term bound as a parameter
 * and quoted for FTS5.  No query, however hostile, reaches SQLite as
 * anything but bound values inside a fixed SQL shape.
 *
 *   query  := or
 *   or     := and ("OR" and)*
 *   and    := unary (["AND"] unary)*
 *   unary  := ("NOT" | "-") unary | "+" unary | "(" or ")" | term
 *   term   := [prefix ":"] (word | "phrase")
 *
 * The language is public-inbox's (lore's).  Prefixes: s: subject, f:
 * from, t: to, c: cc, tc: to or cc, a: and tcf: to, cc or from, b: body,
 * bs: subject or body, q: quoted text, nq: non-quoted text, n:
 * attachment file names, l: words of List-Id, lid: a whole List-Id,
 * m: and mid: Message-ID (m: also the Message-IDs holding its words
 * in a row, as public-inbox's XM terms, when none is the value; the
 * last a prefix with a '*' after it), dfn: file names a patch touches,
 * dfa: its removed lines, dfb: its added lines, dfctx: its context lines, dfhh: its hunk headers'
 * context, dfpre: dfpost: dfblob: blob ids of its index lines (pre-image, post-image, either),
 * patchid: `git patch-id
 * --stable`, d: date (days), dt: Date: (seconds), rt: received time,
 * z: size in bytes; and listarc's own (public-inbox has neither): v: a
 * patch series' version (3, 2..4), series: its state (reviewed,
 * unreviewed, complete, incomplete, latest, superseded; the index's
 * series_state, docs/series.md).  A bare word that looks like a
 * Message-ID (x@y) is also m:WORD (public-inbox's bare words search its XM
 * terms too).  Bare words and phrases search subject, From and
 * body (and, as lore's, the diffs' parts and attachments' names).  A
 * word ending in '*' matches as a prefix; a lowercase word in subject
 * or body fields matches the words of its English stem too (util/stem.h:
 * "review" finds "Reviewed", "reviews").
 * Phrases take "" or
 * the curly quotes.  Dates and sizes: see when.h; ranges A..B (both
 * ends included), A.., ..B. */
#ifndef LISTARC_SEARCH_H
#define LISTARC_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/status.h"

/* Bounds on queries (the search page says which one was hit).  lei's
 * p2q writes a term per abbreviation of every blob id of a patch (six
 * for each file's, by default): a patch of 40 files is 240 terms. */
#define QUERY_MAX_BYTES 4096
#define QUERY_MAX_TERMS 256
#define QUERY_MAX_DEPTH 16
/* An OR of at most this many members, some full-text and some not, is
 * read member by member (search_branches); a longer one as one
 * condition. */
#define QUERY_MAX_BRANCHES 16

enum search_param_kind { SP_TEXT, SP_INT };

struct search_param {
	enum search_param_kind kind;
	const char *text; /* SP_TEXT, owned by the query */
	int64_t value;    /* SP_INT */
};

struct search_query;

/* The search index a query is translated for: the one with lore's
 * columns and the columns of English stems; one with lore's columns
 * only (store_search_stems is false until `reindex --search`), where a
 * lowercase word finds itself and not its inflections; or one made by a
 * listarc before lore's columns (store_search_lore is false), whose nq
 * holds the diffs' lines too and which has no dfa: dfb: dfctx: dfhh:
 * dfpre: dfpost: dfblob: n: l: lid: patchid: (a query with them is
 * refused, saying so). */
enum search_index { SEARCH_INDEX_LORE, SEARCH_INDEX_NOSTEM, SEARCH_INDEX_OLD };

/* Parses q[0..n) (UTF-8) for the index ix.  now is the current time (for
 * "2.weeks.ago").  On success *out holds the query (free with
 * search_free).  On bad input returns LA_EINVAL with a message for the
 * user in err (one line).  search_parse is for SEARCH_INDEX_LORE. */
LA_MUST_CHECK enum la_status search_parse_index(const char *q, size_t n, int64_t now,
                                                enum search_index ix, struct search_query **out,
                                                struct la_err *err);
LA_MUST_CHECK enum la_status search_parse(const char *q, size_t n, int64_t now,
                                          struct search_query **out, struct la_err *err);
/* The same for an index with (mid_words true: every index a writer of
 * this listarc has opened, store_mid_words) or without the words of its
 * Message-IDs: m: with a part of a Message-ID is a lookup of one of its
 * words there, or reads every Message-ID. */
LA_MUST_CHECK enum la_status search_parse_for(const char *q, size_t n, int64_t now,
                                              enum search_index ix, bool mid_words,
                                              struct search_query **out, struct la_err *err);
/* What an index with mid_words says of it, for m:'s plan: rows(arg, w,
 * end, cap) is how many of its rows have the word w (end NULL) or a word
 * in [w, end), counted up to cap (a cost bounded by cap).  m: looks the
 * word fewest Message-IDs have up; one that more than walk_min have
 * (about 20 * sqrt(messages): the list of them would cost more than
 * testing each message a walk newest first meets until the count and
 * the page are full) is tested message by message (search_walk).  rows
 * NULL: the longest word, never walked (search_parse_for). */
struct search_mids {
	int (*rows)(void *arg, const char *w, const char *end, int cap);
	void *arg;
	int walk_min;
};
LA_MUST_CHECK enum la_status search_parse_mids(const char *q, size_t n, int64_t now,
                                               enum search_index ix, const struct search_mids *mids,
                                               struct search_query **out, struct la_err *err);
void search_free(struct search_query *q);

/* Whether q's condition has an m: term tested message by message (a word
 * most Message-IDs have: search_mids), which no index reads: its
 * matches are walked newest first. */
bool search_walk(const struct search_query *q);

/* The fewest rows of mid_words that an m: term among the ANDs at q's top
 * reads (its matches are at most one more: the Message-ID itself), or
 * -1 when none does.  For the planner: a full-text match with such an
 * m: is read from the m: side when that is small (store/search.c). */
int search_mid_rows(const struct search_query *q);

/* The translation.  The query is run as
 *   SELECT ... FROM messages m [JOIN fts ON fts.rowid = m.id]
 *   WHERE [fts MATCH ?1 AND] (<where>)
 * search_match() is the FTS5 expression that drives the query (NULL if
 * the query has no full-text part at its top level); search_where() is
 * the rest, an SQL condition on m whose ? placeholders are numbered from
 * ?2 and bound from search_params(). */
const char *search_match(const struct search_query *q);
const char *search_where(const struct search_query *q);
const struct search_param *search_params(const struct search_query *q, size_t *n);

/* The members of a top-level OR that is not one MATCH but has a
 * full-text part (m:x OR s:y, d:2020.. OR word), each translated as a
 * query of its own (search_match, search_where, search_params), owned by
 * q; their matches together are q's.  *n is 0 for any other query. */
const struct search_query *const *search_branches(const struct search_query *q, size_t *n);

/* A query that is NOTs of full-text terms ANDed with conditions that are
 * not full text (NOT s:patch, d:2015-06 -patch): those conditions as a
 * query of their own (every message when there are none), owned by q,
 * and *n MATCH expressions in *minus, the NOTs' terms (owned by q);
 * q's matches are the rest's less every expression's.  NULL for any
 * other query. */
const struct search_query *search_except(const struct search_query *q, const char *const **minus,
                                         size_t *n);

/* Whether every match must have its Date: (its delivery time without
 * one: coalesce(m.date, m.ts)) in [*lo, *hi), by the d: and dt: ranges
 * the query's ANDs join (INT64_MIN, INT64_MAX: open ends); false if it
 * has no such range.  For the planner (store/search.c): how much of the
 * archive the range covers decides how the matches are read. */
bool search_date_range(const struct search_query *q, int64_t *lo, int64_t *hi);

/* The words of the query's full-text terms (for highlighting snippets),
 * as their characters' keys (util/fold.h: lowercase, ß as ss, without
 * accents), as a NULL-terminated array owned by the query; a word that
 * matches as a prefix ends in '*'. */
const char *const *search_words(const struct search_query *q);

/* One line describing the translation (for tests and --explain):
 * "MATCH <expr> WHERE <sql with parameters spelled out>". */
void search_describe(const struct search_query *q, struct buf *out);

#endif
