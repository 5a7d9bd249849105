/* stats.c: a list's figures (stats_sql.h says what is counted and how
 * triggers keep it true): the page keys of new senders, set at commit;
 * the figures made once for an index made before them; and the reads of
 * the list, year, month, topics and sender pages. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <stdlib.h>

#include "store/stats_sql.h"
#include "store/store_int.h"
#include "util/vec.h"

enum {
	Q_UNHASHED,
	Q_SET_HASH,
	Q_TOP_SENDERS,
	Q_TOP_THREADS,
	Q_TOPICS_LAST,
	Q_TOPICS_FIRST,
	Q_TOPICS_COUNT,
	Q_SENDER_GET,
	Q_SENDER_NTHREADS,
	Q_SENDER_MSGS,
	Q_SENDER_THREADS,
	Q_TOPICS_BEFORE,
	Q_SENDER_MSGS_BEFORE,
	Q_SENDER_THREADS_BEFORE,
	Q_COUNT
};

/* A topic's columns: its starter as ENTRY_COLS (st_each_entry's), then
 * the thread's figures and one more count (n_period). */
#define TOPIC_COLS ENTRY_COLS ", t.thread, t.n, t.senders, t.first_ts, t.last_ts"
#define TOPIC_JOIN                                                                       \
	" JOIN messages m ON m.id = t.starter JOIN mids ON mids.id = m.mid JOIN lists l" \
	" ON l.id = m.list_id"

static const char *const q_sql[Q_COUNT] = {
	[Q_UNHASHED] = "SELECT id, addr FROM senders WHERE hash IS NULL",
	[Q_SET_HASH] = "UPDATE senders SET hash = ?2 WHERE id = ?1",
	/* stat_senders_top's order (its key ends with the sender). */
	[Q_TOP_SENDERS] = "SELECT s.id, s.addr, s.name, coalesce(s.hash, ''), x.n, s.last_ts"
			  " FROM stat_senders x CROSS JOIN senders s"
			  " ON s.id = x.sender"
			  " WHERE x.list_id = ?1 AND x.period = ?2"
			  " ORDER BY x.n DESC, x.sender DESC LIMIT ?3",
	[Q_TOP_THREADS] = "SELECT " TOPIC_COLS ", x.n FROM stat_threads x"
			  " CROSS JOIN topics t"
			  " ON t.list_id = x.list_id AND t.thread = x.thread" TOPIC_JOIN
			  " WHERE x.list_id = ?1 AND x.period = ?2"
			  " ORDER BY x.n DESC, x.thread DESC LIMIT ?3",
	/* The page's keys first, from the index alone (an offset skips
         * index entries, not joined rows), then their rows. */
	[Q_TOPICS_LAST] =
		"SELECT " TOPIC_COLS ", t.n FROM (SELECT thread FROM topics"
		" WHERE list_id = ?1"
		" ORDER BY last_ts DESC, thread DESC LIMIT ?3 OFFSET ?2) k"
		" CROSS JOIN topics t ON t.list_id = ?1 AND t.thread = k.thread" TOPIC_JOIN
		" ORDER BY t.last_ts DESC, t.thread DESC",
	[Q_TOPICS_FIRST] =
		"SELECT " TOPIC_COLS ", t.n FROM (SELECT thread FROM topics"
		" WHERE list_id = ?1"
		" ORDER BY first_ts DESC, thread DESC LIMIT ?3 OFFSET ?2) k"
		" CROSS JOIN topics t ON t.list_id = ?1 AND t.thread = k.thread" TOPIC_JOIN
		" ORDER BY t.first_ts DESC, t.thread DESC",
	[Q_TOPICS_COUNT] = "SELECT count(*) FROM topics WHERE list_id = ?1",
	[Q_SENDER_GET] = "SELECT id, addr, name, hash, n, last_ts FROM senders"
			 " WHERE list_id = ?1 AND hash = ?2 AND n > 0 ORDER BY id LIMIT 1",
	[Q_SENDER_NTHREADS] = "SELECT count(*) FROM thread_senders WHERE list_id = ?1"
			      " AND sender = ?2",
	/* messages_from's order. */
	[Q_SENDER_MSGS] = "SELECT " ENTRY_COLS " FROM messages m JOIN mids ON mids.id = m.mid"
			  " JOIN lists l ON l.id = m.list_id WHERE m.list_id = ?1"
			  " AND lower(m.from_addr) = ?2 AND " NOT_HIDDEN(
				  "m.") " ORDER BY m.day DESC, m.num DESC LIMIT ?4 OFFSET ?3",
	[Q_SENDER_THREADS] = "SELECT " TOPIC_COLS ", x.n FROM thread_senders x"
			     " CROSS JOIN topics t"
			     " ON t.list_id = x.list_id AND t.thread = x.thread" TOPIC_JOIN
			     " WHERE x.list_id = ?1 AND x.sender = ?2"
			     " ORDER BY t.last_ts DESC, t.thread DESC LIMIT ?4 OFFSET ?3",
	/* The keyset forms (the API's pages): the rows after a key, which
         * names a row, not a place, so that a walk neither skips nor repeats
         * rows that did not move. */
	[Q_TOPICS_BEFORE] =
		"SELECT " TOPIC_COLS ", t.n FROM (SELECT thread FROM topics"
		" INDEXED BY topics_last WHERE list_id = ?1 AND (last_ts, thread) < (?2, ?3)"
		" ORDER BY last_ts DESC, thread DESC LIMIT ?4) k"
		" CROSS JOIN topics t ON t.list_id = ?1 AND t.thread = k.thread" TOPIC_JOIN
		" ORDER BY t.last_ts DESC, t.thread DESC",
	[Q_SENDER_MSGS_BEFORE] =
		"SELECT " ENTRY_COLS " FROM messages m INDEXED BY messages_from"
		" JOIN mids ON mids.id = m.mid JOIN lists l ON l.id = m.list_id WHERE m.list_id = ?1"
		" AND lower(m.from_addr) = ?2 AND (m.day, m.num) < (?3, ?4) AND " NOT_HIDDEN(
			"m.") " ORDER BY m.day DESC, m.num DESC LIMIT ?5",
	[Q_SENDER_THREADS_BEFORE] =
		"SELECT " TOPIC_COLS ", x.n FROM thread_senders x"
		" INDEXED BY thread_senders_by CROSS JOIN topics t"
		" ON t.list_id = x.list_id AND t.thread = x.thread" TOPIC_JOIN
		" WHERE x.list_id = ?1 AND x.sender = ?2 AND (t.last_ts, t.thread) < (?3, ?4)"
		" ORDER BY t.last_ts DESC, t.thread DESC LIMIT ?5",
};

/* The statement id, reset; NULL if it cannot be prepared: an index no
 * writer of this version has opened has no figures (the pages go on
 * without them), else an internal error (*missing says which). */
static sqlite3_stmt *q_prepare(struct store *st, int id, bool *missing)
{
	_Static_assert(Q_COUNT <= sizeof st->stats_stmt / sizeof *st->stats_stmt,
	               "room for statements");
	*missing = false;
	sqlite3_stmt *s = st->stats_stmt[id];
	if (s) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return s;
	}
	if (sqlite3_prepare_v3(st->db, q_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
	                       &st->stats_stmt[id], NULL) != SQLITE_OK) {
		*missing = strstr(sqlite3_errmsg(st->db), "no such") != NULL;
		return NULL;
	}
	return st->stats_stmt[id];
}

/* Statement id (q_prepare) with ?1 list_id bound, then text unless NULL
 * (the caller's until the statement is stepped), then the numbers
 * v[0..n) in order.  NULL if it cannot be prepared, *e then LA_OK for an
 * index without figures (the readers give nothing), else LA_EDB. */
static sqlite3_stmt *q_bind(struct store *st, int id, int64_t list_id, const char *text,
                            const int64_t *v, size_t n, enum la_status *e)
{
	bool missing;
	sqlite3_stmt *s = q_prepare(st, id, &missing);
	*e = missing ? LA_OK : LA_EDB;
	if (!s)
		return NULL;
	int at = 1;
	sqlite3_bind_int64(s, at++, list_id);
	if (text)
		sqlite3_bind_text(s, at++, text, -1, SQLITE_STATIC);
	for (size_t i = 0; i < n; i++)
		sqlite3_bind_int64(s, at++, v[i]);
	return s;
}

void store_sender_hash(const char *addr, char out[STORE_SENDER_HASH_LEN + 1])
{
	char low[ADDR_MAX + 1];
	size_t n = 0;
	for (; addr[n] && n < ADDR_MAX; n++)
		low[n] = addr[n] >= 'A' && addr[n] <= 'Z' ? (char)(addr[n] + 32) : addr[n];
	gchar *hex = g_compute_checksum_for_data(G_CHECKSUM_SHA1, (const guchar *)low, n);
	if (hex)
		memcpy(out, hex, STORE_SENDER_HASH_LEN);
	else
		memset(out, '0', STORE_SENDER_HASH_LEN);
	out[STORE_SENDER_HASH_LEN] = '\0';
	g_free(hex);
}

/* Sets the page key of the senders that lack one (new since the last
 * commit). */
static enum la_status stats_hash_new(struct store *st)
{
	bool missing;
	sqlite3_stmt *s = q_prepare(st, Q_UNHASHED, &missing);
	if (!s)
		return LA_EDB;
	/* Hashed first, written after: an update while the select runs
	 * would change the partial index it reads. */
	struct pending {
		int64_t id;
		char hash[STORE_SENDER_HASH_LEN + 1];
	} *p = NULL;
	size_t n = 0, cap = 0;
	int rc;
	enum la_status e = LA_OK;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *addr = (const char *)sqlite3_column_text(s, 1);
		if (!vec_reserve(&p, &cap, n + 1, sizeof *p)) {
			e = LA_ENOMEM;
			break;
		}
		p[n].id = sqlite3_column_int64(s, 0);
		store_sender_hash(addr ? addr : "", p[n].hash);
		n++;
	}
	sqlite3_reset(s);
	if (!e && rc != SQLITE_DONE && rc != SQLITE_ROW)
		e = st_error(rc);
	for (size_t i = 0; !e && i < n; i++) {
		if (!(s = q_prepare(st, Q_SET_HASH, &missing))) {
			e = LA_EDB;
			break;
		}
		sqlite3_bind_int64(s, 1, p[i].id);
		sqlite3_bind_text(s, 2, p[i].hash, -1, SQLITE_STATIC);
		rc = st_step_done(s);
		if (rc != SQLITE_DONE)
			e = st_error(rc);
	}
	free(p);
	return e;
}

/* A message row m shown (not hidden). */
#define M_SHOWN "m.flags & " HIDDEN_BIT_SQL " = 0"
/* The period of kind p.k (0 the whole life, 1 the year, 2 the month) of
 * a row x of the delta added up by month (x.mo, yyyymm) first: a third
 * of the rows to sort for the three kinds, the same sums.  And the three
 * kinds. */
#define M_PERIOD "CASE p.k WHEN 0 THEN 0 WHEN 1 THEN x.mo / 100 ELSE x.mo END"
#define KINDS "(SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2) p"
#define X_SENDER " JOIN senders s ON s.list_id = x.list_id AND s.addr = lower(x.addr)"

/* The changes of stats_delta added up into the figures, then dropped,
 * one statement a step. */
static const char *const apply_steps[] = {
	"INSERT INTO senders(list_id, addr, name, n, last_ts)"
	" SELECT list_id, lower(addr), name, sum(d), max(CASE WHEN d > 0 THEN ts ELSE 0 END)"
	" FROM stats_delta WHERE addr <> '' AND moved = 0 GROUP BY list_id, lower(addr)"
	/* New senders numbered in the order of their first message, as a
         * commit per message would number them: ties in the top lists are
         * broken by that number, so pages do not depend on the batches. */
	" ORDER BY min(rowid)"
	" ON CONFLICT(list_id, addr) DO UPDATE SET n = n + excluded.n,"
	" name = CASE WHEN excluded.last_ts >= last_ts AND excluded.name <> '' THEN excluded.name"
	" ELSE name END, last_ts = max(last_ts, excluded.last_ts)",
	/* A sender who lost messages: their latest again.  (+senders.addr:
         * compared with a column, the comparison takes its TEXT affinity
         * and messages_from's lower() no longer serves it; SQLite then
         * found max(ts) walking messages_ts from the newest message, past
         * every other sender's.) */
	"UPDATE senders SET last_ts = coalesce((SELECT max(m.ts) FROM messages m"
	" WHERE m.list_id = senders.list_id"
	" AND lower(m.from_addr) = +senders.addr AND " M_SHOWN "), 0)"
	" WHERE id IN (SELECT s.id FROM stats_delta x" X_SENDER " WHERE x.d < 0 AND x.moved = 0)",
	"INSERT INTO stat_senders(list_id, period, sender, n)"
	" SELECT x.list_id, " M_PERIOD ", s.id, sum(x.n) FROM (SELECT list_id, day / 100 AS mo,"
	" lower(addr) AS addr, sum(d) AS n FROM stats_delta WHERE moved = 0 GROUP BY 1, 2, 3) x"
	" JOIN senders s ON s.list_id = x.list_id AND s.addr = x.addr, " KINDS
	" WHERE true GROUP BY 1, 2, 3 ON CONFLICT DO UPDATE SET n = n + excluded.n",
	"DELETE FROM stat_senders WHERE n <= 0",
	"INSERT INTO stat_threads(list_id, period, thread, n)"
	" SELECT x.list_id, " M_PERIOD ", x.thread, sum(x.n) FROM (SELECT list_id, day / 100 AS mo,"
	" thread, sum(d) AS n FROM stats_delta GROUP BY 1, 2, 3) x, " KINDS
	" WHERE true GROUP BY 1, 2, 3 ON CONFLICT DO UPDATE SET n = n + excluded.n",
	"DELETE FROM stat_threads WHERE n <= 0",
	"INSERT INTO thread_senders(list_id, thread, sender, n)"
	" SELECT x.list_id, x.thread, s.id, sum(x.d) FROM stats_delta x" X_SENDER
	" WHERE true GROUP BY 1, 2, 3 ON CONFLICT DO UPDATE SET n = n + excluded.n",
	"DELETE FROM thread_senders WHERE n <= 0",
	/* The threads touched, counted again from their messages. */
	"DELETE FROM topics WHERE (list_id, thread) IN (SELECT list_id, thread FROM stats_delta)",
	"INSERT INTO topics(list_id, thread, n, senders, first_ts, last_ts, starter)"
	" SELECT g.list_id, g.thread, g.n, (SELECT count(*) FROM thread_senders x"
	" WHERE x.list_id = g.list_id AND x.thread = g.thread), g.first_ts, g.last_ts,"
	" (SELECT m.id FROM messages m WHERE m.thread = g.thread"
	" AND m.list_id = g.list_id AND " M_SHOWN " ORDER BY m.ts, m.id LIMIT 1)"
	" FROM (SELECT m.list_id, m.thread, count(*) AS n, min(m.ts) AS first_ts,"
	" max(m.ts) AS last_ts FROM (SELECT DISTINCT list_id, thread FROM stats_delta) t"
	" CROSS JOIN messages m ON m.thread = t.thread"
	" AND m.list_id = t.list_id WHERE " M_SHOWN " GROUP BY m.list_id, m.thread) g",
	"DELETE FROM stats_delta",
};

enum la_status stats_note_add(struct store *st, int64_t list_id, int64_t thread, const char *addr,
                              const char *name, int day, int64_t ts)
{
	size_t la = strlen(addr), ln = strlen(name);
	if (!vec_reserve(&st->sadd, &st->capsadd, st->nsadd + 1, sizeof *st->sadd) ||
	    la + ln + 2 < la ||
	    !vec_reserve(&st->stext, &st->capstext, st->nstext + la + ln + 2, 1))
		return LA_ENOMEM;
	struct stats_add *a = &st->sadd[st->nsadd++];
	*a = (struct stats_add){.list_id = list_id, .thread = thread, .ts = ts, .day = day};
	a->addr = st->nstext;
	memcpy(st->stext + st->nstext, addr, la + 1);
	st->nstext += la + 1;
	a->name = st->nstext;
	memcpy(st->stext + st->nstext, name, ln + 1);
	st->nstext += ln + 1;
	return LA_OK;
}

void stats_pending_drop(struct store *st)
{
	st->nsadd = st->nstext = 0;
}

enum la_status stats_flush(struct store *st)
{
	if (!st->nsadd)
		return LA_OK;
	if (!st->stats_ins &&
	    sqlite3_prepare_v3(st->db,
	                       "INSERT INTO stats_delta(list_id, thread, addr, name, day, ts, d,"
	                       " moved) VALUES(?1, ?2, ?3, ?4, ?5, ?6, 1, 0)",
	                       -1, SQLITE_PREPARE_PERSISTENT, &st->stats_ins, NULL) != SQLITE_OK)
		return LA_EDB;
	sqlite3_stmt *s = st->stats_ins;
	for (size_t i = 0; i < st->nsadd; i++) {
		const struct stats_add *a = &st->sadd[i];
		sqlite3_bind_int64(s, 1, a->list_id);
		sqlite3_bind_int64(s, 2, a->thread);
		sqlite3_bind_text(s, 3, st->stext + a->addr, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, st->stext + a->name, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 5, a->day);
		sqlite3_bind_int64(s, 6, a->ts);
		int rc = st_step_done(s);
		if (rc != SQLITE_DONE)
			return st_error(rc);
	}
	sqlite3_clear_bindings(s);
	stats_pending_drop(st);
	return LA_OK;
}

enum la_status stats_apply(struct store *st)
{
	/* Nothing to count (a commit of settings, a hide of nothing). */
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM stats_delta LIMIT 1", -1, &s, NULL) !=
	    SQLITE_OK) {
		sqlite3_finalize(s);
		return LA_EDB;
	}
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return stats_hash_new(st);
	if (rc != SQLITE_ROW)
		return st_error(rc);
	for (size_t i = 0; i < sizeof apply_steps / sizeof *apply_steps; i++) {
		if (!(s = st->stats_apply[i]) &&
		    sqlite3_prepare_v3(st->db, apply_steps[i], -1, SQLITE_PREPARE_PERSISTENT,
		                       &st->stats_apply[i], NULL) != SQLITE_OK)
			return LA_EDB;
		rc = st_step_done(st->stats_apply[i]);
		if (rc != SQLITE_DONE)
			return st_error(rc);
	}
	return stats_hash_new(st);
}

/* The figures made whole from the messages, in the open transaction:
 * dropped, then every message shown noted in stats_delta as store_add
 * notes it, in index order (the order new senders are
 * numbered in), and counted by stats_apply's steps like any batch. */
static const char fill_sql[] =
	"DELETE FROM senders; DELETE FROM stat_senders; DELETE FROM stat_threads;"
	" DELETE FROM topics; DELETE FROM thread_senders; DELETE FROM stats_delta;"
	"INSERT INTO stats_delta(list_id, thread, addr, name, day, ts, d, moved)"
	" SELECT list_id, thread, from_addr, from_name, day, ts, 1, 0 FROM messages"
	" WHERE " NOT_HIDDEN("") " ORDER BY id";

enum la_status stats_fill(struct store *st)
{
	int rc = st_exec(st, fill_sql);
	if (rc != SQLITE_OK)
		return st_error(rc);
	return stats_apply(st);
}

/* ---- reading ---- */

enum la_status store_top_senders(struct store *st, int64_t list_id, int period, int limit,
                                 bool (*fn)(const struct store_sender *s, void *arg), void *arg)
{
	enum la_status e;
	sqlite3_stmt *s =
		q_bind(st, Q_TOP_SENDERS, list_id, NULL, (int64_t[]){period, limit}, 2, &e);
	if (!s)
		return e;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_sender x = {
			.id = sqlite3_column_int64(s, 0),
			.addr = (const char *)sqlite3_column_text(s, 1),
			.name = (const char *)sqlite3_column_text(s, 2),
			.hash = (const char *)sqlite3_column_text(s, 3),
			.n = sqlite3_column_int64(s, 4),
			.last_ts = sqlite3_column_int64(s, 5),
		};
		if (!x.addr || !x.name || !x.hash) {
			rc = SQLITE_NOMEM;
			break;
		}
		if (!fn(&x, arg)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

/* Calls fn for each row of s (TOPIC_COLS and n_period), then resets s. */
static enum la_status each_topic(sqlite3_stmt *s, store_topic_fn fn, void *arg)
{
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_topic t;
		struct store_entry *e = &t.starter;
		e->list = (const char *)sqlite3_column_text(s, 0);
		e->day = sqlite3_column_int(s, 1);
		e->num = sqlite3_column_int(s, 2);
		e->ts = sqlite3_column_int64(s, 3);
		e->has_date = sqlite3_column_type(s, 4) != SQLITE_NULL;
		e->date = sqlite3_column_int64(s, 4);
		e->subject = (const char *)sqlite3_column_text(s, 5);
		e->from_name = (const char *)sqlite3_column_text(s, 6);
		e->from_addr = (const char *)sqlite3_column_text(s, 7);
		e->msgid = (const char *)sqlite3_column_text(s, 8);
		e->thread = sqlite3_column_int64(s, 9);
		e->id = sqlite3_column_int64(s, 10);
		e->mid = sqlite3_column_int64(s, 11);
		e->parent = sqlite3_column_int64(s, 12);
		t.thread = sqlite3_column_int64(s, 13);
		t.n = sqlite3_column_int64(s, 14);
		t.senders = sqlite3_column_int64(s, 15);
		t.first_ts = sqlite3_column_int64(s, 16);
		t.last_ts = sqlite3_column_int64(s, 17);
		t.n_period = sqlite3_column_int64(s, 18);
		if (!e->list || !e->subject || !e->from_name || !e->from_addr || !e->msgid) {
			rc = SQLITE_NOMEM;
			break;
		}
		if (!fn(&t, arg)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

enum la_status store_top_threads(struct store *st, int64_t list_id, int period, int limit,
                                 store_topic_fn fn, void *arg)
{
	enum la_status e;
	sqlite3_stmt *s =
		q_bind(st, Q_TOP_THREADS, list_id, NULL, (int64_t[]){period, limit}, 2, &e);
	return s ? each_topic(s, fn, arg) : e;
}

enum la_status store_topics(struct store *st, int64_t list_id, bool by_start, int64_t offset,
                            int limit, store_topic_fn fn, void *arg)
{
	enum la_status e;
	sqlite3_stmt *s = q_bind(st, by_start ? Q_TOPICS_FIRST : Q_TOPICS_LAST, list_id, NULL,
	                         (int64_t[]){offset, limit}, 2, &e);
	return s ? each_topic(s, fn, arg) : e;
}

/* The one number statement id gives for (list_id, b), into *n; 0 for an
 * index without figures. */
static enum la_status count_of(struct store *st, int id, int64_t list_id, int64_t b, int64_t *n)
{
	*n = 0;
	enum la_status e;
	sqlite3_stmt *s = q_bind(st, id, list_id, NULL, &b, 1, &e);
	if (!s)
		return e;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? LA_OK : st_error(rc);
}

enum la_status store_topics_count(struct store *st, int64_t list_id, int64_t *n)
{
	return count_of(st, Q_TOPICS_COUNT, list_id, 0, n);
}

enum la_status store_sender_thread_count(struct store *st, int64_t list_id, int64_t sender,
                                         int64_t *n)
{
	return count_of(st, Q_SENDER_NTHREADS, list_id, sender, n);
}

/* Copies text t into buf at *used (n bytes in all): the copy, or "" when
 * it does not fit. */
static const char *keep(char *buf, size_t n, size_t *used, const unsigned char *t)
{
	size_t l = t ? strlen((const char *)t) : 0;
	if (*used + l + 1 > n)
		return "";
	char *p = buf + *used;
	memcpy(p, t ? (const char *)t : "", l);
	p[l] = '\0';
	*used += l + 1;
	return p;
}

enum la_status store_sender_get(struct store *st, int64_t list_id, const char *hash,
                                struct store_sender *out, char *buf, size_t n)
{
	bool missing;
	sqlite3_stmt *s = q_prepare(st, Q_SENDER_GET, &missing);
	if (!s)
		return missing ? LA_ENOTFOUND : LA_EDB;
	sqlite3_bind_int64(s, 1, list_id);
	sqlite3_bind_text(s, 2, hash, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		size_t used = 0;
		out->id = sqlite3_column_int64(s, 0);
		out->addr = keep(buf, n, &used, sqlite3_column_text(s, 1));
		out->name = keep(buf, n, &used, sqlite3_column_text(s, 2));
		out->hash = keep(buf, n, &used, sqlite3_column_text(s, 3));
		out->n = sqlite3_column_int64(s, 4);
		out->last_ts = sqlite3_column_int64(s, 5);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? LA_OK : rc == SQLITE_DONE ? LA_ENOTFOUND : st_error(rc);
}

enum la_status store_sender_msgs(struct store *st, int64_t list_id, const char *addr,
                                 int64_t offset, int limit, store_entry_fn fn, void *arg)
{
	enum la_status e;
	sqlite3_stmt *s =
		q_bind(st, Q_SENDER_MSGS, list_id, addr, (int64_t[]){offset, limit}, 2, &e);
	return s ? st_each_entry(s, fn, arg) : e;
}

enum la_status store_sender_threads(struct store *st, int64_t list_id, int64_t sender,
                                    int64_t offset, int limit, store_topic_fn fn, void *arg)
{
	enum la_status e;
	sqlite3_stmt *s = q_bind(st, Q_SENDER_THREADS, list_id, NULL,
	                         (int64_t[]){sender, offset, limit}, 3, &e);
	return s ? each_topic(s, fn, arg) : e;
}

enum la_status store_topics_before(struct store *st, int64_t list_id, int64_t sender,
                                   struct store_topic_key before, int limit, store_topic_fn fn,
                                   void *arg)
{
	/* The list's threads have no ?2, the sender. */
	int64_t v[] = {sender, before.last_ts, before.thread, limit};
	enum la_status e;
	sqlite3_stmt *s = sender ? q_bind(st, Q_SENDER_THREADS_BEFORE, list_id, NULL, v, 4, &e)
	                         : q_bind(st, Q_TOPICS_BEFORE, list_id, NULL, v + 1, 3, &e);
	return s ? each_topic(s, fn, arg) : e;
}

enum la_status store_sender_msgs_before(struct store *st, int64_t list_id, const char *addr,
                                        int before_day, int before_num, int limit,
                                        store_entry_fn fn, void *arg)
{
	enum la_status e;
	sqlite3_stmt *s = q_bind(st, Q_SENDER_MSGS_BEFORE, list_id, addr,
	                         (int64_t[]){before_day, before_num, limit}, 3, &e);
	return s ? st_each_entry(s, fn, arg) : e;
}

const char *stats_sql_at(size_t i)
{
	size_t n = sizeof apply_steps / sizeof *apply_steps;
	return i < Q_COUNT ? q_sql[i] : i - Q_COUNT < n ? apply_steps[i - Q_COUNT] : NULL;
}

void stats_stmts_free(struct store *st)
{
	_Static_assert(sizeof apply_steps / sizeof *apply_steps <=
	                       sizeof st->stats_apply / sizeof *st->stats_apply,
	               "room for statements");
	for (size_t i = 0; i < sizeof st->stats_apply / sizeof *st->stats_apply; i++) {
		sqlite3_finalize(st->stats_apply[i]);
		st->stats_apply[i] = NULL;
	}
	for (size_t i = 0; i < sizeof st->stats_stmt / sizeof *st->stats_stmt; i++) {
		sqlite3_finalize(st->stats_stmt[i]);
		st->stats_stmt[i] = NULL;
	}
	sqlite3_finalize(st->stats_ins);
	st->stats_ins = NULL;
	free(st->sadd);
	free(st->stext);
	st->sadd = NULL;
	st->stext = NULL;
	st->nsadd = st->capsadd = st->nstext = st->capstext = 0;
}
