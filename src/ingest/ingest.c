/* ingest.c: sources into the index, in crash-safe batches: the reader
 * and writer threads that index a file of messages, live mboxes read
 * under their writers' locks, maildirs and MH folders. */
#define _GNU_SOURCE
#include "ingest/ingest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ingest/ingest_int.h"
#include "limits.h"
#include "mbox/mbox.h"
#include "msg/ftsrow.h"
#include "msg/header.h"
#include "util/civil.h"
#include "util/handoff.h"
#include "util/hash.h"
#include "util/io.h"
#include "util/stem.h"
#include "util/utf8.h"
#include "util/vec.h"

/* Messages per transaction.  Bigger batches are faster; any size is
 * crash-safe because the resume point commits with the messages.  What a
 * commit does again for everything a batch touched (the series of each
 * thread that grew, the figures of each such thread) made 5,000 cost 1.2x
 * the CPU of 20,000 at 100,000 messages; the peak RSS grew by 1.5 MB. */
#define BATCH_MSGS 20000
#define BATCH_BYTES (64u << 20)
/* A large span's pages are let go of in steps of this many bytes
 * (drop_behind_every). */
#define DROP_BEHIND_STEP (64u << 20)

struct break_ctx {
	const struct conf *conf;
	const char *from_addr;
};

static bool breaks_thread(const char *id, void *arg)
{
	const struct break_ctx *b = arg;
	return conf_thread_break(b->conf, id) ||
	       (b->from_addr[0] && strcasecmp(id, b->from_addr) == 0);
}

void ingest_adjust(const struct conf *conf, struct msg_summary *sum)
{
	struct break_ctx b = {conf, sum->from_addr};
	msg_summary_drop_refs(sum, breaks_thread, &b);
	const char *name = conf_mailmap_name(conf, sum->from_addr);
	if (name) {
		size_t n = strlen(name);
		if (n > NAME_MAX_BYTES)
			n = utf8_trunc(name, NAME_MAX_BYTES);
		memcpy(sum->from_name, name, n);
		sum->from_name[n] = '\0';
	}
}

void ingest_opts_init(struct ingest_opts *o)
{
	memset(o, 0, sizeof *o);
	o->settle = 10;
	o->batch = BATCH_MSGS;
	o->search = true;
	const char *e = getenv("LISTARC_SETTLE");
	if (e && *e)
		o->settle = atof(e);
	/* Tests make batches small so that kills land inside commits. */
	e = getenv("LISTARC_BATCH");
	if (e && atoi(e) > 0)
		o->batch = (unsigned)atoi(e);
}

/* Seconds since a file's last change, to the nanosecond: in whole
 * seconds a file changed 10 ms ago can look a second old, which is as old
 * as a short settle time. */
static double age_of(const struct stat *sb)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return (double)(now.tv_sec - sb->st_mtim.tv_sec) +
	       (double)(now.tv_nsec - sb->st_mtim.tv_nsec) / 1e9;
}

static int day_of(int64_t ts)
{
	struct la_date d;
	date_from_unix(ts, &d);
	return civil_daykey(d.year, d.mon, d.day);
}

bool ingest_delivery_date(const struct msg_summary *sum, int64_t fallback_ts, int64_t *ts, int *day)
{
	bool ok = true;
	if (sum->has_received)
		*ts = date_unix(&sum->received);
	else if (sum->has_date)
		*ts = date_unix(&sum->date);
	else {
		*ts = fallback_ts;
		ok = false;
	}
	/* Keep URL years within 0001..9999 whatever the header claims. */
	if (*ts < -62135596800LL || *ts > 253402300799LL) {
		*ts = fallback_ts;
		ok = false;
	}
	*day = day_of(*ts);
	return ok;
}

/* Fingerprints of an mbox up to done: its first and its last FP_BYTES. */
enum la_status ingest_fingerprints(int fd, uint64_t done, int64_t *head, int64_t *tail)
{
	char buf[FP_BYTES];
	size_t got;
	size_t n = done < FP_BYTES ? (size_t)done : FP_BYTES;
	if (io_pread_full(fd, buf, n, 0, &got) || got != n)
		return LA_EIO;
	*head = (int64_t)hash64(buf, n, 1);
	if (io_pread_full(fd, buf, n, done - n, &got) || got != n)
		return LA_EIO;
	*tail = (int64_t)hash64(buf, n, 2);
	return LA_OK;
}

/* The waits for a lock poll: 1 ms, then 2, 4, 8 and 10 ms at most
 * between tries.  Polling every 100 ms (as this once did) made deliveries
 * that queue behind each other wait that long for every hand-over: 24 a
 * second at best, however short the work under the lock.  Adds the time
 * slept to *waited_ms. */
void lock_backoff(unsigned *waited_ms)
{
	unsigned ms = *waited_ms < 15 ? (*waited_ms + 1 > 8 ? 8 : *waited_ms + 1) : 10;
	struct timespec ts = {0, (long)ms * 1000 * 1000};
	nanosleep(&ts, NULL);
	*waited_ms += ms;
}

/* Waits (up to LOCK_WAIT s) for writers that lock the mbox with fcntl
 * (procmail, postfix, mutt, `listarc deliver`) to finish, and takes a
 * read lock, which is held while the file is read (until fd is closed). */
static enum lock_state fcntl_readlock(int fd)
{
	struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET};
	for (unsigned waited = 0; waited < LOCK_WAIT * 1000;) {
		if (fcntl(fd, F_SETLK, &fl) == 0)
			return LOCK_TAKEN;
		if (errno != EAGAIN && errno != EACCES)
			return LOCK_NONE; /* ENOLCK: a file system without locks */
		lock_backoff(&waited);
	}
	return LOCK_BUSY;
}

void ingest_warn(const struct ingest_opts *o, const char *fmt, ...)
{
	if (!o->warn)
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	o->warn(line, o->warn_arg);
}

static enum la_status commit_batch(struct store *st, int fd, struct store_source *src,
                                   struct la_err *err)
{
	if (src->kind == SOURCE_MBOX && src->done > 0 &&
	    ingest_fingerprints(fd, src->done, &src->fp_head, &src->fp_tail))
		return la_err_set(err, LA_EIO, "%s: cannot read back: %s", src->path,
		                  strerror(errno));
	return store_commit(st, src, err);
}

static void report(const struct ingest_opts *o, const char *path, uint64_t done, uint64_t total,
                   uint64_t msgs)
{
	if (!o->progress)
		return;
	struct ingest_progress p = {path, done, total, msgs};
	o->progress(&p, o->progress_arg);
}

/* ---- a file of messages: a reader thread and a writer thread ----
 *
 * Scanning and header parsing run on one core while SQLite writes on the
 * other: the reader fills slots of a ring with parsed messages, the
 * writer (the calling thread) adds them to the index in order and commits
 * in batches.  Everything the reader hands over is a copy, so the reader
 * may move on at once.
 *
 * The ring lets the reader go on for a while when the writer waits for
 * the search thread to take its rows (store/write.c, fts_queue) rather
 * than both waiting with a core idle: at 16 slots, a run of 100,000
 * messages with search had the reader wait for a slot ~6.5 s and the
 * writer for a message ~4 s (bench/README.md, "Indexing with search").
 * A slot is ~39 KB (its summary's fixed fields), and its text keeps its
 * buffers from message to message up to SLOT_TEXT_KEEP, freed beyond
 * that before the slot is filled again: the ring holds RING typical
 * messages, not RING of the longest (at 256 slots without that, the
 * peak RSS with search at 100k went from 60 to 82 MB). */
#define RING 64

struct slot {
	struct msg_summary sum;
	uint64_t start, off, len, end;
	int day;
	int64_t ts;
	bool date_fallback;
	char made_up[64]; /* "" if the message has its own Message-ID */
	bool has_text;
	struct msg_text text;
	struct msg_fts_row fts; /* text's row of the search index, prepared */
};

struct ring {
	struct handoff h; /* who has which slot (util/handoff.h) */
	struct slot *slot;
	enum la_status status; /* the reader's, once it has finished */
	struct la_err err;
	bool pending; /* a trailing message was left for later */
	char note[512];
	uint64_t largest; /* the longest message read (for the warning) */
	/* The reader's inputs. */
	struct mbox_reader *r;
	const struct span_job *job;
	int64_t last_ts;
	bool pipermail; /* a From_ line with a spaced sender or a From:
	                   hidden as pipermail hides it was seen: the
	                   file is a pipermail export */
	double settle;
	bool search;
	const struct conf *conf;
	struct buf raw, unq; /* the reader's scratch for message bytes */
	/* The one stemmer the slots' texts share (the reader fills them
	 * in turn): one each was 16 × 0.8 MB of the peak RSS. */
	struct stemmer *stemmer;
	/* The form of the search index's rows the reader prepares (asked
	 * of the store once, at ring_init), and its scratch for the stems:
	 * the search thread then only inserts them. */
	enum msg_fts_cols fts_cols;
	struct buf fts_scratch;
	bool prep_always; /* (LISTARC_FTS_PREP=1: ingest_prep_here) */
};

/* Reads a message's bytes (up to what search needs) into unq, with its
 * mboxrd quoting undone if it has any (an mbox's message: quoted). */
static bool read_message(int fd, uint64_t off, uint64_t len, bool quoted, struct buf *raw,
                         struct buf *unq)
{
	size_t n = len < SEARCH_TEXT_MAX * 8 ? (size_t)len : SEARCH_TEXT_MAX * 8;
	buf_reset(raw);
	buf_reset(unq);
	if (buf_reserve(raw, n))
		return false;
	size_t got;
	if (io_pread_full(fd, raw->data, n, off, &got) || got != n)
		return false;
	raw->len = n;
	if (quoted)
		mbox_unquote(unq, raw->data, n);
	else
		buf_add(unq, raw->data, n);
	return !unq->err;
}

/* Is m, the message at the end of what is read, left for the next run?
 * Read under the writers' locks it is whole (TAIL_TAKE).  It is left
 * while a writer holds a lock; where no lock can be taken, until the
 * file has not changed for the settle time nor grown while it was read
 * (0: indexed at once); and at the end of a compressed file whose data
 * ends early.  Once settled, a last message without a blank line after
 * it is indexed as it is.  Sets q->pending and q->note when it is left. */
static bool pending_tail(struct ring *q, const struct mbox_msg *m)
{
	const struct span_job *j = q->job;
	char why[300];
	double age = j->age;
	switch (j->tail) {
	case TAIL_TAKE: return false;
	case TAIL_LOCKED:
		snprintf(why, sizeof why, "another process holds a lock on the file");
		break;
	case TAIL_SETTLE: {
		struct stat sb;
		bool grew = false;
		if (fstat(j->fd, &sb) == 0) {
			age = age_of(&sb);
			grew = (uint64_t)sb.st_size > m->end;
		}
		if (grew)
			snprintf(why, sizeof why,
			         "no lock can be taken, and the file grew while it was read");
		else if (q->settle > 0 && age < q->settle)
			snprintf(
				why, sizeof why,
				"no lock can be taken, and the file changed less than LISTARC_SETTLE "
				"seconds ago, %.1fs ago",
				age);
		else
			return false;
		break;
	}
	case TAIL_SOURCE: {
		char note[256];
		if (!j->follow || unpacker_status(j->follow, note, sizeof note) == LA_OK)
			return false;
		snprintf(why, sizeof why, "%s", note);
		break;
	}
	}
	q->pending = true;
	snprintf(
		q->note, sizeof q->note,
		"%s: the message at offset %llu may still be being written (%s): left for the next "
		"run",
		j->path, (unsigned long long)m->start, why);
	return true;
}

/* The URL date of m from its From_ line.  The From_ line's date, as
 * written, is the delivery date, except:
 * - a placeholder (1970-01-01, git's 2001-09-17) is no date: Received:,
 *   then Date:, as for a maildir;
 * - in a pipermail export (a From_ line with a spaced sender, or a From:
 *   hidden as pipermail hides it, or pipermail's "bogus@does.not.exist.com",
 *   seen in this file: pipermail writes the sender it had, and some have
 *   no spaces) the date is the archive server's
 *   local time, zone unknown: Date: (in UTC) is taken instead when it is
 *   within two days of it (a sender's clock that far off is wrong, and
 *   the server's date is kept).
 * Returns false if sl's date came from the fallback. */
static bool from_date(const struct mbox_msg *m, struct slot *sl, bool pipermail, int64_t fallback)
{
	if (!m->has_date || (m->flags & MBOX_F_PLACEHOLDER))
		return ingest_delivery_date(&sl->sum, fallback, &sl->ts, &sl->day);
	sl->day = civil_daykey(m->date.year, m->date.mon, m->date.day);
	sl->ts = date_unix(&m->date);
	if (pipermail && sl->sum.has_date) {
		int64_t d = date_unix(&sl->sum.date);
		if (d - sl->ts <= 2 * 86400 && sl->ts - d <= 2 * 86400) {
			sl->ts = d;
			sl->day = day_of(d);
		}
	}
	return true;
}

bool ingest_prep_always(void)
{
	const char *p = getenv("LISTARC_FTS_PREP");
	return p && strcmp(p, "1") == 0;
}

bool ingest_prep_here(const struct handoff *h, size_t size, bool always)
{
	return always || handoff_ahead(h) * 2 >= size;
}

/* What slot text t holds: its buffers' room. */
size_t ingest_text_held(const struct msg_text *t)
{
	const struct buf *b[] = {&t->to,     &t->cc,     &t->nq,    &t->q,    &t->dfn,
	                         &t->dfa,    &t->dfb,    &t->dfctx, &t->dfhh, &t->dfpre,
	                         &t->dfpost, &t->nqrest, &t->names, &t->lid};
	size_t n = 0;
	for (size_t i = 0; i < sizeof b / sizeof *b; i++)
		n += b[i]->cap;
	return n;
}

/* Fills a slot from one message; returns false at the end (done set). */
static void *reader_main(void *arg)
{
	struct ring *q = arg;
	const struct span_job *j = q->job;
	enum la_status e = LA_OK;
	struct mbox_msg m;
	size_t at;
	while (handoff_wait_put(&q->h, &at)) {
		struct la_err rerr = {0};
		e = mbox_next(q->r, &m, &rerr);
		if (e == LA_EOF) {
			e = LA_OK;
			break;
		}
		if (e) {
			la_err_set(&q->err, e, "%s: %s", j->path, rerr.msg);
			break;
		}
		/* The last message of a file that is still being written may be
		 * incomplete, and a blank line after it proves nothing: a writer
		 * that pauses after the header block, or between paragraphs,
		 * leaves one too (that message, indexed, would show cut short,
		 * and the next run would find the rest of it where a From_ line
		 * should be). */
		if ((m.flags & MBOX_F_AT_EOF) && pending_tail(q, &m))
			break;
		struct slot *sl = &q->slot[at];
		msg_summary_parse(&sl->sum, m.head, m.head_len);
		ingest_adjust(q->conf, &sl->sum);
		if (m.flags & MBOX_F_HEAD_TRUNC)
			sl->sum.flags |= MSG_F_HEAD_TRUNC;
		sl->start = m.start;
		sl->off = m.off;
		sl->len = m.len;
		sl->end = m.end;
		if (m.len > q->largest)
			q->largest = m.len;
		/* "bogus@does.not.exist.com" is pipermail's own stand-in for a
		 * sender it could not read: only its exports hold it. */
		if ((m.flags & MBOX_F_SPACED_SENDER) || (sl->sum.flags & MSG_F_PIPERMAIL) ||
		    !strcmp(sl->sum.from_addr, "bogus@does.not.exist.com"))
			q->pipermail = true;
		sl->date_fallback = !from_date(&m, sl, q->pipermail, q->last_ts);
		q->last_ts = sl->ts;
		sl->made_up[0] = '\0';
		if (!sl->sum.msgid[0])
			msg_made_up_id(sl->made_up, sizeof sl->made_up, m.head, m.head_len, m.len);
		sl->has_text =
			q->search && read_message(j->fd, m.off, m.len, true, &q->raw, &q->unq);
		if (sl->has_text && ingest_text_held(&sl->text) > SLOT_TEXT_KEEP) {
			msg_text_free(&sl->text);
			msg_text_init(&sl->text);
			msg_text_lend_stemmer(&sl->text, q->stemmer);
		}
		if (sl->has_text)
			msg_text_extract(&sl->text, q->unq.data ? q->unq.data : "", q->unq.len);
		if (sl->fts.b.cap > SLOT_TEXT_KEEP) {
			msg_fts_row_free(&sl->fts);
			msg_fts_row_init(&sl->fts);
		}
		bool prep = sl->has_text && ingest_prep_here(&q->h, RING, q->prep_always);
		msg_fts_row_make(&sl->fts, &q->fts_scratch, q->stemmer,
		                 prep ? q->fts_cols : MSG_FTS_NONE, sl->sum.subject,
		                 sl->sum.from_name, sl->sum.from_addr, &sl->text);
		handoff_put(&q->h);
	}
	q->status = e;
	handoff_finish(&q->h);
	return NULL;
}

/* How often the reader of a span of span bytes lets the kernel drop
 * what it read from the page cache (mbox_reader_drop_behind): a span
 * larger than a quarter of the memory is read once, and its pages, kept,
 * push out the index's, which the writer reads back at random; a page
 * of the mbox read before (a `cat`, a backup), read again here, is one
 * the kernel keeps before them.  A 2M mbox of 7.3 GB indexed in 8 GB of
 * memory (a cgroup's): 0.93 GB read from the disk and 113.8 s, dropped
 * 39 MB and 106.7 s; 5M in 24 GiB, where the index stays cached anyway:
 * the same within the noise.  $LISTARC_TEST_DROP_BEHIND=N: every N
 * bytes, whatever the span (0: never). */
static uint64_t drop_behind_every(uint64_t span)
{
	const char *t = getenv("LISTARC_TEST_DROP_BEHIND");
	if (t && *t)
		return strtoull(t, NULL, 10);
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
	if (pages <= 0 || size <= 0)
		return 0;
	return span > (uint64_t)pages * (uint64_t)size / 4 ? DROP_BEHIND_STEP : 0;
}

/* Sets up the ring for job j.  Returns LA_OK or LA_ENOMEM; ring_free
 * releases it either way. */
static enum la_status ring_init(struct ring *q, const struct span_job *j,
                                const struct ingest_opts *o)
{
	memset(q, 0, sizeof *q);
	handoff_init(&q->h, RING);
	buf_init(&q->raw, SEARCH_TEXT_MAX * 8 + 1);
	buf_init(&q->unq, SEARCH_TEXT_MAX * 8 + 1);
	q->job = j;
	q->settle = o->settle;
	q->search = o->search;
	q->conf = o->conf;
	q->fts_cols = o->search ? store_fts_cols(j->st) : MSG_FTS_NONE;
	q->prep_always = ingest_prep_always();
	buf_init(&q->fts_scratch, MSG_FTS_ROW_MAX);
	/* A message without a date of its own takes the one before it; the
	 * first of a file, the file's. */
	q->last_ts = j->src->last_ts;
	struct stat fsb;
	if (!q->last_ts && fstat(j->fd, &fsb) == 0)
		q->last_ts = (int64_t)fsb.st_mtime;
	q->slot = calloc(RING, sizeof *q->slot);
	q->r = mbox_reader_new(j->fd, j->start, j->limit, j->fmt);
	if (!q->slot || !q->r)
		return LA_ENOMEM;
	/* (NULL: each text makes its own, if it needs one) */
	q->stemmer = o->search ? stemmer_new() : NULL;
	for (int i = 0; i < RING; i++) {
		msg_text_init(&q->slot[i].text);
		msg_text_lend_stemmer(&q->slot[i].text, q->stemmer);
		msg_fts_row_init(&q->slot[i].fts);
	}
	if (j->follow)
		mbox_reader_follow(q->r, unpacker_avail, j->follow);
	/* (a copy being written: its size when known) */
	uint64_t end = j->limit != UINT64_MAX ? j->limit : j->total;
	mbox_reader_drop_behind(q->r, drop_behind_every(end > j->start ? end - j->start : 0));
	return LA_OK;
}

static void ring_free(struct ring *q)
{
	for (int i = 0; q->slot && i < RING; i++) {
		msg_text_free(&q->slot[i].text);
		msg_fts_row_free(&q->slot[i].fts);
	}
	stemmer_free(q->stemmer);
	buf_free(&q->fts_scratch);
	buf_free(&q->raw);
	buf_free(&q->unq);
	handoff_destroy(&q->h);
	mbox_reader_free(q->r);
	free(q->slot);
}

/* The next slot the reader filled, waiting for it; NULL when the reader
 * is done and everything was taken. */
static struct slot *ring_take(struct ring *q)
{
	size_t at;
	return handoff_take(&q->h, &at) ? &q->slot[at] : NULL;
}

/* Hands the slot ring_take gave back to the reader. */
static void ring_release(struct ring *q)
{
	handoff_release(&q->h);
}

/* Asks the reader to stop, and waits for it. */
static void ring_stop(struct ring *q, pthread_t reader)
{
	handoff_stop(&q->h);
	pthread_join(reader, NULL);
}

/* Adds the message of slot sl to the index, and moves src's resume point
 * past it.  Returns LA_OK or store_add's failure. */
static enum la_status add_slot(const struct span_job *j, const struct slot *sl,
                               struct ingest_stats *stats, struct la_err *err)
{
	struct store_new_msg nm = {0};
	nm.list_id = j->list_id;
	nm.source_id = j->src->id;
	nm.off = sl->off;
	nm.len = sl->len;
	nm.sum = &sl->sum;
	nm.has_date = sl->sum.has_date;
	nm.date = sl->sum.has_date ? date_unix(&sl->sum.date) : 0;
	nm.day = sl->day;
	nm.ts = sl->ts;
	nm.made_up_id = sl->made_up[0] ? sl->made_up : NULL;
	nm.text = sl->has_text ? &sl->text : NULL;
	nm.fts = sl->has_text ? &sl->fts : NULL;
	int num;
	bool dup;
	enum la_status e = store_add(j->st, &nm, &num, &dup, err);
	if (e)
		return e;
	stats->messages++;
	stats->dups += dup;
	stats->no_msgid += sl->made_up[0] != '\0';
	stats->no_date += sl->date_fallback;
	stats->head_trunc += (sl->sum.flags & MSG_F_HEAD_TRUNC) != 0;
	j->src->last_ts = sl->ts;
	j->src->done = sl->end;
	return LA_OK;
}

/* A format read as another gives few, huge messages: say so, so that it
 * never goes unnoticed again. */
static void warn_suspect(const struct span_job *j, const struct ingest_opts *o, uint64_t read,
                         uint64_t msgs, uint64_t largest)
{
	if (read >= SUSPECT_BYTES && (msgs == 0 || read / msgs > SUSPECT_AVG))
		ingest_warn(
			o,
			"%s: %llu message%s from %.0f MB (the largest %.0f MB): is this an mbox? "
			"(a file whose messages listarc cannot tell apart is read as one)",
			j->path, (unsigned long long)msgs, msgs == 1 ? "" : "s", (double)read / 1e6,
			(double)largest / 1e6);
}

enum la_status index_span(const struct span_job *j, const struct ingest_opts *o,
                          struct ingest_stats *stats, struct la_err *err)
{
	struct store *st = j->st;
	struct store_source *src = j->src;
	struct ring q;
	pthread_t reader;
	enum la_status e = ring_init(&q, j, o);
	if (e) {
		e = la_err_set(err, e, "out of memory");
		goto out;
	}
	if (pthread_create(&reader, NULL, reader_main, &q) != 0) {
		e = la_err_set(err, LA_ENOMEM, "cannot start the reader thread");
		goto out;
	}
	unsigned batch = 0;
	uint64_t batch_bytes = 0, msgs = 0;
	uint64_t start_done = src->done;
	struct slot *sl;
	while ((sl = ring_take(&q))) {
		if ((e = add_slot(j, sl, stats, err)))
			break;
		msgs++;
		batch++;
		batch_bytes += sl->end - sl->start;
		ring_release(&q);
		if (batch >= o->batch || batch_bytes >= BATCH_BYTES) {
			if ((e = commit_batch(st, j->fd, src, err)))
				break;
			batch = 0;
			batch_bytes = 0;
			report(o, j->path, src->done, j->total, stats->messages);
			if ((e = store_begin_batch(st, err)))
				break;
		}
	}
	ring_stop(&q, reader);
	if (!e && q.status)
		e = la_err_set(err, q.status, "%s", q.err.msg);
	if (q.pending) {
		stats->pending++;
		snprintf(stats->note, sizeof stats->note, "%s", q.note);
	}
	if (!e && !(e = commit_batch(st, j->fd, src, err))) {
		batch = 0;
		stats->bytes += src->done - start_done;
		report(o, j->path, src->done, j->total, stats->messages);
		warn_suspect(j, o, src->done - start_done, msgs, q.largest);
	}
	/* The batch in hand when something failed (a full disk at its
	 * commit, say) is rolled back: what was indexed is what was
	 * committed, and the next run takes it up from there. */
	if (e)
		stats->messages -= batch;
out:
	ring_free(&q);
	if (e)
		store_rollback(st);
	return e;
}

/* Takes the locks an mbox's writers take (procmail, postfix, mutt,
 * `listarc deliver`): the dotlock PATH.lock and an fcntl lock.  The size
 * read up to is taken under them (*sb, refreshed): everything before it
 * is whole, and a writer that comes later appends after it.  The dotlock
 * is held only for that instant; the fcntl read lock (which a dead
 * process cannot leave behind) is held while the file is read (until fd
 * is closed), so that no writer rewrites it meanwhile.  (It also keeps
 * what follows the resume point from being a From_ line half written,
 * which looked like a rewritten mbox.)  Returns how the last message is
 * to be judged. */
static enum tail_rule lock_mbox(const char *path, int fd, struct stat *sb)
{
	char lock[4200];
	bool made = false;
	enum lock_state dl = dotlock_take(path, lock, sizeof lock, &made);
	enum lock_state fl = fcntl_readlock(fd);
	struct stat now;
	if (fstat(fd, &now) == 0)
		*sb = now;
	if (made)
		dotlock_drop(lock);
	if (dl == LOCK_BUSY || fl == LOCK_BUSY)
		return TAIL_LOCKED;
	if (dl == LOCK_NONE)
		return TAIL_SETTLE;
	return TAIL_TAKE;
}

/* Checks that the part of an mbox (of *size bytes now) indexed before is
 * unchanged: same length at least, same first and last bytes, and a
 * From_ line (or the end) right after it.  Sets *start where reading
 * resumes, and may lower *size (see below).  Returns NULL, or how it
 * changed. */
static const char *changed_how(int fd, enum mbox_format fmt, const struct store_source *src,
                               uint64_t *size, uint64_t *start)
{
	int64_t h, t;
	*start = src->done;
	if (src->done == 0)
		return NULL;
	if (*size < src->done)
		return "is shorter than what was indexed (truncated)";
	if (ingest_fingerprints(fd, src->done, &h, &t))
		return "cannot be read back";
	if (h != src->fp_head || t != src->fp_tail)
		return "was rewritten (its indexed bytes changed)";
	if (*size == src->done)
		return NULL;
	/* A last message indexed without a blank line after it (once the
	 * file had settled) gets its separator from the next writer, before
	 * the new From_ line: `listarc deliver` does that.  Such a blank line
	 * is skipped, not a rewrite. */
	char next[9];
	size_t got, skip = 0;
	if (io_pread_full(fd, next, sizeof next, src->done, &got))
		got = 0;
	while (skip < got && skip < 4 && (next[skip] == '\n' || next[skip] == '\r'))
		skip++;
	if (skip > 0 && skip == got && src->done + got == *size) {
		*size = src->done; /* only the separator so far */
		return NULL;
	}
	if (!mbox_at_boundary(fmt, next + skip, got - skip))
		return fmt == MBOX_FMT_MMDF
		               ? "does not continue with an MMDF separator where the last run stopped"
		               : "does not continue with a From_ line where the last run stopped";
	*start = src->done + skip;
	return NULL;
}

/* Is the mbox at path exactly what was indexed of it: a source of the
 * list already, as long as its resume point, with the same first and last
 * bytes there?  Then a run has nothing to do, and does it with reads
 * alone: no write transaction, no commit (whose log write and
 * bookkeeping were most of a no-op run).  Anything else (a new source,
 * bytes past the resume point, a file changed or taken for a compressed
 * one) goes the whole way, under the writers' locks.  Read without them:
 * a writer that has begun to append has made the file longer, one that
 * has not yet is as if this run came a moment earlier. */
static bool unchanged_mbox(struct store *st, int64_t list_id, const char *path, int fd,
                           const struct stat *sb)
{
	struct store_source src;
	int64_t h, t;
	return store_source_find(st, list_id, path, &src) == LA_OK && src.kind == SOURCE_MBOX &&
	       !src.copy[0] && src.done > 0 && (uint64_t)sb->st_size == src.done &&
	       ingest_fingerprints(fd, src.done, &h, &t) == LA_OK && h == src.fp_head &&
	       t == src.fp_tail;
}

/* A file of messages being read where it lies (not a copy): an mbox that
 * mail programs may be appending to. */
static enum la_status ingest_mbox(struct store *st, int64_t list_id, const char *path, int fd,
                                  const struct stat *sb0, enum mbox_format fmt,
                                  const struct ingest_opts *o, struct ingest_stats *stats,
                                  struct la_err *err)
{
	struct store_source src;
	if (unchanged_mbox(st, list_id, path, fd, sb0))
		return LA_OK;
	enum la_status e = store_begin_batch(st, err);
	if (e)
		return e;
	e = store_source_ensure(st, list_id, path, SOURCE_MBOX, &src, err);
	if (e)
		goto fail;
	if (src.copy[0]) {
		e = la_err_set(
			err, LA_ECHANGED,
			"%s was indexed as a compressed file and is not one now; to index it anew "
			"run `listarc index --rebuild LIST SOURCE...` (message URLs of this list may "
			"change)",
			path);
		goto fail;
	}
	struct stat sb = *sb0;
	enum tail_rule tail = lock_mbox(path, fd, &sb);
	uint64_t size = (uint64_t)sb.st_size, start;
	const char *how = changed_how(fd, fmt, &src, &size, &start);
	if (how) {
		e = la_err_set(
			err, LA_ECHANGED,
			"%s %s: at %llu bytes; to index it anew run `listarc index --rebuild "
			"LIST SOURCE...` (message URLs of this list may change)",
			path, how, (unsigned long long)src.done);
		goto fail;
	}
	if (size == src.done)
		return store_commit(st, NULL, err);
	struct span_job j = {
		.st = st,
		.list_id = list_id,
		.path = path,
		.src = &src,
		.fd = fd,
		.start = start,
		.limit = size,
		.fmt = fmt,
		.tail = tail,
		.age = age_of(&sb),
		.total = size,
	};
	return index_span(&j, o, stats, err);
fail:
	store_rollback(st);
	return e;
}

/* ---- maildir ---- */

struct md_entry {
	char *rel;  /* "cur/NAME" */
	int sub;    /* 0: new/, 1: cur/ */
	char *uniq; /* NAME up to the ':' of the info part */
	uint64_t size;
	int64_t ts;
	int day;
};

static int md_cmp(const void *a, const void *b)
{
	const struct md_entry *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return strcmp(x->uniq, y->uniq);
}

/* Reads the header block of an open maildir file into head. */
static size_t read_head(int fd, char *head)
{
	size_t got = 0;
	if (io_pread_full(fd, head, HEAD_MAX, 0, &got))
		return 0;
	return hdr_block_len(head, got);
}

/* An MH message file's name: a number (1 to 9 digits, no sign). */
static bool mh_name(const char *name)
{
	size_t k = strspn(name, "0123456789");
	return k > 0 && k <= 9 && name[k] == '\0';
}

/* The files of a maildir or MH folder not seen before, as listed. */
struct md_list {
	struct md_entry *v;
	size_t n, cap;
	int subfd[2]; /* new/, cur/ (an MH folder: [1] only) */
};

static void md_list_free(struct md_list *l)
{
	for (int d = 0; d < 2; d++)
		if (l->subfd[d] >= 0)
			close(l->subfd[d]);
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].rel);
		free(l->v[i].uniq);
	}
	free(l->v);
}

/* Scratch for reading one message file at a time. */
struct md_scratch {
	char *head; /* HEAD_MAX bytes */
	struct msg_summary *sum;
	struct msg_text text;
	struct buf raw, unq;
};

static enum la_status md_scratch_init(struct md_scratch *sc, struct la_err *err)
{
	sc->head = malloc(HEAD_MAX);
	sc->sum = malloc(sizeof *sc->sum);
	msg_text_init(&sc->text);
	buf_init(&sc->raw, SEARCH_TEXT_MAX * 8 + 1);
	buf_init(&sc->unq, SEARCH_TEXT_MAX * 8 + 1);
	if (!sc->head || !sc->sum)
		return la_err_set(err, LA_ENOMEM, "out of memory");
	return LA_OK;
}

static void md_scratch_free(struct md_scratch *sc)
{
	free(sc->head);
	free(sc->sum);
	msg_text_free(&sc->text);
	buf_free(&sc->raw);
	buf_free(&sc->unq);
}

static const char *const md_subdirs[] = {"new", "cur"};

/* Adds the entry name of subdirectory d (dfd) to l unless src has seen
 * it or it is no regular file, dated by its headers (else its mtime).
 * Returns LA_OK, LA_ENOMEM or LA_EDB. */
static enum la_status md_list_add(struct store *st, const struct store_source *src, bool mh, int d,
                                  int dfd, const char *name, struct md_list *l,
                                  struct md_scratch *sc, struct ingest_stats *stats,
                                  struct la_err *err)
{
	char *uniq = strndup(name, strcspn(name, ":"));
	if (!uniq)
		return la_err_set(err, LA_ENOMEM, "out of memory");
	bool seen;
	enum la_status e = store_maildir_seen(st, src->id, uniq, &seen);
	if (e) {
		free(uniq);
		return la_err_set(err, e, "index: %s", store_errmsg(st));
	}
	/* Symlinks and other non-files are never followed: a maildir is
	 * mail, not a path into the rest of the disk. */
	int fd = seen ? -1 : openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat sb;
	if (seen || fd < 0 || fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		if (!seen)
			stats->skipped++;
		if (fd >= 0)
			close(fd);
		free(uniq);
		return LA_OK;
	}
	size_t hl = read_head(fd, sc->head);
	close(fd);
	msg_summary_parse(sc->sum, sc->head, hl);
	if (!vec_reserve(&l->v, &l->cap, l->n + 1, sizeof *l->v)) {
		free(uniq);
		return la_err_set(err, LA_ENOMEM, "out of memory");
	}
	struct md_entry *me = &l->v[l->n++];
	me->uniq = uniq;
	me->sub = d;
	if ((mh ? asprintf(&me->rel, "%s", name)
	        : asprintf(&me->rel, "%s/%s", md_subdirs[d], name)) < 0) {
		me->rel = NULL;
		return la_err_set(err, LA_ENOMEM, "out of memory");
	}
	me->size = (uint64_t)sb.st_size;
	if (!ingest_delivery_date(sc->sum, (int64_t)sb.st_mtime, &me->ts, &me->day))
		stats->no_date++;
	return LA_OK;
}

/* Lists the files not seen before: new/ then cur/ (an MH folder: its
 * numbered files), each directory opened once, never through a link (the
 * files are opened relative to it), then sorted in delivery order (day
 * numbers follow it).  Returns LA_OK, LA_EIO, LA_ENOMEM or LA_EDB. */
static enum la_status md_list(struct store *st, const struct store_source *src, const char *path,
                              bool mh, struct md_list *l, struct md_scratch *sc,
                              struct ingest_stats *stats, struct la_err *err)
{
	enum la_status e = LA_OK;
	for (int d = mh ? 1 : 0; d < 2 && !e; d++) {
		l->subfd[d] = mh ? open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
		                 : maildir_open_sub(path, md_subdirs[d]);
		int dup_fd = l->subfd[d] >= 0 ? dup(l->subfd[d]) : -1;
		DIR *dir = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
		if (!dir) {
			e = la_err_set(err, LA_EIO, "%s%s%s: %s", path, mh ? "" : "/",
			               mh ? "" : md_subdirs[d],
			               errno == ELOOP || errno == ENOTDIR
			                       ? "a symbolic link, not followed out of the maildir"
			                       : strerror(errno));
			if (dup_fd >= 0)
				close(dup_fd);
			break;
		}
		struct dirent *de;
		while (!e && (de = readdir(dir)))
			if (de->d_name[0] != '.' && (!mh || mh_name(de->d_name)))
				e = md_list_add(st, src, mh, d, dirfd(dir), de->d_name, l, sc,
				                stats, err);
		closedir(dir);
	}
	if (!e && l->n > 1)
		qsort(l->v, l->n, sizeof *l->v, md_cmp);
	return e;
}

/* Adds one listed file to the index (and marks it seen).  A file moved
 * (new/ to cur/) or deleted since the listing is skipped: the next run
 * finds it again.  Returns LA_OK (*added says whether it was), LA_EDB,
 * LA_ENOMEM. */
static enum la_status md_add(struct store *st, int64_t list_id, const struct store_source *src,
                             const struct md_list *l, const struct md_entry *me, bool mh,
                             const struct ingest_opts *o, struct md_scratch *sc,
                             struct ingest_stats *stats, bool *added, struct la_err *err)
{
	*added = false;
	/* "new/NAME", "cur/NAME"; an MH folder's "NAME". */
	const char *name = !me->rel ? NULL : mh ? me->rel : strchr(me->rel, '/') + 1;
	int fd = name ? openat(l->subfd[me->sub], name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
	if (fd < 0) {
		stats->skipped++;
		return LA_OK;
	}
	size_t hl = read_head(fd, sc->head);
	bool has_text = o->search && read_message(fd, 0, me->size, false, &sc->raw, &sc->unq);
	close(fd);
	msg_summary_parse(sc->sum, sc->head, hl);
	ingest_adjust(o->conf, sc->sum);
	if (has_text)
		msg_text_extract(&sc->text, sc->unq.data ? sc->unq.data : "", sc->unq.len);
	struct store_new_msg nm = {0};
	nm.text = has_text ? &sc->text : NULL;
	nm.list_id = list_id;
	nm.source_id = src->id;
	nm.off = 0;
	nm.len = me->size;
	nm.file = me->rel;
	nm.day = me->day;
	nm.ts = me->ts;
	nm.sum = sc->sum;
	nm.has_date = sc->sum->has_date;
	nm.date = sc->sum->has_date ? date_unix(&sc->sum->date) : 0;
	char mid[64];
	if (!sc->sum->msgid[0]) {
		msg_made_up_id(mid, sizeof mid, sc->head, hl, me->size);
		nm.made_up_id = mid;
		stats->no_msgid++;
	}
	int num;
	bool dup;
	enum la_status e = store_add(st, &nm, &num, &dup, err);
	if (e)
		return e;
	if ((e = store_maildir_mark(st, src->id, me->uniq)))
		return la_err_set(err, e, "index: %s", store_errmsg(st));
	*added = true;
	stats->messages++;
	stats->dups += dup;
	stats->bytes += me->size;
	return LA_OK;
}

/* A maildir (its new/ and cur/) or an MH folder (its numbered files):
 * every file not seen before, in delivery order, committed in batches. */
static enum la_status ingest_maildir(struct store *st, int64_t list_id, const char *path,
                                     enum source_kind kind, const struct ingest_opts *o,
                                     struct ingest_stats *stats, struct la_err *err)
{
	struct store_source src;
	struct md_list l = {.subfd = {-1, -1}};
	struct md_scratch sc;
	bool mh = kind == SOURCE_MH;
	unsigned batch = 0;
	enum la_status e = md_scratch_init(&sc, err);
	if (!e)
		e = store_begin_batch(st, err);
	if (e)
		goto out;
	if (!(e = store_source_ensure(st, list_id, path, kind, &src, err)))
		e = md_list(st, &src, path, mh, &l, &sc, stats, err);
	uint64_t total = 0, done = 0;
	for (size_t i = 0; i < l.n; i++)
		total += l.v[i].size;
	for (size_t i = 0; i < l.n && !e; i++) {
		bool added;
		if ((e = md_add(st, list_id, &src, &l, &l.v[i], mh, o, &sc, stats, &added, err)))
			break;
		if (!added)
			continue;
		done += l.v[i].size;
		if (++batch >= o->batch) {
			if ((e = store_commit(st, NULL, err)))
				break;
			batch = 0;
			report(o, path, done, total, stats->messages);
			e = store_begin_batch(st, err);
		}
	}
	if (!e && !(e = store_commit(st, NULL, err))) {
		batch = 0;
		report(o, path, done, total, stats->messages);
	}
	/* A batch that failed to commit is rolled back (see index_span). */
	if (e) {
		stats->messages -= batch;
		store_rollback(st);
	}
out:
	md_list_free(&l);
	md_scratch_free(&sc);
	return e;
}

enum la_status ingest_source(struct store *st, int64_t list_id, const char *path,
                             const struct ingest_opts *o, struct ingest_stats *stats,
                             struct la_err *err)
{
	/* A purge killed midway is finished before anything is read, and
	 * the search index's file caught up (a run killed between its
	 * commit and the index's). */
	enum la_status e = ingest_purge_resume(st, 0, NULL, err);
	if (e)
		return e;
	if ((e = store_search_catch_up(st)))
		return la_err_set(err, e, "index: catching the search index up: %s",
		                  store_errmsg(st));
	struct ingest_what w;
	e = ingest_what(path, &w, err);
	if (e)
		return e;
	char *real = realpath(path, NULL);
	if (!real)
		return la_err_set(err, LA_EIO, "%s: %s", path, strerror(errno));
	switch (w.kind) {
	case INGEST_MAILDIR: {
		/* Said once, when the folder becomes a source. */
		struct store_source known;
		if (w.subfolders && store_source_find(st, list_id, real, &known) == LA_ENOTFOUND)
			ingest_warn(
				o,
				"%s: a maildir++ folder: its %u subfolder%s (.NAME/) %s not part of this "
				"source; index each as a source of its own (listarc index LIST %s/.NAME)",
				path, w.subfolders, w.subfolders == 1 ? "" : "s",
				w.subfolders == 1 ? "is" : "are", path);
		e = ingest_maildir(st, list_id, real, SOURCE_MAILDIR, o, stats, err);
		break;
	}
	case INGEST_MH: e = ingest_maildir(st, list_id, real, SOURCE_MH, o, stats, err); break;
	case INGEST_GIT_V2:
	case INGEST_GIT_V1:
		e = ingest_git(st, list_id, real, w.kind == INGEST_GIT_V2, o, stats, err);
		break;
	case INGEST_EMPTY:
	case INGEST_MBOX:
	case INGEST_MMDF:
	case INGEST_MESSAGE: {
		struct stat sb;
		int fd = open(real, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
			e = la_err_set(err, LA_EIO, "%s: %s", path,
			               fd < 0 ? strerror(errno) : "no longer a regular file");
		} else if (w.packed) {
			e = ingest_packed(st, list_id, real, fd, &w, o, stats, err);
		} else {
			posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
			e = ingest_mbox(st, list_id, real, fd, &sb,
			                w.kind == INGEST_MMDF ? MBOX_FMT_MMDF : MBOX_FMT_MBOX, o,
			                stats, err);
		}
		if (fd >= 0)
			close(fd);
		break;
	}
	}
	free(real);
	return e;
}

enum la_status ingest_reindex_search(struct store *st, const struct ingest_opts *o, uint64_t *done,
                                     struct la_err *err)
{
	*done = 0;
	/* The file in use first caught up (its readers go on with it until
	 * the swap), then the new one made or gone on with. */
	enum la_status e = store_search_catch_up(st);
	if (e)
		return la_err_set(err, e, "index: catching the search index up: %s",
		                  store_errmsg(st));
	int64_t after = 0;
	if ((e = store_fts_build_open(st, &after)))
		return la_err_set(err, e, "index: %s/search.sqlite.new: %s", store_dir(st),
		                  e == LA_EIO ? strerror(errno) : store_errmsg(st));
	struct msg_text text;
	msg_text_init(&text);
	struct buf bytes;
	buf_init(&bytes, SEARCH_TEXT_MAX * 8 + 1);
	int64_t ids[1000];
	int per = o->reindex_max && o->reindex_max < 1000 ? (int)o->reindex_max : 1000;
	bool whole = false;
	for (;;) {
		int n;
		if ((e = store_begin(st, err)))
			break;
		if ((e = store_msg_ids_after(st, after, ids, per, &n))) {
			la_err_set(err, e, "index: %s", store_errmsg(st));
			break;
		}
		if (n == 0) {
			store_rollback(st);
			whole = true;
			break;
		}
		/* The batch's patch ids given again (an older listarc's
		 * computed otherwise, or none); its review trailers replace
		 * the ones there. */
		if ((e = store_fts_build_forget(st, after, ids[n - 1])))
			la_err_set(err, e, "index: %s", store_errmsg(st));
		for (int i = 0; i < n && !e; i++) {
			if ((e = store_fts_add_source(st, ids[i], &bytes, &text)))
				la_err_set(err, e, "index: %s", store_errmsg(st));
			(*done)++;
		}
		if (e || (e = store_commit(st, NULL, err)))
			break;
		/* The new file's resume point: every message up to the last. */
		after = ids[n - 1];
		if ((e = store_fts_build_mark(st, after))) {
			la_err_set(err, e, "index: writing %s/search.sqlite.new", store_dir(st));
			break;
		}
		report(o, "search index", *done, 0, *done);
		if (n < per) {
			whole = true; /* (no message after them, under the lock) */
			break;
		}
		if (o->reindex_max && *done >= o->reindex_max)
			break; /* the rest in the next run */
	}
	if (e)
		store_rollback(st);
	msg_text_free(&text);
	buf_free(&bytes);
	bool swapped = false;
	if (!e && whole)
		e = store_fts_build_swap(st, &swapped, err);
	store_fts_build_close(st);
	return e;
}

enum la_status ingest_lock(const char *dir, int wait_seconds, int *fd, struct la_err *err)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/lock", dir);
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return la_err_set(err, LA_EIO, "%s: %s", dir, strerror(errno));
	int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (f < 0)
		return la_err_set(err, LA_EIO, "%s: %s", path, strerror(errno));
	for (unsigned waited = 0;;) {
		if (flock(f, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno != EWOULDBLOCK) {
			close(f);
			return la_err_set(err, LA_EIO, "%s: %s", path, strerror(errno));
		}
		if (wait_seconds >= 0 && waited >= (unsigned)wait_seconds * 1000) {
			close(f);
			return la_err_set(
				err, LA_ELOCKED,
				"%s is locked: another `listarc index` or `deliver` is writing it",
				dir);
		}
		lock_backoff(&waited);
	}
	*fd = f;
	return LA_OK;
}

/* ---- threading again ---- */

struct rethread_ctx {
	struct store *st;
	const struct conf *conf;
	struct buf head;
};

static bool rethread_summary(const struct store_msg *m, struct msg_summary *sum, void *arg)
{
	struct rethread_ctx *c = arg;
	buf_reset(&c->head);
	if (m->len == 0 || store_msg_read(c->st, m, HEAD_MAX, &c->head) != LA_OK || !c->head.data)
		return false;
	msg_summary_parse(sum, c->head.data, hdr_block_len(c->head.data, c->head.len));
	ingest_adjust(c->conf, sum);
	return true;
}

enum la_status ingest_rethread(struct store *st, int64_t list_id, const struct ingest_opts *o,
                               uint64_t *n, struct la_err *err)
{
	struct rethread_ctx c = {st, o->conf, {0}};
	buf_init(&c.head, HEAD_MAX + 1);
	enum la_status e = store_rethread(st, list_id, rethread_summary, &c, n, err);
	buf_free(&c.head);
	return e;
}
