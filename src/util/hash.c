/* hash.c: FNV-1a 64 with a splitmix64-style finalizer; a faster hash of long strings. */
#include "util/hash.h"

#include <string.h>

uint64_t hash64_mix(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

uint64_t hash64(const void *data, size_t n, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return hash64_mix(h);
}

uint64_t hash64_bulk(const void *data, size_t n, uint64_t seed)
{
	const unsigned char *p = data;
	/* Four lanes, so that the multiplications of one step do not wait
	 * for each other's. */
	uint64_t h[4] = {0x9e3779b97f4a7c15ULL ^ seed, 0xc2b2ae3d27d4eb4fULL + seed,
	                 0x165667b19e3779f9ULL ^ (uint64_t)n, 0x27d4eb2f165667c5ULL};
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		for (int k = 0; k < 4; k++) {
			uint64_t w;
			memcpy(&w, p + i + 8 * k, 8);
			h[k] = (h[k] ^ w) * 0x9fb21c651e98df25ULL;
			h[k] ^= h[k] >> 29;
		}
	}
	uint64_t t = 0;
	for (; i < n; i++)
		t = (t ^ p[i]) * 0x100000001b3ULL;
	return hash64_mix(hash64_mix(h[0] ^ hash64_mix(h[1] + t)) ^
	                  hash64_mix(h[2] ^ hash64_mix(h[3] + n)));
}
