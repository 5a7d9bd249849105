/* fuzz_header: header fields, the index summary, dates, Message-IDs,
 * RFC 2047 decoding, From: names and parameters (RFC 2231) over any
 * bytes.  The first byte picks extra modes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg/date.h"
#include "msg/header.h"
#include "limits.h"
#include "msg/msg.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool each(const char *id, size_t n, void *arg)
{
	(void)id;
	(void)arg;
	if (n == 0)
		abort();
	return true;
}

/* msg_index_id as it was: the block's length, then a second walk over
 * it (cut at len). */
static void index_id_ref(const char *p, size_t n, uint64_t len, char *out)
{
	size_t hl = hdr_block_len(p, n < HEAD_MAX ? n : HEAD_MAX);
	if (hl > len)
		hl = (size_t)len;
	struct hdr_iter it;
	struct hdr_field f;
	struct span mid = SPAN_NULL;
	hdr_iter_init(&it, p, hl);
	while (hdr_next(&it, &f))
		if (f.name.n == 10 && span_ieq(f.name, "message-id"))
			mid = f.value;
	unsigned flags = 0;
	if (!mid.p || !msgid_from_header(mid, out, &flags) || !out[0])
		msg_made_up_id(out, MSGID_MAX + 1, p, hl, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct msg_summary *sum;
	if (!sum) {
		msg_library_init();
		sum = malloc(sizeof *sum);
	}
	/* A copy at the end of its own block: over-reads trip ASan. */
	char *p = malloc(size ? size : 1);
	memcpy(p, data, size);
	struct span s = span_make(p, size);
	msg_summary_parse(sum, p, size);
	if (!utf8_valid(sum->subject, strlen(sum->subject)) ||
	    !utf8_valid(sum->from_name, strlen(sum->from_name)))
		abort();
	struct la_date d;
	if (date_parse(s, &d) && (d.mon < 1 || d.mon > 12 || d.day < 1 || d.day > 31))
		abort();
	date_parse_fromline(s, &d);
	msgid_each(s, each, NULL);
	/* The words of a Message-ID: each a run of [a-z0-9_], at most
	 * MSGID_WORD_MAX kept, *at moving forward to the end. */
	char w[MSGID_WORD_MAX + 1];
	size_t at = 0, full, last = 0;
	while ((full = msgid_word_next(p, size, &at, w))) {
		size_t k = strlen(w);
		if (at > size || at <= last || k == 0 || k > MSGID_WORD_MAX || k > full ||
		    (full <= MSGID_WORD_MAX && k != full))
			abort();
		for (size_t i = 0; i < k; i++)
			if (!((w[i] >= 'a' && w[i] <= 'z') || (w[i] >= '0' && w[i] <= '9') ||
			      w[i] == '_'))
				abort();
		last = at;
	}
	if (at != size)
		abort();
	struct buf b;
	buf_init(&b, size * 8 + 64);
	msg_decode_header(&b, s, size && data[0] & 1);
	if (!b.err && !utf8_valid(b.data ? b.data : "", b.len))
		abort();
	buf_free(&b);
	buf_init(&b, size * 4 + 64);
	struct buf a;
	buf_init(&a, size * 4 + 64);
	msg_parse_from(s, &b, &a);
	if (!b.err && !a.err &&
	    (!utf8_valid(b.data ? b.data : "", b.len) || !utf8_valid(a.data ? a.data : "", a.len)))
		abort();
	buf_reset(&b);
	if (msg_header_param(&b, s, size && data[0] & 2 ? "name" : "filename") && !b.err &&
	    !utf8_valid(b.data ? b.data : "", b.len))
		abort();
	buf_free(&a);
	buf_free(&b);
	/* msg_index_id's one walk against the two it took, with the stored
	 * length the whole input and cut anywhere (the second byte). */
	char id1[MSGID_MAX + 1], id2[MSGID_MAX + 1];
	uint64_t len = size > 1 ? (size_t)data[1] * size / 255 : size;
	for (int k = 0; k < 2; k++, len = size) {
		msg_index_id(p, size, len, id1);
		index_id_ref(p, size, len, id2);
		if (strcmp(id1, id2))
			abort();
	}
	free(p);
	return 0;
}
