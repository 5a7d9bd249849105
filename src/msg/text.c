/* text.c: searchable text of a message.  Plain single-part messages (most
 * list mail) are decoded directly; anything else goes through GMime. */
#define _GNU_SOURCE
#include "msg/text.h"

#include <gmime/gmime.h>
#include <string.h>

#include "limits.h"
#include "msg/header.h"
#include "msg/htmltext.h"
#include "msg/msg.h"
#include "msg/text_int.h"
#include "util/span.h"
#include "util/utf8.h"

GMimeParserOptions *msg_parser_options(void);

void msg_text_init(struct msg_text *t)
{
	buf_init(&t->to, SEARCH_TEXT_MAX / 8);
	buf_init(&t->cc, SEARCH_TEXT_MAX / 8);
	buf_init(&t->nq, SEARCH_TEXT_MAX);
	buf_init(&t->q, SEARCH_TEXT_MAX);
	buf_init(&t->dfn, SEARCH_TEXT_MAX / 8);
	t->words_only = false;
	t->gmime_whole = false;
	text_lore_init(t);
}

void msg_text_free(struct msg_text *t)
{
	buf_free(&t->to);
	buf_free(&t->cc);
	buf_free(&t->nq);
	buf_free(&t->q);
	buf_free(&t->dfn);
	text_lore_free(t);
}

/* Adds a file name from a diff header line to dfn, once. */
static void add_dfn(struct msg_text *t, const char *p, size_t n)
{
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		n--;
	/* "--- a/x\t2019-05-20 ..." (diff -u): the name ends at a tab. */
	const char *tab = memchr(p, '\t', n);
	if (tab)
		n = (size_t)(tab - p);
	if ((n >= 2 && (p[0] == 'a' || p[0] == 'b') && p[1] == '/'))
		p += 2, n -= 2;
	if (n == 0 || (n == 9 && !memcmp(p, "/dev/null", 9)) || n > 512)
		return;
	if (t->dfn.len) {
		const char *d = t->dfn.data, *e = d + t->dfn.len;
		while (d < e) {
			const char *sp = memchr(d, ' ', (size_t)(e - d));
			size_t k = sp ? (size_t)(sp - d) : (size_t)(e - d);
			if (k == n && !memcmp(d, p, n))
				return;
			d += k + 1;
		}
		buf_addc(&t->dfn, ' ');
	}
	buf_add(&t->dfn, p, n);
}

/* Bytes of search text this message may still add: SEARCH_TEXT_MAX for
 * all its fields together. */
static size_t room(const struct msg_text *t)
{
	size_t used = t->to.len + t->cc.len + t->nq.len + t->q.len + t->dfn.len;
	return used < SEARCH_TEXT_MAX ? SEARCH_TEXT_MAX - used : 0;
}

/* A non-quoted line p[0..len): its part of a diff, and the file names
 * of a diff's header. */
static void diff_line(struct msg_text *t, bool *in_diff, const char *p, size_t len)
{
	text_diff_line(t, in_diff, p, len);
	if (len > 11 && !memcmp(p, "diff --git ", 11)) {
		/* diff --git a/X b/Y */
		const char *a = p + 11, *sp = memchr(a, ' ', len - 11);
		if (sp) {
			add_dfn(t, a, (size_t)(sp - a));
			add_dfn(t, sp + 1, (size_t)(p + len - sp - 1));
		}
	} else if (len > 4 && (!memcmp(p, "--- ", 4) || !memcmp(p, "+++ ", 4))) {
		add_dfn(t, p + 4, len - 4);
	}
}

/* Splits UTF-8 body text into quoted and non-quoted lines, picking up
 * diff file names and the other parts of diffs from the non-quoted ones.
 * Stops when the message's search text is full (a line is cut on a UTF-8
 * boundary). */
static void split_body(struct msg_text *t, const char *s, size_t n)
{
	const char *p = s, *end = s + n;
	bool in_diff = false;
	/* A part's lines are read for diffs only if one of them starts a
	 * diff's header, as public-inbox reads them: a hunk header pasted
	 * into a reply is text. */
	bool diffs = span_memmem(s, n, "\ndiff ", 6) || span_memmem(s, n, "\n--- ", 5) ||
	             span_memmem(s, n, "\n+++ ", 5);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t left = room(t);
		if (left <= 1)
			break;
		if ((size_t)(le - p) >= left) {
			le = p + utf8_trunc(p, left - 1);
			nl = NULL;
			end = le;
		}
		size_t len = (size_t)(le - p);
		const char *x = p;
		while (x < le && (*x == ' ' || *x == '\t'))
			x++;
		if (x < le && *x == '>') {
			while (x < le && (*x == '>' || *x == ' '))
				x++;
			buf_add(&t->q, x, (size_t)(le - x));
			buf_addc(&t->q, '\n');
			in_diff = false;
		} else {
			buf_add(&t->nq, p, len);
			buf_addc(&t->nq, '\n');
			if (!t->words_only && diffs)
				diff_line(t, &in_diff, p, len);
			else if (!t->words_only)
				text_nq_line(t, p, len);
		}
		p = nl ? nl + 1 : end;
	}
}

/* The value of parameter name in a Content-Type value, into out. */
static bool ct_param(struct span v, const char *name, char *out, size_t outn)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i + nl < v.n; i++) {
		if (v.p[i] != ';')
			continue;
		size_t j = i + 1;
		while (j < v.n &&
		       (v.p[j] == ' ' || v.p[j] == '\t' || v.p[j] == '\n' || v.p[j] == '\r'))
			j++;
		if (j + nl >= v.n || g_ascii_strncasecmp(v.p + j, name, nl) || v.p[j + nl] != '=')
			continue;
		j += nl + 1;
		bool quoted = j < v.n && v.p[j] == '"';
		j += quoted;
		size_t k = 0;
		while (j < v.n && k + 1 < outn && v.p[j] != (quoted ? '"' : ';') &&
		       !(!quoted && v.p[j] == ' '))
			out[k++] = v.p[j++];
		out[k] = '\0';
		return k > 0;
	}
	return false;
}

static void add_text(struct msg_text *t, const char *p, size_t n, const char *charset, bool html)
{
	struct buf u;
	char meta[64];
	if (html && (!charset || !*charset) && htmltext_meta_charset(p, n, meta, sizeof meta))
		charset = meta;
	/* A part with a patch is decoded whole (to PATCH_TEXT_MAX) for its
	 * patch ids; the words are taken from its first SEARCH_TEXT_MAX. */
	size_t take = n < SEARCH_TEXT_MAX ? n : SEARCH_TEXT_MAX;
	bool patch = !html && !t->words_only && n <= PATCH_TEXT_MAX &&
	             (span_memmem(p, n, "\ndiff ", 6) || (n > 5 && !memcmp(p, "diff ", 5)));
	if (patch)
		take = n;
	buf_init(&u, take * 4 + 64);
	/* Room for the text as it is (most is ASCII or UTF-8) at once,
	 * rather than a dozen doublings. */
	if (take && buf_reserve(&u, take + 64))
		buf_reset(&u);
	msg_to_utf8(&u, p, take, charset);
	if (patch) {
		text_patchids(t, u.data ? u.data : "", u.len);
		if (u.len > SEARCH_TEXT_MAX * 4)
			u.len = utf8_trunc(u.data, SEARCH_TEXT_MAX * 4);
	}
	if (html) {
		struct buf h;
		buf_init(&h, SEARCH_TEXT_MAX * 4);
		htmltext(&h, u.data ? u.data : "", u.len);
		split_body(t, h.data ? h.data : "", h.len);
		buf_free(&h);
	} else {
		split_body(t, u.data ? u.data : "", u.len);
	}
	buf_free(&u);
}

/* A decoded header into out, cut (on a UTF-8 boundary) to out's cap
 * rather than dropped when it is longer. */
static void decode_capped(struct buf *out, struct span raw)
{
	if (!raw.p)
		return;
	struct buf tmp;
	buf_init(&tmp, raw.n * 4 + 64);
	msg_decode_header(&tmp, raw, false);
	size_t n = tmp.len < out->max ? tmp.len : utf8_trunc(tmp.data, out->max - 1);
	buf_add(out, tmp.data ? tmp.data : "", n);
	buf_free(&tmp);
}

/* Does a Content-Type or Content-Disposition value name a file? */
static bool has_name(struct span v)
{
	for (size_t i = 0; i + 4 <= v.n; i++)
		if (!g_ascii_strncasecmp(v.p + i, "name", 4))
			return true;
	return false;
}

/* Text parts of a parsed message, in order; bounded walk. */
static void walk(struct msg_text *t, GMimeObject *root)
{
	GMimeObject *stack[64];
	int sp = 0, parts = 0;
	stack[sp++] = root;
	while (sp > 0 && parts++ < MIME_PARTS_MAX) {
		GMimeObject *o = stack[--sp];
		if (GMIME_IS_MULTIPART(o)) {
			int n = g_mime_multipart_get_count(GMIME_MULTIPART(o));
			for (int i = n - 1; i >= 0; i--)
				if (sp < 64)
					stack[sp++] =
						g_mime_multipart_get_part(GMIME_MULTIPART(o), i);
			continue;
		}
		if (GMIME_IS_MESSAGE_PART(o)) {
			GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
			GMimeObject *b = m ? g_mime_message_get_mime_part(m) : NULL;
			if (b && sp < 64)
				stack[sp++] = b;
			continue;
		}
		if (!GMIME_IS_PART(o))
			continue;
		text_filename(t, g_mime_part_get_filename(GMIME_PART(o)));
		GMimeContentType *ct = g_mime_object_get_content_type(o);
		const char *type = ct ? g_mime_content_type_get_media_type(ct) : "text";
		const char *sub = ct ? g_mime_content_type_get_media_subtype(ct) : "plain";
		if (g_ascii_strcasecmp(type ? type : "", "text") != 0)
			continue;
		GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(o));
		if (!w)
			continue;
		GMimeStream *mem = g_mime_stream_mem_new();
		g_mime_data_wrapper_write_to_stream(w, mem);
		GByteArray *a = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
		add_text(t, a->data ? (const char *)a->data : "", a->len,
		         g_mime_content_type_get_parameter(ct, "charset"),
		         sub && !g_ascii_strcasecmp(sub, "html"));
		g_object_unref(mem);
	}
}

/* Whether the header block of msg ended at an empty line at body, after
 * fields alone (every line a field or a continuation: hdr_next's split,
 * and GMime's, of such a block are one), with no From_ line or byte
 * order mark before it (which the two read differently). */
static bool clean_head(const char *msg, size_t body, unsigned count)
{
	if (count == 0 || count >= HDR_FIELDS_MAX || body < 2 || msg[body - 1] != '\n')
		return false;
	size_t e = body - 1; /* the empty line's '\n' */
	if (msg[e - 1] == '\r')
		e--;
	if (e == 0 || msg[e - 1] != '\n')
		return false;
	return !(body >= 5 && !memcmp(msg, "From ", 5)) &&
	       !(body >= 3 && !memcmp(msg, "\xEF\xBB\xBF", 3));
}

/* The header fields GMime's tree of a message depends on: the raw
 * extents of its Content-* fields (a message's other fields are the
 * message's, not its MIME part's). */
#define CONTENT_FIELDS_MAX 16
struct content_fields {
	struct span raw[CONTENT_FIELDS_MAX];
	unsigned n;
	bool over; /* more than CONTENT_FIELDS_MAX */
};

/* The charset parameter of a Content-Type value as GMime reads it for a
 * part (g_mime_header_get_value's unfolding and decoding, then
 * g_mime_content_type_parse), into out: 1, or 0 if it has none.  -1
 * for a value this does not read as GMime: anything but printable ASCII
 * and folding, or encoded words (which the decoding would change), or a
 * charset too long for out. */
static int gmime_charset(struct span v, char *out, size_t outn)
{
	for (size_t i = 0; i < v.n; i++) {
		unsigned char c = (unsigned char)v.p[i];
		if ((c < 32 && c != '\t' && c != '\r' && c != '\n') || c > 126)
			return -1;
	}
	if (memmem(v.p, v.n, "=?", 2))
		return -1;
	char *raw = g_strndup(v.p, v.n);
	char *unfolded = g_mime_utils_header_unfold(raw);
	GMimeContentType *ct = g_mime_content_type_parse(msg_parser_options(), unfolded);
	const char *cs = ct ? g_mime_content_type_get_parameter(ct, "charset") : NULL;
	int r = !cs ? 0 : strlen(cs) < outn ? 1 : -1;
	if (r == 1)
		strcpy(out, cs);
	if (ct)
		g_object_unref(ct);
	g_free(unfolded);
	g_free(raw);
	return r;
}

/* A message of one text/plain part in quoted-printable or base64 (a
 * tenth of list mail): its body decoded by GMime's decoder alone, as
 * GMime's parser hands it to walk (the body to the end of what the
 * parser is given, the charset parameter as it reads it), without the
 * parser's tree.  False if the message is not plainly one (walk reads
 * it). */
static bool encoded_plain(struct msg_text *t, const char *msg, size_t n, size_t body,
                          struct span ct, struct span cte)
{
	struct span cts = span_trim(ct), ctes = span_trim(cte);
	GMimeContentEncoding enc;
	if (span_ieq(ctes, "quoted-printable"))
		enc = GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
	else if (span_ieq(ctes, "base64"))
		enc = GMIME_CONTENT_ENCODING_BASE64;
	else
		return false;
	if (!span_istarts(cts, "text/plain"))
		return false;
	if (cts.n > 10 && cts.p[10] != ';' && cts.p[10] != ' ' && cts.p[10] != '\t' &&
	    cts.p[10] != '\r' && cts.p[10] != '\n')
		return false;
	char cs[64] = "";
	if (memchr(ct.p, ';', ct.n) && gmime_charset(ct, cs, sizeof cs) < 0)
		return false;
	size_t cap = n < SEARCH_TEXT_MAX * 8 ? n : SEARCH_TEXT_MAX * 8;
	if (body > cap)
		return false;
	GMimeEncoding st;
	g_mime_encoding_init_decode(&st, enc);
	size_t len = cap - body;
	size_t outlen = g_mime_encoding_outlen(&st, len);
	struct buf d;
	buf_init(&d, outlen + 64);
	if (buf_reserve(&d, outlen + 1)) {
		buf_free(&d);
		return false;
	}
	d.len = g_mime_encoding_step(&st, msg + body, len, d.data);
	d.len += g_mime_encoding_flush(&st, "", 0, d.data + d.len);
	add_text(t, d.data, d.len, cs[0] ? cs : NULL, false);
	buf_free(&d);
	return true;
}

void msg_text_extract(struct msg_text *t, const char *msg, size_t n)
{
	buf_reset(&t->to);
	buf_reset(&t->cc);
	buf_reset(&t->nq);
	buf_reset(&t->q);
	buf_reset(&t->dfn);
	text_lore_reset(t);
	struct hdr_iter it;
	struct hdr_field f;
	struct span ct = SPAN_NULL, cte = SPAN_NULL, to = SPAN_NULL, cc = SPAN_NULL;
	bool named = false; /* a file name: only GMime reads those */
	unsigned nct = 0, ncte = 0;
	struct content_fields cf = {.n = 0};
	hdr_iter_init(&it, msg, n < HEAD_MAX ? n : HEAD_MAX);
	while (hdr_next(&it, &f)) {
		/* By length first: most fields are none of these. */
		if (f.name.n == 2) {
			if (span_ieq(f.name, "to"))
				to = f.value;
			else if (span_ieq(f.name, "cc"))
				cc = f.value;
		} else if (f.name.n == 7 && span_ieq(f.name, "list-id")) {
			text_list_id(t, f.value);
		} else if (f.name.n >= 8 && !g_ascii_strncasecmp(f.name.p, "content-", 8)) {
			bool type = span_ieq(f.name, "content-type");
			if (type)
				ct = f.value, nct++;
			else if (span_ieq(f.name, "content-transfer-encoding"))
				cte = f.value, ncte++;
			if (type || span_ieq(f.name, "content-disposition"))
				named |= has_name(f.value);
			if (cf.n < CONTENT_FIELDS_MAX)
				cf.raw[cf.n++] = span_make(f.line.p, (size_t)(it.p - f.line.p));
			else
				cf.over = true;
		}
	}
	decode_capped(&t->to, to);
	decode_capped(&t->cc, cc);
	size_t body = (size_t)(it.body - msg);
	struct span cts = span_trim(ct), ctes = span_trim(cte);
	bool plain = (!ct.p || span_istarts(cts, "text/plain")) && !named;
	bool raw_cte = !cte.p || span_ieq(ctes, "7bit") || span_ieq(ctes, "8bit") ||
	               span_ieq(ctes, "binary");
	if (plain && raw_cte) {
		char cs[64] = "";
		if (ct.p)
			ct_param(ct, "charset", cs, sizeof cs);
		add_text(t, msg + body, n - body, cs[0] ? cs : NULL, false);
		return;
	}
	msg_library_init();
	if (msg_mime_too_many_parts(msg, n))
		return; /* not searchable beyond its headers */
	bool clean = !t->gmime_whole && clean_head(msg, body, it.count);
	if (clean && plain && nct == 1 && ncte == 1 && encoded_plain(t, msg, n, body, ct, cte))
		return;
	size_t cap = n < SEARCH_TEXT_MAX * 8 ? n : SEARCH_TEXT_MAX * 8;
	GByteArray *a;
	if (clean && !cf.over && body <= cap) {
		/* GMime is given the Content-* fields alone, then the empty
		 * line and the body: the tree is the same, without the
		 * message's other fields read (addresses, dates, ids). */
		size_t sep = body - (msg[body - 2] == '\r' ? 2 : 1);
		size_t hl = 0;
		for (unsigned i = 0; i < cf.n; i++)
			hl += cf.raw[i].n;
		a = g_byte_array_sized_new((guint)(hl + cap - sep));
		for (unsigned i = 0; i < cf.n; i++)
			g_byte_array_append(a, (const guint8 *)cf.raw[i].p, (guint)cf.raw[i].n);
		g_byte_array_append(a, (const guint8 *)msg + sep, (guint)(cap - sep));
	} else {
		a = g_byte_array_sized_new((guint)cap);
		g_byte_array_append(a, (const guint8 *)msg, (guint)cap);
	}
	GMimeStream *s = g_mime_stream_mem_new_with_byte_array(a);
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	g_mime_parser_set_format(p, GMIME_FORMAT_MESSAGE);
	GMimeMessage *m = g_mime_parser_construct_message(p, msg_parser_options());
	g_object_unref(p);
	g_object_unref(s);
	if (!m)
		return;
	GMimeObject *root = g_mime_message_get_mime_part(m);
	if (root)
		walk(t, root);
	g_object_unref(m);
}
