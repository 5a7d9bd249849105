/* route.c: URL grammar and dispatch to the renderers. */
#include "http/route.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "conf/conf.h"
#include "util/hash.h"
#include "util/utf8.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes p[0..n) into out (capacity URL_MAX+1).  Returns the
 * decoded length, or -1 if the encoding is broken or decodes to a control
 * character (NUL included). */
static long decode_path(const char *p, size_t n, char *out)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '%') {
			if (i + 2 >= n)
				return -1;
			int hi = hexval(p[i + 1]), lo = hexval(p[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
		}
		if (c < 0x20 || c == 0x7f)
			return -1;
		out[k++] = (char)c;
	}
	out[k] = '\0';
	return (long)k;
}

/* Exactly `digits` digits (0 = 1..9 digits, no leading zero) as a number. */
static bool number(const char *s, size_t n, size_t digits, int *out)
{
	if (digits ? n != digits : (n == 0 || n > 9 || s[0] == '0'))
		return false;
	long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = (int)v;
	return true;
}

static enum route_kind redirect(struct route *rt, const char *path, size_t n, bool add_slash)
{
	rt->kind = R_REDIRECT;
	size_t k = n < URL_MAX ? n : URL_MAX;
	if (!add_slash && k > 0)
		k--; /* drop the trailing slash */
	memcpy(rt->redirect, path, k);
	if (add_slash)
		rt->redirect[k++] = '/';
	rt->redirect[k] = '\0';
	/* A month or day asked for without its slash keeps its page. */
	if (add_slash && rt->page > 1 && k + 20 < sizeof rt->redirect)
		snprintf(rt->redirect + k, sizeof rt->redirect - k, "?page=%d", rt->page);
	return R_REDIRECT;
}

/* Percent-decodes a query value p[0..n) into out (cap bytes with NUL),
 * '+' as a space.  False if the encoding is broken, the value is too long,
 * or it decodes to a control character or invalid UTF-8. */
static bool decode_value(const char *p, size_t n, char *out, size_t cap)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (i + 2 >= n)
				return false;
			int hi = hexval(p[i + 1]), lo = hexval(p[i + 2]);
			if (hi < 0 || lo < 0)
				return false;
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f || k + 1 >= cap)
			return false;
		out[k++] = (char)c;
	}
	out[k] = '\0';
	return utf8_valid(out, k);
}

/* The query string (without its '?') into rt->query.  Returns false with
 * *bad = R_NOTFOUND for a bad page number, R_BADREQUEST for a bad value. */
static bool parse_query(const char *q, size_t n, struct route *rt, enum route_kind *bad)
{
	struct route_query *x = &rt->query;
	while (n > 0) {
		const char *amp = memchr(q, '&', n);
		size_t l = amp ? (size_t)(amp - q) : n;
		const char *eq = memchr(q, '=', l);
		size_t kl = eq ? (size_t)(eq - q) : l;
		const char *v = eq ? eq + 1 : q + l;
		size_t vl = eq ? l - kl - 1 : 0;
#define KEY(lit) (kl == sizeof lit - 1 && !memcmp(q, lit, kl))
		if (KEY("page")) {
			if (vl > PAGE_DIGITS_MAX || !number(v, vl, 0, &x->page))
				return *bad = R_NOTFOUND, false;
		} else if (KEY("limit")) {
			if (vl > 6 || !number(v, vl, 0, &x->limit))
				return *bad = R_BADREQUEST, false;
		} else if (KEY("q")) {
			if (!decode_value(v, vl, x->q, sizeof x->q))
				return *bad = R_BADREQUEST, false;
			x->has_q = true;
		} else if (KEY("o")) {
			if (!decode_value(v, vl, x->o, sizeof x->o))
				return *bad = R_BADREQUEST, false;
		} else if (KEY("x")) {
			if (!decode_value(v, vl, x->x, sizeof x->x))
				return *bad = R_BADREQUEST, false;
		} else if (KEY("after")) {
			if (!decode_value(v, vl, x->after, sizeof x->after))
				return *bad = R_BADREQUEST, false;
		}
#undef KEY
		if (!amp)
			break;
		n -= l + 1;
		q = amp + 1;
	}
	return true;
}

enum route_kind route_parse(const char *raw, size_t rawn, struct route *rt)
{
	memset(rt, 0, sizeof *rt);
	rt->query.page = 1;
	const char *q = memchr(raw, '?', rawn);
	size_t n = q ? (size_t)(q - raw) : rawn;
	if (n > URL_MAX || rawn > URL_MAX * 2)
		return rt->kind = R_TOOLONG;
	enum route_kind bad;
	if (q && !parse_query(q + 1, rawn - n - 1, rt, &bad))
		return rt->kind = bad;
	rt->page = rt->query.page;
	char path[URL_MAX + 1];
	long dl = decode_path(raw, n, path);
	if (dl < 0 || dl == 0 || path[0] != '/')
		return rt->kind = R_BADREQUEST;
	n = (size_t)dl;

	/* Split into segments; "." and ".." are never valid. */
	const char *seg[8];
	size_t len[8];
	size_t nseg = 0;
	bool trailing = path[n - 1] == '/';
	const char *p = path + 1, *end = path + n;
	while (p < end) {
		const char *s = memchr(p, '/', (size_t)(end - p));
		size_t l = s ? (size_t)(s - p) : (size_t)(end - p);
		if ((l == 1 && p[0] == '.') || (l == 2 && p[0] == '.' && p[1] == '.'))
			return rt->kind = R_BADREQUEST;
		if (l == 0) /* "//" */
			return rt->kind = R_NOTFOUND;
		if (nseg == 8)
			return rt->kind = R_NOTFOUND;
		seg[nseg] = p;
		len[nseg++] = l;
		p = s ? s + 1 : end;
	}
	if (nseg == 0)
		return rt->kind = R_INDEX;
	if (nseg == 1 && !trailing) {
		if (len[0] == 10 && !memcmp(seg[0], "robots.txt", 10))
			return rt->kind = R_ROBOTS;
		if (len[0] == 11 && !memcmp(seg[0], "favicon.ico", 11))
			return rt->kind = R_FAVICON;
		if (len[0] == 7 && !memcmp(seg[0], "healthz", 7))
			return rt->kind = R_HEALTHZ;
	}
	if (nseg == 2 && !trailing && len[0] == 1 && seg[0][0] == '_') {
		if (len[1] == 11 && !memcmp(seg[1], "search-help", 11))
			return rt->kind = R_SEARCH_HELP;
		const char *want = render_stylesheet_path() + 2;
		if (len[1] == strlen(want) && !memcmp(seg[1], want, len[1]))
			return rt->kind = R_STYLE;
		return rt->kind = R_NOTFOUND;
	}
	if (!conf_valid_listname(seg[0], len[0]))
		return rt->kind = R_NOTFOUND;
	memcpy(rt->list, seg[0], len[0]);
	rt->list[len[0]] = '\0';
	if (nseg == 1)
		return trailing ? (rt->kind = R_LIST) : redirect(rt, path, n, true);
	if (!number(seg[1], len[1], 4, &rt->y))
		return rt->kind = R_NOTFOUND;
	if (nseg == 2)
		return trailing ? (rt->kind = R_YEAR) : redirect(rt, path, n, true);
	if (!number(seg[2], len[2], 2, &rt->m) || rt->m < 1 || rt->m > 12)
		return rt->kind = R_NOTFOUND;
	if (nseg == 3)
		return trailing ? (rt->kind = R_MONTH) : redirect(rt, path, n, true);
	if (!number(seg[3], len[3], 2, &rt->d) || rt->d < 1 || rt->d > 31)
		return rt->kind = R_NOTFOUND;
	if (nseg == 4)
		return trailing ? (rt->kind = R_DAY) : redirect(rt, path, n, true);
	if (!number(seg[4], len[4], 0, &rt->n))
		return rt->kind = R_NOTFOUND;
	if (nseg == 5)
		return trailing ? redirect(rt, path, n, false) : (rt->kind = R_MSG);
	if (nseg == 6 && !trailing) {
		if (len[5] == 3 && !memcmp(seg[5], "raw", 3))
			return rt->kind = R_RAW;
		if (len[5] <= 4 && number(seg[5], len[5], 0, &rt->k))
			return rt->kind = R_ATTACH;
	}
	return rt->kind = R_NOTFOUND;
}

size_t route_key(const struct route *rt, char *out, size_t n)
{
	switch (rt->kind) {
	case R_NOTFOUND:
	case R_BADREQUEST:
	case R_TOOLONG:
	case R_REDIRECT:
	case R_STYLE:
	case R_ROBOTS:
	case R_FAVICON:
	case R_HEALTHZ:
		return 0;
	default:
		break;
	}
	const struct route_query *q = &rt->query;
	/* Strings with their lengths, so that no value can pass for another. */
	int k = snprintf(out, n, "%d|%zu:%s|%d|%d|%d|%d|%d|%d|%d|%d|%zu:%s|%zu:%s|%zu:%s|%zu:%s",
	                 (int)rt->kind, strlen(rt->list), rt->list, rt->y, rt->m, rt->d, rt->n,
	                 rt->k, rt->page, q->has_q, q->limit, strlen(q->q), q->q, strlen(q->o), q->o,
	                 strlen(q->x), q->x, strlen(q->after), q->after);
	return k > 0 && (size_t)k < n ? (size_t)k : 0;
}

static void plain(struct response *r, int status, const char *text, int max_age)
{
	buf_reset(&r->body);
	buf_adds(&r->body, text);
	r->status = status;
	r->content_type = "text/plain; charset=utf-8";
	r->max_age = max_age;
}

enum la_status route_handle(const struct render_ctx *c, const char *path, size_t n,
                            struct response *r)
{
	struct route rt;
	enum la_status e = LA_OK;
	int day = 0;
	switch (route_parse(path, n, &rt)) {
	case R_NOTFOUND:
		render_error(c, r, 404, "There is no such page in this archive.");
		break;
	case R_BADREQUEST:
		render_error(c, r, 400, "The address of this request is malformed.");
		break;
	case R_TOOLONG:
		render_error(c, r, 414, "The address of this request is too long.");
		break;
	case R_REDIRECT:
		buf_reset(&r->body);
		r->status = 301;
		r->max_age = 86400;
		snprintf(r->location, sizeof r->location, "%s%s", c->base, rt.redirect + 1);
		r->content_type = "text/plain; charset=utf-8";
		buf_printf(&r->body, "Moved to %s\n", r->location);
		break;
	case R_SEARCH_HELP:
		e = render_search_help(c, r);
		break;
	case R_INDEX:
		if (rt.query.has_q)
			e = render_search(c, NULL, rt.query.q, rt.query.o, rt.query.page, r);
		else
			e = render_index(c, r);
		break;
	case R_STYLE:
		render_stylesheet(r);
		break;
	case R_ROBOTS:
		plain(r, 200, "User-agent: *\nCrawl-delay: 1\nAllow: /\n", 86400);
		break;
	case R_FAVICON:
		plain(r, 204, "", 86400);
		r->content_type = NULL;
		break;
	case R_HEALTHZ: {
		int64_t id;
		e = store_list_id(c->st, "", &id);
		if (e == LA_ENOTFOUND)
			e = LA_OK;
		plain(r, e ? 503 : 200, e ? "index unreadable\n" : "ok\n", 0);
		e = LA_OK;
		break;
	}
	case R_LIST:
		if (rt.query.has_q)
			e = render_search(c, rt.list, rt.query.q, rt.query.o, rt.query.page, r);
		else
			e = render_list(c, rt.list, r);
		break;
	case R_YEAR:
		e = render_year(c, rt.list, rt.y, r);
		break;
	case R_MONTH:
		e = render_month(c, rt.list, rt.y, rt.m, rt.page, r);
		break;
	case R_DAY:
		e = render_day(c, rt.list, rt.y, rt.m, rt.d, rt.page, r);
		break;
	case R_MSG:
	case R_ATTACH:
	case R_RAW:
		day = rt.y * 10000 + rt.m * 100 + rt.d;
		if (rt.kind == R_MSG)
			e = render_message(c, rt.list, day, rt.n, r);
		else if (rt.kind == R_RAW)
			e = render_raw(c, rt.list, day, rt.n, r);
		else
			e = render_attachment(c, rt.list, day, rt.n, rt.k, r);
		break;
	}
	/* A strong validator of exactly what is sent (a streamed body has
	 * its own, set by its renderer). */
	if (r->status == 200 && !r->body.err && !r->stream.next && !r->etag[0])
		snprintf(r->etag, sizeof r->etag, "\"%016llx\"",
		         (unsigned long long)hash64(r->body.data ? r->body.data : "", r->body.len, 7));
	return e;
}
