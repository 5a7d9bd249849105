/* message.c: the message page (blists' model), its attachments and its
 * raw bytes. */
#define _GNU_SOURCE /* memrchr */
#include <dirent.h>
#include <errno.h>
#include <glib.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "limits.h"
#include "mbox/mbox.h"
#include "msg/header.h"
#include "msg/msg.h"
#include "render/html.h"
#include "util/vec.h"
#include "render/mime.h"
#include "render/render_int.h"
#include "util/civil.h"
#include "util/hash.h"
#include "util/utf8.h"
#include "util/io.h"

/* A raw message up to this size is sent from memory; a bigger one, and
 * every attachment that is not text, streams in pieces of STREAM_PIECE
 * bytes (so one request never holds much of it at once). */
#define RAW_INMEM_MAX ((size_t)1 << 20)
#define STREAM_PIECE ((size_t)64 << 10)

/* The message's bytes as sent: read from its source (whose size bounds
 * what the index may claim), mboxrd quoting undone.  Caller frees. */
struct loaded {
	int fd;
	char *data; /* whole message, or its first HEAD_MAX bytes if big */
	size_t len;
	bool partial; /* data holds only the head; parse from fd */
};

static enum la_status load_message(const struct render_ctx *c, const struct store_msg *m,
                                   struct loaded *l)
{
	memset(l, 0, sizeof *l);
	l->fd = -1;
	uint64_t size = 0;
	int fd = store_msg_open(c->st, m, &size);
	if (fd < 0)
		return LA_EIO;
	/* The index is input too: never read past the file. */
	if (m->off > size || m->len > size - m->off) {
		close(fd);
		return LA_ECHANGED;
	}
	size_t n = (size_t)m->len;
	if (n > MSG_INMEM_MAX) {
		n = HEAD_MAX;
		l->partial = true;
	}
	struct buf u;
	buf_init(&u, n + 1);
	enum la_status e = store_msg_read_fd(fd, m, n, &u);
	if (e) {
		buf_free(&u);
		close(fd);
		return e;
	}
	if (u.err) {
		buf_free(&u);
		close(fd);
		return u.err;
	}
	l->len = u.len;
	l->data = buf_steal(&u, NULL);
	if (!l->data)
		l->data = calloc(1, 1);
	l->fd = fd;
	return l->data ? LA_OK : LA_ENOMEM;
}

static void loaded_free(struct loaded *l)
{
	if (l->fd >= 0)
		close(l->fd);
	free(l->data);
}

static enum la_status open_mime(const struct store_msg *m, struct loaded *l, struct mime_msg **mm)
{
	if (l->partial)
		return mime_open_fd(mm, l->fd, m->off, m->len);
	char *copy = malloc(l->len + 1);
	if (!copy)
		return LA_ENOMEM;
	if (l->len)
		memcpy(copy, l->data, l->len);
	return mime_open_mem(mm, copy, l->len);
}

static const char *const shown_fields[] = {"Message-ID", "Date", "From", "To", "Cc", "Subject"};

/* The header block: the six fields in their fixed order, each the last
 * copy received, shown as received (name, spacing, folding) with encoded
 * words decoded and addresses obfuscated (not in the Message-ID). */
static void header_block(const struct render_ctx *c, struct buf *b, const char *list,
                         const char *data, size_t len)
{
	struct hdr_field last[6];
	bool have[6] = {false};
	struct hdr_iter it;
	struct hdr_field f;
	size_t hl = len < HEAD_MAX ? len : HEAD_MAX;
	hdr_iter_init(&it, data, hl);
	while (hdr_next(&it, &f))
		for (int i = 0; i < 6; i++)
			if (span_ieq(f.name, shown_fields[i])) {
				last[i] = f;
				have[i] = true;
			}
	char tagbuf[LISTNAME_MAX + 3];
	const char *tag = conf_subject_tag(c->conf, list, tagbuf, sizeof tagbuf);
	struct buf v;
	buf_init(&v, HDR_SHOW_MAX * 4 + 64);
	for (int i = 0; i < 6; i++) {
		if (!have[i])
			continue;
		struct span val = last[i].value;
		bool cut = val.n > HDR_SHOW_MAX;
		if (cut)
			val.n = utf8_trunc(val.p, HDR_SHOW_MAX);
		/* The spacing after the colon is kept as received; the rest is
		 * decoded with its folding. */
		size_t ws = 0;
		while (ws < val.n && (val.p[ws] == ' ' || val.p[ws] == '\t'))
			ws++;
		buf_reset(&v);
		buf_add(&v, last[i].name.p, last[i].name.n);
		buf_addc(&v, ':');
		buf_add(&v, val.p, ws);
		size_t before = v.len;
		msg_decode_header(&v, span_make(val.p + ws, val.n - ws), true);
		if (i == 5 && tag[0] && !v.err) {
			/* Drop the list's own [tag] from the subject. */
			const char *s = v.data + before;
			size_t sl = v.len - before, tl = strlen(tag);
			for (size_t k = 0; k + tl <= sl; k++)
				if (strncasecmp(s + k, tag, tl) == 0) {
					size_t drop = tl + (k + tl < sl && s[k + tl] == ' ');
					memmove(v.data + before + k, v.data + before + k + drop,
					        sl - k - drop);
					v.len -= drop;
					break;
				}
		}
		if (cut)
			buf_adds(&v, " [...]");
		html_body(b, v.data ? v.data : "", v.len, i == 0 ? 0 : HTML_OBFUSCATE);
		buf_addc(b, '\n');
	}
	buf_free(&v);
}

struct body_ctx {
	const struct render_ctx *c;
	const char *list;
	int day, num;
	const char *msgid; /* NULL: attachments by their date URLs */
	struct buf *b;
	int blocks;
	size_t shown, show_max; /* text bytes shown, and the cap (0: none of ours) */
	bool cut;
	struct body_fmt *fmt;
	/* The message page's links to its text attachments' pages (for the
	 * line below its block), or NULL; how many. */
	struct buf *links;
	int nlinks;
};

/* Links to the pages of a message's text attachments: at most this many. */
#define ATTACH_LINKS_MAX 32

/* Starts a block on a line of its own, a blank line after the previous. */
static void block_sep(struct body_ctx *x)
{
	struct buf *b = x->b;
	if (x->blocks++ == 0)
		return;
	if (b->len && b->data[b->len - 1] != '\n')
		buf_addc(b, '\n');
	buf_addc(b, '\n');
}

/* Text of a block, within the cap: false once the cap is reached. */
static bool text_within(struct body_ctx *x, const char **p, size_t *n)
{
	if (!x->show_max)
		return true;
	if (x->cut)
		return false;
	size_t room = x->shown < x->show_max ? x->show_max - x->shown : 0;
	if (*n > room) {
		*n = utf8_trunc(*p, room);
		x->cut = true;
	}
	x->shown += *n;
	return true;
}

/* public-inbox's $FN: a file name it links as it is. */
static bool lore_fn(const char *f)
{
	size_t n = f ? strlen(f) : 0;
	if (n < 3 || !g_ascii_isalnum(f[0]) || !g_ascii_isalnum(f[n - 1]))
		return false;
	for (size_t i = 1; i + 1 < n; i++)
		if (!g_ascii_isalnum(f[i]) && !strchr("_-.", f[i]))
			return false;
	return true;
}

/* The URL of attachment blk as lore writes it (View.pm's attach_link):
 * /LIST/MSGID/N-NAME, NAME the file name if public-inbox links it as it
 * is, else a.txt for text/plain and a.bin for the rest; without lore's
 * number (or a Message-ID), the date URL /LIST/DAY/NUM/K. */
static void attachment_link(struct body_ctx *x, const struct mime_block *blk)
{
	struct buf *b = x->b;
	if (!x->msgid || !blk->idx || !*blk->idx) {
		link_msg(x->c, b, x->list, x->day, x->num);
		buf_printf(b, "/%d", blk->k);
		return;
	}
	link_msgid(x->c, b, x->list, x->msgid);
	buf_adds(b, blk->idx);
	buf_addc(b, '-');
	if (lore_fn(blk->filename))
		buf_adds(b, blk->filename);
	else
		buf_adds(b, strcmp(blk->type, "text/plain") == 0 ? "a.txt" : "a.bin");
}

static void body_block(const struct mime_block *blk, void *arg)
{
	struct body_ctx *x = arg;
	struct buf *b = x->b;
	const char *t = blk->text;
	size_t tn = blk->len;
	switch (blk->kind) {
	case MB_TEXT:
		if (!text_within(x, &t, &tn))
			break;
		block_sep(x);
		body_html(x->fmt, b, t, tn, HTML_LINKS | HTML_OBFUSCATE);
		break;
	case MB_MESSAGE:
		if (!text_within(x, &t, &tn))
			break;
		block_sep(x);
		buf_adds(b, "<b>Embedded message:</b>\n");
		html_body(b, t, tn, HTML_OBFUSCATE);
		break;
	case MB_ATTACHMENT:
		if (x->cut)
			break;
		block_sep(x);
		buf_adds(b, "<a href=\"");
		attachment_link(x, blk);
		buf_printf(b, "\">%s attachment \"", blk->is_text ? "View" : "Download");
		if (blk->filename && *blk->filename)
			html_texts(b, blk->filename);
		else
			buf_printf(b, "attachment-%d", blk->k);
		buf_adds(b, "\"</a> of type \"");
		html_texts(b, blk->type);
		buf_printf(b, "\" (%s%llu bytes)", blk->size_exact ? "" : "about ",
		           (unsigned long long)blk->size);
		if (x->links && blk->is_text && x->nlinks < ATTACH_LINKS_MAX) {
			buf_adds(x->links, x->nlinks++ ? ", <a href=\"" : "<a href=\"");
			link_msg(x->c, x->links, x->list, x->day, x->num);
			buf_printf(x->links, "/%d/\">", blk->k);
			if (blk->filename && *blk->filename)
				html_texts(x->links, blk->filename);
			else
				buf_printf(x->links, "attachment-%d", blk->k);
			buf_adds(x->links, "</a>");
		}
		break;
	case MB_SKIPPED:
	case MB_NOTE:
		if (x->cut)
			break;
		block_sep(x);
		html_text(b, blk->text, blk->len);
		break;
	}
}

/* render_message_text, and with links not NULL, the links to the text
 * attachments' pages appended to it. */
static void message_text_links(const struct render_ctx *c, struct buf *b, const char *list, int day,
                               int num, const char *msgid, const char *data, size_t len,
                               struct mime_msg *mm, enum la_status opened, size_t show_max,
                               struct buf *links)
{
	buf_adds(b, "<pre class=\"msg\">\n");
	header_block(c, b, list, data, len);
	buf_addc(b, '\n');
	size_t body_at = b->len;

	enum la_status e = opened;
	/* On the heap: it holds the diffs' file names of a part. */
	struct body_fmt *fmt = calloc(1, sizeof *fmt);
	if (!fmt) {
		b->err = LA_ENOMEM;
		return;
	}
	*fmt = (struct body_fmt){.c = c, .day = day, .num = num};
	struct body_ctx x = {c, list, day, num, msgid, b, 0, 0, show_max, false, fmt, links, 0};
	if (e == LA_OK)
		e = mime_walk(mm, body_block, &x);
	if (e) {
		/* GMime could not make sense of it (or it has too many parts to
		 * parse): show the body bytes. */
		if (e == LA_ETOOBIG)
			buf_adds(b,
			         "[This message has too many MIME parts to show them one by one; "
			         "its body follows as it is.]\n\n");
		size_t hl = hdr_block_len(data, len);
		/* At most TEXT_SHOW_MAX bytes of it, as for MIME parts. */
		size_t take = len - hl < TEXT_SHOW_MAX ? len - hl : TEXT_SHOW_MAX;
		struct buf t;
		buf_init(&t, take * 3 + 16);
		msg_to_utf8(&t, data + hl, take, NULL);
		const char *tp = t.data ? t.data : "";
		size_t tn = t.len < TEXT_SHOW_MAX ? t.len : utf8_trunc(tp, TEXT_SHOW_MAX);
		x.shown = 0;
		text_within(&x, &tp, &tn);
		body_html(fmt, b, tp, tn, HTML_LINKS | HTML_OBFUSCATE);
		buf_free(&t);
		if (take < len - hl && !x.cut)
			buf_printf(
				b,
				"\n[%llu more bytes of this message not shown: see the raw message]\n",
				(unsigned long long)(len - hl - take));
	}
	/* Blank lines at the end of the body are not shown: git and stgit
	 * end their mail with one, and in an mbox it cannot be told apart
	 * from the separator anyway.  The page ends with the last line of
	 * text, as blists' pages do (shared/spec). */
	while (!b->err && b->len > body_at && b->data[b->len - 1] == '\n' &&
	       b->data[b->len - 2] == '\n')
		b->len--;
	if (b->len && b->data[b->len - 1] != '\n')
		buf_addc(b, '\n');
	if (x.cut) {
		buf_adds(b, "\n[The rest of this message is on <a href=\"");
		link_msg(c, b, list, day, num);
		buf_adds(b, "\">its page</a>.]\n");
	}
	buf_adds(b, "</pre>\n");
	free(fmt);
}

void render_message_text(const struct render_ctx *c, struct buf *b, const char *list, int day,
                         int num, const char *msgid, const char *data, size_t len,
                         struct mime_msg *mm, enum la_status opened, size_t show_max)
{
	message_text_links(c, b, list, day, num, msgid, data, len, mm, opened, show_max, NULL);
}

static enum la_status find_message(const struct render_ctx *c, const char *list, int day, int num,
                                   struct store_msg *m)
{
	int64_t list_id;
	enum la_status e = store_list_id(c->st, list, &list_id);
	if (e)
		return e;
	return store_msg_get(c->st, list_id, day, num, m);
}

static void not_found(const struct render_ctx *c, struct response *r, const char *what)
{
	render_error(c, r, 404, what);
}

/* No message at /LIST/YYYY/MM/DD/N: 410 if there was one and it was
 * removed from its source (a public-inbox deletion), else 404. */
static void no_message(const struct render_ctx *c, struct response *r, const char *list, int day,
                       int num)
{
	int64_t list_id;
	bool gone = false;
	/* A failed look-up is a 404: the page says no more than it knows. */
	if (store_list_id(c->st, list, &list_id) == LA_OK)
		la_ignore(store_msg_gone(c->st, list_id, day, num, &gone));
	if (gone)
		render_error(c, r, 410,
		             "This message was removed from the archive's source. Its address "
		             "is not given to any other message.");
	else
		not_found(c, r, "There is no such message in this archive.");
}

/* The status of a failure to load a message's bytes, as a page. */
static enum la_status load_failed(const struct render_ctx *c, struct response *r, enum la_status e)
{
	render_error(c, r, 500,
	             e == LA_ECHANGED
	                     ? "The message's mbox has changed since it was indexed (it is "
	                       "shorter, or holds another message here): the archive needs "
	                       "to be rebuilt."
	                     : "The message could not be read.");
	return e;
}

/* Whether m's parts can be linked by lore's URLs, /LIST/MSGID/N-NAME:
 * they name the first message of its list with that Message-ID (msgid.c),
 * so m must be that one.  A look-up that fails says no (the date URLs
 * always work). */
static bool lore_parts(const struct render_ctx *c, const struct store_msg *m)
{
	if (!c->st || !m->msgid || !*m->msgid)
		return false;
	struct render_entries l;
	int64_t list_id;
	bool first = msgid_lookup(c, m->list, m->msgid, &l, &list_id) == LA_OK && l.n > 0 &&
	             l.v[0].day == m->day && l.v[0].num == m->num &&
	             strcmp(l.v[0].list, m->list) == 0;
	render_entries_free(&l);
	return first;
}

enum la_status message_pre(const struct render_ctx *c, struct buf *b, const struct store_msg *m,
                           size_t show_max)
{
	struct loaded l;
	enum la_status e = load_message(c, m, &l);
	if (e)
		return e;
	struct mime_msg *mm = NULL;
	e = open_mime(m, &l, &mm);
	render_message_text(c, b, m->list, m->day, m->num, lore_parts(c, m) ? m->msgid : NULL,
	                    l.data, l.len, mm, e, show_max);
	mime_free(mm);
	loaded_free(&l);
	return LA_OK;
}

/* Text parts of a message, for feeds. */
struct text_ctx {
	struct buf *out;
	size_t max;
	bool cut;
};

static void text_block(const struct mime_block *blk, void *arg)
{
	struct text_ctx *x = arg;
	if ((blk->kind != MB_TEXT && blk->kind != MB_MESSAGE) || x->cut)
		return;
	size_t room = x->out->len < x->max ? x->max - x->out->len : 0;
	size_t n = blk->len;
	if (n > room) {
		n = utf8_trunc(blk->text, room);
		x->cut = true;
	}
	if (x->out->len && x->out->data[x->out->len - 1] != '\n')
		buf_addc(x->out, '\n');
	buf_add(x->out, blk->text, n);
}

enum la_status message_text(const struct render_ctx *c, const struct store_msg *m, size_t max,
                            struct buf *out, bool *cut)
{
	*cut = false;
	struct loaded l;
	enum la_status e = load_message(c, m, &l);
	if (e)
		return e;
	struct mime_msg *mm = NULL;
	struct text_ctx x = {out, out->len + max, false};
	e = open_mime(m, &l, &mm);
	if (e == LA_OK)
		e = mime_walk(mm, text_block, &x);
	mime_free(mm);
	loaded_free(&l);
	*cut = x.cut;
	return e ? e : out->err;
}

/* Attachments of a message, for the API. */
struct attach_ctx {
	void (*fn)(const struct mime_block *blk, void *arg);
	void *arg;
};

static void attach_block(const struct mime_block *blk, void *arg)
{
	struct attach_ctx *x = arg;
	if (blk->kind == MB_ATTACHMENT)
		x->fn(blk, x->arg);
}

enum la_status message_attachments(const struct render_ctx *c, const struct store_msg *m,
                                   void (*fn)(const struct mime_block *blk, void *arg), void *arg)
{
	struct loaded l;
	enum la_status e = load_message(c, m, &l);
	if (e)
		return e;
	struct mime_msg *mm = NULL;
	struct attach_ctx x = {fn, arg};
	e = open_mime(m, &l, &mm);
	if (e == LA_OK)
		e = mime_walk(mm, attach_block, &x);
	mime_free(mm);
	loaded_free(&l);
	return e;
}

/* ---- lore's reply instructions (#R) ---- */

/* The addresses a reply goes to, as public-inbox's Reply.pm gathers them
 * (its default "replyto = :all", then the list's address): each once
 * by its lowercase form, spelt as first seen; "to" the first, lowercased. */
struct reply {
	char **addr, **lower;
	size_t n, cap;
	char *to;
	bool oom;
};

static void reply_add(const char *addr, void *arg)
{
	struct reply *x = arg;
	char *low = g_ascii_strdown(addr, -1);
	for (size_t i = 0; i < x->n; i++)
		if (strcmp(x->lower[i], low) == 0) {
			g_free(low);
			return;
		}
	if (!x->to)
		x->to = g_strdup(low);
	if (!vec_reserve(&x->addr, &x->cap, x->n + 1, sizeof *x->addr) ||
	    !(x->lower = realloc(x->lower, x->cap * sizeof *x->lower))) {
		x->oom = true;
		g_free(low);
		return;
	}
	x->addr[x->n] = g_strdup(addr);
	x->lower[x->n++] = low;
}

static void reply_free(struct reply *x)
{
	for (size_t i = 0; i < x->n; i++) {
		g_free(x->addr[i]);
		g_free(x->lower[i]);
	}
	free(x->addr);
	free(x->lower);
	g_free(x->to);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* public-inbox's squote_maybe: s as is when it is only [A-Za-z0-9_@./,%+-],
 * else in single quotes with ' and ! taken out of them. */
static void squote_maybe(struct buf *b, const char *s)
{
	bool plain = *s != '\0';
	for (const char *p = s; *p && plain; p++)
		plain = g_ascii_isalnum(*p) || strchr("_@./,%+-", *p);
	if (plain) {
		buf_adds(b, s);
		return;
	}
	buf_addc(b, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'' || *p == '!') {
			buf_adds(b, "'\\");
			buf_addc(b, *p);
			buf_addc(b, '\'');
		} else {
			buf_addc(b, *p);
		}
	}
	buf_addc(b, '\'');
}

/* Address a of the git send-email line as a shell word that still gives
 * the address when pasted, but is not the address as written: every
 * page obfuscates addresses, and so does this one as public-inbox's
 * obfuscate mode does (Reply.pm, Hval.pm): the first dot of the domain
 * is written $(echo .).  A domain without a dot gets its '@' written
 * $(echo @) instead.  The list's own address (from listarc.conf, public)
 * stays as it is, as public-inbox keeps its inboxes' addresses. */
static void shell_addr(struct buf *b, const char *a, const char *list_addr)
{
	const char *at = strrchr(a, '@');
	if (!at || (list_addr && g_ascii_strcasecmp(a, list_addr) == 0)) {
		squote_maybe(b, a);
		return;
	}
	const char *dot = strchr(at + 1, '.');
	const char *cut = dot && dot > at + 1 ? dot : at;
	char *head = g_strndup(a, (size_t)(cut - a));
	if (*head)
		squote_maybe(b, head);
	buf_adds(b, cut == dot ? "$(echo .)" : "$(echo @)");
	if (cut[1])
		squote_maybe(b, cut + 1);
	g_free(head);
}

/* The reply block of message m, whose bytes begin with head[0..n): the
 * raw message to reply from, and the git send-email command with its
 * --in-reply-to, --to and --cc, built as lore builds them, its
 * addresses obfuscated as public-inbox's obfuscate mode has them (see
 * shell_addr); as that mode, no mailto: link (it would need the
 * addresses whole).  Everything goes through the escapers. */
static void reply_block(const struct render_ctx *c, struct buf *b, const struct store_msg *m,
                        const char *head, size_t n, struct mime_msg *mm)
{
	struct reply x = {0};
	/* Headers that cannot be parsed add no one: the block is built from
	 * what could be read (and the list's address).  mm, when given, is
	 * the whole message already parsed, whose header is head[0..n). */
	if (mm)
		mime_msg_reply_addrs(mm, reply_add, &x);
	else
		la_ignore(mime_reply_addrs(head, n, reply_add, &x));
	const struct conf_list *cl = c->conf ? conf_list(c->conf, m->list) : NULL;
	const char *list_addr = cl && cl->address ? cl->address : NULL;
	if (list_addr)
		reply_add(list_addr, &x);
	if (!x.to || x.oom) {
		reply_free(&x);
		return;
	}
	/* Everyone but "to", sorted as Perl sorts. */
	char **cc = calloc(x.n ? x.n : 1, sizeof *cc);
	size_t ncc = 0;
	for (size_t i = 0; cc && i < x.n; i++)
		if (strcmp(x.lower[i], x.to) != 0)
			cc[ncc++] = x.addr[i];
	if (cc)
		qsort(cc, ncc, sizeof *cc, cmp_str);
	struct buf cmd;
	buf_init(&cmd, 64 * 1024);
	buf_adds(&cmd, "git send-email \\\n    --in-reply-to=");
	squote_maybe(&cmd, m->msgid);
	buf_adds(&cmd, " \\\n    --to=");
	shell_addr(&cmd, x.to, list_addr);
	for (size_t i = 0; i < ncc; i++) {
		buf_adds(&cmd, " \\\n    --cc=");
		shell_addr(&cmd, cc[i], list_addr);
	}
	buf_adds(&cmd, " \\\n    /path/to/YOUR_REPLY");
	buf_adds(b, "<pre class=\"reply\" id=\"R\"><b>Reply instructions:</b>\n\n"
	            "You may reply publicly to this message via plain-text email\n"
	            "using any one of the following methods:\n\n"
	            "* Save the following mbox file, import it into your mail client,\n"
	            "  and reply-to-all from there: <a href=\"");
	link_msg(c, b, m->list, m->day, m->num);
	buf_adds(
		b,
		"/raw\">mbox</a>\n\n"
		"  Avoid top-posting and favor interleaved quoting:\n"
		"  <a href=\"https://en.wikipedia.org/wiki/Posting_style#Interleaved_style\" "
		"rel=\"nofollow\">https://en.wikipedia.org/wiki/Posting_style#Interleaved_style</a>\n\n"
		"* Reply using the <b>--to</b>, <b>--cc</b>, and <b>--in-reply-to</b>\n"
		"  switches of git-send-email(1):\n\n  ");
	if (!cmd.err)
		html_text(b, cmd.data, cmd.len);
	buf_adds(
		b,
		"\n\n  <a href=\"https://kernel.org/pub/software/scm/git/docs/git-send-email.html\" "
		"rel=\"nofollow\">https://kernel.org/pub/software/scm/git/docs/git-send-email.html</a>\n");
	buf_adds(b, "</pre>\n");
	buf_free(&cmd);
	free(cc);
	reply_free(&x);
}

/* The Date: of the header block head[0..n) (its last copy, as the
 * block above shows), parsed; false if there is none that parses. */
static bool header_date(const char *head, size_t n, struct la_date *d)
{
	struct hdr_iter it;
	struct hdr_field f;
	bool found = false;
	hdr_iter_init(&it, head, n < HEAD_MAX ? n : HEAD_MAX);
	while (hdr_next(&it, &f))
		if (span_ieq(f.name, "Date"))
			found = date_parse(f.value, d);
	return found;
}

/* The sender's date in ISO form with the sender's offset, and UTC on
 * hover (a page without script cannot know the reader's zone; the
 * datetime attribute lets a browser or an extension show it). */
static void iso_date(const struct render_ctx *c, struct buf *b, const struct la_date *d)
{
	if (d->year < 1 || d->year > 9999)
		return;
	time_html(c, b, date_unix(d), d->has_tz, d->tz, TIME_SECONDS);
}

/* The line above the header-and-body block: the date, the permalink and
 * the other ways to the message and its thread, as lore's pages offer
 * them (raw, the thread flat and nested, its mbox.gz, the reply
 * instructions when there are any). */
static void message_links(const struct render_ctx *c, struct buf *b, const struct store_msg *m,
                          const char *head, size_t hn, bool reply)
{
	buf_adds(b, "<p class=\"msglinks\">");
	struct la_date d;
	if (header_date(head, hn, &d)) {
		iso_date(c, b, &d);
		buf_adds(b, " &middot; ");
	}
	buf_adds(b, "<a href=\"");
	link_msgid(c, b, m->list, m->msgid);
	buf_adds(b, "\" rel=\"bookmark\">permalink</a> &middot; <a href=\"");
	link_msg(c, b, m->list, m->day, m->num);
	buf_adds(b, "/raw\">raw</a> &middot; thread: <a href=\"");
	link_msgid(c, b, m->list, m->msgid);
	buf_adds(b, "T/#u\">flat</a>, <a href=\"");
	link_msgid(c, b, m->list, m->msgid);
	buf_adds(b, "t/#u\">nested</a>, <a href=\"");
	link_msgid(c, b, m->list, m->msgid);
	buf_adds(b, "t.mbox.gz\">mbox.gz</a>");
	if (reply)
		buf_adds(b, " &middot; <a href=\"#R\">reply</a>");
	buf_adds(b, "</p>\n");
}

/* Where the header block of p[0..n) ends: after the newline before its
 * first empty line ("\n\n", or "\n\r\n": *crlf), else n.  (Searched
 * for by pairs of bytes, 16 places at a time, not a byte at a time.) */
static size_t header_end(const char *p, size_t n, bool *crlf)
{
	const char *lf = mem2chr(p, n, '\n', '\n');
	size_t lim = lf ? (size_t)(lf - p) : n; /* the first "\n\n" */
	/* A "\n\r\n" before it. */
	for (size_t k = 0; k < lim;) {
		size_t w = (lim + 1 < n ? lim + 1 : n) - k;
		const char *q = mem2chr(p + k, w, '\n', '\r');
		if (!q)
			break;
		size_t i = (size_t)(q - p);
		if (i + 2 < n && p[i + 2] == '\n') {
			*crlf = true;
			return i + 1;
		}
		k = i + 1;
	}
	*crlf = false;
	return lf ? lim + 1 : n;
}

enum la_status message_page(const struct render_ctx *c, const struct store_msg *m, bool canonical,
                            struct response *r)
{
	const char *list = m->list;
	int day = m->day;
	struct store_nav nav;
	enum la_status e;
	if ((e = store_msg_nav(c->st, m, &nav))) {
		render_error(c, r, 500, "The index could not be read.");
		return e;
	}
	struct buf *b = &r->body;
	buf_reset(b);
	/* Room for the page at once, about twice the message and the page's
	 * frame (at most 1 MB ahead): grown from nothing it was copied seven
	 * times.  Only a hint: without the memory the page grows as before. */
	uint64_t room = (m->len < 512 * 1024 ? m->len : 512 * 1024) * 2 + 16384;
	if (b->cap < room && buf_reserve(b, (size_t)room) != LA_OK)
		buf_reset(b);
	/* Title: the subject without the list tag. */
	struct buf title, u;
	buf_init(&title, SUBJECT_MAX + LISTNAME_MAX + 32);
	subject_plain(c, &title, list, m->subject);
	buf_adds(&title, " - ");
	buf_adds(&title, list);
	buf_init(&u, 3 * URL_MAX);
	if (canonical)
		link_msg(c, &u, list, m->day, m->num);
	struct buf feed;
	buf_init(&feed, 3 * URL_MAX);
	link_msgid(c, &feed, list, m->msgid);
	buf_adds(&feed, "t.atom");
	page_open(c, b,
	          &(struct page_head){.title = buf_cstr(&title),
	                              .canonical = canonical ? buf_cstr(&u) : NULL,
	                              .list = list,
	                              .feed = feed.err ? NULL : buf_cstr(&feed)});
	buf_free(&feed);
	buf_free(&title);
	/* The page's heading for those who navigate by headings: the subject,
	 * which the block below shows as its Subject: line. */
	buf_adds(b, "<h1 class=\"vh\">");
	subject_text(c, b, list, m->subject);
	buf_adds(b, "</h1>\n");

	/* [<prev] [next>] [<thread-prev] [thread-next>] [day] [month] [year] [list],
	 * each only when it has a target. */
	buf_adds(b, "<div class=\"nav\">");
	if (nav.prev_day) {
		buf_reset(&u);
		link_msg(c, &u, list, nav.prev_day, nav.prev_num);
		nav_item(b, "&lt;prev", buf_cstr(&u));
	}
	if (nav.next_day) {
		buf_reset(&u);
		link_msg(c, &u, list, nav.next_day, nav.next_num);
		nav_item(b, "next&gt;", buf_cstr(&u));
	}
	if (nav.tprev_day) {
		buf_reset(&u);
		link_msg(c, &u, list, nav.tprev_day, nav.tprev_num);
		nav_item(b, "&lt;thread-prev", buf_cstr(&u));
	}
	if (nav.tnext_day) {
		buf_reset(&u);
		link_msg(c, &u, list, nav.tnext_day, nav.tnext_num);
		nav_item(b, "thread-next&gt;", buf_cstr(&u));
	}
	buf_reset(&u);
	link_day(c, &u, list, day);
	nav_item(b, "day", buf_cstr(&u));
	buf_reset(&u);
	struct civil_ymd d = civil_daykey_split(day);
	link_month(c, &u, list, d.y, d.m);
	nav_item(b, "month", buf_cstr(&u));
	buf_reset(&u);
	link_year(c, &u, list, d.y);
	nav_item(b, "year", buf_cstr(&u));
	buf_reset(&u);
	link_list(c, &u, list);
	nav_item(b, "list", buf_cstr(&u));
	buf_free(&u);
	buf_adds(b, "</div>\n");
	render_series_note(c, b, m);
	render_sender_note(c, b, m);

	/* The reply instructions are made first, so that the line above the
	 * block links them only when there are some. */
	struct buf reply;
	buf_init(&reply, PAGE_MAX);
	/* The message is read and parsed once, for the reply block, the line
	 * above the header block and the message itself. */
	struct loaded l;
	if ((e = load_message(c, m, &l))) {
		buf_free(&reply);
		return load_failed(c, r, e);
	}
	struct mime_msg *mm = NULL;
	enum la_status me = open_mime(m, &l, &mm);
	/* The header block alone: up to the first empty line. */
	bool crlf = false;
	size_t hn = header_end(l.data, l.len, &crlf);
	/* The parse of the whole message has the same header as head[0..hn)
	 * parsed alone, but where l holds only the head of a big message or
	 * the header ends in a CRLF empty line: those parse it alone (as a
	 * plain message's reply addresses are read, CRLF or not). */
	bool plain = me == LA_OK && mime_is_plain(mm);
	reply_block(c, &reply, m, l.data, hn,
	            me == LA_OK && !l.partial && (!crlf || plain) ? mm : NULL);
	message_links(c, b, m, l.data, hn, reply.len > 0 && !reply.err);
	struct buf links;
	buf_init(&links, PAGE_MAX);
	/* (lore's part numbers are for attachments, which a plain message
	 * has none of.) */
	message_text_links(c, b, m->list, m->day, m->num,
	                   !plain && lore_parts(c, m) ? m->msgid : NULL, l.data, l.len, mm, me, 0,
	                   &links);
	/* Text attachments (a patch sent as a file) as pages, diffs coloured:
	 * below the block, which stays as the spec has it. */
	if (links.len && !links.err) {
		buf_adds(b, "<p class=\"attachments\">Attachments as pages: ");
		buf_add(b, links.data, links.len);
		buf_adds(b, "</p>\n");
	}
	buf_free(&links);
	mime_free(mm);
	loaded_free(&l);
	render_thread_outline(c, b, m);
	if (!reply.err)
		buf_add(b, reply.data, reply.len);
	buf_free(&reply);
	return page_close(c, r, 200, 300);
}

/* The message at /LIST/YYYY/MM/DD/N into *m, if it can be shown: true.
 * Otherwise r holds its page (404 or 410 when there is none or it was
 * removed, 410 when hidden, 500 when the index cannot be read), *e the
 * status to return, and m needs no clearing. */
static bool shown_message(const struct render_ctx *c, const char *list, int day, int num,
                          struct store_msg *m, struct response *r, enum la_status *e)
{
	*e = find_message(c, list, day, num, m);
	if (*e == LA_ENOTFOUND) {
		no_message(c, r, list, day, num);
		*e = LA_OK;
		return false;
	}
	if (*e) {
		render_error(c, r, 500, "The index could not be read.");
		return false;
	}
	if (render_hidden_msg(c, m, r)) {
		store_msg_clear(m);
		return false;
	}
	return true;
}

enum la_status render_message(const struct render_ctx *c, const char *list, int day, int num,
                              struct response *r)
{
	struct store_msg m;
	enum la_status e;
	if (!shown_message(c, list, day, num, &m, r, &e))
		return e;
	e = message_page(c, &m, false, r);
	store_msg_clear(&m);
	return e;
}

/* A file name safe in a Content-Disposition header and on any disk:
 * letters, digits, '-', '_' and '.', not starting with '.'. */
static void safe_filename(char *out, size_t n, const char *in, int k)
{
	size_t j = 0;
	for (size_t i = 0; in && in[i] && j + 1 < n && j < FILENAME_MAX_BYTES; i++) {
		unsigned char ch = (unsigned char)in[i];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		          (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
		          (ch == '.' && j > 0);
		if (ok)
			out[j++] = (char)ch;
		else if (j > 0 && out[j - 1] != '_')
			out[j++] = '_';
	}
	while (j > 0 && (out[j - 1] == '_' || out[j - 1] == '.'))
		j--;
	out[j] = '\0';
	if (j == 0)
		snprintf(out, n, "attachment-%d.bin", k);
}

/* Types served as themselves; anything else is application/octet-stream.
 * Text of any kind (HTML and SVG included) is served as text/plain. */
static const char *safe_type(const char *type)
{
	static const char *const ok[] = {"image/png",
	                                 "image/jpeg",
	                                 "image/gif",
	                                 "image/webp",
	                                 "application/pdf",
	                                 "application/zip",
	                                 "application/gzip",
	                                 "application/x-gzip",
	                                 "application/x-bzip2",
	                                 "application/x-xz",
	                                 "application/x-tar",
	                                 "application/pgp-signature",
	                                 "application/pkcs7-signature",
	                                 "application/x-pkcs7-signature",
	                                 "application/pgp-keys",
	                                 "application/pgp-encrypted",
	                                 "application/octet-stream"};
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
		if (strcmp(type, ok[i]) == 0)
			return ok[i];
	return "application/octet-stream";
}

/* A validator for a streamed body: the message's place in the archive
 * and in its source, which no later change to the index alters. */
static void stream_etag(struct response *r, const struct store_msg *m, const char *what, int k)
{
	char key[256];
	int n = snprintf(key, sizeof key, "%s/%d/%d/%lld/%llu/%llu/%s/%d", m->list, m->day, m->num,
	                 (long long)m->source_id, (unsigned long long)m->off,
	                 (unsigned long long)m->len, what, k);
	snprintf(r->etag, sizeof r->etag, "\"%s-%016llx\"", what,
	         (unsigned long long)hash64(key, (size_t)n, 7));
}

/* An attachment streamed from its decoded part. */
struct attach_stream {
	struct loaded l;
	struct mime_msg *mm;
	struct mime_reader *rd;
};

static void attach_stream_free(void *state)
{
	struct attach_stream *as = state;
	if (!as)
		return;
	mime_reader_free(as->rd);
	mime_free(as->mm);
	loaded_free(&as->l);
	free(as);
}

static enum la_status attach_stream_next(void *state, struct buf *out, size_t room, bool *done)
{
	struct attach_stream *as = state;
	return mime_reader_read(as->rd, out, room, done);
}

/* Part k of the page's numbering, or the part lore numbers idx if idx
 * is not NULL. */
static enum la_status open_part(struct mime_msg *mm, int k, const char *idx,
                                struct mime_block *info, struct mime_reader **rd)
{
	return idx ? mime_part_open(mm, idx, info, rd) : mime_attachment_open(mm, k, info, rd);
}

/* Part k of m, or the part lore numbers idx, opened from l (open_part):
 * true; else false, and r is the 404 (no such part; *e LA_OK) or the 500
 * (*e the error).  *mm and *rd are the caller's to free either way. */
static bool part_opened(const struct render_ctx *c, const struct store_msg *m, struct loaded *l,
                        int k, const char *idx, struct mime_msg **mm, struct mime_block *info,
                        struct mime_reader **rd, struct response *r, enum la_status *e)
{
	*e = open_mime(m, l, mm);
	if (*e == LA_OK)
		*e = open_part(*mm, k, idx, info, rd);
	if (*e == LA_OK)
		return true;
	if (*e == LA_ENOTFOUND || *e == LA_EINVAL) {
		not_found(c, r, "This message has no such attachment.");
		*e = LA_OK;
	} else {
		render_error(c, r, 500, "The attachment could not be read.");
	}
	return false;
}

/* The attachment page of m: part k, or the part lore numbers idx. */
static enum la_status attachment_of(const struct render_ctx *c, struct store_msg *m, int k,
                                    const char *idx, struct response *r)
{
	enum la_status e;
	struct attach_stream *as = calloc(1, sizeof *as);
	if (!as) {
		render_error(c, r, 500, "The attachment could not be read.");
		return LA_ENOMEM;
	}
	if ((e = load_message(c, m, &as->l))) {
		free(as);
		return load_failed(c, r, e);
	}
	struct mime_block info;
	buf_reset(&r->body);
	if (part_opened(c, m, &as->l, k, idx, &as->mm, &info, &as->rd, r, &e)) {
		r->status = 200;
		r->max_age = 86400;
		safe_filename(r->filename, sizeof r->filename, info.filename, k);
		struct buf raw;
		buf_init(&raw, TEXT_ATTACH_MAX);
		bool done = !info.is_text;
		while (!done && !e)
			e = mime_reader_read(as->rd, &raw, STREAM_PIECE, &done);
		if (info.is_text && e == LA_OK) {
			/* Text as UTF-8 plain text, shown in the browser. */
			const char *cs = idx ? mime_part_charset(as->mm)
			                     : mime_attachment_charset(as->mm, k);
			msg_to_utf8(&r->body, raw.data ? raw.data : "", raw.len, cs);
			r->content_type = "text/plain; charset=utf-8";
			r->attachment = false;
			e = r->body.err;
		} else if (e == LA_OK || e == LA_ETOOBIG) {
			/* Anything else (and text too big to convert) is a download,
			 * streamed from the start of the part. */
			mime_reader_free(as->rd);
			as->rd = NULL;
			e = open_part(as->mm, k, idx, &info, &as->rd);
			if (e == LA_OK) {
				r->content_type = info.is_text ? "application/octet-stream"
				                               : safe_type(info.type);
				r->attachment = true;
				r->stream.next = attach_stream_next;
				r->stream.free = attach_stream_free;
				r->stream.state = as;
				as = NULL; /* r owns it now */
				if (idx) {
					char what[48];
					snprintf(what, sizeof what, "p%s", idx);
					stream_etag(r, m, what, 0);
				} else {
					stream_etag(r, m, "a", k);
				}
			}
		}
		buf_free(&raw);
		if (e)
			render_error(c, r, 500, "The attachment could not be read.");
	}
	attach_stream_free(as);
	return e;
}

enum la_status render_attachment(const struct render_ctx *c, const char *list, int day, int num,
                                 int k, struct response *r)
{
	struct store_msg m;
	enum la_status e;
	if (!shown_message(c, list, day, num, &m, r, &e))
		return e;
	e = attachment_of(c, &m, k, NULL, r);
	store_msg_clear(&m);
	return e;
}

/* The attachment page's text: part k's decoded bytes (at most
 * TEXT_ATTACH_MAX read), in UTF-8, the first TEXT_SHOW_MAX bytes of it
 * shown as a body is (body_html: escaped, diffs coloured), with a note of
 * what is left out. */
static void attachment_text(const struct render_ctx *c, struct buf *b, const struct store_msg *m,
                            struct mime_msg *mm, struct mime_reader *rd, int k)
{
	struct buf raw, t;
	buf_init(&raw, TEXT_ATTACH_MAX);
	enum la_status e = LA_OK;
	bool done = false;
	while (!done && !e)
		e = mime_reader_read(rd, &raw, STREAM_PIECE, &done);
	buf_init(&t, TEXT_SHOW_MAX * 3 + 16);
	size_t take = raw.len < TEXT_SHOW_MAX ? raw.len : TEXT_SHOW_MAX;
	msg_to_utf8(&t, raw.data ? raw.data : "", take, mime_attachment_charset(mm, k));
	const char *tp = t.data ? t.data : "";
	size_t tn = t.len < TEXT_SHOW_MAX ? t.len : utf8_trunc(tp, TEXT_SHOW_MAX);
	struct body_fmt *fmt = calloc(1, sizeof *fmt);
	buf_adds(b, "<pre class=\"msg\">\n");
	if (fmt) {
		fmt->c = c;
		fmt->day = m->day;
		fmt->num = m->num;
		body_html(fmt, b, tp, tn, HTML_LINKS | HTML_OBFUSCATE);
	}
	free(fmt);
	buf_adds(b, "</pre>\n");
	if (e || take < raw.len || tn < t.len)
		buf_adds(b,
		         "<p>[The rest of this attachment is not shown: see its raw text.]</p>\n");
	buf_free(&t);
	buf_free(&raw);
}

enum la_status render_attachment_page(const struct render_ctx *c, const char *list, int day,
                                      int num, int k, struct response *r)
{
	struct store_msg m;
	enum la_status e;
	if (!shown_message(c, list, day, num, &m, r, &e))
		return e;
	struct loaded l;
	if ((e = load_message(c, &m, &l))) {
		store_msg_clear(&m);
		return load_failed(c, r, e);
	}
	struct mime_msg *mm = NULL;
	struct mime_reader *rd = NULL;
	struct mime_block info;
	if (part_opened(c, &m, &l, k, NULL, &mm, &info, &rd, r, &e)) {
		char name[FILENAME_MAX_BYTES + 16];
		safe_filename(name, sizeof name, info.filename, k);
		struct buf *b = &r->body;
		buf_reset(b);
		struct buf title;
		buf_init(&title, FILENAME_MAX_BYTES + SUBJECT_MAX + 64);
		buf_printf(&title, "%s: ", name);
		subject_plain(c, &title, m.list, m.subject);
		page_open(c, b, &(struct page_head){.title = buf_cstr(&title), .list = m.list});
		buf_free(&title);
		buf_adds(b, "<h1>Attachment ");
		html_texts(b, name);
		buf_adds(b, "</h1>\n<p class=\"msglinks\">of <a href=\"");
		link_msg(c, b, m.list, m.day, m.num);
		buf_adds(b, "\">");
		subject_text(c, b, m.list, m.subject);
		buf_adds(b, "</a> &middot; <a href=\"");
		link_msg(c, b, m.list, m.day, m.num);
		buf_printf(b, "/%d\">%s</a> &middot; type ", k, info.is_text ? "raw" : "download");
		html_texts(b, info.type);
		buf_adds(b, "</p>\n");
		if (info.is_text)
			attachment_text(c, b, &m, mm, rd, k);
		e = page_close(c, r, 200, 86400);
	}
	mime_reader_free(rd);
	mime_free(mm);
	loaded_free(&l);
	store_msg_clear(&m);
	return e;
}

enum la_status message_part(const struct render_ctx *c, struct store_msg *m, const char *idx,
                            struct response *r)
{
	return attachment_of(c, m, 0, idx, r);
}

/* A raw message streamed from its source, mboxrd quoting (if its source
 * has it: store_msg_quoted) undone piece by piece.  Pieces end at line
 * ends, so that a quoted From line is never split; a line longer than a
 * piece continues verbatim. */
struct raw_stream {
	int fd;
	uint64_t pos, end;
	char *piece;   /* STREAM_PIECE bytes */
	size_t have;   /* bytes of an unfinished line kept from the last read */
	bool mid_line; /* the last piece ended inside a line */
	bool quoted;   /* the source carries mbox quoting */
};

static void raw_stream_free(void *state)
{
	struct raw_stream *rs = state;
	if (rs->fd >= 0)
		close(rs->fd);
	free(rs->piece);
	free(rs);
}

static void raw_unquote(struct raw_stream *rs, struct buf *out, const char *p, size_t n)
{
	if (!rs->quoted) {
		buf_add(out, p, n);
		return;
	}
	if (rs->mid_line) {
		const char *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) + 1 : n;
		buf_add(out, p, k);
		p += k;
		n -= k;
		if (!nl)
			return;
		rs->mid_line = false;
	}
	mbox_unquote(out, p, n);
}

static enum la_status raw_stream_next(void *state, struct buf *out, size_t room, bool *done)
{
	struct raw_stream *rs = state;
	(void)room;
	size_t want = STREAM_PIECE - rs->have;
	if (want > rs->end - rs->pos)
		want = (size_t)(rs->end - rs->pos);
	size_t got = 0;
	if (io_pread_full(rs->fd, rs->piece + rs->have, want, rs->pos, &got) || got != want)
		return LA_EIO; /* a source cut short since it was indexed */
	rs->pos += got;
	size_t n = rs->have + got;
	rs->have = 0;
	*done = rs->pos == rs->end;
	if (*done) {
		raw_unquote(rs, out, rs->piece, n);
		return out->err;
	}
	const char *nl = memrchr(rs->piece, '\n', n);
	if (!nl) {
		/* A line longer than a piece: what follows is inside it. */
		raw_unquote(rs, out, rs->piece, n);
		rs->mid_line = true;
		return out->err;
	}
	size_t upto = (size_t)(nl - rs->piece) + 1;
	raw_unquote(rs, out, rs->piece, upto);
	rs->have = n - upto;
	memmove(rs->piece, rs->piece + upto, rs->have);
	return out->err;
}

/* A byte of an RFC 2045 token (EmlContentFoo's $re_token). */
static bool ct_token(char c)
{
	return c > ' ' && c < 0x7f && !strchr("()<>@,;:\\\"/[]?=", c);
}

/* Whether v begins "type/subtype" (after white space), as a Content-Type
 * that public-inbox does not replace by the default must. */
static bool ct_valid(struct span v)
{
	size_t i = 0, k;
	while (i < v.n && (v.p[i] == ' ' || v.p[i] == '\t' || v.p[i] == '\r' || v.p[i] == '\n'))
		i++;
	for (k = i; k < v.n && ct_token(v.p[k]); k++)
		;
	if (k == i || k >= v.n || v.p[k] != '/')
		return false;
	return k + 1 < v.n && ct_token(v.p[k + 1]);
}

/* The headers public-inbox (and so lore) sends a raw message with
 * (Mbox.pm, mbox_hdr): text/plain in the charset its top-level
 * Content-Type names, UTF-8 without one or when the name has other
 * characters than letters, digits, '-' and '_' (no header injection),
 * and us-ascii (RFC 2045's default, as EmlContentFoo reads it) when the
 * message has no Content-Type or one that is not "type/subtype"; inline,
 * named after its subject without "Re: " (to_filename) ".txt".
 * head[0..n) is the start of the message. */
static void raw_headers(struct response *r, const char *subject, const char *head, size_t n)
{
	char cs[40] = "us-ascii";
	struct hdr_iter it;
	struct hdr_field f;
	hdr_iter_init(&it, head, n);
	while (hdr_next(&it, &f)) {
		if (f.name.n != 12 || g_ascii_strncasecmp(f.name.p, "Content-Type", 12) != 0)
			continue;
		if (!ct_valid(f.value))
			break;
		strcpy(cs, "UTF-8");
		struct buf v;
		buf_init(&v, 256);
		if (msg_header_param(&v, f.value, "charset") && !v.err && v.len > 0 &&
		    v.len < sizeof cs) {
			bool ok = true;
			for (size_t i = 0; i < v.len; i++)
				ok &= g_ascii_isalnum(v.data[i]) || v.data[i] == '-' ||
				      v.data[i] == '_';
			if (ok) {
				memcpy(cs, v.data, v.len);
				cs[v.len] = '\0';
			}
		}
		buf_free(&v);
		break; /* the first one, as Eml.pm's header() */
	}
	snprintf(r->own_type, sizeof r->own_type, "text/plain; charset=%s", cs);
	r->content_type = r->own_type;
	const char *s = subject ? subject : "";
	while (g_ascii_strncasecmp(s, "re:", 3) == 0 && (s[3] == ' ' || s[3] == '\t')) {
		s += 3;
		while (*s == ' ' || *s == '\t')
			s++;
	}
	lore_filename(r->filename, sizeof r->filename, s, "no-subject", ".txt");
	r->attachment = false;
}

enum la_status render_raw(const struct render_ctx *c, const char *list, int day, int num,
                          struct response *r)
{
	struct store_msg m;
	enum la_status e;
	if (!shown_message(c, list, day, num, &m, r, &e))
		return e;
	uint64_t size = 0;
	int fd = store_msg_open(c->st, &m, &size);
	if (fd < 0 || m.off > size || m.len > size - m.off) {
		if (fd >= 0)
			close(fd);
		store_msg_clear(&m);
		return load_failed(c, r, fd < 0 ? LA_EIO : LA_ECHANGED);
	}
	buf_reset(&r->body);
	r->status = 200;
	r->max_age = 86400;
	if (m.len > RAW_INMEM_MAX) {
		/* What store_msg_read_fd checks for a message read whole: the
		 * source still holds this message here. */
		struct buf head;
		buf_init(&head, HEAD_MAX * 2);
		e = store_msg_read_fd(fd, &m, HEAD_MAX, &head);
		if (!e)
			raw_headers(r, m.subject, head.data ? head.data : "", head.len);
		buf_free(&head);
		if (e) {
			close(fd);
			store_msg_clear(&m);
			return load_failed(c, r, e);
		}
		struct raw_stream *rs = calloc(1, sizeof *rs);
		char *piece = malloc(STREAM_PIECE);
		if (!rs || !piece) {
			free(rs);
			free(piece);
			close(fd);
			store_msg_clear(&m);
			render_error(c, r, 500, "The message could not be read.");
			return LA_ENOMEM;
		}
		rs->fd = fd;
		rs->pos = m.off;
		rs->end = m.off + m.len;
		rs->piece = piece;
		rs->quoted = store_msg_quoted(&m);
		r->stream.next = raw_stream_next;
		r->stream.free = raw_stream_free;
		r->stream.state = rs;
		stream_etag(r, &m, "r", 0);
		store_msg_clear(&m);
		return LA_OK;
	}
	e = store_msg_read_fd(fd, &m, RAW_INMEM_MAX, &r->body);
	close(fd);
	if (!e)
		raw_headers(r, m.subject, r->body.data ? r->body.data : "", r->body.len);
	store_msg_clear(&m);
	if (e)
		return load_failed(c, r, e);
	return LA_OK;
}
