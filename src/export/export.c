/* export.c: a list written out as a public-inbox v2 inbox (export.h says
 * what the inbox holds).  Messages go out in batches: the batch's
 * objects are made in memory (libgit2's mempack), the batch and what it
 * exports are recorded in INBOX/listarc-export.sqlite3 (not done), the
 * objects are written as one pack, the epoch's master is moved from the
 * batch's first parent to its last commit (compare-and-swap), the dumb
 * HTTP files are rewritten, and the batch is marked done.  A run finding
 * a batch not done looks at the ref: at the batch's tip, the batch is
 * whole (marked done); at its parent, it never happened (its rows are
 * deleted, and its messages exported again); anywhere else, someone
 * else wrote to the inbox (LA_ECHANGED). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "export/export.h"
#include "msg/msg.h"
#include "util/buf.h"
#include "util/io.h"
#include "util/vec.h"

#define REF_MASTER "refs/heads/master"
#define PATH_BYTES 4200

/* One row of the export's log: what a batch did to one message of the
 * archive, known by its URL (day, number), which never changes.  op 'm':
 * written (epoch, blob); 'd': taken out again; 's': skipped (hidden when
 * its turn came).  A message's state is its newest row. */
struct event {
	int day, num;
	int64_t msg;
	char op;
	int epoch;
	char blob[GIT_OID_HEXSZ + 1];
	uint64_t bytes;
};

struct exporter {
	struct store *st;
	int64_t list_id;
	const char *list;
	const struct export_opts *o;
	struct export_stats *stats;
	struct la_err *err;
	sqlite3 *db;
	int lockfd;
	uint64_t epoch_max_bytes;
	unsigned batch_max;

	/* The epoch written to. */
	int epoch;
	git_repository *repo;
	git_odb_backend *mempack;
	git_oid tip; /* master of the epoch as the batch leaves it */
	bool has_tip;
	uint64_t epoch_bytes; /* message bytes in the epoch */

	/* The archive's changes read up to here (positions), and where this
	 * run's reconciling read them up to (recorded with its last batch). */
	int64_t hide_pos, gone_n;
	int64_t new_hide_pos, new_gone_n;
	bool pos_pending;

	/* The batch under way. */
	git_oid prev;
	bool has_prev;
	unsigned commits;
	struct event *ev;
	size_t nev, capev;

	struct msg_summary *sum;
	struct buf raw, text;
};

static const char *git_msg(void)
{
	const git_error *g = git_error_last();
	return g && g->message ? g->message : "unknown libgit2 error";
}

static enum la_status git_fail(struct exporter *x, const char *what)
{
	return la_err_set(x->err, LA_EIO, "%s: %s: %s", x->o->inbox, what, git_msg());
}

static enum la_status db_fail(struct exporter *x, const char *what)
{
	return la_err_set(x->err, LA_EDB, "%s/listarc-export.sqlite3: %s: %s", x->o->inbox, what,
	                  sqlite3_errmsg(x->db));
}

/* ---- files ---- */

static enum la_status mkdirs(const char *path, struct la_err *err)
{
	char p[PATH_BYTES];
	if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p)
		return la_err_set(err, LA_EINVAL, "%s: path too long", path);
	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == 0) {
			char c = *s;
			*s = 0;
			if (mkdir(p, 0755) != 0 && errno != EEXIST)
				return la_err_set(err, LA_EIO, "mkdir %s: %s", p, strerror(errno));
			*s = c;
			if (!c)
				break;
		}
	}
	return LA_OK;
}

/* Writes path whole: a temporary file beside it, renamed; synced first
 * unless it is made again by every run (sync false: the dumb HTTP files,
 * the description). */
static enum la_status write_file_sync(const char *path, const char *data, size_t n, bool replace,
                                      bool sync, struct la_err *err)
{
	if (!replace && access(path, F_OK) == 0)
		return LA_OK;
	char tmp[PATH_BYTES + 16];
	snprintf(tmp, sizeof tmp, "%s.tmp%d", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return la_err_set(err, LA_EIO, "%s: %s", tmp, strerror(errno));
	enum la_status e = io_write_all(fd, data, n);
	if (!e && sync && fsync(fd) != 0)
		e = LA_EIO;
	if (close(fd) != 0 && !e)
		e = LA_EIO;
	if (!e && rename(tmp, path) != 0)
		e = LA_EIO;
	if (e) {
		unlink(tmp);
		return la_err_set(err, e, "%s: %s", path, strerror(errno));
	}
	return LA_OK;
}

static enum la_status write_file(const char *path, const char *data, size_t n, bool replace,
                                 struct la_err *err)
{
	return write_file_sync(path, data, n, replace, true, err);
}

/* A bare repository as public-inbox's init_bare makes one (HEAD, config,
 * objects/info, refs/heads), the config of an epoch including all.git's. */
static enum la_status init_bare(const char *dir, bool epoch, struct la_err *err)
{
	static const char config[] = "[core]\n"
				     "\trepositoryFormatVersion = 0\n"
				     "\tfilemode = true\n"
				     "\tbare = true\n"
				     "[repack]\n"
				     "\twriteBitmaps = true\n";
	static const char include[] = "[include]\n"
				      "\tpath = ../../all.git/config\n";
	char p[PATH_BYTES];
	enum la_status e;
	snprintf(p, sizeof p, "%s/objects/info", dir);
	if ((e = mkdirs(p, err)))
		return e;
	snprintf(p, sizeof p, "%s/objects/pack", dir);
	if ((e = mkdirs(p, err)))
		return e;
	snprintf(p, sizeof p, "%s/refs/heads", dir);
	if ((e = mkdirs(p, err)))
		return e;
	snprintf(p, sizeof p, "%s/HEAD", dir);
	static const char head[] = "ref: " REF_MASTER "\n";
	if ((e = write_file(p, head, sizeof head - 1, false, err)))
		return e;
	char cfg[sizeof config + sizeof include];
	snprintf(cfg, sizeof cfg, "%s%s", config, epoch ? include : "");
	snprintf(p, sizeof p, "%s/config", dir);
	return write_file(p, cfg, strlen(cfg), false, err);
}

static int cmp_desc(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x < y) - (x > y);
}

/* all.git, whose alternates name every epoch's objects, newest first (as
 * public-inbox's fill_alternates orders them). */
static enum la_status fill_alternates(const char *inbox, struct la_err *err)
{
	char p[PATH_BYTES];
	snprintf(p, sizeof p, "%s/all.git", inbox);
	enum la_status e = init_bare(p, false, err);
	if (e)
		return e;
	snprintf(p, sizeof p, "%s/git", inbox);
	DIR *d = opendir(p);
	if (!d)
		return la_err_set(err, LA_EIO, "%s: %s", p, strerror(errno));
	int *ep = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t k = strspn(de->d_name, "0123456789");
		if (k == 0 || k > 6 || strcmp(de->d_name + k, ".git") != 0)
			continue;
		if (!vec_reserve(&ep, &cap, n + 1, sizeof *ep)) {
			closedir(d);
			free(ep);
			return la_err_set(err, LA_ENOMEM, "out of memory");
		}
		ep[n++] = atoi(de->d_name);
	}
	closedir(d);
	qsort(ep, n, sizeof *ep, cmp_desc);
	struct buf b;
	buf_init(&b, 1 << 20);
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "../../git/%d.git/objects\n", ep[i]);
	free(ep);
	snprintf(p, sizeof p, "%s/all.git/objects/info/alternates", inbox);
	e = b.err ? la_err_set(err, b.err, "out of memory")
	          : write_file(p, b.data ? b.data : "", b.len, true, err);
	buf_free(&b);
	return e;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Where a retired pack's marker is: GITDIR/listarc-retired/pack-HEX,
 * outside objects/ (git counts unknown files in objects/pack as garbage)
 * and outside what the server lets clients fetch. */
#define RETIRED_DIR "listarc-retired"

/* Whether the pack "pack-HEX.EXT" (stem: the length of "pack-HEX") of
 * epoch gitdir is retired: a repack rolled it into another and left it
 * for clients that may still fetch it (see repack_epoch). */
static bool retired_pack(const char *gitdir, const char *file, size_t stem)
{
	char f[PATH_BYTES + 300];
	snprintf(f, sizeof f, "%s/" RETIRED_DIR "/%.*s", gitdir, (int)stem, file);
	return access(f, F_OK) == 0;
}

/* objects/info/packs (every pack with its index, but the retired ones)
 * and info/refs, as git update-server-info writes them. */
enum la_status export_server_info(const char *gitdir, struct la_err *err)
{
	char p[PATH_BYTES];
	snprintf(p, sizeof p, "%s/objects/pack", gitdir);
	struct buf b;
	buf_init(&b, 16 << 20);
	char **names = NULL;
	size_t n = 0, cap = 0;
	enum la_status e = LA_OK;
	DIR *d = opendir(p);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d)) && !e) {
			size_t l = strlen(de->d_name);
			if (l < 10 || strncmp(de->d_name, "pack-", 5) != 0 ||
			    strcmp(de->d_name + l - 5, ".pack") != 0)
				continue;
			/* Only packs with their index: one being written has none yet. */
			char idx[PATH_BYTES + 300];
			snprintf(idx, sizeof idx, "%s/%.*s.idx", p, (int)(l - 5), de->d_name);
			if (access(idx, R_OK) != 0 || retired_pack(gitdir, de->d_name, l - 5))
				continue;
			if (!vec_reserve(&names, &cap, n + 1, sizeof *names) ||
			    !(names[n] = strdup(de->d_name)))
				e = la_err_set(err, LA_ENOMEM, "out of memory");
			else
				n++;
		}
		closedir(d);
	}
	qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		buf_printf(&b, "P %s\n", names[i]);
		free(names[i]);
	}
	free(names);
	buf_addc(&b, '\n');
	snprintf(p, sizeof p, "%s/objects/info/packs", gitdir);
	if (!e)
		e = b.err ? la_err_set(err, b.err, "out of memory")
		          : write_file_sync(p, b.data, b.len, true, false, err);
	if (e) {
		buf_free(&b);
		return e;
	}

	buf_reset(&b);
	git_repository *repo = NULL;
	git_reference_iterator *it = NULL;
	git_reference *ref;
	if (git_repository_open_bare(&repo, gitdir) != 0 ||
	    git_reference_iterator_glob_new(&it, repo, "refs/*") != 0) {
		e = la_err_set(err, LA_EIO, "%s: %s", gitdir, git_msg());
		goto out;
	}
	while (git_reference_next(&ref, it) == 0) {
		git_reference *res = NULL;
		if (git_reference_resolve(&res, ref) == 0) {
			char hex[GIT_OID_HEXSZ + 1];
			git_oid_tostr(hex, sizeof hex, git_reference_target(res));
			buf_printf(&b, "%s\t%s\n", hex, git_reference_name(ref));
		}
		git_reference_free(res);
		git_reference_free(ref);
	}
	snprintf(p, sizeof p, "%s/info", gitdir);
	if (!(e = mkdirs(p, err))) {
		snprintf(p, sizeof p, "%s/info/refs", gitdir);
		e = b.err ? la_err_set(err, b.err, "out of memory")
		          : write_file_sync(p, b.data ? b.data : "", b.len, true, false, err);
	}
out:
	git_reference_iterator_free(it);
	git_repository_free(repo);
	buf_free(&b);
	return e;
}

/* ---- the export's own record ---- */

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=NORMAL;"
	"CREATE TABLE IF NOT EXISTS batches(id INTEGER PRIMARY KEY, epoch INTEGER NOT NULL,"
	" prev TEXT NOT NULL, tip TEXT NOT NULL, done INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS events(id INTEGER PRIMARY KEY, batch INTEGER NOT NULL,"
	" day INTEGER NOT NULL, num INTEGER NOT NULL, msg INTEGER NOT NULL, op TEXT NOT NULL,"
	" epoch INTEGER NOT NULL, blob TEXT NOT NULL, bytes INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS events_key ON events(day, num, id);"
	"CREATE INDEX IF NOT EXISTS events_msg ON events(msg);"
	"CREATE INDEX IF NOT EXISTS events_batch ON events(batch);"
	/* Where the archive's changes were read up to (the hide log's last
         * entry, the number of removed messages), recorded with the batch
         * that ends a run's reconciling: undone with it. */
	"CREATE TABLE IF NOT EXISTS positions(batch INTEGER PRIMARY KEY,"
	" hide_log INTEGER NOT NULL, gone INTEGER NOT NULL);"
	/* The bytes of messages in the batch's epoch once it is written (so
         * that a run need not add up the epoch's events). */
	"CREATE TABLE IF NOT EXISTS epoch_sizes(batch INTEGER PRIMARY KEY, epoch INTEGER NOT NULL,"
	" bytes INTEGER NOT NULL);";

static enum la_status db_exec(struct exporter *x, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(x->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		enum la_status e = la_err_set(x->err, LA_EDB, "%s/listarc-export.sqlite3: %s",
		                              x->o->inbox, msg ? msg : "?");
		sqlite3_free(msg);
		return e;
	}
	return LA_OK;
}

/* A 64-bit answer of one statement with one integer parameter (or none:
 * a < 0), or dflt if there is no row or it is NULL. */
static int64_t db_int(struct exporter *x, const char *sql, int64_t a, int64_t dflt)
{
	sqlite3_stmt *s = NULL;
	int64_t v = dflt;
	if (sqlite3_prepare_v2(x->db, sql, -1, &s, NULL) == SQLITE_OK) {
		if (a >= 0)
			sqlite3_bind_int64(s, 1, a);
		if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
			v = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	return v;
}

/* ---- epochs ---- */

static void epoch_dir(char *out, size_t n, const char *inbox, int epoch)
{
	snprintf(out, n, "%s/git/%d.git", inbox, epoch);
}

/* The epoch's master into *oid (false if it has none). */
static bool read_master(git_repository *repo, git_oid *oid)
{
	return git_reference_name_to_id(oid, repo, REF_MASTER) == 0;
}

static void close_epoch(struct exporter *x)
{
	/* The mempack belongs to the odb once added; the repository frees it. */
	git_repository_free(x->repo);
	x->repo = NULL;
	x->mempack = NULL;
}

/* Opens epoch as the one written to (made if new), objects going to
 * memory until the batch is flushed. */
static enum la_status open_epoch(struct exporter *x, int epoch)
{
	close_epoch(x);
	char dir[PATH_BYTES];
	epoch_dir(dir, sizeof dir, x->o->inbox, epoch);
	enum la_status e = init_bare(dir, true, x->err);
	if (!e)
		e = fill_alternates(x->o->inbox, x->err);
	if (e)
		return e;
	git_odb *odb = NULL;
	if (git_repository_open_bare(&x->repo, dir) != 0 || git_repository_odb(&odb, x->repo) != 0)
		return git_fail(x, "opening an epoch");
	if (git_mempack_new(&x->mempack) != 0 || git_odb_add_backend(odb, x->mempack, 999) != 0) {
		git_odb_free(odb);
		return git_fail(x, "an in-memory object store");
	}
	git_odb_free(odb);
	x->epoch = epoch;
	x->has_tip = read_master(x->repo, &x->tip);
	/* As the newest batch written in it left it; an export made before
	 * epoch_sizes adds up its events. */
	int64_t b = db_int(x,
	                   "SELECT s.bytes FROM epoch_sizes s JOIN batches b ON b.id = s.batch"
	                   " AND b.done = 1 WHERE s.epoch = ?1 ORDER BY s.batch DESC LIMIT 1",
	                   epoch, -1);
	if (b < 0)
		b = db_int(x, "SELECT sum(bytes) FROM events WHERE epoch = ?1 AND op = 'm'", epoch,
		           0);
	x->epoch_bytes = (uint64_t)b;
	return LA_OK;
}

/* ---- a killed run's batch ---- */

static enum la_status undo_batch(struct exporter *x, int64_t id)
{
	char sql[320];
	snprintf(sql, sizeof sql,
	         "BEGIN IMMEDIATE; DELETE FROM events WHERE batch = %lld;"
	         " DELETE FROM positions WHERE batch = %lld;"
	         " DELETE FROM epoch_sizes WHERE batch = %lld;"
	         " DELETE FROM batches WHERE id = %lld; COMMIT;",
	         (long long)id, (long long)id, (long long)id, (long long)id);
	return db_exec(x, sql);
}

/* The master of epoch as 40 hex digits into have ("" if none). */
static void epoch_master(struct exporter *x, int epoch, char have[GIT_OID_HEXSZ + 1])
{
	char dir[PATH_BYTES];
	epoch_dir(dir, sizeof dir, x->o->inbox, epoch);
	git_repository *repo = NULL;
	git_oid oid;
	have[0] = 0;
	if (git_repository_open_bare(&repo, dir) == 0 && read_master(repo, &oid))
		git_oid_tostr(have, GIT_OID_HEXSZ + 1, &oid);
	git_repository_free(repo);
}

/* What a killed writer leaves in the epochs: a ref's lock file (git and
 * libgit2 refuse to move a ref while it is there) and a pack half
 * written.  Only writers holding inbox.lock make them, and we hold it. */
static void clear_stale(struct exporter *x)
{
	char p[PATH_BYTES];
	snprintf(p, sizeof p, "%s/git", x->o->inbox);
	DIR *d = opendir(p);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t k = strspn(de->d_name, "0123456789");
		if (k == 0 || k > 6 || strcmp(de->d_name + k, ".git") != 0)
			continue;
		char f[PATH_BYTES + 300];
		snprintf(f, sizeof f, "%s/%s/refs/heads/master.lock", p, de->d_name);
		unlink(f);
		snprintf(f, sizeof f, "%s/%s/packed-refs.lock", p, de->d_name);
		unlink(f);
		snprintf(f, sizeof f, "%s/%s/objects/pack", p, de->d_name);
		DIR *pd = opendir(f);
		struct dirent *pe;
		while (pd && (pe = readdir(pd))) {
			if (strncmp(pe->d_name, "pack_git2_", 10) != 0 &&
			    !strstr(pe->d_name, ".lock"))
				continue;
			char g[PATH_BYTES + 600];
			snprintf(g, sizeof g, "%s/%s", f, pe->d_name);
			unlink(g);
		}
		if (pd)
			closedir(pd);
	}
	closedir(d);
}

/* Settles every batch not marked done (see the top of the file), then
 * checks that each epoch's master is where the last batch left it. */
static enum la_status recover(struct exporter *x)
{
	sqlite3_stmt *s = NULL;
	enum la_status e = LA_OK;
	clear_stale(x);
	if (sqlite3_prepare_v2(
		    x->db, "SELECT id, epoch, prev, tip FROM batches WHERE done = 0 ORDER BY id",
		    -1, &s, NULL) != SQLITE_OK)
		return db_fail(x, "reading batches");
	while (!e && sqlite3_step(s) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		int epoch = sqlite3_column_int(s, 1);
		const char *prev = (const char *)sqlite3_column_text(s, 2);
		const char *tip = (const char *)sqlite3_column_text(s, 3);
		char have[GIT_OID_HEXSZ + 1];
		epoch_master(x, epoch, have);
		if (!prev || !tip) {
			e = db_fail(x, "a batch without its commits");
		} else if (!strcmp(have, tip)) {
			char sql[96];
			snprintf(sql, sizeof sql, "UPDATE batches SET done = 1 WHERE id = %lld",
			         (long long)id);
			e = db_exec(x, sql);
			x->stats->resumed++;
		} else if (!strcmp(have, prev)) {
			e = undo_batch(x, id);
			x->stats->resumed++;
		} else {
			e = la_err_set(
				x->err, LA_ECHANGED,
				"%s epoch %d: master is %s, the export was moving it from %s "
				"to %s: something else wrote to this inbox",
				x->o->inbox, epoch, have[0] ? have : "missing", prev, tip);
		}
	}
	sqlite3_finalize(s);
	if (e)
		return e;
	if (sqlite3_prepare_v2(x->db,
	                       "SELECT epoch, tip FROM batches b WHERE id = (SELECT max(id)"
	                       " FROM batches WHERE epoch = b.epoch AND prev != tip)",
	                       -1, &s, NULL) != SQLITE_OK)
		return db_fail(x, "reading batches");
	while (!e && sqlite3_step(s) == SQLITE_ROW) {
		int epoch = sqlite3_column_int(s, 0);
		const char *tip = (const char *)sqlite3_column_text(s, 1);
		char have[GIT_OID_HEXSZ + 1];
		epoch_master(x, epoch, have);
		if (!tip || strcmp(have, tip) != 0)
			e = la_err_set(
				x->err, LA_ECHANGED,
				"%s epoch %d: master is %s, the export left it at %s: "
				"something else wrote to this inbox; export to a new directory",
				x->o->inbox, epoch, have[0] ? have : "missing", tip ? tip : "?");
	}
	sqlite3_finalize(s);
	return e;
}

/* ---- writing one batch ---- */

static enum la_status add_event(struct exporter *x, const struct event *ev)
{
	if (!vec_reserve(&x->ev, &x->capev, x->nev + 1, sizeof *x->ev))
		return la_err_set(x->err, LA_ENOMEM, "out of memory");
	x->ev[x->nev++] = *ev;
	return LA_OK;
}

static void begin_batch(struct exporter *x)
{
	if (x->nev || x->commits)
		return;
	x->has_prev = x->has_tip;
	if (x->has_tip)
		git_oid_cpy(&x->prev, &x->tip);
}

static enum la_status record_batch(struct exporter *x, int64_t *batch_id)
{
	char prev[GIT_OID_HEXSZ + 1] = "", tip[GIT_OID_HEXSZ + 1] = "";
	if (x->has_prev)
		git_oid_tostr(prev, sizeof prev, &x->prev);
	if (x->has_tip)
		git_oid_tostr(tip, sizeof tip, &x->tip);
	/* The record must be on the disk before the ref moves (FULL: the
	 * commit syncs the log); marking it done need not (NORMAL): a batch
	 * found not done is settled by looking at the ref. */
	enum la_status e = db_exec(x, "PRAGMA synchronous=FULL; BEGIN IMMEDIATE");
	if (e)
		return e;
	sqlite3_stmt *b = NULL, *ev = NULL;
	if (sqlite3_prepare_v2(
		    x->db, "INSERT INTO batches(epoch, prev, tip, done) VALUES (?1, ?2, ?3, ?4)",
		    -1, &b, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(x->db,
	                       "INSERT INTO events(batch, day, num, msg, op, epoch, blob, bytes)"
	                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	                       -1, &ev, NULL) != SQLITE_OK) {
		e = db_fail(x, "recording a batch");
		goto out;
	}
	sqlite3_bind_int(b, 1, x->epoch);
	sqlite3_bind_text(b, 2, prev, -1, SQLITE_STATIC);
	sqlite3_bind_text(b, 3, tip, -1, SQLITE_STATIC);
	/* A batch of skips alone moves nothing: done at once. */
	sqlite3_bind_int(b, 4, x->commits == 0);
	if (sqlite3_step(b) != SQLITE_DONE) {
		e = db_fail(x, "recording a batch");
		goto out;
	}
	*batch_id = sqlite3_last_insert_rowid(x->db);
	for (size_t i = 0; i < x->nev && !e; i++) {
		const struct event *v = &x->ev[i];
		char op[2] = {v->op, 0};
		sqlite3_bind_int64(ev, 1, *batch_id);
		sqlite3_bind_int(ev, 2, v->day);
		sqlite3_bind_int(ev, 3, v->num);
		sqlite3_bind_int64(ev, 4, v->msg);
		sqlite3_bind_text(ev, 5, op, 1, SQLITE_TRANSIENT);
		sqlite3_bind_int(ev, 6, v->epoch);
		sqlite3_bind_text(ev, 7, v->blob, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(ev, 8, (int64_t)v->bytes);
		if (sqlite3_step(ev) != SQLITE_DONE)
			e = db_fail(x, "recording a message");
		sqlite3_reset(ev);
	}
	if (!e) {
		char sql[160];
		snprintf(sql, sizeof sql,
		         "INSERT INTO epoch_sizes(batch, epoch, bytes) VALUES (%lld, %d, %llu)",
		         (long long)*batch_id, x->epoch, (unsigned long long)x->epoch_bytes);
		e = db_exec(x, sql);
	}
	if (!e && x->pos_pending) {
		char sql[160];
		snprintf(sql, sizeof sql,
		         "INSERT INTO positions(batch, hide_log, gone) VALUES (%lld, %lld, %lld)",
		         (long long)*batch_id, (long long)x->new_hide_pos,
		         (long long)x->new_gone_n);
		e = db_exec(x, sql);
	}
out:
	sqlite3_finalize(b);
	sqlite3_finalize(ev);
	if (!e)
		e = db_exec(x, "COMMIT; PRAGMA synchronous=NORMAL");
	else
		la_ignore(db_exec(x, "ROLLBACK; PRAGMA synchronous=NORMAL"));
	return e;
}

/* The batch's objects as one pack of the epoch, with its index. */
static enum la_status write_pack(struct exporter *x)
{
	git_buf pack = {0};
	git_odb *odb = NULL;
	git_odb_writepack *wp = NULL;
	git_indexer_progress prog = {0};
	enum la_status e = LA_OK;
	if (git_mempack_dump(&pack, x->repo, x->mempack) != 0 ||
	    git_repository_odb(&odb, x->repo) != 0 ||
	    git_odb_write_pack(&wp, odb, NULL, NULL) != 0 ||
	    wp->append(wp, pack.ptr, pack.size, &prog) != 0 || wp->commit(wp, &prog) != 0)
		e = git_fail(x, "writing a pack");
	if (wp)
		wp->free(wp);
	git_odb_free(odb);
	git_buf_dispose(&pack);
	if (!e && git_mempack_reset(x->mempack) != 0)
		e = git_fail(x, "the in-memory object store");
	return e;
}

/* ---- repacking ----
 *
 * Every batch writes one pack.  Once an epoch holds more than
 * EXPORT_PACKS_MAX of them, only its small recent packs are rolled into
 * one (size tiers, a geometric policy like git repack --geometric's):
 * packs fall in tiers by their objects ([4^t, 4^(t+1))), and the lowest
 * tier holding two packs or more is rolled, with the few packs below it,
 * into one new pack (libgit2's packbuilder, deltas found among those
 * objects); the big packs above are not read.  With batches of equal
 * size, the epoch's first 17 packs become one, the next 16 another, and
 * so on, the packs of that size being rolled in their turn once they
 * are enough: each object is written again about log16(batches) times
 * over the epoch's life, not once every 16 batches (git's own factor-2
 * rule, applied only past the bound, would roll the whole epoch each
 * time, the new packs adding up to about the old one).
 *
 * Dumb HTTP clients read objects/info/packs first and fetch the packs it
 * names later, so a pack deleted right after the repack would fail a
 * clone that read the old list a moment before.  A rolled-up pack is
 * therefore retired, not deleted: the new pack is written and synced, an
 * empty marker GITDIR/listarc-retired/pack-HEX is made for each pack
 * rolled into it, and
 * objects/info/packs is written again without them; only a later run,
 * once the marker is EXPORT_PACK_GRACE seconds old, deletes the retired
 * pack (index first, marker last).  A transfer already under way is not
 * cut short either way (the server streams from an open file).  Killed at
 * any point, every object is in the old packs, the new one or both: a
 * pack half written is a temporary file clear_stale deletes, a repeated
 * object is harmless, and a marker is only ever made once the pack that
 * replaces its pack is on disk. */

struct pack {
	char *name;       /* "pack-HEX" */
	uint32_t objects; /* from its index */
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A pack index (version 2, the only one libgit2 and git write): its
 * object count and, if ids is not NULL, its object ids (malloc'd).
 * False if the file is not such an index or is cut short. */
static bool read_idx(const char *path, uint32_t *count, git_oid **ids)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	unsigned char head[8 + 256 * 4];
	size_t got = 0;
	bool ok = !io_read_full(fd, head, sizeof head, &got) && got == sizeof head &&
	          !memcmp(head, "\377tOc", 4) && be32(head + 4) == 2;
	uint32_t n = ok ? be32(head + 8 + 255 * 4) : 0;
	struct stat sb;
	/* The ids, CRCs and offsets fit in the file. */
	ok = ok && fstat(fd, &sb) == 0 && (uint64_t)sb.st_size >= sizeof head + (uint64_t)n * 28;
	if (ok && ids) {
		*ids = malloc((n ? n : 1) * sizeof **ids);
		unsigned char *raw = malloc((n ? n : 1) * (size_t)GIT_OID_RAWSZ);
		ok = *ids && raw && !io_read_full(fd, raw, (size_t)n * GIT_OID_RAWSZ, &got) &&
		     got == (size_t)n * GIT_OID_RAWSZ;
		for (uint32_t i = 0; ok && i < n; i++)
			git_oid_fromraw(&(*ids)[i], raw + (size_t)i * GIT_OID_RAWSZ);
		free(raw);
		if (!ok) {
			free(*ids);
			*ids = NULL;
		}
	}
	close(fd);
	*count = n;
	return ok;
}

/* The epoch's packs that have their index and are not retired. */
static enum la_status list_packs(const char *gitdir, struct pack **out, size_t *n,
                                 struct la_err *err)
{
	char p[PATH_BYTES + 32];
	snprintf(p, sizeof p, "%s/objects/pack", gitdir);
	*out = NULL;
	*n = 0;
	size_t cap = 0;
	DIR *d = opendir(p);
	if (!d)
		return LA_OK;
	struct dirent *de;
	enum la_status e = LA_OK;
	while ((de = readdir(d)) && !e) {
		size_t l = strlen(de->d_name);
		if (l < 10 || l > 200 || strncmp(de->d_name, "pack-", 5) != 0 ||
		    strcmp(de->d_name + l - 4, ".idx") != 0 ||
		    retired_pack(gitdir, de->d_name, l - 4))
			continue;
		char f[PATH_BYTES + 300];
		snprintf(f, sizeof f, "%s/%s", p, de->d_name);
		uint32_t objects = 0;
		if (!read_idx(f, &objects, NULL))
			continue; /* not one we can roll up: left as it is */
		if (!vec_reserve(out, &cap, *n + 1, sizeof **out) ||
		    !((*out)[*n].name = strndup(de->d_name, l - 4)))
			e = la_err_set(err, LA_ENOMEM, "out of memory");
		else
			(*out)[(*n)++].objects = objects;
	}
	closedir(d);
	return e;
}

static void free_packs(struct pack *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

static int cmp_pack(const void *a, const void *b)
{
	const struct pack *x = a, *y = b;
	if (x->objects != y->objects)
		return (x->objects > y->objects) - (x->objects < y->objects);
	return strcmp(x->name, y->name);
}

/* A pack's tier: its objects in [4^t, 4^(t+1)). */
static int pack_tier(uint32_t objects)
{
	int t = 0;
	while (objects >= 4) {
		objects /= 4;
		t++;
	}
	return t;
}

/* How many of the packs v (sorted by objects, ascending) to roll into
 * one: the lowest tier that holds two packs or more, with the packs
 * below it (one a tier at most); at least two. */
static size_t roll_count(const struct pack *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		int t = pack_tier(v[i].objects);
		if (t != pack_tier(v[i - 1].objects))
			continue;
		while (i + 1 < n && pack_tier(v[i + 1].objects) == t)
			i++;
		return i + 1;
	}
	return 2;
}

/* Syncs directory dir (a file made in it reaches the disk). */
static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static enum la_status repack_epoch(struct exporter *x)
{
	if (!x->repo || !x->has_tip)
		return LA_OK;
	char dir[PATH_BYTES];
	epoch_dir(dir, sizeof dir, x->o->inbox, x->epoch);
	struct pack *v = NULL;
	size_t n = 0;
	enum la_status e = list_packs(dir, &v, &n, x->err);
	unsigned max = x->o->packs_max ? x->o->packs_max : EXPORT_PACKS_MAX;
	if (e || n <= max) {
		free_packs(v, n);
		return e;
	}
	qsort(v, n, sizeof *v, cmp_pack);
	size_t split = roll_count(v, n);
	git_packbuilder *pb = NULL;
	if (git_packbuilder_new(&pb, x->repo) != 0)
		e = git_fail(x, "repacking");
	for (size_t i = 0; i < split && !e; i++) {
		char f[PATH_BYTES + 300];
		snprintf(f, sizeof f, "%s/objects/pack/%s.idx", dir, v[i].name);
		git_oid *ids = NULL;
		uint32_t cnt = 0;
		if (!read_idx(f, &cnt, &ids))
			e = la_err_set(x->err, LA_EIO, "%s: a pack index cut short", f);
		for (uint32_t k = 0; k < cnt && !e; k++)
			if (git_packbuilder_insert(pb, &ids[k], NULL) != 0)
				e = git_fail(x, "repacking");
		free(ids);
	}
	if (!e && git_packbuilder_write(pb, NULL, 0, NULL, NULL) != 0)
		e = git_fail(x, "repacking");
	char made[256] = "";
	if (!e)
		snprintf(made, sizeof made, "pack-%s", git_packbuilder_name(pb));
	git_packbuilder_free(pb);
	/* The new pack is on disk (libgit2 syncs it): the old ones retire. */
	char rdir[PATH_BYTES + 32];
	snprintf(rdir, sizeof rdir, "%s/" RETIRED_DIR, dir);
	if (!e && (e = mkdirs(rdir, x->err)) == LA_OK)
		sync_dir(dir);
	for (size_t i = 0; i < split && !e; i++) {
		if (!strcmp(v[i].name, made))
			continue;
		char f[PATH_BYTES + 300];
		snprintf(f, sizeof f, "%s/%s", rdir, v[i].name);
		int fd = open(f, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			e = la_err_set(x->err, LA_EIO, "%s: %s", f, strerror(errno));
		else
			close(fd);
	}
	if (!e)
		sync_dir(rdir);
	if (!e)
		e = export_server_info(dir, x->err);
	if (!e)
		x->stats->repacked++;
	free_packs(v, n);
	return e;
}

/* Deletes the retired packs of epoch dir whose grace is over.  If
 * objects/info/packs still names one (a run killed between its marker
 * and the file), the file is written again and the grace starts anew. */
static enum la_status delete_retired(struct exporter *x, const char *dir, time_t now)
{
	char pdir[PATH_BYTES + 32], rdir[PATH_BYTES + 32];
	snprintf(pdir, sizeof pdir, "%s/objects/pack", dir);
	snprintf(rdir, sizeof rdir, "%s/" RETIRED_DIR, dir);
	DIR *d = opendir(rdir);
	if (!d)
		return LA_OK;
	char **names = NULL;
	size_t n = 0, cap = 0;
	enum la_status e = LA_OK;
	struct dirent *de;
	while ((de = readdir(d)) && !e) {
		size_t l = strlen(de->d_name);
		if (l < 6 || l > 200 || strncmp(de->d_name, "pack-", 5) != 0 ||
		    strchr(de->d_name, '.'))
			continue;
		if (!vec_reserve(&names, &cap, n + 1, sizeof *names) ||
		    !(names[n] = strdup(de->d_name)))
			e = la_err_set(x->err, LA_ENOMEM, "out of memory");
		else
			n++;
	}
	closedir(d);
	if (e || n == 0)
		goto out;
	/* Which of them objects/info/packs still names. */
	char f[PATH_BYTES + 300];
	snprintf(f, sizeof f, "%s/objects/info/packs", dir);
	struct buf info;
	buf_init(&info, 16 << 20);
	int fd = open(f, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		char tmp[65536];
		size_t got;
		while (!io_read_full(fd, tmp, sizeof tmp, &got) && got > 0) {
			buf_add(&info, tmp, got);
			if (got < sizeof tmp)
				break;
		}
		close(fd);
	}
	bool named = false;
	for (size_t i = 0; i < n && !named; i++) {
		char line[300];
		snprintf(line, sizeof line, "P %s.pack\n", names[i]);
		named = info.data && memmem(info.data, info.len, line, strlen(line));
	}
	buf_free(&info);
	if (named) {
		e = export_server_info(dir, x->err);
		for (size_t i = 0; i < n && !e; i++) {
			snprintf(f, sizeof f, "%s/%s", rdir, names[i]);
			utimensat(AT_FDCWD, f, NULL, 0);
		}
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct stat sb;
		snprintf(f, sizeof f, "%s/%s", rdir, names[i]);
		if (stat(f, &sb) != 0 || now - sb.st_mtime < EXPORT_PACK_GRACE)
			continue;
		static const char *const ext[] = {".idx", ".bitmap", ".rev", ".pack"};
		for (size_t k = 0; k < sizeof ext / sizeof *ext; k++) {
			snprintf(f, sizeof f, "%s/%s%s", pdir, names[i], ext[k]);
			unlink(f);
		}
		/* The marker last: a run killed before this finds it again. */
		snprintf(f, sizeof f, "%s/%s", rdir, names[i]);
		unlink(f);
		x->stats->packs_deleted++;
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return e;
}

/* delete_retired over every epoch of the inbox. */
static enum la_status delete_retired_all(struct exporter *x)
{
	char p[PATH_BYTES];
	snprintf(p, sizeof p, "%s/git", x->o->inbox);
	DIR *d = opendir(p);
	if (!d)
		return LA_OK;
	time_t now = time(NULL);
	enum la_status e = LA_OK;
	struct dirent *de;
	while ((de = readdir(d)) && !e) {
		size_t k = strspn(de->d_name, "0123456789");
		if (k == 0 || k > 6 || strcmp(de->d_name + k, ".git") != 0)
			continue;
		char dir[PATH_BYTES];
		epoch_dir(dir, sizeof dir, x->o->inbox, atoi(de->d_name));
		e = delete_retired(x, dir, now);
	}
	closedir(d);
	return e;
}

static enum la_status flush_batch(struct exporter *x)
{
	if (!x->nev && !x->commits && !x->pos_pending)
		return LA_OK;
	int64_t id = 0;
	enum la_status e = record_batch(x, &id);
	if (e)
		return e;
	x->pos_pending = false;
	if (x->commits) {
		if ((e = write_pack(x)))
			return e;
		git_reference *ref = NULL;
		static const git_oid zero;
		if (git_reference_create_matching(&ref, x->repo, REF_MASTER, &x->tip, 1,
		                                  x->has_prev ? &x->prev : &zero,
		                                  "listarc export") != 0)
			return git_fail(x, "moving master");
		git_reference_free(ref);
		char dir[PATH_BYTES];
		epoch_dir(dir, sizeof dir, x->o->inbox, x->epoch);
		if ((e = export_server_info(dir, x->err)))
			return e;
		char sql[96];
		snprintf(sql, sizeof sql, "UPDATE batches SET done = 1 WHERE id = %lld",
		         (long long)id);
		if ((e = db_exec(x, sql)))
			return e;
	}
	x->nev = 0;
	x->commits = 0;
	return LA_OK;
}

/* ---- commits as public-inbox's importer writes them ---- */

/* "NAME <EMAIL>" with the angle brackets and line breaks git's format
 * cannot hold taken out, as public-inbox does. */
static void add_ident(struct buf *b, const char *name, const char *email)
{
	for (const char *p = name; *p; p++)
		if (*p != '<' && *p != '>' && *p != '\n')
			buf_addc(b, *p);
	buf_adds(b, " <");
	for (const char *p = email; *p; p++)
		if (*p != '<' && *p != '>' && *p != '\n')
			buf_addc(b, *p);
	buf_addc(b, '>');
}

static void add_time(struct buf *b, const struct la_date *d, bool has, int64_t fallback)
{
	int64_t t = has ? date_unix(d) : fallback;
	int tz = has && d->has_tz ? d->tz : 0;
	if (t < 0)
		t = 0; /* git's times are unsigned */
	int a = tz < 0 ? -tz : tz;
	buf_printf(b, " %lld %c%02d%02d\n", (long long)t, tz < 0 ? '-' : '+', a / 60, a % 60);
}

static enum la_status write_commit(struct exporter *x, const char *path, const git_oid *blob,
                                   const char *author_line, const char *committer_line,
                                   const char *message)
{
	git_treebuilder *tb = NULL;
	git_oid tree, commit;
	if (git_treebuilder_new(&tb, x->repo, NULL) != 0 ||
	    git_treebuilder_insert(NULL, tb, path, blob, GIT_FILEMODE_BLOB) != 0 ||
	    git_treebuilder_write(&tree, tb) != 0) {
		git_treebuilder_free(tb);
		return git_fail(x, "writing a tree");
	}
	git_treebuilder_free(tb);
	struct buf *b = &x->text;
	buf_reset(b);
	char hex[GIT_OID_HEXSZ + 1];
	buf_printf(b, "tree %s\n", git_oid_tostr(hex, sizeof hex, &tree));
	if (x->has_tip)
		buf_printf(b, "parent %s\n", git_oid_tostr(hex, sizeof hex, &x->tip));
	buf_printf(b, "author %s", author_line);
	buf_printf(b, "committer %s", committer_line);
	buf_printf(b, "\n%s\n", message);
	if (b->err)
		return la_err_set(x->err, LA_ENOMEM, "out of memory");
	git_odb *odb = NULL;
	int rc = git_repository_odb(&odb, x->repo);
	if (!rc)
		rc = git_odb_write(&commit, odb, b->data, b->len, GIT_OBJECT_COMMIT);
	git_odb_free(odb);
	if (rc)
		return git_fail(x, "writing a commit");
	git_oid_cpy(&x->tip, &commit);
	x->has_tip = true;
	x->commits++;
	return LA_OK;
}

static enum la_status next_epoch_if_full(struct exporter *x)
{
	if (x->epoch_bytes < x->epoch_max_bytes)
		return LA_OK;
	enum la_status e = flush_batch(x);
	if (!e)
		e = repack_epoch(x);
	if (!e)
		e = open_epoch(x, x->epoch + 1);
	if (!e)
		begin_batch(x);
	return e;
}

/* One message of the archive, as a commit adding "m". */
static enum la_status add_message(struct exporter *x, const struct store_msg *m)
{
	enum la_status e = next_epoch_if_full(x);
	if (e)
		return e;
	buf_reset(&x->raw);
	e = store_msg_read(x->st, m, (size_t)m->len + 1, &x->raw);
	if (e)
		return la_err_set(x->err, e, "%s/%d/%d: its bytes cannot be read (%s)", x->list,
		                  m->day, m->num, la_strstatus(e));
	git_oid blob;
	if (git_blob_create_from_buffer(&blob, x->repo, x->raw.data ? x->raw.data : "",
	                                x->raw.len) != 0)
		return git_fail(x, "writing a blob");
	size_t hl = x->raw.len < HEAD_MAX ? x->raw.len : HEAD_MAX;
	msg_summary_parse(x->sum, buf_cstr(&x->raw), hl);
	const struct msg_summary *s = x->sum;

	char *author = NULL, *committer = NULL;
	struct buf a;
	buf_init(&a, 1 << 16);
	const char *email = s->from_addr;
	char local[ADDR_MAX + 1];
	const char *name = s->from_name;
	if (!name[0]) {
		/* public-inbox names a sender without a name by the address's
		 * local part. */
		snprintf(local, sizeof local, "%s", email);
		char *at = strchr(local, '@');
		if (at)
			*at = 0;
		name = local;
	}
	add_ident(&a, name, email);
	add_time(&a, s->has_date ? &s->date : &s->received, s->has_date || s->has_received, m->ts);
	author = buf_steal(&a, NULL);
	buf_init(&a, 1 << 16);
	add_ident(&a, x->list, x->o->address);
	add_time(&a, s->has_received ? &s->received : &s->date, s->has_received || s->has_date,
	         m->ts);
	committer = buf_steal(&a, NULL);
	if (!author || !committer)
		e = la_err_set(x->err, LA_ENOMEM, "out of memory");
	else
		e = write_commit(x, "m", &blob, author, committer,
		                 s->subject[0] ? s->subject : "(no subject)");
	free(author);
	free(committer);
	if (e)
		return e;
	struct event ev = {.day = m->day,
	                   .num = m->num,
	                   .msg = m->id,
	                   .op = 'm',
	                   .epoch = x->epoch,
	                   .bytes = x->raw.len};
	git_oid_tostr(ev.blob, sizeof ev.blob, &blob);
	x->epoch_bytes += x->raw.len;
	x->stats->added++;
	x->stats->bytes += x->raw.len;
	return add_event(x, &ev);
}

/* A message exported before and now hidden or gone: a commit whose tree
 * holds only "d", its blob (copied into this epoch if it was written in
 * an earlier one), as public-inbox's rm writes it. */
static enum la_status remove_message(struct exporter *x, const struct event *was)
{
	enum la_status e = next_epoch_if_full(x);
	if (e)
		return e;
	git_oid blob;
	if (git_oid_fromstr(&blob, was->blob) != 0)
		return la_err_set(x->err, LA_EDB, "a bad blob id in the export's record");
	if (was->epoch != x->epoch) {
		char dir[PATH_BYTES];
		epoch_dir(dir, sizeof dir, x->o->inbox, was->epoch);
		git_repository *old = NULL;
		git_blob *b = NULL;
		git_oid copy;
		int rc = git_repository_open_bare(&old, dir);
		if (!rc)
			rc = git_blob_lookup(&b, old, &blob);
		if (!rc)
			rc = git_blob_create_from_buffer(&copy, x->repo, git_blob_rawcontent(b),
			                                 (size_t)git_blob_rawsize(b));
		git_blob_free(b);
		git_repository_free(old);
		if (rc)
			return git_fail(x, "copying a removed message's blob");
	}
	struct buf a;
	buf_init(&a, 1 << 16);
	add_ident(&a, x->list, x->o->address);
	struct la_date now;
	time_t t = time(NULL);
	date_from_unix((int64_t)t, &now);
	add_time(&a, &now, false, (int64_t)t);
	char *ident = buf_steal(&a, NULL);
	if (!ident)
		return la_err_set(x->err, LA_ENOMEM, "out of memory");
	e = write_commit(x, "d", &blob, ident, ident, "rm");
	free(ident);
	if (e)
		return e;
	struct event ev = *was;
	ev.op = 'd';
	ev.epoch = x->epoch;
	ev.bytes = 0;
	x->stats->removed++;
	return add_event(x, &ev);
}

static enum la_status maybe_flush(struct exporter *x)
{
	if (x->nev < x->batch_max)
		return LA_OK;
	enum la_status e = flush_batch(x);
	if (!e)
		begin_batch(x);
	return e;
}

/* ---- the two passes ---- */

/* URLs whose state in the archive may have changed since the last run. */
struct cands {
	struct event *v;
	size_t n, cap;
	bool err;
};

static bool add_cand(int day, int num, void *arg)
{
	struct cands *c = arg;
	if (!vec_reserve(&c->v, &c->cap, c->n + 1, sizeof *c->v)) {
		c->err = true;
		return false;
	}
	memset(&c->v[c->n], 0, sizeof c->v[c->n]);
	c->v[c->n].day = day;
	c->v[c->n++].num = num;
	return true;
}

static int cmp_url(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	if (x->day != y->day)
		return (x->day > y->day) - (x->day < y->day);
	return (x->num > y->num) - (x->num < y->num);
}

/* The newest event of (day, num) into *ev: false if it has none (not
 * exported yet: new_messages' part). */
static bool last_event(struct exporter *x, sqlite3_stmt *s, struct event *ev)
{
	sqlite3_bind_int(s, 1, ev->day);
	sqlite3_bind_int(s, 2, ev->num);
	bool found = sqlite3_step(s) == SQLITE_ROW;
	if (found) {
		ev->msg = sqlite3_column_int64(s, 0);
		const char *op = (const char *)sqlite3_column_text(s, 1);
		ev->op = op ? op[0] : '?';
		ev->epoch = sqlite3_column_int(s, 2);
		const char *blob = (const char *)sqlite3_column_text(s, 3);
		snprintf(ev->blob, sizeof ev->blob, "%s", blob ? blob : "");
	}
	sqlite3_reset(s);
	return found;
}

/* Messages exported (or skipped) before whose state in the archive
 * changed since: hidden or removed ones go out, shown ones come back.
 * Only the messages the hide log names since the last run, and the
 * removed ones if their number changed, are looked at: the cost follows
 * the changes, not the list. */
static enum la_status reconcile(struct exporter *x)
{
	struct cands c = {0};
	enum la_status e =
		store_hide_changes(x->st, x->list_id, x->hide_pos, &x->new_hide_pos, add_cand, &c);
	if (!e)
		e = store_gone_each(x->st, x->list_id, &x->new_gone_n, NULL, NULL);
	if (!e && x->new_gone_n != x->gone_n) {
		int64_t n;
		e = store_gone_each(x->st, x->list_id, &n, add_cand, &c);
	}
	if (e) {
		free(c.v);
		return la_err_set(x->err, e, "%s: the index cannot be read", x->list);
	}
	if (c.err) {
		free(c.v);
		return la_err_set(x->err, LA_ENOMEM, "out of memory");
	}
	if (c.n > 1)
		qsort(c.v, c.n, sizeof *c.v, cmp_url);
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(x->db,
	                       "SELECT msg, op, epoch, blob FROM events WHERE day = ?1 AND num = ?2"
	                       " ORDER BY id DESC LIMIT 1",
	                       -1, &s, NULL) != SQLITE_OK) {
		free(c.v);
		return db_fail(x, "reading the export's record");
	}
	for (size_t i = 0; i < c.n && !e; i++) {
		if (i > 0 && !cmp_url(&c.v[i - 1], &c.v[i]))
			continue;
		if (!last_event(x, s, &c.v[i]))
			continue;
		struct store_msg m = {0};
		enum la_status g = store_msg_get(x->st, x->list_id, c.v[i].day, c.v[i].num, &m);
		if (g && g != LA_ENOTFOUND) {
			e = la_err_set(x->err, g, "%s: the index cannot be read", x->list);
		} else {
			bool shown = !g && !(m.flags & STORE_F_HIDDEN);
			begin_batch(x);
			if (c.v[i].op == 'm' && !shown)
				e = remove_message(x, &c.v[i]);
			else if (c.v[i].op != 'm' && shown)
				e = add_message(x, &m);
			if (!e)
				e = maybe_flush(x);
		}
		store_msg_clear(&m);
	}
	sqlite3_finalize(s);
	free(c.v);
	/* The batch that ends the reconciling records the new positions
	 * (a position-only batch if nothing changed but they moved). */
	if (!e && (x->new_hide_pos != x->hide_pos || x->new_gone_n != x->gone_n)) {
		begin_batch(x);
		x->pos_pending = true;
	}
	return e;
}

static void read_positions(struct exporter *x)
{
	x->hide_pos = 0;
	x->gone_n = -1;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(x->db,
	                       "SELECT p.hide_log, p.gone FROM positions p JOIN batches b"
	                       " ON b.id = p.batch AND b.done = 1 ORDER BY p.batch DESC LIMIT 1",
	                       -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW) {
		x->hide_pos = sqlite3_column_int64(s, 0);
		x->gone_n = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
}

/* The messages indexed since the last export, in index order. */
static enum la_status new_messages(struct exporter *x)
{
	int64_t after = db_int(x, "SELECT max(msg) FROM events", -1, 0);
	enum la_status e = LA_OK;
	sqlite3_stmt *last = NULL;
	if (sqlite3_prepare_v2(x->db,
	                       "SELECT msg, op, epoch, blob FROM events WHERE day = ?1 AND num = ?2"
	                       " ORDER BY id DESC LIMIT 1",
	                       -1, &last, NULL) != SQLITE_OK)
		return db_fail(x, "reading the export's record");
	for (;;) {
		int64_t ids[256];
		int n = 0;
		if ((e = store_list_ids_after(x->st, x->list_id, after, ids, 256, &n)))
			break;
		if (n == 0)
			break;
		for (int i = 0; i < n && !e; i++) {
			struct store_msg m = {0};
			after = ids[i];
			if ((e = store_msg_by_id(x->st, ids[i], &m))) {
				store_msg_clear(&m);
				if (e == LA_ENOTFOUND) { /* removed meanwhile */
					e = LA_OK;
					continue;
				}
				break;
			}
			begin_batch(x);
			struct event was = {.day = m.day, .num = m.num};
			bool shown = !(m.flags & STORE_F_HIDDEN);
			if (last_event(x, last, &was)) {
				/* Its URL was exported before under another id
				 * (the index rebuilt): compared as reconcile
				 * does; unchanged, it is noted under its new id
				 * (no bytes: the epoch's size stays). */
				was.msg = m.id;
				if (was.op == 'm' && !shown) {
					e = remove_message(x, &was);
				} else if (was.op != 'm' && shown) {
					e = add_message(x, &m);
				} else {
					was.bytes = 0;
					e = add_event(x, &was);
				}
			} else if (!shown) {
				struct event ev = {.day = m.day,
				                   .num = m.num,
				                   .msg = m.id,
				                   .op = 's',
				                   .epoch = x->epoch};
				e = add_event(x, &ev);
				x->stats->skipped++;
			} else {
				e = add_message(x, &m);
			}
			store_msg_clear(&m);
			if (!e)
				e = maybe_flush(x);
		}
		if (e)
			break;
	}
	sqlite3_finalize(last);
	if (e == LA_ENOTFOUND || (e && !x->err->msg[0]))
		return la_err_set(x->err, e, "%s: the index cannot be read", x->list);
	return e ? e : flush_batch(x);
}

/* ---- the whole ---- */

static enum la_status open_inbox(struct exporter *x)
{
	const struct export_opts *o = x->o;
	char p[PATH_BYTES];
	snprintf(p, sizeof p, "%s/git", o->inbox);
	enum la_status e = mkdirs(p, x->err);
	if (e)
		return e;
	snprintf(p, sizeof p, "%s/inbox.lock", o->inbox);
	x->lockfd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (x->lockfd < 0)
		return la_err_set(x->err, LA_EIO, "%s: %s", p, strerror(errno));
	if (flock(x->lockfd, LOCK_EX | LOCK_NB) != 0)
		return la_err_set(x->err, LA_ELOCKED, "%s: another writer has the inbox", p);
	char desc[1024];
	if (o->description && o->description[0])
		snprintf(desc, sizeof desc, "%s\n", o->description);
	else
		snprintf(desc, sizeof desc, "public inbox for %s\n", o->address);
	snprintf(p, sizeof p, "%s/description", o->inbox);
	if ((e = write_file_sync(p, desc, strlen(desc), true, false, x->err)))
		return e;
	snprintf(p, sizeof p, "%s/listarc-export.sqlite3", o->inbox);
	if (sqlite3_open_v2(p, &x->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK)
		return db_fail(x, "opening");
	sqlite3_busy_timeout(x->db, 10000);
	return db_exec(x, schema);
}

enum la_status export_list(struct store *st, int64_t list_id, const char *list,
                           const struct export_opts *o, struct export_stats *stats,
                           struct la_err *err)
{
	memset(stats, 0, sizeof *stats);
	stats->last_epoch = -1;
	git_libgit2_init();
	/* Objects, packs and refs reach the disk before the ref names them. */
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
	struct exporter x = {.st = st,
	                     .list_id = list_id,
	                     .list = list,
	                     .o = o,
	                     .stats = stats,
	                     .err = err,
	                     .lockfd = -1};
	x.epoch_max_bytes = o->epoch_bytes ? o->epoch_bytes : EXPORT_EPOCH_BYTES;
	x.batch_max = o->batch ? o->batch : 10000;
	/* A message is written whole, however big (the archive took it). */
	buf_init(&x.raw, (size_t)1 << 31);
	buf_init(&x.text, 1 << 20);
	x.sum = malloc(sizeof *x.sum);
	enum la_status e = x.sum ? LA_OK : la_err_set(err, LA_ENOMEM, "out of memory");
	if (!e)
		e = open_inbox(&x);
	if (!e)
		e = recover(&x);
	if (!e) {
		int epoch = (int)db_int(&x, "SELECT max(epoch) FROM batches", -1, 0);
		e = open_epoch(&x, epoch);
	}
	if (!e) {
		read_positions(&x);
		e = reconcile(&x);
	}
	if (!e)
		e = flush_batch(&x);
	if (!e) {
		begin_batch(&x);
		e = new_messages(&x);
	}
	if (!e)
		e = repack_epoch(&x);
	if (!e)
		e = delete_retired_all(&x);
	stats->last_epoch = x.repo ? x.epoch : -1;
	close_epoch(&x);
	free(x.ev);
	free(x.sum);
	buf_free(&x.raw);
	buf_free(&x.text);
	sqlite3_close(x.db);
	if (x.lockfd >= 0)
		close(x.lockfd);
	git_libgit2_shutdown();
	return e;
}
