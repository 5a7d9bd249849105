/* stem.h: English stems (Snowball's English stemmer, libstemmer), for
 * the search index.  lore (Xapian with STEM_SOME) indexes each word's
 * stem beside the word, and a lowercase query word finds every word of
 * the same stem ("review" finds "Reviewed", "extends" finds "extend");
 * listarc does the same with a column of stems beside each stemmed
 * column of the full-text index (store/).
 *
 * A word here is a run of ASCII letters, digits, '_' and bytes >= 0x80
 * (the other ASCII bytes separate words, as they do for the search
 * index's tokenizer); only a word of ASCII letters alone, 2 to
 * STEM_WORD_MAX of them, is stemmed (lowercased first).  A stemmer is
 * not thread-safe: one per thread (the store has one per writer, a
 * query one while it is parsed). */
#ifndef LISTARC_STEM_H
#define LISTARC_STEM_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Longer words are not stemmed (they are names and identifiers, not
 * English): they are still indexed and found as themselves. */
#define STEM_WORD_MAX 40

struct stemmer;

/* A stemmer, or NULL if memory ran out.  Free with stemmer_free. */
struct stemmer *stemmer_new(void);
void stemmer_free(struct stemmer *s);

/* True if w[0..n) is a word stemmer_stem takes: 2 to STEM_WORD_MAX
 * ASCII letters, lowercase. */
bool stem_word(const char *w, size_t n);

/* The stem of w[0..n) (a word stem_word takes), NUL-terminated, in
 * storage of s valid until its next call; its length in *len.  Returns
 * NULL if memory ran out. */
const char *stemmer_stem(struct stemmer *s, const char *w, size_t n, size_t *len);

/* The stem of w[0..n) (a word stem_word takes) into out (room for
 * STEM_WORD_MAX + 1 bytes, NUL-terminated), without a stemmer kept
 * between calls (for a query's few words).  Returns its length, or 0 if
 * memory ran out. */
size_t stem_once(const char *w, size_t n, char *out);

/* Starts a new set of stems: stemmer_stems leaves out those it gave
 * since. */
void stemmer_reset(struct stemmer *s);

/* Appends to out, each followed by a space, the stems of the English
 * words of p[0..n) (case folded) not given since stemmer_reset, in the
 * order they first appear.  Words that are not English (see above) are
 * skipped. */
void stemmer_stems(struct stemmer *s, struct buf *out, const char *p, size_t n);

#endif
