/* sql.c: what every file of the store runs its SQL with (stage-internal,
 * store_int.h): the prepared statements and their text, SQLite's result
 * codes as statuses, a source's path as stored, and which search index
 * the file has. */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

#define MSG_COLS                                                                               \
	"m.id, m.list_id, m.source_id, m.day, m.num, m.ts, m.date, m.mid, m.parent, m.thread," \
	" m.off, m.len, m.flags, mids.mid, m.subject, m.from_name, m.from_addr, m.file, l.name"
/* Four rows of S_MID_INS16. */
#define MID_V4 "(?,?,?,?,?,?),(?,?,?,?,?,?),(?,?,?,?,?,?),(?,?,?,?,?,?)"
/* Eight rows of S_MIDWORD_INS64. */
#define MW_V8 "(?,?),(?,?),(?,?),(?,?),(?,?),(?,?),(?,?),(?,?)"

const char *const st_sql[S_COUNT] = {
	[S_LIST_ID] = "SELECT id FROM lists WHERE name = ?1",
	[S_LIST_INS] = "INSERT INTO lists(name) VALUES(?1)",
	[S_SRC_GET] = "SELECT " SRC_COLS " WHERE s.list_id = ?1 AND s.path = ?2",
	[S_SRC_PATH] = "UPDATE sources SET path = ?2 WHERE id = ?1",
	[S_COPY_SAVE] =
		"INSERT OR REPLACE INTO source_copies(source_id, copy, orig_size, orig_mtime,"
		" orig_fp, copy_len) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[S_SRC_INS] = "INSERT INTO sources(list_id, path, kind) VALUES(?1, ?2, ?3)",
	[S_SRC_BYID] = "SELECT " SRC_COLS " WHERE s.id = ?1",
	[S_SRC_LIST] = "SELECT " SRC_COLS " WHERE s.list_id = ?1 ORDER BY s.id",
	[S_SRC_SAVE] = "UPDATE sources SET done = ?2, fp_head = ?3, fp_tail = ?4, last_ts = ?5"
		       " WHERE id = ?1",
	[S_MID_BYHASH] = "SELECT id, mid, thread, parent, msgs FROM mids WHERE hash = ?1",
	[S_MID_PARENT_OF] = "SELECT parent FROM mids WHERE id = ?1",
	[S_MID_TEXT] = "SELECT mid FROM mids WHERE id = ?1",
	/* The 404 page's near misses: a range of mids_mid, the IDs from ?1
         * (a prefix of the ID ?2) up to ?3 (the first string after every
         * one ?1 begins), at most ?5 rows of it walked, ?4 found. */
	[S_MID_NEAR] = "SELECT mid FROM (SELECT mid, msgs FROM mids WHERE mid >= ?1 AND mid < ?3"
		       " ORDER BY mid LIMIT ?5) WHERE msgs > 0 AND mid <> ?2 LIMIT ?4",
	[S_MID_INS] = "INSERT INTO mids(id, hash, mid, thread, parent, msgs)"
		      " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	/* A commit's new entries, 16 a statement (write.c, cache_flush; row
         * i binds 6i + 1 to 6i + 6). */
	[S_MID_INS16] = "INSERT INTO mids(id, hash, mid, thread, parent, msgs) VALUES" MID_V4
			"," MID_V4 "," MID_V4 "," MID_V4,
	[S_MID_UPD] = "UPDATE mids SET thread = ?2, parent = ?3, msgs = ?4 WHERE id = ?1",
	/* Two subqueries: each max() reads one end of a b-tree, where one
         * query with both walked all of mids_thread. */
	[S_MAX_IDS] = "SELECT (SELECT coalesce(max(id), 0) FROM mids),"
		      " (SELECT coalesce(max(thread), 0) FROM mids)",
	[S_MIDWORD_INS] = "INSERT OR IGNORE INTO mid_words(w, mid) VALUES(?1, ?2)",
	/* A transaction's rows, 64 a statement (write.c,
         * st_mid_words_flush): one step instead of 64 (the ?s number 1, 2,
         * ... as they come: row i binds 2i + 1 and 2i + 2). */
	[S_MIDWORD_INS64] = "INSERT OR IGNORE INTO mid_words(w, mid) VALUES" MW_V8 "," MW_V8
			    "," MW_V8 "," MW_V8 "," MW_V8 "," MW_V8 "," MW_V8 "," MW_V8,
	/* A thread's rows moved to another, MERGE_ROWS a statement: a
         * batch's statement journal, in memory, holds one statement's
         * pages (write.c, merge_threads). */
	[S_MERGE_MIDS] = "UPDATE mids SET thread = ?1 WHERE id IN"
			 " (SELECT id FROM mids WHERE thread = ?2 LIMIT ?3)",
	[S_MERGE_MSGS] = "UPDATE messages SET thread = ?1 WHERE id IN"
			 " (SELECT id FROM messages WHERE thread = ?2 LIMIT ?3)",
	/* The day's messages, and the ones removed since (their numbers
         * are never given again). */
	[S_DAY_GET] = "SELECT count, (SELECT count(*) FROM gone g WHERE g.list_id = ?1"
		      " AND g.day = ?2), (SELECT count(*) FROM messages m WHERE m.list_id = ?1"
		      " AND m.day = ?2 AND m.flags & " PURGED_BIT_SQL " != 0)"
		      " FROM days WHERE list_id = ?1 AND day = ?2",
	[S_DAY_PURGED] = "SELECT min(num) FROM messages WHERE list_id = ?1 AND day = ?2"
			 " AND num > ?3 AND flags & " PURGED_BIT_SQL " != 0",
	[S_DAY_SET] = "INSERT INTO days(list_id, day, count) VALUES(?1, ?2, ?3)"
		      " ON CONFLICT(list_id, day) DO UPDATE SET count = excluded.count",
	[S_MSG_INS] =
		"INSERT INTO messages(list_id, day, num, source_id, off, len, ts, date, mid,"
		" parent, thread, subject, from_name, from_addr, flags, file, tz)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
	[S_SEEN_GET] = "SELECT 1 FROM maildir_seen WHERE source_id = ?1 AND uniq = ?2",
	[S_SEEN_INS] = "INSERT OR IGNORE INTO maildir_seen(source_id, uniq) VALUES(?1, ?2)",
	[S_MSG_GET] = "SELECT " MSG_COLS " FROM messages m JOIN mids ON mids.id = m.mid"
		      " JOIN lists l ON l.id = m.list_id"
		      " WHERE m.list_id = ?1 AND m.day = ?2 AND m.num = ?3",
	[S_MSG_BYID] = "SELECT " MSG_COLS " FROM messages m JOIN mids ON mids.id = m.mid"
		       " JOIN lists l ON l.id = m.list_id WHERE m.id = ?1",
	[S_NAV_PREV] = "SELECT day, num FROM messages WHERE list_id = ?1 AND " NOT_HIDDEN(
		"") " AND (day, num) < (?2, ?3)"
		    " ORDER BY day DESC, num DESC LIMIT 1",
	[S_NAV_NEXT] = "SELECT day, num FROM messages WHERE list_id = ?1 AND " NOT_HIDDEN(
		"") " AND (day, num) > (?2, ?3)"
		    " ORDER BY day, num LIMIT 1",
	[S_NAV_TPREV] =
		"SELECT day, num FROM messages WHERE thread = ?1 AND (ts, id) < (?2, ?3)"
		" AND list_id = ?4 AND " NOT_HIDDEN("") " ORDER BY ts DESC, id DESC LIMIT 1",
	[S_NAV_TNEXT] = "SELECT day, num FROM messages WHERE thread = ?1 AND (ts, id) > (?2, ?3)"
			" AND list_id = ?4 AND " NOT_HIDDEN("") " ORDER BY ts, id LIMIT 1",
	[S_DAY_MSGS] = "SELECT " ENTRY_TZ_COLS " FROM messages m JOIN mids ON mids.id = m.mid"
		       " JOIN lists l ON l.id = m.list_id"
		       " WHERE m.list_id = ?1 AND m.day = ?2 AND m.num >= ?3 AND " NOT_HIDDEN(
			       "m.") " ORDER BY m.num LIMIT ?4",
	/* A listing's lines: without the Message-ID, whose join (one
         * seek into mids a row) was a third of a month page's time. */
	[S_DAY_LINES] = "SELECT " LINE_TZ_COLS " FROM messages m JOIN lists l ON l.id = m.list_id"
			" WHERE m.list_id = ?1 AND m.day = ?2 AND m.num >= ?3 AND " NOT_HIDDEN(
				"m.") " ORDER BY m.num LIMIT ?4",
	[S_DAYS_LINES] = "SELECT " LINE_TZ_COLS " FROM messages m JOIN lists l ON l.id = m.list_id"
			 " WHERE m.list_id = ?1 AND m.day BETWEEN ?2 AND ?3 AND " NOT_HIDDEN(
				 "m.") " ORDER BY m.day, m.num",
	[S_RECENT] = "SELECT " ENTRY_TZ_COLS " FROM messages m JOIN mids ON mids.id = m.mid"
		     " JOIN lists l ON l.id = m.list_id"
		     " WHERE m.list_id = ?1 AND " NOT_HIDDEN(
			     "m.") " ORDER BY m.day DESC, m.num DESC LIMIT ?2",
	[S_BY_MSGID] = "SELECT " ENTRY_TZ_COLS " FROM mids JOIN messages m ON m.mid = mids.id"
		       " JOIN lists l ON l.id = m.list_id"
		       " WHERE mids.hash = ?1 AND mids.mid = ?2 AND (?3 = 0 OR m.list_id = ?3)"
		       " AND " NOT_HIDDEN("m.") " ORDER BY m.ts, m.id",
	[S_THREAD_IDS] = "SELECT id, parent, mid FROM mids WHERE thread = ?1 LIMIT ?2",
	[S_THREAD_MSGS] = "SELECT " ENTRY_TZ_COLS " FROM messages m JOIN mids ON mids.id = m.mid"
			  " JOIN lists l ON l.id = m.list_id"
			  " WHERE m.thread = ?1 AND (?2 = 0 OR m.list_id = ?2) AND " NOT_HIDDEN(
				  "m.") " ORDER BY m.ts, m.id LIMIT ?3",
	/* The same rows without the join of mids (a seek in its b-tree a
         * row): the caller has the thread's Message-IDs from S_THREAD_IDS. */
	[S_THREAD_LEAN] =
		"SELECT l.name, m.day, m.num, m.ts, m.date, m.subject, m.from_name, m.from_addr,"
		" '' AS mid, m.thread, m.id, m.mid, m.parent, m.tz AS tz FROM messages m"
		" JOIN lists l ON l.id = m.list_id"
		" WHERE m.thread = ?1 AND (?2 = 0 OR m.list_id = ?2) AND " NOT_HIDDEN(
			"m.") " ORDER BY m.ts, m.id LIMIT ?3",
	/* Keyset pages of a list: (day, num) is the key, the URL's. */
	[S_LIST_NEWEST] =
		"SELECT " ENTRY_TZ_COLS " FROM messages m JOIN mids ON mids.id = m.mid"
		" JOIN lists l ON l.id = m.list_id"
		" WHERE m.list_id = ?1 AND m.day BETWEEN ?2 AND ?3 AND (m.day, m.num) < (?4, ?5)"
		" AND " NOT_HIDDEN("m.") " ORDER BY m.day DESC, m.num DESC LIMIT ?6",
	[S_LIST_OLDEST] =
		"SELECT " ENTRY_TZ_COLS " FROM messages m JOIN mids ON mids.id = m.mid"
		" JOIN lists l ON l.id = m.list_id"
		" WHERE m.list_id = ?1 AND m.day BETWEEN ?2 AND ?3 AND (m.day, m.num) > (?4, ?5)"
		" AND " NOT_HIDDEN("m.") " ORDER BY m.day, m.num LIMIT ?6",
	/* The days' counts, and apart the hidden messages per day (few, by
         * the partial index messages_hidden): store_day_counts takes the
         * second from the first.  (A subquery per day for the hidden ones
         * cost most of the list page at 100k messages, 6,000 days.) */
	[S_DAY_COUNTS] = "SELECT day, count FROM days WHERE list_id = ?1 AND day BETWEEN ?2 AND ?3"
			 " ORDER BY day",
	[S_DAY_HIDDEN] = "SELECT day, count(*) FROM messages WHERE list_id = ?1"
			 " AND day BETWEEN ?2 AND ?3 AND flags & " HIDDEN_BIT_SQL " != 0"
			 " GROUP BY day ORDER BY day",
	[S_LINES_NOTE] = "INSERT OR IGNORE INTO day_lines_dirty(list_id, day) VALUES(?1, ?2)",
	[S_LINES_DIRTY] = "SELECT list_id, day FROM day_lines_dirty",
	[S_LINES_DEL] = "DELETE FROM day_lines WHERE key = ?1 * 4294967296 + ?2",
	[S_LINES_COUNT] = "SELECT count FROM days WHERE list_id = ?1 AND day = ?2",
	[S_LINES_SET] = "INSERT INTO day_lines(key, count, data)"
			" SELECT ?1 * 4294967296 + ?2, count, ?3 FROM days"
			" WHERE list_id = ?1 AND day = ?2 AND count <= ?4",
	/* A day's row counts only if made at the day's count (an older
         * listarc's additions: the day is read from messages). */
	[S_LINES_GET] = "SELECT d.day, l.name, CASE WHEN b.count = d.count THEN b.data END"
			" FROM days d JOIN lists l ON l.id = d.list_id LEFT JOIN day_lines b"
			" ON b.key = d.list_id * 4294967296 + d.day"
			" WHERE d.list_id = ?1 AND d.day BETWEEN ?2 AND ?3 ORDER BY d.day",
	/* The nearest day with a message shown: a walk from ?2 that stops
         * at the first (max() with the condition walked every day before
         * it, min() every day after). */
	[S_DAY_PREV] = "SELECT day FROM days d WHERE list_id = ?1 AND day < ?2"
		       " AND count > " HIDDEN_IN_DAY("d") " ORDER BY day DESC LIMIT 1",
	[S_DAY_NEXT] = "SELECT day FROM days d WHERE list_id = ?1 AND day > ?2"
		       " AND count > " HIDDEN_IN_DAY("d") " ORDER BY day LIMIT 1",
	[S_LIST_NAMES] = "SELECT name FROM lists ORDER BY name",
	[S_LISTS] = "SELECT l.name, l.id, coalesce(sum(d.count), 0) - " HIDDEN_IN_LIST(
		"l") ","
		     " coalesce(min(d.day), 0),"
		     " coalesce(max(d.day), 0) FROM lists l LEFT JOIN days d ON d.list_id = l.id"
		     " GROUP BY l.id ORDER BY l.name",
	[S_FTS_INS] =
		"INSERT INTO fts(rowid, s, f, t, c, nq, q, dfn, dfa, dfb, dfctx, dfhh, dfpre,"
		" dfpost, n, l, zs, znq, zq, zdfa, zdfb, zdfctx) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7,"
		" ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
	[S_FTS_LORE_INS] =
		"INSERT INTO fts(rowid, s, f, t, c, nq, q, dfn, dfa, dfb, dfctx, dfhh, dfpre,"
		" dfpost, n, l) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
		" ?14, ?15, ?16)",
	[S_FTS_OLD_INS] = "INSERT INTO fts(rowid, s, f, t, c, nq, q, dfn)"
			  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[S_PID_INS] = "INSERT OR IGNORE INTO patchids(pid, id) VALUES(?1, ?2)",
	[S_IDS_AFTER] = "SELECT id FROM messages WHERE id > ?1 ORDER BY id LIMIT ?2",
	[S_META_SET] = "INSERT INTO meta(key, value) VALUES(?1, ?2)"
		       " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[S_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[S_READ_BEGIN] = "BEGIN",
	[S_DATA_VERSION] = "PRAGMA main.data_version",
	/* (Each file counts its own commits: the two together, so that a
         * commit of the search index's file alone, which follows the
         * index's, changes the version too.  Two plain PRAGMAs, not one
         * SELECT of pragma_data_version: a pragma's table is prepared
         * again at every step, a tenth of an uncached page's time.) */
	[S_DATA_VERSION_S] = "PRAGMA s.data_version",
	[S_READ_END] = "COMMIT",
};

/* The prepared statement for id, reset and with bindings cleared; NULL
 * if it cannot be prepared (an internal error). */
sqlite3_stmt *st_prepare(struct store *st, enum st_stmt_id id)
{
	sqlite3_stmt *s = st->prepared[id];
	if (!s) {
		if (st_prepare_sql(st, st_sql[id], SQLITE_PREPARE_PERSISTENT, &st->prepared[id]) !=
		    SQLITE_OK)
			return NULL;
		return st->prepared[id];
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

int st_prepare_sql(struct store *st, const char *sql, unsigned flags, sqlite3_stmt **out)
{
	*out = NULL;
	if (st->has_tz || !strstr(sql, "m.tz"))
		return sqlite3_prepare_v3(st->db, sql, -1, flags, out, NULL);
	/* "NULL" has the length of "m.tz": the text is changed in place. */
	char *copy = strdup(sql);
	if (!copy)
		return SQLITE_NOMEM;
	for (char *p = copy; (p = strstr(p, "m.tz")) != NULL; p += 4)
		memcpy(p, "NULL", 4);
	int rc = sqlite3_prepare_v3(st->db, copy, -1, flags, out, NULL);
	free(copy);
	return rc;
}

bool st_has_column(struct store *st, const char *table, const char *column)
{
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT %s FROM %s LIMIT 0", column, table);
	sqlite3_stmt *s = NULL;
	bool has = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK;
	sqlite3_finalize(s);
	return has;
}

/* Maps an SQLite result code to a status. */
enum la_status st_status(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW: return LA_OK;
	case SQLITE_NOMEM: return LA_ENOMEM;
	case SQLITE_FULL: return LA_ENOSPC;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return LA_EAGAIN;
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN: return LA_EIO;
	default: return LA_EDB;
	}
}

enum la_status st_error(int rc)
{
	enum la_status s = st_status(rc);
	return s == LA_OK ? LA_EDB : s;
}

enum la_status st_fail(struct store *st, int rc, struct la_err *err, const char *what)
{
	enum la_status s = st_error(rc);
	/* A full disk reaches SQLite in many places, and some of them (its
	 * -shm file) it reports as an I/O error: errno tells. */
	int sys = sqlite3_system_errno(st->db);
	if (sys == ENOSPC || sys == EDQUOT) {
		return la_err_set(err, LA_ENOSPC, "index: %s: %s (%s)", what,
		                  sqlite3_errmsg(st->db), strerror(sys));
	}
	return la_err_set(err, s, "index: %s: %s", what, sqlite3_errmsg(st->db));
}

/* Runs a statement that returns no rows. */
int st_step_done(sqlite3_stmt *s)
{
	if (!s)
		return SQLITE_ERROR;
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

enum la_status st_each_row(sqlite3_stmt *s, st_row_fn fn, void *arg)
{
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && (rc = fn(s, arg)) == SQLITE_ROW)
		;
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

enum la_status st_one_row(sqlite3_stmt *s, st_row_fn fn, void *arg)
{
	int rc = sqlite3_step(s);
	bool row = rc == SQLITE_ROW;
	if (row && fn) {
		rc = fn(s, arg);
		if (rc == SQLITE_DONE)
			rc = SQLITE_ROW;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return LA_OK;
	return rc == SQLITE_DONE && !row ? LA_ENOTFOUND : st_error(rc);
}

int st_exec(struct store *st, const char *sql)
{
	return sqlite3_exec(st->db, sql, NULL, NULL, NULL);
}

/* Which search index the index has (st->fts_lore, st->fts_stems): the
 * one with lore's columns and the stems, one with lore's columns only,
 * or the older one of FTS_OLD_COLUMNS. */
void st_fts_columns(struct store *st)
{
	sqlite3_stmt *s = NULL;
	/* A writer's search index in its own file is its second
	 * connection's (the thread that writes it idle first). */
	if (st->fts_db)
		st_fts_idle(st);
	sqlite3 *db = st->fts_db ? st->fts_db : st->db;
	int n = sqlite3_prepare_v2(db, "SELECT * FROM fts LIMIT 0", -1, &s, NULL) == SQLITE_OK
	                ? sqlite3_column_count(s)
	                : 0;
	st->fts_lore = n > FTS_OLD_COLUMNS;
	st->fts_stems = n > FTS_STEM_COLUMNS;
	sqlite3_finalize(s);
}

/* A source's path as stored: relative to the archive directory when it
 * is inside it (the lists `deliver` writes, DIR/mbox/LIST.mbox), so that
 * the whole directory can be moved or restored elsewhere and keep its
 * sources; absolute otherwise. */
const char *st_stored_path(const struct store *st, const char *path)
{
	size_t n = strlen(st->dir);
	if (n > 0 && strncmp(path, st->dir, n) == 0 && path[n] == '/' && path[n + 1])
		return path + n + 1;
	return path;
}

/* A path as stored (relative to the archive directory, or absolute)
 * into out, absolute. */
void st_resolve_path(const struct store *st, const char *p, char *out, size_t n)
{
	size_t dn = strlen(st->dir), pn = p ? strlen(p) : 0;
	if (pn > 0 && p[0] != '/' && dn + 1 + pn < n) {
		memcpy(out, st->dir, dn);
		out[dn] = '/';
		memcpy(out + dn + 1, p, pn + 1);
	} else {
		/* (A relative path too long to resolve stays relative: opening
		 * it fails, and says so.) */
		snprintf(out, n, "%s", p ? p : "");
	}
}
