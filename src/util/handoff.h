/* handoff.h: the hand-off between a reader thread and the thread that
 * writes what it read, through a ring of slots the caller owns: one
 * reader fills slots in order, one writer takes them in order.  Only the
 * indices and the waiting are here; a slot's contents are the caller's
 * (ingest.c: an mbox's messages, ingest/git.c: an epoch's commits).
 *
 * Each side wakes the other only when it waits and half the ring (at
 * most HANDOFF_WAKE_MAX slots) has changed hands: a wake-up per message
 * (a futex call on each side, and a context switch) was a fifth of the
 * CPU time of `index --no-search`.
 *
 *     reader:  while (handoff_wait_put(&h, &i)) { fill slot[i]; handoff_put(&h); }
 *              handoff_finish(&h);     (after setting its status)
 *     writer:  while (handoff_take(&h, &i)) { use slot[i]; handoff_release(&h); }
 *              handoff_stop(&h); pthread_join(...);
 *
 * Built into the binary (util/); listarc-ext.so calls it there, as it
 * calls the rest of util/ (docs/plugin.md). */
#ifndef LISTARC_HANDOFF_H
#define LISTARC_HANDOFF_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define HANDOFF_WAKE_MAX 16

struct handoff {
	pthread_mutex_t mu;
	pthread_cond_t can_put, can_take;
	size_t size, wake; /* slots; how many change hands before a wake-up */
	size_t head, tail; /* head: next to fill; tail: next to take */
	bool done;         /* the reader has finished */
	bool stop;         /* the writer asks the reader to stop */
	bool reader_waits, writer_waits;
	size_t ahead; /* (the reader's) filled slots not yet taken, at its last wait_put */
};

/* A hand-off over size slots (size ≥ 2). */
void handoff_init(struct handoff *h, size_t size);
void handoff_destroy(struct handoff *h);

/* Reader: waits for a free slot; true with *slot its index, false if the
 * writer asked it to stop. */
bool handoff_wait_put(struct handoff *h, size_t *slot);
/* Reader: how many slots it had filled that the writer had not yet
 * taken, as its last handoff_wait_put found them: how far ahead of the
 * writer it is (a reader with work it may leave to others does it only
 * when ahead). */
size_t handoff_ahead(const struct handoff *h);
/* Reader: the slot handoff_wait_put gave is filled. */
void handoff_put(struct handoff *h);
/* Reader: nothing more will come (whatever it stored about why is read
 * by the writer after it joins the reader, or after handoff_take says
 * false). */
void handoff_finish(struct handoff *h);

/* Writer: waits for the next filled slot; true with *slot its index,
 * false once the reader has finished and everything was taken. */
bool handoff_take(struct handoff *h, size_t *slot);
/* Writer: the slot handoff_take gave goes back to the reader. */
void handoff_release(struct handoff *h);
/* Writer: asks the reader to stop (it stops at its next handoff_wait_put);
 * the caller then joins it. */
void handoff_stop(struct handoff *h);
/* Slots taken so far. */
size_t handoff_taken(struct handoff *h);

#endif
