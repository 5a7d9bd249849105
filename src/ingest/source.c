/* source.c: what a source is (by its content), the dotlocks of live
 * mboxes, and compressed mailboxes, decompressed into a copy in the
 * archive directory as they are indexed. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ingest/ingest_int.h"
#include "limits.h"
#include "util/hash.h"

/* ---- what a source is ---- */

static const char *const readable =
	"listarc reads mbox, MMDF, maildir and MH folders and single messages, also compressed "
	"with gzip, xz, bzip2 or zstd";

/* Up to SNIFF_MAX bytes of what fd holds, decompressed if packed, into
 * buf; *whole if that is all of it.  False (err set) if compressed data
 * is corrupt before anything came out of it. */
static bool sniff_bytes(const char *path, int fd, enum unpack_kind packed, char *buf, size_t *n,
                        bool *whole, struct la_err *err)
{
	if (!packed) {
		if (io_pread_full(fd, buf, SNIFF_MAX, 0, n)) {
			la_err_set(err, LA_EIO, "%s: %s", path, strerror(errno));
			return false;
		}
		*whole = *n < SNIFF_MAX;
		return true;
	}
	struct unpack *u = unpack_new(fd, packed);
	if (!u) {
		la_err_set(err, LA_ENOMEM, "out of memory");
		return false;
	}
	struct la_err uerr = {0};
	enum la_status s = LA_OK;
	*n = 0;
	while (*n < SNIFF_MAX) {
		size_t got;
		s = unpack_read(u, buf + *n, SNIFF_MAX - *n, &got, &uerr);
		*n += got;
		if (s)
			break;
	}
	unpack_free(u);
	*whole = s != LA_OK;
	if ((s == LA_EINVAL || s == LA_EIO) && *n == 0) {
		la_err_set(err, LA_EINVAL, "%s: not a mailbox: %s", path, uerr.msg);
		return false;
	}
	return true;
}

/* Is p[0..n) binary (NULs, or many control bytes)? */
static bool binary(const char *p, size_t n)
{
	size_t ctl = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == 0)
			return true;
		if (c < 32 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 1)
			ctl++;
	}
	return ctl * 20 > n;
}

static enum la_status what_file(const char *path, struct ingest_what *w, struct la_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return la_err_set(err, LA_EIO, "%s: %s", path, strerror(errno));
	char *buf = malloc(SNIFF_MAX);
	if (!buf) {
		close(fd);
		return la_err_set(err, LA_ENOMEM, "out of memory");
	}
	enum la_status e = LA_OK;
	size_t n = 0;
	bool whole = true;
	if (io_pread_full(fd, buf, 8, 0, &n)) {
		e = la_err_set(err, LA_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	w->packed = unpack_detect(buf, n);
	if (!sniff_bytes(path, fd, w->packed, buf, &n, &whole, err)) {
		e = err->status ? err->status : LA_EINVAL;
		goto out;
	}
	char packed[32] = "";
	if (w->packed)
		snprintf(packed, sizeof packed, "%s-compressed ", unpack_name(w->packed));
	const char *what = NULL;
	switch (mbox_sniff(buf, n, whole)) {
	case MBOX_SNIFF_EMPTY:
		w->kind = INGEST_EMPTY;
		what = "empty file";
		break;
	case MBOX_SNIFF_MBOX:
		w->kind = INGEST_MBOX;
		what = "mbox";
		break;
	case MBOX_SNIFF_MMDF:
		w->kind = INGEST_MMDF;
		what = "MMDF file";
		break;
	case MBOX_SNIFF_MESSAGE:
		w->kind = INGEST_MESSAGE;
		what = "message";
		break;
	case MBOX_SNIFF_NONE:
		e = la_err_set(
			err, LA_EINVAL,
			"%s: not a mailbox: %s%s that starts with neither a From_ line, an MMDF "
			"separator nor a mail header (%s)",
			path, w->packed ? packed : "", binary(buf, n) ? "binary data" : "text",
			readable);
		goto out;
	}
	snprintf(w->desc, sizeof w->desc, "%s%s%s",
	         w->packed || w->kind == INGEST_MESSAGE ? "a " : "an ", packed, what);
out:
	free(buf);
	close(fd);
	return e;
}

/* Is path/name a directory (not through a link)? */
static bool is_dir_at(int dfd, const char *name)
{
	struct stat sb;
	return fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(sb.st_mode);
}

static bool is_link_at(int dfd, const char *name)
{
	struct stat sb;
	return fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(sb.st_mode);
}

/* Does dfd's git/ hold an epoch directory N.git? */
static bool has_epoch(int dfd)
{
	int gfd = openat(dfd, "git", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *g = gfd >= 0 ? fdopendir(gfd) : NULL;
	if (!g) {
		if (gfd >= 0)
			close(gfd);
		return false;
	}
	bool found = false;
	struct dirent *de;
	while (!found && (de = readdir(g))) {
		size_t k = strspn(de->d_name, "0123456789");
		found = k > 0 && k <= 6 && strcmp(de->d_name + k, ".git") == 0 &&
		        is_dir_at(gfd, de->d_name);
	}
	closedir(g);
	return found;
}

static enum la_status what_dir(const char *path, struct ingest_what *w, struct la_err *err)
{
	int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!dir) {
		if (dfd >= 0)
			close(dfd);
		return la_err_set(err, LA_EIO, "%s: %s", path, strerror(errno));
	}
	/* A public-inbox inbox: v2 has its epochs in git/ (N.git; a mirror
	 * may hold only the latest ones); v1 is a bare repository. */
	struct stat hs;
	if (is_dir_at(dfd, "git") && has_epoch(dfd)) {
		closedir(dir);
		w->kind = INGEST_GIT_V2;
		snprintf(w->desc, sizeof w->desc, "a public-inbox v2 inbox");
		return LA_OK;
	}
	if (is_dir_at(dfd, "objects") && is_dir_at(dfd, "refs") &&
	    fstatat(dfd, "HEAD", &hs, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(hs.st_mode)) {
		closedir(dir);
		w->kind = INGEST_GIT_V1;
		snprintf(w->desc, sizeof w->desc,
		         "a public-inbox v1 inbox (a bare git repository)");
		return LA_OK;
	}
	bool maildir = is_dir_at(dfd, "cur") && is_dir_at(dfd, "new");
	bool sequences = false;
	unsigned numbered = 0;
	unsigned long lowest = 0;
	char first[NAME_MAX + 1] = "";
	struct dirent *de;
	while ((de = readdir(dir))) {
		const char *nm = de->d_name;
		if (nm[0] == '.') {
			if (!strcmp(nm, ".mh_sequences"))
				sequences = true;
			else if (maildir && strcmp(nm, ".") && strcmp(nm, "..")) {
				/* A maildir++ subfolder: .NAME/ with its own cur/. */
				int sfd = openat(dfd, nm,
				                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				if (sfd >= 0) {
					w->subfolders += is_dir_at(sfd, "cur");
					close(sfd);
				}
			}
			continue;
		}
		size_t k = strspn(nm, "0123456789");
		struct stat sb;
		if (maildir || k == 0 || k > 9 || nm[k] ||
		    fstatat(dfd, nm, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(sb.st_mode))
			continue;
		unsigned long v = strtoul(nm, NULL, 10);
		if (numbered++ == 0 || v < lowest) {
			lowest = v;
			snprintf(first, sizeof first, "%s", nm);
		}
	}
	enum la_status e = LA_OK;
	if (maildir) {
		w->kind = INGEST_MAILDIR;
		snprintf(w->desc, sizeof w->desc, "%s",
		         w->subfolders ? "a maildir++ folder" : "a maildir");
	} else if (numbered || sequences) {
		w->kind = INGEST_MH;
		snprintf(w->desc, sizeof w->desc, "an MH folder");
		if (numbered) {
			/* Its first message must be mail: a directory of numbered
			 * junk is not an MH folder. */
			char *buf = malloc(SNIFF_MAX);
			int fd = openat(dfd, first, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			size_t n = 0;
			if (!buf || fd < 0 || io_pread_full(fd, buf, SNIFF_MAX, 0, &n))
				e = la_err_set(err, LA_EIO, "%s/%s: %s", path, first,
				               buf ? strerror(errno) : "out of memory");
			else {
				enum mbox_sniff sn = mbox_sniff(buf, n, n < SNIFF_MAX);
				if (sn != MBOX_SNIFF_MESSAGE && sn != MBOX_SNIFF_MBOX)
					e = la_err_set(
						err, LA_EINVAL,
						"%s: not a mailbox: a directory of numbered files (as an MH "
						"folder has), but %s is not a mail message (%s)",
						path, first, readable);
			}
			if (fd >= 0)
				close(fd);
			free(buf);
		}
	} else if (is_link_at(dfd, "cur") || is_link_at(dfd, "new")) {
		/* A maildir is mail, not a way into the rest of the disk. */
		e = la_err_set(
			err, LA_EINVAL,
			"%s: not read: its %s/ is a symbolic link (symbolic links are not followed "
			"out of a maildir)",
			path, is_link_at(dfd, "cur") ? "cur" : "new");
	} else {
		e = la_err_set(
			err, LA_EINVAL,
			"%s: not a mailbox: a directory, but neither a maildir (cur/ and new/) nor "
			"an MH folder (numbered message files) (%s)",
			path, readable);
	}
	closedir(dir);
	return e;
}

enum la_status ingest_what(const char *path, struct ingest_what *w, struct la_err *err)
{
	memset(w, 0, sizeof *w);
	struct stat sb;
	if (stat(path, &sb) != 0)
		return la_err_set(err, LA_EIO, "%s: %s", path, strerror(errno));
	if (S_ISDIR(sb.st_mode))
		return what_dir(path, w, err);
	if (!S_ISREG(sb.st_mode))
		return la_err_set(err, LA_EINVAL,
		                  "%s: not a mailbox: a %s, not a file or a directory (%s)", path,
		                  S_ISCHR(sb.st_mode)    ? "character device"
		                  : S_ISBLK(sb.st_mode)  ? "block device"
		                  : S_ISFIFO(sb.st_mode) ? "pipe"
		                  : S_ISSOCK(sb.st_mode) ? "socket"
		                                         : "special file",
		                  readable);
	return what_file(path, w, err);
}

/* ---- dotlocks ---- */

enum stale { LOCK_LIVE, LOCK_GONE, LOCK_STALE };

/* What the dotlock name (in dfd) is now: gone (removed since, or its
 * process has died: then it is removed), stale (older than
 * DOTLOCK_STALE), or live. */
static enum stale dotlock_check(int dfd, const char *name)
{
	int f = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (f < 0)
		return errno == ENOENT ? LOCK_GONE : LOCK_LIVE;
	struct stat sb;
	char b[24];
	size_t k = 0;
	la_ignore(io_read_full(f, b, sizeof b - 1, &k)); /* unreadable: no pid */
	bool ok = fstat(f, &sb) == 0;
	close(f);
	if (k > 0) {
		b[k] = '\0';
		char *end;
		long pid = strtol(b, &end, 10);
		if (pid > 0 && (*end == '\n' || *end == '\0') && kill((pid_t)pid, 0) != 0 &&
		    errno == ESRCH) {
			/* Left by a process that is gone (on this host). */
			struct stat now;
			if (fstatat(dfd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 && ok &&
			    now.st_ino == sb.st_ino)
				unlinkat(dfd, name, 0);
			return LOCK_GONE;
		}
	}
	return ok && time(NULL) - sb.st_mtime > DOTLOCK_STALE ? LOCK_STALE : LOCK_LIVE;
}

/* Creates the lock name in dfd holding our pid, all at once: written in
 * an unnamed file, then linked under its name (so no process that dies
 * leaves a lock without a pid).  Where the file system has no unnamed
 * files, an empty lock is created.  Returns 0, or an errno. */
static int dotlock_create(int dfd, const char *name)
{
	int t = openat(dfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	if (t >= 0) {
		char pid[24], proc[64];
		int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", t);
		int r = io_write_all(t, pid, (size_t)n) == LA_OK
		                ? linkat(AT_FDCWD, proc, dfd, name, AT_SYMLINK_FOLLOW)
		                : -1;
		int saved = errno;
		close(t);
		if (r == 0)
			return 0;
		if (saved != ENOENT && saved != EINVAL && saved != EOPNOTSUPP)
			return saved;
	} else if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
		return errno;
	}
	int f = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (f < 0)
		return errno;
	close(f);
	return 0;
}

enum lock_state dotlock_take(const char *path, char *lock, size_t n, bool *made)
{
	*made = false;
	if ((size_t)snprintf(lock, n, "%s.lock", path) >= n)
		return LOCK_NONE;
	char *dirpath = strdup(path);
	if (!dirpath)
		return LOCK_NONE;
	char *slash = strrchr(dirpath, '/');
	const char *name = strrchr(lock, '/') ? strrchr(lock, '/') + 1 : lock;
	if (slash)
		*(slash == dirpath ? slash + 1 : slash) = '\0';
	int dfd = open(slash ? dirpath : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dirpath);
	struct stat sb;
	/* A directory without write permission is read-only for us, root or
	 * not: nothing is created in it. */
	if (dfd < 0 || fstat(dfd, &sb) != 0 || !(sb.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH))) {
		if (dfd >= 0)
			close(dfd);
		return LOCK_NONE;
	}
	enum lock_state ls = LOCK_BUSY;
	for (unsigned waited = 0; waited < LOCK_WAIT * 1000;) {
		int r = dotlock_create(dfd, name);
		if (r == 0) {
			*made = true;
			ls = LOCK_TAKEN;
			break;
		}
		if (r != EEXIST) {
			ls = LOCK_NONE; /* EACCES, EROFS, EPERM, ENOSPC...: not here */
			break;
		}
		enum stale st = dotlock_check(dfd, name);
		if (st == LOCK_STALE) {
			ls = LOCK_TAKEN; /* disregarded, and left where it is */
			break;
		}
		if (st == LOCK_LIVE)
			lock_backoff(&waited);
	}
	close(dfd);
	return ls;
}

void dotlock_drop(const char *lock)
{
	unlink(lock);
}

/* ---- compressed mailboxes ----
 *
 * A compressed source is decompressed into a copy inside the archive
 * directory, DIR/sources/LIST/ID-NAME.mbox (ID: the source's number),
 * which its messages' offsets point into, so that pages and raw
 * downloads read it as they read any mbox.  A thread decompresses into
 * the copy while the reader thread indexes what is written (it waits for
 * more at the end: mbox_reader_follow).  On the next run the original is
 * read again: unchanged since the copy was last made whole (size, mtime,
 * fingerprint), nothing is done; otherwise the part indexed must come out
 * the same (else LA_ECHANGED, as for a rewritten mbox), and what follows
 * is new.  The original is only ever read. */

/* Decompressed bytes per write into the copy. */
#define UNPACK_CHUNK (1024 * 1024)

struct unpacker {
	pthread_mutex_t mu;
	pthread_cond_t more;
	struct unpack *u;
	int out;          /* the copy, written from `written` on */
	uint64_t written; /* bytes of the copy */
	bool ended;       /* nothing more will be written */
	bool stop;        /* the indexer gave up: stop early */
	enum la_status status;
	struct la_err err;
	char *chunk;
};

uint64_t unpacker_avail(void *arg, uint64_t want, bool *ended)
{
	struct unpacker *p = arg;
	pthread_mutex_lock(&p->mu);
	while (p->written < want && !p->ended)
		pthread_cond_wait(&p->more, &p->mu);
	uint64_t n = p->written;
	*ended = p->ended;
	pthread_mutex_unlock(&p->mu);
	return n;
}

enum la_status unpacker_status(const struct unpacker *p, char *note, size_t n)
{
	if (p->status)
		snprintf(note, n, "%s", p->err.msg);
	return p->status;
}

static void *unpacker_main(void *arg)
{
	struct unpacker *p = arg;
	enum la_status s = LA_OK;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		bool stop = p->stop;
		uint64_t at = p->written;
		pthread_mutex_unlock(&p->mu);
		if (stop)
			break;
		size_t got = 0;
		s = unpack_read(p->u, p->chunk, UNPACK_CHUNK, &got, &p->err);
		enum la_status w = got ? io_pwrite_all(p->out, p->chunk, got, at) : LA_OK;
		if (w) {
			s = la_err_set(&p->err, w, "writing the decompressed copy: %s",
			               w == LA_ENOSPC ? "no space left on device"
			                              : strerror(errno));
			got = 0;
		}
		pthread_mutex_lock(&p->mu);
		p->written += got;
		pthread_cond_broadcast(&p->more);
		pthread_mutex_unlock(&p->mu);
		if (s)
			break;
	}
	pthread_mutex_lock(&p->mu);
	p->status = s == LA_EOF ? LA_OK : s;
	p->ended = true;
	pthread_cond_broadcast(&p->more);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* A fingerprint of the compressed file: its size and its first and last
 * FP_BYTES. */
static int64_t file_fp(int fd, uint64_t size)
{
	char b[FP_BYTES];
	size_t n = size < FP_BYTES ? (size_t)size : FP_BYTES, got = 0;
	uint64_t h = hash64(&size, sizeof size, 3);
	if (io_pread_full(fd, b, n, 0, &got) == LA_OK)
		h ^= hash64(b, got, 4);
	if (io_pread_full(fd, b, n, size - n, &got) == LA_OK)
		h ^= hash64(b, got, 5);
	return (int64_t)h;
}

/* The copy's path for src: DIR/sources/LIST/ID-NAME.mbox, NAME the
 * original's file name without its compression suffix, in safe bytes.
 * Creates the directories. */
static enum la_status copy_path(struct store *st, int64_t list_id, const struct store_source *src,
                                const char *path, char *out, size_t n, struct la_err *err)
{
	char list[LISTNAME_MAX + 1];
	if (store_list_name(st, list_id, list, sizeof list))
		return la_err_set(err, LA_EDB, "index: no list %lld", (long long)list_id);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char name[128];
	size_t k = 0;
	for (const char *c = base; *c && k < 100; c++)
		name[k++] = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		                            (*c >= '0' && *c <= '9') || *c == '.' || *c == '-' ||
		                            *c == '_'
		                    ? *c
		                    : '_';
	name[k] = '\0';
	static const char *const suffixes[] = {".gz",   ".xz",    ".bz2", ".zst",
	                                       ".gzip", ".bzip2", ".zstd"};
	for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
		size_t sl = strlen(suffixes[i]);
		if (k > sl && strcmp(name + k - sl, suffixes[i]) == 0) {
			name[k -= sl] = '\0';
			break;
		}
	}
	const char *dir = store_dir(st);
	char d1[4200];
	snprintf(d1, sizeof d1, "%s/sources", dir);
	if (mkdir(d1, 0777) != 0 && errno != EEXIST)
		return la_err_set(err, LA_EIO, "%s: %s", d1, strerror(errno));
	snprintf(d1, sizeof d1, "%s/sources/%s", dir, list);
	if (mkdir(d1, 0777) != 0 && errno != EEXIST)
		return la_err_set(err, LA_EIO, "%s: %s", d1, strerror(errno));
	size_t nl = strlen(name);
	bool has_mbox = nl >= 5 && strcmp(name + nl - 5, ".mbox") == 0;
	if ((size_t)snprintf(out, n, "%s/%lld-%s%s", d1, (long long)src->id, name,
	                     has_mbox ? "" : ".mbox") >= n)
		return la_err_set(err, LA_EINVAL, "%s: path too long", d1);
	return LA_OK;
}

/* Reads exactly n decompressed bytes (fewer only at the end: *got). */
static enum la_status unpack_exact(struct unpack *u, char *buf, size_t n, size_t *got,
                                   struct la_err *err)
{
	*got = 0;
	while (*got < n) {
		size_t k;
		enum la_status s = unpack_read(u, buf + *got, n - *got, &k, err);
		*got += k;
		if (s)
			return s;
	}
	return LA_OK;
}

/* The decompressed stream up to src->done must be what the copy holds
 * (what was indexed); a copy that is missing or short is written again
 * from it, and then the stream's fingerprints must be the ones indexed.
 * Returns LA_OK, LA_ECHANGED (how in err), LA_EIO, LA_EINVAL. */
static enum la_status check_indexed(struct unpack *u, int copy, const struct store_source *src,
                                    const char *path, char *buf, struct la_err *err)
{
	struct stat sb;
	if (fstat(copy, &sb) != 0)
		return la_err_set(err, LA_EIO, "%s: %s", src->copy, strerror(errno));
	bool rewrite = (uint64_t)sb.st_size < src->done;
	char *mine = rewrite ? NULL : malloc(UNPACK_CHUNK);
	if (!rewrite && !mine)
		return la_err_set(err, LA_ENOMEM, "out of memory");
	uint64_t at = 0;
	int64_t fp_head = 0;
	enum la_status e = LA_OK;
	const char *how = NULL;
	struct la_err uerr = {0};
	while (at < src->done) {
		size_t want = src->done - at < UNPACK_CHUNK ? (size_t)(src->done - at)
		                                            : UNPACK_CHUNK,
		       got;
		enum la_status s = unpack_exact(u, buf, want, &got, &uerr);
		if (s == LA_EINVAL || s == LA_EIO) {
			e = la_err_set(err, s, "%s: %s", path, uerr.msg);
			break;
		}
		if (got < want) {
			how = "holds less than what was indexed (truncated)";
			break;
		}
		if (rewrite) {
			if ((e = io_pwrite_all(copy, buf, got, at))) {
				la_err_set(err, e, "%s: %s", src->copy, strerror(errno));
				break;
			}
		} else {
			size_t g2;
			if (io_pread_full(copy, mine, got, at, &g2) || g2 != got) {
				e = la_err_set(err, LA_EIO, "%s: %s", src->copy, strerror(errno));
				break;
			}
			if (memcmp(mine, buf, got) != 0) {
				how = "was rewritten (what it holds differs from what was indexed)";
				break;
			}
		}
		/* Fingerprints as commit_batch takes them from the copy. */
		if (at == 0)
			fp_head = (int64_t)hash64(buf, got < FP_BYTES ? got : FP_BYTES, 1);
		at += got;
	}
	free(mine);
	if (!e && !how && rewrite) {
		int64_t h = 0, t = 0;
		char tail[FP_BYTES];
		size_t n = src->done < FP_BYTES ? (size_t)src->done : FP_BYTES, g = 0;
		if (io_pread_full(copy, tail, n, src->done - n, &g) == LA_OK && g == n)
			t = (int64_t)hash64(tail, n, 2);
		h = fp_head;
		if (h != src->fp_head || t != src->fp_tail)
			how = "was rewritten (what it holds differs from what was indexed)";
	}
	if (!e && how)
		e = la_err_set(
			err, LA_ECHANGED,
			"%s %s: at %llu bytes of its decompressed data; to index it anew run "
			"`listarc index --rebuild LIST SOURCE...` (message URLs of this list may "
			"change)",
			path, how, (unsigned long long)src->done);
	return e;
}

/* The source of a compressed mbox, in the open transaction, with the
 * path of its decompressed copy (named on first use).  Returns LA_OK,
 * LA_ECHANGED (it was indexed uncompressed), LA_EDB, LA_EIO. */
static enum la_status packed_source(struct store *st, int64_t list_id, const char *path,
                                    struct store_source *src, struct la_err *err)
{
	enum la_status e = store_source_ensure(st, list_id, path, SOURCE_MBOX, src, err);
	if (e || src->copy[0])
		return e;
	if (src->done > 0)
		return la_err_set(
			err, LA_ECHANGED,
			"%s was indexed as an uncompressed mbox and is compressed now; to index it "
			"anew run `listarc index --rebuild LIST SOURCE...` (message URLs of this "
			"list may change)",
			path);
	return copy_path(st, list_id, src, path, src->copy, sizeof src->copy, err);
}

/* The compressed file as it is now, to tell whether it changed. */
struct packed_id {
	int64_t size, mtime, fp;
};

/* Brings the copy (open as p->out) up to where indexing resumes: the
 * part indexed checked against the stream (check_indexed), then the
 * first new chunk written after it, over whatever a run killed before it
 * committed left there.  What follows the part indexed must be a
 * message's start (after blank lines a last message indexed without one
 * gets from its writer), or nothing.  Sets *start and p's written,
 * ended, status and err.  Returns LA_OK, LA_ECHANGED, LA_EINVAL, LA_EIO,
 * LA_ENOSPC. */
static enum la_status resume_copy(struct unpacker *p, const struct store_source *src,
                                  const char *path, enum mbox_format fmt, uint64_t *start,
                                  struct la_err *err)
{
	enum la_status e = check_indexed(p->u, p->out, src, path, p->chunk, err);
	if (e)
		return e;
	*start = src->done;
	size_t got = 0;
	struct la_err uerr = {0};
	enum la_status s = unpack_read(p->u, p->chunk, UNPACK_CHUNK, &got, &uerr);
	if (s == LA_EINVAL || s == LA_EIO)
		return la_err_set(err, s, "%s: %s", path, uerr.msg);
	if (src->done > 0) {
		size_t skip = 0;
		while (skip < got && skip < 4 && (p->chunk[skip] == '\n' || p->chunk[skip] == '\r'))
			skip++;
		if (got > skip && !mbox_at_boundary(fmt, p->chunk + skip, got - skip))
			return la_err_set(
				err, LA_ECHANGED,
				"%s does not continue with %s where the last run stopped: at %llu bytes "
				"of its decompressed data; to index it anew run `listarc index --rebuild "
				"LIST SOURCE...` (message URLs of this list may change)",
				path, fmt == MBOX_FMT_MMDF ? "an MMDF separator" : "a From_ line",
				(unsigned long long)src->done);
		*start += skip;
	}
	if (ftruncate(p->out, (off_t)src->done) != 0 ||
	    (got && (e = io_pwrite_all(p->out, p->chunk, got, src->done))))
		return la_err_set(err, e ? e : LA_EIO, "%s: %s", src->copy,
		                  e == LA_ENOSPC ? "no space left on device" : strerror(errno));
	p->written = src->done + got;
	p->ended = s != LA_OK;
	p->status = s == LA_ECHANGED ? s : LA_OK;
	p->err = uerr;
	return LA_OK;
}

/* Indexes from start on while a thread decompresses the rest into the
 * copy (the reader follows it), then, if the copy was made whole and all
 * of it indexed, remembers the file as it is (id) so that the next run
 * over the same file does nothing.  Returns as index_span, or the
 * decompressor's failure. */
static enum la_status index_following(struct store *st, int64_t list_id, const char *path,
                                      struct store_source *src, struct unpacker *p,
                                      enum mbox_format fmt, uint64_t start,
                                      const struct packed_id *id, const struct ingest_opts *o,
                                      struct ingest_stats *stats, struct la_err *err)
{
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->more, NULL);
	pthread_t th;
	bool running = !p->ended && pthread_create(&th, NULL, unpacker_main, p) == 0;
	if (!p->ended && !running) {
		p->ended = true;
		p->status = la_err_set(&p->err, LA_ENOMEM, "cannot start the decompressing thread");
	}
	struct span_job j = {
		.st = st,
		.list_id = list_id,
		.path = path,
		.src = src,
		.fd = p->out,
		.start = start,
		.limit = UINT64_MAX,
		.fmt = fmt,
		.tail = TAIL_SOURCE,
		.follow = p,
	};
	enum la_status e;
	if (start == p->written && p->ended)
		e = store_commit(st, src, err); /* nothing new */
	else
		e = index_span(&j, o, stats, err);
	if (running) {
		pthread_mutex_lock(&p->mu);
		p->stop = true;
		pthread_mutex_unlock(&p->mu);
		pthread_join(th, NULL);
	}
	pthread_cond_destroy(&p->more);
	pthread_mutex_destroy(&p->mu);
	if (!e && p->status && p->status != LA_ECHANGED)
		e = la_err_set(err, p->status, "%s: %s", path, p->err.msg);
	if (!e && p->status == LA_OK && src->done == p->written) {
		src->orig_size = id->size;
		src->orig_mtime = id->mtime;
		src->orig_fp = id->fp;
		src->copy_len = (int64_t)p->written;
		if (!(e = store_begin_batch(st, err)))
			e = store_commit(st, src, err);
	}
	return e;
}

enum la_status ingest_packed(struct store *st, int64_t list_id, const char *path, int fd,
                             const struct ingest_what *w, const struct ingest_opts *o,
                             struct ingest_stats *stats, struct la_err *err)
{
	struct store_source src;
	struct unpacker p;
	memset(&p, 0, sizeof p);
	p.out = -1;
	enum mbox_format fmt = w->kind == INGEST_MMDF ? MBOX_FMT_MMDF : MBOX_FMT_MBOX;
	enum la_status e = store_begin_batch(st, err);
	if (e)
		return e;
	if ((e = packed_source(st, list_id, path, &src, err)))
		goto out;
	struct stat sb, csb;
	if (fstat(fd, &sb) != 0) {
		e = la_err_set(err, LA_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	struct packed_id id = {(int64_t)sb.st_size,
	                       (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec,
	                       file_fp(fd, (uint64_t)sb.st_size)};
	p.out = open(src.copy, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (p.out < 0 || fstat(p.out, &csb) != 0) {
		e = la_err_set(err, LA_EIO, "%s: %s", src.copy, strerror(errno));
		goto out;
	}
	/* Unchanged since the copy was last made whole and all indexed. */
	if (src.orig_size == id.size && src.orig_mtime == id.mtime && src.orig_fp == id.fp &&
	    src.copy_len == (int64_t)src.done && (uint64_t)csb.st_size >= src.done) {
		e = store_commit(st, NULL, err);
		goto out;
	}
	p.chunk = malloc(UNPACK_CHUNK);
	p.u = unpack_new(fd, w->packed);
	lseek(fd, 0, SEEK_SET);
	if (!p.chunk || !p.u) {
		e = la_err_set(err, LA_ENOMEM, "out of memory");
		goto out;
	}
	uint64_t start;
	if (!(e = resume_copy(&p, &src, path, fmt, &start, err)))
		e = index_following(st, list_id, path, &src, &p, fmt, start, &id, o, stats, err);
out:
	/* A failure before or while indexing leaves no transaction open
	 * (index_span rolls its own back). */
	if (e)
		store_rollback(st);
	unpack_free(p.u);
	free(p.chunk);
	if (p.out >= 0)
		close(p.out);
	return e;
}
