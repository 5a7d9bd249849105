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
	"  --explain      print the translation of QUERY and exit\n"
	"\n"
	"Unless --format=json, the last line (on stderr) says how many matched:\n"
	"counted exactly up to 1000, or up to N if that is more, then \"more than\".\n"
	"\n"
	"Exit status: 0 if something matched, 1 if nothing did (or there is no\n"
	"list LIST), 2 for a bad query, bad usage or an index that cannot be read.\n";
_Static_assert(RESULTS_COUNT_EXACT == 1000, "the usage says the count stops at 1000");

enum format { F_SUMMARY, F_JSON, F_MBOX };

struct out_ctx {
	struct store *st;
	enum format fmt;
	JsonBuilder *json;
	int n;
};

static void ymd(char *out, size_t n, int day)
{
	snprintf(out, n, "%04d-%02d-%02d", day / 10000, day / 100 % 100, day % 100);
}

static bool print_entry(const struct store_entry *e, void *arg)
{
	struct out_ctx *o = arg;
	char url[160], date[16];
	snprintf(url, sizeof url, "/%s/%04d/%02d/%02d/%d", e->list, e->day / 10000,
	         e->day / 100 % 100, e->day % 100, e->num);
	ymd(date, sizeof date, e->day);
	o->n++;
	if (o->fmt == F_SUMMARY) {
		printf("%s  %-40s  %s (%s)\n", date, url, e->subject,
		       e->from_name[0] ? e->from_name : e->from_addr);
	} else if (o->fmt == F_JSON) {
		JsonBuilder *j = o->json;
		json_builder_begin_object(j);
		json_builder_set_member_name(j, "url");
		json_builder_add_string_value(j, url);
		json_builder_set_member_name(j, "list");
		json_builder_add_string_value(j, e->list);
		json_builder_set_member_name(j, "message_id");
		json_builder_add_string_value(j, e->msgid);
		json_builder_set_member_name(j, "subject");
		json_builder_add_string_value(j, e->subject);
		json_builder_set_member_name(j, "from_name");
		json_builder_add_string_value(j, e->from_name);
		json_builder_set_member_name(j, "from_address");
		json_builder_add_string_value(j, e->from_addr);
		json_builder_set_member_name(j, "date");
		json_builder_add_int_value(j, e->has_date ? e->date : e->ts);
		json_builder_end_object(j);
	} else {
		struct store_msg m;
		if (store_msg_by_id(o->st, e->id, &m) != LA_OK)
			return true;
		struct buf raw, q;
		buf_init(&raw, (size_t)1 << 30);
		buf_init(&q, (size_t)1 << 31);
		if (store_msg_read(o->st, &m, (size_t)1 << 30, &raw) == LA_OK) {
			char sender[sizeof "listarc@" + LISTNAME_MAX];
			snprintf(sender, sizeof sender, "listarc@%s", m.list);
			mbox_add_message(&q, sender, m.ts, raw.data ? raw.data : "", raw.len);
			fwrite(q.data ? q.data : "", 1, q.len, stdout);
		}
		buf_free(&raw);
		buf_free(&q);
		store_msg_clear(&m);
	}
	return true;
}

int cmd_search(int argc, char **argv)
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
	const char *data = NULL, *list = NULL;
	enum format fmt = F_SUMMARY;
	enum search_order order = SEARCH_NEWEST;
	int limit = 100;
	bool explain = false, count = false;
	int c;
	while ((c = getopt_long(argc, argv, "d:l:f:o:n:xch", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'l': list = optarg; break;
		case 'f':
			if (!strcmp(optarg, "summary"))
				fmt = F_SUMMARY;
			else if (!strcmp(optarg, "json"))
				fmt = F_JSON;
			else if (!strcmp(optarg, "mbox"))
				fmt = F_MBOX;
			else {
				cmd_error("--format is summary, json or mbox");
				return 2;
			}
			break;
		case 'o':
			if (!strcmp(optarg, "newest"))
				order = SEARCH_NEWEST;
			else if (!strcmp(optarg, "relevance"))
				order = SEARCH_RELEVANCE;
			else {
				cmd_error("--order is newest or relevance");
				return 2;
			}
			break;
		case 'n':
			limit = atoi(optarg);
			if (limit < 1 || limit > 10000) {
				cmd_error("--limit is 1 to 10000");
				return 2;
			}
			break;
		case 'x': explain = true; break;
		case 'c': count = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind + 1 != argc) {
		fputs(usage, stderr);
		return 2;
	}
	const char *qs = argv[optind];
	struct la_err err = {0};
	struct search_query *q = NULL;
	if (search_parse(qs, strlen(qs), (int64_t)time(NULL), &q, &err)) {
		cmd_error("%s", err.msg);
		return 2;
	}
	if (explain) {
		struct buf b;
		buf_init(&b, 1 << 20);
		search_describe(q, &b);
		printf("%s\n", buf_cstr(&b));
		buf_free(&b);
		search_free(q);
		return 0;
	}
	char *dir = conf_data_dir(data);
	struct store *st = NULL;
	int rc = 2;
	int64_t list_id = 0;
	if (store_open(&st, dir, STORE_READ, &err)) {
		cmd_error("%s", err.msg);
		goto out;
	}
	char mode[16] = "on";
	la_ignore(store_meta_get(st, "search", mode, sizeof mode)); /* absent: on */
	if (!strcmp(mode, "off"))
		cmd_error("%s: this archive was indexed with --no-search: full-text terms match "
		          "nothing until `listarc reindex --search`",
		          dir);
	if (!store_search_lore(st)) {
		/* An index made before lore's columns: the query for it. */
		search_free(q);
		q = NULL;
		if (search_parse_index(qs, strlen(qs), (int64_t)time(NULL), SEARCH_INDEX_OLD, &q,
		                       &err)) {
			cmd_error("%s: %s", dir, err.msg);
			goto out;
		}
	}
	if (list && store_list_id(st, list, &list_id) != LA_OK) {
		cmd_error("no list '%s' in %s", list, dir);
		rc = 1;
		goto out;
	}
	if (count) {
		/* Every match counted, however many: only the count is printed. */
		int n = 0;
		enum la_status ce =
			store_search(st, q, list_id, order, 0, 0, 1 << 30, &n, print_entry, NULL);
		if (ce) {
			cmd_error("search failed: %s", store_errmsg(st));
			rc = 2;
		} else {
			printf("%d\n", n);
			rc = n ? 0 : 1;
		}
		goto out;
	}
	struct out_ctx o = {st, fmt, NULL, 0};
	if (fmt == F_JSON) {
		o.json = json_builder_new();
		json_builder_begin_array(o.json);
	}
	int total = 0;
	/* The count stops past RESULTS_COUNT_EXACT (or the limit), as on the
	 * results pages: counting every match costs more than finding the
	 * shown ones.  --count counts them all. */
	int upto = limit > RESULTS_COUNT_EXACT ? limit : RESULTS_COUNT_EXACT;
	enum la_status e =
		store_search(st, q, list_id, order, 0, limit, upto + 1, &total, print_entry, &o);
	if (e) {
		cmd_error("search failed: %s", store_errmsg(st));
		rc = 2;
	} else {
		rc = o.n ? 0 : 1;
	}
	if (o.json) {
		json_builder_end_array(o.json);
		JsonNode *root = json_builder_get_root(o.json);
		JsonGenerator *g = json_generator_new();
		json_generator_set_pretty(g, TRUE);
		json_generator_set_root(g, root);
		gchar *text = json_generator_to_data(g, NULL);
		printf("%s\n", text);
		g_free(text);
		g_object_unref(g);
		json_node_unref(root);
		g_object_unref(o.json);
	}
	if (fmt != F_JSON && total > upto)
		fprintf(stderr, "%d of more than %d matching messages shown\n", o.n, upto);
	else if (fmt != F_JSON)
		fprintf(stderr, "%d of %d matching messages shown\n", o.n, total);
out:
	store_close(st);
	search_free(q);
	free(dir);
	return rc;
}
