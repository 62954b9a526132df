/* integrations.h - the plug-and-play integrations: their names, why they are locked, and the admin's on/off choice. */
#ifndef SFB_INTEGRATIONS_H
#define SFB_INTEGRATIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct sqlite3;
struct sfb_creds_result;

/*
 * The five integrations of the setup article. `key` is a contract: the
 * CLI, the JSON API (/api/v1/integrations/{key}) and the console's URLs
 * use it. Immutable.
 */
struct sfb_integration_def {
	const char *key;   /* "deal_registration" */
	const char *name;  /* "Deal Registration" */
	const char *about; /* one sentence: what it keeps in sync */
};

extern const struct sfb_integration_def sfb_integrations[];
extern const int sfb_n_integrations;

/* The definition named by key, or NULL. */
const struct sfb_integration_def *sfb_integration_find(const char *key);

/*
 * Why every integration is locked, given the credentials feature's view of
 * the active credentials (sfb_creds_show), written into buf; NULL when
 * they are valid and the integrations may run. One rule for the CLI, the
 * console and the API.
 */
const char *sfb_integrations_lock_reason(const struct sfb_creds_result *r,
					 char *buf, size_t n);

/*
 * The admin's choice for one integration (table integration_settings,
 * migration 3). An integration that was never switched is off.
 * `enabled` is the choice only: while locked, an enabled integration does
 * not run, and it runs again once the credentials are valid.
 */
struct sfb_integration_state {
	bool enabled;
	int64_t changed_ms;  /* 0: never switched */
	char changed_by[256]; /* who switched it last ("" never) */
};

int sfb_integration_get(struct sqlite3 *db, const char *ws, const char *key,
			struct sfb_integration_state *out,
			struct base_err *err);

/*
 * Switches an integration on or off and writes an events row
 * ("integration.enabled" / "integration.disabled"), in one transaction.
 * Turning one on needs `lock_reason` NULL: otherwise nothing changes and
 * it fails with BASE_EINVAL and the reason in err. Turning one off is
 * always allowed (it is the safe direction). Switching to the state it is
 * already in changes nothing and succeeds. `by` names the admin.
 */
int sfb_integration_set(struct sqlite3 *db, const char *ws, const char *key,
			bool enabled, const char *lock_reason, const char *by,
			int64_t now_ms, struct base_err *err);

#endif
