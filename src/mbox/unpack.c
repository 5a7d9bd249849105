/* unpack.c: gzip, xz, bzip2 and zstd streams decompressed as they are
 * read (zlib, liblzma, libbz2, libzstd), for compressed mailboxes.  The
 * kind comes from the file's magic number, never from its name. */
#define _GNU_SOURCE
#include <bzlib.h>
#include <errno.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "mbox/bz2par.h"
#include "mbox/mbox.h"
#include "util/io.h"

/* Compressed bytes read from the file at a time. */
#define IN_CHUNK (256 * 1024)

struct unpack {
	enum unpack_kind kind;
	int fd;
	unsigned char *in;
	size_t in_len, in_pos; /* compressed bytes in hand */
	uint64_t in_off;       /* file offset just past in[in_len) */
	bool in_eof;
	bool in_stream; /* inside a stream (member, frame) not yet ended */
	bool done;
	z_stream z;
	lzma_stream x;
	bz_stream b;
	ZSTD_DCtx *zs;
	struct bz2par *par; /* bzip2 on worker threads (else b, here) */
};

enum unpack_kind unpack_detect(const void *p, size_t n)
{
	const unsigned char *b = p;
	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return UNPACK_GZIP;
	if (n >= 6 && memcmp(b,
	                     "\xFD"
	                     "7zXZ\0",
	                     6) == 0)
		return UNPACK_XZ;
	if (n >= 4 && b[0] == 'B' && b[1] == 'Z' && b[2] == 'h' && b[3] >= '1' && b[3] <= '9')
		return UNPACK_BZIP2;
	if (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd)
		return UNPACK_ZSTD;
	return UNPACK_NONE;
}

const char *unpack_name(enum unpack_kind k)
{
	switch (k) {
	case UNPACK_GZIP: return "gzip";
	case UNPACK_XZ: return "xz";
	case UNPACK_BZIP2: return "bzip2";
	case UNPACK_ZSTD: return "zstd";
	case UNPACK_NONE: break;
	}
	return "none";
}

/* Starts (or restarts, for the next concatenated stream) the decoder. */
static bool start(struct unpack *u)
{
	switch (u->kind) {
	case UNPACK_GZIP: return inflateInit2(&u->z, 16 + MAX_WBITS) == Z_OK;
	case UNPACK_XZ:
		/* LZMA_CONCATENATED reads every stream of the file as one. */
		return lzma_stream_decoder(&u->x, UINT64_MAX, LZMA_CONCATENATED) == LZMA_OK;
	case UNPACK_BZIP2: return BZ2_bzDecompressInit(&u->b, 0, 0) == BZ_OK;
	case UNPACK_ZSTD: u->zs = ZSTD_createDCtx(); return u->zs != NULL;
	case UNPACK_NONE: break;
	}
	return false;
}

static void stop(struct unpack *u)
{
	switch (u->kind) {
	case UNPACK_GZIP: inflateEnd(&u->z); break;
	case UNPACK_XZ: lzma_end(&u->x); break;
	case UNPACK_BZIP2: BZ2_bzDecompressEnd(&u->b); break;
	case UNPACK_ZSTD:
		ZSTD_freeDCtx(u->zs);
		u->zs = NULL;
		break;
	case UNPACK_NONE: break;
	}
}

struct unpack *unpack_new(int fd, enum unpack_kind k)
{
	struct unpack *u = calloc(1, sizeof *u);
	if (!u)
		return NULL;
	u->kind = k;
	u->fd = fd;
	u->x = (lzma_stream)LZMA_STREAM_INIT;
	if (k == UNPACK_BZIP2) {
		/* libbz2 is slower than indexing: a worker per core (bz2par.h),
		 * this thread splitting the blocks. */
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		if ((u->par = bz2par_new(fd, cores < 1 ? 1 : cores > 4 ? 4 : (unsigned)cores, 0)))
			return u;
	}
	u->in = malloc(IN_CHUNK);
	if (!u->in || k == UNPACK_NONE || !start(u)) {
		free(u->in);
		free(u);
		return NULL;
	}
	return u;
}

void unpack_free(struct unpack *u)
{
	if (!u)
		return;
	if (u->par) {
		bz2par_free(u->par);
		free(u);
		return;
	}
	stop(u);
	free(u->in);
	free(u);
}

/* Makes compressed bytes available (in_pos < in_len) unless the file
 * has ended. */
static enum la_status fill(struct unpack *u, struct la_err *err)
{
	if (u->in_pos >= u->in_len && !u->in_eof) {
		size_t k = 0;
		if (io_read_full(u->fd, u->in, IN_CHUNK, &k))
			return la_err_set(err, LA_EIO, "read at offset %llu: %s",
			                  (unsigned long long)u->in_off, strerror(errno));
		u->in_pos = 0;
		u->in_len = k;
		u->in_off += k;
		if (k < IN_CHUNK)
			u->in_eof = true; /* io_read_full stops short only at the end */
	}
	return LA_OK;
}

static enum la_status corrupt(struct unpack *u, struct la_err *err)
{
	return la_err_set(err, LA_EINVAL, "%s data corrupt near offset %llu", unpack_name(u->kind),
	                  (unsigned long long)(u->in_off - (u->in_len - u->in_pos)));
}

static enum la_status cut_short(struct unpack *u, struct la_err *err)
{
	return la_err_set(err, LA_ECHANGED,
	                  "%s data ends inside a stream at offset %llu (cut short, or still being "
	                  "written)",
	                  unpack_name(u->kind), (unsigned long long)u->in_off);
}

/* What one decoder step did with in[0..avail) and out[0..room). */
enum step {
	STEP_OK,      /* used/made say how much (both 0: no progress) */
	STEP_ENDED,   /* a stream ended: progress even if nothing came out */
	STEP_PADDING, /* bytes after the last member that start no other
	                 one (zero padding): ignored, as gzip does */
	STEP_LAST,    /* the last stream ended (xz reads them all as one) */
	STEP_CORRUPT,
	STEP_CUT,   /* the file ended inside a stream */
	STEP_NOMEM, /* the next stream's decoder could not start */
};

/* Caps a length at what zlib's and libbz2's unsigned counts hold. */
static unsigned cap30(size_t n)
{
	return (unsigned)(n < (1u << 30) ? n : (1u << 30));
}

static enum step step_gzip(struct unpack *u, const unsigned char *in, size_t avail,
                           unsigned char *out, size_t room, size_t *used, size_t *made)
{
	if (!u->in_stream && in[0] != 0x1f) {
		*used = avail;
		return STEP_PADDING;
	}
	u->z.next_in = (unsigned char *)in;
	u->z.avail_in = cap30(avail);
	u->z.next_out = out;
	u->z.avail_out = cap30(room);
	uInt in0 = u->z.avail_in, out0 = u->z.avail_out;
	int r = inflate(&u->z, Z_NO_FLUSH);
	*used = in0 - u->z.avail_in;
	*made = out0 - u->z.avail_out;
	u->in_stream = true;
	if (r == Z_STREAM_END) {
		/* The next member, if any, starts afresh. */
		u->in_stream = false;
		inflateReset(&u->z);
		return STEP_ENDED;
	}
	return r == Z_OK || r == Z_BUF_ERROR ? STEP_OK : STEP_CORRUPT;
}

static enum step step_xz(struct unpack *u, const unsigned char *in, size_t avail,
                         unsigned char *out, size_t room, size_t *used, size_t *made)
{
	u->x.next_in = in;
	u->x.avail_in = avail;
	u->x.next_out = out;
	u->x.avail_out = room;
	/* LZMA_CONCATENATED wants LZMA_FINISH once the file ended. */
	lzma_ret r = lzma_code(&u->x, u->in_eof ? LZMA_FINISH : LZMA_RUN);
	*used = avail - u->x.avail_in;
	*made = room - u->x.avail_out;
	u->in_stream = true;
	if (r == LZMA_STREAM_END)
		return STEP_LAST;
	if (r == LZMA_BUF_ERROR && u->in_eof)
		return STEP_CUT;
	return r == LZMA_OK || r == LZMA_BUF_ERROR ? STEP_OK : STEP_CORRUPT;
}

static enum step step_bzip2(struct unpack *u, const unsigned char *in, size_t avail,
                            unsigned char *out, size_t room, size_t *used, size_t *made)
{
	if (!u->in_stream && in[0] != 'B') {
		*used = avail;
		return STEP_PADDING;
	}
	unsigned ia = cap30(avail), oa = cap30(room);
	u->b.next_in = (char *)in;
	u->b.avail_in = ia;
	u->b.next_out = (char *)out;
	u->b.avail_out = oa;
	int r = BZ2_bzDecompress(&u->b);
	*used = ia - u->b.avail_in;
	*made = oa - u->b.avail_out;
	u->in_stream = true;
	if (r == BZ_STREAM_END) {
		u->in_stream = false;
		BZ2_bzDecompressEnd(&u->b);
		memset(&u->b, 0, sizeof u->b);
		return BZ2_bzDecompressInit(&u->b, 0, 0) == BZ_OK ? STEP_ENDED : STEP_NOMEM;
	}
	return r == BZ_OK ? STEP_OK : STEP_CORRUPT;
}

static enum step step_zstd(struct unpack *u, const unsigned char *in, size_t avail,
                           unsigned char *out, size_t room, size_t *used, size_t *made)
{
	ZSTD_inBuffer ib = {in, avail, 0};
	ZSTD_outBuffer ob = {out, room, 0};
	size_t r = ZSTD_decompressStream(u->zs, &ob, &ib);
	*used = ib.pos;
	*made = ob.pos;
	if (ZSTD_isError(r))
		return STEP_CORRUPT;
	/* 0: a frame ended and everything it held is out. */
	bool ended = u->in_stream && r == 0;
	u->in_stream = r != 0;
	return ended ? STEP_ENDED : STEP_OK;
}

static enum step step(struct unpack *u, const unsigned char *in, size_t avail, unsigned char *out,
                      size_t room, size_t *used, size_t *made)
{
	*used = *made = 0;
	switch (u->kind) {
	case UNPACK_GZIP: return step_gzip(u, in, avail, out, room, used, made);
	case UNPACK_XZ: return step_xz(u, in, avail, out, room, used, made);
	case UNPACK_BZIP2: return step_bzip2(u, in, avail, out, room, used, made);
	case UNPACK_ZSTD: return step_zstd(u, in, avail, out, room, used, made);
	case UNPACK_NONE: break;
	}
	return STEP_OK;
}

enum la_status unpack_read(struct unpack *u, void *out, size_t n, size_t *got, struct la_err *err)
{
	*got = 0;
	if (u->par)
		return bz2par_read(u->par, out, n, got, err);
	unsigned char *o = out;
	size_t have = 0;
	enum la_status s = LA_OK;
	while (have < n && !u->done && !s) {
		if ((s = fill(u, err)))
			break;
		size_t avail = u->in_len - u->in_pos;
		/* At the end of the file, between streams: the end.  Inside one,
		 * the decoder is asked once more without input (it may hold
		 * output back); if it gives nothing, the data was cut. */
		if (avail == 0 && !u->in_stream && u->kind != UNPACK_XZ) {
			u->done = true;
			break;
		}
		size_t used, made;
		enum step r = step(u, u->in + u->in_pos, avail, o + have, n - have, &used, &made);
		u->in_pos += used;
		have += made;
		switch (r) {
		case STEP_OK:
			/* No progress: out of input inside a stream, or bad data. */
			if (used == 0 && made == 0)
				s = avail == 0 ? cut_short(u, err) : corrupt(u, err);
			break;
		case STEP_ENDED: break;
		case STEP_PADDING:
		case STEP_LAST: u->done = true; break;
		case STEP_CORRUPT: s = corrupt(u, err); break;
		case STEP_CUT: s = cut_short(u, err); break;
		case STEP_NOMEM: s = la_err_set(err, LA_ENOMEM, "out of memory"); break;
		}
	}
	*got = have;
	if (s)
		return s;
	return have > 0 ? LA_OK : LA_EOF;
}
