/* cgraph.c: see cgraph.h.  The layout (git's
 * Documentation/gitformat-commit-graph): a header "CGPH", version 1,
 * hash version 1, the number of chunks C, the number of base graphs (0
 * here); then C + 1 entries of a 4-byte chunk id and an 8-byte offset
 * (the last id 0, its offset the end of the last chunk), the chunks in
 * file order; all numbers big-endian. */
#include "ingest/cgraph.h"

#include <string.h>

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const unsigned char *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

#define CHUNK_OIDF 0x4f494446u /* "OIDF" */
#define CHUNK_OIDL 0x4f49444cu /* "OIDL" */
#define CHUNK_CDAT 0x43444154u /* "CDAT" */
#define CDAT_SIZE (CGRAPH_OID + 16)
#define NO_PARENT 0x70000000u

bool cgraph_open(struct cgraph *g, const unsigned char *p, size_t n)
{
	memset(g, 0, sizeof *g);
	if (n < 8 || memcmp(p, "CGPH", 4) != 0 || p[4] != 1 || p[5] != 1 || p[7] != 0)
		return false;
	size_t chunks = p[6];
	if (n < 8 + (chunks + 1) * 12)
		return false;
	uint64_t oidf = 0, oidl = 0, cdat = 0, oidl_len = 0, cdat_len = 0, oidf_len = 0;
	for (size_t i = 0; i < chunks; i++) {
		const unsigned char *e = p + 8 + i * 12;
		uint32_t id = be32(e);
		uint64_t at = be64(e + 4), next = be64(e + 16);
		if (id == 0 || at > next || next > n)
			return false;
		if (id == CHUNK_OIDF)
			oidf = at, oidf_len = next - at;
		else if (id == CHUNK_OIDL)
			oidl = at, oidl_len = next - at;
		else if (id == CHUNK_CDAT)
			cdat = at, cdat_len = next - at;
	}
	if (be32(p + 8 + chunks * 12) != 0 || !oidf || !oidl || !cdat || oidf_len != 256 * 4)
		return false;
	const unsigned char *fanout = p + oidf;
	uint32_t prev = 0;
	for (int b = 0; b < 256; b++) {
		uint32_t c = be32(fanout + 4 * b);
		if (c < prev)
			return false;
		prev = c;
	}
	if (oidl_len / CGRAPH_OID < prev || cdat_len / CDAT_SIZE < prev)
		return false;
	g->fanout = fanout;
	g->oids = p + oidl;
	g->cdat = p + cdat;
	g->count = prev;
	return true;
}

int64_t cgraph_find(const struct cgraph *g, const unsigned char *id)
{
	if (!g->count)
		return -1;
	uint32_t lo = id[0] ? be32(g->fanout + 4 * (id[0] - 1)) : 0;
	uint32_t hi = be32(g->fanout + 4 * id[0]);
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = memcmp(g->oids + (size_t)mid * CGRAPH_OID, id, CGRAPH_OID);
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

bool cgraph_entry(const struct cgraph *g, uint32_t pos, const unsigned char **id,
                  const unsigned char **tree, int64_t *parent)
{
	if (pos >= g->count)
		return false;
	const unsigned char *e = g->cdat + (size_t)pos * CDAT_SIZE;
	uint32_t p1 = be32(e + CGRAPH_OID);
	if (p1 != NO_PARENT && p1 >= g->count)
		return false;
	*id = g->oids + (size_t)pos * CGRAPH_OID;
	*tree = e;
	*parent = p1 == NO_PARENT ? -1 : (int64_t)p1;
	return true;
}
