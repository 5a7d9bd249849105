/* page.c: page skeleton, site bar, links, error pages, stylesheet. */
#define _GNU_SOURCE
#include "render/render_int.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "render/html.h"
#include "render/charts_css.h"
#include "util/hash.h"
#include "util/utf8.h"
#include "util/civil.h"

static const char stylesheet[] =
	/* ---- colours: one set per theme, as custom properties ----
         * Every pair of text and background colour here keeps a contrast of
         * at least 4.5:1 (WCAG AA) in both themes; tests/t6100-browser.sh
         * checks it with axe-core. */
	":root{color-scheme:light dark;--fg:#1a1a1a;--bg:#fff;--muted:#555;--faint:#666;"
	"--link:#0645ad;--visited:#0b0080;--bar:#f2f2f2;--line:#ddd;--cell:#fafafa;"
	"--mark:#fff3a8;--hl:#fff3c4;--hlline:#e6c200;--err:#a00;--focus:#1a5fb4;"
	"--add:#0a6a0a;--addbg:#eaffea;--del:#a00;--delbg:#ffecec;--hunk:#6b3fa0;"
	"--quote:#3d5a73;--quoteline:#9ab;--code:#f6f8fa}\n"
	"@media (prefers-color-scheme:dark){:root{--fg:#e4e4e4;--bg:#161616;--muted:#b0b0b0;"
	"--faint:#a6a6a6;--link:#8ab4f8;--visited:#c9a5f7;--bar:#262626;--line:#444;"
	"--cell:#1e1e1e;--mark:#5c4d00;--hl:#3d3510;--hlline:#8a7400;--err:#ff8a80;"
	"--focus:#8ab4f8;--add:#7ee787;--addbg:#12301a;--del:#ffa198;--delbg:#3a1414;"
	"--hunk:#d2a8ff;--quote:#a9c3dc;--quoteline:#56697a;--code:#1e1e1e}}\n"
	/* ---- page chrome: bar, search box, skip link, focus, footer ---- */
	"body{margin:0;font-family:system-ui,-apple-system,\"Segoe UI\",sans-serif;"
	"color:var(--fg);background:var(--bg);line-height:1.4}\n"
	"a{color:var(--link)}a:visited{color:var(--visited)}\n"
	":focus-visible{outline:2px solid var(--focus);outline-offset:2px}\n"
	".skiplink{position:absolute;left:-9999px;top:0}\n"
	".skiplink:focus{left:.5em;top:.5em;z-index:1;background:var(--bg);padding:.3em .6em}\n"
	".vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);"
	"white-space:nowrap}\n"
	"header{background:var(--bar);border-bottom:1px solid var(--line)}\n"
	".bar{background:var(--bar);padding:.4em .8em;font-size:.95em;overflow-wrap:break-word}\n"
	".bar .site{font-weight:bold;margin-right:.8em;color:var(--fg);text-decoration:none}\n"
	".bar .sep{color:var(--faint);margin:0 .3em}\n"
	"header form.search{margin:0;padding:0 .8em .4em}\n"
	"main{padding:.5em .8em 2em;max-width:72em}\n"
	".nav{margin:.6em 0;font-family:monospace;font-size:1.05em}.nav a{white-space:nowrap}\n"
	"h1{font-size:1.3em;margin:.6em 0}h2{font-size:1.1em;margin:1em 0 .4em}\n"
	"form.search{margin:.6em 0;display:flex;flex-wrap:wrap;gap:.3em;align-items:center}\n"
	"form.search input{font-size:1em;flex:1 1 12em;max-width:30em;min-width:0}\n"
	"input,button{color:var(--fg);background:var(--bg);border:1px solid var(--faint)}\n"
	"footer{border-top:1px solid var(--line);padding:.6em .8em;font-size:.85em;color:var(--faint)}\n"
	/* ---- a message: its links line, the header-and-body block ----
         * Prose wraps (blists' pre-wrap); a diff or a quoted block keeps its
         * lines whole and scrolls sideways in its own box (a wrapped diff
         * misleads). */
	"pre.msg,pre.reply{white-space:pre-wrap;overflow-wrap:break-word;font-size:.95em;"
	"font-family:ui-monospace,\"DejaVu Sans Mono\",Menlo,Consolas,monospace;margin:.5em 0}\n"
	"pre.msg{overflow-x:auto}\n"
	".msglinks{font-size:.95em;margin:.4em 0;overflow-wrap:break-word}\n"
	"pre.msg .diff,pre.msg .q{display:block;white-space:pre;overflow-x:auto;"
	"overflow-wrap:normal}\n"
	"pre.msg .diff{background:var(--code)}\n"
	".d-add{color:var(--add);background:var(--addbg)}\n"
	".d-del{color:var(--del);background:var(--delbg)}\n"
	".d-hunk{color:var(--hunk)}.d-file{font-weight:bold}\n"
	".d-file a,.d-stat a{color:inherit}\n"
	"pre.msg .q{color:var(--quote);border-left:2px solid var(--quoteline);"
	"padding-left:.3em}\n"
	"pre.msg .sig{color:var(--faint)}\n"
	/* A fold's summary is the first line it folds; how many more it
         * holds comes from the attribute, so the block's text stays the
         * message's. */
	"pre.msg details{display:block}pre.msg summary{cursor:pointer}\n"
	"pre.msg .fold::after{content:\" [\" attr(data-more) \"]\";font-style:italic}\n"
	"pre.msg details[open]>summary .fold::after{content:none}\n"
	"pre.reply{border-top:1px solid var(--line);padding-top:.6em}\n"
	/* ---- listings: calendars, years, messages, threads ---- */
	"table.cal{border-collapse:collapse;margin:.4em 1.4em .8em 0;display:inline-table;"
	"vertical-align:top}\n"
	"table.cal th,table.cal td{border:1px solid var(--line);padding:.15em .35em;"
	"text-align:right;min-width:2.2em}\n"
	"table.cal td.empty{background:var(--cell)}\n"
	"table.cal td small{color:var(--muted)}\n"
	"table.years{border-collapse:collapse;margin:.5em 0}\n"
	"table.years th,table.years td{border:1px solid var(--line);padding:.15em .5em;"
	"text-align:right}\n"
	/* On a phone a table of 14 columns scrolls sideways in its own box
         * (as a long line in a message does) instead of widening the page,
         * which would make the phone zoom out and every line tiny. */
	"@media (max-width:40em){table.years{display:block;overflow-x:auto;max-width:100%}"
	"table.years th,table.years td{padding:.15em .3em}}\n"
	"ul.msgs{padding-left:1.2em;margin:.3em 0}\nul.msgs li{margin:.1em 0}\n"
	".from,.date{color:var(--muted)}\n"
	".thread{border-top:1px solid var(--line);margin-top:1em}\n"
	"ul.tree{padding-left:1em;margin:.3em 0}ul.tree ul{padding-left:1.2em}\n"
	"ul.tree li{margin:.1em 0}ul.tree li.ghost{color:var(--faint)}\n"
	".links{font-size:.95em;overflow-wrap:break-word}\n"
	".tmsg{border-top:1px solid var(--line);margin-top:1em}\n"
	".d1{margin-left:1.5em}.d2{margin-left:3em}.d3{margin-left:4.5em}.d4{margin-left:6em}\n"
	".d5{margin-left:7.5em}.d6{margin-left:9em}.d7{margin-left:10.5em}.d8{margin-left:12em}\n"
	/* ---- search results and help ---- */
	"ol.results li{margin:.5em 0}.snippet{color:var(--fg);font-size:.92em}\n"
	"mark{background:var(--mark);color:var(--fg);padding:0}.error{color:var(--err)}\n"
	/* The help's table of prefixes: on a phone each row is a block, the
         * prefix above its meaning, instead of three squeezed columns. */
	"table.help{border-collapse:collapse}table.help td,table.help th{vertical-align:top;"
	"padding:.15em .5em;text-align:left}\n"
	"@media (max-width:40em){table.help,table.help tbody,table.help tr,table.help td,"
	"table.help th{display:block;padding:0}table.help tr{margin:.4em 0}"
	"table.help td+td{padding-left:1em}table.help tr:first-child{display:none}}\n"
	"table.help code{overflow-wrap:anywhere}\n"
	/* ---- patch series ---- */
	"table.series{border-collapse:collapse;margin:.3em 0}\n"
	"table.series td{border-top:1px solid var(--line);padding:.3em .5em;vertical-align:top}\n"
	"table.series td.part{font-family:monospace;white-space:nowrap}\n"
	"table.series td.replies{white-space:nowrap;color:var(--muted)}\n"
	"ul.trailers{list-style:none;padding:0;margin:0;font-size:.92em}\n"
	".missing{color:var(--err)}\n"
	".series-newer{background:var(--hl);border:1px solid var(--hlline);padding:.3em .6em}\n"
	".series-note{color:var(--fg)}\n"
	".ddiff .add{color:var(--add);background:var(--addbg)}"
	".ddiff .del{color:var(--del);background:var(--delbg)}\n"
	".ddiff .skip{color:var(--faint)}.ddiff .hunk{color:var(--hunk)}"
	"h3.ddiff-file{font-family:monospace;font-size:1em}.was{color:var(--muted)}\n"
	"td.added,td.changed,td.moved,td.dropped{font-weight:bold}\n"
	/* A series' table scrolls in its own box on a phone, as the years do. */
	"@media (max-width:40em){table.series{display:block;overflow-x:auto;max-width:100%}}\n"
	/* The message a lore link names (#u, #m...): its line marked. */
	".tmsg:target>p.links,li:target,u#u{background:var(--hl)}\n"
	/* ---- print: the text, without the chrome; nothing folded away ---- */
	"@media print{:root{--fg:#000;--bg:#fff;--link:#000;--visited:#000}"
	"header,footer,.skiplink,.nav,.msglinks,form.search,pre.reply{display:none}"
	"main{max-width:none;padding:0}"
	"pre.msg,pre.msg .diff,pre.msg .q{white-space:pre-wrap;overflow:visible}"
	"pre.msg .fold::after{content:none}a{text-decoration:none}}\n"
	/* ---- the pages of activity (charts, topics, senders) follow ---- */
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

enum la_status page_close(const struct render_ctx *c, struct response *r, int status, int max_age)
{
	page_end(c, &r->body);
	page_finish(r, status);
	r->max_age = max_age;
	enum la_status e = r->body.err;
	if (e)
		render_error(c, r, 500, "The page could not be built.");
	return e;
}

void page_finish(struct response *r, int status)
{
	r->status = status;
	r->content_type = "text/html; charset=utf-8";
}

void link_list(const struct render_ctx *c, struct buf *b, const char *list)
{
	buf_adds(b, c->base);
	if (list) {
		url_encode(b, list, strlen(list), NULL);
		buf_addc(b, '/');
	}
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
	path[CIVIL_DAY_LEN - 1] = '/';
	buf_add(b, path, CIVIL_DAY_LEN);
}

void link_msg(const struct render_ctx *c, struct buf *b, const char *list, int day, int num)
{
	link_day(c, b, list, day);
	/* By hand, not buf_printf: a listing writes one per line. */
	char digits[12];
	size_t k = sizeof digits;
	unsigned v = num < 0 ? 0u - (unsigned)num : (unsigned)num;
	do {
		digits[--k] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (num < 0)
		digits[--k] = '-';
	buf_add(b, digits + k, sizeof digits - k);
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

/* The page's Atom feed: h->feed, else its list's (or the archive's)
 * newest messages. */
static void head_feed(const struct render_ctx *c, struct buf *b, const struct page_head *h)
{
	buf_adds(b, "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"");
	if (h->feed) {
		buf_adds(b, "Atom feed of this page\" href=\"");
		buf_adds(b, h->feed);
	} else if (h->list) {
		html_texts(b, h->list);
		buf_adds(b, ": the latest messages\" href=\"");
		link_list(c, b, h->list);
		buf_adds(b, "new.atom");
	} else {
		buf_adds(b, "All lists: the latest messages\" href=\"");
		buf_adds(b, c->base);
		buf_adds(b, "all/new.atom");
	}
	buf_adds(b, "\">\n<link rel=\"search\" type=\"application/opensearchdescription+xml\" "
	            "title=\"");
	if (h->list) {
		html_texts(b, h->list);
		buf_adds(b, "\" href=\"");
		link_list(c, b, h->list);
	} else {
		buf_adds(b, "All lists\" href=\"");
		buf_adds(b, c->base);
	}
	buf_adds(b, "_/opensearch.xml\">\n");
}

void page_open(const struct render_ctx *c, struct buf *b, const struct page_head *h)
{
	buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	            "<meta name=\"color-scheme\" content=\"light dark\">\n"
	            "<title>");
	html_texts(b, h->title);
	buf_adds(b, "</title>\n<link rel=\"stylesheet\" href=\"");
	buf_adds(b, c->base);
	buf_adds(b, render_stylesheet_path());
	buf_adds(b, "\">\n");
	if (h->canonical) {
		buf_adds(b, "<link rel=\"canonical\" href=\"");
		buf_adds(b, h->canonical);
		buf_adds(b, "\">\n");
	}
	head_feed(c, b, h);
	buf_adds(b,
	         "</head>\n<body>\n<a class=\"skiplink\" href=\"#main\">Skip to the content</a>\n"
	         "<header>\n<nav aria-label=\"lists\">");
	site_bar(c, b);
	buf_adds(b, "</nav>\n<div role=\"search\">");
	render_search_box(c, b, h->list, h->q);
	buf_adds(b, "</div>\n</header>\n<main id=\"main\">\n");
}

void page_open_site(const struct render_ctx *c, struct buf *b, const char *title)
{
	struct page_head h = {.title = title};
	page_open(c, b, &h);
}

void page_end(const struct render_ctx *c, struct buf *b)
{
	buf_adds(b, "</main>\n<footer>Powered by listarc " LISTARC_VERSION " &middot; <a href=\"");
	buf_adds(b, c->base);
	buf_adds(b, "_/prefs\">your time zone</a></footer>\n</body>\n</html>\n");
}

/* strcasestr(s, tag) of a tag tl long (not 0), in the C locale listarc
 * runs in (ASCII letters only), without its set-up for each subject. */
static const char *tag_in(const char *s, const char *tag, size_t tl)
{
	unsigned char f = (unsigned char)tag[0], fl = f, fu = f;
	if (f >= 'A' && f <= 'Z')
		fl = (unsigned char)(f - 'A' + 'a');
	else if (f >= 'a' && f <= 'z')
		fu = (unsigned char)(f - 'a' + 'A');
	if (fl == fu) {
		/* Not a letter (the usual '['): strchr's fast scan. */
		for (; (s = strchr(s, (char)f)) != NULL; s++)
			if (strncasecmp(s, tag, tl) == 0)
				return s;
		return NULL;
	}
	for (; *s; s++) {
		unsigned char h = (unsigned char)*s;
		if ((h == fl || h == fu) && strncasecmp(s, tag, tl) == 0)
			return s;
	}
	return NULL;
}

void subject_plain(const struct render_ctx *c, struct buf *b, const char *list, const char *subject)
{
	char tmp[LISTNAME_MAX + 3];
	const char *tag = conf_subject_tag(c->conf, list, tmp, sizeof tmp);
	size_t n = strlen(subject), tl = strlen(tag);
	size_t start = b->len;
	const char *hit = tl ? tag_in(subject, tag, tl) : NULL;
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

void subject_text_tagged(const struct render_ctx *c, struct buf *b, const char *list,
                         const char *tag, size_t tl, const char *subject)
{
	/* Most subjects have no list tag: escaped as they are, without the
	 * copy (a listing writes one a line). */
	if (*subject && (!tl || !tag_in(subject, tag, tl))) {
		html_text(b, subject, strlen(subject));
		return;
	}
	struct buf t;
	buf_init(&t, strlen(subject) + 64);
	subject_plain(c, &t, list, subject);
	html_text(b, t.data ? t.data : "", t.len);
	buf_free(&t);
}

void subject_text(const struct render_ctx *c, struct buf *b, const char *list, const char *subject)
{
	char tmp[LISTNAME_MAX + 3];
	const char *tag = conf_subject_tag(c->conf, list, tmp, sizeof tmp);
	subject_text_tagged(c, b, list, tag, strlen(tag), subject);
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
	page_open_site(c, &r->body, title);
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
