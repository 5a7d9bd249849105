/* fuzz_cgraph: git's commit-graph file read from any bytes
 * (ingest/cgraph.h): every id, tree and parent it gives lies inside the
 * input, every id of the graph is found at its own position or another
 * holding the same id, and a first-parent walk from any commit ends
 * within the graph's count of steps or meets a loop (which the caller
 * bounds the same way). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/cgraph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The input alone in its buffer, so that a read past it is caught. */
	unsigned char *p = malloc(size ? size : 1);
	if (!p)
		abort();
	memcpy(p, data, size);
	struct cgraph g;
	if (cgraph_open(&g, p, size)) {
		uint32_t n = g.count < 64 ? g.count : 64;
		for (uint32_t i = 0; i < n; i++) {
			const unsigned char *id, *tree;
			int64_t parent;
			if (!cgraph_entry(&g, i, &id, &tree, &parent))
				continue;
			if (id < p || id + CGRAPH_OID > p + size || tree < p ||
			    tree + CGRAPH_OID > p + size || parent >= (int64_t)g.count)
				abort();
			int64_t at = cgraph_find(&g, id);
			if (at >= 0 &&
			    memcmp(g.oids + (size_t)at * CGRAPH_OID, id, CGRAPH_OID) != 0)
				abort();
			/* The first-parent walk, bounded as collect_chain bounds it. */
			uint32_t steps = 0;
			while (parent >= 0 && steps++ <= g.count)
				if (!cgraph_entry(&g, (uint32_t)parent, &id, &tree, &parent))
					break;
		}
	}
	free(p);
	return 0;
}
