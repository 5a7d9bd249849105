/* test_ingest.c: sources into the index through ingest.h: the URL date
 * of a message without a From_ line date (ingest_delivery_date), the
 * resume point and the fingerprints that tell an mbox that grew from one
 * that was truncated or rewritten, batches, the archive lock, and
 * `deliver`'s append, and `deliver` as a whole (ingest_deliver); a git
 * epoch's chain of commits with its chunks in a file (chain.h). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../tests/check.h"
#include "ingest/chain.h"
#include "ingest/ingest.h"
#include "msg/msg.h"
#include "store/store.h"

static char top[] = "/tmp/listarc-test_ingest.XXXXXX";

/* ---- ingest_delivery_date ---- */

static const struct {
	const char *what, *head;
	int64_t ts;
	int day;
	bool from_headers;
} dates[] = {
	{"the first Received: wins over Date:",
         "Received: from a by b; Tue, 21 May 2019 10:00:00 +0000\nReceived: from c by a; Mon, 20 May 2019 "
         "08:00:00 +0000\nDate: Mon, 20 May 2019 07:00:00 +0000\n",
         1558432800, 20190521, true},
	{"Date: without Received:, in UTC", "Date: Mon, 20 May 2019 23:30:00 -0200\n", 1558402200,
         20190521, true},
	{"Date: east of UTC, the day before in UTC", "Date: Tue, 21 May 2019 01:00:00 +0300\n",
         1558389600, 20190520, true},
	{"a Received: without a date: Date:",
         "Received: from a by b\nDate: Mon, 20 May 2019 12:00:00 +0000\n", 1558353600, 20190520,
         true},
	{"neither: the fallback", "Subject: no dates\n", 1700000000, 20231114, false},
	{"an unreadable Date: the fallback", "Date: the day after tomorrow\n", 1700000000, 20231114,
         false},
	{"the epoch itself", "Date: Thu, 1 Jan 1970 00:00:00 +0000\n", 0, 19700101, true},
};

static void test_dates(void)
{
	struct msg_summary *sum = calloc(1, sizeof *sum);
	for (size_t i = 0; i < sizeof dates / sizeof *dates; i++) {
		memset(sum, 0, sizeof *sum);
		msg_summary_parse(sum, dates[i].head, strlen(dates[i].head));
		int64_t ts = -1;
		int day = -1;
		bool ok = ingest_delivery_date(sum, 1700000000, &ts, &day);
		CHECK(ok == dates[i].from_headers && ts == dates[i].ts && day == dates[i].day,
		      "%s: %lld, day %d%s", dates[i].what, (long long)dates[i].ts, dates[i].day,
		      dates[i].from_headers ? "" : " (fallback)");
		if (ts != dates[i].ts || day != dates[i].day || ok != dates[i].from_headers)
			printf("#   got %lld, day %d, %s\n", (long long)ts, day,
			       ok ? "from the headers" : "the fallback");
	}
	free(sum);
}

/* ---- the resume point and the fingerprints ---- */

#define MSG(n, day)                                                                               \
	"From a@example.org Mon May " #day " 10:00:00 2019\nMessage-ID: <" #n "@x>\nSubject: " #n \
	"\n\nbody " #n "\n\n"

/* The steps of one mbox's life: what is done to the file (w: it is
 * written anew with text, a: text appended, f: byte `at` flipped (the
 * same size), t: cut to `at` bytes; a negative `at` counts from the end),
 * then an index run: its status, messages indexed, and a part of its
 * error.  (The file is smaller than the fingerprints' windows: each
 * covers every byte indexed.) */
static const struct {
	char op;
	const char *text;
	long at;
	enum la_status status;
	int messages;
	const char *err;
} life[] = {
	{'w', MSG(1, 20) MSG(2, 20) MSG(3, 21), 0, LA_OK, 3, NULL},
	{'a', "", 0, LA_OK, 0, NULL},
	{'a', MSG(4, 21) MSG(5, 22), 0, LA_OK, 2, NULL},
	/* A byte of the first message changed, the size kept. */
	{'f', NULL, 60, LA_ECHANGED, 0, "was rewritten (its indexed bytes changed)"},
	{'f', NULL, 60, LA_OK, 0, NULL},
	/* A byte of the last message indexed. */
	{'f', NULL, -20, LA_ECHANGED, 0, "was rewritten"},
	{'f', NULL, -20, LA_OK, 0, NULL},
	/* What follows the resume point must be a From_ line. */
	{'a', "not a From_ line\n", 0, LA_ECHANGED, 0, "does not continue with a From_ line"},
	{'t', NULL, -17, LA_OK, 0, NULL},
	/* Shorter than indexed. */
	{'t', NULL, 100, LA_ECHANGED, 0, "is shorter than what was indexed (truncated)"},
	/* The same messages written again: as they were, and then more. */
	{'w', MSG(1, 20) MSG(2, 20) MSG(3, 21) MSG(4, 21) MSG(5, 22) MSG(6, 23), 0, LA_OK, 1, NULL},
	/* Another file of the same length: rewritten. */
	{'w', MSG(9, 20) MSG(2, 20) MSG(3, 21) MSG(4, 21) MSG(5, 22) MSG(6, 23), 0, LA_ECHANGED, 0,
         "rewritten"},
};

static uint64_t file_size(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

static bool first_source(const struct store_source *s, void *arg)
{
	*(struct store_source *)arg = *s;
	return false;
}

static bool count_list(const struct store_list_info *l, void *arg)
{
	*(int64_t *)arg += l->count;
	return true;
}

static void test_resume(void)
{
	char dir[sizeof top + 16], mbox[sizeof top + 32];
	snprintf(dir, sizeof dir, "%s/arc", top);
	snprintf(mbox, sizeof mbox, "%s/l.mbox", top);
	struct la_err err = {0};
	struct store *st = NULL;
	if (store_open(&st, dir, STORE_WRITE, &err)) {
		CHECK(0, "the index opens (%s)", err.msg);
		return;
	}
	int64_t list;
	CHECK(store_list_ensure(st, "l", &list, &err) == LA_OK, "the list is made (%s)", err.msg);
	struct ingest_opts o;
	ingest_opts_init(&o);
	o.settle = 0;
	o.batch = 2; /* several commits a run, each with its resume point */
	uint64_t done_before = 0;
	int total = 0;
	for (size_t i = 0; i < sizeof life / sizeof *life; i++) {
		FILE *f;
		long size = (long)file_size(mbox);
		long at = life[i].at < 0 ? size + life[i].at : life[i].at;
		switch (life[i].op) {
		case 'w':
		case 'a':
			f = fopen(mbox, life[i].op == 'w' ? "w" : "a");
			if (f) {
				fputs(life[i].text, f);
				fclose(f);
			}
			break;
		case 'f': {
			int fd = open(mbox, O_RDWR);
			char c;
			if (fd >= 0 && pread(fd, &c, 1, at) == 1) {
				c ^= 0x20;
				if (pwrite(fd, &c, 1, at) != 1)
					printf("# cannot write %s\n", mbox);
			}
			if (fd >= 0)
				close(fd);
			break;
		}
		case 't':
			if (truncate(mbox, at) != 0)
				printf("# cannot truncate %s\n", mbox);
			break;
		}
		struct ingest_stats stats;
		memset(&stats, 0, sizeof stats);
		memset(&err, 0, sizeof err);
		enum la_status e = ingest_source(st, list, mbox, &o, &stats, &err);
		CHECK(e == life[i].status && (int)stats.messages == life[i].messages &&
		              (!life[i].err || strstr(err.msg, life[i].err)),
		      "step %zu (%c): %s, %d messages indexed%s%s", i, life[i].op,
		      life[i].status ? la_strstatus(life[i].status) : "ok", life[i].messages,
		      life[i].err ? ", saying it " : "", life[i].err ? life[i].err : "");
		if (e != life[i].status || (int)stats.messages != life[i].messages)
			printf("#   got %s, %llu messages: %s\n", la_strstatus(e),
			       (unsigned long long)stats.messages, err.msg);
		struct store_source src;
		memset(&src, 0, sizeof src);
		int64_t n = 0;
		CHECK(store_sources(st, list, first_source, &src) == LA_OK &&
		              store_lists(st, count_list, &n) == LA_OK,
		      "step %zu: sources and lists read", i);
		if (e == LA_OK) {
			total += life[i].messages;
			CHECK(src.done == file_size(mbox) && n == total,
			      "step %zu: the resume point is the end of the file (%llu), the index holds %d",
			      i, (unsigned long long)file_size(mbox), total);
			done_before = src.done;
		} else {
			CHECK(src.done == done_before && n == total,
			      "step %zu: refused, the resume point (%llu) and the %d messages are left as they were",
			      i, (unsigned long long)done_before, total);
		}
	}
	/* After a rebuild's purge the same file indexes anew from the start. */
	CHECK(store_list_purge(st, list, &err) == LA_OK, "the list is purged (as --rebuild does)");
	struct ingest_stats stats;
	memset(&stats, 0, sizeof stats);
	CHECK(ingest_source(st, list, mbox, &o, &stats, &err) == LA_OK && stats.messages == 6,
	      "...and its rewritten mbox indexes whole (%s)", err.msg);
	store_close(st);

	/* A last message with no blank line after it, in a file written just
	 * now: its locks can be taken (no writer holds them), so it is
	 * indexed at once, whatever the settle time (which only applies
	 * where no lock can be taken). */
	snprintf(dir, sizeof dir, "%s/arc2", top);
	snprintf(mbox, sizeof mbox, "%s/m.mbox", top);
	FILE *f = fopen(mbox, "w");
	if (f) {
		fputs(MSG(1,
		          20) "From b@example.org Mon May 20 11:00:00 2019\nMessage-ID: <2@x>\n\nno newline",
		      f);
		fclose(f);
	}
	st = NULL;
	CHECK(store_open(&st, dir, STORE_WRITE, &err) == LA_OK &&
	              store_list_ensure(st, "m", &list, &err) == LA_OK,
	      "the index opens again, with another list (%s)", err.msg);
	o.settle = 3600;
	memset(&stats, 0, sizeof stats);
	struct store_source src;
	CHECK(ingest_source(st, list, mbox, &o, &stats, &err) == LA_OK && stats.messages == 2 &&
	              stats.pending == 0 && store_sources(st, list, first_source, &src) == LA_OK &&
	              src.done == file_size(mbox),
	      "a file written just now, its locks free: every message indexed, to the end of the file");
	memset(&stats, 0, sizeof stats);
	CHECK(ingest_source(st, list, mbox, &o, &stats, &err) == LA_OK && stats.messages == 0,
	      "...and a second run finds nothing new");
	store_close(st);
}

/* ---- the archive lock ---- */

static void test_lock(void)
{
	char dir[sizeof top + 16];
	snprintf(dir, sizeof dir, "%s/lk", top);
	mkdir(dir, 0777);
	struct la_err err = {0};
	int a = -1, b = -1;
	CHECK(ingest_lock(dir, 0, &a, &err) == LA_OK && a >= 0, "the archive lock is taken");
	/* (An flock lock belongs to the open file: a second open, even in
	 * this process, is a second writer.) */
	CHECK(ingest_lock(dir, 0, &b, &err) == LA_ELOCKED,
	      "a second writer without waiting: LA_ELOCKED (%s)", err.msg);
	if (b >= 0)
		close(b);
	b = -1;
	close(a);
	memset(&err, 0, sizeof err);
	CHECK(ingest_lock(dir, 0, &b, &err) == LA_OK, "once let go, it is taken again");
	if (b >= 0)
		close(b);
}

/* ---- deliver's append ---- */

/* The file at path, its first n - 1 bytes, into out ("" if unreadable). */
static void slurp(const char *path, char *out, size_t n)
{
	FILE *f = fopen(path, "r");
	size_t k = f ? fread(out, 1, n - 1, f) : 0;
	out[k] = '\0';
	if (f)
		fclose(f);
}

static const struct {
	const char *what, *msg, *sender;
	bool once;
	const char *want; /* the whole file after it */
} appends[] = {
	{"a message, quoted mboxrd-style, with a From_ line of its date",
         "Message-ID: <a@x>\n\nFrom here\n>From there\n", "s@example.org", true,
         "From s@example.org Tue May 21 10:00:00 2019\nMessage-ID: <a@x>\n\n>From here\n>>From there\n\n"},
	{"the same again at once (a retried delivery): not written twice",
         "Message-ID: <a@x>\n\nFrom here\n>From there\n", "s@example.org", true,
         "From s@example.org Tue May 21 10:00:00 2019\nMessage-ID: <a@x>\n\n>From here\n>>From there\n\n"},
	{"a message without a final newline gets one, and the blank line",
         "Message-ID: <b@x>\n\nno newline", "t@example.org", true,
         "From s@example.org Tue May 21 10:00:00 2019\nMessage-ID: <a@x>\n\n>From here\n>>From there\n\n"
         "From t@example.org Tue May 21 10:00:00 2019\nMessage-ID: <b@x>\n\nno newline\n\n"},
	{"without once (no Message-ID): the same twice is kept twice", "Subject: cron\n\nsame\n",
         "c@example.org", false,
         "From s@example.org Tue May 21 10:00:00 2019\nMessage-ID: <a@x>\n\n>From here\n>>From there\n\n"
         "From t@example.org Tue May 21 10:00:00 2019\nMessage-ID: <b@x>\n\nno newline\n\n"
         "From c@example.org Tue May 21 10:00:00 2019\nSubject: cron\n\nsame\n\n"},
	{"...twice", "Subject: cron\n\nsame\n", "c@example.org", false,
         "From s@example.org Tue May 21 10:00:00 2019\nMessage-ID: <a@x>\n\n>From here\n>>From there\n\n"
         "From t@example.org Tue May 21 10:00:00 2019\nMessage-ID: <b@x>\n\nno newline\n\n"
         "From c@example.org Tue May 21 10:00:00 2019\nSubject: cron\n\nsame\n\n"
         "From c@example.org Tue May 21 10:00:00 2019\nSubject: cron\n\nsame\n\n"},
};

/* ingest_indexed_fn for the tests: *(uint64_t *)arg bytes, counting the calls. */
static unsigned indexed_asked;
static uint64_t fixed_indexed(void *arg)
{
	indexed_asked++;
	return *(const uint64_t *)arg;
}

static void test_append(void)
{
	char path[sizeof top + 16];
	snprintf(path, sizeof path, "%s/d.mbox", top);
	uint64_t none = 0;
	indexed_asked = 0;
	for (size_t i = 0; i < sizeof appends / sizeof *appends; i++) {
		struct la_err err = {0};
		enum la_status e = ingest_append_mbox(
			path, appends[i].msg, strlen(appends[i].msg), appends[i].sender, 1558432800,
			appends[i].once, fixed_indexed, &none, 1, &err);
		char got[2048];
		slurp(path, got, sizeof got);
		CHECK(e == LA_OK, "append: %s: LA_OK (%s)", appends[i].what, err.msg);
		CHECK_STR(got, appends[i].want, "append: %s: the file", appends[i].what);
	}
	/* No half message at the end: the index is not asked (deliver opens it
	 * for that, under the mbox's lock). */
	CHECK(indexed_asked == 0, "append: what the index holds is asked only for a torn tail (%u)",
	      indexed_asked);
}

/* A delivery killed in the middle of its write leaves half its message
 * at the end: the retry cuts it off and writes the whole, unless the
 * index holds those bytes, or they are half of another message. */
static void test_torn(void)
{
	static const char whole[] =
		"From s@example.org Tue May 21 10:00:00 2019\nMessage-ID: <a@x>\n\na\n\n";
	static const char msg[] = "Message-ID: <d@x>\n\nbody of d\n";
	static const char full[] =
		"From s@example.org Tue May 21 10:00:00 2019\nMessage-ID: <d@x>\n\nbody of d\n\n";
	static const struct {
		const char *what, *tail;
		bool indexed; /* the index holds the tail */
		const char *want_tail;
	} cases[] = {
		{"half of it (the message's own half) is cut off and the whole written",
	         "From s@example.org Tue May 21 10:00:00 2019\nMessage-ID: <d@x>\n\nbo", false, ""},
		{"half of its From_ line alone too", "From s@example.org Tue M", false, ""},
		{"a half the index holds is left where it is",
	         "From s@example.org Tue May 21 10:00:00 2019\nMessage-ID: <d@x>\n\nbo", true,
	         "From s@example.org Tue May 21 10:00:00 2019\nMessage-ID: <d@x>\n\nbo\n\n"},
		{"half of another message is left where it is",
	         "From s@example.org Tue May 21 10:00:00 2019\nMessage-ID: <e@x>\n\nbo", false,
	         "From s@example.org Tue May 21 10:00:00 2019\nMessage-ID: <e@x>\n\nbo\n\n"},
	};
	char path[sizeof top + 16];
	snprintf(path, sizeof path, "%s/t.mbox", top);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		FILE *f = fopen(path, "w");
		if (!f)
			continue;
		fputs(whole, f);
		fputs(cases[i].tail, f);
		fclose(f);
		uint64_t indexed = strlen(whole) + (cases[i].indexed ? strlen(cases[i].tail) : 0);
		struct la_err err = {0};
		enum la_status e =
			ingest_append_mbox(path, msg, strlen(msg), "s@example.org", 1558432800,
		                           true, fixed_indexed, &indexed, 1, &err);
		char got[2048], want[2048];
		slurp(path, got, sizeof got);
		snprintf(want, sizeof want, "%s%s%s", whole, cases[i].want_tail, full);
		CHECK(e == LA_OK, "torn: %s: LA_OK (%s)", cases[i].what, err.msg);
		CHECK_STR(got, want, "torn: %s: the file", cases[i].what);
	}
}

/* ---- deliver as a whole ---- */

static const struct {
	const char *what, *msg, *sender;
	enum la_status want;
	const char *mbox_starts; /* the mbox after it, up to its length */
} deliveries[] = {
	{"an MTA's From_ line is replaced; the sender is the Return-Path:, the date the Received:",
         "From mta@example.org Thu Jan  1 00:00:00 1970\nReturn-Path: <r@example.org>\n"
         "Received: by x; Tue, 21 May 2019 10:00:00 +0000\nMessage-ID: <d1@x>\n\nbody\n",
         NULL, LA_OK,
         "From r@example.org Tue May 21 10:00:00 2019\nReturn-Path: <r@example.org>\n"
         "Received: by x; Tue, 21 May 2019 10:00:00 +0000\nMessage-ID: <d1@x>\n\nbody\n\n"},
	{"a sender given is cut to one token of printable ASCII; the date is Date:",
         "Date: Wed, 22 May 2019 11:00:00 +0200\nMessage-ID: <d2@x>\n\nbody\n", "<s x@example.org>",
         LA_OK,
         "From r@example.org Tue May 21 10:00:00 2019\nReturn-Path: <r@example.org>\n"
         "Received: by x; Tue, 21 May 2019 10:00:00 +0000\nMessage-ID: <d1@x>\n\nbody\n\n"
         "From sx@example.org Wed May 22 09:00:00 2019\nDate: Wed, 22 May 2019 11:00:00 +0200\n"
         "Message-ID: <d2@x>\n\nbody\n\n"},
	{"an empty message is refused", "", "s@example.org", LA_EINVAL, NULL},
	{"so is a From_ line alone", "From mta@example.org Thu Jan  1 00:00:00 1970\n",
         "s@example.org", LA_EINVAL, NULL},
};

/* An fd reading s (through a file: the message comes from stdin). */
static int fd_of(const char *s)
{
	char path[sizeof top + 16];
	snprintf(path, sizeof path, "%s/in", top);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(s, f);
	fclose(f);
	int fd = open(path, O_RDONLY);
	unlink(path);
	return fd;
}

static void test_deliver(void)
{
	char dir[sizeof top + 16], mbox[sizeof top + 32];
	snprintf(dir, sizeof dir, "%s/arch", top);
	snprintf(mbox, sizeof mbox, "%s/mbox/l.mbox", dir);
	for (size_t i = 0; i < sizeof deliveries / sizeof *deliveries; i++) {
		struct la_err err = {0};
		struct ingest_delivery d;
		int fd = fd_of(deliveries[i].msg);
		enum la_status e = ingest_deliver(dir, "l", fd, deliveries[i].sender, 1, &d, &err);
		close(fd);
		CHECK(e == deliveries[i].want, "deliver: %s: %s (%s)", deliveries[i].what,
		      la_strstatus(deliveries[i].want), err.msg);
		if (e || !deliveries[i].mbox_starts)
			continue;
		CHECK(d.indexed, "deliver: %s: indexed (%s)", deliveries[i].what, d.note);
		char got[2048];
		slurp(mbox, got, sizeof got);
		CHECK_STR(got, deliveries[i].mbox_starts, "deliver: %s: the mbox",
		          deliveries[i].what);
	}
	/* Both messages are in the index, under the list. */
	struct store *st = NULL;
	struct la_err err = {0};
	int64_t ids[4];
	int n = 0;
	CHECK(store_open(&st, dir, STORE_READ, &err) == LA_OK &&
	              store_msg_ids_after(st, 0, ids, 4, &n) == LA_OK && n == 2,
	      "deliver: the two messages stored are indexed (%d)", n);
	store_close(st);

	struct ingest_delivery d;
	int fd = fd_of("Message-ID: <d3@x>\n\nbody\n");
	memset(&err, 0, sizeof err);
	CHECK(ingest_deliver("/proc/no/such", "l", fd, NULL, 1, &d, &err) == LA_EIO &&
	              d.cannot_create,
	      "deliver: an archive directory that cannot be made is said so (%s)", err.msg);
	close(fd);
}

/* ---- ingest/chain.h: a git epoch's chain, its chunks in a file ---- */

/* Link i of a test chain: rec bytes that name i. */
static void link_of(size_t i, size_t rec, unsigned char *out)
{
	for (size_t j = 0; j < rec; j++)
		out[j] = (unsigned char)((i * 2654435761u) >> (8 * (j % 4))) ^ (unsigned char)j;
}

/* n links of rec bytes pushed into a chain of chunk links in dir, read
 * back last to first and in a scattered order: how many came back as
 * pushed (n + n when all did). */
static size_t chain_round(size_t n, size_t rec, size_t chunk, const char *dir,
                          struct chain_figs *figs)
{
	struct chain *c = NULL;
	struct la_err err = {0};
	unsigned char want[64], got[64];
	size_t same = 0;
	if (chain_new(&c, rec, chunk, dir, &err) != LA_OK)
		return 0;
	for (size_t i = 0; i < n; i++) {
		link_of(i, rec, want);
		if (chain_push(c, want, &err) != LA_OK)
			break;
	}
	if (chain_count(c) == n) {
		for (size_t i = n; i-- > 0;) {
			link_of(i, rec, want);
			if (chain_get(c, i, got, &err) == LA_OK && memcmp(got, want, rec) == 0)
				same++;
		}
		for (size_t k = 0; k < n; k++) {
			size_t i = (k * 7919) % n;
			link_of(i, rec, want);
			if (chain_get(c, i, got, &err) == LA_OK && memcmp(got, want, rec) == 0)
				same++;
		}
	}
	chain_figs(c, figs);
	chain_free(c);
	return same;
}

static void test_chain(void)
{
	char dir[300];
	snprintf(dir, sizeof dir, "%s/chain", top);
	if (mkdir(dir, 0700) != 0)
		perror("mkdir");
	struct chain_figs f;
	/* 10,000 = 156 chunks of 64 and 16 links. */
	size_t same = chain_round(10000, 40, 64, dir, &f);
	CHECK(same == 20000 && f.links == 10000 && f.spooled == 156 * 64 && !f.spool_failed,
	      "a chain of 10,000 links, 64 a chunk: every link read back as pushed, both ways "
	      "(%zu of 20000), all but the last chunk in the file (%llu)",
	      same, (unsigned long long)f.spooled);
	/* Backward: one read a chunk; the scattered round reads more. */
	CHECK(f.reads >= 156 && f.reads < 156 + 10000, "chunks read back: %llu",
	      (unsigned long long)f.reads);
	same = chain_round(128, 40, 64, dir, &f);
	CHECK(same == 256 && f.spooled == 64,
	      "two full chunks: the first in the file, the second "
	      "held (%llu spooled)",
	      (unsigned long long)f.spooled);
	same = chain_round(3000, 1, 1, dir, &f);
	CHECK(same == 6000 && f.spooled == 2999, "links of 1 byte, 1 a chunk");
	same = chain_round(5000, 40, 64, NULL, &f);
	CHECK(same == 10000 && f.spooled == 0 && f.reads == 0 && !f.spool_failed,
	      "no directory: every link held in memory");
	char gone[400];
	snprintf(gone, sizeof gone, "%s/no-such-directory", top);
	same = chain_round(5000, 40, 64, gone, &f);
	CHECK(same == 10000 && f.spooled == 0 && f.spool_failed,
	      "a directory that is not there: the file failed, every link kept in memory");
	/* Nothing is left in the directory (the file had no name). */
	char cmd[400];
	snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s')\"", dir);
	CHECK(system(cmd) == 0, "the chains left nothing in their directory");

	struct chain *c = NULL;
	struct la_err err = {0};
	CHECK(chain_new(&c, 0, 64, dir, &err) == LA_EINVAL && !c, "a link of 0 bytes refused");
	CHECK(chain_new(&c, 40, 0, dir, &err) == LA_EINVAL && !c, "a chunk of 0 links refused");
	CHECK(chain_new(&c, 40, 64, dir, &err) == LA_OK && c, "an empty chain");
	unsigned char l[40];
	CHECK(chain_count(c) == 0 && chain_get(c, 0, l, &err) == LA_EINVAL,
	      "an empty chain has no link 0");
	chain_free(c);
	chain_free(NULL);
}

int main(void)
{
	if (!mkdtemp(top)) {
		perror("mkdtemp");
		return 1;
	}
	msg_library_init();
	test_dates();
	test_resume();
	test_lock();
	test_append();
	test_torn();
	test_deliver();
	test_chain();
	char cmd[sizeof top + 16];
	snprintf(cmd, sizeof cmd, "rm -rf %s", top);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", top);
	return check_status();
}
