/* civil.c: calendar arithmetic. */
#include "util/civil.h"

#include <stdio.h>

const char *const civil_month_abbr[13] = {"",    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
const char *const civil_month_name[13] = {"",        "January",  "February", "March",  "April",
                                          "May",     "June",     "July",     "August", "September",
                                          "October", "November", "December"};
const char *const civil_wday_abbr[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

int64_t civil_to_days(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

unsigned civil_weekday(int64_t z)
{
	/* 1970-01-01 was a Thursday (3 with Monday = 0). */
	int64_t w = (z + 3) % 7;
	return (unsigned)(w < 0 ? w + 7 : w);
}

static bool leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned civil_month_days(int64_t y, unsigned m)
{
	static const unsigned char n[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12)
		return 0;
	return n[m] + (m == 2 && leap(y));
}

bool civil_valid(int64_t y, unsigned m, unsigned d)
{
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= civil_month_days(y, m);
}

unsigned civil_month_from_name(const char *p, unsigned n)
{
	if (n < 3)
		return 0;
	char a = p[0] | 0x20, b = p[1] | 0x20, c = p[2] | 0x20;
	static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	for (unsigned i = 0; i < 12; i++)
		if (names[i * 3] == a && names[i * 3 + 1] == b && names[i * 3 + 2] == c)
			return i + 1;
	return 0;
}

int64_t civil_days_of_unix(int64_t t, unsigned *sec)
{
	int64_t days = t / 86400, rem = t % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	*sec = (unsigned)rem;
	return days;
}

void civil_daykey_format(int key, char sep, char out[CIVIL_DAY_LEN])
{
	/* By hand, not snprintf: a month page writes hundreds of these. */
	struct civil_ymd d = civil_daykey_split(key < 0 ? 0 : key);
	unsigned y = (unsigned)(d.y % 10000), m = (unsigned)d.m, dd = (unsigned)d.d;
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = sep;
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = sep;
	out[8] = (char)('0' + dd / 10);
	out[9] = (char)('0' + dd % 10);
	out[10] = '\0';
}
