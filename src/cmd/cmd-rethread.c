/* cmd-rethread.c: `listarc rethread`: a list's threads made again with
 * listarc.conf's thread-break list and mailmap as they are now. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "conf/conf.h"
#include "ingest/ingest.h"
#include "msg/msg.h"

static const char usage[] = "usage: listarc rethread [--data DIR] LIST\n"
			    "\n"
			    "Threads LIST's messages again, reading each one's header block, with\n"
			    "listarc.conf's thread-break list ([site] thread-break: Message-IDs\n"
			    "never taken as a parent, beside the built-in <y>, <n>, <yes>, <no>)\n"
			    "and its mailmap ([site] mailmap, [mailmap]: one name for several\n"
			    "addresses) as they are now.  Run it after changing either: new mail\n"
			    "is indexed with them, the mail indexed before keeps its threads and\n"
			    "names until then.  Thread pages change; no message's URL does.\n"
			    "\n"
			    "Exit status: 0 done, 64 usage, 67 no such list, 78 listarc.conf\n"
			    "malformed, 75 the archive locked, 1 the index could not be written.\n";

int cmd_rethread(int argc, char **argv)
{
	const char *data;
	int opt = cmd_data_opts(argc, argv, usage, EX_USAGE_, &data);
	if (opt >= 0)
		return opt;
	if (argc - optind != 1) {
		fputs(usage, stderr);
		return EX_USAGE_;
	}
	const char *list = argv[optind];
	char *dir = conf_data_dir(data);
	struct la_err err = {0};
	struct conf *cf = NULL;
	struct store *st = NULL;
	int lockfd = -1, rc = 0;
	int64_t list_id;
	enum la_status e;
	if (conf_load(dir, &cf, &err)) {
		cmd_error("%s", err.msg);
		rc = EX_CONFIG_;
		goto out;
	}
	if ((e = store_open(&st, dir, STORE_READ, &err))) {
		cmd_error("%s", err.msg);
		rc = e == LA_ENOTFOUND ? EX_NOUSER_ : 1;
		goto out;
	}
	if (store_list_id(st, list, &list_id)) {
		cmd_error("%s: no such list in %s", list, dir);
		rc = EX_NOUSER_;
		goto out;
	}
	store_close(st);
	st = NULL;
	if ((e = ingest_lock(dir, LOCK_WAIT, &lockfd, &err)) ||
	    (e = store_open(&st, dir, STORE_WRITE, &err))) {
		cmd_error("%s", err.msg);
		rc = e == LA_ELOCKED || e == LA_EAGAIN ? EX_TEMPFAIL_ : 1;
		goto out;
	}
	msg_library_init();
	struct ingest_opts o;
	ingest_opts_init(&o);
	o.conf = cf;
	uint64_t n = 0;
	if ((e = ingest_rethread(st, list_id, &o, &n, &err))) {
		cmd_error("%s: %s", list, err.msg);
		rc = 1;
		goto out;
	}
	printf("%s: %llu message%s threaded again\n", list, (unsigned long long)n,
	       n == 1 ? "" : "s");
out:
	store_close(st);
	if (lockfd >= 0)
		close(lockfd);
	conf_free(cf);
	free(dir);
	return rc;
}
