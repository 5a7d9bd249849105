/* when.h: the dates and sizes of the query language (stage-internal,
 * for query.c): the forms public-inbox takes after d:, dt:, rt: and z:.
 *
 * Dates (UTC):
 *   YYYY, YYYY-MM                    a year, a month (listarc's own forms)
 *   YYYYMMDD, YYYY-MM-DD             a day
 *   YYYYMMDDHHMMSS                   a second (what lei and b4 send to dt:)
 *   YYYY-MM-DDTHH:MM[:SS] (or a space instead of T, in quotes)
 *   Unix seconds: 5 digits or more, but not 8 or 14, or @N
 *   git's approxidate words: now, today, yesterday, and N.UNIT[.ago] or
 *   last.UNIT[.ago] (UNIT: second, minute, hour, day, week, month, year,
 *   singular or plural; several may follow one another: 1.year.2.months),
 *   separated by dots or spaces; months and years count calendar months.
 * A day, month or year is a period; the others are instants. */
#ifndef LISTARC_SEARCH_WHEN_H
#define LISTARC_SEARCH_WHEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct when {
	int64_t lo, hi; /* [lo, hi) in seconds; an instant has hi = lo + 1 */
	bool instant;
};

/* Parses s[0..n) at time now.  False if it is no date. */
bool when_parse(const char *s, size_t n, int64_t now, struct when *w);

/* A size: digits, optionally followed by k, m or g (KiB, MiB, GiB).
 * False if it is none or over 2^50 bytes. */
bool when_size(const char *s, size_t n, int64_t *bytes);

/* The text of the refusal of a date, naming the accepted forms. */
#define WHEN_FORMS                                                                                  \
	"dates are YYYYMMDD, YYYY-MM-DD, YYYYMMDDHHMMSS, YYYY-MM-DDTHH:MM:SS, YYYY, YYYY-MM, Unix " \
	"seconds, or relative: now, today, yesterday, 2.weeks.ago, last.month, 3.days; ranges "     \
	"A..B, A.., ..B"

#endif
