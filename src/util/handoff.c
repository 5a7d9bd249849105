/* handoff.c: see handoff.h. */
#include "util/handoff.h"

void handoff_init(struct handoff *h, size_t size)
{
	/* Half the ring, at most HANDOFF_WAKE_MAX slots: a deep ring's
	 * writer waiting for half of it would wait for thousands of
	 * messages at the start. */
	size_t wake = size / 2 < HANDOFF_WAKE_MAX ? size / 2 : HANDOFF_WAKE_MAX;
	*h = (struct handoff){.size = size, .wake = wake};
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->can_put, NULL);
	pthread_cond_init(&h->can_take, NULL);
}

void handoff_destroy(struct handoff *h)
{
	pthread_cond_destroy(&h->can_put);
	pthread_cond_destroy(&h->can_take);
	pthread_mutex_destroy(&h->mu);
}

bool handoff_wait_put(struct handoff *h, size_t *slot)
{
	pthread_mutex_lock(&h->mu);
	while (h->head - h->tail == h->size && !h->stop) {
		h->reader_waits = true;
		pthread_cond_wait(&h->can_put, &h->mu);
	}
	h->reader_waits = false;
	h->ahead = h->head - h->tail;
	bool go = !h->stop;
	*slot = h->head % h->size;
	pthread_mutex_unlock(&h->mu);
	return go;
}

size_t handoff_ahead(const struct handoff *h)
{
	return h->ahead;
}

void handoff_put(struct handoff *h)
{
	pthread_mutex_lock(&h->mu);
	h->head++;
	if (h->writer_waits && h->head - h->tail >= h->wake)
		pthread_cond_signal(&h->can_take);
	pthread_mutex_unlock(&h->mu);
}

void handoff_finish(struct handoff *h)
{
	pthread_mutex_lock(&h->mu);
	h->done = true;
	pthread_cond_signal(&h->can_take);
	pthread_mutex_unlock(&h->mu);
}

bool handoff_take(struct handoff *h, size_t *slot)
{
	pthread_mutex_lock(&h->mu);
	while (h->head == h->tail && !h->done) {
		h->writer_waits = true;
		pthread_cond_wait(&h->can_take, &h->mu);
	}
	h->writer_waits = false;
	bool some = h->head != h->tail;
	*slot = h->tail % h->size;
	pthread_mutex_unlock(&h->mu);
	return some;
}

void handoff_release(struct handoff *h)
{
	pthread_mutex_lock(&h->mu);
	h->tail++;
	if (h->reader_waits && h->head - h->tail <= h->size - h->wake)
		pthread_cond_signal(&h->can_put);
	pthread_mutex_unlock(&h->mu);
}

void handoff_stop(struct handoff *h)
{
	pthread_mutex_lock(&h->mu);
	h->stop = true;
	pthread_cond_signal(&h->can_put);
	pthread_mutex_unlock(&h->mu);
}

size_t handoff_taken(struct handoff *h)
{
	pthread_mutex_lock(&h->mu);
	size_t n = h->tail;
	pthread_mutex_unlock(&h->mu);
	return n;
}
