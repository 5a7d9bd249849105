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

#endif
