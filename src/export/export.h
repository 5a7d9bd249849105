/* export.h: a list of the archive written out as a public-inbox v2 inbox
 * (`listarc export`), in the layout public-inbox itself writes, so that
 * public-inbox, lei, grokmirror and plain git read it:
 *
 *     INBOX/description      "public inbox for ADDRESS" (or the list's description)
 *     INBOX/inbox.lock       the writers' lock (flock), as public-inbox's
 *     INBOX/all.git          objects/info/alternates naming every epoch
 *     INBOX/git/N.git        the epochs: bare repositories, refs/heads/master
 *     INBOX/listarc-export.sqlite3   what was exported (ours; public-inbox ignores it)
 *
 * Each message is one commit on the epoch's master whose tree holds the
 * one blob "m", the message's bytes as the archive holds them (mbox
 * quoting undone); author: the From: name and address at the Date:
 * (with its zone), committer: "LIST <ADDRESS>" at the first Received:
 * date (else Date:), message: the subject, as public-inbox's importer
 * writes them.  A message hidden in the archive (or removed from its
 * source) after it was exported is taken out as public-inbox's `rm`
 * does: a commit whose tree holds only "d", the removed blob; one shown
 * again is added again.  An epoch is closed, and the next one begun,
 * once the messages in it reach the epoch size (public-inbox's: 1 GiB
 * packed at its packing factor 0.4, 2.5 GiB of messages). */
#ifndef LISTARC_EXPORT_H
#define LISTARC_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"
#include "util/status.h"

/* public-inbox's epoch size: (1 GiB) / 0.4. */
#define EXPORT_EPOCH_BYTES (UINT64_C(1073741824) * 10 / 4)

/* Packs (one a batch) an epoch holds before the export rolls its small
 * recent ones into one (geometrically, as git repack --geometric=2): more
 * packs cost a look-up in each for every object read. */
#define EXPORT_PACKS_MAX 16

/* Seconds a rolled-up pack stays on disk, no longer named in
 * objects/info/packs, for dumb HTTP clients that read the list before
 * the repack (docs/export.md). */
#define EXPORT_PACK_GRACE 3600

struct export_opts {
	const char *inbox;       /* the inbox directory (made if missing) */
	const char *address;     /* the list's posting address, for the committer */
	const char *description; /* INBOX/description's text, or NULL */
	uint64_t epoch_bytes;    /* 0: EXPORT_EPOCH_BYTES */
	unsigned batch;          /* messages per pack and ref update (0: 10000) */
	unsigned packs_max;      /* packs an epoch may hold before its small ones
	                          * are rolled into one (0: EXPORT_PACKS_MAX) */
};

struct export_stats {
	uint64_t added;         /* commits adding a message ("m") */
	uint64_t removed;       /* commits removing one ("d") */
	uint64_t skipped;       /* hidden messages not written */
	uint64_t bytes;         /* message bytes written */
	uint64_t resumed;       /* batches a killed run left, found whole or undone */
	uint64_t repacked;      /* repacks (small packs of an epoch rolled into one) */
	uint64_t packs_deleted; /* retired packs deleted, their grace over */
	int last_epoch;         /* the newest epoch, -1 if none */
};

/* Brings the inbox o->inbox up to date with list list_id (named list) of
 * st: the messages indexed since the last export, each in one commit,
 * and the hidden, removed and unhidden since then.  Incremental (a run
 * with nothing new writes nothing) and safe to kill at any point: every
 * batch of commits is recorded in the export's own SQLite file before
 * its pack is written and the epoch's ref moved (compare-and-swap), so
 * the next run finds the batch either whole (the ref moved) or not at
 * all (it is undone, and done again): nothing is lost or doubled.
 * Holds INBOX/inbox.lock (flock) throughout: LA_ELOCKED if another
 * writer (a public-inbox tool, another export) has it.  Fails with
 * LA_ECHANGED if an epoch's master is neither where the export left it
 * nor where it was about to put it (someone else wrote to the inbox),
 * LA_EIO, LA_EDB, LA_ENOMEM, with err saying why. */
LA_MUST_CHECK enum la_status export_list(struct store *st, int64_t list_id, const char *list,
                                         const struct export_opts *o, struct export_stats *stats,
                                         struct la_err *err);

/* Writes objects/info/packs and info/refs of the bare repository at
 * gitdir as `git update-server-info` does (for cloning over dumb HTTP):
 * each pack as "P pack-....pack", and each ref under refs/ as
 * "OID<TAB>NAME", both replaced whole (a renamed temporary file). */
LA_MUST_CHECK enum la_status export_server_info(const char *gitdir, struct la_err *err);

#endif
