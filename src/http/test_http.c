/* test_http.c: the server's header parsers, base URLs and page cache. */
#include <arpa/inet.h>
#include <malloc.h>
#include <stdlib.h>
#include <zlib.h>

#include "../../tests/check.h"
#include "http/headers.h"
#include "http/pagecache.h"

static void test_gzip_accepted(void)
{
	static const struct {
		const char *v;
		bool want;
	} cases[] = {
		{"gzip", true},
		{"gzip, deflate, br", true},
		{"deflate, GZIP;q=0.5", true},
		{"x-gzip", true},
		{"*", true},
		{"br;q=1.0, *;q=0.1", true},
		{"", false},
		{"deflate", false},
		{"gzip;q=0", false},
		{"gzip; q=0.000", false},
		{"gzip;q=0.001", true},
		{"*, gzip;q=0", false},
		{"*;q=0", false},
		{"gzipx", false},
		{" gzip ", true},
		{",,,", false},
		{"identity;q=1, *;q=0", false},
		{"gzip;level=9;q=0", false},
		{";q=0", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		CHECK(http_accepts_gzip(cases[i].v, strlen(cases[i].v)) == cases[i].want,
		      "Accept-Encoding \"%s\" -> %d", cases[i].v, cases[i].want);
}

static void test_etag(void)
{
	static const struct {
		const char *v, *etag;
		bool want;
	} cases[] = {
		{"\"abc\"", "\"abc\"", true},
		{"W/\"abc\"", "\"abc\"", true},
		{"\"x\", \"abc\"", "\"abc\"", true},
		{"\"x\",W/\"abc\" ", "\"abc\"", true},
		{"*", "\"abc\"", true},
		{"*", "", false},
		{"\"abd\"", "\"abc\"", false},
		{"abc", "\"abc\"", false},
		{"\"abc", "\"abc\"", false},
		{"", "\"abc\"", false},
		{"\"abc\"", "", false},
		{"\"\"", "\"\"", true},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		CHECK(http_etag_match(cases[i].v, strlen(cases[i].v), cases[i].etag) ==
		              cases[i].want,
		      "If-None-Match %s vs %s -> %d", cases[i].v, cases[i].etag, cases[i].want);
}

static void test_dates(void)
{
	static const struct {
		const char *v;
		bool ok;
		int64_t t;
	} cases[] = {
		{"Sun, 06 Nov 1994 08:49:37 GMT", true, 784111777},
		{"Sunday, 06-Nov-94 08:49:37 GMT", true, 784111777},
		{"Sun Nov  6 08:49:37 1994", true, 784111777},
		{"Thu, 01 Jan 1970 00:00:00 GMT", true, 0},
		{"Fri, 31 Dec 9999 23:59:59 GMT", true, INT64_C(253402300799)},
		{"Sun, 06 Nov 1994 08:49:37 UTC", false, 0},
		{"Sun, 31 Feb 1994 08:49:37 GMT", false, 0},
		{"Sun, 06 Xyz 1994 08:49:37 GMT", false, 0},
		{"Sun, 06 Nov 1994 25:49:37 GMT", false, 0},
		{"Sun, 06 Nov 1969 08:49:37 GMT", false, 0},
		{"Sun, 06 Nov 1994 08:49:37 GMT trailing", false, 0},
		{"yesterday", false, 0},
		{"", false, 0},
		{"Sun, 6 Nov 1994 08:49:37 GMT", false, 0},
		{"Sun, 06 Nov 19a4 08:49:37 GMT", false, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		int64_t t = -1;
		bool ok = http_date_parse(cases[i].v, strlen(cases[i].v), &t);
		CHECK(ok == cases[i].ok && (!ok || t == cases[i].t),
		      "date \"%s\" -> %d %lld (got %d %lld)", cases[i].v, cases[i].ok,
		      (long long)cases[i].t, ok, (long long)t);
	}
	char out[30];
	http_date_format(784111777, out);
	CHECK_STR(out, "Sun, 06 Nov 1994 08:49:37 GMT", "format a date");
	http_date_format(0, out);
	CHECK_STR(out, "Thu, 01 Jan 1970 00:00:00 GMT", "format the epoch");
	http_date_format(-5, out);
	CHECK_STR(out, "Thu, 01 Jan 1970 00:00:00 GMT", "a negative time formats as the epoch");
	for (int64_t t = 0; t < INT64_C(4000000000); t += 86399 * 397) {
		int64_t back = -1;
		http_date_format(t, out);
		if (!http_date_parse(out, strlen(out), &back) || back != t) {
			CHECK(0, "date round trip of %lld (%s -> %lld)", (long long)t, out,
			      (long long)back);
			return;
		}
	}
	CHECK(1, "dates round trip through format and parse");
}

static void test_log_escape(void)
{
	struct buf b;
	buf_init(&b, 1024);
	http_log_escape(&b, "Mozilla/5.0 (X11)", 17);
	CHECK_STR(buf_cstr(&b), "Mozilla/5.0 (X11)", "plain text stays");
	buf_reset(&b);
	http_log_escape(&b, "a\"b\\c\nd\x7f\xc3\xa9", 10);
	CHECK_STR(buf_cstr(&b), "a\\x22b\\x5Cc\\x0Ad\\x7F\\xC3\\xA9",
	          "quotes, controls, bytes >= 0x7f");
	buf_reset(&b);
	http_log_escape(&b, "", 0);
	CHECK_STR(buf_cstr(&b), "-", "empty is -");
	buf_free(&b);
}

static void test_base_path(void)
{
	static const struct {
		const char *url, *want;
	} cases[] = {
		{NULL, "/"},
		{"/", "/"},
		{"", "/"},
		{"https://example.org/lists/", "/lists/"},
		{"https://example.org/lists", "/lists/"},
		{"https://example.org", "/"},
		{"http://example.org:8080/a/b", "/a/b/"},
		{"lists", "/lists/"},
		{"/lists/%7Eme/", "/lists/%7Eme/"},
		{"https://example.org/a\"onload=x", NULL},
		{"/a b/", NULL},
		{"/<script>/", NULL},
		{"/a/../b/", NULL},
		{"/./", NULL},
		{"/x?y=1", NULL},
		{"/x#frag", NULL},
	};
	struct buf b;
	buf_init(&b, 4096);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		bool ok = http_base_path(cases[i].url, &b);
		if (cases[i].want)
			CHECK(ok && !strcmp(buf_cstr(&b), cases[i].want),
			      "base URL %s -> %s (got %s)", cases[i].url ? cases[i].url : "(none)",
			      cases[i].want, ok ? buf_cstr(&b) : "refused");
		else
			CHECK(!ok, "base URL %s is refused", cases[i].url);
	}
	buf_free(&b);
}

static struct page *make_page(const char *body)
{
	struct response r;
	response_init(&r);
	buf_adds(&r.body, body);
	snprintf(r.etag, sizeof r.etag, "\"%s\"", "tag");
	struct page *p = page_from_response(&r, 12345);
	response_free(&r);
	return p;
}

static void test_page_gzip(void)
{
	struct buf big;
	buf_init(&big, 1 << 20);
	for (int i = 0; i < 2000; i++)
		buf_printf(&big, "<li>line %d of a page</li>\n", i);
	struct page *p = make_page(buf_cstr(&big));
	size_t growth;
	CHECK(p && p->compressible && p->last_modified == 12345, "a page from a response");
	CHECK(page_gzip(p, &growth) && growth == p->gz_len && p->gz_len < p->len / 4, "it gzips");
	CHECK(page_gzip(p, &growth) && growth == 0, "only once");
	char *out = malloc(p->len + 1);
	z_stream z;
	memset(&z, 0, sizeof z);
	inflateInit2(&z, 15 + 16);
	z.next_in = (unsigned char *)p->gz;
	z.avail_in = (uInt)p->gz_len;
	z.next_out = (unsigned char *)out;
	z.avail_out = (uInt)p->len + 1;
	int rc = inflate(&z, Z_FINISH);
	CHECK(rc == Z_STREAM_END && z.total_out == p->len && !memcmp(out, p->body, p->len),
	      "and gunzips to the body");
	inflateEnd(&z);
	free(out);
	page_unref(p);
	p = make_page("tiny");
	CHECK(p && !page_gzip(p, &growth) && !p->gz, "a tiny body is not gzipped");
	page_unref(p);
	buf_free(&big);
}

/* A cached page holds its bytes, not the room its buffer grew to. */
static void test_page_fit(void)
{
	struct response r;
	response_init(&r);
	CHECK(buf_reserve(&r.body, 1 << 20) == LA_OK, "a body with room for 1 MB");
	for (int i = 0; i < 200; i++)
		buf_printf(&r.body, "<li>line %d</li>\n", i);
	struct page *p = page_from_response(&r, 1);
	response_free(&r);
	size_t kept = p ? malloc_usable_size(p->body) : 0;
	CHECK(p && p->len > 2000 && kept <= p->len + p->len / 8 + 64 &&
	              !memcmp(p->body, "<li>line 0", 10),
	      "its page keeps %zu bytes for %zu", kept, p ? p->len : 0);
	page_unref(p);
}

static void test_cache(void)
{
	struct pagecache *pc = pagecache_new(64 * 1024);
	struct page *a = make_page("page a");
	pagecache_put(pc, "a", 1, 7, a);
	struct page *got = pagecache_get(pc, "a", 1, 7);
	CHECK(got == a && a->refs == 3, "a page put is found, with a reference for the caller");
	page_unref(got);
	CHECK(pagecache_get(pc, "a", 1, 8) == NULL, "another index version does not see it");
	CHECK(pagecache_get(pc, "a", 1, 7) == NULL && a->refs == 1,
	      "and it is dropped from the cache");
	page_unref(a);
	/* Fill beyond the size: the oldest go, pages in use stay alive. */
	char body[4096];
	memset(body, 'x', sizeof body - 1);
	body[sizeof body - 1] = '\0';
	struct page *first = make_page(body);
	pagecache_put(pc, "k0", 2, 1, first);
	for (int i = 1; i < 100; i++) {
		char key[16];
		snprintf(key, sizeof key, "k%d", i);
		struct page *p = make_page(body);
		pagecache_put(pc, key, strlen(key), 1, p);
		page_unref(p);
	}
	CHECK(pagecache_get(pc, "k0", 2, 1) == NULL && first->refs == 1 && !first->cached,
	      "the least recently used page is evicted, a holder keeps it alive");
	page_unref(first);
	struct page *last = pagecache_get(pc, "k99", 3, 1);
	CHECK(last != NULL, "the newest page is kept");
	page_unref(last);
	struct page *same = make_page("replacement");
	pagecache_put(pc, "k99", 3, 2, same);
	last = pagecache_get(pc, "k99", 3, 2);
	CHECK(last == same, "a page put again replaces the old one");
	page_unref(last);
	page_unref(same);
	struct page *huge = make_page(body);
	struct pagecache *small = pagecache_new(8 * 1024);
	pagecache_put(small, "h", 1, 1, huge);
	CHECK(pagecache_get(small, "h", 1, 1) == NULL && huge->refs == 1,
	      "a page bigger than an eighth of the cache is not kept");
	page_unref(huge);
	pagecache_free(small);
	pagecache_free(pc);
}

static void test_reason(void)
{
	CHECK_STR(http_reason(404), "Not Found", "reason of 404");
	CHECK_STR(http_reason(431), "Request Header Fields Too Large", "reason of 431");
	CHECK_STR(http_reason(599), "Internal Server Error", "reason of an unknown 5xx");
}

static void test_forwarded(void)
{
	struct http_trust t;
	CHECK(http_trust_parse("127.0.0.1, 10.0.0.0/8,::1,2001:db8::/32", &t) && t.n == 4,
	      "trust list parses");
	static const char *const bad[] = {"10.0.0.0/33", "::1/129", "x", "10.0.0.0/", "1.2.3.4/a"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct http_trust b;
		CHECK(!http_trust_parse(bad[i], &b), "trust list %s is refused", bad[i]);
	}
	static const struct {
		const char *peer, *xff, *fwd, *want;
	} cases[] = {
		{"127.0.0.1", "203.0.113.5", NULL, "203.0.113.5"},
		{"127.0.0.1", "198.51.100.9, 10.1.2.3", NULL, "198.51.100.9"},
		{"127.0.0.1", "1.1.1.1, 198.51.100.9, 10.1.2.3", NULL, "198.51.100.9"},
		{"127.0.0.1", "10.0.0.1, 10.0.0.2", NULL, "10.0.0.1"},
		{"127.0.0.1", "unknown, 203.0.113.5", NULL, "203.0.113.5"},
		{"127.0.0.1", "203.0.113.5, unknown", NULL, "127.0.0.1"},
		{"127.0.0.1", "", NULL, "127.0.0.1"},
		{"127.0.0.1", NULL, NULL, "127.0.0.1"},
		{"127.0.0.1", "203.0.113.5:8080", NULL, "203.0.113.5"},
		{"127.0.0.1", "[2001:db9::7]:1", NULL, "2001:db9::7"},
		{"192.0.2.1", "203.0.113.5", NULL, "192.0.2.1"},
		{"127.0.0.1", "203.0.113.5", "for=192.0.2.60;proto=http", "192.0.2.60"},
		{"127.0.0.1", NULL, "for=\"[2001:db9::1]:4711\", for=10.0.0.3", "2001:db9::1"},
		{"127.0.0.1", NULL, "For=_hidden", "127.0.0.1"},
		{"127.0.0.1", NULL, "proto=https", "127.0.0.1"},
		{"::1", "203.0.113.7", NULL, "203.0.113.7"},
		{"::ffff:127.0.0.1", "203.0.113.8", NULL, "203.0.113.8"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct sockaddr_storage peer = {0}, out;
		struct sockaddr_in *v4 = (struct sockaddr_in *)&peer;
		struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&peer;
		socklen_t pl;
		if (inet_pton(AF_INET, cases[i].peer, &v4->sin_addr) == 1) {
			v4->sin_family = AF_INET;
			pl = sizeof *v4;
		} else {
			inet_pton(AF_INET6, cases[i].peer, &v6->sin6_addr);
			v6->sin6_family = AF_INET6;
			pl = sizeof *v6;
		}
		const char *x = cases[i].xff, *f = cases[i].fwd;
		http_client_addr(&t, (struct sockaddr *)&peer, pl, x, x ? strlen(x) : 0, f,
		                 f ? strlen(f) : 0, &out);
		char got[INET6_ADDRSTRLEN] = "?";
		if (out.ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)&out)->sin_addr, got,
			          sizeof got);
		else
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&out)->sin6_addr, got,
			          sizeof got);
		if (strcmp(cases[i].peer, "::ffff:127.0.0.1") == 0 && !strcmp(got, cases[i].peer))
			snprintf(got, sizeof got, "%s", cases[i].peer);
		CHECK_STR(got, cases[i].want, "client from %s, X-Forwarded-For %s, Forwarded %s",
		          cases[i].peer, x ? x : "-", f ? f : "-");
	}
}

int main(void)
{
	test_forwarded();
	test_gzip_accepted();
	test_etag();
	test_dates();
	test_log_escape();
	test_base_path();
	test_page_gzip();
	test_page_fit();
	test_cache();
	test_reason();
	return check_status();
}
