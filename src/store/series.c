/* series.c: patch series in the index.  At index time each patch and
 * cover letter joins a series (one version of it) by the rules of
 * docs/series.md; pages read a series, its messages and its other
 * versions. */
#include <ctype.h>
#include <glib.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg/series.h"
#include "store/store_int.h"
#include "util/hash.h"
#include "util/msort.h"
#include "util/vec.h"

enum {
	Q_BY_ANCHOR,
	Q_BY_PARENT_MSG,
	Q_BY_SIBLING,
	Q_BY_MID,
	Q_UNTHREADED,
	Q_UNTHREADED_NAME,
	Q_PART_TAKEN,
	Q_NEW,
	Q_JOIN,
	Q_COVER,
	Q_NAME,
	Q_GET,
	Q_OF,
	Q_MSGS,
	Q_CHANGE_ID,
	Q_V_CHANGE_UP,
	Q_V_CHANGE_DOWN,
	Q_V_NAME_UP,
	Q_V_NAME_DOWN,
	Q_PIDS,
	Q_P_MSG_PIDS,
	Q_P_MSG_PIDS_ALL,
	Q_P_GROUP,
	Q_P_GROUP_ALL,
	Q_TR_INS,
	Q_TR_THREAD,
	Q_MSG_THREAD,
	Q_UNSHOWN,
	Q_MSGID_THREADS,
	Q_THREAD_SERIES,
	Q_ST_MSGS,
	Q_ST_REVIEWS,
	Q_ST_PARENT,
	Q_ST_SHARE,
	Q_ST_PUT,
	Q_ST_GET,
	Q_ST_LIST,
	Q_ST_COUNT,
	Q_ST_ANY,
	Q_ANY,
	Q_ST_READY,
	Q_FB_LIST,
	Q_FB_COUNT,
	Q_FB_ANY,
	Q_ROW,
	Q_G_NAME,
	Q_G_CHANGE,
	Q_OLD_NAME,
	Q_WS_OF,
	Q_WS_PUT,
	Q_WS_DEL,
	Q_W_OF,
	Q_W_PUT,
	Q_W_DEL,
	Q_W_READY,
	Q_COUNT
};

static const char *const q_sql[Q_COUNT] = {
	/* A series anchored at the message this one replies to (its cover
         * letter, or what its first patch replied to), of its version and
         * count; the newest if several. */
	[Q_BY_ANCHOR] = "SELECT id FROM series WHERE anchor = ?1 AND version = ?2 AND total = ?3"
			" AND list_id = ?4 ORDER BY id DESC LIMIT 1",
	/* The series of the message replied to (git send-email's
         * --chain-reply-to: each patch replies to the one before). */
	[Q_BY_PARENT_MSG] = "SELECT s.id FROM messages m JOIN series_msgs sm ON sm.id = m.id"
			    " JOIN series s ON s.id = sm.series WHERE m.mid = ?1 AND s.version = ?2"
			    " AND s.total = ?3 AND s.list_id = ?4 ORDER BY s.id DESC LIMIT 1",
	/* A series whose cover letter replies to what this patch replies to
         * (both answer one message: a previous version, or a ghost such as
         * the "In-Reply-To: yes" of an old git send-email), begun within the
         * window (?5, ?6). */
	[Q_BY_SIBLING] =
		"SELECT id FROM series WHERE sibling = ?1 AND sibling <> 0 AND version = ?2 AND total = ?3"
		" AND list_id = ?4 AND first_ts BETWEEN ?5 AND ?6 ORDER BY id DESC LIMIT 1",
	/* Another copy of this message (the same Message-ID) already in a
         * series: this one goes beside it. */
	[Q_BY_MID] = "SELECT sm.series FROM messages m JOIN series_msgs sm ON sm.id = m.id"
		     " WHERE m.mid = ?1 AND m.id <> ?2 ORDER BY m.id LIMIT 1",
	/* Unthreaded: the newest series of the author, version and count
         * begun within the window. */
	[Q_UNTHREADED] =
		"SELECT id FROM series WHERE list_id = ?1 AND author = ?2 AND first_ts >= ?3"
		" AND first_ts <= ?4 AND version = ?5 AND total = ?6"
		" ORDER BY first_ts DESC, id DESC LIMIT 1",
	/* Unthreaded, when the address differs: a series of this version and
         * count begun within the window, one of whose messages has the
         * sender's name (?2: this message's row), for an author seen under
         * two addresses (an archive such as gmane's rewrote half of them). */
	[Q_UNTHREADED_NAME] =
		"SELECT s.id FROM messages me, series s"
		" WHERE me.id = ?2 AND me.from_name <> '' AND s.list_id = ?1 AND s.first_ts >= ?3"
		" AND s.first_ts <= ?4 AND s.version = ?5 AND s.total = ?6 AND EXISTS (SELECT 1"
		" FROM series_msgs sm JOIN messages m ON m.id = sm.id WHERE sm.series = s.id"
		" AND m.from_name = me.from_name) ORDER BY s.first_ts DESC, s.id DESC LIMIT 1",
	[Q_PART_TAKEN] = "SELECT 1 FROM series_msgs WHERE series = ?1 AND part = ?2",
	[Q_NEW] =
		"INSERT INTO series(list_id, version, total, flags, author, name, name_part,"
		" anchor, cover, first_ts, sibling) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
		" ?11)",
	[Q_JOIN] = "INSERT INTO series_msgs(id, series, part) VALUES(?1, ?2, ?3)"
		   " ON CONFLICT(id) DO UPDATE SET series = excluded.series, part = excluded.part",
	[Q_COVER] = "UPDATE series SET cover = ?2, anchor = ?3 WHERE id = ?1 AND cover IS NULL",
	/* The name Q_NAME would replace (a lower patch, or the cover
         * letter, arrived). */
	[Q_OLD_NAME] = "SELECT list_id, name, author FROM series WHERE id = ?1 AND name_part > ?2",
	[Q_NAME] = "UPDATE series SET name = ?2, name_part = ?3, flags = flags | ?4,"
		   " first_ts = min(first_ts, ?5) WHERE id = ?1 AND name_part > ?3",
	/* first_ts: of the messages shown (a hidden one's date is not). */
	[Q_GET] =
		"SELECT id, list_id, coalesce(cover, 0), version, total, flags,"
		" coalesce((SELECT min(coalesce(m.date, m.ts)) FROM series_msgs sm"
		" JOIN messages m ON m.id = sm.id WHERE sm.series = series.id AND " NOT_HIDDEN(
			"m.") "), first_ts), author, name, coalesce(change_id, '') FROM series WHERE id = ?1",
	[Q_OF] = "SELECT series, part FROM series_msgs WHERE id = ?1",
	[Q_MSGS] =
		"SELECT " ENTRY_COLS ", sm.part FROM series_msgs sm JOIN messages m ON m.id = sm.id"
		" JOIN mids ON mids.id = m.mid JOIN lists l ON l.id = m.list_id"
		" WHERE sm.series = ?1 AND " NOT_HIDDEN(
			"m.") " ORDER BY sm.part, m.ts, m.id LIMIT 4000",
	[Q_CHANGE_ID] = "UPDATE series SET change_id = ?2 WHERE id ="
			" (SELECT series FROM series_msgs WHERE id = ?1 AND (part = 0 OR"
			" (SELECT total FROM series WHERE id = series) = 1))",
	/* The nearest to the series the walk began from (?3, ?4) first: an
         * author who reuses a subject for a hundred series ("fix typo")
         * links each to its neighbours, and the walks from each of them do
         * not all find the same first 64.  Each is read from its index in
         * two runs of at most 64 (ids from ?3 up, ids below it down),
         * which add_nearest merges by distance: one ORDER BY abs(id - ?3)
         * read every series of the name and sorted them, a walk's cost
         * growing with the archive. */
	[Q_V_CHANGE_UP] = "SELECT id FROM series WHERE change_id = ?1 AND list_id = ?2"
			  " AND id >= ?3 ORDER BY id LIMIT 64",
	[Q_V_CHANGE_DOWN] = "SELECT id FROM series WHERE change_id = ?1 AND list_id = ?2"
			    " AND id < ?3 ORDER BY id DESC LIMIT 64",
	[Q_V_NAME_UP] = "SELECT id FROM series WHERE list_id = ?1 AND name = ?2 AND author = ?3"
			" AND name <> '' AND id >= ?4 ORDER BY id LIMIT 64",
	[Q_V_NAME_DOWN] = "SELECT id FROM series WHERE list_id = ?1 AND name = ?2 AND author = ?3"
			  " AND name <> '' AND id < ?4 ORDER BY id DESC LIMIT 64",
	[Q_PIDS] = "SELECT pid FROM patchids WHERE id = ?1 ORDER BY pid LIMIT 64",
	/* The series that share a patch (by patch id) with a series, of its
         * author and list, in two steps, each in a fixed order (a pass
         * over many series keeps the second's rows: struct pid_cache): a
         * series' messages shown with their patch ids, and the messages
         * shown of a series that have one patch id, with their series'
         * author and list.  Hidden messages link nothing.  The _ALL forms,
         * for an index with no message hidden (pid_cache.any_unshown),
         * read no message row: every row of series_msgs has its message,
         * and the index alone answers the first. */
	[Q_P_MSG_PIDS] = "SELECT sm.id, p.pid FROM series_msgs sm JOIN messages m ON m.id = sm.id"
			 " JOIN patchids p ON p.id = sm.id WHERE sm.series = ?1 AND " NOT_HIDDEN(
				 "m.") " ORDER BY sm.part, sm.id, p.pid",
	[Q_P_MSG_PIDS_ALL] =
		"SELECT sm.id, p.pid FROM series_msgs sm JOIN patchids p ON p.id = sm.id"
		" WHERE sm.series = ?1 ORDER BY sm.part, sm.id, p.pid",
	[Q_P_GROUP] = "SELECT p.id, s.id, s.author, s.list_id FROM patchids p"
		      " JOIN series_msgs b ON b.id = p.id JOIN series s ON s.id = b.series"
		      " JOIN messages m ON m.id = b.id WHERE p.pid = ?1 AND " NOT_HIDDEN(
			      "m.") " ORDER BY p.id",
	[Q_P_GROUP_ALL] = "SELECT p.id, s.id, s.author, s.list_id FROM patchids p"
			  " JOIN series_msgs b ON b.id = p.id JOIN series s ON s.id = b.series"
			  " WHERE p.pid = ?1 ORDER BY p.id",
	[Q_TR_INS] = "INSERT OR REPLACE INTO trailers(id, seq, kind, value) VALUES(?1, ?2, ?3, ?4)",
	/* The trailers of a thread's messages (of one list, if ?2), those
         * hidden left out, in message and line order. */
	[Q_TR_THREAD] =
		"SELECT t.id, t.kind, t.value FROM messages m JOIN trailers t ON t.id = m.id"
		" WHERE m.thread = ?1 AND (?2 = 0 OR m.list_id = ?2) AND " NOT_HIDDEN(
			"m.") " ORDER BY t.id, t.seq",
	[Q_MSG_THREAD] = "SELECT thread FROM messages WHERE id = ?1",
	/* The Message-IDs of a series' messages not shown: hidden, or
         * removed from their source. */
	[Q_UNSHOWN] = "SELECT m.mid FROM series_msgs sm JOIN messages m ON m.id = sm.id"
		      " WHERE sm.series = ?1 AND m.flags & " HIDDEN_BIT_SQL " != 0"
		      " UNION SELECT mid FROM series_gone WHERE series = ?1 LIMIT 4000",
	[Q_MSGID_THREADS] = "SELECT DISTINCT m.thread FROM mids JOIN messages m ON m.mid = mids.id"
			    " WHERE mids.hash = ?1 AND mids.mid = ?2 AND m.list_id = ?3",
	/* (Without DISTINCT, which opened a temporary b-tree each time:
         * the refresh skips a series it has, keeping the first's place.) */
	[Q_THREAD_SERIES] = "SELECT sm.series FROM messages m JOIN series_msgs sm"
			    " ON sm.id = m.id WHERE m.thread = ?1",
	/* A series' messages shown, for its state. */
	[Q_ST_MSGS] = "SELECT m.id, m.mid, m.thread, sm.part, coalesce(m.date, m.ts)"
		      " FROM series_msgs sm JOIN messages m ON m.id = sm.id"
		      " WHERE sm.series = ?1 AND " NOT_HIDDEN("m.") " ORDER BY sm.part LIMIT 4000",
	/* The messages of a thread (in a list) that give a Reviewed-by: or
         * Acked-by:, shown, with their Message-ID and parent.  The thread's
         * ids from its index, their trailers, and only then the rows of
         * those that have one (most threads of a commit's refresh have no
         * review: their message rows, a pread each, were most of its
         * reviews' time); CROSS JOIN keeps that order, and the rows come
         * in the thread index's order as before.  EXISTS, not a join and
         * DISTINCT: a message of two review trailers is one row either
         * way, and DISTINCT opened a temporary b-tree for each thread
         * (~20 K instructions, an append's ~600 threads). */
	[Q_ST_REVIEWS] = "SELECT m.id, m.mid, coalesce(m.parent, 0) FROM messages x"
			 " CROSS JOIN messages m WHERE x.thread = ?1 AND EXISTS (SELECT 1"
			 " FROM trailers t WHERE t.id = x.id AND t.kind IN (0, 1))"
			 " AND m.id = x.id AND m.list_id = ?2 AND " NOT_HIDDEN("m.") " LIMIT 4000",
	[Q_ST_PARENT] = "SELECT coalesce(parent, 0) FROM mids WHERE id = ?1",
	[Q_ST_SHARE] = "SELECT 1 FROM patchids a JOIN patchids b ON b.pid = a.pid"
		       " WHERE a.id = ?1 AND b.id = ?2 LIMIT 1",
	/* A state that did not change is not written again: most of a
         * pass's series are those of a thread that grew, and are as they
         * were (a replaced row rewrote the table's and series_state_list's
         * pages, the most of a --no-search index run's series time). */
	[Q_ST_PUT] = "INSERT INTO series_state(id, list_id, total, msgs, parts, reviewed,"
		     " latest, newest, first_ts) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
		     " ON CONFLICT(id) DO UPDATE SET list_id = excluded.list_id,"
		     " total = excluded.total, msgs = excluded.msgs, parts = excluded.parts,"
		     " reviewed = excluded.reviewed, latest = excluded.latest,"
		     " newest = excluded.newest, first_ts = excluded.first_ts"
		     " WHERE (list_id, total, msgs, parts, reviewed, latest, newest, first_ts)"
		     " <> (excluded.list_id, excluded.total, excluded.msgs, excluded.parts,"
		     " excluded.reviewed, excluded.latest, excluded.newest, excluded.first_ts)",
	[Q_ST_GET] = "SELECT msgs, parts, reviewed, latest, newest, first_ts FROM series_state"
		     " WHERE id = ?1",
	[Q_ST_LIST] = "SELECT ss.id, ss.msgs, ss.parts, ss.reviewed, ss.latest, ss.newest,"
		      " ss.first_ts FROM series_state ss WHERE ss.list_id = ?1 AND ss.msgs > 0"
		      " AND (ss.first_ts < ?4 OR (ss.first_ts = ?4 AND ss.id < ?5))"
		      " ORDER BY ss.first_ts DESC, ss.id DESC LIMIT ?2 OFFSET ?3",
	[Q_ST_COUNT] = "SELECT count(*) FROM series_state WHERE list_id = ?1 AND msgs > 0",
	/* Stops at the first: the count reads every series of the list. */
	[Q_ST_ANY] = "SELECT EXISTS (SELECT 1 FROM series_state WHERE list_id = ?1 AND msgs > 0)",
	/* Whether a pass need look for reviews, for messages not shown, for
         * patches shared at all: each reads one end of a b-tree
         * (messages_hidden's for the hidden), and an archive indexed
         * --no-search has no trailers and no patch ids. */
	[Q_ANY] = "SELECT EXISTS (SELECT 1 FROM trailers), EXISTS (SELECT 1 FROM messages"
		  " WHERE flags & " HIDDEN_BIT_SQL " != 0) OR EXISTS (SELECT 1 FROM series_gone),"
		  " EXISTS (SELECT 1 FROM patchids)",
	/* Whether the states were made (an index no writer has opened since
         * series_state came holds series without them, or no series). */
	[Q_ST_READY] = "SELECT value = '1' FROM meta WHERE key = 'series_state'",
	/* Without states: the list of series from the series themselves,
         * each state computed as the page asks (store_series_list). */
	[Q_FB_LIST] = "SELECT id FROM series WHERE list_id = ?1"
		      " AND (first_ts < ?4 OR (first_ts = ?4 AND id < ?5))"
		      " ORDER BY first_ts DESC, id DESC LIMIT ?2 OFFSET ?3",
	[Q_FB_COUNT] = "SELECT count(*) FROM series WHERE list_id = ?1",
	[Q_FB_ANY] = "SELECT EXISTS (SELECT 1 FROM series WHERE list_id = ?1)",
	/* What a walk reads of a series (struct prow): Q_GET without the
         * dates of its messages. */
	[Q_ROW] = "SELECT list_id, version, total, first_ts, author, name,"
		  " coalesce(change_id, '') FROM series WHERE id = ?1",
	/* The series of a name and author, of a change-id, ascending: read
         * once a pass, and each walk's 64 nearest taken from them
         * (add_by_name; the same as Q_V_NAME_UP and _DOWN's). */
	[Q_G_NAME] = "SELECT id FROM series WHERE list_id = ?1 AND name = ?2 AND author = ?3"
		     " AND name <> '' ORDER BY id LIMIT ?4",
	[Q_G_CHANGE] = "SELECT id FROM series WHERE change_id = ?1 AND list_id = ?2 ORDER BY id"
		       " LIMIT ?3",
	/* The walks kept (walk_store): those that hold a series, a walk's
         * members kept. */
	[Q_WS_OF] = "SELECT starts FROM series_walk_starts WHERE member = ?1",
	[Q_WS_PUT] = "INSERT OR REPLACE INTO series_walk_starts(member, starts) VALUES(?1, ?2)",
	[Q_WS_DEL] = "DELETE FROM series_walk_starts WHERE member = ?1",
	[Q_W_OF] = "SELECT members FROM series_walk_members WHERE start = ?1",
	[Q_W_PUT] = "INSERT OR REPLACE INTO series_walk_members(start, members) VALUES(?1, ?2)",
	[Q_W_DEL] = "DELETE FROM series_walk_members WHERE start = ?1",
	[Q_W_READY] =
		"SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'series_walk' AND value = '1')",
};

static sqlite3_stmt *q(struct store *st, int id)
{
	_Static_assert(Q_COUNT <= sizeof st->sstmt / sizeof *st->sstmt, "room for statements");
	sqlite3_stmt *s = st->sstmt[id];
	if (!s) {
		if (sqlite3_prepare_v3(st->db, q_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
		                       &st->sstmt[id], NULL) != SQLITE_OK)
			return NULL;
		return st->sstmt[id];
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

const char *series_sql_at(size_t i)
{
	return i < Q_COUNT ? q_sql[i] : NULL;
}

static void sflt_drop(struct store *st);

void series_stmts_free(struct store *st)
{
	sflt_drop(st);
	for (size_t i = 0; i < sizeof st->sstmt / sizeof *st->sstmt; i++) {
		sqlite3_finalize(st->sstmt[i]);
		st->sstmt[i] = NULL;
	}
}

/* One integer from s (bound by the caller): *out, or 0 with no row. */
static enum la_status one_int(sqlite3_stmt *s, int64_t *out)
{
	*out = 0;
	if (!s)
		return LA_EDB;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? LA_OK : st_status(rc);
}

/* The name and author as compared between versions: lowercase ASCII,
 * whitespace runs as one space. */
static void fold(char *out, size_t cap, const char *p, size_t n)
{
	size_t k = 0;
	bool space = false;
	for (size_t i = 0; i < n && k + 1 < cap; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == ' ' || c == '\t') {
			space = k > 0;
			continue;
		}
		if (space && k + 2 < cap)
			out[k++] = ' ';
		space = false;
		/* (tolower's, in the C locale listarc runs in: ASCII alone.) */
		out[k++] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
	}
	out[k] = '\0';
}

static bool part_taken(struct store *st, int64_t series, unsigned part)
{
	sqlite3_stmt *s = q(st, Q_PART_TAKEN);
	int64_t v = 0;
	if (!s)
		return true;
	sqlite3_bind_int64(s, 1, series);
	sqlite3_bind_int(s, 2, (int)part);
	one_int(s, &v);
	return v != 0;
}

/* A series found unthreaded by s (Q_UNTHREADED or Q_UNTHREADED_NAME, ?2
 * bound by the caller): of list_id, p's version and count, begun within
 * the window around when, whose place p->part is free; 0 if none. */
static enum la_status unthreaded_free(struct store *st, sqlite3_stmt *s, int64_t list_id,
                                      int64_t when, const struct msg_series_subject *p,
                                      int64_t *series)
{
	sqlite3_bind_int64(s, 1, list_id);
	sqlite3_bind_int64(s, 3, when - SERIES_WINDOW);
	sqlite3_bind_int64(s, 4, when + SERIES_WINDOW);
	sqlite3_bind_int(s, 5, (int)p->version);
	sqlite3_bind_int(s, 6, (int)p->total);
	enum la_status e = one_int(s, series);
	if (!e && *series && part_taken(st, *series, p->part))
		*series = 0;
	return e;
}

/* A series found by statement s (bound: ?1 key, ?2 version, ?3 total,
 * ?4 list) whose place `part` is free; 0 if none. */
static enum la_status find_free(struct store *st, sqlite3_stmt *s, int64_t key,
                                const struct msg_series_subject *p, int64_t list_id, int64_t *out)
{
	*out = 0;
	if (!s)
		return LA_EDB;
	if (!key)
		return LA_OK;
	sqlite3_bind_int64(s, 1, key);
	sqlite3_bind_int(s, 2, (int)p->version);
	sqlite3_bind_int(s, 3, (int)p->total);
	sqlite3_bind_int64(s, 4, list_id);
	int64_t id;
	enum la_status e = one_int(s, &id);
	if (!e && id && !part_taken(st, id, p->part))
		*out = id;
	return e;
}

/* Adds v to the set ids[0..*n), with how, unless it is there or full. */
static void add_one(int64_t v, int64_t *ids, unsigned *how, int max, int *n, unsigned why)
{
	int k = 0;
	while (k < *n && ids[k] != v)
		k++;
	if (k == *n && *n < max) {
		ids[(*n)++] = v;
		how[k] = why;
	}
}

/* a[0..na) (ascending from near) and b[0..nb) (descending below near),
 * the 64 nearest to near first, added to the set as add_one would; of
 * two as near, the lower id first (the order ORDER BY abs(id - near)
 * LIMIT 64 gave).  a and b share no id, so each is looked for only
 * among the ids the set had before. */
static void merge_nearest(const int64_t *a, int na, const int64_t *b, int nb, int64_t near,
                          int64_t *ids, unsigned *how, int max, int *n, unsigned why)
{
	const int n0 = *n;
	/* Once the set is full nothing more joins it. */
	for (int i = 0, j = 0; i + j < 64 && (i < na || j < nb) && *n < max;) {
		int64_t v = j >= nb || (i < na && a[i] - near < near - b[j]) ? a[i++] : b[j++];
		int k = 0;
		while (k < n0 && ids[k] != v)
			k++;
		if (k == n0) {
			how[*n] = why;
			ids[(*n)++] = v;
		}
	}
}

/* The ids of up (ascending from near, at most 64) and down (descending
 * below near, at most 64), merged by merge_nearest. */
static enum la_status add_nearest(sqlite3_stmt *up, sqlite3_stmt *down, int64_t near, int64_t *ids,
                                  unsigned *how, int max, int *n, unsigned why)
{
	int64_t a[64], b[64];
	int na = 0, nb = 0, rc = SQLITE_DONE;
	while (na < 64 && (rc = sqlite3_step(up)) == SQLITE_ROW)
		a[na++] = sqlite3_column_int64(up, 0);
	sqlite3_reset(up);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return LA_EDB;
	while (nb < 64 && (rc = sqlite3_step(down)) == SQLITE_ROW)
		b[nb++] = sqlite3_column_int64(down, 0);
	sqlite3_reset(down);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return LA_EDB;
	merge_nearest(a, na, b, nb, near, ids, how, max, n, why);
	return LA_OK;
}

/* ---- what a commit refreshes ---- */

/* st->sdirty holds the threads whose series a commit refreshes (ids
 * above 0), and what makes the refresh look at every series near them
 * (series_state_refresh: a series left a walk it was in, whose state
 * the skip below would not see changed): -id for a series given another
 * change-id, SDIRTY_ALL for a message hidden, shown again or removed
 * (its patches no longer link its series to others); a series renamed
 * is in st->sold (old_note).  A rollback forgets them all with the rest. */
#define SDIRTY_ALL INT64_MIN

static enum la_status dirty_push(struct store *st, int64_t v)
{
	if (st->nsdirty && st->sdirty[st->nsdirty - 1] == v)
		return LA_OK;
	if (!vec_reserve(&st->sdirty, &st->capsdirty, st->nsdirty + 1, sizeof *st->sdirty))
		return LA_ENOMEM;
	st->sdirty[st->nsdirty++] = v;
	return LA_OK;
}

static enum la_status dirty_thread(struct store *st, int64_t thread)
{
	return thread > 0 ? dirty_push(st, thread) : LA_OK;
}

/* Outside series.c only for messages removed (store/git.c). */
enum la_status series_dirty_thread(struct store *st, int64_t thread)
{
	enum la_status e = dirty_push(st, SDIRTY_ALL);
	return e ? e : dirty_thread(st, thread);
}

/* The series of message id, given another change-id. */
static enum la_status dirty_links(struct store *st, int64_t id)
{
	sqlite3_stmt *s = q(st, Q_OF);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, id);
	int64_t series;
	enum la_status e = one_int(s, &series);
	return e || !series ? e : dirty_push(st, -series);
}

enum la_status series_dirty_msg(struct store *st, int64_t id)
{
	if (!st->states_deferred && (!st->nsjoin || st->sjoin[st->nsjoin - 1] != id)) {
		if (!vec_reserve(&st->sjoin, &st->capsjoin, st->nsjoin + 1, sizeof *st->sjoin))
			return LA_ENOMEM;
		st->sjoin[st->nsjoin++] = id;
	}
	sqlite3_stmt *s = q(st, Q_MSG_THREAD);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, id);
	int64_t thread;
	enum la_status e = one_int(s, &thread);
	return e ? e : dirty_thread(st, thread);
}

enum la_status series_dirty_msgid(struct store *st, int64_t list_id, const char *msgid)
{
	sqlite3_stmt *s = q(st, Q_MSGID_THREADS);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, (int64_t)hash64(msgid, strlen(msgid), 0));
	sqlite3_bind_text(s, 2, msgid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, list_id);
	int rc;
	enum la_status e = LA_OK;
	while (!e && (rc = sqlite3_step(s)) == SQLITE_ROW)
		e = series_dirty_thread(st, sqlite3_column_int64(s, 0));
	sqlite3_reset(s);
	if (!e && rc != SQLITE_DONE)
		e = st_error(rc);
	return e;
}

/* A series renamed in the transaction: its list and author, the name it
 * had when the transaction began (its walks' links before) and the one
 * it has now.  The refresh makes the walks of the series near it as they
 * were before (the old name's group holding it, the new one's not), to
 * find those whose walk held it (series_state_refresh). */
struct series_old {
	int64_t id, list_id;
	char *old_name, *name, *author;
};

void series_old_clear(struct store *st)
{
	for (size_t i = 0; i < st->nsold; i++) {
		free(st->sold[i].old_name);
		free(st->sold[i].name);
		free(st->sold[i].author);
	}
	st->nsold = 0;
}

/* Notes series renamed from old to name (the first old name of the
 * transaction kept); nothing while the states wait for the end of a
 * first index (store_states_finish computes them all). */
static enum la_status old_note(struct store *st, int64_t series, int64_t list_id, const char *old,
                               const char *name, const char *author)
{
	if (st->states_deferred)
		return LA_OK;
	for (size_t i = 0; i < st->nsold; i++)
		if (st->sold[i].id == series) {
			char *n = strdup(name);
			if (!n)
				return LA_ENOMEM;
			free(st->sold[i].name);
			st->sold[i].name = n;
			return LA_OK;
		}
	if (!vec_reserve(&st->sold, &st->capsold, st->nsold + 1, sizeof *st->sold))
		return LA_ENOMEM;
	struct series_old o = {series, list_id, strdup(old), strdup(name), strdup(author)};
	if (!o.old_name || !o.name || !o.author) {
		free(o.old_name);
		free(o.name);
		free(o.author);
		return LA_ENOMEM;
	}
	st->sold[st->nsold++] = o;
	return LA_OK;
}

/* ---- what series_note's lookups can find (a first index) ----
 *
 * Most patches of a first index start a series of their own (the
 * generated 10k corpus: 3,548 series of 4,650 patches), and each asked
 * five lookups that found nothing before it did (a third of
 * series_note's instructions, a tenth of the writer's with the
 * inserts).  While the states wait for the end of a first index
 * (st->states_deferred: the run holds the archive's indexer lock) on
 * an index that held no series when its first patch came, every series
 * row and place is written by series_note, so a filter of what they
 * hold, added to at each write, tells which lookups can find nothing:
 * a key that is not in it is in no row.  A key is in it even after the
 * row that gave it changed or went (a rollback, a removal): a lookup it
 * lets through runs as before, so every lookup that could find a row
 * runs, and the rows are the same.  The keys, with the list, version
 * and count of the series (which never change):
 *   anchor (Q_BY_ANCHOR: Q_NEW's, Q_COVER's),
 *   a message's Message-ID (Q_BY_PARENT_MSG: Q_JOIN's),
 *   sibling (Q_BY_SIBLING: Q_NEW's),
 *   author and the SERIES_WINDOW a first date falls in (Q_UNTHREADED:
 *   Q_NEW's, and Q_NAME's, which may lower it),
 *   a message's sender name (Q_UNTHREADED_NAME: Q_JOIN's), and the
 *   window a first date falls in, without the author (its
 *   first_ts: Q_NEW's and Q_NAME's, as the author's); that lookup
 *   runs only if both may be there.
 * A Bloom filter of SFILTER_BITS (512 KB), two bits a key: held beside
 * a batch's caches, at the indexer's peak (2 MB made the peak of a
 * 100k first index with search 63.3 MB, against 61.3); at 100,000
 * messages (some 200,000 keys) about one lookup in 120 that finds
 * nothing still runs, at 1M one in three. */
#define SFILTER_BITS (1u << 22)

struct sfilter {
	uint64_t w[SFILTER_BITS / 64];
};

enum { SK_ANCHOR = 1, SK_MSG, SK_SIB, SK_AUTH, SK_NAME, SK_BEGUN };

/* The list, version and count of the series a message joins. */
struct sown {
	int64_t list_id;
	unsigned version, total;
};

static uint64_t skey(uint32_t kind, const struct sown *o, int64_t a, const char *str)
{
	struct {
		int64_t list_id, a;
		uint32_t kind, version, total, zero;
	} k = {o->list_id, a, kind, o->version, o->total, 0};
	uint64_t h = hash64_bulk(&k, sizeof k, 0);
	return str ? hash64_bulk(str, strlen(str), h) : h;
}

static void sf_add(struct sfilter *f, uint64_t h)
{
	if (!f)
		return;
	uint32_t a = (uint32_t)h & (SFILTER_BITS - 1), b = (uint32_t)(h >> 32) & (SFILTER_BITS - 1);
	f->w[a / 64] |= 1ull << (a % 64);
	f->w[b / 64] |= 1ull << (b % 64);
}

/* Whether a row may hold key h (always, without a filter). */
static bool sf_maybe(const struct sfilter *f, uint64_t h)
{
	if (!f)
		return true;
	uint32_t a = (uint32_t)h & (SFILTER_BITS - 1), b = (uint32_t)(h >> 32) & (SFILTER_BITS - 1);
	return (f->w[a / 64] >> (a % 64) & 1) && (f->w[b / 64] >> (b % 64) & 1);
}

/* The window of SERIES_WINDOW seconds that t falls in. */
static int64_t sf_window(int64_t t)
{
	return t >= 0 ? t / SERIES_WINDOW : -((-(t + 1)) / SERIES_WINDOW) - 1;
}

/* Whether a series of author (kind SK_AUTH), or any (SK_BEGUN, author
 * NULL), may have begun within SERIES_WINDOW of when (the window of
 * Q_UNTHREADED and Q_UNTHREADED_NAME). */
static bool sf_maybe_begun(const struct sfilter *f, uint32_t kind, const struct sown *o,
                           const char *author, int64_t when)
{
	if (!f)
		return true;
	for (int64_t w = sf_window(when - SERIES_WINDOW); w <= sf_window(when + SERIES_WINDOW); w++)
		if (sf_maybe(f, skey(kind, o, w, author)))
			return true;
	return false;
}

/* A first date of when, for a series of author (and of none). */
static void sf_add_begun(struct sfilter *f, const struct sown *o, const char *author, int64_t when)
{
	sf_add(f, skey(SK_AUTH, o, sf_window(when), author));
	sf_add(f, skey(SK_BEGUN, o, sf_window(when), NULL));
}

/* The filter, if this run keeps one: asked once, at the first patch of a
 * first index; NULL once the states are made (store_states_finish). */
static struct sfilter *sflt_get(struct store *st)
{
	if (!st->states_deferred)
		return NULL;
	if (st->sflt_state == 0) {
		st->sflt_state = -1;
		sqlite3_stmt *s = NULL;
		if (sqlite3_prepare_v2(st->db, "SELECT EXISTS (SELECT 1 FROM series)", -1, &s,
		                       NULL) == SQLITE_OK &&
		    sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) == 0 &&
		    (st->sflt = calloc(1, sizeof *st->sflt)))
			st->sflt_state = 1;
		sqlite3_finalize(s);
	}
	return st->sflt_state > 0 ? st->sflt : NULL;
}

/* No filter from now on (its memory back). */
static void sflt_drop(struct store *st)
{
	free(st->sflt);
	st->sflt = NULL;
	st->sflt_state = -1;
}

/* Series' name made name, if part p is lower than the one it has it
 * from.  Renamed, its old name is noted (old_note): the refresh finds
 * the series whose walks held it by that name. */
static enum la_status series_rename(struct store *st, int64_t series, const char *name,
                                    const struct msg_series_subject *p, int64_t when,
                                    struct sfilter *f, const struct sown *own)
{
	sqlite3_stmt *s = q(st, Q_OLD_NAME);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, series);
	sqlite3_bind_int(s, 2, (int)p->part);
	int rc = sqlite3_step(s);
	char old[SUBJECT_MAX + 1] = "", author[ADDR_MAX + 1] = "";
	int64_t list_id = 0;
	if (rc == SQLITE_ROW) {
		const char *o = (const char *)sqlite3_column_text(s, 1);
		const char *a = (const char *)sqlite3_column_text(s, 2);
		list_id = sqlite3_column_int64(s, 0);
		snprintf(old, sizeof old, "%s", o ? o : "");
		snprintf(author, sizeof author, "%s", a ? a : "");
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? LA_OK : st_error(rc);
	if (!(s = q(st, Q_NAME)))
		return LA_EDB;
	sqlite3_bind_int64(s, 1, series);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, (int)p->part);
	sqlite3_bind_int(s, 4, (int)p->flags);
	sqlite3_bind_int64(s, 5, when);
	if (st_step_done(s) != SQLITE_DONE)
		return LA_EDB;
	/* (Its first date may now be when's.) */
	sf_add_begun(f, &(struct sown){list_id, own->version, own->total}, author, when);
	if (strcmp(old, name) == 0 || !old[0])
		return LA_OK;
	return old_note(st, series, list_id, old, name, author);
}

enum la_status series_note(struct store *st, int64_t id, int64_t list_id, int64_t when,
                           const char *subject, const char *from_addr, const char *from_name,
                           int64_t mid, int64_t parent, bool copy)
{
	struct msg_series_subject p;
	if (!msg_series_parse(subject, strlen(subject), &p))
		return LA_OK;
	char author[ADDR_MAX + 1], name[SUBJECT_MAX + 1];
	fold(author, sizeof author, from_addr, strlen(from_addr));
	fold(name, sizeof name, subject + p.name_off, p.name_len);
	int64_t series = 0;
	enum la_status e = LA_OK;
	int64_t anchor = p.part == 0 ? mid : parent;
	struct sfilter *f = sflt_get(st);
	if (f && !from_name) {
		sflt_drop(st); /* its names' keys would be missing */
		f = NULL;
	}
	/* The series' list, version and count: this message's, but for a
	 * copy's (read below). */
	struct sown own = {list_id, p.version, p.total};
	sqlite3_stmt *s;
	if (copy) {
		if (!(s = q(st, Q_BY_MID)))
			return LA_EDB;
		sqlite3_bind_int64(s, 1, mid);
		sqlite3_bind_int64(s, 2, id);
		if ((e = one_int(s, &series)))
			return e;
		if (series && f) {
			if (!(s = q(st, Q_ROW)))
				return LA_EDB;
			sqlite3_bind_int64(s, 1, series);
			int rc = sqlite3_step(s);
			if (rc == SQLITE_ROW)
				own = (struct sown){sqlite3_column_int64(s, 0),
				                    (unsigned)sqlite3_column_int(s, 1),
				                    (unsigned)sqlite3_column_int(s, 2)};
			sqlite3_reset(s);
			if (rc != SQLITE_ROW)
				return rc == SQLITE_DONE ? LA_EDB : st_error(rc);
		}
	}
	/* (Each lookup only where the filter may hold what it finds.) */
	if (series) {
		/* A copy joins its original, at the same place. */
	} else if (p.part == 0) {
		/* A cover letter whose patches came first, replying to it. */
		if (sf_maybe(f, skey(SK_ANCHOR, &own, mid, NULL)))
			e = find_free(st, q(st, Q_BY_ANCHOR), mid, &p, list_id, &series);
	} else if (parent) {
		/* Threaded: to the cover letter (or what the first patch
		 * replied to), else to the patch before. */
		if (sf_maybe(f, skey(SK_ANCHOR, &own, parent, NULL)))
			e = find_free(st, q(st, Q_BY_ANCHOR), parent, &p, list_id, &series);
		if (!e && !series && sf_maybe(f, skey(SK_MSG, &own, parent, NULL)))
			e = find_free(st, q(st, Q_BY_PARENT_MSG), parent, &p, list_id, &series);
		if (!e && !series && sf_maybe(f, skey(SK_SIB, &own, parent, NULL)) &&
		    (s = q(st, Q_BY_SIBLING))) {
			sqlite3_bind_int64(s, 5, when - SERIES_WINDOW);
			sqlite3_bind_int64(s, 6, when + SERIES_WINDOW);
			e = find_free(st, s, parent, &p, list_id, &series);
		}
	}
	if (!e && !series) {
		/* Unthreaded: the author's series of this version and count
		 * begun within the window. */
		if (sf_maybe_begun(f, SK_AUTH, &own, author, when)) {
			if (!(s = q(st, Q_UNTHREADED)))
				return LA_EDB;
			sqlite3_bind_text(s, 2, author, -1, SQLITE_STATIC);
			e = unthreaded_free(st, s, list_id, when, &p, &series);
		}
		/* (A sender without a name has none in common.) */
		if (!e && !series &&
		    (!f || (from_name[0] && sf_maybe(f, skey(SK_NAME, &own, 0, from_name)) &&
		            sf_maybe_begun(f, SK_BEGUN, &own, NULL, when)))) {
			if (!(s = q(st, Q_UNTHREADED_NAME)))
				return LA_EDB;
			sqlite3_bind_int64(s, 2, id);
			e = unthreaded_free(st, s, list_id, when, &p, &series);
		}
	}
	if (e)
		return e;
	if (!series) {
		if (!(s = q(st, Q_NEW)))
			return LA_EDB;
		sqlite3_bind_int64(s, 1, list_id);
		sqlite3_bind_int(s, 2, (int)p.version);
		sqlite3_bind_int(s, 3, (int)p.total);
		sqlite3_bind_int(s, 4, (int)p.flags);
		sqlite3_bind_text(s, 5, author, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, name, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 7, (int)p.part);
		sqlite3_bind_int64(s, 8, anchor);
		if (p.part == 0)
			sqlite3_bind_int64(s, 9, id);
		sqlite3_bind_int64(s, 10, when);
		sqlite3_bind_int64(s, 11, p.part == 0 ? parent : 0);
		int rc = st_step_done(s);
		if (rc != SQLITE_DONE)
			return st_error(rc);
		series = sqlite3_last_insert_rowid(st->db);
		sf_add(f, skey(SK_ANCHOR, &own, anchor, NULL));
		if (p.part == 0)
			sf_add(f, skey(SK_SIB, &own, parent, NULL));
		sf_add_begun(f, &own, author, when);
	} else {
		if (p.part == 0) {
			if (!(s = q(st, Q_COVER)))
				return LA_EDB;
			sqlite3_bind_int64(s, 1, series);
			sqlite3_bind_int64(s, 2, id);
			sqlite3_bind_int64(s, 3, mid);
			if (st_step_done(s) != SQLITE_DONE)
				return LA_EDB;
			sf_add(f, skey(SK_ANCHOR, &own, mid, NULL));
		}
		/* The name is the cover letter's, else the lowest patch's. */
		if ((e = series_rename(st, series, name, &p, when, f, &own)))
			return e;
	}
	if (!(s = q(st, Q_JOIN)))
		return LA_EDB;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, series);
	sqlite3_bind_int(s, 3, (int)p.part);
	int rc = st_step_done(s);
	if (rc != SQLITE_DONE)
		return st_error(rc);
	sf_add(f, skey(SK_MSG, &own, mid, NULL));
	if (f && from_name[0])
		sf_add(f, skey(SK_NAME, &own, 0, from_name));
	/* A first index makes every state at its end: no thread to note. */
	return st->states_deferred ? LA_OK : series_dirty_msg(st, id);
}

enum la_status series_change_id(struct store *st, int64_t id, const struct msg_text *t)
{
	char cid[CHANGE_ID_MAX + 1];
	if (!t->nq.data || !msg_series_change_id(t->nq.data, t->nq.len, cid, sizeof cid))
		return LA_OK;
	sqlite3_stmt *s = q(st, Q_CHANGE_ID);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, cid, -1, SQLITE_STATIC);
	int rc = st_step_done(s);
	if (rc != SQLITE_DONE)
		return st_error(rc);
	if (!sqlite3_changes(st->db))
		return LA_OK;
	enum la_status e = dirty_links(st, id);
	return e ? e : series_dirty_msg(st, id);
}

struct trailer_ins {
	struct store *st;
	int64_t id;
	int seq;
	bool review; /* a Reviewed-by: or Acked-by: among them */
	enum la_status e;
};

static bool insert_trailer(enum msg_trailer_kind k, const char *v, size_t vn, void *arg)
{
	struct trailer_ins *x = arg;
	sqlite3_stmt *s = q(x->st, Q_TR_INS);
	if (!s) {
		x->e = LA_EDB;
		return false;
	}
	sqlite3_bind_int64(s, 1, x->id);
	sqlite3_bind_int(s, 2, x->seq++);
	sqlite3_bind_int(s, 3, (int)k);
	sqlite3_bind_text(s, 4, v, (int)vn, SQLITE_STATIC);
	x->review |= k == MSG_TRAILER_REVIEWED || k == MSG_TRAILER_ACKED;
	int rc = st_step_done(s);
	if (rc != SQLITE_DONE)
		x->e = st_error(rc);
	return x->e == LA_OK && x->seq < TRAILERS_MAX;
}

enum la_status series_trailers(struct store *st, int64_t id, const struct msg_text *t)
{
	struct trailer_ins x = {st, id, 0, false, LA_OK};
	if (t->nq.data)
		msg_series_trailers(t->nq.data, t->nq.len, insert_trailer, &x);
	/* A review changes the state of the series of its thread. */
	return x.e || !x.review ? x.e : series_dirty_msg(st, id);
}

enum la_status series_trailers_fill(struct store *st)
{
	/* The messages of the threads that hold a patch or cover letter:
	 * only their trailers are ever shown.  An index without search text
	 * (`--no-search`) has none to read them from at index time, so
	 * pages read them from the messages (store_trailers_ready). */
	char mode[16] = "on";
	la_ignore(store_meta_get(st, "search", mode, sizeof mode));
	if (strcmp(mode, "off") == 0)
		return LA_OK;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db,
	                       "SELECT id FROM messages WHERE thread IN (SELECT DISTINCT m.thread"
	                       " FROM series_msgs sm JOIN messages m ON m.id = sm.id) ORDER BY id",
	                       -1, &s, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return LA_EDB;
	}
	struct msg_text text;
	msg_text_init(&text);
	struct buf bytes;
	buf_init(&bytes, SEARCH_TEXT_MAX * 8 + 1);
	enum la_status e = LA_OK;
	int rc;
	while (!e && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_msg m;
		if (store_msg_by_id(st, sqlite3_column_int64(s, 0), &m) != LA_OK)
			continue;
		buf_reset(&bytes);
		/* A message that cannot be read gives no trailers, as on its page. */
		if (store_msg_read(st, &m, SEARCH_TEXT_MAX * 8, &bytes) == LA_OK) {
			msg_text_extract(&text, bytes.data ? bytes.data : "", bytes.len);
			/* And a cover letter's change-id: (series_fill, from the
			 * rows alone, has none to give). */
			e = series_change_id(st, m.id, &text);
			if (!e)
				e = series_trailers(st, m.id, &text);
		}
		store_msg_clear(&m);
	}
	if (!e && rc != SQLITE_DONE)
		e = st_error(rc);
	sqlite3_finalize(s);
	msg_text_free(&text);
	buf_free(&bytes);
	if (!e)
		e = store_meta_set(st, "trailers", "1");
	return e;
}

bool store_trailers_ready(struct store *st)
{
	char mode[16] = "on", done[8] = "";
	la_ignore(store_meta_get(st, "search", mode, sizeof mode));
	la_ignore(store_meta_get(st, "trailers", done, sizeof done));
	return strcmp(mode, "off") != 0 && strcmp(done, "1") == 0;
}

enum la_status store_thread_trailers(struct store *st, int64_t thread, int64_t list_id,
                                     bool (*fn)(int64_t id, enum msg_trailer_kind k, const char *v,
                                                void *arg),
                                     void *arg)
{
	sqlite3_stmt *s = q(st, Q_TR_THREAD);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, thread);
	sqlite3_bind_int64(s, 2, list_id);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int k = sqlite3_column_int(s, 1);
		const char *v = (const char *)sqlite3_column_text(s, 2);
		if (k < 0 || k >= MSG_TRAILER_KINDS || !v)
			continue; /* the index is input too */
		if (!fn(sqlite3_column_int64(s, 0), (enum msg_trailer_kind)k, v, arg)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

enum la_status series_fill(struct store *st)
{
	sqlite3_stmt *s = NULL;
	/* Only the messages no series holds: a run cut short fills the rest. */
	if (sqlite3_prepare_v2(st->db,
	                       "SELECT id, list_id, coalesce(date, ts), subject, from_addr, mid,"
	                       " coalesce(parent, 0) FROM messages"
	                       " WHERE id NOT IN (SELECT id FROM series_msgs) ORDER BY id",
	                       -1, &s, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return LA_EDB;
	}
	int rc;
	enum la_status e = LA_OK;
	while (!e && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *subj = (const char *)sqlite3_column_text(s, 3);
		const char *from = (const char *)sqlite3_column_text(s, 4);
		e = series_note(st, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
		                sqlite3_column_int64(s, 2), subj ? subj : "", from ? from : "",
		                NULL, sqlite3_column_int64(s, 5), sqlite3_column_int64(s, 6), true);
	}
	if (!e && rc != SQLITE_DONE)
		e = st_error(rc);
	sqlite3_finalize(s);
	return e;
}

/* ---- reading ---- */

void st_series_columns(sqlite3_stmt *s, int col, struct store_series *out)
{
	out->list_id = sqlite3_column_int64(s, col);
	out->cover = sqlite3_column_int64(s, col + 1);
	out->version = (unsigned)sqlite3_column_int(s, col + 2);
	out->total = (unsigned)sqlite3_column_int(s, col + 3);
	out->flags = (unsigned)sqlite3_column_int(s, col + 4);
	out->first_ts = sqlite3_column_int64(s, col + 5);
	const char *a = (const char *)sqlite3_column_text(s, col + 6);
	const char *n = (const char *)sqlite3_column_text(s, col + 7);
	const char *c = (const char *)sqlite3_column_text(s, col + 8);
	snprintf(out->author, sizeof out->author, "%s", a ? a : "");
	snprintf(out->name, sizeof out->name, "%s", n ? n : "");
	snprintf(out->change_id, sizeof out->change_id, "%s", c ? c : "");
}

static enum la_status read_series(sqlite3_stmt *s, struct store_series *out)
{
	memset(out, 0, sizeof *out);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(s, 0);
		st_series_columns(s, 1, out);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return LA_OK;
	return rc == SQLITE_DONE ? LA_ENOTFOUND : st_error(rc);
}

enum la_status store_series_get(struct store *st, int64_t id, struct store_series *out)
{
	sqlite3_stmt *s = q(st, Q_GET);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, id);
	return read_series(s, out);
}

enum la_status store_series_of(struct store *st, int64_t msg, struct store_series *out,
                               unsigned *part)
{
	sqlite3_stmt *s = q(st, Q_OF);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, msg);
	int rc = sqlite3_step(s);
	int64_t series = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	*part = rc == SQLITE_ROW ? (unsigned)sqlite3_column_int(s, 1) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? LA_ENOTFOUND : LA_EDB;
	return store_series_get(st, series, out);
}

struct msgs_arg {
	sqlite3_stmt *s;
	bool (*fn)(const struct store_entry *e, unsigned part, void *arg);
	void *arg;
};

static bool msgs_each(const struct store_entry *e, void *arg)
{
	struct msgs_arg *a = arg;
	return a->fn(e, (unsigned)sqlite3_column_int(a->s, 13), a->arg);
}

enum la_status store_series_msgs(struct store *st, int64_t id,
                                 bool (*fn)(const struct store_entry *e, unsigned part, void *arg),
                                 void *arg)
{
	sqlite3_stmt *s = q(st, Q_MSGS);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, id);
	struct msgs_arg a = {s, fn, arg};
	return st_each_entry(s, msgs_each, &a);
}

/* What a walk reads of a series: its row without the dates of its
 * messages (Q_ROW: Q_GET's sum of them was most of a pass's time), its
 * strings kept once a pass in pc->strs. */
struct prow {
	int64_t id, list_id;
	unsigned version, total;
	int64_t first_ts; /* the column: the state's when no message is shown */
	const char *author, *name, *change_id;
};

/* Ids in a growing array (the series of a commit's threads, of an
 * index; the series of a name or change-id, ascending; those sharing a
 * patch with one, in add_by_patch's order). */
struct idset {
	int64_t *v;
	size_t n, cap;
};

static void idset_free(void *p)
{
	struct idset *s = p;
	if (s)
		free(s->v);
	free(s);
}

static bool idset_add(struct idset *s, int64_t v)
{
	/* (vec_reserve only to grow: a call per id was 8% of a 5M states
	 * pass) */
	if (s->n == s->cap && !vec_reserve(&s->v, &s->cap, s->n + 1, sizeof *s->v))
		return false;
	s->v[s->n++] = v;
	return true;
}

/* out (empty) made a copy of from's ids. */
static bool idset_copy(struct idset *out, const struct idset *from)
{
	if (from->n && !vec_reserve(&out->v, &out->cap, from->n, sizeof *out->v))
		return false;
	if (from->n)
		memcpy(out->v, from->v, from->n * sizeof *out->v);
	out->n = from->n;
	return true;
}

/* How much a pass's caches (pc, struct sver_cache) keep before they
 * are emptied (pc_trim between walks, sver_get and walk_of when full):
 * rows (and the renamed rows, series' patch neighbours), ids of names,
 * members of patch ids' groups, threads and rows of reviews, parents,
 * versions, walks, and the series ids a fill reads at once.  What the
 * bounds cost and hold is docs/INDEX.md's "What the indexer holds";
 * none changes what a pass computes, only how often it reads a row
 * again.  LISTARC_TEST_STATES_TINY=1 (tests only: t3337) sets each to
 * its least, and LISTARC_TEST_MEMORY=1 makes a fill print them and
 * the most each held. */
struct cache_max {
	size_t rows, names, groupm, reviews, parents, versions, walks, ids;
	/* (not in LISTARC_TEST_MEMORY's lines) */
	size_t name_group; /* NAME_GROUP_MAX */
	size_t walk_fill;  /* WALK_FILL_MAX */
};

/* The most ids of a group that add_by_name reads whole in a pass: a
 * larger one is asked of its index, 64 ids each way at each ask (as
 * outside a pass).  Whole, a group is read once and each ask is a
 * binary search, but the groups held are bounded (cache_max.names, 1M
 * ids, 8 MB) and emptied all at once when full: once the groups a pass
 * meets held more than that, each was read again and again, whole.  A
 * generated 5M-message archive has 1.27M series in 447 groups of a name
 * and author, up to 31,247 each: its states pass read them ~130 GB
 * through the page cache (240 s of a 605 s first index; at 1M, with
 * 254,000 ids in all, ~3 s).  Bounded, an ask costs at most this many
 * ids read, whatever the archive's size: that pass alone
 * (bench/states-pass) 373 -> 94 s, the same states and walks. */
#define NAME_GROUP_MAX 4096

/* At most this many starts of members held in memory at once by
 * walk_starts_fill (8 bytes each): a range of members a scan. */
#define WALK_FILL_MAX (1u << 18)

/* Measured on the states pass of a 1M-message index with search
 * (docs/INDEX.md): its versions at 8192, its groups at 65536 members or
 * its names at 262144 ids cost 15-60% more time, for 2 MB each; the
 * reviews (read once a version: a fill meets a thread's reviews again
 * only through another version in it) and parents at these cost none,
 * 6-8 MB less than at 131072 and 65536. */
static const struct cache_max cache_max_default = {
	.rows = 32768,
	.names = 1u << 20,
	.groupm = 32768 * 4,
	.reviews = 16384,
	.parents = 32768,
	.versions = 16384,
	.walks = 16384,
	.ids = 4096,
	.name_group = NAME_GROUP_MAX,
	.walk_fill = WALK_FILL_MAX,
};

/* (A walk holds at most SERIES_CHAIN_MAX versions, and state_compute
 * keeps its versions while it loads them: the versions' least is
 * above that.) */
static const struct cache_max cache_max_tiny = {
	.rows = 1,
	.names = 1,
	.groupm = 1,
	.reviews = 1,
	.parents = 1,
	.versions = SERIES_CHAIN_MAX + 1,
	.walks = 1,
	.ids = 1,
	.name_group = 1,
	.walk_fill = 1,
};

/* (LISTARC_TEST_STATES_TINY=2, tests only: t3345: the versions and a
 * fill's walks pending bounded so that a corpus of a few thousand series
 * drops versions and does walks before the sweep has loaded them.) */
static const struct cache_max cache_max_small = {
	.rows = 32768,
	.names = 1u << 20,
	.groupm = 32768 * 4,
	.reviews = 16384,
	.parents = 32768,
	.versions = 256,
	.walks = 64,
	.ids = 4096,
	.name_group = 64,
	.walk_fill = 64,
};

static const struct cache_max *cache_max_get(void)
{
	const char *t = getenv("LISTARC_TEST_STATES_TINY");
	if (t && strcmp(t, "1") == 0)
		return &cache_max_tiny;
	return t && strcmp(t, "2") == 0 ? &cache_max_small : &cache_max_default;
}

/* What one pass over many series (series_state_fill,
 * series_state_refresh) or one page reads once: a generated archive
 * reuses a few dozen patches thousands of times, and the walks of a
 * pass read the same rows, names and patch ids again and again.
 * Nothing the rows hold changes during a pass. */
struct pid_member {
	int64_t msg, series, list_id;
	uint64_t ahash; /* the author's hash64: most members are another's */
	size_t author;  /* where its author is in the group's authors */
};

struct pid_group {
	struct pid_member *m;
	size_t n, cap;
	char *authors; /* the members' authors, each ended by a NUL */
	size_t alen, acap;
	/* m's places by author (hash64) and place: a series' neighbours
	 * are of its author, a few of a reused patch's many messages. */
	uint32_t *by_author;
};

struct pid_cache {
	GHashTable *groups; /* pid (owned) -> struct pid_group (owned) */
	size_t ngroupm;     /* members in groups (pc_trim bounds them) */
	/* Whether the index holds any trailer, any message not shown, any
	 * patch id: when it does not, no series of the pass has reviews,
	 * messages not shown or patches shared, and their queries (a third
	 * of a --no-search index run's time, once per series and batch; the
	 * patches' a fifth of a --no-search append's) are not run; with no
	 * message hidden, those of patch ids read no message row. */
	bool any_review, any_unshown, any_pid;
	/* A pass over many series: the series of a name or change-id are
	 * read whole once (names), each walk's 64 nearest taken from them
	 * (a page's one walk reads its two runs of 64 instead: a name may
	 * have thousands). */
	bool pass;
	/* pid_prefix_full's answers: patch id, list and author -> the id of
	 * the row of the 65th series (INT64_MAX: fewer). */
	GHashTable *pfx;
	/* The reviews of each thread met (Q_ST_REVIEWS' rows): the series
	 * of one thread, and its versions, each read them again. */
	GHashTable *reviews; /* thread (the value's) -> struct thread_rev (owned) */
	size_t nreviews;     /* rows in reviews (pc_trim bounds them) */
	/* The series rows read; emptied by pc_trim, between walks only
	 * (a walk holds pointers to them and their strings). */
	GHashTable *rows;   /* series id (the row's) -> struct prow (owned) */
	GStringChunk *strs; /* the rows' strings, each once */
	GHashTable *names;  /* kind, list and key (owned) -> struct idset (owned) */
	size_t nnames;      /* ids in names */
	GHashTable *large;  /* the keys (owned) of groups over NAME_GROUP_MAX */
	GHashTable *shares; /* series id (owned int64) -> struct idset (owned) */
	/* The parents of the Message-IDs a review was walked up through
	 * (Q_ST_PARENT; every version of a thread walks them again). */
	GHashTable *parents; /* Message-ID -> {it, its parent's} (owned int64[2]) */
	/* The walks as they were before the transaction's renames (old,
	 * nold: st->sold), while before is set: each series renamed has its
	 * old name (hrows) and is in that name's group, not in the new
	 * one's (names, under keys of their own). */
	const struct series_old *old;
	size_t nold;
	bool before;
	GHashTable *hrows; /* series id (the row's) -> struct prow (owned) */
	const struct cache_max *max;
	struct cache_max held; /* the most each held (LISTARC_TEST_MEMORY) */
};

struct thread_rev {
	int64_t thread; /* its key in pc->reviews */
	int64_t list_id;
	int64_t (*row)[2]; /* Message-ID, parent */
	size_t n;
};

static void thread_rev_free(void *p)
{
	struct thread_rev *r = p;
	if (r)
		free(r->row);
	free(r);
}

static void pid_group_free(void *p)
{
	struct pid_group *g = p;
	if (g) {
		free(g->m);
		free(g->authors);
		free(g->by_author);
	}
	free(g);
}

struct author_at {
	uint64_t ahash;
	uint32_t at;
};

static int author_at_cmp(const void *a, const void *b)
{
	const struct author_at *x = a, *y = b;
	if (x->ahash != y->ahash)
		return x->ahash < y->ahash ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

static void pid_cache_init(struct store *st, struct pid_cache *pc, bool pass)
{
	pc->groups = g_hash_table_new_full(g_str_hash, g_str_equal, free, pid_group_free);
	pc->reviews = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, thread_rev_free);
	pc->rows = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, free);
	pc->strs = g_string_chunk_new(65536);
	pc->names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, idset_free);
	pc->large = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	pc->nnames = 0;
	pc->shares = g_hash_table_new_full(g_int64_hash, g_int64_equal, free, idset_free);
	pc->nreviews = 0;
	pc->ngroupm = 0;
	pc->parents = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, free);
	pc->hrows = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, free);
	pc->max = cache_max_get();
	pc->held = (struct cache_max){0};
	pc->old = NULL;
	pc->nold = 0;
	pc->before = false;
	pc->pass = pass;
	pc->pfx = g_hash_table_new_full(g_str_hash, g_str_equal, free, free);
	/* (Unknown, each is taken as there: its queries run.) */
	pc->any_review = pc->any_unshown = pc->any_pid = true;
	sqlite3_stmt *s = q(st, Q_ANY);
	if (s && sqlite3_step(s) == SQLITE_ROW) {
		pc->any_review = sqlite3_column_int(s, 0) != 0;
		pc->any_unshown = sqlite3_column_int(s, 1) != 0;
		pc->any_pid = sqlite3_column_int(s, 2) != 0;
	}
	if (s)
		sqlite3_reset(s);
}

static void pid_cache_free(struct pid_cache *pc)
{
	GHashTable **t[] = {&pc->groups, &pc->reviews, &pc->rows,  &pc->names, &pc->large,
	                    &pc->shares, &pc->parents, &pc->hrows, &pc->pfx};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		if (*t[i])
			g_hash_table_destroy(*t[i]);
		*t[i] = NULL;
	}
	if (pc->strs)
		g_string_chunk_free(pc->strs);
	pc->strs = NULL;
}

static void held_note(size_t *held, size_t n)
{
	if (n > *held)
		*held = n;
}

/* Between walks: what pc keeps, bounded (pc->max). */
static void pc_trim(struct pid_cache *pc)
{
	const struct cache_max *max = pc->max;
	struct cache_max *h = &pc->held;
	held_note(&h->rows, g_hash_table_size(pc->rows));
	held_note(&h->names, pc->nnames);
	held_note(&h->groupm, pc->ngroupm);
	held_note(&h->reviews, g_hash_table_size(pc->reviews) + pc->nreviews);
	held_note(&h->parents, g_hash_table_size(pc->parents));
	if (g_hash_table_size(pc->rows) >= max->rows) {
		g_hash_table_remove_all(pc->rows);
		g_hash_table_remove_all(pc->hrows); /* their strings too */
		g_string_chunk_clear(pc->strs);
	}
	if (pc->nnames >= max->names) {
		g_hash_table_remove_all(pc->names);
		pc->nnames = 0;
	}
	if (g_hash_table_size(pc->large) >= max->rows)
		g_hash_table_remove_all(pc->large);
	if (g_hash_table_size(pc->shares) >= max->rows)
		g_hash_table_remove_all(pc->shares);
	/* (A pass meets every thread of the archive: unbounded, the states
	 * pass of a 1M-message index with search peaked at 108 MB.) */
	if (g_hash_table_size(pc->reviews) + pc->nreviews >= max->reviews) {
		g_hash_table_remove_all(pc->reviews);
		pc->nreviews = 0;
	}
	/* (The same for the patch ids' groups: unbounded, the states pass
	 * of a 1M-message index with search still reached 85 MB.) */
	if (g_hash_table_size(pc->groups) >= max->rows || pc->ngroupm >= max->groupm) {
		g_hash_table_remove_all(pc->groups);
		pc->ngroupm = 0;
	}
	if (g_hash_table_size(pc->pfx) >= max->rows)
		g_hash_table_remove_all(pc->pfx);
}

/* The first max bytes of s (NULL: none) in buf (max + 1 bytes), as
 * snprintf(buf, max + 1, "%s", s) would leave them. */
static const char *cut(char *buf, size_t max, const char *s)
{
	size_t n = s ? strnlen(s, max) : 0;
	memcpy(buf, s ? s : "", n);
	buf[n] = '\0';
	return buf;
}

/* Series id's row, read once a pass; NULL on failure (*e set;
 * LA_ENOTFOUND if there is no such series). */
static const struct prow *prow_read(struct store *st, struct pid_cache *pc, int64_t id,
                                    enum la_status *e)
{
	const struct prow *c = g_hash_table_lookup(pc->rows, &id);
	if (c)
		return c;
	sqlite3_stmt *s = q(st, Q_ROW);
	if (!s) {
		*e = LA_EDB;
		return NULL;
	}
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		*e = rc == SQLITE_DONE ? LA_ENOTFOUND : st_error(rc);
		return NULL;
	}
	struct prow *r = malloc(sizeof *r);
	if (!r) {
		sqlite3_reset(s);
		*e = LA_ENOMEM;
		return NULL;
	}
	const char *a = (const char *)sqlite3_column_text(s, 4);
	const char *n = (const char *)sqlite3_column_text(s, 5);
	const char *ch = (const char *)sqlite3_column_text(s, 6);
	/* Bounded as store_series_get bounds them (snprintf's cut). */
	char buf[SUBJECT_MAX + 1];
	r->author = g_string_chunk_insert_const(pc->strs, cut(buf, ADDR_MAX, a));
	r->name = g_string_chunk_insert_const(pc->strs, cut(buf, SUBJECT_MAX, n));
	r->change_id = g_string_chunk_insert_const(pc->strs, cut(buf, CHANGE_ID_MAX, ch));
	r->id = id;
	r->list_id = sqlite3_column_int64(s, 0);
	r->version = (unsigned)sqlite3_column_int(s, 1);
	r->total = (unsigned)sqlite3_column_int(s, 2);
	r->first_ts = sqlite3_column_int64(s, 3);
	sqlite3_reset(s);
	g_hash_table_insert(pc->rows, &r->id, r);
	return r;
}

/* The series renamed in the transaction that id is, or NULL. */
static const struct series_old *old_of(const struct pid_cache *pc, int64_t id)
{
	for (size_t i = 0; i < pc->nold; i++)
		if (pc->old[i].id == id)
			return &pc->old[i];
	return NULL;
}

/* Series id's row (prow_read), or while pc->before, with the name it
 * had before the transaction's renames. */
static const struct prow *prow_get(struct store *st, struct pid_cache *pc, int64_t id,
                                   enum la_status *e)
{
	const struct series_old *o = pc->before ? old_of(pc, id) : NULL;
	if (!o)
		return prow_read(st, pc, id, e);
	const struct prow *h = g_hash_table_lookup(pc->hrows, &id);
	if (h)
		return h;
	const struct prow *r = prow_read(st, pc, id, e);
	if (!r)
		return NULL;
	struct prow *c = malloc(sizeof *c);
	if (!c) {
		*e = LA_ENOMEM;
		return NULL;
	}
	*c = *r;
	c->name = g_string_chunk_insert_const(pc->strs, o->old_name);
	g_hash_table_insert(pc->hrows, &c->id, c);
	return c;
}

/* Whether g (ascending) holds v, and where it is or would go. */
static size_t idset_find(const struct idset *g, int64_t v, bool *has)
{
	size_t lo = 0, hi = g->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (g->v[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	*has = lo < g->n && g->v[lo] == v;
	return lo;
}

/* The group of a name and author (g, ascending) as it was before the
 * transaction's renames: a series renamed from it in again, one renamed
 * to it out. */
static bool name_before(const struct pid_cache *pc, const struct prow *cur, struct idset *g)
{
	for (size_t i = 0; i < pc->nold; i++) {
		const struct series_old *o = &pc->old[i];
		if (o->list_id != cur->list_id || strcmp(o->author, cur->author) != 0)
			continue;
		bool was = strcmp(o->old_name, cur->name) == 0,
		     is = strcmp(o->name, cur->name) == 0;
		if (was == is)
			continue;
		bool has;
		size_t at = idset_find(g, o->id, &has);
		if (was && !has) {
			if (!idset_add(g, 0))
				return false;
			memmove(g->v + at + 1, g->v + at, (g->n - 1 - at) * sizeof *g->v);
			g->v[at] = o->id;
		} else if (is && has) {
			memmove(g->v + at, g->v + at + 1, (g->n - 1 - at) * sizeof *g->v);
			g->n--;
		}
	}
	return true;
}

/* What name_get returns for a group over NAME_GROUP_MAX ids when asked
 * bounded: its ids are not read (add_by_name asks their index). */
static const struct idset name_large;

/* The ids of the series of cur's change-id (change) or of its name and
 * author, ascending, read once a pass; NULL on failure (*e set).
 * bounded: &name_large for a group of more than NAME_GROUP_MAX ids (but
 * as renames left it, pc->before, always the group). */
static const struct idset *name_get(struct store *st, struct pid_cache *pc, const struct prow *cur,
                                    bool change, bool bounded, enum la_status *e)
{
	bool before = pc->before && !change && pc->nold;
	bounded = bounded && !before;
	/* The key on the stack (a walk asks it of every member): copied
	 * only when the group is read; one too long for it (an old name
	 * not bounded as the rows are) is made as it is. */
	char buf[SUBJECT_MAX + ADDR_MAX + 64], *key = buf;
	int len = change ? snprintf(buf, sizeof buf, "c%" G_GINT64_FORMAT ":%s", cur->list_id,
	                            cur->change_id)
	                 : snprintf(buf, sizeof buf, "%c%" G_GINT64_FORMAT ":%zu:%s%s",
	                            before ? 'b' : 'n', cur->list_id, strlen(cur->name), cur->name,
	                            cur->author);
	if (len < 0 || (size_t)len >= sizeof buf)
		key = change ? g_strdup_printf("c%" G_GINT64_FORMAT ":%s", cur->list_id,
		                               cur->change_id)
		             : g_strdup_printf("%c%" G_GINT64_FORMAT ":%zu:%s%s",
		                               before ? 'b' : 'n', cur->list_id, strlen(cur->name),
		                               cur->name, cur->author);
	struct idset *g = g_hash_table_lookup(pc->names, key);
	if (g || (bounded && g_hash_table_contains(pc->large, key))) {
		if (key != buf)
			g_free(key);
		return g ? g : &name_large;
	}
	if (key == buf)
		key = g_strdup(buf);
	sqlite3_stmt *s = q(st, change ? Q_G_CHANGE : Q_G_NAME);
	g = calloc(1, sizeof *g);
	if (!s || !g) {
		g_free(key);
		free(g);
		*e = s ? LA_ENOMEM : LA_EDB;
		return NULL;
	}
	/* (a negative LIMIT: none) */
	int64_t limit = bounded ? (int64_t)pc->max->name_group + 1 : -1;
	if (change) {
		sqlite3_bind_text(s, 1, cur->change_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, cur->list_id);
		sqlite3_bind_int64(s, 3, limit);
	} else {
		sqlite3_bind_int64(s, 1, cur->list_id);
		sqlite3_bind_text(s, 2, cur->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, cur->author, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, limit);
	}
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (!idset_add(g, sqlite3_column_int64(s, 0))) {
			rc = SQLITE_NOMEM;
			break;
		}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE && bounded && g->n > pc->max->name_group) {
		idset_free(g);
		g_hash_table_add(pc->large, key);
		return &name_large;
	}
	if (rc == SQLITE_DONE && before && !name_before(pc, cur, g))
		rc = SQLITE_NOMEM;
	if (rc != SQLITE_DONE) {
		g_free(key);
		idset_free(g);
		*e = rc == SQLITE_NOMEM ? LA_ENOMEM : st_error(rc);
		return NULL;
	}
	if (g->n && g->n < g->cap) { /* (kept: exactly its ids) */
		int64_t *v = realloc(g->v, g->n * sizeof *g->v);
		if (v) {
			g->v = v;
			g->cap = g->n;
		}
	}
	pc->nnames += g->n;
	g_hash_table_insert(pc->names, key, g);
	return g;
}

/* The series of cur's change-id (change) or of its name and author, the
 * 64 nearest to near, added to the set by add_one: in a pass from the
 * ids read once (name_get), else (or for a group over NAME_GROUP_MAX)
 * from their index in two runs of 64 (the same ids, in the same order). */
static enum la_status add_by_name(struct store *st, struct pid_cache *pc, const struct prow *cur,
                                  bool change, int64_t near, int64_t *ids, unsigned *how, int max,
                                  int *n)
{
	unsigned why = change ? STORE_SERIES_BY_CHANGE_ID : STORE_SERIES_BY_NAME;
	if (!change && !cur->name[0])
		return LA_OK; /* an unnamed series links nothing by name */
	/* In a pass from the group's ids read once, unless it is large. */
	const struct idset *g = NULL;
	if (pc->pass) {
		enum la_status e = LA_OK;
		if (!(g = name_get(st, pc, cur, change, true, &e)))
			return e;
	}
	if (g && g != &name_large) {
		size_t lo = 0, hi = g->n; /* the first id >= near */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (g->v[mid] < near)
				lo = mid + 1;
			else
				hi = mid;
		}
		size_t na = g->n - lo < 64 ? g->n - lo : 64, nb = lo < 64 ? lo : 64;
		int64_t b[64];
		for (size_t j = 0; j < nb; j++)
			b[j] = g->v[lo - 1 - j];
		merge_nearest(g->v + lo, (int)na, b, (int)nb, near, ids, how, max, n, why);
		return LA_OK;
	}
	sqlite3_stmt *up, *down;
	if (change) {
		if (!(down = q(st, Q_V_CHANGE_DOWN)) || !(up = q(st, Q_V_CHANGE_UP)))
			return LA_EDB;
		for (sqlite3_stmt *x = up; x; x = x == up ? down : NULL) {
			sqlite3_bind_text(x, 1, cur->change_id, -1, SQLITE_STATIC);
			sqlite3_bind_int64(x, 2, cur->list_id);
			sqlite3_bind_int64(x, 3, near);
		}
	} else {
		if (!(down = q(st, Q_V_NAME_DOWN)) || !(up = q(st, Q_V_NAME_UP)))
			return LA_EDB;
		for (sqlite3_stmt *x = up; x; x = x == up ? down : NULL) {
			sqlite3_bind_int64(x, 1, cur->list_id);
			sqlite3_bind_text(x, 2, cur->name, -1, SQLITE_STATIC);
			sqlite3_bind_text(x, 3, cur->author, -1, SQLITE_STATIC);
			sqlite3_bind_int64(x, 4, near);
		}
	}
	return add_nearest(up, down, near, ids, how, max, n, why);
}

/* The group of pid, read once a pass; NULL on failure (*e set). */
static const struct pid_group *pid_group_get(struct store *st, struct pid_cache *pc,
                                             const char *pid, enum la_status *e)
{
	struct pid_group *g = g_hash_table_lookup(pc->groups, pid);
	if (g)
		return g;
	sqlite3_stmt *s = q(st, pc->any_unshown ? Q_P_GROUP : Q_P_GROUP_ALL);
	char *key = strdup(pid);
	g = calloc(1, sizeof *g);
	if (!s || !key || !g) {
		free(key);
		free(g);
		*e = s ? LA_ENOMEM : LA_EDB;
		return NULL;
	}
	sqlite3_bind_text(s, 1, pid, -1, SQLITE_TRANSIENT);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(s, 2);
		size_t an = a ? strlen(a) : 0;
		if (!vec_reserve(&g->m, &g->cap, g->n + 1, sizeof *g->m) ||
		    !vec_reserve(&g->authors, &g->acap, g->alen + an + 1, 1)) {
			rc = SQLITE_NOMEM;
			break;
		}
		memcpy(g->authors + g->alen, a ? a : "", an);
		g->authors[g->alen + an] = '\0';
		g->m[g->n++] = (struct pid_member){
			sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
			sqlite3_column_int64(s, 3), hash64(a ? a : "", an, 0), g->alen};
		g->alen += an + 1;
	}
	sqlite3_reset(s);
	/* Kept: exactly its members and authors (a group may be kept long). */
	if (rc == SQLITE_DONE && g->n && g->n < g->cap) {
		struct pid_member *m = realloc(g->m, g->n * sizeof *g->m);
		if (m) {
			g->m = m;
			g->cap = g->n;
		}
	}
	if (rc == SQLITE_DONE && g->alen && g->alen < g->acap) {
		char *au = realloc(g->authors, g->alen);
		if (au) {
			g->authors = au;
			g->acap = g->alen;
		}
	}
	if (rc == SQLITE_DONE && g->n > UINT32_MAX)
		rc = SQLITE_NOMEM;
	struct author_at *aa = NULL;
	if (rc == SQLITE_DONE && g->n &&
	    (!(g->by_author = malloc(g->n * sizeof *g->by_author)) ||
	     !(aa = malloc(g->n * sizeof *aa))))
		rc = SQLITE_NOMEM;
	if (rc != SQLITE_DONE) {
		free(aa);
		free(key);
		pid_group_free(g);
		*e = rc == SQLITE_NOMEM ? LA_ENOMEM : st_error(rc);
		return NULL;
	}
	for (size_t i = 0; i < g->n; i++)
		aa[i] = (struct author_at){g->m[i].ahash, (uint32_t)i};
	if (g->n > 1)
		qsort(aa, g->n, sizeof *aa, author_at_cmp);
	for (size_t i = 0; i < g->n; i++)
		g->by_author[i] = aa[i].at;
	free(aa);
	pc->ngroupm += g->n;
	g_hash_table_insert(pc->groups, key, g);
	return g;
}

/* The series that share a patch with cur (of its author and list), in a
 * fixed order (cur's messages by place, their patch ids in order, each
 * id's messages in order; the first 64 distinct, cur itself among them
 * if another of its messages has the patch), so that every walk from a
 * series finds the same ones whatever ran before it; read once a pass
 * (they depend on cur alone).  NULL on failure (*e set). */
static const struct idset *shares_get(struct store *st, struct pid_cache *pc,
                                      const struct prow *cur, enum la_status *e)
{
	struct idset *out = g_hash_table_lookup(pc->shares, &cur->id);
	if (out)
		return out;
	int64_t *key = malloc(sizeof *key);
	out = calloc(1, sizeof *out);
	if (!key || !out) {
		free(key);
		free(out);
		*e = LA_ENOMEM;
		return NULL;
	}
	/* The (message, patch id) pairs first: pid_group_get runs a
	 * statement too. */
	struct msg_pid {
		int64_t msg;
		char *pid;
	} *pairs = NULL;
	size_t npairs = 0, cap = 0;
	int rc;
	sqlite3_stmt *s =
		pc->any_pid ? q(st, pc->any_unshown ? Q_P_MSG_PIDS : Q_P_MSG_PIDS_ALL) : NULL;
	if (pc->any_pid && !s)
		*e = LA_EDB;
	else if (s) {
		sqlite3_bind_int64(s, 1, cur->id);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			const char *p = (const char *)sqlite3_column_text(s, 1);
			char *c = strdup(p ? p : "");
			if (!c || !vec_reserve(&pairs, &cap, npairs + 1, sizeof *pairs)) {
				free(c);
				rc = SQLITE_NOMEM;
				break;
			}
			pairs[npairs].msg = sqlite3_column_int64(s, 0);
			pairs[npairs++].pid = c;
		}
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			*e = rc == SQLITE_NOMEM ? LA_ENOMEM : st_error(rc);
	}
	uint64_t ahash = hash64(cur->author, strlen(cur->author), 0);
	for (size_t k = 0; !*e && k < npairs && out->n < 64; k++) {
		const struct pid_group *g = pid_group_get(st, pc, pairs[k].pid, e);
		if (!g)
			break;
		/* The members of cur's author, in their order (the first
		 * place of its hash, then on while the hash is the same). */
		size_t lo = 0, hi = g->n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (g->m[g->by_author[mid]].ahash < ahash)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t j = lo; j < g->n && out->n < 64; j++) {
			const struct pid_member *m = &g->m[g->by_author[j]];
			if (m->ahash != ahash)
				break;
			if (m->msg == pairs[k].msg || m->list_id != cur->list_id ||
			    strcmp(g->authors + m->author, cur->author) != 0)
				continue;
			size_t d = 0;
			while (d < out->n && out->v[d] != m->series)
				d++;
			if (d == out->n && !idset_add(out, m->series))
				*e = LA_ENOMEM;
		}
	}
	for (size_t k = 0; k < npairs; k++)
		free(pairs[k].pid);
	free(pairs);
	if (*e) {
		free(key);
		idset_free(out);
		return NULL;
	}
	*key = cur->id;
	g_hash_table_insert(pc->shares, key, out);
	return out;
}

/* The series that share a patch with cur, added to the set by add_one. */
static enum la_status add_by_patch(struct store *st, struct pid_cache *pc, const struct prow *cur,
                                   int64_t *ids, unsigned *how, int max, int *n)
{
	if (!pc->any_pid)
		return LA_OK; /* (no patch ids: shares_get's set is empty) */
	enum la_status e = LA_OK;
	const struct idset *sh = shares_get(st, pc, cur, &e);
	for (size_t i = 0; sh && i < sh->n && *n < max; i++)
		add_one(sh->v[i], ids, how, max, n, STORE_SERIES_BY_PATCHID);
	return e;
}

/* Whether an earlier series of the walk, rows[0..i), asked the same
 * question by change-id (change) or by name and author (!change) as
 * rows[i]: the answer would be the same, and add_by_name would take
 * none of it (each is in the set already, or the set was full when it
 * was skipped and still is). */
static bool asked_before(const struct prow *const *rows, int i, bool change)
{
	const struct prow *cur = rows[i];
	for (int k = 0; k < i; k++) {
		if (rows[k]->list_id != cur->list_id)
			continue;
		if (change ? strcmp(rows[k]->change_id, cur->change_id) == 0
		           : strcmp(rows[k]->name, cur->name) == 0 &&
		                     strcmp(rows[k]->author, cur->author) == 0)
			return true;
	}
	return false;
}

/* Whether the rules asked of row may answer otherwise before the
 * transaction's renames (pc->old): it is a series renamed, or of the
 * list, author and old or new name of one. */
static bool near_old(const struct pid_cache *pc, const struct prow *row)
{
	for (size_t i = 0; i < pc->nold; i++) {
		const struct series_old *o = &pc->old[i];
		if (o->id == row->id)
			return true;
		if (o->list_id == row->list_id && strcmp(o->author, row->author) == 0 &&
		    (strcmp(o->old_name, row->name) == 0 || strcmp(o->name, row->name) == 0))
			return true;
	}
	return false;
}

/* store_series_versions' walk from series start, with pc for what it
 * reads (pc_trim is not called during it: rows[] points into pc);
 * *old (if not NULL): whether a series it asked its rules of is
 * near_old (else the walk before the renames is this one). */
static enum la_status versions_walk(struct store *st, struct pid_cache *pc, int64_t start,
                                    int64_t *ids, unsigned *how, int max, int *n, bool *old)
{
	*n = 0;
	if (old)
		*old = false;
	if (max < 1)
		return LA_OK;
	/* On the stack for a walk of states (max SERIES_CHAIN_MAX). */
	const struct prow *stack[SERIES_CHAIN_MAX];
	const struct prow **rows =
		max <= SERIES_CHAIN_MAX ? stack : calloc((size_t)max, sizeof *rows);
	if (!rows)
		return LA_ENOMEM;
	ids[0] = start;
	how[0] = 0;
	*n = 1;
	enum la_status e = LA_OK;
	/* Breadth first over the rules, from each series found: v1 and v3
	 * may share nothing but v2.  Once the set is full nothing more can
	 * join it, so the walk stops there (a name or patch reused by
	 * hundreds of series made each walk read them all, for nothing). */
	for (int i = 0; !e && i < *n && *n < max; i++) {
		if (!(rows[i] = prow_get(st, pc, ids[i], &e)))
			break;
		const struct prow *cur = rows[i];
		if (old && !*old && pc->nold)
			*old = near_old(pc, cur);
		/* A rule is asked only while the set has room: a full one
		 * takes nothing more (the patches' were read for nothing, a
		 * query and a group a series, at most walks of a commit's
		 * refresh: a name's nearest fill them). */
		if (cur->change_id[0] && !asked_before(rows, i, true))
			e = add_by_name(st, pc, cur, true, start, ids, how, max, n);
		if (!e && *n < max && !asked_before(rows, i, false))
			e = add_by_name(st, pc, cur, false, start, ids, how, max, n);
		if (!e && *n < max)
			e = add_by_patch(st, pc, cur, ids, how, max, n);
	}
	if (rows != stack)
		free(rows);
	return e;
}

enum la_status store_series_versions(struct store *st, const struct store_series *start,
                                     int64_t *ids, unsigned *how, struct store_series *rows,
                                     int max, int *n)
{
	/* The same walk as the states' (the same series, in the same order),
	 * with a cache of its own. */
	struct pid_cache pc;
	pid_cache_init(st, &pc, false);
	enum la_status e = versions_walk(st, &pc, start->id, ids, how, max, n, NULL);
	pid_cache_free(&pc);
	for (int i = 0; !e && rows && i < *n; i++)
		e = store_series_get(st, ids[i], &rows[i]);
	return e;
}

enum la_status store_msg_patchids(struct store *st, int64_t msg, char (*out)[PATCHID_HEX + 1],
                                  size_t max, size_t *n)
{
	*n = 0;
	sqlite3_stmt *s = q(st, Q_PIDS);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, msg);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max) {
		const char *p = (const char *)sqlite3_column_text(s, 0);
		if (p && strlen(p) == PATCHID_HEX)
			memcpy(out[(*n)++], p, PATCHID_HEX + 1);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? LA_OK : LA_EDB;
}

/* ---- the state of each series (series_state; docs/series.md) ---- */

enum la_status store_series_unshown(struct store *st, int64_t id, int64_t *mids, size_t max,
                                    size_t *n)
{
	*n = 0;
	sqlite3_stmt *s = q(st, Q_UNSHOWN);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, id);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (*n < max)
			mids[(*n)++] = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

/* One message of a version, as its state needs it. */
struct smsg {
	int64_t id, mid, thread;
	unsigned part;
	bool reviewed; /* a reply under it gave Reviewed-by: or Acked-by: */
};

/* What a state reads of a version's row (no string: pc_trim frees
 * them, and a version outlives a walk in struct sver_cache). */
struct sinfo {
	int64_t id, list_id, first_ts;
	unsigned version, total;
};

/* The messages sver_load reads on the stack before it keeps them. */
#define SVER_SCRATCH 64

struct sver {
	struct sinfo s;
	struct smsg *m;
	size_t n, cap;
	int64_t *unshown; /* its messages hidden or removed (NULL: none) */
	size_t nunshown;
	int64_t first_ts;
	bool cover_reviewed;
	bool reviews; /* its reviews were read (sver_reviews) */
};

/* Marks the messages of v whose Message-ID is mid reviewed; false if
 * there is none. */
static bool mark_reviewed(struct sver *v, int64_t mid)
{
	bool hit = false;
	for (size_t k = 0; k < v->n; k++)
		if (v->m[k].mid == mid) {
			v->m[k].reviewed = hit = true;
			if (v->m[k].part == 0)
				v->cover_reviewed = true;
		}
	return hit;
}

static bool has_mid(const struct sver *v, int64_t mid)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->m[i].mid == mid)
			return true;
	return false;
}

/* The reviews (Reviewed-by:, Acked-by:) of thread, each walked up its
 * parent links (ghosts too) to the nearest message of v, as the page
 * counts a reply. */
/* The review rows of thread in list_id, read once a pass (pc); NULL on
 * failure (*e set). */
static const struct thread_rev *thread_rev_get(struct store *st, struct pid_cache *pc,
                                               int64_t thread, int64_t list_id, enum la_status *e)
{
	struct thread_rev *r = g_hash_table_lookup(pc->reviews, &thread);
	if (r && r->list_id == list_id)
		return r;
	if (r) { /* another list's, in an `all` pass: replaced */
		pc->nreviews -= r->n;
		g_hash_table_remove(pc->reviews, &thread);
	}
	sqlite3_stmt *s = q(st, Q_ST_REVIEWS);
	r = calloc(1, sizeof *r);
	if (!s || !r) {
		free(r);
		*e = s ? LA_ENOMEM : LA_EDB;
		return NULL;
	}
	r->thread = thread;
	r->list_id = list_id;
	size_t cap = 0;
	sqlite3_bind_int64(s, 1, thread);
	sqlite3_bind_int64(s, 2, list_id);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!vec_reserve(&r->row, &cap, r->n + 1, sizeof *r->row)) {
			rc = SQLITE_NOMEM;
			break;
		}
		r->row[r->n][0] = sqlite3_column_int64(s, 1);
		r->row[r->n][1] = sqlite3_column_int64(s, 2);
		r->n++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		*e = rc == SQLITE_NOMEM ? LA_ENOMEM : st_error(rc);
		thread_rev_free(r);
		return NULL;
	}
	g_hash_table_insert(pc->reviews, &r->thread, r);
	pc->nreviews += r->n;
	return r;
}

/* The parent of Message-ID mid (0: none), read once a pass. */
static enum la_status parent_get(struct store *st, struct pid_cache *pc, int64_t mid, int64_t *out)
{
	const int64_t *c = g_hash_table_lookup(pc->parents, &mid);
	if (c) {
		*out = c[1];
		return LA_OK;
	}
	sqlite3_stmt *s = q(st, Q_ST_PARENT);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, mid);
	enum la_status e = one_int(s, out);
	if (e)
		return e;
	if (g_hash_table_size(pc->parents) >= pc->max->parents)
		g_hash_table_remove_all(pc->parents);
	int64_t *kv = malloc(2 * sizeof *kv); /* the key, its parent */
	if (!kv)
		return LA_OK; /* not kept: read again next time */
	kv[0] = mid;
	kv[1] = *out;
	g_hash_table_insert(pc->parents, kv, kv);
	return LA_OK;
}

static enum la_status thread_reviews(struct store *st, struct sver *v, int64_t thread,
                                     struct pid_cache *pc)
{
	int64_t *up = NULL;
	size_t n = 0, cap = 0;
	enum la_status e = LA_OK;
	const struct thread_rev *rev = thread_rev_get(st, pc, thread, v->s.list_id, &e);
	if (!rev)
		return e;
	for (size_t i = 0; i < rev->n; i++) {
		if (has_mid(v, rev->row[i][0]))
			continue; /* a patch of the series, not a reply to one */
		if (!vec_reserve(&up, &cap, n + 1, sizeof *up)) {
			e = LA_ENOMEM;
			break;
		}
		up[n++] = rev->row[i][1];
	}
	for (size_t r = 0; !e && r < n; r++) {
		int64_t at = up[r];
		for (int step = 0; !e && at && step < 256 && !mark_reviewed(v, at); step++) {
			/* A reply under a message not shown counts for nothing. */
			bool stop = false;
			for (size_t k = 0; k < v->nunshown && !stop; k++)
				stop = v->unshown[k] == at;
			if (stop)
				break;
			e = parent_get(st, pc, at, &at);
		}
	}
	free(up);
	return e;
}

/* The messages of v shown (without their reviews: sver_reviews). */
static enum la_status sver_load(struct store *st, struct sver *v)
{
	sqlite3_stmt *s = q(st, Q_ST_MSGS);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, v->s.id);
	/* Read into an array on the stack (grown on the heap past it),
	 * then kept in one allocation of exactly its messages: an array
	 * grown by vec_reserve and shrunk by realloc left the rest of its
	 * chunk free between the versions a pass keeps, fragmenting the
	 * heap (a 1M index's states pass: 14 MB of its 32 MB free in ~30,000
	 * pieces; VmHWM 37.7 -> 28.6 MB since, docs/INDEX.md). */
	struct smsg here[SVER_SCRATCH];
	struct smsg *m = here;
	size_t n = 0, cap = SVER_SCRATCH;
	enum la_status e = LA_OK;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			struct smsg *more = m == here ? malloc(2 * cap * sizeof *m)
			                              : realloc(m, 2 * cap * sizeof *m);
			if (!more) {
				e = LA_ENOMEM;
				break;
			}
			if (m == here)
				memcpy(more, here, n * sizeof *m);
			m = more;
			cap *= 2;
		}
		struct smsg *x = &m[n++];
		x->id = sqlite3_column_int64(s, 0);
		x->mid = sqlite3_column_int64(s, 1);
		x->thread = sqlite3_column_int64(s, 2);
		x->part = (unsigned)sqlite3_column_int(s, 3);
		x->reviewed = false;
		int64_t ts = sqlite3_column_int64(s, 4);
		if (n == 1 || ts < v->first_ts)
			v->first_ts = ts;
	}
	sqlite3_reset(s);
	if (!e && rc != SQLITE_DONE)
		e = st_error(rc);
	if (!e && n) {
		if ((v->m = malloc(n * sizeof *m))) {
			memcpy(v->m, m, n * sizeof *m);
			v->n = v->cap = n;
		} else {
			e = LA_ENOMEM;
		}
	}
	if (m != here)
		free(m);
	return e;
}

/* Which messages of v (sver_load's) replies reviewed, and those of v
 * not shown that stop them: read only for the versions whose reviews a
 * state counts (its own, and the lower versions of its walk whose
 * patches' reviews carry: msg_reviewed), a third of a commit's
 * refresh with search when read for every version of every walk. */
static enum la_status sver_reviews(struct store *st, struct sver *v, struct pid_cache *pc)
{
	if (v->reviews)
		return LA_OK;
	v->reviews = true;
	int64_t un[SERIES_UNSHOWN_MAX];
	size_t nun = 0;
	enum la_status e = pc->any_unshown
	                           ? store_series_unshown(st, v->s.id, un, SERIES_UNSHOWN_MAX, &nun)
	                           : LA_OK;
	if (!e && nun) {
		if (!(v->unshown = malloc(nun * sizeof *un)))
			return LA_ENOMEM;
		memcpy(v->unshown, un, nun * sizeof *un);
		v->nunshown = nun;
	}
	for (size_t i = 0; !e && pc->any_review && i < v->n; i++) {
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = v->m[k].thread == v->m[i].thread;
		if (!seen)
			e = thread_reviews(st, v, v->m[i].thread, pc);
	}
	return e;
}

static bool share_patch(struct store *st, int64_t a, int64_t b)
{
	sqlite3_stmt *s = q(st, Q_ST_SHARE);
	int64_t v = 0;
	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, a);
	sqlite3_bind_int64(s, 2, b);
	la_ignore(one_int(s, &v));
	return v != 0;
}

/* Whether message m of version v was reviewed: under it, under v's cover
 * letter, or (the same patch id) under an earlier version's patch. */
static bool msg_reviewed(struct store *st, const struct sver *const *all, size_t n,
                         const struct sver *v, const struct smsg *m)
{
	if (m->reviewed || v->cover_reviewed)
		return true;
	for (size_t i = 0; i < n; i++) {
		if (all[i]->s.version >= v->s.version || all[i]->s.id == v->s.id)
			continue;
		for (size_t k = 0; k < all[i]->n; k++)
			if (all[i]->m[k].part > 0 && all[i]->m[k].reviewed &&
			    share_patch(st, all[i]->m[k].id, m->id))
				return true;
	}
	return false;
}

/* The state of v[at], one of the n versions its walk found (v[0] the
 * series it began from). */
static void sver_state(struct store *st, const struct sver *const *v, size_t n, size_t at,
                       struct store_series_state *out)
{
	unsigned newest = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i]->n && v[i]->s.version > newest)
			newest = v[i]->s.version;
	const struct sver *me = v[at];
	unsigned parts = 0, reviewed = 0;
	for (size_t k = 0; k < me->n; k++) {
		const struct smsg *m = &me->m[k];
		if (m->part == 0 || (k > 0 && me->m[k - 1].part == m->part))
			continue;
		parts++;
		/* A place counts as reviewed if any copy of it was. */
		bool any = false;
		for (size_t j = k; j < me->n && me->m[j].part == m->part && !any; j++)
			any = msg_reviewed(st, v, n, me, &me->m[j]);
		reviewed += any;
	}
	*out = (struct store_series_state){
		.msgs = (unsigned)me->n,
		.parts = parts,
		.reviewed = reviewed,
		.newest = newest,
		.latest = me->n && me->s.version == newest,
		.first_ts = me->n ? me->first_ts : me->s.first_ts,
	};
}

static enum la_status state_put(struct store *st, const struct sinfo *v,
                                const struct store_series_state *ss)
{
	sqlite3_stmt *s = q(st, Q_ST_PUT);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, v->id);
	sqlite3_bind_int64(s, 2, v->list_id);
	sqlite3_bind_int(s, 3, (int)v->total);
	sqlite3_bind_int(s, 4, (int)ss->msgs);
	sqlite3_bind_int(s, 5, (int)ss->parts);
	sqlite3_bind_int(s, 6, (int)ss->reviewed);
	sqlite3_bind_int(s, 7, ss->latest);
	sqlite3_bind_int(s, 8, (int)ss->newest);
	sqlite3_bind_int64(s, 9, ss->first_ts);
	int rc = st_step_done(s);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* v[0..n) ascending, in place: an insertion sort for a walk's few
 * dozen ids (SERIES_CHAIN_MAX), where qsort's calls through cmp_i64
 * cost ~6,000 instructions a walk (state_quick: 10 M of an append of
 * 1,000 onto 99,000). */
static void sort_small_i64(int64_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		int64_t x = v[i];
		size_t j = i;
		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* The versions loaded in one pass (sver_load reads a series' threads;
 * nothing they hold changes during a pass), and the walks made, at most
 * max->versions and max->walks of each, then emptied (a version is
 * about 150 bytes: the walks of a fill, the nearest of each name, range
 * over the whole archive, and 4096 of them were read again and again).
 * A fill keeps its versions otherwise (fill_room) and holds up to
 * FILL_WALKS_MAX walks pending (struct sweep). */
#define FILL_WALKS_MAX 4096

struct walk {
	int64_t id; /* its key in walks */
	int n;
	bool old; /* versions_walk's *old */
	int64_t ids[SERIES_CHAIN_MAX];
};

struct sver_cache {
	GHashTable *v;     /* series id (the version's) -> struct sver (owned) */
	GHashTable *walks; /* series id (the walk's) -> struct walk (owned) */
	size_t vmax, wmax;
	size_t vheld, wheld; /* the most each held (LISTARC_TEST_MEMORY) */
};

static void sver_free(void *p)
{
	struct sver *v = p;
	if (v) {
		free(v->m);
		free(v->unshown);
	}
	free(v);
}

/* fill: series_state_fill's (wmax: the walks it holds pending). */
static void sver_cache_init(struct sver_cache *sc, bool fill)
{
	const struct cache_max *max = cache_max_get();
	sc->v = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, sver_free);
	sc->walks = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, free);
	/* (A fill holds twice as many: half of them may be its walks
	 * pending's, struct sweep.) */
	sc->vmax = fill ? 2 * max->versions : max->versions;
	sc->wmax = fill && FILL_WALKS_MAX < max->walks ? FILL_WALKS_MAX : max->walks;
	sc->vheld = sc->wheld = 0;
}

static void sver_cache_free(struct sver_cache *sc)
{
	if (sc->v)
		g_hash_table_destroy(sc->v);
	if (sc->walks)
		g_hash_table_destroy(sc->walks);
	sc->v = sc->walks = NULL;
}

/* Series row's version, loaded (or from the cache); NULL on failure (*e
 * set). */
static const struct sver *sver_get(struct store *st, struct sver_cache *sc, struct pid_cache *pc,
                                   const struct prow *row, enum la_status *e)
{
	struct sver *v = g_hash_table_lookup(sc->v, &row->id);
	if (v)
		return v;
	held_note(&sc->vheld, g_hash_table_size(sc->v));
	if (g_hash_table_size(sc->v) >= sc->vmax)
		g_hash_table_remove_all(sc->v);
	v = calloc(1, sizeof *v);
	if (!v) {
		*e = LA_ENOMEM;
		return NULL;
	}
	v->s = (struct sinfo){row->id, row->list_id, row->first_ts, row->version, row->total};
	if ((*e = sver_load(st, v))) {
		sver_free(v);
		return NULL;
	}
	g_hash_table_insert(sc->v, &v->s.id, v);
	return v;
}

/* The walk over series id's versions (versions_walk), made once a pass;
 * NULL on failure (*e set). */
static const struct walk *walk_of(struct store *st, struct pid_cache *pc, struct sver_cache *sc,
                                  int64_t id, enum la_status *e)
{
	const struct walk *w = g_hash_table_lookup(sc->walks, &id);
	if (w)
		return w;
	held_note(&sc->wheld, g_hash_table_size(sc->walks));
	if (g_hash_table_size(sc->walks) >= sc->wmax)
		g_hash_table_remove_all(sc->walks);
	unsigned how[SERIES_CHAIN_MAX];
	struct walk *nw = malloc(sizeof *nw);
	if (!nw) {
		*e = LA_ENOMEM;
		return NULL;
	}
	if ((*e = versions_walk(st, pc, id, nw->ids, how, SERIES_CHAIN_MAX, &nw->n, &nw->old))) {
		free(nw);
		return NULL;
	}
	nw->id = id;
	g_hash_table_insert(sc->walks, &nw->id, nw);
	return nw;
}

/* The state of series id, from its own walk over its versions (so that
 * it is the same whatever walks ran before: the order of commits, an
 * upgrade's fill); LA_ENOTFOUND if there is no such series. */
static enum la_status state_compute(struct store *st, int64_t id, struct pid_cache *pc,
                                    struct sver_cache *sc, struct store_series_state *out,
                                    const struct sver **me)
{
	enum la_status e = LA_OK;
	const struct walk *w = walk_of(st, pc, sc, id, &e);
	if (!w)
		return e;
	int64_t ids[SERIES_CHAIN_MAX];
	int n = 0;
	/* With no message hidden or removed every series has a message
	 * shown, so the newest version is the walk's highest from the rows
	 * alone, and only the series' own version and the lower ones (whose
	 * reviews carry: msg_reviewed) are loaded: a higher version's
	 * messages count for nothing else. */
	bool rows_only = !pc->any_unshown;
	unsigned newest = 0, mine = 0;
	for (int i = 0; !e && i < w->n; i++) {
		if (!rows_only) {
			ids[n++] = w->ids[i];
			continue;
		}
		const struct prow *row = prow_get(st, pc, w->ids[i], &e);
		if (!row)
			break;
		if (i == 0)
			mine = row->version;
		if (row->version > newest)
			newest = row->version;
		if (i == 0 || row->version < mine)
			ids[n++] = w->ids[i];
	}
	/* Emptied now if the walk's versions might not fit (sver_get empties
	 * it when full: not during the walk, whose pointers it holds). */
	held_note(&sc->vheld, g_hash_table_size(sc->v));
	if (g_hash_table_size(sc->v) + (size_t)n >= sc->vmax)
		g_hash_table_remove_all(sc->v);
	const struct sver *v[SERIES_CHAIN_MAX];
	for (int i = 0; !e && i < n; i++) {
		if ((v[i] = g_hash_table_lookup(sc->v, &ids[i])))
			continue;
		const struct prow *row = prow_get(st, pc, ids[i], &e);
		if (row)
			v[i] = sver_get(st, sc, pc, row, &e);
	}
	for (int i = 0; !e && i < n; i++)
		if (i == 0 || v[i]->s.version < v[0]->s.version)
			e = sver_reviews(st, (struct sver *)v[i], pc);
	if (!e && n > 0) {
		sver_state(st, v, (size_t)n, 0, out);
		if (rows_only) {
			out->newest = newest;
			out->latest = v[0]->n && v[0]->s.version == newest;
		}
		*me = v[0];
	}
	return e;
}

/* What one refresh knows: the series changed (those of the threads
 * named dirty, those renamed or given another change-id), those whose
 * walk kept holds one of them (held), those done, those found
 * unchanged, those whose kept walks were looked up (seeded), and those
 * around which nothing is skipped (a change-id changed). */
struct idhash {
	int64_t *k; /* open addressing; IDHASH_EMPTY: a free slot */
	size_t cap, n;
};
#define IDHASH_EMPTY INT64_MIN

struct walk_buf;

struct refresh {
	struct idhash changed, held, done, clean, seeded, force;
	bool force_all;
	struct walk_buf *wb; /* the changes to series_walk_starts */
};

static size_t idhash_slot(int64_t id, size_t cap)
{
	return (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1);
}

static bool set_has(const struct idhash *set, int64_t id)
{
	if (!set->n)
		return false;
	for (size_t i = idhash_slot(id, set->cap);; i = (i + 1) & (set->cap - 1)) {
		if (set->k[i] == id)
			return true;
		if (set->k[i] == IDHASH_EMPTY)
			return false;
	}
}

/* Adds id to set; false on failure. */
static bool set_add(struct idhash *set, int64_t id)
{
	if (set_has(set, id))
		return true;
	if (2 * (set->n + 1) > set->cap) {
		size_t cap = set->cap ? 2 * set->cap : 64;
		int64_t *k = malloc(cap * sizeof *k);
		if (!k)
			return false;
		for (size_t i = 0; i < cap; i++)
			k[i] = IDHASH_EMPTY;
		for (size_t j = 0; j < set->cap; j++)
			if (set->k[j] != IDHASH_EMPTY) {
				size_t i = idhash_slot(set->k[j], cap);
				while (k[i] != IDHASH_EMPTY)
					i = (i + 1) & (cap - 1);
				k[i] = set->k[j];
			}
		free(set->k);
		set->k = k;
		set->cap = cap;
	}
	size_t i = idhash_slot(id, set->cap);
	while (set->k[i] != IDHASH_EMPTY)
		i = (i + 1) & (set->cap - 1);
	set->k[i] = id;
	set->n++;
	return true;
}

/* ---- the walks kept (series_walk_members, series_walk_starts) ---- */

/* A walk's set of ids (its members, or the starts of the walks that
 * hold a series) as a blob: ascending, each the difference from the one
 * before (the first from 0) as a varint of 7 bits a byte, low first. */
static size_t ids_encode(const int64_t *v, size_t n, uint8_t *out)
{
	size_t k = 0;
	uint64_t prev = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t d = (uint64_t)v[i] - prev;
		prev = (uint64_t)v[i];
		do {
			out[k++] = (uint8_t)((d & 0x7f) | (d > 0x7f ? 0x80 : 0));
			d >>= 7;
		} while (d);
	}
	return k;
}

/* The next id of blob p (ids_encode's) from byte *k on, first or after
 * *prev, which becomes it; LA_EDB if it is not one (a varint cut short
 * or too long, or not above *prev). */
static enum la_status ids_next(const uint8_t *p, size_t len, size_t *k, bool first, uint64_t *prev)
{
	uint64_t d = 0;
	for (unsigned sh = 0;; sh += 7) {
		if (*k == len || sh > 63)
			return LA_EDB;
		d |= (uint64_t)(p[*k] & 0x7f) << sh;
		if (!(p[(*k)++] & 0x80))
			break;
	}
	if ((!first && !d) || d > (uint64_t)INT64_MAX - *prev)
		return LA_EDB;
	*prev += d;
	return LA_OK;
}

/* The ids of blob p (ids_encode's), added to out; LA_EDB if it is not
 * one (ids_next). */
static enum la_status ids_decode(const uint8_t *p, size_t len, struct idset *out)
{
	uint64_t prev = 0;
	for (size_t k = 0; k < len;) {
		enum la_status e = ids_next(p, len, &k, k == 0, &prev);
		if (e)
			return e;
		if (!idset_add(out, (int64_t)prev))
			return LA_ENOMEM;
	}
	return LA_OK;
}

/* For each id of blob p (ids_encode's) from lo up to hi (excluded),
 * start placed at starts[at[id - lo]++] (walk_starts_fill), stopping at
 * the first id from hi up; LA_EDB as ids_decode (for what it reads). */
static enum la_status ids_place(const uint8_t *p, size_t len, int64_t lo, int64_t hi, int64_t start,
                                int64_t *starts, size_t *at)
{
	uint64_t prev = 0;
	for (size_t k = 0; k < len;) {
		enum la_status e = ids_next(p, len, &k, k == 0, &prev);
		if (e)
			return e;
		if ((int64_t)prev >= hi)
			break;
		if ((int64_t)prev >= lo)
			starts[at[(int64_t)prev - lo]++] = start;
	}
	return LA_OK;
}

/* The ids of the blob in column 0 of the row s stepped to (none if
 * there is no row), added to out. */
static enum la_status ids_read(sqlite3_stmt *s, struct idset *out)
{
	int rc = sqlite3_step(s);
	enum la_status e = LA_OK;
	if (rc == SQLITE_ROW)
		e = ids_decode(sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0), out);
	else if (rc != SQLITE_DONE)
		e = st_error(rc);
	sqlite3_reset(s);
	return e;
}

/* Writes the n ids v as key's blob with put (n > 0) or deletes key's
 * row with del. */
static enum la_status ids_write(struct store *st, int put, int del, int64_t key, const int64_t *v,
                                size_t n)
{
	sqlite3_stmt *s = q(st, n ? put : del);
	if (!s)
		return LA_EDB;
	uint8_t stack[SERIES_CHAIN_MAX * 10], *buf = stack;
	if (n > SERIES_CHAIN_MAX && !(buf = malloc(n * 10)))
		return LA_ENOMEM;
	sqlite3_bind_int64(s, 1, key);
	if (n)
		sqlite3_bind_blob(s, 2, buf, (int)ids_encode(v, n, buf), SQLITE_STATIC);
	int rc = st_step_done(s);
	if (buf != stack)
		free(buf);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

/* The changes to the starts kept by member (series_walk_starts) that
 * the walks stored make, applied at the end of a refresh (walk_flush):
 * a member's row is then written once, however many walks gained or
 * lost it (the walks that held a series before the commit are the ones
 * read during it). */
struct walk_change {
	int64_t member, start;
	bool add;
};

struct walk_buf {
	struct walk_change *c;
	size_t n, cap;
};

static bool change_before(const struct walk_change *x, const struct walk_change *y)
{
	return x->member != y->member ? x->member < y->member : x->start < y->start;
}

MSORT_DEFINE(changes_msort, struct walk_change, change_before)

/* wb's changes sorted by member and start (msort.h: qsort's call a
 * comparison was a fifth of a commit's flush); false if there is no
 * memory for it. */
static bool changes_sort(struct walk_buf *wb)
{
	size_t n = wb->n;
	struct walk_change *tmp = n < 2 ? NULL : malloc(n * sizeof *tmp);
	if (n >= 2 && !tmp)
		return false;
	struct walk_change *a = n < 2 ? wb->c : changes_msort(wb->c, tmp, n);
	if (a != wb->c)
		memcpy(wb->c, a, n * sizeof *a);
	free(tmp);
	return true;
}

/* Applies wb's changes (sorted first) and empties it. */
static enum la_status walk_flush(struct store *st, struct walk_buf *wb)
{
	if (!changes_sort(wb))
		return LA_ENOMEM;
	struct idset was = {0}, now = {0};
	enum la_status e = LA_OK;
	for (size_t i = 0, j; !e && i < wb->n; i = j) {
		int64_t m = wb->c[i].member;
		for (j = i; j < wb->n && wb->c[j].member == m;)
			j++;
		sqlite3_stmt *s = q(st, Q_WS_OF);
		if (!s) {
			e = LA_EDB;
			break;
		}
		sqlite3_bind_int64(s, 1, m);
		was.n = now.n = 0;
		if ((e = ids_read(s, &was)))
			break;
		/* Both ascending: the starts kept, less those removed, with
		 * those added. */
		size_t a = 0, k = i;
		while (!e && (a < was.n || k < j)) {
			if (k == j || (a < was.n && was.v[a] < wb->c[k].start)) {
				if (!idset_add(&now, was.v[a++]))
					e = LA_ENOMEM;
				continue;
			}
			int64_t v = wb->c[k].start;
			bool add = wb->c[k++].add;
			if (a < was.n && was.v[a] == v)
				a++;
			if (add && (!now.n || now.v[now.n - 1] != v) && !idset_add(&now, v))
				e = LA_ENOMEM;
		}
		if (!e)
			e = ids_write(st, Q_WS_PUT, Q_WS_DEL, m, now.v, now.n);
	}
	free(was.v);
	free(now.v);
	wb->n = 0;
	return e;
}

static bool walk_change(struct walk_buf *wb, int64_t member, int64_t start, bool add)
{
	if (!vec_reserve(&wb->c, &wb->cap, wb->n + 1, sizeof *wb->c))
		return false;
	wb->c[wb->n++] = (struct walk_change){member, start, add};
	return true;
}

/* Keeps series id's walk as it is now (walk_of): every member but id
 * itself, as one row by start (series_walk_members) and in the row of
 * each member (series_walk_starts, through wb), so that a later commit
 * finds every walk that holds a series it changes by that series alone
 * (walk_starts; docs/series.md, "State").  fresh (the fill): none is
 * kept yet, and the members' rows are made after every walk
 * (walk_starts_fill); else only what differs from the walk kept is
 * written (a walk that changed mostly gains a series and loses
 * another).  A series gone keeps none. */
static enum la_status walk_store(struct store *st, struct pid_cache *pc, struct sver_cache *sc,
                                 int64_t id, struct walk_buf *wb, bool fresh,
                                 const struct idset *kept)
{
	enum la_status e = LA_OK;
	int64_t now[SERIES_CHAIN_MAX];
	size_t nn = 0;
	const struct walk *w = walk_of(st, pc, sc, id, &e);
	if (!w && e != LA_ENOTFOUND)
		return e;
	e = LA_OK;
	for (int i = 1; w && i < w->n; i++) { /* by insertion: 31 at most */
		size_t k = nn++;
		for (; k > 0 && now[k - 1] > w->ids[i]; k--)
			now[k] = now[k - 1];
		now[k] = w->ids[i];
	}
	size_t u = 0; /* without repeats (a walk has none) */
	for (size_t i = 0; i < nn; i++)
		if (!u || now[u - 1] != now[i])
			now[u++] = now[i];
	nn = u;
	if (fresh)
		return nn ? ids_write(st, Q_W_PUT, Q_W_DEL, id, now, nn) : LA_OK;
	struct idset was = {0};
	if (kept && !idset_copy(&was, kept))
		return LA_ENOMEM;
	if (!kept) {
		sqlite3_stmt *s = q(st, Q_W_OF);
		if (!s)
			return LA_EDB;
		sqlite3_bind_int64(s, 1, id);
		if ((e = ids_read(s, &was))) {
			free(was.v);
			return e;
		}
	}
	if (was.n == nn && (!nn || memcmp(was.v, now, nn * sizeof *now) == 0)) {
		free(was.v);
		return LA_OK;
	}
	/* Both ascending: the members kept not in the walk go, the members
	 * not kept come. */
	size_t i = 0, j = 0;
	while (i < nn || j < was.n) {
		bool ok = true;
		if (j < was.n && (i == nn || was.v[j] < now[i]))
			ok = walk_change(wb, was.v[j++], id, false);
		else if (i < nn && (j == was.n || now[i] < was.v[j]))
			ok = walk_change(wb, now[i++], id, true);
		else
			i++, j++;
		if (!ok) {
			free(was.v);
			return LA_ENOMEM;
		}
	}
	free(was.v);
	return ids_write(st, Q_W_PUT, Q_W_DEL, id, now, nn);
}

/* walk_starts_fill notes the least and greatest start of the walks
 * holding each run of this many members (log2). */
#define WALK_FILL_RUN 8

/* The walks' starts by member (series_walk_starts) made from the walks
 * by start (series_walk_members), whole, at the end of a fill: the
 * walks scanned once to count each member's starts, then for each range
 * of members whose starts fit in WALK_FILL_MAX, each member's starts
 * placed in order (the walks come by start) and its row written (by
 * member: each row at the end of the table).  Each range's scan reads
 * only the walks from the least to the greatest start that holds one of
 * its members (noted by runs of 256 members as they are counted): a
 * walk holds the versions nearest its start, a short stretch for a
 * name of many series, a long one where a name's few series are spread
 * over the archive.  Scanned whole each time, the walks were read ~150
 * times at 5M messages (39M starts of 1.27M series: 55 s of a 605 s
 * first index); with the stretches the states pass took 91 s against
 * 104 (most runs of 256 still meet a far walk). */
static enum la_status walk_starts_fill(struct store *st)
{
	sqlite3_stmt *s = NULL;
	int64_t top = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT coalesce(max(id), 0) FROM series", -1, &s, NULL) !=
	    SQLITE_OK) {
		sqlite3_finalize(s);
		return LA_EDB;
	}
	enum la_status e = one_int(s, &top);
	sqlite3_finalize(s);
	s = NULL;
	if (e)
		return e;
	if (top < 1)
		return LA_OK;
	sqlite3_stmt *all = NULL, *some = NULL;
	if ((uint64_t)top >= SIZE_MAX / sizeof(uint32_t) ||
	    sqlite3_prepare_v2(st->db,
	                       "SELECT start, members FROM series_walk_members ORDER BY start", -1,
	                       &all, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db,
	                       "SELECT start, members FROM series_walk_members"
	                       " WHERE start BETWEEN ?1 AND ?2 ORDER BY start",
	                       -1, &some, NULL) != SQLITE_OK) {
		sqlite3_finalize(all);
		sqlite3_finalize(some);
		return LA_EDB;
	}
	size_t fill_max = cache_max_get()->walk_fill;
	uint32_t *count = calloc((size_t)top + 1, sizeof *count);
	/* runs[2 r], runs[2 r + 1]: the least and greatest start of a walk
	 * holding a member of run r (none: INT64_MAX, 0) */
	size_t nruns = ((size_t)top >> WALK_FILL_RUN) + 1;
	int64_t *runs = malloc(2 * nruns * sizeof *runs);
	size_t *at = NULL;
	int64_t *starts = NULL;
	struct idset m = {0};
	if (!count || !runs)
		e = LA_ENOMEM;
	for (size_t r = 0; !e && r < nruns; r++) {
		runs[2 * r] = INT64_MAX;
		runs[2 * r + 1] = 0;
	}
	/* lo..hi: the members of this scan (the first: none, to count). */
	for (int64_t lo = 0, hi = 0; !e && lo <= top; lo = hi) {
		size_t sum = 0;
		if (lo > 0) {
			for (hi = lo; hi <= top && (hi == lo || sum + count[hi] <= fill_max); hi++)
				sum += count[hi];
			free(at);
			free(starts);
			at = malloc((size_t)(hi - lo + 1) * sizeof *at);
			starts = malloc((sum ? sum : 1) * sizeof *starts);
			if (!at || !starts) {
				e = LA_ENOMEM;
				break;
			}
			at[0] = 0;
			for (int64_t k = lo; k < hi; k++)
				at[k - lo + 1] = at[k - lo] + count[k];
			int64_t least = INT64_MAX, most = 0;
			for (int64_t r = lo >> WALK_FILL_RUN; r <= (hi - 1) >> WALK_FILL_RUN; r++) {
				least = runs[2 * r] < least ? runs[2 * r] : least;
				most = runs[2 * r + 1] > most ? runs[2 * r + 1] : most;
			}
			s = some;
			sqlite3_bind_int64(s, 1, least);
			sqlite3_bind_int64(s, 2, most);
		} else {
			hi = 1;
			s = all;
		}
		int rc = SQLITE_DONE;
		while (!e && (rc = sqlite3_step(s)) == SQLITE_ROW) {
			int64_t start = sqlite3_column_int64(s, 0);
			/* (a range's scan: the members were checked as they
			 * were counted, in the same transaction) */
			if (lo > 0) {
				e = ids_place(sqlite3_column_blob(s, 1),
				              (size_t)sqlite3_column_bytes(s, 1), lo, hi, start,
				              starts, at);
				continue;
			}
			m.n = 0;
			if ((e = ids_decode(sqlite3_column_blob(s, 1),
			                    (size_t)sqlite3_column_bytes(s, 1), &m)))
				break;
			for (size_t i = 0; i < m.n; i++) {
				if (m.v[i] < 1 || m.v[i] > top) {
					e = LA_EDB; /* a member that is no series */
					break;
				}
				count[m.v[i]]++;
				int64_t *run = runs + 2 * (m.v[i] >> WALK_FILL_RUN);
				run[0] = start < run[0] ? start : run[0];
				run[1] = start > run[1] ? start : run[1];
			}
		}
		if (!e && rc != SQLITE_DONE)
			e = st_error(rc);
		sqlite3_reset(s);
		/* at[k - lo] is now where member k's starts end. */
		for (int64_t k = lo; !e && lo > 0 && k < hi; k++)
			if (count[k])
				e = ids_write(st, Q_WS_PUT, Q_WS_DEL, k,
				              starts + at[k - lo] - count[k], count[k]);
	}
	sqlite3_finalize(all);
	sqlite3_finalize(some);
	free(count);
	free(runs);
	free(at);
	free(starts);
	free(m.v);
	return e;
}

/* The starts of the walks kept that hold series id, added to out. */
static enum la_status walk_starts(struct store *st, int64_t id, struct idset *out)
{
	sqlite3_stmt *s = q(st, Q_WS_OF);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, id);
	return ids_read(s, out);
}

/* Whether series id's state may have changed in this commit: whether
 * its walk (made again, on the rows as they are now) holds a series
 * changed, or held one before.  A walk that holds none and held none is
 * the walk it was (a series added to a walk is in it; one that left it
 * was renamed, given another change-id, or its patches hidden or
 * removed: r->force) over versions whose messages, reviews and rows are
 * those it read before, so its state is too.  The walk before is the
 * walk now with the series renamed in the transaction given their old
 * names (pc->before): it holds no fewer of the series unchanged than
 * the walk as it was (it differs from that one by the series new or with
 * new patches alone, all of them changed), so if it holds no series
 * changed, that one held none either.  It is made only for a walk that
 * asked its rules of a series renamed or of one of its names (near_old):
 * any other is the same before. */
static enum la_status touches_changed(struct store *st, struct pid_cache *pc, struct sver_cache *sc,
                                      const struct refresh *r, int64_t id, bool *hit)
{
	enum la_status e = LA_OK;
	const struct walk *w = walk_of(st, pc, sc, id, &e);
	*hit = true;
	if (!w)
		return e == LA_ENOTFOUND ? LA_OK : e;
	*hit = false;
	for (int i = 0; i < w->n && !*hit; i++)
		*hit = set_has(&r->changed, w->ids[i]);
	if (*hit || !w->old)
		return LA_OK;
	/* Its walk as it was before the transaction's renames (a series that
	 * left it by its old name is not in it now): one that held none of
	 * the series changed held no series renamed, and the walk now holds
	 * no more than it held then but series changed (new ones, or with
	 * new messages).  Not kept: the walks of states are the ones now. */
	int64_t ids[SERIES_CHAIN_MAX];
	unsigned how[SERIES_CHAIN_MAX];
	int n = 0;
	pc->before = true;
	e = versions_walk(st, pc, id, ids, how, SERIES_CHAIN_MAX, &n, NULL);
	pc->before = false;
	if (e)
		return e == LA_ENOTFOUND ? (*hit = true, LA_OK) : e;
	for (int i = 0; i < n && !*hit; i++)
		*hit = set_has(&r->changed, ids[i]);
	return LA_OK;
}

/* A series of a walk and its version. */
struct id_version {
	int64_t id;
	unsigned version;
};

/* v[0..n) by id, in place (sort_small_i64's, for a walk's members). */
static void sort_small_versions(struct id_version *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct id_version x = v[i];
		size_t j = i;
		for (; j > 0 && v[j - 1].id > x.id; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* Whether series x's state is its state kept with only the newest
 * version (and so latest) made again, into *out (*ok; else it is
 * computed whole): x unchanged, no message of the index hidden or
 * removed, no change-id changed around it, and the versions lower than
 * x's in its walk now the same series as in its walk kept (the walk
 * before the commit: walk_store writes it after), none of them changed.
 * A state's messages, places, reviews and first date are x's own
 * (unchanged with x) and, for the reviews carried, those of its lower
 * versions' (the same series, unchanged); its newest version is the
 * highest of its walk with a message shown, which with none hidden or
 * removed is every series' (a series has a message, or is deleted).
 * Most states a commit computes are of such series, whose walk gained
 * a new series of their name and lost the farthest (docs/series.md,
 * "State"): their versions' messages and reviews were most of the
 * refresh. */
static enum la_status state_quick(struct store *st, struct refresh *r, struct pid_cache *pc,
                                  struct sver_cache *sc, int64_t x, struct store_series_state *out,
                                  struct sinfo *info, struct idset *was, bool *ok, bool *same_kept)
{
	*ok = *same_kept = false;
	if (pc->any_unshown || r->force_all || set_has(&r->changed, x) || set_has(&r->force, x))
		return LA_OK;
	enum la_status e = LA_OK;
	const struct walk *w = walk_of(st, pc, sc, x, &e);
	if (!w)
		return e == LA_ENOTFOUND ? LA_OK : e;
	const struct prow *me = prow_get(st, pc, x, &e);
	if (!me)
		return e == LA_ENOTFOUND ? LA_OK : e;
	*info = (struct sinfo){me->id, me->list_id, me->first_ts, me->version, me->total};
	int64_t lower[SERIES_CHAIN_MAX];
	struct id_version now[SERIES_CHAIN_MAX];
	size_t nl = 0, nn = 0;
	unsigned newest = me->version;
	for (int i = 1; i < w->n; i++) {
		const struct prow *m = prow_get(st, pc, w->ids[i], &e);
		if (!m)
			return e == LA_ENOTFOUND ? LA_OK : e;
		now[nn++] = (struct id_version){m->id, m->version};
		if (m->version > newest)
			newest = m->version;
		if (m->version >= info->version)
			continue;
		if (set_has(&r->changed, m->id))
			return LA_OK;
		lower[nl++] = m->id;
	}
	sort_small_i64(lower, nl);
	sort_small_versions(now, nn);
	sqlite3_stmt *s = q(st, Q_W_OF);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, x);
	if ((e = ids_read(s, was)))
		return e;
	/* was's lower versions, ascending as lower is; the versions of those
	 * still in the walk from it (most: a walk mostly gains one series and
	 * loses another), of the others from their rows. */
	size_t k = 0;
	bool same = true;
	for (size_t i = 0; same && i < was->n; i++) {
		struct id_version key = {was->v[i], 0};
		const struct id_version *at =
			nn ? bsearch(&key, now, nn, sizeof *now, cmp_i64) : NULL;
		unsigned version;
		if (at)
			version = at->version;
		else {
			const struct prow *m = prow_get(st, pc, was->v[i], &e);
			if (!m) {
				same = false;
				break;
			}
			version = m->version;
		}
		if (version < info->version)
			same = k < nl && lower[k++] == was->v[i];
	}
	if (e && e != LA_ENOTFOUND)
		return e;
	if (!same || k != nl)
		return LA_OK;
	struct store_series_state kept;
	if ((e = store_series_state(st, x, &kept)))
		return e == LA_ENOTFOUND ? LA_OK : e;
	*out = kept;
	out->newest = newest;
	out->latest = kept.msgs && info->version == newest;
	*ok = true;
	*same_kept = out->newest == kept.newest && out->latest == kept.latest;
	return LA_OK;
}

/* Series x's state computed again, and its walk kept, unless done has
 * it or it is not changed, held or forced and touches_changed finds no
 * series changed in its walk. */
static enum la_status consider(struct store *st, struct refresh *r, struct pid_cache *pc,
                               struct sver_cache *sc, int64_t x, bool force)
{
	if (set_has(&r->done, x))
		return LA_OK;
	enum la_status e = LA_OK;
	if (!force && !r->force_all && !set_has(&r->changed, x) && !set_has(&r->held, x)) {
		if (set_has(&r->clean, x))
			return LA_OK;
		bool hit;
		if ((e = touches_changed(st, pc, sc, r, x, &hit)))
			return e;
		if (!hit)
			return set_add(&r->clean, x) ? LA_OK : LA_ENOMEM;
	}
	if (!set_add(&r->done, x))
		return LA_ENOMEM;
	struct store_series_state ss;
	struct sinfo info;
	/* The walk kept, read once (state_quick, walk_store). */
	struct idset was = {0};
	bool quick = false, same = false, read = false;
	if (!force) {
		e = state_quick(st, r, pc, sc, x, &ss, &info, &was, &quick, &same);
		read = !e && was.v;
	}
	if (!e && !quick) {
		const struct sver *me = NULL;
		e = state_compute(st, x, pc, sc, &ss, &me);
		if (e == LA_ENOTFOUND) { /* a series gone: its rows go */
			free(was.v);
			return walk_store(st, pc, sc, x, r->wb, false, NULL);
		}
		if (!e)
			info = me->s;
	}
	if (!e && !same) /* (a state kept as it is is not written again) */
		e = state_put(st, &info, &ss);
	if (!e)
		e = walk_store(st, pc, sc, x, r->wb, false, read ? &was : NULL);
	free(was.v);
	return e;
}

/* Every series whose walk as it was may hold series seed, considered:
 * seed itself and those whose kept walk holds it (series_walk_starts:
 * the walks that hold each series).  force: each is computed again (a
 * series that left their walks by a change-id). */
static enum la_status walk_seed(struct store *st, struct refresh *r, struct pid_cache *pc,
                                struct sver_cache *sc, int64_t seed, bool force)
{
	struct idset c = {0};
	enum la_status e = walk_starts(st, seed, &c);
	if (!e && !idset_add(&c, seed))
		e = LA_ENOMEM; /* its own walk holds it too */
	for (size_t i = 0; !e && i < c.n; i++)
		e = consider(st, r, pc, sc, c.v[i], force);
	free(c.v);
	return e;
}

/* The series unchanged nearest to changed series id on each side in
 * its name group and in its change-id's, as seeds (walk_seed): a walk
 * from x that took id from one of these groups as it is now (id new in
 * it, or nearer x than one that left it) held one of them before, or
 * is one (docs/series.md, "State"). */
static enum la_status walk_neighbours(struct store *st, struct refresh *r, struct pid_cache *pc,
                                      struct sver_cache *sc, int64_t id)
{
	enum la_status e = LA_OK;
	const struct prow *p = prow_get(st, pc, id, &e);
	if (!p)
		return e == LA_ENOTFOUND ? LA_OK : e;
	struct prow k = *p;
	int64_t seeds[4];
	int ns = 0;
	for (int change = 0; change < 2 && !e; change++) {
		if (change ? !k.change_id[0] : !k.name[0])
			continue;
		const struct idset *g = name_get(st, pc, &k, change != 0, false, &e);
		if (!g)
			break;
		bool has;
		size_t at = idset_find(g, id, &has);
		for (size_t j = at + has; j < g->n; j++)
			if (!set_has(&r->changed, g->v[j])) {
				seeds[ns++] = g->v[j];
				break;
			}
		for (size_t j = at; j > 0; j--)
			if (!set_has(&r->changed, g->v[j - 1])) {
				seeds[ns++] = g->v[j - 1];
				break;
			}
	}
	for (int i = 0; !e && i < ns; i++) {
		if (set_has(&r->seeded, seeds[i]))
			continue;
		if (!set_add(&r->seeded, seeds[i]))
			return LA_ENOMEM;
		e = walk_seed(st, r, pc, sc, seeds[i], false);
	}
	return e;
}

/* Whether 65 series of cur's author and list have patch id pid in
 * messages before msg (walk_sharers' first test), from the group's rows
 * in id order, read only until it finds them: a patch id an author sent
 * in hundreds of series reads its rows up to the 65th series, not its
 * group whole (most messages that joined stop there: the group is read
 * whole only for the others).  With no message hidden or removed, msg
 * is in the group, and the test is whether the row that brings the
 * 65th series comes before msg's: that row's id is kept a pass
 * (pc->pfx) for the other messages of the patch id. */
static enum la_status pid_prefix_full(struct store *st, struct pid_cache *pc,
                                      const struct prow *cur, const char *pid, int64_t msg,
                                      bool *full)
{
	*full = false;
	char lid[24];
	snprintf(lid, sizeof lid, "%lld", (long long)cur->list_id);
	size_t pn = strlen(pid), ln = strlen(lid), an = strlen(cur->author);
	char *key = NULL;
	if (!pc->any_unshown) {
		if (!(key = malloc(pn + ln + an + 3)))
			return LA_ENOMEM;
		memcpy(key, pid, pn);
		key[pn] = ' ';
		memcpy(key + pn + 1, lid, ln);
		key[pn + 1 + ln] = ' ';
		memcpy(key + pn + ln + 2, cur->author, an + 1);
		const int64_t *at = g_hash_table_lookup(pc->pfx, key);
		if (at) {
			free(key);
			*full = *at < msg;
			return LA_OK;
		}
	}
	sqlite3_stmt *s = q(st, pc->any_unshown ? Q_P_GROUP : Q_P_GROUP_ALL);
	if (!s) {
		free(key);
		return LA_EDB;
	}
	sqlite3_bind_text(s, 1, pid, -1, SQLITE_TRANSIENT);
	int64_t seen[65], last = INT64_MAX;
	int nseen = 0;
	int rc = SQLITE_DONE;
	while (nseen < 65 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		/* (Kept, the rows after msg are read too: the test of the
		 * pass's other messages.) */
		if (!key && id == msg)
			break;
		const char *a = (const char *)sqlite3_column_text(s, 2);
		if (sqlite3_column_int64(s, 3) != cur->list_id ||
		    strcmp(a ? a : "", cur->author) != 0)
			continue;
		int64_t series = sqlite3_column_int64(s, 1);
		int k = 0;
		while (k < nseen && seen[k] != series)
			k++;
		if (k == nseen) {
			seen[nseen++] = series;
			last = id;
		}
	}
	sqlite3_reset(s);
	if (nseen < 65 && rc != SQLITE_ROW && rc != SQLITE_DONE) {
		free(key);
		return st_error(rc);
	}
	if (!key) {
		*full = nseen >= 65;
		return LA_OK;
	}
	int64_t *at = malloc(sizeof *at);
	if (!at) {
		free(key);
		return LA_ENOMEM;
	}
	*at = nseen >= 65 ? last : INT64_MAX;
	*full = *at < msg;
	g_hash_table_insert(pc->pfx, key, at);
	return LA_OK;
}

/* The series unchanged that share patch id pid with changed series id
 * (of its author and list) and whose patch neighbours (shares_get) now
 * hold it, as seeds (walk_seed): a walk that took id from one of them
 * held it before. */
static enum la_status walk_sharers(struct store *st, struct refresh *r, struct pid_cache *pc,
                                   struct sver_cache *sc, int64_t id, const char *pid, int64_t msg)
{
	enum la_status e = LA_OK;
	const struct prow *cur = prow_get(st, pc, id, &e);
	if (!cur)
		return e == LA_ENOTFOUND ? LA_OK : e;
	/* (The first test below, without the group when it holds.) */
	if (msg) {
		bool full;
		if ((e = pid_prefix_full(st, pc, cur, pid, msg, &full)) || full)
			return e;
	}
	const struct pid_group *g = pid_group_get(st, pc, pid, &e);
	if (!g)
		return e;
	struct idset cand = {0};
	uint64_t ahash = hash64(cur->author, strlen(cur->author), 0);
	size_t lo = 0, hi = g->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (g->m[g->by_author[mid]].ahash < ahash)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* A message that joined (msg) after 65 series of its author that
	 * have the patch is in no series' patch neighbours: each finds
	 * those 65 first, 64 at least but its own (shares_get's order). */
	if (msg) {
		int64_t seen[65];
		int nseen = 0;
		for (size_t j = lo; j < g->n && nseen < 65; j++) {
			const struct pid_member *m = &g->m[g->by_author[j]];
			if (m->ahash != ahash || m->msg == msg)
				break;
			if (m->list_id != cur->list_id ||
			    strcmp(g->authors + m->author, cur->author) != 0)
				continue;
			int k = 0;
			while (k < nseen && seen[k] != m->series)
				k++;
			if (k == nseen)
				seen[nseen++] = m->series;
		}
		if (nseen >= 65)
			return LA_OK;
	}
	for (size_t j = lo; !e && j < g->n; j++) {
		const struct pid_member *m = &g->m[g->by_author[j]];
		if (m->ahash != ahash)
			break;
		if (m->series == id || m->list_id != cur->list_id ||
		    strcmp(g->authors + m->author, cur->author) != 0 ||
		    set_has(&r->changed, m->series) || set_has(&r->seeded, m->series))
			continue;
		int64_t one = m->series;
		if (!set_add(&r->seeded, one) || !idset_add(&cand, one))
			e = LA_ENOMEM;
	}
	for (size_t i = 0; !e && i < cand.n; i++) {
		const struct prow *o = prow_get(st, pc, cand.v[i], &e);
		const struct idset *sh = o ? shares_get(st, pc, o, &e) : NULL;
		bool in = false;
		for (size_t j = 0; sh && j < sh->n && !in; j++)
			in = sh->v[j] == id;
		if (in)
			e = walk_seed(st, r, pc, sc, cand.v[i], false);
	}
	free(cand.v);
	return e;
}

/* The patch ids of message id (all), or of every message shown of
 * series id (!msg), each passed to walk_sharers with the series. */
static enum la_status walk_sharers_of(struct store *st, struct refresh *r, struct pid_cache *pc,
                                      struct sver_cache *sc, int64_t id, bool msg)
{
	int64_t series = id;
	sqlite3_stmt *s;
	enum la_status e = LA_OK;
	if (msg) {
		if (!(s = q(st, Q_OF)))
			return LA_EDB;
		sqlite3_bind_int64(s, 1, id);
		if ((e = one_int(s, &series)) || !series || !set_has(&r->changed, series))
			return e;
		s = q(st, Q_PIDS);
	} else {
		s = q(st, pc->any_unshown ? Q_P_MSG_PIDS : Q_P_MSG_PIDS_ALL);
	}
	if (!s)
		return LA_EDB;
	/* The ids first: walk_sharers runs statements too. */
	char **pids = NULL;
	size_t np = 0, cap = 0;
	int rc;
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(s, msg ? 0 : 1);
		char *c = strdup(v ? v : "");
		if (!c || !vec_reserve(&pids, &cap, np + 1, sizeof *pids)) {
			free(c);
			rc = SQLITE_NOMEM;
			break;
		}
		pids[np++] = c;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		e = rc == SQLITE_NOMEM ? LA_ENOMEM : st_error(rc);
	for (size_t k = 0; !e && k < np; k++)
		e = walk_sharers(st, r, pc, sc, series, pids[k], msg ? id : 0);
	for (size_t k = 0; k < np; k++)
		free(pids[k]);
	free(pids);
	return e;
}

/* The state of changed series id, and of every series whose walk may
 * have held it or may now reach it (walk_seed, walk_neighbours; the
 * patches that joined are walk_sharers_of's), unless done has it or it
 * is not changed, held or forced and its walk holds no series changed
 * (consider); those computed are added to done. */
static enum la_status chain_refresh(struct store *st, int64_t id, struct refresh *r,
                                    struct pid_cache *pc, struct sver_cache *sc)
{
	pc_trim(pc);
	bool force = set_has(&r->force, id);
	enum la_status e = consider(st, r, pc, sc, id, force);
	if (!e && !set_has(&r->seeded, id))
		e = set_add(&r->seeded, id) ? walk_seed(st, r, pc, sc, id, force) : LA_ENOMEM;
	if (!e)
		e = walk_neighbours(st, r, pc, sc, id);
	/* A message hidden or shown again: every patch of the series
	 * changed may link or unlink it. */
	if (!e && r->force_all && pc->any_pid)
		e = walk_sharers_of(st, r, pc, sc, id, false);
	return e;
}

/* The series of the threads named dirty, each with its versions. */
enum la_status series_state_refresh(struct store *st)
{
	if (st->states_deferred) {
		/* All of them at the end of the run (store_states_finish);
		 * until then the index says they are not made. */
		st->nsdirty = st->nsjoin = 0;
		series_old_clear(st);
		st->scount_gen = 0;
		return store_meta_set(st, "series_state", "0");
	}
	if (!st->nsdirty && !st->nsold)
		return LA_OK;
	/* Without the walks kept (a series gone: git.c), every state and
	 * walk made again. */
	sqlite3_stmt *ready = q(st, Q_W_READY);
	if (!ready)
		return LA_EDB;
	int rrc = sqlite3_step(ready);
	bool walks = rrc == SQLITE_ROW && sqlite3_column_int(ready, 0) != 0;
	sqlite3_reset(ready);
	if (rrc != SQLITE_ROW)
		return st_error(rrc);
	if (!walks)
		return series_state_fill(st);
	qsort(st->sdirty, st->nsdirty, sizeof *st->sdirty, cmp_i64);
	struct idset series = {0};
	struct walk_buf wb = {0};
	struct refresh r = {.wb = &wb};
	enum la_status e = LA_OK;
	for (size_t i = 0; !e && i < st->nsdirty; i++) {
		int64_t d = st->sdirty[i];
		if (i > 0 && d == st->sdirty[i - 1])
			continue;
		if (d == SDIRTY_ALL) {
			r.force_all = true;
			continue;
		}
		if (d < 0) {
			if (!set_add(&r.force, -d))
				e = LA_ENOMEM;
			continue;
		}
		sqlite3_stmt *s = q(st, Q_THREAD_SERIES);
		if (!s) {
			e = LA_EDB;
			break;
		}
		sqlite3_bind_int64(s, 1, d);
		int rc;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(s, 0);
			if (!set_has(&r.changed, id) &&
			    (!idset_add(&series, id) || !set_add(&r.changed, id))) {
				e = LA_ENOMEM;
				break;
			}
		}
		sqlite3_reset(s);
		if (!e && rc != SQLITE_DONE && rc != SQLITE_ROW)
			e = st_error(rc);
	}
	/* A series renamed (or given another change-id) counts as changed
	 * even if no thread of it was named. */
	for (size_t j = 0; !e && j < r.force.cap; j++) {
		int64_t id = r.force.k[j];
		if (id != IDHASH_EMPTY && !set_has(&r.changed, id) &&
		    (!idset_add(&series, id) || !set_add(&r.changed, id)))
			e = LA_ENOMEM;
	}
	for (size_t i = 0; !e && i < st->nsold; i++) {
		int64_t id = st->sold[i].id;
		if (!set_has(&r.changed, id) &&
		    (!idset_add(&series, id) || !set_add(&r.changed, id)))
			e = LA_ENOMEM;
	}
	/* In id order, whatever order the threads came in. */
	if (series.n)
		qsort(series.v, series.n, sizeof *series.v, cmp_i64);
	/* The walks kept that hold a series changed: each held it before. */
	struct idset held = {0};
	for (size_t i = 0; !e && i < series.n; i++)
		if (set_has(&r.changed, series.v[i]))
			e = walk_starts(st, series.v[i], &held);
	for (size_t i = 0; !e && i < held.n; i++)
		if (!set_add(&r.held, held.v[i]))
			e = LA_ENOMEM;
	free(held.v);
	struct pid_cache pc;
	struct sver_cache sc;
	pid_cache_init(st, &pc, true);
	sver_cache_init(&sc, false);
	pc.old = st->sold;
	pc.nold = st->nsold;
	for (size_t i = 0; !e && i < series.n; i++)
		e = chain_refresh(st, series.v[i], &r, &pc, &sc);
	/* The patches that joined a series: the series that share one. */
	for (size_t i = 0; !e && pc.any_pid && !r.force_all && i < st->nsjoin; i++)
		e = walk_sharers_of(st, &r, &pc, &sc, st->sjoin[i], true);
	if (!e)
		e = walk_flush(st, &wb);
	free(wb.c);
	sver_cache_free(&sc);
	pid_cache_free(&pc);
	struct idhash *sets[] = {&r.changed, &r.held, &r.done, &r.clean, &r.seeded, &r.force};
	for (size_t i = 0; i < sizeof sets / sizeof *sets; i++)
		free(sets[i]->k);
	free(series.v);
	st->nsdirty = st->nsjoin = 0;
	series_old_clear(st);
	st->scount_gen = 0; /* the counts cached are stale */
	return e;
}

/* A fill's bounds and the most each cache held, kept for
 * store_memory_get (LISTARC_TEST_MEMORY=1 prints them: t3337). */
static void fill_report(struct store *st, const struct pid_cache *pc, const struct sver_cache *sc)
{
	const struct cache_max *m = pc->max;
	const struct cache_max *h = &pc->held;
	st->fill_ran = true;
	st->fill_max = (struct store_states_mem){m->rows,    m->names, m->groupm, m->reviews,
	                                         m->parents, sc->vmax, sc->wmax,  m->ids};
	st->fill_held = (struct store_states_mem){h->rows,    h->names,  h->groupm, h->reviews,
	                                          h->parents, sc->vheld, sc->wheld, h->ids};
}

/* A fill's sweep: each version loaded in the order of the series' ids
 * (the order of their messages' ids: a series is made at its first
 * message), so that the message rows are read in page order, about
 * once each.  A walk reaches the 31 nearest of its name, up and down
 * the archive: visited in id order with the versions loaded as each
 * walk asked them, each message page was read ~18 times at 1M messages
 * (each a pread through the 8 MB page cache).  Now each series' walk is
 * made when the sweep reaches it and held pending until the sweep has
 * loaded its highest member; the states are computed (and written) in
 * the order of their series' ids as before.  A state is its walk's and
 * its versions' alone (state_compute): when and in which order they are
 * loaded changes no state.  What it holds is bounded: at most max walks
 * pending (the first is computed then, its versions above the sweep
 * loaded as it asks them), and the versions (sc->vmax) are made room for
 * by dropping those no pending walk holds, lowest ids first (behind the
 * sweep; a later walk that asks one loads it again). */
struct pend {
	int64_t hi; /* its highest member */
	int n;
	int64_t ids[SERIES_CHAIN_MAX];
};

struct sweep {
	struct pend *p; /* a ring of max */
	size_t head, n, max;
	/* The series the walks pending hold, each with how many hold it:
	 * they are not dropped, and they are at most half of sc->vmax
	 * (fill_one), so that fill_room always finds room. */
	GHashTable *refs; /* a set of struct fill_refs (owned) */
};

struct fill_refs {
	int64_t id; /* its key (g_int64_hash) */
	int n;
};

/* Series id held by one more walk pending (by < 0: one fewer). */
static bool fill_ref(struct sweep *sw, int64_t id, int by)
{
	struct fill_refs *r = g_hash_table_lookup(sw->refs, &id);
	if (r) {
		if ((r->n += by) <= 0)
			g_hash_table_remove(sw->refs, &id);
		return true;
	}
	if (by < 0)
		return true;
	if (!(r = malloc(sizeof *r)))
		return false;
	*r = (struct fill_refs){id, by};
	g_hash_table_add(sw->refs, r);
	return true;
}

/* Series id's version, loaded if not held (the fill's versions are
 * made room for by fill_room only); NULL on failure (*e set). */
static struct sver *fill_version(struct store *st, struct sver_cache *sc, struct pid_cache *pc,
                                 int64_t id, enum la_status *e)
{
	struct sver *v = g_hash_table_lookup(sc->v, &id);
	if (v)
		return v;
	const struct prow *row = prow_get(st, pc, id, e);
	if (!row)
		return NULL;
	if (!(v = calloc(1, sizeof *v))) {
		*e = LA_ENOMEM;
		return NULL;
	}
	v->s = (struct sinfo){row->id, row->list_id, row->first_ts, row->version, row->total};
	if ((*e = sver_load(st, v))) {
		sver_free(v);
		return NULL;
	}
	g_hash_table_insert(sc->v, &v->s.id, v);
	held_note(&sc->vheld, g_hash_table_size(sc->v));
	return v;
}

/* The walk's members as series_walk_members keeps them (walk_store's
 * fresh write). */
static enum la_status fill_walk_put(struct store *st, const struct pend *p)
{
	int64_t now[SERIES_CHAIN_MAX];
	size_t nn = 0;
	for (int i = 1; i < p->n; i++)
		now[nn++] = p->ids[i];
	sort_small_i64(now, nn);
	size_t u = 0; /* without repeats (a walk has none) */
	for (size_t i = 0; i < nn; i++)
		if (!u || now[u - 1] != now[i])
			now[u++] = now[i];
	return u ? ids_write(st, Q_W_PUT, Q_W_DEL, p->ids[0], now, u) : LA_OK;
}

/* The first walk pending: its state (state_compute's, from the same
 * walk and versions) and its walk kept; then dropped. */
static enum la_status fill_done(struct store *st, struct pid_cache *pc, struct sver_cache *sc,
                                struct sweep *sw)
{
	const struct pend *p = &sw->p[sw->head];
	enum la_status e = LA_OK;
	const struct sver *v[SERIES_CHAIN_MAX];
	for (int i = 0; !e && i < p->n; i++)
		v[i] = fill_version(st, sc, pc, p->ids[i], &e);
	for (int i = 0; !e && i < p->n; i++)
		if (i == 0 || v[i]->s.version < v[0]->s.version)
			e = sver_reviews(st, (struct sver *)v[i], pc);
	if (!e && p->n > 0) {
		struct store_series_state ss;
		sver_state(st, v, (size_t)p->n, 0, &ss);
		e = state_put(st, &v[0]->s, &ss);
	}
	if (!e)
		e = fill_walk_put(st, p);
	for (int i = 0; i < p->n; i++)
		fill_ref(sw, p->ids[i], -1);
	sw->head = (sw->head + 1) % sw->max;
	sw->n--;
	return e;
}

struct fill_lim {
	GHashTable *refs;
	int64_t lim;
};

static gboolean fill_drop(gpointer k, gpointer val, gpointer arg)
{
	const struct sver *v = val;
	const struct fill_lim *l = arg;
	return v->s.id < l->lim && !g_hash_table_contains(l->refs, &v->s.id);
}

/* Room for a version: when sc->v is full, those no pending walk holds
 * are dropped, lowest ids first, to three quarters of it; while none
 * can be, the first walk pending is done. */
static enum la_status fill_room(struct store *st, struct pid_cache *pc, struct sver_cache *sc,
                                struct sweep *sw)
{
	enum la_status e = LA_OK;
	while (!e && g_hash_table_size(sc->v) >= sc->vmax) {
		size_t n = 0, cap = g_hash_table_size(sc->v);
		int64_t *ids = malloc(cap * sizeof *ids);
		if (!ids)
			return LA_ENOMEM;
		GHashTableIter it;
		gpointer key, val;
		g_hash_table_iter_init(&it, sc->v);
		while (g_hash_table_iter_next(&it, &key, &val)) {
			struct sver *v = val;
			if (!g_hash_table_contains(sw->refs, &v->s.id) && n < cap)
				ids[n++] = v->s.id;
		}
		size_t want = cap - sc->vmax * 3 / 4; /* to drop */
		if (n) {
			qsort(ids, n, sizeof *ids, cmp_i64);
			struct fill_lim l = {sw->refs, want < n ? ids[want] : INT64_MAX};
			g_hash_table_foreach_remove(sc->v, fill_drop, &l);
		}
		free(ids);
		if (g_hash_table_size(sc->v) >= sc->vmax) {
			if (!sw->n)
				break; /* (none held: cannot be) */
			e = fill_done(st, pc, sc, sw);
		}
	}
	return e;
}

/* The first walk pending done, with room for its versions first (each
 * done adds at most SERIES_CHAIN_MAX: sc->v holds at most that many
 * more than its bound). */
static enum la_status fill_next(struct store *st, struct pid_cache *pc, struct sver_cache *sc,
                                struct sweep *sw)
{
	size_t n = sw->n;
	enum la_status e = fill_room(st, pc, sc, sw);
	if (!e && sw->n == n) /* (fill_room did none) */
		e = fill_done(st, pc, sc, sw);
	return e;
}

/* Series id: its version loaded (the sweep), its walk made and pending,
 * and every walk pending whose members the sweep has loaded done, in
 * order. */
static enum la_status fill_one(struct store *st, struct pid_cache *pc, struct sver_cache *sc,
                               struct sweep *sw, int64_t id)
{
	enum la_status e = fill_room(st, pc, sc, sw);
	if (!e && !g_hash_table_lookup(sc->v, &id))
		fill_version(st, sc, pc, id, &e);
	while (!e && sw->n &&
	       (sw->n == sw->max || g_hash_table_size(sw->refs) + SERIES_CHAIN_MAX > sc->vmax / 2))
		e = fill_next(st, pc, sc, sw);
	if (e)
		return e;
	pc_trim(pc);
	struct pend *p = &sw->p[(sw->head + sw->n) % sw->max];
	unsigned how[SERIES_CHAIN_MAX];
	if ((e = versions_walk(st, pc, id, p->ids, how, SERIES_CHAIN_MAX, &p->n, NULL)))
		return e;
	p->hi = id;
	for (int i = 0; i < p->n; i++) {
		if (p->ids[i] > p->hi)
			p->hi = p->ids[i];
		if (!fill_ref(sw, p->ids[i], 1)) {
			for (int k = 0; k < i; k++)
				fill_ref(sw, p->ids[k], -1);
			return LA_ENOMEM;
		}
	}
	sw->n++;
	held_note(&sc->wheld, sw->n);
	while (!e && sw->n && sw->p[sw->head].hi <= id)
		e = fill_next(st, pc, sc, sw);
	return e;
}

enum la_status series_state_fill(struct store *st)
{
	/* Every state made again, none kept: a row whose series is gone
	 * (series found again at an upgrade) would name no series. */
	int rc = st_exec(st, "DELETE FROM series_state; DELETE FROM series_walk_members;"
	                     " DELETE FROM series_walk_starts");
	if (rc != SQLITE_OK)
		return st_error(rc);
	/* The series in id order, max->ids at a time (every id of a 1M
	 * archive held at once was 4 MB of the pass). */
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT id FROM series WHERE id > ?1 ORDER BY id LIMIT ?2",
	                       -1, &s, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return LA_EDB;
	}
	struct pid_cache pc;
	struct sver_cache sc;
	pid_cache_init(st, &pc, true);
	sver_cache_init(&sc, true);
	struct idset some = {0};
	enum la_status e = LA_OK;
	struct sweep sw = {.max = sc.wmax};
	sw.refs = g_hash_table_new_full(g_int64_hash, g_int64_equal, free, NULL);
	if (!(sw.p = malloc(sw.max * sizeof *sw.p)))
		e = LA_ENOMEM;
	for (int64_t after = 0; !e;) {
		some.n = 0;
		sqlite3_bind_int64(s, 1, after);
		sqlite3_bind_int64(s, 2, (int64_t)pc.max->ids);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			if (!idset_add(&some, sqlite3_column_int64(s, 0))) {
				e = LA_ENOMEM;
				break;
			}
		}
		if (!e && rc != SQLITE_DONE)
			e = st_error(rc);
		sqlite3_reset(s);
		held_note(&pc.held.ids, some.n);
		if (e || !some.n)
			break;
		after = some.v[some.n - 1];
		for (size_t i = 0; !e && i < some.n; i++)
			e = fill_one(st, &pc, &sc, &sw, some.v[i]);
	}
	while (!e && sw.n)
		e = fill_next(st, &pc, &sc, &sw);
	sqlite3_finalize(s);
	free(some.v);
	free(sw.p);
	g_hash_table_destroy(sw.refs);
	if (!e) {
		pc_trim(&pc); /* (the last walk's counted) */
		fill_report(st, &pc, &sc);
	}
	/* (Nothing of the walks is needed to make their starts.) */
	sver_cache_free(&sc);
	pid_cache_free(&pc);
	if (!e)
		e = walk_starts_fill(st);
	st->nsdirty = st->nsjoin = 0; /* every series is done */
	series_old_clear(st);
	st->scount_gen = 0;
	if (!e)
		e = store_meta_set(st, "series_state", "1");
	if (!e)
		e = store_meta_set(st, "series_walk", "1");
	return e;
}

enum la_status store_states_defer(struct store *st)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db,
	                       "SELECT NOT EXISTS (SELECT 1 FROM messages) OR EXISTS (SELECT 1 FROM"
	                       " meta WHERE key = 'series_state' AND value = '0')",
	                       -1, &s, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return LA_EDB;
	}
	int rc = sqlite3_step(s);
	st->states_deferred = rc == SQLITE_ROW && sqlite3_column_int(s, 0) != 0;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return st_error(rc);
	/* A first index (or one killed before its states): its peak RSS
	 * bounded by an 8 MB page cache, as store_indexes_defer's. */
	if (st->states_deferred && (rc = st_exec(st, "PRAGMA cache_size=-8192")) != SQLITE_OK)
		return st_error(rc);
	return LA_OK;
}

enum la_status store_states_finish(struct store *st, struct la_err *err)
{
	if (!st->states_deferred)
		return LA_OK;
	st->states_deferred = false;
	sflt_drop(st);
	/* What the lists' batches kept, freed before the pass (a first
	 * index's indexes may not have been deferred). */
	store_caches_release(st);
	enum la_status e = store_begin(st, err);
	if (e)
		return e;
	if ((e = series_state_fill(st))) {
		store_rollback(st);
		return la_err_set(err, e, "index: series' states: %s", sqlite3_errmsg(st->db));
	}
	return store_commit(st, NULL, err);
}

static void read_state(sqlite3_stmt *s, int col, struct store_series_state *out)
{
	out->msgs = (unsigned)sqlite3_column_int(s, col);
	out->parts = (unsigned)sqlite3_column_int(s, col + 1);
	out->reviewed = (unsigned)sqlite3_column_int(s, col + 2);
	out->latest = sqlite3_column_int(s, col + 3) != 0;
	out->newest = (unsigned)sqlite3_column_int(s, col + 4);
	out->first_ts = sqlite3_column_int64(s, col + 5);
}

enum la_status store_series_state(struct store *st, int64_t id, struct store_series_state *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s = q(st, Q_ST_GET);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_state(s, 0, out);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return LA_OK;
	return rc == SQLITE_DONE ? LA_ENOTFOUND : st_error(rc);
}

/* The tables of series (their columns; a reader's TEMP tables have no
 * rows, so no indexes), in the order of the schema (store.c). */
static const char *const series_tables[][2] = {
	{"series", "(id INTEGER PRIMARY KEY, list_id, version, total, flags, author, name,"
                   " name_part, anchor, cover, change_id, first_ts, sibling)"},
	{"series_msgs", "(id INTEGER PRIMARY KEY, series, part)"},
	{"trailers", "(id, seq, kind, value)"},
	{"series_gone", "(series, mid)"},
	{"series_state", "(id INTEGER PRIMARY KEY, list_id, total, msgs, parts, reviewed, latest,"
                         " newest, first_ts)"},
};

enum la_status series_reader_tables(struct store *st)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(
		    st->db,
		    "SELECT (SELECT count(*) FROM main.sqlite_master WHERE type = 'table'"
		    " AND name = ?1), (SELECT count(*) FROM temp.sqlite_master"
		    " WHERE type = 'table' AND name = ?1)",
		    -1, &s, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return LA_EDB;
	}
	enum la_status e = LA_OK;
	bool temp = false;
	char sql[512];
	for (size_t i = 0; !e && i < sizeof series_tables / sizeof *series_tables; i++) {
		sqlite3_bind_text(s, 1, series_tables[i][0], -1, SQLITE_STATIC);
		int rc = sqlite3_step(s);
		bool in_main = rc == SQLITE_ROW && sqlite3_column_int(s, 0) > 0;
		bool in_temp = rc == SQLITE_ROW && sqlite3_column_int(s, 1) > 0;
		sqlite3_reset(s);
		if (rc != SQLITE_ROW) {
			e = st_error(rc);
			break;
		}
		/* The reader may write its own TEMP tables, nothing else. */
		if (!in_main && !in_temp)
			snprintf(sql, sizeof sql,
			         "PRAGMA query_only=0; CREATE TEMP TABLE %s%s; PRAGMA query_only=1",
			         series_tables[i][0], series_tables[i][1]);
		else if (in_main && in_temp)
			snprintf(sql, sizeof sql,
			         "PRAGMA query_only=0; DROP TABLE temp.%s; PRAGMA query_only=1",
			         series_tables[i][0]);
		else
			sql[0] = '\0';
		temp |= !in_main;
		if (sql[0] && st_exec(st, sql) != SQLITE_OK) {
			st_exec(st, "PRAGMA query_only=1");
			e = LA_EDB;
		}
	}
	sqlite3_finalize(s);
	st->series_temp = temp;
	return e;
}

/* Whether the index holds every series' state (else the list computes
 * them as it shows them). */
static bool states_ready(struct store *st)
{
	sqlite3_stmt *s = q(st, Q_ST_READY);
	int64_t v = 0;
	return s && one_int(s, &v) == LA_OK && v == 1;
}

/* The number of list_id's series listed (count: the statement that
 * counts them), cached for the read transaction's data_version. */
static enum la_status series_count(struct store *st, int count, int64_t list_id, int *out)
{
	bool cached = st->read_gen != 0 && st->scount_gen == st->read_gen;
	for (size_t i = 0; cached && i < st->nscount; i++)
		if (st->scount[i].list_id == list_id) {
			*out = st->scount[i].count;
			return LA_OK;
		}
	sqlite3_stmt *s = q(st, count);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, list_id);
	int64_t n = 0;
	enum la_status e = one_int(s, &n);
	if (e)
		return e;
	*out = (int)n;
	if (!st->read_gen)
		return LA_OK;
	if (!cached) {
		st->scount_gen = st->read_gen;
		st->nscount = 0;
	}
	size_t cap = sizeof st->scount / sizeof *st->scount;
	size_t at = st->nscount < cap ? st->nscount++ : (size_t)(list_id % (int64_t)cap);
	st->scount[at].list_id = list_id;
	st->scount[at].count = *out;
	return LA_OK;
}

enum la_status store_series_any(struct store *st, int64_t list_id, bool *any)
{
	sqlite3_stmt *s = q(st, states_ready(st) ? Q_ST_ANY : Q_FB_ANY);
	int64_t n = 0;
	if (s)
		sqlite3_bind_int64(s, 1, list_id);
	enum la_status e = one_int(s, &n);
	*any = n != 0;
	return e;
}

enum la_status store_series_list(struct store *st, int64_t list_id, int64_t before_ts,
                                 int64_t before_id, int offset, int limit, int *total,
                                 bool (*fn)(const struct store_series *s,
                                            const struct store_series_state *ss, void *arg),
                                 void *arg)
{
	*total = 0;
	bool ready = states_ready(st);
	enum la_status e = series_count(st, ready ? Q_ST_COUNT : Q_FB_COUNT, list_id, total);
	if (e)
		return e;
	/* The rows first: store_series_get runs a statement of its own. */
	struct row {
		int64_t id;
		struct store_series_state ss;
	} *rows = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s = q(st, ready ? Q_ST_LIST : Q_FB_LIST);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, list_id);
	sqlite3_bind_int(s, 2, limit);
	sqlite3_bind_int(s, 3, offset);
	sqlite3_bind_int64(s, 4, before_ts);
	sqlite3_bind_int64(s, 5, before_id);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!vec_reserve(&rows, &cap, n + 1, sizeof *rows)) {
			e = LA_ENOMEM;
			break;
		}
		rows[n].id = sqlite3_column_int64(s, 0);
		if (ready)
			read_state(s, 1, &rows[n].ss);
		n++;
	}
	sqlite3_reset(s);
	if (!e && rc != SQLITE_DONE)
		e = st_error(rc);
	/* Without states (an index no writer has opened since they came),
	 * each as series_state_fill would make it. */
	struct pid_cache pc;
	struct sver_cache sc;
	pid_cache_init(st, &pc, false);
	sver_cache_init(&sc, false);
	for (size_t i = 0; !e && !ready && i < n; i++) {
		const struct sver *me = NULL;
		pc_trim(&pc);
		e = state_compute(st, rows[i].id, &pc, &sc, &rows[i].ss, &me);
	}
	sver_cache_free(&sc);
	pid_cache_free(&pc);
	for (size_t i = 0; !e && i < n; i++) {
		struct store_series one;
		if ((e = store_series_get(st, rows[i].id, &one)))
			break;
		if (!fn(&one, &rows[i].ss, arg))
			break;
	}
	free(rows);
	return e;
}
