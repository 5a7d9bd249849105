/* test_route.c: the URL grammar, one line per case. */
#include "../../tests/check.h"
#include "http/route.h"

static const struct {
	const char *path;
	enum route_kind kind;
	const char *redirect;
} cases[] = {
	{"/", R_INDEX, NULL},
	{"/?q=x", R_INDEX, NULL},
	{"/robots.txt", R_ROBOTS, NULL},
	{"/favicon.ico", R_FAVICON, NULL},
	{"/healthz", R_HEALTHZ, NULL},
	{"/linux-kernel/", R_LIST, NULL},
	{"/linux-kernel", R_REDIRECT, "/linux-kernel/"},
	{"/linux-kernel/2019/", R_YEAR, NULL},
	{"/linux-kernel/2019", R_REDIRECT, "/linux-kernel/2019/"},
	{"/linux-kernel/2019/05/", R_MONTH, NULL},
	{"/linux-kernel/2019/05/20/", R_DAY, NULL},
	{"/linux-kernel/2019/05/20", R_REDIRECT, "/linux-kernel/2019/05/20/"},
	{"/linux-kernel/2019/05/20/4", R_MSG, NULL},
	{"/linux-kernel/2019/05/20/4/", R_REDIRECT, "/linux-kernel/2019/05/20/4"},
	{"/linux-kernel/2019/05/20/4/2", R_ATTACH, NULL},
	{"/linux-kernel/2019/05/20/4/2/", R_ATTACH_PAGE, NULL},
	{"/linux-kernel/2019/05/20/4/raw/", R_NOTFOUND, NULL},
	{"/_/prefs", R_PREFS, NULL},
	{"/_/prefs?tz=Europe%2FParis", R_PREFS, NULL},
	{"/_/prefs/", R_NOTFOUND, NULL},
	{"/linux-kernel/2019/05/20/4/raw", R_RAW, NULL},
	{"/linux-kernel/2019/05/20/04", R_NOTFOUND, NULL},
	{"/linux-kernel/2019/05/20/0", R_NOTFOUND, NULL},
	{"/linux-kernel/2019/13/20/4", R_NOTFOUND, NULL},
	{"/l/2019/13/45/999999999999", R_NOTFOUND, NULL},
	{"/linux-kernel/2019/05/32/1", R_NOTFOUND, NULL},
	{"/linux-kernel/19/05/20/1", R_NOTFOUND, NULL},
	{"/linux-kernel/2019/5/20/1", R_NOTFOUND, NULL},
	{"/linux-kernel/2019/05/20/1/99999", R_NOTFOUND, NULL},
	{"/Linux-Kernel/", R_NOTFOUND, NULL},
	{"/-x/", R_NOTFOUND, NULL},
	{"/linux%2dkernel/", R_LIST, NULL},
	{"/../etc/passwd", R_BADREQUEST, NULL},
	{"/linux-kernel/../x", R_BADREQUEST, NULL},
	{"/%2e%2e/x", R_BADREQUEST, NULL},
	{"/./", R_BADREQUEST, NULL},
	{"/a%00b/", R_BADREQUEST, NULL},
	{"/a%zz/", R_BADREQUEST, NULL},
	{"/a%4", R_BADREQUEST, NULL},
	{"relative/path", R_BADREQUEST, NULL},
	{"", R_BADREQUEST, NULL},
	{"//etc/passwd", R_NOTFOUND, NULL},
	{"/_/listarc-00000000.css", R_NOTFOUND, NULL},
	{"/_/opensearch.xml", R_OPENSEARCH, NULL},
	{"/_/opensearch.xml/", R_NOTFOUND, NULL},
	{"/linux-kernel/_/opensearch.xml", R_OPENSEARCH, NULL},
	{"/all/_/opensearch.xml", R_OPENSEARCH, NULL},
	{"/linux-kernel/_/opensearch.xml/", R_NOTFOUND, NULL},
	{"/a/b/c/d/e/f/g/h/i/j", R_NOTFOUND, NULL},
	{"/l/2019/05/?page=2", R_MONTH, NULL},
	{"/l/2019/05/20/?x=1&page=3&y", R_DAY, NULL},
	{"/l/2019/05/?page=0", R_NOTFOUND, NULL},
	{"/l/2019/05/?page=02", R_NOTFOUND, NULL},
	{"/l/2019/05/?page=x", R_NOTFOUND, NULL},
	{"/l/2019/05/?page=", R_NOTFOUND, NULL},
	{"/l/2019/05/?page=99999999", R_NOTFOUND, NULL},
	{"/l/2019/05/?pages=2", R_MONTH, NULL},
	/* By Message-ID: a segment after the list that is no year. */
	{"/l/abc@example.org/", R_MID, NULL},
	{"/l/abc@example.org", R_REDIRECT, "/l/abc@example.org/"},
	{"/l/a%2Fb@x/", R_MID, NULL},
	{"/l/a%2Fb@x", R_REDIRECT, "/l/a%2Fb@x/"},
	{"/l/a%2fb%40x", R_REDIRECT, "/l/a%2Fb@x/"},
	{"/l/a b<c>@x", R_REDIRECT, "/l/a%20b%3Cc%3E@x/"},
	{"/l/a/b@x/", R_NOTFOUND, NULL},
	{"/l/abc@example.org/raw", R_MID_RAW, NULL},
	{"/l/abc@example.org/raw/", R_NOTFOUND, NULL},
	{"/l/abc@example.org/t.mbox.gz", R_MID_MBOX, NULL},
	{"/l/abc@example.org/t.atom", R_MID_ATOM, NULL},
	/* lore's: T/ flat, t/ nested; without the slash, to the message. */
	{"/l/abc@example.org/T/", R_MID_FLAT, NULL},
	{"/l/abc@example.org/t/", R_MID_NESTED, NULL},
	{"/l/abc@example.org/t", R_REDIRECT, "/l/abc@example.org/t/#u"},
	{"/l/abc@example.org/T", R_REDIRECT, "/l/abc@example.org/T/#u"},
	{"/l/abc@example.org/T?page=2", R_REDIRECT, "/l/abc@example.org/T/?page=2#u"},
	{"/l/abc@example.org/t/?page=2", R_MID_NESTED, NULL},
	{"/l/abc@example.org/R/", R_REDIRECT, "/l/abc@example.org/#R"},
	{"/l/abc@example.org/R", R_REDIRECT, "/l/abc@example.org/#R"},
	{"/l/abc@example.org/f/", R_REDIRECT, "/l/abc@example.org/"},
	{"/l/abc@example.org/t.mbox", R_MID_MBOX_PLAIN, NULL},
	/* Parts as lore numbers them. */
	{"/l/abc@example.org/2-foo.patch", R_MID_PART, NULL},
	{"/l/abc@example.org/1.2-a.txt", R_MID_PART, NULL},
	{"/l/abc@example.org/2.1.1-x.bin", R_MID_PART, NULL},
	{"/l/abc@example.org/2-a", R_NOTFOUND, NULL},
	{"/l/abc@example.org/0-foo.patch", R_NOTFOUND, NULL},
	{"/l/abc@example.org/1..2-foo.patch", R_NOTFOUND, NULL},
	{"/l/abc@example.org/2-.foo", R_NOTFOUND, NULL},
	{"/l/abc@example.org/2-foo.patch/", R_NOTFOUND, NULL},
	/* /r/MSGID and a Message-ID alone go to its list. */
	{"/r/abc@example.org/", R_MID_RESOLVE, "/abc@example.org/"},
	{"/r/abc@example.org", R_MID_RESOLVE, "/abc@example.org/"},
	{"/r/abc@example.org/T/", R_MID_RESOLVE, "/abc@example.org/T/"},
	{"/abc@example.org/", R_MID_RESOLVE, "/abc@example.org/"},
	{"/abc@example.org/t.mbox.gz", R_MID_RESOLVE, "/abc@example.org/t.mbox.gz"},
	/* lore's other pages. */
	{"/l/new.html", R_NEW_HTML, NULL},
	{"/l/_/text/help/", R_TEXT, NULL},
	{"/l/_/text/help", R_REDIRECT, "/l/_/text/help/"},
	{"/l/_/text/help/raw", R_TEXT, NULL},
	{"/l/_/text/config/raw", R_TEXT, NULL},
	{"/l/_/text/", R_REDIRECT, "/l/_/text/help/"},
	{"/l/_/text/nope/", R_NOTFOUND, NULL},
	{"/_/text/help/", R_TEXT, NULL},
	{"/_/text/help/raw", R_TEXT, NULL},
	{"/l/abc@example.org/s/", R_MID_SERIES, NULL},
	{"/l/abc@example.org/s", R_REDIRECT, "/l/abc@example.org/s/"},
	{"/all/abc@example.org/s/", R_MID_SERIES, NULL},
	{"/l/abc@example.org/s/mbox", R_MID_SERIES_MBOX, NULL},
	{"/l/abc@example.org/s/mbox/", R_NOTFOUND, NULL},
	{"/l/abc@example.org/s/mbox.gz", R_MID_SERIES_MBOXGZ, NULL},
	/* A list's series; "series" percent-encoded is a Message-ID. */
	{"/l/series/", R_SERIES_LIST, NULL},
	{"/l/series", R_REDIRECT, "/l/series/"},
	{"/l/%73eries/", R_MID, NULL},
	{"/all/series/", R_MID, NULL},
	{"/l/abc@example.org/s/x", R_NOTFOUND, NULL},
	{"/l/abc@example.org/s/v1..v3/", R_MID_SERIES_DIFF, NULL},
	{"/l/abc@example.org/s/v1..v3", R_NOTFOUND, NULL},
	{"/l/abc@example.org/s/v0..v3/", R_NOTFOUND, NULL},
	{"/l/abc@example.org/s/v1..v/", R_NOTFOUND, NULL},
	{"/l/abc@example.org/s/v1000..v2/", R_NOTFOUND, NULL},
	{"/l/abc@example.org/x", R_NOTFOUND, NULL},
	{"/l/abc@example.org/t/x", R_NOTFOUND, NULL},
	{"/l/2019x/", R_MID, NULL},
	{"/l/%32019/", R_MID, NULL},
	{"/l/%32019", R_REDIRECT, "/l/%32019/"},
	{"/l/%32019/T", R_REDIRECT, "/l/%32019/T/#u"},
	{"/api/v1/l/%32019", R_REDIRECT, "/api/v1/l/%32019/"},
	{"/l/201/", R_MID, NULL},
	{"/l/12345/", R_MID, NULL},
	{"/l/%2e%2e/", R_BADREQUEST, NULL},
	{"/l/%2e/raw", R_BADREQUEST, NULL},
	{"/l/...@x/", R_MID, NULL},
	{"/l/a%00@x/", R_BADREQUEST, NULL},
	{"/l/new.atom", R_NEW_ATOM, NULL},
	/* A list's threads and a sender's page (render/topics.c). */
	{"/l/topics/", R_TOPICS, NULL},
	{"/l/topics/?page=2", R_TOPICS, NULL},
	{"/l/topics", R_REDIRECT, "/l/topics/"},
	{"/l/topics/new.atom", R_TOPICS_ATOM, NULL},
	{"/l/topics/x", R_NOTFOUND, NULL},
	{"/l/%74opics/", R_MID, NULL},
	{"/all/topics/", R_MID, NULL},
	{"/l/from/0123456789abcdef/", R_SENDER, NULL},
	{"/l/from/0123456789abcdef/?page=3", R_SENDER, NULL},
	{"/l/from/0123456789abcdef", R_REDIRECT, "/l/from/0123456789abcdef/"},
	{"/l/from/0123456789ABCDEF/", R_NOTFOUND, NULL},
	{"/l/from/0123456789abcde/", R_NOTFOUND, NULL},
	{"/l/from/", R_MID, NULL},
	{"/l/new.atom/", R_MID, NULL},
	/* Across lists. */
	{"/all/", R_REDIRECT, "/"},
	{"/all", R_REDIRECT, "/"},
	{"/all/new.atom", R_NEW_ATOM, NULL},
	{"/all/abc@example.org/", R_MID, NULL},
	{"/all/abc@example.org/t.mbox.gz", R_MID_MBOX, NULL},
	{"/all/abc@example.org/raw", R_MID_RAW, NULL},
	{"/all/2019/", R_NOTFOUND, NULL},
	{"/all/?q=x", R_INDEX, NULL},
	{"/all?q=x", R_REDIRECT, "/?q=x"},
	{"/api/v1/all/?q=x", R_REDIRECT, "/api/v1/?q=x"},
	{"/api/", R_REDIRECT, "/api/v1/"},
	/* The JSON API. */
	{"/api", R_REDIRECT, "/api/v1/"},
	{"/api/v1", R_REDIRECT, "/api/v1/"},
	{"/api/v1/", R_API_LISTS, NULL},
	{"/api/v2/", R_NOTFOUND, NULL},
	{"/api/v1/l/", R_API_LIST, NULL},
	{"/api/v1/l", R_REDIRECT, "/api/v1/l/"},
	{"/api/v1/l/?after=k1&limit=5&since=2019-05-01&until=2019-05-31", R_API_LIST, NULL},
	{"/api/v1/l/?since=2019-5-1", R_BADREQUEST, NULL},
	{"/api/v1/l/?until=2019-13-01", R_BADREQUEST, NULL},
	{"/api/v1/l/2019/05/20/4", R_API_MSG, NULL},
	{"/api/v1/l/2019/05/20/4/", R_REDIRECT, "/api/v1/l/2019/05/20/4"},
	{"/api/v1/l/2019/05/", R_NOTFOUND, NULL},
	{"/api/v1/l/abc@x/", R_API_MID, NULL},
	{"/api/v1/l/abc@x", R_REDIRECT, "/api/v1/l/abc@x/"},
	{"/api/v1/all/abc@x/", R_API_MID, NULL},
	{"/api/v1/l/abc@x/T/", R_API_THREAD, NULL},
	{"/api/v1/l/series/", R_API_SERIES, NULL},
	{"/api/v1/l/topics/", R_API_TOPICS, NULL},
	{"/api/v1/l/topics", R_REDIRECT, "/api/v1/l/topics/"},
	{"/api/v1/l/topics/new.atom", R_NOTFOUND, NULL},
	{"/api/v1/l/from/0123456789abcdef/", R_API_SENDER, NULL},
	{"/api/v1/l/from/0123456789abcdef/topics/", R_API_SENDER_TOPICS, NULL},
	{"/api/v1/l/from/0123456789abcdef/topics", R_REDIRECT,
         "/api/v1/l/from/0123456789abcdef/topics/"},
	{"/l/from/0123456789abcdef/topics/", R_NOTFOUND, NULL},
	{"/api/v1/l/abc@x/raw", R_NOTFOUND, NULL},
	{"/api/v1/all/", R_REDIRECT, "/api/v1/"},
	{"/api/v1/api/", R_NOTFOUND, NULL},
	{"/api/v1/a/b/c/d/e/f/g/h", R_NOTFOUND, NULL},
	{"/api/l/", R_NOTFOUND, NULL},
	{"/apis/", R_LIST, NULL},
	{"/l/2019/05?page=3", R_REDIRECT, "/l/2019/05/?page=3"},
	{"/l/2019/05/20?x=y&page=2", R_REDIRECT, "/l/2019/05/20/?x=y&page=2"},
	{"/l/2019/05/20?z=y&page=2", R_REDIRECT, "/l/2019/05/20/?page=2"},
	{"/l?q=a%20b+c&o=relevance", R_REDIRECT, "/l/?q=a%20b%20c&o=relevance"},
	{"/l?q=%2Fx&x=m&t=1", R_REDIRECT, "/l/?q=%2Fx&x=m&t=1"},
	{"/api/v1/l?limit=5&after=k1&since=2019-05-01&until=2019-05-31", R_REDIRECT,
         "/api/v1/l/?after=k1&limit=5&since=2019-05-01&until=2019-05-31"},
	{"/l/2019/05?page=1", R_REDIRECT, "/l/2019/05/"},
};

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct route rt;
		enum route_kind k = route_parse(cases[i].path, strlen(cases[i].path), &rt);
		CHECK(k == cases[i].kind, "route \"%s\" -> %d (got %d)", cases[i].path,
		      cases[i].kind, k);
		if (cases[i].redirect)
			CHECK_STR(rt.redirect, cases[i].redirect, "redirect of \"%s\"",
			          cases[i].path);
	}
	struct route rt;
	route_parse("/l/2019/05/20/4", 15, &rt);
	CHECK(!strcmp(rt.list, "l") && rt.y == 2019 && rt.m == 5 && rt.d == 20 && rt.n == 4,
	      "message route fields");
	route_parse("/l/2019/05/?page=12", 19, &rt);
	CHECK(rt.kind == R_MONTH && rt.page == 12, "page=12 of a month");
	route_parse("/l/2019/05/", 11, &rt);
	CHECK(rt.page == 1, "no page= is page 1");
	/* Cache keys: the same page, the same key; another page, another. */
	static const char *const same[][2] = {
		{"/", "/?utm=1"},
		{"/l/2019/05/", "/l/2019/05/?page=1"},
		{"/l/2019/05/20/4", "/l/2019/05/20/4?x"},
		{"/?q=a+b", "/?q=a%20b"},
	};
	static const char *const differ[][2] = {
		{"/", "/?q=x"},
		{"/l/", "/l/?q=x"},
		{"/l/2019/05/", "/l/2019/05/?page=2"},
		{"/?q=x&o=new", "/?q=x&o=old"},
		{"/?q=a%7C1", "/?q=a&o=1"},
		{"/l/2019/05/20/4/1", "/l/2019/05/20/4/2"},
		{"/l/2019/05/20/4", "/l/2019/05/20/4/raw"},
	};
	char k1[URL_MAX + 256], k2[URL_MAX + 256];
	struct route r2;
	for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
		route_parse(same[i][0], strlen(same[i][0]), &rt);
		route_parse(same[i][1], strlen(same[i][1]), &r2);
		size_t a = route_key(&rt, k1, sizeof k1), b = route_key(&r2, k2, sizeof k2);
		CHECK(a && a == b && !memcmp(k1, k2, a), "%s and %s share a cache key", same[i][0],
		      same[i][1]);
	}
	for (size_t i = 0; i < sizeof differ / sizeof *differ; i++) {
		route_parse(differ[i][0], strlen(differ[i][0]), &rt);
		route_parse(differ[i][1], strlen(differ[i][1]), &r2);
		size_t a = route_key(&rt, k1, sizeof k1), b = route_key(&r2, k2, sizeof k2);
		CHECK(a && b && (a != b || memcmp(k1, k2, a)),
		      "%s and %s have different cache keys", differ[i][0], differ[i][1]);
	}
	route_parse("/linux-kernel", 13, &rt);
	CHECK(route_key(&rt, k1, sizeof k1) == 0, "a redirect is not cached");
	route_parse("/healthz", 8, &rt);
	CHECK(route_key(&rt, k1, sizeof k1) == 0, "healthz is not cached");
	char big[URL_MAX + 10];
	memset(big, 'a', sizeof big);
	big[0] = '/';
	CHECK(route_parse(big, sizeof big, &rt) == R_TOOLONG, "an over-long path is refused");
	char css[80];
	snprintf(css, sizeof css, "/%s", render_stylesheet_path());
	CHECK(route_parse(css, strlen(css), &rt) == R_STYLE, "the versioned stylesheet path");
	/* Query strings. */
	struct route qr;
	const char *t1 = "/l/?q=f%3Aktkhai+d:2019&o=relevance&x=A&unknown=zz&limit=25";
	CHECK(route_parse(t1, strlen(t1), &qr) == R_LIST && qr.query.has_q &&
	              !strcmp(qr.query.q, "f:ktkhai d:2019") && !strcmp(qr.query.o, "relevance") &&
	              !strcmp(qr.query.x, "A") && qr.query.limit == 25,
	      "q, o, x and limit are decoded; unknown parameters ignored");
	static const char *const badq[] = {"/?q=%zz", "/?q=a%00b", "/?q=%C3",
	                                   "/?q=%0a", "/?limit=x", "/?o=waytoolongforthefield"};
	for (size_t i = 0; i < sizeof badq / sizeof *badq; i++)
		CHECK(route_parse(badq[i], strlen(badq[i]), &qr) == R_BADREQUEST,
		      "%s is a bad request", badq[i]);
	CHECK(route_parse("/?q=", 4, &qr) == R_INDEX && qr.query.has_q && qr.query.q[0] == '\0',
	      "an empty q= is there and empty");
	/* Message-IDs: decoded segment by segment. */
	const char *m1 = "/linux-kernel/a%2Fb%25c@x.org/t.mbox.gz";
	CHECK(route_parse(m1, strlen(m1), &rt) == R_MID_MBOX && !strcmp(rt.msgid, "a/b%c@x.org") &&
	              !strcmp(rt.list, "linux-kernel") && !rt.all,
	      "an encoded '/' stays in the Message-ID");
	const char *m3 = "/l/%22a%20b%22@x/";
	CHECK(route_parse(m3, strlen(m3), &rt) == R_MID && !strcmp(rt.msgid, "\"ab\"@x"),
	      "whitespace in a Message-ID is dropped, as the indexer drops it");
	const char *m2 = "/all/x@y/";
	CHECK(route_parse(m2, strlen(m2), &rt) == R_MID && rt.all && !strcmp(rt.msgid, "x@y"),
	      "/all/ is every list");
	CHECK(route_parse("/l/x@y", 6, &rt) == R_REDIRECT && rt.redirect_absolute,
	      "/LIST/MSGID redirects with an absolute URL (for b4)");
	CHECK(route_parse("/l/2019", 7, &rt) == R_REDIRECT && !rt.redirect_absolute,
	      "other redirects stay paths");
	const char *q2 = "/api/v1/l/?since=2019-05-01&until=2019-05-31&after=k3b&limit=7";
	CHECK(route_parse(q2, strlen(q2), &rt) == R_API_LIST && rt.query.since == 20190501 &&
	              rt.query.until == 20190531 && !strcmp(rt.query.after, "k3b") &&
	              rt.query.limit == 7,
	      "since, until, after and limit");
	const char *lei = "/l/?x=m&t=1&q=s%3Afoo";
	CHECK(route_parse(lei, strlen(lei), &rt) == R_LIST && rt.query.threads &&
	              !strcmp(rt.query.x, "m") && !strcmp(rt.query.q, "s:foo") &&
	              route_takes_post(&rt),
	      "lei's x=m&t=1: a list's search mbox of whole threads, which takes POST");
	CHECK(route_parse("/all/?q=a&x=m", 13, &rt) == R_INDEX && route_takes_post(&rt),
	      "/all/?q=&x=m takes POST too");
	const char *tm = "/l/x@y/?x=m&q=d%3A2019..";
	CHECK(route_parse(tm, strlen(tm), &rt) == R_MID && !strcmp(rt.msgid, "x@y") &&
	              !strcmp(rt.query.q, "d:2019..") && route_takes_post(&rt),
	      "a search in a thread (/LIST/MSGID/?x=m&q=) takes POST");
	CHECK(route_parse("/l/x@y/?q=a", 11, &rt) == R_MID && !route_takes_post(&rt),
	      "...a message page with a q= does not");
	CHECK(route_parse("/l/?q=a&r", 9, &rt) == R_LIST && !strcmp(rt.query.o, "relevance"),
	      "lore's &r is o=relevance");
	CHECK(route_parse("/l/?q=a&r=0", 11, &rt) == R_LIST && !rt.query.o[0], "...&r=0 is not");
	CHECK(route_parse("/l/?q=a&t=0", 11, &rt) == R_LIST && !rt.query.threads &&
	              !route_takes_post(&rt),
	      "t=0, and a results page takes no POST");
	CHECK(route_parse("/l/?q=a&t=2", 11, &rt) == R_BADREQUEST, "t=2 is malformed");
	CHECK(route_parse("/l/2019/05/20/1?q=a&x=m", 23, &rt) == R_MSG && !route_takes_post(&rt),
	      "a message page takes no POST, whatever its query");
	CHECK(route_parse("/api/v1/l/?limit=x", 18, &rt) == R_BADREQUEST && rt.api,
	      "a malformed query under /api/ is the API's");
	CHECK(route_parse("/apis/?limit=x", 14, &rt) == R_BADREQUEST && !rt.api,
	      "...not under /apis/");
	CHECK(conf_reserved_listname("all", 3) && conf_reserved_listname("api", 3) &&
	              !conf_reserved_listname("alls", 4) && !conf_reserved_listname("al", 2),
	      "all and api are reserved");
	/* A long Message-ID whose redirect is three times its bytes. */
	char longmid[URL_MAX];
	int k = snprintf(longmid, sizeof longmid, "/l/");
	while (k < URL_MAX - 2)
		longmid[k++] = '<';
	CHECK(route_parse(longmid, (size_t)k, &rt) == R_REDIRECT &&
	              strlen(rt.redirect) > 3 * (size_t)(k - 3),
	      "a redirect may be three times the path");
	return check_status();
}
