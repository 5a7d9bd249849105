/* bz2par.h: bzip2 decoded on several threads, block by block (mbox/
 * internal: unpack.c uses it for bzip2 files).
 *
 * libbz2 decodes at 15-25 MB/s a core, slower than listarc indexes, so a
 * bzip2 mailbox would index at the decoder's pace.  A bzip2 stream is a
 * run of blocks of at most 900 kB each, coded independently and each
 * starting with a 48-bit magic at any bit position.  The splitter finds
 * the magics, each block is copied out as a stream of its own (header,
 * block, end-of-stream marker with the block's CRC as the stream's) and
 * decoded by libbz2 on a worker thread; the blocks come out in order.
 * The magic can also occur by chance inside a block: the block that ends
 * there fails to decode (libbz2 checks every block's CRC), and the
 * splitter goes back and takes the next magic instead.  Every stream's
 * combined CRC is checked as bzip2 does. */
#ifndef LISTARC_MBOX_BZ2PAR_H
#define LISTARC_MBOX_BZ2PAR_H

#include <stddef.h>
#include <stdint.h>

#include "util/status.h"

struct bz2par;

/* A decoder of the bzip2 data read from fd (from its current offset on,
 * with read()) on `threads` worker threads (at least 1).  fake_every,
 * for tests only: also report a false magic every that many bits into
 * each block, to exercise the way back (0: none).  NULL if memory or
 * threads run out. */
struct bz2par *bz2par_new(int fd, unsigned threads, uint64_t fake_every);
void bz2par_free(struct bz2par *p);

/* As unpack_read: up to n bytes into out, *got of them.  LA_OK (*got >
 * 0), LA_EOF at the clean end, LA_ECHANGED if the data ends inside a
 * stream (what came before is good), LA_EINVAL if corrupt, LA_EIO,
 * LA_ENOMEM. */
LA_MUST_CHECK enum la_status bz2par_read(struct bz2par *p, void *out, size_t n, size_t *got,
                                         struct la_err *err);

#endif
