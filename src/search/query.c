/* query.c: lexer, grammar and translation of the search language. */
#include "search/search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "msg/msg.h"
#include "msg/text.h"
#include "search/when.h"
#include "util/cjk.h"
#include "util/fold.h"
#include "util/stem.h"
#include "util/utf8.h"

/* ---- fields ---- */

/* What a prefix searches: full-text columns (one FTS5 column filter) or
 * an SQL condition on the message row.  The prefixes are public-inbox's
 * (lore's); "" is a bare word. */
enum field {
	F_DEFAULT, /* subject, From and body */
	F_S,
	F_F,
	F_T,
	F_C,
	F_TC,
	F_TCF,
	F_A,
	F_B,
	F_BS,
	F_Q,
	F_NQ,
	F_DFN,
	F_DFA,
	F_DFB,
	F_DFCTX,
	F_DFHH,
	F_DFPRE,
	F_DFPOST,
	F_DFBLOB,
	F_N,
	F_L,
	F_LID,
	F_M, /* the rest are SQL conditions, not full text */
	F_D,
	F_DT,
	F_RT,
	F_Z,
	F_PATCHID,
	F_V,      /* v: a patch series' version */
	F_SERIES, /* series: a patch series' state */
};

/* Field flags: LORE needs the search index of lore's columns (an older
 * index lacks them until `reindex --search`); BLOB takes a blob id. */
enum { FD_LORE = 1, FD_BLOB = 2 };

/* The columns of the search index: lore's (the default; as lore's, nq:
 * b: bs: and bare words search the diffs' parts too, and bare words the
 * attachments' names), or an older index's (before `reindex --search`),
 * where nq holds the diffs' lines too and the lore-only columns are
 * missing (old_columns NULL). */
static const struct field_def {
	const char *prefix;
	enum field field;
	const char *columns;     /* FTS5 column filter */
	const char *old_columns; /* the same in an older index */
	unsigned flags;
} fields[] = {
	{"", F_DEFAULT, "{s f nq q n dfn dfa dfb dfctx dfhh}", "{s f nq q}", 0},
	{"s", F_S, "s", "s", 0},
	{"f", F_F, "f", "f", 0},
	{"t", F_T, "t", "t", 0},
	{"c", F_C, "c", "c", 0},
	{"tc", F_TC, "{t c}", "{t c}", 0},
	{"tcf", F_TCF, "{t c f}", "{t c f}", 0},
	{"a", F_A, "{f t c}", "{f t c}", 0},
	{"b", F_B, "{nq q dfn dfa dfb dfctx dfhh}", "{nq q}", 0},
	{"bs", F_BS, "{s nq q dfn dfa dfb dfctx dfhh}", "{s nq q}", 0},
	{"q", F_Q, "q", "q", 0},
	{"nq", F_NQ, "{nq dfn dfa dfb dfctx dfhh}", "nq", 0},
	{"dfn", F_DFN, "dfn", "dfn", 0},
	{"dfa", F_DFA, "dfa", NULL, FD_LORE},
	{"dfb", F_DFB, "dfb", NULL, FD_LORE},
	{"dfctx", F_DFCTX, "dfctx", NULL, FD_LORE},
	{"dfhh", F_DFHH, "dfhh", NULL, FD_LORE},
	{"dfpre", F_DFPRE, "dfpre", NULL, FD_LORE | FD_BLOB},
	{"dfpost", F_DFPOST, "dfpost", NULL, FD_LORE | FD_BLOB},
	{"dfblob", F_DFBLOB, "{dfpre dfpost}", NULL, FD_LORE | FD_BLOB},
	{"n", F_N, "n", NULL, FD_LORE},
	{"l", F_L, "l", NULL, FD_LORE},
	{"lid", F_LID, "l", NULL, FD_LORE},
	{"m", F_M, NULL, NULL, 0},
	{"mid", F_M, NULL, NULL, 0},
	{"d", F_D, NULL, NULL, 0},
	{"dt", F_DT, NULL, NULL, 0},
	{"rt", F_RT, NULL, NULL, 0},
	{"z", F_Z, NULL, NULL, 0},
	{"patchid", F_PATCHID, NULL, NULL, FD_LORE},
	{"v", F_V, NULL, NULL, 0},
	{"series", F_SERIES, NULL, NULL, 0},
};

/* series: values, and the condition on a series' state (store's
 * series_state, docs/series.md) each stands for. */
static const struct series_state_def {
	const char *name;
	const char *sql;
} series_states[] = {
	{"reviewed", "ss.parts = ss.total AND ss.reviewed = ss.total"},
	{"unreviewed", "NOT (ss.parts = ss.total AND ss.reviewed = ss.total)"},
	{"complete", "ss.parts = ss.total"},
	{"incomplete", "ss.parts < ss.total"},
	{"latest", "ss.latest = 1"},
	{"superseded", "ss.latest = 0"},
};

#define NFIELDS (sizeof fields / sizeof *fields)

static bool is_fts(enum field f)
{
	return f < F_M;
}

static bool is_range(enum field f)
{
	return f == F_D || f == F_DT || f == F_RT || f == F_Z;
}

/* ---- syntax tree ---- */

enum qkind { Q_TERM, Q_AND, Q_OR, Q_NOT };

struct qnode {
	enum qkind kind;
	struct qnode *a, *b;
	enum field field;
	char *text;      /* Q_TERM: the value, without quotes */
	bool prefix;     /* Q_TERM: word* */
	bool nowords;    /* Q_TERM: its text is no words to highlight */
	char *stem;      /* Q_TERM: text is a word, searched with the words
	                  * of this English stem (util/stem.h) */
	int64_t lo, hi;  /* ranges: [lo, hi) (seconds, bytes); INT64_MIN/MAX when open */
	char *words;     /* Q_TERM m:: the GLOB of Message-IDs holding its
	                  * words in a row (mid_words), or NULL */
	char *like;      /* ...and a LIKE pattern of its longest word, which
	                  * rules most Message-IDs out faster (without the
	                  * index's mid_words) */
	char *key;       /* ...and the word of mid_words that every Message-ID
	                  * it matches has (msgid_word_next), or NULL */
	char *key_end;   /* ...with key_prefix, the end of its words' range */
	bool key_prefix; /* m:word*: key starts the word */
	bool key_only;   /* having key is matching the GLOB (one ASCII word) */
	bool key8;       /* key is a run of non-ASCII bytes: looked for inside
	                  * mid_words' such runs (mid_key8) */
	int key_rows;    /* rows of mid_words with key (search_mids), or -1 */
	bool key_walk;   /* so many that m: is tested message by message */
};

struct search_query {
	struct qnode *root;
	struct buf match, where;
	bool has_match;
	struct search_param params[QUERY_MAX_TERMS * 4 + 4]; /* m: takes 4 */
	size_t nparams;
	char *words[QUERY_MAX_TERMS * 8 + 1];
	size_t nwords;
	char *owned[QUERY_MAX_TERMS]; /* FTS expressions bound as parameters */
	size_t nowned;
	bool old_index; /* the index lacks lore's columns */
	bool stems;     /* the index has the columns of stems */
	bool scan_mids; /* the index lacks mid_words: m: reads every Message-ID */
	bool walk;      /* the condition has an m: tested message by message */
	int mid_rows;   /* the fewest rows of an m: the top-level ANDs read, or -1 */
	/* The index's counts of mid_words rows, during the parse, or NULL. */
	const struct search_mids *mids;
	/* A top-level OR with a full-text member: each member translated
	 * on its own (search_branches); their root is this query's. */
	struct search_query *branch[QUERY_MAX_BRANCHES];
	size_t nbranches;
	bool borrowed; /* root belongs to the query this is a branch of */
	size_t shells; /* but for this many Q_AND nodes down from it (a) */
	/* An AND of NOTs of full-text terms and other conditions, none of
	 * them a positive full-text one (search_except): the others, and the
	 * NOTs' MATCH expressions. */
	struct search_query *rest;
	char *minus[QUERY_MAX_BRANCHES];
	size_t nminus;
	/* Parser state. */
	const char *p, *end;
	int64_t now;
	unsigned terms;
	struct la_err *err;
};

static void free_node(struct qnode *n)
{
	if (!n)
		return;
	free_node(n->a);
	free_node(n->b);
	free(n->text);
	free(n->stem);
	free(n->words);
	free(n->like);
	free(n->key);
	free(n->key_end);
	free(n);
}

void search_free(struct search_query *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->nbranches; i++)
		search_free(q->branch[i]);
	search_free(q->rest);
	for (size_t i = 0; i < q->nminus; i++)
		free(q->minus[i]);
	if (!q->borrowed)
		free_node(q->root);
	for (size_t i = 0; i < q->shells && q->root; i++) {
		struct qnode *a = q->root->a;
		free(q->root);
		q->root = a;
	}
	buf_free(&q->match);
	buf_free(&q->where);
	for (size_t i = 0; i < q->nwords; i++)
		free(q->words[i]);
	for (size_t i = 0; i < q->nowned; i++)
		free(q->owned[i]);
	free(q);
}

static struct qnode *node(enum qkind k, struct qnode *a, struct qnode *b)
{
	struct qnode *n = calloc(1, sizeof *n);
	if (!n) {
		free_node(a);
		free_node(b);
		return NULL;
	}
	n->kind = k;
	n->a = a;
	n->b = b;
	return n;
}

/* ---- lexer ---- */

enum tok { T_END, T_LPAREN, T_RPAREN, T_AND, T_OR, T_NOT, T_MINUS, T_TERM, T_ERROR };

struct token {
	enum tok kind;
	const struct field_def *def; /* T_TERM: its prefix */
	const char *v;               /* value, quotes excluded */
	size_t vn;
	bool quoted;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The length of the quote mark at p: '"', or the curly ones Xapian
 * (and so lore) takes as well, U+201C and U+201D.  0 if none. */
static size_t quote_at(const char *p, const char *end)
{
	if (p < end && *p == '"')
		return 1;
	if (end - p >= 3 && (unsigned char)p[0] == 0xE2 && (unsigned char)p[1] == 0x80 &&
	    ((unsigned char)p[2] == 0x9C || (unsigned char)p[2] == 0x9D))
		return 3;
	return 0;
}

/* Ends a bare word: space, parentheses, a quote. */
static bool ends_word(const char *p, const char *end)
{
	return is_space(*p) || *p == '(' || *p == ')' || quote_at(p, end);
}

static enum tok fail(struct search_query *q, const char *fmt, const char *a, size_t an)
{
	char tmp[64];
	size_t k = an < sizeof tmp - 4 ? an : sizeof tmp - 4;
	k = utf8_trunc(a ? a : "", k);
	memcpy(tmp, a ? a : "", k);
	strcpy(tmp + k, an > k ? "..." : "");
	la_err_set(q->err, LA_EINVAL, fmt, tmp);
	return T_ERROR;
}

/* Reads the next token (without consuming when peek). */
static enum tok lex(struct search_query *q, struct token *t, bool peek)
{
	const char *p = q->p, *end = q->end;
	memset(t, 0, sizeof *t);
	while (p < end && is_space(*p))
		p++;
	/* "+term": must match, which every term of an AND does. */
	if (p + 1 < end && *p == '+' && !is_space(p[1]) && p[1] != ')')
		p++;
	if (p == end) {
		t->kind = T_END;
		goto out;
	}
	if (*p == '(') {
		t->kind = T_LPAREN;
		p++;
		goto out;
	}
	if (*p == ')') {
		t->kind = T_RPAREN;
		p++;
		goto out;
	}
	if (*p == '-') {
		if (p + 1 == end || is_space(p[1]) || p[1] == ')')
			return t->kind = fail(q, "'-' must be followed by a term%s", "", 0);
		t->kind = T_MINUS;
		p++;
		goto out;
	}
	/* A word, possibly "prefix:", possibly followed by a quoted value. */
	const char *w = p;
	t->def = &fields[0];
	if (!quote_at(p, end)) {
		while (p < end && !ends_word(p, end))
			p++;
		size_t wn = (size_t)(p - w);
		if ((wn == 2 && !memcmp(w, "OR", 2)) || (wn == 3 && !memcmp(w, "AND", 3)) ||
		    (wn == 3 && !memcmp(w, "NOT", 3))) {
			t->kind = w[0] == 'O' ? T_OR : w[0] == 'A' ? T_AND : T_NOT;
			goto out;
		}
		/* "prefix:value": a prefix is lowercase letters; "http://" and
		 * "10:30" are words. */
		const char *colon = memchr(w, ':', wn);
		size_t pn = colon ? (size_t)(colon - w) : 0;
		bool letters = pn > 0;
		for (size_t i = 0; i < pn; i++)
			letters &= w[i] >= 'a' && w[i] <= 'z';
		if (colon && letters && !(colon + 1 < p && colon[1] == '/')) {
			size_t k;
			for (k = 1; k < NFIELDS; k++)
				if (strlen(fields[k].prefix) == pn &&
				    !memcmp(fields[k].prefix, w, pn))
					break;
			if (k == NFIELDS)
				return t->kind =
				               fail(q, "unknown prefix '%s:' (see the search help)",
				                    w, pn);
			t->def = &fields[k];
			if (colon + 1 == p && quote_at(p, end)) {
				w = p; /* the value is a phrase */
			} else {
				t->v = colon + 1;
				t->vn = (size_t)(p - colon - 1);
				if (t->vn == 0)
					return t->kind = fail(q, "'%s:' needs a value", w, pn);
				t->kind = T_TERM;
				goto out;
			}
		} else {
			t->v = w;
			t->vn = wn;
			t->kind = T_TERM;
			goto out;
		}
	}
	/* A quoted phrase at w, up to the next quote mark. */
	size_t open = quote_at(w, end);
	const char *close = w + open;
	while (close < end && !quote_at(close, end))
		close++;
	if (close == end)
		return t->kind = fail(q, "unbalanced quote in %s", w, (size_t)(end - w));
	t->v = w + open;
	t->vn = (size_t)(close - w - open);
	t->quoted = true;
	t->kind = T_TERM;
	p = close + quote_at(close, end);
out:
	if (!peek)
		q->p = p;
	return t->kind;
}

/* ---- dates and sizes ---- */

#define DAY 86400

static int64_t day_of(int64_t t)
{
	return (t / DAY - (t % DAY < 0)) * DAY;
}

/* One end of a range, or a value alone, into [*lo, *hi).  d: is a day
 * search: an instant stands for its day.  dt: and rt: take instants as
 * they are. */
static bool range_end(enum field f, const char *v, size_t n, int64_t now, int64_t *lo, int64_t *hi)
{
	if (f == F_Z) {
		if (!when_size(v, n, lo))
			return false;
		*hi = *lo + 1;
		return true;
	}
	struct when w;
	if (!when_parse(v, n, now, &w))
		return false;
	*lo = w.lo;
	*hi = w.hi;
	if (f == F_D && w.instant) {
		*lo = day_of(w.lo);
		*hi = *lo + DAY;
	}
	return true;
}

/* A range field's value: "A..B" (both ends included), "A..", "..B", or
 * a value alone: a date is its period, or for an instant (dt:, rt:)
 * the day that starts there (as public-inbox has it); a size is that
 * size. */
static bool parse_range(struct search_query *q, struct qnode *t)
{
	const char *v = t->text;
	size_t n = strlen(v);
	char b[80];
	if (n >= sizeof b)
		return false;
	memcpy(b, v, n + 1);
	const char *dots = strstr(b, "..");
	int64_t lo, hi;
	if (!dots) {
		if (!range_end(t->field, b, n, q->now, &lo, &hi))
			return false;
		t->lo = lo;
		t->hi = t->field != F_D && t->field != F_Z && hi == lo + 1 ? lo + DAY : hi;
		return true;
	}
	size_t an = (size_t)(dots - b), bn = n - an - 2;
	t->lo = INT64_MIN;
	t->hi = INT64_MAX;
	if (an) {
		if (!range_end(t->field, b, an, q->now, &lo, &hi))
			return false;
		t->lo = lo;
	}
	if (bn) {
		if (!range_end(t->field, dots + 2, bn, q->now, &lo, &hi))
			return false;
		t->hi = hi; /* the end is included */
	}
	return an || bn;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Lowercases s if it is n hex digits, min <= n <= max. */
static bool hex_value(char *s, size_t min, size_t max)
{
	size_t n = strlen(s);
	if (n < min || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!is_hex(s[i]))
			return false;
		if (s[i] >= 'A' && s[i] <= 'F')
			s[i] += 32;
	}
	return true;
}

/* One version "3" or "v3" at v[0..n) (1 to 999); false if it is not. */
static bool version_one(const char *v, size_t n, int64_t *out)
{
	if (n && (v[0] == 'v' || v[0] == 'V')) {
		v++;
		n--;
	}
	if (n == 0 || n > 3)
		return false;
	int64_t x = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		x = x * 10 + (v[i] - '0');
	}
	*out = x;
	return x >= 1;
}

/* v:'s value: N, A..B, A.., ..B into [lo, hi] (both included). */
static bool version_range(const char *s, int64_t *lo, int64_t *hi)
{
	const char *dots = strstr(s, "..");
	if (!dots) {
		if (!version_one(s, strlen(s), lo))
			return false;
		*hi = *lo;
		return true;
	}
	size_t an = (size_t)(dots - s), bn = strlen(dots + 2);
	*lo = 1;
	*hi = 999;
	if (!an && !bn)
		return false;
	return (!an || version_one(s, an, lo)) && (!bn || version_one(dots + 2, bn, hi));
}

/* ---- grammar ---- */

static bool searchable(const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c >= 0x80)
			return true;
	}
	return false;
}

static struct qnode *parse_or(struct search_query *q, int depth);

/* ---- stems ---- */

/* Fields whose words match the words of their stem (lore stems them),
 * and the columns of stems (store/) for them. */
static const char *stem_columns(enum field f)
{
	switch (f) {
	case F_DEFAULT:
	case F_BS: return "{zs znq zq zdfa zdfb zdfctx}";
	case F_S: return "zs";
	case F_B: return "{znq zq zdfa zdfb zdfctx}";
	case F_Q: return "zq";
	case F_NQ: return "{znq zdfa zdfb zdfctx}";
	case F_DFA: return "zdfa";
	case F_DFB: return "zdfb";
	case F_DFCTX: return "zdfctx";
	case F_DFHH: return "dfhh"; /* after MSG_STEM_MARK (msg/text.h) */
	default: return NULL;
	}
}

/* A lowercase word in a stemmed field matches the words it shares its
 * English stem with (lore's "review" finds "Reviewed", "extends" finds
 * "extend").  Capitalised words, phrases and prefix searches stay as
 * they are (Xapian's STEM_SOME does the same).  Only in an index that
 * has the stems. */
static void stem_term(struct search_query *q, struct qnode *n, const struct token *t)
{
	const char *w = n->text;
	size_t k = strlen(w);
	if (!q->stems || !stem_columns(n->field) || t->quoted || n->prefix || !stem_word(w, k))
		return;
	char st[STEM_WORD_MAX + 1];
	if (stem_once(w, k, st))
		n->stem = strdup(st);
}

/* Refuses term n: the message names it (prefix and value). */
static struct qnode *refuse(struct search_query *q, struct qnode *n, const char *fmt,
                            const struct token *t)
{
	char what[80];
	snprintf(what, sizeof what, "%s%s", t->def->prefix, t->def->prefix[0] ? ":" : "");
	size_t k = strlen(what), vn = t->vn < 40 ? t->vn : 40;
	vn = utf8_trunc(t->v ? t->v : "", vn);
	if (k + vn + 4 < sizeof what) {
		memcpy(what + k, t->v ? t->v : "", vn);
		strcpy(what + k + vn, t->vn > vn ? "..." : "");
	}
	la_err_set(q->err, LA_EINVAL, fmt, what);
	free_node(n);
	return NULL;
}

/* m: as public-inbox's (its XM terms: the words of each Message-ID, as a
 * phrase): a Message-ID that holds the value's words in a row, each
 * word whole (m:keescook, m:chromium.org, m:57898 find
 * 20200508064004.57898-7-keescook@chromium.org), when no Message-ID is
 * the value itself.  Words are runs of ASCII letters, digits and '_'
 * and of non-ASCII bytes, ASCII-lowercased; the GLOB is for the
 * Message-ID lowercased between two '.' ("*[^a-z0-9_]W1[^a-z0-9_]W2
 * [^a-z0-9_]*": one separator between words, as in the Message-ID the
 * value was cut from); *like is "%W%" for its longest word W.  NULL if
 * the value has no words (or out of memory: then m: is exact only). */
static char *mid_words(const char *v, bool prefix, char **like)
{
	static const char sep[] = "[^a-z0-9_]";
	struct buf b;
	buf_init(&b, 4 * QUERY_MAX_BYTES);
	buf_adds(&b, "*");
	bool in = false;
	const char *word = NULL, *longest = NULL;
	size_t longest_n = 0;
	for (const char *p = v;; p++) {
		unsigned char c = (unsigned char)*p;
		bool w = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		         (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
		if (!w) {
			if (in && (size_t)(p - word) > longest_n) {
				longest = word;
				longest_n = (size_t)(p - word);
			}
			in = false;
			if (!c)
				break;
			continue;
		}
		if (!in) {
			buf_adds(&b, sep);
			in = true;
			word = p;
		}
		buf_addc(&b, (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c));
	}
	/* (m:word*: the last word goes on; m:word.* ends it.) */
	size_t vl = strlen(v);
	unsigned char z = vl ? (unsigned char)v[vl - 1] : 0;
	bool tail = (z >= 'a' && z <= 'z') || (z >= 'A' && z <= 'Z') || (z >= '0' && z <= '9') ||
	            z == '_' || z >= 0x80;
	if (!prefix || !tail)
		buf_adds(&b, sep);
	buf_adds(&b, "*");
	char *g = longest && !b.err ? buf_steal(&b, NULL) : NULL;
	buf_free(&b);
	*like = g ? malloc(longest_n + 3) : NULL;
	if (!*like) {
		free(g);
		return NULL;
	}
	(*like)[0] = '%';
	memcpy(*like + 1, longest, longest_n);
	(*like)[longest_n + 1] = '%';
	(*like)[longest_n + 2] = '\0';
	return g;
}

/* The word of mid_words to look m:'s value v up by (its words as
 * msgid_word_next splits them, the longest): a Message-ID holding v's
 * words in a row (mid_words' GLOB) has it among its own, since the bytes
 * around each of v's words are in the Message-ID too, and a separator
 * there is one here.  With prefix (m:word*), a word that ends v is the
 * start of one (n->key_prefix, looked up as the range key..key_end).
 * key_only when v is that one word, all ASCII and shorter than the cut
 * (MSGID_WORD_MAX): having it is then matching the GLOB.  Leaves n->key
 * NULL when v has no such word (m:日本: Message-IDs are read). */
/* Words of an m: value whose rows mid_key counts (the longest first);
 * a value with more is looked up by one of these. */
#define MID_KEY_WORDS 32

static void mid_key(const struct search_query *q, struct qnode *n, const char *v, bool prefix)
{
	size_t len = strlen(v), at = 0, full, best = 0, words = 0, nc = 0;
	char w[MSGID_WORD_MAX + 1];
	bool best_prefix = false;
	struct {
		char w[MSGID_WORD_MAX + 1];
		size_t full;
		bool prefix;
	} c[MID_KEY_WORDS];
	/* The longest word (the first of those), and the words, longest
	 * first (stably). */
	while ((full = msgid_word_next(v, len, &at, w))) {
		words++;
		bool wp = prefix && at == len;
		if (full > best) {
			free(n->key);
			n->key = strdup(w);
			best = full;
			best_prefix = wp;
		}
		if (nc < MID_KEY_WORDS) {
			size_t i = nc++;
			for (; i > 0 && c[i - 1].full < full; i--)
				c[i] = c[i - 1];
			memcpy(c[i].w, w, sizeof w);
			c[i].full = full;
			c[i].prefix = wp;
		}
	}
	if (!n->key)
		return;
	/* With the index's counts, the word fewest Message-IDs have (the
	 * longest of those): each word counted only as far as the fewest
	 * so far, so that a Message-ID's rare word spares counting its
	 * common ones (gen, corpus). */
	const struct search_mids *mc = q->scan_mids ? NULL : q->mids;
	int best_rows = -1;
	size_t pick = 0;
	for (size_t i = 0; mc && mc->rows && i < nc; i++) {
		char end[MSGID_WORD_MAX + 1];
		if (c[i].prefix) {
			memcpy(end, c[i].w, sizeof end);
			end[strlen(end) - 1]++;
		}
		int rows = mc->rows(mc->arg, c[i].w, c[i].prefix ? end : NULL,
		                    best_rows < 0 ? mc->walk_min + 1 : best_rows);
		if (best_rows < 0 || rows < best_rows) {
			best_rows = rows;
			pick = i;
		}
	}
	if (best_rows >= 0) {
		free(n->key);
		n->key = strdup(c[pick].w);
		best = c[pick].full;
		best_prefix = c[pick].prefix;
		if (!n->key)
			return;
	}
	bool ascii = true;
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p >= 0x80)
			ascii = false;
	n->key_prefix = best_prefix;
	n->key_only = words == 1 && ascii && best < MSGID_WORD_MAX;
	n->key_rows = best_rows;
	n->key_walk = mc && best_rows > mc->walk_min;
	if (best_prefix) {
		/* Words are [a-z0-9_]: the last byte plus one ends the range. */
		n->key_end = strdup(n->key);
		if (n->key_end)
			n->key_end[strlen(n->key_end) - 1]++;
	}
	if (best_prefix && !n->key_end) {
		free(n->key);
		n->key = NULL;
	}
}

/* m:'s key when its value v has no ASCII word (m:日本): its longest run
 * of non-ASCII bytes, which a Message-ID it matches has inside one of
 * its own runs (the bytes around each of v's words are separators
 * there: not [a-z0-9_]); mid_words holds each Message-ID's runs (cut as
 * its words are), looked through for it (few Message-IDs have any). */
static void mid_key8(struct qnode *n, const char *v)
{
	const char *best = NULL;
	size_t best_n = 0;
	for (const char *p = v; *p;) {
		if ((unsigned char)*p < 0x80) {
			p++;
			continue;
		}
		const char *r = p;
		while ((unsigned char)*p >= 0x80)
			p++;
		if ((size_t)(p - r) > best_n) {
			best = r;
			best_n = (size_t)(p - r);
		}
	}
	if (!best)
		return;
	/* (A key longer than a kept run can only be in a cut one.) */
	if (best_n > MSGID_WORD_MAX)
		best_n = MSGID_WORD_MAX;
	n->key = strndup(best, best_n);
	n->key8 = n->key != NULL;
}

static struct qnode *make_term(struct search_query *q, const struct token *t)
{
	if (++q->terms > QUERY_MAX_TERMS) {
		la_err_set(q->err, LA_EINVAL, "too many terms (at most %d)", QUERY_MAX_TERMS);
		return NULL;
	}
	struct qnode *n = node(Q_TERM, NULL, NULL);
	if (!n)
		return NULL;
	n->key_rows = -1;
	enum field f = t->def->field;
	n->field = f;
	size_t vn = t->vn;
	if (!t->quoted && vn > 1 && t->v[vn - 1] == '*' && is_fts(f)) {
		n->prefix = true;
		vn--;
	}
	n->text = strndup(t->v ? t->v : "", t->v ? vn : 0);
	if (!n->text) {
		free_node(n);
		return NULL;
	}
	if ((t->def->flags & FD_LORE) && q->old_index) {
		la_err_set(q->err, LA_EINVAL,
		           "this archive's search index was made before %s: was added; it can "
		           "search %s: once its owner has run listarc reindex --search",
		           t->def->prefix, t->def->prefix);
		free_node(n);
		return NULL;
	}
	char *s = n->text;
	size_t k = strlen(s);
	if (is_range(f)) {
		if (!parse_range(q, n))
			return refuse(
				q, n,
				f == F_Z ? "'%s' is not a size or size range (sizes are bytes, or "
					   "with k, m, g; ranges A..B, A.., ..B)"
					 : "'%s' is not a date or date range: " WHEN_FORMS,
				t);
	} else if (f == F_M) {
		/* Message-IDs may be given with their angle brackets. */
		if (k >= 2 && s[0] == '<' && s[k - 1] == '>') {
			memmove(s, s + 1, k - 2);
			s[k - 2] = '\0';
		}
		if (!*s)
			return refuse(q, n, "'%s' is empty", t);
		/* mid: is exact (public-inbox's boolean Q terms); m: finds
		 * words of Message-IDs too, the last one as a prefix with a
		 * '*' after it (m:kees*, as Xapian's wildcards). */
		if (!strcmp(t->def->prefix, "m")) {
			size_t sn = strlen(s);
			bool star = !t->quoted && sn > 1 && s[sn - 1] == '*';
			char *v = strndup(s, star ? sn - 1 : sn);
			if (!v) {
				free_node(n);
				return NULL;
			}
			n->words = mid_words(v, star, &n->like);
			if (n->words)
				mid_key(q, n, v, star);
			if (n->words && !n->key)
				mid_key8(n, v);
			free(v);
		}
	} else if (f == F_V) {
		/* A version, or a range of them: 3, 2..4, 2.., ..3 (a leading
		 * "v" is allowed: v:v3). */
		if (!version_range(s, &n->lo, &n->hi))
			return refuse(q, n,
			              "'%s' is not a version or range of versions (3, v3, 2..4, "
			              "2.., ..3)",
			              t);
	} else if (f == F_SERIES) {
		n->lo = -1;
		for (size_t i = 0; i < sizeof series_states / sizeof *series_states; i++)
			if (!strcasecmp(s, series_states[i].name))
				n->lo = (int64_t)i;
		if (n->lo < 0)
			return refuse(q, n,
			              "'%s' is not a series state (reviewed, unreviewed, complete, "
			              "incomplete, latest, superseded)",
			              t);
	} else if (f == F_PATCHID) {
		/* git's SHA-1 ids, or SHA-256 ones (64 digits). */
		if (!hex_value(s, 40, 40) && !hex_value(s, 64, 64))
			return refuse(
				q, n,
				"'%s' is not a patch id (the 40 hex digits of git patch-id --stable)",
				t);
	} else if (t->def->flags & FD_BLOB) {
		/* Blob ids match by their start, as abbreviated ones do. */
		if (k > 4 && s[k - 1] == '*')
			s[--k] = '\0';
		if (!hex_value(s, 4, 64))
			return refuse(q, n, "'%s' is not a blob id (4 to 64 hex digits)", t);
		n->prefix = true;
		n->nowords = true;
	} else if (f == F_LID) {
		/* The whole id, as List-Id has it inside <>. */
		if (k >= 2 && s[0] == '<' && s[k - 1] == '>') {
			memmove(s, s + 1, k - 2);
			s[k -= 2] = '\0';
		}
		for (char *c = s; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c += 32;
		if (!k || k > 255)
			return refuse(q, n, "'%s' is not a List-Id", t);
		char tok[MSG_LID_TOKEN_LEN + 1];
		msg_lid_token(s, k, tok);
		char *tt = strdup(tok);
		if (!tt) {
			free_node(n);
			return NULL;
		}
		free(n->text);
		n->text = tt;
		n->prefix = false;
		n->nowords = true;
	} else if (!searchable(n->text, strlen(n->text))) {
		return refuse(q, n, "'%s' has no letters or digits to search for", t);
	} else {
		stem_term(q, n, t);
	}
	return n;
}

/* Whether a bare word looks like a Message-ID: something, '@',
 * something, with no white space (the lexer's words have none). */
static bool msgid_like(const struct token *t)
{
	if (t->quoted || t->def->field != F_DEFAULT || t->vn < 3 || t->vn > 250)
		return false;
	const char *at = memchr(t->v, '@', t->vn);
	return at && at > t->v && at < t->v + t->vn - 1 && t->v[t->vn - 1] != '*';
}

/* A bare word that looks like a Message-ID also finds the message of
 * that Message-ID, as public-inbox's bare words (their terms take XM,
 * the Message-ID's) find it: the word's term OR m:WORD. */
static struct qnode *bare_term(struct search_query *q, const struct token *t)
{
	struct qnode *a = make_term(q, t);
	if (!a || !msgid_like(t))
		return a;
	struct token m = *t;
	/* (Exact, as mid:: the words of every Message-ID read for each
	 * address searched would cost a scan of them.) */
	static const struct field_def mdef = {"mid", F_M, NULL, NULL, 0};
	m.def = &mdef;
	struct qnode *b = make_term(q, &m);
	if (!b) {
		free_node(a);
		return NULL;
	}
	return node(Q_OR, a, b);
}

static struct qnode *parse_unary(struct search_query *q, int depth)
{
	if (depth > QUERY_MAX_DEPTH) {
		la_err_set(q->err, LA_EINVAL, "the query nests too deep (at most %d levels)",
		           QUERY_MAX_DEPTH);
		return NULL;
	}
	struct token t;
	switch (lex(q, &t, false)) {
	case T_NOT:
	case T_MINUS: {
		struct qnode *a = parse_unary(q, depth + 1);
		return a ? node(Q_NOT, a, NULL) : NULL;
	}
	case T_LPAREN: {
		struct qnode *a = parse_or(q, depth + 1);
		if (!a)
			return NULL;
		if (lex(q, &t, false) != T_RPAREN) {
			free_node(a);
			if (t.kind != T_ERROR)
				la_err_set(q->err, LA_EINVAL,
				           "unbalanced parentheses: a ')' is missing");
			return NULL;
		}
		return a;
	}
	case T_TERM: return bare_term(q, &t);
	case T_RPAREN:
		la_err_set(q->err, LA_EINVAL, "unbalanced parentheses: unexpected ')'");
		return NULL;
	case T_END:
		la_err_set(q->err, LA_EINVAL, "the query ends where a term was expected");
		return NULL;
	case T_AND:
	case T_OR: la_err_set(q->err, LA_EINVAL, "AND and OR go between two terms"); return NULL;
	case T_ERROR: return NULL;
	}
	return NULL;
}

static struct qnode *parse_and(struct search_query *q, int depth)
{
	struct qnode *a = parse_unary(q, depth);
	struct token t;
	while (a) {
		enum tok k = lex(q, &t, true);
		if (k == T_END || k == T_OR || k == T_RPAREN)
			break;
		if (k == T_ERROR) {
			free_node(a);
			return NULL;
		}
		if (k == T_AND)
			lex(q, &t, false);
		struct qnode *b = parse_unary(q, depth);
		if (!b) {
			free_node(a);
			return NULL;
		}
		a = node(Q_AND, a, b);
	}
	return a;
}

static struct qnode *parse_or(struct search_query *q, int depth)
{
	struct qnode *a = parse_and(q, depth);
	struct token t;
	while (a && lex(q, &t, true) == T_OR) {
		lex(q, &t, false);
		struct qnode *b = parse_and(q, depth);
		if (!b) {
			free_node(a);
			return NULL;
		}
		a = node(Q_OR, a, b);
	}
	return a;
}

/* ---- translation ---- */

/* Can this subtree be one FTS5 expression?  A NOT can, only as a
 * non-first member of an AND (FTS5's NOT is binary). */
static bool fts_ok(const struct qnode *n)
{
	switch (n->kind) {
	case Q_TERM: return is_fts(n->field);
	case Q_OR: return fts_ok(n->a) && fts_ok(n->b);
	case Q_NOT: return false;
	case Q_AND: {
		/* Every member FTS (or NOT of FTS), at least one positive. */
		bool pos = false;
		const struct qnode *stack[QUERY_MAX_TERMS * 2];
		size_t sp = 0;
		stack[sp++] = n;
		while (sp) {
			const struct qnode *x = stack[--sp];
			if (x->kind == Q_AND) {
				stack[sp++] = x->a;
				stack[sp++] = x->b;
			} else if (x->kind == Q_NOT) {
				if (!fts_ok(x->a))
					return false;
			} else if (fts_ok(x)) {
				pos = true;
			} else {
				return false;
			}
		}
		return pos;
	}
	}
	return false;
}

static void fts_string(const struct search_query *q, struct buf *b, const char *s)
{
	/* The lore index has a word per CJK character (util/cjk.h): a run
	 * of them is a phrase of its characters. */
	struct buf sp;
	buf_init(&sp, strlen(s) * 3 + 16);
	if (!q->old_index && cjk_has(s, strlen(s))) {
		cjk_spaced(&sp, s, strlen(s));
		if (!sp.err)
			s = buf_cstr(&sp);
	}
	/* The current index holds its words folded (util/fold.h: ß is
	 * ss): so are the query's. */
	if (q->stems && fold_needed(s, strlen(s))) {
		if (s != sp.data) {
			buf_reset(&sp);
			buf_adds(&sp, s);
		}
		if (!sp.err) {
			sp.len = fold_letters(sp.data, sp.len, sp.data);
			s = buf_cstr(&sp);
		}
	}
	buf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			buf_addc(b, '"');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
	buf_free(&sp);
}

/* The words of s to highlight; with prefix set, the last one matches as
 * a prefix (it ends in '*'). */
static void add_words(struct search_query *q, const char *s, bool prefix)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p && q->nwords < sizeof q->words / sizeof *q->words - 1) {
		while (*p && !searchable((const char *)p, 1))
			p++;
		const unsigned char *w = p;
		while (*p && searchable((const char *)p, 1))
			p++;
		if (p > w) {
			/* As the highlighting compares them (util/fold.h). */
			struct buf key;
			buf_init(&key, (size_t)(p - w) * 3 + 8);
			fold_key(&key, (const char *)w, (size_t)(p - w));
			if (prefix && !*p)
				buf_addc(&key, '*');
			char *word = key.err ? NULL : buf_steal(&key, NULL);
			buf_free(&key);
			if (!word)
				return;
			q->words[q->nwords++] = word;
		}
	}
}

static const char *columns_of(const struct search_query *q, enum field f)
{
	for (size_t k = 0; k < NFIELDS; k++)
		if (fields[k].field == f)
			return q->old_index ? fields[k].old_columns : fields[k].columns;
	return fields[0].columns;
}

/* Collects the members of a chain of ANDs. */
static size_t and_members(const struct qnode *n, const struct qnode **out, size_t max)
{
	size_t k = 0;
	const struct qnode *stack[QUERY_MAX_TERMS * 2];
	size_t sp = 0;
	stack[sp++] = n;
	while (sp && k < max) {
		const struct qnode *x = stack[--sp];
		if (x->kind == Q_AND) {
			stack[sp++] = x->b; /* so that a comes out first */
			stack[sp++] = x->a;
		} else {
			out[k++] = x;
		}
	}
	return k;
}

static void emit_fts(struct search_query *q, struct buf *b, const struct qnode *n)
{
	switch (n->kind) {
	case Q_TERM:
		if (n->stem) {
			/* The word itself in every column of the field (the diffs'
			 * lines and From are not stemmed), or its stem among the
			 * stems. */
			buf_addc(b, '(');
			buf_adds(b, columns_of(q, n->field));
			buf_adds(b, " : ");
			fts_string(q, b, n->text);
			buf_adds(b, " OR ");
			buf_adds(b, stem_columns(n->field));
			buf_adds(b, " : ");
			if (n->field == F_DFHH) {
				/* dfhh holds its stems after a mark. */
				char marked[sizeof MSG_STEM_MARK + STEM_WORD_MAX + 1];
				snprintf(marked, sizeof marked, "%s%s", MSG_STEM_MARK, n->stem);
				fts_string(q, b, marked);
			} else {
				fts_string(q, b, n->stem);
			}
			buf_addc(b, ')');
			/* Highlighted: the part the word and its stem share, as a
			 * prefix ("extends", "extend": extend*). */
			size_t k = 0;
			while (n->text[k] && n->text[k] == n->stem[k])
				k++;
			char *pre = k >= 3 ? strndup(n->text, k) : NULL;
			add_words(q, pre ? pre : n->text, pre != NULL);
			free(pre);
			return;
		}
		buf_adds(b, columns_of(q, n->field));
		buf_adds(b, " : ");
		fts_string(q, b, n->text);
		if (n->prefix)
			buf_adds(b, " *");
		if (!n->nowords)
			add_words(q, n->text, n->prefix);
		return;
	case Q_OR:
		buf_addc(b, '(');
		emit_fts(q, b, n->a);
		buf_adds(b, ") OR (");
		emit_fts(q, b, n->b);
		buf_addc(b, ')');
		return;
	case Q_AND: {
		const struct qnode *m[QUERY_MAX_TERMS * 2];
		size_t k = and_members(n, m, sizeof m / sizeof *m);
		size_t npos = 0;
		buf_addc(b, '(');
		for (size_t i = 0; i < k; i++) {
			if (m[i]->kind == Q_NOT)
				continue;
			if (npos++)
				buf_adds(b, " AND ");
			buf_addc(b, '(');
			emit_fts(q, b, m[i]);
			buf_addc(b, ')');
		}
		buf_addc(b, ')');
		for (size_t i = 0; i < k; i++) {
			if (m[i]->kind != Q_NOT)
				continue;
			/* Words under NOT are not highlighted. */
			size_t keep = q->nwords;
			buf_adds(b, " NOT (");
			emit_fts(q, b, m[i]->a);
			buf_addc(b, ')');
			while (q->nwords > keep) {
				free(q->words[--q->nwords]);
				q->words[q->nwords] = NULL;
			}
		}
		return;
	}
	case Q_NOT: return; /* never reached: fts_ok excludes it */
	}
}

static void param_text(struct search_query *q, struct buf *b, const char *text)
{
	q->params[q->nparams].kind = SP_TEXT;
	q->params[q->nparams].text = text;
	q->nparams++;
	buf_printf(b, "?%zu", q->nparams + 1);
}

static void param_int(struct search_query *q, struct buf *b, int64_t v)
{
	q->params[q->nparams].kind = SP_INT;
	q->params[q->nparams].value = v;
	q->nparams++;
	buf_printf(b, "?%zu", q->nparams + 1);
}

static void emit_sql(struct search_query *q, struct buf *b, const struct qnode *n)
{
	if (fts_ok(n)) {
		/* A full-text subtree inside an SQL condition: its own MATCH. */
		struct buf m;
		buf_init(&m, 1 << 16);
		emit_fts(q, &m, n);
		char *expr = buf_steal(&m, NULL);
		if (!expr || q->nowned == sizeof q->owned / sizeof *q->owned) {
			free(expr);
			buf_adds(b, "0");
			return;
		}
		q->owned[q->nowned++] = expr;
		buf_adds(b, "m.id IN (SELECT rowid FROM fts WHERE fts MATCH ");
		param_text(q, b, expr);
		buf_addc(b, ')');
		return;
	}
	switch (n->kind) {
	case Q_TERM:
		if (n->field == F_M && n->words && n->key && !q->scan_mids && n->key_walk) {
			/* A word so many Message-IDs have (search_mids) that
			 * the list of them cost more than testing each message
			 * as the walk newest first meets it (m:corpus at
			 * 100,000 messages: 122 ms): the word looked up for
			 * the message's Message-ID, or the GLOB on it, which
			 * the walk stops testing at the page (search_walk). */
			q->walk = true;
			buf_adds(b, "(m.mid IN (SELECT id FROM mids WHERE mid = ");
			param_text(q, b, n->text);
			size_t k = q->nparams + 1;
			buf_printf(b, ") OR (NOT EXISTS (SELECT 1 FROM mids WHERE mid = ?%zu) AND ",
			           k);
			if (n->key_only && !n->key_prefix) {
				buf_adds(b, "EXISTS (SELECT 1 FROM mid_words w WHERE w.w = ");
				param_text(q, b, n->key);
				buf_adds(b, " AND w.mid = m.mid)))");
			} else {
				buf_adds(b,
				         "lower(char(46) || (SELECT d.mid FROM mids d WHERE d.id ="
				         " m.mid) || char(46)) GLOB ");
				param_text(q, b, n->words);
				buf_adds(b, "))");
			}
		} else if (n->field == F_M && n->words && n->key && !q->scan_mids && n->key8) {
			/* No ASCII word (m:日本): the Message-IDs whose runs of
			 * non-ASCII bytes in mid_words (from '{' on: every ASCII
			 * word starts before it, with [0-9_a-z]) hold the
			 * key's, or are cut where it may be, each checked whole
			 * against the GLOB. */
			buf_adds(b, "(m.mid IN (SELECT id FROM mids WHERE mid = ");
			param_text(q, b, n->text);
			size_t k = q->nparams + 1;
			buf_printf(
				b,
				") OR m.mid IN (SELECT w.mid FROM mid_words w JOIN mids d ON d.id ="
				" w.mid WHERE NOT EXISTS (SELECT 1 FROM mids WHERE mid = ?%zu) AND"
				" w.w >= ",
				k);
			param_text(q, b, "{");
			buf_adds(b, " AND (instr(CAST(w.w AS BLOB), CAST(");
			param_text(q, b, n->key);
			buf_printf(b, " AS BLOB)) OR length(CAST(w.w AS BLOB)) >= %d)",
			           MSGID_WORD_MAX);
			buf_adds(b, " AND lower(char(46) || d.mid || char(46)) GLOB ");
			param_text(q, b, n->words);
			buf_adds(b, "))");
		} else if (n->field == F_M && n->words && n->key && !q->scan_mids) {
			/* The exact Message-ID through mids_mid; else the
			 * Message-IDs mid_words gives for its key (a lookup
			 * there, a range for a prefix), each checked whole
			 * against the GLOB unless having the key is enough.
			 * (NOT EXISTS is a condition on no table, tested
			 * once.) */
			buf_adds(b, "(m.mid IN (SELECT id FROM mids WHERE mid = ");
			param_text(q, b, n->text);
			size_t k = q->nparams + 1;
			buf_adds(b, ") OR m.mid IN (SELECT w.mid FROM mid_words w");
			if (!n->key_only)
				buf_adds(b, " JOIN mids d ON d.id = w.mid");
			buf_printf(b,
			           " WHERE NOT EXISTS (SELECT 1 FROM mids WHERE mid = ?%zu) AND ",
			           k);
			if (n->key_prefix) {
				buf_adds(b, "w.w >= ");
				param_text(q, b, n->key);
				buf_adds(b, " AND w.w < ");
				param_text(q, b, n->key_end);
			} else {
				buf_adds(b, "w.w = ");
				param_text(q, b, n->key);
			}
			if (!n->key_only) {
				buf_adds(b, " AND lower(char(46) || d.mid || char(46)) GLOB ");
				param_text(q, b, n->words);
			}
			buf_adds(b, "))");
		} else if (n->field == F_M && n->words) {
			/* The exact Message-ID through mids_mid; else (a
			 * condition on no table, which SQLite tests once,
			 * before the scan) its words, reading every
			 * Message-ID, between two '.' (char(46): the SQL
			 * holds no quote, fuzz_search checks). */
			buf_adds(b, "(m.mid IN (SELECT id FROM mids WHERE mid = ");
			param_text(q, b, n->text);
			size_t k = q->nparams + 1;
			buf_printf(b,
			           ") OR m.mid IN (SELECT id FROM mids WHERE NOT EXISTS (SELECT 1"
			           " FROM mids WHERE mid = ?%zu) AND mid LIKE ",
			           k);
			param_text(q, b, n->like);
			buf_adds(b, " AND lower(char(46) || mid || char(46)) GLOB ");
			param_text(q, b, n->words);
			buf_adds(b, "))");
		} else if (n->field == F_M) {
			buf_adds(b, "m.mid IN (SELECT id FROM mids WHERE mid = ");
			param_text(q, b, n->text);
			buf_addc(b, ')');
		} else if (n->field == F_V) {
			buf_adds(b, "m.id IN (SELECT sm.id FROM series_msgs sm JOIN series s"
			            " ON s.id = sm.series WHERE s.version >= ");
			param_int(q, b, n->lo);
			buf_adds(b, " AND s.version <= ");
			param_int(q, b, n->hi);
			buf_addc(b, ')');
		} else if (n->field == F_SERIES) {
			buf_adds(b, "m.id IN (SELECT sm.id FROM series_msgs sm JOIN series_state ss"
			            " ON ss.id = sm.series WHERE ");
			buf_adds(b, series_states[n->lo].sql);
			buf_addc(b, ')');
		} else if (n->field == F_PATCHID) {
			buf_adds(b, "m.id IN (SELECT id FROM patchids WHERE pid = ");
			param_text(q, b, n->text);
			buf_addc(b, ')');
		} else if (is_range(n->field)) {
			/* d: and dt: on the Date: header (the delivery time
			 * without one), rt: on the delivery time, z: on the size. */
			const char *col = n->field == F_RT  ? "m.ts"
			                  : n->field == F_Z ? "m.len"
			                                    : "coalesce(m.date, m.ts)";
			buf_addc(b, '(');
			if (n->lo == INT64_MIN && n->hi == INT64_MAX)
				buf_adds(b, "1");
			if (n->lo != INT64_MIN) {
				buf_printf(b, "%s >= ", col);
				param_int(q, b, n->lo);
			}
			if (n->hi != INT64_MAX) {
				if (n->lo != INT64_MIN)
					buf_adds(b, " AND ");
				buf_printf(b, "%s < ", col);
				param_int(q, b, n->hi);
			}
			buf_addc(b, ')');
		}
		return;
	case Q_AND:
	case Q_OR:
		buf_addc(b, '(');
		emit_sql(q, b, n->a);
		buf_adds(b, n->kind == Q_AND ? " AND " : " OR ");
		emit_sql(q, b, n->b);
		buf_addc(b, ')');
		return;
	case Q_NOT:
		buf_adds(b, "NOT ");
		emit_sql(q, b, n->a);
		return;
	}
}

static void translate_one(struct search_query *q)
{
	const struct qnode *r = q->root;
	if (fts_ok(r)) {
		emit_fts(q, &q->match, r);
		q->has_match = true;
		buf_adds(&q->where, "1");
		return;
	}
	if (r->kind == Q_AND) {
		/* The FTS members of a top-level AND drive the query as one MATCH;
		 * the others filter. */
		const struct qnode *m[QUERY_MAX_TERMS * 2];
		size_t k = and_members(r, m, sizeof m / sizeof *m);
		size_t npos = 0;
		for (size_t i = 0; i < k; i++)
			if (m[i]->kind != Q_NOT && fts_ok(m[i]))
				npos++;
		if (npos) {
			buf_addc(&q->match, '(');
			size_t j = 0;
			for (size_t i = 0; i < k; i++) {
				if (m[i]->kind == Q_NOT || !fts_ok(m[i]))
					continue;
				if (j++)
					buf_adds(&q->match, " AND ");
				buf_addc(&q->match, '(');
				emit_fts(q, &q->match, m[i]);
				buf_addc(&q->match, ')');
			}
			buf_addc(&q->match, ')');
			for (size_t i = 0; i < k; i++) {
				if (m[i]->kind != Q_NOT || !fts_ok(m[i]->a))
					continue;
				size_t keep = q->nwords;
				buf_adds(&q->match, " NOT (");
				emit_fts(q, &q->match, m[i]->a);
				buf_addc(&q->match, ')');
				while (q->nwords > keep) {
					free(q->words[--q->nwords]);
					q->words[q->nwords] = NULL;
				}
			}
			q->has_match = true;
			size_t nw = 0;
			for (size_t i = 0; i < k; i++) {
				if (fts_ok(m[i]) || (m[i]->kind == Q_NOT && fts_ok(m[i]->a)))
					continue;
				if (nw++)
					buf_adds(&q->where, " AND ");
				emit_sql(q, &q->where, m[i]);
			}
			if (!nw)
				buf_adds(&q->where, "1");
			return;
		}
	}
	emit_sql(q, &q->where, r);
}

/* Whether subtree n has a full-text term. */
static bool has_fts(const struct qnode *n)
{
	if (!n)
		return false;
	if (n->kind == Q_TERM)
		return is_fts(n->field);
	return has_fts(n->a) || has_fts(n->b);
}

/* Collects the members of a chain of ORs; 0 if there are more than max. */
static size_t or_members(const struct qnode *n, const struct qnode **out, size_t max)
{
	size_t k = 0;
	const struct qnode *stack[QUERY_MAX_TERMS * 2];
	size_t sp = 0;
	stack[sp++] = n;
	while (sp) {
		const struct qnode *x = stack[--sp];
		if (x->kind == Q_OR) {
			stack[sp++] = x->b;
			stack[sp++] = x->a;
		} else if (k == max) {
			return 0;
		} else {
			out[k++] = x;
		}
	}
	return k;
}

/* A query of q's index for the AND of members m[0..k) of q's tree (k
 * may be 0: every message), translated; NULL if memory ran out.  Its
 * nodes are q's but for the ANDs joining them (shells). */
static struct search_query *sub_query(const struct search_query *q, const struct qnode *const *m,
                                      size_t k)
{
	struct search_query *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	buf_init(&b->match, 1 << 16);
	buf_init(&b->where, 1 << 16);
	b->old_index = q->old_index;
	b->stems = q->stems;
	b->scan_mids = q->scan_mids;
	b->now = q->now;
	b->borrowed = true;
	if (k == 0) {
		buf_adds(&b->where, "1");
		buf_cstr(&b->where);
		buf_cstr(&b->match);
		if (b->where.err) {
			search_free(b);
			return NULL;
		}
		return b;
	}
	struct qnode *top = (struct qnode *)m[0];
	b->root = top;
	for (size_t j = 1; j < k; j++) {
		struct qnode *x = calloc(1, sizeof *x);
		if (!x) {
			search_free(b);
			return NULL;
		}
		x->kind = Q_AND;
		x->a = top;
		x->b = (struct qnode *)m[j];
		b->root = top = x;
		b->shells++;
	}
	translate_one(b);
	buf_cstr(&b->match);
	buf_cstr(&b->where);
	if (b->match.err || b->where.err) {
		search_free(b);
		return NULL;
	}
	return b;
}

/* A NOT of a full-text term ANDed with conditions that are not full
 * text (NOT s:patch, d:2015-06 -patch) is, as one condition, the whole
 * set of the term's matches made first (s:patch: 80,000 of 100,000
 * messages) and each message tested against it.  The rest and the NOTs'
 * expressions are kept apart as well, so that the store can walk the
 * rest's matches newest first and the NOTs' beside them, in step
 * (store/search.c, search_except). */
static void translate_except(struct search_query *q)
{
	const struct qnode *r = q->root;
	if (r->kind != Q_AND && r->kind != Q_NOT)
		return;
	const struct qnode *m[QUERY_MAX_TERMS * 2], *rest[QUERY_MAX_TERMS * 2];
	size_t k = and_members(r, m, sizeof m / sizeof *m), nrest = 0;
	const struct qnode *neg[QUERY_MAX_BRANCHES];
	size_t nneg = 0;
	for (size_t i = 0; i < k; i++) {
		if (m[i]->kind != Q_NOT && fts_ok(m[i]))
			return; /* a MATCH drives it */
		if (m[i]->kind == Q_NOT && fts_ok(m[i]->a)) {
			if (nneg == QUERY_MAX_BRANCHES)
				return;
			neg[nneg++] = m[i]->a;
		} else {
			rest[nrest++] = m[i];
		}
	}
	if (!nneg || !(q->rest = sub_query(q, rest, nrest)))
		return;
	for (size_t i = 0; i < nneg; i++) {
		struct buf e;
		buf_init(&e, 1 << 16);
		emit_fts(q->rest, &e, neg[i]);
		char *expr = e.err ? NULL : buf_steal(&e, NULL);
		buf_free(&e);
		if (!expr) {
			search_free(q->rest);
			q->rest = NULL;
			return;
		}
		q->minus[q->nminus++] = expr;
	}
}

/* An OR that cannot be one MATCH but has full-text members (m:x OR
 * s:y, d:2020.. OR word) is, as one condition, read by testing every
 * message against the whole set of the full-text side's matches, which
 * SQLite makes first (m:x OR s:cifs: 30 ms at 100,000 messages).  Its
 * members are translated on their own as well, so that the store can
 * walk each newest first through its own index or MATCH, as far as the
 * page needs, and merge them (store/search.c).  Such an OR ANDed with
 * other terms ((m:x OR s:y) d:2020..) is distributed: each member with
 * the others ((m:x d:2020..) OR (s:y d:2020..)). */
static void translate(struct search_query *q)
{
	translate_one(q);
	translate_except(q);
	if (q->rest)
		return;
	const struct qnode *r = q->root, *mixed = r;
	const struct qnode *rest[QUERY_MAX_TERMS * 2];
	size_t nrest = 0;
	if (r->kind == Q_AND) {
		const struct qnode *m[QUERY_MAX_TERMS * 2];
		size_t k = and_members(r, m, sizeof m / sizeof *m);
		mixed = NULL;
		for (size_t i = 0; i < k; i++) {
			if (m[i]->kind == Q_OR && !fts_ok(m[i]) && has_fts(m[i]) && !mixed)
				mixed = m[i];
			else
				rest[nrest++] = m[i];
		}
		if (!mixed)
			return;
	}
	if (mixed->kind != Q_OR || fts_ok(mixed) || !has_fts(mixed))
		return;
	const struct qnode *m[QUERY_MAX_BRANCHES];
	size_t k = or_members(mixed, m, QUERY_MAX_BRANCHES);
	bool ok = k > 0;
	for (size_t i = 0; ok && i < k; i++) {
		/* The member ANDed with the rest. */
		const struct qnode *members[QUERY_MAX_TERMS * 2 + 1];
		members[0] = m[i];
		memcpy(members + 1, rest, nrest * sizeof *rest);
		struct search_query *b = sub_query(q, members, nrest + 1);
		if (!b)
			ok = false;
		else
			q->branch[q->nbranches++] = b;
	}
	if (!ok) {
		/* Read as one condition. */
		for (size_t i = 0; i < q->nbranches; i++)
			search_free(q->branch[i]);
		q->nbranches = 0;
	}
}

enum la_status search_parse(const char *s, size_t n, int64_t now, struct search_query **out,
                            struct la_err *err)
{
	return search_parse_for(s, n, now, SEARCH_INDEX_LORE, true, out, err);
}

enum la_status search_parse_index(const char *s, size_t n, int64_t now, enum search_index ix,
                                  struct search_query **out, struct la_err *err)
{
	return search_parse_for(s, n, now, ix, true, out, err);
}

enum la_status search_parse_for(const char *s, size_t n, int64_t now, enum search_index ix,
                                bool mid_words, struct search_query **out, struct la_err *err)
{
	static const struct search_mids none = {.rows = NULL};
	return search_parse_mids(s, n, now, ix, mid_words ? &none : NULL, out, err);
}

/* The fewest rows of mid_words an m: term among n's ANDs reads, or -1. */
static int and_mid_rows(const struct qnode *n)
{
	if (n->kind == Q_AND) {
		int a = and_mid_rows(n->a), b = and_mid_rows(n->b);
		return a < 0 ? b : b < 0 ? a : a < b ? a : b;
	}
	if (n->kind == Q_TERM && n->field == F_M && n->words && n->key && !n->key8 && !n->key_walk)
		return n->key_rows;
	return -1;
}

enum la_status search_parse_mids(const char *s, size_t n, int64_t now, enum search_index ix,
                                 const struct search_mids *mids, struct search_query **out,
                                 struct la_err *err)
{
	bool mid_words = mids != NULL;
	*out = NULL;
	if (n > QUERY_MAX_BYTES)
		return la_err_set(err, LA_EINVAL, "the query is too long (at most %d bytes)",
		                  QUERY_MAX_BYTES);
	if (memchr(s, '\0', n) || !utf8_valid(s, n))
		return la_err_set(err, LA_EINVAL, "the query is not valid UTF-8 text");
	struct search_query *q = calloc(1, sizeof *q);
	if (!q)
		return la_err_set(err, LA_ENOMEM, "out of memory");
	buf_init(&q->match, 1 << 16);
	buf_init(&q->where, 1 << 16);
	q->p = s;
	q->end = s + n;
	q->now = now;
	q->err = err;
	q->old_index = ix == SEARCH_INDEX_OLD;
	q->stems = ix == SEARCH_INDEX_LORE;
	q->scan_mids = !mid_words;
	q->mids = mids;
	q->mid_rows = -1;
	struct token t;
	if (lex(q, &t, true) == T_END) {
		search_free(q);
		return la_err_set(err, LA_EINVAL, "the query is empty");
	}
	q->root = parse_or(q, 0);
	if (q->root && lex(q, &t, false) != T_END) {
		if (t.kind == T_RPAREN)
			la_err_set(err, LA_EINVAL, "unbalanced parentheses: unexpected ')'");
		else if (t.kind != T_ERROR)
			la_err_set(err, LA_EINVAL, "unexpected text at the end of the query");
		free_node(q->root);
		q->root = NULL;
	}
	if (!q->root) {
		search_free(q);
		if (err && !err->status)
			la_err_set(err, LA_ENOMEM, "out of memory");
		return err ? err->status : LA_EINVAL;
	}
	translate(q);
	q->mid_rows = q->scan_mids ? -1 : and_mid_rows(q->root);
	q->mids = NULL; /* (the caller's, for the parse only) */
	if (q->match.err || q->where.err) {
		search_free(q);
		return la_err_set(err, LA_EINVAL, "the query is too complex");
	}
	/* NUL-terminate both for the accessors. */
	buf_cstr(&q->match);
	buf_cstr(&q->where);
	q->err = NULL;
	*out = q;
	return LA_OK;
}

bool search_walk(const struct search_query *q)
{
	return q->walk;
}

int search_mid_rows(const struct search_query *q)
{
	return q->mid_rows;
}

const char *search_match(const struct search_query *q)
{
	return q->has_match ? q->match.data : NULL;
}

const char *search_where(const struct search_query *q)
{
	return q->where.data ? q->where.data : "1";
}

const struct search_query *const *search_branches(const struct search_query *q, size_t *n)
{
	*n = q->nbranches;
	return (const struct search_query *const *)q->branch;
}

const struct search_query *search_except(const struct search_query *q, const char *const **minus,
                                         size_t *n)
{
	*minus = (const char *const *)q->minus;
	*n = q->nminus;
	return q->rest;
}

const struct search_param *search_params(const struct search_query *q, size_t *n)
{
	*n = q->nparams;
	return q->params;
}

const char *const *search_words(const struct search_query *q)
{
	return (const char *const *)q->words;
}

void search_describe(const struct search_query *q, struct buf *out)
{
	buf_adds(out, "MATCH ");
	buf_adds(out, q->has_match ? q->match.data : "-");
	buf_adds(out, " WHERE ");
	const char *w = search_where(q);
	/* Spell out ?N placeholders. */
	for (const char *p = w; *p;) {
		if (*p == '?' && p[1] >= '0' && p[1] <= '9') {
			char *e;
			long k = strtol(p + 1, &e, 10);
			if (k < 2 || (size_t)(k - 2) >= q->nparams) {
				buf_addc(out, *p++);
				continue;
			}
			const struct search_param *sp = &q->params[k - 2];
			if (sp->kind == SP_INT)
				buf_printf(out, "%lld", (long long)sp->value);
			else {
				buf_addc(out, '\'');
				buf_adds(out, sp->text ? sp->text : "");
				buf_addc(out, '\'');
			}
			p = e;
		} else {
			buf_addc(out, *p++);
		}
	}
}

/* Narrows [*lo, *hi) by the d: and dt: ranges that n requires: those
 * among the terms its ANDs join (an OR or a NOT requires none). */
static void date_conjuncts(const struct qnode *n, int64_t *lo, int64_t *hi, bool *any)
{
	if (n->kind == Q_AND) {
		date_conjuncts(n->a, lo, hi, any);
		date_conjuncts(n->b, lo, hi, any);
	} else if (n->kind == Q_TERM && (n->field == F_D || n->field == F_DT)) {
		if (n->lo > *lo)
			*lo = n->lo;
		if (n->hi < *hi)
			*hi = n->hi;
		*any = true;
	}
}

bool search_date_range(const struct search_query *q, int64_t *lo, int64_t *hi)
{
	bool any = false;
	*lo = INT64_MIN;
	*hi = INT64_MAX;
	/* (As deep as the tree: at most QUERY_MAX_TERMS.) */
	if (q->root)
		date_conjuncts(q->root, lo, hi, &any);
	return any && (*lo != INT64_MIN || *hi != INT64_MAX);
}
