/* test_path.c - request paths split into %-decoded segments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/err.h"
#include "emu/path.h"
#include "base/banned.h"

static void test_path__splits_and_decodes(void **state)
{
	struct emu_path p = {0};

	(void)state;
	assert_int_equal(emu_path_split(&p, "/users/a%40b/unlock"), 0);
	assert_int_equal(p.n, 3);
	assert_string_equal(p.seg[0], "users");
	assert_string_equal(p.seg[1], "a@b");
	assert_string_equal(p.seg[2], "unlock");
	emu_path_release(&p);
	assert_int_equal(p.n, 0);
}

static void test_path__skips_empty_segments(void **state)
{
	struct emu_path p = {0};

	(void)state;
	assert_int_equal(emu_path_split(&p, "//profiles///x/"), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.seg[0], "profiles");
	assert_string_equal(p.seg[1], "x");
	emu_path_release(&p);
}

static void test_path__empty_has_no_segments(void **state)
{
	struct emu_path p = {0};

	(void)state;
	assert_int_equal(emu_path_split(&p, ""), 0);
	assert_int_equal(p.n, 0);
	assert_int_equal(emu_path_split(&p, "/"), 0);
	assert_int_equal(p.n, 0);
}

static void test_path__plus_is_not_a_space(void **state)
{
	struct emu_path p = {0};

	(void)state;
	assert_int_equal(emu_path_split(&p, "/a+b%20c"), 0);
	assert_string_equal(p.seg[0], "a+b c");
	emu_path_release(&p);
}

static void test_path__bad_escape_is_einval(void **state)
{
	struct emu_path p = {0};

	(void)state;
	assert_int_equal(emu_path_split(&p, "/users/a%4"), BASE_EINVAL);
	assert_int_equal(p.n, 0);
	assert_int_equal(emu_path_split(&p, "/users/%zz"), BASE_EINVAL);
	assert_int_equal(p.n, 0);
}

static void test_path__nul_escape_is_einval(void **state)
{
	struct emu_path p = {0};

	(void)state;
	assert_int_equal(emu_path_split(&p, "/users/a%00b"), BASE_EINVAL);
	assert_int_equal(p.n, 0);
}

static void test_path__too_many_segments_is_enotfound(void **state)
{
	struct emu_path p = {0};

	(void)state;
	assert_int_equal(emu_path_split(&p, "/a/b/c/d"), 0);
	assert_int_equal(p.n, EMU_PATH_MAX_SEGS);
	emu_path_release(&p);
	assert_int_equal(emu_path_split(&p, "/a/b/c/d/e"), BASE_ENOTFOUND);
	assert_int_equal(p.n, 0);
}

static void test_path__is_checks_bounds_and_text(void **state)
{
	struct emu_path p = {0};

	(void)state;
	assert_int_equal(emu_path_split(&p, "/users/x"), 0);
	assert_true(emu_path_is(&p, 0, "users"));
	assert_false(emu_path_is(&p, 0, "Users"));
	assert_false(emu_path_is(&p, 1, "users"));
	assert_false(emu_path_is(&p, 2, "x"));
	emu_path_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path__splits_and_decodes),
		cmocka_unit_test(test_path__skips_empty_segments),
		cmocka_unit_test(test_path__empty_has_no_segments),
		cmocka_unit_test(test_path__plus_is_not_a_space),
		cmocka_unit_test(test_path__bad_escape_is_einval),
		cmocka_unit_test(test_path__nul_escape_is_einval),
		cmocka_unit_test(test_path__too_many_segments_is_enotfound),
		cmocka_unit_test(test_path__is_checks_bounds_and_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
