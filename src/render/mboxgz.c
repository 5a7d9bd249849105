/* mboxgz.c: messages as a gzipped mboxrd, streamed: the thread download
 * (t.mbox.gz) and a search's matches (&x=m).  Only the list of message
 * ids is held; each message is read from its source when the stream gets
 * to it, a piece at a time, and deflated on the way out. */
#define _GNU_SOURCE /* memrchr */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "mbox/mbox.h"
#include "render/render.h"
#include "util/hash.h"
#include "util/io.h"

/* Bytes read from a source at a time, and the size of the mbox text fed
 * to deflate at a time. */
#define PIECE ((size_t)64 << 10)

struct mboxgz {
	struct store *st; /* borrowed from the render context (or another: stream.store) */
	int64_t *ids;
	size_t n, next; /* ids[next] is the next message to start */
	/* The message being copied. */
	bool in_msg;
	int fd;
	uint64_t pos, end;
	char *piece;   /* PIECE bytes: what was read and not yet copied */
	size_t have;   /* an unfinished line kept from the last read */
	bool mid_line; /* the last piece ended inside a line longer than PIECE */
	char last;     /* the last byte of the message copied so far */
	bool quoted;   /* its source carries mbox quoting (store_msg_quoted) */
	/* mbox text waiting for deflate. */
	struct buf text, tmp;
	size_t text_off;
	z_stream z;
	bool finishing;
	bool plain; /* uncompressed: the mbox text as it is */
};

static void mboxgz_free(void *state)
{
	struct mboxgz *s = state;
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	deflateEnd(&s->z);
	buf_free(&s->text);
	buf_free(&s->tmp);
	free(s->piece);
	free(s->ids);
	free(s);
}

/* Copies p[0..n) of the message to the mbox text: one level of mboxrd
 * quoting undone if the source has it (the raw message), then one added
 * (mboxrd). */
static void copy_lines(struct mboxgz *s, const char *p, size_t n)
{
	if (n == 0)
		return;
	if (s->mid_line) {
		/* The rest of a line that started in an earlier piece: it does
		 * not start with "From ", whatever it holds. */
		const char *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) + 1 : n;
		buf_add(&s->text, p, k);
		s->last = p[k - 1];
		if (!nl)
			return;
		s->mid_line = false;
		p += k;
		n -= k;
		if (n == 0)
			return;
	}
	if (!s->quoted) {
		mbox_quote(&s->text, p, n);
		s->last = p[n - 1];
		return;
	}
	buf_reset(&s->tmp);
	mbox_unquote(&s->tmp, p, n);
	if (s->tmp.len)
		mbox_quote(&s->text, s->tmp.data, s->tmp.len);
	s->last = p[n - 1];
}

/* Starts the next message that the index still has: its From_ line.
 * Returns LA_OK with s->in_msg set, LA_OK without it when there are none
 * left, or the error that ends the stream: LA_EIO (the source cannot be
 * opened or read), LA_ECHANGED (it no longer holds the message indexed
 * there). */
static enum la_status start_message(struct mboxgz *s)
{
	while (s->next < s->n) {
		struct store_msg m;
		enum la_status e = store_msg_by_id(s->st, s->ids[s->next++], &m);
		if (e == LA_ENOTFOUND)
			continue; /* gone since (a rebuild): left out */
		if (e)
			return e;
		uint64_t size = 0;
		int fd = store_msg_open(s->st, &m, &size);
		if (fd < 0) {
			store_msg_clear(&m);
			return LA_EIO;
		}
		/* The index is input too: never read past the file, and send
		 * the bytes only if they still hold the message indexed there
		 * (store_msg_read_fd checks its Message-ID). */
		struct buf head;
		buf_init(&head, HEAD_MAX * 2);
		e = m.off > size || m.len > size - m.off
		            ? LA_ECHANGED
		            : store_msg_read_fd(fd, &m, HEAD_MAX, &head);
		buf_free(&head);
		if (e) {
			close(fd);
			store_msg_clear(&m);
			return e;
		}
		s->fd = fd;
		s->pos = m.off;
		s->end = m.off + m.len;
		s->have = 0;
		s->mid_line = false;
		s->last = '\n';
		s->quoted = store_msg_quoted(&m);
		s->in_msg = true;
		store_msg_clear(&m);
		/* public-inbox's From_ line ("From mboxrd@z Thu Jan  1 00:00:00
		 * 1970"): git mailsplit and b4 take it as one. */
		mbox_add_fromline(&s->text, "mboxrd@z", 0);
		return LA_OK;
	}
	return LA_OK;
}

/* Reads the next piece of the current message into the mbox text; at
 * its end adds the newline it may lack and the empty line after it. */
static enum la_status copy_piece(struct mboxgz *s)
{
	size_t want = PIECE - s->have;
	if (want > s->end - s->pos)
		want = (size_t)(s->end - s->pos);
	size_t got = 0;
	if (io_pread_full(s->fd, s->piece + s->have, want, s->pos, &got) || got != want)
		return LA_EIO; /* a source cut short since it was indexed */
	s->pos += got;
	size_t n = s->have + got;
	s->have = 0;
	if (s->pos == s->end) {
		copy_lines(s, s->piece, n);
		if (s->last != '\n')
			buf_addc(&s->text, '\n');
		buf_addc(&s->text, '\n');
		close(s->fd);
		s->fd = -1;
		s->in_msg = false;
		return s->text.err;
	}
	/* Copy whole lines; keep an unfinished one for the next read, so
	 * that a line's start is always seen as one. */
	const char *nl = memrchr(s->piece, '\n', n);
	if (!nl) {
		/* A line longer than a piece: what follows is inside it. */
		copy_lines(s, s->piece, n);
		s->mid_line = true;
		return s->text.err;
	}
	size_t upto = (size_t)(nl - s->piece) + 1;
	copy_lines(s, s->piece, upto);
	s->have = n - upto;
	memmove(s->piece, s->piece + upto, s->have);
	return s->text.err;
}

/* Refills the mbox text with at least one piece, unless the messages
 * are all written (then s->finishing). */
static enum la_status refill(struct mboxgz *s)
{
	buf_reset(&s->text);
	s->text_off = 0;
	while (s->text.len == 0) {
		enum la_status e;
		if (!s->in_msg) {
			if ((e = start_message(s)))
				return e;
			if (!s->in_msg) {
				s->finishing = true;
				return LA_OK;
			}
		}
		if ((e = copy_piece(s)))
			return e;
	}
	return LA_OK;
}

/* The stream's next piece (struct response_stream): at most room bytes
 * of gzip appended to out; *done once the gzip trailer is out. */
static enum la_status mboxgz_next(void *state, struct buf *out, size_t room, bool *done)
{
	struct mboxgz *s = state;
	*done = false;
	if (room == 0)
		room = 1;
	enum la_status e = buf_reserve(out, room);
	if (e)
		return e;
	s->z.next_out = (unsigned char *)out->data + out->len;
	s->z.avail_out = (unsigned)room;
	while (s->z.avail_out > 0) {
		if (!s->finishing && s->text_off == s->text.len && (e = refill(s)))
			break;
		int flush = s->finishing ? Z_FINISH : Z_NO_FLUSH;
		s->z.next_in = (unsigned char *)s->text.data + s->text_off;
		s->z.avail_in = (unsigned)(s->text.len - s->text_off);
		int rc = deflate(&s->z, flush);
		s->text_off = s->text.len - s->z.avail_in;
		if (rc == Z_STREAM_END) {
			*done = true;
			break;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			e = LA_ENOMEM;
			break;
		}
	}
	out->len += room - s->z.avail_out;
	return e;
}

/* The stream's next piece uncompressed: about room bytes of mbox text. */
static enum la_status mbox_plain_next(void *state, struct buf *out, size_t room, bool *done)
{
	struct mboxgz *s = state;
	*done = false;
	size_t start = out->len;
	while (out->len - start < room) {
		if (s->text_off == s->text.len) {
			enum la_status e = refill(s);
			if (e)
				return e;
			if (s->finishing) {
				*done = true;
				break;
			}
		}
		size_t k = s->text.len - s->text_off, left = room - (out->len - start);
		if (k > left)
			k = left;
		buf_add(out, s->text.data + s->text_off, k);
		s->text_off += k;
	}
	return out->err;
}

static enum la_status mbox_stream(const struct render_ctx *c, const int64_t *ids, size_t n,
                                  bool plain, struct response *r)
{
	struct mboxgz *s = calloc(1, sizeof *s);
	if (!s)
		goto oom;
	s->fd = -1;
	s->st = c->st;
	s->n = n;
	s->ids = malloc((n ? n : 1) * sizeof *ids);
	s->piece = malloc(PIECE);
	buf_init(&s->text, 4 * PIECE);
	buf_init(&s->tmp, 2 * PIECE);
	if (!s->ids || !s->piece)
		goto oom;
	if (n)
		memcpy(s->ids, ids, n * sizeof *ids);
	/* windowBits 15 + 16: a gzip header and trailer around the deflate
	 * stream.  Level 6, zlib's default: about 20 MB/s of a thread's mbox
	 * on one core (bench/README.md), which is why the server keeps a
	 * finished stream of up to STREAM_CACHE_MAX in its page cache. */
	s->plain = plain;
	if (deflateInit2(&s->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		memset(&s->z, 0, sizeof s->z);
		goto oom;
	}
	buf_reset(&r->body);
	r->status = 200;
	r->content_type = plain ? "application/mbox" : "application/gzip";
	r->max_age = 300;
	r->stream.next = plain ? mbox_plain_next : mboxgz_next;
	r->stream.free = mboxgz_free;
	r->stream.state = s;
	r->stream.store = &s->st;
	/* The same ids are the same bytes: a message's place in its source
	 * never changes under its id (a rebuild gives new ids). */
	snprintf(r->etag, sizeof r->etag, "\"%s-%016llx\"", plain ? "p" : "m",
	         (unsigned long long)hash64(ids, n * sizeof *ids, 11));
	return LA_OK;
oom:
	mboxgz_free(s);
	render_error(c, r, 500, "The mbox could not be made.");
	return LA_ENOMEM;
}

enum la_status render_mboxgz(const struct render_ctx *c, const int64_t *ids, size_t n,
                             struct response *r)
{
	return mbox_stream(c, ids, n, false, r);
}

enum la_status render_mbox_plain(const struct render_ctx *c, const int64_t *ids, size_t n,
                                 struct response *r)
{
	return mbox_stream(c, ids, n, true, r);
}
