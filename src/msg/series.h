/* series.h: what a subject says of a patch series ("[PATCH v3 2/5] x:
 * y"), and the b4 change-id: of a cover letter.  docs/series.md gives the
 * rules and where they fail. */
#ifndef LISTARC_MSG_SERIES_H
#define LISTARC_MSG_SERIES_H

#include <stdbool.h>
#include <stddef.h>

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

#endif
