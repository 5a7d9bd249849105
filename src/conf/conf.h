/* conf.h: the data directory and its optional listarc.conf (a GLib key
 * file).  The file names the site title, the lists in the order and
 * groups of the site bar, and each list's description, sources and
 * subject tag:
 *
 *     [site]
 *     title = Example list archives
 *     bar = announce users / dev security
 *
 *     [list linux-kernel]
 *     description = The Linux kernel mailing list
 *     sources = /srv/mail/lkml.mbox;/srv/mail/lkml-2020/
 *     subject-tag = [linux-kernel]
 *     address = linux-kernel@vger.kernel.org
 *
 * [site] may also name Message-IDs never taken as a parent
 * (thread-break = <yes> <bogus@example.org>) and a git-style .mailmap
 * (mailmap = FILE); a [mailmap] section maps addresses to names
 * (jane@old.example.org = Jane Doe).
 *
 * Without a file every list in the index is shown, by name. */
#ifndef LISTARC_CONF_H
#define LISTARC_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "limits.h"
#include "util/status.h"

struct conf_list {
	char name[LISTNAME_MAX + 1];
	char *description; /* NULL if none */
	char **sources;    /* NULL-terminated; NULL if none */
	char *subject_tag; /* "[name]" unless configured; "" to keep subjects */
	char *address;     /* the posting address (reply instructions), NULL if none */
};

/* One address's name from the mailmap. */
struct conf_mailmap {
	char *addr; /* lowercase */
	char *name;
};

struct conf {
	char *dir;   /* the data directory */
	char *title; /* site title */
	char **bar;  /* site bar: list names and "/" separators; NULL = all lists */
	struct conf_list *lists;
	size_t nlists;
	/* [site] thread-break: Message-IDs (without <>) never taken as a
	 * parent, beside the built-in ones (conf_thread_break); NULL if none. */
	char **thread_break;
	/* [site] mailmap (a git-style file) and [mailmap]: sorted by address,
	 * the section's entries winning over the file's. */
	struct conf_mailmap *mailmap;
	size_t nmailmap;
};

/* Resolves the data directory: --data if given, else $LISTARC_DATA,
 * else ./archive.  The result is owned by the caller (free()). */
char *conf_data_dir(const char *opt);

/* Reads DIR/listarc.conf if it exists.  A missing file is not an error;
 * a malformed one is (LA_EINVAL, with the file and line in err). */
LA_MUST_CHECK enum la_status conf_load(const char *dir, struct conf **out, struct la_err *err);
void conf_free(struct conf *c);

/* The settings of a list, or NULL if the file does not mention it. */
const struct conf_list *conf_list(const struct conf *c, const char *name);

/* Whether msgid (without <>) is no message, never taken as a parent
 * or reference: the built-in ones (y, n, yes, no: what git send-email's
 * old "Message-ID to be used as In-Reply-To?" prompt got typed into it;
 * public-inbox drops y and n) and [site] thread-break.  Compared without
 * regard to case.  c may be NULL (the built-in ones only). */
bool conf_thread_break(const struct conf *c, const char *msgid);

/* The name the mailmap gives address addr (any case), or NULL. */
const char *conf_mailmap_name(const struct conf *c, const char *addr);

/* The subject tag of a list: configured, else "[name]". */
const char *conf_subject_tag(const struct conf *c, const char *name, char *tmp, size_t tmpsize);

/* True if name[0..n) is a valid list name: [a-z0-9][a-z0-9._-]*, at most
 * LISTNAME_MAX bytes (lowercase ASCII only: it is a URL component). */
bool conf_valid_listname(const char *name, size_t n);

/* True if name[0..n) is valid but reserved: "all" (the archive-wide URLs
 * /all/...), "api" (/api/v1/...) and "r" (lore's /r/MSGID) are parts of
 * the URL grammar, never lists.  `listarc index` and `deliver` refuse them, as does a [list]
 * section of listarc.conf. */
bool conf_reserved_listname(const char *name, size_t n);

#endif
