/* transport.h - HTTP for libsf on libcurl: one per client, shared by its threads. */
#ifndef SF_TRANSPORT_H
#define SF_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "sf/client.h"
#include "sf/error.h"
#include "sf/internal.h"
#include "sf/secret.h"

/* Where log lines go; immutable after the client is made. */
struct sf_logger {
	sf_log_fn fn; /* NULL: no logging */
	void *ctx;
	bool http;   /* trace request and reply headers (redacted) at DEBUG */
	bool bodies; /* trace bodies too (redacted) at DEBUG */
};

/*
 * One line through the logger, made one line (CR/LF -> space) and cut at
 * 2 KB. Callers never pass a secret; log lines built from protocol text go
 * through lib/base/redact.h first.
 */
void sf__log(const struct sf_logger *l, enum sf_log_level level,
	     const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Internally locked: any number of threads may call sf__http at once. */
struct sf_transport;

/* Copies what it needs from o (timeouts, ca_file, user agent, http). */
int sf__transport_new(const struct sf_client_options *o,
		      const struct sf_logger *log, struct sf_transport **out,
		      struct sf_error *err);
void sf__transport_free(struct sf_transport *t);
/* Requests sent so far (logins included). */
long long sf__transport_requests(struct sf_transport *t);

struct sf_request {
	const char *method;       /* GET POST PATCH PUT DELETE HEAD */
	const char *url;          /* absolute; never carries a secret */
	const char *content_type; /* of body; NULL when there is none */
	const char *body;         /* borrowed for the call; may be a secret */
	size_t len;
	const char *accept;      /* NULL: application/json */
	const char *soap_action; /* NULL: no SOAPAction header */
	/* "Authorization: <auth_scheme> <auth>" when auth is set ("Bearer"
	 * token, "Basic" base64). The header is built in wiped memory. */
	const char *auth_scheme;
	const struct sf_secret *auth;
};

/* What a reply said besides status, type and body. */
struct sf_reply_meta {
	bool has_limit; /* Sforce-Limit-Info: api-usage=used/max */
	long long api_used, api_max;
	long long elapsed_ms;
};

/*
 * One HTTP exchange, no retries. 0 when a reply arrived, whatever its
 * status (resp filled: caller releases; a body over resp->body.max fails
 * with BASE_ETOOBIG); otherwise err says why no reply came (network, tls,
 * invalid_request for a refused protocol) and resp is released. resp->body
 * keeps its limit and secrecy: set resp->body.secret before the call when
 * the reply carries a token.
 */
int sf__http(struct sf_transport *t, const struct sf_request *rq,
	     struct sf_http_resp *resp, struct sf_reply_meta *meta,
	     struct sf_error *err);

#endif
