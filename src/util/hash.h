/* hash.h: a 64-bit hash of byte strings (FNV-1a with a final avalanche
 * step).  Used for Message-ID keys, where collisions are detected and
 * resolved by the caller, and for source fingerprints. */
#ifndef LISTARC_HASH_H
#define LISTARC_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t hash64(const void *p, size_t n, uint64_t seed);

/* hash64's final step: hash64(p, n, seed) is hash64_mix of FNV-1a's
 * state over p[0..n) begun at 0xcbf29ce484222325 ^ seed (for a caller
 * that hashes bytes as it reads them: util/stem.c). */
uint64_t hash64_mix(uint64_t h);

/* Another 64-bit hash, eight bytes a step (about eight times hash64's
 * speed), for long strings whose hash is never stored: a page's ETag.
 * Its values differ from hash64's. */
uint64_t hash64_bulk(const void *p, size_t n, uint64_t seed);

#endif
