/* fold.c: see fold.h. */
#include "util/fold.h"

#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "util/utf8.h"

/* Each letter folded: its UTF-8 bytes and what replaces them (never
 * longer). */
static const struct folding {
	const char *from, *to;
} foldings[] = {
	{"\xC3\x9F", "ss"},      /* ß */
	{"\xE1\xBA\x9E", "ss"},  /* ẞ */
	{"\xC3\xA6", "ae"},      /* æ */
	{"\xC3\x86", "ae"},      /* Æ */
	{"\xC5\x93", "oe"},      /* œ */
	{"\xC5\x92", "oe"},      /* Œ */
	{"\xC4\xB3", "ij"},      /* ĳ */
	{"\xC4\xB2", "ij"},      /* Ĳ */
	{"\xC3\xB8", "o"},       /* ø */
	{"\xC3\x98", "o"},       /* Ø */
	{"\xC5\x82", "l"},       /* ł */
	{"\xC5\x81", "l"},       /* Ł */
	{"\xC4\x91", "d"},       /* đ */
	{"\xC4\x90", "d"},       /* Đ */
	{"\xC4\xA7", "h"},       /* ħ */
	{"\xC4\xA6", "h"},       /* Ħ */
	{"\xC3\xBE", "th"},      /* þ */
	{"\xC3\x9E", "th"},      /* Þ */
	{"\xC3\xB0", "d"},       /* ð */
	{"\xC3\x90", "d"},       /* Ð */
	{"\xC5\xBF", "s"},       /* ſ */
	{"\xEF\xAC\x80", "ff"},  /* ﬀ */
	{"\xEF\xAC\x81", "fi"},  /* ﬁ */
	{"\xEF\xAC\x82", "fl"},  /* ﬂ */
	{"\xEF\xAC\x83", "ffi"}, /* ﬃ */
	{"\xEF\xAC\x84", "ffl"}, /* ﬄ */
	{"\xEF\xAC\x85", "st"},  /* ﬅ */
	{"\xEF\xAC\x86", "st"},  /* ﬆ */
};

/* The lead bytes of those letters. */
static bool lead(unsigned char c)
{
	return c == 0xC3 || c == 0xC4 || c == 0xC5 || c == 0xE1 || c == 0xEF;
}

/* The folding of the letter at p[0..n), or NULL. */
static const struct folding *folding_at(const char *p, size_t n)
{
	if (!lead((unsigned char)p[0]))
		return NULL;
	for (size_t i = 0; i < sizeof foldings / sizeof *foldings; i++) {
		size_t k = strlen(foldings[i].from);
		if (k <= n && memcmp(p, foldings[i].from, k) == 0)
			return &foldings[i];
	}
	return NULL;
}

bool fold_needed(const char *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		/* ASCII eight bytes at a time (most text is: 1% of indexing
		 * went to this loop byte by byte). */
		uint64_t w;
		if (n - i >= 8) {
			memcpy(&w, p + i, 8);
			if (!(w & 0x8080808080808080ULL)) {
				i += 8;
				continue;
			}
		}
		if ((unsigned char)p[i] >= 0xC3 && folding_at(p + i, n - i))
			return true;
		i++;
	}
	return false;
}

size_t fold_letters(const char *p, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		const struct folding *f =
			(unsigned char)p[i] >= 0xC3 ? folding_at(p + i, n - i) : NULL;
		if (f) {
			size_t k = strlen(f->to);
			memcpy(out + o, f->to, k);
			o += k;
			i += strlen(f->from);
		} else {
			out[o++] = p[i++];
		}
	}
	return o;
}

size_t fold_key_char(const char *p, size_t n, char *out, size_t *used)
{
	unsigned char c = (unsigned char)p[0];
	*used = 1;
	if (c < 0x80) {
		out[0] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		return 1;
	}
	const struct folding *f = c >= 0xC3 ? folding_at(p, n) : NULL;
	if (f) {
		*used = strlen(f->from);
		size_t k = strlen(f->to);
		memcpy(out, f->to, k);
		return k;
	}
	size_t len = utf8_seq_len((const unsigned char *)p, n);
	if (!len) {
		out[0] = (char)c;
		return 1;
	}
	*used = len;
	gunichar u = g_utf8_get_char(p);
	GUnicodeType type = g_unichar_type(u);
	if (type == G_UNICODE_NON_SPACING_MARK || type == G_UNICODE_ENCLOSING_MARK)
		return 0;
	u = g_unichar_tolower(u);
	/* Without its accents: the first character of its canonical
	 * decomposition, when the rest are marks (é is e and an acute
	 * accent; a Hangul syllable, say, stays whole). */
	gunichar d[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
	gsize k = g_unichar_fully_decompose(u, FALSE, d, G_N_ELEMENTS(d));
	bool marks = k > 1;
	for (gsize i = 1; i < k && marks; i++)
		marks = g_unichar_ismark(d[i]);
	if (marks)
		u = d[0];
	return (size_t)g_unichar_to_utf8(u, out);
}

void fold_key(struct buf *out, const char *p, size_t n)
{
	char key[FOLD_KEY_MAX];
	size_t used;
	for (size_t i = 0; i < n; i += used)
		buf_add(out, key, fold_key_char(p + i, n - i, key, &used));
}
