/* msgid.c: pages by Message-ID (lore's URL forms): the message, its
 * copies in several lists, its raw bytes, and the 404 that says where
 * else it is. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/html.h"
#include "render/render_int.h"
#include "thread/thread.h"
#include "util/civil.h"

enum la_status msgid_lookup(const struct render_ctx *c, const char *list, const char *msgid,
                            struct render_entries *l, int64_t *list_id)
{
	memset(l, 0, sizeof *l);
	*list_id = 0;
	if (list) {
		enum la_status e = store_list_id(c->st, list, list_id);
		if (e)
			return e;
	}
	enum la_status e = store_msgs_by_msgid(c->st, msgid, *list_id, render_entries_add, l);
	if (!e && l->oom)
		e = LA_ENOMEM;
	return e;
}

enum la_status msgid_lookup_failed(const struct render_ctx *c, struct response *r, enum la_status e)
{
	if (e == LA_ENOTFOUND) {
		render_error(c, r, 404, "There is no such list in this archive.");
		return LA_OK;
	}
	render_error(c, r, 500, "The index could not be read.");
	return e;
}

bool msgid_find(const struct render_ctx *c, const char *list, const char *msgid,
                struct render_entries *l, int64_t *list_id, struct response *r, enum la_status *e)
{
	*e = msgid_lookup(c, list, msgid, l, list_id);
	if (*e)
		*e = msgid_lookup_failed(c, r, *e);
	else if (l->n == 0)
		*e = msgid_not_found(c, list, *list_id, msgid, r);
	else
		return true;
	return false;
}

struct replies {
	int64_t mid;
	struct render_entries l;
};

static bool take_reply(const struct store_entry *e, void *arg)
{
	struct replies *x = arg;
	if (e->parent != x->mid)
		return true;
	return render_entries_add(e, &x->l);
}

void entry_line(const struct render_ctx *c, struct buf *b, const struct store_entry *e,
                bool with_list)
{
	char day[CIVIL_DAY_LEN];
	civil_daykey_format(e->day, '/', day);
	buf_printf(b, "<li><span class=\"date\">%s</span> <a href=\"", day);
	link_msg(c, b, e->list, e->day, e->num);
	buf_adds(b, "\">");
	if (with_list) {
		html_texts(b, e->list);
		buf_adds(b, ": ");
	}
	subject_text(c, b, e->list, e->subject);
	buf_adds(b, "</a> <span class=\"from\">(");
	sender_text(b, e->from_name, e->from_addr);
	buf_adds(b, ")</span></li>\n");
}

/* lore's "partial matches": Message-IDs the one asked for is a prefix
 * of (a link cut short), or that it starts with (junk after the ID), or
 * that share it up to its last word (a typo at its end). */
#define NEAR_MAX 25

struct near {
	const struct render_ctx *c;
	struct buf *b;
	size_t n;
};

static void near_line(const char *mid, void *arg)
{
	struct near *x = arg;
	if (x->n++ == 0)
		buf_adds(x->b, "<ul class=\"msgs near\">\n");
	buf_adds(x->b, "<li><a href=\"");
	link_msgid(x->c, x->b, NULL, mid);
	buf_adds(x->b, "\">&lt;");
	html_texts(x->b, mid);
	buf_adds(x->b, "&gt;</a></li>\n");
}

static enum la_status near_matches(const struct render_ctx *c, struct buf *b, const char *msgid,
                                   size_t *found)
{
	struct buf list;
	buf_init(&list, 256 * 1024);
	struct near x = {c, &list, 0};
	size_t n = strlen(msgid);
	enum la_status e = store_mids_near(c->st, n >= NEAR_ID_MIN ? msgid : "", msgid, NEAR_MAX,
	                                   near_line, &x);
	if (!e && x.n == 0) {
		/* Its last word dropped, the delimiter before it kept. */
		size_t k = n;
		while (k > 0 && (g_ascii_isalnum(msgid[k - 1]) || msgid[k - 1] == '_'))
			k--;
		if (k >= 10 && k < n) {
			char *chop = g_strndup(msgid, k);
			e = store_mids_near(c->st, chop, msgid, NEAR_MAX, near_line, &x);
			g_free(chop);
		}
	}
	if (!e && x.n) {
		buf_printf(b, "<p>%zu%s partial match%s found:</p>\n", x.n,
		           x.n == NEAR_MAX ? "+" : "", x.n == 1 ? "" : "es");
		buf_add(b, list.data, list.len);
		buf_adds(b, "</ul>\n");
	}
	*found = x.n;
	if (!e && list.err)
		e = list.err;
	buf_free(&list);
	return e;
}

enum la_status msgid_not_found(const struct render_ctx *c, const char *list, int64_t list_id,
                               const char *msgid, struct response *r)
{
	if (render_hidden_msgid(c, list_id, msgid, r))
		return LA_OK;
	struct buf *b = &r->body;
	render_error(c, r, 404, "");
	buf_reset(b);
	page_open_site(c, b, "Not Found");
	buf_adds(b, "<h1>Not Found</h1>\n<p>No message with the Message-ID <code>&lt;");
	html_texts(b, msgid);
	buf_adds(b, "&gt;</code> is in ");
	if (list) {
		buf_adds(b, "the list ");
		html_texts(b, list);
	} else {
		buf_adds(b, "this archive");
	}
	buf_adds(b, ".</p>\n");
	enum la_status e = LA_OK;
	if (list) {
		struct render_entries other = {0};
		e = store_msgs_by_msgid(c->st, msgid, 0, render_entries_add, &other);
		if (!e && other.n) {
			buf_adds(b, "<p>It is in other lists:</p>\n<ul class=\"msgs\">\n");
			for (size_t i = 0; i < other.n; i++)
				entry_line(c, b, &other.v[i], true);
			buf_adds(b, "</ul>\n");
		}
		render_entries_free(&other);
	}
	int64_t mid, thread;
	if (!e && store_mid_find(c->st, msgid, &mid, &thread) == LA_OK) {
		struct replies x = {mid, {0}};
		e = store_thread_msgs(c->st, thread, list_id, THREAD_NODES_MAX, take_reply, &x);
		if (!e && x.l.n) {
			buf_printf(
				b,
				"<p>%zu message%s of the archive repl%s to it:</p>\n<ul class=\"msgs\">\n",
				x.l.n, x.l.n == 1 ? "" : "s", x.l.n == 1 ? "ies" : "y");
			for (size_t i = 0; i < x.l.n; i++)
				entry_line(c, b, &x.l.v[i], !list);
			buf_adds(b, "</ul>\n");
		}
		render_entries_free(&x.l);
	}
	size_t near = 0;
	if (!e)
		e = near_matches(c, b, msgid, &near);
	/* A phrase search finds the messages that quote or cite the ID. */
	buf_adds(b, "<p><a href=\"");
	link_list(c, b, list);
	buf_adds(b, "?q=%22");
	url_encode(b, msgid, strlen(msgid), NULL);
	buf_adds(b, "%22\">Search ");
	buf_adds(b, list ? "the list" : "the archive");
	buf_adds(b, " for this Message-ID</a></p>\n<p><a href=\"");
	buf_adds(b, c->base);
	buf_adds(b, "\">All lists</a></p>\n");
	page_end(c, b);
	/* As lore: 300 Multiple Choices when there are candidates. */
	page_finish(r, near ? 300 : 404);
	r->max_age = 60;
	if (e || b->err) {
		enum la_status err = e ? e : b->err;
		render_error(c, r, 500, "The page could not be built.");
		return err;
	}
	return LA_OK;
}

/* The page of a Message-ID that several messages have: a line each. */
static enum la_status msgid_choices(const struct render_ctx *c, const char *list, const char *msgid,
                                    const struct render_entries *l, struct response *r)
{
	struct buf *b = &r->body;
	struct buf title;
	buf_init(&title, URL_MAX + 32);
	buf_adds(&title, "<");
	buf_adds(&title, msgid);
	buf_adds(&title, ">");
	buf_reset(b);
	page_open(c, b, &(struct page_head){.title = buf_cstr(&title), .list = list});
	buf_free(&title);
	buf_adds(b, "<h1>&lt;");
	html_texts(b, msgid);
	buf_printf(b,
	           "&gt;</h1>\n<p>%zu messages %shave this Message-ID:</p>\n<ul class=\"msgs\">\n",
	           l->n, list ? "of the list " : "");
	for (size_t i = 0; i < l->n; i++)
		entry_line(c, b, &l->v[i], !list);
	buf_adds(b, "</ul>\n<p class=\"links\"><a href=\"");
	link_msgid(c, b, list, msgid);
	buf_adds(b, "T/\">thread</a> &middot; <a href=\"");
	link_msgid(c, b, list, msgid);
	buf_adds(b, "t.mbox.gz\">thread mbox.gz</a></p>\n");
	return page_close(c, r, 200, 300);
}

/* The first message of l, the lookup's, read whole into m (clear it
 * whatever this returns); a 500 page into r if the index cannot be read. */
static enum la_status first_message(const struct render_ctx *c, const struct render_entries *l,
                                    struct store_msg *m, struct response *r)
{
	enum la_status e = store_msg_by_id(c->st, l->v[0].id, m);
	if (e)
		render_error(c, r, 500, "The index could not be read.");
	return e;
}

enum la_status render_msgid(const struct render_ctx *c, const char *list, const char *msgid,
                            struct response *r)
{
	struct render_entries l;
	int64_t list_id;
	enum la_status e;
	struct store_msg m = {0};
	if (msgid_find(c, list, msgid, &l, &list_id, r, &e)) {
		if (l.n > 1)
			e = msgid_choices(c, list, msgid, &l, r);
		else if (!(e = first_message(c, &l, &m, r)))
			e = message_page(c, &m, true, r);
	}
	store_msg_clear(&m);
	render_entries_free(&l);
	return e;
}

enum la_status render_msgid_raw(const struct render_ctx *c, const char *list, const char *msgid,
                                struct response *r)
{
	struct render_entries l;
	int64_t list_id;
	enum la_status e;
	if (msgid_find(c, list, msgid, &l, &list_id, r, &e))
		e = render_raw(c, l.v[0].list, l.v[0].day, l.v[0].num, r);
	render_entries_free(&l);
	return e;
}

/* ---- the thread as an mbox ---- */

enum la_status render_msgid_part(const struct render_ctx *c, const char *list, const char *msgid,
                                 const char *idx, struct response *r)
{
	struct render_entries l;
	int64_t list_id;
	enum la_status e;
	struct store_msg m = {0};
	if (msgid_find(c, list, msgid, &l, &list_id, r, &e) && !(e = first_message(c, &l, &m, r)))
		e = message_part(c, &m, idx, r);
	store_msg_clear(&m);
	render_entries_free(&l);
	return e;
}

enum la_status render_msgid_resolve(const struct render_ctx *c, const char *msgid, const char *rest,
                                    struct response *r)
{
	struct render_entries l;
	int64_t list_id;
	enum la_status e;
	if (!msgid_find(c, NULL, msgid, &l, &list_id, r, &e)) {
		render_entries_free(&l);
		return e;
	}
	/* Its list if only one list has it, else every list's form. */
	const char *to = l.v[0].list;
	for (size_t i = 1; i < l.n; i++)
		if (strcmp(l.v[i].list, to) != 0)
			to = "all";
	buf_reset(&r->body);
	r->status = 302;
	r->max_age = 0;
	snprintf(r->location, sizeof r->location, "%s%s%s", c->base, to, rest);
	r->location_absolute = true;
	r->content_type = "text/plain; charset=utf-8";
	buf_printf(&r->body, "Redirecting to %s\n", r->location);
	render_entries_free(&l);
	return LA_OK;
}
