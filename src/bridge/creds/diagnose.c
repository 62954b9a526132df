/* diagnose.c - the diagnosis vocabulary as one table, invalid_login's ranked causes, and sf_error -> diagnosis. */
#include "bridge/creds/diagnose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/banned.h"

/*
 * Fix steps name the Salesforce screens as an admin clicks through them
 * (the setup article's "Setup > Users > Profiles" style). "[profile]",
 * "[user]", "[permission]" and "[app]" are replaced by the instance's
 * detail.profile, detail.username, detail.permissionLabel and detail.app
 * when it knows them.
 */
#define STEPS(...) ((const char *const[]){__VA_ARGS__, NULL})

#define TOKEN_RESET_STEP                                                      \
	"Get a new security token: log in to Salesforce as the integration "  \
	"user, then profile icon > Settings > My Personal Information > "     \
	"Reset My Security Token, and click Reset Security Token. Salesforce " \
	"emails the new token to the user's email address; every reset makes " \
	"the older tokens invalid."

static const struct sfb_diag_def table[SFB_D__COUNT] = {
	{SFB_D_FIELD_MISSING, "field_missing", SFB_SEV_ERROR, SFB_KIND_REFUSED,
	 "A required field is empty",
	 "The sign-in method needs this field, and it is empty. "
	 "Nothing was sent to Salesforce.",
	 STEPS("Fill in the field named in the diagnosis. Username + password "
	       "+ security token needs the username and the password (and the "
	       "token, unless this server's address is in the org's trusted "
	       "IP ranges); a consumer key needs its consumer secret. OAuth "
	       "client credentials need the My Domain login host, the "
	       "consumer key and the consumer secret. OAuth JWT bearer needs "
	       "the username, the consumer key and the private key.",
	       "Save again.")},
	{SFB_D_USERNAME_NOT_EMAIL, "username_not_email", SFB_SEV_ERROR,
	 SFB_KIND_REFUSED, "The username is not in email form",
	 "Salesforce usernames have the form of an email address "
	 "(name@company.com, or name@company.com.uat in a sandbox), even when "
	 "they are no working mailbox. This one isn't, so Salesforce would "
	 "refuse it. Nothing was sent to Salesforce.",
	 STEPS("Find the exact username: in Salesforce, Setup > Users > Users, "
	       "the Username column (not the Email column, which can differ).",
	       "Enter it in Username, without spaces, and save again.")},
	{SFB_D_WHITESPACE_IN_SECRET, "whitespace_in_secret", SFB_SEV_ERROR,
	 SFB_KIND_REFUSED, "A secret starts or ends with a space or line break",
	 "The value starts or ends with a space, a tab or a "
	 "line break. That nearly always comes from copying it out of an email "
	 "or a document. Salesforce would take the extra characters as part of "
	 "the value and refuse the login, and every refused login counts "
	 "toward the user's lockout. Nothing was sent to Salesforce.",
	 STEPS("Enter the value again without the spaces or line breaks around "
	       "it (a file should hold only the value, with at most one final "
	       "line break).",
	       "Save again.")},
	{SFB_D_TOKEN_MALFORMED, "token_malformed", SFB_SEV_ERROR,
	 SFB_KIND_REFUSED, "The security token doesn't look like one",
	 "A Salesforce security token is 24 or 25 letters and digits, and "
	 "case-sensitive. The value entered isn't, so it can't be a token. "
	 "Nothing was sent to Salesforce.",
	 STEPS(TOKEN_RESET_STEP,
	       "Copy the token from that email exactly, into Security token, "
	       "and save again.",
	       "If this server's address is in the org's trusted IP ranges "
	       "(Setup > Security > Network Access), no token is needed: leave "
	       "Security token empty.")},
	{SFB_D_PASSWORD_INCLUDES_TOKEN, "password_includes_token",
	 SFB_SEV_ERROR, SFB_KIND_REFUSED,
	 "The password ends with the security token",
	 "The password ends with the security token, as if both were pasted "
	 "into Password. sfbridge appends the token to the password itself, "
	 "so the token would be sent twice and Salesforce would refuse the "
	 "login. Nothing was sent to Salesforce.",
	 STEPS("Enter the password alone in Password, without the token at its "
	       "end.",
	       "Enter the token in Security token.", "Save again.")},
	{SFB_D_LOGIN_URL_INVALID, "login_url_invalid", SFB_SEV_ERROR,
	 SFB_KIND_REFUSED, "The login host is not a Salesforce login host",
	 "Credentials are sent only over https to a Salesforce host "
	 "(login.salesforce.com, test.salesforce.com, or a My Domain such as "
	 "acme.my.salesforce.com) or to a host on the SF_ALLOWED_HOSTS "
	 "allow-list. Plain http is accepted only for a loopback address "
	 "written out as an http:// URL (a local sfemu). The reason below says "
	 "what is wrong with this one. Nothing was sent.",
	 STEPS("Choose Production (login.salesforce.com) or Sandbox "
	       "(test.salesforce.com), or enter the org's My Domain: Setup > "
	       "Company Settings > My Domain shows it (for example "
	       "acme.my.salesforce.com).",
	       "OAuth client credentials need the My Domain host: "
	       "login.salesforce.com and test.salesforce.com refuse that flow.",
	       "Give a URL as scheme and host only (https://acme.my."
	       "salesforce.com), without a path, and save again.")},
	{SFB_D_SANDBOX_HOST_MISMATCH, "sandbox_host_mismatch", SFB_SEV_ERROR,
	 SFB_KIND_REFUSED,
	 "The username and the login host don't match (sandbox or production)",
	 "A sandbox copies production's users and appends the sandbox name to "
	 "their usernames (ops@acme.com becomes ops@acme.com.uat), and a "
	 "sandbox logs in at test.salesforce.com or its sandbox My Domain. "
	 "A username at the wrong host is refused as an invalid login, "
	 "which counts toward the lockout; as an error, nothing was sent. "
	 "The reverse case (a plain username at a sandbox host) is only a "
	 "warning, as users created in a sandbox may have any username.",
	 STEPS("For a sandbox, choose Sandbox (test.salesforce.com) or the "
	       "sandbox's My Domain (NAME--SANDBOX.sandbox.my.salesforce.com).",
	       "For production, use the production username, without the "
	       "sandbox's name at its end.",
	       "Check the exact username in that org: Setup > Users > Users, "
	       "the Username column; then save again.")},
	{SFB_D_NETWORK_UNREACHABLE, "network_unreachable", SFB_SEV_ERROR,
	 SFB_KIND_UNAVAILABLE, "Salesforce could not be reached",
	 "No answer came from the login host: its name didn't resolve, or the "
	 "connection was refused or timed out. The credentials "
	 "were not checked, and nothing counts against the user.",
	 STEPS("Check the login host for typos; a My Domain must exist (Setup "
	       "> Company Settings > My Domain).",
	       "Check that this server reaches the host on port 443 (DNS, "
	       "proxy, firewall).",
	       "Save again, or Test again, once the connection works.")},
	{SFB_D_TLS_FAILED, "tls_failed", SFB_SEV_ERROR, SFB_KIND_UNAVAILABLE,
	 "The secure connection to Salesforce failed",
	 "The TLS handshake or the certificate check failed, "
	 "so nothing was sent. Certificate checks are always on. The usual "
	 "causes: a proxy that intercepts TLS, a wrong system clock, or an "
	 "outdated set of CA certificates on this server.",
	 STEPS("Check this server's date and time: a wrong clock makes valid "
	       "certificates look expired or not yet valid.",
	       "If a corporate proxy inspects TLS, add its CA certificate to "
	       "this server's trust store.",
	       "Check that the login host is a Salesforce host (their "
	       "certificates are for *.salesforce.com); then save again.")},
	{SFB_D_NOT_SALESFORCE, "not_salesforce", SFB_SEV_ERROR,
	 SFB_KIND_REFUSED, "The login host didn't answer like Salesforce",
	 "A reply came, but not Salesforce's: an HTML page, a reply of the "
	 "wrong shape, or 'not found' for Salesforce's login address. The "
	 "host may be a proxy, a captive portal, a "
	 "company web site, or a custom domain that isn't the org's My Domain.",
	 STEPS("Check the login host: login.salesforce.com, "
	       "test.salesforce.com, or the org's My Domain (Setup > Company "
	       "Settings > My Domain).",
	       "Open https://HOST/services/data in a browser: Salesforce "
	       "answers with a list of API versions.",
	       "If this server reaches Salesforce through a proxy, check that "
	       "the proxy passes requests on unchanged; then save again.")},
	{SFB_D_INVALID_LOGIN, "invalid_login", SFB_SEV_ERROR, SFB_KIND_REFUSED,
	 "Salesforce refused the username, password or security token",
	 "Salesforce answered its generic refusal, \"Invalid username, "
	 "password, security token; or user locked out.\" It gives the same "
	 "answer for a wrong password, a wrong or outdated security token, an "
	 "unknown username, a locked-out user, and a frozen or inactive user, "
	 "so that it can't be used to guess accounts. The steps list the "
	 "likely causes, most likely first from what sfbridge knows, then "
	 "how to tell them apart. Every refused login "
	 "counts toward the user's lockout, so sfbridge does not try these "
	 "credentials again on its own.",
	 STEPS(TOKEN_RESET_STEP,
	       "Check the password: log in at the login host "
	       "(https://login.salesforce.com, https://test.salesforce.com or "
	       "the org's My Domain) in a private/incognito window.",
	       "Check the username at Setup > Users > Users (the Username "
	       "column), and that a sandbox username logs in at "
	       "test.salesforce.com.",
	       "If the user is locked out: Setup > Users > Users > [user] > "
	       "Unlock (the button shows only while the user is locked).",
	       "If the user is frozen or inactive: Setup > Users > Users > "
	       "[user]: Unfreeze, or tick Active.",
	       "An admin sees the real reason in Setup > Users > Login "
	       "History: the Status column says Invalid Password, Password "
	       "Lockout, User is frozen, and so on.")},
	{SFB_D_SECURITY_TOKEN_REQUIRED, "security_token_required",
	 SFB_SEV_ERROR, SFB_KIND_REFUSED, "Salesforce needs the security token",
	 "The password is right, but this server's address is outside the "
	 "org's trusted IP ranges, and from there Salesforce requires the "
	 "security token after the password (Salesforce asks: \"Are you at a "
	 "new location?\"). The token was missing or isn't accepted.",
	 STEPS(TOKEN_RESET_STEP,
	       "Enter it in Security token and save again.",
	       "Or, if this server's address is to be trusted, add it at Setup "
	       "> Security > Network Access; from there the password alone "
	       "works.",
	       "Better: use OAuth client credentials or JWT bearer, which use "
	       "no token.")},
	{SFB_D_API_DISABLED_FOR_ORG, "api_disabled_for_org", SFB_SEV_ERROR,
	 SFB_KIND_REFUSED, "The org's edition has no API access",
	 "Salesforce says the API is not enabled for this organization. "
	 "Enterprise, Unlimited, Performance and Developer editions have it; "
	 "Professional Edition needs the API add-on; Group and Essentials "
	 "have none. The integrations work only through the API.",
	 STEPS("Check the edition: Setup > Company Settings > Company "
	       "Information, Organization Edition.",
	       "For Professional Edition, ask your Salesforce account "
	       "executive for API access.",
	       "Save again once the org has API access.")},
	{SFB_D_API_DISABLED_FOR_USER, "api_disabled_for_user", SFB_SEV_ERROR,
	 SFB_KIND_REFUSED, "The integration user doesn't have API Enabled",
	 "Salesforce says the API is disabled for this user: neither the "
	 "user's profile nor any of their permission sets grants the API "
	 "Enabled permission, which every integration needs.",
	 STEPS("Setup > Users > Profiles > [profile] > System Permissions > API "
	       "Enabled: tick it and save. Or assign the user a permission "
	       "set with API Enabled (Setup > Users > Permission Sets).",
	       "Save again, or Test again.")},
	{SFB_D_LOGIN_HOURS_RESTRICTED, "login_hours_restricted", SFB_SEV_ERROR,
	 SFB_KIND_REFUSED, "The user's profile doesn't allow logins at this hour",
	 "The login came outside the login hours of the user's profile "
	 "(Salesforce: \"cannot log in during restricted time\"). "
	 "Integrations run around the clock, so their user should have no "
	 "login hours. sfbridge won't retry until you Test again.",
	 STEPS("Setup > Users > Profiles > [profile] > Login Hours: Edit, clear "
	       "the hours, and save.",
	       "Or give the integration user a profile of its own without "
	       "login hours.",
	       "Test again.")},
	{SFB_D_IP_RESTRICTED, "ip_restricted", SFB_SEV_ERROR, SFB_KIND_REFUSED,
	 "The user's profile doesn't allow logins from this server's address",
	 "The login came from an address outside the Login IP Ranges of the "
	 "user's profile. With OAuth, Salesforce gives one answer (\"IP "
	 "restricted or invalid login hours\") for this and for login hours, "
	 "so with OAuth it may be the login hours instead.",
	 STEPS("Setup > Users > Profiles > [profile] > Login IP Ranges: add "
	       "this server's public address, or delete the ranges (an "
	       "integration user's profile should allow logins from anywhere).",
	       "With OAuth, also check Setup > Users > Profiles > [profile] > "
	       "Login Hours.",
	       "Save again, or Test again.")},
	{SFB_D_PASSWORD_EXPIRED, "password_expired", SFB_SEV_ERROR,
	 SFB_KIND_REFUSED, "The integration user's password has expired",
	 "Salesforce accepted the password but reports that it has expired "
	 "(passwordExpired, INVALID_OPERATION_WITH_EXPIRED_PASSWORD): until a "
	 "new one is set the user can't use the API. Password policies "
	 "expire passwords every 90 days unless the org changed that.",
	 STEPS("Log in to Salesforce as the integration user in a private "
	       "window and set a new password when asked; or an admin resets "
	       "it: Setup > Users > Users > [user] > Reset Password.",
	       "A new password comes with a new security token by email: "
	       "enter both and save again.",
	       "So that it doesn't happen again: Setup > Users > Profiles > "
	       "[profile] > System Permissions > Password Never Expires (or a "
	       "permission set with it).")},
	{SFB_D_LOGIN_RATE_EXCEEDED, "login_rate_exceeded", SFB_SEV_ERROR,
	 SFB_KIND_UNAVAILABLE, "Too many logins as this user in the last hour",
	 "Salesforce allows 3,600 logins per user per hour and then blocks "
	 "the user's logins for about an hour. sfbridge keeps one session, so "
	 "something else logs in as this user very often.",
	 STEPS("Wait about an hour, then Test again.",
	       "Find what else logs in as this user: Setup > Users > Login "
	       "History, filtered by the username.",
	       "Give each integration a user of its own.")},
	{SFB_D_SOAP_LOGIN_UNAVAILABLE, "soap_login_unavailable", SFB_SEV_ERROR,
	 SFB_KIND_REFUSED, "SOAP login() is not available in this org",
	 "Salesforce refused the SOAP API login() call. "
	 "It is disabled by default in orgs created in Winter '26 or later, "
	 "unavailable in API versions after 64.0, and retired for good in "
	 "Summer '27. Username + password + security token uses it unless a "
	 "consumer key is given.",
	 STEPS("Preferred: switch to OAuth client credentials (an External "
	       "Client App with a run-as user) or OAuth JWT bearer; neither "
	       "uses SOAP login() or a security token.",
	       "Or, until Summer '27: Setup > User Interface > Enable SOAP API "
	       "login(): tick it and save (this screen can't undo it).",
	       "Save again.")},
	{SFB_D_OAUTH_CLIENT_INVALID, "oauth_client_invalid", SFB_SEV_ERROR,
	 SFB_KIND_REFUSED,
	 "Salesforce refused the connected app's consumer key or secret",
	 "Salesforce's OAuth token endpoint refused the client: "
	 "invalid_client_id means the consumer key is "
	 "unknown (or the app is less than about 10 minutes old), "
	 "invalid_client means the consumer secret is wrong, and other "
	 "answers mean the app isn't set up for this flow.",
	 STEPS("Setup > Apps > App Manager > [app] > View > Manage Consumer "
	       "Details: copy the Consumer Key and the Consumer Secret again.",
	       "Setup > Apps > App Manager > [app] > Manage > Edit Policies: "
	       "check that the flow is enabled (for client credentials: Enable "
	       "Client Credentials Flow, with a Run As user) and that the "
	       "OAuth scopes include \"Manage user data via APIs (api)\".",
	       "A new app needs up to 10 minutes before it works; then save "
	       "again.")},
	{SFB_D_OAUTH_USER_NOT_APPROVED, "oauth_user_not_approved",
	 SFB_SEV_ERROR, SFB_KIND_REFUSED,
	 "The user isn't pre-authorized for the connected app",
	 "Salesforce says \"user hasn't approved this consumer\" (or that the "
	 "user isn't admin approved): for the JWT bearer flow, the user must "
	 "be pre-authorized on the app through their profile or a permission "
	 "set.",
	 STEPS("Setup > Apps > App Manager > [app] > Manage > Edit Policies > "
	       "Permitted Users: choose \"Admin approved users are "
	       "pre-authorized\" and save.",
	       "On the app's Manage page, under Profiles (Manage Profiles) or "
	       "Permission Sets, add the integration user's profile or a "
	       "permission set they hold.",
	       "Save again.")},
	{SFB_D_OAUTH_JWT_REJECTED, "oauth_jwt_rejected", SFB_SEV_ERROR,
	 SFB_KIND_REFUSED, "Salesforce refused the JWT bearer assertion",
	 "The signed assertion was refused: \"invalid "
	 "assertion\" means the signature doesn't match the certificate on the "
	 "app or the username is unknown; \"Audience validation failed\" means "
	 "the login host doesn't fit the org (production or sandbox); an "
	 "expired assertion means this server's clock is off.",
	 STEPS("Setup > Apps > App Manager > [app] > Edit > Use digital "
	       "signatures: the certificate there must belong to the private "
	       "key given to sfbridge.",
	       "Check the username and the login host: production at "
	       "login.salesforce.com or its My Domain, a sandbox at "
	       "test.salesforce.com.",
	       "Check this server's clock (an assertion is valid for 3 "
	       "minutes); then save again.")},
	{SFB_D_ORG_UNAVAILABLE, "org_unavailable", SFB_SEV_ERROR,
	 SFB_KIND_REFUSED, "The Salesforce org is locked, suspended or expired",
	 "Salesforce says the organization can't be logged in to: it is "
	 "locked, suspended or closed, or its trial has ended (ORG_LOCKED, "
	 "TRIAL_EXPIRED, inactive_org).",
	 STEPS("Log in to Salesforce in a browser as an admin to see the org's "
	       "status.",
	       "Ask Salesforce support or your account executive to "
	       "reactivate the org.",
	       "Test again once it is back.")},
	{SFB_D_SALESFORCE_UNAVAILABLE, "salesforce_unavailable", SFB_SEV_ERROR,
	 SFB_KIND_UNAVAILABLE, "Salesforce is unavailable right now",
	 "Salesforce answered with a server error or a maintenance notice "
	 "(HTTP 5xx, SERVER_UNAVAILABLE, ORG_IN_MAINTENANCE). The "
	 "credentials were not judged, and nothing "
	 "counts against the user.",
	 STEPS("Check https://status.salesforce.com for the org's instance.",
	       "Save again, or Test again, in a few minutes.")},
	{SFB_D_CREDENTIALS_STOPPED_WORKING, "credentials_stopped_working",
	 SFB_SEV_ERROR, SFB_KIND_REFUSED,
	 "Credentials that worked are now refused",
	 "These credentials logged in before, and Salesforce now refuses "
	 "them. The usual causes: the security token was reset (every reset "
	 "and every password change emails a new one), the password was "
	 "changed, or it expired. So that the user isn't locked out, sfbridge "
	 "stopped using them: no sync and no scheduled check tries them until "
	 "new credentials are saved or you choose Test again. The attempts "
	 "below count sfbridge's refused logins in the lockout window.",
	 STEPS("Ask the integration user whether they reset their security "
	       "token or changed their password; the newest token is in the "
	       "latest security-token email from Salesforce.",
	       "Setup > Users > Login History, for the user: the Status column "
	       "gives the real reason (Invalid Password, Password Lockout, "
	       "...).",
	       "Enter the current password and token and save; or, once the "
	       "cause is fixed in Salesforce, Test again.")},
	{SFB_D_MISSING_PERMISSION, "missing_permission", SFB_SEV_ERROR,
	 SFB_KIND_REFUSED,
	 "The integration user lacks a permission the integrations need",
	 "The user's effective permissions (profile and permission sets) "
	 "lack the permission named below. API Enabled is needed for any API call and "
	 "Modify All Data to read and write partner, deal and lead records "
	 "whatever their sharing: without them the integrations can't work "
	 "(error). Customize Application and Manage Profiles and Permission "
	 "Sets are needed only to create custom fields from the field mapping "
	 "and grant their field-level security (warning).",
	 STEPS("Setup > Users > Profiles > [profile] > System Permissions > "
	       "[permission]: tick it and save.",
	       "Or create a permission set with it (Setup > Users > "
	       "Permission Sets) and assign it to the user.",
	       "Test again.")},
	{SFB_D_LOGIN_HOURS_SET, "login_hours_set", SFB_SEV_WARNING,
	 SFB_KIND_REFUSED, "The user's profile restricts login hours",
	 "The integration user's profile has login hours (below, in minutes "
	 "after midnight in the org's time zone). Outside them "
	 "Salesforce refuses every login, and the integrations stop.",
	 STEPS("Setup > Users > Profiles > [profile] > Login Hours: Edit, clear "
	       "the hours, and save.")},
	{SFB_D_LOGIN_IP_RANGES_RESTRICTIVE, "login_ip_ranges_restrictive",
	 SFB_SEV_WARNING, SFB_KIND_REFUSED,
	 "The user's profile restricts login IP addresses",
	 "The profile's Login IP Ranges (below) don't cover every "
	 "address. This server is inside them now; if its address changes (a "
	 "new host, a cloud NAT), Salesforce will refuse its logins.",
	 STEPS("Setup > Users > Profiles > [profile] > Login IP Ranges: delete "
	       "the ranges, or make one range from 0.0.0.0 to "
	       "255.255.255.255.")},
	{SFB_D_PASSWORD_MAY_EXPIRE, "password_may_expire", SFB_SEV_INFO,
	 SFB_KIND_REFUSED, "The password will expire under the password policy",
	 "The user lacks Password Never Expires, so the password expires "
	 "under the org's password policy: every 90 days by Salesforce's "
	 "default (Setup > Security > Password Policies shows the org's). "
	 "Then logins fail until a new password is set, and the "
	 "new password comes with a new security token.",
	 STEPS("Setup > Users > Profiles > [profile] > System Permissions > "
	       "Password Never Expires (or a permission set with it).",
	       "Or use OAuth client credentials or JWT bearer, which use no "
	       "password.")},
	{SFB_D_API_BUDGET_LOW, "api_budget_low", SFB_SEV_WARNING,
	 SFB_KIND_UNAVAILABLE, "The org's daily API budget is nearly used up",
	 "Salesforce allows the whole org a fixed number of API requests per "
	 "rolling 24 hours, shared by every integration. Less than 10% is "
	 "left. When none is left, every "
	 "integration's calls are refused until the window moves on.",
	 STEPS("See what uses it: Setup > Company Settings > System Overview "
	       "(API requests, last 24 hours).",
	       "Lower other integrations' use, or buy more API capacity.",
	       "sfbridge pauses its syncs when the budget runs out; Test again "
	       "once it recovers.")},
	{SFB_D_LEGACY_AUTH_RETIRING, "legacy_auth_retiring", SFB_SEV_WARNING,
	 SFB_KIND_REFUSED, "Salesforce is retiring this sign-in method",
	 "Username + password + security token logs in with SOAP login(), "
	 "which Salesforce retires in Summer '27 (off by default in orgs "
	 "created in Winter '26 or later), or, with a consumer key, with the "
	 "OAuth username-password flow, blocked by default since Summer '23 "
	 "and retired for connected apps on 20 Feb 2027. From then on these "
	 "credentials stop working.",
	 STEPS("Create an External Client App: Setup > Apps > External Client "
	       "App Manager > New External Client App; enable OAuth, the "
	       "Client Credentials Flow, and set the integration user as its "
	       "Run As user.",
	       "In sfbridge, choose OAuth client credentials with the org's "
	       "My Domain, the consumer key and the consumer secret, and save.",
	       "Or use OAuth JWT bearer with a certificate uploaded to the "
	       "app.")},
};

const struct sfb_diag_def *sfb_diag_def(enum sfb_diag_code id)
{
	if ((unsigned)id >= SFB_D__COUNT)
		return NULL;
	return &table[id];
}

const struct sfb_diag_def *sfb_diag_find(const char *code)
{
	for (size_t i = 0; code && i < SFB_D__COUNT; i++)
		if (strcmp(table[i].code, code) == 0)
			return &table[i];
	return NULL;
}

const char *sfb_severity_name(enum sfb_severity s)
{
	switch (s) {
	case SFB_SEV_ERROR:
		return "error";
	case SFB_SEV_WARNING:
		return "warning";
	case SFB_SEV_INFO:
		return "info";
	}
	return "error";
}

/* ---- invalid_login's causes ---- */

struct cause_def {
	const char *name;
	const char *step;
};

static const struct cause_def causes[SFB_CAUSE__COUNT] = {
	[SFB_CAUSE_TOKEN_RESET] =
		{"token_reset",
		 "The security token was reset since these credentials last "
		 "worked (each reset emails a new token and makes the old one "
		 "invalid). Use the token from the newest email, or get a new "
		 "one: log in as the integration user, profile icon > Settings "
		 "> My Personal Information > Reset My Security Token."},
	[SFB_CAUSE_PASSWORD_CHANGED] =
		{"password_changed",
		 "The password was changed or reset. A new password comes "
		 "with a new security token by email, and the old token stops "
		 "working: enter the current password and the newest token."},
	[SFB_CAUSE_NEW_TOKEN_WRONG] =
		{"new_token_wrong",
		 "The new security token doesn't fit: the password is the one "
		 "that works, so check the token just entered against the "
		 "newest token email (tokens are case-sensitive; each reset "
		 "makes the older ones invalid)."},
	[SFB_CAUSE_WRONG_PASSWORD] =
		{"wrong_password",
		 "The password is wrong: check it by logging in at the login "
		 "host (https://login.salesforce.com, "
		 "https://test.salesforce.com or the org's My Domain) in a "
		 "private/incognito window."},
	[SFB_CAUSE_WRONG_TOKEN] =
		{"wrong_token",
		 "The security token is wrong or outdated: only the newest "
		 "works. Get one: profile icon > Settings > My Personal "
		 "Information > Reset My Security Token (it is emailed to the "
		 "user)."},
	[SFB_CAUSE_WRONG_USERNAME_OR_HOST] =
		{"wrong_username_or_host",
		 "The username doesn't exist at this login host: check it at "
		 "Setup > Users > Users (the Username column), and log in to a "
		 "sandbox (username ending in .sandboxname) at "
		 "test.salesforce.com, to production at login.salesforce.com."},
	[SFB_CAUSE_LOCKED_OUT] =
		{"locked_out",
		 "The user is locked out after too many refused logins: an "
		 "admin unlocks at Setup > Users > Users > [user] > Unlock (the "
		 "button shows only while locked), or the lockout ends by "
		 "itself after the org's lockout period (15 minutes by "
		 "default)."},
	[SFB_CAUSE_USER_INACTIVE] =
		{"user_inactive",
		 "The user is frozen or inactive: Setup > Users > Users > "
		 "[user]: Unfreeze, or tick Active."},
	[SFB_CAUSE_OAUTH_FLOW_BLOCKED] =
		{"oauth_flow_blocked",
		 "The OAuth username-password flow is blocked in this org (the "
		 "default since Summer '23; Salesforce answers it with this "
		 "same refusal): Setup > Identity > OAuth and OpenID Connect "
		 "Settings > Allow OAuth Username-Password Flows. Better: "
		 "switch to OAuth client credentials."},
};

static const char *const tell_apart[] = {
	"To tell these apart: log in at the login host in a private/incognito "
	"window with the username and the password alone. If that works, the "
	"password is right and the token (or the user's API access) is the "
	"problem.",
	"An admin sees the real reason in Setup > Users > Login History: the "
	"Status column says Invalid Password, Password Lockout, User is "
	"frozen, User is inactive, Failed: API security token required, and "
	"so on.",
	NULL,
};

const char *sfb_cause_name(enum sfb_cause c)
{
	return (unsigned)c < SFB_CAUSE__COUNT ? causes[c].name : "unknown";
}

static size_t push(enum sfb_cause *order, size_t k, size_t n, enum sfb_cause c)
{
	for (size_t i = 0; i < k; i++)
		if (order[i] == c)
			return k;
	if (k < n)
		order[k++] = c;
	return k;
}

/* Inserts c at position at (shifting the rest), unless already listed. */
static size_t insert_at(enum sfb_cause *order, size_t k, size_t n, size_t at,
			enum sfb_cause c)
{
	for (size_t i = 0; i < k; i++)
		if (order[i] == c)
			return k;
	if (n == 0 || at > k)
		return k;
	if (k == n)
		k--; /* the last one falls off */
	memmove(order + at + 1, order + at, (k - at) * sizeof(*order));
	order[at] = c;
	return k + 1;
}

/*
 * The order:
 *  - credentials that worked and now don't: something changed in
 *    Salesforce (token reset, password changed), then the user's state;
 *    typos are impossible, so they aren't listed;
 *  - a new Save for the user of the working credentials: what was changed
 *    is the suspect (a new token that doesn't fit; a new password with the
 *    old token, which a password change invalidates);
 *  - a first setup: typos and the wrong host first.
 * The OAuth username-password flow leads a first setup (blocked by
 * default since Summer '23, with this same answer). Three or more recent
 * refusals put the lockout second: the default limit is 10, but orgs may
 * set 3 or 5.
 */
size_t sfb_diag_rank_causes(const struct sfb_login_facts *f,
			    enum sfb_cause *order, size_t n)
{
	static const struct sfb_login_facts none = {0};
	size_t k = 0;

	if (!f)
		f = &none;
	if (f->worked_before) {
		k = push(order, k, n, SFB_CAUSE_TOKEN_RESET);
		k = push(order, k, n, SFB_CAUSE_PASSWORD_CHANGED);
	} else if (f->same_user_as_active && f->token_changed &&
		   !f->password_changed) {
		k = push(order, k, n, SFB_CAUSE_NEW_TOKEN_WRONG);
		k = push(order, k, n, SFB_CAUSE_WRONG_TOKEN);
	} else if (f->same_user_as_active && f->password_changed &&
		   !f->token_changed) {
		k = push(order, k, n, SFB_CAUSE_PASSWORD_CHANGED);
		k = push(order, k, n, SFB_CAUSE_WRONG_PASSWORD);
	} else if (f->same_user_as_active && !f->password_changed &&
		   !f->token_changed) {
		k = push(order, k, n, SFB_CAUSE_TOKEN_RESET);
		k = push(order, k, n, SFB_CAUSE_PASSWORD_CHANGED);
	} else if (f->oauth_password) {
		k = push(order, k, n, SFB_CAUSE_OAUTH_FLOW_BLOCKED);
	}
	if (!f->worked_before)
		k = push(order, k, n, SFB_CAUSE_WRONG_PASSWORD);
	if (f->recent_failures >= 3)
		k = insert_at(order, k, n, k > 0 ? 1 : 0, SFB_CAUSE_LOCKED_OUT);
	if (!f->worked_before) {
		k = push(order, k, n, SFB_CAUSE_WRONG_TOKEN);
		k = push(order, k, n, SFB_CAUSE_WRONG_USERNAME_OR_HOST);
	}
	k = push(order, k, n, SFB_CAUSE_LOCKED_OUT);
	k = push(order, k, n, SFB_CAUSE_USER_INACTIVE);
	if (f->oauth_password)
		k = push(order, k, n, SFB_CAUSE_OAUTH_FLOW_BLOCKED);
	return k;
}

/* ---- lists ---- */

struct sfb_diag *sfb_diags_add(struct sfb_diags *l, enum sfb_diag_code id,
			       json_t *detail)
{
	struct sfb_diag *d;

	if ((unsigned)id >= SFB_D__COUNT) {
		json_decref(detail);
		return NULL;
	}
	if (!detail)
		detail = json_object();
	if (!detail)
		return NULL;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct sfb_diag *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			json_decref(detail);
			return NULL;
		}
		l->v = v;
		l->cap = cap;
	}
	d = &l->v[l->n++];
	d->id = id;
	d->severity = table[id].severity;
	d->detail = detail;
	d->fix = NULL;
	return d;
}

void sfb_diags_release(struct sfb_diags *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		json_decref(l->v[i].detail);
		json_decref(l->v[i].fix);
	}
	free(l->v);
	*l = SFB_DIAGS_INIT;
}

int sfb_diags_take(struct sfb_diags *dst, struct sfb_diags *src)
{
	if (dst->n + src->n > dst->cap) {
		size_t cap = dst->n + src->n;
		struct sfb_diag *v = realloc(dst->v, cap * sizeof(*v));

		if (!v)
			return -1;
		dst->v = v;
		dst->cap = cap;
	}
	if (src->n)
		memcpy(dst->v + dst->n, src->v, src->n * sizeof(*src->v));
	dst->n += src->n;
	free(src->v);
	*src = SFB_DIAGS_INIT;
	return 0;
}

bool sfb_diags_has(const struct sfb_diags *l, enum sfb_diag_code id)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].id == id)
			return true;
	return false;
}

const struct sfb_diag *sfb_diags_first_error(const struct sfb_diags *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].severity == SFB_SEV_ERROR)
			return &l->v[i];
	return NULL;
}

const struct sfb_diag *sfb_diags_cause(const struct sfb_diags *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].severity == SFB_SEV_ERROR &&
		    l->v[i].id != SFB_D_CREDENTIALS_STOPPED_WORKING)
			return &l->v[i];
	return sfb_diags_first_error(l);
}

bool sfb_diags_has_error(const struct sfb_diags *l)
{
	return sfb_diags_first_error(l) != NULL;
}

int sfb_diags_exit_code(const struct sfb_diags *l)
{
	int rc = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].severity != SFB_SEV_ERROR)
			continue;
		if (table[l->v[i].id].kind == SFB_KIND_UNAVAILABLE)
			return 3;
		rc = 2;
	}
	return rc;
}

/* ---- rendering ---- */

/* s with [user], [profile], [permission] and [app] filled in from detail. */
static json_t *fill(const char *s, json_t *detail)
{
	static const struct {
		const char *mark, *key;
	} marks[] = {
		{"[user]", "username"},
		{"[profile]", "profile"},
		{"[permission]", "permissionLabel"},
		{"[app]", "app"},
	};
	char out[2048];
	size_t o = 0;

	while (*s && o + 1 < sizeof(out)) {
		bool done = false;

		for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
			size_t ml = strlen(marks[i].mark);
			const char *v = json_string_value(
				json_object_get(detail, marks[i].key));

			if (strncmp(s, marks[i].mark, ml) != 0 || !v || !*v)
				continue;
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%s", v);
			if (o >= sizeof(out))
				o = sizeof(out) - 1;
			s += ml;
			done = true;
			break;
		}
		if (!done)
			out[o++] = *s++;
	}
	out[o] = '\0';
	return json_string(out);
}

/* The steps of d as an array of strings (new reference). */
static json_t *fix_steps(const struct sfb_diag *d)
{
	json_t *a = json_array(), *v;
	size_t i;

	if (d->fix) {
		json_array_foreach(d->fix, i, v)
			json_array_append_new(a, fill(json_string_value(v),
						      d->detail));
		return a;
	}
	for (const char *const *p = table[d->id].fix; *p; p++)
		json_array_append_new(a, fill(*p, d->detail));
	return a;
}

json_t *sfb_diag_to_json(const struct sfb_diag *d)
{
	const struct sfb_diag_def *def = &table[d->id];

	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:O}", "code", def->code,
			 "severity", sfb_severity_name(d->severity), "title",
			 def->title, "explanation", def->explanation, "fix",
			 fix_steps(d), "detail", d->detail);
}

json_t *sfb_diags_to_json(const struct sfb_diags *l)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < l->n; i++)
		json_array_append_new(a, sfb_diag_to_json(&l->v[i]));
	return a;
}

/* Words of s from column col (what is before it is printed already),
 * wrapped at width; continuation lines start with `indent` spaces. */
static void wrap(FILE *f, const char *s, int indent, int col, int width)
{
	while (*s) {
		size_t w = strcspn(s, " ");

		if (col > indent && col + 1 + (int)w > width) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fwrite(s, 1, w, f);
		col += (int)w;
		s += w;
		while (*s == ' ')
			s++;
	}
	fputc('\n', f);
}

/* A detail value worth a line in the terminal (numbers and short text). */
static void print_detail(FILE *f, json_t *detail)
{
	const char *key;
	json_t *v;

	json_object_foreach(detail, key, v) {
		char *text;

		if (!strcmp(key, "permissionLabel"))
			continue;
		if (!strcmp(key, "salesforce") && json_is_object(v)) {
			const char *c = json_string_value(json_object_get(v, "code"));
			const char *m = json_string_value(json_object_get(v, "message"));

			fprintf(f, "    Salesforce said: %s%s%s (HTTP %lld)\n",
				c && *c ? c : "", c && *c && m && *m ? ": " : "",
				m ? m : "",
				(long long)json_integer_value(
					json_object_get(v, "httpStatus")));
			continue;
		}
		if (json_is_string(v)) {
			fprintf(f, "    %s: %s\n", key, json_string_value(v));
			continue;
		}
		text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (text && strlen(text) <= 160)
			fprintf(f, "    %s: %s\n", key, text);
		free(text);
	}
}

void sfb_diag_print(FILE *f, const struct sfb_diag *d)
{
	const struct sfb_diag_def *def = &table[d->id];
	json_t *steps = fix_steps(d), *v;
	size_t i;
	char head[64];

	fprintf(f, "%s [%s] %s\n", sfb_severity_name(d->severity), def->code,
		def->title);
	fputs("    ", f);
	wrap(f, def->explanation, 4, 4, 78);
	if (json_object_size(d->detail))
		print_detail(f, d->detail);
	fprintf(f, "  To fix:\n");
	json_array_foreach(steps, i, v) {
		snprintf(head, sizeof(head), "    %zu. ", i + 1);
		fputs(head, f);
		wrap(f, json_string_value(v), (int)strlen(head),
		     (int)strlen(head), 78);
	}
	json_decref(steps);
}

/* ---- invalid_login ---- */

struct sfb_diag *sfb_diags_add_invalid_login(struct sfb_diags *l,
					     const struct sfb_login_facts *f,
					     json_t *detail)
{
	enum sfb_cause order[SFB_CAUSE__COUNT];
	size_t n = sfb_diag_rank_causes(f, order, SFB_CAUSE__COUNT);
	json_t *names = json_array(), *steps = json_array();
	struct sfb_diag *d;

	if (!detail)
		detail = json_object();
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(names, json_string(causes[order[i]].name));
		json_array_append_new(steps, json_string(causes[order[i]].step));
	}
	for (const char *const *p = tell_apart; *p; p++)
		json_array_append_new(steps, json_string(*p));
	json_object_set_new(detail, "causes", names);
	if (f && f->recent_failures > 0)
		json_object_set_new(detail, "recentFailures",
				    json_integer(f->recent_failures));
	d = sfb_diags_add(l, SFB_D_INVALID_LOGIN, detail);
	if (d)
		d->fix = steps;
	else
		json_decref(steps);
	return d;
}

/* ---- sf_error -> diagnosis ---- */

static bool is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static bool has(const char *text, const char *needle)
{
	size_t m = strlen(needle);

	for (const char *p = text; *p; p++)
		if (strncasecmp(p, needle, m) == 0)
			return true;
	return false;
}

/*
 * salesforce-protocol.md 1.6, 2.6 and 7.1; docs/sfemu.md's login table.
 * The code decides where it can, Salesforce's text where one code has
 * several meanings (invalid_grant, INVALID_OPERATION, REQUEST_LIMIT_
 * EXCEEDED), and the class for what has no code (no reply, an HTML page).
 */
enum sfb_diag_code sfb_diag_code_for_error(const struct sf_error *e,
					   enum sfb_auth_kind auth)
{
	const char *c = e->code, *t = e->raw;

	if (e->cls == SF_CLASS_NETWORK)
		return SFB_D_NETWORK_UNREACHABLE;
	if (e->cls == SF_CLASS_TLS)
		return SFB_D_TLS_FAILED;
	if (has(t, "Login Rate Exceeded") || is(c, "rate_limit_exceeded") ||
	    has(t, "number of logins exceeded"))
		return SFB_D_LOGIN_RATE_EXCEEDED;
	if (is(c, "REQUEST_LIMIT_EXCEEDED"))
		return has(t, "TotalRequests") ? SFB_D_API_BUDGET_LOW
					       : SFB_D_SALESFORCE_UNAVAILABLE;
	if (is(c, "LOGIN_MUST_USE_SECURITY_TOKEN") ||
	    is(c, "LOGIN_CHALLENGE_ISSUED") || is(c, "LOGIN_CHALLENGE_PENDING"))
		return SFB_D_SECURITY_TOKEN_REQUIRED;
	if (is(c, "INVALID_LOGIN") || is(c, "PASSWORD_LOCKOUT") ||
	    is(c, "inactive_user"))
		return SFB_D_INVALID_LOGIN;
	if (is(c, "API_DISABLED_FOR_ORG") || is(c, "FUNCTIONALITY_NOT_ENABLED"))
		return SFB_D_API_DISABLED_FOR_ORG;
	if (is(c, "API_CURRENTLY_DISABLED"))
		return SFB_D_API_DISABLED_FOR_USER;
	if (is(c, "LOGIN_DURING_RESTRICTED_TIME"))
		return SFB_D_LOGIN_HOURS_RESTRICTED;
	if (is(c, "LOGIN_DURING_RESTRICTED_DOMAIN"))
		return SFB_D_IP_RESTRICTED;
	if (is(c, "passwordExpired") ||
	    is(c, "INVALID_OPERATION_WITH_EXPIRED_PASSWORD") ||
	    e->cls == SF_CLASS_PASSWORD_EXPIRED)
		return SFB_D_PASSWORD_EXPIRED;
	if (is(c, "INVALID_OPERATION") && has(t, "login"))
		return SFB_D_SOAP_LOGIN_UNAVAILABLE;
	if (is(c, "UNSUPPORTED_CLIENT") && auth == SFB_AUTH_SOAP)
		return SFB_D_SOAP_LOGIN_UNAVAILABLE;
	if (is(c, "INSUFFICIENT_ACCESS") || is(c, "INSUFFICIENT_ACCESS_OR_READONLY"))
		return SFB_D_MISSING_PERMISSION;
	if (is(c, "invalid_client_id") || is(c, "invalid_client") ||
	    is(c, "invalid_client_credentials") ||
	    is(c, "unsupported_grant_type") || is(c, "INVALID_CLIENT") ||
	    (is(c, "INVALID_SESSION_ID") && e->cls == SF_CLASS_POLICY))
		return SFB_D_OAUTH_CLIENT_INVALID;
	if (is(c, "invalid_app_access"))
		return SFB_D_OAUTH_USER_NOT_APPROVED;
	if (is(c, "invalid_grant")) {
		if (has(t, "IP restricted") || has(t, "login hours"))
			return SFB_D_IP_RESTRICTED;
		if (has(t, "approved"))
			return SFB_D_OAUTH_USER_NOT_APPROVED;
		if (has(t, "client credentials user") ||
		    has(t, "not supported on this domain"))
			return SFB_D_OAUTH_CLIENT_INVALID;
		if (auth == SFB_AUTH_JWT)
			return SFB_D_OAUTH_JWT_REJECTED;
		return SFB_D_INVALID_LOGIN;
	}
	if (is(c, "ORG_LOCKED") || is(c, "TRIAL_EXPIRED") ||
	    is(c, "inactive_org") || is(c, "ORG_SUSPENDED"))
		return SFB_D_ORG_UNAVAILABLE;
	if (is(c, "ORG_IN_MAINTENANCE") || is(c, "SERVER_UNAVAILABLE") ||
	    e->cls == SF_CLASS_TRANSIENT || e->cls == SF_CLASS_THROTTLE ||
	    e->http_status >= 500)
		return SFB_D_SALESFORCE_UNAVAILABLE;
	switch (e->cls) {
	case SF_CLASS_CREDENTIAL:
		return auth == SFB_AUTH_JWT ? SFB_D_OAUTH_JWT_REJECTED
					    : SFB_D_INVALID_LOGIN;
	case SF_CLASS_POLICY:
		return SFB_D_ORG_UNAVAILABLE;
	case SF_CLASS_TIME_WINDOW:
		return SFB_D_LOGIN_HOURS_RESTRICTED;
	case SF_CLASS_SESSION:
		return SFB_D_SALESFORCE_UNAVAILABLE;
	default:
		/* No code we know, or none at all: an HTML page, a 404 for
		 * the login path, a reply of the wrong shape. */
		return SFB_D_NOT_SALESFORCE;
	}
}

static const char *auth_name(enum sfb_auth_kind auth)
{
	switch (auth) {
	case SFB_AUTH_SOAP:
		return "soap";
	case SFB_AUTH_OAUTH_PASSWORD:
		return "oauth-password";
	case SFB_AUTH_CLIENT_CREDENTIALS:
		return "client-credentials";
	case SFB_AUTH_JWT:
		return "jwt";
	}
	return "unknown";
}

struct sfb_diag *sfb_diag_from_error(struct sfb_diags *l,
				     const struct sf_error *e,
				     enum sfb_auth_kind auth,
				     const struct sfb_login_facts *facts)
{
	enum sfb_diag_code id = sfb_diag_code_for_error(e, auth);
	json_t *detail = json_object();
	struct sfb_diag *d;

	if (e->code[0] || e->raw[0] || e->http_status)
		json_object_set_new(
			detail, "salesforce",
			json_pack("{s:s, s:s, s:i}", "code", e->code, "message",
				  e->raw, "httpStatus", e->http_status));
	json_object_set_new(detail, "flow", json_string(auth_name(auth)));
	switch (id) {
	case SFB_D_NETWORK_UNREACHABLE:
	case SFB_D_TLS_FAILED:
	case SFB_D_NOT_SALESFORCE:
		json_object_set_new(detail, "reason", json_string(e->message));
		break;
	case SFB_D_IP_RESTRICTED:
		json_object_set_new(detail, "mayBeLoginHours",
				    json_boolean(is(e->code, "invalid_grant")));
		break;
	case SFB_D_MISSING_PERMISSION:
		/* Refused at login: SOAP login() needs Use Any API Auth
		 * (salesforce-protocol.md section 0); on a data call, the
		 * user lacks some access we can't name. */
		json_object_set_new(detail, "permission",
				    json_string(auth == SFB_AUTH_SOAP
							? "UseAnyApiAuth"
							: "ViewSetup"));
		json_object_set_new(detail, "permissionLabel",
				    json_string(auth == SFB_AUTH_SOAP
							? "Use Any API Auth"
							: "View Setup and "
							  "Configuration"));
		break;
	case SFB_D_API_BUDGET_LOW:
		if (e->api_max > 0) {
			json_object_set_new(detail, "used",
					    json_integer(e->api_used));
			json_object_set_new(detail, "max",
					    json_integer(e->api_max));
		}
		json_object_set_new(detail, "remaining", json_integer(0));
		break;
	default:
		break;
	}
	if (id == SFB_D_INVALID_LOGIN) {
		struct sfb_login_facts f = facts ? *facts : (struct sfb_login_facts){0};

		f.oauth_password = f.oauth_password || auth == SFB_AUTH_OAUTH_PASSWORD;
		return sfb_diags_add_invalid_login(l, &f, detail);
	}
	d = sfb_diags_add(l, id, detail);
	/* A spent daily budget blocks the validation, unlike a low one. */
	if (d && id == SFB_D_API_BUDGET_LOW)
		d->severity = SFB_SEV_ERROR;
	return d;
}
