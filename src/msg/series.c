/* series.c: patch subjects ("[PATCH net-next v3 2/5] x") and b4's
 * change-id: line; see series.h and docs/series.md. */
#include "msg/series.h"

#include <string.h>

#include "limits.h"

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Case-insensitive: does w[0..n) start with the lowercase word p? */
static bool starts(const char *w, size_t n, const char *p)
{
	size_t k = strlen(p);
	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++)
		if (lower(w[i]) != p[i])
			return false;
	return true;
}

/* A number of 1 to 4 digits at w[0..n) exactly; -1 if it is not one. */
static long number(const char *w, size_t n)
{
	if (n == 0 || n > 4)
		return -1;
	long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(w[i]))
			return -1;
		v = v * 10 + (w[i] - '0');
	}
	return v;
}

/* "v3" or "V3" (a version, at least 1); -1 otherwise. */
static long version_word(const char *w, size_t n)
{
	if (n < 2 || lower(w[0]) != 'v')
		return -1;
	long v = number(w + 1, n - 1);
	return v >= 1 && v <= SERIES_VERSION_MAX ? v : -1;
}

/* What one bracketed group says; the group's words are read into it. */
struct group {
	bool patch, rfc, resend, count;
	long version, part, total;
	char tag[MSG_SERIES_TAG_MAX + 1];
	size_t taglen;
};

static void add_tag(struct group *g, const char *w, size_t n)
{
	if (g->taglen + (g->taglen ? 1 : 0) + n > MSG_SERIES_TAG_MAX)
		return;
	if (g->taglen)
		g->tag[g->taglen++] = ' ';
	memcpy(g->tag + g->taglen, w, n);
	g->taglen += n;
	g->tag[g->taglen] = '\0';
}

static void read_word(struct group *g, const char *w, size_t n)
{
	long v;
	const char *slash = memchr(w, '/', n);
	if (starts(w, n, "patch")) {
		/* PATCH, PATCHES, PATCHv2, PATCH-v2 */
		size_t k = 5;
		if (starts(w, n, "patches"))
			k = 7;
		if (k < n && w[k] == '-')
			k++;
		if (k == n || (v = version_word(w + k, n - k)) > 0) {
			g->patch = true;
			if (k < n)
				g->version = v;
			return;
		}
	} else if (starts(w, n, "rfc")) {
		size_t k = 3;
		if (k < n && w[k] == '-')
			k++;
		if (k == n || (v = version_word(w + k, n - k)) > 0) {
			g->rfc = true;
			if (k < n)
				g->version = v;
			return;
		}
	} else if (n == 6 && starts(w, n, "resend")) {
		g->resend = true;
		return;
	} else if ((v = version_word(w, n)) > 0) {
		g->version = v;
		return;
	} else if (slash && !g->count) {
		long m = number(w, (size_t)(slash - w));
		long t = number(slash + 1, n - (size_t)(slash - w) - 1);
		if (m >= 0 && t >= 1 && m <= t && t <= SERIES_PATCHES_MAX) {
			g->count = true;
			g->part = m;
			g->total = t;
			return;
		}
	}
	add_tag(g, w, n);
}

/* Reads the group s[0..n) (between its brackets) word by word. */
static void read_group(struct group *g, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		while (i < n && (s[i] == ' ' || s[i] == ',' || s[i] == '\t'))
			i++;
		size_t b = i;
		while (i < n && s[i] != ' ' && s[i] != ',' && s[i] != '\t')
			i++;
		if (i > b)
			read_word(g, s + b, i - b);
	}
}

static size_t skip_space(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/* A reply or forward prefix ("Re:", "RE :", "Fwd:", "AW:", "Sv:") at s[i..n). */
static bool reply_prefix(const char *s, size_t n, size_t i)
{
	static const char *const words[] = {"re", "fwd", "fw", "aw", "sv", "antw"};
	for (size_t k = 0; k < sizeof words / sizeof *words; k++) {
		size_t l = strlen(words[k]);
		if (starts(s + i, n - i, words[k])) {
			size_t j = skip_space(s, n, i + l);
			if (j < n && s[j] == ':')
				return true;
		}
	}
	return false;
}

bool msg_series_parse(const char *s, size_t n, struct msg_series_subject *out)
{
	memset(out, 0, sizeof *out);
	size_t i = skip_space(s, n, 0);
	if (reply_prefix(s, n, i)) {
		out->flags = MSG_SERIES_REPLY;
		return false;
	}
	struct group all;
	memset(&all, 0, sizeof all);
	all.version = -1;
	size_t end = 0;
	bool found = false;
	/* The groups at the start: the patch group, and groups around it
	 * ("[notmuch]", "[RFC]"), which may say RFC or RESEND too.  Groups
	 * after the patch group belong to the name only if they are not
	 * flags. */
	while (i < n && s[i] == '[') {
		const char *close = memchr(s + i + 1, ']', n - i - 1);
		if (!close)
			break;
		size_t gl = (size_t)(close - (s + i + 1));
		struct group g;
		memset(&g, 0, sizeof g);
		g.version = -1;
		read_group(&g, s + i + 1, gl);
		bool qualifies = g.patch || (g.rfc && g.count);
		if (qualifies && found)
			break; /* a second patch group is part of the name */
		if (qualifies) {
			found = true;
			all.patch = true;
			all.count = g.count;
			all.part = g.part;
			all.total = g.total;
			memcpy(all.tag, g.tag, sizeof g.tag);
			if (g.version > 0)
				all.version = g.version;
		} else if (found && !g.rfc && !g.resend) {
			break;
		}
		all.rfc |= g.rfc;
		all.resend |= g.resend;
		if (!qualifies && g.version > 0 && (g.rfc || g.resend))
			all.version = g.version;
		i = skip_space(s, n, (size_t)(close - s) + 1);
		end = i;
	}
	if (!found)
		return false;
	out->patch = true;
	out->flags = (all.rfc ? MSG_SERIES_RFC : 0) | (all.resend ? MSG_SERIES_RESEND : 0);
	out->version = all.version > 0 ? (unsigned)all.version : 1;
	out->part = all.count ? (unsigned)all.part : 1;
	out->total = all.count ? (unsigned)all.total : 1;
	memcpy(out->tag, all.tag, sizeof out->tag);
	/* The name: after the groups, up to trailing whitespace. */
	size_t e = n;
	while (e > end && (s[e - 1] == ' ' || s[e - 1] == '\t'))
		e--;
	out->name_off = end;
	out->name_len = e - end;
	return true;
}

bool msg_series_change_id(const char *t, size_t n, char *out, size_t cap)
{
	static const char key[] = "change-id:";
	size_t kl = sizeof key - 1;
	for (size_t i = 0; i < n;) {
		const char *nl = memchr(t + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - t) : n;
		if (e - i > kl && memcmp(t + i, key, kl) == 0) {
			size_t b = skip_space(t, e, i + kl), z = e;
			while (z > b && (t[z - 1] == ' ' || t[z - 1] == '\r' || t[z - 1] == '\t'))
				z--;
			bool ok = z > b && z - b < cap;
			for (size_t k = b; ok && k < z; k++) {
				char c = t[k];
				ok = is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'z') ||
				     c == '.' || c == '_' || c == '-';
			}
			if (ok) {
				memcpy(out, t + b, z - b);
				out[z - b] = '\0';
				return true;
			}
		}
		i = e + 1;
	}
	return false;
}

const char *const msg_trailer_names[MSG_TRAILER_KINDS] = {"Reviewed-by", "Acked-by", "Tested-by",
                                                          "Reported-by"};

size_t msg_series_trailers(const char *t, size_t n,
                           bool (*fn)(enum msg_trailer_kind k, const char *v, size_t vn, void *arg),
                           void *arg)
{
	size_t count = 0;
	for (size_t i = 0; i < n;) {
		const char *nl = memchr(t + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - t) : n;
		for (int k = 0; k < MSG_TRAILER_KINDS; k++) {
			const char *name = msg_trailer_names[k];
			size_t l = strlen(name);
			if (e - i <= l || t[i + l] != ':')
				continue;
			bool same = true;
			for (size_t j = 0; same && j < l; j++)
				same = lower(t[i + j]) == lower(name[j]);
			if (!same)
				continue;
			size_t b = skip_space(t, e, i + l + 1), z = e;
			while (z > b && (t[z - 1] == ' ' || t[z - 1] == '\t' || t[z - 1] == '\r'))
				z--;
			if (z > b && z - b <= MSG_TRAILER_MAX) {
				count++;
				if (!fn((enum msg_trailer_kind)k, t + b, z - b, arg))
					return count;
			}
			break;
		}
		i = e + 1;
	}
	return count;
}

/* The line starting at i ends at *e (its '\n' or n). */
static size_t line_end(const char *t, size_t n, size_t i)
{
	const char *nl = memchr(t + i, '\n', n - i);
	return nl ? (size_t)(nl - t) : n;
}

/* Whether t[i..e) is blank (spaces, tabs, a '\r'). */
static bool blank(const char *t, size_t i, size_t e)
{
	for (; i < e; i++)
		if (t[i] != ' ' && t[i] != '\t' && t[i] != '\r')
			return false;
	return true;
}

/* "Key: value" with a key of letters, digits and '-' (64 bytes at most). */
static bool trailer_line(const char *t, size_t i, size_t e)
{
	size_t k = i;
	while (k < e && k - i <= 64 &&
	       (is_digit(t[k]) || (lower(t[k]) >= 'a' && lower(t[k]) <= 'z') || t[k] == '-'))
		k++;
	return k > i && k < e && k - i <= 64 && t[k] == ':';
}

/* Whether line a[0..an) (trailing '\r' and spaces dropped) equals b[0..bn) without case. */
static bool same_line(const char *a, size_t an, const char *b, size_t bn)
{
	while (an > 0 && (a[an - 1] == '\r' || a[an - 1] == ' ' || a[an - 1] == '\t'))
		an--;
	if (an != bn)
		return false;
	for (size_t i = 0; i < an; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

void msg_series_add_trailers(struct buf *out, const char *body, size_t n, const char *const *add,
                             size_t nadd)
{
	/* The commit message ends at "---" or the first diff. */
	size_t cut = n;
	for (size_t i = 0; i < n;) {
		size_t e = line_end(body, n, i);
		size_t z = e;
		while (z > i && (body[z - 1] == '\r' || body[z - 1] == ' ' || body[z - 1] == '\t'))
			z--;
		if ((z - i == 3 && memcmp(body + i, "---", 3) == 0) ||
		    (e - i >= 11 && memcmp(body + i, "diff --git ", 11) == 0)) {
			cut = i;
			break;
		}
		i = e + 1;
	}
	/* Its end without the blank lines before the cut, and the start of
	 * its last paragraph. */
	size_t end = 0, para = 0;
	bool in_para = false;
	for (size_t i = 0; i < cut;) {
		size_t e = line_end(body, cut, i);
		if (blank(body, i, e)) {
			in_para = false;
		} else {
			if (!in_para)
				para = i;
			in_para = true;
			end = e < cut ? e + 1 : e;
		}
		i = e + 1;
	}
	bool trailers = end > 0;
	for (size_t i = para; trailers && i < end;) {
		size_t e = line_end(body, end, i);
		trailers = trailer_line(body, i, e) ||
		           (i > para && (body[i] == ' ' || body[i] == '\t'));
		i = e + 1;
	}
	buf_add(out, body, end);
	if (end > 0 && body[end - 1] != '\n')
		buf_adds(out, "\n");
	bool any = false;
	for (size_t k = 0; k < nadd; k++) {
		size_t an = strlen(add[k]);
		bool have = false;
		for (size_t i = 0; !have && i < end;) {
			size_t e = line_end(body, end, i);
			have = same_line(body + i, e - i, add[k], an);
			i = e + 1;
		}
		for (size_t j = 0; !have && j < k; j++)
			have = same_line(add[j], strlen(add[j]), add[k], an);
		if (have)
			continue;
		if (!any && !trailers && end > 0)
			buf_adds(out, "\n");
		any = true;
		buf_add(out, add[k], an);
		buf_adds(out, "\n");
	}
	buf_add(out, body + end, n - end);
}
