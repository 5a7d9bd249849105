/* fuzz_mime: a raw message through GMime: the display walk, every
 * attachment, and the search text extraction; and the walk of a message
 * read without GMime (mime.c's plain messages) is GMime's. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg/msg.h"
#include "msg/text.h"
#include "render/html.h"
#include "render/mime.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void block(const struct mime_block *b, void *arg)
{
	struct buf *out = arg;
	if ((b->kind == MB_TEXT || b->kind == MB_MESSAGE) && !utf8_valid(b->text, b->len))
		abort();
	if (b->text)
		html_body(out, b->text, b->len, HTML_LINKS | HTML_OBFUSCATE);
	if (b->filename)
		html_texts(out, b->filename);
	if (out->data && memmem(out->data, out->len, "<script", 7))
		abort();
	buf_reset(out);
}

/* A block as bytes, for comparing two walks. */
static void record(const struct mime_block *b, void *arg)
{
	struct buf *out = arg;
	buf_printf(out, "[%d %zu %d %s|%s|%s %llu %d %d %d]", (int)b->kind, b->len, b->k,
	           b->type ? b->type : "-", b->filename ? b->filename : "-", b->idx ? b->idx : "-",
	           (unsigned long long)b->size, b->size_exact, b->is_text, b->shown_inline);
	if (b->text)
		buf_add(out, b->text, b->len);
}

static void reply_addr(const char *addr, void *arg)
{
	buf_printf(arg, " <%s>", addr);
}

/* The walk of data opened as mime_open_mem opens it and its reply
 * addresses, into out, and the status of the open and the walk. */
static enum la_status walked(const uint8_t *data, size_t size, struct buf *out)
{
	char *copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	struct mime_msg *m;
	enum la_status e = mime_open_mem(&m, copy, size);
	if (e)
		return e;
	e = mime_walk(m, record, out);
	buf_adds(out, "\naddresses:");
	mime_msg_reply_addrs(m, reply_addr, out);
	mime_free(m);
	return e;
}

/* A message read without GMime (one text/plain part: mime.c's plain_of)
 * walks to the same blocks and reply addresses as GMime's tree of it. */
static void same_as_gmime(const uint8_t *data, size_t size)
{
	struct buf a, b;
	buf_init(&a, 1 << 26);
	buf_init(&b, 1 << 26);
	enum la_status ea = walked(data, size, &a);
	setenv("LISTARC_MIME_GMIME", "1", 1);
	enum la_status eb = walked(data, size, &b);
	unsetenv("LISTARC_MIME_GMIME");
	if (ea != eb || a.len != b.len || (a.len && memcmp(a.data, b.data, a.len) != 0)) {
		fprintf(stderr, "fuzz_mime: the walk differs from GMime's (%d, %d)\n", (int)ea,
		        (int)eb);
		abort();
	}
	buf_free(&a);
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	msg_library_init();
	same_as_gmime(data, size);
	char *copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	struct mime_msg *m;
	if (mime_open_mem(&m, copy, size) == LA_OK) {
		struct buf out;
		buf_init(&out, 1 << 26);
		la_ignore(
			mime_walk(m, block, &out)); /* any outcome will do: no crash is the test */
		for (int k = 1; k <= 4; k++) {
			struct mime_block info;
			buf_reset(&out);
			if (mime_attachment(m, k, &info, &out, 1 << 20) == LA_ENOTFOUND)
				break;
		}
		buf_free(&out);
		mime_free(m);
	}
	struct msg_text t;
	msg_text_init(&t);
	msg_text_extract(&t, (const char *)data, size);
	msg_text_free(&t);
	return 0;
}
