/* civil.h: calendar arithmetic without time zones or locale (proleptic
 * Gregorian, as in the algorithms of H. Hinnant's "chrono-compatible
 * low-level date algorithms"). */
#ifndef LISTARC_CIVIL_H
#define LISTARC_CIVIL_H

#include <stdint.h>
#include <stdbool.h>

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

/* yyyymmdd packing used for day keys in the index. */
static inline int civil_daykey(int64_t y, unsigned m, unsigned d)
{
	return (int)(y * 10000 + m * 100 + d);
}

#endif
