/* gitpack.h: a repository's pack files (objects/pack/pack-*.pack and
 * their version 2 .idx, SHA-1) read with pread, for the indexer's reads
 * of a public-inbox epoch (ingest/git.c) and a message's blob for its
 * pages (store/git.c, in the binary: libgit2 is loaded only for what the
 * packs do not hold), in memory that does not grow with the pack:
 * libgit2 maps a pack whole and keeps 16 MiB of delta
 * bases per pack (docs/INDEX.md, "What the indexer holds").  What it
 * keeps: each pack's 256-entry fanout and two descriptors, a read window
 * (32 kB), the places of the last REF_DELTA bases looked up (256 kB),
 * blocks of the .idx's offsets (1 MB), and inflated delta bases in one
 * block of GITPACK_BASE_CACHE bytes, oldest dropped first (a base used
 * again from the older half is copied to the front: nearly least
 * recently used).  Each look-up reads a window of the .idx's sorted ids
 * around where the id should lie, and its offset if its block is not
 * kept: one or two preads.
 *
 * Only packed objects: a loose object, an object in a pack not opened,
 * or a REF_DELTA whose base is in none of the packs is "not found", for
 * the caller to read some other way (libgit2).  The bytes are input:
 * every size, offset and delta instruction is checked, a delta chain is
 * followed at most GITPACK_CHAIN_MAX deep, no object is bigger than
 * GITPACK_OBJECT_MAX, and bad data is an error status.  No object's SHA-1
 * is computed (as libgit2 is set up in git.c: strict hash verification
 * off).  A struct gitpack is used by one thread at a time.
 * Internal to store/ and the stages after it (ingest/). */
#ifndef LISTARC_GITPACK_H
#define LISTARC_GITPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/status.h"

#define GITPACK_OID 20 /* SHA-1 */
/* The ids gitpack_prefetch takes at a time (28 bytes each kept). */
#define GITPACK_AHEAD_MAX 4096

enum gitpack_type {
	GITPACK_COMMIT = 1,
	GITPACK_TREE = 2,
	GITPACK_BLOB = 3,
	GITPACK_TAG = 4,
};

struct gitpack;

/* An object read: its type, and size bytes at data (malloc'd, followed by
 * a NUL not counted; the caller's: gitpack_obj_free). */
struct gitpack_obj {
	enum gitpack_type type;
	unsigned char *data;
	size_t size;
};

/* What a set of packs did (for tests and benchmarks). */
struct gitpack_stats {
	uint64_t preads;      /* pread calls, .idx and .pack */
	uint64_t lookups;     /* ids looked up */
	uint64_t inflated;    /* objects (and deltas) inflated */
	uint64_t deltas;      /* deltas applied */
	uint64_t ref_deltas;  /* ... of them REF_DELTAs */
	uint64_t depth_max;   /* the deepest chain followed */
	uint64_t cache_hits;  /* bases found in the cache */
	uint64_t cache_bytes; /* bytes the cache holds now */
	uint64_t cache_peak;  /* ... and at most */
};

/* An empty set, its base cache bounded at cache_bytes (*out the caller's:
 * gitpack_free).  LA_ENOMEM. */
enum la_status gitpack_new(struct gitpack **out, size_t cache_bytes, struct la_err *err);

/* The packs of the repository (or its objects directory's parent) at
 * repo_path, objects/pack/pack-*.idx with a .pack beside each, in the
 * order of their names, added to gp.  LA_OK even with no packs (every
 * read then not found); a pack whose files are not a pack and its
 * version 2 index is left out (its objects not found), and so are packs
 * past GITPACK_PACKS_MAX.  LA_ENOMEM. */
enum la_status gitpack_add_dir(struct gitpack *gp, const char *repo_path, struct la_err *err);

/* A new set (GITPACK_BASE_CACHE of bases; LISTARC_TEST_GITPACK_CACHE=
 * BYTES for another bound) with gitpack_add_dir's packs.  LA_ENOMEM. */
enum la_status gitpack_open(struct gitpack **out, const char *repo_path, struct la_err *err);

/* A pack added to gp from its two open files (gp takes both descriptors,
 * closing them on failure as well).  LA_EINVAL if they are not a pack
 * with its version 2 index (the fanout, the object count, the tables'
 * sizes checked); LA_ETOOBIG past GITPACK_PACKS_MAX packs; LA_ENOMEM. */
enum la_status gitpack_add(struct gitpack *gp, int pack_fd, int idx_fd, struct la_err *err);

/* The object id (GITPACK_OID bytes) into *obj.  LA_OK; LA_ENOTFOUND if
 * no pack of gp holds it or a base it needs (nothing set in err);
 * LA_EINVAL for corrupt data (a bad header, size, zlib stream, delta or
 * chain: err says which and where); LA_ETOOBIG for an object or a delta
 * over GITPACK_OBJECT_MAX or a chain over GITPACK_CHAIN_MAX; LA_EIO if a
 * read failed; LA_ENOMEM. */
enum la_status gitpack_read(struct gitpack *gp, const unsigned char *id, struct gitpack_obj *obj,
                            struct la_err *err);

/* Reads that mostly go backwards in the packs (on), or forwards (the
 * default): an object's start is read with the window's worth before
 * it, or after it.  A first-parent chain read from the tip goes
 * backwards in a pack written oldest first (libgit2's packbuilder, and
 * so `listarc export`, writes each commit, its tree and blob, oldest
 * first): at 30,000 messages 91,301 preads for the chain, 60,000 of
 * them its look-ups, the rest its commits one a read. */
void gitpack_backward(struct gitpack *gp, bool on);

/* The n ids at ids (GITPACK_OID bytes each; at most GITPACK_AHEAD_MAX
 * are taken) looked up at once, for gitpack_read to find them without
 * reading an .idx until the next call: sorted, one read of an .idx
 * serves each of them in its window (the indexer knows its next
 * messages' trees, then their blobs: ids spread at random over the
 * .idx, one or two reads each otherwise).  An id of them no pack holds
 * is then not found at once.  LA_OK; LA_EIO, LA_ENOMEM (nothing kept
 * ahead then). */
enum la_status gitpack_prefetch(struct gitpack *gp, const unsigned char *ids, size_t n,
                                struct la_err *err);

/* The packs gp holds, and what it did so far. */
size_t gitpack_count(const struct gitpack *gp);
void gitpack_stats(const struct gitpack *gp, struct gitpack_stats *out);

void gitpack_obj_free(struct gitpack_obj *obj);
void gitpack_free(struct gitpack *gp);

/* "commit", "tree", "blob", "tag" (or "?"). */
const char *gitpack_type_name(enum gitpack_type t);

/* Is the pack reader used (the indexer's and pages' reads)?  Off with
 * LISTARC_GITPACK=0: everything through libgit2, to compare. */
bool gitpack_enabled(void);

/* The repository of epoch `epoch` of the public-inbox inbox at inbox
 * (INBOX/git/N.git), or the inbox itself for epoch -1 (v1, one bare
 * repository), into out; false if it does not fit n bytes. */
bool gitpack_repo_path(char *out, size_t n, const char *inbox, int epoch);

#endif
