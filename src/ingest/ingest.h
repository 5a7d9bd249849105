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
	char note[512];      /* why something was left for later, if it was */
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
	/* The last message of an mbox is left for the next run while the file
	 * changed less than this many seconds ago (a writer may still be
	 * appending it, and may pause after any line); 0: never. */
	double settle;
	/* Messages per transaction ($LISTARC_BATCH, else 5000). */
	unsigned batch;
	/* Feed the full-text search index (off with --no-search). */
	bool search;
};

/* Sets opts to the defaults (settle from $LISTARC_SETTLE, else 10 s;
 * batch from $LISTARC_BATCH, else 5000). */
void ingest_opts_init(struct ingest_opts *o);

/* Indexes what is new in source path (an mbox file or a maildir) for
 * list_id, registering the source on first use.  stats accumulate.
 * Returns LA_OK, LA_ECHANGED if the mbox was truncated or rewritten since
 * the last run (err says how and what to do), LA_EIO, LA_ENOSPC, LA_EDB. */
enum la_status ingest_source(struct store *st, int64_t list_id, const char *path,
                             const struct ingest_opts *o, struct ingest_stats *stats,
                             struct la_err *err);

/* Rebuilds the search index from every message's bytes (`listarc reindex
 * --search`), in batches that record how far it got, so that a killed run
 * resumes.  While it has not finished, `listarc index` leaves the search
 * index alone.  The caller holds the archive lock. */
enum la_status ingest_reindex_search(struct store *st, const struct ingest_opts *o,
                                     uint64_t *done, struct la_err *err);

/* Takes the archive's writer lock (DIR/lock).  wait_seconds < 0 waits
 * forever, 0 fails at once with LA_ELOCKED.  *fd holds the lock until
 * closed. */
enum la_status ingest_lock(const char *dir, int wait_seconds, int *fd, struct la_err *err);

/* The URL date of a message without an mbox From_ line date: the first
 * Received: date, else Date:, else fallback_ts; all in UTC.  Sets *ts and
 * *day (yyyymmdd).  Returns false if fallback_ts was used. */
bool ingest_delivery_date(const struct msg_summary *sum, int64_t fallback_ts, int64_t *ts, int *day);

/* Appends one message to an mbox for `listarc deliver`: under an fcntl
 * write lock (waiting at most wait_seconds), with a From_ line dated ts,
 * mboxrd quoting, and a blank line after it.  On failure the file is cut
 * back to its old size, so a failed delivery leaves no half message.
 * With once set (the message has a Message-ID), a message that is
 * already the file's last, byte for byte after a From_ line of the same
 * sender, is not written again (an MTA retrying a delivery whose process
 * died after writing): only synced.  Without a Message-ID two identical
 * messages may well be two (a cron job's mail piped twice).
 * Returns LA_OK, LA_EAGAIN (lock busy), LA_ENOSPC or LA_EIO. */
enum la_status ingest_append_mbox(const char *path, const char *msg, size_t len, const char *sender,
                                  int64_t ts, bool once, int wait_seconds, struct la_err *err);

#endif
