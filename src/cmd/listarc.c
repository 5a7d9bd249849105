/* listarc.c: main: picks the subcommand. */
#include <getopt.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "http/headers.h"

void cmd_error(const char *fmt, ...)
{
	va_list ap;
	fputs("listarc: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool cmd_base_path(const char *url, struct buf *base)
{
	if (http_base_path(url, base))
		return true;
	cmd_error("--base-url %s: its path may hold only URL characters, and no . or .. segment",
	          url);
	return false;
}

int cmd_data_opts(int argc, char **argv, const char *usage, int bad, const char **data)
{
	static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	*data = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': *data = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return bad;
		}
	}
	return -1;
}

static const char usage[] =
	"usage: listarc COMMAND [--data DIR] [ARGS]\n"
	"\n"
	"A mailing-list web archive: indexes mbox files and maildirs, serves\n"
	"browsable pages by date, thread and Message-ID.\n"
	"\n"
	"commands:\n"
	"  index [--rebuild] LIST [SOURCE...]  index new mail of an mbox or maildir\n"
	"  reindex --search                    rebuild the full-text search index alone\n"
	"  deliver LIST < MESSAGE              append one message (MTA pipe) and index it\n"
	"  get PATH                            print the page the server sends for PATH\n"
	"  serve [--listen ADDR:PORT]          the web server (default 127.0.0.1:8080)\n"
	"  lists                               show lists, counts, dates and sources\n"
	"  check-config                        check listarc.conf and the sources it names\n"
	"  list add|remove|rename|set-description|set-address NAME ...\n"
	"                                      make, remove or change a list\n"
	"  search QUERY                        search the archive (s: f: d: ... prefixes)\n"
	"  hide LIST URL|MSGID --reason TEXT   take a message off the archive (410 Gone)\n"
	"  unhide LIST URL|MSGID               show a hidden message again\n"
	"  purge LIST URL|MSGID --reason TEXT  take a message's bytes out of its mbox for good\n"
	"  rethread LIST                       thread a list again (after a thread-break or\n"
	"                                      mailmap change in listarc.conf)\n"
	"  log [LIST]                          every hide, unhide and purge: when, who, why\n"
	"  export [LIST...]                    write lists as public-inbox v2 inboxes (git)\n"
	"\n"
	"DIR is --data, else $LISTARC_DATA, else ./archive.\n"
	"`listarc COMMAND --help` describes each command; `man listarc` all of them.\n";

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	/* glibc gives the top of the heap back to the kernel whenever 128 KB
	 * or so are free there: after nearly every page built (a brk call
	 * and the page faults to grow it again were ~10% of an uncached
	 * message page).  Keep up to 8 MB. */
	mallopt(M_TRIM_THRESHOLD, 8 << 20);
	/* Setting one threshold stops glibc from raising the other, the
	 * size from which a block is mapped on its own (128 KB), as it would
	 * after the first such block was freed: every page body of 128 KB
	 * or more (a month page's buffer is reserved at 132 KB) was mapped,
	 * faulted in, shrunk with mremap and unmapped, each unmap a TLB
	 * shootdown in the threaded server: 15% of the server's time on
	 * uncached month pages.  Blocks up to 1 MB come from the heap. */
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	const char *c = argv[1];
	if (!strcmp(c, "--help") || !strcmp(c, "-h") || !strcmp(c, "help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(c, "--version") || !strcmp(c, "-V")) {
		printf("listarc %s\n", LISTARC_VERSION);
		return 0;
	}
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{"index", cmd_index},     {"reindex", cmd_reindex},
		{"deliver", cmd_deliver}, {"get", cmd_get},
		{"lists", cmd_lists},     {"serve", cmd_serve},
		{"search", cmd_search},   {"hide", cmd_hide},
		{"unhide", cmd_unhide},   {"log", cmd_log},
		{"list", cmd_list},       {"check-config", cmd_check_config},
		{"purge", cmd_purge},     {"rethread", cmd_rethread},
		{"export", cmd_export},
	};
	for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
		if (!strcmp(c, cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	cmd_error("unknown command '%s' (try listarc --help)", c);
	return 2;
}
