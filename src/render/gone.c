/* gone.c: the page of a hidden message (`listarc hide`): 410 Gone, with
 * the reason when it was given as public. */
#include <string.h>

#include "render/html.h"
#include "render/render_int.h"

void render_gone(const struct render_ctx *c, struct response *r, const char *reason)
{
	render_error(c, r, 404, "");
	struct buf *b = &r->body;
	buf_reset(b);
	page_open_site(c, b, "Gone");
	buf_adds(b, "<h1>Gone</h1>\n<p>This message has been removed from the archive.</p>\n");
	if (reason && reason[0]) {
		buf_adds(b, "<p>Reason: ");
		html_texts(b, reason);
		buf_adds(b, "</p>\n");
	}
	buf_adds(b, "<p><a href=\"");
	buf_adds(b, c->base);
	buf_adds(b, "\">All lists</a></p>\n");
	page_end(c, b);
	page_finish(r, 410);
	/* Shown for a short while only: an unhide brings the page back. */
	r->max_age = 0;
}

bool render_hidden_msg(const struct render_ctx *c, const struct store_msg *m, struct response *r)
{
	if (!(m->flags & STORE_F_HIDDEN))
		return false;
	char reason[HIDE_REASON_MAX + 1];
	if (store_hidden_reason(c->st, m->list_id, m->msgid, reason, sizeof reason) != LA_OK)
		reason[0] = '\0';
	render_gone(c, r, reason);
	return true;
}

bool render_hidden_msgid(const struct render_ctx *c, int64_t list_id, const char *msgid,
                         struct response *r)
{
	char reason[HIDE_REASON_MAX + 1];
	if (store_hidden_reason(c->st, list_id, msgid, reason, sizeof reason) != LA_OK)
		return false;
	render_gone(c, r, reason);
	return true;
}
