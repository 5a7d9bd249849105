/* fuzz_series: patch subjects and change-id: lines over any bytes: the
 * name stays inside the input, the numbers inside their bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "msg/series.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct bound {
	const char *p;
	size_t n;
};

static bool in_bounds(enum msg_trailer_kind k, const char *v, size_t vn, void *arg)
{
	const struct bound *b = arg;
	if (k >= MSG_TRAILER_KINDS || v < b->p || v + vn > b->p + b->n || vn == 0 ||
	    vn > MSG_TRAILER_MAX)
		abort();
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The input alone in its buffer, so that a read past it is caught. */
	char *p = malloc(size ? size : 1);
	memcpy(p, data, size);
	struct msg_series_subject s;
	if (msg_series_parse(p, size, &s)) {
		if (s.name_off + s.name_len > size || s.total < 1 || s.total > SERIES_PATCHES_MAX ||
		    s.part > s.total || s.version < 1 || s.version > SERIES_VERSION_MAX ||
		    strlen(s.tag) > MSG_SERIES_TAG_MAX)
			abort();
	} else if (s.name_len || s.part || s.total) {
		abort();
	}
	char id[CHANGE_ID_MAX + 1];
	if (msg_series_change_id(p, size, id, sizeof id) && strlen(id) > CHANGE_ID_MAX)
		abort();
	struct bound b = {p, size};
	msg_series_trailers(p, size, in_bounds, &b);
	const char *const add[] = {"Reviewed-by: R <r@x>", "Acked-by: A <a@x>"};
	struct buf out;
	buf_init(&out, 2 * size + 4096);
	msg_series_add_trailers(&out, p, size, add, 2);
	/* Everything given is kept: the output is never shorter. */
	if (!out.err && out.len < size)
		abort();
	buf_free(&out);
	free(p);
	return 0;
}
