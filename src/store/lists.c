/* lists.c: managing lists (`listarc list`): add, remove, rename, and the
 * settings kept in the index (description, posting address). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/store_int.h"
#include "store/stats_sql.h"

static enum la_status step_status(int rc)
{
	return rc == SQLITE_DONE || rc == SQLITE_OK ? LA_OK
	       : st_status(rc)                      ? st_status(rc)
	                                            : LA_EDB;
}

enum la_status store_list_add(struct store *st, const char *name, int64_t *id, struct la_err *err)
{
	*id = 0;
	if (store_list_id(st, name, id) == LA_OK)
		return la_err_set(err, LA_EINVAL, "%s: the list exists already", name);
	enum la_status e = store_begin(st, err);
	if (!e)
		e = store_list_ensure(st, name, id, err);
	if (!e)
		return store_commit(st, NULL, err);
	store_rollback(st);
	return e;
}

enum la_status store_list_remove(struct store *st, int64_t list_id, struct la_err *err)
{
	/* As store_list_purge, and then the list's sources, settings and
	 * hidden messages (the hide log keeps what was done), in one
	 * transaction. */
	char sql[4096];
	long long id = (long long)list_id;
	snprintf(
		sql, sizeof sql,
		"BEGIN IMMEDIATE;"
		"UPDATE mids SET msgs = msgs - (SELECT count(*) FROM messages m"
		" WHERE m.mid = mids.id AND m.list_id = %1$lld)"
		" WHERE id IN (SELECT mid FROM messages WHERE list_id = %1$lld);"
		"DELETE FROM patchids WHERE id IN (SELECT id FROM messages WHERE list_id = %1$lld);"
		"DELETE FROM trailers WHERE id IN (SELECT id FROM messages WHERE list_id = %1$lld);"
		"DELETE FROM series_msgs WHERE id IN (SELECT id FROM messages WHERE list_id = %1$lld);"
		"DELETE FROM series_gone WHERE series IN (SELECT id FROM series WHERE list_id = %1$lld);"
		"DELETE FROM series_walk_members WHERE start IN"
		" (SELECT id FROM series WHERE list_id = %1$lld);"
		"DELETE FROM series_walk_starts WHERE member IN"
		" (SELECT id FROM series WHERE list_id = %1$lld);"
		"DELETE FROM series WHERE list_id = %1$lld;"
		"DELETE FROM series_state WHERE list_id = %1$lld;"
		"DELETE FROM messages WHERE list_id = %1$lld;" STATS_PURGE(
			"%1$lld") "DELETE FROM days WHERE list_id = %1$lld;"
				  "DELETE FROM maildir_seen WHERE source_id IN"
				  " (SELECT id FROM sources WHERE list_id = %1$lld);"
				  "DELETE FROM source_copies WHERE source_id IN"
				  " (SELECT id FROM sources WHERE list_id = %1$lld);"
				  "DELETE FROM sources WHERE list_id = %1$lld;"
				  "DELETE FROM hidden WHERE list_id = %1$lld;"
				  "DELETE FROM list_settings WHERE list_id = %1$lld;"
				  "DELETE FROM list_renames WHERE list_id = %1$lld;"
				  "DELETE FROM lists WHERE id = %1$lld;"
				  "INSERT INTO meta(key, value) VALUES('updated', %2$lld)"
				  " ON CONFLICT(key) DO UPDATE SET value = excluded.value;"
				  "COMMIT;",
		id, (long long)time(NULL));
	enum la_status je = st_journals(st, false); /* (whole-list statements) */
	if (je)
		return la_err_set(err, je, "remove list: %s", sqlite3_errmsg(st->db));
	int rc = st_exec(st, sql);
	if (rc != SQLITE_OK) {
		enum la_status e = st_fail(st, rc, err, "remove list");
		st_exec(st, "ROLLBACK");
		store_rollback(st);
		return e;
	}
	store_rollback(st); /* drop caches that may name removed rows */
	return LA_OK;
}

enum la_status store_list_rename(struct store *st, int64_t list_id, const char *name,
                                 struct la_err *err)
{
	int64_t other;
	if (store_list_id(st, name, &other) == LA_OK)
		return la_err_set(err, LA_EINVAL, "%s: a list of that name exists already", name);
	enum la_status e = store_begin(st, err);
	if (e)
		return e;
	/* The old name answers 301 to the new one; a name given back to the
	 * list stops doing so.  The hide log names lists by name: its
	 * entries follow, so that `listarc log NEW` has them all. */
	static const char *const steps[] = {
		("INSERT OR REPLACE INTO list_renames(old, list_id)"
	         " SELECT name, id FROM lists WHERE id = ?1"),
		"UPDATE hide_log SET list = ?2 WHERE list = (SELECT name FROM lists WHERE id = ?1)",
		"UPDATE lists SET name = ?2 WHERE id = ?1",
		"DELETE FROM list_renames WHERE old = ?2",
	};
	int rc = SQLITE_DONE;
	for (size_t i = 0; rc == SQLITE_DONE && i < sizeof steps / sizeof *steps; i++) {
		sqlite3_stmt *s = NULL;
		rc = sqlite3_prepare_v2(st->db, steps[i], -1, &s, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_int64(s, 1, list_id);
			if (sqlite3_bind_parameter_count(s) >= 2)
				sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
			rc = sqlite3_step(s);
		}
		sqlite3_finalize(s);
	}
	if (rc != SQLITE_DONE) {
		e = st_fail(st, rc, err, "rename list");
		store_rollback(st);
		return e;
	}
	return store_commit(st, NULL, err);
}

/* Steps q with ?1 list_id and ?2 path bound. */
static int step_with(sqlite3_stmt *q, int64_t list_id, const char *path)
{
	sqlite3_reset(q);
	sqlite3_bind_int64(q, 1, list_id);
	sqlite3_bind_text(q, 2, path, -1, SQLITE_TRANSIENT);
	return sqlite3_step(q);
}

enum la_status store_list_mbox(struct store *st, int64_t list_id, const char *name, char *out,
                               size_t n)
{
	char want[LISTNAME_MAX + 32];
	snprintf(want, sizeof want, "mbox/%s.mbox", name);
	const char *path = want;
	sqlite3_stmt *own = NULL, *taken = NULL;
	/* The list's own mbox of mbox/, the one of its name first. */
	int rc = sqlite3_prepare_v2(st->db,
	                            "SELECT path FROM sources WHERE list_id = ?1 AND kind = 0"
	                            " AND path GLOB 'mbox/*.mbox' AND path NOT GLOB 'mbox/*/*'"
	                            " ORDER BY path = ?2 DESC, id LIMIT 1",
	                            -1, &own, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(st->db,
		                        "SELECT 1 FROM sources WHERE path = ?2 AND list_id <> ?1",
		                        -1, &taken, NULL);
	if (rc == SQLITE_OK && (rc = step_with(own, list_id, want)) == SQLITE_ROW) {
		path = (const char *)sqlite3_column_text(own, 0);
		rc = path ? SQLITE_DONE : SQLITE_NOMEM;
	} else if (rc == SQLITE_DONE) {
		/* None: the name's, or NAME.2.mbox, NAME.3.mbox ..., the first
		 * that is not another list's source (a list given a name another
		 * list had). */
		for (int k = 2; (rc = step_with(taken, list_id, want)) == SQLITE_ROW && k <= 100;
		     k++)
			snprintf(want, sizeof want, "mbox/%s.%d.mbox", name, k);
	}
	enum la_status e = rc == SQLITE_DONE ? LA_OK : rc == SQLITE_ROW ? LA_EINVAL : st_error(rc);
	if (!e && (size_t)snprintf(out, n, "%s", path) >= n)
		e = LA_ETOOBIG;
	sqlite3_finalize(own);
	sqlite3_finalize(taken);
	return e;
}

static const char *setting_column(enum store_list_setting k)
{
	return k == LIST_DESCRIPTION ? "description" : "address";
}

enum la_status store_list_set(struct store *st, int64_t list_id, enum store_list_setting k,
                              const char *value, struct la_err *err)
{
	enum la_status e = store_begin(st, err);
	if (e)
		return e;
	char sql[256];
	snprintf(sql, sizeof sql,
	         "INSERT INTO list_settings(list_id, %s) VALUES(?1, ?2)"
	         " ON CONFLICT(list_id) DO UPDATE SET %s = excluded.%s",
	         setting_column(k), setting_column(k), setting_column(k));
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, list_id);
		if (value && value[0])
			sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		e = st_fail(st, rc, err, "list setting");
		store_rollback(st);
		return e;
	}
	return store_commit(st, NULL, err);
}

enum la_status store_list_get(struct store *st, int64_t list_id, enum store_list_setting k,
                              char *out, size_t n)
{
	if (n)
		out[0] = '\0';
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT %s FROM list_settings WHERE list_id = ?1",
	         setting_column(k));
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		/* An index no writer of this version has opened has none. */
		sqlite3_finalize(s);
		return LA_ENOTFOUND;
	}
	sqlite3_bind_int64(s, 1, list_id);
	int rc = sqlite3_step(s);
	enum la_status e = LA_ENOTFOUND;
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		const char *v = (const char *)sqlite3_column_text(s, 0);
		if (v && n)
			snprintf(out, n, "%s", v);
		e = v ? LA_OK : LA_ENOMEM;
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		e = step_status(rc);
	}
	sqlite3_finalize(s);
	return e;
}
