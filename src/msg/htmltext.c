/* htmltext.c: HTML mail as plain text, laid out as a reader expects.  A
 * single bounded pass, not a parser: it finds tags (quoted attribute
 * values may hold '>'), skips what is never shown (script, style, head,
 * title, template, comments), decodes every HTML5 character reference,
 * and turns blocks into lines: paragraphs and headings apart, <br> and
 * <div> on new lines, list items with bullets or numbers (indented by
 * nesting), table rows on lines with their cells separated by " | ",
 * <blockquote> quoted with "> ", <pre> kept as it is.  Work is linear in
 * the input whatever its nesting; only the list, quote and pre depths
 * are counted, and only up to a bound. */
#include "msg/htmltext.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/* build/gen/html_entities.h, made by scripts/gen-entities.py. */
#include "html_entities.h"

/* Nested lists deeper than this are laid out as this deep. */
#define LIST_DEPTH_MAX 16
/* Quote levels shown as "> " prefixes, at most. */
#define QUOTE_DEPTH_MAX 16

static bool name_is(const char *p, size_t n, const char *w)
{
	return strlen(w) == n && strncasecmp(p, w, n) == 0;
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static void put_utf8(struct buf *out, uint32_t cp)
{
	char u[4];
	if (cp < 0x80) {
		buf_addc(out, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		buf_add(out, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		buf_add(out, u, 3);
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		buf_add(out, u, 4);
	}
}

static void put_cps(struct buf *out, const uint32_t cp[2])
{
	put_utf8(out, cp[0]);
	if (cp[1])
		put_utf8(out, cp[1]);
}

/* HTML5's replacements for numeric references to 0x80..0x9F (the
 * windows-1252 characters); 0 where the code point stays. */
static const uint16_t c1_table[32] = {
	0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
	0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
	0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

/* The code point a numeric reference stands for, by HTML5's rules. */
static uint32_t numeric_cp(uint32_t v)
{
	if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0xFFFD;
	if (v >= 0x80 && v <= 0x9F && c1_table[v - 0x80])
		return c1_table[v - 0x80];
	return v;
}

/* The entity named p[0..n) (without ';'), or NULL. */
static const struct html_entity *find_entity(const char *p, size_t n)
{
	size_t lo = 0, hi = HTML_ENTITY_COUNT;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *name = html_entities[mid].name;
		int c = strncmp(p, name, n);
		if (c == 0 && name[n] != '\0')
			c = -1; /* p is a proper prefix of name */
		if (c == 0)
			return &html_entities[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Decodes a character reference at p ('&' ...) into cp (one or two code
 * points, cp[1] 0 if one); returns the bytes consumed, or 0 when there
 * is none (the '&' is then text). */
static size_t char_ref(uint32_t cp[2], const char *p, size_t n)
{
	cp[1] = 0;
	size_t i = 1;
	if (i < n && p[i] == '#') {
		i++;
		bool hex = i < n && (p[i] == 'x' || p[i] == 'X');
		if (hex)
			i++;
		size_t d0 = i;
		uint32_t v = 0;
		for (; i < n; i++) {
			char c = p[i];
			int dv = c >= '0' && c <= '9'          ? c - '0'
			         : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
			         : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
			                                       : -1;
			if (dv < 0)
				break;
			/* Long runs of digits saturate (out of range). */
			v = v > 0x10FFFF ? v : v * (hex ? 16 : 10) + (uint32_t)dv;
		}
		if (i == d0)
			return 0;
		if (i < n && p[i] == ';')
			i++;
		cp[0] = numeric_cp(v);
		return i;
	}
	/* Named: the longest name that matches; one with its ';', or a
	 * legacy one without. */
	size_t s = i;
	while (i < n && i - s <= HTML_ENTITY_NAME_MAX && is_alnum(p[i]))
		i++;
	size_t len = i - s;
	if (len == 0)
		return 0;
	const struct html_entity *e;
	if (i < n && p[i] == ';' && len <= HTML_ENTITY_NAME_MAX && (e = find_entity(p + s, len))) {
		cp[0] = e->cp[0];
		cp[1] = e->cp[1];
		return i + 1;
	}
	for (size_t k = len < HTML_ENTITY_LEGACY_MAX ? len : HTML_ENTITY_LEGACY_MAX; k > 0; k--) {
		e = find_entity(p + s, k);
		if (e && e->legacy) {
			cp[0] = e->cp[0];
			return s + k;
		}
	}
	return 0;
}

/* The layout state of one conversion. */
struct text {
	struct buf *out;
	size_t start;             /* where our output begins in out */
	int newlines;             /* line ends at the end of the output (2: a blank line) */
	bool space;               /* a space is due before the next text */
	bool marker;              /* a list marker was the last thing written */
	int pre;                  /* <pre> depth */
	int quote;                /* <blockquote> depth */
	int lists;                /* list depth */
	int item[LIST_DEPTH_MAX]; /* per list: the next number, or -1 for bullets */
	int cells;                /* cells begun in the current table row */
};

/* Ensures the output ends with at least k line ends (none at its start). */
static void line_break(struct text *t, int k)
{
	if (t->marker)
		return; /* "1. " then <p>: the paragraph goes on the marker's line */
	while (t->newlines < k) {
		buf_addc(t->out, '\n');
		t->newlines++;
	}
	t->space = false;
}

/* Before text on a fresh line: the quote and list indentation. */
static void line_prefix(struct text *t)
{
	if (t->newlines == 0)
		return;
	int q = t->quote < QUOTE_DEPTH_MAX ? t->quote : QUOTE_DEPTH_MAX;
	for (int k = 0; k < q; k++)
		buf_adds(t->out, "> ");
	int l = t->lists < LIST_DEPTH_MAX ? t->lists : LIST_DEPTH_MAX;
	for (int k = 0; k < l; k++)
		buf_adds(t->out, "  ");
	t->newlines = 0;
}

/* Text bytes (already free of tags and references). */
static void put_text(struct text *t, const char *p, size_t n)
{
	bool line_start = t->newlines > 0;
	line_prefix(t);
	if (t->space && !t->marker && !line_start && t->out->len > t->start &&
	    t->out->data[t->out->len - 1] != ' ')
		buf_addc(t->out, ' ');
	t->space = false;
	t->marker = false;
	buf_add(t->out, p, n);
}

static void list_item(struct text *t)
{
	line_break(t, 1);
	t->marker = false;
	line_break(t, 1);
	int l = t->lists < LIST_DEPTH_MAX ? t->lists : LIST_DEPTH_MAX;
	/* The marker hangs in the indentation of its list's level. */
	int q = t->quote < QUOTE_DEPTH_MAX ? t->quote : QUOTE_DEPTH_MAX;
	for (int k = 0; k < q; k++)
		buf_adds(t->out, "> ");
	for (int k = 1; k < l; k++)
		buf_adds(t->out, "  ");
	int *num = l > 0 ? &t->item[l - 1] : NULL;
	if (num && *num >= 0)
		buf_printf(t->out, "%d. ", (*num)++);
	else
		buf_adds(t->out, "* ");
	t->newlines = 0;
	t->space = false;
	t->marker = true;
}

/* The value of attribute name in a tag's text p[0..n) (after its name),
 * or false. */
static bool attr(const char *p, size_t n, const char *name, const char **v, size_t *vn)
{
	size_t nl = strlen(name), i = 0;
	while (i < n) {
		while (i < n && (is_space(p[i]) || p[i] == '/'))
			i++;
		size_t a = i;
		while (i < n && !is_space(p[i]) && p[i] != '=' && p[i] != '>' && p[i] != '/')
			i++;
		size_t an = i - a;
		while (i < n && is_space(p[i]))
			i++;
		const char *val = "";
		size_t len = 0;
		if (i < n && p[i] == '=') {
			i++;
			while (i < n && is_space(p[i]))
				i++;
			if (i < n && (p[i] == '"' || p[i] == '\'')) {
				char q = p[i++];
				val = p + i;
				while (i < n && p[i] != q)
					i++;
				len = (size_t)(p + i - val);
				if (i < n)
					i++;
			} else {
				val = p + i;
				while (i < n && !is_space(p[i]) && p[i] != '>')
					i++;
				len = (size_t)(p + i - val);
			}
		}
		if (an == nl && strncasecmp(p + a, name, nl) == 0) {
			*v = val;
			*vn = len;
			return true;
		}
		if (an == 0 && i < n && !is_space(p[i]))
			i++; /* a stray character: skip it */
	}
	return false;
}

/* End of a tag starting at p[i] == '<': one past its '>', outside quoted
 * attribute values; n if it has none. */
static size_t tag_end(const char *p, size_t n, size_t i)
{
	char q = 0;
	for (size_t j = i + 1; j < n; j++) {
		if (q) {
			if (p[j] == q)
				q = 0;
		} else if (p[j] == '"' || p[j] == '\'') {
			/* Quotes count only where an attribute value starts. */
			if (p[j - 1] == '=' || (is_space(p[j - 1]) && j >= 2 && p[j - 2] == '='))
				q = p[j];
		} else if (p[j] == '>') {
			return j + 1;
		}
	}
	return n;
}

/* Where the raw text of an element whose content is never shown
 * (script, style, title, template) ends: just past "</name ...>", or n. */
static size_t skip_raw(const char *p, size_t n, size_t i, const char *name, size_t nl)
{
	while (i < n) {
		const char *lt = memchr(p + i, '<', n - i);
		if (!lt)
			return n;
		size_t j = (size_t)(lt - p);
		if (j + 2 + nl <= n && p[j + 1] == '/' && strncasecmp(p + j + 2, name, nl) == 0 &&
		    (j + 2 + nl == n || !is_alnum(p[j + 2 + nl])))
			return tag_end(p, n, j);
		i = j + 1;
	}
	return n;
}

/* Elements that start and end a paragraph (a blank line around them),
 * and those that only start a line. */
static const char *const para_tags[] = {
	"p",        "h1",     "h2",      "h3",      "h4",         "h5",     "h6",      "pre",
	"table",    "ul",     "ol",      "dl",      "blockquote", "hr",     "address", "figure",
	"fieldset", "form",   "section", "article", "header",     "footer", "nav",     "aside",
	"main",     "center", "details", "listing", "xmp",        "menu",   NULL};
static const char *const line_tags[] = {"div",     "tr",         "dt",    "dd",    "caption",
                                        "summary", "figcaption", "tbody", "thead", "tfoot",
                                        "option",  "legend",     "body",  "html",  NULL};

static bool in_list(const char *const *list, const char *p, size_t n)
{
	for (size_t k = 0; list[k]; k++)
		if (name_is(p, n, list[k]))
			return true;
	return false;
}

/* One tag: p[0..n) is its whole text from '<' to '>'. */
/* <br>: a line break; a second in a row, a blank line. */
static void tag_br(struct text *t)
{
	t->marker = false;
	if (t->newlines >= 1 && t->newlines < 2 && t->out->len > t->start) {
		buf_addc(t->out, '\n');
		t->newlines++;
	} else if (t->newlines == 0) {
		buf_addc(t->out, '\n');
		t->newlines = 1;
	}
	t->space = false;
}

/* An <ol>'s first number: its start= attribute (at most 7 characters,
 * never below 0), else 1. */
static int ol_start(const char *rest, size_t rn)
{
	const char *v;
	size_t vn;
	if (!attr(rest, rn, "start", &v, &vn) || vn == 0 || vn >= 8)
		return 1;
	int s = 0, sign = 1;
	size_t k = 0;
	if (v[0] == '-')
		sign = -1, k = 1;
	for (; k < vn && v[k] >= '0' && v[k] <= '9'; k++)
		s = s * 10 + (v[k] - '0');
	return s * sign < 0 ? 0 : s * sign;
}

/* <ul>, <ol>, <menu>, <dir>: a list, nested at most LIST_DEPTH_MAX deep
 * (deeper ones are counted but not numbered). */
static void tag_list(struct text *t, bool ordered, const char *rest, size_t rn, bool closing)
{
	t->marker = false;
	line_break(t, t->lists ? 1 : 2);
	if (closing) {
		if (t->lists > 0)
			t->lists--;
		return;
	}
	if (t->lists < LIST_DEPTH_MAX)
		t->item[t->lists] = ordered ? ol_start(rest, rn) : -1;
	t->lists++;
}

/* <td>, <th>: cells of a row on its line, " | " between them; a cell
 * that began a new line (a layout table's paragraphs) needs no
 * separator. */
static void tag_cell(struct text *t, bool closing)
{
	if (closing) {
		t->space = true;
		return;
	}
	if (t->cells++ > 0 && t->newlines == 0) {
		buf_adds(t->out, " | ");
		t->space = false;
	}
}

/* <img>: an image says what it shows: its alt text (up to 200 bytes),
 * in brackets. */
static void tag_img(struct text *t, const char *rest, size_t rn)
{
	const char *v;
	size_t vn;
	if (!attr(rest, rn, "alt", &v, &vn))
		return;
	size_t k = 0;
	while (k < vn && is_space(v[k]))
		k++;
	if (k == vn || vn > 200)
		return;
	t->space = true;
	put_text(t, "[", 1);
	struct buf *o = t->out;
	for (size_t j = k; j < vn; j++) {
		uint32_t cp[2];
		size_t c = v[j] == '&' ? char_ref(cp, v + j, vn - j) : 0;
		if (c) {
			put_cps(o, cp);
			j += c - 1;
		} else {
			buf_addc(o, is_space(v[j]) ? ' ' : v[j]);
		}
	}
	buf_addc(o, ']');
	t->space = true;
}

static void tag(struct text *t, const char *p, size_t n, const char *nm, size_t nl, bool closing)
{
	const char *rest = nm + nl;
	size_t rn = (size_t)(p + n - rest);
	if (name_is(nm, nl, "br")) {
		tag_br(t);
	} else if (name_is(nm, nl, "li")) {
		if (!closing)
			list_item(t);
		else
			line_break(t, 1);
	} else if (name_is(nm, nl, "ul") || name_is(nm, nl, "ol") || name_is(nm, nl, "menu") ||
	           name_is(nm, nl, "dir")) {
		tag_list(t, name_is(nm, nl, "ol"), rest, rn, closing);
	} else if (name_is(nm, nl, "blockquote")) {
		t->marker = false;
		line_break(t, 2);
		if (!closing)
			t->quote++;
		else if (t->quote > 0)
			t->quote--;
	} else if (name_is(nm, nl, "pre") || name_is(nm, nl, "listing") || name_is(nm, nl, "xmp") ||
	           name_is(nm, nl, "textarea")) {
		line_break(t, name_is(nm, nl, "textarea") ? 1 : 2);
		if (!closing)
			t->pre++;
		else if (t->pre > 0)
			t->pre--;
	} else if (name_is(nm, nl, "hr")) {
		t->marker = false;
		line_break(t, 2);
		line_prefix(t);
		buf_adds(t->out, "-----");
		t->newlines = 0;
		line_break(t, 2);
	} else if (name_is(nm, nl, "tr")) {
		t->cells = 0;
		line_break(t, 1);
	} else if (name_is(nm, nl, "td") || name_is(nm, nl, "th")) {
		tag_cell(t, closing);
	} else if (name_is(nm, nl, "img")) {
		if (!closing)
			tag_img(t, rest, rn);
	} else if (in_list(para_tags, nm, nl)) {
		t->marker = t->marker && !closing;
		line_break(t, 2);
	} else if (in_list(line_tags, nm, nl)) {
		line_break(t, 1);
	}
	/* Inline elements (b, i, a, span, font ...): a word boundary only
	 * where the source has one. */
}

void htmltext(struct buf *out, const char *p, size_t n)
{
	struct text t = {.out = out, .start = out->len, .newlines = 2};
	size_t i = 0;
	while (i < n && !out->err) {
		char c = p[i];
		if (c == '<' && i + 1 < n) {
			char d = p[i + 1];
			if (d == '!' && n - i >= 4 && memcmp(p + i, "<!--", 4) == 0) {
				/* A comment runs to "-->" (or to the end). */
				size_t j = i + 4;
				for (; j + 3 <= n; j++)
					if (p[j] == '-' && p[j + 1] == '-' && p[j + 2] == '>')
						break;
				i = j + 3 <= n ? j + 3 : n;
				continue;
			}
			if (d == '!' || d == '?') {
				/* <!DOCTYPE ...>, <![CDATA[...]]>, <?xml ...?>: dropped. */
				const char *gt = memchr(p + i, '>', n - i);
				i = gt ? (size_t)(gt - p) + 1 : n;
				continue;
			}
			bool closing = d == '/';
			size_t ns = i + 1 + closing;
			if (ns < n && is_alpha(p[ns])) {
				size_t j = ns;
				while (j < n && (is_alnum(p[j]) || p[j] == '-' || p[j] == ':'))
					j++;
				const char *nm = p + ns;
				size_t nl = j - ns;
				size_t end = tag_end(p, n, i);
				if (t.pre && !name_is(nm, nl, "pre") && !name_is(nm, nl, "br") &&
				    !name_is(nm, nl, "listing") && !name_is(nm, nl, "xmp") &&
				    !name_is(nm, nl, "textarea")) {
					i = end; /* inside <pre>, other tags only mark up */
					continue;
				}
				if (!closing &&
				    (name_is(nm, nl, "script") || name_is(nm, nl, "style") ||
				     name_is(nm, nl, "title") || name_is(nm, nl, "template") ||
				     name_is(nm, nl, "noembed") || name_is(nm, nl, "noframes"))) {
					i = skip_raw(p, n, end, nm, nl);
					continue;
				}
				if (!closing && name_is(nm, nl, "head")) {
					/* The head's text is not shown: up to </head> or <body>. */
					size_t k = end;
					for (; k < n; k++)
						if (p[k] == '<' &&
						    ((k + 6 <= n &&
						      !strncasecmp(p + k, "</head", 6)) ||
						     (k + 5 <= n &&
						      !strncasecmp(p + k, "<body", 5))))
							break;
					i = k;
					continue;
				}
				tag(&t, p + i, end - i, nm, nl, closing);
				i = end;
				continue;
			}
			if (closing && ns < n && p[ns] == '>') {
				i = ns + 1; /* "</>" is nothing */
				continue;
			}
			/* '<' that starts no tag ("a < b") is text. */
		}
		if (!t.pre && is_space(c)) {
			t.space = true;
			i++;
			continue;
		}
		if (t.pre && (c == '\n' || c == '\r')) {
			if (c == '\r' && i + 1 < n && p[i + 1] == '\n')
				i++;
			/* A newline right after <pre> is not content (HTML5);
			 * more than one blank line is shown as one. */
			if (t.newlines < 2) {
				buf_addc(out, '\n');
				t.newlines++;
			}
			t.marker = false;
			i++;
			continue;
		}
		if (c == '&') {
			uint32_t cp[2];
			size_t k = char_ref(cp, p + i, n - i);
			if (k) {
				put_text(&t, "", 0);
				put_cps(out, cp);
				i += k;
				continue;
			}
		}
		/* A run of plain text. */
		size_t j = i + 1;
		while (j < n && p[j] != '<' && p[j] != '&' &&
		       (t.pre ? p[j] != '\n' && p[j] != '\r' : !is_space(p[j])))
			j++;
		if (t.pre) {
			/* Spaces in <pre> are kept: no word-space logic. */
			line_prefix(&t);
			t.space = false;
			t.marker = false;
			buf_add(out, p + i, j - i);
		} else {
			put_text(&t, p + i, j - i);
		}
		i = j;
	}
	/* End with exactly one line end. */
	while (out->len > t.start &&
	       (out->data[out->len - 1] == '\n' || out->data[out->len - 1] == ' '))
		out->len--;
	buf_addc(out, '\n');
}

bool htmltext_meta_charset(const char *p, size_t n, char *out, size_t outn)
{
	if (n > 4096)
		n = 4096;
	for (size_t i = 0; i + 5 < n; i++) {
		if (p[i] != '<' || strncasecmp(p + i + 1, "meta", 4) != 0 || is_alnum(p[i + 5]))
			continue;
		size_t end = tag_end(p, n, i);
		/* "charset" anywhere in the tag: the attribute, or inside
		 * content="text/html; charset=...". */
		for (size_t j = i + 5; j + 7 < end; j++) {
			if (strncasecmp(p + j, "charset", 7) != 0)
				continue;
			size_t k = j + 7;
			while (k < end && is_space(p[k]))
				k++;
			if (k >= end || p[k] != '=')
				continue;
			k++;
			while (k < end && (is_space(p[k]) || p[k] == '"' || p[k] == '\''))
				k++;
			size_t len = 0;
			while (k < end && len + 1 < outn &&
			       (is_alnum(p[k]) || p[k] == '-' || p[k] == '_' || p[k] == '.' ||
			        p[k] == ':'))
				out[len++] = p[k++];
			out[len] = '\0';
			if (len > 0)
				return true;
		}
		i = end > i ? end - 1 : i;
	}
	return false;
}
