/* topics.c: a list's threads, latest activity first (/LIST/topics/), its
 * new threads as Atom (/LIST/topics/new.atom), and a sender's page
 * (/LIST/from/HASH/: their messages and threads, newest first).  All of
 * it is read from the figures the index keeps (store/stats.c), never
 * counted here.  A sender's page is named by a hash of their address
 * (store_sender_hash), so that no URL shows an address the pages
 * obfuscate.  The API gives the same as JSON (/api/v1/LIST/topics/,
 * /api/v1/LIST/from/HASH/ and its topics/), in keyset pages. */
#include <json-glib/json-glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg/date.h"
#include "render/html.h"
#include "render/render_int.h"
#include "util/civil.h"
#include "util/vec.h"

/* Threads and messages a page. */
#define TOPICS_PAGE 50
#define SENDER_PAGE 50
/* Entries of the new topics' feed. */
#define TOPICS_FEED 25

static enum la_status failed(const struct render_ctx *c, struct response *r, enum la_status e)
{
	render_error(c, r, 500, "The index could not be read.");
	return e;
}

/* t's time element: its day "YYYY-MM-DD" (UTC) shown, the time to the
 * second in UTC on hover (title) and for machines (datetime), as the
 * message page gives its date (a page without script cannot know the
 * reader's zone). */
static void time_of(const struct render_ctx *c, struct buf *b, int64_t t, const char *shown)
{
	char iso[DATE_RFC3339_LEN];
	date_rfc3339(t, iso);
	/* (The title in the reader's zone, if one was chosen: zone.c.) */
	if (!time_open(c, b, t, false, 0))
		buf_printf(b, "<time datetime=\"%s\">", iso);
	if (shown)
		buf_adds(b, shown);
	else
		buf_printf(b, "%.10s", iso);
	buf_adds(b, "</time>");
}

/* "[<prev page] [next page>] page P of N: what"; url: the listing's own. */
static void pager(struct buf *b, const char *url, int page, int pages, const char *what)
{
	buf_adds(b, "<div class=\"nav pages\">");
	if (page > 1) {
		buf_adds(b, "[<a href=\"");
		buf_adds(b, url);
		if (page > 2)
			buf_printf(b, "?page=%d", page - 1);
		buf_adds(b, "\">&lt;prev page</a>] ");
	}
	if (page < pages) {
		buf_adds(b, "[<a href=\"");
		buf_adds(b, url);
		buf_printf(b, "?page=%d\">next page&gt;</a>] ", page + 1);
	}
	buf_printf(b, "page %d of %d", page, pages);
	if (what && *what)
		buf_printf(b, ": %s", what);
	buf_adds(b, "</div>\n");
}

/* ---- the topics page ---- */

struct rows {
	const struct render_ctx *c;
	struct buf *b;
	const char *list;
	bool sender; /* a sender's page: their messages in each thread */
	int n;
};

static bool topic_row(const struct store_topic *t, void *arg)
{
	struct rows *x = arg;
	struct buf *b = x->b;
	buf_adds(b, "<tr><td>");
	topic_link(x->c, b, x->list, t);
	buf_adds(b, "</td><td>");
	if (t->starter.from_addr[0]) {
		buf_adds(b, "<a href=\"");
		link_sender(x->c, b, x->list, t->starter.from_addr);
		buf_adds(b, "\">");
		sender_text(b, t->starter.from_name, t->starter.from_addr);
		buf_adds(b, "</a>");
	} else {
		sender_text(b, t->starter.from_name, t->starter.from_addr);
	}
	buf_printf(b, "</td><td class=\"n\">%lld</td>", (long long)t->n);
	if (x->sender)
		buf_printf(b, "<td class=\"n\">%lld</td>", (long long)t->n_period);
	else
		buf_printf(b, "<td class=\"n\">%lld</td>", (long long)t->senders);
	buf_adds(b, "<td class=\"date\">");
	time_of(x->c, b, t->first_ts, NULL);
	buf_adds(b, "</td><td class=\"date\">");
	time_of(x->c, b, t->last_ts, NULL);
	buf_adds(b, "</td></tr>\n");
	x->n++;
	return true;
}

static void topics_head(struct buf *b, bool sender)
{
	buf_adds(b, "<table class=\"topics\">\n<tr><th>thread</th><th>started by</th>"
	            "<th>messages</th>");
	buf_adds(b, sender ? "<th>theirs</th>" : "<th>participants</th>");
	buf_adds(b, "<th>first</th><th>last</th></tr>\n");
}

/* The list's id, or a 404 page in r (false). */
static bool find_list(const struct render_ctx *c, const char *list, int64_t *id, struct response *r)
{
	if (store_list_id(c->st, list, id) == LA_OK)
		return true;
	render_error(c, r, 404, "There is no such list in this archive.");
	return false;
}

enum la_status render_topics(const struct render_ctx *c, const char *list, int page,
                             struct response *r)
{
	int64_t id, count;
	if (!find_list(c, list, &id, r))
		return LA_OK;
	enum la_status e = store_topics_count(c->st, id, &count);
	if (e)
		return failed(c, r, e);
	int pages = count ? (int)((count - 1) / TOPICS_PAGE + 1) : 1;
	if (page < 1 || page > pages) {
		render_error(c, r, 404, "This list has no such page of threads.");
		return LA_OK;
	}
	struct buf *b = &r->body;
	buf_reset(b);
	char title[LISTNAME_MAX + 64];
	snprintf(title, sizeof title, "%s mailing list - threads", list);
	page_open(c, b, &(struct page_head){.title = title, .list = list});
	struct buf u;
	buf_init(&u, URL_MAX);
	link_list(c, &u, list);
	buf_adds(b, "<div class=\"nav\">");
	nav_item(b, "list", buf_cstr(&u));
	buf_adds(&u, "topics/");
	buf_adds(b, "</div>\n<h1>");
	html_texts(b, title);
	buf_adds(b, "</h1>\n<p class=\"links\"><a href=\"");
	buf_adds(b, buf_cstr(&u));
	buf_printf(b,
	           "new.atom\">Atom feed of new threads</a></p>\n<p>%lld thread%s, latest"
	           " activity first</p>\n",
	           (long long)count, count == 1 ? "" : "s");
	char what[64];
	int64_t first = (int64_t)(page - 1) * TOPICS_PAGE;
	snprintf(what, sizeof what, "threads %lld to %lld", (long long)first + 1,
	         (long long)(first + TOPICS_PAGE < count ? first + TOPICS_PAGE : count));
	if (pages > 1)
		pager(b, buf_cstr(&u), page, pages, what);
	topics_head(b, false);
	struct rows x = {c, b, list, false, 0};
	e = store_topics(c->st, id, false, first, TOPICS_PAGE, topic_row, &x);
	buf_adds(b, "</table>\n");
	if (!e && pages > 1)
		pager(b, buf_cstr(&u), page, pages, what);
	buf_free(&u);
	if (e)
		return failed(c, r, e);
	return page_close(c, r, 200, 300);
}

static bool collect_starter(const struct store_topic *t, void *arg)
{
	return render_entries_add(&t->starter, arg);
}

enum la_status render_topics_atom(const struct render_ctx *c, const char *list, struct response *r)
{
	int64_t id;
	if (!find_list(c, list, &id, r))
		return LA_OK;
	struct render_entries l = {0};
	enum la_status e = store_topics(c->st, id, true, 0, TOPICS_FEED, collect_starter, &l);
	if (!e && l.oom)
		e = LA_ENOMEM;
	if (e) {
		render_entries_free(&l);
		return failed(c, r, e);
	}
	struct buf title, self, alt;
	buf_init(&title, LISTNAME_MAX + 64);
	buf_init(&self, URL_MAX);
	buf_init(&alt, URL_MAX);
	buf_adds(&title, list);
	buf_adds(&title, " mailing list - new threads");
	link_list(c, &alt, list);
	buf_adds(&alt, "topics/");
	link_list(c, &self, list);
	buf_adds(&self, "topics/new.atom");
	char key[LISTNAME_MAX + 16];
	snprintf(key, sizeof key, "topics %s", list);
	struct render_feed f = {buf_cstr(&title), buf_cstr(&self), buf_cstr(&alt), key};
	e = render_atom(c, &f, &l, r);
	render_entries_free(&l);
	buf_free(&title);
	buf_free(&self);
	buf_free(&alt);
	return e;
}

/* ---- a sender's page ---- */

static bool msg_row(const struct store_entry *e, void *arg)
{
	struct rows *x = arg;
	struct buf *b = x->b;
	char day[CIVIL_DAY_LEN];
	civil_daykey_format(e->day, '/', day);
	buf_adds(b, "<li><span class=\"date\">");
	/* The day of its URL shown; its Date: (else its delivery) on hover. */
	time_of(x->c, b, e->has_date ? e->date : e->ts, day);
	buf_adds(b, "</span> <a href=\"");
	link_msg(x->c, b, e->list, e->day, e->num);
	buf_adds(b, "\">");
	subject_text(x->c, b, e->list, e->subject);
	buf_adds(b, "</a></li>\n");
	x->n++;
	return true;
}

enum la_status render_sender(const struct render_ctx *c, const char *list, const char *hash,
                             int page, struct response *r)
{
	int64_t id;
	if (!find_list(c, list, &id, r))
		return LA_OK;
	struct store_sender s;
	char text[ADDR_MAX + NAME_MAX_BYTES + STORE_SENDER_HASH_LEN + 8];
	enum la_status e = store_sender_get(c->st, id, hash, &s, text, sizeof text);
	if (e == LA_ENOTFOUND) {
		render_error(c, r, 404, "This list has no messages from that sender.");
		return LA_OK;
	}
	int64_t nthreads = 0;
	if (e || (e = store_sender_thread_count(c->st, id, s.id, &nthreads)))
		return failed(c, r, e);
	int64_t most = s.n > nthreads ? s.n : nthreads;
	int pages = most ? (int)((most - 1) / SENDER_PAGE + 1) : 1;
	if (page < 1 || page > pages) {
		render_error(c, r, 404, "This sender has no such page.");
		return LA_OK;
	}
	struct buf *b = &r->body;
	buf_reset(b);
	/* The title in plain text: the name, else the address obfuscated as
	 * the pages show it, never the address itself. */
	struct buf name, title;
	buf_init(&name, NAME_MAX_BYTES * 6 + ADDR_MAX * 6 + 16);
	sender_text(&name, s.name, s.addr);
	buf_init(&title, NAME_MAX_BYTES + ADDR_MAX + LISTNAME_MAX + 32);
	buf_adds(&title, "Messages from ");
	const char *who = s.name[0] ? s.name : s.addr;
	text_obfuscate(&title, who, strlen(who));
	buf_adds(&title, " - ");
	buf_adds(&title, list);
	page_open(c, b, &(struct page_head){.title = buf_cstr(&title), .list = list});
	struct buf u;
	buf_init(&u, URL_MAX);
	link_list(c, &u, list);
	buf_adds(b, "<div class=\"nav\">");
	nav_item(b, "list", buf_cstr(&u));
	buf_adds(b, "</div>\n<h1>Messages from ");
	buf_add(b, name.data ? name.data : "", name.len);
	buf_adds(b, "</h1>\n<p>");
	if (s.name[0]) {
		buf_adds(b, "<code>");
		html_obfuscated(b, s.addr, strlen(s.addr));
		buf_adds(b, "</code>: ");
	}
	buf_printf(b, "%lld message%s in ", (long long)s.n, s.n == 1 ? "" : "s");
	html_texts(b, list);
	buf_printf(b, ", in %lld thread%s; the latest on ", (long long)nthreads,
	           nthreads == 1 ? "" : "s");
	time_of(c, b, s.last_ts, NULL);
	buf_adds(b, "</p>\n");
	buf_free(&name);
	buf_free(&title);
	buf_adds(&u, "from/");
	buf_adds(&u, s.hash);
	buf_addc(&u, '/');
	if (pages > 1)
		pager(b, buf_cstr(&u), page, pages, NULL);
	int64_t first = (int64_t)(page - 1) * SENDER_PAGE;
	struct rows x = {c, b, list, true, 0};
	if (first < nthreads) {
		buf_printf(b, "<h2>Threads, latest activity first (%lld to %lld of %lld)</h2>\n",
		           (long long)first + 1,
		           (long long)(first + SENDER_PAGE < nthreads ? first + SENDER_PAGE
		                                                      : nthreads),
		           (long long)nthreads);
		topics_head(b, true);
		e = store_sender_threads(c->st, id, s.id, first, SENDER_PAGE, topic_row, &x);
		buf_adds(b, "</table>\n");
	}
	if (!e && first < s.n) {
		buf_printf(b, "<h2>Messages, newest first (%lld to %lld of %lld)</h2>\n",
		           (long long)first + 1,
		           (long long)(first + SENDER_PAGE < s.n ? first + SENDER_PAGE : s.n),
		           (long long)s.n);
		buf_adds(b, "<ul class=\"msgs\">\n");
		e = store_sender_msgs(c->st, id, s.addr, first, SENDER_PAGE, msg_row, &x);
		buf_adds(b, "</ul>\n");
	}
	if (!e && pages > 1)
		pager(b, buf_cstr(&u), page, pages, NULL);
	buf_free(&u);
	if (e)
		return failed(c, r, e);
	return page_close(c, r, 200, 300);
}

void render_sender_note(const struct render_ctx *c, struct buf *b, const struct store_msg *m)
{
	if (!m->from_addr || !m->from_addr[0])
		return;
	buf_adds(b, "<p class=\"sender-note\">More from this sender: <a href=\"");
	link_sender(c, b, m->list, m->from_addr);
	buf_adds(b, "\">");
	sender_text(b, m->from_name, m->from_addr);
	buf_adds(b, "</a></p>\n");
}

/* ---- the API: /api/v1/LIST/topics/, /api/v1/LIST/from/HASH/[topics/] ---- */

/* A topic's figures, its starter kept apart (in a struct render_entries). */
struct topic_nums {
	int64_t thread, n, senders, first_ts, last_ts, n_period;
};

struct topic_page {
	struct render_entries starters;
	struct topic_nums *v;
	size_t n, cap;
	bool oom;
};

static bool collect_topic(const struct store_topic *t, void *arg)
{
	struct topic_page *x = arg;
	if (!vec_reserve(&x->v, &x->cap, x->n + 1, sizeof *x->v) ||
	    !render_entries_add(&t->starter, &x->starters)) {
		x->oom = true;
		return false;
	}
	x->v[x->n++] = (struct topic_nums){t->thread,   t->n,       t->senders,
	                                   t->first_ts, t->last_ts, t->n_period};
	return true;
}

static void topic_page_free(struct topic_page *x)
{
	render_entries_free(&x->starters);
	free(x->v);
}

/* A page of topics: of the list (sender NULL), or of the sender's.  Its
 * cursor (api_cursor2_write) is "t", the last topic's last time and its
 * thread: opaque to clients, and stable (it names a place in the order,
 * not an offset). */
static enum la_status api_topics(const struct render_ctx *c, const char *list, int64_t list_id,
                                 const struct store_sender *sender, const char *after, int limit,
                                 struct response *r)
{
	limit = api_limit(limit);
	struct store_topic_key before = {INT64_MAX, INT64_MAX};
	if (after && after[0] && !api_cursor2_read(after, 't', &before.last_ts, &before.thread))
		return api_bad_cursor(r);
	int64_t total = 0;
	enum la_status e = sender ? store_sender_thread_count(c->st, list_id, sender->id, &total)
	                          : store_topics_count(c->st, list_id, &total);
	struct topic_page x = {0};
	/* One more than asked for tells whether there is a next page. */
	if (!e)
		e = store_topics_before(c->st, list_id, sender ? sender->id : 0, before, limit + 1,
		                        collect_topic, &x);
	if (!e && (x.oom || x.starters.oom))
		e = LA_ENOMEM;
	if (e) {
		topic_page_free(&x);
		return api_failed(r, e);
	}
	struct api_rows p;
	api_rows_open(&p, list, x.n, limit);
	JsonBuilder *jb = p.jb;
	if (sender)
		json_add_string(jb, "sender", sender->hash);
	json_add_string(jb, "order", "latest activity first");
	json_add_int(jb, "total", total);
	json_add_int(jb, "limit", limit);
	json_builder_set_member_name(jb, "topics");
	json_builder_begin_array(jb);
	for (size_t i = 0; i < p.shown && !e; i++) {
		const struct topic_nums *t = &x.v[i];
		const struct store_entry *s = &x.starters.v[i];
		json_builder_begin_object(jb);
		json_add_int(jb, "thread", t->thread);
		json_add_int(jb, "messages", t->n);
		json_add_int(jb, "participants", t->senders);
		if (sender)
			json_add_int(jb, "theirs", t->n_period);
		json_add_time(jb, "first", t->first_ts);
		json_add_time(jb, "last", t->last_ts);
		link_msgid(c, &p.tmp, list, s->msgid);
		buf_adds(&p.tmp, "T/");
		json_add_buf(jb, "url", &p.tmp);
		json_builder_set_member_name(jb, "starter");
		e = render_msg_json(c, jb, s, false);
		json_builder_end_object(jb);
	}
	json_builder_end_array(jb);
	char cur[64], rest[STORE_SENDER_HASH_LEN + 16] = "topics/";
	if (p.more)
		api_cursor2_write(cur, sizeof cur, 't', x.v[p.shown - 1].last_ts,
		                  x.v[p.shown - 1].thread);
	if (sender)
		snprintf(rest, sizeof rest, "from/%s/topics/", sender->hash);
	e = api_rows_send(c, &p, list, rest, p.more ? cur : NULL, limit, e, r);
	topic_page_free(&x);
	return e;
}

enum la_status render_api_topics(const struct render_ctx *c, const char *list, const char *after,
                                 int limit, struct response *r)
{
	int64_t id;
	enum la_status e;
	if (!api_list_id(c, list, &id, r, &e))
		return e;
	return api_topics(c, list, id, NULL, after, limit, r);
}

enum la_status render_api_sender(const struct render_ctx *c, const char *list, const char *hash,
                                 bool topics, const char *after, int limit, struct response *r)
{
	int64_t id;
	enum la_status e;
	if (!api_list_id(c, list, &id, r, &e))
		return e;
	struct store_sender s;
	char text[ADDR_MAX + NAME_MAX_BYTES + STORE_SENDER_HASH_LEN + 8];
	e = store_sender_get(c->st, id, hash, &s, text, sizeof text);
	if (e == LA_ENOTFOUND)
		return render_api_error(r, 404, "this list has no messages from that sender");
	if (e)
		return api_failed(r, e);
	if (topics)
		return api_topics(c, list, id, &s, after, limit, r);
	limit = api_limit(limit);
	int before_day = 99999999, before_num = 0;
	if (after && after[0] && !api_cursor_read(after, &before_day, &before_num))
		return api_bad_cursor(r);
	int64_t nthreads = 0;
	struct render_entries l = {0};
	bool more;
	e = store_sender_thread_count(c->st, id, s.id, &nthreads);
	if (!e)
		e = store_sender_msgs_before(c->st, id, s.addr, before_day, before_num, limit + 1,
		                             render_entries_add, &l);
	if ((e = api_entries_page(e, &l, limit, &more, r)))
		return e;
	struct buf tmp;
	buf_init(&tmp, URL_MAX * 2 + 64);
	char rest[STORE_SENDER_HASH_LEN + 16];
	JsonBuilder *jb = api_doc_open(list);
	json_builder_set_member_name(jb, "sender");
	json_builder_begin_object(jb);
	json_add_string(jb, "name", s.name[0] ? s.name : NULL);
	json_add_string(jb, "address", s.addr);
	json_add_string(jb, "hash", s.hash);
	json_add_int(jb, "messages", s.n);
	json_add_int(jb, "threads", nthreads);
	json_add_time(jb, "last", s.last_ts);
	link_sender(c, &tmp, list, s.addr);
	json_add_buf(jb, "url", &tmp);
	snprintf(rest, sizeof rest, "from/%s/topics/", s.hash);
	api_url(c, &tmp, list, rest);
	json_add_buf(jb, "topics", &tmp);
	json_builder_end_object(jb);
	json_add_string(jb, "order", "newest first");
	json_add_int(jb, "limit", limit);
	e = api_messages(c, jb, &l, false);
	char cur[32];
	if (more)
		api_cursor_write(cur, sizeof cur, l.v[l.n - 1].day, l.v[l.n - 1].num);
	snprintf(rest, sizeof rest, "from/%s/", s.hash);
	e = api_page_send(c, jb, list, rest, more ? cur : NULL, "", limit, e ? e : tmp.err, r);
	buf_free(&tmp);
	render_entries_free(&l);
	return e;
}
