/* thread.h: the tree of a thread, JWZ style, from what the index keeps:
 * every Message-ID of the thread (real or ghost) with its parent link,
 * and the messages that carry them.  Used by thread pages, the outline
 * under a message and the JSON API. */
#ifndef LISTARC_THREAD_H
#define LISTARC_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limits.h" /* THREAD_NODES_MAX: a bigger thread is shown in part */

/* Input: one per Message-ID of the thread. */
struct thread_id_in {
	int64_t id;     /* mids.id */
	int64_t parent; /* mids.id of its parent, 0 for none */
};

/* Input: one per message of the thread (several may share a mid). */
struct thread_msg_in {
	int64_t mid; /* mids.id */
	int64_t ts;  /* delivery time: siblings are ordered by it */
	int64_t key; /* the caller's handle for the message */
};

/* Output: the tree in display order (depth first, siblings by date). */
struct thread_row {
	int depth;
	bool ghost;  /* a message that is not in the archive */
	int64_t mid; /* mids.id */
	int64_t key; /* the message's key (ghost: 0) */
};

struct thread_tree {
	struct thread_row *rows;
	size_t nrows;
	bool cut; /* more than THREAD_NODES_MAX nodes: the rest is left out */
};

/* Builds the tree.  Never recurses and always terminates, whatever the
 * parent links say (a loop in them is broken where it is found).  Ghosts
 * with no children are dropped; a ghost root with one child is replaced
 * by that child.  Returns false only if memory runs out.  Free with
 * thread_tree_free. */
bool thread_build(const struct thread_id_in *ids, size_t nids, const struct thread_msg_in *msgs,
                  size_t nmsgs, struct thread_tree *out);
void thread_tree_free(struct thread_tree *t);

#endif
