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
 *    series' states, store_states_finish); many noted days by runs of
 *    nearby days, each from one read of its messages (lines_run).
 * A day without its row (an index made before this table, until the
 * next writer's commit; a day of more than DAY_LINES_MAX messages) is
 * read from messages as before (store_days_lines). */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "store/store_int.h"
#include "util/buf.h"
#include "util/civil.h"
#include "util/vec.h"

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

/* Dirty days made from one read of their messages (lines_run), when a
 * commit has at least LINES_RUN_MIN of them (a first index's end, a
 * large append): a statement a day (its setup and seek) was most of a
 * day's cost at two or three messages a day.  Below, a day at a time. */
#define LINES_RUN_MIN 8
/* A run of dirty days read in one statement: days of one list at most
 * LINES_RUN_GAP calendar days apart, so that the messages of the days
 * between (read and dropped) stay few. */
#define LINES_RUN_GAP 4

/* The statements of lines_run, prepared once a flush. */
struct run_stmts {
	sqlite3_stmt *counts, *put;
};

static int key_cmp(const void *x, const void *y)
{
	const struct day_key *p = x, *q = y;
	if (p->list_id != q->list_id)
		return p->list_id < q->list_id ? -1 : 1;
	return (p->day > q->day) - (p->day < q->day);
}

static int64_t day_number(int key)
{
	struct civil_ymd c = civil_daykey_split(key);
	return civil_to_days(c.y, (unsigned)c.m, (unsigned)c.d);
}

/* A day of a run and its days.count (-1: no days row). */
struct run_day {
	int day;
	int64_t count;
};

/* What lines_run's read of messages carries from row to row. */
struct run_state {
	struct store *st;
	struct run_stmts *q;
	int64_t list_id;
	const struct day_key *d; /* the run's dirty days, in order */
	size_t n, at;            /* d[at] the next not written */
	const struct run_day *c; /* the days rows of the run's range, in order */
	size_t nc, cat;
	struct buf *b;
	int cur;        /* the day of the rows being read (0: none yet) */
	bool cur_dirty; /* it is one of d: its lines are packed in b */
	enum la_status e;
};

/* Day `day`'s row written as lines_make writes it: data[0..n) (the
 * day's lines) with the days.count, or no row if the day has none. */
static enum la_status run_put(struct run_state *r, int day, const void *data, size_t n)
{
	while (r->cat < r->nc && r->c[r->cat].day < day)
		r->cat++;
	sqlite3_stmt *s;
	int rc;
	if (r->cat < r->nc && r->c[r->cat].day == day) {
		s = r->q->put;
		sqlite3_bind_int64(s, 1, r->list_id);
		sqlite3_bind_int(s, 2, day);
		sqlite3_bind_int64(s, 3, r->c[r->cat].count);
		sqlite3_bind_blob(s, 4, data, (int)n, SQLITE_STATIC);
		rc = st_step_done(s);
		sqlite3_clear_bindings(s);
	} else {
		if (!(s = st_prepare(r->st, S_LINES_DEL)))
			return LA_EDB;
		sqlite3_bind_int64(s, 1, r->list_id);
		sqlite3_bind_int(s, 2, day);
		rc = st_step_done(s);
	}
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

/* The dirty days before `day` that had no lines written (their rows
 * have no lines), then the day's own if it is dirty. */
static void run_close(struct run_state *r, int day)
{
	static const unsigned char empty[1] = {LINES_FORMAT};
	while (!r->e && r->at < r->n && r->d[r->at].day < day)
		r->e = run_put(r, r->d[r->at++].day, empty, sizeof empty);
}

static bool run_line(const struct store_entry *e, void *arg)
{
	struct run_state *r = arg;
	if (e->day != r->cur) {
		if (r->cur_dirty && !r->e) {
			r->e = r->b->err ? LA_ENOMEM : run_put(r, r->cur, r->b->data, r->b->len);
			r->at++;
		}
		run_close(r, e->day);
		r->cur = e->day;
		r->cur_dirty = r->at < r->n && r->d[r->at].day == e->day;
		if (r->cur_dirty) {
			buf_reset(r->b);
			store_lines_start(r->b);
		}
	}
	if (r->cur_dirty)
		line_pack(e, r->b);
	return !r->e;
}

/* The rows of the dirty days d[0..n) of one list (in day order), made
 * as lines_make makes them one by one, from one read of the days rows
 * and one of the messages of the range; a day at a time (lines_make) if
 * a day of the range has more than DAY_LINES_MAX messages (not read). */
static enum la_status lines_run(struct store *st, struct run_stmts *q, const struct day_key *d,
                                size_t n, struct buf *b)
{
	if (!q->counts && sqlite3_prepare_v3(st->db,
	                                     "SELECT day, count FROM days WHERE list_id = ?1"
	                                     " AND day BETWEEN ?2 AND ?3 ORDER BY day",
	                                     -1, 0, &q->counts, NULL) != SQLITE_OK)
		return LA_EDB;
	if (!q->put && sqlite3_prepare_v3(st->db,
	                                  "INSERT OR REPLACE INTO day_lines(key, count, data)"
	                                  " VALUES(?1 * 4294967296 + ?2, ?3, ?4)",
	                                  -1, 0, &q->put, NULL) != SQLITE_OK)
		return LA_EDB;
	struct run_day *c = NULL;
	size_t nc = 0, cap = 0;
	bool busy = false;
	sqlite3_stmt *s = q->counts;
	sqlite3_bind_int64(s, 1, d[0].list_id);
	sqlite3_bind_int(s, 2, d[0].day);
	sqlite3_bind_int(s, 3, d[n - 1].day);
	enum la_status e = LA_OK;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!vec_reserve(&c, &cap, nc + 1, sizeof *c)) {
			e = LA_ENOMEM;
			break;
		}
		c[nc].day = sqlite3_column_int(s, 0);
		c[nc].count = sqlite3_column_int64(s, 1);
		busy |= c[nc].count > DAY_LINES_MAX;
		nc++;
	}
	sqlite3_reset(s);
	if (!e && rc != SQLITE_DONE && rc != SQLITE_ROW)
		e = st_error(rc);
	if (!e && busy) {
		for (size_t i = 0; i < n && !e; i++)
			e = lines_make(st, d[i].list_id, d[i].day, b);
	} else if (!e) {
		struct run_state r = {.st = st,
		                      .q = q,
		                      .list_id = d[0].list_id,
		                      .d = d,
		                      .n = n,
		                      .c = c,
		                      .nc = nc,
		                      .b = b};
		if (!(s = st_prepare(st, S_DAYS_LINES))) {
			e = LA_EDB;
		} else {
			sqlite3_bind_int64(s, 1, d[0].list_id);
			sqlite3_bind_int(s, 2, d[0].day);
			sqlite3_bind_int(s, 3, d[n - 1].day);
			e = st_each_line(s, run_line, &r);
		}
		if (!e && !r.e && r.cur_dirty) {
			r.e = b->err ? LA_ENOMEM : run_put(&r, r.cur, b->data, b->len);
			r.at++;
		}
		if (!e && !r.e)
			run_close(&r, INT32_MAX);
		if (!e)
			e = r.e;
	}
	free(c);
	return e;
}

/* The end of the run of dirty days that starts at v[i] (lines_run's). */
static size_t run_end(const struct day_key *v, size_t i, size_t n)
{
	size_t j = i + 1;
	while (j < n && v[j].list_id == v[i].list_id &&
	       day_number(v[j].day) - day_number(v[j - 1].day) <= LINES_RUN_GAP)
		j++;
	return j;
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
		struct run_stmts q = {0};
		qsort(k.v, k.n, sizeof *k.v, key_cmp);
		for (size_t i = 0, j; i < k.n && !e; i = j) {
			j = k.n >= LINES_RUN_MIN ? run_end(k.v, i, k.n) : i + 1;
			if (j - i > 1)
				e = lines_run(st, &q, k.v + i, j - i, &b);
			else
				e = lines_make(st, k.v[i].list_id, k.v[i].day, &b);
		}
		sqlite3_finalize(q.counts);
		sqlite3_finalize(q.put);
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
