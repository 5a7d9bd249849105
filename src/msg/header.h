/* header.h: RFC 5322 header fields of a raw message, as borrowed spans.
 *
 * The iterator never allocates and never reads past the span it is given.
 * It is lenient the way real mail needs: CRLF or LF line ends, a leading
 * mbox "From " line is skipped, and the header block ends at the first
 * empty line or at the first line that is neither a field nor a
 * continuation (so a message with no headers at all is all body). */
#ifndef LISTARC_MSG_HEADER_H
#define LISTARC_MSG_HEADER_H

#include <stdbool.h>
#include <stddef.h>

#include "util/span.h"

struct hdr_iter {
	const char *p, *end;
	unsigned count;
	bool done;
	const char *body; /* set when done: first byte of the body */
};

struct hdr_field {
	struct span name;  /* field name, without the colon */
	struct span value; /* raw value: after the colon up to (not including)
	                      the final line end; folded lines included */
	struct span line;  /* the whole field as received, name to final line
	                      end exclusive */
};

void hdr_iter_init(struct hdr_iter *it, const char *p, size_t n);
/* Returns true and fills f with the next field; false at the end of the
 * header block (then it->body points at the body, or at end). Stops after
 * HDR_FIELDS_MAX fields. */
bool hdr_next(struct hdr_iter *it, struct hdr_field *f);

/* Offset of the body in msg[0..n): the end of the header block including
 * its empty separator line.  n if the message has no body. */
size_t hdr_block_len(const char *msg, size_t n);

#endif
