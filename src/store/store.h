/* store.h: the SQLite index.  One file, DIR/index.sqlite, in WAL mode:
 * any number of readers (pages) run beside one writer (the indexer), and
 * neither blocks the other.
 *
 * The index holds where each message is (source file, offset, length),
 * never its bytes: the mbox is the source of truth.  Everything a page
 * lists without opening the message (subject, sender, dates, thread) is
 * stored per message. */
#ifndef LISTARC_STORE_H
#define LISTARC_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "limits.h"
#include "msg/ftsrow.h"
#include "msg/msg.h"
#include "msg/series.h"
#include "msg/text.h"
#include "util/buf.h"
#include "util/status.h"

struct store;

enum store_mode {
	STORE_READ,          /* read-only (and memory-mapped); fails with LA_ENOTFOUND
	                        if there is no index */
	STORE_WRITE,         /* creates DIR and the index if needed, and adds to an
	                        older index what the schema has gained */
	STORE_READ_LEAN,     /* as STORE_READ, not memory-mapped and with a small
	                        page cache: a connection that reads little (the
	                        server's loops), whose mapped pages would count in
	                        the process's RSS once per connection */
	STORE_READ_UNMAPPED, /* as STORE_READ, with its page cache, but read
	                        with pread, not through a memory map: what it
	                        reads counts in the process's RSS up to its
	                        page cache (8 MB a file), however big the
	                        index (the server's render threads;
	                        docs/server-memory.md) */
};

/* Opens DIR/index.sqlite into *out, which the caller closes with
 * store_close.  Fails (*out NULL, err saying why) with LA_ENOTFOUND (no
 * index to read), LA_EDB (an index of a schema version this listarc does
 * not read), LA_EINVAL (DIR too long), or what SQLite met: LA_EIO,
 * LA_ENOSPC, LA_ENOMEM, LA_EAGAIN (still locked after its 10 s busy
 * timeout), LA_EDB. */
LA_MUST_CHECK enum la_status store_open(struct store **out, const char *dir, enum store_mode mode,
                                        struct la_err *err);
/* NULL-safe.  Rolls back a transaction left open, finalizes every
 * statement and closes the connection.  A writer also runs PRAGMA
 * optimize, and leaves the write-ahead log empty when it is the last
 * connection to close. */
void store_close(struct store *st);

/* Copies what the write-ahead log holds into index.sqlite (writer only),
 * as closing would, but says whether it could: LA_ENOSPC if the disk is
 * full (what was committed stays safe in the log, and readers see it).
 * Passive: it never waits for readers, and what they still use is copied
 * by a later checkpoint.  search.sqlite's log too, by the thread that
 * writes it once it has committed what it was handed, at the same time
 * (waited for: its failure is said too). */
LA_MUST_CHECK enum la_status store_checkpoint(struct store *st, struct la_err *err);

/* For `listarc index` (a run that may write a whole archive): the
 * write-ahead log is copied into index.sqlite when it passes
 * STORE_BULK_WAL_PAGES instead of 8,192 pages (32 MB).  A batch of a
 * first index writes about that much, so every commit copied the log
 * and synced the file (0.6 s of the 100,000 messages' 5); now the log is
 * copied at most every 256 MB, and whole by the run's last
 * store_checkpoint.  Crash safety is the log's: a commit is in it
 * whenever the copy happens. */
LA_MUST_CHECK enum la_status store_bulk(struct store *st);

/* A run of `listarc index` that starts on an index without messages (a
 * first index), or on one whose such run was killed before it ended,
 * makes the series' states once at its end (store_states_finish) rather
 * than again at every commit for the series a batch touched: each
 * commit marks them not made (meta.series_state '0'; readers compute
 * the states they show meanwhile, as for an index made before them).
 * A writer whose run was killed, or that never calls finish, leaves the
 * mark for the next `index` run to finish. */
LA_MUST_CHECK enum la_status store_states_defer(struct store *st);
LA_MUST_CHECK enum la_status store_states_finish(struct store *st, struct la_err *err);

/* A run of `listarc index` that starts on an empty index (or on one
 * whose such run was killed) leaves out the indexes only readers use
 * (searches by date, size or a Message-ID's text) and makes them once
 * at its end (store_indexes_finish), as store_states_defer does the
 * series' states; meta.indexes = 'deferred' marks them missing. */
LA_MUST_CHECK enum la_status store_indexes_defer(struct store *st);
LA_MUST_CHECK enum la_status store_indexes_finish(struct store *st, struct la_err *err);

/* ---- lists and sources ---- */

/* SOURCE_MBOX is any file of messages by offset: an mbox (of any kind),
 * an MMDF file, one message, or a compressed one of these (read through
 * its decompressed copy). */
/* SOURCE_GIT: a public-inbox inbox (v2: a directory of epochs
 * git/N.git; v1: one bare repository): its messages are blobs, read
 * from git by their id; the message's file is "N/ID" (v2: epoch N) or
 * "ID" (v1), ID being 40 hex digits. */
enum source_kind { SOURCE_MBOX = 0, SOURCE_MAILDIR = 1, SOURCE_MH = 2, SOURCE_GIT = 3 };

struct store_source {
	int64_t id;
	int64_t list_id;
	char path[4096];
	enum source_kind kind;
	uint64_t done;   /* mbox: bytes indexed (offset of the next From_ line) */
	int64_t fp_head; /* hash of the first FP_BYTES bytes */
	int64_t fp_tail; /* hash of the FP_BYTES bytes before done */
	int64_t last_ts; /* delivery time of the last message (date fallback) */
	/* A compressed source: the decompressed copy its messages are read
	 * from (absolute; "" for any other source), saved by store_commit,
	 * and what the original was when the copy was last made whole (-1:
	 * never): size, mtime (ns), fingerprint, and the copy's length. */
	char copy[4096];
	int64_t orig_size, orig_mtime, orig_fp, copy_len;
};

/* "an mbox", "a maildir", "an MH folder". */
const char *source_kind_name(enum source_kind k);
/* The archive directory, resolved (it holds index.sqlite). */
const char *store_dir(const struct store *st);
/* path as the index stores it: relative to the archive directory if it
 * is inside it, else path itself (borrowed from path). */
const char *store_rel_path(const struct store *st, const char *path);

/* Fingerprint window for detecting a rewritten mbox. */
#define FP_BYTES 4096

/* Looks up a list by name; *id = 0 and LA_ENOTFOUND if absent. */
LA_MUST_CHECK enum la_status store_list_id(struct store *st, const char *name, int64_t *id);
/* The name of list id into out (n bytes); LA_ENOTFOUND if there is none. */
LA_MUST_CHECK enum la_status store_list_name(struct store *st, int64_t id, char *out, size_t n);
/* The source of list_id at path (resolved), without registering it:
 * LA_OK, LA_ENOTFOUND, LA_EDB. */
LA_MUST_CHECK enum la_status store_source_find(struct store *st, int64_t list_id, const char *path,
                                               struct store_source *src);
/* Finds or creates a list (writer only). */
LA_MUST_CHECK enum la_status store_list_ensure(struct store *st, const char *name, int64_t *id,
                                               struct la_err *err);
/* Finds or registers a source of a list (writer only).  A source inside
 * DIR is stored relative to it; one stored by an older listarc with its
 * absolute path (here, or where the archive was before it moved) is
 * found and stored relative from then on.  LA_EINVAL if the path was
 * indexed as the other kind (mbox, maildir). */
LA_MUST_CHECK enum la_status store_source_ensure(struct store *st, int64_t list_id,
                                                 const char *path, enum source_kind kind,
                                                 struct store_source *src, struct la_err *err);
/* Every source of a list, in the order they were added; fn returns false to stop. */
LA_MUST_CHECK enum la_status store_sources(struct store *st, int64_t list_id,
                                           bool (*fn)(const struct store_source *s, void *arg),
                                           void *arg);
/* Path and kind of a source, by id. */
LA_MUST_CHECK enum la_status store_source_get(struct store *st, int64_t id,
                                              struct store_source *src);

/* ---- writing (the indexer) ---- */

/* One message to add.  The strings are borrowed for the call. */
struct store_new_msg {
	int64_t list_id;
	int64_t source_id;
	uint64_t off, len;
	const char *file; /* maildir: path relative to the maildir, else NULL */
	int day;          /* yyyymmdd of delivery (the URL date) */
	int64_t ts;       /* delivery time, seconds since the epoch */
	bool has_date;
	int64_t date; /* Date: header, seconds since the epoch */
	const struct msg_summary *sum;
	const char *made_up_id;      /* used when sum->msgid is "" */
	const struct msg_text *text; /* searchable text, or NULL: not searchable */
	/* text's row of the search index prepared by the caller (ingest's
	 * reader, for store_fts_cols' form), or NULL: the store prepares
	 * it (as it does when the form is another by then). */
	const struct msg_fts_row *fts;
};

/* Begins a write transaction (BEGIN IMMEDIATE). */
LA_MUST_CHECK enum la_status store_begin(struct store *st, struct la_err *err);
/* Begins a batch of new messages (store_add, store_commit): as
 * store_begin, with SQLite's statement journals kept in memory for the
 * transaction (write.c, st_journals).  Only for transactions whose
 * statements each change a bounded number of rows: a batch's. */
LA_MUST_CHECK enum la_status store_begin_batch(struct store *st, struct la_err *err);
/* Commits, storing the resume state of src (done, fingerprints; NULL:
 * none) and the time of the change (store_mtime) in the same
 * transaction. */
LA_MUST_CHECK enum la_status store_commit(struct store *st, const struct store_source *src,
                                          struct la_err *err);
/* Rolls back (NULL-safe on a store without a transaction). */
void store_rollback(struct store *st);

/* Adds a message inside the current transaction: gives it the next free
 * number of its day, threads it, and returns its number in *num and
 * whether its Message-ID was already present (a duplicate) in *dup. */
LA_MUST_CHECK enum la_status store_add(struct store *st, const struct store_new_msg *m, int *num,
                                       bool *dup, struct la_err *err);

/* The form of search-index rows (msg/ftsrow.h) to prepare ahead of
 * store_add (struct store_new_msg's fts) for the index as it is now:
 * asked once at the start of a run; MSG_FTS_NONE if none is to be. */
enum msg_fts_cols store_fts_cols(struct store *st);
/* The search text of message id (inside a write transaction). */
LA_MUST_CHECK enum la_status store_fts_add(struct store *st, int64_t id, const char *subject,
                                           const char *from, const struct msg_text *t);
/* The search text of message id made again from its source (inside a
 * write transaction; `reindex --search`): bytes and text are the
 * caller's buffers, reused from call to call.  LA_OK and no row for a
 * message gone or unreadable. */
LA_MUST_CHECK enum la_status store_fts_add_source(struct store *st, int64_t id, struct buf *bytes,
                                                  struct msg_text *text);
/* A rebuild of the search index (`reindex --search`, the upgrade of an
 * older one: ingest_reindex_search), made in a file of its own,
 * search.sqlite.new, while readers and the writers' new messages go on
 * using search.sqlite (docs/INDEX.md, "Rebuilding the search index").
 * store_fts_build_open, outside a transaction, makes the new file (or
 * goes on with the one a stopped rebuild left, meta "search_build") the
 * one store_fts_add writes, and gives in *after the last message id
 * whose text it holds whole; store_fts_build_forget, in the batch's
 * transaction, drops the patch ids of the messages after..last, which
 * the batch gives again; store_fts_build_mark, after the batch's
 * store_commit, records that the file holds every message up to last
 * (LA_EIO if its commit failed).  store_fts_build_swap, the file whole
 * (every message's text in it), renames it over search.sqlite, with
 * STORE_SEARCH_FORMAT recorded and the file opened as the writer's; with
 * *swapped false when readers held the old file's log (the next writer
 * tries again).  store_fts_build_close goes back to the file in use (a
 * share done, a failure). */
LA_MUST_CHECK enum la_status store_fts_build_open(struct store *st, int64_t *after);
LA_MUST_CHECK enum la_status store_fts_build_forget(struct store *st, int64_t after, int64_t last);
LA_MUST_CHECK enum la_status store_fts_build_mark(struct store *st, int64_t last);
LA_MUST_CHECK enum la_status store_fts_build_swap(struct store *st, bool *swapped,
                                                  struct la_err *err);
void store_fts_build_close(struct store *st);
/* A writer that opened the index before taking the archive lock (as
 * `deliver` does) calls this once it holds it: a rebuild swapped in since
 * by another writer is finished and the writer's connection moved to the
 * new search.sqlite (its rows would otherwise go to the file renamed
 * over, or to an fts dropped from index.sqlite).  Outside a transaction. */
LA_MUST_CHECK enum la_status store_fts_follow(struct store *st);
/* A writer's catch-up of the search index's own file (search.sqlite):
 * the text of the messages index.sqlite has and the file lacks (a run
 * killed between the two commits) indexed again and committed.  Call it
 * holding the archive lock (ingest_lock), before adding messages: two
 * writers catching up at once would index the same text twice.  LA_OK
 * (also when there is nothing to do, or the index has no such file), or
 * the failure. */
LA_MUST_CHECK enum la_status store_search_catch_up(struct store *st);
/* Waits until the search index's file has every row handed over
 * committed (its thread commits it after index.sqlite, batches behind);
 * the failure of a write there (a full disk: LA_ENOSPC) in this
 * connection, after which nothing more was written there: the messages
 * are indexed, their search rows are left to the next writer's
 * catch-up. */
LA_MUST_CHECK enum la_status store_search_sync(struct store *st, struct la_err *err);
/* Frees what a writer's batches keep between transactions for the
 * next (the Message-IDs met, the mid_words rows' arrays, the days; each
 * only if nothing of it is still to be written) and gives the heap's
 * free pages back: for the end of an index run, whose deferred indexes
 * and series' states need none of it (a later batch reads what it needs
 * from the index again). */
void store_caches_release(struct store *st);
/* Frees what the thread that writes the search index's file holds
 * between batches (its buffers, its spool's disk space, that
 * connection's page cache), once it is idle.  What is handed over later
 * is written as before. */
void store_search_release(struct store *st);
/* The same without waiting: only if the thread has nothing left to do
 * now (then the heap's free pages are given back too).  The end of a
 * first index calls it before each of its long passes (the deferred
 * indexes, the series' states): on a big archive the search thread is
 * done long before them, and what it held was part of the run's peak
 * beside them (docs/INDEX.md, "What the indexer holds").  Returns
 * whether it freed. */
bool store_search_release_idle(struct store *st);

/* What a writer is set to hold (for tests: t4091): index.sqlite's and
 * search.sqlite's page caches (PRAGMA cache_size, negative: KiB), its
 * temp_store (0: SQLite's default, files), and of the search rows handed
 * to the thread that writes search.sqlite, the bytes in all, the most
 * it held at once and the bytes after which the writer spools them (or,
 * without a spool, waits for the thread). */
struct store_memory {
	int64_t cache_size, search_cache_size, temp_store;
	uint64_t search_handed, search_held_max, search_handed_limit;
	uint64_t search_ready; /* rows handed over prepared (store_new_msg's fts) */
	/* The series' states pass of this run (series_state_fill), if one
	 * ran: its bounds and the most each of its caches held (t3337). */
	bool states_ran;
	struct store_states_mem {
		size_t rows, names, groupm, reviews, parents, versions, walks, ids;
	} states_max, states_held;
	/* The records written to the spool (write.c, spool_put) and the
	 * most bytes it held at once. */
	uint64_t search_spooled, search_spool_max;
};
void store_memory_get(struct store *st, struct store_memory *out);
/* Whether the search index has what lore's prefixes need (dfa: dfb:
 * dfctx: dfhh: dfpre: dfpost: dfblob: n: l: lid: patchid:): false for an
 * index made by a listarc before them, until `reindex --search`. */
bool store_search_lore(struct store *st);
/* Whether the search index has the columns of English stems (a lowercase
 * word finds its inflections): false for an index made by a listarc
 * before them, until `reindex --search` (which `listarc index` runs by
 * itself when it finds such an index). */
bool store_search_stems(struct store *st);
/* The form of the search index's rows this listarc writes (meta
 * "search_format"): 3 since no word is left out of the stems for a hash
 * it shared with an earlier stem ("we" after "I've"); 2 since the diffs'
 * columns keep their lines apart (a phrase does not cross them) and dfhh
 * holds its words' stems.  An index without the row had its rows written
 * by an older listarc (1). */
#define STORE_SEARCH_FORMAT 3
/* Whether the search index's rows are of STORE_SEARCH_FORMAT: true for
 * an index this listarc made, or rebuilt whole (`reindex --search`);
 * false for an older one, or one whose rebuild is under way (meta
 * "search_build", or "search" "rebuilding" as an older listarc's rebuild
 * left it), which `listarc index` and `listarc deliver`
 * rebuild (ingest_reindex_search). */
bool store_search_current(struct store *st);
/* Whether the index has the words of its Message-IDs (mid_words: m:
 * with a part of one is a lookup there), as every index a writer of this
 * listarc has opened does; false for one only an older listarc has
 * written (m: then reads every Message-ID). */
bool store_mid_words(struct store *st);
/* q[0..n) parsed for this index (search_parse_mids): its search index's
 * columns, and m:'s plan from its mid_words' counts. */
struct search_query;
LA_MUST_CHECK enum la_status store_search_parse(struct store *st, const char *q, size_t n,
                                                int64_t now, struct search_query **out,
                                                struct la_err *err);
/* Up to max message ids greater than after, in order. */
LA_MUST_CHECK enum la_status store_msg_ids_after(struct store *st, int64_t after, int64_t *ids,
                                                 int max, int *n);

/* Archive-wide settings kept in the index (meta table): "search" is "on",
 * "off" (`listarc index --no-search`) or "rebuilding" (an older
 * listarc's `reindex --search` under way in place, "fts_upto" its resume
 * point); "search_build" "1" while a rebuild is made beside the search
 * index, "swap" while it is renamed over it (store_fts_build_open);
 * "schema",
 * "schema_sql" and "updated" are the store's own.  get: LA_ENOTFOUND if
 * the key is absent (out unchanged); the value is cut to n - 1 bytes. */
LA_MUST_CHECK enum la_status store_meta_get(struct store *st, const char *key, char *out, size_t n);
LA_MUST_CHECK enum la_status store_meta_set(struct store *st, const char *key, const char *value);

/* A git source's last commit indexed in epoch (0 for a v1 inbox), as
 * 40 hex digits; LA_ENOTFOUND ("") if none yet.  Set it in the
 * transaction that adds the messages of the commits up to it, so the
 * two commit together. */
LA_MUST_CHECK enum la_status store_git_head_get(struct store *st, int64_t source_id, int epoch,
                                                char *hex, size_t n);
LA_MUST_CHECK enum la_status store_git_head_set(struct store *st, int64_t source_id, int epoch,
                                                const char *hex);

/* Removes the messages of source_id whose file is `file` (a git source's
 * "N/ID" or "ID"), in the writer's transaction: from pages,
 * threads' counts, search results (their rows stay in the contentless
 * search index and match no message), feeds and downloads.  Each one's
 * URL answers 410 from then on (store_msg_gone); its number is never
 * given to another message (the day's next number counts the removed).  *removed: how
 * many were removed (0: none had that file). */
LA_MUST_CHECK enum la_status store_msg_remove(struct store *st, int64_t source_id, const char *file,
                                              int *removed, struct la_err *err);
/* Calls fn with the file ("N/ID", or "ID" for v1: epoch -1) of every
 * message of git source source_id in epoch; fn returns false to stop. */
LA_MUST_CHECK enum la_status store_git_files(struct store *st, int64_t source_id, int epoch,
                                             bool (*fn)(const char *file, void *arg), void *arg);
/* How far the index is behind the public-inbox mirrors it reads (a
 * replica's health): for every git source of every list and each epoch
 * on disk (epoch -1: a v1 repository), fn gets the list's name, the
 * source's path, the epoch's HEAD as the mirror holds it (what the last
 * git fetch brought; "" if unborn or unreadable) and the last commit
 * indexed ("" if none).  They differ while new commits wait for
 * `listarc index`. */
typedef void (*store_git_status_fn)(const char *list, const char *path, int epoch, const char *head,
                                    const char *indexed, void *arg);
LA_MUST_CHECK enum la_status store_git_status(struct store *st, store_git_status_fn fn, void *arg);
/* Was /LIST/YYYY/MM/DD/N a message that was removed (store_msg_remove)? */
LA_MUST_CHECK enum la_status store_msg_gone(struct store *st, int64_t list_id, int day, int num,
                                            bool *gone);

/* Maildir bookkeeping: has this unique name been indexed? */
LA_MUST_CHECK enum la_status store_maildir_seen(struct store *st, int64_t source_id,
                                                const char *uniq, bool *seen);
LA_MUST_CHECK enum la_status store_maildir_mark(struct store *st, int64_t source_id,
                                                const char *uniq);

/* Deletes every message, day count, maildir name seen, removed message
 * (gone) and source state (git sources' last commits too) of a list (for `listarc index
 * --rebuild`), in one transaction, and drops the write caches.  Purged messages' rows stay
 * (STORE_F_PURGED): their day counts are kept, and the sources indexed again give every other
 * message its number around them, so no URL changes.  Thread ids of other lists are kept; the
 * search index keeps rows for the deleted ids, which are never reused and so match nothing. */
LA_MUST_CHECK enum la_status store_list_purge(struct store *st, int64_t list_id,
                                              struct la_err *err);

/* ---- reading (pages) ---- */

/* A message row.  Strings are owned by the struct: store_msg_clear frees
 * them.  list is the list's name. */
struct store_msg {
	int64_t id, list_id, source_id;
	int day, num;
	int64_t ts, date;
	bool has_date;
	int64_t mid, parent, thread;
	uint64_t off, len;
	unsigned flags;
	char *list, *msgid, *subject, *from_name, *from_addr, *file;
};

void store_msg_clear(struct store_msg *m);

/* Fills sum for message m (its references, parent and From:) for
 * store_rethread; false if its bytes cannot be read. */
typedef bool (*store_summary_fn)(const struct store_msg *m, struct msg_summary *sum, void *arg);
/* Threads every message of list_id again, in one transaction of its own
 * (writer only): the thread and parent of its messages' Message-IDs, and
 * of the ghosts of their threads, are made anew from what fn gives, in
 * the order they were indexed, as the indexer threads (new thread ids;
 * copies in other lists follow); each message's from_name becomes fn's.
 * A message fn cannot read is a thread of its own.  No URL changes.
 * *n: messages threaded. */
LA_MUST_CHECK enum la_status store_rethread(struct store *st, int64_t list_id, store_summary_fn fn,
                                            void *arg, uint64_t *n, struct la_err *err);

/* The message /LIST/YYYY/MM/DD/N.  LA_ENOTFOUND if there is none. */
LA_MUST_CHECK enum la_status store_msg_get(struct store *st, int64_t list_id, int day, int num,
                                           struct store_msg *m);

/* The message with index id (messages.id).  LA_ENOTFOUND if there is
 * none. */
LA_MUST_CHECK enum la_status store_msg_by_id(struct store *st, int64_t id, struct store_msg *m);

/* Opens the file holding m (its mbox, or its maildir file, which may have
 * moved from new/ to cur/ since; a git source's blob is copied into an
 * unnamed file in memory, at offset 0).  Returns a descriptor the caller closes
 * and the file's size in *size, or -1. */
int store_msg_open(struct store *st, const struct store_msg *m, uint64_t *size);
/* Appends m's bytes, at most max, with mboxrd quoting undone if they
 * carry it (store_msg_quoted), to out.
 * LA_ECHANGED if the file is shorter than the index says (never reads
 * past it) or holds another message at m's offset (another Message-ID,
 * checked when max covers the header block: see msg_index_id), LA_EIO if
 * it cannot be read. */
LA_MUST_CHECK enum la_status store_msg_read(struct store *st, const struct store_msg *m, size_t max,
                                            struct buf *out);
/* The same from a descriptor store_msg_open returned. */
LA_MUST_CHECK enum la_status store_msg_read_fd(int fd, const struct store_msg *m, size_t max,
                                               struct buf *out);
/* Whether m's bytes in its source carry mbox quoting: a message of an mbox
 * does (a body line "From " was written ">From "; reading undoes one
 * level, as mboxrd says), a maildir or MH file or a git blob holds the
 * message as it is, and its ">From " lines are the message's own. */
bool store_msg_quoted(const struct store_msg *m);

/* Neighbours of a message: prev/next in the list (by day, then number),
 * and in its thread within the same list (by delivery time, then id).  A
 * zero day means none. */
struct store_nav {
	int prev_day, prev_num, next_day, next_num;
	int tprev_day, tprev_num, tnext_day, tnext_num;
};
LA_MUST_CHECK enum la_status store_msg_nav(struct store *st, const struct store_msg *m,
                                           struct store_nav *nav);

/* A row of a message listing, borrowed for the duration of the callback. */
struct store_entry {
	int64_t id; /* messages.id (set by store_search) */
	const char *list;
	int day, num;
	int64_t ts, date;
	bool has_date;
	const char *subject, *from_name, *from_addr, *msgid;
	int64_t thread;
	int64_t mid, parent; /* mids.id of the message and of its parent (0 if none) */
	bool has_tz;         /* the Date: gave the sender's offset: */
	int tz;              /* minutes east of UTC (date is in UTC) */
};
typedef bool (*store_entry_fn)(const struct store_entry *e, void *arg);

/* Messages of one day in number order, from number `from`, at most limit. */
LA_MUST_CHECK enum la_status store_day_msgs(struct store *st, int64_t list_id, int day, int from,
                                            int limit, store_entry_fn fn, void *arg);
/* The same for a listing's lines, which never show the Message-ID nor
 * the ids: the entries' msgid is "" (not read: no join for it), their
 * thread, id, mid and parent 0. */
LA_MUST_CHECK enum la_status store_day_lines(struct store *st, int64_t list_id, int day, int from,
                                             int limit, store_entry_fn fn, void *arg);
/* Every message of the days from..to (day keys), by day and number, msgid
 * "" as store_day_lines': for a page of days that shows them all (one
 * query, not one a day). */
LA_MUST_CHECK enum la_status store_days_lines(struct store *st, int64_t list_id, int from, int to,
                                              store_entry_fn fn, void *arg);
/* The most recent messages of a list (by day and number, newest first). */
LA_MUST_CHECK enum la_status store_recent(struct store *st, int64_t list_id, int limit,
                                          store_entry_fn fn, void *arg);

/* A page of a list's messages by their URL key (day, number): those with
 * day in [since, until] and a key before (newest_first) or after the
 * key (after_day, after_num), at most limit, in that direction.  For the
 * first page pass a key beyond every message: (99999999, 0) newest first,
 * (0, 0) oldest first. */
LA_MUST_CHECK enum la_status store_list_msgs(struct store *st, int64_t list_id, int since,
                                             int until, int after_day, int after_num,
                                             bool newest_first, int limit, store_entry_fn fn,
                                             void *arg);

/* Per-day message counts of a list for days in [from, to] (yyyymmdd). */
LA_MUST_CHECK enum la_status store_day_counts(struct store *st, int64_t list_id, int from, int to,
                                              bool (*fn)(int day, int count, void *arg), void *arg);
/* The nearest day with messages before / after day (0 if none). */
LA_MUST_CHECK enum la_status store_day_adjacent(struct store *st, int64_t list_id, int day,
                                                int *prev, int *next);

struct store_list_info {
	const char *name;
	int64_t id;
	int64_t count;
	int first_day, last_day;
};
/* The names of every list, by name (cheap: for the site bar). */
LA_MUST_CHECK enum la_status store_list_names(struct store *st,
                                              bool (*fn)(const char *name, void *arg), void *arg);
/* Every list, by name. */
LA_MUST_CHECK enum la_status store_lists(struct store *st,
                                         bool (*fn)(const struct store_list_info *l, void *arg),
                                         void *arg);

/* A read transaction, for a reader that wants one consistent view over
 * several calls (a page): every read until store_read_end sees the index
 * as it was when store_read_begin returned, and writers go on meanwhile
 * (WAL).  *version is SQLite's data_version of this connection: it differs
 * from the value of an earlier transaction exactly when someone else has
 * committed in between, so it keys caches of what was read.  Returns
 * LA_OK, or LA_EDB/LA_EAGAIN/LA_EIO without a transaction open. */
LA_MUST_CHECK enum la_status store_read_begin(struct store *st, uint64_t *version);
/* Ends the read transaction (NULL-safe; nothing happens without one). */
void store_read_end(struct store *st);
/* The data_version store_read_begin would give now, in one statement and
 * without leaving a transaction open (ends one that is): for a cache
 * asked before anything is read.  Returns LA_OK, or LA_EDB/LA_EAGAIN/
 * LA_EIO. */
LA_MUST_CHECK enum la_status store_data_version(struct store *st, uint64_t *version);

/* ---- Message-IDs and threads ---- */

/* Messages whose Message-ID is msgid (several for copies and cross-posts),
 * in list_id only unless it is 0, oldest first. */
LA_MUST_CHECK enum la_status store_msgs_by_msgid(struct store *st, const char *msgid,
                                                 int64_t list_id, store_entry_fn fn, void *arg);

/* The mids row of msgid (a message's or a ghost's): its id and thread.
 * LA_ENOTFOUND if the archive has never seen the ID. */
LA_MUST_CHECK enum la_status store_mid_find(struct store *st, const char *msgid, int64_t *id,
                                            int64_t *thread);

/* Message-IDs of messages near msgid, for its 404 page (lore's partial
 * matches): those of NEAR_ID_MIN bytes or more that msgid begins (a link
 * with junk after the ID), found by hash; then, if prefix is not "",
 * those starting with prefix, in byte order (a range of the index of
 * IDs, NEAR_WALK_MAX rows of it at most, whatever the archive's size);
 * msgid itself never.  At most max, each passed to fn (the string lives
 * for the call). */
LA_MUST_CHECK enum la_status store_mids_near(struct store *st, const char *prefix,
                                             const char *msgid, size_t max,
                                             void (*fn)(const char *mid, void *arg), void *arg);

/* The Message-ID of mids row id into out (n bytes, cut if longer; at
 * most MSGID_MAX + 1 are ever needed).  LA_ENOTFOUND if there is none. */
LA_MUST_CHECK enum la_status store_mid_text(struct store *st, int64_t id, char *out, size_t n);

/* The Message-IDs of a thread (real and ghosts), with their parent links:
 * fn gets (mids.id, parent mids.id or 0, the Message-ID).  At most max. */
LA_MUST_CHECK enum la_status store_thread_ids(struct store *st, int64_t thread, int max,
                                              bool (*fn)(int64_t id, int64_t parent,
                                                         const char *mid, void *arg),
                                              void *arg);
/* The messages of a thread in list_id (all lists if 0), by delivery time,
 * at most max. */
LA_MUST_CHECK enum la_status store_thread_msgs(struct store *st, int64_t thread, int64_t list_id,
                                               int max, store_entry_fn fn, void *arg);
/* The same rows, in the same order, without their Message-IDs (msgid is
 * ""): for a caller that has them from store_thread_ids, by the entries'
 * mid.  (A message whose mids row is missing, which the index never
 * holds, is a row here and none of store_thread_msgs'.) */
LA_MUST_CHECK enum la_status store_thread_msgs_lean(struct store *st, int64_t thread,
                                                    int64_t list_id, int max, store_entry_fn fn,
                                                    void *arg);
/* store_thread_ids and store_thread_msgs_lean, the rows kept for the read
 * transaction's data version (memo.c): the outline under every message
 * of a thread reads the same rows. */
LA_MUST_CHECK enum la_status store_thread_ids_memo(struct store *st, int64_t thread, int max,
                                                   bool (*fn)(int64_t id, int64_t parent,
                                                              const char *mid, void *arg),
                                                   void *arg);
LA_MUST_CHECK enum la_status store_thread_msgs_lean_memo(struct store *st, int64_t thread,
                                                         int64_t list_id, int max,
                                                         store_entry_fn fn, void *arg);

/* ---- patch series (series.c; docs/series.md) ---- */

/* One version of a series.  cover is the cover letter's messages.id (0:
 * none arrived); author and name as compared between versions (lowercase,
 * whitespace folded); change_id b4's, or "". */
struct store_series {
	int64_t id, list_id, cover;
	unsigned version, total, flags; /* flags: MSG_SERIES_RFC, _RESEND */
	int64_t first_ts;               /* first Date: (else delivery time) of those not hidden */
	char author[ADDR_MAX + 1];
	char name[SUBJECT_MAX + 1];
	char change_id[CHANGE_ID_MAX + 1];
};
/* Series id; LA_ENOTFOUND if there is none. */
LA_MUST_CHECK enum la_status store_series_get(struct store *st, int64_t id, struct store_series *s);
/* The series message msg (messages.id) is a patch or the cover letter of,
 * and its place in *part (0: the cover letter).  LA_ENOTFOUND if none. */
LA_MUST_CHECK enum la_status store_series_of(struct store *st, int64_t msg, struct store_series *s,
                                             unsigned *part);
/* The messages of series id by part (a part sent twice: both, oldest
 * first), the cover letter first; at most 4000.  Hidden messages are
 * left out (their places look as if they never arrived). */
LA_MUST_CHECK enum la_status store_series_msgs(struct store *st, int64_t id,
                                               bool (*fn)(const struct store_entry *e,
                                                          unsigned part, void *arg),
                                               void *arg);
/* Why store_series_versions took a series for a version of another. */
enum {
	STORE_SERIES_BY_CHANGE_ID = 1,
	STORE_SERIES_BY_NAME = 2,
	STORE_SERIES_BY_PATCHID = 3,
};
/* The versions of s's series: s first, then every series linked to one
 * already found by the same change-id, by the same name and author, or
 * by a patch id shared with the same author (in that order of rules),
 * at most max, in ids (how: the rule that found each; 0 for s) and,
 * unless rows is NULL, each one's row in rows (as store_series_get). */
LA_MUST_CHECK enum la_status store_series_versions(struct store *st, const struct store_series *s,
                                                   int64_t *ids, unsigned *how,
                                                   struct store_series *rows, int max, int *n);
/* The same (rows not NULL), kept for the read transaction's data version
 * (memo.c): every page of each version of a series asks it again. */
LA_MUST_CHECK enum la_status store_series_versions_memo(struct store *st,
                                                        const struct store_series *s, int64_t *ids,
                                                        unsigned *how, struct store_series *rows,
                                                        int max, int *n);
/* The first message store_series_msgs gives of series id (its cover
 * letter, else its first patch shown) to fn, none if it has none shown;
 * kept as store_series_versions_memo keeps the versions. */
LA_MUST_CHECK enum la_status store_series_head(struct store *st, int64_t id,
                                               bool (*fn)(const struct store_entry *e,
                                                          unsigned part, void *arg),
                                               void *arg);

/* The state of a series (kept up to date at every commit that touches
 * its threads or versions; hidden messages do not count): msgs, its
 * messages shown (0: none, the series is listed nowhere); parts, its
 * places 1..total that arrived; reviewed, those of them with a
 * Reviewed-by: or Acked-by: (from a reply under it or under the cover
 * letter, or carried from an earlier version's same patch); latest,
 * whether no later version is shown; newest, the highest version shown
 * of all its versions; first_ts, its first message's Date: (else
 * delivery time).  Reviewed: reviewed == total. */
struct store_series_state {
	unsigned msgs, parts, reviewed, newest;
	bool latest;
	int64_t first_ts;
};
/* Series id's state; LA_ENOTFOUND if it has none. */
LA_MUST_CHECK enum la_status store_series_state(struct store *st, int64_t id,
                                                struct store_series_state *out);
/* Whether list_id has a series with a message shown, into *any. */
LA_MUST_CHECK enum la_status store_series_any(struct store *st, int64_t list_id, bool *any);
/* The series of list_id with a message shown, newest first (by first_ts,
 * then id), those before (before_ts, before_id) (INT64_MAX, INT64_MAX:
 * from the newest), skipping offset, at most limit; *total: how many the
 * list has.  fn gets each (its state in ss) and returns false to stop. */
LA_MUST_CHECK enum la_status store_series_list(struct store *st, int64_t list_id, int64_t before_ts,
                                               int64_t before_id, int offset, int limit, int *total,
                                               bool (*fn)(const struct store_series *s,
                                                          const struct store_series_state *ss,
                                                          void *arg),
                                               void *arg);

/* The Message-IDs (mids ids) of series id's messages not shown (hidden,
 * or removed from their source), at most max, in mids[0..*n): a reply
 * under one of them counts for no message of the series. */
LA_MUST_CHECK enum la_status store_series_unshown(struct store *st, int64_t id, int64_t *mids,
                                                  size_t max, size_t *n);

/* Whether every message's review trailers are in the index (the trailers
 * table): an index with search text whose older messages have been read
 * for them (store.c does that once).  When false, read them from the
 * messages (msg_series_trailers). */
bool store_trailers_ready(struct store *st);
/* The review trailers of the messages of thread (of list_id, all lists
 * if 0), hidden ones left out, in message id and line order: fn gets the
 * message (messages.id), the kind and the value (borrowed for the call)
 * and returns false to stop. */
LA_MUST_CHECK enum la_status store_thread_trailers(
	struct store *st, int64_t thread, int64_t list_id,
	bool (*fn)(int64_t id, enum msg_trailer_kind k, const char *v, void *arg), void *arg);

/* The patch ids of message msg (git patch-id --stable, as patchid:
 * searches them), sorted, at most max, in out[0..*n).  None for an index
 * made before patch ids until `reindex --search`. */
LA_MUST_CHECK enum la_status store_msg_patchids(struct store *st, int64_t msg,
                                                char (*out)[PATCHID_HEX + 1], size_t max,
                                                size_t *n);

/* ---- search ---- */

struct search_query;

enum search_order { SEARCH_NEWEST, SEARCH_RELEVANCE };

/* Messages matching q (see search/search.h), optionally only of list_id
 * (0 = all lists), newest first (in the order they were indexed) or by
 * relevance (bm25, among the newest 10,000 matches, each phrase's rows
 * counted up to 10,000 and estimated past that: rank.c; queries without a
 * full-text part fall back to newest first), skipping offset and
 * returning at most limit.  *total is the number of matches, counted up
 * to count_max (then it is count_max).  Entries' id is set. */
LA_MUST_CHECK enum la_status store_search(struct store *st, const struct search_query *q,
                                          int64_t list_id, enum search_order order, int offset,
                                          int limit, int count_max, int *total, store_entry_fn fn,
                                          void *arg);

/* The same among the messages of one thread (messages.thread, as
 * store_mid_find gives it). */
LA_MUST_CHECK enum la_status store_search_thread(struct store *st, const struct search_query *q,
                                                 int64_t list_id, int64_t thread,
                                                 enum search_order order, int offset, int limit,
                                                 int count_max, int *total, store_entry_fn fn,
                                                 void *arg);

/* How store_search and store_search_thread read q's matches in order
 * (the choice is q's and order's alone; listarc search --explain shows
 * it): */
enum store_search_plan {
	STORE_PLAN_MATCH,     /* the MATCH's matches walked newest first */
	STORE_PLAN_RANKED,    /* bm25 among the newest RANK_WINDOW matches (rank.c) */
	STORE_PLAN_UNION,     /* each member of search_branches newest first, merged */
	STORE_PLAN_EXCEPT,    /* search_except's condition walked newest first, less
	                       * its NOTs' full-text matches walked in step */
	STORE_PLAN_CONDITION, /* the condition (no full text at its top): counted,
	                       * then the page read through its index or walked */
};
enum store_search_plan store_search_plan(const struct search_query *q, enum search_order order);

/* The plan store_search runs for q, as lines appended to out (each
 * ending in a newline): "plan: ..." naming it, then the statements'
 * MATCH and condition (search_describe) of each part it reads. */
void store_search_explain(const struct search_query *q, enum search_order order, struct buf *out);
/* The ids store_search bounds q's matches by, from its date range
 * (search.c, date_bounds), as a line "date range bounds: ..." appended to
 * out; nothing if they are not bounded (no range, or one every week of
 * the archive meets). */
void store_search_explain_bounds(struct store *st, const struct search_query *q, struct buf *out);
/* How store_search reads the prefix phrases (word*) of q's full-text
 * parts for a walk of walk matches (a page and its count: a page's
 * offset and length, or the count asked for, whichever is more): as an
 * OR of the index's words that start with each, or as a prefix and why
 * (search.c, prefix_match), a line "prefix ..." each, appended to out;
 * nothing for a query without them, or by relevance (always
 * prefixes: bm25's order is the prefix's). */
void store_search_explain_prefixes(struct store *st, const struct search_query *q,
                                   enum search_order order, int walk, struct buf *out);

/* ---- hidden messages (hide.c) ---- */

/* A hidden message has this bit in messages.flags (beside msg.h's
 * MSG_F_* bits): it leaves every listing, search, feed, thread and
 * export (each read above skips it), and neighbours' navigation passes
 * over it; store_msg_get and store_msg_by_id still return it, with the
 * bit set, so that its page can say it is gone.  What is hidden is
 * (list, Message-ID), kept in a table of its own: every copy of that ID
 * in the list, and again when a rebuild or a delivery indexes it. */
#define STORE_F_HIDDEN (1u << 30)

/* ---- purged messages (purge.c; ingest/purge.c rewrites the files) ----
 *
 * A purged message's bytes are gone from its source; its row stays, with
 * STORE_F_HIDDEN and STORE_F_PURGED set, no length, no subject and no
 * sender, so that its URL answers 410 like a hidden one's and its number
 * is never reused.  unhide refuses it. */
#define STORE_F_PURGED (1u << 29)

/* A message a purge takes (store_purge_targets). */
struct store_purge_target {
	int64_t msg_id, source_id;
	uint64_t off, len;
	char file[4096]; /* a maildir's or MH folder's file, else "" */
};
/* A purge, as journalled (table purges) before its file is touched. */
struct store_purge {
	int64_t id; /* set by store_purge_journal */
	int64_t list_id, source_id, msg_id;
	uint64_t start, end; /* an mbox's bytes removed: its From_ line (or
	                        MMDF separator) up to the next one's */
	int64_t ino;         /* the mbox's inode before (the rewrite makes a new one) */
	char file[4096];     /* a maildir's or MH folder's file, else "" */
	char msgid[MSGID_MAX + 1];
	char by[128];
	char reason[HIDE_REASON_MAX + 1];
	bool public;
};
/* The messages of list_id with Message-ID msgid not purged yet, at most
 * max into v (*n of them); *purged: how many are purged already. */
LA_MUST_CHECK enum la_status store_purge_targets(struct store *st, int64_t list_id,
                                                 const char *msgid, struct store_purge_target *v,
                                                 int max, int *n, int *purged);
/* The offset of the first message of source_id after offset `after`
 * (purged ones left out): LA_OK, LA_ENOTFOUND if none, LA_EDB. */
LA_MUST_CHECK enum la_status store_purge_next_off(struct store *st, int64_t source_id,
                                                  uint64_t after, uint64_t *off);
/* Journals p (inside the caller's transaction); sets p->id. */
LA_MUST_CHECK enum la_status store_purge_journal(struct store *st, struct store_purge *p);
/* The oldest purge under way, of source_id (any if 0): LA_OK,
 * LA_ENOTFOUND if none, LA_EDB. */
LA_MUST_CHECK enum la_status store_purge_pending(struct store *st, int64_t source_id,
                                                 struct store_purge *p);
/* Inside the caller's transaction, records p done: (mbox) the messages
 * after p->end move back by end - start; the purged row keeps its number,
 * hidden with p's reason, emptied and marked STORE_F_PURGED; the hide log
 * gets a "purge" line; the journal row goes.  The caller saves the
 * source's new resume point with the commit. */
LA_MUST_CHECK enum la_status store_purge_finish(struct store *st, const struct store_purge *p,
                                                bool mbox, struct la_err *err);
/* Whether a message of msgid in list_id was purged. */
bool store_msg_purged(struct store *st, int64_t list_id, const char *msgid);

/* Hides the messages of list_id whose Message-ID is msgid, in a
 * transaction of its own (writer only), and logs it with the list's
 * name, now, by and reason; public: the message's page may show the
 * reason (else only the log has it).  *n: how many messages it hid.  Fails with
 * LA_ENOTFOUND (the list has no message of that ID), LA_EINVAL (it is
 * hidden already: err says when and why), or what SQLite met. */
LA_MUST_CHECK enum la_status store_hide(struct store *st, int64_t list_id, const char *msgid,
                                        const char *by, const char *reason, bool public, int *n,
                                        struct la_err *err);
/* Shows them again (the pages are as before the hide) and logs it;
 * LA_ENOTFOUND if msgid is not hidden in list_id. */
LA_MUST_CHECK enum la_status store_unhide(struct store *st, int64_t list_id, const char *msgid,
                                          const char *by, const char *reason, int *n,
                                          struct la_err *err);
/* Whether msgid is hidden in list_id (in any list if 0): LA_OK with its
 * reason in reason (n bytes, cut; "" unless it was given as public), LA_ENOTFOUND, or LA_EDB.  An
 * index no writer has opened since hiding came has nothing hidden. */
LA_MUST_CHECK enum la_status store_hidden_reason(struct store *st, int64_t list_id,
                                                 const char *msgid, char *reason, size_t n);

/* A line of the hide log, borrowed for the callback.  action is "hide"
 * or "unhide"; at is seconds since the epoch. */
struct store_hide_event {
	int64_t at;
	const char *action, *list, *msgid, *by, *reason;
};
/* The hide log, oldest first; of one list (by name, as logged) unless
 * list is NULL. */
LA_MUST_CHECK enum la_status store_hide_log(struct store *st, const char *list,
                                            bool (*fn)(const struct store_hide_event *ev,
                                                       void *arg),
                                            void *arg);

/* For `listarc export` (a position kept so that a run looks only at
 * what changed): the URLs (day, num) of list_id's messages, hidden or
 * not, whose Message-ID the hide log names in an entry after the entry
 * `after` (hidden, shown again or purged since); *last gets the newest
 * entry's id (after if none).  fn returns false to stop.  LA_OK or
 * LA_EDB. */
LA_MUST_CHECK enum la_status store_hide_changes(struct store *st, int64_t list_id, int64_t after,
                                                int64_t *last,
                                                bool (*fn)(int day, int num, void *arg), void *arg);
/* The removed messages (410) of list_id: their number into *n, and each
 * URL to fn unless it is NULL (fn returns false to stop).  LA_OK or
 * LA_EDB. */
LA_MUST_CHECK enum la_status store_gone_each(struct store *st, int64_t list_id, int64_t *n,
                                             bool (*fn)(int day, int num, void *arg), void *arg);

/* ---- managing lists (lists.c; writer only but store_list_get) ---- */

/* The name now of the list that was called old before a rename, into
 * out (n bytes); LA_ENOTFOUND if none was (read.c). */
LA_MUST_CHECK enum la_status store_list_renamed(struct store *st, const char *old, char *out,
                                                size_t n);

/* Creates list name (a valid name, see conf_valid_listname) into *id.
 * LA_EINVAL if it exists. */
LA_MUST_CHECK enum la_status store_list_add(struct store *st, const char *name, int64_t *id,
                                            struct la_err *err);
/* Removes a list from the index: its messages, sources, settings and
 * hidden messages (the hide log stays), in one transaction.  Its mboxes
 * and the decompressed copies are not touched. */
LA_MUST_CHECK enum la_status store_list_remove(struct store *st, int64_t list_id,
                                               struct la_err *err);
/* Renames a list; LA_EINVAL if name is taken.  Its URLs change with it,
 * and the old ones answer 301 to the new (store_list_renamed) until a
 * list of the old name is made. */
LA_MUST_CHECK enum la_status store_list_rename(struct store *st, int64_t list_id, const char *name,
                                               struct la_err *err);
/* The mbox `listarc deliver` appends list_id's mail to (name: its name;
 * list_id 0 for a list not made yet), relative to the archive directory,
 * into out (n bytes): the list's mbox source in mbox/ (mbox/NAME.mbox if
 * it is one, else the first: a renamed list keeps the one it had); else
 * mbox/NAME.mbox, or mbox/NAME.2.mbox ... if that is another list's
 * source (a list given a name another had).  LA_EINVAL if a hundred
 * are; LA_ETOOBIG if out is too small; LA_EDB. */
LA_MUST_CHECK enum la_status store_list_mbox(struct store *st, int64_t list_id, const char *name,
                                             char *out, size_t n);

/* Settings of a list kept in the index (listarc.conf's win over them). */
enum store_list_setting { LIST_DESCRIPTION, LIST_ADDRESS };
/* Sets one; value NULL or "" clears it. */
LA_MUST_CHECK enum la_status store_list_set(struct store *st, int64_t list_id,
                                            enum store_list_setting k, const char *value,
                                            struct la_err *err);
/* Gets one into out (n bytes, cut): LA_OK, or LA_ENOTFOUND if unset. */
LA_MUST_CHECK enum la_status store_list_get(struct store *st, int64_t list_id,
                                            enum store_list_setting k, char *out, size_t n);

/* ---- old archivers' URLs (legacy.c) ---- */

/* The n-th message (from 0) of list_id in the order it was indexed:
 * its URL day and number.  LA_ENOTFOUND if the list has fewer.  Walks
 * the messages before it (a redirect, not a page). */
LA_MUST_CHECK enum la_status store_list_nth(struct store *st, int64_t list_id, int64_t n, int *day,
                                            int *num);
/* Up to max ids (messages.id) of list_id's messages greater than after,
 * in the order they were indexed (hidden ones too), into ids[0..*n). */
LA_MUST_CHECK enum la_status store_list_ids_after(struct store *st, int64_t list_id, int64_t after,
                                                  int64_t *ids, int max, int *n);
/* Every Message-ID of list_id, once each, in no order; fn returns false
 * to stop. */
LA_MUST_CHECK enum la_status store_list_msgids(struct store *st, int64_t list_id,
                                               bool (*fn)(const char *msgid, void *arg), void *arg);

/* ---- a list's figures: senders, topics, busiest threads (stats.c) ---- */

/* The key of a sender's page, /LIST/from/HASH/: the first 16 hex digits
 * (lowercase) of the SHA-1 of the address with its ASCII letters
 * lowercased (as SQLite's lower()), into out.  It names the address
 * without showing it. */
#define STORE_SENDER_HASH_LEN 16
void store_sender_hash(const char *addr, char out[STORE_SENDER_HASH_LEN + 1]);

/* Periods of the figures: the list's whole life, a year, a month. */
#define STORE_PERIOD_ALL 0
#define STORE_PERIOD_YEAR(y) (y)
#define STORE_PERIOD_MONTH(y, m) ((y)*100 + (m))

/* A sender, borrowed for the callback (or copied by store_sender_get):
 * address (lowercase), name of their latest message, page key, messages
 * (in the period asked for, for store_top_senders; in all, otherwise). */
struct store_sender {
	int64_t id;
	const char *addr, *name, *hash;
	int64_t n, last_ts;
};
/* The list's limit senders with the most messages in period, most first
 * (ties: by address).  LA_OK with no calls for an index whose figures a
 * writer has not made yet. */
LA_MUST_CHECK enum la_status store_top_senders(struct store *st, int64_t list_id, int period,
                                               int limit,
                                               bool (*fn)(const struct store_sender *s, void *arg),
                                               void *arg);

/* A thread of a list (a topic), borrowed for the callback: its first
 * message (starter: subject, sender, Message-ID, URL), its messages and
 * senders in the list, its first and last delivery times; n_period: its
 * messages in the period asked for (store_top_threads), or the sender's
 * messages in it (store_sender_threads). */
struct store_topic {
	struct store_entry starter;
	int64_t thread, n, senders, first_ts, last_ts, n_period;
};
typedef bool (*store_topic_fn)(const struct store_topic *t, void *arg);
/* The list's limit threads with the most messages in period, most first. */
LA_MUST_CHECK enum la_status store_top_threads(struct store *st, int64_t list_id, int period,
                                               int limit, store_topic_fn fn, void *arg);
/* The list's threads, limit from offset: by latest message, newest first;
 * or (by_start) by first message, newest first (new topics). */
LA_MUST_CHECK enum la_status store_topics(struct store *st, int64_t list_id, bool by_start,
                                          int64_t offset, int limit, store_topic_fn fn, void *arg);
/* The number of threads of the list into *n. */
LA_MUST_CHECK enum la_status store_topics_count(struct store *st, int64_t list_id, int64_t *n);

/* The sender of list_id whose page key is hash, into *out (its strings
 * in buf, n bytes); LA_ENOTFOUND if none, or none of their messages is
 * shown. */
LA_MUST_CHECK enum la_status store_sender_get(struct store *st, int64_t list_id, const char *hash,
                                              struct store_sender *out, char *buf, size_t n);
/* The number of threads sender took part in, into *n. */
LA_MUST_CHECK enum la_status store_sender_thread_count(struct store *st, int64_t list_id,
                                                       int64_t sender, int64_t *n);
/* The sender's messages (address addr, lowercase), newest first by URL,
 * limit from offset. */
LA_MUST_CHECK enum la_status store_sender_msgs(struct store *st, int64_t list_id, const char *addr,
                                               int64_t offset, int limit, store_entry_fn fn,
                                               void *arg);
/* The threads the sender took part in, latest activity first, limit from
 * offset (n_period: the sender's messages in each). */
LA_MUST_CHECK enum la_status store_sender_threads(struct store *st, int64_t list_id, int64_t sender,
                                                  int64_t offset, int limit, store_topic_fn fn,
                                                  void *arg);

/* The keyset forms, for the API's pages: a key names a topic by its
 * place in the latest-activity order (its last time, then its thread). */
struct store_topic_key {
	int64_t last_ts, thread;
};
/* The list's threads (sender 0), or those sender took part in (n_period:
 * their messages in each), that come after key before in the order of
 * store_topics (latest activity first), limit of them.  The first page:
 * before = {INT64_MAX, INT64_MAX}. */
LA_MUST_CHECK enum la_status store_topics_before(struct store *st, int64_t list_id, int64_t sender,
                                                 struct store_topic_key before, int limit,
                                                 store_topic_fn fn, void *arg);
/* The sender's messages (address addr, lowercase) before the URL key
 * (before_day, before_num), newest first, limit of them. */
LA_MUST_CHECK enum la_status store_sender_msgs_before(struct store *st, int64_t list_id,
                                                      const char *addr, int before_day,
                                                      int before_num, int limit, store_entry_fn fn,
                                                      void *arg);

/* Time of the last change to the index (for Last-Modified), 0 if unknown. */
int64_t store_mtime(struct store *st);

/* The SQLite error message of the last failure, for the caller's detail. */
const char *store_errmsg(struct store *st);

#endif
