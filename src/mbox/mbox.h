/* mbox.h: find messages in an mbox file (mboxo or mboxrd) or a maildir,
 * as byte offsets, reading the file once with a bounded buffer.
 *
 * A message starts after a From_ line: a line "From SENDER DATE" at the
 * start of the file or after a line end, whose DATE parses as an asctime
 * date (date_parse_fromline).  That test keeps "From what I see..." in an
 * mboxo body from splitting a message.  Bytes before the first From_ line
 * (an .eml given as an mbox, say) form a message of their own. */
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
	MBOX_F_NO_FROMLINE = 1 << 0, /* bytes before the first From_ line */
	MBOX_F_HEAD_TRUNC = 1 << 1,  /* header block longer than HEAD_MAX */
	MBOX_F_NO_NEWLINE = 1 << 2,  /* last message without a final newline */
	MBOX_F_BAD_DATE = 1 << 3,    /* From_ line date unparsable (only for
	                                the first line of a file) */
	MBOX_F_AT_EOF = 1 << 4,      /* the message ends at the end of the file */
};

struct mbox_msg {
	uint64_t start;     /* offset of the From_ line (= off if none) */
	uint64_t off;       /* offset of the first header byte */
	uint64_t len;       /* message bytes from off, without the blank line
	                       that separates it from the next From_ line */
	uint64_t end;       /* offset of the next From_ line, or of EOF */
	bool has_date;
	struct la_date date; /* From_ line date, as written */
	const char *head;   /* header block (up to HEAD_MAX), owned by the */
	size_t head_len;    /* reader, valid until the next mbox_next */
	unsigned flags;
};

struct mbox_reader;

/* Starts reading fd (opened read-only by the caller, who keeps owning it)
 * at byte start, which must be 0 or the offset of a From_ line.
 * Returns NULL only if memory runs out. */
struct mbox_reader *mbox_reader_new(int fd, uint64_t start);
void mbox_reader_free(struct mbox_reader *r);

/* Reads the next message into m.  Returns LA_OK, LA_EOF at the end of
 * the file, or LA_EIO (detail in err, naming the offset). */
enum la_status mbox_next(struct mbox_reader *r, struct mbox_msg *m, struct la_err *err);

/* Total bytes read so far (for progress). */
uint64_t mbox_reader_pos(const struct mbox_reader *r);

/* True if line[0..n) (without its newline) is a From_ line; fills d. */
bool mbox_is_fromline(const char *line, size_t n, struct la_date *d);

/* Appends p[0..n) to out with one level of mboxrd quoting removed:
 * a line ">From ", ">>From ", ... loses its first '>'. */
void mbox_unquote(struct buf *out, const char *p, size_t n);

/* Appends p[0..n) to out with mboxrd quoting added (the inverse). */
void mbox_quote(struct buf *out, const char *p, size_t n);

/* Opens subdirectory sub ("cur" or "new") of the maildir at path, never
 * through a symbolic link: a maildir is mail, not a way into the rest of
 * the disk.  Returns a directory descriptor the caller closes, or -1 with
 * errno (ELOOP or ENOTDIR if sub is a link). */
int maildir_open_sub(const char *path, const char *sub);

#endif
