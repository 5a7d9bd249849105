/* cmd-hide.c: `listarc hide`, `listarc unhide` and `listarc log`: take a
 * message off the archive's pages (and bring it back), with a log of who
 * did it, when and why. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "conf/conf.h"
#include "http/route.h"
#include "ingest/ingest.h"
#include "store/store.h"

static const char hide_usage[] =
	"usage: listarc hide [--data DIR] [--by NAME] [--private] --reason TEXT LIST URL|MSGID\n"
	"       listarc unhide [--data DIR] [--by NAME] [--reason TEXT] LIST URL|MSGID\n"
	"\n"
	"hide takes a message off every page of the archive: listings, search,\n"
	"feeds, thread pages and downloads, the JSON API.  Its URLs answer\n"
	"410 Gone with the reason (--private: the reason goes to the log only);\n"
	"its neighbours link past it; no other message's URL changes.  The mbox\n"
	"is not touched, and a rebuild keeps the message hidden.  Every copy\n"
	"of its Message-ID in the list is hidden.  unhide shows it again.\n"
	"\n"
	"The message is named by its URL (https://host/LIST/YYYY/MM/DD/N or\n"
	"/LIST/MSGID/, or any page under either) or by its Message-ID.\n"
	"Each is logged with the time, the operator (--by, else $USER) and\n"
	"the reason: `listarc log` prints the log.\n"
	"\n"
	"Exit status: 0 done, 64 usage, 67 no such list or message, 65 hidden\n"
	"already (hide), 1 the index could not be read or written.\n";

static const char purge_usage[] =
	"usage: listarc purge [--data DIR] [--by NAME] [--private] --reason TEXT LIST URL|MSGID\n"
	"\n"
	"purge takes a message's bytes out of the archive for good, for the\n"
	"rare case where hiding it is not enough.  The list's mbox is written\n"
	"again without it (a new file beside it, synced, renamed over it, under\n"
	"the locks mail programs take); a maildir's or MH folder's file is\n"
	"deleted.  Every copy of its Message-ID in the list goes.  Its URL\n"
	"answers 410 Gone as a hidden message's does, and every other message\n"
	"keeps its URL.  It is logged as hide is (`listarc log`) and cannot be\n"
	"undone.  A public-inbox inbox or a compressed file is refused (purge\n"
	"it at its source, or hide the message).  The words of the message stay\n"
	"in the search index, matched by no search, until `listarc reindex\n"
	"--search`.  A purge killed midway is finished by the next purge, index\n"
	"or delivery.\n"
	"\n"
	"Exit status: 0 done, 64 usage, 67 no such list or message, 65 refused\n"
	"(purged already, a public-inbox or compressed source, a source changed\n"
	"since it was indexed), 75 locked, 1 another failure.\n";

static const char log_usage[] = "usage: listarc log [--data DIR] [LIST]\n"
				"\n"
				"Prints every hide, unhide and purge, oldest first: time (UTC),\n"
				"action, list, Message-ID, operator, reason.\n";

/* The operator's name: --by, else $USER, else $LOGNAME, else the uid. */
static const char *operator_name(const char *by, char *tmp, size_t n)
{
	if (by && by[0])
		return by;
	const char *u = getenv("USER");
	if (!u || !u[0])
		u = getenv("LOGNAME");
	if (u && u[0])
		return u;
	snprintf(tmp, n, "uid %ld", (long)getuid());
	return tmp;
}

/* The Message-ID that arg names in list (a URL of one of its pages, or
 * the ID itself, with or without <>) into out.  Prints why not and
 * returns an exit status, 0 on success. */
static int resolve(struct store *st, const char *list, int64_t list_id, const char *arg, char *out,
                   size_t n)
{
	const char *p = arg;
	const char *scheme = strstr(arg, "://");
	if (scheme && (!strncmp(arg, "http://", 7) || !strncmp(arg, "https://", 8))) {
		p = strchr(scheme + 3, '/');
		if (!p) {
			cmd_error("%s: a URL of no message", arg);
			return EX_USAGE_;
		}
	}
	if (p[0] != '/') {
		/* A Message-ID. */
		size_t len = strlen(p);
		if (len >= 2 && p[0] == '<' && p[len - 1] == '>') {
			p++;
			len -= 2;
		}
		if (len == 0 || len > MSGID_MAX) {
			cmd_error("%s: not a Message-ID", arg);
			return EX_USAGE_;
		}
		snprintf(out, n, "%.*s", (int)len, p);
		return 0;
	}
	/* A path, perhaps under a base path: from its /LIST/ segment on. */
	char seg[LISTNAME_MAX + 3];
	snprintf(seg, sizeof seg, "/%s/", list);
	const char *at = strstr(p, seg);
	if (!at) {
		cmd_error("%s: not a URL of the list %s", arg, list);
		return EX_USAGE_;
	}
	size_t plen = strcspn(at, "#");
	struct route *rt = calloc(1, sizeof *rt);
	if (!rt) {
		cmd_error("out of memory");
		return 1;
	}
	int rc = 0;
	switch (route_parse(at, plen, rt)) {
	case R_MSG:
	case R_ATTACH:
	case R_ATTACH_PAGE:
	case R_RAW:
	case R_API_MSG: {
		struct store_msg m;
		enum la_status e =
			store_msg_get(st, list_id, rt->y * 10000 + rt->m * 100 + rt->d, rt->n, &m);
		if (e == LA_ENOTFOUND) {
			cmd_error("%s: there is no such message in %s", arg, list);
			rc = EX_NOUSER_;
		} else if (e) {
			cmd_error("%s: the index could not be read: %s", arg, store_errmsg(st));
			rc = 1;
		} else {
			snprintf(out, n, "%s", m.msgid);
			store_msg_clear(&m);
		}
		break;
	}
	case R_MID:
	case R_MID_RAW:
	case R_MID_MBOX:
	case R_MID_FLAT:
	case R_MID_NESTED:
	case R_MID_ATOM:
	case R_API_MID:
	case R_API_THREAD:
		if (strlen(rt->msgid) > MSGID_MAX || strlen(rt->msgid) >= n) {
			cmd_error("%s: not a Message-ID", arg);
			rc = EX_USAGE_;
		} else {
			memcpy(out, rt->msgid, strlen(rt->msgid) + 1);
		}
		break;
	default: cmd_error("%s: not the URL of a message", arg); rc = EX_USAGE_;
	}
	free(rt);
	return rc;
}

enum hide_action { ACT_HIDE, ACT_UNHIDE, ACT_PURGE };

/* Purges msgid from list_id under the archive lock. */
static int purge(struct store *st, const char *dir, const char *list, int64_t list_id,
                 const char *msgid, const char *op, const char *reason, bool public)
{
	struct la_err err = {0};
	int lockfd = -1;
	enum la_status e = ingest_lock(dir, LOCK_WAIT, &lockfd, &err);
	struct ingest_purged r;
	if (!e)
		e = ingest_purge(st, list_id, msgid, op, reason, public, &r, &err);
	if (lockfd >= 0)
		close(lockfd);
	if (e) {
		cmd_error("%s: %s", list, err.msg);
		return e == LA_ENOTFOUND                    ? EX_NOUSER_
		       : e == LA_EINVAL || e == LA_ECHANGED ? EX_DATAERR_
		       : e == LA_EAGAIN || e == LA_ELOCKED  ? EX_TEMPFAIL_
		                                            : 1;
	}
	if (r.resumed)
		printf("finished %d purge%s a killed run had begun\n", r.resumed,
		       r.resumed == 1 ? "" : "s");
	printf("purged <%s> from %s: %d message%s\n", msgid, list, r.purged,
	       r.purged == 1 ? "" : "s");
	return 0;
}

static int hide_main(int argc, char **argv, enum hide_action act)
{
	bool hide = act != ACT_UNHIDE;
	const char *usage = act == ACT_HIDE    ? hide_usage
	                    : act == ACT_PURGE ? purge_usage
	                                       : hide_usage;
	static const struct option opts[] = {
		{"data", required_argument, NULL, 'd'}, {"reason", required_argument, NULL, 'r'},
		{"by", required_argument, NULL, 'b'},   {"private", no_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};
	const char *data = NULL, *reason = NULL, *by = NULL;
	bool private = false;
	int c;
	while ((c = getopt_long(argc, argv, "d:r:b:ph", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'r': reason = optarg; break;
		case 'b': by = optarg; break;
		case 'p':
			private
			= true;
			break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return EX_USAGE_;
		}
	}
	if (argc - optind != 2) {
		fputs(usage, stderr);
		return EX_USAGE_;
	}
	if (hide && (!reason || !reason[0])) {
		cmd_error("%s: --reason is required (it is logged, and shown unless --private)",
		          act == ACT_PURGE ? "purge" : "hide");
		return EX_USAGE_;
	}
	if (!hide && private) {
		cmd_error("unhide: --private is for hide");
		return EX_USAGE_;
	}
	if (!reason)
		reason = "";
	if (strlen(reason) > HIDE_REASON_MAX) {
		cmd_error("--reason: longer than %d bytes", HIDE_REASON_MAX);
		return EX_USAGE_;
	}
	const char *list = argv[optind], *what = argv[optind + 1];
	if (!conf_valid_listname(list, strlen(list))) {
		cmd_error("'%s' is not a list name", list);
		return EX_USAGE_;
	}
	char tmp[32];
	const char *op = operator_name(by, tmp, sizeof tmp);
	char *dir = conf_data_dir(data);
	struct la_err err = {0};
	struct store *st = NULL;
	int rc = 0;
	int64_t list_id = 0;
	char msgid[MSGID_MAX + 1];
	enum la_status e;
	if ((e = store_open(&st, dir, STORE_READ, &err))) {
		cmd_error("%s", err.msg);
		rc = e == LA_ENOTFOUND ? EX_NOUSER_ : 1;
		goto out;
	}
	/* Opened read-only first: a typo in the list creates nothing. */
	if ((e = store_list_id(st, list, &list_id))) {
		cmd_error("%s: no such list in %s", list, dir);
		rc = e == LA_ENOTFOUND ? EX_NOUSER_ : 1;
		goto out;
	}
	if ((rc = resolve(st, list, list_id, what, msgid, sizeof msgid)))
		goto out;
	store_close(st);
	st = NULL;
	if ((e = store_open(&st, dir, STORE_WRITE, &err))) {
		cmd_error("%s", err.msg);
		rc = 1;
		goto out;
	}
	if (act == ACT_PURGE) {
		rc = purge(st, dir, list, list_id, msgid, op, reason, !private);
		goto out;
	}
	int n = 0;
	e = hide ? store_hide(st, list_id, msgid, op, reason, !private, &n, &err)
	         : store_unhide(st, list_id, msgid, op, reason, &n, &err);
	if (e) {
		cmd_error("%s: %s", list, err.msg);
		rc = e == LA_ENOTFOUND ? EX_NOUSER_ : e == LA_EINVAL ? EX_DATAERR_ : 1;
		goto out;
	}
	printf("%s <%s> in %s: %d message%s\n", hide ? "hidden" : "shown again", msgid, list, n,
	       n == 1 ? "" : "s");
out:
	store_close(st);
	free(dir);
	return rc;
}

int cmd_hide(int argc, char **argv)
{
	return hide_main(argc, argv, ACT_HIDE);
}

int cmd_purge(int argc, char **argv)
{
	return hide_main(argc, argv, ACT_PURGE);
}

int cmd_unhide(int argc, char **argv)
{
	return hide_main(argc, argv, ACT_UNHIDE);
}

static bool print_event(const struct store_hide_event *ev, void *arg)
{
	(void)arg;
	char when[32] = "?";
	time_t t = (time_t)ev->at;
	struct tm tm;
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* One line each, tab-separated; the reason last, as it may hold
	 * anything but a line break (those are shown as spaces). */
	printf("%s\t%s\t%s\t<%s>\t%s\t", when, ev->action, ev->list, ev->msgid, ev->by);
	for (const char *p = ev->reason; *p; p++)
		putchar(*p == '\n' || *p == '\r' || *p == '\t' ? ' ' : *p);
	putchar('\n');
	return true;
}

int cmd_log(int argc, char **argv)
{
	const char *data;
	int opt = cmd_data_opts(argc, argv, log_usage, EX_USAGE_, &data);
	if (opt >= 0)
		return opt;
	if (argc - optind > 1) {
		fputs(log_usage, stderr);
		return EX_USAGE_;
	}
	const char *list = optind < argc ? argv[optind] : NULL;
	char *dir = conf_data_dir(data);
	struct la_err err = {0};
	struct store *st = NULL;
	int rc = 0;
	enum la_status e;
	int64_t id;
	if ((e = store_open(&st, dir, STORE_READ, &err))) {
		cmd_error("%s", err.msg);
		rc = e == LA_ENOTFOUND ? EX_NOUSER_ : 1;
	} else if (list && store_list_id(st, list, &id) == LA_ENOTFOUND) {
		cmd_error("%s: no such list in %s", list, dir);
		rc = EX_NOUSER_;
	} else if (store_hide_log(st, list, print_event, NULL)) {
		cmd_error("%s: %s", dir, store_errmsg(st));
		rc = 1;
	}
	store_close(st);
	free(dir);
	return rc;
}
