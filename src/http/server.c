/* server.c: the web server: libh2o event loops around route_handle. */
#define _GNU_SOURCE
#define H2O_USE_LIBUV 0
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <h2o.h>

#include "http/headers.h"
#include "http/pagecache.h"
#include "http/ratelimit.h"
#include "http/route.h"
#include "limits.h"
#include "msg/msg.h"
#include "render/render.h"
#include "store/store.h"
#include "util/io.h"
#include "util/vec.h"

/* A streamed body goes out in pieces of about this size, made on the
 * render threads: one piece being written and the next one made ahead
 * at most, so that a slow reader costs two pieces of memory (and the
 * stream's own state), and making them never holds up the loop. */
#define STREAM_PIECE ((size_t)64 << 10)
/* A streamed body that turns out no bigger than this (a thread's mbox,
 * a search's) is finished before it is sent and kept in the page cache
 * like any page: made once, not on every request.  A bigger one (a raw
 * message of many megabytes) goes on streaming after what was read. */
#define STREAM_CACHE_MAX ((size_t)2 << 20)
/* Access log lines wait in a per-loop buffer until the loop has handled
 * what was ready (or the buffer holds this much). */
#define LOG_FLUSH_AT ((size_t)32 << 10)

static const char csp[] = "default-src 'none'; style-src 'self'; img-src 'self'";

struct server;
struct job;

/* One event loop, on its own thread. */
struct worker {
	struct server *srv;
	pthread_t tid;
	int listen_fd; /* owned until the loop wraps it in `listener` */
	h2o_evloop_t *loop;
	h2o_context_t ctx;
	h2o_accept_ctx_t accept_ctx;
	h2o_socket_t *listener;
	bool accept_paused;
	h2o_multithread_receiver_t wake;     /* the main thread asks for shutdown */
	h2o_multithread_message_t stop;      /* ... with this message */
	h2o_multithread_receiver_t rendered; /* pages the render threads made */
	int jobs_out;                        /* of this loop's, not yet back */
	/* The index's version as read in this round of the loop (a round
	 * handles requests that had all arrived before it read it). */
	uint64_t version;
	bool have_version, version_read;
	h2o_timeout_t tick; /* once a second: timeouts, log */
	h2o_timeout_entry_t tick_entry;
	struct store *st;
	struct render_ctx rc;
	/* The configuration rc.conf points to, published for reload_conf: a
	 * configuration no loop holds here is freed (a hazard pointer). */
	_Atomic(const struct conf *) conf_held;
	struct pagecache *cache; /* NULL: no cache */
	h2o_linklist_t conns;    /* least recently active first (see touch) */
	int nconns, max_conns;
	int ncut; /* of nconns, those cut and about to close */
	bool stopping;
	uint64_t drain_until;
	struct buf log;
};

/* One client connection (HTTP/1). */
struct conn {
	h2o_linklist_t link;
	struct worker *w;
	h2o_socket_t *sock;
	bool busy; /* a request of it is being answered */
	uint64_t busy_since;
	bool cut; /* shut down by us; h2o closes it next */
};

/* One request being answered; lives in the request's memory pool and is
 * released with it. */
struct exchange {
	h2o_generator_t gen;
	struct worker *w;
	struct conn *conn;
	struct page *page; /* the response (a reference) */
	const char *mem;   /* what is left to send of its body */
	size_t mem_len;
	/* The rest of a streamed body, made a piece at a time on the render
	 * threads (NULL: none). */
	struct job *sj;
	struct buf piece; /* the piece of it being sent */
	bool want;        /* h2o waits for the next piece, not made yet */
	const char *path;
	h2o_req_t *req;
	bool head;       /* a HEAD request */
	struct job *job; /* the page being made for it on a render thread */
};

/* A render thread: it makes the pages the loops do not have in their
 * caches, with its own read-only connection to the index, so that a
 * slow page (a big thread, a search) never holds up a loop, which goes on
 * answering its other connections (from its cache, with 304s, errors). */
struct renderer {
	struct server *srv;
	pthread_t tid;
	struct store *st;
	struct render_ctx rc;
	_Atomic(const struct conf *) conf_held; /* as a loop's (take_conf) */
};

/* A page to make on a render thread for a request of loop w; w frees it
 * when it comes back (on_rendered).  A page whose body goes on as a
 * stream keeps its job, which becomes the stream's (chunk): each time
 * the loop wants the next piece it queues the job again, a render thread
 * makes the piece into out, and the loop sends it when it comes back.
 * One piece is made at a time, so a stream is only ever on one thread. */
struct job {
	h2o_linklist_t queue;          /* in the server's queue of jobs */
	h2o_multithread_message_t msg; /* back to the loop when made */
	struct worker *w;
	struct exchange *x; /* NULL once the request is gone (loop only) */
	bool chunk;         /* the next piece of stream, not a page */
	/* Loop only: queued or being made; a piece made is in out. */
	bool busy, ready;
	/* Set by the loop when the request is gone: a piece not begun is
	 * not made (the stream is freed when the job is back). */
	atomic_bool cancelled;
	const char *path; /* in this allocation, NUL-terminated */
	size_t n;
	const char *key; /* the cache's key (kn 0: not to be cached) */
	size_t kn;
	uint64_t version;               /* the loop's version of the index, for the cache */
	char origin[300];               /* of the request (request_origin), or "" */
	const struct render_zone *zone; /* the reader's (req_zone), or NULL */
	/* What was made: the page (NULL if memory ran out) and the rest of
	 * its body as a stream. */
	struct page *p;
	struct response_stream stream;
	/* A piece of the stream: its bytes, whether it is the last, the
	 * error that cut the stream short.  The stream is freed by the
	 * render thread that made its last piece. */
	struct buf out;
	bool done;
	enum la_status err;
};

struct server {
	const struct http_config *cfg;
	h2o_globalconf_t h2o;
	struct worker *workers;
	int nworkers;
	int log_fd;
	bool log_owned;
	int64_t started;
	uint64_t response_ms, drain_ms;    /* the timeouts in force */
	char where[INET6_ADDRSTRLEN + 16]; /* "127.0.0.1:8080" */
	struct ratelimit *rl;              /* NULL: no rate limit */
	/* listarc.conf as last read: cfg->conf at start (the caller's),
	 * then what SIGHUP read, and its generation, which keys the page
	 * caches with the index's version.  `confs` holds those SIGHUP read
	 * that some loop or render thread may still hold (conf_held), the
	 * one in force included: at most one per loop and render thread and
	 * one more, whatever the number of reloads. */
	_Atomic(const struct conf *) conf_now;
	atomic_uint conf_gen;
	struct conf **confs;
	size_t nconfs, capconfs;
	pthread_barrier_t ready;
	/* The render threads and the jobs waiting for them (first in, first
	 * made), behind jobs_lock. */
	struct renderer *renderers;
	int nrenderers;
	pthread_mutex_t jobs_lock;
	pthread_cond_t jobs_cond;
	h2o_linklist_t jobs;
	bool jobs_stop;
};

/* The configuration in force, held by a loop (or a render thread) in
 * `held` until its next request: it is
 * published in w->conf_held and read again, so that reload_conf, which
 * replaces conf_now before it looks at what the loops hold, either sees
 * it held or has not replaced it yet (all seq_cst). */
static const struct conf *take_conf(struct server *srv, _Atomic(const struct conf *) *held)
{
	const struct conf *c;
	do {
		c = atomic_load(&srv->conf_now);
		atomic_store(held, c);
	} while (c != atomic_load(&srv->conf_now));
	return c;
}

static struct worker *worker_of(h2o_context_t *ctx)
{
	return H2O_STRUCT_FROM_MEMBER(struct worker, ctx, ctx);
}

static struct conn *conn_of(h2o_req_t *req)
{
	h2o_socket_t *sock = req->conn->callbacks->get_socket
	                             ? req->conn->callbacks->get_socket(req->conn)
	                             : NULL;
	return sock ? sock->on_close.data : NULL;
}

/* ---- the access log ---- */

static void log_flush(struct worker *w)
{
	/* A full disk loses log lines, never requests. */
	la_ignore(io_write_all(w->srv->log_fd, w->log.data, w->log.len));
	buf_reset(&w->log);
}

static void header_value(h2o_req_t *req, const h2o_token_t *token, struct buf *b)
{
	ssize_t i = h2o_find_header(&req->headers, token, -1);
	if (i == -1)
		buf_addc(b, '-');
	else
		http_log_escape(b, req->headers.entries[i].value.base,
		                req->headers.entries[i].value.len);
}

/* All the lines of header name joined by commas, in req's pool; NULL if
 * it has none. */
static const char *header_joined(h2o_req_t *req, const char *name, size_t nlen, size_t *n)
{
	*n = 0;
	const char *out = NULL;
	for (ssize_t i = -1; (i = h2o_find_header_by_str(&req->headers, name, nlen, i)) != -1;) {
		h2o_iovec_t v = req->headers.entries[i].value;
		if (!out) {
			out = v.base;
			*n = v.len;
			continue;
		}
		char *j = h2o_mem_alloc_pool(&req->pool, *n + 1 + v.len);
		memcpy(j, out, *n);
		j[*n] = ',';
		memcpy(j + *n + 1, v.base, v.len);
		out = j;
		*n += 1 + v.len;
	}
	return out;
}

/* The client's address into ss (http_client_addr: the peer, or behind a
 * trusted proxy the address its headers name); its length, 0 if the peer
 * has none. */
static socklen_t client_of(const struct server *srv, h2o_req_t *req, struct sockaddr_storage *ss)
{
	struct sockaddr_storage peer;
	socklen_t sl = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&peer);
	if (sl == 0)
		return 0;
	const struct http_trust *t = srv->cfg->trust;
	if (!t || t->n == 0 || !http_trusted(t, (struct sockaddr *)&peer)) {
		memcpy(ss, &peer, sizeof peer);
		return sl;
	}
	size_t xn, fn;
	const char *xff = header_joined(req, "x-forwarded-for", 15, &xn);
	const char *fwd = header_joined(req, "forwarded", 9, &fn);
	http_client_addr(t, (struct sockaddr *)&peer, sl, xff, xn, fwd, fn, ss);
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

/* A line in the combined log format:
 * host - - [time] "request" status bytes "referer" "user-agent" */
static void on_log(h2o_logger_t *self, h2o_req_t *req)
{
	(void)self;
	struct worker *w = worker_of(req->conn->ctx);
	struct buf *b = &w->log;
	struct sockaddr_storage ss;
	char host[INET6_ADDRSTRLEN] = "-";
	socklen_t sl = client_of(w->srv, req, &ss);
	if (sl > 0)
		getnameinfo((struct sockaddr *)&ss, sl, host, sizeof host, NULL, 0, NI_NUMERICHOST);
	char when[64];
	if (req->processed_at.str) {
		snprintf(when, sizeof when, "%s", req->processed_at.str->log);
	} else {
		time_t now = time(NULL);
		struct tm tm;
		strftime(when, sizeof when, "%d/%b/%Y:%H:%M:%S %z", localtime_r(&now, &tm));
	}
	buf_printf(b, "%s - - [%s] \"", host, when);
	http_log_escape(b, req->input.method.base, req->input.method.len);
	buf_addc(b, ' ');
	http_log_escape(b, req->input.path.base, req->input.path.len);
	buf_printf(b, " HTTP/%d.%d\" %d ", req->version >> 8, req->version & 0xff, req->res.status);
	if (req->bytes_sent)
		buf_printf(b, "%zu \"", req->bytes_sent);
	else
		buf_adds(b, "- \"");
	header_value(req, H2O_TOKEN_REFERER, b);
	buf_adds(b, "\" \"");
	header_value(req, H2O_TOKEN_USER_AGENT, b);
	buf_adds(b, "\"\n");
	if (b->err)
		buf_reset(b);
	if (b->len >= LOG_FLUSH_AT)
		log_flush(w);
}

/* ---- responses ---- */

static void add_header(h2o_req_t *req, const h2o_token_t *t, const char *v, size_t n)
{
	h2o_add_header(&req->pool, &req->res.headers, t, NULL, v, n);
}

static void add_header_str(h2o_req_t *req, const char *name, const char *v)
{
	h2o_add_header_by_str(&req->pool, &req->res.headers, name, strlen(name), 0, NULL, v,
	                      strlen(v));
}

static const char *pool_printf(h2o_req_t *req, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static const char *pool_printf(h2o_req_t *req, size_t *n, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	*n = k < 0 ? 0 : (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1;
	char *p = h2o_mem_alloc_pool(&req->pool, *n + 1);
	memcpy(p, tmp, *n + 1);
	return p;
}

/* The value of request header t, or NULL. */
static const h2o_iovec_t *req_header(h2o_req_t *req, const h2o_token_t *t)
{
	ssize_t i = h2o_find_header(&req->headers, t, -1);
	return i == -1 ? NULL : &req->headers.entries[i].value;
}

/* The reader's time zone, from the first Cookie header (of each, an
 * HTTP/2 client may send several) that names one, or NULL. */
static const struct render_zone *req_zone(h2o_req_t *req)
{
	const struct render_zone *z = NULL;
	for (ssize_t i = -1; !z && (i = h2o_find_header(&req->headers, H2O_TOKEN_COOKIE, i)) != -1;)
		z = render_zone_cookie(req->headers.entries[i].value.base,
		                       req->headers.entries[i].value.len);
	return z;
}

static void cut(struct conn *c, bool hard);

/* Moves c to the end of its loop's list, which is kept in order of last
 * activity (a request begun or answered): the connections idle longest
 * come first, for eviction at the cap. */
static void touch(struct conn *c)
{
	h2o_linklist_unlink(&c->link);
	h2o_linklist_insert(&c->w->conns, &c->link);
}

static void stream_job_free(struct job *j)
{
	if (j->stream.free)
		j->stream.free(j->stream.state);
	buf_free(&j->out);
	free(j);
}

static void exchange_dispose(void *p)
{
	struct exchange *x = p;
	if (x->conn) {
		x->conn->busy = false;
		touch(x->conn);
		/* Draining: a connection is done with its last response. */
		if (x->w->stopping)
			cut(x->conn, false);
	}
	/* A page still being made is dropped when it comes back (and not
	 * made, if not begun). */
	if (x->job) {
		x->job->x = NULL;
		atomic_store(&x->job->cancelled, true);
	}
	page_unref(x->page);
	/* So is a stream's piece; a stream idle is freed now. */
	if (x->sj) {
		struct job *j = x->sj;
		x->sj = NULL;
		if (j->busy) {
			j->x = NULL;
			atomic_store(&j->cancelled, true);
		} else {
			stream_job_free(j);
		}
	}
	buf_free(&x->piece);
}

/* One line of the server's own log (stderr; the journal under systemd):
 * "2026-12-06T01:34:40Z LEVEL listarc: MESSAGE", the time in ISO 8601
 * (UTC, seconds) and LEVEL one of error, warning, info; written with one
 * write(2), so that lines of several loops never mix. */
static void say(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const char *level, const char *fmt, ...)
{
	char line[2048];
	time_t now = time(NULL);
	struct tm tm;
	size_t n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ ", gmtime_r(&now, &tm));
	n += (size_t)snprintf(line + n, sizeof line - n, "%s listarc: ", level);
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
	va_end(ap);
	n = k < 0 ? n : n + (size_t)k < sizeof line - 1 ? n + (size_t)k : sizeof line - 2;
	line[n++] = '\n';
	la_ignore(io_write_all(2, line, n));
}

/* Reads r's stream into its body until it ends or the body holds max
 * bytes (or *cancelled is set: the request is gone, and so will the
 * page be); a stream that ended is released.  Returns the stream's
 * error. */
static enum la_status finish_small_stream(struct response *r, size_t max,
                                          const atomic_bool *cancelled)
{
	bool done = false;
	enum la_status e = LA_OK;
	while (e == LA_OK && !done && r->body.len < max && !(cancelled && atomic_load(cancelled)))
		e = r->stream.next(r->stream.state, &r->body, STREAM_PIECE, &done);
	if (e == LA_OK && r->body.err)
		e = r->body.err;
	if (e || done) {
		struct response_stream st = response_take_stream(r);
		if (st.free)
			st.free(st.state);
	}
	return e;
}

/* Queues job j for the render threads. */
static void job_queue(struct server *srv, struct job *j)
{
	pthread_mutex_lock(&srv->jobs_lock);
	h2o_linklist_insert(&srv->jobs, &j->queue);
	pthread_cond_signal(&srv->jobs_cond);
	pthread_mutex_unlock(&srv->jobs_lock);
}

/* Asks a render thread for the next piece of x's stream, unless one is
 * being made or waits to be sent, or the stream has ended. */
static void stream_ask(struct exchange *x)
{
	struct job *j = x->sj;
	if (j->busy || j->ready || !j->stream.next)
		return;
	j->busy = true;
	x->w->jobs_out++;
	job_queue(x->w->srv, j);
}

/* Sends the piece of x's stream made last, and asks for the one after
 * it; without one made yet, h2o waits until it comes back (deliver).  So
 * one piece is being written and one made at most, whatever the client's
 * pace: a client that stops reading stops the stream. */
static void stream_send(struct exchange *x, h2o_req_t *req)
{
	struct job *j = x->sj;
	if (!j->ready) {
		x->want = true;
		stream_ask(x);
		return;
	}
	x->want = false;
	j->ready = false;
	if (j->err) {
		/* (Logged by the render thread, with its store's message.) */
		h2o_send(req, NULL, 0, H2O_SEND_STATE_ERROR);
		return;
	}
	/* The piece written last is done with (h2o asks for more only
	 * then): it takes the next. */
	struct buf t = x->piece;
	x->piece = j->out;
	j->out = t;
	bool last = j->done;
	if (!last)
		stream_ask(x);
	h2o_iovec_t v = h2o_iovec_init(x->piece.data, x->piece.len);
	h2o_send(req, &v, v.len ? 1 : 0, last ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
}

/* Sends the next piece of the body: of the page in memory, then of the
 * stream.  h2o calls it again when that piece has been written, which is
 * the progress the response timeout watches. */
static void send_more(h2o_generator_t *g, h2o_req_t *req)
{
	struct exchange *x = H2O_STRUCT_FROM_MEMBER(struct exchange, gen, g);
	if (x->conn)
		x->conn->busy_since = h2o_now(x->w->loop);
	if (x->mem_len > 0) {
		/* A body up to four pieces goes out in one write. */
		size_t k = x->mem_len <= 4 * STREAM_PIECE ? x->mem_len : STREAM_PIECE;
		h2o_iovec_t v = h2o_iovec_init(x->mem, k);
		x->mem += k;
		x->mem_len -= k;
		bool last = x->mem_len == 0 && !x->sj;
		h2o_send(req, &v, 1, last ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
		return;
	}
	if (!x->sj) {
		h2o_send(req, NULL, 0, H2O_SEND_STATE_FINAL);
		return;
	}
	stream_send(x, req);
}

static void stream_stop(h2o_generator_t *g, h2o_req_t *req)
{
	(void)g;
	(void)req; /* the exchange's dispose releases the stream */
}

/* The ETag of the gzip form: the tag with "-gz" inside its quotes. */
static const char *gzip_etag(h2o_req_t *req, const char *etag, size_t *n)
{
	size_t l = strlen(etag);
	return pool_printf(req, n, "%.*s-gz\"", (int)(l ? l - 1 : 0), etag);
}

static bool not_modified(h2o_req_t *req, const struct page *p, const char *etag,
                         const char *gz_etag)
{
	const h2o_iovec_t *inm = req_header(req, H2O_TOKEN_IF_NONE_MATCH);
	if (inm)
		return (etag[0] && http_etag_match(inm->base, inm->len, etag)) ||
		       (gz_etag && http_etag_match(inm->base, inm->len, gz_etag));
	const h2o_iovec_t *ims = req_header(req, H2O_TOKEN_IF_MODIFIED_SINCE);
	int64_t t;
	return ims && p->last_modified && http_date_parse(ims->base, ims->len, &t) &&
	       p->last_modified <= t;
}

/* Whether search engines should leave this answer out of their indexes
 * (X-Robots-Tag: noindex): an error, or a hidden or purged message's 410
 * (the engines drop it sooner); a search's results (endless pages of the
 * same messages); anything but an HTML page (a raw message, an mbox, an
 * attachment, JSON, a feed: the message's page is the one to find).
 * robots.txt asks crawlers not to fetch most of these; this is for those
 * that fetch them anyway, or follow a link to them. */
static bool noindex(const h2o_req_t *req, const struct page *p)
{
	if (p->status >= 400)
		return true;
	if (p->status != 200)
		return false;
	if (!p->content_type || strncmp(p->content_type, "text/html", 9) != 0)
		return true;
	const char *path = req->input.path.base, *end = path + req->input.path.len;
	const char *q = memchr(path, '?', req->input.path.len);
	while (q && q < end) {
		q++;
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *stop = amp ? amp : end;
		if (stop - q > 2 && q[0] == 'q' && q[1] == '=')
			return true;
		q = amp;
	}
	return false;
}

/* Sends page p (the exchange takes the caller's reference). */
static void send_page(struct exchange *x, h2o_req_t *req, struct page *p, bool head)
{
	struct worker *w = x->w;
	x->page = p;
	int status = p->status;
	size_t n;
	add_header_str(req, "content-security-policy", csp);
	add_header_str(req, "x-content-type-options", "nosniff");
	add_header_str(req, "referrer-policy", "same-origin");
	add_header_str(req, "x-frame-options", "DENY");
	if (noindex(req, p))
		add_header_str(req, "x-robots-tag", "noindex");
	if (p->location)
		add_header(req, H2O_TOKEN_LOCATION, p->location, strlen(p->location));
	if (p->set_cookie)
		add_header(req, H2O_TOKEN_SET_COOKIE, p->set_cookie, strlen(p->set_cookie));
	/* A page's times on hover are in the zone of the reader's tz cookie
	 * (render/zone.c): a shared cache must not give it to another. */
	bool html = p->content_type && !strncmp(p->content_type, "text/html", 9);
	if (html && !p->compressible)
		add_header(req, H2O_TOKEN_VARY, H2O_STRLIT("Cookie"));
	if (p->filename[0]) {
		const char *v = pool_printf(req, &n, "%s; filename=\"%s\"",
		                            p->attachment ? "attachment" : "inline", p->filename);
		add_header(req, H2O_TOKEN_CONTENT_DISPOSITION, v, n);
	}
	if (p->truncated) {
		const char *v = pool_printf(req, &n, "%d", p->truncated);
		add_header_str(req, "x-listarc-truncated", v);
	}
	/* The page's header values live as long as this response. */
	if (p->cache_control[0]) {
		add_header(req, H2O_TOKEN_CACHE_CONTROL, p->cache_control,
		           strlen(p->cache_control));
	} else {
		add_header(req, H2O_TOKEN_CACHE_CONTROL, H2O_STRLIT("no-store"));
	}
	/* gzip when the client takes it and it pays; the gzip form is another
	 * representation, with its own ETag. */
	bool gz = false;
	const char *gz_etag = NULL;
	if (p->compressible) {
		if (html)
			add_header(req, H2O_TOKEN_VARY, H2O_STRLIT("Accept-Encoding, Cookie"));
		else
			add_header(req, H2O_TOKEN_VARY, H2O_STRLIT("Accept-Encoding"));
		const h2o_iovec_t *ae = req_header(req, H2O_TOKEN_ACCEPT_ENCODING);
		if (ae && !x->sj && http_accepts_gzip(ae->base, ae->len)) {
			size_t growth;
			gz = page_gzip(p, &growth);
			if (growth && w->cache)
				pagecache_grew(w->cache, p, growth);
		}
	}
	if (status == 200 && p->etag[0]) {
		size_t gl = strlen(p->etag);
		if (gz)
			gz_etag = gzip_etag(req, p->etag, &gl);
		add_header(req, H2O_TOKEN_ETAG, gz ? gz_etag : p->etag, gl);
	}
	if (status == 200 && p->last_modified_http[0])
		add_header(req, H2O_TOKEN_LAST_MODIFIED, p->last_modified_http,
		           strlen(p->last_modified_http));
	if (status == 200 && not_modified(req, p, p->etag, gz_etag))
		status = 304;
	req->res.status = status;
	req->res.reason = http_reason(status);
	if (status != 304 && p->content_type)
		add_header(req, H2O_TOKEN_CONTENT_TYPE, p->content_type, strlen(p->content_type));
	if (gz && status != 304)
		add_header(req, H2O_TOKEN_CONTENT_ENCODING, H2O_STRLIT("gzip"));

	const char *body = gz ? p->gz : p->body;
	size_t len = gz ? p->gz_len : p->len;
	if (status == 304 || status == 204 || head) {
		/* No body; a HEAD says how long the GET's would be, when known. */
		bool known = head && status != 304 && status != 204 && !x->sj;
		req->res.content_length = known ? len : SIZE_MAX;
		h2o_start_response(req, &x->gen);
		h2o_send(req, NULL, 0, H2O_SEND_STATE_FINAL);
		return;
	}
	/* In pieces, so that a big body (and a stream) goes out as fast as
	 * the client takes it, and a client that stops taking it is noticed. */
	req->res.content_length = x->sj ? SIZE_MAX : len;
	x->mem = body;
	x->mem_len = len;
	x->gen.proceed = send_more;
	x->gen.stop = stream_stop;
	/* The stream's first piece is made while the page's body goes out. */
	if (x->sj)
		stream_ask(x);
	h2o_start_response(req, &x->gen);
	send_more(&x->gen, req);
}

/* An error page of ours (405, 431), through the renderers' skeleton. */
static void send_error(struct exchange *x, h2o_req_t *req, int status, const char *what)
{
	struct response r;
	response_init(&r);
	render_error(&x->w->rc, &r, status, what);
	struct page *p = page_from_response(&r, 0);
	response_free(&r);
	if (!p) {
		h2o_send_error_generic(req, 500, "Internal Server Error", "out of memory", 0);
		return;
	}
	send_page(x, req, p, false);
}

/* Bytes of the request's header fields as the client sent them, near
 * enough.  The request line is not counted: a path too long is the
 * router's to refuse (414). */
static size_t head_size(h2o_req_t *req)
{
	size_t n = req->input.authority.len + 16;
	for (size_t i = 0; i < req->headers.size; i++)
		n += req->headers.entries[i].name->len + req->headers.entries[i].value.len + 4;
	return n;
}

/* The origin of the archive as this request sees it, into out: the
 * --base-url's, else http:// and the request's Host.  False if the Host
 * is not a plain name. */
static bool request_origin(struct worker *w, h2o_req_t *req, char *out, size_t n)
{
	if (w->srv->cfg->origin)
		snprintf(out, n, "%s", w->srv->cfg->origin);
	else if (http_valid_authority(req->authority.base, req->authority.len))
		snprintf(out, n, "http://%.*s", (int)req->authority.len, req->authority.base);
	else
		return false;
	return true;
}

/* Makes r's Location absolute: origin (request_origin's) before it; left
 * as it is without one. */
static void absolute_location(const char *origin, struct response *r)
{
	if (!origin || !origin[0])
		return;
	size_t ol = strlen(origin), ll = strlen(r->location);
	if (ol + ll >= sizeof r->location)
		return;
	memmove(r->location + ol, r->location, ll + 1);
	memcpy(r->location, origin, ol);
}

/* Makes the page for path with rc, inside the read transaction the
 * caller began on st and ends: a stream no bigger than STREAM_CACHE_MAX
 * is finished if the page may be cached (cacheable), unless *cancelled
 * is set meanwhile (NULL: never); the rest of a bigger one goes to
 * *stream.  origin: the request's (request_origin), or "".  NULL if
 * memory runs out. */
static struct page *make_page(const struct server *srv, struct store *st, struct render_ctx *rc,
                              const char *path, size_t n, bool cacheable, const char *origin,
                              const atomic_bool *cancelled, struct response_stream *stream)
{
	struct response r;
	response_init(&r);
	rc->req_origin = origin[0] ? origin : NULL;
	enum la_status e = route_handle(rc, path, n, &r);
	rc->req_origin = NULL;
	if (e)
		say("error", "serve %s: %s: %s (%s)", path, http_reason(r.status), la_strstatus(e),
		    store_errmsg(st));
	if (!e && r.stream.next && cacheable && r.status == 200 &&
	    (e = finish_small_stream(&r, STREAM_CACHE_MAX, cancelled)) != LA_OK) {
		say("error", "serve %s: body cut short: %s (%s)", path, la_strstatus(e),
		    store_errmsg(st));
		render_error(rc, &r, 500, "The response could not be made.");
	}
	int64_t lm = 0;
	if (r.status == 200) {
		/* Pages change with the index, and with listarc itself. */
		lm = store_mtime(st);
		if (lm < srv->started)
			lm = srv->started;
	}
	if (r.location_absolute && r.location[0] == '/')
		absolute_location(origin, &r);
	struct page *p = page_from_response(&r, lm);
	*stream = response_take_stream(&r);
	response_free(&r);
	return p;
}

/* Whether the page for rt is made on a render thread: all but the few
 * answers that need no page made (a redirect, the stylesheet,
 * robots.txt).  A stream (an mbox of a thread, a month, a list, a
 * search; a big raw message) goes on there too, a piece at a time
 * (stream_send). */
static bool renders_off_loop(const struct route *rt)
{
	return !route_is_static(rt);
}

/* The job of a stream that loop w made itself (make_page on the loop),
 * to go on on the render threads as theirs do; NULL (and the stream
 * freed) if memory runs out. */
static struct job *stream_job_new(struct worker *w, struct exchange *x,
                                  struct response_stream stream)
{
	size_t n = strlen(x->path);
	struct job *j = calloc(1, sizeof *j + n + 1);
	if (!j) {
		stream.free(stream.state);
		return NULL;
	}
	memcpy(j + 1, x->path, n + 1);
	j->path = (const char *)(j + 1);
	j->n = n;
	j->w = w;
	j->x = x;
	j->chunk = true;
	j->stream = stream;
	buf_init(&j->out, 4 * STREAM_PIECE);
	buf_init(&x->piece, 4 * STREAM_PIECE);
	return j;
}

/* What a request costs in rate-limit tokens: a page from the cache 1,
 * one made 2, a listing that reads many rows 4, a search 10, an mbox
 * download (a thread, a search's) 20. */
static double request_cost(const struct route *rt, bool cached)
{
	if (cached)
		return 1;
	bool q = rt->query.has_q && rt->query.q[0];
	switch (rt->kind) {
	case R_MID_MBOX: return 20;
	case R_INDEX:
	case R_LIST:
	case R_MID:
		if (q)
			return !strcmp(rt->query.x, "m") ? 20 : 10;
		return rt->kind == R_MID ? 2 : 4;
	case R_YEAR:
	case R_MONTH:
	case R_DAY:
	case R_API_LIST:
	case R_MID_FLAT:
	case R_MID_NESTED:
	case R_API_THREAD:
	case R_SERIES_LIST:
	case R_API_SERIES:
	case R_API_TOPICS:
	case R_API_SENDER:
	case R_API_SENDER_TOPICS:
	case R_HYPERKITTY:
	case R_HYPERKITTY_T:
	case R_PIPERMAIL:
	case R_MHONARC: return 4;
	default: return 2;
	}
}

/* Whether the client may have this request (see ratelimit.h); if not,
 * answers it 429 with Retry-After. */
static bool rate_allows(struct exchange *x, h2o_req_t *req, const struct route *rt, bool cached)
{
	struct server *srv = x->w->srv;
	struct sockaddr_storage ss;
	unsigned char key[16];
	bool loopback;
	if (!srv->rl || !client_of(srv, req, &ss) ||
	    !ratelimit_client((struct sockaddr *)&ss, key, &loopback) ||
	    (loopback && !srv->cfg->rate_loopback))
		return true;
	int wait = ratelimit_take(srv->rl, key, request_cost(rt, cached), h2o_now(x->w->loop));
	if (!wait)
		return true;
	size_t n;
	const char *v = pool_printf(req, &n, "%d", wait);
	add_header(req, H2O_TOKEN_RETRY_AFTER, v, n);
	send_error(x, req, 429, "Too many requests from your address: please slow down.");
	return false;
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
	(void)self;
	struct worker *w = worker_of(req->conn->ctx);
	struct exchange *x = h2o_mem_alloc_shared(&req->pool, sizeof *x, exchange_dispose);
	memset(x, 0, sizeof *x);
	x->w = w;
	x->req = req;
	x->conn = conn_of(req);
	if (x->conn) {
		x->conn->busy = true;
		x->conn->busy_since = h2o_now(w->loop);
		touch(x->conn);
	}
	if (w->stopping)
		req->http1_is_persistent = 0;
	const char *path = req->input.path.base;
	size_t n = req->input.path.len;
	x->path = h2o_mem_alloc_pool(&req->pool, n + 1);
	memcpy((char *)x->path, path, n);
	((char *)x->path)[n] = '\0';

	bool head = h2o_memis(req->input.method.base, req->input.method.len, H2O_STRLIT("HEAD"));
	bool post = h2o_memis(req->input.method.base, req->input.method.len, H2O_STRLIT("POST"));
	if (!head && !h2o_memis(req->input.method.base, req->input.method.len, H2O_STRLIT("GET"))) {
		/* POST only for a search's mbox (lei); its body is not read
		 * (libh2o caps it at max_request_entity_size). */
		struct route rt;
		route_parse(path, n, &rt);
		if (!post || !route_takes_post(&rt)) {
			if (route_takes_post(&rt))
				add_header(req, H2O_TOKEN_ALLOW, H2O_STRLIT("GET, HEAD, POST"));
			else
				add_header(req, H2O_TOKEN_ALLOW, H2O_STRLIT("GET, HEAD"));
			send_error(x, req, 405, "This archive answers GET and HEAD requests only.");
			return 0;
		}
	}
	/* A request framed both ways (Content-Length and Transfer-Encoding)
	 * can smuggle a second request past a proxy in front that reads the
	 * other framing (RFC 9112 section 6.3).  libh2o takes the chunked
	 * framing and keeps neither header, so what is refused is what such
	 * a request needs: framing.  A GET or HEAD that declares a body at
	 * all (even an empty one) is answered 400 and its connection closed;
	 * a POST (lei's search, whose body is empty) may carry an empty body
	 * only. */
	if (req->entity.base != NULL && (!post || req->entity.len > 0)) {
		req->http1_is_persistent = 0;
		send_error(x, req, 400, "This archive reads no request bodies.");
		return 0;
	}
	if (head_size(req) > HTTP_HEADERS_MAX) {
		req->http1_is_persistent = 0;
		send_error(x, req, 431, "The header fields of this request are too large.");
		return 0;
	}

	/* The index's version, which keys the cache: read once a round of
	 * the loop, after the requests of the round came in, so it is never
	 * older than the request (a page made takes a snapshot of its own). */
	if (!w->version_read) {
		w->have_version = store_data_version(w->st, &w->version) == LA_OK;
		w->version_read = true;
	}
	uint64_t version = w->version;
	bool have_version = w->have_version;
	/* The configuration as of this request (SIGHUP may have read a new
	 * one): pages made with an older one are not the cache's. */
	w->rc.conf = take_conf(w->srv, &w->conf_held);
	version ^= (uint64_t)atomic_load(&w->srv->conf_gen) << 40;
	char key[2 * URL_MAX + 256]; /* a path and its query */
	size_t kn = 0;
	/* On the stack, not in the request's pool: it is big, and pipelined
	 * requests keep their pools until answered. */
	struct route rt;
	route_parse(path, n, &rt);
	if (have_version && w->cache)
		kn = route_key(&rt, key, sizeof key);
	/* A page made for a reader's zone is cached under it. */
	w->rc.zone = req_zone(req);
	if (kn && w->rc.zone) {
		int k = snprintf(key + kn, sizeof key - kn, "|tz=%s", render_zone_name(w->rc.zone));
		kn = k > 0 && (size_t)k < sizeof key - kn ? kn + (size_t)k : 0;
	}
	struct page *p = kn ? pagecache_get(w->cache, key, kn, version) : NULL;
	if (w->srv->rl && !rate_allows(x, req, &rt, p != NULL)) {
		page_unref(p);
		return 0;
	}
	if (p) {
		send_page(x, req, p, head);
		return 0;
	}
	char origin[300];
	if (!request_origin(w, req, origin, sizeof origin))
		origin[0] = '\0';
	if (w->srv->nrenderers > 0 && renders_off_loop(&rt)) {
		struct job *j = calloc(1, sizeof *j + n + 1 + kn);
		if (!j) {
			h2o_send_error_generic(req, 500, "Internal Server Error", "out of memory",
			                       0);
			return 0;
		}
		char *tail = (char *)(j + 1);
		memcpy(tail, x->path, n + 1);
		memcpy(tail + n + 1, key, kn);
		j->path = tail;
		j->n = n;
		j->key = tail + n + 1;
		j->kn = kn;
		j->version = version;
		j->w = w;
		j->x = x;
		memcpy(j->origin, origin, sizeof origin);
		j->zone = w->rc.zone;
		w->rc.zone = NULL;
		x->head = head;
		x->job = j;
		w->jobs_out++;
		job_queue(w->srv, j);
		return 0;
	}
	/* One snapshot of the index for the whole page. */
	uint64_t snapshot;
	struct response_stream stream;
	la_ignore(store_read_begin(w->st, &snapshot));
	p = make_page(w->srv, w->st, &w->rc, x->path, n, kn > 0, origin, NULL, &stream);
	w->rc.zone = NULL;
	store_read_end(w->st);
	if (!p && stream.free)
		stream.free(stream.state);
	if (p && stream.next && !(x->sj = stream_job_new(w, x, stream))) {
		page_unref(p);
		p = NULL;
	}
	if (!p) {
		h2o_send_error_generic(req, 500, "Internal Server Error", "out of memory", 0);
		return 0;
	}
	if (kn && p->status == 200 && !x->sj)
		pagecache_put(w->cache, key, kn, version, p);
	send_page(x, req, p, head);
	return 0;
}

/* ---- render threads ---- */

/* For tests (LISTARC_TEST_HOLD=DIR, http_config.test_hold): while DIR/hold
 * exists (a FIFO), a render thread about to make a page creates
 * DIR/held and waits until a writer has opened the FIFO and closed it
 * again; so a test holds a page being made as long as it likes. */
static void test_hold(const char *dir)
{
	char fifo[4096], held[4096];
	snprintf(fifo, sizeof fifo, "%s/hold", dir);
	snprintf(held, sizeof held, "%s/held", dir);
	if (access(fifo, F_OK) != 0)
		return;
	int fd = open(held, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	fd = open(fifo, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	char b[64];
	for (;;) {
		ssize_t k = read(fd, b, sizeof b);
		if (k == 0 || (k < 0 && errno != EINTR))
			break;
	}
	close(fd);
}

/* Makes job j's page on render thread rd, in a snapshot of its own;
 * nothing if its request is gone before it begins (a search's mbox
 * asked and dropped must not cost its query). */
static void render_job(struct renderer *rd, struct job *j)
{
	struct server *srv = rd->srv;
	if (srv->cfg->test_hold)
		test_hold(srv->cfg->test_hold);
	if (atomic_load(&j->cancelled))
		return;
	rd->rc.conf = take_conf(srv, &rd->conf_held);
	uint64_t version;
	la_ignore(store_read_begin(rd->st, &version));
	rd->rc.zone = j->zone;
	j->p = make_page(srv, rd->st, &rd->rc, j->path, j->n, j->kn > 0, j->origin, &j->cancelled,
	                 &j->stream);
	rd->rc.zone = NULL;
	store_read_end(rd->st);
}

/* Makes the next piece of stream job j on render thread rd, through
 * rd's connection to the index; frees the stream after its last piece.
 * Nothing for a request that is gone. */
static void make_chunk(struct renderer *rd, struct job *j)
{
	if (atomic_load(&j->cancelled))
		return;
	if (j->stream.store)
		*j->stream.store = rd->st;
	buf_reset(&j->out);
	bool done = false;
	enum la_status e = LA_OK;
	/* A piece may come out empty (a filter holding bytes back); h2o needs
	 * bytes with every piece but the last. */
	while (e == LA_OK && !done && j->out.len == 0)
		e = j->stream.next(j->stream.state, &j->out, STREAM_PIECE, &done);
	if (e == LA_OK && j->out.err)
		e = j->out.err;
	if (e)
		say("error", "serve %s: body cut short: %s (%s)", j->path, la_strstatus(e),
		    store_errmsg(rd->st));
	j->done = done;
	j->err = e;
	if (e || done) {
		j->stream.free(j->stream.state);
		memset(&j->stream, 0, sizeof j->stream);
	}
}

static void *renderer_main(void *arg)
{
	struct renderer *rd = arg;
	struct server *srv = rd->srv;
	for (;;) {
		pthread_mutex_lock(&srv->jobs_lock);
		while (h2o_linklist_is_empty(&srv->jobs) && !srv->jobs_stop)
			pthread_cond_wait(&srv->jobs_cond, &srv->jobs_lock);
		if (h2o_linklist_is_empty(&srv->jobs)) {
			pthread_mutex_unlock(&srv->jobs_lock);
			break;
		}
		struct job *j = H2O_STRUCT_FROM_MEMBER(struct job, queue, srv->jobs.next);
		h2o_linklist_unlink(&j->queue);
		pthread_mutex_unlock(&srv->jobs_lock);
		if (j->chunk)
			make_chunk(rd, j);
		else
			render_job(rd, j);
		h2o_multithread_send_message(&j->w->rendered, &j->msg);
	}
	return NULL;
}

/* A page made for a request of w: sent, and kept in w's cache; dropped if
 * the request is gone. */
static void deliver(struct worker *w, struct job *j)
{
	struct exchange *x = j->x;
	w->jobs_out--;
	if (j->chunk) {
		/* A piece of a stream: sent if h2o waits for it. */
		j->busy = false;
		if (!x) {
			stream_job_free(j);
			return;
		}
		j->ready = true;
		if (x->want)
			stream_send(x, x->req);
		return;
	}
	if (!x) {
		page_unref(j->p);
		stream_job_free(j);
		return;
	}
	x->job = NULL;
	struct page *p = j->p;
	j->p = NULL;
	if (!p) {
		h2o_send_error_generic(x->req, 500, "Internal Server Error", "out of memory", 0);
		stream_job_free(j);
		return;
	}
	if (j->stream.next) {
		/* The body goes on as a stream: the job is now its. */
		j->chunk = true;
		buf_init(&j->out, 4 * STREAM_PIECE);
		buf_init(&x->piece, 4 * STREAM_PIECE);
		x->sj = j;
	} else {
		if (j->kn && p->status == 200 && w->cache)
			pagecache_put(w->cache, j->key, j->kn, j->version, p);
		free(j);
	}
	send_page(x, x->req, p, x->head);
}

static void on_rendered(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
	struct worker *w = H2O_STRUCT_FROM_MEMBER(struct worker, rendered, receiver);
	/* Taken off the list as on_wake does, then delivered (a delivery may
	 * free its job, and with it its link). */
	for (h2o_linklist_t *l = messages->next, *next; l != messages; l = next) {
		next = l->next;
		l->next = l->prev = NULL;
		struct job *j = H2O_STRUCT_FROM_MEMBER(struct job, msg.link, l);
		deliver(w, j);
	}
	h2o_linklist_init_anchor(messages);
}

/* ---- connections ---- */

/* Makes h2o close c: its next read or write fails.  hard: what is still
 * queued for the client is dropped and it gets a reset (it stopped
 * reading; waiting for it to drain the socket would keep it around). */
static void cut(struct conn *c, bool hard)
{
	if (c->cut)
		return;
	c->cut = true;
	c->w->ncut++;
	int fd = h2o_socket_get_fd(c->sock);
	if (hard) {
		struct linger lg = {.l_onoff = 1, .l_linger = 0};
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	}
	shutdown(fd, SHUT_RDWR);
}

static void on_accept(h2o_socket_t *listener, const char *err);

static void on_conn_close(void *data)
{
	struct conn *c = data;
	struct worker *w = c->w;
	h2o_linklist_unlink(&c->link);
	w->ncut -= c->cut;
	free(c);
	w->nconns--;
	if (w->accept_paused && !w->stopping && w->listener && w->nconns - w->ncut < w->max_conns) {
		w->accept_paused = false;
		h2o_socket_read_start(w->listener, on_accept);
	}
}

/* At the cap, the connection idle the longest (no request being
 * answered: a keep-alive client, one that sent nothing, or one still
 * trickling its request head) is closed to make room for a new one, as
 * nginx reuses its idle keep-alive connections: two thousand idle
 * sockets must not lock everyone else out until they time out.  NULL if
 * every connection is busy answering a request. */
static struct conn *idle_victim(struct worker *w)
{
	for (h2o_linklist_t *l = w->conns.next; l != &w->conns; l = l->next) {
		struct conn *c = H2O_STRUCT_FROM_MEMBER(struct conn, link, l);
		if (!c->busy && !c->cut)
			return c;
	}
	return NULL;
}

static void pause_accept(struct worker *w)
{
	h2o_socket_read_stop(w->listener);
	w->accept_paused = true;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
	struct worker *w = listener->data;
	if (err)
		return;
	/* A few at a time, so that the other loops get their share. */
	for (int i = 0; i < 8; i++) {
		struct conn *victim = NULL;
		if (w->nconns - w->ncut >= w->max_conns && !(victim = idle_victim(w))) {
			pause_accept(w);
			return;
		}
		h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
		if (!sock) {
			/* Out of descriptors: the listener stays readable, and
			 * trying again at once would spin.  Make room, or wait for
			 * the next tick. */
			if (errno == EMFILE || errno == ENFILE) {
				if ((victim = idle_victim(w)))
					cut(victim, false);
				else
					pause_accept(w);
			}
			return;
		}
		/* Only now that someone is waiting for its place. */
		if (victim)
			cut(victim, false);
		struct conn *c = calloc(1, sizeof *c);
		if (!c) {
			h2o_socket_close(sock);
			return;
		}
		c->w = w;
		c->sock = sock;
		h2o_linklist_insert(&w->conns, &c->link);
		w->nconns++;
		sock->on_close.cb = on_conn_close;
		sock->on_close.data = c;
		h2o_accept(&w->accept_ctx, sock);
	}
}

static void cut_all(struct worker *w, bool idle_only)
{
	for (h2o_linklist_t *l = w->conns.next; l != &w->conns; l = l->next) {
		struct conn *c = H2O_STRUCT_FROM_MEMBER(struct conn, link, l);
		if (!idle_only || !c->busy)
			cut(c, !idle_only);
	}
}

static void on_tick(h2o_timeout_entry_t *entry)
{
	struct worker *w = H2O_STRUCT_FROM_MEMBER(struct worker, tick_entry, entry);
	uint64_t now = h2o_now(w->loop);
	/* Accepting paused for want of descriptors (not at the cap) tries
	 * again once a second. */
	if (w->accept_paused && !w->stopping && w->listener && w->nconns - w->ncut < w->max_conns) {
		w->accept_paused = false;
		h2o_socket_read_start(w->listener, on_accept);
	}
	for (h2o_linklist_t *l = w->conns.next; l != &w->conns; l = l->next) {
		struct conn *c = H2O_STRUCT_FROM_MEMBER(struct conn, link, l);
		if (c->busy && now - c->busy_since > w->srv->response_ms)
			cut(c, true);
	}
	if (w->stopping) {
		/* Responses that finished since leave their connections idle. */
		cut_all(w, now < w->drain_until);
	}
	log_flush(w);
	h2o_timeout_link(w->loop, &w->tick, &w->tick_entry);
}

/* SIGTERM: stop accepting, close idle connections, let the others finish. */
static void on_wake(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
	/* The messages (static, one per worker) are only a wake-up: each is
	 * marked unlinked, so that it can be sent again, and the list
	 * emptied.  (Written out rather than h2o_linklist_unlink in a loop,
	 * whose circular list clang's analyzer cannot follow.) */
	for (h2o_linklist_t *n = messages->next, *next; n != messages; n = next) {
		next = n->next;
		n->next = n->prev = NULL;
	}
	h2o_linklist_init_anchor(messages);
	struct worker *w = H2O_STRUCT_FROM_MEMBER(struct worker, wake, receiver);
	if (w->stopping)
		return;
	w->stopping = true;
	w->ctx.shutdown_requested = 1;
	w->drain_until = h2o_now(w->loop) + w->srv->drain_ms;
	if (w->listener) {
		h2o_socket_read_stop(w->listener);
		h2o_socket_close(w->listener);
		w->listener = NULL;
	}
	cut_all(w, true);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct server *srv = w->srv;
	w->loop = h2o_evloop_create();
	h2o_context_init(&w->ctx, w->loop, &srv->h2o);
	w->accept_ctx.ctx = &w->ctx;
	w->accept_ctx.hosts = srv->h2o.hosts;
	h2o_linklist_init_anchor(&w->conns);
	h2o_multithread_register_receiver(w->ctx.queue, &w->wake, on_wake);
	h2o_multithread_register_receiver(w->ctx.queue, &w->rendered, on_rendered);
	h2o_timeout_init(w->loop, &w->tick, 1000);
	w->tick_entry.cb = on_tick;
	h2o_timeout_link(w->loop, &w->tick, &w->tick_entry);
	w->listener = h2o_evloop_socket_create(w->loop, w->listen_fd, H2O_SOCKET_FLAG_DONT_READ);
	w->listen_fd = -1; /* the listener owns it now */
	w->listener->data = w;
	h2o_socket_read_start(w->listener, on_accept);
	pthread_barrier_wait(&srv->ready);

	/* Until stopped, and every page being made for it is back. */
	while (!w->stopping || w->nconns > 0 || w->jobs_out > 0) {
		w->version_read = false;
		h2o_evloop_run(w->loop, INT32_MAX);
		log_flush(w);
	}
	/* Once more, for sockets closed in the last round. */
	h2o_evloop_run(w->loop, 0);
	log_flush(w);
	h2o_timeout_unlink(&w->tick_entry);
	h2o_timeout_dispose(w->loop, &w->tick);
	h2o_multithread_unregister_receiver(w->ctx.queue, &w->wake);
	h2o_multithread_unregister_receiver(w->ctx.queue, &w->rendered);
	h2o_multithread_queue_t *queue = w->ctx.queue;
	h2o_context_dispose(&w->ctx);
	h2o_evloop_destroy(w->loop);
#if H2O_VERSION_MAJOR == 2 && H2O_VERSION_MINOR < 3
	/* libh2o 2.2's h2o_multithread_destroy_queue (called by
	 * h2o_context_dispose) closes the queue's pipe and socket but never
	 * frees the queue itself; 2.3 does.  Nothing refers to it now that
	 * the loop, which freed the closed socket, is gone. */
	free(queue);
#else
	(void)queue;
#endif
	/* This thread's free list of socket buffers (libh2o keeps it in a
	 * thread-local variable and never releases it): the chunks come from
	 * malloc, and taking them off the list hands them back. */
	h2o_mem_recycle_t *spare = &h2o_socket_buffer_prototype.allocator;
	while (spare->cnt > 0)
		free(h2o_mem_alloc_recycle(spare, 1));
	return NULL;
}

/* ---- listening ---- */

/* Splits "ADDR:PORT", "[ADDR]:PORT" or ":PORT" into host ("" for every
 * address) and port. */
static bool split_listen(const char *s, char *host, size_t hn, char *port, size_t pn)
{
	const char *colon;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':' || (size_t)(close - s - 1) >= hn)
			return false;
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = '\0';
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= hn || memchr(s, ':', (size_t)(colon - s)))
			return false;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
	}
	const char *p = colon + 1;
	size_t l = strlen(p);
	if (l == 0 || l > 5 || l >= pn || strspn(p, "0123456789") != l || atoi(p) > 65535)
		return false;
	memcpy(port, p, l + 1);
	return true;
}

static int listen_socket(const struct addrinfo *ai, bool reuseport)
{
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
		goto fail;
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0)
		goto fail;
	if (reuseport && listen(fd, SOMAXCONN) != 0)
		goto fail;
	return fd;
fail:;
	int saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

static enum la_status open_listeners(struct server *srv, struct la_err *err)
{
	const char *spec = srv->cfg->listen ? srv->cfg->listen : "127.0.0.1:8080";
	char host[256], port[8];
	if (!split_listen(spec, host, sizeof host, port, sizeof port))
		return la_err_set(err, LA_EINVAL,
		                  "--listen %s: not ADDR:PORT, [ADDR]:PORT or :PORT", spec);
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
	                         .ai_socktype = SOCK_STREAM,
	                         .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *res = NULL;
	int gai = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (gai != 0)
		return la_err_set(err, LA_EINVAL, "--listen %s: %s", spec, gai_strerror(gai));
	/* SO_REUSEPORT would let us share a port that another server holds
	 * with the same option, and split its traffic: bind once without it
	 * first, which fails if the port is taken (and picks the port for
	 * port 0). */
	enum la_status e = LA_OK;
	int probe = listen_socket(res, false);
	struct sockaddr_storage bound = {0};
	socklen_t bl = sizeof bound;
	if (probe < 0 || getsockname(probe, (struct sockaddr *)&bound, &bl) != 0) {
		e = la_err_set(err, LA_EIO, "cannot listen on %s: %s", spec, strerror(errno));
		goto out;
	}
	close(probe);
	memcpy(res->ai_addr, &bound, res->ai_addrlen < bl ? res->ai_addrlen : bl);
	for (int i = 0; i < srv->nworkers; i++) {
		srv->workers[i].listen_fd = listen_socket(res, true);
		if (srv->workers[i].listen_fd < 0) {
			e = la_err_set(err, LA_EIO, "cannot listen on %s: %s", spec,
			               strerror(errno));
			goto out;
		}
	}
	char h[INET6_ADDRSTRLEN] = "?", p[8] = "?";
	if (getnameinfo((struct sockaddr *)&bound, bl, h, sizeof h, p, sizeof p,
	                NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(h, sizeof h, "%s", spec);
	snprintf(srv->where, sizeof srv->where, bound.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
	         h, p);
out:
	freeaddrinfo(res);
	return e;
}

/* ---- the whole ---- */

static int open_log(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

static void setup_h2o(struct server *srv)
{
	h2o_config_init(&srv->h2o);
	srv->h2o.server_name = h2o_iovec_init(H2O_STRLIT("listarc"));
	/* GET and HEAD carry no body: a bigger one gets 413 from h2o. */
	srv->h2o.max_request_entity_size = 16 * 1024;
	int head = srv->cfg->head_timeout > 0 ? srv->cfg->head_timeout : HTTP_HEAD_TIMEOUT;
	srv->h2o.http1.req_timeout = (uint64_t)head * 1000;
	srv->h2o.http1.upgrade_to_http2 = 0;
	h2o_hostconf_t *host =
		h2o_config_register_host(&srv->h2o, h2o_iovec_init(H2O_STRLIT("default")), 65535);
	h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
	h2o_handler_t *handler = h2o_create_handler(path, sizeof *handler);
	handler->on_req = on_req;
	h2o_logger_t *logger = h2o_create_logger(path, sizeof *logger);
	logger->log_access = on_log;
}

static void free_workers(struct server *srv)
{
	for (int i = 0; srv->workers && i < srv->nworkers; i++) {
		struct worker *w = &srv->workers[i];
		if (w->listen_fd >= 0)
			close(w->listen_fd);
		pagecache_free(w->cache);
		store_close(w->st);
		buf_free(&w->log);
	}
	free(srv->workers);
	for (int i = 0; srv->renderers && i < srv->nrenderers; i++)
		store_close(srv->renderers[i].st);
	free(srv->renderers);
}

/* Whether a loop or a render thread holds c (conf_held). */
static bool conf_held(const struct server *srv, const struct conf *c)
{
	for (int i = 0; i < srv->nworkers; i++)
		if (atomic_load(&srv->workers[i].conf_held) == c)
			return true;
	for (int i = 0; i < srv->nrenderers; i++)
		if (atomic_load(&srv->renderers[i].conf_held) == c)
			return true;
	return false;
}

/* SIGHUP: reads listarc.conf again; the loops take it at their next
 * request.  A file that does not parse leaves the one in force.  Each
 * configuration an earlier SIGHUP read that no loop holds any more is
 * freed. */
static void reload_conf(struct server *srv)
{
	struct conf *cf = NULL;
	struct la_err err = {0};
	if (!vec_reserve((void **)&srv->confs, &srv->capconfs, srv->nconfs + 1,
	                 sizeof *srv->confs)) {
		say("error", "SIGHUP: out of memory; listarc.conf not read again");
		return;
	}
	if (conf_load(srv->cfg->data_dir, &cf, &err)) {
		say("warning", "SIGHUP: %s; the configuration in force is kept", err.msg);
		conf_free(cf);
		return;
	}
	srv->confs[srv->nconfs++] = cf;
	atomic_store(&srv->conf_now, cf);
	atomic_fetch_add(&srv->conf_gen, 1);
	size_t k = 0;
	for (size_t i = 0; i < srv->nconfs; i++) {
		if (srv->confs[i] == cf || conf_held(srv, srv->confs[i]))
			srv->confs[k++] = srv->confs[i];
		else
			conf_free(srv->confs[i]);
	}
	srv->nconfs = k;
	say("info", "SIGHUP: listarc.conf read again (%zu read by SIGHUP in memory)", srv->nconfs);
}

/* The cap on open connections: the configured one, lowered to what the
 * open-file limit leaves.  Every connection is a descriptor: take what
 * the hard limit allows (systemd's default soft limit is 1024), and keep
 * the cap below it, with room for the index, the log and the sources,
 * and for the git packs each of the nrender render threads may keep open
 * (store/git.c: two repositories of GITPACK_PAGE_PACKS packs, two
 * descriptors a pack). */
static int connection_cap(const struct http_config *cfg, int nrender)
{
	int spare = HTTP_FDS_SPARE + nrender * 2 * 2 * GITPACK_PAGE_PACKS;
	int max_conns = cfg->max_conns > 0 ? cfg->max_conns : HTTP_CONNS_DEFAULT;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return max_conns;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	int room = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > INT32_MAX ? INT32_MAX
	                                                                   : (int)rl.rlim_cur;
	if (max_conns > room - spare) {
		max_conns = room - spare > 16 ? room - spare : 16;
		say("warning", "at most %d connections (%d open files allowed)", max_conns, room);
	}
	return max_conns;
}

/* Each loop's state: its share of the connections, its read-only
 * connection to the index, its render context and page cache.  What was
 * made before a failure is freed by free_workers. */
static enum la_status workers_open(struct server *srv, int max_conns, struct la_err *err)
{
	const struct http_config *cfg = srv->cfg;
	srv->workers = calloc((size_t)srv->nworkers, sizeof *srv->workers);
	if (!srv->workers)
		return la_err_set(err, LA_ENOMEM, "out of memory");
	/* (No descriptor yet, for free_workers after a failure half way.) */
	for (int i = 0; i < srv->nworkers; i++)
		srv->workers[i].listen_fd = -1;
	for (int i = 0; i < srv->nworkers; i++) {
		struct worker *w = &srv->workers[i];
		w->srv = srv;
		w->max_conns = (max_conns + srv->nworkers - 1) / srv->nworkers;
		buf_init(&w->log, 4 * LOG_FLUSH_AT);
		/* (Lean: a loop reads the data version and makes the few
		 * static answers; the render threads read the rest.) */
		enum la_status e = store_open(&w->st, cfg->data_dir, STORE_READ_LEAN, err);
		if (e)
			return e;
		w->rc = (struct render_ctx){
			.st = w->st, .conf = cfg->conf, .base = cfg->base, .origin = cfg->origin};
		atomic_init(&w->conf_held, cfg->conf);
		if (cfg->cache_bytes &&
		    !(w->cache = pagecache_new(cfg->cache_bytes / (size_t)srv->nworkers)))
			return la_err_set(err, LA_ENOMEM, "out of memory");
	}
	/* As many render threads as loops: the loops answer from their
	 * caches, the render threads make the rest. */
	srv->renderers = calloc((size_t)srv->nworkers, sizeof *srv->renderers);
	if (!srv->renderers)
		return la_err_set(err, LA_ENOMEM, "out of memory");
	srv->nrenderers = srv->nworkers;
	for (int i = 0; i < srv->nrenderers; i++) {
		struct renderer *rd = &srv->renderers[i];
		rd->srv = srv;
		atomic_init(&rd->conf_held, cfg->conf);
		/* (Not memory-mapped: each connection's map of the index would
		 * count in the server's RSS on its own, and grow with the
		 * index to the whole of it; docs/server-memory.md.) */
		enum la_status e = store_open(&rd->st, cfg->data_dir, STORE_READ_UNMAPPED, err);
		if (e)
			return e;
		rd->rc = (struct render_ctx){
			.st = rd->st, .conf = cfg->conf, .base = cfg->base, .origin = cfg->origin};
	}
	return LA_OK;
}

/* Starts the loops, waits until each listens, then takes the signals
 * (blocked in every thread: only this one sigwaits for them): SIGHUP
 * reopens the log, SIGTERM and SIGINT stop the loops, which finish what
 * they serve. */
static void run_loops(struct server *srv)
{
	const struct http_config *cfg = srv->cfg;
	sigset_t sigs, old;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, &old);
	signal(SIGPIPE, SIG_IGN);
	setup_h2o(srv);
	pthread_barrier_init(&srv->ready, NULL, (unsigned)srv->nworkers + 1);
	for (int i = 0; i < srv->nrenderers; i++) {
		if (pthread_create(&srv->renderers[i].tid, NULL, renderer_main,
		                   &srv->renderers[i]) != 0) {
			say("error", "cannot start render thread %d: %s", i, strerror(errno));
			abort();
		}
	}
	for (int i = 0; i < srv->nworkers; i++) {
		if (pthread_create(&srv->workers[i].tid, NULL, worker_main, &srv->workers[i]) !=
		    0) {
			say("error", "cannot start thread %d: %s", i, strerror(errno));
			abort(); /* the barrier would wait forever */
		}
	}
	pthread_barrier_wait(&srv->ready);
	say("info", "listening on http://%s/ (%d thread%s)", srv->where, srv->nworkers,
	    srv->nworkers == 1 ? "" : "s");
	for (;;) {
		int sig = 0;
		if (sigwait(&sigs, &sig) != 0)
			continue;
		if (sig != SIGHUP)
			break;
		reload_conf(srv);
		if (srv->log_owned) {
			int fd = open_log(cfg->log_path);
			if (fd < 0) {
				say("error", "cannot reopen %s: %s", cfg->log_path,
				    strerror(errno));
				continue;
			}
			/* The loops keep writing to the same descriptor number. */
			dup2(fd, srv->log_fd);
			close(fd);
		}
	}
	for (int i = 0; i < srv->nworkers; i++)
		h2o_multithread_send_message(&srv->workers[i].wake, &srv->workers[i].stop);
	for (int i = 0; i < srv->nworkers; i++)
		pthread_join(srv->workers[i].tid, NULL);
	/* The loops are done, and with them every job. */
	pthread_mutex_lock(&srv->jobs_lock);
	srv->jobs_stop = true;
	pthread_cond_broadcast(&srv->jobs_cond);
	pthread_mutex_unlock(&srv->jobs_lock);
	for (int i = 0; i < srv->nrenderers; i++)
		pthread_join(srv->renderers[i].tid, NULL);
	pthread_barrier_destroy(&srv->ready);
	h2o_config_dispose(&srv->h2o);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

enum la_status http_serve(const struct http_config *cfg, struct la_err *err)
{
	struct server srv;
	memset(&srv, 0, sizeof srv);
	srv.cfg = cfg;
	pthread_mutex_init(&srv.jobs_lock, NULL);
	pthread_cond_init(&srv.jobs_cond, NULL);
	h2o_linklist_init_anchor(&srv.jobs);
	atomic_init(&srv.conf_now, cfg->conf);
	atomic_init(&srv.conf_gen, 0);
	srv.started = (int64_t)time(NULL);
	srv.response_ms = (uint64_t)(cfg->response_timeout > 0 ? cfg->response_timeout
	                                                       : HTTP_RESPONSE_TIMEOUT) *
	                  1000;
	srv.drain_ms =
		(uint64_t)(cfg->drain_timeout > 0 ? cfg->drain_timeout : HTTP_DRAIN_TIMEOUT) * 1000;
	srv.nworkers = cfg->threads > 0 ? cfg->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (srv.nworkers < 1)
		srv.nworkers = 1;
	if (srv.nworkers > 64)
		srv.nworkers = 64;
	int max_conns = connection_cap(cfg, srv.nworkers);
	srv.log_fd = 2;
	if (cfg->log_path) {
		srv.log_fd = open_log(cfg->log_path);
		if (srv.log_fd < 0)
			return la_err_set(err, LA_EIO, "%s: %s", cfg->log_path, strerror(errno));
		srv.log_owned = true;
	}
	msg_library_init();
	render_stylesheet_path();
	enum la_status e = workers_open(&srv, max_conns, err);
	if (!e && cfg->rate > 0 &&
	    !(srv.rl = ratelimit_new(cfg->rate, cfg->burst > 1 ? cfg->burst : 1)))
		e = la_err_set(err, LA_ENOMEM, "out of memory");
	if (!e)
		e = open_listeners(&srv, err);
	if (!e)
		run_loops(&srv);
	free_workers(&srv);
	ratelimit_free(srv.rl);
	for (size_t i = 0; i < srv.nconfs; i++)
		conf_free(srv.confs[i]);
	free(srv.confs);
	if (srv.log_owned)
		close(srv.log_fd);
	pthread_cond_destroy(&srv.jobs_cond);
	pthread_mutex_destroy(&srv.jobs_lock);
	return e;
}
