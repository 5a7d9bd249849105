/* patchid.c: `git patch-id --stable`, read the way git reads its input
 * (see patchid.h).  Written from git's documentation and checked against
 * git itself (tests/t7010-lore-query.sh runs git on every patch of the
 * samples); where git's reading of damaged diffs has quirks, they are
 * kept, since an id that differs from git's finds nothing. */
#define _GNU_SOURCE
#include "msg/patchid.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define SHA1_BYTES 20
/* git keeps at most this many characters of each blob id of an "index"
 * line (the longest hash it knows, SHA-256's). */
#define OID_TEXT_MAX 64

struct pid {
	GChecksum *sha;
	unsigned char sum[SHA1_BYTES]; /* the patch's files' hashes, added up */
	unsigned char chunk[4096];     /* bytes waiting for the hash */
	size_t used;
	/* Blob ids of the last "index" line: a binary diff hashes them.
	 * They carry over from one patch to the next, as in git. */
	char pre[OID_TEXT_MAX + 1], post[OID_TEXT_MAX + 1];
};

/* git's own isspace (not the C library's): \v and \f are not spaces. */
static bool git_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool git_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool starts(const char *p, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	return n >= k && memcmp(p, lit, k) == 0;
}

static void feed_flush(struct pid *s)
{
	if (s->used)
		g_checksum_update(s->sha, s->chunk, s->used);
	s->used = 0;
}

static void feed(struct pid *s, const char *p, size_t n)
{
	while (n) {
		size_t k = sizeof s->chunk - s->used;
		if (k > n)
			k = n;
		memcpy(s->chunk + s->used, p, k);
		s->used += k;
		p += k;
		n -= k;
		if (s->used == sizeof s->chunk)
			feed_flush(s);
	}
}

/* Feeds the line without its whitespace; returns how many bytes that was. */
static size_t feed_nospace(struct pid *s, const char *p, size_t n)
{
	size_t fed = 0;
	for (size_t i = 0; i < n; i++) {
		if (git_space((unsigned char)p[i]))
			continue;
		if (s->used == sizeof s->chunk)
			feed_flush(s);
		s->chunk[s->used++] = (unsigned char)p[i];
		fed++;
	}
	return fed;
}

/* Ends one file's hash and adds it to the sum (byte 0 first, with carry). */
static void add_file(struct pid *s)
{
	unsigned char h[SHA1_BYTES];
	gsize hn = sizeof h;
	feed_flush(s);
	g_checksum_get_digest(s->sha, h, &hn);
	g_checksum_reset(s->sha);
	unsigned carry = 0;
	for (int i = 0; i < SHA1_BYTES; i++) {
		carry += (unsigned)s->sum[i] + h[i];
		s->sum[i] = (unsigned char)carry;
		carry >>= 8;
	}
}

/* C's atoi as glibc does it (strtol, then the low 32 bits), on p[0..n). */
static int c_atoi(const char *p, size_t n)
{
	size_t i = 0;
	while (i < n && (p[i] == ' ' || (p[i] >= '\t' && p[i] <= '\r')))
		i++;
	bool neg = false;
	if (i < n && (p[i] == '+' || p[i] == '-'))
		neg = p[i++] == '-';
	uint64_t v = 0;
	bool big = false;
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			big = true;
		else
			v = v * 10 + (uint64_t)(p[i] - '0');
	}
	int64_t r;
	if (big || v > (uint64_t)INT64_MAX)
		r = neg ? INT64_MIN : INT64_MAX;
	else
		r = neg ? -(int64_t)v : (int64_t)v;
	return (int)(uint32_t)(uint64_t)r;
}

static size_t digits(const char *p, size_t n, size_t at)
{
	size_t k = 0;
	while (at + k < n && p[at + k] >= '0' && p[at + k] <= '9')
		k++;
	return k;
}

static char at(const char *p, size_t n, size_t i)
{
	return i < n ? p[i] : '\0';
}

/* "@@ -a,b +c,d": the line counts b and d (1 when left out).  As in
 * git, a header that stops short leaves what it did not reach as it
 * was. */
static void scan_hunk(const char *p, size_t n, int *before, int *after)
{
	size_t q = 4, k = digits(p, n, q);
	if (at(p, n, q + k) == ',') {
		q += k + 1;
		*before = c_atoi(p + q, n - q);
		k = digits(p, n, q);
	} else {
		*before = 1;
	}
	if (k == 0 || at(p, n, q + k) != ' ' || at(p, n, q + k + 1) != '+')
		return;
	size_t r = q + k + 2;
	k = digits(p, n, r);
	if (at(p, n, r + k) == ',') {
		r += k + 1;
		*after = c_atoi(p + r, n - r);
	} else {
		*after = 1;
	}
}

static void copy_oid(char *dst, const char *p, size_t n)
{
	if (n > OID_TEXT_MAX)
		n = OID_TEXT_MAX;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

/* "index A..B[ mode]": keeps A and B. */
static void index_line(struct pid *s, const char *p, size_t n)
{
	const char *dots = memmem(p, n, "..", 2);
	if (!dots)
		return;
	size_t d = (size_t)(dots - p);
	const char *sp = memchr(dots, ' ', n - d);
	size_t e = sp ? (size_t)(sp - p) : n - 1;
	copy_oid(s->pre, p + 6, d - 6);
	copy_oid(s->post, p + d + 2, e > d + 2 ? e - d - 2 : 0);
}

/* Does the line start with a commit id (40 hex digits), the start of
 * the next patch in `git log -p` or `format-patch` output? */
static bool commit_line(const char *p, size_t n)
{
	if (starts(p, n, "commit "))
		p += 7, n -= 7;
	else if (starts(p, n, "From "))
		p += 5, n -= 5;
	if (n < 40)
		return false;
	for (int i = 0; i < 40; i++)
		if (!is_hex((unsigned char)p[i]))
			return false;
	return true;
}

/* The next line of text[*pos..n): its start, and its length as git sees
 * it (up to and with the '\n', or up to a NUL, where git's C strings
 * end).  Advances *pos past the '\n'. */
static const char *next_line(const char *text, size_t n, size_t *pos, size_t *len)
{
	const char *p = text + *pos;
	const char *nl = memchr(p, '\n', n - *pos);
	size_t whole = nl ? (size_t)(nl - p) + 1 : n - *pos;
	const char *nul = memchr(p, '\0', whole);
	*len = nul ? (size_t)(nul - p) : whole;
	*pos += whole;
	return p;
}

/* One patch from *pos on: returns the bytes it hashed (0: no patch),
 * its id in s->sum. */
static size_t one_patch(struct pid *s, const char *text, size_t n, size_t *pos)
{
	int before = -1, after = -1;
	bool binary = false;
	size_t hashed = 0;
	memset(s->sum, 0, sizeof s->sum);
	g_checksum_reset(s->sha);
	s->used = 0;
	while (*pos < n) {
		size_t len;
		const char *line = next_line(text, n, pos, &len);
		/* "\ No newline at end of file" says nothing about the change. */
		if (!starts(line, len, "commit ") && !starts(line, len, "From ") &&
		    starts(line, len, "\\ ") && len > 12)
			continue;
		if (commit_line(line, len))
			break;
		/* The commit message, before the first diff. */
		if (!hashed && !starts(line, len, "diff "))
			continue;
		if (before == -1) { /* a file's header lines */
			if (starts(line, len, "GIT binary patch") ||
			    starts(line, len, "Binary files")) {
				binary = true;
				before = 0;
				feed(s, s->pre, strlen(s->pre));
				feed(s, s->post, strlen(s->post));
				add_file(s);
				continue;
			} else if (starts(line, len, "index ")) {
				index_line(s, line, len);
				continue;
			} else if (starts(line, len, "--- ")) {
				before = after = 1;
			} else if (!len || !git_alpha((unsigned char)line[0])) {
				break;
			}
		}
		if (binary) {
			if (starts(line, len, "diff ")) {
				binary = false;
				before = -1;
			}
			continue;
		}
		if (before == 0 && after == 0) { /* between hunks */
			if (starts(line, len, "@@ -")) {
				scan_hunk(line, len, &before, &after);
				continue;
			}
			if (!starts(line, len, "diff "))
				break; /* the end of the patch */
			add_file(s);
			before = after = -1;
		}
		char c = len ? line[0] : '\0';
		if (c == '-' || c == ' ')
			before--;
		if (c == '+' || c == ' ')
			after--;
		hashed += feed_nospace(s, line, len);
	}
	add_file(s);
	return hashed;
}

size_t msg_patchids(const char *text, size_t n, char (*out)[PATCHID_HEX + 1], size_t max)
{
	/* Nothing to do without a diff line: most messages. */
	if (n < 5 || !(starts(text, n, "diff ") || memmem(text, n, "\ndiff ", 6)))
		return 0;
	struct pid s;
	memset(&s, 0, sizeof s);
	s.sha = g_checksum_new(G_CHECKSUM_SHA1);
	size_t count = 0, pos = 0;
	static const char hex[] = "0123456789abcdef";
	while (pos < n) {
		if (!one_patch(&s, text, n, &pos))
			continue;
		if (count < max)
			for (int i = 0; i < SHA1_BYTES; i++) {
				out[count][2 * i] = hex[s.sum[i] >> 4];
				out[count][2 * i + 1] = hex[s.sum[i] & 15];
				out[count][PATCHID_HEX] = '\0';
			}
		count++;
	}
	g_checksum_free(s.sha);
	return count;
}
