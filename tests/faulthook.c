/* faulthook.c: an LD_PRELOAD library that makes file writes fail, for the
 * fault tests (t4100-crash, t7200-faults).  It wraps write, pwrite,
 * pwrite64, writev, fsync, fdatasync and ftruncate, and only ever acts on
 * regular files (never on stderr, pipes or sockets).  Set by environment:
 *
 *   FAULT_KILL_AT=N     the N-th wrapped call (from 1) kills the process
 *                       with SIGKILL: N % 3 == 0 before the call, 1 after
 *                       it, 2 after writing half of its bytes (a torn
 *                       write).  So a kill lands inside an SQLite commit
 *                       (a WAL frame, the commit's fsync, a checkpoint).
 *   FAULT_ENOSPC_AFTER=B  once B bytes have been written to files whose
 *                       path starts with FAULT_DIR (or to any file, if
 *                       FAULT_DIR is unset), every write that would grow
 *                       such a file fails with ENOSPC: the disk is full.
 *                       Writes inside a file's current size still work,
 *                       as on a real full disk.
 *   FAULT_COUNT=FILE    at exit, write to FILE the number of wrapped calls
 *                       and the bytes they added to files (a clean run's
 *                       figures bound FAULT_KILL_AT and FAULT_ENOSPC_AFTER).
 *   FAULT_LOG=FILE      before a kill, append a line to FILE saying where
 *                       it lands: call number, call, file, offset, bytes,
 *                       and "before", "after" or "torn".
 *   FAULT_ONLY=NAME     only the calls on files named NAME (without
 *                       their directory) are counted, killed at or
 *                       paused at: the N-th call on one file is the same
 *                       call from run to run even where two threads
 *                       write two files (the search index's and the
 *                       index's), where the N-th of all calls is not.
 *   FAULT_PAUSE_AT=N    the N-th wrapped call, before it is made, writes
 *                       FAULT_PAUSE (a file: "N call file") and waits
 *                       until FAULT_PAUSE.go exists, then goes on (so a
 *                       test can read the archive while the writer
 *                       stands at a commit's or a checkpoint's call).
 *   FAULT_TRACE=FILE    write to FILE a line for every wrapped call: its
 *                       number, the call and the file's name (so that a
 *                       test can aim FAULT_KILL_AT at, say, a checkpoint's
 *                       writes into index.sqlite).
 *
 * The real functions come from dlsym(RTLD_NEXT).  The library is for the
 * release build: AddressSanitizer wants to be first in the preload list. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static atomic_long calls;
static atomic_long written;
static long kill_at = -1;
static long enospc_after = -1;
static const char *fault_dir;
static const char *count_file;
static const char *log_file;
static FILE *trace;
static long pause_at = -1;
static const char *pause_file;
static const char *only_name;

static void report(void)
{
	if (!count_file)
		return;
	FILE *f = fopen(count_file, "w");
	if (f) {
		fprintf(f, "%ld %ld\n", (long)atomic_load(&calls), (long)atomic_load(&written));
		fclose(f);
	}
}

__attribute__((constructor)) static void faulthook_init(void)
{
	const char *e = getenv("FAULT_KILL_AT");
	if (e && *e)
		kill_at = atol(e);
	e = getenv("FAULT_ENOSPC_AFTER");
	if (e && *e)
		enospc_after = atol(e);
	fault_dir = getenv("FAULT_DIR");
	count_file = getenv("FAULT_COUNT");
	log_file = getenv("FAULT_LOG");
	if (count_file)
		atexit(report);
	e = getenv("FAULT_PAUSE_AT");
	if (e && *e)
		pause_at = atol(e);
	pause_file = getenv("FAULT_PAUSE");
	only_name = getenv("FAULT_ONLY");
	e = getenv("FAULT_TRACE");
	if (e && *e)
		trace = fopen(e, "w");
}

/* The name of the file open on fd, without its directory, in buf. */
static const char *file_name(int fd, char *buf, size_t n)
{
	char link[64];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t k = readlink(link, buf, n - 1);
	buf[k > 0 ? k : 0] = '\0';
	const char *base = strrchr(buf, '/');
	return base ? base + 1 : buf;
}

/* Is fd a regular file under FAULT_DIR (if set)?  *size: its size. */
static int watched(int fd, off_t *size)
{
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
		return 0;
	*size = sb.st_size;
	if (!fault_dir)
		return 1;
	char link[64], path[4096];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof path - 1);
	if (n < 0)
		return 0;
	path[n] = '\0';
	if (only_name) {
		const char *base = strrchr(path, '/');
		if (strcmp(base ? base + 1 : path, only_name) != 0)
			return 0;
	}
	return strncmp(path, fault_dir, strlen(fault_dir)) == 0;
}

/* Counts call `what` on fd, a watched file; returns the kill mode if this
 * is the call to die at (0 before, 1 after, 2 torn), else -1. */
static int count_call(const char *what, int fd)
{
	long n = atomic_fetch_add(&calls, 1) + 1;
	if (trace) {
		char path[4096];
		fprintf(trace, "%ld %s %s\n", n, what, file_name(fd, path, sizeof path));
		fflush(trace);
	}
	if (pause_at > 0 && n == pause_at && pause_file) {
		char path[4096], go[4200];
		FILE *f = fopen(pause_file, "w");
		if (f) {
			fprintf(f, "%ld %s %s\n", n, what, file_name(fd, path, sizeof path));
			fclose(f);
		}
		snprintf(go, sizeof go, "%s.go", pause_file);
		while (access(go, F_OK) != 0)
			usleep(2000);
	}
	if (kill_at > 0 && n == kill_at)
		return (int)(n % 3);
	return -1;
}

/* Kills the process in the middle of call `what` on fd. */
static void die(const char *what, int fd, long long off, size_t len, int mode)
{
	if (log_file) {
		char path[4096];
		const char *name = file_name(fd, path, sizeof path);
		FILE *f = fopen(log_file, "a");
		if (f) {
			static const char *const how[] = {"before", "after", "torn"};
			fprintf(f, "%ld %s %s %lld %zu %s\n", (long)atomic_load(&calls), what, name, off,
			        len, how[mode]);
			fclose(f);
		}
	}
	raise(SIGKILL);
	_exit(137); /* not reached */
}

/* Would writing len bytes at off (off < 0: at the end) grow the file past
 * the space left?  Then the disk is full. */
static int full(off_t size, off_t off, size_t len)
{
	if (enospc_after < 0)
		return 0;
	off_t end = (off < 0 ? size : off) + (off_t)len;
	if (end <= size)
		return 0; /* overwriting: no new blocks */
	return atomic_load(&written) + (long)(end - size) > enospc_after;
}

#define REAL(name)                                                     \
	static __typeof__(name) *real_##name;                              \
	if (!real_##name)                                                  \
		real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

/* One write call of len bytes at off (-1: at the file's end or current
 * position), done by io(arg, k) for k bytes: counted, killed at, or
 * failed for a full disk as the environment says. */
static ssize_t hooked(const char *what, int fd, off_t off, size_t len,
                      ssize_t (*io)(void *arg, size_t k), void *arg)
{
	off_t size;
	if (!watched(fd, &size))
		return io(arg, len);
	int mode = count_call(what, fd);
	if (mode == 0)
		die(what, fd, off, len, mode);
	if (full(size, off, len)) {
		errno = ENOSPC;
		return -1;
	}
	if (mode == 2) {
		if (len > 1)
			io(arg, len / 2);
		die(what, fd, off, len, mode);
	}
	ssize_t r = io(arg, len);
	if (r > 0) {
		off_t end = (off < 0 ? size : off) + r;
		if (end > size)
			atomic_fetch_add(&written, (long)(end - size));
	}
	if (mode == 1)
		die(what, fd, off, len, mode);
	return r;
}

/* Where a write() or writev() on fd lands: its position, or -1 (the end)
 * in append mode. */
static off_t write_pos(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl >= 0 && !(fl & O_APPEND) ? lseek(fd, 0, SEEK_CUR) : -1;
}

struct io_args {
	int fd;
	const void *buf;
	off_t off;
	const struct iovec *iov;
	int cnt;
};

static ssize_t (*real_write_fn)(int, const void *, size_t);
static ssize_t (*real_pwrite_fn)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64_fn)(int, const void *, size_t, off64_t);
static ssize_t (*real_writev_fn)(int, const struct iovec *, int);

static ssize_t do_write(void *arg, size_t k)
{
	struct io_args *a = arg;
	return real_write_fn(a->fd, a->buf, k);
}

static ssize_t do_pwrite(void *arg, size_t k)
{
	struct io_args *a = arg;
	return real_pwrite_fn(a->fd, a->buf, k, a->off);
}

static ssize_t do_pwrite64(void *arg, size_t k)
{
	struct io_args *a = arg;
	return real_pwrite64_fn(a->fd, a->buf, k, a->off);
}

/* A torn writev writes its first buffer only. */
static ssize_t do_writev(void *arg, size_t k)
{
	struct io_args *a = arg;
	size_t total = 0;
	for (int i = 0; i < a->cnt; i++)
		total += a->iov[i].iov_len;
	return real_writev_fn(a->fd, a->iov, k == total || a->cnt < 2 ? a->cnt : 1);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	if (!real_write_fn)
		real_write_fn = dlsym(RTLD_NEXT, "write");
	struct io_args a = {fd, buf, 0, NULL, 0};
	return hooked("write", fd, write_pos(fd), n, do_write, &a);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	if (!real_pwrite_fn)
		real_pwrite_fn = dlsym(RTLD_NEXT, "pwrite");
	struct io_args a = {fd, buf, off, NULL, 0};
	return hooked("pwrite", fd, off, n, do_pwrite, &a);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	if (!real_pwrite64_fn)
		real_pwrite64_fn = dlsym(RTLD_NEXT, "pwrite64");
	struct io_args a = {fd, buf, off, NULL, 0};
	return hooked("pwrite64", fd, off, n, do_pwrite64, &a);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	if (!real_writev_fn)
		real_writev_fn = dlsym(RTLD_NEXT, "writev");
	size_t total = 0;
	for (int i = 0; i < cnt; i++)
		total += iov[i].iov_len;
	struct io_args a = {fd, NULL, 0, iov, cnt};
	return hooked("writev", fd, write_pos(fd), total, do_writev, &a);
}

/* fsync, fdatasync, ftruncate: counted (a kill there is a kill inside a
 * commit or a checkpoint), never failed (growing a file by ftruncate
 * takes no blocks; SQLite grows its -shm file so).  A kill is before the
 * call or after it. */
static int sync_call(const char *what, int fd, off_t len, int (*real)(int fd),
                     int (*real_trunc)(int fd, off_t len))
{
	off_t size;
	if (!watched(fd, &size))
		return real ? real(fd) : real_trunc(fd, len);
	int mode = count_call(what, fd);
	if (mode == 0 || mode == 2)
		die(what, fd, len, 0, 0);
	int r = real ? real(fd) : real_trunc(fd, len);
	if (mode == 1)
		die(what, fd, len, 0, mode);
	return r;
}

int fsync(int fd)
{
	REAL(fsync);
	return sync_call("fsync", fd, 0, real_fsync, NULL);
}

int fdatasync(int fd)
{
	REAL(fdatasync);
	return sync_call("fdatasync", fd, 0, real_fdatasync, NULL);
}

int ftruncate(int fd, off_t len)
{
	REAL(ftruncate);
	return sync_call("ftruncate", fd, len, NULL, real_ftruncate);
}
