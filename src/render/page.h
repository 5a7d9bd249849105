/* page.h: pieces shared by the page renderers (stage-internal). */
#ifndef LISTARC_PAGE_H
#define LISTARC_PAGE_H

#include "render/render.h"

/* Starts a page: doctype, head with title (escaped here), the site bar. */
void page_begin(const struct render_ctx *c, struct buf *b, const char *title, const char *canonical);
/* Ends a page: footer and closing tags. */
void page_end(const struct render_ctx *c, struct buf *b);

/* Links.  day is yyyymmdd; all write c->base first. */
void link_list(const struct render_ctx *c, struct buf *b, const char *list);
void link_year(const struct render_ctx *c, struct buf *b, const char *list, int y);
void link_month(const struct render_ctx *c, struct buf *b, const char *list, int y, int m);
void link_day(const struct render_ctx *c, struct buf *b, const char *list, int day);
void link_msg(const struct render_ctx *c, struct buf *b, const char *list, int day, int num);

/* "[<a href=URL>label</a>] " where url_fn writes the URL; label is
 * written as is (it is ours, already HTML). */
void nav_item(struct buf *b, const char *label, const char *url);

/* The subject without the list's tag ("(no subject)" if empty), as
 * plain text. */
void subject_plain(const struct render_ctx *c, struct buf *b, const char *list, const char *subject);
/* A subject for listings: the list's tag dropped, "(no subject)" if empty. */
void subject_text(const struct render_ctx *c, struct buf *b, const char *list, const char *subject);
/* A sender for listings: the name, else the obfuscated address. */
void sender_text(struct buf *b, const char *name, const char *addr);

/* Sets r to a finished HTML page (status 200) from b. */
void page_finish(struct response *r, int status);

/* ---- a message (message.c) ---- */

/* The message page of m into r; canonical: with <link rel="canonical">
 * naming its date URL (when it is served at another). */
enum la_status message_page(const struct render_ctx *c, const struct store_msg *m, bool canonical,
                            struct response *r);
/* m's <pre class="msg"> block (its header fields, then its body) appended
 * to b.  show_max: text shown at most (then a note links the message's
 * page), 0 for the message page's own bound.  Returns LA_OK, or why the
 * message could not be read (b is then unchanged). */
enum la_status message_pre(const struct render_ctx *c, struct buf *b, const struct store_msg *m,
                           size_t show_max);
/* m's text parts (UTF-8), at most max bytes of them, appended to out;
 * *cut if some were left out. */
enum la_status message_text(const struct render_ctx *c, const struct store_msg *m, size_t max,
                            struct buf *out, bool *cut);
/* Calls fn for each attachment of m (blocks of kind MB_ATTACHMENT, see
 * mime.h), in order. */
struct mime_block;
enum la_status message_attachments(const struct render_ctx *c, const struct store_msg *m,
                                   void (*fn)(const struct mime_block *blk, void *arg), void *arg);

#endif
