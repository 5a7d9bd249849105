/* cmd-search.c: `listarc search`: the query language on the command line. */
#include <getopt.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "conf/conf.h"
#include "limits.h"
#include "search/search.h"
#include "store/store.h"
#include "mbox/mbox.h"
#include "render/render.h"
#include "util/civil.h"

static const char usage[] =
	"usage: listarc search [--data DIR] [--list LIST] [--format=summary|json|mbox]\n"
	"                      [--order=newest|relevance] [--limit N] [--count] [--explain] QUERY\n"
	"\n"
	"Searches the archive.  QUERY is the language of the search pages, lore's\n"
	"(public-inbox's): words and \"phrases\" (subject, From and body), prefixes\n"
	"s: f: t: c: tc: tcf: a: b: bs: q: nq: n: l: lid: m: mid: d: dt: rt: z:\n"
	"dfn: dfa: dfb: dfctx: dfhh: dfpre: dfpost: dfblob: patchid:, AND, OR, NOT,\n"
	"-word, +word, parentheses; the search help page (/_/search-help) and\n"
	"listarc(1) describe them.  Examples:\n"
	"  listarc search 's:\"copy_page_range\"'\n"
	"  listarc search 'f:ktkhai d:2019-05-20..2019-05-21'\n"
	"  listarc search 'patchid:0a68bafcd58ed2083936e316f9133f432578ef64'\n"
	"  listarc search --format=mbox 'dfn:mm/memory.c dt:2.weeks.ago..' > patches.mbox\n"
	"\n"
	"  --list LIST    only this list (the same as l:LIST)\n"
	"  --format F     summary (one line per message, default), json, or mbox\n"
	"                 (mboxrd, in the order asked: for a mail reader, or for\n"
	"                 `b4 am -m FILE MSGID`, which picks a series out of it)\n"
	"  --order O      newest first (default) or by relevance\n"
	"  --limit N      at most N messages (default 100, at most 10000)\n"
	"  --count        print the number of matching messages, all of them, and\n"
	"                 nothing else\n"
	"  --explain      print the plan the search runs for QUERY (in the order\n"
	"                 asked) and the translation of each part, and exit\n"
	"\n"
	"--format=json prints an array of the objects the JSON API gives for a\n"
	"message (docs/api.md), without their attachments.\n"
	"\n"
	"Unless --format=json, the last line (on stderr) says how many matched:\n"
	"counted exactly up to 1000, or up to N if that is more, then \"more than\".\n"
	"\n"
	"Exit status: 0 if something matched, 1 if nothing did (or there is no\n"
	"list LIST), 2 for a bad query, bad usage or an index that cannot be read.\n";
_Static_assert(RESULTS_COUNT_EXACT == 1000, "the usage says the count stops at 1000");

enum format { F_SUMMARY, F_JSON, F_MBOX };

struct search_args {
	const char *data, *list, *query;
	enum format fmt;
	enum search_order order;
	int limit;
	bool explain, count;
};

struct out_ctx {
	struct store *st;
	enum format fmt;
	struct render_ctx rc; /* links in the JSON objects, from "/" */
	JsonBuilder *json;
	int n;
	enum la_status err; /* the first message that could not be printed */
};

/* One line: date, URL, subject, sender. */
static void print_summary(const struct store_entry *e)
{
	char day[CIVIL_DAY_LEN], path[CIVIL_DAY_LEN], url[160];
	civil_daykey_format(e->day, '-', day);
	civil_daykey_format(e->day, '/', path);
	snprintf(url, sizeof url, "/%s/%s/%d", e->list, path, e->num);
	printf("%s  %-40s  %s (%s)\n", day, url, e->subject,
	       e->from_name[0] ? e->from_name : e->from_addr);
}

/* The message's bytes as an mboxrd entry, after a From_ line of its
 * delivery time.  A message that cannot be read any more (its mbox cut
 * or replaced) is left out, as from a thread's mbox. */
static void print_mbox(struct store *st, const struct store_entry *e)
{
	struct store_msg m;
	enum la_status err = store_msg_by_id(st, e->id, &m);
	if (err)
		return;
	struct buf raw, q;
	buf_init(&raw, (size_t)1 << 30);
	buf_init(&q, (size_t)1 << 31);
	err = store_msg_read(st, &m, (size_t)1 << 30, &raw);
	if (!err) {
		/* The one From_ line writer (mbox/), quoting as mboxrd. */
		char sender[sizeof "listarc@" + LISTNAME_MAX];
		snprintf(sender, sizeof sender, "listarc@%s", m.list);
		mbox_add_message(&q, sender, m.ts, raw.data ? raw.data : "", raw.len);
		fwrite(q.data ? q.data : "", 1, q.len, stdout);
	}
	buf_free(&raw);
	buf_free(&q);
	store_msg_clear(&m);
}

static bool print_entry(const struct store_entry *e, void *arg)
{
	struct out_ctx *o = arg;
	enum la_status err = LA_OK;
	o->n++;
	switch (o->fmt) {
	case F_SUMMARY: print_summary(e); break;
	/* The API's object for a message (render/msgjson.c), so that the
	 * two never drift apart. */
	case F_JSON: err = render_msg_json(&o->rc, o->json, e, false); break;
	case F_MBOX: print_mbox(o->st, e); break;
	}
	if (err && !o->err)
		o->err = err;
	return err == LA_OK;
}

/* Parses the options into a; returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct search_args *a)
{
	static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
	                                     {"list", required_argument, NULL, 'l'},
	                                     {"format", required_argument, NULL, 'f'},
	                                     {"order", required_argument, NULL, 'o'},
	                                     {"limit", required_argument, NULL, 'n'},
	                                     {"explain", no_argument, NULL, 'x'},
	                                     {"count", no_argument, NULL, 'c'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	*a = (struct search_args){.fmt = F_SUMMARY, .order = SEARCH_NEWEST, .limit = 100};
	int c;
	while ((c = getopt_long(argc, argv, "d:l:f:o:n:xch", opts, NULL)) != -1) {
		switch (c) {
		case 'd': a->data = optarg; break;
		case 'l': a->list = optarg; break;
		case 'f':
			if (!strcmp(optarg, "summary"))
				a->fmt = F_SUMMARY;
			else if (!strcmp(optarg, "json"))
				a->fmt = F_JSON;
			else if (!strcmp(optarg, "mbox"))
				a->fmt = F_MBOX;
			else {
				cmd_error("--format is summary, json or mbox");
				return 2;
			}
			break;
		case 'o':
			if (!strcmp(optarg, "newest"))
				a->order = SEARCH_NEWEST;
			else if (!strcmp(optarg, "relevance"))
				a->order = SEARCH_RELEVANCE;
			else {
				cmd_error("--order is newest or relevance");
				return 2;
			}
			break;
		case 'n':
			a->limit = atoi(optarg);
			if (a->limit < 1 || a->limit > 10000) {
				cmd_error("--limit is 1 to 10000");
				return 2;
			}
			break;
		case 'x': a->explain = true; break;
		case 'c': a->count = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind + 1 != argc) {
		fputs(usage, stderr);
		return 2;
	}
	a->query = argv[optind];
	return -1;
}

/* --explain: the plan the search runs for the query (in the order
 * asked), and the translation of each part it reads. */
static void print_explained(const struct search_query *q, enum search_order order)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	store_search_explain(q, order, &b);
	fputs(buf_cstr(&b), stdout);
	buf_free(&b);
}

/* What the index in dir needs before searching it: a warning if it has
 * no search text, the query parsed again for an index older than lore's
 * columns (*q replaced), the list's id (0 for all).  Returns -1 to go on,
 * else the exit status. */
static int prepare_index(struct store *st, const char *dir, const struct search_args *a,
                         struct search_query **q, int64_t *list_id)
{
	struct la_err err = {0};
	char mode[16] = "on", build[16];
	if (store_meta_get(st, "search", mode, sizeof mode) == LA_OK && !strcmp(mode, "off"))
		cmd_error("%s: this archive was indexed with --no-search: full-text terms match "
		          "nothing until `listarc reindex --search`",
		          dir);
	else if (store_meta_get(st, "search_build", build, sizeof build) == LA_OK)
		cmd_error("%s: the search index is being rebuilt: until `listarc index` (or "
		          "`listarc reindex --search`) has finished it, searches use the previous "
		          "one, of an older listarc (some terms find less)",
		          dir);
	else if (!strcmp(mode, "rebuilding"))
		cmd_error("%s: the search index is being rebuilt: full-text terms find only some "
		          "of the messages until `listarc index` (or `listarc reindex --search`) "
		          "has finished it",
		          dir);
	else if (!store_search_current(st))
		cmd_error("%s: the search index was made by an older listarc (some terms find "
		          "less): `listarc index` or `listarc reindex --search` rebuilds it",
		          dir);
	/* The query for this index: an older one's columns, and m:'s plan
	 * from its words' counts (store_search_parse). */
	search_free(*q);
	*q = NULL;
	if (store_search_parse(st, a->query, strlen(a->query), (int64_t)time(NULL), q, &err)) {
		cmd_error("%s: %s", dir, err.msg);
		return 2;
	}
	*list_id = 0;
	if (a->list && store_list_id(st, a->list, list_id) != LA_OK) {
		cmd_error("no list '%s' in %s", a->list, dir);
		return 1;
	}
	return -1;
}

/* --count: every match counted, however many; only the count printed. */
static int print_count(struct store *st, const struct search_query *q, int64_t list_id,
                       enum search_order order)
{
	int n = 0;
	if (store_search(st, q, list_id, order, 0, 0, 1 << 30, &n, print_entry, NULL)) {
		cmd_error("search failed: %s", store_errmsg(st));
		return 2;
	}
	printf("%d\n", n);
	return n ? 0 : 1;
}

/* The JSON array jb holds, pretty-printed on stdout. */
static void print_json(JsonBuilder *jb)
{
	JsonNode *root = json_builder_get_root(jb);
	JsonGenerator *g = json_generator_new();
	json_generator_set_pretty(g, TRUE);
	json_generator_set_root(g, root);
	gchar *text = json_generator_to_data(g, NULL);
	printf("%s\n", text);
	g_free(text);
	g_object_unref(g);
	json_node_unref(root);
}

/* The matches in the format asked for, and (unless JSON) how many there
 * are on stderr. */
static int print_matches(struct store *st, const struct search_query *q, int64_t list_id,
                         const struct search_args *a)
{
	struct out_ctx o = {st, a->fmt, {.st = st, .base = "/"}, NULL, 0, LA_OK};
	if (a->fmt == F_JSON) {
		o.json = json_builder_new();
		json_builder_begin_array(o.json);
	}
	int total = 0;
	/* The count stops past RESULTS_COUNT_EXACT (or the limit), as on the
	 * results pages: counting every match costs more than finding the
	 * shown ones.  --count counts them all. */
	int upto = a->limit > RESULTS_COUNT_EXACT ? a->limit : RESULTS_COUNT_EXACT;
	int rc;
	if (store_search(st, q, list_id, a->order, 0, a->limit, upto + 1, &total, print_entry,
	                 &o) ||
	    o.err) {
		cmd_error("search failed: %s", o.err ? la_strstatus(o.err) : store_errmsg(st));
		rc = 2;
	} else {
		rc = o.n ? 0 : 1;
	}
	if (o.json) {
		json_builder_end_array(o.json);
		if (rc != 2)
			print_json(o.json);
		g_object_unref(o.json);
	} else if (total > upto) {
		fprintf(stderr, "%d of more than %d matching messages shown\n", o.n, upto);
	} else {
		fprintf(stderr, "%d of %d matching messages shown\n", o.n, total);
	}
	return rc;
}

int cmd_search(int argc, char **argv)
{
	struct search_args a;
	int rc = parse_args(argc, argv, &a);
	if (rc >= 0)
		return rc;
	struct la_err err = {0};
	struct search_query *q = NULL;
	if (search_parse(a.query, strlen(a.query), (int64_t)time(NULL), &q, &err)) {
		cmd_error("%s", err.msg);
		return 2;
	}
	char *dir = conf_data_dir(a.data);
	struct store *st = NULL;
	int64_t list_id = 0;
	if (a.explain) {
		print_explained(q, a.order);
		/* With an index: the ids its date range bounds the search by. */
		if (store_open(&st, dir, STORE_READ, &err) == LA_OK) {
			struct buf b;
			buf_init(&b, 1 << 16);
			store_search_explain_bounds(st, q, &b);
			/* (As the search would: the count and the page.) */
			int upto = a.limit > RESULTS_COUNT_EXACT ? a.limit : RESULTS_COUNT_EXACT;
			store_search_explain_prefixes(st, q, a.order, a.count ? 1 << 30 : upto + 1,
			                              &b);
			fputs(buf_cstr(&b), stdout);
			buf_free(&b);
		}
		store_close(st);
		search_free(q);
		free(dir);
		return 0;
	}
	if (store_open(&st, dir, STORE_READ, &err)) {
		cmd_error("%s", err.msg);
		rc = 2;
	} else if ((rc = prepare_index(st, dir, &a, &q, &list_id)) < 0) {
		rc = a.count ? print_count(st, q, list_id, a.order)
		             : print_matches(st, q, list_id, &a);
	}
	store_close(st);
	search_free(q);
	free(dir);
	return rc;
}
