/* cmd-serve.c: `listarc serve`: the web server over an archive. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "conf/conf.h"
#include "http/headers.h"
#include "http/server.h"
#include "util/buf.h"

static const char usage[] =
	"usage: listarc serve [--data DIR] [--listen ADDR:PORT] [--base-url URL]\n"
	"                     [--log FILE] [--threads N] [--max-conns N] [--cache-mb N]\n"
	"                     [--rate-limit RATE[/BURST]] [--rate-limit-loopback]\n"
	"                     [--trust-proxy ADDR[/BITS][,...]]\n"
	"\n"
	"Serves the archive over HTTP until SIGTERM or SIGINT (responses in\n"
	"flight are finished first).  New mail shows without a restart.\n"
	"\n"
	"  --listen ADDR:PORT  where to listen (default 127.0.0.1:8080; [::1]:8080\n"
	"                      for IPv6, :8080 for every address, port 0 for any)\n"
	"  --base-url URL      the public URL of the archive behind a reverse proxy,\n"
	"                      such as https://example.org/lists/ (links get its path)\n"
	"  --log FILE          access log in the combined format (default stderr);\n"
	"                      SIGHUP reopens it (and reads listarc.conf again)\n"
	"  --threads N         event loops (default: one per core)\n"
	"  --max-conns N       open connections at most (default 1024)\n"
	"  --cache-mb N        rendered pages kept in memory (default 64; 0: none)\n"
	"  --rate-limit RATE[/BURST]  per client (IPv4 address, IPv6 /64): RATE\n"
	"                      tokens a second into a bucket of BURST (default\n"
	"                      10/200; 0: no limit); a cached page costs 1, a\n"
	"                      page made 2, a listing 4, a search 10, an mbox 20;\n"
	"                      an empty bucket is answered 429 with Retry-After\n"
	"  --rate-limit-loopback  limit clients on 127.0.0.0/8 and ::1 too (a\n"
	"                      reverse proxy there is otherwise one free client)\n"
	"  --trust-proxy ADDR[/BITS][,...]  reverse proxies (addresses or prefixes)\n"
	"                      whose X-Forwarded-For or Forwarded header names the\n"
	"                      client: the rate limit and the access log then see\n"
	"                      that address (default: none; the peer is the client)\n"
	"\n"
	"Exit status: 0 after SIGTERM or SIGINT, 1 if it cannot serve (no index,\n"
	"the address taken), 2 for bad usage, 78 for a bad listarc.conf.\n";

/* A positive number option, or -1. */
static long number_arg(const char *s, long max)
{
	char *end;
	long v = strtol(s, &end, 10);
	return *s && !*end && v >= 0 && v <= max ? v : -1;
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
	                                     {"listen", required_argument, NULL, 'l'},
	                                     {"base-url", required_argument, NULL, 'b'},
	                                     {"log", required_argument, NULL, 'L'},
	                                     {"threads", required_argument, NULL, 't'},
	                                     {"max-conns", required_argument, NULL, 'm'},
	                                     {"cache-mb", required_argument, NULL, 'c'},
	                                     {"rate-limit", required_argument, NULL, 'r'},
	                                     {"rate-limit-loopback", no_argument, NULL, 'R'},
	                                     {"trust-proxy", required_argument, NULL, 'P'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	struct http_config hc = {.listen = "127.0.0.1:8080",
	                         .cache_bytes = (size_t)64 << 20,
	                         .rate = 10,
	                         .burst = 200};
	const char *data = NULL, *base_url = NULL;
	struct http_trust trust = {0};
	long v;
	int c;
	while ((c = getopt_long(argc, argv, "d:l:b:L:t:m:c:r:RP:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': {
			char *end;
			hc.rate = strtod(optarg, &end);
			hc.burst = hc.rate * 20;
			if (*end == '/')
				hc.burst = strtod(end + 1, &end);
			if (end == optarg || *end || !(hc.rate >= 0 && hc.rate <= 1e6) ||
			    !(hc.burst >= 0 && hc.burst <= 1e9) || (hc.rate > 0 && hc.burst < 1)) {
				cmd_error("--rate-limit %s: RATE or RATE/BURST (a bucket of at "
				          "least 1)",
				          optarg);
				return 2;
			}
			break;
		}
		case 'R': hc.rate_loopback = true; break;
		case 'P':
			if (!http_trust_parse(optarg, &trust)) {
				cmd_error(
					"--trust-proxy %s: addresses or prefixes (127.0.0.1,10.0.0.0/8,::1), "
					"at most %d",
					optarg, HTTP_TRUST_MAX);
				return 2;
			}
			hc.trust = &trust;
			break;
		case 'd': data = optarg; break;
		case 'l': hc.listen = optarg; break;
		case 'b': base_url = optarg; break;
		case 'L': hc.log_path = optarg; break;
		case 't':
		case 'm':
		case 'c':
			v = number_arg(optarg, c == 't' ? 64 : c == 'm' ? 1000000 : 1 << 20);
			if (v < 0 || (v == 0 && c != 'c')) {
				cmd_error("--%s %s: not a number in range",
				          c == 't'   ? "threads"
				          : c == 'm' ? "max-conns"
				                     : "cache-mb",
				          optarg);
				return 2;
			}
			if (c == 't')
				hc.threads = (int)v;
			else if (c == 'm')
				hc.max_conns = (int)v;
			else
				hc.cache_bytes = (size_t)v << 20;
			break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc) {
		fputs(usage, stderr);
		return 2;
	}
	/* For tests: "HEAD RESPONSE DRAIN" timeouts in seconds (limits.h). */
	const char *t = getenv("LISTARC_HTTP_TIMEOUTS");
	if (t)
		sscanf(t, "%d %d %d", &hc.head_timeout, &hc.response_timeout, &hc.drain_timeout);
	/* For tests: hold pages being made (http_config.test_hold). */
	hc.test_hold = getenv("LISTARC_TEST_HOLD");
	struct buf base;
	buf_init(&base, URL_MAX);
	if (!cmd_base_path(base_url, &base)) {
		buf_free(&base);
		return 2;
	}
	struct buf origin;
	buf_init(&origin, URL_MAX);
	if (!http_base_origin(base_url, &origin)) {
		cmd_error("--base-url %s: not http(s)://HOST/PATH", base_url);
		buf_free(&base);
		buf_free(&origin);
		return 2;
	}
	char *dir = conf_data_dir(data);
	struct la_err err = {0};
	struct conf *cf = NULL;
	int rc = 1;
	if (conf_load(dir, &cf, &err)) {
		cmd_error("%s", err.msg);
		rc = EX_CONFIG_;
		goto out;
	}
	hc.data_dir = dir;
	hc.conf = cf;
	hc.base = buf_cstr(&base);
	hc.origin = origin.len ? buf_cstr(&origin) : NULL;
	if (http_serve(&hc, &err)) {
		cmd_error("%s", err.msg);
		goto out;
	}
	rc = 0;
out:
	conf_free(cf);
	free(dir);
	buf_free(&base);
	buf_free(&origin);
	return rc;
}
