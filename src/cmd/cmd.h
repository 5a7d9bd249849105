/* cmd.h: the subcommands.  Each parses its arguments, makes one or two
 * calls into the stages, prints, and returns the exit status. */
#ifndef LISTARC_CMD_H
#define LISTARC_CMD_H

#include <stdbool.h>

int cmd_index(int argc, char **argv);
int cmd_reindex(int argc, char **argv);
int cmd_deliver(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_lists(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_search(int argc, char **argv);

/* The link prefix of --base-url URL (NULL: "/") into base, which the
 * caller has set up and frees; false, after saying why, if URL cannot
 * be one (see http_base_path). */
struct buf;
bool cmd_base_path(const char *url, struct buf *base);

/* Prints "listarc: " and the message to stderr. */
void cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* sysexits.h values, spelled out for the MTA-facing deliver command. */
enum {
	EX_OK_ = 0,
	EX_USAGE_ = 64,
	EX_DATAERR_ = 65,
	EX_NOINPUT_ = 66,
	EX_SOFTWARE_ = 70,
	EX_OSERR_ = 71,
	EX_CANTCREAT_ = 73,
	EX_IOERR_ = 74,
	EX_TEMPFAIL_ = 75,
	EX_CONFIG_ = 78,
};

#endif
