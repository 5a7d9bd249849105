/* fuzz_header: header fields, the index summary, dates, Message-IDs,
 * RFC 2047 decoding, From: names and parameters (RFC 2231) over any
 * bytes.  The first byte picks extra modes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg/date.h"
#include "msg/header.h"
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
	free(p);
	return 0;
}
