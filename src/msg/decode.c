/* decode.c: header decoding (RFC 2047 through GMime) and charset
 * conversion to UTF-8, shared by the indexer and the renderer. */
#include "msg/msg.h"

#include <errno.h>
#include <gmime/gmime.h>
#include <pthread.h>
#include <string.h>

#include "util/utf8.h"

static GMimeParserOptions *parser_opts;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init(void)
{
	g_mime_init();
	parser_opts = g_mime_parser_options_new();
	g_mime_parser_options_set_rfc2047_compliance_mode(parser_opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(parser_opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(parser_opts, GMIME_RFC_COMPLIANCE_LOOSE);
	static const char *fallback[] = {"UTF-8", "windows-1252", NULL};
	g_mime_parser_options_set_fallback_charsets(parser_opts, fallback);
}

void msg_library_init(void)
{
	pthread_once(&init_once, init);
}

GMimeParserOptions *msg_parser_options(void);
GMimeParserOptions *msg_parser_options(void)
{
	msg_library_init();
	return parser_opts;
}

/* windows-1252 bytes 0x80..0x9F; the five undefined ones map to their
 * C1 control code points, as ISO-8859-1 would. */
static const unsigned short cp1252_hi[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
	0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
	0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

static void put_cp(struct buf *out, unsigned cp)
{
	char u[3];
	if (cp < 0x80) {
		buf_addc(out, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		buf_add(out, u, 2);
	} else {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		buf_add(out, u, 3);
	}
}

static void from_cp1252(struct buf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < 0x80)
			continue;
		buf_add(out, s + run, i - run);
		put_cp(out, p[i] < 0xA0 ? cp1252_hi[p[i] - 0x80] : p[i]);
		run = i + 1;
	}
	buf_add(out, s + run, n - run);
}

/* UTF-8 if it is valid, else windows-1252 (a superset of ISO-8859-1 for
 * printable text): what undeclared 8-bit mail almost always is. */
static void guess_to_utf8(struct buf *out, const char *p, size_t n)
{
	if (utf8_valid(p, n))
		buf_add(out, p, n);
	else
		from_cp1252(out, p, n);
}

static bool is_utf8_name(const char *cs)
{
	return !g_ascii_strcasecmp(cs, "utf-8") || !g_ascii_strcasecmp(cs, "utf8") ||
	       !g_ascii_strcasecmp(cs, "us-ascii") || !g_ascii_strcasecmp(cs, "ascii") ||
	       !g_ascii_strcasecmp(cs, "ansi_x3.4-1968");
}

void msg_to_utf8(struct buf *out, const char *p, size_t n, const char *charset)
{
	msg_library_init();
	if (!p) /* an empty part's data may be NULL */
		p = "", n = 0;
	if (!charset || !*charset || is_utf8_name(charset) || strlen(charset) > 64) {
		size_t before = out->len;
		if (utf8_valid(p, n)) {
			buf_add(out, p, n);
			return;
		}
		/* Declared UTF-8 but broken: repair rather than reinterpret,
		 * unless it is no UTF-8 at all (then it is 8-bit text). */
		if (charset && g_ascii_strncasecmp(charset, "utf", 3) == 0)
			utf8_repair(out, p, n);
		else
			from_cp1252(out, p, n);
		(void)before;
		return;
	}
	if (!g_ascii_strcasecmp(charset, "iso-8859-1") || !g_ascii_strcasecmp(charset, "latin1") ||
	    !g_ascii_strcasecmp(charset, "windows-1252") || !g_ascii_strcasecmp(charset, "cp1252")) {
		from_cp1252(out, p, n);
		return;
	}
	iconv_t cd = g_mime_iconv_open("UTF-8", charset);
	if (cd == (iconv_t)-1) {
		guess_to_utf8(out, p, n);
		return;
	}
	char *in = (char *)p;
	size_t inleft = n;
	char chunk[4096];
	size_t start = out->len;
	while (inleft > 0 && !out->err) {
		char *o = chunk;
		size_t oleft = sizeof chunk;
		size_t r = iconv(cd, &in, &inleft, &o, &oleft);
		buf_add(out, chunk, sizeof chunk - oleft);
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG)
			continue;
		/* EILSEQ or EINVAL: one bad byte becomes U+FFFD. */
		buf_add(out, "\xEF\xBF\xBD", 3);
		in++;
		inleft--;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	/* Flush any shift state (ISO-2022-JP and friends). */
	char *o = chunk;
	size_t oleft = sizeof chunk;
	iconv(cd, NULL, NULL, &o, &oleft);
	buf_add(out, chunk, sizeof chunk - oleft);
	g_mime_iconv_close(cd);
	/* iconv should only produce UTF-8; check rather than trust. */
	if (!out->err && out->len > start && !utf8_valid(out->data + start, out->len - start)) {
		struct buf fix;
		buf_init(&fix, out->max);
		utf8_repair(&fix, out->data + start, out->len - start);
		out->len = start;
		buf_add(out, fix.data, fix.len);
		buf_free(&fix);
	}
}

static bool has_encoded_word(const char *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (p[i] == '=' && p[i + 1] == '?')
			return true;
	return false;
}

static void collapse_ws(struct buf *out, const char *p, size_t n)
{
	bool space = false, any = false;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			space = true;
			continue;
		}
		if (space && any)
			buf_addc(out, ' ');
		space = false;
		any = true;
		buf_addc(out, c);
	}
}

void msg_decode_header(struct buf *out, struct span raw, bool keep_folding)
{
	struct buf tmp;
	buf_init(&tmp, raw.n * 4 + 64);
	/* 8-bit bytes first (raw UTF-8 or latin-1 headers), NUL made visible. */
	guess_to_utf8(&tmp, raw.p ? raw.p : "", raw.n);
	for (size_t i = 0; i < tmp.len; i++)
		if (tmp.data[i] == '\0')
			tmp.data[i] = 0x7f;
	const char *text = buf_cstr(&tmp);
	size_t len = tmp.len;
	char *decoded = NULL;
	if (!tmp.err && has_encoded_word(text, len)) {
		msg_library_init();
		decoded = g_mime_utils_header_decode_text(parser_opts, text);
		if (decoded) {
			text = decoded;
			len = strlen(decoded);
		}
	}
	if (keep_folding) {
		utf8_repair(out, text, len);
	} else {
		struct buf c;
		buf_init(&c, len + 1);
		collapse_ws(&c, text, len);
		utf8_repair(out, c.data ? c.data : "", c.len);
		buf_free(&c);
	}
	g_free(decoded);
	buf_free(&tmp);
}

/* Copies p[0..n) without surrounding quotes and with \-escapes undone. */
static void unquote(struct buf *out, const char *p, size_t n)
{
	struct span t = span_trim(span_make(p, n));
	if (t.n >= 2 && t.p[0] == '"' && t.p[t.n - 1] == '"') {
		for (size_t i = 1; i + 1 < t.n; i++) {
			if (t.p[i] == '\\' && i + 2 < t.n)
				i++;
			buf_addc(out, t.p[i]);
		}
		return;
	}
	buf_add(out, t.p, t.n);
}

void msg_parse_from(struct span raw, struct buf *name, struct buf *addr)
{
	/* Only the first address: stop at a ',' outside quotes, <> and (). */
	const char *p = raw.p, *end = raw.p + raw.n;
	const char *lt = NULL, *gt = NULL, *cmt = NULL, *cmt_end = NULL;
	bool q = false;
	int depth = 0;
	const char *stop = end;
	for (const char *c = p; c < end; c++) {
		if (q) {
			if (*c == '\\' && c + 1 < end)
				c++;
			else if (*c == '"')
				q = false;
			continue;
		}
		if (*c == '"' && !lt)
			q = true;
		else if (*c == '(' ) {
			if (depth++ == 0 && !cmt)
				cmt = c + 1;
		} else if (*c == ')' && depth > 0) {
			if (--depth == 0 && !cmt_end)
				cmt_end = c;
		} else if (depth == 0 && *c == '<' && !lt)
			lt = c;
		else if (depth == 0 && *c == '>' && lt && !gt)
			gt = c;
		else if (depth == 0 && *c == ',' && (!lt || gt)) {
			stop = c;
			break;
		}
	}
	struct buf tmp;
	buf_init(&tmp, raw.n + 1);
	if (lt && gt) {
		unquote(&tmp, p, (size_t)(lt - p));
		msg_decode_header(name, span_make(tmp.data ? tmp.data : "", tmp.len), false);
		struct span a = span_trim(span_make(lt + 1, (size_t)(gt - lt - 1)));
		guess_to_utf8(addr, a.p, a.n);
	} else {
		/* "addr (Name)" or a bare address. */
		const char *a0 = p, *a1 = cmt ? cmt - 1 : stop;
		if (a1 > stop)
			a1 = stop;
		struct span a = span_trim(span_make(a0, (size_t)(a1 - a0)));
		if (a.n && memchr(a.p, '@', a.n))
			guess_to_utf8(addr, a.p, a.n);
		else if (a.n)
			msg_decode_header(name, a, false);
		if (cmt && cmt_end && cmt_end > cmt && cmt_end <= stop) {
			buf_reset(&tmp);
			unquote(&tmp, cmt, (size_t)(cmt_end - cmt));
			if (name->len == 0)
				msg_decode_header(name, span_make(tmp.data ? tmp.data : "", tmp.len), false);
		}
	}
	buf_free(&tmp);
	/* Quotes inside the decoded name ("\"Name\"" in an encoded word). */
	if (name->len >= 2 && name->data[0] == '"' && name->data[name->len - 1] == '"') {
		memmove(name->data, name->data + 1, name->len - 2);
		name->len -= 2;
	}
}
