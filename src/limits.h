/* limits.h: every bound listarc puts on its input, in one place.
 *
 * Each comment says what happens when the bound is hit.  Nothing here is a
 * tuning knob for speed; those live beside the code they tune. */
#ifndef LISTARC_LIMITS_H
#define LISTARC_LIMITS_H

/* An mbox From_ line longer than this is cut; the rest of the line is
 * skipped and the date is parsed from what was kept.  What is kept starts
 * after the sender token, which may itself be up to FROMLINE_SENDER_MAX
 * bytes long (a hostile or broken one): a line whose sender is longer
 * than that is not a From_ line, and its message stays part of the one
 * before it. */
#define FROMLINE_MAX 1024
#define FROMLINE_SENDER_MAX (64 * 1024)

/* The indexer reads at most this much of a message's header block.  A longer
 * header block (a 1 MB header line, 10,000 References) is cut here and the
 * message is flagged MSG_F_HEAD_TRUNC; the page still shows the message. */
#define HEAD_MAX (256 * 1024)

/* Header fields read from one header block; later fields are ignored. */
#define HDR_FIELDS_MAX 2000

/* A Message-ID longer than this is replaced by a hash of it, so that it
 * still identifies the message (notmuch does the same). */
#define MSGID_MAX 512

/* References kept per message: the first one (the thread root) and the
 * last REFS_MAX - 1 (the parent and its nearest ancestors).  The ones in
 * between are dropped: they add nothing the kept ones do not. */
#define REFS_MAX 64

/* Subject and From name stored in the index are cut (on a UTF-8 boundary)
 * at this many bytes; the message page shows the full header anyway. */
#define SUBJECT_MAX 1024
#define NAME_MAX_BYTES 256
#define ADDR_MAX 320

/* A list name: [a-z0-9][a-z0-9._-]*, at most this long.  Other names are
 * refused by `listarc index` and answered 404 by the router. */
#define LISTNAME_MAX 64

/* A message larger than this is not read into memory to render: GMime
 * parses it from the file, its text parts are shown up to TEXT_SHOW_MAX. */
#define MSG_INMEM_MAX (16 * 1024 * 1024)

/* Text shown inline on a message page, per page.  Beyond it the page says
 * how much was left out and links the raw message. */
#define TEXT_SHOW_MAX (4 * 1024 * 1024)

/* A header field shown on a message page is cut at this many bytes. */
#define HDR_SHOW_MAX (64 * 1024)

/* Text of one message fed to the search index (all fields together).
 * Beyond it the rest of the message is not searchable; pages show it. */
#define SEARCH_TEXT_MAX (512 * 1024)

/* Patch ids (patchid:): a text part is read whole for them up to this
 * size (the most the indexer reads of a message); the patches of a longer
 * part get none (an id of a cut patch is one git never gives).  At most
 * PATCHIDS_MAX ids are kept per message; the rest are not searchable. */
#define PATCH_TEXT_MAX (SEARCH_TEXT_MAX * 8)
#define PATCHIDS_MAX 64

/* MIME: nesting deeper than this, or more parts than this, is not walked;
 * the page says that parts were skipped.  (blists stops at 10, mblaze at
 * 64; real mail nests 4 or 5 deep.) */
#define MIME_DEPTH_MAX 32
#define MIME_PARTS_MAX 1000
/* Lines that look like MIME boundaries, beyond which a message is not
 * given to GMime at all (see msg_mime_too_many_parts): its page shows the
 * body as plain text and says why. */
#define MIME_BOUNDARIES_MAX 25000

/* An attachment file name is cut at this many bytes after sanitizing. */
#define FILENAME_MAX_BYTES 100

/* A URL in a message body longer than this is shown but not linked. */
#define LINK_MAX 2048

/* A request path longer than this is refused (414 from the server, exit 2
 * from `listarc get`). */
#define URL_MAX 4096

/* The server (src/http/server.c).  Request header fields (names and values)
 * adding up to more than this get 431 and the connection is closed.  libh2o itself closes a connection whose request
 * head passes its own bound (about 400 KB) or has more than 100 fields. */
#define HTTP_HEADERS_MAX (16 * 1024)
/* Open connections, all threads together (--max-conns).  At the cap a
 * new connection closes the one idle the longest (no request being
 * answered); if every one is busy, the listeners stop accepting until one
 * closes, and the kernel queues (and then refuses) the rest.  The cap is
 * lowered to the open-file limit less HTTP_FDS_SPARE. */
#define HTTP_CONNS_DEFAULT 1024
#define HTTP_FDS_SPARE 64
/* Seconds a client may take to send a request head (headers trickled a
 * byte at a time included) and to keep an idle connection open: past it
 * the connection is closed. */
#define HTTP_HEAD_TIMEOUT 10
/* Seconds a response may go without progress (the client taking the next
 * 64 KiB of it), counted from its request: a client that stops reading, or
 * reads a byte a minute, gets a reset then.  A big download that keeps
 * moving is never cut. */
#define HTTP_RESPONSE_TIMEOUT 60
/* After SIGTERM, seconds granted to responses in flight before their
 * connections are closed anyway. */
#define HTTP_DRAIN_TIMEOUT 10

/* A query string parameter's decoded value (a search query is at most
 * QUERY_MAX_BYTES; this leaves room to say it is too long). */
#define QUERY_PARAM_MAX 8192

/* Messages per day shown on a month page before "N more messages". */
#define MONTH_DAY_SHOW 100
/* Message lines on one month page.  A month with more is split into pages
 * (?page=N) at day boundaries: a page holds whole days, at most this many
 * lines unless a single day alone has more (it never does: MONTH_DAY_SHOW
 * is smaller). */
#define MONTH_PAGE_LINES 500
/* Messages on one day page; a busier day continues on ?page=2, 3, ... */
#define DAY_PAGE_MAX 1000
/* The N of ?page=N has at most this many digits; more is answered 404. */
#define PAGE_DIGITS_MAX 7
/* Most recent messages on a list page. */
#define LIST_RECENT 100

/* Thread pages (/LIST/MSGID/t/ and T/) show this many messages a page;
 * a longer thread continues on ?page=2, 3, ...  Each message's text is
 * shown up to THREAD_MSG_SHOW bytes there, then a note links its page. */
#define THREAD_PAGE_MSGS 50
#define THREAD_MSG_SHOW (256 * 1024)
/* A thread mbox (t.mbox.gz) holds at most this many messages; the rest
 * of a bigger thread is left out (the bytes stream, only the list of
 * message ids is held: 8 bytes each). */
#define THREAD_MBOX_MAX 100000
/* Atom feeds: new.atom has the latest NEW_FEED_MAX messages, t.atom the
 * thread's latest THREAD_FEED_MAX; each entry's content is the
 * message's text cut at TEXT_FEED_MAX bytes (on a UTF-8 boundary, with a
 * note). */
#define NEW_FEED_MAX 25
#define THREAD_FEED_MAX 100
#define TEXT_FEED_MAX (32 * 1024)
/* A search's mbox (&x=m) holds at most this many messages, the newest
 * (or most relevant) of the matches; the response says when it was cut
 * (X-Listarc-Truncated), and so does the results page. */
#define SEARCH_MBOX_MAX 10000
/* The JSON API's pages of messages: limit= defaults to API_LIMIT_DEFAULT
 * and is cut to API_LIMIT_MAX. */
#define API_LIMIT_DEFAULT 100
#define API_LIMIT_MAX 500

/* A page under construction may not grow beyond this; the renderer stops
 * and reports LA_ETOOBIG (the server answers 500, which should never
 * happen given the limits above). */
#define PAGE_MAX (64 * 1024 * 1024)

/* Day numbers per day: the N in /LIST/YYYY/MM/DD/N has at most 9 digits. */
#define DAYNUM_MAX 999999999

#endif
