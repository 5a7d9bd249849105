/* msgjson.c: a message's metadata as one JSON object, the one shape the
 * API (/api/v1/, docs/api.md) and `listarc search --format=json` give;
 * and the json-glib member helpers the API's other objects use. */
#include <json-glib/json-glib.h>
#include <stdio.h>

#include "limits.h"
#include "msg/date.h"
#include "render/render_int.h"
#include "util/civil.h"

void json_add_string(JsonBuilder *jb, const char *key, const char *v)
{
	json_builder_set_member_name(jb, key);
	if (!v) {
		json_builder_add_null_value(jb);
	} else if (g_utf8_validate(v, -1, NULL)) {
		json_builder_add_string_value(jb, v);
	} else {
		gchar *ok = g_utf8_make_valid(v, -1);
		json_builder_add_string_value(jb, ok);
		g_free(ok);
	}
}

void json_add_buf(JsonBuilder *jb, const char *key, struct buf *b)
{
	json_add_string(jb, key, buf_cstr(b));
	buf_reset(b);
}

void json_add_int(JsonBuilder *jb, const char *key, int64_t v)
{
	json_builder_set_member_name(jb, key);
	json_builder_add_int_value(jb, v);
}

void json_add_time(JsonBuilder *jb, const char *key, int64_t t)
{
	char out[DATE_RFC3339_LEN];
	date_rfc3339(t, out);
	json_add_string(jb, key, out);
}

struct attach_list {
	const struct render_ctx *c;
	JsonBuilder *jb;
	const struct store_msg *m;
	struct buf *tmp;
};

static void attachment(const struct mime_block *blk, void *arg)
{
	struct attach_list *a = arg;
	json_builder_begin_object(a->jb);
	json_add_int(a->jb, "number", blk->k);
	json_add_string(a->jb, "type", blk->type);
	json_add_string(a->jb, "filename", blk->filename && *blk->filename ? blk->filename : NULL);
	json_add_int(a->jb, "size", (int64_t)blk->size);
	link_msg(a->c, a->tmp, a->m->list, a->m->day, a->m->num);
	buf_printf(a->tmp, "/%d", blk->k);
	json_add_buf(a->jb, "url", a->tmp);
	json_builder_end_object(a->jb);
}

/* The "attachments" member: the message read and walked. */
static enum la_status add_attachments(const struct render_ctx *c, JsonBuilder *jb,
                                      const struct store_entry *e, struct buf *tmp)
{
	struct store_msg m;
	json_builder_set_member_name(jb, "attachments");
	json_builder_begin_array(jb);
	enum la_status err = store_msg_by_id(c->st, e->id, &m);
	if (!err) {
		struct attach_list a = {c, jb, &m, tmp};
		/* A message that cannot be parsed has no attachments to list;
		 * one that cannot be read is an error. */
		enum la_status me = message_attachments(c, &m, attachment, &a);
		if (me == LA_EIO || me == LA_ECHANGED || me == LA_ENOMEM)
			err = me;
	}
	store_msg_clear(&m);
	json_builder_end_array(jb);
	return err;
}

enum la_status render_msg_json(const struct render_ctx *c, JsonBuilder *jb,
                               const struct store_entry *e, bool full)
{
	struct buf t;
	buf_init(&t, 4 * URL_MAX);
	json_builder_begin_object(jb);
	json_add_string(jb, "list", e->list);
	json_add_string(jb, "message_id", e->msgid);
	char day[CIVIL_DAY_LEN];
	civil_daykey_format(e->day, '-', day);
	json_add_string(jb, "day", day);
	json_add_int(jb, "number", e->num);
	link_msg(c, &t, e->list, e->day, e->num);
	json_add_buf(jb, "url", &t);
	link_msgid(c, &t, e->list, e->msgid);
	json_add_buf(jb, "permalink", &t);
	link_msg(c, &t, e->list, e->day, e->num);
	buf_adds(&t, "/raw");
	json_add_buf(jb, "raw", &t);
	json_add_string(jb, "subject", e->subject);
	json_builder_set_member_name(jb, "from");
	json_builder_begin_object(jb);
	json_add_string(jb, "name", e->from_name);
	json_add_string(jb, "address", e->from_addr);
	json_builder_end_object(jb);
	if (e->has_date)
		json_add_time(jb, "date", e->date);
	else
		json_add_string(jb, "date", NULL);
	json_add_time(jb, "received", e->ts);
	enum la_status err = LA_OK;
	char parent[MSGID_MAX + 64] = "";
	if (e->parent &&
	    (err = store_mid_text(c->st, e->parent, parent, sizeof parent)) == LA_ENOTFOUND)
		err = LA_OK;
	json_add_string(jb, "parent", parent[0] ? parent : NULL);
	json_add_int(jb, "thread", e->thread);
	link_msgid(c, &t, e->list, e->msgid);
	buf_adds(&t, "T/");
	json_add_buf(jb, "thread_url", &t);
	link_msgid(c, &t, e->list, e->msgid);
	buf_adds(&t, "t.mbox.gz");
	json_add_buf(jb, "thread_mbox", &t);
	if (full && !err)
		err = add_attachments(c, jb, e, &t);
	json_builder_end_object(jb);
	buf_free(&t);
	return err;
}
