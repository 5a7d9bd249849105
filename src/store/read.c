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

bool store_search_lore(struct store *st)
{
	/* Asked again each time: a server's connection outlives the
	 * `reindex --search` that brings the columns. */
	st_fts_columns(st);
	return st->fts_lore;
}

/* ---- lists and sources ---- */

enum la_status store_list_id(struct store *st, const char *name, int64_t *id)
{
	*id = 0;
	sqlite3_stmt *s = st_prepare(st, S_LIST_ID);
	if (!s)
		return LA_EDB;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return LA_OK;
	return rc == SQLITE_DONE ? LA_ENOTFOUND : st_status(rc);
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
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		snprintf(out, n, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? LA_OK : rc == SQLITE_DONE ? LA_ENOTFOUND : LA_EDB;
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

/* The source of list_id stored as `key`, in *src; LA_ENOTFOUND if none. */
enum la_status st_source_get(struct store *st, int64_t list_id, const char *key,
                             struct store_source *src)
{
	sqlite3_stmt *s = st_prepare(st, S_SRC_GET);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, list_id);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_source(st, s, src);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return LA_OK;
	return rc == SQLITE_DONE ? LA_ENOTFOUND : LA_EDB;
}

/* An archive stored by a listarc of schema 1 (absolute paths) and then
 * moved or restored elsewhere: the source of list_id and kind stored as an
 * absolute path that ends in "/" + key and no longer exists is this one,
 * moved.  Sets *src (its path still the old one); LA_ENOTFOUND if there is
 * none, or more than one. */
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
	size_t kn = strlen(key);
	int found = 0, rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(s, 2);
		size_t pn = p ? strlen(p) : 0;
		struct stat sb;
		if (pn > kn + 1 && p[pn - kn - 1] == '/' && strcmp(p + pn - kn, key) == 0 &&
		    stat(p, &sb) != 0 && errno == ENOENT && found++ == 0)
			read_source(st, s, src);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return LA_EDB;
	return found == 1 ? LA_OK : LA_ENOTFOUND;
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

enum la_status store_sources(struct store *st, int64_t list_id,
                             bool (*fn)(const struct store_source *s, void *arg), void *arg)
{
	sqlite3_stmt *s = st_prepare(st, S_SRC_LIST);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, list_id);
	/* Copy rows out first: fn may use the store (and this statement). */
	struct store_source *v = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!vec_reserve(&v, &cap, n + 1, sizeof *v)) {
			free(v);
			sqlite3_reset(s);
			return LA_ENOMEM;
		}
		read_source(st, s, &v[n++]);
	}
	sqlite3_reset(s);
	for (size_t i = 0; i < n; i++)
		if (!fn(&v[i], arg))
			break;
	free(v);
	return rc == SQLITE_DONE ? LA_OK : st_status(rc);
}

enum la_status store_source_get(struct store *st, int64_t id, struct store_source *src)
{
	sqlite3_stmt *s = st_prepare(st, S_SRC_BYID);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_source(st, s, src);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? LA_OK : rc == SQLITE_DONE ? LA_ENOTFOUND : st_status(rc);
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

/* Reads the row s has just stepped to (MSG_COLS) into m. */
static enum la_status read_msg(sqlite3_stmt *s, struct store_msg *m)
{
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
		return LA_ENOMEM;
	}
	return LA_OK;
}

static enum la_status get_msg(sqlite3_stmt *s, struct store_msg *m)
{
	int rc = sqlite3_step(s);
	enum la_status e = rc == SQLITE_ROW    ? read_msg(s, m)
	                   : rc == SQLITE_DONE ? LA_ENOTFOUND
	                                       : st_error(rc);
	sqlite3_reset(s);
	return e;
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
	return get_msg(s, m);
}

enum la_status store_msg_by_id(struct store *st, int64_t id, struct store_msg *m)
{
	memset(m, 0, sizeof *m);
	sqlite3_stmt *s = st_prepare(st, S_MSG_BYID);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, id);
	return get_msg(s, m);
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
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*day = sqlite3_column_int(s, 0);
		*num = sqlite3_column_int(s, 1);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? LA_OK : st_status(rc);
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

enum la_status st_each_entry(sqlite3_stmt *s, store_entry_fn fn, void *arg)
{
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
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
		if (!e.list || !e.subject || !e.from_name || !e.from_addr || !e.msgid) {
			rc = SQLITE_NOMEM;
			break;
		}
		if (!fn(&e, arg)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

enum la_status store_day_msgs(struct store *st, int64_t list_id, int day, int from, int limit,
                              store_entry_fn fn, void *arg)
{
	sqlite3_stmt *s = st_prepare(st, S_DAY_MSGS);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, list_id);
	sqlite3_bind_int(s, 2, day);
	sqlite3_bind_int(s, 3, from);
	sqlite3_bind_int(s, 4, limit);
	return st_each_entry(s, fn, arg);
}

enum la_status store_recent(struct store *st, int64_t list_id, int limit, store_entry_fn fn,
                            void *arg)
{
	sqlite3_stmt *s = st_prepare(st, S_RECENT);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, list_id);
	sqlite3_bind_int(s, 2, limit);
	return st_each_entry(s, fn, arg);
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

enum la_status store_thread_ids(struct store *st, int64_t thread, int max,
                                bool (*fn)(int64_t id, int64_t parent, const char *mid, void *arg),
                                void *arg)
{
	sqlite3_stmt *s = st_prepare(st, S_THREAD_IDS);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, thread);
	sqlite3_bind_int(s, 2, max);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *mid = (const char *)sqlite3_column_text(s, 2);
		if (!fn(sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1), mid ? mid : "",
		        arg)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

enum la_status store_thread_msgs(struct store *st, int64_t thread, int64_t list_id, int max,
                                 store_entry_fn fn, void *arg)
{
	sqlite3_stmt *s = st_prepare(st, S_THREAD_MSGS);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, thread);
	sqlite3_bind_int64(s, 2, list_id);
	sqlite3_bind_int(s, 3, max);
	return st_each_entry(s, fn, arg);
}

enum la_status store_list_msgs(struct store *st, int64_t list_id, int since, int until,
                               int after_day, int after_num, bool newest_first, int limit,
                               store_entry_fn fn, void *arg)
{
	sqlite3_stmt *s = st_prepare(st, newest_first ? S_LIST_NEWEST : S_LIST_OLDEST);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, list_id);
	sqlite3_bind_int(s, 2, since);
	sqlite3_bind_int(s, 3, until);
	sqlite3_bind_int(s, 4, after_day);
	sqlite3_bind_int(s, 5, after_num);
	sqlite3_bind_int(s, 6, limit);
	return st_each_entry(s, fn, arg);
}

enum la_status store_mid_find(struct store *st, const char *msgid, int64_t *id, int64_t *thread)
{
	*id = *thread = 0;
	sqlite3_stmt *s = st_prepare(st, S_MID_BYHASH);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, (int64_t)hash64(msgid, strlen(msgid), 0));
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *mid = (const char *)sqlite3_column_text(s, 1);
		if (mid && strcmp(mid, msgid) == 0) {
			*id = sqlite3_column_int64(s, 0);
			*thread = sqlite3_column_int64(s, 2);
			break;
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return st_error(rc);
	return *id ? LA_OK : LA_ENOTFOUND;
}

enum la_status store_mids_near(struct store *st, const char *prefix, const char *msgid, size_t max,
                               void (*fn)(const char *mid, void *arg), void *arg)
{
	size_t found = 0;
	int rc = SQLITE_DONE;
	/* The IDs msgid begins, longest first: each a lookup by hash. */
	size_t n = strlen(msgid);
	for (size_t k = n; k-- > NEAR_ID_MIN && found < max;) {
		sqlite3_stmt *s = st_prepare(st, S_MID_BYHASH);
		if (!s)
			return LA_EDB;
		sqlite3_bind_int64(s, 1, (int64_t)hash64(msgid, k, 0));
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			const char *mid = (const char *)sqlite3_column_text(s, 1);
			if (mid && (size_t)sqlite3_column_bytes(s, 1) == k &&
			    !memcmp(mid, msgid, k) && sqlite3_column_int64(s, 4) > 0) {
				fn(mid, arg);
				found++;
				break;
			}
		}
		sqlite3_reset(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return st_error(rc);
	}
	if (found >= max || !prefix[0])
		return LA_OK;
	sqlite3_stmt *s = st_prepare(st, S_MID_NEAR);
	if (!s)
		return LA_EDB;
	sqlite3_bind_text(s, 1, prefix, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, msgid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, NEAR_SCAN_MAX);
	sqlite3_bind_int64(s, 4, (int64_t)(max - found));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *mid = (const char *)sqlite3_column_text(s, 0);
		if (mid)
			fn(mid, arg);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

enum la_status store_mid_text(struct store *st, int64_t id, char *out, size_t n)
{
	if (n)
		out[0] = '\0';
	sqlite3_stmt *s = st_prepare(st, S_MID_TEXT);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);
		snprintf(out, n, "%s", t ? t : "");
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? LA_OK : rc == SQLITE_DONE ? LA_ENOTFOUND : st_status(rc);
}

enum la_status store_day_counts(struct store *st, int64_t list_id, int from, int to,
                                bool (*fn)(int day, int count, void *arg), void *arg)
{
	sqlite3_stmt *s = st_prepare(st, S_DAY_COUNTS);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, list_id);
	sqlite3_bind_int(s, 2, from);
	sqlite3_bind_int(s, 3, to);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (!fn(sqlite3_column_int(s, 0), sqlite3_column_int(s, 1), arg)) {
			rc = SQLITE_DONE;
			break;
		}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
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
		int rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			*(id == S_DAY_PREV ? prev : next) = sqlite3_column_int(s, 0);
		sqlite3_reset(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return st_error(rc);
	}
	return LA_OK;
}

enum la_status store_list_names(struct store *st, bool (*fn)(const char *name, void *arg),
                                void *arg)
{
	sqlite3_stmt *s = st_prepare(st, S_LIST_NAMES);
	if (!s)
		return LA_EDB;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		if (name && !fn(name, arg)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

enum la_status store_lists(struct store *st, bool (*fn)(const struct store_list_info *l, void *arg),
                           void *arg)
{
	sqlite3_stmt *s = st_prepare(st, S_LISTS);
	if (!s)
		return LA_EDB;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_list_info l;
		l.name = (const char *)sqlite3_column_text(s, 0);
		l.id = sqlite3_column_int64(s, 1);
		l.count = sqlite3_column_int64(s, 2);
		l.first_day = sqlite3_column_int(s, 3);
		l.last_day = sqlite3_column_int(s, 4);
		if (!l.name) {
			rc = SQLITE_NOMEM;
			break;
		}
		if (!fn(&l, arg)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
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
	s = st_prepare(st, S_DATA_VERSION);
	if (!s) {
		store_read_end(st);
		return LA_EDB;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*version = (uint64_t)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW) {
		store_read_end(st);
		return st_error(rc);
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
}

enum la_status store_msg_ids_after(struct store *st, int64_t after, int64_t *ids, int max, int *n)
{
	*n = 0;
	sqlite3_stmt *s = st_prepare(st, S_IDS_AFTER);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int(s, 2, max);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max)
		ids[(*n)++] = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? LA_OK : LA_EDB;
}

enum la_status store_meta_get(struct store *st, const char *key, char *out, size_t n)
{
	sqlite3_stmt *s = st_prepare(st, S_META_GET);
	if (!s)
		return LA_EDB;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(s, 0);
		snprintf(out, n, "%s", v ? v : "");
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? LA_OK : rc == SQLITE_DONE ? LA_ENOTFOUND : LA_EDB;
}

enum la_status store_maildir_seen(struct store *st, int64_t source_id, const char *uniq, bool *seen)
{
	sqlite3_stmt *s = st_prepare(st, S_SEEN_GET);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, source_id);
	sqlite3_bind_text(s, 2, uniq, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	*seen = rc == SQLITE_ROW;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? LA_OK : st_status(rc);
}
