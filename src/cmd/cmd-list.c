/* cmd-list.c: `listarc list add|remove|rename|set-description|set-address`,
 * the one way to make or change a list besides indexing into it; and the
 * check that `deliver` makes before it creates anything. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "conf/conf.h"
#include "ingest/ingest.h"
#include "store/store.h"
#include "util/buf.h"

static const char usage[] =
	"usage: listarc list [--data DIR] add NAME [--description TEXT] [--address ADDR]\n"
	"       listarc list [--data DIR] remove NAME\n"
	"       listarc list [--data DIR] rename NAME NEWNAME\n"
	"       listarc list [--data DIR] set-description NAME TEXT\n"
	"       listarc list [--data DIR] set-address NAME ADDR\n"
	"\n"
	"add makes an empty list (deliver and index then fill it).  remove\n"
	"takes the list and everything indexed of it out of the index; its\n"
	"mboxes stay where they are (index them again to bring it back).\n"
	"rename changes its name and so its URLs.  set-description and\n"
	"set-address set what its pages show (\"\" clears it; a description in\n"
	"listarc.conf wins over the one set here).\n"
	"\n"
	"Exit status: 0 done, 64 usage (a name that cannot be a list's), 65 the\n"
	"name is taken (add, rename), 67 no such list, 1 the index could not be\n"
	"read or written, 75 another indexer holds the archive lock.\n";

struct names {
	struct buf b;
	int n;
};

static bool add_name(const char *name, void *arg)
{
	struct names *x = arg;
	if (x->n++)
		buf_adds(&x->b, ", ");
	buf_adds(&x->b, name);
	return true;
}

int cmd_list_check(const char *dir, const char *list, const struct conf *cf, bool create)
{
	if (create || conf_list(cf, list))
		return 0;
	struct store *st = NULL;
	struct la_err err = {0};
	int64_t id = 0;
	enum la_status e = store_open(&st, dir, STORE_READ, &err);
	if (e && e != LA_ENOTFOUND) {
		cmd_error("%s", err.msg);
		return EX_TEMPFAIL_;
	}
	if (!e && (e = store_list_id(st, list, &id)) == LA_OK) {
		store_close(st);
		return 0;
	}
	if (e && e != LA_ENOTFOUND) {
		cmd_error("%s: %s", dir, store_errmsg(st));
		store_close(st);
		return EX_TEMPFAIL_;
	}
	struct names x = {.n = 0};
	buf_init(&x.b, 1 << 20);
	/* The names are a help in the message: an index that cannot list
	 * them names none, the refusal stands. */
	if (st)
		la_ignore(store_list_names(st, add_name, &x));
	for (size_t i = 0; cf && i < cf->nlists; i++)
		if (!st || store_list_id(st, cf->lists[i].name, &id) != LA_OK)
			add_name(cf->lists[i].name, &x);
	store_close(st);
	cmd_error("%s: no such list in %s (known: %s); `listarc list add %s` or --create makes it",
	          list, dir, x.n ? buf_cstr(&x.b) : "none", list);
	buf_free(&x.b);
	return EX_NOUSER_;
}

int cmd_list_check_dir(const char *data, const char *list, bool create)
{
	char *dir = conf_data_dir(data);
	struct conf *cf = NULL;
	struct la_err err = {0};
	int rc;
	if (conf_load(dir, &cf, &err)) {
		/* Mail waits (75) until the file is mended. */
		cmd_error("%s", err.msg);
		rc = EX_TEMPFAIL_;
	} else {
		rc = cmd_list_check(dir, list, cf, create);
	}
	conf_free(cf);
	free(dir);
	return rc;
}

/* The name argument checked: valid and not reserved; else says why. */
static bool name_ok(const char *name)
{
	if (!conf_valid_listname(name, strlen(name))) {
		cmd_error("'%s' is not a list name: use lowercase letters, digits, '.', '_', '-' "
		          "(at most %d)",
		          name, LISTNAME_MAX);
		return false;
	}
	if (conf_reserved_listname(name, strlen(name))) {
		cmd_error("'%s' cannot be a list name: /%s/ is part of the archive's URLs", name,
		          name);
		return false;
	}
	return true;
}

static int status_of(enum la_status e)
{
	return e == LA_ENOTFOUND                   ? EX_NOUSER_
	       : e == LA_EINVAL                    ? EX_DATAERR_
	       : e == LA_ELOCKED || e == LA_EAGAIN ? EX_TEMPFAIL_
	                                           : 1;
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
	                                     {"description", required_argument, NULL, 'D'},
	                                     {"address", required_argument, NULL, 'a'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *data = NULL, *desc = NULL, *addr = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "d:D:a:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'D': desc = optarg; break;
		case 'a': addr = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return EX_USAGE_;
		}
	}
	int nargs = argc - optind;
	const char *sub = nargs > 0 ? argv[optind] : "";
	int want = !strcmp(sub, "add") || !strcmp(sub, "remove") ? 2
	           : !strcmp(sub, "rename") || !strcmp(sub, "set-description") ||
	                           !strcmp(sub, "set-address")
	                   ? 3
	                   : -1;
	if (want < 0 || nargs != want || ((desc || addr) && strcmp(sub, "add") != 0)) {
		fputs(usage, stderr);
		return EX_USAGE_;
	}
	const char *name = argv[optind + 1], *arg = want == 3 ? argv[optind + 2] : NULL;
	if (!name_ok(name) || (!strcmp(sub, "rename") && !name_ok(arg)))
		return EX_USAGE_;
	const char *value =
		!strcmp(sub, "set-description") || !strcmp(sub, "set-address") ? arg : NULL;
	if (value && strlen(value) > LIST_SETTING_MAX) {
		cmd_error("%s: longer than %d bytes", value, LIST_SETTING_MAX);
		return EX_USAGE_;
	}
	if ((desc && strlen(desc) > LIST_SETTING_MAX) ||
	    (addr && strlen(addr) > LIST_SETTING_MAX)) {
		cmd_error("--description, --address: at most %d bytes", LIST_SETTING_MAX);
		return EX_USAGE_;
	}

	char *dir = conf_data_dir(data);
	struct la_err err = {0};
	struct store *st = NULL;
	int rc = 0, lockfd = -1;
	int64_t id = 0;
	enum la_status e;
	bool add = !strcmp(sub, "add");
	/* Every change but add needs the list: looked up read-only first, so
	 * that a typo creates nothing, not even the archive directory. */
	if (!add) {
		e = store_open(&st, dir, STORE_READ, &err);
		if (!e)
			e = store_list_id(st, name, &id);
		if (e) {
			if (e == LA_ENOTFOUND)
				cmd_error("%s: no such list in %s", name, dir);
			else
				cmd_error("%s", err.msg[0] ? err.msg : store_errmsg(st));
			rc = status_of(e);
			goto out;
		}
		store_close(st);
		st = NULL;
	}
	/* The archive lock: no indexer is midway through this list. */
	if ((e = ingest_lock(dir, 0, &lockfd, &err)) ||
	    (e = store_open(&st, dir, STORE_WRITE, &err))) {
		cmd_error("%s", err.msg);
		rc = status_of(e == LA_ENOTFOUND ? LA_EIO : e);
		goto out;
	}
	if (add) {
		e = store_list_add(st, name, &id, &err);
		if (!e && desc)
			e = store_list_set(st, id, LIST_DESCRIPTION, desc, &err);
		if (!e && addr)
			e = store_list_set(st, id, LIST_ADDRESS, addr, &err);
	} else if (!strcmp(sub, "remove")) {
		e = store_list_remove(st, id, &err);
	} else if (!strcmp(sub, "rename")) {
		e = store_list_rename(st, id, arg, &err);
	} else {
		e = store_list_set(
			st, id, !strcmp(sub, "set-description") ? LIST_DESCRIPTION : LIST_ADDRESS,
			value, &err);
	}
	if (e) {
		cmd_error("%s", err.msg);
		rc = status_of(e);
		goto out;
	}
	if (!strcmp(sub, "remove"))
		printf("removed %s from the index (its mboxes are where they were)\n", name);
	else if (!strcmp(sub, "rename"))
		printf("renamed %s to %s: its URLs are now /%s/...\n", name, arg, arg);
	else if (add)
		printf("added %s\n", name);
out:
	store_close(st);
	if (lockfd >= 0)
		close(lockfd);
	free(dir);
	return rc;
}
