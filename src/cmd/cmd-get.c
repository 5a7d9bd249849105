/* cmd-get.c: `listarc get PATH`: the body the server would send for PATH
 * on stdout, the status on stderr; `listarc get --batch OUTDIR`: the same
 * for every path read from stdin, in one process. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cmd/cmd.h"
#include "conf/conf.h"
#include "http/headers.h"
#include "http/route.h"
#include "msg/msg.h"
#include "render/render.h"
#include "store/store.h"

static const char usage[] =
	"usage: listarc get [--data DIR] [--base-url URL] [--headers] PATH\n"
	"       listarc get [--data DIR] [--base-url URL] [--headers] --batch OUTDIR < PATHS\n"
	"\n"
	"Writes to stdout the body the web server sends for PATH (such as\n"
	"/linux-kernel/2019/05/20/4), and the status line to stderr.\n"
	"\n"
	"  --base-url URL  the URL prefix links are made with (default /)\n"
	"  --headers       also print the response headers to stderr\n"
	"  --batch OUTDIR  read paths from stdin, one a line; write the body of\n"
	"                  the N-th (from 1) to OUTDIR/N (with --headers, its\n"
	"                  status line and headers to OUTDIR/N.head) and print\n"
	"                  \"N STATUS EXIT PATH\" on stdout, EXIT being the exit\n"
	"                  status `listarc get PATH` would have; OUTDIR is made\n"
	"                  if missing\n"
	"\n"
	"Exit status: 0 for a 2xx response, 1 for 404, 2 for a bad request\n"
	"(400, 414) or bad usage, 3 for a redirect, 4 for a server error,\n"
	"78 for a malformed listarc.conf.  With --batch: 0 once every path has\n"
	"its line, 4 if an output file could not be written.\n";

/* Where one response goes: the body, and the status line and headers
 * (always the status line; the other headers with --headers, else only a
 * redirect's Location). */
struct out {
	FILE *body;
	FILE *head;
	bool headers;
};

static void print_headers(FILE *f, const struct response *r, bool all)
{
	fprintf(f, "%d %s\n", r->status, http_reason(r->status));
	if (all) {
		if (r->content_type)
			fprintf(f, "Content-Type: %s\n", r->content_type);
		if (r->location[0])
			fprintf(f, "Location: %s\n", r->location);
		if (r->etag[0])
			fprintf(f, "ETag: %s\n", r->etag);
		if (r->filename[0])
			fprintf(f, "Content-Disposition: %s; filename=\"%s\"\n",
			        r->attachment ? "attachment" : "inline", r->filename);
		if (r->truncated)
			fprintf(f, "X-Listarc-Truncated: %d\n", r->truncated);
	} else if (r->location[0]) {
		fprintf(f, "Location: %s\n", r->location);
	}
}

/* Renders path (n bytes) through route_handle, as the server does for a
 * request, into o.  Returns the exit status `listarc get PATH` has for it
 * (see usage); *status is the HTTP status. */
static int get_one(const struct render_ctx *ctx, const char *path, size_t n, const struct out *o,
                   int *status)
{
	struct response r;
	response_init(&r);
	/* One snapshot of the index for the whole page, as the server takes. */
	uint64_t version;
	bool snapshot = store_read_begin(ctx->st, &version) == LA_OK;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* A failure on our side leaves a 500 page in r, shown like any other. */
	la_ignore(route_handle(ctx, path, n, &r));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* For benchmarks: the time spent building the response, without
	 * process start-up. */
	if (getenv("LISTARC_TIMING"))
		fprintf(stderr, "render: %.3f ms\n",
		        (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		                (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	if (!r.body.err && r.body.len)
		fwrite(r.body.data, 1, r.body.len, o->body);
	/* A streamed body (a big raw message or attachment): piece by piece. */
	struct response_stream s = response_take_stream(&r);
	enum la_status se = LA_OK;
	for (bool done = !s.next; !done && se == LA_OK;) {
		buf_reset(&r.body);
		se = s.next(s.state, &r.body, 64 * 1024, &done);
		if (se == LA_OK && r.body.len)
			fwrite(r.body.data, 1, r.body.len, o->body);
	}
	if (s.free)
		s.free(s.state);
	if (snapshot)
		store_read_end(ctx->st);
	if (se)
		cmd_error("%.*s: body cut short: %s", (int)n, path, la_strstatus(se));
	fflush(o->body);
	if (o->head)
		print_headers(o->head, &r, o->headers);
	*status = r.status;
	int rc = r.status < 300    ? 0
	         : r.status < 400  ? 3
	         : r.status == 404 ? 1
	         : r.status < 500  ? 2
	                           : 4;
	if (se)
		rc = 4;
	response_free(&r);
	return rc;
}

/* --batch: every line of stdin is a path; see usage. */
static int get_batch(const struct render_ctx *ctx, const char *outdir, bool headers)
{
	if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
		cmd_error("%s: %s", outdir, strerror(errno));
		return 4;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long n = 0;
	int rc = 0;
	char name[4096];
	while ((len = getline(&line, &cap, stdin)) != -1) {
		n++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		struct out o = {NULL, NULL, true};
		snprintf(name, sizeof name, "%s/%ld", outdir, n);
		o.body = fopen(name, "w");
		if (headers) {
			snprintf(name, sizeof name, "%s/%ld.head", outdir, n);
			o.head = fopen(name, "w");
		}
		if (!o.body || (headers && !o.head)) {
			cmd_error("%s: %s", name, strerror(errno));
			rc = 4;
		} else {
			int status;
			int e = get_one(ctx, line, (size_t)len, &o, &status);
			printf("%ld %d %d %s\n", n, status, e, line);
			fflush(stdout);
		}
		if (o.body && fclose(o.body) != 0)
			rc = 4;
		if (o.head && fclose(o.head) != 0)
			rc = 4;
		if (rc)
			break;
	}
	free(line);
	return rc;
}

int cmd_get(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, NULL, 'd'}, {"base-url", required_argument, NULL, 'b'},
		{"headers", no_argument, NULL, 'H'},    {"batch", required_argument, NULL, 'B'},
		{"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};
	const char *data = NULL, *base_url = NULL, *batch = NULL;
	bool headers = false;
	int c;
	while ((c = getopt_long(argc, argv, "d:b:HB:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'b': base_url = optarg; break;
		case 'H': headers = true; break;
		case 'B': batch = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind + (batch ? 0 : 1) != argc) {
		fputs(usage, stderr);
		return 2;
	}
	struct la_err err = {0};
	struct conf *cf = NULL;
	struct store *st = NULL;
	struct buf base, origin;
	buf_init(&base, URL_MAX);
	buf_init(&origin, URL_MAX);
	if (!cmd_base_path(base_url, &base) || !http_base_origin(base_url, &origin)) {
		if (base.len)
			cmd_error("--base-url %s: not http(s)://HOST/PATH", base_url);
		buf_free(&base);
		buf_free(&origin);
		return 2;
	}
	char *dir = conf_data_dir(data);
	int rc = 4;
	if (conf_load(dir, &cf, &err)) {
		/* The configuration's fault, not the server's: EX_CONFIG, as
		 * `listarc index` says it. */
		cmd_error("%s", err.msg);
		rc = EX_CONFIG_;
		goto out;
	}
	if (store_open(&st, dir, STORE_READ, &err)) {
		cmd_error("%s", err.msg);
		goto out;
	}
	/* (GMime is started, and loaded, by the first page that needs it:
	 * a list's page does not; src/ext/lazy.c.) */
	const char *org = origin.len ? buf_cstr(&origin) : NULL;
	struct render_ctx ctx = {
		.st = st, .conf = cf, .base = buf_cstr(&base), .origin = org, .req_origin = org};
	if (batch) {
		rc = get_batch(&ctx, batch, headers);
	} else {
		const char *path = argv[optind];
		struct out o = {stdout, stderr, headers};
		int status;
		rc = get_one(&ctx, path, strlen(path), &o, &status);
	}
out:
	store_close(st);
	conf_free(cf);
	buf_free(&base);
	buf_free(&origin);
	free(dir);
	return rc;
}
