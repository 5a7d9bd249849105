/* test_conf.c: listarc.conf through conf.h: what a file sets, what it
 * refuses (and how the error names the fault), list names, subject tags
 * and the data directory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../tests/check.h"
#include "conf/conf.h"

static char dir[] = "/tmp/listarc-test_conf.XXXXXX";

/* Writes text (NULL: no file) as DIR/listarc.conf and loads it. */
static enum la_status load(const char *text, struct conf **c, struct la_err *err)
{
	char path[sizeof dir + 32];
	snprintf(path, sizeof path, "%s/listarc.conf", dir);
	unlink(path);
	if (text) {
		FILE *f = fopen(path, "w");
		if (!f)
			return LA_EIO;
		fputs(text, f);
		fclose(f);
	}
	memset(err, 0, sizeof *err);
	return conf_load(dir, c, err);
}

/* The NULL-terminated vector v joined by '|', for comparisons ("(null)"
 * for none). */
static const char *joined(char **v, char *out, size_t n)
{
	if (!v)
		return "(null)";
	out[0] = '\0';
	for (size_t i = 0; v[i]; i++) {
		if (i)
			strncat(out, "|", n - strlen(out) - 1);
		strncat(out, v[i], n - strlen(out) - 1);
	}
	return out;
}

/* Well-formed files and what they set. */
static const struct {
	const char *what, *text;
	const char *title, *bar;                        /* "(null)": not set */
	const char *list, *description, *sources, *tag; /* of list `list`; NULL: not mentioned */
	size_t nlists;
} good[] = {
	{"no file at all", NULL, NULL, "(null)", "lkml", NULL, NULL, NULL, 0},
	{"an empty file", "", NULL, "(null)", "lkml", NULL, NULL, NULL, 0},
	{"comments and blank lines", "# a comment\n\n[site]\n# another\ntitle = T\n", "T", "(null)",
         "lkml", NULL, NULL, NULL, 0},
	{"the site title, stripped", "[site]\ntitle =   Example <list> archives & more  \n",
         "Example <list> archives & more", "(null)", "x", NULL, NULL, NULL, 0},
	{"the bar: names and '/', spaces, tabs or commas between",
         "[site]\nbar = a b / c,d\t/  e\n", NULL, "a|b|/|c|d|/|e", "x", NULL, NULL, NULL, 0},
	{"a list with everything",
         "[list lkml]\ndescription = Kernel threads\nsources = /m/a.mbox;/m/b/\nsubject-tag = [LKML]\n",
         NULL, "(null)", "lkml", "Kernel threads", "/m/a.mbox|/m/b/", "[LKML]", 1},
	{"sources stripped of spaces", "[list l]\nsources = /a.mbox ; /b.mbox \n", NULL, "(null)",
         "l", NULL, "/a.mbox|/b.mbox", NULL, 1},
	{"an empty subject-tag (keep subjects whole)", "[list l]\nsubject-tag =\n", NULL, "(null)",
         "l", NULL, "(null)", "", 1},
	{"two lists and a site", "[site]\ntitle = S\n[list a]\ndescription = A\n[list b.c_d-e]\n",
         "S", "(null)", "b.c_d-e", NULL, "(null)", NULL, 2},
	{"UTF-8 values", "[site]\ntitle = caf\xc3\xa9\n", "caf\xc3\xa9", "(null)", "x", NULL, NULL,
         NULL, 0},
};

/* Malformed files: LA_EINVAL, and the error names the file and this. */
static const struct {
	const char *what, *text, *want;
} bad[] = {
	{"not key = value", "[site]\ntitle = x\nthis line is not a key\n",
         "this line is not a key"},
	{"a key outside a section", "title = before any section\n", "group"},
	{"an unclosed section", "[site\ntitle = x\n", "site"},
	{"an unknown section", "[sites]\ntitle = x\n", "unknown section [sites]"},
	{"capitals and spaces in a list name", "[list Linux Kernel]\ndescription = x\n",
         "[list Linux Kernel]: list names are"},
	{"a list name that starts with '-'", "[list -x]\n", "[list -x]: list names are"},
	{"a reserved list name: all", "[list all]\nsources = /x.mbox\n", "is reserved"},
	{"a reserved list name: api", "[list api]\n", "is reserved"},
	{"a bar entry that is not a list name", "[site]\nbar = lkml Bad/Name\n",
         "bar: \"Bad/Name\" is not a list name"},
	{"a misspelt key of a list", "[list lkml]\nsource = /x.mbox\n", "unknown key \"source\""},
	{"an unknown key of the site", "[site]\ntitel = x\n", "unknown key \"titel\""},
	{"a title that is not UTF-8", "[site]\ntitle = caf\xe9\n", "UTF-8"},
	{"a description that is not UTF-8", "[list l]\ndescription = \xff\n", "UTF-8"},
	{"sources that are not UTF-8", "[list l]\nsources = /a\xe9.mbox\n", "UTF-8"},
	{"a thread-break that is no Message-ID", "[site]\nthread-break = <a<b>\n",
         "thread-break: \"<a<b>\" is not a Message-ID"},
	{"a mailmap file that is not there", "[site]\nmailmap = no-such-file\n", "mailmap:"},
	{"a [mailmap] key that is no address", "[mailmap]\nJane = Jane Doe\n",
         "an address and a name"},
};

static const struct {
	const char *name;
	bool valid, reserved;
} names[] = {
	{"lkml", true, false},
	{"linux-kernel", true, false},
	{"a.b_c-d", true, false},
	{"0day", true, false},
	{"all", true, true},
	{"api", true, true},
	{"alls", true, false},
	{"ap", true, false},
	{"", false, false},
	{"Lkml", false, false},
	{"-x", false, false},
	{".x", false, false},
	{"_x", false, false},
	{"a b", false, false},
	{"a/b", false, false},
	{"caf\xc3\xa9", false, false},
	{"x234567890123456789012345678901234567890123456789012345678901234", true, false},
	{"x2345678901234567890123456789012345678901234567890123456789012345", false, false},
};

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	struct conf *c;
	struct la_err err;
	char buf[1024], tmp[LISTNAME_MAX + 3];

	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		c = NULL;
		enum la_status s = load(good[i].text, &c, &err);
		CHECK(s == LA_OK, "%s: loads (%s)", good[i].what, s ? err.msg : "ok");
		CHECK_STR(c ? c->title : NULL, good[i].title, "%s: title", good[i].what);
		CHECK_STR(joined(c ? c->bar : NULL, buf, sizeof buf), good[i].bar, "%s: bar",
		          good[i].what);
		CHECK(c && c->nlists == good[i].nlists, "%s: %zu lists", good[i].what,
		      good[i].nlists);
		const struct conf_list *l = conf_list(c, good[i].list);
		if (good[i].nlists == 0) {
			CHECK(l == NULL, "%s: no settings for a list", good[i].what);
			CHECK_STR(conf_subject_tag(c, good[i].list, tmp, sizeof tmp),
			          (snprintf(buf, sizeof buf, "[%s]", good[i].list), buf),
			          "%s: the subject tag is [LIST]", good[i].what);
			conf_free(c);
			continue;
		}
		CHECK(l != NULL, "%s: list %s", good[i].what, good[i].list);
		CHECK_STR(l ? l->description : NULL, good[i].description, "%s: description",
		          good[i].what);
		CHECK_STR(joined(l ? l->sources : NULL, buf, sizeof buf), good[i].sources,
		          "%s: sources", good[i].what);
		const char *want_tag = good[i].tag;
		char deftag[LISTNAME_MAX + 3];
		if (!want_tag) {
			snprintf(deftag, sizeof deftag, "[%s]", good[i].list);
			want_tag = deftag;
		}
		CHECK_STR(conf_subject_tag(c, good[i].list, tmp, sizeof tmp), want_tag,
		          "%s: subject tag", good[i].what);
		conf_free(c);
	}

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		c = NULL;
		enum la_status s = load(bad[i].text, &c, &err);
		char path[sizeof dir + 32];
		snprintf(path, sizeof path, "%s/listarc.conf: ", dir);
		CHECK(s == LA_EINVAL && strncmp(err.msg, path, strlen(path)) == 0 &&
		              strstr(err.msg, bad[i].want),
		      "malformed (%s): LA_EINVAL, naming the file and \"%s\"", bad[i].what,
		      bad[i].want);
		if (s != LA_EINVAL || !strstr(err.msg, bad[i].want))
			printf("#   status %d: %s\n", s, err.msg);
		conf_free(c); /* the half-read configuration is the caller's too */
	}

	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		size_t n = strlen(names[i].name);
		CHECK(conf_valid_listname(names[i].name, n) == names[i].valid,
		      "list name \"%s\": %s", names[i].name,
		      names[i].valid ? "valid" : "not valid");
		CHECK(conf_reserved_listname(names[i].name, n) == names[i].reserved,
		      "list name \"%s\": %s", names[i].name,
		      names[i].reserved ? "reserved" : "not reserved");
	}
	/* The length is the caller's: a name is checked up to n, NULs and all. */
	CHECK(conf_valid_listname("lkml\0x", 4), "a name is its n bytes (a NUL after them)");
	CHECK(!conf_valid_listname("lk\0ml", 5), "a NUL within n bytes is not a name");

	/* The data directory: --data, else $LISTARC_DATA, else ./archive. */
	static const struct {
		const char *opt, *env, *want;
	} dirs[] = {
		{"/srv/a", "/srv/env", "/srv/a"}, {NULL, "/srv/env", "/srv/env"},
		{"", "/srv/env", "/srv/env"},     {NULL, NULL, "./archive"},
		{NULL, "", "./archive"},
	};
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
		if (dirs[i].env)
			setenv("LISTARC_DATA", dirs[i].env, 1);
		else
			unsetenv("LISTARC_DATA");
		char *d = conf_data_dir(dirs[i].opt);
		CHECK_STR(d, dirs[i].want, "data directory: --data %s, LISTARC_DATA %s",
		          dirs[i].opt ? dirs[i].opt : "unset", dirs[i].env ? dirs[i].env : "unset");
		free(d);
	}

	/* The thread-break list and the mailmap. */
	{
		char mm[sizeof dir + 32];
		snprintf(mm, sizeof mm, "%s/mailmap", dir);
		FILE *f = fopen(mm, "w");
		CHECK(f != NULL, "mailmap file written");
		if (f) {
			fputs("# comment <c@x>\nJane Doe <jane@example.org> <JD@Old.example.org>\n"
			      "<noname@example.org> <other@example.org>\n"
			      "Bob B <bob@example.org> Bobby <bobby@example.org>\n",
			      f);
			fclose(f);
		}
		struct conf *mc = NULL;
		struct la_err merr;
		enum la_status s = load("[site]\nthread-break = <bogus@x>, none;<YES@x>\n"
		                        "mailmap = mailmap\n[mailmap]\nbob@example.org = Robert\n",
		                        &mc, &merr);
		CHECK(s == LA_OK, "thread-break and mailmap load (%s)", s ? merr.msg : "ok");
		static const struct {
			const char *id;
			bool brk;
		} ids[] = {
			{"y", true},       {"N", true},       {"yes", true},   {"no", true},
			{"bogus@x", true}, {"none", true},    {"yes@x", true}, {"bogus@y", false},
			{"yess", false},   {"root@x", false},
		};
		for (size_t i = 0; s == LA_OK && i < sizeof ids / sizeof *ids; i++)
			CHECK(conf_thread_break(mc, ids[i].id) == ids[i].brk,
			      "thread-break: %s: %s", ids[i].id,
			      ids[i].brk ? "no parent" : "a parent");
		CHECK(conf_thread_break(NULL, "y") && !conf_thread_break(NULL, "bogus@x"),
		      "thread-break without a file: the built-in ones only");
		static const struct {
			const char *addr, *name;
		} mnames[] = {
			{"jane@example.org", "Jane Doe"},
			{"jd@old.example.org", "Jane Doe"},
			{"JANE@EXAMPLE.ORG", "Jane Doe"},
			{"other@example.org", NULL},
			{"bob@example.org", "Robert"},
			{"bobby@example.org", "Bob B"},
			{"c@x", NULL},
			{"", NULL},
		};
		for (size_t i = 0; s == LA_OK && i < sizeof mnames / sizeof *mnames; i++) {
			const char *got = conf_mailmap_name(mc, mnames[i].addr);
			CHECK(got == mnames[i].name ||
			              (got && mnames[i].name && !strcmp(got, mnames[i].name)),
			      "mailmap: %s: %s (got %s)", mnames[i].addr,
			      mnames[i].name ? mnames[i].name : "none", got ? got : "none");
		}
		conf_free(mc);
		unlink(mm);
	}

	char path[sizeof dir + 32];
	snprintf(path, sizeof path, "%s/listarc.conf", dir);
	unlink(path);
	rmdir(dir);
	return check_status();
}
