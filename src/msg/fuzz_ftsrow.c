/* fuzz_ftsrow: a search-index row prepared by msg/ftsrow.c (ingest's
 * reader, the store's search thread) has the bytes the store's search
 * thread made before it moved there (store/write.c's fts_queue and
 * prep_rows, kept below as they were: the oracle), for each form of the
 * index: from a message's texts (msg_text_extract of the input), and
 * from any bytes as the columns' texts.  The first byte picks the form;
 * then the subject, the sender's name and address, each ended by a NUL;
 * the rest is the message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "msg/ftsrow.h"
#include "msg/text.h"
#include "util/buf.h"
#include "util/cjk.h"
#include "util/fold.h"
#include "util/stem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- the oracle: store/write.c before the preparation moved ---- */

struct oracle {
	bool lore, stems;
	struct stemmer *stemmer;
	struct buf pend, stembuf;
};

static bool all_ascii(const char *p, size_t n)
{
	uint64_t any = 0, w;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		any |= w;
	}
	for (; i < n; i++)
		any |= (unsigned char)p[i];
	return !(any & UINT64_C(0x8080808080808080));
}

static bool pend_text(struct oracle *fp, struct buf *b, const char *p, size_t n)
{
	uint32_t len = (uint32_t)n;
	size_t at = b->len;
	bool ascii = all_ascii(p, n);
	bool spaced = fp->lore && !ascii && cjk_has(p, n);
	buf_add(b, &len, sizeof len);
	if (spaced)
		cjk_spaced(b, p, n);
	else
		buf_add(b, p, n);
	if (b->err)
		return false;
	len = (uint32_t)(b->len - at - sizeof len);
	if (fp->stems && !ascii && fold_needed(b->data + at + sizeof len, len)) {
		len = (uint32_t)fold_letters(b->data + at + sizeof len, len,
		                             b->data + at + sizeof len);
		b->len = at + sizeof len + len;
	}
	memcpy(b->data + at, &len, sizeof len);
	return !spaced;
}

static void pend_stems(struct oracle *fp, const char *p, size_t n, size_t folded)
{
	struct buf *b = &fp->pend;
	struct buf *t = &fp->stembuf;
	buf_reset(t);
	stemmer_reset(fp->stemmer);
	if (folded != SIZE_MAX && !b->err) {
		uint32_t k;
		memcpy(&k, b->data + folded, sizeof k);
		stemmer_stems(fp->stemmer, t, b->data + folded + sizeof k, k);
	} else {
		char *f = fold_needed(p, n) ? malloc(n + 1) : NULL;
		if (f) {
			n = fold_letters(p, n, f);
			p = f;
		}
		stemmer_stems(fp->stemmer, t, p, n);
		free(f);
	}
	if (t->err)
		b->err = t->err;
	uint32_t len = (uint32_t)t->len;
	buf_add(b, &len, sizeof len);
	buf_add(b, t->data, t->len);
}

/* prep_rows of one raw row (without its id) w. */
static void prep_row(struct oracle *fp, const struct buf *w)
{
	int ntext = fp->lore ? 15 : 7;
	size_t at = 0;
	const char *p[15];
	uint32_t n[15];
	size_t folded[15];
	for (int i = 0; i < ntext; i++) {
		memcpy(&n[i], w->data + at, sizeof n[i]);
		p[i] = w->data + at + sizeof n[i];
		at += sizeof n[i] + n[i];
		size_t to = fp->pend.len;
		folded[i] = pend_text(fp, &fp->pend, p[i], n[i]) ? to : SIZE_MAX;
	}
	if (fp->stems) {
		static const int stemmed[] = {0, 4, 5, 7, 8, 9};
		for (int i = 0; i < 6; i++)
			pend_stems(fp, p[stemmed[i]], n[stemmed[i]], folded[stemmed[i]]);
	}
}

/* fts_queue's raw row (without its id) of subject, from and t. */
static void queue_row(const struct oracle *fp, struct buf *raw, const char *subject,
                      const char *from, const struct msg_text *t)
{
	const struct buf *nq = fp->lore ? &t->nqrest : &t->nq;
	const struct buf *cols[] = {&t->to,     &t->cc,    nq,        &t->q,    &t->dfn,
	                            &t->dfa,    &t->dfb,   &t->dfctx, &t->dfhh, &t->dfpre,
	                            &t->dfpost, &t->names, &t->lid};
	int ncols = fp->lore ? (int)(sizeof cols / sizeof *cols) : 5;
	const char *texts[2 + sizeof cols / sizeof *cols];
	size_t lens[2 + sizeof cols / sizeof *cols];
	texts[0] = subject;
	lens[0] = strlen(subject);
	texts[1] = from;
	lens[1] = strlen(from);
	for (int i = 0; i < ncols; i++) {
		texts[2 + i] = cols[i]->data ? cols[i]->data : "";
		lens[2 + i] = cols[i]->data ? cols[i]->len : 0;
	}
	for (int i = 0; i < 2 + ncols; i++) {
		uint32_t len = (uint32_t)lens[i];
		buf_add(raw, &len, sizeof len);
		buf_add(raw, texts[i], lens[i]);
	}
}

/* ---- the comparison ---- */

static void same(const struct buf *a, const struct buf *b)
{
	if (a->err || b->err || a->len != b->len || (a->len && memcmp(a->data, b->data, a->len)))
		abort();
}

/* The next NUL-ended field of data[*at..size), as a string (copied). */
static char *field(const uint8_t *data, size_t size, size_t *at, size_t max)
{
	size_t i = *at;
	while (i < size && data[i] && i - *at < max)
		i++;
	char *s = strndup((const char *)data + *at, i - *at);
	*at = i < size ? i + 1 : i;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* One stemmer each, kept from input to input: what one's cache
	 * holds must not change what it gives. */
	static struct stemmer *sa, *sb;
	if (!sa && (!(sa = stemmer_new()) || !(sb = stemmer_new())))
		abort();
	if (size < 1 || size > 1 << 18)
		return 0;
	enum msg_fts_cols cols = (enum msg_fts_cols)(MSG_FTS_OLD + data[0] % 3);
	struct oracle o = {
		.lore = cols != MSG_FTS_OLD, .stems = cols == MSG_FTS_STEMS, .stemmer = sb};
	buf_init(&o.pend, MSG_FTS_ROW_MAX);
	buf_init(&o.stembuf, MSG_FTS_ROW_MAX);
	size_t at = 1;
	char *subject = field(data, size, &at, SUBJECT_MAX);
	char *name = field(data, size, &at, NAME_MAX_BYTES);
	char *addr = field(data, size, &at, ADDR_MAX);
	/* The rest alone in its buffer, so that a read past it is caught. */
	size_t n = size - at;
	char *msg = malloc(n ? n : 1);
	memcpy(msg, data + at, n);

	/* A message's texts: the reader's row, and the thread's. */
	struct msg_text t;
	msg_text_init(&t);
	msg_text_extract(&t, msg, n);
	struct msg_fts_row row;
	struct buf scratch, raw;
	msg_fts_row_init(&row);
	buf_init(&scratch, MSG_FTS_ROW_MAX);
	buf_init(&raw, MSG_FTS_ROW_MAX);
	msg_fts_row_make(&row, &scratch, sa, cols, subject, name, addr, &t);
	char from[NAME_MAX_BYTES + ADDR_MAX + 2];
	snprintf(from, sizeof from, "%s %s", name, addr);
	queue_row(&o, &raw, subject, from, &t);
	prep_row(&o, &raw);
	if (row.cols != cols)
		abort();
	same(&row.b, &o.pend);

	/* Any bytes as the texts (split at each byte 0x01). */
	const char *p[MSG_FTS_TEXTS];
	size_t k[MSG_FTS_TEXTS];
	size_t from_at = 0;
	buf_reset(&raw);
	for (int i = 0; i < MSG_FTS_TEXTS; i++) {
		const char *e = from_at < n ? memchr(msg + from_at, 1, n - from_at) : NULL;
		size_t end = e ? (size_t)(e - msg) : n;
		p[i] = msg + from_at;
		k[i] = end - from_at;
		from_at = e ? end + 1 : n;
		uint32_t len = (uint32_t)k[i];
		buf_add(&raw, &len, sizeof len);
		buf_add(&raw, p[i], k[i]);
	}
	struct buf out;
	buf_init(&out, MSG_FTS_ROW_MAX);
	msg_fts_prepare(&out, &scratch, sa, cols, p, k);
	buf_reset(&o.pend);
	prep_row(&o, &raw);
	same(&out, &o.pend);

	buf_free(&out);
	buf_free(&raw);
	buf_free(&scratch);
	msg_fts_row_free(&row);
	msg_text_free(&t);
	buf_free(&o.pend);
	buf_free(&o.stembuf);
	free(msg);
	free(subject);
	free(name);
	free(addr);
	return 0;
}
