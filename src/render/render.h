/* render.h: pages.  Every page the server sends, and every page
 * `listarc get` prints, is built here, from the index and the message
 * bytes, into a response.  The HTTP layer only adds transport headers. */
#ifndef LISTARC_RENDER_H
#define LISTARC_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/conf.h"
#include "store/store.h"
#include "util/buf.h"

struct render_ctx {
	struct store *st;
	const struct conf *conf;
	const char *base; /* URL prefix of every link: "/" or "/lists/"; ends in '/' */
};

/* A body too big to build in memory (a raw message or an attachment of
 * many megabytes) comes from a stream, after whatever `body` holds.
 * next appends about `room` more bytes to out (fewer, or none, is fine)
 * and sets *done with the last of them; it returns LA_OK, or the error
 * that cuts the body short.  free releases the state: after the last
 * piece, or when the reader gives up early.  next == NULL: no stream. */
struct response_stream {
	enum la_status (*next)(void *state, struct buf *out, size_t room, bool *done);
	void (*free)(void *state);
	void *state;
};

struct response {
	int status;                /* HTTP status */
	const char *content_type;  /* a static string */
	struct buf body;
	struct response_stream stream; /* the rest of the body, if next is set */
	char location[URL_MAX + 64]; /* redirects */
	char filename[FILENAME_MAX_BYTES + 16]; /* attachments: Content-Disposition name */
	bool attachment;           /* Content-Disposition: attachment (else inline) */
	int64_t last_modified;     /* seconds since the epoch, 0 if unknown */
	char etag[48];             /* strong validator of what the page shows, "" if none */
	int max_age;               /* Cache-Control max-age in seconds */
};

void response_init(struct response *r);
/* Frees the body and the stream's state, if any.  NULL-safe. */
void response_free(struct response *r);
/* Hands r's stream to the caller (who must call its free) and leaves r
 * without one. */
struct response_stream response_take_stream(struct response *r);
/* Resets r to an error page with status (404, 400, 500...). */
void render_error(const struct render_ctx *c, struct response *r, int status, const char *what);

/* Message page /LIST/YYYY/MM/DD/N. */
enum la_status render_message(const struct render_ctx *c, const char *list, int day, int num,
                              struct response *r);
/* Attachment /LIST/YYYY/MM/DD/N/K. */
enum la_status render_attachment(const struct render_ctx *c, const char *list, int day, int num,
                                 int k, struct response *r);
/* Raw message /LIST/YYYY/MM/DD/N/raw: the bytes as stored (mboxrd
 * quoting undone). */
enum la_status render_raw(const struct render_ctx *c, const char *list, int day, int num,
                          struct response *r);
/* Day, month, year, list and site pages.  A day or month too long for one
 * page (DAY_PAGE_MAX messages, MONTH_PAGE_LINES lines) continues on pages
 * 2, 3, ... (page counts from 1; a page past the last is a 404). */
enum la_status render_day(const struct render_ctx *c, const char *list, int y, int m, int d,
                          int page, struct response *r);
enum la_status render_month(const struct render_ctx *c, const char *list, int y, int m, int page,
                            struct response *r);
enum la_status render_year(const struct render_ctx *c, const char *list, int y, struct response *r);
enum la_status render_list(const struct render_ctx *c, const char *list, struct response *r);
enum la_status render_index(const struct render_ctx *c, struct response *r);
/* Search results for query q in list (NULL: all lists), newest first or
 * by relevance (order "relevance"), 25 per page.  A query the language
 * refuses gets the results page with the reason, status 400. */
enum la_status render_search(const struct render_ctx *c, const char *list, const char *q,
                             const char *order, int page, struct response *r);
/* The help page of the query language (/_/search-help). */
enum la_status render_search_help(const struct render_ctx *c, struct response *r);
/* The search form, for list (NULL: all lists), holding q. */
void render_search_box(const struct render_ctx *c, struct buf *b, const char *list, const char *q);

/* The stylesheet, and its versioned path ("_/listarc-HASH.css"). */
void render_stylesheet(struct response *r);
const char *render_stylesheet_path(void);

#endif
