/* serieslist.c: a list's patch series, newest first, each with its state
 * (latest version or superseded, how many patches arrived and were
 * reviewed): the page /LIST/series/ and the JSON /api/v1/LIST/series/
 * (docs/series.md, docs/api.md).  The states come from the index
 * (store_series_state), kept at every commit. */
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "msg/date.h"
#include "msg/series.h"
#include "render/html.h"
#include "render/render_int.h"
#include "util/vec.h"

/* Series a page lists (the HTML page; the API takes limit=). */
#define SERIES_PAGE_ROWS 50

/* One series listed: the series, its state, and the message that heads
 * it (its cover letter, else its first patch shown), strings owned. */
struct srow {
	struct store_series s;
	struct store_series_state ss;
	char *list, *msgid, *subject, *from_name, *from_addr;
	unsigned head_part; /* 0: the cover letter */
	bool has_head;
};

struct srows {
	struct srow *v;
	size_t n, cap;
	bool oom;
};

static bool take_srow(const struct store_series *s, const struct store_series_state *ss, void *arg)
{
	struct srows *x = arg;
	if (!vec_reserve(&x->v, &x->cap, x->n + 1, sizeof *x->v)) {
		x->oom = true;
		return false;
	}
	struct srow *w = &x->v[x->n++];
	memset(w, 0, sizeof *w);
	w->s = *s;
	w->ss = *ss;
	return true;
}

static bool take_srow_head(const struct store_entry *e, unsigned part, void *arg)
{
	struct srow *w = arg;
	w->head_part = part;
	w->list = strdup(e->list ? e->list : "");
	w->msgid = strdup(e->msgid ? e->msgid : "");
	w->subject = strdup(e->subject ? e->subject : "");
	w->from_name = strdup(e->from_name ? e->from_name : "");
	w->from_addr = strdup(e->from_addr ? e->from_addr : "");
	w->has_head = w->list && w->msgid && w->subject && w->from_name && w->from_addr;
	return false; /* the first is the head */
}

static void srows_free(struct srows *x)
{
	for (size_t i = 0; i < x->n; i++) {
		free(x->v[i].list);
		free(x->v[i].msgid);
		free(x->v[i].subject);
		free(x->v[i].from_name);
		free(x->v[i].from_addr);
	}
	free(x->v);
	memset(x, 0, sizeof *x);
}

/* The series of list_id before (before_ts, before_id), skipping offset,
 * at most limit, each with its head, into *x (srows_free). */
static enum la_status srows_load(const struct render_ctx *c, int64_t list_id, int64_t before_ts,
                                 int64_t before_id, int offset, int limit, int *total,
                                 struct srows *x)
{
	enum la_status e = store_series_list(c->st, list_id, before_ts, before_id, offset, limit,
	                                     total, take_srow, x);
	if (!e && x->oom)
		e = LA_ENOMEM;
	for (size_t i = 0; !e && i < x->n; i++) {
		e = store_series_msgs(c->st, x->v[i].s.id, take_srow_head, &x->v[i]);
		if (!e && !x->v[i].has_head && x->v[i].list)
			e = LA_ENOMEM;
	}
	return e;
}

/* Every patch arrived, and each has a Reviewed-by: or Acked-by:. */
static bool srow_reviewed(const struct srow *w)
{
	return w->ss.parts == w->s.total && w->ss.reviewed == w->s.total;
}

static void version_text(struct buf *b, const struct store_series *s)
{
	if (s->flags & MSG_SERIES_RFC)
		buf_adds(b, "RFC ");
	if (s->flags & MSG_SERIES_RESEND)
		buf_adds(b, "RESEND ");
	buf_printf(b, "v%u", s->version);
}

void render_series_link(const struct render_ctx *c, struct buf *b, int64_t list_id,
                        const char *list)
{
	/* Whether there are any, not how many: counting them reads every
	 * series of the list (34,000 at 100k messages, most of the list
	 * page's time); the series page counts them. */
	bool any = false;
	if (store_series_any(c->st, list_id, &any) != LA_OK || !any)
		return;
	buf_adds(b, "<p><a href=\"");
	link_list(c, b, list);
	buf_adds(b, "series/\">Patch series</a>, with their versions and reviews</p>\n");
}

/* ---- /LIST/series/ ---- */

static void srow_html(const struct render_ctx *c, struct buf *b, const struct srow *w)
{
	buf_adds(b, "<tr><td class=\"date\">");
	outline_date(b, w->ss.first_ts);
	buf_adds(b, "</td><td><a href=\"");
	link_msgid(c, b, w->list, w->msgid);
	buf_adds(b, "s/\">");
	subject_text(c, b, w->list, w->subject);
	buf_adds(b, "</a><br><span class=\"from\">");
	sender_text(b, w->from_name, w->from_addr);
	buf_adds(b, "</span></td><td>");
	version_text(b, &w->s);
	buf_printf(b, "</td><td class=\"part\">%u/%u</td><td>", w->ss.parts, w->s.total);
	if (srow_reviewed(w))
		buf_adds(b, "<span class=\"reviewed\">reviewed</span>");
	else
		buf_printf(b, "%u/%u reviewed", w->ss.reviewed, w->s.total);
	if (w->ss.latest)
		buf_adds(b, "<br>latest");
	else
		buf_printf(b, "<br><span class=\"superseded\">superseded by v%u</span>",
		           w->ss.newest);
	buf_adds(b, "</td></tr>\n");
}

enum la_status render_series_list(const struct render_ctx *c, const char *list, int page,
                                  struct response *r)
{
	int64_t list_id;
	enum la_status e = store_list_id(c->st, list, &list_id);
	if (e == LA_ENOTFOUND) {
		render_error(c, r, 404, "There is no such list in this archive.");
		return LA_OK;
	}
	if (page < 1)
		page = 1;
	int total = 0;
	struct srows x = {0};
	if (!e && page > INT32_MAX / SERIES_PAGE_ROWS)
		page = INT32_MAX / SERIES_PAGE_ROWS;
	if (!e)
		e = srows_load(c, list_id, INT64_MAX, INT64_MAX, (page - 1) * SERIES_PAGE_ROWS,
		               SERIES_PAGE_ROWS, &total, &x);
	if (e) {
		srows_free(&x);
		render_error(c, r, 500, "The index could not be read.");
		return e;
	}
	if (x.n == 0 && page > 1) {
		srows_free(&x);
		render_error(c, r, 404, "There is no such page of series.");
		return LA_OK;
	}
	struct buf *b = &r->body;
	buf_reset(b);
	char title[LISTNAME_MAX + 32];
	snprintf(title, sizeof title, "%s: patch series", list);
	page_open(c, b, &(struct page_head){.title = title, .list = list});
	buf_adds(b, "<div class=\"nav\">[<a href=\"");
	link_list(c, b, list);
	buf_adds(b, "\">list</a>]</div>\n<h1>");
	html_texts(b, title);
	buf_adds(b, "</h1>\n");
	buf_printf(b,
	           "<p>%d series, newest first (by their first message).  Reviewed: every "
	           "patch arrived and has a Reviewed-by: or Acked-by: (given to it, to the cover "
	           "letter, or to the same patch in an earlier version); superseded: a later "
	           "version was posted.</p>\n",
	           total);
	if (x.n) {
		buf_adds(b, "<table class=\"series\">\n<tr><th>date</th><th>series</th>"
		            "<th>version</th><th>patches</th><th>state</th></tr>\n");
		for (size_t i = 0; i < x.n; i++)
			srow_html(c, b, &x.v[i]);
		buf_adds(b, "</table>\n");
	}
	bool more = (int64_t)page * SERIES_PAGE_ROWS < total;
	if (page > 1 || more) {
		buf_adds(b, "<div class=\"nav\">");
		if (page > 1) {
			buf_adds(b, "[<a href=\"");
			link_list(c, b, list);
			if (page > 2)
				buf_printf(b, "series/?page=%d\">newer</a>] ", page - 1);
			else
				buf_adds(b, "series/\">newer</a>] ");
		}
		if (more) {
			buf_adds(b, "[<a href=\"");
			link_list(c, b, list);
			buf_printf(b, "series/?page=%d\">older</a>]", page + 1);
		}
		buf_adds(b, "</div>\n");
	}
	srows_free(&x);
	return page_close(c, r, 200, 300);
}

/* ---- /api/v1/LIST/series/ ---- */

/* The cursor (api_cursor2_write): "s", the last series' first time and
 * its id.  Opaque to clients, and stable: it names a series, not an
 * offset. */
static bool scursor_read(const char *s, int64_t *ts, int64_t *id)
{
	return api_cursor2_read(s, 's', ts, id) && *id > 0;
}

static void srow_json(const struct render_ctx *c, JsonBuilder *jb, const struct srow *w,
                      struct buf *tmp)
{
	json_builder_begin_object(jb);
	json_add_string(jb, "subject", w->subject);
	json_add_int(jb, "version", w->s.version);
	json_builder_set_member_name(jb, "rfc");
	json_builder_add_boolean_value(jb, (w->s.flags & MSG_SERIES_RFC) != 0);
	json_builder_set_member_name(jb, "resend");
	json_builder_add_boolean_value(jb, (w->s.flags & MSG_SERIES_RESEND) != 0);
	json_builder_set_member_name(jb, "from");
	json_builder_begin_object(jb);
	json_add_string(jb, "name", w->from_name[0] ? w->from_name : NULL);
	json_add_string(jb, "address", w->from_addr);
	json_builder_end_object(jb);
	json_add_time(jb, "date", w->ss.first_ts);
	json_add_int(jb, "total", w->s.total);
	json_add_int(jb, "arrived", w->ss.parts);
	json_add_int(jb, "reviewed", w->ss.reviewed);
	json_builder_set_member_name(jb, "cover_letter");
	json_builder_add_boolean_value(jb, w->head_part == 0);
	json_add_string(jb, "change_id", w->s.change_id[0] ? w->s.change_id : NULL);
	json_builder_set_member_name(jb, "state");
	json_builder_begin_object(jb);
	json_builder_set_member_name(jb, "reviewed");
	json_builder_add_boolean_value(jb, srow_reviewed(w));
	json_builder_set_member_name(jb, "complete");
	json_builder_add_boolean_value(jb, w->ss.parts == w->s.total);
	json_builder_set_member_name(jb, "latest");
	json_builder_add_boolean_value(jb, w->ss.latest);
	json_add_int(jb, "newest_version", w->ss.newest);
	json_builder_end_object(jb);
	link_msgid(c, tmp, w->list, w->msgid);
	json_add_buf(jb, "head", tmp);
	link_msgid(c, tmp, w->list, w->msgid);
	buf_adds(tmp, "s/");
	json_add_buf(jb, "url", tmp);
	link_msgid(c, tmp, w->list, w->msgid);
	buf_adds(tmp, "s/mbox");
	json_add_buf(jb, "mbox", tmp);
	json_builder_end_object(jb);
}

enum la_status render_api_series(const struct render_ctx *c, const char *list, const char *after,
                                 int limit, struct response *r)
{
	int64_t list_id;
	enum la_status e;
	if (!api_list_id(c, list, &list_id, r, &e))
		return e;
	limit = api_limit(limit);
	int64_t before_ts = INT64_MAX, before_id = INT64_MAX;
	if (after && after[0] && !scursor_read(after, &before_ts, &before_id))
		return api_bad_cursor(r);
	/* One more than asked for tells whether there is a next page. */
	int total = 0;
	struct srows x = {0};
	e = srows_load(c, list_id, before_ts, before_id, 0, limit + 1, &total, &x);
	if (e) {
		srows_free(&x);
		return api_failed(r, e);
	}
	struct api_rows p;
	api_rows_open(&p, list, x.n, limit);
	JsonBuilder *jb = p.jb;
	json_add_string(jb, "order", "newest first");
	json_add_int(jb, "total", total);
	json_add_int(jb, "limit", limit);
	json_builder_set_member_name(jb, "series");
	json_builder_begin_array(jb);
	for (size_t i = 0; i < p.shown; i++)
		srow_json(c, jb, &x.v[i], &p.tmp);
	json_builder_end_array(jb);
	char cur[64];
	if (p.more)
		api_cursor2_write(cur, sizeof cur, 's', x.v[p.shown - 1].ss.first_ts,
		                  x.v[p.shown - 1].s.id);
	e = api_rows_send(c, &p, list, "series/", p.more ? cur : NULL, limit, e, r);
	srows_free(&x);
	return e;
}
