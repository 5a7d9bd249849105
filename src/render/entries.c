/* entries.c: lists of index entries (struct render_entries) copied out
 * of the store's callbacks, for the listings, feeds and search pages that
 * keep them past the callback; and their numbers alone (struct
 * render_rows), for the pages that only match or sort them. */
#include <stdlib.h>
#include <string.h>

#include "render/render_int.h"
#include "util/vec.h"

static void entry_strings_free(struct store_entry *e)
{
	free((char *)e->list);
	free((char *)e->subject);
	free((char *)e->from_name);
	free((char *)e->from_addr);
	free((char *)e->msgid);
}

bool render_entries_add(const struct store_entry *e, void *arg)
{
	struct render_entries *l = arg;
	if (!vec_reserve(&l->v, &l->cap, l->n + 1, sizeof *l->v)) {
		l->oom = true;
		return false;
	}
	struct store_entry *d = &l->v[l->n];
	*d = *e;
	d->list = strdup(e->list);
	d->subject = strdup(e->subject);
	d->from_name = strdup(e->from_name);
	d->from_addr = strdup(e->from_addr);
	d->msgid = strdup(e->msgid);
	if (!d->list || !d->subject || !d->from_name || !d->from_addr || !d->msgid) {
		entry_strings_free(d);
		l->oom = true;
		return false;
	}
	l->n++;
	return true;
}

void render_entries_truncate(struct render_entries *l, size_t keep)
{
	while (l->n > keep)
		entry_strings_free(&l->v[--l->n]);
}

void render_entries_free(struct render_entries *l)
{
	if (!l)
		return;
	render_entries_truncate(l, 0);
	free(l->v);
	memset(l, 0, sizeof *l);
}

bool render_rows_push(struct render_rows *r, struct render_row row)
{
	if (!vec_reserve(&r->v, &r->cap, r->n + 1, sizeof *r->v)) {
		r->oom = true;
		return false;
	}
	row.pos = r->n;
	r->v[r->n++] = row;
	return true;
}

bool render_rows_add(const struct store_entry *e, void *arg)
{
	return render_rows_push(arg, (struct render_row){e->id, e->mid, e->parent, e->thread, 0});
}

void render_rows_free(struct render_rows *r)
{
	if (!r)
		return;
	free(r->v);
	memset(r, 0, sizeof *r);
}
