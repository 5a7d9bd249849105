/* fuzz_gitpack: a pack and its index read from any bytes
 * (store/gitpack.h): the input is a 4-byte little-endian length L, L
 * bytes of a .idx, and the rest a .pack.  Every id the index lists (the
 * first 64) is read, twice (the second time partly through the base
 * cache, kept small here so that it evicts; backwards for an input of
 * odd size: gitpack_backward), and a few ids it may not
 * hold: each read ends with a status, an object of at most
 * GITPACK_OBJECT_MAX bytes ending in a NUL, never a crash or a hang. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "store/gitpack.h"
#include "limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd_of(const uint8_t *p, size_t n)
{
	int fd = memfd_create("fuzz-gitpack", MFD_CLOEXEC);
	if (fd < 0)
		abort();
	if (n && write(fd, p, n) != (ssize_t)n)
		abort();
	return fd;
}

static void read_one(struct gitpack *gp, const unsigned char *id)
{
	struct gitpack_obj o;
	struct la_err err = {0};
	enum la_status e = gitpack_read(gp, id, &o, &err);
	if (e == LA_OK && (o.size > GITPACK_OBJECT_MAX || o.data[o.size] != 0 ||
	                   o.type < GITPACK_COMMIT || o.type > GITPACK_TAG))
		abort();
	if (e != LA_OK && o.data)
		abort();
	gitpack_obj_free(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	size_t il = (size_t)data[0] | (size_t)data[1] << 8 | (size_t)data[2] << 16 |
	            (size_t)data[3] << 24;
	if (il > size - 4)
		il = size - 4;
	const uint8_t *idx = data + 4, *pack = idx + il;
	size_t pl = size - 4 - il;
	struct gitpack *gp = NULL;
	struct la_err err = {0};
	if (gitpack_new(&gp, 64 * 1024, &err) != LA_OK)
		abort();
	/* (An odd size: reads backwards.) */
	gitpack_backward(gp, size & 1);
	if (gitpack_add(gp, memfd_of(pack, pl), memfd_of(idx, il), &err) == LA_OK) {
		/* The ids the index lists (as far as the input holds them). */
		size_t n = 0;
		if (il >= 8 + 1024)
			n = ((size_t)idx[8 + 1020] << 24 | (size_t)idx[8 + 1021] << 16 |
			     (size_t)idx[8 + 1022] << 8 | idx[8 + 1023]);
		if (n > 64)
			n = 64;
		/* The second round with the ids looked up ahead (and two no
		 * pack may hold), as the indexer's reader does. */
		for (int round = 0; round < 2; round++) {
			if (round == 1) {
				unsigned char ids[66 * GITPACK_OID];
				size_t k = 0;
				for (size_t i = 0; i < n && 8 + 1024 + (i + 1) * GITPACK_OID <= il;
				     i++)
					memcpy(ids + k++ * GITPACK_OID,
					       idx + 8 + 1024 + i * GITPACK_OID, GITPACK_OID);
				memset(ids + k++ * GITPACK_OID, 0, GITPACK_OID);
				memset(ids + k++ * GITPACK_OID, 0xff, GITPACK_OID);
				la_ignore(gitpack_prefetch(gp, ids, k, &err));
			}
			for (size_t i = 0; i < n; i++) {
				size_t at = 8 + 1024 + i * GITPACK_OID;
				if (at + GITPACK_OID > il)
					break;
				read_one(gp, idx + at);
			}
		}
		static const unsigned char zeros[GITPACK_OID],
			ones[GITPACK_OID] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		                             0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		                             0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
		read_one(gp, zeros);
		read_one(gp, ones);
	}
	gitpack_free(gp);
	return 0;
}
