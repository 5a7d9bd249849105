/* cgraph.h: git's commit-graph file (objects/info/commit-graph, written
 * by `git commit-graph write` and `git gc`), read for an epoch's
 * first-parent chain without inflating its commits (ingest/git.c).
 * Version 1, SHA-1, one file (no chain of split graphs: the caller reads
 * the commits instead); only the chunks OIDF, OIDL and CDAT.  The bytes
 * are input: every offset, count and parent position is checked against
 * the file's length before it is used.  Stage-internal (ingest/). */
#ifndef LISTARC_CGRAPH_H
#define LISTARC_CGRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CGRAPH_OID 20 /* SHA-1 */

struct cgraph {
	const unsigned char *fanout; /* 256 big-endian counts */
	const unsigned char *oids;   /* count ids, sorted */
	const unsigned char *cdat;   /* count entries of CGRAPH_OID + 16 bytes */
	uint32_t count;
};

/* g over the file's bytes p[0..n) (the caller keeps them); false if they
 * are not a commit-graph this reads. */
bool cgraph_open(struct cgraph *g, const unsigned char *p, size_t n);

/* The position of commit id in the graph, or -1. */
int64_t cgraph_find(const struct cgraph *g, const unsigned char *id);

/* The commit at position pos (< g->count): its id and tree (pointers
 * into the file) and its first parent's position (-1: none); false if
 * the entry names a parent outside the graph. */
bool cgraph_entry(const struct cgraph *g, uint32_t pos, const unsigned char **id,
                  const unsigned char **tree, int64_t *parent);

#endif
