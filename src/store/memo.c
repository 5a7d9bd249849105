/* memo.c: what message pages read again and again, kept for one data
 * version.  Every page of a series with many versions shows the same
 * versions: the walk over them (store_series_versions: a statement or
 * more per version found) and each version's first message were half of
 * such a page's time, and the same for each of its messages.  Every page
 * of a thread draws the same outline of it: its rows (store_thread_ids,
 * store_thread_msgs_lean) were a fifth of the page.  Kept only in a read
 * transaction (read_gen, the data_version that store_read_begin read:
 * another connection's commit changes it) of a connection that never
 * writes, and dropped as soon as the version differs, so a page shows
 * exactly what the statements would give (t6015, t6023). */
#include <glib.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/buf.h"
#include "util/vec.h"

/* Bounds, in bytes of each table (entries at their size, plus what the
 * hash table and the key take): when one is full it is emptied (a crawl
 * moves on from one series to the next).  A crawl of the 100k corpus's
 * message pages in random order meets the same versions again and again
 * (generated series reach the 32 versions a walk keeps): the rows and
 * first messages are kept compact (a row's strings at their length, not
 * struct store_series' 1.5 KB), so that thousands of them fit. */
#define MEMO_WALKS_BYTES ((size_t)1 << 19)
#define MEMO_ROWS_BYTES ((size_t)1 << 20)
#define MEMO_HEADS_BYTES ((size_t)1 << 20)
#define MEMO_THREAD_IDS_BYTES ((size_t)1 << 19)
#define MEMO_THREAD_MSGS_BYTES ((size_t)1 << 20) /* 4 MB in all, a reader's connection */
#define MEMO_ENTRY_COST 64                       /* the key's allocation and the table's slot */
#define MEMO_WALK_LEN 32                         /* walks asked with a larger max are not kept */

/* A table of values by series id, with the bytes it holds. */
struct memo_table {
	GHashTable *t;
	size_t bytes, max;
};

struct memo_walk {
	int max, n;
	int64_t ids[MEMO_WALK_LEN];
	unsigned how[MEMO_WALK_LEN];
};

/* A series' first message shown, or none (found == false). */
struct memo_head {
	bool found;
	unsigned part;
	size_t size;          /* of the allocation */
	struct store_entry e; /* its strings point into text */
	char text[];
};

/* A series' first message without a sort (Q_MSGS's ORDER BY part, ts, id
 * made a temporary b-tree for every version of every page): its messages
 * shown, each row as store_series_msgs gives it, the first of them by
 * (part, ts, id) chosen here.  The rows come by part (series_msgs_series),
 * so the first is nearly always the one kept, and only its strings are
 * copied. */
static const char *const memo_sql[] = {
	"SELECT " ENTRY_COLS ", sm.part FROM series_msgs sm JOIN messages m ON m.id = sm.id"
	" JOIN mids ON mids.id = m.mid JOIN lists l ON l.id = m.list_id"
	" WHERE sm.series = ?1 AND " NOT_HIDDEN("m."),
	/* A version read in one pass (version_read): its row (as Q_GET
         * without the first date), then one row a message of it, with what
         * Q_GET's earliest date (of the messages shown) and M_HEAD_ALL's
         * first message need: the message's columns NULL where it is hidden
         * (or the series has none), its entry's where M_HEAD_ALL's joins
         * would leave it out.  Q_GET and M_HEAD_ALL each walked the series'
         * messages: two statements a version, most of a random crawl. */
	"SELECT s.list_id, coalesce(s.cover, 0), s.version, s.total, s.flags, s.first_ts, s.author,"
	" s.name, coalesce(s.change_id, ''), sm.part, m.id, m.ts, m.date, l.name, m.day, m.num,"
	" m.subject, m.from_name, m.from_addr, mids.mid, m.thread, m.mid, m.parent"
	" FROM series s LEFT JOIN series_msgs sm ON sm.series = s.id"
	" LEFT JOIN messages m ON m.id = sm.id AND " NOT_HIDDEN(
		"m.") " LEFT JOIN mids ON mids.id = m.mid LEFT JOIN lists l ON l.id = m.list_id WHERE s.id = ?1",
};
enum { M_HEAD_ALL, M_VERSION, M_COUNT };

struct store_memo {
	sqlite3_stmt *stmt[M_COUNT];
	uint64_t gen;
	struct memo_table walks; /* start series id -> struct memo_walk */
	struct memo_table rows;  /* series id -> struct memo_row */
	struct memo_table heads; /* series id -> struct memo_head */
	struct memo_table tids;  /* thread -> struct memo_tids */
	struct memo_table tmsgs; /* thread -> struct memo_tmsgs */
};

/* A struct store_series with its strings at their length. */
struct memo_row {
	int64_t id, list_id, cover, first_ts;
	unsigned version, total, flags;
	unsigned short author, name, change_id; /* lengths, each string after the last */
	char text[];
};

void store_memo_free(struct store_memo *m)
{
	if (!m)
		return;
	for (int i = 0; i < M_COUNT; i++)
		sqlite3_finalize(m->stmt[i]);
	g_hash_table_destroy(m->walks.t);
	g_hash_table_destroy(m->rows.t);
	g_hash_table_destroy(m->heads.t);
	g_hash_table_destroy(m->tids.t);
	g_hash_table_destroy(m->tmsgs.t);
	free(m);
}

/* The memo of st, made the first time. */
static struct store_memo *memo_of(struct store *st)
{
	struct store_memo *m = st->memo;
	if (m)
		return m;
	if (!(m = calloc(1, sizeof *m)))
		return NULL;
	struct memo_table *t[5] = {&m->walks, &m->rows, &m->heads, &m->tids, &m->tmsgs};
	const size_t max[5] = {MEMO_WALKS_BYTES, MEMO_ROWS_BYTES, MEMO_HEADS_BYTES,
	                       MEMO_THREAD_IDS_BYTES, MEMO_THREAD_MSGS_BYTES};
	for (int i = 0; i < 5; i++) {
		t[i]->t = g_hash_table_new_full(g_int64_hash, g_int64_equal, free, free);
		t[i]->max = max[i];
	}
	m->gen = st->read_gen;
	return st->memo = m;
}

static sqlite3_stmt *memo_stmt(struct store *st, int id)
{
	struct store_memo *m = memo_of(st);
	if (!m)
		return NULL;
	sqlite3_stmt *s = m->stmt[id];
	if (!s) {
		if (sqlite3_prepare_v3(st->db, memo_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
		                       &m->stmt[id], NULL) != SQLITE_OK)
			return NULL;
		return m->stmt[id];
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

const char *memo_sql_at(size_t i)
{
	return i < M_COUNT ? memo_sql[i] : NULL;
}

static void memo_empty(struct memo_table *t)
{
	g_hash_table_remove_all(t->t);
	t->bytes = 0;
}

/* The memo of the read transaction open, emptied if it was of another
 * data version; NULL when nothing may be kept (no read transaction, a
 * writer's connection, no memory). */
static struct store_memo *memo_now(struct store *st)
{
	if (st->writer || !st->in_read || st->read_gen == 0)
		return NULL;
	struct store_memo *m = memo_of(st);
	if (!m)
		return NULL;
	if (m->gen != st->read_gen) {
		memo_empty(&m->walks);
		memo_empty(&m->rows);
		memo_empty(&m->heads);
		memo_empty(&m->tids);
		memo_empty(&m->tmsgs);
		m->gen = st->read_gen;
	}
	return m;
}

/* Puts value, of size bytes, under id in t, which is emptied first when
 * it would pass its bound; true if t has taken it (it frees it), false if
 * it is the caller's still (no memory, or more than a quarter of t's
 * bound: one huge thread would empty the table at every page). */
static bool memo_put(struct memo_table *t, int64_t id, void *value, size_t size)
{
	size += MEMO_ENTRY_COST;
	if (size > t->max / 4)
		return false;
	int64_t *key = malloc(sizeof *key);
	if (!key)
		return false;
	if (t->bytes + size > t->max)
		memo_empty(t);
	*key = id;
	/* (An id put again replaces its value: counted twice until the
	 * table is emptied, which only empties it sooner.) */
	g_hash_table_replace(t->t, key, value);
	t->bytes += size;
	return true;
}

/* memo_put, value freed if it is not kept. */
static void memo_keep(struct memo_table *t, int64_t id, void *value, size_t size)
{
	if (!memo_put(t, id, value, size))
		free(value);
}

/* rows[i] kept compact under its id. */
static void row_put(struct memo_table *t, const struct store_series *s)
{
	size_t a = strnlen(s->author, ADDR_MAX), n = strnlen(s->name, SUBJECT_MAX),
	       c = strnlen(s->change_id, CHANGE_ID_MAX);
	size_t size = sizeof(struct memo_row) + a + n + c;
	struct memo_row *r = malloc(size);
	if (!r)
		return;
	r->id = s->id;
	r->list_id = s->list_id;
	r->cover = s->cover;
	r->first_ts = s->first_ts;
	r->version = s->version;
	r->total = s->total;
	r->flags = s->flags;
	r->author = (unsigned short)a;
	r->name = (unsigned short)n;
	r->change_id = (unsigned short)c;
	memcpy(r->text, s->author, a);
	memcpy(r->text + a, s->name, n);
	memcpy(r->text + a + n, s->change_id, c);
	memo_keep(t, s->id, r, size);
}

/* A kept row as store_series_get gives it (the struct's unused bytes are
 * zero, as read_series leaves them). */
static void row_get(const struct memo_row *r, struct store_series *s)
{
	memset(s, 0, sizeof *s);
	s->id = r->id;
	s->list_id = r->list_id;
	s->cover = r->cover;
	s->first_ts = r->first_ts;
	s->version = r->version;
	s->total = r->total;
	s->flags = r->flags;
	memcpy(s->author, r->text, r->author);
	memcpy(s->name, r->text + r->author, r->name);
	memcpy(s->change_id, r->text + r->author + r->name, r->change_id);
}

static enum la_status version_read(struct store *st, struct store_memo *m, int64_t id,
                                   struct store_series *row);

enum la_status store_series_versions_memo(struct store *st, const struct store_series *s,
                                          int64_t *ids, unsigned *how, struct store_series *rows,
                                          int max, int *n)
{
	struct store_memo *m = memo_now(st);
	if (!m || max < 1 || max > MEMO_WALK_LEN || !rows)
		return store_series_versions(st, s, ids, how, rows, max, n);
	const struct memo_walk *w = g_hash_table_lookup(m->walks.t, &s->id);
	if (w && w->max == max) {
		memcpy(ids, w->ids, (size_t)w->n * sizeof *ids);
		memcpy(how, w->how, (size_t)w->n * sizeof *how);
		*n = w->n;
	} else {
		enum la_status e = store_series_versions(st, s, ids, how, NULL, max, n);
		if (e)
			return e;
		struct memo_walk *nw = malloc(sizeof *nw);
		if (nw) {
			nw->max = max;
			nw->n = *n;
			memcpy(nw->ids, ids, (size_t)*n * sizeof *ids);
			memcpy(nw->how, how, (size_t)*n * sizeof *how);
			memo_keep(&m->walks, s->id, nw, sizeof *nw);
		}
	}
	/* Each version's row, kept by series: the walks from the versions of
	 * one series find the same ones. */
	for (int i = 0; i < *n; i++) {
		const struct memo_row *r = g_hash_table_lookup(m->rows.t, &ids[i]);
		if (r) {
			row_get(r, &rows[i]);
			continue;
		}
		enum la_status e = version_read(st, m, ids[i], &rows[i]);
		if (e)
			return e;
		row_put(&m->rows, &rows[i]);
	}
	return LA_OK;
}

/* The first row store_series_msgs gives, copied. */
struct first {
	struct memo_head *h;
	bool oom;
};

static size_t slen(const char *s)
{
	return s ? strlen(s) + 1 : 1;
}

static char *scopy(char **p, const char *s)
{
	char *at = *p;
	size_t n = slen(s);
	memcpy(at, s ? s : "", n);
	*p += n;
	return at;
}

static bool take_first(struct first *f, const struct store_entry *e, unsigned part)
{
	size_t n = slen(e->list) + slen(e->subject) + slen(e->from_name) + slen(e->from_addr) +
	           slen(e->msgid);
	struct memo_head *h = malloc(sizeof *h + n);
	if (!h) {
		f->oom = true;
		return false;
	}
	h->found = true;
	h->part = part;
	h->size = sizeof *h + n;
	h->e = *e;
	char *p = h->text;
	h->e.list = scopy(&p, e->list);
	h->e.subject = scopy(&p, e->subject);
	h->e.from_name = scopy(&p, e->from_name);
	h->e.from_addr = scopy(&p, e->from_addr);
	h->e.msgid = scopy(&p, e->msgid);
	f->h = h;
	return false;
}

struct msgs_head {
	sqlite3_stmt *s;
	struct first *f;
	int64_t best, best_ts;
	unsigned best_part;
};

/* A row of the series: kept if it comes before the one kept. */
static bool head_row(const struct store_entry *e, void *arg)
{
	struct msgs_head *h = arg;
	unsigned part = (unsigned)sqlite3_column_int(h->s, 13);
	if (h->f->h && (part > h->best_part || (part == h->best_part && e->ts > h->best_ts) ||
	                (part == h->best_part && e->ts == h->best_ts && e->id >= h->best)))
		return true;
	struct memo_head *was = h->f->h;
	take_first(h->f, e, part);
	if (h->f->oom)
		return false;
	free(was);
	h->best = e->id;
	h->best_ts = e->ts;
	h->best_part = part;
	return true;
}

/* The first of series id's messages shown, as store_series_msgs orders
 * them (part, then delivery time, then id), to take_first. */
static enum la_status series_head_read(struct store *st, int64_t id, struct first *f)
{
	sqlite3_stmt *s = memo_stmt(st, M_HEAD_ALL);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, id);
	struct msgs_head h = {s, f, 0, 0, 0};
	return st_each_entry(s, head_row, &h);
}

enum la_status store_series_head(struct store *st, int64_t id,
                                 bool (*fn)(const struct store_entry *e, unsigned part, void *arg),
                                 void *arg)
{
	struct store_memo *m = memo_now(st);
	const struct memo_head *h = m ? g_hash_table_lookup(m->heads.t, &id) : NULL;
	if (h) {
		if (h->found)
			fn(&h->e, h->part, arg);
		return LA_OK;
	}
	struct first f = {NULL, false};
	enum la_status e = series_head_read(st, id, &f);
	if (!e && f.oom)
		e = LA_ENOMEM;
	if (e) {
		free(f.h);
		return e;
	}
	if (!f.h) {
		if (!(f.h = calloc(1, sizeof *f.h)))
			return LA_ENOMEM;
		f.h->size = sizeof *f.h;
	}
	if (f.h->found)
		fn(&f.h->e, f.h->part, arg);
	if (m)
		memo_keep(&m->heads, id, f.h, f.h->size);
	else
		free(f.h);
	return LA_OK;
}

/* What version_read reads of a series' rows. */
struct vread {
	struct store_series *row;
	int64_t id;
	bool have_row, have_min;
	int64_t min_when; /* the earliest coalesce(date, ts) of its messages shown */
	struct first f;   /* its first message shown, as series_head_read's */
	int64_t best, best_ts;
	unsigned best_part;
};

/* The series' row, as read_series (series.c) reads Q_GET's. */
static void vread_series(sqlite3_stmt *s, int64_t id, struct store_series *out)
{
	memset(out, 0, sizeof *out);
	out->id = id;
	st_series_columns(s, 0, out);
}

static int vread_row(sqlite3_stmt *s, void *arg)
{
	struct vread *v = arg;
	if (!v->have_row) {
		vread_series(s, v->id, v->row);
		v->have_row = true;
	}
	if (sqlite3_column_type(s, 10) == SQLITE_NULL)
		return SQLITE_ROW; /* hidden, or none */
	struct store_entry e;
	e.ts = sqlite3_column_int64(s, 11);
	e.has_date = sqlite3_column_type(s, 12) != SQLITE_NULL;
	e.date = sqlite3_column_int64(s, 12);
	int64_t when = e.has_date ? e.date : e.ts;
	if (!v->have_min || when < v->min_when)
		v->min_when = when;
	v->have_min = true;
	/* (M_HEAD_ALL's joins: a message without its Message-ID's or list's
	 * row is no first message.) */
	if (sqlite3_column_type(s, 13) == SQLITE_NULL || sqlite3_column_type(s, 19) == SQLITE_NULL)
		return SQLITE_ROW;
	unsigned part = (unsigned)sqlite3_column_int(s, 9);
	e.id = sqlite3_column_int64(s, 10);
	if (v->f.h && (part > v->best_part || (part == v->best_part && e.ts > v->best_ts) ||
	               (part == v->best_part && e.ts == v->best_ts && e.id >= v->best)))
		return SQLITE_ROW;
	e.list = (const char *)sqlite3_column_text(s, 13);
	e.day = sqlite3_column_int(s, 14);
	e.num = sqlite3_column_int(s, 15);
	e.subject = (const char *)sqlite3_column_text(s, 16);
	e.from_name = (const char *)sqlite3_column_text(s, 17);
	e.from_addr = (const char *)sqlite3_column_text(s, 18);
	e.msgid = (const char *)sqlite3_column_text(s, 19);
	e.thread = sqlite3_column_int64(s, 20);
	e.mid = sqlite3_column_int64(s, 21);
	e.parent = sqlite3_column_int64(s, 22);
	e.has_tz = false;
	e.tz = 0;
	if (!e.list || !e.subject || !e.from_name || !e.from_addr || !e.msgid)
		return SQLITE_NOMEM;
	struct memo_head *was = v->f.h;
	take_first(&v->f, &e, part);
	if (v->f.oom)
		return SQLITE_NOMEM;
	free(was);
	v->best = e.id;
	v->best_ts = e.ts;
	v->best_part = part;
	return SQLITE_ROW;
}

/* Series id's row (as store_series_get) into *row, and its first message
 * shown (as store_series_head) kept in m, in one statement: LA_ENOTFOUND
 * if there is no such series. */
static enum la_status version_read(struct store *st, struct store_memo *m, int64_t id,
                                   struct store_series *row)
{
	sqlite3_stmt *s = memo_stmt(st, M_VERSION);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, id);
	struct vread v = {.row = row, .id = id};
	enum la_status e = st_each_row(s, vread_row, &v);
	sqlite3_reset(s);
	if (!e && !v.have_row)
		e = LA_ENOTFOUND;
	if (e) {
		free(v.f.h);
		return e;
	}
	if (v.have_min)
		row->first_ts = v.min_when;
	if (g_hash_table_lookup(m->heads.t, &id)) {
		free(v.f.h);
		return LA_OK;
	}
	if (!v.f.h && !(v.f.h = calloc(1, sizeof *v.f.h)))
		return LA_OK; /* (read again when asked) */
	if (!v.f.h->found)
		v.f.h->size = sizeof *v.f.h;
	memo_keep(&m->heads, id, v.f.h, v.f.h->size);
	return LA_OK;
}

/* ---- a thread's rows: the outline under every message of the thread ---- */

/* store_thread_ids' rows of a thread for one max, in one allocation. */
struct memo_tid {
	int64_t id, parent;
	size_t at; /* the Message-ID's offset in text */
};
struct memo_tids {
	int max;
	size_t n;
	struct memo_tid *v;
	char *text;
};

/* store_thread_msgs_lean's rows of a thread for one list and max, their
 * strings in the same allocation. */
struct memo_tmsgs {
	int64_t list_id;
	int max;
	size_t n;
	struct store_entry *v;
};

/* Rows read before they are kept: fixed fields and the strings' offsets
 * (STR_PER_ROW a row) in text. */
#define STR_PER_ROW 5
struct collect {
	struct memo_tid *ids;
	struct store_entry *msgs;
	size_t *at;
	size_t n, cap, capat;
	struct buf text;
	bool oom;
};

static void collect_free(struct collect *c)
{
	free(c->ids);
	free(c->msgs);
	free(c->at);
	buf_free(&c->text);
}

static bool collect_id(int64_t id, int64_t parent, const char *mid, void *arg)
{
	struct collect *c = arg;
	if (!vec_reserve(&c->ids, &c->cap, c->n + 1, sizeof *c->ids)) {
		c->oom = true;
		return false;
	}
	c->ids[c->n++] = (struct memo_tid){id, parent, c->text.len};
	buf_add(&c->text, mid, strlen(mid) + 1);
	c->oom = c->text.err != LA_OK;
	return !c->oom;
}

static bool collect_msg(const struct store_entry *e, void *arg)
{
	struct collect *c = arg;
	if (!vec_reserve(&c->msgs, &c->cap, c->n + 1, sizeof *c->msgs) ||
	    !vec_reserve(&c->at, &c->capat, (c->n + 1) * STR_PER_ROW, sizeof *c->at)) {
		c->oom = true;
		return false;
	}
	const char *const str[STR_PER_ROW] = {e->list, e->subject, e->from_name, e->from_addr,
	                                      e->msgid};
	size_t *at = &c->at[c->n * STR_PER_ROW];
	for (int i = 0; i < STR_PER_ROW; i++) {
		at[i] = c->text.len;
		buf_add(&c->text, str[i], strlen(str[i]) + 1);
	}
	c->msgs[c->n++] = *e;
	c->oom = c->text.err != LA_OK;
	return !c->oom;
}

enum la_status store_thread_ids_memo(struct store *st, int64_t thread, int max,
                                     bool (*fn)(int64_t id, int64_t parent, const char *mid,
                                                void *arg),
                                     void *arg)
{
	struct store_memo *m = memo_now(st);
	if (!m)
		return store_thread_ids(st, thread, max, fn, arg);
	const struct memo_tids *h = g_hash_table_lookup(m->tids.t, &thread);
	struct memo_tids *own = NULL; /* read, not kept: freed after */
	if (!h || h->max != max) {
		struct collect c = {0};
		buf_init(&c.text, (size_t)1 << 30);
		enum la_status e = store_thread_ids(st, thread, max, collect_id, &c);
		size_t size = sizeof(struct memo_tids) + c.n * sizeof(struct memo_tid) + c.text.len;
		struct memo_tids *t = e || c.oom ? NULL : malloc(size);
		if (!t) {
			collect_free(&c);
			/* (Read again, not kept: an error is the statement's.) */
			return e ? e : store_thread_ids(st, thread, max, fn, arg);
		}
		t->max = max;
		t->n = c.n;
		t->v = (struct memo_tid *)(t + 1);
		t->text = (char *)(t->v + c.n);
		if (c.n)
			memcpy(t->v, c.ids, c.n * sizeof *t->v);
		if (c.text.len)
			memcpy(t->text, c.text.data, c.text.len);
		collect_free(&c);
		if (!memo_put(&m->tids, thread, t, size))
			own = t;
		h = t;
	}
	for (size_t i = 0; i < h->n; i++)
		if (!fn(h->v[i].id, h->v[i].parent, h->text + h->v[i].at, arg))
			break;
	free(own);
	return LA_OK;
}

enum la_status store_thread_msgs_lean_memo(struct store *st, int64_t thread, int64_t list_id,
                                           int max, store_entry_fn fn, void *arg)
{
	struct store_memo *m = memo_now(st);
	if (!m)
		return store_thread_msgs_lean(st, thread, list_id, max, fn, arg);
	const struct memo_tmsgs *h = g_hash_table_lookup(m->tmsgs.t, &thread);
	struct memo_tmsgs *own = NULL; /* read, not kept: freed after */
	if (!h || h->max != max || h->list_id != list_id) {
		struct collect c = {0};
		buf_init(&c.text, (size_t)1 << 30);
		enum la_status e =
			store_thread_msgs_lean(st, thread, list_id, max, collect_msg, &c);
		size_t size =
			sizeof(struct memo_tmsgs) + c.n * sizeof(struct store_entry) + c.text.len;
		struct memo_tmsgs *t = e || c.oom ? NULL : malloc(size);
		if (!t) {
			collect_free(&c);
			return e ? e : store_thread_msgs_lean(st, thread, list_id, max, fn, arg);
		}
		t->list_id = list_id;
		t->max = max;
		t->n = c.n;
		t->v = (struct store_entry *)(t + 1);
		char *text = (char *)(t->v + c.n);
		if (c.text.len)
			memcpy(text, c.text.data, c.text.len);
		for (size_t i = 0; i < c.n; i++) {
			const size_t *at = &c.at[i * STR_PER_ROW];
			t->v[i] = c.msgs[i];
			t->v[i].list = text + at[0];
			t->v[i].subject = text + at[1];
			t->v[i].from_name = text + at[2];
			t->v[i].from_addr = text + at[3];
			t->v[i].msgid = text + at[4];
		}
		collect_free(&c);
		if (!memo_put(&m->tmsgs, thread, t, size))
			own = t;
		h = t;
	}
	for (size_t i = 0; i < h->n; i++)
		if (!fn(&h->v[i], arg))
			break;
	free(own);
	return LA_OK;
}
