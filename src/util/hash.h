/* hash.h: a 64-bit hash of byte strings (FNV-1a with a final avalanche
 * step).  Used for Message-ID keys, where collisions are detected and
 * resolved by the caller, and for source fingerprints. */
#ifndef LISTARC_HASH_H
#define LISTARC_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t hash64(const void *p, size_t n, uint64_t seed);

/* Another 64-bit hash, eight bytes a step (about eight times hash64's
 * speed), for long strings whose hash is never stored: a page's ETag.
 * Its values differ from hash64's. */
uint64_t hash64_bulk(const void *p, size_t n, uint64_t seed);

#endif
