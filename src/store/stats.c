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
#include "util/hash.h"
#include "util/msort.h"
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
#define X_SENDER " JOIN senders s ON s.list_id = x.list_id AND s.addr = lower(x.addr)"

/* The steps of a commit's counting left in SQL (stats_count does the
 * rest in memory), one statement a step. */
static const char *const apply_steps[] = {
	/* A sender who lost messages: their latest again.  (+senders.addr:
         * compared with a column, the comparison takes its TEXT affinity
         * and messages_from's lower() no longer serves it; SQLite then
         * found max(ts) walking messages_ts from the newest message, past
         * every other sender's.) */
	"UPDATE senders SET last_ts = coalesce((SELECT max(m.ts) FROM messages m"
	" WHERE m.list_id = senders.list_id"
	" AND lower(m.from_addr) = +senders.addr AND " M_SHOWN "), 0)"
	" WHERE id IN (SELECT s.id FROM stats_delta x" X_SENDER " WHERE x.d < 0 AND x.moved = 0)",
	"DELETE FROM stat_senders WHERE n <= 0",
	"DELETE FROM stat_threads WHERE n <= 0",
	"DELETE FROM thread_senders WHERE n <= 0",
	"DELETE FROM stats_delta",
};
enum { A_SENDERS_LAST, A_ZERO_SENDERS, A_ZERO_THREADS, A_ZERO_TS, A_CLEAR, A_COUNT };

/* Rows of one figures statement (the K-row forms below): a statement's
 * own cost (its cursors opened and closed, its registers) was as much
 * as a row's. */
#define FIG_ROWS 32
#define TOPIC_ROWS 16
#define V4 "(?,?,?,?)"
#define V4X4 V4 "," V4 "," V4 "," V4
#define V4X32 V4X4 "," V4X4 "," V4X4 "," V4X4 "," V4X4 "," V4X4 "," V4X4 "," V4X4
#define V7 "(?,?,?,?,?,?,?)"
#define V7X4 V7 "," V7 "," V7 "," V7
#define V7X16 V7X4 "," V7X4 "," V7X4 "," V7X4
/* A figure row inserted, else added to (n = n + the change). */
#define FIG_UPSERT(T, KEY, ROWS)                                                          \
	"INSERT INTO " T "(list_id, " KEY ", n) VALUES" ROWS " ON CONFLICT(list_id, " KEY \
	") DO UPDATE SET n = n + excluded.n"
/* A topic only added to: its messages and senders plus the additions',
 * its first time and starter the earlier (by time, then id), its last
 * the later. */
#define TOPIC_UPSERT(ROWS)                                                                        \
	"INSERT INTO topics(list_id, thread, n, senders, first_ts, last_ts, starter) VALUES" ROWS \
	" ON CONFLICT(list_id, thread) DO UPDATE SET n = n + excluded.n,"                         \
	" senders = senders + excluded.senders, first_ts = min(first_ts, excluded.first_ts),"     \
	" last_ts = max(last_ts, excluded.last_ts), starter = CASE WHEN first_ts <"               \
	" excluded.first_ts OR (first_ts = excluded.first_ts AND starter < excluded.starter)"     \
	" THEN starter ELSE excluded.starter END"

/* The statements of the counting in memory: each figure row touched is
 * written once a commit, in key order. */
static const char *const count_sql[] = {
	/* The rows noted, in order, from rowid ?1 (excluded) to ?2. */
	"SELECT list_id, thread, lower(addr), day, d, moved, name, ts FROM stats_delta"
	" WHERE rowid > ?1 AND rowid <= ?2 ORDER BY rowid",
	"SELECT coalesce(max(rowid), 0) FROM stats_delta",
	"SELECT id FROM senders WHERE list_id = ?1 AND addr = ?2",
	/* A sender's messages of the batch, name and latest time (as
         * sender_fold makes them), as a commit a message would write them. */
	"INSERT INTO senders(list_id, addr, name, n, last_ts) VALUES(?1, ?2, ?3, ?4, ?5)"
	" ON CONFLICT(list_id, addr) DO UPDATE SET n = n + excluded.n,"
	" name = CASE WHEN excluded.last_ts >= last_ts AND excluded.name <> '' THEN excluded.name"
	" ELSE name END, last_ts = max(last_ts, excluded.last_ts) RETURNING id",
	/* Each figure row, one a statement and FIG_ROWS a statement;
         * thread_senders' say which rows are new (n is the change: a row
         * there before has n > 0, the zero ones are deleted), for the
         * senders of a topic. */
	FIG_UPSERT("stat_senders", "period, sender", V4),
	FIG_UPSERT("stat_senders", "period, sender", V4X32),
	FIG_UPSERT("stat_threads", "period, thread", V4),
	FIG_UPSERT("stat_threads", "period, thread", V4X32),
	FIG_UPSERT("thread_senders", "thread, sender", V4) " RETURNING list_id, thread, sender, n",
	FIG_UPSERT("thread_senders", "thread, sender",
                   V4X32) " RETURNING list_id, thread, sender, n",
	TOPIC_UPSERT(V7),
	TOPIC_UPSERT(V7X16),
	"DELETE FROM topics WHERE list_id = ?1 AND thread = ?2",
	/* A thread counted again from its messages. */
	"INSERT INTO topics(list_id, thread, n, senders, first_ts, last_ts, starter)"
	" SELECT g.list_id, g.thread, g.n, (SELECT count(*) FROM thread_senders x"
	" WHERE x.list_id = g.list_id AND x.thread = g.thread), g.first_ts, g.last_ts,"
	" (SELECT m.id FROM messages m WHERE m.thread = g.thread"
	" AND m.list_id = g.list_id AND " M_SHOWN " ORDER BY m.ts, m.id LIMIT 1)"
	" FROM (SELECT m.list_id, m.thread, count(*) AS n, min(m.ts) AS first_ts,"
	" max(m.ts) AS last_ts FROM messages m WHERE m.list_id = ?1 AND m.thread = ?2"
	" AND " M_SHOWN " GROUP BY m.list_id, m.thread) g",
};
enum {
	C_SCAN,
	C_MARK,
	C_SENDER_ID,
	C_SENDER_SET,
	C_STAT_SENDERS,
	C_STAT_SENDERS_K,
	C_STAT_THREADS,
	C_STAT_THREADS_K,
	C_THREAD_SENDERS,
	C_THREAD_SENDERS_K,
	C_TOPIC_ADD,
	C_TOPIC_ADD_K,
	C_TOPIC_DEL,
	C_TOPIC_COUNT,
	C_COUNT
};

static sqlite3_stmt *c_prepare(struct store *st, int id)
{
	_Static_assert(C_COUNT <= sizeof st->stats_c / sizeof *st->stats_c, "room for statements");
	_Static_assert(C_COUNT == sizeof count_sql / sizeof *count_sql, "one text a statement");
	sqlite3_stmt *s = st->stats_c[id];
	if (s) {
		sqlite3_reset(s);
		return s;
	}
	if (sqlite3_prepare_v3(st->db, count_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
	                       &st->stats_c[id], NULL) != SQLITE_OK)
		return NULL;
	return st->stats_c[id];
}

/* Steps s with ?1..?n bound to v, to its end; the last row's first
 * column in *ret if ret (else its rows are ignored); resets s. */
static int c_run(sqlite3_stmt *s, const int64_t *v, int n, int64_t *ret)
{
	for (int i = 0; i < n; i++)
		sqlite3_bind_int64(s, i + 1, v[i]);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (ret)
			*ret = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc;
}

/* A figure row's change: key (a, b, c), count n. */
struct fig {
	int64_t a, b, c, n;
};

static inline bool fig_less(const struct fig *p, const struct fig *q)
{
	return p->a != q->a ? p->a < q->a : p->b != q->b ? p->b < q->b : p->c < q->c;
}

/* Sorts v[0..n) by key through tmp (n more); the result in v or tmp,
 * which it returns. */
MSORT_DEFINE(fig_sort, struct fig, fig_less)

/* Sorts *v[0..n) by key (the result in *v); false if out of memory. */
static bool fig_sorted(struct fig **v, size_t n)
{
	if (n < 2)
		return true;
	struct fig *tmp = malloc(n * sizeof *tmp);
	if (!tmp)
		return false;
	if (fig_sort(*v, tmp, n) == tmp) {
		free(*v);
		*v = tmp;
	} else {
		free(tmp);
	}
	return true;
}

/* Appends (a, b, c, n) to *v. */
static bool fig_add(struct fig **v, size_t *n, size_t *cap, int64_t a, int64_t b, int64_t c,
                    int64_t d)
{
	if (!vec_reserve(v, cap, *n + 1, sizeof **v))
		return false;
	(*v)[(*n)++] = (struct fig){a, b, c, d};
	return true;
}

/* The index of key (a, b, c) in v[0..n) (sorted by key, each key once),
 * n if it is not there. */
static size_t fig_find(const struct fig *v, size_t n, int64_t a, int64_t b, int64_t c)
{
	struct fig k = {a, b, c, 0};
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (fig_less(&v[mid], &k))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && !fig_less(&k, &v[lo]) ? lo : n;
}

/* Writes the summed changes v[0..n) (in key order) by statement id (an
 * upsert of one row; id + 1 of FIG_ROWS rows), but those that add up to
 * nothing (a row they would make is dropped as zero).  With fresh (id
 * returns each row's key and count): (a, b, number of keys new in that
 * (a, b)) appended to *fresh, in key order.  A row is new if its count
 * is the change: one there before has n > 0 (stats_count deletes the
 * others in the transaction that makes them). */
static enum la_status fig_write(struct store *st, int id, const struct fig *v, size_t n,
                                struct fig **fresh, size_t *nfresh, size_t *capfresh)
{
	bool *isnew = NULL;
	if (fresh && n && !(isnew = calloc(n, sizeof *isnew)))
		return LA_ENOMEM;
	enum la_status e = LA_OK;
	size_t at[FIG_ROWS];
	for (size_t i = 0; !e && i < n;) {
		size_t k = 0;
		for (; i < n && k < FIG_ROWS; i++)
			if (v[i].n)
				at[k++] = i;
		size_t per = k == FIG_ROWS ? FIG_ROWS : 1;
		sqlite3_stmt *s = k ? c_prepare(st, per == 1 ? id : id + 1) : NULL;
		if (k && !s)
			e = LA_EDB;
		for (size_t j = 0; !e && j < k; j += per) {
			for (size_t r = 0; r < per; r++) {
				const struct fig *f = &v[at[j + r]];
				int b = (int)(4 * r);
				sqlite3_bind_int64(s, b + 1, f->a);
				sqlite3_bind_int64(s, b + 2, f->b);
				sqlite3_bind_int64(s, b + 3, f->c);
				sqlite3_bind_int64(s, b + 4, f->n);
			}
			int rc;
			while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
				if (!isnew)
					continue;
				size_t x = fig_find(v, n, sqlite3_column_int64(s, 0),
				                    sqlite3_column_int64(s, 1),
				                    sqlite3_column_int64(s, 2));
				if (x < n && sqlite3_column_int64(s, 3) == v[x].n)
					isnew[x] = true;
			}
			sqlite3_reset(s);
			if (rc != SQLITE_DONE)
				e = st_error(rc);
		}
	}
	for (size_t i = 0; !e && isnew && i < n; i++) {
		if (!isnew[i])
			continue;
		if (*nfresh && (*fresh)[*nfresh - 1].a == v[i].a &&
		    (*fresh)[*nfresh - 1].b == v[i].b)
			(*fresh)[*nfresh - 1].n++;
		else if (!fig_add(fresh, nfresh, capfresh, v[i].a, v[i].b, 0, 1))
			e = LA_ENOMEM;
	}
	free(isnew);
	return e;
}

static int tadd_cmp(const void *x, const void *y)
{
	const struct stats_tadd *p = x, *q = y;
	if (p->list_id != q->list_id)
		return p->list_id < q->list_id ? -1 : 1;
	if (p->thread != q->thread)
		return p->thread < q->thread ? -1 : 1;
	if (p->ts != q->ts)
		return p->ts < q->ts ? -1 : 1;
	return p->id < q->id ? -1 : p->id > q->id;
}

/* Upserts the topics v[0..n) (seven values each, TOPIC_UPSERT's),
 * TOPIC_ROWS a statement, the rest one a statement. */
static enum la_status topics_add(struct store *st, const int64_t (*v)[7], size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t per = n - i >= TOPIC_ROWS ? TOPIC_ROWS : 1;
		sqlite3_stmt *s = c_prepare(st, per == 1 ? C_TOPIC_ADD : C_TOPIC_ADD_K);
		if (!s)
			return LA_EDB;
		for (size_t r = 0; r < per; r++, i++)
			for (int c = 0; c < 7; c++)
				sqlite3_bind_int64(s, (int)(7 * r) + c + 1, v[i][c]);
		int rc = st_step_done(s);
		if (rc != SQLITE_DONE)
			return st_error(rc);
	}
	return LA_OK;
}

/* The topics of the threads touched (t[0..n), summed: (list, thread,
 * the rows that only add a message shown), c: 1 if any other change).
 * A thread whose changes are only the additions store_add noted
 * (st->tadd) is its topic plus them: its messages, first and last time
 * and starter (the first by time, then id) from the additions, its
 * senders plus the new ones (fresh[0..nfresh), by thread), upserted
 * together (topics_add).  Any other change (a move, a hide, a removal,
 * a message shown again) counts the thread again from its messages. */
static enum la_status topics_apply(struct store *st, const struct fig *t, size_t n,
                                   const struct fig *fresh, size_t nfresh)
{
	struct stats_tadd *a = st->tadd;
	size_t na = st->ntadd, ia = 0, jf = 0, nadd = 0;
	int64_t(*add)[7] = n ? malloc(n * sizeof *add) : NULL;
	if (n && !add)
		return LA_ENOMEM;
	if (na)
		qsort(a, na, sizeof *a, tadd_cmp);
	enum la_status e = LA_OK;
	for (size_t i = 0; !e && i < n; i++) {
		int64_t list = t[i].a, thread = t[i].b;
		while (ia < na &&
		       (a[ia].list_id < list || (a[ia].list_id == list && a[ia].thread < thread)))
			ia++;
		size_t ja = ia;
		while (ja < na && a[ja].list_id == list && a[ja].thread == thread)
			ja++;
		while (jf < nfresh &&
		       (fresh[jf].a < list || (fresh[jf].a == list && fresh[jf].b < thread)))
			jf++;
		int64_t newsenders = jf < nfresh && fresh[jf].a == list && fresh[jf].b == thread
		                             ? fresh[jf].n
		                             : 0;
		int64_t key[] = {list, thread};
		int rc;
		if (t[i].c || t[i].n != (int64_t)(ja - ia) || ja == ia) {
			sqlite3_stmt *s = c_prepare(st, C_TOPIC_DEL);
			if (!s || (rc = c_run(s, key, 2, NULL)) != SQLITE_DONE)
				e = s ? st_error(rc) : LA_EDB;
			else if (!(s = c_prepare(st, C_TOPIC_COUNT)) ||
			         (rc = c_run(s, key, 2, NULL)) != SQLITE_DONE)
				e = s ? st_error(rc) : LA_EDB;
			ia = ja;
			continue;
		}
		/* The additions' first (a[ia]: sorted by time, then id) and
		 * last time. */
		int64_t *v = add[nadd++];
		v[0] = list;
		v[1] = thread;
		v[2] = (int64_t)(ja - ia);
		v[3] = newsenders;
		v[4] = a[ia].ts;
		v[5] = a[ia].ts;
		v[6] = a[ia].id;
		for (size_t k = ia; k < ja; k++)
			if (a[k].ts > v[5])
				v[5] = a[k].ts;
		ia = ja;
	}
	if (!e)
		e = topics_add(st, (const int64_t(*)[7])add, nadd);
	free(add);
	return e;
}

/* (list, address) to a number, for the senders of a commit: the keys'
 * addresses are NUL-terminated at offsets of the caller's text (which
 * must not move while the map is used); open addressing, each slot an
 * entry's index + 1 (0: empty). */
struct smap {
	struct smap_e {
		int64_t list, v;
		size_t addr;
		uint64_t h;
	} * e;
	size_t n, cap;
	uint32_t *slot;
	size_t nslot; /* a power of two, or 0 */
};

static uint64_t smap_hash(int64_t list, const char *addr)
{
	return hash64(addr, strlen(addr), (uint64_t)list);
}

/* The entry of (list, addr) whose hash is h, else NULL. */
static struct smap_e *smap_find(const struct smap *m, const char *text, int64_t list,
                                const char *addr, uint64_t h)
{
	if (!m->nslot)
		return NULL;
	for (size_t i = h & (m->nslot - 1);; i = (i + 1) & (m->nslot - 1)) {
		uint32_t k = m->slot[i];
		if (!k)
			return NULL;
		struct smap_e *x = &m->e[k - 1];
		if (x->h == h && x->list == list && strcmp(text + x->addr, addr) == 0)
			return x;
	}
}

/* Adds (list, the address at text offset addr, whose hash is h) to v;
 * it must not be there.  False if out of memory. */
static bool smap_add(struct smap *m, int64_t list, size_t addr, uint64_t h, int64_t v)
{
	if ((m->n + 1) * 2 > m->nslot) {
		size_t ns = m->nslot ? m->nslot * 2 : 256;
		uint32_t *t = calloc(ns, sizeof *t);
		if (!t || m->n >= UINT32_MAX) {
			free(t);
			return false;
		}
		for (size_t j = 0; j < m->n; j++) {
			size_t i = m->e[j].h & (ns - 1);
			while (t[i])
				i = (i + 1) & (ns - 1);
			t[i] = (uint32_t)(j + 1);
		}
		free(m->slot);
		m->slot = t;
		m->nslot = ns;
	}
	if (!vec_reserve(&m->e, &m->cap, m->n + 1, sizeof *m->e))
		return false;
	m->e[m->n] = (struct smap_e){.list = list, .v = v, .addr = addr, .h = h};
	size_t i = h & (m->nslot - 1);
	while (m->slot[i])
		i = (i + 1) & (m->nslot - 1);
	m->slot[i] = (uint32_t)++m->n;
	return true;
}

static void smap_free(struct smap *m)
{
	free(m->e);
	free(m->slot);
}

/* A row of stats_delta: its sender's address (lowered) and name at
 * offsets of the text read; h: the hash of (list, address); sender: its
 * senders id once known. */
struct drow {
	int64_t list_id, thread, day, d, ts, sender;
	size_t addr, name;
	uint64_t h;
	bool moved;
};

/* The rows counted, in order, and their text. */
struct drows {
	struct drow *r;
	size_t n, cap;
	char *text;
	size_t ntext, captext;
};

/* Appends row x with its address addr (lowered as SQLite's lower()
 * does, ASCII letters only, if lower) and name; false if out of memory. */
static bool drow_add(struct drows *d, const struct drow *x, const char *addr, bool lower,
                     const char *name)
{
	size_t la = strlen(addr), ln = strlen(name);
	if (!vec_reserve(&d->r, &d->cap, d->n + 1, sizeof *d->r) ||
	    !vec_reserve(&d->text, &d->captext, d->ntext + la + ln + 2, 1))
		return false;
	struct drow *y = &d->r[d->n++];
	*y = *x;
	y->addr = d->ntext;
	y->name = d->ntext + la + 1;
	char *p = d->text + d->ntext;
	for (size_t i = 0; i <= la; i++)
		p[i] = lower && addr[i] >= 'A' && addr[i] <= 'Z' ? (char)(addr[i] + 32) : addr[i];
	memcpy(p + la + 1, name, ln + 1);
	d->ntext += la + ln + 2;
	return true;
}

/* Appends the rows of stats_delta after rowid lo up to hi, in order. */
static enum la_status drows_scan(struct store *st, struct drows *d, int64_t lo, int64_t hi)
{
	sqlite3_stmt *s = c_prepare(st, C_SCAN);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, lo);
	sqlite3_bind_int64(s, 2, hi);
	enum la_status e = LA_OK;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *addr = (const char *)sqlite3_column_text(s, 2);
		const char *name = (const char *)sqlite3_column_text(s, 6);
		struct drow x = {
			.list_id = sqlite3_column_int64(s, 0),
			.thread = sqlite3_column_int64(s, 1),
			.day = sqlite3_column_int64(s, 3),
			.d = sqlite3_column_int64(s, 4),
			.moved = sqlite3_column_int64(s, 5) != 0,
			.ts = sqlite3_column_int64(s, 7),
		};
		if (!addr || !name || !drow_add(d, &x, addr, false, name)) {
			e = LA_ENOMEM;
			break;
		}
	}
	sqlite3_reset(s);
	if (!e && rc != SQLITE_DONE && rc != SQLITE_ROW)
		e = st_error(rc);
	return e;
}

/* The rows to count, in the order they were noted: stats_delta's up to
 * the mark, the additions held (stats_hold), then its rows after. */
static enum la_status drows_read(struct store *st, struct drows *d)
{
	int64_t mark = st->nsheld ? st->smark : INT64_MAX;
	enum la_status e = drows_scan(st, d, INT64_MIN, mark);
	for (size_t i = 0; !e && i < st->nsheld; i++) {
		const struct stats_add *a = &st->sadd[i];
		struct drow x = {.list_id = a->list_id,
		                 .thread = a->thread,
		                 .day = a->day,
		                 .d = 1,
		                 .ts = a->ts};
		if (!drow_add(d, &x, st->stext + a->addr, true, st->stext + a->name))
			e = LA_ENOMEM;
	}
	if (!e && st->nsheld)
		e = drows_scan(st, d, mark, INT64_MAX);
	return e;
}

/* A sender's id by (list, address lowered), looked up once a commit
 * (0: none). */
static enum la_status sender_id(struct store *st, struct smap *ids, const char *text,
                                const struct drow *x, int64_t *id)
{
	const char *addr = text + x->addr;
	struct smap_e *k = smap_find(ids, text, x->list_id, addr, x->h);
	if (k) {
		*id = k->v;
		return LA_OK;
	}
	sqlite3_stmt *s = c_prepare(st, C_SENDER_ID);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, x->list_id);
	sqlite3_bind_text(s, 2, addr, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return st_error(rc);
	return smap_add(ids, x->list_id, x->addr, x->h, *id) ? LA_OK : LA_ENOMEM;
}

/* A sender of the batch's rows not moved (with an address), in the
 * order of its first row: its messages, and its name and latest time
 * folded row by row as the senders' upsert does (sender_fold). */
struct sgroup {
	int64_t list_id, n, ts, id;
	size_t addr, name;
};

/* One row (name, time t) more for a sender of the batch: what a commit
 * of that row alone would make of g (the upsert's rule), so that the
 * name kept does not depend on how the rows are batched. */
static void sender_fold(struct sgroup *g, const char *text, size_t name, int64_t t)
{
	if (t >= g->ts && text[name])
		g->name = name;
	if (t > g->ts)
		g->ts = t;
}

/* The changes of one kind being added up, each key once (in the order
 * first met): open addressing, each slot an entry's index + 1 (0:
 * empty), at most half full. */
struct figmap {
	struct fig *v;
	size_t n, cap;
	uint32_t *slot;
	size_t nslot; /* a power of two, or 0 */
};

static size_t fig_hash(int64_t a, int64_t b, int64_t c)
{
	uint64_t h = (uint64_t)a * 0x9E3779B97F4A7C15u ^ (uint64_t)b * 0xC2B2AE3D27D4EB4Fu ^
	             (uint64_t)c * 0x165667B19E3779F9u;
	return (size_t)(h ^ h >> 29 ^ h >> 47);
}

/* Adds n to key (a, b, c) of m; with by_ab the key is (a, b) and c is
 * or'ed into it (a thread's topic: any change but an addition).  False
 * if out of memory. */
static bool fig_acc(struct figmap *m, int64_t a, int64_t b, int64_t c, int64_t n, bool by_ab)
{
	int64_t kc = by_ab ? 0 : c;
	if ((m->n + 1) * 2 > m->nslot) {
		size_t ns = m->nslot ? m->nslot * 2 : 1024;
		uint32_t *t = calloc(ns, sizeof *t);
		if (!t || m->n >= UINT32_MAX) {
			free(t);
			return false;
		}
		for (size_t j = 0; j < m->n; j++) {
			const struct fig *f = &m->v[j];
			size_t i = fig_hash(f->a, f->b, by_ab ? 0 : f->c) & (ns - 1);
			while (t[i])
				i = (i + 1) & (ns - 1);
			t[i] = (uint32_t)(j + 1);
		}
		free(m->slot);
		m->slot = t;
		m->nslot = ns;
	}
	size_t i = fig_hash(a, b, kc) & (m->nslot - 1);
	for (; m->slot[i]; i = (i + 1) & (m->nslot - 1)) {
		struct fig *f = &m->v[m->slot[i] - 1];
		if (f->a == a && f->b == b && (by_ab || f->c == c)) {
			f->c |= by_ab ? c : 0;
			f->n += n;
			return true;
		}
	}
	if (!vec_reserve(&m->v, &m->cap, m->n + 1, sizeof *m->v))
		return false;
	m->v[m->n] = (struct fig){a, b, c, n};
	m->slot[i] = (uint32_t)++m->n;
	return true;
}

/* The kinds of figures a batch's rows change, each made by fig_make. */
enum fig_kind {
	FIG_SENDERS,        /* (list, period, sender), three periods a row */
	FIG_THREADS,        /* (list, period, thread), the same */
	FIG_THREAD_SENDERS, /* (list, thread, sender) */
	FIG_TOPICS,         /* (list, thread, c: a change but an addition; n: additions) */
};

/* The changes of one kind the rows d make, added up by key in a table
 * (not one entry a change, sorted: the senders' and threads' three a
 * row, 55,000 for a batch of 20,000 messages and as many again to sort
 * them, were 3.5 MB of a batch's peak; the keys are a few thousand), in
 * *v (*n keys, in the order first met; the caller frees it): LA_ENOMEM
 * if out of memory.  The topics' key is (list, thread) (FIG_TOPICS). */
static enum la_status fig_make(const struct drows *d, enum fig_kind kind, struct fig **v, size_t *n)
{
	struct figmap m = {0};
	bool ok = true;
	for (size_t i = 0; ok && i < d->n; i++) {
		const struct drow *x = &d->r[i];
		int64_t mo = x->day / 100, per[3] = {0, mo / 100, mo};
		switch (kind) {
		case FIG_SENDERS:
			if (!x->moved && x->sender)
				for (int p = 0; ok && p < 3; p++)
					ok = fig_acc(&m, x->list_id, per[p], x->sender, x->d,
					             false);
			break;
		case FIG_THREADS:
			for (int p = 0; ok && p < 3; p++)
				ok = fig_acc(&m, x->list_id, per[p], x->thread, x->d, false);
			break;
		case FIG_THREAD_SENDERS:
			if (x->sender)
				ok = fig_acc(&m, x->list_id, x->thread, x->sender, x->d, false);
			break;
		case FIG_TOPICS:
			ok = fig_acc(&m, x->list_id, x->thread, x->d < 0 || x->moved,
			             x->d > 0 && !x->moved, true);
			break;
		}
	}
	free(m.slot);
	if (!ok) {
		free(m.v);
		m.v = NULL;
		m.n = 0;
	}
	*v = m.v;
	*n = m.n;
	return ok ? LA_OK : LA_ENOMEM;
}

/* The rows noted since the last count (drows_read: stats_delta's and
 * those held), in the order they were noted, added up in memory
 * into the senders (the rows not moved: a new sender numbered at its
 * first row), stat_senders (the same rows), stat_threads,
 * thread_senders and the topics of the threads they touch: each key
 * once, in key order (what INSERT ... SELECT ... GROUP BY did, without
 * its sorts, and with the topics of threads only added to made from
 * their rows). */
static enum la_status stats_count(struct store *st)
{
	struct fig *fresh = NULL;
	size_t nfresh = 0, capfresh = 0;
	struct drows d = {0};
	struct sgroup *g = NULL;
	size_t ng = 0, capg = 0;
	struct smap ids = {0}, groups = {0};
	enum la_status e = drows_read(st, &d);
	struct drow *r = d.r;
	const char *text = d.text;
	for (size_t i = 0; !e && i < d.n; i++)
		r[i].h = smap_hash(r[i].list_id, text + r[i].addr);
	/* The senders, by their first row. */
	for (size_t i = 0; !e && i < d.n; i++) {
		struct drow *x = &r[i];
		if (x->moved || !text[x->addr])
			continue;
		int64_t t = x->d > 0 ? x->ts : 0;
		struct smap_e *k = smap_find(&groups, text, x->list_id, text + x->addr, x->h);
		if (k) {
			struct sgroup *y = &g[k->v];
			y->n += x->d;
			sender_fold(y, text, x->name, t);
			continue;
		}
		if (!vec_reserve(&g, &capg, ng + 1, sizeof *g) ||
		    !smap_add(&groups, x->list_id, x->addr, x->h, (int64_t)ng)) {
			e = LA_ENOMEM;
			break;
		}
		g[ng++] = (struct sgroup){.list_id = x->list_id,
		                          .n = x->d,
		                          .ts = t,
		                          .addr = x->addr,
		                          .name = x->name};
	}
	sqlite3_stmt *s = NULL;
	int rc;
	if (!e && !(s = c_prepare(st, C_SENDER_SET)))
		e = LA_EDB;
	for (size_t i = 0; !e && i < ng; i++) {
		sqlite3_bind_int64(s, 1, g[i].list_id);
		sqlite3_bind_text(s, 2, text + g[i].addr, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, text + g[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, g[i].n);
		sqlite3_bind_int64(s, 5, g[i].ts);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW)
			g[i].id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			e = st_error(rc);
	}
	if (!e && (rc = st_step_done(st->stats_apply[A_SENDERS_LAST])) != SQLITE_DONE)
		e = st_error(rc);
	/* Each row's sender: its group's, else looked up. */
	for (size_t i = 0; !e && i < d.n; i++) {
		struct drow *x = &r[i];
		struct smap_e *k = smap_find(&groups, text, x->list_id, text + x->addr, x->h);
		if (k)
			x->sender = g[k->v].id;
		else
			e = sender_id(st, &ids, text, x, &x->sender);
	}
	smap_free(&groups);
	smap_free(&ids);
	free(g);
	/* Each kind of figure added up by key (fig_make), sorted and
	 * written in turn: one kind's keys held at a time, not four arrays of
	 * every change (three a row for the senders and the threads) and a
	 * sort's copy of the largest, ~6 MB at a batch of 20,000 messages,
	 * the top of a batch's memory (docs/INDEX.md). */
	static const struct {
		enum fig_kind kind;
		int stmt;
		bool fresh; /* the pairs it adds are the topics' (topics_apply) */
	} kinds[] = {
		{FIG_SENDERS, C_STAT_SENDERS, false},
		{FIG_THREADS, C_STAT_THREADS, false},
		{FIG_THREAD_SENDERS, C_THREAD_SENDERS, true},
	};
	struct fig *v = NULL;
	size_t nv = 0;
	/* (fig_make's keys are distinct: sorted, not summed again.) */
	for (size_t i = 0; !e && i < sizeof kinds / sizeof *kinds; i++) {
		e = fig_make(&d, kinds[i].kind, &v, &nv);
		if (!e && !fig_sorted(&v, nv))
			e = LA_ENOMEM;
		if (!e)
			e = kinds[i].fresh ? fig_write(st, kinds[i].stmt, v, nv, &fresh, &nfresh,
			                               &capfresh)
			                   : fig_write(st, kinds[i].stmt, v, nv, NULL, NULL, NULL);
		free(v);
		v = NULL;
	}
	for (int i = A_ZERO_SENDERS; !e && i <= A_ZERO_TS; i++) {
		rc = st_step_done(st->stats_apply[i]);
		if (rc != SQLITE_DONE)
			e = st_error(rc);
	}
	/* By thread (fig_make's key for the topics): c, any change but an
	 * addition; n, the additions. */
	if (!e)
		e = fig_make(&d, FIG_TOPICS, &v, &nv);
	free(d.r);
	free(d.text);
	if (!e && !fig_sorted(&v, nv))
		e = LA_ENOMEM;
	if (!e && nv)
		e = topics_apply(st, v, nv, fresh, nfresh);
	free(v);
	free(fresh);
	return e;
}

enum la_status stats_note_add(struct store *st, int64_t id, int64_t list_id, int64_t thread,
                              const char *addr, const char *name, int day, int64_t ts)
{
	size_t la = strlen(addr), ln = strlen(name);
	if (!vec_reserve(&st->sadd, &st->capsadd, st->nsadd + 1, sizeof *st->sadd) ||
	    la + ln + 2 < la ||
	    !vec_reserve(&st->stext, &st->capstext, st->nstext + la + ln + 2, 1))
		return LA_ENOMEM;
	struct stats_add *a = &st->sadd[st->nsadd++];
	*a = (struct stats_add){
		.list_id = list_id, .thread = thread, .ts = ts, .id = id, .day = day};
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
	st->nsadd = st->nstext = st->nsheld = 0;
	st->ntadd = 0;
}

/* The additions noted sadd[from..nsadd) for topics_apply (st->tadd);
 * false if out of memory. */
static bool tadd_note(struct store *st, size_t from)
{
	if (!vec_reserve(&st->tadd, &st->captadd, st->ntadd + st->nsadd - from, sizeof *st->tadd))
		return false;
	for (size_t i = from; i < st->nsadd; i++) {
		const struct stats_add *a = &st->sadd[i];
		st->tadd[st->ntadd++] = (struct stats_tadd){a->list_id, a->thread, a->ts, a->id};
	}
	return true;
}

enum la_status stats_flush(struct store *st)
{
	/* (The additions held stay where they were held: these come after
	 * them and after every row stats_delta has.) */
	if (st->nsadd == st->nsheld)
		return LA_OK;
	if (!st->stats_ins &&
	    sqlite3_prepare_v3(st->db,
	                       "INSERT INTO stats_delta(list_id, thread, addr, name, day, ts, d,"
	                       " moved) VALUES(?1, ?2, ?3, ?4, ?5, ?6, 1, 0)",
	                       -1, SQLITE_PREPARE_PERSISTENT, &st->stats_ins, NULL) != SQLITE_OK)
		return LA_EDB;
	if (!tadd_note(st, st->nsheld))
		return LA_ENOMEM;
	sqlite3_stmt *s = st->stats_ins;
	for (size_t i = st->nsheld; i < st->nsadd; i++) {
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
	st->nsadd = st->nsheld;
	if (!st->nsadd)
		st->nstext = 0;
	return LA_OK;
}

enum la_status stats_hold(struct store *st)
{
	if (st->nsheld)
		return stats_flush(st);
	if (!st->nsadd)
		return LA_OK;
	sqlite3_stmt *s = c_prepare(st, C_MARK);
	if (!s)
		return LA_EDB;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		st->smark = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return st_error(rc);
	if (!tadd_note(st, 0))
		return LA_ENOMEM;
	st->nsheld = st->nsadd;
	return LA_OK;
}

/* Forgets the additions held, once counted (any noted since stay). */
static void held_drop(struct store *st)
{
	if (st->nsadd > st->nsheld)
		memmove(st->sadd, st->sadd + st->nsheld,
		        (st->nsadd - st->nsheld) * sizeof *st->sadd);
	st->nsadd -= st->nsheld;
	st->nsheld = 0;
	if (!st->nsadd)
		st->nstext = 0;
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
	if (rc == SQLITE_DONE && !st->nsheld) {
		st->ntadd = 0;
		return stats_hash_new(st);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return st_error(rc);
	for (size_t i = 0; i < A_COUNT; i++)
		if (!st->stats_apply[i] &&
		    sqlite3_prepare_v3(st->db, apply_steps[i], -1, SQLITE_PREPARE_PERSISTENT,
		                       &st->stats_apply[i], NULL) != SQLITE_OK)
			return LA_EDB;
	enum la_status e = stats_count(st);
	if (e)
		return e;
	st->ntadd = 0;
	held_drop(st);
	rc = st_step_done(st->stats_apply[A_CLEAR]);
	if (rc != SQLITE_DONE)
		return st_error(rc);
	return stats_hash_new(st);
}

/* The figures made whole from the messages, in the open transaction:
 * dropped, then every message shown noted in stats_delta as store_add
 * notes it, in index order (the order new senders are numbered in),
 * FILL_CHUNK messages at a time, each counted by stats_apply like a
 * batch (the figures do not depend on the batches; the rows of a whole
 * large index would not fit in memory). */
#define FILL_CHUNK 50000
static const char fill_sql[] =
	"DELETE FROM senders; DELETE FROM stat_senders; DELETE FROM stat_threads;"
	" DELETE FROM topics; DELETE FROM thread_senders; DELETE FROM stats_delta;";

enum la_status stats_fill(struct store *st)
{
	int rc = st_exec(st, fill_sql);
	if (rc != SQLITE_OK)
		return st_error(rc);
	sqlite3_stmt *s = NULL;
	int64_t top = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT coalesce(max(id), 0) FROM messages", -1, &s, NULL) !=
	    SQLITE_OK) {
		sqlite3_finalize(s);
		return LA_EDB;
	}
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		top = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return st_error(rc);
	if (sqlite3_prepare_v2(
		    st->db,
		    "INSERT INTO stats_delta(list_id, thread, addr, name, day, ts, d,"
		    " moved) SELECT list_id, thread, from_addr, from_name, day, ts, 1, 0"
		    " FROM messages WHERE id > ?1 AND id <= ?2 AND " NOT_HIDDEN("") " ORDER BY id",
		    -1, &s, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return LA_EDB;
	}
	enum la_status e = LA_OK;
	for (int64_t lo = 0; !e && lo < top; lo += FILL_CHUNK) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, lo);
		sqlite3_bind_int64(s, 2, lo + FILL_CHUNK);
		rc = sqlite3_step(s);
		e = rc == SQLITE_DONE ? stats_apply(st) : st_error(rc);
	}
	sqlite3_finalize(s);
	return e ? e : stats_apply(st);
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
	if (i < Q_COUNT)
		return q_sql[i];
	i -= Q_COUNT;
	if (i < n)
		return apply_steps[i];
	i -= n;
	return i < C_COUNT ? count_sql[i] : NULL;
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
	for (size_t i = 0; i < sizeof st->stats_c / sizeof *st->stats_c; i++) {
		sqlite3_finalize(st->stats_c[i]);
		st->stats_c[i] = NULL;
	}
	sqlite3_finalize(st->stats_ins);
	st->stats_ins = NULL;
	free(st->tadd);
	st->tadd = NULL;
	st->ntadd = st->captadd = 0;
	free(st->sadd);
	free(st->stext);
	st->sadd = NULL;
	st->stext = NULL;
	st->nsadd = st->capsadd = st->nstext = st->capstext = 0;
}
