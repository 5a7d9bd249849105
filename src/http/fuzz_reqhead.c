/* fuzz_reqhead: the request header values the server reads itself
 * (Accept-Encoding, If-None-Match, HTTP dates), the access log escaper and
 * base URLs, X-Forwarded-For and Forwarded, the reader's time zone of a
 * Cookie (render_zone_cookie), over any bytes.  The first
 * byte picks the parser; the rest is
 * the value, in a buffer of exactly its size (no NUL after it). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "http/headers.h"
#include "render/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_date(const char *p, size_t n)
{
	int64_t t, back;
	char out[30];
	if (!http_date_parse(p, n, &t))
		return;
	/* What parses formats, and the format parses back to the same time. */
	http_date_format(t, out);
	if (!http_date_parse(out, strlen(out), &back) || back != t)
		abort();
}

static void check_etag(const char *p, size_t n)
{
	http_etag_match(p, n, "\"0123456789abcdef\"");
	/* A single quoted tag matches itself (our tags are C strings: no NUL). */
	if (n >= 2 && n < 64 && p[0] == '"' && p[n - 1] == '"' && !memchr(p + 1, '"', n - 2) &&
	    !memchr(p, '\0', n) && !memchr(p, ',', n) && !memchr(p, ' ', n) &&
	    !memchr(p, '\t', n)) {
		char tag[64];
		memcpy(tag, p, n);
		tag[n] = '\0';
		if (!http_etag_match(p, n, tag))
			abort();
	}
}

static void check_log(const char *p, size_t n)
{
	struct buf b;
	buf_init(&b, 4 * n + 16);
	http_log_escape(&b, p, n);
	/* One line, quotes balanced: nothing below 0x20, no '"', no byte 0x7f up. */
	for (size_t i = 0; i < b.len; i++) {
		unsigned char c = (unsigned char)b.data[i];
		if (c < 0x20 || c >= 0x7f || c == '"')
			abort();
	}
	buf_free(&b);
}

static void check_base(const char *p, size_t n)
{
	char *s = malloc(n + 1);
	memcpy(s, p, n);
	s[n] = '\0';
	struct buf b;
	buf_init(&b, 8192);
	if (http_base_path(s, &b)) {
		/* A prefix links can start with: "/...", ending in '/', nothing to
		 * break out of an attribute. */
		const char *o = buf_cstr(&b);
		size_t l = strlen(o);
		if (l == 0 || o[0] != '/' || o[l - 1] != '/' || strpbrk(o, "\"'<> \\?#"))
			abort();
	}
	buf_free(&b);
	free(s);
}

/* X-Forwarded-For (first byte even) or Forwarded from a trusted proxy:
 * the address found is one the walk parsed (or the peer). */
static void check_forwarded(const char *p, size_t n, bool fwd)
{
	static struct http_trust t;
	if (t.n == 0 && !http_trust_parse("127.0.0.1,10.0.0.0/8,2001:db8::/32", &t))
		abort();
	struct sockaddr_in peer = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
	struct sockaddr_storage out;
	bool from = http_client_addr(&t, (struct sockaddr *)&peer, sizeof peer, fwd ? NULL : p,
	                             fwd ? 0 : n, fwd ? p : NULL, fwd ? n : 0, &out);
	if (out.ss_family != AF_INET && out.ss_family != AF_INET6)
		abort();
	if (!from && memcmp(&out, &peer, sizeof peer) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	size_t n = size - 1;
	char *p = malloc(n ? n : 1);
	memcpy(p, data + 1, n);
	/* 240 to 249: a Cookie header's zone; what it finds is a bounded
	 * name of letters, digits and _-+/, no longer than the value. */
	if (data[0] >= 240 && data[0] < 250) {
		const struct render_zone *z = render_zone_cookie(p, n);
		if (z) {
			const char *name = render_zone_name(z);
			size_t len = strlen(name);
			if (len == 0 || len > TZ_NAME_MAX || len > n ||
			    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			                 "0123456789_-+/") != len)
				abort();
		}
		free(p);
		return 0;
	}
	/* 250 and up: the client behind proxies (the earlier modes keep
	 * their first bytes). */
	if (data[0] >= 250) {
		check_forwarded(p, n, data[0] & 1);
		free(p);
		return 0;
	}
	switch (data[0] % 5) {
	case 0: http_accepts_gzip(p, n); break;
	case 1: check_etag(p, n); break;
	case 2: check_date(p, n); break;
	case 3: check_log(p, n); break;
	case 4: check_base(p, n); break;
	}
	free(p);
	return 0;
}
