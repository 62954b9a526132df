/* client.c - one org's client: credentials, the shared session, the login guard, sf__call. */
#include "sf/client.h"

#include <curl/curl.h>
#include <errno.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/datetime.h"
#include "base/err.h"
#include "sf/auth_int.h"
#include "sf/error_int.h"
#include "sf/internal.h"
#include "sf/transport.h"
#include "base/banned.h"

/*
 * Locking: c->lock guards the credentials, the session and the login state
 * (fields marked below); no network call is ever made with it held. The
 * counters and the API usage are atomics. A login runs with the lock
 * released and login_running set; any thread that needs a session meanwhile
 * waits on c->cond for that login's outcome instead of starting its own.
 *
 * The login guard: a login that Salesforce refused (credential, policy,
 * time window, password expired, and also invalid_request / not_found,
 * which retrying can't fix either) is stored, and every later login (by
 * sf_client_login or by any call that needs a session) returns it without
 * touching the network, until sf_client_set_credentials. A login refused
 * for its rate (throttle) holds further logins off for LOGIN_HOLDOFF_MS
 * (Salesforce blocks the user for about an hour, salesforce-protocol.md
 * 1.6), also reset by sf_client_set_credentials. Network, TLS and
 * transient failures are not stored: the next call may try again, once.
 *
 * Session generations: each installed session gets a new generation. A
 * call that gets 401 INVALID_SESSION_ID asks for a session newer than the
 * one it used; if another thread already replaced it, the call just retries
 * with the new token, so N threads with one expired token cause one login.
 */

#define LOGIN_HOLDOFF_MS    (60LL * 60 * 1000)
#define DEFAULT_API_VERSION "60.0"

struct sf_session {
	struct sf_secret *token; /* NULL: no session */
	char instance_url[256];
	char org_id[19];
	char user_id[19];
	int64_t issued_ms;
	int64_t expires_ms;
	/* a call got INVALID_OPERATION_WITH_EXPIRED_PASSWORD */
	bool password_expired;
};

struct sf_client {
	/* immutable after sf_client_new */
	char api_version[16];
	bool allow_http_loopback;
	int max_retries;
	long backoff_base_ms, backoff_max_ms;
	struct sf_logger log;
	struct sf_transport *tp;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct sf_creds *creds;         /* guarded by lock; NULL before set */
	uint64_t cred_epoch;            /* guarded by lock */
	struct sf_session sess;         /* guarded by lock */
	uint64_t generation;            /* guarded by lock */
	bool login_running;             /* guarded by lock */
	uint64_t login_seq;             /* guarded by lock: logins finished */
	int last_login_rc;              /* guarded by lock */
	struct sf_error last_login_err; /* guarded by lock */
	bool refused;                   /* guarded by lock: the login guard */
	int refusal_rc;                 /* guarded by lock */
	struct sf_error refusal;        /* guarded by lock */
	int64_t holdoff_until_ms;       /* guarded by lock: monotonic clock */
	struct sf_error holdoff_err;    /* guarded by lock */

	atomic_llong api_used, api_max, logins;
	atomic_uint_fast64_t rng;

	/* rest.c's describe cache (internal.h); never touched here. */
	_Atomic(struct sf_describe_cache *) describe_cache;
};

/* A call's copy of the session it uses. */
struct snap {
	struct sf_secret *token;
	char instance_url[256];
	uint64_t gen;
	enum sf_auth_method method;
};

int sf_global_init(struct sf_error *err)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return sf__error_set(err, SF_CLASS_NONE, 0, NULL,
				     "global init: curl_global_init failed");
	xmlInitParser();
	return 0;
}

/* libxml2 is left initialised: xmlCleanupParser would pull it from under
 * any other user in the process (sfbridge, sfemu in one test binary). */
void sf_global_cleanup(void)
{
	curl_global_cleanup();
}

_Atomic(struct sf_describe_cache *) *
sf__client_describe_slot(struct sf_client *c)
{
	return &c->describe_cache;
}

static void session_clear(struct sf_session *s)
{
	sf_secret_free(s->token);
	memset(s, 0, sizeof(*s));
}

/* "60.0": one or more digits, '.', one digit. */
static bool api_version_ok(const char *v)
{
	size_t i = 0;

	while (v[i] >= '0' && v[i] <= '9')
		i++;
	return i > 0 && i <= 3 && v[i] == '.' && v[i + 1] >= '0' &&
	       v[i + 1] <= '9' && v[i + 2] == '\0';
}

int sf_client_new(const struct sf_client_options *o, struct sf_client **out,
		  struct sf_error *err)
{
	static const struct sf_client_options defaults = {0};
	struct sf_client *c;
	int rc;

	*out = NULL;
	if (!o)
		o = &defaults;
	if (o->api_version && !api_version_ok(o->api_version))
		return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				     "api_version '%.20s' is not like 60.0",
				     o->api_version);
	c = calloc(1, sizeof(*c));
	if (!c) {
		sf__error_set(err, SF_CLASS_NONE, 0, NULL,
			      "client: out of memory");
		return BASE_ENOMEM;
	}
	snprintf(c->api_version, sizeof(c->api_version), "%s",
		 o->api_version ? o->api_version : DEFAULT_API_VERSION);
	c->allow_http_loopback = o->allow_http_loopback;
	c->max_retries = o->max_retries > 0 ? o->max_retries
					    : (o->max_retries < 0 ? 0 : 4);
	c->backoff_base_ms = o->backoff_base_ms > 0 ? o->backoff_base_ms : 500;
	c->backoff_max_ms = o->backoff_max_ms > 0 ? o->backoff_max_ms : 30000;
	if (c->backoff_max_ms < c->backoff_base_ms)
		c->backoff_max_ms = c->backoff_base_ms;
	c->log.fn = o->log;
	c->log.ctx = o->log_ctx;
	c->log.http = o->log_http || o->log_bodies;
	c->log.bodies = o->log_bodies;
	atomic_init(&c->api_used, -1);
	atomic_init(&c->api_max, -1);
	atomic_init(&c->logins, 0);
	atomic_init(&c->rng, (uint_fast64_t)base_time_now_ms() ^
				     (uint_fast64_t)(uintptr_t)c);
	atomic_init(&c->describe_cache, NULL);
	c->last_login_err = SF_ERROR_INIT;
	c->refusal = SF_ERROR_INIT;
	c->holdoff_err = SF_ERROR_INIT;
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return sf__error_set(err, SF_CLASS_NONE, 0, NULL,
				     "client: cannot make a mutex");
	}
	if (pthread_cond_init(&c->cond, NULL) != 0) {
		pthread_mutex_destroy(&c->lock);
		free(c);
		return sf__error_set(
			err, SF_CLASS_NONE, 0, NULL,
			"client: cannot make a condition variable");
	}
	rc = sf__transport_new(o, &c->log, &c->tp, err);
	if (rc < 0) {
		pthread_cond_destroy(&c->cond);
		pthread_mutex_destroy(&c->lock);
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void sf_client_free(struct sf_client *c)
{
	if (!c)
		return;
	sf__rest_client_cleanup(c);
	session_clear(&c->sess);
	sf__creds_unref(c->creds);
	sf__transport_free(c->tp);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

const char *sf_client_api_version(const struct sf_client *c)
{
	return c->api_version;
}

int sf_client_set_credentials(struct sf_client *c,
			      const struct sf_credentials *cred,
			      struct sf_error *err)
{
	struct sf_creds *nc = NULL, *old;
	char base[300];
	int rc;

	sf_error_clear(err);
	rc = sf__creds_new(cred, c->allow_http_loopback, &nc, err);
	if (rc < 0)
		return rc; /* the old credentials and session stay */
	/* Log before publishing: once published, another thread's
	 * set_credentials may free nc. */
	if (nc->method == SF_AUTH_ACCESS_TOKEN)
		snprintf(base, sizeof(base), "%s", nc->instance_url);
	else
		sf_target_base_url(&nc->target, base, sizeof(base));
	sf__log(&c->log, SF_LOG_INFO, "credentials set: %s as %s at %s",
		sf__auth_method_name(nc->method),
		nc->username ? nc->username : "(no user name)", base);
	pthread_mutex_lock(&c->lock);
	old = c->creds;
	c->creds = nc;
	c->cred_epoch++;
	session_clear(&c->sess);
	c->refused = false;
	c->refusal = SF_ERROR_INIT;
	c->holdoff_until_ms = 0;
	pthread_mutex_unlock(&c->lock);
	sf__creds_unref(old);
	return 0;
}

/* Refusals that retrying can't fix: they engage the login guard. */
static bool guards(const struct sf_error *e)
{
	return sf_error_is_login_refusal(e) ||
	       e->cls == SF_CLASS_INVALID_REQUEST ||
	       e->cls == SF_CLASS_NOT_FOUND;
}

static void copy_error(struct sf_error *dst, const struct sf_error *src)
{
	if (dst)
		*dst = *src;
}

/*
 * One login, c->lock held on entry and on return (released meanwhile).
 * Drops the current session first, so threads that need one wait for this
 * login's outcome.
 */
static int login_locked(struct sf_client *c, struct sf_error *err)
{
	struct sf_creds *cr = sf__creds_ref(c->creds);
	struct sf_auth_env env = {
		.tp = c->tp,
		.log = &c->log,
		.api_version = c->api_version,
		.allow_http_loopback = c->allow_http_loopback,
	};
	struct sf_auth_result res;
	struct sf_error e = SF_ERROR_INIT;
	uint64_t epoch = c->cred_epoch;
	char base[300];
	int64_t t0;
	int rc;

	session_clear(&c->sess);
	c->login_running = true;
	pthread_mutex_unlock(&c->lock);

	if (cr->method == SF_AUTH_ACCESS_TOKEN)
		snprintf(base, sizeof(base), "%s", cr->instance_url);
	else
		sf_target_base_url(&cr->target, base, sizeof(base));
	if (cr->method != SF_AUTH_ACCESS_TOKEN)
		atomic_fetch_add(&c->logins, 1);
	t0 = base_time_mono_ms();
	rc = sf__auth_login(&env, cr, &res, &e);
	if (rc == 0) {
		sf__log(&c->log, SF_LOG_INFO,
			"login: %s as %s at %s: ok, org %s, user %s, instance "
			"%s (%lld ms)",
			sf__auth_method_name(cr->method),
			cr->username ? cr->username : "(no user name)", base,
			res.org_id[0] ? res.org_id : "?",
			res.user_id[0] ? res.user_id : "?", res.instance_url,
			(long long)(base_time_mono_ms() - t0));
	} else {
		sf__error_wrap(&e, "login");
		sf__log(&c->log, SF_LOG_WARN,
			"login: %s as %s at %s failed (%s): %s (%lld ms)",
			sf__auth_method_name(cr->method),
			cr->username ? cr->username : "(no user name)", base,
			sf_class_name(e.cls), e.message,
			(long long)(base_time_mono_ms() - t0));
	}

	pthread_mutex_lock(&c->lock);
	if (epoch != c->cred_epoch) {
		/* New credentials arrived meanwhile: this outcome is stale. */
		sf__auth_result_release(&res);
		rc = sf__error_set(
			&e, SF_CLASS_SESSION, 0, NULL,
			"login: the credentials were replaced during "
			"the login; call again");
	} else if (rc == 0) {
		c->sess.token = res.token;
		res.token = NULL;
		memcpy(c->sess.instance_url, res.instance_url,
		       sizeof(c->sess.instance_url));
		memcpy(c->sess.org_id, res.org_id, sizeof(c->sess.org_id));
		memcpy(c->sess.user_id, res.user_id, sizeof(c->sess.user_id));
		c->sess.issued_ms = res.issued_ms;
		c->sess.expires_ms = res.expires_ms;
		c->generation++;
		sf__auth_result_release(&res);
	} else if (guards(&e)) {
		c->refused = true;
		c->refusal_rc = rc;
		c->refusal = e;
	} else if (e.cls == SF_CLASS_THROTTLE) {
		c->holdoff_until_ms = base_time_mono_ms() + LOGIN_HOLDOFF_MS;
		c->holdoff_err = e;
	}
	c->last_login_rc = rc;
	c->last_login_err = e;
	c->login_seq++;
	c->login_running = false;
	pthread_cond_broadcast(&c->cond);
	sf__creds_unref(cr);
	copy_error(err, &e);
	return rc;
}

/*
 * Makes sure there is a session, c->lock held. With `stale` set, the
 * session of generation bad_gen failed: a newer one is fine, the same one
 * is replaced. Joins a login in progress rather than starting another.
 * `always` (sf_client_login) logs in even when a session exists.
 */
static int need_session(struct sf_client *c, bool stale, uint64_t bad_gen,
			bool always, struct sf_error *err)
{
	for (;;) {
		bool have = c->sess.token != NULL;

		if (!always && have && (!stale || c->generation != bad_gen))
			return 0;
		if (!c->creds)
			return sf__error_set(
				err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				"login: no credentials (call "
				"sf_client_set_credentials first)");
		if (c->refused) {
			copy_error(err, &c->refusal);
			sf__log(&c->log, SF_LOG_DEBUG,
				"login: not attempted, the last one was "
				"refused (%s); set new credentials",
				sf_class_name(c->refusal.cls));
			return c->refusal_rc;
		}
		if (c->holdoff_until_ms > base_time_mono_ms()) {
			copy_error(err, &c->holdoff_err);
			return sf__class_code(c->holdoff_err.cls);
		}
		if (stale && have && c->creds->method == SF_AUTH_ACCESS_TOKEN)
			return sf__error_set(
				err, SF_CLASS_SESSION, 401,
				"INVALID_SESSION_ID",
				"the access token expired or was revoked, and "
				"an access token can't be refreshed: set new "
				"credentials");
		if (c->login_running) {
			uint64_t seq = c->login_seq;

			while (c->login_running && c->login_seq == seq)
				pthread_cond_wait(&c->cond, &c->lock);
			if (c->login_seq == seq)
				continue;
			/* That login finished: its outcome is ours. */
			if (c->last_login_rc < 0) {
				copy_error(err, &c->last_login_err);
				return c->last_login_rc;
			}
			if (c->sess.token)
				return 0;
			continue;
		}
		return login_locked(c, err);
	}
}

int sf_client_login(struct sf_client *c, struct sf_error *err)
{
	struct sf_error local;
	int rc;

	if (!err)
		err = &local;
	sf_error_clear(err);
	pthread_mutex_lock(&c->lock);
	rc = need_session(c, false, 0, true, err);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

void sf_client_session(struct sf_client *c, struct sf_session_info *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&c->lock);
	out->active = c->sess.token != NULL;
	memcpy(out->instance_url, c->sess.instance_url,
	       sizeof(out->instance_url));
	memcpy(out->org_id, c->sess.org_id, sizeof(out->org_id));
	memcpy(out->user_id, c->sess.user_id, sizeof(out->user_id));
	if (c->creds && c->creds->username)
		snprintf(out->username, sizeof(out->username), "%s",
			 c->creds->username);
	out->issued_ms = c->sess.issued_ms;
	out->expires_ms = c->sess.expires_ms;
	out->password_expired =
		c->sess.password_expired ||
		(c->refused && c->refusal.cls == SF_CLASS_PASSWORD_EXPIRED);
	pthread_mutex_unlock(&c->lock);
}

void sf_client_api_usage(struct sf_client *c, struct sf_api_usage *out)
{
	out->used = atomic_load(&c->api_used);
	out->max = atomic_load(&c->api_max);
	out->calls = sf__transport_requests(c->tp);
	out->logins = atomic_load(&c->logins);
}

/* Takes a copy of the session to use (logging in first if needed). */
static int take_session(struct sf_client *c, bool stale, uint64_t bad_gen,
			struct snap *s, struct sf_error *err)
{
	int rc;

	sf_secret_free(s->token);
	s->token = NULL;
	pthread_mutex_lock(&c->lock);
	rc = need_session(c, stale, bad_gen, false, err);
	if (rc == 0) {
		s->token = sf_secret_dup(c->sess.token);
		memcpy(s->instance_url, c->sess.instance_url,
		       sizeof(s->instance_url));
		s->gen = c->generation;
		s->method = c->creds->method;
		if (!s->token) {
			sf__error_set(err, SF_CLASS_NONE, 0, NULL,
				      "session: out of memory");
			rc = BASE_ENOMEM;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* A call found the session's password expired: say so in
 * sf_client_session (OAuth sessions get that far; SOAP refuses at login). */
static void mark_password_expired(struct sf_client *c, uint64_t gen)
{
	pthread_mutex_lock(&c->lock);
	if (c->sess.token && c->generation == gen)
		c->sess.password_expired = true;
	pthread_mutex_unlock(&c->lock);
}

/* splitmix64 over an atomic counter: jitter only, not for secrets. */
static uint64_t next_random(struct sf_client *c)
{
	uint64_t z = atomic_fetch_add(&c->rng, 0x9E3779B97F4A7C15ull) +
		     0x9E3779B97F4A7C15ull;

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Exponential from backoff_base_ms, capped at backoff_max_ms, with "equal
 * jitter": half the delay fixed, half random, so retries spread out. */
static long backoff_ms(struct sf_client *c, int attempt)
{
	long d = c->backoff_base_ms;

	for (int i = 0; i < attempt && d < c->backoff_max_ms; i++)
		d *= 2;
	if (d > c->backoff_max_ms)
		d = c->backoff_max_ms;
	return d / 2 + (long)(next_random(c) % (uint64_t)(d / 2 + 1));
}

/* The daily allocation won't clear in seconds: never retried. The same
 * code also means the concurrent long-request limit, which does. */
static bool daily_limit(const struct sf_error *e)
{
	return strcmp(e->code, "REQUEST_LIMIT_EXCEEDED") == 0 &&
	       (strstr(e->raw, "TotalRequests") ||
		(e->api_max > 0 && e->api_used >= e->api_max));
}

static bool path_ok(const char *path)
{
	if (!path || path[0] != '/' || path[1] == '/')
		return false;
	for (const char *p = path; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return false;
	return true;
}

int sf__call(struct sf_client *c, const char *method, const char *path,
	     const char *content_type, const char *body, size_t len,
	     bool retry_safe, struct sf_http_resp *resp, struct sf_error *err)
{
	return sf__call_accept(c, method, path, NULL, content_type, body, len,
			       retry_safe, resp, err);
}

int sf__call_accept(struct sf_client *c, const char *method, const char *path,
		    const char *accept, const char *content_type,
		    const char *body, size_t len, bool retry_safe,
		    struct sf_http_resp *resp, struct sf_error *err)
{
	struct snap s = {0};
	struct sf_request rq = {0};
	struct sf_reply_meta meta;
	struct base_buf url = BASE_BUF_INIT(32 * 1024);
	struct sf_error local;
	bool reauthed = false;
	int attempt = 0, rc = BASE_ERR;

	if (!err)
		err = &local;
	sf_error_clear(err);
	if (!path_ok(path)) {
		rc = sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				   "%s: the path must start with one '/' and "
				   "hold no spaces or control characters",
				   method);
		goto out;
	}
	for (;;) {
		rc = take_session(c, false, 0, &s, err);
		if (rc < 0)
			goto out;
		base_buf_reset(&url);
		base_buf_puts(&url, s.instance_url);
		if (strncmp(path, "/services/", 10) != 0 &&
		    strncmp(path, "/id/", 4) != 0)
			base_buf_printf(&url, "/services/data/v%s",
					c->api_version);
		base_buf_puts(&url, path);
		if (base_buf_err(&url)) {
			rc = sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0,
					   NULL, "%s: the URL is too long",
					   method);
			goto out;
		}
		rq.method = method;
		rq.url = base_buf_str(&url);
		rq.content_type = body ? content_type : NULL;
		rq.body = body;
		rq.len = body ? len : 0;
		rq.accept = accept;
		rq.auth_scheme = "Bearer";
		rq.auth = s.token;
		rc = sf__http(c->tp, &rq, resp, &meta, err);
		if (meta.has_limit) {
			atomic_store(&c->api_used, meta.api_used);
			atomic_store(&c->api_max, meta.api_max);
		}
		err->api_used = atomic_load(&c->api_used);
		err->api_max = atomic_load(&c->api_max);
		if (rc == 0 && ((resp->status >= 200 && resp->status < 300) ||
				resp->status == 300))
			goto out;
		if (rc == 0) {
			sf__error_from_reply(resp->status, resp->content_type,
					     base_buf_str(&resp->body),
					     resp->body.len, err);
			rc = err->cls == SF_CLASS_NONE
				     ? BASE_EPROTO
				     : sf__class_code(err->cls);
		}
		if (err->cls == SF_CLASS_PASSWORD_EXPIRED)
			mark_password_expired(c, s.gen);
		if (err->cls == SF_CLASS_SESSION && !reauthed &&
		    strcmp(err->code, "INVALID_SESSION_ID") == 0) {
			/* Re-authenticate once (shared with every thread that
			 * found the same session dead), then retry once. */
			reauthed = true;
			sf__log(&c->log, SF_LOG_INFO,
				"%s %s: session expired or invalid: "
				"re-authenticating",
				method, path);
			rc = take_session(c, true, s.gen, &s, err);
			if (rc < 0)
				goto out;
			continue;
		}
		if (sf_error_is_retryable(err) && retry_safe &&
		    attempt < c->max_retries && !daily_limit(err)) {
			long ms = backoff_ms(c, attempt);

			attempt++;
			sf__log(&c->log, SF_LOG_INFO,
				"%s %s: %s, retry %d of %d in %ld ms", method,
				path, err->message, attempt, c->max_retries,
				ms);
			base_sleep_ms(ms);
			continue;
		}
		goto out;
	}
out:
	if (rc < 0 && resp)
		base_buf_release(&resp->body);
	if (rc < 0 && err->message[0])
		sf__log(&c->log, SF_LOG_DEBUG, "%s %s failed (%s): %s", method,
			path_ok(path) ? path : "(bad path)",
			sf_class_name(err->cls), err->message);
	sf_secret_free(s.token);
	base_buf_release(&url);
	return rc;
}
