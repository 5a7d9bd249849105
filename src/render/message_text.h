/* message_text.h: the part of a message page made from the message's
 * bytes alone (render stage, internal).  message_pre (message and thread
 * pages) loads the message and calls it; fuzz_msgpage calls it with no
 * index at all. */
#ifndef LISTARC_MESSAGE_TEXT_H
#define LISTARC_MESSAGE_TEXT_H

#include "render/mime.h"
#include "render/render.h"

/* Appends the <pre class="msg"> block of message /LIST/DAY/NUM to b: the
 * six shown header fields of data[0..len) (the message's bytes, mboxrd
 * quoting undone; only its head if the message is too big to hold), a
 * blank line, then the body as mm's MIME walk shows it, attachments
 * linked under /LIST/DAY/NUM/K.  opened is what opening mm returned: if
 * it is not LA_OK (mm may then be NULL), or the walk fails, the body
 * bytes of data are shown as text instead.  show_max: the body's text is
 * cut after this many bytes, with a link to the message's page (0: shown
 * whole).  Only c->conf and c->base are read, never c->st.  Errors stick
 * in b->err. */
void render_message_text(const struct render_ctx *c, struct buf *b, const char *list, int day,
                         int num, const char *data, size_t len, struct mime_msg *mm,
                         enum la_status opened, size_t show_max);

#endif
