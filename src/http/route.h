/* route.h: the URL grammar, and the one place where a request becomes a
 * call to a renderer.  `listarc get` and the server both come here.
 *
 *   /                              site index
 *   /LIST/                         list page
 *   /LIST/YYYY/                    year: twelve calendars
 *   /LIST/YYYY/MM/                 month: calendar and messages by day
 *   /LIST/YYYY/MM/?page=N          the rest of a busy month, whole days per page
 *   /LIST/YYYY/MM/DD/              day (?page=N: beyond the first DAY_PAGE_MAX)
 *   /LIST/YYYY/MM/DD/N             message N of that day
 *   /LIST/YYYY/MM/DD/N/K           its attachment K
 *   /LIST/YYYY/MM/DD/N/raw         its bytes as received
 *   /LIST/new.atom                 the list's latest messages as Atom
 *   /LIST/MSGID/                   the message by Message-ID (lore's forms);
 *                                  ?x=m&q=QUERY: a search of its thread, as an mbox
 *   /LIST/MSGID/raw                its bytes as received
 *   /LIST/MSGID/t.mbox.gz          its thread as a gzipped mboxrd
 *   /LIST/MSGID/t.mbox             the same, uncompressed
 *   /LIST/MSGID/T/  /LIST/MSGID/t/ its thread, flat (by date) and nested, as
 *                                  lore's; T and t redirect to T/#u and t/#u
 *   /LIST/MSGID/t.atom             its thread as Atom
 *   /LIST/MSGID/s/                 its patch series (docs/series.md)
 *   /LIST/MSGID/s/mbox             the series, its trailers added, for git am
 *   /LIST/MSGID/s/mbox.gz          the same, gzipped
 *   /LIST/MSGID/s/vN..vM/          what changed between two of its versions
 *   /LIST/MSGID/IDX-NAME           its MIME part IDX as lore numbers them
 *                                  (2-foo.patch, 1.2-a.txt); NAME is a name
 *   /LIST/MSGID/R/  /LIST/MSGID/f/ redirect to /LIST/MSGID/#R, /LIST/MSGID/
 *   /LIST/new.html                 the latest messages, as a page
 *   /LIST/series/ (?page=N)        the list's patch series and their state
 *   /LIST/topics/ (?page=N)        the list's threads, latest activity first
 *   /LIST/topics/new.atom          its new threads as Atom
 *   /LIST/from/HASH/ (?page=N)     a sender's threads and messages (HASH:
 *                                  16 hex digits, store_sender_hash)
 *   /LIST/_/text/help/ (.../raw)   the query language (lore's help page)
 *   /LIST/_/text/config/raw        a public-inbox config snippet (lei reads it)
 *   /LIST/_/text/mirror/ (.../raw) the commands that mirror the list
 *   /LIST/git/N.git/FILE           epoch N of the list's export, for git clone
 *                                  (dumb HTTP: HEAD, info/refs, objects/...)
 *   /manifest.js.gz                grokmirror's manifest of those epochs
 *   /LIST/mbox.gz, /LIST/YYYY/MM/mbox.gz   the list's, the month's messages
 *   /all/new.atom, /all/MSGID/...  the same over every list
 *   /r/MSGID/..., /MSGID/...       redirect to the list that has MSGID
 *   /LIST/?q=QUERY, /?q=QUERY, /all/?q=QUERY   search results (&o=relevance,
 *                                  &page=N, &x=t threads, &t=1 one per thread;
 *                                  an empty q= is the page without it)
 *   /_/search-help, /_/text/help/  the query language
 *   /api/v1/...                    the JSON API (docs/api.md): /api/v1/ and
 *                                  what follows it is a page's path
 *   /_/listarc-HASH.css, /robots.txt, /favicon.ico, /healthz
 *   /pipermail/LIST/YYYY-Month/NNNNNN.html, /mhonarc/LIST/msgNNNNN.html,
 *   /hyperkitty/list/LIST@HOST/message/HASH/ (and thread/HASH/; /archives/
 *                                  for /hyperkitty/): 301 to the message
 *
 * The path is split into segments first and each is percent-decoded on
 * its own, so "%2F" inside a Message-ID stays inside its segment.  After
 * the list, a segment of exactly four digits is a year, "topics" (as
 * sent) the threads' pages, "from" followed by a sender's hash a sender's
 * page, and anything else a Message-ID (links write an ID "topics" as
 * "%74opics"); "all" and "api" are never list names.  Directory forms
 * without their trailing slash (and a message with one) redirect to the
 * canonical form.  Only this grammar is accepted: a path never becomes a
 * file name. */
#ifndef LISTARC_ROUTE_H
#define LISTARC_ROUTE_H

#include <stddef.h>

#include "limits.h"
#include "render/render.h"

enum route_kind {
	R_NOTFOUND = 0,
	R_BADREQUEST, /* malformed: bad percent-encoding, NUL, "..", not absolute */
	R_TOOLONG,    /* longer than URL_MAX */
	R_REDIRECT,   /* to route.redirect (a path without base) */
	R_INDEX,
	R_STYLE,
	R_ROBOTS,
	R_FAVICON,
	R_HEALTHZ,
	R_SEARCH_HELP,
	R_LIST,
	R_YEAR,
	R_MONTH,
	R_DAY,
	R_MSG,
	R_ATTACH,
	R_ATTACH_PAGE, /* /LIST/YYYY/MM/DD/N/K/: an attachment's text as a page */
	R_RAW,
	R_NEW_ATOM,          /* /LIST/new.atom, /all/new.atom */
	R_MID,               /* /LIST/MSGID/ (list "all": every list) */
	R_MID_RAW,           /* /LIST/MSGID/raw */
	R_MID_MBOX,          /* /LIST/MSGID/t.mbox.gz */
	R_MID_MBOX_PLAIN,    /* /LIST/MSGID/t.mbox */
	R_MID_FLAT,          /* /LIST/MSGID/T/ (lore's flat view) */
	R_MID_NESTED,        /* /LIST/MSGID/t/ (lore's nested view) */
	R_MID_ATOM,          /* /LIST/MSGID/t.atom */
	R_MID_SERIES,        /* /LIST/MSGID/s/ */
	R_MID_SERIES_MBOX,   /* /LIST/MSGID/s/mbox */
	R_MID_SERIES_MBOXGZ, /* /LIST/MSGID/s/mbox.gz */
	R_MID_SERIES_DIFF,   /* /LIST/MSGID/s/vN..vM/ (y = N, m = M) */
	R_MID_PART,          /* /LIST/MSGID/IDX-NAME: route.part */
	R_MID_RESOLVE,       /* /r/MSGID/..., /MSGID/...: to the list that has it */
	R_NEW_HTML,          /* /LIST/new.html */
	R_SERIES_LIST,       /* /LIST/series/ */
	R_OPENSEARCH,        /* /_/opensearch.xml, /LIST/_/opensearch.xml */
	R_TOPICS,            /* /LIST/topics/ */
	R_TOPICS_ATOM,       /* /LIST/topics/new.atom */
	R_SENDER,            /* /LIST/from/HASH/: the hash in msgid */
	R_TEXT,              /* /LIST/_/text/KEY/ (and /raw): route.text */
	R_API_LISTS,         /* /api/v1/ */
	R_API_LIST,          /* /api/v1/LIST/: its messages */
	R_API_MSG,           /* /api/v1/LIST/YYYY/MM/DD/N */
	R_API_MID,           /* /api/v1/LIST/MSGID/ */
	R_API_THREAD,        /* /api/v1/LIST/MSGID/T/ */
	R_API_SERIES,        /* /api/v1/LIST/series/ */
	R_API_TOPICS,        /* /api/v1/LIST/topics/ */
	R_API_SENDER,        /* /api/v1/LIST/from/HASH/: the hash in msgid */
	R_API_SENDER_TOPICS, /* /api/v1/LIST/from/HASH/topics/ (no page of its own) */
	/* Old archivers' URLs, redirected (render/legacy.c): n is the number,
	 * msgid the HyperKitty hash. */
	R_PIPERMAIL,    /* /pipermail/LIST/YYYY-Month/NNNNNN.html */
	R_MHONARC,      /* /mhonarc/LIST/msgNNNNN.html */
	R_HYPERKITTY,   /* /hyperkitty/list/LIST@HOST/message/HASH/ (or /archives/...) */
	R_HYPERKITTY_T, /* /hyperkitty/list/LIST@HOST/thread/HASH/ */
	/* Mirrors (render/mirror.c). */
	R_GIT,        /* /LIST/git/N.git/FILE: n = N, gitfile = FILE */
	R_MANIFEST,   /* /manifest.js.gz */
	R_LIST_MBOX,  /* /LIST/mbox.gz */
	R_MONTH_MBOX, /* /LIST/YYYY/MM/mbox.gz */
	R_PREFS,      /* /_/prefs (?tz=): the reader's time zone */
};

/* The parameters of a query string listarc knows; others are ignored.
 * Values are percent-decoded ('+' is a space) and valid UTF-8. */
struct route_query {
	int page;        /* page=N: 1 to PAGE_DIGITS_MAX digits; 1 without one */
	bool page_given; /* page= was in the query (thread pages: else the URL's message's page) */
	bool has_q;
	char q[QUERY_PARAM_MAX + 1]; /* q=: a search query */
	char o[16];                  /* o=: result order */
	char x[8];        /* x=: alternate format of results (A Atom, m mbox, t threads) */
	bool threads;     /* t=1: with x=m, the matches' whole threads; on a
	                   * results page, one result per thread */
	char after[64];   /* after=: a pagination cursor */
	int limit;        /* limit=N, 0 without one */
	int since, until; /* since=, until=: days YYYY-MM-DD as yyyymmdd, 0 without */
	bool tz_given;    /* tz= (the preferences page's form) */
	char tz[TZ_NAME_MAX + 1];
};

struct route {
	enum route_kind kind;
	char list[LISTNAME_MAX + 1]; /* "all" for the archive-wide forms */
	bool all;                    /* list is "all" */
	int y, m, d, n, k;
	int page; /* the same as query.page */
	struct route_query query;
	char msgid[URL_MAX + 1]; /* R_MID* and R_API_MID/THREAD: decoded */
	bool redirect_absolute;  /* /LIST/MSGID to /LIST/MSGID/: see response */
	char part[32];           /* R_MID_PART: lore's part index, "2", "1.2" */
	char text[8];            /* R_TEXT: "help", "config" or "mirror" */
	char gitfile[80];        /* R_GIT: a file of an epoch (see render_git_file) */
	bool text_raw;           /* R_TEXT: .../raw, plain text */

	bool api; /* under /api/: errors are JSON */
	/* Redirect target, its segments percent-encoded again (a decoded
	 * segment may take three times its bytes).  R_MID_RESOLVE: the
	 * Message-ID's segment and what follows, to go after a list. */
	char redirect[3 * URL_MAX + 16];
};

/* Parses a request target: its path, and of its query string the
 * parameters of struct route_query.  A page= that is no page number makes
 * the target R_NOTFOUND; a value with broken percent-encoding, a control
 * character or invalid UTF-8, or longer than its field, R_BADREQUEST, as
 * does a since= or until= that is not a date YYYY-MM-DD. */
enum route_kind route_parse(const char *path, size_t n, struct route *rt);

/* A search's mbox (?q=...&x=m, of a list, of every list or of a thread
 * at /LIST/MSGID/) is also asked for by POST, as public-inbox serves it
 * and lei sends it; every other route is GET and HEAD only. */
bool route_takes_post(const struct route *rt);

/* Whether rt is answered from its URL alone, without the index: a
 * malformed or too long URL, a redirect, the stylesheet, robots.txt, the
 * icon.  Such answers are cheap: made where the request is read, never
 * cached. */
bool route_is_static(const struct route *rt);

/* The key of what route rt shows, for caches of finished pages: it holds
 * every field of rt that route_handle hands to a renderer, so that two
 * routes get the same key exactly when they ask for the same page (a
 * field added to struct route or struct route_query must be added there).
 * Writes it to out (n bytes) and returns its length; 0 for routes whose
 * responses are not worth keeping (errors, redirects, the small fixed
 * pieces), or if out is too small. */
size_t route_key(const struct route *rt, char *out, size_t n);

/* Handles a GET (or HEAD) of path: fills r (status, type, body, etag).
 * Returns LA_OK unless something failed on our side (r then holds a 500
 * page). */
LA_MUST_CHECK enum la_status route_handle(const struct render_ctx *c, const char *path, size_t n,
                                          struct response *r);

#endif
