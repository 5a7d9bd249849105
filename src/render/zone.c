/* zone.c: times on pages: the sender's date in ISO form with the
 * sender's offset, and on hover the reader's time, in UTC or in the zone
 * the reader chose on the preferences page (/_/prefs, a cookie: a page
 * without script cannot know the reader's zone otherwise). */
#include <glib.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg/date.h"
#include "render/html.h"
#include "render/render_int.h"

struct render_zone {
	char name[TZ_NAME_MAX + 1];
	/* GLib's zone, made when first needed by whichever thread needs it
	 * (the loser of a race drops its own). */
	_Atomic(GTimeZone *) tz;
};

/* The zones, sorted by name; read once (zones_load). */
static struct render_zone *zones;
static size_t nzones;

/* A zone name as the tz database writes them: letters, digits, '_',
 * '-', '+' and '/' between parts, at most TZ_NAME_MAX bytes (no dots:
 * no ".." can reach a file name). */
static bool name_ok(const char *p, size_t n)
{
	if (n == 0 || n > TZ_NAME_MAX || p[0] == '/' || p[n - 1] == '/')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		          (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '+' || c == '/';
		if (!ok || (c == '/' && i + 1 < n && p[i + 1] == '/'))
			return false;
	}
	return true;
}

static void zone_add(const char *p, size_t n)
{
	if (!name_ok(p, n) || nzones >= TZ_ZONES_MAX)
		return;
	memcpy(zones[nzones].name, p, n);
	zones[nzones].name[n] = '\0';
	atomic_init(&zones[nzones].tz, NULL);
	nzones++;
}

/* At most TZ_FILE_MAX bytes of dir/file, NUL-terminated (free), or
 * NULL. */
static char *read_bounded(const char *dir, const char *file)
{
	char *path = g_build_filename(dir, file, NULL);
	FILE *f = fopen(path, "rb");
	g_free(path);
	if (!f)
		return NULL;
	char *data = malloc(TZ_FILE_MAX + 1);
	if (!data) {
		fclose(f);
		return NULL;
	}
	size_t n = fread(data, 1, TZ_FILE_MAX, f);
	fclose(f);
	data[n] = '\0';
	return data;
}

static int zone_cmp(const void *a, const void *b)
{
	return strcmp(((const struct render_zone *)a)->name, ((const struct render_zone *)b)->name);
}

/* The canonical zones of the tz database: tzdata.zi's "Z NAME" lines,
 * else zone1970.tab's third column. */
static gpointer zones_load(gpointer unused)
{
	(void)unused;
	const char *dir = getenv("TZDIR");
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	zones = calloc(TZ_ZONES_MAX, sizeof *zones);
	if (!zones)
		return NULL;
	char *zi = read_bounded(dir, "tzdata.zi");
	for (char *line = zi; line && *line;) {
		char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (len > 2 && line[0] == 'Z' && line[1] == ' ') {
			const char *name = line + 2;
			size_t n = strcspn(name, " \t\n");
			zone_add(name, n < len - 2 ? n : len - 2);
		}
		line = end ? end + 1 : line + len;
	}
	free(zi);
	if (nzones == 0) {
		char *tab = read_bounded(dir, "zone1970.tab");
		for (char *line = tab; line && *line;) {
			char *end = strchr(line, '\n');
			size_t len = end ? (size_t)(end - line) : strlen(line);
			if (len > 0 && line[0] != '#') {
				/* country codes, coordinates, NAME, comment */
				const char *p = line, *stop = line + len;
				for (int field = 0; field < 2 && p; field++) {
					p = memchr(p, '\t', (size_t)(stop - p));
					p = p ? p + 1 : NULL;
				}
				if (p)
					zone_add(p, strcspn(p, "\t\n") < (size_t)(stop - p)
					                    ? strcspn(p, "\t\n")
					                    : (size_t)(stop - p));
			}
			line = end ? end + 1 : line + len;
		}
		free(tab);
	}
	qsort(zones, nzones, sizeof *zones, zone_cmp);
	return NULL;
}

static void zones_ready(void)
{
	static GOnce once = G_ONCE_INIT;
	g_once(&once, zones_load, NULL);
}

/* The zone named p[0..n), or NULL. */
static const struct render_zone *zone_find(const char *p, size_t n)
{
	if (!name_ok(p, n))
		return NULL;
	zones_ready();
	struct render_zone key;
	memcpy(key.name, p, n);
	key.name[n] = '\0';
	return bsearch(&key, zones, nzones, sizeof *zones, zone_cmp);
}

const struct render_zone *render_zone_cookie(const char *v, size_t n)
{
	const char *p = v, *end = v + n;
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *stop = semi ? semi : end;
		while (p < stop && (*p == ' ' || *p == '\t'))
			p++;
		if (stop - p > 3 && !memcmp(p, "tz=", 3)) {
			const char *val = p + 3, *ve = stop;
			while (ve > val && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			return zone_find(val, (size_t)(ve - val));
		}
		p = stop + 1;
	}
	return NULL;
}

const char *render_zone_name(const struct render_zone *z)
{
	return z->name;
}

/* GLib's zone of z, or NULL if the tz database has no file for it. */
static GTimeZone *zone_tz(const struct render_zone *z)
{
	struct render_zone *m = (struct render_zone *)z;
	GTimeZone *t = atomic_load(&m->tz);
	if (t)
		return t;
	GTimeZone *made = g_time_zone_new_identifier(z->name);
	if (!made)
		return NULL;
	GTimeZone *none = NULL;
	if (!atomic_compare_exchange_strong(&m->tz, &none, made)) {
		g_time_zone_unref(made);
		return none;
	}
	return made;
}

/* ---- time elements ---- */

/* d of t shifted by off seconds; false outside the years 1..9999. */
static bool civil(int64_t t, int64_t off, struct la_date *d)
{
	if (t < -62135596800LL || t > 253402300799LL)
		return false;
	date_from_unix(t + off, d);
	return d->year >= 1 && d->year <= 9999;
}

/* The sender's offset in minutes (0 without one or beyond a day). */
static int sender_offset(bool has_tz, int tz)
{
	return has_tz && tz > -24 * 60 && tz < 24 * 60 ? tz : 0;
}

/* Two digits of v (< 100) at p; the pointer after them.  The fields of a
 * struct la_date that civil() made are all below 100 but the year,
 * which is 1..9999 (put4): the figures buf_printf's "%02u" and "%04lld"
 * gave, without a vsnprintf per field (a month's page writes two
 * elements a line). */
static char *put2(char *p, unsigned v)
{
	/* (From a table of the hundred pairs: a line of a month page
	 * writes about twenty.) */
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	memcpy(p, pairs + 2 * (v % 100), 2);
	return p + 2;
}

static char *put4(char *p, int64_t v)
{
	p = put2(p, (unsigned)(v / 100));
	return put2(p, (unsigned)(v % 100));
}

/* "YYYY-MM-DD" at p. */
static char *put_day(char *p, const struct la_date *d)
{
	p = put4(p, d->year);
	*p++ = '-';
	p = put2(p, d->mon);
	*p++ = '-';
	return put2(p, d->day);
}

/* "HH:MM:SS" at p. */
static char *put_clock(char *p, const struct la_date *d)
{
	p = put2(p, d->hour);
	*p++ = ':';
	p = put2(p, d->min);
	*p++ = ':';
	return put2(p, d->sec);
}

/* time_open's, with the sender's date and time (civil's at its offset)
 * left in *sp for the text after it: one conversion a line, not three. */
static bool time_open_at(const struct render_ctx *c, struct buf *b, int64_t t, bool has_tz, int tz,
                         struct la_date *sp)
{
	int off = sender_offset(has_tz, tz);
	struct la_date s, r;
	if (!civil(t, (int64_t)off * 60, &s))
		return false;
	if (off == 0)
		r = s;
	else if (!civil(t, 0, &r))
		return false;
	*sp = s;
	unsigned ah = (unsigned)abs(off) / 60, am = (unsigned)abs(off) % 60;
	char tmp[64], *p = tmp;
	buf_adds(b, "<time datetime=\"");
	p = put_day(p, &s);
	*p++ = 'T';
	p = put_clock(p, &s);
	buf_add(b, tmp, (size_t)(p - tmp));
	/* Z: a time in UTC without the sender's offset (RFC 3339's). */
	if (has_tz) {
		p = tmp;
		*p++ = off < 0 ? '-' : '+';
		p = put2(p, ah);
		*p++ = ':';
		p = put2(p, am);
		buf_add(b, tmp, (size_t)(p - tmp));
		buf_adds(b, "\" title=\"");
	} else {
		buf_adds(b, "Z\" title=\"");
	}
	GTimeZone *gz = c->zone ? zone_tz(c->zone) : NULL;
	if (gz) {
		int i = g_time_zone_find_interval(gz, G_TIME_TYPE_UNIVERSAL, t);
		int32_t secs = i >= 0 ? g_time_zone_get_offset(gz, i) : 0;
		if (civil(t, secs, &r)) {
			buf_printf(b, "%04lld-%02u-%02u %02u:%02u:%02u ", (long long)r.year, r.mon,
			           r.day, r.hour, r.min, r.sec);
			const char *abbr = i >= 0 ? g_time_zone_get_abbreviation(gz, i) : NULL;
			html_attrs(b, abbr && *abbr ? abbr : render_zone_name(c->zone));
			buf_adds(b, "\">");
			return true;
		}
		civil(t, 0, &r);
	}
	p = put_day(tmp, &r);
	*p++ = ' ';
	p = put_clock(p, &r);
	buf_add(b, tmp, (size_t)(p - tmp));
	buf_adds(b, " UTC\">");
	return true;
}

bool time_open(const struct render_ctx *c, struct buf *b, int64_t t, bool has_tz, int tz)
{
	struct la_date s;
	return time_open_at(c, b, t, has_tz, tz, &s);
}

void time_html(const struct render_ctx *c, struct buf *b, int64_t t, bool has_tz, int tz,
               enum time_form form)
{
	struct la_date s;
	if (!time_open_at(c, b, t, has_tz, tz, &s))
		return;
	int off = sender_offset(has_tz, tz);
	char tmp[64], *p = tmp;
	if (form != TIME_CLOCK) {
		p = put_day(p, &s);
		*p++ = ' ';
	}
	p = put2(p, s.hour);
	*p++ = ':';
	p = put2(p, s.min);
	if (form == TIME_SECONDS) {
		*p++ = ':';
		p = put2(p, s.sec);
	}
	*p++ = ' ';
	*p++ = off < 0 ? '-' : '+';
	p = put2(p, (unsigned)abs(off) / 60);
	p = put2(p, (unsigned)abs(off) % 60);
	buf_add(b, tmp, (size_t)(p - tmp));
	buf_adds(b, "</time>");
}

/* ---- the preferences page ---- */

/* The form's select: UTC, then the zones grouped by their area (the
 * part before the first '/'), current selected. */
static void zone_select(struct buf *b, const struct render_zone *current)
{
	buf_adds(b, "<select id=\"tz\" name=\"tz\">\n<option value=\"\"");
	if (!current)
		buf_adds(b, " selected");
	buf_adds(b, ">UTC (no zone chosen)</option>\n");
	size_t area_len = 0;
	const char *area = NULL;
	for (size_t i = 0; i < nzones; i++) {
		const char *name = zones[i].name;
		const char *slash = strchr(name, '/');
		size_t al = slash ? (size_t)(slash - name) : 0;
		if (!area || al != area_len || memcmp(area, name, al) != 0) {
			if (area && area_len)
				buf_adds(b, "</optgroup>\n");
			area = name;
			area_len = al;
			if (al) {
				buf_adds(b, "<optgroup label=\"");
				html_attr(b, name, al);
				buf_adds(b, "\">\n");
			}
		}
		buf_adds(b, "<option value=\"");
		html_attrs(b, name);
		buf_addc(b, '"');
		if (current == &zones[i])
			buf_adds(b, " selected");
		buf_addc(b, '>');
		html_texts(b, name);
		buf_adds(b, "</option>\n");
	}
	if (area && area_len)
		buf_adds(b, "</optgroup>\n");
	buf_adds(b, "</select>");
}

enum la_status render_prefs(const struct render_ctx *c, bool set, const char *tz,
                            struct response *r)
{
	zones_ready();
	const struct render_zone *z = c->zone;
	int status = 200;
	struct buf *b = &r->body;
	if (set) {
		z = *tz ? zone_find(tz, strlen(tz)) : NULL;
		if (*tz && !z) {
			status = 400;
			z = c->zone;
		} else {
			/* For a year, the archive's pages only, sent with the
			 * pages a link leads to (Lax); no script reads it. */
			int k = snprintf(r->set_cookie, sizeof r->set_cookie,
			                 "tz=%s; Path=%s; Max-Age=%d; SameSite=Lax; HttpOnly",
			                 z ? z->name : "", c->base, z ? 365 * 86400 : 0);
			if (k < 0 || (size_t)k >= sizeof r->set_cookie)
				r->set_cookie[0] = '\0';
		}
	}
	page_open_site(c, b, "Preferences");
	buf_adds(b, "<h1>Preferences</h1>\n<h2>Time zone</h2>\n"
	            "<p>Dates are shown as their senders wrote them, with the sender's offset "
	            "from UTC. Hold the pointer over a date to see it in your time zone, if you "
	            "choose it here; else in UTC. Your choice is kept in a cookie "
	            "(<code>tz</code>) in this browser for a year; the pages need no "
	            "script.</p>\n");
	if (status == 400) {
		buf_adds(b, "<p role=\"status\"><strong>");
		html_texts(b, tz);
		buf_adds(
			b,
			" is not a time zone of the tz database; nothing was changed.</strong></p>\n");
	} else if (set) {
		buf_adds(b, "<p role=\"status\"><strong>Saved: dates on hover are in ");
		html_texts(b, z ? z->name : "UTC");
		buf_adds(b, ".</strong></p>\n");
	}
	buf_adds(b, "<form method=\"get\" action=\"");
	buf_adds(b, c->base);
	buf_adds(b, "_/prefs\"><p><label for=\"tz\">Your time zone</label>\n");
	zone_select(b, z);
	buf_adds(b, "\n<button type=\"submit\">Save</button></p></form>\n<p><a href=\"");
	buf_adds(b, c->base);
	buf_adds(b, "\">All lists</a></p>\n");
	return page_close(c, r, status, 0);
}
