/* route.h: the URL grammar, and the one place where a request becomes a
 * call to a renderer.  `listarc get` and the server both come here.
 *
 *   /                              site index
 *   /LIST/                         list page
 *   /LIST/YYYY/                    year: twelve calendars
 *   /LIST/YYYY/MM/                 month: calendar and messages by day
 *   /LIST/YYYY/MM/?page=N          the rest of a busy month, whole days per page
 *   /LIST/YYYY/MM/DD/              day (?page=N: beyond the first DAY_PAGE_MAX)
 *   /LIST/YYYY/MM/DD/N             message N of that day
 *   /LIST/YYYY/MM/DD/N/K           its attachment K
 *   /LIST/YYYY/MM/DD/N/raw         its bytes as received
 *   /_/listarc-HASH.css, /robots.txt, /favicon.ico, /healthz
 *
 * Directory forms without their trailing slash (and a message with one)
 * redirect to the canonical form.  Only this grammar is accepted: a path
 * never becomes a file name. */
#ifndef LISTARC_ROUTE_H
#define LISTARC_ROUTE_H

#include <stddef.h>

#include "limits.h"
#include "render/render.h"

enum route_kind {
	R_NOTFOUND = 0,
	R_BADREQUEST, /* malformed: bad percent-encoding, NUL, "..", not absolute */
	R_TOOLONG,    /* longer than URL_MAX */
	R_REDIRECT,   /* to route.redirect (a path without base) */
	R_INDEX,
	R_STYLE,
	R_ROBOTS,
	R_FAVICON,
	R_HEALTHZ,
	R_LIST,
	R_YEAR,
	R_MONTH,
	R_DAY,
	R_MSG,
	R_ATTACH,
	R_RAW,
};

struct route {
	enum route_kind kind;
	char list[LISTNAME_MAX + 1];
	int y, m, d, n, k;
	int page; /* ?page=N of a month or day; 1 without one */
	char redirect[URL_MAX + 8];
};

/* Parses the path of a request target.  Of a query string only page=N
 * counts (1 to PAGE_DIGITS_MAX digits, no leading zero; anything else
 * there makes the target R_NOTFOUND); other parameters are ignored. */
enum route_kind route_parse(const char *path, size_t n, struct route *rt);

/* Handles a GET (or HEAD) of path: fills r (status, type, body, etag).
 * Returns LA_OK unless something failed on our side (r then holds a 500
 * page). */
enum la_status route_handle(const struct render_ctx *c, const char *path, size_t n,
                            struct response *r);

#endif
