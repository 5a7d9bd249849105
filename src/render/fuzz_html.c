/* fuzz_html: the escaper, linkifier and obfuscator, HTML-to-text (UTF-8
 * in gives UTF-8 out) and its <meta> charset prescan.
 * Checks that the output of html_body holds no markup but our <a>, and
 * that html_body_ex and html_text (which skip runs of plain bytes) give
 * the bytes of html_body_ref (a byte at a time), with every flag, for
 * the input and for each of its lines alone (as body.c asks them), and
 * html_body_lines those of html_body_ref of each line in its tags. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg/htmltext.h"
#include "render/html.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every '<' in the output starts one of our tags; every '"' is inside
 * one. */
static void check_markup(const char *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (p[i] == '<') {
			if (n - i >= 9 && !memcmp(p + i, "<a href=\"", 9)) {
				const char *end = memchr(p + i + 9, '"', n - i - 9);
				if (!end || (size_t)(n - (size_t)(end - p)) < 19 ||
				    memcmp(end, "\" rel=\"nofollow\">", 17))
					abort();
				i = (size_t)(end - p) + 17;
				continue;
			}
			if (n - i >= 4 && !memcmp(p + i, "</a>", 4)) {
				i += 4;
				continue;
			}
			abort();
		}
		if (p[i] == '"' || p[i] == '>' || p[i] == '\'')
			abort();
		i++;
	}
}

/* A local copy of every URL of an odd length (the hook's two ways). */
static bool odd_local(void *arg, const char *url, size_t n, struct buf *href)
{
	(void)arg;
	if (n % 2 == 0)
		return false;
	buf_adds(href, "/local/");
	buf_add(href, url, n);
	return true;
}

static void same_as_ref(const char *p, size_t n)
{
	static const struct html_links lk = {odd_local, NULL};
	struct buf a, r;
	buf_init(&a, n * 32 + 64);
	buf_init(&r, n * 32 + 64);
	for (unsigned flags = 0; flags < 4; flags++) {
		for (int hook = 0; hook < 2; hook++) {
			buf_reset(&a);
			buf_reset(&r);
			if (flags == 0)
				html_text(&a, p, n);
			else
				html_body_ex(&a, p, n, flags, hook ? &lk : NULL);
			html_body_ref(&r, p, n, flags, hook ? &lk : NULL);
			if (a.err != r.err || a.len != r.len ||
			    (a.len && memcmp(a.data, r.data, a.len)))
				abort();
		}
		/* The lines in tags at once, as each line alone in them. */
		static const struct html_wrap w = {"<i>", "</i>", 3, 4};
		buf_reset(&a);
		buf_reset(&r);
		html_body_lines(&a, p, n, flags, &lk, &w);
		for (size_t i = 0;;) {
			const char *nl = memchr(p + i, '\n', n - i);
			size_t e = nl ? (size_t)(nl - p) : n;
			buf_adds(&r, "<i>");
			html_body_ref(&r, p + i, e - i, flags, &lk);
			buf_adds(&r, "</i>");
			if (!nl)
				break;
			buf_addc(&r, '\n');
			i = e + 1;
		}
		if (a.err != r.err || a.len != r.len || (a.len && memcmp(a.data, r.data, a.len)))
			abort();
	}
	buf_free(&a);
	buf_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	same_as_ref((const char *)data, size);
	for (size_t i = 0; i < size;) {
		const uint8_t *nl = memchr(data + i, '\n', size - i);
		size_t e = nl ? (size_t)(nl - data) : size;
		same_as_ref((const char *)data + i, e - i);
		i = e + 1;
	}

	struct buf b;
	buf_init(&b, size * 16 + 64);
	html_body(&b, (const char *)data, size, HTML_LINKS | HTML_OBFUSCATE);
	if (!b.err) {
		check_markup(b.data ? b.data : "", b.len);
		if (!utf8_valid(b.data ? b.data : "", b.len))
			abort();
	}
	buf_reset(&b);
	htmltext(&b, (const char *)data, size);
	if (!b.err && !utf8_valid(b.data ? b.data : "", b.len) &&
	    utf8_valid((const char *)data, size))
		abort(); /* UTF-8 in, UTF-8 out */
	char cs[64];
	if (htmltext_meta_charset((const char *)data, size, cs, sizeof cs) &&
	    strlen(cs) >= sizeof cs)
		abort();
	buf_free(&b);
	return 0;
}
