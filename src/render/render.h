/* render.h: pages.  Every page the server sends, and every page
 * `listarc get` prints, is built here, from the index and the message
 * bytes, into a response.  The HTTP layer only adds transport headers. */
#ifndef LISTARC_RENDER_H
#define LISTARC_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/conf.h"
#include "store/store.h"
#include "util/buf.h"

struct render_ctx {
	struct store *st;
	const struct conf *conf;
	const char *base; /* URL prefix of every link: "/" or "/lists/"; ends in '/' */
};

/* A body too big to build in memory (a raw message or an attachment of
 * many megabytes, a thread's or a search's mbox) comes from a stream,
 * after whatever `body` holds.
 * next appends about `room` more bytes to out (fewer, or none, is fine)
 * and sets *done with the last of them; it returns LA_OK, or the error
 * that cuts the body short.  free releases the state: after the last
 * piece, or when the reader gives up early.  next == NULL: no stream. */
struct response_stream {
	enum la_status (*next)(void *state, struct buf *out, size_t room, bool *done);
	void (*free)(void *state);
	void *state;
};

struct response {
	int status;               /* HTTP status */
	const char *content_type; /* a static string */
	struct buf body;
	struct response_stream stream;   /* the rest of the body, if next is set */
	char location[3 * URL_MAX + 64]; /* redirects (segments encoded again: up to 3x) */
	/* The server makes location an absolute URL (b4 takes the Location
	 * of /LIST/MSGID apart to find the list's URL). */
	bool location_absolute;
	char filename[FILENAME_MAX_BYTES + 16]; /* attachments: Content-Disposition name */
	bool attachment;                        /* Content-Disposition: attachment (else inline) */
	int64_t last_modified;                  /* seconds since the epoch, 0 if unknown */
	char etag[48]; /* strong validator of what the page shows, "" if none */
	int max_age;   /* Cache-Control max-age in seconds */
	int truncated; /* a list of results cut at this many items, else 0
	                  (sent as X-Listarc-Truncated) */
};

void response_init(struct response *r);
/* Frees the body and the stream's state, if any.  NULL-safe. */
void response_free(struct response *r);
/* Hands r's stream to the caller (who must call its free) and leaves r
 * without one. */
struct response_stream response_take_stream(struct response *r);
/* Resets r to an error page with status (404, 400, 500...). */
void render_error(const struct render_ctx *c, struct response *r, int status, const char *what);

/* Message page /LIST/YYYY/MM/DD/N. */
enum la_status render_message(const struct render_ctx *c, const char *list, int day, int num,
                              struct response *r);
/* Attachment /LIST/YYYY/MM/DD/N/K. */
enum la_status render_attachment(const struct render_ctx *c, const char *list, int day, int num,
                                 int k, struct response *r);
/* Raw message /LIST/YYYY/MM/DD/N/raw: the bytes as stored (mboxrd
 * quoting undone). */
enum la_status render_raw(const struct render_ctx *c, const char *list, int day, int num,
                          struct response *r);
/* Day, month, year, list and site pages.  A day or month too long for one
 * page (DAY_PAGE_MAX messages, MONTH_PAGE_LINES lines) continues on pages
 * 2, 3, ... (page counts from 1; a page past the last is a 404). */
enum la_status render_day(const struct render_ctx *c, const char *list, int y, int m, int d,
                          int page, struct response *r);
enum la_status render_month(const struct render_ctx *c, const char *list, int y, int m, int page,
                            struct response *r);
enum la_status render_year(const struct render_ctx *c, const char *list, int y, struct response *r);
enum la_status render_list(const struct render_ctx *c, const char *list, struct response *r);
enum la_status render_index(const struct render_ctx *c, struct response *r);
/* Search results for query q in list (NULL: all lists), newest first or
 * by relevance (order "relevance"), 25 per page.  A query the language
 * refuses gets the results page with the reason, status 400.  format ""
 * is the HTML page; "A" the same page of results as an Atom feed; "m"
 * every match as a gzipped mboxrd in delivery order (at most
 * SEARCH_MBOX_MAX, the newest or most relevant: r->truncated is set when
 * more match), with threads every message of the matches' threads. */
struct render_search_req {
	const char *q, *order, *format;
	int page;
	bool threads;
	/* With format "m": search the thread of this Message-ID only (lore's
	 * /LIST/MSGID/?x=m&q=, as liblore and lei --thread-id ask); NULL: all. */
	const char *msgid;
};
enum la_status render_search(const struct render_ctx *c, const char *list,
                             const struct render_search_req *req, struct response *r);
/* The help page of the query language (/_/search-help). */
enum la_status render_search_help(const struct render_ctx *c, struct response *r);
/* The search form, for list (NULL: all lists), holding q. */
void render_search_box(const struct render_ctx *c, struct buf *b, const char *list, const char *q);

/* The stylesheet, and its versioned path ("_/listarc-HASH.css"). */
void render_stylesheet(struct response *r);
const char *render_stylesheet_path(void);

/* Appends p[0..n) percent-encoded as one URL path segment: letters,
 * digits, "-._~" and "@+=:,!" stay, every other byte ('/' included)
 * becomes %XX.  Message-IDs in /LIST/MSGID/ links are written so. */
void render_path_segment(struct buf *b, const char *p, size_t n);

/* Old archivers' URLs (legacy.c): a 301 to the message's page, or a 404.
 * render_numbered: the n-th message (from 0) the list indexed, which is
 * pipermail's article n and MHonArc's msg n when the list was imported
 * from their files in order.  render_hyperkitty: the message whose
 * Message-ID hashes to hash (render_msgid_hash), or with thread set its
 * thread. */
enum la_status render_numbered(const struct render_ctx *c, const char *list, int64_t n,
                               struct response *r);
enum la_status render_hyperkitty(const struct render_ctx *c, const char *list, const char *hash,
                                 bool thread, struct response *r);
/* Mailman 3's Message-ID-Hash of msgid (with or without <>), which
 * HyperKitty's URLs carry: base32 (RFC 4648, no padding) of its SHA-1,
 * 32 characters and a NUL into out. */
void render_msgid_hash(const char *msgid, char out[33]);
/* The same for a Message-ID after a list: an ID of four digits alone has
 * its first one encoded too, as four digits there are a year. */
void render_msgid_segment(struct buf *b, const char *p, size_t n);

/* ---- by Message-ID: lore's URL forms.  list NULL: every list (/all/) ---- */

/* /LIST/MSGID/: the message page when exactly one message has the ID,
 * served as it is at its date URL, which <link rel="canonical"> names; a
 * page linking each copy when several do; a 404 page offering a search
 * (and the messages that reply to it, if any) when none does. */
enum la_status render_msgid(const struct render_ctx *c, const char *list, const char *msgid,
                            struct response *r);
/* /LIST/MSGID/raw: the bytes of the oldest message with the ID, as
 * render_raw sends them. */
enum la_status render_msgid_raw(const struct render_ctx *c, const char *list, const char *msgid,
                                struct response *r);
/* /LIST/MSGID/t.mbox.gz: the thread of the message (in list, or in every
 * list) as render_mboxgz writes it, by delivery time, each Message-ID
 * once (its oldest copy). */
enum la_status render_thread_mbox(const struct render_ctx *c, const char *list, const char *msgid,
                                  struct response *r);
/* /LIST/MSGID/t/ (flat: by delivery time) and /LIST/MSGID/T/ (nested: the
 * tree), each message with its header block and body, THREAD_PAGE_MSGS
 * messages a page (page counts from 1; past the last: 404). */
enum la_status render_thread_page(const struct render_ctx *c, const char *list, const char *msgid,
                                  bool nested, int page, struct response *r);
/* /LIST/MSGID/t.atom: the thread's latest THREAD_FEED_MAX messages. */
enum la_status render_thread_atom(const struct render_ctx *c, const char *list, const char *msgid,
                                  struct response *r);
/* /LIST/new.atom, /all/new.atom: the latest NEW_FEED_MAX messages (by
 * day and number, newest first). */
enum la_status render_new_atom(const struct render_ctx *c, const char *list, struct response *r);

/* ---- reusable: a feed or an mbox of any messages (search results too) ---- */

/* Entries copied out of store callbacks: store_entry_fn's borrowed rows
 * outlive the call here.  Zero-initialize, fill with render_entries_add
 * as the callback (arg: the list), free with render_entries_free.  An
 * allocation failure sets oom and stops the walk. */
struct render_entries {
	struct store_entry *v; /* strings owned by the list */
	size_t n, cap;
	bool oom;
};
bool render_entries_add(const struct store_entry *e, void *arg);
/* Drops the entries after the first keep. */
void render_entries_truncate(struct render_entries *l, size_t keep);
void render_entries_free(struct render_entries *l);

/* An Atom 1.0 feed (RFC 4287) of l's messages in the order given: each
 * entry's id is a urn:uuid: made from its Message-ID (stable wherever the
 * archive is served), its link the message's date URL, its dates RFC
 * 3339 (Date:, else the delivery time), its content the message's text
 * (TEXT_FEED_MAX bytes of it at most).  Everything from a message goes
 * through html.c's escapers, which are XML's too. */
struct render_feed {
	const char *title;     /* plain text */
	const char *self;      /* the feed's own URL (c->base included) */
	const char *alternate; /* the page it follows, likewise */
	const char *key;       /* unique to the feed; hashed into its urn:uuid: id */
};
enum la_status render_atom(const struct render_ctx *c, const struct render_feed *f,
                           const struct render_entries *l, struct response *r);

/* The messages ids[0..n) (messages.id), in that order, as a gzipped
 * mboxrd (application/gzip), streamed: each message is read from its
 * source when the stream reaches it, so that memory stays bounded
 * whatever n is.  Each starts with "From mboxrd@z Thu Jan  1 00:00:00
 * 1970", holds its raw bytes (as render_raw sends them) with lines
 * starting "From ", ">From ", ">>From "... quoted by one more '>', ends
 * with a newline and is followed by an empty line.  A message the index
 * no longer has is left out.  The stream borrows c->st: the store must
 * stay open until it is freed.  ids are copied. */
enum la_status render_mboxgz(const struct render_ctx *c, const int64_t *ids, size_t n,
                             struct response *r);

/* ---- the JSON API (docs/api.md): application/json, written with json-glib ---- */

/* Sets r to a JSON error: {"error": what, "status": status}. */
enum la_status render_api_error(struct response *r, int status, const char *what);
/* /api/v1/: every list with its message count and first and last day. */
enum la_status render_api_lists(const struct render_ctx *c, struct response *r);
/* /api/v1/LIST/: a list's messages, newest first (by day, then number),
 * or oldest first when a since/until range is given, limit at a time
 * (API_LIMIT_DEFAULT without one, at most API_LIMIT_MAX), after the
 * cursor `after` (opaque; from the previous page's "next"). */
struct render_api_query {
	const char *after; /* "" for the first page */
	int limit;         /* 0: the default */
	int since, until;  /* yyyymmdd, 0: unbounded */
};
enum la_status render_api_list(const struct render_ctx *c, const char *list,
                               const struct render_api_query *q, struct response *r);
/* /api/v1/LIST/YYYY/MM/DD/N: one message's metadata. */
enum la_status render_api_msg(const struct render_ctx *c, const char *list, int day, int num,
                              struct response *r);
/* /api/v1/LIST/MSGID/: the metadata of every message with the ID. */
enum la_status render_api_msgid(const struct render_ctx *c, const char *list, const char *msgid,
                                struct response *r);
/* /api/v1/LIST/MSGID/T/: the message's thread as a tree. */
enum la_status render_api_thread(const struct render_ctx *c, const char *list, const char *msgid,
                                 struct response *r);

#endif
