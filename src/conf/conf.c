/* conf.c: data directory and listarc.conf. */
#include "conf/conf.h"

#include <ctype.h>
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *conf_data_dir(const char *opt)
{
	const char *d = opt;
	if (!d || !*d)
		d = getenv("LISTARC_DATA");
	if (!d || !*d)
		d = "./archive";
	return strdup(d);
}

bool conf_valid_listname(const char *name, size_t n)
{
	if (n == 0 || n > LISTNAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		          (i > 0 && (c == '.' || c == '_' || c == '-'));
		if (!ok)
			return false;
	}
	return true;
}

bool conf_reserved_listname(const char *name, size_t n)
{
	return (n == 3 && memcmp(name, "all", 3) == 0) || (n == 3 && memcmp(name, "api", 3) == 0) ||
	       (n == 1 && name[0] == 'r');
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static char **dup_strv(char **v)
{
	if (!v)
		return NULL;
	size_t n = 0;
	while (v[n])
		n++;
	char **r = calloc(n + 1, sizeof *r);
	if (!r)
		return NULL;
	for (size_t i = 0; i < n; i++)
		r[i] = strdup(g_strstrip(v[i]));
	return r;
}

static void free_strv(char **v)
{
	if (!v)
		return;
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

/* The value of group/key, stripped, in *out (g_free), NULL if absent.
 * A value GLib refuses (not UTF-8, a bad escape) is an error naming it,
 * not an absent key: a title in latin-1 vanished without a word. */
static enum la_status get_string(GKeyFile *kf, const char *path, const char *group, const char *key,
                                 char **out, struct la_err *err)
{
	GError *gerr = NULL;
	*out = g_key_file_get_string(kf, group, key, &gerr);
	if (*out) {
		g_strstrip(*out);
		return LA_OK;
	}
	enum la_status s = LA_OK;
	if (gerr && !g_error_matches(gerr, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND) &&
	    !g_error_matches(gerr, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND))
		s = la_err_set(err, LA_EINVAL, "%s: [%s] %s: %s", path, group, key, gerr->message);
	g_clear_error(&gerr);
	return s;
}

/* A misspelt key ("source =") would be ignored without a word, and the list
 * then indexed from nowhere: every key of [site] and [list NAME] must be one
 * we read.  Returns LA_OK or LA_EINVAL (with err set). */
static enum la_status conf_check_keys(GKeyFile *kf, const char *path, char **groups, gsize ngroups,
                                      struct la_err *err)
{
	enum la_status ret = LA_OK;
	for (gsize i = 0; i < ngroups && !ret; i++) {
		static const char *const site_keys[] = {"title", "bar", "thread-break", "mailmap",
		                                        NULL};
		static const char *const list_keys[] = {"description", "sources", "subject-tag",
		                                        "address", NULL};
		const char *const *known = strcmp(groups[i], "site") == 0        ? site_keys
		                           : strncmp(groups[i], "list ", 5) == 0 ? list_keys
		                                                                 : NULL;
		if (!known)
			continue; /* an unknown section: said by conf_load */
		char **keys = g_key_file_get_keys(kf, groups[i], NULL, NULL);
		for (size_t k = 0; keys && keys[k] && !ret; k++) {
			bool found = false;
			for (size_t j = 0; known[j]; j++)
				found |= strcmp(keys[k], known[j]) == 0;
			if (!found)
				ret = la_err_set(err, LA_EINVAL, "%s: [%s]: unknown key \"%s\"",
				                 path, groups[i], keys[k]);
		}
		g_strfreev(keys);
	}
	return ret;
}

/* [site] thread-break: Message-IDs with or without <>, separated by
 * spaces, commas or semicolons. */
static enum la_status conf_thread_breaks(struct conf *c, GKeyFile *kf, const char *path,
                                         struct la_err *err)
{
	char *v;
	enum la_status ret = get_string(kf, path, "site", "thread-break", &v, err);
	if (ret || !v)
		return ret;
	char **parts = g_strsplit_set(v, " \t,;", -1);
	size_t n = g_strv_length(parts), k = 0;
	c->thread_break = calloc(n + 1, sizeof *c->thread_break);
	for (size_t i = 0; i < n && c->thread_break && !ret; i++) {
		char *id = parts[i];
		size_t len = strlen(id);
		if (len >= 2 && id[0] == '<' && id[len - 1] == '>') {
			id++;
			len -= 2;
		}
		if (len == 0)
			continue;
		if (len > MSGID_MAX || memchr(id, '<', len) || memchr(id, '>', len))
			ret = la_err_set(err, LA_EINVAL,
			                 "%s: [site] thread-break: \"%s\" is not a Message-ID",
			                 path, parts[i]);
		else
			c->thread_break[k++] = strndup(id, len);
	}
	g_strfreev(parts);
	g_free(v);
	return ret;
}

/* Adds addr (lowercased) = name to c's mailmap; false if out of memory. */
static bool mailmap_add(struct conf *c, const char *addr, size_t alen, const char *name,
                        size_t nlen, size_t *cap)
{
	if (c->nmailmap == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct conf_mailmap *v = realloc(c->mailmap, ncap * sizeof *v);
		if (!v)
			return false;
		c->mailmap = v;
		*cap = ncap;
	}
	char *a = strndup(addr, alen), *nm = strndup(name, nlen);
	if (!a || !nm) {
		free(a);
		free(nm);
		return false;
	}
	for (char *p = a; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	c->mailmap[c->nmailmap++] = (struct conf_mailmap){a, nm};
	return true;
}

/* One line of a git-style .mailmap: "Name <a@x>", "Name <a@x> <b@y>" or
 * "Name <a@x> Other <b@y>": every address on the line shows as Name.  A
 * line without a name ("<a@x> <b@y>") maps no name, and is skipped; so is
 * a comment (#) or a line that is not UTF-8. */
static bool mailmap_line(struct conf *c, const char *line, size_t *cap)
{
	const char *lt = strchr(line, '<');
	if (!lt || line[0] == '#' || !g_utf8_validate(line, -1, NULL))
		return true;
	const char *ne = lt;
	while (ne > line && (ne[-1] == ' ' || ne[-1] == '\t'))
		ne--;
	if (ne == line)
		return true;
	for (const char *p = lt; p && *p == '<';) {
		const char *gt = strchr(p, '>');
		if (!gt)
			break;
		if (gt > p + 1 &&
		    !mailmap_add(c, p + 1, (size_t)(gt - p - 1), line, (size_t)(ne - line), cap))
			return false;
		p = strchr(gt, '<');
		const char *hash = strchr(gt, '#');
		if (hash && p && hash < p)
			break;
	}
	return true;
}

static int mailmap_cmp(const void *a, const void *b)
{
	return strcmp(((const struct conf_mailmap *)a)->addr,
	              ((const struct conf_mailmap *)b)->addr);
}

/* [site] mailmap (a file, relative to the data directory unless
 * absolute) and then [mailmap] (address = name), sorted so that for an
 * address the section's entry comes last (conf_mailmap_name takes it). */
static enum la_status conf_mailmap_file(struct conf *c, GKeyFile *kf, const char *path,
                                        struct la_err *err)
{
	char *file;
	enum la_status ret = get_string(kf, path, "site", "mailmap", &file, err);
	if (ret)
		return ret;
	size_t cap = 0;
	if (file) {
		char *full = file[0] == '/' ? g_strdup(file) : g_build_filename(c->dir, file, NULL);
		FILE *f = fopen(full, "r");
		if (!f)
			ret = la_err_set(err, LA_EINVAL, "%s: [site] mailmap: %s: %s", path, full,
			                 strerror(errno));
		char line[4096];
		while (f && !ret && fgets(line, sizeof line, f)) {
			line[strcspn(line, "\r\n")] = '\0';
			if (!mailmap_line(c, line, &cap))
				ret = la_err_set(err, LA_ENOMEM, "out of memory");
		}
		if (f)
			fclose(f);
		g_free(full);
		g_free(file);
	}
	size_t from_file = c->nmailmap;
	char **keys = g_key_file_get_keys(kf, "mailmap", NULL, NULL);
	for (size_t i = 0; keys && keys[i] && !ret; i++) {
		char *name;
		if ((ret = get_string(kf, path, "mailmap", keys[i], &name, err)))
			break;
		if (!strchr(keys[i], '@') || !name || !name[0])
			ret = la_err_set(
				err, LA_EINVAL,
				"%s: [mailmap] %s: an address and a name (jane@example.org = "
				"Jane Doe)",
				path, keys[i]);
		else if (!mailmap_add(c, keys[i], strlen(keys[i]), name, strlen(name), &cap))
			ret = la_err_set(err, LA_ENOMEM, "out of memory");
		g_free(name);
	}
	g_strfreev(keys);
	/* Stable for equal addresses: the file's first, the section's after. */
	if (c->nmailmap > from_file)
		qsort(c->mailmap + from_file, c->nmailmap - from_file, sizeof *c->mailmap,
		      mailmap_cmp);
	if (from_file)
		qsort(c->mailmap, from_file, sizeof *c->mailmap, mailmap_cmp);
	if (from_file && c->nmailmap > from_file) {
		/* Merge the two sorted runs, the section's after the file's. */
		struct conf_mailmap *m = malloc(c->nmailmap * sizeof *m);
		if (!m)
			return la_err_set(err, LA_ENOMEM, "out of memory");
		size_t i = 0, j = from_file, k = 0;
		while (i < from_file || j < c->nmailmap)
			m[k++] = j >= c->nmailmap ||
			                         (i < from_file &&
			                          mailmap_cmp(&c->mailmap[i], &c->mailmap[j]) <= 0)
			                 ? c->mailmap[i++]
			                 : c->mailmap[j++];
		free(c->mailmap);
		c->mailmap = m;
	}
	return ret;
}

/* [site]: the title and the bar of lists into c.  Returns LA_OK or
 * LA_EINVAL (with err set). */
static enum la_status conf_site(struct conf *c, GKeyFile *kf, const char *path, struct la_err *err)
{
	char *title, *bar;
	enum la_status ret;
	if ((ret = get_string(kf, path, "site", "title", &title, err)) ||
	    (ret = get_string(kf, path, "site", "bar", &bar, err)))
		return ret;
	c->title = dup_or_null(title);
	g_free(title);
	if ((ret = conf_thread_breaks(c, kf, path, err)) ||
	    (ret = conf_mailmap_file(c, kf, path, err))) {
		g_free(bar);
		return ret;
	}
	if (!bar)
		return LA_OK;
	char **v = g_strsplit_set(bar, " \t,", -1);
	size_t n = 0;
	for (size_t i = 0; v[i]; i++)
		n += v[i][0] != '\0';
	c->bar = calloc(n + 1, sizeof *c->bar);
	size_t k = 0;
	for (size_t i = 0; v[i] && c->bar; i++) {
		if (!v[i][0])
			continue;
		if (strcmp(v[i], "/") != 0 && !conf_valid_listname(v[i], strlen(v[i]))) {
			ret = la_err_set(err, LA_EINVAL,
			                 "%s: [site] bar: \"%s\" is not a list name", path, v[i]);
			break;
		}
		c->bar[k++] = strdup(v[i]);
	}
	g_strfreev(v);
	g_free(bar);
	return ret;
}

/* Section g, [list NAME] or another, into the next of c->lists.  Returns
 * LA_OK or LA_EINVAL (with err set): an unknown section, a bad or reserved
 * list name, or a bad value. */
static enum la_status conf_read_list(struct conf *c, GKeyFile *kf, const char *path, const char *g,
                                     struct la_err *err)
{
	enum la_status ret;
	if (strncmp(g, "list ", 5) != 0)
		return la_err_set(err, LA_EINVAL, "%s: unknown section [%s]", path, g);
	const char *name = g + 5;
	if (!conf_valid_listname(name, strlen(name)))
		return la_err_set(
			err, LA_EINVAL,
			"%s: [%s]: list names are lowercase letters, digits, '.', '_', '-'", path,
			g);
	if (conf_reserved_listname(name, strlen(name)))
		return la_err_set(err, LA_EINVAL,
		                  "%s: [%s]: \"%s\" is reserved for the archive's URLs "
		                  "(/all/, /api/, /r/) and cannot name a list",
		                  path, g, name);
	struct conf_list *l = &c->lists[c->nlists++];
	snprintf(l->name, sizeof l->name, "%s", name);
	char *d, *tag, *srcs;
	if ((ret = get_string(kf, path, g, "description", &d, err)))
		return ret;
	l->description = dup_or_null(d);
	g_free(d);
	/* Checked as a string first: the list reader has no error of its own
	 * for bytes that are not UTF-8. */
	if ((ret = get_string(kf, path, g, "sources", &srcs, err)))
		return ret;
	g_free(srcs);
	char **src = g_key_file_get_string_list(kf, g, "sources", NULL, NULL);
	l->sources = dup_strv(src);
	g_strfreev(src);
	if ((ret = get_string(kf, path, g, "subject-tag", &tag, err)))
		return ret;
	l->subject_tag = dup_or_null(tag);
	g_free(tag);
	char *addr;
	if ((ret = get_string(kf, path, g, "address", &addr, err)))
		return ret;
	/* One bare address (the list's posting address): it goes into reply
	 * instructions as it is (not obfuscated: it is public). */
	if (addr &&
	    (!*addr || strlen(addr) > 254 || strpbrk(addr, " \t<>,;\"'") || !strchr(addr, '@')))
		ret = la_err_set(
			err, LA_EINVAL,
			"%s: [%s] address: \"%s\" is not one bare address (list@example.org)", path,
			g, addr);
	else
		l->address = dup_or_null(addr);
	g_free(addr);
	return ret;
}

enum la_status conf_load(const char *dir, struct conf **out, struct la_err *err)
{
	struct conf *c = calloc(1, sizeof *c);
	if (!c)
		return la_err_set(err, LA_ENOMEM, "out of memory");
	c->dir = strdup(dir);
	*out = c;
	char *path = g_build_filename(dir, "listarc.conf", NULL);
	GKeyFile *kf = g_key_file_new();
	GError *gerr = NULL;
	gsize ngroups = 0;
	char **groups = NULL;
	enum la_status ret = LA_OK;
	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &gerr)) {
		if (!g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			ret = la_err_set(err, LA_EINVAL, "%s: %s", path, gerr->message);
		g_clear_error(&gerr);
		goto done;
	}
	groups = g_key_file_get_groups(kf, &ngroups);
	if ((ret = conf_check_keys(kf, path, groups, ngroups, err)) ||
	    (ret = conf_site(c, kf, path, err)))
		goto done;
	c->lists = calloc(ngroups ? ngroups : 1, sizeof *c->lists);
	for (gsize i = 0; i < ngroups && c->lists && !ret; i++)
		if (strcmp(groups[i], "site") != 0 && strcmp(groups[i], "mailmap") != 0)
			ret = conf_read_list(c, kf, path, groups[i], err);
done:
	g_strfreev(groups);
	g_key_file_free(kf);
	g_free(path);
	return ret;
}

void conf_free(struct conf *c)
{
	if (!c)
		return;
	free(c->dir);
	free(c->title);
	free_strv(c->bar);
	for (size_t i = 0; i < c->nlists; i++) {
		free(c->lists[i].description);
		free_strv(c->lists[i].sources);
		free(c->lists[i].subject_tag);
		free(c->lists[i].address);
	}
	free(c->lists);
	free_strv(c->thread_break);
	for (size_t i = 0; i < c->nmailmap; i++) {
		free(c->mailmap[i].addr);
		free(c->mailmap[i].name);
	}
	free(c->mailmap);
	free(c);
}

bool conf_thread_break(const struct conf *c, const char *msgid)
{
	static const char *const builtin[] = {"y", "n", "yes", "no"};
	for (size_t i = 0; i < sizeof builtin / sizeof *builtin; i++)
		if (strcasecmp(msgid, builtin[i]) == 0)
			return true;
	for (size_t i = 0; c && c->thread_break && c->thread_break[i]; i++)
		if (strcasecmp(msgid, c->thread_break[i]) == 0)
			return true;
	return false;
}

const char *conf_mailmap_name(const struct conf *c, const char *addr)
{
	if (!c || !c->nmailmap || !addr[0])
		return NULL;
	char low[ADDR_MAX + 1];
	size_t n = strlen(addr);
	if (n > ADDR_MAX)
		return NULL;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)addr[i]);
	/* The last entry of that address: the section's over the file's. */
	size_t lo = 0, hi = c->nmailmap;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(c->mailmap[mid].addr, low) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && strcmp(c->mailmap[lo - 1].addr, low) == 0 ? c->mailmap[lo - 1].name : NULL;
}

const struct conf_list *conf_list(const struct conf *c, const char *name)
{
	for (size_t i = 0; c && i < c->nlists; i++)
		if (strcmp(c->lists[i].name, name) == 0)
			return &c->lists[i];
	return NULL;
}

const char *conf_subject_tag(const struct conf *c, const char *name, char *tmp, size_t tmpsize)
{
	const struct conf_list *l = conf_list(c, name);
	if (l && l->subject_tag)
		return l->subject_tag;
	/* By hand when it fits (a listing asks once a line): snprintf's. */
	size_t n = strlen(name);
	if (tmpsize >= n + 3) {
		tmp[0] = '[';
		memcpy(tmp + 1, name, n);
		tmp[n + 1] = ']';
		tmp[n + 2] = '\0';
	} else {
		snprintf(tmp, tmpsize, "[%s]", name);
	}
	return tmp;
}
