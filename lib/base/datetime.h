/* datetime.h - wall-clock milliseconds and ISO-8601 / Salesforce date text. */
#ifndef BASE_DATETIME_H
#define BASE_DATETIME_H

#include <stddef.h>
#include <stdint.h>

/* Milliseconds since the Unix epoch, from CLOCK_REALTIME. */
int64_t base_time_now_ms(void);
/* Sleeps ms milliseconds (resumed after signals). */
void base_sleep_ms(long ms);
/* Milliseconds from CLOCK_MONOTONIC, for measuring intervals. */
int64_t base_time_mono_ms(void);
/* "2026-11-29T19:04:47.123Z" (UTC); out needs 25 bytes. */
void base_time_format_iso(int64_t ms, char *out, size_t n);
/* Salesforce's form "2026-11-29T19:04:47.000+0000"; out needs 29 bytes. */
void base_time_format_sf(int64_t ms, char *out, size_t n);
/*
 * Parses "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|+HHMM|-HH:MM)" into epoch ms.
 * Returns 0, or -1 when the text is not such a timestamp.
 */
int base_time_parse_iso(const char *s, int64_t *out_ms);
/* Civil date of epoch seconds in UTC: days since 1970-01-01 <-> y/m/d. */
int64_t base_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
