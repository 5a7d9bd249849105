/* feeds.c: Atom feeds of a thread (t.atom) and of a list's or the
 * archive's newest messages (new.atom); atom.c writes them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/html.h"
#include "render/render_int.h"
#include "thread/thread.h"
#include "util/civil.h"

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
	enum la_status e;
	if (!msgid_find(c, list, msgid, &l, &list_id, r, &e)) {
		render_entries_free(&l);
		return e;
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
		struct render_feed f = {buf_cstr(&title), buf_cstr(&self), buf_cstr(&alt),
		                        buf_cstr(&key)};
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

/* The latest NEW_FEED_MAX messages of list (NULL: every list) into l;
 * errors are pages in r. */
static enum la_status collect_new(const struct render_ctx *c, const char *list,
                                  struct render_entries *l, struct response *r)
{
	enum la_status e;
	if (list) {
		int64_t list_id;
		if ((e = store_list_id(c->st, list, &list_id))) {
			/* The page is in r; e, returned below, says what failed. */
			la_ignore(msgid_lookup_failed(c, r, e));
			return e == LA_ENOTFOUND ? LA_ENOTFOUND : e;
		}
		e = store_recent(c->st, list_id, NEW_FEED_MAX, render_entries_add, l);
	} else {
		enum la_status inner = LA_OK;
		void *a[3] = {(void *)c, l, &inner};
		e = store_lists(c->st, collect_list, a);
		if (!e)
			e = inner;
		if (!e) {
			qsort(l->v, l->n, sizeof *l->v, by_day_desc);
			render_entries_truncate(l, NEW_FEED_MAX);
		}
	}
	if (!e && l->oom)
		e = LA_ENOMEM;
	if (e)
		render_error(c, r, 500, "The index could not be read.");
	return e;
}

enum la_status render_new_html(const struct render_ctx *c, const char *list, struct response *r)
{
	struct render_entries l = {0};
	enum la_status e = collect_new(c, list, &l, r);
	if (e) {
		render_entries_free(&l);
		return e == LA_ENOTFOUND ? LA_OK : e;
	}
	struct buf *b = &r->body;
	struct buf title;
	buf_init(&title, LISTNAME_MAX + 64);
	buf_adds(&title, list ? list : "all lists");
	buf_adds(&title, ": the latest messages");
	buf_reset(b);
	page_open(c, b, &(struct page_head){.title = buf_cstr(&title), .list = list});
	buf_adds(b, "<h1>");
	html_texts(b, buf_cstr(&title));
	buf_free(&title);
	buf_adds(b, "</h1>\n<p class=\"links\"><a href=\"");
	if (list)
		link_list(c, b, list);
	else
		link_list(c, b, "all");
	buf_adds(b, "new.atom\">Atom feed</a></p>\n<ul class=\"msgs\">\n");
	for (size_t i = 0; i < l.n; i++)
		entry_line(c, b, &l.v[i], !list);
	buf_adds(b, "</ul>\n");
	render_entries_free(&l);
	return page_close(c, r, 200, 60);
}

enum la_status render_new_atom(const struct render_ctx *c, const char *list, struct response *r)
{
	struct render_entries l = {0};
	enum la_status e;
	if (list) {
		int64_t list_id;
		if ((e = store_list_id(c->st, list, &list_id)))
			return msgid_lookup_failed(c, r, e);
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
		const char *t =
			c->conf && c->conf->title ? c->conf->title : "Mailing list archives";
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
