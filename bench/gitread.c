/* bench/gitread.c: how fast the messages of a public-inbox v2 epoch are
 * read, apart from indexing them, by the two ways src/ingest/git.c knows:
 *
 *   objects  libgit2's revwalk (first parent, topological, reversed), then
 *            a commit, a tree and a blob object a message (the general
 *            path, and the only one before 2026-12-06);
 *   odb      the first-parent chain read from the commits' raw bytes, then
 *            each tree's and blob's raw bytes from the object database
 *            (the fast path).
 *
 * usage: bench/gitread objects|odb EPOCH.git [RUNS]
 * build: cc -O2 -o gitread bench/gitread.c -lgit2
 * Environment: VERIFY=1 checks every object's SHA-1 as libgit2 does by
 * default (the indexer turns it off: 30-40% of reading).
 * Prints messages, MB of messages and the CPU time (user + system) of the
 * fastest run; run it with the pack in the page cache (cat it first). */
#define _GNU_SOURCE
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static double cpu_now(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static char *copy_buf;

/* What the indexer does with a message's bytes: one copy. */
static void take(const void *p, size_t n, unsigned long *msgs, unsigned long long *bytes)
{
	memcpy(copy_buf, p, n < (64u << 20) ? n : (64u << 20));
	(*msgs)++;
	*bytes += n;
}

static void by_objects(git_repository *repo, const git_oid *tip, unsigned long *msgs,
                       unsigned long long *bytes)
{
	git_revwalk *rw;
	git_revwalk_new(&rw, repo);
	git_revwalk_sorting(rw, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	git_revwalk_push(rw, tip);
	git_revwalk_simplify_first_parent(rw);
	git_oid id;
	while (git_revwalk_next(&id, rw) == 0) {
		git_commit *c;
		git_tree *t;
		if (git_commit_lookup(&c, repo, &id) || git_commit_tree(&t, c))
			exit(1);
		const git_tree_entry *m = git_tree_entry_byname(t, "m");
		if (m) {
			git_blob *b;
			if (git_blob_lookup(&b, repo, git_tree_entry_id(m)))
				exit(1);
			take(git_blob_rawcontent(b), (size_t)git_blob_rawsize(b), msgs, bytes);
			git_blob_free(b);
		}
		git_tree_free(t);
		git_commit_free(c);
	}
	git_revwalk_free(rw);
}

struct link {
	git_oid commit, tree;
};

static void by_odb(git_repository *repo, const git_oid *tip, unsigned long *msgs,
                   unsigned long long *bytes)
{
	git_odb *odb;
	git_repository_odb(&odb, repo);
	struct link *v = NULL;
	size_t n = 0, cap = 0;
	git_oid at = *tip;
	for (;;) {
		git_odb_object *o;
		if (git_odb_read(&o, odb, &at))
			exit(1);
		const char *p = git_odb_object_data(o);
		size_t len = git_odb_object_size(o);
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			v = realloc(v, cap * sizeof *v);
		}
		git_oid_fromstrn(&v[n].tree, p + 5, 40);
		v[n++].commit = at;
		int more = len > 46 + 48 && !memcmp(p + 46, "parent ", 7);
		if (more)
			git_oid_fromstrn(&at, p + 53, 40);
		git_odb_object_free(o);
		if (!more)
			break;
	}
	for (size_t i = n; i-- > 0;) {
		git_odb_object *t, *b;
		if (git_odb_read(&t, odb, &v[i].tree))
			exit(1);
		const unsigned char *p = git_odb_object_data(t);
		if (git_odb_object_size(t) == 29 && p[7] == 'm') {
			git_oid bid;
			git_oid_fromraw(&bid, p + 9);
			if (git_odb_read(&b, odb, &bid))
				exit(1);
			take(git_odb_object_data(b), git_odb_object_size(b), msgs, bytes);
			git_odb_object_free(b);
		}
		git_odb_object_free(t);
	}
	free(v);
	git_odb_free(odb);
}

int main(int argc, char **argv)
{
	if (argc < 3 || (strcmp(argv[1], "objects") && strcmp(argv[1], "odb"))) {
		fprintf(stderr, "usage: gitread objects|odb EPOCH.git [RUNS]\n");
		return 2;
	}
	int runs = argc > 3 ? atoi(argv[3]) : 3;
	copy_buf = malloc(64u << 20);
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
	/* As src/ingest/git.c reads: no SHA-1 of every object read (git's
	 * own readers check none either); VERIFY=1 measures with it. */
	if (!getenv("VERIFY"))
		git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	double best = 1e9;
	unsigned long msgs = 0;
	unsigned long long bytes = 0;
	for (int r = 0; r < runs; r++) {
		git_repository *repo;
		git_oid tip;
		if (git_repository_open_bare(&repo, argv[2]) ||
		    git_reference_name_to_id(&tip, repo, "HEAD")) {
			fprintf(stderr, "%s: %s\n", argv[2], git_error_last()->message);
			return 1;
		}
		msgs = 0;
		bytes = 0;
		double t0 = cpu_now();
		if (!strcmp(argv[1], "objects"))
			by_objects(repo, &tip, &msgs, &bytes);
		else
			by_odb(repo, &tip, &msgs, &bytes);
		double t = cpu_now() - t0;
		if (t < best)
			best = t;
		git_repository_free(repo);
	}
	printf("%s: %lu messages, %.1f MB, %.2f s CPU (best of %d): %.0f MB/s\n", argv[1], msgs,
	       bytes / 1e6, best, runs, best > 0 ? bytes / 1e6 / best : 0.0);
	git_libgit2_shutdown();
	free(copy_buf);
	return 0;
}
