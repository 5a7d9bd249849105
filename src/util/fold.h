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

#include "util/buf.h"

/* True if UTF-8 p[0..n) holds a letter fold_letters changes (a quick
 * test: false for ASCII text). */
bool fold_needed(const char *p, size_t n);

/* Writes p[0..n) with those letters replaced to out (room for n bytes;
 * out may be p itself, folding in place, but may not overlap it
 * otherwise).  Returns the length written. */
size_t fold_letters(const char *p, size_t n, char *out);

/* Room for one character's key (fold_key_char). */
#define FOLD_KEY_MAX 8

/* The key of the character at p[0..n) (n > 0) as a search compares it
 * (the highlighting of results: render/results.c): the letter folded as
 * fold_letters does, else in lowercase without its accents, as the
 * index's tokenizer has it (GLib's Unicode tables: É is e, Ж ж); a
 * combining mark's key is empty.  Writes it to out (FOLD_KEY_MAX
 * bytes, not NUL-terminated), returns its length and sets *used to the
 * bytes of p it covers (at least 1: a byte that starts no valid UTF-8
 * character is its own key). */
size_t fold_key_char(const char *p, size_t n, char *out, size_t *used);

/* Appends the keys of p[0..n)'s characters to out: "Straße" is
 * "strasse", "Café" "cafe". */
void fold_key(struct buf *out, const char *p, size_t n);

#endif
