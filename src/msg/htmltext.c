/* htmltext.c: a small, bounded HTML-to-text pass (not a parser: it only
 * needs to find tags, skip invisible elements and decode references). */
#include "msg/htmltext.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static bool name_is(const char *p, size_t n, const char *w)
{
	return strlen(w) == n && strncasecmp(p, w, n) == 0;
}

static void put_utf8(struct buf *out, unsigned long cp)
{
	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
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

/* Decodes a character reference at p ('&' ...); returns bytes consumed,
 * or 0 to copy the '&' as is. */
static size_t entity(struct buf *out, const char *p, size_t n)
{
	static const struct {
		const char *name;
		unsigned cp;
	} named[] = {{"amp", '&'},     {"lt", '<'},      {"gt", '>'},      {"quot", '"'},
	             {"apos", '\''},   {"nbsp", 0xA0},   {"copy", 0xA9},   {"reg", 0xAE},
	             {"mdash", 0x2014}, {"ndash", 0x2013}, {"hellip", 0x2026}, {"laquo", 0xAB},
	             {"raquo", 0xBB},  {"lsquo", 0x2018}, {"rsquo", 0x2019}, {"ldquo", 0x201C},
	             {"rdquo", 0x201D}, {"bull", 0x2022}, {"euro", 0x20AC}, {"trade", 0x2122}};
	size_t i = 1;
	if (i < n && p[i] == '#') {
		i++;
		unsigned long v = 0;
		bool hex = i < n && (p[i] == 'x' || p[i] == 'X');
		if (hex)
			i++;
		size_t d0 = i;
		while (i < n && i - d0 < 8) {
			char c = p[i];
			int dv = c >= '0' && c <= '9' ? c - '0'
			         : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
			         : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
			if (dv < 0)
				break;
			v = v * (hex ? 16 : 10) + (unsigned long)dv;
			i++;
		}
		if (i == d0)
			return 0;
		if (i < n && p[i] == ';')
			i++;
		put_utf8(out, v);
		return i;
	}
	size_t s = i;
	while (i < n && i - s < 10 && ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z')))
		i++;
	for (size_t k = 0; k < sizeof named / sizeof *named; k++)
		if (name_is(p + s, i - s, named[k].name)) {
			if (i < n && p[i] == ';')
				i++;
			put_utf8(out, named[k].cp);
			return i;
		}
	return 0;
}

void htmltext(struct buf *out, const char *p, size_t n)
{
	size_t start = out->len;
	size_t i = 0;
	int newlines = 2; /* at start: no leading blank lines */
	bool space = false;
	const char *skip_until = NULL; /* inside <script>, <style>, <head>, <title> */
	while (i < n && !out->err) {
		char c = p[i];
		if (c == '<') {
			/* Comments run to "-->". */
			if (n - i >= 4 && memcmp(p + i, "<!--", 4) == 0) {
				const char *e = NULL;
				for (size_t j = i + 4; j + 3 <= n; j++)
					if (p[j] == '-' && p[j + 1] == '-' && p[j + 2] == '>') {
						e = p + j + 3;
						break;
					}
				i = e ? (size_t)(e - p) : n;
				continue;
			}
			const char *gt = memchr(p + i, '>', n - i);
			size_t end = gt ? (size_t)(gt - p) + 1 : n;
			size_t j = i + 1;
			bool closing = j < end && p[j] == '/';
			if (closing)
				j++;
			size_t ns = j;
			while (j < end && ((p[j] >= 'a' && p[j] <= 'z') || (p[j] >= 'A' && p[j] <= 'Z') ||
			                   (p[j] >= '0' && p[j] <= '9')))
				j++;
			const char *nm = p + ns;
			size_t nl = j - ns;
			i = end;
			if (skip_until) {
				if (closing && name_is(nm, nl, skip_until))
					skip_until = NULL;
				continue;
			}
			if (!closing && (name_is(nm, nl, "script") || name_is(nm, nl, "style") ||
			                 name_is(nm, nl, "head") || name_is(nm, nl, "title"))) {
				skip_until = name_is(nm, nl, "script")  ? "script"
				             : name_is(nm, nl, "style") ? "style"
				             : name_is(nm, nl, "head")  ? "head"
				                                        : "title";
				continue;
			}
			bool block = name_is(nm, nl, "br") || name_is(nm, nl, "p") || name_is(nm, nl, "div") ||
			             name_is(nm, nl, "tr") || name_is(nm, nl, "li") || name_is(nm, nl, "h1") ||
			             name_is(nm, nl, "h2") || name_is(nm, nl, "h3") || name_is(nm, nl, "h4") ||
			             name_is(nm, nl, "blockquote") || name_is(nm, nl, "pre") ||
			             name_is(nm, nl, "table") || name_is(nm, nl, "ul") || name_is(nm, nl, "ol") ||
			             name_is(nm, nl, "hr");
			if (block) {
				bool para = !name_is(nm, nl, "br") && !name_is(nm, nl, "li") && !name_is(nm, nl, "tr");
				int want = para ? 2 : 1;
				while (newlines < want) {
					buf_addc(out, '\n');
					newlines++;
				}
				space = false;
				if (!closing && name_is(nm, nl, "li"))
					buf_adds(out, "* "), newlines = 0;
			} else if (name_is(nm, nl, "td") || name_is(nm, nl, "th")) {
				space = true;
			}
			continue;
		}
		if (skip_until) {
			i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			space = true;
			i++;
			continue;
		}
		if (space && newlines == 0)
			buf_addc(out, ' ');
		space = false;
		newlines = 0;
		if (c == '&') {
			size_t k = entity(out, p + i, n - i);
			if (k) {
				i += k;
				continue;
			}
		}
		buf_addc(out, c);
		i++;
	}
	/* End with exactly one line end. */
	while (out->len > start && out->data[out->len - 1] == '\n')
		out->len--;
	buf_addc(out, '\n');
}
