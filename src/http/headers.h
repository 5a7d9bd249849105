/* headers.h: the few request and response header values the server reads
 * and writes itself (stage-internal to http/).  Each parser takes a
 * (pointer, length) span from the client, reads nothing past it, and
 * treats anything it does not understand as absent. */
#ifndef LISTARC_HEADERS_H
#define LISTARC_HEADERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* The reason phrase of a status code ("Not Found"); "" for codes we never
 * send. */
const char *http_reason(int status);

/* True if an Accept-Encoding value accepts gzip: it names "gzip" or
 * "x-gzip" (or "*" without naming gzip) with no q=0. */
bool http_accepts_gzip(const char *v, size_t n);

/* True if an If-None-Match value matches the entity tag etag (quoted, as
 * sent in ETag): "*", or one of its comma-separated tags equal to etag
 * under the weak comparison (a W/ prefix is ignored). */
bool http_etag_match(const char *v, size_t n, const char *etag);

/* Parses an HTTP date (RFC 9110: IMF-fixdate, and the obsolete RFC 850
 * and asctime forms) into seconds since the epoch.  False if it is none
 * of them, or out of range. */
bool http_date_parse(const char *v, size_t n, int64_t *t);

/* IMF-fixdate of t ("Sun, 06 Nov 1994 08:49:37 GMT"); out holds 30 bytes. */
void http_date_format(int64_t t, char out[30]);

/* Appends p[0..n) for a quoted field of an access log line: bytes below
 * 0x20, from 0x7f, '"' and '\' become \xHH, so a line stays one line and
 * its quotes stay balanced.  An empty value is written as "-". */
void http_log_escape(struct buf *b, const char *p, size_t n);

/* The link prefix of a base URL: its path, with a '/' at each end
 * ("https://example.org/lists" -> "/lists/", NULL -> "/").  Returns false
 * (and leaves out empty) if the path holds a byte that a link may not
 * carry as it is: controls, space, quotes, '<', '>', '\', '?', '#', or a
 * "." or ".." segment.  out is owned by the caller. */
bool http_base_path(const char *url, struct buf *out);

/* The origin of an absolute base URL, "scheme://host[:port]"
 * ("https://example.org/lists/" -> "https://example.org"); out is left
 * empty for a path alone.  Returns false if the scheme is not http or
 * https or the host holds anything but letters, digits, '.', '-', ':',
 * '[' and ']'. */
bool http_base_origin(const char *url, struct buf *out);

/* True if a Host header value (an authority) may go into a Location as
 * it is: 1 to 255 bytes of letters, digits, '.', '-', ':', '[', ']'. */
bool http_valid_authority(const char *p, size_t n);

#endif
