/* status.c: status names and the error record. */
#include "util/status.h"

#include <stdio.h>

const char *la_strstatus(enum la_status s)
{
	switch (s) {
	case LA_OK: return "ok";
	case LA_EOF: return "end of input";
	case LA_ENOMEM: return "out of memory";
	case LA_EIO: return "input/output error";
	case LA_EINVAL: return "invalid input";
	case LA_ENOTFOUND: return "not found";
	case LA_ELOCKED: return "archive locked";
	case LA_ECHANGED: return "source changed";
	case LA_EDB: return "database error";
	case LA_ETOOBIG: return "too big";
	case LA_ENOSPC: return "no space left on device";
	case LA_EAGAIN: return "try again later";
	}
	return "unknown status";
}

enum la_status la_err_set(struct la_err *err, enum la_status s, const char *fmt, ...)
{
	if (err && err->status == LA_OK) {
		va_list ap;
		err->status = s;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return s;
}
