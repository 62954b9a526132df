/* test_err.c - setting, wrapping and naming errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>

#include <cmocka.h>

#include "base/err.h"
#include "base/banned.h"

static void test_err__set_fills_code_and_message(void **state)
{
	struct base_err err = BASE_ERR_INIT;

	(void)state;
	assert_int_equal(
		base_err_set(&err, BASE_EINVAL, "claim '%s' missing", "sub"),
		BASE_EINVAL);
	assert_int_equal(err.code, BASE_EINVAL);
	assert_int_equal(err.sys_errno, 0);
	assert_string_equal(err.msg, "claim 'sub' missing");
}

static void test_err__set_replaces_earlier_error(void **state)
{
	struct base_err err = BASE_ERR_INIT;

	(void)state;
	(void)base_err_set(&err, BASE_EAUTH, "first");
	(void)base_err_set(&err, BASE_ENOTFOUND, "second");
	assert_int_equal(err.code, BASE_ENOTFOUND);
	assert_string_equal(err.msg, "second");
}

static void test_err__set_flattens_cr_lf_and_tab(void **state)
{
	struct base_err err = BASE_ERR_INIT;

	(void)state;
	(void)base_err_set(&err, BASE_EPROTO, "bad reply %s",
			   "line1\r\nline2\tend\n");
	assert_string_equal(err.msg, "bad reply line1  line2 end ");
	assert_null(strchr(err.msg, '\n'));
	assert_null(strchr(err.msg, '\r'));
}

static void test_err__set_truncates_to_255_bytes(void **state)
{
	struct base_err err = BASE_ERR_INIT;
	char big[400];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	(void)base_err_set(&err, BASE_ETOOBIG, "%s", big);
	assert_int_equal(strlen(err.msg), sizeof(err.msg) - 1);
	assert_int_equal(err.code, BASE_ETOOBIG);
}

static void test_err__set_accepts_null_err(void **state)
{
	(void)state;
	assert_int_equal(base_err_set(NULL, BASE_EAUTH, "x %d", 1), BASE_EAUTH);
}

static void test_err__set_errno_appends_strerror(void **state)
{
	struct base_err err = BASE_ERR_INIT;

	(void)state;
	errno = ENOENT;
	assert_int_equal(base_err_set_errno(&err, BASE_EINVAL, "org file '%s'",
					    "/nope.json"),
			 BASE_EINVAL);
	assert_int_equal(err.code, BASE_EINVAL);
	assert_int_equal(err.sys_errno, ENOENT);
	assert_string_equal(err.msg,
			    "org file '/nope.json': No such file or directory");
}

static void test_err__set_errno_accepts_null_err(void **state)
{
	(void)state;
	errno = EACCES;
	assert_int_equal(base_err_set_errno(NULL, BASE_ERR, "x"), BASE_ERR);
}

static void test_err__wrap_prefixes_context(void **state)
{
	struct base_err err = BASE_ERR_INIT;

	(void)state;
	(void)base_err_set(&err, BASE_EAUTH, "http 401: INVALID_SESSION_ID");
	assert_int_equal(base_err_wrap(&err, "get %s '%s'", "Account",
				       "001xx0000012345"),
			 BASE_EAUTH);
	assert_string_equal(
		err.msg,
		"get Account '001xx0000012345': http 401: INVALID_SESSION_ID");
}

static void test_err__wrap_preserves_code_and_errno(void **state)
{
	struct base_err err = BASE_ERR_INIT;

	(void)state;
	errno = ENOENT;
	(void)base_err_set_errno(&err, BASE_ENOTFOUND, "open");
	(void)base_err_wrap(&err, "load");
	assert_int_equal(err.code, BASE_ENOTFOUND);
	assert_int_equal(err.sys_errno, ENOENT);
	assert_string_equal(err.msg, "load: open: No such file or directory");
}

static void test_err__wrap_twice_nests_outermost_first(void **state)
{
	struct base_err err = BASE_ERR_INIT;

	(void)state;
	(void)base_err_set(&err, BASE_ERETRY, "timeout");
	(void)base_err_wrap(&err, "inner");
	(void)base_err_wrap(&err, "outer");
	assert_string_equal(err.msg, "outer: inner: timeout");
	assert_int_equal(err.code, BASE_ERETRY);
}

static void test_err__wrap_flattens_cr_lf_in_prefix(void **state)
{
	struct base_err err = BASE_ERR_INIT;

	(void)state;
	(void)base_err_set(&err, BASE_EINVAL, "cause");
	(void)base_err_wrap(&err, "user '%s'", "evil\r\nX-Injected: 1");
	assert_string_equal(err.msg, "user 'evil  X-Injected: 1': cause");
}

static void test_err__wrap_keeps_message_within_bounds(void **state)
{
	struct base_err err = BASE_ERR_INIT;
	char big[300];

	(void)state;
	memset(big, 'c', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	(void)base_err_set(&err, BASE_EINVAL, "%s", big);
	(void)base_err_wrap(&err, "ctx");
	assert_int_equal(strlen(err.msg), sizeof(err.msg) - 1);
	assert_memory_equal(err.msg, "ctx: ccc", 8);
	assert_int_equal(err.code, BASE_EINVAL);
}

static void test_err__wrap_accepts_null_err(void **state)
{
	(void)state;
	assert_int_equal(base_err_wrap(NULL, "ctx"), BASE_ERR);
}

static void test_err__code_names(void **state)
{
	(void)state;
	assert_string_equal(base_code_name(BASE_OK), "OK");
	assert_string_equal(base_code_name(BASE_ERR), "ERR");
	assert_string_equal(base_code_name(BASE_ENOMEM), "ENOMEM");
	assert_string_equal(base_code_name(BASE_EINVAL), "EINVAL");
	assert_string_equal(base_code_name(BASE_ENOTFOUND), "ENOTFOUND");
	assert_string_equal(base_code_name(BASE_EAUTH), "EAUTH");
	assert_string_equal(base_code_name(BASE_ERETRY), "ERETRY");
	assert_string_equal(base_code_name(BASE_EPROTO), "EPROTO");
	assert_string_equal(base_code_name(BASE_ETOOBIG), "ETOOBIG");
}

static void vprefix(char *msg, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	base_err_vprefix(msg, size, fmt, ap);
	va_end(ap);
}

static void test_err__vprefix_prefixes_any_message_buffer(void **state)
{
	char msg[512] = "http 401: INVALID_SESSION_ID";

	(void)state;
	vprefix(msg, sizeof(msg), "get %s '%s'", "Account", "001");
	assert_string_equal(msg, "get Account '001': http 401: "
				 "INVALID_SESSION_ID");
}

static void test_err__vprefix_cuts_to_the_buffer(void **state)
{
	char msg[16] = "0123456789";

	(void)state;
	vprefix(msg, sizeof(msg), "ctx");
	assert_string_equal(msg, "ctx: 0123456789");
	vprefix(msg, sizeof(msg), "outer");
	assert_int_equal(strlen(msg), sizeof(msg) - 1);
	assert_string_equal(msg, "outer: ctx: 012");
}

static void test_err__vprefix_flattens_cr_lf_and_tab(void **state)
{
	char msg[64] = "cause";

	(void)state;
	vprefix(msg, sizeof(msg), "user '%s'", "a\r\nb\tc");
	assert_string_equal(msg, "user 'a  b c': cause");
}

static void test_err__unknown_code_is_named_err(void **state)
{
	(void)state;
	assert_string_equal(base_code_name(-99), "ERR");
	assert_string_equal(base_code_name(7), "ERR");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err__set_fills_code_and_message),
		cmocka_unit_test(test_err__set_replaces_earlier_error),
		cmocka_unit_test(test_err__set_flattens_cr_lf_and_tab),
		cmocka_unit_test(test_err__set_truncates_to_255_bytes),
		cmocka_unit_test(test_err__set_accepts_null_err),
		cmocka_unit_test(test_err__set_errno_appends_strerror),
		cmocka_unit_test(test_err__set_errno_accepts_null_err),
		cmocka_unit_test(test_err__wrap_prefixes_context),
		cmocka_unit_test(test_err__wrap_preserves_code_and_errno),
		cmocka_unit_test(test_err__wrap_twice_nests_outermost_first),
		cmocka_unit_test(test_err__wrap_flattens_cr_lf_in_prefix),
		cmocka_unit_test(test_err__wrap_keeps_message_within_bounds),
		cmocka_unit_test(test_err__wrap_accepts_null_err),
		cmocka_unit_test(test_err__code_names),
		cmocka_unit_test(test_err__unknown_code_is_named_err),
		cmocka_unit_test(test_err__vprefix_prefixes_any_message_buffer),
		cmocka_unit_test(test_err__vprefix_cuts_to_the_buffer),
		cmocka_unit_test(test_err__vprefix_flattens_cr_lf_and_tab),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
