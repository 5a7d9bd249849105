/* fuzz_ddiff: the changes page's diff of two patches (render/series.c):
 * their texts split into lines and files, what pairing them costs, and
 * the sections a file.  The input is the old patch, a NUL, the new one.
 * Checks that a patch against itself costs nothing and shows no file,
 * and that every '<' of the output starts one of the page's tags. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "render/render_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const tags[] = {
	"<span class=\"",
	"</span>",
	"<h3 class=\"ddiff-file\" id=\"p1-f",
	"</h3>",
	"<pre class=\"msg ddiff\">",
	"</pre>",
	"<ul class=\"ddiff-files\">",
	"</ul>",
	"<li>",
	"</li>",
	"<a href=\"#p1-f",
	"</a>",
	"<p>",
	"</p>",
};

static void check_markup(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '<')
			continue;
		bool ours = false;
		for (size_t k = 0; k < sizeof tags / sizeof *tags && !ours; k++)
			ours = n - i >= strlen(tags[k]) && !memcmp(p + i, tags[k], strlen(tags[k]));
		if (!ours)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 256 * 1024)
		return 0;
	const char *t = (const char *)data;
	const char *nul = memchr(t, '\0', size);
	size_t on = nul ? (size_t)(nul - t) : size;
	const char *nw = nul ? nul + 1 : "";
	size_t nn = nul ? size - on - 1 : 0;
	struct buf b;
	size_t cost;
	buf_init(&b, 64u << 20);
	series_ddiff_html(&b, t, on, nw, nn, &cost);
	check_markup(b.data ? b.data : "", b.len);
	buf_reset(&b);
	series_ddiff_html(&b, t, on, t, on, &cost);
	if (cost != 0 && cost != SIZE_MAX)
		abort();
	for (size_t i = 0; i + 3 <= b.len; i++)
		if (!memcmp(b.data + i, "<h3", 3))
			abort();
	buf_free(&b);
	return 0;
}
