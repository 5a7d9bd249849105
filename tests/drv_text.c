/* drv_text: a driver for a message's search text and summary, for tests
 * that compare two ways of reading them (tests/t5531-text-paths.sh).
 *   drv_text [-g] MBOX...
 * reads every message of each mbox as the indexer's reader does (mboxrd
 * quoting undone, the first SEARCH_TEXT_MAX * 8 bytes) and prints one
 * line a message: its number, its Message-ID, a hash of its summary
 * (msg_summary_parse), of every field of its search text
 * (msg_text_extract) and of its prepared search row (msg_fts_row_make,
 * lore's columns with stems), then whether the GMime parser read it
 * ("-" plain, "g" GMime).  -g: the reference (struct msg_text's
 * gmime_whole): every message that is not one plain part is read by
 * GMime's parser from its whole header block. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "limits.h"
#include "mbox/mbox.h"
#include "msg/ftsrow.h"
#include "msg/msg.h"
#include "msg/text.h"
#include "util/hash.h"
#include "util/io.h"
#include "util/stem.h"

static uint64_t hbuf(const struct buf *b, uint64_t h)
{
	return hash64(b->data ? b->data : "", b->len, h ^ b->len);
}

static uint64_t text_hash(const struct msg_text *t)
{
	const struct buf *bs[] = {&t->to,   &t->cc,    &t->nq,   &t->q,     &t->dfn,
	                          &t->dfa,  &t->dfb,   &t->dfctx, &t->dfhh, &t->dfpre,
	                          &t->dfpost, &t->nqrest, &t->names, &t->lid};
	uint64_t h = 1;
	for (size_t i = 0; i < sizeof bs / sizeof *bs; i++)
		h = hbuf(bs[i], h + i);
	for (size_t i = 0; i < t->npatchids; i++)
		h = hash64(t->patchids[i], strlen(t->patchids[i]), h);
	return h ^ t->npatchids;
}

static uint64_t summary_hash(const struct msg_summary *s)
{
	uint64_t h = hash64(s->msgid, strlen(s->msgid), 2);
	h = hash64(s->parent, strlen(s->parent), h);
	for (unsigned i = 0; i < s->nrefs; i++)
		h = hash64(s->refs[i], strlen(s->refs[i]), h);
	h = hash64(s->subject, strlen(s->subject), h ^ s->nrefs);
	h = hash64(s->from_name, strlen(s->from_name), h);
	h = hash64(s->from_addr, strlen(s->from_addr), h);
	h = hash64(&s->date, sizeof s->date, h ^ ((unsigned)s->has_date << 1 | s->has_received));
	if (s->has_received)
		h = hash64(&s->received, sizeof s->received, h);
	return h ^ s->flags;
}

int main(int argc, char **argv)
{
	bool whole = argc > 1 && !strcmp(argv[1], "-g");
	int first = whole ? 2 : 1;
	if (argc <= first) {
		fprintf(stderr, "usage: drv_text [-g] MBOX...\n");
		return 2;
	}
	msg_library_init();
	struct stemmer *stem = stemmer_new();
	static struct msg_summary sum;
	struct msg_text t;
	struct msg_fts_row row;
	struct buf raw, unq, scratch;
	msg_text_init(&t);
	msg_text_lend_stemmer(&t, stem);
	t.gmime_whole = whole;
	msg_fts_row_init(&row);
	buf_init(&raw, SEARCH_TEXT_MAX * 8 + 1);
	buf_init(&unq, SEARCH_TEXT_MAX * 8 + 1);
	buf_init(&scratch, MSG_FTS_ROW_MAX);
	unsigned long no = 0;
	for (int a = first; a < argc; a++) {
		int fd = open(argv[a], O_RDONLY);
		if (fd < 0) {
			perror(argv[a]);
			return 1;
		}
		struct mbox_reader *r = mbox_reader_new(fd, 0, UINT64_MAX, MBOX_FMT_MBOX);
		struct mbox_msg m;
		struct la_err err = {0};
		while (r && mbox_next(r, &m, &err) == LA_OK) {
			msg_summary_parse(&sum, m.head, m.head_len);
			size_t n = m.len < SEARCH_TEXT_MAX * 8 ? (size_t)m.len : SEARCH_TEXT_MAX * 8;
			size_t got = 0;
			buf_reset(&raw);
			buf_reset(&unq);
			if (buf_reserve(&raw, n) || io_pread_full(fd, raw.data, n, m.off, &got) ||
			    got != n) {
				fprintf(stderr, "%s: cannot read at %" PRIu64 "\n", argv[a], m.off);
				return 1;
			}
			raw.len = n;
			mbox_unquote(&unq, raw.data, n);
			msg_text_extract(&t, unq.data ? unq.data : "", unq.len);
			msg_fts_row_make(&row, &scratch, stem, MSG_FTS_STEMS, sum.subject,
			                 sum.from_name, sum.from_addr, &t);
			printf("%lu <%s> %016" PRIx64 " %016" PRIx64 " %016" PRIx64 "\n", ++no,
			       sum.msgid, summary_hash(&sum), text_hash(&t), hbuf(&row.b, 3));
		}
		mbox_reader_free(r);
		close(fd);
	}
	buf_free(&raw);
	buf_free(&unq);
	buf_free(&scratch);
	msg_fts_row_free(&row);
	msg_text_free(&t);
	stemmer_free(stem);
	return 0;
}
