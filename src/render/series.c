/* series.c: a patch series as a page (/LIST/MSGID/s/): its cover letter,
 * every patch in order with the trailers its replies gave, the patches
 * that never arrived, and its other versions; and the line a message page
 * of a patch or cover letter shows about its series (docs/series.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <strings.h>
#include <zlib.h>

#include "limits.h"
#include "msg/header.h"
#include "msg/msg.h"
#include "msg/series.h"
#include "render/html.h"
#include "render/render_int.h"
#include "util/hash.h"
#include "util/vec.h"

/* Versions listed at most. */
#define VERSIONS_MAX 32
/* Text of a reply read for its trailers (they come before long quotes
 * end, usually in the first lines). */
#define REPLY_TEXT_MAX (256 * 1024)
/* Parent links walked from a reply up to the patch it answers. */
#define WALK_MAX 256

struct trailer {
	enum msg_trailer_kind kind;
	char *value;
	char *list;
	int day, num;     /* the reply that gave it */
	unsigned carried; /* the version it was given to, when an earlier one; else 0 */
};

struct sitem {
	int64_t id, mid, thread, ts;
	int day, num;
	unsigned part;
	char *list, *subject, *from, *msgid;
	int replies;
	struct trailer *tr;
	size_t ntr, captr;
	char (*pids)[PATCHID_HEX + 1]; /* its patch ids, once loaded */
	size_t npids;
	bool pids_loaded;
};

struct series_page {
	struct sitem *v;
	size_t n, cap;
	bool oom;
};

static char *dup_str(const char *s, bool *oom)
{
	char *d = strdup(s ? s : "");
	if (!d)
		*oom = true;
	return d;
}

static bool take_item(const struct store_entry *e, unsigned part, void *arg)
{
	struct series_page *p = arg;
	if (!vec_reserve(&p->v, &p->cap, p->n + 1, sizeof *p->v)) {
		p->oom = true;
		return false;
	}
	struct sitem *it = &p->v[p->n++];
	memset(it, 0, sizeof *it);
	it->id = e->id;
	it->mid = e->mid;
	it->thread = e->thread;
	it->ts = e->has_date ? e->date : e->ts;
	it->day = e->day;
	it->num = e->num;
	it->part = part;
	it->list = dup_str(e->list, &p->oom);
	it->subject = dup_str(e->subject, &p->oom);
	it->from = dup_str(e->from_name[0] ? e->from_name : e->from_addr, &p->oom);
	it->msgid = dup_str(e->msgid, &p->oom);
	return !p->oom;
}

static void page_free_item(struct sitem *it)
{
	free(it->list);
	free(it->subject);
	free(it->from);
	free(it->msgid);
	for (size_t k = 0; k < it->ntr; k++) {
		free(it->tr[k].value);
		free(it->tr[k].list);
	}
	free(it->tr);
	free(it->pids);
}

static void page_free(struct series_page *p)
{
	for (size_t i = 0; i < p->n; i++)
		page_free_item(&p->v[i]);
	free(p->v);
	memset(p, 0, sizeof *p);
}

/* ---- replies and their trailers ---- */

struct reply {
	int64_t id, mid, parent;
	int day, num;
};

struct replies {
	struct reply *v;
	size_t n, cap;
	bool oom;
};

static bool take_reply(const struct store_entry *e, void *arg)
{
	struct replies *r = arg;
	if (!vec_reserve(&r->v, &r->cap, r->n + 1, sizeof *r->v)) {
		r->oom = true;
		return false;
	}
	r->v[r->n++] = (struct reply){e->id, e->mid, e->parent, e->day, e->num};
	return true;
}

/* A parent link of the thread (ghosts too: a reply whose parent never
 * arrived still reaches the patch above it). */
static bool take_link(int64_t id, int64_t parent, const char *mid, void *arg)
{
	(void)mid;
	struct replies *r = arg;
	if (!vec_reserve(&r->v, &r->cap, r->n + 1, sizeof *r->v)) {
		r->oom = true;
		return false;
	}
	r->v[r->n++] = (struct reply){0, id, parent, 0, 0};
	return true;
}

static int by_mid(const void *a, const void *b)
{
	const struct reply *x = a, *y = b;
	return x->mid < y->mid ? -1 : x->mid > y->mid;
}

static const struct reply *find_mid(const struct replies *r, int64_t mid)
{
	struct reply key = {0, mid, 0, 0, 0};
	return bsearch(&key, r->v, r->n, sizeof *r->v, by_mid);
}

/* The item whose Message-ID is mid (its first copy), or NULL. */
static struct sitem *item_by_mid(struct series_page *p, int64_t mid)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].mid == mid)
			return &p->v[i];
	return NULL;
}

struct trailer_ctx {
	struct sitem *it;
	const struct store_msg *m;
	bool oom;
};

/* Adds a trailer to it unless it has one of the same kind and value
 * already (said twice, or carried and given again: shown once).  False
 * when out of memory. */
static bool item_trailer(struct sitem *it, enum msg_trailer_kind k, const char *v, size_t vn,
                         const char *list, int day, int num, unsigned carried)
{
	for (size_t i = 0; i < it->ntr; i++)
		if (it->tr[i].kind == k && strlen(it->tr[i].value) == vn &&
		    memcmp(it->tr[i].value, v, vn) == 0)
			return true;
	if (!vec_reserve(&it->tr, &it->captr, it->ntr + 1, sizeof *it->tr))
		return false;
	struct trailer *t = &it->tr[it->ntr];
	t->kind = k;
	t->value = strndup(v, vn);
	t->list = strdup(list ? list : "");
	t->day = day;
	t->num = num;
	t->carried = carried;
	if (!t->value || !t->list) {
		free(t->value);
		free(t->list);
		return false;
	}
	it->ntr++;
	return true;
}

static bool add_trailer(enum msg_trailer_kind k, const char *v, size_t vn, void *arg)
{
	struct trailer_ctx *x = arg;
	if (!item_trailer(x->it, k, v, vn, x->m->list, x->m->day, x->m->num, 0)) {
		x->oom = true;
		return false;
	}
	return true;
}

/* The trailers of a thread's messages as the index holds them, by
 * message id (store_thread_trailers' order). */
struct thread_trailer {
	int64_t id;
	enum msg_trailer_kind kind;
	char *value;
};

struct thread_trailers {
	struct thread_trailer *v;
	size_t n, cap;
	bool oom;
};

static bool take_thread_trailer(int64_t id, enum msg_trailer_kind k, const char *v, void *arg)
{
	struct thread_trailers *t = arg;
	char *d = strdup(v);
	if (!d || !vec_reserve(&t->v, &t->cap, t->n + 1, sizeof *t->v)) {
		free(d);
		t->oom = true;
		return false;
	}
	t->v[t->n++] = (struct thread_trailer){id, k, d};
	return true;
}

static void thread_trailers_free(struct thread_trailers *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].value);
	free(t->v);
	memset(t, 0, sizeof *t);
}

/* The trailers reply r gave, added to the item it answers: from the
 * index (tt, when it has them) or read from the message (text: scratch). */
static enum la_status reply_trailers(const struct render_ctx *c, struct sitem *to,
                                     const struct reply *r, const struct thread_trailers *tt,
                                     struct buf *text)
{
	if (tt) {
		/* tt is in message id order: the first of r's, then the rest. */
		size_t lo = 0, hi = tt->n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (tt->v[mid].id < r->id)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t i = lo; i < tt->n && tt->v[i].id == r->id; i++)
			if (!item_trailer(to, tt->v[i].kind, tt->v[i].value, strlen(tt->v[i].value),
			                  to->list, r->day, r->num, 0))
				return LA_ENOMEM;
		return LA_OK;
	}
	struct store_msg m;
	enum la_status e = LA_OK;
	if (store_msg_by_id(c->st, r->id, &m) == LA_OK) {
		bool cut;
		buf_reset(text);
		/* A reply that cannot be read gives no trailers. */
		if (message_text(c, &m, REPLY_TEXT_MAX, text, &cut) == LA_OK) {
			struct trailer_ctx x = {to, &m, false};
			msg_series_trailers(text->data ? text->data : "", text->len, add_trailer,
			                    &x);
			if (x.oom)
				e = LA_ENOMEM;
		}
	}
	store_msg_clear(&m);
	return e;
}

/* Counts each reply under the patch (or cover letter) it answers, however
 * deep, and takes the trailers it gives: from the index, or (an index
 * without them: store_trailers_ready) from the messages' text.  p holds
 * the messages of series s shown. */
static enum la_status collect_replies(const struct render_ctx *c, struct series_page *p,
                                      const struct store_series *s)
{
	int64_t list_id = s->list_id;
	int64_t unshown[SERIES_UNSHOWN_MAX];
	size_t nunshown = 0;
	enum la_status e =
		store_series_unshown(c->st, s->id, unshown, SERIES_UNSHOWN_MAX, &nunshown);
	if (e)
		return e;
	bool indexed = store_trailers_ready(c->st);
	struct buf text;
	buf_init(&text, indexed ? 0 : REPLY_TEXT_MAX + 1024);
	for (size_t i = 0; !e && i < p->n; i++) {
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = p->v[k].thread == p->v[i].thread;
		if (seen)
			continue;
		struct replies r = {0}, links = {0};
		struct thread_trailers tt = {0};
		e = store_thread_msgs(c->st, p->v[i].thread, list_id, THREAD_NODES_MAX, take_reply,
		                      &r);
		if (!e)
			e = store_thread_ids(c->st, p->v[i].thread, THREAD_NODES_MAX, take_link,
			                     &links);
		if (!e && indexed)
			e = store_thread_trailers(c->st, p->v[i].thread, list_id,
			                          take_thread_trailer, &tt);
		if (!e && (r.oom || links.oom || tt.oom))
			e = LA_ENOMEM;
		if (!e)
			qsort(links.v, links.n, sizeof *links.v, by_mid);
		for (size_t k = 0; !e && k < r.n; k++) {
			if (item_by_mid(p, r.v[k].mid))
				continue; /* a patch of the series, not a reply to one */
			int64_t up = r.v[k].parent;
			struct sitem *to = NULL;
			for (int step = 0; up && !to && step < WALK_MAX; step++) {
				/* Under a message of the series not shown (hidden,
				 * removed): counted for nothing. */
				bool stop = false;
				for (size_t u = 0; u < nunshown && !stop; u++)
					stop = unshown[u] == up;
				if (stop)
					break;
				to = item_by_mid(p, up);
				const struct reply *pr = to ? NULL : find_mid(&links, up);
				up = pr ? pr->parent : 0;
			}
			if (!to)
				continue;
			to->replies++;
			e = reply_trailers(c, to, &r.v[k], indexed ? &tt : NULL, &text);
		}
		free(r.v);
		free(links.v);
		thread_trailers_free(&tt);
	}
	buf_free(&text);
	return e;
}

/* ---- versions ---- */

struct version {
	struct store_series s;
	unsigned how;
	struct sitem head; /* its cover letter, else its first patch */
	bool has_head;
};

static bool take_head(const struct store_entry *e, unsigned part, void *arg)
{
	struct version *v = arg;
	struct series_page one = {0};
	take_item(e, part, &one);
	if (one.n == 1 && !one.oom) {
		v->head = one.v[0];
		v->has_head = true;
		free(one.v);
	} else {
		page_free(&one);
	}
	return false;
}

static int by_version(const void *a, const void *b)
{
	const struct version *x = a, *y = b;
	if (x->s.version != y->s.version)
		return x->s.version < y->s.version ? -1 : 1;
	if (x->s.first_ts != y->s.first_ts)
		return x->s.first_ts < y->s.first_ts ? -1 : 1;
	return x->s.id < y->s.id ? -1 : x->s.id > y->s.id;
}

static void versions_free(struct version *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!v[i].has_head)
			continue;
		free(v[i].head.list);
		free(v[i].head.subject);
		free(v[i].head.from);
		free(v[i].head.msgid);
	}
	free(v);
}

/* Every version of s (s among them), ordered by version then date, in
 * *out (free with versions_free). */
static enum la_status load_versions(const struct render_ctx *c, const struct store_series *s,
                                    struct version **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	int64_t ids[VERSIONS_MAX];
	unsigned how[VERSIONS_MAX];
	int k = 0;
	/* Not cleared: the walk sets rows[0..k) (48 KB). */
	struct store_series *rows = malloc(VERSIONS_MAX * sizeof *rows);
	if (!rows)
		return LA_ENOMEM;
	enum la_status e = store_series_versions_memo(c->st, s, ids, how, rows, VERSIONS_MAX, &k);
	if (e) {
		free(rows);
		return e;
	}
	/* Not cleared either (1.6 KB a version): each is set before use. */
	struct version *v = malloc(((size_t)k + 1) * sizeof *v);
	if (!v) {
		free(rows);
		return LA_ENOMEM;
	}
	size_t m = 0;
	for (int i = 0; i < k && !e; i++) {
		/* The walk read each version's row (every one it found exists). */
		v[m].s = rows[i];
		v[m].how = how[i];
		v[m].has_head = false;
		memset(&v[m].head, 0, sizeof v[m].head);
		if (!e)
			e = store_series_head(c->st, ids[i], take_head, &v[m]);
		if (!e && v[m].has_head)
			m++;
	}
	free(rows);
	qsort(v, m, sizeof *v, by_version);
	*out = v;
	*n = m;
	return e;
}

static enum la_status load_pids(const struct render_ctx *c, struct sitem *it)
{
	if (it->pids_loaded)
		return LA_OK;
	it->pids_loaded = true;
	it->pids = calloc(PATCHIDS_MAX, sizeof *it->pids);
	if (!it->pids)
		return LA_ENOMEM;
	return store_msg_patchids(c->st, it->id, it->pids, PATCHIDS_MAX, &it->npids);
}

/* Whether a and b share a patch id (both sorted). */
static bool share_pid(const struct sitem *a, const struct sitem *b)
{
	size_t i = 0, k = 0;
	while (i < a->npids && k < b->npids) {
		int d = strcmp(a->pids[i], b->pids[k]);
		if (d == 0)
			return true;
		if (d < 0)
			i++;
		else
			k++;
	}
	return false;
}

/* Trailers given to a patch of an earlier version carry over to the patch
 * of this one with the same patch id (unchanged), marked with the version
 * they were given to, as b4 carries them; a patch that changed gets none.
 * The cover letters' trailers are not carried. */
static enum la_status carry_trailers(const struct render_ctx *c, struct series_page *p,
                                     const struct store_series *s, const struct version *v,
                                     size_t nv)
{
	enum la_status e = LA_OK;
	for (size_t i = nv; !e && i-- > 0;) {
		if (v[i].s.version >= s->version || v[i].s.id == s->id)
			continue;
		struct series_page old = {0};
		e = store_series_msgs(c->st, v[i].s.id, take_item, &old);
		if (!e && old.oom)
			e = LA_ENOMEM;
		if (!e)
			e = collect_replies(c, &old, &v[i].s);
		for (size_t k = 0; !e && k < old.n; k++) {
			struct sitem *o = &old.v[k];
			if (o->part == 0 || o->ntr == 0 || (e = load_pids(c, o)) || o->npids == 0)
				continue;
			for (size_t j = 0; !e && j < p->n; j++) {
				struct sitem *it = &p->v[j];
				if (it->part == 0 || (e = load_pids(c, it)) || !share_pid(o, it))
					continue;
				for (size_t t = 0; !e && t < o->ntr; t++) {
					const struct trailer *tr = &o->tr[t];
					if (tr->carried)
						continue;
					if (!item_trailer(it, tr->kind, tr->value,
					                  strlen(tr->value), tr->list, tr->day,
					                  tr->num, v[i].s.version))
						e = LA_ENOMEM;
				}
			}
		}
		page_free(&old);
	}
	return e;
}

/* "vN" with RFC and RESEND as the subject said them. */
static void version_label(struct buf *b, const struct store_series *s)
{
	if (s->flags & MSG_SERIES_RFC)
		buf_adds(b, "RFC ");
	if (s->flags & MSG_SERIES_RESEND)
		buf_adds(b, "RESEND ");
	buf_printf(b, "v%u", s->version);
}

static void link_series(const struct render_ctx *c, struct buf *b, const struct sitem *head)
{
	link_msgid(c, b, head->list, head->msgid);
	buf_adds(b, "s/");
}

/* ---- the page ---- */

static void trailer_html(const struct render_ctx *c, struct buf *b, const struct trailer *t,
                         bool from_cover)
{
	buf_adds(b, "<li><a href=\"");
	link_msg(c, b, t->list, t->day, t->num);
	buf_adds(b, "\">");
	html_texts(b, msg_trailer_names[t->kind]);
	buf_adds(b, ": ");
	html_obfuscated(b, t->value, strlen(t->value));
	buf_adds(b, "</a>");
	if (from_cover)
		buf_adds(b, " <span class=\"from\">(to the cover letter)</span>");
	if (t->carried)
		buf_printf(b, " <span class=\"from\">(carried from v%u, the same patch)</span>",
		           t->carried);
	buf_adds(b, "</li>");
}

static void item_row(const struct render_ctx *c, struct buf *b, const struct store_series *s,
                     const struct sitem *it, const struct sitem *cover)
{
	buf_printf(b, "<tr><td class=\"part\">%u/%u</td><td><a href=\"", it->part, s->total);
	link_msg(c, b, it->list, it->day, it->num);
	buf_adds(b, "\">");
	subject_text(c, b, it->list, it->subject);
	buf_adds(b, "</a><br><span class=\"from\">");
	html_texts(b, it->from);
	buf_adds(b, "</span> <span class=\"date\">");
	outline_date(b, it->ts);
	buf_printf(b, "</span></td><td class=\"replies\">%d repl%s</td><td><ul class=\"trailers\">",
	           it->replies, it->replies == 1 ? "y" : "ies");
	for (size_t k = 0; k < it->ntr; k++)
		trailer_html(c, b, &it->tr[k], false);
	if (cover && cover != it)
		for (size_t k = 0; k < cover->ntr; k++)
			trailer_html(c, b, &cover->tr[k], true);
	buf_adds(b, "</ul></td></tr>\n");
}

static void versions_html(const struct render_ctx *c, struct buf *b, const struct store_series *s,
                          const struct version *v, size_t n)
{
	static const char *const why[] = {"", "same change-id", "same subject and author",
	                                  "a patch in common"};
	buf_adds(b, "<h2>Versions</h2>\n<ul class=\"versions\">\n");
	for (size_t i = 0; i < n; i++) {
		bool self = v[i].s.id == s->id;
		buf_adds(b, "<li>");
		if (self) {
			buf_adds(b, "<b>");
		} else {
			buf_adds(b, "<a href=\"");
			link_series(c, b, &v[i].head);
			buf_adds(b, "\">");
		}
		version_label(b, &v[i].s);
		buf_adds(b, self ? "</b>" : "</a>");
		buf_printf(b, " <span class=\"date\">");
		outline_date(b, v[i].s.first_ts);
		buf_printf(b, "</span>, %u patch%s", v[i].s.total, v[i].s.total == 1 ? "" : "es");
		if (self)
			buf_adds(b, " (this page)");
		else if (v[i].how < sizeof why / sizeof *why)
			buf_printf(b, " <span class=\"from\">(%s)</span>", why[v[i].how]);
		if (!self && v[i].s.version != s->version) {
			unsigned lo = v[i].s.version < s->version ? v[i].s.version : s->version;
			unsigned hi = v[i].s.version < s->version ? s->version : v[i].s.version;
			buf_adds(b, " [<a href=\"");
			link_series(c, b, &v[i].head);
			buf_printf(b, "v%u..v%u/\">what changed</a>]", lo, hi);
		}
		buf_adds(b, "</li>\n");
	}
	buf_adds(b, "</ul>\n");
}

/* A series as its pages read it: the series, its messages by place (p),
 * and its versions (v[0..nv), by version then date). */
struct series_view {
	struct store_series s;
	struct series_page p;
	struct version *v;
	size_t nv;
};

static void series_view_free(struct series_view *sv)
{
	page_free(&sv->p);
	versions_free(sv->v, sv->nv);
	sv->v = NULL;
	sv->nv = 0;
}

/* Looks up msgid's series (in list) and collects it into *sv: its
 * messages, its versions, and with trailers the replies' trailers and
 * those carried from earlier versions.  Returns LA_OK with *shown false
 * and everything loaded (the caller frees sv with series_view_free), or
 * with *shown true when r already holds the page to send (a 404, an
 * error page; then the index's error, if any) and sv is empty. */
static enum la_status series_collect(const struct render_ctx *c, const char *list,
                                     const char *msgid, bool trailers, struct response *r,
                                     struct series_view *sv, bool *shown)
{
	*shown = true;
	memset(sv, 0, sizeof *sv);
	struct render_entries l;
	int64_t list_id;
	enum la_status e = msgid_lookup(c, list, msgid, &l, &list_id);
	if (e) {
		render_entries_free(&l);
		return msgid_lookup_failed(c, r, e);
	}
	if (l.n == 0) {
		render_entries_free(&l);
		return msgid_not_found(c, list, list_id, msgid, r);
	}
	unsigned mypart = 0;
	e = store_series_of(c->st, l.v[0].id, &sv->s, &mypart);
	render_entries_free(&l);
	if (e == LA_ENOTFOUND) {
		render_error(c, r, 404,
		             "This message is not a patch or cover letter of a series (its subject "
		             "has no [PATCH] prefix).");
		return LA_OK;
	}
	if (!e)
		e = store_series_msgs(c->st, sv->s.id, take_item, &sv->p);
	if (!e && sv->p.oom)
		e = LA_ENOMEM;
	if (!e && trailers)
		e = collect_replies(c, &sv->p, &sv->s);
	if (!e)
		e = load_versions(c, &sv->s, &sv->v, &sv->nv);
	if (!e && trailers)
		e = carry_trailers(c, &sv->p, &sv->s, sv->v, sv->nv);
	if (e || sv->p.n == 0) {
		series_view_free(sv);
		render_error(c, r, 500, "The index could not be read.");
		return e ? e : LA_EDB;
	}
	*shown = false;
	return LA_OK;
}

enum la_status render_series_page(const struct render_ctx *c, const char *list, const char *msgid,
                                  struct response *r)
{
	struct series_view sv;
	bool shown;
	enum la_status e = series_collect(c, list, msgid, true, r, &sv, &shown);
	if (shown)
		return e;
	const struct store_series *s = &sv.s;
	const struct series_page *p = &sv.p;
	const struct version *v = sv.v;
	size_t nv = sv.nv;
	const struct sitem *cover = p->v[0].part == 0 ? &p->v[0] : NULL;
	const struct sitem *head = &p->v[0];
	struct buf *b = &r->body;
	struct buf title;
	buf_init(&title, SUBJECT_MAX + 64);
	subject_plain(c, &title, head->list, head->subject);
	buf_adds(&title, " - series");
	buf_reset(b);
	page_open(c, b, &(struct page_head){.title = buf_cstr(&title), .list = head->list});
	buf_free(&title);
	buf_adds(b, "<div class=\"nav\">[<a href=\"");
	link_msgid(c, b, head->list, head->msgid);
	buf_adds(b, "\">message</a>] [<a href=\"");
	link_msgid(c, b, head->list, head->msgid);
	buf_adds(b, "T/\">thread</a>] [<a href=\"");
	link_msgid(c, b, head->list, head->msgid);
	buf_adds(b, "s/mbox\">mbox for git am</a>] [<a href=\"");
	link_msgid(c, b, head->list, head->msgid);
	buf_adds(b, "s/mbox.gz\">mbox.gz</a>] [<a href=\"");
	link_list(c, b, head->list);
	buf_adds(b, "\">list</a>]</div>\n<h1>");
	subject_text(c, b, head->list, head->subject);
	buf_adds(b, "</h1>\n<p class=\"series-meta\">Series ");
	version_label(b, s);
	size_t have = 0;
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].part > 0 && (i == 0 || p->v[i].part != p->v[i - 1].part))
			have++;
	buf_printf(b, ", %zu of %u patch%s", have, s->total, s->total == 1 ? "" : "es");
	buf_adds(b, " from <span class=\"from\">");
	html_texts(b, head->from);
	buf_adds(b, "</span>, first sent <span class=\"date\">");
	outline_date(b, s->first_ts);
	buf_adds(b, "</span>");
	if (s->change_id[0]) {
		buf_adds(b, "; change-id <code>");
		html_texts(b, s->change_id);
		buf_adds(b, "</code>");
	}
	buf_adds(b, ".</p>\n");
	for (size_t i = 0; i < nv; i++) {
		if (v[i].s.version > s->version) {
			/* The newest version gets the note. */
			const struct version *n = &v[nv - 1];
			buf_adds(b, "<p class=\"series-newer\">A newer version exists: <a href=\"");
			link_series(c, b, &n->head);
			buf_adds(b, "\">");
			version_label(b, &n->s);
			buf_adds(b, "</a> was posted on ");
			outline_date(b, n->s.first_ts);
			buf_adds(b, ".</p>\n");
			break;
		}
	}
	if (cover) {
		buf_adds(b, "<h2>Cover letter</h2>\n<table class=\"series\">\n");
		for (size_t k = 0; k < p->n && p->v[k].part == 0; k++)
			item_row(c, b, s, &p->v[k], NULL); /* copies too */
		buf_adds(b, "</table>\n");
		if (cover->ntr)
			buf_adds(b,
			         "<p class=\"from\">Trailers given to the cover letter count for "
			         "every patch.</p>\n");
	} else if (s->total > 1) {
		buf_adds(b, "<p class=\"missing\">The cover letter (0/");
		buf_printf(b, "%u) is not in this archive.</p>\n", s->total);
	}
	buf_adds(b, "<h2>Patches</h2>\n<table class=\"series\">\n");
	size_t i = 0;
	while (i < p->n && p->v[i].part == 0)
		i++;
	for (unsigned part = 1; part <= s->total && !b->err; part++) {
		bool any = false;
		for (; i < p->n && p->v[i].part == part; i++) {
			item_row(c, b, s, &p->v[i], cover);
			any = true;
		}
		if (!any)
			buf_printf(b,
			           "<tr><td class=\"part\">%u/%u</td><td class=\"missing\">%u/%u "
			           "never arrived</td><td></td><td></td></tr>\n",
			           part, s->total, part, s->total);
	}
	buf_adds(b, "</table>\n");
	versions_html(c, b, s, v, nv);
	series_view_free(&sv);
	return page_close(c, r, 200, 300);
}

void render_series_note(const struct render_ctx *c, struct buf *b, const struct store_msg *m)
{
	struct store_series s;
	unsigned part;
	if (store_series_of(c->st, m->id, &s, &part) != LA_OK)
		return;
	struct version *v = NULL;
	size_t nv = 0;
	if (load_versions(c, &s, &v, &nv) != LA_OK) {
		versions_free(v, nv);
		return;
	}
	const struct version *self = NULL, *newest = NULL;
	for (size_t i = 0; i < nv; i++) {
		if (v[i].s.id == s.id)
			self = &v[i];
		if (v[i].s.version > s.version)
			newest = &v[i];
	}
	if (newest) {
		buf_adds(b, "<p class=\"series-newer\"><a href=\"");
		link_series(c, b, &newest->head);
		buf_adds(b, "\">");
		version_label(b, &newest->s);
		buf_adds(b, " of this series</a> was posted on ");
		struct buf d;
		buf_init(&d, 64);
		outline_date(&d, newest->s.first_ts);
		buf_add(b, buf_cstr(&d), 10); /* the day */
		buf_free(&d);
		buf_adds(b, ".</p>\n");
	}
	if (self) {
		buf_adds(b, "<p class=\"series-note\">");
		if (part == 0)
			buf_adds(b, "Cover letter");
		else
			buf_printf(b, "Patch %u/%u", part, s.total);
		buf_adds(b, " of <a href=\"");
		link_series(c, b, &self->head);
		buf_adds(b, "\">");
		version_label(b, &s);
		buf_adds(b, " of the series</a>");
		if (nv > 1) {
			buf_printf(b, " (%zu versions:", nv);
			for (size_t i = 0; i < nv; i++) {
				buf_adds(b, " ");
				if (v[i].s.id == s.id) {
					version_label(b, &v[i].s);
					continue;
				}
				buf_adds(b, "<a href=\"");
				link_series(c, b, &v[i].head);
				buf_adds(b, "\">");
				version_label(b, &v[i].s);
				buf_adds(b, "</a>");
			}
			buf_adds(b, ")");
		}
		buf_adds(b, ".</p>\n");
	}
	versions_free(v, nv);
}

/* ---- s/mbox: the series for git am ---- */

/* Appends text to out as an mboxrd body: lines ">*From " get one more '>'. */
static void mboxrd_body(struct buf *out, const char *t, size_t n)
{
	for (size_t i = 0; i < n;) {
		const char *nl = memchr(t + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - t) + 1 : n;
		size_t k = i;
		while (k < e && t[k] == '>')
			k++;
		if (e - k >= 5 && memcmp(t + k, "From ", 5) == 0)
			buf_adds(out, ">");
		buf_add(out, t + i, e - i);
		i = e;
	}
	if (n == 0 || t[n - 1] != '\n')
		buf_adds(out, "\n");
}

/* The value of header field name in the header block h[0..n), decoded
 * (RFC 2047) on one line, into out; false if there is none. */
static bool header_value(struct buf *out, const char *h, size_t n, const char *name)
{
	struct hdr_iter it;
	struct hdr_field f;
	hdr_iter_init(&it, h, n);
	size_t nl = strlen(name);
	while (hdr_next(&it, &f)) {
		if (f.name.n == nl && strncasecmp(f.name.p, name, nl) == 0) {
			msg_decode_header(out, f.value, false);
			return true;
		}
	}
	return false;
}

/* One patch as git am takes it, its trailers added. */
static enum la_status am_patch(const struct render_ctx *c, struct buf *b, const struct sitem *it,
                               const struct sitem *cover)
{
	struct store_msg m;
	enum la_status e = store_msg_by_id(c->st, it->id, &m);
	struct buf raw, text, body, val;
	buf_init(&raw, HEAD_MAX + 1024);
	buf_init(&text, MSG_INMEM_MAX);
	buf_init(&body, MSG_INMEM_MAX + 64 * 1024);
	buf_init(&val, HDR_SHOW_MAX);
	bool cut = false;
	if (!e)
		e = store_msg_read(c->st, &m, HEAD_MAX, &raw);
	if (!e)
		e = message_text(c, &m, MSG_INMEM_MAX, &text, &cut);
	const char **add = NULL;
	size_t nadd = 0, ntr = it->ntr + (cover && cover != it ? cover->ntr : 0);
	if (!e && ntr && !(add = calloc(ntr + 1, sizeof *add)))
		e = LA_ENOMEM;
	struct buf lines;
	buf_init(&lines, (ntr + 1) * (MSG_TRAILER_MAX + 32) + URL_MAX * 3 + 64);
	if (!e) {
		/* Each "Kind: value" NUL-separated in lines, pointed at by add. */
		const struct trailer *all[2] = {it->tr, cover && cover != it ? cover->tr : NULL};
		size_t counts[2] = {it->ntr, cover && cover != it ? cover->ntr : 0};
		size_t *starts = calloc(ntr + 1, sizeof *starts);
		if (!starts)
			e = LA_ENOMEM;
		for (int g = 0; !e && g < 2; g++) {
			for (size_t k = 0; k < counts[g]; k++) {
				starts[nadd++] = lines.len;
				buf_adds(&lines, msg_trailer_names[all[g][k].kind]);
				buf_adds(&lines, ": ");
				buf_adds(&lines, all[g][k].value);
				buf_add(&lines, "", 1);
			}
		}
		if (!e && !lines.err)
			for (size_t k = 0; k < nadd; k++)
				add[k] = lines.data + starts[k];
		free(starts);
		if (lines.err)
			e = lines.err;
	}
	if (!e) {
		/* The Link: to the message here, last (b4 puts it there too). */
		struct buf link;
		buf_init(&link, URL_MAX * 3 + 64);
		buf_adds(&link, "Link: ");
		if (c->origin)
			buf_adds(&link, c->origin);
		link_msgid(c, &link, it->list, it->msgid);
		const char **all = realloc(add, (nadd + 2) * sizeof *all);
		if (!all || link.err) {
			e = LA_ENOMEM;
		} else {
			add = all;
			add[nadd++] = buf_cstr(&link);
			msg_series_add_trailers(&body, text.data ? text.data : "", text.len, add,
			                        nadd);
		}
		size_t h = hdr_block_len(raw.data ? raw.data : "", raw.len);
		buf_adds(b, "From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: ");
		if (!header_value(b, raw.data, h, "From"))
			buf_adds(b, m.from_addr ? m.from_addr : "");
		buf_adds(b, "\nDate: ");
		if (header_value(&val, raw.data, h, "Date"))
			buf_add(b, val.data, val.len);
		buf_adds(b, "\nSubject: ");
		buf_adds(b, m.subject ? m.subject : "");
		buf_adds(b, "\nMessage-ID: <");
		buf_adds(b, m.msgid ? m.msgid : "");
		buf_adds(b, ">\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
		            "Content-Transfer-Encoding: 8bit\n\n");
		mboxrd_body(b, body.data ? body.data : "", body.len);
		buf_adds(b, "\n");
		buf_free(&link);
		if (!e && (body.err || cut))
			e = body.err ? body.err : LA_ETOOBIG;
	}
	free(add);
	buf_free(&lines);
	buf_free(&raw);
	buf_free(&text);
	buf_free(&body);
	buf_free(&val);
	store_msg_clear(&m);
	return e;
}

/* Replaces r's body by its gzip form (a gzip header and trailer around
 * the deflate stream, as t.mbox.gz).  LA_ENOMEM if it cannot. */
static enum la_status gzip_body(struct response *r)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return LA_ENOMEM;
	struct buf out;
	size_t cap = deflateBound(&z, (uLong)r->body.len) + 64;
	buf_init(&out, cap);
	enum la_status e = buf_reserve(&out, cap);
	if (!e) {
		z.next_in = (Bytef *)(r->body.data ? r->body.data : "");
		z.avail_in = (uInt)r->body.len;
		z.next_out = (Bytef *)out.data;
		z.avail_out = (uInt)cap;
		if (deflate(&z, Z_FINISH) != Z_STREAM_END)
			e = LA_ENOMEM;
		out.len = cap - z.avail_out;
	}
	deflateEnd(&z);
	if (!e) {
		buf_reset(&r->body);
		buf_add(&r->body, out.data, out.len);
		e = r->body.err;
	}
	buf_free(&out);
	return e;
}

enum la_status render_series_mbox(const struct render_ctx *c, const char *list, const char *msgid,
                                  bool gz, struct response *r)
{
	struct series_view sv;
	bool shown;
	enum la_status e = series_collect(c, list, msgid, true, r, &sv, &shown);
	if (shown)
		return e;
	const struct series_page *p = &sv.p;
	const struct sitem *cover = p->v[0].part == 0 ? &p->v[0] : NULL;
	struct buf *b = &r->body;
	buf_reset(b);
	size_t i = 0;
	while (i < p->n && p->v[i].part == 0)
		i++;
	/* Each place once (its first copy), in order; a missing one is
	 * simply not there (git am applies the rest, or stops where a later
	 * patch needs it). */
	for (; !e && i < p->n; i++) {
		if (i > 0 && p->v[i].part == p->v[i - 1].part)
			continue;
		e = am_patch(c, b, &p->v[i], cover);
	}
	series_view_free(&sv);
	if (!e && !b->err && gz)
		e = gzip_body(r);
	if (e || b->err) {
		enum la_status f = e ? e : b->err;
		render_error(c, r, 500, "The series could not be read whole.");
		return f;
	}
	r->status = 200;
	r->content_type = gz ? "application/gzip" : "text/plain; charset=utf-8";
	r->max_age = 300;
	return LA_OK;
}

/* ---- s/vN..vM/: what changed between two versions ---- */

/* Lines of a patch's diff compared at most (each side); a longer one is
 * said to have changed, without its lines. */
#define DIFF_LINES_MAX 2000
/* Patches of each version paired by the size of the diff of their diffs
 * (those left by patch ids and subjects), at most; the rest are added or
 * dropped. */
#define PAIR_PATCHES_MAX 100
/* Lines compared, at most, in sizing those diffs of diffs (one page):
 * a pair not sized within it is not paired. */
#define PAIR_WORK_MAX (40u * 1000 * 1000)
/* git range-diff's --creation-factor (percent): two patches are one that
 * changed when the diff of their diffs costs less than this share of
 * both patches' lines (dropping one and adding the other). */
#define CREATION_FACTOR 60

/* The diff part of a patch's text (from its first "diff " line), split
 * into lines (pointers into text), each with a hash. */
struct lines {
	const char **p;
	size_t *n;
	uint32_t *h;
	size_t count;
};

/* Whether what follows a "-- " line (t, n) is the mail's signature
 * (git format-patch's version): a few short lines at the end, not a
 * removed line "- " of a diff that goes on. */
static bool is_signature(const char *t, size_t n)
{
	size_t lines = 0;
	for (size_t k = 0; k < n; k++)
		lines += t[k] == '\n';
	return lines <= 4;
}

static bool split_diff(const char *t, size_t n, struct lines *l)
{
	memset(l, 0, sizeof *l);
	size_t i = 0;
	while (i < n && !(n - i >= 5 && memcmp(t + i, "diff ", 5) == 0)) {
		const char *nl = memchr(t + i, '\n', n - i);
		i = nl ? (size_t)(nl - t) + 1 : n;
	}
	size_t cap = 0;
	for (size_t k = i; k < n; k++)
		cap += t[k] == '\n';
	cap++;
	if (cap > DIFF_LINES_MAX)
		return false;
	l->p = calloc(cap, sizeof *l->p);
	l->n = calloc(cap, sizeof *l->n);
	l->h = calloc(cap, sizeof *l->h);
	if (!l->p || !l->n || !l->h)
		return false;
	while (i < n && l->count < cap) {
		const char *nl = memchr(t + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - t) : n;
		if (e - i == 3 && memcmp(t + i, "-- ", 3) == 0 && is_signature(t + e, n - e))
			break;
		l->p[l->count] = t + i;
		l->n[l->count] = e - i;
		l->h[l->count++] = (uint32_t)hash64(t + i, e - i, 0);
		i = e + 1;
	}
	return true;
}

static void lines_free(struct lines *l)
{
	free(l->p);
	free(l->n);
	free(l->h);
	memset(l, 0, sizeof *l);
}

/* Lines [from, to) of l, borrowed. */
static struct lines lines_sub(const struct lines *l, size_t from, size_t to)
{
	return (struct lines){l->p + from, l->n + from, l->h + from, to - from};
}

static bool line_eq(const struct lines *a, size_t i, const struct lines *b, size_t k)
{
	return a->h[i] == b->h[k] && a->n[i] == b->n[k] && memcmp(a->p[i], b->p[k], a->n[i]) == 0;
}

/* The marks of the diff of x and y by their longest common subsequence
 * (' ' both, '-' only x, '+' only y; the old line first, as git
 * range-diff), each with the line it stands for (from[j] of x, or of y
 * for '+'), into *mark and *from (the caller frees them): *len of them.
 * Charges *work the lines compared; false when that would pass it or
 * memory ran out. */
static bool ddiff_marks(const struct lines *x, const struct lines *y, uint64_t *work, char **mark,
                        size_t **from, size_t *len)
{
	size_t n = x->count, m = y->count;
	*mark = NULL;
	*from = NULL;
	*len = 0;
	uint64_t cells = (uint64_t)(n + 1) * (m + 1);
	if (cells > *work)
		return false;
	*work -= cells;
	/* lcs[i][k]: common lines of x[i..] and y[k..]. */
	uint16_t *lcs = calloc(cells, sizeof *lcs);
	*mark = malloc(n + m + 1);
	*from = malloc((n + m + 1) * sizeof **from);
	if (!lcs || !*mark || !*from) {
		free(lcs);
		free(*mark);
		free(*from);
		*mark = NULL;
		*from = NULL;
		return false;
	}
	for (size_t i = n; i-- > 0;)
		for (size_t k = m; k-- > 0;)
			lcs[i * (m + 1) + k] =
				line_eq(x, i, y, k)
					? (uint16_t)(lcs[(i + 1) * (m + 1) + k + 1] + 1)
					: (lcs[(i + 1) * (m + 1) + k] > lcs[i * (m + 1) + k + 1]
			                           ? lcs[(i + 1) * (m + 1) + k]
			                           : lcs[i * (m + 1) + k + 1]);
	size_t i = 0, k = 0, j = 0;
	while (i < n || k < m) {
		if (i < n && k < m && line_eq(x, i, y, k)) {
			(*mark)[j] = ' ';
			(*from)[j++] = i++;
			k++;
		} else if (i < n &&
		           (k == m || lcs[(i + 1) * (m + 1) + k] >= lcs[i * (m + 1) + k + 1])) {
			(*mark)[j] = '-';
			(*from)[j++] = i++;
		} else {
			(*mark)[j] = '+';
			(*from)[j++] = k++;
		}
	}
	free(lcs);
	*len = j;
	return true;
}

/* What the diff of x and y costs, as git range-diff counts it: its lines
 * only in one of them and a line a run of them (the hunk's head, with no
 * context); SIZE_MAX past *work (see ddiff_marks). */
static size_t diff_size(const struct lines *x, const struct lines *y, uint64_t *work)
{
	size_t n = x->count, m = y->count, pre = 0, suf = 0;
	while (pre < n && pre < m && line_eq(x, pre, y, pre))
		pre++;
	while (suf < n - pre && suf < m - pre && line_eq(x, n - 1 - suf, y, m - 1 - suf))
		suf++;
	struct lines a = lines_sub(x, pre, n - suf), b = lines_sub(y, pre, m - suf);
	if (a.count == 0 || b.count == 0)
		return a.count + b.count + (a.count + b.count > 0);
	char *mark;
	size_t *from, len;
	if (!ddiff_marks(&a, &b, work, &mark, &from, &len))
		return SIZE_MAX;
	size_t cost = 0;
	for (size_t j = 0; j < len; j++)
		cost += mark[j] != ' ' ? 1 + (j == 0 || mark[j - 1] == ' ') : 0;
	free(mark);
	free(from);
	return cost;
}

/* The assignment of least cost of the n x n matrix cost (row-major):
 * col[r] the column of row r (the Hungarian method, O(n^3)).  Returns
 * false when memory ran out. */
static bool least_cost(const int64_t *cost, size_t n, size_t *col)
{
	const int64_t inf = INT64_MAX / 4;
	int64_t *u = calloc(n + 1, sizeof *u), *v = calloc(n + 1, sizeof *v);
	int64_t *minv = calloc(n + 1, sizeof *minv);
	size_t *p = calloc(n + 1, sizeof *p), *way = calloc(n + 1, sizeof *way);
	bool *used = calloc(n + 1, sizeof *used);
	bool ok = u && v && minv && p && way && used;
	for (size_t i = 1; ok && i <= n; i++) {
		p[0] = i;
		size_t j0 = 0;
		for (size_t j = 0; j <= n; j++) {
			minv[j] = inf;
			used[j] = false;
		}
		do {
			used[j0] = true;
			size_t i0 = p[j0], j1 = 0;
			int64_t delta = inf;
			for (size_t j = 1; j <= n; j++) {
				if (used[j])
					continue;
				int64_t c = cost[(i0 - 1) * n + (j - 1)] - u[i0] - v[j];
				if (c < minv[j]) {
					minv[j] = c;
					way[j] = j0;
				}
				if (minv[j] < delta) {
					delta = minv[j];
					j1 = j;
				}
			}
			for (size_t j = 0; j <= n; j++)
				if (used[j]) {
					u[p[j]] += delta;
					v[j] -= delta;
				} else
					minv[j] -= delta;
			j0 = j1;
		} while (p[j0] != 0);
		do {
			size_t j1 = way[j0];
			p[j0] = p[j1];
			j0 = j1;
		} while (j0);
	}
	for (size_t j = 1; ok && j <= n; j++)
		col[p[j] - 1] = j - 1;
	free(u);
	free(v);
	free(minv);
	free(p);
	free(way);
	free(used);
	return ok;
}

/* A patch's text (its text parts, as the page shows them). */
static enum la_status patch_text(const struct render_ctx *c, const struct sitem *it,
                                 struct buf *out)
{
	struct store_msg m;
	enum la_status e = store_msg_by_id(c->st, it->id, &m);
	bool cut;
	if (!e)
		e = message_text(c, &m, MSG_INMEM_MAX, out, &cut);
	store_msg_clear(&m);
	return e;
}

static void patch_name(char *out, size_t cap, const char *subject);

/* A patch as the changes page compares it, read once: its text, its
 * diff's lines (ok: read and not too long), and what pairing compares
 * (as git range-diff: its name, its commit message and diff, without
 * "index " lines, the blob ids, or the mail's signature; cost_ok). */
struct ptext {
	struct buf text;
	struct lines l, cost;
	char name[SUBJECT_MAX + 1];
	bool loaded, ok, cost_ok;
};

static bool split_cost(struct ptext *t)
{
	const char *p = t->text.data ? t->text.data : "";
	size_t n = t->text.len, cap = 2;
	for (size_t k = 0; k < n; k++)
		cap += p[k] == '\n';
	if (cap > 2 * DIFF_LINES_MAX)
		return false;
	struct lines *l = &t->cost;
	l->p = calloc(cap, sizeof *l->p);
	l->n = calloc(cap, sizeof *l->n);
	l->h = calloc(cap, sizeof *l->h);
	if (!l->p || !l->n || !l->h)
		return false;
	size_t len = strlen(t->name);
	l->p[0] = t->name;
	l->n[0] = len;
	l->h[l->count++] = (uint32_t)hash64(t->name, len, 0);
	for (size_t i = 0; i < n && l->count < cap;) {
		const char *nl = memchr(p + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - p) : n;
		if (e - i == 3 && memcmp(p + i, "-- ", 3) == 0 && is_signature(p + e, n - e))
			break;
		if (!(e - i >= 6 && memcmp(p + i, "index ", 6) == 0)) {
			l->p[l->count] = p + i;
			l->n[l->count] = e - i;
			l->h[l->count++] = (uint32_t)hash64(p + i, e - i, 0);
		}
		i = e + 1;
	}
	return true;
}

static const struct ptext *ptext_get(const struct render_ctx *c, const struct sitem *it,
                                     struct ptext *t)
{
	if (!t->loaded) {
		t->loaded = true;
		buf_init(&t->text, MSG_INMEM_MAX);
		t->ok = patch_text(c, it, &t->text) == LA_OK && !t->text.err &&
		        split_diff(t->text.data ? t->text.data : "", t->text.len, &t->l);
		patch_name(t->name, sizeof t->name, it->subject);
		t->cost_ok = t->ok && split_cost(t);
	}
	return t;
}

static void ptexts_free(struct ptext *t, size_t n)
{
	for (size_t i = 0; t && i < n; i++) {
		buf_free(&t[i].text);
		lines_free(&t[i].l);
		lines_free(&t[i].cost);
	}
	free(t);
}

/* The name of a patch as compared between versions: its subject after
 * the prefix, lowercase. */
static void patch_name(char *out, size_t cap, const char *subject)
{
	struct msg_series_subject p;
	size_t n = strlen(subject);
	bool is = msg_series_parse(subject, n, &p);
	size_t off = is ? p.name_off : 0, len = is ? p.name_len : n;
	size_t k = 0;
	for (size_t i = 0; i < len && k + 1 < cap; i++) {
		char ch = subject[off + i];
		out[k++] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
	}
	out[k] = '\0';
}

static bool same_name(const struct sitem *a, const struct sitem *b)
{
	char na[SUBJECT_MAX + 1], nb[SUBJECT_MAX + 1];
	patch_name(na, sizeof na, a->subject);
	patch_name(nb, sizeof nb, b->subject);
	return strcmp(na, nb) == 0;
}

static void change_row(const struct render_ctx *c, struct buf *b, const char *what,
                       const struct sitem *old, const struct sitem *new, unsigned ot, unsigned nt)
{
	buf_adds(b, "<tr><td class=\"part\">");
	if (old)
		buf_printf(b, "%u/%u", old->part, ot);
	buf_adds(b, "</td><td class=\"part\">");
	if (new)
		buf_printf(b, "%u/%u", new->part, nt);
	buf_printf(b, "</td><td class=\"%s\">%s</td><td><a href=\"", what, what);
	const struct sitem *it = new ? new : old;
	link_msg(c, b, it->list, it->day, it->num);
	buf_adds(b, "\">");
	subject_text(c, b, it->list, it->subject);
	buf_adds(b, "</a>");
	if (old && new &&strcmp(what, "changed") == 0) {
		/* The diff below, and the old subject if it changed too. */
		buf_printf(b, " [<a href=\"#p%u\">diff</a>]", new->part);
		if (!same_name(old, new)) {
			buf_adds(b, "<br><span class=\"was\">was <a href=\"");
			link_msg(c, b, old->list, old->day, old->num);
			buf_adds(b, "\">");
			subject_text(c, b, old->list, old->subject);
			buf_adds(b, "</a></span>");
		}
	}
	buf_adds(b, "</td></tr>\n");
}

/* The patches of series id into *p: one item a place (the first copy),
 * patches only, each with its patch ids.  Returns LA_OK, LA_ENOMEM, or the
 * store's status; p is the caller's to free with page_free either way. */
static enum la_status changes_load(const struct render_ctx *c, int64_t id, struct series_page *p)
{
	enum la_status e = store_series_msgs(c->st, id, take_item, p);
	if (!e && p->oom)
		e = LA_ENOMEM;
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].part > 0 && (i == 0 || p->v[i].part != p->v[i - 1].part))
			p->v[n++] = p->v[i];
		else
			page_free_item(&p->v[i]);
	p->n = n;
	for (size_t i = 0; !e && i < p->n; i++)
		e = load_pids(c, &p->v[i]);
	return e;
}

/* How the new version's patches map onto the old one's: match[k] is the
 * old patch the new patch k is ((size_t)-1 if none), same[k] whether it
 * shares a patch id with it (else it changed); used[i]: old patch i has a
 * match; ta, tz: the patches' texts, read when needed.  Freed with
 * changes_free. */
struct changes {
	size_t *match;
	bool *same, *used;
	struct ptext *ta, *tz;
	size_t na, nz;
};

static void changes_free(struct changes *m)
{
	free(m->match);
	free(m->same);
	free(m->used);
	ptexts_free(m->ta, m->na);
	ptexts_free(m->tz, m->nz);
}

/* The patches neither patch ids nor subjects paired, paired as git
 * range-diff pairs commits: the assignment of least cost where a pair
 * costs the lines of the diff of its diffs and a patch left alone
 * CREATION_FACTOR percent of its own lines.  Returns LA_OK or
 * LA_ENOMEM. */
static enum la_status changes_pair(const struct render_ctx *c, const struct series_page *pa,
                                   const struct series_page *pz, struct changes *m)
{
	size_t oi[PAIR_PATCHES_MAX], nk[PAIR_PATCHES_MAX], no = 0, nn = 0;
	for (size_t i = 0; i < pa->n && no < PAIR_PATCHES_MAX; i++)
		if (!m->used[i] && ptext_get(c, &pa->v[i], &m->ta[i])->cost_ok)
			oi[no++] = i;
	for (size_t k = 0; k < pz->n && nn < PAIR_PATCHES_MAX; k++)
		if (m->match[k] == (size_t)-1 && ptext_get(c, &pz->v[k], &m->tz[k])->cost_ok)
			nk[nn++] = k;
	if (!no || !nn)
		return LA_OK;
	const int64_t never = (int64_t)1 << 40;
	size_t n = no + nn;
	int64_t *cost = calloc(n * n, sizeof *cost);
	size_t *col = calloc(n, sizeof *col);
	if (!cost || !col) {
		free(cost);
		free(col);
		return LA_ENOMEM;
	}
	uint64_t work = PAIR_WORK_MAX;
	for (size_t r = 0; r < n; r++)
		for (size_t q = 0; q < n; q++) {
			int64_t *at = &cost[r * n + q];
			if (r >= no) /* a new patch added, or nothing */
				*at = q < nn ? (int64_t)m->tz[nk[q]].cost.count * CREATION_FACTOR /
				                       100
				             : 0;
			else if (q >= nn) /* an old patch dropped */
				*at = (int64_t)m->ta[oi[r]].cost.count * CREATION_FACTOR / 100;
			else {
				const struct lines *x = &m->ta[oi[r]].cost, *y = &m->tz[nk[q]].cost;
				size_t lo = x->count > y->count ? x->count - y->count
				                                : y->count - x->count;
				/* Never cheaper than dropping and adding: not sized. */
				size_t d = lo * 100 >= (x->count + y->count) * CREATION_FACTOR
				                   ? SIZE_MAX
				                   : diff_size(x, y, &work);
				*at = d == SIZE_MAX ? never : (int64_t)d;
			}
		}
	bool ok = least_cost(cost, n, col);
	for (size_t r = 0; ok && r < no; r++) {
		size_t q = col[r];
		if (q < nn && cost[r * n + q] < never) {
			m->match[nk[q]] = oi[r];
			m->used[oi[r]] = true;
		}
	}
	free(cost);
	free(col);
	return ok ? LA_OK : LA_ENOMEM;
}

/* Matches the patches of pz (new) with those of pa (old): first by patch
 * id, then by name, then the rest by the size of their diffs' diff.
 * Returns LA_OK or LA_ENOMEM. */
static enum la_status changes_match(const struct render_ctx *c, const struct series_page *pa,
                                    const struct series_page *pz, struct changes *m)
{
	m->match = calloc(pz->n + 1, sizeof *m->match);
	m->same = calloc(pz->n + 1, sizeof *m->same);
	m->used = calloc(pa->n + 1, sizeof *m->used);
	m->ta = calloc(pa->n + 1, sizeof *m->ta);
	m->tz = calloc(pz->n + 1, sizeof *m->tz);
	m->na = pa->n;
	m->nz = pz->n;
	if (!m->match || !m->same || !m->used || !m->ta || !m->tz)
		return LA_ENOMEM;
	for (size_t k = 0; k < pz->n; k++) {
		m->match[k] = (size_t)-1;
		for (size_t i = 0; i < pa->n && m->match[k] == (size_t)-1; i++)
			if (!m->used[i] && share_pid(&pa->v[i], &pz->v[k])) {
				m->match[k] = i;
				m->same[k] = true;
				m->used[i] = true;
			}
	}
	char na[SUBJECT_MAX + 1], nz[SUBJECT_MAX + 1];
	for (size_t k = 0; k < pz->n; k++) {
		if (m->match[k] != (size_t)-1)
			continue;
		patch_name(nz, sizeof nz, pz->v[k].subject);
		for (size_t i = 0; i < pa->n && m->match[k] == (size_t)-1; i++) {
			patch_name(na, sizeof na, pa->v[i].subject);
			if (!m->used[i] && strcmp(na, nz) == 0) {
				m->match[k] = i;
				m->used[i] = true;
			}
		}
	}
	return changes_pair(c, pa, pz, m);
}

/* The page's head and its table: each new patch added, changed, moved or
 * unchanged, then the old patches dropped.  name: the series' first
 * version, whose subject titles the page. */
static void changes_table(const struct render_ctx *c, struct buf *b, const struct version *name,
                          const struct version *a, const struct version *z,
                          const struct series_page *pa, const struct series_page *pz,
                          const struct changes *m)
{
	unsigned from = a->s.version, to = z->s.version;
	struct buf title;
	buf_init(&title, SUBJECT_MAX + 64);
	subject_plain(c, &title, name->head.list, name->head.subject);
	buf_printf(&title, " - v%u..v%u", from, to);
	buf_reset(b);
	page_open(c, b, &(struct page_head){.title = buf_cstr(&title), .list = name->head.list});
	buf_free(&title);
	buf_adds(b, "<div class=\"nav\">[<a href=\"");
	link_series(c, b, &a->head);
	buf_printf(b, "\">v%u</a>] [<a href=\"", from);
	link_series(c, b, &z->head);
	buf_printf(b, "\">v%u</a>]</div>\n<h1>What changed from v%u to v%u</h1>\n", to, from, to);
	buf_adds(b, "<p>Computed from the patches alone: the same patch id is an unchanged "
	            "patch; a patch of the same subject with another id has changed, and so has "
	            "one whose diff differs from an old one's by less than it would cost to drop "
	            "the one and add the other (as <code>git range-diff</code> pairs them).</p>\n");
	buf_adds(b, "<table class=\"series\">\n<tr><th>old</th><th>new</th><th></th>"
	            "<th>patch</th></tr>\n");
	for (size_t k = 0; k < pz->n; k++) {
		const struct sitem *o = m->match[k] == (size_t)-1 ? NULL : &pa->v[m->match[k]];
		const char *what = !o                         ? "added"
		                   : !m->same[k]              ? "changed"
		                   : o->part != pz->v[k].part ? "moved"
		                                              : "unchanged";
		change_row(c, b, what, o, &pz->v[k], a->s.total, z->s.total);
	}
	for (size_t i = 0; i < pa->n; i++)
		if (!m->used[i])
			change_row(c, b, "dropped", &pa->v[i], NULL, a->s.total, z->s.total);
	buf_adds(b, "</table>\n");
}

/* One line of the diff of diffs: mark ' ', '-' (only in the old patch) or '+'. */
static void ddiff_line(struct buf *b, char mark, const char *p, size_t n)
{
	buf_adds(b, mark == '-'   ? "<span class=\"del\">-"
	            : mark == '+' ? "<span class=\"add\">+"
	                          : " ");
	html_text(b, p, n);
	buf_adds(b, mark == ' ' ? "\n" : "</span>\n");
}

static bool is_hunk(const struct lines *l, size_t i)
{
	return l->n[i] >= 2 && memcmp(l->p[i], "@@", 2) == 0;
}

/* The diff of two files' diffs (as git range-diff shows them: the old
 * patch's lines marked '-', the new one's '+'), by their longest common
 * subsequence of lines, with three lines of context around changes; each
 * run of changes headed by the hunk it is in (the last "@@" line before
 * it, of either side), as git range-diff does. */
static void diff_of_diffs(struct buf *b, const struct lines *x, const struct lines *y)
{
	char *mark;
	size_t *from, len;
	uint64_t work = UINT64_MAX;
	if (!ddiff_marks(x, y, &work, &mark, &from, &len)) {
		buf_adds(b, "(too big to compare here)\n");
		return;
	}
	size_t last_shown = (size_t)-1, hunk = (size_t)-1;
	for (size_t j = 0; j < len; j++) {
		const struct lines *l = mark[j] == '+' ? y : x;
		bool near = false;
		for (size_t d = j >= 3 ? j - 3 : 0; d < len && d <= j + 3 && !near; d++)
			near = mark[d] != ' ';
		if (!near) {
			if (is_hunk(l, from[j]))
				hunk = j;
			continue;
		}
		if (last_shown == (size_t)-1 || j > last_shown + 1) {
			/* A new run: its hunk, unless it begins with one. */
			if (hunk != (size_t)-1 && !is_hunk(l, from[j])) {
				const struct lines *hl = mark[hunk] == '+' ? y : x;
				buf_adds(b, "<span class=\"hunk\">");
				html_text(b, hl->p[from[hunk]], hl->n[from[hunk]]);
				buf_adds(b, "</span>\n");
			} else if (last_shown != (size_t)-1)
				buf_adds(b, "<span class=\"skip\">@@ \xe2\x80\xa6 @@</span>\n");
		}
		if (is_hunk(l, from[j]))
			hunk = j;
		ddiff_line(b, mark[j], l->p[from[j]], l->n[from[j]]);
		last_shown = j;
	}
	free(mark);
	free(from);
}

/* The files of a diff (at most max: DIFF_FILES_MAX, the rest part of
 * the last): where each begins (its "diff " line) and its name
 * (the path after the last " b/" of that line, else the line). */
struct dfile {
	size_t from, to;
	const char *name;
	size_t name_len;
};

static size_t diff_files(const struct lines *l, struct dfile *f, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < l->count; i++) {
		if (!(l->n[i] >= 5 && memcmp(l->p[i], "diff ", 5) == 0))
			continue;
		if (n == max)
			break;
		if (n > 0)
			f[n - 1].to = i;
		const char *p = l->p[i] + 5;
		size_t len = l->n[i] - 5;
		for (size_t k = len; k >= 3; k--)
			if (memcmp(p + k - 3, " b/", 3) == 0) {
				p += k;
				len -= k;
				break;
			}
		f[n++] = (struct dfile){i, l->count, p, len};
	}
	if (n == 0 && l->count > 0)
		f[n++] = (struct dfile){0, l->count, "", 0};
	/* A trailer of the mail (the "-- " signature, git's version) stays
	 * with the last file: both sides have it. */
	return n;
}

static const struct dfile *file_named(const struct dfile *f, size_t n, const struct dfile *like)
{
	for (size_t i = 0; i < n; i++)
		if (f[i].name_len == like->name_len &&
		    memcmp(f[i].name, like->name, like->name_len) == 0)
			return &f[i];
	return NULL;
}

static bool file_same(const struct lines *x, const struct dfile *fx, const struct lines *y,
                      const struct dfile *fy)
{
	if (fx->to - fx->from != fy->to - fy->from)
		return false;
	for (size_t i = 0; i < fx->to - fx->from; i++)
		if (!line_eq(x, fx->from + i, y, fy->from + i))
			return false;
	return true;
}

/* One file's section: its heading (anchor pK-fJ) and the diff of its
 * diffs (one side empty for a file only one patch touches). */
static void file_section(struct buf *b, unsigned part, size_t no, const struct dfile *f,
                         const struct lines *x, const struct dfile *fx, const struct lines *y,
                         const struct dfile *fy)
{
	buf_printf(b, "<h3 class=\"ddiff-file\" id=\"p%u-f%zu\">", part, no);
	html_text(b, f->name_len ? f->name : "(the diff)", f->name_len ? f->name_len : 10);
	buf_adds(b, fx && fy ? "" : fx ? " (only in the old patch)" : " (only in the new patch)");
	buf_adds(b, "</h3>\n<pre class=\"msg ddiff\">");
	struct lines ex = {0}, sx = fx ? lines_sub(x, fx->from, fx->to) : ex;
	struct lines sy = fy ? lines_sub(y, fy->from, fy->to) : ex;
	diff_of_diffs(b, &sx, &sy);
	buf_adds(b, "</pre>\n");
}

/* A file of a changed patch: its name's, and the old and new file (one
 * NULL if only the other has it). */
struct fsec {
	const struct dfile *f, *ox, *oy;
};

/* A changed patch's diff against its old one, a section a file that
 * differs (the new patch's files in order, then those only the old one
 * had), each linked from a list at the top. */
static void patch_sections(struct buf *b, unsigned part, const struct lines *x,
                           const struct lines *y)
{
	struct dfile *fx = calloc(DIFF_FILES_MAX, sizeof *fx);
	struct dfile *fy = calloc(DIFF_FILES_MAX, sizeof *fy);
	if (!fx || !fy) {
		free(fx);
		free(fy);
		buf_adds(b, "<p>(too big to compare here)</p>\n");
		return;
	}
	size_t nx = diff_files(x, fx, DIFF_FILES_MAX), ny = diff_files(y, fy, DIFF_FILES_MAX);
	/* Which files differ: those of y, then those only in x. */
	struct fsec *s = calloc(nx + ny + 1, sizeof *s);
	size_t ns = 0;
	for (size_t k = 0; s && k < ny; k++) {
		const struct dfile *o = file_named(fx, nx, &fy[k]);
		if (!o || !file_same(x, o, y, &fy[k]))
			s[ns++] = (struct fsec){&fy[k], o, &fy[k]};
	}
	for (size_t i = 0; s && i < nx; i++)
		if (!file_named(fy, ny, &fx[i]))
			s[ns++] = (struct fsec){&fx[i], &fx[i], NULL};
	if (!s)
		buf_adds(b, "<p>(too big to compare here)</p>\n");
	else if (ns == 0)
		buf_adds(b, "<p>The diffs are the same; the patch changed around them.</p>\n");
	else {
		buf_adds(b, "<ul class=\"ddiff-files\">\n");
		for (size_t j = 0; j < ns; j++) {
			buf_printf(b, "<li><a href=\"#p%u-f%zu\">", part, j + 1);
			html_text(b, s[j].f->name_len ? s[j].f->name : "(the diff)",
			          s[j].f->name_len ? s[j].f->name_len : 10);
			buf_adds(b, "</a></li>\n");
		}
		buf_adds(b, "</ul>\n");
		for (size_t j = 0; j < ns; j++)
			file_section(b, part, j + 1, s[j].f, x, s[j].ox, y, s[j].oy);
	}
	free(s);
	free(fx);
	free(fy);
}

void series_ddiff_html(struct buf *b, const char *old, size_t on, const char *new, size_t nn,
                       size_t *cost)
{
	struct ptext x = {0}, y = {0};
	struct buf *t[2] = {&x.text, &y.text};
	const char *src[2] = {old, new};
	size_t len[2] = {on, nn};
	for (int i = 0; i < 2; i++) {
		buf_init(t[i], MSG_INMEM_MAX);
		buf_add(t[i], src[i], len[i]);
	}
	*cost = SIZE_MAX;
	struct ptext *p[2] = {&x, &y};
	for (int i = 0; i < 2; i++) {
		p[i]->ok =
			!t[i]->err && split_diff(t[i]->data ? t[i]->data : "", t[i]->len, &p[i]->l);
		snprintf(p[i]->name, sizeof p[i]->name, "%s", "patch");
		p[i]->cost_ok = p[i]->ok && split_cost(p[i]);
	}
	uint64_t work = PAIR_WORK_MAX;
	if (x.cost_ok && y.cost_ok)
		*cost = diff_size(&x.cost, &y.cost, &work);
	if (x.ok && y.ok)
		patch_sections(b, 1, &x.l, &y.l);
	for (int i = 0; i < 2; i++) {
		buf_free(t[i]);
		lines_free(&p[i]->l);
		lines_free(&p[i]->cost);
	}
}

/* Each changed patch's diff against its old version (a diff of diffs),
 * a section a patch (anchor pK, K its new place) and in it one a file. */
static void changes_diffs(const struct render_ctx *c, struct buf *b, const struct version *a,
                          const struct version *z, const struct series_page *pa,
                          const struct series_page *pz, struct changes *m)
{
	for (size_t k = 0; k < pz->n; k++) {
		if (m->match[k] == (size_t)-1 || m->same[k])
			continue;
		const struct sitem *o = &pa->v[m->match[k]];
		buf_printf(b, "<h2 id=\"p%u\">%u/%u \xe2\x86\x92 %u/%u: ", pz->v[k].part, o->part,
		           a->s.total, pz->v[k].part, z->s.total);
		subject_text(c, b, pz->v[k].list, pz->v[k].subject);
		buf_adds(b, "</h2>\n");
		if (!same_name(o, &pz->v[k])) {
			buf_adds(b, "<p class=\"was\">was: ");
			subject_text(c, b, o->list, o->subject);
			buf_adds(b, "</p>\n");
		}
		const struct ptext *tx = ptext_get(c, o, &m->ta[m->match[k]]);
		const struct ptext *ty = ptext_get(c, &pz->v[k], &m->tz[k]);
		if (tx->ok && ty->ok)
			patch_sections(b, pz->v[k].part, &tx->l, &ty->l);
		else
			buf_adds(b, "<p>(the patches could not be compared here)</p>\n");
	}
}

enum la_status render_series_changes(const struct render_ctx *c, const char *list,
                                     const char *msgid, unsigned from, unsigned to,
                                     struct response *r)
{
	struct series_view sv;
	bool shown;
	/* The patches alone: no replies, no trailers. */
	enum la_status e = series_collect(c, list, msgid, false, r, &sv, &shown);
	if (shown)
		return e;
	const struct version *v = sv.v;
	size_t nv = sv.nv;
	/* The newest series of each version (a resend replaces its first). */
	const struct version *a = NULL, *z = NULL;
	for (size_t i = 0; i < nv; i++) {
		if (v[i].s.version == from)
			a = &v[i];
		if (v[i].s.version == to)
			z = &v[i];
	}
	struct series_page pa = {0}, pz = {0};
	struct changes m = {0};
	struct buf *b = &r->body;
	if (!a || !z || a == z) {
		render_error(c, r, 404, "This series has no such pair of versions.");
		e = LA_OK;
		goto out;
	}
	e = changes_load(c, a->s.id, &pa);
	if (!e)
		e = changes_load(c, z->s.id, &pz);
	if (!e)
		e = changes_match(c, &pa, &pz, &m);
	if (e) {
		render_error(c, r, 500, "The index could not be read.");
		goto out;
	}
	changes_table(c, b, &v[0], a, z, &pa, &pz, &m);
	changes_diffs(c, b, a, z, &pa, &pz, &m);
	e = page_close(c, r, 200, 300);
out:
	changes_free(&m);
	page_free(&pa);
	page_free(&pz);
	series_view_free(&sv);
	return e;
}
