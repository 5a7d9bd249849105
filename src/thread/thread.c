/* thread.c: a thread's tree from parent links, iteratively. */
#include "thread/thread.h"

#include <stdlib.h>
#include <string.h>

struct node {
	int64_t id, parent_id;
	size_t parent;          /* index+1 of the parent node, 0 = root */
	size_t first_child;     /* index+1 */
	size_t next_sibling;    /* index+1 */
	size_t first_msg, nmsg; /* into the sorted message array */
	int64_t ts;             /* earliest delivery in its subtree (for ordering) */
	bool keep;
};

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_msg(const void *a, const void *b)
{
	const struct thread_msg_in *x = a, *y = b;
	if (x->mid != y->mid)
		return x->mid < y->mid ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* Index of node with id in the sorted node array, or -1. */
static long find(const struct node *n, size_t count, int64_t id)
{
	size_t lo = 0, hi = count;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (n[mid].id < id)
			lo = mid + 1;
		else if (n[mid].id > id)
			hi = mid;
		else
			return (long)mid;
	}
	return -1;
}

void thread_tree_free(struct thread_tree *t)
{
	if (!t)
		return;
	free(t->rows);
	t->rows = NULL;
	t->nrows = 0;
}

/* The builder's state: the nodes sorted by id, the messages sorted by
 * Message-ID, and the roots in display order. */
struct builder {
	struct node *n;
	size_t nn;
	struct thread_msg_in *msgs;
	size_t nmsgs;
	size_t *roots;
	size_t nroots;
};

static void builder_free(struct builder *b)
{
	free(b->n);
	free(b->msgs);
	free(b->roots);
}

/* One node per distinct id, sorted by id; at most nn of them (the lowest
 * ids: the oldest).  ids may come in any order and repeat. */
static bool take_ids(struct builder *b, const struct thread_id_in *ids, size_t nids)
{
	struct thread_id_in *sorted = malloc((nids ? nids : 1) * sizeof *sorted);
	if (!sorted)
		return false;
	if (nids)
		memcpy(sorted, ids, nids * sizeof *sorted);
	qsort(sorted, nids, sizeof *sorted, cmp_id);
	size_t k = 0;
	for (size_t i = 0; i < nids && k < b->nn; i++) {
		if (k && sorted[i].id == b->n[k - 1].id)
			continue;
		b->n[k].id = sorted[i].id;
		b->n[k].parent_id = sorted[i].parent;
		b->n[k].ts = INT64_MAX;
		k++;
	}
	b->nn = k;
	free(sorted);
	return true;
}

/* Hangs each run of messages of one Message-ID on its node; the node's
 * date is its earliest message's. */
static void take_msgs(struct builder *b, const struct thread_msg_in *msgs_in)
{
	memcpy(b->msgs, msgs_in, b->nmsgs * sizeof *b->msgs);
	qsort(b->msgs, b->nmsgs, sizeof *b->msgs, cmp_msg);
	for (size_t i = 0; i < b->nmsgs;) {
		size_t j = i;
		while (j < b->nmsgs && b->msgs[j].mid == b->msgs[i].mid)
			j++;
		long x = find(b->n, b->nn, b->msgs[i].mid);
		if (x >= 0) {
			b->n[x].first_msg = i;
			b->n[x].nmsg = j - i;
			b->n[x].ts = b->msgs[i].ts;
		}
		i = j;
	}
}

/* Parent links; a link that would close a loop is dropped.  The walk up
 * is bounded by the node count. */
static void link_parents(struct builder *b)
{
	struct node *n = b->n;
	for (size_t i = 0; i < b->nn; i++) {
		long p = n[i].parent_id ? find(n, b->nn, n[i].parent_id) : -1;
		if (p < 0 || (size_t)p == i)
			continue;
		size_t up = (size_t)p + 1, steps = 0;
		bool loop = false;
		while (up && steps++ <= b->nn) {
			if (up - 1 == i) {
				loop = true;
				break;
			}
			up = n[up - 1].parent;
		}
		if (!loop && steps <= b->nn)
			n[i].parent = (size_t)p + 1;
	}
}

/* Subtree dates, bottom-up: each node's date goes to its ancestors
 * (bounded walks).  Then which nodes to show: a node with messages, or a
 * ghost with a shown descendant, marked upwards from every real node. */
static void date_and_mark(struct builder *b)
{
	struct node *n = b->n;
	for (size_t i = 0; i < b->nn; i++) {
		if (!n[i].nmsg)
			continue;
		size_t up = n[i].parent, steps = 0;
		while (up && steps++ < b->nn) {
			if (n[up - 1].ts <= n[i].ts)
				break;
			n[up - 1].ts = n[i].ts;
			up = n[up - 1].parent;
		}
	}
	for (size_t i = 0; i < b->nn; i++) {
		if (!n[i].nmsg)
			continue;
		size_t x = i + 1, steps = 0;
		while (x && !n[x - 1].keep && steps++ <= b->nn) {
			n[x - 1].keep = true;
			x = n[x - 1].parent;
		}
	}
}

/* Children lists in date order (each child inserted sorted), then the
 * roots in date order.  A ghost root with a single child is replaced by
 * the child (nothing to show above it). */
static void order_tree(struct builder *b)
{
	struct node *n = b->n;
	for (size_t i = 0; i < b->nn; i++) {
		if (!n[i].keep || !n[i].parent)
			continue;
		struct node *p = &n[n[i].parent - 1];
		size_t *link = &p->first_child;
		while (*link && (n[*link - 1].ts < n[i].ts ||
		                 (n[*link - 1].ts == n[i].ts && n[*link - 1].id < n[i].id)))
			link = &n[*link - 1].next_sibling;
		n[i].next_sibling = *link;
		*link = i + 1;
	}
	for (size_t i = 0; i < b->nn; i++) {
		if (!n[i].keep || n[i].parent)
			continue;
		size_t r = i + 1;
		while (!n[r - 1].nmsg && n[r - 1].first_child &&
		       !n[n[r - 1].first_child - 1].next_sibling)
			r = n[r - 1].first_child;
		size_t at = b->nroots;
		while (at > 0 && (n[b->roots[at - 1] - 1].ts > n[r - 1].ts))
			at--;
		memmove(b->roots + at + 1, b->roots + at, (b->nroots - at) * sizeof *b->roots);
		b->roots[at] = r;
		b->nroots++;
	}
}

/* The rows, depth first, with an explicit stack of (node, depth): every
 * node is pushed once, as a root or as its parent's child, so nn slots
 * are enough. */
static bool emit_rows(struct builder *b, struct thread_tree *out)
{
	struct node *n = b->n;
	size_t *stack = malloc((b->nn + 1) * sizeof *stack);
	size_t *depth = malloc((b->nn + 1) * sizeof *depth);
	if (!stack || !depth) {
		free(stack);
		free(depth);
		return false;
	}
	for (size_t ri = 0; ri < b->nroots; ri++) {
		size_t sp = 0;
		stack[sp] = b->roots[ri];
		depth[sp] = 0;
		sp++;
		while (sp > 0) {
			sp--;
			size_t x = stack[sp];
			int d = (int)depth[sp];
			struct node *v = &n[x - 1];
			if (!v->nmsg) {
				out->rows[out->nrows++] = (struct thread_row){d, true, v->id, 0};
			} else {
				for (size_t m = 0; m < v->nmsg; m++)
					out->rows[out->nrows++] = (struct thread_row){
						d, false, v->id, b->msgs[v->first_msg + m].key};
			}
			/* Push the children, then reverse them, so that the earliest
			 * comes out first. */
			size_t start = sp;
			for (size_t ch = v->first_child; ch; ch = n[ch - 1].next_sibling) {
				stack[sp] = ch;
				depth[sp++] = (size_t)d + 1;
			}
			for (size_t lo = start, hi = sp; lo + 1 < hi; lo++, hi--) {
				size_t t = stack[lo];
				stack[lo] = stack[hi - 1];
				stack[hi - 1] = t;
			}
		}
	}
	free(stack);
	free(depth);
	return true;
}

bool thread_build(const struct thread_id_in *ids, size_t nids, const struct thread_msg_in *msgs_in,
                  size_t nmsgs, struct thread_tree *out)
{
	memset(out, 0, sizeof *out);
	struct builder b = {.nn = nids, .nmsgs = nmsgs};
	if (b.nn > THREAD_NODES_MAX) {
		b.nn = THREAD_NODES_MAX;
		out->cut = true;
	}
	b.n = calloc(b.nn ? b.nn : 1, sizeof *b.n);
	b.msgs = malloc((nmsgs ? nmsgs : 1) * sizeof *b.msgs);
	b.roots = malloc((b.nn ? b.nn : 1) * sizeof *b.roots);
	out->rows = malloc((b.nn + nmsgs + 1) * sizeof *out->rows);
	bool ok = b.n && b.msgs && b.roots && out->rows && take_ids(&b, ids, nids);
	if (ok) {
		take_msgs(&b, msgs_in);
		link_parents(&b);
		date_and_mark(&b);
		order_tree(&b);
		ok = emit_rows(&b, out);
	}
	builder_free(&b);
	if (!ok)
		thread_tree_free(out);
	return ok;
}
