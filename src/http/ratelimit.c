/* ratelimit.c: per-client token buckets (see ratelimit.h). */
#include "http/ratelimit.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "util/hash.h"

struct bucket {
	unsigned char key[16];
	bool used;
	double tokens;
	uint64_t last_ms; /* when tokens was right */
};

struct ratelimit {
	pthread_mutex_t mu;
	double rate, burst;
	struct bucket *b;
	size_t n; /* RATELIMIT_CLIENTS, a power of two */
};

/* Slots looked at from a key's hash: its bucket is among them, or the
 * one idle the longest is taken for it. */
#define PROBES 8

struct ratelimit *ratelimit_new(double rate, double burst)
{
	_Static_assert((RATELIMIT_CLIENTS & (RATELIMIT_CLIENTS - 1)) == 0, "a power of two");
	struct ratelimit *rl = calloc(1, sizeof *rl);
	if (!rl)
		return NULL;
	rl->b = calloc(RATELIMIT_CLIENTS, sizeof *rl->b);
	if (!rl->b) {
		free(rl);
		return NULL;
	}
	rl->n = RATELIMIT_CLIENTS;
	rl->rate = rate;
	rl->burst = burst;
	pthread_mutex_init(&rl->mu, NULL);
	return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->mu);
	free(rl->b);
	free(rl);
}

bool ratelimit_client(const struct sockaddr *sa, unsigned char key[16], bool *loopback)
{
	memset(key, 0, 16);
	*loopback = false;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		memcpy(key, &in->sin_addr, 4);
		*loopback = key[0] == 127;
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		const unsigned char *a = in6->sin6_addr.s6_addr;
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			memcpy(key, a + 12, 4);
			*loopback = key[0] == 127;
			return true;
		}
		*loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
		key[15] = 6; /* never equal to an IPv4 key */
		memcpy(key, a, 8);
		return true;
	}
	return false;
}

int ratelimit_take(struct ratelimit *rl, const unsigned char key[16], double cost, uint64_t now_ms)
{
	pthread_mutex_lock(&rl->mu);
	size_t h = (size_t)hash64(key, 16, 11);
	struct bucket *b = NULL, *oldest = NULL;
	for (size_t i = 0; i < PROBES; i++) {
		struct bucket *c = &rl->b[(h + i) & (rl->n - 1)];
		if (c->used && memcmp(c->key, key, 16) == 0) {
			b = c;
			break;
		}
		if (!oldest || !c->used || (oldest->used && c->last_ms < oldest->last_ms))
			oldest = c;
	}
	if (!b) {
		/* A new client, or one forgotten: a full bucket. */
		b = oldest;
		memcpy(b->key, key, 16);
		b->used = true;
		b->tokens = rl->burst;
		b->last_ms = now_ms;
	}
	if (now_ms > b->last_ms) {
		b->tokens += (double)(now_ms - b->last_ms) / 1000.0 * rl->rate;
		if (b->tokens > rl->burst)
			b->tokens = rl->burst;
		b->last_ms = now_ms;
	}
	int wait = 0;
	if (cost > rl->burst)
		cost = rl->burst; /* else it could never pass */
	if (b->tokens >= cost) {
		b->tokens -= cost;
	} else {
		double s = (cost - b->tokens) / rl->rate;
		wait = s > 86400 ? 86400 : (int)s;
		if (wait < s)
			wait++;
		if (wait < 1)
			wait = 1;
	}
	pthread_mutex_unlock(&rl->mu);
	return wait;
}
