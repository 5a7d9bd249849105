/* test_search.c: the query language.  Each line of queries.golden is a
 * query, a tab, "=> " and its translation (or "ERROR <message>"); a new
 * case costs one line.  Hostile inputs that cannot be written in a text
 * file (NUL, invalid UTF-8, 10 KB, deep nesting) are built here. */
#include <stdlib.h>

#include "../../tests/check.h"
#include "search/search.h"

#define NOW 1559347200 /* 2019-06-01 00:00:00 UTC */

static void describe(const char *q, size_t n, char *out, size_t outn)
{
	struct search_query *sq;
	struct la_err err = {0};
	if (search_parse(q, n, NOW, &sq, &err) == LA_OK) {
		struct buf b;
		buf_init(&b, 1 << 20);
		search_describe(sq, &b);
		snprintf(out, outn, "%s", buf_cstr(&b));
		buf_free(&b);
		search_free(sq);
	} else {
		snprintf(out, outn, "ERROR %s", err.msg);
	}
}

static void golden(const char *path)
{
	FILE *f = fopen(path, "r");
	CHECK(f != NULL, "open %s", path);
	if (!f)
		return;
	char line[8192], got[16384];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		char *tab = strstr(line, "\t=> ");
		if (!tab)
			continue;
		*tab = '\0';
		const char *want = tab + 4;
		describe(line, strlen(line), got, sizeof got);
		CHECK_STR(got, want, "query [%s]", line);
	}
	fclose(f);
}

static void expect_error(const char *what, const char *q, size_t n, const char *msg)
{
	char got[4096];
	describe(q, n, got, sizeof got);
	CHECK(strncmp(got, "ERROR ", 6) == 0 && strstr(got, msg), "%s is refused: %s", what, got);
}

static void hostile(void)
{
	char *big = malloc(10240);
	memset(big, 'a', 10239);
	big[10239] = '\0';
	expect_error("a 10 KB query", big, 10239, "too long");
	for (int i = 0; i < 10239; i++)
		big[i] = i % 2 ? ' ' : 'x';
	expect_error("a 10 KB query of words", big, 10239, "too long");
	free(big);
	expect_error("a NUL byte", "foo\0bar", 7, "not valid UTF-8");
	expect_error("invalid UTF-8", "caf\xE9", 4, "not valid UTF-8");
	expect_error("a truncated UTF-8 sequence", "\xE6\x97", 2, "not valid UTF-8");
	char deep[200];
	memset(deep, '(', 40);
	memcpy(deep + 40, "x", 1);
	memset(deep + 41, ')', 40);
	expect_error("40 nested parentheses", deep, 81, "nests too deep");
	char many[1024] = "";
	for (int i = 0; i < 300; i++)
		strcat(many, "w ");
	expect_error("300 terms", many, strlen(many), "too many terms");
	char nots[200] = "";
	for (int i = 0; i < 30; i++)
		strcat(nots, "NOT ");
	strcat(nots, "x");
	expect_error("30 NOTs", nots, strlen(nots), "nests too deep");
	expect_error("an empty query", "", 0, "empty");
	expect_error("only spaces", "   \t ", 5, "empty");

	/* Whatever comes in, the SQL text is one of our shapes: user text
	 * appears only in parameters. */
	static const char *const evil[] = {"foo') OR 1=1 --", "s:x\"; DROP TABLE x; --",
	                                   "l:a' OR '1'='1", "m:x') UNION SELECT 1 --"};
	for (size_t i = 0; i < sizeof evil / sizeof *evil; i++) {
		struct search_query *sq;
		struct la_err err = {0};
		if (search_parse(evil[i], strlen(evil[i]), NOW, &sq, &err) == LA_OK) {
			const char *w = search_where(sq);
			CHECK(!strstr(w, "DROP") && !strstr(w, "UNION") && !strstr(w, "'1'"),
			      "no user text in the SQL of [%s]", evil[i]);
			search_free(sq);
		} else {
			CHECK(err.msg[0] != '\0', "[%s] refused with a message", evil[i]);
		}
	}
}

static void words(void)
{
	struct search_query *sq;
	struct la_err err = {0};
	const char *q = "Copy_Page s:\"mm: Extend\" -skip d:2019";
	CHECK(search_parse(q, strlen(q), NOW, &sq, &err) == LA_OK, "parse for words");
	const char *const *w = search_words(sq);
	int n = 0;
	while (w[n])
		n++;
	CHECK(n == 4 && !strcmp(w[0], "copy") && !strcmp(w[1], "page") && !strcmp(w[2], "mm") &&
	              !strcmp(w[3], "extend"),
	      "highlight words are the positive full-text words, lowercased (%d)", n);
	size_t np;
	search_params(sq, &np);
	CHECK(np == 2, "the date range is two bound parameters");
	search_free(sq);
}

/* The same language over an index made before lore's columns: the
 * column sets it has, and a clear refusal of what it lacks. */
static void old_index(void)
{
	static const struct {
		const char *q, *want;
	} cases[] = {
		{"copy_page_range", "MATCH {s f nq q} : \"copy_page_range\" WHERE 1"},
		/* (no stems: a word finds itself) */
		{"b:memory", "MATCH {nq q} : \"memory\" WHERE 1"},
		{"bs:memory", "MATCH {s nq q} : \"memory\" WHERE 1"},
		{"\xE6\x9D\xB1\xE4\xBA\xAC",
	         "MATCH {s f nq q} : \"\xE6\x9D\xB1\xE4\xBA\xAC\" WHERE 1"},
		{"nq:pstore", "MATCH nq : \"pstore\" WHERE 1"},
		{"tc:akpm dfn:mm/memory.c",
	         "MATCH (({t c} : \"akpm\") AND (dfn : \"mm/memory.c\")) WHERE 1"},
		{"dt:20190520000000..", "MATCH - WHERE (coalesce(m.date, m.ts) >= 1558310400)"},
		{"dfa:x",
	         "ERROR this archive's search index was made before dfa: was added; it can "
	         "search dfa: once its owner has run listarc reindex --search"},
		{"s:x OR patchid:0a68bafcd58ed2083936e316f9133f432578ef64",
	         "ERROR this archive's search index was made before patchid: was added; it can "
	         "search patchid: once its owner has run listarc reindex --search"},
		{"lid:linux-mtd.lists.infradead.org",
	         "ERROR this archive's search index was made "
	         "before lid: was added; it can search lid: once "
	         "its owner has run listarc reindex --search"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct search_query *sq;
		struct la_err err = {0};
		char got[4096];
		const char *q = cases[i].q;
		if (search_parse_index(q, strlen(q), NOW, SEARCH_INDEX_OLD, &sq, &err) == LA_OK) {
			struct buf b;
			buf_init(&b, 1 << 20);
			search_describe(sq, &b);
			snprintf(got, sizeof got, "%s", buf_cstr(&b));
			buf_free(&b);
			search_free(sq);
		} else {
			snprintf(got, sizeof got, "ERROR %s", err.msg);
		}
		CHECK_STR(got, cases[i].want, "old index: [%s]", q);
	}
	/* An index with lore's columns and no stems: every prefix, and a
	 * word finds itself. */
	static const struct {
		const char *q, *want;
	} nostem[] = {
		{"reviewed", "MATCH {s f nq q n dfn dfa dfb dfctx dfhh} : \"reviewed\" WHERE 1"},
		{"s:patches dfa:x", "MATCH ((s : \"patches\") AND (dfa : \"x\")) WHERE 1"},
	};
	for (size_t i = 0; i < sizeof nostem / sizeof *nostem; i++) {
		struct search_query *sq;
		struct la_err err = {0};
		char got[4096] = "ERROR";
		const char *q = nostem[i].q;
		if (search_parse_index(q, strlen(q), NOW, SEARCH_INDEX_NOSTEM, &sq, &err) ==
		    LA_OK) {
			struct buf b;
			buf_init(&b, 1 << 20);
			search_describe(sq, &b);
			snprintf(got, sizeof got, "%s", buf_cstr(&b));
			buf_free(&b);
			search_free(sq);
		}
		CHECK_STR(got, nostem[i].want, "index without stems: [%s]", q);
	}
}

/* Blob ids, List-Id tokens and patch ids are not words to highlight. */
static void lore_words(void)
{
	struct search_query *sq;
	struct la_err err = {0};
	const char *q = "dfpost:6e006fd73b1d lid:linux-mtd.lists.infradead.org dfb:Round_Hint "
			"patchid:0a68bafcd58ed2083936e316f9133f432578ef64";
	CHECK(search_parse(q, strlen(q), NOW, &sq, &err) == LA_OK, "parse lore terms");
	const char *const *w = search_words(sq);
	int n = 0;
	while (w[n])
		n++;
	CHECK(n == 2 && !strcmp(w[0], "round") && !strcmp(w[1], "hint"),
	      "only dfb:'s words are highlighted (%d)", n);
	search_free(sq);
	q = "reviewed Acked mm* happy";
	CHECK(search_parse(q, strlen(q), NOW, &sq, &err) == LA_OK, "parse inflected words");
	w = search_words(sq);
	CHECK(w[0] && w[1] && w[2] && w[3] && !w[4] && !strcmp(w[0], "review*") &&
	              !strcmp(w[1], "acked") && !strcmp(w[2], "mm*") && !strcmp(w[3], "happ*"),
	      "what a word shares with its stem and a prefix are highlighted as prefixes, a "
	      "capitalised word as itself");
	search_free(sq);
}

/* An OR of full-text and other members (and such an OR ANDed with
 * more) is read member by member: each member's own translation. */
static void branches(void)
{
	static const struct {
		const char *q;
		const char *want; /* each branch's description, " | " between */
	} cases[] = {
		{"mid:a@b OR s:cifs",
	         "MATCH - WHERE m.mid IN (SELECT id FROM mids WHERE mid = 'a@b') | "
	         "MATCH (s : \"cifs\" OR zs : \"cif\") WHERE 1"},
		{"(mid:a@b OR s:cifs) d:2019",
	         "MATCH - WHERE (m.mid IN (SELECT id FROM mids WHERE mid = 'a@b') AND "
	         "(coalesce(m.date, m.ts) >= 1546300800 AND coalesce(m.date, m.ts) < 1577836800)) | "
	         "MATCH (((s : \"cifs\" OR zs : \"cif\"))) WHERE (coalesce(m.date, m.ts) >= 1546300800 AND "
	         "coalesce(m.date, m.ts) < 1577836800)"},
		{"z:100000.. OR Foo OR mid:c@d",
	         "MATCH - WHERE (m.len >= 100000) | MATCH {s f nq q n dfn dfa dfb dfctx dfhh} : "
	         "\"Foo\" WHERE 1 | MATCH - WHERE m.mid IN (SELECT id FROM mids WHERE mid = 'c@d')"},
		{"s:a OR s:b", ""},         /* one MATCH */
		{"mid:a@b OR mid:c@d", ""}, /* one condition, its indexes */
		{"s:a d:2019", ""},         /* the MATCH drives */
		{"NOT s:a", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct search_query *sq;
		struct la_err err = {0};
		const char *q = cases[i].q;
		bool parsed = search_parse(q, strlen(q), NOW, &sq, &err) == LA_OK;
		CHECK(parsed, "parse [%s]", q);
		if (!parsed)
			continue;
		size_t n;
		const struct search_query *const *br = search_branches(sq, &n);
		struct buf b;
		buf_init(&b, 1 << 20);
		for (size_t k = 0; k < n; k++) {
			if (k)
				buf_adds(&b, " | ");
			search_describe(br[k], &b);
		}
		CHECK_STR(buf_cstr(&b), cases[i].want, "branches of [%s]", q);
		buf_free(&b);
		search_free(sq);
	}
}

/* NOTs of full-text terms ANDed with conditions that are not: the
 * conditions' own translation, less each NOT's MATCH. */
static void except(void)
{
	static const struct {
		const char *q;
		const char *want; /* the rest's description, " MINUS " and each */
	} cases[] = {
		{"NOT s:patch", "MATCH - WHERE 1 MINUS (s : \"patch\" OR zs : \"patch\")"},
		{"d:2019 -Foo -s:Bar",
	         "MATCH - WHERE (coalesce(m.date, m.ts) >= 1546300800 AND coalesce(m.date, m.ts) < "
	         "1577836800) MINUS {s f nq q n dfn dfa dfb dfctx dfhh} : \"Foo\" MINUS s : \"Bar\""},
		{"-mid:a@b -Foo",
	         "MATCH - WHERE NOT m.mid IN (SELECT id FROM mids WHERE mid = 'a@b') "
	         "MINUS {s f nq q n dfn dfa dfb dfctx dfhh} : \"Foo\""},
		{"Foo -Bar", ""},        /* a MATCH drives it */
		{"d:2019 -mid:a@b", ""}, /* no full text */
		{"mid:a@b OR s:x", ""},  /* an OR */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct search_query *sq;
		struct la_err err = {0};
		const char *q = cases[i].q;
		bool parsed = search_parse(q, strlen(q), NOW, &sq, &err) == LA_OK;
		CHECK(parsed, "parse [%s]", q);
		if (!parsed)
			continue;
		const char *const *minus;
		size_t n;
		const struct search_query *rest = search_except(sq, &minus, &n);
		struct buf b;
		buf_init(&b, 1 << 20);
		if (rest)
			search_describe(rest, &b);
		for (size_t k = 0; rest && k < n; k++) {
			buf_adds(&b, " MINUS ");
			buf_adds(&b, minus[k]);
		}
		CHECK_STR(buf_cstr(&b), cases[i].want, "NOTs of [%s]", q);
		buf_free(&b);
		search_free(sq);
	}
}

/* The date range a query requires (search_date_range): the d: and dt:
 * terms its ANDs join, intersected; none under an OR or a NOT, and rt:
 * (the delivery time) is another column. */
static void date_ranges(void)
{
	static const struct {
		const char *q;
		bool any;
		int64_t lo, hi;
	} cases[] = {
		{"d:2019-05", true, 1556668800, 1559347200},
		{"f:ktkhai d:2019-05-20..2019-05-21", true, 1558310400, 1558483200},
		{"d:2019-05 d:2019-05-20..", true, 1558310400, 1559347200},
		{"(d:2019-05 patch) s:x", true, 1556668800, 1559347200},
		{"d:2019-05-20..", true, 1558310400, INT64_MAX},
		{"dt:..20190520000000", true, INT64_MIN, 1558310401}, /* (ends included) */
		{"d:2019-05 OR patch", false, 0, 0},
		{"NOT d:2019-05", false, 0, 0},
		{"-d:2019-05 patch", false, 0, 0},
		{"rt:2019-05", false, 0, 0},
		{"z:1000..", false, 0, 0},
		{"patch", false, 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct search_query *sq = NULL;
		struct la_err err = {0};
		const char *q = cases[i].q;
		int64_t lo = 0, hi = 0;
		bool any = false;
		if (search_parse(q, strlen(q), NOW, &sq, &err) == LA_OK)
			any = search_date_range(sq, &lo, &hi);
		CHECK(any == cases[i].any && (!any || (lo == cases[i].lo && hi == cases[i].hi)),
		      "date range of [%s]: %d %lld..%lld", q, any, (long long)lo, (long long)hi);
		search_free(sq);
	}
}

int main(int argc, char **argv)
{
	golden(argc > 1 ? argv[1] : "src/search/queries.golden");
	hostile();
	words();
	old_index();
	lore_words();
	branches();
	except();
	date_ranges();
	return check_status();
}
