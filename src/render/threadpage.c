/* threadpage.c: a whole thread by one of its Message-IDs: the mbox
 * downloads (t.mbox.gz, t.mbox) and lore's flat (T/) and nested (t/)
 * pages. */
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

/* (The rows' pos: their place in delivery order.) */
static int by_mid_pos(const void *a, const void *b)
{
	const struct render_row *x = a, *y = b;
	if (x->mid != y->mid)
		return x->mid < y->mid ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int by_pos(const void *a, const void *b)
{
	const struct render_row *x = a, *y = b;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

enum la_status render_thread_mbox(const struct render_ctx *c, const char *list, const char *msgid,
                                  bool gz, struct response *r)
{
	struct render_entries l;
	int64_t list_id;
	enum la_status e;
	if (!msgid_find(c, list, msgid, &l, &list_id, r, &e)) {
		render_entries_free(&l);
		return e;
	}
	int64_t thread = l.v[0].thread;
	render_entries_free(&l);
	char name[FILENAME_MAX_BYTES + 16] = "";
	struct render_rows x = {0};
	e = store_thread_msgs(c->st, thread, list_id, THREAD_MBOX_MAX, render_rows_add, &x);
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
	render_rows_free(&x);
	if (e) {
		free(ids);
		render_error(c, r, 500, "The index could not be read.");
		return e;
	}
	/* lore names the file after the thread's first message. */
	if (n) {
		struct store_msg m;
		if (store_msg_by_id(c->st, ids[0], &m) == LA_OK)
			lore_filename(name, sizeof name, m.subject, "no-subject",
			              gz ? ".mbox.gz" : ".mbox");
		store_msg_clear(&m);
	}
	e = gz ? render_mboxgz(c, ids, n, r) : render_mbox_plain(c, ids, n, r);
	free(ids);
	if (!e && name[0]) {
		snprintf(r->filename, sizeof r->filename, "%s", name);
		r->attachment = false;
	}
	return e;
}

/* ---- T/ (flat) and t/ (nested), as lore's ---- */

/* Message-IDs (mids.id) given an anchor on the page so far: each once,
 * though /all/ shows a message's copies in several lists. */
struct anchored {
	int64_t *v;
	size_t n, cap;
};

static bool anchored_add(struct anchored *a, int64_t mid)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i] == mid)
			return false;
	if (!vec_reserve(&a->v, &a->cap, a->n + 1, sizeof *a->v))
		return false;
	a->v[a->n++] = mid;
	return true;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* lore's anchor of a message's entry in a thread overview (#r and the
 * SHA-1 of its Message-ID) or of its end (#e...): mid_anchor's with its
 * first letter changed. */
static void mid_anchor_as(struct buf *b, const char *msgid, char letter)
{
	size_t at = b->len;
	mid_anchor(b, msgid);
	if (!b->err && b->len > at)
		b->data[at] = letter;
}

/* One message of a thread page: a line with its subject (linked to its
 * page), sender, date and links, then its header block and body, then
 * lore's footer line (#e..., its end, linking back to its top; and with
 * in_overview, a link to its entry in the thread overview, #r...).
 * anchor: the div carries lore's id for it (m and the SHA-1 of its
 * Message-ID); is_u: it is the message the URL names (lore's #u);
 * parent: the Message-ID of the message above it in the tree, or NULL;
 * nmsgs: the thread's messages. */
static void thread_page_msg(const struct render_ctx *c, struct buf *b, const struct outline_msg *t,
                            bool anchor, bool is_u, int depth, const char *parent, bool in_overview,
                            size_t nmsgs)
{
	buf_printf(b, "<div class=\"tmsg d%d\"", depth);
	if (anchor) {
		buf_adds(b, " id=\"");
		mid_anchor(b, t->msgid);
		buf_adds(b, "\"");
	}
	buf_adds(b, ">\n<p class=\"links\"><b>");
	if (is_u)
		buf_adds(b, "<u id=\"u\">");
	buf_adds(b, "<a href=\"");
	link_msg(c, b, t->list, t->day, t->num);
	buf_adds(b, "\">");
	subject_text(c, b, t->list, t->subject);
	buf_adds(b, is_u ? "</a></u></b>" : "</a></b>");
	buf_adds(b, " <span class=\"from\">");
	html_obfuscated(b, t->from, strlen(t->from));
	buf_adds(b, "</span> <span class=\"date\">");
	time_html(c, b, t->ts, t->has_tz, t->tz, TIME_MINUTES);
	buf_adds(b, "</span> [<a href=\"");
	link_msgid(c, b, t->list, t->msgid);
	buf_adds(b, "\">permalink</a>] [<a href=\"");
	link_msg(c, b, t->list, t->day, t->num);
	buf_adds(b, "/raw\">raw</a>] [<a href=\"");
	link_msgid(c, b, t->list, t->msgid);
	buf_adds(b, "#R\">reply</a>]");
	if (parent) {
		buf_adds(b, " [<a href=\"#");
		mid_anchor(b, parent);
		buf_adds(b, "\">parent</a>]");
	}
	buf_adds(b, "</p>\n");
	struct store_msg m;
	enum la_status e = store_msg_by_id(c->st, t->id, &m);
	if (e == LA_OK)
		e = message_pre(c, b, &m, THREAD_MSG_SHOW);
	if (e)
		buf_adds(b, "<p>[This message could not be read.]</p>\n");
	store_msg_clear(&m);
	if (anchor) {
		buf_adds(b, "<p class=\"tfoot\"><span id=\"");
		mid_anchor_as(b, t->msgid, 'e');
		buf_adds(b, "\"><a href=\"#");
		mid_anchor(b, t->msgid);
		buf_adds(b, "\" title=\"the top of this message\">^</a></span>");
		if (in_overview) {
			buf_adds(b, " <a href=\"#");
			mid_anchor_as(b, t->msgid, 'r');
			buf_printf(b, "\">%zu message%s in thread</a>", nmsgs,
			           nmsgs == 1 ? "" : "s");
		}
		buf_adds(b, "</p>\n");
	}
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

/* The message of row i of the page's order, or NULL for a ghost. */
static const struct outline_msg *page_row(const struct outline_thread *col,
                                          const struct thread_tree *t, bool nested, size_t i)
{
	if (!nested)
		return &col->msgs[i];
	return t->rows[i].ghost ? NULL : &col->msgs[t->rows[i].key];
}

/* One thread page being built: the thread's rows and this page's share of
 * them (rows from..to-1 of total; u_row is the first row of the message the
 * URL names, total if none).  col and t are owned by the page. */
struct thread_page {
	const struct render_ctx *c;
	const char *list, *msgid, *here;
	bool nested;
	struct outline_thread col;
	struct thread_tree t;
	size_t total, pages, u_row, from, to;
	int page;
};

/* The thread of the message the URL names, in *thread, and that message's
 * id in *url_mid.  Returns true when found; otherwise the answer (an error
 * page, or the page of near misses) is in r and its status in *e. */
static bool thread_page_lookup(const struct render_ctx *c, const char *list, const char *msgid,
                               struct response *r, int64_t *list_id, int64_t *thread,
                               int64_t *url_mid, enum la_status *e)
{
	struct render_entries l;
	bool found = msgid_find(c, list, msgid, &l, list_id, r, e);
	if (found) {
		*thread = l.v[0].thread;
		*url_mid = l.v[0].mid;
	}
	render_entries_free(&l);
	return found;
}

/* Places the page: its number (without ?page=, the one that holds the
 * message the URL names, so a lore link .../T/#u lands on its message
 * however long the thread) and its rows.  Returns false when the thread
 * has no such page. */
static bool thread_page_place(struct thread_page *p, int64_t url_mid, int page)
{
	p->total = p->nested ? p->t.nrows : p->col.nmsgs;
	p->pages = (p->total + THREAD_PAGE_MSGS - 1) / THREAD_PAGE_MSGS;
	/* The first row of the message the URL names (lore's #u). */
	p->u_row = p->total;
	for (size_t i = 0; i < p->total && p->u_row == p->total; i++) {
		const struct outline_msg *m = page_row(&p->col, &p->t, p->nested, i);
		if (m && m->mid == url_mid)
			p->u_row = i;
	}
	if (page == 0)
		page = p->u_row < p->total ? (int)(p->u_row / THREAD_PAGE_MSGS) + 1 : 1;
	if (page < 1 || (size_t)page > p->pages)
		return false;
	p->page = page;
	p->from = (size_t)(page - 1) * THREAD_PAGE_MSGS;
	p->to = p->from + THREAD_PAGE_MSGS < p->total ? p->from + THREAD_PAGE_MSGS : p->total;
	return true;
}

/* The link to another page of this thread, up to its "?page=N". */
static void thread_page_link(const struct thread_page *p, struct buf *b, int page)
{
	link_msgid(p->c, b, p->list, p->msgid);
	buf_printf(b, "%s?page=%d", p->here, page);
}

/* The page's head: title, links, the thread's subject and size, and the
 * links to the previous and next pages. */
static void thread_page_head(const struct thread_page *p, struct buf *b)
{
	const struct render_ctx *c = p->c;
	const char *list = p->list, *msgid = p->msgid;
	bool nested = p->nested;
	/* The thread's first message names it. */
	const struct outline_msg *first = &p->col.msgs[0];
	for (size_t i = 0; nested && i < p->t.nrows; i++)
		if (!p->t.rows[i].ghost) {
			first = &p->col.msgs[p->t.rows[i].key];
			break;
		}
	struct buf title;
	buf_init(&title, SUBJECT_MAX + 64);
	subject_plain(c, &title, first->list, first->subject);
	buf_adds(&title, nested ? " - thread" : " - thread, flat");
	struct buf feed;
	buf_init(&feed, 3 * URL_MAX);
	link_msgid(c, &feed, list, msgid);
	buf_adds(&feed, "t.atom");
	buf_reset(b);
	page_open(c, b,
	          &(struct page_head){.title = buf_cstr(&title),
	                              .list = list,
	                              .feed = feed.err ? NULL : buf_cstr(&feed)});
	buf_free(&feed);
	buf_free(&title);
	buf_adds(b, "<div class=\"nav\">");
	thread_nav(c, b, list, msgid, "", "message");
	thread_nav(c, b, list, msgid, nested ? "T/#u" : "t/#u", nested ? "flat" : "nested");
	thread_nav(c, b, list, msgid, "t.mbox.gz", "mbox.gz");
	thread_nav(c, b, list, msgid, "t.atom", "Atom");
	if (list) {
		buf_adds(b, "[<a href=\"");
		link_list(c, b, list);
		buf_adds(b, "\">list</a>] ");
	}
	buf_adds(b, "</div>\n<h1>");
	subject_text(c, b, first->list, first->subject);
	buf_printf(b, "</h1>\n<p>%zu message%s in this thread%s", p->col.nmsgs,
	           p->col.nmsgs == 1 ? "" : "s", nested ? ", as a tree" : ", by date");
	if (p->t.cut)
		buf_printf(b, " (only its first %d Message-IDs are shown)", THREAD_NODES_MAX);
	if (p->pages > 1)
		buf_printf(b, "; page %d of %zu", p->page, p->pages);
	buf_adds(b, ".</p>\n");
	if (p->pages > 1) {
		buf_adds(b, "<div class=\"nav pages\">");
		if (p->page > 1) {
			buf_adds(b, "[<a href=\"");
			thread_page_link(p, b, p->page - 1);
			buf_adds(b, "\">&lt;prev page</a>] ");
		}
		if ((size_t)p->page < p->pages) {
			buf_adds(b, "[<a href=\"");
			thread_page_link(p, b, p->page + 1);
			buf_adds(b, "\">next page&gt;</a>] ");
		}
		buf_adds(b, "</div>\n");
	}
}

/* The nested page's messages: this page's part of the tree, each entry
 * linked to its message below, then the messages.  seen: the Message-IDs
 * given an anchor. */
static void thread_page_nested(const struct thread_page *p, struct buf *b, struct anchored *seen)
{
	buf_adds(b, "<div class=\"overview\" id=\"t\">\n");
	outline_tree_html(p->c, b, &p->col, &p->t, p->from, p->to, 0, true);
	buf_adds(b, "</div>\n");
	/* Depths relative to the page's first row, as the tree draws them; a
	 * row's parent is the nearest row above it one level up (depth grows
	 * by one a row at most, so a page's rows need no more levels than it
	 * has rows). */
	int base = p->t.rows[p->from].depth;
	const struct outline_msg *up[THREAD_PAGE_MSGS + 1] = {0};
	for (size_t i = p->from; i < p->to && !b->err; i++) {
		int d = p->t.rows[i].depth - base;
		if (d < 0)
			d = 0;
		if (d > THREAD_PAGE_MSGS)
			d = THREAD_PAGE_MSGS;
		int shown = d > PAGE_NEST_MAX ? PAGE_NEST_MAX : d;
		const struct outline_msg *parent = d > 0 ? up[d - 1] : NULL;
		const struct outline_msg *m = page_row(&p->col, &p->t, true, i);
		up[d] = m;
		if (!m) {
			buf_printf(b,
			           "<div class=\"tmsg d%d\">\n<p class=\"links\">"
			           "[a message not in this archive]</p>\n</div>\n",
			           shown);
			continue;
		}
		thread_page_msg(p->c, b, m, anchored_add(seen, m->mid), i == p->u_row, shown,
		                parent ? parent->msgid : NULL, true, p->col.nmsgs);
	}
}

/* The rows [*from, *to) of the tree the flat page's thread overview
 * shows: all of them, or in a thread of more than OUTLINE_MAX rows that
 * many from the first row of the page's first message. */
static void flat_overview_rows(const struct thread_page *p, size_t *from, size_t *to)
{
	*from = 0;
	*to = p->t.nrows;
	if (p->t.nrows <= OUTLINE_MAX)
		return;
	int64_t first = p->col.msgs[p->from].mid;
	for (size_t i = 0; i < p->t.nrows; i++)
		if (!p->t.rows[i].ghost && p->col.msgs[p->t.rows[i].key].mid == first) {
			*from = i > OUTLINE_MAX / 4 ? i - OUTLINE_MAX / 4 : 0;
			break;
		}
	if (*from + OUTLINE_MAX > p->t.nrows)
		*from = p->t.nrows - OUTLINE_MAX;
	*to = *from + OUTLINE_MAX;
}

/* True if Message-ID mid has a row in [from, to) of the tree. */
static bool tree_has(const struct thread_page *p, int64_t mid, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (!p->t.rows[i].ghost && p->col.msgs[p->t.rows[i].key].mid == mid)
			return true;
	return false;
}

/* The flat page's messages, by date, then lore's thread overview (#t):
 * the thread's tree, each entry (#r...) linking to its message (#m...,
 * on this page: the message, or its line among those of the other
 * pages).  seen: as for thread_page_nested. */
static void thread_page_flat(const struct thread_page *p, struct buf *b, struct anchored *seen)
{
	size_t from, to;
	flat_overview_rows(p, &from, &to);
	for (size_t i = p->from; i < p->to && !b->err; i++) {
		const struct outline_msg *m = &p->col.msgs[i];
		thread_page_msg(p->c, b, m, anchored_add(seen, m->mid), i == p->u_row, 0, NULL,
		                tree_has(p, m->mid, from, to), p->col.nmsgs);
	}
	buf_adds(b, "<div class=\"thread overview\" id=\"t\">\n<h2>Thread overview</h2>\n");
	if (from > 0 || to < p->t.nrows)
		buf_printf(b, "<p>Rows %zu to %zu of the thread's %zu.</p>\n", from + 1, to,
		           p->t.nrows);
	outline_tree_html(p->c, b, &p->col, &p->t, from, to, 0, true);
	buf_adds(b, "</div>\n");
}

/* lore shows a thread on one page; here the messages of the other pages
 * keep their anchors too, on a line that leads to them, so a link
 * .../T/#m... lands on its message's line whatever the page.  seen: the
 * Message-IDs anchored on this page already (sorted here). */
static void thread_page_elsewhere(const struct thread_page *p, struct buf *b, struct anchored *seen)
{
	qsort(seen->v, seen->n, sizeof *seen->v, cmp_i64);
	/* The other pages' rows, each Message-ID once (its first row). */
	struct render_rows o = {0};
	for (size_t i = 0; i < p->total && !o.oom; i++) {
		const struct outline_msg *m = page_row(&p->col, &p->t, p->nested, i);
		if (!m || (i >= p->from && i < p->to) ||
		    bsearch(&m->mid, seen->v, seen->n, sizeof *seen->v, cmp_i64))
			continue;
		render_rows_push(&o, (struct render_row){.id = (int64_t)i, .mid = m->mid});
	}
	qsort(o.v, o.n, sizeof *o.v, by_mid_pos);
	size_t k = 0;
	for (size_t i = 0; i < o.n; i++)
		if (i == 0 || o.v[i].mid != o.v[k - 1].mid)
			o.v[k++] = o.v[i];
	qsort(o.v, k, sizeof *o.v, by_pos);
	buf_adds(b, "<div class=\"elsewhere\"><h2>On the other pages</h2>\n<ul>\n");
	for (size_t j = 0; j < k && !b->err; j++) {
		size_t i = (size_t)o.v[j].id; /* the row */
		const struct outline_msg *m = page_row(&p->col, &p->t, p->nested, i);
		int pg = (int)(i / THREAD_PAGE_MSGS) + 1;
		buf_adds(b, "<li id=\"");
		mid_anchor(b, m->msgid);
		buf_adds(b, "\"><a href=\"");
		thread_page_link(p, b, pg);
		buf_adds(b, "#");
		mid_anchor(b, m->msgid);
		buf_adds(b, "\">");
		subject_text(p->c, b, m->list, m->subject);
		buf_adds(b, "</a> <span class=\"from\">");
		html_obfuscated(b, m->from, strlen(m->from));
		buf_printf(b, "</span> (page %d)</li>\n", pg);
	}
	buf_adds(b, "</ul>\n</div>\n");
	if (o.oom)
		b->err = LA_ENOMEM;
	render_rows_free(&o);
}

enum la_status render_thread_page(const struct render_ctx *c, const char *list, const char *msgid,
                                  bool nested, int page, struct response *r)
{
	int64_t list_id = 0, thread = 0, url_mid = 0;
	enum la_status e;
	if (!thread_page_lookup(c, list, msgid, r, &list_id, &thread, &url_mid, &e))
		return e;
	struct thread_page p = {.c = c,
	                        .list = list,
	                        .msgid = msgid,
	                        .here = nested ? "t/" : "T/",
	                        .nested = nested};
	struct anchored seen = {0};
	struct buf *b = &r->body;
	e = outline_collect(c->st, thread, list_id, &p.col, &p.t);
	if (e) {
		render_error(c, r, 500, "The index could not be read.");
		goto out;
	}
	if (!thread_page_place(&p, url_mid, page)) {
		render_error(c, r, 404, "This thread has no such page.");
		goto out;
	}
	thread_page_head(&p, b);
	if (nested)
		thread_page_nested(&p, b, &seen);
	else
		thread_page_flat(&p, b, &seen);
	if (p.pages > 1)
		thread_page_elsewhere(&p, b, &seen);
	e = page_close(c, r, 200, 300);
out:
	free(seen.v);
	thread_tree_free(&p.t);
	outline_free(&p.col);
	return e;
}
