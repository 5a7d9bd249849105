/* store_int.h: what the store's files share (stage-internal): the
 * connection, the prepared statements and sql.c's helpers.  store.c opens
 * and closes; read.c and search.c read; write.c writes (using read.c's
 * source lookups); each runs its SQL through sql.c. */
#ifndef LISTARC_STORE_INT_H
#define LISTARC_STORE_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"
#include "util/buf.h"

/* The search index: s subject, f from, t to, c cc, nq non-quoted body,
 * q quoted body, dfn file names of patches; and (lore's prefixes) the
 * diffs' removed, added and context lines and hunk header context, the
 * blob ids of their index lines, attachment file names, List-Id; and
 * the English stems (util/stem.h) of s, nq (with the diffs' lines, as
 * lore's nq: has them) and q, each distinct stem once per message, in
 * zs, znq and zq (as Xapian's Z terms: no phrases). */
#define FTS_SQL                                                                                      \
	"CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(s, f, t, c, nq, q, dfn, dfa, dfb, dfctx," \
	" dfhh, dfpre, dfpost, n, l, zs, znq, zq, zdfa, zdfb, zdfctx, content='',"                   \
	" tokenize='unicode61 remove_diacritics 2 tokenchars _')"
/* Columns of the search index before the lore prefixes, and before the
 * stems (those indexes split words at '_' too; Xapian, and so lore,
 * keeps an identifier such as vm_acct_memory one word), and before the
 * diffs' stems (zdfa, zdfb, zdfctx) and the folded letters (util/fold.h:
 * the text is folded before unicode61 tokenizes it; an index of
 * FTS_STEM_COLUMNS has the stems of the diffs' lines in znq and its
 * words unfolded: it is written and searched as one of FTS_LORE_COLUMNS,
 * without stems or folding, until `listarc index` rebuilds it). */
/* The search index in a file of its own, search.sqlite beside
 * index.sqlite (docs/INDEX.md, "The search index's file"): the table
 * fts, and fts_state's one row, the id up to which every message's text
 * is in fts (the messages after it are indexed again when a writer
 * opens: store.c, store_search_catch_up). */
#define FTS_FILE "search.sqlite"
/* A rebuild of the search index is made in a file of its own beside it,
 * renamed over FTS_FILE when whole (searchfile.c). */
#define FTS_NEW FTS_FILE ".new"
#define FTS_STATE_SQL \
	"CREATE TABLE IF NOT EXISTS fts_state(k INTEGER PRIMARY KEY, upto INTEGER NOT NULL)"
#define FTS_OLD_COLUMNS 7
#define FTS_LORE_COLUMNS 15
#define FTS_STEM_COLUMNS 18

/* A source and its decompressed copy, if it has one (read.c, read_source). */
#define SRC_COLS                                                                            \
	"s.id, s.list_id, s.path, s.kind, s.done, s.fp_head, s.fp_tail, s.last_ts, c.copy," \
	" coalesce(c.orig_size, -1), coalesce(c.orig_mtime, 0), coalesce(c.orig_fp, 0),"    \
	" coalesce(c.copy_len, -1)"                                                         \
	" FROM sources s LEFT JOIN source_copies c ON c.source_id = s.id"

enum st_stmt_id {
	S_LIST_ID,
	S_LIST_INS,
	S_SRC_GET,
	S_SRC_INS,
	S_SRC_BYID,
	S_SRC_LIST,
	S_SRC_SAVE,
	S_SRC_PATH,
	S_COPY_SAVE,
	S_MID_BYHASH,
	S_MID_PARENT_OF,
	S_MID_TEXT,
	S_MID_NEAR,
	S_MID_INS,
	S_MID_INS16, /* 16 rows of S_MID_INS in one statement */
	S_MID_UPD,
	S_MIDWORD_INS,
	S_MIDWORD_INS64, /* 64 rows of S_MIDWORD_INS in one statement */
	S_MAX_IDS,
	S_MERGE_MIDS,
	S_MERGE_MSGS,
	S_DAY_GET,
	S_DAY_PURGED,
	S_DAY_SET,
	S_MSG_INS,
	S_SEEN_GET,
	S_SEEN_INS,
	S_MSG_GET,
	S_MSG_BYID,
	S_NAV_PREV,
	S_NAV_NEXT,
	S_NAV_TPREV,
	S_NAV_TNEXT,
	S_DAY_MSGS,
	S_DAY_LINES,
	S_DAYS_LINES,
	S_RECENT,
	S_BY_MSGID,
	S_THREAD_IDS,
	S_THREAD_MSGS,
	S_THREAD_LEAN,
	S_LIST_NEWEST,
	S_LIST_OLDEST,
	S_DAY_COUNTS,
	S_DAY_PREV,
	S_DAY_NEXT,
	S_LIST_NAMES,
	S_LISTS,
	S_FTS_INS, /* (these three in this order: fts_stmts_drop) */
	S_FTS_LORE_INS,
	S_FTS_OLD_INS,
	S_PID_INS,
	S_IDS_AFTER,
	S_META_SET,
	S_META_GET,
	S_READ_BEGIN,
	S_DATA_VERSION,
	S_DATA_VERSION_S, /* search.sqlite's, when attached */
	S_READ_END,
	S_DAY_HIDDEN,
	S_LINES_NOTE, /* daylines.c */
	S_LINES_DIRTY,
	S_LINES_DEL,
	S_LINES_COUNT,
	S_LINES_SET,
	S_LINES_GET,
	S_COUNT
};

/* Message-IDs touched by the current write transaction, kept in memory
 * and written at commit (write.c). */
struct mid_entry {
	uint64_t hash;
	int64_t id, thread, parent, msgs;
	uint32_t text_off, text_len; /* in mid_cache.text */
	uint8_t state;               /* MID_CLEAN, MID_NEW, MID_DIRTY */
};

struct mid_cache {
	struct mid_entry *e;
	size_t n, cap;
	uint32_t *slot; /* by hash; open addressing: entry index + 1, 0 = empty */
	uint32_t *byid; /* by id, the same way; both tables have nslot slots */
	size_t nslot;
	uint32_t *dirty; /* indexes of entries to write at commit */
	size_t ndirty, capdirty;
	struct buf text;
	/* Every row of mids is in the cache (it was empty when the cache
	 * started, and nothing was dropped since): a Message-ID not found
	 * here is new, without a look-up in the index. */
	bool complete;
};

struct day_entry {
	int64_t list_id;
	int day;
	int count; /* messages (days.count), purged rows among them */
	int gone;  /* numbers of messages removed (table gone) */
	/* The last number given, and the purged rows' numbers past it: a
	 * rebuild keeps each purged row (its number) and gives the messages
	 * around it the numbers they had (write.c next_daynum). */
	int last;
	int purged_seen; /* the purged numbers up to here are counted in last */
	int purged_next; /* the next purged number after purged_seen, 0: none */
	bool dirty;
};

struct series_old;
struct sfilter;

struct store {
	sqlite3 *db;
	sqlite3_stmt *prepared[S_COUNT];
	sqlite3_stmt *sstmt[56]; /* series.c's statements */
	int64_t *sdirty;         /* threads whose series' state to refresh at commit (series.c) */
	size_t nsdirty, capsdirty;
	/* The messages that joined a series in the transaction: their
	 * patch ids are the links a commit adds (series.c: walk_sharers). */
	int64_t *sjoin;
	size_t nsjoin, capsjoin;
	/* The series renamed in the transaction, each with the name its
	 * walks linked it by before (series.c: series_rename, and the
	 * refresh's walks as they were: series_state_refresh). */
	struct series_old *sold;
	size_t nsold, capsold;
	/* A reader of an index that no writer has opened since series (or
	 * their states) came: empty TEMP tables stand for those it lacks
	 * until it has them (series.c: series_reader_tables). */
	bool series_temp;
	/* A reader's TEMP fts5vocab table of the search index (search.c:
	 * prefix_terms): 0 not made yet, 1 made, -1 it could not be. */
	int fts_vocab;
	/* A first index: the series' states are made once at its end
	 * (store_states_finish), not at each commit (series.c). */
	bool states_deferred;
	/* While states_deferred, on an index that had no series when its
	 * first patch came: what the series hold, as a filter that tells
	 * which of series_note's lookups can find nothing (series.c:
	 * struct sfilter; sflt_state 0 not yet asked, 1 on, -1 off). */
	struct sfilter *sflt;
	int sflt_state;
	/* A first index: the indexes only readers use are made at its end
	 * (store.c: store_indexes_finish). */
	bool indexes_deferred;
	/* While indexes_deferred, a filter of the hashes of every row of
	 * mids (write.c, struct midfilter; midf_state 0 not yet made, 1
	 * on, -1 off). */
	struct midfilter *midf;
	int midf_state;
	/* The data_version of the read transaction open (0: none), and the
	 * lists' series counts read at scount_gen (series.c: a count reads
	 * every series of a list). */
	uint64_t read_gen, scount_gen;
	/* The last states pass's bounds and what it held (store_memory_get). */
	bool fill_ran;
	struct store_states_mem fill_max, fill_held;
	struct {
		int64_t list_id;
		int count;
	} scount[16];
	size_t nscount;
	/* What pages read again and again, for read_gen (memo.c). */
	struct store_memo *memo;
	/* git.c: the packs of the last repositories a blob was read from,
	 * kept open with their delta bases (NULL until one is). */
	struct st_kept_packs *kept_packs;
	sqlite3_stmt *stats_stmt[16]; /* stats.c's */
	sqlite3_stmt *stats_apply[12];
	/* The messages shown added since the last stats_flush, in order
	 * (stats.c: stats_note_add), their addresses and names in stext. */
	struct stats_add {
		int64_t list_id, thread, ts, id;
		size_t addr, name; /* offsets into stext */
		int day;
	} * sadd;
	size_t nsadd, capsadd;
	char *stext;
	size_t nstext, capstext;
	/* Of them, sadd[0..nsheld) are held by store_commit (stats_hold)
	 * instead of written: stats_apply counts them as if they were the
	 * rows of stats_delta after rowid smark. */
	size_t nsheld;
	int64_t smark;
	sqlite3_stmt *stats_ins;
	/* The additions written into stats_delta since the last
	 * stats_apply, by thread, for the topics they only add to
	 * (stats.c: topics_apply). */
	struct stats_tadd {
		int64_t list_id, thread, ts, id;
	} * tadd;
	size_t ntadd, captadd;
	sqlite3_stmt *stats_c[24]; /* stats.c's counting statements */
	bool writer;
	enum store_mode mode; /* as opened (store_open) */
	bool in_txn;
	bool jrnl_mem;  /* statement journals in memory (write.c, st_journals) */
	bool in_read;   /* between store_read_begin and store_read_end */
	bool fts_lore;  /* the search index has lore's columns (store_search_lore) */
	bool fts_stems; /* and the columns of stems (store_search_stems) */
	/* Search index rows handed over and not yet inserted, and the
	 * thread that prepares them (write.c, store_fts_add). */
	bool has_tz;            /* messages has the senders' offsets (tz) */
	bool has_mid_words;     /* mid_words holds every message's Message-ID's words */
	int64_t mid_words_upto; /* the transaction's last message added, for meta mid_words */
	/* The transaction's mid_words rows not yet written (write.c,
	 * st_mid_words_add): (word, mids id), each word at mwrow.off in
	 * mwtext, NUL-terminated; written sorted by st_mid_words_flush. */
	struct mw_row {
		int64_t mid;
		size_t off;
	} * mwrow;
	size_t nmwrow, capmwrow;
	char *mwtext;
	size_t nmwtext, capmwtext;
	struct fts_prep *fts_prep;
	/* The search index's own file (FTS_FILE): a writer's second
	 * connection to it, written by the thread of fts_prep (NULL: the
	 * index's fts is inside index.sqlite, as an index made before the
	 * file has it); a reader has it attached as "s" (fts_attached). */
	sqlite3 *fts_db;
	bool fts_attached;
	/* The data version at which a reader last looked for that file
	 * (read.c: a writer may upgrade the index under a running server,
	 * or rename a rebuilt file over it), the device and inode of the
	 * file attached (a writer's: of its connection's, store_fts_follow),
	 * and a count of attaches and detaches. */
	uint64_t fts_looked;
	uint64_t fts_dev, fts_ino, fts_gen;
	/* A rebuild of the search index under way in this writer
	 * (searchfile.c, store_fts_build_open): fts_db is then the new file's
	 * connection (FTS_NEW), fts_old the file in use's (NULL for an fts
	 * inside index.sqlite), fts_old_stuck its fts_stuck. */
	bool fts_building, fts_old_stuck;
	sqlite3 *fts_old;
	/* The file's commit failed after index.sqlite's: nothing more is
	 * written there by this connection (write.c, st_fts_commit). */
	bool fts_stuck;
	/* The archive directory, resolved: the sources inside it are stored
	 * relative to it, so that the directory can move. */
	char dir[4096];
	/* Writer state (write.c). */
	struct mid_cache mids;
	struct day_entry *days;
	size_t ndays, capdays;
	int64_t next_mid, next_thread; /* 0 = not loaded */
	/* The index has table day_lines (daylines.c); lines_asked: looked. */
	bool has_lines, lines_asked;
};

extern const char *const st_sql[S_COUNT];

/* Hidden messages (hide.c).  STORE_F_HIDDEN's value in SQL, and the
 * conditions the reads use: a message not hidden (prefix: "m." or ""),
 * the hidden messages of a day row or a list row (through the partial
 * index messages_hidden, whose WHERE these repeat word for word). */
#define HIDDEN_BIT_SQL "1073741824"
/* STORE_F_PURGED's value in SQL. */
#define PURGED_BIT_SQL "536870912"
#define NOT_HIDDEN(prefix) prefix "flags & " HIDDEN_BIT_SQL " = 0"
#define HIDDEN_IN_DAY(t)                                                                  \
	"(SELECT count(*) FROM messages h WHERE h.list_id = " t ".list_id AND h.day = " t \
	".day AND h.flags & " HIDDEN_BIT_SQL " != 0)"
#define HIDDEN_IN_LIST(t)                                       \
	"(SELECT count(*) FROM messages h WHERE h.list_id = " t \
	".id AND h.flags & " HIDDEN_BIT_SQL " != 0)"
#define HIDE_SQL                                                                                       \
	"CREATE INDEX IF NOT EXISTS messages_hidden ON messages(list_id, day)"                         \
	" WHERE flags & " HIDDEN_BIT_SQL " != 0;\n"                                                    \
	"CREATE TABLE IF NOT EXISTS hidden(list_id INTEGER NOT NULL, hash INTEGER NOT NULL,"           \
	" msgid TEXT NOT NULL, reason TEXT NOT NULL, public INTEGER NOT NULL, since INTEGER NOT NULL," \
	" PRIMARY KEY(list_id, msgid)) WITHOUT ROWID;\n"                                               \
	"CREATE TABLE IF NOT EXISTS hide_log(id INTEGER PRIMARY KEY, at INTEGER NOT NULL,"             \
	" action TEXT NOT NULL, list TEXT NOT NULL, msgid TEXT NOT NULL, by TEXT NOT NULL,"            \
	" reason TEXT NOT NULL);\n"                                                                    \
	"CREATE TABLE IF NOT EXISTS list_settings(list_id INTEGER PRIMARY KEY, description TEXT,"      \
	" address TEXT);\n" PURGE_SQL
/* A purge under way (purge.c): written before its file is touched,
 * deleted in the transaction that records it done. */
#define PURGE_SQL                                                                               \
	"CREATE TABLE IF NOT EXISTS purges(id INTEGER PRIMARY KEY, list_id INTEGER NOT NULL,"   \
	" source_id INTEGER NOT NULL, msg_id INTEGER NOT NULL, start INTEGER NOT NULL,"         \
	" end INTEGER NOT NULL, ino INTEGER NOT NULL, file TEXT NOT NULL, msgid TEXT NOT NULL," \
	" by TEXT NOT NULL, reason TEXT NOT NULL, public INTEGER NOT NULL, at INTEGER NOT NULL);\n"

/* hide.c: inside the writer's transaction, hides the messages a hide
 * names that are not hidden yet (those indexed again by a rebuild, or
 * delivered again).  store_commit calls it; cheap with few hidden. */
LA_MUST_CHECK enum la_status hide_apply(struct store *st);

/* sql.c.  The prepared statement id, reset and with its bindings
 * cleared; NULL if it cannot be prepared (an internal error). */
sqlite3_stmt *st_prepare(struct store *st, enum st_stmt_id id);
/* An SQLite result code as a status (LA_OK for OK, DONE and ROW). */
LA_MUST_CHECK enum la_status st_status(int rc);
/* The status of a statement that failed with rc: st_status, but LA_EDB
 * where that would be LA_OK (rc not an error, in a place that wanted
 * another code). */
LA_MUST_CHECK enum la_status st_error(int rc);
/* Sets err from the failed rc (LA_EDB if rc is not an error) and the
 * connection's message, prefixed "index: WHAT: "; a full disk is
 * LA_ENOSPC wherever SQLite met it. */
LA_MUST_CHECK enum la_status st_fail(struct store *st, int rc, struct la_err *err,
                                     const char *what);
/* Runs a statement that returns no rows; returns SQLITE_DONE or the error. */
int st_step_done(sqlite3_stmt *s);
/* Writes the mid_words rows st_mid_words_add has kept, sorted by word
 * and id (one b-tree walk, where a row per word as it came was an insert
 * at a random place: a --no-search first index took 1.13-1.20x the CPU);
 * SQLITE_DONE or the failure.  store_commit calls it before it moves
 * meta mid_words, so the rows and the mark land in one transaction. */
int st_mid_words_flush(struct store *st);
/* Adds the words of Message-ID text[0..n) (msgid_word_next) to mid_words
 * for mids id mid, kept until st_mid_words_flush (written then when more
 * than MW_ROWS_MAX are kept); SQLITE_DONE or SQLite's error. */
int st_mid_words_add(struct store *st, int64_t mid, const char *text, size_t n);
/* What st_each_row and st_one_row call on a row of s: returns
 * SQLITE_ROW to go on, SQLITE_DONE to stop there, or an error code
 * (SQLITE_NOMEM) that fails the call. */
typedef int (*st_row_fn)(sqlite3_stmt *s, void *arg);
/* Steps s through its rows, fn(s, arg) on each, then resets s.  LA_OK
 * when the rows ran out or fn stopped; else the status of the error,
 * SQLite's or fn's (st_error). */
LA_MUST_CHECK enum la_status st_each_row(sqlite3_stmt *s, st_row_fn fn, void *arg);
/* Steps s to its first row, which fn(s, arg) reads (fn may be NULL),
 * then resets s.  LA_OK if there was a row (and fn did not fail),
 * LA_ENOTFOUND if there was none, else the status of the error. */
LA_MUST_CHECK enum la_status st_one_row(sqlite3_stmt *s, st_row_fn fn, void *arg);
/* Runs SQL text (one or more statements, no rows); an SQLite code. */
int st_exec(struct store *st, const char *sql);
/* Statement journals in memory (a batch's transaction) or in SQLite's
 * temporary file (any other); between transactions only (write.c). */
LA_MUST_CHECK enum la_status st_journals(struct store *st, bool in_memory);
/* write.c: inserts the search index rows store_fts_add was given (at
 * store_commit, and when they grow large); st_fts_pend_drop forgets
 * them (a rollback); st_fts_prep_free stops the thread that prepares
 * them and frees what it holds (store_close). */
LA_MUST_CHECK enum la_status st_fts_flush(struct store *st);
void st_fts_pend_drop(struct store *st);
void st_fts_prep_free(struct store *st);
/* write.c: after the index's COMMIT, the search index's file's own, with
 * the id its rows now cover (fts_state.upto: at least cover; nothing when
 * no row was written and cover is 0): made by the thread that writes the
 * rows once it has them all, not waited for unless cover is given. */
LA_MUST_CHECK enum la_status st_fts_commit(struct store *st, int64_t cover);
/* write.c: waits until that thread has written and committed every row
 * and mark handed over (st->fts_db is the caller's again); a failure of
 * the file's writes sets st->fts_stuck. */
void st_fts_idle(struct store *st);
/* write.c: a passive checkpoint of the search index's file (st->fts_db),
 * made only if the thread that writes it is idle (not waited for);
 * SQLite's code (SQLITE_OK also when there is no file or it was not
 * made). */
int st_fts_checkpoint(struct store *st);
/* write.c: the same made by that thread itself, once it has taken (and
 * committed) everything handed over, while the caller does something
 * else (store_checkpoint: index.sqlite's checkpoint); false if no thread
 * writes the file (then st_fts_checkpoint).  st_fts_checkpoint_wait
 * waits for it and returns SQLite's code (only after a true ask). */
bool st_fts_checkpoint_ask(struct store *st);
int st_fts_checkpoint_wait(struct store *st);
/* store.c: opens (and creates) the search index's own file as st->fts_db;
 * st_fts_file_clear empties it (committed at once). */
LA_MUST_CHECK enum la_status st_fts_open(struct store *st);
/* store.c: a writer's connection to the search index's file at path
 * (created with its tables if need be) into *out; persist keeps its WAL
 * file when it closes (as index.sqlite's: the live file's). */
LA_MUST_CHECK enum la_status st_fts_file_open(const char *path, bool persist, sqlite3 **out);
/* On db, before its table fts is first used: unicode61 as ftstok.c
 * makes its tokens, the same as SQLite's for less work (a writer's
 * connection to the search index's file).  Tests only
 * (LISTARC_FTS_SQLITE_TOKENS=1): SQLite's own, to compare (t4081). */
void st_fts_fast_tokens(sqlite3 *db);
/* ftstok.c: db's FTS5 interface, NULL if it has none. */
fts5_api *st_fts5_api(sqlite3 *db);
/* rank.c: a phrase's rows counted at most for its idf (the rest
 * estimated).  (Tests set another: LISTARC_TEST_RANK_COUNT=N.) */
#define RANK_COUNT_MAX 10000
/* rank.c: the auxiliary function lrank(fts) on db, a search's relevance
 * (bm25 with each phrase's rows counted up to a bound); without it (no
 * memory) a ranked search fails as a statement that does not prepare. */
void st_fts_rank(sqlite3 *db);
/* searchfile.c: a writer's open finishes a rebuild's swap that a kill
 * stopped after the rename (meta "search_build" "swap", FTS_NEW gone):
 * the index's side of it, committed. */
LA_MUST_CHECK enum la_status st_fts_swap_finish(struct store *st);
/* A reader attaches the search index's own file once it is there (an
 * index upgraded by a writer since the reader opened it), and attaches
 * it again when another file has been renamed over it (a rebuild's
 * swap): outside a transaction.  st_fts_moved: whether st_fts_attach
 * has anything to do (a stat, and a look at index.sqlite's schema when
 * nothing is attached; in a read transaction or not). */
LA_MUST_CHECK enum la_status st_fts_attach(struct store *st);
bool st_fts_moved(struct store *st);
LA_MUST_CHECK enum la_status st_fts_file_clear(struct store *st);
/* write.c: the thread's rows go to st->fts_db from now on. */
void st_fts_use_file(struct store *st);
/* write.c: the search text of message id again, into the search index's
 * file only (no patch ids, trailers or series: those are in the index
 * already); store.c's catch-up after a run killed between the two
 * commits. */
LA_MUST_CHECK enum la_status st_fts_readd(struct store *st, int64_t id, const char *subject,
                                          const char *from, const struct msg_text *t);
/* write.c: message id's search row made again from its source
 * (store_fts_add's, or with readd st_fts_readd's; none for a message
 * gone or unreadable); bytes and text are the caller's, reused. */
LA_MUST_CHECK enum la_status st_fts_from_source(struct store *st, int64_t id, bool readd,
                                                struct buf *bytes, struct msg_text *text);
/* write.c: the id up to which the search index's file holds every
 * message's text (fts_state), 0 if none. */
int64_t st_fts_upto(struct store *st);
/* Whether table has column (false also if there is no such table). */
bool st_has_column(struct store *st, const char *table, const char *column);
/* Prepares sql into *out as sqlite3_prepare_v2 does (an SQLite code);
 * on an index without messages.tz (a reader's, of an index no writer of
 * this listarc has opened yet), each "m.tz" of the text reads NULL. */
int st_prepare_sql(struct store *st, const char *sql, unsigned flags, sqlite3_stmt **out);
/* Sets st->fts_lore and st->fts_stems: whether the search index has
 * lore's columns, and the stems' columns. */
void st_fts_columns(struct store *st);
/* search.c: the SQL store_search runs for q (list_id 0: every list),
 * appended to out, for the plan checks (test_store): step 0 its first
 * statement (the walk of the matches newest first with words, else the
 * count), 1 a page newest first, 2 the same when more than DENSE_MIN
 * match, 3 a page by relevance (with words). */
struct search_query;
void search_sql(const struct search_query *q, int64_t list_id, int step, struct buf *out);
/* A source's path as stored: relative to the archive directory when it
 * is inside it (a pointer into path), else path itself. */
const char *st_stored_path(const struct store *st, const char *path);
/* A path as stored into out (n bytes), absolute. */
void st_resolve_path(const struct store *st, const char *p, char *out, size_t n);

/* read.c: the source of list_id stored as `key` into *src; LA_ENOTFOUND
 * if none. */
LA_MUST_CHECK enum la_status st_source_get(struct store *st, int64_t list_id, const char *key,
                                           struct store_source *src);
/* read.c: the source of an archive of schema 1 (absolute paths) moved
 * elsewhere since: the one of list_id and kind whose stored absolute path
 * ends in "/" + key and no longer exists.  LA_ENOTFOUND if there is none,
 * or more than one. */
LA_MUST_CHECK enum la_status st_source_moved(struct store *st, int64_t list_id, const char *key,
                                             enum source_kind kind, struct store_source *src);

/* read.c: the columns st_each_entry reads (a message row, its
 * Message-ID, its list), and calls fn for each row of s (selecting
 * ENTRY_COLS), then resets s. */
#define ENTRY_COLS                                                                           \
	"l.name, m.day, m.num, m.ts, m.date, m.subject, m.from_name, m.from_addr, mids.mid," \
	" m.thread, m.id, m.mid, m.parent"
/* And the sender's offset (st_each_entry reads a column named tz after
 * ENTRY_COLS; st_prepare_sql makes it NULL on an index without it). */
#define ENTRY_TZ_COLS ENTRY_COLS ", m.tz AS tz"
LA_MUST_CHECK enum la_status st_each_entry(sqlite3_stmt *s, store_entry_fn fn, void *arg);
/* A listing's lines, which show neither the Message-ID nor the ids: the
 * columns st_each_line reads, without a join for the one nor the columns
 * of the other (its entries' msgid is "", their ids 0).  Nine columns a
 * row, not fourteen: a month page reads a few hundred rows. */
#define LINE_TZ_COLS "l.name, m.day, m.num, m.ts, m.date, m.subject, m.from_name, m.from_addr, m.tz"
LA_MUST_CHECK enum la_status st_each_line(sqlite3_stmt *s, store_entry_fn fn, void *arg);

/* daylines.c: a day's listing lines kept as one row.  st_lines_sql
 * (the schema's, after the tz column) makes its tables and the triggers
 * that delete a day's row when its messages change; st_lines_note notes
 * a day that store_add added to (days_flush); st_lines_flush, at
 * commit, makes the noted days' rows again; st_days_lines reads a range
 * of days as store_days_lines does (a day without a row from messages). */
/* The tables and triggers, run by the schema's writer (store.c) after
 * the tz column they name.  day_lines' key is a day of a list as one
 * integer, list_id * 2^32 + day (its rowid: a table with rowids keeps
 * rows of a few KB compactly, WITHOUT ROWID does not). */
extern const char st_lines_sql[];
extern const size_t st_lines_sql_len;
/* A row's blob (daylines.c): store_lines_start, then store_lines_pack
 * for each entry (false: out of memory); store_lines_unpack gives each
 * entry to fn, with the list and day given: STORE_LINES_BAD, none given
 * (not a blob of this form: the day is read from messages),
 * STORE_LINES_CORRUPT, cut short or malformed after the entries given
 * (the index is damaged: the page fails as a failed read would). */
enum store_lines_result { STORE_LINES_OK, STORE_LINES_STOP, STORE_LINES_BAD, STORE_LINES_CORRUPT };
void store_lines_start(struct buf *b);
bool store_lines_pack(const struct store_entry *e, struct buf *b);
enum store_lines_result store_lines_unpack(const void *data, size_t n, const char *list, int day,
                                           store_entry_fn fn, void *arg);
LA_MUST_CHECK enum la_status st_lines_note(struct store *st, int64_t list_id, int day);
LA_MUST_CHECK enum la_status st_lines_flush(struct store *st);
LA_MUST_CHECK enum la_status st_days_lines(struct store *st, int64_t list_id, int from, int to,
                                           store_entry_fn fn, void *arg);

/* series.c: a message added (inside the write transaction) joins its
 * series, if its subject is a patch's; id is messages.id, mid and parent
 * mids ids, when the Date: (else delivery time), from_name its row's
 * (NULL: not known); copy: whether other messages may have its
 * Message-ID (false: the first with it). */
LA_MUST_CHECK enum la_status series_note(struct store *st, int64_t id, int64_t list_id,
                                         int64_t when, const char *subject, const char *from_addr,
                                         const char *from_name, int64_t mid, int64_t parent,
                                         bool copy);
/* series.c: a series row's columns from col on (list, cover, version,
 * total, flags, first date, author, name, change-id: the order of
 * series.c's and memo.c's statements) into out, all but its id. */
void st_series_columns(sqlite3_stmt *s, int col, struct store_series *out);
/* series.c: the change-id: of a cover letter's text, stored on its series. */
LA_MUST_CHECK enum la_status series_change_id(struct store *st, int64_t id,
                                              const struct msg_text *t);
/* series.c: the review trailers of a message's text (msg_series_trailers
 * on its lines not quoted), stored for the series pages. */
LA_MUST_CHECK enum la_status series_trailers(struct store *st, int64_t id,
                                             const struct msg_text *t);
/* series.c: gives the messages of an index made before the trailers
 * table theirs, once (meta trailers = 1): those of the threads of patch
 * series, read from their sources, with their cover letters' change-id:
 * lines; nothing for an index without search text.  Inside a write
 * transaction. */
LA_MUST_CHECK enum la_status series_trailers_fill(struct store *st);
/* series.c: the series of thread (or of message id's thread) need their
 * state (series_state) computed again at commit: a patch, a review, a
 * change-id, a message hidden, shown again or removed.  LA_ENOMEM.
 * series_dirty_thread is for a message removed: it makes the commit
 * compute every state near the series changed, none skipped. */
LA_MUST_CHECK enum la_status series_dirty_thread(struct store *st, int64_t thread);
LA_MUST_CHECK enum la_status series_dirty_msg(struct store *st, int64_t id);
/* The same for the threads of list_id's messages of Message-ID msgid. */
LA_MUST_CHECK enum la_status series_dirty_msgid(struct store *st, int64_t list_id,
                                                const char *msgid);
/* series.c: computes the state of the series of the threads named dirty
 * and of all their versions, and forgets the names (store_commit). */
LA_MUST_CHECK enum la_status series_state_refresh(struct store *st);
/* series.c: the state of every series of an index made before
 * series_state, once (meta series_state = 1); inside a write
 * transaction. */
LA_MUST_CHECK enum la_status series_state_fill(struct store *st);
/* series.c: for a reader, empty TEMP tables for the series tables the
 * index lacks (made before them, and no writer has opened it since), and
 * once it has them, none (store_open, store_read_begin).  Returns LA_OK
 * or LA_EDB. */
LA_MUST_CHECK enum la_status series_reader_tables(struct store *st);
/* series.c: gives every message of an index made before series their
 * series, once (meta series = 1); inside a write transaction. */
LA_MUST_CHECK enum la_status series_fill(struct store *st);
/* series.c: finalizes its statements (store_close). */
void series_stmts_free(struct store *st);
/* Forgets the series renamed in the transaction (st->sold): at its
 * refresh, rollback or close. */
void series_old_clear(struct store *st);

/* stats.c: adds up the changes noted (stats_sql.h) into the figures,
 * and sets the page key of new senders, in the writer's transaction;
 * store_commit calls it (after stats_hold). */
LA_MUST_CHECK enum la_status stats_apply(struct store *st);
/* stats.c: notes a message shown that store_add inserted (row id; what
 * the trigger stats_add did before), in memory. */
LA_MUST_CHECK enum la_status stats_note_add(struct store *st, int64_t id, int64_t list_id,
                                            int64_t thread, const char *addr, const char *name,
                                            int day, int64_t ts);
/* stats.c: writes the noted additions into stats_delta, in order, in the
 * open transaction: before any statement whose triggers note a change
 * of messages (a thread merge, a hide, a removal, a purge), so that
 * stats_delta holds every change in the order it was made, and at
 * commit. */
LA_MUST_CHECK enum la_status stats_flush(struct store *st);
/* stats.c: what store_commit does instead of stats_flush: keeps the
 * noted additions in memory, for stats_apply to count where stats_flush
 * would have written them (after the rows stats_delta holds now, before
 * those its triggers note later in the commit): their rows are not
 * written to be read back and deleted. */
LA_MUST_CHECK enum la_status stats_hold(struct store *st);
/* stats.c: forgets the noted additions (a rollback). */
void stats_pending_drop(struct store *st);
/* stats.c: makes a list's figures whole from its messages, once for an
 * index made before them (meta stats = 1); inside a write transaction. */
LA_MUST_CHECK enum la_status stats_fill(struct store *st);
/* stats.c: finalizes its statements (store_close). */
void stats_stmts_free(struct store *st);
/* series.c, stats.c: the text of their i-th statement, NULL past the
 * last (test_store.c checks their plans). */
const char *series_sql_at(size_t i);
const char *stats_sql_at(size_t i);
const char *memo_sql_at(size_t i);

/* git.c: a copy of the blob `file` ("N/ID": of epoch N of the v2 inbox
 * at path; "ID": of the v1 inbox, a bare repository, at path) in an
 * unnamed file in memory (its size in *size), or -1: read from the
 * repository's packs (gitpack.h), else by store_git_blob_open. */
int st_git_blob_fd(struct store *st, const char *path, const char *file, uint64_t *size);
/* git.c: closes the packs st_git_blob_fd kept (store_close). */
void st_git_packs_free(struct store *st);
/* gitrepo.c: the same read with libgit2 (listarc-ext.so, loaded on the
 * first call: loose objects, packs gitpack.h leaves out). */
int store_git_blob_open(const char *path, const char *file, uint64_t *size);
/* git.c: a message's file, "N/ID" (v2, epoch N of at most 6 digits) or
 * "ID" (v1): the ID part and the epoch (-1 for v1), or NULL. */
const char *st_git_file_oid(const char *file, int *epoch);

/* memo.c: frees the memo of pages' reads (NULL-safe). */
struct store_memo;
void store_memo_free(struct store_memo *m);

/* write.c: drops the writer caches (on rollback and close). */
void st_write_caches_free(struct store *st);
/* write.c: writes what the caches hold that the index does not yet, and
 * empties them, in the open transaction (before SQL that changes mids
 * or days behind their back). */
LA_MUST_CHECK enum la_status st_write_caches_sync(struct store *st);

#endif
