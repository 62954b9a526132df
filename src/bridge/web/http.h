/* http.h - sfbridge's HTTP server: libmicrohttpd in, one request/response pair per handler call. */
#ifndef SFB_WEB_HTTP_H
#define SFB_WEB_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

struct MHD_Connection;

/* Largest request body read; a bigger one gets 413 (web.c renders it). */
#define SFB_HTTP_MAX_BODY (1024u * 1024)
/* Largest response body a handler may build. */
#define SFB_HTTP_MAX_RESP (4u * 1024 * 1024)
#define SFB_HTTP_MAX_RESP_HEADERS 16

/* One request, borrowed by the handler for the duration of the call. */
struct sfb_req {
	const char *method;
	const char *path;      /* raw (%-encoded), no query, repeated '/' collapsed */
	const char *raw_query; /* after '?', "" when none */
	const char *body;      /* NUL-terminated; body_len excludes the NUL */
	size_t body_len;
	bool too_big;          /* the body exceeded SFB_HTTP_MAX_BODY: not read */
	bool https;            /* TLS here, or X-Forwarded-Proto: https from a
				* trusted proxy: cookies get Secure */
	char client_ip[64];    /* TCP peer, or the proxy's X-Forwarded-For entry */
	struct MHD_Connection *conn;
	/* Used only when conn is NULL (unit tests, fuzz_web): name/value
	 * pairs, the cookies already split out of the Cookie header. */
	const char *(*headers)[2];
	int nheaders;
	const char *(*cookies)[2];
	int ncookies;
};

struct sfb_resp_header {
	char name[48];
	char value[512];
};

/* What a handler fills in; the server sends it. */
struct sfb_resp {
	int status;
	char content_type[64];
	struct base_buf body;
	struct sfb_resp_header headers[SFB_HTTP_MAX_RESP_HEADERS];
	int nheaders;
};

/* Value of request header `name` (case-insensitive), or NULL. Borrowed. */
const char *sfb_req_header(const struct sfb_req *req, const char *name);
/* Value of cookie `name`, or NULL. Borrowed. */
const char *sfb_req_cookie(const struct sfb_req *req, const char *name);
/* Sets or replaces a response header; values are truncated at 511 bytes. */
void sfb_resp_header(struct sfb_resp *resp, const char *name,
		     const char *value);
/* Adds a header even if one of that name exists (Set-Cookie). */
void sfb_resp_add_header(struct sfb_resp *resp, const char *name,
			 const char *value);
/* Sets status and content type, and empties the body. */
void sfb_resp_start(struct sfb_resp *resp, int status, const char *ctype);

typedef void (*sfb_handler_fn)(void *ctx, struct sfb_req *req,
			       struct sfb_resp *resp);

/*
 * Internally locked: the handler runs on the pool's threads, several at a
 * time, and must be thread-safe.
 */
struct sfb_http;

struct sfb_http_opts {
	const char *host;
	int port;           /* 0 picks a free one */
	int threads;        /* pool size, 1..64 */
	bool trust_proxy;   /* believe X-Forwarded-For / X-Forwarded-Proto */
	const char *tls_cert_pem; /* both NULL: plain http; borrowed until run */
	const char *tls_key_pem;
};

/*
 * Binds host:port without serving yet, so the caller learns the port before
 * any request runs. Caller owns the result; free with sfb_http_stop().
 */
int sfb_http_open(const struct sfb_http_opts *o, struct sfb_http **out,
		  struct base_err *err);
/* Starts serving; the handler runs on the pool's threads. */
int sfb_http_run(struct sfb_http *h, sfb_handler_fn handler, void *ctx,
		 struct base_err *err);
int sfb_http_port(const struct sfb_http *h);
bool sfb_http_is_tls(const struct sfb_http *h);
/*
 * Graceful stop: stops accepting, lets requests in flight finish (up to
 * drain_ms; answers sent meanwhile say "Connection: close"), then closes
 * every connection and frees. NULL is a no-op.
 */
void sfb_http_stop(struct sfb_http *h, int drain_ms);

/* "/a//b" -> "/a/b", in place. */
void sfb_http_collapse_slashes(char *path);

#endif
