/* span.c: helpers over borrowed byte spans. */
#include "util/span.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

static inline unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

bool span_ieq(struct span s, const char *lit)
{
	size_t n = strlen(lit);
	if (n != s.n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)s.p[i]) != lower((unsigned char)lit[i]))
			return false;
	return true;
}

bool span_istarts(struct span s, const char *lit)
{
	size_t n = strlen(lit);
	if (n > s.n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)s.p[i]) != lower((unsigned char)lit[i]))
			return false;
	return true;
}

static inline bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

struct span span_trim(struct span s)
{
	while (s.n && is_ws(s.p[0]))
		s.p++, s.n--;
	while (s.n && is_ws(s.p[s.n - 1]))
		s.n--;
	return s;
}

const char *mem2chr(const char *p, size_t n, char a, char b)
{
	size_t k = 0;
#ifdef __SSE2__
	const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b);
	/* 32 places a turn, one branch for both halves. */
	for (; n - k >= 33; k += 32) {
		const __m128i *q = (const __m128i *)(const void *)(p + k);
		const __m128i *r = (const __m128i *)(const void *)(p + k + 1);
		__m128i lo = _mm_and_si128(_mm_cmpeq_epi8(_mm_loadu_si128(q), va),
		                           _mm_cmpeq_epi8(_mm_loadu_si128(r), vb));
		__m128i hi = _mm_and_si128(_mm_cmpeq_epi8(_mm_loadu_si128(q + 1), va),
		                           _mm_cmpeq_epi8(_mm_loadu_si128(r + 1), vb));
		if (_mm_movemask_epi8(_mm_or_si128(lo, hi))) {
			unsigned m = (unsigned)_mm_movemask_epi8(lo) |
			             (unsigned)_mm_movemask_epi8(hi) << 16;
			return p + k + __builtin_ctz(m);
		}
	}
	for (; n - k >= 17; k += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + k));
		__m128i y = _mm_loadu_si128((const __m128i *)(const void *)(p + k + 1));
		unsigned m = (unsigned)_mm_movemask_epi8(
			_mm_and_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(y, vb)));
		if (m)
			return p + k + __builtin_ctz(m);
	}
#endif
	for (; k + 1 < n; k++)
		if (p[k] == a && p[k + 1] == b)
			return p + k;
	return NULL;
}

const char *span_memmem(const char *p, size_t n, const char *needle, size_t k)
{
	if (k > n)
		return NULL;
	if (k < 2)
		return k ? memchr(p, needle[0], n) : p;
	/* Each place of its two first bytes (mem2chr), then the rest. */
	for (size_t i = 0; i + k <= n;) {
		const char *q = mem2chr(p + i, n - i, needle[0], needle[1]);
		if (!q || (size_t)(q - p) > n - k)
			return NULL;
		if (memcmp(q + 2, needle + 2, k - 2) == 0)
			return q;
		i = (size_t)(q - p) + 1;
	}
	return NULL;
}
