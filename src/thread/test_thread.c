/* test_thread.c: thread trees from parent links: order, ghosts, loops. */
#include <stdlib.h>

#include "../../tests/check.h"
#include "thread/thread.h"

/* Renders a tree as "depth:key" (ghost: "depth:g<mid>") joined by ' '. */
static void show(const struct thread_tree *t, char *out, size_t n)
{
	out[0] = '\0';
	for (size_t i = 0; i < t->nrows; i++) {
		char one[48];
		if (t->rows[i].ghost)
			snprintf(one, sizeof one, "%s%d:g%lld", i ? " " : "", t->rows[i].depth,
			         (long long)t->rows[i].mid);
		else
			snprintf(one, sizeof one, "%s%d:%lld", i ? " " : "", t->rows[i].depth,
			         (long long)t->rows[i].key);
		strncat(out, one, n - strlen(out) - 1);
	}
}

static void tree(const char *what, const struct thread_id_in *ids, size_t nids,
                 const struct thread_msg_in *msgs, size_t nmsgs, const char *want)
{
	struct thread_tree t;
	char got[4096];
	CHECK(thread_build(ids, nids, msgs, nmsgs, &t), "%s: builds", what);
	show(&t, got, sizeof got);
	CHECK_STR(got, want, "%s", what);
	thread_tree_free(&t);
}

int main(void)
{
	/* 1 <- 2 <- 3, 1 <- 4; messages keyed 10*mid, dates in mid order. */
	struct thread_id_in a[] = {{1, 0}, {2, 1}, {3, 2}, {4, 1}};
	struct thread_msg_in am[] = {{1, 100, 10}, {2, 200, 20}, {3, 300, 30}, {4, 250, 40}};
	tree("a simple tree, children by date", a, 4, am, 4, "0:10 1:20 2:30 1:40");

	/* Reply arrived earlier than its sibling's subtree: siblings order by
	 * the earliest date in their subtree. */
	struct thread_msg_in am2[] = {{1, 100, 10}, {2, 500, 20}, {3, 600, 30}, {4, 400, 40}};
	tree("siblings by their earliest date", a, 4, am2, 4, "0:10 1:40 1:20 2:30");

	/* Ghost root (not in the archive) with two children: shown. */
	struct thread_id_in g[] = {{1, 0}, {2, 1}, {3, 1}};
	struct thread_msg_in gm[] = {{2, 200, 20}, {3, 300, 30}};
	tree("a ghost root with two replies is shown", g, 3, gm, 2, "0:g1 1:20 1:30");

	/* Ghost root with one child: the child becomes the root. */
	struct thread_id_in g1[] = {{1, 0}, {2, 1}, {3, 2}};
	struct thread_msg_in g1m[] = {{2, 200, 20}, {3, 300, 30}};
	tree("a ghost root with one reply is skipped", g1, 3, g1m, 2, "0:20 1:30");

	/* A ghost leaf is dropped. */
	struct thread_id_in gl[] = {{1, 0}, {2, 1}};
	struct thread_msg_in glm[] = {{1, 100, 10}};
	tree("a ghost with no replies is dropped", gl, 2, glm, 1, "0:10");

	/* A loop in the links (1 -> 2 -> 1): broken, everything shown once. */
	struct thread_id_in lp[] = {{1, 2}, {2, 1}};
	struct thread_msg_in lpm[] = {{1, 100, 10}, {2, 200, 20}};
	tree("a loop of parent links is broken", lp, 2, lpm, 2, "0:20 1:10");

	/* Self-parent. */
	struct thread_id_in sp[] = {{1, 1}};
	struct thread_msg_in spm[] = {{1, 100, 10}};
	tree("a self-parent is ignored", sp, 1, spm, 1, "0:10");

	/* Duplicates: two messages with one Message-ID are both shown. */
	struct thread_id_in d[] = {{1, 0}, {2, 1}};
	struct thread_msg_in dm[] = {{1, 100, 10}, {2, 200, 20}, {2, 300, 21}};
	tree("two copies of one message", d, 2, dm, 3, "0:10 1:20 1:21");

	/* A parent outside the thread's ids: the node is a root. */
	struct thread_id_in o[] = {{5, 99}};
	struct thread_msg_in om[] = {{5, 100, 50}};
	tree("an unknown parent makes a root", o, 1, om, 1, "0:50");

	/* A 10,000-deep chain: no recursion, bounded. */
	size_t N = 10000;
	struct thread_id_in *c = malloc(N * sizeof *c);
	struct thread_msg_in *cm = malloc(N * sizeof *cm);
	for (size_t i = 0; i < N; i++) {
		c[i] = (struct thread_id_in){(int64_t)i + 1, (int64_t)i};
		cm[i] = (struct thread_msg_in){(int64_t)i + 1, (int64_t)i, (int64_t)i + 1};
	}
	struct thread_tree t;
	CHECK(thread_build(c, N, cm, N, &t) && t.cut && t.nrows == THREAD_NODES_MAX &&
	              t.rows[THREAD_NODES_MAX - 1].depth == THREAD_NODES_MAX - 1,
	      "a 10,000-deep chain is cut at %d nodes without recursion", THREAD_NODES_MAX);
	thread_tree_free(&t);
	/* A 5,000-wide fan. */
	for (size_t i = 0; i < 4000; i++) {
		c[i] = (struct thread_id_in){(int64_t)i + 1, i ? 1 : 0};
		cm[i] = (struct thread_msg_in){(int64_t)i + 1, (int64_t)(4000 - i), (int64_t)i + 1};
	}
	CHECK(thread_build(c, 4000, cm, 4000, &t) && t.nrows == 4000 && t.rows[0].key == 1 &&
	              t.rows[1].key == 4000 && t.rows[1].depth == 1,
	      "a 4,000-wide fan, earliest reply first");
	thread_tree_free(&t);
	free(c);
	free(cm);
	return check_status();
}
