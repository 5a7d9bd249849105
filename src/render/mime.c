/* mime.c: walk a message's MIME tree with GMime, iteratively and within
 * the bounds of limits.h, producing display blocks and attachments. */
#include "render/mime.h"

#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "limits.h"
#include "msg/msg.h"
#include "msg/htmltext.h"
#include "util/utf8.h"
#include "util/vec.h"

/* Parser options shared with msg/decode.c (lenient compliance modes). */
GMimeParserOptions *msg_parser_options(void);

struct mime_msg {
	GMimeMessage *msg; /* NULL for a plain message until GMime is needed */
	/* A plain message (see plain_of): its bytes (owned), where its
	 * header's empty line starts and its body starts, and its charset
	 * parameter (NULL if it has none). */
	char *data;
	size_t len, head_end, body;
	const char *charset_param;
	char plain_charset[64];
	/* Its From, To, Cc and Reply-To values (p NULL: none); addr_dup: one
	 * of them came twice (GMime reads those). */
	struct span addr_fields[4];
	bool addr_dup;
	/* Attachments found by the last walk, for mime_attachment. */
	int nattach;
	/* The media type and file name handed out by mime_attachment. */
	char type[128];
	char name[256];
	char charset[64]; /* of the part mime_part_open opened last */
};

static enum la_status open_stream(struct mime_msg **out, GMimeStream *stream)
{
	*out = NULL;
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	/* Parts refer to ranges of the stream instead of copies of it. */
	g_mime_parser_set_persist_stream(parser, TRUE);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, msg_parser_options());
	g_object_unref(parser);
	g_object_unref(stream);
	if (!msg)
		return LA_EINVAL;
	struct mime_msg *m = calloc(1, sizeof *m);
	if (!m) {
		g_object_unref(msg);
		return LA_ENOMEM;
	}
	m->msg = msg;
	*out = m;
	return LA_OK;
}

/* ---- plain messages: one text/plain part, read without GMime ----
 *
 * Most list mail is one text/plain part in 7bit or 8bit.  For such a
 * message GMime builds an object tree only for mime_walk to read its
 * body bytes back, so plain_of recognises the messages whose header
 * leaves no doubt about what GMime would make of them, and mime_walk
 * shows their body as show_text shows GMime's part (the same function
 * does both).  Anything else, or anything another call needs GMime
 * for, is parsed by GMime (need_gmime).  fuzz_mime checks that both
 * walks give the same blocks, and tests/t6017 that both give the same
 * pages for every message of the corpora. */

static bool is_token(unsigned char c)
{
	return c > 32 && c < 127 && !strchr("()<>@,;:\\\"/[]?=", c);
}

static bool is_lws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t skip_lws(const char *v, size_t n, size_t i)
{
	while (i < n && is_lws(v[i]))
		i++;
	return i;
}

static bool lit_ieq(const char *p, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	return n == k && g_ascii_strncasecmp(p, lit, k) == 0;
}

/* A Content-Type of "text/plain" with at most the parameters charset,
 * format and delsp, as tokens or quoted tokens: true, the charset (if
 * any) into cs[0..csn) and *has_cs. */
static bool plain_type(const char *v, size_t n, char *cs, size_t csn, bool *has_cs)
{
	size_t i = skip_lws(v, n, 0);
	if (n - i < 10 || g_ascii_strncasecmp(v + i, "text/plain", 10) != 0)
		return false;
	i = skip_lws(v, n, i + 10);
	*has_cs = false;
	while (i < n) {
		if (v[i] != ';')
			return false;
		i = skip_lws(v, n, i + 1);
		size_t name = i;
		while (i < n && is_token((unsigned char)v[i]))
			i++;
		size_t name_n = i - name;
		i = skip_lws(v, n, i);
		if (!name_n || i >= n || v[i] != '=')
			return false;
		i = skip_lws(v, n, i + 1);
		bool quoted = i < n && v[i] == '"';
		i += quoted;
		size_t val = i;
		while (i < n && is_token((unsigned char)v[i]))
			i++;
		size_t val_n = i - val;
		if (quoted) {
			if (i >= n || v[i] != '"')
				return false;
			i++;
		}
		if (!val_n)
			return false;
		i = skip_lws(v, n, i);
		if (lit_ieq(v + name, name_n, "charset")) {
			if (*has_cs || val_n >= csn)
				return false;
			memcpy(cs, v + val, val_n);
			cs[val_n] = '\0';
			*has_cs = true;
		} else if (!lit_ieq(v + name, name_n, "format") &&
		           !lit_ieq(v + name, name_n, "delsp")) {
			return false;
		}
	}
	return true;
}

/* Is data[0..len) a message of one text/plain part in an identity
 * encoding, with nothing in its header that could make GMime see it
 * otherwise?  Every header line must be a field ("Name:" of printable
 * characters) or a folded line with text, up to an empty line within
 * HEAD_MAX; Content-Type (once) as plain_type takes it, or none;
 * Content-Transfer-Encoding (once) 7bit, 8bit or binary, or none;
 * Content-Disposition (once) "inline", or none.  Fills m's plain
 * fields. */
static bool plain_of(struct mime_msg *m, const char *data, size_t len)
{
	struct span ct = {0}, cte = {0}, cd = {0};
	struct span *cur = NULL; /* the field the folded lines continue */
	size_t i = 0;
	for (;;) {
		if (i >= len || i >= HEAD_MAX)
			return false;
		const char *l = data + i;
		const char *nl = memchr(l, '\n', len - i);
		if (!nl)
			return false;
		size_t ll = (size_t)(nl - l);
		if (ll == 0 || (ll == 1 && l[0] == '\r')) {
			m->head_end = i;
			m->body = i + ll + 1;
			break;
		}
		if (memchr(l, '\0', ll))
			return false;
		if (l[0] == ' ' || l[0] == '\t') {
			size_t k = 0;
			while (k < ll && is_lws(l[k]))
				k++;
			if (i == 0 || k == ll)
				return false;
			if (cur)
				cur->n = (size_t)(nl - cur->p);
		} else {
			size_t k = 0;
			while (k < ll && l[k] > 32 && l[k] < 127 && l[k] != ':')
				k++;
			if (k == 0 || k == ll || l[k] != ':')
				return false;
			cur = NULL;
			static const char *const addr_names[] = {"from", "to", "cc", "reply-to"};
			for (int a = 0; a < 4; a++)
				if (lit_ieq(l, k, addr_names[a])) {
					cur = &m->addr_fields[a];
					m->addr_dup |= cur->p != NULL;
					*cur = span_make(l + k + 1, ll - k - 1);
				}
			if (k > 8 && g_ascii_strncasecmp(l, "content-", 8) == 0) {
				if (lit_ieq(l, k, "content-type"))
					cur = &ct;
				else if (lit_ieq(l, k, "content-transfer-encoding"))
					cur = &cte;
				else if (lit_ieq(l, k, "content-disposition"))
					cur = &cd;
				if (cur && cur->p)
					return false; /* twice: which one GMime takes is its own */
				if (cur)
					*cur = span_make(l + k + 1, ll - k - 1);
			}
		}
		i += ll + 1;
	}
	bool has_cs = false;
	if (ct.p && !plain_type(ct.p, ct.n, m->plain_charset, sizeof m->plain_charset, &has_cs))
		return false;
	m->charset_param = has_cs ? m->plain_charset : NULL;
	if (cte.p) {
		struct span t = span_trim(cte);
		if (!lit_ieq(t.p, t.n, "7bit") && !lit_ieq(t.p, t.n, "8bit") &&
		    !lit_ieq(t.p, t.n, "binary"))
			return false;
	}
	if (cd.p) {
		struct span t = span_trim(cd);
		if (!lit_ieq(t.p, t.n, "inline"))
			return false;
	}
	return true;
}

/* The test's switch: LISTARC_MIME_GMIME=1 parses every message with
 * GMime (tests/t6017 compares the pages made both ways). */
static bool plain_allowed(void)
{
	const char *e = getenv("LISTARC_MIME_GMIME");
	return !(e && *e == '1');
}

/* GMime's tree of m, parsed now if m was opened as a plain message:
 * LA_OK, or LA_EINVAL if GMime makes no message of it. */
static enum la_status need_gmime(struct mime_msg *m)
{
	if (m->msg)
		return LA_OK;
	if (!m->data)
		return LA_EINVAL;
	GByteArray *a = g_byte_array_new_take((guint8 *)m->data, m->len);
	m->data = NULL;
	struct mime_msg *g;
	enum la_status e = open_stream(&g, g_mime_stream_mem_new_with_byte_array(a));
	if (e)
		return e;
	m->msg = g->msg;
	free(g);
	return LA_OK;
}

enum la_status mime_open_mem(struct mime_msg **out, char *data, size_t len)
{
	msg_library_init();
	if (msg_mime_too_many_parts(data, len)) {
		free(data);
		*out = NULL;
		return LA_ETOOBIG;
	}
	if (plain_allowed()) {
		struct mime_msg *m = calloc(1, sizeof *m);
		if (!m) {
			free(data);
			*out = NULL;
			return LA_ENOMEM;
		}
		if (plain_of(m, data, len)) {
			m->data = data;
			m->len = len;
			*out = m;
			return LA_OK;
		}
		free(m);
	}
	GByteArray *a = g_byte_array_new_take((guint8 *)data, len);
	return open_stream(out, g_mime_stream_mem_new_with_byte_array(a));
}

enum la_status mime_open_fd(struct mime_msg **out, int fd, uint64_t off, uint64_t len)
{
	msg_library_init();
	int d = dup(fd);
	if (d < 0)
		return LA_EIO;
	return open_stream(out,
	                   g_mime_stream_fs_new_with_bounds(d, (gint64)off, (gint64)(off + len)));
}

bool mime_is_plain(const struct mime_msg *m)
{
	return m && !m->msg && m->data;
}

void mime_free(struct mime_msg *m)
{
	if (!m)
		return;
	if (m->msg)
		g_object_unref(m->msg);
	free(m->data);
	free(m);
}

/* "type/subtype" in lowercase into out.  A Content-Type of bare "text"
 * (no subtype, seen from broken mailers) is text/plain, not GMime's
 * application/octet-stream. */
static void media_type(GMimeObject *o, char *out, size_t n)
{
	GMimeContentType *ct = g_mime_object_get_content_type(o);
	const char *t = ct ? g_mime_content_type_get_media_type(ct) : NULL;
	const char *s = ct ? g_mime_content_type_get_media_subtype(ct) : NULL;
	snprintf(out, n, "%s/%s", t && *t ? t : "text", s && *s ? s : "plain");
	for (char *p = out; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p += 32;
	if (strcmp(out, "application/octet-stream") == 0) {
		const char *raw = g_mime_object_get_header(o, "Content-Type");
		while (raw && (*raw == ' ' || *raw == '\t'))
			raw++;
		if (raw && g_ascii_strncasecmp(raw, "text", 4) == 0 &&
		    (raw[4] == '\0' || raw[4] == ';' || raw[4] == ' ' || raw[4] == '\t'))
			snprintf(out, n, "text/plain");
	}
}

/* The name= parameter of a raw Content-Type value, for types GMime
 * rejects (and with them their parameters), into out.  NULL if none. */
static const char *raw_name_param(GMimeObject *o, char *out, size_t n)
{
	const char *v = g_mime_object_get_header(o, "Content-Type");
	if (!v)
		return NULL;
	for (const char *p = v; (p = strchr(p, ';')); p++) {
		const char *q = p + 1;
		while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
			q++;
		if (g_ascii_strncasecmp(q, "name", 4) != 0)
			continue;
		q += 4;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != '=')
			continue;
		q++;
		while (*q == ' ' || *q == '\t')
			q++;
		size_t k = 0;
		if (*q == '"') {
			for (q++; *q && *q != '"' && k + 1 < n; q++)
				out[k++] = *q;
		} else {
			for (; *q && *q != ';' && *q != ' ' && *q != '\t' && k + 1 < n; q++)
				out[k++] = *q;
		}
		out[k] = '\0';
		return k ? out : NULL;
	}
	return NULL;
}

/* A stream of the decoded bytes of a leaf part (or of the serialized form
 * of an embedded message), or NULL if there are none.  The caller unrefs. */
static GMimeStream *part_stream(GMimeObject *obj)
{
	if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
		if (!inner)
			return NULL;
		GMimeStream *mem = g_mime_stream_mem_new();
		g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, mem);
		g_mime_stream_reset(mem);
		return mem;
	}
	GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(obj));
	if (!w)
		return NULL;
	GMimeStream *raw = g_mime_data_wrapper_get_stream(w);
	if (!raw)
		return NULL;
	g_mime_stream_reset(raw);
	GMimeStream *fs = g_mime_stream_filter_new(raw);
	GMimeContentEncoding enc = g_mime_data_wrapper_get_encoding(w);
	if (enc != GMIME_CONTENT_ENCODING_DEFAULT && enc != GMIME_CONTENT_ENCODING_7BIT &&
	    enc != GMIME_CONTENT_ENCODING_8BIT && enc != GMIME_CONTENT_ENCODING_BINARY) {
		GMimeFilter *f = g_mime_filter_basic_new(enc, FALSE);
		g_mime_stream_filter_add(GMIME_STREAM_FILTER(fs), f);
		g_object_unref(f);
	}
	return fs;
}

/* Decoded bytes of a leaf part (or the serialized form of an embedded
 * message): appends at most max bytes to out (if out is non-NULL) and
 * counts all of them in *total. */
static void part_bytes(GMimeObject *obj, struct buf *out, size_t max, uint64_t *total)
{
	*total = 0;
	GMimeStream *fs = part_stream(obj);
	if (!fs)
		return;
	char chunk[65536];
	for (;;) {
		ssize_t k = g_mime_stream_read(fs, chunk, sizeof chunk);
		if (k <= 0)
			break;
		if (out && out->len < max) {
			size_t room = max - out->len;
			buf_add(out, chunk, (size_t)k < room ? (size_t)k : room);
		}
		*total += (uint64_t)k;
	}
	g_object_unref(fs);
}

/* The decoded size of a part: exact (by decoding) for small parts;
 * estimated for big ones, *exact set false: base64 is 3 bytes per 4
 * alphabet characters, identity encodings their length. */
static uint64_t part_size(GMimeObject *obj, bool *exact)
{
	uint64_t total = 0;
	*exact = true;
	GMimeDataWrapper *w = GMIME_IS_PART(obj) ? g_mime_part_get_content(GMIME_PART(obj)) : NULL;
	GMimeStream *raw = w ? g_mime_data_wrapper_get_stream(w) : NULL;
	gint64 len = raw ? g_mime_stream_length(raw) : -1;
	GMimeContentEncoding enc =
		w ? g_mime_data_wrapper_get_encoding(w) : GMIME_CONTENT_ENCODING_DEFAULT;
	if (len < 0 || len <= SIZE_EXACT_MAX ||
	    (enc != GMIME_CONTENT_ENCODING_BASE64 && enc != GMIME_CONTENT_ENCODING_DEFAULT &&
	     enc != GMIME_CONTENT_ENCODING_7BIT && enc != GMIME_CONTENT_ENCODING_8BIT &&
	     enc != GMIME_CONTENT_ENCODING_BINARY)) {
		part_bytes(obj, NULL, 0, &total);
		return total;
	}
	*exact = false;
	if (enc != GMIME_CONTENT_ENCODING_BASE64)
		return (uint64_t)len;
	g_mime_stream_reset(raw);
	char chunk[65536];
	uint64_t alpha = 0;
	for (;;) {
		ssize_t k = g_mime_stream_read(raw, chunk, sizeof chunk);
		if (k <= 0)
			break;
		for (ssize_t i = 0; i < k; i++) {
			unsigned char c = (unsigned char)chunk[i];
			alpha += (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			         (c >= '0' && c <= '9') || c == '+' || c == '/';
		}
	}
	return alpha * 3 / 4;
}

static const char *part_charset(GMimeObject *o)
{
	GMimeContentType *ct = g_mime_object_get_content_type(o);
	return ct ? g_mime_content_type_get_parameter(ct, "charset") : NULL;
}

static bool is_attachment_disp(GMimeObject *o)
{
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(o);
	return d && g_mime_content_disposition_is_attachment(d);
}

/* Does this subtree contain a text/plain leaf (for choosing among
 * alternatives)?  Bounded by depth. */
static bool has_plain(GMimeObject *o, int depth)
{
	if (depth > 4)
		return false;
	char t[128];
	media_type(o, t, sizeof t);
	if (GMIME_IS_MULTIPART(o)) {
		int n = g_mime_multipart_get_count(GMIME_MULTIPART(o));
		for (int i = 0; i < n && i < 16; i++)
			if (has_plain(g_mime_multipart_get_part(GMIME_MULTIPART(o), i), depth + 1))
				return true;
		return false;
	}
	return strcmp(t, "text/plain") == 0;
}

struct frame {
	GMimeObject *obj;
	int depth;
	bool skipped; /* an alternative not chosen: only noted */
	bool in_alt;  /* the chosen alternative */
};

struct walk {
	struct mime_msg *m;
	void (*fn)(const struct mime_block *b, void *arg);
	void *arg;
	int want_k; /* mime_attachment: the one to find, else 0 */
	struct mime_block *found;
	GMimeObject *found_obj;
	char namebuf[256];
	char idxbuf[256]; /* the reported attachment's lore number */
	size_t shown;     /* text bytes shown so far */
	bool shown_text;  /* any text part shown yet */
	int k;
};

static void emit(struct walk *w, const struct mime_block *b)
{
	if (w->fn)
		w->fn(b, w->arg);
}

static void note(struct walk *w, const char *text)
{
	struct mime_block b = {.kind = MB_NOTE, .text = text, .len = strlen(text)};
	emit(w, &b);
}

/* A text part's first raw_n decoded bytes raw (of total), in charset
 * cs (NULL: none given), shown as a block of text (and a note if cut). */
static void show_bytes(struct walk *w, const char *raw, size_t raw_n, uint64_t total,
                       const char *cs, bool html)
{
	struct buf txt;
	size_t room = w->shown < TEXT_SHOW_MAX ? TEXT_SHOW_MAX - w->shown : 0;
	buf_init(&txt, room * 4 + 1024);
	char meta[64];
	if (html && (!cs || !*cs) && htmltext_meta_charset(raw, raw_n, meta, sizeof meta))
		cs = meta;
	if (html) {
		struct buf u;
		buf_init(&u, room * 4 + 1024);
		msg_to_utf8(&u, raw, raw_n, cs);
		htmltext(&txt, u.data ? u.data : "", u.len);
		buf_free(&u);
	} else {
		msg_to_utf8(&txt, raw, raw_n, cs);
	}
	w->shown_text = true;
	/* Conversion may grow the text (HTML laid out, one byte to three):
	 * what is shown stays within TEXT_SHOW_MAX too. */
	bool cut = false;
	if (!txt.err && txt.len > room) {
		txt.len = utf8_trunc(txt.data, room);
		cut = true;
	}
	w->shown += txt.len;
	struct mime_block b = {.kind = MB_TEXT, .text = txt.data ? txt.data : "", .len = txt.len};
	if (!txt.err)
		emit(w, &b);
	if (cut && total <= raw_n) {
		note(w, "[The rest of this part is not shown: see the raw message]");
	} else if (total > raw_n) {
		char msg[160];
		snprintf(msg, sizeof msg,
		         "[%llu more bytes of this part not shown: see the raw message]",
		         (unsigned long long)(total - raw_n));
		note(w, msg);
	}
	buf_free(&txt);
}

static void show_text(struct walk *w, GMimePart *part, bool html)
{
	struct buf raw;
	size_t room = w->shown < TEXT_SHOW_MAX ? TEXT_SHOW_MAX - w->shown : 0;
	buf_init(&raw, room + 1);
	uint64_t total;
	part_bytes(GMIME_OBJECT(part), &raw, room, &total);
	show_bytes(w, raw.data ? raw.data : "", raw.len, total, part_charset(GMIME_OBJECT(part)),
	           html);
	buf_free(&raw);
}

/* mime_walk of a plain message: its body, as show_text shows GMime's
 * part of it. */
static void walk_plain(struct walk *w)
{
	const char *body = w->m->data + w->m->body;
	size_t n = w->m->len - w->m->body;
	size_t room = w->shown < TEXT_SHOW_MAX ? TEXT_SHOW_MAX - w->shown : 0;
	show_bytes(w, body, n < room ? n : room, n, w->m->charset_param, false);
}

/* Parameter param of the part's raw header field, decoded by
 * msg_header_param (the charset table bodies use), into out[0..n):
 * NULL if it is not there or empty. */
static const char *raw_param(GMimeObject *o, const char *field, const char *param, char *out,
                             size_t n)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(o);
	GMimeHeader *h = hl ? g_mime_header_list_get_header(hl, field) : NULL;
	const char *v = h ? g_mime_header_get_raw_value(h) : NULL;
	if (!v)
		return NULL;
	size_t vn = strlen(v);
	struct buf b;
	buf_init(&b, HDR_SHOW_MAX * 4);
	const char *ret = NULL;
	if (msg_header_param(&b, span_make(v, vn < HDR_SHOW_MAX ? vn : HDR_SHOW_MAX), param) &&
	    !b.err) {
		struct span t = span_trim(span_make(b.data ? b.data : "", b.len));
		size_t k = t.n < n ? t.n : utf8_trunc(t.p, n - 1);
		if (k > 0) {
			memcpy(out, t.p, k);
			out[k] = '\0';
			ret = out;
		}
	}
	buf_free(&b);
	return ret;
}

/* The file name of a part: Content-Disposition's filename, else
 * Content-Type's name, decoded by msg_header_param (RFC 2231 and 2047,
 * through listarc's charset table); else GMime's, else the name= of a
 * Content-Type GMime rejected. */
static const char *part_filename(GMimeObject *o, char *tmp, size_t n)
{
	const char *f = raw_param(o, "Content-Disposition", "filename", tmp, n);
	if (!f)
		f = raw_param(o, "Content-Type", "name", tmp, n);
	if (f)
		return f;
	f = GMIME_IS_PART(o) ? g_mime_part_get_filename(GMIME_PART(o)) : NULL;
	if (f && *f)
		return f;
	if (GMIME_IS_MESSAGE_PART(o)) {
		GMimeContentDisposition *d = g_mime_object_get_content_disposition(o);
		f = d ? g_mime_content_disposition_get_parameter(d, "filename") : NULL;
		if (f && *f)
			return f;
	}
	return raw_name_param(o, tmp, n);
}

/* The number lore gives target (see part_at, which reads it back) into
 * out[0..n), found from cur whose number is out[0..len): true if found.
 * The depth is bounded by MIME_DEPTH_MAX, as part_at's. */
static bool index_in(GMimeObject *cur, GMimeObject *target, char *out, size_t n, size_t len,
                     int depth)
{
	if (cur == target)
		return len > 0;
	if (depth > MIME_DEPTH_MAX)
		return false;
	if (GMIME_IS_MULTIPART(cur)) {
		GMimeMultipart *mp = GMIME_MULTIPART(cur);
		int count = g_mime_multipart_get_count(mp);
		for (int i = 0; i < count; i++) {
			int k = snprintf(out + len, n - len, "%s%d", len ? "." : "", i + 1);
			if (k < 0 || (size_t)k >= n - len)
				return false;
			GMimeObject *c = g_mime_multipart_get_part(mp, i);
			if (c && index_in(c, target, out, n, len + (size_t)k, depth + 1))
				return true;
		}
	} else if (GMIME_IS_MESSAGE_PART(cur)) {
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(cur));
		GMimeObject *c = inner ? g_mime_message_get_mime_part(inner) : NULL;
		int k = snprintf(out + len, n - len, "%s1", len ? "." : "");
		if (c && k > 0 && (size_t)k < n - len &&
		    index_in(c, target, out, n, len + (size_t)k, depth + 1))
			return true;
	}
	out[len] = '\0';
	return false;
}

/* The number lore gives obj, a part of m, into out ("" if none). */
static void part_index(struct mime_msg *m, GMimeObject *obj, char *out, size_t n)
{
	GMimeObject *root = g_mime_message_get_mime_part(m->msg);
	out[0] = '\0';
	if (!root)
		return;
	if (GMIME_IS_PART(root)) {
		if (root == obj)
			snprintf(out, n, "1");
		return;
	}
	if (!index_in(root, obj, out, n, 0, 0))
		out[0] = '\0';
}

/* Numbers a part as attachment k and reports it (shown_inline: its
 * content follows on the page as well). */
static void attachment(struct walk *w, GMimeObject *obj, const char *type, bool shown_inline)
{
	w->k++;
	if (w->want_k && w->k != w->want_k)
		return;
	struct mime_block b = {.kind = MB_ATTACHMENT, .k = w->k, .shown_inline = shown_inline};
	b.type = type;
	b.filename = part_filename(obj, w->namebuf, sizeof w->namebuf);
	b.is_text = strncmp(type, "text/", 5) == 0 || strcmp(type, "message/rfc822") == 0;
	if (w->want_k) {
		*w->found = b;
		w->found_obj = obj;
		return;
	}
	b.size = part_size(obj, &b.size_exact);
	part_index(w->m, obj, w->idxbuf, sizeof w->idxbuf);
	b.idx = w->idxbuf;
	emit(w, &b);
}

/* An embedded message: its main headers as a block of text. */
static void embedded_headers(struct walk *w, GMimeMessage *inner)
{
	static const char *const names[] = {"Date", "From", "To", "Cc", "Subject"};
	GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(inner));
	struct buf b;
	buf_init(&b, HDR_SHOW_MAX * 5 + 64);
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		GMimeHeader *h = hl ? g_mime_header_list_get_header(hl, names[i]) : NULL;
		const char *v = h ? g_mime_header_get_raw_value(h) : NULL;
		if (!v)
			continue;
		buf_adds(&b, names[i]);
		buf_adds(&b, ": ");
		size_t n = strlen(v);
		msg_decode_header(&b, span_make(v, n < HDR_SHOW_MAX ? n : HDR_SHOW_MAX), false);
		buf_addc(&b, '\n');
	}
	struct mime_block blk = {.kind = MB_MESSAGE, .text = b.data ? b.data : "", .len = b.len};
	if (!w->want_k && !b.err)
		emit(w, &blk);
	buf_free(&b);
}

/* ---- the walk: parts to visit on a stack (never recursion: the
 * message sets the depth) ---- */

struct stack {
	struct frame *v;
	size_t n, cap;
};

static bool push(struct stack *s, struct frame f)
{
	if (!vec_reserve(&s->v, &s->cap, s->n + 1, sizeof *s->v))
		return false;
	s->v[s->n++] = f;
	return true;
}

/* Looking for attachment want_k, and found it: the walk ends. */
static bool found(const struct walk *w)
{
	return w->want_k && w->found_obj;
}

/* An alternative not chosen: a note saying so. */
static void skipped_note(struct walk *w, const char *type)
{
	if (w->want_k)
		return;
	char msg[200];
	snprintf(msg, sizeof msg, "Content of type \"%s\" skipped", type);
	struct mime_block b = {.kind = MB_SKIPPED, .type = type, .text = msg, .len = strlen(msg)};
	emit(w, &b);
}

/* Which of a multipart/alternative's first count parts is shown: plain
 * text if any alternative has it, else HTML, else the first; -1 if none. */
static int choose_alternative(GMimeMultipart *mp, int count)
{
	for (int i = 0; i < count; i++)
		if (has_plain(g_mime_multipart_get_part(mp, i), 0))
			return i;
	for (int i = 0; i < count; i++) {
		char t[128];
		media_type(g_mime_multipart_get_part(mp, i), t, sizeof t);
		if (strcmp(t, "text/html") == 0)
			return i;
	}
	return count > 0 ? 0 : -1;
}

/* A multipart: its parts (at most MIME_PARTS_MAX) pushed in reverse, so
 * the first is visited first; of alternatives the chosen one comes
 * first, the others after it as "skipped" notes.  Returns LA_OK or
 * LA_ENOMEM. */
static enum la_status visit_multipart(struct stack *s, const struct frame *f, const char *type)
{
	GMimeMultipart *mp = GMIME_MULTIPART(f->obj);
	int count = g_mime_multipart_get_count(mp);
	if (count > MIME_PARTS_MAX)
		count = MIME_PARTS_MAX;
	bool alt = strcmp(type, "multipart/alternative") == 0;
	int chosen = alt ? choose_alternative(mp, count) : -1;
	for (int i = count - 1; i >= 0; i--)
		if (!(alt && i == chosen) &&
		    !push(s, (struct frame){g_mime_multipart_get_part(mp, i), f->depth + 1, alt,
		                            false}))
			return LA_ENOMEM;
	if (chosen >= 0 && !push(s, (struct frame){g_mime_multipart_get_part(mp, chosen),
	                                           f->depth + 1, false, true}))
		return LA_ENOMEM;
	return LA_OK;
}

/* An embedded message (message/rfc822): an attachment if it is one or
 * has a name, its main headers, then its body pushed.  Returns LA_OK or
 * LA_ENOMEM. */
static enum la_status visit_message_part(struct walk *w, struct stack *s, const struct frame *f)
{
	GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(f->obj));
	if (!inner)
		return LA_OK;
	if (is_attachment_disp(f->obj) || part_filename(f->obj, w->namebuf, sizeof w->namebuf)) {
		attachment(w, f->obj, "message/rfc822", true);
		if (found(w))
			return LA_OK;
	}
	embedded_headers(w, inner);
	GMimeObject *body = g_mime_message_get_mime_part(inner);
	if (body && !push(s, (struct frame){body, f->depth + 1, false, false}))
		return LA_ENOMEM;
	return LA_OK;
}

/* A leaf part: text shown (plain, or HTML where no plain text was
 * shown or as the chosen alternative), anything else an attachment. */
static void visit_part(struct walk *w, const struct frame *f, const char *type)
{
	GMimePart *part = GMIME_PART(f->obj);
	bool attach = is_attachment_disp(f->obj);
	bool text = strncmp(type, "text/", 5) == 0;
	bool html = strcmp(type, "text/html") == 0;
	if (text && !html && !attach && !GMIME_IS_MESSAGE_PARTIAL(f->obj)) {
		/* A text part with a file name is an attachment shown inline
		 * (patches sent as "inline; filename=..."): the link, then
		 * the text. */
		if (part_filename(f->obj, w->namebuf, sizeof w->namebuf)) {
			attachment(w, f->obj, type, true);
			if (found(w))
				return;
		}
		/* Looking for an attachment, the text is not shown, but a
		 * later text/html part must still count as an attachment
		 * exactly as it does on the page, or the numbers differ. */
		if (!w->want_k)
			show_text(w, part, false);
		else
			w->shown_text = true;
	} else if (html && !attach && (f->in_alt || !w->shown_text)) {
		if (!w->want_k)
			show_text(w, part, true);
		else
			w->shown_text = true;
	} else {
		attachment(w, f->obj, type, false);
	}
}

static enum la_status walk(struct walk *w)
{
	GMimeObject *root = g_mime_message_get_mime_part(w->m->msg);
	if (!root)
		return LA_OK;
	struct stack s = {0};
	unsigned parts = 0;
	bool depth_noted = false;
	enum la_status ret = push(&s, (struct frame){root, 0, false, false}) ? LA_OK : LA_ENOMEM;
	while (!ret && s.n > 0 && !found(w)) {
		struct frame f = s.v[--s.n];
		char type[128];
		media_type(f.obj, type, sizeof type);
		if (f.skipped) {
			skipped_note(w, type);
			continue;
		}
		if (++parts > MIME_PARTS_MAX) {
			if (!w->want_k)
				note(w,
				     "[more MIME parts than listarc shows: see the raw message]");
			break;
		}
		if (f.depth > MIME_DEPTH_MAX) {
			if (!depth_noted && !w->want_k)
				note(w,
				     "[MIME parts nested too deep to show: see the raw message]");
			depth_noted = true;
			continue;
		}
		if (GMIME_IS_MULTIPART(f.obj))
			ret = visit_multipart(&s, &f, type);
		else if (GMIME_IS_MESSAGE_PART(f.obj))
			ret = visit_message_part(w, &s, &f);
		else if (GMIME_IS_PART(f.obj))
			visit_part(w, &f, type);
	}
	free(s.v);
	return ret;
}

enum la_status mime_walk(struct mime_msg *m, void (*fn)(const struct mime_block *b, void *arg),
                         void *arg)
{
	struct walk w = {.m = m, .fn = fn, .arg = arg};
	if (!m->msg && m->data) {
		walk_plain(&w);
		m->nattach = 0;
		return LA_OK;
	}
	enum la_status e = walk(&w);
	m->nattach = w.k;
	return e;
}

static enum la_status find_attachment(struct mime_msg *m, int k, struct mime_block *info,
                                      GMimeObject **obj)
{
	struct mime_block b;
	struct walk w = {.m = m, .want_k = k, .found = &b};
	memset(&b, 0, sizeof b);
	enum la_status e = need_gmime(m);
	if (e)
		return e;
	e = walk(&w);
	if (e)
		return e;
	if (!w.found_obj)
		return LA_ENOTFOUND;
	*info = b;
	/* Strings that pointed into the walk's frames now live with m. */
	snprintf(m->name, sizeof m->name, "%s", b.filename ? b.filename : "");
	info->filename = b.filename ? m->name : NULL;
	if (GMIME_IS_MESSAGE_PART(w.found_obj))
		snprintf(m->type, sizeof m->type, "message/rfc822");
	else
		media_type(w.found_obj, m->type, sizeof m->type);
	info->type = m->type;
	*obj = w.found_obj;
	return LA_OK;
}

enum la_status mime_attachment(struct mime_msg *m, int k, struct mime_block *info, struct buf *out,
                               size_t max)
{
	GMimeObject *obj;
	enum la_status e = find_attachment(m, k, info, &obj);
	if (e)
		return e;
	uint64_t total;
	part_bytes(obj, out, max, &total);
	info->size = total;
	if (total > max)
		return LA_ETOOBIG;
	return out->err ? out->err : LA_OK;
}

struct mime_reader {
	GMimeStream *fs; /* NULL: the part has no content */
};

enum la_status mime_attachment_open(struct mime_msg *m, int k, struct mime_block *info,
                                    struct mime_reader **out)
{
	*out = NULL;
	GMimeObject *obj;
	enum la_status e = find_attachment(m, k, info, &obj);
	if (e)
		return e;
	info->size = 0;
	struct mime_reader *rd = calloc(1, sizeof *rd);
	if (!rd)
		return LA_ENOMEM;
	rd->fs = part_stream(obj);
	*out = rd;
	return LA_OK;
}

enum la_status mime_reader_read(struct mime_reader *rd, struct buf *out, size_t n, bool *done)
{
	*done = false;
	if (!rd->fs) {
		*done = true;
		return LA_OK;
	}
	if (buf_reserve(out, n))
		return out->err;
	ssize_t k = g_mime_stream_read(rd->fs, out->data + out->len, n);
	if (k > 0)
		out->len += (size_t)k;
	/* A filter stream returns 0 only at the end, after its flush. */
	if (k <= 0)
		*done = true;
	return k < 0 ? LA_EIO : LA_OK;
}

void mime_reader_free(struct mime_reader *rd)
{
	if (!rd)
		return;
	if (rd->fs)
		g_object_unref(rd->fs);
	free(rd);
}

/* The part lore numbers idx ("2", "1.2", "2.1.1"): public-inbox counts
 * a multipart's parts from 1 after its own number and dot, an embedded
 * message's content as part 1 of it, and a message of one part as "1". */
static GMimeObject *part_at(struct mime_msg *m, const char *idx)
{
	GMimeObject *cur = g_mime_message_get_mime_part(m->msg);
	if (!cur)
		return NULL;
	bool leaf_root = GMIME_IS_PART(cur);
	int depth = 0;
	for (const char *p = idx; *p; depth++) {
		char *end;
		long i = strtol(p, &end, 10);
		if (end == p || i < 1 || depth > MIME_DEPTH_MAX || (*end && *end != '.'))
			return NULL;
		p = *end ? end + 1 : end;
		if (leaf_root) {
			if (i != 1 || *p)
				return NULL;
			return cur;
		}
		if (GMIME_IS_MULTIPART(cur)) {
			GMimeMultipart *mp = GMIME_MULTIPART(cur);
			if (i > g_mime_multipart_get_count(mp))
				return NULL;
			cur = g_mime_multipart_get_part(mp, (int)i - 1);
		} else if (GMIME_IS_MESSAGE_PART(cur)) {
			GMimeMessage *inner =
				g_mime_message_part_get_message(GMIME_MESSAGE_PART(cur));
			if (i != 1 || !inner || !(cur = g_mime_message_get_mime_part(inner)))
				return NULL;
		} else {
			return NULL;
		}
		if (!cur)
			return NULL;
	}
	return GMIME_IS_PART(cur) || GMIME_IS_MESSAGE_PART(cur) ? cur : NULL;
}

enum la_status mime_part_open(struct mime_msg *m, const char *idx, struct mime_block *info,
                              struct mime_reader **out)
{
	*out = NULL;
	memset(info, 0, sizeof *info);
	enum la_status e = need_gmime(m);
	if (e)
		return e;
	GMimeObject *obj = part_at(m, idx);
	if (!obj)
		return LA_ENOTFOUND;
	if (GMIME_IS_MESSAGE_PART(obj))
		snprintf(m->type, sizeof m->type, "message/rfc822");
	else
		media_type(obj, m->type, sizeof m->type);
	info->kind = MB_ATTACHMENT;
	info->type = m->type;
	char tmp[256];
	const char *f = part_filename(obj, tmp, sizeof tmp);
	snprintf(m->name, sizeof m->name, "%s", f ? f : "");
	info->filename = f ? m->name : NULL;
	/* As attachment() has it: the page says "View" for both. */
	info->is_text = strncmp(m->type, "text/", 5) == 0 || strcmp(m->type, "message/rfc822") == 0;
	const char *cs = part_charset(obj);
	snprintf(m->charset, sizeof m->charset, "%s", cs ? cs : "");
	struct mime_reader *rd = calloc(1, sizeof *rd);
	if (!rd)
		return LA_ENOMEM;
	rd->fs = part_stream(obj);
	*out = rd;
	return LA_OK;
}

const char *mime_part_charset(struct mime_msg *m)
{
	return m->charset;
}

const char *mime_attachment_charset(struct mime_msg *m, int k)
{
	struct mime_block b;
	GMimeObject *obj;
	if (find_attachment(m, k, &b, &obj))
		return "";
	const char *cs = part_charset(obj);
	return cs ? cs : "";
}

static void reply_list(InternetAddressList *l, int depth, size_t *count,
                       void (*fn)(const char *addr, void *arg), void *arg)
{
	int n = l ? internet_address_list_length(l) : 0;
	for (int i = 0; i < n && *count < REPLY_ADDRS_MAX; i++) {
		InternetAddress *a = internet_address_list_get_address(l, i);
		if (INTERNET_ADDRESS_IS_MAILBOX(a)) {
			const char *addr =
				internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
			if (addr && *addr && strlen(addr) <= ADDR_MAX) {
				(*count)++;
				fn(addr, arg);
			}
		} else if (INTERNET_ADDRESS_IS_GROUP(a) && depth == 0) {
			reply_list(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a)), 1,
			           count, fn, arg);
		}
	}
}

static void reply_addrs(GMimeMessage *msg, void (*fn)(const char *addr, void *arg), void *arg)
{
	static const GMimeAddressType order[] = {GMIME_ADDRESS_TYPE_FROM, GMIME_ADDRESS_TYPE_TO,
	                                         GMIME_ADDRESS_TYPE_CC,
	                                         GMIME_ADDRESS_TYPE_REPLY_TO};
	size_t count = 0;
	for (size_t i = 0; i < sizeof order / sizeof *order; i++)
		reply_list(g_mime_message_get_addresses(msg, order[i]), 0, &count, fn, arg);
}

enum la_status mime_reply_addrs(const char *head, size_t n, void (*fn)(const char *addr, void *arg),
                                void *arg)
{
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(head, n);
	if (!st)
		return LA_ENOMEM;
	GMimeParser *parser = g_mime_parser_new_with_stream(st);
	g_object_unref(st);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, msg_parser_options());
	g_object_unref(parser);
	if (!msg)
		return LA_EINVAL;
	reply_addrs(msg, fn, arg);
	g_object_unref(msg);
	return LA_OK;
}

/* ---- simple address lists, read without GMime ----
 *
 * An address field of a plain message whose value is a comma-separated
 * list of "local@domain" or "Display Name <local@domain>", with no
 * quotes, comments, groups, encoded words or anything else GMime reads
 * with rules of its own, gives the addresses GMime gives; any other
 * value is left to GMime (fuzz_mime compares the two). */

static bool is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static bool is_dtext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-';
}

/* Is a[0..n) local@domain with dot-separated atoms on both sides (and
 * no "xn--" label, which GMime may decode)? */
static bool simple_addr(const char *a, size_t n)
{
	const char *at = memchr(a, '@', n);
	if (!at || n > ADDR_MAX)
		return false;
	size_t ln = (size_t)(at - a), dn = n - ln - 1;
	bool prev_dot = true;
	for (size_t i = 0; i < ln; i++) {
		if (a[i] == '.') {
			if (prev_dot)
				return false;
			prev_dot = true;
		} else if (is_atext((unsigned char)a[i])) {
			prev_dot = false;
		} else {
			return false;
		}
	}
	if (prev_dot || !dn)
		return false;
	prev_dot = true;
	for (size_t i = 0; i < dn; i++) {
		char c = at[1 + i];
		if (c == '.') {
			if (prev_dot)
				return false;
			prev_dot = true;
		} else if (is_dtext((unsigned char)c)) {
			prev_dot = false;
		} else {
			return false;
		}
	}
	if (prev_dot)
		return false;
	for (size_t i = 0; i + 4 <= dn; i++)
		if (g_ascii_strncasecmp(at + 1 + i, "xn--", 4) == 0)
			return false;
	return true;
}

/* The display name before '<': words of letters, digits, spaces and
 * the few marks here, nothing GMime would read as syntax. */
static bool simple_name(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (!(is_lws((char)c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '\'' ||
		      c == '+' || c == '/' || c == '!' || c == '&' || c == '*' || c == '#'))
			return false;
	}
	return true;
}

/* The addresses of value v[0..n) as spans into out (at most max): their
 * count, or -1 if the value is not a simple list. */
static int simple_list(const char *v, size_t n, struct span *out, int max)
{
	int k = 0;
	size_t i = 0;
	if (span_trim(span_make(v, n)).n == 0)
		return 0;
	while (i <= n) {
		const char *comma = memchr(v + i, ',', n - i);
		size_t e = comma ? (size_t)(comma - v) : n;
		struct span item = span_trim(span_make(v + i, e - i));
		if (!item.n || k >= max)
			return -1;
		const char *lt = memchr(item.p, '<', item.n);
		if (lt) {
			size_t before = (size_t)(lt - item.p);
			if (item.p[item.n - 1] != '>' || !simple_name(item.p, before))
				return -1;
			struct span a = span_make(lt + 1, item.n - before - 2);
			if (!simple_addr(a.p, a.n))
				return -1;
			out[k++] = a;
		} else {
			if (!simple_addr(item.p, item.n))
				return -1;
			out[k++] = item;
		}
		if (!comma)
			break;
		i = e + 1;
	}
	return k;
}

/* The reply addresses of a plain message without GMime: false (and
 * nothing passed to fn) if a field is not simple. */
static bool simple_reply_addrs(struct mime_msg *m, void (*fn)(const char *addr, void *arg),
                               void *arg)
{
	if (m->addr_dup)
		return false;
	struct span v[REPLY_ADDRS_MAX];
	int total = 0;
	for (int f = 0; f < 4; f++) {
		struct span s = m->addr_fields[f];
		if (!s.p)
			continue;
		int k = simple_list(s.p, s.n, v + total, REPLY_ADDRS_MAX - total);
		if (k < 0)
			return false;
		total += k;
	}
	char a[ADDR_MAX + 1];
	for (int i = 0; i < total; i++) {
		memcpy(a, v[i].p, v[i].n);
		a[v[i].n] = '\0';
		fn(a, arg);
	}
	return true;
}

void mime_msg_reply_addrs(struct mime_msg *m, void (*fn)(const char *addr, void *arg), void *arg)
{
	/* A plain message's header parsed alone is what GMime makes of it in
	 * the whole message (plain_of admits no header that ends otherwise). */
	if (!m->msg && m->data) {
		if (!plain_allowed() || !simple_reply_addrs(m, fn, arg))
			la_ignore(mime_reply_addrs(m->data, m->head_end, fn, arg));
	} else if (m->msg) {
		reply_addrs(m->msg, fn, arg);
	}
}
