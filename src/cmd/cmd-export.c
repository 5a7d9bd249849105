/* cmd-export.c: `listarc export`: lists written out as public-inbox v2
 * inboxes (export/export.h), by default DIR/inbox/LIST, where `listarc
 * serve` offers them for cloning. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "conf/conf.h"
#include "export/export.h"
#include "store/store.h"

static const char usage[] =
	"usage: listarc export [--data DIR] [--to INBOX] [--epoch-size BYTES] [LIST...]\n"
	"\n"
	"Writes each LIST (every list if none is named) as a public-inbox v2 inbox,\n"
	"DIR/inbox/LIST (or INBOX, for one list): one git commit per message, in\n"
	"epochs git/0.git, git/1.git, ... of BYTES of messages each (default 2.5G, as\n"
	"public-inbox; K, M, G suffixes).  Only what changed since the last export is\n"
	"written: new messages, and hidden or removed ones taken out.  A killed export\n"
	"is completed by the next.  public-inbox-index, lei and git read the result;\n"
	"`listarc serve` offers it at /LIST/git/N.git.\n";

struct target {
	char **names;
	size_t n, cap;
};

static bool add_name(const char *name, void *arg)
{
	struct target *t = arg;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **v = realloc(t->names, cap * sizeof *v);
		if (!v)
			return false;
		t->names = v;
		t->cap = cap;
	}
	t->names[t->n] = strdup(name);
	if (!t->names[t->n])
		return false;
	t->n++;
	return true;
}

static bool parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	uint64_t mul = 1;
	if (*end == 'k' || *end == 'K')
		mul = 1024, end++;
	else if (*end == 'm' || *end == 'M')
		mul = 1024 * 1024, end++;
	else if (*end == 'g' || *end == 'G')
		mul = 1024 * 1024 * 1024, end++;
	if (end == s || *end || v == 0 || v > UINT64_MAX / mul)
		return false;
	*out = v * mul;
	return true;
}

static int export_one(struct store *st, const struct conf *cf, const char *dir, const char *name,
                      const char *to, uint64_t epoch_bytes)
{
	int64_t id;
	if (store_list_id(st, name, &id)) {
		cmd_error("%s: no such list", name);
		return 1;
	}
	const struct conf_list *cl = conf_list(cf, name);
	char address[ADDR_MAX + 1], desc[1024];
	if (cl && cl->address)
		snprintf(address, sizeof address, "%s", cl->address);
	else if (store_list_get(st, id, LIST_ADDRESS, address, sizeof address) != LA_OK)
		snprintf(address, sizeof address, "%s@listarc.invalid", name);
	if (cl && cl->description)
		snprintf(desc, sizeof desc, "%s", cl->description);
	else if (store_list_get(st, id, LIST_DESCRIPTION, desc, sizeof desc) != LA_OK)
		desc[0] = 0;
	char inbox[4096];
	if (to)
		snprintf(inbox, sizeof inbox, "%s", to);
	else
		snprintf(inbox, sizeof inbox, "%s/inbox/%s", dir, name);
	struct export_opts o = {.inbox = inbox,
	                        .address = address,
	                        .description = desc,
	                        .epoch_bytes = epoch_bytes};
	const char *b = getenv("LISTARC_EXPORT_BATCH");
	if (b)
		o.batch = (unsigned)atoi(b);
	const char *pm = getenv("LISTARC_EXPORT_PACKS");
	if (pm)
		o.packs_max = (unsigned)atoi(pm);
	struct export_stats s;
	struct la_err err = {0};
	enum la_status e = export_list(st, id, name, &o, &s, &err);
	if (s.resumed)
		fprintf(stderr, "listarc: %s: finished what a killed export left (%llu batch%s)\n",
		        name, (unsigned long long)s.resumed, s.resumed == 1 ? "" : "es");
	if (e) {
		cmd_error("%s", err.msg);
		return e == LA_ELOCKED ? EX_TEMPFAIL_ : 1;
	}
	printf("%s: %llu added, %llu removed, %llu hidden left out; epoch %d; %s%s", name,
	       (unsigned long long)s.added, (unsigned long long)s.removed,
	       (unsigned long long)s.skipped, s.last_epoch, inbox, s.repacked ? "; repacked" : "");
	if (s.packs_deleted)
		printf("; %llu retired pack%s deleted", (unsigned long long)s.packs_deleted,
		       s.packs_deleted == 1 ? "" : "s");
	putchar('\n');
	return 0;
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
	                                     {"to", required_argument, NULL, 't'},
	                                     {"epoch-size", required_argument, NULL, 'e'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *data = NULL, *to = NULL;
	uint64_t epoch_bytes = 0;
	int c;
	while ((c = getopt_long(argc, argv, "d:t:e:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 't': to = optarg; break;
		case 'e':
			if (!parse_size(optarg, &epoch_bytes)) {
				cmd_error("--epoch-size %s: a number of bytes (K, M, G)", optarg);
				return 2;
			}
			break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (to && argc - optind != 1) {
		cmd_error("--to names the inbox of one list");
		return 2;
	}
	char *dir = conf_data_dir(data);
	struct la_err err = {0};
	struct conf *cf = NULL;
	struct store *st = NULL;
	struct target t = {0};
	int rc = 0;
	if (conf_load(dir, &cf, &err) || store_open(&st, dir, STORE_READ, &err)) {
		cmd_error("%s", err.msg);
		rc = 1;
		goto out;
	}
	for (int i = optind; i < argc; i++)
		if (!add_name(argv[i], &t)) {
			cmd_error("out of memory");
			rc = 1;
			goto out;
		}
	if (optind == argc && store_list_names(st, add_name, &t)) {
		cmd_error("%s: the lists cannot be read: %s", dir, store_errmsg(st));
		rc = 1;
		goto out;
	}
	for (size_t i = 0; i < t.n; i++) {
		int r = export_one(st, cf, dir, t.names[i], to, epoch_bytes);
		if (r && !rc)
			rc = r;
	}
out:
	for (size_t i = 0; i < t.n; i++)
		free(t.names[i]);
	free(t.names);
	store_close(st);
	conf_free(cf);
	free(dir);
	return rc;
}
