/* integrations.c - the plug-and-play integrations: names, the lock rule, the admin's on/off choice. */
#include "bridge/integrations/integrations.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "base/db.h"
#include "bridge/creds/creds.h"
#include "base/banned.h"

const struct sfb_integration_def sfb_integrations[] = {
	{"deal_registration", "Deal Registration",
	 "Deals your partners register become Opportunities in Salesforce, "
	 "and their stage comes back to the partner."},
	{"deal_import", "Deal Import",
	 "Opportunities your team works with partners show up in the "
	 "partner portal."},
	{"lead_distribution", "Lead Distribution",
	 "Salesforce Leads are passed to partners, and their progress flows "
	 "back to the Lead."},
	{"organization_sync", "Organization Sync",
	 "Partner organizations and Salesforce Accounts stay in step."},
	{"referrals", "Referrals",
	 "Partner referrals become Salesforce Leads, with their conversion "
	 "tracked."},
};
const int sfb_n_integrations =
	(int)(sizeof(sfb_integrations) / sizeof(sfb_integrations[0]));

const struct sfb_integration_def *sfb_integration_find(const char *key)
{
	for (int i = 0; key && i < sfb_n_integrations; i++)
		if (!strcmp(sfb_integrations[i].key, key))
			return &sfb_integrations[i];
	return NULL;
}

const char *sfb_integrations_lock_reason(const struct sfb_creds_result *r,
					 char *buf, size_t n)
{
	const struct sfb_diag *e = sfb_diags_cause(&r->diags);
	const struct sfb_diag_def *def = e ? sfb_diag_def(e->id) : NULL;

	if (!r->active)
		snprintf(buf, n, "Locked until Salesforce is connected: enter "
				 "and save valid credentials first.");
	else if (r->refused)
		snprintf(buf, n,
			 "Locked: Salesforce refused the saved credentials "
			 "(%s). Fix the cause, then save new credentials or "
			 "use Test again.",
			 def ? def->code : "refused");
	else if (r->valid)
		return NULL;
	else if (def)
		snprintf(buf, n,
			 "Locked: the saved credentials are not valid (%s: "
			 "%s).",
			 def->code, def->title);
	else
		snprintf(buf, n, "Locked: the saved credentials have not been "
				 "validated yet.");
	return buf;
}

int sfb_integration_get(struct sqlite3 *db, const char *ws, const char *key,
			struct sfb_integration_state *out,
			struct base_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (base_db_prepare(db, &st, err,
			    "SELECT enabled, changed_ms, changed_by FROM "
			    "integration_settings WHERE workspace_id = ? AND "
			    "name = ?",
			    "ss", ws, key) != 0)
		return BASE_ERR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->enabled = sqlite3_column_int(st, 0) != 0;
		out->changed_ms = sqlite3_column_int64(st, 1);
		snprintf(out->changed_by, sizeof(out->changed_by), "%s",
			 base_db_text(st, 2));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return base_err_set(err, BASE_ERR, "read integration '%s': %s",
				    key, sqlite3_errmsg(db));
	return 0;
}

static int write_choice(struct sqlite3 *db, const char *ws,
			const struct sfb_integration_def *def, bool enabled,
			const char *by, int64_t now_ms, struct base_err *err)
{
	char msg[512];

	if (base_db_run(db, err,
			"INSERT INTO integration_settings (workspace_id, name, "
			"enabled, changed_ms, changed_by) VALUES (?, ?, ?, ?, ?) "
			"ON CONFLICT (workspace_id, name) DO UPDATE SET "
			"enabled = excluded.enabled, changed_ms = "
			"excluded.changed_ms, changed_by = excluded.changed_by",
			"ssbis", ws, def->key, enabled, (long long)now_ms,
			by) != 0)
		return BASE_ERR;
	snprintf(msg, sizeof(msg), "%s turned %s by %s", def->name,
		 enabled ? "on" : "off", by);
	return base_db_run(db, err,
			   "INSERT INTO events (workspace_id, at_ms, level, "
			   "kind, message) VALUES (?, ?, 'info', ?, ?)",
			   "siss", ws, (long long)now_ms,
			   enabled ? "integration.enabled"
				   : "integration.disabled",
			   msg);
}

int sfb_integration_set(struct sqlite3 *db, const char *ws, const char *key,
			bool enabled, const char *lock_reason, const char *by,
			int64_t now_ms, struct base_err *err)
{
	const struct sfb_integration_def *def = sfb_integration_find(key);
	struct sfb_integration_state cur;
	int rc;

	if (!def)
		return base_err_set(err, BASE_ENOTFOUND,
				    "no integration named '%.64s'", key);
	if (enabled && lock_reason)
		return base_err_set(err, BASE_EINVAL, "%s: %s", def->name,
				    lock_reason);
	if (sfb_integration_get(db, ws, key, &cur, err) != 0)
		return BASE_ERR;
	if (cur.enabled == enabled && cur.changed_ms > 0)
		return 0;
	if (!enabled && cur.changed_ms == 0)
		return 0; /* never on: nothing to turn off */
	rc = base_db_begin(db, err);
	if (rc == 0)
		rc = write_choice(db, ws, def, enabled, by, now_ms, err);
	return base_db_end(db, rc, err);
}
