/* summary.c: the index fields of a message, read from its header block:
 * Message-ID, parent and references, subject, sender, dates. */
#include "msg/msg.h"

#include <stdio.h>
#include <string.h>

#include "msg/header.h"
#include "util/hash.h"
#include "util/span.h"
#include "util/utf8.h"

bool msgid_normalize(const char *id, size_t n, char *out, unsigned *flags)
{
	if (n == 0)
		return false;
	if (n > MSGID_MAX || !utf8_valid(id, n) || memchr(id, '\0', n)) {
		/* Too long, or not text: keep it addressable by a hash.  A NUL
		 * counts as not text: copied, it would cut the id short, and
		 * "<a\0x@y>" and "<a\0z@y>" would be one message. */
		snprintf(out, MSGID_MAX + 1, "hash-%016llx@listarc.invalid",
		         (unsigned long long)hash64(id, n, 0));
		if (flags)
			*flags |= MSG_F_LONG_MSGID;
		return true;
	}
	memcpy(out, id, n);
	out[n] = '\0';
	return true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Whitespace inside an id (folded by a broken mailer) is dropped: the id
 * without it, in tmp (MSGID_MAX + 1 bytes) if anything was dropped, with
 * its length in *n.  An id too long to be kept is left as it is: it is
 * hashed whole. */
static const char *drop_space(const char *id, size_t *n, char *tmp)
{
	if (*n > MSGID_MAX)
		return id;
	size_t k = 0;
	for (size_t i = 0; i < *n; i++)
		if (!is_space(id[i]))
			tmp[k++] = id[i];
	if (k == *n)
		return id;
	*n = k;
	return tmp;
}

bool msgid_from_text(const char *id, size_t n, char *out)
{
	char tmp[MSGID_MAX + 1];
	id = drop_space(id, &n, tmp);
	return msgid_normalize(id, n, out, NULL);
}

void msgid_each(struct span v, bool (*fn)(const char *id, size_t n, void *arg), void *arg)
{
	const char *p = v.p, *end = v.p + v.n;
	bool any = false;
	char tmp[MSGID_MAX + 1];
	while (p < end) {
		const char *lt = memchr(p, '<', (size_t)(end - p));
		if (!lt)
			break;
		const char *gt = memchr(lt + 1, '>', (size_t)(end - lt - 1));
		if (!gt)
			break;
		/* A '<' inside: restart from it (garbage like "<<id>"). */
		const char *lt2 = memchr(lt + 1, '<', (size_t)(gt - lt - 1));
		if (lt2) {
			p = lt2;
			continue;
		}
		any = true;
		size_t n = (size_t)(gt - lt - 1);
		const char *id = drop_space(lt + 1, &n, tmp);
		if (n && !fn(id, n, arg))
			return;
		p = gt + 1;
	}
	if (any)
		return;
	/* No angle brackets: bare ids, as some broken mailers write them. */
	p = v.p;
	while (p < end) {
		while (p < end && (is_space(*p) || *p == ','))
			p++;
		const char *q = p;
		while (q < end && !is_space(*q) && *q != ',')
			q++;
		const char *next = q;
		/* A stray '<' or '>' of a broken id ("<a@b") is not part of it. */
		while (p < q && *p == '<')
			p++;
		while (q > p && q[-1] == '>')
			q--;
		if (q > p && memchr(p, '@', (size_t)(q - p)) && !fn(p, (size_t)(q - p), arg))
			return;
		p = next;
	}
}

struct first_ctx {
	char *out;
	unsigned *flags;
	bool found;
};

static bool take_first(const char *id, size_t n, void *arg)
{
	struct first_ctx *c = arg;
	c->found = msgid_normalize(id, n, c->out, c->flags);
	return !c->found;
}

bool msgid_from_header(struct span value, char *out, unsigned *flags)
{
	struct first_ctx c = {out, flags, false};
	msgid_each(value, take_first, &c);
	if (c.found)
		return true;
	/* "Message-ID: foo" without brackets or '@': take the first token. */
	struct span t = span_trim(value);
	size_t n = 0;
	while (n < t.n && !is_space(t.p[n]))
		n++;
	return msgid_normalize(t.p, n, out, flags);
}

struct refs_ctx {
	struct msg_summary *s;
	unsigned total;
};

/* Keeps the first reference and the last REFS_MAX - 1: on overflow the
 * window of later ones slides. */
static bool add_ref(const char *id, size_t n, void *arg)
{
	struct refs_ctx *c = arg;
	struct msg_summary *s = c->s;
	char tmp[MSGID_MAX + 1];
	if (!msgid_normalize(id, n, tmp, &s->flags))
		return true;
	for (unsigned i = 0; i < s->nrefs; i++)
		if (strcmp(s->refs[i], tmp) == 0)
			return true;
	c->total++;
	if (s->nrefs == REFS_MAX) {
		s->flags |= MSG_F_REFS_TRUNC;
		memmove(s->refs[1], s->refs[2], (size_t)(REFS_MAX - 2) * sizeof s->refs[0]);
		s->nrefs--;
	}
	memcpy(s->refs[s->nrefs++], tmp, strlen(tmp) + 1);
	return true;
}

struct irt_ctx {
	char first[MSGID_MAX + 1];
	unsigned n;
	unsigned *flags;
};

static bool count_irt(const char *id, size_t n, void *arg)
{
	struct irt_ctx *c = arg;
	if (c->n == 0 && !msgid_normalize(id, n, c->first, c->flags))
		return true;
	c->n++;
	return c->n < 2;
}

/* Copies a decoded header into dst (cap bytes including NUL), cutting on
 * a UTF-8 boundary. */
static void decode_into(char *dst, size_t cap, struct span raw, struct buf *tmp)
{
	buf_reset(tmp);
	msg_decode_header(tmp, raw, false);
	size_t n = tmp->err ? 0 : tmp->len;
	if (n > cap - 1)
		n = utf8_trunc(tmp->data, cap - 1);
	if (n)
		memcpy(dst, tmp->data, n);
	dst[n] = '\0';
}

static bool is_domain_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-';
}

/* Mailman 2's archives (pipermail) hide addresses: "From: jane at
 * example.org (Jane Doe)", "jane en example.org (...)" in other
 * languages.  Such a value, exactly: an address without its '@', a short
 * word (1 to 8 bytes, no dot) where the '@' was, a domain with a dot, and
 * a comment.  Writes "jane@example.org (Jane Doe)" into out (the comment
 * left out if it is only the hidden address again, as pipermail writes
 * when there was no name) and returns true; false for any other value. */
static bool pipermail_from(struct span v, struct buf *out)
{
	struct span t = span_trim(v);
	const char *p = t.p, *end = t.p + t.n;
	const char *local = p;
	while (p < end && !is_space(*p) && !strchr("@<>()\",", *p))
		p++;
	struct span lp = span_make(local, (size_t)(p - local));
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	const char *word = p;
	while (p < end && !is_space(*p) && !strchr("@<>().\",", *p))
		p++;
	size_t wn = (size_t)(p - word);
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	const char *dom = p;
	while (p < end && is_domain_char(*p))
		p++;
	struct span dn = span_make(dom, (size_t)(p - dom));
	const char *after_dom = p;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (lp.n == 0 || wn == 0 || wn > 8 || dn.n < 3 || !memchr(dn.p, '.', dn.n) ||
	    dn.p[0] == '.' || dn.p[dn.n - 1] == '.' || p == after_dom || p >= end || *p != '(' ||
	    end[-1] != ')')
		return false;
	struct span comment = span_make(p + 1, (size_t)(end - p - 2));
	buf_add(out, lp.p, lp.n);
	buf_addc(out, '@');
	buf_add(out, dn.p, dn.n);
	/* "(jane at example.org)": no name, only the address again. */
	struct span hidden = span_make(local, (size_t)(after_dom - local));
	if (!(comment.n == hidden.n && memcmp(comment.p, hidden.p, hidden.n) == 0)) {
		buf_addc(out, ' ');
		buf_add(out, p, (size_t)(end - p));
	}
	return !out->err;
}

/* The raw fields a summary is made of (spans into the header block). */
struct summary_fields {
	struct span mid, irt, refs, subj, from, date, rcvd;
	unsigned count; /* fields read */
};

/* Finds the fields.  The last copy of a repeated field wins, as on the
 * page; Received: is the exception: the first (topmost) is the final
 * hop. */
static void find_fields(const char *head, size_t n, struct summary_fields *sf)
{
	*sf = (struct summary_fields){SPAN_NULL, SPAN_NULL, SPAN_NULL, SPAN_NULL,
	                              SPAN_NULL, SPAN_NULL, SPAN_NULL, 0};
	struct hdr_iter it;
	struct hdr_field f;
	hdr_iter_init(&it, head, n);
	while (hdr_next(&it, &f)) {
		struct span nm = f.name;
		switch (nm.n) {
		case 4:
			if (span_ieq(nm, "date"))
				sf->date = f.value;
			else if (span_ieq(nm, "from"))
				sf->from = f.value;
			break;
		case 7:
			if (span_ieq(nm, "subject"))
				sf->subj = f.value;
			break;
		case 8:
			if (span_ieq(nm, "received") && !sf->rcvd.p)
				sf->rcvd = f.value;
			break;
		case 10:
			if (span_ieq(nm, "message-id"))
				sf->mid = f.value;
			else if (span_ieq(nm, "references"))
				sf->refs = f.value;
			break;
		case 11:
			if (span_ieq(nm, "in-reply-to"))
				sf->irt = f.value;
			break;
		}
	}
	sf->count = it.count;
}

/* Message-ID, references and parent. */
static void set_ids(struct msg_summary *s, const struct summary_fields *sf)
{
	if (sf->mid.p && !msgid_from_header(sf->mid, s->msgid, &s->flags))
		s->msgid[0] = '\0';
	if (!s->msgid[0])
		s->flags |= MSG_F_NO_MSGID;

	struct refs_ctx rc = {s, 0};
	if (sf->refs.p)
		msgid_each(sf->refs, add_ref, &rc);
	struct irt_ctx ic = {{0}, 0, &s->flags};
	if (sf->irt.p)
		msgid_each(sf->irt, count_irt, &ic);
	/* The parent: In-Reply-To when it names exactly one message (it is
	 * what the replying mailer meant; References are sometimes reordered
	 * or mistyped), else the last of References. */
	unsigned nrefs_only = s->nrefs;
	if (ic.n >= 1)
		add_ref(ic.first, strlen(ic.first), &rc);
	if (ic.n == 1)
		memcpy(s->parent, ic.first, strlen(ic.first) + 1);
	else if (nrefs_only)
		memcpy(s->parent, s->refs[nrefs_only - 1], strlen(s->refs[nrefs_only - 1]) + 1);
	else if (ic.n)
		memcpy(s->parent, ic.first, strlen(ic.first) + 1);
	/* A message is never its own parent or reference. */
	if (s->msgid[0] && strcmp(s->parent, s->msgid) == 0)
		s->parent[0] = '\0';
	for (unsigned i = 0; i < s->nrefs;) {
		if (s->msgid[0] && strcmp(s->refs[i], s->msgid) == 0) {
			memmove(s->refs[i], s->refs[i + 1],
			        (size_t)(s->nrefs - i - 1) * sizeof s->refs[0]);
			s->nrefs--;
		} else
			i++;
	}
}

/* Copies b into out (room for max bytes and a NUL), cut on a UTF-8
 * boundary; empty if b failed. */
static void copy_cut(char *out, size_t max, const struct buf *b)
{
	size_t k = b->err || !b->data ? 0 : utf8_trunc(b->data, b->len < max ? b->len : max);
	if (k)
		memcpy(out, b->data, k);
	out[k] = '\0';
}

/* The sender's name and address (a pipermail export's hidden From:
 * restored first). */
static void set_from(struct msg_summary *s, struct span from)
{
	struct buf name, addr, pm;
	buf_init(&name, 4 * from.n + 64);
	buf_init(&addr, 4 * from.n + 64);
	buf_init(&pm, from.n + 2);
	if (pipermail_from(from, &pm)) {
		from = span_make(pm.data, pm.len);
		s->flags |= MSG_F_PIPERMAIL;
	}
	msg_parse_from(from, &name, &addr);
	copy_cut(s->from_name, NAME_MAX_BYTES, &name);
	copy_cut(s->from_addr, ADDR_MAX, &addr);
	buf_free(&pm);
	buf_free(&name);
	buf_free(&addr);
}

/* Date: and the date of the first Received:, which follows its last ';'. */
static void set_dates(struct msg_summary *s, const struct summary_fields *sf)
{
	if (sf->date.p && date_parse(sf->date, &s->date))
		s->has_date = true;
	else
		s->flags |= MSG_F_NO_DATE;
	struct span r = sf->rcvd;
	if (!r.p)
		return;
	for (size_t i = r.n; i > 0; i--)
		if (r.p[i - 1] == ';') {
			s->has_received = date_parse(span_make(r.p + i, r.n - i), &s->received);
			return;
		}
}

void msg_summary_parse(struct msg_summary *s, const char *head, size_t n)
{
	s->msgid[0] = s->parent[0] = s->subject[0] = '\0';
	s->from_name[0] = s->from_addr[0] = '\0';
	s->nrefs = 0;
	s->has_date = s->has_received = false;
	s->flags = 0;

	struct summary_fields sf;
	find_fields(head, n, &sf);
	set_ids(s, &sf);
	/* The decoded field must fit whole before it is cut to size: a buffer
	 * capped at the stored size overflowed on a long Subject or From and
	 * the field was stored empty.  A field decodes to at most 4 bytes per
	 * raw byte (windows-1252 to UTF-8, U+FFFD), and raw fields are inside
	 * the header block (HEAD_MAX). */
	if (sf.subj.p) {
		struct buf tmp;
		buf_init(&tmp, 4 * sf.subj.n + 64);
		decode_into(s->subject, sizeof s->subject, sf.subj, &tmp);
		buf_free(&tmp);
	}
	if (sf.from.p)
		set_from(s, sf.from);
	set_dates(s, &sf);
	if (sf.count >= HDR_FIELDS_MAX)
		s->flags |= MSG_F_HEAD_TRUNC;
}

/* Does a line starting at q (before end) start "--" and a boundary
 * character (not "---" of a diff, not "-- " of a signature)? */
static bool boundary_like(const char *q, const char *end)
{
	return end - q >= 3 && q[0] == '-' && q[1] == '-' && q[2] != '-' && q[2] != ' ' &&
	       q[2] != '\n';
}

bool msg_mime_too_many_parts(const char *p, size_t n)
{
	unsigned count = 0;
	const char *end = p + n;
	if (boundary_like(p, end))
		count++;
	/* The other lines that start "--", found by mem2chr (not a look at
	 * every line: a message page asks it of the whole message). */
	for (const char *q = p; end - q >= 3 && (q = mem2chr(q, (size_t)(end - q), '\n', '-'));) {
		q++;
		if (boundary_like(q, end) && ++count > MIME_BOUNDARIES_MAX)
			return true;
	}
	return count > MIME_BOUNDARIES_MAX;
}

void msg_made_up_id(char *out, size_t n, const char *head, size_t hlen, uint64_t len)
{
	uint64_t h = hash64(head, hlen, len);
	snprintf(out, n, "nomid-%016llx@listarc.invalid", (unsigned long long)h);
}

void msg_index_id(const char *p, size_t n, uint64_t len, char *out)
{
	/* msg_summary_parse's Message-ID alone (set_ids: the last field's,
	 * as find_fields takes it), without the rest of the summary: every
	 * uncached message page checks its bytes with this.  The walk that
	 * finds the header block's length (hdr_block_len) takes it: the
	 * fields of p[0..hl) are the same, unless len cuts the block. */
	struct hdr_iter it;
	struct hdr_field f;
	struct span mid = SPAN_NULL;
	hdr_iter_init(&it, p, n < HEAD_MAX ? n : HEAD_MAX);
	while (hdr_next(&it, &f))
		if (f.name.n == 10 && span_ieq(f.name, "message-id"))
			mid = f.value;
	size_t hl = (size_t)(it.body - p);
	if (hl > len) {
		hl = (size_t)len;
		mid = SPAN_NULL;
		hdr_iter_init(&it, p, hl);
		while (hdr_next(&it, &f))
			if (f.name.n == 10 && span_ieq(f.name, "message-id"))
				mid = f.value;
	}
	unsigned flags = 0;
	if (!mid.p || !msgid_from_header(mid, out, &flags) || !out[0])
		msg_made_up_id(out, MSGID_MAX + 1, p, hl, len);
}

void msg_summary_drop_refs(struct msg_summary *s, bool (*drop)(const char *id, void *arg),
                           void *arg)
{
	bool parent_dropped = s->parent[0] && drop(s->parent, arg);
	unsigned k = 0;
	for (unsigned i = 0; i < s->nrefs; i++) {
		if (drop(s->refs[i], arg))
			continue;
		if (k != i)
			memmove(s->refs[k], s->refs[i], strlen(s->refs[i]) + 1);
		k++;
	}
	s->nrefs = k;
	if (parent_dropped) {
		s->parent[0] = '\0';
		if (k)
			memcpy(s->parent, s->refs[k - 1], strlen(s->refs[k - 1]) + 1);
	}
}

static bool mid_word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

size_t msgid_word_next(const char *id, size_t n, size_t *at, char out[MSGID_WORD_MAX + 1])
{
	size_t i = *at;
	while (i < n && !mid_word_char((unsigned char)id[i]))
		i++;
	size_t start = i, k = 0;
	for (; i < n && mid_word_char((unsigned char)id[i]); i++)
		if (k < MSGID_WORD_MAX) {
			char c = id[i];
			out[k++] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
		}
	out[k] = '\0';
	*at = i;
	return i - start;
}
