/* decode.c: header decoding (RFC 2047, our own decoder; charsets through
 * charset.c) and From: names, shared by the indexer and the renderer. */
#include "msg/msg.h"

#include <errno.h>
#include <gmime/gmime.h>
#include <pthread.h>
#include <string.h>

#include "msg/charset.h"
#include "util/hex.h"
#include "util/utf8.h"

static GMimeParserOptions *parser_opts;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init(void)
{
	g_mime_init();
	parser_opts = g_mime_parser_options_new();
	g_mime_parser_options_set_rfc2047_compliance_mode(parser_opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(parser_opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(parser_opts,
	                                                    GMIME_RFC_COMPLIANCE_LOOSE);
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

void msg_to_utf8(struct buf *out, const char *p, size_t n, const char *charset)
{
	charset_to_utf8(out, p, n, charset, charset ? strlen(charset) : 0);
}

/* Raw header text (outside encoded words): undeclared 8-bit, except that
 * ISO-2022-JP escapes (old Japanese mailers wrote them raw) are read as
 * such. */
static void raw_text(struct buf *out, const char *p, size_t n)
{
	const char *esc = n ? memchr(p, 0x1B, n) : NULL;
	if (esc && (size_t)(esc - p) + 1 < n && (esc[1] == '$' || esc[1] == '(')) {
		charset_to_utf8(out, p, n, "iso-2022-jp", 11);
		return;
	}
	charset_mixed(out, p, n);
}

/* An encoded word =?charset[*lang]?B|Q?text?= at p[0..n). */
struct eword {
	struct span charset; /* without the RFC 2231 language */
	char enc;            /* 'B' or 'Q' */
	struct span text;
	size_t len; /* of the whole word */
};

/* Charset names longer than this do not make an encoded word. */
#define EWORD_CHARSET_MAX 64

static bool is_lws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Parses an encoded word at p (which starts "=?").  Loose: the text may
 * hold spaces (broken mailers write them in Q words), never '?'. */
static bool parse_eword(const char *p, size_t n, struct eword *w)
{
	size_t i = 2;
	while (i < n && p[i] != '?' && !is_lws(p[i]) && i - 2 <= EWORD_CHARSET_MAX)
		i++;
	if (i >= n || p[i] != '?' || i == 2 || i - 2 > EWORD_CHARSET_MAX)
		return false;
	w->charset = span_make(p + 2, i - 2);
	long star = span_find(w->charset, '*');
	if (star >= 0)
		w->charset.n = (size_t)star;
	if (i + 2 >= n || p[i + 2] != '?')
		return false;
	char e = p[i + 1];
	if (e == 'b' || e == 'q')
		e = (char)(e - 32);
	if (e != 'B' && e != 'Q')
		return false;
	w->enc = e;
	size_t t0 = i + 3;
	const char *q = t0 < n ? memchr(p + t0, '?', n - t0) : NULL;
	if (!q || (size_t)(q - p) + 1 >= n || q[1] != '=')
		return false;
	w->text = span_make(p + t0, (size_t)(q - p) - t0);
	w->len = (size_t)(q - p) + 2;
	return true;
}

/* Appends the bytes a word's text stands for.  B: characters outside the
 * alphabet are skipped, decoding stops at padding, a last group of two
 * or three characters gives its one or two bytes (missing padding).
 * Q: '_' is a space, =XX a byte (either case), anything else itself. */
static void eword_bytes(struct buf *out, const struct eword *w)
{
	const char *t = w->text.p;
	size_t n = w->text.n;
	if (w->enc == 'Q') {
		for (size_t i = 0; i < n; i++) {
			int hi, lo;
			if (t[i] == '_')
				buf_addc(out, ' ');
			else if (t[i] == '=' && i + 2 < n && (hi = hex_value(t[i + 1])) >= 0 &&
			         (lo = hex_value(t[i + 2])) >= 0) {
				buf_addc(out, (char)(hi * 16 + lo));
				i += 2;
			} else
				buf_addc(out, t[i]);
		}
		return;
	}
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		char c = t[i];
		int v = c >= 'A' && c <= 'Z'   ? c - 'A'
		        : c >= 'a' && c <= 'z' ? c - 'a' + 26
		        : c >= '0' && c <= '9' ? c - '0' + 52
		        : c == '+'             ? 62
		        : c == '/'             ? 63
		        : c == '='             ? -2
		                               : -1;
		if (v == -2)
			break;
		if (v < 0)
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addc(out, (char)((acc >> bits) & 0xFF));
		}
	}
}

/* Two encoded words' charsets are one if their labels name one
 * encoding, or are the same unknown label. */
static bool same_charset(struct span a, struct span b)
{
	struct charset ca, cb;
	bool ka = charset_lookup(a.p, a.n, &ca), kb = charset_lookup(b.p, b.n, &cb);
	if (ka && kb)
		return strcmp(ca.name, cb.name) == 0;
	return !ka && !kb && a.n == b.n && g_ascii_strncasecmp(a.p, b.p, a.n) == 0;
}

/* Converts a run of encoded words' bytes and appends it: line breaks and
 * tabs they decode to become spaces (a header value is one line), NULs
 * DEL (shown as a placeholder). */
static void flush_run(struct buf *out, struct buf *run, struct span charset)
{
	if (run->len == 0 && !charset.p)
		return;
	size_t start = out->len;
	charset_to_utf8(out, run->data ? run->data : "", run->len, charset.p, charset.n);
	for (size_t i = start; i < out->len; i++) {
		char c = out->data[i];
		if (c == '\r' || c == '\n' || c == '\t')
			out->data[i] = ' ';
	}
	buf_reset(run);
}

/* RFC 2047 decoding of raw header bytes p[0..n) into out (UTF-8).
 * Adjacent encoded words (separated only by whitespace, which is
 * dropped) of one charset are decoded each on its own, then their bytes
 * joined and converted together, so a character may be split between
 * two words.  Words are found anywhere, as loose decoders do (inside
 * quoted strings, glued to text); what is not a word is raw text. */
static void decode_words(struct buf *out, const char *p, size_t n)
{
	struct buf run;
	buf_init(&run, n + 1);
	struct span run_cs = SPAN_NULL;
	size_t text_from = 0, i = 0;
	while (i + 1 < n) {
		const char *eq = memchr(p + i, '=', n - i - 1);
		if (!eq)
			break;
		i = (size_t)(eq - p);
		struct eword w;
		if (p[i + 1] != '?' || !parse_eword(p + i, n - i, &w)) {
			i++;
			continue;
		}
		bool ws_only = true;
		for (size_t k = text_from; k < i && ws_only; k++)
			ws_only = is_lws(p[k]);
		if (!(run_cs.p && ws_only)) {
			flush_run(out, &run, run_cs);
			run_cs = SPAN_NULL;
			raw_text(out, p + text_from, i - text_from);
		} else if (!same_charset(run_cs, w.charset)) {
			flush_run(out, &run, run_cs);
		}
		run_cs = w.charset;
		eword_bytes(&run, &w);
		i += w.len;
		text_from = i;
	}
	if (run_cs.p)
		flush_run(out, &run, run_cs);
	raw_text(out, p + text_from, n - text_from);
	buf_free(&run);
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

/* Whether raw text p[0..n) is what decode_words and the NUL and UTF-8
 * repairs give for it: ASCII without NULs, without encoded words (no
 * "=?") and without ISO-2022-JP's escapes (no ESC).  Most header values
 * are. */
static bool plain_ascii(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 0x80 || c == 0 || c == 0x1B || (c == '=' && i + 1 < n && p[i + 1] == '?'))
			return false;
	}
	return true;
}

void msg_decode_header(struct buf *out, struct span raw, bool keep_folding)
{
	const char *rp = raw.p ? raw.p : "";
	/* The value as it is (or its whitespace collapsed), appended whole
	 * or not at all as utf8_repair appends it: without the copies. */
	if (out->max - out->len > raw.n && plain_ascii(rp, raw.n)) {
		if (keep_folding) {
			buf_add(out, rp, raw.n);
			return;
		}
		if (buf_reserve(out, raw.n + 1) == LA_OK) {
			collapse_ws(out, rp, raw.n);
			return;
		}
	}
	struct buf tmp;
	buf_init(&tmp, raw.n * 4 + 64);
	decode_words(&tmp, raw.p ? raw.p : "", raw.n);
	/* NUL bytes, raw or encoded, show as a placeholder. */
	for (size_t i = 0; i < tmp.len; i++)
		if (tmp.data[i] == '\0')
			tmp.data[i] = 0x7f;
	const char *text = tmp.data ? tmp.data : "";
	if (keep_folding) {
		utf8_repair(out, text, tmp.len);
	} else {
		struct buf c;
		buf_init(&c, tmp.len + 1);
		collapse_ws(&c, text, tmp.len);
		utf8_repair(out, c.data ? c.data : "", c.len);
		buf_free(&c);
	}
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
		else if (*c == '(') {
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
		charset_mixed(addr, a.p, a.n);
	} else {
		/* "addr (Name)" or a bare address. */
		const char *a0 = p, *a1 = cmt ? cmt - 1 : stop;
		if (a1 > stop)
			a1 = stop;
		struct span a = span_trim(span_make(a0, (size_t)(a1 - a0)));
		if (a.n && memchr(a.p, '@', a.n))
			charset_mixed(addr, a.p, a.n);
		else if (a.n)
			msg_decode_header(name, a, false);
		if (cmt && cmt_end && cmt_end > cmt && cmt_end <= stop) {
			buf_reset(&tmp);
			unquote(&tmp, cmt, (size_t)(cmt_end - cmt));
			if (name->len == 0)
				msg_decode_header(
					name, span_make(tmp.data ? tmp.data : "", tmp.len), false);
		}
	}
	buf_free(&tmp);
	/* Quotes inside the decoded name ("\"Name\"" in an encoded word). */
	if (name->len >= 2 && name->data[0] == '"' && name->data[name->len - 1] == '"') {
		memmove(name->data, name->data + 1, name->len - 2);
		name->len -= 2;
	}
}

/* One parameter value's pieces (RFC 2231 continuations). */
#define PARAM_PIECES_MAX 64

struct piece {
	struct span v;
	bool ext; /* name*N*=: percent-encoded (and segment 0 has charset'lang') */
	bool set;
};

/* The attribute value at p[i..n): a quoted string (\-escapes kept for
 * the caller to undo) or a token; returns its span, quotes excluded, and
 * moves *i past it. */
static struct span param_value(const char *p, size_t n, size_t *i, bool *quoted)
{
	size_t j = *i;
	*quoted = j < n && p[j] == '"';
	if (*quoted) {
		size_t s = ++j;
		while (j < n && p[j] != '"') {
			if (p[j] == '\\' && j + 1 < n)
				j++;
			j++;
		}
		*i = j < n ? j + 1 : n;
		return span_make(p + s, j - s);
	}
	size_t s = j;
	while (j < n && p[j] != ';' && !is_lws(p[j]))
		j++;
	*i = j;
	return span_make(p + s, j - s);
}

/* Appends a quoted string's text with its \-escapes undone and folding
 * removed. */
static void unescape(struct buf *out, struct span v, bool quoted)
{
	for (size_t k = 0; k < v.n; k++) {
		if (v.p[k] == '\r' || v.p[k] == '\n')
			continue;
		if (quoted && v.p[k] == '\\' && k + 1 < v.n)
			k++;
		buf_addc(out, v.p[k]);
	}
}

/* Appends %XX-decoded bytes. */
static void percent_decode(struct buf *out, struct span v)
{
	for (size_t k = 0; k < v.n; k++) {
		int hi, lo;
		if (v.p[k] == '%' && k + 2 < v.n && (hi = hex_value(v.p[k + 1])) >= 0 &&
		    (lo = hex_value(v.p[k + 2])) >= 0) {
			buf_addc(out, (char)(hi * 16 + lo));
			k += 2;
		} else if (v.p[k] != '\r' && v.p[k] != '\n') {
			buf_addc(out, v.p[k]);
		}
	}
}

bool msg_header_param(struct buf *out, struct span raw, const char *name)
{
	const char *p = raw.p ? raw.p : "";
	size_t n = raw.n, nl = strlen(name), i = 0;
	struct piece pieces[PARAM_PIECES_MAX];
	memset(pieces, 0, sizeof pieces);
	struct span plain = SPAN_NULL, ext = SPAN_NULL;
	bool plain_quoted = false, have_plain = false, have_ext = false, have_pieces = false;
	bool q;
	/* Skip the value before the first ';' (the media type or disposition). */
	while (i < n && p[i] != ';') {
		if (p[i] == '"') /* a quoted string there would hide a ';' */
			param_value(p, n, &i, &q);
		else
			i++;
	}
	while (i < n) {
		while (i < n && (p[i] == ';' || is_lws(p[i])))
			i++;
		size_t a = i;
		while (i < n && p[i] != '=' && p[i] != ';' && !is_lws(p[i]))
			i++;
		struct span attr = span_make(p + a, i - a);
		while (i < n && is_lws(p[i]))
			i++;
		if (i >= n || p[i] != '=') {
			while (i < n && p[i] != ';')
				i++;
			continue;
		}
		i++;
		while (i < n && is_lws(p[i]))
			i++;
		struct span v = param_value(p, n, &i, &q);
		if (attr.n < nl || g_ascii_strncasecmp(attr.p, name, nl) != 0)
			continue;
		const char *rest = attr.p + nl;
		size_t rn = attr.n - nl;
		if (rn == 0) {
			if (!have_plain)
				plain = v, plain_quoted = q, have_plain = true;
		} else if (rn == 1 && rest[0] == '*') {
			if (!have_ext)
				ext = v, have_ext = true;
		} else if (rest[0] == '*') {
			/* name*N or name*N* */
			size_t k = 1;
			unsigned idx = 0;
			while (k < rn && rest[k] >= '0' && rest[k] <= '9' && idx < PARAM_PIECES_MAX)
				idx = idx * 10 + (unsigned)(rest[k++] - '0');
			bool star = k < rn && rest[k] == '*';
			if (k == 1 || k + star != rn || idx >= PARAM_PIECES_MAX || pieces[idx].set)
				continue;
			pieces[idx] = (struct piece){v, star, true};
			have_pieces = true;
		}
	}
	if (!have_plain && !have_ext && !have_pieces)
		return false;
	struct buf bytes;
	buf_init(&bytes, n + 1);
	char charset[65] = "";
	bool any_ext = false;
	if (have_ext || (have_pieces && pieces[0].set)) {
		/* RFC 2231: charset'language'value, percent-encoded. */
		struct span first = have_ext ? ext : pieces[0].v;
		bool first_ext = have_ext || pieces[0].ext;
		if (first_ext) {
			long q1 = span_find(first, '\'');
			struct span after =
				q1 >= 0 ? span_make(first.p + q1 + 1, first.n - (size_t)q1 - 1)
					: first;
			long q2 = q1 >= 0 ? span_find(after, '\'') : -1;
			if (q1 >= 0 && q2 >= 0) {
				size_t cl = (size_t)q1 < sizeof charset - 1 ? (size_t)q1
				                                            : sizeof charset - 1;
				memcpy(charset, first.p, cl);
				charset[cl] = '\0';
				first = span_make(after.p + q2 + 1, after.n - (size_t)q2 - 1);
			}
			percent_decode(&bytes, first);
			any_ext = true;
		} else {
			unescape(&bytes, first, true);
		}
		for (unsigned k = 1; !have_ext && k < PARAM_PIECES_MAX && pieces[k].set; k++) {
			if (pieces[k].ext) {
				percent_decode(&bytes, pieces[k].v);
				any_ext = true;
			} else {
				unescape(&bytes, pieces[k].v, true);
			}
		}
	} else {
		unescape(&bytes, plain, plain_quoted);
	}
	size_t start = out->len;
	if (any_ext)
		charset_to_utf8(out, bytes.data ? bytes.data : "", bytes.len, charset,
		                strlen(charset));
	else /* RFC 2047 words inside quotes, as Outlook and Gmail write them */
		msg_decode_header(out, span_make(bytes.data ? bytes.data : "", bytes.len), false);
	for (size_t k = start; k < out->len; k++)
		if (out->data[k] == '\0' || out->data[k] == '\r' || out->data[k] == '\n')
			out->data[k] = ' ';
	buf_free(&bytes);
	return true;
}
