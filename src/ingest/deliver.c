/* deliver.c: `listarc deliver`'s work: one message from an MTA appended
 * to the list's own mbox (under the lock mail programs take, with no half
 * message left on failure, and no second copy when an MTA retries), then
 * indexed. */
#include "ingest/ingest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ingest/ingest_int.h"
#include "limits.h"
#include "msg/header.h"
#include "util/buf.h"

/* Whether the file (of `size` bytes) ends with a message from `sender`
 * whose bytes after its From_ line are `body` (quoted, with its blank
 * line): the same delivery again.  An MTA delivers again when the last
 * attempt gave no exit status (killed, or the machine went down) after
 * its write; the message is then at the end of the file already, and is
 * not written twice.  Only the last message is compared, from the end,
 * in chunks; its From_ line's date may differ (it may be "now"). */
static bool is_last_message(int fd, off_t size, const char *sender, const char *body, size_t n)
{
	char line[600];
	size_t slen = strlen(sender);
	if (n == 0 || (uint64_t)size < n + 6 + slen)
		return false;
	char chunk[16384];
	for (size_t cmp = 0; cmp < n;) {
		size_t k = n - cmp < sizeof chunk ? n - cmp : sizeof chunk;
		size_t got = 0;
		if (io_pread_full(fd, chunk, k, (uint64_t)size - cmp - k, &got) || got != k ||
		    memcmp(chunk, body + n - cmp - k, k) != 0)
			return false;
		cmp += k;
	}
	/* Before it: a whole From_ line of this sender, at the start of the
	 * file or after a newline. */
	uint64_t at = (uint64_t)size - n;
	size_t k = at < sizeof line ? (size_t)at : sizeof line;
	size_t got = 0;
	if (k == 0 || io_pread_full(fd, line, k, at - k, &got) || got != k || line[k - 1] != '\n')
		return false;
	size_t ls = k - 1;
	while (ls > 0 && line[ls - 1] != '\n')
		ls--;
	if (ls == 0 && at > k)
		return false; /* a From_ line longer than ours can be */
	return k - ls > 5 + slen && memcmp(line + ls, "From ", 5) == 0 &&
	       memcmp(line + ls + 5, sender, slen) == 0 && line[ls + 5 + slen] == ' ';
}

/* Where the half message an earlier attempt of this same delivery left
 * starts, if the file ends with one: its process was killed in the middle
 * of its write (a torn write), after `indexed`, the bytes the index has
 * taken.  The attempt wrote the same bytes as this one (want: the From_
 * line and the message; its date is the message's own, so the same), so
 * the file's tail from a line start is then a proper prefix of want.
 * Returns that line start, or -1 when the tail is anything else (whole
 * messages, another message's half, or bytes the index has). */
static off_t torn_start(int fd, off_t size, uint64_t indexed, const char *want, size_t n)
{
	if (n < 6 || size <= 0 || (uint64_t)size <= indexed)
		return -1;
	/* The tail that could be ours: shorter than want, after `indexed`. */
	uint64_t span = (uint64_t)size - indexed < n - 1 ? (uint64_t)size - indexed : n - 1;
	char *tail = malloc(span + 1);
	size_t got = 0;
	off_t at = -1;
	/* One byte before the span says whether its first byte starts a line. */
	uint64_t from = (uint64_t)size - span;
	bool before = from > 0;
	if (tail && !io_pread_full(fd, tail, span + before, from - before, &got) &&
	    got == span + before) {
		const char *t = tail + before;
		/* The earliest line start whose rest is a prefix of want: the
		 * From_ line want begins with, not a copy of it further on. */
		for (uint64_t i = 0; i < span; i++) {
			bool line_start = i > 0 ? t[i - 1] == '\n' : (!before || tail[0] == '\n');
			if (line_start && memcmp(t + i, want, span - i) == 0 && span - i >= 5 &&
			    memcmp(t + i, "From ", 5) == 0) {
				at = (off_t)(from + i);
				break;
			}
		}
	}
	free(tail);
	return at;
}

/* Puts into b the blank line the file (of size bytes) still needs before
 * a From_ line, then the message with its From_ line; returns where the
 * From_ line starts in b. */
static size_t with_message(struct buf *b, int fd, off_t size, const char *sender, int64_t ts,
                           const char *msg, size_t len)
{
	if (size > 0) {
		char tail[2] = {0, 0};
		size_t got = 0;
		size_t k = size >= 2 ? 2 : 1;
		/* Unreadable, it is taken as not ending so: a blank line more. */
		la_ignore(io_pread_full(fd, tail + 2 - k, k, (uint64_t)(size - (off_t)k), &got));
		if (tail[1] != '\n')
			buf_adds(b, "\n\n");
		else if (tail[0] != '\n')
			buf_addc(b, '\n');
	}
	size_t from_at = b->len;
	mbox_add_message(b, sender, ts, msg, len);
	return from_at;
}

enum la_status ingest_append_mbox(const char *path, const char *msg, size_t len, const char *sender,
                                  int64_t ts, bool once, ingest_indexed_fn *indexed, void *arg,
                                  int wait_seconds, struct la_err *err)
{
	int fd = -1;
	struct stat sb;
	for (unsigned waited = 0;;) {
		if (fd < 0 && (fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) < 0)
			return la_err_set(err, errno == ENOSPC ? LA_ENOSPC : LA_EIO, "%s: %s", path,
			                  strerror(errno));
		struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
		if (fcntl(fd, F_SETLK, &fl) == 0) {
			/* `listarc purge` renames a new file over the mbox while
			 * holding this lock on the old one: a lock won on a file no
			 * longer at path is let go, and path opened again. */
			struct stat now;
			if (fstat(fd, &sb) != 0) {
				close(fd);
				return la_err_set(err, LA_EIO, "%s: %s", path, strerror(errno));
			}
			if (stat(path, &now) == 0 && now.st_ino == sb.st_ino &&
			    now.st_dev == sb.st_dev)
				break;
			close(fd);
			fd = -1;
			continue;
		}
		if ((errno != EAGAIN && errno != EACCES) ||
		    waited >= (unsigned)(wait_seconds > 0 ? wait_seconds : 0) * 1000) {
			close(fd);
			return la_err_set(err, LA_EAGAIN, "%s: locked by another writer", path);
		}
		lock_backoff(&waited);
	}
	off_t old = sb.st_size;
	struct buf b;
	buf_init(&b, len * 2 + 8192);
	size_t from_at = with_message(&b, fd, old, sender, ts, msg, len);
	enum la_status e = b.err;
	/* An earlier attempt of this delivery killed halfway through its
	 * write left half of these bytes: cut them off and write the whole.
	 * What the index holds is asked only when there is such a half, and
	 * only now: under the write lock no indexer reads the file, and one
	 * that ran before has committed what it took. */
	off_t torn = !e && once ? torn_start(fd, old, 0, b.data + from_at, b.len - from_at) : -1;
	if (torn >= 0)
		torn = torn_start(fd, old, indexed(arg), b.data + from_at, b.len - from_at);
	if (torn >= 0) {
		if (ftruncate(fd, torn) == 0) {
			old = torn;
			buf_reset(&b);
			from_at = with_message(&b, fd, old, sender, ts, msg, len);
			e = b.err;
		} else {
			e = errno == ENOSPC ? LA_ENOSPC : LA_EIO;
		}
	}
	/* The message's bytes start after the From_ line (sender has no
	 * newline). */
	const char *nl = e ? NULL : memchr(b.data + from_at, '\n', b.len - from_at);
	size_t body_at = nl ? (size_t)(nl - b.data) + 1 : b.len;
	bool again =
		!e && once && is_last_message(fd, old, sender, b.data + body_at, b.len - body_at);
	if (!e && !again)
		e = io_write_all(fd, b.data, b.len);
	if (!e && fsync(fd) != 0)
		e = errno == ENOSPC ? LA_ENOSPC : LA_EIO;
	if (e) {
		/* Leave no half message behind. */
		if (ftruncate(fd, old) != 0) {
			/* Nothing more to do: the indexer will leave the broken tail
			 * alone until it settles, and report it. */
		}
		la_err_set(err, e, "%s: cannot append: %s", path,
		           e == LA_ENOSPC ? "no space left on device" : strerror(errno));
	}
	buf_free(&b);
	close(fd); /* releases the lock */
	return e;
}

/* A From_ line sender: one token of printable ASCII, else MAILER-DAEMON. */
static void clean_sender(char *out, size_t n, const char *in, size_t len)
{
	size_t k = 0;
	for (size_t i = 0; i < len && k + 1 < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c > 32 && c < 127 && c != '<' && c != '>')
			out[k++] = (char)c;
	}
	out[k] = '\0';
	if (k == 0)
		snprintf(out, n, "MAILER-DAEMON");
}

/* The sender given, else the message's Return-Path:. */
static void pick_sender(char *out, size_t n, const char *given, const char *msg, size_t len)
{
	if (given && *given) {
		clean_sender(out, n, given, strlen(given));
		return;
	}
	struct hdr_iter it;
	struct hdr_field f;
	hdr_iter_init(&it, msg, len < HEAD_MAX ? len : HEAD_MAX);
	while (hdr_next(&it, &f))
		if (span_ieq(f.name, "return-path")) {
			struct span v = span_trim(f.value);
			clean_sender(out, n, v.p, v.n);
			return;
		}
	clean_sender(out, n, "", 0);
}

/* The whole message from fd, into msg: nothing is written until it is
 * in. */
static enum la_status read_whole(int fd, struct buf *msg, struct la_err *err)
{
	/* Read to the end even past the bound: an MTA writing into a pipe
	 * that closed early would see a write error, not our exit status. */
	char chunk[65536];
	size_t got;
	do {
		if (io_read_full(fd, chunk, sizeof chunk, &got))
			return la_err_set(err, LA_EIO, "reading the message: %s", strerror(errno));
		buf_add(msg, chunk, got);
	} while (got == sizeof chunk);
	if (msg->err == LA_ETOOBIG)
		return la_err_set(err, LA_ETOOBIG, "message larger than %zu MiB refused",
		                  DELIVER_MAX >> 20);
	if (msg->err)
		return la_err_set(err, msg->err, "out of memory reading the message");
	return LA_OK;
}

/* The message without the From_ line an MTA may put first (ours
 * replaces it). */
static struct span without_fromline(const struct buf *msg)
{
	struct span s = span_make(msg->data, msg->len);
	if (s.n >= 5 && memcmp(s.p, "From ", 5) == 0) {
		const char *nl = memchr(s.p, '\n', s.n);
		size_t skip = nl ? (size_t)(nl - s.p) + 1 : s.n;
		s.p += skip;
		s.n -= skip;
	}
	return s;
}

/* Makes DIR and DIR/mbox/ (mdir, n bytes, gets the latter's path). */
static enum la_status make_dirs(const char *dir, char *mdir, size_t n, struct ingest_delivery *d,
                                struct la_err *err)
{
	snprintf(mdir, n, "%s/mbox", dir);
	if ((mkdir(dir, 0777) == 0 || errno == EEXIST) &&
	    (mkdir(mdir, 0777) == 0 || errno == EEXIST))
		return LA_OK;
	int saved = errno;
	d->cannot_create = saved != ENOSPC;
	return la_err_set(err, saved == ENOSPC ? LA_ENOSPC : LA_EIO, "%s: %s", mdir,
	                  strerror(saved));
}

/* Finds the source whose path (as stored) is want->rel. */
struct indexed_of {
	const char *rel;
	uint64_t done;
};
static bool source_done(const struct store_source *s, void *arg)
{
	struct indexed_of *w = arg;
	if (strcmp(s->path, w->rel) != 0)
		return true;
	w->done = s->done;
	return false;
}

/* The path of the mbox the list's mail goes to (store_list_mbox: after
 * `listarc list rename`, the one it had) into rel (n bytes), relative to
 * dir: mbox/LIST.mbox in an archive with no index yet. */
static enum la_status list_mbox(const char *dir, const char *list, char *rel, size_t n,
                                struct la_err *err)
{
	snprintf(rel, n, "mbox/%s.mbox", list);
	struct store *st = NULL;
	enum la_status e = store_open(&st, dir, STORE_READ, err);
	if (e == LA_ENOTFOUND)
		return LA_OK;
	if (e)
		return e;
	int64_t id = 0;
	e = store_list_id(st, list, &id); /* 0 if it is new */
	if (!e || e == LA_ENOTFOUND)
		e = store_list_mbox(st, id, list, rel, n);
	store_close(st);
	if (e)
		return la_err_set(err, LA_EDB, "%s: the index does not say which mbox is %s's", dir,
		                  list);
	return LA_OK;
}

/* ingest_indexed_fn: the bytes of the list's mbox the index holds (0 if
 * none); all of it when that cannot be read, so that nothing is cut
 * (torn_start). */
struct mbox_of {
	const char *dir, *list, *rel;
};
static uint64_t mbox_indexed(void *arg)
{
	const struct mbox_of *m = arg;
	struct store *st = NULL;
	struct la_err err = {0};
	enum la_status e = store_open(&st, m->dir, STORE_READ, &err);
	if (e == LA_ENOTFOUND)
		return 0;
	if (e)
		return UINT64_MAX;
	int64_t id = 0;
	struct indexed_of w = {m->rel, 0};
	e = store_list_id(st, m->list, &id);
	if (e == LA_ENOTFOUND || (!e && id == 0))
		w.done = 0;
	else if (e || store_sources(st, id, source_done, &w))
		w.done = UINT64_MAX;
	store_close(st);
	return w.done;
}

/* Indexes what is new in the list's mbox.  The index is opened before
 * the archive lock and closed after it, so that the deliveries queued
 * behind this one wait only for the indexing. */
static enum la_status index_delivered(const char *dir, const char *list, const char *mbox,
                                      int wait_seconds, struct la_err *err)
{
	struct store *st = NULL;
	struct conf *cf = NULL;
	int lockfd = -1;
	enum la_status e = store_open(&st, dir, STORE_WRITE, err);
	if (!e)
		e = ingest_lock(dir, wait_seconds, &lockfd, err);
	/* (Opened before the lock: a rebuild may have been swapped in
	 * meanwhile.) */
	if (!e && (e = store_fts_follow(st)))
		la_err_set(err, e, "index: following the search index's rebuild: %s",
		           store_errmsg(st));
	if (!e) {
		int64_t list_id;
		struct ingest_opts o;
		ingest_opts_init(&o);
		o.settle = 0; /* we hold the mbox's last message complete */
		/* The thread-break list and mailmap; a file that does not load
		 * delays nothing: the message is indexed without them. */
		struct la_err cerr = {0};
		if (conf_load(dir, &cf, &cerr) == LA_OK)
			o.conf = cf;
		struct ingest_stats stats = {0};
		/* While the search index is rebuilt, its rebuild gives the new
		 * message its search rows. */
		char mode[16] = "on";
		la_ignore(store_meta_get(st, "search", mode, sizeof mode)); /* absent: on */
		bool rebuilding = strcmp(mode, "rebuilding") == 0;
		o.search = !rebuilding;
		e = store_list_ensure(st, list, &list_id, err);
		if (!e)
			e = ingest_source(st, list_id, mbox, &o, &stats, err);
		/* Search rows of an older listarc's form are rebuilt a share
		 * at a time, a delivery holding the lock no longer than that
		 * (an archive that only `deliver` feeds is never otherwise
		 * rebuilt); `listarc index` does the rest at once. */
		o.reindex_max = DELIVER_REINDEX_MSGS;
		/* Tests make the share small, to see a rebuild go on (0:
		 * none, to see an older index searched). */
		const char *share = getenv("LISTARC_DELIVER_REINDEX");
		if (share && *share)
			o.reindex_max = (uint64_t)atoi(share);
		if (!e && o.reindex_max && (rebuilding || strcmp(mode, "on") == 0) &&
		    !store_search_current(st)) {
			uint64_t done = 0;
			struct la_err rerr = {0};
			/* The message is indexed: a failed share only waits for
			 * the next run. */
			la_ignore(ingest_reindex_search(st, &o, &done, &rerr));
		}
	}
	if (lockfd >= 0)
		close(lockfd);
	store_close(st);
	conf_free(cf);
	return e;
}

enum la_status ingest_deliver(const char *dir, const char *list, int fd, const char *sender,
                              int wait_seconds, struct ingest_delivery *d, struct la_err *err)
{
	memset(d, 0, sizeof *d);
	struct buf msg;
	buf_init(&msg, DELIVER_MAX);
	struct msg_summary *sum = NULL;
	enum la_status e = read_whole(fd, &msg, err);
	if (e)
		goto out;
	struct span body = without_fromline(&msg);
	if (body.n == 0) {
		e = la_err_set(err, LA_EINVAL, "empty message refused");
		goto out;
	}
	char from[256];
	pick_sender(from, sizeof from, sender, body.p, body.n);

	/* The From_ line's date (and so the URL date): the first Received:,
	 * else Date:, else now. */
	if (!(sum = malloc(sizeof *sum))) {
		e = la_err_set(err, LA_ENOMEM, "out of memory");
		goto out;
	}
	msg_summary_parse(sum, body.p,
	                  hdr_block_len(body.p, body.n < HEAD_MAX ? body.n : HEAD_MAX));
	int64_t ts;
	int day;
	ingest_delivery_date(sum, (int64_t)time(NULL), &ts, &day);
	bool once = sum->msgid[0] != '\0';

	char mdir[4200], rel[4096], mbox[8200];
	if ((e = make_dirs(dir, mdir, sizeof mdir, d, err)))
		goto out;
	if ((e = list_mbox(dir, list, rel, sizeof rel, err)))
		goto out;
	snprintf(mbox, sizeof mbox, "%s/%s", dir, rel);
	struct mbox_of of = {dir, list, rel};
	if ((e = ingest_append_mbox(mbox, body.p, body.n, from, ts, once, mbox_indexed, &of,
	                            wait_seconds, err)))
		goto out;

	/* Stored: from here on the message is safe, and a failure to index
	 * it now only delays it until the next `listarc index`. */
	struct la_err ierr = {0};
	d->indexed = index_delivered(dir, list, mbox, wait_seconds, &ierr) == LA_OK;
	if (!d->indexed)
		snprintf(d->note, sizeof d->note, "%s", ierr.msg);
out:
	free(sum);
	buf_free(&msg);
	return e;
}
