/* fold.h: letters a search compares as one, beyond case and accents.
 * The search index's tokenizer is SQLite's unicode61 (case folded,
 * accents removed: É is e); the text it is given (store/write.c) and a
 * query's words (search/query.c) are folded first by this: ß and ẞ are
 * "ss", ligatures their letters (æ ae, œ oe, ĳ ij, ﬁ fi, ﬂ fl, ﬀ ff,
 * ﬃ ffi, ﬄ ffl, ﬅ and ﬆ st), the letters with a stroke or bar that
 * have no accent to remove their base letter (ø o, ł l, đ d, ħ h), þ
 * "th", ð d, ſ s; capitals too.  So "strasse" finds "Straße" and
 * "Straße" finds "STRASSE".  A folded word is never longer than the
 * word. */
#ifndef LISTARC_FOLD_H
#define LISTARC_FOLD_H

#include <stdbool.h>
#include <stddef.h>

/* True if UTF-8 p[0..n) holds a letter fold_letters changes (a quick
 * test: false for ASCII text). */
bool fold_needed(const char *p, size_t n);

/* Writes p[0..n) with those letters replaced to out (room for n bytes;
 * out may be p itself, folding in place, but may not overlap it
 * otherwise).  Returns the length written. */
size_t fold_letters(const char *p, size_t n, char *out);

#endif
