/* pagecache.c: reference-counted finished responses, their gzip form, and
 * a per-loop LRU cache of them. */
#include "http/pagecache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "http/headers.h"
#include "util/hash.h"

/* Bodies shorter than this are sent as they are: gzip would save less
 * than its own header and the Content-Encoding line cost. */
#define GZIP_MIN 256

static bool is_compressible(const char *type)
{
	return type && (!strncmp(type, "text/html", 9) || !strncmp(type, "text/css", 8) ||
	                !strncmp(type, "text/plain", 10) || !strcmp(type, "application/json") ||
	                !strncmp(type, "application/atom+xml", 20));
}

struct page *page_from_response(struct response *r, int64_t last_modified)
{
	struct page *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	if ((r->location[0] && !(p->location = strdup(r->location))) ||
	    (r->set_cookie[0] && !(p->set_cookie = strdup(r->set_cookie)))) {
		free(p->location);
		free(p);
		return NULL;
	}
	p->refs = 1;
	p->status = r->status;
	p->content_type = r->content_type;
	if (r->content_type == r->own_type) {
		memcpy(p->own_type, r->own_type, sizeof p->own_type);
		p->content_type = p->own_type;
	}
	p->compressible = is_compressible(r->content_type);
	memcpy(p->etag, r->etag, sizeof p->etag);
	p->last_modified = last_modified;
	p->max_age = r->max_age;
	int s = r->status;
	if ((s == 200 || s == 204 || s == 301 || s == 404) && p->max_age > 0)
		snprintf(p->cache_control, sizeof p->cache_control, "public, max-age=%d%s",
		         p->max_age, p->max_age >= 365 * 86400 ? ", immutable" : "");
	if (s == 200 && last_modified)
		http_date_format(last_modified, p->last_modified_http);
	memcpy(p->filename, r->filename, sizeof p->filename);
	p->attachment = r->attachment;
	p->truncated = r->truncated;
	if (!r->body.err && r->body.len) {
		/* Kept as long as it is cached: no more than its bytes (a
		 * buffer that grew by doubling may be twice that). */
		size_t cap = r->body.cap;
		p->body = buf_steal(&r->body, &p->len);
		if (cap > p->len + p->len / 8 + 64) {
			char *fit = realloc(p->body, p->len + 1);
			if (fit)
				p->body = fit;
		}
	} else {
		buf_reset(&r->body);
	}
	return p;
}

void page_ref(struct page *p)
{
	p->refs++;
}

void page_unref(struct page *p)
{
	if (!p || --p->refs > 0)
		return;
	free(p->body);
	free(p->gz);
	free(p->location);
	free(p->set_cookie);
	free(p->key);
	free(p);
}

bool page_gzip(struct page *p, size_t *growth)
{
	*growth = 0;
	if (p->gz_tried)
		return p->gz != NULL;
	p->gz_tried = true;
	if (!p->compressible || p->len < GZIP_MIN || p->len > UINT32_MAX)
		return false;
	z_stream z;
	memset(&z, 0, sizeof z);
	/* windowBits 15 + 16: a gzip wrapper around the deflate stream. */
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return false;
	uLong bound = deflateBound(&z, (uLong)p->len);
	unsigned char *out = malloc(bound);
	if (out) {
		z.next_in = (unsigned char *)p->body;
		z.avail_in = (uInt)p->len;
		z.next_out = out;
		z.avail_out = (uInt)bound;
		if (deflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out < p->len) {
			unsigned char *fit = realloc(out, z.total_out);
			p->gz = (char *)(fit ? fit : out);
			p->gz_len = z.total_out;
			*growth = p->gz_len;
			out = NULL;
		}
	}
	free(out);
	deflateEnd(&z);
	return p->gz != NULL;
}

/* ---- the cache ---- */

struct pagecache {
	struct page **buckets;
	size_t nbuckets; /* a power of two */
	size_t count;
	size_t bytes, max_bytes;
	struct page *oldest, *newest; /* the LRU list */
};

static size_t page_bytes(const struct page *p)
{
	return p->len + p->gz_len + p->keylen + sizeof *p;
}

struct pagecache *pagecache_new(size_t max_bytes)
{
	struct pagecache *pc = calloc(1, sizeof *pc);
	if (!pc)
		return NULL;
	pc->nbuckets = 1024;
	pc->buckets = calloc(pc->nbuckets, sizeof *pc->buckets);
	if (!pc->buckets) {
		free(pc);
		return NULL;
	}
	pc->max_bytes = max_bytes;
	return pc;
}

static void lru_unlink(struct pagecache *pc, struct page *p)
{
	if (p->older)
		p->older->newer = p->newer;
	if (p->newer)
		p->newer->older = p->older;
	if (pc->oldest == p)
		pc->oldest = p->newer;
	if (pc->newest == p)
		pc->newest = p->older;
	p->older = p->newer = NULL;
}

static void lru_push(struct pagecache *pc, struct page *p)
{
	p->older = pc->newest;
	p->newer = NULL;
	if (pc->newest)
		pc->newest->newer = p;
	else
		pc->oldest = p;
	pc->newest = p;
}

/* Takes p out of the cache and drops the cache's reference. */
static void evict(struct pagecache *pc, struct page *p)
{
	struct page **slot = &pc->buckets[p->hash & (pc->nbuckets - 1)];
	while (*slot && *slot != p)
		slot = &(*slot)->next_in_bucket;
	if (*slot)
		*slot = p->next_in_bucket;
	lru_unlink(pc, p);
	p->next_in_bucket = NULL;
	p->cached = false;
	pc->count--;
	pc->bytes -= page_bytes(p);
	page_unref(p);
}

void pagecache_free(struct pagecache *pc)
{
	if (!pc)
		return;
	while (pc->oldest)
		evict(pc, pc->oldest);
	free(pc->buckets);
	free(pc);
}

static struct page *find(struct pagecache *pc, const char *key, size_t n, uint64_t h)
{
	for (struct page *p = pc->buckets[h & (pc->nbuckets - 1)]; p; p = p->next_in_bucket)
		if (p->hash == h && p->keylen == n && !memcmp(p->key, key, n))
			return p;
	return NULL;
}

struct page *pagecache_get(struct pagecache *pc, const char *key, size_t n, uint64_t version)
{
	uint64_t h = hash64(key, n, 0);
	struct page *p = find(pc, key, n, h);
	if (!p)
		return NULL;
	if (p->version != version) {
		evict(pc, p);
		return NULL;
	}
	lru_unlink(pc, p);
	lru_push(pc, p);
	page_ref(p);
	return p;
}

/* Doubles the bucket array (when it fails, chains just get longer). */
static void grow(struct pagecache *pc)
{
	size_t nb = pc->nbuckets * 2;
	struct page **b = calloc(nb, sizeof *b);
	if (!b)
		return;
	for (size_t i = 0; i < pc->nbuckets; i++)
		for (struct page *p = pc->buckets[i], *next; p; p = next) {
			next = p->next_in_bucket;
			p->next_in_bucket = b[p->hash & (nb - 1)];
			b[p->hash & (nb - 1)] = p;
		}
	free(pc->buckets);
	pc->buckets = b;
	pc->nbuckets = nb;
}

static void shrink_to_fit(struct pagecache *pc)
{
	while (pc->bytes > pc->max_bytes && pc->oldest)
		evict(pc, pc->oldest);
}

void pagecache_put(struct pagecache *pc, const char *key, size_t n, uint64_t version,
                   struct page *p)
{
	if (p->cached || p->len + n > pc->max_bytes / 8)
		return;
	uint64_t h = hash64(key, n, 0);
	struct page *old = find(pc, key, n, h);
	if (old)
		evict(pc, old);
	free(p->key);
	if (!(p->key = malloc(n ? n : 1)))
		return;
	memcpy(p->key, key, n);
	p->keylen = n;
	p->hash = h;
	p->version = version;
	if (pc->count >= pc->nbuckets)
		grow(pc);
	struct page **slot = &pc->buckets[h & (pc->nbuckets - 1)];
	p->next_in_bucket = *slot;
	*slot = p;
	lru_push(pc, p);
	p->cached = true;
	page_ref(p);
	pc->count++;
	pc->bytes += page_bytes(p);
	shrink_to_fit(pc);
}

void pagecache_grew(struct pagecache *pc, struct page *p, size_t growth)
{
	if (!p->cached)
		return;
	pc->bytes += growth;
	shrink_to_fit(pc);
}
