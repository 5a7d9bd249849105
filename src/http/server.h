/* server.h: the web server.  libh2o event loops, one per thread, each
 * with its own listening socket (SO_REUSEPORT), its own read-only
 * connection to the index, its own page cache and its own render
 * context; and as many render threads, each with its own connection and
 * render context, which make the pages the loops' caches do not have.
 * Every page made is one route_handle call, the same one
 * `listarc get` makes; this layer adds HTTP around it: methods,
 * conditional requests, gzip, caching and security headers, limits,
 * streaming, the access log and signals. */
#ifndef LISTARC_SERVER_H
#define LISTARC_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/conf.h"
#include "http/headers.h"
#include "util/status.h"

struct http_config {
	const char *data_dir;    /* the archive (DIR/index.sqlite) */
	const struct conf *conf; /* its listarc.conf, borrowed */
	const char *base;        /* link prefix, "/" or "/lists/" (see http_base_path) */
	const char *origin;      /* "https://example.org" of an absolute --base-url, or
	                            NULL: the request's Host (see http_base_origin) */
	const char *listen;      /* "ADDR:PORT", "[ADDR]:PORT" or ":PORT" (every
	                            address); port 0 picks a free one */
	int threads;             /* event loops; 0: one per core */
	int max_conns;           /* open connections; 0: HTTP_CONNS_DEFAULT */
	const char *log_path;    /* access log (combined format); NULL: stderr */
	size_t cache_bytes;      /* page cache of all loops together; 0: none */
	/* Seconds; 0: HTTP_HEAD_TIMEOUT, HTTP_RESPONSE_TIMEOUT, HTTP_DRAIN_TIMEOUT
	 * (tests shorten them). */
	int head_timeout, response_timeout, drain_timeout;
	/* Per-client rate limit (http/ratelimit.h): tokens a second and the
	 * bucket's size; rate 0: none.  Clients on loopback are not limited
	 * unless rate_loopback. */
	double rate, burst;
	bool rate_loopback;
	/* Proxies whose X-Forwarded-For and Forwarded headers name the client
	 * the rate limiter and the access log see (http_client_addr); NULL or
	 * empty: none, the peer is the client. */
	const struct http_trust *trust;
	/* For tests: a directory; while DIR/hold exists (a FIFO), every page
	 * a render thread makes waits for a writer to open and close it
	 * (after creating DIR/held).  NULL: none. */
	const char *test_hold;
};

/* Serves the archive until SIGTERM or SIGINT, then lets the responses in
 * flight finish (for up to HTTP_DRAIN_TIMEOUT seconds) and returns LA_OK.
 * SIGHUP reads listarc.conf again (a file that does not parse leaves the
 * one in force) and reopens the access log.  Once listening it prints
 * "TIME info listarc: listening on http://ADDR:PORT/" to stderr (its log:
 * every line "TIME LEVEL listarc: MESSAGE", TIME in ISO 8601 UTC, LEVEL
 * error, warning or info).  Fails before
 * serving with LA_EINVAL (a bad listen address), LA_EIO (the address is
 * taken, the log cannot be opened) or the status of store_open, with the
 * detail in err. */
LA_MUST_CHECK enum la_status http_serve(const struct http_config *cfg, struct la_err *err);

#endif
