/* status.h: status codes every stage returns, and an error record that
 * carries one line of detail up to the command that prints it. */
#ifndef LISTARC_STATUS_H
#define LISTARC_STATUS_H

#include <stdarg.h>

enum la_status {
	LA_OK = 0,
	LA_EOF,       /* no more input: not an error for iterators */
	LA_ENOMEM,    /* allocation failed */
	LA_EIO,       /* read/write/open failed; errno-derived detail in la_err */
	LA_EINVAL,    /* bad input: a malformed argument, path or value */
	LA_ENOTFOUND, /* asked for something that does not exist */
	LA_ELOCKED,   /* another process holds the archive lock */
	LA_ECHANGED,  /* a source changed under us (truncated or rewritten) */
	LA_EDB,       /* SQLite said no */
	LA_ETOOBIG,   /* a bound from limits.h was hit where we cannot degrade */
	LA_ENOSPC,    /* disk full */
	LA_EAGAIN,    /* try again later (maps to EX_TEMPFAIL) */
};

/* On the declaration of a function returning a status: the compiler
 * warns where a caller drops the result (-Wunused-result).  A status
 * dropped on purpose goes through la_ignore, with a comment saying why
 * (gcc does not take a (void) cast as using the result). */
#define LA_MUST_CHECK __attribute__((warn_unused_result))

/* Uses s, deliberately doing nothing with it. */
static inline void la_ignore(enum la_status s)
{
	(void)s;
}

const char *la_strstatus(enum la_status s);

/* One line of detail.  The first error wins: la_err_set on an err that
 * already holds an error keeps the first, so cleanup paths may call it
 * freely. */
struct la_err {
	enum la_status status;
	char msg[512];
};

/* Sets err (if err is non-NULL and holds no error yet) and returns s. */
enum la_status la_err_set(struct la_err *err, enum la_status s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
