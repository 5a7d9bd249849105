/* bench/synclog.c: an LD_PRELOAD library that notes when each fsync and
 * fdatasync of a process begins and how long it took, by thread and
 * file, and when the process exits, into the file SYNCLOG names (lines
 * "MS DURATION tidN CALL FILE", ms from the library's load; "MS exit").
 * bench/append SYNCS=1 uses it for the syncs' timeline of an append.
 * Unlike strace it stops nothing but these calls (a clock read each).
 * build: cc -O2 -shared -fPIC -o synclog.so bench/synclog.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double t0;
static char lines[128][200];
static int nlines; /* (a few syncs a run: more are dropped) */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

__attribute__((constructor)) static void synclog_init(void) { t0 = now(); }

__attribute__((destructor)) static void synclog_fini(void)
{
	const char *name = getenv("SYNCLOG");
	FILE *f = name ? fopen(name, "a") : NULL;
	if (!f)
		return;
	for (int i = 0; i < nlines; i++)
		fputs(lines[i], f);
	fprintf(f, "%8.1f exit\n", now() - t0);
	fclose(f);
}

static void note(const char *what, int fd, double a, double b)
{
	char link[64], path[512];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t k = readlink(link, path, sizeof path - 1);
	path[k > 0 ? k : 0] = '\0';
	const char *base = strrchr(path, '/');
	/* (Two threads may sync at once: the slot is taken atomically.) */
	int i = __atomic_fetch_add(&nlines, 1, __ATOMIC_RELAXED);
	if (i < (int)(sizeof lines / sizeof *lines))
		snprintf(lines[i], sizeof lines[i], "%8.1f %6.1f tid%ld %s %.100s\n", a - t0, b - a,
		         (long)syscall(SYS_gettid), what, base ? base + 1 : path);
	else
		__atomic_store_n(&nlines, (int)(sizeof lines / sizeof *lines), __ATOMIC_RELAXED);
}

int fdatasync(int fd)
{
	static int (*real)(int);
	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	double a = now();
	int r = real(fd);
	note("fdatasync", fd, a, now());
	return r;
}

int fsync(int fd)
{
	static int (*real)(int);
	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	double a = now();
	int r = real(fd);
	note("fsync", fd, a, now());
	return r;
}
