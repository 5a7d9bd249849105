/* textlore.c: the search text lore's prefixes need beyond words: the
 * parts of a message's diffs (dfa: dfb: dfctx: dfhh: dfpre: dfpost:),
 * its patch ids (patchid:), attachment names (n:) and List-Id (l:,
 * lid:).  Diff lines are read as public-inbox reads them: a line is part
 * of a diff after a "diff ", "--- ", "+++ " or "index " line, until a
 * line that no diff has (or the "-- " before a signature). */
#include <stdio.h>
#include <string.h>

#include "limits.h"
#include "msg/text_int.h"
#include "util/fold.h"
#include "util/hash.h"
#include "util/stem.h"

/* A List-Id id longer than this is not one (mailing lists use ~40). */
#define LIST_ID_MAX 256

void text_lore_init(struct msg_text *t)
{
	buf_init(&t->dfa, SEARCH_TEXT_MAX);
	buf_init(&t->dfb, SEARCH_TEXT_MAX);
	buf_init(&t->dfctx, SEARCH_TEXT_MAX);
	buf_init(&t->dfhh, SEARCH_TEXT_MAX / 8);
	buf_init(&t->dfpre, SEARCH_TEXT_MAX / 8);
	buf_init(&t->dfpost, SEARCH_TEXT_MAX / 8);
	buf_init(&t->names, SEARCH_TEXT_MAX / 8);
	buf_init(&t->lid, SEARCH_TEXT_MAX / 8);
	buf_init(&t->nqrest, SEARCH_TEXT_MAX);
	t->npatchids = 0;
	t->stemmer = NULL;
	t->stemmer_lent = false;
}

void text_lore_free(struct msg_text *t)
{
	buf_free(&t->dfa);
	buf_free(&t->dfb);
	buf_free(&t->dfctx);
	buf_free(&t->dfhh);
	buf_free(&t->dfpre);
	buf_free(&t->dfpost);
	buf_free(&t->names);
	buf_free(&t->lid);
	buf_free(&t->nqrest);
	if (!t->stemmer_lent)
		stemmer_free(t->stemmer);
	t->stemmer = NULL;
	t->stemmer_lent = false;
}

void msg_text_lend_stemmer(struct msg_text *t, struct stemmer *s)
{
	if (!t->stemmer_lent)
		stemmer_free(t->stemmer);
	t->stemmer = s;
	t->stemmer_lent = s != NULL;
}

void text_lore_reset(struct msg_text *t)
{
	buf_reset(&t->dfa);
	buf_reset(&t->dfb);
	buf_reset(&t->dfctx);
	buf_reset(&t->dfhh);
	buf_reset(&t->dfpre);
	buf_reset(&t->dfpost);
	buf_reset(&t->names);
	buf_reset(&t->lid);
	buf_reset(&t->nqrest);
	t->npatchids = 0;
	if (t->stemmer)
		stemmer_reset(t->stemmer);
}

static inline bool starts(const char *p, size_t n, const char *lit)
{
	size_t k = strlen(lit); /* (a constant once inlined) */
	return n >= k && memcmp(p, lit, k) == 0;
}

static void add_line(struct buf *b, const char *p, size_t n)
{
	buf_add(b, p, n);
	buf_addc(b, '\n');
}

/* A line of a diff's part: after MSG_LINE_BREAK if it is not the
 * first. */
static void add_diff_line(struct buf *b, const char *p, size_t n)
{
	if (b->len)
		buf_adds(b, MSG_LINE_BREAK " ");
	add_line(b, p, n);
}

/* After a hunk header's context p[0..n) in dfhh: the stems of its words
 * (folded first, as the index folds them: util/fold.h) not given before
 * in this message, each after MSG_STEM_MARK. */
static void add_hh_stems(struct msg_text *t, const char *p, size_t n)
{
	if (!t->stemmer && !(t->stemmer = stemmer_new()))
		return;
	char folded[512];
	if (n > sizeof folded)
		n = sizeof folded; /* (a function's name is at its start) */
	if (fold_needed(p, n)) {
		n = fold_letters(p, n, folded);
		p = folded;
	}
	struct buf stems;
	buf_init(&stems, sizeof folded * 2);
	stemmer_stems(t->stemmer, &stems, p, n);
	for (size_t i = 0; i < stems.len && !stems.err;) {
		const char *sp = memchr(stems.data + i, ' ', stems.len - i);
		size_t k = sp ? (size_t)(sp - (stems.data + i)) : stems.len - i;
		if (k) {
			buf_adds(&t->dfhh, MSG_STEM_MARK);
			buf_add(&t->dfhh, stems.data + i, k);
			buf_addc(&t->dfhh, ' ');
		}
		i += k + 1;
	}
	buf_free(&stems);
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A blob id (hex digits, lowercased) to b, space-separated. */
static void add_blob(struct buf *b, const char *p, size_t n)
{
	if (b->len)
		buf_addc(b, ' ');
	for (size_t i = 0; i < n; i++)
		buf_addc(b, p[i] >= 'A' && p[i] <= 'F' ? (char)(p[i] + 32) : p[i]);
}

/* "index A..B[ mode]": A and B, if both are hex. */
static bool index_line(struct msg_text *t, const char *p, size_t n)
{
	size_t i = 6, a = i;
	while (i < n && is_hex(p[i]))
		i++;
	size_t an = i - a;
	if (!an || i + 2 > n || p[i] != '.' || p[i + 1] != '.')
		return false;
	i += 2;
	size_t b = i;
	while (i < n && is_hex(p[i]))
		i++;
	if (i == b)
		return false;
	add_blob(&t->dfpre, p + a, an);
	add_blob(&t->dfpost, p + b, i - b);
	return true;
}

/* Header lines of a diff that are neither content nor its end. */
static bool diff_meta(const char *p, size_t n)
{
	switch (n ? p[0] : 0) {
	case 's': return starts(p, n, "similarity index");
	case 'd': return starts(p, n, "dissimilarity index") || starts(p, n, "deleted file mode");
	case 'r': return starts(p, n, "rename from ") || starts(p, n, "rename to ");
	case 'c': return starts(p, n, "copy from ") || starts(p, n, "copy to ");
	case 'o': return starts(p, n, "old mode ");
	case 'n': return starts(p, n, "new mode ") || starts(p, n, "new file mode");
	case '\\': return starts(p, n, "\\ No newline");
	case 'B': return starts(p, n, "Binary files ");
	case 'G': return starts(p, n, "GIT binary patch");
	default: return false;
	}
}

void text_nq_line(struct msg_text *t, const char *p, size_t n)
{
	add_line(&t->nqrest, p, n);
}

void text_diff_line(struct msg_text *t, bool *in_diff, const char *p, size_t n)
{
	size_t whole = n;
	if (n && p[n - 1] == '\r')
		n--;
	/* Most lines of most messages: text, outside any diff. */
	if (!*in_diff && n && p[0] != 'd' && p[0] != '-' && p[0] != '+' && p[0] != 'i' &&
	    p[0] != '@') {
		add_line(&t->nqrest, p, whole);
		return;
	}
	bool content = *in_diff && n > 0 && (p[0] == ' ' || p[0] == '+' || p[0] == '-') &&
	               !(n == 3 && !memcmp(p, "-- ", 3)) && !starts(p, n, "--- ") &&
	               !starts(p, n, "+++ ");
	if (!content)
		add_line(&t->nqrest, p, whole);
	if (*in_diff && starts(p, n, " ")) {
		add_diff_line(&t->dfctx, p + 1, n - 1);
	} else if (n == 3 && !memcmp(p, "-- ", 3)) {
		*in_diff = false; /* a signature follows */
	} else if (starts(p, n, "diff ") || starts(p, n, "--- ") || starts(p, n, "+++ ")) {
		*in_diff = true; /* (the file names go to dfn) */
	} else if (*in_diff && starts(p, n, "+")) {
		add_diff_line(&t->dfb, p + 1, n - 1);
	} else if (*in_diff && starts(p, n, "-")) {
		add_diff_line(&t->dfa, p + 1, n - 1);
	} else if (starts(p, n, "index ") && index_line(t, p, n)) {
		*in_diff = true;
	} else if (starts(p, n, "@@ ")) {
		/* "@@ -a,b +c,d @@ context": the context, usually a function. */
		const char *e = n > 3 ? memchr(p + 3, '@', n - 3) : NULL;
		if (e && (size_t)(e - p) + 1 < n && e[1] == '@') {
			size_t k = (size_t)(e - p) + 2;
			while (k < n && (p[k] == ' ' || p[k] == '\t'))
				k++;
			if (k < n) {
				add_diff_line(&t->dfhh, p + k, n - k);
				add_hh_stems(t, p + k, n - k);
			}
		}
	} else if (n == 0 || diff_meta(p, n)) {
		/* An empty line may be a context line a mailer trimmed. */
	} else {
		*in_diff = false;
	}
}

void text_patchids(struct msg_text *t, const char *text, size_t n)
{
	char ids[PATCHIDS_MAX][PATCHID_HEX + 1];
	size_t k = msg_patchids(text, n, ids, PATCHIDS_MAX);
	if (k > PATCHIDS_MAX)
		k = PATCHIDS_MAX;
	for (size_t i = 0; i < k && t->npatchids < PATCHIDS_MAX; i++) {
		bool seen = false;
		for (size_t j = 0; j < t->npatchids && !seen; j++)
			seen = !strcmp(t->patchids[j], ids[i]);
		if (!seen)
			memcpy(t->patchids[t->npatchids++], ids[i], PATCHID_HEX + 1);
	}
}

void msg_lid_token(const char *id, size_t n, char out[MSG_LID_TOKEN_LEN + 1])
{
	snprintf(out, MSG_LID_TOKEN_LEN + 1, "lid%016llx",
	         (unsigned long long)hash64(id, n, 0x6c6964));
}

void text_list_id(struct msg_text *t, struct span v)
{
	long lt = span_find(v, '<');
	if (lt < 0)
		return;
	struct span rest = span_make(v.p + lt + 1, v.n - (size_t)lt - 1);
	long gt = span_find(rest, '>');
	if (gt <= 0)
		return;
	/* Lowercased, without the line breaks of a folded field. */
	char id[LIST_ID_MAX];
	size_t k = 0;
	for (long i = 0; i < gt; i++) {
		char c = rest.p[i];
		if (c == '\n' || c == '\r' || c == '\t' || c == '\0')
			continue;
		if (k == sizeof id)
			return;
		id[k++] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
	}
	if (!k)
		return;
	char tok[MSG_LID_TOKEN_LEN + 1];
	msg_lid_token(id, k, tok);
	buf_add(&t->lid, id, k);
	buf_addc(&t->lid, ' ');
	add_line(&t->lid, tok, MSG_LID_TOKEN_LEN);
}

void text_filename(struct msg_text *t, const char *name)
{
	if (name && *name)
		add_line(&t->names, name, strlen(name));
}
