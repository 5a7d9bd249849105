/* test_msg.c: dates, Message-IDs, header fields and summaries, table by
 * table; each parser also runs on every prefix of its inputs, placed just
 * before the end of a heap block so ASan catches any over-read. */
#include <stdlib.h>

#include "../../tests/check.h"
#include "msg/date.h"
#include "msg/header.h"
#include "msg/msg.h"
#include "msg/patchid.h"
#include "msg/text.h"

/* A copy of p[0..n) at the very end of a fresh allocation. */
static char *tight(const char *p, size_t n)
{
	char *q = malloc(n ? n : 1);
	memcpy(q, p, n);
	return q;
}

static void test_dates(void)
{
	static const struct {
		const char *in;
		int ok;
		long long unix_time; /* UTC */
	} cases[] = {
		{"Mon, 20 May 2019 17:00:17 +0300", 1, 1558360817},
		{"20 May 2019 17:00:17 +0300", 1, 1558360817},
		{"Mon, 20 May 2019 14:00:17 GMT", 1, 1558360817},
		{"Mon, 20 May 2019 14:00:17 UT", 1, 1558360817},
		{"Mon, 20 May 2019 10:00:17 EDT", 1, 1558360817},
		{"Mon, 20 May 19 14:00:17 +0000", 1, 1558360817},
		{"Mon, 20 May 2019 14:00 +0000", 1, 1558360800},
		{"Mon,20 May 2019 14:00:17 +0000 (UTC)", 1, 1558360817},
		{"Mon May 20 14:00:17 2019", 1, 1558360817},
		{"Fri May  8 06:39:52 2020", 1, 1588919992},
		{"Sat Jan 03 01:05:34 +0000 2015", 1, 1420247134},
		{"2019-05-20T14:00:17Z", 1, 1558360817},
		{"2019-05-20 14:00:17 +0000", 1, 1558360817},
		{"Thu, 1 Jan 1970 00:00:00 +0000", 1, 0},
		{"Tue, 1 Jan 2099 00:00:00 +0000", 1, 4070908800LL},
		{"20 May 2019 2:00:17 PM +0000", 1, 1558360817},
		{"Monday, 20 May 2019 14:00:17 +0000", 1, 1558360817},
		{"20 September 2019 00:00:00 +0000", 1, 1568937600},
		{"", 0, 0},
		{"garbage", 0, 0},
		{"Mon, 32 May 2019 14:00:17 +0000", 0, 0},
		{"Mon, 29 Feb 2019 14:00:17 +0000", 0, 0},
		{"Mon, 20 Foo 2019 14:00:17 +0000", 0, 0},
		{"Mon, 20 May 2019 25:00:17 +0000", 0, 0},
		{"Mon, 20 May 99999 14:00:17 +0000", 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct la_date d;
		bool ok = date_parse(span_cstr(cases[i].in), &d);
		CHECK(ok == (bool)cases[i].ok, "date_parse(\"%s\") %s", cases[i].in,
		      cases[i].ok ? "parses" : "fails");
		if (ok && cases[i].ok)
			CHECK(date_unix(&d) == cases[i].unix_time, "date_parse(\"%s\") = %lld (got %lld)",
			      cases[i].in, cases[i].unix_time, (long long)date_unix(&d));
	}
	/* From_ lines must look like dates from the start. */
	static const struct {
		const char *in;
		int ok;
	} fl[] = {
		{"From foo@bar Mon May 20 14:00:01 2019", 1},
		{"From foo@bar  Fri May  8 06:39:52 2020", 1},
		{"From 1234@xxx Sat Jan 03 01:05:34 +0000 2015", 1},
		{"From foo@bar Mon May 20 14:00:01 2019 remote from baz", 1},
		{"From  Mon May 20 14:00:01 2019", 1},
		{"From what I see, May 20 14:00:01 2019 is fine", 0},
		{"From 2019 onwards, May 5 at 10:00 we", 0},
		{"From the docs", 0},
		{"From: foo@bar Mon May 20 14:00:01 2019", 0},
		{"From foo@bar Mon May 20 2019", 0},
	};
	for (size_t i = 0; i < sizeof fl / sizeof *fl; i++) {
		const char *s = fl[i].in + 5;
		while (*s && *s != ' ')
			s++;
		struct la_date d;
		CHECK(date_parse_fromline(span_cstr(s), &d) == (bool)fl[i].ok, "From_ line \"%s\" %s",
		      fl[i].in, fl[i].ok ? "accepted" : "refused");
	}
	/* Every prefix of every case, with nothing after it in memory. */
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		size_t n = strlen(cases[i].in);
		for (size_t k = 0; k <= n; k++) {
			char *t = tight(cases[i].in, k);
			struct la_date d;
			date_parse(span_make(t, k), &d);
			date_parse_fromline(span_make(t, k), &d);
			free(t);
		}
	}
	CHECK(1, "date parsers read no byte past their input (ASan)");
}

struct ids {
	char got[8][MSGID_MAX + 1];
	int n;
};

static bool collect(const char *id, size_t n, void *arg)
{
	struct ids *x = arg;
	if (x->n < 8)
		msgid_normalize(id, n, x->got[x->n++], NULL);
	return true;
}

static void test_msgids(void)
{
	static const struct {
		const char *in;
		const char *want[4];
	} cases[] = {
		{"<a@b> <c@d>", {"a@b", "c@d"}},
		{" <a@b>\n <c@d>\n\t<e@f>", {"a@b", "c@d", "e@f"}},
		{"<a@b> (comment) <c@d>", {"a@b", "c@d"}},
		{"<<a@b>", {"a@b"}},
		{"<a@b", {"a@b"}},
		{"a@b c@d", {"a@b", "c@d"}},
		{"a@b,c@d", {"a@b", "c@d"}},
		{"<a\n @b>", {"a@b"}},
		{"<>", {NULL}},
		{"nothing here", {NULL}},
		{"", {NULL}},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct ids x = {.n = 0};
		msgid_each(span_cstr(cases[i].in), collect, &x);
		int want_n = 0;
		while (want_n < 4 && cases[i].want[want_n])
			want_n++;
		int ok = x.n == want_n;
		for (int k = 0; ok && k < want_n; k++)
			ok = strcmp(x.got[k], cases[i].want[k]) == 0;
		CHECK(ok, "msgid_each(\"%s\") gives %d ids (got %d)", cases[i].in, want_n, x.n);
	}
	char out[MSGID_MAX + 1];
	unsigned flags = 0;
	char longid[2000];
	memset(longid, 'x', sizeof longid - 1);
	longid[sizeof longid - 1] = '\0';
	CHECK(msgid_normalize(longid, strlen(longid), out, &flags) && (flags & MSG_F_LONG_MSGID) &&
	          strncmp(out, "hash-", 5) == 0,
	      "an over-long Message-ID is replaced by a hash");
	char out2[MSGID_MAX + 1];
	msgid_normalize(longid, strlen(longid), out2, NULL);
	CHECK_STR(out, out2, "the hash of a long id is stable");
	char nul_a[MSGID_MAX + 1], nul_b[MSGID_MAX + 1];
	CHECK(msgid_normalize("a\0x@y", 6, nul_a, NULL) && msgid_normalize("a\0z@y", 6, nul_b, NULL) &&
	          strncmp(nul_a, "hash-", 5) == 0 && strcmp(nul_a, nul_b) != 0,
	      "ids with a NUL inside are hashed whole, not cut at the NUL");
	char hdr[MSGID_MAX + 1];
	CHECK(msgid_from_header(span_cstr("<sp ace\t@x>"), hdr, NULL) &&
	          msgid_from_text("sp ace\t@x", 9, out) && !strcmp(out, hdr) && !strcmp(out, "space@x"),
	      "msgid_from_text drops whitespace as a header's <...> does");
	CHECK(msgid_from_text(longid, strlen(longid), out) && !strcmp(out, out2),
	      "msgid_from_text hashes a long id as the indexer does");
	CHECK(!msgid_from_text(" \t", 2, out), "msgid_from_text: whitespace alone is no id");
	CHECK(msgid_from_header(span_cstr("  <x@y> <z@w>"), out, NULL) && !strcmp(out, "x@y"),
	      "Message-ID: takes the first id");
	CHECK(msgid_from_header(span_cstr(" bare-id"), out, NULL) && !strcmp(out, "bare-id"),
	      "Message-ID: without brackets takes the token");
	CHECK(!msgid_from_header(span_cstr("   "), out, NULL), "an empty Message-ID: has none");
}

static void test_headers(void)
{
	const char *m = "From foo Mon May 20 14:00:01 2019\n"
	                "Subject: one\n"
	                "To: a@b,\n"
	                "\tc@d\r\n"
	                "X-Empty:\n"
	                "Bad Line\n"
	                "body\n";
	struct hdr_iter it;
	struct hdr_field f;
	hdr_iter_init(&it, m, strlen(m));
	CHECK(hdr_next(&it, &f) && span_ieq(f.name, "subject") && f.value.n == 4,
	      "first field after a From_ line");
	CHECK(hdr_next(&it, &f) && span_ieq(f.name, "to") && f.value.n == 10, "folded field kept whole");
	CHECK(hdr_next(&it, &f) && span_ieq(f.name, "x-empty") && f.value.n == 0, "empty field");
	CHECK(!hdr_next(&it, &f) && it.body && strncmp(it.body, "Bad Line", 8) == 0,
	      "a line that is no field starts the body");
	const char *nohdr = "just a body line\n\nmore\n";
	CHECK(hdr_block_len(nohdr, strlen(nohdr)) == 0, "a message with no headers is all body");
	const char *bom = "\xEF\xBB\xBFSubject: x\n\nb";
	hdr_iter_init(&it, bom, strlen(bom));
	CHECK(hdr_next(&it, &f) && span_ieq(f.name, "subject"), "a byte order mark is skipped");
	/* Every prefix, tight. */
	size_t n = strlen(m);
	for (size_t k = 0; k <= n; k++) {
		char *t = tight(m, k);
		hdr_iter_init(&it, t, k);
		while (hdr_next(&it, &f))
			;
		free(t);
	}
	CHECK(1, "header iterator reads no byte past its input (ASan)");
}

static void test_summary(void)
{
	struct msg_summary *s = malloc(sizeof *s);
	const char *h = "Message-ID: <child@x>\n"
	                "In-Reply-To: <parent@x>\n"
	                "References: <root@x> <mid@x>\n"
	                "Subject: =?UTF-8?Q?Re=3A_caf=C3=A9?=\n"
	                "From: =?ISO-8859-1?Q?Andr=E9?= <andre@example.com>\n"
	                "Date: Mon, 20 May 2019 17:00:17 +0300\n"
	                "Received: from a by b; Mon, 20 May 2019 14:00:20 +0000\n"
	                "\n";
	msg_summary_parse(s, h, strlen(h));
	CHECK_STR(s->msgid, "child@x", "summary Message-ID");
	CHECK_STR(s->parent, "parent@x", "In-Reply-To wins as parent");
	CHECK(s->nrefs == 3 && !strcmp(s->refs[0], "root@x") && !strcmp(s->refs[2], "parent@x"),
	      "references in order, In-Reply-To added");
	CHECK_STR(s->subject, "Re: caf\xC3\xA9", "RFC 2047 subject decoded");
	CHECK_STR(s->from_name, "Andr\xC3\xA9", "RFC 2047 name decoded from latin-1");
	CHECK_STR(s->from_addr, "andre@example.com", "address");
	CHECK(s->has_date && date_unix(&s->date) == 1558360817, "Date:");
	CHECK(s->has_received && date_unix(&s->received) == 1558360820, "first Received: date");

	const char *h2 = "References: <a@x> <b@x>\nMessage-ID: <self@x>\nFrom: bob@example.org (Bob B)\n"
	                 "Subject: raw \xE9t\xE9\n\n";
	msg_summary_parse(s, h2, strlen(h2));
	CHECK_STR(s->parent, "b@x", "without In-Reply-To the last reference is the parent");
	CHECK_STR(s->from_name, "Bob B", "name from a comment");
	CHECK_STR(s->from_addr, "bob@example.org", "address before a comment");
	CHECK_STR(s->subject, "raw \xC3\xA9t\xC3\xA9", "raw latin-1 subject read as windows-1252");

	const char *h3 = "Message-ID: <loop@x>\nIn-Reply-To: <loop@x>\nReferences: <loop@x>\n\n";
	msg_summary_parse(s, h3, strlen(h3));
	CHECK(s->parent[0] == '\0' && s->nrefs == 0, "a message is never its own parent");

	/* 10,000 references: the first and the last REFS_MAX-1 are kept. */
	struct buf b;
	buf_init(&b, 1 << 20);
	buf_adds(&b, "Message-ID: <me@x>\nReferences:");
	for (int i = 0; i < 10000; i++)
		buf_printf(&b, " <r%d@x>", i);
	buf_adds(&b, "\n\n");
	msg_summary_parse(s, b.data, b.len);
	CHECK(s->nrefs == REFS_MAX && !strcmp(s->refs[0], "r0@x") &&
	          !strcmp(s->refs[REFS_MAX - 1], "r9999@x") && (s->flags & MSG_F_REFS_TRUNC),
	      "10,000 references are cut to %d, keeping the root and the parent", REFS_MAX);
	CHECK_STR(s->parent, "r9999@x", "parent of a long chain");
	buf_free(&b);

	/* A 100 KB Subject and From name are stored cut to size, not empty. */
	buf_init(&b, 1 << 20);
	buf_adds(&b, "Subject: ");
	for (int i = 0; i < 100000; i++)
		buf_addc(&b, i % 2 ? 's' : '\xE9');
	buf_adds(&b, "\nFrom: ");
	for (int i = 0; i < 100000; i++)
		buf_addc(&b, 'n');
	buf_adds(&b, " <long@example.org>\n\n");
	msg_summary_parse(s, b.data, b.len);
	CHECK(strlen(s->subject) == SUBJECT_MAX - 1 && !strncmp(s->subject, "\xC3\xA9s\xC3\xA9s", 6),
	      "a 100 KB subject is stored cut at SUBJECT_MAX on a UTF-8 boundary (%zu bytes)",
	      strlen(s->subject));
	CHECK(strlen(s->from_name) == NAME_MAX_BYTES && !strcmp(s->from_addr, "long@example.org"),
	      "a 100 KB From name is stored cut at NAME_MAX_BYTES (%zu bytes)", strlen(s->from_name));
	buf_free(&b);

	msg_summary_parse(s, "", 0);
	CHECK(s->msgid[0] == 0 && (s->flags & MSG_F_NO_MSGID) && !s->has_date,
	      "an empty header block gives an empty summary");
	free(s);
}

static void test_decode(void)
{
	static const struct {
		const char *in, *want;
		int fold;
	} cases[] = {
		{"=?UTF-8?B?w6k=?=", "\xC3\xA9", 0},
		{"=?utf-8?q?a_b?= =?utf-8?q?c?=", "a bc", 0},
		{"plain  text\n  folded", "plain text folded", 0},
		{"=?iso-8859-1?q?caf=E9?=", "caf\xC3\xA9", 0},
		{"=?unknown-charset?q?abc?=", "abc", 0},
		{"=?UTF-8?B?broken", "=?UTF-8?B?broken", 0},
		{"a\xFF" "b", "a\xC3\xBF" "b", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct buf b;
		buf_init(&b, 4096);
		msg_decode_header(&b, span_cstr(cases[i].in), cases[i].fold);
		CHECK_STR(buf_cstr(&b), cases[i].want, "decode \"%s\"", cases[i].in);
		buf_free(&b);
	}
	struct buf b;
	buf_init(&b, 4096);
	msg_to_utf8(&b, "\x1b$B$3$s$K$A$O\x1b(B", 16, "iso-2022-jp");
	CHECK_STR(buf_cstr(&b), "\xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF",
	          "ISO-2022-JP to UTF-8");
	buf_reset(&b);
	msg_to_utf8(&b, "\xC4\xE3\xBA\xC3", 4, "gb2312");
	CHECK_STR(buf_cstr(&b), "\xE4\xBD\xA0\xE5\xA5\xBD", "GB2312 to UTF-8");
	buf_reset(&b);
	msg_to_utf8(&b, "ok\xFF", 3, "x-no-such-charset");
	CHECK_STR(buf_cstr(&b), "ok\xC3\xBF", "an unknown charset falls back to windows-1252");
	buf_reset(&b);
	msg_to_utf8(&b, "a\xC3", 2, "utf-8");
	CHECK_STR(buf_cstr(&b), "a\xEF\xBF\xBD", "broken UTF-8 is repaired");
	buf_free(&b);
}

/* Patch ids: each case's ids are what `git patch-id --stable` (2.39)
 * printed for it; every prefix of each input runs too (no over-read). */
static void test_patchids(void)
{
	static const struct {
		const char *what, *text;
		size_t n;
		const char *want; /* the ids, space-separated */
	} cases[] = {
		{"one file",
		 "diff --git a/foo b/foo\nindex 9123cdc..918dcf8 100644\n--- a/foo\n+++ b/foo\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n d\n",
		 101, "f3e06bcf622f0e12febec5d46e383a0b8ce63b00"},
		{"whitespace and line numbers do not count",
		 "diff --git a/foo  b/foo\nindex 1111111..2222222 100644\n--- a/foo\n+++ b/foo\n@@ -7,3 +9,3 @@ int main(void)\n  a\n-b \n+ c\n d\r\n",
		 121, "f3e06bcf622f0e12febec5d46e383a0b8ce63b00"},
		{"files in any order",
		 "diff --git a/bar b/bar\n--- a/bar\n+++ b/bar\n@@ -1 +1 @@\n-b\n+c\n\\ No newline at end of file\ndiff --git a/foo b/foo\n--- a/foo\n+++ b/foo\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n d\n",
		 160, "0a68bafcd58ed2083936e316f9133f432578ef64"},
		{"the other order",
		 "diff --git a/foo b/foo\n--- a/foo\n+++ b/foo\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n d\ndiff --git a/bar b/bar\n--- a/bar\n+++ b/bar\n@@ -1 +1 @@\n-b\n+c\n",
		 132, "0a68bafcd58ed2083936e316f9133f432578ef64"},
		{"a commit message before it, a signature after",
		 "Subject: x\n\nfix it\n---\n foo | 2 +-\n\ndiff --git a/foo b/foo\n--- a/foo\n+++ b/foo\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n d\n-- \n2.45.0\n",
		 118, "f3e06bcf622f0e12febec5d46e383a0b8ce63b00"},
		{"two patches after commit ids",
		 "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\n\ndiff --git a/foo b/foo\n--- a/foo\n+++ b/foo\n@@ -1 +1 @@\n-b\n+c\nFrom 89abcdef0123456789abcdef0123456789abcdef Mon Sep 17 00:00:00 2001\n\ndiff --git a/bar b/bar\n--- a/bar\n+++ b/bar\n@@ -1 +1 @@\n-x\n+y\n",
		 266, "20249bebfe0ff23a296ba73f34213061deafd2c2 b4394b150337adf3457d6233b5baaa7cb46f8da2"},
		{"a second diff after the first ends",
		 "diff --git a/foo b/foo\n--- a/foo\n+++ b/foo\n@@ -1 +1 @@\n-b\n+c\nsome text\ndiff --git a/bar b/bar\n--- a/bar\n+++ b/bar\n@@ -1 +1 @@\n-x\n+y\n",
		 132, "20249bebfe0ff23a296ba73f34213061deafd2c2 b4394b150337adf3457d6233b5baaa7cb46f8da2"},
		{"mode change, rename, new file",
		 "diff --git a/new b/new\nnew file mode 100644\nindex 0000000..bca70f3\n--- /dev/null\n+++ b/new\n@@ -0,0 +1 @@\n+q\ndiff --git a/x b/x\nold mode 100644\nnew mode 100755\ndiff --git a/y b/z\nsimilarity index 100%\nrename from y\nrename to z\n",
		 226, "ce0dc93d1b58f40da7fb0e0c0726cee2a8ad0029"},
		{"a binary diff hashes its blob ids",
		 "diff --git a/bin b/bin\nindex 677273046bce3115f56c248238f3b83f77cfc239..8d0cd2ad57642d7d820fcd1eb42b7f7e04042d0e 100644\nGIT binary patch\nliteral 6\nNcmZQzWKPP=0{{Yj0X_f#\n\nliteral 6\nNcmZQzWJ=1+0{{Yf0X+Z!\n\ndiff --git a/new b/new\n--- /dev/null\n+++ b/new\n@@ -0,0 +1 @@\n+q\n",
		 266, "eac17e8ac29b0556610fd29b255be530a3989411"},
		{"a binary diff after another patch: that one's index line",
		 "diff --git a/a b/a\nindex 1234567..89abcde 100644\n--- a/a\n+++ b/a\n@@ -1 +1 @@\n-x\n+y\ntext\ndiff --git a/b b/b\nBinary files a/b and b/b differ\n",
		 139, "9625f18297c5b06cde46cc0d14145b284d1bcefc ed2de8f87fe396544f8982d75ca7dff81799ccd3"},
		{"a hunk header cut short",
		 "diff --git a/foo b/foo\n--- a/foo\n+++ b/foo\n@@ -1,2 \n-a\n+b\n c\nafter\n",
		 67, "4c622215e617cfaf6fbbd29776b09da5517cc0a4"},
		{"form feeds and vertical tabs are not spaces to git",
		 "diff --git a/foo b/foo\n--- a/foo\n+++ b/foo\n@@ -1 +1 @@\n-a\014\013\n+b\n",
		 63, "5dc84a31e13dacc799d5f417b3faa31497a3b4bb"},
		{"a NUL ends a line for git",
		 "diff --git a/foo b/foo\n--- a/foo\n+++ b/foo\n@@ -1 +1 @@\n-a\000b c\n+b\n",
		 65, "c842dbf772722a83c8ae80344a1a684eb72cb08d"},
		{"no diff line: no patch",
		 "--- a/foo\n+++ b/foo\n@@ -1 +1 @@\n-a\n+b\n",
		 38, ""},
		{"the last line without its newline",
		 "diff --git a/foo b/foo\nindex 1234567..89abcde\n--- a/foo\n+++ b/foo\n@@ -1 +1 @@\n-a\n+b",
		 83, "c842dbf772722a83c8ae80344a1a684eb72cb08d"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char ids[4][PATCHID_HEX + 1], got[256] = "";
		char *p = tight(cases[i].text, cases[i].n);
		size_t k = msg_patchids(p, cases[i].n, ids, 4);
		for (size_t j = 0; j < k && j < 4; j++) {
			if (j)
				strcat(got, " ");
			strcat(got, ids[j]);
		}
		CHECK_STR(got, cases[i].want, "patch id: %s", cases[i].what);
		for (size_t n = 0; n < cases[i].n; n++) {
			char *q = tight(cases[i].text, n);
			msg_patchids(q, n, ids, 4);
			free(q);
		}
		free(p);
	}
}

/* The search text lore's prefixes read: diff parts, names, List-Id. */
static void test_text_lore(void)
{
	static const char msg[] =
		"From: a@example.org\nList-Id: The list <Dev.Lists.Example.org>\n"
		"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
		"Hello.\n> quoted -line\n"
		"diff --git a/x.c b/x.c\nindex 12ab34c..56CD78e 100644\n--- a/x.c\n+++ b/x.c\n"
		"@@ -1,3 +1,3 @@ int func(void)\n ctx line\n-old line\n+new line\n-- \nsig\n"
		"--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment;"
		" filename=\"cfg.gz\"\n\nxx\n--b--\n";
	struct msg_text t;
	msg_text_init(&t);
	msg_text_extract(&t, msg, sizeof msg - 1);
	CHECK_STR(buf_cstr(&t.dfa), "old line\n", "dfa: the removed line");
	CHECK_STR(buf_cstr(&t.dfb), "new line\n", "dfb: the added line");
	CHECK_STR(buf_cstr(&t.dfctx), "ctx line\n", "dfctx: the context line");
	CHECK_STR(buf_cstr(&t.dfhh), "int func(void)\n", "dfhh: the hunk header's context");
	CHECK_STR(buf_cstr(&t.dfpre), "12ab34c", "dfpre: the pre-image blob");
	CHECK_STR(buf_cstr(&t.dfpost), "56cd78e", "dfpost: the post-image blob, lowercased");
	CHECK_STR(buf_cstr(&t.names), "cfg.gz\n", "names: the attachment's");
	char tok[MSG_LID_TOKEN_LEN + 1], want[128];
	msg_lid_token("dev.lists.example.org", 21, tok);
	snprintf(want, sizeof want, "dev.lists.example.org %s\n", tok);
	CHECK_STR(buf_cstr(&t.lid), want, "lid: the id inside <>, lowercased, and its token");
	CHECK(strstr(buf_cstr(&t.nq), "-old line") && !strstr(buf_cstr(&t.nqrest), "old line") &&
	          strstr(buf_cstr(&t.nqrest), "Hello.") && strstr(buf_cstr(&t.nqrest), "sig"),
	      "nq keeps the diff's lines, nqrest the rest");
	CHECK(t.npatchids == 1 && strlen(t.patchids[0]) == PATCHID_HEX, "one patch id");
	msg_text_free(&t);
}

int main(void)
{
	msg_library_init();
	test_dates();
	test_msgids();
	test_headers();
	test_summary();
	test_decode();
	test_patchids();
	test_text_lore();
	return check_status();
}
