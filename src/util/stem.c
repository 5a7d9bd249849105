/* stem.c: English stems through libstemmer (see stem.h). */
#include "util/stem.h"

#include <libstemmer.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "util/hash.h"

/* Words met before, with their stems: a cache of two ways (a word in
 * the slot its hash's low bits or its high bits name), so that a word is
 * stemmed once in a while rather than at each occurrence (mail repeats
 * its words; Snowball costs about ten times a lookup).  Direct-mapped,
 * two frequent words of a slot stemmed each other out: 5% of lookups
 * went to Snowball at 20,000 generated messages, 4% of the search
 * thread's instructions. */
#define CACHE_SLOTS 8192
/* The distinct words and stems since stemmer_reset: two open-addressing
 * sets of their hashes (one of words, one of stems: a word's hash and a
 * stem's are never compared, whatever their bytes), reset by a
 * generation count.  Past half of SEEN_SLOTS entries in all, they are no
 * longer told apart (a message of more than about 4,000 distinct words
 * repeats some stems in its column of stems: it is only bigger). */
#define SEEN_SLOTS 8192
/* A word of STEM_WORD_MAX letters is this many 8-byte chunks. */
#define WORD_CHUNKS ((STEM_WORD_MAX + 7) / 8)

struct cached {
	uint64_t word[WORD_CHUNKS]; /* the word's bytes, zeros after them */
	uint8_t wlen, slen;         /* 0: empty */
	char stem[STEM_WORD_MAX + 1];
	uint64_t shash; /* hash64(stem, slen, 0): stemmer_stems' set of stems */
};

struct seen {
	uint64_t h[SEEN_SLOTS];
	uint32_t gen[SEEN_SLOTS];
};

struct stemmer {
	struct sb_stemmer *sb;
	struct cached cache[CACHE_SLOTS];
	struct seen words, stems;
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

/* A word's hash: w is the word lowercased in its chunks, zeros after
 * its n bytes.  One multiplication a chunk: a word of up to 8 letters
 * is one chunk, and two such words of a length differ before the final
 * mix (which loses nothing), so only longer words may share a hash. */
static uint64_t word_hash(const uint64_t *w, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ n;
	for (size_t j = 0; j < (n + 7) / 8; j++)
		h = (h ^ w[j]) * 0x9fb21c651e98df25ULL;
	return hash64_mix(h);
}

/* w[0..n) lowercased into out's chunks (zeros after it); p[0..n) is a
 * word of ASCII letters. */
static void word_chunks(uint64_t out[WORD_CHUNKS], const char *p, size_t n)
{
	char *o = (char *)out;
	memset(out, 0, WORD_CHUNKS * 8);
	for (size_t j = 0; j < n; j++)
		o[j] = (char)(p[j] | 0x20);
}

/* Whether two words of n bytes in chunks (zeros after them) are one. */
static inline bool same_word(const uint64_t *a, const uint64_t *b, size_t n)
{
	uint64_t d = 0;
	for (size_t j = 0; j < (n + 7) / 8; j++)
		d |= a[j] ^ b[j];
	return d == 0;
}

/* The cache's entry of the word w (n bytes, in chunks as word_chunks
 * makes them; h its word_hash), stemmed into one if it was not there
 * (the other slot's turn next: s->victim); NULL if memory ran out. */
static const struct cached *stem_cached(struct stemmer *s, const uint64_t *w, size_t n, uint64_t h)
{
	struct cached *a = &s->cache[h & (CACHE_SLOTS - 1)];
	if (a->wlen == n && same_word(a->word, w, n))
		return a;
	struct cached *b = &s->cache[(h >> 40) & (CACHE_SLOTS - 1)];
	if (b->wlen == n && same_word(b->word, w, n))
		return b;
	const sb_symbol *r = sb_stemmer_stem(s->sb, (const sb_symbol *)w, (int)n);
	if (!r)
		return NULL;
	struct cached *c = !a->wlen ? a : !b->wlen ? b : (s->victim ^= 1) ? a : b;
	size_t k = (size_t)sb_stemmer_length(s->sb);
	/* (English stems are never longer than the word.) */
	if (k > STEM_WORD_MAX)
		k = STEM_WORD_MAX;
	memcpy(c->word, w, sizeof c->word);
	memcpy(c->stem, r, k);
	c->stem[k] = 0;
	c->wlen = (uint8_t)n;
	c->slen = (uint8_t)k;
	c->shash = hash64(c->stem, k, 0);
	return c;
}

const char *stemmer_stem(struct stemmer *s, const char *w, size_t n, size_t *len)
{
	uint64_t c[WORD_CHUNKS];
	word_chunks(c, w, n);
	const struct cached *e = stem_cached(s, c, n, word_hash(c, n));
	if (!e)
		return NULL;
	*len = e->slen;
	return e->stem;
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

/* True the first time hash h is met in set t since stemmer_reset. */
static bool first_time(struct stemmer *s, struct seen *t, uint64_t h)
{
	if (s->nseen >= SEEN_SLOTS / 2)
		return true;
	size_t i = h & (SEEN_SLOTS - 1);
	while (t->gen[i] == s->gen) {
		if (t->h[i] == h)
			return false;
		i = (i + 1) & (SEEN_SLOTS - 1);
	}
	t->gen[i] = s->gen;
	t->h[i] = h;
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
		memset(s->words.gen, 0, sizeof s->words.gen);
		memset(s->stems.gen, 0, sizeof s->stems.gen);
		s->gen = 1;
	}
	s->nseen = 0;
}

/* The stem of the word p[0..k) (ASCII letters) out, if neither the
 * word nor its stem was met since stemmer_reset. */
static void one_word(struct stemmer *s, struct buf *out, const char *p, size_t k)
{
	uint64_t w[WORD_CHUNKS];
	word_chunks(w, p, k);
	uint64_t hw = word_hash(w, k);
	if (!first_time(s, &s->words, hw))
		return;
	const struct cached *c = stem_cached(s, w, k, hw);
	if (c && first_time(s, &s->stems, c->shash)) {
		buf_add(out, c->stem, c->slen);
		buf_addc(out, ' ');
	}
}

#ifdef __SSE2__
/* Bits of p[i..i+64) (those past n clear): the ASCII letters in *letters,
 * the bytes of words (letters, digits, '_', bytes >= 0x80) in *any. */
static inline void masks64(const unsigned char *p, size_t i, size_t n, uint64_t *letters,
                           uint64_t *any)
{
	uint64_t l = 0, a = 0;
	for (unsigned j = 0; j < 64 && i + j < n; j += 16) {
		__m128i x;
		if (n - (i + j) >= 16) {
			x = _mm_loadu_si128((const __m128i *)(p + i + j));
		} else {
			unsigned char tail[16] = {0}; /* (0: a separator) */
			memcpy(tail, p + i + j, n - (i + j));
			x = _mm_loadu_si128((const __m128i *)tail);
		}
		/* (x | 0x20) in 'a'..'z', x in '0'..'9', as signed comparisons. */
		__m128i t = _mm_add_epi8(_mm_or_si128(x, _mm_set1_epi8(0x20)),
		                         _mm_set1_epi8((char)(0x80 - 'a')));
		__m128i lm = _mm_cmplt_epi8(t, _mm_set1_epi8((char)(-128 + 26)));
		__m128i d = _mm_add_epi8(x, _mm_set1_epi8((char)(0x80 - '0')));
		__m128i o = _mm_or_si128(_mm_cmplt_epi8(d, _mm_set1_epi8((char)(-128 + 10))),
		                         _mm_cmpeq_epi8(x, _mm_set1_epi8('_')));
		uint64_t lb = (unsigned)_mm_movemask_epi8(lm);
		l |= lb << j;
		a |= (lb | (unsigned)_mm_movemask_epi8(_mm_or_si128(o, x))) << j;
	}
	*letters = l;
	*any = a;
}

void stemmer_stems(struct stemmer *s, struct buf *out, const char *text, size_t n)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i = 0;
	while (i < n) {
		/* The words of 64 bytes from i, by their bits. */
		uint64_t l, a;
		masks64(p, i, n, &l, &a);
		size_t next = n - i < 64 ? n : i + 64;
		uint64_t rest = a;
		while (rest) {
			unsigned st = (unsigned)__builtin_ctzll(rest);
			uint64_t ends = ~a & (~UINT64_C(0) << st);
			if (!ends && next < n) {
				/* A word the window cuts: the next window from
				 * it, or (64 bytes or more) past it. */
				next = i + st;
				if (st == 0)
					while (next < n && byte_kind[p[next]])
						next++;
				break;
			}
			/* (!ends: the word ends with the text.) */
			unsigned e = ends ? (unsigned)__builtin_ctzll(ends) : (unsigned)(n - i);
			size_t k = e - st;
			if (k >= 2 && k <= STEM_WORD_MAX &&
			    (((UINT64_C(1) << k) - 1) << st & ~l) == 0)
				one_word(s, out, text + i + st, k);
			rest = e >= 64 ? 0 : a & (~UINT64_C(0) << e);
		}
		i = next;
	}
}
#else
void stemmer_stems(struct stemmer *s, struct buf *out, const char *text, size_t n)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i = 0;
	for (;;) {
		while (i < n && !byte_kind[p[i]])
			i++;
		if (i >= n)
			break;
		/* A word: letters alone, or skipped whole. */
		size_t a = i;
		while (i < n && byte_kind[p[i]] == 1)
			i++;
		if (i < n && byte_kind[p[i]]) {
			while (i < n && byte_kind[p[i]])
				i++;
			continue;
		}
		if (i - a >= 2 && i - a <= STEM_WORD_MAX)
			one_word(s, out, text + a, i - a);
	}
}
#endif
