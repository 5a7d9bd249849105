/* cmd-check.c: `listarc check-config`: reads listarc.conf as serve and
 * index would, and says what would go wrong before it does. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "conf/conf.h"
#include "ingest/ingest.h"
#include "store/store.h"

static const char usage[] = "usage: listarc check-config [--data DIR]\n"
			    "\n"
			    "Reads DIR/listarc.conf and checks it: its syntax, that each list's\n"
			    "sources are there and are mail listarc reads, that each list of the\n"
			    "site bar is a list, and which lists of the index the file does not\n"
			    "name.  Prints one line per problem, then a summary.\n"
			    "\n"
			    "Exit status: 0 nothing wrong (notes are printed but do not count),\n"
			    "1 a problem found, 78 a malformed listarc.conf, 64 bad usage.\n";

struct known {
	const struct conf *cf;
	int notes;
};

static bool note_unconfigured(const char *name, void *arg)
{
	struct known *k = arg;
	if (!conf_list(k->cf, name)) {
		printf("note: list %s is in the index but not in listarc.conf (shown by name, "
		       "indexed only when named)\n",
		       name);
		k->notes++;
	}
	return true;
}

int cmd_check_config(int argc, char **argv)
{
	const char *data;
	int opt = cmd_data_opts(argc, argv, usage, EX_USAGE_, &data);
	if (opt >= 0)
		return opt;
	if (optind != argc) {
		fputs(usage, stderr);
		return EX_USAGE_;
	}
	char *dir = conf_data_dir(data);
	struct conf *cf = NULL;
	struct la_err err = {0};
	if (conf_load(dir, &cf, &err)) {
		printf("error: %s\n", err.msg);
		conf_free(cf);
		free(dir);
		return EX_CONFIG_;
	}
	int problems = 0, notes = 0, sources = 0;
	char path[4200];
	snprintf(path, sizeof path, "%s/listarc.conf", dir);
	bool have_file = access(path, F_OK) == 0;
	struct store *st = NULL;
	bool have_index = store_open(&st, dir, STORE_READ, &err) == LA_OK;
	if (!have_index)
		printf("note: %s has no index yet (`listarc index` makes it)\n", dir);
	for (size_t i = 0; cf && i < cf->nlists; i++) {
		const struct conf_list *l = &cf->lists[i];
		int64_t id;
		if (have_index && store_list_id(st, l->name, &id) != LA_OK) {
			printf("note: list %s is not in the index yet\n", l->name);
			notes++;
		}
		for (size_t k = 0; l->sources && l->sources[k]; k++, sources++) {
			struct ingest_what w;
			struct la_err e2 = {0};
			if (ingest_what(l->sources[k], &w, &e2)) {
				printf("error: list %s: %s\n", l->name, e2.msg);
				problems++;
			}
		}
	}
	for (size_t i = 0; cf && cf->bar && cf->bar[i]; i++) {
		if (!strcmp(cf->bar[i], "/") || conf_list(cf, cf->bar[i]))
			continue;
		int64_t id;
		if (!have_index || store_list_id(st, cf->bar[i], &id) != LA_OK) {
			printf("error: the site bar names %s, which is no list\n", cf->bar[i]);
			problems++;
		}
	}
	if (have_index && have_file) {
		struct known k = {cf, 0};
		if (store_list_names(st, note_unconfigured, &k) != LA_OK) {
			printf("error: the index's lists could not be read: %s\n",
			       store_errmsg(st));
			problems++;
		}
		notes += k.notes;
	}
	store_close(st);
	if (!have_file)
		printf("%s: none (every list of the index is shown, by name)\n", path);
	printf("%s: %zu list%s, %d source%s: %d problem%s, %d note%s\n", path, cf ? cf->nlists : 0,
	       cf && cf->nlists == 1 ? "" : "s", sources, sources == 1 ? "" : "s", problems,
	       problems == 1 ? "" : "s", notes, notes == 1 ? "" : "s");
	conf_free(cf);
	free(dir);
	return problems ? 1 : 0;
}
