/* test_buf.c - growable buffer: limit, sticky error, escaping, ownership. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/banned.h"

static void test_buf__str_of_empty_buffer_is_empty_string(void **state)
{
	struct base_buf b = BASE_BUF_INIT(16);

	(void)state;
	assert_null(b.data);
	assert_string_equal(base_buf_str(&b), "");
	assert_int_equal(base_buf_err(&b), 0);
	base_buf_release(&b);
}

static void test_buf__append_fills_up_to_the_limit(void **state)
{
	struct base_buf b = BASE_BUF_INIT(8);

	(void)state;
	assert_int_equal(base_buf_puts(&b, "12345678"), 0);
	assert_string_equal(base_buf_str(&b), "12345678");
	assert_int_equal(b.len, 8);
	assert_int_equal(base_buf_err(&b), 0);
	base_buf_release(&b);
}

static void test_buf__append_past_limit_is_etoobig(void **state)
{
	struct base_buf b = BASE_BUF_INIT(8);

	(void)state;
	assert_int_equal(base_buf_puts(&b, "1234567"), 0);
	assert_int_equal(base_buf_puts(&b, "89"), BASE_ETOOBIG);
	assert_int_equal(base_buf_err(&b), BASE_ETOOBIG);
	/* The failed append wrote nothing. */
	assert_string_equal(base_buf_str(&b), "1234567");
	assert_int_equal(b.len, 7);
	base_buf_release(&b);
}

static void test_buf__zero_limit_refuses_one_byte(void **state)
{
	struct base_buf b = BASE_BUF_INIT(0);

	(void)state;
	assert_int_equal(base_buf_putc(&b, 'x'), BASE_ETOOBIG);
	assert_string_equal(base_buf_str(&b), "");
	base_buf_release(&b);
}

static void test_buf__error_is_sticky(void **state)
{
	struct base_buf b = BASE_BUF_INIT(4);

	(void)state;
	assert_int_equal(base_buf_puts(&b, "toolong"), BASE_ETOOBIG);
	/* Appends that would fit now do nothing and report the first error. */
	assert_int_equal(base_buf_putc(&b, 'a'), BASE_ETOOBIG);
	assert_int_equal(base_buf_append(&b, "", 0), BASE_ETOOBIG);
	assert_int_equal(base_buf_printf(&b, "%d", 1), BASE_ETOOBIG);
	assert_int_equal(base_buf_put_xml(&b, "a"), BASE_ETOOBIG);
	assert_int_equal(b.len, 0);
	assert_string_equal(base_buf_str(&b), "");
	assert_int_equal(base_buf_err(&b), BASE_ETOOBIG);
	base_buf_release(&b);
}

static void test_buf__reset_keeps_the_error(void **state)
{
	struct base_buf b = BASE_BUF_INIT(4);

	(void)state;
	(void)base_buf_puts(&b, "ab");
	assert_int_equal(base_buf_puts(&b, "cdef"), BASE_ETOOBIG);
	base_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(base_buf_str(&b), "");
	assert_int_equal(base_buf_err(&b), BASE_ETOOBIG);
	assert_int_equal(base_buf_putc(&b, 'x'), BASE_ETOOBIG);
	base_buf_release(&b);
}

static void test_buf__release_clears_the_error(void **state)
{
	struct base_buf b = BASE_BUF_INIT(4);

	(void)state;
	assert_int_equal(base_buf_puts(&b, "toolong"), BASE_ETOOBIG);
	base_buf_release(&b);
	assert_int_equal(base_buf_err(&b), 0);
	assert_int_equal(base_buf_puts(&b, "ok"), 0);
	assert_string_equal(base_buf_str(&b), "ok");
	base_buf_release(&b);
}

static void test_buf__never_allocates_past_limit(void **state)
{
	struct base_buf b = BASE_BUF_INIT(100);
	char in[100];

	(void)state;
	memset(in, 'x', sizeof(in));
	assert_int_equal(base_buf_append(&b, in, sizeof(in)), 0);
	assert_int_equal(b.len, 100);
	/* The growth doubling stops at max + 1 (the NUL). */
	assert_int_equal(b.cap, 101);
	base_buf_release(&b);
}

static void test_buf__append_keeps_embedded_nul(void **state)
{
	struct base_buf b = BASE_BUF_INIT(16);

	(void)state;
	assert_int_equal(base_buf_append(&b, "a\0b", 3), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 4); /* and NUL-terminated */
	base_buf_release(&b);
}

static void test_buf__printf_appends_formatted_text(void **state)
{
	struct base_buf b = BASE_BUF_INIT(64);

	(void)state;
	(void)base_buf_puts(&b, "GET ");
	assert_int_equal(base_buf_printf(&b, "/v%d.%d/%s", 60, 0, "sobjects"),
			 0);
	assert_string_equal(base_buf_str(&b), "GET /v60.0/sobjects");
	assert_int_equal(b.len, strlen("GET /v60.0/sobjects"));
	base_buf_release(&b);
}

static void test_buf__printf_grows_past_initial_capacity(void **state)
{
	struct base_buf b = BASE_BUF_INIT(4096);
	char word[301];
	char want[1000];
	size_t i;

	(void)state;
	for (i = 0; i < 300; i++)
		word[i] = (char)('a' + i % 26);
	word[300] = '\0';
	(void)base_buf_puts(&b, "x");
	assert_int_equal(base_buf_printf(&b, "[%s]%d", word, 42), 0);
	snprintf(want, sizeof(want), "x[%s]42", word);
	assert_int_equal(b.len, 1 + 1 + 300 + 1 + 2);
	assert_string_equal(base_buf_str(&b), want);
	assert_true(b.cap >= b.len + 1);
	base_buf_release(&b);
}

static void test_buf__printf_past_limit_is_etoobig(void **state)
{
	struct base_buf b = BASE_BUF_INIT(10);

	(void)state;
	(void)base_buf_puts(&b, "abc");
	assert_int_equal(base_buf_printf(&b, "%s", "12345678"), BASE_ETOOBIG);
	assert_int_equal(base_buf_err(&b), BASE_ETOOBIG);
	assert_string_equal(base_buf_str(&b), "abc");
	base_buf_release(&b);
}

static void test_buf__printf_to_exact_limit_fits(void **state)
{
	struct base_buf b = BASE_BUF_INIT(10);

	(void)state;
	assert_int_equal(base_buf_printf(&b, "%05d%s", 42, "abcde"), 0);
	assert_string_equal(base_buf_str(&b), "00042abcde");
	base_buf_release(&b);
}

static void test_buf__put_xml_escapes_five_characters(void **state)
{
	struct base_buf b = BASE_BUF_INIT(256);

	(void)state;
	assert_int_equal(base_buf_put_xml(&b, "a&b<c>d\"e'f"), 0);
	assert_string_equal(base_buf_str(&b), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
	base_buf_release(&b);
}

static void test_buf__put_xml_escapes_at_both_ends(void **state)
{
	struct base_buf b = BASE_BUF_INIT(256);

	(void)state;
	assert_int_equal(base_buf_put_xml(&b, "<&&>"), 0);
	assert_string_equal(base_buf_str(&b), "&lt;&amp;&amp;&gt;");
	base_buf_release(&b);
}

static void test_buf__put_xml_does_not_double_escape(void **state)
{
	struct base_buf b = BASE_BUF_INIT(256);

	(void)state;
	assert_int_equal(base_buf_put_xml(&b, "&amp;"), 0);
	assert_string_equal(base_buf_str(&b), "&amp;amp;");
	base_buf_release(&b);
}

static void test_buf__put_xml_passes_plain_text_and_utf8(void **state)
{
	struct base_buf b = BASE_BUF_INIT(256);

	(void)state;
	(void)base_buf_puts(&b, "<n>");
	assert_int_equal(base_buf_put_xml(&b, "Zo\xc3\xab 42"), 0);
	assert_int_equal(base_buf_put_xml(&b, ""), 0);
	assert_string_equal(base_buf_str(&b), "<n>Zo\xc3\xab 42");
	base_buf_release(&b);
}

static void test_buf__put_xml_past_limit_is_etoobig(void **state)
{
	struct base_buf b = BASE_BUF_INIT(6);

	(void)state;
	/* "a&amp;" fits exactly; the '<' escape does not. */
	assert_int_equal(base_buf_put_xml(&b, "a&<"), BASE_ETOOBIG);
	assert_int_equal(base_buf_err(&b), BASE_ETOOBIG);
	assert_string_equal(base_buf_str(&b), "a&amp;");
	base_buf_release(&b);
}

static void test_buf__detach_hands_over_the_memory(void **state)
{
	struct base_buf b = BASE_BUF_INIT(64);
	const char *before;
	size_t len = 99;
	char *p;

	(void)state;
	(void)base_buf_puts(&b, "owned");
	before = b.data;
	p = base_buf_detach(&b, &len);
	assert_ptr_equal(p, before);
	assert_string_equal(p, "owned");
	assert_int_equal(len, 5);
	/* The buffer no longer refers to it. */
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_string_equal(base_buf_str(&b), "");
	base_buf_release(&b); /* must not free p */
	free(p);
}

static void test_buf__detach_of_empty_buffer_is_empty_string(void **state)
{
	struct base_buf b = BASE_BUF_INIT(64);
	size_t len = 99;
	char *p;

	(void)state;
	p = base_buf_detach(&b, &len);
	assert_non_null(p);
	assert_string_equal(p, "");
	assert_int_equal(len, 0);
	free(p);
}

static void test_buf__detach_accepts_null_len(void **state)
{
	struct base_buf b = BASE_BUF_INIT(64);
	char *p;

	(void)state;
	(void)base_buf_puts(&b, "x");
	p = base_buf_detach(&b, NULL);
	assert_string_equal(p, "x");
	free(p);
}

static void test_buf__buffer_is_reusable_after_detach(void **state)
{
	struct base_buf b = BASE_BUF_INIT(64);
	char *p;

	(void)state;
	(void)base_buf_puts(&b, "first");
	p = base_buf_detach(&b, NULL);
	assert_int_equal(base_buf_puts(&b, "second"), 0);
	assert_string_equal(base_buf_str(&b), "second");
	assert_string_equal(p, "first");
	free(p);
	base_buf_release(&b);
}

static void test_buf__reset_empties_and_keeps_memory(void **state)
{
	struct base_buf b = BASE_BUF_INIT(64);
	size_t cap;

	(void)state;
	(void)base_buf_puts(&b, "hello");
	cap = b.cap;
	base_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(base_buf_str(&b), "");
	assert_non_null(b.data);
	assert_int_equal(b.cap, cap);
	assert_int_equal(base_buf_puts(&b, "again"), 0);
	assert_string_equal(base_buf_str(&b), "again");
	base_buf_release(&b);
}

static void test_buf__release_leaves_buffer_empty(void **state)
{
	struct base_buf b = BASE_BUF_INIT(64);

	(void)state;
	(void)base_buf_puts(&b, "x");
	base_buf_release(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	base_buf_release(&b); /* twice is harmless */
	assert_null(b.data);
}

static void test_buf__secret_release_leaves_data_null(void **state)
{
	struct base_buf b = BASE_BUF_SECRET_INIT(64);

	(void)state;
	assert_int_equal(b.secret, 1);
	assert_int_equal(base_buf_puts(&b, "hunter2AbCdEf"), 0);
	base_buf_release(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_string_equal(base_buf_str(&b), "");
}

static void test_buf__secret_reset_empties(void **state)
{
	struct base_buf b = BASE_BUF_SECRET_INIT(64);

	(void)state;
	(void)base_buf_puts(&b, "hunter2");
	base_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(base_buf_str(&b), "");
	assert_int_equal(base_buf_puts(&b, "pw"), 0);
	assert_string_equal(base_buf_str(&b), "pw");
	base_buf_release(&b);
}

static void test_buf__secret_reset_wipes_the_old_bytes(void **state)
{
	struct base_buf b = BASE_BUF_SECRET_INIT(64);

	(void)state;
	(void)base_buf_puts(&b, "SSSSSSSS");
	base_buf_reset(&b);
	/* The buffer still owns the block; no byte of the secret is left. */
	assert_non_null(b.data);
	assert_null(memchr(b.data, 'S', b.cap));
	base_buf_release(&b);
}

static void test_buf__secret_growth_keeps_content(void **state)
{
	struct base_buf b = BASE_BUF_SECRET_INIT(4096);
	char want[1001];
	size_t i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		want[i] = (char)('A' + i % 26);
		assert_int_equal(base_buf_putc(&b, want[i]), 0);
	}
	want[1000] = '\0';
	assert_int_equal(b.len, 1000);
	assert_string_equal(base_buf_str(&b), want);
	base_buf_release(&b);
}

static void test_buf__secret_respects_limit(void **state)
{
	struct base_buf b = BASE_BUF_SECRET_INIT(4);

	(void)state;
	assert_int_equal(base_buf_puts(&b, "12345"), BASE_ETOOBIG);
	assert_int_equal(base_buf_err(&b), BASE_ETOOBIG);
	base_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf__str_of_empty_buffer_is_empty_string),
		cmocka_unit_test(test_buf__append_fills_up_to_the_limit),
		cmocka_unit_test(test_buf__append_past_limit_is_etoobig),
		cmocka_unit_test(test_buf__zero_limit_refuses_one_byte),
		cmocka_unit_test(test_buf__error_is_sticky),
		cmocka_unit_test(test_buf__reset_keeps_the_error),
		cmocka_unit_test(test_buf__release_clears_the_error),
		cmocka_unit_test(test_buf__never_allocates_past_limit),
		cmocka_unit_test(test_buf__append_keeps_embedded_nul),
		cmocka_unit_test(test_buf__printf_appends_formatted_text),
		cmocka_unit_test(test_buf__printf_grows_past_initial_capacity),
		cmocka_unit_test(test_buf__printf_past_limit_is_etoobig),
		cmocka_unit_test(test_buf__printf_to_exact_limit_fits),
		cmocka_unit_test(test_buf__put_xml_escapes_five_characters),
		cmocka_unit_test(test_buf__put_xml_escapes_at_both_ends),
		cmocka_unit_test(test_buf__put_xml_does_not_double_escape),
		cmocka_unit_test(test_buf__put_xml_passes_plain_text_and_utf8),
		cmocka_unit_test(test_buf__put_xml_past_limit_is_etoobig),
		cmocka_unit_test(test_buf__detach_hands_over_the_memory),
		cmocka_unit_test(
			test_buf__detach_of_empty_buffer_is_empty_string),
		cmocka_unit_test(test_buf__detach_accepts_null_len),
		cmocka_unit_test(test_buf__buffer_is_reusable_after_detach),
		cmocka_unit_test(test_buf__reset_empties_and_keeps_memory),
		cmocka_unit_test(test_buf__release_leaves_buffer_empty),
		cmocka_unit_test(test_buf__secret_release_leaves_data_null),
		cmocka_unit_test(test_buf__secret_reset_empties),
		cmocka_unit_test(test_buf__secret_reset_wipes_the_old_bytes),
		cmocka_unit_test(test_buf__secret_growth_keeps_content),
		cmocka_unit_test(test_buf__secret_respects_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
