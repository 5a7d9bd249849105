/* atom.c: Atom 1.0 feeds (RFC 4287) of any list of messages: new.atom,
 * t.atom, and search results. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg/date.h"
#include "render/html.h"
#include "render/render_int.h"

/* An RFC 3339 date in UTC (date_rfc3339) appended to b. */
static void rfc3339(struct buf *b, int64_t t)
{
	char out[DATE_RFC3339_LEN];
	date_rfc3339(t, out);
	buf_adds(b, out);
}

/* A name-based UUID (RFC 4122 version 5, SHA-1, in the URL namespace) of
 * name, as "urn:uuid:...". */
static void urn_uuid(struct buf *b, const char *name)
{
	static const unsigned char ns_url[16] = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
	                                         0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
	GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA1);
	g_checksum_update(ck, ns_url, sizeof ns_url);
	g_checksum_update(ck, (const unsigned char *)name, (gssize)strlen(name));
	unsigned char d[20];
	gsize n = sizeof d;
	g_checksum_get_digest(ck, d, &n);
	g_checksum_free(ck);
	d[6] = (unsigned char)((d[6] & 0x0f) | 0x50);
	d[8] = (unsigned char)((d[8] & 0x3f) | 0x80);
	buf_adds(b, "urn:uuid:");
	for (int i = 0; i < 16; i++) {
		buf_printf(b, "%02x", d[i]);
		if (i == 3 || i == 5 || i == 7 || i == 9)
			buf_addc(b, '-');
	}
}

static int64_t entry_time(const struct store_entry *e)
{
	return e->has_date ? e->date : e->ts;
}

/* One <entry>: its id is made from its date URL (list, day, number),
 * which never changes, so that a copy of a message in another list is
 * another entry. */
static void atom_entry(const struct render_ctx *c, struct buf *b, const struct store_entry *e,
                       struct buf *scratch)
{
	buf_adds(b, "<entry>\n<title type=\"text\">");
	subject_text(c, b, e->list, e->subject);
	buf_adds(b, "</title>\n<id>");
	buf_reset(scratch);
	buf_printf(scratch, "listarc:%s/%d/%d", e->list, e->day, e->num);
	urn_uuid(b, buf_cstr(scratch));
	buf_adds(b, "</id>\n<updated>");
	rfc3339(b, entry_time(e));
	buf_adds(b, "</updated>\n<author><name>");
	sender_text(b, e->from_name, e->from_addr);
	buf_adds(b, "</name></author>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
	link_msg(c, b, e->list, e->day, e->num);
	buf_adds(b, "\"/>\n");
	struct store_msg m;
	buf_reset(scratch);
	bool cut = false;
	enum la_status err = store_msg_by_id(c->st, e->id, &m);
	if (err == LA_OK)
		err = message_text(c, &m, TEXT_FEED_MAX, scratch, &cut);
	store_msg_clear(&m);
	if (err == LA_OK) {
		buf_adds(b, "<content type=\"text\">");
		html_obfuscated(b, scratch->data ? scratch->data : "", scratch->len);
		if (cut)
			buf_adds(b, "\n[...]");
		buf_adds(b, "</content>\n");
	}
	buf_adds(b, "</entry>\n");
}

enum la_status render_atom(const struct render_ctx *c, const struct render_feed *f,
                           const struct render_entries *l, struct response *r)
{
	struct buf *b = &r->body;
	buf_reset(b);
	buf_adds(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	            "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title type=\"text\">");
	html_texts(b, f->title);
	buf_adds(b, "</title>\n<id>");
	struct buf scratch;
	buf_init(&scratch, TEXT_FEED_MAX + URL_MAX);
	buf_printf(&scratch, "listarc feed:%s", f->key);
	urn_uuid(b, buf_cstr(&scratch));
	buf_adds(b, "</id>\n<updated>");
	/* The newest entry's date; an empty feed has the index's. */
	int64_t updated = l->n ? entry_time(&l->v[0]) : store_mtime(c->st);
	for (size_t i = 1; i < l->n; i++)
		if (entry_time(&l->v[i]) > updated)
			updated = entry_time(&l->v[i]);
	rfc3339(b, updated);
	buf_adds(b, "</updated>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"");
	html_texts(b, f->self);
	buf_adds(b, "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
	html_texts(b, f->alternate);
	buf_adds(b, "\"/>\n<generator version=\"" LISTARC_VERSION "\">listarc</generator>\n");
	for (size_t i = 0; i < l->n && !b->err; i++)
		atom_entry(c, b, &l->v[i], &scratch);
	buf_adds(b, "</feed>\n");
	buf_free(&scratch);
	r->status = 200;
	r->content_type = "application/atom+xml; charset=utf-8";
	r->max_age = 300;
	if (b->err) {
		enum la_status e = b->err;
		render_error(c, r, 500, "The feed could not be built.");
		return e;
	}
	return LA_OK;
}
