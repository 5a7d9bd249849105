/* thread.c: pages by Message-ID (lore's URL forms) and thread trees: the
 * outline under every message, and the flat (t/) and nested (T/) thread
 * pages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/html.h"
#include "render/page.h"
#include "render/thread_pages.h"
#include "thread/thread.h"
#include "util/civil.h"

/* Rows of the outline under a message; beyond this it shows a window
 * around the message and links the full thread page. */
#define OUTLINE_MAX 300
/* Nesting shown; deeper replies are drawn at this depth. */
#define NEST_MAX 32

void link_msgid(const struct render_ctx *c, struct buf *b, const char *list, const char *msgid)
{
	buf_adds(b, c->base);
	url_encode(b, list ? list : "all", strlen(list ? list : "all"), NULL);
	buf_addc(b, '/');
	/* '/' inside a Message-ID is %2F, so the id stays one path segment. */
	render_msgid_segment(b, msgid, strlen(msgid));
	buf_addc(b, '/');
}

/* ---- collecting a thread ---- */

struct tmsg {
	int64_t id, mid, ts;
	int day, num;
	char *list, *subject, *from, *msgid;
};

struct collected {
	struct thread_id_in *ids;
	size_t nids, capids;
	struct tmsg *msgs;
	size_t nmsgs, capmsgs;
	bool oom;
};

static bool take_id(int64_t id, int64_t parent, const char *mid, void *arg)
{
	(void)mid;
	struct collected *c = arg;
	if (c->nids == c->capids) {
		size_t cap = c->capids ? c->capids * 2 : 64;
		struct thread_id_in *n = realloc(c->ids, cap * sizeof *n);
		if (!n) {
			c->oom = true;
			return false;
		}
		c->ids = n;
		c->capids = cap;
	}
	c->ids[c->nids++] = (struct thread_id_in){id, parent};
	return true;
}

static bool take_msg(const struct store_entry *e, void *arg)
{
	struct collected *c = arg;
	if (c->nmsgs == c->capmsgs) {
		size_t cap = c->capmsgs ? c->capmsgs * 2 : 64;
		struct tmsg *n = realloc(c->msgs, cap * sizeof *n);
		if (!n) {
			c->oom = true;
			return false;
		}
		c->msgs = n;
		c->capmsgs = cap;
	}
	struct tmsg *m = &c->msgs[c->nmsgs++];
	m->id = e->id;
	m->mid = e->mid;
	m->ts = e->has_date ? e->date : e->ts;
	m->day = e->day;
	m->num = e->num;
	m->list = strdup(e->list);
	m->subject = strdup(e->subject);
	m->from = strdup(e->from_name[0] ? e->from_name : e->from_addr);
	m->msgid = strdup(e->msgid);
	if (!m->list || !m->subject || !m->from || !m->msgid)
		c->oom = true;
	return !c->oom;
}

static void collected_free(struct collected *c)
{
	for (size_t i = 0; i < c->nmsgs; i++) {
		free(c->msgs[i].list);
		free(c->msgs[i].subject);
		free(c->msgs[i].from);
		free(c->msgs[i].msgid);
	}
	free(c->msgs);
	free(c->ids);
	memset(c, 0, sizeof *c);
}

/* The thread's messages (of list_id, or all lists if 0) and its tree.
 * Tree rows' keys index c->msgs. */
static enum la_status collect(struct store *st, int64_t thread, int64_t list_id,
                              struct collected *c, struct thread_tree *tree)
{
	memset(c, 0, sizeof *c);
	memset(tree, 0, sizeof *tree);
	enum la_status e = store_thread_ids(st, thread, THREAD_NODES_MAX + 1, take_id, c);
	if (!e)
		e = store_thread_msgs(st, thread, list_id, THREAD_NODES_MAX * 2, take_msg, c);
	if (!e && c->oom)
		e = LA_ENOMEM;
	if (e)
		return e;
	struct thread_msg_in *in = malloc((c->nmsgs ? c->nmsgs : 1) * sizeof *in);
	if (!in)
		return LA_ENOMEM;
	for (size_t i = 0; i < c->nmsgs; i++)
		in[i] = (struct thread_msg_in){c->msgs[i].mid, c->msgs[i].ts, (int64_t)i};
	bool ok = thread_build(c->ids, c->nids, in, c->nmsgs, tree);
	free(in);
	return ok ? LA_OK : LA_ENOMEM;
}

static void date_text(struct buf *b, int64_t ts)
{
	struct la_date d;
	date_from_unix(ts, &d);
	buf_printf(b, "%04lld-%02u-%02u %02u:%02u", (long long)d.year, d.mon, d.day, d.hour, d.min);
}

/* One entry of a tree: subject (linked unless it is the current message),
 * sender, date.  anchor > 0: the link goes to #m<anchor> of this page. */
static void tree_entry(const struct render_ctx *c, struct buf *b, const struct tmsg *m, bool current,
                       size_t anchor)
{
	if (current) {
		buf_adds(b, "<li class=\"current\"><b>");
		subject_text(c, b, m->list, m->subject);
		buf_adds(b, "</b>");
	} else {
		buf_adds(b, "<li><a href=\"");
		if (anchor)
			buf_printf(b, "#m%zu", anchor);
		else
			link_msg(c, b, m->list, m->day, m->num);
		buf_adds(b, "\">");
		subject_text(c, b, m->list, m->subject);
		buf_adds(b, "</a>");
	}
	buf_adds(b, " <span class=\"from\">");
	html_obfuscated(b, m->from, strlen(m->from));
	buf_adds(b, "</span> <span class=\"date\">");
	date_text(b, m->ts);
	buf_adds(b, "</span>");
}

/* Rows [from, to) of a tree as nested lists.  Depths are made relative
 * to the first row and may grow by one level per row at most (a window
 * of a tree may start deep), so the lists always nest properly.
 * anchors: entries link to #m<row+1> on this page. */
static void tree_html(const struct render_ctx *c, struct buf *b, const struct collected *col,
                      const struct thread_tree *t, size_t from, size_t to, int64_t current,
                      bool anchors)
{
	int level = 0, prev = -1;
	int base = from < t->nrows ? t->rows[from].depth : 0;
	for (size_t i = from; i < to; i++) {
		int d = t->rows[i].depth - base;
		if (d < 0)
			d = 0;
		if (d > prev + 1)
			d = prev + 1;
		if (d > NEST_MAX)
			d = NEST_MAX;
		if (level == 0) {
			buf_adds(b, "<ul class=\"tree\">");
			level = 1;
		} else if (d + 1 > level) {
			for (; level < d + 1; level++)
				buf_adds(b, "\n<ul>");
		} else {
			buf_adds(b, "</li>");
			for (; level > d + 1; level--)
				buf_adds(b, "</ul></li>");
		}
		buf_addc(b, '\n');
		if (t->rows[i].ghost) {
			buf_adds(b, "<li class=\"ghost\">[a message not in this archive]");
		} else {
			const struct tmsg *m = &col->msgs[t->rows[i].key];
			tree_entry(c, b, m, m->id == current, anchors ? i + 1 : 0);
		}
		prev = d;
	}
	if (level > 0) {
		buf_adds(b, "</li>");
		for (; level > 1; level--)
			buf_adds(b, "</ul></li>");
		buf_adds(b, "</ul>\n");
	}
}

void render_thread_outline(const struct render_ctx *c, struct buf *b, const struct store_msg *m)
{
	struct collected col;
	struct thread_tree t;
	buf_adds(b, "<div class=\"thread\">\n<h2>Thread</h2>\n");
	if (collect(c->st, m->thread, m->list_id, &col, &t) == LA_OK && t.nrows > 0) {
		size_t cur = 0;
		for (size_t i = 0; i < t.nrows; i++)
			if (!t.rows[i].ghost && col.msgs[t.rows[i].key].id == m->id)
				cur = i;
		size_t from = 0, to = t.nrows;
		if (t.nrows > OUTLINE_MAX) {
			from = cur > OUTLINE_MAX / 2 ? cur - OUTLINE_MAX / 2 : 0;
			to = from + OUTLINE_MAX < t.nrows ? from + OUTLINE_MAX : t.nrows;
		}
		if (from > 0)
			buf_printf(b, "<p>%zu earlier entries of this thread are on the thread page.</p>\n",
			           from);
		tree_html(c, b, &col, &t, from, to, m->id, false);
		if (to < t.nrows || t.cut) {
			buf_adds(b, "<p>The thread continues on <a href=\"");
			link_msgid(c, b, m->list, m->msgid);
			buf_adds(b, "T/\">the thread page</a>.</p>\n");
		}
	}
	thread_tree_free(&t);
	collected_free(&col);
	/* Both permanent URLs of the message, and the downloads. */
	buf_adds(b, "<p class=\"links\">Permalink: <a href=\"");
	link_msgid(c, b, m->list, m->msgid);
	buf_adds(b, "\">&lt;");
	html_texts(b, m->msgid);
	buf_adds(b, "&gt;</a> &middot; <a href=\"");
	link_msg(c, b, m->list, m->day, m->num);
	buf_adds(b, "\">");
	link_msg(c, b, m->list, m->day, m->num);
	buf_adds(b, "</a></p>\n<p class=\"links\"><a href=\"");
	link_msg(c, b, m->list, m->day, m->num);
	buf_adds(b, "/raw\">raw message</a> &middot; <a href=\"");
	link_msgid(c, b, m->list, m->msgid);
	buf_adds(b, "t.mbox.gz\">thread mbox.gz</a> &middot; <a href=\"");
	link_msgid(c, b, m->list, m->msgid);
	buf_adds(b, "T/\">thread</a> (<a href=\"");
	link_msgid(c, b, m->list, m->msgid);
	buf_adds(b, "t/\">flat</a>) &middot; <a href=\"");
	link_msgid(c, b, m->list, m->msgid);
	buf_adds(b, "t.atom\">thread feed</a></p>\n</div>\n");
}

/* ---- pages by Message-ID ---- */

/* The messages with msgid, in list (NULL: every list; *list_id is then
 * 0), oldest first, copied into l.  LA_ENOTFOUND if there is no such
 * list; LA_OK with l->n == 0 if no message has the ID. */
static enum la_status by_msgid(const struct render_ctx *c, const char *list, const char *msgid,
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

/* The lookup's failures as pages: no such list (404), the index
 * unreadable (500). */
static enum la_status lookup_failed(const struct render_ctx *c, struct response *r, enum la_status e)
{
	if (e == LA_ENOTFOUND) {
		render_error(c, r, 404, "There is no such list in this archive.");
		return LA_OK;
	}
	render_error(c, r, 500, "The index could not be read.");
	return e;
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

static void entry_line(const struct render_ctx *c, struct buf *b, const struct store_entry *e,
                       bool with_list)
{
	buf_printf(b, "<li><span class=\"date\">%04d/%02d/%02d</span> <a href=\"", e->day / 10000,
	           e->day / 100 % 100, e->day % 100);
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

/* The 404 page of a Message-ID: where else it is (other lists), the
 * messages that reply to it (the archive knows it as a ghost), and a
 * search for it. */
static enum la_status msgid_not_found(const struct render_ctx *c, const char *list, int64_t list_id,
                                      const char *msgid, struct response *r)
{
	struct buf *b = &r->body;
	render_error(c, r, 404, "");
	buf_reset(b);
	page_begin(c, b, "Not Found", NULL);
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
			buf_printf(b, "<p>%zu message%s of the archive repl%s to it:</p>\n<ul class=\"msgs\">\n",
			           x.l.n, x.l.n == 1 ? "" : "s", x.l.n == 1 ? "ies" : "y");
			for (size_t i = 0; i < x.l.n; i++)
				entry_line(c, b, &x.l.v[i], !list);
			buf_adds(b, "</ul>\n");
		}
		render_entries_free(&x.l);
	}
	/* A phrase search finds the messages that quote or cite the ID. */
	buf_adds(b, "<p><a href=\"");
	if (list)
		link_list(c, b, list);
	else
		buf_adds(b, c->base);
	buf_adds(b, "?q=%22");
	url_encode(b, msgid, strlen(msgid), NULL);
	buf_adds(b, "%22\">Search ");
	buf_adds(b, list ? "the list" : "the archive");
	buf_adds(b, " for this Message-ID</a></p>\n<p><a href=\"");
	buf_adds(b, c->base);
	buf_adds(b, "\">All lists</a></p>\n");
	page_end(c, b);
	page_finish(r, 404);
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
	page_begin(c, b, buf_cstr(&title), NULL);
	buf_free(&title);
	buf_adds(b, "<h1>&lt;");
	html_texts(b, msgid);
	buf_printf(b, "&gt;</h1>\n<p>%zu messages %shave this Message-ID:</p>\n<ul class=\"msgs\">\n",
	           l->n, list ? "of the list " : "");
	for (size_t i = 0; i < l->n; i++)
		entry_line(c, b, &l->v[i], !list);
	buf_adds(b, "</ul>\n<p class=\"links\"><a href=\"");
	link_msgid(c, b, list, msgid);
	buf_adds(b, "T/\">thread</a> &middot; <a href=\"");
	link_msgid(c, b, list, msgid);
	buf_adds(b, "t.mbox.gz\">thread mbox.gz</a></p>\n");
	page_end(c, b);
	page_finish(r, 200);
	r->max_age = 300;
	if (b->err) {
		enum la_status e = b->err;
		render_error(c, r, 500, "The page could not be built.");
		return e;
	}
	return LA_OK;
}

enum la_status render_msgid(const struct render_ctx *c, const char *list, const char *msgid,
                            struct response *r)
{
	struct render_entries l;
	int64_t list_id;
	enum la_status e = by_msgid(c, list, msgid, &l, &list_id);
	if (e) {
		render_entries_free(&l);
		return lookup_failed(c, r, e);
	}
	if (l.n == 0) {
		e = msgid_not_found(c, list, list_id, msgid, r);
	} else if (l.n > 1) {
		e = msgid_choices(c, list, msgid, &l, r);
	} else {
		struct store_msg m;
		e = store_msg_by_id(c->st, l.v[0].id, &m);
		if (e)
			render_error(c, r, 500, "The index could not be read.");
		else
			e = message_page(c, &m, true, r);
		store_msg_clear(&m);
	}
	render_entries_free(&l);
	return e;
}

enum la_status render_msgid_raw(const struct render_ctx *c, const char *list, const char *msgid,
                                struct response *r)
{
	struct render_entries l;
	int64_t list_id;
	enum la_status e = by_msgid(c, list, msgid, &l, &list_id);
	if (e)
		e = lookup_failed(c, r, e);
	else if (l.n == 0)
		e = msgid_not_found(c, list, list_id, msgid, r);
	else
		e = render_raw(c, l.v[0].list, l.v[0].day, l.v[0].num, r);
	render_entries_free(&l);
	return e;
}

/* ---- the thread as an mbox ---- */

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
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 256;
		struct mbox_id *nv = realloc(x->v, cap * sizeof *nv);
		if (!nv) {
			x->oom = true;
			return false;
		}
		x->v = nv;
		x->cap = cap;
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

enum la_status render_thread_mbox(const struct render_ctx *c, const char *list, const char *msgid,
                                  struct response *r)
{
	struct render_entries l;
	int64_t list_id;
	enum la_status e = by_msgid(c, list, msgid, &l, &list_id);
	if (e) {
		render_entries_free(&l);
		return lookup_failed(c, r, e);
	}
	if (l.n == 0) {
		render_entries_free(&l);
		return msgid_not_found(c, list, list_id, msgid, r);
	}
	int64_t thread = l.v[0].thread;
	render_entries_free(&l);
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

/* ---- thread pages: t/ (flat) and T/ (nested) ---- */

/* Nesting drawn on the nested page (class d1 ... d8); deeper replies are
 * drawn at this depth and say whom they answer. */
#define PAGE_NEST_MAX 8

/* One message of a thread page: a line with its subject (linked to its
 * page), sender, date and links, then its header block and body. */
static void thread_page_msg(const struct render_ctx *c, struct buf *b, const struct tmsg *t,
                            size_t anchor, int depth, size_t parent_anchor)
{
	buf_printf(b, "<div class=\"tmsg d%d\" id=\"m%zu\">\n<p class=\"links\"><b><a href=\"", depth,
	           anchor);
	link_msg(c, b, t->list, t->day, t->num);
	buf_adds(b, "\">");
	subject_text(c, b, t->list, t->subject);
	buf_adds(b, "</a></b> <span class=\"from\">");
	html_obfuscated(b, t->from, strlen(t->from));
	buf_adds(b, "</span> <span class=\"date\">");
	date_text(b, t->ts);
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

enum la_status render_thread_page(const struct render_ctx *c, const char *list, const char *msgid,
                                  bool nested, int page, struct response *r)
{
	struct render_entries l;
	int64_t list_id;
	enum la_status e = by_msgid(c, list, msgid, &l, &list_id);
	if (e) {
		render_entries_free(&l);
		return lookup_failed(c, r, e);
	}
	if (l.n == 0) {
		render_entries_free(&l);
		return msgid_not_found(c, list, list_id, msgid, r);
	}
	int64_t thread = l.v[0].thread;
	render_entries_free(&l);
	struct collected col;
	struct thread_tree t;
	e = collect(c->st, thread, list_id, &col, &t);
	size_t total = nested ? t.nrows : col.nmsgs;
	size_t pages = (total + THREAD_PAGE_MSGS - 1) / THREAD_PAGE_MSGS;
	if (e || page < 1 || (size_t)page > pages) {
		thread_tree_free(&t);
		collected_free(&col);
		if (e) {
			render_error(c, r, 500, "The index could not be read.");
			return e;
		}
		render_error(c, r, 404, "This thread has no such page.");
		return LA_OK;
	}
	size_t from = (size_t)(page - 1) * THREAD_PAGE_MSGS;
	size_t to = from + THREAD_PAGE_MSGS < total ? from + THREAD_PAGE_MSGS : total;
	/* The thread's first message names it. */
	const struct tmsg *first = &col.msgs[0];
	for (size_t i = 0; nested && i < t.nrows; i++)
		if (!t.rows[i].ghost) {
			first = &col.msgs[t.rows[i].key];
			break;
		}
	struct buf *b = &r->body;
	struct buf title;
	buf_init(&title, SUBJECT_MAX + 64);
	subject_plain(c, &title, first->list, first->subject);
	buf_adds(&title, nested ? " - thread" : " - thread, flat");
	buf_reset(b);
	page_begin(c, b, buf_cstr(&title), NULL);
	buf_free(&title);
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
	buf_printf(b, "</h1>\n<p>%zu message%s in this thread%s", col.nmsgs, col.nmsgs == 1 ? "" : "s",
	           nested ? ", as a tree" : ", by date");
	if (t.cut)
		buf_printf(b, " (only its first %d Message-IDs are shown)", THREAD_NODES_MAX);
	if (pages > 1)
		buf_printf(b, "; page %d of %zu", page, pages);
	buf_adds(b, ".</p>\n");
	if (pages > 1) {
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
	if (nested) {
		/* This page's part of the tree, each entry linked to its message
		 * below. */
		tree_html(c, b, &col, &t, from, to, 0, true);
		/* Depths relative to the page's first row, as the tree draws
		 * them; a row's parent is the nearest row above it one level up
		 * (depth grows by one a row at most, so a page's rows need no
		 * more levels than it has rows). */
		int base = t.rows[from].depth;
		size_t up[THREAD_PAGE_MSGS + 1] = {0};
		for (size_t i = from; i < to && !b->err; i++) {
			int d = t.rows[i].depth - base;
			if (d < 0)
				d = 0;
			if (d > THREAD_PAGE_MSGS)
				d = THREAD_PAGE_MSGS;
			int shown = d > PAGE_NEST_MAX ? PAGE_NEST_MAX : d;
			size_t parent = d > 0 ? up[d - 1] : 0;
			up[d] = i + 1;
			if (t.rows[i].ghost) {
				buf_printf(b, "<div class=\"tmsg d%d\" id=\"m%zu\">\n<p class=\"links\">"
				              "[a message not in this archive]</p>\n</div>\n",
				           shown, i + 1);
				continue;
			}
			thread_page_msg(c, b, &col.msgs[t.rows[i].key], i + 1, shown, parent);
		}
	} else {
		for (size_t i = from; i < to && !b->err; i++)
			thread_page_msg(c, b, &col.msgs[i], i + 1, 0, 0);
	}
	thread_tree_free(&t);
	collected_free(&col);
	page_end(c, b);
	page_finish(r, 200);
	r->max_age = 300;
	if (b->err) {
		e = b->err;
		render_error(c, r, 500, "The page could not be built.");
		return e;
	}
	return LA_OK;
}

/* ---- feeds ---- */

/* Reverses the order of l's entries. */
static void entries_reverse(struct render_entries *l)
{
	for (size_t i = 0; i < l->n / 2; i++) {
		struct store_entry t = l->v[i];
		l->v[i] = l->v[l->n - 1 - i];
		l->v[l->n - 1 - i] = t;
	}
}

enum la_status render_thread_atom(const struct render_ctx *c, const char *list, const char *msgid,
                                  struct response *r)
{
	struct render_entries l;
	int64_t list_id;
	enum la_status e = by_msgid(c, list, msgid, &l, &list_id);
	if (e) {
		render_entries_free(&l);
		return lookup_failed(c, r, e);
	}
	if (l.n == 0) {
		render_entries_free(&l);
		return msgid_not_found(c, list, list_id, msgid, r);
	}
	int64_t thread = l.v[0].thread;
	struct buf title, self, alt, key;
	buf_init(&title, SUBJECT_MAX + 64);
	buf_init(&self, 3 * URL_MAX);
	buf_init(&alt, 3 * URL_MAX);
	buf_init(&key, 3 * URL_MAX);
	subject_plain(c, &title, l.v[0].list, l.v[0].subject);
	buf_adds(&title, " - thread");
	link_msgid(c, &self, list, msgid);
	buf_adds(&self, "t.atom");
	link_msgid(c, &alt, list, msgid);
	buf_adds(&alt, "T/");
	buf_printf(&key, "thread %s %lld", list ? list : "", (long long)thread);
	render_entries_free(&l);
	memset(&l, 0, sizeof l);
	e = store_thread_msgs(c->st, thread, list_id, THREAD_NODES_MAX * 2, render_entries_add, &l);
	if (!e && l.oom)
		e = LA_ENOMEM;
	if (e) {
		render_error(c, r, 500, "The index could not be read.");
	} else {
		entries_reverse(&l);
		render_entries_truncate(&l, THREAD_FEED_MAX);
		struct render_feed f = {buf_cstr(&title), buf_cstr(&self), buf_cstr(&alt), buf_cstr(&key)};
		e = render_atom(c, &f, &l, r);
	}
	render_entries_free(&l);
	buf_free(&title);
	buf_free(&self);
	buf_free(&alt);
	buf_free(&key);
	return e;
}

static bool collect_list(const struct store_list_info *li, void *arg)
{
	void **a = arg;
	const struct render_ctx *c = a[0];
	enum la_status *e = a[2];
	*e = store_recent(c->st, li->id, NEW_FEED_MAX, render_entries_add, a[1]);
	return *e == LA_OK;
}

/* Newest first across lists: by day, then delivery time. */
static int by_day_desc(const void *a, const void *b)
{
	const struct store_entry *x = a, *y = b;
	if (x->day != y->day)
		return x->day > y->day ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts > y->ts ? -1 : 1;
	return x->id > y->id ? -1 : x->id < y->id;
}

enum la_status render_new_atom(const struct render_ctx *c, const char *list, struct response *r)
{
	struct render_entries l = {0};
	enum la_status e;
	if (list) {
		int64_t list_id;
		if ((e = store_list_id(c->st, list, &list_id)))
			return lookup_failed(c, r, e);
		e = store_recent(c->st, list_id, NEW_FEED_MAX, render_entries_add, &l);
	} else {
		/* Each list's latest, merged: the latest of all are among them. */
		enum la_status inner = LA_OK;
		void *a[3] = {(void *)c, &l, &inner};
		e = store_lists(c->st, collect_list, a);
		if (!e)
			e = inner;
		if (!e) {
			qsort(l.v, l.n, sizeof *l.v, by_day_desc);
			render_entries_truncate(&l, NEW_FEED_MAX);
		}
	}
	if (!e && l.oom)
		e = LA_ENOMEM;
	if (e) {
		render_entries_free(&l);
		render_error(c, r, 500, "The index could not be read.");
		return e;
	}
	struct buf title, self, alt;
	buf_init(&title, LISTNAME_MAX + 64);
	buf_init(&self, URL_MAX);
	buf_init(&alt, URL_MAX);
	if (list) {
		buf_adds(&title, list);
		buf_adds(&title, " mailing list");
		link_list(c, &self, list);
		link_list(c, &alt, list);
	} else {
		const char *t = c->conf && c->conf->title ? c->conf->title : "Mailing list archives";
		buf_adds(&title, t);
		buf_adds(&self, c->base);
		buf_adds(&self, "all/");
		buf_adds(&alt, c->base);
	}
	buf_adds(&self, "new.atom");
	char key[LISTNAME_MAX + 16];
	snprintf(key, sizeof key, "new %s", list ? list : "");
	struct render_feed f = {buf_cstr(&title), buf_cstr(&self), buf_cstr(&alt), key};
	e = render_atom(c, &f, &l, r);
	render_entries_free(&l);
	buf_free(&title);
	buf_free(&self);
	buf_free(&alt);
	return e;
}
