/* login.h - decide a login attempt the way Salesforce does, and record it. */
#ifndef EMU_LOGIN_H
#define EMU_LOGIN_H

#include <stdbool.h>
#include <stddef.h>

#include "org.h"

enum emu_login_channel {
	EMU_LOGIN_SOAP,              /* login() on the Partner or Enterprise API */
	EMU_LOGIN_OAUTH_PASSWORD,    /* grant_type=password */
	EMU_LOGIN_OAUTH_CLIENT,      /* grant_type=client_credentials (run-as user) */
	EMU_LOGIN_OAUTH_JWT,         /* JWT bearer */
	EMU_LOGIN_OAUTH_REFRESH,     /* grant_type=refresh_token */
};

enum emu_login_outcome {
	EMU_LOGIN_OK = 0,
	EMU_LOGIN_INVALID,           /* INVALID_LOGIN / invalid_grant authentication failure */
	EMU_LOGIN_NEED_TOKEN,        /* LOGIN_MUST_USE_SECURITY_TOKEN */
	EMU_LOGIN_API_DISABLED_ORG,  /* API_DISABLED_FOR_ORG */
	EMU_LOGIN_API_DISABLED_USER, /* API_CURRENTLY_DISABLED */
	EMU_LOGIN_RESTRICTED_IP,     /* LOGIN_DURING_RESTRICTED_DOMAIN */
	EMU_LOGIN_RESTRICTED_TIME,   /* LOGIN_DURING_RESTRICTED_TIME */
	EMU_LOGIN_RATE_EXCEEDED,     /* login rate exceeded */
	EMU_LOGIN_NO_API_AUTH,       /* INSUFFICIENT_ACCESS: no Use Any API Auth */
};

struct emu_login_attempt {
	enum emu_login_channel channel;
	const char *client_ip;
	const char *api_type;    /* LoginHistory ApiType: "SOAP Partner", ... */
	const char *api_version; /* "60.0", or "" */
	const char *application; /* connected app name, or "N/A" */
	const char *login_url;   /* host the client called */
};

struct emu_login_result {
	enum emu_login_outcome outcome;
	struct emu_user user;    /* filled when the user was found */
	bool user_found;
	bool password_expired;   /* success with passwordExpired=true */
	const char *status;      /* the LoginHistory status written */
};

/*
 * Checks username + (password || token) and the user's policies. Every
 * refused credential counts toward lockout; the attempt is written to
 * LoginHistory whatever the outcome. Returns 0 with `res` filled, or a
 * negative code when the store failed (then nothing was decided).
 */
int emu_login_password(struct emu_org *org, const struct emu_login_attempt *a,
		       const char *username, const char *password, size_t len,
		       struct emu_login_result *res, struct base_err *err);

/*
 * For flows that prove the app, not a password (JWT, client credentials,
 * refresh token): checks that `u` may log in now, and records the attempt.
 */
int emu_login_user(struct emu_org *org, const struct emu_login_attempt *a,
		   const struct emu_user *u, struct emu_login_result *res,
		   struct base_err *err);

/* true when the profile's login hours allow a login at the org clock's now. */
bool emu_login_hours_ok(struct emu_org *org, json_t *login_hours);
/* true when the profile has no login IP ranges, or ip is inside one. */
bool emu_login_ip_in_profile(json_t *ranges, const char *ip);

#endif
