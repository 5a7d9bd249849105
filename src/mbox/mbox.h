/* mbox.h: find messages in an mbox file (mboxo, mboxrd, mboxcl, mboxcl2,
 * pipermail's month files) or an MMDF file, as byte offsets, reading the
 * file once with a bounded buffer; tell mail sources by their content;
 * decompress gzip, xz, bzip2 and zstd streams.
 *
 * A message of an mbox starts after a From_ line: a line "From SENDER
 * DATE" at the start of the file or after a line end, whose DATE parses
 * as an asctime date (date_parse_fromline).  SENDER is one token, or (as
 * pipermail writes it, "From jane at example.org  Tue Jan  3 20:23:02
 * 2006") several; a line of several must end with its date and be
 * followed by a header block (FROMLINE_TAIL_MAX, FROMLINE_FIELD_MAX).
 * These tests keep "From what I see..." in an mboxo body from splitting
 * a message.  Bytes before the first From_ line (an .eml given as an
 * mbox, say) form a message of their own.  A Content-Length: field that
 * leads exactly to the next From_ line (or the end) is followed over
 * unquoted From_ lines in its body (mboxcl2).
 *
 * An MMDF file's messages sit between lines of four ^A bytes. */
#ifndef LISTARC_MBOX_H
#define LISTARC_MBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "msg/date.h"
#include "util/buf.h"
#include "util/status.h"

enum {
	MBOX_F_NO_FROMLINE = 1 << 0,    /* bytes before the first From_ line */
	MBOX_F_HEAD_TRUNC = 1 << 1,     /* header block longer than HEAD_MAX */
	MBOX_F_NO_NEWLINE = 1 << 2,     /* last message without a final newline */
	MBOX_F_BAD_DATE = 1 << 3,       /* From_ line date unparsable (only for
	                                   the first line of a file) */
	MBOX_F_AT_EOF = 1 << 4,         /* the message ends at the end of the file */
	MBOX_F_SPACED_SENDER = 1 << 5,  /* the From_ line's sender has spaces
	                                   (pipermail: "jane at example.org"),
	                                   its date is the archive server's
	                                   local time */
	MBOX_F_PLACEHOLDER = 1 << 6,    /* the From_ line's date is a placeholder,
	                                   not a date: Thu Jan  1 00:00:00 1970
	                                   (public-inbox, lore, b4, lei, listarc's
	                                   own downloads) or Mon Sep 17 00:00:00
	                                   2001 (git format-patch) */
	MBOX_F_CONTENT_LENGTH = 1 << 7, /* its end came from Content-Length:
	                                   over a From_ line in its body */
};

enum mbox_format {
	MBOX_FMT_MBOX = 0, /* From_ lines (any mbox variant; also one bare message) */
	MBOX_FMT_MMDF = 1, /* ^A^A^A^A lines around each message */
};

struct mbox_msg {
	uint64_t start; /* offset of the From_ line or MMDF separator
	                   (= off if none) */
	uint64_t off;   /* offset of the first header byte */
	uint64_t len;   /* message bytes from off, without the blank line
	                   that separates it from the next From_ line (or
	                   the MMDF separator) */
	uint64_t end;   /* offset of the next message's From_ line (or
	                   separator), or of the end */
	bool has_date;
	struct la_date date; /* From_ line date, as written */
	const char *head;    /* header block (up to HEAD_MAX), owned by the */
	size_t head_len;     /* reader, valid until the next mbox_next */
	unsigned flags;
};

struct mbox_reader;

/* Starts reading fd (opened read-only by the caller, who keeps owning it)
 * at byte start, which must be 0 or the offset of a message's From_ line
 * (MMDF: its separator), up to byte limit (UINT64_MAX: the end of the
 * file), as format fmt.  Returns NULL only if memory runs out. */
struct mbox_reader *mbox_reader_new(int fd, uint64_t start, uint64_t limit, enum mbox_format fmt);
void mbox_reader_free(struct mbox_reader *r);

/* For a file that another thread is still writing (a decompressed copy):
 * before reading past what it has, the reader calls avail(arg, want,
 * &ended), which returns how many bytes of the file are written, after
 * waiting until there are at least want of them or the writer has ended
 * (then *ended is set and nothing more will come).  The end of what is
 * written, once ended, is the end of the file. */
void mbox_reader_follow(struct mbox_reader *r,
                        uint64_t (*avail)(void *arg, uint64_t want, bool *ended), void *arg);

/* Asks the kernel to drop the file's pages behind the reader from its
 * page cache (POSIX_FADV_DONTNEED, for the clean pages no one maps), in
 * steps of at least every bytes (0, the default: never), each from and
 * to a multiple of 2 MB (of a page if every is less).  For a span
 * read once that is large beside the memory: its pages, kept, would
 * push out the index's, which the writer reads back at random
 * (ingest.c, drop_behind_every). */
void mbox_reader_drop_behind(struct mbox_reader *r, uint64_t every);

/* Reads the next message into m.  Returns LA_OK, LA_EOF at the end of
 * the file, or LA_EIO (detail in err, naming the offset). */
LA_MUST_CHECK enum la_status mbox_next(struct mbox_reader *r, struct mbox_msg *m,
                                       struct la_err *err);

/* Total bytes read so far (for progress). */
uint64_t mbox_reader_pos(const struct mbox_reader *r);

/* True if line[0..n) (without its newline) is a From_ line as far as the
 * line alone can tell; fills d.  *spaced (may be NULL) is set if its
 * sender has spaces: then only a header block after it makes it one. */
bool mbox_is_fromline(const char *line, size_t n, struct la_date *d, bool *spaced);

/* The length of the line ends and the From_ line that a public-inbox blob
 * p[0..n) begins with (some writers kept a message's mbox From_ line, or
 * git format-patch's "From <sha> Mon Sep 17 00:00:00 2001", in the blob):
 * what public-inbox itself strips when it reads a blob, /\A[\r\n]*From
 * [^\r\n]*\r?\n/, and what an mbox holding the same mail has as its
 * separator.  0 if there is none, or nothing after it.  Only p[0..n) is
 * read (pass the header bytes).  *dated is set, and d filled, if the line
 * is a From_ line with a date that is not a placeholder: the delivery
 * date, as the mbox path takes it. */
size_t mbox_leading_fromline(const char *p, size_t n, struct la_date *d, bool *dated);

/* True if p[0..n) begins what a message of format fmt begins with where
 * an earlier one ended: "From " (mbox), ^A^A^A^A and a line end (MMDF). */
bool mbox_at_boundary(enum mbox_format fmt, const char *p, size_t n);

/* What the first bytes of a file are (p[0..n): at most SNIFF_MAX of
 * them, whole set if they are the whole file).  Content decides, never
 * the file name. */
enum mbox_sniff {
	MBOX_SNIFF_NONE,    /* not mail (binary, text, a password file...) */
	MBOX_SNIFF_EMPTY,   /* nothing but whitespace */
	MBOX_SNIFF_MBOX,    /* starts with a From_ line */
	MBOX_SNIFF_MMDF,    /* starts with ^A^A^A^A */
	MBOX_SNIFF_MESSAGE, /* one message: a header block of mail fields,
	                       ended by an empty line (or the end) */
};
enum mbox_sniff mbox_sniff(const char *p, size_t n, bool whole);

/* Appends p[0..n) to out with one level of mboxrd quoting removed:
 * a line ">From ", ">>From ", ... loses its first '>'. */
void mbox_unquote(struct buf *out, const char *p, size_t n);

/* Appends p[0..n) to out with mboxrd quoting added (the inverse). */
void mbox_quote(struct buf *out, const char *p, size_t n);

/* Appends a From_ line to out: "From SENDER Www Mmm dd hh:mm:ss yyyy\n",
 * ts in UTC in asctime's layout (what mbox readers and mbox_is_fromline
 * take).  sender is written as given: the caller makes it one token of
 * printable ASCII. */
void mbox_add_fromline(struct buf *out, const char *sender, int64_t ts);

/* Appends msg[0..n) to out as one mboxrd entry: its From_ line (as
 * mbox_add_fromline), the message quoted (mbox_quote), a newline if it
 * lacks one, and the blank line that ends it. */
void mbox_add_message(struct buf *out, const char *sender, int64_t ts, const char *msg, size_t n);

/* Opens subdirectory sub ("cur" or "new") of the maildir at path, never
 * through a symbolic link: a maildir is mail, not a way into the rest of
 * the disk.  Returns a directory descriptor the caller closes, or -1 with
 * errno (ELOOP or ENOTDIR if sub is a link). */
int maildir_open_sub(const char *path, const char *sub);

/* ---- compressed files (unpack.c) ---- */

enum unpack_kind { UNPACK_NONE = 0, UNPACK_GZIP, UNPACK_XZ, UNPACK_BZIP2, UNPACK_ZSTD };

/* The compression of a file whose first bytes are p[0..n) (its magic
 * number; 6 bytes suffice), or UNPACK_NONE. */
enum unpack_kind unpack_detect(const void *p, size_t n);
/* "gzip", "xz", "bzip2", "zstd" (or "none"). */
const char *unpack_name(enum unpack_kind k);

struct unpack;

/* A decompressor reading fd (the caller's, read from its current offset
 * on with read()) as kind k.  Concatenated streams (gzip members, xz
 * streams, bzip2 streams, zstd frames) are read as one.  NULL if memory
 * runs out. */
struct unpack *unpack_new(int fd, enum unpack_kind k);
void unpack_free(struct unpack *u);

/* Decompresses up to n bytes into out; *got is how many.  Returns LA_OK
 * (*got > 0), LA_EOF at the clean end of the data (*got == 0), LA_ECHANGED
 * if the data ends inside a stream (a file still being written or cut
 * short: what came before is good), LA_EINVAL if it is corrupt, LA_EIO
 * (err says which, with the offset in the compressed file). */
LA_MUST_CHECK enum la_status unpack_read(struct unpack *u, void *out, size_t n, size_t *got,
                                         struct la_err *err);

#endif
