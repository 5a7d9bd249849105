/* gitpack.c: see gitpack.h.  The formats (git's
 * Documentation/gitformat-pack): a pack is "PACK", a version (2 or 3),
 * an object count, the objects, and a 20-byte checksum; an object is a
 * header (its type in bits 4-6 of the first byte, its size in the low 4
 * bits and 7 more a byte while the top bit is set), for an OFS_DELTA the
 * distance back to its base (7 bits a byte, each continuation adding
 * one), for a REF_DELTA its base's id, then zlib data.  A delta is its
 * base's size and the result's (7 bits a byte, least significant
 * first), then instructions: copy (top bit set; the low 4 bits say which
 * bytes of an offset follow, the next 3 which of a size, 0 meaning
 * 0x10000) or insert (1-127 literal bytes).  A version 2 .idx is
 * "\377tOc", 2, 256 big-endian cumulative counts by first byte, the
 * sorted ids, their CRC32s, their 31-bit offsets (top bit set: an index
 * into a table of 64-bit offsets after them), two checksums. */
#define _GNU_SOURCE
#include "store/gitpack.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "limits.h"
#include "util/io.h"

/* The bytes of a pack one pread reads at an object's start (a window
 * kept until the next read outside it): most objects of an inbox (a
 * message compressed, a tree, a delta) take one read; the rest of a
 * bigger one is read GITPACK_WINDOW at a time.  (16 kB at every start
 * was 1.4x the system time at 100k messages: most deltas are a few
 * hundred bytes, far from the object read before.) */
#define GITPACK_FIRST (4 * 1024)
#define GITPACK_WINDOW (32 * 1024)
/* The ids one look-up reads from an .idx around where the id should lie
 * (ids are uniform: at 100,000 messages a first byte's ~1,200 ids lie
 * within a few dozen of where their value puts them). */
#define IDX_WINDOW 128
/* The ids a look-up ahead (gitpack_prefetch) reads from an .idx at a
 * time (20 kB): its ids sorted, one read serves every id of the batch
 * that lies in it (4,096 ids among 90,000 objects: ~45 a read). */
#define IDX_WINDOW_AHEAD 1024
/* The .idx's offsets kept: OFF_SLOTS blocks of OFF_BLOCK offsets (1 MB). */
#define OFF_BLOCK 1024
#define OFF_SLOTS 256
/* Buckets of the base cache's hash table. */
#define CACHE_BUCKETS 4096
/* REF_DELTA bases' places remembered (a table of this many entries, one
 * an id, by the id's first bytes; 256 kB): libgit2's packbuilder, which
 * `listarc export` uses, writes REF_DELTAs only, and a few bases serve
 * many deltas; each look-up is one or two preads (at 100,000 messages
 * 384,901 look-ups without, 294,520 with). */
#define BASE_MEMO 8192

enum {
	OBJ_OFS_DELTA = 6,
	OBJ_REF_DELTA = 7,
};

struct pack {
	int fd, idx_fd;
	uint64_t size;  /* the .pack's bytes */
	uint32_t count; /* objects */
	uint32_t large; /* 64-bit offsets in the .idx */
	uint32_t fanout[256];
};

/* An inflated base in the cache's block, keyed by pack and offset, in a
 * bucket's chain (hnext: the next one's place in the block, or NONE). */
struct centry {
	uint64_t off;
	uint32_t pack, type;
	size_t size, span; /* its data's bytes; the block's bytes it takes */
	size_t hnext;
	unsigned char data[];
};
#define NONE ((size_t)-1)

/* A delta of a chain being resolved: where its zlib data starts, and its
 * declared size. */
struct link {
	uint32_t pack;
	uint64_t off, data_off;
	size_t size;
};

struct gitpack {
	struct pack *packs;
	size_t npacks;
	/* The read window: pack win_pack's bytes [win_off, win_off + win_len). */
	unsigned char *win;
	uint32_t win_pack;
	uint64_t win_off;
	size_t win_len;
	/* The base cache: one block of cache_max bytes, its entries one
	 * after the other, oldest (tail) first, from tail to head, or
	 * wrapped: from tail to wrap, then from 0 to head. */
	unsigned char *block;
	size_t bucket[CACHE_BUCKETS];
	size_t cache_max, cache_bytes, count, head, tail, wrap;
	bool wrapped;
	/* A chain's deltas (grown up to GITPACK_CHAIN_MAX). */
	struct link *chain;
	size_t chain_cap;
	struct {
		unsigned char id[GITPACK_OID];
		uint32_t pack; /* + 1: 0 is an empty entry */
		uint64_t off;
	} memo[BASE_MEMO];
	/* The last window of an .idx's ids read (IDX_WINDOW_AHEAD ids at
	 * most): pack iw_pack's ids [iw_start, iw_start + iw_n). */
	unsigned char *iw;
	uint32_t iw_pack, iw_start, iw_n;
	/* Ids looked up ahead (gitpack_prefetch), sorted: pack + 1 (0: in
	 * no pack) and their place in its .idx. */
	struct ahead {
		unsigned char id[GITPACK_OID];
		uint32_t pack, pos;
	} * ahead;
	size_t nahead, ahead_cap;
	bool backward;            /* gitpack_backward */
	unsigned char *off_block; /* OFF_SLOTS blocks of offsets */
	uint64_t *off_tag;        /* each block's pack + 1 and number; 0: none */
	z_stream z;
	bool z_ok;
	struct gitpack_stats st;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

const char *gitpack_type_name(enum gitpack_type t)
{
	switch (t) {
	case GITPACK_COMMIT: return "commit";
	case GITPACK_TREE: return "tree";
	case GITPACK_BLOB: return "blob";
	case GITPACK_TAG: return "tag";
	}
	return "?";
}

/* n bytes at off of fd into p (util/io.h's loop, counted); false (errno
 * set, EINVAL at the end of the file) unless all of them were read. */
static bool pread_full(struct gitpack *gp, int fd, void *p, size_t n, uint64_t off)
{
	size_t got = 0;
	gp->st.preads++;
	if (io_pread_full(fd, p, n, off, &got) != LA_OK)
		return false;
	if (got < n) {
		errno = EINVAL; /* (cut short) */
		return false;
	}
	return true;
}

enum la_status gitpack_new(struct gitpack **out, size_t cache_bytes, struct la_err *err)
{
	*out = NULL;
	struct gitpack *gp = calloc(1, sizeof *gp);
	if (!gp || !(gp->win = malloc(GITPACK_WINDOW))) {
		free(gp);
		return la_err_set(err, LA_ENOMEM, "out of memory");
	}
	gp->cache_max = cache_bytes;
	for (size_t b = 0; b < CACHE_BUCKETS; b++)
		gp->bucket[b] = NONE;
	/* (Its pages are touched as it fills.) */
	if (cache_bytes && !(gp->block = malloc(cache_bytes))) {
		free(gp->win);
		free(gp);
		return la_err_set(err, LA_ENOMEM, "out of memory");
	}
	if (inflateInit(&gp->z) != Z_OK) {
		free(gp->win);
		free(gp);
		return la_err_set(err, LA_ENOMEM, "out of memory (zlib)");
	}
	gp->z_ok = true;
	*out = gp;
	return LA_OK;
}

enum la_status gitpack_add(struct gitpack *gp, int pack_fd, int idx_fd, struct la_err *err)
{
	struct pack p = {.fd = pack_fd, .idx_fd = idx_fd};
	enum la_status e = LA_OK;
	struct stat ps, is;
	unsigned char h[8 + 256 * 4];
	if (gp->npacks >= GITPACK_PACKS_MAX) {
		e = la_err_set(err, LA_ETOOBIG, "more than %d packs", GITPACK_PACKS_MAX);
		goto fail;
	}
	if (fstat(pack_fd, &ps) != 0 || fstat(idx_fd, &is) != 0) {
		e = la_err_set(err, LA_EIO, "a pack: %s", strerror(errno));
		goto fail;
	}
	p.size = (uint64_t)ps.st_size;
	uint64_t isize = (uint64_t)is.st_size;
	if (isize < sizeof h + 40 || !pread_full(gp, idx_fd, h, sizeof h, 0) ||
	    memcmp(h, "\377tOc", 4) != 0 || be32(h + 4) != 2) {
		e = la_err_set(err, LA_EINVAL, "not a version 2 pack index");
		goto fail;
	}
	for (int b = 0; b < 256; b++) {
		p.fanout[b] = be32(h + 8 + 4 * b);
		if (b > 0 && p.fanout[b] < p.fanout[b - 1]) {
			e = la_err_set(err, LA_EINVAL, "a pack index's fanout goes down");
			goto fail;
		}
	}
	p.count = p.fanout[255];
	/* The header, fanout, ids, CRCs, 31-bit offsets and two checksums,
	 * then 8 bytes each 64-bit offset. */
	uint64_t fixed = sizeof h + (uint64_t)p.count * (GITPACK_OID + 4 + 4) + 40;
	if (isize < fixed || (isize - fixed) % 8 != 0 || (isize - fixed) / 8 > p.count) {
		e = la_err_set(err, LA_EINVAL, "a pack index of the wrong size");
		goto fail;
	}
	p.large = (uint32_t)((isize - fixed) / 8);
	unsigned char ph[12];
	if (p.size < 12 + 20 || !pread_full(gp, pack_fd, ph, sizeof ph, 0) ||
	    memcmp(ph, "PACK", 4) != 0 || (be32(ph + 4) != 2 && be32(ph + 4) != 3) ||
	    be32(ph + 8) != p.count) {
		e = la_err_set(err, LA_EINVAL, "not a pack of its index's objects");
		goto fail;
	}
	struct pack *nv = realloc(gp->packs, (gp->npacks + 1) * sizeof *nv);
	if (!nv) {
		e = la_err_set(err, LA_ENOMEM, "out of memory");
		goto fail;
	}
	gp->packs = nv;
	gp->packs[gp->npacks++] = p;
	return LA_OK;
fail:
	close(pack_fd);
	close(idx_fd);
	return e;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

enum la_status gitpack_open(struct gitpack **out, const char *repo_path, struct la_err *err)
{
	/* (LISTARC_TEST_GITPACK_CACHE=BYTES: another bound, for bench/.) */
	const char *tc = getenv("LISTARC_TEST_GITPACK_CACHE");
	size_t cache = tc && atol(tc) > 0 ? (size_t)atol(tc) : GITPACK_BASE_CACHE;
	enum la_status e = gitpack_new(out, cache, err);
	if (!e && (e = gitpack_add_dir(*out, repo_path, err))) {
		gitpack_free(*out);
		*out = NULL;
	}
	return e;
}

enum la_status gitpack_add_dir(struct gitpack *gp, const char *repo_path, struct la_err *err)
{
	enum la_status e = LA_OK;
	char dir[4200];
	if (snprintf(dir, sizeof dir, "%s/objects/pack", repo_path) >= (int)sizeof dir)
		return LA_OK; /* (no such directory) */
	DIR *d = opendir(dir);
	if (!d)
		return LA_OK;
	/* The packs in the order of their names (whichever holds an object
	 * twice gives the same bytes). */
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) && !e) {
		size_t l = strlen(de->d_name);
		if (l < 10 || l > 255 || strncmp(de->d_name, "pack-", 5) != 0 ||
		    strcmp(de->d_name + l - 4, ".idx") != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			char **nv = realloc(names, cap * sizeof *nv);
			if (!nv) {
				e = la_err_set(err, LA_ENOMEM, "out of memory");
				break;
			}
			names = nv;
		}
		if (!(names[n] = strdup(de->d_name)))
			e = la_err_set(err, LA_ENOMEM, "out of memory");
		else
			n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof *names, cmp_name);
	for (size_t i = 0; i < n && !e; i++) {
		char ip[4500], pp[4500];
		size_t l = strlen(names[i]);
		snprintf(ip, sizeof ip, "%s/%s", dir, names[i]);
		snprintf(pp, sizeof pp, "%s/%.*s.pack", dir, (int)(l - 4), names[i]);
		int ifd = open(ip, O_RDONLY | O_CLOEXEC);
		int pfd = ifd < 0 ? -1 : open(pp, O_RDONLY | O_CLOEXEC);
		if (ifd < 0 || pfd < 0) {
			if (ifd >= 0)
				close(ifd);
			continue;
		}
		/* A pack that is not one, or one too many, is left to libgit2. */
		struct la_err ignored = {0};
		enum la_status ae = gitpack_add(gp, pfd, ifd, &ignored);
		if (ae == LA_ENOMEM)
			e = la_err_set(err, ae, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return e;
}

/* ---- look-ups ---- */

static int oid_cmp(const unsigned char *a, const unsigned char *b)
{
	return memcmp(a, b, GITPACK_OID);
}

/* Where id lies among pack p's sorted ids: LA_OK with its position,
 * LA_ENOTFOUND, LA_EIO (LA_ENOMEM: no window).  Reads windows of
 * `window` ids (at most IDX_WINDOW_AHEAD) and keeps the last: an id
 * within its first and last is found there or is in no place of p. */
static enum la_status idx_find(struct gitpack *gp, const struct pack *p, const unsigned char *id,
                               uint32_t *pos, uint32_t window)
{
	uint32_t k = (uint32_t)(p - gp->packs);
	if (!gp->iw && !(gp->iw = malloc((size_t)IDX_WINDOW_AHEAD * GITPACK_OID)))
		return LA_ENOMEM;
	uint32_t lo = id[0] ? p->fanout[id[0] - 1] : 0, hi = p->fanout[id[0]];
	bool first = true;
	for (;;) {
		if (gp->iw_n && gp->iw_pack == k && oid_cmp(gp->iw, id) <= 0 &&
		    oid_cmp(gp->iw + (size_t)(gp->iw_n - 1) * GITPACK_OID, id) >= 0) {
			/* Binary search within the window. */
			uint32_t a = 0, b = gp->iw_n;
			while (a < b) {
				uint32_t m = a + (b - a) / 2;
				int c = oid_cmp(gp->iw + (size_t)m * GITPACK_OID, id);
				if (c == 0) {
					*pos = gp->iw_start + m;
					return LA_OK;
				}
				if (c < 0)
					a = m + 1;
				else
					b = m;
			}
			return LA_ENOTFOUND;
		}
		if (gp->iw_n && gp->iw_pack == k) {
			/* Before the window or after it (the ids are sorted; a
			 * window read here lies within [lo, hi): they shrink). */
			if (oid_cmp(gp->iw, id) > 0) {
				if (gp->iw_start < hi)
					hi = gp->iw_start;
			} else if (gp->iw_start + gp->iw_n > lo) {
				lo = gp->iw_start + gp->iw_n;
			}
		}
		if (lo >= hi)
			return LA_ENOTFOUND;
		uint32_t n = hi - lo, start;
		if (n <= window) {
			start = lo;
		} else {
			/* First where the id's next three bytes put it among the
			 * bucket's ids (they are uniform), then halves. */
			uint64_t at;
			if (first) {
				uint32_t frac =
					(uint32_t)id[1] << 16 | (uint32_t)id[2] << 8 | id[3];
				at = lo + ((uint64_t)n * frac >> 24);
			} else {
				at = lo + n / 2;
			}
			start = at < lo + window / 2 ? lo : (uint32_t)(at - window / 2);
			if (start > hi - window)
				start = hi - window;
			n = window;
		}
		first = false;
		gp->iw_n = 0;
		if (!pread_full(gp, p->idx_fd, gp->iw, (size_t)n * GITPACK_OID,
		                8 + 256 * 4 + (uint64_t)start * GITPACK_OID))
			return LA_EIO;
		gp->iw_pack = k;
		gp->iw_start = start;
		gp->iw_n = n;
	}
}

/* The offset in pack p of its object at pos: LA_OK, LA_EINVAL, LA_EIO. */
static enum la_status idx_offset(struct gitpack *gp, const struct pack *p, uint32_t pos,
                                 uint64_t *off)
{
	uint64_t base = 8 + 256 * 4 + (uint64_t)p->count * (GITPACK_OID + 4);
	unsigned char b[8];
	/* The offsets' table read OFF_BLOCK entries at a time into a table
	 * of OFF_SLOTS blocks, by block number: at 100,000 messages it holds
	 * most of the table (1.2 MB), and a look-up is one pread. */
	uint32_t k = (uint32_t)(p - gp->packs), block = pos / OFF_BLOCK;
	size_t slot = ((size_t)block * 0x9e3779b1u + k) % OFF_SLOTS;
	if (!gp->off_block) {
		gp->off_block = malloc((size_t)OFF_SLOTS * OFF_BLOCK * 4);
		gp->off_tag = calloc(OFF_SLOTS, sizeof *gp->off_tag);
	}
	uint32_t v;
	if (gp->off_block && gp->off_tag) {
		unsigned char *blk = gp->off_block + slot * OFF_BLOCK * 4;
		uint64_t tag = (uint64_t)(k + 1) << 32 | block;
		if (gp->off_tag[slot] != tag) {
			uint32_t first = block * OFF_BLOCK;
			uint32_t n = p->count - first < OFF_BLOCK ? p->count - first : OFF_BLOCK;
			gp->off_tag[slot] = 0;
			if (!pread_full(gp, p->idx_fd, blk, (size_t)n * 4,
			                base + (uint64_t)first * 4))
				return LA_EIO;
			gp->off_tag[slot] = tag;
		}
		v = be32(blk + (size_t)(pos - block * OFF_BLOCK) * 4);
	} else {
		if (!pread_full(gp, p->idx_fd, b, 4, base + (uint64_t)pos * 4))
			return LA_EIO;
		v = be32(b);
	}
	if (v & 0x80000000u) {
		uint32_t li = v & 0x7fffffffu;
		if (li >= p->large)
			return LA_EINVAL;
		if (!pread_full(gp, p->idx_fd, b, 8,
		                base + (uint64_t)p->count * 4 + (uint64_t)li * 8))
			return LA_EIO;
		*off = (uint64_t)be32(b) << 32 | be32(b + 4);
	} else {
		*off = v;
	}
	/* After the pack's header, before its checksum. */
	if (*off < 12 || *off >= p->size - 20)
		return LA_EINVAL;
	return LA_OK;
}

/* The pack holding id and the object's offset there: LA_OK,
 * LA_ENOTFOUND, LA_EINVAL (a bad offset), LA_EIO. */
static enum la_status find(struct gitpack *gp, const unsigned char *id, uint32_t *pack,
                           uint64_t *off)
{
	gp->st.lookups++;
	if (gp->nahead) {
		/* Looked up ahead: its place, or in no pack. */
		size_t a = 0, b = gp->nahead;
		while (a < b) {
			size_t m = a + (b - a) / 2;
			int c = oid_cmp(gp->ahead[m].id, id);
			if (c == 0) {
				if (!gp->ahead[m].pack)
					return LA_ENOTFOUND;
				*pack = gp->ahead[m].pack - 1;
				return idx_offset(gp, &gp->packs[*pack], gp->ahead[m].pos, off);
			}
			if (c < 0)
				a = m + 1;
			else
				b = m;
		}
	}
	for (size_t i = 0; i < gp->npacks; i++) {
		uint32_t pos;
		enum la_status e = idx_find(gp, &gp->packs[i], id, &pos, IDX_WINDOW);
		if (e == LA_ENOTFOUND)
			continue;
		if (!e)
			e = idx_offset(gp, &gp->packs[i], pos, off);
		*pack = (uint32_t)i;
		return e;
	}
	return LA_ENOTFOUND;
}

/* ---- the read window ---- */

/* Bytes of pack k from off through the window: *p and *avail (> 0) up to
 * the window's end or the pack's; false at the pack's end or on a read
 * error (errno). */
static bool win_at(struct gitpack *gp, uint32_t k, uint64_t off, size_t want,
                   const unsigned char **p, size_t *avail)
{
	const struct pack *pk = &gp->packs[k];
	if (off >= pk->size) {
		errno = EINVAL;
		return false;
	}
	if (!(gp->win_len && gp->win_pack == k && off >= gp->win_off &&
	      off < gp->win_off + gp->win_len)) {
		/* (Reading backwards, an object's start is read with the
		 * window's worth before it.) */
		uint64_t from = off;
		if (gp->backward && want == GITPACK_FIRST)
			from = off > GITPACK_WINDOW - GITPACK_FIRST
			               ? off - (GITPACK_WINDOW - GITPACK_FIRST)
			               : 0;
		uint64_t left = pk->size - from;
		size_t n = left < (want + (size_t)(off - from)) ? (size_t)left
		                                                : want + (size_t)(off - from);
		gp->win_len = 0;
		if (!pread_full(gp, pk->fd, gp->win, n, from))
			return false;
		gp->win_pack = k;
		gp->win_off = from;
		gp->win_len = n;
	}
	*p = gp->win + (off - gp->win_off);
	*avail = gp->win_len - (size_t)(off - gp->win_off);
	return true;
}

static enum la_status read_fail(struct la_err *err, const char *what, uint32_t k, uint64_t off)
{
	if (errno == EINVAL)
		return la_err_set(err, LA_EINVAL, "pack %u: %s at %llu: cut short", k, what,
		                  (unsigned long long)off);
	return la_err_set(err, LA_EIO, "pack %u: %s at %llu: %s", k, what, (unsigned long long)off,
	                  strerror(errno));
}

/* The header of pack k's object at off: its type (1-4, 6, 7), size, where
 * its zlib data starts, and for a delta where its base is (an OFS_DELTA:
 * *base_off; a REF_DELTA: base_id). */
static enum la_status entry_header(struct gitpack *gp, uint32_t k, uint64_t off, int *type,
                                   size_t *size, uint64_t *data_off, uint64_t *base_off,
                                   unsigned char *base_id, struct la_err *err)
{
	const unsigned char *p;
	size_t avail;
	/* At most 10 bytes of type and size, 10 of a distance or 20 of an id:
	 * read apart if the window ends within them. */
	unsigned char h[32];
	if (!win_at(gp, k, off, GITPACK_FIRST, &p, &avail))
		return read_fail(err, "an object", k, off);
	size_t hn = avail < sizeof h ? avail : sizeof h;
	memcpy(h, p, hn);
	if (hn < sizeof h && off + hn < gp->packs[k].size) {
		size_t more = sizeof h - hn;
		if (gp->packs[k].size - (off + hn) < more)
			more = (size_t)(gp->packs[k].size - (off + hn));
		if (!pread_full(gp, gp->packs[k].fd, h + hn, more, off + hn))
			return read_fail(err, "an object", k, off);
		hn += more;
	}
	size_t i = 0;
	unsigned c = h[i++];
	*type = (c >> 4) & 7;
	uint64_t sz = c & 15;
	unsigned shift = 4;
	while (c & 0x80) {
		if (i >= hn || shift > 60)
			return la_err_set(err, LA_EINVAL, "pack %u: a bad object size at %llu", k,
			                  (unsigned long long)off);
		c = h[i++];
		sz |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	}
	if (sz > GITPACK_OBJECT_MAX)
		return la_err_set(err, LA_ETOOBIG, "pack %u: an object of %llu bytes at %llu", k,
		                  (unsigned long long)sz, (unsigned long long)off);
	*size = (size_t)sz;
	if (*type == OBJ_OFS_DELTA) {
		if (i >= hn)
			return la_err_set(err, LA_EINVAL, "pack %u: a delta cut short at %llu", k,
			                  (unsigned long long)off);
		c = h[i++];
		uint64_t back = c & 0x7f;
		while (c & 0x80) {
			if (i >= hn || back >= (uint64_t)1 << 56)
				return la_err_set(err, LA_EINVAL,
				                  "pack %u: a bad delta distance at %llu", k,
				                  (unsigned long long)off);
			c = h[i++];
			back = ((back + 1) << 7) | (c & 0x7f);
		}
		if (back == 0 || back > off - 12)
			return la_err_set(err, LA_EINVAL,
			                  "pack %u: a delta's base outside the pack at %llu", k,
			                  (unsigned long long)off);
		*base_off = off - back;
	} else if (*type == OBJ_REF_DELTA) {
		if (hn - i < GITPACK_OID)
			return la_err_set(err, LA_EINVAL, "pack %u: a delta cut short at %llu", k,
			                  (unsigned long long)off);
		memcpy(base_id, h + i, GITPACK_OID);
		i += GITPACK_OID;
	} else if (*type < GITPACK_COMMIT || *type > GITPACK_TAG) {
		return la_err_set(err, LA_EINVAL, "pack %u: an object of type %d at %llu", k, *type,
		                  (unsigned long long)off);
	}
	*data_off = off + i;
	return LA_OK;
}

/* The zlib data of pack k at off inflated into a new buffer of exactly
 * size bytes (and a NUL): *out the caller's.  The buffer grows as the
 * data fills it, so that a size the data does not hold costs nothing. */
static enum la_status inflate_at(struct gitpack *gp, uint32_t k, uint64_t off, size_t size,
                                 unsigned char **out, struct la_err *err)
{
	*out = NULL;
	size_t cap = size < 65536 ? size + 1 : 65536;
	unsigned char *buf = malloc(cap);
	if (!buf)
		return la_err_set(err, LA_ENOMEM, "out of memory");
	gp->st.inflated++;
	z_stream *z = &gp->z;
	inflateReset(z);
	z->avail_in = 0;
	size_t done = 0;
	uint64_t at = off;
	for (;;) {
		if (z->avail_in == 0) {
			const unsigned char *p;
			size_t avail;
			if (!win_at(gp, k, at, GITPACK_WINDOW, &p, &avail)) {
				free(buf);
				return read_fail(err, "zlib data", k, off);
			}
			z->next_in = (unsigned char *)p;
			z->avail_in = (uInt)avail;
		}
		if (done == cap) {
			/* (The buffer holds one byte past the size: a stream making
			 * more than declared is caught below.) */
			size_t ncap = cap < (size + 1) / 2 ? cap * 2 : size + 1;
			unsigned char *nb = realloc(buf, ncap);
			if (!nb) {
				free(buf);
				return la_err_set(err, LA_ENOMEM, "out of memory");
			}
			buf = nb;
			cap = ncap;
		}
		z->next_out = buf + done;
		z->avail_out = (uInt)(cap - done);
		uInt in0 = z->avail_in;
		int rc = inflate(z, Z_NO_FLUSH);
		size_t made = cap - z->avail_out - done;
		at += in0 - z->avail_in;
		done += made;
		if (done > size || (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) ||
		    (in0 == z->avail_in && made == 0 && rc != Z_STREAM_END)) {
			free(buf);
			return la_err_set(err, LA_EINVAL, "pack %u: bad zlib data at %llu", k,
			                  (unsigned long long)off);
		}
		if (rc == Z_STREAM_END)
			break;
	}
	if (done != size) {
		free(buf);
		return la_err_set(err, LA_EINVAL,
		                  "pack %u: an object at %llu of %zu bytes, not %zu as declared", k,
		                  (unsigned long long)off, done, size);
	}
	buf[size] = 0;
	*out = buf;
	return LA_OK;
}

/* ---- deltas ---- */

/* A delta header's size (7 bits a byte, least significant first) at *p. */
static bool delta_size(const unsigned char **p, const unsigned char *end, size_t *out)
{
	uint64_t v = 0;
	unsigned shift = 0;
	unsigned c;
	do {
		if (*p >= end || shift > 63)
			return false;
		c = *(*p)++;
		v |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	} while (c & 0x80);
	if (v > GITPACK_OBJECT_MAX)
		return false;
	*out = (size_t)v;
	return true;
}

/* delta[0..dn) applied to base[0..bn): a new buffer of the result (and a
 * NUL), *out the caller's; false if the delta is bad. */
static bool delta_apply(const unsigned char *base, size_t bn, const unsigned char *delta, size_t dn,
                        unsigned char **out, size_t *on)
{
	const unsigned char *p = delta, *end = delta + dn;
	size_t src, dst;
	if (!delta_size(&p, end, &src) || !delta_size(&p, end, &dst) || src != bn)
		return false;
	/* No instruction makes more than 0x10000 bytes or its base's size,
	 * nor an insert more than it holds: a size the delta cannot make is
	 * refused before it is allocated. */
	size_t per = bn < 0x10000 ? bn : 0x10000;
	if (dst / (per > 1 ? per : 1) > dn)
		return false;
	unsigned char *r = malloc(dst + 1);
	if (!r)
		return false;
	size_t o = 0;
	while (p < end) {
		unsigned c = *p++;
		if (c & 0x80) {
			size_t off = 0, n = 0;
			for (int b = 0; b < 4; b++)
				if (c & (1u << b)) {
					if (p >= end)
						goto bad;
					off |= (size_t)*p++ << (8 * b);
				}
			for (int b = 0; b < 3; b++)
				if (c & (0x10u << b)) {
					if (p >= end)
						goto bad;
					n |= (size_t)*p++ << (8 * b);
				}
			if (n == 0)
				n = 0x10000;
			if (off > bn || n > bn - off || n > dst - o)
				goto bad;
			memcpy(r + o, base + off, n);
			o += n;
		} else if (c) {
			if (c > (size_t)(end - p) || c > dst - o)
				goto bad;
			memcpy(r + o, p, c);
			p += c;
			o += c;
		} else {
			goto bad;
		}
	}
	if (o != dst)
		goto bad;
	r[dst] = 0;
	*out = r;
	*on = dst;
	return true;
bad:
	free(r);
	return false;
}

/* ---- the base cache ---- */

static size_t bucket_of(uint32_t k, uint64_t off)
{
	uint64_t h = (off ^ ((uint64_t)k << 48)) * 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 52) % CACHE_BUCKETS;
}

static struct centry *at_(const struct gitpack *gp, size_t pos)
{
	return (struct centry *)(void *)(gp->block + pos);
}

static struct centry *cache_get(struct gitpack *gp, uint32_t k, uint64_t off)
{
	for (size_t pos = gp->bucket[bucket_of(k, off)]; pos != NONE; pos = at_(gp, pos)->hnext) {
		struct centry *c = at_(gp, pos);
		if (c->pack == k && c->off == off) {
			gp->st.cache_hits++;
			return c;
		}
	}
	return NULL;
}

/* The oldest entry dropped. */
static void cache_drop_oldest(struct gitpack *gp)
{
	struct centry *c = at_(gp, gp->tail);
	size_t *pp = &gp->bucket[bucket_of(c->pack, c->off)];
	while (*pp != gp->tail)
		pp = &at_(gp, *pp)->hnext;
	*pp = c->hnext;
	gp->cache_bytes -= c->span;
	gp->tail += c->span;
	if (--gp->count == 0) {
		gp->head = gp->tail = 0;
		gp->wrapped = false;
	} else if (gp->wrapped && gp->tail == gp->wrap) {
		gp->tail = 0;
		gp->wrapped = false;
	}
}

/* Is entry c in the older half of the cache (dropped soon)? */
static bool cache_old(const struct gitpack *gp, const struct centry *c)
{
	size_t pos = (size_t)((const unsigned char *)c - gp->block);
	size_t age = pos < gp->head ? gp->head - pos : gp->wrap - pos + gp->head;
	return age > gp->cache_bytes / 2;
}

/* A copy of a base kept, the oldest dropped to make room (nothing kept if
 * it is bigger than the whole cache; again: though it is there already,
 * a copy of an entry in the older half, to keep a base in use as it would
 * be by least recent use: the newer copy is found first).  The entries lie one after the
 * other in one block, oldest first: the bound is the block's size, with
 * no allocator's waste around them (a malloc'd entry each took 11 MB for
 * 8 MiB of bases at 100,000 messages, freed out of order). */
static void cache_put(struct gitpack *gp, uint32_t k, uint64_t off, enum gitpack_type type,
                      const unsigned char *data, size_t size, bool again)
{
	if (size > gp->cache_max)
		return;
	size_t span = (sizeof(struct centry) + size + 15) & ~(size_t)15;
	if (span > gp->cache_max)
		return;
	if (!again && cache_get(gp, k, off)) {
		gp->st.cache_hits--;
		return;
	}
	/* Room for span bytes at head: at the block's end, else (wrapping)
	 * at its start, dropping the oldest until there is. */
	for (;;) {
		if (!gp->wrapped) {
			if (gp->cache_max - gp->head >= span)
				break;
			if (gp->count > 0 && gp->tail >= span) {
				gp->wrap = gp->head;
				gp->head = 0;
				gp->wrapped = true;
				break;
			}
			if (gp->count == 0) {
				gp->head = gp->tail = 0;
				continue;
			}
		} else if (gp->tail - gp->head >= span) {
			break;
		}
		cache_drop_oldest(gp);
	}
	struct centry *c = at_(gp, gp->head);
	c->pack = k;
	c->off = off;
	c->type = (uint32_t)type;
	c->size = size;
	c->span = span;
	memcpy(c->data, data, size);
	size_t b = bucket_of(k, off);
	c->hnext = gp->bucket[b];
	gp->bucket[b] = gp->head;
	gp->head += span;
	gp->count++;
	gp->cache_bytes += span;
	if (gp->cache_bytes > gp->st.cache_peak)
		gp->st.cache_peak = gp->cache_bytes;
}

/* ---- reading ---- */

/* Pack k's object at off, its deltas resolved down to a base that is not
 * one or is in the cache, then applied from there up, each intermediate
 * result kept in the cache (it is a base). */
static enum la_status read_at(struct gitpack *gp, uint32_t k, uint64_t off, struct gitpack_obj *obj,
                              struct la_err *err)
{
	size_t depth = 0;
	unsigned char *cur = NULL;
	size_t cur_size = 0;
	enum gitpack_type type = 0;
	enum la_status e = LA_OK;
	for (;;) {
		/* (The object itself too: it may have been a base.) */
		{
			struct centry *c = cache_get(gp, k, off);
			if (c) {
				if (!(cur = malloc(c->size + 1)))
					return la_err_set(err, LA_ENOMEM, "out of memory");
				memcpy(cur, c->data, c->size);
				cur[c->size] = 0;
				cur_size = c->size;
				type = (enum gitpack_type)c->type;
				if (cache_old(gp, c))
					cache_put(gp, k, off, type, cur, cur_size, true);
				break;
			}
		}
		int t = 0;
		size_t size = 0;
		uint64_t data_off = 0, base_off = 0;
		unsigned char base_id[GITPACK_OID];
		if ((e = entry_header(gp, k, off, &t, &size, &data_off, &base_off, base_id, err)))
			return e;
		if (t != OBJ_OFS_DELTA && t != OBJ_REF_DELTA) {
			if ((e = inflate_at(gp, k, data_off, size, &cur, err)))
				return e;
			cur_size = size;
			type = (enum gitpack_type)t;
			if (depth > 0)
				cache_put(gp, k, off, type, cur, cur_size, false);
			break;
		}
		if (depth >= GITPACK_CHAIN_MAX)
			return la_err_set(err, LA_ETOOBIG,
			                  "pack %u: a delta chain deeper than %d at %llu", k,
			                  GITPACK_CHAIN_MAX, (unsigned long long)off);
		if (depth == gp->chain_cap) {
			size_t cap = gp->chain_cap ? gp->chain_cap * 2 : 64;
			struct link *nv = realloc(gp->chain, cap * sizeof *nv);
			if (!nv)
				return la_err_set(err, LA_ENOMEM, "out of memory");
			gp->chain = nv;
			gp->chain_cap = cap;
		}
		gp->chain[depth++] =
			(struct link){.pack = k, .off = off, .data_off = data_off, .size = size};
		if (depth > gp->st.depth_max)
			gp->st.depth_max = depth;
		gp->st.ref_deltas += t == OBJ_REF_DELTA;
		if (t == OBJ_OFS_DELTA) {
			off = base_off;
			continue;
		}
		uint32_t bk = 0;
		uint64_t boff = 0;
		size_t mi = ((size_t)base_id[0] << 8 | base_id[1]) % BASE_MEMO;
		if (gp->memo[mi].pack && memcmp(gp->memo[mi].id, base_id, GITPACK_OID) == 0) {
			bk = gp->memo[mi].pack - 1;
			boff = gp->memo[mi].off;
		} else {
			e = find(gp, base_id, &bk, &boff);
			if (e == LA_ENOTFOUND)
				return e;
			if (e)
				return e == LA_EIO ? read_fail(err, "an index", k, off)
				                   : la_err_set(err, e,
				                                "pack %u: a bad index offset", bk);
			memcpy(gp->memo[mi].id, base_id, GITPACK_OID);
			gp->memo[mi].pack = bk + 1;
			gp->memo[mi].off = boff;
		}
		k = bk;
		off = boff;
	}
	/* Up the chain. */
	while (depth > 0) {
		const struct link *l = &gp->chain[--depth];
		unsigned char *delta = NULL, *r = NULL;
		size_t rn = 0;
		if ((e = inflate_at(gp, l->pack, l->data_off, l->size, &delta, err)))
			break;
		bool ok = delta_apply(cur, cur_size, delta, l->size, &r, &rn);
		free(delta);
		gp->st.deltas++;
		if (!ok) {
			e = la_err_set(err, LA_EINVAL, "pack %u: a bad delta at %llu", l->pack,
			               (unsigned long long)l->off);
			break;
		}
		free(cur);
		cur = r;
		cur_size = rn;
		if (depth > 0)
			cache_put(gp, l->pack, l->off, type, cur, cur_size, false);
	}
	if (e) {
		free(cur);
		return e;
	}
	obj->type = type;
	obj->data = cur;
	obj->size = cur_size;
	return LA_OK;
}

static int ahead_cmp(const void *a, const void *b)
{
	return oid_cmp(((const struct ahead *)a)->id, ((const struct ahead *)b)->id);
}

enum la_status gitpack_prefetch(struct gitpack *gp, const unsigned char *ids, size_t n,
                                struct la_err *err)
{
	gp->nahead = 0;
	if (n > GITPACK_AHEAD_MAX)
		n = GITPACK_AHEAD_MAX;
	if (n > gp->ahead_cap) {
		struct ahead *nv = realloc(gp->ahead, n * sizeof *nv);
		if (!nv)
			return la_err_set(err, LA_ENOMEM, "out of memory");
		gp->ahead = nv;
		gp->ahead_cap = n;
	}
	for (size_t i = 0; i < n; i++) {
		memcpy(gp->ahead[i].id, ids + i * GITPACK_OID, GITPACK_OID);
		gp->ahead[i].pack = 0;
	}
	qsort(gp->ahead, n, sizeof *gp->ahead, ahead_cmp);
	/* (The same id twice: once.) */
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (m == 0 || oid_cmp(gp->ahead[m - 1].id, gp->ahead[i].id) != 0)
			gp->ahead[m++] = gp->ahead[i];
	/* Each pack's .idx read in sorted order, IDX_WINDOW_AHEAD ids a
	 * read, for the ids no earlier pack holds. */
	for (size_t k = 0; k < gp->npacks; k++) {
		for (size_t i = 0; i < m; i++) {
			if (gp->ahead[i].pack)
				continue;
			uint32_t pos;
			enum la_status e = idx_find(gp, &gp->packs[k], gp->ahead[i].id, &pos,
			                            IDX_WINDOW_AHEAD);
			if (e == LA_OK) {
				gp->ahead[i].pack = (uint32_t)k + 1;
				gp->ahead[i].pos = pos;
			} else if (e != LA_ENOTFOUND) {
				return e == LA_ENOMEM ? la_err_set(err, e, "out of memory")
				                      : la_err_set(err, e, "a pack index: %s",
				                                   strerror(errno));
			}
		}
	}
	gp->nahead = m;
	return LA_OK;
}

enum la_status gitpack_read(struct gitpack *gp, const unsigned char *id, struct gitpack_obj *obj,
                            struct la_err *err)
{
	*obj = (struct gitpack_obj){0};
	uint32_t k;
	uint64_t off;
	enum la_status e = find(gp, id, &k, &off);
	if (e == LA_ENOTFOUND)
		return e;
	if (e == LA_EIO)
		return la_err_set(err, e, "a pack index: %s", strerror(errno));
	if (e)
		return la_err_set(err, e, "pack %u: a bad index offset", k);
	return read_at(gp, k, off, obj, err);
}

void gitpack_backward(struct gitpack *gp, bool on)
{
	gp->backward = on;
}

size_t gitpack_count(const struct gitpack *gp)
{
	return gp->npacks;
}

void gitpack_stats(const struct gitpack *gp, struct gitpack_stats *out)
{
	*out = gp->st;
	out->cache_bytes = gp->cache_bytes;
}

void gitpack_obj_free(struct gitpack_obj *obj)
{
	if (!obj)
		return;
	free(obj->data);
	obj->data = NULL;
	obj->size = 0;
}

void gitpack_free(struct gitpack *gp)
{
	if (!gp)
		return;
	free(gp->block);
	for (size_t i = 0; i < gp->npacks; i++) {
		close(gp->packs[i].fd);
		close(gp->packs[i].idx_fd);
	}
	if (gp->z_ok)
		inflateEnd(&gp->z);
	free(gp->packs);
	free(gp->off_block);
	free(gp->off_tag);
	free(gp->chain);
	free(gp->win);
	free(gp->iw);
	free(gp->ahead);
	free(gp);
}

bool gitpack_enabled(void)
{
	const char *v = getenv("LISTARC_GITPACK");
	return !(v && strcmp(v, "0") == 0);
}

bool gitpack_repo_path(char *out, size_t n, const char *inbox, int epoch)
{
	int k = epoch < 0 ? snprintf(out, n, "%s", inbox)
	                  : snprintf(out, n, "%s/git/%d.git", inbox, epoch);
	return k >= 0 && (size_t)k < n;
}
