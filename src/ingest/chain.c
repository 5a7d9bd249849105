/* chain.c: a chain of fixed-size links, its full chunks in a file
 * (chain.h).
 *
 * Links [0, flushed) are in the file, link i at byte i * rec; links
 * [flushed, n) in mem.  flushed is always a multiple of chunk, so that a
 * chunk read back is one pread of chunk links from a multiple of chunk. */
#include "ingest/chain.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/io.h"

struct chain {
	size_t rec, chunk;
	char *dir; /* NULL: memory alone */
	unsigned char *mem;
	size_t mem_cap; /* links mem has room for (chunk, more once the file failed) */
	size_t flushed, n;
	int fd; /* -1 until the first chunk is written */
	bool spool_off;
	unsigned char *rd; /* a chunk read back (chunk links), NULL until one is */
	size_t rd_first;
	bool rd_ok;
	struct chain_figs figs;
};

enum la_status chain_new(struct chain **out, size_t rec, size_t chunk, const char *dir,
                         struct la_err *err)
{
	*out = NULL;
	if (rec < 1 || rec > 4096 || chunk < 1 || chunk > ((size_t)1 << 20))
		return la_err_set(err, LA_EINVAL, "chain: a link of %zu bytes, %zu a chunk", rec,
		                  chunk);
	struct chain *c = calloc(1, sizeof *c);
	if (!c)
		return la_err_set(err, LA_ENOMEM, "out of memory");
	c->rec = rec;
	c->chunk = chunk;
	c->fd = -1;
	c->spool_off = !dir;
	if ((dir && !(c->dir = strdup(dir))) || !(c->mem = malloc(rec * chunk))) {
		chain_free(c);
		return la_err_set(err, LA_ENOMEM, "out of memory");
	}
	c->mem_cap = chunk;
	*out = c;
	return LA_OK;
}

/* mem's chunk written to the file (false: it could not be; the caller
 * keeps it in memory from now on). */
static bool flush_chunk(struct chain *c)
{
	if (c->fd < 0 && (c->fd = io_tmpfile(c->dir, ".chain")) < 0)
		return false;
	size_t bytes = c->rec * c->chunk;
	if (io_pwrite_all(c->fd, c->mem, bytes, (uint64_t)c->flushed * c->rec) != LA_OK)
		return false;
	c->flushed += c->chunk;
	c->figs.spooled += c->chunk;
	return true;
}

enum la_status chain_push(struct chain *c, const void *link, struct la_err *err)
{
	size_t held = c->n - c->flushed;
	if (held == c->chunk && !c->spool_off) {
		if (flush_chunk(c))
			held = 0;
		else
			c->spool_off = c->figs.spool_failed = true;
	}
	if (held == c->mem_cap) {
		/* (The file failed: memory, as before the file.) */
		if (c->mem_cap > SIZE_MAX / 2 / c->rec)
			return la_err_set(err, LA_ENOMEM, "out of memory");
		unsigned char *m = realloc(c->mem, c->mem_cap * 2 * c->rec);
		if (!m)
			return la_err_set(err, LA_ENOMEM, "out of memory");
		c->mem = m;
		c->mem_cap *= 2;
	}
	memcpy(c->mem + held * c->rec, link, c->rec);
	c->n++;
	c->figs.links++;
	return LA_OK;
}

size_t chain_count(const struct chain *c)
{
	return c->n;
}

enum la_status chain_get(struct chain *c, size_t i, void *out, struct la_err *err)
{
	if (i >= c->n)
		return la_err_set(err, LA_EINVAL, "chain: link %zu of %zu", i, c->n);
	if (i >= c->flushed) {
		memcpy(out, c->mem + (i - c->flushed) * c->rec, c->rec);
		return LA_OK;
	}
	size_t first = i / c->chunk * c->chunk;
	if (!c->rd_ok || c->rd_first != first) {
		if (!c->rd && !(c->rd = malloc(c->rec * c->chunk)))
			return la_err_set(err, LA_ENOMEM, "out of memory");
		size_t bytes = c->rec * c->chunk, got = 0;
		c->rd_ok = false;
		c->figs.reads++;
		if (io_pread_full(c->fd, c->rd, bytes, (uint64_t)first * c->rec, &got) != LA_OK)
			return la_err_set(err, LA_EIO, "the chain's spool: %s", strerror(errno));
		if (got != bytes)
			return la_err_set(err, LA_EIO, "the chain's spool: cut short");
		c->rd_first = first;
		c->rd_ok = true;
	}
	memcpy(out, c->rd + (i - first) * c->rec, c->rec);
	return LA_OK;
}

void chain_figs(const struct chain *c, struct chain_figs *out)
{
	*out = c->figs;
}

void chain_free(struct chain *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->dir);
	free(c->mem);
	free(c->rd);
	free(c);
}
