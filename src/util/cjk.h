/* cjk.h: words of the languages written without spaces between them
 * (Chinese, Japanese, Korean), for the search index.  SQLite's unicode61
 * tokenizer takes a run of such characters between spaces or punctuation
 * as one word, so a word inside a sentence could not be found; with a
 * space around each of them, every character is a word, and a query's
 * run of them is a phrase of its characters (Xapian, and so lore, splits
 * such text into n-grams to the same end). */
#ifndef LISTARC_CJK_H
#define LISTARC_CJK_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* True if UTF-8 p[0..n) holds a character of those scripts (Han,
 * Hiragana, Katakana, Hangul syllables, Bopomofo, fullwidth Katakana). */
bool cjk_has(const char *p, size_t n);

/* Appends p[0..n) to out with a space before and after each such
 * character (none where there is one already). */
void cjk_spaced(struct buf *out, const char *p, size_t n);

#endif
