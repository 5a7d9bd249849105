/* render_int.h: what the files of render/ share among themselves
 * (stage-internal: nothing outside src/render/ includes it, but the
 * stage's own fuzz and unit tests).  page.c: the page skeleton and links;
 * message.c: one message; outline.c: a thread collected and drawn;
 * msgid.c: lookups by Message-ID.  The escapers are in html.h, the MIME
 * walk in mime.h. */
#ifndef LISTARC_RENDER_INT_H
#define LISTARC_RENDER_INT_H

#include "limits.h"
#include "render/mime.h"
#include "render/render.h"
#include "thread/thread.h"

/* ---- the page skeleton and links (page.c) ---- */

/* What the head and header of a page say besides its title: its list
 * (its search box, its feed and OpenSearch document; NULL for the whole
 * archive), its own feed when it has one (a thread's: a URL, written as
 * is), the text of its search box, its canonical URL. */
struct page_head {
	const char *title;     /* escaped here */
	const char *canonical; /* a URL, or NULL */
	const char *list;      /* NULL: the whole archive */
	const char *feed;      /* a URL, or NULL: the list's (archive's) new.atom */
	const char *q;         /* the search box's text, or NULL */
};
/* Starts a page: doctype, head (title, stylesheet, feed, OpenSearch), a
 * skip link, the header (site bar, search box), then opens <main>. */
void page_open(const struct render_ctx *c, struct buf *b, const struct page_head *h);
/* page_open for a page of no list (the archive's search box and feed):
 * a list's page opens with page_open and its list. */
void page_open_site(const struct render_ctx *c, struct buf *b, const char *title);
/* Ends a page: footer and closing tags. */
void page_end(const struct render_ctx *c, struct buf *b);
/* Ends r's page (page_end) and sets its status and max_age; a body that
 * could not be built makes r the 500 page and its error is returned. */
enum la_status page_close(const struct render_ctx *c, struct response *r, int status, int max_age);

/* Links.  day is yyyymmdd; all write c->base first (link_list of NULL:
 * c->base alone, the site's root). */
void link_list(const struct render_ctx *c, struct buf *b, const char *list);
void link_year(const struct render_ctx *c, struct buf *b, const char *list, int y);
void link_month(const struct render_ctx *c, struct buf *b, const char *list, int y, int m);
void link_day(const struct render_ctx *c, struct buf *b, const char *list, int day);
void link_msg(const struct render_ctx *c, struct buf *b, const char *list, int day, int num);

/* "[<a href=URL>label</a>] " where url_fn writes the URL; label is
 * written as is (it is ours, already HTML). */
void nav_item(struct buf *b, const char *label, const char *url);

/* The subject without the list's tag ("(no subject)" if empty), as
 * plain text. */
void subject_plain(const struct render_ctx *c, struct buf *b, const char *list,
                   const char *subject);
/* A subject for listings: the list's tag dropped, "(no subject)" if empty. */
void subject_text(const struct render_ctx *c, struct buf *b, const char *list, const char *subject);
/* The same with list's tag (conf_subject_tag's, tl long) asked once by
 * the caller: a listing's lines. */
void subject_text_tagged(const struct render_ctx *c, struct buf *b, const char *list,
                         const char *tag, size_t tl, const char *subject);
/* A sender for listings: the name, else the obfuscated address. */
void sender_text(struct buf *b, const char *name, const char *addr);

/* "m" and the SHA-1 of msgid in hex: the anchor lore gives a message on
 * its thread pages (/T/#m..., /t/#m...). */
void mid_anchor(struct buf *b, const char *msgid);
/* A file name as lore makes one from a subject (to_filename): into
 * out[0..n), then ext; fallback when nothing is left of s. */
void lore_filename(char *out, size_t n, const char *s, const char *fallback, const char *ext);

/* ---- times (zone.c) ---- */

/* What a time element shows: the sender's date and time to the minute
 * or to the second, with the sender's offset ("2024-01-02 10:00 +0100"),
 * or the time alone ("10:00 +0100", in a day's listing). */
enum time_form { TIME_MINUTES, TIME_SECONDS, TIME_CLOCK };
/* <time datetime="the sender's ISO date with its offset" title="the
 * reader's time: in c->zone, else UTC">; t: seconds since the epoch,
 * tz: the sender's offset in minutes east of UTC when has_tz (else the
 * date is shown in UTC).  time_open writes the opening tag only (the
 * caller writes what it shows and "</time>"); time_html the element
 * with form's text.  Nothing for a year outside 1..9999. */
bool time_open(const struct render_ctx *c, struct buf *b, int64_t t, bool has_tz, int tz);
void time_html(const struct render_ctx *c, struct buf *b, int64_t t, bool has_tz, int tz,
               enum time_form form);

/* Sets r to a finished HTML page (status 200) from b. */
void page_finish(struct response *r, int status);

/* ---- a message (message.c) ---- */

/* The message page of m into r; canonical: with <link rel="canonical">
 * naming its date URL (when it is served at another). */
LA_MUST_CHECK enum la_status message_page(const struct render_ctx *c, const struct store_msg *m,
                                          bool canonical, struct response *r);
/* m's <pre class="msg"> block (its header fields, then its body) appended
 * to b.  show_max: text shown at most (then a note links the message's
 * page), 0 for the message page's own bound.  Returns LA_OK, or why the
 * message could not be read (b is then unchanged). */
LA_MUST_CHECK enum la_status message_pre(const struct render_ctx *c, struct buf *b,
                                         const struct store_msg *m, size_t show_max);
/* m's text parts (UTF-8), at most max bytes of them, appended to out;
 * *cut if some were left out. */
LA_MUST_CHECK enum la_status message_text(const struct render_ctx *c, const struct store_msg *m,
                                          size_t max, struct buf *out, bool *cut);
/* The part of m that lore numbers idx ("2", "1.2"), as the attachment
 * page /LIST/YYYY/MM/DD/N/K serves an attachment, into r. */
LA_MUST_CHECK enum la_status message_part(const struct render_ctx *c, struct store_msg *m,
                                          const char *idx, struct response *r);
/* Calls fn for each attachment of m (blocks of kind MB_ATTACHMENT, see
 * mime.h), in order. */
struct mime_block;
LA_MUST_CHECK enum la_status message_attachments(
	const struct render_ctx *c, const struct store_msg *m,
	void (*fn)(const struct mime_block *blk, void *arg), void *arg);

/* Appends the <pre class="msg"> block of message /LIST/DAY/NUM to b: the
 * six shown header fields of data[0..len) (the message's bytes, mboxrd
 * quoting undone; only its head if the message is too big to hold), a
 * blank line, then the body as mm's MIME walk shows it, attachments
 * linked as lore links them, /LIST/MSGID/N-NAME (msgid NULL, or a part
 * without lore's number: /LIST/DAY/NUM/K, which keeps working).  opened is what opening mm
 * returned: if it is not LA_OK (mm may then be NULL), or the walk fails, the body bytes of data are
 * shown as text instead.  show_max: the body's text is cut after this many bytes, with a link to
 * the message's page (0: shown whole).  Only c->conf and c->base are read, never c->st
 * (fuzz_msgpage calls it with no index at all).  Errors stick in b->err. */
void render_message_text(const struct render_ctx *c, struct buf *b, const char *list, int day,
                         int num, const char *msgid, const char *data, size_t len,
                         struct mime_msg *mm, enum la_status opened, size_t show_max);

/* ---- a message's text (body.c) ---- */

/* What body_html keeps across the text parts of one message. */
struct body_fmt {
	const struct render_ctx *c; /* c->st NULL: no lore link is looked up */
	int day, num;               /* the message, in its anchors' names */
	size_t nfiles;              /* diff files anchored so far */
	unsigned lookups;           /* lore links looked up so far */
	/* body_html's scratch: the files of a text part's diffs, in order
	 * (the new names of its "diff --git" lines, else of its "+++ "
	 * lines after "--- "), for the diffstat's links. */
	struct body_files {
		struct span v[DIFF_FILES_MAX];
		size_t n;
		bool git;
	} files;
};

/* Appends text t[0..n) of a message's body to b, inside its <pre>:
 * html_body_ex's escaping (flags: HTML_LINKS, HTML_OBFUSCATE), with diff
 * lines in spans of class d-add, d-del, d-hunk, d-file inside a block of
 * class "diff" (each file's first header line anchored, id df-DAY-NUM-K,
 * and the diffstat's names linked to them), quoted lines in a block of
 * class "q" and a signature in one of class "sig", folded in a <details>
 * when long, and lore.kernel.org links to a message the index has
 * pointed at its local page.  Only tags are added: the text is
 * html_body's. */
void body_html(struct body_fmt *f, struct buf *b, const char *t, size_t n, unsigned flags);

/* ---- a thread, collected and drawn (outline.c) ---- */

/* A message of a collected thread; its strings are in its thread's
 * text. */
struct outline_msg {
	int64_t id, mid, ts; /* ts: the Date:, else the delivery time */
	bool has_tz;         /* ts is a Date: with the sender's offset tz */
	int tz;
	int day, num;
	char *list, *subject, *from, *msgid;
};

/* A thread's parent links (ids) and its messages (msgs), as the index
 * holds them. */
struct outline_thread {
	struct thread_id_in *ids;
	size_t nids, capids;
	struct outline_msg *msgs;
	size_t nmsgs, capmsgs;
	bool oom;
	/* Collecting: every string (the messages', the ids' Message-IDs) in
	 * one buffer, at the offsets at (one per id, four per message) until
	 * the pointers are set; by_id: ids' indexes by id. */
	struct buf text;
	size_t *at, capat;
	struct outline_id_at {
		int64_t id;
		size_t k;
	} * by_id;
	bool lean;    /* the messages' rows are without their Message-IDs */
	bool missing; /* a message's mid is not among ids */
};

/* Collects thread's messages (of list_id, or of every list if 0) into
 * *c and builds its tree into *tree, whose rows' keys index c->msgs.
 * Returns LA_OK, LA_ENOMEM or the index's error; free both with
 * outline_free and thread_tree_free whatever it returns. */
LA_MUST_CHECK enum la_status outline_collect(struct store *st, int64_t thread, int64_t list_id,
                                             struct outline_thread *c, struct thread_tree *tree);
void outline_free(struct outline_thread *c);

/* Rows [from, to) of tree t as nested lists, the message whose id is
 * current marked; anchors: entries link to #m<row+1> on this page rather
 * than to the messages' pages. */
void outline_tree_html(const struct render_ctx *c, struct buf *b, const struct outline_thread *col,
                       const struct thread_tree *t, size_t from, size_t to, int64_t current,
                       bool anchors);

/* The nested lists of a tree drawn a row at a time, for the next row, at
 * depth d (at most one deeper than the row before): first, the opening
 * of the outer list, for the first row (*level 0), else the lists opened
 * or closed down to d; *level counts the lists open.  The caller then
 * writes the row's <li>. */
void outline_nest(struct buf *b, int *level, int d, const char *first);

/* "YYYY-MM-DD HH:MM" (UTC) of ts. */
void outline_date(struct buf *b, int64_t ts);

/* The outline of m's thread, for the bottom of its page: the tree with m
 * marked, each entry linked, and the permalink and download links. */
void render_thread_outline(const struct render_ctx *c, struct buf *b, const struct store_msg *m);

/* BASE/LIST/MSGID/ (list NULL: "all"), the Message-ID percent-encoded so
 * that it stays one path segment. */
void link_msgid(const struct render_ctx *c, struct buf *b, const char *list, const char *msgid);

/* ---- patch series (series.c) ---- */

/* For the page of message m, if it is a patch or cover letter of a
 * series: a line saying so (its place, a link to the series page and to
 * its other versions), and above it, when a newer version exists, a line
 * saying when it was posted, with a link.  Nothing otherwise (nor when
 * the index cannot be read: the page goes on without it). */
void render_series_note(const struct render_ctx *c, struct buf *b, const struct store_msg *m);

/* ---- rows: the numbers of index entries (entries.c) ---- */

/* An entry's numbers without its strings, for collectors that match or
 * sort them: ids of messages (id) and of Message-IDs (mid, parent), the
 * thread, and pos, the row's place when it was added. */
struct render_row {
	int64_t id, mid, parent, thread;
	size_t pos;
};
/* A growing array of rows.  Zero-initialize, fill with render_rows_add
 * (a store_entry_fn: arg is the struct render_rows) or render_rows_push,
 * free with render_rows_free.  An allocation failure sets oom and stops
 * the walk. */
struct render_rows {
	struct render_row *v;
	size_t n, cap;
	bool oom;
};
/* Appends row (its pos set to its place); false, with oom set, if memory
 * ran out. */
bool render_rows_push(struct render_rows *r, struct render_row row);
bool render_rows_add(const struct store_entry *e, void *arg);
void render_rows_free(struct render_rows *r);

/* ---- lookups by Message-ID (msgid.c) ---- */

/* The messages with msgid, in list (NULL: every list; *list_id is then
 * 0), oldest first, copied into l (free it with render_entries_free
 * whatever this returns).  LA_ENOTFOUND if there is no such list; LA_OK
 * with l->n == 0 if no message has the ID. */
LA_MUST_CHECK enum la_status msgid_lookup(const struct render_ctx *c, const char *list,
                                          const char *msgid, struct render_entries *l,
                                          int64_t *list_id);

/* The lookup's failures as pages: no such list (404), the index
 * unreadable (500, and e is returned). */
LA_MUST_CHECK enum la_status msgid_lookup_failed(const struct render_ctx *c, struct response *r,
                                                 enum la_status e);

/* The 404 page of a Message-ID into r: where else it is (other lists),
 * the messages that reply to it (the archive knows it as a ghost), and a
 * search for it. */
LA_MUST_CHECK enum la_status msgid_not_found(const struct render_ctx *c, const char *list,
                                             int64_t list_id, const char *msgid,
                                             struct response *r);

/* msgid_lookup with its failures answered: true with the messages (one
 * at least) in l and *list_id set; false with the page in r (no such
 * list, the index unreadable: msgid_lookup_failed; no such message:
 * msgid_not_found) and its status in *e.  Free l with
 * render_entries_free either way. */
bool msgid_find(const struct render_ctx *c, const char *list, const char *msgid,
                struct render_entries *l, int64_t *list_id, struct response *r, enum la_status *e);

/* A message as an item of a list of messages (<li>): its day, its
 * subject linked to its page (after its list's name if with_list), its
 * sender. */
void entry_line(const struct render_ctx *c, struct buf *b, const struct store_entry *e,
                bool with_list);

/* ---- patch series (serieslist.c) ---- */

/* The list page's line linking /LIST/series/ (nothing if it has none). */
void render_series_link(const struct render_ctx *c, struct buf *b, int64_t list_id,
                        const char *list);

/* ---- JSON documents (api.c) ---- */

/* Sets r to the JSON document jb built (its root), with status; returns
 * the body's error, if any. */
enum la_status finish_json(JsonBuilder *jb, int status, struct response *r);
/* r: the API's 500 ("the index could not be read"); returns e. */
enum la_status api_failed(struct response *r, enum la_status e);
/* The cursor of a page of messages ("k..."): the URL key (day, number)
 * of its last message, written into out (n bytes, 32 is enough), read
 * back (false if s is no such cursor). */
void api_cursor_write(char *out, size_t n, int day, int num);
bool api_cursor_read(const char *s, int *day, int *num);
/* The cursors of other pages (of topics "t", of series "s"): the letter,
 * a and b in hexadecimal, '-' between, written into out (n bytes, 40 is
 * enough); read back (false if s is not such a cursor). */
void api_cursor2_write(char *out, size_t n, char letter, int64_t a, int64_t b);
bool api_cursor2_read(const char *s, char letter, int64_t *a, int64_t *b);
/* The 400 of an after= that is not one of our cursors; returns its
 * error, if any. */
enum la_status api_bad_cursor(struct response *r);
/* The list's id (true); else false, with r the API's 404 ("no such
 * list") or 500 and *e what the renderer returns. */
bool api_list_id(const struct render_ctx *c, const char *list, int64_t *id, struct response *r,
                 enum la_status *e);
/* The end of a JSON answer: r is jb's document (200), or when e is set
 * the API's 500; jb is released.  Returns e, or finish_json's error. */
enum la_status api_send(JsonBuilder *jb, enum la_status e, struct response *r);
/* Keyset pages of the API: the page size served for limit= (0: none
 * given); 1 to 16 lowercase hexadecimal digits s[0..n) read into *out
 * (false if they are not). */
int api_limit(int asked);
bool api_hex(const char *s, size_t n, uint64_t *out);
/* The end of a page's document, sent: its last members, "after", the
 * cursor of its last item, and "next", the next page's URL (api_next_url
 * of rest, then query: more parameters, "" for none), when there is a
 * next page (cursor not NULL), else both null; the object closed, and jb
 * given to api_send with e (or the URL's error). */
enum la_status api_page_send(const struct render_ctx *c, JsonBuilder *jb, const char *list,
                             const char *rest, const char *cursor, const char *query, int limit,
                             enum la_status e, struct response *r);
/* A page read with one more item than limit asked for: sets *more
 * (there is a next page) and returns how many items to list. */
size_t api_shown(size_t n, int limit, bool *more);
/* The same for a page of messages read into l, with e the read's status:
 * l cut to limit and LA_OK; or l freed, r the API's 500 and e returned. */
enum la_status api_entries_page(enum la_status e, struct render_entries *l, int limit, bool *more,
                                struct response *r);
/* A page's document opened: an object whose first member is "list"; the
 * caller ends it with api_page_send. */
JsonBuilder *api_doc_open(const char *list);
/* A page of rows other than messages (topics, series), read with one
 * more than limit asked for: api_rows_open sets shown and more
 * (api_shown of the n rows read), opens jb (api_doc_open) and tmp, a
 * buffer for the rows' URLs; api_rows_send ends it as api_page_send does
 * (with e, or tmp's error if e is LA_OK) and frees tmp. */
struct api_rows {
	JsonBuilder *jb;
	struct buf tmp;
	size_t shown;
	bool more;
};
void api_rows_open(struct api_rows *p, const char *list, size_t n, int limit);
enum la_status api_rows_send(const struct render_ctx *c, struct api_rows *p, const char *list,
                             const char *rest, const char *cursor, int limit, enum la_status e,
                             struct response *r);
/* The member "messages": l's messages (render_msg_json, full or not). */
enum la_status api_messages(const struct render_ctx *c, JsonBuilder *jb,
                            const struct render_entries *l, bool full);
/* b (reset first) is the API URL c->base + "api/v1/" + list + "/" + rest;
 * api_next_url adds "?after=CURSOR&limit=N", the next page's URL. */
void api_url(const struct render_ctx *c, struct buf *b, const char *list, const char *rest);
void api_next_url(const struct render_ctx *c, struct buf *b, const char *list, const char *rest,
                  const char *cursor, int limit);

/* ---- JSON members (msgjson.c) ---- */

/* A string member; NULL is null, and bytes that are not UTF-8 (never in
 * the index, but it is input too) become U+FFFD. */
void json_add_string(JsonBuilder *jb, const char *key, const char *v);
/* A string member from b, which is reset afterwards. */
void json_add_buf(JsonBuilder *jb, const char *key, struct buf *b);
void json_add_int(JsonBuilder *jb, const char *key, int64_t v);
/* A member holding t (Unix time) in RFC 3339 (date_rfc3339). */
void json_add_time(JsonBuilder *jb, const char *key, int64_t t);

/* ---- a list's figures (charts.c) ---- */

/* Bars of messages per month from the first month with mail to the
 * last, n[year - first_year][month] (as the list page counts them). */
void chart_list_months(struct buf *b, int first_year, int nyears, const int (*n)[13]);
/* Bars of messages per month of year y (counts[1..12]), and their table. */
void chart_year(struct buf *b, int y, const int counts[13]);
/* Bars of messages per day of y/m (counts[1..31]); the calendar beside
 * it holds the numbers. */
void chart_month(struct buf *b, int y, int m, const int counts[32]);
/* The top posters and busiest threads of list in period
 * (STORE_PERIOD_*), headed "Top posters" + when (" in 2019").  Returns
 * the index's error (what was read is on the page). */
LA_MUST_CHECK enum la_status chart_tops(const struct render_ctx *c, struct buf *b, const char *list,
                                        int64_t list_id, int period, const char *when);
/* BASE/LIST/from/HASH/: the page of the sender of address addr. */
void link_sender(const struct render_ctx *c, struct buf *b, const char *list, const char *addr);
/* On the page of message m, a line linking its sender's page. */
void render_sender_note(const struct render_ctx *c, struct buf *b, const struct store_msg *m);
/* A thread's subject linked to its flat thread page (of list). */
void topic_link(const struct render_ctx *c, struct buf *b, const char *list,
                const struct store_topic *t);

/* ---- hidden messages (gone.c) ---- */

/* r: the 410 page of a hidden message, with reason if not NULL or "". */
void render_gone(const struct render_ctx *c, struct response *r, const char *reason);
/* If m is hidden, sets r to its 410 page and returns true. */
bool render_hidden_msg(const struct render_ctx *c, const struct store_msg *m, struct response *r);
/* If msgid is hidden in list_id (any list if 0), sets r to its 410 page
 * and returns true. */
bool render_hidden_msgid(const struct render_ctx *c, int64_t list_id, const char *msgid,
                         struct response *r);

/* series.c: the changes page's diff of two patches' texts (old, new),
 * a section a file that differs, into b, and what pairing them costs
 * (*cost; SIZE_MAX if they are not compared); for fuzz_ddiff. */
void series_ddiff_html(struct buf *b, const char *old, size_t on, const char *new, size_t nn,
                       size_t *cost);

#endif
