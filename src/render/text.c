/* text.c: lore's text pages, /LIST/_/text/KEY/: the query language's
 * help (as on lore, where b4 and lei users look it up) and the config
 * snippet for a mirror that `lei add-external --mirror` reads from
 * /LIST/_/text/config/raw. */
#include <stdio.h>
#include <string.h>

#include "msg/htmltext.h"
#include "render/html.h"
#include "render/render_int.h"

struct config_text {
	const struct render_ctx *c;
	struct buf *b;
};

/* One list's section, as public-inbox writes a mirror's: the inbox's name,
 * where a mirror keeps it, its URL, and the list's posting address. */
static void config_section(const struct render_ctx *c, struct buf *b, const char *name)
{
	buf_printf(b, "[publicinbox \"%s\"]\n", name);
	buf_printf(b, "\tinboxdir = /path/to/top-level-inbox\n"
	              "\t; note: public-inbox before v1.2.0 used `mainrepo' instead of\n"
	              "\t; `inboxdir', both remain supported after 1.2\n"
	              "\tmainrepo = /path/to/top-level-inbox\n");
	buf_printf(b, "\turl = https://example.com/%s/\n\turl = http://example.onion/%s/\n", name,
	           name);
	const struct conf_list *cl = c->conf ? conf_list(c->conf, name) : NULL;
	if (cl && cl->address)
		buf_printf(b, "\taddress = %s\n", cl->address);
}

static bool config_list(const struct store_list_info *l, void *arg)
{
	struct config_text *x = arg;
	config_section(x->c, x->b, l->name);
	return !x->b->err;
}

enum la_status render_text(const struct render_ctx *c, const char *list, const char *key, bool raw,
                           struct response *r)
{
	enum la_status e = LA_OK;
	if (list) {
		int64_t id;
		if ((e = store_list_id(c->st, list, &id)))
			return msgid_lookup_failed(c, r, e);
	}
	struct buf *b = &r->body;
	if (strcmp(key, "help") == 0) {
		if ((e = render_search_help(c, r)) || !raw)
			return e;
		/* The help page's words as plain text. */
		struct buf t;
		buf_init(&t, b->len + 1024);
		htmltext(&t, b->data ? b->data : "", b->len);
		buf_reset(b);
		buf_add(b, t.data ? t.data : "", t.len);
		buf_free(&t);
		r->content_type = "text/plain; charset=utf-8";
		return b->err;
	}
	/* "config": the whole snippet is ours but the list names, which are
	 * [a-z0-9._-], and the addresses listarc.conf checked. */
	buf_reset(b);
	buf_printf(b,
	           "; Example public-inbox config snippet for a mirror of\n; %s%s%s\n"
	           "; See public-inbox-config(5) manpage for more details:\n"
	           "; https://public-inbox.org/public-inbox-config.html\n",
	           c->base, list ? list : "", list ? "/" : "");
	if (list) {
		config_section(c, b, list);
	} else {
		struct config_text x = {c, b};
		e = store_lists(c->st, config_list, &x);
	}
	if (e || b->err) {
		e = e ? e : b->err;
		render_error(c, r, 500, "The index could not be read.");
		return e;
	}
	r->status = 200;
	r->max_age = 300;
	if (raw) {
		r->content_type = "text/plain; charset=utf-8";
		snprintf(r->filename, sizeof r->filename, "inbox.config");
		r->attachment = false;
		return LA_OK;
	}
	struct buf t;
	buf_init(&t, b->len + 64);
	buf_add(&t, b->data, b->len);
	buf_reset(b);
	page_open_site(c, b, "Config snippet for a mirror");
	buf_adds(b, "<h1>Config snippet for a mirror</h1>\n<pre>");
	html_text(b, t.data ? t.data : "", t.len);
	buf_adds(b, "</pre>\n<p><a href=\"");
	link_list(c, b, list);
	buf_adds(b, "_/text/config/raw\">raw</a></p>\n");
	buf_free(&t);
	return page_close(c, r, 200, 300);
}
