/* auth_int.h - the auth providers behind one interface: credentials in, a session out. */
#ifndef SF_AUTH_INT_H
#define SF_AUTH_INT_H

#include <libxml/tree.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "sf/client.h"
#include "sf/error.h"
#include "sf/secret.h"
#include "sf/transport.h"

/*
 * The client's own copy of struct sf_credentials: immutable once made and
 * refcounted, so that a login in flight keeps the credentials it started
 * with while another thread replaces them. Secrets are wiped when the last
 * reference goes.
 */
struct sf_creds {
	atomic_int refs;
	enum sf_auth_method method;
	struct sf_target target;
	char *username; /* NULL when not given */
	char *consumer_key;
	char instance_url[256]; /* access token: checked scheme://host[:port] */
	struct sf_secret *password;
	struct sf_secret *security_token;
	struct sf_secret *consumer_secret;
	struct sf_secret *private_key_pem;
	struct sf_secret *refresh_token;
	struct sf_secret *access_token;
};

/*
 * Copies and checks cred for its method (the fields it needs are there, the
 * target passes sf_target_parse's rules again, a JWT key parses, client
 * credentials don't aim at login/test.salesforce.com): nothing goes on the
 * network. Caller owns *out (sf__creds_unref).
 */
int sf__creds_new(const struct sf_credentials *cred, bool allow_http_loopback,
		  struct sf_creds **out, struct sf_error *err);
struct sf_creds *sf__creds_ref(struct sf_creds *c);
void sf__creds_unref(struct sf_creds *c);

/* What a provider needs from the client; borrowed for the call. */
struct sf_auth_env {
	struct sf_transport *tp;
	const struct sf_logger *log;
	const char *api_version; /* "60.0" */
	bool allow_http_loopback;
};

/* A session as a login made it. */
struct sf_auth_result {
	struct sf_secret *token; /* session id / access token */
	char instance_url[256];  /* scheme://host[:port], checked */
	char org_id[19];         /* "" when the reply didn't say */
	char user_id[19];
	int64_t issued_ms;
	int64_t expires_ms; /* 0: unknown */
};

void sf__auth_result_release(struct sf_auth_result *r);

/*
 * One login by cr->method: at most one HTTP request (none for an access
 * token). 0 with *out filled (release it), or err classified from the reply
 * (a refusal is SF_CLASS_CREDENTIAL, _POLICY, _TIME_WINDOW or
 * _PASSWORD_EXPIRED). The caller counts, logs and guards.
 */
int sf__auth_login(const struct sf_auth_env *env, const struct sf_creds *cr,
		   struct sf_auth_result *out, struct sf_error *err);

/* "soap", "oauth-password", "client-credentials", "jwt", "refresh-token",
 * "access-token". */
const char *sf__auth_method_name(enum sf_auth_method m);

/* The providers (auth_soap.c, auth_oauth.c, auth_jwt.c). */
int sf__auth_soap(const struct sf_auth_env *env, const struct sf_creds *cr,
		  struct sf_auth_result *out, struct sf_error *err);
int sf__auth_oauth_password(const struct sf_auth_env *env,
			    const struct sf_creds *cr,
			    struct sf_auth_result *out, struct sf_error *err);
int sf__auth_client_credentials(const struct sf_auth_env *env,
				const struct sf_creds *cr,
				struct sf_auth_result *out,
				struct sf_error *err);
int sf__auth_refresh_token(const struct sf_auth_env *env,
			   const struct sf_creds *cr,
			   struct sf_auth_result *out, struct sf_error *err);
int sf__auth_jwt(const struct sf_auth_env *env, const struct sf_creds *cr,
		 struct sf_auth_result *out, struct sf_error *err);

/*
 * POSTs a form (built in wiped memory by the caller) to the target's
 * /services/oauth2/token, with "Authorization: Basic <basic>" when basic is
 * set, and reads the token reply: access_token and instance_url required;
 * org and user id from the last two segments of "id"; issued_at (ms);
 * when consumer_secret is set and the reply has a signature, checks that it
 * is Base64(HMAC-SHA256(consumer_secret, id + issued_at)) (a mismatch is
 * SF_CLASS_INVALID_REQUEST).
 */
int sf__oauth_token(const struct sf_auth_env *env, const struct sf_creds *cr,
		    const struct base_buf *form, const struct sf_secret *basic,
		    struct sf_auth_result *out, struct sf_error *err);

/* Appends "&name=" (no '&' when b is empty) and then value bytes,
 * form-encoded; secret-safe (no copies). */
void sf__form_name(struct base_buf *b, const char *name);
void sf__form_value(struct base_buf *b, const char *p, size_t n);

/*
 * The JWT bearer assertion: base64url({"alg":"RS256"}) "."
 * base64url({"iss","sub","aud","exp"}) "." base64url(RS256 signature) into
 * out (use a secret buffer). The audience is sf__jwt_audience's.
 */
int sf__jwt_assertion(const struct sf_secret *pem, const char *iss,
		      const char *sub, const char *aud, int64_t exp_s,
		      struct base_buf *out, struct sf_error *err);
/* https://login.salesforce.com, https://test.salesforce.com for a sandbox
 * target, or the URL itself for an SF_TARGET_URL target. */
void sf__jwt_audience(const struct sf_target *t, char *out, size_t n);
/* 0 when pem holds an unencrypted RSA private key. */
int sf__jwt_check_key(const struct sf_secret *pem, struct sf_error *err);

/* parse.c's XML reader (no DTD, no network, silent); NULL when the text is
 * not such a document. Caller frees with xmlFreeDoc. */
xmlDoc *sf__xml_read(const char *body, size_t len);

/*
 * Appends "Authorization: <scheme> <secret>" ("Bearer" when scheme is NULL)
 * to a secret buffer: the one place outside auth*.c that needs a secret's
 * bytes (the transport's header) gets them here.
 */
void sf__auth_header(struct base_buf *out, const char *scheme,
		     const struct sf_secret *secret);

/* A 15- or 18-character Salesforce id (letters and digits). */
bool sf__is_sfid(const char *s, size_t n);

#endif
