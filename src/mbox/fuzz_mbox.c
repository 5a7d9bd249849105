/* fuzz_mbox: the mbox and MMDF scanners, the source sniffer, the
 * decompressors and the index summary over any bytes; mboxrd unquoting
 * and the count of MIME boundary lines (which search for their patterns
 * 16 bytes at a time) against their line-by-line forms. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "limits.h"
#include "mbox/mbox.h"
#include "msg/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decompressed bytes looked at, at most (a small input may expand a
 * thousandfold). */
#define UNPACK_LOOK (4u << 20)

static void scan(const uint8_t *data, size_t size, int fd, enum mbox_format fmt,
                 struct msg_summary *sum)
{
	struct mbox_reader *r = mbox_reader_new(fd, 0, UINT64_MAX, fmt);
	struct mbox_msg m;
	struct la_err err = {0};
	uint64_t last_end = 0;
	while (mbox_next(r, &m, &err) == LA_OK) {
		/* Messages come in order, within the file, never overlapping. */
		if (m.off < last_end || m.off + m.len > size || m.end > size ||
		    m.head_len > m.len || m.end < m.off + m.len || m.start > m.off)
			abort();
		last_end = m.end;
		/* No MMDF separator line inside an MMDF message. */
		if (fmt == MBOX_FMT_MMDF)
			for (uint64_t i = m.off; i + 5 <= m.off + m.len; i++)
				if ((i == m.off || data[i - 1] == '\n') &&
				    !memcmp(data + i, "\1\1\1\1\n", 5) && i > m.off)
					abort();
		msg_summary_parse(sum, m.head, m.head_len);
		/* The id the indexer gives it (from the scanner's header block)
		 * is the one a page finds again in the message's own bytes. */
		char *made = malloc(MSGID_MAX + 1), *found = malloc(MSGID_MAX + 1);
		if (sum->msgid[0])
			strcpy(made, sum->msgid);
		else
			msg_made_up_id(made, MSGID_MAX + 1, m.head, m.head_len, m.len);
		size_t n = m.len < HEAD_MAX ? (size_t)m.len : HEAD_MAX;
		msg_index_id((const char *)data + m.off, n, m.len, found);
		if (strcmp(made, found))
			abort();
		free(made);
		free(found);
	}
	mbox_reader_free(r);
}

/* mbox_unquote a line at a time, as it was. */
static void unquote_ref(struct buf *out, const char *p, size_t n)
{
	size_t i = 0, run = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && p[j] == '>')
			j++;
		if (j > i && n - j >= 5 && memcmp(p + j, "From ", 5) == 0) {
			buf_add(out, p + run, i - run);
			run = i + 1;
		}
		const char *nl = memchr(p + i, '\n', n - i);
		if (!nl)
			break;
		i = (size_t)(nl - p) + 1;
	}
	buf_add(out, p + run, n - run);
}

/* msg_mime_too_many_parts a line at a time, as it was, with the bound
 * given (so that a small input can pass it). */
static unsigned boundary_lines_ref(const char *p, size_t n)
{
	unsigned count = 0;
	const char *end = p + n;
	for (const char *q = p; q < end;) {
		if (end - q >= 3 && q[0] == '-' && q[1] == '-' && q[2] != '-' && q[2] != ' ' &&
		    q[2] != '\n')
			count++;
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		if (!nl)
			break;
		q = nl + 1;
	}
	return count;
}

static void same_scans(const uint8_t *data, size_t size)
{
	struct buf a, r;
	buf_init(&a, size + 1);
	buf_init(&r, size + 1);
	mbox_unquote(&a, (const char *)data, size);
	unquote_ref(&r, (const char *)data, size);
	if (a.err != r.err || a.len != r.len || (a.len && memcmp(a.data, r.data, a.len)))
		abort();
	buf_free(&a);
	buf_free(&r);
	if (msg_mime_too_many_parts((const char *)data, size) !=
	    (boundary_lines_ref((const char *)data, size) > MIME_BOUNDARIES_MAX))
		abort();
	/* (Below the bound a count is not returned: the same scan over the
	 * input repeated past it, when that is small enough.) */
	unsigned lines = boundary_lines_ref((const char *)data, size);
	if (lines && size && size <= 64 && data[size - 1] == '\n') {
		size_t times = MIME_BOUNDARIES_MAX / lines + 1;
		char *big = malloc(size * times);
		for (size_t t = 0; big && t < times; t++)
			memcpy(big + t * size, data, size);
		if (big && !msg_mime_too_many_parts(big, size * times))
			abort();
		free(big);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	same_scans(data, size);
	static struct msg_summary *sum;
	if (!sum) {
		msg_library_init();
		sum = malloc(sizeof *sum);
	}
	mbox_sniff((const char *)data, size < SNIFF_MAX ? size : SNIFF_MAX, size <= SNIFF_MAX);
	/* A public-inbox blob's From_ line: a whole line, within the bytes,
	 * never all of them. */
	struct la_date from_date;
	bool dated;
	size_t skip = mbox_leading_fromline((const char *)data, size, &from_date, &dated);
	if (skip && (skip >= size || data[skip - 1] != '\n'))
		abort();
	int fd = memfd_create("fuzz", 0);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	scan(data, size, fd, MBOX_FMT_MBOX, sum);
	scan(data, size, fd, MBOX_FMT_MMDF, sum);
	/* Compressed: what comes out is scanned too. */
	enum unpack_kind k = unpack_detect(data, size);
	if (k) {
		lseek(fd, 0, SEEK_SET);
		struct unpack *u = unpack_new(fd, k);
		uint8_t *out = malloc(UNPACK_LOOK);
		size_t n = 0;
		struct la_err err = {0};
		while (u && out && n < UNPACK_LOOK) {
			size_t got = 0;
			enum la_status s = unpack_read(u, out + n, UNPACK_LOOK - n, &got, &err);
			if (got > UNPACK_LOOK - n)
				abort();
			n += got;
			if (s)
				break;
		}
		unpack_free(u);
		int fd2 = memfd_create("fuzz-unpacked", 0);
		if (out && fd2 >= 0 && write(fd2, out, n) == (ssize_t)n)
			scan(out, n, fd2, MBOX_FMT_MBOX, sum);
		if (fd2 >= 0)
			close(fd2);
		free(out);
	}
	close(fd);
	return 0;
}
