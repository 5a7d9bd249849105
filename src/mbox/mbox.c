/* mbox.c: the mbox scanner.  It finds "\nFrom " with memmem over a
 * sliding window, checks each hit is a real From_ line, and hands out
 * message spans; only the header block of each message is kept. */
#define _GNU_SOURCE
#include "mbox/mbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "limits.h"
#include "msg/header.h"

/* Read window.  Must exceed HEAD_MAX + FROMLINE_SENDER_MAX + FROMLINE_MAX
 * by a good margin. */
#define WINDOW (2 * 1024 * 1024)

struct mbox_reader {
	int fd;
	char *buf;
	size_t len;     /* valid bytes in buf */
	size_t pos;     /* cursor in buf */
	uint64_t base;  /* file offset of buf[0] */
	bool eof;
	bool first;     /* nothing returned yet */
	char *head;     /* copy of the current header block */
};

struct mbox_reader *mbox_reader_new(int fd, uint64_t start)
{
	struct mbox_reader *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->buf = malloc(WINDOW);
	r->head = malloc(HEAD_MAX);
	if (!r->buf || !r->head) {
		mbox_reader_free(r);
		return NULL;
	}
	r->fd = fd;
	r->base = start;
	r->first = true;
	return r;
}

void mbox_reader_free(struct mbox_reader *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r->head);
	free(r);
}

uint64_t mbox_reader_pos(const struct mbox_reader *r)
{
	return r->base + r->pos;
}

/* Drops buf[0..keep_from) and reads more.  Returns LA_OK (possibly
 * setting eof) or LA_EIO. */
static enum la_status refill(struct mbox_reader *r, size_t keep_from, struct la_err *err)
{
	if (keep_from > 0) {
		memmove(r->buf, r->buf + keep_from, r->len - keep_from);
		r->len -= keep_from;
		r->pos -= keep_from;
		r->base += keep_from;
	}
	while (r->len < WINDOW && !r->eof) {
		ssize_t k = pread(r->fd, r->buf + r->len, WINDOW - r->len, (off_t)(r->base + r->len));
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return la_err_set(err, LA_EIO, "read at offset %llu: %s",
			                  (unsigned long long)(r->base + r->len), strerror(errno));
		}
		if (k == 0)
			r->eof = true;
		r->len += (size_t)k;
		if ((size_t)k < WINDOW / 4)
			break; /* short read: enough for now */
	}
	return LA_OK;
}

bool mbox_is_fromline(const char *line, size_t n, struct la_date *d)
{
	if (n < 5 || memcmp(line, "From ", 5) != 0)
		return false;
	const char *p = line + 5, *end = line + n;
	/* The sender: one token (possibly empty, some writers put "From  ").
	 * It is skipped whole before the line is cut: cutting first made a
	 * From_ line with a sender longer than FROMLINE_MAX lose its date,
	 * and its message was glued to the one before. */
	while (p < end && *p != ' ' && *p != '\t')
		p++;
	if (p - line > 5 + FROMLINE_SENDER_MAX)
		return false;
	if ((size_t)(end - p) > FROMLINE_MAX)
		end = p + FROMLINE_MAX;
	return p < end && date_parse_fromline(span_make(p, (size_t)(end - p)), d);
}

/* The longest From_ line want_line looks at: a sender, a space, a date. */
#define FROMLINE_LOOK (5 + FROMLINE_SENDER_MAX + 1 + FROMLINE_MAX)

/* Makes sure the line starting at buf[at] is complete in the window (or
 * FROMLINE_LOOK long, or the file ends).  Returns the line's length
 * without its newline, via *n; may move the window (at is kept valid). */
static enum la_status want_line(struct mbox_reader *r, size_t *at, size_t *n, struct la_err *err)
{
	for (;;) {
		size_t avail = r->len - *at;
		size_t look = avail < FROMLINE_LOOK + 1 ? avail : FROMLINE_LOOK + 1;
		const char *nl = memchr(r->buf + *at, '\n', look);
		if (nl) {
			*n = (size_t)(nl - (r->buf + *at));
			return LA_OK;
		}
		if (avail > FROMLINE_LOOK || r->eof) {
			*n = look;
			return LA_OK;
		}
		/* Keep the line and the 8 bytes before it (the blank-line test
		 * looks there); body bytes before them are no longer needed. */
		size_t keep = *at > 8 ? *at - 8 : 0;
		if (r->pos < keep)
			r->pos = keep;
		size_t old_at = *at;
		enum la_status s = refill(r, keep, err);
		if (s)
			return s;
		*at = old_at - keep;
	}
}

/* Finds the next From_ line at or after buf[from].  On success *at is its
 * offset in the window and *ok is true; at EOF *ok is false.  Body bytes
 * already scanned are dropped from the window as it slides, but the 8
 * bytes before a hit are always still there (for the blank-line test). */
static enum la_status find_next(struct mbox_reader *r, size_t from, size_t *at, bool *ok,
                                struct la_err *err)
{
	size_t scan = from;
	struct la_date d;
	for (;;) {
		const char *hit = NULL;
		if (scan < r->len)
			hit = memmem(r->buf + scan, r->len - scan, "\nFrom ", 6);
		if (!hit) {
			if (r->eof) {
				*ok = false;
				return LA_OK;
			}
			/* Keep the last 8 bytes: a "\nFrom " cut by the window end,
			 * and the line ends before it. */
			size_t drop = r->len > scan + 8 ? r->len - 8 : scan;
			if (drop > r->pos)
				r->pos = drop;
			size_t keep_from = r->pos < drop ? r->pos : drop;
			enum la_status s = refill(r, keep_from, err);
			if (s)
				return s;
			scan = drop - keep_from;
			continue;
		}
		size_t line = (size_t)(hit - r->buf) + 1;
		size_t n;
		enum la_status s = want_line(r, &line, &n, err);
		if (s)
			return s;
		if (mbox_is_fromline(r->buf + line, n, &d)) {
			*at = line;
			*ok = true;
			return LA_OK;
		}
		scan = line;
	}
}

/* Moves r->pos past the end of the current line (sliding the window for
 * lines longer than it). */
static enum la_status skip_line(struct mbox_reader *r, struct la_err *err)
{
	for (;;) {
		const char *nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
		if (nl) {
			r->pos = (size_t)(nl - r->buf) + 1;
			return LA_OK;
		}
		r->pos = r->len;
		if (r->eof)
			return LA_OK;
		enum la_status s = refill(r, r->pos, err);
		if (s)
			return s;
	}
}

enum la_status mbox_next(struct mbox_reader *r, struct mbox_msg *m, struct la_err *err)
{
	enum la_status s;
	memset(m, 0, sizeof *m);
	if (r->pos >= r->len && !r->eof) {
		s = refill(r, r->pos, err);
		if (s)
			return s;
	}
	if (r->pos >= r->len && r->eof)
		return LA_EOF;

	/* The From_ line of this message, if there is one. */
	size_t at = r->pos, n = 0;
	s = want_line(r, &at, &n, err);
	if (s)
		return s;
	r->pos = at;
	m->start = r->base + r->pos;
	if (mbox_is_fromline(r->buf + r->pos, n, &m->date)) {
		m->has_date = true;
		s = skip_line(r, err);
	} else if (n >= 5 && memcmp(r->buf + r->pos, "From ", 5) == 0) {
		/* Only the very first line of a file (or a resume point) can
		 * be a From_ line we did not recognise: its date comes from the
		 * headers instead. */
		m->flags |= MBOX_F_BAD_DATE;
		s = skip_line(r, err);
	} else {
		m->flags |= MBOX_F_NO_FROMLINE;
	}
	if (s)
		return s;
	m->off = r->base + r->pos;

	/* The header block: make HEAD_MAX bytes (or the rest) available. */
	if (r->len - r->pos < HEAD_MAX && !r->eof) {
		s = refill(r, r->pos, err);
		if (s)
			return s;
	}
	size_t avail = r->len - r->pos;
	size_t hlen = hdr_block_len(r->buf + r->pos, avail < HEAD_MAX ? avail : HEAD_MAX);
	if (hlen == HEAD_MAX && avail > HEAD_MAX)
		m->flags |= MBOX_F_HEAD_TRUNC;
	memcpy(r->head, r->buf + r->pos, hlen);
	m->head = r->head;
	m->head_len = hlen;

	/* The next From_ line.  The message keeps at least its first line,
	 * so the search starts at the message itself. */
	size_t next;
	bool ok;
	s = find_next(r, r->pos, &next, &ok, err);
	if (s)
		return s;
	size_t e = ok ? next : r->len;
	uint64_t endoff = r->base + e;
	m->end = endoff;
	/* The blank line before the next From_ line (or at EOF) separates
	 * messages; it is not part of the message. */
	uint64_t msgend = endoff;
	if (e >= 2 && r->buf[e - 1] == '\n' && r->buf[e - 2] == '\n' && endoff - 1 > m->off)
		msgend = endoff - 1;
	else if (e >= 3 && r->buf[e - 1] == '\n' && r->buf[e - 2] == '\r' && r->buf[e - 3] == '\n' &&
	         endoff - 2 > m->off)
		msgend = endoff - 2;
	if (!ok)
		m->flags |= MBOX_F_AT_EOF;
	if (!ok && (e == 0 || r->buf[e - 1] != '\n'))
		m->flags |= MBOX_F_NO_NEWLINE;
	m->len = msgend > m->off ? msgend - m->off : 0;
	if (m->head_len > m->len)
		m->head_len = (size_t)m->len;
	r->pos = e;
	r->first = false;
	return LA_OK;
}

void mbox_unquote(struct buf *out, const char *p, size_t n)
{
	size_t i = 0, run = 0;
	while (i < n) {
		/* At a line start. */
		size_t j = i;
		while (j < n && p[j] == '>')
			j++;
		if (j > i && n - j >= 5 && memcmp(p + j, "From ", 5) == 0) {
			buf_add(out, p + run, i - run);
			run = i + 1; /* drop one '>' */
		}
		const char *nl = memchr(p + i, '\n', n - i);
		if (!nl)
			break;
		i = (size_t)(nl - p) + 1;
	}
	buf_add(out, p + run, n - run);
}

void mbox_quote(struct buf *out, const char *p, size_t n)
{
	size_t i = 0, run = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && p[j] == '>')
			j++;
		if (n - j >= 5 && memcmp(p + j, "From ", 5) == 0) {
			buf_add(out, p + run, i - run);
			buf_addc(out, '>');
			run = i;
		}
		const char *nl = memchr(p + i, '\n', n - i);
		if (!nl)
			break;
		i = (size_t)(nl - p) + 1;
	}
	buf_add(out, p + run, n - run);
}

int maildir_open_sub(const char *path, const char *sub)
{
	int top = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (top < 0)
		return -1;
	int fd = openat(top, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int saved = errno;
	close(top);
	errno = saved;
	return fd;
}
