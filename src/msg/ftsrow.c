/* ftsrow.c: a message's row of the search index, prepared (ftsrow.h). */
#include "msg/ftsrow.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg/text.h"
#include "util/cjk.h"
#include "util/fold.h"
#include "util/stem.h"

void msg_fts_from(char out[MSG_FTS_FROM_MAX], const char *name, const char *addr)
{
	snprintf(out, MSG_FTS_FROM_MAX, "%s %s", name, addr);
}

int msg_fts_texts(enum msg_fts_cols cols, const char *subject, const char *from,
                  const struct msg_text *t, const char *p[MSG_FTS_TEXTS], size_t n[MSG_FTS_TEXTS])
{
	bool lore = cols != MSG_FTS_OLD;
	/* With lore's columns, nq holds the text outside the diffs' lines
	 * (they are in dfa, dfb, dfctx: search/query.c searches them
	 * together), so that a patch is indexed once. */
	const struct buf *nq = lore ? &t->nqrest : &t->nq;
	const struct buf *cols_of[] = {&t->to,     &t->cc,    nq,        &t->q,    &t->dfn,
	                               &t->dfa,    &t->dfb,   &t->dfctx, &t->dfhh, &t->dfpre,
	                               &t->dfpost, &t->names, &t->lid};
	int ncols = lore ? (int)(sizeof cols_of / sizeof *cols_of) : 5;
	p[0] = subject ? subject : "";
	n[0] = strlen(p[0]);
	p[1] = from ? from : "";
	n[1] = strlen(p[1]);
	for (int i = 0; i < ncols; i++) {
		p[2 + i] = cols_of[i]->data ? cols_of[i]->data : "";
		n[2 + i] = cols_of[i]->data ? cols_of[i]->len : 0;
	}
	return 2 + ncols;
}

/* Whether p[0..n) is ASCII alone but for the diffs' line breaks and
 * dfhh's stem marks (MSG_LINE_BREAK, MSG_STEM_MARK: EE 80 80, EE 80 81),
 * which neither the CJK spacing nor the folding changes: one pass for
 * most text (a diff's lines too) rather than one for each. */
static bool plain_text(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0;
	while (i < n) {
		uint64_t w;
		if (n - i >= 8) {
			memcpy(&w, u + i, 8);
			if (!(w & UINT64_C(0x8080808080808080))) {
				i += 8;
				continue;
			}
		}
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		if (n - i < 3 || u[i] != 0xEE || u[i + 1] != 0x80 || (u[i + 2] & 0xFE) != 0x80)
			return false;
		i += 3;
	}
	return true;
}

/* Appends a column's text p[0..n) to b, its length first (4 bytes):
 * with lore's columns, CJK characters get a space around each (every
 * one a word), and with the stems letters are folded (ß is ss).  True if
 * the text appended is p's as folded, without spaces added. */
static bool add_text(struct buf *b, enum msg_fts_cols cols, const char *p, size_t n)
{
	uint32_t len = (uint32_t)n;
	size_t at = b->len;
	bool plain = plain_text(p, n);
	bool spaced = cols != MSG_FTS_OLD && !plain && cjk_has(p, n);
	buf_add(b, &len, sizeof len);
	if (spaced)
		cjk_spaced(b, p, n);
	else
		buf_add(b, p, n);
	if (b->err)
		return false;
	len = (uint32_t)(b->len - at - sizeof len);
	if (cols == MSG_FTS_STEMS && !plain && fold_needed(b->data + at + sizeof len, len)) {
		len = (uint32_t)fold_letters(b->data + at + sizeof len, len,
		                             b->data + at + sizeof len);
		b->len = at + sizeof len + len;
	}
	memcpy(b->data + at, &len, sizeof len);
	return !spaced;
}

/* Appends to b the distinct stems of p[0..n), of its words as folded
 * ("ﬁnalised" is stemmed as "finalised"), its length first (4 bytes).
 * folded, if not SIZE_MAX, is where in b add_text put p's text folded
 * (its length before it): the stems are taken from there rather than
 * folding p again. */
static void add_stems(struct buf *b, struct buf *scratch, struct stemmer *s, const char *p,
                      size_t n, size_t folded)
{
	buf_reset(scratch);
	stemmer_reset(s);
	if (folded != SIZE_MAX && !b->err) {
		uint32_t k;
		memcpy(&k, b->data + folded, sizeof k);
		stemmer_stems(s, scratch, b->data + folded + sizeof k, k);
	} else {
		char *f = fold_needed(p, n) ? malloc(n + 1) : NULL;
		if (f) {
			n = fold_letters(p, n, f);
			p = f;
		}
		stemmer_stems(s, scratch, p, n);
		free(f);
	}
	if (scratch->err)
		b->err = scratch->err;
	uint32_t len = (uint32_t)scratch->len;
	buf_add(b, &len, sizeof len);
	buf_add(b, scratch->data, scratch->len);
}

void msg_fts_prepare(struct buf *out, struct buf *scratch, struct stemmer *s,
                     enum msg_fts_cols cols, const char *const *p, const size_t *n)
{
	int ntext = cols == MSG_FTS_OLD ? 7 : MSG_FTS_TEXTS;
	size_t folded[MSG_FTS_TEXTS];
	for (int i = 0; i < ntext; i++) {
		size_t to = out->len;
		folded[i] = add_text(out, cols, p[i], n[i]) ? to : SIZE_MAX;
	}
	if (cols != MSG_FTS_STEMS)
		return;
	if (!s) {
		out->err = LA_ENOMEM;
		return;
	}
	/* The diffs' removed, added and context lines have stems of their
	 * own (lore's dfa: dfb: dfctx: stem; nq: searches them with znq's):
	 * subject, nq, q, dfa, dfb, dfctx. */
	static const int stemmed[] = {0, 4, 5, 7, 8, 9};
	for (int i = 0; i < 6; i++)
		add_stems(out, scratch, s, p[stemmed[i]], n[stemmed[i]], folded[stemmed[i]]);
}

void msg_fts_row_init(struct msg_fts_row *r)
{
	buf_init(&r->b, MSG_FTS_ROW_MAX);
	r->cols = MSG_FTS_NONE;
}

void msg_fts_row_free(struct msg_fts_row *r)
{
	buf_free(&r->b);
	r->cols = MSG_FTS_NONE;
}

void msg_fts_row_make(struct msg_fts_row *r, struct buf *scratch, struct stemmer *s,
                      enum msg_fts_cols cols, const char *subject, const char *from_name,
                      const char *from_addr, const struct msg_text *t)
{
	buf_reset(&r->b);
	r->cols = MSG_FTS_NONE;
	if (cols == MSG_FTS_NONE)
		return;
	char from[MSG_FTS_FROM_MAX];
	msg_fts_from(from, from_name, from_addr);
	const char *p[MSG_FTS_TEXTS];
	size_t n[MSG_FTS_TEXTS];
	msg_fts_texts(cols, subject, from, t, p, n);
	msg_fts_prepare(&r->b, scratch, s, cols, p, n);
	if (!r->b.err)
		r->cols = cols;
}
