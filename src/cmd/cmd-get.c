/* cmd-get.c: `listarc get PATH`: the body the server would send for PATH
 * on stdout, the status on stderr. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	"\n"
	"Writes to stdout the body the web server sends for PATH (such as\n"
	"/linux-kernel/2019/05/20/4), and the status line to stderr.\n"
	"\n"
	"  --base-url URL  the URL prefix links are made with (default /)\n"
	"  --headers       also print the response headers to stderr\n"
	"\n"
	"Exit status: 0 for a 2xx response, 1 for 404, 2 for a bad request\n"
	"(400, 414) or bad usage, 3 for a redirect, 4 for a server error,\n"
	"78 for a malformed listarc.conf.\n";

int cmd_get(int argc, char **argv)
{
	static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
	                                     {"base-url", required_argument, NULL, 'b'},
	                                     {"headers", no_argument, NULL, 'H'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *data = NULL, *base_url = NULL;
	bool headers = false;
	int c;
	while ((c = getopt_long(argc, argv, "d:b:Hh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'b': base_url = optarg; break;
		case 'H': headers = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind + 1 != argc) {
		fputs(usage, stderr);
		return 2;
	}
	const char *path = argv[optind];
	struct la_err err = {0};
	struct conf *cf = NULL;
	struct store *st = NULL;
	struct buf base;
	buf_init(&base, URL_MAX);
	if (!cmd_base_path(base_url, &base)) {
		buf_free(&base);
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
	msg_library_init();
	struct render_ctx ctx = {st, cf, buf_cstr(&base)};
	struct response r;
	response_init(&r);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	route_handle(&ctx, path, strlen(path), &r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* For benchmarks: the time spent building the response, without
	 * process start-up. */
	if (getenv("LISTARC_TIMING"))
		fprintf(stderr, "render: %.3f ms\n",
		        (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	if (!r.body.err && r.body.len)
		fwrite(r.body.data, 1, r.body.len, stdout);
	/* A streamed body (a big raw message or attachment): piece by piece. */
	struct response_stream s = response_take_stream(&r);
	enum la_status se = LA_OK;
	for (bool done = !s.next; !done && se == LA_OK;) {
		buf_reset(&r.body);
		se = s.next(s.state, &r.body, 64 * 1024, &done);
		if (se == LA_OK && r.body.len)
			fwrite(r.body.data, 1, r.body.len, stdout);
	}
	if (s.free)
		s.free(s.state);
	if (se)
		cmd_error("%s: body cut short: %s", path, la_strstatus(se));
	fflush(stdout);
	fprintf(stderr, "%d %s\n", r.status, http_reason(r.status));
	if (headers) {
		if (r.content_type)
			fprintf(stderr, "Content-Type: %s\n", r.content_type);
		if (r.location[0])
			fprintf(stderr, "Location: %s\n", r.location);
		if (r.etag[0])
			fprintf(stderr, "ETag: %s\n", r.etag);
		if (r.filename[0])
			fprintf(stderr, "Content-Disposition: %s; filename=\"%s\"\n",
			        r.attachment ? "attachment" : "inline", r.filename);
		if (r.truncated)
			fprintf(stderr, "X-Listarc-Truncated: %d\n", r.truncated);
	} else if (r.location[0]) {
		fprintf(stderr, "Location: %s\n", r.location);
	}
	rc = r.status < 300 ? 0 : r.status < 400 ? 3 : r.status == 404 ? 1 : r.status < 500 ? 2 : 4;
	if (se)
		rc = 4;
	response_free(&r);
out:
	store_close(st);
	conf_free(cf);
	buf_free(&base);
	free(dir);
	return rc;
}
