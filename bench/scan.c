/* scan.c: bench/formats' timer of the mbox scanner alone: every message
 * of an mbox through mbox_next, nothing indexed.  Prints "N msgs S s". */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "mbox/mbox.h"

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		return 1;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	struct mbox_reader *r = mbox_reader_new(fd, 0, UINT64_MAX, MBOX_FMT_MBOX);
	struct mbox_msg m;
	struct la_err err = {0};
	long n = 0;
	while (mbox_next(r, &m, &err) == LA_OK)
		n++;
	clock_gettime(CLOCK_MONOTONIC, &b);
	mbox_reader_free(r);
	printf("%ld msgs %.4f s\n", n, (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
	return 0;
}
