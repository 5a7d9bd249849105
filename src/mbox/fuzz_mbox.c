/* fuzz_mbox: the mbox scanner and the index summary over any bytes. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mbox/mbox.h"
#include "msg/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct msg_summary *sum;
	if (!sum) {
		msg_library_init();
		sum = malloc(sizeof *sum);
	}
	int fd = memfd_create("fuzz", 0);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	struct mbox_reader *r = mbox_reader_new(fd, 0, UINT64_MAX, MBOX_FMT_MBOX);
	struct mbox_msg m;
	struct la_err err = {0};
	uint64_t last_end = 0;
	while (mbox_next(r, &m, &err) == LA_OK) {
		/* Messages come in order, within the file, never overlapping. */
		if (m.off < last_end || m.off + m.len > size || m.end > size || m.head_len > m.len)
			abort();
		last_end = m.end;
		msg_summary_parse(sum, m.head, m.head_len);
		/* The id the indexer gives it (from the scanner's header block)
		 * is the one a page finds again in the message's own bytes. */
		char *made = malloc(MSGID_MAX + 1), *found = malloc(MSGID_MAX + 1);
		if (sum->msgid[0])
			strcpy(made, sum->msgid);
		else
			msg_made_up_id(made, MSGID_MAX + 1, m.head, m.head_len, m.len);
		size_t n = m.len < HEAD_MAX ? (size_t)m.len : HEAD_MAX;
		msg_index_id(sum, (const char *)data + m.off, n, m.len, found);
		if (strcmp(made, found))
			abort();
		free(made);
		free(found);
	}
	mbox_reader_free(r);
	close(fd);
	return 0;
}
