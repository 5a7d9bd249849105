/* plugin.c: the table of listarc-ext.so (ext.h), the one symbol the
 * binary looks up in it. */
#include "ext/ext.h"
#include "ingest/ingest_int.h"
#include "store/store_int.h"

const struct la_ext listarc_ext = {
	.abi = LA_EXT_ABI,
	.version = LISTARC_VERSION,
	.ingest_git = ingest_git,
	.store_git_blob_open = store_git_blob_open,
	.export_list = export_list,
	.export_server_info = export_server_info,
	.http_serve = http_serve,
};
