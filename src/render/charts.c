/* charts.c: a list's life at a glance, for the list, year and month
 * pages: bars of messages per month or per day as inline SVG drawn here
 * (no script: each bar has its <title>, and the numbers are in a table
 * beside it for screen readers), and the busiest senders and threads of
 * the list, a year or a month, linked to their pages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/html.h"
#include "render/render_int.h"
#include "util/civil.h"

/* Drawing units (the SVG scales to its box): the plot's height, the
 * room for the labels under it, and the widest a bar's slot gets. */
#define PLOT_H 100
#define LABEL_H 16
#define SLOT_MAX 40
#define WIDTH_MIN 480
/* Senders and threads listed in each "busiest" list. */
#define TOP_N 10

struct bar {
	int count;
	char title[64]; /* "May 2019: 12 messages" */
	char label[8];  /* under the bar, or "" */
};

/* v in decimal at p (as "%d" or "%lld" writes it); the end.  By hand:
 * a month page draws a bar a day (printf's set-up cost more). */
static char *put_int(char *p, long long v)
{
	char digits[24];
	size_t k = sizeof digits;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do {
		digits[--k] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		digits[--k] = '-';
	memcpy(p, digits + k, sizeof digits - k);
	return p + (sizeof digits - k);
}

/* An SVG bar chart of bars[0..n), titled what (plain text, ours). */
static void svg_bars(struct buf *b, const char *what, const struct bar *bars, size_t n,
                     const char *table_note)
{
	int max = 0;
	for (size_t i = 0; i < n; i++)
		if (bars[i].count > max)
			max = bars[i].count;
	int slot = n ? 960 / (int)n : SLOT_MAX;
	if (slot > SLOT_MAX)
		slot = SLOT_MAX;
	if (slot < 3)
		slot = 3;
	int w = slot * (int)n;
	if (w < WIDTH_MIN)
		w = WIDTH_MIN;
	int gap = slot >= 8 ? 2 : slot >= 5 ? 1 : 0;
	buf_printf(
		b,
		"<figure class=\"chart\">\n<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\""
		" height=\"%d\" role=\"img\"><title>",
		w, PLOT_H + LABEL_H, w, PLOT_H + LABEL_H);
	html_texts(b, what);
	buf_printf(b, ", %d at most</title>\n", max);
	for (size_t i = 0; i < n; i++) {
		int h = max ? (int)((int64_t)bars[i].count * PLOT_H / max) : 0;
		if (bars[i].count && h < 1)
			h = 1;
		char rect[160], *p = rect;
		static const char x_is[] = "<rect class=\"b\" x=\"", y_is[] = "\" y=\"",
				  w_is[] = "\" width=\"", h_is[] = "\" height=\"",
				  end[] = "\"><title>";
		memcpy(p, x_is, sizeof x_is - 1);
		p = put_int(p + sizeof x_is - 1, (int)i * slot);
		memcpy(p, y_is, sizeof y_is - 1);
		p = put_int(p + sizeof y_is - 1, PLOT_H - h);
		memcpy(p, w_is, sizeof w_is - 1);
		p = put_int(p + sizeof w_is - 1, slot - gap);
		memcpy(p, h_is, sizeof h_is - 1);
		p = put_int(p + sizeof h_is - 1, h);
		memcpy(p, end, sizeof end - 1);
		buf_add(b, rect, (size_t)(p - rect) + sizeof end - 1);
		html_texts(b, bars[i].title);
		buf_adds(b, "</title></rect>\n");
	}
	/* The axis, then the labels under the bars that have one. */
	buf_printf(b, "<rect class=\"axis\" x=\"0\" y=\"%d\" width=\"%d\" height=\"1\"></rect>\n",
	           PLOT_H, w);
	for (size_t i = 0; i < n; i++)
		if (bars[i].label[0])
			buf_printf(b, "<text x=\"%d\" y=\"%d\">%s</text>\n", (int)i * slot,
			           PLOT_H + LABEL_H - 3, bars[i].label);
	buf_adds(b, "</svg>\n<figcaption>");
	html_texts(b, what);
	if (table_note) {
		buf_adds(b, " (");
		buf_adds(b, table_note);
		buf_adds(b, ")");
	}
	buf_adds(b, "</figcaption>\n</figure>\n");
}

static void bar_title(struct bar *x, const char *when, int count)
{
	/* By hand when it fits (as it does: when is a date or a month):
	 * snprintf's otherwise. */
	size_t n = strlen(when);
	if (n + 32 > sizeof x->title) {
		snprintf(x->title, sizeof x->title, "%s: %d message%s", when, count,
		         count == 1 ? "" : "s");
		return;
	}
	char *p = x->title;
	memcpy(p, when, n);
	p += n;
	*p++ = ':';
	*p++ = ' ';
	p = put_int(p, count);
	memcpy(p, " message", 8);
	p += 8;
	if (count != 1)
		*p++ = 's';
	*p = '\0';
}

void chart_list_months(struct buf *b, int first_year, int nyears, const int (*n)[13])
{
	/* From the first month with mail to the last. */
	int from = -1, to = -1;
	for (int i = 0; i < nyears * 12; i++)
		if (n[i / 12][i % 12 + 1]) {
			if (from < 0)
				from = i;
			to = i;
		}
	if (from < 0)
		return;
	size_t nb = (size_t)(to - from + 1);
	struct bar *bars = calloc(nb, sizeof *bars);
	if (!bars) {
		b->err = b->err ? b->err : LA_ENOMEM;
		return;
	}
	for (size_t k = 0; k < nb; k++) {
		int i = from + (int)k, y = first_year + i / 12, m = i % 12 + 1;
		char when[32];
		snprintf(when, sizeof when, "%s %04d", civil_month_name[m], y);
		bars[k].count = n[i / 12][m];
		bar_title(&bars[k], when, bars[k].count);
		/* A year's label under its January (or the first month). */
		if (m == 1 || k == 0)
			snprintf(bars[k].label, sizeof bars[k].label, "%04d", y);
	}
	char what[96];
	snprintf(what, sizeof what, "Messages per month, %s %04d to %s %04d",
	         civil_month_abbr[from % 12 + 1], first_year + from / 12,
	         civil_month_abbr[to % 12 + 1], first_year + to / 12);
	svg_bars(b, what, bars, nb, "the numbers are in the table below");
	free(bars);
}

void chart_year(struct buf *b, int y, const int counts[13])
{
	struct bar bars[12];
	memset(bars, 0, sizeof bars);
	for (int m = 1; m <= 12; m++) {
		char when[32];
		snprintf(when, sizeof when, "%s %04d", civil_month_name[m], y);
		bars[m - 1].count = counts[m];
		bar_title(&bars[m - 1], when, counts[m]);
		snprintf(bars[m - 1].label, sizeof bars[m - 1].label, "%s", civil_month_abbr[m]);
	}
	char what[64];
	snprintf(what, sizeof what, "Messages per month in %04d", y);
	svg_bars(b, what, bars, 12, "the numbers are in the table below");
	/* The numbers, for those who cannot see the bars. */
	buf_adds(b, "<table class=\"years chart-data\">\n<tr>");
	for (int m = 1; m <= 12; m++)
		buf_printf(b, "<th>%s</th>", civil_month_abbr[m]);
	buf_adds(b, "</tr>\n<tr>");
	for (int m = 1; m <= 12; m++)
		buf_printf(b, "<td>%d</td>", counts[m]);
	buf_adds(b, "</tr>\n</table>\n");
}

void chart_month(struct buf *b, int y, int m, const int counts[32])
{
	struct bar bars[31];
	memset(bars, 0, sizeof bars);
	unsigned nd = civil_month_days(y, (unsigned)m);
	for (unsigned d = 1; d <= nd; d++) {
		char when[32];
		if (y >= 1 && y <= 9999)
			civil_daykey_format(civil_daykey(y, (unsigned)m, d), '-', when);
		else
			snprintf(when, sizeof when, "%04d-%02d-%02u", y, m, d);
		bars[d - 1].count = counts[d];
		bar_title(&bars[d - 1], when, counts[d]);
		if (d == 1 || d % 5 == 0)
			*put_int(bars[d - 1].label, d) = '\0';
	}
	char what[64];
	snprintf(what, sizeof what, "Messages per day in %s %04d", civil_month_name[m], y);
	svg_bars(b, what, bars, nd, "the numbers are in the calendar below");
}

/* ---- the busiest senders and threads ---- */

struct tops {
	const struct render_ctx *c;
	struct buf *b;
	const char *list;
	int n;
};

void link_sender(const struct render_ctx *c, struct buf *b, const char *list, const char *addr)
{
	char hash[STORE_SENDER_HASH_LEN + 1];
	store_sender_hash(addr, hash);
	link_list(c, b, list);
	buf_printf(b, "from/%s/", hash);
}

/* v in decimal, then the texts a and c ("%lld%s%s" without printf: the
 * busiest lists write a few a line). */
static void add_count(struct buf *b, long long v, const char *a, const char *c)
{
	char num[24];
	buf_add(b, num, (size_t)(put_int(num, v) - num));
	buf_adds(b, a);
	buf_adds(b, c);
}

static bool top_sender(const struct store_sender *s, void *arg)
{
	struct tops *x = arg;
	struct buf *b = x->b;
	if (x->n++ == 0)
		buf_adds(b, "<ol class=\"top\">\n");
	buf_adds(b, "<li class=\"top\"><a href=\"");
	link_list(x->c, b, x->list);
	buf_adds(b, "from/");
	buf_adds(b, s->hash);
	buf_adds(b, "/\">");
	sender_text(b, s->name, s->addr);
	buf_adds(b, "</a> <span class=\"count\">");
	add_count(b, s->n, " message", s->n == 1 ? "" : "s");
	buf_adds(b, "</span></li>\n");
	return true;
}

void topic_link(const struct render_ctx *c, struct buf *b, const char *list,
                const struct store_topic *t)
{
	buf_adds(b, "<a href=\"");
	link_msgid(c, b, list, t->starter.msgid);
	buf_adds(b, "T/\">");
	subject_text(c, b, list, t->starter.subject);
	buf_adds(b, "</a>");
}

static bool top_thread(const struct store_topic *t, void *arg)
{
	struct tops *x = arg;
	struct buf *b = x->b;
	if (x->n++ == 0)
		buf_adds(b, "<ol class=\"top\">\n");
	buf_adds(b, "<li class=\"top\">");
	topic_link(x->c, b, x->list, t);
	buf_adds(b, " <span class=\"from\">(");
	sender_text(b, t->starter.from_name, t->starter.from_addr);
	buf_adds(b, ")</span> <span class=\"count\">");
	add_count(b, t->n_period, " message", t->n_period == 1 ? "" : "s");
	if (t->n != t->n_period) {
		buf_adds(b, " (");
		add_count(b, t->n, " in all)", "");
	}
	buf_adds(b, "</span></li>\n");
	return true;
}

enum la_status chart_tops(const struct render_ctx *c, struct buf *b, const char *list,
                          int64_t list_id, int period, const char *when)
{
	struct tops x = {c, b, list, 0};
	buf_adds(b, "<div class=\"tops\">\n<div>\n<h2>Top posters");
	html_texts(b, when);
	buf_adds(b, "</h2>\n");
	enum la_status e = store_top_senders(c->st, list_id, period, TOP_N, top_sender, &x);
	buf_adds(b, x.n ? "</ol>\n" : "<p>None.</p>\n");
	buf_adds(b, "</div>\n<div>\n<h2>Busiest threads");
	html_texts(b, when);
	buf_adds(b, "</h2>\n");
	x.n = 0;
	if (!e)
		e = store_top_threads(c->st, list_id, period, TOP_N, top_thread, &x);
	buf_adds(b, x.n ? "</ol>\n" : "<p>None.</p>\n");
	buf_adds(b, "</div>\n</div>\n");
	return e;
}
