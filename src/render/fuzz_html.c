/* fuzz_html: the escaper, linkifier and obfuscator, HTML-to-text (UTF-8
 * in gives UTF-8 out) and its <meta> charset prescan.
 * Checks that the output of html_body holds no markup but our <a>. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
