/* ftsrow.h: a message's row of the search index as its INSERT binds it:
 * the columns' texts CJK-spaced (util/cjk.h) and folded (util/fold.h),
 * then the stems of six of them (util/stem.h), for the form of search
 * index the store has.  Made by ingest's reader thread beside its parse
 * (store/ only hands the bytes over), or by the store's search thread
 * from the texts it was given; the same bytes either way. */
#ifndef LISTARC_MSG_FTSROW_H
#define LISTARC_MSG_FTSROW_H

#include <stddef.h>

#include "limits.h"
#include "util/buf.h"

struct msg_text;
struct stemmer;

/* Which search index a row is made for (store/: st->fts_lore,
 * st->fts_stems). */
enum msg_fts_cols {
	MSG_FTS_NONE = 0, /* none: no row prepared */
	MSG_FTS_OLD,      /* the 7 columns of the first index, as given */
	MSG_FTS_LORE,     /* lore's 15 columns, CJK characters spaced */
	MSG_FTS_STEMS,    /* and letters folded, and 6 columns of stems */
};
/* The most texts a row has (msg_fts_texts). */
#define MSG_FTS_TEXTS 15
/* The most a prepared row holds (msg_fts_row), and the bound of the
 * stems' scratch (msg_fts_prepare): the longest texts of a message
 * (SEARCH_TEXT_MAX each), spaced and stemmed, fit. */
#define MSG_FTS_ROW_MAX ((size_t)16 << 20)
/* The room of the sender's text, "name addr" (msg_fts_from). */
#define MSG_FTS_FROM_MAX (NAME_MAX_BYTES + ADDR_MAX + 2)

/* The sender as the from column holds it: "name addr", cut to
 * MSG_FTS_FROM_MAX - 1 bytes. */
void msg_fts_from(char out[MSG_FTS_FROM_MAX], const char *name, const char *addr);

/* The texts of a row's columns, in the INSERT's order, into p and n
 * (spans borrowed from subject, from and t; NULL subject or from is
 * ""): subject, from, to, cc, nq (nqrest with lore's columns: the diffs'
 * lines are in dfa, dfb, dfctx), q, dfn, then with lore's columns dfa,
 * dfb, dfctx, dfhh, dfpre, dfpost, names, lid.  Returns their count (7
 * or MSG_FTS_TEXTS). */
int msg_fts_texts(enum msg_fts_cols cols, const char *subject, const char *from,
                  const struct msg_text *t, const char *p[MSG_FTS_TEXTS], size_t n[MSG_FTS_TEXTS]);

/* Appends to out a row's parameters after its id, made from the texts
 * p[i][0..n[i]) of msg_fts_texts: each text (with lore's columns its CJK
 * characters spaced, with the stems its letters folded), then with the
 * stems the distinct stems of subject, nq, q, dfa, dfb, dfctx; each with
 * its length first (4 bytes, host order).  s (NULL without the stems)
 * and scratch are the caller's, reused from row to row.  Out of memory
 * or room: out->err. */
void msg_fts_prepare(struct buf *out, struct buf *scratch, struct stemmer *s,
                     enum msg_fts_cols cols, const char *const *p, const size_t *n);

/* A row prepared ahead of the store (ingest's reader thread, a slot
 * each): its parameters (b) and the form they were made for (cols;
 * NONE: none, the store is handed the texts). */
struct msg_fts_row {
	struct buf b;
	enum msg_fts_cols cols;
};
void msg_fts_row_init(struct msg_fts_row *r);
void msg_fts_row_free(struct msg_fts_row *r);
/* r made anew (msg_fts_texts, msg_fts_prepare) for cols from subject,
 * the sender's name and address, and t; r->cols is MSG_FTS_NONE if it
 * could not be (memory, or a row over its bound). */
void msg_fts_row_make(struct msg_fts_row *r, struct buf *scratch, struct stemmer *s,
                      enum msg_fts_cols cols, const char *subject, const char *from_name,
                      const char *from_addr, const struct msg_text *t);

#endif
