/* store_int.h: what store.c, write.c, search.c and bytes.c share
 * (stage-internal). */
#ifndef LISTARC_STORE_INT_H
#define LISTARC_STORE_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"
#include "util/buf.h"

enum stmt_id {
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
	S_MID_INS,
	S_MID_UPD,
	S_MAX_IDS,
	S_MERGE_MIDS,
	S_MERGE_MSGS,
	S_DAY_GET,
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
	S_RECENT,
	S_BY_MSGID,
	S_THREAD_IDS,
	S_THREAD_MSGS,
	S_LIST_NEWEST,
	S_LIST_OLDEST,
	S_DAY_COUNTS,
	S_DAY_PREV,
	S_DAY_NEXT,
	S_LIST_NAMES,
	S_LISTS,
	S_FTS_INS, /* (these three in this order: store_fts_clear) */
	S_FTS_LORE_INS,
	S_FTS_OLD_INS,
	S_PID_INS,
	S_IDS_AFTER,
	S_META_SET,
	S_META_GET,
	S_READ_BEGIN,
	S_DATA_VERSION,
	S_READ_END,
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
};

struct day_entry {
	int64_t list_id;
	int day;
	int count; /* messages (days.count) */
	int gone;  /* numbers of messages removed (table gone) */
	bool dirty;
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[S_COUNT];
	sqlite3_stmt *sstmt[20]; /* series.c's statements */
	bool writer;
	bool in_txn;
	bool in_read;            /* between store_read_begin and store_read_end */
	bool fts_lore;           /* the search index has lore's columns (store_search_lore) */
	bool fts_stems;          /* and the columns of stems (store_search_stems) */
	struct stemmer *stemmer; /* the writer's, made when first needed */
	/* The archive directory, resolved: the sources inside it are stored
	 * relative to it, so that the directory can move. */
	char dir[4096];
	/* Writer state (write.c). */
	struct mid_cache mids;
	struct day_entry *days;
	size_t ndays, capdays;
	int64_t next_mid, next_thread; /* 0 = not loaded */
};

extern const char *const stmt_sql[S_COUNT];

/* The columns each_entry reads (a message row, its Message-ID, its list). */
#define ENTRY_COLS                                                                           \
	"l.name, m.day, m.num, m.ts, m.date, m.subject, m.from_name, m.from_addr, mids.mid," \
	" m.thread, m.id, m.mid, m.parent"
/* Calls fn for each row of s (selecting ENTRY_COLS), then resets s. */
enum la_status each_entry(sqlite3_stmt *s, store_entry_fn fn, void *arg);

/* series.c: a message added (inside the write transaction) joins its
 * series, if its subject is a patch's; id is messages.id, mid and parent
 * mids ids, when the Date: (else delivery time). */
enum la_status series_note(struct store *st, int64_t id, int64_t list_id, int64_t when,
                           const char *subject, const char *from_addr, int64_t mid, int64_t parent);
/* series.c: the change-id: of a cover letter's text, stored on its series. */
enum la_status series_change_id(struct store *st, int64_t id, const struct msg_text *t);
/* series.c: gives every message of an index made before series their
 * series, once (meta series = 1); inside a write transaction. */
enum la_status series_fill(struct store *st);
/* series.c: finalizes its statements (store_close). */
void series_stmts_free(struct store *st);

/* The prepared statement id, reset, bindings cleared; NULL on failure. */
sqlite3_stmt *stmt(struct store *st, enum stmt_id id);
enum la_status db_status(int rc);
enum la_status db_fail(struct store *st, int rc, struct la_err *err, const char *what);
/* Runs a statement that returns no rows; returns SQLITE_DONE or the error. */
int step_done(sqlite3_stmt *s);
int exec(struct store *st, const char *sql);

/* git.c: a copy of the blob `file` ("N/ID": of epoch N of the v2 inbox
 * at path; "ID": of the v1 inbox, a bare repository, at path) in an
 * unnamed file in memory (its size in *size), or -1. */
int store_git_blob_open(const char *path, const char *file, uint64_t *size);

/* write.c: drops the writer caches (on rollback and close). */
void write_caches_free(struct store *st);
/* write.c: writes what the caches hold that the index does not yet, and
 * empties them, in the open transaction (before SQL that changes mids
 * or days behind their back). */
enum la_status write_caches_sync(struct store *st);

#endif
