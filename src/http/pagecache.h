/* pagecache.h: finished responses (stage-internal to http/).
 *
 * A page is a response ready to send: status, headers of ours, the body
 * and, made once when first asked for, its gzip form.  Pages are
 * reference-counted: the cache holds one reference, and so does each
 * response being sent, so a page evicted or replaced while a slow client
 * still reads it stays alive until that response is done.
 *
 * The cache belongs to one event loop (no locks).  Entries are keyed by
 * what the page shows (the server builds the key from the parsed route)
 * and tagged with the index version the loop read before it asked
 * (store_data_version): an entry of another version is never returned, so
 * a page always shows the index as it is when the request arrives. */
#ifndef LISTARC_PAGECACHE_H
#define LISTARC_PAGECACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "render/render.h"

struct page {
	int refs;
	int status;
	const char *content_type; /* static string, own_type, or NULL */
	char own_type[64];        /* the response's own_type, when it was its type */
	bool compressible;        /* a text type worth gzip */
	char etag[48];            /* quoted, or "" */
	int64_t last_modified;    /* 0: none */
	int max_age;
	/* The header values made once, not for every response: Cache-Control
	 * ("" for no-store) and Last-Modified ("" for none). */
	char cache_control[48];
	char last_modified_http[32];
	char *location;                         /* redirects, else NULL */
	char filename[FILENAME_MAX_BYTES + 16]; /* attachments, else "" */
	bool attachment;
	int truncated;    /* X-Listarc-Truncated, 0: none */
	char *set_cookie; /* Set-Cookie (never a cached page's), or NULL */
	char *body;       /* owned; NULL if len == 0 */
	size_t len;
	char *gz; /* gzip of body, or NULL */
	size_t gz_len;
	bool gz_tried; /* gz was attempted (it may not pay) */
	/* Cache bookkeeping. */
	char *key;
	size_t keylen;
	uint64_t hash, version;
	struct page *next_in_bucket, *older, *newer;
	bool cached;
};

/* A page from a finished response: takes r's body (r keeps an empty one)
 * and copies the rest; the stream, if any, stays in r.  last_modified is
 * the time to send in Last-Modified (0 for none).  Returns a page with
 * one reference, or NULL if memory runs out. */
struct page *page_from_response(struct response *r, int64_t last_modified);
/* Takes another reference. */
void page_ref(struct page *p);
/* Drops a reference; the last one frees the page.  NULL-safe. */
void page_unref(struct page *p);
/* Makes p->gz (once): returns true if p->gz holds a gzip body smaller than
 * the body itself.  Growth is what the page's memory grew by (for the
 * cache's accounting). */
bool page_gzip(struct page *p, size_t *growth);

struct pagecache;

/* A cache of at most max_bytes of bodies.  NULL if memory runs out. */
struct pagecache *pagecache_new(size_t max_bytes);
/* Drops every entry (pages still being sent live on) and the cache. */
void pagecache_free(struct pagecache *pc);
/* The page for key made from index version `version`, with a reference
 * for the caller; NULL if there is none (an entry of another version is
 * dropped on the way). */
struct page *pagecache_get(struct pagecache *pc, const char *key, size_t n, uint64_t version);
/* Adds p under key for version, replacing what was there, and evicts the
 * least recently used pages beyond the cache's size.  The cache takes a
 * reference of its own; a page bigger than an eighth of the cache is not
 * kept.  Does nothing if memory runs out. */
void pagecache_put(struct pagecache *pc, const char *key, size_t n, uint64_t version,
                   struct page *p);
/* Tells the cache that a page it holds grew by `growth` bytes (its gzip
 * form), so that it evicts accordingly. */
void pagecache_grew(struct pagecache *pc, struct page *p, size_t growth);

#endif
