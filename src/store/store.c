/* store.c: the SQLite index: opening it (schema, versions, pragmas), the
 * prepared statements, lists and sources, and the reads pages make.  The
 * writes are in write.c, searches in search.c, a message's bytes in
 * bytes.c; store_int.h is what they share. */
#include "store/store.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store_int.h"
#include "util/hash.h"
#include "util/vec.h"

/* 2: sources inside the archive directory are stored relative to it.  A
 * listarc that reads 1 refuses an index of 2 (it would take the relative
 * paths for new sources and read every mbox again); this one reads both
 * and makes a 1 a 2 when it first writes. */
#define SCHEMA_VERSION 2
#define SCHEMA_OLDEST 1

/* The search index: s subject, f from, t to, c cc, nq non-quoted body,
 * q quoted body, dfn file names of patches; and (lore's prefixes) the
 * diffs' removed, added and context lines and hunk header context, the
 * blob ids of their index lines, attachment file names, List-Id. */
#define FTS_SQL                                                                                      \
	"CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(s, f, t, c, nq, q, dfn, dfa, dfb, dfctx," \
	" dfhh, dfpre, dfpost, n, l, content='', tokenize='unicode61 remove_diacritics 2')"
/* Columns of the search index before the lore prefixes. */
#define FTS_OLD_COLUMNS 7

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;\n"
	"CREATE TABLE IF NOT EXISTS lists(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);\n"
	/* done: bytes indexed; fp_*: fingerprints that detect a rewritten mbox. */
	"CREATE TABLE IF NOT EXISTS sources(id INTEGER PRIMARY KEY, list_id INTEGER NOT NULL,"
	" path TEXT NOT NULL, kind INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0,"
	" fp_head INTEGER NOT NULL DEFAULT 0, fp_tail INTEGER NOT NULL DEFAULT 0,"
	" last_ts INTEGER NOT NULL DEFAULT 0, UNIQUE(list_id, path));\n"
	/* Every Message-ID seen, as a message or only as a reference (a ghost),
         * found by a 64-bit hash of its text.  Ids and thread ids are handed
         * out in order, so that new rows land at the ends of the b-trees. */
	"CREATE TABLE IF NOT EXISTS mids(id INTEGER PRIMARY KEY, hash INTEGER NOT NULL,"
	" mid TEXT NOT NULL, thread INTEGER NOT NULL, parent INTEGER,"
	" msgs INTEGER NOT NULL DEFAULT 0);\n"
	"CREATE INDEX IF NOT EXISTS mids_hash ON mids(hash);\n"
	"CREATE INDEX IF NOT EXISTS mids_thread ON mids(thread);\n"
	/* AUTOINCREMENT: ids of deleted messages (--rebuild) are never reused,
         * so rows the contentless search index keeps for them match nothing. */
	"CREATE TABLE IF NOT EXISTS messages(id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" list_id INTEGER NOT NULL,"
	" day INTEGER NOT NULL, num INTEGER NOT NULL, source_id INTEGER NOT NULL,"
	" off INTEGER NOT NULL, len INTEGER NOT NULL, ts INTEGER NOT NULL, date INTEGER,"
	" mid INTEGER NOT NULL, parent INTEGER, thread INTEGER NOT NULL,"
	" subject TEXT NOT NULL, from_name TEXT NOT NULL, from_addr TEXT NOT NULL,"
	" flags INTEGER NOT NULL DEFAULT 0, file TEXT);\n"
	"CREATE UNIQUE INDEX IF NOT EXISTS messages_daynum ON messages(list_id, day, num);\n"
	"CREATE INDEX IF NOT EXISTS messages_thread ON messages(thread, ts);\n"
	"CREATE INDEX IF NOT EXISTS messages_mid ON messages(mid);\n"
	/* d: searches: the expression is the one search/query.c writes. */
	"CREATE INDEX IF NOT EXISTS messages_when ON messages(coalesce(date, ts));\n"
	/* rt: searches (the delivery time). */
	"CREATE INDEX IF NOT EXISTS messages_ts ON messages(ts);\n"
	/* Messages per day: the calendar, and the next free day number. */
	"CREATE TABLE IF NOT EXISTS days(list_id INTEGER NOT NULL, day INTEGER NOT NULL,"
	" count INTEGER NOT NULL, PRIMARY KEY(list_id, day)) WITHOUT ROWID;\n"
	/* Full text: contentless (the text stays in the mbox), rowid =
         * messages.id (see FTS_SQL).  An index made before the lore
         * columns has the first seven only until `reindex --search`. */
	FTS_SQL ";\n"
	/* `git patch-id --stable` of the patches in each message (patchid:),
         * as 40 hex digits; filled with the search index. */
	"CREATE TABLE IF NOT EXISTS patchids(pid TEXT NOT NULL, id INTEGER NOT NULL,"
	" PRIMARY KEY(pid, id)) WITHOUT ROWID;\n"
	"CREATE TABLE IF NOT EXISTS maildir_seen(source_id INTEGER NOT NULL, uniq TEXT NOT NULL,"
	" PRIMARY KEY(source_id, uniq)) WITHOUT ROWID;\n"
	/* A compressed source's decompressed copy (in the archive directory,
         * stored relative to it), which its messages' offsets are in, and
         * what the original was when the copy was last made whole (size,
         * mtime in ns, fingerprint; copy_len: the copy's length then). */
	"CREATE TABLE IF NOT EXISTS source_copies(source_id INTEGER PRIMARY KEY,"
	" copy TEXT NOT NULL, orig_size INTEGER NOT NULL DEFAULT -1,"
	" orig_mtime INTEGER NOT NULL DEFAULT 0, orig_fp INTEGER NOT NULL DEFAULT 0,"
	" copy_len INTEGER NOT NULL DEFAULT -1);\n"
	/* Hidden messages (`listarc hide`, hide.c) and the log of every hide
         * and unhide: kept apart from the messages, so that a rebuild
         * finds them and hides the messages again; and lists' settings
         * (`listarc list`, lists.c). */
	HIDE_SQL;

#define MSG_COLS                                                                               \
	"m.id, m.list_id, m.source_id, m.day, m.num, m.ts, m.date, m.mid, m.parent, m.thread," \
	" m.off, m.len, m.flags, mids.mid, m.subject, m.from_name, m.from_addr, m.file, l.name"
/* A source and its decompressed copy, if it has one (read_source). */
#define SRC_COLS                                                                            \
	"s.id, s.list_id, s.path, s.kind, s.done, s.fp_head, s.fp_tail, s.last_ts, c.copy," \
	" coalesce(c.orig_size, -1), coalesce(c.orig_mtime, 0), coalesce(c.orig_fp, 0),"    \
	" coalesce(c.copy_len, -1)"                                                         \
	" FROM sources s LEFT JOIN source_copies c ON c.source_id = s.id"
#define ENTRY_COLS                                                                           \
	"l.name, m.day, m.num, m.ts, m.date, m.subject, m.from_name, m.from_addr, mids.mid," \
	" m.thread, m.id, m.mid, m.parent"

const char *const stmt_sql[S_COUNT] = {
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
	[S_MID_INS] = "INSERT INTO mids(id, hash, mid, thread, parent, msgs)"
		      " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[S_MID_UPD] = "UPDATE mids SET thread = ?2, parent = ?3, msgs = ?4 WHERE id = ?1",
	[S_MAX_IDS] = "SELECT coalesce(max(id), 0), coalesce(max(thread), 0) FROM mids",
	[S_MERGE_MIDS] = "UPDATE mids SET thread = ?1 WHERE thread = ?2",
	[S_MERGE_MSGS] = "UPDATE messages SET thread = ?1 WHERE thread = ?2",
	[S_DAY_GET] = "SELECT count FROM days WHERE list_id = ?1 AND day = ?2",
	[S_DAY_SET] = "INSERT INTO days(list_id, day, count) VALUES(?1, ?2, ?3)"
		      " ON CONFLICT(list_id, day) DO UPDATE SET count = excluded.count",
	[S_MSG_INS] =
		"INSERT INTO messages(list_id, day, num, source_id, off, len, ts, date, mid,"
		" parent, thread, subject, from_name, from_addr, flags, file)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
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
	[S_DAY_MSGS] = "SELECT " ENTRY_COLS " FROM messages m JOIN mids ON mids.id = m.mid"
		       " JOIN lists l ON l.id = m.list_id"
		       " WHERE m.list_id = ?1 AND m.day = ?2 AND m.num >= ?3 AND " NOT_HIDDEN(
			       "m.") " ORDER BY m.num LIMIT ?4",
	[S_RECENT] = "SELECT " ENTRY_COLS " FROM messages m JOIN mids ON mids.id = m.mid"
		     " JOIN lists l ON l.id = m.list_id"
		     " WHERE m.list_id = ?1 AND " NOT_HIDDEN(
			     "m.") " ORDER BY m.day DESC, m.num DESC LIMIT ?2",
	[S_BY_MSGID] = "SELECT " ENTRY_COLS " FROM mids JOIN messages m ON m.mid = mids.id"
		       " JOIN lists l ON l.id = m.list_id"
		       " WHERE mids.hash = ?1 AND mids.mid = ?2 AND (?3 = 0 OR m.list_id = ?3)"
		       " AND " NOT_HIDDEN("m.") " ORDER BY m.ts, m.id",
	[S_THREAD_IDS] = "SELECT id, parent, mid FROM mids WHERE thread = ?1 LIMIT ?2",
	[S_THREAD_MSGS] = "SELECT " ENTRY_COLS " FROM messages m JOIN mids ON mids.id = m.mid"
			  " JOIN lists l ON l.id = m.list_id"
			  " WHERE m.thread = ?1 AND (?2 = 0 OR m.list_id = ?2) AND " NOT_HIDDEN(
				  "m.") " ORDER BY m.ts, m.id LIMIT ?3",
	/* Keyset pages of a list: (day, num) is the key, the URL's. */
	[S_LIST_NEWEST] =
		"SELECT " ENTRY_COLS " FROM messages m JOIN mids ON mids.id = m.mid"
		" JOIN lists l ON l.id = m.list_id"
		" WHERE m.list_id = ?1 AND m.day BETWEEN ?2 AND ?3 AND (m.day, m.num) < (?4, ?5)"
		" AND " NOT_HIDDEN("m.") " ORDER BY m.day DESC, m.num DESC LIMIT ?6",
	[S_LIST_OLDEST] =
		"SELECT " ENTRY_COLS " FROM messages m JOIN mids ON mids.id = m.mid"
		" JOIN lists l ON l.id = m.list_id"
		" WHERE m.list_id = ?1 AND m.day BETWEEN ?2 AND ?3 AND (m.day, m.num) > (?4, ?5)"
		" AND " NOT_HIDDEN("m.") " ORDER BY m.day, m.num LIMIT ?6",
	/* A day's count less its hidden messages; a day left with none is no
         * day of the calendar. */
	[S_DAY_COUNTS] = "SELECT day, n FROM (SELECT day, count - " HIDDEN_IN_DAY(
		"d") " AS n"
		     " FROM days d WHERE list_id = ?1 AND day BETWEEN ?2 AND ?3)"
		     " WHERE n > 0 ORDER BY day",
	[S_DAY_PREV] = "SELECT max(day) FROM days d WHERE list_id = ?1 AND day < ?2"
		       " AND count > " HIDDEN_IN_DAY("d"),
	[S_DAY_NEXT] = "SELECT min(day) FROM days d WHERE list_id = ?1 AND day > ?2"
		       " AND count > " HIDDEN_IN_DAY("d"),
	[S_LIST_NAMES] = "SELECT name FROM lists ORDER BY name",
	[S_LISTS] = "SELECT l.name, l.id, coalesce(sum(d.count), 0) - " HIDDEN_IN_LIST(
		"l") ","
		     " coalesce(min(d.day), 0),"
		     " coalesce(max(d.day), 0) FROM lists l LEFT JOIN days d ON d.list_id = l.id"
		     " GROUP BY l.id ORDER BY l.name",
	[S_FTS_INS] =
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
	[S_DATA_VERSION] = "PRAGMA data_version",
	[S_READ_END] = "COMMIT",
};

const char *store_errmsg(struct store *st)
{
	return st && st->db ? sqlite3_errmsg(st->db) : "no database";
}

/* The prepared statement for id, reset and with bindings cleared; NULL
 * if it cannot be prepared (an internal error). */
sqlite3_stmt *stmt(struct store *st, enum stmt_id id)
{
	sqlite3_stmt *s = st->stmt[id];
	if (!s) {
		if (sqlite3_prepare_v3(st->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
		                       &st->stmt[id], NULL) != SQLITE_OK)
			return NULL;
		return st->stmt[id];
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

/* Maps an SQLite result code to a status. */
enum la_status db_status(int rc)
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

enum la_status db_fail(struct store *st, int rc, struct la_err *err, const char *what)
{
	enum la_status s = db_status(rc);
	if (s == LA_OK)
		s = LA_EDB;
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
int step_done(sqlite3_stmt *s)
{
	if (!s)
		return SQLITE_ERROR;
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

int exec(struct store *st, const char *sql)
{
	return sqlite3_exec(st->db, sql, NULL, NULL, NULL);
}

/* Whether the index says its schema was last made from the text whose
 * hash is `hash` (false also when it has no meta table yet). */
static bool schema_text_is(struct store *st, const char *hash)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = 'schema_sql'", -1, &s,
	                       NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return false;
	}
	bool same = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) &&
	            strcmp((const char *)sqlite3_column_text(s, 0), hash) == 0;
	sqlite3_finalize(s);
	return same;
}

/* Which search index the index has (st->fts_lore): the one with lore's
 * columns, or the older one of FTS_OLD_COLUMNS. */
static void fts_columns(struct store *st)
{
	sqlite3_stmt *s = NULL;
	st->fts_lore = sqlite3_prepare_v2(st->db, "SELECT * FROM fts LIMIT 0", -1, &s, NULL) ==
	                       SQLITE_OK &&
	               sqlite3_column_count(s) > FTS_OLD_COLUMNS;
	sqlite3_finalize(s);
}

bool store_search_lore(struct store *st)
{
	/* Asked again each time: a server's connection outlives the
	 * `reindex --search` that brings the columns. */
	fts_columns(st);
	return st->fts_lore;
}

enum la_status store_fts_clear(struct store *st)
{
	/* An older search index is replaced by one with every column. */
	int rc = exec(st, "DROP TABLE IF EXISTS fts; " FTS_SQL "; DELETE FROM patchids;");
	fts_columns(st);
	return rc == SQLITE_OK ? LA_OK : (db_status(rc) ? db_status(rc) : LA_EDB);
}

enum la_status store_open(struct store **out, const char *dir, enum store_mode mode,
                          struct la_err *err)
{
	*out = NULL;
	char path[4096];
	if (snprintf(path, sizeof path, "%s/index.sqlite", dir) >= (int)sizeof path)
		return la_err_set(err, LA_EINVAL, "%s: path too long", dir);
	if (mode == STORE_READ && access(path, F_OK) != 0)
		return la_err_set(err, LA_ENOTFOUND,
		                  "%s: no index here (run `listarc index` first)", dir);
	if (mode == STORE_WRITE && mkdir(dir, 0777) != 0 && errno != EEXIST)
		return la_err_set(err, LA_EIO, "%s: %s", dir, strerror(errno));

	struct store *st = calloc(1, sizeof *st);
	if (!st)
		return la_err_set(err, LA_ENOMEM, "out of memory");
	st->writer = mode == STORE_WRITE;
	char *real = realpath(dir, NULL);
	snprintf(st->dir, sizeof st->dir, "%s", real ? real : dir);
	free(real);
	int flags = st->writer ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
	int rc = sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		la_err_set(err, db_status(rc) ? db_status(rc) : LA_EDB, "%s: %s", path,
		           st->db ? sqlite3_errmsg(st->db) : "cannot open");
		store_close(st);
		return err ? err->status : LA_EDB;
	}
	/* Readers wait for a checkpoint rather than fail; writers wait for
	 * each other (the archive lock makes that rare). */
	sqlite3_busy_timeout(st->db, 10000);
	sqlite3_extended_result_codes(st->db, 1);
	if (st->writer) {
		/* The -wal and -shm files outlive the writer: a server that may
		 * not write the archive directory (systemd's ReadOnlyPaths) can
		 * open the index only if they exist. */
		int persist = 1;
		sqlite3_file_control(st->db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
		rc = exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
		              " PRAGMA cache_size=-32768; PRAGMA temp_store=MEMORY;"
		              " PRAGMA wal_autocheckpoint=8192;");
		/* The schema's statements (all IF NOT EXISTS, so that an index
		 * made by an older listarc gains what this one adds) run only
		 * when their text differs from the one last run here: parsing
		 * them and a write transaction cost more than the rest of a
		 * `deliver`'s work. */
		char sql[160];
		snprintf(sql, sizeof sql, "%016llx",
		         (unsigned long long)hash64(schema_sql, sizeof schema_sql - 1, 0));
		bool current = rc == SQLITE_OK && schema_text_is(st, sql);
		if (rc == SQLITE_OK && !current)
			rc = exec(st, "BEGIN IMMEDIATE");
		if (rc == SQLITE_OK && !current)
			rc = exec(st, schema_sql);
		if (rc == SQLITE_OK && !current) {
			char ins[sizeof sql + 200];
			snprintf(
				ins, sizeof ins,
				"INSERT OR IGNORE INTO meta(key, value) VALUES('schema', %d);"
				" UPDATE meta SET value = %d WHERE key = 'schema' AND value < %d;"
				" INSERT OR REPLACE INTO meta(key, value) VALUES('schema_sql', '%s')",
				SCHEMA_VERSION, SCHEMA_VERSION, SCHEMA_VERSION, sql);
			rc = exec(st, ins);
		}
		if (rc == SQLITE_OK && !current)
			rc = exec(st, "COMMIT");
		if (rc != SQLITE_OK) {
			/* Say why it failed (a full disk, say) before the rollback's
			 * own message ("no transaction is active") replaces it. */
			enum la_status s = db_fail(st, rc, err, path);
			exec(st, "ROLLBACK");
			store_close(st);
			return s;
		}
	} else {
		/* Reads through a memory map of the file: a search that walks
		 * thousands of index pages copies none of them (inter* at
		 * 100,000 messages: 7 → 5 ms).  SQLite caps the size. */
		rc = exec(st, "PRAGMA cache_size=-8192; PRAGMA query_only=1;"
		              " PRAGMA mmap_size=2147418112;");
	}
	if (rc != SQLITE_OK) {
		enum la_status s = db_fail(st, rc, err, path);
		store_close(st);
		return s;
	}
	/* Check the schema version: an index from a newer listarc is refused
	 * rather than misread. */
	sqlite3_stmt *s = stmt(st, S_META_GET);
	if (!s) {
		enum la_status e = db_fail(st, SQLITE_ERROR, err, "schema");
		store_close(st);
		return e;
	}
	sqlite3_bind_text(s, 1, "schema", -1, SQLITE_STATIC);
	int version = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sqlite3_reset(s);
	if (version < SCHEMA_OLDEST || version > SCHEMA_VERSION) {
		la_err_set(err, LA_EDB, "%s: index schema %d, this listarc reads %d to %d", path,
		           version, SCHEMA_OLDEST, SCHEMA_VERSION);
		store_close(st);
		return LA_EDB;
	}
	fts_columns(st);
	*out = st;
	return LA_OK;
}

enum la_status store_checkpoint(struct store *st, struct la_err *err)
{
	/* Passive: readers (the server) are never waited for; what they
	 * still use is copied by a later checkpoint. */
	int rc = sqlite3_wal_checkpoint_v2(st->db, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return db_fail(st, rc, err, "copying the write-ahead log into index.sqlite");
	return LA_OK;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	if (st->in_txn || st->in_read)
		exec(st, "ROLLBACK");
	write_caches_free(st);
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	/* A persistent WAL is emptied when the writer closes, so that readers
	 * without write access to the -shm (which rebuild their index of the
	 * WAL for every read) find nothing to read there. */
	if (st->writer && st->db)
		exec(st, "PRAGMA optimize; PRAGMA journal_size_limit=0");
	sqlite3_close(st->db);
	free(st);
}

/* ---- lists and sources ---- */

enum la_status store_list_id(struct store *st, const char *name, int64_t *id)
{
	*id = 0;
	sqlite3_stmt *s = stmt(st, S_LIST_ID);
	if (!s)
		return LA_EDB;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return LA_OK;
	return rc == SQLITE_DONE ? LA_ENOTFOUND : db_status(rc);
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

enum la_status store_list_ensure(struct store *st, const char *name, int64_t *id,
                                 struct la_err *err)
{
	enum la_status r = store_list_id(st, name, id);
	if (r != LA_ENOTFOUND)
		return r ? la_err_set(err, r, "index: %s", sqlite3_errmsg(st->db)) : LA_OK;
	sqlite3_stmt *s = stmt(st, S_LIST_INS);
	if (!s)
		return db_fail(st, SQLITE_ERROR, err, "add list");
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	int rc = step_done(s);
	if (rc != SQLITE_DONE)
		return db_fail(st, rc, err, "add list");
	*id = sqlite3_last_insert_rowid(st->db);
	return LA_OK;
}

/* A source's path as stored: relative to the archive directory when it
 * is inside it (the lists `deliver` writes, DIR/mbox/LIST.mbox), so that
 * the whole directory can be moved or restored elsewhere and keep its
 * sources; absolute otherwise. */
static const char *stored_path(const struct store *st, const char *path)
{
	size_t n = strlen(st->dir);
	if (n > 0 && strncmp(path, st->dir, n) == 0 && path[n] == '/' && path[n + 1])
		return path + n + 1;
	return path;
}

/* A path as stored (relative to the archive directory, or absolute)
 * into out, absolute. */
static void resolve_path(const struct store *st, const char *p, char *out, size_t n)
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

static void read_source(const struct store *st, sqlite3_stmt *s, struct store_source *src)
{
	src->id = sqlite3_column_int64(s, 0);
	src->list_id = sqlite3_column_int64(s, 1);
	resolve_path(st, (const char *)sqlite3_column_text(s, 2), src->path, sizeof src->path);
	const char *copy = (const char *)sqlite3_column_text(s, 8);
	src->copy[0] = '\0';
	if (copy)
		resolve_path(st, copy, src->copy, sizeof src->copy);
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
static enum la_status source_get(struct store *st, int64_t list_id, const char *key,
                                 struct store_source *src)
{
	sqlite3_stmt *s = stmt(st, S_SRC_GET);
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
static enum la_status source_moved(struct store *st, int64_t list_id, const char *key,
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

enum la_status store_source_find(struct store *st, int64_t list_id, const char *path,
                                 struct store_source *src)
{
	enum la_status e = source_get(st, list_id, stored_path(st, path), src);
	if (e == LA_ENOTFOUND && stored_path(st, path) != path)
		e = source_get(st, list_id, path, src);
	return e;
}

enum la_status store_source_ensure(struct store *st, int64_t list_id, const char *path,
                                   enum source_kind kind, struct store_source *src,
                                   struct la_err *err)
{
	const char *key = stored_path(st, path);
	enum la_status e = source_get(st, list_id, key, src);
	if (e == LA_ENOTFOUND && key != path) {
		/* Stored by a listarc of schema 1 with its absolute path, here
		 * or where the archive was before it moved: from now on
		 * relative, like the new ones. */
		e = source_get(st, list_id, path, src);
		if (e == LA_ENOTFOUND)
			e = source_moved(st, list_id, key, kind, src);
		if (e == LA_OK) {
			sqlite3_stmt *s = stmt(st, S_SRC_PATH);
			if (!s)
				return db_fail(st, SQLITE_ERROR, err, "source");
			sqlite3_bind_int64(s, 1, src->id);
			sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
			int rc = step_done(s);
			if (rc != SQLITE_DONE)
				return db_fail(st, rc, err, "source");
			snprintf(src->path, sizeof src->path, "%s", path);
		}
	}
	if (e == LA_ENOTFOUND) {
		sqlite3_stmt *s = stmt(st, S_SRC_INS);
		if (!s)
			return db_fail(st, SQLITE_ERROR, err, "source");
		sqlite3_bind_int64(s, 1, list_id);
		sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 3, kind);
		int rc = step_done(s);
		if (rc != SQLITE_DONE)
			return db_fail(st, rc, err, "add source");
		e = source_get(st, list_id, key, src);
	}
	if (e)
		return db_fail(st, SQLITE_ERROR, err, "source");
	if (src->kind != kind)
		return la_err_set(err, LA_EINVAL, "%s: was indexed as %s, is now %s", path,
		                  source_kind_name(src->kind), source_kind_name(kind));
	return LA_OK;
}

const char *source_kind_name(enum source_kind k)
{
	switch (k) {
	case SOURCE_MBOX: return "an mbox";
	case SOURCE_MAILDIR: return "a maildir";
	case SOURCE_MH: return "an MH folder";
	}
	return "an unknown kind of source";
}

const char *store_dir(const struct store *st)
{
	return st->dir;
}

const char *store_rel_path(const struct store *st, const char *path)
{
	return stored_path(st, path);
}

enum la_status store_sources(struct store *st, int64_t list_id,
                             bool (*fn)(const struct store_source *s, void *arg), void *arg)
{
	sqlite3_stmt *s = stmt(st, S_SRC_LIST);
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
	return rc == SQLITE_DONE ? LA_OK : db_status(rc);
}

enum la_status store_source_get(struct store *st, int64_t id, struct store_source *src)
{
	sqlite3_stmt *s = stmt(st, S_SRC_BYID);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_source(st, s, src);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? LA_OK : rc == SQLITE_DONE ? LA_ENOTFOUND : db_status(rc);
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
	                                       : (db_status(rc) ? db_status(rc) : LA_EDB);
	sqlite3_reset(s);
	return e;
}

enum la_status store_msg_get(struct store *st, int64_t list_id, int day, int num,
                             struct store_msg *m)
{
	memset(m, 0, sizeof *m);
	sqlite3_stmt *s = stmt(st, S_MSG_GET);
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
	sqlite3_stmt *s = stmt(st, S_MSG_BYID);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, id);
	return get_msg(s, m);
}

static enum la_status nav_one(struct store *st, enum stmt_id id, int64_t a, int64_t b, int64_t c,
                              int64_t d, int *day, int *num)
{
	*day = *num = 0;
	sqlite3_stmt *s = stmt(st, id);
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
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? LA_OK : db_status(rc);
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

static enum la_status each_entry(sqlite3_stmt *s, store_entry_fn fn, void *arg)
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
	return rc == SQLITE_DONE ? LA_OK : (db_status(rc) ? db_status(rc) : LA_EDB);
}

enum la_status store_day_msgs(struct store *st, int64_t list_id, int day, int from, int limit,
                              store_entry_fn fn, void *arg)
{
	sqlite3_stmt *s = stmt(st, S_DAY_MSGS);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, list_id);
	sqlite3_bind_int(s, 2, day);
	sqlite3_bind_int(s, 3, from);
	sqlite3_bind_int(s, 4, limit);
	return each_entry(s, fn, arg);
}

enum la_status store_recent(struct store *st, int64_t list_id, int limit, store_entry_fn fn,
                            void *arg)
{
	sqlite3_stmt *s = stmt(st, S_RECENT);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, list_id);
	sqlite3_bind_int(s, 2, limit);
	return each_entry(s, fn, arg);
}

enum la_status store_msgs_by_msgid(struct store *st, const char *msgid, int64_t list_id,
                                   store_entry_fn fn, void *arg)
{
	sqlite3_stmt *s = stmt(st, S_BY_MSGID);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, (int64_t)hash64(msgid, strlen(msgid), 0));
	sqlite3_bind_text(s, 2, msgid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, list_id);
	return each_entry(s, fn, arg);
}

enum la_status store_thread_ids(struct store *st, int64_t thread, int max,
                                bool (*fn)(int64_t id, int64_t parent, const char *mid, void *arg),
                                void *arg)
{
	sqlite3_stmt *s = stmt(st, S_THREAD_IDS);
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
	return rc == SQLITE_DONE ? LA_OK : (db_status(rc) ? db_status(rc) : LA_EDB);
}

enum la_status store_thread_msgs(struct store *st, int64_t thread, int64_t list_id, int max,
                                 store_entry_fn fn, void *arg)
{
	sqlite3_stmt *s = stmt(st, S_THREAD_MSGS);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, thread);
	sqlite3_bind_int64(s, 2, list_id);
	sqlite3_bind_int(s, 3, max);
	return each_entry(s, fn, arg);
}

enum la_status store_list_msgs(struct store *st, int64_t list_id, int since, int until,
                               int after_day, int after_num, bool newest_first, int limit,
                               store_entry_fn fn, void *arg)
{
	sqlite3_stmt *s = stmt(st, newest_first ? S_LIST_NEWEST : S_LIST_OLDEST);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, list_id);
	sqlite3_bind_int(s, 2, since);
	sqlite3_bind_int(s, 3, until);
	sqlite3_bind_int(s, 4, after_day);
	sqlite3_bind_int(s, 5, after_num);
	sqlite3_bind_int(s, 6, limit);
	return each_entry(s, fn, arg);
}

enum la_status store_mid_find(struct store *st, const char *msgid, int64_t *id, int64_t *thread)
{
	*id = *thread = 0;
	sqlite3_stmt *s = stmt(st, S_MID_BYHASH);
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
		return db_status(rc) ? db_status(rc) : LA_EDB;
	return *id ? LA_OK : LA_ENOTFOUND;
}

enum la_status store_mid_text(struct store *st, int64_t id, char *out, size_t n)
{
	if (n)
		out[0] = '\0';
	sqlite3_stmt *s = stmt(st, S_MID_TEXT);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);
		snprintf(out, n, "%s", t ? t : "");
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? LA_OK : rc == SQLITE_DONE ? LA_ENOTFOUND : db_status(rc);
}

enum la_status store_day_counts(struct store *st, int64_t list_id, int from, int to,
                                bool (*fn)(int day, int count, void *arg), void *arg)
{
	sqlite3_stmt *s = stmt(st, S_DAY_COUNTS);
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
	return rc == SQLITE_DONE ? LA_OK : (db_status(rc) ? db_status(rc) : LA_EDB);
}

enum la_status store_day_adjacent(struct store *st, int64_t list_id, int day, int *prev, int *next)
{
	*prev = *next = 0;
	for (enum stmt_id id = S_DAY_PREV; id <= S_DAY_NEXT; id++) {
		sqlite3_stmt *s = stmt(st, id);
		if (!s)
			return LA_EDB;
		sqlite3_bind_int64(s, 1, list_id);
		sqlite3_bind_int(s, 2, day);
		int rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			*(id == S_DAY_PREV ? prev : next) = sqlite3_column_int(s, 0);
		sqlite3_reset(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return db_status(rc) ? db_status(rc) : LA_EDB;
	}
	return LA_OK;
}

enum la_status store_list_names(struct store *st, bool (*fn)(const char *name, void *arg),
                                void *arg)
{
	sqlite3_stmt *s = stmt(st, S_LIST_NAMES);
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
	return rc == SQLITE_DONE ? LA_OK : (db_status(rc) ? db_status(rc) : LA_EDB);
}

enum la_status store_lists(struct store *st, bool (*fn)(const struct store_list_info *l, void *arg),
                           void *arg)
{
	sqlite3_stmt *s = stmt(st, S_LISTS);
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
	return rc == SQLITE_DONE ? LA_OK : (db_status(rc) ? db_status(rc) : LA_EDB);
}

int64_t store_mtime(struct store *st)
{
	sqlite3_stmt *s = stmt(st, S_META_GET);
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
	sqlite3_stmt *s = stmt(st, S_READ_BEGIN);
	if (!s)
		return LA_EDB;
	int rc = step_done(s);
	if (rc != SQLITE_DONE)
		return db_status(rc) ? db_status(rc) : LA_EDB;
	st->in_read = true;
	/* Reading the data version starts the read transaction: from here on
	 * every statement sees this snapshot. */
	s = stmt(st, S_DATA_VERSION);
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
		return db_status(rc) ? db_status(rc) : LA_EDB;
	}
	return LA_OK;
}

void store_read_end(struct store *st)
{
	if (!st || !st->in_read)
		return;
	sqlite3_stmt *s = stmt(st, S_READ_END);
	if (!s || step_done(s) != SQLITE_DONE)
		exec(st, "ROLLBACK");
	st->in_read = false;
}
