/* html.c: escaping, linking and address obfuscation. */
#include "render/html.h"

#include <stdbool.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "limits.h"
#include "render/render.h"
#include "util/utf8.h"

/* How a byte is written in element text: 0 = as is, else a special. */
enum { C_KEEP = 0, C_ESC, C_DOT, C_DROP, C_HI };

/* A constant table, so that threads can share it without setup. */
static const unsigned char cls[256] = {
	[0 ... 8] = C_DOT,    ['\t'] = C_KEEP,     ['\n'] = C_KEEP, [11 ... 12] = C_DOT,
	['\r'] = C_DROP,      [14 ... 31] = C_DOT, ['&'] = C_ESC,   ['<'] = C_ESC,
	['>'] = C_ESC,        ['"'] = C_ESC,       ['\''] = C_ESC,  [127] = C_DOT,
	[128 ... 255] = C_HI,
};

static const char *esc_of(char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	default: return "&#39;";
	}
}

/* Code points shown as '.': C1 controls, the bidirectional overrides
 * and isolates that can make text display in another order than it is,
 * and U+FFFE and U+FFFF, which are no characters (XML 1.0 forbids them,
 * and the Atom feeds use these escapers). */
static bool hidden_cp(const unsigned char *p, size_t k)
{
	if (k == 2 && p[0] == 0xC2 && p[1] < 0xA0)
		return true;
	if (k == 3 && p[0] == 0xEF && p[1] == 0xBF && p[2] >= 0xBE)
		return true;
	if (k == 3 && p[0] == 0xE2 && p[1] == 0x80 && p[2] >= 0xAA && p[2] <= 0xAE)
		return true;
	if (k == 3 && p[0] == 0xE2 && p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9)
		return true;
	return false;
}

#ifdef __SSE2__
/* The bytes of the 16 at v that html_text writes otherwise than as they
 * are, as a mask (bit k: byte k): all but printable ASCII other than
 * & < > " ', tab and newline. */
static inline unsigned text_stops(__m128i v)
{
	const __m128i lo = _mm_set1_epi8(0x1F), hi = _mm_set1_epi8(0x7F);
	const __m128i amp = _mm_set1_epi8('&'), lt = _mm_set1_epi8('<'), gt = _mm_set1_epi8('>');
	const __m128i quot = _mm_set1_epi8('"'), apos = _mm_set1_epi8('\'');
	const __m128i tab = _mm_set1_epi8('\t'), nl = _mm_set1_epi8('\n');
	/* Signed: bytes of 0x80 and above are negative, below lo. */
	__m128i ok = _mm_or_si128(_mm_and_si128(_mm_cmpgt_epi8(v, lo), _mm_cmplt_epi8(v, hi)),
	                          _mm_or_si128(_mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, nl)));
	__m128i esc = _mm_or_si128(
		_mm_or_si128(_mm_cmpeq_epi8(v, amp), _mm_cmpeq_epi8(v, lt)),
		_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, gt), _mm_cmpeq_epi8(v, quot)),
	                     _mm_cmpeq_epi8(v, apos)));
	return ~(unsigned)_mm_movemask_epi8(_mm_andnot_si128(esc, ok)) & 0xFFFFu;
}
#endif

/* How many of the first n bytes of p (n >= 16) are, 16 at a time,
 * printable ASCII other than & < > " ', tabs and newlines: bytes
 * html_text keeps as they are.  It may stop before such a byte (before
 * the last block), never after another; 0 without SSE2.  (A listing's
 * subjects and senders are mostly such runs: the byte loop took 8
 * instructions a byte.) */
static size_t plain_run(const unsigned char *p, size_t n)
{
	size_t i = 0;
#ifdef __SSE2__
	for (; i + 16 <= n; i += 16) {
		unsigned bad = text_stops(_mm_loadu_si128((const __m128i *)(const void *)(p + i)));
		if (bad)
			return i + (size_t)__builtin_ctz(bad);
	}
#else
	(void)p;
	(void)n;
#endif
	return i;
}

/* Writes the byte at s[*i] of class k (not C_KEEP) as element text, with
 * the run of kept bytes before it (from *run); moves *i and *run past it. */
static void text_special(struct buf *b, const char *s, size_t n, size_t *i, size_t *run,
                         unsigned char k)
{
	const unsigned char *p = (const unsigned char *)s;
	if (k == C_HI) {
		size_t len = utf8_seq_len(p + *i, n - *i);
		if (len && !hidden_cp(p + *i, len)) {
			*i += len;
			return;
		}
		buf_add(b, s + *run, *i - *run);
		buf_adds(b, len ? "." : "\xEF\xBF\xBD");
		*i += len ? len : 1;
		*run = *i;
		return;
	}
	buf_add(b, s + *run, *i - *run);
	if (k == C_ESC)
		buf_adds(b, esc_of(s[*i]));
	else if (k == C_DOT)
		buf_addc(b, '.');
	(*i)++;
	*run = *i;
}

void html_text(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;
	while (i < n) {
		if (n - i >= 16) {
			i += plain_run(p + i, n - i);
			if (i >= n)
				break;
		}
		unsigned char k = cls[p[i]];
		if (k == C_KEEP)
			i++;
		else
			text_special(b, s, n, &i, &run, k);
	}
	buf_add(b, s + run, n - run);
}

void html_texts(struct buf *b, const char *s)
{
	html_text(b, s, s ? strlen(s) : 0);
}

static bool is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_local_char(unsigned char c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || c == '=';
}

static bool is_domain_char(unsigned char c)
{
	return is_alnum(c) || c == '.' || c == '-';
}

/* Characters that may be part of a URL in running text. */
static bool is_url_char(unsigned char c)
{
	if (c <= 32 || c == 127 || c >= 128)
		return false;
	return c != '<' && c != '>' && c != '"' && c != '`' && c != '{' && c != '}' && c != '|' &&
	       c != '\\' && c != '^';
}

/* Length of a URL starting at p (which starts with a scheme we link), or 0. */
static size_t url_len(const char *p, size_t n)
{
	size_t start;
	if (n >= 8 && strncasecmp(p, "https://", 8) == 0)
		start = 8;
	else if (n >= 7 && strncasecmp(p, "http://", 7) == 0)
		start = 7;
	else if (n >= 6 && strncasecmp(p, "ftp://", 6) == 0)
		start = 6;
	else
		return 0;
	size_t i = start, open = 0, close = 0;
	while (i < n && is_url_char((unsigned char)p[i])) {
		open += p[i] == '(';
		close += p[i] == ')';
		i++;
	}
	/* Trailing punctuation belongs to the sentence, and a closing
	 * parenthesis only to the URL if it opened one.  The parentheses are
	 * counted once, above: recounting them for each one dropped made a
	 * body of "http://x" and a million ')' take hours. */
	while (i > start) {
		char c = p[i - 1];
		if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' ||
		    c == '\'' || c == ']' || c == '*') {
			i--;
			continue;
		}
		if (c == ')' && close > open) {
			i--;
			close--;
			continue;
		}
		break;
	}
	if (i == start)
		return 0;
	/* The host must start with an alphanumeric character. */
	if (!is_alnum((unsigned char)p[start]) && p[start] != '[')
		return 0;
	return i;
}

/* If s[at] is the '@' of an address (a local part before it, a dotted
 * domain after), returns how many domain characters follow; else 0. */
static size_t address_domain(const char *s, size_t n, size_t at)
{
	if (at == 0 || !is_local_char((unsigned char)s[at - 1]))
		return 0;
	size_t i = at + 1;
	if (i >= n || !is_alnum((unsigned char)s[i]))
		return 0;
	bool dot = false;
	while (i < n && is_domain_char((unsigned char)s[i])) {
		dot |= s[i] == '.';
		i++;
	}
	while (i > at + 1 && (s[i - 1] == '.' || s[i - 1] == '-'))
		i--;
	size_t d = i - at - 1;
	/* Needs a dot inside the domain ("@kmsg_size" in a comment is not an
	 * address). */
	return dot && memchr(s + at + 1, '.', d) ? d : 0;
}

void html_body(struct buf *b, const char *s, size_t n, unsigned flags)
{
	html_body_ex(b, s, n, flags, NULL);
}

/* The link of URL s[0..k): to its local copy if lk has one. */
static void url_link(struct buf *b, const char *s, size_t k, const struct html_links *lk)
{
	struct buf local;
	buf_init(&local, 3 * URL_MAX);
	if (lk && lk->local(lk->arg, s, k, &local) && !local.err) {
		buf_adds(b, "<a href=\"");
		html_attr(b, local.data, local.len);
		buf_adds(b, "\" title=\"this archive's copy\">");
	} else {
		buf_adds(b, "<a href=\"");
		html_attr(b, s, k);
		buf_adds(b, "\" rel=\"nofollow\">");
	}
	buf_free(&local);
	html_text(b, s, k);
	buf_adds(b, "</a>");
}

/* cls, and C_MARK for the bytes html_body_ex looks at twice: the first
 * letters of the schemes url_len takes and '@' (all kept as they are). */
enum { C_MARK = C_HI + 1 };
static const unsigned char body_cls[256] = {
	[0 ... 8] = C_DOT,    ['\t'] = C_KEEP,     ['\n'] = C_KEEP, [11 ... 12] = C_DOT,
	['\r'] = C_DROP,      [14 ... 31] = C_DOT, ['&'] = C_ESC,   ['<'] = C_ESC,
	['>'] = C_ESC,        ['"'] = C_ESC,       ['\''] = C_ESC,  [127] = C_DOT,
	[128 ... 255] = C_HI, ['h'] = C_MARK,      ['H'] = C_MARK,  ['f'] = C_MARK,
	['F'] = C_MARK,       ['@'] = C_MARK,
};

#ifdef __SSE2__
/* The bytes of the 16 at p that html_body_ex looks at: text_stops', '@',
 * and an h or f (either case) before a t (either case) or last of the
 * 16 (the byte after it is not in v): where a URL may start.  The rest
 * it keeps as they are (an h or f before another letter is no URL's). */
static inline unsigned body_stops(__m128i v)
{
	const __m128i at = _mm_set1_epi8('@'), low = _mm_set1_epi8(0x20);
	const __m128i h = _mm_set1_epi8('h'), f = _mm_set1_epi8('f'), t = _mm_set1_epi8('t');
	__m128i l = _mm_or_si128(v, low); /* ASCII letters in lower case */
	unsigned hf = (unsigned)_mm_movemask_epi8(
		_mm_or_si128(_mm_cmpeq_epi8(l, h), _mm_cmpeq_epi8(l, f)));
	unsigned tt = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(l, t));
	unsigned a = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, at));
	return text_stops(v) | a | (hf & ((tt >> 1) | 0x8000u));
}
#endif

/* The bytes of s[at..at+16) html_body_ex must look at, as a mask (bit
 * k: s[at+k]), and in *len how many bytes it covers: 16, or fewer at the
 * end of s.  A byte it leaves out is one the byte loop would keep as it
 * is, without a look at the bytes around it.  (A message's text is
 * mostly such bytes: the byte loop took 6 instructions a byte, most of a
 * page's.) */
static inline unsigned body_block(const unsigned char *p, size_t at, size_t n, size_t *len, bool nl)
{
#ifdef __SSE2__
	const unsigned char *q = p + at;
	unsigned char tail[16];
	*len = 16;
	if (n - at < 16) {
		/* The last bytes (a line's end, mostly), in a block filled
		 * out with a letter that stops nothing. */
		memset(tail, 'a', sizeof tail);
		memcpy(tail, q, n - at);
		q = tail;
		*len = n - at;
	}
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
	unsigned m = body_stops(v);
	if (nl)
		m |= (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
	return *len == 16 ? m : m & ((1u << *len) - 1);
#else
	/* Every byte looked at. */
	(void)p;
	(void)nl;
	*len = n - at < 16 ? n - at : 16;
	return *len == 16 ? 0xFFFFu : (1u << *len) - 1;
#endif
}

/* At a mark (body_cls C_MARK) s[i]: the URL linked or the address
 * obfuscated that starts there, the run of kept bytes before it written
 * first; true if there was one (*i and *run moved past it). */
static bool body_mark(struct buf *b, const char *s, size_t n, size_t *i, size_t *run,
                      unsigned flags, const struct html_links *lk)
{
	size_t at = *i;
	char c = s[at];
	/* Every scheme linked has 't' second ("http", "ftp"): most words
	 * starting with h or f are not looked at further. */
	if ((flags & HTML_LINKS) && c != '@' && at + 1 < n && (s[at + 1] | 0x20) == 't' &&
	    (at == 0 || !is_alnum((unsigned char)s[at - 1]))) {
		size_t u = url_len(s + at, n - at);
		if (u) {
			buf_add(b, s + *run, at - *run);
			if (u <= LINK_MAX)
				url_link(b, s + at, u, lk);
			else
				html_text(b, s + at, u);
			*i = *run = at + u;
			return true;
		}
	}
	if ((flags & HTML_OBFUSCATE) && c == '@') {
		size_t d = address_domain(s, n, at);
		if (d) {
			buf_add(b, s + *run, at - *run);
			buf_adds(b, "@...");
			*i = *run = at + 1 + (d < 3 ? d : 3);
			return true;
		}
	}
	return false;
}

/* One pass over the text: each byte escaped as html_text does, and at
 * each mark a URL linked or an address obfuscated.  (The same bytes as
 * html_text of the text between the links and addresses: a run of it
 * ends before an ASCII byte, which no UTF-8 sequence spans.)  Runs of
 * bytes kept as they are are skipped 16 at a time (body_block).  With
 * wrap, each newline is written as wrap's close, the newline and wrap's
 * open (no URL or address spans a newline, nor does a UTF-8 sequence). */
static inline void body_pass(struct buf *b, const char *s, size_t n, unsigned flags,
                             const struct html_links *lk, const struct html_wrap *wrap)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;
	while (i < n) {
		size_t at = i, len;
		unsigned m = body_block(p, at, n, &len, wrap != NULL);
		/* Each byte of the block looked at, unless the one before
		 * took it (a UTF-8 sequence, a URL, an address). */
		for (; m; m &= m - 1) {
			size_t k = at + (size_t)__builtin_ctz(m);
			if (k < i)
				continue;
			i = k;
			unsigned char c = body_cls[p[i]];
			if (wrap && p[i] == '\n') {
				buf_add(b, s + run, i - run);
				buf_add(b, wrap->close, wrap->close_n);
				buf_addc(b, '\n');
				buf_add(b, wrap->open, wrap->open_n);
				run = ++i;
			} else if (c == C_KEEP) {
				i++;
			} else if (c != C_MARK) {
				text_special(b, s, n, &i, &run, c);
			} else if (!body_mark(b, s, n, &i, &run, flags, lk)) {
				i++;
			}
		}
		if (i < at + len)
			i = at + len;
	}
	buf_add(b, s + run, n - run);
}

void html_body_ex(struct buf *b, const char *s, size_t n, unsigned flags,
                  const struct html_links *lk)
{
	if (!(flags & (HTML_LINKS | HTML_OBFUSCATE))) {
		html_text(b, s, n);
		return;
	}
	body_pass(b, s, n, flags, lk, NULL);
}

void html_body_lines(struct buf *b, const char *s, size_t n, unsigned flags,
                     const struct html_links *lk, const struct html_wrap *wrap)
{
	buf_add(b, wrap->open, wrap->open_n);
	body_pass(b, s, n, flags, lk, wrap);
	buf_add(b, wrap->close, wrap->close_n);
}

void html_body_ref(struct buf *b, const char *s, size_t n, unsigned flags,
                   const struct html_links *lk)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;
	while (i < n) {
		unsigned char k = body_cls[p[i]];
		if (!(flags & (HTML_LINKS | HTML_OBFUSCATE)) && k == C_MARK)
			k = C_KEEP;
		if (k == C_KEEP)
			i++;
		else if (k != C_MARK)
			text_special(b, s, n, &i, &run, k);
		else if (!body_mark(b, s, n, &i, &run, flags, lk))
			i++;
	}
	buf_add(b, s + run, n - run);
}

void text_obfuscate(struct buf *out, const char *s, size_t n)
{
	size_t i = 0, run = 0;
	while (i < n) {
		if (s[i] == '@') {
			size_t d = address_domain(s, n, i);
			if (d) {
				buf_add(out, s + run, i - run);
				buf_adds(out, "@...");
				i += 1 + (d < 3 ? d : 3);
				run = i;
				continue;
			}
		}
		i++;
	}
	buf_add(out, s + run, n - run);
}

void html_obfuscated(struct buf *b, const char *p, size_t n)
{
	html_body(b, p, n, HTML_OBFUSCATE);
}

void render_path_segment(struct buf *b, const char *p, size_t n)
{
	url_encode(b, p, n, "@+=:,!");
}

void render_msgid_segment(struct buf *b, const char *p, size_t n)
{
	bool year = n == 4;
	for (size_t i = 0; year && i < 4; i++)
		year = p[i] >= '0' && p[i] <= '9';
	/* (And "topics", which after a list names its threads' page.) */
	if (year || (n == 6 && memcmp(p, "topics", 6) == 0)) {
		buf_printf(b, "%%%02X", (unsigned char)p[0]);
		p++;
		n--;
	}
	render_path_segment(b, p, n);
}

void url_encode(struct buf *b, const char *p, size_t n, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";
	/* Runs of bytes kept as they are go in one append (a page makes a
	 * dozen links from the list's name and the Message-ID). */
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
		    (keep && c && strchr(keep, c)))
			continue;
		buf_add(b, p + run, i - run);
		char e[3] = {'%', hex[c >> 4], hex[c & 15]};
		buf_add(b, e, 3);
		run = i + 1;
	}
	buf_add(b, p + run, n - run);
}
