/* mime.h: a message's MIME tree, walked for display: text parts decoded
 * to UTF-8, everything else listed as attachments numbered 1, 2, ... in
 * tree order (the K of /LIST/YYYY/MM/DD/N/K).  GMime does the parsing. */
#ifndef LISTARC_MIME_H
#define LISTARC_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/status.h"

struct mime_msg;

/* Parses a message from memory.  Takes ownership of data (malloc'd),
 * which must stay unchanged; frees it on failure too.  LA_ETOOBIG for a
 * message with more boundary lines than MIME_BOUNDARIES_MAX. */
LA_MUST_CHECK enum la_status mime_open_mem(struct mime_msg **out, char *data, size_t len);
/* Parses a message from bytes [off, off+len) of fd without reading it
 * into memory (for very large messages).  fd is duplicated. */
LA_MUST_CHECK enum la_status mime_open_fd(struct mime_msg **out, int fd, uint64_t off,
                                          uint64_t len);
void mime_free(struct mime_msg *m);
/* Was m opened as a plain message (one text/plain part, read without
 * GMime's tree, mime.c)?  Such a message has no attachments and its
 * reply addresses come from its header alone. */
bool mime_is_plain(const struct mime_msg *m);

enum mime_block_kind {
	MB_TEXT,       /* text to show inline */
	MB_ATTACHMENT, /* a part shown as a link */
	MB_SKIPPED,    /* an alternative not shown ("Content of type X skipped") */
	MB_NOTE,       /* a remark of ours (limits hit, nothing decodable) */
	MB_MESSAGE,    /* start of an embedded message: text holds its headers */
};

struct mime_block {
	enum mime_block_kind kind;
	const char *text; /* MB_TEXT, MB_NOTE, MB_MESSAGE: UTF-8 */
	size_t len;
	int k;                /* MB_ATTACHMENT: its number, from 1 */
	const char *type;     /* media type, lowercase, "type/subtype" */
	const char *filename; /* decoded file name or NULL */
	uint64_t size;        /* MB_ATTACHMENT: decoded size in bytes */
	bool size_exact;      /* false: an estimate (big parts are not decoded to count) */
	bool is_text;         /* MB_ATTACHMENT: a text type (viewable) */
	bool shown_inline;    /* MB_ATTACHMENT: its content is shown next */
	/* MB_ATTACHMENT: the number lore gives the part ("2", "4.1.2": the
	 * N of /LIST/MSGID/N-NAME, mime_part_open's idx), or "" if it has
	 * none (an embedded message at the top of the message). */
	const char *idx;
};

/* Calls fn for each block in order.  Text shown is capped at
 * TEXT_SHOW_MAX bytes (a note says what was cut). */
LA_MUST_CHECK enum la_status mime_walk(struct mime_msg *m,
                                       void (*fn)(const struct mime_block *b, void *arg),
                                       void *arg);

/* Attachment k: fills info (type, filename, size; strings valid until
 * mime_free) and appends its decoded bytes to out, at most max bytes
 * (LA_ETOOBIG beyond).  LA_ENOTFOUND if there is no attachment k. */
LA_MUST_CHECK enum la_status mime_attachment(struct mime_msg *m, int k, struct mime_block *info,
                                             struct buf *out, size_t max);

/* Attachment k as a stream, for attachments too big to hold in memory:
 * fills info as mime_attachment does (size 0: not known before the end)
 * and *out with a reader of its decoded bytes, which must not outlive m.
 * LA_ENOTFOUND if there is no attachment k. */
struct mime_reader;
LA_MUST_CHECK enum la_status mime_attachment_open(struct mime_msg *m, int k,
                                                  struct mime_block *info,
                                                  struct mime_reader **out);
/* Appends up to n decoded bytes to out; sets *done at the end.  Returns
 * LA_OK, LA_EIO if the bytes cannot be read, or out's error. */
LA_MUST_CHECK enum la_status mime_reader_read(struct mime_reader *rd, struct buf *out, size_t n,
                                              bool *done);
void mime_reader_free(struct mime_reader *rd);

/* The MIME part lore numbers idx ("2", "1.2": public-inbox's each_part,
 * the N of lore's /LIST/MSGID/N-NAME), any leaf, text bodies too: fills
 * info and *out as mime_attachment_open does.  LA_ENOTFOUND if there is
 * no such part. */
LA_MUST_CHECK enum la_status mime_part_open(struct mime_msg *m, const char *idx,
                                            struct mime_block *info, struct mime_reader **out);
/* The charset parameter of the part mime_part_open opened last ("" if
 * none). */
const char *mime_part_charset(struct mime_msg *m);

/* The addresses of the header block head[0..n) that a reply goes to, in
 * lore's order: From, To, Cc, Reply-To (members of groups too), each
 * passed to fn (valid for the call), REPLY_ADDRS_MAX at most.  LA_EINVAL
 * if GMime makes no message of it. */
LA_MUST_CHECK enum la_status mime_reply_addrs(const char *head, size_t n,
                                              void (*fn)(const char *addr, void *arg), void *arg);

/* The same addresses, from the header of the message m was opened with
 * (one parse for the page and its reply block). */
void mime_msg_reply_addrs(struct mime_msg *m, void (*fn)(const char *addr, void *arg), void *arg);

/* The charset parameter of attachment k ("" if none), for serving text
 * attachments with their own charset. */
const char *mime_attachment_charset(struct mime_msg *m, int k);

#endif
