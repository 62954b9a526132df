/* test_jsonmem.c - jansson's frees wipe once base_jsonmem_wipe_on_free is called, and JSON still works. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonmem.h"
#include "base/banned.h"

static void test_jsonmem__installs_a_wiping_free(void **state)
{
	json_malloc_t m = NULL;
	json_free_t f = NULL;

	(void)state;
	json_get_alloc_funcs(&m, &f);
	assert_ptr_equal(f, free);
	base_jsonmem_wipe_on_free();
	json_get_alloc_funcs(&m, &f);
	assert_ptr_equal(m, malloc);
	assert_ptr_not_equal(f, free);
	assert_non_null(f);
	/* f(NULL) is a no-op, as free(NULL) is. */
	f(NULL);
}

static void test_jsonmem__json_round_trips_with_it(void **state)
{
	json_t *v;
	char *text;

	(void)state;
	v = json_loads("{\"password\":\"hunter2-hunter2\",\"n\":[1,2,3]}", 0,
		       NULL);
	assert_non_null(v);
	assert_string_equal(json_string_value(json_object_get(v, "password")),
			    "hunter2-hunter2");
	text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, "{\"n\":[1,2,3],\"password\":\"hunter2-hunter2\"}");
	free(text);
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jsonmem__installs_a_wiping_free),
		cmocka_unit_test(test_jsonmem__json_round_trips_with_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
