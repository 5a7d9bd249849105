/* msg.h: one message's identity and index fields, read from its raw
 * header block without a full MIME parse (the indexer's fast path), and
 * the header decoding shared with the renderer. */
#ifndef LISTARC_MSG_H
#define LISTARC_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limits.h"
#include "msg/date.h"
#include "util/buf.h"
#include "util/span.h"

enum {
	MSG_F_HEAD_TRUNC = 1 << 0, /* header block cut at HEAD_MAX */
	MSG_F_NO_MSGID = 1 << 1,   /* no usable Message-ID: one was made up */
	MSG_F_REFS_TRUNC = 1 << 2, /* References cut to REFS_MAX */
	MSG_F_NO_DATE = 1 << 3,    /* no parsable Date: */
	MSG_F_LONG_MSGID = 1 << 4, /* Message-ID over MSGID_MAX, replaced by a hash */
	MSG_F_PIPERMAIL = 1 << 5,  /* From: hidden as Mailman 2's archives write
	                              it ("jane at example.org (Jane)") */
};

/* What the index needs of a message.  Fixed-size, so one summary can be
 * reused for every message of a run without allocating.  All strings are
 * NUL-terminated valid UTF-8. */
struct msg_summary {
	char msgid[MSGID_MAX + 1];          /* without <>; "" if none */
	char parent[MSGID_MAX + 1];         /* chosen parent id; "" if none */
	char refs[REFS_MAX][MSGID_MAX + 1]; /* References, then In-Reply-To ids */
	unsigned nrefs;
	char subject[SUBJECT_MAX + 1]; /* decoded, whitespace collapsed */
	char from_name[NAME_MAX_BYTES + 1];
	char from_addr[ADDR_MAX + 1];
	bool has_date, has_received;
	struct la_date date;     /* Date:, as written */
	struct la_date received; /* date of the first (topmost) Received: */
	unsigned flags;
};

/* Fills s from the header block at head[0..n).  Never fails: missing or
 * broken fields leave their members empty and set a flag.  A message with
 * no Message-ID gets "" here; the indexer makes one up from its bytes. */
void msg_summary_parse(struct msg_summary *s, const char *head, size_t n);

/* Drops from s's references every Message-ID drop(id, arg) says is no
 * message (a thread-break list); a parent dropped is replaced by the last
 * reference left ("" if none). */
void msg_summary_drop_refs(struct msg_summary *s, bool (*drop)(const char *id, void *arg),
                           void *arg);

/* The Message-ID of a message without one: a hash of its header block
 * head[0..hlen) (as hdr_block_len finds it in the message's first HEAD_MAX
 * bytes) and of its length, "nomid-<16 hex>@listarc.invalid", so that it
 * is the same in every rebuild.  out: n bytes, 64 are enough. */
void msg_made_up_id(char *out, size_t n, const char *head, size_t hlen, uint64_t len);

/* The Message-ID the index keys a message by: the one msg_summary_parse
 * finds in its header block, else msg_made_up_id's.  p[0..n) are the
 * message's first bytes as its source holds them (mboxrd quoting and
 * all), at least min(len, HEAD_MAX) of them; len is its whole length.
 * The indexer finds the same id in the same bytes, so a reader can tell
 * whether a file still holds, at an offset, the message indexed there.
 * out holds MSGID_MAX + 1 bytes. */
void msg_index_id(const char *p, size_t n, uint64_t len, char *out);

/* Message-IDs in a References/In-Reply-To value, in order: each <...>
 * token (whitespace inside removed); if the value has none, bare tokens
 * that contain '@'.  Calls fn for each, stopping if fn returns false.
 * IDs longer than MSGID_MAX are passed hashed (see msgid_normalize). */
void msgid_each(struct span value, bool (*fn)(const char *id, size_t n, void *arg), void *arg);

/* The Message-ID of a Message-ID: header value into out (MSGID_MAX+1
 * bytes).  Returns false if there is none. */
bool msgid_from_header(struct span value, char *out, unsigned *flags);

/* Copies id into out (MSGID_MAX+1 bytes): ids that are too long or not
 * valid UTF-8 become "hash-<16 hex>@listarc.invalid" so they still match
 * each other.  Returns false for an empty id. */
bool msgid_normalize(const char *id, size_t n, char *out, unsigned *flags);

/* The index's text for the Message-ID id (without its <>), as a header
 * "<id>" would give it: whitespace dropped, then msgid_normalize (a hash
 * for one too long or not UTF-8).  For lookups by an ID a user gives.
 * Returns false for an empty id. */
bool msgid_from_text(const char *id, size_t n, char *out);

/* The words of a Message-ID as the index keeps them for m: (store's
 * mid_words, search/query.c): runs of ASCII letters, digits and '_',
 * ASCII-lowercased, every other byte a separator; a word is kept to its
 * first MSGID_WORD_MAX bytes.  From *at in id[0..n): the next word into
 * out (NUL-terminated), *at past it; returns its whole length (more than
 * MSGID_WORD_MAX when it was cut), 0 when there is none. */
#define MSGID_WORD_MAX 64
size_t msgid_word_next(const char *id, size_t n, size_t *at, char out[MSGID_WORD_MAX + 1]);

/* Appends the decoded (RFC 2047) form of a raw header value to out as
 * valid UTF-8.  Folding is kept when keep_folding is true (for the header
 * block of a page), else every whitespace run becomes one space and the
 * ends are trimmed (for subjects and names).  Raw 8-bit bytes are read as
 * UTF-8 where valid, else as windows-1252. */
void msg_decode_header(struct buf *out, struct span raw, bool keep_folding);

/* Splits a From:-style value into display name and address (first
 * address only), both decoded.  Either may come back empty. */
void msg_parse_from(struct span raw, struct buf *name, struct buf *addr);

/* The value of parameter name (ASCII case-insensitive) of a raw
 * structured header value (Content-Type, Content-Disposition) appended to
 * out as UTF-8: a quoted string or token (RFC 2047 words in it decoded,
 * raw 8-bit read as msg_decode_header does), RFC 2231 continuations
 * (name*0, name*1* ...) joined, and name*=charset'lang'%XX decoded in
 * its charset through the same table as bodies.  Line breaks and NULs
 * become spaces.  Returns false if the parameter is not there. */
bool msg_header_param(struct buf *out, struct span raw, const char *name);

/* Appends to out the UTF-8 form of p[0..n) in charset (a MIME charset
 * name; NULL or unknown means: UTF-8 if valid, else windows-1252).
 * Invalid input bytes become U+FFFD.  Never fails (but out may hit its
 * cap). */
void msg_to_utf8(struct buf *out, const char *p, size_t n, const char *charset);

/* True if p[0..n) has more MIME boundary lines ("--x...") than
 * MIME_BOUNDARIES_MAX: GMime would build every part in memory (a 700 KB
 * message of 100,000 empty parts takes 140 MB), so such a message is not
 * parsed as MIME.  Reads at most n bytes, stops at the bound. */
bool msg_mime_too_many_parts(const char *p, size_t n);

/* Must be called once before msg_decode_header or the MIME functions
 * (it calls g_mime_init). */
void msg_library_init(void);

#endif
