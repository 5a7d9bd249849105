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

/* json-glib's builder (json-glib/json-glib.h), named here so that this
 * header does not pull in GLib. */
typedef struct _JsonBuilder JsonBuilder;

/* A reader's time zone, a name of the tz database (zone.c). */
struct render_zone;

struct render_ctx {
	struct store *st;
	const struct conf *conf;
	const char *base; /* URL prefix of every link: "/" or "/lists/"; ends in '/' */
	/* "https://example.org" of an absolute --base-url, or NULL: what
	 * must be a whole URL in a page that may be cached (a series mbox's
	 * Link: trailers) starts with it.  Never the request's Host: a page is
	 * cached for every Host, and a client chooses its Host. */
	const char *origin;
	/* "http://host:port" of the request (or --base-url's origin), for the
	 * few documents that need absolute URLs and are never cached
	 * (OpenSearch); NULL: unknown, and those URLs start at base. */
	const char *req_origin;
	/* The reader's time zone (the tz cookie /_/prefs sets), or NULL:
	 * the times on hover are in it, else in UTC.  A page made with one
	 * is cached under it (server.c). */
	const struct render_zone *zone;
};

/* A body too big to build in memory (a raw message or an attachment of
 * many megabytes, a thread's or a search's mbox) comes from a stream,
 * after whatever `body` holds.
 * next appends about `room` more bytes to out (fewer, or none, is fine)
 * and sets *done with the last of them; it returns LA_OK, or the error
 * that cuts the body short.  free releases the state: after the last
 * piece, or when the reader gives up early.  next == NULL: no stream.
 * A stream that reads the index as it goes (an mbox) says where it keeps
 * the store it reads through in `store` (NULL: it reads none): a caller
 * that runs next on another thread, with that thread's own connection to
 * the same index, points it there first (the server's render threads
 * take turns on a stream, one piece each, never two at once).  free
 * reads no store. */
struct response_stream {
	enum la_status (*next)(void *state, struct buf *out, size_t room, bool *done);
	void (*free)(void *state);
	void *state;
	struct store **store;
};

struct response {
	int status;               /* HTTP status */
	const char *content_type; /* a static string, or own_type */
	/* A type made for this response (a raw message's charset); the
	 * page cache copies it with the page. */
	char own_type[64];
	struct buf body;
	struct response_stream stream;   /* the rest of the body, if next is set */
	char location[3 * URL_MAX + 64]; /* redirects (segments encoded again: up to 3x) */
	/* The server makes location an absolute URL (b4 takes the Location
	 * of /LIST/MSGID apart to find the list's URL). */
	bool location_absolute;
	char filename[FILENAME_MAX_BYTES + 16]; /* attachments: Content-Disposition name */
	bool attachment;                        /* Content-Disposition: attachment (else inline) */
	int64_t last_modified;                  /* seconds since the epoch, 0 if unknown */
	char etag[48];        /* strong validator of what the page shows, "" if none */
	int max_age;          /* Cache-Control max-age in seconds */
	int truncated;        /* a list of results cut at this many items, else 0
	                         (sent as X-Listarc-Truncated) */
	char set_cookie[512]; /* a Set-Cookie value (the preferences page), or "" */
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
LA_MUST_CHECK enum la_status render_message(const struct render_ctx *c, const char *list, int day,
                                            int num, struct response *r);
/* Attachment /LIST/YYYY/MM/DD/N/K. */
LA_MUST_CHECK enum la_status render_attachment(const struct render_ctx *c, const char *list,
                                               int day, int num, int k, struct response *r);
/* Attachment page /LIST/YYYY/MM/DD/N/K/: a text attachment (a patch sent
 * as a file) shown as a message's body is, diffs coloured (its raw text
 * stays at .../N/K); an attachment that is not text gets a page linking
 * its download. */
LA_MUST_CHECK enum la_status render_attachment_page(const struct render_ctx *c, const char *list,
                                                    int day, int num, int k, struct response *r);
/* Raw message /LIST/YYYY/MM/DD/N/raw: the bytes as stored (mboxrd
 * quoting undone). */
LA_MUST_CHECK enum la_status render_raw(const struct render_ctx *c, const char *list, int day,
                                        int num, struct response *r);
/* Day, month, year, list and site pages.  A day or month too long for one
 * page (DAY_PAGE_MAX messages, MONTH_PAGE_LINES lines) continues on pages
 * 2, 3, ... (page counts from 1; a page past the last is a 404). */
LA_MUST_CHECK enum la_status render_day(const struct render_ctx *c, const char *list, int y, int m,
                                        int d, int page, struct response *r);
LA_MUST_CHECK enum la_status render_month(const struct render_ctx *c, const char *list, int y,
                                          int m, int page, struct response *r);
LA_MUST_CHECK enum la_status render_year(const struct render_ctx *c, const char *list, int y,
                                         struct response *r);
LA_MUST_CHECK enum la_status render_list(const struct render_ctx *c, const char *list,
                                         struct response *r);
LA_MUST_CHECK enum la_status render_index(const struct render_ctx *c, struct response *r);
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
LA_MUST_CHECK enum la_status render_search(const struct render_ctx *c, const char *list,
                                           const struct render_search_req *req, struct response *r);
/* The help page of the query language (/_/search-help). */
LA_MUST_CHECK enum la_status render_search_help(const struct render_ctx *c, struct response *r);

/* The zone a Cookie header's value v[0..n) names by its tz=, if it is a
 * zone of the tz database (zone.c), else NULL.  Zones live as long as
 * the program. */
const struct render_zone *render_zone_cookie(const char *v, size_t n);
/* z's name ("Europe/Paris"). */
const char *render_zone_name(const struct render_zone *z);
/* The preferences page /_/prefs: the reader's time zone, a form with
 * no script.  set: the form was sent, with tz ("" for UTC): a known zone
 * (or "") is kept in a cookie (r->set_cookie), another is a 400. */
LA_MUST_CHECK enum la_status render_prefs(const struct render_ctx *c, bool set, const char *tz,
                                          struct response *r);
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
LA_MUST_CHECK enum la_status render_numbered(const struct render_ctx *c, const char *list,
                                             int64_t n, struct response *r);
LA_MUST_CHECK enum la_status render_hyperkitty(const struct render_ctx *c, const char *list,
                                               const char *hash, bool thread, struct response *r);
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
LA_MUST_CHECK enum la_status render_msgid(const struct render_ctx *c, const char *list,
                                          const char *msgid, struct response *r);
/* /LIST/MSGID/raw: the bytes of the oldest message with the ID, as
 * render_raw sends them. */
LA_MUST_CHECK enum la_status render_msgid_raw(const struct render_ctx *c, const char *list,
                                              const char *msgid, struct response *r);
/* /LIST/MSGID/t.mbox.gz: the thread of the message (in list, or in every
 * list) as render_mboxgz writes it, by delivery time, each Message-ID
 * once (its oldest copy); gz false: /LIST/MSGID/t.mbox, the same mboxrd
 * uncompressed.  Named as lore names them (Content-Disposition: the
 * first message's subject as a file name, .mbox.gz or .mbox). */
LA_MUST_CHECK enum la_status render_thread_mbox(const struct render_ctx *c, const char *list,
                                                const char *msgid, bool gz, struct response *r);
/* /LIST/MSGID/IDX-NAME: the MIME part lore numbers IDX ("2", "1.2") of
 * the oldest message with the ID, served as attachments are. */
LA_MUST_CHECK enum la_status render_msgid_part(const struct render_ctx *c, const char *list,
                                               const char *msgid, const char *idx,
                                               struct response *r);
/* /r/MSGID/REST and /MSGID/REST (rest: "/MSGID/REST" encoded): a 302 to
 * the list that has the message (/all/ if several do), or its 404. */
LA_MUST_CHECK enum la_status render_msgid_resolve(const struct render_ctx *c, const char *msgid,
                                                  const char *rest, struct response *r);
/* /LIST/MSGID/T/ (lore's flat view: by delivery time) and /LIST/MSGID/t/
 * (nested: the tree), each message with its header block and body and
 * lore's anchor (id "m" and the SHA-1 of its Message-ID; the message the
 * URL names has "u"), THREAD_PAGE_MSGS messages a page (page counts from
 * 1; 0: the page that holds the URL's message; past the last: 404). */
LA_MUST_CHECK enum la_status render_thread_page(const struct render_ctx *c, const char *list,
                                                const char *msgid, bool nested, int page,
                                                struct response *r);
/* /LIST/MSGID/s/: the patch series the message is a patch or cover
 * letter of (series.c, docs/series.md): the cover letter, each patch m/n
 * with its author, date, replies and the trailers replies gave (linked to
 * them), the patches that never arrived, the other versions.  404 if the
 * message is in no series. */
LA_MUST_CHECK enum la_status render_series_page(const struct render_ctx *c, const char *list,
                                                const char *msgid, struct response *r);
/* /LIST/MSGID/s/mbox: the patches of that series in order (each place
 * once), as git am takes them: From:, Date:, Subject: and Message-ID: of
 * each, its text as UTF-8, and the trailers its replies gave (those of
 * the cover letter and those carried from an earlier version's same
 * patch too), then a Link: to it here (a whole URL with c->origin, else
 * a path), added at the end of its commit message without repeating one
 * it has.  gz: gzipped (s/mbox.gz). */
LA_MUST_CHECK enum la_status render_series_mbox(const struct render_ctx *c, const char *list,
                                                const char *msgid, bool gz, struct response *r);
/* /LIST/MSGID/s/vN..vM/: what changed between versions N and M of that
 * series, from the patches alone: each patch added, dropped, moved or
 * unchanged (the same patch id), or changed (the same subject, another
 * id: then the diff of its diffs, lines of the old one marked '-' and
 * of the new one '+').  404 if the series has no such versions. */
LA_MUST_CHECK enum la_status render_series_changes(const struct render_ctx *c, const char *list,
                                                   const char *msgid, unsigned from, unsigned to,
                                                   struct response *r);
/* /LIST/series/ (?page=N): the list's patch series, newest first, with
 * their version, patches arrived, review state and whether a later
 * version superseded them (serieslist.c).  404 for an unknown list or a
 * page beyond the last. */
LA_MUST_CHECK enum la_status render_series_list(const struct render_ctx *c, const char *list,
                                                int page, struct response *r);
/* /LIST/MSGID/t.atom: the thread's latest THREAD_FEED_MAX messages. */
LA_MUST_CHECK enum la_status render_thread_atom(const struct render_ctx *c, const char *list,
                                                const char *msgid, struct response *r);
/* /LIST/new.atom, /all/new.atom: the latest NEW_FEED_MAX messages (by
 * day and number, newest first). */
LA_MUST_CHECK enum la_status render_new_atom(const struct render_ctx *c, const char *list,
                                             struct response *r);
/* /LIST/topics/ (?page=N): the list's threads, latest activity first,
 * with their starter, messages, participants, first and last day;
 * /LIST/topics/new.atom: the newest threads' first messages as Atom;
 * /LIST/from/HASH/ (?page=N): a sender's threads and messages, newest
 * first, HASH being store_sender_hash of their address (topics.c). */
LA_MUST_CHECK enum la_status render_topics(const struct render_ctx *c, const char *list, int page,
                                           struct response *r);
LA_MUST_CHECK enum la_status render_topics_atom(const struct render_ctx *c, const char *list,
                                                struct response *r);
LA_MUST_CHECK enum la_status render_sender(const struct render_ctx *c, const char *list,
                                           const char *hash, int page, struct response *r);
/* The OpenSearch description document of list's search (NULL: the whole
 * archive's), which the <link rel="search"> of every page names, so that
 * a browser offers the archive as a search engine. */
LA_MUST_CHECK enum la_status render_opensearch(const struct render_ctx *c, const char *list,
                                               struct response *r);
/* /LIST/new.html: the same messages as new.atom, as a page. */
LA_MUST_CHECK enum la_status render_new_html(const struct render_ctx *c, const char *list,
                                             struct response *r);
/* lore's text pages: /LIST/_/text/help/ (the query language) and
 * /LIST/_/text/config/ (a public-inbox config snippet for a mirror, as
 * lei reads it); raw: as text/plain (.../raw).  list NULL: every list. */
LA_MUST_CHECK enum la_status render_text(const struct render_ctx *c, const char *list,
                                         const char *key, bool raw, struct response *r);

/* ---- mirrors (mirror.c): the inboxes `listarc export` writes ---- */

/* /LIST/git/N.git/FILE: a file of epoch N of DIR/inbox/LIST as it is
 * (git's dumb HTTP protocol), streamed; 404 if there is none.  file is
 * one the router's grammar allows (HEAD, info/refs, objects/info/packs,
 * objects/pack/pack-HEX.pack or .idx, objects/XX/HEX), never from
 * anywhere else. */
LA_MUST_CHECK enum la_status render_git_file(const struct render_ctx *c, const char *list,
                                             int epoch, const char *file, struct response *r);
/* /manifest.js.gz: grokmirror's manifest of every exported epoch (its
 * path /LIST/git/N.git, description, fingerprint, modified, head). */
LA_MUST_CHECK enum la_status render_manifest(const struct render_ctx *c, struct response *r);
/* /LIST/_/text/mirror/ (raw: .../raw, text/plain): the commands that
 * mirror the list (git clone of each epoch, public-inbox-init, listarc
 * index). */
LA_MUST_CHECK enum la_status render_mirror_text(const struct render_ctx *c, const char *list,
                                                bool raw, struct response *r);
/* /LIST/mbox.gz (y 0) and /LIST/YYYY/MM/mbox.gz: every shown message of
 * the list or the month, oldest first, as render_mboxgz streams them. */
LA_MUST_CHECK enum la_status render_list_mbox(const struct render_ctx *c, const char *list, int y,
                                              int m, struct response *r);

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
LA_MUST_CHECK enum la_status render_atom(const struct render_ctx *c, const struct render_feed *f,
                                         const struct render_entries *l, struct response *r);

/* The messages ids[0..n) (messages.id), in that order, as a gzipped
 * mboxrd (application/gzip), streamed: each message is read from its
 * source when the stream reaches it, so that memory stays bounded
 * whatever n is.  Each starts with "From mboxrd@z Thu Jan  1 00:00:00
 * 1970", holds its raw bytes (as render_raw sends them) with lines
 * starting "From ", ">From ", ">>From "... quoted by one more '>', ends
 * with a newline and is followed by an empty line.  A message the index
 * no longer has is left out.  The stream borrows c->st (its `store`:
 * another connection of the same index may be put in its place between
 * pieces): the store must stay open until it is freed.  ids are copied. */
LA_MUST_CHECK enum la_status render_mboxgz(const struct render_ctx *c, const int64_t *ids, size_t n,
                                           struct response *r);

/* The same mboxrd uncompressed (application/mbox), streamed likewise. */
LA_MUST_CHECK enum la_status render_mbox_plain(const struct render_ctx *c, const int64_t *ids,
                                               size_t n, struct response *r);

/* ---- the JSON API (docs/api.md): application/json, written with json-glib ---- */

/* A message's metadata (e, a row the store listed) as one JSON object,
 * appended to jb where a value may stand: the shape docs/api.md gives
 * for a message, which the API and `listarc search --format=json` both
 * print.  full: with its "attachments" (which takes reading and parsing
 * the message).  Links start with c->base.  Returns LA_OK, or the store's
 * error reading the parent's Message-ID or the message (the object is
 * closed all the same). */
LA_MUST_CHECK enum la_status render_msg_json(const struct render_ctx *c, JsonBuilder *jb,
                                             const struct store_entry *e, bool full);

/* Sets r to a JSON error: {"error": what, "status": status}. */
LA_MUST_CHECK enum la_status render_api_error(struct response *r, int status, const char *what);
/* /api/v1/: every list with its message count and first and last day. */
LA_MUST_CHECK enum la_status render_api_lists(const struct render_ctx *c, struct response *r);
/* /api/v1/LIST/: a list's messages, newest first (by day, then number),
 * or oldest first when a since/until range is given, limit at a time
 * (API_LIMIT_DEFAULT without one, at most API_LIMIT_MAX), after the
 * cursor `after` (opaque; from the previous page's "next"). */
struct render_api_query {
	const char *after; /* "" for the first page */
	int limit;         /* 0: the default */
	int since, until;  /* yyyymmdd, 0: unbounded */
};
LA_MUST_CHECK enum la_status render_api_list(const struct render_ctx *c, const char *list,
                                             const struct render_api_query *q, struct response *r);
/* /api/v1/LIST/YYYY/MM/DD/N: one message's metadata. */
LA_MUST_CHECK enum la_status render_api_msg(const struct render_ctx *c, const char *list, int day,
                                            int num, struct response *r);
/* /api/v1/LIST/MSGID/: the metadata of every message with the ID. */
LA_MUST_CHECK enum la_status render_api_msgid(const struct render_ctx *c, const char *list,
                                              const char *msgid, struct response *r);
/* /api/v1/LIST/series/: the list's patch series as /LIST/series/ lists
 * them, limit at a time (as render_api_list), after the cursor `after`
 * (opaque; from the previous page's "next"). */
LA_MUST_CHECK enum la_status render_api_series(const struct render_ctx *c, const char *list,
                                               const char *after, int limit, struct response *r);
/* /api/v1/LIST/topics/: the list's threads as /LIST/topics/ lists them
 * (latest activity first), limit at a time (as render_api_list), after
 * the cursor `after` (opaque; from the previous page's "next"). */
LA_MUST_CHECK enum la_status render_api_topics(const struct render_ctx *c, const char *list,
                                               const char *after, int limit, struct response *r);
/* /api/v1/LIST/from/HASH/: the sender of page key hash and their
 * messages, newest first; with topics, /api/v1/LIST/from/HASH/topics/:
 * the threads they took part in, as render_api_topics.  Paged as
 * render_api_list. */
LA_MUST_CHECK enum la_status render_api_sender(const struct render_ctx *c, const char *list,
                                               const char *hash, bool topics, const char *after,
                                               int limit, struct response *r);
/* /api/v1/LIST/MSGID/T/: the message's thread as a tree. */
LA_MUST_CHECK enum la_status render_api_thread(const struct render_ctx *c, const char *list,
                                               const char *msgid, struct response *r);

#endif
