/* thread.c: a thread's tree from parent links, iteratively. */
#include "thread/thread.h"

#include <stdlib.h>
#include <string.h>

struct node {
	int64_t id, parent_id;
	size_t parent;       /* index+1 of the parent node, 0 = root */
	size_t first_child;  /* index+1 */
	size_t next_sibling; /* index+1 */
	size_t first_msg, nmsg; /* into the sorted message array */
	int64_t ts;          /* earliest delivery in its subtree (for ordering) */
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

bool thread_build(const struct thread_id_in *ids, size_t nids, const struct thread_msg_in *msgs_in,
                  size_t nmsgs, struct thread_tree *out)
{
	memset(out, 0, sizeof *out);
	size_t nn = nids;
	if (nn > THREAD_NODES_MAX) {
		nn = THREAD_NODES_MAX;
		out->cut = true;
	}
	struct node *n = calloc(nn ? nn : 1, sizeof *n);
	struct thread_msg_in *msgs = malloc((nmsgs ? nmsgs : 1) * sizeof *msgs);
	int64_t *tmp = malloc((nn ? nn : 1) * sizeof *tmp);
	out->rows = malloc((nn + nmsgs + 1) * sizeof *out->rows);
	size_t *stack = malloc((nn + 1) * sizeof *stack);
	if (!n || !msgs || !tmp || !out->rows || !stack) {
		free(n);
		free(msgs);
		free(tmp);
		free(stack);
		thread_tree_free(out);
		return false;
	}
	/* Nodes sorted by id; keep the first nn ids (by id: the oldest). */
	for (size_t i = 0; i < nn; i++)
		tmp[i] = ids[i].id;
	/* ids may come in any order: sort a copy of (id, parent). */
	struct thread_id_in *sorted = malloc((nids ? nids : 1) * sizeof *sorted);
	if (!sorted) {
		free(n);
		free(msgs);
		free(tmp);
		free(stack);
		thread_tree_free(out);
		return false;
	}
	memcpy(sorted, ids, nids * sizeof *sorted);
	qsort(sorted, nids, sizeof *sorted, cmp_id);
	size_t k = 0;
	for (size_t i = 0; i < nids && k < nn; i++) {
		if (k && sorted[i].id == n[k - 1].id)
			continue;
		n[k].id = sorted[i].id;
		n[k].parent_id = sorted[i].parent;
		n[k].ts = INT64_MAX;
		k++;
	}
	nn = k;
	free(sorted);
	free(tmp);

	memcpy(msgs, msgs_in, nmsgs * sizeof *msgs);
	qsort(msgs, nmsgs, sizeof *msgs, cmp_msg);
	for (size_t i = 0; i < nmsgs;) {
		size_t j = i;
		while (j < nmsgs && msgs[j].mid == msgs[i].mid)
			j++;
		long x = find(n, nn, msgs[i].mid);
		if (x >= 0) {
			n[x].first_msg = i;
			n[x].nmsg = j - i;
			n[x].ts = msgs[i].ts;
		}
		i = j;
	}

	/* Parent links; a link that would close a loop is dropped.  The walk
	 * up is bounded by the node count. */
	for (size_t i = 0; i < nn; i++) {
		long p = n[i].parent_id ? find(n, nn, n[i].parent_id) : -1;
		if (p < 0 || (size_t)p == i)
			continue;
		size_t up = (size_t)p + 1, steps = 0;
		bool loop = false;
		while (up && steps++ <= nn) {
			if (up - 1 == i) {
				loop = true;
				break;
			}
			up = n[up - 1].parent;
		}
		if (!loop && steps <= nn)
			n[i].parent = (size_t)p + 1;
	}

	/* Subtree dates, bottom-up: propagate each node's date to its
	 * ancestors (bounded walks). */
	for (size_t i = 0; i < nn; i++) {
		if (!n[i].nmsg)
			continue;
		size_t up = n[i].parent, steps = 0;
		while (up && steps++ < nn) {
			if (n[up - 1].ts <= n[i].ts)
				break;
			n[up - 1].ts = n[i].ts;
			up = n[up - 1].parent;
		}
	}

	/* Which nodes to show: a node with messages, or a ghost with a shown
	 * descendant.  Mark upwards from every real node. */
	for (size_t i = 0; i < nn; i++) {
		if (!n[i].nmsg)
			continue;
		size_t x = i + 1, steps = 0;
		while (x && !n[x - 1].keep && steps++ <= nn) {
			n[x - 1].keep = true;
			x = n[x - 1].parent;
		}
	}

	/* Children lists, in date order: insert each child sorted. */
	for (size_t i = 0; i < nn; i++) {
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

	/* Roots in date order.  A ghost root with a single child is replaced
	 * by the child (nothing to show above it). */
	size_t nroots = 0;
	size_t *roots = malloc((nn ? nn : 1) * sizeof *roots);
	if (!roots) {
		free(n);
		free(msgs);
		free(stack);
		thread_tree_free(out);
		return false;
	}
	for (size_t i = 0; i < nn; i++) {
		if (!n[i].keep || n[i].parent)
			continue;
		size_t r = i + 1;
		while (!n[r - 1].nmsg && n[r - 1].first_child && !n[n[r - 1].first_child - 1].next_sibling)
			r = n[r - 1].first_child;
		size_t at = nroots;
		while (at > 0 && (n[roots[at - 1] - 1].ts > n[r - 1].ts))
			at--;
		memmove(roots + at + 1, roots + at, (nroots - at) * sizeof *roots);
		roots[at] = r;
		nroots++;
	}

	/* Depth-first output with an explicit stack (depth from it). */
	size_t *depth = malloc((nn ? nn : 1) * sizeof *depth);
	if (!depth) {
		free(roots);
		free(n);
		free(msgs);
		free(stack);
		thread_tree_free(out);
		return false;
	}
	for (size_t ri = 0; ri < nroots; ri++) {
		size_t sp = 0;
		stack[sp] = roots[ri];
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
					out->rows[out->nrows++] =
						(struct thread_row){d, false, v->id, msgs[v->first_msg + m].key};
			}
			/* Push the children, then reverse them, so that the earliest
			 * comes out first. */
			size_t start = sp;
			for (size_t ch = v->first_child; ch; ch = n[ch - 1].next_sibling) {
				stack[sp] = ch;
				depth[sp++] = (size_t)d + 1;
			}
			for (size_t a = start, b = sp; a + 1 < b; a++, b--) {
				size_t t = stack[a];
				stack[a] = stack[b - 1];
				stack[b - 1] = t;
			}
		}
	}
	free(depth);
	free(roots);
	free(n);
	free(msgs);
	free(stack);
	return true;
}
