/* limits.h: every bound listarc puts on its input, in one place.
 *
 * Each comment says what happens when the bound is hit.  Nothing here is a
 * tuning knob for speed; those live beside the code they tune:
 *   src/mbox/mbox.c      WINDOW (the read window; FROMLINE_LOOK follows
 *                        from the From_ line bounds below)
 *   src/ingest/ingest.c  BATCH_MSGS, BATCH_BYTES (messages per
 *                        transaction), RING (parsed messages in flight),
 *                        DROP_BEHIND_STEP (a large source's pages let go
 *                        of behind the reader)
 *   src/store/write.c    MID_CACHE_MAX (Message-IDs cached between
 *                        transactions)
 *   src/store/store.h    FP_BYTES (the fingerprints of an mbox)
 *   src/store/store.c    SQLite's cache_size and busy timeout
 *   src/store/search.c   DENSE_MIN (which plan a condition without words
 *                        gets), DATE_SHARE_DIV (which date ranges are
 *                        searched within the ids they span)
 *   src/http/server.c    STREAM_PIECE, STREAM_CACHE_MAX, LOG_FLUSH_AT
 *   src/http/pagecache.c GZIP_MIN
 *   src/render/message.c RAW_INMEM_MAX, STREAM_PIECE
 *   src/render/mboxgz.c  PIECE
 *   src/render/results.c SNIPPET_BYTES
 * A few bounds on input live in files other engineers were changing when
 * the rest moved here; they say what happens when hit where they are:
 *   src/search/search.h  QUERY_MAX_BYTES, QUERY_MAX_TERMS, QUERY_MAX_DEPTH
 *                        (a longer or deeper query is refused, and the
 *                        search page says which bound it hit)
 *   src/store/search.c   RANK_WINDOW (by relevance, only the newest 10,000
 *                        matches are ranked and listed)
 *   src/store/store_int.h RANK_COUNT_MAX (by relevance, a phrase's rows are
 *                        counted up to 10,000 for its weight, and estimated
 *                        past that: rank.c)
 *   src/msg/decode.c, src/msg/text.c, src/store/write.c: bounds written as
 *                        numbers in the code (a charset name over 64 bytes
 *                        is not converted, a diff file name over 512 is not
 *                        searchable, the walk for search text holds 64
 *                        parts pending, a parent chain over 256 links is
 *                        taken for a loop).
 * The command line's own ranges (--threads, --max-conns, --cache-mb,
 * --limit) are checked where each command parses them, in src/cmd/. */
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
/* A From_ line whose sender has spaces (pipermail's "From jane at
 * example.org  Tue Jan  3 20:23:02 2006") must end with an asctime date:
 * it is looked for in the last FROMLINE_TAIL_MAX bytes of the line (the
 * longest real one, "Wed Sep 30 23:59:59 CEST 2009 +0200", has 36).  Such
 * a line is a From_ line only if the next line starts a header block: a
 * field name of at most FROMLINE_FIELD_MAX bytes and a colon (an empty
 * line, or the end of the file, also do).  A line that fails either test
 * is body text. */
#define FROMLINE_TAIL_MAX 80
#define FROMLINE_FIELD_MAX 128

/* A Content-Length: value (mboxcl, mboxcl2) of more digits than this is
 * ignored, and so is one that does not lead exactly to the next From_
 * line or the end of the file: the message ends at the next From_ line
 * found by scanning, as in any mbox. */
#define CONTENT_LENGTH_DIGITS 15

/* What a source is judged by (mbox, MMDF, one message, compressed, or
 * none of these: refused): its first SNIFF_MAX bytes (decompressed, for a
 * compressed file). */
#define SNIFF_MAX (64 * 1024)

/* A dotlock (MBOX.lock) older than this many seconds whose owner cannot
 * be told alive is stale: the indexer reads as if it were not there (and
 * leaves it).  Postfix waits 500 s, procmail 17 minutes; a lock of a
 * process that is gone (its pid written in the lock, on this host) is
 * removed at once. */
#define DOTLOCK_STALE 300
/* Seconds the indexer waits for an mbox's dotlock and fcntl lock before
 * leaving the file's last message for the next run. */
#define LOCK_WAIT 5

/* A source that yields few messages for many bytes was probably not read
 * as its format: at least SUSPECT_BYTES bytes read at more than
 * SUSPECT_AVG bytes a message gets a warning on stderr ("1 message from
 * 31 MB: is this an mbox?").  Nothing else changes. */
#define SUSPECT_BYTES (16 * 1000 * 1000)
#define SUSPECT_AVG (4 * 1000 * 1000)

/* A public-inbox epoch's commit-graph file (objects/info/commit-graph) is
 * read for its first-parent chain only up to this size (about 8 million
 * commits); a bigger one is left alone and the commits are read instead
 * (ingest/git.c, ingest/cgraph.c). */
#define CGRAPH_MAX ((uint64_t)512 << 20)

/* A public-inbox epoch's packs as store/gitpack.c reads them.  An
 * object (or a delta, or what a delta makes) bigger than
 * GITPACK_OBJECT_MAX, the biggest message listarc takes (DELIVER_MAX),
 * is refused (the run stops with an error: an inbox holds messages); a
 * delta chain deeper than GITPACK_CHAIN_MAX is refused the same way (git
 * writes at most 4095: pack.depth); past GITPACK_PACKS_MAX packs in an
 * epoch the rest are not opened, and their objects are read by libgit2
 * instead (git gc and public-inbox keep a few).  GITPACK_BASE_CACHE
 * bounds the inflated delta bases kept, dropping the least recently used
 * first: replaying the reads of a 30k-message epoch, 8 MiB kept that way
 * inflated about as little as libgit2's fixed 16 MiB emptied whole
 * (18.8 MB of compressed bytes against 18.6; none kept: 71.7). */
#define GITPACK_OBJECT_MAX DELIVER_MAX
#define GITPACK_CHAIN_MAX 4096
#define GITPACK_PACKS_MAX 256
#define GITPACK_BASE_CACHE ((size_t)8 << 20)
/* The delta bases kept for pages' blobs (store/git.c), for each of the
 * two repositories a reader (each server render thread, `listarc get`)
 * keeps open: a chain's bases mostly serve the next messages' too. */
#define GITPACK_PAGE_CACHE ((size_t)1 << 20)
/* A repository's packs are kept open that way only if it has at most
 * this many (two descriptors each): one with more (a mirror fetched
 * often and never repacked) is opened for each blob and closed again, so
 * that a reader holds at most 2 * 2 * GITPACK_PAGE_PACKS descriptors
 * (the server counts them in its connection cap). */
#define GITPACK_PAGE_PACKS 4

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
/* A hide's reason (`listarc hide --reason`): refused when longer. */
#define HIDE_REASON_MAX 1000
/* A list's description or posting address set by `listarc list`:
 * refused when longer. */
#define LIST_SETTING_MAX 1000
#define NAME_MAX_BYTES 256
#define ADDR_MAX 320

/* A list name: [a-z0-9][a-z0-9._-]*, at most this long.  Other names are
 * refused by `listarc index` and answered 404 by the router. */
#define LISTNAME_MAX 64

/* A message larger than this is not read into memory to render: GMime
 * parses it from the file, its text parts are shown up to TEXT_SHOW_MAX. */
#define MSG_INMEM_MAX (16 * 1024 * 1024)

/* The largest message `listarc deliver` takes on standard input; a bigger
 * one is refused for good (exit 65, EX_DATAERR) rather than retried
 * forever by the MTA. */
#define DELIVER_MAX ((size_t)512 << 20)
/* Messages whose search rows one `listarc deliver` rebuilds, at most,
 * when the search index is of an older listarc's form (ingest/deliver.c;
 * `listarc index` rebuilds the rest at once): about a second's work,
 * while the archive lock makes other deliveries wait. */
#define DELIVER_REINDEX_MSGS 2000

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

/* Patch series (docs/series.md).  A subject's count m/n with n over
 * SERIES_PATCHES_MAX, or a version vN over SERIES_VERSION_MAX, is not
 * read as a patch subject (the message is a plain message).  A patch
 * that replies to nothing joins an earlier series of the same list,
 * author, version and count only if that series began at most
 * SERIES_WINDOW seconds before it (git send-email sends a series within
 * a minute; a resend days later is another series).  A b4 change-id:
 * longer than CHANGE_ID_MAX bytes is ignored.  A message's review
 * trailers (Reviewed-by: ...) after the first TRAILERS_MAX are not
 * stored (a reply that lists hundreds is no review). */
#define SERIES_PATCHES_MAX 999
#define SERIES_VERSION_MAX 999
#define SERIES_WINDOW (6 * 3600)
#define CHANGE_ID_MAX 128
#define TRAILERS_MAX 64
/* Versions of a series found at most (store_series_versions' breadth-first
 * walk stops there; the pages list as many). */
#define SERIES_CHAIN_MAX 32
/* Messages of a series hidden or removed that stop the walk from a reply
 * up to what it answers, at most (the rest are walked through). */
#define SERIES_UNSHOWN_MAX 64

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

/* A text attachment (/LIST/Y/M/D/N/K) is converted to UTF-8 in memory up
 * to this size; a bigger one is sent as it is, as a download, like other
 * attachments. */
#define TEXT_ATTACH_MAX ((size_t)16 << 20)
/* An attachment whose encoded bytes exceed this gets an estimated size on
 * the message page ("about N bytes") instead of being decoded to count
 * them: a 100 MB attachment is not decoded on every view. */
#define SIZE_EXACT_MAX (1 << 20)

/* A URL in a message body longer than this is shown but not linked. */
#define LINK_MAX 2048
/* A message page looks up at most this many lore.kernel.org links
 * (/LIST/MSGID, /r/MSGID) in the index, to point them at the archive's
 * copy; later ones link to lore, as written. */
#define LORE_LINKS_MAX 64
/* Files of one text part's diffs whose diffstat line links to them; the
 * files after this many keep their colours, without the link. */
#define DIFF_FILES_MAX 512

/* A request path longer than this is refused (414 from the server, exit 2
 * from `listarc get`). */
#define URL_MAX 4096
/* Segments of a request path (/LIST/YYYY/MM/DD/N/K has six); a path
 * with more is answered 404 (src/http/route.c). */
#define SEG_MAX 10

/* The server (src/http/server.c).  Request header fields (names and values)
 * adding up to more than this get 431 and the connection is closed.  libh2o itself closes a
 * connection whose request head passes its own bound (about 400 KB) or has more than 100 fields. */
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

/* Clients the rate limiter (`serve --rate-limit`) keeps a bucket for; a
 * new client past it takes the slot of one idle the longest (which starts
 * again with a full bucket).  A power of two; 40 bytes each. */
#define RATELIMIT_CLIENTS 65536

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
/* store/daylines.c: a day's listing lines are kept as one row only for a
 * day of at most this many messages (a month page shows at most
 * MONTH_DAY_SHOW of a day; a busier day is read from its rows, and its
 * row is not made again at each commit of a live list). */
#define DAY_LINES_MAX 200
/* Messages on one day page; a busier day continues on ?page=2, 3, ... */
#define DAY_PAGE_MAX 1000
/* The N of ?page=N has at most this many digits; more is answered 404. */
#define PAGE_DIGITS_MAX 7
/* Most recent messages on a list page. */
#define LIST_RECENT 100

/* A Message-ID that matches nothing (its 404 page) is compared with the
 * IDs it begins, of NEAR_ID_MIN bytes or more (public-inbox's shortest
 * partial match: Gnus' "XXXXXXXXXX.fsf"), and its prefix with every ID
 * of the index: a range of the index of IDs by text, of which at most
 * NEAR_WALK_MAX rows are read (IDs of ghosts among them are skipped, so
 * a prefix that thousands of ghosts share may list fewer candidates than
 * there are). */
#define NEAR_ID_MIN 14
#define NEAR_WALK_MAX 1000

/* The reply instructions of a message page (#R) take this many addresses
 * of its From, To, Cc and Reply-To at most (addresses over ADDR_MAX
 * bytes are left out); the rest are left out too. */
#define REPLY_ADDRS_MAX 200

/* Thread pages (/LIST/MSGID/T/ and t/) show this many messages a page;
 * a longer thread continues on ?page=2, 3, ...  Each message's text is
 * shown up to THREAD_MSG_SHOW bytes there, then a note links its page. */
#define THREAD_PAGE_MSGS 50
#define THREAD_MSG_SHOW (256 * 1024)
/* A thread of more Message-IDs than this (messages and ghosts) is shown
 * in part: its pages, the outline under a message and the JSON tree take
 * the first THREAD_NODES_MAX, and the thread page says so. */
#define THREAD_NODES_MAX 5000
/* The outline under a message shows at most OUTLINE_MAX rows: beyond, a
 * window around the message and a link to the full thread page.  Replies
 * nested deeper than NEST_MAX are drawn there at that depth. */
#define OUTLINE_MAX 300
#define NEST_MAX 32
/* Nesting drawn on the nested thread page (T/, classes d1 ... d8); deeper
 * replies are drawn at this depth and say whom they answer. */
#define PAGE_NEST_MAX 8
/* Nesting of replies in the JSON API's thread tree; deeper replies are
 * put in the replies of the node at this depth (their "depth" and
 * "parent" say where they belong), so that no client's parser recurses
 * without end. */
#define API_NEST_MAX 64
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
/* Search results pages (and `listarc search`): RESULTS_PER_PAGE results
 * a page; a page number past RESULTS_PAGES_MAX (10,000 results) gets a
 * 404 that says so.  Matches are counted exactly up to
 * RESULTS_COUNT_EXACT, or as far as the page shown if that is further
 * (`listarc search`: as far as --limit); past that the page says "more
 * than 1000".  Counting walks every match it counts: counting a phrase
 * of two common words exactly to 10,000 was most of its page ("the
 * patch" at 100,000 messages: 5,973 matches, 17 ms a page; 1,000 of
 * them: 2 ms), and lore too shows an estimate.  `listarc search --count`
 * counts every match. */
#define RESULTS_PER_PAGE 25
#define RESULTS_PAGES_MAX 400
#define RESULTS_COUNT_EXACT 1000
/* The JSON API's pages of messages: limit= defaults to API_LIMIT_DEFAULT
 * and is cut to API_LIMIT_MAX. */
#define API_LIMIT_DEFAULT 100
#define API_LIMIT_MAX 500

/* A page under construction may not grow beyond this; the renderer stops
 * and reports LA_ETOOBIG (the server answers 500, which should never
 * happen given the limits above). */
#define PAGE_MAX (64 * 1024 * 1024)

/* The reader's time zone (render/zone.c): the names of the tz database's
 * zones are read once from $TZDIR/tzdata.zi (else zone1970.tab), at most
 * TZ_FILE_MAX bytes of it and TZ_ZONES_MAX zones (more are left out);
 * a name longer than TZ_NAME_MAX, in a file or a cookie, is no zone. */
#define TZ_FILE_MAX (1024 * 1024)
#define TZ_ZONES_MAX 2000
#define TZ_NAME_MAX 64

/* Day numbers per day: the N in /LIST/YYYY/MM/DD/N has at most 9 digits. */
#define DAYNUM_MAX 999999999

#endif
