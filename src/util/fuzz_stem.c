/* fuzz_stem: the search index's word helpers over any text (util/stem.h,
 * util/cjk.h): the stems of a text are lowercase ASCII words of at most
 * STEM_WORD_MAX letters, each once, the same on a second reading; a word
 * has the same stem through the cache, through stem_once and alone; the
 * CJK spacing adds only spaces; a character's search key (fold_key_char,
 * the highlighting's) covers at least one byte and fits FOLD_KEY_MAX, and
 * fold_key is the keys one after another. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/cjk.h"
#include "util/fold.h"
#include "util/stem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct stemmer *st;

/* Every word of out (space-separated) is a stem: a-z, 1..STEM_WORD_MAX
 * bytes, and no two alike. */
static void check_stems(const struct buf *out)
{
	size_t i = 0, nwords = 0;
	const char *starts[4096];
	size_t lens[4096];
	while (i < out->len) {
		size_t s = i;
		while (i < out->len && out->data[i] != ' ')
			i++;
		size_t k = i - s;
		if (k == 0 || k > STEM_WORD_MAX || i == out->len)
			abort(); /* every stem is followed by its space */
		for (size_t j = s; j < i; j++)
			if (out->data[j] < 'a' || out->data[j] > 'z')
				abort();
		for (size_t w = 0; w < nwords && nwords < 4096; w++)
			if (lens[w] == k && memcmp(starts[w], out->data + s, k) == 0)
				abort();
		if (nwords < 4096) {
			starts[nwords] = out->data + s;
			lens[nwords++] = k;
		}
		i++;
	}
}

/* The stems of p[0..n) as stemmer_stems defines them, the plain way: a
 * word is a run of letters, digits, '_' and bytes >= 0x80; one of ASCII
 * letters alone, 2 to STEM_WORD_MAX of them, is stemmed lowercased
 * (stem_once); each distinct stem once, in the order first met. */
static void plain_stems(struct buf *out, const char *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)p[i];
		bool letter = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
		bool word = letter || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
		if (!word) {
			i++;
			continue;
		}
		size_t a = i;
		bool letters = true;
		for (; i < n; i++) {
			c = (unsigned char)p[i];
			bool l = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
			if (!l && !((c >= '0' && c <= '9') || c == '_' || c >= 0x80))
				break;
			letters = letters && l;
		}
		size_t k = i - a;
		if (!letters || k < 2 || k > STEM_WORD_MAX)
			continue;
		char w[STEM_WORD_MAX + 1], stem[STEM_WORD_MAX + 1];
		for (size_t j = 0; j < k; j++)
			w[j] = (char)(p[a + j] | 0x20);
		size_t sl = stem_once(w, k, stem);
		/* Already out? */
		bool dup = false;
		for (size_t j = 0; j < out->len && !dup;) {
			const char *e = memchr(out->data + j, ' ', out->len - j);
			size_t l = (size_t)(e - (out->data + j));
			dup = l == sl && memcmp(out->data + j, stem, sl) == 0;
			j += l + 1;
		}
		if (!dup) {
			buf_add(out, stem, sl);
			buf_addc(out, ' ');
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!st && !(st = stemmer_new()))
		return 0;
	/* The input alone in its buffer, so that a read past it is caught. */
	char *p = malloc(size ? size : 1);
	memcpy(p, data, size);
	struct buf a, b;
	buf_init(&a, size * 2 + 64);
	buf_init(&b, size * 2 + 64);
	stemmer_reset(st);
	stemmer_stems(st, &a, p, size);
	stemmer_reset(st);
	stemmer_stems(st, &b, p, size);
	if (!a.err &&
	    (a.err != b.err || a.len != b.len || (a.len && memcmp(a.data, b.data, a.len) != 0)))
		abort();
	/* (Past half its set, stemmer_stems may repeat a stem: only small
	 * inputs are held to "each once".) */
	if (!a.err && size < 8192)
		check_stems(&a);
	/* The same stems as the plain reading, while the sets hold every
	 * word and stem (fewer than half their slots: 2,048 words). */
	if (!a.err && size < 4096) {
		struct buf c;
		buf_init(&c, size * 2 + 64);
		plain_stems(&c, p, size);
		if (!c.err && (c.len != a.len || (a.len && memcmp(a.data, c.data, a.len) != 0)))
			abort();
		buf_free(&c);
	}
	/* The input's first word, as stem_word takes it: the cached stem and
	 * stem_once's agree, twice. */
	size_t n = 0;
	while (n < size && n <= STEM_WORD_MAX && p[n] >= 'a' && p[n] <= 'z')
		n++;
	if (stem_word(p, n)) {
		size_t l1, l2;
		char once[STEM_WORD_MAX + 1];
		const char *s1 = stemmer_stem(st, p, n, &l1);
		char first[STEM_WORD_MAX + 1];
		if (s1) {
			memcpy(first, s1, l1 + 1);
			const char *s2 = stemmer_stem(st, p, n, &l2);
			size_t lo = stem_once(p, n, once);
			if (!s2 || l1 != l2 || memcmp(first, s2, l1) != 0 || lo != l1 ||
			    memcmp(once, first, l1) != 0 || l1 > n)
				abort();
		}
	}
	/* CJK spacing: the text with spaces added, nothing else. */
	struct buf c;
	buf_init(&c, size * 3 + 16);
	cjk_spaced(&c, p, size);
	if (!c.err) {
		size_t j = 0;
		for (size_t i = 0; i < c.len; i++) {
			if (j < size && c.data[i] == p[j])
				j++;
			else if (c.data[i] != ' ')
				abort();
		}
		if (j != size)
			abort();
		if (!cjk_has(p, size) && c.len != size)
			abort();
	}
	/* Search keys, character by character and whole. */
	struct buf k1, k2;
	buf_init(&k1, size * 4 + 16);
	buf_init(&k2, size * 4 + 16);
	for (size_t i = 0, used; i < size; i += used) {
		char key[FOLD_KEY_MAX];
		size_t kl = fold_key_char(p + i, size - i, key, &used);
		if (used == 0 || used > size - i || kl > FOLD_KEY_MAX)
			abort();
		buf_add(&k1, key, kl);
	}
	fold_key(&k2, p, size);
	if (k1.err != k2.err ||
	    (!k1.err && (k1.len != k2.len || (k1.len && memcmp(k1.data, k2.data, k1.len)))))
		abort();
	buf_free(&k1);
	buf_free(&k2);
	buf_free(&a);
	buf_free(&b);
	buf_free(&c);
	free(p);
	return 0;
}
