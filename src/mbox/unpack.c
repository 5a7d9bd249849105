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

#include "mbox/mbox.h"

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
	stop(u);
	free(u->in);
	free(u);
}

/* Makes compressed bytes available (in_pos < in_len) unless the file
 * has ended. */
static enum la_status fill(struct unpack *u, struct la_err *err)
{
	while (u->in_pos >= u->in_len && !u->in_eof) {
		ssize_t k = read(u->fd, u->in, IN_CHUNK);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return la_err_set(err, LA_EIO, "read at offset %llu: %s",
			                  (unsigned long long)u->in_off, strerror(errno));
		u->in_pos = 0;
		u->in_len = (size_t)k;
		u->in_off += (uint64_t)k;
		if (k == 0)
			u->in_eof = true;
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

enum la_status unpack_read(struct unpack *u, void *out, size_t n, size_t *got, struct la_err *err)
{
	*got = 0;
	unsigned char *o = out;
	size_t have = 0;
	enum la_status s;
	while (have < n && !u->done) {
		if ((s = fill(u, err)))
			return s;
		size_t avail = u->in_len - u->in_pos;
		/* At the end of the file, between streams: the end.  Inside one,
		 * the decoder is asked once more without input (it may hold
		 * output back); if it gives nothing, the data was cut. */
		if (avail == 0 && !u->in_stream && u->kind != UNPACK_XZ) {
			u->done = true;
			break;
		}
		const unsigned char *in = u->in + u->in_pos;
		size_t used = 0, made = 0;
		bool ended = false; /* a stream ended: progress even if nothing came out */
		switch (u->kind) {
		case UNPACK_GZIP: {
			if (!u->in_stream && in[0] != 0x1f) {
				/* Bytes after the last member that start no other one
				 * (zero padding): ignored, as gzip does. */
				u->in_pos = u->in_len;
				u->done = true;
				continue;
			}
			u->z.next_in = (unsigned char *)in;
			u->z.avail_in = (uInt)(avail < (1u << 30) ? avail : (1u << 30));
			u->z.next_out = o + have;
			u->z.avail_out = (uInt)(n - have < (1u << 30) ? n - have : (1u << 30));
			uInt in0 = u->z.avail_in, out0 = u->z.avail_out;
			int r = inflate(&u->z, Z_NO_FLUSH);
			used = in0 - u->z.avail_in;
			made = out0 - u->z.avail_out;
			u->in_stream = true;
			if (r == Z_STREAM_END) {
				/* The next member, if any, starts afresh. */
				u->in_stream = false;
				ended = true;
				inflateReset(&u->z);
			} else if (r != Z_OK && r != Z_BUF_ERROR) {
				u->in_pos += used;
				*got = have + made;
				return corrupt(u, err);
			}
			break;
		}
		case UNPACK_XZ: {
			u->x.next_in = in;
			u->x.avail_in = avail;
			u->x.next_out = o + have;
			u->x.avail_out = n - have;
			/* LZMA_CONCATENATED wants LZMA_FINISH once the file ended. */
			lzma_ret r = lzma_code(&u->x, u->in_eof ? LZMA_FINISH : LZMA_RUN);
			used = avail - u->x.avail_in;
			made = (n - have) - u->x.avail_out;
			u->in_stream = true;
			if (r == LZMA_STREAM_END) {
				u->done = true;
				ended = true;
			} else if (r == LZMA_BUF_ERROR && u->in_eof) {
				u->in_pos += used;
				*got = have + made;
				return cut_short(u, err);
			} else if (r != LZMA_OK && r != LZMA_BUF_ERROR) {
				u->in_pos += used;
				*got = have + made;
				return corrupt(u, err);
			}
			break;
		}
		case UNPACK_BZIP2: {
			if (!u->in_stream && in[0] != 'B') {
				u->in_pos = u->in_len;
				u->done = true;
				continue;
			}
			unsigned ia = (unsigned)(avail < (1u << 30) ? avail : (1u << 30));
			unsigned oa = (unsigned)(n - have < (1u << 30) ? n - have : (1u << 30));
			u->b.next_in = (char *)in;
			u->b.avail_in = ia;
			u->b.next_out = (char *)(o + have);
			u->b.avail_out = oa;
			int r = BZ2_bzDecompress(&u->b);
			used = ia - u->b.avail_in;
			made = oa - u->b.avail_out;
			u->in_stream = true;
			if (r == BZ_STREAM_END) {
				u->in_stream = false;
				ended = true;
				BZ2_bzDecompressEnd(&u->b);
				memset(&u->b, 0, sizeof u->b);
				if (BZ2_bzDecompressInit(&u->b, 0, 0) != BZ_OK) {
					*got = have + made;
					return la_err_set(err, LA_ENOMEM, "out of memory");
				}
			} else if (r != BZ_OK) {
				u->in_pos += used;
				*got = have + made;
				return corrupt(u, err);
			}
			break;
		}
		case UNPACK_ZSTD: {
			ZSTD_inBuffer ib = {in, avail, 0};
			ZSTD_outBuffer ob = {o + have, n - have, 0};
			size_t r = ZSTD_decompressStream(u->zs, &ob, &ib);
			used = ib.pos;
			made = ob.pos;
			if (ZSTD_isError(r)) {
				u->in_pos += used;
				*got = have + made;
				return corrupt(u, err);
			}
			/* 0: a frame ended and everything it held is out. */
			ended = u->in_stream && r == 0;
			u->in_stream = r != 0;
			break;
		}
		case UNPACK_NONE: break;
		}
		u->in_pos += used;
		have += made;
		if (used == 0 && made == 0 && !ended) {
			*got = have;
			/* No progress: out of input inside a stream, or bad data. */
			if (avail == 0)
				return cut_short(u, err);
			return corrupt(u, err);
		}
	}
	*got = have;
	return have > 0 ? LA_OK : LA_EOF;
}
