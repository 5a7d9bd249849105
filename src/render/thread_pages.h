/* thread_pages.h: pages by Message-ID and of threads (render stage). */
#ifndef LISTARC_THREAD_PAGES_H
#define LISTARC_THREAD_PAGES_H

#include "render/render.h"

/* The outline of m's thread, for the bottom of its page: the tree with m
 * marked, each entry linked, and the permalink and download links. */
void render_thread_outline(const struct render_ctx *c, struct buf *b, const struct store_msg *m);

/* BASE/LIST/MSGID/ (list NULL: "all"), the Message-ID percent-encoded so
 * that it stays one path segment. */
void link_msgid(const struct render_ctx *c, struct buf *b, const char *list, const char *msgid);

#endif
