/* outline.c: a thread's messages and tree, collected from the index, and
 * the outline drawn under every message (also the nested thread page's
 * tree, threadpage.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "render/html.h"
#include "render/render_int.h"
#include "thread/thread.h"
#include "util/civil.h"
#include "util/vec.h"

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

/* A thread is collected with two statements: its Message-IDs with their
 * parent links (store_thread_ids), then its messages without a join for
 * their Message-IDs (store_thread_msgs_lean), which are found among the
 * first by the message's mid.  Every string goes into one buffer (c->text)
 * as it is read, at an offset noted in c->at, and the pointers are set
 * once the buffer has stopped moving: no allocation a string. */

static bool take_id(int64_t id, int64_t parent, const char *mid, void *arg)
{
	struct outline_thread *c = arg;
	if (!vec_reserve(&c->ids, &c->capids, c->nids + 1, sizeof *c->ids) ||
	    !vec_reserve(&c->at, &c->capat, c->nids + 1, sizeof *c->at)) {
		c->oom = true;
		return false;
	}
	c->at[c->nids] = c->text.len;
	buf_add(&c->text, mid, strlen(mid) + 1);
	c->ids[c->nids++] = (struct thread_id_in){id, parent};
	return !c->text.err;
}

static int by_id_cmp(const void *a, const void *b)
{
	int64_t x = ((const struct outline_id_at *)a)->id,
		y = ((const struct outline_id_at *)b)->id;
	return (x > y) - (x < y);
}

/* The offset in c->text of the Message-ID of mids.id mid, if it is among
 * c->ids: true. */
static bool find_id(const struct outline_thread *c, int64_t mid, size_t *at)
{
	size_t lo = 0, hi = c->nids;
	while (lo < hi) {
		size_t k = lo + (hi - lo) / 2;
		int64_t v = c->by_id[k].id;
		if (v == mid) {
			*at = c->at[c->by_id[k].k];
			return true;
		}
		if (v < mid)
			lo = k + 1;
		else
			hi = k;
	}
	return false;
}

/* A message row: its fields into c->msgs, its strings into c->text (its
 * Message-ID from the ids' when the row has none). */
static bool take_msg(const struct store_entry *e, void *arg)
{
	struct outline_thread *c = arg;
	size_t mid_at = 0;
	if (c->lean && !find_id(c, e->mid, &mid_at)) {
		c->missing = true;
		return false;
	}
	if (!vec_reserve(&c->msgs, &c->capmsgs, c->nmsgs + 1, sizeof *c->msgs) ||
	    !vec_reserve(&c->at, &c->capat, c->nids + 4 * (c->nmsgs + 1), sizeof *c->at)) {
		c->oom = true;
		return false;
	}
	size_t *at = &c->at[c->nids + 4 * c->nmsgs];
	struct outline_msg *m = &c->msgs[c->nmsgs++];
	m->id = e->id;
	m->mid = e->mid;
	m->ts = e->has_date ? e->date : e->ts;
	m->has_tz = e->has_date && e->has_tz;
	m->tz = e->tz;
	m->day = e->day;
	m->num = e->num;
	const char *from = e->from_name[0] ? e->from_name : e->from_addr;
	const char *const str[3] = {e->list, e->subject, from};
	for (int i = 0; i < 3; i++) {
		at[i] = c->text.len;
		buf_add(&c->text, str[i], strlen(str[i]) + 1);
	}
	if (c->lean) {
		at[3] = mid_at;
	} else {
		at[3] = c->text.len;
		buf_add(&c->text, e->msgid, strlen(e->msgid) + 1);
	}
	if (c->text.err)
		c->oom = true;
	return !c->oom;
}

void outline_free(struct outline_thread *c)
{
	free(c->msgs);
	free(c->ids);
	free(c->at);
	free(c->by_id);
	buf_free(&c->text);
	memset(c, 0, sizeof *c);
}

enum la_status outline_collect(struct store *st, int64_t thread, int64_t list_id,
                               struct outline_thread *c, struct thread_tree *tree)
{
	memset(c, 0, sizeof *c);
	memset(tree, 0, sizeof *tree);
	/* (Bounded by the rows' count, THREAD_NODES_MAX * 3 of at most
	 * MSGID_MAX + SUBJECT_MAX + the names' bytes.) */
	buf_init(&c->text, (size_t)1 << 30);
	enum la_status e = store_thread_ids_memo(st, thread, THREAD_NODES_MAX + 1, take_id, c);
	if (!e && !c->oom && c->nids) {
		c->by_id = malloc(c->nids * sizeof *c->by_id);
		if (!c->by_id)
			return LA_ENOMEM;
		for (size_t i = 0; i < c->nids; i++)
			c->by_id[i] = (struct outline_id_at){c->ids[i].id, i};
		qsort(c->by_id, c->nids, sizeof *c->by_id, by_id_cmp);
	}
	c->lean = true;
	if (!e && !c->oom)
		e = store_thread_msgs_lean_memo(st, thread, list_id, THREAD_NODES_MAX * 2, take_msg,
		                                c);
	if (!e && !c->oom && c->missing) {
		/* A message whose Message-ID is not among the first
		 * THREAD_NODES_MAX + 1 ids (or has no mids row): the rows again,
		 * each with its own. */
		c->nmsgs = 0;
		c->missing = c->lean = false;
		e = store_thread_msgs(st, thread, list_id, THREAD_NODES_MAX * 2, take_msg, c);
	}
	if (!e && (c->oom || c->missing))
		e = LA_ENOMEM;
	if (e)
		return e;
	for (size_t i = 0; i < c->nmsgs; i++) {
		const size_t *at = &c->at[c->nids + 4 * i];
		struct outline_msg *m = &c->msgs[i];
		m->list = c->text.data + at[0];
		m->subject = c->text.data + at[1];
		m->from = c->text.data + at[2];
		m->msgid = c->text.data + at[3];
	}
	struct thread_msg_in *in = malloc((c->nmsgs ? c->nmsgs : 1) * sizeof *in);
	if (!in)
		return LA_ENOMEM;
	for (size_t i = 0; i < c->nmsgs; i++)
		in[i] = (struct thread_msg_in){c->msgs[i].mid, c->msgs[i].ts, (int64_t)i};
	bool ok = thread_build(c->ids, c->nids, in, c->nmsgs, tree);
	free(in);
	return ok ? LA_OK : LA_ENOMEM;
}

void outline_date(struct buf *b, int64_t ts)
{
	struct la_date d;
	date_from_unix(ts, &d);
	buf_printf(b, "%04lld-%02u-%02u %02u:%02u", (long long)d.year, d.mon, d.day, d.hour, d.min);
}

/* One entry of a tree: subject (linked unless it is the current message),
 * sender, date.  anchor: the link goes to the message's anchor on this
 * page (#m and its Message-ID's SHA-1, as lore's); with id_r, the entry
 * carries lore's anchor of a thread overview's entry, r and the same
 * SHA-1, so that a lore link .../t/#r... lands on it. */
static void tree_entry(const struct render_ctx *c, struct buf *b, const struct outline_msg *m,
                       bool current, bool anchor, bool id_r)
{
	if (anchor && id_r) {
		/* mid_anchor writes "m" and the hex: the r anchor is the same
		 * with its first letter changed. */
		size_t at = b->len;
		buf_adds(b, "<li id=\"");
		mid_anchor(b, m->msgid);
		if (!b->err)
			b->data[at + 8] = 'r';
		buf_adds(b, "\"><a href=\"#");
		mid_anchor(b, m->msgid);
		buf_adds(b, "\">");
		subject_text(c, b, m->list, m->subject);
		buf_adds(b, "</a>");
	} else if (current) {
		buf_adds(b, "<li class=\"current\"><b>");
		subject_text(c, b, m->list, m->subject);
		buf_adds(b, "</b>");
	} else {
		buf_adds(b, "<li><a href=\"");
		if (anchor) {
			buf_addc(b, '#');
			mid_anchor(b, m->msgid);
		} else
			link_msg(c, b, m->list, m->day, m->num);
		buf_adds(b, "\">");
		subject_text(c, b, m->list, m->subject);
		buf_adds(b, "</a>");
	}
	buf_adds(b, " <span class=\"from\">");
	html_obfuscated(b, m->from, strlen(m->from));
	buf_adds(b, "</span> <span class=\"date\">");
	time_html(c, b, m->ts, m->has_tz, m->tz, TIME_MINUTES);
	buf_adds(b, "</span>");
}

void outline_nest(struct buf *b, int *level, int d, const char *first)
{
	if (*level == 0) {
		buf_adds(b, first);
		*level = 1;
	} else if (d + 1 > *level) {
		for (; *level < d + 1; (*level)++)
			buf_adds(b, "\n<ul>");
	} else {
		buf_adds(b, "</li>");
		for (; *level > d + 1; (*level)--)
			buf_adds(b, "</ul></li>");
	}
}

/* Depths are made relative to the first row and may grow by one level per
 * row at most (a window of a tree may start deep), so the lists always
 * nest properly. */
void outline_tree_html(const struct render_ctx *c, struct buf *b, const struct outline_thread *col,
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
		outline_nest(b, &level, d, "<ul class=\"tree\">");
		buf_addc(b, '\n');
		if (t->rows[i].ghost) {
			buf_adds(b, "<li class=\"ghost\">[a message not in this archive]");
		} else {
			const struct outline_msg *m = &col->msgs[t->rows[i].key];
			/* An id once a page: a Message-ID of two rows (two
			 * messages of one ID) has it on its first. */
			bool first = true;
			for (size_t j = from; anchors && first && j < i; j++)
				first = t->rows[j].ghost || col->msgs[t->rows[j].key].mid != m->mid;
			tree_entry(c, b, m, m->id == current, anchors, first);
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
	struct outline_thread col;
	struct thread_tree t;
	buf_adds(b, "<div class=\"thread\" id=\"r\">\n<h2>Thread</h2>\n");
	if (outline_collect(c->st, m->thread, m->list_id, &col, &t) == LA_OK && t.nrows > 0) {
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
			buf_printf(
				b,
				"<p>%zu earlier entries of this thread are on the thread page.</p>\n",
				from);
		outline_tree_html(c, b, &col, &t, from, to, m->id, false);
		if (to < t.nrows || t.cut) {
			buf_adds(b, "<p>The thread continues on <a href=\"");
			link_msgid(c, b, m->list, m->msgid);
			buf_adds(b, "t/#u\">the thread page</a>.</p>\n");
		}
	}
	thread_tree_free(&t);
	outline_free(&col);
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
	buf_adds(b, "t/#u\">thread</a> (<a href=\"");
	link_msgid(c, b, m->list, m->msgid);
	buf_adds(b, "T/#u\">flat</a>) &middot; <a href=\"");
	link_msgid(c, b, m->list, m->msgid);
	buf_adds(b, "t.atom\">thread feed</a></p>\n</div>\n");
}
