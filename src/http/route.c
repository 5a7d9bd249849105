/* route.c: URL grammar and dispatch to the renderers. */
#include "http/route.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "conf/conf.h"
#include "msg/msg.h"
#include "render/html.h"
#include "util/hash.h"
#include "util/utf8.h"
#include "util/civil.h"
#include "util/hex.h"

/* Percent-decodes the path segment p[0..n) into out (capacity n+1).
 * Returns the decoded length, or -1 if the encoding is broken or decodes
 * to a control character (NUL included). */
static long decode_segment(const char *p, size_t n, char *out)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '%') {
			if (i + 2 >= n)
				return -1;
			int hi = hex_value(p[i + 1]), lo = hex_value(p[i + 2]);
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
			int hi = hex_value(p[i + 1]), lo = hex_value(p[i + 2]);
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
			x->page_given = true;
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
		} else if (KEY("r")) {
			/* lore's "&r" (or r=1): by relevance, as o=relevance. */
			if (!(vl == 1 && v[0] == '0') && !x->o[0])
				strcpy(x->o, "relevance");
		} else if (KEY("x")) {
			if (!decode_value(v, vl, x->x, sizeof x->x))
				return *bad = R_BADREQUEST, false;
		} else if (KEY("since") || KEY("until")) {
			int y, m, d;
			if (vl != 10 || v[4] != '-' || v[7] != '-' || !number(v, 4, 4, &y) ||
			    !number(v + 5, 2, 2, &m) || !number(v + 8, 2, 2, &d) || m < 1 ||
			    m > 12 || d < 1 || d > 31)
				return *bad = R_BADREQUEST, false;
			*(q[0] == 's' ? &x->since : &x->until) = y * 10000 + m * 100 + d;
		} else if (KEY("t")) {
			/* t=1: whole threads (lei's x=m&t=1). */
			if (vl > 1 || (vl == 1 && v[0] != '0' && v[0] != '1'))
				return *bad = R_BADREQUEST, false;
			x->threads = vl == 1 && v[0] == '1';
		} else if (KEY("tz")) {
			if (!decode_value(v, vl, x->tz, sizeof x->tz))
				return *bad = R_BADREQUEST, false;
			x->tz_given = true;
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

/* The path's segments, each percent-decoded on its own (SEG_MAX at
 * most: limits.h). */
struct segs {
	const char *s[SEG_MAX];
	size_t n[SEG_MAX];
	const char *raw[SEG_MAX]; /* as sent: a year is four digits as sent */
	size_t rawn[SEG_MAX];
	size_t count;
	bool trailing; /* the path ends in '/' */
	char text[URL_MAX + SEG_MAX];
};

static bool seg_is(const struct segs *g, size_t i, const char *lit)
{
	return i < g->count && g->n[i] == strlen(lit) && memcmp(g->s[i], lit, g->n[i]) == 0;
}

/* Appends the query of rt as the router reads it: each parameter it
 * knows, once, in one order, percent-encoded again (page only past the
 * first).  A search asked for without its slash keeps its query. */
static void canonical_query(struct buf *b, const struct route *rt)
{
	const struct route_query *q = &rt->query;
	char sep = '?', num[16];
#define PARAM(name, val)                                 \
	do {                                             \
		buf_addc(b, sep);                        \
		sep = '&';                               \
		buf_adds(b, name "=");                   \
		url_encode(b, (val), strlen(val), NULL); \
	} while (0)
	if (q->has_q)
		PARAM("q", q->q);
	if (q->o[0])
		PARAM("o", q->o);
	if (q->x[0])
		PARAM("x", q->x);
	if (q->threads)
		PARAM("t", "1");
	if (q->after[0])
		PARAM("after", q->after);
	if (q->limit) {
		snprintf(num, sizeof num, "%d", q->limit);
		PARAM("limit", num);
	}
	if (q->since) {
		civil_daykey_format(q->since, '-', num);
		PARAM("since", num);
	}
	if (q->until) {
		civil_daykey_format(q->until, '-', num);
		PARAM("until", num);
	}
	if (rt->page > 1) {
		snprintf(num, sizeof num, "%d", rt->page);
		PARAM("page", num);
	}
#undef PARAM
}

/* Sets rt to a redirect to prefix and segments [from, upto) of g (each
 * percent-encoded again), with a trailing slash if slash, then more (a
 * path of ours, "" for none), the query, and "#" fragment if fragment is
 * not NULL.  A target too long for rt->redirect is R_TOOLONG. */
static enum route_kind redirect_more(struct route *rt, const char *prefix, const struct segs *g,
                                     size_t from, size_t upto, bool slash, const char *more,
                                     const char *fragment)
{
	struct buf b;
	buf_init(&b, sizeof rt->redirect - 1);
	buf_adds(&b, prefix);
	for (size_t i = from; i < upto; i++) {
		buf_addc(&b, '/');
		/* The segment after the list of a Message-ID form. */
		if (i == from + 1 && rt->msgid[0])
			render_msgid_segment(&b, g->s[i], g->n[i]);
		else
			render_path_segment(&b, g->s[i], g->n[i]);
	}
	if (slash || b.len == 0)
		buf_addc(&b, '/');
	buf_adds(&b, more);
	canonical_query(&b, rt);
	if (fragment) {
		buf_addc(&b, '#');
		buf_adds(&b, fragment);
	}
	if (b.err) {
		buf_free(&b);
		return rt->kind = R_TOOLONG;
	}
	memcpy(rt->redirect, b.data, b.len);
	rt->redirect[b.len] = '\0';
	buf_free(&b);
	return rt->kind = R_REDIRECT;
}

static enum route_kind redirect_to(struct route *rt, const char *prefix, const struct segs *g,
                                   size_t from, size_t upto, bool slash)
{
	return redirect_more(rt, prefix, g, from, upto, slash, "", NULL);
}

/* lore's part index, "2" or "1.2.1", then '-' and a file name as lore
 * writes them ([A-Za-z0-9][A-Za-z0-9_.-]+[A-Za-z0-9]): the index into
 * rt->part.  False if s[0..n) is not of that form. */
static bool part_segment(const char *s, size_t n, struct route *rt)
{
	const char *dash = memchr(s, '-', n);
	if (!dash)
		return false;
	size_t il = (size_t)(dash - s), fl = n - il - 1;
	if (il == 0 || il >= sizeof rt->part || fl < 3)
		return false;
	size_t digits = 0, parts = 1;
	for (size_t i = 0; i < il; i++) {
		if (s[i] == '.') {
			if (digits == 0 || ++parts > MIME_DEPTH_MAX + 1)
				return false;
			digits = 0;
		} else if (s[i] >= '0' && s[i] <= '9' && digits < 4 &&
		           !(digits == 0 && s[i] == '0')) {
			digits++;
		} else {
			return false;
		}
	}
	if (digits == 0)
		return false;
	const char *f = dash + 1;
	for (size_t i = 0; i < fl; i++) {
		char c = f[i];
		bool alnum =
			(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && ((i == 0 || i == fl - 1) || (c != '_' && c != '-' && c != '.')))
			return false;
	}
	memcpy(rt->part, s, il);
	rt->part[il] = '\0';
	return true;
}

/* lore's text pages, segments [at, count) of g from "text" on:
 * text/KEY/ (KEY help or config), text/KEY/raw; text, text/ and a KEY
 * without its slash redirect.  prefix: the path up to "/_". */
static enum route_kind parse_text(struct route *rt, const struct segs *g, size_t at,
                                  const char *prefix)
{
	size_t nseg = g->count - at;
	char base[LISTNAME_MAX + 16];
	snprintf(base, sizeof base, "%s/_/text", prefix);
	if (nseg == 1)
		return redirect_more(rt, base, g, 0, 0, false, "/help/", NULL);
	bool help = seg_is(g, at + 1, "help"), config = seg_is(g, at + 1, "config");
	bool mirror = seg_is(g, at + 1, "mirror") && prefix[0]; /* a list's only */
	if (!help && !config && !mirror)
		return rt->kind = R_NOTFOUND;
	strcpy(rt->text, help ? "help" : config ? "config" : "mirror");
	if (nseg == 2) {
		if (g->trailing)
			return rt->kind = R_TEXT;
		return redirect_more(rt, base, g, at + 1, at + 2, true, "", NULL);
	}
	if (nseg == 3 && !g->trailing && seg_is(g, at + 2, "raw")) {
		rt->text_raw = true;
		return rt->kind = R_TEXT;
	}
	return rt->kind = R_NOTFOUND;
}

/* rt->msgid from the path segment s[0..n): the ID as the index keeps it
 * (a header's "<sp ace@x>" is "space@x", an ID over MSGID_MAX bytes is
 * its hash), or the segment as it is when it is no ID; false if it is
 * "." or ".." once its spaces are gone (" .." is no file's name to the
 * router, but it must be no Message-ID either). */
static bool set_msgid(struct route *rt, const char *s, size_t n)
{
	char key[MSGID_MAX + 1];
	if (msgid_from_text(s, n, key)) {
		strcpy(rt->msgid, key);
	} else {
		memcpy(rt->msgid, s, n);
		rt->msgid[n] = '\0';
	}
	return strcmp(rt->msgid, ".") != 0 && strcmp(rt->msgid, "..") != 0;
}

/* /r/MSGID/... and /MSGID/...: the Message-ID is segment at; what
 * follows it is kept (encoded again, with the query) in rt->redirect for
 * the handler, which puts the list that has the message before it. */
static enum route_kind parse_resolve(struct route *rt, const struct segs *g, size_t at)
{
	if (!set_msgid(rt, g->s[at], g->n[at]))
		return rt->kind = R_NOTFOUND;
	struct buf b;
	buf_init(&b, sizeof rt->redirect - 1);
	for (size_t i = at; i < g->count; i++) {
		buf_addc(&b, '/');
		if (i == at)
			render_msgid_segment(&b, g->s[i], g->n[i]);
		else
			render_path_segment(&b, g->s[i], g->n[i]);
	}
	if (g->trailing || g->count == at + 1)
		buf_addc(&b, '/');
	canonical_query(&b, rt);
	if (b.err) {
		buf_free(&b);
		return rt->kind = R_TOOLONG;
	}
	memcpy(rt->redirect, b.data, b.len);
	rt->redirect[b.len] = '\0';
	buf_free(&b);
	return rt->kind = R_MID_RESOLVE;
}

/* The segments of a site path from the list on (segments [at, count)
 * of g: seg[0] is the list), as the parsers below read them.  A redirect
 * goes to prefix + the canonical path. */
struct site_path {
	const struct segs *g;
	size_t at;
	const char *prefix;
	const char *const *seg;
	const size_t *len;
	size_t nseg;
	bool trailing;
};

/* A page whose URL ends in '/': kind with the slash, else a redirect to
 * the same path with it. */
static enum route_kind dir_page(struct route *rt, const struct site_path *p, enum route_kind kind)
{
	if (p->trailing)
		return rt->kind = kind;
	return redirect_to(rt, p->prefix, p->g, p->at, p->g->count, true);
}

/* /LIST/MSGID/s/...: the patch series page, its mbox, and vN..vM/ (what
 * changed between two versions). */
static enum route_kind parse_series(struct route *rt, const struct site_path *p)
{
	/* (Segment 3, when there are four.) */
	const char *v = p->nseg == 4 ? p->seg[3] : "";
	size_t vn = p->nseg == 4 ? p->len[3] : 0;
	if (p->nseg == 3)
		return dir_page(rt, p, R_MID_SERIES);
	if (vn == 4 && !p->trailing && !memcmp(v, "mbox", 4))
		return rt->kind = R_MID_SERIES_MBOX;
	if (vn == 7 && !p->trailing && !memcmp(v, "mbox.gz", 7))
		return rt->kind = R_MID_SERIES_MBOXGZ;
	/* vN..vM/: what changed between two versions. */
	const char *dots = NULL;
	for (size_t k = 1; vn && v[0] == 'v' && k + 3 < vn && !dots; k++)
		if (!memcmp(v + k, "..v", 3))
			dots = v + k;
	if (dots && p->trailing && number(v + 1, (size_t)(dots - v) - 1, 0, &rt->y) &&
	    number(dots + 3, vn - (size_t)(dots + 3 - v), 0, &rt->m) &&
	    rt->y <= SERIES_VERSION_MAX && rt->m <= SERIES_VERSION_MAX)
		return rt->kind = R_MID_SERIES_DIFF;
	return rt->kind = R_NOTFOUND;
}

/* /LIST/MSGID/...: the pages by Message-ID (seg[1] is not a year). */
static enum route_kind parse_msgid_path(struct route *rt, const struct site_path *p)
{
	const char *const *seg = p->seg;
	const size_t *len = p->len;
	const struct segs *g = p->g;
	size_t at = p->at;
	if (!set_msgid(rt, seg[1], len[1]))
		return rt->kind = R_NOTFOUND;
	if (p->nseg == 2) {
		if (p->trailing)
			return rt->kind = R_MID;
		/* b4 looks up MIDMASK/MSGID and takes the list's URL from
		 * where it is sent: an absolute URL, as public-inbox sends. */
		rt->redirect_absolute = true;
		return redirect_to(rt, p->prefix, g, at, g->count, true);
	}
	if (p->nseg >= 3 && len[2] == 1 && seg[2][0] == 's') /* the patch series */
		return parse_series(rt, p);
	if (p->nseg != 3)
		return rt->kind = R_NOTFOUND;
	if (len[2] == 1 && (seg[2][0] == 't' || seg[2][0] == 'T')) {
		/* lore's: T/ flat, t/ nested; without the slash, to the
		 * message the link names (#u). */
		if (!p->trailing)
			return redirect_more(rt, p->prefix, g, at, g->count, true, "", "u");
		return rt->kind = seg[2][0] == 'T' ? R_MID_FLAT : R_MID_NESTED;
	}
	if (len[2] == 1 && seg[2][0] == 'R') /* lore's reply instructions */
		return redirect_more(rt, p->prefix, g, at, at + 2, true, "", "R");
	if (len[2] == 1 && seg[2][0] == 'f') /* lore's old "full message" */
		return redirect_to(rt, p->prefix, g, at, at + 2, true);
	if (p->trailing)
		return rt->kind = R_NOTFOUND;
	if (len[2] == 3 && !memcmp(seg[2], "raw", 3))
		return rt->kind = R_MID_RAW;
	if (len[2] == 9 && !memcmp(seg[2], "t.mbox.gz", 9))
		return rt->kind = R_MID_MBOX;
	if (len[2] == 6 && !memcmp(seg[2], "t.mbox", 6))
		return rt->kind = R_MID_MBOX_PLAIN;
	if (len[2] == 6 && !memcmp(seg[2], "t.atom", 6))
		return rt->kind = R_MID_ATOM;
	if (part_segment(seg[2], len[2], rt))
		return rt->kind = R_MID_PART;
	return rt->kind = R_NOTFOUND;
}

/* /LIST/YYYY/...: the calendar, down to a message and its parts (the
 * year is in rt->y already). */
static enum route_kind parse_dated(struct route *rt, const struct site_path *p)
{
	const char *const *seg = p->seg;
	const size_t *len = p->len;
	if (rt->all)
		return rt->kind = R_NOTFOUND; /* no calendar across lists */
	if (p->nseg == 2)
		return dir_page(rt, p, R_YEAR);
	if (!number(seg[2], len[2], 2, &rt->m) || rt->m < 1 || rt->m > 12)
		return rt->kind = R_NOTFOUND;
	if (p->nseg == 3)
		return dir_page(rt, p, R_MONTH);
	if (p->nseg == 4 && !p->trailing && seg_is(p->g, p->at + 3, "mbox.gz"))
		return rt->kind = R_MONTH_MBOX;
	if (!number(seg[3], len[3], 2, &rt->d) || rt->d < 1 || rt->d > 31)
		return rt->kind = R_NOTFOUND;
	if (p->nseg == 4)
		return dir_page(rt, p, R_DAY);
	if (!number(seg[4], len[4], 0, &rt->n))
		return rt->kind = R_NOTFOUND;
	if (p->nseg == 5)
		return p->trailing ? redirect_to(rt, p->prefix, p->g, p->at, p->g->count, false)
		                   : (rt->kind = R_MSG);
	if (p->nseg == 6 && p->trailing && len[5] <= 4 && number(seg[5], len[5], 0, &rt->k))
		return rt->kind = R_ATTACH_PAGE;
	if (p->nseg == 6 && !p->trailing) {
		if (len[5] == 3 && !memcmp(seg[5], "raw", 3))
			return rt->kind = R_RAW;
		if (len[5] <= 4 && number(seg[5], len[5], 0, &rt->k))
			return rt->kind = R_ATTACH;
	}
	return rt->kind = R_NOTFOUND;
}

/* n hex digits, lowercase (as git names objects and packs). */
static bool hex_only(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* A sender's page key: STORE_SENDER_HASH_LEN lowercase hex digits. */
static bool sender_hash(const char *s, size_t n)
{
	return n == STORE_SENDER_HASH_LEN && hex_only(s, n);
}

/* /LIST/topics/, /LIST/topics/new.atom, /LIST/from/HASH/: R_NOTFOUND
 * if g is none of them from at (the list) on, which is then read as a
 * Message-ID's ("topics" sent as "%74opics" always is). */
static enum route_kind parse_figures(struct route *rt, const struct segs *g, size_t at,
                                     const char *prefix)
{
	size_t nseg = g->count - at;
	if (g->rawn[at + 1] == 6 && !memcmp(g->raw[at + 1], "topics", 6)) {
		if (nseg == 2)
			return g->trailing ? (rt->kind = R_TOPICS)
			                   : redirect_to(rt, prefix, g, at, g->count, true);
		if (nseg == 3 && !g->trailing && seg_is(g, at + 2, "new.atom"))
			return rt->kind = R_TOPICS_ATOM;
		return R_NOTFOUND;
	}
	/* The API has a sender's threads at .../from/HASH/topics/ too. */
	bool api_topics = prefix[0] && nseg == 4 && seg_is(g, at + 3, "topics");
	if ((nseg == 3 || api_topics) && seg_is(g, at + 1, "from") &&
	    sender_hash(g->s[at + 2], g->n[at + 2])) {
		memcpy(rt->msgid, g->s[at + 2], g->n[at + 2]);
		rt->msgid[g->n[at + 2]] = '\0';
		if (!g->trailing)
			return redirect_to(rt, prefix, g, at, g->count, true);
		return rt->kind = api_topics ? R_API_SENDER_TOPICS : R_SENDER;
	}
	return R_NOTFOUND;
}

/* /LIST/git/N.git/FILE (segments [at, count) of g from "git" on): only the
 * files git's dumb HTTP protocol reads, each checked here, so that the
 * path the renderer opens is made of known pieces and hex digits. */
static enum route_kind parse_git(struct route *rt, const struct segs *g, size_t at)
{
	const char *const *seg = g->s + at;
	const size_t *len = g->n + at;
	size_t nseg = g->count - at;
	if (rt->all || nseg < 3 || g->trailing)
		return rt->kind = R_NOTFOUND;
	/* N.git: 0, or up to six digits without a leading zero. */
	if (len[1] < 5 || len[1] > 10 || memcmp(seg[1] + len[1] - 4, ".git", 4) != 0)
		return rt->kind = R_NOTFOUND;
	if (len[1] == 5 && seg[1][0] == '0')
		rt->n = 0;
	else if (!number(seg[1], len[1] - 4, 0, &rt->n))
		return rt->kind = R_NOTFOUND;
	const char *f = NULL;
	char tmp[80];
	if (nseg == 3 && seg_is(g, at + 2, "HEAD"))
		f = "HEAD";
	else if (nseg == 4 && seg_is(g, at + 2, "info") && seg_is(g, at + 3, "refs"))
		f = "info/refs";
	else if (nseg == 5 && seg_is(g, at + 2, "objects") && seg_is(g, at + 3, "info") &&
	         (seg_is(g, at + 4, "packs") || seg_is(g, at + 4, "alternates") ||
	          seg_is(g, at + 4, "http-alternates"))) {
		snprintf(tmp, sizeof tmp, "objects/info/%.*s", (int)len[4], seg[4]);
		f = tmp;
	} else if (nseg == 5 && seg_is(g, at + 2, "objects") && seg_is(g, at + 3, "pack")) {
		/* pack-<40 hex>.pack or .idx */
		size_t l = len[4];
		bool pack = l == 50 && !memcmp(seg[4] + 45, ".pack", 5);
		bool idx = l == 49 && !memcmp(seg[4] + 45, ".idx", 4);
		if ((pack || idx) && !memcmp(seg[4], "pack-", 5) && hex_only(seg[4] + 5, 40)) {
			snprintf(tmp, sizeof tmp, "objects/pack/%.*s", (int)l, seg[4]);
			f = tmp;
		}
	} else if (nseg == 5 && seg_is(g, at + 2, "objects") && len[3] == 2 &&
	           hex_only(seg[3], 2) && len[4] == 38 && hex_only(seg[4], 38)) {
		snprintf(tmp, sizeof tmp, "objects/%.2s/%.38s", seg[3], seg[4]);
		f = tmp;
	}
	if (!f)
		return rt->kind = R_NOTFOUND;
	snprintf(rt->gitfile, sizeof rt->gitfile, "%s", f);
	return rt->kind = R_GIT;
}

/* The site's grammar over segments [at, count) of g (at: the list).  A
 * redirect goes to prefix + the canonical path. */
static enum route_kind parse_site(struct route *rt, const struct segs *g, size_t at,
                                  const char *prefix)
{
	struct site_path p = {g, at, prefix, g->s + at, g->n + at, g->count - at, g->trailing};
	if (!conf_valid_listname(p.seg[0], p.len[0]))
		return rt->kind = R_NOTFOUND;
	rt->all = p.len[0] == 3 && memcmp(p.seg[0], "all", 3) == 0;
	if (!rt->all && conf_reserved_listname(p.seg[0], p.len[0]))
		return rt->kind = R_NOTFOUND;
	memcpy(rt->list, p.seg[0], p.len[0]);
	rt->list[p.len[0]] = '\0';
	if (p.nseg == 1) {
		/* /all/ is the site index, and /all/?q= its search. */
		if (rt->all && p.trailing && rt->query.has_q && !prefix[0])
			return rt->kind = R_INDEX;
		if (rt->all)
			return redirect_to(rt, prefix, g, at, at, true);
		return dir_page(rt, &p, R_LIST);
	}
	if (p.nseg == 2 && !p.trailing && seg_is(g, at + 1, "new.atom"))
		return rt->kind = R_NEW_ATOM;
	if (p.nseg == 2 && !p.trailing && seg_is(g, at + 1, "new.html"))
		return rt->kind = R_NEW_HTML;
	if (p.nseg == 3 && !p.trailing && seg_is(g, at + 1, "_") &&
	    seg_is(g, at + 2, "opensearch.xml"))
		return rt->kind = R_OPENSEARCH;
	/* The list's patch series ("series" is never a Message-ID here: a
	 * message of that ID keeps its date URL). */
	if (p.nseg == 2 && !rt->all && p.len[1] == 6 && !memcmp(g->raw[at + 1], "series", 6) &&
	    g->rawn[at + 1] == 6)
		return dir_page(rt, &p, R_SERIES_LIST);
	if (p.nseg == 2 && !p.trailing && !rt->all && seg_is(g, at + 1, "mbox.gz"))
		return rt->kind = R_LIST_MBOX;
	if (p.nseg >= 2 && seg_is(g, at + 1, "git"))
		return parse_git(rt, g, at + 1);
	if (p.nseg >= 3 && seg_is(g, at + 1, "_") && seg_is(g, at + 2, "text")) {
		char pre[LISTNAME_MAX + 2];
		snprintf(pre, sizeof pre, "/%s", rt->list);
		return parse_text(rt, g, at + 2, pre);
	}
	if (!rt->all) {
		enum route_kind k = parse_figures(rt, g, at, prefix);
		if (k != R_NOTFOUND)
			return k;
	}
	/* Four digits as sent are a year; anything else (even "%32019") is a
	 * Message-ID, which is how links write an ID of four digits. */
	if (!number(g->raw[at + 1], g->rawn[at + 1], 4, &rt->y))
		return parse_msgid_path(rt, &p);
	return parse_dated(rt, &p);
}

/* /api/v1/ and what follows: the page path whose data it gives. */
static enum route_kind parse_api(struct route *rt, const struct segs *g)
{
	rt->api = true;
	if (g->count == 1 || (g->count == 2 && seg_is(g, 1, "v1") && !g->trailing))
		return redirect_to(rt, "/api/v1", g, 0, 0, true);
	if (!seg_is(g, 1, "v1"))
		return rt->kind = R_NOTFOUND;
	if (g->count == 2)
		return rt->kind = R_API_LISTS;
	switch (parse_site(rt, g, 2, "/api/v1")) {
	case R_REDIRECT:
	case R_TOOLONG: return rt->kind;
	case R_LIST: return rt->kind = R_API_LIST;
	case R_MSG: return rt->kind = R_API_MSG;
	case R_MID: return rt->kind = R_API_MID;
	case R_MID_FLAT:
	case R_MID_NESTED: return rt->kind = R_API_THREAD;
	case R_SERIES_LIST: return rt->kind = R_API_SERIES;
	case R_TOPICS: return rt->kind = R_API_TOPICS;
	case R_SENDER: return rt->kind = R_API_SENDER;
	case R_API_SENDER_TOPICS: return rt->kind;
	default: return rt->kind = R_NOTFOUND;
	}
}

/* n digits at s, then suffix: the number into *out. */
static bool digits_then(const char *s, size_t n, size_t min, size_t max, const char *suffix,
                        int *out)
{
	size_t k = 0, sl = strlen(suffix);
	while (k < n && s[k] >= '0' && s[k] <= '9')
		k++;
	if (k < min || k > max || n - k != sl || memcmp(s + k, suffix, sl) != 0)
		return false;
	return number(s, k, k, out);
}

/* A pipermail month, "2009-March". */
static bool pipermail_month(const char *s, size_t n)
{
	static const char *const months[] = {"January",   "February", "March",    "April",
	                                     "May",       "June",     "July",     "August",
	                                     "September", "October",  "November", "December"};
	int y;
	if (n < 6 || s[4] != '-' || !number(s, 4, 4, &y))
		return false;
	for (size_t i = 0; i < 12; i++)
		if (n - 5 == strlen(months[i]) && memcmp(s + 5, months[i], n - 5) == 0)
			return true;
	return false;
}

/* The URLs of pipermail, MHonArc and HyperKitty (see route.h); R_NOTFOUND
 * if g is none of them (it may then be a list's URL). */
static enum route_kind parse_legacy(struct route *rt, const struct segs *g)
{
	const char *const *s = g->s;
	const size_t *n = g->n;
	if (g->count == 4 && !g->trailing && seg_is(g, 0, "pipermail") &&
	    conf_valid_listname(s[1], n[1]) && pipermail_month(s[2], n[2]) &&
	    digits_then(s[3], n[3], 6, 9, ".html", &rt->n)) {
		memcpy(rt->list, s[1], n[1]);
		return rt->kind = R_PIPERMAIL;
	}
	if (g->count == 3 && !g->trailing && seg_is(g, 0, "mhonarc") &&
	    conf_valid_listname(s[1], n[1]) && n[2] > 3 && memcmp(s[2], "msg", 3) == 0 &&
	    digits_then(s[2] + 3, n[2] - 3, 5, 9, ".html", &rt->n)) {
		memcpy(rt->list, s[1], n[1]);
		return rt->kind = R_MHONARC;
	}
	if (g->count == 5 && (seg_is(g, 0, "hyperkitty") || seg_is(g, 0, "archives")) &&
	    seg_is(g, 1, "list") && (seg_is(g, 3, "message") || seg_is(g, 3, "thread")) &&
	    n[4] == 32) {
		const char *at = memchr(s[2], '@', n[2]);
		size_t ln = at ? (size_t)(at - s[2]) : 0;
		if (!at || !conf_valid_listname(s[2], ln))
			return R_NOTFOUND;
		for (size_t i = 0; i < 32; i++)
			if (!((s[4][i] >= 'A' && s[4][i] <= 'Z') ||
			      (s[4][i] >= '2' && s[4][i] <= '7')))
				return R_NOTFOUND;
		memcpy(rt->list, s[2], ln);
		memcpy(rt->msgid, s[4], 32);
		return rt->kind = seg_is(g, 3, "thread") ? R_HYPERKITTY_T : R_HYPERKITTY;
	}
	return R_NOTFOUND;
}

enum route_kind route_parse(const char *raw, size_t rawn, struct route *rt)
{
	memset(rt, 0, sizeof *rt);
	rt->query.page = 1;
	/* The API answers even a malformed query in JSON. */
	rt->api = rawn >= 4 && memcmp(raw, "/api", 4) == 0 &&
	          (rawn == 4 || raw[4] == '/' || raw[4] == '?');
	const char *q = memchr(raw, '?', rawn);
	size_t n = q ? (size_t)(q - raw) : rawn;
	if (n > URL_MAX || rawn > URL_MAX * 2)
		return rt->kind = R_TOOLONG;
	enum route_kind bad;
	if (q && !parse_query(q + 1, rawn - n - 1, rt, &bad))
		return rt->kind = bad;
	rt->page = rt->query.page;
	if (n == 0 || raw[0] != '/')
		return rt->kind = R_BADREQUEST;

	/* Split the raw path into segments, then decode each: an encoded '/'
	 * stays inside its segment.  "." and ".." are never valid. */
	struct segs g;
	g.count = 0;
	g.trailing = n > 1 && raw[n - 1] == '/';
	size_t used = 0;
	bool too_many = false, empty = false;
	const char *p = raw + 1, *end = raw + n;
	while (p < end) {
		const char *sl = memchr(p, '/', (size_t)(end - p));
		size_t l = sl ? (size_t)(sl - p) : (size_t)(end - p);
		long dl = decode_segment(p, l, g.text + used);
		if (dl < 0)
			return rt->kind = R_BADREQUEST;
		const char *d = g.text + used;
		if ((dl == 1 && d[0] == '.') || (dl == 2 && d[0] == '.' && d[1] == '.'))
			return rt->kind = R_BADREQUEST;
		if (l == 0) /* "//" */
			empty = true;
		else if (g.count == SEG_MAX)
			too_many = true;
		else {
			g.raw[g.count] = p;
			g.rawn[g.count] = l;
			g.s[g.count] = d;
			g.n[g.count++] = (size_t)dl;
		}
		used += (size_t)dl + 1;
		p = sl ? sl + 1 : end;
	}
	if (empty || too_many)
		return rt->kind = R_NOTFOUND;
	if (g.count == 0)
		return rt->kind = R_INDEX;
	if (g.count == 1 && !g.trailing) {
		if (seg_is(&g, 0, "robots.txt"))
			return rt->kind = R_ROBOTS;
		if (seg_is(&g, 0, "favicon.ico"))
			return rt->kind = R_FAVICON;
		if (seg_is(&g, 0, "healthz"))
			return rt->kind = R_HEALTHZ;
		if (seg_is(&g, 0, "manifest.js.gz"))
			return rt->kind = R_MANIFEST;
	}
	if (g.count >= 2 && seg_is(&g, 0, "_") && seg_is(&g, 1, "text")) {
		strcpy(rt->list, "all");
		rt->all = true;
		return parse_text(rt, &g, 1, "");
	}
	if (g.count == 2 && !g.trailing && seg_is(&g, 0, "_")) {
		if (seg_is(&g, 1, "search-help"))
			return rt->kind = R_SEARCH_HELP;
		if (seg_is(&g, 1, "prefs"))
			return rt->kind = R_PREFS;
		if (seg_is(&g, 1, "opensearch.xml")) {
			strcpy(rt->list, "all");
			rt->all = true;
			return rt->kind = R_OPENSEARCH;
		}
		if (seg_is(&g, 1, render_stylesheet_path() + 2))
			return rt->kind = R_STYLE;
		return rt->kind = R_NOTFOUND;
	}
	if (seg_is(&g, 0, "api"))
		return parse_api(rt, &g);
	if (parse_legacy(rt, &g) != R_NOTFOUND)
		return rt->kind;
	/* lore.kernel.org/r/MSGID, and a Message-ID alone (an '@' is never
	 * in a list name). */
	if (g.count >= 2 && seg_is(&g, 0, "r"))
		return parse_resolve(rt, &g, 1);
	if (memchr(g.s[0], '@', g.n[0]))
		return parse_resolve(rt, &g, 0);
	return parse_site(rt, &g, 0, "");
}

bool route_takes_post(const struct route *rt)
{
	return (rt->kind == R_LIST || rt->kind == R_INDEX || rt->kind == R_MID) &&
	       rt->query.has_q && !strcmp(rt->query.x, "m");
}

/* A cache key being written: out[0..len), at most n bytes. */
struct key_out {
	char *out;
	size_t n, len;
	bool over; /* it did not fit */
};

static void key_add(struct key_out *w, const char *s, size_t l)
{
	if (w->over || l >= w->n - w->len) {
		w->over = true;
		return;
	}
	memcpy(w->out + w->len, s, l);
	w->len += l;
}

/* v in decimal, then sep (if not NUL). */
static void key_int(struct key_out *w, long long v, char sep)
{
	char d[24];
	size_t k = sizeof d;
	if (sep)
		d[--k] = sep;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do {
		d[--k] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		d[--k] = '-';
	key_add(w, d + k, sizeof d - k);
}

/* Each number, and a '|' after it. */
static void key_ints(struct key_out *w, const int *v, size_t k)
{
	for (size_t i = 0; i < k; i++)
		key_int(w, v[i], '|');
}

/* "LENGTH:STRING|". */
static void key_str(struct key_out *w, const char *s)
{
	size_t l = strlen(s);
	key_int(w, (long long)l, ':');
	key_add(w, s, l);
	key_add(w, "|", 1);
}

bool route_is_static(const struct route *rt)
{
	switch (rt->kind) {
	case R_BADREQUEST:
	case R_TOOLONG:
	case R_REDIRECT:
	case R_STYLE:
	case R_ROBOTS:
	case R_FAVICON: return true;
	default: return false;
	}
}

size_t route_key(const struct route *rt, char *out, size_t n)
{
	if (route_is_static(rt))
		return 0;
	switch (rt->kind) {
	case R_NOTFOUND:
	case R_HEALTHZ:
	case R_OPENSEARCH: /* names the request's origin */
	case R_PREFS:      /* the reader's own (and sets a cookie) */
	case R_MID_RESOLVE:
	case R_PIPERMAIL:
	case R_MHONARC:
	case R_HYPERKITTY:
	case R_HYPERKITTY_T:
	case R_GIT: /* files that change under their names */
	case R_MANIFEST: return 0;
	case R_TEXT:
		/* The mirror page names the request's origin (without an
		 * absolute --base-url): one copy for every Host would not do. */
		if (!strcmp(rt->text, "mirror"))
			return 0;
		break;
	default: break;
	}
	const struct route_query *q = &rt->query;
	/* Numbers and strings separated by '|', strings with their lengths,
	 * so that no value can pass for another.  Written by hand, not with
	 * snprintf: the server makes a key for every request. */
	struct key_out w = {out, n, 0, false};
	const int head[] = {(int)rt->kind};
	key_ints(&w, head, 1);
	key_str(&w, rt->list);
	const int nums[] = {rt->y,    rt->m,      rt->d,    rt->n,    rt->k,   rt->page,
	                    q->has_q, q->threads, q->limit, q->since, q->until};
	key_ints(&w, nums, sizeof nums / sizeof *nums);
	key_str(&w, q->q);
	key_str(&w, q->o);
	key_str(&w, q->x);
	key_str(&w, q->after);
	key_str(&w, rt->msgid);
	const int flat[] = {q->page_given && (rt->kind == R_MID_FLAT || rt->kind == R_MID_NESTED)};
	key_ints(&w, flat, 1);
	key_str(&w, rt->part);
	key_str(&w, rt->text);
	const int raw[] = {rt->text_raw};
	key_ints(&w, raw, 1);
	if (w.over || w.len == 0 || w.len >= n)
		return 0;
	w.len--; /* the last '|' */
	out[w.len] = '\0';
	return w.len;
}

/* Does the query ask for a search?  An empty q= (only spaces) asks for
 * the page itself, as on lore, unless it asks for a feed or an mbox. */
static bool searching(const struct route_query *q)
{
	if (!q->has_q)
		return false;
	for (const char *p = q->q; *p; p++)
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			return true;
	return q->x[0] && strcmp(q->x, "t") != 0;
}

static void plain(struct response *r, int status, const char *text, int max_age)
{
	buf_reset(&r->body);
	buf_adds(&r->body, text);
	r->status = status;
	r->content_type = "text/plain; charset=utf-8";
	r->max_age = max_age;
}

/* robots.txt: crawlers may read every page, slowly, but not what costs
 * the most and adds nothing a page does not show: searches, raw
 * messages, thread and search mboxes, the JSON API.  The patterns (RFC
 * 9309's * wildcard) start with the base path, where the proxy puts the
 * archive; a site under a prefix should serve this from its root. */
static void robots(const struct render_ctx *c, struct response *r)
{
	plain(r, 200, "User-agent: *\nCrawl-delay: 1\n", 86400);
	static const char *const deny[] = {"*?q=",      "*&q=",   "*/raw", "*/t.mbox.gz",
	                                   "*/mbox.gz", "*/git/", "api/"};
	for (size_t i = 0; i < sizeof deny / sizeof *deny; i++)
		buf_printf(&r->body, "Disallow: %s%s\n", c->base, deny[i]);
	buf_printf(&r->body, "Allow: %s\n", c->base);
}

struct lag {
	struct buf *b;
	int behind;
};

static void lag_line(const char *list, const char *path, int epoch, const char *head,
                     const char *indexed, void *arg)
{
	struct lag *l = arg;
	bool late = strcmp(head, indexed) != 0;
	l->behind += late;
	/* Names and hex digits: the list's name is [a-z0-9._-]. */
	buf_printf(l->b, "%s %d indexed %s head %s%s\n", list, epoch, indexed[0] ? indexed : "-",
	           head[0] ? head : "-", late ? " BEHIND" : "");
}

/* /healthz: 200 "ok" when the index can be read and is not behind the
 * public-inbox mirrors it reads (a replica that fetched commits it has
 * not indexed yet answers 503, and a load balancer's check takes it out
 * of the pool until `listarc index` has caught up); a line per epoch
 * says where each stands. */
static void healthz(const struct render_ctx *c, struct response *r)
{
	int64_t id;
	enum la_status e = store_list_id(c->st, "", &id);
	if (e && e != LA_ENOTFOUND) {
		plain(r, 503, "index unreadable\n", 0);
		return;
	}
	struct buf lines;
	buf_init(&lines, 1 << 20);
	struct lag l = {&lines, 0};
	e = store_git_status(c->st, lag_line, &l);
	plain(r, e || l.behind ? 503 : 200,
	      e          ? "index unreadable\n"
	      : l.behind ? "behind\n"
	                 : "ok\n",
	      0);
	buf_add(&r->body, lines.data ? lines.data : "", lines.len);
	buf_free(&lines);
}

/* The search a URL's query asks for (in every list, or in list). */
static struct render_search_req search_req(const struct route *rt)
{
	struct render_search_req q = {rt->query.q,    rt->query.o,       rt->query.x,
	                              rt->query.page, rt->query.threads, NULL};
	return q;
}

/* The answers that read no list: errors, redirects, the stylesheet,
 * robots.txt, the icon and the health check. */
static enum la_status route_fixed(const struct render_ctx *c, const struct route *rt,
                                  enum route_kind kind, struct response *r)
{
	enum la_status e = LA_OK;
	switch (kind) {
	case R_NOTFOUND:
		if (rt->api)
			e = render_api_error(r, 404, "no such API URL");
		else
			render_error(c, r, 404, "There is no such page in this archive.");
		break;
	case R_BADREQUEST:
		if (rt->api)
			e = render_api_error(r, 400, "malformed request");
		else
			render_error(c, r, 400, "The address of this request is malformed.");
		break;
	case R_TOOLONG: render_error(c, r, 414, "The address of this request is too long."); break;
	case R_REDIRECT:
		buf_reset(&r->body);
		r->status = 301;
		r->max_age = 86400;
		snprintf(r->location, sizeof r->location, "%s%s", c->base, rt->redirect + 1);
		r->location_absolute = rt->redirect_absolute;
		r->content_type = "text/plain; charset=utf-8";
		buf_printf(&r->body, "Moved to %s\n", r->location);
		break;
	case R_STYLE: render_stylesheet(r); break;
	case R_ROBOTS: robots(c, r); break;
	case R_FAVICON:
		plain(r, 204, "", 86400);
		r->content_type = NULL;
		break;
	case R_HEALTHZ: healthz(c, r); break;
	default: break; /* not one of these: route_handle sorts */
	}
	return e;
}

/* The pages by list and date, the search, and the old archivers' URLs. */
static enum la_status route_dated(const struct render_ctx *c, const struct route *rt,
                                  enum route_kind kind, struct response *r)
{
	struct render_search_req sreq = search_req(rt);
	int day = rt->y * 10000 + rt->m * 100 + rt->d;
	switch (kind) {
	case R_SEARCH_HELP: return render_search_help(c, r);
	case R_INDEX:
		return searching(&rt->query) ? render_search(c, NULL, &sreq, r)
		                             : render_index(c, r);
	case R_LIST:
		return searching(&rt->query) ? render_search(c, rt->list, &sreq, r)
		                             : render_list(c, rt->list, r);
	case R_YEAR: return render_year(c, rt->list, rt->y, r);
	case R_MONTH: return render_month(c, rt->list, rt->y, rt->m, rt->page, r);
	case R_DAY: return render_day(c, rt->list, rt->y, rt->m, rt->d, rt->page, r);
	case R_MSG: return render_message(c, rt->list, day, rt->n, r);
	case R_RAW: return render_raw(c, rt->list, day, rt->n, r);
	case R_ATTACH: return render_attachment(c, rt->list, day, rt->n, rt->k, r);
	case R_ATTACH_PAGE: return render_attachment_page(c, rt->list, day, rt->n, rt->k, r);
	case R_PREFS: return render_prefs(c, rt->query.tz_given, rt->query.tz, r);
	case R_PIPERMAIL:
	case R_MHONARC: return render_numbered(c, rt->list, rt->n, r);
	case R_HYPERKITTY:
	case R_HYPERKITTY_T:
		return render_hyperkitty(c, rt->list, rt->msgid, kind == R_HYPERKITTY_T, r);
	default: return LA_OK; /* not one of these: route_handle sorts */
	}
}

/* The pages by Message-ID (a thread's, a series', its downloads), the
 * lists' new messages and their text files. */
static enum la_status route_msgid(const struct render_ctx *c, const struct route *rt,
                                  enum route_kind kind, struct response *r)
{
	const char *list = rt->all ? NULL : rt->list; /* NULL: every list */
	struct render_search_req sreq = search_req(rt);
	switch (kind) {
	case R_NEW_ATOM: return render_new_atom(c, list, r);
	case R_NEW_HTML: return render_new_html(c, list, r);
	case R_OPENSEARCH: return render_opensearch(c, list, r);
	case R_SERIES_LIST: return render_series_list(c, rt->list, rt->page, r);
	case R_TOPICS: return render_topics(c, rt->list, rt->page, r);
	case R_TOPICS_ATOM: return render_topics_atom(c, rt->list, r);
	case R_SENDER: return render_sender(c, rt->list, rt->msgid, rt->page, r);
	case R_TEXT:
		if (!strcmp(rt->text, "mirror"))
			return render_mirror_text(c, rt->list, rt->text_raw, r);
		return render_text(c, list, rt->text, rt->text_raw, r);
	case R_GIT: return render_git_file(c, rt->list, rt->n, rt->gitfile, r);
	case R_MANIFEST: return render_manifest(c, r);
	case R_LIST_MBOX: return render_list_mbox(c, rt->list, 0, 0, r);
	case R_MONTH_MBOX: return render_list_mbox(c, rt->list, rt->y, rt->m, r);
	case R_MID:
		/* lore's search within a thread: /LIST/MSGID/?x=m&q=... */
		if (rt->query.has_q && !strcmp(rt->query.x, "m")) {
			sreq.msgid = rt->msgid;
			return render_search(c, list, &sreq, r);
		}
		return render_msgid(c, list, rt->msgid, r);
	case R_MID_RAW: return render_msgid_raw(c, list, rt->msgid, r);
	case R_MID_MBOX: return render_thread_mbox(c, list, rt->msgid, true, r);
	case R_MID_MBOX_PLAIN: return render_thread_mbox(c, list, rt->msgid, false, r);
	case R_MID_FLAT:
	case R_MID_NESTED:
		return render_thread_page(c, list, rt->msgid, kind == R_MID_NESTED,
		                          rt->query.page_given ? rt->page : 0, r);
	case R_MID_PART: return render_msgid_part(c, list, rt->msgid, rt->part, r);
	case R_MID_RESOLVE: return render_msgid_resolve(c, rt->msgid, rt->redirect, r);
	case R_MID_ATOM: return render_thread_atom(c, list, rt->msgid, r);
	case R_MID_SERIES: return render_series_page(c, list, rt->msgid, r);
	case R_MID_SERIES_MBOX:
	case R_MID_SERIES_MBOXGZ:
		return render_series_mbox(c, list, rt->msgid, kind == R_MID_SERIES_MBOXGZ, r);
	case R_MID_SERIES_DIFF:
		return render_series_changes(c, list, rt->msgid, (unsigned)rt->y, (unsigned)rt->m,
		                             r);
	default: return LA_OK; /* not one of these: route_handle sorts */
	}
}

/* /api/v1/. */
static enum la_status route_api(const struct render_ctx *c, const struct route *rt,
                                enum route_kind kind, struct response *r)
{
	const char *list = rt->all ? NULL : rt->list; /* NULL: every list */
	switch (kind) {
	case R_API_LISTS: return render_api_lists(c, r);
	case R_API_LIST: {
		struct render_api_query q = {rt->query.after, rt->query.limit, rt->query.since,
		                             rt->query.until};
		return render_api_list(c, rt->list, &q, r);
	}
	case R_API_MSG:
		return render_api_msg(c, rt->list, rt->y * 10000 + rt->m * 100 + rt->d, rt->n, r);
	case R_API_MID: return render_api_msgid(c, list, rt->msgid, r);
	case R_API_THREAD: return render_api_thread(c, list, rt->msgid, r);
	case R_API_SERIES:
		return render_api_series(c, rt->list, rt->query.after, rt->query.limit, r);
	case R_API_TOPICS:
		return render_api_topics(c, rt->list, rt->query.after, rt->query.limit, r);
	case R_API_SENDER:
	case R_API_SENDER_TOPICS:
		return render_api_sender(c, rt->list, rt->msgid, kind == R_API_SENDER_TOPICS,
		                         rt->query.after, rt->query.limit, r);
	default: return LA_OK; /* not one of these: route_handle sorts */
	}
}

/* Whether rt names a list by a name it had before `listarc list rename`:
 * then the same URL with the list's name now is in rt->redirect (the
 * first "/OLD/" or final "/OLD" segment of path replaced). */
static bool renamed_list(const struct render_ctx *c, const char *path, size_t n, struct route *rt)
{
	int64_t id;
	char now[LISTNAME_MAX + 1];
	size_t ln = strlen(rt->list);
	if (!ln || strcmp(rt->list, "all") == 0 || store_list_id(c->st, rt->list, &id) == LA_OK ||
	    store_list_renamed(c->st, rt->list, now, sizeof now) != LA_OK)
		return false;
	for (size_t i = 0; i + 1 + ln <= n; i++) {
		if (path[i] != '/' || memcmp(path + i + 1, rt->list, ln) != 0 ||
		    (i + 1 + ln < n && path[i + 1 + ln] != '/' && path[i + 1 + ln] != '?'))
			continue;
		int k = snprintf(rt->redirect, sizeof rt->redirect, "%.*s/%s%.*s", (int)i, path,
		                 now, (int)(n - i - 1 - ln), path + i + 1 + ln);
		return k > 0 && (size_t)k < sizeof rt->redirect;
	}
	return false;
}

enum la_status route_handle(const struct render_ctx *c, const char *path, size_t n,
                            struct response *r)
{
	struct route rt;
	enum route_kind kind = route_parse(path, n, &rt);
	enum la_status e = LA_OK;
	if (kind > R_HEALTHZ && renamed_list(c, path, n, &rt))
		kind = R_REDIRECT;
	switch (kind) {
	case R_NOTFOUND:
	case R_BADREQUEST:
	case R_TOOLONG:
	case R_REDIRECT:
	case R_STYLE:
	case R_ROBOTS:
	case R_FAVICON:
	case R_HEALTHZ: e = route_fixed(c, &rt, kind, r); break;
	case R_SEARCH_HELP:
	case R_INDEX:
	case R_LIST:
	case R_YEAR:
	case R_MONTH:
	case R_DAY:
	case R_MSG:
	case R_ATTACH:
	case R_ATTACH_PAGE:
	case R_PREFS:
	case R_RAW:
	case R_PIPERMAIL:
	case R_MHONARC:
	case R_HYPERKITTY:
	case R_HYPERKITTY_T: e = route_dated(c, &rt, kind, r); break;
	case R_NEW_ATOM:
	case R_NEW_HTML:
	case R_OPENSEARCH:
	case R_SERIES_LIST:
	case R_TOPICS:
	case R_TOPICS_ATOM:
	case R_SENDER:
	case R_TEXT:
	case R_MID:
	case R_MID_RAW:
	case R_MID_MBOX:
	case R_MID_MBOX_PLAIN:
	case R_MID_FLAT:
	case R_MID_NESTED:
	case R_MID_PART:
	case R_MID_RESOLVE:
	case R_MID_ATOM:
	case R_MID_SERIES:
	case R_MID_SERIES_MBOX:
	case R_MID_SERIES_MBOXGZ:
	case R_MID_SERIES_DIFF:
	case R_GIT:
	case R_MANIFEST:
	case R_LIST_MBOX:
	case R_MONTH_MBOX: e = route_msgid(c, &rt, kind, r); break;
	case R_API_LISTS:
	case R_API_LIST:
	case R_API_MSG:
	case R_API_MID:
	case R_API_THREAD:
	case R_API_SERIES:
	case R_API_TOPICS:
	case R_API_SENDER:
	case R_API_SENDER_TOPICS: e = route_api(c, &rt, kind, r); break;
	}
	/* A strong validator of exactly what is sent (a streamed body has
	 * its own, set by its renderer). */
	if (r->status == 200 && !r->body.err && !r->stream.next && !r->etag[0])
		snprintf(r->etag, sizeof r->etag, "\"%016llx\"",
		         (unsigned long long)hash64_bulk(r->body.data ? r->body.data : "",
		                                         r->body.len, 7));
	return e;
}
