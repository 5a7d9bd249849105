/* cmd-lists.c: `listarc lists`: what the archive holds. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "conf/conf.h"
#include "store/store.h"
#include "util/civil.h"

static const char usage[] = "usage: listarc lists [--data DIR]\n"
			    "\n"
			    "Prints each list of the archive: message count, first and last day,\n"
			    "and each source with how much of it is indexed.\n";

struct ctx {
	struct store *st;
	int rc; /* 1 if a list's sources could not be read */
};

static void print_day(int d)
{
	char day[CIVIL_DAY_LEN];
	civil_daykey_format(d, '-', day);
	if (d)
		fputs(day, stdout);
	else
		printf("%-10s", "-");
}

static bool print_source(const struct store_source *s, void *arg)
{
	(void)arg;
	if (s->kind == SOURCE_MAILDIR || s->kind == SOURCE_MH) {
		printf("    %s %s\n", s->kind == SOURCE_MH ? "mh" : "maildir", s->path);
		return true;
	}
	if (s->kind == SOURCE_GIT) {
		printf("    public-inbox %s\n", s->path);
		return true;
	}
	struct stat sb;
	if (s->copy[0]) {
		/* Compressed: what was indexed is in the decompressed copy. */
		bool same = stat(s->path, &sb) == 0 && sb.st_size == s->orig_size &&
		            (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec ==
		                    s->orig_mtime &&
		            s->copy_len == (int64_t)s->done;
		printf("    compressed %s (%llu bytes of it indexed, in %s; %s)\n", s->path,
		       (unsigned long long)s->done, s->copy,
		       stat(s->path, &sb) != 0 ? "missing"
		       : same                  ? "up to date"
		                               : "changed since: to be read again");
		return true;
	}
	const char *state;
	char tmp[96];
	if (stat(s->path, &sb) != 0)
		state = "missing";
	else if ((uint64_t)sb.st_size < s->done)
		state = "SHORTER than indexed: rebuild needed";
	else if ((uint64_t)sb.st_size == s->done)
		state = "up to date";
	else {
		snprintf(tmp, sizeof tmp, "%llu new bytes to index",
		         (unsigned long long)((uint64_t)sb.st_size - s->done));
		state = tmp;
	}
	printf("    mbox %s (%llu bytes indexed; %s)\n", s->path, (unsigned long long)s->done,
	       state);
	return true;
}

static bool print_list(const struct store_list_info *l, void *arg)
{
	struct ctx *c = arg;
	printf("%-24s %8lld  ", l->name, (long long)l->count);
	print_day(l->first_day);
	printf("  ");
	print_day(l->last_day);
	printf("\n");
	if (store_sources(c->st, l->id, print_source, NULL)) {
		cmd_error("%s: its sources cannot be read: %s", l->name, store_errmsg(c->st));
		c->rc = 1;
	}
	return true;
}

int cmd_lists(int argc, char **argv)
{
	const char *data;
	int opt = cmd_data_opts(argc, argv, usage, 2, &data);
	if (opt >= 0)
		return opt;
	char *dir = conf_data_dir(data);
	struct la_err err = {0};
	struct store *st = NULL;
	int rc = 0;
	if (store_open(&st, dir, STORE_READ, &err)) {
		cmd_error("%s", err.msg);
		rc = 1;
	} else {
		printf("%-24s %8s  %-10s  %-10s\n", "list", "messages", "first", "last");
		struct ctx cx = {st, 0};
		if (store_lists(st, print_list, &cx)) {
			cmd_error("%s: %s", dir, store_errmsg(st));
			rc = 1;
		}
		rc |= cx.rc;
	}
	store_close(st);
	free(dir);
	return rc;
}
