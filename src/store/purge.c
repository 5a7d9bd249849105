/* purge.c: `listarc purge`'s bookkeeping: the journal of a purge under
 * way (table purges), the messages a purge takes, and the index's side of
 * a purge that is done (offsets of the later messages moved, the purged
 * row kept as a hidden, empty one, the log).  The file itself is
 * rewritten by ingest/purge.c. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/store_int.h"
#include "util/hash.h"

static sqlite3_stmt *prepare(struct store *st, const char *sql, int *rc)
{
	sqlite3_stmt *s = NULL;
	*rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	return *rc == SQLITE_OK ? s : NULL;
}

static void copy_text(char *out, size_t n, sqlite3_stmt *s, int col)
{
	const char *t = (const char *)sqlite3_column_text(s, col);
	snprintf(out, n, "%s", t ? t : "");
}

enum la_status store_purge_targets(struct store *st, int64_t list_id, const char *msgid,
                                   struct store_purge_target *v, int max, int *n, int *purged)
{
	*n = 0;
	*purged = 0;
	int rc;
	sqlite3_stmt *s =
		prepare(st,
	                "SELECT m.id, m.source_id, m.off, m.len, m.file, m.flags FROM mids"
	                " JOIN messages m ON m.mid = mids.id WHERE mids.hash = ?1 AND mids.mid = ?2"
	                " AND m.list_id = ?3 ORDER BY m.id",
	                &rc);
	if (!s)
		return st_error(rc);
	sqlite3_bind_int64(s, 1, (int64_t)hash64(msgid, strlen(msgid), 0));
	sqlite3_bind_text(s, 2, msgid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, list_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((unsigned)sqlite3_column_int64(s, 5) & STORE_F_PURGED) {
			(*purged)++;
			continue;
		}
		if (*n >= max) {
			rc = SQLITE_DONE;
			break;
		}
		struct store_purge_target *t = &v[(*n)++];
		t->msg_id = sqlite3_column_int64(s, 0);
		t->source_id = sqlite3_column_int64(s, 1);
		t->off = (uint64_t)sqlite3_column_int64(s, 2);
		t->len = (uint64_t)sqlite3_column_int64(s, 3);
		copy_text(t->file, sizeof t->file, s, 4);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

enum la_status store_purge_next_off(struct store *st, int64_t source_id, uint64_t after,
                                    uint64_t *off)
{
	int rc;
	sqlite3_stmt *s = prepare(st,
	                          "SELECT min(off) FROM messages WHERE source_id = ?1 AND off > ?2"
	                          " AND flags & " PURGED_BIT_SQL " = 0",
	                          &rc);
	if (!s)
		return st_error(rc);
	sqlite3_bind_int64(s, 1, source_id);
	sqlite3_bind_int64(s, 2, (int64_t)after);
	rc = sqlite3_step(s);
	enum la_status e = LA_ENOTFOUND;
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*off = (uint64_t)sqlite3_column_int64(s, 0);
		e = LA_OK;
	} else if (rc != SQLITE_ROW) {
		e = st_error(rc);
	}
	sqlite3_finalize(s);
	return e;
}

enum la_status store_purge_journal(struct store *st, struct store_purge *p)
{
	int rc;
	sqlite3_stmt *s = prepare(
		st,
		"INSERT INTO purges(list_id, source_id, msg_id, start, end, ino, file, msgid, by,"
		" reason, public, at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
		&rc);
	if (!s)
		return st_error(rc);
	sqlite3_bind_int64(s, 1, p->list_id);
	sqlite3_bind_int64(s, 2, p->source_id);
	sqlite3_bind_int64(s, 3, p->msg_id);
	sqlite3_bind_int64(s, 4, (int64_t)p->start);
	sqlite3_bind_int64(s, 5, (int64_t)p->end);
	sqlite3_bind_int64(s, 6, p->ino);
	sqlite3_bind_text(s, 7, p->file, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, p->msgid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, p->by, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 10, p->reason, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 11, p->public);
	sqlite3_bind_int64(s, 12, (int64_t)time(NULL));
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return st_error(rc);
	p->id = sqlite3_last_insert_rowid(st->db);
	return LA_OK;
}

enum la_status store_purge_pending(struct store *st, int64_t source_id, struct store_purge *p)
{
	int rc;
	sqlite3_stmt *s =
		prepare(st,
	                "SELECT id, list_id, source_id, msg_id, start, end, ino, file, msgid,"
	                " by, reason, public FROM purges WHERE ?1 = 0 OR source_id = ?1"
	                " ORDER BY id LIMIT 1",
	                &rc);
	if (!s)
		return strstr(sqlite3_errmsg(st->db), "no such table") ? LA_ENOTFOUND
		                                                       : st_error(rc);
	sqlite3_bind_int64(s, 1, source_id);
	rc = sqlite3_step(s);
	enum la_status e = LA_ENOTFOUND;
	if (rc == SQLITE_ROW) {
		p->id = sqlite3_column_int64(s, 0);
		p->list_id = sqlite3_column_int64(s, 1);
		p->source_id = sqlite3_column_int64(s, 2);
		p->msg_id = sqlite3_column_int64(s, 3);
		p->start = (uint64_t)sqlite3_column_int64(s, 4);
		p->end = (uint64_t)sqlite3_column_int64(s, 5);
		p->ino = sqlite3_column_int64(s, 6);
		copy_text(p->file, sizeof p->file, s, 7);
		copy_text(p->msgid, sizeof p->msgid, s, 8);
		copy_text(p->by, sizeof p->by, s, 9);
		copy_text(p->reason, sizeof p->reason, s, 10);
		p->public = sqlite3_column_int(s, 11) != 0;
		e = LA_OK;
	} else if (rc != SQLITE_DONE) {
		e = st_error(rc);
	}
	sqlite3_finalize(s);
	return e;
}

/* Runs sql with the purge's values bound (?1 msg_id, ?2 source_id, ?3
 * start, ?4 end, ?5 list_id, ?6 msgid, ?7 hash, ?8 reason, ?9 public,
 * ?10 now, ?11 by, ?12 journal id); an SQLite code. */
static int run_bound(struct store *st, const char *sql, const struct store_purge *p)
{
	int rc;
	sqlite3_stmt *s = prepare(st, sql, &rc);
	if (!s)
		return rc;
	int n = sqlite3_bind_parameter_count(s);
	for (int i = 1; i <= n; i++) {
		switch (i) {
		case 1: sqlite3_bind_int64(s, i, p->msg_id); break;
		case 2: sqlite3_bind_int64(s, i, p->source_id); break;
		case 3: sqlite3_bind_int64(s, i, (int64_t)p->start); break;
		case 4: sqlite3_bind_int64(s, i, (int64_t)p->end); break;
		case 5: sqlite3_bind_int64(s, i, p->list_id); break;
		case 6: sqlite3_bind_text(s, i, p->msgid, -1, SQLITE_STATIC); break;
		case 7:
			sqlite3_bind_int64(s, i, (int64_t)hash64(p->msgid, strlen(p->msgid), 0));
			break;
		case 8: sqlite3_bind_text(s, i, p->reason, -1, SQLITE_STATIC); break;
		case 9: sqlite3_bind_int(s, i, p->public); break;
		case 10: sqlite3_bind_int64(s, i, (int64_t)time(NULL)); break;
		case 11: sqlite3_bind_text(s, i, p->by, -1, SQLITE_STATIC); break;
		case 12: sqlite3_bind_int64(s, i, p->id); break;
		default: break;
		}
	}
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc;
}

enum la_status store_purge_finish(struct store *st, const struct store_purge *p, bool mbox,
                                  struct la_err *err)
{
	static const char *const sql[] = {
		/* The later messages of an mbox move back by the bytes removed
	         * (the purged rows among them too, so each stays where its
	         * message was). */
		"UPDATE messages SET off = off - (?4 - ?3) WHERE source_id = ?2 AND off >= ?4"
		" AND ?4 > ?3",
		/* The purged message keeps its row, its number and its
	         * Message-ID, and nothing of its text: hidden (410), empty, and
	         * marked purged (never shown again, not even by unhide). */
		"UPDATE messages SET flags = flags | " HIDDEN_BIT_SQL " | " PURGED_BIT_SQL
		", off = ?3, len = 0, subject = '', from_name = '', from_addr = ''"
		" WHERE id = ?1",
		"DELETE FROM patchids WHERE id = ?1",
		"INSERT INTO hidden(list_id, hash, msgid, reason, public, since)"
		" VALUES(?5, ?7, ?6, ?8, ?9, ?10) ON CONFLICT(list_id, msgid) DO UPDATE"
		" SET reason = excluded.reason, public = excluded.public",
		"INSERT INTO hide_log(at, action, list, msgid, by, reason)"
		" SELECT ?10, 'purge', name, ?6, ?11, ?8 FROM lists WHERE id = ?5",
		"DELETE FROM purges WHERE id = ?12",
	};
	/* The additions noted before the hide's trigger notes its change. */
	enum la_status e = stats_flush(st);
	if (e)
		return la_err_set(err, e, "purge: %s", sqlite3_errmsg(st->db));
	for (size_t i = 0; i < sizeof sql / sizeof *sql; i++) {
		if (i == 0 && !mbox)
			continue;
		int rc = run_bound(st, sql[i], p);
		if (rc != SQLITE_DONE)
			return st_fail(st, rc, err, "purge");
	}
	return LA_OK;
}

bool store_msg_purged(struct store *st, int64_t list_id, const char *msgid)
{
	int rc;
	sqlite3_stmt *s = prepare(st,
	                          "SELECT 1 FROM mids JOIN messages m ON m.mid = mids.id"
	                          " WHERE mids.hash = ?1 AND mids.mid = ?2 AND m.list_id = ?3"
	                          " AND m.flags & " PURGED_BIT_SQL " != 0 LIMIT 1",
	                          &rc);
	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, (int64_t)hash64(msgid, strlen(msgid), 0));
	sqlite3_bind_text(s, 2, msgid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, list_id);
	bool purged = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return purged;
}
