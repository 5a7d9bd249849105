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

struct response {
	int status;                /* HTTP status */
	const char *content_type;  /* a static string */
	struct buf body;
	char location[URL_MAX + 64]; /* redirects */
	char filename[FILENAME_MAX_BYTES + 16]; /* attachments: Content-Disposition name */
	bool attachment;           /* Content-Disposition: attachment (else inline) */
	int64_t last_modified;     /* seconds since the epoch, 0 if unknown */
	char etag[48];             /* strong validator of what the page shows, "" if none */
	int max_age;               /* Cache-Control max-age in seconds */
};

void response_init(struct response *r);
void response_free(struct response *r);
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
/* Day, month, year, list and site pages. */
enum la_status render_day(const struct render_ctx *c, const char *list, int y, int m, int d,
                          struct response *r);
enum la_status render_month(const struct render_ctx *c, const char *list, int y, int m,
                            struct response *r);
enum la_status render_year(const struct render_ctx *c, const char *list, int y, struct response *r);
enum la_status render_list(const struct render_ctx *c, const char *list, struct response *r);
enum la_status render_index(const struct render_ctx *c, struct response *r);
/* The stylesheet, and its versioned path ("_/listarc-HASH.css"). */
void render_stylesheet(struct response *r);
const char *render_stylesheet_path(void);

#endif
