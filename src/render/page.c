/* page.c: page skeleton, site bar, links, error pages, stylesheet. */
#define _GNU_SOURCE
#include "render/render_int.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "render/html.h"
#include "render/charts_css.h"
#include "util/hash.h"
#include "util/utf8.h"
#include "util/civil.h"

static const char stylesheet[] =
	"body{margin:0;font-family:system-ui,-apple-system,\"Segoe UI\",sans-serif;"
	"color:#1a1a1a;background:#fff;line-height:1.4}\n"
	"a{color:#0645ad}a:visited{color:#0b0080}\n"
	".bar{background:#f2f2f2;border-bottom:1px solid #ddd;padding:.4em .8em;font-size:.95em}\n"
	".bar .site{font-weight:bold;margin-right:.8em;color:#1a1a1a;text-decoration:none}\n"
	".bar .sep{color:#888;margin:0 .3em}\n"
	"main{padding:.5em .8em 2em;max-width:72em}\n"
	".nav{margin:.6em 0;font-family:monospace;font-size:1.05em}.nav a{white-space:nowrap}\n"
	"pre.msg,pre.reply{white-space:pre-wrap;word-wrap:break-word;font-size:.95em;"
	"font-family:ui-monospace,\"DejaVu Sans Mono\",Menlo,Consolas,monospace;margin:.5em 0}\n"
	"h1{font-size:1.3em;margin:.6em 0}h2{font-size:1.1em;margin:1em 0 .4em}\n"
	"table.cal{border-collapse:collapse;margin:.4em 1.4em .8em 0;display:inline-table;"
	"vertical-align:top}\n"
	"table.cal th,table.cal td{border:1px solid #ddd;padding:.15em .35em;text-align:right;"
	"min-width:2.2em}\n"
	"table.cal td.empty{background:#fafafa}\n"
	"table.cal td small{color:#555}\n"
	"table.years{border-collapse:collapse;margin:.5em 0}\n"
	"table.years th,table.years td{border:1px solid #ddd;padding:.15em .5em;text-align:right}\n"
	/* On a phone a table of 14 columns scrolls sideways in its own box
         * (as a long line in a message does) instead of widening the page,
         * which would make the phone zoom out and every line tiny. */
	"@media (max-width:40em){table.years{display:block;overflow-x:auto;max-width:100%}"
	"table.years th,table.years td{padding:.15em .3em}}\n"
	"ul.msgs{padding-left:1.2em;margin:.3em 0}\nul.msgs li{margin:.1em 0}\n"
	".from,.date{color:#555}\n"
	".thread{border-top:1px solid #ddd;margin-top:1em}\n"
	"ul.tree{padding-left:1em;margin:.3em 0}ul.tree ul{padding-left:1.2em}\n"
	"ul.tree li{margin:.1em 0}ul.tree li.ghost{color:#777}\n"
	".links{font-size:.95em;overflow-wrap:break-word}\n"
	".tmsg{border-top:1px solid #ddd;margin-top:1em}\n"
	".d1{margin-left:1.5em}.d2{margin-left:3em}.d3{margin-left:4.5em}.d4{margin-left:6em}\n"
	".d5{margin-left:7.5em}.d6{margin-left:9em}.d7{margin-left:10.5em}.d8{margin-left:12em}\n"
	"form.search{margin:.6em 0}form.search input{font-size:1em;max-width:70%}\n"
	"ol.results li{margin:.5em 0}.snippet{color:#333;font-size:.92em}\n"
	"mark{background:#fff3a8;padding:0}.error{color:#a00}\n"
	"table.series{border-collapse:collapse;margin:.3em 0}\n"
	"table.series td{border-top:1px solid #ddd;padding:.3em .5em;vertical-align:top}\n"
	"table.series td.part{font-family:monospace;white-space:nowrap}\n"
	"table.series td.replies{white-space:nowrap;color:#555}\n"
	"ul.trailers{list-style:none;padding:0;margin:0;font-size:.92em}\n"
	".missing{color:#a00}\n"
	".series-newer{background:#fff3c4;border:1px solid #e6c200;padding:.3em .6em}\n"
	".series-note{color:#333}\n"
	".ddiff .add{color:#0a6a0a;background:#eaffea}.ddiff .del{color:#a00;background:#ffecec}\n"
	".ddiff .skip{color:#777}td.added,td.changed,td.moved,td.dropped{font-weight:bold}\n"
	/* A series' table scrolls in its own box on a phone, as the years do. */
	"@media (max-width:40em){table.series{display:block;overflow-x:auto;max-width:100%}}\n"
	/* The message a lore link names (#u, #m...): its line marked. */
	".tmsg:target>p.links,li:target,u#u{background:#fff3c4}\n"
	"pre.reply{border-top:1px solid #ddd;padding-top:.6em}\n"
	"footer{border-top:1px solid #ddd;padding:.6em .8em;font-size:.85em;color:#666}\n"
	/* The charts' part, kept in its own file. */
	CHARTS_CSS;

static char stylesheet_path[64];

const char *render_stylesheet_path(void)
{
	if (!stylesheet_path[0]) {
		/* Computing it twice in two threads writes the same bytes. */
		char tmp[64];
		snprintf(tmp, sizeof tmp, "_/listarc-%08llx.css",
		         (unsigned long long)(hash64(stylesheet, sizeof stylesheet - 1, 0) &
		                              0xffffffff));
		memcpy(stylesheet_path, tmp, sizeof tmp);
	}
	return stylesheet_path;
}

void render_stylesheet(struct response *r)
{
	buf_reset(&r->body);
	buf_add(&r->body, stylesheet, sizeof stylesheet - 1);
	r->status = 200;
	r->content_type = "text/css; charset=utf-8";
	r->max_age = 365 * 86400;
}

void response_init(struct response *r)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->body, PAGE_MAX);
	r->status = 200;
	r->content_type = "text/html; charset=utf-8";
}

void response_free(struct response *r)
{
	if (!r)
		return;
	buf_free(&r->body);
	struct response_stream s = response_take_stream(r);
	if (s.free)
		s.free(s.state);
}

struct response_stream response_take_stream(struct response *r)
{
	struct response_stream s = r->stream;
	memset(&r->stream, 0, sizeof r->stream);
	return s;
}

void page_finish(struct response *r, int status)
{
	r->status = status;
	r->content_type = "text/html; charset=utf-8";
}

void link_list(const struct render_ctx *c, struct buf *b, const char *list)
{
	buf_adds(b, c->base);
	url_encode(b, list, strlen(list), NULL);
	buf_addc(b, '/');
}

void link_year(const struct render_ctx *c, struct buf *b, const char *list, int y)
{
	link_list(c, b, list);
	buf_printf(b, "%04d/", y);
}

void link_month(const struct render_ctx *c, struct buf *b, const char *list, int y, int m)
{
	link_list(c, b, list);
	buf_printf(b, "%04d/%02d/", y, m);
}

void link_day(const struct render_ctx *c, struct buf *b, const char *list, int day)
{
	char path[CIVIL_DAY_LEN];
	civil_daykey_format(day, '/', path);
	link_list(c, b, list);
	buf_printf(b, "%s/", path);
}

void link_msg(const struct render_ctx *c, struct buf *b, const char *list, int day, int num)
{
	link_day(c, b, list, day);
	buf_printf(b, "%d", num);
}

void nav_item(struct buf *b, const char *label, const char *url)
{
	buf_adds(b, "[<a href=\"");
	buf_adds(b, url);
	buf_adds(b, "\">");
	buf_adds(b, label);
	buf_adds(b, "</a>] ");
}

static bool bar_list(const char *name, void *arg)
{
	void **a = arg;
	const struct render_ctx *c = a[0];
	struct buf *b = a[1];
	buf_adds(b, " <a href=\"");
	link_list(c, b, name);
	buf_adds(b, "\">");
	html_texts(b, name);
	buf_adds(b, "</a>");
	return true;
}

static void site_bar(const struct render_ctx *c, struct buf *b)
{
	const char *title = c->conf && c->conf->title ? c->conf->title : "Mailing list archives";
	buf_adds(b, "<div class=\"bar\"><a class=\"site\" href=\"");
	buf_adds(b, c->base);
	buf_adds(b, "\">");
	html_texts(b, title);
	buf_adds(b, "</a> <a href=\"");
	buf_adds(b, c->base);
	buf_adds(b, "\">lists</a>");
	if (c->conf && c->conf->bar) {
		buf_adds(b, " <span class=\"sep\">/</span>");
		for (size_t i = 0; c->conf->bar[i]; i++) {
			const char *n = c->conf->bar[i];
			if (strcmp(n, "/") == 0) {
				buf_adds(b, " <span class=\"sep\">/</span>");
				continue;
			}
			buf_adds(b, " <a href=\"");
			link_list(c, b, n);
			buf_adds(b, "\">");
			html_texts(b, n);
			buf_adds(b, "</a>");
		}
	} else if (c->st) {
		buf_adds(b, " <span class=\"sep\">/</span>");
		void *a[2] = {(void *)c, b};
		/* The bar is a convenience: a page without its lists is still whole. */
		la_ignore(store_list_names(c->st, bar_list, a));
	}
	buf_adds(b, "</div>\n");
}

void page_begin(const struct render_ctx *c, struct buf *b, const char *title, const char *canonical)
{
	buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	            "<title>");
	html_texts(b, title);
	buf_adds(b, "</title>\n<link rel=\"stylesheet\" href=\"");
	buf_adds(b, c->base);
	buf_adds(b, render_stylesheet_path());
	buf_adds(b, "\">\n");
	if (canonical) {
		buf_adds(b, "<link rel=\"canonical\" href=\"");
		buf_adds(b, canonical);
		buf_adds(b, "\">\n");
	}
	buf_adds(b, "</head>\n<body>\n");
	site_bar(c, b);
	buf_adds(b, "<main>\n");
}

void page_end(const struct render_ctx *c, struct buf *b)
{
	(void)c;
	buf_adds(b, "</main>\n<footer>Powered by listarc " LISTARC_VERSION "</footer>\n"
	            "</body>\n</html>\n");
}

void subject_plain(const struct render_ctx *c, struct buf *b, const char *list, const char *subject)
{
	char tmp[LISTNAME_MAX + 3];
	const char *tag = conf_subject_tag(c->conf, list, tmp, sizeof tmp);
	size_t n = strlen(subject), tl = strlen(tag);
	size_t start = b->len;
	const char *hit = tl ? strcasestr(subject, tag) : NULL;
	if (hit) {
		size_t pre = (size_t)(hit - subject);
		size_t after = pre + tl;
		if (after < n && subject[after] == ' ')
			after++;
		buf_add(b, subject, pre);
		buf_add(b, subject + after, n - after);
	} else {
		buf_add(b, subject, n);
	}
	if (b->len == start)
		buf_adds(b, "(no subject)");
}

void subject_text(const struct render_ctx *c, struct buf *b, const char *list, const char *subject)
{
	struct buf t;
	buf_init(&t, strlen(subject) + 64);
	subject_plain(c, &t, list, subject);
	html_text(b, t.data ? t.data : "", t.len);
	buf_free(&t);
}

void sender_text(struct buf *b, const char *name, const char *addr)
{
	if (name && *name)
		html_obfuscated(b, name, strlen(name));
	else if (addr && *addr)
		html_obfuscated(b, addr, strlen(addr));
	else
		buf_adds(b, "(unknown)");
}

void render_error(const struct render_ctx *c, struct response *r, int status, const char *what)
{
	buf_reset(&r->body);
	struct response_stream s = response_take_stream(r);
	if (s.free)
		s.free(s.state);
	r->attachment = false;
	r->filename[0] = '\0';
	r->etag[0] = '\0';
	r->truncated = 0;
	r->max_age = status == 404 || status == 410 ? 60 : 0;
	const char *title = status == 404   ? "Not Found"
	                    : status == 410 ? "Gone"
	                    : status == 400 ? "Bad Request"
	                    : status == 405 ? "Method Not Allowed"
	                    : status == 414 ? "URI Too Long"
	                    : status == 429 ? "Too Many Requests"
	                    : status == 431 ? "Request Header Fields Too Large"
	                                    : "Internal Server Error";
	page_begin(c, &r->body, title, NULL);
	buf_printf(&r->body, "<h1>%s</h1>\n<p>", title);
	html_texts(&r->body, what);
	buf_adds(&r->body, "</p>\n<p><a href=\"");
	buf_adds(&r->body, c->base);
	buf_adds(&r->body, "\">All lists</a></p>\n");
	page_end(c, &r->body);
	page_finish(r, status);
	if (r->body.err) {
		/* A page that cannot be built (out of memory): plain text. */
		buf_reset(&r->body);
		buf_printf(&r->body, "%d %s\n", status, title);
		r->content_type = "text/plain; charset=utf-8";
	}
}

void mid_anchor(struct buf *b, const char *msgid)
{
	/* public-inbox's id_compress(mid, 1): the SHA-1 of the ID's UTF-8
	 * bytes in hex, whatever its characters. */
	gchar *hex = g_compute_checksum_for_string(G_CHECKSUM_SHA1, msgid, -1);
	buf_addc(b, 'm');
	buf_adds(b, hex ? hex : "");
	g_free(hex);
}

void lore_filename(char *out, size_t n, const char *s, const char *fallback, const char *ext)
{
	/* public-inbox's to_filename: the first line, each run of other
	 * characters than [A-Za-z0-9_.] one '-', ".." one '.', no '.' or
	 * '-' at either end. */
	size_t k = 0, room = n > strlen(ext) + 1 ? n - strlen(ext) - 1 : 0;
	bool dash = false;
	for (const char *p = s ? s : ""; *p && *p != '\n' && *p != '\r'; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		          (c >= '0' && c <= '9') || c == '_' || c == '.';
		if (!ok) {
			dash = true;
			continue;
		}
		if (dash && k > 0 && k < room)
			out[k++] = '-';
		dash = false;
		if (c == '.' && k > 0 && out[k - 1] == '.')
			continue;
		if (k < room)
			out[k++] = c;
	}
	while (k > 0 && (out[k - 1] == '.' || out[k - 1] == '-'))
		k--;
	size_t lead = 0;
	while (lead < k && (out[lead] == '.' || out[lead] == '-'))
		lead++;
	memmove(out, out + lead, k - lead);
	k -= lead;
	if (k == 0)
		snprintf(out, n, "%s%s", fallback, ext);
	else
		snprintf(out + k, n - k, "%s", ext);
}
