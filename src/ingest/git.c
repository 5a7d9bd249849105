/* git.c: a public-inbox inbox as a source (v2: epochs git/N.git; v1: one
 * bare repository), read with libgit2 and, on a v2 epoch's fast path,
 * its packs read by gitpack.c (pread, a bounded cache of delta bases:
 * libgit2 maps a pack whole).  Each epoch's first-parent history
 * is walked from the last commit indexed, oldest first; a commit whose
 * tree has the blob "m" adds that message, one with "d" removes it (v2);
 * a v1 commit adds the files its diff adds and removes the ones it
 * removes.  The last commit indexed is stored per epoch in the
 * transaction of the messages up to it. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ingest/cgraph.h"
#include "ingest/chain.h"
#include "store/gitpack.h"
#include "ingest/ingest.h"
#include "ingest/ingest_int.h"
#include "limits.h"
#include "mbox/mbox.h"
#include "msg/ftsrow.h"
#include "msg/msg.h"
#include "msg/text.h"
#include "util/civil.h"
#include "util/handoff.h"
#include "util/stem.h"

/* What one run over an inbox needs, shared by its epochs. */
struct walk {
	struct store *st;
	struct store_source src;
	int64_t list_id;
	const struct ingest_opts *o;
	struct ingest_stats *stats;
	struct msg_summary *sum;
	struct msg_text text;
	int64_t last_ts;           /* the previous message's delivery time (date fallback) */
	unsigned batch;            /* messages added and removed since the last commit */
	uint64_t uncommitted;      /* messages added since the last commit */
	struct chain_ahead *ahead; /* the next epoch's chain, being collected */
};

static const char *git_msg(void)
{
	const git_error *g = git_error_last();
	return g && g->message ? g->message : "unknown libgit2 error";
}

/* An object's bytes: from the epoch's packs through gitpack.h, which
 * reads them with pread and keeps a bounded cache of delta bases (libgit2
 * maps a pack whole and keeps 16 MiB of bases a pack: docs/INDEX.md,
 * "What the indexer holds"), or from libgit2's object database if the
 * packs do not hold it (a loose object) or gp is NULL
 * (LISTARC_GITPACK=0). */
struct obj {
	struct gitpack_obj p;
	git_odb_object *g;
	const char *data;
	size_t size;
	int type; /* GIT_OBJECT_* (gitpack's types are git's numbers) */
};

/* The packs of the repository at rp, or NULL (off, or they cannot be
 * read: every object then from libgit2). */
static struct gitpack *packs_open(const char *rp)
{
	struct gitpack *gp = NULL;
	struct la_err ignored = {0};
	if (gitpack_enabled() && gitpack_open(&gp, rp, &ignored) != LA_OK)
		gp = NULL;
	return gp;
}

/* Object id read into *o (obj_free).  On failure err says why, without
 * saying which object. */
static enum la_status obj_read(struct gitpack *gp, git_odb *odb, const git_oid *id, struct obj *o,
                               struct la_err *err)
{
	*o = (struct obj){0};
	enum la_status e = gp ? gitpack_read(gp, id->id, &o->p, err) : LA_ENOTFOUND;
	if (e == LA_OK) {
		o->data = (const char *)o->p.data;
		o->size = o->p.size;
		o->type = (int)o->p.type;
		return LA_OK;
	}
	if (e != LA_ENOTFOUND)
		return e;
	if (git_odb_read(&o->g, odb, id) != 0)
		return la_err_set(err, LA_EIO, "%s", git_msg());
	o->data = git_odb_object_data(o->g);
	o->size = git_odb_object_size(o->g);
	o->type = (int)git_odb_object_type(o->g);
	return LA_OK;
}

static void obj_free(struct obj *o)
{
	gitpack_obj_free(&o->p);
	git_odb_object_free(o->g);
	o->g = NULL;
}

/* Pack figures added up (the bases' peak: the larger). */
static void packs_add(struct ingest_packs *to, const struct ingest_packs *f)
{
	to->preads += f->preads;
	to->lookups += f->lookups;
	to->inflated += f->inflated;
	to->deltas += f->deltas;
	to->base_hits += f->base_hits;
	if (f->bases_peak > to->bases_peak)
		to->bases_peak = f->bases_peak;
}

/* What gp did (if it was opened) added to *to. */
static void packs_note(struct ingest_packs *to, const struct gitpack *gp)
{
	if (!gp)
		return;
	struct gitpack_stats st;
	gitpack_stats(gp, &st);
	packs_add(to, &(struct ingest_packs){st.preads, st.lookups, st.inflated, st.deltas,
	                                     st.cache_hits, st.cache_peak});
}

/* The epochs of a v2 inbox: the numbers N of path/git/N.git, ascending;
 * a v1 inbox has the one epoch -1 (the repository is path itself). */
static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static enum la_status list_epochs(const char *path, bool v2, int **out, size_t *n,
                                  struct la_err *err)
{
	*out = NULL;
	*n = 0;
	if (!v2) {
		*out = malloc(sizeof **out);
		if (!*out)
			return la_err_set(err, LA_ENOMEM, "out of memory");
		(*out)[0] = -1;
		*n = 1;
		return LA_OK;
	}
	char gdir[4200];
	snprintf(gdir, sizeof gdir, "%s/git", path);
	DIR *d = opendir(gdir);
	if (!d)
		return la_err_set(err, LA_EIO, "%s: %s", gdir, strerror(errno));
	size_t cap = 0;
	struct dirent *de;
	enum la_status e = LA_OK;
	while ((de = readdir(d))) {
		size_t k = strspn(de->d_name, "0123456789");
		if (k == 0 || k > 6 || strcmp(de->d_name + k, ".git") != 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			int *nv = realloc(*out, cap * sizeof *nv);
			if (!nv) {
				e = la_err_set(err, LA_ENOMEM, "out of memory");
				break;
			}
			*out = nv;
		}
		(*out)[(*n)++] = atoi(de->d_name);
	}
	closedir(d);
	if (*n > 1)
		qsort(*out, *n, sizeof **out, cmp_int);
	return e;
}

/* The message's file as the index keeps it: "N/ID", or "ID" for v1. */
static void blob_file(char *out, size_t n, int epoch, const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1];
	git_oid_tostr(hex, sizeof hex, id);
	if (epoch < 0)
		snprintf(out, n, "%s", hex);
	else
		snprintf(out, n, "%d/%s", epoch, hex);
}

/* A blob read as a message: where its message starts in it (past a
 * From_ line it may begin with, as public-inbox reads it), its length
 * from there (0: the empty "m" public-inbox-purge leaves, no message),
 * that From_ line's date if it has one that is not a placeholder, and
 * the made-up Message-ID if it has none ("" otherwise). */
struct blob_msg {
	size_t off, len;
	bool dated;
	struct la_date date;
	char made_up[64];
};

/* Adds a message read and parsed (sum, text if search is on) to the
 * index: its date, number, row.  The date is the mbox path's: the From_
 * line's if the blob kept one with a date, else Received:, then Date:. */
static enum la_status add_parsed(struct walk *w, int epoch, const git_oid *id,
                                 const struct blob_msg *bm, struct msg_summary *sum,
                                 struct msg_text *text, const struct msg_fts_row *fts,
                                 struct la_err *err)
{
	struct store_new_msg nm = {0};
	char file[GIT_OID_HEXSZ + 16];
	blob_file(file, sizeof file, epoch, id);
	nm.list_id = w->list_id;
	nm.source_id = w->src.id;
	nm.off = bm->off;
	nm.len = bm->len;
	nm.file = file;
	nm.sum = sum;
	nm.text = w->o->search ? text : NULL;
	nm.fts = w->o->search ? fts : NULL;
	if (bm->dated) {
		nm.ts = date_unix(&bm->date);
		nm.day = civil_daykey(bm->date.year, bm->date.mon, bm->date.day);
	} else if (!ingest_delivery_date(sum, w->last_ts, &nm.ts, &nm.day)) {
		w->stats->no_date++;
	}
	w->last_ts = nm.ts;
	nm.has_date = sum->has_date;
	nm.date = sum->has_date ? date_unix(&sum->date) : 0;
	if (bm->made_up[0]) {
		nm.made_up_id = bm->made_up;
		w->stats->no_msgid++;
	}
	int num;
	bool dup;
	enum la_status e = store_add(w->st, &nm, &num, &dup, err);
	if (e)
		return e;
	w->stats->messages++;
	w->stats->dups += dup;
	w->stats->bytes += bm->len;
	w->batch++;
	w->uncommitted++;
	return LA_OK;
}

/* A blob's message (past a leading From_ line: struct blob_msg) parsed
 * into bm, sum and text (if search; up to what search needs), straight
 * from the object's bytes (gp: the epoch's packs, or NULL): the parsers
 * read spans, and nothing is kept past them (no copy; the object is
 * freed here).  On failure err says why (not which blob). */
static enum la_status parse_blob(struct gitpack *gp, git_odb *odb, const git_oid *id,
                                 const struct ingest_opts *o, struct msg_summary *sum,
                                 struct msg_text *text, struct blob_msg *bm, struct la_err *err)
{
	struct obj blob;
	enum la_status e = obj_read(gp, odb, id, &blob, err);
	if (e)
		return e;
	if (blob.type != GIT_OBJECT_BLOB) {
		obj_free(&blob);
		return la_err_set(err, LA_EINVAL, "not a blob");
	}
	const char *data = blob.data;
	size_t size = blob.size;
	bm->made_up[0] = 0;
	bm->off = mbox_leading_fromline(data, size < HEAD_MAX ? size : HEAD_MAX, &bm->date,
	                                &bm->dated);
	bm->len = size - bm->off;
	if (bm->len > 0) {
		const char *p = data + bm->off;
		size_t hl = bm->len < HEAD_MAX ? bm->len : HEAD_MAX;
		msg_summary_parse(sum, p, hl);
		ingest_adjust(o->conf, sum);
		if (o->search)
			msg_text_extract(text, p,
			                 bm->len < SEARCH_TEXT_MAX * 8 ? bm->len
			                                               : SEARCH_TEXT_MAX * 8);
		if (!sum->msgid[0])
			msg_made_up_id(bm->made_up, sizeof bm->made_up, p, hl, bm->len);
	}
	obj_free(&blob);
	return LA_OK;
}

static enum la_status add_blob(struct walk *w, git_repository *repo, int epoch, const git_oid *id,
                               struct la_err *err)
{
	/* Straight from the object database: no blob object around it. */
	/* (The general path: libgit2 has the pack open already.) */
	git_odb *odb = NULL;
	struct blob_msg bm;
	struct la_err why = {0};
	enum la_status e = git_repository_odb(&odb, repo) == 0
	                           ? parse_blob(NULL, odb, id, w->o, w->sum, &w->text, &bm, &why)
	                           : la_err_set(&why, LA_EIO, "%s", git_msg());
	git_odb_free(odb);
	if (e) {
		char hex[GIT_OID_HEXSZ + 1];
		return la_err_set(err, e, "%s: blob %s: %s", w->src.path,
		                  git_oid_tostr(hex, sizeof hex, id), why.msg);
	}
	if (bm.len == 0)
		return LA_OK;
	return add_parsed(w, epoch, id, &bm, w->sum, &w->text, NULL, err);
}

static enum la_status remove_blob(struct walk *w, int epoch, const git_oid *id, struct la_err *err)
{
	char file[GIT_OID_HEXSZ + 16];
	blob_file(file, sizeof file, epoch, id);
	int removed = 0;
	enum la_status e = store_msg_remove(w->st, w->src.id, file, &removed, err);
	if (!e && removed == 0 && epoch >= 0) {
		/* A v2 deletion names the blob as it was added, in whichever
		 * epoch that was: an earlier one, if not this one. */
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof hex, id);
		for (int k = epoch - 1; k >= 0 && !e && removed == 0; k--) {
			snprintf(file, sizeof file, "%d/%s", k, hex);
			e = store_msg_remove(w->st, w->src.id, file, &removed, err);
		}
	}
	w->stats->removed += (uint64_t)removed;
	w->batch++;
	return e;
}

/* What one commit adds and removes (see the top of the file). */
static enum la_status one_commit(struct walk *w, git_repository *repo, int epoch, git_commit *c,
                                 struct la_err *err)
{
	git_tree *tree = NULL, *ptree = NULL;
	git_diff *diff = NULL;
	enum la_status e = LA_OK;
	if (git_commit_tree(&tree, c) != 0)
		return la_err_set(err, LA_EIO, "%s: a commit's tree: %s", w->src.path, git_msg());
	const git_tree_entry *m = git_tree_entry_byname(tree, "m");
	const git_tree_entry *d = git_tree_entry_byname(tree, "d");
	if (m && git_tree_entry_type(m) == GIT_OBJECT_BLOB) {
		e = add_blob(w, repo, epoch, git_tree_entry_id(m), err);
	} else if (d && git_tree_entry_type(d) == GIT_OBJECT_BLOB) {
		e = remove_blob(w, epoch, git_tree_entry_id(d), err);
	} else {
		/* v1: files named by their Message-ID's hash, added and
		 * removed. */
		git_commit *parent = NULL;
		if (git_commit_parentcount(c) > 0 && (git_commit_parent(&parent, c, 0) != 0 ||
		                                      git_commit_tree(&ptree, parent) != 0)) {
			git_commit_free(parent);
			e = la_err_set(err, LA_EIO, "%s: a parent's tree: %s", w->src.path,
			               git_msg());
			goto out;
		}
		git_commit_free(parent);
		if (git_diff_tree_to_tree(&diff, repo, ptree, tree, NULL) != 0) {
			e = la_err_set(err, LA_EIO, "%s: a commit's diff: %s", w->src.path,
			               git_msg());
			goto out;
		}
		size_t nd = git_diff_num_deltas(diff);
		for (size_t i = 0; i < nd && !e; i++) {
			const git_diff_delta *dl = git_diff_get_delta(diff, i);
			if (dl->status == GIT_DELTA_DELETED || dl->status == GIT_DELTA_MODIFIED)
				e = remove_blob(w, epoch, &dl->old_file.id, err);
			if (!e &&
			    (dl->status == GIT_DELTA_ADDED || dl->status == GIT_DELTA_MODIFIED))
				e = add_blob(w, repo, epoch, &dl->new_file.id, err);
		}
	}
out:
	git_diff_free(diff);
	git_tree_free(ptree);
	git_tree_free(tree);
	return e;
}

/* An epoch's state before anything is indexed: its repository and tip,
 * and where the index is in it. */
struct epoch {
	int num;
	git_repository *repo;
	git_oid tip, last;
	bool empty, has_last;
	bool rewritten; /* its history no longer holds last (v2: resync) */
};

/* ---- a rewritten v2 epoch: read again whole ---- */

/* A set of object ids: filled, then sorted, then searched. */
struct oidset {
	git_oid *v;
	size_t n, cap;
	bool err;
};

static void oidset_add(struct oidset *s, const git_oid *id)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		git_oid *nv = realloc(s->v, cap * sizeof *nv);
		if (!nv) {
			s->err = true;
			return;
		}
		s->v = nv;
		s->cap = cap;
	}
	git_oid_cpy(&s->v[s->n++], id);
}

static int oid_cmp(const void *a, const void *b)
{
	return git_oid_cmp(a, b);
}

static void oidset_sort(struct oidset *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof *s->v, oid_cmp);
}

static bool oidset_has(const struct oidset *s, const git_oid *id)
{
	return s->n && bsearch(id, s->v, s->n, sizeof *s->v, oid_cmp) != NULL;
}

static bool collect_file(const char *file, void *arg)
{
	struct oidset *s = arg;
	const char *slash = strchr(file, '/');
	git_oid id;
	if (git_oid_fromstr(&id, slash ? slash + 1 : file) == 0)
		oidset_add(s, &id);
	return !s->err;
}

/* What public-inbox-purge (or a force-push) leaves: an epoch whose
 * history no longer holds the commit indexed last.  Its whole first-parent
 * history is read again (trees only, no blob unless new), in the open
 * transaction, with no commit in between: a message indexed whose blob
 * is no longer in the history, or that a "d" deletes, is removed (410);
 * a blob not indexed is added, in history order.  What was indexed and
 * is still there keeps its URL. */
static enum la_status epoch_resync(struct walk *w, struct epoch *ep, struct la_err *err)
{
	struct oidset present = {0}, deleted = {0}, indexed = {0};
	git_oid *order = NULL;
	size_t norder = 0, cap = 0;
	uint64_t removed0 = w->stats->removed, added0 = w->stats->messages;
	git_revwalk *rw = NULL;
	enum la_status e = LA_OK;
	if (git_revwalk_new(&rw, ep->repo) != 0 ||
	    git_revwalk_sorting(rw, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) != 0 ||
	    git_revwalk_push(rw, &ep->tip) != 0)
		e = la_err_set(err, LA_EIO, "%s: walking: %s", w->src.path, git_msg());
	if (!e)
		git_revwalk_simplify_first_parent(rw);
	git_oid id;
	while (!e && git_revwalk_next(&id, rw) == 0) {
		git_commit *c;
		git_tree *tree;
		if (git_commit_lookup(&c, ep->repo, &id) != 0) {
			e = la_err_set(err, LA_EIO, "%s: commit: %s", w->src.path, git_msg());
			break;
		}
		int rc = git_commit_tree(&tree, c);
		git_commit_free(c);
		if (rc != 0) {
			e = la_err_set(err, LA_EIO, "%s: tree: %s", w->src.path, git_msg());
			break;
		}
		const git_tree_entry *m = git_tree_entry_byname(tree, "m");
		const git_tree_entry *d = git_tree_entry_byname(tree, "d");
		if (m && git_tree_entry_type(m) == GIT_OBJECT_BLOB) {
			oidset_add(&present, git_tree_entry_id(m));
			if (norder == cap) {
				cap = cap ? cap * 2 : 1024;
				git_oid *nv = realloc(order, cap * sizeof *nv);
				if (!nv)
					present.err = true;
				else
					order = nv;
			}
			if (norder < cap)
				git_oid_cpy(&order[norder++], git_tree_entry_id(m));
		} else if (d && git_tree_entry_type(d) == GIT_OBJECT_BLOB) {
			oidset_add(&deleted, git_tree_entry_id(d));
		}
		git_tree_free(tree);
	}
	git_revwalk_free(rw);
	if (!e && (e = store_git_files(w->st, w->src.id, ep->num, collect_file, &indexed)))
		la_err_set(err, e, "index: %s", store_errmsg(w->st));
	if (!e && (present.err || deleted.err || indexed.err))
		e = la_err_set(err, LA_ENOMEM, "out of memory");
	oidset_sort(&present);
	oidset_sort(&deleted);
	for (size_t i = 0; !e && i < indexed.n; i++)
		if (!oidset_has(&present, &indexed.v[i]) || oidset_has(&deleted, &indexed.v[i]))
			e = remove_blob(w, ep->num, &indexed.v[i], err);
	oidset_sort(&indexed);
	for (size_t i = 0; !e && i < norder; i++)
		if (!oidset_has(&indexed, &order[i]) && !oidset_has(&deleted, &order[i])) {
			e = add_blob(w, ep->repo, ep->num, &order[i], err);
			/* Added once, even if the history holds the blob twice. */
			oidset_add(&indexed, &order[i]);
			oidset_sort(&indexed);
		}
	if (!e && indexed.err)
		e = la_err_set(err, LA_ENOMEM, "out of memory");
	if (!e) {
		char hex[GIT_OID_HEXSZ + 1], old[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof hex, &ep->tip);
		git_oid_tostr(old, sizeof old, &ep->last);
		if ((e = store_git_head_set(w->st, w->src.id, ep->num, hex)))
			la_err_set(err, e, "index: %s", store_errmsg(w->st));
		else
			ingest_warn(w->o,
			            "%s/git/%d.git: history rewritten (purged or force-pushed; the "
			            "commit indexed last, %s, is gone): read again whole: %llu "
			            "messages removed, %llu added",
			            w->src.path, ep->num, old,
			            (unsigned long long)(w->stats->removed - removed0),
			            (unsigned long long)(w->stats->messages - added0));
	}
	free(present.v);
	free(deleted.v);
	free(indexed.v);
	free(order);
	return e;
}

/* Opens epoch k and checks that its last commit indexed is still in its
 * history: LA_ECHANGED (rewritten: force-pushed, purged) if not. */
static enum la_status epoch_open(struct walk *w, struct epoch *ep, struct la_err *err)
{
	char rp[4200];
	gitpack_repo_path(rp, sizeof rp, w->src.path, ep->num);
	if (git_repository_open_ext(&ep->repo, rp,
	                            GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE,
	                            NULL) != 0)
		return la_err_set(err, LA_EIO, "%s: %s", rp, git_msg());
	git_reference *head = NULL, *resolved = NULL;
	int rc = git_repository_head(&head, ep->repo);
	if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND) {
		ep->empty = true;
	} else if (rc != 0 || git_reference_resolve(&resolved, head) != 0) {
		git_reference_free(head);
		return la_err_set(err, LA_EIO, "%s: HEAD: %s", rp, git_msg());
	} else {
		git_oid_cpy(&ep->tip, git_reference_target(resolved));
	}
	git_reference_free(resolved);
	git_reference_free(head);
	char hex[GIT_OID_HEXSZ + 1];
	enum la_status e =
		store_git_head_get(w->st, w->src.id, ep->num < 0 ? 0 : ep->num, hex, sizeof hex);
	if (e == LA_ENOTFOUND)
		return LA_OK;
	if (e)
		return la_err_set(err, e, "index: %s", store_errmsg(w->st));
	if (git_oid_fromstr(&ep->last, hex) != 0)
		return la_err_set(err, LA_EDB, "index: %s: a bad commit id stored", rp);
	ep->has_last = true;
	if (!ep->empty && git_oid_equal(&ep->last, &ep->tip))
		return LA_OK;
	git_commit *c = NULL;
	bool kept = !ep->empty && git_commit_lookup(&c, ep->repo, &ep->last) == 0 &&
	            git_graph_descendant_of(ep->repo, &ep->tip, &ep->last) == 1;
	git_commit_free(c);
	if (!kept && ep->num >= 0 && !ep->empty) {
		/* v2: read again whole (epoch_resync). */
		ep->rewritten = true;
		return LA_OK;
	}
	if (!kept)
		return la_err_set(err, LA_ECHANGED,
		                  "%s: history rewritten (force-pushed or purged): the last commit "
		                  "indexed, %s, is no longer in its first-parent history; nothing "
		                  "indexed (listarc index --rebuild LIST PATH indexes it anew)",
		                  rp, hex);
	return LA_OK;
}

/* ---- the fast path: a v2 epoch read straight from its object store ----
 *
 * A v2 epoch is a line of commits, each with a one-entry tree.  Reading
 * it through libgit2's commit, tree and blob objects costs a revwalk
 * (every commit parsed once to sort, again to look it up), a tree object
 * and a blob object a message; here the first-parent chain is collected
 * from the tip down to the commit indexed last from git's commit-graph
 * file where it holds the commits, else by reading each commit's raw
 * bytes once (only its "tree" and first "parent" lines), then, oldest
 * first, on a reader thread, each tree's raw bytes are searched for
 * "m" or "d" and the blob read from the object database.  A tree with
 * anything else (v1) is read on the writer's side the general way; a
 * chain that never meets the commit indexed last falls back to the
 * general path. */

/* A commit of the chain and its tree (a link of ingest/chain.h's). */
struct link {
	git_oid commit, tree;
};

/* The chain's links held in memory at a time (two chunks of 160 kB: the
 * one being filled and one read back); the rest are in a file in the
 * data directory (chain.h).  (Tests make chunks small:
 * LISTARC_TEST_GIT_CHAIN=N links.) */
#define GIT_CHAIN_CHUNK 4096

static size_t chain_chunk(void)
{
	const char *t = getenv("LISTARC_TEST_GIT_CHAIN");
	return t && atoi(t) >= 1 ? (size_t)atoi(t) : GIT_CHAIN_CHUNK;
}

/* The id after "KEY " at the start of line of raw commit bytes [p, end)
 * into out; false if the line is not there or not 40 hex digits. */
static bool header_oid(const char *p, const char *end, const char *key, git_oid *out)
{
	size_t kl = strlen(key);
	if ((size_t)(end - p) < kl + GIT_OID_HEXSZ + 1 || memcmp(p, key, kl) != 0 ||
	    p[kl + GIT_OID_HEXSZ] != '\n')
		return false;
	return git_oid_fromstrn(out, p + kl, GIT_OID_HEXSZ) == 0;
}

/* The commit's tree and first parent from its raw bytes. */
static bool parse_commit(const char *p, size_t n, git_oid *tree, git_oid *parent, bool *has_parent,
                         int64_t *time)
{
	const char *end = p + n;
	if (!header_oid(p, end, "tree ", tree))
		return false;
	p += 5 + GIT_OID_HEXSZ + 1;
	*has_parent = header_oid(p, end, "parent ", parent);
	if (time) {
		/* "committer NAME <EMAIL> TIME ZONE": the time before the
		 * line's last space. */
		*time = 0;
		const char *c = memmem(p, (size_t)(end - p), "\ncommitter ", 11);
		const char *eol = c ? memchr(c + 1, '\n', (size_t)(end - c - 1)) : NULL;
		const char *gt = c && eol ? memrchr(c, '>', (size_t)(eol - c)) : NULL;
		if (gt)
			*time = strtoll(gt + 1, NULL, 10);
	}
	return true;
}

/* The blob named "m" (*op 'm') or "d" ('d') of a raw tree holding
 * exactly one entry; false for any other tree. */
static bool parse_tree(const unsigned char *p, size_t n, git_oid *blob, char *op)
{
	/* "100644 m\0" and 20 bytes of id. */
	static const char pre[] = "100644 ";
	size_t pl = sizeof pre - 1;
	if (n != pl + 2 + GIT_OID_RAWSZ || memcmp(p, pre, pl) != 0 || p[pl + 1] != 0 ||
	    (p[pl] != 'm' && p[pl] != 'd'))
		return false;
	*op = (char)p[pl];
	git_oid_fromraw(blob, p + pl + 2);
	return true;
}

/* The epoch's commit-graph file (objects/info/commit-graph) mapped, if
 * it has one that cgraph.c reads. */
struct graph_map {
	void *p;
	size_t n;
	struct cgraph g;
	bool ok;
};

static void graph_map_open(struct graph_map *m, const char *repo_path)
{
	*m = (struct graph_map){0};
	char path[4300];
	snprintf(path, sizeof path, "%s/objects/info/commit-graph", repo_path);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0)
		return;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
	    (uint64_t)sb.st_size <= CGRAPH_MAX) {
		m->p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m->p == MAP_FAILED)
			m->p = NULL;
		else
			m->n = (size_t)sb.st_size;
	}
	close(fd);
	m->ok = m->p && cgraph_open(&m->g, m->p, m->n);
}

static void graph_map_close(struct graph_map *m)
{
	if (m->p)
		munmap(m->p, m->n);
}

/* Collects the first-parent chain from the tip down to (not including)
 * ep->last, newest first, into *out (chain_free it; links of struct
 * link, spooled in the data directory).  LA_OK with *met false if the chain
 * ended without meeting ep->last (the caller walks the general way).
 * A commit the commit-graph holds is read from it (its tree and first
 * parent, no object inflated; its parents are then all there), the
 * others (commits since the graph was written, or all of them without
 * one) from their raw bytes.  A graph whose parents make a loop (more
 * steps than it has commits) is dropped and the chain read again
 * without it.  What reading the packs took is added to *figs (the
 * caller's: this may run on a thread of its own, chain_ahead). */
static enum la_status collect_chain(struct walk *w, struct epoch *ep, git_odb *odb,
                                    struct chain **out, bool *met, struct ingest_packs *figs,
                                    struct la_err *err)
{
	*out = NULL;
	char rp[4200];
	gitpack_repo_path(rp, sizeof rp, w->src.path, ep->num);
	struct graph_map gm;
	graph_map_open(&gm, rp);
	/* (The commits the graph does not hold read from the packs.) */
	struct gitpack *gp = NULL;
	bool gp_tried = false;
	struct chain *c = NULL;
	enum la_status e = LA_OK;
again:
	chain_free(c);
	if ((e = chain_new(&c, sizeof(struct link), chain_chunk(), store_dir(w->st), err)))
		goto done;
	*met = !ep->has_last;
	git_oid at = ep->tip;
	int64_t pos = -1;   /* at's position in the graph, if known */
	uint64_t steps = 0; /* links read from the graph */
	/* The commits read from their bytes could name each other as first
	 * parents in a loop (no object's id is checked against its bytes,
	 * here or in libgit2 as set up): a commit kept as a mark at steps 1,
	 * 2, 4, 8, ... is met again within twice the loop's length and its
	 * lead (Brent's method; no memory per commit). */
	git_oid mark = at;
	uint64_t mark_span = 1, since_mark = 0;
	for (;;) {
		if (ep->has_last && git_oid_equal(&at, &ep->last)) {
			*met = true;
			break;
		}
		struct link l;
		git_oid parent;
		bool has_parent = false;
		if (gm.ok && pos < 0)
			pos = cgraph_find(&gm.g, at.id);
		if (pos < 0 && !gp_tried) {
			gp = packs_open(rp);
			gp_tried = true;
			if (gp)
				gitpack_backward(gp, true);
		}
		if (pos >= 0) {
			const unsigned char *id, *tree;
			int64_t ppos;
			if (++steps > gm.g.count ||
			    !cgraph_entry(&gm.g, (uint32_t)pos, &id, &tree, &ppos)) {
				gm.ok = false;
				goto again;
			}
			git_oid_fromraw(&l.tree, tree);
			git_oid_cpy(&l.commit, &at);
			if ((e = chain_push(c, &l, err)))
				break;
			if (ppos < 0)
				break;
			git_oid_fromraw(&at, gm.g.oids + (size_t)ppos * CGRAPH_OID);
			pos = ppos;
			continue;
		}
		struct obj o;
		struct la_err why = {0};
		enum la_status re = obj_read(gp, odb, &at, &o, &why);
		if (re) {
			char hex[GIT_OID_HEXSZ + 1];
			e = la_err_set(err, re, "%s: commit %s: %s", w->src.path,
			               git_oid_tostr(hex, sizeof hex, &at), why.msg);
			break;
		}
		bool ok = o.type == GIT_OBJECT_COMMIT &&
		          parse_commit(o.data, o.size, &l.tree, &parent, &has_parent, NULL);
		obj_free(&o);
		if (!ok) {
			char hex[GIT_OID_HEXSZ + 1];
			e = la_err_set(err, LA_EIO, "%s: commit %s: not a commit", w->src.path,
			               git_oid_tostr(hex, sizeof hex, &at));
			break;
		}
		git_oid_cpy(&l.commit, &at);
		if ((e = chain_push(c, &l, err)))
			break;
		if (!has_parent)
			break;
		at = parent;
		if (git_oid_equal(&at, &mark)) {
			char hex[GIT_OID_HEXSZ + 1];
			e = la_err_set(err, LA_EINVAL,
			               "%s: commit %s: its first parents make a loop", w->src.path,
			               git_oid_tostr(hex, sizeof hex, &at));
			break;
		}
		if (++since_mark == mark_span) {
			mark = at;
			mark_span *= 2;
			since_mark = 0;
		}
	}
done:
	graph_map_close(&gm);
	packs_note(figs, gp);
	gitpack_free(gp);
	if (e) {
		chain_free(c);
		return e;
	}
	*out = c;
	return LA_OK;
}

/* After each commit: the batch committed once it is full, with the
 * epoch's position (the commit id) in the same transaction. */
static enum la_status batch_point(struct walk *w, int hnum, const git_oid *id, struct la_err *err)
{
	if (w->batch < w->o->batch)
		return LA_OK;
	char hex[GIT_OID_HEXSZ + 1];
	git_oid_tostr(hex, sizeof hex, id);
	enum la_status e = store_git_head_set(w->st, w->src.id, hnum, hex);
	if (e)
		return la_err_set(err, e, "index: %s", store_errmsg(w->st));
	w->src.last_ts = w->last_ts;
	if ((e = store_commit(w->st, &w->src, err)))
		return e;
	w->batch = 0;
	w->uncommitted = 0;
	return store_begin_batch(w->st, err);
}

/* ---- the fast path's reader thread ----
 *
 * Reading a message from the pack (inflating its tree and blob) and
 * parsing it run on a reader thread while SQLite writes on the calling
 * thread, as for an mbox (ingest.c): the reader, with a repository of its
 * own (libgit2 objects are not shared between threads), reads the
 * chain's commits oldest first into the slots of a ring; the calling
 * thread takes them in the same order, so the messages are added in the
 * chain's order, committing in batches.
 *
 * One reader, not two: reading a message costs the reader about half the
 * CPU time writing it costs the writer (a third of the instructions;
 * bench/README.md, "git sources"), so one keeps ahead of the writer on a
 * core of its own.  Two readers and
 * the writer were three threads on two cores: whenever both readers ran,
 * one of them took its time from the writer, which is the path every
 * message waits on (the git run's wall was 1.45× the mbox run's).
 *
 * Half the reader's time is not much less than the writer's time for
 * store_add alone, though: most of the writer's time goes to its
 * batches' commits (store_commit, every 5000 messages), and a blob at the
 * end of a long delta chain costs more than store_add.  With a ring of 32
 * slots the reader stopped 32 messages into each of the writer's commits,
 * and between them the writer waited for the reader (bench/threads -t: the
 * writer at half a core while the reader ran, the reader idle while the
 * writer committed; the wall 1.4× the mbox run's, with a commit-graph).
 * Without search the ring holds GIT_RING_DEEP slots, so that the reader
 * reads the next batch while the writer commits this one; a slot keeps
 * its summary packed (its strings one after the other, a few hundred
 * bytes, not struct msg_summary's 33 kB), unpacked by the writer into one
 * summary.  With search each slot holds its text as well, its buffers
 * kept up to SLOT_TEXT_KEEP (ingest.c's ring), and the ring has
 * GIT_RING_SEARCH slots (a ring of 64, an mbox's, held 4.5 MB less at
 * the peak of 100k but took 1.10-1.15x the wall: interleaved, 2026-12-07;
 * the reader left more of the search rows to the other threads, see
 * ingest_prep_here). */

#define GIT_RING_SEARCH 256
#define GIT_RING_DEEP 8192

/* A summary packed: its fixed members, and its strings in str (msgid,
 * parent, the refs, subject, from_name, from_addr, each with its NUL). */
struct packed_sum {
	unsigned nrefs, flags;
	bool has_date, has_received;
	struct la_date date, received;
	char *str;
	size_t cap;
};

struct git_slot {
	char op; /* 'm' a message, 'e' an empty "m" (purged), 'd' a removal,
	            'g' another tree (read on the writer's side) */
	git_oid commit, blob;
	struct blob_msg bm;
	struct packed_sum ps;
	struct msg_text *text;  /* with search: this slot's text */
	struct msg_fts_row fts; /* with search: text's row of the search index, prepared */
};

/* The reader's ring and what it reads: the chain (newest first; the
 * reader's alone) and how to parse. */
struct git_ring {
	struct handoff h; /* who has which slot (util/handoff.h) */
	struct git_slot *slot;
	size_t size;           /* slots */
	struct msg_text *text; /* with search: a text a slot */
	enum la_status status; /* the reader's, once it has finished */
	struct la_err err;
	const char *repo_path, *src_path;
	bool v2;
	struct chain *chain;
	size_t n; /* its links */
	const struct ingest_opts *o;
	struct stemmer *stemmer; /* the slots' texts share it (ingest.c's ring) */
	/* The form of the search index's rows the reader prepares, and
	 * its scratch for the stems (ingest.c's ring). */
	enum msg_fts_cols fts_cols;
	struct buf fts_scratch;
	bool prep_always;          /* (LISTARC_FTS_PREP=1: ingest_prep_here) */
	struct ingest_packs packs; /* what the reader's packs did */
};

/* s packed into p (false: out of memory). */
static bool sum_pack(struct packed_sum *p, const struct msg_summary *s)
{
	const char *f[REFS_MAX + 5];
	size_t nf = 0, len = 0;
	f[nf++] = s->msgid;
	f[nf++] = s->parent;
	for (unsigned i = 0; i < s->nrefs && i < REFS_MAX; i++)
		f[nf++] = s->refs[i];
	f[nf++] = s->subject;
	f[nf++] = s->from_name;
	f[nf++] = s->from_addr;
	size_t fl[REFS_MAX + 5];
	for (size_t i = 0; i < nf; i++)
		len += (fl[i] = strlen(f[i])) + 1;
	if (len > p->cap) {
		char *ns = realloc(p->str, len);
		if (!ns)
			return false;
		p->str = ns;
		p->cap = len;
	}
	char *o = p->str;
	for (size_t i = 0; i < nf; i++) {
		memcpy(o, f[i], fl[i] + 1);
		o += fl[i] + 1;
	}
	p->nrefs = s->nrefs < REFS_MAX ? s->nrefs : REFS_MAX;
	p->flags = s->flags;
	p->has_date = s->has_date;
	p->has_received = s->has_received;
	p->date = s->date;
	p->received = s->received;
	return true;
}

/* One string of a packed summary into out (it came from an array of the
 * same size), and the next. */
static const char *unpack_str(const char *in, char *out)
{
	size_t l = strlen(in);
	memcpy(out, in, l + 1);
	return in + l + 1;
}

/* p unpacked into s. */
static void sum_unpack(const struct packed_sum *p, struct msg_summary *s)
{
	const char *in = p->str;
	in = unpack_str(in, s->msgid);
	in = unpack_str(in, s->parent);
	for (unsigned i = 0; i < p->nrefs; i++)
		in = unpack_str(in, s->refs[i]);
	in = unpack_str(in, s->subject);
	in = unpack_str(in, s->from_name);
	unpack_str(in, s->from_addr);
	s->nrefs = p->nrefs;
	s->flags = p->flags;
	s->has_date = p->has_date;
	s->has_received = p->has_received;
	s->date = p->date;
	s->received = p->received;
}

/* What commit l's tree says (v2: its "m" or "d"): its op and blob, with
 * the commit's id. */
struct tree_read {
	git_oid commit, blob;
	char op; /* as git_slot's */
};

static enum la_status read_tree(struct git_ring *q, struct gitpack *gp, git_odb *odb,
                                const struct link *l, struct tree_read *tr)
{
	struct obj t;
	struct la_err why = {0};
	enum la_status e = obj_read(gp, odb, &l->tree, &t, &why);
	if (e) {
		char hex[GIT_OID_HEXSZ + 1];
		return la_err_set(&q->err, e, "%s: tree %s: %s", q->src_path,
		                  git_oid_tostr(hex, sizeof hex, &l->tree), why.msg);
	}
	git_oid_cpy(&tr->commit, &l->commit);
	bool v2 = q->v2 && t.type == GIT_OBJECT_TREE &&
	          parse_tree((const unsigned char *)t.data, t.size, &tr->blob, &tr->op);
	obj_free(&t);
	if (!v2)
		tr->op = 'g';
	return LA_OK;
}

/* A commit's message (its tree read: tr) read into slot sl; sum is the
 * reader's scratch summary. */
static enum la_status read_link(struct git_ring *q, struct gitpack *gp, git_odb *odb,
                                const struct tree_read *tr, struct git_slot *sl,
                                struct msg_summary *sum)
{
	struct la_err why = {0};
	enum la_status e;
	sl->op = tr->op;
	git_oid_cpy(&sl->commit, &tr->commit);
	git_oid_cpy(&sl->blob, &tr->blob);
	if (sl->op == 'g' || sl->op == 'd')
		return LA_OK;
	if (sl->text && ingest_text_held(sl->text) > SLOT_TEXT_KEEP) {
		msg_text_free(sl->text);
		msg_text_init(sl->text);
		msg_text_lend_stemmer(sl->text, q->stemmer);
	}
	/* (Without search the text is not read: any will do.) */
	struct msg_text none;
	if ((e = parse_blob(gp, odb, &sl->blob, q->o, sum, sl->text ? sl->text : &none, &sl->bm,
	                    &why))) {
		char hex[GIT_OID_HEXSZ + 1];
		return la_err_set(&q->err, e, "%s: blob %s: %s", q->src_path,
		                  git_oid_tostr(hex, sizeof hex, &sl->blob), why.msg);
	}
	if (sl->bm.len == 0)
		sl->op = 'e';
	else if (!sum_pack(&sl->ps, sum))
		return la_err_set(&q->err, LA_ENOMEM, "out of memory");
	/* With search, the text's row of the search index prepared here (a
	 * slot's row keeps its buffer up to what its text keeps). */
	if (sl->text) {
		if (sl->fts.b.cap > SLOT_TEXT_KEEP) {
			msg_fts_row_free(&sl->fts);
			msg_fts_row_init(&sl->fts);
		}
		bool prep = sl->op == 'm' && ingest_prep_here(&q->h, q->size, q->prep_always);
		msg_fts_row_make(&sl->fts, &q->fts_scratch, q->stemmer,
		                 prep ? q->fts_cols : MSG_FTS_NONE, sum->subject, sum->from_name,
		                 sum->from_addr, sl->text);
	}
	return LA_OK;
}

static void *git_reader_main(void *arg)
{
	struct git_ring *q = arg;
	enum la_status e = LA_OK;
	git_repository *repo = NULL;
	git_odb *odb = NULL;
	/* The epoch's packs read with pread (libgit2 for what they do not
	 * hold): libgit2 never maps them. */
	struct gitpack *gp = packs_open(q->repo_path);
	struct msg_summary *sum = malloc(sizeof *sum);
	if (!sum)
		e = la_err_set(&q->err, LA_ENOMEM, "out of memory");
	else if (git_repository_open_ext(&repo, q->repo_path,
	                                 GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE,
	                                 NULL) != 0 ||
	         git_repository_odb(&odb, repo) != 0)
		e = la_err_set(&q->err, LA_EIO, "%s: %s", q->repo_path, git_msg());
	/* The commits are read GITPACK_AHEAD_MAX at a time: their trees
	 * looked up at once and read, then their blobs looked up at once and
	 * read into the ring's slots (gitpack_prefetch: one read of an .idx
	 * serves several ids, where each took one or two). */
	unsigned char *ids = malloc((size_t)GITPACK_AHEAD_MAX * GITPACK_OID);
	struct tree_read *tr = malloc((size_t)GITPACK_AHEAD_MAX * sizeof *tr);
	struct link *lk = malloc((size_t)GITPACK_AHEAD_MAX * sizeof *lk);
	if (!e && (!ids || !tr || !lk))
		e = la_err_set(&q->err, LA_ENOMEM, "out of memory");
	bool stopped = false;
	/* Commit k oldest first is the chain's link n - 1 - k. */
	for (size_t k = 0; k < q->n && !e && !stopped;) {
		size_t m = q->n - k < GITPACK_AHEAD_MAX ? q->n - k : GITPACK_AHEAD_MAX;
		for (size_t j = 0; j < m && !e; j++)
			e = chain_get(q->chain, q->n - 1 - (k + j), &lk[j], &q->err);
		struct la_err ignored = {0}; /* (not looked up ahead: one by one) */
		if (gp && !e) {
			for (size_t j = 0; j < m; j++)
				memcpy(ids + j * GITPACK_OID, lk[j].tree.id, GITPACK_OID);
			(void)gitpack_prefetch(gp, ids, m, &ignored);
		}
		for (size_t j = 0; j < m && !e; j++)
			e = read_tree(q, gp, odb, &lk[j], &tr[j]);
		if (gp && !e) {
			size_t nb = 0;
			for (size_t j = 0; j < m; j++)
				if (tr[j].op == 'm')
					memcpy(ids + nb++ * GITPACK_OID, tr[j].blob.id,
					       GITPACK_OID);
			(void)gitpack_prefetch(gp, ids, nb, &ignored);
		}
		size_t at;
		for (size_t j = 0; j < m && !e; j++) {
			if (!handoff_wait_put(&q->h, &at)) {
				stopped = true;
				break;
			}
			if ((e = read_link(q, gp, odb, &tr[j], &q->slot[at], sum)))
				break;
			handoff_put(&q->h);
		}
		k += m;
	}
	free(ids);
	free(tr);
	free(lk);
	/* (Read by the caller once the thread is joined.) */
	packs_note(&q->packs, gp);
	gitpack_free(gp);
	git_odb_free(odb);
	git_repository_free(repo);
	free(sum);
	q->status = e;
	handoff_finish(&q->h);
	return NULL;
}

/* The reader's ring set up for a chain of n commits (false: out of
 * memory; what was made is freed by ring_free). */
static bool ring_init(struct git_ring *q)
{
	q->size = q->o->search ? GIT_RING_SEARCH : GIT_RING_DEEP;
	/* (Tests make the ring small, so that a small inbox goes round it
	 * many times: LISTARC_TEST_GIT_RING=N.) */
	const char *t = getenv("LISTARC_TEST_GIT_RING");
	if (t && atoi(t) >= 2)
		q->size = (size_t)atoi(t);
	/* (No more slots than commits: a run of a few new messages.) */
	if (q->size > q->n)
		q->size = q->n < 2 ? 2 : q->n;
	handoff_init(&q->h, q->size);
	buf_init(&q->fts_scratch, MSG_FTS_ROW_MAX);
	q->slot = calloc(q->size, sizeof *q->slot);
	if (!q->slot)
		return false;
	if (!q->o->search)
		return true;
	q->text = calloc(q->size, sizeof *q->text);
	if (!q->text)
		return false;
	/* (NULL: each text makes its own, if it needs one) */
	q->stemmer = stemmer_new();
	for (size_t i = 0; i < q->size; i++) {
		msg_text_init(&q->text[i]);
		msg_text_lend_stemmer(&q->text[i], q->stemmer);
		q->slot[i].text = &q->text[i];
		msg_fts_row_init(&q->slot[i].fts);
	}
	return true;
}

static void ring_free(struct git_ring *q)
{
	for (size_t i = 0; q->text && i < q->size; i++)
		msg_text_free(&q->text[i]);
	for (size_t i = 0; q->slot && i < q->size; i++) {
		free(q->slot[i].ps.str);
		msg_fts_row_free(&q->slot[i].fts);
	}
	stemmer_free(q->stemmer);
	free(q->text);
	buf_free(&q->fts_scratch);
	free(q->slot);
	handoff_destroy(&q->h);
}

/* What the writer does with slot sl (its commit read). */
static enum la_status use_slot(struct walk *w, struct epoch *ep, git_odb *odb, struct git_slot *sl,
                               struct la_err *err)
{
	if (w->last_ts == 0) {
		/* The first message's date fallback: its commit's time (read
		 * from the packs as well: libgit2 would map them). */
		char rp[4200];
		gitpack_repo_path(rp, sizeof rp, w->src.path, ep->num);
		struct gitpack *gp = packs_open(rp);
		struct obj o;
		struct la_err ignored = {0};
		git_oid t, p;
		bool hp;
		int64_t ts = 0;
		if (obj_read(gp, odb, &sl->commit, &o, &ignored) == LA_OK) {
			parse_commit(o.data, o.size, &t, &p, &hp, &ts);
			obj_free(&o);
		}
		gitpack_free(gp);
		w->last_ts = ts;
	}
	if (sl->op == 'm') {
		sum_unpack(&sl->ps, w->sum);
		return add_parsed(w, ep->num, &sl->blob, &sl->bm, w->sum, sl->text, &sl->fts, err);
	}
	if (sl->op == 'd')
		return remove_blob(w, ep->num, &sl->blob, err);
	if (sl->op != 'g')
		return LA_OK;
	git_commit *c = NULL;
	enum la_status e;
	if (git_commit_lookup(&c, ep->repo, &sl->commit) != 0)
		e = la_err_set(err, LA_EIO, "%s: commit: %s", w->src.path, git_msg());
	else
		e = one_commit(w, ep->repo, ep->num, c, err);
	git_commit_free(c);
	return e;
}

/* The chain (newest first) indexed oldest first through the reader's
 * ring (the reader reads the chain meanwhile). */
static enum la_status walk_chain(struct walk *w, struct epoch *ep, git_odb *odb,
                                 struct chain *chain, struct la_err *err)
{
	size_t n = chain_count(chain);
	int hnum = ep->num < 0 ? 0 : ep->num;
	char rp[4200];
	gitpack_repo_path(rp, sizeof rp, w->src.path, ep->num);
	struct git_ring q = {.repo_path = rp,
	                     .src_path = w->src.path,
	                     .v2 = ep->num >= 0,
	                     .chain = chain,
	                     .n = n,
	                     .o = w->o,
	                     .fts_cols = w->o->search ? store_fts_cols(w->st) : MSG_FTS_NONE,
	                     .prep_always = ingest_prep_always()};
	pthread_t reader;
	bool started = false;
	enum la_status e = LA_OK;
	if (!ring_init(&q))
		e = la_err_set(err, LA_ENOMEM, "out of memory");
	else if (pthread_create(&reader, NULL, git_reader_main, &q) != 0)
		e = la_err_set(err, LA_ENOMEM, "cannot start a thread");
	else
		started = true;
	size_t k = 0, at;
	for (; !e && k < n && handoff_take(&q.h, &at); k++) {
		struct git_slot *sl = &q.slot[at];
		git_oid commit;
		git_oid_cpy(&commit, &sl->commit);
		e = use_slot(w, ep, odb, sl, err);
		handoff_release(&q.h);
		if (!e)
			e = batch_point(w, hnum, &commit, err);
	}
	if (started) {
		handoff_stop(&q.h);
		pthread_join(reader, NULL);
	}
	/* A reader that stopped early says why. */
	if (started)
		packs_add(&w->stats->packs, &q.packs);
	if (!e && k < n && q.status)
		e = la_err_set(err, q.status, "%s", q.err.msg);
	if (!e && k < n)
		e = la_err_set(err, LA_EIO, "%s: the chain was not read whole", w->src.path);
	ring_free(&q);
	return e;
}

/* ---- the next epoch's chain, collected while this one is written ----
 *
 * Without a commit-graph file, collecting an epoch's chain reads every
 * commit (about 30,000 instructions each, most of them inflating it), on
 * the writer's side before the epoch's first message can be written: a
 * 1 GB epoch's 300,000 commits would keep the writer waiting over a
 * second.  While an epoch is written, the next one's chain is collected
 * on a thread of its own, with a repository of its own (the reader
 * leaves the second core idle half the time), so that only the first
 * epoch's chain is waited for. */
struct chain_ahead {
	pthread_t thread;
	struct walk *w; /* read for src.path alone */
	struct epoch *ep;
	struct chain *chain; /* collect_chain's results */
	bool met;
	struct ingest_packs figs; /* added to the run's by chain_ahead_join */
	enum la_status e;
	struct la_err err;
};

static void *chain_ahead_main(void *arg)
{
	struct chain_ahead *a = arg;
	char rp[4200];
	gitpack_repo_path(rp, sizeof rp, a->w->src.path, a->ep->num);
	git_repository *repo = NULL;
	git_odb *odb = NULL;
	if (git_repository_open_ext(&repo, rp,
	                            GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE,
	                            NULL) != 0 ||
	    git_repository_odb(&odb, repo) != 0)
		a->e = la_err_set(&a->err, LA_EIO, "%s: %s", rp, git_msg());
	else
		a->e = collect_chain(a->w, a->ep, odb, &a->chain, &a->met, &a->figs, &a->err);
	git_odb_free(odb);
	git_repository_free(repo);
	return NULL;
}

/* Does epoch_walk read ep by the fast path (not up to date, not empty,
 * not rewritten)? */
static bool walks_fast(const struct epoch *ep)
{
	return !ep->rewritten && !ep->empty &&
	       !(ep->has_last && git_oid_equal(&ep->last, &ep->tip));
}

/* Starts collecting ep's chain ahead (nothing if it cannot: the chain is
 * then collected when ep is walked). */
static void chain_ahead_start(struct walk *w, struct epoch *ep)
{
	struct chain_ahead *a = calloc(1, sizeof *a);
	if (!a)
		return;
	a->w = w;
	a->ep = ep;
	if (pthread_create(&a->thread, NULL, chain_ahead_main, a) != 0) {
		free(a);
		return;
	}
	w->ahead = a;
}

/* Waits for the chain collected ahead, if any; true with its results
 * (*chain the caller's to free) if it was ep's. */
static bool chain_ahead_join(struct walk *w, const struct epoch *ep, struct chain **chain,
                             bool *met, enum la_status *e, struct la_err *err)
{
	struct chain_ahead *a = w->ahead;
	if (!a)
		return false;
	pthread_join(a->thread, NULL);
	w->ahead = NULL;
	packs_add(&w->stats->chain, &a->figs);
	bool ours = a->ep == ep;
	if (ours) {
		*chain = a->chain;
		*met = a->met;
		*e = a->e ? la_err_set(err, a->e, "%s", a->err.msg) : LA_OK;
	} else {
		chain_free(a->chain);
	}
	free(a);
	return ours;
}

/* The epoch's new commits by the fast path: *done false (nothing read)
 * if the first-parent chain does not meet the commit indexed last.  The
 * next epoch (NULL: none) has its chain collected meanwhile. */
static enum la_status epoch_walk_fast(struct walk *w, struct epoch *ep, struct epoch *next,
                                      bool *done, struct la_err *err)
{
	*done = false;
	git_odb *odb = NULL;
	if (git_repository_odb(&odb, ep->repo) != 0)
		return la_err_set(err, LA_EIO, "%s: %s", w->src.path, git_msg());
	struct chain *chain = NULL;
	bool met = false;
	enum la_status e = LA_OK;
	if (!chain_ahead_join(w, ep, &chain, &met, &e, err))
		e = collect_chain(w, ep, odb, &chain, &met, &w->stats->chain, err);
	if (!e && met) {
		if (next && walks_fast(next))
			chain_ahead_start(w, next);
		e = walk_chain(w, ep, odb, chain, err);
		*done = true;
	}
	if (chain) {
		struct chain_figs f;
		chain_figs(chain, &f);
		w->stats->chains.links += f.links;
		w->stats->chains.spooled += f.spooled;
		w->stats->chains.reads += f.reads;
		w->stats->chains.in_memory += f.spool_failed;
	}
	chain_free(chain);
	git_odb_free(odb);
	return e;
}

/* Records the epoch's tip as the commit indexed last. */
static enum la_status head_at_tip(struct walk *w, struct epoch *ep, struct la_err *err)
{
	char hex[GIT_OID_HEXSZ + 1];
	git_oid_tostr(hex, sizeof hex, &ep->tip);
	enum la_status e = store_git_head_set(w->st, w->src.id, ep->num < 0 ? 0 : ep->num, hex);
	return e ? la_err_set(err, e, "index: %s", store_errmsg(w->st)) : LA_OK;
}

/* The general path: libgit2's revwalk, first parents only, hiding the
 * commit indexed last and everything it reaches. */
static enum la_status epoch_walk_general(struct walk *w, struct epoch *ep, struct la_err *err)
{
	int hnum = ep->num < 0 ? 0 : ep->num;
	git_revwalk *rw = NULL;
	enum la_status e = LA_OK;
	if (git_revwalk_new(&rw, ep->repo) != 0 ||
	    git_revwalk_sorting(rw, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) != 0 ||
	    git_revwalk_push(rw, &ep->tip) != 0 ||
	    (ep->has_last && git_revwalk_hide(rw, &ep->last)))
		e = la_err_set(err, LA_EIO, "%s: walking: %s", w->src.path, git_msg());
	if (!e)
		git_revwalk_simplify_first_parent(rw);
	git_oid id;
	while (!e && git_revwalk_next(&id, rw) == 0) {
		git_commit *c;
		if (git_commit_lookup(&c, ep->repo, &id) != 0) {
			e = la_err_set(err, LA_EIO, "%s: commit: %s", w->src.path, git_msg());
			break;
		}
		if (w->last_ts == 0)
			w->last_ts = (int64_t)git_commit_time(c);
		e = one_commit(w, ep->repo, ep->num, c, err);
		git_commit_free(c);
		if (!e)
			e = batch_point(w, hnum, &id, err);
	}
	git_revwalk_free(rw);
	return e ? e : head_at_tip(w, ep, err);
}

static enum la_status epoch_walk(struct walk *w, struct epoch *ep, struct epoch *next,
                                 struct la_err *err)
{
	if (ep->rewritten)
		return epoch_resync(w, ep, err);
	if (!walks_fast(ep))
		return LA_OK;
	bool done = false;
	enum la_status e = epoch_walk_fast(w, ep, next, &done, err);
	if (!e && !done)
		return epoch_walk_general(w, ep, err);
	return e ? e : head_at_tip(w, ep, err);
}

enum la_status ingest_git(struct store *st, int64_t list_id, const char *path, bool v2,
                          const struct ingest_opts *o, struct ingest_stats *stats,
                          struct la_err *err)
{
	git_libgit2_init();
	/* Every object is read once: libgit2's object cache would only
	 * allocate and evict. */
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
	/* Nor is every object's SHA-1 computed again as it is read (git's
	 * own readers do not either: a pack's objects were checked when it
	 * was received, and zlib checks each one's bytes): it was a third of
	 * the reading (bench/gitread).  A message read wrong would still not
	 * reach a page: store/bytes.c checks its Message-ID. */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	struct walk w = {.st = st, .list_id = list_id, .o = o, .stats = stats};
	msg_text_init(&w.text);
	w.sum = malloc(sizeof *w.sum);
	int *nums = NULL;
	size_t n = 0;
	struct epoch *eps = NULL;
	enum la_status e = w.sum ? LA_OK : la_err_set(err, LA_ENOMEM, "out of memory");
	if (!e)
		e = store_begin_batch(st, err);
	if (e)
		goto out;
	if ((e = store_source_ensure(st, list_id, path, SOURCE_GIT, &w.src, err)) ||
	    (e = list_epochs(path, v2, &nums, &n, err)))
		goto out;
	eps = calloc(n ? n : 1, sizeof *eps);
	if (!eps) {
		e = la_err_set(err, LA_ENOMEM, "out of memory");
		goto out;
	}
	/* Every epoch is checked before any is read: a rewritten one stops
	 * the run with nothing of it indexed. */
	for (size_t i = 0; i < n && !e; i++) {
		eps[i].num = nums[i];
		e = epoch_open(&w, &eps[i], err);
	}
	w.last_ts = w.src.last_ts;
	/* Up to date (every epoch's tip is the commit indexed last): nothing
	 * to commit, and no write to sync (a no-op run costs the refs' reads
	 * alone, whatever the epochs' size). */
	bool todo = false;
	for (size_t i = 0; i < n; i++)
		todo |= eps[i].rewritten || !eps[i].has_last || eps[i].empty ||
		        !git_oid_equal(&eps[i].last, &eps[i].tip);
	for (size_t i = 0; i < n && !e && todo; i++)
		e = epoch_walk(&w, &eps[i], i + 1 < n ? &eps[i + 1] : NULL, err);
	w.src.last_ts = w.last_ts;
	if (!e && !todo)
		store_rollback(st);
	else if (!e && !(e = store_commit(st, &w.src, err)))
		w.uncommitted = 0;
out:
	/* (A chain collected ahead for an epoch not walked: a failure
	 * stopped the run.) */
	chain_ahead_join(&w, NULL, NULL, NULL, NULL, NULL);
	if (e) {
		store_rollback(st);
		/* What the last transaction held was not committed. */
		stats->messages -= w.uncommitted;
	}
	for (size_t i = 0; eps && i < n; i++)
		git_repository_free(eps[i].repo);
	free(eps);
	free(nums);
	free(w.sum);
	msg_text_free(&w.text);
	git_libgit2_shutdown();
	return e;
}
