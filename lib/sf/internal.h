/* internal.h - what libsf's modules share and no caller sees. */
#ifndef SF_INTERNAL_H
#define SF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "sf/client.h"
#include "sf/error.h"

/* Largest reply body libsf reads (a query page is a few MB at most). */
#define SF_MAX_BODY (64u * 1024 * 1024)

struct sf_http_resp {
	long status;
	struct base_buf body;     /* NUL-terminated */
	char content_type[128];
};

#define SF_HTTP_RESP_INIT ((struct sf_http_resp){.body = BASE_BUF_INIT(SF_MAX_BODY)})
void sf__resp_release(struct sf_http_resp *r);

/*
 * One call to the org through the client's session. `path` is relative to
 * /services/data/vNN.0 ("/sobjects/Account"), or absolute ("/services/...",
 * "/id/..."). It logs in when there is no session (once: a refused login is
 * final), re-authenticates once on 401 INVALID_SESSION_ID (concurrent
 * callers share that one login) and retries once; retries throttle and
 * transient failures with capped, jittered backoff only when `retry_safe`
 * (GET, DELETE, and calls the caller knows are idempotent); reads
 * Sforce-Limit-Info. Returns 0 for 2xx and 300 with *resp filled (caller
 * releases), or a negative code with err classified from the reply.
 */
int sf__call(struct sf_client *c, const char *method, const char *path,
	     const char *content_type, const char *body, size_t len,
	     bool retry_safe, struct sf_http_resp *resp, struct sf_error *err);

/* Fills err from a reply, by its shape: REST error array, OAuth error
 * object, SOAP fault, or an HTML/empty body. Sets cls from the code. */
void sf__error_from_reply(long status, const char *ctype, const char *body,
			  size_t len, struct sf_error *err);
/* Parsers of outside input, each fuzzed: 0 when the text had that shape. */
int sf__parse_rest_errors(const char *body, size_t len, struct sf_error *err);
int sf__parse_oauth_error(const char *body, size_t len, struct sf_error *err);
int sf__parse_soap_fault(const char *body, size_t len, struct sf_error *err);
/* "api-usage=18/5000[; per-app-api-usage=...]" -> 0 with used and max. */
int sf__parse_limit_info(const char *value, long long *used, long long *max);
/* The class of a Salesforce code at an HTTP status (see salesforce-protocol.md 7.1). */
enum sf_class sf__classify(long status, const char *code, const char *text);

#endif
