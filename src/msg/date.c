/* date.c: lenient mail date parser.  It reads tokens left to right and
 * assigns each to the first field it can be, which covers RFC 5322 order
 * ("Mon, 20 May 2019 17:00:17 +0300"), asctime order ("Mon May 20
 * 14:00:17 2019") and the broken forms found in old archives. */
#include "msg/date.h"

#include <stdio.h>
#include <string.h>

#include "util/civil.h"

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool word_is(const char *p, size_t n, const char *w)
{
	size_t k = strlen(w);
	if (n != k)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((p[i] | 0x20) != w[i])
			return false;
	return true;
}

static bool is_weekday(const char *p, size_t n)
{
	static const char *const w[] = {"mon",      "tue",    "wed",      "thu",     "fri",
	                                "sat",      "sun",    "monday",   "tuesday", "wednesday",
	                                "thursday", "friday", "saturday", "sunday",  "tues",
	                                "thur",     "thurs"};
	for (size_t i = 0; i < sizeof w / sizeof *w; i++)
		if (word_is(p, n, w[i]))
			return true;
	return false;
}

/* Month from a 3-letter abbreviation or a full name; 0 if neither. */
static unsigned month_of(const char *p, size_t n)
{
	if (n == 3)
		return civil_month_from_name(p, 3);
	if (n > 3) {
		unsigned m = civil_month_from_name(p, 3);
		if (m && word_is(p, n, "sept"))
			return 9;
		if (m) {
			const char *full = civil_month_name[m];
			if (strlen(full) == n) {
				for (size_t i = 0; i < n; i++)
					if ((p[i] | 0x20) != (full[i] | 0x20))
						return 0;
				return m;
			}
		}
	}
	return 0;
}

/* Offset in minutes of a zone name, or -10000 if unknown. */
static int zone_of(const char *p, size_t n)
{
	static const struct {
		const char *name;
		int off;
	} z[] = {{"ut", 0},     {"utc", 0},    {"gmt", 0},    {"z", 0},      {"est", -300},
	         {"edt", -240}, {"cst", -360}, {"cdt", -300}, {"mst", -420}, {"mdt", -360},
	         {"pst", -480}, {"pdt", -420}, {"cet", 60},   {"cest", 120}, {"met", 60},
	         {"mest", 120}, {"bst", 60},   {"eet", 120},  {"eest", 180}, {"jst", 540},
	         {"msk", 180},  {"hkt", 480},  {"wet", 0},    {"west", 60}};
	for (size_t i = 0; i < sizeof z / sizeof *z; i++)
		if (word_is(p, n, z[i].name))
			return z[i].off;
	return -10000;
}

struct parse_state {
	struct la_date d;
	bool mon, day, year, time;
	int ampm; /* 0 none, 1 am, 2 pm */
};

static void take_number(struct parse_state *st, const char *p, size_t n)
{
	if (n > 9)
		return;
	unsigned long v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned)(p[i] - '0');
	if (n >= 3 || v > 31) {
		/* RFC 5322 section 4.3: a two-digit year 00-49 is 20xx, 50-99
		 * and any three-digit year are 1900 + it ("7 May 95" is 1995). */
		if (!st->year) {
			if (n == 3 || (n == 2 && v >= 50))
				st->d.year = (int64_t)v + 1900;
			else if (n == 2)
				st->d.year = (int64_t)v + 2000;
			else
				st->d.year = (int64_t)v;
			st->year = true;
		}
		return;
	}
	if (!st->day && v >= 1) {
		st->d.day = (unsigned)v;
		st->day = true;
		return;
	}
	if (!st->year && st->day) {
		st->d.year = v < 50 ? 2000 + (int64_t)v : 1900 + (int64_t)v;
		st->year = true;
	}
}

/* hh:mm[:ss] at p; returns bytes consumed or 0. */
static size_t take_time(struct parse_state *st, const char *p, const char *end)
{
	const char *q = p;
	unsigned f[3] = {0, 0, 0};
	int k = 0;
	while (k < 3) {
		unsigned v = 0, nd = 0;
		while (q < end && is_digit(*q) && nd < 2)
			v = v * 10 + (unsigned)(*q++ - '0'), nd++;
		if (nd == 0)
			break;
		f[k++] = v;
		if (q < end && *q == ':' && k < 3 && q + 1 < end && is_digit(q[1]))
			q++;
		else
			break;
	}
	if (k < 2)
		return 0;
	/* Fractions of a second (ISO 8601) are dropped. */
	if (q < end && (*q == '.' || *q == ',') && q + 1 < end && is_digit(q[1])) {
		q++;
		while (q < end && is_digit(*q))
			q++;
	}
	if (!st->time) {
		st->d.hour = f[0];
		st->d.min = f[1];
		st->d.sec = f[2];
		st->time = true;
	}
	return (size_t)(q - p);
}

/* YYYY-MM-DD at p (ISO 8601); returns bytes consumed or 0. */
static size_t take_iso(struct parse_state *st, const char *p, const char *end)
{
	if (end - p < 10 || !is_digit(p[0]) || !is_digit(p[1]) || !is_digit(p[2]) ||
	    !is_digit(p[3]) || p[4] != '-' || !is_digit(p[5]) || !is_digit(p[6]) || p[7] != '-' ||
	    !is_digit(p[8]) || !is_digit(p[9]))
		return 0;
	st->d.year = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
	st->d.mon = (unsigned)((p[5] - '0') * 10 + (p[6] - '0'));
	st->d.day = (unsigned)((p[8] - '0') * 10 + (p[9] - '0'));
	st->year = st->mon = st->day = true;
	size_t n = 10;
	if (p + n < end && (p[n] == 'T' || p[n] == 't'))
		n++;
	return n;
}

static bool parse(struct span s, struct la_date *out, bool strict)
{
	struct parse_state st;
	memset(&st, 0, sizeof st);
	const char *p = s.p, *end = s.p + s.n;
	unsigned ntok = 0;
	while (p < end) {
		char c = *p;
		if (c == '(') {
			/* A comment, possibly nested; bounded by the span. */
			int depth = 0;
			while (p < end) {
				if (*p == '(')
					depth++;
				else if (*p == ')' && --depth == 0) {
					p++;
					break;
				}
				p++;
			}
			continue;
		}
		if (is_alpha(c)) {
			const char *q = p;
			while (q < end && is_alpha(*q))
				q++;
			size_t n = (size_t)(q - p);
			unsigned m = month_of(p, n);
			bool wd = !m && is_weekday(p, n);
			if (strict && ntok == 0 && !m && !wd)
				return false;
			ntok++;
			if (m && !st.mon) {
				st.d.mon = m;
				st.mon = true;
			} else if (!m && !wd) {
				int z = zone_of(p, n);
				if (z != -10000 && !st.d.has_tz && st.time) {
					st.d.tz = z;
					st.d.has_tz = true;
				} else if (word_is(p, n, "am") && st.time)
					st.ampm = 1;
				else if (word_is(p, n, "pm") && st.time)
					st.ampm = 2;
			}
			p = q;
			continue;
		}
		if (is_digit(c)) {
			if (strict && ntok == 0)
				return false;
			ntok++;
			size_t k = take_iso(&st, p, end);
			if (k) {
				p += k;
				continue;
			}
			const char *q = p;
			while (q < end && is_digit(*q))
				q++;
			if (q < end && *q == ':' && q - p <= 2) {
				k = take_time(&st, p, end);
				if (k) {
					p += k;
					continue;
				}
			}
			take_number(&st, p, (size_t)(q - p));
			p = q;
			continue;
		}
		if ((c == '+' || c == '-') && end - p >= 5 && is_digit(p[1]) && is_digit(p[2]) &&
		    is_digit(p[3]) && is_digit(p[4]) && st.time && !st.d.has_tz) {
			int hh = (p[1] - '0') * 10 + (p[2] - '0');
			int mm = (p[3] - '0') * 10 + (p[4] - '0');
			if (hh <= 23 && mm <= 59) {
				st.d.tz = (c == '-' ? -1 : 1) * (hh * 60 + mm);
				st.d.has_tz = true;
			}
			p += 5;
			continue;
		}
		p++;
	}
	if (!st.mon || !st.day || !st.year)
		return false;
	if (strict && !st.time)
		return false;
	if (st.ampm == 2 && st.d.hour < 12)
		st.d.hour += 12;
	else if (st.ampm == 1 && st.d.hour == 12)
		st.d.hour = 0;
	if (st.d.hour > 23 || st.d.min > 59 || st.d.sec > 60)
		return false;
	if (st.d.sec == 60)
		st.d.sec = 59;
	if (!civil_valid(st.d.year, st.d.mon, st.d.day))
		return false;
	*out = st.d;
	return true;
}

bool date_parse(struct span s, struct la_date *d)
{
	return parse(s, d, false);
}

bool date_parse_fromline(struct span s, struct la_date *d)
{
	return parse(s, d, true);
}

int64_t date_unix(const struct la_date *d)
{
	return civil_to_days(d->year, d->mon, d->day) * 86400 + (int64_t)d->hour * 3600 +
	       (int64_t)d->min * 60 + d->sec - (int64_t)d->tz * 60;
}

void date_from_unix(int64_t t, struct la_date *d)
{
	unsigned rem;
	int64_t days = civil_days_of_unix(t, &rem);
	memset(d, 0, sizeof *d);
	civil_from_days(days, &d->year, &d->mon, &d->day);
	d->hour = rem / 3600;
	d->min = rem % 3600 / 60;
	d->sec = rem % 60;
	d->has_tz = true;
}

void date_to_utc(const struct la_date *d, struct la_date *out)
{
	date_from_unix(date_unix(d), out);
}

void date_rfc3339(int64_t t, char out[DATE_RFC3339_LEN])
{
	struct la_date d;
	date_from_unix(t, &d);
	if (d.year < 0)
		d = (struct la_date){.year = 0, .mon = 1, .day = 1};
	if (d.year > 9999)
		d = (struct la_date){
			.year = 9999, .mon = 12, .day = 31, .hour = 23, .min = 59, .sec = 59};
	snprintf(out, DATE_RFC3339_LEN, "%04d-%02u-%02uT%02u:%02u:%02uZ", (int)d.year, d.mon % 100,
	         d.day % 100, d.hour % 100, d.min % 100, d.sec % 100);
}
