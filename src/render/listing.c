/* listing.c: the pages above a message: day, month (calendar), year
 * (twelve calendars), list, and the site index. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/html.h"
#include "render/render_int.h"
#include "util/civil.h"

static bool list_exists(const struct render_ctx *c, const char *list, int64_t *id)
{
	return store_list_id(c->st, list, id) == LA_OK;
}

static enum la_status db_failed(const struct render_ctx *c, struct response *r, enum la_status e)
{
	render_error(c, r, 500, "The index could not be read.");
	return e;
}

/* ---- one line per message ---- */

struct lines {
	const struct render_ctx *c;
	struct buf *b;
	bool with_date;
	int count;
	/* Asked once, not once a line (the lines of a page are of one
	 * list, and of a few days): the list's subject tag, and the link
	 * of the day of the last line ("BASE/LIST/YYYY/MM/DD/"). */
	char list[LISTNAME_MAX + 1];
	char tag_tmp[LISTNAME_MAX + 3];
	const char *tag; /* NULL: not asked yet */
	size_t tl;
	int day; /* 0: day_link is not made yet */
	char day_link[URL_MAX];
	size_t day_link_len;
};

/* x->tag and x->day_link for the list and day of e; false if they do not
 * fit (e's line is then written as by link_msg and subject_text). */
static bool lines_key(struct lines *x, const struct store_entry *e)
{
	size_t n = strlen(e->list);
	if (n >= sizeof x->list)
		return false;
	if (!x->tag || strcmp(x->list, e->list) != 0) {
		memcpy(x->list, e->list, n + 1);
		x->tag = conf_subject_tag(x->c->conf, x->list, x->tag_tmp, sizeof x->tag_tmp);
		x->tl = strlen(x->tag);
		x->day = 0;
	}
	if (x->day != e->day) {
		struct buf u;
		buf_init(&u, sizeof x->day_link);
		link_day(x->c, &u, x->list, e->day);
		if (u.err || u.len > sizeof x->day_link) {
			buf_free(&u);
			x->day = 0;
			return false;
		}
		memcpy(x->day_link, u.data, u.len);
		x->day_link_len = u.len;
		x->day = e->day;
		buf_free(&u);
	}
	return true;
}

/* The number n in decimal. */
static void add_num(struct buf *b, int n)
{
	char digits[12];
	size_t k = sizeof digits;
	unsigned v = n < 0 ? 0u - (unsigned)n : (unsigned)n;
	do {
		digits[--k] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (n < 0)
		digits[--k] = '-';
	buf_add(b, digits + k, sizeof digits - k);
}

static bool msg_line(const struct store_entry *e, void *arg)
{
	struct lines *x = arg;
	struct buf *b = x->b;
	bool keyed = lines_key(x, e);
	/* The sender's date and offset (else the delivery time, in UTC):
	 * first on the list page; the day's and month's lines, under their
	 * day, stay "Subject (From)" as blists' and end with the time. */
	int64_t t = e->has_date ? e->date : e->ts;
	bool tz = e->has_date && e->has_tz;
	buf_adds(b, "<li>");
	if (x->with_date) {
		buf_adds(b, "<span class=\"date\">");
		time_html(x->c, b, t, tz, e->tz, TIME_MINUTES);
		buf_adds(b, "</span> ");
	}
	buf_adds(b, "<a href=\"");
	if (keyed) {
		buf_add(b, x->day_link, x->day_link_len);
		add_num(b, e->num);
	} else {
		link_msg(x->c, b, e->list, e->day, e->num);
	}
	buf_adds(b, "\">");
	if (keyed)
		subject_text_tagged(x->c, b, e->list, x->tag, x->tl, e->subject);
	else
		subject_text(x->c, b, e->list, e->subject);
	buf_adds(b, "</a> <span class=\"from\">(");
	sender_text(b, e->from_name, e->from_addr);
	buf_adds(b, ")</span>");
	if (!x->with_date) {
		buf_adds(b, " <span class=\"date\">");
		time_html(x->c, b, t, tz, e->tz, TIME_CLOCK);
		buf_adds(b, "</span>");
	}
	buf_adds(b, "</li>\n");
	x->count++;
	return true;
}

/* ---- day ---- */

static bool count_one(int day, int count, void *arg)
{
	(void)day;
	*(int *)arg = count;
	return false;
}

/* "[<prev page] [next page>] page P of N" for a listing split into pages;
 * url is the listing's own (already escaped) address, page 1 has no
 * query string. */
static void page_links(struct buf *b, const char *url, int page, int pages, const char *what)
{
	char u[URL_MAX + 32];
	buf_adds(b, "<div class=\"nav pages\">");
	if (page > 1) {
		if (page == 2)
			snprintf(u, sizeof u, "%s", url);
		else
			snprintf(u, sizeof u, "%s?page=%d", url, page - 1);
		nav_item(b, "&lt;prev page", u);
	}
	if (page < pages) {
		snprintf(u, sizeof u, "%s?page=%d", url, page + 1);
		nav_item(b, "next page&gt;", u);
	}
	buf_printf(b, "page %d of %d", page, pages);
	if (what) {
		buf_adds(b, ": ");
		buf_adds(b, what);
	}
	buf_adds(b, "</div>\n");
}

enum la_status render_day(const struct render_ctx *c, const char *list, int y, int m, int d,
                          int page, struct response *r)
{
	int64_t id;
	int day = civil_daykey(y, (unsigned)m, (unsigned)d);
	int count = 0;
	if (!list_exists(c, list, &id) || !civil_valid(y, (unsigned)m, (unsigned)d)) {
		render_error(c, r, 404, "There is no such list or date in this archive.");
		return LA_OK;
	}
	enum la_status e = store_day_counts(c->st, id, day, day, count_one, &count);
	if (e)
		return db_failed(c, r, e);
	if (count == 0) {
		render_error(c, r, 404, "This list has no messages on that day.");
		return LA_OK;
	}
	int pages = (count - 1) / DAY_PAGE_MAX + 1;
	if (page < 1 || page > pages) {
		render_error(c, r, 404, "This day has no such page.");
		return LA_OK;
	}
	int prev, next;
	if ((e = store_day_adjacent(c->st, id, day, &prev, &next)))
		return db_failed(c, r, e);
	struct buf *b = &r->body;
	buf_reset(b);
	char title[160];
	snprintf(title, sizeof title, "%s mailing list - %04d/%02d/%02d", list, y, m, d);
	page_open(c, b, &(struct page_head){.title = title, .list = list});
	struct buf u;
	buf_init(&u, URL_MAX);
	buf_adds(b, "<div class=\"nav\">");
	if (prev) {
		link_day(c, &u, list, prev);
		nav_item(b, "&lt;prev day", buf_cstr(&u));
	}
	if (next) {
		buf_reset(&u);
		link_day(c, &u, list, next);
		nav_item(b, "next day&gt;", buf_cstr(&u));
	}
	buf_reset(&u);
	link_month(c, &u, list, y, m);
	nav_item(b, "month", buf_cstr(&u));
	buf_reset(&u);
	link_year(c, &u, list, y);
	nav_item(b, "year", buf_cstr(&u));
	buf_reset(&u);
	link_list(c, &u, list);
	nav_item(b, "list", buf_cstr(&u));
	buf_reset(&u);
	buf_adds(b, "</div>\n<h1>");
	html_texts(b, title);
	buf_adds(b, "</h1>\n");
	int first = (page - 1) * DAY_PAGE_MAX + 1;
	int last = page < pages ? first + DAY_PAGE_MAX - 1 : count;
	char what[96];
	snprintf(what, sizeof what, "messages %d to %d", first, last);
	if (pages > 1) {
		link_day(c, &u, list, day);
		page_links(b, buf_cstr(&u), page, pages, what);
	}
	buf_adds(b, "<ul class=\"msgs\">\n");
	struct lines x = {.c = c, .b = b};
	if ((e = store_day_lines(c->st, id, day, first, DAY_PAGE_MAX, msg_line, &x))) {
		buf_free(&u);
		return db_failed(c, r, e);
	}
	buf_adds(b, "</ul>\n");
	if (pages > 1)
		page_links(b, buf_cstr(&u), page, pages, what);
	buf_free(&u);
	buf_printf(b, "<p>%d message%s</p>\n", count, count == 1 ? "" : "s");
	return page_close(c, r, 200, 300);
}

/* ---- calendars ---- */

struct month_counts {
	int n[32];
	int total;
};

static bool fill_counts(int day, int count, void *arg)
{
	struct month_counts *mc = arg;
	mc->n[civil_daykey_split(day).d] = count;
	mc->total += count;
	return true;
}

/* A Monday-first calendar of y/m; days with messages link to their page
 * and show their count. */
static void calendar(const struct render_ctx *c, struct buf *b, const char *list, int y, int m,
                     const struct month_counts *mc, bool with_caption)
{
	buf_adds(b, "<table class=\"cal\">\n");
	if (with_caption) {
		buf_adds(b, "<caption>");
		if (mc->total) {
			buf_adds(b, "<a href=\"");
			link_month(c, b, list, y, m);
			buf_printf(b, "\">%s</a>", civil_month_name[m]);
		} else {
			buf_adds(b, civil_month_name[m]);
		}
		buf_adds(b, "</caption>\n");
	}
	buf_adds(b, "<tr>");
	for (int i = 0; i < 7; i++) {
		buf_adds(b, "<th>");
		buf_adds(b, civil_wday_abbr[i]);
		buf_adds(b, "</th>");
	}
	buf_adds(b, "</tr>\n<tr>");
	unsigned first = civil_weekday(civil_to_days(y, (unsigned)m, 1));
	unsigned ndays = civil_month_days(y, (unsigned)m);
	unsigned col = 0;
	for (; col < first; col++)
		buf_adds(b, "<td class=\"empty\"></td>");
	for (unsigned d = 1; d <= ndays; d++) {
		if (col == 7) {
			buf_adds(b, "</tr>\n<tr>");
			col = 0;
		}
		/* (add_num, not buf_printf: a calendar a month page, twelve a
		 * year page.) */
		if (mc->n[d]) {
			buf_adds(b, "<td><a href=\"");
			link_day(c, b, list, civil_daykey(y, (unsigned)m, d));
			buf_adds(b, "\">");
			add_num(b, (int)d);
			buf_adds(b, "</a><br><small>");
			add_num(b, mc->n[d]);
			buf_adds(b, "</small></td>");
		} else {
			buf_adds(b, "<td>");
			add_num(b, (int)d);
			buf_adds(b, "</td>");
		}
		col++;
	}
	for (; col < 7; col++)
		buf_adds(b, "<td class=\"empty\"></td>");
	buf_adds(b, "</tr>\n</table>\n");
}

/* ---- month ---- */

/* Splits a month into pages of whole days, at most MONTH_PAGE_LINES
 * message lines each: page_of[d] is the page of day d (0 if it has no
 * messages).  Returns the number of pages. */
static int month_pages(const struct month_counts *mc, int page_of[32])
{
	int pages = 0, lines = 0;
	for (int d = 1; d <= 31; d++) {
		page_of[d] = 0;
		if (!mc->n[d])
			continue;
		int l = mc->n[d] < MONTH_DAY_SHOW ? mc->n[d] : MONTH_DAY_SHOW;
		if (pages == 0 || lines + l > MONTH_PAGE_LINES) {
			pages++;
			lines = 0;
		}
		lines += l;
		page_of[d] = pages;
	}
	return pages;
}

/* The heading of a day of a month page, and the start of its list. */
static void month_day_open(const struct render_ctx *c, struct buf *b, const char *list, int day)
{
	buf_adds(b, "<h2><a href=\"");
	link_day(c, b, list, day);
	char when[CIVIL_DAY_LEN];
	civil_daykey_format(day, '/', when);
	buf_adds(b, "\">");
	buf_add(b, when, CIVIL_DAY_LEN - 1);
	buf_adds(b, "</a></h2>\n<ul class=\"msgs\">\n");
}

/* One day of a month page: its heading and its first MONTH_DAY_SHOW
 * messages. */
static enum la_status month_day(const struct render_ctx *c, struct buf *b, const char *list,
                                int64_t id, int day, int count)
{
	month_day_open(c, b, list, day);
	struct lines x = {.c = c, .b = b};
	enum la_status e = store_day_lines(c->st, id, day, 1, MONTH_DAY_SHOW, msg_line, &x);
	if (count > MONTH_DAY_SHOW) {
		buf_adds(b, "<li><a href=\"");
		link_day(c, b, list, day);
		buf_printf(b, "\">%d more messages</a></li>\n", count - MONTH_DAY_SHOW);
	}
	buf_adds(b, "</ul>\n");
	return e;
}

/* The days of a month page read in one query (month_days_at_once):
 * each row's day is opened when its first row comes, and the page's
 * days without rows (none, in one snapshot) still get their heading. */
struct month_walk {
	const struct render_ctx *c;
	const char *list;
	int y, m, page;
	const int *page_of;
	int next_d; /* the first day of the month not opened yet */
	bool open;  /* a day's list is open */
	struct lines x;
};

/* Opens day d of the page (32: none, the end), after closing the day
 * open and giving the page's days before d their (empty) lists. */
static void month_walk_to(struct month_walk *w, int d)
{
	if (w->open)
		buf_adds(w->x.b, "</ul>\n");
	w->open = false;
	for (int k = w->next_d; k <= 31 && k <= d; k++) {
		if (w->page_of[k] != w->page)
			continue;
		month_day_open(w->c, w->x.b, w->list,
		               civil_daykey(w->y, (unsigned)w->m, (unsigned)k));
		if (k < d)
			buf_adds(w->x.b, "</ul>\n");
		else
			w->open = true;
	}
	w->next_d = d + 1;
}

static bool month_walk_line(const struct store_entry *e, void *arg)
{
	struct month_walk *w = arg;
	int d = civil_daykey_split(e->day).d;
	if (d < 1 || d > 31 || w->page_of[d] != w->page)
		return true;
	if (d >= w->next_d)
		month_walk_to(w, d);
	return msg_line(e, &w->x);
}

/* Whether every day of the page shows all its messages (none has more
 * than MONTH_DAY_SHOW): then one query reads them all. */
static bool month_days_at_once(const struct month_counts *mc, const int page_of[32], int page)
{
	for (int d = 1; d <= 31; d++)
		if (page_of[d] == page && mc->n[d] > MONTH_DAY_SHOW)
			return false;
	return true;
}

enum la_status render_month(const struct render_ctx *c, const char *list, int y, int m, int page,
                            struct response *r)
{
	int64_t id;
	if (!list_exists(c, list, &id) || m < 1 || m > 12 || y < 1) {
		render_error(c, r, 404, "There is no such list or date in this archive.");
		return LA_OK;
	}
	int from = civil_daykey(y, (unsigned)m, 1), to = civil_daykey(y, (unsigned)m, 31);
	struct month_counts mc;
	memset(&mc, 0, sizeof mc);
	enum la_status e = store_day_counts(c->st, id, from, to, fill_counts, &mc);
	if (e)
		return db_failed(c, r, e);
	if (mc.total == 0) {
		render_error(c, r, 404, "This list has no messages in that month.");
		return LA_OK;
	}
	int page_of[32];
	int pages = month_pages(&mc, page_of);
	if (page < 1 || page > pages) {
		render_error(c, r, 404, "This month has no such page.");
		return LA_OK;
	}
	int prev, next, dummy;
	if ((e = store_day_adjacent(c->st, id, from, &prev, &dummy)) ||
	    (e = store_day_adjacent(c->st, id, to, &dummy, &next)))
		return db_failed(c, r, e);
	struct buf *b = &r->body;
	buf_reset(b);
	/* Room for the page at once (a line is about 300 bytes), not a
	 * dozen reallocations of the growing page. */
	size_t lines = 0;
	for (int d = 1; d <= 31; d++)
		if (page_of[d] == page)
			lines += (size_t)(mc.n[d] < MONTH_DAY_SHOW ? mc.n[d] : MONTH_DAY_SHOW);
	if (buf_reserve(b, 32768 + lines * 384))
		return db_failed(c, r, LA_ENOMEM);
	char title[160];
	snprintf(title, sizeof title, "%s mailing list - %04d/%02d", list, y, m);
	page_open(c, b, &(struct page_head){.title = title, .list = list});
	struct buf u;
	buf_init(&u, URL_MAX);
	buf_adds(b, "<div class=\"nav\">");
	if (prev) {
		link_month(c, &u, list, civil_daykey_split(prev).y, civil_daykey_split(prev).m);
		nav_item(b, "&lt;prev month", buf_cstr(&u));
	}
	if (next) {
		buf_reset(&u);
		link_month(c, &u, list, civil_daykey_split(next).y, civil_daykey_split(next).m);
		nav_item(b, "next month&gt;", buf_cstr(&u));
	}
	buf_reset(&u);
	link_year(c, &u, list, y);
	nav_item(b, "year", buf_cstr(&u));
	buf_reset(&u);
	link_list(c, &u, list);
	nav_item(b, "list", buf_cstr(&u));
	buf_reset(&u);
	link_month(c, &u, list, y, m);
	buf_adds(&u, "mbox.gz");
	nav_item(b, "mbox.gz", buf_cstr(&u));
	buf_reset(&u);
	buf_adds(b, "</div>\n<h1>");
	html_texts(b, title);
	buf_adds(b, "</h1>\n");
	chart_month(b, y, m, mc.n);
	calendar(c, b, list, y, m, &mc, false);
	buf_printf(b, "<p>%d message%s</p>\n", mc.total, mc.total == 1 ? "" : "s");
	if (page == 1) {
		char when[48];
		snprintf(when, sizeof when, " in %s %04d", civil_month_name[m], y);
		if ((e = chart_tops(c, b, list, id, STORE_PERIOD_MONTH(y, m), when))) {
			buf_free(&u);
			return db_failed(c, r, e);
		}
	}
	char what[64] = "";
	if (pages > 1) {
		int first = 0, last = 0;
		for (int d = 1; d <= 31; d++)
			if (page_of[d] == page) {
				first = first ? first : d;
				last = d;
			}
		snprintf(what, sizeof what, "days %d to %d", first, last);
		link_month(c, &u, list, y, m);
		page_links(b, buf_cstr(&u), page, pages, what);
	}
	if (month_days_at_once(&mc, page_of, page)) {
		int first = 0, last = 0;
		for (int d = 1; d <= 31; d++)
			if (page_of[d] == page) {
				first = first ? first : d;
				last = d;
			}
		struct month_walk w = {c, list, y, m, page, page_of, 1, false, {.c = c, .b = b}};
		e = store_days_lines(c->st, id, civil_daykey(y, (unsigned)m, (unsigned)first),
		                     civil_daykey(y, (unsigned)m, (unsigned)last), month_walk_line,
		                     &w);
		month_walk_to(&w, 32);
	} else {
		for (int d = 1; d <= 31 && e == LA_OK; d++)
			if (page_of[d] == page)
				e = month_day(c, b, list, id,
				              civil_daykey(y, (unsigned)m, (unsigned)d), mc.n[d]);
	}
	if (e) {
		buf_free(&u);
		return db_failed(c, r, e);
	}
	if (pages > 1)
		page_links(b, buf_cstr(&u), page, pages, what);
	buf_free(&u);
	return page_close(c, r, 200, 300);
}

/* ---- year ---- */

struct year_counts {
	struct month_counts m[13];
	int total;
};

static bool fill_year(int day, int count, void *arg)
{
	struct year_counts *yc = arg;
	struct civil_ymd d = civil_daykey_split(day);
	int m = d.m;
	if (m >= 1 && m <= 12) {
		yc->m[m].n[d.d] = count;
		yc->m[m].total += count;
		yc->total += count;
	}
	return true;
}

enum la_status render_year(const struct render_ctx *c, const char *list, int y, struct response *r)
{
	int64_t id;
	if (!list_exists(c, list, &id) || y < 1) {
		render_error(c, r, 404, "There is no such list or date in this archive.");
		return LA_OK;
	}
	struct year_counts yc;
	memset(&yc, 0, sizeof yc);
	int from = civil_daykey(y, 1, 1), to = civil_daykey(y, 12, 31);
	enum la_status e = store_day_counts(c->st, id, from, to, fill_year, &yc);
	if (e)
		return db_failed(c, r, e);
	if (yc.total == 0) {
		render_error(c, r, 404, "This list has no messages in that year.");
		return LA_OK;
	}
	int prev, next, dummy;
	if ((e = store_day_adjacent(c->st, id, from, &prev, &dummy)) ||
	    (e = store_day_adjacent(c->st, id, to, &dummy, &next)))
		return db_failed(c, r, e);
	struct buf *b = &r->body;
	buf_reset(b);
	char title[160];
	snprintf(title, sizeof title, "%s mailing list - %04d", list, y);
	page_open(c, b, &(struct page_head){.title = title, .list = list});
	struct buf u;
	buf_init(&u, URL_MAX);
	buf_adds(b, "<div class=\"nav\">");
	if (prev) {
		link_year(c, &u, list, civil_daykey_split(prev).y);
		nav_item(b, "&lt;prev year", buf_cstr(&u));
	}
	if (next) {
		buf_reset(&u);
		link_year(c, &u, list, civil_daykey_split(next).y);
		nav_item(b, "next year&gt;", buf_cstr(&u));
	}
	buf_reset(&u);
	link_list(c, &u, list);
	nav_item(b, "list", buf_cstr(&u));
	buf_free(&u);
	buf_adds(b, "</div>\n<h1>");
	html_texts(b, title);
	buf_adds(b, "</h1>\n");
	int months[13] = {0};
	for (int m = 1; m <= 12; m++)
		months[m] = yc.m[m].total;
	chart_year(b, y, months);
	buf_printf(b, "<p>%d message%s</p>\n<div class=\"year\">\n", yc.total,
	           yc.total == 1 ? "" : "s");
	for (int m = 1; m <= 12; m++)
		calendar(c, b, list, y, m, &yc.m[m], true);
	buf_adds(b, "</div>\n");
	char when[16];
	snprintf(when, sizeof when, " in %04d", y);
	if ((e = chart_tops(c, b, list, id, STORE_PERIOD_YEAR(y), when)))
		return db_failed(c, r, e);
	return page_close(c, r, 200, 300);
}

/* ---- list ---- */

struct ycounts {
	int first_year;
	int nyears;
	int (*n)[13]; /* [year - first_year][month], [.][0] = year total */
};

static bool fill_years(int day, int count, void *arg)
{
	struct ycounts *yc = arg;
	struct civil_ymd d = civil_daykey_split(day);
	int y = d.y - yc->first_year, m = d.m;
	if (y >= 0 && y < yc->nyears && m >= 1 && m <= 12) {
		yc->n[y][m] += count;
		yc->n[y][0] += count;
	}
	return true;
}

static bool find_list(const struct store_list_info *l, void *arg)
{
	struct store_list_info *want = arg;
	if (strcmp(l->name, want->name) == 0) {
		want->id = l->id;
		want->count = l->count;
		want->first_day = l->first_day;
		want->last_day = l->last_day;
		return false;
	}
	return true;
}

enum la_status render_list(const struct render_ctx *c, const char *list, struct response *r)
{
	struct store_list_info info = {.name = list, .id = 0};
	enum la_status e = store_lists(c->st, find_list, &info);
	if (e)
		return db_failed(c, r, e);
	if (!info.id) {
		render_error(c, r, 404, "There is no such list in this archive.");
		return LA_OK;
	}
	struct buf *b = &r->body;
	buf_reset(b);
	char title[160];
	snprintf(title, sizeof title, "%s mailing list", list);
	page_open(c, b, &(struct page_head){.title = title, .list = list});
	buf_adds(b, "<h1>");
	html_texts(b, title);
	buf_adds(b, "</h1>\n");
	const struct conf_list *cl = conf_list(c->conf, list);
	char setting[LIST_SETTING_MAX + 1];
	if (cl && cl->description) {
		buf_adds(b, "<p>");
		html_texts(b, cl->description);
		buf_adds(b, "</p>\n");
	} else if (store_list_get(c->st, info.id, LIST_DESCRIPTION, setting, sizeof setting) ==
	           LA_OK) {
		/* Set by `listarc list set-description`. */
		buf_adds(b, "<p>");
		html_texts(b, setting);
		buf_adds(b, "</p>\n");
	}
	if (store_list_get(c->st, info.id, LIST_ADDRESS, setting, sizeof setting) == LA_OK) {
		buf_adds(b, "<p>Post to: <code>");
		html_texts(b, setting);
		buf_adds(b, "</code></p>\n");
	}
	buf_printf(b, "<p>%lld message%s", (long long)info.count, info.count == 1 ? "" : "s");
	/* The plain download and the mirror (render/mirror.c). */
	if (info.count > 0) {
		buf_adds(b, " &middot; <a href=\"");
		link_list(c, b, list);
		buf_adds(b, "mbox.gz\">download all (mbox.gz)</a>");
	}
	buf_adds(b, " &middot; <a href=\"");
	link_list(c, b, list);
	buf_adds(b, "_/text/mirror/\">mirror</a></p>\n");
	render_series_link(c, b, info.id, list);
	if (info.count > 0) {
		struct ycounts yc;
		yc.first_year = civil_daykey_split(info.first_day).y;
		yc.nyears = civil_daykey_split(info.last_day).y - yc.first_year + 1;
		yc.n = calloc((size_t)yc.nyears, sizeof *yc.n);
		if (!yc.n)
			return db_failed(c, r, LA_ENOMEM);
		e = store_day_counts(c->st, info.id, info.first_day, info.last_day, fill_years,
		                     &yc);
		if (e) {
			free(yc.n);
			return db_failed(c, r, e);
		}
		chart_list_months(b, yc.first_year, yc.nyears, (const int(*)[13])yc.n);
		buf_adds(b, "<table class=\"years\">\n<tr><th></th>");
		for (int m = 1; m <= 12; m++)
			buf_printf(b, "<th>%s</th>", civil_month_abbr[m]);
		buf_adds(b, "<th>total</th></tr>\n");
		for (int i = yc.nyears - 1; i >= 0; i--) {
			int y = yc.first_year + i;
			if (!yc.n[i][0])
				continue;
			buf_adds(b, "<tr><th><a href=\"");
			link_year(c, b, list, y);
			buf_printf(b, "\">%04d</a></th>", y);
			for (int m = 1; m <= 12; m++) {
				if (!yc.n[i][m]) {
					buf_adds(b, "<td></td>");
					continue;
				}
				buf_adds(b, "<td><a href=\"");
				link_month(c, b, list, y, m);
				buf_printf(b, "\">%d</a></td>", yc.n[i][m]);
			}
			buf_printf(b, "<td>%d</td></tr>\n", yc.n[i][0]);
		}
		buf_adds(b, "</table>\n<p><a href=\"");
		link_list(c, b, list);
		buf_adds(b, "topics/\">All threads, latest first</a></p>\n");
		free(yc.n);
		if ((e = chart_tops(c, b, list, info.id, STORE_PERIOD_ALL, "")))
			return db_failed(c, r, e);
		/* Say how many are listed: a small list has fewer than
		 * LIST_RECENT. */
		int shown = info.count < LIST_RECENT ? (int)info.count : LIST_RECENT;
		buf_printf(b, "<h2>The %d most recent message%s</h2>\n<ul class=\"msgs\">\n", shown,
		           shown == 1 ? "" : "s");
		struct lines x = {.c = c, .b = b, .with_date = true};
		if ((e = store_recent(c->st, info.id, LIST_RECENT, msg_line, &x)))
			return db_failed(c, r, e);
		buf_adds(b, "</ul>\n");
	}
	return page_close(c, r, 200, 300);
}

/* ---- site index ---- */

struct index_ctx {
	const struct render_ctx *c;
	struct buf *b;
	int n;
};

static bool index_row(const struct store_list_info *l, void *arg)
{
	struct index_ctx *x = arg;
	struct buf *b = x->b;
	buf_adds(b, "<tr><td><a href=\"");
	link_list(x->c, b, l->name);
	buf_adds(b, "\">");
	html_texts(b, l->name);
	buf_adds(b, "</a></td><td>");
	const struct conf_list *cl = conf_list(x->c->conf, l->name);
	char desc[LIST_SETTING_MAX + 1];
	if (cl && cl->description)
		html_texts(b, cl->description);
	else if (store_list_get(x->c->st, l->id, LIST_DESCRIPTION, desc, sizeof desc) == LA_OK)
		html_texts(b, desc);
	buf_printf(b, "</td><td>%lld</td><td>", (long long)l->count);
	if (l->last_day) {
		buf_adds(b, "<a href=\"");
		link_day(x->c, b, l->name, l->last_day);
		char day[CIVIL_DAY_LEN];
		civil_daykey_format(l->last_day, '/', day);
		buf_printf(b, "\">%s</a>", day);
	}
	buf_adds(b, "</td></tr>\n");
	x->n++;
	return true;
}

enum la_status render_index(const struct render_ctx *c, struct response *r)
{
	struct buf *b = &r->body;
	buf_reset(b);
	const char *title = c->conf && c->conf->title ? c->conf->title : "Mailing list archives";
	page_open_site(c, b, title);
	buf_adds(b, "<h1>");
	html_texts(b, title);
	buf_adds(b, "</h1>\n");
	buf_adds(b, "<table class=\"years\">\n"
	            "<tr><th>list</th><th>description</th><th>messages</th><th>latest</th></tr>\n");
	struct index_ctx x = {c, b, 0};
	enum la_status e = store_lists(c->st, index_row, &x);
	if (e)
		return db_failed(c, r, e);
	buf_adds(b, "</table>\n");
	if (x.n == 0)
		buf_adds(
			b,
			"<p>No lists yet: add one with <code>listarc index LIST MBOX</code>.</p>\n");
	return page_close(c, r, 200, 60);
}
