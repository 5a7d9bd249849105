/* ext.h: the part of listarc that needs libgit2 or libh2o (public-inbox
 * sources and blobs, `listarc export`, the HTTP server) is built as a
 * library of its own, listarc-ext.so, loaded with dlopen the first time
 * one of its functions is called: a command that needs neither (an
 * index run of an mbox, `listarc get`) does not pay for loading them and
 * the libraries they pull in (docs/plugin.md).  The binary keeps the
 * functions' names (ext.c forwards each through this table); the tests
 * and fuzz targets link the same files directly. */
#ifndef LISTARC_EXT_H
#define LISTARC_EXT_H

#include <stdbool.h>
#include <stdint.h>

#include "export/export.h"
#include "http/server.h"
#include "ingest/ingest.h"
#include "store/store.h"
#include "util/status.h"

/* Changes whenever the table below does: a listarc-ext.so of another
 * build is refused. */
#define LA_EXT_ABI 2

struct la_ext {
	unsigned abi;        /* LA_EXT_ABI */
	const char *version; /* LISTARC_VERSION of its build */
	enum la_status (*ingest_git)(struct store *st, int64_t list_id, const char *path, bool v2,
	                             const struct ingest_opts *o, struct ingest_stats *stats,
	                             struct la_err *err);
	int (*store_git_blob_open)(const char *path, const char *file, uint64_t *size);
	enum la_status (*export_list)(struct store *st, int64_t list_id, const char *list,
	                              const struct export_opts *o, struct export_stats *stats,
	                              struct la_err *err);
	enum la_status (*export_server_info)(const char *gitdir, struct la_err *err);
	enum la_status (*http_serve)(const struct http_config *cfg, struct la_err *err);
};

/* The table listarc-ext.so defines (plugin.c). */
extern const struct la_ext listarc_ext;

#endif
