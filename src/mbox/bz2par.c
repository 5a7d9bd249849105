/* bz2par.c: bzip2 decoded on worker threads, block by block (see
 * bz2par.h).  The calling thread reads the file, splits it into blocks
 * and hands them out; workers decode; the caller takes the blocks back in
 * order. */
#define _GNU_SOURCE
#include "mbox/bz2par.h"

#include <bzlib.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/io.h"

#define BLOCK_MAGIC 0x314159265359ULL
#define EOS_MAGIC 0x177245385090ULL
#define MAGIC_MASK 0xFFFFFFFFFFFFULL

/* Compressed bytes read at a time. */
#define READ_CHUNK (1024 * 1024)
/* A block's coded size in bits, at most: 900,000 bytes of data (never
 * coded longer than they are, bar the tables), its tables and headers,
 * with room to spare.  A block that would be longer is corrupt. */
#define MAX_BLOCK_BITS ((uint64_t)8 * 1200 * 1000)
/* What one block decodes to, at most: 900,000 bytes of run-length code,
 * each 5 bytes of it up to 255 bytes of output (46 MB). */
#define MAX_OUT ((size_t)48 << 20)
#define MAX_THREADS 8
#define QMAX (2 * MAX_THREADS + 1)

enum job_state { JOB_PENDING, JOB_RUNNING, JOB_DONE, JOB_FAILED };

struct job {
	enum job_state state;
	unsigned char *in; /* the block as a stream of its own */
	size_t in_len;
	char *out; /* what it decoded to */
	size_t out_len, out_pos;
	uint64_t b0, b1; /* file bits: its magic, the next magic */
	uint32_t crc;    /* the block's */
	int level;       /* its stream's block size, '1'..'9' */
	bool first;      /* the first block of its stream */
	bool ends_stream;
	uint32_t stream_crc; /* if it does: the stream's combined CRC */
	bool nomem;
};

enum split_state { SP_HEADER, SP_MAGIC, SP_BLOCK, SP_DONE };

struct bz2par {
	int fd;
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	pthread_t th[MAX_THREADS];
	unsigned nth, qmax;
	bool quit;
	struct job *q[QMAX]; /* in file order, from qhead on */
	unsigned qhead, qlen;
	/* The compressed bytes from win_off on (only the caller's thread
	 * touches them). */
	unsigned char *win;
	size_t win_len, win_cap;
	uint64_t win_off;
	bool eof;
	/* The splitter. */
	enum split_state sp;
	uint64_t pos;    /* SP_HEADER, SP_MAGIC: the bit read next */
	uint64_t blk_b0; /* SP_BLOCK: the block's magic */
	uint64_t search; /* SP_BLOCK: the first bit that may start the next magic */
	int level;
	bool first;
	enum la_status end; /* SP_DONE: LA_EOF or why not */
	struct la_err end_err;
	bool rewound;      /* SP_BLOCK: a block from blk_b0 failed to decode */
	uint32_t combined; /* the CRC of the stream being taken back */
	uint64_t fake_every;
};

/* ---- the compressed bytes ---- */

/* The first byte the splitter may still need: a rewind goes back to the
 * oldest block not yet taken back. */
static uint64_t keep_from(const struct bz2par *p)
{
	uint64_t b = p->sp == SP_BLOCK ? p->blk_b0 : p->pos;
	if (p->qlen && p->q[p->qhead]->b0 < b)
		b = p->q[p->qhead]->b0;
	return b / 8;
}

/* Reads the next chunk of the file into the window.  Returns false at
 * the end or on an error (then p->end says which). */
static bool more(struct bz2par *p)
{
	if (p->eof)
		return false;
	uint64_t keep = keep_from(p);
	if (keep > p->win_off) {
		size_t drop = (size_t)(keep - p->win_off);
		if (drop > p->win_len)
			drop = p->win_len;
		memmove(p->win, p->win + drop, p->win_len - drop);
		p->win_len -= drop;
		p->win_off += drop;
	}
	if (p->win_cap - p->win_len < READ_CHUNK) {
		size_t cap = p->win_len + READ_CHUNK;
		unsigned char *w = realloc(p->win, cap);
		if (!w) {
			p->end = la_err_set(&p->end_err, LA_ENOMEM, "out of memory");
			p->eof = true;
			return false;
		}
		p->win = w;
		p->win_cap = cap;
	}
	size_t k = 0;
	if (io_read_full(p->fd, p->win + p->win_len, READ_CHUNK, &k)) {
		p->end = la_err_set(&p->end_err, LA_EIO, "read at offset %llu: %s",
		                    (unsigned long long)(p->win_off + p->win_len), strerror(errno));
		p->eof = true;
		return false;
	}
	p->win_len += k;
	if (k < READ_CHUNK)
		p->eof = true; /* io_read_full stops short only at the end */
	return k > 0;
}

static uint64_t win_bits(const struct bz2par *p)
{
	return (p->win_off + p->win_len) * 8;
}

/* Makes the bits up to end (exclusive) available; false if the file
 * ends first. */
static bool want(struct bz2par *p, uint64_t end)
{
	while (win_bits(p) < end)
		if (!more(p))
			return win_bits(p) >= end;
	return true;
}

/* The byte at file offset i, 0 past the window. */
static unsigned byte_at(const struct bz2par *p, uint64_t i)
{
	return i >= p->win_off && i - p->win_off < p->win_len ? p->win[i - p->win_off] : 0;
}

/* n (<= 57) bits from file bit b on, most significant first. */
static uint64_t get_bits(const struct bz2par *p, uint64_t b, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < 8; i++)
		v = v << 8 | byte_at(p, b / 8 + i);
	return (v >> (64 - n - (unsigned)(b % 8))) & ((1ULL << n) - 1);
}

/* The first bit in [from, limit) where a magic starts, with all of its
 * 48 bits in the window; UINT64_MAX if none.  *eos: which magic. */
static uint64_t find_magic(const struct bz2par *p, uint64_t from, uint64_t limit, bool *eos)
{
	uint64_t end = win_bits(p);
	if (end < 48)
		return UINT64_MAX;
	if (limit > end - 47)
		limit = end - 47;
	for (uint64_t j = from / 8; j * 8 < limit; j++) {
		uint64_t v = 0;
		if (j >= p->win_off && j + 8 <= p->win_off + p->win_len) {
			memcpy(&v, p->win + (j - p->win_off), 8);
			v = __builtin_bswap64(v);
		} else {
			for (unsigned i = 0; i < 8; i++)
				v = v << 8 | byte_at(p, j + i);
		}
		for (unsigned k = 0; k < 8; k++) {
			uint64_t b = j * 8 + k;
			if (b < from || b >= limit)
				continue;
			uint64_t m = (v >> (16 - k)) & MAGIC_MASK;
			if (m == BLOCK_MAGIC || m == EOS_MAGIC) {
				*eos = m == EOS_MAGIC;
				return b;
			}
		}
	}
	return UINT64_MAX;
}

/* ---- blocks ---- */

static void put_bits(unsigned char *o, uint64_t at, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++, at++)
		if (v >> (n - 1 - i) & 1)
			o[at / 8] |= (unsigned char)(0x80 >> (at % 8));
}

static void job_free(struct job *j)
{
	if (j) {
		free(j->in);
		free(j->out);
		free(j);
	}
}

/* The block [b0, b1) as a stream of its own: header, the block, the
 * end-of-stream magic and the block's CRC as the stream's. */
static struct job *job_new(const struct bz2par *p, uint64_t b0, uint64_t b1)
{
	struct job *j = calloc(1, sizeof *j);
	uint64_t nbits = b1 - b0;
	size_t len = (size_t)((32 + nbits + 80 + 7) / 8);
	if (!j || !(j->in = calloc(1, len))) {
		free(j);
		return NULL;
	}
	j->in_len = len;
	j->b0 = b0;
	j->b1 = b1;
	j->level = p->level;
	j->first = p->first;
	j->crc = (uint32_t)get_bits(p, b0 + 48, 32);
	memcpy(j->in, "BZh", 3);
	j->in[3] = (unsigned char)('0' + p->level);
	unsigned sh = (unsigned)(b0 % 8);
	uint64_t s = b0 / 8;
	size_t whole = (size_t)((nbits + 7) / 8);
	for (size_t k = 0; k < whole; k++)
		j->in[4 + k] = (unsigned char)(byte_at(p, s + k) << sh |
		                               (sh ? byte_at(p, s + k + 1) >> (8 - sh) : 0));
	if (nbits % 8)
		j->in[4 + whole - 1] &= (unsigned char)(0xFF << (8 - nbits % 8));
	put_bits(j->in, 32 + nbits, EOS_MAGIC, 48);
	put_bits(j->in, 32 + nbits + 48, j->crc, 32);
	return j;
}

/* Decodes j's stream; false if it is no whole block (or memory ran out:
 * j->nomem). */
static bool decode(struct job *j)
{
	bz_stream b;
	memset(&b, 0, sizeof b);
	if (BZ2_bzDecompressInit(&b, 0, 0) != BZ_OK) {
		j->nomem = true;
		return false;
	}
	size_t cap = 1024 * 1024;
	bool ok = false;
	if (!(j->out = malloc(cap))) {
		j->nomem = true;
		goto out;
	}
	b.next_in = (char *)j->in;
	b.avail_in = (unsigned)j->in_len;
	for (;;) {
		if (j->out_len == cap) {
			if (cap >= MAX_OUT)
				break;
			char *o = realloc(j->out, cap * 2);
			if (!o) {
				j->nomem = true;
				break;
			}
			j->out = o;
			cap *= 2;
		}
		b.next_out = j->out + j->out_len;
		b.avail_out = (unsigned)(cap - j->out_len);
		unsigned before_in = b.avail_in, before_out = b.avail_out;
		int r = BZ2_bzDecompress(&b);
		j->out_len = cap - b.avail_out;
		if (r == BZ_STREAM_END) {
			ok = true;
			break;
		}
		if (r != BZ_OK || (b.avail_in == before_in && b.avail_out == before_out))
			break;
	}
out:
	BZ2_bzDecompressEnd(&b);
	free(j->in);
	j->in = NULL;
	return ok;
}

static void *worker(void *arg)
{
	struct bz2par *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct job *j = NULL;
		for (unsigned i = 0; !p->quit && i < p->qlen && !j; i++) {
			struct job *c = p->q[(p->qhead + i) % QMAX];
			if (c->state == JOB_PENDING)
				j = c;
		}
		if (p->quit)
			break;
		if (!j) {
			pthread_cond_wait(&p->work, &p->mu);
			continue;
		}
		j->state = JOB_RUNNING;
		pthread_mutex_unlock(&p->mu);
		bool ok = decode(j);
		pthread_mutex_lock(&p->mu);
		j->state = ok ? JOB_DONE : JOB_FAILED;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* ---- the splitter ---- */

static void finish(struct bz2par *p, enum la_status s)
{
	p->sp = SP_DONE;
	if (p->end == LA_OK || p->end == LA_EOF)
		p->end = s;
}

static void corrupt_at(struct bz2par *p, uint64_t bit)
{
	if (p->end != LA_OK && p->end != LA_EOF) {
		finish(p, p->end); /* the read failed: that is the reason */
		return;
	}
	la_err_set(&p->end_err, LA_EINVAL, "bzip2 data corrupt near offset %llu",
	           (unsigned long long)(bit / 8));
	finish(p, LA_EINVAL);
}

static void cut_at(struct bz2par *p)
{
	if (p->end != LA_OK && p->end != LA_EOF) {
		finish(p, p->end); /* the read failed: that is the reason */
		return;
	}
	la_err_set(&p->end_err, LA_ECHANGED,
	           "bzip2 data ends inside a stream at offset %llu (cut short, or still being "
	           "written)",
	           (unsigned long long)(p->win_off + p->win_len));
	finish(p, LA_ECHANGED);
}

static bool push(struct bz2par *p, struct job *j)
{
	if (!j) {
		la_err_set(&p->end_err, LA_ENOMEM, "out of memory");
		finish(p, LA_ENOMEM);
		return false;
	}
	pthread_mutex_lock(&p->mu);
	p->q[(p->qhead + p->qlen) % QMAX] = j;
	p->qlen++;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
	return true;
}

/* Adds blocks to the queue until it is full or the data ends. */
static void split(struct bz2par *p)
{
	while (p->sp != SP_DONE && p->qlen < p->qmax) {
		switch (p->sp) {
		case SP_HEADER: {
			bool whole = want(p, p->pos + 32);
			uint64_t at = p->pos / 8;
			if (win_bits(p) <= p->pos) { /* the end, between streams */
				if (p->end == LA_OK)
					p->end = LA_EOF;
				finish(p, p->end);
			} else if (byte_at(p, at) != 'B') {
				finish(p, LA_EOF); /* padding after the last stream, ignored */
			} else if (!whole) {
				cut_at(p);
			} else if (byte_at(p, at + 1) != 'Z' || byte_at(p, at + 2) != 'h' ||
			           byte_at(p, at + 3) < '1' || byte_at(p, at + 3) > '9') {
				corrupt_at(p, p->pos);
			} else {
				p->level = (int)byte_at(p, at + 3) - '0';
				p->pos += 32;
				p->first = true;
				p->sp = SP_MAGIC;
			}
			break;
		}
		case SP_MAGIC: {
			if (!want(p, p->pos + 80)) {
				cut_at(p);
				break;
			}
			uint64_t m = get_bits(p, p->pos, 48);
			if (m == BLOCK_MAGIC) {
				p->blk_b0 = p->pos;
				p->search = p->pos + 80;
				p->rewound = false;
				p->sp = SP_BLOCK;
			} else if (m == EOS_MAGIC && get_bits(p, p->pos + 48, 32) == 0) {
				p->pos = (p->pos + 80 + 7) / 8 * 8; /* a stream without blocks */
				p->sp = SP_HEADER;
			} else {
				corrupt_at(p, p->pos);
			}
			break;
		}
		case SP_BLOCK: {
			bool eos = false;
			uint64_t limit = p->blk_b0 + MAX_BLOCK_BITS;
			uint64_t b1 = find_magic(p, p->search, limit, &eos);
			if (p->fake_every && p->search <= p->blk_b0 + p->fake_every &&
			    p->blk_b0 + p->fake_every < b1 &&
			    p->blk_b0 + p->fake_every < win_bits(p)) {
				b1 = p->blk_b0 + p->fake_every;
				eos = false;
			}
			if (b1 == UINT64_MAX) {
				/* No end within a block's length, or the file ends
				 * after a block that failed to decode: corrupt; the
				 * file ends inside a block: cut short. */
				if (win_bits(p) >= limit + 48)
					corrupt_at(p, p->blk_b0);
				else if (more(p))
					; /* look again in what came */
				else if (p->rewound)
					corrupt_at(p, p->blk_b0);
				else
					cut_at(p);
				break;
			}
			if (!eos) {
				if (!push(p, job_new(p, p->blk_b0, b1)))
					break;
				p->blk_b0 = b1;
				p->search = b1 + 80;
				p->first = false;
				p->rewound = false;
				break;
			}
			if (!want(p, b1 + 80)) {
				cut_at(p);
				break;
			}
			struct job *j = job_new(p, p->blk_b0, b1);
			if (j) {
				j->ends_stream = true;
				j->stream_crc = (uint32_t)get_bits(p, b1 + 48, 32);
			}
			if (!push(p, j))
				break;
			p->pos = (b1 + 80 + 7) / 8 * 8;
			p->sp = SP_HEADER;
			break;
		}
		case SP_DONE: break;
		}
	}
}

/* Drops every block after the first (waiting for those being decoded). */
static void drop_after_head(struct bz2par *p)
{
	pthread_mutex_lock(&p->mu);
	for (;;) {
		bool busy = false;
		for (unsigned i = 1; i < p->qlen; i++)
			busy |= p->q[(p->qhead + i) % QMAX]->state == JOB_RUNNING;
		if (!busy)
			break;
		pthread_cond_wait(&p->done, &p->mu);
	}
	for (unsigned i = 1; i < p->qlen; i++)
		job_free(p->q[(p->qhead + i) % QMAX]);
	p->qlen = p->qlen ? 1 : 0;
	pthread_mutex_unlock(&p->mu);
}

static void pop(struct bz2par *p)
{
	pthread_mutex_lock(&p->mu);
	struct job *j = p->q[p->qhead];
	p->qhead = (p->qhead + 1) % QMAX;
	p->qlen--;
	pthread_mutex_unlock(&p->mu);
	job_free(j);
}

/* The first block failed to decode: the magic that ended it was one by
 * chance, inside the block.  The splitter goes back to the block's start
 * and looks for the next magic after that one; the blocks split after it
 * were split wrongly too. */
static void rewind_to(struct bz2par *p, struct job *h)
{
	drop_after_head(p);
	p->sp = SP_BLOCK;
	p->blk_b0 = h->b0;
	p->search = h->b1 + 1;
	p->level = h->level;
	p->first = h->first;
	p->rewound = true;
	if (p->end != LA_EIO && p->end != LA_ENOMEM)
		p->end = LA_OK;
	pop(p);
}

/* ---- the interface ---- */

struct bz2par *bz2par_new(int fd, unsigned threads, uint64_t fake_every)
{
	struct bz2par *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->fd = fd;
	p->fake_every = fake_every;
	p->nth = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : threads;
	p->qmax = 2 * p->nth + 1;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	unsigned made = 0;
	while (made < p->nth && pthread_create(&p->th[made], NULL, worker, p) == 0)
		made++;
	p->nth = made;
	if (!made) {
		bz2par_free(p);
		return NULL;
	}
	return p;
}

void bz2par_free(struct bz2par *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->quit = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->nth; i++)
		pthread_join(p->th[i], NULL);
	for (unsigned i = 0; i < p->qlen; i++)
		job_free(p->q[(p->qhead + i) % QMAX]);
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->mu);
	free(p->win);
	free(p);
}

enum la_status bz2par_read(struct bz2par *p, void *out, size_t n, size_t *got, struct la_err *err)
{
	char *o = out;
	size_t have = 0;
	*got = 0;
	while (have < n) {
		split(p);
		if (!p->qlen)
			break; /* the splitter is done */
		struct job *h = p->q[p->qhead];
		pthread_mutex_lock(&p->mu);
		while (h->state == JOB_PENDING || h->state == JOB_RUNNING)
			pthread_cond_wait(&p->done, &p->mu);
		pthread_mutex_unlock(&p->mu);
		if (h->state == JOB_FAILED) {
			if (h->nomem) {
				drop_after_head(p);
				pop(p);
				la_err_set(&p->end_err, LA_ENOMEM, "out of memory");
				p->sp = SP_DONE;
				p->end = LA_ENOMEM;
				break;
			}
			rewind_to(p, h);
			continue;
		}
		size_t k = h->out_len - h->out_pos;
		if (k > n - have)
			k = n - have;
		memcpy(o + have, h->out + h->out_pos, k);
		have += k;
		h->out_pos += k;
		if (h->out_pos < h->out_len)
			continue;
		if (h->first)
			p->combined = 0;
		p->combined = (p->combined << 1 | p->combined >> 31) ^ h->crc;
		bool bad = h->ends_stream && p->combined != h->stream_crc;
		uint64_t b1 = h->b1;
		if (bad) {
			drop_after_head(p);
			pop(p);
			corrupt_at(p, b1);
			p->sp = SP_DONE;
			break;
		}
		pop(p);
	}
	*got = have;
	if (have > 0)
		return LA_OK;
	if (p->end == LA_EOF || p->end == LA_OK)
		return LA_EOF;
	*err = p->end_err;
	return p->end;
}
