/* searchfile.c: a rebuild of the search index made beside it, in
 * search.sqlite.new (FTS_NEW), while readers and new messages go on with
 * search.sqlite, and renamed over it when whole (docs/INDEX.md,
 * "Rebuilding the search index").
 *
 * The states, in index.sqlite's meta "search_build": absent, no rebuild
 * (a FTS_NEW there is a leftover, made again); "1", the rebuild under
 * way, FTS_NEW's fts_state.upto its resume point; "swap", committed
 * just before the rename: FTS_NEW still there means the rename did not
 * happen (the rebuild goes on, and swaps again), gone means it did, and
 * the index's side (the format, the fts inside index.sqlite dropped) is
 * finished by the next writer's open (st_fts_swap_finish).  Killed
 * anywhere, search.sqlite is the old file whole or the new one whole. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store_int.h"

/* dir/name + suffix into out. */
static void file_path(const struct store *st, const char *name, const char *suffix, char *out,
                      size_t n)
{
	snprintf(out, n, "%s/%s%s", st->dir, name, suffix);
}

/* Unlinks name's -wal, -shm and -journal; false (errno set) if one
 * that is there could not be. */
static bool unlink_side(const struct store *st, const char *name)
{
	static const char *const side[] = {"-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof side / sizeof *side; i++) {
		char p[4300];
		file_path(st, name, side[i], p, sizeof p);
		if (unlink(p) != 0 && errno != ENOENT)
			return false;
	}
	return true;
}

/* fsync of path (a file or a directory); false if it failed. */
static bool sync_path(const char *path, bool dir)
{
	int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool ok = fsync(fd) == 0;
	close(fd);
	return ok;
}

/* The prepared statements of the fts the writer had (inside
 * index.sqlite, or of other columns): prepared again when next used. */
static void fts_stmts_drop(struct store *st)
{
	for (int i = S_FTS_INS; i <= S_FTS_OLD_INS; i++) {
		sqlite3_finalize(st->prepared[i]);
		st->prepared[i] = NULL;
	}
}

enum la_status st_fts_swap_finish(struct store *st)
{
	char v[16] = "";
	if (store_meta_get(st, "search_build", v, sizeof v) != LA_OK || strcmp(v, "swap") != 0)
		return LA_OK;
	char np[4300];
	file_path(st, FTS_NEW, "", np, sizeof np);
	if (access(np, F_OK) == 0)
		return LA_OK; /* not renamed: the rebuild swaps again */
	char sql[600];
	snprintf(sql, sizeof sql,
	         "BEGIN IMMEDIATE; DROP TABLE IF EXISTS main.fts;"
	         " INSERT OR REPLACE INTO meta(key, value) VALUES('search', 'on'),"
	         " ('search_format', '%d'), ('trailers', '1');"
	         " DELETE FROM meta WHERE key IN ('search_build', 'fts_upto'); COMMIT",
	         STORE_SEARCH_FORMAT);
	int rc = st_exec(st, sql);
	if (rc != SQLITE_OK) {
		enum la_status e = st_error(rc);
		st_exec(st, "ROLLBACK");
		return e;
	}
	fts_stmts_drop(st);
	return LA_OK;
}

enum la_status store_fts_follow(struct store *st)
{
	if (!st->writer || st->fts_building || st->in_txn)
		return LA_OK;
	enum la_status e = st_fts_swap_finish(st);
	if (e)
		return e;
	char fp[4300];
	file_path(st, FTS_FILE, "", fp, sizeof fp);
	struct stat sb;
	if (st->fts_db) {
		/* The file this connection has, or one renamed over it? */
		if (stat(fp, &sb) == 0 && (uint64_t)sb.st_dev == st->fts_dev &&
		    (uint64_t)sb.st_ino == st->fts_ino)
			return LA_OK;
		st_fts_pend_drop(st);
		sqlite3 *db = st->fts_db;
		st->fts_db = NULL;
		st_fts_use_file(st);
		sqlite3_close(db);
	} else {
		/* An fts inside index.sqlite, still there (no swap since). */
		sqlite3_stmt *q = NULL;
		bool inside = sqlite3_prepare_v2(
				      st->db, "SELECT 1 FROM main.sqlite_schema WHERE name = 'fts'",
				      -1, &q, NULL) == SQLITE_OK &&
		              sqlite3_step(q) == SQLITE_ROW;
		sqlite3_finalize(q);
		if (inside)
			return LA_OK;
	}
	fts_stmts_drop(st);
	st->fts_stuck = false;
	if ((e = st_fts_open(st)))
		return e;
	st_fts_columns(st);
	return LA_OK;
}

enum la_status store_fts_build_open(struct store *st, int64_t *after)
{
	*after = 0;
	if (!st->writer || st->in_txn)
		return LA_EINVAL;
	if (st->fts_building) {
		*after = st_fts_upto(st);
		return LA_OK;
	}
	char v[16] = "", np[4300];
	bool resume = store_meta_get(st, "search_build", v, sizeof v) == LA_OK;
	file_path(st, FTS_NEW, "", np, sizeof np);
	/* A leftover of no rebuild recorded (killed before its first
	 * commit here) is made again. */
	if (!resume && ((unlink(np) != 0 && errno != ENOENT) || !unlink_side(st, FTS_NEW)))
		return LA_EIO;
	sqlite3 *db = NULL;
	enum la_status e = st_fts_file_open(np, false, &db);
	if (e)
		return e;
	/* ("swap" with the file still there: the rename did not happen.) */
	if (strcmp(v, "1") != 0) {
		int rc =
			st_exec(st, "INSERT OR REPLACE INTO meta(key, value) VALUES('search_build',"
		                    " '1')");
		if (rc != SQLITE_OK) {
			sqlite3_close(db);
			return st_error(rc);
		}
	}
	/* The rows the writer prepares go to the new file (its thread's
	 * connection), with every column. */
	st_fts_pend_drop(st);
	st->fts_old = st->fts_db;
	st->fts_old_stuck = st->fts_stuck;
	st->fts_stuck = false;
	st->fts_db = db;
	st->fts_building = true;
	st_fts_use_file(st);
	st_fts_columns(st);
	*after = st_fts_upto(st);
	return LA_OK;
}

void store_fts_build_close(struct store *st)
{
	if (!st || !st->fts_building)
		return;
	st_fts_pend_drop(st);
	sqlite3 *db = st->fts_db;
	st->fts_db = st->fts_old;
	st->fts_old = NULL;
	st->fts_stuck = st->fts_old_stuck;
	st->fts_building = false;
	st_fts_use_file(st); /* (its statement on db finalized) */
	st_fts_columns(st);
	sqlite3_close(db);
}

enum la_status store_fts_build_forget(struct store *st, int64_t after, int64_t last)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, "DELETE FROM patchids WHERE id > ?1 AND id <= ?2", -1,
	                            &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, after);
		sqlite3_bind_int64(s, 2, last);
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

enum la_status store_fts_build_mark(struct store *st, int64_t last)
{
	if (!st->fts_building)
		return LA_EINVAL;
	enum la_status e = st_fts_commit(st, last);
	return e ? e : st->fts_stuck ? LA_EIO : LA_OK;
}

/* db's log copied into its file and emptied, so that the file is whole
 * without it: false while a reader still reads the log (or on an
 * error). */
static bool checkpointed(sqlite3 *db)
{
	sqlite3_stmt *s = NULL;
	bool ok = sqlite3_prepare_v2(db, "PRAGMA wal_checkpoint(TRUNCATE)", -1, &s, NULL) ==
	                  SQLITE_OK &&
	          sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) == 0;
	sqlite3_finalize(s);
	return ok;
}

enum la_status store_fts_build_swap(struct store *st, bool *swapped, struct la_err *err)
{
	*swapped = false;
	if (!st->fts_building || st->in_txn)
		return la_err_set(err, LA_EINVAL, "index: no rebuild of the search index to swap");
	/* 1. The file in use whole by itself: readers attached to it keep
	 * reading it, through their own -shm and -wal, after the rename.
	 * One a reader holds waits for the next writer. */
	if (st->fts_old && !checkpointed(st->fts_old))
		return LA_OK;
	/* 2. The new one's log copied in (synced) and the file closed: the
	 * last connection to close a WAL file deletes its -wal and -shm
	 * (its WAL is not persistent), so that the rename moves all of it.
	 * It stays in WAL mode: leaving it would make the writer's next
	 * open switch back through a rollback journal, a hot one if killed
	 * there, which a read-only reader cannot roll back. */
	st_fts_pend_drop(st);
	sqlite3 *db = st->fts_db;
	if (!checkpointed(db))
		return la_err_set(err, LA_EDB, "index: %s/%s: %s", st->dir, FTS_NEW,
		                  sqlite3_errmsg(db));
	st->fts_db = NULL;
	st_fts_use_file(st);
	sqlite3_close(db);
	int rc;
	sqlite3_close(st->fts_old);
	st->fts_old = NULL;
	st->fts_building = false;
	st->fts_stuck = false;
	/* (From here the writer has no connection to either file until it
	 * opens the new one, step 5.) */
	char np[4300], fp[4300];
	file_path(st, FTS_NEW, "", np, sizeof np);
	file_path(st, FTS_FILE, "", fp, sizeof fp);
	/* 3. What a kill from here on leaves is told by the file: there,
	 * not renamed; gone, renamed (st_fts_swap_finish). */
	rc = st_exec(st, "INSERT OR REPLACE INTO meta(key, value) VALUES('search_build', 'swap')");
	if (rc != SQLITE_OK)
		return st_fail(st, rc, err, "recording the search index's swap");
	/* 4. The old file's -wal and -shm unlinked (empty, the log copied
	 * in), and any the new one's close left (empty too), then the
	 * rename: a connection opening the name finds the new file with no
	 * log of the old one's beside it; one holding the old file keeps
	 * its own. */
	if (!sync_path(np, false) || !unlink_side(st, FTS_FILE) || !unlink_side(st, FTS_NEW) ||
	    rename(np, fp) != 0 || !sync_path(st->dir, true))
		return la_err_set(err, LA_EIO, "index: renaming %s over %s: %s", np, fp,
		                  strerror(errno));
	/* 5. The index's side, committed (readers see a new data version
	 * and attach the new file: st_fts_attach), and the writer's
	 * connection to the new file. */
	enum la_status e = st_fts_swap_finish(st);
	if (e)
		return la_err_set(err, e, "index: finishing the search index's swap: %s",
		                  sqlite3_errmsg(st->db));
	fts_stmts_drop(st);
	if ((e = st_fts_open(st)))
		return la_err_set(err, e, "index: %s: cannot open", fp);
	st_fts_columns(st);
	*swapped = true;
	return LA_OK;
}
