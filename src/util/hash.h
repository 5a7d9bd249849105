/* hash.h: a 64-bit hash of byte strings (FNV-1a with a final avalanche
 * step).  Used for Message-ID keys, where collisions are detected and
 * resolved by the caller, and for source fingerprints. */
#ifndef LISTARC_HASH_H
#define LISTARC_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t hash64(const void *p, size_t n, uint64_t seed);

#endif
