/* io.h: reads and writes that finish: retried when a signal interrupts
 * them (EINTR) and continued after a short count, so that no caller
 * loops by hand. */
#ifndef LISTARC_IO_H
#define LISTARC_IO_H

#include <stddef.h>
#include <stdint.h>

#include "util/status.h"

/* Writes all n bytes of p to fd.  Returns LA_OK, LA_ENOSPC (ENOSPC or
 * EDQUOT) or LA_EIO (errno says why); on failure some bytes may have
 * been written. */
LA_MUST_CHECK enum la_status io_write_all(int fd, const void *p, size_t n);

/* The same at file offset off (pwrite: the file offset is not moved). */
LA_MUST_CHECK enum la_status io_pwrite_all(int fd, const void *p, size_t n, uint64_t off);

/* Reads n bytes from fd into p, fewer only at the end of the file: *got
 * says how many.  Returns LA_OK or LA_EIO (errno says why; *got holds
 * what was read before the error). */
LA_MUST_CHECK enum la_status io_read_full(int fd, void *p, size_t n, size_t *got);

/* The same at file offset off (pread: the file offset is not moved). */
LA_MUST_CHECK enum la_status io_pread_full(int fd, void *p, size_t n, uint64_t off, size_t *got);

/* An unnamed file for reading and writing in directory dir (O_TMPFILE;
 * where the file system has none, one made with a name starting with
 * prefix and unlinked at once), gone when closed: a spool on the disk
 * that holds dir, not in $TMPDIR, which may be a tmpfs (memory).
 * Returns the descriptor (close-on-exec), or -1 with errno set. */
int io_tmpfile(const char *dir, const char *prefix);

#endif
