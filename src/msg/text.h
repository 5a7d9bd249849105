/* text.h: the searchable text of a message: addressees, body text split
 * into quoted and non-quoted lines, the file names a patch in it touches
 * and the other parts of its diffs, attachment names, List-Id, and the
 * patch ids of its patches.  Text parts are decoded (transfer encoding,
 * charset, HTML as text); other attachments give only their names. */
#ifndef LISTARC_MSG_TEXT_H
#define LISTARC_MSG_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "limits.h"
#include "msg/patchid.h"
#include "util/buf.h"

struct stemmer;

struct msg_text {
	struct buf to, cc; /* decoded To: and Cc: */
	struct buf nq;     /* body lines not starting with '>' */
	struct buf q;      /* quoted body lines, without the '>' */
	struct buf dfn;    /* file names from diff headers, space-separated */
	/* The parts of the diffs in the non-quoted text (lore's prefixes),
	 * one line each, without their first character: removed lines
	 * (dfa), added lines (dfb), context lines (dfctx), the text after
	 * a hunk header's "@@" (dfhh, usually a function); and the blob ids
	 * of "index A..B" lines (dfpre A, dfpost B), space-separated. */
	struct buf dfa, dfb, dfctx, dfhh, dfpre, dfpost;
	/* The English stems of dfhh's words (util/stem.h), made as the
	 * hunk headers are read (NULL until the first one), or the one
	 * msg_text_lend_stemmer gave (stemmer_lent: not freed here). */
	struct stemmer *stemmer;
	bool stemmer_lent;
	/* The lines of nq that are not in dfa, dfb or dfctx: nq where the
	 * search index has those columns (so that diffs are indexed once). */
	struct buf nqrest;
	struct buf names; /* file names of attachments (any part with one), one a line */
	/* List-Id: each id (inside <>, lowercased), then its msg_lid_token,
	 * one id a line. */
	struct buf lid;
	/* `git patch-id --stable` of every patch in a text part, at most
	 * PATCHIDS_MAX, without repeats. */
	char patchids[PATCHIDS_MAX][PATCHID_HEX + 1];
	size_t npatchids;
	/* Set by the caller for the words alone (a search result's snippet
	 * reads nq and q): the diffs' parts, file names and patch ids are
	 * left empty, at a third less of the work. */
	bool words_only;
	/* Set by tests (tests/drv_text.c, fuzz_text) for the reference
	 * they compare with: every message that is not one plain text
	 * part in 7bit or 8bit is read by GMime's parser from its whole
	 * header block, as before the paths that give the same text with
	 * less of GMime (text.c: encoded_plain, the Content-* fields). */
	bool gmime_whole;
};

/* Between two lines of dfa, dfb, dfctx and dfhh: a word of its own to
 * the search index's tokenizer (U+E000, a private-use character, which
 * no text has), so that a phrase never runs from the end of one line
 * into the start of the next (public-inbox indexes each diff line on
 * its own, with a gap in the positions after it). */
#define MSG_LINE_BREAK "\xEE\x80\x80"
/* Before each distinct English stem of the hunk headers' words, which
 * dfhh holds after their line (U+E001): dfhh: finds a word by its stem
 * as lore's does, "dfhh:pages" finds "page_alloc(struct page *page)",
 * without a column of stems of its own (search/query.c). */
#define MSG_STEM_MARK "\xEE\x80\x81"

/* The token that stands for a whole List-Id id (lowercased, without
 * <>) in the search index, so that lid: matches the whole id and only
 * it: "lid" and 16 hex digits of its hash. */
#define MSG_LID_TOKEN_LEN 19
void msg_lid_token(const char *id, size_t n, char out[MSG_LID_TOKEN_LEN + 1]);

/* Sets up the buffers (bounded by SEARCH_TEXT_MAX together). */
void msg_text_init(struct msg_text *t);
void msg_text_free(struct msg_text *t);
/* t stems with s, which the caller keeps (and frees) after t is freed,
 * rather than with a stemmer of its own: the texts that one thread
 * fills in turn (a reader's ring of slots) share one, since a stemmer
 * is ~0.8 MB (its cache) and is reset at each message anyway. */
void msg_text_lend_stemmer(struct msg_text *t, struct stemmer *s);

/* Fills t (emptied first) from the raw message msg[0..n) (mboxrd quoting
 * already undone).  Never fails: what cannot be decoded is skipped. */
void msg_text_extract(struct msg_text *t, const char *msg, size_t n);

#endif
