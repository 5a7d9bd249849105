/* mbox.c: the mbox and MMDF scanner.  It finds "\nFrom " (MMDF: "\n^A^A^A^A")
 * with span_memmem (util/span.h) over a sliding window, checks each hit is a real boundary,
 * and hands out message spans; only the header block of each message is
 * kept. */
#define _GNU_SOURCE
#include "mbox/mbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "limits.h"
#include "msg/header.h"
#include "util/civil.h"
#include "util/span.h"
#include "util/io.h"
#include "util/span.h"

/* Read window.  Must exceed HEAD_MAX + FROMLINE_SENDER_MAX + FROMLINE_MAX
 * + FROMLINE_FIELD_MAX by a good margin. */
#define WINDOW (2 * 1024 * 1024)
/* The steps of mbox_reader_drop_behind start and end at multiples of
 * this (of a page, for steps shorter than it: the tests'): the page
 * cache holds a file in folios of up to 2 MB, and one that a range
 * given to posix_fadvise cuts is kept whole (ext4, Linux 6.18: ranges
 * cut at 1.8 MB dropped nothing of a file read in 2 MB windows). */
#define MBOX_DROP_ALIGN (2u << 20)
#define MBOX_PAGE 4096u

/* The MMDF separator line, without its line end. */
#define MMDF_SEP "\1\1\1\1"

struct mbox_reader {
	int fd;
	enum mbox_format fmt;
	char *buf;
	size_t len;     /* valid bytes in buf */
	size_t pos;     /* cursor in buf */
	uint64_t base;  /* file offset of buf[0] */
	uint64_t limit; /* bytes of the file to read */
	bool eof;
	uint64_t drop_every; /* mbox_reader_drop_behind (0: never) */
	uint64_t drop_align; /* each step from and to a multiple of it */
	uint64_t dropped;    /* the file's pages before this are let go of */
	char *head;          /* copy of the current header block */
	char *probe;         /* scratch for reading ahead at a Content-Length */
	uint64_t (*avail)(void *arg, uint64_t want, bool *ended);
	void *avail_arg;
	/* The From_ line find_next found last (file offset, +1; 0: none),
	 * so that mbox_next does not read it again. */
	uint64_t found_at;
	struct la_date found_date;
	bool found_spaced;
};

struct mbox_reader *mbox_reader_new(int fd, uint64_t start, uint64_t limit, enum mbox_format fmt)
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
	r->fmt = fmt;
	r->base = start;
	r->limit = limit;
	return r;
}

void mbox_reader_free(struct mbox_reader *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r->head);
	free(r->probe);
	free(r);
}

void mbox_reader_follow(struct mbox_reader *r,
                        uint64_t (*avail)(void *arg, uint64_t want, bool *ended), void *arg)
{
	r->avail = avail;
	r->avail_arg = arg;
}

void mbox_reader_drop_behind(struct mbox_reader *r, uint64_t every)
{
	r->drop_every = every;
	r->drop_align = every >= MBOX_DROP_ALIGN ? MBOX_DROP_ALIGN : MBOX_PAGE;
	r->dropped = r->base & ~(r->drop_align - 1);
}

/* Lets the kernel drop the file's pages from r->dropped to the window's
 * start (from and to multiples of r->drop_align), once there are
 * drop_every bytes of them. */
static void drop_behind(struct mbox_reader *r)
{
	uint64_t to = r->base & ~(r->drop_align - 1);
	if (!r->drop_every || to < r->dropped || to - r->dropped < r->drop_every)
		return;
	/* (advice: an error changes nothing that is read) */
	(void)posix_fadvise(r->fd, (off_t)r->dropped, (off_t)(to - r->dropped),
	                    POSIX_FADV_DONTNEED);
	r->dropped = to;
}

uint64_t mbox_reader_pos(const struct mbox_reader *r)
{
	return r->base + r->pos;
}

/* How far the file may be read now, from offset at on: the limit, or
 * what a writer that is still at work has written (waiting for it to
 * fill the window, or to end). */
static uint64_t readable_end(struct mbox_reader *r, uint64_t at, size_t room)
{
	if (!r->avail)
		return r->limit;
	bool ended = false;
	uint64_t a = r->avail(r->avail_arg, at + room, &ended);
	return a < r->limit ? a : r->limit;
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
		drop_behind(r);
	}
	while (r->len < WINDOW && !r->eof) {
		uint64_t at = r->base + r->len;
		uint64_t end = readable_end(r, at, WINDOW - r->len);
		if (end <= at) {
			r->eof = true;
			break;
		}
		size_t want = WINDOW - r->len;
		if (end - at < want)
			want = (size_t)(end - at);
		size_t k = 0;
		if (io_pread_full(r->fd, r->buf + r->len, want, at, &k))
			return la_err_set(err, LA_EIO, "read at offset %llu: %s",
			                  (unsigned long long)at, strerror(errno));
		if (k == 0)
			r->eof = true;
		r->len += k;
		if (k < WINDOW / 4)
			break; /* short read: enough for now */
	}
	return LA_OK;
}

/* Makes at least need bytes from buf[*at] on available (fewer at the end
 * of the file), keeping the 8 bytes before *at (the blank-line test looks
 * there) and sliding the window past what lies before them.  *at is kept
 * pointing at the same byte. */
static enum la_status want_bytes(struct mbox_reader *r, size_t *at, size_t need, struct la_err *err)
{
	while (r->len - *at < need && !r->eof) {
		size_t keep = *at > 8 ? *at - 8 : 0;
		if (r->pos < keep)
			r->pos = keep;
		size_t old_at = *at;
		uint64_t had = r->base + r->len;
		enum la_status s = refill(r, keep, err);
		if (s)
			return s;
		*at = old_at - keep;
		if (r->base + r->len == had && !r->eof)
			break; /* a full window: need is far below it, so never */
	}
	return LA_OK;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_weekday3(const char *p)
{
	static const char days[] = "MonTueWedThuFriSatSun";
	for (int i = 0; i < 7; i++)
		if (memcmp(p, days + 3 * i, 3) == 0)
			return true;
	return false;
}

/* A word an asctime date (and its zone) is made of: a weekday or month
 * abbreviation ("Tue", "Jan") or a zone in capitals ("CET", "UTC"). */
static bool date_word(const char *p, size_t n)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	if (n == 3 && p[0] >= 'A' && p[0] <= 'Z') {
		if (is_weekday3(p))
			return true;
		for (int i = 0; i < 12; i++)
			if (memcmp(p, months + 3 * i, 3) == 0)
				return true;
	}
	if (n > 5)
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] < 'A' || p[i] > 'Z')
			return false;
	return true;
}

/* Does line[t..e) hold nothing but what an asctime date (and a zone) is
 * made of: those words, numbers, times, "+0100", separated by spaces or
 * commas?  Every byte must fit, so that prose never does. */
static bool date_shaped(const char *p, const char *e)
{
	while (p < e) {
		const char *q = p;
		if (is_blank(*p) || *p == ',') {
			p++;
			continue;
		}
		if (is_alpha(*p)) {
			while (q < e && is_alpha(*q))
				q++;
			if (!date_word(p, (size_t)(q - p)))
				return false;
		} else if (is_digit(*p)) {
			while (q < e && (is_digit(*q) || *q == ':'))
				q++;
			if (q - p > 8)
				return false;
		} else if ((*p == '+' || *p == '-') && e - p >= 5 && is_digit(p[1]) &&
		           is_digit(p[2]) && is_digit(p[3]) && is_digit(p[4])) {
			q = p + 5;
		} else {
			return false;
		}
		if (q < e && !is_blank(*q) && *q != ',')
			return false;
		p = q;
	}
	return true;
}

/* The offset in line[0..n) of an asctime date that ends the line
 * ("Tue Jan  3 20:23:02 2006", a zone before the year or after it
 * allowed), after a blank, at 5 or later; 0 if there is none.  Fills d. */
static size_t asctime_tail(const char *line, size_t n, struct la_date *d)
{
	size_t e = n;
	while (e > 5 && (is_blank(line[e - 1]) || line[e - 1] == '\r'))
		e--;
	/* Nearly every From_ line ends with exactly "Www Mmm dd hh:mm:ss
	 * yyyy": looked at first, byte by byte. */
	if (e >= 5 + 24 + 1) {
		const char *p = line + e - 24;
		if (is_blank(p[-1]) && is_weekday3(p) && p[3] == ' ' && p[7] == ' ' &&
		    (is_digit(p[8]) || p[8] == ' ') && is_digit(p[9]) && p[10] == ' ' &&
		    is_digit(p[11]) && is_digit(p[12]) && p[13] == ':' && is_digit(p[14]) &&
		    is_digit(p[15]) && p[16] == ':' && is_digit(p[17]) && is_digit(p[18]) &&
		    p[19] == ' ' && is_digit(p[20]) && is_digit(p[21]) && is_digit(p[22]) &&
		    is_digit(p[23]) && date_word(p + 4, 3) &&
		    date_parse_fromline(span_make(p, 24), d))
			return e - 24;
	}
	size_t lo = e > FROMLINE_TAIL_MAX + 5 ? e - FROMLINE_TAIL_MAX : 5;
	/* The rightmost weekday that starts a date-shaped rest of the line. */
	for (size_t t = e >= 3 ? e - 3 : 0; t >= lo && t > 0; t--) {
		if (!is_blank(line[t - 1]) || !is_weekday3(line + t))
			continue;
		if (t + 3 < e && !is_blank(line[t + 3]) && line[t + 3] != ',')
			continue;
		if (date_shaped(line + t, line + e) &&
		    date_parse_fromline(span_make(line + t, e - t), d))
			return t;
	}
	return 0;
}

/* True if d is a placeholder, not a date: 1970-01-01 00:00:00 (lore,
 * public-inbox, b4, lei and listarc's own downloads) or git
 * format-patch's 2001-09-17 00:00:00. */
static bool placeholder_date(const struct la_date *d)
{
	return d->hour == 0 && d->min == 0 && d->sec == 0 &&
	       ((d->year == 1970 && d->mon == 1 && d->day == 1) ||
	        (d->year == 2001 && d->mon == 9 && d->day == 17));
}

bool mbox_is_fromline(const char *line, size_t n, struct la_date *d, bool *spaced)
{
	if (spaced)
		*spaced = false;
	if (n < 5 || memcmp(line, "From ", 5) != 0)
		return false;
	/* A line that ends with an asctime date: the sender is whatever is
	 * before it (one token, or pipermail's "jane at example.org"). */
	size_t t = asctime_tail(line, n, d);
	if (t) {
		if (t - 5 > FROMLINE_SENDER_MAX + 1)
			return false;
		size_t s = 5, e = t - 1;
		while (s < e && is_blank(line[s]))
			s++;
		while (e > s && is_blank(line[e - 1]))
			e--;
		for (size_t i = s; i < e && spaced; i++)
			if (is_blank(line[i])) {
				*spaced = true;
				break;
			}
		return true;
	}
	/* Else one sender token and a date after it, which may be followed
	 * by more (a zone, "remote from", junk).  The sender is skipped whole
	 * before the line is cut: cutting first made a From_ line with a
	 * sender longer than FROMLINE_MAX lose its date, and its message was
	 * glued to the one before. */
	const char *p = line + 5, *end = line + n;
	while (p < end && *p != ' ' && *p != '\t')
		p++;
	if (p - line > 5 + FROMLINE_SENDER_MAX)
		return false;
	if ((size_t)(end - p) > FROMLINE_MAX)
		end = p + FROMLINE_MAX;
	return p < end && date_parse_fromline(span_make(p, (size_t)(end - p)), d);
}

size_t mbox_leading_fromline(const char *p, size_t n, struct la_date *d, bool *dated)
{
	*dated = false;
	size_t i = 0;
	while (i < n && (p[i] == '\r' || p[i] == '\n'))
		i++;
	if (n - i < 5 || memcmp(p + i, "From ", 5) != 0)
		return 0;
	size_t e = i + 5;
	while (e < n && p[e] != '\r' && p[e] != '\n')
		e++;
	size_t nl = e < n && p[e] == '\r' ? e + 1 : e;
	if (nl >= n || p[nl] != '\n' || nl + 1 == n)
		return 0;
	struct la_date fd;
	if (mbox_is_fromline(p + i, e - i, &fd, NULL) && !placeholder_date(&fd)) {
		*d = fd;
		*dated = true;
	}
	return nl + 1;
}

/* Does the line at p (avail bytes of it and what follows) start a
 * header field: a name and a colon (after a byte order mark, say)? */
static bool starts_header(const char *p, size_t avail)
{
	if (avail >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
		p += 3;
		avail -= 3;
	}
	size_t i = 0, lim = avail < FROMLINE_FIELD_MAX ? avail : FROMLINE_FIELD_MAX;
	while (i < lim && (unsigned char)p[i] > 32 && (unsigned char)p[i] < 127 && p[i] != ':')
		i++;
	if (i == 0)
		return false;
	while (i < avail && is_blank(p[i]) && i < FROMLINE_FIELD_MAX + 8)
		i++;
	return i < avail && p[i] == ':';
}

/* The longest From_ line looked at: a sender, a space, a date. */
#define FROMLINE_LOOK (5 + FROMLINE_SENDER_MAX + 1 + FROMLINE_MAX)
/* And what is read after it to see a header field begin. */
#define FIELD_LOOK (FROMLINE_FIELD_MAX + 16)

/* Makes sure the line starting at buf[at] is complete in the window (or
 * FROMLINE_LOOK long, or the file ends), with FIELD_LOOK bytes after it.
 * Returns the line's length without its newline via *n; may move the
 * window (at is kept valid). */
static enum la_status want_line(struct mbox_reader *r, size_t *at, size_t *n, struct la_err *err)
{
	for (;;) {
		size_t avail = r->len - *at;
		size_t look = avail < FROMLINE_LOOK + 1 ? avail : FROMLINE_LOOK + 1;
		const char *nl = memchr(r->buf + *at, '\n', look);
		if (nl) {
			*n = (size_t)(nl - (r->buf + *at));
			return want_bytes(r, at, *n + 1 + FIELD_LOOK, err);
		}
		if (avail > FROMLINE_LOOK || r->eof) {
			*n = look;
			return LA_OK;
		}
		enum la_status s = want_bytes(r, at, avail + 1, err);
		if (s)
			return s;
	}
}

/* Is the line at buf[at], of n bytes (want_line made it and what follows
 * available), a message boundary?  Fills d and *spaced. */
static bool boundary_at(struct mbox_reader *r, size_t at, size_t n, struct la_date *d, bool *spaced)
{
	if (!mbox_is_fromline(r->buf + at, n, d, spaced))
		return false;
	if (!*spaced)
		return true;
	size_t next = at + n + 1;
	if (next > r->len)
		return false; /* a line without its newline: nothing follows */
	return starts_header(r->buf + next, r->len - next);
}

/* Length of the MMDF separator line at p (its line end included), or 0. */
static size_t mmdf_sep(const char *p, size_t n, bool eof)
{
	if (n < 4 || memcmp(p, MMDF_SEP, 4) != 0)
		return 0;
	if (n == 4)
		return eof ? 4 : 0;
	if (p[4] == '\n')
		return 5;
	if (p[4] == '\r' && n >= 6 && p[5] == '\n')
		return 6;
	if (p[4] == '\r' && n == 5 && eof)
		return 5;
	return 0;
}

/* Finds the next boundary line after buf[from] (after a line end at or
 * after from): a From_ line, or for MMDF a separator line (*sep: its
 * length with its line end).  On success *at is its offset in the window
 * and *ok is true; at EOF *ok is false.  Body bytes already scanned are
 * dropped from the window as it slides, but the 8 bytes before a hit are
 * always still there (for the blank-line test). */
static enum la_status find_next(struct mbox_reader *r, size_t from, size_t *at, size_t *sep,
                                bool *ok, struct la_err *err)
{
	bool mmdf = r->fmt == MBOX_FMT_MMDF;
	const char *needle = mmdf ? "\n" MMDF_SEP : "\nFrom ";
	size_t nlen = mmdf ? 5 : 6;
	size_t scan = from;
	struct la_date d;
	for (;;) {
		const char *hit = NULL;
		if (scan < r->len)
			hit = span_memmem(r->buf + scan, r->len - scan, needle, nlen);
		if (!hit) {
			if (r->eof) {
				*ok = false;
				return LA_OK;
			}
			/* Keep the last 8 bytes: a needle cut by the window end, and
			 * the line ends before it. */
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
		enum la_status s =
			mmdf ? want_bytes(r, &line, 8, err) : want_line(r, &line, &n, err);
		if (s)
			return s;
		bool spaced;
		size_t k = mmdf ? mmdf_sep(r->buf + line, r->len - line, r->eof) : 0;
		if (mmdf ? k != 0 : boundary_at(r, line, n, &d, &spaced)) {
			*at = line;
			*sep = k;
			*ok = true;
			if (!mmdf) {
				r->found_at = r->base + line + 1;
				r->found_date = d;
				r->found_spaced = spaced;
			}
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

/* A Content-Length: value: its number, or -1 if it is none (or has more
 * than CONTENT_LENGTH_DIGITS digits). */
static int64_t length_value(struct span v)
{
	const char *p = v.p, *end = v.p + v.n;
	while (p < end && is_blank(*p))
		p++;
	int64_t n = 0;
	int digits = 0;
	while (p < end && is_digit(*p)) {
		if (++digits > CONTENT_LENGTH_DIGITS)
			return -1;
		n = n * 10 + (*p++ - '0');
	}
	while (p < end && (is_blank(*p) || *p == '\r'))
		p++;
	return digits && p == end ? n : -1;
}

/* Reads up to n bytes at file offset off into r->probe (never past
 * lim); returns how many. */
static size_t probe(struct mbox_reader *r, uint64_t lim, uint64_t off, size_t n)
{
	if (off >= lim)
		return 0;
	if (n > lim - off)
		n = (size_t)(lim - off);
	size_t got = 0;
	la_ignore(io_pread_full(r->fd, r->probe, n, off, &got)); /* an error reads as the end */
	return got;
}

/* Where the message whose body ends at file offset target (by its
 * Content-Length) is followed by the next message: the offset of the next
 * From_ line (after a blank line, or right at target), or of the end
 * (then *at_end is set).  Returns false if target is no such place. */
static bool length_boundary(struct mbox_reader *r, uint64_t target, uint64_t *next, bool *at_end)
{
	const size_t look = FROMLINE_LOOK + FIELD_LOOK + 2;
	if (!r->probe && !(r->probe = malloc(look)))
		return false;
	/* The end of the file, where it is known: a writer still at work
	 * (followed) must first have written what is looked at, or ended. */
	uint64_t lim = r->limit, known_end = r->limit;
	if (r->avail) {
		bool ended = false;
		uint64_t a = r->avail(r->avail_arg, target + look, &ended);
		if (a < lim)
			lim = a;
		known_end = ended ? lim : UINT64_MAX;
	} else if (r->limit == UINT64_MAX) {
		struct stat sb;
		if (fstat(r->fd, &sb) != 0)
			return false;
		lim = known_end = (uint64_t)sb.st_size;
	}
	size_t small = 4096;
	size_t got = probe(r, lim, target, small);
	*at_end = false;
	if (got == 0) {
		*next = target;
		return *at_end = target == known_end;
	}
	size_t skip = 0;
	if (r->probe[0] == '\n')
		skip = 1;
	else if (got >= 2 && r->probe[0] == '\r' && r->probe[1] == '\n')
		skip = 2;
	if (skip == got && target + skip == known_end) {
		*next = target + skip;
		return *at_end = true;
	}
	if (got - skip < 5 || memcmp(r->probe + skip, "From ", 5) != 0)
		return false;
	const char *nl = memchr(r->probe + skip, '\n', got - skip);
	if ((!nl || (size_t)(r->probe + got - nl) < FIELD_LOOK) && got == small)
		got = probe(r, lim, target, look);
	nl = memchr(r->probe + skip, '\n', got - skip);
	size_t n = nl ? (size_t)(nl - (r->probe + skip)) : got - skip;
	struct la_date d;
	bool spaced;
	if (!mbox_is_fromline(r->probe + skip, n, &d, &spaced))
		return false;
	if (spaced) {
		size_t after = skip + n + 1;
		if (after > got || !starts_header(r->probe + after, got - after))
			return false;
	}
	*next = target + skip;
	return true;
}

/* The header block at r->pos into m (up to HEAD_MAX; the window is
 * filled so that it is there whole), its length in *hlen, and its
 * Content-Length: in *clen (-1: none, or the block does not end with an
 * empty line, so that no body follows it at m->off + *hlen).  The fields
 * are walked once for both. */
static enum la_status read_head(struct mbox_reader *r, struct mbox_msg *m, size_t *hlen,
                                int64_t *clen, struct la_err *err)
{
	size_t at = r->pos;
	enum la_status s = want_bytes(r, &at, HEAD_MAX, err);
	if (s)
		return s;
	r->pos = at;
	size_t avail = r->len - r->pos;
	const char *h = r->buf + r->pos;
	struct hdr_iter it;
	struct hdr_field f;
	struct span cl = SPAN_NULL;
	hdr_iter_init(&it, h, avail < HEAD_MAX ? avail : HEAD_MAX);
	while (hdr_next(&it, &f))
		if (f.name.n == 14 && span_ieq(f.name, "content-length"))
			cl = f.value;
	size_t hl = (size_t)(it.body - h);
	if (hl == HEAD_MAX && avail > HEAD_MAX)
		m->flags |= MBOX_F_HEAD_TRUNC;
	memcpy(r->head, h, hl);
	m->head = r->head;
	m->head_len = hl;
	*hlen = hl;
	bool body_ok = !(m->flags & MBOX_F_HEAD_TRUNC) &&
	               ((hl >= 2 && h[hl - 1] == '\n' && h[hl - 2] == '\n') ||
	                (hl >= 3 && h[hl - 1] == '\n' && h[hl - 2] == '\r' && h[hl - 3] == '\n'));
	*clen = cl.p && body_ok ? length_value(cl) : -1;
	return LA_OK;
}

/* Where a message ends before the boundary at window offset e (absolute
 * endoff): the blank line before the next From_ line (or at EOF)
 * separates messages and is not part of the message. */
static uint64_t message_end(const struct mbox_reader *r, size_t e, uint64_t endoff, uint64_t off)
{
	if (e >= 2 && r->buf[e - 1] == '\n' && r->buf[e - 2] == '\n' && endoff - 1 > off)
		return endoff - 1;
	if (e >= 3 && r->buf[e - 1] == '\n' && r->buf[e - 2] == '\r' && r->buf[e - 3] == '\n' &&
	    endoff - 2 > off)
		return endoff - 2;
	return endoff;
}

/* Moves the window so that it starts at file offset off (ahead of it). */
static void jump_to(struct mbox_reader *r, uint64_t off)
{
	if (off >= r->base && off - r->base <= r->len) {
		r->pos = (size_t)(off - r->base);
		return;
	}
	r->base = off;
	r->len = r->pos = 0;
	r->eof = false;
}

static enum la_status mmdf_next(struct mbox_reader *r, struct mbox_msg *m, struct la_err *err);

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
	if (r->fmt == MBOX_FMT_MMDF)
		return mmdf_next(r, m, err);

	/* The From_ line of this message, if there is one. */
	size_t at = r->pos, n = 0;
	s = want_line(r, &at, &n, err);
	if (s)
		return s;
	r->pos = at;
	m->start = r->base + r->pos;
	bool spaced = false, known = r->found_at == m->start + 1;
	if (known) {
		m->date = r->found_date;
		spaced = r->found_spaced;
	}
	if (known || mbox_is_fromline(r->buf + r->pos, n, &m->date, &spaced)) {
		m->has_date = true;
		if (spaced)
			m->flags |= MBOX_F_SPACED_SENDER;
		if (placeholder_date(&m->date))
			m->flags |= MBOX_F_PLACEHOLDER;
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

	size_t hlen;
	int64_t clen;
	if ((s = read_head(r, m, &hlen, &clen, err)))
		return s;

	/* The next From_ line.  The message keeps at least its first line,
	 * so the search starts at the message itself. */
	size_t next = 0, sep;
	bool ok;
	s = find_next(r, r->pos, &next, &sep, &ok, err);
	if (s)
		return s;
	size_t e = ok ? next : r->len;
	uint64_t endoff = r->base + e;
	/* A Content-Length that reaches past a From_ line the scan found, to
	 * exactly where another message starts (or the end): the line was
	 * an unquoted body line of an mboxcl2 file, and the body goes on. */
	uint64_t target, after;
	bool at_end;
	if (clen >= 0 && ok && (uint64_t)clen <= UINT64_MAX - m->off - hlen &&
	    (target = m->off + hlen + (uint64_t)clen) > endoff &&
	    length_boundary(r, target, &after, &at_end)) {
		m->flags |= MBOX_F_CONTENT_LENGTH;
		m->len = target - m->off;
		m->end = after;
		if (at_end)
			m->flags |= MBOX_F_AT_EOF;
		jump_to(r, after);
		if (m->head_len > m->len)
			m->head_len = (size_t)m->len;
		return LA_OK;
	}
	m->end = endoff;
	uint64_t msgend = message_end(r, e, endoff, m->off);
	if (!ok)
		m->flags |= MBOX_F_AT_EOF;
	if (!ok && (e == 0 || r->buf[e - 1] != '\n'))
		m->flags |= MBOX_F_NO_NEWLINE;
	m->len = msgend > m->off ? msgend - m->off : 0;
	if (m->head_len > m->len)
		m->head_len = (size_t)m->len;
	r->pos = e;
	return LA_OK;
}

/* The next MMDF message: skips separators and whatever lies between a
 * closing separator and the next opening one, then takes the bytes up to
 * the closing separator (or the end). */
static enum la_status mmdf_next(struct mbox_reader *r, struct mbox_msg *m, struct la_err *err)
{
	enum la_status s;
	/* To the opening separator. */
	for (;;) {
		size_t at = r->pos;
		if ((s = want_bytes(r, &at, 8, err)))
			return s;
		r->pos = at;
		if (r->pos >= r->len)
			return LA_EOF;
		size_t k = mmdf_sep(r->buf + r->pos, r->len - r->pos, r->eof);
		if (k) {
			m->start = r->base + r->pos;
			r->pos += k;
			break;
		}
		if ((s = skip_line(r, err)))
			return s;
	}
	/* A second separator right after the first would open an empty
	 * message: separators come in pairs, so it is the opening one. */
	{
		size_t at = r->pos;
		if ((s = want_bytes(r, &at, 8, err)))
			return s;
		r->pos = at;
		size_t k = mmdf_sep(r->buf + r->pos, r->len - r->pos, r->eof);
		if (k) {
			m->start = r->base + r->pos;
			r->pos += k;
		}
	}
	/* A From_ line after the separator (some writers keep one) dates the
	 * message. */
	size_t at = r->pos, n = 0;
	if ((s = want_line(r, &at, &n, err)))
		return s;
	r->pos = at;
	if (mbox_is_fromline(r->buf + r->pos, n, &m->date, NULL)) {
		m->has_date = true;
		if (placeholder_date(&m->date))
			m->flags |= MBOX_F_PLACEHOLDER;
		if ((s = skip_line(r, err)))
			return s;
	}
	m->off = r->base + r->pos;
	size_t hlen;
	int64_t clen;
	if ((s = read_head(r, m, &hlen, &clen, err)))
		return s;
	/* The closing separator, at a line start (right after the opening
	 * one, whose line end is at r->pos - 1, for an empty message). */
	size_t next = 0, k = 0;
	bool ok;
	if ((s = find_next(r, r->pos - 1, &next, &k, &ok, err)))
		return s;
	if (!ok) {
		/* No closing separator: the message runs to the end. */
		m->flags |= MBOX_F_AT_EOF;
		m->len = r->base + r->len - m->off;
		m->end = r->base + r->len;
		if (r->len == 0 || r->buf[r->len - 1] != '\n')
			m->flags |= MBOX_F_NO_NEWLINE;
		r->pos = r->len;
	} else {
		m->len = r->base + next - m->off;
		m->end = r->base + next + k;
		r->pos = next + k;
		/* Nothing after it: the end. */
		size_t p = r->pos;
		if ((s = want_bytes(r, &p, 8, err)))
			return s;
		r->pos = p;
		if (r->pos >= r->len && r->eof)
			m->flags |= MBOX_F_AT_EOF;
	}
	if (m->head_len > m->len)
		m->head_len = (size_t)m->len;
	return LA_OK;
}

bool mbox_at_boundary(enum mbox_format fmt, const char *p, size_t n)
{
	if (fmt == MBOX_FMT_MMDF)
		return n >= 4 && memcmp(p, MMDF_SEP, 4) == 0;
	return n >= 5 && memcmp(p, "From ", 5) == 0;
}

/* Header fields that only mail has; one of them in a header block makes
 * a file a message. */
static bool mail_field(const char *p, size_t n)
{
	static const char *const known[] = {"from",
	                                    "to",
	                                    "cc",
	                                    "subject",
	                                    "date",
	                                    "message-id",
	                                    "received",
	                                    "return-path",
	                                    "delivered-to",
	                                    "mime-version",
	                                    "content-type",
	                                    "in-reply-to",
	                                    "references",
	                                    "sender",
	                                    "reply-to",
	                                    "x-mailer",
	                                    "user-agent",
	                                    "list-id",
	                                    "dkim-signature",
	                                    "envelope-to",
	                                    "x-original-to",
	                                    "authentication-results",
	                                    "arc-seal",
	                                    "content-transfer-encoding"};
	for (size_t i = 0; i < sizeof known / sizeof *known; i++)
		if (span_ieq(span_make(p, n), known[i]))
			return true;
	return false;
}

enum mbox_sniff mbox_sniff(const char *p, size_t n, bool whole)
{
	const char *end = p + n;
	if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	/* Leading blank lines are allowed (some exports start with one). */
	while (p < end && (*p == '\n' || *p == '\r' || is_blank(*p)))
		p++;
	if (p == end)
		return whole ? MBOX_SNIFF_EMPTY : MBOX_SNIFF_NONE;
	if (mmdf_sep(p, (size_t)(end - p), whole))
		return MBOX_SNIFF_MMDF;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *eol = nl ? nl : end;
	if (end - p >= 5 && memcmp(p, "From ", 5) == 0) {
		struct la_date d;
		bool spaced;
		/* A From_ line, or at least "From " and a header after it. */
		if (mbox_is_fromline(p, (size_t)(eol - p), &d, &spaced) && !spaced)
			return MBOX_SNIFF_MBOX;
		if (nl && starts_header(nl + 1, (size_t)(end - nl - 1)))
			return MBOX_SNIFF_MBOX;
		return MBOX_SNIFF_NONE;
	}
	/* A header block: fields (and their continuation lines) up to an
	 * empty line, one of them a mail field. */
	bool mail = false;
	unsigned fields = 0;
	for (const char *q = p; q < end;) {
		nl = memchr(q, '\n', (size_t)(end - q));
		eol = nl ? nl : end;
		const char *le = eol > q && eol[-1] == '\r' ? eol - 1 : eol;
		if (le == q) /* the empty line */
			return mail ? MBOX_SNIFF_MESSAGE : MBOX_SNIFF_NONE;
		if (is_blank(*q)) {
			if (fields == 0)
				return MBOX_SNIFF_NONE;
		} else {
			const char *c = q;
			while (c < le && (unsigned char)*c > 32 && (unsigned char)*c < 127 &&
			       *c != ':')
				c++;
			const char *name_end = c;
			while (c < le && is_blank(*c))
				c++;
			if (name_end == q || c >= le || *c != ':')
				return MBOX_SNIFF_NONE;
			fields++;
			mail = mail || mail_field(q, (size_t)(name_end - q));
		}
		if (!nl)
			break;
		q = nl + 1;
	}
	/* The header block runs to the end of what was looked at: a message
	 * of headers only, or a block longer than the look. */
	return mail && (whole || fields >= 2) ? MBOX_SNIFF_MESSAGE : MBOX_SNIFF_NONE;
}

void mbox_unquote(struct buf *out, const char *p, size_t n)
{
	/* Each quoted line holds ">From " where its run of '>' ends: found
	 * by mem2chr, not by a look at every line (a message page unquotes
	 * the whole message, and lines without it are nearly all). */
	size_t i = 0, run = 0;
	const char *q;
	while (n - i >= 6 && (q = mem2chr(p + i, n - i, '>', 'F'))) {
		size_t at = (size_t)(q - p), k = at;
		i = at + 1;
		if (n - at < 6 || memcmp(q, ">From ", 6) != 0)
			continue;
		while (k > 0 && p[k - 1] == '>')
			k--;
		if (k == 0 || p[k - 1] == '\n') {
			buf_add(out, p + run, k - run);
			run = k + 1; /* drop one '>' */
		}
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

void mbox_add_fromline(struct buf *out, const char *sender, int64_t ts)
{
	struct la_date d;
	date_from_unix(ts, &d);
	int64_t days = civil_to_days(d.year, d.mon, d.day);
	buf_printf(out, "From %s %s %s %2u %02u:%02u:%02u %04lld\n", sender,
	           civil_wday_abbr[civil_weekday(days)], civil_month_abbr[d.mon], d.day, d.hour,
	           d.min, d.sec, (long long)d.year);
}

void mbox_add_message(struct buf *out, const char *sender, int64_t ts, const char *msg, size_t n)
{
	mbox_add_fromline(out, sender, ts);
	mbox_quote(out, msg, n);
	if (n == 0 || msg[n - 1] != '\n')
		buf_addc(out, '\n');
	buf_addc(out, '\n');
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
