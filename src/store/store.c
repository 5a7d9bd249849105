/* store.c: the SQLite index: schema, statements, reads and writes. */
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

#include "util/hash.h"

#define SCHEMA_VERSION 1

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;\n"
	"CREATE TABLE IF NOT EXISTS lists(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);\n"
	/* done: bytes indexed; fp_*: fingerprints that detect a rewritten mbox. */
	"CREATE TABLE IF NOT EXISTS sources(id INTEGER PRIMARY KEY, list_id INTEGER NOT NULL,"
	" path TEXT NOT NULL, kind INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0,"
	" fp_head INTEGER NOT NULL DEFAULT 0, fp_tail INTEGER NOT NULL DEFAULT 0,"
	" last_ts INTEGER NOT NULL DEFAULT 0, UNIQUE(list_id, path));\n"
	/* Every Message-ID seen, as a message or only as a reference (a ghost).
	 * id is a 63-bit hash of mid (probed on collision). */
	"CREATE TABLE IF NOT EXISTS mids(id INTEGER PRIMARY KEY, mid TEXT NOT NULL,"
	" thread INTEGER NOT NULL, parent INTEGER, msgs INTEGER NOT NULL DEFAULT 0);\n"
	"CREATE INDEX IF NOT EXISTS mids_thread ON mids(thread);\n"
	"CREATE TABLE IF NOT EXISTS messages(id INTEGER PRIMARY KEY, list_id INTEGER NOT NULL,"
	" day INTEGER NOT NULL, num INTEGER NOT NULL, source_id INTEGER NOT NULL,"
	" off INTEGER NOT NULL, len INTEGER NOT NULL, ts INTEGER NOT NULL, date INTEGER,"
	" mid INTEGER NOT NULL, parent INTEGER, thread INTEGER NOT NULL,"
	" subject TEXT NOT NULL, from_name TEXT NOT NULL, from_addr TEXT NOT NULL,"
	" flags INTEGER NOT NULL DEFAULT 0, file TEXT);\n"
	"CREATE UNIQUE INDEX IF NOT EXISTS messages_daynum ON messages(list_id, day, num);\n"
	"CREATE INDEX IF NOT EXISTS messages_thread ON messages(thread, ts);\n"
	"CREATE INDEX IF NOT EXISTS messages_mid ON messages(mid);\n"
	/* Messages per day: the calendar, and the next free day number. */
	"CREATE TABLE IF NOT EXISTS days(list_id INTEGER NOT NULL, day INTEGER NOT NULL,"
	" count INTEGER NOT NULL, PRIMARY KEY(list_id, day)) WITHOUT ROWID;\n"
	"CREATE TABLE IF NOT EXISTS maildir_seen(source_id INTEGER NOT NULL, uniq TEXT NOT NULL,"
	" PRIMARY KEY(source_id, uniq)) WITHOUT ROWID;\n";

enum stmt_id {
	S_LIST_ID,
	S_LIST_INS,
	S_SRC_GET,
	S_SRC_INS,
	S_SRC_BYID,
	S_SRC_LIST,
	S_SRC_SAVE,
	S_MID_GET,
	S_MID_INS,
	S_MID_PARENT,
	S_MID_INC,
	S_THREAD_COUNT,
	S_MERGE_MIDS,
	S_MERGE_MSGS,
	S_DAY_GET,
	S_DAY_SET,
	S_MSG_INS,
	S_SEEN_GET,
	S_SEEN_INS,
	S_MSG_GET,
	S_NAV_PREV,
	S_NAV_NEXT,
	S_NAV_TPREV,
	S_NAV_TNEXT,
	S_DAY_MSGS,
	S_RECENT,
	S_DAY_COUNTS,
	S_DAY_PREV,
	S_DAY_NEXT,
	S_LISTS,
	S_META_SET,
	S_META_GET,
	S_READ_BEGIN,
	S_DATA_VERSION,
	S_READ_END,
	S_COUNT
};

#define MSG_COLS                                                                          \
	"m.id, m.list_id, m.source_id, m.day, m.num, m.ts, m.date, m.mid, m.parent, m.thread," \
	" m.off, m.len, m.flags, mids.mid, m.subject, m.from_name, m.from_addr, m.file, l.name"
#define ENTRY_COLS "l.name, m.day, m.num, m.ts, m.date, m.subject, m.from_name, m.from_addr, mids.mid, m.thread"

static const char *const stmt_sql[S_COUNT] = {
	[S_LIST_ID] = "SELECT id FROM lists WHERE name = ?1",
	[S_LIST_INS] = "INSERT INTO lists(name) VALUES(?1)",
	[S_SRC_GET] = "SELECT id, list_id, path, kind, done, fp_head, fp_tail, last_ts FROM sources"
	              " WHERE list_id = ?1 AND path = ?2",
	[S_SRC_INS] = "INSERT INTO sources(list_id, path, kind) VALUES(?1, ?2, ?3)",
	[S_SRC_BYID] = "SELECT id, list_id, path, kind, done, fp_head, fp_tail, last_ts FROM sources"
	               " WHERE id = ?1",
	[S_SRC_LIST] = "SELECT id, list_id, path, kind, done, fp_head, fp_tail, last_ts FROM sources"
	               " WHERE list_id = ?1 ORDER BY id",
	[S_SRC_SAVE] = "UPDATE sources SET done = ?2, fp_head = ?3, fp_tail = ?4, last_ts = ?5"
	               " WHERE id = ?1",
	[S_MID_GET] = "SELECT mid, thread, parent, msgs FROM mids WHERE id = ?1",
	[S_MID_INS] = "INSERT INTO mids(id, mid, thread, parent, msgs) VALUES(?1, ?2, ?3, ?4, ?5)",
	[S_MID_PARENT] = "UPDATE mids SET parent = ?2 WHERE id = ?1",
	[S_MID_INC] = "UPDATE mids SET msgs = msgs + 1 WHERE id = ?1",
	[S_THREAD_COUNT] = "SELECT count(*) FROM mids WHERE thread = ?1",
	[S_MERGE_MIDS] = "UPDATE mids SET thread = ?1 WHERE thread = ?2",
	[S_MERGE_MSGS] = "UPDATE messages SET thread = ?1 WHERE thread = ?2",
	[S_DAY_GET] = "SELECT count FROM days WHERE list_id = ?1 AND day = ?2",
	[S_DAY_SET] = "INSERT INTO days(list_id, day, count) VALUES(?1, ?2, ?3)"
	              " ON CONFLICT(list_id, day) DO UPDATE SET count = excluded.count",
	[S_MSG_INS] = "INSERT INTO messages(list_id, day, num, source_id, off, len, ts, date, mid,"
	              " parent, thread, subject, from_name, from_addr, flags, file)"
	              " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
	[S_SEEN_GET] = "SELECT 1 FROM maildir_seen WHERE source_id = ?1 AND uniq = ?2",
	[S_SEEN_INS] = "INSERT OR IGNORE INTO maildir_seen(source_id, uniq) VALUES(?1, ?2)",
	[S_MSG_GET] = "SELECT " MSG_COLS " FROM messages m JOIN mids ON mids.id = m.mid"
	              " JOIN lists l ON l.id = m.list_id"
	              " WHERE m.list_id = ?1 AND m.day = ?2 AND m.num = ?3",
	[S_NAV_PREV] = "SELECT day, num FROM messages WHERE list_id = ?1 AND (day, num) < (?2, ?3)"
	               " ORDER BY day DESC, num DESC LIMIT 1",
	[S_NAV_NEXT] = "SELECT day, num FROM messages WHERE list_id = ?1 AND (day, num) > (?2, ?3)"
	               " ORDER BY day, num LIMIT 1",
	[S_NAV_TPREV] = "SELECT day, num FROM messages WHERE thread = ?1 AND (ts, id) < (?2, ?3)"
	                " AND list_id = ?4 ORDER BY ts DESC, id DESC LIMIT 1",
	[S_NAV_TNEXT] = "SELECT day, num FROM messages WHERE thread = ?1 AND (ts, id) > (?2, ?3)"
	                " AND list_id = ?4 ORDER BY ts, id LIMIT 1",
	[S_DAY_MSGS] = "SELECT " ENTRY_COLS " FROM messages m JOIN mids ON mids.id = m.mid"
	               " JOIN lists l ON l.id = m.list_id"
	               " WHERE m.list_id = ?1 AND m.day = ?2 AND m.num >= ?3 ORDER BY m.num LIMIT ?4",
	[S_RECENT] = "SELECT " ENTRY_COLS " FROM messages m JOIN mids ON mids.id = m.mid"
	             " JOIN lists l ON l.id = m.list_id"
	             " WHERE m.list_id = ?1 ORDER BY m.day DESC, m.num DESC LIMIT ?2",
	[S_DAY_COUNTS] = "SELECT day, count FROM days WHERE list_id = ?1 AND day BETWEEN ?2 AND ?3"
	                 " ORDER BY day",
	[S_DAY_PREV] = "SELECT max(day) FROM days WHERE list_id = ?1 AND day < ?2",
	[S_DAY_NEXT] = "SELECT min(day) FROM days WHERE list_id = ?1 AND day > ?2",
	[S_LISTS] = "SELECT l.name, l.id, coalesce(sum(d.count), 0), coalesce(min(d.day), 0),"
	            " coalesce(max(d.day), 0) FROM lists l LEFT JOIN days d ON d.list_id = l.id"
	            " GROUP BY l.id ORDER BY l.name",
	[S_META_SET] = "INSERT INTO meta(key, value) VALUES(?1, ?2)"
	               " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[S_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[S_READ_BEGIN] = "BEGIN",
	[S_DATA_VERSION] = "PRAGMA data_version",
	[S_READ_END] = "COMMIT",
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[S_COUNT];
	bool writer;
	bool in_txn;
	bool in_read; /* between store_read_begin and store_read_end */
};

const char *store_errmsg(struct store *st)
{
	return st && st->db ? sqlite3_errmsg(st->db) : "no database";
}

/* The prepared statement for id, reset and with bindings cleared; NULL
 * if it cannot be prepared (an internal error). */
static sqlite3_stmt *stmt(struct store *st, enum stmt_id id)
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
static enum la_status db_status(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return LA_OK;
	case SQLITE_NOMEM:
		return LA_ENOMEM;
	case SQLITE_FULL:
		return LA_ENOSPC;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return LA_EAGAIN;
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		return LA_EIO;
	default:
		return LA_EDB;
	}
}

static enum la_status db_fail(struct store *st, int rc, struct la_err *err, const char *what)
{
	enum la_status s = db_status(rc);
	if (s == LA_OK)
		s = LA_EDB;
	return la_err_set(err, s, "index: %s: %s", what, sqlite3_errmsg(st->db));
}

/* Runs a statement that returns no rows. */
static int step_done(sqlite3_stmt *s)
{
	if (!s)
		return SQLITE_ERROR;
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

static int exec(struct store *st, const char *sql)
{
	return sqlite3_exec(st->db, sql, NULL, NULL, NULL);
}

enum la_status store_open(struct store **out, const char *dir, enum store_mode mode,
                          struct la_err *err)
{
	*out = NULL;
	char path[4096];
	if (snprintf(path, sizeof path, "%s/index.sqlite", dir) >= (int)sizeof path)
		return la_err_set(err, LA_EINVAL, "%s: path too long", dir);
	if (mode == STORE_READ && access(path, F_OK) != 0)
		return la_err_set(err, LA_ENOTFOUND, "%s: no index here (run `listarc index` first)", dir);
	if (mode == STORE_WRITE && mkdir(dir, 0777) != 0 && errno != EEXIST)
		return la_err_set(err, LA_EIO, "%s: %s", dir, strerror(errno));

	struct store *st = calloc(1, sizeof *st);
	if (!st)
		return la_err_set(err, LA_ENOMEM, "out of memory");
	st->writer = mode == STORE_WRITE;
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
		              " PRAGMA cache_size=-16384; PRAGMA temp_store=MEMORY;");
		if (rc == SQLITE_OK)
			rc = exec(st, "BEGIN IMMEDIATE");
		if (rc == SQLITE_OK)
			rc = exec(st, schema_sql);
		if (rc == SQLITE_OK) {
			char sql[128];
			snprintf(sql, sizeof sql,
			         "INSERT OR IGNORE INTO meta(key, value) VALUES('schema', %d)", SCHEMA_VERSION);
			rc = exec(st, sql);
		}
		if (rc == SQLITE_OK)
			rc = exec(st, "COMMIT");
		else
			exec(st, "ROLLBACK");
	} else {
		rc = exec(st, "PRAGMA cache_size=-8192; PRAGMA query_only=1;");
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
	if (version != SCHEMA_VERSION) {
		la_err_set(err, LA_EDB, "%s: index schema %d, this listarc reads %d", path, version,
		           SCHEMA_VERSION);
		store_close(st);
		return LA_EDB;
	}
	*out = st;
	return LA_OK;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	if (st->in_txn || st->in_read)
		exec(st, "ROLLBACK");
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

enum la_status store_list_ensure(struct store *st, const char *name, int64_t *id, struct la_err *err)
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

static void read_source(sqlite3_stmt *s, struct store_source *src)
{
	src->id = sqlite3_column_int64(s, 0);
	src->list_id = sqlite3_column_int64(s, 1);
	const char *p = (const char *)sqlite3_column_text(s, 2);
	snprintf(src->path, sizeof src->path, "%s", p ? p : "");
	src->kind = (enum source_kind)sqlite3_column_int(s, 3);
	src->done = (uint64_t)sqlite3_column_int64(s, 4);
	src->fp_head = sqlite3_column_int64(s, 5);
	src->fp_tail = sqlite3_column_int64(s, 6);
	src->last_ts = sqlite3_column_int64(s, 7);
}

enum la_status store_source_ensure(struct store *st, int64_t list_id, const char *path,
                                   enum source_kind kind, struct store_source *src,
                                   struct la_err *err)
{
	for (int pass = 0; pass < 2; pass++) {
		sqlite3_stmt *s = stmt(st, S_SRC_GET);
		if (!s)
			return db_fail(st, SQLITE_ERROR, err, "source");
		sqlite3_bind_int64(s, 1, list_id);
		sqlite3_bind_text(s, 2, path, -1, SQLITE_STATIC);
		int rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			read_source(s, src);
			sqlite3_reset(s);
			if (src->kind != kind)
				return la_err_set(err, LA_EINVAL, "%s: was indexed as %s, is now %s", path,
				                  src->kind == SOURCE_MBOX ? "an mbox" : "a maildir",
				                  kind == SOURCE_MBOX ? "an mbox" : "a maildir");
			return LA_OK;
		}
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return db_fail(st, rc, err, "source");
		if (pass == 1)
			break;
		s = stmt(st, S_SRC_INS);
		if (!s)
			return db_fail(st, SQLITE_ERROR, err, "source");
		sqlite3_bind_int64(s, 1, list_id);
		sqlite3_bind_text(s, 2, path, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 3, kind);
		rc = step_done(s);
		if (rc != SQLITE_DONE)
			return db_fail(st, rc, err, "add source");
	}
	return db_fail(st, SQLITE_ERROR, err, "source");
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
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_source *nv = realloc(v, (n + 1) * sizeof *v);
		if (!nv) {
			free(v);
			sqlite3_reset(s);
			return LA_ENOMEM;
		}
		v = nv;
		read_source(s, &v[n++]);
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
		read_source(s, src);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? LA_OK : rc == SQLITE_DONE ? LA_ENOTFOUND : db_status(rc);
}

/* ---- writing ---- */

enum la_status store_begin(struct store *st, struct la_err *err)
{
	int rc = exec(st, "BEGIN IMMEDIATE");
	if (rc != SQLITE_OK)
		return db_fail(st, rc, err, "begin");
	st->in_txn = true;
	return LA_OK;
}

enum la_status store_commit(struct store *st, const struct store_source *src, struct la_err *err)
{
	int rc;
	if (src) {
		sqlite3_stmt *s = stmt(st, S_SRC_SAVE);
		if (!s)
			return db_fail(st, SQLITE_ERROR, err, "save source");
		sqlite3_bind_int64(s, 1, src->id);
		sqlite3_bind_int64(s, 2, (int64_t)src->done);
		sqlite3_bind_int64(s, 3, src->fp_head);
		sqlite3_bind_int64(s, 4, src->fp_tail);
		sqlite3_bind_int64(s, 5, src->last_ts);
		rc = step_done(s);
		if (rc != SQLITE_DONE)
			return db_fail(st, rc, err, "save source");
	}
	sqlite3_stmt *s = stmt(st, S_META_SET);
	if (s) {
		sqlite3_bind_text(s, 1, "updated", -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, (int64_t)time(NULL));
		step_done(s);
	}
	rc = exec(st, "COMMIT");
	if (rc != SQLITE_OK)
		return db_fail(st, rc, err, "commit");
	st->in_txn = false;
	return LA_OK;
}

void store_rollback(struct store *st)
{
	if (st && st->in_txn) {
		exec(st, "ROLLBACK");
		st->in_txn = false;
	}
}

struct mid_row {
	int64_t id;
	int64_t thread;
	int64_t parent; /* 0 if none */
	int64_t msgs;
	bool found;
};

/* Finds the row of Message-ID mid, or the free key where it would go. */
static enum la_status mid_find(struct store *st, const char *mid, struct mid_row *r)
{
	size_t n = strlen(mid);
	uint64_t h = hash64(mid, n, 0) & INT64_MAX;
	/* Linear probing over the 63-bit key space; a collision needs two
	 * different ids with the same hash, so the loop runs once in practice. */
	for (int probe = 0; probe < 64; probe++) {
		int64_t key = (int64_t)((h + (uint64_t)probe) & INT64_MAX);
		if (key == 0)
			continue;
		sqlite3_stmt *s = stmt(st, S_MID_GET);
		if (!s)
			return LA_EDB;
		sqlite3_bind_int64(s, 1, key);
		int rc = sqlite3_step(s);
		if (rc == SQLITE_DONE) {
			sqlite3_reset(s);
			r->id = key;
			r->found = false;
			return LA_OK;
		}
		if (rc != SQLITE_ROW) {
			sqlite3_reset(s);
			return db_status(rc) ? db_status(rc) : LA_EDB;
		}
		const char *text = (const char *)sqlite3_column_text(s, 0);
		if (text && strcmp(text, mid) == 0) {
			r->id = key;
			r->thread = sqlite3_column_int64(s, 1);
			r->parent = sqlite3_column_int64(s, 2);
			r->msgs = sqlite3_column_int64(s, 3);
			r->found = true;
			sqlite3_reset(s);
			return LA_OK;
		}
		sqlite3_reset(s);
	}
	return LA_EDB;
}

/* Finds or creates (as a ghost in a thread of its own) Message-ID mid. */
static enum la_status mid_get(struct store *st, const char *mid, struct mid_row *r)
{
	enum la_status e = mid_find(st, mid, r);
	if (e || r->found)
		return e;
	sqlite3_stmt *s = stmt(st, S_MID_INS);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, r->id);
	sqlite3_bind_text(s, 2, mid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, r->id);
	sqlite3_bind_null(s, 4);
	sqlite3_bind_int64(s, 5, 0);
	int rc = step_done(s);
	if (rc != SQLITE_DONE)
		return db_status(rc) ? db_status(rc) : LA_EDB;
	r->thread = r->id;
	r->parent = 0;
	r->msgs = 0;
	r->found = true;
	return LA_OK;
}

static enum la_status mid_parent_of(struct store *st, int64_t id, int64_t *parent)
{
	sqlite3_stmt *s = stmt(st, S_MID_GET);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	*parent = rc == SQLITE_ROW ? sqlite3_column_int64(s, 2) : 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? LA_OK : LA_EDB;
}

/* Would making p the parent of c close a loop?  Walks up from p; a walk
 * longer than the bound counts as a loop, so linking always terminates. */
static enum la_status would_loop(struct store *st, int64_t c, int64_t p, bool *loop)
{
	*loop = false;
	for (int depth = 0; p; depth++) {
		if (p == c || depth > 512) {
			*loop = true;
			return LA_OK;
		}
		enum la_status e = mid_parent_of(st, p, &p);
		if (e)
			return e;
	}
	return LA_OK;
}

static enum la_status set_parent(struct store *st, int64_t c, int64_t p)
{
	sqlite3_stmt *s = stmt(st, S_MID_PARENT);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, c);
	if (p)
		sqlite3_bind_int64(s, 2, p);
	else
		sqlite3_bind_null(s, 2);
	return step_done(s) == SQLITE_DONE ? LA_OK : LA_EDB;
}

static int64_t count_one(struct store *st, enum stmt_id id, int64_t a)
{
	sqlite3_stmt *s = stmt(st, id);
	if (!s)
		return 0;
	sqlite3_bind_int64(s, 1, a);
	int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return n;
}

/* Merges thread `from` into thread `into`. */
static enum la_status merge_threads(struct store *st, int64_t into, int64_t from)
{
	for (enum stmt_id id = S_MERGE_MIDS; id <= S_MERGE_MSGS; id++) {
		sqlite3_stmt *s = stmt(st, id);
		if (!s)
			return LA_EDB;
		sqlite3_bind_int64(s, 1, into);
		sqlite3_bind_int64(s, 2, from);
		if (step_done(s) != SQLITE_DONE)
			return LA_EDB;
	}
	return LA_OK;
}

/* Threads message id `self` with its references, JWZ style but kept in
 * the index: every Message-ID the message names joins one thread (ghost
 * entries stand in for messages not in the archive, so a reply that
 * arrives before its parent joins the parent's thread when it comes).
 * Parent links: a message's own choice wins; References chains link
 * ghosts only; no link ever closes a loop.  No subject merging.
 * Returns the thread id in *thread and the parent's mids id in *parent. */
static enum la_status thread_message(struct store *st, struct mid_row *self,
                                     const struct msg_summary *sum, int64_t *thread,
                                     int64_t *parent)
{
	enum la_status e;
	int64_t threads[REFS_MAX + 1];
	size_t nthreads = 0;
	threads[nthreads++] = self->thread;
	int64_t prev = 0;
	*parent = 0;
	for (unsigned i = 0; i < sum->nrefs; i++) {
		struct mid_row r;
		e = mid_get(st, sum->refs[i], &r);
		if (e)
			return e;
		if (r.id == self->id)
			continue;
		bool seen = false;
		for (size_t k = 0; k < nthreads; k++)
			seen |= threads[k] == r.thread;
		if (!seen)
			threads[nthreads++] = r.thread;
		/* References chain: prev is the parent of r, for ghosts only. */
		if (prev && r.msgs == 0 && r.parent == 0) {
			bool loop;
			if ((e = would_loop(st, r.id, prev, &loop)))
				return e;
			if (!loop && (e = set_parent(st, r.id, prev)))
				return e;
		}
		prev = r.id;
		if (strcmp(sum->refs[i], sum->parent) == 0)
			*parent = r.id;
	}
	/* The message's own parent link replaces any earlier guess. */
	if (*parent) {
		bool loop;
		if ((e = would_loop(st, self->id, *parent, &loop)))
			return e;
		if (loop)
			*parent = 0;
	}
	if (*parent != self->parent || self->msgs == 0)
		if ((e = set_parent(st, self->id, *parent)))
			return e;
	/* Merge the threads into the biggest. */
	int64_t into = threads[0];
	if (nthreads > 1) {
		int64_t best = -1;
		for (size_t k = 0; k < nthreads; k++) {
			int64_t n = count_one(st, S_THREAD_COUNT, threads[k]);
			if (n > best) {
				best = n;
				into = threads[k];
			}
		}
		for (size_t k = 0; k < nthreads; k++)
			if (threads[k] != into && (e = merge_threads(st, into, threads[k])))
				return e;
	}
	*thread = into;
	return LA_OK;
}

static enum la_status next_daynum(struct store *st, int64_t list_id, int day, int *num)
{
	sqlite3_stmt *s = stmt(st, S_DAY_GET);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, list_id);
	sqlite3_bind_int(s, 2, day);
	int rc = sqlite3_step(s);
	int count = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_status(rc) ? db_status(rc) : LA_EDB;
	if (count >= DAYNUM_MAX)
		return LA_ETOOBIG;
	*num = count + 1;
	s = stmt(st, S_DAY_SET);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, list_id);
	sqlite3_bind_int(s, 2, day);
	sqlite3_bind_int(s, 3, *num);
	rc = step_done(s);
	return rc == SQLITE_DONE ? LA_OK : (db_status(rc) ? db_status(rc) : LA_EDB);
}

enum la_status store_add(struct store *st, const struct store_new_msg *m, int *num, bool *dup,
                         struct la_err *err)
{
	const struct msg_summary *sum = m->sum;
	const char *id = sum->msgid[0] ? sum->msgid : m->made_up_id;
	struct mid_row self;
	enum la_status e = mid_get(st, id, &self);
	if (e)
		return la_err_set(err, e, "index: Message-ID <%s>: %s", id, sqlite3_errmsg(st->db));
	*dup = self.msgs > 0;
	int64_t thread, parent;
	e = thread_message(st, &self, sum, &thread, &parent);
	if (e)
		return la_err_set(err, e, "index: threading <%s>: %s", id, sqlite3_errmsg(st->db));
	sqlite3_stmt *s = stmt(st, S_MID_INC);
	if (!s || step_done((sqlite3_bind_int64(s, 1, self.id), s)) != SQLITE_DONE)
		return db_fail(st, SQLITE_ERROR, err, "count message");
	e = next_daynum(st, m->list_id, m->day, num);
	if (e)
		return la_err_set(err, e, "index: day number for %d: %s", m->day, sqlite3_errmsg(st->db));

	s = stmt(st, S_MSG_INS);
	if (!s)
		return db_fail(st, SQLITE_ERROR, err, "add message");
	sqlite3_bind_int64(s, 1, m->list_id);
	sqlite3_bind_int(s, 2, m->day);
	sqlite3_bind_int(s, 3, *num);
	sqlite3_bind_int64(s, 4, m->source_id);
	sqlite3_bind_int64(s, 5, (int64_t)m->off);
	sqlite3_bind_int64(s, 6, (int64_t)m->len);
	sqlite3_bind_int64(s, 7, m->ts);
	if (m->has_date)
		sqlite3_bind_int64(s, 8, m->date);
	sqlite3_bind_int64(s, 9, self.id);
	if (parent)
		sqlite3_bind_int64(s, 10, parent);
	sqlite3_bind_int64(s, 11, thread);
	sqlite3_bind_text(s, 12, sum->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 13, sum->from_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 14, sum->from_addr, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 15, (int)sum->flags);
	if (m->file)
		sqlite3_bind_text(s, 16, m->file, -1, SQLITE_STATIC);
	int rc = step_done(s);
	if (rc != SQLITE_DONE)
		return db_fail(st, rc, err, "add message");
	return LA_OK;
}

enum la_status store_maildir_seen(struct store *st, int64_t source_id, const char *uniq, bool *seen)
{
	sqlite3_stmt *s = stmt(st, S_SEEN_GET);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, source_id);
	sqlite3_bind_text(s, 2, uniq, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	*seen = rc == SQLITE_ROW;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? LA_OK : db_status(rc);
}

enum la_status store_maildir_mark(struct store *st, int64_t source_id, const char *uniq)
{
	sqlite3_stmt *s = stmt(st, S_SEEN_INS);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, source_id);
	sqlite3_bind_text(s, 2, uniq, -1, SQLITE_STATIC);
	int rc = step_done(s);
	return rc == SQLITE_DONE ? LA_OK : (db_status(rc) ? db_status(rc) : LA_EDB);
}

enum la_status store_list_purge(struct store *st, int64_t list_id, struct la_err *err)
{
	char sql[512];
	snprintf(sql, sizeof sql,
	         "UPDATE mids SET msgs = msgs - (SELECT count(*) FROM messages m WHERE m.mid = mids.id"
	         " AND m.list_id = %lld) WHERE id IN (SELECT mid FROM messages WHERE list_id = %lld);"
	         "DELETE FROM messages WHERE list_id = %lld;"
	         "DELETE FROM days WHERE list_id = %lld;"
	         "DELETE FROM maildir_seen WHERE source_id IN (SELECT id FROM sources WHERE list_id = %lld);"
	         "UPDATE sources SET done = 0, fp_head = 0, fp_tail = 0, last_ts = 0 WHERE list_id = %lld;",
	         (long long)list_id, (long long)list_id, (long long)list_id, (long long)list_id,
	         (long long)list_id, (long long)list_id);
	int rc = exec(st, sql);
	return rc == SQLITE_OK ? LA_OK : db_fail(st, rc, err, "purge list");
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
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? LA_ENOTFOUND : (db_status(rc) ? db_status(rc) : LA_EDB);
	}
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
	sqlite3_reset(s);
	if (!m->msgid || !m->subject || !m->from_name || !m->from_addr || !m->list) {
		store_msg_clear(m);
		return LA_ENOMEM;
	}
	return LA_OK;
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
	if ((e = nav_one(st, S_NAV_PREV, m->list_id, m->day, m->num, 0, &nav->prev_day, &nav->prev_num)))
		return e;
	if ((e = nav_one(st, S_NAV_NEXT, m->list_id, m->day, m->num, 0, &nav->next_day, &nav->next_num)))
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
