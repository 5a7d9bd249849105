/* daylines.c: a day's listing lines kept as one row (table day_lines),
 * for month pages.  A month page showed its few hundred lines by
 * reading as many rows of messages (SQLite's row loop, its VM and the
 * seek into messages a row, was half of the page); it now reads one row
 * a day, the columns a line shows (LINE_TZ_COLS but the list's name) of
 * the day's messages not hidden, packed in number order.
 *
 * What is kept is the rows' values, never HTML: the list's name, its
 * subject tag, the reader's time zone and the base URL stay the
 * renderer's, so a page's bytes are those the rows give.
 *
 * A row is true of its day or absent:
 *  - messages added: store_add's days (days_flush) are noted in
 *    day_lines_dirty, and the row carries the days.count it was made
 *    at (an older listarc's additions change the count: the row is
 *    then not used);
 *  - messages removed, hidden, shown, or changed in a column a line
 *    shows: the triggers of st_lines_sql delete the row and note the
 *    day, in the same transaction, whichever listarc writes;
 *  - store_commit (st_lines_flush) makes the noted days' rows again,
 *    before its COMMIT; a first index's, once at its end (with the
 *    series' states, store_states_finish).
 * A day without its row (an index made before this table, until the
 * next writer's commit; a day of more than DAY_LINES_MAX messages) is
 * read from messages as before (store_days_lines). */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "store/store_int.h"
#include "util/buf.h"

/* A change to a day's messages (a row removed, hidden or shown, or
 * changed in a column a line shows) deletes the day's row and notes the
 * day, for the row of OLD (and of NEW, which an update may have moved). */
const char st_lines_sql[] =
	"CREATE TABLE IF NOT EXISTS day_lines(key INTEGER PRIMARY KEY, count INTEGER NOT NULL,"
	" data BLOB NOT NULL);\n"
	"CREATE TABLE IF NOT EXISTS day_lines_dirty(list_id INTEGER NOT NULL,"
	" day INTEGER NOT NULL, PRIMARY KEY(list_id, day)) WITHOUT ROWID;\n"
	"CREATE TRIGGER IF NOT EXISTS day_lines_del AFTER DELETE ON messages BEGIN"
	" DELETE FROM day_lines WHERE key = OLD.list_id * 4294967296 + OLD.day;"
	" INSERT OR IGNORE INTO day_lines_dirty(list_id, day) VALUES(OLD.list_id, OLD.day);"
	" END;\n"
	"CREATE TRIGGER IF NOT EXISTS day_lines_upd AFTER UPDATE OF list_id, day, num, ts, date,"
	" subject, from_name, from_addr, tz ON messages BEGIN"
	" DELETE FROM day_lines WHERE key = OLD.list_id * 4294967296 + OLD.day;"
	" INSERT OR IGNORE INTO day_lines_dirty(list_id, day) VALUES(OLD.list_id, OLD.day);"
	" DELETE FROM day_lines WHERE key = NEW.list_id * 4294967296 + NEW.day;"
	" INSERT OR IGNORE INTO day_lines_dirty(list_id, day) VALUES(NEW.list_id, NEW.day);"
	" END;\n"
	"CREATE TRIGGER IF NOT EXISTS day_lines_hide AFTER UPDATE OF flags ON messages"
	" WHEN (OLD.flags & " HIDDEN_BIT_SQL ") <> (NEW.flags & " HIDDEN_BIT_SQL ") BEGIN"
	" DELETE FROM day_lines WHERE key = NEW.list_id * 4294967296 + NEW.day;"
	" INSERT OR IGNORE INTO day_lines_dirty(list_id, day) VALUES(NEW.list_id, NEW.day);"
	" END;\n"
	/* The days of an index made before the table, made by its next
         * writer (store.c runs this with the schema, then st_lines_flush). */
	"INSERT OR IGNORE INTO day_lines_dirty(list_id, day) SELECT list_id, day FROM days d"
	" WHERE NOT EXISTS (SELECT 1 FROM day_lines b"
	" WHERE b.key = d.list_id * 4294967296 + d.day);\n";
const size_t st_lines_sql_len = sizeof st_lines_sql - 1;

/* The blob: a format byte (1), then per message: num (4 bytes), ts (8),
 * a byte of flags (1: a date follows, 8 bytes; 2: an offset follows, 4
 * bytes), then subject, from_name and from_addr, each ended by a NUL.
 * Integers little-endian. */
#define LINES_FORMAT 1
#define LF_DATE 1u
#define LF_TZ 2u

static void put_le(struct buf *b, uint64_t v, int n)
{
	unsigned char x[8];
	for (int i = 0; i < n; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	buf_add(b, x, (size_t)n);
}

static inline uint64_t get_le(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static bool line_pack(const struct store_entry *e, void *arg)
{
	struct buf *b = arg;
	put_le(b, (uint32_t)e->num, 4);
	put_le(b, (uint64_t)e->ts, 8);
	unsigned char f = (unsigned char)((e->has_date ? LF_DATE : 0) | (e->has_tz ? LF_TZ : 0));
	buf_add(b, &f, 1);
	if (e->has_date)
		put_le(b, (uint64_t)e->date, 8);
	if (e->has_tz)
		put_le(b, (uint32_t)e->tz, 4);
	buf_add(b, e->subject, strlen(e->subject) + 1);
	buf_add(b, e->from_name, strlen(e->from_name) + 1);
	buf_add(b, e->from_addr, strlen(e->from_addr) + 1);
	return !b->err;
}

bool store_lines_pack(const struct store_entry *e, struct buf *b)
{
	return line_pack(e, b);
}

void store_lines_start(struct buf *b)
{
	unsigned char v = LINES_FORMAT;
	buf_add(b, &v, 1);
}

/* The string at *p (before end) and *p moved past its NUL; NULL if it
 * has none. */
static const char *take_str(const unsigned char **p, const unsigned char *end)
{
	const unsigned char *z = memchr(*p, 0, (size_t)(end - *p));
	if (!z)
		return NULL;
	const char *s = (const char *)*p;
	*p = z + 1;
	return s;
}

enum store_lines_result store_lines_unpack(const void *data, size_t n, const char *list, int day,
                                           store_entry_fn fn, void *arg)
{
	const unsigned char *p = data, *end = p + n;
	if (!p || n < 1 || p[0] != LINES_FORMAT)
		return STORE_LINES_BAD;
	p++;
	struct store_entry e = {.list = list, .day = day, .msgid = ""};
	while (p < end) {
		if (end - p < 13)
			return STORE_LINES_CORRUPT;
		e.num = (int)(int32_t)(uint32_t)get_le(p, 4);
		e.ts = (int64_t)get_le(p + 4, 8);
		unsigned f = p[12];
		p += 13;
		if (f & ~(LF_DATE | LF_TZ))
			return STORE_LINES_CORRUPT;
		e.has_date = f & LF_DATE;
		e.has_tz = f & LF_TZ;
		e.date = e.tz = 0;
		if (e.has_date) {
			if (end - p < 8)
				return STORE_LINES_CORRUPT;
			e.date = (int64_t)get_le(p, 8);
			p += 8;
		}
		if (e.has_tz) {
			if (end - p < 4)
				return STORE_LINES_CORRUPT;
			e.tz = (int)(int32_t)(uint32_t)get_le(p, 4);
			p += 4;
		}
		e.subject = take_str(&p, end);
		e.from_name = e.subject ? take_str(&p, end) : NULL;
		e.from_addr = e.from_name ? take_str(&p, end) : NULL;
		if (!e.from_addr)
			return STORE_LINES_CORRUPT;
		if (!fn(&e, arg))
			return STORE_LINES_STOP;
	}
	return STORE_LINES_OK;
}

/* ---- the writer ---- */

/* Whether the index has the table (a reader of an index made before it
 * reads messages as before); asked once a connection. */
static bool lines_here(struct store *st)
{
	if (st->has_lines)
		return true;
	if (st->lines_asked)
		return false;
	st->lines_asked = true;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(
		    st->db,
		    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'day_lines'", -1,
		    &s, NULL) == SQLITE_OK)
		st->has_lines = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return st->has_lines;
}

enum la_status st_lines_note(struct store *st, int64_t list_id, int day)
{
	if (!lines_here(st))
		return LA_OK;
	sqlite3_stmt *s = st_prepare(st, S_LINES_NOTE);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, list_id);
	sqlite3_bind_int(s, 2, day);
	int rc = st_step_done(s);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

struct day_key {
	int64_t list_id;
	int day;
};

static int row_key(sqlite3_stmt *s, void *arg)
{
	struct {
		struct day_key *v;
		size_t n, cap;
	} *k = arg;
	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 64;
		struct day_key *v = realloc(k->v, cap * sizeof *v);
		if (!v)
			return SQLITE_NOMEM;
		k->v = v;
		k->cap = cap;
	}
	k->v[k->n].list_id = sqlite3_column_int64(s, 0);
	k->v[k->n].day = sqlite3_column_int(s, 1);
	k->n++;
	return SQLITE_ROW;
}

/* Day `day` of list_id's row made again from messages (none if the day
 * has no days row or more than DAY_LINES_MAX messages). */
static enum la_status lines_make(struct store *st, int64_t list_id, int day, struct buf *b)
{
	sqlite3_stmt *s = st_prepare(st, S_LINES_DEL);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, list_id);
	sqlite3_bind_int(s, 2, day);
	int rc = st_step_done(s);
	if (rc != SQLITE_DONE)
		return st_error(rc);
	/* (A busier day is not read: a live list's busy day would be read
	 * whole at every commit, for nothing.) */
	if (!(s = st_prepare(st, S_LINES_COUNT)))
		return LA_EDB;
	sqlite3_bind_int64(s, 1, list_id);
	sqlite3_bind_int(s, 2, day);
	rc = sqlite3_step(s);
	int count = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return st_error(rc);
	if (rc == SQLITE_DONE || count > DAY_LINES_MAX)
		return LA_OK;
	buf_reset(b);
	store_lines_start(b);
	if (!(s = st_prepare(st, S_DAYS_LINES)))
		return LA_EDB;
	sqlite3_bind_int64(s, 1, list_id);
	sqlite3_bind_int(s, 2, day);
	sqlite3_bind_int(s, 3, day);
	enum la_status e = st_each_line(s, line_pack, b);
	if (e)
		return e;
	if (b->err)
		return LA_ENOMEM;
	if (!(s = st_prepare(st, S_LINES_SET)))
		return LA_EDB;
	sqlite3_bind_int64(s, 1, list_id);
	sqlite3_bind_int(s, 2, day);
	sqlite3_bind_blob(s, 3, b->data, (int)b->len, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, DAY_LINES_MAX);
	rc = st_step_done(s);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

enum la_status st_lines_flush(struct store *st)
{
	/* A first index makes them once, at its end (store_states_finish's
	 * commit): the days noted are committed with the messages, so a run
	 * killed before leaves them to the next writer's commit. */
	if (!lines_here(st) || st->states_deferred)
		return LA_OK;
	sqlite3_stmt *s = st_prepare(st, S_LINES_DIRTY);
	if (!s)
		return LA_EDB;
	struct {
		struct day_key *v;
		size_t n, cap;
	} k = {0};
	enum la_status e = st_each_row(s, row_key, &k);
	if (!e && k.n) {
		struct buf b;
		buf_init(&b, (size_t)1 << 26);
		for (size_t i = 0; i < k.n && !e; i++)
			e = lines_make(st, k.v[i].list_id, k.v[i].day, &b);
		buf_free(&b);
		if (!e) {
			int rc = st_exec(st, "DELETE FROM day_lines_dirty");
			if (rc != SQLITE_OK)
				e = st_error(rc);
		}
	}
	free(k.v);
	return e;
}

/* ---- the reader ---- */

/* fn, with whether it asked to stop. */
struct lines_call {
	store_entry_fn fn;
	void *arg;
	bool stopped;
};

static bool lines_relay(const struct store_entry *e, void *arg)
{
	struct lines_call *c = arg;
	if (!c->fn(e, c->arg)) {
		c->stopped = true;
		return false;
	}
	return true;
}

enum la_status st_days_lines(struct store *st, int64_t list_id, int from, int to, store_entry_fn fn,
                             void *arg)
{
	sqlite3_stmt *s = lines_here(st) ? st_prepare(st, S_LINES_GET) : NULL;
	if (!s) {
		if (!(s = st_prepare(st, S_DAYS_LINES)))
			return LA_EDB;
		sqlite3_bind_int64(s, 1, list_id);
		sqlite3_bind_int(s, 2, from);
		sqlite3_bind_int(s, 3, to);
		return st_each_line(s, fn, arg);
	}
	sqlite3_bind_int64(s, 1, list_id);
	sqlite3_bind_int(s, 2, from);
	sqlite3_bind_int(s, 3, to);
	struct lines_call c = {fn, arg, false};
	enum la_status e = LA_OK;
	int rc = SQLITE_DONE;
	while (!e && !c.stopped && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		int day = sqlite3_column_int(s, 0);
		const char *list = (const char *)sqlite3_column_text(s, 1);
		const void *data = sqlite3_column_blob(s, 2);
		size_t n = (size_t)sqlite3_column_bytes(s, 2);
		if (!list) {
			e = LA_ENOMEM;
			break;
		}
		enum store_lines_result r =
			data ? store_lines_unpack(data, n, list, day, lines_relay, &c)
			     : STORE_LINES_BAD;
		if (r == STORE_LINES_CORRUPT) {
			e = LA_EDB;
			break;
		}
		if (r != STORE_LINES_BAD)
			continue;
		/* No row for the day (or one this listarc cannot read): its
		 * messages' rows. */
		sqlite3_stmt *d = st_prepare(st, S_DAYS_LINES);
		if (!d) {
			e = LA_EDB;
			break;
		}
		sqlite3_bind_int64(d, 1, list_id);
		sqlite3_bind_int(d, 2, day);
		sqlite3_bind_int(d, 3, day);
		e = st_each_line(d, lines_relay, &c);
	}
	if (!e && !c.stopped && rc != SQLITE_DONE)
		e = st_error(rc);
	sqlite3_reset(s);
	return e;
}
