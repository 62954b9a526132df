/* transport.c - HTTP for libsf on libcurl: pooled handles, shared caches, redacted traces. */
#include "sf/transport.h"

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/datetime.h"
#include "base/err.h"
#include "base/redact.h"
#include "base/text.h"
#include "sf/auth_int.h"
#include "sf/error_int.h"
#include "base/banned.h"

/*
 * Design, and why:
 *  - Handles: a small pool of easy handles. A thread takes one for a call
 *    and puts it back, so the handle's live connection is kept alive for
 *    the next call (keep-alive without a connection per call).
 *  - The CURLSH share holds the DNS cache and TLS sessions only. curl
 *    documents sharing the *connection cache* (CURL_LOCK_DATA_CONNECT) as
 *    unsupported between concurrent threads, and a client is shared by
 *    threads; the pool gives the reuse instead.
 *  - HTTP/2 over TLS when the server offers it (CURL_HTTP_VERSION_2TLS).
 *  - Proxies: nothing is set, so libcurl reads http_proxy, https_proxy,
 *    no_proxy and friends from the environment as it does by default.
 *  - Protocols: https only (plus http when allow_http_loopback; the login
 *    target and instance URL checks keep http to loopback). No redirects
 *    are followed: Salesforce's API never redirects, and following one
 *    could carry a token elsewhere.
 *  - TLS verification is always on. ca_file *adds* CAs: CURLOPT_CAINFO
 *    would replace the system bundle, so the certificates are loaded once
 *    here and added to each new TLS context's store through
 *    CURLOPT_SSL_CTX_FUNCTION (libcurl's documented way to extend the
 *    store; OpenSSL builds of libcurl only: any other fails at creation).
 *  - Traces: with logger.http, a CURLOPT_DEBUGFUNCTION passes header lines
 *    through base_redact_header and curl's own text lines through
 *    base_redact_url; body chunks never pass there (a chunk can split a
 *    secret so no redactor sees it whole). With logger.bodies the whole
 *    request and reply bodies are logged after base_redact_body, from
 *    libsf's own buffers.
 */

#define POOL_MAX     16
#define BODY_LOG_MAX 4096

struct sf_transport {
	CURLSH *share;
	pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
	pthread_mutex_t pool_lock;
	CURL *pool[POOL_MAX]; /* guarded by pool_lock */
	int npool;            /* guarded by pool_lock */
	long connect_ms, timeout_ms;
	char user_agent[128];
	bool allow_http;
	STACK_OF(X509) *
		extra_ca;      /* immutable after new; NULL without ca_file */
	atomic_llong requests; /* requests sent (performs started) */
	struct sf_logger log;
};

struct xfer {
	struct sf_transport *t;
	struct sf_http_resp *resp;
	struct sf_reply_meta *meta;
	bool too_big;
};

void sf__log(const struct sf_logger *l, enum sf_log_level level,
	     const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	if (!l || !l->fn)
		return;
	va_start(ap, fmt);
	base_text_vformat_line(line, sizeof(line), fmt, ap);
	va_end(ap);
	l->fn(l->ctx, level, line);
}

void sf__resp_release(struct sf_http_resp *r)
{
	if (!r)
		return;
	base_buf_release(&r->body);
	r->status = 0;
	r->content_type[0] = '\0';
	r->locator[0] = '\0';
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access,
		       void *userptr)
{
	struct sf_transport *t = userptr;

	(void)h;
	(void)access;
	if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
		pthread_mutex_lock(&t->share_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *userptr)
{
	struct sf_transport *t = userptr;

	(void)h;
	if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
		pthread_mutex_unlock(&t->share_locks[data]);
}

static int load_extra_ca(struct sf_transport *t, const char *path,
			 struct sf_error *err)
{
	const curl_version_info_data *vi = curl_version_info(CURLVERSION_NOW);
	BIO *bio;
	X509 *x;

	if (!vi || !vi->ssl_version || strncmp(vi->ssl_version, "OpenSSL", 7))
		return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				     "ca_file '%s': adding a CA needs libcurl "
				     "built with OpenSSL (this one has %s)",
				     path,
				     vi && vi->ssl_version ? vi->ssl_version
							   : "no TLS");
	bio = BIO_new_file(path, "r");
	if (!bio)
		return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				     "ca_file '%s': cannot open", path);
	t->extra_ca = sk_X509_new_null();
	while (t->extra_ca &&
	       (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (!sk_X509_push(t->extra_ca, x)) {
			X509_free(x);
			break;
		}
	}
	ERR_clear_error(); /* the end of the file reads as "no start line" */
	BIO_free(bio);
	if (!t->extra_ca || sk_X509_num(t->extra_ca) == 0)
		return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				     "ca_file '%s': no PEM certificate in it",
				     path);
	return 0;
}

int sf__transport_new(const struct sf_client_options *o,
		      const struct sf_logger *log, struct sf_transport **out,
		      struct sf_error *err)
{
	struct sf_transport *t = calloc(1, sizeof(*t));
	int rc = BASE_ERR, i, nlocks = 0;
	bool pool_lock = false;

	*out = NULL;
	if (!t) {
		sf__error_set(err, SF_CLASS_NONE, 0, NULL,
			      "transport: out of memory");
		return BASE_ENOMEM;
	}
	atomic_init(&t->requests, 0);
	t->connect_ms =
		o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000;
	t->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 120000;
	snprintf(t->user_agent, sizeof(t->user_agent), "%s",
		 o->user_agent && *o->user_agent ? o->user_agent
						 : "sfbridge/1.0");
	t->allow_http = o->allow_http_loopback;
	if (log)
		t->log = *log;
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++, nlocks++)
		if (pthread_mutex_init(&t->share_locks[i], NULL) != 0)
			break;
	if (nlocks < CURL_LOCK_DATA_LAST ||
	    pthread_mutex_init(&t->pool_lock, NULL) != 0) {
		rc = sf__error_set(err, SF_CLASS_NONE, 0, NULL,
				   "transport: cannot make a mutex");
		goto fail;
	}
	pool_lock = true;
	t->share = curl_share_init();
	if (!t->share ||
	    curl_share_setopt(t->share, CURLSHOPT_LOCKFUNC, share_lock) ||
	    curl_share_setopt(t->share, CURLSHOPT_UNLOCKFUNC, share_unlock) ||
	    curl_share_setopt(t->share, CURLSHOPT_USERDATA, t) ||
	    curl_share_setopt(t->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) ||
	    curl_share_setopt(t->share, CURLSHOPT_SHARE,
			      CURL_LOCK_DATA_SSL_SESSION)) {
		rc = sf__error_set(err, SF_CLASS_NONE, 0, NULL,
				   "transport: cannot set up the curl share");
		goto fail;
	}
	if (o->ca_file && *o->ca_file) {
		rc = load_extra_ca(t, o->ca_file, err);
		if (rc < 0)
			goto fail;
	}
	*out = t;
	return 0;
fail:
	if (t->share)
		curl_share_cleanup(t->share);
	if (t->extra_ca)
		sk_X509_pop_free(t->extra_ca, X509_free);
	for (i = 0; i < nlocks; i++)
		pthread_mutex_destroy(&t->share_locks[i]);
	if (pool_lock)
		pthread_mutex_destroy(&t->pool_lock);
	free(t);
	return rc;
}

void sf__transport_free(struct sf_transport *t)
{
	if (!t)
		return;
	for (int i = 0; i < t->npool; i++)
		curl_easy_cleanup(t->pool[i]);
	curl_share_cleanup(t->share);
	if (t->extra_ca)
		sk_X509_pop_free(t->extra_ca, X509_free);
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&t->share_locks[i]);
	pthread_mutex_destroy(&t->pool_lock);
	free(t);
}

long long sf__transport_requests(struct sf_transport *t)
{
	return atomic_load(&t->requests);
}

static CURL *take_handle(struct sf_transport *t)
{
	CURL *h = NULL;

	pthread_mutex_lock(&t->pool_lock);
	if (t->npool > 0)
		h = t->pool[--t->npool];
	pthread_mutex_unlock(&t->pool_lock);
	return h ? h : curl_easy_init();
}

/*
 * Resets the options first (the live connection, DNS and TLS caches stay):
 * they point at this call's stack (error buffer, callbacks' data, header
 * list), and a later cleanup that closes the connection would call them.
 */
static void give_handle(struct sf_transport *t, CURL *h)
{
	curl_easy_reset(h);
	pthread_mutex_lock(&t->pool_lock);
	if (t->npool < POOL_MAX) {
		t->pool[t->npool++] = h;
		h = NULL;
	}
	pthread_mutex_unlock(&t->pool_lock);
	if (h)
		curl_easy_cleanup(h);
}

static size_t on_body(char *p, size_t size, size_t n, void *userp)
{
	struct xfer *x = userp;
	size_t len = size * n;

	if (base_buf_append(&x->resp->body, p, len) != 0) {
		x->too_big = true;
		return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	return len;
}

static bool header_is(const char *line, size_t n, const char *name,
		      const char **value, size_t *vlen)
{
	size_t m = strlen(name), a, b;

	if (n <= m || line[m] != ':' || strncasecmp(line, name, m) != 0)
		return false;
	for (a = m + 1; a < n && (line[a] == ' ' || line[a] == '\t'); a++)
		;
	for (b = n; b > a && (line[b - 1] == '\r' || line[b - 1] == '\n' ||
			      line[b - 1] == ' ' || line[b - 1] == '\t');
	     b--)
		;
	*value = line + a;
	*vlen = b - a;
	return true;
}

static size_t on_header(char *p, size_t size, size_t n, void *userp)
{
	struct xfer *x = userp;
	size_t len = size * n, vlen;
	const char *v;

	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* A new reply (after a 100 Continue): forget the last one's. */
		x->meta->has_limit = false;
		x->resp->content_type[0] = '\0';
		x->resp->locator[0] = '\0';
	} else if (header_is(p, len, "Sforce-Locator", &v, &vlen)) {
		sf__copy_text(x->resp->locator, sizeof(x->resp->locator), v,
			      vlen);
	} else if (header_is(p, len, "Content-Type", &v, &vlen)) {
		sf__copy_text(x->resp->content_type,
			      sizeof(x->resp->content_type), v, vlen);
	} else if (header_is(p, len, "Sforce-Limit-Info", &v, &vlen)) {
		char value[256];
		long long used, max;

		sf__copy_text(value, sizeof(value), v, vlen);
		if (sf__parse_limit_info(value, &used, &max) == 0) {
			x->meta->has_limit = true;
			x->meta->api_used = used;
			x->meta->api_max = max;
		}
	}
	return len;
}

/* Logs each line of a redacted block with a prefix ("> ", "< ", "* "). */
static void log_lines(const struct sf_logger *l, const char *prefix,
		      const char *s, size_t n)
{
	size_t at = 0;

	while (at < n) {
		size_t start = at, len = base_text_next_line(s, n, &at);

		if (len)
			sf__log(l, SF_LOG_DEBUG, "%s%.*s", prefix, (int)len,
				s + start);
	}
}

static int on_debug(CURL *h, curl_infotype type, char *data, size_t size,
		    void *userp)
{
	struct xfer *x = userp;
	struct base_buf b = BASE_BUF_INIT(64 * 1024);
	const char *prefix;

	(void)h;
	switch (type) {
	case CURLINFO_TEXT:
		prefix = "* ";
		base_redact_url_to(&b, data, size);
		break;
	case CURLINFO_HEADER_OUT:
		prefix = "> ";
		base_redact_header_to(&b, data, size);
		break;
	case CURLINFO_HEADER_IN:
		prefix = "< ";
		base_redact_header_to(&b, data, size);
		break;
	default:
		return 0; /* bodies and TLS records: never here */
	}
	if (base_buf_err(&b) == 0)
		log_lines(&x->t->log, prefix, base_buf_str(&b), b.len);
	else
		sf__log(&x->t->log, SF_LOG_DEBUG, "%s" BASE_REDACTED, prefix);
	base_buf_release(&b);
	return 0;
}

static void log_body(const struct sf_logger *l, const char *dir,
		     const char *body, size_t len)
{
	struct base_buf b = BASE_BUF_INIT(SF_MAX_BODY + 1024);

	if (!l->fn || !l->bodies || !body || !len)
		return;
	if (base_redact_body_to(&b, body, len) != 0) {
		sf__log(l, SF_LOG_DEBUG, "%s body (%zu bytes): " BASE_REDACTED,
			dir, len);
	} else if (b.len > BODY_LOG_MAX) {
		sf__log(l, SF_LOG_DEBUG, "%s body (%zu bytes, first %d): %.*s",
			dir, len, BODY_LOG_MAX, BODY_LOG_MAX, base_buf_str(&b));
	} else {
		sf__log(l, SF_LOG_DEBUG, "%s body (%zu bytes): %s", dir, len,
			base_buf_str(&b));
	}
	base_buf_release(&b);
}

static enum sf_class curl_class(CURLcode cc)
{
	switch (cc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_USE_SSL_FAILED:
		return SF_CLASS_TLS;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_BAD_FUNCTION_ARGUMENT:
		return SF_CLASS_INVALID_REQUEST;
	default:
		return SF_CLASS_NETWORK;
	}
}

/* Wipes and frees a header list (one line may hold a token). */
static void free_headers(struct curl_slist *h)
{
	for (struct curl_slist *p = h; p; p = p->next)
		if (p->data)
			explicit_bzero(p->data, strlen(p->data));
	curl_slist_free_all(h);
}

static struct curl_slist *add_header(struct curl_slist *list, const char *line,
				     bool *ok)
{
	struct curl_slist *n = curl_slist_append(list, line);

	if (!n) {
		*ok = false;
		return list;
	}
	return n;
}

/* Adds ca_file's certificates to a new TLS context's store, on top of the
 * system's (X509_STORE_add_cert takes its own reference). */
static CURLcode ssl_ctx_add_ca(CURL *h, void *ssl_ctx, void *userp)
{
	struct sf_transport *t = userp;
	X509_STORE *st = SSL_CTX_get_cert_store((SSL_CTX *)ssl_ctx);

	(void)h;
	if (!st)
		return CURLE_SSL_CERTPROBLEM;
	for (int i = 0; i < sk_X509_num(t->extra_ca); i++)
		(void)X509_STORE_add_cert(st, sk_X509_value(t->extra_ca, i));
	ERR_clear_error(); /* a certificate already in the store is fine */
	return CURLE_OK;
}

static int set_options(struct sf_transport *t, CURL *h,
		       const struct sf_request *rq, struct curl_slist *hdrs,
		       struct xfer *x, char *errbuf)
{
	const char *protos = t->allow_http ? "https,http" : "https";
	CURLcode cc = CURLE_OK;

#define SET(opt, val)                                       \
	do {                                                \
		if (cc == CURLE_OK)                         \
			cc = curl_easy_setopt(h, opt, val); \
	} while (0)
	SET(CURLOPT_SHARE, t->share);
	SET(CURLOPT_URL, rq->url);
	SET(CURLOPT_PROTOCOLS_STR, protos);
	SET(CURLOPT_REDIR_PROTOCOLS_STR, protos);
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_CONNECTTIMEOUT_MS, t->connect_ms);
	SET(CURLOPT_TIMEOUT_MS, t->timeout_ms);
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_USERAGENT, t->user_agent);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_HTTPHEADER, hdrs);
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, x);
	if (t->extra_ca) {
		SET(CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_add_ca);
		SET(CURLOPT_SSL_CTX_DATA, t);
	}
	if (t->log.fn && (t->log.http || t->log.bodies)) {
		SET(CURLOPT_DEBUGFUNCTION, on_debug);
		SET(CURLOPT_DEBUGDATA, x);
		SET(CURLOPT_VERBOSE, 1L);
	}
	if (strcmp(rq->method, "GET") == 0) {
		SET(CURLOPT_HTTPGET, 1L);
	} else if (strcmp(rq->method, "HEAD") == 0) {
		SET(CURLOPT_NOBODY, 1L);
	} else {
		if (strcmp(rq->method, "POST") == 0)
			SET(CURLOPT_POST, 1L);
		else
			SET(CURLOPT_CUSTOMREQUEST, rq->method);
		if (rq->body || strcmp(rq->method, "DELETE") != 0) {
			/* curl reads rq->body in place: no copy of a secret. */
			SET(CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
			SET(CURLOPT_POSTFIELDSIZE_LARGE,
			    (curl_off_t)(rq->body ? rq->len : 0));
		}
	}
#undef SET
	return cc == CURLE_OK ? 0 : -1;
}

int sf__http(struct sf_transport *t, const struct sf_request *rq,
	     struct sf_http_resp *resp, struct sf_reply_meta *meta,
	     struct sf_error *err)
{
	struct base_buf auth = BASE_BUF_SECRET_INIT(64 * 1024);
	struct curl_slist *hdrs = NULL;
	struct sf_reply_meta m = {.api_used = -1, .api_max = -1};
	struct xfer x = {.t = t, .resp = resp, .meta = &m};
	char errbuf[CURL_ERROR_SIZE] = "";
	char line[256];
	int64_t t0 = base_time_mono_ms();
	bool ok = true;
	CURL *h = NULL;
	CURLcode cc;
	long status = 0;
	int rc = BASE_ERR;

	/* release, not reset: a sticky error of an earlier reply must go */
	sf__resp_release(resp);
	snprintf(line, sizeof(line), "Accept: %s",
		 rq->accept ? rq->accept : "application/json");
	hdrs = add_header(hdrs, line, &ok);
	if (rq->content_type) {
		snprintf(line, sizeof(line), "Content-Type: %s",
			 rq->content_type);
		hdrs = add_header(hdrs, line, &ok);
	}
	if (rq->soap_action) {
		snprintf(line, sizeof(line), "SOAPAction: %s", rq->soap_action);
		hdrs = add_header(hdrs, line, &ok);
	}
	/* No "Expect: 100-continue" wait before a large body. */
	hdrs = add_header(hdrs, "Expect:", &ok);
	if (rq->auth) {
		sf__auth_header(&auth, rq->auth_scheme, rq->auth);
		if (base_buf_err(&auth))
			ok = false;
		else
			hdrs = add_header(hdrs, base_buf_str(&auth), &ok);
	}
	h = ok ? take_handle(t) : NULL;
	if (!h || set_options(t, h, rq, hdrs, &x, errbuf) != 0) {
		sf__error_set(err, SF_CLASS_NONE, 0, NULL,
			      "%s %s: out of memory", rq->method, rq->url);
		rc = BASE_ENOMEM;
		goto out;
	}
	log_body(&t->log, ">", rq->body, rq->len);
	atomic_fetch_add(&t->requests, 1);
	cc = curl_easy_perform(h);
	m.elapsed_ms = base_time_mono_ms() - t0;
	if (cc != CURLE_OK) {
		if (x.too_big) {
			sf__error_set(err, SF_CLASS_NONE, 0, NULL,
				      "%s %s: reply larger than %zu bytes",
				      rq->method, rq->url, resp->body.max);
			rc = BASE_ETOOBIG;
		} else if (cc == CURLE_OUT_OF_MEMORY) {
			sf__error_set(err, SF_CLASS_NONE, 0, NULL,
				      "%s %s: out of memory", rq->method,
				      rq->url);
			rc = BASE_ENOMEM;
		} else {
			rc = sf__error_set(err, curl_class(cc), 0, NULL,
					   "%s %s: %s", rq->method, rq->url,
					   errbuf[0] ? errbuf
						     : curl_easy_strerror(cc));
		}
		sf__log(&t->log, SF_LOG_DEBUG,
			"%s %s: no reply after %lld ms: %s", rq->method,
			rq->url, m.elapsed_ms,
			errbuf[0] ? errbuf : curl_easy_strerror(cc));
		sf__resp_release(resp);
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	resp->status = status;
	sf__log(&t->log, SF_LOG_DEBUG, "%s %s -> %ld (%zu bytes, %lld ms)",
		rq->method, rq->url, status, resp->body.len, m.elapsed_ms);
	log_body(&t->log, "<", base_buf_str(&resp->body), resp->body.len);
	rc = 0;
out:
	if (meta)
		*meta = m;
	if (h)
		give_handle(t, h);
	free_headers(hdrs);
	base_buf_release(&auth);
	return rc;
}
