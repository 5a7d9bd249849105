/* gitref.h: the commit a bare repository's HEAD names, read from its
 * files as git writes them (HEAD, a loose ref under refs/, packed-refs),
 * without libgit2: for /healthz's look at each public-inbox epoch
 * (store/git.c) and the indexer's tip (ingest/git.c).
 *
 * The files are input: HEAD and a loose ref are read up to
 * GITREF_FILE_MAX bytes, packed-refs line by line (a line over
 * GITREF_LINE_MAX is no ref's), a symbolic ref is followed
 * GITREF_DEPTH_MAX deep, and a name it gives must be a ref's (under
 * refs/, no "..", no control characters: nothing outside the
 * repository is opened).  A repository whose refs are in a reftable
 * (git 2.45's extensions.refStorage) reads as LA_EINVAL, for the
 * caller to ask libgit2.  Internal to store/ and ingest/. */
#ifndef LISTARC_GITREF_H
#define LISTARC_GITREF_H

#include <stdbool.h>
#include <stddef.h>

#include "util/status.h"

#define GITREF_OID 20
#define GITREF_FILE_MAX 4096
#define GITREF_NAME_MAX 1024
#define GITREF_LINE_MAX (GITREF_NAME_MAX + 64)
#define GITREF_DEPTH_MAX 5

/* A ref file's bytes p[0..n): a commit id in hex (LA_OK, id set, sym
 * "") or "ref: NAME" (LA_OK, NAME into sym, of symn bytes), each ending
 * with a newline or not; LA_EINVAL for anything else (a name not a ref's
 * or longer than symn - 1). */
enum la_status gitref_parse(const char *p, size_t n, unsigned char id[GITREF_OID], char *sym,
                            size_t symn);

/* One line of packed-refs (without its newline): true, with its id, if
 * it is "ID NAME" for name; false for another ref, a peeled line
 * ("^ID"), the header ("# pack-refs ...") or a broken line. */
bool gitref_packed_line(const char *line, size_t n, const char *name, unsigned char id[GITREF_OID]);

/* The commit id HEAD names in the bare repository at repo (its loose
 * ref, else its line in packed-refs).  LA_OK; LA_ENOTFOUND: a branch
 * with no commit yet (unborn: an empty repository); LA_EINVAL (err says
 * which file and why); LA_EIO. */
enum la_status gitref_head(const char *repo, unsigned char id[GITREF_OID], struct la_err *err);

#endif
