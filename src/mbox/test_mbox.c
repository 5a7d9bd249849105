/* test_mbox.c: the mbox scanner on small crafted files (every From_ line
 * case) and on a large generated one that crosses many read windows,
 * checked against a straightforward splitter. */
#include <bzlib.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdlib.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "../../tests/check.h"
#include "limits.h"
#include "mbox/bz2par.h"
#include "mbox/mbox.h"
#include "msg/msg.h"

struct got {
	uint64_t off[64], len[64], end[64];
	unsigned flags[64];
	struct la_date date[64];
	int n;
};

static int write_tmp(const char *data, size_t n)
{
	char path[] = "/tmp/test_mbox.XXXXXX";
	int fd = mkstemp(path);
	unlink(path);
	if (write(fd, data, n) != (ssize_t)n)
		return -1;
	return fd;
}

static void scan_fmt(const char *data, struct got *g, uint64_t start, enum mbox_format fmt)
{
	int fd = write_tmp(data, strlen(data));
	struct mbox_reader *r = mbox_reader_new(fd, start, UINT64_MAX, fmt);
	struct mbox_msg m;
	struct la_err err = {0};
	g->n = 0;
	while (g->n < 64 && mbox_next(r, &m, &err) == LA_OK) {
		g->off[g->n] = m.off;
		g->len[g->n] = m.len;
		g->end[g->n] = m.end;
		g->date[g->n] = m.date;
		g->flags[g->n] = m.flags;
		g->n++;
	}
	mbox_reader_free(r);
	close(fd);
}

static void scan(const char *data, struct got *g, uint64_t start)
{
	scan_fmt(data, g, start, MBOX_FMT_MBOX);
}

static void test_small(void)
{
	struct got g;
	const char *two = "From a Mon May 20 14:00:01 2019\nSubject: 1\n\nbody 1\n\n"
			  "From b Mon May 20 14:00:02 2019\nSubject: 2\n\nbody 2\n\n";
	scan(two, &g, 0);
	CHECK(g.n == 2, "two messages");
	CHECK(g.off[0] == 32 && g.len[0] == 19, "first message span excludes the separator line");
	CHECK(g.len[1] == 19 && (g.flags[1] & MBOX_F_AT_EOF), "last message at EOF");

	const char *mboxo = "From a Mon May 20 14:00:01 2019\nSubject: 1\n\n"
			    "From what I see this is fine.\n\nFrom the docs:\nx\n\n"
			    "From b Mon May 20 14:00:02 2019\nSubject: 2\n\nb\n";
	scan(mboxo, &g, 0);
	CHECK(g.n == 2, "\"From \" lines in an mboxo body that are not From_ lines do not split");

	const char *noblank = "From a Mon May 20 14:00:01 2019\nSubject: 1\n\nx\n"
			      "From b Mon May 20 14:00:02 2019\nSubject: 2\n\ny\n";
	scan(noblank, &g, 0);
	CHECK(g.n == 2 && g.len[0] == 14, "a From_ line without a blank line before it splits");

	const char *junk =
		"Subject: no From_ line\n\nhello\n\nFrom b Mon May 20 14:00:02 2019\n\nz\n";
	scan(junk, &g, 0);
	CHECK(g.n == 2 && (g.flags[0] & MBOX_F_NO_FROMLINE) && g.off[0] == 0,
	      "bytes before the first From_ line form a message");

	const char *nonl = "From a Mon May 20 14:00:01 2019\nSubject: 1\n\nno newline at end";
	scan(nonl, &g, 0);
	CHECK(g.n == 1 && (g.flags[0] & MBOX_F_NO_NEWLINE),
	      "a last message without newline is flagged");

	const char *crlf = "From a Mon May 20 14:00:01 2019\r\nSubject: 1\r\n\r\nx\r\n\r\n"
			   "From b Mon May 20 14:00:02 2019\r\nSubject: 2\r\n\r\ny\r\n";
	scan(crlf, &g, 0);
	CHECK(g.n == 2, "CRLF mbox");

	const char *quoted =
		"From a Mon May 20 14:00:01 2019\nSubject: 1\n\n>From b Mon May 20 14:00:02 2019\n";
	scan(quoted, &g, 0);
	CHECK(g.n == 1, "a quoted >From line does not split");

	const char *empty = "";
	scan(empty, &g, 0);
	CHECK(g.n == 0, "an empty file has no messages");

	/* From_ lines longer than FROMLINE_MAX: a long sender (the date is
	 * past the cut), long trailing junk (the date is before it), and a
	 * sender too long to be one. */
	struct buf lf;
	buf_init(&lf, 1 << 20);
	buf_adds(&lf, "From a Mon May 20 14:00:01 2019\nSubject: 1\n\nx\n\nFrom ");
	for (int i = 0; i < 3000; i++)
		buf_addc(&lf, 's');
	buf_adds(&lf, " Mon May 20 14:00:02 2019\nSubject: 2\n\ny\n\n"
	              "From c Mon May 20 14:00:03 2019 ");
	for (int i = 0; i < 3000; i++)
		buf_addc(&lf, 'j');
	buf_adds(&lf, "\nSubject: 3\n\nz\n\nFrom ");
	for (int i = 0; i < FROMLINE_SENDER_MAX + 10; i++)
		buf_addc(&lf, 's');
	buf_adds(&lf, " Mon May 20 14:00:04 2019\nSubject: 4\n\nw\n");
	scan(buf_cstr(&lf), &g, 0);
	CHECK(g.n == 3,
	      "a From_ line over FROMLINE_MAX splits, with a long sender or long junk after "
	      "the date; a sender over FROMLINE_SENDER_MAX does not (got %d)",
	      g.n);
	buf_free(&lf);

	scan(two, &g, 52);
	CHECK(g.n == 1 && g.off[0] == 84, "reading starts at a resume offset");

	struct buf b;
	buf_init(&b, 1000);
	mbox_unquote(&b, ">From x\n>>From y\n>Fromage\nFrom z\n", 33);
	CHECK_STR(buf_cstr(&b), "From x\n>From y\n>Fromage\nFrom z\n", "mboxrd unquoting");
	buf_reset(&b);
	mbox_quote(&b, "From x\n>From y\nok\n", 18);
	CHECK_STR(buf_cstr(&b), ">From x\n>>From y\nok\n", "mboxrd quoting");
	buf_free(&b);
}

/* The From_ line rule, one line at a time (see mbox.h). */
static void test_fromlines(void)
{
	static const struct {
		const char *line;
		bool is, spaced;
		int year, mon, day, hour;
	} t[] = {
		{"From jane@example.org Tue Jan  3 20:23:02 2006", true, false, 2006, 1, 3, 20},
		{"From jane at example.org  Tue Jan  3 20:23:02 2006", true, true, 2006, 1, 3, 20},
		{"From jane en example.org  Tue Jan  3 20:23:02 2006", true, true, 2006, 1, 3, 20},
		{"From jane@@@ex@mple @ending from ex@mple@com  Wed Jan  2 11:13:23 2019", true,
	         true, 2019, 1, 2, 11},
		{"From jane at example.org  Tue Jan  3 20:23:02 2006\r", true, true, 2006, 1, 3,
	         20},
		{"From jane at example.org  Tue Jan  3 20:23:02 CET 2006", true, true, 2006, 1, 3,
	         20},
		{"From jane at example.org  Tue Jan  3 20:23:02 2006 +0100", true, true, 2006, 1, 3,
	         20},
		/* A sender whose second word is a month name: the date at the
	         * end wins, not "may". */
		{"From jane may example.org  Tue Jan  3 20:23:02 2006", true, true, 2006, 1, 3, 20},
		{"From mboxrd@z Thu Jan  1 00:00:00 1970", true, false, 1970, 1, 1, 0},
		{"From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001", true,
	         false, 2001, 9, 17, 0},
		{"From  Tue Jan  3 20:23:02 2006", true, false, 2006, 1, 3, 20},
		{"From - Tue Jan 03 20:23:02 2006", true, false, 2006, 1, 3, 20},
		/* The classic rule still holds: one sender, a date, then more. */
		{"From a Mon May 20 14:00:01 2019 remote from b", true, false, 2019, 5, 20, 14},
		/* Body lines. */
		{"From what I see this is fine.", false, false, 0, 0, 0, 0},
		{"From what I see on Tue Jan  3 20:23:02 2006, it works.", false, false, 0, 0, 0,
	         0},
		{"From then on Tue Jan  3 20:23:02 2006 all went well", false, false, 0, 0, 0, 0},
		{"From a b Tue Jan  3 20:23:02 2006 remote from c", false, false, 0, 0, 0, 0},
		{"From: jane at example.org (Jane Doe)", false, false, 0, 0, 0, 0},
		{"From jane at example.org  Tue Jan  3 2006", false, false, 0, 0, 0, 0},
		{"From jane at example.org (Jane) Tue Jan  3 20:23:02 2006 (x)", false, false, 0, 0,
	         0, 0},
		{"Frobnicate Tue Jan  3 20:23:02 2006", false, false, 0, 0, 0, 0},
		{"From ", false, false, 0, 0, 0, 0},
		{"From", false, false, 0, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		struct la_date d = {0};
		bool spaced = false;
		bool is = mbox_is_fromline(t[i].line, strlen(t[i].line), &d, &spaced);
		CHECK(is == t[i].is && (!is || (spaced == t[i].spaced && d.year == t[i].year &&
		                                (int)d.mon == t[i].mon && (int)d.day == t[i].day &&
		                                (int)d.hour == t[i].hour)),
		      "From_ line rule: \"%s\" (got %s%s %lld-%u-%u %u)", t[i].line,
		      is ? "yes" : "no", spaced ? " spaced" : "", (long long)d.year, d.mon, d.day,
		      d.hour);
	}
}

/* The From_ line writer: what it writes, the reader takes, date and all. */
static void test_fromline_writer(void)
{
	static const struct {
		const char *sender;
		int64_t ts;
		const char *want;
	} t[] = {
		{"mboxrd@z", 0, "From mboxrd@z Thu Jan  1 00:00:00 1970\n"},
		{"jane@example.org", 1136319782,
	         "From jane@example.org Tue Jan  3 20:23:02 2006\n"},
		{"MAILER-DAEMON", 1558360801, "From MAILER-DAEMON Mon May 20 14:00:01 2019\n"},
		{"x", 253402300799LL, "From x Fri Dec 31 23:59:59 9999\n"},
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		struct buf b;
		buf_init(&b, 1024);
		mbox_add_fromline(&b, t[i].sender, t[i].ts);
		CHECK_STR(buf_cstr(&b), t[i].want, "mbox_add_fromline %s %lld", t[i].sender,
		          (long long)t[i].ts);
		struct la_date d = {0};
		CHECK(b.len > 0 && mbox_is_fromline(b.data, b.len - 1, &d, NULL) &&
		              date_unix(&d) == t[i].ts,
		      "the reader takes it back: %s", t[i].want);
		buf_free(&b);
	}
	static const struct {
		const char *msg, *want;
	} m[] = {
		{"A: b\n\nFrom here\n>From there\n",
	         "From s Thu Jan  1 00:00:00 1970\nA: b\n\n>From here\n>>From there\n\n"},
		{"A: b\n\nno newline", "From s Thu Jan  1 00:00:00 1970\nA: b\n\nno newline\n\n"},
		{"", "From s Thu Jan  1 00:00:00 1970\n\n\n"},
	};
	for (size_t i = 0; i < sizeof m / sizeof *m; i++) {
		struct buf b;
		buf_init(&b, 1024);
		mbox_add_message(&b, "s", 0, m[i].msg, strlen(m[i].msg));
		CHECK_STR(buf_cstr(&b), m[i].want, "mbox_add_message [%s]", m[i].msg);
		buf_free(&b);
	}
}

/* A page that faults when touched, with the input laid just before it,
 * so that any read past the input crashes at once. */
static char *guarded(size_t *room)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	*room = 4 * pg;
	char *p =
		mmap(NULL, *room + pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(p + *room, pg, PROT_NONE);
	return p;
}

static void test_prefixes(void)
{
	const char *lines[] = {
		"From jane at example.org  Tue Jan  3 20:23:02 2006",
		"From jane@@@ex@mple @ending from ex@mple@com  Wed Jan  2 11:13:23 2019",
		"From a Mon May 20 14:00:01 2019",
		"From jane at example.org  Tue Jan  3 20:23:02 2006\nFrom: x\n\nbody\n",
		"\x01\x01\x01\x01\nFrom: x\n\nbody\n\x01\x01\x01\x01\n",
		"Subject: x\nFrom: y\n\nbody\n",
	};
	size_t room;
	char *page = guarded(&room);
	unsigned bad = 0, total = 0;
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
		size_t n = strlen(lines[i]);
		for (size_t k = 0; k <= n; k++) {
			char *p = page + room - k;
			memcpy(p, lines[i], k);
			struct la_date d;
			bool spaced;
			bool is = mbox_is_fromline(p, k, &d, &spaced);
			mbox_sniff(p, k, true);
			mbox_sniff(p, k, false);
			/* A cut From_ line is one only once its date is whole. */
			if (is && i < 3 && k < n - 3)
				bad++;
			total++;
		}
	}
	CHECK(bad == 0,
	      "every prefix of %u From_ lines and files read within bounds; a cut date is "
	      "no date (%u wrong)",
	      total, bad);
	munmap(page, room + (size_t)sysconf(_SC_PAGESIZE));
}

/* Whole files: pipermail month files, bodies that must not split. */
static void test_pipermail(void)
{
	struct got g;
	const char *pm =
		"From jane at example.org  Tue Jan  3 20:23:02 2006\n"
		"From: jane at example.org (Jane Doe)\nDate: Tue, 03 Jan 2006 21:23:02 +0100\n"
		"Subject: one\nMessage-ID: <1@x>\n\n"
		"From what I see Tue Jan  3 20:23:02 2006 works.\n"
		"From the minutes of Tue Jan  3 20:23:02 2006\nthe meeting went well.\n"
		"From jane at example.org  Tue Jan  3 20:23:02 2006\n  indented: not a header\n\n"
		"From jane en example.org  Wed Jan  4 08:00:00 2006\n"
		"From: jane en example.org (Jane Doe)\nSubject: two\n\nx\n\n"
		"From j@@@ex@mple @ending from ex@mple@com  Wed Jan  2 11:13:23 2019\n"
		"Subject: three\n\ny\n";
	scan(pm, &g, 0);
	CHECK(g.n == 3,
	      "a pipermail file: three messages, body lines with dates do not split (got %d)", g.n);
	CHECK(g.n == 3 && (g.flags[0] & MBOX_F_SPACED_SENDER) &&
	              (g.flags[1] & MBOX_F_SPACED_SENDER) && (g.flags[2] & MBOX_F_SPACED_SENDER) &&
	              g.date[1].day == 4 && g.date[2].year == 2019,
	      "...each flagged as having a spaced sender, with its From_ date");
	const char *plh = "From mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: a\n\nx\n\n"
			  "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\n"
			  "Subject: b\n\ny\n\nFrom a Mon May 20 14:00:01 2019\nSubject: c\n\nz\n";
	scan(plh, &g, 0);
	CHECK(g.n == 3 && (g.flags[0] & MBOX_F_PLACEHOLDER) && (g.flags[1] & MBOX_F_PLACEHOLDER) &&
	              !(g.flags[2] & MBOX_F_PLACEHOLDER),
	      "placeholder From_ dates (1970, git format-patch) are flagged, real ones not");
	/* A spaced From_ line needs a header field after it: not the end of
	 * the file, not an empty line. */
	scan("From a Mon May 20 14:00:01 2019\nSubject: 1\n\nx\n"
	     "From jane at example.org  Tue Jan  3 20:23:02 2006\n",
	     &g, 0);
	CHECK(g.n == 1, "a spaced From_ line at the very end of the file is not one (got %d)", g.n);
	scan("From a Mon May 20 14:00:01 2019\nSubject: 1\n\nx\n"
	     "From jane at example.org  Tue Jan  3 20:23:02 2006\n\nbody\n",
	     &g, 0);
	CHECK(g.n == 1, "...nor is one followed by an empty line (got %d)", g.n);
}

static void test_mboxcl2(void)
{
	struct got g;
	/* Content-Length: 46 covers the body's unquoted From_ line. */
	const char *cl = "From a Mon May 20 14:00:01 2019\nContent-Length: 46\nSubject: 1\n\n"
			 "hello\nFrom b Mon May 20 14:00:02 2019\nstill 1\n\n"
			 "From c Mon May 20 14:00:03 2019\nContent-Length: 2\nSubject: 2\n\nz\n";
	scan(cl, &g, 0);
	CHECK(g.n == 2,
	      "mboxcl2: a Content-Length that leads to the next From_ line is followed over "
	      "an unquoted From_ line in the body (got %d)",
	      g.n);
	CHECK(g.n == 2 && (g.flags[0] & MBOX_F_CONTENT_LENGTH) && g.off[0] == 32 &&
	              !strncmp(cl + g.off[0] + g.len[0] - 8, "still 1\n\nFrom c", 15) &&
	              g.end[0] == g.off[0] + g.len[0] + 1,
	      "...the message is its headers and its 46 bytes of body, without the blank line");
	CHECK(g.n == 2 && (g.flags[1] & MBOX_F_AT_EOF) && g.len[1] == strlen(cl) - g.off[1],
	      "...and a Content-Length that reaches the end of the file ends the last one");
	const char *bad = "From a Mon May 20 14:00:01 2019\nContent-Length: 40\nSubject: 1\n\n"
			  "hello\nFrom b Mon May 20 14:00:02 2019\nstill 1\n\n"
			  "From c Mon May 20 14:00:03 2019\nSubject: 2\n\nz\n";
	scan(bad, &g, 0);
	CHECK(g.n == 3,
	      "a Content-Length that leads nowhere is ignored: the From_ lines split (got %d)",
	      g.n);
	const char *huge =
		"From a Mon May 20 14:00:01 2019\nContent-Length: 99999999999999999999\n\n"
		"x\nFrom b Mon May 20 14:00:02 2019\n\ny\n";
	scan(huge, &g, 0);
	CHECK(g.n == 2, "a Content-Length of too many digits is ignored (got %d)", g.n);
}

static void test_mmdf(void)
{
	struct got g;
	const char *mm =
		"\x01\x01\x01\x01\nFrom: a\nSubject: 1\n\nbody 1\nFrom b Mon May 20 14:00:02 2019\n"
		"\x01\x01\x01\x01\n\x01\x01\x01\x01\nSubject: 2\n\nbody 2\n\x01\x01\x01\x01\n";
	scan_fmt(mm, &g, 0, MBOX_FMT_MMDF);
	CHECK(g.n == 2, "MMDF: two messages, a From_ line in a body does not split (got %d)", g.n);
	CHECK(g.n == 2 && g.off[0] == 5 &&
	              !memcmp(mm + g.off[0] + g.len[0], "\x01\x01\x01\x01\n", 5) &&
	              mm[g.off[0] + g.len[0] - 1] == '\n' && g.off[1] == g.end[0] + 5 &&
	              !memcmp(mm + g.off[1], "Subject: 2", 10) && (g.flags[1] & MBOX_F_AT_EOF),
	      "...each message between its separators, no separator byte in it");
	const char *open_end = "\x01\x01\x01\x01\r\nSubject: 1\r\n\r\nx\r\n";
	scan_fmt(open_end, &g, 0, MBOX_FMT_MMDF);
	CHECK(g.n == 1 && g.off[0] == 6 && g.len[0] == strlen(open_end) - 6 &&
	              (g.flags[0] & MBOX_F_AT_EOF),
	      "MMDF with CRLF and no closing separator: the message runs to the end");
	scan_fmt(mm, &g, g.end[0] > 0 ? 0 : 0, MBOX_FMT_MMDF);
	uint64_t second = g.n == 2 ? g.end[0] : 0;
	scan_fmt(mm, &g, second, MBOX_FMT_MMDF);
	CHECK(g.n == 1 && !memcmp(mm + g.off[0], "Subject: 2", 10),
	      "MMDF: reading resumes at a separator");
}

static void test_sniff(void)
{
	static const struct {
		const char *name, *data;
		enum mbox_sniff want;
	} t[] = {
		{"empty", "", MBOX_SNIFF_EMPTY},
		{"blank lines", "\n\n  \n", MBOX_SNIFF_EMPTY},
		{"mbox", "From a Mon May 20 14:00:01 2019\nSubject: x\n\nb\n", MBOX_SNIFF_MBOX},
		{"pipermail",
	         "From jane at example.org  Tue Jan  3 20:23:02 2006\nFrom: jane\n\nb\n",
	         MBOX_SNIFF_MBOX},
		{"From_ line with a bad date", "From nobody somewhen\nSubject: x\n\nb\n",
	         MBOX_SNIFF_MBOX},
		{"MMDF", "\x01\x01\x01\x01\nSubject: x\n\nb\n\x01\x01\x01\x01\n", MBOX_SNIFF_MMDF},
		{"eml",
	         "Received: by x; Mon, 20 May 2019 14:00:01 +0000\n\tmore\nSubject: x\n\nbody\n",
	         MBOX_SNIFF_MESSAGE},
		{"eml with a BOM and CRLF",
	         "\xEF\xBB\xBF"
	         "From: a@b\r\nTo: c@d\r\n\r\nbody\r\n",
	         MBOX_SNIFF_MESSAGE},
		{"passwd",
	         "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n",
	         MBOX_SNIFF_NONE},
		{"prose", "From the desk of the editor.\n\nDear reader,\n", MBOX_SNIFF_NONE},
		{"fields but no mail field", "Name: value\nOther: thing\n\nbody\n",
	         MBOX_SNIFF_NONE},
		{"binary",
	         "\x7f"
	         "ELF\x02\x01\x01\0\0\0",
	         MBOX_SNIFF_NONE},
		{"Babyl", "BABYL OPTIONS: -*- rmail -*-\nVersion: 5\n\x1f", MBOX_SNIFF_NONE},
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		enum mbox_sniff got = mbox_sniff(t[i].data, strlen(t[i].data), true);
		CHECK(got == t[i].want, "sniff: %s (got %d, want %d)", t[i].name, got, t[i].want);
	}
}

/* Compresses data[0..n) as kind into out; returns the size. */
static size_t pack(enum unpack_kind kind, const char *data, size_t n, char *out, size_t cap)
{
	switch (kind) {
	case UNPACK_GZIP: {
		z_stream z = {0};
		deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
		z.next_in = (unsigned char *)data;
		z.avail_in = (uInt)n;
		z.next_out = (unsigned char *)out;
		z.avail_out = (uInt)cap;
		deflate(&z, Z_FINISH);
		size_t k = cap - z.avail_out;
		deflateEnd(&z);
		return k;
	}
	case UNPACK_XZ: {
		size_t k = 0;
		lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, (const uint8_t *)data, n,
		                        (uint8_t *)out, &k, cap);
		return k;
	}
	case UNPACK_BZIP2: {
		unsigned k = (unsigned)cap;
		BZ2_bzBuffToBuffCompress(out, &k, (char *)data, (unsigned)n, 9, 0, 0);
		return k;
	}
	case UNPACK_ZSTD: return ZSTD_compress(out, cap, data, n, 3);
	case UNPACK_NONE: break;
	}
	return 0;
}

/* Decompresses fd whole into out; returns the final status. */
static enum la_status unpack_all(int fd, enum unpack_kind kind, struct buf *out)
{
	lseek(fd, 0, SEEK_SET);
	struct unpack *u = unpack_new(fd, kind);
	struct la_err err = {0};
	char chunk[1000];
	size_t got;
	enum la_status s;
	while ((s = unpack_read(u, chunk, sizeof chunk, &got, &err)) == LA_OK)
		buf_add(out, chunk, got);
	buf_add(out, chunk, got);
	unpack_free(u);
	return s;
}

static void test_unpack(void)
{
	struct buf plain;
	buf_init(&plain, 8u << 20);
	for (int i = 0; i < 3000; i++)
		buf_printf(&plain, "From a Mon May 20 14:00:01 2019\nSubject: %d\n\nline %d %d\n\n",
		           i, i, i * 7919 % 1000);
	size_t cap = plain.len * 2 + 1024;
	char *z = malloc(cap * 2);
	for (int k = UNPACK_GZIP; k <= UNPACK_ZSTD; k++) {
		const char *name = unpack_name((enum unpack_kind)k);
		/* Two streams back to back: the second half appended later. */
		size_t half = plain.len / 2;
		size_t n1 = pack((enum unpack_kind)k, plain.data, half, z, cap);
		size_t n2 =
			pack((enum unpack_kind)k, plain.data + half, plain.len - half, z + n1, cap);
		CHECK(unpack_detect(z, n1 + n2) == (enum unpack_kind)k, "%s: detected by its magic",
		      name);
		int fd = write_tmp(z, n1 + n2);
		struct buf out;
		buf_init(&out, 8u << 20);
		enum la_status s = unpack_all(fd, (enum unpack_kind)k, &out);
		close(fd);
		CHECK(s == LA_EOF && out.len == plain.len &&
		              !memcmp(out.data, plain.data, plain.len),
		      "%s: two concatenated streams decompress whole (status %d, %zu of %zu bytes)",
		      name, s, out.len, plain.len);
		buf_reset(&out);
		fd = write_tmp(z, n1 + n2 / 2);
		s = unpack_all(fd, (enum unpack_kind)k, &out);
		close(fd);
		CHECK(s == LA_ECHANGED && out.len < plain.len &&
		              (out.len == 0 || !memcmp(out.data, plain.data, out.len)),
		      "%s: a stream cut short says so, after the bytes it held (status %d)", name,
		      s);
		buf_reset(&out);
		/* In the second stream's data (zstd frames carry no checksum
		 * here: its header then). */
		memcpy(z + n1 + (k == UNPACK_ZSTD ? 0 : 64), "garbage!", 8);
		fd = write_tmp(z, n1 + n2);
		s = unpack_all(fd, (enum unpack_kind)k, &out);
		close(fd);
		CHECK(s == LA_EINVAL || s == LA_ECHANGED,
		      "%s: corrupt data is an error (status %d)", name, s);
		buf_free(&out);
	}
	CHECK(unpack_detect("From ", 5) == UNPACK_NONE && unpack_detect("\x1f", 1) == UNPACK_NONE,
	      "plain text and a lone byte are not compressed");
	free(z);
	buf_free(&plain);
}

/* Decodes fd with bz2par (threads, fake magics every fake bits) in reads
 * of step bytes; returns the final status. */
static enum la_status bz2par_all(int fd, unsigned threads, uint64_t fake, size_t step,
                                 struct buf *out)
{
	lseek(fd, 0, SEEK_SET);
	struct bz2par *p = bz2par_new(fd, threads, fake);
	struct la_err err = {0};
	char *chunk = malloc(step);
	size_t got;
	enum la_status s;
	while ((s = bz2par_read(p, chunk, step, &got, &err)) == LA_OK)
		buf_add(out, chunk, got);
	free(chunk);
	bz2par_free(p);
	return s;
}

/* bzip2 decoded block by block on threads: many blocks (level 1: 100 kB
 * blocks), two streams, zero padding; magics found by chance (faked);
 * cut short; corrupt. */
static void test_bz2par(void)
{
	struct buf plain;
	buf_init(&plain, 16u << 20);
	unsigned r = 1;
	for (int i = 0; i < 40000; i++) {
		r = r * 1103515245u + 12345u;
		buf_printf(&plain, "From a Mon May 20 14:00:01 2019\nSubject: %d %u\n\nline %u\n\n",
		           i, r >> 8, r % 977);
	}
	/* Runs that bzip2's first stage shortens (a block that grows). */
	for (int i = 0; i < 3000; i++)
		buf_add(&plain, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 60);
	size_t cap = plain.len + plain.len / 50 + 4096;
	char *z = malloc(2 * cap + 64);
	size_t half = plain.len / 3;
	unsigned n1 = (unsigned)cap, n2 = (unsigned)cap;
	BZ2_bzBuffToBuffCompress(z, &n1, plain.data, (unsigned)half, 1, 0, 0);
	BZ2_bzBuffToBuffCompress(z + n1, &n2, plain.data + half, (unsigned)(plain.len - half), 1, 0,
	                         0);
	memset(z + n1 + n2, 0, 64); /* padding, as tape archives have */
	int fd = write_tmp(z, n1 + n2 + 64);
	static const struct {
		unsigned threads;
		uint64_t fake;
		size_t step;
	} runs[] = {
		{1, 0, 1 << 20}, {2, 0, 4096}, {4, 0, 999}, {2, 200, 65536}, {3, 4099, 1 << 20}};
	for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
		struct buf out;
		buf_init(&out, 16u << 20);
		enum la_status s =
			bz2par_all(fd, runs[i].threads, runs[i].fake, runs[i].step, &out);
		CHECK(s == LA_EOF && out.len == plain.len &&
		              !memcmp(out.data, plain.data, plain.len),
		      "bz2par: %u threads, false magics every %llu bits, reads of %zu: whole (status "
		      "%d, %zu of %zu bytes)",
		      runs[i].threads, (unsigned long long)runs[i].fake, runs[i].step, s, out.len,
		      plain.len);
		buf_free(&out);
	}
	close(fd);
	/* Cut short, in the first stream and in the second: what came before
	 * is whole, and the status says the data was cut. */
	size_t cuts[] = {n1 / 2, n1 + 10, n1 + n2 - 3};
	for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
		fd = write_tmp(z, cuts[i]);
		struct buf out;
		buf_init(&out, 16u << 20);
		enum la_status s = bz2par_all(fd, 2, 0, 1 << 20, &out);
		close(fd);
		CHECK(s == LA_ECHANGED && out.len < plain.len &&
		              !memcmp(out.data, plain.data, out.len),
		      "bz2par: cut at %zu of %u bytes: cut short after %zu good bytes (status %d)",
		      cuts[i], n1 + n2, out.len, s);
		buf_free(&out);
	}
	/* A byte changed inside a block: an error, after only good bytes. */
	z[n1 / 2] ^= 0x55;
	fd = write_tmp(z, n1 + n2);
	struct buf out;
	buf_init(&out, 16u << 20);
	enum la_status s = bz2par_all(fd, 2, 0, 1 << 20, &out);
	close(fd);
	CHECK(s == LA_EINVAL && out.len < half && !memcmp(out.data, plain.data, out.len),
	      "bz2par: corrupt data is an error after %zu good bytes (status %d)", out.len, s);
	buf_free(&out);
	/* Not bzip2 at all, and nothing. */
	fd = write_tmp("BZh9garbage, not a block magic", 30);
	buf_init(&out, 1024);
	s = bz2par_all(fd, 2, 0, 4096, &out);
	close(fd);
	CHECK(s == LA_EINVAL && out.len == 0, "bz2par: a header without a block (status %d)", s);
	buf_free(&out);
	fd = write_tmp("", 0);
	buf_init(&out, 1024);
	s = bz2par_all(fd, 2, 0, 4096, &out);
	close(fd);
	CHECK(s == LA_EOF && out.len == 0, "bz2par: an empty file is the end (status %d)", s);
	buf_free(&out);
	free(z);
	buf_free(&plain);
}

/* 20 MB of messages with bodies of random sizes (some bigger than the
 * read window), From lines in bodies, and long lines. */
static void test_large(void)
{
	struct buf b;
	buf_init(&b, 64u << 20);
	srand(7);
	uint64_t want_off[4000];
	int want = 0;
	while (b.len < (20u << 20) && want < 4000) {
		buf_printf(&b, "From x@y Mon May 20 14:%02d:%02d 2019\n", want / 60 % 60,
		           want % 60);
		want_off[want++] = b.len;
		buf_printf(&b, "Message-ID: <m%d@x>\nSubject: %d\n\n", want, want);
		int lines = rand() % 200;
		if (want % 500 == 0)
			lines = 60000; /* ~3 MB: bigger than the window */
		for (int i = 0; i < lines; i++) {
			if (i % 37 == 5)
				buf_adds(&b, "From the start, this line looks like a separator\n");
			else if (i % 101 == 7)
				buf_adds(&b, ">From x@y Mon May 20 14:00:00 2019\n");
			else
				buf_printf(
					&b,
					"line %d of message %d with some words to make it longer\n",
					i, want);
		}
		buf_addc(&b, '\n');
	}
	int fd = write_tmp(b.data, b.len);
	/* Read twice: as it is, then letting the kernel drop what is
	 * behind the reader every 2 MB (on disk, so that the pages are clean
	 * ones it can drop). */
	CHECK(fd >= 0 && fdatasync(fd) == 0, "the 20 MB test file written and synced");
	struct msg_summary *s = malloc(sizeof *s);
	for (int drop = 0; drop < 2; drop++) {
		struct mbox_reader *r = mbox_reader_new(fd, 0, UINT64_MAX, MBOX_FMT_MBOX);
		if (drop)
			mbox_reader_drop_behind(r, 2u << 20);
		struct mbox_msg m;
		struct la_err err = {0};
		int n = 0, ok = 1;
		while (mbox_next(r, &m, &err) == LA_OK) {
			if (n < want && m.off != want_off[n])
				ok = 0;
			msg_summary_parse(s, m.head, m.head_len);
			char id[32];
			snprintf(id, sizeof id, "m%d@x", n + 1);
			if (strcmp(s->msgid, id) != 0)
				ok = 0;
			n++;
		}
		CHECK(n == want && ok,
		      "%d messages over %zu MB found at the right offsets with their headers%s",
		      want, b.len >> 20, drop ? ", dropping the pages behind the reader" : "");
		mbox_reader_free(r);
	}
	/* The pages behind the reader are gone from the page cache, the
	 * window's last ones not (tmpfs keeps every page: it has no disk). */
	struct statfs fs;
	void *map = mmap(NULL, b.len, PROT_READ, MAP_SHARED, fd, 0);
	size_t pages = (b.len + 4095) / 4096, gone = 0;
	unsigned char *in = malloc(pages);
	if (fstatfs(fd, &fs) == 0 && fs.f_type == TMPFS_MAGIC) {
		printf("ok - # SKIP the page cache's pages of a tmpfs file are never dropped\n");
	} else if (map != MAP_FAILED && in && mincore(map, b.len, in) == 0) {
		for (size_t i = 0; i < pages; i++)
			gone += !(in[i] & 1);
		CHECK(!(in[0] & 1) && gone >= pages / 2,
		      "the pages behind the reader were dropped: %zu of %zu gone, the first %s",
		      gone, pages, in[0] & 1 ? "kept" : "gone");
	} else {
		CHECK(0, "mincore of the test file");
	}
	if (map != MAP_FAILED)
		munmap(map, b.len);
	free(in);
	free(s);
	close(fd);
	buf_free(&b);
}

/* A public-inbox blob's leading From_ line: what public-inbox strips
 * (/\A[\r\n]*From [^\r\n]*\r?\n/), and its date unless a placeholder. */
static void test_leading_fromline(void)
{
	static const struct {
		const char *blob;
		size_t skip;
		bool dated;
		int day;
	} t[] = {
		{"From: a@b\n\nx\n", 0, false, 0},
		{"From a@b Wed Mar  6 08:00:00 2024\nFrom: a@b\n", 34, true, 6},
		{"From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\nX: y\n",
	         71, false, 0},
		{"From mboxrd@z Thu Jan  1 00:00:00 1970\r\nX: y\r\n", 40, false, 0},
		{"\n\r\nFrom a@b Wed Mar  6 08:00:00 2024\nX: y\n", 37, true, 6},
		{"From nobody\nX: y\n", 12, false, 0},
		{"From a@b Wed Mar  6 08:00:00 2024\n", 0, false, 0}, /* nothing after it */
		{"From a@b Wed Mar  6 08:00:00 2024", 0, false, 0},   /* no line end */
		{"From a@b\rX: y\n", 0, false, 0},                    /* a lone CR */
		{"Subject: x\nFrom a@b Wed Mar  6 08:00:00 2024\n", 0, false, 0},
		{"", 0, false, 0},
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		struct la_date d = {0};
		bool dated = true;
		size_t skip = mbox_leading_fromline(t[i].blob, strlen(t[i].blob), &d, &dated);
		CHECK(skip == t[i].skip && dated == t[i].dated &&
		              (!dated || (int)d.day == t[i].day),
		      "leading From_ line %zu: skip %zu dated %d", i, skip, dated);
	}
}

int main(void)
{
	msg_library_init();
	test_small();
	test_fromlines();
	test_fromline_writer();
	test_leading_fromline();
	test_prefixes();
	test_pipermail();
	test_mboxcl2();
	test_mmdf();
	test_sniff();
	test_unpack();
	test_bz2par();
	test_large();
	return check_status();
}
