/* test_form.c - x-www-form-urlencoded parsing and percent-decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/form.h"
#include "base/banned.h"

/* Parses the NUL-terminated s, which must succeed. */
static void parse_ok(struct base_form *f, const char *s)
{
	struct base_err err = BASE_ERR_INIT;

	assert_int_equal(base_form_parse(f, s, strlen(s), &err), 0);
	assert_int_equal(err.code, BASE_OK);
}

/* Parses s, which must fail with code and msg and leave the form empty. */
static void check_refused(const char *s, int code, const char *msg)
{
	struct base_form f = BASE_FORM_INIT;
	struct base_err err = BASE_ERR_INIT;

	assert_int_equal(base_form_parse(&f, s, strlen(s), &err), code);
	assert_int_equal(err.code, code);
	assert_string_equal(err.msg, msg);
	assert_int_equal(f.n, 0);
	base_form_release(&f);
}

static void test_form__parses_pairs_in_order(void **state)
{
	struct base_form f = BASE_FORM_INIT;

	(void)state;
	parse_ok(&f, "grant_type=password&username=a%40example.com");
	assert_int_equal(f.n, 2);
	assert_string_equal(f.pairs[0].name, "grant_type");
	assert_string_equal(f.pairs[0].value, "password");
	assert_int_equal(f.pairs[0].value_len, 8);
	assert_string_equal(f.pairs[1].name, "username");
	assert_string_equal(f.pairs[1].value, "a@example.com");
	base_form_release(&f);
}

static void test_form__decodes_plus_as_space(void **state)
{
	struct base_form f = BASE_FORM_INIT;

	(void)state;
	parse_ok(&f, "first+name=John+Q+Smith");
	assert_string_equal(base_form_get(&f, "first name"), "John Q Smith");
	base_form_release(&f);
}

static void test_form__decodes_percent_escapes_of_either_case(void **state)
{
	struct base_form f = BASE_FORM_INIT;

	(void)state;
	parse_ok(&f, "pw=%21%3d%2B%2b%25");
	assert_string_equal(base_form_get(&f, "pw"), "!=++%");
	assert_int_equal(f.pairs[0].value_len, 5);
	base_form_release(&f);
}

static void test_form__escaped_separators_do_not_split(void **state)
{
	struct base_form f = BASE_FORM_INIT;

	(void)state;
	parse_ok(&f, "a=x%26b%3Dy");
	assert_int_equal(f.n, 1);
	assert_string_equal(base_form_get(&f, "a"), "x&b=y");
	base_form_release(&f);
}

static void test_form__value_keeps_later_equals_signs(void **state)
{
	struct base_form f = BASE_FORM_INIT;

	(void)state;
	parse_ok(&f, "sig=abc==&x=1");
	assert_string_equal(base_form_get(&f, "sig"), "abc==");
	base_form_release(&f);
}

static void test_form__name_without_equals_has_empty_value(void **state)
{
	struct base_form f = BASE_FORM_INIT;

	(void)state;
	parse_ok(&f, "flag&a=1");
	assert_int_equal(f.n, 2);
	assert_string_equal(f.pairs[0].name, "flag");
	assert_string_equal(base_form_get(&f, "flag"), "");
	assert_int_equal(f.pairs[0].value_len, 0);
	assert_string_equal(base_form_get(&f, "a"), "1");
	base_form_release(&f);
}

static void test_form__name_with_equals_and_nothing_after(void **state)
{
	struct base_form f = BASE_FORM_INIT;

	(void)state;
	parse_ok(&f, "a=");
	assert_int_equal(f.n, 1);
	assert_string_equal(base_form_get(&f, "a"), "");
	assert_int_equal(f.pairs[0].value_len, 0);
	base_form_release(&f);
}

static void test_form__empty_pairs_are_skipped(void **state)
{
	struct base_form f = BASE_FORM_INIT;

	(void)state;
	parse_ok(&f, "&&a=1&&&b=2&");
	assert_int_equal(f.n, 2);
	assert_string_equal(f.pairs[0].name, "a");
	assert_string_equal(f.pairs[1].name, "b");
	base_form_release(&f);
}

static void test_form__empty_input_has_no_pairs(void **state)
{
	struct base_form f = BASE_FORM_INIT;
	struct base_err err = BASE_ERR_INIT;

	(void)state;
	assert_int_equal(base_form_parse(&f, "", 0, &err), 0);
	assert_int_equal(f.n, 0);
	assert_null(base_form_get(&f, "a"));
	base_form_release(&f);
}

static void test_form__reads_only_n_bytes(void **state)
{
	struct base_form f = BASE_FORM_INIT;
	struct base_err err = BASE_ERR_INIT;

	(void)state;
	/* Stops inside "%zz": the bad escape is never seen. */
	assert_int_equal(base_form_parse(&f, "a=1&b=%zz", 3, &err), 0);
	assert_int_equal(f.n, 1);
	assert_string_equal(base_form_get(&f, "a"), "1");
	assert_null(base_form_get(&f, "b"));
	base_form_release(&f);
}

static void test_form__get_returns_first_of_repeated_name(void **state)
{
	struct base_form f = BASE_FORM_INIT;

	(void)state;
	parse_ok(&f, "a=1&b=2&a=3");
	assert_string_equal(base_form_get(&f, "a"), "1");
	base_form_release(&f);
}

static void test_form__get_is_case_sensitive(void **state)
{
	struct base_form f = BASE_FORM_INIT;

	(void)state;
	parse_ok(&f, "Username=x");
	assert_null(base_form_get(&f, "username"));
	assert_string_equal(base_form_get(&f, "Username"), "x");
	base_form_release(&f);
}

static void test_form__count_counts_repeats(void **state)
{
	struct base_form f = BASE_FORM_INIT;

	(void)state;
	parse_ok(&f, "a=1&b=2&a=3&a");
	assert_int_equal(base_form_count(&f, "a"), 3);
	assert_int_equal(base_form_count(&f, "b"), 1);
	assert_int_equal(base_form_count(&f, "c"), 0);
	base_form_release(&f);
}

static void test_form__percent_00_keeps_value_len(void **state)
{
	struct base_form f = BASE_FORM_INIT;

	(void)state;
	parse_ok(&f, "password=ab%00cd&x=1");
	assert_int_equal(f.pairs[0].value_len, 5);
	assert_memory_equal(f.pairs[0].value, "ab\0cd", 6);
	/* A C-string reader sees only "ab": callers must use value_len. */
	assert_string_equal(base_form_get(&f, "password"), "ab");
	base_form_release(&f);
}

static void test_form__refuses_non_hex_escape(void **state)
{
	(void)state;
	check_refused("%zz", BASE_EINVAL, "form field 1 has a bad %-escape");
}

static void test_form__refuses_truncated_escape_at_end(void **state)
{
	(void)state;
	check_refused("a=1&b=%4", BASE_EINVAL,
		      "form field 2 has a bad %-escape");
}

static void test_form__refuses_lone_percent_at_end(void **state)
{
	(void)state;
	check_refused("a=%", BASE_EINVAL, "form field 1 has a bad %-escape");
}

static void test_form__refuses_bad_escape_in_name(void **state)
{
	(void)state;
	check_refused("ok=1&%g1=x", BASE_EINVAL,
		      "form field 2 has a bad %-escape");
}

static void test_form__accepts_escape_ending_exactly_at_n(void **state)
{
	struct base_form f = BASE_FORM_INIT;

	(void)state;
	parse_ok(&f, "a=%41");
	assert_string_equal(base_form_get(&f, "a"), "A");
	base_form_release(&f);
}

/* "k=v&k=v&..." with n pairs; caller releases b. */
static void pairs_of(int n, struct base_buf *b)
{
	for (int i = 0; i < n; i++)
		(void)base_buf_printf(b, "%sk%d=v", i ? "&" : "", i);
	assert_int_equal(base_buf_err(b), 0);
}

static void test_form__accepts_max_pairs(void **state)
{
	struct base_buf s = BASE_BUF_INIT(4096);
	struct base_form f = BASE_FORM_INIT;

	(void)state;
	pairs_of(BASE_FORM_MAX_PAIRS, &s);
	parse_ok(&f, base_buf_str(&s));
	assert_int_equal(f.n, BASE_FORM_MAX_PAIRS);
	assert_string_equal(base_form_get(&f, "k63"), "v");
	base_form_release(&f);
	base_buf_release(&s);
}

static void test_form__refuses_more_than_max_pairs(void **state)
{
	struct base_buf s = BASE_BUF_INIT(4096);

	(void)state;
	pairs_of(BASE_FORM_MAX_PAIRS + 1, &s);
	check_refused(base_buf_str(&s), BASE_ETOOBIG,
		      "form has more than 64 fields");
	base_buf_release(&s);
}

static void test_form__empty_pairs_do_not_count_toward_limit(void **state)
{
	struct base_buf s = BASE_BUF_INIT(4096);
	struct base_form f = BASE_FORM_INIT;

	(void)state;
	(void)base_buf_puts(&s, "&&&&&&&&&&");
	pairs_of(BASE_FORM_MAX_PAIRS, &s);
	parse_ok(&f, base_buf_str(&s));
	assert_int_equal(f.n, BASE_FORM_MAX_PAIRS);
	base_form_release(&f);
	base_buf_release(&s);
}

static void test_form__parse_accepts_null_err(void **state)
{
	struct base_form f = BASE_FORM_INIT;

	(void)state;
	assert_int_equal(base_form_parse(&f, "%zz", 3, NULL), BASE_EINVAL);
	assert_int_equal(f.n, 0);
}

static void test_form__release_empties_the_form(void **state)
{
	struct base_form f = BASE_FORM_INIT;

	(void)state;
	parse_ok(&f, "a=1");
	base_form_release(&f);
	assert_int_equal(f.n, 0);
	assert_null(base_form_get(&f, "a"));
	base_form_release(&f); /* twice is harmless */
}

static void test_form__url_decode_keeps_plus_when_asked(void **state)
{
	size_t len = 99;
	char *s = base_url_decode("a+b%20c", 7, false, &len);

	(void)state;
	assert_non_null(s);
	assert_string_equal(s, "a+b c");
	assert_int_equal(len, 5);
	free(s);
}

static void test_form__url_decode_turns_plus_into_space(void **state)
{
	char *s = base_url_decode("a+b", 3, true, NULL);

	(void)state;
	assert_string_equal(s, "a b");
	free(s);
}

static void test_form__url_decode_refuses_truncated_escape(void **state)
{
	size_t len = 99;

	(void)state;
	assert_null(base_url_decode("ab%4", 4, true, &len));
	assert_null(base_url_decode("ab%", 3, true, &len));
	assert_null(base_url_decode("%x1", 3, true, &len));
	assert_int_equal(len, 99); /* untouched on failure */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form__parses_pairs_in_order),
		cmocka_unit_test(test_form__decodes_plus_as_space),
		cmocka_unit_test(
			test_form__decodes_percent_escapes_of_either_case),
		cmocka_unit_test(test_form__escaped_separators_do_not_split),
		cmocka_unit_test(test_form__value_keeps_later_equals_signs),
		cmocka_unit_test(
			test_form__name_without_equals_has_empty_value),
		cmocka_unit_test(test_form__name_with_equals_and_nothing_after),
		cmocka_unit_test(test_form__empty_pairs_are_skipped),
		cmocka_unit_test(test_form__empty_input_has_no_pairs),
		cmocka_unit_test(test_form__reads_only_n_bytes),
		cmocka_unit_test(test_form__get_returns_first_of_repeated_name),
		cmocka_unit_test(test_form__get_is_case_sensitive),
		cmocka_unit_test(test_form__count_counts_repeats),
		cmocka_unit_test(test_form__percent_00_keeps_value_len),
		cmocka_unit_test(test_form__refuses_non_hex_escape),
		cmocka_unit_test(test_form__refuses_truncated_escape_at_end),
		cmocka_unit_test(test_form__refuses_lone_percent_at_end),
		cmocka_unit_test(test_form__refuses_bad_escape_in_name),
		cmocka_unit_test(test_form__accepts_escape_ending_exactly_at_n),
		cmocka_unit_test(test_form__accepts_max_pairs),
		cmocka_unit_test(test_form__refuses_more_than_max_pairs),
		cmocka_unit_test(
			test_form__empty_pairs_do_not_count_toward_limit),
		cmocka_unit_test(test_form__parse_accepts_null_err),
		cmocka_unit_test(test_form__release_empties_the_form),
		cmocka_unit_test(test_form__url_decode_keeps_plus_when_asked),
		cmocka_unit_test(test_form__url_decode_turns_plus_into_space),
		cmocka_unit_test(
			test_form__url_decode_refuses_truncated_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
