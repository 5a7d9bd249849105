/* series.h: what a subject says of a patch series ("[PATCH v3 2/5] x:
 * y"), and the b4 change-id: of a cover letter.  docs/series.md gives the
 * rules and where they fail. */
#ifndef LISTARC_MSG_SERIES_H
#define LISTARC_MSG_SERIES_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

enum {
	MSG_SERIES_RFC = 1 << 0,    /* RFC, RFC PATCH, [RFC][PATCH] */
	MSG_SERIES_RESEND = 1 << 1, /* RESEND */
	MSG_SERIES_REPLY = 1 << 2,  /* the subject starts with Re:, Fwd: (not a patch) */
};

/* A patch subject's prefix.  version is 1 when none is written; part and
 * total are 1/1 for a patch without a count ("[PATCH] x", a series of
 * one), part 0 is a cover letter.  name is the subject after the last
 * prefix group (borrowed: offset and length into the subject given),
 * trimmed; tag the words of the group that are none of the above
 * ("net-next", "bpf"), space-separated, cut to MSG_SERIES_TAG_MAX. */
#define MSG_SERIES_TAG_MAX 63
struct msg_series_subject {
	bool patch; /* false: not a patch subject (and nothing else is set) */
	unsigned flags;
	unsigned version, part, total;
	size_t name_off, name_len;
	char tag[MSG_SERIES_TAG_MAX + 1];
};

/* Reads the subject s[0..n) (decoded, as the index stores it).  Returns
 * true for a patch or cover letter: a bracketed group with a word
 * starting "PATCH" (PATCH, PATCHv2, PATCHES), or with "RFC" and a count
 * m/n, possibly after other groups ("[notmuch] [PATCH 1/2]",
 * "[RFC][PATCH 01/10]"); a subject starting Re:/Fwd: is a reply
 * (MSG_SERIES_REPLY set, patch false).  A count with m > n, n = 0 or
 * n > SERIES_PATCHES_MAX, or a version over SERIES_VERSION_MAX is no
 * patch subject.  Reads at most n bytes. */
bool msg_series_parse(const char *s, size_t n, struct msg_series_subject *out);

/* b4's "change-id: YYYYMMDD-words-hex" line in a message's text
 * t[0..n) (a line of its own, as b4 writes it under the cover letter's
 * "---"): copied into out (cap bytes, NUL-terminated) and true; false if
 * there is none or it is longer than cap - 1 or has other characters
 * than [A-Za-z0-9._-]. */
bool msg_series_change_id(const char *t, size_t n, char *out, size_t cap);

/* Review trailers as a reply gives them, one a line of its own
 * (not quoted with '>'): "Reviewed-by: Jane Doe <jane@example.org>".
 * The key is matched without regard to case; the value is trimmed, and
 * one over MSG_TRAILER_MAX bytes or empty is skipped. */
enum msg_trailer_kind {
	MSG_TRAILER_REVIEWED,
	MSG_TRAILER_ACKED,
	MSG_TRAILER_TESTED,
	MSG_TRAILER_REPORTED,
	MSG_TRAILER_KINDS
};
#define MSG_TRAILER_MAX 512
/* "Reviewed-by", "Acked-by", "Tested-by", "Reported-by". */
extern const char *const msg_trailer_names[MSG_TRAILER_KINDS];
/* Calls fn for each trailer line of t[0..n), in order, with the value
 * v[0..vn) (borrowed from t), until fn returns false.  Returns how many
 * were passed. */
size_t msg_series_trailers(const char *t, size_t n,
                           bool (*fn)(enum msg_trailer_kind k, const char *v, size_t vn, void *arg),
                           void *arg);

/* Appends the patch text body[0..n) to out with the trailer lines
 * add[0..nadd) ("Key: value", without a line end) put at the end of its
 * commit message: the text before the first line that is "---" or starts
 * "diff --git " (else the whole text).  They go right after the message's
 * last paragraph when every line of it is a trailer ("Key: value", the
 * key letters, digits and '-', or a continuation starting with a space),
 * else after a blank line, as git interpret-trailers and b4 put them.  A
 * line the message already has (compared without regard to case), or
 * one given twice, is added once at most.  Errors stick in out->err. */
void msg_series_add_trailers(struct buf *out, const char *body, size_t n, const char *const *add,
                             size_t nadd);

#endif
