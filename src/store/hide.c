/* hide.c: hidden messages (`listarc hide`, `unhide`) and their log.
 *
 * What is hidden is (list, Message-ID), in the table `hidden`; the
 * messages it names carry STORE_F_HIDDEN in messages.flags, which every
 * read of a listing tests.  The table is the truth and the bit its
 * cache: a rebuild deletes the messages and indexes them again, and
 * store_commit's hide_apply sets the bit on those the table names in the
 * same transaction, so no reader ever sees them shown.  The mbox is never
 * written. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/store_int.h"
#include "util/hash.h"

/* Prepares sql on st's connection; NULL (and *rc the error) on failure. */
static sqlite3_stmt *prepare(struct store *st, const char *sql, int *rc)
{
	sqlite3_stmt *s = NULL;
	*rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	return *rc == SQLITE_OK ? s : NULL;
}

static int64_t mid_hash(const char *msgid)
{
	return (int64_t)hash64(msgid, strlen(msgid), 0);
}

enum la_status hide_apply(struct store *st)
{
	int rc;
	/* CROSS JOIN keeps the order, from the few hidden rows out: left to
	 * itself the planner scanned every message, at every commit of the
	 * indexer (quadratic in the archive's size). */
	sqlite3_stmt *s =
		prepare(st,
	                "UPDATE messages SET flags = flags | " HIDDEN_BIT_SQL
	                " WHERE id IN (SELECT m.id FROM hidden h CROSS JOIN mids"
	                " ON mids.hash = h.hash AND mids.mid = h.msgid CROSS JOIN messages m"
	                " ON m.mid = mids.id AND m.list_id = h.list_id"
	                " WHERE " NOT_HIDDEN("m.") ")",
	                &rc);
	if (s)
		rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

/* The number of messages of list_id with Message-ID msgid into *n. */
static int count_msgs(struct store *st, int64_t list_id, const char *msgid, int *n)
{
	int rc;
	sqlite3_stmt *s = prepare(st,
	                          "SELECT count(*) FROM mids JOIN messages m ON m.mid = mids.id"
	                          " WHERE mids.hash = ?1 AND mids.mid = ?2 AND m.list_id = ?3",
	                          &rc);
	if (!s)
		return rc;
	sqlite3_bind_int64(s, 1, mid_hash(msgid));
	sqlite3_bind_text(s, 2, msgid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, list_id);
	rc = sqlite3_step(s);
	*n = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

static int log_event(struct store *st, const char *action, int64_t list_id, const char *msgid,
                     const char *by, const char *reason)
{
	int rc;
	sqlite3_stmt *s = prepare(st,
	                          "INSERT INTO hide_log(at, action, list, msgid, by, reason)"
	                          " SELECT ?1, ?2, name, ?4, ?5, ?6 FROM lists WHERE id = ?3",
	                          &rc);
	if (!s)
		return rc;
	sqlite3_bind_int64(s, 1, (int64_t)time(NULL));
	sqlite3_bind_text(s, 2, action, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, list_id);
	sqlite3_bind_text(s, 4, msgid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, by, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, reason, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc;
}

/* The hidden row of (list_id, msgid): LA_OK with its reason and time,
 * LA_ENOTFOUND, or LA_EDB.  list_id 0: in any list. */
static enum la_status hidden_get(struct store *st, int64_t list_id, const char *msgid, char *reason,
                                 size_t n, int64_t *since, bool private_too)
{
	if (n)
		reason[0] = '\0';
	int rc;
	sqlite3_stmt *s = prepare(st,
	                          "SELECT reason, since, public FROM hidden WHERE msgid = ?1"
	                          " AND (?2 = 0 OR list_id = ?2) ORDER BY since LIMIT 1",
	                          &rc);
	if (!s)
		/* An index no writer of this version has opened: nothing is
		 * hidden in it. */
		return LA_ENOTFOUND;
	sqlite3_bind_text(s, 1, msgid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, list_id);
	rc = sqlite3_step(s);
	enum la_status e = LA_ENOTFOUND;
	if (rc == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(s, 0);
		if (!private_too && !sqlite3_column_int(s, 2))
			r = "";
		if (n)
			snprintf(reason, n, "%s", r ? r : "");
		if (since)
			*since = sqlite3_column_int64(s, 1);
		e = LA_OK;
	} else if (rc != SQLITE_DONE) {
		e = st_error(rc);
	}
	sqlite3_finalize(s);
	return e;
}

enum la_status store_hidden_reason(struct store *st, int64_t list_id, const char *msgid,
                                   char *reason, size_t n)
{
	return hidden_get(st, list_id, msgid, reason, n, NULL, false);
}

enum la_status store_hide(struct store *st, int64_t list_id, const char *msgid, const char *by,
                          const char *reason, bool public, int *n, struct la_err *err)
{
	*n = 0;
	enum la_status e = store_begin(st, err);
	if (e)
		return e;
	char old[512];
	int64_t since = 0;
	e = hidden_get(st, list_id, msgid, old, sizeof old, &since, true);
	if (e == LA_OK) {
		store_rollback(st);
		char when[32] = "";
		time_t t = (time_t)since;
		struct tm tm;
		if (gmtime_r(&t, &tm))
			strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
		return la_err_set(err, LA_EINVAL, "<%s> is hidden already (since %s: %s)", msgid,
		                  when, old);
	}
	if (e != LA_ENOTFOUND) {
		store_rollback(st);
		return la_err_set(err, e, "hide: %s", sqlite3_errmsg(st->db));
	}
	int rc = count_msgs(st, list_id, msgid, n);
	if (rc == SQLITE_DONE && *n == 0) {
		store_rollback(st);
		return la_err_set(err, LA_ENOTFOUND, "the list has no message <%s>", msgid);
	}
	sqlite3_stmt *s = NULL;
	if (rc == SQLITE_DONE &&
	    (s = prepare(st,
	                 "INSERT INTO hidden(list_id, hash, msgid, reason, public, since)"
	                 " VALUES(?1, ?2, ?3, ?4, ?6, ?5)",
	                 &rc))) {
		sqlite3_bind_int64(s, 1, list_id);
		sqlite3_bind_int64(s, 2, mid_hash(msgid));
		sqlite3_bind_text(s, 3, msgid, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, reason, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 5, (int64_t)time(NULL));
		sqlite3_bind_int(s, 6, public);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
	}
	if (rc == SQLITE_DONE)
		rc = log_event(st, "hide", list_id, msgid, by, reason);
	if (rc != SQLITE_DONE) {
		e = st_fail(st, rc, err, "hide");
		store_rollback(st);
		return e;
	}
	/* store_commit sets the bit (hide_apply) and its series' state
	 * follows (series.c). */
	if ((e = series_dirty_msgid(st, list_id, msgid))) {
		store_rollback(st);
		return la_err_set(err, e, "hide: %s", sqlite3_errmsg(st->db));
	}
	return store_commit(st, NULL, err);
}

enum la_status store_unhide(struct store *st, int64_t list_id, const char *msgid, const char *by,
                            const char *reason, int *n, struct la_err *err)
{
	*n = 0;
	if (store_msg_purged(st, list_id, msgid))
		return la_err_set(err, LA_EINVAL,
		                  "<%s> was purged (`listarc purge`): its bytes are gone, and it "
		                  "stays hidden",
		                  msgid);
	enum la_status e = store_begin(st, err);
	if (e)
		return e;
	int rc;
	sqlite3_stmt *s = prepare(st, "DELETE FROM hidden WHERE list_id = ?1 AND msgid = ?2", &rc);
	if (s) {
		sqlite3_bind_int64(s, 1, list_id);
		sqlite3_bind_text(s, 2, msgid, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc == SQLITE_DONE && sqlite3_changes(st->db) == 0) {
			store_rollback(st);
			return la_err_set(err, LA_ENOTFOUND, "<%s> is not hidden in this list",
			                  msgid);
		}
	}
	if (rc == SQLITE_DONE &&
	    (s = prepare(st,
	                 "UPDATE messages SET flags = flags & ~" HIDDEN_BIT_SQL
	                 " WHERE list_id = ?1 AND mid IN (SELECT id FROM mids WHERE hash = ?2"
	                 " AND mid = ?3)",
	                 &rc))) {
		sqlite3_bind_int64(s, 1, list_id);
		sqlite3_bind_int64(s, 2, mid_hash(msgid));
		sqlite3_bind_text(s, 3, msgid, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		*n = sqlite3_changes(st->db);
		sqlite3_finalize(s);
	}
	if (rc == SQLITE_DONE)
		rc = log_event(st, "unhide", list_id, msgid, by, reason);
	if (rc == SQLITE_DONE && series_dirty_msgid(st, list_id, msgid))
		rc = SQLITE_NOMEM;
	if (rc != SQLITE_DONE) {
		e = st_fail(st, rc, err, "unhide");
		store_rollback(st);
		return e;
	}
	return store_commit(st, NULL, err);
}

enum la_status store_hide_log(struct store *st, const char *list,
                              bool (*fn)(const struct store_hide_event *ev, void *arg), void *arg)
{
	int rc;
	sqlite3_stmt *s = prepare(st,
	                          "SELECT at, action, list, msgid, by, reason FROM hide_log"
	                          " WHERE ?1 IS NULL OR list = ?1 ORDER BY id",
	                          &rc);
	if (!s) {
		/* No log table: an index nothing was ever hidden in, opened
		 * read-only before a writer of this version added the table. */
		if (strstr(sqlite3_errmsg(st->db), "no such table"))
			return LA_OK;
		return LA_EDB;
	}
	if (list)
		sqlite3_bind_text(s, 1, list, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_hide_event ev = {
			.at = sqlite3_column_int64(s, 0),
			.action = (const char *)sqlite3_column_text(s, 1),
			.list = (const char *)sqlite3_column_text(s, 2),
			.msgid = (const char *)sqlite3_column_text(s, 3),
			.by = (const char *)sqlite3_column_text(s, 4),
			.reason = (const char *)sqlite3_column_text(s, 5),
		};
		if (!ev.action || !ev.list || !ev.msgid || !ev.by || !ev.reason) {
			rc = SQLITE_NOMEM;
			break;
		}
		if (!fn(&ev, arg)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

enum la_status store_hide_changes(struct store *st, int64_t list_id, int64_t after, int64_t *last,
                                  bool (*fn)(int day, int num, void *arg), void *arg)
{
	*last = after;
	int rc;
	/* The log's rowid range after `after`: what was logged since, read
	 * whole first (the second statement runs per entry). */
	sqlite3_stmt *s = prepare(st,
	                          "SELECT h.id, h.msgid FROM hide_log h JOIN lists l"
	                          " ON l.name = h.list AND l.id = ?2 WHERE h.id > ?1 ORDER BY h.id",
	                          &rc);
	if (!s)
		return LA_OK; /* an index made before the log: nothing logged */
	sqlite3_stmt *m = prepare(st,
	                          "SELECT m.day, m.num FROM mids JOIN messages m ON m.mid = mids.id"
	                          " WHERE mids.hash = ?1 AND mids.mid = ?2 AND m.list_id = ?3",
	                          &rc);
	if (!m) {
		sqlite3_finalize(s);
		return st_error(rc);
	}
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int64(s, 2, list_id);
	bool go = true;
	while (go && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *msgid = (const char *)sqlite3_column_text(s, 1);
		*last = sqlite3_column_int64(s, 0);
		if (!msgid)
			continue;
		sqlite3_bind_int64(m, 1, mid_hash(msgid));
		sqlite3_bind_text(m, 2, msgid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(m, 3, list_id);
		int r;
		while (go && (r = sqlite3_step(m)) == SQLITE_ROW)
			go = fn(sqlite3_column_int(m, 0), sqlite3_column_int(m, 1), arg);
		sqlite3_reset(m);
	}
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE; /* stopped by fn */
	sqlite3_finalize(s);
	sqlite3_finalize(m);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

enum la_status store_gone_each(struct store *st, int64_t list_id, int64_t *n,
                               bool (*fn)(int day, int num, void *arg), void *arg)
{
	*n = 0;
	int rc;
	sqlite3_stmt *s = prepare(st,
	                          fn ? "SELECT day, num FROM gone WHERE list_id = ?1"
	                             : "SELECT count(*) FROM gone WHERE list_id = ?1",
	                          &rc);
	if (!s)
		return LA_OK; /* an index made before the table: nothing removed */
	sqlite3_bind_int64(s, 1, list_id);
	bool go = true;
	while (go && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!fn) {
			*n = sqlite3_column_int64(s, 0);
			continue;
		}
		(*n)++;
		go = fn(sqlite3_column_int(s, 0), sqlite3_column_int(s, 1), arg);
	}
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}
