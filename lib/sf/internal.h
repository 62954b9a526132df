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
	char locator[128];        /* Sforce-Locator (Bulk query results), or "" */
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
/* sf__call with another Accept than application/json ("text/csv" for Bulk
 * results); error replies are still read by their own content type. */
int sf__call_accept(struct sf_client *c, const char *method, const char *path,
		    const char *accept, const char *content_type,
		    const char *body, size_t len, bool retry_safe,
		    struct sf_http_resp *resp, struct sf_error *err);

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

/* ---- rest.c: describe cache ------------------------------------------------
 * sf_describe caches each object's describe in the client (rest.h: "cached
 * per client; borrowed until sf_client_free"). rest.c owns the cache;
 * client.c only keeps the pointer:
 *   - struct sf_client gets one field
 *         _Atomic(struct sf_describe_cache *) describe_cache;
 *     NULL in a new client (calloc), never read or written by client.c, and
 *   - client.c defines sf__client_describe_slot() returning its address, and
 *   - sf_client_free() calls sf__rest_client_cleanup(c) before it frees c.
 * rest.c creates the cache on first use with a compare-and-swap, so no lock
 * of the client is needed.
 */
struct sf_describe_cache;
/* client.c: the slot described above (borrowed, lives as long as c). */
_Atomic(struct sf_describe_cache *) *sf__client_describe_slot(struct sf_client *c);
/* rest.c: frees the describe cache (every json_t sf_describe handed out). */
void sf__rest_client_cleanup(struct sf_client *c);

/* ---- rest.c: helpers shared by rest.c, query.c and collections.c ---------- */
struct json_t;
/*
 * One REST call with JSON both ways: `body` (may be NULL) is sent compact as
 * application/json; *out is the parsed reply (caller owns it; NULL for an
 * empty body such as a 204), *status the HTTP status (2xx or 300). A body
 * that isn't JSON fails with BASE_EPROTO. The caller adds its context with
 * sf__rest_wrap.
 */
int sf__rest_json(struct sf_client *c, const char *method, const char *path,
		  struct json_t *body, bool retry_safe, struct json_t **out,
		  long *status, struct sf_error *err);
/* Appends s %-encoded as one path segment (all but A-Z a-z 0-9 - . _ ~). */
int sf__rest_put_segment(struct base_buf *b, const char *s);
/* Appends s %-encoded as a query value (space is %20; ',' stays). */
int sf__rest_put_query_value(struct base_buf *b, const char *s);
/* "<what>: out of memory" (class none); returns BASE_ENOMEM. */
int sf__rest_nomem(struct sf_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* sf__error_wrap (error_int.h) that returns rc, whatever the class. */
int sf__rest_wrap(struct sf_error *err, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* query.c: parses a reply as json_loadb(buf, len, 0) would, several times
 * faster (query pages); 0 with *out (caller owns), or BASE_EPROTO. */
int sf__query_parse_page(const char *buf, size_t len, struct json_t **out,
			 struct sf_error *err);

#endif
