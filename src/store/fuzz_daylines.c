/* fuzz_daylines: a day_lines blob (store/daylines.c) read from any bytes:
 * every entry given has its three strings inside the input, each ended
 * by a NUL inside it, and the reader stops at the input's end; a blob
 * written from the entries read gives the same entries again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	const unsigned char *lo, *hi;
	struct buf out;
	size_t n;
};

static void inside(const struct seen *s, const char *z)
{
	const unsigned char *p = (const unsigned char *)z;
	if (p < s->lo || p >= s->hi || !memchr(p, 0, (size_t)(s->hi - p)))
		abort();
}

static bool take(const struct store_entry *e, void *arg)
{
	struct seen *s = arg;
	inside(s, e->subject);
	inside(s, e->from_name);
	inside(s, e->from_addr);
	if (e->day != 7 || strcmp(e->list, "l") != 0 || e->msgid[0])
		abort();
	s->n++;
	return store_lines_pack(e, &s->out);
}

static bool count(const struct store_entry *e, void *arg)
{
	(void)e;
	(*(size_t *)arg)++;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The input alone in its buffer, so that a read past it is caught. */
	unsigned char *p = malloc(size ? size : 1);
	if (!p)
		abort();
	memcpy(p, data, size);
	struct seen s = {p, p + size, {0}, 0};
	buf_init(&s.out, 1u << 24);
	store_lines_start(&s.out);
	enum store_lines_result r = store_lines_unpack(p, size, "l", 7, take, &s);
	if (r == STORE_LINES_OK) {
		size_t again = 0;
		if (s.out.err ||
		    store_lines_unpack(s.out.data, s.out.len, "l", 7, count, &again) !=
		            STORE_LINES_OK ||
		    again != s.n)
			abort();
	} else if (r == STORE_LINES_BAD && s.n) {
		abort();
	}
	buf_free(&s.out);
	free(p);
	return 0;
}
