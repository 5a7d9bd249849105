/* cmd-index.c: `listarc index`: new mail of each source into the index. */
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "conf/conf.h"
#include "ingest/ingest.h"
#include "msg/msg.h"
#include "store/store.h"

static const char usage[] =
	"usage: listarc index [--data DIR] [--rebuild] [--no-wait] [--no-search] [--quiet]\n"
	"                     LIST [SOURCE...]\n"
	"       listarc index [--data DIR]\n"
	"\n"
	"Indexes what is new in each SOURCE as mailing list LIST: an mbox (mboxo,\n"
	"mboxrd, mboxcl, mboxcl2, a Mailman/pipermail month file), an MMDF file or\n"
	"one message, each possibly compressed (gzip, xz, bzip2, zstd), a maildir\n"
	"(cur/ and new/) or an MH folder.  What a source is comes from its content;\n"
	"anything else is refused and nothing is written.  Sources are remembered:\n"
	"without SOURCE, the list's sources from listarc.conf, else the ones given\n"
	"before, are indexed.  Without LIST, every list of listarc.conf is.\n"
	"\n"
	"Incremental and crash-safe: it reads only what was added since the last\n"
	"run, and a run killed at any point is completed by the next.  Sources are\n"
	"never modified.\n"
	"\n"
	"  --data DIR   the archive directory (default $LISTARC_DATA, else ./archive)\n"
	"  --rebuild    forget what was indexed of LIST and index its sources anew\n"
	"               (needed after an mbox was rewritten; URLs may change)\n"
	"  --no-wait    fail at once if another indexer holds the archive lock\n"
	"  --no-search  do not build the full-text search index (blists' footprint);\n"
	"               the archive remembers it; `listarc reindex --search` adds it\n"
	"  --quiet      print nothing but errors\n"
	"\n"
	"Exit status: 0 done, 1 an error (what was indexed before it is kept),\n"
	"2 bad usage or no source to read, 75 another indexer holds the archive\n"
	"(with --no-wait) or the index stayed busy, 78 a malformed listarc.conf.\n";

struct progress_state {
	bool tty;
	double start;
	double last;
	const char *list;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void show_progress(const struct ingest_progress *p, void *arg)
{
	struct progress_state *ps = arg;
	double t = now();
	if (!ps->tty || t - ps->last < 0.2)
		return;
	ps->last = t;
	double el = t - ps->start;
	double mbs = el > 0 ? (double)p->done / el / 1e6 : 0;
	double frac = p->total ? (double)p->done / (double)p->total : 1;
	double eta = frac > 0 && frac < 1 ? el / frac - el : 0;
	int width = 30, fill = (int)(frac * width);
	char bar[64];
	for (int i = 0; i < width; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[width] = '\0';
	fprintf(stderr, "\r%s [%s] %3.0f%% %llu msgs %.1f MB/s ETA %.0fs ", ps->list, bar,
	        frac * 100, (unsigned long long)p->messages, mbs, eta);
}

static void show_warning(const char *msg, void *arg)
{
	(void)arg;
	cmd_error("%s", msg);
}

/* Is path a source of list in the archive at dir already?  (Read only:
 * nothing is created if the archive or the list does not exist.) */
static bool source_known(const char *dir, const char *list, const char *path)
{
	struct store *st = NULL;
	struct la_err err = {0};
	bool known = false;
	char *real = realpath(path, NULL);
	int64_t id;
	struct store_source *src = malloc(sizeof *src);
	if (real && src && store_open(&st, dir, STORE_READ, &err) == LA_OK &&
	    store_list_id(st, list, &id) == LA_OK)
		known = store_source_find(st, id, real, src) == LA_OK;
	store_close(st);
	free(src);
	free(real);
	return known;
}

/* Each source given must be one listarc can read, before anything is
 * created or written: a refused source leaves no list behind.  An empty
 * file is refused too, unless it is a source already (an mbox emptied
 * since; the index says what happened to it). */
static bool check_sources(const char *dir, const char *list, char **sources, int n)
{
	for (int i = 0; i < n; i++) {
		struct ingest_what w;
		struct la_err err = {0};
		if (ingest_what(sources[i], &w, &err)) {
			cmd_error("%s", err.msg);
			return false;
		}
		if (w.kind == INGEST_EMPTY && !source_known(dir, list, sources[i])) {
			cmd_error(
				"%s: %s: nothing to import (an mbox, MMDF file, maildir, MH folder or "
				"message is needed)",
				sources[i], w.desc);
			return false;
		}
	}
	return true;
}

/* The month of a pipermail download's name ("2009-March.txt", also
 * .txt.gz) as yyyymm, else 0. */
static int pipermail_month(const char *path)
{
	static const char *const months[] = {"January",   "February", "March",    "April",
	                                     "May",       "June",     "July",     "August",
	                                     "September", "October",  "November", "December"};
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	int y = 0;
	for (int i = 0; i < 4; i++) {
		if (b[i] < '0' || b[i] > '9')
			return 0;
		y = y * 10 + (b[i] - '0');
	}
	if (b[4] != '-')
		return 0;
	for (int m = 0; m < 12; m++) {
		size_t n = strlen(months[m]);
		if (!strncmp(b + 5, months[m], n) &&
		    (!strcmp(b + 5 + n, ".txt") || !strcmp(b + 5 + n, ".txt.gz")))
			return y * 100 + m + 1;
	}
	return 0;
}

static int by_pipermail_month(const void *a, const void *b)
{
	int x = pipermail_month(*(char *const *)a), y = pipermail_month(*(char *const *)b);
	return (x > y) - (x < y);
}

/* Pipermail's month files given together (a shell glob sorts them by
 * name: 2009-August before 2009-July) are read from the oldest month on,
 * in the order pipermail numbered their messages, so that its old URLs
 * (/pipermail/LIST/YYYY-Month/NNNNNN.html) find them. */
static void sort_pipermail(char **sources, int n)
{
	for (int i = 0; i < n; i++)
		if (!pipermail_month(sources[i]))
			return;
	qsort(sources, (size_t)n, sizeof *sources, by_pipermail_month);
}

struct src_args {
	struct store *st;
	int64_t list_id;
	const struct ingest_opts *o;
	struct ingest_stats *stats;
	struct la_err *err;
	enum la_status status;
	int count;
};

static bool index_registered(const struct store_source *s, void *arg)
{
	struct src_args *a = arg;
	a->count++;
	a->status = ingest_source(a->st, a->list_id, s->path, a->o, a->stats, a->err);
	return a->status == LA_OK;
}

/* The end of an index run (index.sqlite's alone): the deferred indexes
 * and series' states of a first index, made once (whatever the lists'
 * outcome: what they committed needs them), while the search index's
 * thread works through what it was handed; done once, rc the first
 * failure's exit status. */
struct index_end {
	bool done, copied;
	int rc;
};

/* The end of a run: both files' logs copied into them (the search
 * index's by its thread once it has committed the run's last rows, at
 * the same time as index.sqlite's here), which closing would do but
 * could not say that it failed: a full disk must not go unnoticed
 * there either.  Returns 0, or 1 after saying why. */
static int index_copy_logs(struct store *st)
{
	struct la_err err = {0};
	if (store_checkpoint(st, &err)) {
		cmd_error("%s (everything indexed is kept, in the -wal files)", err.msg);
		return 1;
	}
	return 0;
}

static void index_end_run(struct store *st, struct index_end *end)
{
	if (end->done)
		return;
	end->done = true;
	/* (Each frees the writer's caches and trims the heap first when it
	 * has work: it needs none of what the lists' reading held, and the
	 * search thread's memory is held beside it: store_caches_release.) */
	struct la_err err = {0};
	/* (And the search thread's, when it is done already.) */
	store_search_release_idle(st);
	if (store_indexes_finish(st, &err)) {
		cmd_error("%s", err.msg);
		end->rc = 1;
	}
	store_search_release_idle(st);
	if (store_states_finish(st, &err)) {
		cmd_error("%s", err.msg);
		end->rc = 1;
	}
}

/* What reading a public-inbox source's packs took (tests, bench/). */
static void print_packs(const struct ingest_stats *s)
{
	const struct ingest_packs *p = &s->packs, *c = &s->chain;
	fprintf(stderr,
	        "gitpack: %llu preads, %llu look-ups, %llu inflated, %llu deltas, %llu base hits, "
	        "bases %llu bytes at most\n",
	        (unsigned long long)p->preads, (unsigned long long)p->lookups,
	        (unsigned long long)p->inflated, (unsigned long long)p->deltas,
	        (unsigned long long)p->base_hits, (unsigned long long)p->bases_peak);
	fprintf(stderr, "gitpack chain: %llu preads, %llu look-ups, %llu inflated\n",
	        (unsigned long long)c->preads, (unsigned long long)c->lookups,
	        (unsigned long long)c->inflated);
	const struct ingest_chains *k = &s->chains;
	fprintf(stderr, "chain: %llu links, %llu spooled, %llu chunks read back, %llu in memory\n",
	        (unsigned long long)k->links, (unsigned long long)k->spooled,
	        (unsigned long long)k->reads, (unsigned long long)k->in_memory);
}

/* Indexes list; the run's last list does the end of the run (end, if
 * not NULL) before it waits for the search index's file. */
static int index_list(struct store *st, const struct conf *cf, const char *list, char **sources,
                      int nsources, bool rebuild, bool quiet, bool search, struct index_end *end)
{
	struct la_err err = {0};
	int64_t list_id;
	/* A list this run makes is taken out again if the run fails before
	 * indexing a message: a failed index creates nothing. */
	bool existed = store_list_id(st, list, &list_id) == LA_OK;
	if (store_list_ensure(st, list, &list_id, &err)) {
		cmd_error("%s", err.msg);
		return 1;
	}
	if (rebuild && store_list_purge(st, list_id, &err)) {
		cmd_error("%s", err.msg);
		return 1;
	}
	struct progress_state ps = {isatty(2) && !quiet, now(), 0, list};
	struct ingest_opts o;
	ingest_opts_init(&o);
	o.conf = cf;
	o.search = search;
	o.progress = show_progress;
	o.progress_arg = &ps;
	o.warn = show_warning;
	struct ingest_stats stats = {0};
	enum la_status e = LA_OK;
	int used = 0;
	if (nsources > 0) {
		sort_pipermail(sources, nsources);
		for (int i = 0; i < nsources && !e; i++, used++)
			e = ingest_source(st, list_id, sources[i], &o, &stats, &err);
	} else {
		const struct conf_list *cl = conf_list(cf, list);
		if (cl && cl->sources) {
			for (int i = 0; cl->sources[i] && !e; i++, used++)
				e = ingest_source(st, list_id, cl->sources[i], &o, &stats, &err);
		} else {
			struct src_args a = {st, list_id, &o, &stats, &err, LA_OK, 0};
			e = store_sources(st, list_id, index_registered, &a);
			if (!e)
				e = a.status;
			used = a.count;
		}
	}
	/* The search index's file is committed batches behind the index, by
	 * a thread of its own: whole before the list's figures are said
	 * (`listarc search` right after finds everything), or the list's run
	 * fails with the file's failure, as with the index's own (a full
	 * disk), the messages indexed kept.  The end of the run is made
	 * first, while the file's thread works through its backlog. */
	if (end) {
		index_end_run(st, end);
		/* (While the search index's thread commits its last rows.) */
		if (!e && !end->rc) {
			end->copied = true;
			end->rc = index_copy_logs(st);
		}
	}
	if (!e)
		e = store_search_sync(st, &err);
	if (ps.tty)
		fputs("\r\033[K", stderr);
	double el = now() - ps.start;
	if ((e || used == 0) && !existed && stats.messages == 0) {
		struct la_err rerr = {0};
		if (store_list_remove(st, list_id, &rerr))
			cmd_error("%s", rerr.msg);
	}
	if (e) {
		cmd_error("%s", err.msg[0] ? err.msg : la_strstatus(e));
		if (stats.messages)
			cmd_error("%s: %llu messages were indexed before the error and are kept",
			          list, (unsigned long long)stats.messages);
		if (e == LA_ENOSPC)
			cmd_error("%s: the disk holding the index is full: free some space and run "
			          "`listarc index` again; it goes on from the last message kept",
			          list);
		return e == LA_ELOCKED || e == LA_EAGAIN ? 75 : 1;
	}
	if (used == 0) {
		cmd_error("%s: no sources given, configured or remembered", list);
		return 2;
	}
	if (getenv("LISTARC_TEST_GITPACK_STATS"))
		print_packs(&stats);
	if (!quiet) {
		fprintf(stderr, "%s: %llu messages indexed (%.1f MB in %.2f s, %.0f MB/s)", list,
		        (unsigned long long)stats.messages, (double)stats.bytes / 1e6, el,
		        el > 0 ? (double)stats.bytes / 1e6 / el : 0.0);
		if (stats.removed)
			fprintf(stderr, "; %llu removed", (unsigned long long)stats.removed);
		if (stats.dups)
			fprintf(stderr, "; %llu repeated Message-IDs",
			        (unsigned long long)stats.dups);
		if (stats.no_msgid)
			fprintf(stderr, "; %llu without Message-ID",
			        (unsigned long long)stats.no_msgid);
		if (stats.no_date)
			fprintf(stderr, "; %llu without a usable date",
			        (unsigned long long)stats.no_date);
		if (stats.head_trunc)
			fprintf(stderr, "; %llu header blocks cut at %u KiB",
			        (unsigned long long)stats.head_trunc, HEAD_MAX / 1024);
		if (stats.skipped)
			fprintf(stderr, "; %llu maildir entries skipped (not regular files)",
			        (unsigned long long)stats.skipped);
		fputc('\n', stderr);
	}
	if (stats.pending)
		cmd_error("%s", stats.note);
	return 0;
}

/* Rebuilds st's search index, with a progress line on a terminal
 * (unless quiet) and, after, how many messages it took and how long.
 * Returns 0, or 1 after saying why (after what, if not NULL). */
static int search_rebuild(struct store *st, bool quiet, const char *what)
{
	struct la_err err = {0};
	struct progress_state ps = {isatty(2) && !quiet, now(), 0, "search"};
	struct ingest_opts o;
	ingest_opts_init(&o);
	o.progress = show_progress;
	o.progress_arg = &ps;
	uint64_t n = 0;
	enum la_status e = ingest_reindex_search(st, &o, &n, &err);
	if (ps.tty)
		fputs("\r\033[K", stderr);
	/* (Its file is committed by a thread, batches behind.) */
	if (!e)
		e = store_search_sync(st, &err);
	if (e) {
		if (what)
			cmd_error("%s: %s", what, err.msg);
		else
			cmd_error("%s", err.msg);
		return 1;
	}
	if (!quiet && !store_search_current(st))
		/* (store_fts_build_swap: a reader held the old file's log.) */
		fprintf(stderr,
		        "search index rebuilt beside the one in use: %llu messages in %.2f s; a "
		        "reader held the old one, the next run puts the new one in its place\n",
		        (unsigned long long)n, now() - ps.start);
	else if (!quiet)
		fprintf(stderr, "search index rebuilt: %llu messages in %.2f s\n",
		        (unsigned long long)n, now() - ps.start);
	return 0;
}

static const char reindex_usage[] =
	"usage: listarc reindex [--data DIR] [--quiet] --search\n"
	"\n"
	"Rebuilds the full-text search index from the messages' bytes, without\n"
	"touching anything else (after `listarc index --no-search`, or to pick up a\n"
	"newer text extraction).  Resumes where a killed run stopped.\n"
	"\n"
	"  --quiet  print nothing but errors\n";

int cmd_reindex(int argc, char **argv)
{
	static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
	                                     {"search", no_argument, NULL, 's'},
	                                     {"quiet", no_argument, NULL, 'q'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *data = NULL;
	bool search = false, quiet = false;
	int c;
	while ((c = getopt_long(argc, argv, "d:sqh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 's': search = true; break;
		case 'q': quiet = true; break;
		case 'h': fputs(reindex_usage, stdout); return 0;
		default: fputs(reindex_usage, stderr); return 2;
		}
	}
	if (!search || optind != argc) {
		fputs(reindex_usage, stderr);
		return 2;
	}
	char *dir = conf_data_dir(data);
	struct la_err err = {0};
	int lockfd = -1, rc = 0;
	struct store *st = NULL;
	if (ingest_lock(dir, -1, &lockfd, &err) || store_open(&st, dir, STORE_WRITE, &err)) {
		cmd_error("%s", err.msg);
		rc = 1;
	} else {
		msg_library_init();
		rc = search_rebuild(st, quiet, NULL);
	}
	store_close(st);
	if (lockfd >= 0)
		close(lockfd);
	free(dir);
	return rc;
}

/* An archive whose search rows a listarc wrote before the present one
 * (store_search_current: before lore's columns, the English stems, the
 * diffs' lines kept apart) gets them anew, as `listarc reindex --search`
 * makes them, before anything is added: its searches then find what this
 * listarc's do.  A rebuild that was stopped (killed, or a delivery's
 * share done) goes on from where it was.  Returns 0, or 1 after saying
 * why it failed. */
static int upgrade_search(struct store *st, bool resume, bool quiet)
{
	if (!quiet)
		fprintf(stderr,
		        resume ? "listarc: the search index's rebuild was not finished: going on "
		                 "with it\n"
		               : "listarc: the search index was made by an older listarc: "
		                 "rebuilding it (as `listarc reindex --search` does)\n");
	return search_rebuild(st, quiet, "rebuilding the search index");
}

/* The list named on the command line (NULL: every list of listarc.conf)
 * and its sources.  Returns 0 when they can be indexed, else the exit
 * status, having said why. */
static int index_check_args(const char *dir, const struct conf *cf, const char *list,
                            char **sources, int nsources)
{
	if (list && !conf_valid_listname(list, strlen(list))) {
		cmd_error("'%s' is not a list name: use lowercase letters, digits, '.', '_', '-' "
		          "(at most %d)",
		          list, LISTNAME_MAX);
		return 2;
	}
	if (list && conf_reserved_listname(list, strlen(list))) {
		cmd_error("'%s' cannot be a list name: /%s/ is part of the archive's URLs "
		          "(/all/ looks across every list, /api/ is the JSON API, /r/ finds a "
		          "Message-ID's list)",
		          list, list);
		return 2;
	}
	if (!list && (!cf || cf->nlists == 0)) {
		fputs(usage, stderr);
		return 2;
	}
	if (list && !check_sources(dir, list, sources, nsources))
		return 1;
	return 0;
}

/* Takes the archive's indexer lock into *lockfd, waiting for another
 * indexer unless nowait.  Returns 0, or the exit status (75: held by
 * another) having said why. */
static int index_lock(const char *dir, bool nowait, bool quiet, int *lockfd)
{
	struct la_err err = {0};
	enum la_status e = ingest_lock(dir, 0, lockfd, &err);
	if (e == LA_ELOCKED && !nowait) {
		if (!quiet)
			cmd_error("%s: waiting for another indexer to finish", dir);
		memset(&err, 0, sizeof err);
		e = ingest_lock(dir, -1, lockfd, &err);
	}
	if (e) {
		cmd_error("%s", err.msg);
		return e == LA_ELOCKED ? 75 : 1;
	}
	return 0;
}

/* Search is an archive-wide choice: --no-search turns it off for good
 * (until `listarc reindex --search`).  Sets *search to whether this run
 * feeds the search index (upgrading it first if it must).  Returns 0, or
 * the exit status having said why. */
static int index_search_mode(struct store *st, const char *dir, bool nosearch, bool quiet,
                             bool *search)
{
	char mode[16] = "on";
	enum la_status me = store_meta_get(st, "search", mode, sizeof mode);
	if (me && me != LA_ENOTFOUND) {
		cmd_error("%s: cannot read the search setting: %s", dir, store_errmsg(st));
		return 1;
	}
	/* Were --no-search not recorded, the next run would feed the search
	 * index again, which would then hold only some of the messages. */
	if (nosearch && strcmp(mode, "off") != 0 && store_meta_set(st, "search", "off")) {
		cmd_error("%s: cannot record --no-search: %s", dir, store_errmsg(st));
		return 1;
	}
	bool resume = strcmp(mode, "rebuilding") == 0;
	*search = !nosearch && (strcmp(mode, "on") == 0 || resume);
	char build[16];
	resume |= store_meta_get(st, "search_build", build, sizeof build) == LA_OK;
	if (*search && !store_search_current(st) && upgrade_search(st, resume, quiet))
		return 1;
	return 0;
}

int cmd_index(int argc, char **argv)
{
	static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
	                                     {"rebuild", no_argument, NULL, 'r'},
	                                     {"no-wait", no_argument, NULL, 'n'},
	                                     {"quiet", no_argument, NULL, 'q'},
	                                     {"no-search", no_argument, NULL, 'S'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	/* The indexer frees as it goes (a batch's caches, the search
	 * thread's buffers): the top of the heap is given back from 1 MB
	 * free, not the 8 MB that suit the server (listarc.c), which were
	 * up to 8 MB of its peak RSS (docs/INDEX.md). */
	mallopt(M_TRIM_THRESHOLD, 1 << 20);
	const char *data = NULL;
	bool rebuild = false, nowait = false, quiet = false, nosearch = false;
	int c;
	while ((c = getopt_long(argc, argv, "d:rnqSh", opts, NULL)) != -1) {
		switch (c) {
		case 'S': nosearch = true; break;
		case 'd': data = optarg; break;
		case 'r': rebuild = true; break;
		case 'n': nowait = true; break;
		case 'q': quiet = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	char *dir = conf_data_dir(data);
	struct la_err err = {0};
	struct conf *cf = NULL;
	struct store *st = NULL;
	int lockfd = -1;
	bool search = true;
	const char *list = optind < argc ? argv[optind] : NULL;
	char **sources = argv + optind + 1;
	int nsources = argc - optind - 1;
	int rc = 0;
	if (conf_load(dir, &cf, &err)) {
		cmd_error("%s", err.msg);
		rc = 78;
		goto out;
	}
	if ((rc = index_check_args(dir, cf, list, sources, nsources)) ||
	    (rc = index_lock(dir, nowait, quiet, &lockfd)))
		goto out;
	/* (GMime is started by the first message that needs it, msg/: a run
	 * that finds nothing new never does.) */
	if (store_open(&st, dir, STORE_WRITE, &err)) {
		cmd_error("%s", err.msg);
		rc = 1;
		goto out;
	}
	if ((rc = index_search_mode(st, dir, nosearch, quiet, &search)))
		goto out;
	struct index_end end = {0};
	/* (Tests keep a first index's states made at each commit, to
	 * compare the two: LISTARC_STATES_EACH_COMMIT=1.) */
	const char *each = getenv("LISTARC_STATES_EACH_COMMIT");
	if ((!(each && *each == '1') && store_states_defer(st)) || store_indexes_defer(st) ||
	    store_bulk(st)) {
		cmd_error("%s: cannot read the index", dir);
		rc = 1;
		goto out;
	}
	if (list) {
		rc = index_list(st, cf, list, sources, nsources, rebuild, quiet, search, &end);
	} else {
		/* One list's trouble (a source gone, an mbox rewritten) must not
		 * keep the others from being indexed: go on, and exit with the
		 * first failure's status. */
		for (size_t i = 0; i < cf->nlists; i++) {
			int r = index_list(st, cf, cf->lists[i].name, NULL, 0, rebuild, quiet,
			                   search, i + 1 == cf->nlists ? &end : NULL);
			if (rc == 0)
				rc = r;
		}
	}
	/* (Made by the last list before its search rows are waited for;
	 * here if it stopped before.) */
	index_end_run(st, &end);
	if (rc == 0)
		rc = end.rc;
	/* Tests only (LISTARC_TEST_MEMORY=1): what the writer was set to
	 * hold, and held (t4091), and the series' states pass's bounds and
	 * what it held (t3337). */
	const char *tm = getenv("LISTARC_TEST_MEMORY");
	if (tm && strcmp(tm, "1") == 0) {
		struct store_memory m;
		store_memory_get(st, &m);
		fprintf(stderr,
		        "memory: cache_size=%lld temp_store=%lld search_cache_size=%lld"
		        " search_handed=%llu search_held_max=%llu search_handed_limit=%llu"
		        " search_ready=%llu search_spooled=%llu search_spool_max=%llu\n",
		        (long long)m.cache_size, (long long)m.temp_store,
		        (long long)m.search_cache_size, (unsigned long long)m.search_handed,
		        (unsigned long long)m.search_held_max,
		        (unsigned long long)m.search_handed_limit,
		        (unsigned long long)m.search_ready, (unsigned long long)m.search_spooled,
		        (unsigned long long)m.search_spool_max);
		const struct store_states_mem *sm[2] = {&m.states_max, &m.states_held};
		for (int i = 0; m.states_ran && i < 2; i++)
			fprintf(stderr,
			        "states: %s rows=%zu names=%zu groupm=%zu reviews=%zu parents=%zu"
			        " versions=%zu walks=%zu ids=%zu\n",
			        i ? "held" : "max", sm[i]->rows, sm[i]->names, sm[i]->groupm,
			        sm[i]->reviews, sm[i]->parents, sm[i]->versions, sm[i]->walks,
			        sm[i]->ids);
	}
	/* (What the search thread held, its spool's disk space among it.) */
	store_search_release(st);
	/* (Made by the last list's end, unless it stopped before.) */
	if (rc == 0 && !end.copied)
		rc = index_copy_logs(st);
out:
	store_close(st);
	if (lockfd >= 0)
		close(lockfd);
	conf_free(cf);
	free(dir);
	return rc;
}
