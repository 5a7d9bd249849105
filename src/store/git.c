/* git.c: public-inbox git sources: the last commit indexed per
 * repository, messages removed from one (410), a message's bytes (its
 * blob, read from the packs by gitpack.c; what they do not hold, with
 * libgit2 by gitrepo.c). */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/gitpack.h"
#include "store/gitref.h"
#include "store/store_int.h"
#include "util/hex.h"
#include "util/io.h"

static bool is_oid_hex(const char *s)
{
	return s && strlen(s) == 2 * GITPACK_OID &&
	       strspn(s, "0123456789abcdef") == 2 * GITPACK_OID;
}

const char *st_git_file_oid(const char *file, int *epoch)
{
	*epoch = -1;
	if (!file)
		return NULL;
	size_t k = strspn(file, "0123456789");
	if (k > 0 && k <= 6 && file[k] == '/') {
		*epoch = atoi(file);
		file += k + 1;
	}
	return is_oid_hex(file) ? file : NULL;
}

/* The packs of the last KEPT_PACKS repositories a store read a blob from
 * stay open (if they are at most GITPACK_PAGE_PACKS), with a cache of
 * GITPACK_PAGE_CACHE bytes of delta bases each: opening them is a directory read and three system
 * calls a pack, and the next message's chain mostly shares its bases (a crawler's walk, `listarc
 * get --batch`, a thread page).  A store is one thread's (the server's render threads have one
 * each), and so are its packs. Packs are never written in place: a repository repacked since (its
 * objects/pack directory changed) is opened again, and until then what
 * the packs kept do not hold is read by libgit2. */
#define KEPT_PACKS 2

struct st_kept_packs {
	struct kept {
		char *rp; /* the repository's path (NULL: a free slot) */
		struct gitpack *gp;
		struct stat dir; /* its objects/pack directory when opened */
		uint64_t used;
	} k[KEPT_PACKS];
	uint64_t clock;
};

static void kept_close(struct kept *k)
{
	free(k->rp);
	gitpack_free(k->gp);
	*k = (struct kept){0};
}

void st_git_packs_free(struct store *st)
{
	if (!st->kept_packs)
		return;
	for (size_t i = 0; i < KEPT_PACKS; i++)
		kept_close(&st->kept_packs->k[i]);
	free(st->kept_packs);
	st->kept_packs = NULL;
}

/* The packs of the repository at rp, kept by st, or (*once: more than
 * GITPACK_PAGE_PACKS of them) opened for the caller to free after one
 * read.  NULL: it has none, or out of memory. */
static struct gitpack *kept_packs(struct store *st, const char *rp, bool *once)
{
	*once = false;
	char dir[4300];
	struct stat sb;
	if (snprintf(dir, sizeof dir, "%s/objects/pack", rp) >= (int)sizeof dir ||
	    stat(dir, &sb) != 0)
		return NULL;
	if (!st->kept_packs && !(st->kept_packs = calloc(1, sizeof *st->kept_packs)))
		return NULL;
	struct st_kept_packs *kp = st->kept_packs;
	struct kept *slot = NULL;
	for (size_t i = 0; i < KEPT_PACKS && !slot; i++)
		if (kp->k[i].rp && strcmp(kp->k[i].rp, rp) == 0)
			slot = &kp->k[i];
	if (slot && slot->dir.st_ino == sb.st_ino && slot->dir.st_dev == sb.st_dev &&
	    slot->dir.st_mtim.tv_sec == sb.st_mtim.tv_sec &&
	    slot->dir.st_mtim.tv_nsec == sb.st_mtim.tv_nsec) {
		slot->used = ++kp->clock;
		return slot->gp;
	}
	/* A repository repacked since: its packs of before let go. */
	if (slot)
		kept_close(slot);
	struct gitpack *gp = NULL;
	struct la_err ignored = {0};
	if (gitpack_new(&gp, GITPACK_PAGE_CACHE, &ignored) || gitpack_add_dir(gp, rp, &ignored)) {
		gitpack_free(gp);
		return NULL;
	}
	if (gitpack_count(gp) > GITPACK_PAGE_PACKS) {
		/* (Too many descriptors to keep: the caller's for this blob.) */
		*once = true;
		return gp;
	}
	/* Kept in that slot, or a free one, or the one used longest ago. */
	for (size_t i = 0; i < KEPT_PACKS && !slot; i++)
		if (!kp->k[i].rp)
			slot = &kp->k[i];
	for (size_t i = 0; i < KEPT_PACKS && !slot; i++)
		if (i == 0 || kp->k[i].used < slot->used)
			slot = &kp->k[i];
	char *copy = strdup(rp);
	if (!slot || !copy) {
		free(copy);
		*once = true;
		return gp;
	}
	kept_close(slot);
	slot->rp = copy;
	slot->gp = gp;
	slot->dir = sb;
	slot->used = ++kp->clock;
	return gp;
}

/* A copy of blob `file` of the inbox at path, read from its packs, in an
 * unnamed file in memory (its size in *size), or -1 (not in the packs, or
 * not readable from them: corrupt, too big). */
static int blob_from_packs(struct store *st, const char *path, const char *file, uint64_t *size)
{
	int epoch;
	const char *hex = st_git_file_oid(file, &epoch);
	char rp[4200];
	unsigned char id[GITPACK_OID];
	if (!gitpack_enabled() || !hex || !gitpack_repo_path(rp, sizeof rp, path, epoch) ||
	    !hex_decode(hex, GITPACK_OID, id))
		return -1;
	bool once;
	struct gitpack *gp = kept_packs(st, rp, &once);
	struct gitpack_obj o = {0};
	struct la_err ignored = {0};
	int fd = -1;
	if (gp && gitpack_read(gp, id, &o, &ignored) == LA_OK && o.type == GITPACK_BLOB &&
	    (fd = memfd_create("listarc-blob", MFD_CLOEXEC)) >= 0) {
		if (io_write_all(fd, o.data, o.size) == LA_OK) {
			*size = o.size;
		} else {
			close(fd);
			fd = -1;
		}
	}
	gitpack_obj_free(&o);
	if (once)
		gitpack_free(gp);
	return fd;
}

int st_git_blob_fd(struct store *st, const char *path, const char *file, uint64_t *size)
{
	int fd = blob_from_packs(st, path, file, size);
	return fd >= 0 ? fd : store_git_blob_open(path, file, size);
}

enum la_status store_git_head_get(struct store *st, int64_t source_id, int epoch, char *hex,
                                  size_t n)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(
		st->db, "SELECT head FROM git_heads WHERE source_id = ?1 AND epoch = ?2", -1, &s,
		NULL);
	if (rc != SQLITE_OK)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, source_id);
	sqlite3_bind_int(s, 2, epoch);
	rc = sqlite3_step(s);
	enum la_status e = LA_ENOTFOUND;
	if (rc == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(s, 0);
		snprintf(hex, n, "%s", h ? h : "");
		e = LA_OK;
	} else if (rc != SQLITE_DONE) {
		e = st_error(rc);
	}
	sqlite3_finalize(s);
	if (e == LA_ENOTFOUND && n)
		hex[0] = '\0';
	return e;
}

enum la_status store_git_head_set(struct store *st, int64_t source_id, int epoch, const char *hex)
{
	if (!is_oid_hex(hex))
		return LA_EINVAL;
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(
		st->db,
		"INSERT INTO git_heads(source_id, epoch, head) VALUES(?1, ?3, ?2)"
		" ON CONFLICT(source_id, epoch) DO UPDATE SET head = excluded.head",
		-1, &s, NULL);
	if (rc != SQLITE_OK)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, source_id);
	sqlite3_bind_text(s, 2, hex, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, epoch);
	rc = st_step_done(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

enum la_status store_msg_remove(struct store *st, int64_t source_id, const char *file, int *removed,
                                struct la_err *err)
{
	*removed = 0;
	int epoch;
	if (!st_git_file_oid(file, &epoch))
		return la_err_set(err, LA_EINVAL, "index: %s: not a blob id", file);
	/* The writer's caches count messages per Message-ID and day: written
	 * out first, then dropped, so that nothing overwrites what follows. */
	enum la_status e = st_write_caches_sync(st);
	if (e)
		return la_err_set(err, e, "index: writing: %s", sqlite3_errmsg(st->db));
	char sql[2048];
	/* No index on (source_id, file): removals are rare, and every
	 * message added would pay for one. */
	const char *which = "source_id = %lld AND file = '%s'";
	char cond[160];
	snprintf(cond, sizeof cond, which, (long long)source_id, file);
	snprintf(
		sql, sizeof sql,
		"CREATE TEMP TABLE IF NOT EXISTS rm(id INTEGER PRIMARY KEY, mid INTEGER,"
		" list_id INTEGER, day INTEGER, num INTEGER, thread INTEGER);"
		"DELETE FROM temp.rm;"
		"INSERT INTO temp.rm SELECT id, mid, list_id, day, num, thread FROM messages WHERE %s;"
		"UPDATE mids SET msgs = max(0, msgs - (SELECT count(*) FROM temp.rm"
		" WHERE temp.rm.mid = mids.id)) WHERE id IN (SELECT mid FROM temp.rm);"
		"INSERT OR IGNORE INTO gone(list_id, day, num) SELECT list_id, day, num FROM temp.rm;"
		"UPDATE days SET count = count - (SELECT count(*) FROM temp.rm r"
		" WHERE r.list_id = days.list_id AND r.day = days.day)"
		" WHERE (list_id, day) IN (SELECT list_id, day FROM temp.rm);"
		"DELETE FROM patchids WHERE id IN (SELECT id FROM temp.rm);"
		"DELETE FROM trailers WHERE id IN (SELECT id FROM temp.rm);"
		/* Its series lose it (an emptied one goes: no page lists it). */
		"CREATE TEMP TABLE IF NOT EXISTS rms(id INTEGER PRIMARY KEY);"
		"DELETE FROM temp.rms;"
		"INSERT OR IGNORE INTO temp.rms SELECT series FROM series_msgs"
		" WHERE id IN (SELECT id FROM temp.rm);"
		"INSERT OR IGNORE INTO series_gone(series, mid) SELECT sm.series, r.mid"
		" FROM series_msgs sm JOIN temp.rm r ON r.id = sm.id;"
		"DELETE FROM series_msgs WHERE id IN (SELECT id FROM temp.rm);"
		"UPDATE series SET cover = NULL WHERE cover IN (SELECT id FROM temp.rm);"
		"DELETE FROM temp.rms WHERE id IN (SELECT series FROM series_msgs);"
		/* A series gone: the walks that held it are not kept by
	         * name; the commit's refresh makes every walk again. */
		"UPDATE meta SET value = '0' WHERE key = 'series_walk'"
		" AND EXISTS (SELECT 1 FROM temp.rms);"
		"DELETE FROM series_state WHERE id IN (SELECT id FROM temp.rms);"
		"DELETE FROM series_gone WHERE series IN (SELECT id FROM temp.rms);"
		"DELETE FROM series WHERE id IN (SELECT id FROM temp.rms);"
		"DELETE FROM messages WHERE id IN (SELECT id FROM temp.rm);",
		cond);
	int rc = st_exec(st, sql);
	if (rc != SQLITE_OK)
		return st_fail(st, rc, err, "remove message");
	*removed = sqlite3_changes(st->db);
	/* The state of the series of its thread changes (series.c). */
	sqlite3_stmt *s = NULL;
	rc = sqlite3_prepare_v2(st->db, "SELECT DISTINCT thread FROM temp.rm", -1, &s, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		e = series_dirty_thread(st, sqlite3_column_int64(s, 0));
		rc = e ? SQLITE_NOMEM : SQLITE_OK;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return st_fail(st, rc, err, "remove message");
	return LA_OK;
}

enum la_status store_git_files(struct store *st, int64_t source_id, int epoch,
                               bool (*fn)(const char *file, void *arg), void *arg)
{
	char prefix[16];
	snprintf(prefix, sizeof prefix, "%d/", epoch);
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(
		st->db,
		"SELECT DISTINCT file FROM messages WHERE source_id = ?1"
		" AND file IS NOT NULL AND (?2 = '' OR substr(file, 1, ?3) = ?2)",
		-1, &s, NULL);
	if (rc != SQLITE_OK)
		return LA_EDB;
	sqlite3_bind_int64(s, 1, source_id);
	sqlite3_bind_text(s, 2, epoch < 0 ? "" : prefix, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 3, (int)strlen(prefix));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *f = (const char *)sqlite3_column_text(s, 0);
		if (f && !fn(f, arg)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? LA_OK : st_error(rc);
}

enum la_status store_msg_gone(struct store *st, int64_t list_id, int day, int num, bool *gone)
{
	*gone = false;
	sqlite3_stmt *s;
	/* An index made before the table has no removed messages. */
	int rc = sqlite3_prepare_v2(
		st->db, "SELECT 1 FROM gone WHERE list_id = ?1 AND day = ?2 AND num = ?3", -1, &s,
		NULL);
	if (rc != SQLITE_OK)
		return LA_OK;
	sqlite3_bind_int64(s, 1, list_id);
	sqlite3_bind_int(s, 2, day);
	sqlite3_bind_int(s, 3, num);
	rc = sqlite3_step(s);
	*gone = rc == SQLITE_ROW;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? LA_OK : LA_EDB;
}

/* ---- how far the index is behind its mirrors (/healthz) ----
 *
 * Each epoch's HEAD read from its files (gitref.h), not through
 * libgit2: a health check opens no repository. */

struct status_walk {
	struct store *st;
	const char *list;
	store_git_status_fn fn;
	void *arg;
	enum la_status e;
};

static void status_epoch(struct status_walk *w, const struct store_source *s, int epoch)
{
	char rp[4200];
	gitpack_repo_path(rp, sizeof rp, s->path, epoch);
	char head[2 * GITREF_OID + 1] = "", indexed[2 * GITREF_OID + 1] = "";
	unsigned char id[GITREF_OID];
	struct la_err ignored = {0};
	if (gitref_head(rp, id, &ignored) == LA_OK)
		hex_encode(id, GITREF_OID, head);
	enum la_status e =
		store_git_head_get(w->st, s->id, epoch < 0 ? 0 : epoch, indexed, sizeof indexed);
	if (e && e != LA_ENOTFOUND)
		w->e = e;
	w->fn(w->list, s->path, epoch, head, indexed, w->arg);
}

static bool status_source(const struct store_source *s, void *arg)
{
	struct status_walk *w = arg;
	if (s->kind != SOURCE_GIT)
		return true;
	char gdir[4200];
	snprintf(gdir, sizeof gdir, "%s/git", s->path);
	DIR *d = opendir(gdir);
	if (!d) {
		status_epoch(w, s, -1); /* v1: the repository itself */
		return true;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t k = strspn(de->d_name, "0123456789");
		if (k == 0 || k > 6 || strcmp(de->d_name + k, ".git") != 0)
			continue;
		status_epoch(w, s, atoi(de->d_name));
	}
	closedir(d);
	return true;
}

static bool status_list(const struct store_list_info *l, void *arg)
{
	struct status_walk *w = arg;
	w->list = l->name;
	enum la_status e = store_sources(w->st, l->id, status_source, w);
	if (e)
		w->e = e;
	return true;
}

enum la_status store_git_status(struct store *st, store_git_status_fn fn, void *arg)
{
	struct status_walk w = {st, NULL, fn, arg, LA_OK};
	enum la_status e = store_lists(st, status_list, &w);
	return e ? e : w.e;
}
