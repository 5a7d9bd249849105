/* threadpage.c: a whole thread by one of its Message-IDs: the mbox
 * download (t.mbox.gz) and the flat (t/) and nested (T/) pages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "render/html.h"
#include "render/render_int.h"
#include "thread/thread.h"
#include "util/civil.h"
#include "util/vec.h"

/* ---- t.mbox.gz ---- */

struct mbox_id {
	int64_t id, mid;
	size_t pos; /* in delivery order */
};

struct mbox_ids {
	struct mbox_id *v;
	size_t n, cap;
	bool oom;
};

static bool take_mbox_id(const struct store_entry *e, void *arg)
{
	struct mbox_ids *x = arg;
	if (!vec_reserve(&x->v, &x->cap, x->n + 1, sizeof *x->v)) {
		x->oom = true;
		return false;
	}
	x->v[x->n] = (struct mbox_id){e->id, e->mid, x->n};
	x->n++;
	return true;
}

static int by_mid_pos(const void *a, const void *b)
{
	const struct mbox_id *x = a, *y = b;
	if (x->mid != y->mid)
		return x->mid < y->mid ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int by_pos(const void *a, const void *b)
{
	const struct mbox_id *x = a, *y = b;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* The thread of the message msgid names (in list, or in any list if
 * list is NULL) into *thread, the list's id into *list_id: true.  False
 * if there is none: r then holds the page that says why (404 for no such
 * list or message, 500 for an index that cannot be read) and *e what the
 * renderer returns. */
static bool thread_of(const struct render_ctx *c, const char *list, const char *msgid,
                      int64_t *thread, int64_t *list_id, struct response *r, enum la_status *e)
{
	struct render_entries l;
	*thread = 0;
	*e = msgid_lookup(c, list, msgid, &l, list_id);
	size_t n = l.n;
	if (!*e && n > 0)
		*thread = l.v[0].thread;
	render_entries_free(&l);
	if (*e)
		*e = msgid_lookup_failed(c, r, *e);
	else if (n == 0)
		*e = msgid_not_found(c, list, *list_id, msgid, r);
	else
		return true;
	return false;
}

enum la_status render_thread_mbox(const struct render_ctx *c, const char *list, const char *msgid,
                                  struct response *r)
{
	int64_t thread, list_id;
	enum la_status e;
	if (!thread_of(c, list, msgid, &thread, &list_id, r, &e))
		return e;
	struct mbox_ids x = {0};
	e = store_thread_msgs(c->st, thread, list_id, THREAD_MBOX_MAX, take_mbox_id, &x);
	if (!e && x.oom)
		e = LA_ENOMEM;
	int64_t *ids = NULL;
	size_t n = 0;
	if (!e) {
		/* Each Message-ID once, its oldest copy, in delivery order. */
		qsort(x.v, x.n, sizeof *x.v, by_mid_pos);
		for (size_t i = 0; i < x.n; i++)
			if (i == 0 || x.v[i].mid != x.v[n - 1].mid)
				x.v[n++] = x.v[i];
		qsort(x.v, n, sizeof *x.v, by_pos);
		ids = malloc((n ? n : 1) * sizeof *ids);
		if (!ids)
			e = LA_ENOMEM;
		for (size_t i = 0; ids && i < n; i++)
			ids[i] = x.v[i].id;
	}
	free(x.v);
	if (e) {
		free(ids);
		render_error(c, r, 500, "The index could not be read.");
		return e;
	}
	e = render_mboxgz(c, ids, n, r);
	free(ids);
	return e;
}

/* ---- t/ (flat) and T/ (nested) ---- */

/* One message of a thread page: a line with its subject (linked to its
 * page), sender, date and links, then its header block and body. */
static void thread_page_msg(const struct render_ctx *c, struct buf *b, const struct outline_msg *t,
                            size_t anchor, int depth, size_t parent_anchor)
{
	buf_printf(b, "<div class=\"tmsg d%d\" id=\"m%zu\">\n<p class=\"links\"><b><a href=\"",
	           depth, anchor);
	link_msg(c, b, t->list, t->day, t->num);
	buf_adds(b, "\">");
	subject_text(c, b, t->list, t->subject);
	buf_adds(b, "</a></b> <span class=\"from\">");
	html_obfuscated(b, t->from, strlen(t->from));
	buf_adds(b, "</span> <span class=\"date\">");
	outline_date(b, t->ts);
	buf_adds(b, "</span> [<a href=\"");
	link_msgid(c, b, t->list, t->msgid);
	buf_adds(b, "\">permalink</a>] [<a href=\"");
	link_msg(c, b, t->list, t->day, t->num);
	buf_adds(b, "/raw\">raw</a>]");
	if (parent_anchor)
		buf_printf(b, " [<a href=\"#m%zu\">parent</a>]", parent_anchor);
	buf_adds(b, "</p>\n");
	struct store_msg m;
	enum la_status e = store_msg_by_id(c->st, t->id, &m);
	if (e == LA_OK)
		e = message_pre(c, b, &m, THREAD_MSG_SHOW);
	if (e)
		buf_adds(b, "<p>[This message could not be read.]</p>\n");
	store_msg_clear(&m);
	buf_adds(b, "</div>\n");
}

/* "[<a href=URL>label</a>] " for the thread's other forms, URL being
 * the Message-ID form followed by what. */
static void thread_nav(const struct render_ctx *c, struct buf *b, const char *list,
                       const char *msgid, const char *what, const char *label)
{
	buf_adds(b, "[<a href=\"");
	link_msgid(c, b, list, msgid);
	buf_adds(b, what);
	buf_adds(b, "\">");
	buf_adds(b, label);
	buf_adds(b, "</a>] ");
}

/* The thread page's head: the links to the thread's other forms, its
 * subject (that of its first message, first), how many messages it has,
 * and the links to its other pages. */
static void thread_page_head(const struct render_ctx *c, struct buf *b, const char *list,
                             const char *msgid, bool nested, const struct outline_msg *first,
                             const struct outline_thread *col, const struct thread_tree *t,
                             int page, size_t pages)
{
	buf_adds(b, "<div class=\"nav\">");
	thread_nav(c, b, list, msgid, "", "message");
	thread_nav(c, b, list, msgid, nested ? "t/" : "T/", nested ? "flat" : "nested");
	thread_nav(c, b, list, msgid, "t.mbox.gz", "mbox.gz");
	thread_nav(c, b, list, msgid, "t.atom", "Atom");
	if (list) {
		buf_adds(b, "[<a href=\"");
		link_list(c, b, list);
		buf_adds(b, "\">list</a>] ");
	}
	buf_adds(b, "</div>\n<h1>");
	subject_text(c, b, first->list, first->subject);
	buf_printf(b, "</h1>\n<p>%zu message%s in this thread%s", col->nmsgs,
	           col->nmsgs == 1 ? "" : "s", nested ? ", as a tree" : ", by date");
	if (t->cut)
		buf_printf(b, " (only its first %d Message-IDs are shown)", THREAD_NODES_MAX);
	if (pages > 1)
		buf_printf(b, "; page %d of %zu", page, pages);
	buf_adds(b, ".</p>\n");
	if (pages <= 1)
		return;
	buf_adds(b, "<div class=\"nav pages\">");
	if (page > 1) {
		buf_adds(b, "[<a href=\"");
		link_msgid(c, b, list, msgid);
		buf_adds(b, nested ? "T/" : "t/");
		if (page > 2)
			buf_printf(b, "?page=%d", page - 1);
		buf_adds(b, "\">&lt;prev page</a>] ");
	}
	if ((size_t)page < pages) {
		buf_adds(b, "[<a href=\"");
		link_msgid(c, b, list, msgid);
		buf_printf(b, "%s?page=%d\">next page&gt;</a>] ", nested ? "T/" : "t/", page + 1);
	}
	buf_adds(b, "</div>\n");
}

/* Rows from..to of the tree: this page's part of the outline, each entry
 * linked to its message below, then the messages, indented. */
static void thread_page_nested(const struct render_ctx *c, struct buf *b,
                               const struct outline_thread *col, const struct thread_tree *t,
                               size_t from, size_t to)
{
	outline_tree_html(c, b, col, t, from, to, 0, true);
	/* Depths relative to the page's first row, as the tree draws them;
	 * a row's parent is the nearest row above it one level up (depth
	 * grows by one a row at most, so a page's rows need no more levels
	 * than it has rows). */
	int base = t->rows[from].depth;
	size_t up[THREAD_PAGE_MSGS + 1] = {0};
	for (size_t i = from; i < to && !b->err; i++) {
		int d = t->rows[i].depth - base;
		if (d < 0)
			d = 0;
		if (d > THREAD_PAGE_MSGS)
			d = THREAD_PAGE_MSGS;
		int shown = d > PAGE_NEST_MAX ? PAGE_NEST_MAX : d;
		size_t parent = d > 0 ? up[d - 1] : 0;
		up[d] = i + 1;
		if (t->rows[i].ghost) {
			buf_printf(b,
			           "<div class=\"tmsg d%d\" id=\"m%zu\">\n<p class=\"links\">"
			           "[a message not in this archive]</p>\n</div>\n",
			           shown, i + 1);
			continue;
		}
		thread_page_msg(c, b, &col->msgs[t->rows[i].key], i + 1, shown, parent);
	}
}

enum la_status render_thread_page(const struct render_ctx *c, const char *list, const char *msgid,
                                  bool nested, int page, struct response *r)
{
	int64_t thread, list_id;
	enum la_status e;
	if (!thread_of(c, list, msgid, &thread, &list_id, r, &e))
		return e;
	struct outline_thread col;
	struct thread_tree t;
	e = outline_collect(c->st, thread, list_id, &col, &t);
	size_t total = nested ? t.nrows : col.nmsgs;
	size_t pages = (total + THREAD_PAGE_MSGS - 1) / THREAD_PAGE_MSGS;
	struct buf *b = &r->body;
	if (e) {
		render_error(c, r, 500, "The index could not be read.");
		goto out;
	}
	if (page < 1 || (size_t)page > pages) {
		render_error(c, r, 404, "This thread has no such page.");
		goto out;
	}
	size_t from = (size_t)(page - 1) * THREAD_PAGE_MSGS;
	size_t to = from + THREAD_PAGE_MSGS < total ? from + THREAD_PAGE_MSGS : total;
	/* The thread's first message names it. */
	const struct outline_msg *first = &col.msgs[0];
	for (size_t i = 0; nested && i < t.nrows; i++)
		if (!t.rows[i].ghost) {
			first = &col.msgs[t.rows[i].key];
			break;
		}
	struct buf title;
	buf_init(&title, SUBJECT_MAX + 64);
	subject_plain(c, &title, first->list, first->subject);
	buf_adds(&title, nested ? " - thread" : " - thread, flat");
	buf_reset(b);
	page_begin(c, b, buf_cstr(&title), NULL);
	buf_free(&title);
	thread_page_head(c, b, list, msgid, nested, first, &col, &t, page, pages);
	if (nested) {
		thread_page_nested(c, b, &col, &t, from, to);
	} else {
		for (size_t i = from; i < to && !b->err; i++)
			thread_page_msg(c, b, &col.msgs[i], i + 1, 0, 0);
	}
	page_end(c, b);
	page_finish(r, 200);
	r->max_age = 300;
	if (b->err) {
		e = b->err;
		render_error(c, r, 500, "The page could not be built.");
	}
out:
	thread_tree_free(&t);
	outline_free(&col);
	return e;
}
