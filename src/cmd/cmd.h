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
int cmd_hide(int argc, char **argv);
int cmd_unhide(int argc, char **argv);
int cmd_purge(int argc, char **argv);
int cmd_rethread(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_check_config(int argc, char **argv);
int cmd_export(int argc, char **argv);

/* Whether deliver may write to list in the archive at dir: 0 if it is in
 * the index or in listarc.conf (cf, may be NULL), or create is set; else
 * prints the known lists and returns 67 (EX_NOUSER), or 75 if the index
 * cannot be read.  Creates nothing. */
struct conf;
int cmd_list_check(const char *dir, const char *list, const struct conf *cf, bool create);
/* The same for --data DATA (NULL: the default), reading its listarc.conf
 * (75 if it is malformed). */
int cmd_list_check_dir(const char *data, const char *list, bool create);

/* The link prefix of --base-url URL (NULL: "/") into base, which the
 * caller has set up and frees; false, after saying why, if URL cannot
 * be one (see http_base_path). */
struct buf;
bool cmd_base_path(const char *url, struct buf *base);

/* The options of a command that takes only --data DIR and --help
 * (usage is its text): *data is DIR (NULL if not given) and optind the
 * first operand.  Returns -1 to go on, else the exit status to return
 * now: 0 after --help (usage on stdout), bad after an unknown option
 * (usage on stderr). */
int cmd_data_opts(int argc, char **argv, const char *usage, int bad, const char **data);

/* Prints "listarc: " and the message to stderr. */
void cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* sysexits.h values, spelled out for the MTA-facing deliver command. */
enum {
	EX_OK_ = 0,
	EX_USAGE_ = 64,
	EX_DATAERR_ = 65,
	EX_NOINPUT_ = 66,
	EX_NOUSER_ = 67,
	EX_SOFTWARE_ = 70,
	EX_OSERR_ = 71,
	EX_CANTCREAT_ = 73,
	EX_IOERR_ = 74,
	EX_TEMPFAIL_ = 75,
	EX_CONFIG_ = 78,
};

#endif
