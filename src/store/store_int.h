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
	S_FTS_INS,
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
	int count;
	bool dirty;
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[S_COUNT];
	bool writer;
	bool in_txn;
	bool in_read;  /* between store_read_begin and store_read_end */
	bool fts_lore; /* the search index has lore's columns (store_search_lore) */
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

/* Hidden messages (hide.c).  STORE_F_HIDDEN's value in SQL, and the
 * conditions the reads use: a message not hidden (prefix: "m." or ""),
 * the hidden messages of a day row or a list row (through the partial
 * index messages_hidden, whose WHERE these repeat word for word). */
#define HIDDEN_BIT_SQL "1073741824"
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
	" address TEXT);\n"

/* hide.c: inside the writer's transaction, hides the messages a hide
 * names that are not hidden yet (those indexed again by a rebuild, or
 * delivered again).  store_commit calls it; cheap with few hidden. */
enum la_status hide_apply(struct store *st);

/* The prepared statement id, reset, bindings cleared; NULL on failure. */
sqlite3_stmt *stmt(struct store *st, enum stmt_id id);
enum la_status db_status(int rc);
enum la_status db_fail(struct store *st, int rc, struct la_err *err, const char *what);
/* Runs a statement that returns no rows; returns SQLITE_DONE or the error. */
int step_done(sqlite3_stmt *s);
int exec(struct store *st, const char *sql);

/* write.c: drops the writer caches (on rollback and close). */
void write_caches_free(struct store *st);

#endif
