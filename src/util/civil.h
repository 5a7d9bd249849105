/* civil.h: calendar arithmetic without time zones or locale (proleptic
 * Gregorian, as in the algorithms of H. Hinnant's "chrono-compatible
 * low-level date algorithms"). */
#ifndef LISTARC_CIVIL_H
#define LISTARC_CIVIL_H

#include <stdbool.h>
#include <stdint.h>

/* Days since 1970-01-01 of y-m-d (m 1..12, d 1..31). */
int64_t civil_to_days(int64_t y, unsigned m, unsigned d);
/* Inverse of civil_to_days. */
void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);
/* 0 = Monday ... 6 = Sunday. */
unsigned civil_weekday(int64_t days);
unsigned civil_month_days(int64_t y, unsigned m);
bool civil_valid(int64_t y, unsigned m, unsigned d);
/* "Jan".."Dec" -> 1..12, 0 if not a month name (case-insensitive). */
unsigned civil_month_from_name(const char *p, unsigned n);
extern const char *const civil_month_abbr[13];
extern const char *const civil_month_name[13];
extern const char *const civil_wday_abbr[7]; /* Mon..Sun */

/* Days since 1970-01-01 of the unix time t (UTC), rounded down, so that a
 * time before 1970 falls on the day it is in; *sec gets the seconds into
 * that day (0..86399).  The one place a unix time is split into a day
 * and a time of day. */
int64_t civil_days_of_unix(int64_t t, unsigned *sec);

/* Day keys: the index's and the URLs' days packed as yyyymmdd. */
static inline int civil_daykey(int64_t y, unsigned m, unsigned d)
{
	return (int)(y * 10000 + m * 100 + d);
}

/* A day key's parts; the one place a key is split. */
struct civil_ymd {
	int y, m, d;
};
static inline struct civil_ymd civil_daykey_split(int key)
{
	return (struct civil_ymd){key / 10000, key / 100 % 100, key % 100};
}

/* A day key as "YYYY-MM-DD" (sep '-', RFC 3339's full-date) or
 * "YYYY/MM/DD" (sep '/', the URLs' and the pages'), NUL-terminated into
 * out.  A key outside 00010101..99991231 is written modulo 10000 years. */
#define CIVIL_DAY_LEN 11
void civil_daykey_format(int key, char sep, char out[CIVIL_DAY_LEN]);

#endif
