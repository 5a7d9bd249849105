/* fuzz_text: a message's search text (msg_text_extract) read two ways
 * must be the same: as the indexer reads it (a message of one part in
 * quoted-printable or base64 decoded by GMime's decoder alone, GMime's
 * parser given the Content-* fields alone) and as the reference does
 * (struct msg_text's gmime_whole: GMime's parser over the whole
 * message).  Any difference aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg/msg.h"
#include "msg/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(const struct buf *a, const struct buf *b)
{
	if (a->len != b->len || (a->len && memcmp(a->data, b->data, a->len)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	msg_library_init();
	struct msg_text t, r;
	msg_text_init(&t);
	msg_text_init(&r);
	r.gmime_whole = true;
	msg_text_extract(&t, (const char *)data, size);
	msg_text_extract(&r, (const char *)data, size);
	const struct buf *bt[] = {&t.to,     &t.cc,     &t.nq,    &t.q,    &t.dfn,
	                          &t.dfa,    &t.dfb,    &t.dfctx, &t.dfhh, &t.dfpre,
	                          &t.dfpost, &t.nqrest, &t.names, &t.lid};
	const struct buf *br[] = {&r.to,     &r.cc,     &r.nq,    &r.q,    &r.dfn,
	                          &r.dfa,    &r.dfb,    &r.dfctx, &r.dfhh, &r.dfpre,
	                          &r.dfpost, &r.nqrest, &r.names, &r.lid};
	for (size_t i = 0; i < sizeof bt / sizeof *bt; i++)
		same(bt[i], br[i]);
	if (t.npatchids != r.npatchids ||
	    memcmp(t.patchids, r.patchids, t.npatchids * sizeof t.patchids[0]))
		abort();
	msg_text_free(&t);
	msg_text_free(&r);
	return 0;
}
