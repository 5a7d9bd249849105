/* write.c: the indexer's side of the store: lists and sources added,
 * transactions, day numbers, threading, the search text, purges; what it
 * reads it asks read.c for.  Message-IDs and day counts touched by a
 * transaction are kept in memory and written just before it commits, so
 * that a message costs one row insert and a few hash lookups rather than
 * a dozen queries. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "limits.h"
#include "msg/ftsrow.h"
#include "msg/text.h"
#include "store/store_int.h"
#include "store/stats_sql.h"
#include "util/stem.h"
#include "util/hash.h"
#include "util/io.h"
#include "util/msort.h"
#include "util/vec.h"

/* Entries kept between transactions; beyond this the cache starts empty
 * again once a commit has written its rows, its memory given back (it
 * stays bounded whatever the archive size).  An entry costs ~120 bytes with its share of the
 * tables, and a batch of 20,000 messages adds ~35,000 (each message's
 * Message-ID and those it names): the cache peaks near 100,000 entries
 * (12 MB).  At 200,000 it was 30 MB of the indexer's peak RSS (grown by
 * doubling); what is dropped is looked up in the index again. */
#define MID_CACHE_MAX 65536

enum { MID_CLEAN = 0, MID_NEW = 1, MID_DIRTY = 2 };

/* ---- the Message-ID cache ---- */

static void cache_clear(struct mid_cache *c)
{
	c->n = 0;
	c->ndirty = 0;
	c->complete = false;
	if (c->slot)
		memset(c->slot, 0, c->nslot * sizeof *c->slot);
	if (c->byid)
		memset(c->byid, 0, c->nslot * sizeof *c->byid);
	buf_reset(&c->text);
}

/* Empties c and gives its memory back. */
static void cache_release(struct mid_cache *c)
{
	free(c->e);
	free(c->slot);
	free(c->byid);
	free(c->dirty);
	buf_free(&c->text);
	memset(c, 0, sizeof *c);
}

static void midf_drop(struct store *st);

/* The mid_words rows kept (st_mid_words_add), dropped or freed. */
static void mw_drop(struct store *st)
{
	st->nmwrow = 0;
	st->nmwtext = 0;
}

static void mw_free(struct store *st)
{
	free(st->mwrow);
	free(st->mwtext);
	st->mwrow = NULL;
	st->mwtext = NULL;
	st->nmwrow = st->capmwrow = st->nmwtext = st->capmwtext = 0;
}

void st_write_caches_free(struct store *st)
{
	cache_release(&st->mids);
	midf_drop(st);
	free(st->days);
	st->days = NULL;
	st->ndays = st->capdays = 0;
	st->next_mid = st->next_thread = 0;
	st_fts_prep_free(st);
	mw_free(st);
}

static const char *entry_text(const struct mid_cache *c, const struct mid_entry *e)
{
	return c->text.data + e->text_off;
}

static size_t id_hash(int64_t id)
{
	return (size_t)hash64(&id, sizeof id, 3);
}

static void slot_put(uint32_t *t, size_t ns, size_t h, uint32_t v)
{
	size_t j = h & (ns - 1);
	while (t[j])
		j = (j + 1) & (ns - 1);
	t[j] = v;
}

/* Makes room for one more entry, keeping the slot tables at most half
 * full. */
static enum la_status cache_reserve(struct mid_cache *c)
{
	if (c->text.max == 0)
		buf_init(&c->text, (size_t)1 << 31);
	if (!vec_reserve(&c->e, &c->cap, c->n + 1, sizeof *c->e))
		return LA_ENOMEM;
	if ((c->n + 1) * 2 > c->nslot) {
		size_t ns = c->nslot ? c->nslot * 2 : 8192;
		uint32_t *slot = calloc(ns, sizeof *slot);
		uint32_t *byid = calloc(ns, sizeof *byid);
		if (!slot || !byid) {
			free(slot);
			free(byid);
			return LA_ENOMEM;
		}
		for (size_t i = 0; i < c->n; i++) {
			slot_put(slot, ns, c->e[i].hash, (uint32_t)(i + 1));
			slot_put(byid, ns, id_hash(c->e[i].id), (uint32_t)(i + 1));
		}
		free(c->slot);
		free(c->byid);
		c->slot = slot;
		c->byid = byid;
		c->nslot = ns;
	}
	return LA_OK;
}

/* The cached entry with this id, or NULL. */
static struct mid_entry *cache_by_id(struct mid_cache *c, int64_t id)
{
	if (!c->nslot)
		return NULL;
	for (size_t j = id_hash(id) & (c->nslot - 1); c->byid[j]; j = (j + 1) & (c->nslot - 1)) {
		struct mid_entry *e = &c->e[c->byid[j] - 1];
		if (e->id == id)
			return e;
	}
	return NULL;
}

/* The cached entry for (hash, text), or NULL. */
static struct mid_entry *cache_find(struct mid_cache *c, uint64_t h, const char *text, size_t n)
{
	if (!c->nslot)
		return NULL;
	for (size_t j = h & (c->nslot - 1); c->slot[j]; j = (j + 1) & (c->nslot - 1)) {
		struct mid_entry *e = &c->e[c->slot[j] - 1];
		if (e->hash == h && e->text_len == n && memcmp(entry_text(c, e), text, n) == 0)
			return e;
	}
	return NULL;
}

static struct mid_entry *cache_add(struct mid_cache *c, uint64_t h, const char *text, size_t n)
{
	if (cache_reserve(c))
		return NULL;
	size_t off = c->text.len;
	buf_add(&c->text, text, n + 1);
	if (c->text.err)
		return NULL;
	struct mid_entry *e = &c->e[c->n];
	memset(e, 0, sizeof *e);
	e->hash = h;
	e->text_off = (uint32_t)off;
	e->text_len = (uint32_t)n;
	slot_put(c->slot, c->nslot, h, (uint32_t)(++c->n));
	return e;
}

/* Enters e (whose id is now set) in the by-id table. */
static void cache_index_id(struct mid_cache *c, struct mid_entry *e)
{
	slot_put(c->byid, c->nslot, id_hash(e->id), (uint32_t)(e - c->e + 1));
}

/* Remembers that e must be written at commit. */
static enum la_status note_dirty(struct mid_cache *c, struct mid_entry *e)
{
	if (!vec_reserve(&c->dirty, &c->capdirty, c->ndirty + 1, sizeof *c->dirty))
		return LA_ENOMEM;
	c->dirty[c->ndirty++] = (uint32_t)(e - c->e);
	return LA_OK;
}

/* Loads the id counters on first use in a transaction. */
static enum la_status load_counters(struct store *st)
{
	if (st->next_mid)
		return LA_OK;
	sqlite3_stmt *s = st_prepare(st, S_MAX_IDS);
	if (!s)
		return LA_EDB;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		st->next_mid = sqlite3_column_int64(s, 0) + 1;
		st->next_thread = sqlite3_column_int64(s, 1) + 1;
		/* A new index: until the cache is cleared, it holds every id. */
		st->mids.complete = st->next_mid == 1 && st->mids.n == 0;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? LA_OK : LA_EDB;
}

/* A first index's Bloom filter of the hashes of mids' rows, MIDF_BITS
 * (1 MB), three bits a hash: a Message-ID whose hash it does not hold
 * is new without a look-up in the index.  Once the cache no longer
 * holds every Message-ID (a first index past MID_CACHE_MAX), each new
 * one's look-up found nothing at the end of a walk down mids_hash to a
 * random leaf, most of them outside the page cache once the index
 * outgrew it: the growth of a first index's time with its size.  At
 * a million hashes about one new Message-ID in 35 is looked up still
 * (a false positive: the look-up finds nothing, as before).  Made at the first look-up of a first
 * index (from mids' rows if a killed one left some); dropped with the batches' caches
 * (store_caches_release). */
#define MIDF_BITS ((size_t)1 << 23)

struct midfilter {
	uint64_t w[MIDF_BITS / 64];
};

static void midf_bits(uint64_t h, size_t b[3])
{
	uint64_t g = hash64_mix(h ^ 0x9e3779b97f4a7c15u);
	b[0] = (size_t)h & (MIDF_BITS - 1);
	b[1] = (size_t)(h >> 40) & (MIDF_BITS - 1);
	b[2] = (size_t)g & (MIDF_BITS - 1);
}

static void midf_add(struct midfilter *f, uint64_t h)
{
	size_t b[3];
	midf_bits(h, b);
	for (int i = 0; i < 3; i++)
		f->w[b[i] / 64] |= (uint64_t)1 << (b[i] % 64);
}

static bool midf_maybe(const struct midfilter *f, uint64_t h)
{
	size_t b[3];
	midf_bits(h, b);
	for (int i = 0; i < 3; i++)
		if (!(f->w[b[i] / 64] >> (b[i] % 64) & 1))
			return false;
	return true;
}

static void midf_drop(struct store *st)
{
	free(st->midf);
	st->midf = NULL;
	st->midf_state = 0;
}

/* The filter, if this run keeps one (a first index without search):
 * made at its first look-up, holding the hash of every row of mids.
 * (With search the search thread bounds the run, and the filter would
 * sit beside its buffers at the peak: 61.9 → 62.9 MB at 100k.) */
static struct midfilter *midf_get(struct store *st)
{
	if (!st->indexes_deferred)
		return NULL;
	if (st->midf_state == 0) {
		st->midf_state = -1;
		char mode[16] = "";
		if (store_meta_get(st, "search", mode, sizeof mode) != LA_OK ||
		    strcmp(mode, "off") != 0)
			return NULL;
		struct midfilter *f = calloc(1, sizeof *f);
		sqlite3_stmt *s = NULL;
		int rc = SQLITE_ERROR;
		if (f && sqlite3_prepare_v2(st->db, "SELECT hash FROM mids", -1, &s, NULL) ==
		                 SQLITE_OK) {
			while ((rc = sqlite3_step(s)) == SQLITE_ROW)
				midf_add(f, (uint64_t)sqlite3_column_int64(s, 0));
		}
		sqlite3_finalize(s);
		if (rc == SQLITE_DONE) {
			st->midf = f;
			st->midf_state = 1;
		} else {
			free(f);
		}
	}
	return st->midf_state > 0 ? st->midf : NULL;
}

/* Finds Message-ID mid in the cache, else the index, else creates it as
 * a ghost in a new thread of its own.  The entry stays valid until the
 * next cache_add (the array may move). */
static enum la_status mid_get(struct store *st, const char *mid, struct mid_entry **out)
{
	struct mid_cache *c = &st->mids;
	size_t n = strlen(mid);
	uint64_t h = hash64(mid, n, 0);
	struct mid_entry *e = cache_find(c, h, mid, n);
	if (e) {
		*out = e;
		return LA_OK;
	}
	enum la_status err = load_counters(st);
	if (err)
		return err;
	int64_t id = 0, thread = 0, parent = 0, msgs = 0;
	int rc = SQLITE_DONE;
	struct midfilter *f = midf_get(st);
	bool absent = c->complete || (f && !midf_maybe(f, h));
	sqlite3_stmt *s = absent ? NULL : st_prepare(st, S_MID_BYHASH);
	if (!s && !absent)
		return LA_EDB;
	if (s)
		sqlite3_bind_int64(s, 1, (int64_t)h);
	while (s && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 1);
		if (t && strcmp(t, mid) == 0) {
			id = sqlite3_column_int64(s, 0);
			thread = sqlite3_column_int64(s, 2);
			parent = sqlite3_column_int64(s, 3);
			msgs = sqlite3_column_int64(s, 4);
			break;
		}
	}
	if (s)
		sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return st_error(rc);
	e = cache_add(c, h, mid, n);
	if (!e)
		return LA_ENOMEM;
	if (id) {
		e->id = id;
		e->thread = thread;
		e->parent = parent;
		e->msgs = msgs;
		e->state = MID_CLEAN;
	} else {
		/* A new entry's thread is chosen by thread_message: it joins the
		 * thread of the ids it is linked with, or starts one. */
		e->id = st->next_mid++;
		e->thread = 0;
		e->state = MID_NEW;
		if (f)
			midf_add(f, h);
		if (note_dirty(c, e))
			return LA_ENOMEM;
	}
	cache_index_id(c, e);
	*out = e;
	return LA_OK;
}

static enum la_status mark_dirty(struct mid_cache *c, struct mid_entry *e)
{
	if (e->state != MID_CLEAN)
		return LA_OK;
	e->state = MID_DIRTY;
	return note_dirty(c, e);
}

/* The order cache_flush writes in: new entries by hash, so that their
 * inserts walk the hash index from one end to the other instead of
 * landing at random places (a page touched once per batch, not once
 * per entry), then changed ones by id. */
static int dirty_cmp(const void *a, const void *b, void *arg)
{
	const struct mid_cache *c = arg;
	const struct mid_entry *x = &c->e[*(const uint32_t *)a], *y = &c->e[*(const uint32_t *)b];
	bool xn = x->state == MID_NEW, yn = y->state == MID_NEW;
	if (xn != yn)
		return xn ? -1 : 1;
	if (xn) /* as the index orders them: stored as signed integers */
		return (int64_t)x->hash < (int64_t)y->hash ? -1
		                                           : (int64_t)x->hash > (int64_t)y->hash;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Rows of S_MID_INS16. */
#define MID_INS_ROWS 16

/* Writes new and changed entries to the index. */
static enum la_status cache_flush(struct store *st)
{
	struct mid_cache *c = &st->mids;
	if (c->ndirty > 1)
		qsort_r(c->dirty, c->ndirty, sizeof *c->dirty, dirty_cmp, c);
	/* The new entries (first) MID_INS_ROWS a statement: a step's own
	 * cost was a fifth of a row's.  The same rows, in the same order. */
	size_t i = 0;
	for (; c->ndirty - i >= MID_INS_ROWS; i += MID_INS_ROWS) {
		if (c->e[c->dirty[i + MID_INS_ROWS - 1]].state != MID_NEW)
			break;
		sqlite3_stmt *s = st_prepare(st, S_MID_INS16);
		if (!s)
			return LA_EDB;
		for (int r = 0; r < MID_INS_ROWS; r++) {
			struct mid_entry *e = &c->e[c->dirty[i + (size_t)r]];
			int b = 6 * r;
			sqlite3_bind_int64(s, b + 1, e->id);
			sqlite3_bind_int64(s, b + 2, (int64_t)e->hash);
			sqlite3_bind_text(s, b + 3, entry_text(c, e), (int)e->text_len,
			                  SQLITE_STATIC);
			sqlite3_bind_int64(s, b + 4, e->thread);
			if (e->parent)
				sqlite3_bind_int64(s, b + 5, e->parent);
			sqlite3_bind_int64(s, b + 6, e->msgs);
		}
		int rc = st_step_done(s);
		sqlite3_clear_bindings(s);
		if (rc != SQLITE_DONE)
			return st_error(rc);
		for (int r = 0; r < MID_INS_ROWS; r++)
			c->e[c->dirty[i + (size_t)r]].state = MID_CLEAN;
	}
	for (; i < c->ndirty; i++) {
		struct mid_entry *e = &c->e[c->dirty[i]];
		if (e->state == MID_CLEAN)
			continue;
		sqlite3_stmt *s;
		if (e->state == MID_NEW) {
			s = st_prepare(st, S_MID_INS);
			if (!s)
				return LA_EDB;
			sqlite3_bind_int64(s, 1, e->id);
			sqlite3_bind_int64(s, 2, (int64_t)e->hash);
			sqlite3_bind_text(s, 3, entry_text(c, e), (int)e->text_len, SQLITE_STATIC);
			sqlite3_bind_int64(s, 4, e->thread);
			if (e->parent)
				sqlite3_bind_int64(s, 5, e->parent);
			sqlite3_bind_int64(s, 6, e->msgs);
		} else {
			s = st_prepare(st, S_MID_UPD);
			if (!s)
				return LA_EDB;
			sqlite3_bind_int64(s, 1, e->id);
			sqlite3_bind_int64(s, 2, e->thread);
			if (e->parent)
				sqlite3_bind_int64(s, 3, e->parent);
			sqlite3_bind_int64(s, 4, e->msgs);
		}
		int rc = st_step_done(s);
		if (rc != SQLITE_DONE)
			return st_error(rc);
		e->state = MID_CLEAN;
	}
	c->ndirty = 0;
	return LA_OK;
}

/* The parent of id, from the cache or the index (0 if none). */
static enum la_status parent_of(struct store *st, int64_t id, int64_t *parent)
{
	struct mid_entry *e = cache_by_id(&st->mids, id);
	if (e) {
		*parent = e->parent;
		return LA_OK;
	}
	sqlite3_stmt *s = st_prepare(st, S_MID_PARENT_OF);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	*parent = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? LA_OK : LA_EDB;
}

/* Would making p the parent of c close a loop?  Walks up from p; a walk
 * longer than the bound counts as a loop, so linking always terminates. */
static enum la_status would_loop(struct store *st, int64_t c, int64_t p, bool *loop)
{
	*loop = false;
	for (int depth = 0; p; depth++) {
		if (p == c || depth > 256) {
			*loop = true;
			return LA_OK;
		}
		enum la_status e = parent_of(st, p, &p);
		if (e)
			return e;
	}
	return LA_OK;
}

/* Rows of a thread moved a statement (merge_threads). */
#define MERGE_ROWS 256

/* Merges thread `from` into thread `into`, in the index and the cache. */
static enum la_status merge_threads(struct store *st, int64_t into, int64_t from)
{
	enum la_status e = cache_flush(st);
	if (!e)
		e = stats_flush(st); /* before S_MERGE_MSGS's trigger notes the move */
	if (e)
		return e;
	/* In steps of MERGE_ROWS rows, each statement's journal bounded
	 * (st_journals): a thread of any size, crafted or not, moves in
	 * ~2 MB of memory at most. */
	for (enum st_stmt_id id = S_MERGE_MIDS; id <= S_MERGE_MSGS; id++) {
		sqlite3_stmt *s = st_prepare(st, id);
		if (!s)
			return LA_EDB;
		int changed;
		do {
			sqlite3_bind_int64(s, 1, into);
			sqlite3_bind_int64(s, 2, from);
			sqlite3_bind_int(s, 3, MERGE_ROWS);
			if (st_step_done(s) != SQLITE_DONE)
				return LA_EDB;
			changed = sqlite3_changes(st->db);
		} while (changed >= MERGE_ROWS);
	}
	struct mid_cache *c = &st->mids;
	for (size_t i = 0; i < c->n; i++)
		if (c->e[i].thread == from)
			c->e[i].thread = into;
	return LA_OK;
}

/* Threads a message, JWZ style but kept in the index: every Message-ID
 * the message names joins one thread (ghost entries stand in for
 * messages not in the archive, so a reply that arrives before its parent
 * joins the parent's thread when it comes).  Parent links: a message's
 * own choice wins; References chains link ghosts only; no link ever
 * closes a loop.  No subject merging.  Entries new in this call take the
 * thread of the others; when several existing threads meet, the oldest
 * (smallest id) absorbs the rest.  Entries are looked up by id after each
 * step because the cache array may move. */
static enum la_status thread_message(struct store *st, int64_t self_id,
                                     const struct msg_summary *sum, int64_t *thread,
                                     int64_t *parent)
{
	struct mid_cache *c = &st->mids;
	enum la_status e;
	int64_t threads[REFS_MAX + 1], fresh[REFS_MAX + 1];
	size_t nthreads = 0, nfresh = 0;
	int64_t prev = 0;
	*parent = 0;
	for (unsigned i = 0; i < sum->nrefs; i++) {
		struct mid_entry *r;
		if ((e = mid_get(st, sum->refs[i], &r)))
			return e;
		if (r->id == self_id)
			continue;
		int64_t rid = r->id;
		if (r->thread == 0) {
			fresh[nfresh++] = rid;
		} else {
			bool seen = false;
			for (size_t k = 0; k < nthreads; k++)
				seen |= threads[k] == r->thread;
			if (!seen)
				threads[nthreads++] = r->thread;
		}
		/* References chain: prev is the parent of r, for ghosts only. */
		if (prev && r->msgs == 0 && r->parent == 0) {
			bool loop;
			if ((e = would_loop(st, rid, prev, &loop)))
				return e;
			r = cache_by_id(c, rid);
			if (!loop && r) {
				r->parent = prev;
				if ((e = mark_dirty(c, r)))
					return e;
			}
		}
		prev = rid;
		if (strcmp(sum->refs[i], sum->parent) == 0)
			*parent = rid;
	}
	if (*parent) {
		bool loop;
		if ((e = would_loop(st, self_id, *parent, &loop)))
			return e;
		if (loop)
			*parent = 0;
	}
	struct mid_entry *self = cache_by_id(c, self_id);
	if (!self)
		return LA_EDB;
	if (self->parent != *parent) {
		self->parent = *parent;
		if ((e = mark_dirty(c, self)))
			return e;
	}
	if (self->thread == 0) {
		fresh[nfresh++] = self_id;
	} else {
		bool seen = false;
		for (size_t k = 0; k < nthreads; k++)
			seen |= threads[k] == self->thread;
		if (!seen)
			threads[nthreads++] = self->thread;
	}
	int64_t into;
	if (nthreads == 0) {
		if ((e = load_counters(st)))
			return e;
		into = st->next_thread++;
	} else {
		into = threads[0];
		for (size_t k = 1; k < nthreads; k++)
			if (threads[k] < into)
				into = threads[k];
	}
	for (size_t k = 0; k < nfresh; k++) {
		struct mid_entry *f = cache_by_id(c, fresh[k]);
		if (f) {
			f->thread = into;
			/* An entry already in the index without a thread (one
			 * store_rethread cleared) is written back. */
			if ((e = mark_dirty(c, f)))
				return e;
		}
	}
	for (size_t k = 0; k < nthreads; k++)
		if (threads[k] != into && (e = merge_threads(st, into, threads[k])))
			return e;
	*thread = into;
	return LA_OK;
}

/* ---- day numbers ---- */

/* The smallest number of a purged row of d's day above `after` into
 * d->purged_next (0: none). */
static enum la_status purged_after(struct store *st, struct day_entry *d, int after)
{
	sqlite3_stmt *s = st_prepare(st, S_DAY_PURGED);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, d->list_id);
	sqlite3_bind_int(s, 2, d->day);
	sqlite3_bind_int(s, 3, after);
	int rc = sqlite3_step(s);
	d->purged_next = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

/* A day's numbers 1..last are each a message's, a removed one's (gone)
 * or a purged row's.  Messages are numbered in the order they are
 * indexed; a purged row keeps its number through a rebuild (which
 * deletes every other row and indexes the source again, where the purged
 * message is no more), so the numbers of the purged rows are passed over
 * as the count reaches them, and every other message gets its number
 * back. */
static enum la_status next_daynum(struct store *st, int64_t list_id, int day, int *num)
{
	struct day_entry *d = NULL;
	enum la_status e;
	for (size_t i = st->ndays; i > 0; i--)
		if (st->days[i - 1].day == day && st->days[i - 1].list_id == list_id) {
			d = &st->days[i - 1];
			break;
		}
	if (!d) {
		sqlite3_stmt *s = st_prepare(st, S_DAY_GET);
		if (!s)
			return LA_EDB;
		sqlite3_bind_int64(s, 1, list_id);
		sqlite3_bind_int(s, 2, day);
		int rc = sqlite3_step(s);
		int count = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
		int gone = rc == SQLITE_ROW ? sqlite3_column_int(s, 1) : 0;
		int purged = rc == SQLITE_ROW ? sqlite3_column_int(s, 2) : 0;
		sqlite3_reset(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return st_error(rc);
		if (purged > count)
			purged = count; /* a days row out of step: trust the count */
		if (!vec_reserve(&st->days, &st->capdays, st->ndays + 1, sizeof *st->days))
			return LA_ENOMEM;
		d = &st->days[st->ndays++];
		d->list_id = list_id;
		d->day = day;
		d->count = count;
		d->gone = gone;
		/* The purged rows are counted in days.count; where they stand
		 * among the others is found below. */
		d->last = count - purged + gone;
		d->purged_seen = 0;
		d->purged_next = 0;
		d->dirty = false;
		if (purged > 0 && (e = purged_after(st, d, 0)))
			return e;
	}
	/* Pass the purged rows' numbers up to the next free one. */
	while (d->purged_next > 0 && d->purged_next <= d->last + 1) {
		d->last++;
		d->purged_seen = d->purged_next;
		if ((e = purged_after(st, d, d->purged_seen)))
			return e;
	}
	if (d->last >= DAYNUM_MAX)
		return LA_ETOOBIG;
	*num = ++d->last;
	d->count++;
	d->dirty = true;
	return LA_OK;
}

static enum la_status days_flush(struct store *st)
{
	for (size_t i = 0; i < st->ndays; i++) {
		struct day_entry *d = &st->days[i];
		if (!d->dirty)
			continue;
		sqlite3_stmt *s = st_prepare(st, S_DAY_SET);
		if (!s)
			return LA_EDB;
		sqlite3_bind_int64(s, 1, d->list_id);
		sqlite3_bind_int(s, 2, d->day);
		sqlite3_bind_int(s, 3, d->count);
		int rc = st_step_done(s);
		if (rc != SQLITE_DONE)
			return st_error(rc);
		enum la_status e = st_lines_note(st, d->list_id, d->day);
		if (e)
			return e;
		d->dirty = false;
	}
	st->ndays = 0;
	return LA_OK;
}

enum la_status st_write_caches_sync(struct store *st)
{
	enum la_status e = cache_flush(st);
	if (!e)
		e = stats_flush(st);
	if (!e)
		e = days_flush(st);
	if (!e)
		cache_clear(&st->mids);
	return e;
}

/* ---- transactions ---- */

/* Where SQLite keeps a transaction's statement journals (the pages a
 * statement changes, kept until it ends so that a failed statement is
 * undone alone): a statement that writes several rows and may fail on a
 * constraint has one (the multi-row INSERTs of Message-IDs, the figures'
 * upserts, the merges of threads).  By default SQLite keeps 64 KB of it
 * in memory and then moves it to a temporary file, which stays a file
 * for every later statement of the transaction: a first index of 100k
 * messages wrote ~650,000 pages to it, 30% of its CPU in the kernel's
 * pwrite (1.3 of 4.0 s).  In memory (temp_store=MEMORY, which SQLite
 * reads as a write transaction begins) a journal holds the pages of one
 * statement and is freed as it ends.  That is bounded only where every
 * statement is: the batches of new messages (their merges of threads
 * are cut in bounded steps: merge_threads); a removal of a whole list, a
 * rethread or CREATE INDEX (whose sorter temp_store=MEMORY would also
 * keep in memory) keep the file.  Set between transactions only (SQLite
 * refuses it inside one): store_begin_batch sets memory, store_commit
 * and store_rollback set files again. */
enum la_status st_journals(struct store *st, bool in_memory)
{
	if (st->jrnl_mem == in_memory)
		return LA_OK;
	int rc = st_exec(st, in_memory ? "PRAGMA temp_store=MEMORY" : "PRAGMA temp_store=DEFAULT");
	if (rc != SQLITE_OK)
		return st_error(rc);
	st->jrnl_mem = in_memory;
	return LA_OK;
}

static enum la_status begin(struct store *st, bool batch, struct la_err *err)
{
	enum la_status e = st_journals(st, batch);
	if (e)
		return la_err_set(err, e, "index: begin: %s", sqlite3_errmsg(st->db));
	int rc = st_exec(st, "BEGIN IMMEDIATE");
	if (rc != SQLITE_OK)
		return st_fail(st, rc, err, "begin");
	st->in_txn = true;
	return LA_OK;
}

enum la_status store_begin(struct store *st, struct la_err *err)
{
	return begin(st, false, err);
}

enum la_status store_begin_batch(struct store *st, struct la_err *err)
{
	return begin(st, true, err);
}

static enum la_status fts_failed(struct store *st, struct la_err *err);

enum la_status store_commit(struct store *st, const struct store_source *src, struct la_err *err)
{
	int rc;
	/* A failure of the search index's file (its thread's, batches
	 * behind) stops the run as the index's own would (a full disk): the
	 * batches committed are kept, and the next writer makes the file's
	 * rows it lacks (store_search_catch_up). */
	enum la_status e = fts_failed(st, err);
	if (e)
		return e;
	/* (With the search index in its own file, its rows are not waited
	 * for: st_fts_flush.) */
	e = st_fts_flush(st);
	/* The additions noted first: hide_apply's trigger notes changes
	 * after them. */
	if (!e)
		e = stats_hold(st);
	if (!e)
		e = cache_flush(st);
	/* A cache past its bound is let go once its rows are written, not
	 * after the commit: nothing after this looks a Message-ID up, and
	 * what the commit holds for a moment (its figures, its mid_words
	 * sort: docs/INDEX.md) is then never beside the cache at its
	 * largest. */
	if (!e && st->mids.n > MID_CACHE_MAX)
		cache_release(&st->mids);
	if (!e)
		e = days_flush(st);
	if (!e)
		e = hide_apply(st);
	if (!e)
		e = series_state_refresh(st);
	if (!e)
		e = stats_apply(st);
	if (!e)
		e = st_lines_flush(st);
	if (e)
		return la_err_set(err, e, "index: writing: %s", sqlite3_errmsg(st->db));
	if (src) {
		sqlite3_stmt *s = st_prepare(st, S_SRC_SAVE);
		if (!s)
			return st_fail(st, SQLITE_ERROR, err, "save source");
		sqlite3_bind_int64(s, 1, src->id);
		sqlite3_bind_int64(s, 2, (int64_t)src->done);
		sqlite3_bind_int64(s, 3, src->fp_head);
		sqlite3_bind_int64(s, 4, src->fp_tail);
		sqlite3_bind_int64(s, 5, src->last_ts);
		rc = st_step_done(s);
		if (rc != SQLITE_DONE)
			return st_fail(st, rc, err, "save source");
		if (src->copy[0]) {
			s = st_prepare(st, S_COPY_SAVE);
			if (!s)
				return st_fail(st, SQLITE_ERROR, err, "save source");
			sqlite3_bind_int64(s, 1, src->id);
			sqlite3_bind_text(s, 2, st_stored_path(st, src->copy), -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, 3, src->orig_size);
			sqlite3_bind_int64(s, 4, src->orig_mtime);
			sqlite3_bind_int64(s, 5, src->orig_fp);
			sqlite3_bind_int64(s, 6, src->copy_len);
			rc = st_step_done(s);
			if (rc != SQLITE_DONE)
				return st_fail(st, rc, err, "save source");
		}
	}
	sqlite3_stmt *s = st_prepare(st, S_META_SET);
	if (s) {
		sqlite3_bind_text(s, 1, "updated", -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, (int64_t)time(NULL));
		st_step_done(s);
	}
	/* The words of the batch's Message-IDs, sorted, and the last message
	 * whose Message-ID's words are in (store.c, mid_words_fill). */
	rc = st_mid_words_flush(st);
	if (rc != SQLITE_DONE)
		return st_fail(st, rc, err, "add the words of Message-IDs");
	if (st->mid_words_upto && (s = st_prepare(st, S_META_SET))) {
		sqlite3_bind_text(s, 1, "mid_words8", -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, st->mid_words_upto);
		rc = st_step_done(s);
		if (rc != SQLITE_DONE)
			return st_fail(st, rc, err, "commit");
	}
	st->mid_words_upto = 0;
	rc = st_exec(st, "COMMIT");
	if (rc != SQLITE_OK)
		return st_fail(st, rc, err, "commit");
	st->in_txn = false;
	/* (In memory for the batch only: whatever comes next keeps its
	 * journals and sorts in files unless it is a batch too.) */
	if ((e = st_journals(st, false)))
		return la_err_set(err, e, "index: commit: %s", sqlite3_errmsg(st->db));
	/* Then the search index's own file, by its thread once it has
	 * written the batch's rows, while this one goes on with the next
	 * batch: killed before that, the next writer indexes the batch's
	 * text again (store.c, store_search_catch_up); the file never holds a
	 * message the index has not. */
	if ((e = st_fts_commit(st, 0)))
		return la_err_set(err, e, "index: writing %s: out of memory", FTS_FILE);
	return LA_OK;
}

void store_rollback(struct store *st)
{
	if (!st)
		return;
	if (st->in_txn) {
		st_exec(st, "ROLLBACK");
		st->in_txn = false;
	}
	if (st_journals(st, false) != LA_OK) {
		/* (kept as it is: store_begin and the others set it first) */
	}
	/* What the caches say may never have reached the index. */
	cache_clear(&st->mids);
	st_fts_pend_drop(st);
	stats_pending_drop(st);
	mw_drop(st);
	st->mid_words_upto = 0;
	st->nsdirty = st->nsjoin = 0;
	series_old_clear(st);
	st->ndays = 0;
	st->next_mid = st->next_thread = 0;
}

/* Rows of mid_words kept in a transaction before they are written
 * anyway (a batch is BATCH_MSGS messages, about five words each: this
 * bounds a larger one, a fill, to ~24 MB). */
#define MW_ROWS_MAX (1u << 20)

/* Rows of mid_words in one INSERT (S_MIDWORD_INS64's VALUES). */
#define MW_STMT_ROWS 64

/* A row to sort: pre, the word's first 8 bytes as a big-endian number
 * (zeros past its end), so that most comparisons are one of integers in
 * the order strcmp gives (bytes compared unsigned, a prefix first); the
 * word at off in st->mwtext, the row's mids id st->mwrow[row].mid.  (16
 * bytes, not a copy of the pointer and id: the sort's two arrays of a
 * batch's ~100,000 rows were 4.8 MB, the top of its memory.) */
struct mw_sorted {
	uint64_t pre;
	uint32_t off, row;
};

static inline bool mw_less(const struct mw_sorted *x, const struct mw_sorted *y,
                           const struct store *st)
{
	if (x->pre != y->pre)
		return x->pre < y->pre;
	int c = strcmp(st->mwtext + x->off, st->mwtext + y->off);
	if (c)
		return c < 0;
	return st->mwrow[x->row].mid < st->mwrow[y->row].mid;
}

MSORT_DEFINE_CTX(mw_sort, struct mw_sorted, struct store, mw_less)

static uint64_t mw_prefix(const char *w)
{
	uint64_t v = 0;
	int i = 0;
	for (; i < 8 && w[i]; i++)
		v = v << 8 | (unsigned char)w[i];
	for (; i < 8; i++)
		v <<= 8;
	return v;
}

int st_mid_words_flush(struct store *st)
{
	size_t n = st->nmwrow;
	if (!n)
		return SQLITE_DONE;
	sqlite3_stmt *s = st_prepare(st, S_MIDWORD_INS);
	/* (A batch's rows and text are far below 4 GB: MW_ROWS_MAX.) */
	struct mw_sorted *v =
		n <= UINT32_MAX && st->nmwtext <= UINT32_MAX ? malloc(sizeof *v * n * 2) : NULL;
	if (!s || !v) {
		free(v);
		return s ? SQLITE_NOMEM : SQLITE_ERROR;
	}
	for (size_t i = 0; i < n; i++) {
		v[i].off = (uint32_t)st->mwrow[i].off;
		v[i].row = (uint32_t)i;
		v[i].pre = mw_prefix(st->mwtext + v[i].off);
	}
	/* (SQLite's b-tree compares TEXT as memcmp does: strcmp's order.) */
	struct mw_sorted *sorted = mw_sort(v, v + n, n, st);
	if (sorted != v)
		memcpy(v, sorted, n * sizeof *v);
	const char *text = st->mwtext;
	const struct mw_row *row = st->mwrow;
	size_t k = 0; /* the distinct rows, to v[0..k) */
	for (size_t i = 0; i < n; i++)
		if (!k || row[v[i].row].mid != row[v[k - 1].row].mid ||
		    strcmp(text + v[i].off, text + v[k - 1].off))
			v[k++] = v[i];
	/* MW_STMT_ROWS rows a step (S_MIDWORD_INS64), the rest one a step:
	 * a step's fixed cost (VDBE setup, the reset, the b-tree seek from
	 * the root) was a third to a half of a row's (issue 20).  The rows are the
	 * same, inserted in the same order. */
	int rc = SQLITE_DONE;
	size_t i = 0;
	if (k >= MW_STMT_ROWS) {
		sqlite3_stmt *b = st_prepare(st, S_MIDWORD_INS64);
		if (!b)
			rc = SQLITE_ERROR;
		for (; rc == SQLITE_DONE && k - i >= MW_STMT_ROWS; i += MW_STMT_ROWS) {
			for (int j = 0; j < MW_STMT_ROWS; j++) {
				sqlite3_bind_text(b, 2 * j + 1, text + v[i + j].off, -1,
				                  SQLITE_STATIC);
				sqlite3_bind_int64(b, 2 * j + 2, row[v[i + j].row].mid);
			}
			rc = st_step_done(b);
		}
		if (b)
			sqlite3_clear_bindings(b);
	}
	for (; i < k && rc == SQLITE_DONE; i++) {
		sqlite3_bind_text(s, 1, text + v[i].off, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, row[v[i].row].mid);
		rc = st_step_done(s);
	}
	sqlite3_clear_bindings(s);
	free(v);
	mw_drop(st);
	return rc;
}

/* From *at in id[0..n): the next run of non-ASCII bytes into out (its
 * first MSGID_WORD_MAX bytes, NUL-terminated), *at past it; false when
 * there is none.  m: with no ASCII word looks inside these (search/
 * query.c, mid_key8). */
static bool mid_run8_next(const char *id, size_t n, size_t *at, char out[MSGID_WORD_MAX + 1])
{
	size_t i = *at;
	while (i < n && (unsigned char)id[i] < 0x80)
		i++;
	if (i == n) {
		*at = n;
		return false;
	}
	size_t k = 0;
	for (; i < n && (unsigned char)id[i] >= 0x80; i++)
		if (k < MSGID_WORD_MAX)
			out[k++] = id[i];
	out[k] = '\0';
	*at = i;
	return true;
}

/* Keeps the row (w, mid) for st_mid_words_flush; false if out of memory. */
static bool mw_keep(struct store *st, int64_t mid, const char *w)
{
	size_t k = strlen(w) + 1;
	if (!vec_reserve(&st->mwrow, &st->capmwrow, st->nmwrow + 1, sizeof *st->mwrow) ||
	    !vec_reserve(&st->mwtext, &st->capmwtext, st->nmwtext + k, 1))
		return false;
	st->mwrow[st->nmwrow].mid = mid;
	st->mwrow[st->nmwrow++].off = st->nmwtext;
	memcpy(st->mwtext + st->nmwtext, w, k);
	st->nmwtext += k;
	return true;
}

int st_mid_words_add(struct store *st, int64_t mid, const char *text, size_t n)
{
	char w[MSGID_WORD_MAX + 1];
	size_t at = 0;
	/* Its ASCII words, then its runs of other bytes. */
	while (msgid_word_next(text, n, &at, w))
		if (!mw_keep(st, mid, w))
			return SQLITE_NOMEM;
	at = 0;
	while (mid_run8_next(text, n, &at, w))
		if (!mw_keep(st, mid, w))
			return SQLITE_NOMEM;
	return st->nmwrow > MW_ROWS_MAX ? st_mid_words_flush(st) : SQLITE_DONE;
}

static enum la_status fts_add(struct store *st, int64_t id, const char *subject, const char *from,
                              const struct msg_text *t, const struct msg_fts_row *row);

enum la_status store_add(struct store *st, const struct store_new_msg *m, int *num, bool *dup,
                         struct la_err *err)
{
	const struct msg_summary *sum = m->sum;
	const char *id = sum->msgid[0] ? sum->msgid : m->made_up_id;
	struct mid_entry *self = NULL;
	enum la_status e = mid_get(st, id, &self);
	if (e || !self)
		return la_err_set(err, e ? e : LA_EDB, "index: Message-ID <%s>: %s", id,
		                  sqlite3_errmsg(st->db));
	*dup = self->msgs > 0;
	int64_t self_id = self->id;
	/* The words of its Message-ID (m:), when it is the first message
	 * of that Message-ID (a ghost has none). */
	if (!*dup && st->has_mid_words) {
		int rc = st_mid_words_add(st, self_id, id, strlen(id));
		if (rc != SQLITE_DONE)
			return st_fail(st, rc, err, "add the words of a Message-ID");
	}
	int64_t thread, parent;
	e = thread_message(st, self_id, sum, &thread, &parent);
	if (e)
		return la_err_set(err, e, "index: threading <%s>: %s", id, sqlite3_errmsg(st->db));
	self = cache_by_id(&st->mids, self_id);
	if (!self)
		return la_err_set(err, LA_EDB, "index: Message-ID <%s> lost from the cache", id);
	self->msgs++;
	if ((e = mark_dirty(&st->mids, self)))
		return la_err_set(err, e, "out of memory");
	e = next_daynum(st, m->list_id, m->day, num);
	if (e)
		return la_err_set(err, e, "index: day number for %d: %s", m->day,
		                  sqlite3_errmsg(st->db));

	sqlite3_stmt *s = st_prepare(st, S_MSG_INS);
	if (!s)
		return st_fail(st, SQLITE_ERROR, err, "add message");
	sqlite3_bind_int64(s, 1, m->list_id);
	sqlite3_bind_int(s, 2, m->day);
	sqlite3_bind_int(s, 3, *num);
	sqlite3_bind_int64(s, 4, m->source_id);
	sqlite3_bind_int64(s, 5, (int64_t)m->off);
	sqlite3_bind_int64(s, 6, (int64_t)m->len);
	sqlite3_bind_int64(s, 7, m->ts);
	if (m->has_date)
		sqlite3_bind_int64(s, 8, m->date);
	sqlite3_bind_int64(s, 9, self_id);
	if (parent)
		sqlite3_bind_int64(s, 10, parent);
	sqlite3_bind_int64(s, 11, thread);
	sqlite3_bind_text(s, 12, sum->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 13, sum->from_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 14, sum->from_addr, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 15, (int)sum->flags);
	if (m->file)
		sqlite3_bind_text(s, 16, m->file, -1, SQLITE_STATIC);
	/* The sender's offset, when the Date: gives one (-0000 does not). */
	if (m->has_date && sum->has_date && sum->date.has_tz)
		sqlite3_bind_int(s, 17, sum->date.tz);
	int rc = st_step_done(s);
	if (rc != SQLITE_DONE)
		return st_fail(st, rc, err, "add message");
	int64_t rowid = sqlite3_last_insert_rowid(st->db);
	if (st->has_mid_words)
		st->mid_words_upto = rowid;
	/* Its figures, counted at commit (stats_sql.h). */
	if (!(sum->flags & STORE_F_HIDDEN) &&
	    (e = stats_note_add(st, rowid, m->list_id, thread, sum->from_addr, sum->from_name,
	                        m->day, m->ts)))
		return la_err_set(err, e, "out of memory");
	e = series_note(st, rowid, m->list_id, m->has_date ? m->date : m->ts, sum->subject,
	                sum->from_addr, sum->from_name, self_id, parent, *dup);
	if (e)
		return la_err_set(err, e, "index: patch series: %s", sqlite3_errmsg(st->db));
	if (m->text) {
		char from[MSG_FTS_FROM_MAX];
		msg_fts_from(from, sum->from_name, sum->from_addr);
		e = fts_add(st, rowid, sum->subject, from, m->text, m->fts);
		if (e)
			return la_err_set(err, e, "index: search text: %s", sqlite3_errmsg(st->db));
	}
	return LA_OK;
}

/* ---- the search index's rows, written together ----
 *
 * A statement that may need its own undo (an INSERT into messages, whose
 * triggers feed the figures; most of series.c's) opens a savepoint, and
 * FTS5 writes its pending terms out as a new segment at every savepoint:
 * with the rows inserted one per message among those statements, each
 * message became a segment of its own, merged again and again (most of
 * the CPU of an index run with search).  So store_fts_add only hands a
 * row to a thread of its own (struct fts_prep): prepared (msg/ftsrow.h:
 * the columns' text folded, spaced and stemmed) by ingest's reader when
 * it gave one for the index's form (store_new_msg's fts), else its
 * texts, which the thread prepares beside the writer's other work; the
 * thread inserts them (into index.sqlite, for an index made
 * before the search index's file: st_fts_flush, one after the other at
 * store_commit and whenever FTS_FLUSH_BYTES were handed over, in the same
 * transaction as the messages): a few segments per flush (FTS5 also
 * writes one whenever its pending terms pass its hash size), not one per
 * message.
 *
 * With the search index in its own file (st->fts_db), the thread inserts
 * the rows there as they are prepared, and commits the file itself when
 * it reaches a commit mark (FTS_MARK, then the id the file then covers
 * at least): st_fts_commit hands one over after the index's COMMIT, so
 * that the file never holds a message the index lacks, and the writer
 * goes on with its next batch while the thread finishes this one (the
 * file one batch or more behind).  What the thread has not taken when
 * the writer has handed it FTS_PEND_BYTES more goes to the spool (an
 * unnamed file in the data directory: spool_put) as one record, and
 * the thread takes the spool's records first, in their order, then raw:
 * the writer never waits for it, and it never starves while the writer
 * commits or ends the run (docs/INDEX.md, "The search index's file").
 * Only a spool that cannot be written (no file, a full disk) or holds
 * FTS_SPOOL_MAX makes the writer wait as before (fts_queue).
 * A write or commit of the file that fails stops the thread's writes
 * there for good (fp->ierr): the index goes on, the file keeps the
 * batches committed before, and the next writer catches it up;
 * store_search_sync waits for the thread and says so.
 *
 * FTS_PEND_BYTES is what the writer hands over before it spools it (or
 * waits for the thread to take it): the thread holds it three times
 * (raw, the spare it prepares from, pend), with FTS5's hash of pending
 * terms (hashsize, fts_tuning in store.c) and its connection's page
 * cache.  At 4 MB those were about 9 MB more of the indexer's peak RSS
 * than at 1 MB (docs/INDEX.md, "What the indexer holds"), for no speed;
 * the spool's backlog is in a file, not in memory. */
#define FTS_PEND_BYTES (1u << 20)
/* The most the spool holds (records written and not taken yet): beyond
 * it the writer waits for the thread, as without a spool.  A spool
 * emptied by the thread is written again from its start, and its file
 * cut back when it has grown past FTS_SPOOL_KEEP. */
#define FTS_SPOOL_MAX ((uint64_t)1 << 30)
#define FTS_SPOOL_KEEP ((uint64_t)64 << 20)
/* Without the thread, or into index.sqlite (where each flush is a few
 * segments more: above), the rows are flushed every 4 MB as before. */
#define FTS_FLUSH_BYTES (4u << 20)
/* How far raw (and the thread's spare) may grow, and pend and stembuf
 * four times that: FTS_PEND_BYTES and the longest row (SEARCH_TEXT_MAX
 * and its header fields) with room to spare, and the rows of the
 * batches the tests make the thread hold (LISTARC_FTS_LAG).  Only what
 * is written is touched: the peak is FTS_PEND_BYTES and a row. */
#define FTS_BUF_MAX ((size_t)16 << 20)
/* A commit mark in the rows handed over (an id no message has). */
#define FTS_MARK ((int64_t)-1)
/* Before a row handed over prepared (an id no message has). */
#define FTS_READY ((int64_t)-2)
/* A flush mark (st_fts_flush, as the writer begins its commit): FTS5
 * writes the batch's pending terms out as a segment now, with the share
 * of its merges that segment brings (automerge), in the file's open
 * transaction, while the writer computes its commit; they were written
 * by the file's COMMIT, after the index's, which the run's end waits for
 * (a merge under way on an older archive's segments: ~200 K
 * instructions a message).  The same segment, the same merges: only
 * when they are written changes, never what the file commits. */
#define FTS_FLUSH ((int64_t)-3)

/* The rows handed over (raw: the id, then the subject's, the sender's
 * and the columns' text as store_fts_add was given them; or FTS_READY,
 * the id, the length of the parameters and the parameters, a row the
 * caller prepared: msg/ftsrow.h) and the rows
 * prepared (pend: the id, then each parameter of the INSERT), each text
 * with its length first (4 bytes).  The thread prepares while raw has
 * rows; the writer reads pend only when the thread is idle and raw
 * empty (prep_drain). */
struct fts_prep {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t work, idle;
	struct buf raw, pend;
	struct buf spare;   /* (the thread's: raw as it was taken, prepared) */
	struct buf stembuf; /* (the thread's: pend_stems) */
	size_t raw_rows, pend_rows;
	size_t queued; /* bytes handed over since the last flush */
	bool busy, stop, failed;
	enum msg_fts_cols cols; /* the search index's columns (fts_cols) */
	struct stemmer *stemmer;
	/* With the search index in its own file (st->fts_db): the thread
	 * inserts the rows it prepared through that connection as it goes,
	 * in a transaction of that file's own (txn), committed at each
	 * commit mark (file_commit); hi is the largest id it holds, ierr
	 * the first failure of a write there (for good: with its message,
	 * emsg), bad its copy under mu for the writer; unmarked (the
	 * writer's) counts the rows handed over since the last mark. */
	sqlite3 *db;
	sqlite3_stmt *ins;
	bool txn;
	int64_t hi;
	enum la_status ierr, bad;
	char emsg[256];
	size_t unmarked;
	/* Tests only (LISTARC_FTS_LAG=K): the thread leaves the rows handed
	 * over until they hold more than K commit marks (raw_marks), so that
	 * the file lags K batches and more (t4069), unless the writer waits
	 * for it (draining). */
	size_t hold, raw_marks;
	bool draining;
	/* The bytes handed over in all, and the most raw held at once
	 * (store_memory_get). */
	uint64_t handed;
	size_t raw_hi;
	/* The rows handed over prepared (FTS_READY: store_memory_get). */
	uint64_t ready;
	/* The spool (spool_put): its file (-1 until first needed), off for
	 * good once it could not be opened or written; under mu: where its
	 * first record not taken is (spool_r), its end (spool_end, where the
	 * next record goes: only the writer moves it), the commit marks of
	 * its records, whether the thread reads one (spool_reading) or the
	 * writer writes raw there (raw_spooling: the thread leaves raw
	 * alone); the records written in all and the most held at once
	 * (store_memory_get); its largest size since it was last cut back. */
	int spool_fd;
	bool spool_off, spool_reading, raw_spooling;
	uint64_t spool_r, spool_end, spool_size;
	size_t spool_marks;
	uint64_t spooled, spool_hi;
	/* Tests only (LISTARC_FTS_SPOOL): "all" sends every hand-off
	 * through the spool (the thread takes raw itself only to drain or
	 * stop), in records of FTS_SPOOL_TEST_BYTES; "fail" too, and its
	 * third write fails as with a full disk (spool_fail_at); "kill:N"
	 * too, and the process is killed (SIGKILL) once the N-th record is
	 * written (spool_kill_at). */
	bool spool_all;
	uint64_t spool_fail_at, spool_kill_at;
	/* The run's end (st_fts_checkpoint_ask): the thread copies its
	 * file's log into it once it has taken everything handed over
	 * (ckpt_ask), beside the writer's own checkpoint of index.sqlite,
	 * and says it did (ckpt_done, SQLite's code in ckpt_rc). */
	bool ckpt_ask, ckpt_done;
	int ckpt_rc;
};

/* The hand-off's bytes in a record (LISTARC_FTS_SPOOL=all), so that a
 * small corpus makes many. */
#define FTS_SPOOL_TEST_BYTES ((size_t)16 << 10)

/* A record of the spool: raw's bytes (len, rows of them, marks of those
 * commit marks) after it. */
struct spool_rec {
	uint64_t len, rows, marks;
};

/* The most parameters of a row (the id and FTS_SQL's 21 columns). */
#define FTS_PARAMS_MAX 22

/* Inserts the prepared rows of b (rows of them) with s; the largest id
 * into *hi.  SQLITE_DONE or the error.  Each text is bound ended by a NUL
 * (the byte after it, saved, made 0 while the row is inserted, then put
 * back; a text with a NUL of its own, or the buffer's last, with its
 * length): FTS5 reads the columns as NUL-ended text, which SQLite
 * otherwise copies to end it (~5 K instructions a message). */
static int insert_rows(sqlite3_stmt *s, struct buf *b, size_t rows, int64_t *hi)
{
	int nparam = sqlite3_bind_parameter_count(s);
	int rc = SQLITE_DONE;
	size_t at = 0;
	char *ps[FTS_PARAMS_MAX];
	uint32_t lens[FTS_PARAMS_MAX];
	char saved[FTS_PARAMS_MAX];
	if (nparam > FTS_PARAMS_MAX)
		return SQLITE_ERROR;
	for (size_t r = 0; r < rows && rc == SQLITE_DONE; r++) {
		int64_t id;
		memcpy(&id, b->data + at, sizeof id);
		at += sizeof id;
		sqlite3_bind_int64(s, 1, id);
		/* (Every length read before a byte after a text, the next
		 * one's length, is made 0.) */
		for (int k = 2; k <= nparam; k++) {
			memcpy(&lens[k - 1], b->data + at, sizeof lens[k - 1]);
			ps[k - 1] = b->data + at + sizeof lens[k - 1];
			at += sizeof lens[k - 1] + lens[k - 1];
		}
		for (int k = 2; k <= nparam; k++) {
			char *p = ps[k - 1];
			uint32_t len = lens[k - 1];
			bool ends = (size_t)(p - b->data) + len < b->len;
			if (ends) {
				saved[k - 1] = p[len];
				p[len] = 0;
			}
			sqlite3_bind_text(s, k, p, ends && strlen(p) == len ? -1 : (int)len,
			                  SQLITE_STATIC);
		}
		rc = st_step_done(s);
		for (int k = nparam; k >= 2; k--)
			if ((size_t)(ps[k - 1] - b->data) + lens[k - 1] < b->len)
				ps[k - 1][lens[k - 1]] = saved[k - 1];
		if (id > *hi)
			*hi = id;
	}
	return rc;
}

/* The first failure to write the search index's own file (rc, SQLite's
 * code), kept with its message: the thread writes nothing more there. */
static void file_fail(struct fts_prep *fp, int rc)
{
	if (fp->ierr)
		return;
	/* A full disk reaches SQLite in many places, and some of them (its
	 * -shm file) it reports as an I/O error: errno tells (st_fail). */
	int sys = sqlite3_system_errno(fp->db);
	bool full = sys == ENOSPC || sys == EDQUOT || rc == SQLITE_FULL;
	fp->ierr = full ? LA_ENOSPC : rc == SQLITE_NOMEM ? LA_ENOMEM : st_error(rc);
	snprintf(fp->emsg, sizeof fp->emsg, "%s%s%s",
	         rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(fp->db), sys ? ": " : "",
	         sys ? strerror(sys) : "");
}

/* The prepared rows inserted into the search index's own file (by the
 * thread, or by the writer when there is none), a transaction begun
 * there first if none is open. */
static void file_insert(struct fts_prep *fp)
{
	enum la_status e = fp->pend.err;
	if (!e && !fp->ierr && fp->pend_rows) {
		int rc = SQLITE_OK;
		if (!fp->txn &&
		    (rc = sqlite3_exec(fp->db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) == SQLITE_OK)
			fp->txn = true;
		if (rc == SQLITE_OK && !fp->ins)
			rc = sqlite3_prepare_v3(fp->db, st_sql[S_FTS_INS], -1,
			                        SQLITE_PREPARE_PERSISTENT, &fp->ins, NULL);
		if (rc == SQLITE_OK)
			rc = insert_rows(fp->ins, &fp->pend, fp->pend_rows, &fp->hi);
		if (rc != SQLITE_DONE)
			file_fail(fp, rc == SQLITE_OK ? SQLITE_ERROR : rc);
	}
	if (e)
		file_fail(fp, SQLITE_NOMEM);
	buf_reset(&fp->pend);
	fp->pend_rows = 0;
}

/* The file's transaction committed, recording in fts_state.upto that it
 * covers up to the largest id it holds, or cover (store.c's catch-up
 * walks ids that may have no row); nothing to do when no row was written
 * since the last commit and cover is 0.  After a failure, the rows not
 * committed are dropped. */
static void file_commit(struct fts_prep *fp, int64_t cover)
{
	if (fp->ierr) {
		if (fp->txn)
			sqlite3_exec(fp->db, "ROLLBACK", NULL, NULL, NULL);
		fp->txn = false;
		return;
	}
	if (!fp->txn && !cover)
		return;
	int rc = SQLITE_OK;
	if (!fp->txn &&
	    (rc = sqlite3_exec(fp->db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) == SQLITE_OK)
		fp->txn = true;
	if (cover > fp->hi)
		fp->hi = cover;
	sqlite3_stmt *s = NULL;
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(
			fp->db,
			"INSERT INTO fts_state(k, upto) VALUES(1, ?1) ON CONFLICT(k)"
			" DO UPDATE SET upto = max(upto, excluded.upto)",
			-1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, fp->hi);
		rc = st_step_done(s);
		if (rc == SQLITE_DONE)
			rc = sqlite3_exec(fp->db, "COMMIT", NULL, NULL, NULL);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_OK) {
		file_fail(fp, rc);
		file_commit(fp, 0); /* (the rollback) */
		return;
	}
	fp->txn = false;
	fp->hi = 0;
}

/* The flush mark's work (FTS_FLUSH): a savepoint, which FTS5 meets by
 * writing its pending terms out as the file's COMMIT would (a segment,
 * and its automerge share: fts5FlushOneHash); released at once, the
 * transaction goes on.  Nothing when no row was inserted since the last
 * commit. */
static void file_flush(struct fts_prep *fp)
{
	if (fp->ierr || !fp->txn)
		return;
	int rc = sqlite3_exec(fp->db, "SAVEPOINT fts_flush; RELEASE fts_flush", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		file_fail(fp, rc);
}

/* The raw rows of w[0..n) prepared into fp->pend (msg/ftsrow.h: the
 * texts spaced, folded and stemmed; a row the caller prepared, as it
 * is); at a commit mark (only with the search index in its own file),
 * those before it inserted and the file committed. */
static void prep_rows(struct fts_prep *fp, const struct buf *w, size_t rows)
{
	/* raw's texts: subject, from, then to, cc, nq, q, dfn, dfa, dfb,
	 * dfctx, dfhh, dfpre, dfpost, names, lid (5 columns only in an
	 * index without lore's: msg_fts_texts). */
	int ntext = fp->cols == MSG_FTS_OLD ? 7 : MSG_FTS_TEXTS;
	size_t at = 0;
	for (size_t r = 0; r < rows && !fp->pend.err; r++) {
		const char *p[MSG_FTS_TEXTS];
		size_t n[MSG_FTS_TEXTS];
		int64_t id;
		memcpy(&id, w->data + at, sizeof id);
		if (id == FTS_MARK || id == FTS_FLUSH) {
			int64_t cover;
			memcpy(&cover, w->data + at + sizeof id, sizeof cover);
			at += sizeof id + sizeof cover;
			file_insert(fp);
			if (id == FTS_MARK)
				file_commit(fp, cover);
			else
				file_flush(fp);
			continue;
		}
		if (id == FTS_READY) {
			/* Prepared by the caller (ingest's reader): the id, the
			 * parameters' length, the parameters. */
			uint32_t len;
			memcpy(&len, w->data + at + 2 * sizeof id, sizeof len);
			buf_add(&fp->pend, w->data + at + sizeof id, sizeof id);
			buf_add(&fp->pend, w->data + at + 2 * sizeof id + sizeof len, len);
			at += 2 * sizeof id + sizeof len + len;
			fp->pend_rows++;
			continue;
		}
		buf_add(&fp->pend, w->data + at, sizeof(int64_t));
		at += sizeof(int64_t);
		for (int i = 0; i < ntext; i++) {
			uint32_t k;
			memcpy(&k, w->data + at, sizeof k);
			p[i] = w->data + at + sizeof k;
			n[i] = k;
			at += sizeof k + k;
		}
		msg_fts_prepare(&fp->pend, &fp->stembuf, fp->stemmer, fp->cols, p, n);
		fp->pend_rows++;
	}
}

/* Whether the thread has rows to take (under mu): a record of the spool,
 * or raw's rows unless the writer is writing them to the spool (or, for
 * the tests' LISTARC_FTS_SPOOL, the spool is to carry them and the
 * writer neither drains nor stops the thread). */
static bool prep_pending(const struct fts_prep *fp)
{
	if (fp->spool_end > fp->spool_r)
		return true;
	return fp->raw_rows && !fp->raw_spooling &&
	       (!fp->spool_all || fp->spool_off || fp->draining || fp->stop);
}

/* Whether a test holds the rows (LISTARC_FTS_LAG): until more than
 * fp->hold commit marks wait, in raw and the spool. */
static bool prep_held(const struct fts_prep *fp)
{
	return fp->hold && !fp->draining && fp->raw_marks + fp->spool_marks <= fp->hold;
}

/* The spool's record at at read into fp->spare (by the thread, mu not
 * held), its header into *h.  False if it could not be read (the disk's
 * error, or no memory): the thread then writes nothing more into the
 * file (fp->ierr), as after a failed write there. */
static bool spool_get(struct fts_prep *fp, uint64_t at, struct spool_rec *h)
{
	size_t got = 0;
	enum la_status e = io_pread_full(fp->spool_fd, h, sizeof *h, at, &got);
	int sys = e ? errno : 0;
	if (!e && got != sizeof *h)
		e = LA_EIO;
	if (!e)
		e = buf_reserve(&fp->spare, h->len);
	if (!e && (e = io_pread_full(fp->spool_fd, fp->spare.data, h->len, at + sizeof *h, &got)) !=
	                  LA_OK)
		sys = errno;
	if (!e && got != h->len)
		e = LA_EIO;
	if (!e) {
		fp->spare.len = h->len;
		return true;
	}
	if (!fp->ierr) {
		fp->ierr = e;
		snprintf(fp->emsg, sizeof fp->emsg, "reading the search rows' spool: %s",
		         sys ? strerror(sys) : la_strstatus(e));
	}
	buf_reset(&fp->spare);
	return false;
}

static void *prep_main(void *arg)
{
	struct fts_prep *fp = arg;
	pthread_mutex_lock(&fp->mu);
	for (;;) {
		while ((!prep_pending(fp) || prep_held(fp)) && !fp->stop) {
			if (fp->ckpt_ask) {
				/* (Busy: the connection is the thread's till
				 * it is done.) */
				fp->ckpt_ask = false;
				fp->busy = true;
				pthread_mutex_unlock(&fp->mu);
				int rc = sqlite3_wal_checkpoint_v2(
					fp->db, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
				pthread_mutex_lock(&fp->mu);
				fp->ckpt_rc = rc;
				fp->ckpt_done = true;
				continue;
			}
			fp->busy = false;
			pthread_cond_broadcast(&fp->idle);
			pthread_cond_wait(&fp->work, &fp->mu);
		}
		if (!prep_pending(fp))
			break;
		fp->busy = true;
		size_t rows;
		if (fp->spool_end > fp->spool_r) {
			/* The spool's records first, oldest first: raw's rows
			 * came after them. */
			uint64_t at = fp->spool_r;
			fp->spool_reading = true;
			pthread_mutex_unlock(&fp->mu);
			struct spool_rec h = {0};
			bool ok = spool_get(fp, at, &h);
			pthread_mutex_lock(&fp->mu);
			fp->spool_reading = false;
			if (ok) {
				fp->spool_r = at + sizeof h + h.len;
				fp->spool_marks -= h.marks;
				rows = h.rows;
			} else {
				/* (The rows left are for the next writer's
				 * catch-up: nothing more is written.) */
				fp->spool_r = fp->spool_end;
				fp->spool_marks = 0;
				rows = 0;
			}
		} else {
			struct buf w = fp->raw;
			fp->raw = fp->spare;
			fp->spare = w;
			rows = fp->raw_rows;
			fp->raw_rows = fp->raw_marks = 0;
		}
		/* (The writer may wait for raw, or room in the spool, to be
		 * taken: fts_queue.) */
		pthread_cond_broadcast(&fp->idle);
		pthread_mutex_unlock(&fp->mu);
		prep_rows(fp, &fp->spare, rows);
		if (fp->db)
			file_insert(fp);
		buf_reset(&fp->spare);
		pthread_mutex_lock(&fp->mu);
		fp->bad = fp->ierr;
	}
	fp->busy = false;
	pthread_cond_signal(&fp->idle);
	pthread_mutex_unlock(&fp->mu);
	return NULL;
}

/* Opens the spool (mu held, by the writer): an unnamed file in the data
 * directory (io_tmpfile), on the disk that holds the index rather than in
 * $TMPDIR, which may be a tmpfs (memory: the backlog would then be the
 * machine's RAM, unbounded by the indexer's peak RSS).  False (for good)
 * if it cannot be. */
static bool spool_open(struct fts_prep *fp, const char *dir)
{
	if (fp->spool_fd >= 0)
		return true;
	if (fp->spool_off)
		return false;
	int fd = io_tmpfile(dir, ".search-spool");
	fp->spool_fd = fd;
	fp->spool_off = fd < 0;
	return fd >= 0;
}

/* Writes raw (its rows and commit marks) to the spool as one record
 * (the writer, mu held; released while it writes: the thread leaves raw
 * alone meanwhile, raw_spooling) and empties it.  False if raw stays:
 * the spool is full (FTS_SPOOL_MAX: try again once the thread took a
 * record) or cannot be written (for good: no file, a failed write, a
 * full disk; nothing of raw is lost, the writer waits as before). */
static bool spool_put(struct fts_prep *fp, const char *dir)
{
	if (!fp->raw_rows || !spool_open(fp, dir))
		return false;
	uint64_t need = sizeof(struct spool_rec) + fp->raw.len;
	if (fp->spool_end > fp->spool_r && fp->spool_end - fp->spool_r + need > FTS_SPOOL_MAX)
		return false;
	bool cut = false;
	if (fp->spool_end == fp->spool_r && !fp->spool_reading) {
		/* Empty: written again from its start. */
		cut = fp->spool_size > FTS_SPOOL_KEEP;
		fp->spool_r = fp->spool_end = 0;
		if (cut)
			fp->spool_size = 0;
	}
	uint64_t at = fp->spool_end;
	struct spool_rec h = {fp->raw.len, fp->raw_rows, fp->raw_marks};
	fp->raw_spooling = true;
	pthread_mutex_unlock(&fp->mu);
	enum la_status e = LA_OK;
	if (cut && ftruncate(fp->spool_fd, 0) != 0)
		e = LA_EIO;
	if (!e && fp->spool_fail_at && fp->spooled + 1 >= fp->spool_fail_at)
		e = LA_ENOSPC; /* (the tests' LISTARC_FTS_SPOOL=fail) */
	if (!e)
		e = io_pwrite_all(fp->spool_fd, &h, sizeof h, at);
	if (!e)
		e = io_pwrite_all(fp->spool_fd, fp->raw.data, fp->raw.len, at + sizeof h);
	if (!e && fp->spool_kill_at && fp->spooled + 1 == fp->spool_kill_at)
		raise(SIGKILL);
	pthread_mutex_lock(&fp->mu);
	fp->raw_spooling = false;
	if (e) {
		/* (What a failed write left in the file is past spool_end:
		 * never read.) */
		fp->spool_off = true;
		pthread_cond_signal(&fp->work);
		return false;
	}
	fp->spool_end = at + need;
	if (fp->spool_end > fp->spool_size)
		fp->spool_size = fp->spool_end;
	if (fp->spool_end - fp->spool_r > fp->spool_hi)
		fp->spool_hi = fp->spool_end - fp->spool_r;
	fp->spool_marks += fp->raw_marks;
	fp->spooled++;
	buf_reset(&fp->raw);
	fp->raw_rows = fp->raw_marks = 0;
	pthread_cond_signal(&fp->work);
	return true;
}

/* Waits until every row handed over is prepared (or the thread failed
 * to start: then prepares them here). */
static void prep_drain(struct fts_prep *fp)
{
	if (fp->failed) {
		prep_rows(fp, &fp->raw, fp->raw_rows);
		buf_reset(&fp->raw);
		fp->raw_rows = fp->raw_marks = 0;
		if (fp->db)
			file_insert(fp);
		fp->bad = fp->ierr;
		return;
	}
	pthread_mutex_lock(&fp->mu);
	fp->draining = true;
	pthread_cond_signal(&fp->work);
	while (fp->raw_rows || fp->spool_end > fp->spool_r || fp->busy)
		pthread_cond_wait(&fp->idle, &fp->mu);
	fp->draining = false;
	pthread_mutex_unlock(&fp->mu);
}

void st_fts_idle(struct store *st)
{
	struct fts_prep *fp = st->fts_prep;
	if (!fp)
		return;
	prep_drain(fp);
	if (fp->ierr)
		st->fts_stuck = true;
}

int st_fts_checkpoint(struct store *st)
{
	if (!st->fts_db)
		return SQLITE_OK;
	struct fts_prep *fp = st->fts_prep;
	if (!fp || fp->failed)
		return sqlite3_wal_checkpoint_v2(st->fts_db, "main", SQLITE_CHECKPOINT_PASSIVE,
		                                 NULL, NULL);
	/* (Idle with nothing to take, it waits on mu, held here: the
	 * connection is this thread's meanwhile.) */
	int rc = SQLITE_OK;
	pthread_mutex_lock(&fp->mu);
	if (!fp->busy && !fp->raw_rows && fp->spool_end == fp->spool_r)
		rc = sqlite3_wal_checkpoint_v2(st->fts_db, "main", SQLITE_CHECKPOINT_PASSIVE, NULL,
		                               NULL);
	pthread_mutex_unlock(&fp->mu);
	return rc;
}

bool st_fts_checkpoint_ask(struct store *st)
{
	struct fts_prep *fp = st->fts_prep;
	if (!st->fts_db || !fp || fp->failed || fp->db != st->fts_db)
		return false;
	pthread_mutex_lock(&fp->mu);
	bool ok = !fp->stop;
	if (ok) {
		fp->ckpt_ask = true;
		fp->ckpt_done = false;
		pthread_cond_signal(&fp->work);
	}
	pthread_mutex_unlock(&fp->mu);
	return ok;
}

int st_fts_checkpoint_wait(struct store *st)
{
	struct fts_prep *fp = st->fts_prep;
	pthread_mutex_lock(&fp->mu);
	while (!fp->ckpt_done && (fp->busy || (fp->ckpt_ask && !fp->stop)))
		pthread_cond_wait(&fp->idle, &fp->mu);
	int rc = fp->ckpt_done ? fp->ckpt_rc : SQLITE_OK;
	fp->ckpt_done = false;
	pthread_mutex_unlock(&fp->mu);
	return rc;
}

/* The failure of the thread's writes into the search index's file, if
 * one was seen (fp->bad), said into err. */
static enum la_status fts_failed(struct store *st, struct la_err *err)
{
	struct fts_prep *fp = st->fts_prep;
	if (!fp || !fp->db)
		return LA_OK;
	pthread_mutex_lock(&fp->mu);
	enum la_status e = fp->bad;
	pthread_mutex_unlock(&fp->mu);
	if (!e)
		return LA_OK;
	/* (emsg was written before bad, under mu.) */
	st->fts_stuck = true;
	return la_err_set(err, e, "index: writing %s/%s: %s", st->dir, FTS_FILE, fp->emsg);
}

enum la_status store_search_sync(struct store *st, struct la_err *err)
{
	st_fts_idle(st);
	return fts_failed(st, err);
}

/* Frees what the idle thread holds; under mu (the thread waits on it:
 * what it owns may be freed here). */
static void release_locked(struct fts_prep *fp)
{
	if (!fp->raw_rows && !fp->pend_rows) {
		struct buf *b[] = {&fp->raw, &fp->spare, &fp->pend, &fp->stembuf};
		for (size_t i = 0; i < sizeof b / sizeof *b; i++) {
			size_t max = b[i]->max;
			buf_free(b[i]);
			buf_init(b[i], max);
		}
		fp->queued = 0;
	}
	/* (The spool is empty: its disk space given back.) */
	if (fp->spool_fd >= 0 && fp->spool_size && ftruncate(fp->spool_fd, 0) == 0)
		fp->spool_r = fp->spool_end = fp->spool_size = 0;
	if (fp->db && !fp->txn)
		sqlite3_db_release_memory(fp->db);
}

void store_search_release(struct store *st)
{
	struct fts_prep *fp = st->fts_prep;
	if (!fp)
		return;
	prep_drain(fp);
	pthread_mutex_lock(&fp->mu);
	release_locked(fp);
	pthread_mutex_unlock(&fp->mu);
}

bool store_search_release_idle(struct store *st)
{
	struct fts_prep *fp = st->fts_prep;
	if (!fp)
		return false;
	pthread_mutex_lock(&fp->mu);
	bool idle = !fp->busy && !fp->raw_rows && fp->spool_end == fp->spool_r && !fp->ckpt_ask;
	if (idle)
		release_locked(fp);
	pthread_mutex_unlock(&fp->mu);
	if (idle)
		malloc_trim(0);
	return idle;
}

void store_caches_release(struct store *st)
{
	if (!st || st->in_txn)
		return;
	/* (Each only if nothing of it is still to be written: a commit
	 * writes them all.) */
	if (!st->mids.ndirty) {
		cache_release(&st->mids);
		st->next_mid = st->next_thread = 0;
	}
	/* (None is made again: the run's look-ups are done.) */
	midf_drop(st);
	st->midf_state = -1;
	if (!st->nmwrow)
		mw_free(st);
	if (!st->ndays) {
		free(st->days);
		st->days = NULL;
		st->capdays = 0;
	}
	malloc_trim(0);
}

/* PRAGMA name's integer value on db ("main." or "s." before it as
 * given), or 0. */
static int64_t pragma_int(sqlite3 *db, const char *name)
{
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA %s", name);
	sqlite3_stmt *s = NULL;
	int64_t v = 0;
	if (db && sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

void store_memory_get(struct store *st, struct store_memory *out)
{
	memset(out, 0, sizeof *out);
	st_fts_idle(st);
	out->cache_size = pragma_int(st->db, "main.cache_size");
	out->temp_store = pragma_int(st->db, "temp_store");
	out->states_ran = st->fill_ran;
	out->states_max = st->fill_max;
	out->states_held = st->fill_held;
	out->search_cache_size = pragma_int(st->fts_db, "main.cache_size");
	out->search_handed_limit = FTS_PEND_BYTES;
	struct fts_prep *fp = st->fts_prep;
	if (fp) {
		pthread_mutex_lock(&fp->mu);
		out->search_handed = fp->handed;
		out->search_held_max = fp->raw_hi;
		out->search_ready = fp->ready;
		out->search_spooled = fp->spooled;
		out->search_spool_max = fp->spool_hi;
		pthread_mutex_unlock(&fp->mu);
	}
}

/* The writer's fts_prep, its thread started; NULL if memory ran out. */
static struct fts_prep *prep_get(struct store *st)
{
	if (st->fts_prep)
		return st->fts_prep;
	struct fts_prep *fp = calloc(1, sizeof *fp);
	if (!fp || !(fp->stemmer = stemmer_new())) {
		free(fp);
		return NULL;
	}
	buf_init(&fp->raw, FTS_BUF_MAX);
	buf_init(&fp->spare, FTS_BUF_MAX);
	buf_init(&fp->pend, FTS_BUF_MAX * 4);
	buf_init(&fp->stembuf, FTS_BUF_MAX * 4);
	pthread_mutex_init(&fp->mu, NULL);
	pthread_cond_init(&fp->work, NULL);
	pthread_cond_init(&fp->idle, NULL);
	fp->db = st->fts_db;
	/* Without a thread the writer prepares the rows itself (and inserts
	 * them): LISTARC_FTS_SERIAL=1 asks for that, to compare (t4065). */
	const char *serial = getenv("LISTARC_FTS_SERIAL");
	const char *lag = getenv("LISTARC_FTS_LAG");
	fp->hold = lag ? (size_t)strtoul(lag, NULL, 10) : 0;
	fp->spool_fd = -1;
	const char *spool = getenv("LISTARC_FTS_SPOOL");
	fp->spool_all = spool && (!strcmp(spool, "all") || !strcmp(spool, "fail") ||
	                          !strncmp(spool, "kill:", 5));
	fp->spool_fail_at = spool && !strcmp(spool, "fail") ? 3 : 0;
	fp->spool_kill_at =
		spool && !strncmp(spool, "kill:", 5) ? strtoull(spool + 5, NULL, 10) : 0;
	fp->failed = (serial && strcmp(serial, "1") == 0) ||
	             pthread_create(&fp->th, NULL, prep_main, fp) != 0;
	st->fts_prep = fp;
	return fp;
}

void st_fts_pend_drop(struct store *st)
{
	struct fts_prep *fp = st->fts_prep;
	if (!fp)
		return;
	prep_drain(fp);
	buf_reset(&fp->raw);
	buf_reset(&fp->pend);
	fp->raw_rows = fp->pend_rows = fp->queued = fp->unmarked = fp->raw_marks = 0;
	if (fp->db && fp->txn) {
		sqlite3_exec(fp->db, "ROLLBACK", NULL, NULL, NULL);
		fp->txn = false;
	}
	fp->hi = 0;
	/* (A failure of the file's stays: what it left out is for the next
	 * writer's catch-up.) */
	if (fp->ierr)
		st->fts_stuck = true;
}

void st_fts_prep_free(struct store *st)
{
	struct fts_prep *fp = st->fts_prep;
	if (!fp)
		return;
	if (!fp->failed) {
		pthread_mutex_lock(&fp->mu);
		fp->stop = true;
		pthread_cond_signal(&fp->work);
		pthread_mutex_unlock(&fp->mu);
		pthread_join(fp->th, NULL);
	}
	if (fp->txn)
		sqlite3_exec(fp->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_finalize(fp->ins);
	pthread_mutex_destroy(&fp->mu);
	pthread_cond_destroy(&fp->work);
	pthread_cond_destroy(&fp->idle);
	buf_free(&fp->raw);
	buf_free(&fp->spare);
	buf_free(&fp->pend);
	buf_free(&fp->stembuf);
	if (fp->spool_fd >= 0)
		close(fp->spool_fd);
	stemmer_free(fp->stemmer);
	free(fp);
	st->fts_prep = NULL;
}

enum la_status st_fts_flush(struct store *st)
{
	struct fts_prep *fp = st->fts_prep;
	/* In the search index's own file, the thread inserts and commits the
	 * rows itself (st_fts_commit), not waited for; a flush mark first
	 * (FTS_FLUSH) when rows came since the last commit mark. */
	if (!fp)
		return LA_OK;
	if (fp->db && !fp->failed) {
		if (!fp->unmarked || st->fts_stuck)
			return LA_OK;
		int64_t mark[2] = {FTS_FLUSH, 0};
		pthread_mutex_lock(&fp->mu);
		enum la_status e = buf_reserve(&fp->raw, sizeof mark);
		if (!e) {
			buf_add(&fp->raw, mark, sizeof mark);
			fp->raw_rows++;
			if (!fp->busy)
				pthread_cond_signal(&fp->work);
		}
		pthread_mutex_unlock(&fp->mu);
		return e;
	}
	prep_drain(fp);
	fp->queued = 0;
	if (fp->db) {
		/* (The writer's own inserts, without the thread.) */
		buf_reset(&fp->raw);
		return LA_OK;
	}
	struct buf *b = &fp->pend;
	enum la_status e = b->err ? b->err : fp->raw.err;
	sqlite3_stmt *s = NULL;
	if (!e && fp->pend_rows &&
	    !(s = st_prepare(st, st->fts_stems  ? S_FTS_INS
	                         : st->fts_lore ? S_FTS_LORE_INS
	                                        : S_FTS_OLD_INS)))
		e = LA_EDB;
	int rc = SQLITE_DONE;
	int64_t hi = 0;
	if (!e && s)
		rc = insert_rows(s, b, fp->pend_rows, &hi);
	st_fts_pend_drop(st);
	if (e)
		return e;
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

/* The form of rows the store's search index takes now. */
static enum msg_fts_cols fts_cols(const struct store *st)
{
	return st->fts_stems ? MSG_FTS_STEMS : st->fts_lore ? MSG_FTS_LORE : MSG_FTS_OLD;
}

enum msg_fts_cols store_fts_cols(struct store *st)
{
	/* Tests only (LISTARC_FTS_PREP=0): the rows handed over as texts,
	 * prepared by the search thread, to compare (t4095). */
	const char *prep = getenv("LISTARC_FTS_PREP");
	if (st->fts_stuck || (prep && strcmp(prep, "0") == 0))
		return MSG_FTS_NONE;
	return fts_cols(st);
}

/* Hands message id's search text to the thread that prepares it (and,
 * with the search index in its own file, inserts it): row, if the
 * caller prepared it for the form the index has, else the texts. */
static enum la_status fts_queue(struct store *st, int64_t id, const char *subject, const char *from,
                                const struct msg_text *t, const struct msg_fts_row *row)
{
	/* An index made before lore's columns gets the old ones only (and
	 * no patch ids), one made before the stems no stems, until
	 * `reindex --search` makes it anew. */
	if (st->fts_stuck)
		return LA_OK;
	struct fts_prep *fp = prep_get(st);
	if (!fp)
		return LA_ENOMEM;
	enum msg_fts_cols cols = fts_cols(st);
	bool ready = row && row->cols == cols && !row->b.err;
	const char *texts[MSG_FTS_TEXTS];
	size_t lens[MSG_FTS_TEXTS];
	int ntext = ready ? 0 : msg_fts_texts(cols, subject, from, t, texts, lens);
	size_t total = sizeof id;
	if (ready)
		total += sizeof id + sizeof(uint32_t) + row->b.len;
	for (int i = 0; i < ntext; i++)
		total += sizeof(uint32_t) + lens[i];
	if (fp->cols != cols) {
		/* (The thread reads it only while it works.) */
		prep_drain(fp);
		fp->cols = cols;
	}
	pthread_mutex_lock(&fp->mu);
	if (fp->bad) {
		/* The file's writes failed: nothing more goes there. */
		st->fts_stuck = true;
		pthread_mutex_unlock(&fp->mu);
		return LA_OK;
	}
	enum la_status e = buf_reserve(&fp->raw, total);
	if (!e && ready) {
		int64_t mark = FTS_READY;
		uint32_t len = (uint32_t)row->b.len;
		buf_add(&fp->raw, &mark, sizeof mark);
		buf_add(&fp->raw, &id, sizeof id);
		buf_add(&fp->raw, &len, sizeof len);
		buf_add(&fp->raw, row->b.data, row->b.len);
		fp->ready++;
	} else if (!e) {
		buf_add(&fp->raw, &id, sizeof id);
		for (int i = 0; i < ntext; i++) {
			uint32_t len = (uint32_t)lens[i];
			buf_add(&fp->raw, &len, sizeof len);
			buf_add(&fp->raw, texts[i], lens[i]);
		}
	}
	if (!e) {
		fp->raw_rows++;
		fp->unmarked++;
		fp->queued += total;
		fp->handed += total;
		if (fp->raw.len > fp->raw_hi)
			fp->raw_hi = fp->raw.len;
		if (!fp->busy)
			pthread_cond_signal(&fp->work);
	}
	pthread_mutex_unlock(&fp->mu);
	bool file = fp->db && !fp->failed;
	size_t limit = !file           ? FTS_FLUSH_BYTES
	               : fp->spool_all ? FTS_SPOOL_TEST_BYTES
	                               : FTS_PEND_BYTES;
	if (!e && fp->queued >= limit) {
		if (file) {
			/* The thread inserts as it goes: what it has not taken
			 * goes to the spool, which it takes first.  Without
			 * one (or with it full) wait until it has taken what
			 * is waiting (two buffers' worth at most: raw is never
			 * more than FTS_PEND_BYTES and a row, also while the
			 * thread, signalled, has yet to run; unless a test
			 * makes it hold the rows, LISTARC_FTS_LAG). */
			pthread_mutex_lock(&fp->mu);
			while (fp->raw_rows && !spool_put(fp, st->dir) && (fp->busy || !fp->hold))
				pthread_cond_wait(&fp->idle, &fp->mu);
			fp->queued = fp->raw.len;
			pthread_mutex_unlock(&fp->mu);
		} else {
			e = st_fts_flush(st);
		}
	}
	return e;
}

enum la_status st_fts_readd(struct store *st, int64_t id, const char *subject, const char *from,
                            const struct msg_text *t)
{
	return fts_queue(st, id, subject, from, t, NULL);
}

enum la_status st_fts_commit(struct store *st, int64_t cover)
{
	struct fts_prep *fp = st->fts_prep;
	if (!st->fts_db || st->fts_stuck || (!cover && (!fp || !fp->unmarked)))
		return LA_OK;
	if (!fp && !(fp = prep_get(st)))
		return LA_ENOMEM;
	int64_t mark[2] = {FTS_MARK, cover};
	pthread_mutex_lock(&fp->mu);
	enum la_status e = buf_reserve(&fp->raw, sizeof mark);
	if (!e) {
		buf_add(&fp->raw, mark, sizeof mark);
		fp->raw_rows++;
		fp->raw_marks++;
		fp->unmarked = 0;
		/* (LISTARC_FTS_SPOOL: the marks too go through the spool.) */
		if (fp->spool_all && !fp->failed && spool_put(fp, st->dir))
			fp->queued = 0;
		if (!fp->busy)
			pthread_cond_signal(&fp->work);
	}
	pthread_mutex_unlock(&fp->mu);
	if (e)
		return e;
	/* The catch-up (cover) waits for each commit, and so does the
	 * writer without the thread (which makes the commit here). */
	if (cover || fp->failed)
		st_fts_idle(st);
	return LA_OK;
}

int64_t st_fts_upto(struct store *st)
{
	st_fts_idle(st);
	sqlite3_stmt *s = NULL;
	int64_t upto = 0;
	if (st->fts_db &&
	    sqlite3_prepare_v2(st->fts_db, "SELECT upto FROM fts_state WHERE k = 1", -1, &s,
	                       NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		upto = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return upto;
}

/* Message id's search row made again from its source, into text (bytes:
 * the caller's buffer for its bytes; both reused from call to call):
 * store_fts_add's, or with readd st_fts_readd's.  A message gone or
 * unreadable gets none, and LA_OK. */
enum la_status st_fts_from_source(struct store *st, int64_t id, bool readd, struct buf *bytes,
                                  struct msg_text *text)
{
	struct store_msg m;
	if (store_msg_by_id(st, id, &m) != LA_OK)
		return LA_OK;
	enum la_status e = LA_OK;
	buf_reset(bytes);
	if (store_msg_read(st, &m, SEARCH_TEXT_MAX * 8, bytes) == LA_OK) {
		msg_text_extract(text, bytes->data ? bytes->data : "", bytes->len);
		char from[MSG_FTS_FROM_MAX];
		msg_fts_from(from, m.from_name, m.from_addr);
		e = readd ? st_fts_readd(st, m.id, m.subject, from, text)
		          : store_fts_add(st, m.id, m.subject, from, text);
	}
	store_msg_clear(&m);
	return e;
}

enum la_status store_fts_add_source(struct store *st, int64_t id, struct buf *bytes,
                                    struct msg_text *text)
{
	return st_fts_from_source(st, id, false, bytes, text);
}

/* store_fts_add's, with the row the caller prepared (or NULL). */
static enum la_status fts_add(struct store *st, int64_t id, const char *subject, const char *from,
                              const struct msg_text *t, const struct msg_fts_row *row)
{
	enum la_status e = fts_queue(st, id, subject, from, t, row);
	if (e)
		return e;
	int rc = SQLITE_DONE;
	if (series_change_id(st, id, t) || series_trailers(st, id, t))
		rc = SQLITE_ERROR;
	for (size_t i = 0; rc == SQLITE_DONE && st->fts_lore && i < t->npatchids; i++) {
		sqlite3_stmt *s = st_prepare(st, S_PID_INS);
		if (!s)
			return LA_EDB;
		sqlite3_bind_text(s, 1, t->patchids[i], PATCHID_HEX, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, id);
		rc = st_step_done(s);
	}
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

enum la_status store_fts_add(struct store *st, int64_t id, const char *subject, const char *from,
                             const struct msg_text *t)
{
	return fts_add(st, id, subject, from, t, NULL);
}

enum la_status store_meta_set(struct store *st, const char *key, const char *value)
{
	sqlite3_stmt *s = st_prepare(st, S_META_SET);
	if (!s)
		return LA_EDB;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	return st_step_done(s) == SQLITE_DONE ? LA_OK : LA_EDB;
}

enum la_status store_maildir_mark(struct store *st, int64_t source_id, const char *uniq)
{
	sqlite3_stmt *s = st_prepare(st, S_SEEN_INS);
	if (!s)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, source_id);
	sqlite3_bind_text(s, 2, uniq, -1, SQLITE_STATIC);
	int rc = st_step_done(s);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

enum la_status store_list_purge(struct store *st, int64_t list_id, struct la_err *err)
{
	/* A purged message's row stays, with its number (a URL once given
	 * never changes, and it answers 410): the days are counted again
	 * from those rows, and next_daynum gives every other message its
	 * number around them as the sources are indexed again.  In one
	 * transaction: a rebuild killed here leaves the index as it was. */
	char sql[6144];
	snprintf(
		sql, sizeof sql,
		"BEGIN IMMEDIATE;"
		"UPDATE mids SET msgs = msgs - (SELECT count(*) FROM messages m WHERE m.mid = mids.id"
		" AND m.list_id = %1$lld AND m.flags & %2$s = 0) WHERE id IN (SELECT mid FROM messages"
		" WHERE list_id = %1$lld AND flags & %2$s = 0);"
		"DELETE FROM patchids WHERE id IN (SELECT id FROM messages WHERE list_id = %1$lld);"
		"DELETE FROM series_msgs WHERE id IN (SELECT id FROM messages WHERE list_id = %1$lld);"
		"DELETE FROM trailers WHERE id IN (SELECT id FROM messages WHERE list_id = %1$lld"
		" AND flags & %2$s = 0);"
		"DELETE FROM series_gone WHERE series IN (SELECT id FROM series WHERE list_id = %1$lld);"
		"DELETE FROM series_walk_members WHERE start IN"
		" (SELECT id FROM series WHERE list_id = %1$lld);"
		"DELETE FROM series_walk_starts WHERE member IN"
		" (SELECT id FROM series WHERE list_id = %1$lld);"
		"DELETE FROM series WHERE list_id = %1$lld;"
		"DELETE FROM series_state WHERE list_id = %1$lld;"
		"DELETE FROM messages WHERE list_id = %1$lld AND flags & %2$s = 0;" STATS_PURGE(
			"%1$lld") "DELETE FROM days WHERE list_id = %1$lld;"
				  "INSERT INTO days(list_id, day, count) SELECT list_id, day, count(*)"
				  " FROM messages WHERE list_id = %1$lld GROUP BY day;"
				  "DELETE FROM gone WHERE list_id = %1$lld;"
				  "DELETE FROM git_heads WHERE source_id IN (SELECT id FROM sources WHERE list_id = %1$lld);"
				  "DELETE FROM maildir_seen WHERE source_id IN (SELECT id FROM sources WHERE list_id = %1$lld);"
				  "UPDATE sources SET done = 0, fp_head = 0, fp_tail = 0, last_ts = 0 WHERE list_id = %1$lld;"
				  "UPDATE source_copies SET orig_size = -1, copy_len = -1"
				  " WHERE source_id IN (SELECT id FROM sources WHERE list_id = %1$lld);"
				  "COMMIT;",
		(long long)list_id, PURGED_BIT_SQL);
	enum la_status je = st_journals(st, false); /* (whole-list statements) */
	if (je)
		return la_err_set(err, je, "index: purge list: %s", sqlite3_errmsg(st->db));
	int rc = st_exec(st, sql);
	enum la_status e = rc == SQLITE_OK ? LA_OK : st_fail(st, rc, err, "purge list");
	if (rc != SQLITE_OK)
		st_exec(st, "ROLLBACK");
	store_rollback(st); /* drop caches that may name purged rows */
	return e;
}

void st_fts_use_file(struct store *st)
{
	struct fts_prep *fp = st->fts_prep;
	if (!fp)
		return;
	prep_drain(fp);
	sqlite3_finalize(fp->ins);
	fp->ins = NULL;
	fp->db = st->fts_db;
}

enum la_status store_list_ensure(struct store *st, const char *name, int64_t *id,
                                 struct la_err *err)
{
	enum la_status r = store_list_id(st, name, id);
	if (r != LA_ENOTFOUND)
		return r ? la_err_set(err, r, "index: %s", sqlite3_errmsg(st->db)) : LA_OK;
	sqlite3_stmt *s = st_prepare(st, S_LIST_INS);
	if (!s)
		return st_fail(st, SQLITE_ERROR, err, "add list");
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	int rc = st_step_done(s);
	if (rc != SQLITE_DONE)
		return st_fail(st, rc, err, "add list");
	*id = sqlite3_last_insert_rowid(st->db);
	/* A list of a name another list had: the name is its own now, no
	 * longer a redirect (store_list_renamed). */
	sqlite3_stmt *d = NULL;
	rc = sqlite3_prepare_v2(st->db, "DELETE FROM list_renames WHERE old = ?1", -1, &d, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(d, 1, name, -1, SQLITE_STATIC);
		rc = sqlite3_step(d);
	}
	sqlite3_finalize(d);
	if (rc != SQLITE_DONE)
		return st_fail(st, rc, err, "add list");
	return LA_OK;
}

enum la_status store_source_ensure(struct store *st, int64_t list_id, const char *path,
                                   enum source_kind kind, struct store_source *src,
                                   struct la_err *err)
{
	const char *key = st_stored_path(st, path);
	enum la_status e = st_source_get(st, list_id, key, src);
	if (e == LA_ENOTFOUND && key != path) {
		/* Stored by a listarc of schema 1 with its absolute path, here
		 * or where the archive was before it moved: from now on
		 * relative, like the new ones. */
		e = st_source_get(st, list_id, path, src);
		if (e == LA_ENOTFOUND)
			e = st_source_moved(st, list_id, key, kind, src);
		if (e == LA_OK) {
			sqlite3_stmt *s = st_prepare(st, S_SRC_PATH);
			if (!s)
				return st_fail(st, SQLITE_ERROR, err, "source");
			sqlite3_bind_int64(s, 1, src->id);
			sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
			int rc = st_step_done(s);
			if (rc != SQLITE_DONE)
				return st_fail(st, rc, err, "source");
			snprintf(src->path, sizeof src->path, "%s", path);
		}
	}
	if (e == LA_ENOTFOUND) {
		sqlite3_stmt *s = st_prepare(st, S_SRC_INS);
		if (!s)
			return st_fail(st, SQLITE_ERROR, err, "source");
		sqlite3_bind_int64(s, 1, list_id);
		sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 3, kind);
		int rc = st_step_done(s);
		if (rc != SQLITE_DONE)
			return st_fail(st, rc, err, "add source");
		e = st_source_get(st, list_id, key, src);
	}
	if (e)
		return st_fail(st, SQLITE_ERROR, err, "source");
	if (src->kind != kind)
		return la_err_set(err, LA_EINVAL, "%s: was indexed as %s, is now %s", path,
		                  source_kind_name(src->kind), source_kind_name(kind));
	return LA_OK;
}

/* ---- threading again (`listarc rethread`) ---- */

/* The ids of list_id's messages, in order, into a malloc'd array. */
static enum la_status list_msg_ids(struct store *st, int64_t list_id, int64_t **ids, size_t *n)
{
	*ids = NULL;
	*n = 0;
	size_t cap = 0;
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(
		st->db, "SELECT id FROM messages WHERE list_id = ?1 ORDER BY id", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, list_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!vec_reserve((void **)ids, &cap, *n + 1, sizeof **ids)) {
			rc = SQLITE_NOMEM;
			break;
		}
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

/* Threads message m again with sum and writes its row. */
static enum la_status rethread_one(struct store *st, const struct store_msg *m,
                                   const struct msg_summary *sum, bool have_sum)
{
	struct mid_entry *self;
	enum la_status e = mid_get(st, m->msgid, &self);
	if (e)
		return e;
	int64_t thread, parent;
	if ((e = thread_message(st, self->id, sum, &thread, &parent)))
		return e;
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db,
	                            "UPDATE messages SET thread = ?1, parent = ?2,"
	                            " from_name = CASE WHEN ?4 THEN ?5 ELSE from_name END"
	                            " WHERE id = ?3",
	                            -1, &s, NULL);
	if (rc != SQLITE_OK)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, thread);
	sqlite3_bind_int64(s, 2, parent);
	sqlite3_bind_int64(s, 3, m->id);
	sqlite3_bind_int(s, 4, have_sum);
	sqlite3_bind_text(s, 5, sum->from_name, -1, SQLITE_STATIC);
	rc = st_step_done(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

enum la_status store_rethread(struct store *st, int64_t list_id, store_summary_fn fn, void *arg,
                              uint64_t *n, struct la_err *err)
{
	*n = 0;
	int64_t *ids = NULL;
	size_t nids = 0;
	struct msg_summary *sum = malloc(sizeof *sum);
	if (!sum)
		return la_err_set(err, LA_ENOMEM, "out of memory");
	enum la_status e = store_begin(st, err);
	if (e) {
		free(sum);
		return e;
	}
	/* The threads are made again from nothing: the Message-IDs of the
	 * list's messages, and the ghosts (IDs only referred to) of their
	 * threads, lose their thread and parent.  The write caches hold
	 * those too: written out and dropped first. */
	if ((e = st_write_caches_sync(st))) {
		la_err_set(err, e, "index: writing: %s", sqlite3_errmsg(st->db));
		goto fail;
	}
	/* New thread ids come after every id in use, the ones cleared
	 * below included. */
	if ((e = load_counters(st))) {
		la_err_set(err, e, "index: %s", sqlite3_errmsg(st->db));
		goto fail;
	}
	char sql[1024];
	snprintf(sql, sizeof sql,
	         "CREATE TEMP TABLE IF NOT EXISTS rt(mid INTEGER PRIMARY KEY);"
	         "DELETE FROM temp.rt;"
	         "INSERT OR IGNORE INTO temp.rt SELECT mid FROM messages WHERE list_id = %1$lld;"
	         "INSERT OR IGNORE INTO temp.rt SELECT id FROM mids WHERE msgs = 0 AND thread IN"
	         " (SELECT DISTINCT thread FROM messages WHERE list_id = %1$lld);"
	         "UPDATE mids SET thread = 0, parent = 0 WHERE id IN (SELECT mid FROM temp.rt);",
	         (long long)list_id);
	int rc = st_exec(st, sql);
	if (rc != SQLITE_OK) {
		e = st_fail(st, rc, err, "rethread");
		goto fail;
	}
	if ((e = list_msg_ids(st, list_id, &ids, &nids))) {
		la_err_set(err, e, "index: %s", sqlite3_errmsg(st->db));
		goto fail;
	}
	for (size_t i = 0; i < nids; i++) {
		struct store_msg m;
		if ((e = store_msg_by_id(st, ids[i], &m))) {
			la_err_set(err, e, "index: %s", sqlite3_errmsg(st->db));
			goto fail;
		}
		memset(sum, 0, sizeof *sum);
		bool have = fn(&m, sum, arg);
		if (!have) {
			/* Unreadable (purged, or its source gone): a thread of its
			 * own, its name kept. */
			memset(sum, 0, sizeof *sum);
		}
		snprintf(sum->msgid, sizeof sum->msgid, "%s", m.msgid);
		e = rethread_one(st, &m, sum, have);
		store_msg_clear(&m);
		if (e) {
			la_err_set(err, e, "index: rethread: %s", sqlite3_errmsg(st->db));
			goto fail;
		}
		(*n)++;
	}
	/* Copies of these messages in other lists take their new threads. */
	if ((e = st_write_caches_sync(st))) {
		la_err_set(err, e, "index: writing: %s", sqlite3_errmsg(st->db));
		goto fail;
	}
	snprintf(
		sql, sizeof sql,
		"UPDATE messages SET thread = (SELECT thread FROM mids WHERE mids.id = messages.mid)"
		" WHERE list_id <> %lld AND mid IN (SELECT mid FROM temp.rt)",
		(long long)list_id);
	if ((rc = st_exec(st, sql)) != SQLITE_OK) {
		e = st_fail(st, rc, err, "rethread");
		goto fail;
	}
	free(ids);
	free(sum);
	return store_commit(st, NULL, err);
fail:
	store_rollback(st);
	free(ids);
	free(sum);
	return e;
}
