/* fuzz_mime: a raw message through GMime: the display walk, every
 * attachment, and the search text extraction. */
#define _GNU_SOURCE
#include <stdint.h>
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	msg_library_init();
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
