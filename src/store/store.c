/* store.c: the SQLite index opened and closed: the schema, its versions,
 * the pragmas of readers and writers.  The reads are in read.c, the
 * writes in write.c, searches in search.c, a message's bytes in bytes.c;
 * they run their SQL through sql.c, and store_int.h is what they share. */
#include "store/store.h"

#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store_int.h"
#include "msg/header.h"
#include "msg/text.h"
#include "limits.h"
#include "store/stats_sql.h"
#include "util/hash.h"

/* 2: sources inside the archive directory are stored relative to it.  A
 * listarc that reads 1 refuses an index of 2 (it would take the relative
 * paths for new sources and read every mbox again); this one reads both
 * and makes a 1 a 2 when it first writes. */
#define SCHEMA_VERSION 2
#define SCHEMA_OLDEST 1

/* The indexes only searches and pages read, never the indexer: a first
 * index makes them once at its end (store_indexes_defer).  The text is
 * schema_sql's (whose hash says which schema an index has). */
#define IDX_MIDS_MID "CREATE INDEX IF NOT EXISTS mids_mid ON mids(mid);\n"
#define IDX_MESSAGES_WHEN \
	"CREATE INDEX IF NOT EXISTS messages_when ON messages(coalesce(date, ts));\n"
/* The week of a message's date (WEEK_SECS in store_int.h: the
 * expression is the one store/search.c writes): a date range's id
 * bounds from two lookups a week (search.c, date_bounds). */
#define IDX_MESSAGES_WEEK \
	"CREATE INDEX IF NOT EXISTS messages_week ON messages(coalesce(date, ts) / 604800);\n"
#define IDX_MESSAGES_TS "CREATE INDEX IF NOT EXISTS messages_ts ON messages(ts);\n"
#define IDX_MESSAGES_LEN \
	"CREATE INDEX IF NOT EXISTS messages_len ON messages(len, list_id, flags);\n"

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;\n"
	"CREATE TABLE IF NOT EXISTS lists(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);\n"
	/* The names a list had before `listarc list rename`: their URLs
         * answer 301 to the list's name now (store_list_renamed). */
	"CREATE TABLE IF NOT EXISTS list_renames(old TEXT PRIMARY KEY, list_id INTEGER NOT NULL)"
	" WITHOUT ROWID;\n"
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
	/* Message-IDs by their text: the near misses of a 404's
         * (store_mids_near), a range of it. */
	"" IDX_MIDS_MID
	/* The words of each message's Message-ID (msgid_word_next), for
         * m: with a part of one (search/query.c): a lookup here, then the
         * Message-IDs it gives checked whole. */
	"CREATE TABLE IF NOT EXISTS mid_words(w TEXT NOT NULL, mid INTEGER NOT NULL,"
	" PRIMARY KEY(w, mid)) WITHOUT ROWID;\n"
	/* AUTOINCREMENT: ids of deleted messages (--rebuild) are never reused,
         * so rows the contentless search index keeps for them match nothing. */
	"CREATE TABLE IF NOT EXISTS messages(id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" list_id INTEGER NOT NULL,"
	" day INTEGER NOT NULL, num INTEGER NOT NULL, source_id INTEGER NOT NULL,"
	" off INTEGER NOT NULL, len INTEGER NOT NULL, ts INTEGER NOT NULL, date INTEGER,"
	" mid INTEGER NOT NULL, parent INTEGER, thread INTEGER NOT NULL,"
	" subject TEXT NOT NULL, from_name TEXT NOT NULL, from_addr TEXT NOT NULL,"
	" flags INTEGER NOT NULL DEFAULT 0, file TEXT, tz INTEGER);\n"
	"CREATE UNIQUE INDEX IF NOT EXISTS messages_daynum ON messages(list_id, day, num);\n"
	"CREATE INDEX IF NOT EXISTS messages_thread ON messages(thread, ts);\n"
	"CREATE INDEX IF NOT EXISTS messages_mid ON messages(mid);\n"
	/* d: searches: the expression is the one search/query.c writes. */
	"" IDX_MESSAGES_WHEN "" IDX_MESSAGES_WEEK
	/* rt: searches (the delivery time). */
	"" IDX_MESSAGES_TS
	/* z: searches (the size): without it, every message was read; with
         * the list and flags, the rows of its matches are not (z:3000..3100
         * at 100,000 messages, 3,152 matches: 7 → 1 ms). */
	"" IDX_MESSAGES_LEN
	/* Messages per day: the calendar, and the next free day number. */
	"CREATE TABLE IF NOT EXISTS days(list_id INTEGER NOT NULL, day INTEGER NOT NULL,"
	" count INTEGER NOT NULL, PRIMARY KEY(list_id, day)) WITHOUT ROWID;\n"
	/* Full text (FTS_SQL): in its own file, search.sqlite (st_fts_open);
         * an index made before that file has its table fts here, until
         * a rebuild's file is swapped in (st_fts_swap_finish drops it). */
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
	/* A git source's last commit indexed (public-inbox mirrors). */
	"CREATE TABLE IF NOT EXISTS git_heads(source_id INTEGER NOT NULL, epoch INTEGER NOT NULL,"
	" head TEXT NOT NULL, PRIMARY KEY(source_id, epoch)) WITHOUT ROWID;\n"
	/* URLs of messages removed from their source (a public-inbox
         * deletion): 410, and their numbers are never reused. */
	"CREATE TABLE IF NOT EXISTS gone(list_id INTEGER NOT NULL, day INTEGER NOT NULL,"
	" num INTEGER NOT NULL, PRIMARY KEY(list_id, day, num)) WITHOUT ROWID;\n"
	/* Patch series (series.c, docs/series.md): one row a series (one
         * version of it), with the message that anchors it (the cover
         * letter's Message-ID, or the one its first patch replies to; 0
         * for an unthreaded one), its author (address, lowercase) and name
         * (the cover letter's subject after the prefix, else its lowest
         * patch's, lowercase; name_part says whose), the b4 change-id:
         * of its cover letter, and its first Date: (else delivery time).
         * series_msgs: every patch and cover letter (part 0) of one. */
	"CREATE TABLE IF NOT EXISTS series(id INTEGER PRIMARY KEY, list_id INTEGER NOT NULL,"
	" version INTEGER NOT NULL, total INTEGER NOT NULL, flags INTEGER NOT NULL DEFAULT 0,"
	" author TEXT NOT NULL, name TEXT NOT NULL, name_part INTEGER NOT NULL,"
	" anchor INTEGER NOT NULL DEFAULT 0, cover INTEGER, change_id TEXT,"
	" first_ts INTEGER NOT NULL, sibling INTEGER NOT NULL DEFAULT 0);\n"
	"CREATE INDEX IF NOT EXISTS series_sibling ON series(sibling) WHERE sibling <> 0;\n"
	"CREATE INDEX IF NOT EXISTS series_anchor ON series(anchor, version, total);\n"
	"CREATE INDEX IF NOT EXISTS series_author ON series(list_id, author, first_ts);\n"
	"CREATE INDEX IF NOT EXISTS series_begun ON series(list_id, first_ts);\n"
	"CREATE INDEX IF NOT EXISTS series_name ON series(list_id, name, author);\n"
	"CREATE INDEX IF NOT EXISTS series_change ON series(change_id) WHERE change_id IS NOT NULL;\n"
	"CREATE TABLE IF NOT EXISTS series_msgs(id INTEGER PRIMARY KEY, series INTEGER NOT NULL,"
	" part INTEGER NOT NULL);\n"
	"CREATE INDEX IF NOT EXISTS series_msgs_series ON series_msgs(series, part);\n"
	/* Review trailers (Reviewed-by: ...) of each message's text, in
         * line order (seq), kind an msg_trailer_kind; filled with the
         * search text (series.c). */
	"CREATE TABLE IF NOT EXISTS trailers(id INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" kind INTEGER NOT NULL, value TEXT NOT NULL, PRIMARY KEY(id, seq)) WITHOUT ROWID;\n"
	/* The Message-IDs of a series' messages removed from their source
         * (410): a reply under one counts for no other message. */
	"CREATE TABLE IF NOT EXISTS series_gone(series INTEGER NOT NULL, mid INTEGER NOT NULL,"
	" PRIMARY KEY(series, mid)) WITHOUT ROWID;\n"
	/* Each series' state (series.c: store_series_state), kept at commit. */
	"CREATE TABLE IF NOT EXISTS series_state(id INTEGER PRIMARY KEY, list_id INTEGER NOT NULL,"
	" total INTEGER NOT NULL, msgs INTEGER NOT NULL, parts INTEGER NOT NULL,"
	" reviewed INTEGER NOT NULL, latest INTEGER NOT NULL, newest INTEGER NOT NULL,"
	" first_ts INTEGER NOT NULL);\n"
	"CREATE INDEX IF NOT EXISTS series_state_list ON series_state(list_id, first_ts);\n"
	/* Each series' walk over its versions kept (series.c: walk_store;
         * docs/series.md, "State"): its members by start, and the starts
         * of the walks that hold a series by member, each set as one
         * blob.  series_walk, before them, kept only the members the
         * refresh could not find by name. */
	"DROP TABLE IF EXISTS series_walk;\n"
	"CREATE TABLE IF NOT EXISTS series_walk_members(start INTEGER PRIMARY KEY,"
	" members BLOB NOT NULL);\n"
	"CREATE TABLE IF NOT EXISTS series_walk_starts(member INTEGER PRIMARY KEY,"
	" starts BLOB NOT NULL);\n"
	/* The patch ids of a message (series: versions that share a patch). */
	"CREATE INDEX IF NOT EXISTS patchids_id ON patchids(id);\n"
	/* Hidden messages (`listarc hide`, hide.c) and the log of every hide
         * and unhide: kept apart from the messages, so that a rebuild
         * finds them and hides the messages again; and lists' settings
         * (`listarc list`, lists.c). */
	HIDE_SQL
		/* A list's figures: senders, threads, per month and year (stats.c). */
		STATS_SQL;

/* The query planner's statistics (sqlite_stat1), fixed: the shape of a
 * typical archive, about a million messages in ten lists, five messages
 * a thread, thirty a day and thirty a sender in a list, a handful
 * hidden.  They are written with the schema (a new index, or one made by
 * an older listarc, whatever rows it had) and never measured: listarc
 * runs no ANALYZE, so the plans are the same on a new index, where
 * SQLite would otherwise guess (and took messages_from, walking a whole
 * list, for a thread's messages), and on a grown one, whatever its size.
 * What matters is the ratio between the columns: a list's messages are
 * many, a thread's, a day's, a sender's and a Message-ID's few.  The
 * partial indexes (`_zero`, `_hidden`, `_unhashed`) are said to be
 * small, which they are.  docs/INDEX.md, "Query plans". */
static const char stat1_sql[] = "INSERT INTO sqlite_stat1(tbl, idx, stat) VALUES"
				" ('meta', 'meta', '20 1'),"
				" ('lists', 'sqlite_autoindex_lists_1', '10 1'),"
				" ('sources', 'sqlite_autoindex_sources_1', '20 2 1'),"
				" ('mids', 'mids_hash', '1200000 1'),"
				" ('mids', 'mids_thread', '1200000 6'),"
				" ('mids', 'mids_mid', '1200000 1'),"
				" ('mid_words', 'sqlite_autoindex_mid_words_1', '5000000 20 1'),"
				" ('messages', 'messages_daynum', '1000000 100000 30 1'),"
				" ('messages', 'messages_thread', '1000000 5 1'),"
				" ('messages', 'messages_mid', '1000000 1'),"
				" ('messages', 'messages_when', '1000000 2'),"
				" ('messages', 'messages_week', '1000000 1300'),"
				" ('messages', 'messages_ts', '1000000 2'),"
				" ('messages', 'messages_len', '1000000 3 2 2'),"
				" ('messages', 'messages_from', '1000000 100000 30 3 1'),"
				" ('messages', 'messages_hidden', '20 2 1'),"
				" ('days', 'days', '30000 3000 1'),"
				" ('patchids', 'patchids', '300000 2 1'),"
				" ('patchids', 'patchids_id', '300000 1'),"
				" ('maildir_seen', 'maildir_seen', '100000 20000 1'),"
				" ('git_heads', 'git_heads', '20 2 1'),"
				" ('gone', 'gone', '100 10 2 1'),"
				" ('series', 'series_sibling', '10000 2'),"
				" ('series', 'series_anchor', '50000 2 1 1'),"
				" ('series', 'series_author', '50000 5000 10 1'),"
				" ('series', 'series_begun', '50000 5000 1'),"
				" ('series', 'series_name', '50000 5000 2 1'),"
				" ('series', 'series_change', '1000 1'),"
				" ('series_msgs', 'series_msgs_series', '200000 4 1'),"
				" ('trailers', 'trailers', '100000 2 1'),"
				" ('series_gone', 'series_gone', '100 2 1'),"
				" ('series_state', 'series_state_list', '50000 5000 1'),"
				" ('hidden', 'hidden', '20 2 1'),"
				" ('senders', 'sqlite_autoindex_senders_1', '50000 5000 1'),"
				" ('senders', 'senders_hash', '50000 5000 1'),"
				" ('senders', 'senders_unhashed', '10 1'),"
				" ('stat_senders', 'stat_senders', '500000 50000 200 1'),"
				" ('stat_senders', 'stat_senders_top', '500000 50000 200 10'),"
				" ('stat_senders', 'stat_senders_zero', '10 1'),"
				" ('stat_threads', 'stat_threads', '700000 70000 270 1'),"
				" ('stat_threads', 'stat_threads_top', '700000 70000 270 20'),"
				" ('stat_threads', 'stat_threads_zero', '10 1'),"
				" ('topics', 'topics', '200000 20000 1'),"
				" ('topics', 'topics_last', '200000 20000 1'),"
				" ('topics', 'topics_first', '200000 20000 1'),"
				" ('thread_senders', 'thread_senders', '600000 60000 3 1'),"
				" ('thread_senders', 'thread_senders_by', '600000 60000 12'),"
				" ('thread_senders', 'thread_senders_zero', '10 1'),"
				/* (A batch's changes, store_commit's.) */
				" ('stats_delta', NULL, '5000')";

/* Puts stat1_sql in place of whatever sqlite_stat1 held, in the open
 * transaction, and has this connection plan with it (analysing
 * sqlite_schema, which has no index, only creates the table and loads
 * the rows). */
static int stat1_write(struct store *st)
{
	int rc = st_exec(st, "ANALYZE sqlite_schema; DELETE FROM sqlite_stat1");
	if (rc == SQLITE_OK)
		rc = st_exec(st, stat1_sql);
	if (rc == SQLITE_OK)
		rc = st_exec(st, "ANALYZE sqlite_schema");
	return rc;
}

const char *store_errmsg(struct store *st)
{
	return st && st->db ? sqlite3_errmsg(st->db) : "no database";
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

/* Whether meta key holds value. */
static bool meta_is(struct store *st, const char *key, const char *value)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = ?1", -1, &s, NULL) !=
	    SQLITE_OK) {
		sqlite3_finalize(s);
		return false;
	}
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	bool same = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) &&
	            strcmp((const char *)sqlite3_column_text(s, 0), value) == 0;
	sqlite3_finalize(s);
	return same;
}

/* The sender's offset (messages.tz) of every message indexed before the
 * column was, from the Date: of its header block as the indexer reads it
 * (msg_summary_parse); a message without a zone in its Date:, or whose
 * bytes cannot be read, keeps NULL (its dates are shown in UTC).  Inside
 * the writer's setup transaction; sets meta tz = 1. */
static enum la_status tz_fill(struct store *st)
{
	sqlite3_stmt *s = NULL, *u = NULL;
	if (sqlite3_prepare_v2(st->db,
	                       "SELECT id FROM messages WHERE tz IS NULL AND date IS NOT NULL"
	                       " ORDER BY id",
	                       -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "UPDATE messages SET tz = ?2 WHERE id = ?1", -1, &u, NULL) !=
	            SQLITE_OK) {
		sqlite3_finalize(s);
		sqlite3_finalize(u);
		return LA_EDB;
	}
	struct msg_summary *sum = malloc(sizeof *sum);
	struct buf bytes;
	buf_init(&bytes, HEAD_MAX + 1);
	enum la_status e = sum ? LA_OK : LA_ENOMEM;
	int rc = SQLITE_DONE;
	while (!e && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_msg m;
		if (store_msg_by_id(st, sqlite3_column_int64(s, 0), &m) != LA_OK)
			continue;
		buf_reset(&bytes);
		if (store_msg_read(st, &m, HEAD_MAX, &bytes) == LA_OK && bytes.data) {
			size_t hl = hdr_block_len(bytes.data, bytes.len);
			msg_summary_parse(sum, bytes.data, hl);
			if (sum->has_date && sum->date.has_tz) {
				sqlite3_reset(u);
				sqlite3_bind_int64(u, 1, m.id);
				sqlite3_bind_int(u, 2, sum->date.tz);
				if (st_step_done(u) != SQLITE_DONE)
					e = LA_EDB;
			}
		}
		store_msg_clear(&m);
	}
	if (!e && rc != SQLITE_DONE)
		e = st_error(rc);
	sqlite3_finalize(s);
	sqlite3_finalize(u);
	free(sum);
	buf_free(&bytes);
	if (!e)
		e = store_meta_set(st, "tz", "1");
	return e;
}

/* The words of the Message-IDs of the messages after meta "mid_words8"
 * (the last message id whose words are in mid_words; absent: none), and
 * the row moved to the last message: an index made before mid_words
 * gets them all once, and one an older listarc has added to since
 * (whose writer ran its own schema, so this runs again) the messages it
 * added.  Inside the writer's setup transaction. */
static enum la_status mid_words_fill(struct store *st)
{
	char v[32] = "0";
	if (store_meta_get(st, "mid_words8", v, sizeof v) == LA_EDB)
		return LA_EDB;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(
		    st->db,
		    "SELECT m.id, d.id, d.mid FROM messages m JOIN mids d ON d.id = m.mid"
		    " WHERE m.id > ?1 ORDER BY m.id",
		    -1, &s, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return LA_EDB;
	}
	sqlite3_bind_int64(s, 1, strtoll(v, NULL, 10));
	int64_t last = strtoll(v, NULL, 10);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		last = sqlite3_column_int64(s, 0);
		const char *mid = (const char *)sqlite3_column_text(s, 2);
		int r = st_mid_words_add(st, sqlite3_column_int64(s, 1), mid ? mid : "",
		                         (size_t)sqlite3_column_bytes(s, 2));
		if (r != SQLITE_DONE) {
			rc = r;
			break;
		}
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		rc = st_mid_words_flush(st);
	if (rc != SQLITE_DONE)
		return st_error(rc);
	snprintf(v, sizeof v, "%lld", (long long)last);
	return store_meta_set(st, "mid_words8", v);
}

/* A writer's connection: WAL and its pragmas, and the schema brought up
 * to date.  Returns LA_OK or the failure, err set. */
static enum la_status writer_setup(struct store *st, const char *path, struct la_err *err)
{
	/* The -wal and -shm files outlive the writer: a server that may not
	 * write the archive directory (systemd's ReadOnlyPaths) can open the
	 * index only if they exist. */
	int persist = 1;
	sqlite3_file_control(st->db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
	/* A page cache of 16 MB, which a first index (or one killed before
	 * its indexes or states) lowers to 8 MB (store_indexes_defer,
	 * store_states_defer): of a first index's peak RSS it was the
	 * largest part (32 MB, then 16); 8 MB indexes as fast (the pages it
	 * misses are in the kernel's cache, a pread away), and the index
	 * outgrows any of them long before a million (bench/README.md,
	 * Scale).  An append's walks over series and figures read their
	 * pages again and again: with 8 MB one of 1,000 messages onto 99k
	 * read 27,000 pages of index.sqlite, with 16 MB 6,800 (the same
	 * CPU; its peak RSS ~43 MB).  SQLite's sorter (CREATE INDEX, ORDER
	 * BY without an index) keeps up to cache_size in memory and writes the rest to
	 * temporary files, which temp_store=MEMORY would keep in memory,
	 * all of them: the default (files) bounds a first index's CREATE
	 * INDEX at any size (docs/INDEX.md, "What the indexer holds"). */
	int rc = st_exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	                     " PRAGMA cache_size=-16384; PRAGMA temp_store=DEFAULT;"
	                     " PRAGMA wal_autocheckpoint=8192;");
	if (rc != SQLITE_OK)
		return st_fail(st, rc, err, path);
	/* The schema's statements (all IF NOT EXISTS, so that an index made
	 * by an older listarc gains what this one adds) run only when their
	 * text (with the statistics') differs from the one last run here:
	 * parsing them and a write transaction cost more than the rest of a
	 * `deliver`'s work. */
	char hash[32];
	uint64_t h = hash64(schema_sql, sizeof schema_sql - 1, 0);
	h = hash64(st_lines_sql, st_lines_sql_len, h);
	snprintf(hash, sizeof hash, "%016llx",
	         (unsigned long long)hash64(stat1_sql, sizeof stat1_sql - 1, h));
	if (schema_text_is(st, hash))
		return LA_OK;
	char ins[sizeof hash + 200];
	snprintf(ins, sizeof ins,
	         "INSERT OR IGNORE INTO meta(key, value) VALUES('schema', %d);"
	         " UPDATE meta SET value = %d WHERE key = 'schema' AND value < %d;"
	         " INSERT OR REPLACE INTO meta(key, value) VALUES('schema_sql', '%s')",
	         SCHEMA_VERSION, SCHEMA_VERSION, SCHEMA_VERSION, hash);
	rc = st_exec(st, "BEGIN IMMEDIATE");
	if (rc == SQLITE_OK)
		rc = st_exec(st, schema_sql);
	if (rc == SQLITE_OK)
		rc = st_exec(st, ins);
	/* A new index's search rows are of this listarc's form
	 * (store_search_current); an older one's were written before the
	 * form was recorded. */
	if (rc == SQLITE_OK) {
		char fmt[160];
		snprintf(fmt, sizeof fmt,
		         "INSERT OR IGNORE INTO meta(key, value) SELECT 'search_format', %d"
		         " WHERE NOT EXISTS (SELECT 1 FROM messages)",
		         STORE_SEARCH_FORMAT);
		rc = st_exec(st, fmt);
	}
	/* An index made before the senders' offsets gains their column
	 * (ALTER TABLE: CREATE TABLE IF NOT EXISTS leaves an old table as
	 * it is), filled once from the messages' Date: (tz_fill). */
	if (rc == SQLITE_OK && !st_has_column(st, "messages", "tz"))
		rc = st_exec(st, "ALTER TABLE messages ADD COLUMN tz INTEGER");
	if (rc == SQLITE_OK)
		st->has_tz = true;
	/* A day's listing lines as one row (daylines.c), after the tz
	 * column its triggers name; the days of an older index are noted,
	 * and made below. */
	if (rc == SQLITE_OK)
		rc = st_exec(st, st_lines_sql);
	if (rc == SQLITE_OK)
		st->has_lines = true;
	/* The planner's statistics before the fills below, whose plans need
	 * them. */
	if (rc == SQLITE_OK)
		rc = stat1_write(st);
	/* An index made before series gets them once (docs/series.md). */
	bool refound = false;
	if (rc == SQLITE_OK && !meta_is(st, "series", "1")) {
		enum la_status fe = series_fill(st);
		rc = fe ? SQLITE_ERROR
		        : st_exec(st,
		                  "INSERT OR REPLACE INTO meta(key, value) VALUES('series', '1')");
		refound = true;
	}
	/* And the review trailers of the series' threads (docs/series.md). */
	if (rc == SQLITE_OK && !meta_is(st, "trailers", "1")) {
		rc = series_trailers_fill(st) ? SQLITE_ERROR : rc;
		refound = true;
	}
	/* And each series' state, again whenever series or trailers were
	 * found here: the threads they mark wait for a store_commit that a
	 * writer with nothing to commit (a `hide` that fails) never makes. */
	/* The walks kept are made again with them whenever this schema's
	 * text is new here (an older listarc that wrote the index since
	 * kept none of its walks up to date). */
	if (rc == SQLITE_OK)
		rc = st_exec(st, "DELETE FROM meta WHERE key = 'series_walk'");
	if (rc == SQLITE_OK &&
	    (refound || !meta_is(st, "series_state", "1") || !meta_is(st, "series_walk", "1")) &&
	    series_state_fill(st))
		rc = SQLITE_ERROR;
	/* And the senders' offsets of the messages indexed before them. */
	if (rc == SQLITE_OK && !meta_is(st, "tz", "1"))
		rc = tz_fill(st) ? SQLITE_ERROR : rc;
	/* And the words of the Message-IDs (m:). */
	if (rc == SQLITE_OK)
		rc = mid_words_fill(st) ? SQLITE_ERROR : rc;
	/* And the figures of the pages (stats_sql.h), once. */
	if (rc == SQLITE_OK && !meta_is(st, "stats", "1")) {
		enum la_status fe = stats_fill(st);
		rc = fe ? SQLITE_ERROR
		        : st_exec(st,
		                  "INSERT OR REPLACE INTO meta(key, value) VALUES('stats', '1')");
	}
	if (rc == SQLITE_OK)
		rc = st_lines_flush(st) ? SQLITE_ERROR : rc;
	if (rc == SQLITE_OK)
		rc = st_exec(st, "COMMIT");
	if (rc == SQLITE_OK)
		return LA_OK;
	/* Say why it failed (a full disk, say) before the rollback's own
	 * message ("no transaction is active") replaces it. */
	enum la_status e = st_fail(st, rc, err, path);
	st_exec(st, "ROLLBACK");
	return e;
}

/* Whether index.sqlite has the table fts itself (an index made before
 * search.sqlite). */
static bool main_has_fts(struct store *st)
{
	sqlite3_stmt *s = NULL;
	bool has = sqlite3_prepare_v2(st->db,
	                              "SELECT 1 FROM main.sqlite_schema WHERE name = 'fts'"
	                              " AND type = 'table'",
	                              -1, &s, NULL) == SQLITE_OK &&
	           sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return has;
}

/* Whether the search index's file is there, and its device and inode. */
static bool fts_file_id(const struct store *st, uint64_t *dev, uint64_t *ino)
{
	char fpath[4200];
	snprintf(fpath, sizeof fpath, "%s/" FTS_FILE, st->dir);
	struct stat sb;
	if (stat(fpath, &sb) != 0)
		return false;
	*dev = (uint64_t)sb.st_dev;
	*ino = (uint64_t)sb.st_ino;
	return true;
}

bool st_fts_moved(struct store *st)
{
	if (st->writer)
		return false;
	uint64_t dev = 0, ino = 0;
	bool there = fts_file_id(st, &dev, &ino);
	if (st->fts_attached)
		return !there || dev != st->fts_dev || ino != st->fts_ino;
	return there && !main_has_fts(st);
}

/* A reader's look for the search index's own file: attached as "s" (so
 * that fts resolves there) when index.sqlite has no fts of its own and
 * the file is there; nothing otherwise.  A file attached that the name
 * no longer names (a rebuild renamed the new one over it: searchfile.c)
 * is detached first: it is whole, but no writer adds to it any more.
 * Its -wal and -shm were unlinked before the rename, so that this
 * connection keeps reading it through its own and the new file gets
 * new ones.  Outside a transaction. */
enum la_status st_fts_attach(struct store *st)
{
	if (st->writer)
		return LA_OK;
	uint64_t dev = 0, ino = 0;
	/* (Looked at before the ATTACH: renamed over in between, the next
	 * look attaches once more.) */
	bool there = fts_file_id(st, &dev, &ino);
	if (st->fts_attached) {
		if (there && dev == st->fts_dev && ino == st->fts_ino)
			return LA_OK;
		/* A failure (a statement still open there) keeps the old
		 * one, whole, until the next data version. */
		if (st_exec(st, "DETACH s") != SQLITE_OK)
			return LA_OK;
		st->fts_attached = false;
		st->fts_gen++;
	}
	if (!there || main_has_fts(st))
		return LA_OK;
	char fpath[4200];
	snprintf(fpath, sizeof fpath, "%s/" FTS_FILE, st->dir);
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, "ATTACH ?1 AS s", -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, fpath, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return st_error(rc);
	st->fts_attached = true;
	st->fts_dev = dev;
	st->fts_ino = ino;
	st->fts_gen++;
	/* (Its cache and map as the index's: a failure only costs speed.) */
	(void)st_exec(st, st->mode == STORE_READ
	                          ? "PRAGMA s.cache_size=-8192; PRAGMA s.mmap_size=2147418112;"
	                  : st->mode == STORE_READ_LEAN ? "PRAGMA s.cache_size=-1024;"
	                                                : "PRAGMA s.cache_size=-8192;");
	return LA_OK;
}

/* How FTS5 writes the search index's file (kept in its table fts_config,
 * read by every connection; they change how its terms are laid out in
 * segments, never what a query finds).  FTS5's own, a hash of 1 MB of
 * pending terms and a level merged once it has 4 segments, spent about
 * a third of the search thread's CPU writing and merging segments
 * (docs/INDEX.md, "The search index's file"): 4 MB and 8 segments a
 * level write each term's list a third fewer times, for about 4 MB more
 * memory while indexing. */
static const struct {
	const char *key;
	int value;
} fts_tuning[] = {
	{"hashsize", 4 << 20},
	{"automerge", 8},
};

/* The file's FTS5 settings made fts_tuning's, each written only if it
 * differs (a failure costs only speed).  Tests only
 * (LISTARC_FTS_DEFAULTS=1): left as they are (FTS5's own in a new file),
 * for comparing an index made with them (t4077). */
static void fts_tune(sqlite3 *db)
{
	const char *off = getenv("LISTARC_FTS_DEFAULTS");
	if (off && strcmp(off, "1") == 0)
		return;
	for (size_t i = 0; i < sizeof fts_tuning / sizeof *fts_tuning; i++) {
		sqlite3_stmt *s = NULL;
		bool same = false;
		if (sqlite3_prepare_v2(db, "SELECT v FROM fts_config WHERE k = ?1", -1, &s, NULL) ==
		    SQLITE_OK) {
			sqlite3_bind_text(s, 1, fts_tuning[i].key, -1, SQLITE_STATIC);
			same = sqlite3_step(s) == SQLITE_ROW &&
			       sqlite3_column_type(s, 0) == SQLITE_INTEGER &&
			       sqlite3_column_int64(s, 0) == fts_tuning[i].value;
		}
		sqlite3_finalize(s);
		s = NULL;
		if (same || sqlite3_prepare_v2(db, "INSERT INTO fts(fts, rank) VALUES(?1, ?2)", -1,
		                               &s, NULL) != SQLITE_OK) {
			sqlite3_finalize(s);
			continue;
		}
		sqlite3_bind_text(s, 1, fts_tuning[i].key, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 2, fts_tuning[i].value);
		(void)sqlite3_step(s);
		sqlite3_finalize(s);
	}
}

enum la_status st_fts_file_open(const char *path, bool persist, sqlite3 **out)
{
	*out = NULL;
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(
		path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, 10000);
		sqlite3_extended_result_codes(db, 1);
		int keep = persist ? 1 : 0;
		sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &keep);
		st_fts_fast_tokens(db); /* (before the table is first used) */
		/* A page cache of 2 MB: FTS5 appends its segments and reads
		 * them once to merge them (the kernel's cache serves those
		 * reads); 8 MB was 6 MB more of the indexer's peak RSS for
		 * no speed. */
		rc = sqlite3_exec(db,
		                  "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
		                  " PRAGMA cache_size=-2048; PRAGMA temp_store=MEMORY;"
		                  " PRAGMA wal_autocheckpoint=8192; " FTS_SQL "; " FTS_STATE_SQL,
		                  NULL, NULL, NULL);
	}
	if (rc != SQLITE_OK) {
		sqlite3_close(db);
		return st_error(rc);
	}
	fts_tune(db);
	*out = db;
	return LA_OK;
}

enum la_status st_fts_open(struct store *st)
{
	if (st->fts_db)
		return LA_OK;
	char path[4200];
	snprintf(path, sizeof path, "%s/" FTS_FILE, st->dir);
	/* (Its WAL kept, as index.sqlite's: writer_setup.) */
	enum la_status e = st_fts_file_open(path, true, &st->fts_db);
	if (e)
		return e;
	/* (Which file it is: store_fts_follow.) */
	struct stat sb;
	if (stat(path, &sb) == 0) {
		st->fts_dev = (uint64_t)sb.st_dev;
		st->fts_ino = (uint64_t)sb.st_ino;
	}
	st_fts_columns(st); /* (the file's: every column) */
	if (st->fts_prep)
		st_fts_use_file(st);
	return LA_OK;
}

/* Empties the search index's own file (its own transaction, committed). */
enum la_status st_fts_file_clear(struct store *st)
{
	st_fts_idle(st);
	int rc = sqlite3_exec(st->fts_db,
	                      "BEGIN IMMEDIATE; DROP TABLE IF EXISTS fts; " FTS_SQL
	                      "; DELETE FROM fts_state; COMMIT",
	                      NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		sqlite3_exec(st->fts_db, "ROLLBACK", NULL, NULL, NULL);
	return rc == SQLITE_OK ? LA_OK : st_error(rc);
}

/* The search text of the messages that index.sqlite has and the search
 * index's file does not, indexed again: a run killed between the
 * index's commit and the file's (store_commit) leaves the messages of
 * that batch out of the file, which records how far it is whole
 * (fts_state.upto).  Whether a message should have text there is the
 * archive's search setting: "on", every message; "rebuilding", those up
 * to the `reindex --search` walk's resume point (meta fts_upto); "off",
 * none.  A file ahead of the index's last id (the index's last commit
 * lost with the machine's power, its ids to be given again) is made
 * again whole. */
enum la_status store_search_catch_up(struct store *st)
{
	if (!st->writer || !st->fts_db)
		return LA_OK;
	/* (What this connection's thread still writes counts too.) */
	st_fts_idle(st);
	char mode[16] = "on", upto_text[32] = "0";
	la_ignore(store_meta_get(st, "search", mode, sizeof mode));
	int64_t target = 0;
	if (strcmp(mode, "on") == 0) {
		sqlite3_stmt *s = NULL;
		/* The last id given (AUTOINCREMENT's), which a message removed
		 * since does not lower. */
		if (sqlite3_prepare_v2(st->db,
		                       "SELECT max(coalesce((SELECT seq FROM sqlite_sequence"
		                       " WHERE name = 'messages'), 0), coalesce(max(id), 0))"
		                       " FROM messages",
		                       -1, &s, NULL) == SQLITE_OK &&
		    sqlite3_step(s) == SQLITE_ROW)
			target = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	} else if (strcmp(mode, "rebuilding") == 0) {
		la_ignore(store_meta_get(st, "fts_upto", upto_text, sizeof upto_text));
		target = atoll(upto_text);
	} else {
		return LA_OK;
	}
	int64_t after = st_fts_upto(st);
	enum la_status e = LA_OK;
	if (after > target) {
		if ((e = st_fts_file_clear(st)))
			return e;
		after = 0;
	}
	if (after >= target)
		return LA_OK;
	struct msg_text text;
	msg_text_init(&text);
	struct buf bytes;
	buf_init(&bytes, SEARCH_TEXT_MAX * 8 + 1);
	int64_t ids[1000];
	while (!e && after < target) {
		int n = 0;
		if ((e = store_msg_ids_after(st, after, ids, 1000, &n)))
			break;
		int64_t last = target;
		for (int i = 0; i < n && !e && ids[i] <= target; i++) {
			last = ids[i];
			e = st_fts_from_source(st, ids[i], true, &bytes, &text);
		}
		if (n == 0 || ids[n - 1] >= target)
			last = target;
		if (!e)
			e = st_fts_commit(st, last);
		if (st->fts_stuck)
			break;
		after = last;
	}
	msg_text_free(&text);
	buf_free(&bytes);
	return e;
}

/* An index from a newer listarc is refused rather than misread. */
static enum la_status check_version(struct store *st, const char *path, struct la_err *err)
{
	sqlite3_stmt *s = st_prepare(st, S_META_GET);
	if (!s)
		return st_fail(st, SQLITE_ERROR, err, "schema");
	sqlite3_bind_text(s, 1, "schema", -1, SQLITE_STATIC);
	int version = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sqlite3_reset(s);
	if (version < SCHEMA_OLDEST || version > SCHEMA_VERSION)
		return la_err_set(err, LA_EDB, "%s: index schema %d, this listarc reads %d to %d",
		                  path, version, SCHEMA_OLDEST, SCHEMA_VERSION);
	return LA_OK;
}

enum la_status store_open(struct store **out, const char *dir, enum store_mode mode,
                          struct la_err *err)
{
	*out = NULL;
	char path[4096];
	if (snprintf(path, sizeof path, "%s/index.sqlite", dir) >= (int)sizeof path)
		return la_err_set(err, LA_EINVAL, "%s: path too long", dir);
	if (mode != STORE_WRITE && access(path, F_OK) != 0)
		return la_err_set(err, LA_ENOTFOUND,
		                  "%s: no index here (run `listarc index` first)", dir);
	if (mode == STORE_WRITE && mkdir(dir, 0777) != 0 && errno != EEXIST)
		return la_err_set(err, LA_EIO, "%s: %s", dir, strerror(errno));

	struct store *st = calloc(1, sizeof *st);
	if (!st)
		return la_err_set(err, LA_ENOMEM, "out of memory");
	st->writer = mode == STORE_WRITE;
	st->mode = mode;
	char *real = realpath(dir, NULL);
	snprintf(st->dir, sizeof st->dir, "%s", real ? real : dir);
	free(real);
	enum la_status e;
	int flags = st->writer ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
	/* No counting of SQLite's memory: it takes a global mutex at every
	 * allocation (5% of the indexer's time).  Effective only before
	 * SQLite's first use, which this is; later calls fail harmlessly. */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	int rc = sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		e = la_err_set(err, st_error(rc), "%s: %s", path,
		               st->db ? sqlite3_errmsg(st->db) : "cannot open");
		goto fail;
	}
	/* Readers wait for a checkpoint rather than fail; writers wait for
	 * each other (the archive lock makes that rare). */
	sqlite3_busy_timeout(st->db, 10000);
	sqlite3_extended_result_codes(st->db, 1);
	if (st->writer) {
		e = writer_setup(st, path, err);
	} else if (mode == STORE_READ_LEAN) {
		rc = st_exec(st, "PRAGMA cache_size=-1024; PRAGMA query_only=1;");
		e = rc == SQLITE_OK ? LA_OK : st_fail(st, rc, err, path);
	} else if (mode == STORE_READ_UNMAPPED) {
		rc = st_exec(st, "PRAGMA cache_size=-8192; PRAGMA query_only=1;");
		e = rc == SQLITE_OK ? LA_OK : st_fail(st, rc, err, path);
	} else {
		/* Reads through a memory map of the file: a search that walks
		 * thousands of index pages copies none of them (inter* at
		 * 100,000 messages: 7 → 5 ms).  SQLite caps the size. */
		rc = st_exec(st, "PRAGMA cache_size=-8192; PRAGMA query_only=1;"
		                 " PRAGMA mmap_size=2147418112;");
		e = rc == SQLITE_OK ? LA_OK : st_fail(st, rc, err, path);
	}
	if (!e)
		e = check_version(st, path, err);
	if (!e)
		st_fts_rank(st->db);
	if (!e && !st->writer && series_reader_tables(st))
		e = st_fail(st, SQLITE_ERROR, err, path);
	if (e)
		goto fail;
	/* The search index: in its own file (a writer's second connection;
	 * readers attach it, so that fts resolves there), or in index.sqlite
	 * for an index made before the file. */
	/* A rebuild's swap that a kill stopped after its rename is
	 * finished first (searchfile.c). */
	if (st->writer && (e = st_fts_swap_finish(st))) {
		e = st_fail(st, SQLITE_ERROR, err, "finishing the search index's rebuild");
		goto fail;
	}
	if (!main_has_fts(st)) {
		char fpath[4200];
		snprintf(fpath, sizeof fpath, "%s/" FTS_FILE, st->dir);
		if (st->writer) {
			if ((e = st_fts_open(st))) {
				e = la_err_set(err, e, "%s: %s", fpath,
				               st->fts_db ? sqlite3_errmsg(st->fts_db)
				                          : "cannot open");
				goto fail;
			}
		} else if ((e = st_fts_attach(st))) {
			e = st_fail(st, SQLITE_ERROR, err, fpath);
			goto fail;
		}
	}
	/* (A reader asks when it searches: store_search_lore.  Not at its
	 * open: reading the search file's schema would start a read there,
	 * and after a killed writer rebuild its -shm, which `deliver`'s look
	 * at the list's mbox does not need.) */
	if (st->writer)
		st_fts_columns(st);
	/* A reader of an index no writer has opened since the senders'
	 * offsets came reads none (st_prepare_sql). */
	st->has_tz = st_has_column(st, "messages", "tz");
	/* And one no writer has opened since mid_words came finds m:'s
	 * words by reading every Message-ID (store_mid_words). */
	char mw[32];
	st->has_mid_words = store_meta_get(st, "mid_words8", mw, sizeof mw) == LA_OK;
	*out = st;
	return LA_OK;
fail:
	store_close(st);
	return e;
}

/* (65,536 pages of 4 KB: 256 MB of log at most, and 512 KB of -shm.) */
#define STORE_BULK_WAL_PAGES 65536

enum la_status store_bulk(struct store *st)
{
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA wal_autocheckpoint=%d", STORE_BULK_WAL_PAGES);
	int rc = st_exec(st, sql);
	return rc == SQLITE_OK ? LA_OK : st_error(rc);
}

/* A first index leaves out these indexes until its end: an index's
 * insert per message is a walk down a b-tree to a random place (len, a
 * Message-ID's text), and CREATE INDEX sorts them once (100,000
 * messages, loaded machine: the messages' and Message-IDs' inserts and
 * the four CREATE INDEX took ~0.98 s of the writer's time, the inserts
 * with the indexes in place ~1.15 s).  (Not the figures' (stats_sql.h):
 * a commit writes each row it touches once, and their CREATE INDEX cost
 * what the moves of their entries did, 1.21 G against 1.13 G
 * instructions at 100k.)  Their
 * absence is marked in meta (indexes = 'deferred') in the transaction
 * that drops them, before any message: a run killed before its end
 * leaves the mark, and the next `index` run goes on without them and
 * makes them at its end.  Readers meanwhile plan without them (searches
 * by d:, rt:, z: or a Message-ID's text, and the 404's near misses, read
 * more rows; every result the same). */
#define DEFERRED_DROP                                                           \
	"DROP INDEX IF EXISTS mids_mid; DROP INDEX IF EXISTS messages_when;"    \
	" DROP INDEX IF EXISTS messages_ts; DROP INDEX IF EXISTS messages_len;" \
	" DROP INDEX IF EXISTS messages_week;"
#define DEFERRED_MARK "INSERT OR REPLACE INTO meta(key, value) VALUES('indexes', 'deferred');"

enum la_status store_indexes_defer(struct store *st)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db,
	                       "SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'indexes'"
	                       " AND value = 'deferred'), NOT EXISTS (SELECT 1 FROM messages)"
	                       " AND NOT EXISTS (SELECT 1 FROM mids)",
	                       -1, &s, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return LA_EDB;
	}
	int rc = sqlite3_step(s);
	bool marked = rc == SQLITE_ROW && sqlite3_column_int(s, 0) != 0;
	bool empty = rc == SQLITE_ROW && sqlite3_column_int(s, 1) != 0;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return st_error(rc);
	if (empty && !marked) {
		rc = st_exec(st, "BEGIN IMMEDIATE; " DEFERRED_DROP " " DEFERRED_MARK " COMMIT");
		if (rc != SQLITE_OK) {
			st_exec(st, "ROLLBACK");
			return st_error(rc);
		}
		marked = true;
	}
	/* A first index (or one killed and gone on with): its peak RSS
	 * bounded by an 8 MB cache (writer_setup). */
	if (marked && (rc = st_exec(st, "PRAGMA cache_size=-8192")) != SQLITE_OK)
		return st_error(rc);
	st->indexes_deferred = marked;
	return LA_OK;
}

/* For the crash test (t4085): $LISTARC_TEST_INDEXES_KILL=N kills the
 * process (SIGKILL) at point N of store_indexes_finish: 1 before it
 * begins, 2 with the indexes made and not committed. */
static void indexes_kill_point(int n)
{
	const char *k = getenv("LISTARC_TEST_INDEXES_KILL");
	if (k && atoi(k) == n)
		raise(SIGKILL);
}

enum la_status store_indexes_finish(struct store *st, struct la_err *err)
{
	if (!st->indexes_deferred)
		return LA_OK;
	st->indexes_deferred = false;
	store_caches_release(st); /* (the batches' caches: none is needed now) */
	indexes_kill_point(1);
	/* CREATE INDEX's sorter keeps up to cache_size in memory, then
	 * writes sorted runs to temporary files (write.c, st_journals): 2 MB
	 * of it here, where the search thread may still hold its buffers
	 * (10-13 MB) beside it, behind a writer whose batches got faster
	 * (at 1M with search the run's peak was here: 68.7 MB with 8 MB). */
	enum la_status je = st_journals(st, false);
	if (je)
		return la_err_set(err, je, "index: %s", sqlite3_errmsg(st->db));
	int rc = st_exec(st,
	                 "PRAGMA cache_size=-2048; BEGIN IMMEDIATE; " IDX_MIDS_MID IDX_MESSAGES_WHEN
	                         IDX_MESSAGES_TS IDX_MESSAGES_LEN IDX_MESSAGES_WEEK
	                 "DELETE FROM meta WHERE key = 'indexes'");
	/* (DROP INDEX took their rows of the planner's statistics with
	 * them: the fixed ones again, as a new index has them.) */
	if (rc == SQLITE_OK)
		rc = stat1_write(st);
	if (rc == SQLITE_OK) {
		indexes_kill_point(2);
		rc = st_exec(st, "COMMIT");
	}
	/* (the first index's cache again: store_indexes_defer) */
	if (rc == SQLITE_OK)
		rc = st_exec(st, "PRAGMA cache_size=-8192");
	if (rc != SQLITE_OK) {
		enum la_status e = la_err_set(err, st_error(rc), "index: making its indexes: %s",
		                              sqlite3_errmsg(st->db));
		st_exec(st, "ROLLBACK");
		return e;
	}
	return LA_OK;
}

enum la_status store_checkpoint(struct store *st, struct la_err *err)
{
	/* The search index's file's by the thread that writes it, once it
	 * has committed what it was handed, at the same time as this one's
	 * (each syncs its log, then its file: the two one after the other
	 * were most of an append's end). */
	bool asked = st_fts_checkpoint_ask(st);
	/* Passive: readers (the server) are never waited for; what they
	 * still use is copied by a later checkpoint. */
	int rc = sqlite3_wal_checkpoint_v2(st->db, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	int frc = asked ? st_fts_checkpoint_wait(st) : SQLITE_OK;
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return st_fail(st, rc, err, "copying the write-ahead log into index.sqlite");
	/* (Without the thread: the file's own, here, if nothing is left to
	 * it; otherwise its commits copy its log when it passes 8,192
	 * pages, and closing it the rest.) */
	if (!asked)
		frc = st_fts_checkpoint(st);
	if (frc != SQLITE_OK && frc != SQLITE_BUSY && frc != SQLITE_LOCKED) {
		int sys = sqlite3_system_errno(st->fts_db);
		return la_err_set(err, sys == ENOSPC || sys == EDQUOT ? LA_ENOSPC : st_error(frc),
		                  "index: copying the write-ahead log into search.sqlite: %s",
		                  sqlite3_errstr(frc));
	}
	return LA_OK;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	if (st->in_txn || st->in_read)
		st_exec(st, "ROLLBACK");
	store_fts_build_close(st);
	st_write_caches_free(st);
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->prepared[i]);
	series_stmts_free(st);
	store_memo_free(st->memo);
	st_git_packs_free(st);
	free(st->sdirty);
	free(st->sjoin);
	series_old_clear(st);
	free(st->sold);
	stats_stmts_free(st);
	/* A persistent WAL is emptied when the writer closes, so that readers
	 * without write access to the -shm (which rebuild their index of the
	 * WAL for every read) find nothing to read there.  (No `PRAGMA
	 * optimize`: it would measure the statistics, stat1_sql's.) */
	if (st->writer && st->db)
		st_exec(st, "PRAGMA journal_size_limit=0");
	if (st->fts_db)
		sqlite3_exec(st->fts_db, "PRAGMA journal_size_limit=0", NULL, NULL, NULL);
	sqlite3_close(st->fts_db);
	sqlite3_close(st->db);
	free(st);
}

const char *store_dir(const struct store *st)
{
	return st->dir;
}

const char *store_rel_path(const struct store *st, const char *path)
{
	return st_stored_path(st, path);
}
