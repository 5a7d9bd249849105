/* gitrepo.c: what the store reads from public-inbox's git repositories
 * with libgit2 (a message's blob its packs do not hold: git.c); in
 * listarc-ext.so (src/ext/ext.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <git2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "store/gitpack.h"
#include "store/store_int.h"

/* libgit2 is set up once per process and left so: the server's threads
 * read blobs at any time, and a count that fell to zero between two of
 * them would tear it down under another. */
static void git_setup(void)
{
	git_libgit2_init();
}

int store_git_blob_open(const char *path, const char *file, uint64_t *size)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, git_setup);
	int epoch;
	const char *hex = st_git_file_oid(file, &epoch);
	if (!hex)
		return -1;
	char repo_path[4200];
	if (!gitpack_repo_path(repo_path, sizeof repo_path, path, epoch))
		return -1;
	git_repository *repo = NULL;
	git_blob *blob = NULL;
	git_oid oid;
	int fd = -1;
	if (git_oid_fromstr(&oid, hex) == 0 &&
	    git_repository_open_ext(&repo, repo_path,
	                            GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE,
	                            NULL) == 0 &&
	    git_blob_lookup(&blob, repo, &oid) == 0) {
		const char *p = git_blob_rawcontent(blob);
		size_t n = (size_t)git_blob_rawsize(blob);
		fd = memfd_create("listarc-blob", MFD_CLOEXEC);
		size_t put = 0;
		while (fd >= 0 && put < n) {
			ssize_t k = write(fd, p + put, n - put);
			if (k <= 0) {
				close(fd);
				fd = -1;
				break;
			}
			put += (size_t)k;
		}
		if (fd >= 0)
			*size = n;
	}
	git_blob_free(blob);
	git_repository_free(repo);
	return fd;
}
