/* chain.h: a git epoch's first-parent chain as git.c collects it, newest
 * commit first, and reads it back oldest first, in memory that does not
 * grow with the chain: links are fixed-size records, the latest `chunk`
 * of them held in memory and each full chunk before them written to an
 * unnamed file in a directory (util/io.h's io_tmpfile: the data
 * directory, on the disk that holds the index).  Read back one chunk at
 * a time: any order works, from the last link to the first is one pread
 * a chunk.  At 40 bytes a link (a commit's id and its tree's), a 1 GB
 * epoch's 300,000 commits held whole were 12 MB of the indexer's peak
 * RSS; here two chunks are (bench/README.md, "git sources").
 *
 * If the file cannot be made or written (no directory given, a full
 * disk), the links stay in memory instead, growing as before: nothing is
 * lost, only the bound.  A struct chain is used by one thread at a time.
 * Stage-internal (ingest/). */
#ifndef LISTARC_CHAIN_H
#define LISTARC_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/status.h"

struct chain;

/* What a chain did (for the figures LISTARC_TEST_GITPACK_STATS prints). */
struct chain_figs {
	uint64_t links;    /* pushed */
	uint64_t spooled;  /* of them written to the file */
	uint64_t reads;    /* chunks read back from the file */
	bool spool_failed; /* the file could not be made or written: memory */
};

/* A new, empty chain of links of rec bytes (1..4096), chunk links held in
 * memory at a time (1..2^20), its file to be made in dir (NULL: memory
 * alone; nothing is made before a chunk fills).  Returns LA_OK with *out
 * (chain_free it), LA_EINVAL for a size out of range, LA_ENOMEM. */
enum la_status chain_new(struct chain **out, size_t rec, size_t chunk, const char *dir,
                         struct la_err *err);

/* Appends link (rec bytes, copied).  Returns LA_OK, or LA_ENOMEM (the
 * file failed and memory ran out as well; the chain holds the links
 * pushed before). */
enum la_status chain_push(struct chain *c, const void *link, struct la_err *err);

/* The links pushed. */
size_t chain_count(const struct chain *c);

/* Link i (0: the first pushed; i < chain_count) copied into out (rec
 * bytes).  Returns LA_OK, LA_EINVAL for i out of range, LA_EIO if the
 * file could not be read back (err says why). */
enum la_status chain_get(struct chain *c, size_t i, void *out, struct la_err *err);

void chain_figs(const struct chain *c, struct chain_figs *out);

/* Frees c and closes its file (NULL: nothing). */
void chain_free(struct chain *c);

#endif
