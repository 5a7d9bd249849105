/* io.c: reads and writes that finish (io.h). */
#define _GNU_SOURCE /* (O_TMPFILE, mkostemp) */
#include "util/io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* One loop for all four: a negative off means the file offset. */
static enum la_status write_loop(int fd, const char *p, size_t n, int64_t off)
{
	while (n > 0) {
		ssize_t k = off < 0 ? write(fd, p, n) : pwrite(fd, p, n, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return errno == ENOSPC || errno == EDQUOT ? LA_ENOSPC : LA_EIO;
		p += k;
		n -= (size_t)k;
		if (off >= 0)
			off += k;
	}
	return LA_OK;
}

static enum la_status read_loop(int fd, char *p, size_t n, int64_t off, size_t *got)
{
	size_t k = 0;
	enum la_status e = LA_OK;
	while (k < n) {
		ssize_t r = off < 0 ? read(fd, p + k, n - k)
		                    : pread(fd, p + k, n - k, (off_t)off + (off_t)k);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = LA_EIO;
			break;
		}
		if (r == 0)
			break;
		k += (size_t)r;
	}
	*got = k;
	return e;
}

enum la_status io_write_all(int fd, const void *p, size_t n)
{
	return write_loop(fd, p, n, -1);
}

enum la_status io_pwrite_all(int fd, const void *p, size_t n, uint64_t off)
{
	if (off > INT64_MAX)
		return LA_EINVAL;
	return write_loop(fd, p, n, (int64_t)off);
}

enum la_status io_read_full(int fd, void *p, size_t n, size_t *got)
{
	return read_loop(fd, p, n, -1, got);
}

enum la_status io_pread_full(int fd, void *p, size_t n, uint64_t off, size_t *got)
{
	if (off > INT64_MAX) {
		*got = 0;
		return LA_EINVAL;
	}
	return read_loop(fd, p, n, (int64_t)off, got);
}

int io_tmpfile(const char *dir, const char *prefix)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	/* (mkostemp's template; a name too long for it is refused.) */
	char path[4200];
	int n = snprintf(path, sizeof path, "%s/%s-XXXXXX", dir, prefix);
	if (n < 0 || (size_t)n >= sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkostemp(path, O_CLOEXEC)) < 0)
		return -1;
	if (unlink(path) != 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}
