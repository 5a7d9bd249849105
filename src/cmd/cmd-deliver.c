/* cmd-deliver.c: `listarc deliver`: one message from an MTA into the
 * list's own mbox, then into the index.  Exit codes follow sysexits.h so
 * that the MTA retries (75) instead of bouncing or losing mail. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "conf/conf.h"
#include "ingest/ingest.h"
#include "limits.h"
#include "msg/msg.h"

static const char usage[] =
	"usage: listarc deliver [--data DIR] [--sender ADDR] [--create] LIST < MESSAGE\n"
	"\n"
	"Appends one message (read from standard input) to DIR/mbox/LIST.mbox\n"
	"(a renamed list's: the mbox it had) with a From_ line and mboxrd\n"
	"quoting, under an fcntl lock, then indexes it.  For an MTA pipe (\"|listarc deliver --data /srv/archive LIST\") or\n"
	"procmail.  The From_ line's date (and so the URL date) is the first\n"
	"Received: date, else Date:, else now.\n"
	"\n"
	"  --sender ADDR  envelope sender for the From_ line (default $SENDER,\n"
	"                 else the Return-Path:, else MAILER-DAEMON)\n"
	"  --create       make LIST if it is new (else a list must be in the index\n"
	"                 or listarc.conf: a typo makes no list)\n"
	"\n"
	"Exit status (sysexits.h): 0 stored (even if indexing it must wait for\n"
	"the next run), 64 usage, 65 message refused (empty, or over 512 MiB),\n"
	"67 no such list (the known ones are named; nothing is written),\n"
	"73 cannot create DIR/mbox/, 75 try again later (the mbox locked, a\n"
	"write that failed, the disk full).\n";
_Static_assert(DELIVER_MAX == (size_t)512 << 20, "the usage says 512 MiB");

int cmd_deliver(int argc, char **argv)
{
	static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
	                                     {"sender", required_argument, NULL, 's'},
	                                     {"create", no_argument, NULL, 'c'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *data = NULL, *sender_opt = NULL;
	bool create = false;
	int c;
	while ((c = getopt_long(argc, argv, "d:s:ch", opts, NULL)) != -1) {
		switch (c) {
		case 'c': create = true; break;
		case 'd': data = optarg; break;
		case 's': sender_opt = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return EX_USAGE_;
		}
	}
	if (optind + 1 != argc) {
		fputs(usage, stderr);
		return EX_USAGE_;
	}
	const char *list = argv[optind];
	if (!conf_valid_listname(list, strlen(list))) {
		cmd_error("'%s' is not a list name", list);
		return EX_USAGE_;
	}
	if (conf_reserved_listname(list, strlen(list))) {
		cmd_error("'%s' cannot be a list name: /%s/ is part of the archive's URLs "
		          "(/all/ looks across every list, /api/ is the JSON API, /r/ finds a "
		          "Message-ID's list)",
		          list, list);
		return EX_USAGE_;
	}
	int known = cmd_list_check_dir(data, list, create);
	if (known)
		return known;

	/* How long to wait for locks before asking the MTA to retry. */
	int wait = 60;
	if (getenv("LISTARC_LOCK_WAIT"))
		wait = atoi(getenv("LISTARC_LOCK_WAIT"));
	if (!sender_opt)
		sender_opt = getenv("SENDER");

	char *dir = conf_data_dir(data);
	msg_library_init();
	struct ingest_delivery d;
	struct la_err err = {0};
	enum la_status e = ingest_deliver(dir, list, STDIN_FILENO, sender_opt, wait, &d, &err);
	free(dir);
	if (e) {
		cmd_error("%s", err.msg);
		if (e == LA_EINVAL || e == LA_ETOOBIG)
			return EX_DATAERR_;
		return d.cannot_create ? EX_CANTCREAT_ : EX_TEMPFAIL_;
	}
	if (!d.indexed)
		cmd_error("%s (the message is stored; the next index run picks it up)", d.note);
	return EX_OK_;
}
