/* stem.c: English stems through libstemmer (see stem.h). */
#include "util/stem.h"

#include <libstemmer.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

/* Words met before, with their stems: a direct-mapped cache, so that a
 * word is stemmed once in a while rather than at each occurrence (mail
 * repeats its words; Snowball costs about ten times a lookup). */
#define CACHE_SLOTS 8192
/* The distinct words and stems since stemmer_reset: an
 * open-addressing set of their hashes, reset by a generation count.
 * Past half full, they are no longer told apart (a message of more than
 * about 4,000 distinct words repeats some stems in its column of stems:
 * it is only bigger). */
#define SEEN_SLOTS 8192

struct cached {
	uint8_t wlen, slen; /* 0: empty */
	char word[STEM_WORD_MAX];
	char stem[STEM_WORD_MAX + 1];
};

struct stemmer {
	struct sb_stemmer *sb;
	char out[STEM_WORD_MAX + 1];
	struct cached cache[CACHE_SLOTS];
	uint64_t seen[SEEN_SLOTS];
	uint32_t seen_gen[SEEN_SLOTS];
	uint32_t gen;
	size_t nseen;
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

const char *stemmer_stem(struct stemmer *s, const char *w, size_t n, size_t *len)
{
	struct cached *c = &s->cache[hash64(w, n, 0) & (CACHE_SLOTS - 1)];
	if (c->wlen == n && memcmp(c->word, w, n) == 0) {
		*len = c->slen;
		return c->stem;
	}
	const sb_symbol *r = sb_stemmer_stem(s->sb, (const sb_symbol *)w, (int)n);
	if (!r)
		return NULL;
	size_t k = (size_t)sb_stemmer_length(s->sb);
	/* (English stems are never longer than the word.) */
	if (k > STEM_WORD_MAX)
		k = STEM_WORD_MAX;
	memcpy(c->word, w, n);
	memcpy(c->stem, r, k);
	c->stem[k] = 0;
	c->wlen = (uint8_t)n;
	c->slen = (uint8_t)k;
	*len = k;
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

static bool word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c >= 0x80;
}

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
	while (i < n) {
		while (i < n && !word_byte(p[i]))
			i++;
		size_t start = i;
		bool letters = true;
		char w[STEM_WORD_MAX];
		while (i < n && word_byte(p[i])) {
			unsigned char c = p[i];
			if (c >= 'A' && c <= 'Z')
				c = (unsigned char)(c + 32);
			else if (c < 'a' || c > 'z')
				letters = false;
			if (i - start < STEM_WORD_MAX)
				w[i - start] = (char)c;
			i++;
		}
		size_t k = i - start;
		if (!letters || k < 2 || k > STEM_WORD_MAX)
			continue;
		/* A word met before in this text has its stem out already (a
		 * hash of each, told apart by their seeds). */
		if (!first_time(s, hash64(w, k, 1)))
			continue;
		size_t sl;
		const char *st = stemmer_stem(s, w, k, &sl);
		if (st && first_time(s, hash64(st, sl, 0))) {
			buf_add(out, st, sl);
			buf_addc(out, ' ');
		}
	}
}
