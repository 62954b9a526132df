/* client.h - a connection to one Salesforce org: login target, credentials, the shared session. */
#ifndef SF_CLIENT_H
#define SF_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "sf/error.h"
#include "sf/secret.h"

/* Where to log in. */
enum sf_target_kind {
	SF_TARGET_PRODUCTION, /* https://login.salesforce.com */
	SF_TARGET_SANDBOX,    /* https://test.salesforce.com */
	SF_TARGET_MYDOMAIN,   /* https://NAME.my.salesforce.com, or NAME--BOX.sandbox.my... */
	SF_TARGET_URL,        /* an explicit https URL, or http on loopback */
};

struct sf_target {
	enum sf_target_kind kind;
	char value[256]; /* My Domain name ("acme", "acme--uat") or the URL */
};

/*
 * Parses "production", "sandbox", "mydomain:NAME" or a URL. A URL must be
 * https on a Salesforce host (*.salesforce.com, *.force.com) unless
 * allow_http_loopback and it is http on 127.0.0.0/8, ::1 or localhost, or
 * the host is in the comma-separated allow-list SF_ALLOWED_HOSTS. Fails
 * with SF_CLASS_INVALID_REQUEST and says why.
 */
int sf_target_parse(const char *spec, bool allow_http_loopback,
		    struct sf_target *out, struct sf_error *err);
/* "https://login.salesforce.com", "https://acme.my.salesforce.com", ... */
void sf_target_base_url(const struct sf_target *t, char *out, size_t n);
/* True for a sandbox target (test.salesforce.com or a sandbox My Domain). */
bool sf_target_is_sandbox(const struct sf_target *t);

enum sf_auth_method {
	SF_AUTH_SOAP_PASSWORD,      /* login() on the Partner API, password+token */
	SF_AUTH_OAUTH_PASSWORD,     /* grant_type=password (consumer key+secret) */
	SF_AUTH_CLIENT_CREDENTIALS, /* grant_type=client_credentials, My Domain only */
	SF_AUTH_JWT,                /* JWT bearer, RS256 with the private key */
	SF_AUTH_REFRESH_TOKEN,      /* grant_type=refresh_token */
	SF_AUTH_ACCESS_TOKEN,       /* a token the caller already has */
};

/*
 * What a login needs; which fields matter depends on the method. The client
 * copies everything (secrets included) in sf_client_set_credentials.
 */
struct sf_credentials {
	enum sf_auth_method method;
	struct sf_target target;
	const char *username;
	const struct sf_secret *password;
	const struct sf_secret *security_token;  /* appended to the password */
	const char *consumer_key;
	const struct sf_secret *consumer_secret;
	const struct sf_secret *private_key_pem; /* JWT */
	const struct sf_secret *refresh_token;
	const struct sf_secret *access_token;
	const char *instance_url;                /* with an access token */
};

/* Log lines reach the callback already redacted: no token, password,
 * session id or Authorization value ever appears in one. */
enum sf_log_level { SF_LOG_DEBUG, SF_LOG_INFO, SF_LOG_WARN, SF_LOG_ERROR };
typedef void (*sf_log_fn)(void *ctx, enum sf_log_level level, const char *line);

struct sf_client_options {
	const char *api_version;  /* "60.0" by default; SOAP login uses min(this, 64.0) */
	long connect_timeout_ms;  /* 10,000 by default */
	long timeout_ms;          /* whole request; 120,000 by default */
	int max_retries;          /* for throttle/transient on idempotent calls; 4 by default */
	long backoff_base_ms;     /* first backoff, doubled each time, capped, with jitter; 500 */
	long backoff_max_ms;      /* 30,000 */
	const char *ca_file;      /* extra CA bundle (PEM) */
	bool allow_http_loopback; /* plain http to 127.0.0.1 / localhost (sfemu) */
	const char *user_agent;   /* "sfbridge/1.0" by default */
	sf_log_fn log;            /* may be NULL */
	void *log_ctx;
	/* Wire trace through `log` at SF_LOG_DEBUG, off by default: request and
	 * reply headers with Authorization/Cookie values redacted; with
	 * log_bodies also whole bodies, after redacting session ids,
	 * passwords, tokens, client secrets and assertions (base/redact.h). */
	bool log_http;
	bool log_bodies;          /* implies log_http */
};

/*
 * A client is internally locked: any number of threads may share it, and
 * they share one session. Caller owns the result (sf_client_free).
 */
struct sf_client;
int sf_client_new(const struct sf_client_options *o, struct sf_client **out,
		  struct sf_error *err);
void sf_client_free(struct sf_client *c);

/*
 * Replaces the credentials (copied) and resets the login guard, so that the
 * next call may log in once. Drops the current session.
 */
int sf_client_set_credentials(struct sf_client *c,
			      const struct sf_credentials *cred,
			      struct sf_error *err);
/*
 * Logs in now: exactly one attempt. After a refused login (credential,
 * policy, time window, password expired) the client refuses every further
 * login, returning the same error, until sf_client_set_credentials.
 */
int sf_client_login(struct sf_client *c, struct sf_error *err);

/* What the current session is (copied out). */
struct sf_session_info {
	bool active;
	char instance_url[256];
	char org_id[19];
	char user_id[19];
	char username[256];
	int64_t issued_ms;
	int64_t expires_ms;   /* best estimate: issued + sessionSecondsValid, or 0 */
	bool password_expired;
};
void sf_client_session(struct sf_client *c, struct sf_session_info *out);

/* The org's API budget as the last reply's Sforce-Limit-Info told it. */
struct sf_api_usage {
	long long used;       /* -1 until a reply said */
	long long max;
	long long calls;      /* HTTP calls this client made (logins included) */
	long long logins;     /* login attempts this client made */
};
void sf_client_api_usage(struct sf_client *c, struct sf_api_usage *out);

/* "60.0". Borrowed for the client's lifetime. */
const char *sf_client_api_version(const struct sf_client *c);

/* Once per process, before threads start (curl and OpenSSL init). */
int sf_global_init(struct sf_error *err);
void sf_global_cleanup(void);

#endif
