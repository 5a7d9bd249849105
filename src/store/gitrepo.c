/* gitrepo.c: what the store reads from public-inbox's git repositories
 * with libgit2 (a message's blob; each epoch's HEAD for /healthz); in
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

/* ---- how far the index is behind its mirrors (/healthz) ---- */

struct status_walk {
	struct store *st;
	const char *list;
	store_git_status_fn fn;
	void *arg;
	enum la_status e;
};

static void status_epoch(struct status_walk *w, const struct store_source *s, int epoch)
{
	char rp[4200];
	gitpack_repo_path(rp, sizeof rp, s->path, epoch);
	char head[GIT_OID_HEXSZ + 1] = "", indexed[GIT_OID_HEXSZ + 1] = "";
	git_repository *repo = NULL;
	git_oid oid;
	if (git_repository_open_ext(&repo, rp,
	                            GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE,
	                            NULL) == 0 &&
	    git_reference_name_to_id(&oid, repo, "HEAD") == 0)
		git_oid_tostr(head, sizeof head, &oid);
	git_repository_free(repo);
	enum la_status e =
		store_git_head_get(w->st, s->id, epoch < 0 ? 0 : epoch, indexed, sizeof indexed);
	if (e && e != LA_ENOTFOUND)
		w->e = e;
	w->fn(w->list, s->path, epoch, head, indexed, w->arg);
}

static bool status_source(const struct store_source *s, void *arg)
{
	struct status_walk *w = arg;
	if (s->kind != SOURCE_GIT)
		return true;
	char gdir[4200];
	snprintf(gdir, sizeof gdir, "%s/git", s->path);
	DIR *d = opendir(gdir);
	if (!d) {
		status_epoch(w, s, -1); /* v1: the repository itself */
		return true;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t k = strspn(de->d_name, "0123456789");
		if (k == 0 || k > 6 || strcmp(de->d_name + k, ".git") != 0)
			continue;
		status_epoch(w, s, atoi(de->d_name));
	}
	closedir(d);
	return true;
}

static bool status_list(const struct store_list_info *l, void *arg)
{
	struct status_walk *w = arg;
	w->list = l->name;
	enum la_status e = store_sources(w->st, l->id, status_source, w);
	if (e)
		w->e = e;
	return true;
}

enum la_status store_git_status(struct store *st, store_git_status_fn fn, void *arg)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, git_setup);
	struct status_walk w = {st, NULL, fn, arg, LA_OK};
	enum la_status e = store_lists(st, status_list, &w);
	return e ? e : w.e;
}
