/* mirror.c: what a mirror of the archive fetches.  The public-inbox
 * inboxes `listarc export` writes (DIR/inbox/LIST) offered for cloning
 * over git's dumb HTTP protocol (their files as they are: info/refs,
 * objects/info/packs, packs and their indexes, loose objects, HEAD),
 * grokmirror's /manifest.js.gz naming every epoch, the page of commands
 * to mirror a list (/LIST/_/text/mirror/), and the plain downloads: a
 * list's or a month's messages as one gzipped mboxrd. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "render/html.h"
#include "render/render_int.h"
#include "util/civil.h"
#include "util/hash.h"
#include "util/io.h"
#include "util/vec.h"

#define PIECE ((size_t)64 << 10)
#define PATH_BYTES 4200

/* ---- git's files ---- */

struct file_stream {
	int fd;
};

static enum la_status file_next(void *state, struct buf *out, size_t room, bool *done)
{
	struct file_stream *s = state;
	size_t want = room < PIECE ? room : PIECE;
	if (buf_reserve(out, want))
		return out->err;
	size_t got = 0;
	if (io_read_full(s->fd, out->data + out->len, want, &got))
		return LA_EIO;
	out->len += got;
	*done = got < want;
	return LA_OK;
}

static void file_free(void *state)
{
	struct file_stream *s = state;
	if (!s)
		return;
	close(s->fd);
	free(s);
}

enum la_status render_git_file(const struct render_ctx *c, const char *list, int epoch,
                               const char *file, struct response *r)
{
	char path[PATH_BYTES];
	snprintf(path, sizeof path, "%s/inbox/%s/git/%d.git/%s", store_dir(c->st), list, epoch,
	         file);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		if (fd >= 0)
			close(fd);
		render_error(c, r, 404, "There is no such file in this list's git mirror.");
		return LA_OK;
	}
	struct file_stream *s = malloc(sizeof *s);
	if (!s) {
		close(fd);
		render_error(c, r, 500, "Out of memory.");
		return LA_ENOMEM;
	}
	s->fd = fd;
	buf_reset(&r->body);
	r->status = 200;
	/* A pack, its index and a loose object never change under their
	 * names; the refs and the list of packs do at every export. */
	bool fixed = !strncmp(file, "objects/", 8) && strncmp(file, "objects/info/", 13) != 0;
	size_t l = strlen(file);
	if (l > 5 && !strcmp(file + l - 5, ".pack"))
		r->content_type = "application/x-git-packed-objects";
	else if (l > 4 && !strcmp(file + l - 4, ".idx"))
		r->content_type = "application/x-git-packed-objects-toc";
	else if (fixed)
		r->content_type = "application/x-git-loose-object";
	else
		r->content_type = "text/plain; charset=utf-8";
	r->max_age = fixed ? 31536000 : 0;
	r->last_modified = (int64_t)sb.st_mtim.tv_sec;
	snprintf(r->etag, sizeof r->etag, "\"g%llx-%llx-%lx\"", (unsigned long long)sb.st_size,
	         (unsigned long long)sb.st_mtim.tv_sec, (long)sb.st_mtim.tv_nsec);
	if (sb.st_size == 0) {
		file_free(s);
		return LA_OK;
	}
	r->stream.next = file_next;
	r->stream.free = file_free;
	r->stream.state = s;
	return LA_OK;
}

/* ---- the epochs of the exported lists ---- */

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* The epochs N of DIR/inbox/LIST/git/N.git, ascending, into *out (the
 * caller frees it); none if the list was never exported. */
static size_t list_epochs(const struct render_ctx *c, const char *list, int **out)
{
	char p[PATH_BYTES];
	snprintf(p, sizeof p, "%s/inbox/%s/git", store_dir(c->st), list);
	*out = NULL;
	DIR *d = opendir(p);
	if (!d)
		return 0;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t k = strspn(de->d_name, "0123456789");
		if (k == 0 || k > 6 || strcmp(de->d_name + k, ".git") != 0)
			continue;
		if (!vec_reserve(out, &cap, n + 1, sizeof **out))
			break;
		(*out)[n++] = atoi(de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(*out, n, sizeof **out, cmp_int);
	return n;
}

/* An epoch's info/refs (export_server_info writes it at every export)
 * into out, whole; false if there is none. */
static bool read_refs(const char *gitdir, struct buf *out)
{
	char p[PATH_BYTES + 16];
	snprintf(p, sizeof p, "%s/info/refs", gitdir);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	char tmp[4096];
	size_t got = 0;
	bool ok = !io_read_full(fd, tmp, sizeof tmp, &got);
	close(fd);
	if (ok)
		buf_add(out, tmp, got);
	return ok && got > 0;
}

/* ---- /manifest.js.gz ---- */

struct manifest {
	const struct render_ctx *c;
	JsonBuilder *jb;
};

static bool manifest_list(const struct store_list_info *l, void *arg)
{
	struct manifest *m = arg;
	int *ep;
	size_t n = list_epochs(m->c, l->name, &ep);
	char desc[512] = "";
	char p[PATH_BYTES];
	snprintf(p, sizeof p, "%s/inbox/%s/description", store_dir(m->c->st), l->name);
	FILE *f = fopen(p, "re");
	if (f) {
		if (!fgets(desc, sizeof desc, f))
			desc[0] = 0;
		fclose(f);
		desc[strcspn(desc, "\n")] = 0;
	}
	for (size_t i = 0; i < n; i++) {
		char gitdir[PATH_BYTES];
		snprintf(gitdir, sizeof gitdir, "%s/inbox/%s/git/%d.git", store_dir(m->c->st),
		         l->name, ep[i]);
		struct buf refs;
		buf_init(&refs, 8192);
		if (!read_refs(gitdir, &refs)) {
			buf_free(&refs);
			continue;
		}
		/* grokmirror's fingerprint: the SHA-1 of `git show-ref`'s
		 * output, "OID REF" lines (info/refs has a tab between). */
		for (size_t k = 0; k < refs.len; k++)
			if (refs.data[k] == '\t')
				refs.data[k] = ' ';
		gchar *fp = g_compute_checksum_for_data(G_CHECKSUM_SHA1, (const guchar *)refs.data,
		                                        refs.len);
		struct stat sb;
		char rp[PATH_BYTES + 16];
		snprintf(rp, sizeof rp, "%s/info/refs", gitdir);
		int64_t modified = stat(rp, &sb) == 0 ? (int64_t)sb.st_mtim.tv_sec : 0;
		char key[LISTNAME_MAX + 64], d[600];
		snprintf(key, sizeof key, "/%s/git/%d.git", l->name, ep[i]);
		snprintf(d, sizeof d, "%s [epoch %d]", desc, ep[i]);
		json_builder_set_member_name(m->jb, key);
		json_builder_begin_object(m->jb);
		json_builder_set_member_name(m->jb, "description");
		json_builder_add_string_value(m->jb, d);
		json_builder_set_member_name(m->jb, "fingerprint");
		json_builder_add_string_value(m->jb, fp);
		json_builder_set_member_name(m->jb, "modified");
		json_builder_add_int_value(m->jb, modified);
		json_builder_set_member_name(m->jb, "head");
		json_builder_add_string_value(m->jb, "ref: refs/heads/master");
		json_builder_set_member_name(m->jb, "reference");
		json_builder_add_null_value(m->jb);
		json_builder_set_member_name(m->jb, "symlinks");
		json_builder_begin_array(m->jb);
		json_builder_end_array(m->jb);
		json_builder_end_object(m->jb);
		g_free(fp);
		buf_free(&refs);
	}
	free(ep);
	return true;
}

enum la_status render_manifest(const struct render_ctx *c, struct response *r)
{
	struct manifest m = {c, json_builder_new()};
	json_builder_begin_object(m.jb);
	enum la_status e = store_lists(c->st, manifest_list, &m);
	json_builder_end_object(m.jb);
	JsonNode *root = json_builder_get_root(m.jb);
	JsonGenerator *gen = json_generator_new();
	json_generator_set_root(gen, root);
	gsize n = 0;
	gchar *text = json_generator_to_data(gen, &n);
	g_object_unref(gen);
	json_node_unref(root);
	g_object_unref(m.jb);
	if (e) {
		g_free(text);
		render_error(c, r, 500, "The index could not be read.");
		return e;
	}
	/* gzip (windowBits 15 + 16), whole: a manifest is small. */
	buf_reset(&r->body);
	uLong bound = compressBound((uLong)n) + 64;
	if (buf_reserve(&r->body, bound)) {
		g_free(text);
		render_error(c, r, 500, "Out of memory.");
		return LA_ENOMEM;
	}
	z_stream z;
	memset(&z, 0, sizeof z);
	int zr = deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
	if (zr == Z_OK) {
		z.next_in = (Bytef *)text;
		z.avail_in = (uInt)n;
		z.next_out = (Bytef *)r->body.data;
		z.avail_out = (uInt)bound;
		zr = deflate(&z, Z_FINISH);
		r->body.len = bound - z.avail_out;
		deflateEnd(&z);
	}
	g_free(text);
	if (zr != Z_STREAM_END) {
		render_error(c, r, 500, "The manifest could not be compressed.");
		return LA_ENOMEM;
	}
	r->status = 200;
	r->content_type = "application/gzip";
	r->max_age = 60;
	return LA_OK;
}

/* ---- /LIST/_/text/mirror/ ---- */

enum la_status render_mirror_text(const struct render_ctx *c, const char *list, bool raw,
                                  struct response *r)
{
	int *ep;
	size_t n = list_epochs(c, list, &ep);
	struct buf t;
	buf_init(&t, 1 << 20);
	/* Only the list's name (a-z0-9._-), its address (checked by
	 * listarc.conf or `listarc list`) and numbers go in. */
	buf_printf(&t,
	           "# This list's archive is a public-inbox v2 inbox of %zu epoch%s, kept by\n"
	           "# `listarc export`; git clones it (and grokmirror follows\n"
	           "# %smanifest.js.gz).  URL is this site's address",
	           n, n == 1 ? "" : "s", c->base);
	/* The site's address: --base-url's origin, else the one this
	 * request came to (its Host:, checked by the server; this page is
	 * never cached, see route_key).  Neither known (`listarc get`): say
	 * so rather than invent one. */
	const char *origin = c->origin ? c->origin : c->req_origin;
	if (origin)
		buf_printf(&t, "%s.\nURL=%s\n\n",
		           c->origin ? " (--base-url)" : " as this request reached it", origin);
	else
		buf_adds(&t, ", which this page cannot know: the site's admin should start\n"
		             "# `listarc serve` with --base-url.  Set URL by hand meanwhile.\n"
		             "URL=https://SITE\n\n");
	if (n == 0)
		buf_adds(&t, "# (This list has not been exported yet: `listarc export LIST`.)\n");
	for (size_t i = 0; i < n; i++)
		buf_printf(&t, "git clone --mirror $URL%s%s/git/%d.git %s/git/%d.git\n", c->base,
		           list, ep[i], list, ep[i]);
	free(ep);
	char addr[LIST_SETTING_MAX + 1] = "";
	const struct conf_list *cl = c->conf ? conf_list(c->conf, list) : NULL;
	int64_t id;
	if (cl && cl->address)
		snprintf(addr, sizeof addr, "%s", cl->address);
	else if (store_list_id(c->st, list, &id) != LA_OK ||
	         store_list_get(c->st, id, LIST_ADDRESS, addr, sizeof addr) != LA_OK)
		snprintf(addr, sizeof addr, "%s@listarc.invalid", list);
	buf_printf(&t,
	           "\n# Then, to read it with public-inbox (or lei):\n"
	           "public-inbox-init -V2 %s ./%s $URL%s%s/ %s\n"
	           "public-inbox-index ./%s\n"
	           "\n# Or with listarc:\n"
	           "listarc index %s ./%s\n"
	           "\n# Later, to catch up:\n"
	           "for g in %s/git/*.git; do git --git-dir=$g fetch -q; done\n"
	           "public-inbox-index ./%s   # or: listarc index %s\n"
	           "\n# Plain downloads: every message as one mbox, or a month's\n"
	           "curl -O $URL%s%s/mbox.gz\n",
	           list, list, c->base, list, addr, list, list, list, list, list, list, c->base,
	           list);
	if (t.err) {
		buf_free(&t);
		render_error(c, r, 500, "The page could not be built.");
		return LA_ENOMEM;
	}
	struct buf *b = &r->body;
	buf_reset(b);
	if (raw) {
		buf_add(b, t.data, t.len);
		buf_free(&t);
		r->status = 200;
		r->content_type = "text/plain; charset=utf-8";
		r->max_age = 300;
		return b->err;
	}
	char title[LISTNAME_MAX + 32];
	snprintf(title, sizeof title, "Mirroring %s", list);
	page_open(c, b, &(struct page_head){.title = title, .list = list});
	buf_adds(b, "<h1>");
	html_texts(b, title);
	buf_adds(b, "</h1>\n<pre>");
	html_text(b, t.data, t.len);
	buf_adds(b, "</pre>\n<p><a href=\"");
	link_list(c, b, list);
	buf_adds(b, "_/text/mirror/raw\">raw</a></p>\n");
	page_end(c, b);
	buf_free(&t);
	page_finish(r, 200);
	r->max_age = 300;
	return b->err;
}

/* ---- /LIST/mbox.gz, /LIST/YYYY/MM/mbox.gz ---- */

struct ids {
	int64_t *v;
	size_t n, cap;
	bool oom;
	int last_day, last_num;
};

static bool add_id(const struct store_entry *e, void *arg)
{
	struct ids *x = arg;
	if (!vec_reserve(&x->v, &x->cap, x->n + 1, sizeof *x->v)) {
		x->oom = true;
		return false;
	}
	x->v[x->n++] = e->id;
	x->last_day = e->day;
	x->last_num = e->num;
	return true;
}

enum la_status render_list_mbox(const struct render_ctx *c, const char *list, int y, int m,
                                struct response *r)
{
	int64_t id;
	if (store_list_id(c->st, list, &id) != LA_OK) {
		render_error(c, r, 404, "There is no such list in this archive.");
		return LA_OK;
	}
	int since = y ? civil_daykey(y, (unsigned)m, 1) : 0;
	int until = y ? civil_daykey(y, (unsigned)m, 31) : 99999999;
	struct ids x = {0};
	enum la_status e = LA_OK;
	/* Oldest first, in pages of the store's listing. */
	for (;;) {
		size_t before = x.n;
		e = store_list_msgs(c->st, id, since, until, x.last_day, x.last_num, false, 10000,
		                    add_id, &x);
		if (e || x.oom || x.n == before)
			break;
	}
	if (e || x.oom) {
		free(x.v);
		render_error(c, r, 500, "The index could not be read.");
		return e ? e : LA_ENOMEM;
	}
	if (x.n == 0) {
		free(x.v);
		render_error(c, r, 404,
		             y ? "This list has no messages in that month."
		               : "This list has no messages.");
		return LA_OK;
	}
	e = render_mboxgz(c, x.v, x.n, r);
	free(x.v);
	if (!e) {
		if (y)
			snprintf(r->filename, sizeof r->filename, "%s-%04d-%02d.mbox.gz", list, y,
			         m);
		else
			snprintf(r->filename, sizeof r->filename, "%s.mbox.gz", list);
		r->attachment = true;
	}
	return e;
}
