/* body.c: a message's text inside its <pre class="msg">: diffs coloured
 * by line (added, removed, hunk header, file header) with their files
 * anchored and the diffstat linked to them, quoted text and signatures
 * marked and, when long, folded with <details>, and lore's links to a
 * message the archive has pointed at the local copy.
 *
 * Only tags are added: the text of the block (its tags stripped, its
 * entities decoded) is exactly what html_body makes of the same text,
 * which tests/t5100-pages.sh compares byte for byte with shared/spec.
 * So a fold's <summary> holds the first line of what it folds (with its
 * newline), and how many lines are folded is said by the stylesheet from
 * an attribute, not in the text. */
#define _GNU_SOURCE /* memmem */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "limits.h"
#include "render/html.h"
#include "render/render_int.h"
#include "util/hex.h"

/* A quoted block of more lines than this is folded: its first line
 * shows, and its last QUOTE_TAIL_LINES stay open (the context of the
 * reply that follows).  A signature is folded from this many lines after
 * its "-- ". */
#define QUOTE_FOLD_LINES 10
#define QUOTE_TAIL_LINES 3
#define SIG_FOLD_LINES 2

static bool starts(const char *p, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	return n >= k && memcmp(p, lit, k) == 0;
}

/* The length of the line at p (without its newline). */
static size_t line_len(const char *p, size_t n)
{
	const char *nl = memchr(p, '\n', n);
	return nl ? (size_t)(nl - p) : n;
}

/* ---- lore's links ---- */

/* The Message-ID of a lore URL (https://lore.kernel.org/LIST/MSGID/...,
 * /r/MSGID, lkml.kernel.org/r/MSGID), percent-decoded, into out (with the
 * list's name into list, "" for /r/); false if url is not one. */
static bool lore_msgid(const char *url, size_t n, char *out, size_t outn, char *list, size_t listn)
{
	size_t i;
	if (starts(url, n, "https://"))
		i = 8;
	else if (starts(url, n, "http://"))
		i = 7;
	else
		return false;
	static const char *const hosts[] = {"lore.kernel.org/", "lkml.kernel.org/"};
	size_t h = 0;
	while (h < 2 && !starts(url + i, n - i, hosts[h]))
		h++;
	if (h == 2)
		return false;
	i += strlen(hosts[h]);
	size_t seg = i;
	while (i < n && url[i] != '/')
		i++;
	if (i == n || i - seg == 0 || i - seg >= listn)
		return false;
	memcpy(list, url + seg, i - seg);
	list[i - seg] = '\0';
	if (strcmp(list, "r") == 0)
		list[0] = '\0';
	else if (h == 1)
		return false; /* lkml.kernel.org has only /r/ */
	i++;
	size_t k = 0;
	for (; i < n && url[i] != '/' && url[i] != '?' && url[i] != '#'; i++) {
		char ch = url[i];
		if (ch == '%' && i + 2 < n && hex_value(url[i + 1]) >= 0 &&
		    hex_value(url[i + 2]) >= 0) {
			ch = (char)(hex_value(url[i + 1]) * 16 + hex_value(url[i + 2]));
			i += 2;
		}
		if (ch == '\0' || k + 1 >= outn)
			return false;
		out[k++] = ch;
	}
	out[k] = '\0';
	/* A Message-ID has an '@' (lore's pages of a list have none). */
	return k > 2 && memchr(out, '@', k);
}

/* html_links' hook: the local page of the message a lore URL names,
 * when this archive has it (and may show it). */
static bool local_copy(void *arg, const char *url, size_t n, struct buf *href)
{
	struct body_fmt *f = arg;
	char msgid[MSGID_MAX + 1], list[LISTNAME_MAX + 1];
	if (!f->c->st || f->lookups >= LORE_LINKS_MAX ||
	    !lore_msgid(url, n, msgid, sizeof msgid, list, sizeof list))
		return false;
	f->lookups++;
	struct render_entries l;
	int64_t list_id;
	bool found = false;
	if (msgid_lookup(f->c, NULL, msgid, &l, &list_id) == LA_OK && l.n > 0) {
		size_t pick = 0;
		for (size_t i = 0; i < l.n; i++)
			if (strcmp(l.v[i].list, list) == 0)
				pick = i;
		link_msgid(f->c, href, l.v[pick].list, msgid);
		found = !href->err;
	}
	render_entries_free(&l);
	return found;
}

/* ---- diffs ---- */

/* A name as a diff's header writes it, without git's "a/" or "b/". */
static struct span strip_prefix(const char *p, size_t n)
{
	/* "b/path", and a tab and a date after the name in diff -u. */
	size_t k = 0;
	while (k < n && p[k] != '\t')
		k++;
	if (k >= 2 && (p[0] == 'b' || p[0] == 'a') && p[1] == '/')
		return span_make(p + 2, k - 2);
	return span_make(p, k);
}

/* The new name of a "diff --git a/X b/Y" line: false if l is none. */
static bool git_name(const char *l, size_t ll, struct span *name)
{
	if (!starts(l, ll, "diff --git "))
		return false;
	/* The last " b/" starts the new name. */
	const char *b = NULL;
	for (size_t k = 10; k + 3 <= ll; k++)
		if (memcmp(l + k, " b/", 3) == 0)
			b = l + k + 1;
	if (!b)
		return false;
	*name = strip_prefix(b, (size_t)(l + ll - b));
	return true;
}

/* Is the line at l "+++ NAME" after a line "--- "? */
static bool plus_after_minus(const char *t, const char *l, size_t ll)
{
	if (!starts(l, ll, "+++ ") || ll <= 4 || l == t)
		return false;
	const char *prev = l - 1; /* its newline */
	while (prev > t && prev[-1] != '\n')
		prev--;
	return starts(prev, (size_t)(l - prev), "--- ");
}

/* Whether lit is in p[0..n) (memmem, by its first two bytes: glibc's
 * memmem took a page's whole text at several instructions a byte). */
static bool has_text(const char *p, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	for (size_t i = 0; n - i >= k;) {
		const char *q = mem2chr(p + i, n - i, lit[0], lit[1]);
		if (!q || (size_t)(p + n - q) < k)
			return false;
		if (memcmp(q, lit, k) == 0)
			return true;
		i = (size_t)(q - p) + 1;
	}
	return false;
}

/* The files of the diffs in t[0..n), in order, for the diffstat's
 * links: the new name of each "diff --git a/X b/Y" when there are such
 * lines (git), else of each "+++ NAME" after a "--- " line (diff -u).
 * At most DIFF_FILES_MAX. */
static void find_files(const char *t, size_t n, struct body_files *fl)
{
	fl->n = 0;
	fl->git = has_text(t, n, "diff --git ");
	/* Only lines that start with the first letter of "diff --git " (git)
	 * or of "+++ " can name a file: the others are skipped 16 bytes at
	 * a time. */
	char first = fl->git ? 'd' : '+';
	for (size_t i = 0; i < n && fl->n < DIFF_FILES_MAX;) {
		if (t[i] != first) {
			const char *q = mem2chr(t + i, n - i, '\n', first);
			if (!q)
				break;
			i = (size_t)(q - t) + 1;
		}
		size_t ll = line_len(t + i, n - i);
		const char *l = t + i;
		struct span name;
		if (fl->git ? git_name(l, ll, &name) : plus_after_minus(t, l, ll)) {
			if (!fl->git)
				name = strip_prefix(l + 4, ll - 4);
			fl->v[fl->n++] = name;
		}
		i += ll + 1;
	}
}

/* Is the line at l where the next file's anchor goes (as find_files
 * counted them)? */
static bool anchor_line(const struct body_files *fl, const char *t, const char *l, size_t ll)
{
	struct span name;
	return fl->git ? git_name(l, ll, &name) : plus_after_minus(t, l, ll);
}

static void file_anchor(struct buf *b, const struct body_fmt *f, size_t k)
{
	buf_printf(b, "df-%d-%d-%zu", f->day, f->num, k);
}

/* The file of the diffstat's name (whole, or "..." and its end), or -1. */
static long stat_file(const struct body_files *fl, const char *name, size_t n)
{
	bool tail = n > 3 && memcmp(name, "...", 3) == 0;
	for (size_t k = 0; k < fl->n; k++) {
		struct span s = fl->v[k];
		if (s.n == n && memcmp(s.p, name, n) == 0)
			return (long)k;
		if (tail && s.n >= n - 3 && memcmp(s.p + s.n - (n - 3), name + 3, n - 3) == 0)
			return (long)k;
	}
	return -1;
}

/* A diffstat line " NAME | 12 +++--" or " NAME | Bin 0 -> 12 bytes":
 * the span of NAME, or false. */
static bool stat_line(const char *l, size_t ll, size_t *from, size_t *len)
{
	if (ll < 5 || l[0] != ' ' || l[1] == ' ')
		return false;
	const char *bar = memchr(l, '|', ll);
	if (!bar)
		return false;
	size_t e = (size_t)(bar - l);
	size_t after = e + 1;
	while (after < ll && l[after] == ' ')
		after++;
	if (after >= ll ||
	    !((l[after] >= '0' && l[after] <= '9') || starts(l + after, ll - after, "Bin")))
		return false;
	while (e > 1 && l[e - 1] == ' ')
		e--;
	if (e <= 1)
		return false;
	*from = 1;
	*len = e - 1;
	return true;
}

/* The counts of a hunk header "@@ -a[,b] +c[,d] @@": false if it is not
 * one (the lines that follow are then taken by their first character). */
static bool hunk_counts(const char *l, size_t ll, long *old, long *new)
{
	size_t i = 3;
	long v[2] = {1, 1};
	for (int side = 0; side < 2; side++) {
		if (i >= ll || l[i] != (side ? '+' : '-'))
			return false;
		i++;
		while (i < ll && l[i] >= '0' && l[i] <= '9')
			i++;
		if (i < ll && l[i] == ',') {
			i++;
			long c = 0;
			size_t d = i;
			while (i < ll && l[i] >= '0' && l[i] <= '9' && c < 100000000)
				c = c * 10 + (l[i++] - '0');
			if (i == d)
				return false;
			v[side] = c;
		}
		if (i < ll && l[i] == ' ')
			i++;
	}
	if (!starts(l + i, ll - i, "@@"))
		return false;
	*old = v[0];
	*new = v[1];
	return true;
}

/* Lines of a diff's header, between "diff" and the first hunk. */
static bool file_line(const char *l, size_t ll)
{
	static const char *const heads[] = {"diff ",
	                                    "index ",
	                                    "--- ",
	                                    "+++ ",
	                                    "new file mode ",
	                                    "deleted file mode ",
	                                    "old mode ",
	                                    "new mode ",
	                                    "similarity index ",
	                                    "dissimilarity index ",
	                                    "rename from ",
	                                    "rename to ",
	                                    "copy from ",
	                                    "copy to ",
	                                    "Binary files ",
	                                    "GIT binary patch"};
	for (size_t i = 0; i < sizeof heads / sizeof *heads; i++)
		if (starts(l, ll, heads[i]))
			return true;
	return false;
}

/* Does a diff start at l: "diff " (git, diff -u -r), or "--- " followed
 * by "+++ " (a diff -u of one file)? */
static bool diff_starts(const char *l, size_t ll, const char *next, size_t nn)
{
	if (starts(l, ll, "diff --git ") || starts(l, ll, "diff -"))
		return true;
	return starts(l, ll, "--- ") && starts(next, nn, "+++ ");
}

/* ---- the text ---- */

struct out {
	struct body_fmt *f;
	struct buf *b;
	unsigned flags;
	const struct html_links *lk;
};

static void text(struct out *o, const char *p, size_t n)
{
	html_body_ex(o->b, p, n, o->flags, o->lk);
}

/* A line in a span of class cls (none if NULL), then its newline if it
 * has one. */
static void line(struct out *o, const char *cls, const char *l, size_t ll, bool nl)
{
	if (cls) {
		buf_adds(o->b, "<span class=\"");
		buf_adds(o->b, cls);
		buf_adds(o->b, "\">");
	}
	text(o, l, ll);
	if (cls)
		buf_adds(o->b, "</span>");
	if (nl)
		buf_addc(o->b, '\n');
}

/* Lines of a hunk of one kind (context, added or removed: c0 ' ', '+'
 * or '-'), p[0..n) up to the last one's end, each as line() writes it
 * (the last one's newline if nl), in one pass over them. */
#define WRAP(cls)                                                                               \
	{                                                                                       \
		"<span class=\"" cls "\">", "</span>", sizeof "<span class=\"" cls "\">" - 1, 7 \
	}
static void hunk_lines(struct out *o, char c0, const char *p, size_t n, bool nl)
{
	static const struct html_wrap context = {"", "", 0, 0}, add = WRAP("d-add"),
				      del = WRAP("d-del");
	html_body_lines(o->b, p, n, o->flags, o->lk,
	                c0 == '+'   ? &add
	                : c0 == '-' ? &del
	                            : &context);
	if (nl)
		buf_addc(o->b, '\n');
}
#undef WRAP

/* Lines [p, p+n) (n lines) as a block of class cls, folded in a
 * <details> when it has at least fold lines: the first line is its
 * summary, and its last tail lines follow it, open. */
static void block(struct out *o, const char *cls, const char *p, size_t n, size_t lines,
                  size_t fold, size_t tail)
{
	struct buf *b = o->b;
	if (lines < fold || lines < tail + 2) {
		buf_printf(b, "<span class=\"%s\">", cls);
		text(o, p, n);
		buf_adds(b, "</span>");
		return;
	}
	/* Where the open tail starts: after the tail+1-th newline from the
	 * end (the block's last line may have none). */
	size_t at = n, seen = 0;
	bool last_nl = n && p[n - 1] == '\n';
	while (at > 0 && tail) {
		if (p[at - 1] == '\n' && !(at == n && last_nl) && ++seen == tail)
			break;
		at--;
	}
	if (!tail)
		at = n;
	size_t first = line_len(p, n);
	size_t folded = lines - 1 - tail;
	buf_printf(b, "<details class=\"%s\"><summary>", cls);
	text(o, p, first);
	buf_printf(b, "<span class=\"fold\" data-more=\"%zu more line%s\"></span>\n</summary>",
	           folded, folded == 1 ? "" : "s");
	text(o, p + first + 1, at - first - 1);
	buf_adds(b, "</details>");
	if (at < n) {
		buf_printf(b, "<span class=\"%s\">", cls);
		text(o, p + at, n - at);
		buf_adds(b, "</span>");
	}
}

void body_html(struct body_fmt *f, struct buf *b, const char *t, size_t n, unsigned flags)
{
	struct html_links lk = {local_copy, f};
	struct out o = {f, b, flags, (flags & HTML_LINKS) ? &lk : NULL};
	/* Trailing newlines stay outside every block, so that the page's
	 * trimming of blank lines at the end sees them. */
	size_t end = n;
	while (end > 0 && t[end - 1] == '\n')
		end--;
	struct body_files *fl = &f->files;
	find_files(t, end, fl);
	size_t file0 = f->nfiles, filek = 0;
	enum { S_TEXT, S_HEAD, S_HUNK } st = S_TEXT;
	long old_left = 0, new_left = 0;
	bool loose = false; /* a hunk without counts: lines by their first character */
	/* Each file is in the diffstat once: a text of many lines that look
	 * like a diffstat's is not compared with every file, line by line. */
	size_t stat_tries = 2 * (size_t)fl->n;
	size_t i = 0;
	size_t known = SIZE_MAX, known_ll = 0; /* a line's length found before */
	while (i < end) {
		const char *l = t + i;
		size_t ll = i == known ? known_ll : line_len(l, end - i);
		bool nl = i + ll < end;
		const char *next = nl ? l + ll + 1 : l + ll;
		/* The next line is looked at only after a "--- " line. */
		size_t nn = nl && starts(l, ll, "--- ") ? line_len(next, end - i - ll - 1) : 0;
		size_t step = ll + 1;
		if (st == S_HUNK) {
			bool more = loose || old_left > 0 || new_left > 0;
			char c0 = ll ? l[0] : ' ';
			bool sig = ll == 3 && memcmp(l, "-- ", 3) == 0;
			if (more && (c0 == ' ' || c0 == '-' || c0 == '+') && !(loose && sig)) {
				/* This line and those after it that the same test
				 * takes as lines of the same kind, written at once
				 * (a line at a time was most of a patch's page). */
				size_t from = i, upto;
				bool last_nl;
				for (;;) {
					old_left -= c0 != '+';
					new_left -= c0 != '-';
					upto = i + ll;
					last_nl = nl;
					i += step;
					if (!nl || i >= end)
						break;
					const char *l2 = t + i;
					size_t ll2 = line_len(l2, end - i);
					char d0 = ll2 ? l2[0] : ' ';
					bool sig2 = ll2 == 3 && memcmp(l2, "-- ", 3) == 0;
					if (d0 != c0 || !(loose || old_left > 0 || new_left > 0) ||
					    (loose && sig2)) {
						known = i;
						known_ll = ll2;
						break;
					}
					ll = ll2;
					nl = i + ll < end;
					step = ll + 1;
				}
				hunk_lines(&o, c0, t + from, upto - from, last_nl);
				continue;
			}
			if (c0 == '\\') { /* "\ No newline at end of file" */
				line(&o, NULL, l, ll, nl);
				i += step;
				continue;
			}
			st = S_HEAD;
		} else if (st == S_TEXT && diff_starts(l, ll, next, nn)) {
			buf_adds(b, "<span class=\"diff\">");
			st = S_HEAD;
		}
		if (st == S_HEAD) {
			if (starts(l, ll, "@@ ")) {
				loose = !hunk_counts(l, ll, &old_left, &new_left);
				line(&o, "d-hunk", l, ll, nl);
				st = S_HUNK;
				i += step;
				continue;
			}
			if (file_line(l, ll) &&
			    (!starts(l, ll, "--- ") || starts(next, nn, "+++ "))) {
				if (filek < fl->n && anchor_line(fl, t, l, ll)) {
					buf_adds(b, "<span class=\"d-file\" id=\"");
					file_anchor(b, f, file0 + filek++);
					buf_adds(b, "\">");
					line(&o, NULL, l, ll, false);
					buf_adds(b, "</span>");
					if (nl)
						buf_addc(b, '\n');
				} else {
					line(&o, "d-file", l, ll, nl);
				}
				i += step;
				continue;
			}
			/* Not a diff's line: the diff ends before it. */
			buf_adds(b, "</span>");
			st = S_TEXT;
		}
		if (ll && l[0] == '>') {
			size_t j = i, lines = 0;
			while (j < end && t[j] == '>') {
				j += line_len(t + j, end - j) + 1;
				lines++;
			}
			if (j > end)
				j = end;
			block(&o, "q", l, j - i, lines, QUOTE_FOLD_LINES + 1, QUOTE_TAIL_LINES);
			i = j;
			continue;
		}
		if (ll == 3 && memcmp(l, "-- ", 3) == 0 && nl) {
			size_t lines = 1;
			for (size_t k = i; k < end; k++)
				lines += t[k] == '\n';
			block(&o, "sig", l, end - i, lines, SIG_FOLD_LINES + 1, 0);
			i = end;
			continue;
		}
		size_t from, len;
		long k;
		if (stat_tries && stat_line(l, ll, &from, &len) &&
		    (stat_tries--, k = stat_file(fl, l + from, len)) >= 0) {
			text(&o, l, from);
			buf_adds(b, "<span class=\"d-stat\"><a href=\"#");
			file_anchor(b, f, file0 + (size_t)k);
			buf_adds(b, "\">");
			text(&o, l + from, len);
			buf_adds(b, "</a></span>");
			line(&o, NULL, l + from + len, ll - from - len, nl);
		} else {
			line(&o, NULL, l, ll, nl);
		}
		i += step;
	}
	if (st != S_TEXT)
		buf_adds(b, "</span>");
	f->nfiles = file0 + filek;
	if (end < n)
		buf_add(b, t + end, n - end);
}
