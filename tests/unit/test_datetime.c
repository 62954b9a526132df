/* test_datetime.c - ISO-8601 parsing, ISO / Salesforce formatting, civil days.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/datetime.h"
#include "base/banned.h"

/* 2026-11-29T19:04:47Z, from `date -u -d 2026-11-29T19:04:47Z +%s`. */
#define T_2026_11_29_190447 INT64_C(1795979087000)

static void check_parses(const char *s, int64_t want)
{
	int64_t ms = -12345;

	assert_int_equal(base_time_parse_iso(s, &ms), 0);
	assert_int_equal(ms, want);
}

static void check_rejects(const char *s)
{
	int64_t ms = -12345;

	if (base_time_parse_iso(s, &ms) != -1)
		fail_msg("'%s' was accepted as %lld ms", s, (long long)ms);
	assert_int_equal(ms, -12345); /* untouched */
}

static void test_datetime__parse_utc_z(void **state)
{
	(void)state;
	check_parses("2026-11-29T19:04:47Z", T_2026_11_29_190447);
}

static void test_datetime__parse_epoch(void **state)
{
	(void)state;
	check_parses("1970-01-01T00:00:00Z", 0);
	check_parses("1970-01-01T00:00:00.000+00:00", 0);
}

static void test_datetime__parse_positive_offset_with_colon(void **state)
{
	(void)state;
	/* 19:04:47Z is 21:04:47 two hours east. */
	check_parses("2026-11-29T21:04:47+02:00", T_2026_11_29_190447);
}

static void test_datetime__parse_positive_offset_without_colon(void **state)
{
	(void)state;
	/* India, +05:30, crosses midnight into the next day. */
	check_parses("2026-11-30T00:34:47+0530", T_2026_11_29_190447);
}

static void test_datetime__parse_negative_offset(void **state)
{
	(void)state;
	/* Pacific Standard Time. */
	check_parses("2026-11-29T11:04:47-08:00", T_2026_11_29_190447);
	check_parses("2026-11-29T11:04:47-0800", T_2026_11_29_190447);
}

static void test_datetime__parse_fractional_milliseconds(void **state)
{
	(void)state;
	check_parses("2026-11-29T19:04:47.123Z", T_2026_11_29_190447 + 123);
}

static void test_datetime__parse_short_fraction_is_scaled(void **state)
{
	(void)state;
	check_parses("2026-11-29T19:04:47.5Z", T_2026_11_29_190447 + 500);
	check_parses("2026-11-29T19:04:47.05Z", T_2026_11_29_190447 + 50);
}

static void test_datetime__parse_long_fraction_is_truncated(void **state)
{
	(void)state;
	check_parses("2026-11-29T19:04:47.123999Z", T_2026_11_29_190447 + 123);
}

static void test_datetime__parse_fraction_with_offset(void **state)
{
	(void)state;
	check_parses("2026-11-29T11:04:47.250-08:00",
		     T_2026_11_29_190447 + 250);
}

static void test_datetime__parse_before_epoch(void **state)
{
	(void)state;
	check_parses("1969-12-31T23:59:59.999Z", -1);
}

static void test_datetime__parse_leap_day(void **state)
{
	(void)state;
	/* 19782 days after the epoch. */
	check_parses("2024-02-29T00:00:00Z", INT64_C(19782) * 86400 * 1000);
}

static void test_datetime__parse_rejects_missing_zone(void **state)
{
	(void)state;
	check_rejects("2026-11-29T19:04:47");
	check_rejects("2026-11-29T19:04:47.123");
}

static void test_datetime__parse_rejects_month_13(void **state)
{
	(void)state;
	check_rejects("2026-13-01T00:00:00Z");
}

static void test_datetime__parse_rejects_month_and_day_zero(void **state)
{
	(void)state;
	check_rejects("2026-00-10T00:00:00Z");
	check_rejects("2026-01-00T00:00:00Z");
}

/* A day the month does not have is not a timestamp; it must not roll over
 * silently ("02-31" would otherwise become March 3). */
static void test_datetime__parse_rejects_day_past_month_end(void **state)
{
	(void)state;
	check_rejects("2026-02-29T00:00:00Z"); /* 2026 is not a leap year */
	check_rejects("2024-02-30T00:00:00Z");
	check_rejects("2026-04-31T00:00:00Z");
}

static void test_datetime__parse_rejects_hour_24_and_minute_60(void **state)
{
	(void)state;
	check_rejects("2026-01-01T24:00:00Z");
	check_rejects("2026-01-01T23:60:00Z");
}

static void test_datetime__parse_rejects_trailing_text(void **state)
{
	(void)state;
	check_rejects("2026-11-29T19:04:47Zjunk");
	check_rejects("2026-11-29T19:04:47+02:00 ");
}

static void test_datetime__parse_rejects_empty(void **state)
{
	(void)state;
	check_rejects("");
}

static void test_datetime__parse_rejects_date_only(void **state)
{
	(void)state;
	check_rejects("2026-11-29");
}

static void test_datetime__parse_rejects_dot_without_digits(void **state)
{
	(void)state;
	check_rejects("2026-11-29T19:04:47.Z");
}

static void test_datetime__parse_rejects_offset_without_minutes(void **state)
{
	(void)state;
	check_rejects("2026-11-29T19:04:47+02");
	check_rejects("2026-11-29T19:04:47+02:");
}

static void test_datetime__parse_rejects_offset_out_of_range(void **state)
{
	(void)state;
	check_rejects("2026-11-29T19:04:47+24:00");
	check_rejects("2026-11-29T19:04:47+02:60");
}

static void test_datetime__parse_rejects_non_digits(void **state)
{
	(void)state;
	check_rejects("2026-1x-29T19:04:47Z");
	check_rejects("20a6-11-29T19:04:47Z");
	check_rejects("2026/11/29T19:04:47Z");
}

static void test_datetime__format_iso_epoch(void **state)
{
	char out[25];

	(void)state;
	base_time_format_iso(0, out, sizeof(out));
	assert_string_equal(out, "1970-01-01T00:00:00.000Z");
}

static void test_datetime__format_iso_known_instant(void **state)
{
	char out[25];

	(void)state;
	/* `date -u -d @1795979914.636`: 2026-11-29 19:18:34.636 UTC. */
	base_time_format_iso(INT64_C(1795979914636), out, sizeof(out));
	assert_string_equal(out, "2026-11-29T19:18:34.636Z");
}

static void test_datetime__format_iso_before_epoch(void **state)
{
	char out[25];

	(void)state;
	base_time_format_iso(-1, out, sizeof(out));
	assert_string_equal(out, "1969-12-31T23:59:59.999Z");
}

static void test_datetime__format_sf_epoch(void **state)
{
	char out[29];

	(void)state;
	base_time_format_sf(0, out, sizeof(out));
	assert_string_equal(out, "1970-01-01T00:00:00.000+0000");
}

static void test_datetime__format_sf_known_instant(void **state)
{
	char out[29];

	(void)state;
	base_time_format_sf(INT64_C(1795979914636), out, sizeof(out));
	assert_string_equal(out, "2026-11-29T19:18:34.636+0000");
}

static void test_datetime__format_iso_round_trips_through_parse(void **state)
{
	static const int64_t instants[] = {
		0,
		1,
		999,
		INT64_C(1795979914636),
		INT64_C(951782400000), /* 2000-02-29 */
		INT64_C(-86400001)};
	char out[25];
	int64_t ms;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(instants) / sizeof(instants[0]); i++) {
		base_time_format_iso(instants[i], out, sizeof(out));
		assert_int_equal(base_time_parse_iso(out, &ms), 0);
		assert_int_equal(ms, instants[i]);
	}
}

static void test_datetime__format_sf_is_parsed_back(void **state)
{
	char out[29];
	int64_t ms;

	(void)state;
	base_time_format_sf(INT64_C(1795979914636), out, sizeof(out));
	assert_int_equal(base_time_parse_iso(out, &ms), 0);
	assert_int_equal(ms, INT64_C(1795979914636));
}

static void test_datetime__days_from_civil_epoch(void **state)
{
	(void)state;
	assert_int_equal(base_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(base_days_from_civil(1969, 12, 31), -1);
}

static void test_datetime__days_from_civil_known_dates(void **state)
{
	(void)state;
	/* Counted with Python's date.toordinal() differences. */
	assert_int_equal(base_days_from_civil(2000, 1, 1), 10957);
	assert_int_equal(base_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(base_days_from_civil(2024, 2, 29), 19782);
	assert_int_equal(base_days_from_civil(2026, 11, 29), 20786);
}

static void test_datetime__days_from_civil_century_rules(void **state)
{
	(void)state;
	/* 1900 is not a leap year, 2000 and 1600 are. */
	assert_int_equal(base_days_from_civil(1900, 3, 1), -25508);
	assert_int_equal(base_days_from_civil(1900, 3, 1) -
				 base_days_from_civil(1900, 2, 28),
			 1);
	assert_int_equal(base_days_from_civil(2000, 3, 1) -
				 base_days_from_civil(2000, 2, 28),
			 2);
	assert_int_equal(base_days_from_civil(1600, 2, 29), -135081);
}

static void test_datetime__now_is_after_2024(void **state)
{
	(void)state;
	/* 2024-01-01T00:00:00Z; a clock before it is misconfigured. */
	assert_true(base_time_now_ms() > INT64_C(1704067200000));
}

static void test_datetime__mono_does_not_go_back(void **state)
{
	int64_t a = base_time_mono_ms();
	int64_t b = base_time_mono_ms();

	(void)state;
	assert_true(b >= a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_datetime__parse_utc_z),
		cmocka_unit_test(test_datetime__parse_epoch),
		cmocka_unit_test(
			test_datetime__parse_positive_offset_with_colon),
		cmocka_unit_test(
			test_datetime__parse_positive_offset_without_colon),
		cmocka_unit_test(test_datetime__parse_negative_offset),
		cmocka_unit_test(test_datetime__parse_fractional_milliseconds),
		cmocka_unit_test(test_datetime__parse_short_fraction_is_scaled),
		cmocka_unit_test(
			test_datetime__parse_long_fraction_is_truncated),
		cmocka_unit_test(test_datetime__parse_fraction_with_offset),
		cmocka_unit_test(test_datetime__parse_before_epoch),
		cmocka_unit_test(test_datetime__parse_leap_day),
		cmocka_unit_test(test_datetime__parse_rejects_missing_zone),
		cmocka_unit_test(test_datetime__parse_rejects_month_13),
		cmocka_unit_test(
			test_datetime__parse_rejects_month_and_day_zero),
		cmocka_unit_test(
			test_datetime__parse_rejects_day_past_month_end),
		cmocka_unit_test(
			test_datetime__parse_rejects_hour_24_and_minute_60),
		cmocka_unit_test(test_datetime__parse_rejects_trailing_text),
		cmocka_unit_test(test_datetime__parse_rejects_empty),
		cmocka_unit_test(test_datetime__parse_rejects_date_only),
		cmocka_unit_test(
			test_datetime__parse_rejects_dot_without_digits),
		cmocka_unit_test(
			test_datetime__parse_rejects_offset_without_minutes),
		cmocka_unit_test(
			test_datetime__parse_rejects_offset_out_of_range),
		cmocka_unit_test(test_datetime__parse_rejects_non_digits),
		cmocka_unit_test(test_datetime__format_iso_epoch),
		cmocka_unit_test(test_datetime__format_iso_known_instant),
		cmocka_unit_test(test_datetime__format_iso_before_epoch),
		cmocka_unit_test(test_datetime__format_sf_epoch),
		cmocka_unit_test(test_datetime__format_sf_known_instant),
		cmocka_unit_test(
			test_datetime__format_iso_round_trips_through_parse),
		cmocka_unit_test(test_datetime__format_sf_is_parsed_back),
		cmocka_unit_test(test_datetime__days_from_civil_epoch),
		cmocka_unit_test(test_datetime__days_from_civil_known_dates),
		cmocka_unit_test(test_datetime__days_from_civil_century_rules),
		cmocka_unit_test(test_datetime__now_is_after_2024),
		cmocka_unit_test(test_datetime__mono_does_not_go_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
