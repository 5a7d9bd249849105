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

const char *span_memmem(const char *p, size_t n, const char *needle, size_t k)
{
	if (k > n)
		return NULL;
	if (k < 2)
		return k ? memchr(p, needle[0], n) : p;
	size_t last = n - k; /* (the last place an occurrence may start) */
	size_t i = 0;
#ifdef __SSE2__
	__m128i a = _mm_set1_epi8(needle[0]), b = _mm_set1_epi8(needle[1]);
	for (; i + 17 <= n; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(p + i));
		__m128i y = _mm_loadu_si128((const __m128i *)(p + i + 1));
		unsigned m = (unsigned)_mm_movemask_epi8(
			_mm_and_si128(_mm_cmpeq_epi8(x, a), _mm_cmpeq_epi8(y, b)));
		for (; m; m &= m - 1) {
			size_t j = i + (size_t)__builtin_ctz(m);
			if (j <= last && memcmp(p + j + 2, needle + 2, k - 2) == 0)
				return p + j;
		}
	}
#endif
	for (; i <= last; i++)
		if (p[i] == needle[0] && p[i + 1] == needle[1] &&
		    memcmp(p + i + 2, needle + 2, k - 2) == 0)
			return p + i;
	return NULL;
}
