/* test_text.c - one-line messages and reading protocol text line by line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/text.h"
#include "base/banned.h"

static void format_line(char *line, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	base_text_vformat_line(line, size, fmt, ap);
	va_end(ap);
}

static void test_text__format_line_makes_cr_lf_spaces(void **state)
{
	char line[64];

	(void)state;
	format_line(line, sizeof(line), "user '%s'", "a\r\nX-Forged: 1\tb");
	assert_string_equal(line, "user 'a  X-Forged: 1\tb'");
}

static void test_text__format_line_cuts_to_the_buffer(void **state)
{
	char line[8];

	(void)state;
	format_line(line, sizeof(line), "%s", "0123456789\n");
	assert_string_equal(line, "0123456");
}

static void test_text__next_line_splits_lf_and_crlf(void **state)
{
	static const char s[] = "GET / HTTP/1.1\r\nHost: x\n\r\nlast";
	size_t n = sizeof(s) - 1, at = 0, len;

	(void)state;
	len = base_text_next_line(s, n, &at);
	assert_int_equal(len, strlen("GET / HTTP/1.1"));
	assert_int_equal(at, strlen("GET / HTTP/1.1\r\n"));
	len = base_text_next_line(s, n, &at);
	assert_int_equal(len, strlen("Host: x"));
	assert_memory_equal(s + at - len - 1, "Host: x", len);
	len = base_text_next_line(s, n, &at);
	assert_int_equal(len, 0); /* the empty "\r\n" line */
	len = base_text_next_line(s, n, &at);
	assert_int_equal(len, strlen("last"));
	assert_int_equal(at, n); /* no line end: at stops at n */
}

static void test_text__next_line_lone_cr_is_text(void **state)
{
	static const char s[] = "a\rb\n";
	size_t at = 0;

	(void)state;
	assert_int_equal(base_text_next_line(s, sizeof(s) - 1, &at), 3);
	assert_int_equal(at, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text__format_line_makes_cr_lf_spaces),
		cmocka_unit_test(test_text__format_line_cuts_to_the_buffer),
		cmocka_unit_test(test_text__next_line_splits_lf_and_crlf),
		cmocka_unit_test(test_text__next_line_lone_cr_is_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
