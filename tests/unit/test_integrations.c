/* test_integrations.c - the integrations module (names, the lock rule, the on/off switch) and the API usage ledger. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sqlite3.h>
#include <string.h>

#include "base/db.h"
#include "bridge/creds/creds.h"
#include "bridge/integrations/integrations.h"
#include "bridge/store/migrations.h"
#include "bridge/store/usage.h"
#include "base/banned.h"

#define HOUR ((int64_t)3600 * 1000)
/* 2026-11-29T10:15:00Z */
#define NOW ((int64_t)1795947300000)

/* An in-memory database with every migration applied. */
static int setup(void **state)
{
	sqlite3 *db = NULL;
	struct base_err err = BASE_ERR_INIT;
	size_t n;
	const struct sfb_migration *m = sfb_store_migrations(&n);

	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (base_db_exec(db, m[i].sql, &err) != 0)
			return -1;
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	sqlite3_close(*state);
	return 0;
}

static void test_find(void **state)
{
	(void)state;
	assert_int_equal(sfb_n_integrations, 5);
	assert_string_equal(sfb_integration_find("deal_registration")->name,
			    "Deal Registration");
	assert_string_equal(sfb_integration_find("referrals")->name,
			    "Referrals");
	assert_null(sfb_integration_find("Deal Registration"));
	assert_null(sfb_integration_find(""));
	assert_null(sfb_integration_find(NULL));
}

static void test_lock_reason(void **state)
{
	struct sfb_creds_result r;
	char buf[512];

	(void)state;
	sfb_creds_result_init(&r);
	assert_non_null(strstr(sfb_integrations_lock_reason(&r, buf, sizeof(buf)),
			       "until Salesforce is connected"));
	r.active = true;
	assert_non_null(strstr(sfb_integrations_lock_reason(&r, buf, sizeof(buf)),
			       "not been validated"));
	r.valid = true;
	assert_null(sfb_integrations_lock_reason(&r, buf, sizeof(buf)));
	r.valid = false;
	assert_non_null(sfb_diags_add(&r.diags, SFB_D_API_DISABLED_FOR_USER, NULL));
	assert_non_null(strstr(sfb_integrations_lock_reason(&r, buf, sizeof(buf)),
			       "(api_disabled_for_user: "));
	r.refused = true;
	assert_non_null(strstr(sfb_integrations_lock_reason(&r, buf, sizeof(buf)),
			       "refused the saved credentials (api_disabled_for_user)"));
	sfb_creds_result_release(&r);
}

static long long events(sqlite3 *db, const char *kind)
{
	return base_db_int(db, -1,
			   "SELECT count(*) FROM events WHERE workspace_id = "
			   "'ws' AND kind = ?",
			   "s", kind);
}

static void test_switch(void **state)
{
	sqlite3 *db = *state;
	struct base_err err = BASE_ERR_INIT;
	struct sfb_integration_state st;

	assert_int_equal(sfb_integration_get(db, "ws", "deal_import", &st, &err), 0);
	assert_false(st.enabled);
	assert_int_equal(st.changed_ms, 0);

	/* Locked: refused, nothing stored. */
	assert_int_equal(sfb_integration_set(db, "ws", "deal_import", true,
					     "Locked: test", "a@x.test", NOW, &err),
			 BASE_EINVAL);
	assert_non_null(strstr(err.msg, "Deal Import: Locked: test"));
	assert_int_equal(base_db_int(db, -1, "SELECT count(*) FROM "
					     "integration_settings", NULL), 0);

	/* Turning off what was never on writes nothing. */
	assert_int_equal(sfb_integration_set(db, "ws", "deal_import", false,
					     "Locked: test", "a@x.test", NOW, &err), 0);
	assert_int_equal(events(db, "integration.disabled"), 0);

	/* Unlocked: on, with who and when, and one event. */
	assert_int_equal(sfb_integration_set(db, "ws", "deal_import", true, NULL,
					     "a@x.test", NOW, &err), 0);
	assert_int_equal(sfb_integration_get(db, "ws", "deal_import", &st, &err), 0);
	assert_true(st.enabled);
	assert_int_equal(st.changed_ms, NOW);
	assert_string_equal(st.changed_by, "a@x.test");
	assert_int_equal(events(db, "integration.enabled"), 1);
	/* Again: nothing changes. */
	assert_int_equal(sfb_integration_set(db, "ws", "deal_import", true, NULL,
					     "b@x.test", NOW + 1, &err), 0);
	assert_int_equal(events(db, "integration.enabled"), 1);
	assert_int_equal(sfb_integration_get(db, "ws", "deal_import", &st, &err), 0);
	assert_string_equal(st.changed_by, "a@x.test");

	/* Another workspace and another integration are untouched. */
	assert_int_equal(sfb_integration_get(db, "other", "deal_import", &st, &err), 0);
	assert_false(st.enabled);
	assert_int_equal(sfb_integration_get(db, "ws", "referrals", &st, &err), 0);
	assert_false(st.enabled);

	/* Off is allowed while locked. */
	assert_int_equal(sfb_integration_set(db, "ws", "deal_import", false,
					     "Locked: test", "b@x.test", NOW + 2, &err), 0);
	assert_int_equal(sfb_integration_get(db, "ws", "deal_import", &st, &err), 0);
	assert_false(st.enabled);
	assert_string_equal(st.changed_by, "b@x.test");
	assert_int_equal(events(db, "integration.disabled"), 1);

	assert_int_equal(sfb_integration_set(db, "ws", "nope", true, NULL,
					     "a@x.test", NOW, &err), BASE_ENOTFOUND);
}

static void test_usage(void **state)
{
	sqlite3 *db = *state;
	struct base_err err = BASE_ERR_INIT;
	struct sfb_usage_day d;
	int64_t hour = NOW - NOW % HOUR;

	assert_int_equal(sfb_usage_last_day(db, "ws", NOW, &d, &err), 0);
	assert_int_equal(d.total_logins + d.total_requests, 0);
	assert_int_equal(d.org_max, -1);
	assert_int_equal(d.hour_ms[SFB_USAGE_HOURS - 1], hour);
	assert_int_equal(d.hour_ms[0], hour - 23 * HOUR);

	/* Two runs this hour add up; the newest org reading wins. */
	assert_int_equal(sfb_usage_add(db, "ws", NOW, 1, 2, 100, 15000, &err), 0);
	assert_int_equal(sfb_usage_add(db, "ws", NOW + 60000, 1, 2, 103, 15000, &err), 0);
	/* A run that saw no org count keeps the last one. */
	assert_int_equal(sfb_usage_add(db, "ws", NOW + 120000, 1, 0, -1, -1, &err), 0);
	/* Five hours ago; 24 hours ago (outside the window); 40 days ago. */
	assert_int_equal(sfb_usage_add(db, "ws", NOW - 5 * HOUR, 0, 7, 50, 15000, &err), 0);
	assert_int_equal(sfb_usage_add(db, "ws", NOW - 24 * HOUR, 9, 9, -1, -1, &err), 0);
	assert_int_equal(sfb_usage_add(db, "other", NOW, 4, 4, 1, 5, &err), 0);

	assert_int_equal(sfb_usage_last_day(db, "ws", NOW + 180000, &d, &err), 0);
	assert_int_equal(d.logins[23], 3);
	assert_int_equal(d.requests[23], 4);
	assert_int_equal(d.requests[18], 7);
	assert_int_equal(d.total_logins, 3);
	assert_int_equal(d.total_requests, 11);
	assert_int_equal(d.org_used, 103);
	assert_int_equal(d.org_max, 15000);
	assert_int_equal(d.org_seen_ms, NOW + 60000);

	/* Rows past SFB_USAGE_KEEP_DAYS go when new ones are written. */
	assert_int_equal(base_db_int(db, -1, "SELECT count(*) FROM api_usage "
					     "WHERE workspace_id = 'ws'", NULL), 3);
	assert_int_equal(sfb_usage_add(db, "ws",
				       NOW + (int64_t)SFB_USAGE_KEEP_DAYS * 24 * HOUR,
				       1, 1, -1, -1, &err), 0);
	assert_int_equal(base_db_int(db, -1, "SELECT count(*) FROM api_usage "
					     "WHERE workspace_id = 'ws'", NULL), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_lock_reason),
		cmocka_unit_test_setup_teardown(test_switch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_usage, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
