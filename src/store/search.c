/* search.c: running a parsed query against the index. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "search/search.h"
#include "store/store_int.h"
#include "util/civil.h"
#include "util/vec.h"

/* What a search is limited to: a list, a thread (0: any); and, when
 * bounded, the ids idlo..idhi, which hold every message its date range
 * meets (date_bounds). */
struct scope {
	int64_t list_id, thread;
	bool bounded;
	int64_t idlo, idhi;
	const char *bounds_by; /* how they were found (--explain) */
};

/* Binds q's MATCH (match instead, when not NULL: prefix_match's), its
 * parameters and sc's. */
static void bind_match(sqlite3_stmt *s, const struct search_query *q, const struct scope *sc,
                       const char *match)
{
	if (!match)
		match = search_match(q);
	if (match)
		sqlite3_bind_text(s, 1, match, -1, SQLITE_STATIC);
	size_t n;
	const struct search_param *p = search_params(q, &n);
	for (size_t i = 0; i < n; i++) {
		if (p[i].kind == SP_INT)
			sqlite3_bind_int64(s, (int)i + 2, p[i].value);
		else
			sqlite3_bind_text(s, (int)i + 2, p[i].text, -1, SQLITE_STATIC);
	}
	int k = sqlite3_bind_parameter_index(s, ":list");
	if (k)
		sqlite3_bind_int64(s, k, sc->list_id);
	k = sqlite3_bind_parameter_index(s, ":thread");
	if (k)
		sqlite3_bind_int64(s, k, sc->thread);
	k = sqlite3_bind_parameter_index(s, ":idlo");
	if (k)
		sqlite3_bind_int64(s, k, sc->idlo);
	k = sqlite3_bind_parameter_index(s, ":idhi");
	if (k)
		sqlite3_bind_int64(s, k, sc->idhi);
}

static void bind_all(sqlite3_stmt *s, const struct search_query *q, const struct scope *sc)
{
	bind_match(s, q, sc, NULL);
}

/* Prefix queries (word*).  FTS5 reads one by merging the doclists of
 * every word of the index that starts with it into one list, in memory,
 * before its first row, whatever rowid bounds or LIMIT the statement
 * has: inter* read its 800,000 matches at 5M messages for a page of 25
 * (212 ms).  An OR of those words is read as its members' lists are,
 * lazily and newest first: a walk of the page and the count (about
 * 1,000 matches) reads each word's newest entries only (inter*, 13
 * words, at 100,000 messages: 27.7 M instructions of FTS5 to 6.0 M;
 * `listarc search 'inter*'` at 1M: 264 M to 23.7 M).  The words are
 * those of the index itself (an fts5vocab table), so the OR has the
 * same matches as the prefix.  By relevance nothing is expanded: bm25
 * scores an OR's words one by one, a prefix as one phrase.
 *
 * It is not always cheaper.  Opening a word's list seeks every segment
 * of the index (~230 K instructions a word at 100,000 messages, ten
 * segments), where the merge scans the prefix's range of words once,
 * and a walk of every match through an OR of many words costs up to
 * 1.6 times the merge (pr*, 92 words, 42,000 matches).  So a prefix is
 * expanded only for a walk of at most PREFIX_WALK_MAX matches (a page
 * and its count, not --count's), into at most PREFIX_TERMS_MAX words
 * (past that it stays a prefix, read as before: the same answers, not
 * refused as Xapian's WILDCARD_LIMIT_ERROR would), and only when its
 * words have on average PREFIX_DOCS_MIN messages or more, counted up to
 * PREFIX_DOCS_CAP a word (a prefix of many rare words, a blob id's
 * dfpre:abcde*, is cheaper to merge than to open word by word: 60 words
 * of 5 messages each in 20,000, 5.9 M instructions as a prefix, 9.4 M as
 * an OR, hence 16 and not 4).  Finding the words costs a seek a word with
 * PREFIX_DOCS_CAP messages or more, and reading up to that many: re*
 * (more than 64 words) at 1M, 4.55 G instructions, 32 M more. */
#define PREFIX_TERMS_MAX 64
#define PREFIX_DOCS_CAP 32
#define PREFIX_DOCS_MIN 16
#define PREFIX_WALK_MAX 20000
/* A word of the index longer than this is not copied: its prefix stays. */
#define PREFIX_WORD_MAX 256

/* Whether the reader has its TEMP fts5vocab table of the search index
 * (made the first time: a reader may write TEMP tables only). */
static bool vocab_ready(struct store *st)
{
	if (st->fts_vocab)
		return st->fts_vocab > 0;
	st->fts_vocab = -1;
	if (st->writer)
		return false;
	char sql[200];
	snprintf(sql, sizeof sql,
	         "PRAGMA query_only=0; CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_words USING"
	         " fts5vocab(%s, fts, instance); PRAGMA query_only=1",
	         st->fts_attached ? "s" : "main");
	if (st_exec(st, sql) != SQLITE_OK) {
		st_exec(st, "PRAGMA query_only=1");
		return false;
	}
	st->fts_vocab = 1;
	return true;
}

/* Appends to out the words of the index that start with w[0..n) (a
 * token: lowercase ASCII letters, digits and '_'), as an FTS5 OR of
 * them, if there are 1 to PREFIX_TERMS_MAX of them with
 * PREFIX_DOCS_MIN messages each on average (counted up to
 * PREFIX_DOCS_CAP a word: a word with more is skipped past by a seek);
 * false, out untouched, if not or on an error.  *s is the lookup,
 * prepared the first time. */
static bool prefix_words(struct store *st, sqlite3_stmt **s, const char *w, size_t n,
                         struct buf *out, struct buf *why)
{
	if (!*s && st_prepare_sql(st, "SELECT term, doc FROM temp.fts_words WHERE term >= ?1", 0,
	                          s) != SQLITE_OK) {
		/* (Made again next time: a rolled back read took it.) */
		st->fts_vocab = 0;
		if (why)
			buf_printf(
				why,
				"prefix \"%.*s\" *: the index's words could not be read: read as a prefix\n",
				(int)n, w);
		return false;
	}
	struct buf expr;
	buf_init(&expr, (size_t)PREFIX_TERMS_MAX * (2 * PREFIX_WORD_MAX + 8) + 8);
	char cur[PREFIX_WORD_MAX + 1];
	size_t curn = 0;
	int words = 0, docs = 0, sum = 0;
	int64_t last = 0;
	bool ok = true, many = false;
	sqlite3_bind_text(*s, 1, w, (int)n, SQLITE_TRANSIENT);
	for (;;) {
		int rc = sqlite3_step(*s);
		if (rc == SQLITE_DONE)
			break;
		if (rc != SQLITE_ROW) {
			ok = false;
			break;
		}
		const char *t = (const char *)sqlite3_column_text(*s, 0);
		int tn = sqlite3_column_bytes(*s, 0);
		if (!t || (size_t)tn < n || memcmp(t, w, n))
			break; /* past the words that start with w */
		int64_t d = sqlite3_column_int64(*s, 1);
		if (!words || (size_t)tn != curn || memcmp(t, cur, curn)) {
			sum += docs;
			if (++words > PREFIX_TERMS_MAX || tn > PREFIX_WORD_MAX) {
				many = words > PREFIX_TERMS_MAX;
				ok = false;
				break;
			}
			memcpy(cur, t, (size_t)tn);
			curn = (size_t)tn;
			docs = 0;
			buf_adds(&expr, words > 1 ? " OR \"" : "(\"");
			for (int i = 0; i < tn; i++) {
				if (t[i] == '"')
					buf_addc(&expr, '"');
				buf_addc(&expr, t[i]);
			}
			buf_addc(&expr, '"');
		} else if (d == last) {
			continue; /* another place in the same message */
		}
		last = d;
		if (++docs >= PREFIX_DOCS_CAP) {
			/* Past the rest of this word: the next one is after
			 * the word and a byte no word has (a control
			 * character separates words). */
			sqlite3_reset(*s);
			cur[curn] = '\x01';
			sqlite3_bind_text(*s, 1, cur, (int)curn + 1, SQLITE_TRANSIENT);
		}
	}
	sum += docs;
	sqlite3_reset(*s);
	buf_addc(&expr, ')');
	bool read = ok;
	ok = ok && words > 0 && sum >= PREFIX_DOCS_MIN * words && !expr.err;
	if (ok)
		buf_add(out, expr.data, expr.len);
	if (why) {
		buf_printf(why, "prefix \"%.*s\" *: ", (int)n, w);
		if (ok)
			buf_printf(why, "%d word%s, read as %s\n", words, words == 1 ? "" : "s",
			           words == 1 ? "that word" : "their OR");
		else if (many)
			buf_printf(why, "more than %d words: read as a prefix\n", PREFIX_TERMS_MAX);
		else if (!read)
			buf_adds(why, "the index's words could not be read: read as a prefix\n");
		else if (!words)
			buf_adds(why, "no words: read as a prefix\n");
		else
			buf_printf(why,
			           "%d words, in fewer than %d messages each on average: read as a "
			           "prefix\n",
			           words, PREFIX_DOCS_MIN);
	}
	buf_free(&expr);
	return ok;
}

static bool token_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* q's MATCH (query.c's translation) with each prefix phrase "word" *
 * whose word is one token of ASCII letters, digits and '_' (as the
 * index's tokenizer, unicode61 with tokenchars _, reads it) replaced by
 * the OR of the index's words that start with it (prefix_words), for a
 * walk of at most walk matches, newest first; NULL to run the MATCH as
 * it is (no such phrase, none expanded, or an error).  Owned by the
 * caller. */
static char *prefix_match_why(struct store *st, const char *match, int walk, struct buf *why)
{
	if (!match || !strstr(match, "\" *"))
		return NULL;
	if (walk <= 0 || walk > PREFIX_WALK_MAX) {
		if (why)
			buf_printf(why,
			           "prefixes: a walk of more than %d matches: read as prefixes\n",
			           PREFIX_WALK_MAX);
		return NULL;
	}
	if (!vocab_ready(st)) {
		if (why)
			buf_adds(why, "prefixes: no list of the index's words: read as prefixes\n");
		return NULL;
	}
	struct buf out;
	buf_init(&out, 1 << 20);
	sqlite3_stmt *s = NULL;
	bool any = false;
	const char *p = match;
	while (*p) {
		if (*p != '"') {
			buf_addc(&out, *p++);
			continue;
		}
		/* A string: "" inside is a quote. */
		const char *e = p + 1;
		bool token = true;
		while (*e && !(e[0] == '"' && e[1] != '"')) {
			if (e[0] == '"') {
				token = false;
				e += 2;
				continue;
			}
			token = token && token_char(*e);
			e++;
		}
		if (!*e) {
			any = false; /* not FTS5's (cannot be): left as it is */
			break;
		}
		const char *after = e + 1;
		/* A phrase of its own: no '+' joins it to another. */
		const char *before = p;
		while (before > match && before[-1] == ' ')
			before--;
		bool alone = before == match || before[-1] != '+';
		if (token && e - p - 1 <= PREFIX_WORD_MAX && e > p + 1 &&
		    !strncmp(after, " *", 2) && alone && after[2] != '+' &&
		    strncmp(after + 2, " +", 2)) {
			char w[PREFIX_WORD_MAX];
			size_t n = (size_t)(e - p - 1);
			for (size_t i = 0; i < n; i++)
				w[i] = p[1 + i] >= 'A' && p[1 + i] <= 'Z' ? (char)(p[1 + i] + 32)
				                                          : p[1 + i];
			if (prefix_words(st, &s, w, n, &out, why)) {
				any = true;
				p = after + 2;
				continue;
			}
		} else if (why && !strncmp(after, " *", 2)) {
			buf_printf(
				why,
				"prefix %.*s *: not one word of ASCII letters and digits: read as a prefix\n",
				(int)(after - p), p);
		}
		buf_add(&out, p, (size_t)(after - p));
		p = after;
	}
	sqlite3_finalize(s);
	char *r = any && !out.err ? buf_steal(&out, NULL) : NULL;
	buf_free(&out);
	return r;
}

static char *prefix_match(struct store *st, const char *match, int walk)
{
	return prefix_match_why(st, match, walk, NULL);
}

/* Relevance is ranked among this many of the newest matches, so that a
 * query matching most of the archive costs a bounded amount of work. */
#define RANK_WINDOW 10000
/* A condition without a full-text part that more messages than this
 * meet is tested walking the messages newest first (see store_search);
 * fewer are read through the condition's index and sorted. */
#define DENSE_MIN 10000

/* The query's condition on m (other tables only through subqueries).
 * With seek, sc's id bounds may lead (a walk newest first from the
 * upper one: sql_listing's and sql_ids' dense walks); else they only
 * filter ("+"), and the condition's index or the full-text match leads:
 * counting from the lower bound upwards, or reading a few matches
 * through the rowid range, walked every message between the bounds,
 * which one message of the range indexed long after the others (a
 * wrong Date:) makes most of the archive. */
static void condition(struct buf *b, const struct search_query *q, const struct scope *sc,
                      bool seek)
{
	buf_addc(b, '(');
	buf_adds(b, search_where(q));
	buf_addc(b, ')');
	/* A hidden message is found by no search (its text stays indexed). */
	buf_adds(b, " AND " NOT_HIDDEN("m."));
	if (sc->list_id)
		/* "+": the list never picks the index (messages_daynum would
		 * walk every message of the list); the match, the rowid order
		 * or a date range (messages_when) do. */
		buf_adds(b, " AND +m.list_id = :list");
	if (sc->thread)
		/* A thread's messages are few: its index may lead. */
		buf_adds(b, " AND m.thread = :thread");
	if (sc->bounded)
		buf_adds(b, seek ? " AND m.id >= :idlo AND m.id <= :idhi"
		                 : " AND +m.id >= :idlo AND +m.id <= :idhi");
}

/* A date range (d:, dt:) whose messages are at most 1/DATE_SHARE_DIV of
 * the archive, and at most half as many as those after it, is found by
 * the ids it spans (date_bounds); any other is walked newest first or
 * read through its index as before (store_search_thread).  That is on
 * an index without messages_week; with it, any range is (week_bounds). */
#define DATE_SHARE_DIV 4

/* messages_week's key: the date's week, coalesce(date, ts) / WEEK_SECS
 * (SQLite's integer division truncates, as C's does). */
#define WEEK_SECS 604800
/* At most this many weeks (two lookups each: 75 years) bound a range;
 * a longer one is bounded as on an index without messages_week. */
#define WEEKS_MAX 4000

/* The day key of unix time t (UTC), moved by delta days; before the
 * year 1 it is 0, after 9999 99999999 (a key is an int). */
static int daykey_of(int64_t t, int delta)
{
	if (t < -62135596800LL + 2 * 86400)
		return 0;
	if (t > 253402300799LL - 2 * 86400)
		return 99999999;
	unsigned sec;
	int64_t y;
	unsigned m, d;
	civil_from_days(civil_days_of_unix(t, &sec) + delta, &y, &m, &d);
	return civil_daykey(y, m, d);
}

/* The id sql (prepared in *s the first time) gives for week w: 0 if
 * none, -1 on an error. */
static int64_t week_edge(struct store *st, sqlite3_stmt **s, const char *sql, int64_t w)
{
	if (!*s && sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK) {
		sqlite3_finalize(*s);
		*s = NULL;
		return -1;
	}
	sqlite3_bind_int64(*s, 1, w);
	int rc = sqlite3_step(*s);
	int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(*s, 0) : rc == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(*s);
	return v;
}

#define WEEK_OF "coalesce(date, ts) / 604800"
_Static_assert(WEEK_SECS == 604800, "WEEK_OF and messages_week say 604800");

/* Bounds sc by the smallest and largest id of the weeks [lo, hi) meets
 * (messages_week, every list, hidden or not: a superset of the range's
 * messages), two lookups a week, whatever the number of messages: a
 * walk newest first then starts at the range's last week instead of the
 * archive's newest message, and a word's full-text walk reads only that
 * stretch of its doclists.  Leaves sc unbounded when the range meets
 * every week of the archive.  Returns false, sc untouched, on an index
 * without messages_week (or one that is being made: a first index's
 * end), or a range of more than WEEKS_MAX weeks. */
static bool week_bounds(struct store *st, int64_t lo, int64_t hi, struct scope *sc)
{
	sqlite3_stmt *s[4] = {0};
	bool ok = false;
	int64_t first = 0, last = 0, wlo, whi;
	/* The archive's first and last weeks. */
	const char *ends[2] = {"SELECT " WEEK_OF
	                       " FROM messages INDEXED BY messages_week ORDER BY 1 LIMIT 1",
	                       "SELECT " WEEK_OF
	                       " FROM messages INDEXED BY messages_week ORDER BY 1 DESC LIMIT 1"};
	for (int i = 0; i < 2; i++) {
		if (sqlite3_prepare_v2(st->db, ends[i], -1, &s[i], NULL) != SQLITE_OK)
			goto out;
		int rc = sqlite3_step(s[i]);
		if (rc == SQLITE_DONE) { /* no messages */
			sc->bounded = true;
			sc->bounds_by = "weeks";
			sc->idlo = 1;
			sc->idhi = 0;
			ok = true;
			goto out;
		}
		if (rc != SQLITE_ROW)
			goto out;
		*(i ? &last : &first) = sqlite3_column_int64(s[i], 0);
	}
	wlo = lo == INT64_MIN ? first : lo / WEEK_SECS;
	whi = hi == INT64_MAX ? last : (hi - 1) / WEEK_SECS;
	if (wlo <= first && whi >= last) {
		ok = true; /* every week: nothing to bound */
		goto out;
	}
	if (wlo < first)
		wlo = first;
	if (whi > last)
		whi = last;
	if (whi - wlo >= WEEKS_MAX)
		goto out;
	sqlite3_finalize(s[0]);
	sqlite3_finalize(s[1]);
	s[0] = s[1] = NULL;
	/* A side that reaches the archive's first (last) week needs no
	 * bound there: 1 (INT64_MAX) holds every id. */
	bool need_lo = wlo > first, need_hi = whi < last, any = false;
	int64_t idlo = need_lo ? INT64_MAX : 1, idhi = need_hi ? 0 : INT64_MAX;
	for (int64_t w = wlo; w <= whi; w++) {
		int64_t a =
			week_edge(st, &s[2],
		                  "SELECT id FROM messages INDEXED BY messages_week WHERE " WEEK_OF
		                  " = ?1 ORDER BY id LIMIT 1",
		                  w);
		if (a < 0)
			goto out;
		if (a == 0)
			continue; /* an empty week */
		any = true;
		if (need_lo && a < idlo)
			idlo = a;
		if (!need_hi)
			continue;
		int64_t b =
			week_edge(st, &s[3],
		                  "SELECT id FROM messages INDEXED BY messages_week WHERE " WEEK_OF
		                  " = ?1 ORDER BY id DESC LIMIT 1",
		                  w);
		if (b < 0)
			goto out;
		if (b > idhi)
			idhi = b;
	}
	sc->bounded = true;
	sc->bounds_by = "weeks";
	sc->idlo = any ? idlo : 1; /* (none: 1..0) */
	sc->idhi = any ? idhi : 0;
	ok = true;
out:
	for (int i = 0; i < 4; i++)
		sqlite3_finalize(s[i]);
	return ok;
}

/* Bounds sc by the ids of the messages q's date range meets, when that
 * range is a small and old part of the archive: a walk newest first
 * (a condition more than DENSE_MIN meet) passed every message after
 * the range before its first match (d:2010 at a million messages: the
 * newer 60% of the archive, 50-70 ms), and the full-text walk of a
 * word passed every newer match of the word.  The bounds are exact
 * (min and max of the ids in the range's index, every list, hidden or
 * not: a superset), so the matches are the same; the range's share of
 * the archive, and of the messages after it, is guessed first from the
 * days' counts (by URL day, within a day of the Date: for nearly every
 * message), since finding the bounds reads an index entry per message
 * in the range.  Leaves sc unbounded if not worth it, or on an error. */
static void date_bounds(struct store *st, const struct search_query *q, struct scope *sc)
{
	int64_t lo, hi;
	if (sc->thread || !search_date_range(q, &lo, &hi))
		return;
	if (lo >= hi) {
		sc->bounded = true; /* nothing matches */
		sc->bounds_by = "empty range";
		sc->idlo = 1;
		sc->idhi = 0;
		return;
	}
	if (week_bounds(st, lo, hi, sc))
		return;
	int dlo = lo == INT64_MIN ? 0 : daykey_of(lo, -1);
	int dhi = hi == INT64_MAX ? 99999999 : daykey_of(hi - 1, 1);
	sqlite3_stmt *s = NULL;
	/* Every list's days, also for a search of one: the bounds are read
	 * from every list's messages, and the walks pass them all. */
	if (st_prepare_sql(st,
	                   "SELECT total(count), total(iif(day BETWEEN ?1 AND ?2, count, 0)),"
	                   " total(iif(day > ?2, count, 0)) FROM days",
	                   0, &s) != SQLITE_OK)
		goto out;
	sqlite3_bind_int(s, 1, dlo);
	sqlite3_bind_int(s, 2, dhi);
	if (sqlite3_step(s) != SQLITE_ROW)
		goto out;
	double all = sqlite3_column_double(s, 0), in = sqlite3_column_double(s, 1),
	       after = sqlite3_column_double(s, 2);
	sqlite3_finalize(s);
	s = NULL;
	if (in * DATE_SHARE_DIV > all || in * 2 > after)
		goto out;
	char sql[200];
	snprintf(sql, sizeof sql, "SELECT min(m.id), max(m.id) FROM messages m WHERE %s%s%s",
	         lo == INT64_MIN ? "" : "coalesce(m.date, m.ts) >= ?1",
	         lo != INT64_MIN && hi != INT64_MAX ? " AND " : "",
	         hi == INT64_MAX ? "" : "coalesce(m.date, m.ts) < ?2");
	if (st_prepare_sql(st, sql, 0, &s) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(s, 1, lo);
	sqlite3_bind_int64(s, 2, hi);
	if (sqlite3_step(s) != SQLITE_ROW)
		goto out;
	sc->bounded = true;
	sc->bounds_by = "messages";
	if (sqlite3_column_type(s, 0) == SQLITE_NULL) {
		sc->idlo = 1; /* none */
		sc->idhi = 0;
	} else {
		sc->idlo = sqlite3_column_int64(s, 0);
		sc->idhi = sqlite3_column_int64(s, 1);
	}
out:
	sqlite3_finalize(s);
}

/* The id bounds of sc on the full-text side, which FTS5 takes as a
 * range of its doclists (SQLite carries only equalities from m.id over
 * to fts.rowid).  After the condition: a named parameter takes the
 * first free number where it first appears, and the condition's are
 * ?2.. */
static void fts_bounds(struct buf *b, const struct scope *sc)
{
	if (sc->bounded)
		buf_adds(b, " AND fts.rowid >= :idlo AND fts.rowid <= :idhi");
}

/* FROM and WHERE of a query: of its matches (for counting them or
 * walking their ids), or, with ranked set, of the relevance listing, whose
 * full-text matches come from a subquery that keeps the newest
 * RANK_WINDOW of those that meet the condition, with their score (as
 * hits.score: rank.c's lrank, bm25 with each phrase's rows counted up to
 * RANK_COUNT_MAX).  With names set, mids and lists are joined for the
 * listing's columns.
 *
 * CROSS JOIN keeps the full-text match the outer loop: given the choice,
 * SQLite walked a list's messages by messages_daynum and ran the MATCH
 * once per message (rowid=?), and a search page of a list took 5.7 s at
 * 20,000 messages, growing with the list (bench/scale). */
static void from_where(struct buf *b, const struct search_query *q, const struct scope *sc,
                       bool ranked, bool names)
{
	bool match = search_match(q) != NULL;
	if (match && ranked) {
		buf_adds(
			b,
			" FROM (SELECT m.id AS r, lrank(fts) AS score FROM fts CROSS JOIN messages m"
			" ON m.id = fts.rowid WHERE fts MATCH ?1 AND ");
		condition(b, q, sc, false);
		fts_bounds(b, sc);
		buf_printf(b,
		           " ORDER BY fts.rowid DESC LIMIT %d) AS hits CROSS JOIN messages m"
		           " ON m.id = hits.r",
		           RANK_WINDOW);
	} else {
		buf_adds(b, match ? " FROM fts CROSS JOIN messages m ON m.id = fts.rowid"
		                  : " FROM messages m");
	}
	if (names)
		buf_adds(b, " JOIN mids ON mids.id = m.mid JOIN lists l ON l.id = m.list_id");
	if (match && ranked)
		return;
	buf_adds(b, " WHERE ");
	if (match)
		buf_adds(b, "fts MATCH ?1 AND ");
	condition(b, q, sc, false);
	if (match)
		fts_bounds(b, sc);
}

#define ENTRY_COLUMNS                                                              \
	"SELECT m.id, l.name, m.day, m.num, m.ts, m.date, m.subject, m.from_name," \
	" m.from_addr, mids.mid, m.thread, m.mid, m.parent, m.tz"

/* The row of an ENTRY_COLUMNS statement as an entry; false if a column
 * could not be had (out of memory). */
static bool row_entry(sqlite3_stmt *s, struct store_entry *en)
{
	en->id = sqlite3_column_int64(s, 0);
	en->list = (const char *)sqlite3_column_text(s, 1);
	en->day = sqlite3_column_int(s, 2);
	en->num = sqlite3_column_int(s, 3);
	en->ts = sqlite3_column_int64(s, 4);
	en->has_date = sqlite3_column_type(s, 5) != SQLITE_NULL;
	en->date = sqlite3_column_int64(s, 5);
	en->subject = (const char *)sqlite3_column_text(s, 6);
	en->from_name = (const char *)sqlite3_column_text(s, 7);
	en->from_addr = (const char *)sqlite3_column_text(s, 8);
	en->msgid = (const char *)sqlite3_column_text(s, 9);
	en->thread = sqlite3_column_int64(s, 10);
	en->mid = sqlite3_column_int64(s, 11);
	en->parent = sqlite3_column_int64(s, 12);
	en->has_tz = sqlite3_column_type(s, 13) != SQLITE_NULL;
	en->tz = en->has_tz ? sqlite3_column_int(s, 13) : 0;
	return en->list && en->subject && en->from_name && en->from_addr && en->msgid;
}

/* The statement of the matches newest first, walk of them at most
 * (search_newest_match). */
static void sql_walk(struct buf *b, const struct search_query *q, const struct scope *sc, int walk)
{
	buf_adds(b, "SELECT fts.rowid");
	from_where(b, q, sc, false, false);
	buf_printf(b, " ORDER BY fts.rowid DESC LIMIT %d", walk);
}

/* An m: among a full-text match's ANDs that at most this many rows of
 * mid_words give (search_mid_rows) drives the walk (sql_walk_mids). */
#define MID_SMALL 500

/* sql_walk's matches from the side of the query's m: (search_mid_rows:
 * a handful of Message-IDs), each checked against the MATCH, where the
 * walk of the full-text matches passed all of those that are not among
 * them (m:33333 s:cifs at 100,000 messages: every cifs message, 38 ms). */
static void sql_walk_mids(struct buf *b, const struct search_query *q, const struct scope *sc,
                          int walk)
{
	buf_adds(b, "SELECT m.id FROM messages m WHERE ");
	condition(b, q, sc, false);
	buf_adds(b, " AND EXISTS (SELECT 1 FROM fts WHERE fts MATCH ?1 AND fts.rowid = m.id)");
	buf_printf(b, " ORDER BY +m.id DESC LIMIT %d", walk);
}

/* The statement counting the matches, up to counted. */
static void sql_count(struct buf *b, const struct search_query *q, const struct scope *sc,
                      int counted)
{
	buf_adds(b, "SELECT count(*) FROM (SELECT 1");
	from_where(b, q, sc, false, false);
	buf_printf(b, " LIMIT %d)", counted);
}

/* How many messages meet q's condition alone, up to DENSE_MIN + 1; 0
 * on an error (the page is then read through the index). */
static int count_where(struct store *st, const struct search_query *q)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	buf_adds(&b, "SELECT count(*) FROM (SELECT 1 FROM messages m WHERE ");
	buf_adds(&b, search_where(q));
	buf_printf(&b, " LIMIT %d)", DENSE_MIN + 1);
	sqlite3_stmt *s = NULL;
	struct scope none = {.list_id = 0};
	int n = 0;
	if (!b.err && sqlite3_prepare_v2(st->db, buf_cstr(&b), -1, &s, NULL) == SQLITE_OK) {
		bind_all(s, q, &none);
		if (sqlite3_step(s) == SQLITE_ROW)
			n = sqlite3_column_int(s, 0);
	}
	sqlite3_finalize(s);
	buf_free(&b);
	return n;
}

/* The statement of a page of the matches: by relevance (ranked), or
 * newest first, dense when more than DENSE_MIN match. */
static void sql_listing(struct buf *b, const struct search_query *q, const struct scope *sc,
                        bool ranked, bool dense, int offset, int limit)
{
	buf_adds(b, ENTRY_COLUMNS);
	if (ranked) {
		from_where(b, q, sc, true, true);
		buf_printf(b, " ORDER BY hits.score, m.id DESC LIMIT %d OFFSET %d", limit, offset);
		return;
	}
	/* Newest first is arrival order (ids rise as mail is indexed).
	 * The page's ids are picked first, from the condition alone
	 * (through its index: a date range is a covering scan), and only
	 * their rows are read: sorting the rows themselves read every
	 * match's row (d:2010 at 100,000 messages: 8 → 2 ms).
	 *
	 * A condition that many messages meet (a wide d: range, an l:
	 * alone) is cheaper to test walking the messages newest first,
	 * which stops at the page, than to read through its index and
	 * sort: d:2005..2014 on a million messages took 330 ms that way,
	 * 30 ms walking.  A narrow one is not: the walk passes every
	 * message newer than its matches (d:2015-06, 5,000 matches in a
	 * million: 28 ms walking). */
	buf_adds(b, " FROM messages m JOIN mids ON mids.id = m.mid JOIN lists l ON l.id ="
	            " m.list_id WHERE m.id IN (SELECT m.id FROM messages m");
	if (dense)
		buf_adds(b, " NOT INDEXED");
	buf_adds(b, " WHERE ");
	condition(b, q, sc, dense);
	/* (+m.id when few match: SQLite, which cannot know how few, would
	 * rather walk the ids in order than sort, and walked every message
	 * for z:10000.. through a one-sided range.) */
	buf_printf(b, " ORDER BY %sm.id DESC LIMIT %d OFFSET %d) ORDER BY m.id DESC",
	           dense ? "" : "+", limit, offset);
}

void search_sql(const struct search_query *q, int64_t list_id, int step, struct buf *out)
{
	struct scope sc = {.list_id = list_id};
	if (step == 0 && search_match(q))
		sql_walk(out, q, &sc, RESULTS_COUNT_EXACT);
	else if (step == 0)
		sql_count(out, q, &sc, DENSE_MIN + 1);
	else
		sql_listing(out, q, &sc, step == 3 && search_match(q), step == 2, 0,
		            RESULTS_PER_PAGE);
}

/* The rows of ids[0..n), in that order, to fn (until it returns false). */
static enum la_status emit_ids(struct store *st, const int64_t *ids, int n, store_entry_fn fn,
                               void *arg)
{
	sqlite3_stmt *s = NULL;
	enum la_status e = LA_OK;
	if (st_prepare_sql(st,
	                   ENTRY_COLUMNS " FROM messages m JOIN mids ON mids.id = m.mid"
	                                 " JOIN lists l ON l.id = m.list_id WHERE m.id = ?1",
	                   0, &s) != SQLITE_OK) {
		sqlite3_finalize(s);
		return LA_EDB;
	}
	for (int i = 0; i < n; i++) {
		sqlite3_bind_int64(s, 1, ids[i]);
		int rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			struct store_entry en;
			if (!row_entry(s, &en)) {
				e = LA_ENOMEM;
				break;
			}
			if (!fn(&en, arg))
				break;
		} else if (rc != SQLITE_DONE) {
			e = st_error(rc);
			break;
		}
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	return e;
}

/* Newest first with a full-text match, in one pass: the matches are
 * walked newest first once, counted up to count_max, and the ids of
 * those on the page kept; then the page's rows are read by id.  Counting
 * and listing separately made FTS5 do its work twice (a prefix query
 * merges the doclists of every word it covers, each time). */
static enum la_status search_newest_match(struct store *st, const struct search_query *q,
                                          const struct scope *sc, int offset, int limit,
                                          int count_max, int *total, store_entry_fn fn, void *arg)
{
	struct buf sql;
	buf_init(&sql, 1 << 20);
	sqlite3_stmt *s = NULL;
	enum la_status e = LA_OK;
	int64_t *ids = NULL;
	char *match = NULL;
	int n = 0, rc, seen = 0;
	/* Walked as far as the count or the page needs, whichever is
	 * further (a feed asks for no count). */
	int walk = offset + limit > count_max ? offset + limit : count_max;
	if (limit > 0 && !(ids = malloc(sizeof *ids * (size_t)limit))) {
		e = LA_ENOMEM;
		goto out;
	}
	int few = search_mid_rows(q);
	if (few >= 0 && few <= MID_SMALL)
		sql_walk_mids(&sql, q, sc, walk);
	else
		sql_walk(&sql, q, sc, walk);
	if (sql.err || st_prepare_sql(st, buf_cstr(&sql), 0, &s) != SQLITE_OK) {
		e = LA_EDB;
		goto out;
	}
	match = prefix_match(st, search_match(q), walk);
	bind_match(s, q, sc, match);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (seen >= offset && n < limit)
			ids[n++] = sqlite3_column_int64(s, 0);
		seen++;
	}
	*total = seen < count_max ? seen : count_max;
	sqlite3_finalize(s);
	s = NULL;
	if (rc != SQLITE_DONE) {
		e = st_error(rc);
		goto out;
	}
	if (n > 0)
		e = emit_ids(st, ids, n, fn, arg);
out:
	sqlite3_finalize(s);
	free(match);
	free(ids);
	buf_free(&sql);
	return e;
}

/* The statement of the ids of q's matches newest first, walk of them at
 * most (0: all). */
static void sql_ids(struct store *st, struct buf *sql, const struct search_query *q,
                    const struct scope *sc, int walk)
{
	if (search_match(q)) {
		sql_walk(sql, q, sc, walk ? walk : INT32_MAX);
		return;
	}
	/* As sql_listing picks the page's ids: walking the messages newest
	 * first when many meet the condition, else through its index,
	 * sorted. */
	bool dense = !strstr(search_where(q), "fts MATCH") && !sc->thread &&
	             (search_walk(q) || count_where(st, q) > DENSE_MIN);
	buf_adds(sql, "SELECT m.id FROM messages m");
	if (dense)
		buf_adds(sql, " NOT INDEXED");
	buf_adds(sql, " WHERE ");
	condition(sql, q, sc, dense);
	buf_printf(sql, " ORDER BY %sm.id DESC", dense ? "" : "+");
	if (walk)
		buf_printf(sql, " LIMIT %d", walk);
}

/* One member of an OR read on its own (search_branches): its matches'
 * ids newest first, walk of them at most, appended to *ids (*n of them,
 * *cap allocated). */
static enum la_status branch_ids(struct store *st, const struct search_query *b,
                                 const struct scope *sc, int walk, int64_t **ids, size_t *n,
                                 size_t *cap)
{
	struct buf sql;
	buf_init(&sql, 1 << 20);
	sql_ids(st, &sql, b, sc, walk);
	sqlite3_stmt *s = NULL;
	enum la_status e = LA_OK;
	int rc = SQLITE_DONE;
	char *match = NULL;
	if (sql.err || st_prepare_sql(st, buf_cstr(&sql), 0, &s) != SQLITE_OK) {
		e = LA_EDB;
		goto out;
	}
	match = prefix_match(st, search_match(b), walk);
	bind_match(s, b, sc, match);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!vec_reserve(ids, cap, *n + 1, sizeof **ids)) {
			e = LA_ENOMEM;
			break;
		}
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	if (!e && rc != SQLITE_DONE)
		e = st_error(rc);
out:
	sqlite3_finalize(s);
	free(match);
	buf_free(&sql);
	return e;
}

/* Newest first, an OR of members some of which are full-text and some
 * not (m:x OR s:cifs): each member's matches walked newest first as far
 * as the count or the page needs, through its own index or MATCH, and
 * the lists merged.  The newest k of the union are among the newest k of
 * each member, so the page and the count (up to count_max) are those of
 * the OR as one condition, which SQLite read by making the whole set of
 * the full-text member's matches first. */
static enum la_status search_union(struct store *st, const struct search_query *q,
                                   const struct scope *sc, int offset, int limit, int count_max,
                                   int *total, store_entry_fn fn, void *arg)
{
	size_t nb;
	const struct search_query *const *br = search_branches(q, &nb);
	int walk = offset + limit > count_max ? offset + limit : count_max;
	int64_t *all = NULL;
	size_t n = 0, cap = 0, start[QUERY_MAX_BRANCHES + 1];
	enum la_status e = LA_OK;
	for (size_t i = 0; i < nb && !e; i++) {
		start[i] = n;
		e = branch_ids(st, br[i], sc, walk, &all, &n, &cap);
	}
	start[nb] = n;
	int64_t *page = NULL;
	if (!e && limit > 0 && !(page = malloc(sizeof *page * (size_t)limit)))
		e = LA_ENOMEM;
	if (e)
		goto out;
	/* The merge, newest first, each id once. */
	size_t at[QUERY_MAX_BRANCHES];
	for (size_t i = 0; i < nb; i++)
		at[i] = start[i];
	int seen = 0, k = 0;
	while (seen < walk) {
		int64_t top = 0;
		bool any = false;
		for (size_t i = 0; i < nb; i++)
			if (at[i] < start[i + 1] && (!any || all[at[i]] > top)) {
				top = all[at[i]];
				any = true;
			}
		if (!any)
			break;
		for (size_t i = 0; i < nb; i++)
			if (at[i] < start[i + 1] && all[at[i]] == top)
				at[i]++;
		if (seen >= offset && k < limit)
			page[k++] = top;
		seen++;
	}
	*total = seen < count_max ? seen : count_max;
	if (k > 0)
		e = emit_ids(st, page, k, fn, arg);
out:
	free(page);
	free(all);
	return e;
}

/* Newest first, a condition less NOTs of full-text terms (NOT s:patch,
 * d:2015-06 -patch): the condition's matches walked newest first and
 * each NOT's full-text matches beside them, newest first from the
 * condition's newest, in step; a message that one of them has is left
 * out.  Only as many as the count or the page needs are walked, where
 * SQLite made the whole set of the NOTs' matches first (s:patch: 80,000
 * of 100,000 messages). */
static enum la_status search_less(struct store *st, const struct search_query *q,
                                  const struct scope *sc, int offset, int limit, int count_max,
                                  int *total, store_entry_fn fn, void *arg)
{
	const char *const *minus;
	size_t nm;
	const struct search_query *rest = search_except(q, &minus, &nm);
	int walk = offset + limit > count_max ? offset + limit : count_max;
	struct buf sql;
	buf_init(&sql, 1 << 20);
	sqlite3_stmt *s = NULL, *ex[QUERY_MAX_BRANCHES] = {0};
	char *exm[QUERY_MAX_BRANCHES] = {0}; /* prefix_match's of minus */
	int64_t at[QUERY_MAX_BRANCHES];      /* each NOT's match now, -1 past the last */
	int64_t *page = NULL;
	enum la_status e = LA_OK;
	int rc = SQLITE_DONE, seen = 0, k = 0;
	if (limit > 0 && !(page = malloc(sizeof *page * (size_t)limit))) {
		e = LA_ENOMEM;
		goto out;
	}
	sql_ids(st, &sql, rest, sc, 0);
	if (sql.err || st_prepare_sql(st, buf_cstr(&sql), 0, &s) != SQLITE_OK) {
		e = LA_EDB;
		goto out;
	}
	bind_all(s, rest, sc);
	while (seen < walk && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		bool skip = false;
		for (size_t i = 0; i < nm && !skip; i++) {
			if (!ex[i]) {
				/* From the newest of the condition's down. */
				if (st_prepare_sql(
					    st,
					    "SELECT rowid FROM fts WHERE fts MATCH ?1 AND rowid <= ?2"
					    " ORDER BY rowid DESC",
					    0, &ex[i]) != SQLITE_OK) {
					e = LA_EDB;
					goto out;
				}
				exm[i] = prefix_match(st, minus[i], walk);
				sqlite3_bind_text(ex[i], 1, exm[i] ? exm[i] : minus[i], -1,
				                  SQLITE_STATIC);
				sqlite3_bind_int64(ex[i], 2, id);
				at[i] = INT64_MAX;
			}
			while (at[i] > id) {
				int r = sqlite3_step(ex[i]);
				if (r == SQLITE_ROW) {
					at[i] = sqlite3_column_int64(ex[i], 0);
				} else if (r == SQLITE_DONE) {
					at[i] = -1;
				} else {
					e = st_error(r);
					goto out;
				}
			}
			skip = at[i] == id;
		}
		if (skip)
			continue;
		if (seen >= offset && k < limit)
			page[k++] = id;
		seen++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		e = st_error(rc);
		goto out;
	}
	*total = seen < count_max ? seen : count_max;
	if (k > 0)
		e = emit_ids(st, page, k, fn, arg);
out:
	sqlite3_finalize(s);
	for (size_t i = 0; i < nm; i++) {
		sqlite3_finalize(ex[i]);
		free(exm[i]);
	}
	free(page);
	buf_free(&sql);
	return e;
}

enum store_search_plan store_search_plan(const struct search_query *q, enum search_order order)
{
	if (search_match(q))
		return order == SEARCH_RELEVANCE ? STORE_PLAN_RANKED : STORE_PLAN_MATCH;
	size_t n;
	const char *const *minus;
	if (search_branches(q, &n), n)
		return STORE_PLAN_UNION;
	if (search_except(q, &minus, &n))
		return STORE_PLAN_EXCEPT;
	return STORE_PLAN_CONDITION;
}

/* One part of a plan: "label" and q's MATCH and condition. */
static void explain_part(struct buf *out, const char *label, const struct search_query *q)
{
	buf_adds(out, label);
	search_describe(q, out);
	buf_addc(out, '\n');
}

void store_search_explain(const struct search_query *q, enum search_order order, struct buf *out)
{
	size_t n;
	switch (store_search_plan(q, order)) {
	case STORE_PLAN_MATCH:
		buf_adds(out, "plan: full-text matches, newest first\n");
		explain_part(out, "", q);
		break;
	case STORE_PLAN_RANKED:
		buf_printf(
			out,
			"plan: full-text matches by relevance (bm25, each phrase's rows counted up "
			"to %d), among the newest %d\n",
			RANK_COUNT_MAX, RANK_WINDOW);
		explain_part(out, "", q);
		break;
	case STORE_PLAN_UNION: {
		const struct search_query *const *br = search_branches(q, &n);
		buf_printf(out, "plan: union of %zu members, each newest first, merged\n", n);
		for (size_t i = 0; i < n; i++) {
			char label[32];
			snprintf(label, sizeof label, "member %zu: ", i + 1);
			explain_part(out, label, br[i]);
		}
		break;
	}
	case STORE_PLAN_EXCEPT: {
		const char *const *minus;
		const struct search_query *rest = search_except(q, &minus, &n);
		buf_printf(
			out,
			"plan: condition newest first, less %zu full-text NOT%s walked in step\n",
			n, n == 1 ? "" : "s");
		explain_part(out, "condition: ", rest);
		for (size_t i = 0; i < n; i++)
			buf_printf(out, "less: %s\n", minus[i]);
		break;
	}
	case STORE_PLAN_CONDITION:
		buf_printf(out,
		           "plan: condition%s, counted; more than %d matches walked newest first, "
		           "fewer read through its index\n",
		           strstr(search_where(q), "fts MATCH")
		                   ? " (its full-text parts' matches made first)"
		                   : "",
		           DENSE_MIN);
		explain_part(out, "", q);
		break;
	}
}

void store_search_explain_bounds(struct store *st, const struct search_query *q, struct buf *out)
{
	struct scope sc = {.list_id = 0};
	date_bounds(st, q, &sc);
	if (!sc.bounded)
		return;
	const char *by = !strcmp(sc.bounds_by, "weeks")      ? "its weeks' (messages_week)"
	                 : !strcmp(sc.bounds_by, "messages") ? "its messages' (messages_when)"
	                                                     : "an empty range's";
	if (sc.idlo > sc.idhi)
		buf_printf(out, "date range bounds: no ids, from %s\n", by);
	else
		buf_printf(out, "date range bounds: ids %lld..%lld, from %s\n", (long long)sc.idlo,
		           (long long)sc.idhi, by);
}

void store_search_explain_prefixes(struct store *st, const struct search_query *q,
                                   enum search_order order, int walk, struct buf *out)
{
	size_t n;
	const char *const *minus;
	switch (store_search_plan(q, order)) {
	case STORE_PLAN_MATCH: free(prefix_match_why(st, search_match(q), walk, out)); break;
	case STORE_PLAN_UNION: {
		const struct search_query *const *br = search_branches(q, &n);
		for (size_t i = 0; i < n; i++)
			free(prefix_match_why(st, search_match(br[i]), walk, out));
		break;
	}
	case STORE_PLAN_EXCEPT:
		search_except(q, &minus, &n);
		for (size_t i = 0; i < n; i++)
			free(prefix_match_why(st, minus[i], walk, out));
		break;
	case STORE_PLAN_RANKED:
	case STORE_PLAN_CONDITION: break;
	}
}

enum la_status store_search(struct store *st, const struct search_query *q, int64_t list_id,
                            enum search_order order, int offset, int limit, int count_max,
                            int *total, store_entry_fn fn, void *arg)
{
	return store_search_thread(st, q, list_id, 0, order, offset, limit, count_max, total, fn,
	                           arg);
}

enum la_status store_search_thread(struct store *st, const struct search_query *q, int64_t list_id,
                                   int64_t thread, enum search_order order, int offset, int limit,
                                   int count_max, int *total, store_entry_fn fn, void *arg)
{
	struct scope scope = {.list_id = list_id, .thread = thread}, *sc = &scope;
	*total = 0;
	date_bounds(st, q, sc);
	enum store_search_plan plan = store_search_plan(q, order);
	bool ranked = plan == STORE_PLAN_RANKED;
	if (plan == STORE_PLAN_MATCH)
		return search_newest_match(st, q, sc, offset, limit, count_max, total, fn, arg);
	if (plan == STORE_PLAN_UNION)
		return search_union(st, q, sc, offset, limit, count_max, total, fn, arg);
	if (plan == STORE_PLAN_EXCEPT)
		return search_less(st, q, sc, offset, limit, count_max, total, fn, arg);

	struct buf sql;
	buf_init(&sql, 1 << 20);
	enum la_status e = LA_OK;
	sqlite3_stmt *s = NULL;

	/* A bounded count: a query that matches a million messages costs
	 * count_max rows, not a million (one more tells whether there are
	 * more).  Without words, how many match decides how the page is read (see
	 * sql_listing): past count_max, they are counted on to DENSE_MIN by
	 * the condition alone when it has an index (count_where), else here
	 * (a condition with a full-text part, m:x OR s:y, would run its
	 * MATCH once more there). */
	bool cheap = !strstr(search_where(q), "fts MATCH");
	int counted = search_match(q) || count_max >= DENSE_MIN ? count_max
	              : cheap || sc->thread                     ? count_max + 1
	                                                        : DENSE_MIN + 1;
	sql_count(&sql, q, sc, counted);
	if (sql.err || st_prepare_sql(st, buf_cstr(&sql), 0, &s) != SQLITE_OK) {
		e = LA_EDB;
		goto out;
	}
	bind_all(s, q, sc);
	int matches = 0;
	if (sqlite3_step(s) == SQLITE_ROW)
		matches = sqlite3_column_int(s, 0);
	else
		e = LA_EDB;
	sqlite3_finalize(s);
	s = NULL;
	*total = matches < count_max ? matches : count_max;
	if (e || matches == 0)
		goto out;

	/* count_where reads no row (the hidden bit and the list are left
	 * out: an estimate from above); counting on with the rows read took
	 * three times as long (d:2005..2014 at 100,000 messages: 3.9 → 1.2
	 * ms).  A thread's messages are few: read through its index
	 * whatever the count. */
	bool dense = matches > DENSE_MIN || (search_walk(q) && cheap && !sc->thread);
	if (!ranked && !dense && !sc->thread && cheap && matches > count_max)
		dense = count_where(st, q) > DENSE_MIN;
	buf_reset(&sql);
	sql_listing(&sql, q, sc, ranked, dense, offset, limit);
	if (sql.err || st_prepare_sql(st, buf_cstr(&sql), 0, &s) != SQLITE_OK) {
		e = LA_EDB;
		goto out;
	}
	bind_all(s, q, sc);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_entry en;
		if (!row_entry(s, &en)) {
			rc = SQLITE_NOMEM;
			break;
		}
		if (!fn(&en, arg)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		e = st_error(rc);
out:
	sqlite3_finalize(s);
	buf_free(&sql);
	return e;
}

/* search_mids' rows: mid_words' rows of the word w, or of the words in
 * [w, end), up to cap (0 on an error: the lookup, as before); the two
 * statements prepared once a parse. */
struct mid_counter {
	struct store *st;
	sqlite3_stmt *one, *range;
};

static int mid_word_rows(void *arg, const char *w, const char *end, int cap)
{
	struct mid_counter *mc = arg;
	sqlite3_stmt **s = end ? &mc->range : &mc->one;
	if (!*s &&
	    st_prepare_sql(mc->st,
	                   end ? "SELECT count(*) FROM (SELECT 1 FROM mid_words WHERE w >= ?1"
	                         " AND w < ?2 LIMIT ?3)"
	                       : "SELECT count(*) FROM (SELECT 1 FROM mid_words WHERE w = ?1"
	                         " LIMIT ?3)",
	                   0, s) != SQLITE_OK) {
		sqlite3_finalize(*s);
		*s = NULL;
		return 0;
	}
	sqlite3_bind_text(*s, 1, w, -1, SQLITE_STATIC);
	if (end)
		sqlite3_bind_text(*s, 2, end, -1, SQLITE_STATIC);
	sqlite3_bind_int(*s, 3, cap);
	int n = sqlite3_step(*s) == SQLITE_ROW ? sqlite3_column_int(*s, 0) : 0;
	sqlite3_reset(*s);
	return n;
}

enum la_status store_search_parse(struct store *st, const char *q, size_t n, int64_t now,
                                  struct search_query **out, struct la_err *err)
{
	enum search_index ix = !store_search_lore(st)    ? SEARCH_INDEX_OLD
	                       : !store_search_stems(st) ? SEARCH_INDEX_NOSTEM
	                                                 : SEARCH_INDEX_LORE;
	if (!store_mid_words(st))
		return search_parse_for(q, n, now, ix, false, out, err);
	/* The walk costs a message read per message it passes, about
	 * messages / rows per match, for count_max (~1,000) matches; the
	 * list a read of each row and a lookup: the walk is cheaper past
	 * about 20 * sqrt(messages) rows (100,000 messages: 6,300). */
	struct mid_counter counter = {.st = st};
	struct search_mids mids = {.rows = mid_word_rows, .arg = &counter, .walk_min = 1000};
	sqlite3_stmt *s = NULL;
	if (st_prepare_sql(st, "SELECT max(id) FROM messages", 0, &s) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW) {
		int64_t m = sqlite3_column_int64(s, 0), r = 1;
		/* (Its square root, by Newton's steps from above.) */
		if (m > 1)
			for (r = m; r * r > m;)
				r = (r + m / r) / 2;
		if (r <= 100000000 / 20 && 20 * r > mids.walk_min)
			mids.walk_min = (int)(20 * r);
	}
	sqlite3_finalize(s);
	enum la_status e = search_parse_mids(q, n, now, ix, &mids, out, err);
	sqlite3_finalize(counter.one);
	sqlite3_finalize(counter.range);
	return e;
}
