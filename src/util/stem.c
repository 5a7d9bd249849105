/* stem.c: English stems through libstemmer (see stem.h). */
#include "util/stem.h"

#include <libstemmer.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

/* Words met before, with their stems: a cache of two ways (a word in
 * the slot its hash's low bits or its high bits name), so that a word is
 * stemmed once in a while rather than at each occurrence (mail repeats
 * its words; Snowball costs about ten times a lookup).  Direct-mapped,
 * two frequent words of a slot stemmed each other out: 5% of lookups
 * went to Snowball at 20,000 generated messages, 4% of the search
 * thread's instructions. */
#define CACHE_SLOTS 8192
/* The distinct words and stems since stemmer_reset: an
 * open-addressing set of their hashes, reset by a generation count.
 * Past half full, they are no longer told apart (a message of more than
 * about 4,000 distinct words repeats some stems in its column of stems:
 * it is only bigger). */
#define SEEN_SLOTS 8192
/* The seeds that keep a word's hash and a stem's apart in that set:
 * FNV-1a's states from seeds differing in bit 63 alone differ in bit 63
 * whatever bytes follow (a byte's XOR reaches the low 8 bits; a
 * multiplication by an odd number keeps a difference of 2^63), so a
 * word and a stem of the same length never share a hash.  (Seeds 1 and
 * 0 did: "we" and "ve" hashed alike, and "we" was left out of the stems
 * of a text that had "I've" before it.) */
#define WORD_SEED (UINT64_C(1) << 63)
#define STEM_SEED 0

struct cached {
	uint8_t wlen, slen; /* 0: empty */
	char word[STEM_WORD_MAX];
	char stem[STEM_WORD_MAX + 1];
	uint64_t shash; /* hash64(stem, slen, STEM_SEED): stemmer_stems' set */
};

struct stemmer {
	struct sb_stemmer *sb;
	char out[STEM_WORD_MAX + 1];
	struct cached cache[CACHE_SLOTS];
	uint64_t seen[SEEN_SLOTS];
	uint32_t seen_gen[SEEN_SLOTS];
	uint32_t gen;
	size_t nseen;
	unsigned victim; /* (stem_cached) */
};

struct stemmer *stemmer_new(void)
{
	struct stemmer *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->sb = sb_stemmer_new("english", "UTF_8");
	if (!s->sb) {
		free(s);
		return NULL;
	}
	stemmer_reset(s);
	return s;
}

void stemmer_free(struct stemmer *s)
{
	if (!s)
		return;
	sb_stemmer_delete(s->sb);
	free(s);
}

bool stem_word(const char *w, size_t n)
{
	if (n < 2 || n > STEM_WORD_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (w[i] < 'a' || w[i] > 'z')
			return false;
	return true;
}

/* The cache's entry of w[0..n) (in one of the two slots of hash h, any
 * hash of the word), stemmed into one if it was not there (the other
 * slot's turn next: s->victim); NULL if memory ran out. */
static const struct cached *stem_cached(struct stemmer *s, const char *w, size_t n, uint64_t h)
{
	struct cached *a = &s->cache[h & (CACHE_SLOTS - 1)];
	if (a->wlen == n && memcmp(a->word, w, n) == 0)
		return a;
	struct cached *b = &s->cache[(h >> 40) & (CACHE_SLOTS - 1)];
	if (b->wlen == n && memcmp(b->word, w, n) == 0)
		return b;
	const sb_symbol *r = sb_stemmer_stem(s->sb, (const sb_symbol *)w, (int)n);
	if (!r)
		return NULL;
	struct cached *c = !a->wlen ? a : !b->wlen ? b : (s->victim ^= 1) ? a : b;
	size_t k = (size_t)sb_stemmer_length(s->sb);
	/* (English stems are never longer than the word.) */
	if (k > STEM_WORD_MAX)
		k = STEM_WORD_MAX;
	memcpy(c->word, w, n);
	memcpy(c->stem, r, k);
	c->stem[k] = 0;
	c->wlen = (uint8_t)n;
	c->slen = (uint8_t)k;
	c->shash = hash64(c->stem, k, STEM_SEED);
	return c;
}

const char *stemmer_stem(struct stemmer *s, const char *w, size_t n, size_t *len)
{
	const struct cached *c = stem_cached(s, w, n, hash64(w, n, 0));
	if (!c)
		return NULL;
	*len = c->slen;
	return c->stem;
}

size_t stem_once(const char *w, size_t n, char *out)
{
	struct sb_stemmer *sb = sb_stemmer_new("english", "UTF_8");
	if (!sb)
		return 0;
	const sb_symbol *r = sb_stemmer_stem(sb, (const sb_symbol *)w, (int)n);
	size_t k = r ? (size_t)sb_stemmer_length(sb) : 0;
	if (k > STEM_WORD_MAX)
		k = STEM_WORD_MAX;
	if (r)
		memcpy(out, r, k);
	out[k] = 0;
	sb_stemmer_delete(sb);
	return k;
}

/* True the first time the stem of hash h is met in this call. */
static bool first_time(struct stemmer *s, uint64_t h)
{
	if (s->nseen >= SEEN_SLOTS / 2)
		return true;
	size_t i = h & (SEEN_SLOTS - 1);
	while (s->seen_gen[i] == s->gen) {
		if (s->seen[i] == h)
			return false;
		i = (i + 1) & (SEEN_SLOTS - 1);
	}
	s->seen_gen[i] = s->gen;
	s->seen[i] = h;
	s->nseen++;
	return true;
}

/* What each byte is to stemmer_stems: a separator (0), an ASCII letter
 * (1), or another byte of a word (2: digits, '_', bytes >= 0x80). */
static const uint8_t byte_kind[256] = {
	['0' ... '9'] = 2, ['A' ... 'Z'] = 1, ['_'] = 2, ['a' ... 'z'] = 1, [0x80 ... 0xFF] = 2,
};

void stemmer_reset(struct stemmer *s)
{
	if (++s->gen == 0) {
		memset(s->seen_gen, 0, sizeof s->seen_gen);
		s->gen = 1;
	}
	s->nseen = 0;
}

void stemmer_stems(struct stemmer *s, struct buf *out, const char *text, size_t n)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i = 0;
	for (;;) {
		while (i < n && !byte_kind[p[i]])
			i++;
		if (i >= n)
			break;
		/* The word lowercased into w, and hashed as it goes (FNV-1a:
		 * hash64(w, k, WORD_SEED) once mixed), while it is letters
		 * alone; a word with another byte is skipped whole. */
		char w[STEM_WORD_MAX];
		size_t k = 0;
		uint64_t h = 0xcbf29ce484222325ULL ^ WORD_SEED;
		for (; i < n && byte_kind[p[i]] == 1; i++, k++) {
			if (k < STEM_WORD_MAX) {
				unsigned char c = p[i] | 0x20;
				w[k] = (char)c;
				h = (h ^ c) * 0x100000001b3ULL;
			}
		}
		if (i < n && byte_kind[p[i]]) {
			while (i < n && byte_kind[p[i]])
				i++;
			continue;
		}
		if (k < 2 || k > STEM_WORD_MAX)
			continue;
		/* A word met before in this text has its stem out already (a
		 * hash of each, told apart by their seeds). */
		uint64_t hw = hash64_mix(h);
		if (!first_time(s, hw))
			continue;
		const struct cached *c = stem_cached(s, w, k, hw);
		if (c && first_time(s, c->shash)) {
			buf_add(out, c->stem, c->slen);
			buf_addc(out, ' ');
		}
	}
}
