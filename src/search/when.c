/* when.c: dates and sizes of the query language (see when.h). */
#include "search/when.h"

#include <string.h>

#include "util/civil.h"

#define DAY 86400

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return q - ((a % b) != 0 && ((a < 0) != (b < 0)));
}

static bool all_digits(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* s[0..n) as a number (n <= 18 digits). */
static int64_t number(const char *s, size_t n)
{
	int64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static void period(struct when *w, int64_t lo, int64_t hi)
{
	w->lo = lo;
	w->hi = hi;
	w->instant = false;
}

static void instant(struct when *w, int64_t t)
{
	w->lo = t;
	w->hi = t + 1;
	w->instant = true;
}

static bool day_period(struct when *w, int64_t y, unsigned m, unsigned d)
{
	if (y < 1 || y > 9999 || !civil_valid(y, m, d))
		return false;
	int64_t lo = civil_to_days(y, m, d) * DAY;
	period(w, lo, lo + DAY);
	return true;
}

static bool month_period(struct when *w, int64_t y, unsigned m)
{
	if (y < 1 || y > 9999 || m < 1 || m > 12)
		return false;
	period(w, civil_to_days(y, m, 1) * DAY,
	       (m == 12 ? civil_to_days(y + 1, 1, 1) : civil_to_days(y, m + 1, 1)) * DAY);
	return true;
}

static bool second_instant(struct when *w, int64_t y, unsigned m, unsigned d, unsigned hh,
                           unsigned mm, unsigned ss)
{
	if (y < 1 || y > 9999 || !civil_valid(y, m, d) || hh > 23 || mm > 59 || ss > 60)
		return false;
	instant(w, civil_to_days(y, m, d) * DAY + hh * 3600 + mm * 60 + ss);
	return true;
}

/* YYYY-MM, YYYY-MM-DD, YYYY-MM-DD[T ]HH:MM[:SS][Z]. */
static bool iso(const char *s, size_t n, struct when *w)
{
	if (n < 7 || !all_digits(s, 4) || s[4] != '-' || !all_digits(s + 5, 2))
		return false;
	int64_t y = number(s, 4);
	unsigned m = (unsigned)number(s + 5, 2);
	if (n == 7)
		return month_period(w, y, m);
	if (n < 10 || s[7] != '-' || !all_digits(s + 8, 2))
		return false;
	unsigned d = (unsigned)number(s + 8, 2);
	if (n == 10)
		return day_period(w, y, m, d);
	if (n > 10 && s[n - 1] == 'Z')
		n--;
	if ((n != 16 && n != 19) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !all_digits(s + 11, 2) || s[13] != ':' || !all_digits(s + 14, 2))
		return false;
	unsigned ss = 0;
	if (n == 19) {
		if (s[16] != ':' || !all_digits(s + 17, 2))
			return false;
		ss = (unsigned)number(s + 17, 2);
	}
	return second_instant(w, y, m, d, (unsigned)number(s + 11, 2), (unsigned)number(s + 14, 2),
	                      ss);
}

static bool digits_form(const char *s, size_t n, struct when *w)
{
	if (n == 4) {
		int64_t y = number(s, 4);
		if (y < 1)
			return false;
		period(w, civil_to_days(y, 1, 1) * DAY, civil_to_days(y + 1, 1, 1) * DAY);
		return true;
	}
	if (n == 8)
		return day_period(w, number(s, 4), (unsigned)number(s + 4, 2),
		                  (unsigned)number(s + 6, 2));
	if (n == 14)
		return second_instant(w, number(s, 4), (unsigned)number(s + 4, 2),
		                      (unsigned)number(s + 6, 2), (unsigned)number(s + 8, 2),
		                      (unsigned)number(s + 10, 2), (unsigned)number(s + 12, 2));
	/* Any other number of 5 digits or more is Unix seconds, as
	 * public-inbox takes rt: (and git any number of more than 8). */
	if (n < 5 || n > 15)
		return false;
	instant(w, number(s, n));
	return true;
}

/* A time unit's length in seconds; months and years are -1 and -2
 * (calendar arithmetic).  0 if the word is none. */
static int64_t unit(const char *s, size_t n)
{
	static const struct {
		const char *name;
		int64_t sec;
	} units[] = {
		{"second", 1}, {"sec", 1},        {"minute", 60}, {"min", 60},  {"hour", 3600},
		{"day", DAY},  {"week", 7 * DAY}, {"month", -1},  {"year", -2},
	};
	if (n > 1 && s[n - 1] == 's')
		n--;
	for (size_t k = 0; k < sizeof units / sizeof *units; k++)
		if (strlen(units[k].name) == n && !memcmp(units[k].name, s, n))
			return units[k].sec;
	return 0;
}

/* t moved back by k months (calendar), keeping the day of the month and
 * the time of day; a day the month lacks runs on into the next, as
 * git's (mktime's) arithmetic does. */
static int64_t months_back(int64_t t, int64_t k)
{
	int64_t days = floor_div(t, DAY), sec = t - days * DAY, y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	int64_t mm = (int64_t)m - 1 - k;
	y += floor_div(mm, 12);
	mm -= floor_div(mm, 12) * 12;
	if (y < 1)
		y = 1;
	return (civil_to_days(y, (unsigned)mm + 1, 1) + d - 1) * DAY + sec;
}

static bool is_sep(char c)
{
	return c == '.' || c == ' ' || c == '_' || c == ',';
}

/* git's approxidate words (see when.h). */
static bool relative(const char *s, size_t n, int64_t now, struct when *w)
{
	char b[65];
	if (n >= sizeof b)
		return false;
	for (size_t i = 0; i < n; i++)
		b[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];
	b[n] = '\0';
	if (!strcmp(b, "now")) {
		instant(w, now);
		return true;
	}
	int64_t today = floor_div(now, DAY) * DAY;
	if (!strcmp(b, "today")) {
		period(w, today, today + DAY);
		return true;
	}
	if (!strcmp(b, "midnight")) {
		instant(w, today);
		return true;
	}
	if (!strcmp(b, "yesterday")) {
		instant(w, now - DAY);
		return true;
	}
	/* (N|last) UNIT, repeated, then an optional "ago". */
	int64_t t = now, k = -1;
	bool any = false;
	size_t i = 0;
	while (i < n) {
		while (i < n && is_sep(b[i]))
			i++;
		size_t j = i;
		while (j < n && !is_sep(b[j]))
			j++;
		if (j == i)
			break;
		const char *tok = b + i;
		size_t tn = j - i;
		i = j;
		if (k < 0) {
			if (all_digits(tok, tn) && tn <= 6)
				k = number(tok, tn);
			else if (tn == 4 && !memcmp(tok, "last", 4))
				k = 1;
			else if (tn == 3 && !memcmp(tok, "ago", 3) && any)
				continue;
			else
				return false;
			continue;
		}
		int64_t u = unit(tok, tn);
		if (!u)
			return false;
		t = u == -1 ? months_back(t, k) : u == -2 ? months_back(t, 12 * k) : t - k * u;
		k = -1;
		any = true;
	}
	if (!any || k >= 0)
		return false;
	instant(w, t);
	return true;
}

bool when_parse(const char *s, size_t n, int64_t now, struct when *w)
{
	if (n == 0 || n > 64)
		return false;
	if (s[0] == '@')
		return n > 1 && n <= 16 && all_digits(s + 1, n - 1) &&
		       (instant(w, number(s + 1, n - 1)), true);
	if (all_digits(s, n))
		return digits_form(s, n, w);
	if (n >= 7 && all_digits(s, 4) && s[4] == '-')
		return iso(s, n, w);
	return relative(s, n, now, w);
}

bool when_size(const char *s, size_t n, int64_t *bytes)
{
	int64_t mult = 1;
	if (n > 1) {
		char c = s[n - 1];
		mult = c == 'k' || c == 'K'   ? 1 << 10
		       : c == 'm' || c == 'M' ? 1 << 20
		       : c == 'g' || c == 'G' ? 1 << 30
		                              : 1;
		if (mult > 1)
			n--;
	}
	if (!all_digits(s, n) || n > 15)
		return false;
	int64_t v = number(s, n);
	if (v > ((int64_t)1 << 50) / mult)
		return false;
	*bytes = v * mult;
	return true;
}
