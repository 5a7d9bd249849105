/* test_store.c: the index through store.h: the Message-ID cache of the
 * writer (duplicates, threads and ghosts across transactions, rollbacks
 * and reopenings, a hash collision settled by the text), sources (stored
 * relative inside the archive directory, schema-1 absolute paths found
 * and converted, a moved schema-1 archive), and the schema's versions
 * (a schema-1 index read as it is and made 2 by a writer, a newer one
 * refused, an older one given what is new), and the query plans the
 * fixed statistics give, on a new, a grown and an upgraded index.  The
 * index file is also looked at, and changed, with SQLite directly. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../tests/check.h"
#include "msg/msg.h"
#include "store/store.h"
#include "store/store_int.h"
#include "search/search.h"
#include "util/hash.h"

static char top[] = "/tmp/listarc-test_store.XXXXXX";

/* Runs sql on DIR/index.sqlite with a connection of its own; the first
 * column of the last row in out (if given). */
static int sql(const char *dir, const char *q, char *out, size_t n)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/index.sqlite", dir);
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	sqlite3_stmt *s;
	const char *tail = q;
	int rc = SQLITE_OK;
	if (out)
		out[0] = '\0';
	while (rc == SQLITE_OK && tail && *tail) {
		s = NULL;
		rc = sqlite3_prepare_v2(db, tail, -1, &s, &tail);
		if (rc != SQLITE_OK || !s)
			break;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW)
			if (out)
				snprintf(out, n, "%s",
				         sqlite3_column_text(s, 0)
				                 ? (const char *)sqlite3_column_text(s, 0)
				                 : "");
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

/* ---- the Message-ID cache, threads and day numbers ---- */

/* One step of a writer's life.  A: add the message whose header block is
 * `head` on `day`: its number must be `num` and its duplicate flag `dup`.
 * B, C, R: begin, commit, roll back.  O: close and open the store again
 * (a new writer, empty caches).  S and D: the messages (or ghosts) with
 * Message-IDs x and y are in the same thread, in different ones.  P: x's
 * parent is y ("" none).  G: x is a ghost (known, no message).  X: a row
 * of mids written behind the store's back, with the hash of x and the
 * text y, in a thread of its own. */
static const struct step {
	char op;
	const char *head;
	int day, num;
	bool dup;
	const char *x, *y;
} steps[] = {
	{.op = 'B'},
	{.op = 'A', .head = "Message-ID: <a@x>\n", .day = 20240101, .num = 1, .dup = false},
	{.op = 'A',
         .head = "Message-ID: <b@x>\nIn-Reply-To: <a@x>\n",
         .day = 20240101,
         .num = 2,
         .dup = false},
	{.op = 'A',
         .head = "Message-ID: <c@x>\nReferences: <g@x>\n",
         .day = 20240102,
         .num = 1,
         .dup = false},
	{.op = 'C'},
	{.op = 'S', .x = "a@x", .y = "b@x"},
	{.op = 'D', .x = "a@x", .y = "c@x"},
	{.op = 'S', .x = "c@x", .y = "g@x"},
	{.op = 'G', .x = "g@x"},
	{.op = 'P', .x = "b@x", .y = "a@x"},
	{.op = 'P', .x = "a@x", .y = ""},
	/* The cache outlives a commit: a reply to the ghost joins its thread,
         * and a copy of a is a duplicate with the next number of its day. */
	{.op = 'B'},
	{.op = 'A',
         .head = "Message-ID: <d@x>\nIn-Reply-To: <g@x>\n",
         .day = 20240102,
         .num = 2,
         .dup = false},
	{.op = 'A', .head = "Message-ID: <a@x>\n", .day = 20240101, .num = 3, .dup = true},
	/* ...and a rollback forgets them: the same again gets the same. */
	{.op = 'R'},
	{.op = 'B'},
	{.op = 'A',
         .head = "Message-ID: <d@x>\nIn-Reply-To: <g@x>\n",
         .day = 20240102,
         .num = 2,
         .dup = false},
	{.op = 'A', .head = "Message-ID: <a@x>\n", .day = 20240101, .num = 3, .dup = true},
	{.op = 'C'},
	{.op = 'S', .x = "d@x", .y = "c@x"},
	{.op = 'P', .x = "d@x", .y = "g@x"},
	{.op = 'D', .x = "d@x", .y = "a@x"},
	/* A message naming both threads joins them into one. */
	{.op = 'B'},
	{.op = 'A',
         .head = "Message-ID: <e@x>\nReferences: <a@x> <g@x>\n",
         .day = 20240103,
         .num = 1,
         .dup = false},
	/* Two messages that reply to each other: the second link would close
         * a loop and is not made. */
	{.op = 'A',
         .head = "Message-ID: <f@x>\nIn-Reply-To: <h@x>\n",
         .day = 20240103,
         .num = 2,
         .dup = false},
	{.op = 'A',
         .head = "Message-ID: <h@x>\nIn-Reply-To: <f@x>\n",
         .day = 20240103,
         .num = 3,
         .dup = false},
	{.op = 'C'},
	{.op = 'S', .x = "a@x", .y = "c@x"},
	{.op = 'S', .x = "e@x", .y = "d@x"},
	{.op = 'P', .x = "e@x", .y = "g@x"},
	{.op = 'S', .x = "f@x", .y = "h@x"},
	{.op = 'D', .x = "f@x", .y = "a@x"},
	{.op = 'P', .x = "f@x", .y = "h@x"},
	{.op = 'P', .x = "h@x", .y = ""},
	/* A new writer finds what the index holds, without its cache. */
	{.op = 'O'},
	{.op = 'B'},
	{.op = 'A', .head = "Message-ID: <b@x>\n", .day = 20240101, .num = 4, .dup = true},
	{.op = 'A',
         .head = "Message-ID: <i@x>\nIn-Reply-To: <d@x>\n",
         .day = 20240103,
         .num = 4,
         .dup = false},
	{.op = 'C'},
	{.op = 'S', .x = "i@x", .y = "a@x"},
	/* Another Message-ID stored under the hash of coll@x: the text
         * settles it, and coll@x is a message of its own. */
	{.op = 'X', .x = "coll@x", .y = "other@x"},
	{.op = 'O'},
	{.op = 'B'},
	{.op = 'A', .head = "Message-ID: <coll@x>\n", .day = 20240104, .num = 1, .dup = false},
	{.op = 'A',
         .head = "Message-ID: <coll@x>\nIn-Reply-To: <a@x>\n",
         .day = 20240104,
         .num = 2,
         .dup = true},
	{.op = 'C'},
	{.op = 'S', .x = "coll@x", .y = "a@x"},
	/* A message without a Message-ID is keyed by the id made up for it. */
	{.op = 'B'},
	{.op = 'A', .head = "Subject: no id\n", .day = 20240105, .num = 1, .dup = false},
	{.op = 'A', .head = "Subject: no id\n", .day = 20240105, .num = 2, .dup = true},
	{.op = 'C'},
};

/* The thread and mids id of Message-ID x, from mids. */
static bool mid_thread(struct store *st, const char *x, int64_t *id, int64_t *thread)
{
	return store_mid_find(st, x, id, thread) == LA_OK;
}

static bool first_entry(const struct store_entry *e, void *arg)
{
	*(int64_t *)arg = e->parent;
	return false;
}

static void test_writer(void)
{
	char dir[sizeof top + 16];
	snprintf(dir, sizeof dir, "%s/w", top);
	struct la_err err = {0};
	struct store *st = NULL;
	CHECK(store_open(&st, dir, STORE_WRITE, &err) == LA_OK,
	      "a new index opens for writing (%s)", err.msg);
	if (!st)
		return;
	int64_t list, src_id = 0;
	struct store_source src;
	CHECK(store_list_ensure(st, "l", &list, &err) == LA_OK, "a list is made");
	CHECK(store_source_ensure(st, list, "/nonexistent/l.mbox", SOURCE_MBOX, &src, &err) ==
	              LA_OK,
	      "a source is registered");
	src_id = src.id;
	uint64_t off = 0;
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		const struct step *p = &steps[i];
		int64_t a, ta, b, tb;
		switch (p->op) {
		case 'B': CHECK(store_begin(st, &err) == LA_OK, "step %zu: begin", i); break;
		case 'C':
			CHECK(store_commit(st, NULL, &err) == LA_OK, "step %zu: commit (%s)", i,
			      err.msg);
			break;
		case 'R': store_rollback(st); break;
		case 'O':
			store_close(st);
			st = NULL;
			CHECK(store_open(&st, dir, STORE_WRITE, &err) == LA_OK,
			      "step %zu: opens again", i);
			if (!st)
				return;
			break;
		case 'A': {
			struct msg_summary *sum = calloc(1, sizeof *sum);
			msg_summary_parse(sum, p->head, strlen(p->head));
			char made[64];
			msg_made_up_id(made, sizeof made, p->head, strlen(p->head),
			               strlen(p->head));
			struct store_new_msg m = {.list_id = list,
			                          .source_id = src_id,
			                          .off = off,
			                          .len = strlen(p->head),
			                          .day = p->day,
			                          .ts = 1700000000 + (int64_t)i,
			                          .sum = sum,
			                          .made_up_id = made};
			off += strlen(p->head) + 1;
			int num = 0;
			bool dup = !p->dup;
			enum la_status e = store_add(st, &m, &num, &dup, &err);
			CHECK(e == LA_OK && num == p->num && dup == p->dup,
			      "step %zu: %.*s: number %d of %d, %s", i, (int)strcspn(p->head, "\n"),
			      p->head, p->num, p->day, p->dup ? "a duplicate" : "not a duplicate");
			if (e || num != p->num || dup != p->dup)
				printf("#   status %d (%s), number %d, dup %d\n", e, err.msg, num,
				       dup);
			free(sum);
			break;
		}
		case 'S':
		case 'D': {
			bool found = mid_thread(st, p->x, &a, &ta) && mid_thread(st, p->y, &b, &tb);
			CHECK(found && (ta == tb) == (p->op == 'S'),
			      "step %zu: <%s> and <%s> are in %s", i, p->x, p->y,
			      p->op == 'S' ? "one thread" : "two threads");
			break;
		}
		case 'G': {
			int64_t n = 0;
			bool found = mid_thread(st, p->x, &a, &ta) &&
			             store_msgs_by_msgid(st, p->x, 0, first_entry, &n) == LA_OK;
			char q[128], got[32];
			snprintf(q, sizeof q, "SELECT count(*) FROM messages WHERE mid = %lld",
			         (long long)a);
			CHECK(found && sql(dir, q, got, sizeof got) == 0 && strcmp(got, "0") == 0,
			      "step %zu: <%s> is a ghost", i, p->x);
			break;
		}
		case 'P': {
			int64_t parent = -1;
			CHECK(store_msgs_by_msgid(st, p->x, 0, first_entry, &parent) == LA_OK,
			      "step %zu: <%s> looked up", i, p->x);
			int64_t want = 0;
			if (p->y[0])
				mid_thread(st, p->y, &want, &tb);
			CHECK(parent == want, "step %zu: the parent of <%s> is %s%s%s", i, p->x,
			      p->y[0] ? "<" : "", p->y[0] ? p->y : "none", p->y[0] ? ">" : "");
			break;
		}
		case 'X': {
			char q[256];
			snprintf(
				q, sizeof q,
				"INSERT INTO mids(id, hash, mid, thread, msgs) VALUES(900, %lld, '%s', 900, 1)",
				(long long)hash64(p->x, strlen(p->x), 0), p->y);
			CHECK(sql(dir, q, NULL, 0) == 0,
			      "step %zu: a row of <%s> under the hash of <%s>", i, p->y, p->x);
			break;
		}
		}
	}
	char got[64];
	store_close(st);
	CHECK(sql(dir,
	          "SELECT group_concat(day || ':' || count, ' ') FROM (SELECT * FROM days ORDER BY day)",
	          got, sizeof got) == 0 &&
	              strcmp(got, "20240101:4 20240102:2 20240103:4 20240104:2 20240105:2") == 0,
	      "the day counts are the numbers handed out (%s)", got);
	char q[256];
	snprintf(q, sizeof q,
	         "SELECT count(*) || ' ' || count(DISTINCT thread) || ' ' || group_concat(mid, ' ')"
	         " FROM (SELECT * FROM mids WHERE hash = %lld ORDER BY mid)",
	         (long long)hash64("coll@x", 6, 0));
	CHECK(sql(dir, q, got, sizeof got) == 0 && !strcmp(got, "2 2 coll@x other@x"),
	      "under the hash of <coll@x>: its row and the other text's, in two threads (%s)", got);
}

/* ---- sources ---- */

static const char *stored(const char *dir, int64_t id, char *out, size_t n)
{
	char q[128];
	snprintf(q, sizeof q, "SELECT path FROM sources WHERE id = %lld", (long long)id);
	sql(dir, q, out, n);
	return out;
}

static void test_sources(void)
{
	char dir[sizeof top + 16], real[4096], path[4200], got[4200];
	snprintf(dir, sizeof dir, "%s/s", top);
	struct la_err err = {0};
	struct store *st = NULL;
	if (store_open(&st, dir, STORE_WRITE, &err) != LA_OK) {
		CHECK(0, "an index for the sources opens (%s)", err.msg);
		return;
	}
	if (!realpath(dir, real))
		snprintf(real, sizeof real, "%s", dir);
	int64_t list = 0, other = 0;
	CHECK(store_list_ensure(st, "l", &list, &err) == LA_OK &&
	              store_list_ensure(st, "m", &other, &err) == LA_OK,
	      "two lists (%s)", err.msg);
	struct store_source s1, s2;

	/* Outside the directory: stored as given. */
	CHECK(store_source_ensure(st, list, "/srv/mail/l.mbox", SOURCE_MBOX, &s1, &err) == LA_OK &&
	              !strcmp(s1.path, "/srv/mail/l.mbox") &&
	              !strcmp(stored(dir, s1.id, got, sizeof got), "/srv/mail/l.mbox"),
	      "a source outside the archive is stored as its absolute path");
	CHECK(store_source_ensure(st, list, "/srv/mail/l.mbox", SOURCE_MBOX, &s2, &err) == LA_OK &&
	              s2.id == s1.id,
	      "...and found again, the same source");
	CHECK(store_source_ensure(st, other, "/srv/mail/l.mbox", SOURCE_MBOX, &s2, &err) == LA_OK &&
	              s2.id != s1.id,
	      "the same file for another list is another source");
	CHECK(store_source_ensure(st, list, "/srv/mail/l.mbox", SOURCE_MAILDIR, &s2, &err) ==
	                      LA_EINVAL &&
	              strstr(err.msg, "was indexed as an mbox"),
	      "the same path as a maildir: refused, saying why (%s)", err.msg);
	memset(&err, 0, sizeof err);

	/* Inside: stored relative, read back absolute. */
	snprintf(path, sizeof path, "%s/mbox/l.mbox", real);
	CHECK(store_source_ensure(st, list, path, SOURCE_MBOX, &s1, &err) == LA_OK &&
	              !strcmp(s1.path, path) &&
	              !strcmp(stored(dir, s1.id, got, sizeof got), "mbox/l.mbox"),
	      "a source inside the archive directory is stored relative to it (%s), read absolute",
	      got);
	struct store_source s3;
	CHECK(store_source_get(st, s1.id, &s3) == LA_OK && !strcmp(s3.path, path),
	      "store_source_get gives its absolute path too");
	snprintf(path, sizeof path, "%s/", real);
	CHECK(store_source_ensure(st, list, path, SOURCE_MAILDIR, &s2, &err) == LA_OK &&
	              !strcmp(stored(dir, s2.id, got, sizeof got), path),
	      "the directory itself is not made relative (\"\" is no path)");

	/* Schema 1 stored every path absolute: such a row is found by its
	 * path and made relative. */
	snprintf(path, sizeof path, "%s/mbox/old.mbox", real);
	char q[4400];
	snprintf(
		q, sizeof q,
		"INSERT INTO sources(id, list_id, path, kind, done) VALUES(50, %lld, '%s', 0, 123)",
		(long long)list, path);
	sql(dir, q, NULL, 0);
	CHECK(store_source_ensure(st, list, path, SOURCE_MBOX, &s1, &err) == LA_OK && s1.id == 50 &&
	              s1.done == 123 &&
	              !strcmp(stored(dir, 50, got, sizeof got), "mbox/old.mbox") &&
	              !strcmp(s1.path, path),
	      "a schema-1 absolute path inside the archive: the same source (resume point kept), now relative");
	/* ...and one stored where the archive was before it moved (the file
	 * no longer there): found by the rest of its path. */
	sql(dir,
	    "INSERT INTO sources(id, list_id, path, kind, done) VALUES(51, 1,"
	    " '/nonexistent/old-place/mbox/moved.mbox', 0, 456)",
	    NULL, 0);
	snprintf(path, sizeof path, "%s/mbox/moved.mbox", real);
	CHECK(store_source_ensure(st, list, path, SOURCE_MBOX, &s1, &err) == LA_OK && s1.id == 51 &&
	              s1.done == 456 &&
	              !strcmp(stored(dir, 51, got, sizeof got), "mbox/moved.mbox"),
	      "a moved schema-1 archive: its source found by the rest of its path, made relative");
	/* Two such candidates: neither is taken (a new source). */
	sql(dir,
	    "INSERT INTO sources(id, list_id, path, kind) VALUES(52, 1, '/nonexistent/a/mbox/two.mbox', 0);"
	    "INSERT INTO sources(id, list_id, path, kind) VALUES(53, 1, '/nonexistent/b/mbox/two.mbox', 0)",
	    NULL, 0);
	snprintf(path, sizeof path, "%s/mbox/two.mbox", real);
	CHECK(store_source_ensure(st, list, path, SOURCE_MBOX, &s1, &err) == LA_OK && s1.id > 53 &&
	              s1.done == 0,
	      "two moved schema-1 sources that could be it: a new source instead");
	/* A stored path that still exists is not taken for a moved one. */
	char exists[sizeof top + 64];
	snprintf(exists, sizeof exists, "%s/elsewhere", top);
	mkdir(exists, 0777);
	snprintf(exists, sizeof exists, "%s/elsewhere/mbox", top);
	mkdir(exists, 0777);
	snprintf(exists, sizeof exists, "%s/elsewhere/mbox/here.mbox", top);
	FILE *f = fopen(exists, "w");
	if (f)
		fclose(f);
	snprintf(q, sizeof q, "INSERT INTO sources(id, list_id, path, kind) VALUES(60, 1, '%s', 0)",
	         exists);
	sql(dir, q, NULL, 0);
	snprintf(path, sizeof path, "%s/mbox/here.mbox", real);
	CHECK(f && store_source_ensure(st, list, path, SOURCE_MBOX, &s1, &err) == LA_OK &&
	              s1.id != 60,
	      "a schema-1 path that still exists elsewhere is another source");
	store_close(st);
}

/* An index of a test's own, in top/name (its path into dir, n bytes);
 * NULL, a failed check, if it does not open. */
static struct store *test_index(const char *name, char *dir, size_t n)
{
	snprintf(dir, n, "%s/%s", top, name);
	struct la_err err = {0};
	struct store *st = NULL;
	CHECK(store_open(&st, dir, STORE_WRITE, &err) == LA_OK, "%s: an index opens (%s)", name,
	      err.msg);
	return st;
}

/* store_list_mbox: which mbox `listarc deliver` writes, as sources are
 * added (each row: the source added, then the mbox of list a, b, c, d). */
static void test_list_mbox(void)
{
	char dir[sizeof top + 16];
	struct la_err err = {0};
	struct store *st = test_index("list-mbox", dir, sizeof dir);
	if (!st)
		return;
	static const char *const names[] = {"a", "b", "c", "d"};
	int64_t id[4] = {0};
	for (int i = 0; i < 3; i++) /* d is not made */
		CHECK(store_list_ensure(st, names[i], &id[i], &err) == LA_OK, "list mbox: list %s",
		      names[i]);
	static const struct {
		int list;
		const char *source, *want[4];
	} cases[] = {
		{-1, NULL, {"mbox/a.mbox", "mbox/b.mbox", "mbox/c.mbox", "mbox/d.mbox"}},
		/* a renamed from old: its mbox stays; outside mbox/ or below it
	         * does not count. */
		{0,
	         "mbox/old.mbox",
	         {"mbox/old.mbox", "mbox/b.mbox", "mbox/c.mbox", "mbox/d.mbox"}},
		{0,
	         "mbox/x/a.mbox",
	         {"mbox/old.mbox", "mbox/b.mbox", "mbox/c.mbox", "mbox/d.mbox"}},
		{1, "/srv/b.mbox", {"mbox/old.mbox", "mbox/b.mbox", "mbox/c.mbox", "mbox/d.mbox"}},
		/* The file of its name first. */
		{0, "mbox/a.mbox", {"mbox/a.mbox", "mbox/b.mbox", "mbox/c.mbox", "mbox/d.mbox"}},
		/* Another list's source is not taken: the next free name. */
		{0, "mbox/d.mbox", {"mbox/a.mbox", "mbox/b.mbox", "mbox/c.mbox", "mbox/d.2.mbox"}},
		{0,
	         "mbox/d.2.mbox",
	         {"mbox/a.mbox", "mbox/b.mbox", "mbox/c.mbox", "mbox/d.3.mbox"}},
		{2,
	         "mbox/d.3.mbox",
	         {"mbox/a.mbox", "mbox/b.mbox", "mbox/d.3.mbox", "mbox/d.4.mbox"}},
	};
	for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
		if (cases[k].source) {
			char q[256];
			snprintf(q, sizeof q,
			         "INSERT INTO sources(list_id, path, kind) VALUES(%lld, '%s', 0)",
			         (long long)id[cases[k].list], cases[k].source);
			sql(dir, q, NULL, 0);
		}
		for (int i = 0; i < 4; i++) {
			char got[64] = "";
			enum la_status e = store_list_mbox(st, id[i], names[i], got, sizeof got);
			CHECK(e == LA_OK && !strcmp(got, cases[k].want[i]),
			      "list mbox: after %s, list %s's is %s (%s)",
			      cases[k].source ? cases[k].source : "nothing", names[i],
			      cases[k].want[i], got);
		}
	}
	char small[8];
	CHECK(store_list_mbox(st, id[0], "a", small, sizeof small) == LA_ETOOBIG,
	      "list mbox: too small a buffer is an error");
	store_close(st);
}

/* ---- schema versions ---- */

static void test_schema(void)
{
	char dir[sizeof top + 16], got[128];
	snprintf(dir, sizeof dir, "%s/v", top);
	struct la_err err = {0};
	struct store *st = NULL;
	CHECK(store_open(&st, dir, STORE_READ, &err) == LA_ENOTFOUND &&
	              strstr(err.msg, "listarc index"),
	      "no index: a reader is told to run listarc index");
	memset(&err, 0, sizeof err);
	CHECK(store_open(&st, dir, STORE_WRITE, &err) == LA_OK, "a writer makes the index");
	store_close(st);
	CHECK(sql(dir, "SELECT value FROM meta WHERE key = 'schema'", got, sizeof got) == 0 &&
	              !strcmp(got, "2"),
	      "a new index is schema 2");
	CHECK(sql(dir, "SELECT length(value) FROM meta WHERE key = 'schema_sql'", got,
	          sizeof got) == 0 &&
	              !strcmp(got, "16"),
	      "...and records the hash of the schema text it ran");

	/* Schema 1 (as an older listarc left it): read as it is, made 2 by
	 * the first writer. */
	sql(dir,
	    "UPDATE meta SET value = 1 WHERE key = 'schema'; DELETE FROM meta WHERE key = 'schema_sql'",
	    NULL, 0);
	CHECK(store_open(&st, dir, STORE_READ, &err) == LA_OK,
	      "a schema-1 index opens for reading");
	store_close(st);
	CHECK(sql(dir, "SELECT value FROM meta WHERE key = 'schema'", got, sizeof got) == 0 &&
	              !strcmp(got, "1"),
	      "...and a reader leaves it schema 1");
	CHECK(store_open(&st, dir, STORE_WRITE, &err) == LA_OK,
	      "a schema-1 index opens for writing");
	store_close(st);
	CHECK(sql(dir, "SELECT value FROM meta WHERE key = 'schema'", got, sizeof got) == 0 &&
	              !strcmp(got, "2"),
	      "...which makes it schema 2");

	/* An index missing what a later listarc added gains it. */
	sql(dir,
	    "DROP INDEX messages_when; DROP TABLE maildir_seen; DELETE FROM meta WHERE key = 'schema_sql'",
	    NULL, 0);
	CHECK(store_open(&st, dir, STORE_WRITE, &err) == LA_OK,
	      "an index of an older schema text opens for writing");
	store_close(st);
	CHECK(sql(dir,
	          "SELECT count(*) FROM sqlite_master WHERE name IN ('messages_when', 'maildir_seen')",
	          got, sizeof got) == 0 &&
	              !strcmp(got, "2"),
	      "...and gains the index and table it lacked");
	/* With the same schema text the schema is not run again (what a
	 * writer skips: a dropped index stays dropped until the text changes). */
	sql(dir, "DROP INDEX messages_when", NULL, 0);
	CHECK(store_open(&st, dir, STORE_WRITE, &err) == LA_OK,
	      "an index of the current schema text opens");
	store_close(st);
	CHECK(sql(dir, "SELECT count(*) FROM sqlite_master WHERE name = 'messages_when'", got,
	          sizeof got) == 0 &&
	              !strcmp(got, "0"),
	      "...without running the schema again");

	/* Newer or unknown versions are refused, by readers and writers. */
	static const char *const refused[] = {"3", "0", "'x'"};
	for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
		char q[128];
		snprintf(q, sizeof q, "UPDATE meta SET value = %s WHERE key = 'schema'",
		         refused[i]);
		sql(dir, q, NULL, 0);
		for (int mode = STORE_READ; mode <= STORE_WRITE; mode++) {
			memset(&err, 0, sizeof err);
			st = NULL;
			enum la_status e = store_open(&st, dir, mode, &err);
			CHECK(e == LA_EDB && !st && strstr(err.msg, "this listarc reads 1 to 2"),
			      "schema %s: refused by a %s, saying which it reads (%s)", refused[i],
			      mode == STORE_READ ? "reader" : "writer", err.msg);
			store_close(st);
		}
	}
}

/* ---- public-inbox sources: removed messages, last commits ---- */

/* Adds a message <x@y> to a git source as blob file, on day 20240301;
 * returns its number (0 on failure). */
static int add_blob_msg(struct store *st, int64_t list, int64_t src, const char *id,
                        const char *file)
{
	char head[128];
	snprintf(head, sizeof head, "Message-ID: <%s>\nSubject: %s\n\n", id, id);
	struct msg_summary *sum = calloc(1, sizeof *sum);
	if (!sum)
		return 0;
	msg_summary_parse(sum, head, strlen(head));
	struct store_new_msg m = {.list_id = list,
	                          .source_id = src,
	                          .len = strlen(head),
	                          .file = file,
	                          .day = 20240301,
	                          .ts = 1709251200,
	                          .sum = sum};
	int num = 0;
	bool dup;
	struct la_err err = {0};
	if (store_add(st, &m, &num, &dup, &err) != LA_OK)
		num = 0;
	free(sum);
	return num;
}

#define BLOB(c) "0/" c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c

static void test_removal(void)
{
	char dir[sizeof top + 16];
	struct la_err err = {0};
	struct store *st = test_index("removal", dir, sizeof dir);
	if (!st)
		return;
	int64_t list;
	struct store_source src;
	CHECK(store_list_ensure(st, "g", &list, &err) == LA_OK &&
	              store_source_ensure(st, list, "/nonexistent/inbox", SOURCE_GIT, &src, &err) ==
	                      LA_OK,
	      "removal: a list and a git source");
	CHECK(store_begin(st, &err) == LA_OK, "removal: begin");
	int a = add_blob_msg(st, list, src.id, "a@x", BLOB("a"));
	int b = add_blob_msg(st, list, src.id, "b@x", BLOB("b"));
	int c = add_blob_msg(st, list, src.id, "c@x", BLOB("c"));
	CHECK(a == 1 && b == 2 && c == 3, "removal: three messages numbered 1, 2, 3 (%d %d %d)", a,
	      b, c);
	int removed = -1;
	CHECK(store_msg_remove(st, src.id, BLOB("b"), &removed, &err) == LA_OK && removed == 1,
	      "removal: the message of blob b is removed (%d)", removed);
	CHECK(store_msg_remove(st, src.id, BLOB("e"), &removed, &err) == LA_OK && removed == 0,
	      "removal: a blob never indexed removes nothing");
	CHECK(store_msg_remove(st, src.id, "0/xyz", &removed, &err) == LA_EINVAL,
	      "removal: a file that is no blob id is refused");
	int d = add_blob_msg(st, list, src.id, "d@x", BLOB("d"));
	CHECK(d == 4, "removal: the next message of the day is number 4, not 2 (%d)", d);
	CHECK(store_git_head_set(st, src.id, 0, BLOB("f") + 2) == LA_OK &&
	              store_git_head_set(st, src.id, 1, BLOB("1") + 2) == LA_OK &&
	              store_git_head_set(st, src.id, 0, "not hex") == LA_EINVAL,
	      "removal: last commits per epoch are set (and only ids)");
	CHECK(store_commit(st, NULL, &err) == LA_OK, "removal: commit (%s)", err.msg);
	store_close(st);
	st = NULL;
	CHECK(store_open(&st, dir, STORE_WRITE, &err) == LA_OK, "removal: opens again");
	if (!st)
		return;
	CHECK(store_begin(st, &err) == LA_OK, "removal: begin again");
	int e = add_blob_msg(st, list, src.id, "e@x", BLOB("e"));
	CHECK(e == 5, "removal: a new writer (empty caches) numbers on from 5 (%d)", e);
	CHECK(store_commit(st, NULL, &err) == LA_OK, "removal: commit again");
	bool gone1 = true, gone2 = false;
	struct store_msg m;
	CHECK(store_msg_gone(st, list, 20240301, 1, &gone1) == LA_OK &&
	              store_msg_gone(st, list, 20240301, 2, &gone2) == LA_OK && !gone1 && gone2,
	      "removal: number 2 is gone, number 1 is not");
	CHECK(store_msg_get(st, list, 20240301, 2, &m) == LA_ENOTFOUND,
	      "removal: number 2 is no message");
	char h0[64], h1[64], h2[64];
	CHECK(store_git_head_get(st, src.id, 0, h0, sizeof h0) == LA_OK &&
	              store_git_head_get(st, src.id, 1, h1, sizeof h1) == LA_OK &&
	              store_git_head_get(st, src.id, 2, h2, sizeof h2) == LA_ENOTFOUND &&
	              !strcmp(h0, BLOB("f") + 2) && !strcmp(h1, BLOB("1") + 2) && !h2[0],
	      "removal: each epoch's last commit comes back; an epoch never read has none");
	store_close(st);
	char got[64];
	CHECK(sql(dir,
	          "SELECT (SELECT count FROM days) || ' ' || (SELECT msgs FROM mids WHERE mid = 'b@x')",
	          got, sizeof got) == 0 &&
	              !strcmp(got, "4 0"),
	      "removal: the day counts 4 messages, <b@x> none (%s)", got);
}

/* ---- query plans: the fixed statistics (store.c, stat1_sql) ---- */

/* The plan SQLite makes for q on DIR's index (a connection of its own,
 * as a reader's), its lines joined by " | " in out; "" if q does not
 * prepare. */
static void plan_of(const char *dir, const char *q, char *out, size_t n)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/index.sqlite", dir);
	out[0] = '\0';
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK) {
		sqlite3_close(db);
		return;
	}
	/* The search index's own file, as a reader attaches it. */
	char *att = sqlite3_mprintf("ATTACH '%q/search.sqlite' AS s", dir);
	if (att)
		sqlite3_exec(db, att, NULL, NULL, NULL);
	sqlite3_free(att);
	char *eqp = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", q);
	sqlite3_stmt *s = NULL;
	size_t used = 0;
	if (eqp && sqlite3_prepare_v2(db, eqp, -1, &s, NULL) == SQLITE_OK) {
		while (sqlite3_step(s) == SQLITE_ROW && used < n) {
			const char *d = (const char *)sqlite3_column_text(s, 3);
			int w = snprintf(out + used, n - used, "%s%s", used ? " | " : "",
			                 d ? d : "");
			used += w > 0 ? (size_t)w : 0;
		}
	}
	sqlite3_finalize(s);
	sqlite3_free(eqp);
	sqlite3_close(db);
}

/* The main reads take their index, and no statement of the store walks
 * a whole list through messages_from's first column (what SQLite chose,
 * without statistics, for a thread's reviews), or scans a figures table
 * for its rows counted down to nothing (the `_zero` indexes). */
static void plans_check(const char *dir, const char *when)
{
	static const struct {
		enum st_stmt_id id;
		const char *uses;
	} want[] = {
		{S_THREAD_MSGS, "USING INDEX messages_thread (thread=?)"},
		{S_DAY_MSGS, "USING INDEX messages_daynum (list_id=? AND day=? AND num>?)"},
		{S_DAY_LINES, "USING INDEX messages_daynum (list_id=? AND day=? AND num>?)"},
		{S_DAYS_LINES, "USING INDEX messages_daynum (list_id=? AND day>? AND day<?)"},
		{S_LIST_NEWEST, "USING INDEX messages_daynum (list_id=? AND day>? AND day<?)"},
		{S_MSG_GET, "USING INDEX messages_daynum (list_id=? AND day=? AND num=?)"},
		{S_BY_MSGID, "USING INDEX messages_mid (mid=?)"},
		{S_DAY_COUNTS, "USING PRIMARY KEY (list_id=? AND day>? AND day<?)"},
		{S_DAY_HIDDEN, "USING INDEX messages_hidden (list_id=? AND day>? AND day<?)"},
		{S_LISTS, "USING INDEX messages_hidden (list_id=?)"},
	};
	char got[2048];
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		plan_of(dir, st_sql[want[i].id], got, sizeof got);
		CHECK(strstr(got, want[i].uses) != NULL, "plans, %s index: statement %d %s (%s)",
		      when, (int)want[i].id, want[i].uses, got);
	}
	/* Searches without words: each condition through its index, never
	 * a walk of every message (z: once read them all). */
	static const struct {
		const char *q;
		int step;
		const char *uses;
	} searches[] = {
		{"z:10000..", 0, "INDEX messages_len (len>?)"},
		{"z:10000..", 1, "INDEX messages_len (len>?)"},
		{"z:1000..5000", 1, "COVERING INDEX messages_len (len>? AND len<?)"},
		{"z:..2000", 0, "INDEX messages_len (len<?)"},
		{"m:a@example.org", 0, "USING COVERING INDEX mids_mid (mid=?)"},
		{"m:a@example.org", 1, "USING INDEX messages_mid (mid=?)"},
		{"a@example.org", 0, "USING INDEX messages_mid (mid=?)"},
		{"d:2010-01-01..2010-12-31", 0, "messages_when"},
		{"d:2010-01-01..2010-12-31", 1, "messages_when"},
		{"rt:2010-01-01..2010-12-31", 1, "messages_ts"},
		{"patchid:0a68bafcd58ed2083936e316f9133f432578ef64", 1,
	         "SEARCH patchids USING PRIMARY KEY (pid=?)"},
		{"memory", 0, "VIRTUAL TABLE"},
		{"memory z:10000..", 0, "VIRTUAL TABLE"},
	};
	for (size_t i = 0; i < sizeof searches / sizeof *searches; i++) {
		struct search_query *sq = NULL;
		struct la_err err = {0};
		struct buf b;
		buf_init(&b, 1 << 16);
		got[0] = '\0';
		/* (Planned with its parameters unbound, as SQLite plans them.) */
		if (search_parse(searches[i].q, strlen(searches[i].q), 0, &sq, &err) == LA_OK) {
			search_sql(sq, 0, searches[i].step, &b);
			plan_of(dir, buf_cstr(&b), got, sizeof got);
		}
		buf_free(&b);
		search_free(sq);
		CHECK(strstr(got, searches[i].uses) != NULL && !strstr(got, "SCAN m |") &&
		              strcmp(got + (strlen(got) > 6 ? strlen(got) - 6 : 0), "SCAN m"),
		      "plans, %s index: %s (statement %d) %s (%s)", when, searches[i].q,
		      searches[i].step, searches[i].uses, got);
	}
	int n = 0, bad = 0, zero = 0;
	for (int f = 0; f < 4; f++) {
		for (size_t i = 0;; i++) {
			const char *q = f == 0   ? (i < S_COUNT ? st_sql[i] : NULL)
			                : f == 1 ? series_sql_at(i)
			                : f == 2 ? stats_sql_at(i)
			                         : memo_sql_at(i);
			if (!q)
				break;
			plan_of(dir, q, got, sizeof got);
			n += got[0] != '\0';
			if (strstr(got, "messages_from (list_id=?)")) {
				bad++;
				printf("# %s: %s\n#   %s\n", when, q, got);
			}
			if (strstr(q, "WHERE n <= 0") && !strstr(got, "_zero")) {
				zero++;
				printf("# %s: %s\n#   %s\n", when, q, got);
			}
		}
	}
	CHECK(n > 50 && bad == 0,
	      "plans, %s index: of %d statements, none walks a list by messages_from", when, n);
	CHECK(zero == 0,
	      "plans, %s index: the figures' zero rows are found by their partial indexes", when);
}

static void test_plans(void)
{
	char dir[sizeof top + 16], got[2048];
	snprintf(dir, sizeof dir, "%s/p", top);
	struct la_err err = {0};
	struct store *st = NULL;
	CHECK(store_open(&st, dir, STORE_WRITE, &err) == LA_OK, "plans: a new index");
	store_close(st);
	st = NULL;
	CHECK(sql(dir, "SELECT count(*) FROM sqlite_stat1", got, sizeof got) == 0 && atoi(got) > 40,
	      "plans: a new index has the fixed statistics (%s rows)", got);
	plans_check(dir, "a new");

	/* Grown: messages added over some threads and days, by writers that
	 * closed (which once ran PRAGMA optimize, measuring them). */
	int64_t list = 0;
	CHECK(store_open(&st, dir, STORE_WRITE, &err) == LA_OK &&
	              store_list_ensure(st, "p", &list, &err) == LA_OK &&
	              store_begin(st, &err) == LA_OK,
	      "plans: a list, and a transaction");
	struct store_source src;
	int added = 0;
	if (st && store_source_ensure(st, list, "/nonexistent/p.mbox", SOURCE_MBOX, &src, &err) ==
	                  LA_OK) {
		for (int i = 0; i < 300; i++) {
			char head[256];
			snprintf(head, sizeof head,
			         "Message-ID: <p%d@x>\nIn-Reply-To: <p%d@x>\nFrom: S%d <s%d@x>\n"
			         "Subject: s\n\n",
			         i, i - i % 7, i % 13, i % 13);
			struct msg_summary *sum = calloc(1, sizeof *sum);
			if (!sum)
				break;
			msg_summary_parse(sum, head, strlen(head));
			struct store_new_msg m = {.list_id = list,
			                          .source_id = src.id,
			                          .off = (uint64_t)i * 100,
			                          .len = strlen(head),
			                          .day = 20240301 + i % 20,
			                          .ts = 1709251200 + i * 60,
			                          .sum = sum};
			int num;
			bool dup;
			added += store_add(st, &m, &num, &dup, &err) == LA_OK;
			free(sum);
		}
	}
	CHECK(added == 300 && st && store_commit(st, NULL, &err) == LA_OK,
	      "plans: 300 messages added (%d) and committed", added);
	store_close(st);
	st = NULL;
	CHECK(sql(dir, "SELECT stat FROM sqlite_stat1 WHERE idx = 'messages_thread'", got,
	          sizeof got) == 0 &&
	              !strcmp(got, "1000000 5 1"),
	      "plans: closing the writer measured nothing (%s)", got);
	plans_check(dir, "a grown");

	/* An index made by an older listarc: no statistics, or measured
	 * ones; the first writer puts the fixed ones in their place. */
	sql(dir, "DELETE FROM sqlite_stat1; DELETE FROM meta WHERE key = 'schema_sql'", NULL, 0);
	plan_of(dir, st_sql[S_LISTS], got, sizeof got);
	CHECK(strstr(got, "messages_hidden") == NULL,
	      "plans: without statistics, the list counts miss messages_hidden (%s)", got);
	CHECK(store_open(&st, dir, STORE_WRITE, &err) == LA_OK, "plans: the writer of an upgrade");
	store_close(st);
	st = NULL;
	CHECK(sql(dir, "SELECT count(*) FROM sqlite_stat1", got, sizeof got) == 0 && atoi(got) > 40,
	      "plans: an index without statistics is given them (%s rows)", got);
	sql(dir, "ANALYZE; DELETE FROM meta WHERE key = 'schema_sql'", NULL, 0);
	CHECK(sql(dir, "SELECT stat FROM sqlite_stat1 WHERE idx = 'messages_thread'", got,
	          sizeof got) == 0 &&
	              strcmp(got, "1000000 5 1") != 0,
	      "plans: ANALYZE measures the index (%s)", got);
	CHECK(store_open(&st, dir, STORE_WRITE, &err) == LA_OK, "plans: the writer of an upgrade");
	store_close(st);
	CHECK(sql(dir, "SELECT stat FROM sqlite_stat1 WHERE idx = 'messages_thread'", got,
	          sizeof got) == 0 &&
	              !strcmp(got, "1000000 5 1"),
	      "plans: measured statistics are replaced by the fixed ones (%s)", got);
	plans_check(dir, "an upgraded");
}

/* The scores of rank.c's lrank(f) and FTS5's bm25(f) for the rows of
 * MATCH q in rowid order: the number of rows compared, -1 on an error;
 * *same set if every row's two scores are equal, *ratio_same if every
 * row's lrank is the same multiple of its bm25. */
static int rank_compare(sqlite3 *db, const char *q, bool *same, bool *ratio_same)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db,
	                       "SELECT bm25(f), lrank(f) FROM f WHERE f MATCH ?1 ORDER BY rowid",
	                       -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, q, -1, SQLITE_STATIC);
	int n = 0, rc;
	double ratio0 = 0;
	*same = *ratio_same = true;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		double b = sqlite3_column_double(s, 0), l = sqlite3_column_double(s, 1);
		*same &= b == l;
		double ratio = b != 0 ? l / b : 0;
		if (n == 0)
			ratio0 = ratio;
		*ratio_same &=
			ratio0 > 0 && ratio > ratio0 * (1 - 1e-9) && ratio < ratio0 * (1 + 1e-9);
		n++;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? n : -1;
}

/* lrank against bm25 on 200 rows: "alpha" in every 10th (its count
 * estimated from its first few exactly), "early" in the first 30 (its
 * estimate off), "common" in every other, "beta" in every third, rows
 * of 1 to 9 tokens more. */
static void test_rank(void)
{
	sqlite3 *db = NULL;
	bool ok = sqlite3_open(":memory:", &db) == SQLITE_OK &&
	          sqlite3_exec(db, "CREATE VIRTUAL TABLE f USING fts5(a, b)", NULL, NULL, NULL) ==
	                  SQLITE_OK;
	st_fts_rank(db);
	sqlite3_stmt *ins = NULL;
	ok = ok && sqlite3_prepare_v2(db, "INSERT INTO f(rowid, a, b) VALUES (?1, ?2, ?3)", -1,
	                              &ins, NULL) == SQLITE_OK;
	for (int i = 1; ok && i <= 200; i++) {
		char a[200], b[100];
		snprintf(a, sizeof a, "%s %s %s %.*s", i % 10 == 0 ? "alpha alpha" : "",
		         i <= 30 ? "early" : "", i % 2 == 0 ? "common" : "", 2 * (i % 9 + 1),
		         "x x x x x x x x x x");
		snprintf(b, sizeof b, "%s common", i % 3 == 0 ? "beta" : "");
		sqlite3_bind_int(ins, 1, i);
		sqlite3_bind_text(ins, 2, a, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 3, b, -1, SQLITE_TRANSIENT);
		ok = sqlite3_step(ins) == SQLITE_DONE && sqlite3_reset(ins) == SQLITE_OK;
	}
	sqlite3_finalize(ins);
	CHECK(ok, "rank: a table of 200 rows");
	static const struct {
		const char *q;
		int rows;
	} qs[] = {
		{"alpha", 20},          {"early", 30},           {"common", 200},
		{"beta", 66},           {"alpha OR beta", 80},   {"alpha common", 20},
		{"early OR alpha", 47}, {"\"alpha alpha\"", 20}, {"common NOT beta", 134},
	};
	unsetenv("LISTARC_TEST_RANK_COUNT");
	for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
		bool same, ratio;
		int n = rank_compare(db, qs[i].q, &same, &ratio);
		CHECK(n == qs[i].rows && same,
		      "rank: %s: every phrase counted: bm25's scores (%d rows)", qs[i].q, n);
	}
	/* Counted up to 7 rows a phrase: alpha's 7th is row 70, 7 * 200 / 70
	 * = 20, its count; early's is row 7, 200 estimated: its idf falls to
	 * the least (1e-6), the same factor of every row's score. */
	setenv("LISTARC_TEST_RANK_COUNT", "7", 1);
	bool same, ratio;
	CHECK(rank_compare(db, "alpha", &same, &ratio) == 20 && same,
	      "rank: a phrase spread evenly is estimated right: bm25's scores");
	CHECK(rank_compare(db, "alpha OR beta", &same, &ratio) == 80 && same,
	      "rank: beta (66 rows, every third from 3) estimated 7 * 200 / 21 = 66: bm25's scores");
	CHECK(rank_compare(db, "early OR alpha", &same, &ratio) == 47 && !same && !ratio,
	      "rank: early estimated in every row (its 7th is row 7): not bm25's scores");
	CHECK(rank_compare(db, "early", &same, &ratio) == 30 && !same && ratio,
	      "rank: a phrase's estimate off: one phrase ranks in bm25's order all the same");
	CHECK(rank_compare(db, "common", &same, &ratio) == 200 && same,
	      "rank: in every row, counted or estimated: the least idf");
	unsetenv("LISTARC_TEST_RANK_COUNT");
	sqlite3_close(db);
}

int main(void)
{
	test_rank();
	if (!mkdtemp(top)) {
		perror("mkdtemp");
		return 1;
	}
	msg_library_init();
	test_writer();
	test_sources();
	test_list_mbox();
	test_schema();
	test_removal();
	test_plans();
	char cmd[sizeof top + 16];
	snprintf(cmd, sizeof cmd, "rm -rf %s", top);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", top);
	return check_status();
}
