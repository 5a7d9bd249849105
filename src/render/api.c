/* api.c: the JSON API (/api/v1/, docs/api.md): lists, a list's messages
 * in keyset pages, one message's metadata, a thread as a tree.  JSON is
 * written with json-glib's builder and generator, never by hand. */
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "msg/date.h"
#include "render/mime.h"
#include "render/render_int.h"
#include "thread/thread.h"
#include "util/vec.h"
#include "util/civil.h"

enum la_status finish_json(JsonBuilder *jb, int status, struct response *r)
{
	JsonNode *root = json_builder_get_root(jb);
	JsonGenerator *gen = json_generator_new();
	json_generator_set_root(gen, root);
	gsize n = 0;
	gchar *text = json_generator_to_data(gen, &n);
	buf_reset(&r->body);
	buf_add(&r->body, text, n);
	buf_addc(&r->body, '\n');
	g_free(text);
	g_object_unref(gen);
	json_node_unref(root);
	r->status = status;
	r->content_type = "application/json";
	r->max_age = status == 200 ? 300 : 60;
	r->etag[0] = '\0';
	return r->body.err;
}

enum la_status render_api_error(struct response *r, int status, const char *what)
{
	struct response_stream s = response_take_stream(r);
	if (s.free)
		s.free(s.state);
	JsonBuilder *jb = json_builder_new();
	json_builder_begin_object(jb);
	json_builder_set_member_name(jb, "error");
	json_builder_add_string_value(jb, what);
	json_builder_set_member_name(jb, "status");
	json_builder_add_int_value(jb, status);
	json_builder_end_object(jb);
	enum la_status e = finish_json(jb, status, r);
	g_object_unref(jb);
	return e;
}

/* 410 for a hidden message (`listarc hide`): its reason if public. */
static void api_gone(struct response *r, const char *reason)
{
	struct response_stream s = response_take_stream(r);
	if (s.free)
		s.free(s.state);
	JsonBuilder *jb = json_builder_new();
	json_builder_begin_object(jb);
	json_builder_set_member_name(jb, "error");
	json_builder_add_string_value(jb, "this message has been removed from the archive");
	if (reason && reason[0]) {
		json_builder_set_member_name(jb, "reason");
		json_builder_add_string_value(jb, reason);
	}
	json_builder_set_member_name(jb, "status");
	json_builder_add_int_value(jb, 410);
	json_builder_end_object(jb);
	finish_json(jb, 410, r);
	r->max_age = 0;
	g_object_unref(jb);
}

/* If msgid is hidden in list_id (any list if 0), sets r to the 410. */
static bool api_hidden(const struct render_ctx *c, int64_t list_id, const char *msgid,
                       struct response *r)
{
	char reason[HIDE_REASON_MAX + 1];
	if (store_hidden_reason(c->st, list_id, msgid, reason, sizeof reason) != LA_OK)
		return false;
	api_gone(r, reason);
	return true;
}

enum la_status api_failed(struct response *r, enum la_status e)
{
	la_ignore(render_api_error(r, 500, "the index could not be read")); /* e comes first */
	return e;
}

/* ---- /api/v1/ ---- */

struct lists_ctx {
	const struct render_ctx *c;
	JsonBuilder *jb;
};

static void day_member(JsonBuilder *jb, const char *key, int day)
{
	char d[CIVIL_DAY_LEN];
	if (!day) {
		json_add_string(jb, key, NULL);
		return;
	}
	civil_daykey_format(day, '-', d);
	json_add_string(jb, key, d);
}

static bool list_object(const struct store_list_info *l, void *arg)
{
	struct lists_ctx *x = arg;
	struct buf t;
	buf_init(&t, URL_MAX);
	json_builder_begin_object(x->jb);
	json_add_string(x->jb, "name", l->name);
	json_add_int(x->jb, "messages", l->count);
	day_member(x->jb, "first_day", l->first_day);
	day_member(x->jb, "last_day", l->last_day);
	link_list(x->c, &t, l->name);
	json_add_buf(x->jb, "url", &t);
	buf_adds(&t, x->c->base);
	buf_adds(&t, "api/v1/");
	buf_adds(&t, l->name);
	buf_addc(&t, '/');
	json_add_buf(x->jb, "messages_url", &t);
	link_list(x->c, &t, l->name);
	buf_adds(&t, "new.atom");
	json_add_buf(x->jb, "feed", &t);
	json_builder_end_object(x->jb);
	buf_free(&t);
	return true;
}

enum la_status render_api_lists(const struct render_ctx *c, struct response *r)
{
	JsonBuilder *jb = json_builder_new();
	json_builder_begin_object(jb);
	json_builder_set_member_name(jb, "lists");
	json_builder_begin_array(jb);
	struct lists_ctx x = {c, jb};
	enum la_status e = store_lists(c->st, list_object, &x);
	json_builder_end_array(jb);
	json_builder_end_object(jb);
	return api_send(jb, e, r);
}

/* ---- /api/v1/LIST/: keyset pages ---- */

enum la_status api_send(JsonBuilder *jb, enum la_status e, struct response *r)
{
	if (!e)
		e = finish_json(jb, 200, r);
	else
		api_failed(r, e);
	g_object_unref(jb);
	return e;
}

int api_limit(int asked)
{
	int limit = asked > 0 ? asked : API_LIMIT_DEFAULT;
	return limit > API_LIMIT_MAX ? API_LIMIT_MAX : limit;
}

bool api_hex(const char *s, size_t n, uint64_t *out)
{
	if (n == 0 || n > 16)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		int d = s[i] >= '0' && s[i] <= '9'   ? s[i] - '0'
		        : s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10
		                                     : -1;
		if (d < 0)
			return false;
		v = v * 16 + (unsigned)d;
	}
	*out = v;
	return true;
}

bool api_list_id(const struct render_ctx *c, const char *list, int64_t *id, struct response *r,
                 enum la_status *e)
{
	*e = store_list_id(c->st, list, id);
	if (!*e)
		return true;
	if (*e == LA_ENOTFOUND)
		*e = render_api_error(r, 404, "no such list");
	else
		*e = api_failed(r, *e);
	return false;
}

enum la_status api_bad_cursor(struct response *r)
{
	return render_api_error(r, 400, "after= is not a cursor this archive gave");
}

JsonBuilder *api_doc_open(const char *list)
{
	JsonBuilder *jb = json_builder_new();
	json_builder_begin_object(jb);
	json_add_string(jb, "list", list);
	return jb;
}

size_t api_shown(size_t n, int limit, bool *more)
{
	*more = n > (size_t)limit;
	return *more ? (size_t)limit : n;
}

void api_rows_open(struct api_rows *p, const char *list, size_t n, int limit)
{
	p->shown = api_shown(n, limit, &p->more);
	buf_init(&p->tmp, URL_MAX * 3 + 64);
	p->jb = api_doc_open(list);
}

enum la_status api_rows_send(const struct render_ctx *c, struct api_rows *p, const char *list,
                             const char *rest, const char *cursor, int limit, enum la_status e,
                             struct response *r)
{
	e = api_page_send(c, p->jb, list, rest, cursor, "", limit, e ? e : p->tmp.err, r);
	buf_free(&p->tmp);
	return e;
}

enum la_status api_entries_page(enum la_status e, struct render_entries *l, int limit, bool *more,
                                struct response *r)
{
	if (!e && l->oom)
		e = LA_ENOMEM;
	if (e) {
		render_entries_free(l);
		return api_failed(r, e);
	}
	render_entries_truncate(l, api_shown(l->n, limit, more));
	return LA_OK;
}

enum la_status api_messages(const struct render_ctx *c, JsonBuilder *jb,
                            const struct render_entries *l, bool full)
{
	enum la_status e = LA_OK;
	json_builder_set_member_name(jb, "messages");
	json_builder_begin_array(jb);
	for (size_t i = 0; i < l->n && !e; i++)
		e = render_msg_json(c, jb, &l->v[i], full);
	json_builder_end_array(jb);
	return e;
}

void api_url(const struct render_ctx *c, struct buf *b, const char *list, const char *rest)
{
	buf_reset(b);
	buf_printf(b, "%sapi/v1/%s/%s", c->base, list, rest);
}

void api_next_url(const struct render_ctx *c, struct buf *b, const char *list, const char *rest,
                  const char *cursor, int limit)
{
	api_url(c, b, list, rest);
	buf_printf(b, "?after=%s&limit=%d", cursor, limit);
}

enum la_status api_page_send(const struct render_ctx *c, JsonBuilder *jb, const char *list,
                             const char *rest, const char *cursor, const char *query, int limit,
                             enum la_status e, struct response *r)
{
	json_add_string(jb, "after", cursor);
	struct buf next;
	buf_init(&next, URL_MAX * 2 + 64);
	if (cursor) {
		api_next_url(c, &next, list, rest, cursor, limit);
		buf_adds(&next, query);
		if (!e)
			e = next.err;
		json_add_buf(jb, "next", &next);
	} else {
		json_add_string(jb, "next", NULL);
	}
	buf_free(&next);
	json_builder_end_object(jb);
	return api_send(jb, e, r);
}

/* The cursor is the URL key (day, number) of the last message of a page,
 * written as "k" and hexadecimal digits of day * 10^9 + number: opaque to
 * clients, and stable, as a message's key never changes. */
void api_cursor_write(char *out, size_t n, int day, int num)
{
	snprintf(out, n, "k%llx",
	         (unsigned long long)day * 1000000000ULL + (unsigned long long)num);
}

/* The cursors of other pages: the letter, then a and b in hexadecimal,
 * '-' between ("t18e2b0c-2a"). */
void api_cursor2_write(char *out, size_t n, char letter, int64_t a, int64_t b)
{
	snprintf(out, n, "%c%llx-%llx", letter, (unsigned long long)a, (unsigned long long)b);
}

bool api_cursor2_read(const char *s, char letter, int64_t *a, int64_t *b)
{
	if (s[0] != letter)
		return false;
	s++;
	const char *dash = strchr(s, '-');
	uint64_t x, y;
	if (!dash || !api_hex(s, (size_t)(dash - s), &x) ||
	    !api_hex(dash + 1, strlen(dash + 1), &y))
		return false;
	*a = (int64_t)x;
	*b = (int64_t)y;
	return true;
}

bool api_cursor_read(const char *s, int *day, int *num)
{
	uint64_t v;
	if (s[0] != 'k' || !api_hex(s + 1, strlen(s + 1), &v))
		return false;
	unsigned long long dd = v / 1000000000ULL, nn = v % 1000000000ULL;
	if (dd > 99991231ULL)
		return false;
	*day = (int)dd;
	*num = (int)nn;
	return true;
}

enum la_status render_api_list(const struct render_ctx *c, const char *list,
                               const struct render_api_query *q, struct response *r)
{
	int64_t list_id;
	enum la_status e;
	if (!api_list_id(c, list, &list_id, r, &e))
		return e;
	int limit = api_limit(q->limit);
	/* Newest first, unless a range is asked for: then oldest first. */
	bool range = q->since || q->until;
	int since = q->since ? q->since : 0, until = q->until ? q->until : 99991231;
	int after_day = range ? 0 : 99999999, after_num = 0;
	if (q->after && q->after[0] && !api_cursor_read(q->after, &after_day, &after_num))
		return api_bad_cursor(r);
	/* One more than asked for tells whether there is a next page. */
	struct render_entries l = {0};
	bool more;
	e = store_list_msgs(c->st, list_id, since, until, after_day, after_num, !range, limit + 1,
	                    render_entries_add, &l);
	if ((e = api_entries_page(e, &l, limit, &more, r)))
		return e;
	JsonBuilder *jb = api_doc_open(list);
	json_add_string(jb, "order", range ? "oldest first" : "newest first");
	day_member(jb, "since", q->since);
	day_member(jb, "until", q->until);
	json_add_int(jb, "limit", limit);
	e = api_messages(c, jb, &l, false);
	char cur[32], range_q[2 * CIVIL_DAY_LEN + 16] = "", d[CIVIL_DAY_LEN];
	if (more)
		api_cursor_write(cur, sizeof cur, l.v[l.n - 1].day, l.v[l.n - 1].num);
	if (q->since) {
		civil_daykey_format(q->since, '-', d);
		snprintf(range_q, sizeof range_q, "&since=%s", d);
	}
	if (q->until) {
		civil_daykey_format(q->until, '-', d);
		snprintf(range_q + strlen(range_q), sizeof range_q - strlen(range_q), "&until=%s",
		         d);
	}
	e = api_page_send(c, jb, list, "", more ? cur : NULL, range_q, limit, e, r);
	render_entries_free(&l);
	return e;
}

/* ---- one message, by date URL or Message-ID ---- */

enum la_status render_api_msg(const struct render_ctx *c, const char *list, int day, int num,
                              struct response *r)
{
	int64_t list_id;
	enum la_status e;
	if (!api_list_id(c, list, &list_id, r, &e))
		return e;
	struct render_entries l = {0};
	e = store_day_msgs(c->st, list_id, day, num, 1, render_entries_add, &l);
	if (!e && l.oom)
		e = LA_ENOMEM;
	if (!e && (l.n == 0 || l.v[0].num != num)) {
		render_entries_free(&l);
		struct store_msg m;
		if (store_msg_get(c->st, list_id, day, num, &m) == LA_OK) {
			bool hidden = api_hidden(c, list_id, m.msgid, r);
			store_msg_clear(&m);
			if (hidden)
				return LA_OK;
		}
		return render_api_error(r, 404, "no such message");
	}
	JsonBuilder *jb = json_builder_new();
	if (!e)
		e = render_msg_json(c, jb, &l.v[0], true);
	render_entries_free(&l);
	return api_send(jb, e, r);
}

/* The messages with msgid (in list, or every list if NULL) into l;
 * LA_ENOTFOUND (with r set to the 404) if the list is unknown or no
 * message has the ID. */
static enum la_status api_by_msgid(const struct render_ctx *c, const char *list, const char *msgid,
                                   struct render_entries *l, int64_t *list_id, struct response *r)
{
	*list_id = 0;
	enum la_status e = LA_OK;
	if (list && (e = store_list_id(c->st, list, list_id)) == LA_ENOTFOUND) {
		e = render_api_error(r, 404, "no such list");
		return e ? e : LA_ENOTFOUND;
	}
	if (!e)
		e = store_msgs_by_msgid(c->st, msgid, *list_id, render_entries_add, l);
	if (!e && l->oom)
		e = LA_ENOMEM;
	if (e)
		return api_failed(r, e);
	if (l->n == 0) {
		if (!api_hidden(c, *list_id, msgid, r)) {
			enum la_status ae =
				render_api_error(r, 404, "no message has this Message-ID");
			if (ae)
				return ae;
		}
		return LA_ENOTFOUND;
	}
	return LA_OK;
}

/* api_by_msgid with its failures answered: true with the messages (one
 * at least) in l; false with l freed, r the answer and *e the status to
 * return. */
static bool api_msgid_find(const struct render_ctx *c, const char *list, const char *msgid,
                           struct render_entries *l, int64_t *list_id, struct response *r,
                           enum la_status *e)
{
	*e = api_by_msgid(c, list, msgid, l, list_id, r);
	if (*e == LA_OK)
		return true;
	render_entries_free(l);
	if (*e == LA_ENOTFOUND)
		*e = LA_OK;
	return false;
}

enum la_status render_api_msgid(const struct render_ctx *c, const char *list, const char *msgid,
                                struct response *r)
{
	struct render_entries l = {0};
	int64_t list_id;
	enum la_status e;
	if (!api_msgid_find(c, list, msgid, &l, &list_id, r, &e))
		return e;
	JsonBuilder *jb = json_builder_new();
	json_builder_begin_object(jb);
	json_add_string(jb, "message_id", msgid);
	e = api_messages(c, jb, &l, true);
	json_builder_end_object(jb);
	render_entries_free(&l);
	return api_send(jb, e, r);
}

/* ---- a thread as a tree ---- */

struct id_text {
	int64_t id;
	char *mid;
};

struct thread_ids {
	struct thread_id_in *ids;
	struct id_text *text; /* sorted by id once collected */
	size_t n, capids, captext;
	bool oom;
};

static bool take_thread_id(int64_t id, int64_t parent, const char *mid, void *arg)
{
	struct thread_ids *x = arg;
	if (!vec_reserve(&x->ids, &x->capids, x->n + 1, sizeof *x->ids) ||
	    !vec_reserve(&x->text, &x->captext, x->n + 1, sizeof *x->text)) {
		x->oom = true;
		return false;
	}
	x->ids[x->n] = (struct thread_id_in){id, parent};
	x->text[x->n].id = id;
	x->text[x->n].mid = strdup(mid);
	if (!x->text[x->n].mid) {
		x->oom = true;
		return false;
	}
	x->n++;
	return true;
}

static int by_id(const void *a, const void *b)
{
	const struct id_text *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

static const char *mid_text(const struct thread_ids *x, int64_t id)
{
	struct id_text key = {id, NULL};
	const struct id_text *t = bsearch(&key, x->text, x->n, sizeof *x->text, by_id);
	return t ? t->mid : "";
}

static void thread_ids_free(struct thread_ids *x)
{
	for (size_t i = 0; i < x->n; i++)
		free(x->text[i].mid);
	free(x->text);
	free(x->ids);
}

enum la_status render_api_thread(const struct render_ctx *c, const char *list, const char *msgid,
                                 struct response *r)
{
	struct render_entries l = {0};
	int64_t list_id;
	enum la_status e;
	if (!api_msgid_find(c, list, msgid, &l, &list_id, r, &e))
		return e;
	int64_t thread = l.v[0].thread;
	render_entries_free(&l);
	memset(&l, 0, sizeof l);
	struct thread_ids ids = {0};
	struct thread_tree t = {0};
	e = store_thread_ids(c->st, thread, THREAD_NODES_MAX + 1, take_thread_id, &ids);
	if (!e)
		e = store_thread_msgs(c->st, thread, list_id, THREAD_NODES_MAX * 2,
		                      render_entries_add, &l);
	if (!e && (ids.oom || l.oom))
		e = LA_ENOMEM;
	struct thread_msg_in *in = NULL;
	if (!e && !(in = malloc((l.n ? l.n : 1) * sizeof *in)))
		e = LA_ENOMEM;
	if (!e) {
		for (size_t i = 0; i < l.n; i++)
			in[i] = (struct thread_msg_in){l.v[i].mid, l.v[i].ts, (int64_t)i};
		if (!thread_build(ids.ids, ids.n, in, l.n, &t))
			e = LA_ENOMEM;
		qsort(ids.text, ids.n, sizeof *ids.text, by_id);
	}
	free(in);
	JsonBuilder *jb = json_builder_new();
	if (!e) {
		json_builder_begin_object(jb);
		json_add_string(jb, "message_id", msgid);
		json_add_string(jb, "list", list);
		json_add_int(jb, "thread", thread);
		json_add_int(jb, "messages", (int64_t)l.n);
		json_builder_set_member_name(jb, "cut");
		json_builder_add_boolean_value(jb, t.cut);
		json_builder_set_member_name(jb, "tree");
		json_builder_begin_array(jb);
		/* Rows come depth first; a stack of open nodes follows them,
		 * and the Message-ID at each depth gives a row its parent. */
		int open = 0;
		const char **at_depth = malloc((t.nrows + 1) * sizeof *at_depth);
		if (!at_depth)
			e = LA_ENOMEM;
		for (size_t i = 0; i < t.nrows && !e; i++) {
			int d = t.rows[i].depth;
			if (d < 0 || (size_t)d > t.nrows)
				d = 0;
			int at = d > API_NEST_MAX ? API_NEST_MAX : d;
			if (at > open)
				at = open; /* never more than one below the open node */
			while (open > at) {
				json_builder_end_array(jb);
				json_builder_end_object(jb);
				open--;
			}
			const char *mid = mid_text(&ids, t.rows[i].mid);
			at_depth[d] = mid;
			json_builder_begin_object(jb);
			json_add_string(jb, "message_id", mid);
			json_add_int(jb, "depth", d);
			json_add_string(jb, "parent", d > 0 ? at_depth[d - 1] : NULL);
			json_builder_set_member_name(jb, "ghost");
			json_builder_add_boolean_value(jb, t.rows[i].ghost);
			if (!t.rows[i].ghost) {
				json_builder_set_member_name(jb, "message");
				e = render_msg_json(c, jb, &l.v[t.rows[i].key], false);
			}
			json_builder_set_member_name(jb, "replies");
			json_builder_begin_array(jb);
			if (open < API_NEST_MAX) {
				open++;
			} else {
				/* Too deep to nest: a node without replies of its own. */
				json_builder_end_array(jb);
				json_builder_end_object(jb);
			}
		}
		free(at_depth);
		while (open > 0) {
			json_builder_end_array(jb);
			json_builder_end_object(jb);
			open--;
		}
		json_builder_end_array(jb);
		json_builder_end_object(jb);
	}
	e = api_send(jb, e, r);
	thread_tree_free(&t);
	thread_ids_free(&ids);
	render_entries_free(&l);
	return e;
}
