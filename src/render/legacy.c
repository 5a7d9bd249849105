/* legacy.c: the URLs of the archivers a list moves from, answered with a
 * 301 to the message's listarc page (route.c parses them):
 *
 *   /pipermail/LIST/YYYY-Month/NNNNNN.html   Mailman 2 (pipermail)
 *   /mhonarc/LIST/msgNNNNN.html              MHonArc
 *   /hyperkitty/list/LIST@HOST/message/HASH/ Mailman 3 (HyperKitty; also
 *   /archives/list/..., and .../thread/HASH/ for the thread)
 *
 * pipermail and MHonArc number a list's messages from 0 in the order they
 * were archived; a list imported from their files in that order (for
 * pipermail: the YYYY-Month.txt files from the oldest month on, which
 * `listarc index` does when given them together) has the same order in
 * the index, so article N is the list's N-th message indexed.  The month
 * in a pipermail URL adds nothing to the number and is not checked.
 *
 * HyperKitty's HASH is Mailman 3's Message-ID-Hash: the RFC 4648 base32
 * (uppercase, 32 characters) of the SHA-1 of the Message-ID without its
 * angle brackets, e.g. <ant> -> MS6QLWERIJLGCRF44J7USBFDELMNT2BW.  The
 * list's Message-IDs are hashed until one matches: a redirect costs a walk
 * of the list, as no index of hashes is kept. */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "render/render_int.h"

void render_msgid_hash(const char *msgid, char out[33])
{
	static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	size_t n = strlen(msgid);
	if (n >= 2 && msgid[0] == '<' && msgid[n - 1] == '>') {
		msgid++;
		n -= 2;
	}
	guint8 d[20];
	gsize dn = sizeof d;
	GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA1);
	g_checksum_update(ck, (const guchar *)msgid, (gssize)n);
	g_checksum_get_digest(ck, d, &dn);
	g_checksum_free(ck);
	/* 160 bits: 32 characters of 5 bits, no padding. */
	for (int i = 0; i < 32; i++) {
		int bit = i * 5, byte = bit / 8, shift = bit % 8;
		unsigned v = (unsigned)d[byte] << 8 | (byte + 1 < 20 ? d[byte + 1] : 0);
		out[i] = b32[(v >> (11 - shift)) & 31];
	}
	out[32] = '\0';
}

static void moved(const struct render_ctx *c, struct response *r, const struct buf *path)
{
	buf_reset(&r->body);
	r->status = 301;
	r->max_age = 86400;
	snprintf(r->location, sizeof r->location, "%s%s", c->base, buf_cstr((struct buf *)path));
	r->content_type = "text/plain; charset=utf-8";
	buf_printf(&r->body, "Moved to %s\n", r->location);
}

/* No message where an old URL points (e LA_ENOTFOUND): the 404, and
 * LA_OK; else the index could not be read: the 500, and e. */
static enum la_status no_target(const struct render_ctx *c, struct response *r, enum la_status e)
{
	if (e == LA_ENOTFOUND) {
		render_error(c, r, 404, "There is no such message in this archive.");
		return LA_OK;
	}
	render_error(c, r, 500, "The index could not be read.");
	return e;
}

enum la_status render_numbered(const struct render_ctx *c, const char *list, int64_t n,
                               struct response *r)
{
	int64_t list_id;
	int day, num;
	enum la_status e = store_list_id(c->st, list, &list_id);
	if (!e)
		e = store_list_nth(c->st, list_id, n, &day, &num);
	if (e)
		return no_target(c, r, e);
	struct buf p;
	buf_init(&p, 256);
	render_path_segment(&p, list, strlen(list));
	buf_printf(&p, "/%04d/%02d/%02d/%d", day / 10000, day / 100 % 100, day % 100, num);
	moved(c, r, &p);
	buf_free(&p);
	return LA_OK;
}

struct hash_walk {
	const char *hash;
	char found[MSGID_MAX + 1];
	bool have;
};

static bool try_msgid(const char *msgid, void *arg)
{
	struct hash_walk *w = arg;
	char h[33];
	render_msgid_hash(msgid, h);
	if (strcmp(h, w->hash) != 0)
		return true;
	snprintf(w->found, sizeof w->found, "%s", msgid);
	w->have = true;
	return false;
}

enum la_status render_hyperkitty(const struct render_ctx *c, const char *list, const char *hash,
                                 bool thread, struct response *r)
{
	int64_t list_id;
	struct hash_walk w = {hash, "", false};
	enum la_status e = store_list_id(c->st, list, &list_id);
	if (!e)
		e = store_list_msgids(c->st, list_id, try_msgid, &w);
	if (e || !w.have)
		return no_target(c, r, e ? e : LA_ENOTFOUND);
	struct buf p;
	buf_init(&p, sizeof r->location - 64);
	render_path_segment(&p, list, strlen(list));
	buf_addc(&p, '/');
	/* A message: its dated page; a thread, or a message now hidden
	 * (which its Message-ID page answers 410): by Message-ID. */
	struct render_entries l = {0};
	int64_t id;
	if (!thread && msgid_lookup(c, list, w.found, &l, &id) == LA_OK && l.n > 0) {
		buf_reset(&p);
		render_path_segment(&p, list, strlen(list));
		buf_printf(&p, "/%04d/%02d/%02d/%d", l.v[0].day / 10000, l.v[0].day / 100 % 100,
		           l.v[0].day % 100, l.v[0].num);
	} else {
		render_msgid_segment(&p, w.found, strlen(w.found));
		buf_adds(&p, thread ? "/T/" : "/");
	}
	render_entries_free(&l);
	moved(c, r, &p);
	buf_free(&p);
	return LA_OK;
}
