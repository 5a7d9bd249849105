/* read.c: the store's reads: lists and sources, a message and its
 * neighbours, listings of entries (a day, a thread, a Message-ID, a
 * list's pages), Message-IDs, calendars, the index's metadata, and the
 * read transactions the server takes.  Searches are in search.c. */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/store_int.h"
#include "util/hash.h"
#include "util/vec.h"

bool store_search_stems(struct store *st)
{
	st_fts_columns(st);
	return st->fts_stems;
}

bool store_mid_words(struct store *st)
{
	return st->has_mid_words;
}

bool store_search_current(struct store *st)
{
	char v[16] = "", mode[16] = "on";
	la_ignore(store_meta_get(st, "search", mode, sizeof mode)); /* absent: on */
	/* (A rebuild under way, "search_build": searchfile.c.) */
	return store_search_stems(st) && strcmp(mode, "rebuilding") != 0 &&
	       store_meta_get(st, "search_build", v, sizeof v) == LA_ENOTFOUND &&
	       store_meta_get(st, "search_format", v, sizeof v) == LA_OK &&
	       atoi(v) >= STORE_SEARCH_FORMAT;
}

bool store_search_lore(struct store *st)
{
	/* Asked again each time: a server's connection outlives the
	 * `reindex --search` that brings the columns. */
	st_fts_columns(st);
	return st->fts_lore;
}

/* ---- row readers for st_each_row and st_one_row ---- */

/* The first column as an integer, into *(int64_t *)arg. */
static int row_int64(sqlite3_stmt *s, void *arg)
{
	*(int64_t *)arg = sqlite3_column_int64(s, 0);
	return SQLITE_ROW;
}

/* The first column as text (NULL as ""), into a buffer. */
struct text_out {
	char *out;
	size_t n;
};

static int row_text(sqlite3_stmt *s, void *arg)
{
	const struct text_out *t = arg;
	const char *v = (const char *)sqlite3_column_text(s, 0);
	snprintf(t->out, t->n, "%s", v ? v : "");
	return SQLITE_ROW;
}

/* Where a failure of SQLite is only ever LA_EDB (found and not found
 * stay as they are). */
static enum la_status edb(enum la_status e)
{
	return e == LA_OK || e == LA_ENOTFOUND ? e : LA_EDB;
}

/* ---- lists and sources ---- */

enum la_status store_list_id(struct store *st, const char *name, int64_t *id)
{
	*id = 0;
	sqlite3_stmt *s = st_prepare(st, S_LIST_ID);
	if (!s)
		return LA_EDB;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	return st_one_row(s, row_int64, id);
}

enum la_status store_list_name(struct store *st, int64_t id, char *out, size_t n)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT name FROM lists WHERE id = ?1", -1, &s, NULL) !=
	    SQLITE_OK) {
		sqlite3_finalize(s);
		return LA_EDB;
	}
	sqlite3_bind_int64(s, 1, id);
	enum la_status e = st_one_row(s, row_text, &(struct text_out){out, n});
	sqlite3_finalize(s);
	return edb(e);
}

enum la_status store_list_renamed(struct store *st, const char *old, char *out, size_t n)
{
	/* Only asked for a name that is no list's: not worth a prepared
	 * statement, and an index no writer has opened since list_renames
	 * came has no such table (then no list was renamed). */
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db,
	                       "SELECT l.name FROM list_renames r JOIN lists l ON l.id = r.list_id"
	                       " WHERE r.old = ?1",
	                       -1, &s, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return LA_ENOTFOUND;
	}
	sqlite3_bind_text(s, 1, old, -1, SQLITE_STATIC);
	enum la_status e = st_one_row(s, row_text, &(struct text_out){out, n});
	sqlite3_finalize(s);
	return edb(e);
}

static void read_source(const struct store *st, sqlite3_stmt *s, struct store_source *src)
{
	src->id = sqlite3_column_int64(s, 0);
	src->list_id = sqlite3_column_int64(s, 1);
	st_resolve_path(st, (const char *)sqlite3_column_text(s, 2), src->path, sizeof src->path);
	const char *copy = (const char *)sqlite3_column_text(s, 8);
	src->copy[0] = '\0';
	if (copy)
		st_resolve_path(st, copy, src->copy, sizeof src->copy);
	src->orig_size = sqlite3_column_int64(s, 9);
	src->orig_mtime = sqlite3_column_int64(s, 10);
	src->orig_fp = sqlite3_column_int64(s, 11);
	src->copy_len = sqlite3_column_int64(s, 12);
	src->kind = (enum source_kind)sqlite3_column_int(s, 3);
	src->done = (uint64_t)sqlite3_column_int64(s, 4);
	src->fp_head = sqlite3_column_int64(s, 5);
	src->fp_tail = sqlite3_column_int64(s, 6);
	src->last_ts = sqlite3_column_int64(s, 7);
}

/* A source row into the struct store_source of a struct source_out. */
struct source_out {
	const struct store *st;
	struct store_source *src;
};

static int row_source(sqlite3_stmt *s, void *arg)
{
	const struct source_out *o = arg;
	read_source(o->st, s, o->src);
	return SQLITE_ROW;
}

/* The source of list_id stored as `key`, in *src; LA_ENOTFOUND if none. */
enum la_status st_source_get(struct store *st, int64_t list_id, const char *key,
                             struct store_source *src)
{
	sqlite3_stmt *s = st_prepare(st, S_SRC_GET);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, list_id);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	return edb(st_one_row(s, row_source, &(struct source_out){st, src}));
}

/* An archive stored by a listarc of schema 1 (absolute paths) and then
 * moved or restored elsewhere: the source of list_id and kind stored as an
 * absolute path that ends in "/" + key and no longer exists is this one,
 * moved.  Sets *src (its path still the old one); LA_ENOTFOUND if there is
 * none, or more than one. */
struct moved {
	struct source_out o;
	const char *key;
	int found;
};

static int row_moved(sqlite3_stmt *s, void *arg)
{
	struct moved *m = arg;
	const char *p = (const char *)sqlite3_column_text(s, 2);
	size_t pn = p ? strlen(p) : 0, kn = strlen(m->key);
	struct stat sb;
	if (pn > kn + 1 && p[pn - kn - 1] == '/' && strcmp(p + pn - kn, m->key) == 0 &&
	    stat(p, &sb) != 0 && errno == ENOENT && m->found++ == 0)
		read_source(m->o.st, s, m->o.src);
	return SQLITE_ROW;
}

enum la_status st_source_moved(struct store *st, int64_t list_id, const char *key,
                               enum source_kind kind, struct store_source *src)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db,
	                       "SELECT " SRC_COLS
	                       " WHERE s.list_id = ?1 AND s.kind = ?2 AND s.path LIKE '/%'",
	                       -1, &s, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return LA_EDB;
	}
	sqlite3_bind_int64(s, 1, list_id);
	sqlite3_bind_int(s, 2, kind);
	struct moved m = {{st, src}, key, 0};
	enum la_status e = st_each_row(s, row_moved, &m);
	sqlite3_finalize(s);
	if (e)
		return LA_EDB;
	return m.found == 1 ? LA_OK : LA_ENOTFOUND;
}

const char *source_kind_name(enum source_kind k)
{
	switch (k) {
	case SOURCE_MBOX: return "an mbox";
	case SOURCE_MAILDIR: return "a maildir";
	case SOURCE_MH: return "an MH folder";
	case SOURCE_GIT: return "a public-inbox git repository";
	}
	return "an unknown kind of source";
}

enum la_status store_source_find(struct store *st, int64_t list_id, const char *path,
                                 struct store_source *src)
{
	enum la_status e = st_source_get(st, list_id, st_stored_path(st, path), src);
	if (e == LA_ENOTFOUND && st_stored_path(st, path) != path)
		e = st_source_get(st, list_id, path, src);
	return e;
}

/* The sources' rows copied out, for store_sources. */
struct sources {
	const struct store *st;
	struct store_source *v;
	size_t n, cap;
};

static int row_sources(sqlite3_stmt *s, void *arg)
{
	struct sources *x = arg;
	if (!vec_reserve(&x->v, &x->cap, x->n + 1, sizeof *x->v))
		return SQLITE_NOMEM;
	read_source(x->st, s, &x->v[x->n++]);
	return SQLITE_ROW;
}

enum la_status store_sources(struct store *st, int64_t list_id,
                             bool (*fn)(const struct store_source *s, void *arg), void *arg)
{
	sqlite3_stmt *s = st_prepare(st, S_SRC_LIST);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, list_id);
	/* Copy rows out first: fn may use the store (and this statement). */
	struct sources x = {st, NULL, 0, 0};
	enum la_status e = st_each_row(s, row_sources, &x);
	for (size_t i = 0; e != LA_ENOMEM && i < x.n; i++)
		if (!fn(&x.v[i], arg))
			break;
	free(x.v);
	return e;
}

enum la_status store_source_get(struct store *st, int64_t id, struct store_source *src)
{
	sqlite3_stmt *s = st_prepare(st, S_SRC_BYID);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, id);
	return st_one_row(s, row_source, &(struct source_out){st, src});
}

/* ---- reading ---- */

static char *col_dup(sqlite3_stmt *s, int i)
{
	const char *p = (const char *)sqlite3_column_text(s, i);
	return p ? strdup(p) : NULL;
}

void store_msg_clear(struct store_msg *m)
{
	if (!m)
		return;
	free(m->list);
	free(m->msgid);
	free(m->subject);
	free(m->from_name);
	free(m->from_addr);
	free(m->file);
	memset(m, 0, sizeof *m);
}

/* Reads the row s has just stepped to (MSG_COLS) into the struct
 * store_msg arg; SQLITE_NOMEM if memory ran out. */
static int row_msg(sqlite3_stmt *s, void *arg)
{
	struct store_msg *m = arg;
	m->id = sqlite3_column_int64(s, 0);
	m->list_id = sqlite3_column_int64(s, 1);
	m->source_id = sqlite3_column_int64(s, 2);
	m->day = sqlite3_column_int(s, 3);
	m->num = sqlite3_column_int(s, 4);
	m->ts = sqlite3_column_int64(s, 5);
	m->has_date = sqlite3_column_type(s, 6) != SQLITE_NULL;
	m->date = sqlite3_column_int64(s, 6);
	m->mid = sqlite3_column_int64(s, 7);
	m->parent = sqlite3_column_int64(s, 8);
	m->thread = sqlite3_column_int64(s, 9);
	m->off = (uint64_t)sqlite3_column_int64(s, 10);
	m->len = (uint64_t)sqlite3_column_int64(s, 11);
	m->flags = (unsigned)sqlite3_column_int(s, 12);
	m->msgid = col_dup(s, 13);
	m->subject = col_dup(s, 14);
	m->from_name = col_dup(s, 15);
	m->from_addr = col_dup(s, 16);
	m->file = col_dup(s, 17);
	m->list = col_dup(s, 18);
	if (!m->msgid || !m->subject || !m->from_name || !m->from_addr || !m->list) {
		store_msg_clear(m);
		return SQLITE_NOMEM;
	}
	return SQLITE_ROW;
}

enum la_status store_msg_get(struct store *st, int64_t list_id, int day, int num,
                             struct store_msg *m)
{
	memset(m, 0, sizeof *m);
	sqlite3_stmt *s = st_prepare(st, S_MSG_GET);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, list_id);
	sqlite3_bind_int(s, 2, day);
	sqlite3_bind_int(s, 3, num);
	return st_one_row(s, row_msg, m);
}

enum la_status store_msg_by_id(struct store *st, int64_t id, struct store_msg *m)
{
	memset(m, 0, sizeof *m);
	sqlite3_stmt *s = st_prepare(st, S_MSG_BYID);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, id);
	return st_one_row(s, row_msg, m);
}

/* A (day, num) row into int[2]. */
static int row_day_num(sqlite3_stmt *s, void *arg)
{
	int *dn = arg;
	dn[0] = sqlite3_column_int(s, 0);
	dn[1] = sqlite3_column_int(s, 1);
	return SQLITE_ROW;
}

static enum la_status nav_one(struct store *st, enum st_stmt_id id, int64_t a, int64_t b, int64_t c,
                              int64_t d, int *day, int *num)
{
	*day = *num = 0;
	sqlite3_stmt *s = st_prepare(st, id);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, a);
	sqlite3_bind_int64(s, 2, b);
	sqlite3_bind_int64(s, 3, c);
	if (d)
		sqlite3_bind_int64(s, 4, d);
	int dn[2] = {0, 0};
	enum la_status e = st_one_row(s, row_day_num, dn);
	*day = dn[0];
	*num = dn[1];
	return e == LA_ENOTFOUND ? LA_OK : e;
}

enum la_status store_msg_nav(struct store *st, const struct store_msg *m, struct store_nav *nav)
{
	enum la_status e;
	memset(nav, 0, sizeof *nav);
	if ((e = nav_one(st, S_NAV_PREV, m->list_id, m->day, m->num, 0, &nav->prev_day,
	                 &nav->prev_num)))
		return e;
	if ((e = nav_one(st, S_NAV_NEXT, m->list_id, m->day, m->num, 0, &nav->next_day,
	                 &nav->next_num)))
		return e;
	if ((e = nav_one(st, S_NAV_TPREV, m->thread, m->ts, m->id, m->list_id, &nav->tprev_day,
	                 &nav->tprev_num)))
		return e;
	return nav_one(st, S_NAV_TNEXT, m->thread, m->ts, m->id, m->list_id, &nav->tnext_day,
	               &nav->tnext_num);
}

/* Each entry row passed on to the caller's fn. */
struct entry_call {
	store_entry_fn fn;
	void *arg;
	bool tz; /* the statement's column 13 is "tz" */
};

static int row_entry(sqlite3_stmt *s, void *arg)
{
	const struct entry_call *c = arg;
	struct store_entry e;
	e.list = (const char *)sqlite3_column_text(s, 0);
	e.day = sqlite3_column_int(s, 1);
	e.num = sqlite3_column_int(s, 2);
	e.ts = sqlite3_column_int64(s, 3);
	e.has_date = sqlite3_column_type(s, 4) != SQLITE_NULL;
	e.date = sqlite3_column_int64(s, 4);
	e.subject = (const char *)sqlite3_column_text(s, 5);
	e.from_name = (const char *)sqlite3_column_text(s, 6);
	e.from_addr = (const char *)sqlite3_column_text(s, 7);
	e.msgid = (const char *)sqlite3_column_text(s, 8);
	e.thread = sqlite3_column_int64(s, 9);
	e.id = sqlite3_column_int64(s, 10);
	e.mid = sqlite3_column_int64(s, 11);
	e.parent = sqlite3_column_int64(s, 12);
	e.has_tz = c->tz && sqlite3_column_type(s, 13) != SQLITE_NULL;
	e.tz = e.has_tz ? sqlite3_column_int(s, 13) : 0;
	if (!e.list || !e.subject || !e.from_name || !e.from_addr || !e.msgid)
		return SQLITE_NOMEM;
	return c->fn(&e, c->arg) ? SQLITE_ROW : SQLITE_DONE;
}

enum la_status st_each_entry(sqlite3_stmt *s, store_entry_fn fn, void *arg)
{
	/* (Other statements have columns of their own after ENTRY_COLS:
	 * looked at once, not on every row.) */
	const char *col = sqlite3_column_count(s) > 13 ? sqlite3_column_name(s, 13) : NULL;
	bool tz = col && strcmp(col, "tz") == 0;
	return st_each_row(s, row_entry, &(struct entry_call){fn, arg, tz});
}

/* A row of LINE_TZ_COLS: only the columns a line shows, each read once
 * (its type asked only of the two that may be NULL). */
static int row_line(sqlite3_stmt *s, void *arg)
{
	const struct entry_call *c = arg;
	struct store_entry e;
	e.list = (const char *)sqlite3_column_text(s, 0);
	e.day = sqlite3_column_int(s, 1);
	e.num = sqlite3_column_int(s, 2);
	e.ts = sqlite3_column_int64(s, 3);
	e.has_date = sqlite3_column_type(s, 4) != SQLITE_NULL;
	e.date = e.has_date ? sqlite3_column_int64(s, 4) : 0;
	e.subject = (const char *)sqlite3_column_text(s, 5);
	e.from_name = (const char *)sqlite3_column_text(s, 6);
	e.from_addr = (const char *)sqlite3_column_text(s, 7);
	e.msgid = "";
	e.thread = e.id = e.mid = e.parent = 0;
	e.has_tz = sqlite3_column_type(s, 8) != SQLITE_NULL;
	e.tz = e.has_tz ? sqlite3_column_int(s, 8) : 0;
	if (!e.list || !e.subject || !e.from_name || !e.from_addr)
		return SQLITE_NOMEM;
	return c->fn(&e, c->arg) ? SQLITE_ROW : SQLITE_DONE;
}

enum la_status st_each_line(sqlite3_stmt *s, store_entry_fn fn, void *arg)
{
	return st_each_row(s, row_line, &(struct entry_call){fn, arg, true});
}

/* The rows of statement id, its parameters 1 to n bound to v[0] to
 * v[n - 1], each to fn; lines: the statement selects LINE_TZ_COLS, else
 * ENTRY_COLS. */
static enum la_status rows_of(struct store *st, enum st_stmt_id id, const int64_t *v, int n,
                              bool lines, store_entry_fn fn, void *arg)
{
	sqlite3_stmt *s = st_prepare(st, id);
	if (!s)
		return LA_EDB;
	for (int i = 0; i < n; i++)
		sqlite3_bind_int64(s, i + 1, v[i]);
	return lines ? st_each_line(s, fn, arg) : st_each_entry(s, fn, arg);
}

/* The message rows (ENTRY_COLS) of statement id, as rows_of's. */
static enum la_status entries_of(struct store *st, enum st_stmt_id id, const int64_t *v, int n,
                                 store_entry_fn fn, void *arg)
{
	return rows_of(st, id, v, n, false, fn, arg);
}

enum la_status store_day_msgs(struct store *st, int64_t list_id, int day, int from, int limit,
                              store_entry_fn fn, void *arg)
{
	return entries_of(st, S_DAY_MSGS, (int64_t[]){list_id, day, from, limit}, 4, fn, arg);
}

enum la_status store_day_lines(struct store *st, int64_t list_id, int day, int from, int limit,
                               store_entry_fn fn, void *arg)
{
	return rows_of(st, S_DAY_LINES, (int64_t[]){list_id, day, from, limit}, 4, true, fn, arg);
}

enum la_status store_days_lines(struct store *st, int64_t list_id, int from, int to,
                                store_entry_fn fn, void *arg)
{
	/* One row a day (daylines.c), a day without it from messages. */
	return st_days_lines(st, list_id, from, to, fn, arg);
}

enum la_status store_recent(struct store *st, int64_t list_id, int limit, store_entry_fn fn,
                            void *arg)
{
	return entries_of(st, S_RECENT, (int64_t[]){list_id, limit}, 2, fn, arg);
}

enum la_status store_msgs_by_msgid(struct store *st, const char *msgid, int64_t list_id,
                                   store_entry_fn fn, void *arg)
{
	sqlite3_stmt *s = st_prepare(st, S_BY_MSGID);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, (int64_t)hash64(msgid, strlen(msgid), 0));
	sqlite3_bind_text(s, 2, msgid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, list_id);
	return st_each_entry(s, fn, arg);
}

/* Each (id, parent, mid) row passed on to the caller's fn. */
struct id_call {
	bool (*fn)(int64_t id, int64_t parent, const char *mid, void *arg);
	void *arg;
};

static int row_thread_id(sqlite3_stmt *s, void *arg)
{
	const struct id_call *c = arg;
	const char *mid = (const char *)sqlite3_column_text(s, 2);
	return c->fn(sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1), mid ? mid : "", c->arg)
	               ? SQLITE_ROW
	               : SQLITE_DONE;
}

enum la_status store_thread_ids(struct store *st, int64_t thread, int max,
                                bool (*fn)(int64_t id, int64_t parent, const char *mid, void *arg),
                                void *arg)
{
	sqlite3_stmt *s = st_prepare(st, S_THREAD_IDS);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, thread);
	sqlite3_bind_int(s, 2, max);
	return st_each_row(s, row_thread_id, &(struct id_call){fn, arg});
}

enum la_status store_thread_msgs(struct store *st, int64_t thread, int64_t list_id, int max,
                                 store_entry_fn fn, void *arg)
{
	return entries_of(st, S_THREAD_MSGS, (int64_t[]){thread, list_id, max}, 3, fn, arg);
}

enum la_status store_thread_msgs_lean(struct store *st, int64_t thread, int64_t list_id, int max,
                                      store_entry_fn fn, void *arg)
{
	return entries_of(st, S_THREAD_LEAN, (int64_t[]){thread, list_id, max}, 3, fn, arg);
}

enum la_status store_list_msgs(struct store *st, int64_t list_id, int since, int until,
                               int after_day, int after_num, bool newest_first, int limit,
                               store_entry_fn fn, void *arg)
{
	return entries_of(st, newest_first ? S_LIST_NEWEST : S_LIST_OLDEST,
	                  (int64_t[]){list_id, since, until, after_day, after_num, limit}, 6, fn,
	                  arg);
}

/* The Message-ID looked up by its hash (S_MID_BYHASH rows): its id and
 * thread once a row has its text. */
struct mid_find {
	const char *msgid;
	int64_t *id, *thread;
};

static int row_mid_find(sqlite3_stmt *s, void *arg)
{
	const struct mid_find *f = arg;
	const char *mid = (const char *)sqlite3_column_text(s, 1);
	if (!mid || strcmp(mid, f->msgid) != 0)
		return SQLITE_ROW;
	*f->id = sqlite3_column_int64(s, 0);
	*f->thread = sqlite3_column_int64(s, 2);
	return SQLITE_DONE;
}

enum la_status store_mid_find(struct store *st, const char *msgid, int64_t *id, int64_t *thread)
{
	*id = *thread = 0;
	sqlite3_stmt *s = st_prepare(st, S_MID_BYHASH);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, (int64_t)hash64(msgid, strlen(msgid), 0));
	enum la_status e = st_each_row(s, row_mid_find, &(struct mid_find){msgid, id, thread});
	if (e)
		return e;
	return *id ? LA_OK : LA_ENOTFOUND;
}

/* store_mids_near's look-ups: the first k bytes of msgid, a Message-ID
 * with messages (S_MID_BYHASH rows), or the IDs near it (S_MID_NEAR),
 * passed on to fn. */
struct near {
	const char *msgid;
	size_t k, found;
	void (*fn)(const char *mid, void *arg);
	void *arg;
};

static int row_near_prefix(sqlite3_stmt *s, void *arg)
{
	struct near *x = arg;
	const char *mid = (const char *)sqlite3_column_text(s, 1);
	if (!mid || (size_t)sqlite3_column_bytes(s, 1) != x->k ||
	    memcmp(mid, x->msgid, x->k) != 0 || sqlite3_column_int64(s, 4) <= 0)
		return SQLITE_ROW;
	x->fn(mid, x->arg);
	x->found++;
	return SQLITE_DONE;
}

static int row_near(sqlite3_stmt *s, void *arg)
{
	struct near *x = arg;
	const char *mid = (const char *)sqlite3_column_text(s, 0);
	if (mid)
		x->fn(mid, x->arg);
	return SQLITE_ROW;
}

enum la_status store_mids_near(struct store *st, const char *prefix, const char *msgid, size_t max,
                               void (*fn)(const char *mid, void *arg), void *arg)
{
	struct near x = {msgid, 0, 0, fn, arg};
	enum la_status e;
	/* The IDs msgid begins, longest first: each a lookup by hash. */
	size_t n = strlen(msgid);
	for (x.k = n; x.k-- > NEAR_ID_MIN && x.found < max;) {
		sqlite3_stmt *s = st_prepare(st, S_MID_BYHASH);
		if (!s)
			return LA_EDB;
		sqlite3_bind_int64(s, 1, (int64_t)hash64(msgid, x.k, 0));
		if ((e = st_each_row(s, row_near_prefix, &x)))
			return e;
	}
	if (x.found >= max || !prefix[0])
		return LA_OK;
	/* The first string after every one prefix begins: prefix with its
	 * last byte below 0xff one more (bound as text: SQLite orders any
	 * text before any blob; bytes compared as memcmp does). */
	size_t k = strlen(prefix);
	if (k > MSGID_MAX)
		return LA_OK;
	char end[MSGID_MAX + 1];
	memcpy(end, prefix, k);
	while (k > 0 && (unsigned char)end[k - 1] == 0xff)
		k--;
	if (k == 0)
		return LA_OK;
	end[k - 1] = (char)((unsigned char)end[k - 1] + 1);
	sqlite3_stmt *s = st_prepare(st, S_MID_NEAR);
	if (!s)
		return LA_EDB;
	sqlite3_bind_text(s, 1, prefix, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, msgid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, end, (int)k, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, (int64_t)(max - x.found));
	sqlite3_bind_int64(s, 5, NEAR_WALK_MAX);
	e = st_each_row(s, row_near, &x);
	sqlite3_clear_bindings(s);
	return e;
}

enum la_status store_mid_text(struct store *st, int64_t id, char *out, size_t n)
{
	if (n)
		out[0] = '\0';
	sqlite3_stmt *s = st_prepare(st, S_MID_TEXT);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, id);
	return st_one_row(s, row_text, &(struct text_out){out, n});
}

/* Each (day, count) row passed on to the caller's fn. */
struct day_call {
	bool (*fn)(int day, int count, void *arg);
	void *arg;
};

/* The hidden messages of each day, in day order. */
struct day_hidden {
	struct day_n {
		int day, n;
	} * v;
	size_t n, cap, at; /* at: the next not yet passed */
};

static int row_day_hidden(sqlite3_stmt *s, void *arg)
{
	struct day_hidden *h = arg;
	if (!vec_reserve(&h->v, &h->cap, h->n + 1, sizeof *h->v))
		return SQLITE_NOMEM;
	h->v[h->n++] = (struct day_n){sqlite3_column_int(s, 0), sqlite3_column_int(s, 1)};
	return SQLITE_ROW;
}

/* A day's count less its hidden messages (both in day order); a day left
 * with none is no day of the calendar. */
struct day_shown {
	struct day_call call;
	struct day_hidden *h;
};

static int row_day_shown(sqlite3_stmt *s, void *arg)
{
	struct day_shown *x = arg;
	struct day_hidden *h = x->h;
	int day = sqlite3_column_int(s, 0), n = sqlite3_column_int(s, 1);
	while (h->at < h->n && h->v[h->at].day < day)
		h->at++;
	if (h->at < h->n && h->v[h->at].day == day)
		n -= h->v[h->at].n;
	if (n <= 0)
		return SQLITE_ROW;
	return x->call.fn(day, n, x->call.arg) ? SQLITE_ROW : SQLITE_DONE;
}

/* Binds a day-range statement's list and days. */
static sqlite3_stmt *day_range(struct store *st, enum st_stmt_id id, int64_t list_id, int from,
                               int to)
{
	sqlite3_stmt *s = st_prepare(st, id);
	if (s) {
		sqlite3_bind_int64(s, 1, list_id);
		sqlite3_bind_int(s, 2, from);
		sqlite3_bind_int(s, 3, to);
	}
	return s;
}

enum la_status store_day_counts(struct store *st, int64_t list_id, int from, int to,
                                bool (*fn)(int day, int count, void *arg), void *arg)
{
	struct day_hidden h = {0};
	sqlite3_stmt *s = day_range(st, S_DAY_HIDDEN, list_id, from, to);
	enum la_status e = s ? st_each_row(s, row_day_hidden, &h) : LA_EDB;
	if (!e) {
		s = day_range(st, S_DAY_COUNTS, list_id, from, to);
		e = s ? st_each_row(s, row_day_shown, &(struct day_shown){{fn, arg}, &h}) : LA_EDB;
	}
	free(h.v);
	return e;
}

/* The first column as an int, into *(int *)arg. */
static int row_int(sqlite3_stmt *s, void *arg)
{
	*(int *)arg = sqlite3_column_int(s, 0);
	return SQLITE_ROW;
}

enum la_status store_day_adjacent(struct store *st, int64_t list_id, int day, int *prev, int *next)
{
	*prev = *next = 0;
	for (enum st_stmt_id id = S_DAY_PREV; id <= S_DAY_NEXT; id++) {
		sqlite3_stmt *s = st_prepare(st, id);
		if (!s)
			return LA_EDB;
		sqlite3_bind_int64(s, 1, list_id);
		sqlite3_bind_int(s, 2, day);
		enum la_status e = st_one_row(s, row_int, id == S_DAY_PREV ? prev : next);
		if (e && e != LA_ENOTFOUND)
			return e;
	}
	return LA_OK;
}

/* Each list name passed on to the caller's fn. */
struct name_call {
	bool (*fn)(const char *name, void *arg);
	void *arg;
};

static int row_list_name(sqlite3_stmt *s, void *arg)
{
	const struct name_call *c = arg;
	const char *name = (const char *)sqlite3_column_text(s, 0);
	return !name || c->fn(name, c->arg) ? SQLITE_ROW : SQLITE_DONE;
}

enum la_status store_list_names(struct store *st, bool (*fn)(const char *name, void *arg),
                                void *arg)
{
	sqlite3_stmt *s = st_prepare(st, S_LIST_NAMES);
	if (!s)
		return LA_EDB;
	return st_each_row(s, row_list_name, &(struct name_call){fn, arg});
}

/* Each list's row passed on to the caller's fn. */
struct list_call {
	bool (*fn)(const struct store_list_info *l, void *arg);
	void *arg;
};

static int row_list(sqlite3_stmt *s, void *arg)
{
	const struct list_call *c = arg;
	struct store_list_info l;
	l.name = (const char *)sqlite3_column_text(s, 0);
	l.id = sqlite3_column_int64(s, 1);
	l.count = sqlite3_column_int64(s, 2);
	l.first_day = sqlite3_column_int(s, 3);
	l.last_day = sqlite3_column_int(s, 4);
	if (!l.name)
		return SQLITE_NOMEM;
	return c->fn(&l, c->arg) ? SQLITE_ROW : SQLITE_DONE;
}

enum la_status store_lists(struct store *st, bool (*fn)(const struct store_list_info *l, void *arg),
                           void *arg)
{
	sqlite3_stmt *s = st_prepare(st, S_LISTS);
	if (!s)
		return LA_EDB;
	return st_each_row(s, row_list, &(struct list_call){fn, arg});
}

int64_t store_mtime(struct store *st)
{
	sqlite3_stmt *s = st_prepare(st, S_META_GET);
	if (!s)
		return 0;
	sqlite3_bind_text(s, 1, "updated", -1, SQLITE_STATIC);
	int64_t t = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return t;
}

/* The index's data version, and with the search index attached its
 * version in the high 32 bits (each file counts its own commits). */
static enum la_status data_version(struct store *st, int64_t *v)
{
	*v = 0;
	sqlite3_stmt *s = st_prepare(st, S_DATA_VERSION);
	if (!s)
		return LA_EDB;
	enum la_status e = st_one_row(s, row_int64, v);
	if (e || !st->fts_attached)
		return e;
	int64_t fv = 0;
	if (!(s = st_prepare(st, S_DATA_VERSION_S)))
		return LA_EDB;
	if ((e = st_one_row(s, row_int64, &fv)))
		return e;
	*v = (int64_t)((uint64_t)*v + ((uint64_t)fv << 32));
	return LA_OK;
}

enum la_status store_read_begin(struct store *st, uint64_t *version)
{
	*version = 0;
	if (st->in_read)
		store_read_end(st);
	sqlite3_stmt *s = st_prepare(st, S_READ_BEGIN);
	if (!s)
		return LA_EDB;
	int rc = st_step_done(s);
	if (rc != SQLITE_DONE)
		return st_error(rc);
	st->in_read = true;
	/* Reading the data version starts the read transaction: from here on
	 * every statement sees this snapshot. */
	int64_t v = 0;
	enum la_status e = data_version(st, &v);
	if (e) {
		store_read_end(st);
		return e == LA_ENOTFOUND ? LA_EDB : e;
	}
	/* A writer may have moved the search index into its own file since
	 * (the upgrade of an older index), or renamed a rebuilt one over it
	 * (searchfile.c): looked for at each new version, attached outside
	 * the transaction, then the read begun again. */
	if (!st->writer && st->fts_looked != (uint64_t)v) {
		st->fts_looked = (uint64_t)v;
		if (st_fts_moved(st)) {
			store_read_end(st);
			if ((e = st_fts_attach(st)))
				return e;
			return store_read_begin(st, version);
		}
	}
	*version = (uint64_t)v;
	st->read_gen = (uint64_t)v;
	/* A writer that upgraded the index since: its tables, not ours. */
	if (st->series_temp && (e = series_reader_tables(st))) {
		store_read_end(st);
		return e;
	}
	return LA_OK;
}

void store_read_end(struct store *st)
{
	if (!st || !st->in_read)
		return;
	sqlite3_stmt *s = st_prepare(st, S_READ_END);
	if (!s || st_step_done(s) != SQLITE_DONE)
		st_exec(st, "ROLLBACK");
	st->in_read = false;
	st->read_gen = 0;
}

enum la_status store_data_version(struct store *st, uint64_t *version)
{
	*version = 0;
	if (st->in_read)
		store_read_end(st);
	/* Outside a transaction the statement takes a read transaction of
	 * its own, so it sees every commit made before it. */
	int64_t v = 0;
	enum la_status e = data_version(st, &v);
	if (e)
		return e == LA_ENOTFOUND ? LA_EDB : e;
	if (!st->writer && st->fts_looked != (uint64_t)v) {
		st->fts_looked = (uint64_t)v; /* (as store_read_begin) */
		uint64_t gen = st->fts_gen;
		if ((e = st_fts_attach(st)))
			return e;
		if (st->fts_gen != gen)
			return store_data_version(st, version);
	}
	*version = (uint64_t)v;
	return LA_OK;
}

/* Ids into an array of at most max (store_msg_ids_after). */
struct ids_out {
	int64_t *ids;
	int max, *n;
};

static int row_id(sqlite3_stmt *s, void *arg)
{
	const struct ids_out *o = arg;
	if (*o->n >= o->max)
		return SQLITE_DONE;
	o->ids[(*o->n)++] = sqlite3_column_int64(s, 0);
	return SQLITE_ROW;
}

enum la_status store_msg_ids_after(struct store *st, int64_t after, int64_t *ids, int max, int *n)
{
	*n = 0;
	sqlite3_stmt *s = st_prepare(st, S_IDS_AFTER);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int(s, 2, max);
	return st_each_row(s, row_id, &(struct ids_out){ids, max, n}) ? LA_EDB : LA_OK;
}

enum la_status store_meta_get(struct store *st, const char *key, char *out, size_t n)
{
	sqlite3_stmt *s = st_prepare(st, S_META_GET);
	if (!s)
		return LA_EDB;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	return edb(st_one_row(s, row_text, &(struct text_out){out, n}));
}

enum la_status store_maildir_seen(struct store *st, int64_t source_id, const char *uniq, bool *seen)
{
	sqlite3_stmt *s = st_prepare(st, S_SEEN_GET);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, source_id);
	sqlite3_bind_text(s, 2, uniq, -1, SQLITE_STATIC);
	enum la_status e = st_one_row(s, NULL, NULL);
	*seen = e == LA_OK;
	return e == LA_ENOTFOUND ? LA_OK : e;
}
