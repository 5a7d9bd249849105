/* fuzz_msgpage: a raw message becomes the message page's HTML, with no
 * index: the title, the <pre> block (render_message_text: header fields,
 * MIME walk, charsets, links, attachments) and an outline row made as the
 * thread outline makes it.  The page must be valid UTF-8 and well formed,
 * and hold only the elements and attributes our templates write (the
 * allow-list of tests/pagecheck.py), only <a>, <b>, <span> and the folds
 * (<details>, <summary>) inside the <pre>, and links only into the
 * archive, to an anchor on the page, or to http(s)/ftp with
 * rel=nofollow. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg/header.h"
#include "msg/msg.h"
#include "render/html.h"
#include "render/render_int.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Element -> attributes the templates use; keep in step with
 * tests/pagecheck.py (ALLOWED) and src/render/. */
struct elem {
	const char *name;
	const char *attrs[6];
	bool is_void;
};
static const struct elem allowed[] = {
	{"html", {"lang"}, false},
	{"head", {NULL}, false},
	{"meta", {"charset", "name", "content"}, true},
	{"title", {NULL}, false},
	{"link", {"rel", "href", "type", "title"}, true},
	{"body", {NULL}, false},
	{"div", {"class", "id", "role"}, false},
	{"header", {NULL}, false},
	{"nav", {"aria-label"}, false},
	{"main", {"id"}, false},
	{"footer", {NULL}, false},
	{"a", {"href", "class", "rel", "title"}, false},
	{"span", {"class", "id", "data-more"}, false},
	{"time", {"datetime", "title"}, false},
	{"details", {"class"}, false},
	{"summary", {NULL}, false},
	{"pre", {"class"}, false},
	{"b", {NULL}, false},
	{"h1", {"class"}, false},
	{"h2", {NULL}, false},
	{"p", {"class"}, false},
	{"code", {NULL}, false},
	{"ul", {"class"}, false},
	{"li", {"class"}, false},
	{"table", {"class"}, false},
	{"caption", {NULL}, false},
	{"tr", {NULL}, false},
	{"th", {"scope"}, false},
	{"td", {"class"}, false},
	{"br", {NULL}, true},
	{"small", {NULL}, false},
	{"form", {"class", "method", "action"}, false},
	{"input", {"type", "name", "size", "value", "aria-label"}, true},
	{"button", {"type"}, false},
	{"mark", {NULL}, false},
	{"ol", {"class"}, false},
};

static const struct elem *find_elem(const char *p, size_t n)
{
	for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++)
		if (strlen(allowed[i].name) == n && !memcmp(allowed[i].name, p, n))
			return &allowed[i];
	return NULL;
}

/* Length of the character reference at p (one of those html_text
 * writes, or the page's own separators), or 0. */
static size_t entity_len(const char *p, size_t n)
{
	static const char *const ok[] = {"&amp;", "&lt;",     "&gt;",    "&quot;",
	                                 "&#39;", "&middot;", "&hellip;"};
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		size_t l = strlen(ok[i]);
		if (n >= l && !memcmp(p, ok[i], l))
			return l;
	}
	return 0;
}

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* An href: a path of the archive (base "/": letters, digits, '.', '_',
 * '-', '/') or, with rel="nofollow", an http, https or ftp URL. */
static const char *check_href(const char *v, size_t n, bool nofollow)
{
	static const char *const schemes[] = {"http://", "https://", "ftp://"};
	for (size_t i = 0; i < 3; i++) {
		size_t l = strlen(schemes[i]);
		if (n > l && !strncasecmp(v, schemes[i], l))
			return nofollow ? NULL : "external link without rel=nofollow";
	}
	if (n > 1 && v[0] == '#') {
		for (size_t i = 1; i < n; i++)
			if (!lower_alnum(v[i]) && v[i] != '-')
				return "anchor with a character no anchor of ours has";
		return NULL;
	}
	if (n == 0 || v[0] != '/')
		return "link that is neither an archive path nor http(s)/ftp";
	for (size_t i = 0; i < n; i++) {
		char c = v[i];
		if (!lower_alnum(c) && !(c >= 'A' && c <= 'Z') && c != '.' && c != '_' &&
		    c != '-' && c != '/')
			return "archive link with a character no archive path has";
	}
	return NULL;
}

/* NULL if p[0..n) is a page as our templates write them, else why not. */
static const char *check_page(const char *p, size_t n)
{
	static const char doctype[] = "<!DOCTYPE html>\n";
	if (!utf8_valid(p, n))
		return "not UTF-8";
	if (n < sizeof doctype - 1 || memcmp(p, doctype, sizeof doctype - 1))
		return "no doctype";
	const struct elem *stack[64];
	int depth = 0;
	bool ended = false, in_pre = false;
	int npre = 0;
	size_t i = sizeof doctype - 1;
	while (i < n) {
		char ch = p[i];
		if (ch == '&') {
			size_t l = entity_len(p + i, n - i);
			if (!l)
				return "'&' that starts no character reference of ours";
			i += l;
			continue;
		}
		if (ch == '>')
			return "'>' in text";
		if (ch != '<') {
			if (ended && ch != '\n')
				return "text after </html>";
			i++;
			continue;
		}
		i++;
		bool closing = i < n && p[i] == '/';
		i += closing;
		size_t ns = i;
		while (i < n && lower_alnum(p[i]))
			i++;
		const struct elem *e = find_elem(p + ns, i - ns);
		if (!e)
			return "'<' that starts no element of our templates";
		if (ended)
			return "element after </html>";
		if (in_pre && e != find_elem("a", 1) && e != find_elem("b", 1) &&
		    e != find_elem("pre", 3) && e != find_elem("span", 4) &&
		    e != find_elem("details", 7) && e != find_elem("summary", 7))
			return "element other than <a>, <b>, <span> and folds inside the <pre>";
		if (closing) {
			if (i >= n || p[i] != '>')
				return "end tag with attributes";
			i++;
			if (e->is_void)
				return "end tag of a void element";
			if (depth == 0 || stack[depth - 1] != e)
				return "end tag that closes another element";
			depth--;
			if (e == find_elem("html", 4))
				ended = true;
			if (e == find_elem("pre", 3))
				in_pre = false;
			continue;
		}
		const char *href = NULL, *rel = NULL;
		size_t href_n = 0, rel_n = 0;
		unsigned seen = 0;
		while (i < n && p[i] == ' ') {
			i++;
			size_t as = i;
			while (i < n && (lower_alnum(p[i]) || p[i] == '-'))
				i++;
			size_t al = i - as;
			int k = -1;
			for (int j = 0; j < 6 && e->attrs[j]; j++)
				if (strlen(e->attrs[j]) == al && !memcmp(e->attrs[j], p + as, al))
					k = j;
			if (k < 0)
				return "attribute our templates do not write";
			if (seen & (1u << k))
				return "repeated attribute";
			seen |= 1u << k;
			if (n - i < 2 || p[i] != '=' || p[i + 1] != '"')
				return "attribute without a double-quoted value";
			i += 2;
			size_t vs = i;
			while (i < n && p[i] != '"') {
				if (p[i] == '<' || p[i] == '>')
					return "'<' or '>' in an attribute value";
				if (p[i] == '&') {
					size_t l = entity_len(p + i, n - i);
					if (!l)
						return "'&' in an attribute value that starts no reference of ours";
					i += l;
					continue;
				}
				i++;
			}
			if (i >= n)
				return "unterminated attribute value";
			if (!strcmp(e->attrs[k], "href")) {
				href = p + vs;
				href_n = i - vs;
			} else if (!strcmp(e->attrs[k], "rel")) {
				rel = p + vs;
				rel_n = i - vs;
			}
			i++;
		}
		if (i >= n || p[i] != '>')
			return "start tag not closed by '>'";
		i++;
		if (e == find_elem("a", 1)) {
			if (!href)
				return "<a> without href";
			const char *why = check_href(
				href, href_n, rel && rel_n == 8 && !memcmp(rel, "nofollow", 8));
			if (why)
				return why;
		}
		if (e->is_void)
			continue;
		if (depth == (int)(sizeof stack / sizeof *stack))
			return "elements nested deeper than any template nests them";
		stack[depth++] = e;
		if (e == find_elem("pre", 3)) {
			/* A message page has one: a second one means the message
			 * closed ours. */
			if (npre++)
				return "a second <pre>";
			in_pre = true;
		}
	}
	if (depth)
		return "elements left open";
	if (!ended)
		return "no </html>";
	return NULL;
}

/* The checker must catch what it is there to catch. */
static void self_test(void)
{
	static const char head[] =
		"<!DOCTYPE html>\n<html lang=\"en\">\n<body>\n<pre class=\"msg\">";
	static const char tail[] = "</pre>\n</body>\n</html>\n";
	static const char *const good[] = {
		"text &lt;script&gt; &amp; &#39;",
		"<a href=\"https://example.org/?a=1&amp;b=2\" rel=\"nofollow\">x</a>",
		"<a href=\"/fuzz/2024/01/02/1/3\">Download</a> <b>Embedded message:</b>",
		"<span class=\"d-stat\"><a href=\"#df-20240102-1-0\">a.c</a></span>",
		"<details class=\"q\"><summary>&gt; a<span class=\"fold\" data-more=\"3 more "
		"lines\"></span>\n</summary>&gt; b\n</details>",
	};
	static const char *const bad[] = {
		"<script>alert(1)</script>",
		"<img src=x onerror=alert(1)>",
		"<a href=\"javascript:alert(1)\">x</a>",
		"<a href=\"http://x/\">no rel</a>",
		"<a href=\"/x\" onclick=\"y\">x</a>",
		"&foo;",
		"a > b",
		"<b>open",
		"<div class=\"x\">in pre</div>",
		"<a href=\"#x y\">bad anchor</a>",
		"<span onclick=\"x\">y</span>",
		"</pre><p>x</p><pre class=\"msg\">",
	};
	char page[512];
	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		snprintf(page, sizeof page, "%s%s%s", head, good[i], tail);
		if (check_page(page, strlen(page)))
			abort();
	}
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		snprintf(page, sizeof page, "%s%s%s", head, bad[i], tail);
		if (!check_page(page, strlen(page)))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool tested;
	if (!tested) {
		self_test();
		msg_library_init();
		tested = true;
	}
	const char *msg = (const char *)data;
	const struct render_ctx c = {.st = NULL, .conf = NULL, .base = "/"};
	struct msg_summary *sum = malloc(sizeof *sum);
	msg_summary_parse(sum, msg, hdr_block_len(msg, size < HEAD_MAX ? size : HEAD_MAX));

	struct buf b, t;
	buf_init(&b, PAGE_MAX);
	buf_init(&t, SUBJECT_MAX + 64);
	subject_plain(&c, &t, "fuzz", sum->subject);
	buf_adds(&t, " - fuzz");
	page_open_site(&c, &b, buf_cstr(&t));
	buf_free(&t);

	char *copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	struct mime_msg *mm = NULL;
	enum la_status opened = mime_open_mem(&mm, copy, size);
	/* An odd-sized input is shown as a thread page shows a message, cut
	 * short (at a small cap, so that the cut is often reached). */
	render_message_text(&c, &b, "fuzz", 20240102, 1, size & 2 ? "fuzz-1.example.org" : NULL,
	                    msg, size, mm, opened, size & 1 ? 1024 : 0);
	mime_free(mm);

	/* The outline's row for this message (render/thread.c tree_entry). */
	buf_adds(&b, "<div class=\"thread\">\n<h2>Thread</h2>\n<ul class=\"tree\">\n"
	             "<li class=\"current\"><b>");
	subject_text(&c, &b, "fuzz", sum->subject);
	buf_adds(&b, "</b> <span class=\"from\">");
	const char *from = sum->from_name[0] ? sum->from_name : sum->from_addr;
	html_obfuscated(&b, from, strlen(from));
	buf_adds(&b, "</span></li></ul>\n</div>\n");
	page_end(&c, &b);

	if (!b.err) {
		const char *why = check_page(b.data, b.len);
		if (why) {
			fprintf(stderr, "fuzz_msgpage: %s\n", why);
			abort();
		}
	}
	buf_free(&b);
	free(sum);
	return 0;
}
