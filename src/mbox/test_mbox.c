/* test_mbox.c: the mbox scanner on small crafted files (every From_ line
 * case) and on a large generated one that crosses many read windows,
 * checked against a straightforward splitter. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../tests/check.h"
#include "mbox/mbox.h"
#include "msg/msg.h"

struct got {
	uint64_t off[64], len[64];
	unsigned flags[64];
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

static void scan(const char *data, struct got *g, uint64_t start)
{
	int fd = write_tmp(data, strlen(data));
	struct mbox_reader *r = mbox_reader_new(fd, start);
	struct mbox_msg m;
	struct la_err err = {0};
	g->n = 0;
	while (g->n < 64 && mbox_next(r, &m, &err) == LA_OK) {
		g->off[g->n] = m.off;
		g->len[g->n] = m.len;
		g->flags[g->n] = m.flags;
		g->n++;
	}
	mbox_reader_free(r);
	close(fd);
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

	const char *junk = "Subject: no From_ line\n\nhello\n\nFrom b Mon May 20 14:00:02 2019\n\nz\n";
	scan(junk, &g, 0);
	CHECK(g.n == 2 && (g.flags[0] & MBOX_F_NO_FROMLINE) && g.off[0] == 0,
	      "bytes before the first From_ line form a message");

	const char *nonl = "From a Mon May 20 14:00:01 2019\nSubject: 1\n\nno newline at end";
	scan(nonl, &g, 0);
	CHECK(g.n == 1 && (g.flags[0] & MBOX_F_NO_NEWLINE), "a last message without newline is flagged");

	const char *crlf = "From a Mon May 20 14:00:01 2019\r\nSubject: 1\r\n\r\nx\r\n\r\n"
	                   "From b Mon May 20 14:00:02 2019\r\nSubject: 2\r\n\r\ny\r\n";
	scan(crlf, &g, 0);
	CHECK(g.n == 2, "CRLF mbox");

	const char *quoted = "From a Mon May 20 14:00:01 2019\nSubject: 1\n\n>From b Mon May 20 14:00:02 2019\n";
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
	CHECK(g.n == 3, "a From_ line over FROMLINE_MAX splits, with a long sender or long junk after "
	      "the date; a sender over FROMLINE_SENDER_MAX does not (got %d)", g.n);
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
		buf_printf(&b, "From x@y Mon May 20 14:%02d:%02d 2019\n", want / 60 % 60, want % 60);
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
				buf_printf(&b, "line %d of message %d with some words to make it longer\n", i, want);
		}
		buf_addc(&b, '\n');
	}
	int fd = write_tmp(b.data, b.len);
	struct mbox_reader *r = mbox_reader_new(fd, 0);
	struct mbox_msg m;
	struct la_err err = {0};
	int n = 0, ok = 1;
	struct msg_summary *s = malloc(sizeof *s);
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
	CHECK(n == want && ok, "%d messages over %zu MB found at the right offsets with their headers",
	      want, b.len >> 20);
	free(s);
	mbox_reader_free(r);
	close(fd);
	buf_free(&b);
}

int main(void)
{
	msg_library_init();
	test_small();
	test_large();
	return check_status();
}
