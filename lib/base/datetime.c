/* datetime.c - wall-clock milliseconds and ISO-8601 / Salesforce date text. */
#include "datetime.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "banned.h"

int64_t base_time_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t base_time_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void split(int64_t ms, struct tm *tm, int *millis)
{
	int64_t sec = ms / 1000;
	int rem = (int)(ms % 1000);
	time_t t;

	if (rem < 0) {
		rem += 1000;
		sec--;
	}
	t = (time_t)sec;
	gmtime_r(&t, tm);
	*millis = rem;
}

/* "2026-11-29T19:04:47.123" and then `zone`. */
static void format(int64_t ms, const char *zone, char *out, size_t n)
{
	struct tm tm;
	int millis;

	split(ms, &tm, &millis);
	snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%s",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, millis, zone);
}

void base_time_format_iso(int64_t ms, char *out, size_t n)
{
	format(ms, "Z", out, n);
}

void base_time_format_sf(int64_t ms, char *out, size_t n)
{
	format(ms, "+0000", out, n);
}

/* Howard Hinnant's days_from_civil, valid for the proleptic Gregorian calendar. */
int64_t base_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

int base_time_parse_iso(const char *s, int64_t *out_ms)
{
	int y, mo, d, h, mi, sec, millis = 0, oh = 0, om = 0, sign = 1;
	const char *p;

	if (strlen(s) < 19 || digits(s, 4, &y) || s[4] != '-' ||
	    digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != ' ') || digits(s + 11, 2, &h) ||
	    s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
	    digits(s + 17, 2, &sec))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	p = s + 19;
	if (*p == '.') {
		int n = 0, scale = 100;

		for (p++; isdigit((unsigned char)*p); p++, n++) {
			millis += (*p - '0') * scale;
			scale /= 10;
		}
		if (n == 0)
			return -1;
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (digits(p + 1, 2, &oh))
			return -1;
		p += 3;
		if (*p == ':')
			p++;
		if (digits(p, 2, &om))
			return -1;
		p += 2;
		if (oh > 23 || om > 59)
			return -1;
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
	int64_t days = base_days_from_civil(y, (unsigned)mo, (unsigned)d);
	int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec -
		       sign * (oh * 3600 + om * 60);
	*out_ms = secs * 1000 + millis;
	return 0;
}

void base_sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
			      .tv_nsec = (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}
