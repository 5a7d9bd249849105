/* cmd-deliver.c: `listarc deliver`: one message from an MTA into the
 * list's own mbox, then into the index.  Exit codes follow sysexits.h so
 * that the MTA retries (75) instead of bouncing or losing mail. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "conf/conf.h"
#include "ingest/ingest.h"
#include "limits.h"
#include "msg/header.h"
#include "msg/msg.h"
#include "store/store.h"
#include "util/buf.h"

static const char usage[] =
	"usage: listarc deliver [--data DIR] [--sender ADDR] [--create] LIST < MESSAGE\n"
	"\n"
	"Appends one message (read from standard input) to DIR/mbox/LIST.mbox\n"
	"with a From_ line and mboxrd quoting, under an fcntl lock, then indexes\n"
	"it.  For an MTA pipe (\"|listarc deliver --data /srv/archive LIST\") or\n"
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

/* A From_ line sender: one token of printable ASCII. */
static void clean_sender(char *out, size_t n, const char *in, size_t len)
{
	size_t k = 0;
	for (size_t i = 0; i < len && k + 1 < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c > 32 && c < 127 && c != '<' && c != '>')
			out[k++] = (char)c;
	}
	out[k] = '\0';
	if (k == 0)
		snprintf(out, n, "MAILER-DAEMON");
}

static void sender_from_headers(char *out, size_t n, const char *msg, size_t len)
{
	struct hdr_iter it;
	struct hdr_field f;
	hdr_iter_init(&it, msg, len < HEAD_MAX ? len : HEAD_MAX);
	while (hdr_next(&it, &f))
		if (span_ieq(f.name, "return-path")) {
			struct span v = span_trim(f.value);
			clean_sender(out, n, v.p, v.n);
			return;
		}
	clean_sender(out, n, "", 0);
}

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
		          "(/all/ looks across every list, /api/ is the JSON API)",
		          list, list);
		return EX_USAGE_;
	}
	int known = cmd_list_check_dir(data, list, create);
	if (known)
		return known;

	/* Read the whole message first: nothing is written until it is in. */
	struct buf msg;
	buf_init(&msg, DELIVER_MAX);
	char chunk[65536];
	size_t k;
	while ((k = fread(chunk, 1, sizeof chunk, stdin)) > 0)
		buf_add(&msg, chunk, k);
	if (ferror(stdin)) {
		cmd_error("reading the message: %s", strerror(errno));
		buf_free(&msg);
		return EX_TEMPFAIL_;
	}
	if (msg.err == LA_ETOOBIG) {
		cmd_error("message larger than %zu MiB refused", DELIVER_MAX >> 20);
		buf_free(&msg);
		return EX_DATAERR_;
	}
	if (msg.err) {
		cmd_error("out of memory reading the message");
		buf_free(&msg);
		return EX_TEMPFAIL_;
	}
	if (msg.len == 0) {
		cmd_error("empty message refused");
		buf_free(&msg);
		return EX_DATAERR_;
	}
	/* A leading From_ line from the MTA is replaced by ours. */
	const char *body = msg.data;
	size_t blen = msg.len;
	if (blen >= 5 && memcmp(body, "From ", 5) == 0) {
		const char *nl = memchr(body, '\n', blen);
		size_t skip = nl ? (size_t)(nl - body) + 1 : blen;
		body += skip;
		blen -= skip;
	}

	char *dir = conf_data_dir(data);
	int rc = EX_OK_;
	char sender[256];
	if (sender_opt)
		clean_sender(sender, sizeof sender, sender_opt, strlen(sender_opt));
	else if (getenv("SENDER") && *getenv("SENDER"))
		clean_sender(sender, sizeof sender, getenv("SENDER"), strlen(getenv("SENDER")));
	else
		sender_from_headers(sender, sizeof sender, body, blen);

	msg_library_init();
	struct msg_summary *sum = malloc(sizeof *sum);
	if (!sum) {
		buf_free(&msg);
		free(dir);
		return EX_TEMPFAIL_;
	}
	msg_summary_parse(sum, body, hdr_block_len(body, blen < HEAD_MAX ? blen : HEAD_MAX));
	int64_t ts;
	int day;
	ingest_delivery_date(sum, (int64_t)time(NULL), &ts, &day);
	bool once = sum->msgid[0] != '\0';
	free(sum);

	char mdir[4200], mbox[4400];
	snprintf(mdir, sizeof mdir, "%s/mbox", dir);
	snprintf(mbox, sizeof mbox, "%s/%s.mbox", mdir, list);
	struct la_err err = {0};
	if ((mkdir(dir, 0777) != 0 && errno != EEXIST) ||
	    (mkdir(mdir, 0777) != 0 && errno != EEXIST)) {
		cmd_error("%s: %s", mdir, strerror(errno));
		rc = errno == ENOSPC ? EX_TEMPFAIL_ : EX_CANTCREAT_;
		goto out;
	}
	/* How long to wait for locks before asking the MTA to retry. */
	int wait = 60;
	if (getenv("LISTARC_LOCK_WAIT"))
		wait = atoi(getenv("LISTARC_LOCK_WAIT"));
	enum la_status e = ingest_append_mbox(mbox, body, blen, sender, ts, once, wait, &err);
	if (e) {
		cmd_error("%s", err.msg);
		rc = EX_TEMPFAIL_;
		goto out;
	}

	/* Stored: from here on the message is safe, and a failure to index
	 * it now only delays it until the next `listarc index`.  The index is
	 * opened before the archive lock and closed after it, so that the
	 * deliveries queued behind this one wait only for the indexing. */
	struct store *st = NULL;
	if (store_open(&st, dir, STORE_WRITE, &err)) {
		cmd_error("%s (the message is stored; the next index run picks it up)", err.msg);
		goto out;
	}
	int lockfd = -1;
	if (ingest_lock(dir, wait, &lockfd, &err)) {
		cmd_error("%s (the message is stored; the next index run picks it up)", err.msg);
		store_close(st);
		goto out;
	}
	int64_t list_id;
	struct ingest_opts o;
	ingest_opts_init(&o);
	o.settle = 0; /* we hold the mbox's last message complete */
	struct ingest_stats stats = {0};
	if (store_list_ensure(st, list, &list_id, &err) ||
	    ingest_source(st, list_id, mbox, &o, &stats, &err))
		cmd_error("%s (the message is stored; the next index run picks it up)", err.msg);
	close(lockfd);
	store_close(st);
out:
	buf_free(&msg);
	free(dir);
	return rc;
}
