/* date.h: lenient parsing of mail dates: RFC 5322 Date: and Received:
 * dates, asctime() dates of mbox From_ lines, and the common broken forms
 * (no weekday, two-digit years, named zones, missing seconds, ISO 8601). */
#ifndef LISTARC_MSG_DATE_H
#define LISTARC_MSG_DATE_H

#include <stdbool.h>
#include <stdint.h>

#include "util/span.h"

struct la_date {
	int64_t year;
	unsigned mon, day;       /* 1..12, 1..31 */
	unsigned hour, min, sec; /* wall clock as written */
	int tz;                  /* minutes east of UTC, 0 when absent */
	bool has_tz;
};

/* Parses s into d.  Returns false if no plausible date is there (a year
 * outside 1..9999, no month, an impossible day). */
bool date_parse(struct span s, struct la_date *d);

/* Like date_parse, for the date part of an mbox From_ line (after the
 * sender): it must start with a weekday or month name and carry a time
 * and a year, so that "From what I see ..." in a body never parses. */
bool date_parse_fromline(struct span s, struct la_date *d);

/* Seconds since the epoch (UTC) of d. */
int64_t date_unix(const struct la_date *d);

/* d converted to UTC wall clock. */
void date_to_utc(const struct la_date *d, struct la_date *out);

/* Fills d from seconds since the epoch, UTC. */
void date_from_unix(int64_t t, struct la_date *d);

/* t as an RFC 3339 date-time in UTC ("2019-05-20T14:00:17Z") into out,
 * NUL-terminated.  Years outside 0000-9999 (a Date: header may say
 * anything) are clamped to the first or last second of that range, as
 * the format has four digits. */
#define DATE_RFC3339_LEN 21
void date_rfc3339(int64_t t, char out[DATE_RFC3339_LEN]);

#endif
