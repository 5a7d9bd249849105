/* test_util.c: buffers, UTF-8, calendar arithmetic, reads and writes. */
#define _GNU_SOURCE /* (memmem, to compare span_memmem with) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../tests/check.h"
#include "util/buf.h"
#include "util/civil.h"
#include "util/cjk.h"
#include "util/fold.h"
#include "util/handoff.h"
#include "util/span.h"
#include "util/hash.h"
#include "util/hex.h"
#include "util/stem.h"
#include "util/io.h"
#include "util/span.h"
#include "util/utf8.h"
#include "util/vec.h"

static void test_buf(void)
{
	struct buf b;
	buf_init(&b, 10);
	buf_adds(&b, "12345");
	buf_printf(&b, "%d", 678);
	CHECK(b.len == 8 && !b.err, "buf appends within its cap");
	buf_adds(&b, "abc");
	CHECK(b.err == LA_ETOOBIG && b.len == 8,
	      "buf refuses to grow past its cap and stays sticky");
	buf_adds(&b, "x");
	CHECK(b.len == 8, "appends after an error are ignored");
	CHECK_STR(buf_cstr(&b), "", "buf_cstr of a failed buffer is empty");
	buf_reset(&b);
	buf_adds(&b, "ok");
	CHECK_STR(buf_cstr(&b), "ok", "buf_reset clears the error");
	buf_free(&b);
	buf_init(&b, 1 << 20);
	for (int i = 0; i < 10000; i++)
		buf_printf(&b, "%05d", i);
	CHECK(b.len == 50000 && !b.err, "buf grows to 50000 bytes");
	buf_free(&b);
}

static void test_utf8(void)
{
	static const struct {
		const char *in;
		size_t n;
		int valid;
	} cases[] = {
		{"plain", 5, 1},        {"\xC3\xA9", 2, 1},
		{"\xE2\x82\xAC", 3, 1}, {"\xF0\x9F\x98\x80", 4, 1},
		{"\xC3", 1, 0},         {"\xC0\xAF", 2, 0},
		{"\xED\xA0\x80", 3, 0}, {"\xF4\x90\x80\x80", 4, 0},
		{"\xFF", 1, 0},         {"\xE0\x80\xAF", 3, 0},
		{"a\0b", 3, 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		CHECK(utf8_valid(cases[i].in, cases[i].n) == cases[i].valid, "utf8_valid case %zu",
		      i);
	struct buf b;
	buf_init(&b, 100);
	utf8_repair(&b,
	            "a\xFF"
	            "b\xC3",
	            4);
	CHECK(b.len == 8 && memcmp(b.data,
	                           "a\xEF\xBF\xBD"
	                           "b\xEF\xBF\xBD",
	                           8) == 0,
	      "utf8_repair replaces each bad byte with U+FFFD");
	buf_free(&b);
	CHECK(utf8_trunc("ab\xE2\x82\xAC", 4) == 2, "utf8_trunc drops a cut sequence");
	CHECK(utf8_trunc("ab\xE2\x82\xAC", 5) == 5, "utf8_trunc keeps a whole sequence");
	CHECK(utf8_trunc("abc", 3) == 3, "utf8_trunc on ASCII");
}

static void test_civil(void)
{
	CHECK(civil_to_days(1970, 1, 1) == 0, "epoch is day 0");
	CHECK(civil_to_days(2019, 5, 20) == 18036, "2019-05-20 is day 18036");
	CHECK(civil_weekday(civil_to_days(2019, 5, 20)) == 0, "2019-05-20 was a Monday");
	CHECK(civil_weekday(civil_to_days(1970, 1, 1)) == 3, "1970-01-01 was a Thursday");
	int64_t y;
	unsigned m, d;
	int ok = 1;
	for (int64_t z = -800000; z < 3000000; z += 997) {
		civil_from_days(z, &y, &m, &d);
		ok &= civil_to_days(y, m, d) == z;
	}
	CHECK(ok, "civil_from_days inverts civil_to_days over 10,000 years");
	CHECK(civil_month_days(2020, 2) == 29 && civil_month_days(1900, 2) == 28 &&
	              civil_month_days(2000, 2) == 29,
	      "leap years");
	CHECK(!civil_valid(2019, 2, 29) && civil_valid(2020, 2, 29) && !civil_valid(2019, 13, 1),
	      "civil_valid");
	CHECK(civil_month_from_name("may", 3) == 5 && civil_month_from_name("DEC", 3) == 12 &&
	              civil_month_from_name("foo", 3) == 0,
	      "month names");

	/* The one split of a unix time: rounded down, so that a time before
	 * 1970 is on the day it falls in. */
	static const struct {
		int64_t t, days;
		unsigned sec;
	} unix_cases[] = {
		{0, 0, 0},
		{86399, 0, 86399},
		{86400, 1, 0},
		{1558360817, 18036, 50417}, /* 2019-05-20T14:00:17Z */
		{-1, -1, 86399},
		{-86400, -1, 0},
		{-86401, -2, 86399},
		{INT64_MIN, INT64_MIN / 86400 - 1, (unsigned)(INT64_MIN % 86400 + 86400)},
	};
	for (size_t i = 0; i < sizeof unix_cases / sizeof *unix_cases; i++) {
		unsigned sec = 99999;
		int64_t days = civil_days_of_unix(unix_cases[i].t, &sec);
		CHECK(days == unix_cases[i].days && sec == unix_cases[i].sec,
		      "civil_days_of_unix(%lld) = %lld, %u", (long long)unix_cases[i].t,
		      (long long)days, sec);
	}

	/* The one split of a day key, and its two written forms. */
	static const struct {
		int key;
		char sep;
		const char *want;
	} day_cases[] = {
		{20190520, '-', "2019-05-20"}, {20190520, '/', "2019/05/20"},
		{10101, '-', "0001-01-01"},    {99991231, '/', "9999/12/31"},
		{0, '-', "0000-00-00"},        {-5, '-', "0000-00-00"},
	};
	for (size_t i = 0; i < sizeof day_cases / sizeof *day_cases; i++) {
		char out[CIVIL_DAY_LEN];
		civil_daykey_format(day_cases[i].key, day_cases[i].sep, out);
		CHECK(strcmp(out, day_cases[i].want) == 0, "civil_daykey_format(%d, '%c') = %s",
		      day_cases[i].key, day_cases[i].sep, out);
	}
	struct civil_ymd ymd = civil_daykey_split(civil_daykey(2020, 2, 29));
	CHECK(ymd.y == 2020 && ymd.m == 2 && ymd.d == 29,
	      "civil_daykey_split inverts civil_daykey");
}

static void test_hash(void)
{
	CHECK(hash64("abc", 3, 0) == hash64("abc", 3, 0), "hash64 is deterministic");
	CHECK(hash64("abc", 3, 0) != hash64("abd", 3, 0), "hash64 differs for different input");
	CHECK(hash64("abc", 3, 0) != hash64("abc", 3, 1), "hash64 depends on the seed");
}

/* span_memmem finds what memmem finds, over texts of every short length
 * and needles placed everywhere in them (the 16-byte steps' edges). */
static void test_memmem(void)
{
	static const char *const needles[] = {"\nFrom ", "\nd", "ab", "\n--- ", "aab"};
	char t[80];
	unsigned seed = 1;
	int bad = 0, runs = 0;
	for (size_t n = 0; n <= sizeof t; n++) {
		for (int r = 0; r < 40; r++) {
			for (size_t i = 0; i < n; i++) {
				seed = seed * 1103515245 + 12345;
				t[i] = "\nFroma b-"[(seed >> 16) % 10];
			}
			for (size_t w = 0; w < sizeof needles / sizeof *needles; w++) {
				size_t k = strlen(needles[w]);
				if (r % 4 == 0 && k <= n) /* an occurrence at a place of its own */
					memcpy(t + (seed >> 8) % (n - k + 1), needles[w], k);
				const char *a = n ? span_memmem(t, n, needles[w], k) : NULL;
				const char *b = n ? memmem(t, n, needles[w], k) : NULL;
				bad += a != b;
				runs++;
			}
		}
	}
	CHECK(bad == 0, "span_memmem finds what memmem finds (%d of %d differ)", bad, runs);
}

static void test_vec(void)
{
	int *v = NULL;
	size_t cap = 0;
	bool grew = true;
	for (size_t i = 0; i < 1000 && grew; i++) {
		grew = vec_reserve(&v, &cap, i + 1, sizeof *v);
		if (grew)
			v[i] = (int)i;
	}
	CHECK(grew && cap >= 1000 && v[999] == 999, "vec_reserve grows an array to 1000 elements");
	CHECK(cap == 1024, "vec_reserve doubles from 16 (capacity %zu)", cap);
	int *before = v;
	CHECK(vec_reserve(&v, &cap, 10, sizeof *v) && v == before && cap == 1024,
	      "vec_reserve leaves an array with room as it is");
	CHECK(!vec_reserve(&v, &cap, SIZE_MAX / 2 + 2, sizeof *v) && v == before && cap == 1024,
	      "vec_reserve refuses a count whose size overflows, leaving the array");
	CHECK(!vec_reserve(&v, &cap, SIZE_MAX / sizeof *v + 1, sizeof *v) && cap == 1024,
	      "vec_reserve refuses a count just past SIZE_MAX bytes");
	free(v);
}

static void test_cjk(void)
{
	static const struct {
		const char *in, *out;
		bool has;
	} cases[] = {
		{"plain ascii text, no change", "plain ascii text, no change", false},
		{"caf\xC3\xA9 na\xC3\xAFve", "caf\xC3\xA9 na\xC3\xAFve", false},
		/* 私は東京 */
		{"\xE7\xA7\x81\xE3\x81\xAF\xE6\x9D\xB1\xE4\xBA\xAC",
	         "\xE7\xA7\x81 \xE3\x81\xAF \xE6\x9D\xB1 \xE4\xBA\xAC", true},
		/* in Linux 東京 2024年 */
		{"in Linux \xE6\x9D\xB1\xE4\xBA\xAC 2024\xE5\xB9\xB4",
	         "in Linux \xE6\x9D\xB1 \xE4\xBA\xAC 2024 \xE5\xB9\xB4", true},
		/* Hangul: 서울에서 */
		{"\xEC\x84\x9C\xEC\x9A\xB8\xEC\x97\x90\xEC\x84\x9C",
	         "\xEC\x84\x9C \xEC\x9A\xB8 \xEC\x97\x90 \xEC\x84\x9C", true},
		/* punctuation of those scripts (。) is no word: left alone */
		{"a\xE3\x80\x82"
	         "b",
	         "a\xE3\x80\x82"
	         "b",
	         false},
		/* a truncated sequence is left as it is */
		{"x\xE6\x9D", "x\xE6\x9D", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct buf b;
		buf_init(&b, 1024);
		size_t n = strlen(cases[i].in);
		CHECK(cjk_has(cases[i].in, n) == cases[i].has, "cjk_has [%s]", cases[i].in);
		cjk_spaced(&b, cases[i].in, n);
		CHECK_STR(buf_cstr(&b), cases[i].out, "cjk_spaced [%s]", cases[i].in);
		buf_free(&b);
	}
}

/* English stems as Snowball (and so Xapian, and so lore) has them. */
static void test_fold(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"Stra\xC3\x9F"
	         "e",
	         "Strasse"},
		{"STRA\xE1\xBA\x9E"
	         "E",
	         "STRAssE"},
		{"Encyclop\xC3\xA6"
	         "dia \xC5\x93uvre \xC3\x86on",
	         "Encyclopaedia oeuvre aeon"},
		{"\xEF\xAC\x81"
	         "nal \xEF\xAC\x82"
	         "ow o\xEF\xAC\x83"
	         "ce wa\xEF\xAC\x84"
	         "e",
	         "final flow office waffle"},
		{"\xC5\x81\xC3\xB3"
	         "d\xC5\xBA \xC3\x98re \xC3\xBEorn \xC4\xB3s",
	         "l\xC3\xB3"
	         "d\xC5\xBA ore thorn ijs"},
		{"caf\xC3\xA9 plain ASCII", "caf\xC3\xA9 plain ASCII"},
		{"\xEF\xAC", "\xEF\xAC"}, /* cut short: as it is */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char out[64];
		size_t n = strlen(cases[i].in);
		size_t k = fold_letters(cases[i].in, n, out);
		out[k] = '\0';
		CHECK_STR(out, cases[i].out, "fold_letters case %zu", i);
		CHECK(k <= n, "a folded text is never longer (case %zu)", i);
		CHECK(fold_needed(cases[i].in, n) == (strcmp(cases[i].in, cases[i].out) != 0),
		      "fold_needed says whether it changes (case %zu)", i);
	}
	char in_place[] = "Gro\xC3\x9F und \xEF\xAC\x81"
			  "x";
	in_place[fold_letters(in_place, strlen(in_place), in_place)] = '\0';
	CHECK_STR(in_place, "Gross und fix", "fold_letters in place");
}

static void test_stem(void)
{
	static const struct {
		const char *word, *stem;
	} cases[] = {
		{"reviewed", "review"},     {"reviews", "review"}, {"review", "review"},
		{"extends", "extend"},      {"patches", "patch"},  {"applied", "appli"},
		{"apply", "appli"},         {"happy", "happi"},    {"running", "run"},
		{"generously", "generous"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char out[STEM_WORD_MAX + 1];
		size_t k = stem_once(cases[i].word, strlen(cases[i].word), out);
		CHECK(k == strlen(out), "stem_once gives the length");
		CHECK_STR(out, cases[i].stem, "stem of %s", cases[i].word);
	}
	CHECK(stem_word("review", 6) && !stem_word("Review", 6) && !stem_word("x86", 3) &&
	              !stem_word("a", 1),
	      "stem_word: 2 or more lowercase ASCII letters");
	struct stemmer *st = stemmer_new();
	CHECK(st != NULL, "stemmer_new");
	struct buf b;
	buf_init(&b, 4096);
	const char *text = "Reviewed-by: the REVIEWS, reviewing x86 caf\xC3\xA9 stra\xC3\x9F"
			   "e; "
			   "reviewed again extends extend";
	stemmer_stems(st, &b, text, strlen(text));
	CHECK_STR(buf_cstr(&b), "review by the again extend ",
	          "distinct stems of English words, once each; not x86 nor accented words");
	buf_reset(&b);
	stemmer_stems(st, &b, "the reviewer vm_acct_memory memory", 34);
	CHECK_STR(buf_cstr(&b), "memori ", "until stemmer_reset, each stem once; '_' is in words");
	buf_reset(&b);
	stemmer_reset(st);
	stemmer_stems(st, &b, "the review", 10);
	CHECK_STR(buf_cstr(&b), "the review ", "after stemmer_reset, anew");
	/* A word and a stem that differ only in the low bit of their first
	 * letter ("we", "ve" of "I've") are told apart. */
	buf_reset(&b);
	stemmer_reset(st);
	stemmer_stems(st, &b, "I've ve we xe", 13);
	CHECK_STR(buf_cstr(&b), "ve we xe ", "a word is not taken for a stem of the same length");
	buf_free(&b);
	stemmer_free(st);
	stemmer_free(NULL);
}

/* Through a pipe (reads come back in pieces of what was written) and a
 * file (reads at an offset, short only at its end). */
static void test_io(void)
{
	int p[2];
	CHECK(pipe(p) == 0, "pipe");
	CHECK(io_write_all(p[1], "abc", 3) == LA_OK && io_write_all(p[1], "defg", 4) == LA_OK,
	      "io_write_all to a pipe");
	close(p[1]);
	char b[16];
	size_t got = 99;
	CHECK(io_read_full(p[0], b, 5, &got) == LA_OK && got == 5 && memcmp(b, "abcde", 5) == 0,
	      "io_read_full joins the pieces of two writes");
	CHECK(io_read_full(p[0], b, sizeof b, &got) == LA_OK && got == 2 && memcmp(b, "fg", 2) == 0,
	      "io_read_full stops short only at the end");
	CHECK(io_read_full(p[0], b, sizeof b, &got) == LA_OK && got == 0, "then reads nothing");
	close(p[0]);

	char path[] = "/tmp/test_util-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0, "mkstemp");
	unlink(path);
	enum { BIG = 300000 };
	char *big = malloc(BIG), *back = malloc(BIG);
	for (size_t i = 0; i < BIG; i++)
		big[i] = (char)('a' + i % 26);
	CHECK(io_write_all(fd, big, BIG) == LA_OK, "io_write_all of %d bytes", BIG);
	CHECK(io_pwrite_all(fd, "XYZ", 3, 10) == LA_OK, "io_pwrite_all at offset 10");
	CHECK(io_pread_full(fd, back, BIG, 0, &got) == LA_OK && got == BIG &&
	              memcmp(back, "abcdefghijXYZnop", 16) == 0 &&
	              memcmp(back + 16, big + 16, BIG - 16) == 0,
	      "io_pread_full reads it all back");
	CHECK(io_pread_full(fd, back, 100, BIG - 7, &got) == LA_OK && got == 7 &&
	              memcmp(back, big + BIG - 7, 7) == 0,
	      "io_pread_full at the end reads what there is");
	CHECK(io_pread_full(fd, back, 100, BIG + 5, &got) == LA_OK && got == 0,
	      "io_pread_full past the end reads nothing");
	close(fd);
	CHECK(io_write_all(fd, "x", 1) == LA_EIO && io_pread_full(fd, back, 1, 0, &got) == LA_EIO,
	      "a closed fd is LA_EIO");
	free(big);
	free(back);
}

/* The hand-off: every value a reader puts through a small ring arrives,
 * in order; a writer that stops early stops the reader (it does not hang
 * on a full ring); a reader that finishes early ends the writer's loop. */
struct handoff_case {
	struct handoff h;
	int slot[4];
	int n;      /* values the reader offers */
	int put;    /* values it put */
	bool ended; /* it left its loop */
};

static void *handoff_reader(void *arg)
{
	struct handoff_case *c = arg;
	size_t at;
	for (int i = 0; i < c->n && handoff_wait_put(&c->h, &at); i++) {
		c->slot[at] = i;
		handoff_put(&c->h);
		c->put++;
	}
	c->ended = true;
	handoff_finish(&c->h);
	return NULL;
}

static void test_handoff(void)
{
	static const struct {
		int n, take; /* the reader offers n; the writer takes at most take */
	} t[] = {{1000, 1000}, {0, 10}, {3, 10}, {1000, 5}, {1000, 0}};
	for (size_t k = 0; k < sizeof t / sizeof *t; k++) {
		struct handoff_case c = {.n = t[k].n};
		handoff_init(&c.h, 4);
		pthread_t r;
		CHECK(pthread_create(&r, NULL, handoff_reader, &c) == 0, "handoff %zu: thread", k);
		int got = 0;
		bool in_order = true;
		size_t at;
		while (got < t[k].take && handoff_take(&c.h, &at)) {
			in_order &= c.slot[at] == got;
			got++;
			handoff_release(&c.h);
		}
		handoff_stop(&c.h);
		pthread_join(r, NULL);
		int want = t[k].n < t[k].take ? t[k].n : t[k].take;
		CHECK(in_order && got == want && c.ended && handoff_taken(&c.h) == (size_t)got &&
		              c.put <= got + 4,
		      "handoff %zu: took %d of %d in order %d, reader put %d", k, got, want,
		      in_order, c.put);
		handoff_destroy(&c.h);
	}
}

/* mem2chr against a byte loop: the pair at every place of buffers of
 * every length up to 80 (the 32- and 16-place blocks and the tail), a
 * lone first byte at the end, and the pair's second byte just past n. */
static void test_mem2chr(void)
{
	char p[81];
	int bad = 0;
	for (size_t n = 0; n <= 80; n++) {
		for (size_t at = 0; at <= n; at++) {
			memset(p, 'x', sizeof p);
			if (at < n)
				p[at] = '\n';
			if (at + 1 < sizeof p)
				p[at + 1] = '-';
			const char *want = at + 1 < n ? p + at : NULL;
			bad += mem2chr(p, n, '\n', '-') != want;
			/* A second pair after the first: the first is found. */
			if (at + 3 < n) {
				p[at + 2] = '\n';
				p[at + 3] = '-';
				bad += mem2chr(p, n, '\n', '-') != want;
			}
		}
	}
	CHECK(bad == 0, "mem2chr finds the first pair, never one ending past n (%d wrong)", bad);
	CHECK(mem2chr("", 0, 'a', 'b') == NULL && mem2chr("ab", 1, 'a', 'b') == NULL &&
	              mem2chr("aab", 3, 'a', 'b') != NULL,
	      "mem2chr: empty, cut, and a pair after its first byte alone");
}

static void test_hex(void)
{
	CHECK(hex_value('0') == 0 && hex_value('9') == 9 && hex_value('a') == 10 &&
	              hex_value('F') == 15 && hex_value('g') == -1 && hex_value('\0') == -1 &&
	              hex_value('/') == -1 && hex_value(':') == -1 && hex_value('@') == -1 &&
	              hex_value('`') == -1 && hex_value((char)0xe9) == -1,
	      "hex_value: 0-9, a-f, A-F and nothing else");
	unsigned char out[4] = {0};
	CHECK(hex_decode("00fFa51c", 4, out) && out[0] == 0 && out[1] == 0xff && out[2] == 0xa5 &&
	              out[3] == 0x1c,
	      "hex_decode: four bytes, either case");
	CHECK(!hex_decode("0g", 1, out) && !hex_decode("g0", 1, out) && !hex_decode("0", 1, out),
	      "hex_decode: a character that is not a digit (the NUL of a short string too)");
	CHECK(hex_decode("", 0, out), "hex_decode: nothing to read");
	char text[9];
	hex_encode((const unsigned char *)"\x00\xff\xa5\x1c", 4, text);
	CHECK(strcmp(text, "00ffa51c") == 0, "hex_encode: lowercase, two digits a byte (%s)", text);
}

int main(void)
{
	test_buf();
	test_hex();
	test_memmem();
	test_mem2chr();
	test_vec();
	test_utf8();
	test_civil();
	test_hash();
	test_cjk();
	test_fold();
	test_stem();
	test_io();
	test_handoff();
	return check_status();
}
