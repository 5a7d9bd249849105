/* purge.c: `listarc purge`: a message's bytes taken out of its source
 * for good.  An mbox is written again without them (a new file beside
 * it, synced, renamed over it, the directory synced), under the locks
 * mail programs and `listarc deliver` take; a maildir's or MH folder's
 * file is deleted.  The purge is journalled in the index before the file
 * is touched and recorded done in one transaction after, so a run killed
 * at any point is finished by the next purge, index or delivery, and
 * nothing is lost or doubled. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/ingest_int.h"
#include "limits.h"

/* For the crash tests: $LISTARC_TEST_PURGE_KILL=N kills the process
 * (SIGKILL, as a power cut would) at point N: 1 after the journal
 * commit, 2 after the new file is written and synced, 3 after the
 * rename, before the index is told. */
static void test_kill_point(int n)
{
	const char *k = getenv("LISTARC_TEST_PURGE_KILL");
	if (k && atoi(k) == n)
		raise(SIGKILL);
}

/* An mbox held for a rewrite: open for writing, dotlocked, fcntl-locked. */
struct held {
	int fd;
	bool made; /* the dotlock is ours to remove */
	char lock[PATH_MAX + 8];
};

static void release(struct held *h)
{
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
	if (h->made)
		dotlock_drop(h->lock);
	h->made = false;
}

static enum la_status hold(const char *path, struct held *h, struct la_err *err)
{
	h->made = false;
	h->fd = open(path, O_RDWR | O_CLOEXEC);
	if (h->fd < 0)
		return la_err_set(err, LA_EIO, "%s: %s", path, strerror(errno));
	enum lock_state ls = dotlock_take(path, h->lock, sizeof h->lock, &h->made);
	if (ls == LOCK_BUSY) {
		release(h);
		return la_err_set(err, LA_EAGAIN, "%s: locked by another program (%s.lock)", path,
		                  path);
	}
	if (ls == LOCK_NONE) {
		release(h);
		return la_err_set(err, LA_EIO,
		                  "%s: its directory is not writable here: the file cannot be "
		                  "written again beside it",
		                  path);
	}
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	for (unsigned waited = 0;;) {
		if (fcntl(h->fd, F_SETLK, &fl) == 0)
			return LA_OK;
		if ((errno != EAGAIN && errno != EACCES) || waited >= LOCK_WAIT * 1000) {
			release(h);
			return la_err_set(err, LA_EAGAIN, "%s: locked by another writer", path);
		}
		lock_backoff(&waited);
	}
}

/* The start of the line that ends just before offset `at` (a message's
 * From_ line or MMDF separator) into *start; false if there is no such
 * line there.  A message at offset 0 has none (a file of one message). */
static bool line_before(int fd, uint64_t at, uint64_t *start)
{
	if (at == 0) {
		*start = 0;
		return true;
	}
	const size_t look = FROMLINE_SENDER_MAX + FROMLINE_MAX + 2;
	size_t want = at < look ? (size_t)at : look;
	char *buf = malloc(want);
	size_t got = 0;
	bool ok = buf && !io_pread_full(fd, buf, want, at - want, &got) && got == want &&
	          buf[want - 1] == '\n';
	if (ok) {
		size_t i = want - 1;
		while (i > 0 && buf[i - 1] != '\n')
			i--;
		size_t len = want - 1 - i;
		if (len > 0 && buf[i + len - 1] == '\r')
			len--;
		ok = (i > 0 || want == at) && ((len >= 5 && memcmp(buf + i, "From ", 5) == 0) ||
		                               (len == 4 && memcmp(buf + i, "\1\1\1\1", 4) == 0));
		*start = at - want + i;
	}
	free(buf);
	return ok;
}

/* Plans the purge of message t of mbox src (held in h): checks the file
 * is as indexed and holds the message there, and sets p's range. */
static enum la_status plan_mbox(struct store *st, const struct store_source *src,
                                const struct held *h, const struct store_purge_target *t,
                                struct store_purge *p, struct la_err *err)
{
	struct stat sb;
	if (fstat(h->fd, &sb) != 0)
		return la_err_set(err, LA_EIO, "%s: %s", src->path, strerror(errno));
	int64_t fh, ft;
	if ((uint64_t)sb.st_size < src->done ||
	    (src->done > 0 && (ingest_fingerprints(h->fd, src->done, &fh, &ft) ||
	                       fh != src->fp_head || ft != src->fp_tail)))
		return la_err_set(err, LA_ECHANGED,
		                  "%s changed since it was indexed: run `listarc index` first",
		                  src->path);
	struct store_msg m;
	enum la_status e = store_msg_by_id(st, t->msg_id, &m);
	if (e)
		return la_err_set(err, e, "index: %s", store_errmsg(st));
	struct buf b;
	buf_init(&b, HEAD_MAX + 1);
	e = store_msg_read_fd(h->fd, &m, HEAD_MAX, &b);
	buf_free(&b);
	store_msg_clear(&m);
	if (e)
		return la_err_set(err, LA_ECHANGED,
		                  "%s does not hold <%s> at byte %llu, where the index has it",
		                  src->path, p->msgid, (unsigned long long)t->off);
	uint64_t next;
	if (!line_before(h->fd, t->off, &p->start))
		return la_err_set(err, LA_ECHANGED, "%s: no From_ line before byte %llu", src->path,
		                  (unsigned long long)t->off);
	e = store_purge_next_off(st, src->id, t->off, &next);
	if (e == LA_OK) {
		if (!line_before(h->fd, next, &p->end))
			return la_err_set(err, LA_ECHANGED, "%s: no From_ line before byte %llu",
			                  src->path, (unsigned long long)next);
	} else if (e == LA_ENOTFOUND) {
		p->end = src->done; /* the last message indexed */
	} else {
		return la_err_set(err, e, "index: %s", store_errmsg(st));
	}
	if (p->end < t->off + t->len || p->start > t->off)
		return la_err_set(err, LA_ECHANGED, "%s: the index's offsets around <%s> are wrong",
		                  src->path, p->msgid);
	p->ino = (int64_t)sb.st_ino;
	return LA_OK;
}

/* Copies n bytes of in from offset off to the end of out. */
static enum la_status copy_range(int in, uint64_t off, uint64_t n, int out)
{
	static const size_t piece = 1 << 20;
	char *buf = malloc(piece);
	if (!buf)
		return LA_ENOMEM;
	enum la_status e = LA_OK;
	while (n > 0 && !e) {
		size_t k = n < piece ? (size_t)n : piece, got = 0;
		e = io_pread_full(in, buf, k, off, &got);
		if (!e && got != k)
			e = LA_ECHANGED;
		if (!e)
			e = io_write_all(out, buf, k);
		off += k;
		n -= k;
	}
	free(buf);
	return e;
}

/* Syncs the directory holding path (a rename or unlink in it lasts). */
static enum la_status sync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else
		*(slash == dir ? slash + 1 : slash) = '\0';
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return LA_EIO;
	int r = fsync(dfd);
	close(dfd);
	return r == 0 ? LA_OK : LA_EIO;
}

/* Writes the mbox of h again without p's bytes: PATH's directory gets
 * .NAME.purge (owner, group and mode as PATH), synced, renamed over
 * PATH; the directory is synced. */
static enum la_status rewrite(const char *path, const struct held *h, const struct store_purge *p,
                              struct la_err *err)
{
	struct stat sb;
	if (fstat(h->fd, &sb) != 0)
		return la_err_set(err, LA_EIO, "%s: %s", path, strerror(errno));
	if ((uint64_t)sb.st_size < p->end)
		return la_err_set(err, LA_ECHANGED, "%s is shorter than the purge expects", path);
	char tmp[PATH_MAX + 32];
	const char *slash = strrchr(path, '/');
	int dl = slash ? (int)(slash - path + 1) : 0;
	if ((size_t)snprintf(tmp, sizeof tmp, "%.*s.%s.purge", dl, path, path + dl) >= sizeof tmp)
		return la_err_set(err, LA_EINVAL, "%s: path too long", path);
	if (unlink(tmp) != 0 && errno != ENOENT)
		return la_err_set(err, LA_EIO, "%s: %s", tmp, strerror(errno));
	int out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, sb.st_mode & 07777);
	if (out < 0)
		return la_err_set(err, errno == ENOSPC ? LA_ENOSPC : LA_EIO, "%s: %s", tmp,
		                  strerror(errno));
	/* Owner and group as before where we may set them (root, or our own
	 * file); the mode in spite of the umask. */
	if (fchown(out, sb.st_uid, sb.st_gid) != 0) {
		/* Not permitted: the file stays ours, with the same mode. */
	}
	enum la_status e = fchmod(out, sb.st_mode & 07777) == 0 ? LA_OK : LA_EIO;
	if (!e)
		e = copy_range(h->fd, 0, p->start, out);
	if (!e)
		e = copy_range(h->fd, p->end, (uint64_t)sb.st_size - p->end, out);
	if (!e && fsync(out) != 0)
		e = errno == ENOSPC ? LA_ENOSPC : LA_EIO;
	if (close(out) != 0 && !e)
		e = LA_EIO;
	if (!e) {
		test_kill_point(2);
		if (rename(tmp, path) != 0)
			e = LA_EIO;
	}
	if (e) {
		int saved = errno;
		unlink(tmp);
		return la_err_set(err, e, "%s: cannot write it again: %s", path,
		                  e == LA_ENOSPC ? "no space left on device" : strerror(saved));
	}
	if (sync_dir_of(path))
		return la_err_set(err, LA_EIO, "%s: cannot sync its directory: %s", path,
		                  strerror(errno));
	test_kill_point(3);
	return LA_OK;
}

/* Deletes a maildir's (cur/ or new/, found by its unique name: it may
 * have moved or changed its flags) or an MH folder's message file.
 * LA_OK if deleted or gone already. */
static enum la_status unlink_file(const struct store_source *src, const char *file,
                                  struct la_err *err)
{
	const char *name = file;
	static const char *const sub[] = {"cur", "new"};
	int nsub = 1;
	if (src->kind == SOURCE_MAILDIR) {
		name = strchr(file, '/');
		if (!name || strchr(name + 1, '/') || name[1] == '.')
			return la_err_set(err, LA_EINVAL, "%s: not a maildir file", file);
		name++;
		nsub = 2;
	} else if (strchr(name, '/') || name[0] == '.' || !name[0]) {
		return la_err_set(err, LA_EINVAL, "%s: not an MH message file", file);
	}
	size_t ulen = src->kind == SOURCE_MAILDIR ? strcspn(name, ":") : strlen(name);
	for (int i = 0; i < nsub; i++) {
		int dfd = src->kind == SOURCE_MAILDIR
		                  ? maildir_open_sub(src->path, sub[i])
		                  : open(src->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		DIR *dir = dfd >= 0 ? fdopendir(dfd) : NULL;
		if (!dir) {
			if (dfd >= 0)
				close(dfd);
			continue;
		}
		struct dirent *de;
		int r = 1;
		while ((de = readdir(dir)))
			if (strncmp(de->d_name, name, ulen) == 0 &&
			    (de->d_name[ulen] == '\0' ||
			     (src->kind == SOURCE_MAILDIR && de->d_name[ulen] == ':'))) {
				r = unlinkat(dirfd(dir), de->d_name, 0);
				if (r == 0)
					r = fsync(dirfd(dir));
				break;
			}
		int saved = errno;
		closedir(dir);
		if (r < 0)
			return la_err_set(err, LA_EIO, "%s/%s: %s", src->path, file,
			                  strerror(saved));
		if (r == 0)
			return LA_OK;
	}
	return LA_OK; /* gone already (a purge killed after deleting it) */
}

/* Brings journalled purge p to its end: the file step if it was not done
 * (an mbox still the same inode; a file still there), then the index's
 * side with the source's new resume point, in one transaction. */
static enum la_status finish(struct store *st, struct store_purge *p, struct held *h,
                             struct la_err *err)
{
	struct store_source src;
	enum la_status e = store_source_get(st, p->source_id, &src);
	bool have_src = e == LA_OK;
	if (e && e != LA_ENOTFOUND)
		return la_err_set(err, e, "index: %s", store_errmsg(st));
	bool mbox = p->file[0] == '\0';
	if (mbox && have_src) {
		struct stat sb;
		bool mine = h->fd >= 0;
		if (!mine && (e = hold(src.path, h, err)))
			return e;
		if (fstat(h->fd, &sb) != 0)
			e = la_err_set(err, LA_EIO, "%s: %s", src.path, strerror(errno));
		else if ((int64_t)sb.st_ino == p->ino)
			e = rewrite(src.path, h, p, err);
		if (e) {
			release(h);
			return e;
		}
	} else if (have_src) {
		if ((e = unlink_file(&src, p->file, err)))
			return e;
	}
	if ((e = store_begin(st, err)))
		goto out;
	if ((e = store_purge_finish(st, p, mbox, err)))
		goto fail;
	if (mbox && have_src) {
		uint64_t cut = p->end - p->start;
		if (src.done >= p->end)
			src.done -= cut;
		else if (src.done > p->start)
			src.done = p->start;
		int fd = open(src.path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || (src.done > 0 &&
		               ingest_fingerprints(fd, src.done, &src.fp_head, &src.fp_tail))) {
			e = la_err_set(err, LA_EIO, "%s: cannot read back: %s", src.path,
			               strerror(errno));
			if (fd >= 0)
				close(fd);
			goto fail;
		}
		close(fd);
	}
	e = store_commit(st, have_src && mbox ? &src : NULL, err);
	goto out;
fail:
	store_rollback(st);
out:
	release(h);
	return e;
}

enum la_status ingest_purge_resume(struct store *st, int64_t source_id, int *done,
                                   struct la_err *err)
{
	if (done)
		*done = 0;
	struct store_purge *p = malloc(sizeof *p);
	if (!p)
		return la_err_set(err, LA_ENOMEM, "out of memory");
	enum la_status e;
	while ((e = store_purge_pending(st, source_id, p)) == LA_OK) {
		struct held h = {.fd = -1};
		if ((e = finish(st, p, &h, err))) {
			char why[sizeof err->msg];
			snprintf(why, sizeof why, "%s", err->msg);
			la_err_set(err, e, "the purge of <%s> begun before cannot be finished: %s",
			           p->msgid, why);
			break;
		}
		if (done)
			(*done)++;
	}
	free(p);
	if (e == LA_ENOTFOUND)
		return LA_OK;
	if (e && !err->msg[0])
		la_err_set(err, e, "index: %s", store_errmsg(st));
	return e;
}

/* Why source src cannot be purged from, or NULL. */
static const char *refused(const struct store_source *src)
{
	if (src->kind == SOURCE_GIT)
		return "a public-inbox inbox: purge it there (public-inbox-purge); the next `listarc "
		       "index` finds the message deleted and its URL answers 410";
	if (src->copy[0])
		return "a compressed file, which listarc only reads: hide the message (`listarc "
		       "hide`), or decompress the file, index it with --rebuild and purge then";
	return NULL;
}

enum la_status ingest_purge(struct store *st, int64_t list_id, const char *msgid, const char *by,
                            const char *reason, bool public, struct ingest_purged *out,
                            struct la_err *err)
{
	memset(out, 0, sizeof *out);
	enum la_status e = ingest_purge_resume(st, 0, &out->resumed, err);
	if (e)
		return e;
	enum { TARGETS_MAX = 64 };
	struct store_purge_target *t = malloc(TARGETS_MAX * sizeof *t);
	struct store_purge *p = calloc(1, sizeof *p);
	struct store_source src;
	if (!t || !p) {
		e = la_err_set(err, LA_ENOMEM, "out of memory");
		goto out;
	}
	int n, purged;
	if ((e = store_purge_targets(st, list_id, msgid, t, TARGETS_MAX, &n, &purged))) {
		la_err_set(err, e, "index: %s", store_errmsg(st));
		goto out;
	}
	if (n == 0) {
		if (purged > 0 && out->resumed > 0)
			out->purged = purged; /* a purge killed before, now finished */
		else if (purged > 0)
			e = la_err_set(err, LA_EINVAL, "<%s> is purged already", msgid);
		else
			e = la_err_set(err, LA_ENOTFOUND, "the list has no message <%s>", msgid);
		goto out;
	}
	/* Every copy is checked before any is touched. */
	for (int i = 0; i < n; i++) {
		const char *why;
		if ((e = store_source_get(st, t[i].source_id, &src))) {
			la_err_set(err, e, "index: %s", store_errmsg(st));
			goto out;
		}
		if ((why = refused(&src))) {
			e = la_err_set(err, LA_EINVAL, "<%s> is in %s, %s", msgid, src.path, why);
			goto out;
		}
	}
	for (int i = 0; i < n; i++) {
		memset(p, 0, sizeof *p);
		p->list_id = list_id;
		p->source_id = t[i].source_id;
		p->msg_id = t[i].msg_id;
		snprintf(p->msgid, sizeof p->msgid, "%s", msgid);
		snprintf(p->by, sizeof p->by, "%s", by);
		snprintf(p->reason, sizeof p->reason, "%s", reason);
		p->public = public;
		snprintf(p->file, sizeof p->file, "%s", t[i].file);
		struct held h = {.fd = -1};
		if ((e = store_source_get(st, t[i].source_id, &src))) {
			la_err_set(err, e, "index: %s", store_errmsg(st));
			goto out;
		}
		if (!p->file[0]) {
			if ((e = hold(src.path, &h, err)))
				goto out;
			if ((e = plan_mbox(st, &src, &h, &t[i], p, err))) {
				release(&h);
				goto out;
			}
		}
		if ((e = store_begin(st, err)) || (e = store_purge_journal(st, p)) ||
		    (e = store_commit(st, NULL, err))) {
			if (!err->msg[0])
				la_err_set(err, e, "index: %s", store_errmsg(st));
			store_rollback(st);
			release(&h);
			goto out;
		}
		test_kill_point(1);
		if ((e = finish(st, p, &h, err)))
			goto out;
		out->purged++;
	}
out:
	free(t);
	free(p);
	return e;
}
