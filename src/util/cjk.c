/* cjk.c: a space around each CJK character (see cjk.h). */
#include "util/cjk.h"

#include <stdint.h>
#include <string.h>

#include "util/utf8.h"

/* The code point of the UTF-8 sequence at p (len bytes, valid). */
static unsigned decode(const unsigned char *p, size_t len)
{
	switch (len) {
	case 2: return (unsigned)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
	case 3: return (unsigned)(p[0] & 0x0F) << 12 | (unsigned)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
	case 4:
		return (unsigned)(p[0] & 0x07) << 18 | (unsigned)(p[1] & 0x3F) << 12 |
		       (unsigned)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
	default: return p[0];
	}
}

static bool cjk_char(unsigned c)
{
	return (c >= 0x3040 && c <= 0x30FF) || /* Hiragana, Katakana */
	       (c >= 0x3100 && c <= 0x312F) || /* Bopomofo */
	       (c >= 0x31F0 && c <= 0x31FF) || /* Katakana extensions */
	       (c >= 0x3400 && c <= 0x4DBF) || /* Han extension A */
	       (c >= 0x4E00 && c <= 0x9FFF) || /* Han */
	       (c >= 0xAC00 && c <= 0xD7AF) || /* Hangul syllables */
	       (c >= 0xF900 && c <= 0xFAFF) || /* Han compatibility */
	       (c >= 0xFF66 && c <= 0xFF9F) || /* halfwidth Katakana */
	       (c >= 0x20000 && c <= 0x3FFFF); /* Han extensions B and on */
}

/* The length of the CJK character at p, or 0 if there is none. */
static size_t cjk_at(const unsigned char *p, size_t n)
{
	/* Every one of them takes three or four bytes: lead bytes E3-E9,
	 * EA-ED, EF, F0. */
	if (p[0] < 0xE3)
		return 0;
	size_t k = utf8_seq_len(p, n);
	return k >= 3 && cjk_char(decode(p, k)) ? k : 0;
}

bool cjk_has(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	/* Most text is ASCII: eight bytes at a time while no byte has its
	 * top bit set. */
	while (i + 8 <= n) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		if (!(w & 0x8080808080808080ull)) {
			i += 8;
			continue;
		}
		for (size_t e = i + 8; i < e; i++)
			if (p[i] >= 0xE3 && cjk_at(p + i, n - i))
				return true;
	}
	for (; i < n; i++)
		if (p[i] >= 0xE3 && cjk_at(p + i, n - i))
			return true;
	return false;
}

void cjk_spaced(struct buf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;
	while (i < n) {
		size_t k = p[i] >= 0xE3 ? cjk_at(p + i, n - i) : 0;
		if (!k) {
			i++;
			continue;
		}
		buf_add(out, s + run, i - run);
		if (out->len && out->data[out->len - 1] != ' ')
			buf_addc(out, ' ');
		buf_add(out, s + i, k);
		i += k;
		if (i < n && p[i] != ' ')
			buf_addc(out, ' ');
		run = i;
	}
	buf_add(out, s + run, n - run);
}
