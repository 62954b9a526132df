/* preflight.h - after a login: the integration user's permissions, login hours and IP ranges, the org, the API budget. */
#ifndef SFB_PREFLIGHT_H
#define SFB_PREFLIGHT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "bridge/creds/diagnose.h"
#include "sf/client.h"

/* The permissions the integrations care about (salesforce-protocol.md 5.1). */
enum sfb_perm {
	SFB_PERM_API_ENABLED,
	SFB_PERM_MODIFY_ALL_DATA,
	SFB_PERM_CUSTOMIZE_APPLICATION,
	SFB_PERM_MANAGE_PROFILES_PERMISSIONSETS,
	SFB_PERM_PASSWORD_NEVER_EXPIRES,
	SFB_PERM__COUNT
};

/* "ApiEnabled" (Salesforce's field name without "Permissions"). */
const char *sfb_perm_name(enum sfb_perm p);
/* "API Enabled", as Setup shows it. */
const char *sfb_perm_label(enum sfb_perm p);

/*
 * What the login and the preflight learnt. A fact that couldn't be read
 * stays unknown (its *_known flag false) and produces no diagnosis: the
 * preflight reports what it saw, never a guess. One thread at a time.
 */
struct sfb_org_facts {
	char org_id[19];
	char org_name[256];
	char edition[64];      /* "Enterprise Edition", ... (OrganizationType) */
	bool sandbox;
	char instance_name[32];
	char instance_url[256];
	char time_zone[64];    /* TimeZoneSidKey: login hours are read in it */
	bool org_known;
	char user_id[19];
	char username[256];
	char profile_id[19];
	char profile_name[256];
	bool perms_known;
	bool perms[SFB_PERM__COUNT]; /* effective: profile or any set */
	bool profile_known;    /* the Tooling query answered */
	json_t *login_hours;   /* owned; NULL: none set */
	json_t *ip_ranges;     /* owned; NULL or []: none set */
	long long api_used, api_max; /* -1: unknown */
	long long api_requests; /* HTTP requests the preflight made */
};

void sfb_org_facts_init(struct sfb_org_facts *f);
void sfb_org_facts_release(struct sfb_org_facts *f);

/*
 * Reads the facts through the logged-in client, in at most 2 API requests
 * (so a validation costs 1 login + 2 requests): one POST /composite with
 * the User (ProfileId), the effective permissions (PermissionSetAssignment
 * joined to PermissionSet, which includes the profile's own set) and the
 * Organization; then GET /tooling/query for the profile's login hours and
 * IP ranges. The API budget comes from the Sforce-Limit-Info of those
 * replies. A refusal of the first request (API disabled, expired password,
 * the budget spent) returns < 0 with err set: the caller diagnoses it like
 * a refused login. A failed subrequest or Tooling query only leaves its
 * facts unknown.
 */
int sfb_preflight_run(struct sf_client *c, struct sfb_org_facts *f,
		      struct sf_error *err);

/*
 * The diagnoses the facts call for (no network): missing_permission,
 * login_hours_set, login_ip_ranges_restrictive, password_may_expire,
 * api_budget_low, legacy_auth_retiring. now_ms dates the retirements.
 */
void sfb_preflight_evaluate(const struct sfb_org_facts *f,
			    enum sfb_auth_kind auth, int64_t now_ms,
			    struct sfb_diags *out);

/* True when the ranges (Metadata loginIpRanges) cover every IPv4 address. */
bool sfb_ip_ranges_cover_all(json_t *ranges);
/* True when the login hours (Metadata loginHours) allow every minute of the week. */
bool sfb_login_hours_unrestricted(json_t *hours);

/* The org and user objects of the --json reply (new references; null when unknown). */
json_t *sfb_org_facts_org_json(const struct sfb_org_facts *f);
json_t *sfb_org_facts_user_json(const struct sfb_org_facts *f);

#endif
