/* fuzz_charset: charset conversion (msg_to_utf8: the alias table, iconv
 * with supersets, the ISO-2022-JP transcoder, undeclared 8-bit) over any
 * bytes.  The first byte picks a label from the list below; 0xFF means
 * the label is in the input: a length byte (at most 64), then the label,
 * then the text.  The output must always be valid UTF-8. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg/charset.h"
#include "msg/msg.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const labels[] = {
	NULL,           "utf-8",       "us-ascii", "iso-8859-1",
	"windows-1252", "iso-8859-2",  "koi8-r",   "iso-2022-jp",
	"shift_jis",    "euc-jp",      "gb2312",   "gbk",
	"gb18030",      "big5",        "euc-kr",   "ks_c_5601-1987",
	"utf-16",       "utf-16le",    "utf-32",   "utf-7",
	"iso-2022-kr",  "iso-2022-cn", "tis-620",  "x-unknown",
	"windows-1256", "hz-gb-2312",  "cp932",    "euc-tw",
	"johab",        "viscii",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	msg_library_init();
	if (size == 0)
		return 0;
	char label[65];
	const char *cs;
	size_t k = data[0];
	const uint8_t *p = data + 1;
	size_t n = size - 1;
	if (k == 0xFF && n > 0) {
		size_t l = p[0] > 64 ? 64 : p[0];
		if (l > n - 1)
			l = n - 1;
		memcpy(label, p + 1, l);
		label[l] = '\0';
		cs = label;
		p += 1 + l;
		n -= 1 + l;
	} else {
		cs = labels[k % (sizeof labels / sizeof *labels)];
	}
	/* A copy at the end of its own block: over-reads trip ASan. */
	char *copy = malloc(n ? n : 1);
	memcpy(copy, p, n);
	struct buf b;
	buf_init(&b, n * 8 + 64);
	msg_to_utf8(&b, copy, n, cs);
	if (!b.err && !utf8_valid(b.data ? b.data : "", b.len))
		abort();
	buf_reset(&b);
	charset_mixed(&b, copy, n);
	if (!b.err && !utf8_valid(b.data ? b.data : "", b.len))
		abort();
	buf_free(&b);
	free(copy);
	return 0;
}
