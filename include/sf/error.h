/* error.h - libsf's one error type: what Salesforce said, and what a caller should do about it. */
#ifndef SF_ERROR_H
#define SF_ERROR_H

#include <stdbool.h>

/*
 * The class decides what a caller does (../shared/reference/
 * salesforce-protocol.md 7.1). Never retry a login for credential, policy,
 * time_window or password_expired: each retry risks a lockout.
 */
enum sf_class {
	SF_CLASS_NONE = 0,
	SF_CLASS_CREDENTIAL,       /* INVALID_LOGIN, invalid_grant, bad client id/secret */
	SF_CLASS_POLICY,           /* API disabled, restricted IP, SOAP login off, ... */
	SF_CLASS_TIME_WINDOW,      /* LOGIN_DURING_RESTRICTED_TIME */
	SF_CLASS_PASSWORD_EXPIRED, /* passwordExpired=true, INVALID_OPERATION_WITH_EXPIRED_PASSWORD */
	SF_CLASS_SESSION,          /* INVALID_SESSION_ID: re-authenticate once */
	SF_CLASS_THROTTLE,         /* REQUEST_LIMIT_EXCEEDED, login rate: back off */
	SF_CLASS_TRANSIENT,        /* 503, UNABLE_TO_LOCK_ROW, resets: retry with backoff */
	SF_CLASS_NOT_FOUND,        /* NOT_FOUND, ENTITY_IS_DELETED */
	SF_CLASS_INVALID_REQUEST,  /* the request itself is wrong: don't retry */
	SF_CLASS_NETWORK,          /* no answer: DNS, connect, timeout */
	SF_CLASS_TLS,              /* certificate or handshake failure */
};

/*
 * Value type; no secret is ever copied into it. Functions that fail fill it
 * and return a negative base code (BASE_EAUTH for the login classes,
 * BASE_ERETRY for throttle/transient/network, BASE_ENOTFOUND, BASE_EINVAL,
 * BASE_EPROTO for replies libsf cannot parse).
 */
struct sf_error {
	enum sf_class cls;
	int http_status;      /* 0 when no reply arrived */
	char code[64];        /* "INVALID_LOGIN", "invalid_grant", "REQUEST_LIMIT_EXCEEDED", "" */
	char message[512];    /* one line for logs: "login: http 500: INVALID_LOGIN: ..." */
	char raw[1024];       /* Salesforce's own text (faultstring, error_description, message), for display */
	char fields[8][64];   /* fields named by the error */
	int nfields;
	long long api_used;   /* Sforce-Limit-Info at the time, -1 when unknown */
	long long api_max;
};

#define SF_ERROR_INIT ((struct sf_error){.api_used = -1, .api_max = -1})

/* "credential", "policy", ... ("none" for SF_CLASS_NONE). */
const char *sf_class_name(enum sf_class cls);
void sf_error_clear(struct sf_error *err);
/* True for throttle, transient and network: the same call may succeed later. */
bool sf_error_is_retryable(const struct sf_error *err);
/* True for the classes of a refused login, which must never be retried. */
bool sf_error_is_login_refusal(const struct sf_error *err);

#endif
