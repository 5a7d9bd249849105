/* text.h: the searchable text of a message: addressees, body text split
 * into quoted and non-quoted lines, and the file names a patch in it
 * touches.  Text parts are decoded (transfer encoding, charset, HTML as
 * text); other attachments are skipped. */
#ifndef LISTARC_MSG_TEXT_H
#define LISTARC_MSG_TEXT_H

#include <stddef.h>

#include "util/buf.h"

struct msg_text {
	struct buf to, cc; /* decoded To: and Cc: */
	struct buf nq;     /* body lines not starting with '>' */
	struct buf q;      /* quoted body lines, without the '>' */
	struct buf dfn;    /* file names from diff headers, space-separated */
};

/* Sets up the buffers (bounded by SEARCH_TEXT_MAX together). */
void msg_text_init(struct msg_text *t);
void msg_text_free(struct msg_text *t);

/* Fills t (emptied first) from the raw message msg[0..n) (mboxrd quoting
 * already undone).  Never fails: what cannot be decoded is skipped. */
void msg_text_extract(struct msg_text *t, const char *msg, size_t n);

#endif
