/* memo.c: what message pages read again and again, kept for one data
 * version.  Every page of a series with many versions shows the same
 * versions: the walk over them (store_series_versions: a statement or
 * more per version found) and each version's first message were half of
 * such a page's time, and the same for each of its messages.  Kept only
 * in a read transaction (read_gen, the data_version that
 * store_read_begin read: another connection's commit changes it) of a
 * connection that never writes, and dropped as soon as the version
 * differs, so a page shows exactly what the statements would give. */
#include <glib.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

/* Bounds: when a table is full it is emptied (a crawl moves on from one
 * series to the next; nothing is kept for long). */
#define MEMO_WALKS_MAX 256
#define MEMO_ROWS_MAX 512 /* about 1.5 KB each */
#define MEMO_HEADS_MAX 1024
#define MEMO_WALK_LEN 32 /* walks asked with a larger max are not kept */

struct memo_walk {
	int max, n;
	int64_t ids[MEMO_WALK_LEN];
	unsigned how[MEMO_WALK_LEN];
};

/* A series' first message shown, or none (found == false). */
struct memo_head {
	bool found;
	unsigned part;
	struct store_entry e; /* its strings point into text */
	char text[];
};

/* A series' first message in two steps, each without a sort (Q_MSGS's
 * ORDER BY part, ts, id made a temporary b-tree for every version of
 * every page): its messages shown, the first of them by (part, ts, id)
 * chosen here; then that one's row as store_series_msgs gives it. */
static const char *const memo_sql[] = {
	"SELECT sm.id, sm.part, m.ts FROM series_msgs sm JOIN messages m ON m.id = sm.id"
	" JOIN mids ON mids.id = m.mid JOIN lists l ON l.id = m.list_id"
	" WHERE sm.series = ?1 AND " NOT_HIDDEN("m."),
	"SELECT " ENTRY_COLS ", sm.part FROM series_msgs sm JOIN messages m ON m.id = sm.id"
	" JOIN mids ON mids.id = m.mid JOIN lists l ON l.id = m.list_id WHERE sm.id = ?1",
};
enum { M_HEAD_ALL, M_HEAD_ROW, M_COUNT };

struct store_memo {
	sqlite3_stmt *stmt[M_COUNT];
	uint64_t gen;
	GHashTable *walks; /* start series id -> struct memo_walk */
	GHashTable *rows;  /* series id -> struct store_series */
	GHashTable *heads; /* series id -> struct memo_head */
};

void store_memo_free(struct store_memo *m)
{
	if (!m)
		return;
	for (int i = 0; i < M_COUNT; i++)
		sqlite3_finalize(m->stmt[i]);
	g_hash_table_destroy(m->walks);
	g_hash_table_destroy(m->rows);
	g_hash_table_destroy(m->heads);
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
	m->walks = g_hash_table_new_full(g_int64_hash, g_int64_equal, free, free);
	m->rows = g_hash_table_new_full(g_int64_hash, g_int64_equal, free, free);
	m->heads = g_hash_table_new_full(g_int64_hash, g_int64_equal, free, free);
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
		g_hash_table_remove_all(m->walks);
		g_hash_table_remove_all(m->rows);
		g_hash_table_remove_all(m->heads);
		m->gen = st->read_gen;
	}
	return m;
}

/* Puts value (owned; freed here if it cannot be kept) under id in t,
 * which is emptied first when it holds max. */
static void memo_put(GHashTable *t, unsigned max, int64_t id, void *value)
{
	int64_t *key = malloc(sizeof *key);
	if (!key) {
		free(value);
		return;
	}
	if (g_hash_table_size(t) >= max)
		g_hash_table_remove_all(t);
	*key = id;
	g_hash_table_replace(t, key, value);
}

enum la_status store_series_versions_memo(struct store *st, const struct store_series *s,
                                          int64_t *ids, unsigned *how, struct store_series *rows,
                                          int max, int *n)
{
	struct store_memo *m = memo_now(st);
	if (!m || max < 1 || max > MEMO_WALK_LEN || !rows)
		return store_series_versions(st, s, ids, how, rows, max, n);
	const struct memo_walk *w = g_hash_table_lookup(m->walks, &s->id);
	if (w && w->max == max) {
		/* Every row of the walk, or none of them: read again. */
		bool all = true;
		for (int i = 0; all && i < w->n; i++) {
			const struct store_series *r = g_hash_table_lookup(m->rows, &w->ids[i]);
			if (r)
				rows[i] = *r;
			else
				all = false;
		}
		if (all) {
			memcpy(ids, w->ids, (size_t)w->n * sizeof *ids);
			memcpy(how, w->how, (size_t)w->n * sizeof *how);
			*n = w->n;
			return LA_OK;
		}
	}
	enum la_status e = store_series_versions(st, s, ids, how, rows, max, n);
	if (e)
		return e;
	struct memo_walk *nw = malloc(sizeof *nw);
	if (!nw)
		return LA_OK;
	nw->max = max;
	nw->n = *n;
	memcpy(nw->ids, ids, (size_t)*n * sizeof *ids);
	memcpy(nw->how, how, (size_t)*n * sizeof *how);
	memo_put(m->walks, MEMO_WALKS_MAX, s->id, nw);
	/* The rows after the walk: a table emptied while they go in loses
	 * some, and the next walk reads them again. */
	for (int i = 0; i < *n; i++) {
		struct store_series *r = malloc(sizeof *r);
		if (!r)
			break;
		*r = rows[i];
		memo_put(m->rows, MEMO_ROWS_MAX, ids[i], r);
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
};

static bool head_row(const struct store_entry *e, void *arg)
{
	struct msgs_head *h = arg;
	return take_first(h->f, e, (unsigned)sqlite3_column_int(h->s, 13));
}

/* The first of series id's messages shown, as store_series_msgs orders
 * them (part, then delivery time, then id), to take_first. */
static enum la_status series_head_read(struct store *st, int64_t id, struct first *f)
{
	sqlite3_stmt *s = memo_stmt(st, M_HEAD_ALL);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, id);
	int64_t best = 0, best_ts = 0;
	int best_part = 0, rc;
	bool any = false;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t mid = sqlite3_column_int64(s, 0), ts = sqlite3_column_int64(s, 2);
		int part = sqlite3_column_int(s, 1);
		if (!any || part < best_part || (part == best_part && ts < best_ts) ||
		    (part == best_part && ts == best_ts && mid < best)) {
			best = mid;
			best_part = part;
			best_ts = ts;
			any = true;
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return st_error(rc);
	if (!any)
		return LA_OK;
	if (!(s = memo_stmt(st, M_HEAD_ROW)))
		return LA_EDB;
	sqlite3_bind_int64(s, 1, best);
	struct msgs_head h = {s, f};
	return st_each_entry(s, head_row, &h);
}

enum la_status store_series_head(struct store *st, int64_t id,
                                 bool (*fn)(const struct store_entry *e, unsigned part, void *arg),
                                 void *arg)
{
	struct store_memo *m = memo_now(st);
	const struct memo_head *h = m ? g_hash_table_lookup(m->heads, &id) : NULL;
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
	if (!f.h && !(f.h = calloc(1, sizeof *f.h)))
		return LA_ENOMEM;
	if (f.h->found)
		fn(&f.h->e, f.h->part, arg);
	if (m)
		memo_put(m->heads, MEMO_HEADS_MAX, id, f.h);
	else
		free(f.h);
	return LA_OK;
}
