/* test_ipv4.c - strict dotted-quad parsing and inclusive ranges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/ipv4.h"
#include "base/banned.h"

static void check_rejects(const char *s)
{
	uint32_t v = 0xdeadbeef;

	assert_false(base_ipv4_parse(s, &v));
	assert_int_equal(v, 0xdeadbeef); /* untouched */
}

static void test_ipv4__parse_gives_host_order(void **state)
{
	uint32_t v = 0;

	(void)state;
	assert_true(base_ipv4_parse("192.168.1.10", &v));
	assert_int_equal(v, 0xC0A8010Au);
}

static void test_ipv4__parse_accepts_extremes(void **state)
{
	uint32_t v = 1;

	(void)state;
	assert_true(base_ipv4_parse("0.0.0.0", &v));
	assert_int_equal(v, 0);
	assert_true(base_ipv4_parse("255.255.255.255", &v));
	assert_int_equal(v, 0xFFFFFFFFu);
}

static void test_ipv4__parse_rejects_three_octets(void **state)
{
	(void)state;
	check_rejects("1.2.3");
}

static void test_ipv4__parse_rejects_five_octets(void **state)
{
	(void)state;
	check_rejects("1.2.3.4.5");
}

static void test_ipv4__parse_rejects_octet_over_255(void **state)
{
	(void)state;
	check_rejects("1.2.3.256");
}

static void test_ipv4__parse_rejects_surrounding_space(void **state)
{
	(void)state;
	check_rejects(" 1.2.3.4");
	check_rejects("1.2.3.4 ");
	check_rejects("1.2.3.4\n");
}

static void test_ipv4__parse_rejects_leading_zero(void **state)
{
	(void)state;
	/* glibc's inet_pton refuses "01": no octal surprises as with inet_aton.
	 */
	check_rejects("01.2.3.4");
	check_rejects("1.2.3.04");
}

static void test_ipv4__parse_rejects_sign_and_hex(void **state)
{
	(void)state;
	check_rejects("+1.2.3.4");
	check_rejects("0x1.2.3.4");
}

static void test_ipv4__parse_rejects_empty_and_null(void **state)
{
	(void)state;
	check_rejects("");
	check_rejects(NULL);
}

static void test_ipv4__parse_rejects_ipv6(void **state)
{
	(void)state;
	check_rejects("::1");
	check_rejects("::ffff:1.2.3.4");
}

static void test_ipv4__in_range_includes_both_bounds(void **state)
{
	(void)state;
	assert_true(
		base_ipv4_in_range("10.0.0.0", "10.0.0.0", "10.255.255.255"));
	assert_true(base_ipv4_in_range("10.255.255.255", "10.0.0.0",
				       "10.255.255.255"));
	assert_true(
		base_ipv4_in_range("10.1.2.3", "10.0.0.0", "10.255.255.255"));
}

static void test_ipv4__in_range_excludes_neighbours(void **state)
{
	(void)state;
	assert_false(base_ipv4_in_range("9.255.255.255", "10.0.0.0",
					"10.255.255.255"));
	assert_false(
		base_ipv4_in_range("11.0.0.0", "10.0.0.0", "10.255.255.255"));
}

static void test_ipv4__in_range_compares_numerically(void **state)
{
	(void)state;
	/* As text "10.0.0.9" > "10.0.0.10"; as numbers it is less. */
	assert_true(base_ipv4_in_range("10.0.0.9", "10.0.0.2", "10.0.0.10"));
	assert_false(base_ipv4_in_range("10.0.0.11", "10.0.0.2", "10.0.0.10"));
}

static void test_ipv4__in_range_of_single_address(void **state)
{
	(void)state;
	assert_true(base_ipv4_in_range("203.0.113.5", "203.0.113.5",
				       "203.0.113.5"));
	assert_false(base_ipv4_in_range("203.0.113.6", "203.0.113.5",
					"203.0.113.5"));
}

static void test_ipv4__in_range_inverted_matches_nothing(void **state)
{
	(void)state;
	assert_false(base_ipv4_in_range("10.0.0.5", "10.0.0.9", "10.0.0.1"));
}

static void test_ipv4__in_range_false_when_any_fails_to_parse(void **state)
{
	(void)state;
	assert_false(base_ipv4_in_range("10.0.0", "10.0.0.0", "10.0.0.255"));
	assert_false(base_ipv4_in_range("10.0.0.1", "bad", "10.0.0.255"));
	assert_false(base_ipv4_in_range("10.0.0.1", "10.0.0.0", NULL));
	assert_false(base_ipv4_in_range("::1", "0.0.0.0", "255.255.255.255"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4__parse_gives_host_order),
		cmocka_unit_test(test_ipv4__parse_accepts_extremes),
		cmocka_unit_test(test_ipv4__parse_rejects_three_octets),
		cmocka_unit_test(test_ipv4__parse_rejects_five_octets),
		cmocka_unit_test(test_ipv4__parse_rejects_octet_over_255),
		cmocka_unit_test(test_ipv4__parse_rejects_surrounding_space),
		cmocka_unit_test(test_ipv4__parse_rejects_leading_zero),
		cmocka_unit_test(test_ipv4__parse_rejects_sign_and_hex),
		cmocka_unit_test(test_ipv4__parse_rejects_empty_and_null),
		cmocka_unit_test(test_ipv4__parse_rejects_ipv6),
		cmocka_unit_test(test_ipv4__in_range_includes_both_bounds),
		cmocka_unit_test(test_ipv4__in_range_excludes_neighbours),
		cmocka_unit_test(test_ipv4__in_range_compares_numerically),
		cmocka_unit_test(test_ipv4__in_range_of_single_address),
		cmocka_unit_test(test_ipv4__in_range_inverted_matches_nothing),
		cmocka_unit_test(
			test_ipv4__in_range_false_when_any_fails_to_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
