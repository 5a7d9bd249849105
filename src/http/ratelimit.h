/* ratelimit.h: per-client token buckets for the server.  A client is an
 * IPv4 address or an IPv6 /64 (one subscriber's prefix); each has a
 * bucket of `burst` tokens that refills at `rate` tokens a second, and a
 * request costs tokens by what it costs us (see server.c).  One table for
 * every event loop, behind a mutex: a client's connections land on
 * different loops. */
#ifndef LISTARC_RATELIMIT_H
#define LISTARC_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct ratelimit;

/* A table of at most RATELIMIT_CLIENTS clients (limits.h; past it the
 * client idle the longest among a few is forgotten), or NULL out of
 * memory.  rate > 0, burst >= 1. */
struct ratelimit *ratelimit_new(double rate, double burst);
/* NULL-safe. */
void ratelimit_free(struct ratelimit *rl);

/* The client of a peer address into key (16 bytes): the IPv4 address or
 * the IPv6 /64 (an IPv4-mapped IPv6 address counts as IPv4).  false for
 * another family.  *loopback: 127/8 or ::1. */
bool ratelimit_client(const struct sockaddr *sa, unsigned char key[16], bool *loopback);

/* Takes cost tokens from the bucket of key at now_ms (a monotonic clock).
 * Returns 0 if the request may go on; else it is refused, nothing is
 * taken, and the return value is the whole seconds until the bucket holds
 * cost tokens again (at least 1: a Retry-After). */
int ratelimit_take(struct ratelimit *rl, const unsigned char key[16], double cost, uint64_t now_ms);

#endif
