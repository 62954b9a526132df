/* test_cli.c - what sfbridge's subcommands share: valued flags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "bridge/cli/cli.h"
#include "base/banned.h"

struct opts {
	const char *data, *name;
	bool json, again;
};

/* argv strings are writable, as a real argv's are. */
static char cmd[] = "cmd", data[] = "--data", name[] = "--name",
	    json[] = "--json", dir[] = "dir", n1[] = "n1";

static const struct sfb_cli_flag flags[] = {
	SFB_CLI_FLAG("--data", struct opts, data),
	SFB_CLI_FLAG("--name", struct opts, name),
};

static void test_cli__take_value_stores_the_next_argument(void **state)
{
	char *argv[] = {cmd, name, n1, data, dir};
	struct opts o = {0};
	int i = 3;

	(void)state;
	assert_int_equal(sfb_cli_take_value(flags, 2, &o, 5, argv, &i, "p"), 1);
	assert_int_equal(i, 4); /* on the value: the caller's i++ passes it */
	assert_string_equal(o.data, "dir");
	assert_null(o.name);
}

static void test_cli__take_value_ignores_other_arguments(void **state)
{
	char *argv[] = {cmd, json, data};
	struct opts o = {0};
	int i = 1;

	(void)state;
	assert_int_equal(sfb_cli_take_value(flags, 2, &o, 3, argv, &i, "p"), 0);
	assert_int_equal(i, 1);
	assert_null(o.data);
}

static void test_cli__take_value_fails_without_a_value(void **state)
{
	char *argv[] = {cmd, data};
	struct opts o = {0};
	int i = 1;

	(void)state;
	assert_int_equal(sfb_cli_take_value(flags, 2, &o, 2, argv, &i, "p"),
			 -1);
	assert_int_equal(i, 1);
	assert_null(o.data);
}

static const struct sfb_cli_switch switches[] = {
	SFB_CLI_SWITCH("--json", struct opts, json),
	SFB_CLI_SWITCH("--again", struct opts, again),
};

static void test_cli__take_switch_sets_only_its_own_member(void **state)
{
	struct opts o = {0};

	(void)state;
	assert_true(sfb_cli_take_switch(switches, 2, &o, "--again"));
	assert_true(o.again);
	assert_false(o.json);
	assert_false(sfb_cli_take_switch(switches, 2, &o, "--jsonx"));
	assert_false(sfb_cli_take_switch(switches, 2, &o, "--data"));
	assert_false(o.json);
	assert_null(o.data);
	assert_true(sfb_cli_take_switch(switches, 2, &o, "--json"));
	assert_true(o.json);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cli__take_value_stores_the_next_argument),
		cmocka_unit_test(test_cli__take_value_ignores_other_arguments),
		cmocka_unit_test(test_cli__take_value_fails_without_a_value),
		cmocka_unit_test(test_cli__take_switch_sets_only_its_own_member),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
