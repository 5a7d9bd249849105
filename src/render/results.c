/* results.c: the search box, the results pages and the help page of the
 * query language. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "limits.h"
#include "msg/text.h"
#include "render/html.h"
#include "render/render_int.h"
#include "search/search.h"
#include "thread/thread.h"
#include "util/utf8.h"
#include "util/vec.h"
#include "util/civil.h"
#include "util/fold.h"

/* Results per page, the pages and how far matches are counted:
 * RESULTS_PER_PAGE, RESULTS_PAGES_MAX, RESULTS_COUNT_EXACT (limits.h). */
/* Bytes of body text around the first match. */
#define SNIPPET_BYTES 240
/* SEARCH_MBOX_MAX as the help page writes it. */
#define SEARCH_MBOX_MAX_TEXT "10,000"
_Static_assert(SEARCH_MBOX_MAX == 10000, "SEARCH_MBOX_MAX_TEXT says 10,000");

void render_search_box(const struct render_ctx *c, struct buf *b, const char *list, const char *q)
{
	buf_adds(b, "<form class=\"search\" method=\"get\" action=\"");
	link_list(c, b, list);
	buf_adds(b, "\"><input type=\"search\" name=\"q\" size=\"40\" value=\"");
	html_attrs(b, q ? q : "");
	buf_adds(b, "\" aria-label=\"search\"> <button type=\"submit\">search</button> <a href=\"");
	buf_adds(b, c->base);
	buf_adds(b, "_/search-help\">help</a></form>\n");
}

/* The search URL with {searchTerms}: absolute when the request's origin
 * is known (browsers want one), else from base. */
static void opensearch_url(const struct render_ctx *c, struct buf *b, const char *list,
                           const char *suffix)
{
	if (c->req_origin && c->base[0] == '/')
		html_attrs(b, c->req_origin);
	struct buf u;
	buf_init(&u, 3 * URL_MAX);
	if (list)
		link_list(c, &u, list);
	else
		buf_adds(&u, c->base);
	html_attrs(b, buf_cstr(&u));
	buf_free(&u);
	buf_adds(b, suffix);
}

enum la_status render_opensearch(const struct render_ctx *c, const char *list, struct response *r)
{
	int64_t list_id;
	if (list && store_list_id(c->st, list, &list_id) != LA_OK) {
		render_error(c, r, 404, "There is no such list in this archive.");
		return LA_OK;
	}
	const char *site = c->conf && c->conf->title ? c->conf->title : "Mailing list archives";
	struct buf *b = &r->body;
	buf_reset(b);
	buf_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	            "<OpenSearchDescription xmlns=\"http://a9.com/-/spec/opensearch/1.1/\">\n"
	            "<ShortName>");
	/* ShortName: at most 16 characters, the list's name if it fits. */
	const char *name = list ? list : "all lists";
	size_t nl = strlen(name);
	html_text(b, name, nl > 16 ? utf8_trunc(name, 16) : nl);
	buf_adds(b, "</ShortName>\n<Description>");
	if (list) {
		html_texts(b, list);
		buf_adds(b, " mailing list, ");
	} else {
		buf_adds(b, "All lists, ");
	}
	html_texts(b, site);
	buf_adds(b, "</Description>\n<InputEncoding>UTF-8</InputEncoding>\n"
	            "<Url type=\"text/html\" method=\"get\" template=\"");
	opensearch_url(c, b, list, "?q={searchTerms}");
	buf_adds(b, "\"/>\n<Url type=\"application/atom+xml\" method=\"get\" template=\"");
	opensearch_url(c, b, list, "?q={searchTerms}&amp;x=A");
	buf_adds(b, "\"/>\n<Url type=\"application/opensearchdescription+xml\" rel=\"self\" "
	            "template=\"");
	opensearch_url(c, b, list, "_/opensearch.xml");
	buf_adds(b, "\"/>\n</OpenSearchDescription>\n");
	r->status = 200;
	r->content_type = "application/opensearchdescription+xml";
	r->max_age = 86400;
	return b->err;
}

static bool word_char(unsigned char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       ch >= 0x80;
}

/* Length of the highlight word matching at p, or 0: a whole word as the
 * search index tokenizes it, compared by the keys of its characters
 * (util/fold.h: "strasse" marks "Straße", "cafe" "Café"), as the
 * words are (search_words). */
static size_t match_at(const char *p, size_t n, bool at_start, const char *const *words)
{
	if (!at_start)
		return 0;
	for (size_t w = 0; words[w]; w++) {
		size_t k = strlen(words[w]);
		bool prefix = k > 0 && words[w][k - 1] == '*';
		k -= prefix;
		if (k == 0)
			continue;
		size_t i = 0, j = 0, used;
		char key[FOLD_KEY_MAX];
		while (j < k && i < n) {
			unsigned char c = (unsigned char)p[i];
			if (c < 0x80) {
				/* (ASCII, most text: its key is itself, lowercase.) */
				if ((c >= 'A' && c <= 'Z' ? c + 32 : c) !=
				    (unsigned char)words[w][j])
					break;
				i++;
				j++;
				continue;
			}
			size_t kl = fold_key_char(p + i, n - i, key, &used);
			if (kl > k - j) {
				/* A prefix may end inside a character's key (stra* in
				 * Straße); a word may not. */
				if (prefix && !memcmp(key, words[w] + j, k - j)) {
					j = k;
					i += used;
				}
				break;
			}
			if (memcmp(key, words[w] + j, kl))
				break;
			j += kl;
			i += used;
		}
		if (j < k)
			continue;
		/* A prefix (a stem) marks the whole word it starts; the marks
		 * on the word's last letter are part of it. */
		while (i < n && word_char((unsigned char)p[i])) {
			used = 1;
			if (((unsigned char)p[i] < 0x80 ||
			     fold_key_char(p + i, n - i, key, &used)) &&
			    !prefix)
				break;
			i += used;
		}
		if (i == n || !word_char((unsigned char)p[i]))
			return i;
	}
	return 0;
}

/* Writes text with the words marked: escaped first, then marked, so that
 * nothing of the text becomes markup. */
static void marked(struct buf *b, const char *p, size_t n, const char *const *words)
{
	size_t i = 0, run = 0;
	while (i < n) {
		bool start = i == 0 || !word_char((unsigned char)p[i - 1]);
		size_t k = match_at(p + i, n - i, start, words);
		if (k) {
			html_text(b, p + run, i - run);
			buf_adds(b, "<mark>");
			html_text(b, p + i, k);
			buf_adds(b, "</mark>");
			i += k;
			run = i;
			continue;
		}
		i++;
	}
	html_text(b, p + run, n - run);
}

/* A snippet of a message's body text around the first match of a
 * highlight word (or its first lines), whitespace collapsed. */
static void snippet(const struct render_ctx *c, struct buf *b, int64_t id, const char *const *words,
                    struct msg_text *t, struct buf *raw)
{
	struct store_msg m;
	if (store_msg_by_id(c->st, id, &m) != LA_OK)
		return;
	buf_reset(raw);
	if (store_msg_read(c->st, &m, SEARCH_TEXT_MAX * 8, raw) == LA_OK) {
		msg_text_extract(t, raw->data ? raw->data : "", raw->len);
		/* The non-quoted text first; quoted text if that has no match. */
		const struct buf *src[2] = {&t->nq, &t->q};
		const char *text = t->nq.data ? t->nq.data : "";
		size_t len = t->nq.len, at = 0;
		bool found = false;
		for (int s = 0; s < 2 && !found; s++) {
			const char *p = src[s]->data ? src[s]->data : "";
			for (size_t i = 0; i < src[s]->len && !found; i++)
				if (match_at(p + i, src[s]->len - i,
				             i == 0 || !word_char((unsigned char)p[i - 1]),
				             words)) {
					text = p, len = src[s]->len, at = i, found = true;
				}
		}
		size_t from = at > SNIPPET_BYTES / 3 ? at - SNIPPET_BYTES / 3 : 0;
		/* Start at a word. */
		while (from > 0 && from < at && word_char((unsigned char)text[from - 1]))
			from++;
		size_t to = from + SNIPPET_BYTES < len ? from + SNIPPET_BYTES : len;
		to = from + utf8_trunc(text + from, to - from);
		/* Collapse whitespace into single spaces, then obfuscate
		 * addresses as every page does. */
		struct buf w, s;
		buf_init(&w, SNIPPET_BYTES + 8);
		buf_init(&s, SNIPPET_BYTES + 8);
		bool sp = false;
		for (size_t i = from; i < to; i++) {
			char ch = text[i];
			if (ch == '\n' || ch == '\t' || ch == ' ' || ch == '\r') {
				sp = w.len > 0;
				continue;
			}
			if (sp)
				buf_addc(&w, ' ');
			sp = false;
			buf_addc(&w, ch);
		}
		text_obfuscate(&s, w.data ? w.data : "", w.len);
		buf_free(&w);
		if (s.len) {
			buf_adds(b, "<br><span class=\"snippet\">");
			if (from > 0)
				buf_adds(b, "&hellip; ");
			marked(b, s.data, s.len, words);
			if (to < len)
				buf_adds(b, " &hellip;");
			buf_adds(b, "</span>");
		}
		buf_free(&s);
	}
	store_msg_clear(&m);
}

struct results {
	const struct render_ctx *c;
	struct buf *b;
	bool all;
	const char *const *words;
	struct msg_text text;
	struct buf raw;
	/* t=1: one line per thread (the first match of each), those from
	 * thread number skip + 1 to skip + want; threads counts them, seen
	 * holds their ids (open addressing, 0 = empty: thread ids start
	 * at 1). */
	int64_t *seen;
	size_t nseen;
	int skip, want, threads;
};

/* Adds thread id t to x->seen; false if it was there (or memory ran
 * out: the thread is then not shown twice either). */
static bool seen_add(struct results *x, int64_t t)
{
	if ((size_t)x->threads * 2 >= x->nseen) {
		size_t n = x->nseen ? x->nseen * 2 : 1024;
		int64_t *v = calloc(n, sizeof *v);
		if (!v)
			return false;
		for (size_t i = 0; i < x->nseen; i++)
			if (x->seen[i])
				for (size_t j = (size_t)x->seen[i] * 0x9E3779B97F4A7C15u % n;;
				     j = (j + 1) % n)
					if (!v[j]) {
						v[j] = x->seen[i];
						break;
					}
		free(x->seen);
		x->seen = v;
		x->nseen = n;
	}
	for (size_t j = (size_t)t * 0x9E3779B97F4A7C15u % x->nseen;; j = (j + 1) % x->nseen) {
		if (x->seen[j] == t)
			return false;
		if (!x->seen[j]) {
			x->seen[j] = t;
			return true;
		}
	}
}

/* A result: its subject (linked), sender, date, list and snippet. */
static void result_body(struct results *x, const struct store_entry *e)
{
	struct buf *b = x->b;
	buf_adds(b, "<a href=\"");
	link_msg(x->c, b, e->list, e->day, e->num);
	buf_adds(b, "\">");
	/* The subject, marked too. */
	struct buf s;
	buf_init(&s, SUBJECT_MAX + 64);
	subject_plain(x->c, &s, e->list, e->subject);
	marked(b, s.data ? s.data : "", s.len, x->words);
	buf_free(&s);
	buf_adds(b, "</a> <span class=\"from\">(");
	sender_text(b, e->from_name, e->from_addr);
	buf_adds(b, ")</span> <span class=\"date\">");
	time_html(x->c, b, e->has_date ? e->date : e->ts, e->has_date && e->has_tz, e->tz,
	          TIME_MINUTES);
	buf_adds(b, "</span>");
	if (x->all) {
		buf_adds(b, " <span class=\"list\">");
		html_texts(b, e->list);
		buf_adds(b, "</span>");
	}
	snippet(x->c, b, e->id, x->words, &x->text, &x->raw);
}

static bool result_line(const struct store_entry *e, void *arg)
{
	struct results *x = arg;
	buf_adds(x->b, "<li>");
	result_body(x, e);
	buf_adds(x->b, "</li>\n");
	return true;
}

/* t=1: the first match of each thread only. */
static bool thread_line(const struct store_entry *e, void *arg)
{
	struct results *x = arg;
	if (!seen_add(x, e->thread))
		return true;
	x->threads++;
	if (x->threads > x->skip && x->threads <= x->skip + x->want)
		result_line(e, x);
	return true;
}

/* x=t: the results of a page grouped by thread, each thread's results
 * nested by their replies to one another (as lore's x=t shows them),
 * the threads in the order of their first result. */
static void results_tree(struct results *x, const struct render_entries *l)
{
	struct buf *b = x->b;
	bool *done = calloc(l->n ? l->n : 1, sizeof *done);
	struct thread_id_in *ids = calloc(l->n ? l->n : 1, sizeof *ids);
	struct thread_msg_in *msgs = calloc(l->n ? l->n : 1, sizeof *msgs);
	if (!done || !ids || !msgs) {
		b->err = LA_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < l->n; i++) {
		if (done[i])
			continue;
		/* The results of i's thread; a parent outside them makes a root. */
		size_t n = 0, nids = 0;
		for (size_t j = i; j < l->n; j++) {
			if (l->v[j].thread != l->v[i].thread)
				continue;
			done[j] = true;
			msgs[n].mid = l->v[j].mid;
			msgs[n].ts = l->v[j].ts;
			msgs[n].key = (int64_t)j;
			n++;
			bool known = false; /* (copies in two lists share an id) */
			for (size_t k = 0; k < nids && !known; k++)
				known = ids[k].id == l->v[j].mid;
			if (!known)
				ids[nids++] = (struct thread_id_in){l->v[j].mid, l->v[j].parent};
		}
		for (size_t k = 0; k < nids; k++) {
			bool found = false;
			for (size_t j = 0; j < nids && !found; j++)
				found = j != k && ids[j].id == ids[k].parent;
			if (!found)
				ids[k].parent = 0;
		}
		struct thread_tree t;
		if (!thread_build(ids, nids, msgs, n, &t)) {
			b->err = LA_ENOMEM;
			break;
		}
		/* Nested lists, a level per depth (at most one deeper than the
		 * row before, so that they nest properly). */
		int level = 0, prev = -1;
		for (size_t r = 0; r < t.nrows; r++) {
			if (t.rows[r].ghost)
				continue;
			int d = t.rows[r].depth;
			if (d > prev + 1)
				d = prev + 1;
			if (d > 16)
				d = 16;
			outline_nest(b, &level, d, "<li><ul class=\"tree\">");
			buf_adds(b, "\n<li>");
			result_body(x, &l->v[t.rows[r].key]);
			prev = d;
		}
		if (level > 0) {
			buf_adds(b, "</li>");
			for (; level > 1; level--)
				buf_adds(b, "</ul></li>");
			buf_adds(b, "</ul></li>\n");
		}
		thread_tree_free(&t);
	}
out:
	free(done);
	free(ids);
	free(msgs);
}

/* The URL of a page of results, in format x ("": the page itself), its
 * parameters separated by amp ("&amp;" in HTML, "&" where the caller
 * escapes). */
static void results_url(const struct render_ctx *c, struct buf *b, const char *list, const char *q,
                        const char *order, int page, const char *x, bool t1, const char *amp)
{
	link_list(c, b, list);
	buf_adds(b, "?q=");
	url_encode(b, q, strlen(q), NULL);
	if (order && !strcmp(order, "relevance"))
		buf_printf(b, "%so=relevance", amp);
	if (page > 1)
		buf_printf(b, "%spage=%d", amp, page);
	if (x[0])
		buf_printf(b, "%sx=%s", amp, x);
	if (t1)
		buf_printf(b, "%st=1", amp);
}

/* How a results page shows its results: a list, the list with one
 * result per thread (t=1), or grouped and nested by thread (x=t). */
enum view { V_LIST, V_THREADS, V_TREE };

static void results_link(const struct render_ctx *c, struct buf *b, const char *list, const char *q,
                         const char *order, int page, enum view v)
{
	results_url(c, b, list, q, order, page, v == V_TREE ? "t" : "", v == V_THREADS, "&amp;");
}

/* &x=A: the page's results as an Atom feed. */
static enum la_status results_atom(const struct render_ctx *c, const char *list, int64_t list_id,
                                   const char *q, const struct search_query *sq, const char *order,
                                   int page, struct response *r)
{
	bool relevance = order && !strcmp(order, "relevance");
	struct render_entries l = {0};
	int total = 0;
	enum la_status e = store_search(
		c->st, sq, list_id, relevance ? SEARCH_RELEVANCE : SEARCH_NEWEST,
		(page - 1) * RESULTS_PER_PAGE, RESULTS_PER_PAGE, 1, &total, render_entries_add, &l);
	if (!e && l.oom)
		e = LA_ENOMEM;
	if (e) {
		render_entries_free(&l);
		render_error(c, r, 500, "The search could not be run.");
		return e;
	}
	struct buf title, self, alt, key;
	buf_init(&title, QUERY_PARAM_MAX + LISTNAME_MAX + 64);
	buf_init(&self, 4 * URL_MAX);
	buf_init(&alt, 4 * URL_MAX);
	buf_init(&key, 2 * QUERY_PARAM_MAX);
	buf_printf(&title, "Search for %s in %s", q, list ? list : "all lists");
	results_url(c, &self, list, q, order, page, "A", false, "&");
	results_url(c, &alt, list, q, order, page, "", false, "&");
	buf_printf(&key, "search\n%s\n%s\n%s\n%d", list ? list : "", q, relevance ? "r" : "n",
	           page);
	if (title.err || self.err || alt.err || key.err) {
		e = LA_ENOMEM;
		render_error(c, r, 500, "The feed could not be built.");
	} else {
		struct render_feed f = {buf_cstr(&title), buf_cstr(&self), buf_cstr(&alt),
		                        buf_cstr(&key)};
		e = render_atom(c, &f, &l, r);
		r->max_age = 60;
	}
	buf_free(&title);
	buf_free(&self);
	buf_free(&alt);
	buf_free(&key);
	render_entries_free(&l);
	return e;
}

struct id_list {
	int64_t *v;
	size_t n, cap;
	bool oom;
};

static bool push(struct id_list *x, int64_t v)
{
	if (!vec_reserve(&x->v, &x->cap, x->n + 1, sizeof *x->v)) {
		x->oom = true;
		return false;
	}
	x->v[x->n++] = v;
	return true;
}

static bool take_id(const struct store_entry *e, void *arg)
{
	return push(arg, e->id);
}

/* The matches' ids and their threads' ids. */
struct matches {
	struct id_list ids, threads;
};

static bool take_match(const struct store_entry *e, void *arg)
{
	struct matches *m = arg;
	return push(&m->ids, e->id) && push(&m->threads, e->thread);
}

static int by_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Sorts x and drops repeated values. */
static void sort_unique(struct id_list *x)
{
	if (x->n == 0)
		return;
	qsort(x->v, x->n, sizeof *x->v, by_id);
	size_t k = 1;
	for (size_t i = 1; i < x->n; i++)
		if (x->v[i] != x->v[k - 1])
			x->v[k++] = x->v[i];
	x->n = k;
}

/* &x=m: every matching message (the newest, or most relevant,
 * SEARCH_MBOX_MAX when more match: r->truncated says so), of one thread
 * if thread is not 0, with threads set every message of their threads
 * (&t=1, as lei asks), as a gzipped mboxrd in delivery order, streamed. */
static enum la_status results_mbox(const struct render_ctx *c, int64_t list_id, int64_t thread,
                                   const struct search_query *sq, const char *order, bool threads,
                                   struct response *r)
{
	bool relevance = order && !strcmp(order, "relevance");
	struct matches m = {0};
	int total = 0;
	enum la_status e = store_search_thread(
		c->st, sq, list_id, thread, relevance ? SEARCH_RELEVANCE : SEARCH_NEWEST, 0,
		SEARCH_MBOX_MAX, SEARCH_MBOX_MAX + 1, &total, take_match, &m);
	bool cut = total > SEARCH_MBOX_MAX;
	if (!e && threads) {
		/* The matches' threads, each read whole until the cap. */
		sort_unique(&m.threads);
		m.ids.n = 0;
		for (size_t i = 0; !e && !m.ids.oom && i < m.threads.n; i++) {
			if (m.ids.n >= SEARCH_MBOX_MAX) {
				cut = true;
				break;
			}
			size_t before = m.ids.n;
			int room = SEARCH_MBOX_MAX - (int)m.ids.n;
			e = store_thread_msgs(c->st, m.threads.v[i], list_id, room + 1, take_id,
			                      &m.ids);
			if (m.ids.n - before > (size_t)room) {
				m.ids.n = before + (size_t)room;
				cut = true;
			}
		}
	}
	if (!e && (m.ids.oom || m.threads.oom))
		e = LA_ENOMEM;
	if (e)
		render_error(c, r, 500, "The search could not be run.");
	else if (m.ids.n == 0)
		render_error(c, r, 404, "No messages match.");
	else {
		sort_unique(&m.ids);
		e = render_mboxgz(c, m.ids.v, m.ids.n, r);
		if (!e && cut)
			r->truncated = (int)m.ids.n;
		r->max_age = 60;
	}
	free(m.ids.v);
	free(m.threads.v);
	return e;
}

/* The query, parsed for this archive's search index. */
static enum la_status parse(const struct render_ctx *c, const char *q, struct search_query **sq,
                            struct la_err *err)
{
	return store_search_parse(c->st, q, strlen(q), (int64_t)time(NULL), sq, err);
}

/* How many of total results (or threads) page shows, RESULTS_PER_PAGE
 * a page. */
static int on_page(int total, int page)
{
	int left = total - (page - 1) * RESULTS_PER_PAGE;
	return left < 0 ? 0 : left > RESULTS_PER_PAGE ? RESULTS_PER_PAGE : left;
}

/* x=A (an Atom feed of the results) or x=m (an mbox.gz of them, or of
 * the thread of the message req->msgid names): the results in another
 * format than the page's. */
static enum la_status search_as_format(const struct render_ctx *c, const char *list,
                                       int64_t list_id, const struct render_search_req *req,
                                       struct response *r)
{
	const char *format = req->format;
	if (strcmp(format, "A") != 0 && strcmp(format, "m") != 0) {
		render_error(c, r, 400,
		             "x= is A (the results as an Atom feed), m (as an mbox) or t (as "
		             "threads).");
		return LA_OK;
	}
	if (req->page < 1 || req->page > RESULTS_PAGES_MAX) {
		render_error(c, r, 404, "There is no such page of results.");
		return LA_OK;
	}
	struct la_err perr = {0};
	struct search_query *sq = NULL;
	if (parse(c, req->q, &sq, &perr) != LA_OK) {
		render_error(c, r, 400, perr.msg[0] ? perr.msg : "The query could not be read.");
		return LA_OK;
	}
	enum la_status e = LA_OK;
	int64_t mid = 0, thread = 0;
	if (format[0] == 'm' && req->msgid &&
	    (e = store_mid_find(c->st, req->msgid, &mid, &thread)) != LA_OK) {
		if (e == LA_ENOTFOUND)
			render_error(c, r, 404, "There is no message with this Message-ID here.");
		else
			render_error(c, r, 500, "The search could not be run.");
		e = e == LA_ENOTFOUND ? LA_OK : e;
	} else if (format[0] == 'A') {
		e = results_atom(c, list, list_id, req->q, sq, req->order, req->page, r);
	} else {
		e = results_mbox(c, list_id, thread, sq, req->order, req->threads, r);
	}
	search_free(sq);
	return e;
}

/* One results page: what was asked, and what running the query found. */
struct results_page {
	const char *list, *q, *order;
	enum view view;
	bool relevance;
	int page;
	int total;   /* matches counted (up to upto + 1; t=1: walk + 1) */
	int upto;    /* messages are counted exactly up to here */
	int walk;    /* t=1: how many matches were walked for their threads */
	int threads; /* t=1: the threads among them */
	int shown;   /* results on this page */
	bool more;   /* more match than were counted */
	int units;   /* results counted: threads with t=1, else messages */
};

/* Runs the query for page p's view, writing its results to x->b. */
static enum la_status run_results(struct results *x, const struct search_query *sq, int64_t list_id,
                                  struct results_page *p)
{
	const struct render_ctx *c = x->c;
	enum search_order so = p->relevance ? SEARCH_RELEVANCE : SEARCH_NEWEST;
	int from = (p->page - 1) * RESULTS_PER_PAGE;
	enum la_status e;
	p->upto = p->page * RESULTS_PER_PAGE > RESULTS_COUNT_EXACT ? p->page * RESULTS_PER_PAGE
	                                                           : RESULTS_COUNT_EXACT;
	if (p->view == V_THREADS) {
		/* The threads of the newest (or most relevant) matches,
		 * RESULTS_COUNT_EXACT of them a page shown (each is read:
		 * 10,000 took 180 ms at 100,000 messages), at most
		 * SEARCH_MBOX_MAX. */
		p->walk = RESULTS_COUNT_EXACT * p->page < SEARCH_MBOX_MAX
		                  ? RESULTS_COUNT_EXACT * p->page
		                  : SEARCH_MBOX_MAX;
		x->skip = from;
		x->want = RESULTS_PER_PAGE;
		e = store_search(c->st, sq, list_id, so, 0, p->walk, p->walk + 1, &p->total,
		                 thread_line, x);
		p->threads = x->threads;
		p->shown = on_page(x->threads, p->page);
	} else if (p->view == V_TREE) {
		struct render_entries l = {0};
		e = store_search(c->st, sq, list_id, so, from, RESULTS_PER_PAGE, p->upto + 1,
		                 &p->total, render_entries_add, &l);
		if (!e && l.oom)
			e = LA_ENOMEM;
		if (!e)
			results_tree(x, &l);
		p->shown = (int)l.n;
		render_entries_free(&l);
	} else {
		e = store_search(c->st, sq, list_id, so, from, RESULTS_PER_PAGE, p->upto + 1,
		                 &p->total, result_line, x);
		p->shown = on_page(p->total > p->upto ? p->upto : p->total, p->page);
	}
	/* t=1 counts threads among the first walk matches; the others
	 * count messages, exactly to upto. */
	p->more = p->view == V_THREADS ? p->total > p->walk : p->total > p->upto;
	p->units = p->view == V_THREADS ? p->threads : p->more ? p->upto : p->total;
	return e;
}

/* What goes above the results: how many match, the order and the
 * views to choose from, the Atom feed and the mboxes. */
static void results_head(const struct render_ctx *c, struct buf *b, const struct results_page *p)
{
	const char *first = p->relevance ? "the most relevant" : "the newest";
	int n = p->threads;
	if (p->total == 0)
		buf_adds(b, "<p>No messages match.</p>\n");
	else if (p->view == V_THREADS && p->more)
		buf_printf(b,
		           "<p>%d thread%s in the first %d matching messages; %s first, "
		           "one message each.</p>\n",
		           n, n == 1 ? "" : "s", p->walk, first);
	else if (p->view == V_THREADS)
		buf_printf(b, "<p>%d thread%s match%s; %s first, one message each.</p>\n", n,
		           n == 1 ? "" : "s", n == 1 ? "es" : "", first);
	else if (p->more)
		buf_printf(b, "<p>More than %d messages match; %s first.</p>\n", p->upto, first);
	else
		buf_printf(b, "<p>%d message%s match%s; %s first.</p>\n", p->total,
		           p->total == 1 ? "" : "s", p->total == 1 ? "es" : "", first);
	buf_adds(b, "<p class=\"nav\">Order: ");
	if (p->relevance) {
		buf_adds(b, "<a href=\"");
		results_link(c, b, p->list, p->q, NULL, 1, p->view);
		buf_adds(b, "\">newest</a> | relevance");
	} else {
		buf_adds(b, "newest | <a href=\"");
		results_link(c, b, p->list, p->q, "relevance", 1, p->view);
		buf_adds(b, "\">relevance</a>");
	}
	/* The views lore offers: summary, collapsed threads, nested. */
	static const char *const vname[] = {"list", "one per thread", "threads"};
	buf_adds(b, " | View: ");
	for (int k = V_LIST; k <= V_TREE; k++) {
		if (k > V_LIST)
			buf_adds(b, ", ");
		if (k == (int)p->view) {
			buf_adds(b, vname[k]);
		} else {
			buf_adds(b, "<a href=\"");
			results_link(c, b, p->list, p->q, p->order, 1, (enum view)k);
			buf_printf(b, "\">%s</a>", vname[k]);
		}
	}
	if (p->total > 0) {
		buf_adds(b, " | <a href=\"");
		results_url(c, b, p->list, p->q, p->order, p->page, "A", false, "&amp;");
		buf_adds(b, "\">Atom feed</a> | <a href=\"");
		results_url(c, b, p->list, p->q, p->order, 1, "m", false, "&amp;");
		if (p->total > p->upto || p->total > SEARCH_MBOX_MAX)
			buf_printf(b, "\">mbox.gz</a> (the %s %s at most)",
			           p->relevance ? "most relevant" : "newest", SEARCH_MBOX_MAX_TEXT);
		else
			buf_printf(b, "\">mbox.gz</a> (all %d)", p->total);
		buf_adds(b, ", <a href=\"");
		results_url(c, b, p->list, p->q, p->order, 1, "m", true, "&amp;");
		buf_adds(b, "\">with their threads</a>");
	}
	buf_adds(b, "</p>\n");
}

/* Below the results: lore's "Results A-B of N", and the previous and
 * next pages. */
static void results_pager(const struct render_ctx *c, struct buf *b, const struct results_page *p)
{
	int shown_from = (p->page - 1) * RESULTS_PER_PAGE + 1;
	int last = (p->units + RESULTS_PER_PAGE - 1) / RESULTS_PER_PAGE;
	if (p->more && p->view != V_THREADS)
		last = RESULTS_PAGES_MAX;
	else if (p->more && p->walk < SEARCH_MBOX_MAX && last <= p->page)
		last = p->page + 1; /* its walk goes further */
	if (p->shown == 0 && p->page == 1)
		return;
	buf_adds(b, "<div class=\"nav\">");
	if (p->shown > 0)
		buf_printf(b, "Results %d-%d of %s%d%s ", shown_from, shown_from + p->shown - 1,
		           p->more ? "more than " : "", p->units,
		           p->view == V_THREADS ? (p->units == 1 ? " thread" : " threads") : "");
	if (p->page > 1) {
		buf_adds(b, "[<a href=\"");
		results_link(c, b, p->list, p->q, p->order, p->page - 1, p->view);
		buf_adds(b, "\">&lt;previous</a>] ");
	}
	if (p->page < last) {
		buf_adds(b, "[<a href=\"");
		results_link(c, b, p->list, p->q, p->order, p->page + 1, p->view);
		buf_adds(b, "\">next&gt;</a>]");
	}
	buf_adds(b, "</div>\n");
}

/* Puts what head holds into b at offset mark (a sticky error if memory
 * runs out). */
static void insert_at(struct buf *b, size_t mark, const struct buf *head)
{
	if (!head->err && !b->err && buf_reserve(b, head->len) == LA_OK) {
		memmove(b->data + mark + head->len, b->data + mark, b->len - mark);
		memcpy(b->data + mark, head->data, head->len);
		b->len += head->len;
	}
}

/* The results of sq into b, the count and choices above them, the pages
 * below; *status 404 for a page past the last.  On an error of the
 * store, returns it (what b holds is then to be dropped). */
static enum la_status results_body(const struct render_ctx *c, struct buf *b, int64_t list_id,
                                   const struct search_query *sq, struct results_page *p,
                                   int *status)
{
	char mode[16] = "on", build[16];
	la_ignore(store_meta_get(c->st, "search", mode, sizeof mode));
	if (strcmp(mode, "off") != 0 &&
	    store_meta_get(c->st, "search_build", build, sizeof build) == LA_OK)
		/* (Made beside the one searched, which stays whole.) */
		buf_adds(b, "<p class=\"error\">This archive's full-text index is being rebuilt: "
		            "until it is done, searches use the previous one.</p>\n");
	else if (strcmp(mode, "rebuilding") == 0)
		buf_adds(b, "<p class=\"error\">This archive's full-text index is being rebuilt: "
		            "until it is done, words find only some of the messages (m:, d:, dt:, "
		            "rt: and z: terms find all).</p>\n");
	else if (strcmp(mode, "on") != 0)
		buf_adds(b,
		         "<p class=\"error\">This archive has no full-text index (it was indexed "
		         "with --no-search): only m:, d:, dt:, rt: and z: terms find "
		         "anything.</p>\n");
	struct results x;
	memset(&x, 0, sizeof x);
	x.c = c;
	x.b = b;
	x.all = p->list == NULL;
	x.words = search_words(sq);
	msg_text_init(&x.text);
	x.text.words_only = true; /* a snippet reads nq and q */
	buf_init(&x.raw, SEARCH_TEXT_MAX * 8 + 1);
	size_t mark = b->len;
	buf_adds(b, p->view == V_TREE ? "<ul class=\"results\">\n" : "<ol class=\"results\">\n");
	enum la_status e = run_results(&x, sq, list_id, p);
	buf_adds(b, p->view == V_TREE ? "</ul>\n" : "</ol>\n");
	free(x.seen);
	msg_text_free(&x.text);
	buf_free(&x.raw);
	if (e)
		return e;
	/* The count goes before the list. */
	struct buf head;
	buf_init(&head, 4096);
	results_head(c, &head, p);
	insert_at(b, mark, &head);
	buf_free(&head);
	if (p->total > 0 && (p->page - 1) * RESULTS_PER_PAGE + 1 > p->units)
		*status = 404;
	results_pager(c, b, p);
	return LA_OK;
}

enum la_status render_search(const struct render_ctx *c, const char *list,
                             const struct render_search_req *req, struct response *r)
{
	const char *format = req->format ? req->format : "";
	int64_t list_id = 0;
	if (list && store_list_id(c->st, list, &list_id) != LA_OK) {
		render_error(c, r, 404, "There is no such list in this archive.");
		return LA_OK;
	}
	if (format[0] && strcmp(format, "t") != 0)
		return search_as_format(c, list, list_id, req, r);
	struct results_page p = {
		.list = list,
		.q = req->q,
		.order = req->order,
		.view = format[0] == 't' ? V_TREE
	                : req->threads   ? V_THREADS
	                                 : V_LIST,
		.relevance = req->order && !strcmp(req->order, "relevance"),
		.page = req->page,
	};
	struct buf *b = &r->body;
	buf_reset(b);
	char title[QUERY_PARAM_MAX + LISTNAME_MAX + 32];
	snprintf(title, sizeof title, "%s - search %s", req->q, list ? list : "all lists");
	struct buf feed;
	buf_init(&feed, 3 * URL_MAX);
	results_url(c, &feed, list, req->q, req->order, 1, "A", false, "&amp;");
	page_open(c, b,
	          &(struct page_head){.title = title,
	                              .list = list,
	                              .q = req->q,
	                              .feed = feed.err ? NULL : buf_cstr(&feed)});
	buf_free(&feed);
	/* The heading, for those who find their way by headings; the box
	 * above says the query to everyone else. */
	buf_adds(b, "<h1 class=\"vh\">");
	html_texts(b, title);
	buf_adds(b, "</h1>\n");
	struct la_err err = {0};
	struct search_query *sq = NULL;
	int status = 200;
	enum la_status e = LA_OK;
	if (p.page < 1 || p.page > RESULTS_PAGES_MAX) {
		buf_printf(b, "<p class=\"error\">Results are shown up to page %d.</p>\n",
		           RESULTS_PAGES_MAX);
		status = 404;
	} else if (parse(c, req->q, &sq, &err) != LA_OK) {
		buf_adds(b, "<p class=\"error\">");
		html_texts(b, err.msg[0] ? err.msg : "The query could not be read.");
		buf_adds(b, " See the <a href=\"");
		buf_adds(b, c->base);
		buf_adds(b, "_/search-help\">search help</a>.</p>\n");
		status = 400;
	} else {
		e = results_body(c, b, list_id, sq, &p, &status);
	}
	search_free(sq);
	if (e) {
		render_error(c, r, 500, "The search could not be run.");
		return e;
	}
	page_end(c, b);
	page_finish(r, status);
	r->max_age = 60;
	if (b->err) {
		e = b->err;
		render_error(c, r, 500, "The page could not be built.");
	}
	return e;
}

enum la_status render_search_help(const struct render_ctx *c, struct response *r)
{
	struct buf *b = &r->body;
	buf_reset(b);
	page_open_site(c, b, "Searching the archive");
	buf_adds(b, "<h1>Searching the archive</h1>\n");
	buf_adds(
		b,
		"<p>The language is lore's (public-inbox's). Words and \"quoted phrases\" (straight or "
		"curly quotes) search subjects, senders and message text; every word must match. "
		"Letters are compared without case or accents, and &szlig; as ss, ligatures as their "
		"letters (&aelig; ae, &oelig; oe, &#xFB01; fi): <code>strasse</code> finds Stra&szlig;e. "
		"A word ending in <code>*</code> "
		"matches as a prefix (<code>mm*</code>). A lowercase word also finds the words of "
		"its English stem in subjects, text, the diffs' lines and hunk headers (<code>dfa:</code>, "
		"<code>dfb:</code>, <code>dfctx:</code>, <code>dfhh:</code>), as lore's does (<code>review</code> finds "
		"<code>Reviewed</code> and <code>reviews</code>, <code>extends</code> finds "
		"<code>extend</code>); capitalised or in quotes it finds only itself. Letters, digits "
		"and <code>_</code> make words (<code>vm_acct_memory</code> is one). "
		"A word that looks like a Message-ID also finds the message of that ID. "
		"Chinese, Japanese and Korean words are found inside sentences. A phrase in a diff's "
		"lines stays inside one line, as lore's does.</p>\n"
		"<table class=\"help\">\n<tr><th scope=\"col\">prefix</th><th scope=\"col\">searches</th>"
		"<th scope=\"col\">example</th></tr>\n"
		"<tr><td><code>s:</code></td><td>the subject</td><td><code>s:\"copy_page_range\"</code></td></tr>\n"
		"<tr><td><code>f:</code></td><td>From: the sender, name or address</td><td><code>f:torvalds</code>, <code>f:linux-foundation.org</code></td></tr>\n"
		"<tr><td><code>t:</code></td><td>To:</td><td><code>t:linux-mm@kvack.org</code></td></tr>\n"
		"<tr><td><code>c:</code></td><td>Cc:</td><td><code>c:akpm</code></td></tr>\n"
		"<tr><td><code>tc:</code></td><td>To: or Cc:</td><td><code>tc:stable@vger.kernel.org</code></td></tr>\n"
		"<tr><td><code>tcf:</code></td><td>To:, Cc: or From:</td><td><code>tcf:gregkh</code></td></tr>\n"
		"<tr><td><code>a:</code></td><td>any address: the same</td><td><code>a:\"Kees Cook\"</code></td></tr>\n"
		"<tr><td><code>b:</code></td><td>the message text, quoted or not, its diffs and text attachments too</td><td><code>b:regression</code></td></tr>\n"
		"<tr><td><code>bs:</code></td><td>the subject or the message text</td><td><code>bs:regression</code></td></tr>\n"
		"<tr><td><code>q:</code></td><td>quoted text only (lines starting with &gt;)</td><td><code>q:pmsg_size</code></td></tr>\n"
		"<tr><td><code>nq:</code></td><td>text that is not quoted</td><td><code>nq:pmsg_size</code></td></tr>\n"
		"<tr><td><code>n:</code></td><td>file names of attachments</td><td><code>n:config.gz</code></td></tr>\n"
		"<tr><td><code>l:</code></td><td>words of the List-Id header (inside its &lt;&gt;)</td><td><code>l:linux-mtd</code></td></tr>\n"
		"<tr><td><code>lid:</code></td><td>a whole List-Id</td><td><code>lid:linux-mtd.lists.infradead.org</code></td></tr>\n"
		"<tr><td><code>m:</code>, <code>mid:</code></td><td>the Message-ID; <code>m:</code> also the Message-IDs that hold its words in a row (<code>m:keescook</code>, <code>m:kees*</code>)</td><td><code>m:20190520.1234@example.org</code></td></tr>\n"
		"<tr><td><code>dfn:</code></td><td>file names a patch touches</td><td><code>dfn:mm/memory.c</code></td></tr>\n"
		"<tr><td><code>dfa:</code></td><td>lines a patch removes (-)</td><td><code>dfa:\"spin_lock(&amp;mm-&gt;page_table_lock)\"</code></td></tr>\n"
		"<tr><td><code>dfb:</code></td><td>lines a patch adds (+)</td><td><code>dfb:round_hint_to_min</code></td></tr>\n"
		"<tr><td><code>dfctx:</code></td><td>a patch's context lines</td><td><code>dfctx:pmsg_size</code></td></tr>\n"
		"<tr><td><code>dfhh:</code></td><td>the context after a hunk's <code>@@</code>, usually a function</td><td><code>dfhh:copy_page_range</code></td></tr>\n"
		"<tr><td><code>dfpre:</code></td><td>the pre-image blob of an <code>index</code> line; its start matches</td><td><code>dfpre:7cd5c15</code></td></tr>\n"
		"<tr><td><code>dfpost:</code></td><td>the post-image blob</td><td><code>dfpost:1e6002ee7c44</code></td></tr>\n"
		"<tr><td><code>dfblob:</code></td><td>either blob</td><td><code>dfblob:1e6002e</code></td></tr>\n"
		"<tr><td><code>patchid:</code></td><td>the <code>git patch-id --stable</code> of a patch, inline or "
		"attached: every message carrying it</td><td><code>patchid:0a68bafcd58ed2083936e316f9133f432578ef64</code></td></tr>\n"
		"<tr><td><code>v:</code></td><td>listarc's: the patches and cover letters of a patch series' "
		"version N (or a range)</td><td><code>v:3</code>, <code>v:2..4</code>, <code>v:3..</code></td></tr>\n"
		"<tr><td><code>series:</code></td><td>listarc's: the patches and cover letters of series "
		"in a state: <code>reviewed</code> (every patch arrived and has a Reviewed-by: or "
		"Acked-by:), <code>unreviewed</code>, <code>complete</code> (every patch arrived), "
		"<code>incomplete</code>, <code>latest</code> (no later version), <code>superseded</code></td>"
		"<td><code>series:reviewed</code>, <code>v:2.. series:latest</code></td></tr>\n"
		"<tr><td><code>d:</code></td><td>the date (Date:, else when it arrived), by days</td>"
		"<td><code>d:2019-05-01..2019-05-31</code>, <code>d:last.week..</code></td></tr>\n"
		"<tr><td><code>dt:</code></td><td>the date to the second</td><td><code>dt:20240101000000..</code></td></tr>\n"
		"<tr><td><code>rt:</code></td><td>when it arrived here (received)</td><td><code>rt:1.month.ago..</code>, <code>rt:1704067200..</code></td></tr>\n"
		"<tr><td><code>z:</code></td><td>the size in bytes (or with k, m, g)</td><td><code>z:..10k</code>, <code>z:1m..</code></td></tr>\n"
		"</table>\n"
		"<p>Dates are in UTC: <code>YYYYMMDD</code>, <code>YYYY-MM-DD</code>, "
		"<code>YYYYMMDDHHMMSS</code>, <code>YYYY-MM-DDTHH:MM:SS</code>, <code>YYYY</code> and "
		"<code>YYYY-MM</code> (a year, a month), Unix seconds (<code>1704067200</code> or "
		"<code>@1704067200</code>), and git's relative words: <code>now</code>, <code>today</code>, "
		"<code>yesterday</code>, <code>midnight</code>, <code>2.weeks.ago</code>, "
		"<code>last.month</code>, <code>3.days</code>, <code>1.year.2.months.ago</code> (units: "
		"second, minute, hour, day, week, month, year). Ranges <code>A..B</code> include both "
		"ends; <code>A..</code> and <code>..B</code> are open. A date alone is its day (or month, "
		"or year).</p>\n"
		"<p>Combine terms with <code>AND</code> (or nothing), <code>OR</code>, <code>NOT</code> or "
		"<code>-</code> before a term, <code>+</code> (must match), and parentheses: "
		"<code>(s:mm OR s:mmap) -s:RFC d:2019</code>.</p>\n"
		"<p>Results come newest first; add <code>&amp;o=relevance</code> to order them by "
		"relevance, <code>&amp;t=1</code> to show one message per thread, <code>&amp;x=t</code> to "
		"group them by thread. The same query gives an Atom feed with <code>&amp;x=A</code> and a "
		"gzipped mbox of the matching messages with <code>&amp;x=m</code> (in delivery order; the "
		"newest " SEARCH_MBOX_MAX_TEXT " when more match, and the response says so in "
		"<code>X-Listarc-Truncated</code>); there <code>&amp;t=1</code> adds the rest of each "
		"match's thread. public-inbox's <code>lei</code> takes this archive as a remote "
		"external: <code>lei q -I https://HOST/LIST/ QUERY</code>, and <code>lei up</code>, and "
		"the queries <code>lei p2q</code> writes. An archive indexed by a listarc older than "
		"these prefixes finds nothing with <code>dfa:</code>, <code>dfb:</code>, "
		"<code>dfctx:</code>, <code>dfhh:</code>, <code>dfpre:</code>, <code>dfpost:</code>, "
		"<code>dfblob:</code>, <code>n:</code>, <code>l:</code>, <code>lid:</code> and "
		"<code>patchid:</code> (and says so) until its owner runs <code>listarc reindex "
		"--search</code>.</p>\n");
	page_end(c, b);
	page_finish(r, 200);
	r->max_age = 86400;
	return b->err;
}
