/* ext.c: loads listarc-ext.so on first use and forwards to it the
 * functions it holds (ext.h), under their own names: only the binary
 * links this file, in place of the files the library is built from. */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ext/ext.h"
#include "ingest/ingest_int.h"
#include "store/store_int.h"

#define EXT_NAME "listarc-ext.so"
/* The binary's path, at most (Linux's PATH_MAX). */
#define SELF_MAX 4096

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const struct la_ext *ext;
static char why[512];

/* Found from the binary's own path, never from the environment: beside
 * it (the build tree), else in ../lib/listarc/ (where `make install`
 * puts it, whatever the prefix). */
static void *open_ext(void)
{
	static const char *const where[] = {"/" EXT_NAME, "/../lib/listarc/" EXT_NAME};
	char self[SELF_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return NULL;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	for (size_t i = 0; i < sizeof where / sizeof *where; i++) {
		char path[SELF_MAX + 64];
		snprintf(path, sizeof path, "%s%s", self, where[i]);
		if (access(path, F_OK) == 0)
			return dlopen(path, RTLD_NOW | RTLD_LOCAL);
	}
	return NULL;
}

static void load(void)
{
	void *h = open_ext();
	if (!h) {
		const char *d = dlerror();
		snprintf(why, sizeof why, "cannot load %s: %s", EXT_NAME,
		         d ? d : "not beside the binary nor in ../lib/listarc/");
		return;
	}
	const struct la_ext *x = dlsym(h, "listarc_ext");
	if (!x || x->abi != LA_EXT_ABI || strcmp(x->version, LISTARC_VERSION) != 0) {
		snprintf(why, sizeof why, "%s is not of this build of listarc (%s)", EXT_NAME,
		         LISTARC_VERSION);
		dlclose(h);
		return;
	}
	/* Never closed: its functions may run until the process ends. */
	ext = x;
}

static const struct la_ext *get(struct la_err *err)
{
	pthread_once(&once, load);
	if (!ext)
		la_err_set(err, LA_EIO, "%s", why);
	return ext;
}

enum la_status ingest_git(struct store *st, int64_t list_id, const char *path, bool v2,
                          const struct ingest_opts *o, struct ingest_stats *stats,
                          struct la_err *err)
{
	const struct la_ext *x = get(err);
	return x ? x->ingest_git(st, list_id, path, v2, o, stats, err) : LA_EIO;
}

int store_git_blob_open(const char *path, const char *file, uint64_t *size)
{
	const struct la_ext *x = get(NULL);
	if (!x) {
		errno = ENOSYS;
		return -1;
	}
	return x->store_git_blob_open(path, file, size);
}

enum la_status export_list(struct store *st, int64_t list_id, const char *list,
                           const struct export_opts *o, struct export_stats *stats,
                           struct la_err *err)
{
	const struct la_ext *x = get(err);
	return x ? x->export_list(st, list_id, list, o, stats, err) : LA_EIO;
}

enum la_status export_server_info(const char *gitdir, struct la_err *err)
{
	const struct la_ext *x = get(err);
	return x ? x->export_server_info(gitdir, err) : LA_EIO;
}

enum la_status http_serve(const struct http_config *cfg, struct la_err *err)
{
	const struct la_ext *x = get(err);
	return x ? x->http_serve(cfg, err) : LA_EIO;
}
