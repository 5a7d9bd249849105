/* headers.h: the few request and response header values the server reads
 * and writes itself (stage-internal to http/).  Each parser takes a
 * (pointer, length) span from the client, reads nothing past it, and
 * treats anything it does not understand as absent. */
#ifndef LISTARC_HEADERS_H
#define LISTARC_HEADERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netinet/in.h>
#include <sys/socket.h>

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

/* The proxies whose X-Forwarded-For and Forwarded headers are believed
 * (`listarc serve --trust-proxy`): addresses or CIDR prefixes. */
#define HTTP_TRUST_MAX 32
struct http_trust {
	struct {
		int family;             /* AF_INET or AF_INET6 */
		unsigned char addr[16]; /* network order; IPv4 in the first 4 */
		unsigned prefix;        /* bits */
	} net[HTTP_TRUST_MAX];
	size_t n;
};

/* Parses a comma-separated list of addresses and prefixes
 * ("127.0.0.1,10.0.0.0/8,::1") into t.  False (t unchanged in part) if an
 * entry is neither, its prefix is too long, or there are more than
 * HTTP_TRUST_MAX. */
bool http_trust_parse(const char *s, struct http_trust *t);

/* Whether sa is one of t's addresses (an IPv4-mapped IPv6 address counts
 * as IPv4). */
bool http_trusted(const struct http_trust *t, const struct sockaddr *sa);

/* The client's address for the rate limiter and the access log, into
 * *out: the peer's, unless the peer is a trusted proxy; then, from the
 * proxies' own headers (Forwarded's for= values if the request has a
 * Forwarded header, else X-Forwarded-For; each the values of all its
 * lines, xff[0..xn) and fwd[0..fn) joined by commas, NULL if absent),
 * read from the right (the last hop), the first address that is not a
 * trusted proxy, or the leftmost if all are.  A value that is not an
 * address ("unknown", an obfuscated for=_x, garbage) ends the walk: the
 * address before it (nearer) is taken.  Returns true if the address came
 * from a header. */
bool http_client_addr(const struct http_trust *t, const struct sockaddr *peer, socklen_t peerlen,
                      const char *xff, size_t xn, const char *fwd, size_t fn,
                      struct sockaddr_storage *out);

#endif
