/* header.c: split a header block into fields. */
#include "msg/header.h"

#include <string.h>

#include "limits.h"

void hdr_iter_init(struct hdr_iter *it, const char *p, size_t n)
{
	it->p = p;
	it->end = p + n;
	it->count = 0;
	it->done = false;
	it->body = NULL;
	/* A byte order mark before the first header (seen from Windows
	 * tools) is not part of a field name. */
	if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
		it->p += 3;
		p += 3;
		n -= 3;
	}
	/* A leading mbox From_ line (maildir files written by some MDAs keep
	 * it) is not a header. */
	if (n >= 5 && memcmp(p, "From ", 5) == 0) {
		const char *nl = memchr(p, '\n', n);
		it->p = nl ? nl + 1 : it->end;
	}
}

/* End of the line starting at p: the '\n', or end. */
static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl ? nl : end;
}

static bool is_field_name_char(unsigned char c)
{
	return c > 32 && c < 127 && c != ':';
}

/* Length of the field name if the line at p starts a header field
 * ("Name:" or "Name :"), else 0. */
static size_t field_name_len(const char *p, const char *eol)
{
	const char *q = p;
	while (q < eol && is_field_name_char((unsigned char)*q))
		q++;
	size_t n = (size_t)(q - p);
	if (n == 0)
		return 0;
	while (q < eol && (*q == ' ' || *q == '\t'))
		q++;
	return (q < eol && *q == ':') ? n : 0;
}

static void finish(struct hdr_iter *it, const char *body)
{
	it->done = true;
	it->body = body;
}

bool hdr_next(struct hdr_iter *it, struct hdr_field *f)
{
	if (it->done)
		return false;
	if (it->p >= it->end || it->count >= HDR_FIELDS_MAX) {
		finish(it, it->p < it->end ? it->p : it->end);
		return false;
	}
	const char *p = it->p;
	const char *eol = line_end(p, it->end);
	/* Empty line (LF or CRLF): end of headers, body follows. */
	if (eol == p || (eol == p + 1 && *p == '\r')) {
		finish(it, eol < it->end ? eol + 1 : it->end);
		return false;
	}
	size_t nlen = field_name_len(p, eol);
	if (nlen == 0) {
		/* Not a field: the body starts here (no blank line). */
		finish(it, p);
		return false;
	}
	const char *colon = memchr(p + nlen, ':', (size_t)(eol - p - nlen));
	/* Continuation lines start with space or tab. */
	const char *last = eol;
	while (last < it->end) {
		const char *next = last + 1;
		if (next >= it->end || (*next != ' ' && *next != '\t'))
			break;
		last = line_end(next, it->end);
	}
	const char *vend = last;
	if (vend > p && vend[-1] == '\r')
		vend--;
	f->name = span_make(p, nlen);
	f->value = span_make(colon + 1, (size_t)(vend - colon - 1));
	f->line = span_make(p, (size_t)(vend - p));
	it->p = last < it->end ? last + 1 : it->end;
	it->count++;
	return true;
}

size_t hdr_block_len(const char *msg, size_t n)
{
	struct hdr_iter it;
	struct hdr_field f;
	hdr_iter_init(&it, msg, n);
	while (hdr_next(&it, &f))
		;
	return (size_t)(it.body - msg);
}
