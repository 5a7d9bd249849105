/* ingest_int.h: what the ingest stage's files share (not for callers:
 * they use ingest.h). */
#ifndef LISTARC_INGEST_INT_H
#define LISTARC_INGEST_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ingest/ingest.h"
#include "mbox/mbox.h"
#include "store/store.h"
#include "util/handoff.h"
#include "util/io.h"

struct msg_text;

/* A reader's ring slot keeps its text's buffers from message to message
 * up to this many bytes (ingest_text_held), freed beyond that before the
 * slot is filled again (ingest.c's ring and ingest/git.c's with search). */
#define SLOT_TEXT_KEEP ((size_t)16 << 10)

/* The bytes t's buffers hold (their capacity). */
size_t ingest_text_held(const struct msg_text *t);
/* Whether a reader prepares a message's row of the search index itself
 * (msg/ftsrow.h) or hands its texts over for the search thread to
 * prepare: itself only while it is ahead of the writer, half its ring
 * of size slots filled and not yet taken (handoff_ahead); else the
 * reader is the run's slowest step, and the search thread, which the
 * writer never waits for (its spool), has the time.  Either way the
 * same row (t4095).  always: LISTARC_FTS_PREP=1 (ingest_prep_always),
 * for tests: every row prepared by the reader. */
bool ingest_prep_here(const struct handoff *h, size_t size, bool always);
bool ingest_prep_always(void);

/* Sleeps a little more each time (1 ms up to 10 ms), adding the time to
 * *waited_ms: the waits for locks poll with it. */
void lock_backoff(unsigned *waited_ms);

/* A lock on an mbox, as the indexer found it. */
enum lock_state {
	LOCK_TAKEN, /* taken (or a stale one found and disregarded) */
	LOCK_BUSY,  /* held by another process for longer than LOCK_WAIT */
	LOCK_NONE,  /* cannot be taken here: read-only directory or medium,
	               locks not supported */
};

/* Takes the dotlock PATH.lock as mail programs do (O_EXCL; the lock holds
 * our pid), waiting up to LOCK_WAIT seconds.  A lock whose pid is gone
 * is removed; one older than DOTLOCK_STALE is disregarded.  *made says
 * whether dotlock_drop must remove it; lock (n bytes) gets its path. */
enum lock_state dotlock_take(const char *path, char *lock, size_t n, bool *made);
void dotlock_drop(const char *lock);

/* How the last message of what is read is judged (it may be a message
 * still being written). */
enum tail_rule {
	TAIL_TAKE,   /* read under the writers' locks: whole, taken */
	TAIL_LOCKED, /* a writer holds a lock: left for the next run */
	TAIL_SETTLE, /* no lock can be taken: left until the file has not
	                changed for the settle time (and did not grow) */
	TAIL_SOURCE, /* a compressed source: left if its data ended early */
};

/* A decompressed copy being written by another thread as it is read. */
struct unpacker;
/* Bytes of the copy written so far, waiting (see mbox_reader_follow). */
uint64_t unpacker_avail(void *u, uint64_t want, bool *ended);
/* After it ended: LA_OK, or why its data ended early (err's text in note). */
LA_MUST_CHECK enum la_status unpacker_status(const struct unpacker *u, char *note, size_t n);

/* One span of a file of messages to index: src (registered, inside the
 * open transaction) read from fd at start, up to limit, as fmt. */
struct span_job {
	struct store *st;
	int64_t list_id;
	const char *path; /* for messages to the user */
	struct store_source *src;
	int fd;
	uint64_t start, limit;
	enum mbox_format fmt;
	enum tail_rule tail;
	double age;              /* TAIL_SETTLE: seconds since the file changed */
	struct unpacker *follow; /* a copy still being written, or NULL */
	uint64_t total;          /* for progress: bytes, 0 if unknown */
};

/* Indexes the messages of the span, committing in batches (with src's
 * resume point), the last commit included.  On failure the open batch is
 * rolled back.  Returns LA_OK, LA_EIO, LA_ENOSPC, LA_EDB, LA_ENOMEM. */
LA_MUST_CHECK enum la_status index_span(const struct span_job *j, const struct ingest_opts *o,
                                        struct ingest_stats *stats, struct la_err *err);

/* A compressed mbox (ingest_source found it to be one): decompressed into
 * its copy in the archive directory, and what is new indexed from it. */
LA_MUST_CHECK enum la_status ingest_packed(struct store *st, int64_t list_id, const char *path,
                                           int fd, const struct ingest_what *w,
                                           const struct ingest_opts *o, struct ingest_stats *stats,
                                           struct la_err *err);

/* A public-inbox inbox (git.c): v2, a directory of epochs git/N.git, or
 * v1, one bare repository.  Each epoch's new commits are read and
 * committed in batches with the last commit read.  A v2 epoch whose
 * history no longer holds the last commit indexed is read again whole in
 * one transaction (messages whose blobs are gone answer 410, with a
 * warning); a v1 inbox so rewritten gives LA_ECHANGED, nothing indexed. */
LA_MUST_CHECK enum la_status ingest_git(struct store *st, int64_t list_id, const char *path,
                                        bool v2, const struct ingest_opts *o,
                                        struct ingest_stats *stats, struct la_err *err);

/* Fingerprints of an mbox up to done: hashes of its first and its last
 * FP_BYTES (store_source's fp_head, fp_tail). */
LA_MUST_CHECK enum la_status ingest_fingerprints(int fd, uint64_t done, int64_t *head,
                                                 int64_t *tail);

/* Says what was found to the user through o->warn, if set (printf-like). */
void ingest_warn(const struct ingest_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
