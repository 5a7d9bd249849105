/* ingest.h: sources into the index.  Reads an mbox from where the last
 * run stopped (or the new files of a maildir), gives each message its
 * URL date and day number, threads it, and commits in batches together
 * with the resume point, so a run killed at any instant loses nothing and
 * doubles nothing.  The sources are only ever read. */
#ifndef LISTARC_INGEST_H
#define LISTARC_INGEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "conf/conf.h"
#include "mbox/mbox.h"
#include "msg/text.h"
#include "store/store.h"
#include "util/status.h"

struct ingest_stats {
	uint64_t messages;   /* added this run */
	uint64_t bytes;      /* source bytes read */
	uint64_t dups;       /* messages whose Message-ID was already there */
	uint64_t no_msgid;   /* messages given a made-up Message-ID */
	uint64_t no_date;    /* messages whose URL date came from a fallback */
	uint64_t head_trunc; /* header blocks cut at HEAD_MAX */
	uint64_t skipped;    /* maildir entries that are not regular files */
	uint64_t pending;    /* trailing incomplete messages left for later */
	uint64_t removed;    /* messages removed (deleted from a public-inbox) */
	char note[512];      /* why something was left for later, if it was */
	/* What reading a public-inbox source's packs took (store/gitpack.c;
	 * zero for other sources), the reader's and, apart, the first-parent
	 * chain's (its commits read without a commit-graph): for tests and
	 * bench/ (`listarc index` prints them with
	 * LISTARC_TEST_GITPACK_STATS=1). */
	struct ingest_packs {
		uint64_t preads, lookups, inflated, deltas, base_hits, bases_peak;
	} packs, chain;
	/* The chains' links (ingest/chain.h): collected, written to their
	 * file in the data directory, chunks read back, and chains whose
	 * file failed (held in memory instead). */
	struct ingest_chains {
		uint64_t links, spooled, reads, in_memory;
	} chains;
};

struct ingest_progress {
	const char *path;
	uint64_t done, total; /* bytes */
	uint64_t messages;
};

struct ingest_opts {
	/* Called now and then during a run (never from another thread). */
	void (*progress)(const struct ingest_progress *p, void *arg);
	void *progress_arg;
	/* Only where no lock can be taken on an mbox (a directory without
	 * write permission, read-only media; see LOCKING in listarc(1)): its
	 * last message is left for the next run while the file changed less
	 * than this many seconds ago (a writer may still be appending it, and
	 * may pause after any line); 0: never. */
	double settle;
	/* Messages per transaction ($LISTARC_BATCH, else 5000). */
	unsigned batch;
	/* Feed the full-text search index (off with --no-search). */
	bool search;
	/* ingest_reindex_search: messages per run at most (0: all). */
	uint64_t reindex_max;
	/* Called with a line for the user about a source that was read but
	 * looks wrong ("1 message from 31 MB: is this an mbox?") or was read
	 * only in part (maildir++ subfolders); never from another thread. */
	void (*warn)(const char *msg, void *arg);
	void *warn_arg;
	/* listarc.conf (NULL: none): its thread-break list and mailmap apply
	 * to every message indexed (ingest_adjust).  Read by the reader
	 * thread too; it must not change during a run. */
	const struct conf *conf;
};

/* What a source is, by its content (never its name). */
enum ingest_kind {
	INGEST_EMPTY, /* an empty file (nothing to index) */
	INGEST_MBOX,  /* mboxo, mboxrd, mboxcl, mboxcl2, pipermail's .txt */
	INGEST_MMDF,
	INGEST_MESSAGE, /* one message (an .eml) */
	INGEST_MAILDIR, /* cur/ and new/ (a maildir++ folder's top level) */
	INGEST_MH,      /* an MH folder: numbered message files */
	INGEST_GIT_V2,  /* a public-inbox v2 inbox: epochs git/N.git */
	INGEST_GIT_V1,  /* a public-inbox v1 inbox: one bare git repository */
};
struct ingest_what {
	enum ingest_kind kind;
	enum unpack_kind packed; /* a compressed file: the compression */
	unsigned subfolders;     /* maildir++: .Name/ folders inside, which are
	                            not part of it */
	char desc[80];           /* "a gzip-compressed mbox", "an MH folder" */
};

/* Tells what path is by looking at it (its first SNIFF_MAX bytes; for a
 * compressed file, those of what it holds; a directory's layout), reading
 * only.  Returns LA_OK, or LA_EINVAL with one line in err saying why path
 * is not a source listarc can read (a binary or text file that is no
 * mailbox, a device, a directory that is neither a maildir nor an MH
 * folder), or LA_EIO. */
LA_MUST_CHECK enum la_status ingest_what(const char *path, struct ingest_what *w,
                                         struct la_err *err);

/* What listarc.conf changes in a message's summary before it is
 * stored: references the thread-break list names (conf_thread_break), and
 * the sender's own address (some mailers put an address in In-Reply-To;
 * public-inbox drops those too), are no parents; the mailmap's name for
 * the sender's address replaces the From: name.  conf may be NULL. */
void ingest_adjust(const struct conf *conf, struct msg_summary *sum);

/* `listarc rethread`: threads list_id's messages again from their header
 * blocks, with the thread-break list and mailmap of o->conf, in one
 * transaction (store_rethread): thread pages and thread ids change, no
 * URL does.  *n: messages read.  The caller holds the archive lock. */
LA_MUST_CHECK enum la_status ingest_rethread(struct store *st, int64_t list_id,
                                             const struct ingest_opts *o, uint64_t *n,
                                             struct la_err *err);

/* Sets opts to the defaults (settle from $LISTARC_SETTLE, else 10 s;
 * batch from $LISTARC_BATCH, else 5000). */
void ingest_opts_init(struct ingest_opts *o);

/* Indexes what is new in source path for list_id, registering the
 * source on first use: an mbox of any kind, an MMDF file or one message
 * (each possibly compressed with gzip, xz, bzip2 or zstd, then read
 * through a decompressed copy in the archive directory), a maildir or an
 * MH folder.  The tail of an mbox is read under the locks its writers
 * take (dotlock and fcntl), so a message being written is never read
 * half.  stats accumulate.  Returns LA_OK, LA_EINVAL if path is no such
 * source (nothing is registered), LA_ECHANGED if the mbox (or what a
 * compressed file holds) was truncated or rewritten since the last run
 * (err says how and what to do), LA_EIO, LA_ENOSPC, LA_EDB. */
LA_MUST_CHECK enum la_status ingest_source(struct store *st, int64_t list_id, const char *path,
                                           const struct ingest_opts *o, struct ingest_stats *stats,
                                           struct la_err *err);

/* Rebuilds the search index from every message's bytes (`listarc reindex
 * --search`), in batches that record how far it got, so that a killed run
 * resumes; with o->reindex_max set, stops after about that many messages
 * (a delivery's share: the next run goes on).  The rows are made in a
 * file of their own (store_fts_build_open): until it is whole, readers
 * search the index as it was, which ingest_source goes on feeding; when
 * it is, it is renamed over the old one (store_fts_build_swap) and the
 * index's search rows are of STORE_SEARCH_FORMAT.  The caller holds the
 * archive lock. */
LA_MUST_CHECK enum la_status ingest_reindex_search(struct store *st, const struct ingest_opts *o,
                                                   uint64_t *done, struct la_err *err);

/* What ingest_purge did. */
struct ingest_purged {
	int purged;  /* copies of the Message-ID purged */
	int resumed; /* purges killed before and finished now */
};

/* `listarc purge`: takes the bytes of every copy of msgid in list_id out
 * of its source for good (an mbox written again without them, under the
 * locks its writers take: a new file beside it, synced, renamed over it,
 * the directory synced; a maildir's or MH folder's file deleted).  Each
 * copy's URL answers 410 as a hidden message's does, with reason (public:
 * shown), its number is never reused, every other message keeps its URL
 * and the later messages' offsets are moved in the same transaction that
 * records the purge; the hide log gets a "purge" line (by, reason).
 * Purges a killed run left half done are finished first
 * (ingest_purge_resume).  The caller holds the archive lock.  Fails,
 * before anything is changed, with LA_ENOTFOUND (no such message),
 * LA_EINVAL (purged already, or a copy is in a public-inbox inbox or a
 * compressed file: err says what to do instead), LA_ECHANGED (the file
 * is not as indexed: run `listarc index` first), LA_EAGAIN (locked), or
 * with LA_EIO, LA_ENOSPC, LA_EDB. */
LA_MUST_CHECK enum la_status ingest_purge(struct store *st, int64_t list_id, const char *msgid,
                                          const char *by, const char *reason, bool public,
                                          struct ingest_purged *out, struct la_err *err);
/* Finishes the purges journalled and not recorded done (a purge killed
 * midway), of source_id (every source if 0); *done (if not NULL) how
 * many.  ingest_source calls it first, so an index or a delivery never
 * reads a source a purge left half done.  The caller holds the archive
 * lock. */
LA_MUST_CHECK enum la_status ingest_purge_resume(struct store *st, int64_t source_id, int *done,
                                                 struct la_err *err);

/* Takes the archive's writer lock (DIR/lock).  wait_seconds < 0 waits
 * forever, 0 fails at once with LA_ELOCKED.  *fd holds the lock until
 * closed. */
LA_MUST_CHECK enum la_status ingest_lock(const char *dir, int wait_seconds, int *fd,
                                         struct la_err *err);

/* The URL date of a message without a usable mbox From_ line date (a
 * maildir's, or a placeholder From_ date): the first Received: date, else
 * Date:, else fallback_ts; all in UTC.  Sets *ts and *day (yyyymmdd).
 * Returns false if fallback_ts was used. */
bool ingest_delivery_date(const struct msg_summary *sum, int64_t fallback_ts, int64_t *ts,
                          int *day);

/* What ingest_deliver did beyond storing the message. */
struct ingest_delivery {
	bool indexed;       /* false: stored, and left for the next `listarc
	                       index` (note says why) */
	bool cannot_create; /* the failure was DIR or DIR/mbox/ not made */
	char note[512];
};

/* `listarc deliver`: reads one message from fd to its end, drops a From_
 * line the MTA may have put first, and appends it to DIR/mbox/LIST.mbox
 * (making DIR/mbox/ if need be) with ingest_append_mbox, dated by
 * ingest_delivery_date (now when the message has no date), then indexes
 * what is new in that mbox under the archive lock (ingest_lock).  sender
 * is the envelope sender for the From_ line, or NULL or "" for the
 * message's Return-Path:, else MAILER-DAEMON; it is reduced to one token
 * of printable ASCII.  Each lock is waited for at most wait_seconds.  The
 * caller has checked list (conf_valid_listname) and called
 * msg_library_init.  *d is reset, then filled.
 * Returns LA_OK once the message is stored, even if indexing it failed
 * (d->indexed false, d->note says why; the next `listarc index` picks it
 * up); LA_EINVAL for an empty message (or a From_ line alone); LA_ETOOBIG for one over
 * DELIVER_MAX; LA_EIO if fd cannot be read, DIR/mbox/ cannot be made
 * (d->cannot_create set) or the write failed; LA_EAGAIN if the mbox
 * stayed locked; LA_ENOSPC if the disk is full; LA_ENOMEM. */
LA_MUST_CHECK enum la_status ingest_deliver(const char *dir, const char *list, int fd,
                                            const char *sender, int wait_seconds,
                                            struct ingest_delivery *d, struct la_err *err);

/* Appends one message to an mbox for `listarc deliver`: under an fcntl
 * write lock (waiting at most wait_seconds), with a From_ line dated ts,
 * mboxrd quoting, and a blank line after it.  On failure the file is cut
 * back to its old size, so a failed delivery leaves no half message.
 * With once set (the message has a Message-ID), a message that is
 * already the file's last, byte for byte after a From_ line of the same
 * sender, is not written again (an MTA retrying a delivery whose process
 * died after writing): only synced.  Without a Message-ID two identical
 * messages may well be two (a cron job's mail piped twice).  With once
 * set, half of this message at the file's end, after the bytes the index
 * holds (an attempt killed in the middle of its write), is cut off and the
 * message written whole.  indexed(arg) says how many bytes of the file the
 * index holds (UINT64_MAX: all, so nothing is ever cut); it is asked
 * under the write lock, when no indexer can be reading the file, so that
 * an index run between the caller's look and the lock cannot have taken
 * the bytes cut.
 * Returns LA_OK, LA_EAGAIN (lock busy), LA_ENOSPC or LA_EIO. */
typedef uint64_t ingest_indexed_fn(void *arg);
LA_MUST_CHECK enum la_status ingest_append_mbox(const char *path, const char *msg, size_t len,
                                                const char *sender, int64_t ts, bool once,
                                                ingest_indexed_fn *indexed, void *arg,
                                                int wait_seconds, struct la_err *err);

#endif
