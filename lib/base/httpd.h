/* httpd.h - generic HTTP server plumbing over libmicrohttpd. */
#ifndef BASE_HTTPD_H
#define BASE_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct MHD_Connection;

/* Which X-Forwarded-For entry names the client, when it is trusted. */
enum base_httpd_forwarded {
	BASE_HTTPD_FWD_NONE = 0, /* the TCP peer only */
	BASE_HTTPD_FWD_FIRST,    /* the first entry (what the client claims) */
	BASE_HTTPD_FWD_LAST,     /* the last entry (what our proxy appended) */
};

struct base_httpd_opts {
	const char *host;  /* IPv4, IPv6 or "localhost" */
	int port;          /* 0 picks a free one */
	size_t max_body;   /* bodies longer than this are not kept */
	/* Answer at once, before reading it, a request whose Content-Length
	 * exceeds max_body; otherwise the body is read and dropped. */
	bool refuse_declared_too_big;
	enum base_httpd_forwarded forwarded;
	const char *tls_cert_pem; /* both NULL: plain http; borrowed until run */
	const char *tls_key_pem;
};

/* One request, borrowed by the handler for the duration of the call. */
struct base_httpd_req {
	struct MHD_Connection *conn;
	const char *method;
	char *uri;           /* raw request target; the handler may edit it */
	const char *body;    /* NUL-terminated; "" when too_big */
	size_t body_len;
	bool too_big;        /* the body exceeded max_body: not kept */
	char client_ip[64];  /* TCP peer, or the trusted forwarded entry */
	bool peer_is_loopback; /* about the TCP peer, never the forwarded one */
	void *priv;          /* the server's; the handler leaves it alone */
};

/* A response header for base_httpd_send(). */
struct base_httpd_header {
	const char *name, *value;
};

/*
 * Runs on the pool's threads. Answers with base_httpd_send() and returns
 * its result; false drops the connection.
 */
typedef bool (*base_httpd_handler_fn)(void *ctx, struct base_httpd_req *req);

/* What an answered request did, for an access log. All borrowed. */
struct base_httpd_done {
	const char *method; /* as sent, up to 15 bytes, not sanitised */
	const char *uri;    /* raw request target */
	const char *client_ip;
	int status;
	size_t bytes;
	int64_t ms;         /* from the request line to completion */
	bool completed;     /* false when the connection was cut short */
};

typedef void (*base_httpd_done_fn)(void *ctx, const struct base_httpd_done *d);

/* Internally locked: the handler runs on several threads at a time. */
struct base_httpd;

/*
 * Checks the options and binds host:port without serving yet, so the caller
 * learns the port before any request runs. Caller owns the result; free with
 * base_httpd_stop().
 */
int base_httpd_open(const struct base_httpd_opts *o, struct base_httpd **out,
		    struct base_err *err);
/*
 * Starts serving with a pool of `threads` threads (< 1 means 1); `done`
 * (may be NULL) runs once per answered request.
 */
int base_httpd_run(struct base_httpd *h, int threads,
		   base_httpd_handler_fn handler,
		   base_httpd_done_fn done, void *ctx, struct base_err *err);
/* The port actually bound. */
int base_httpd_port(const struct base_httpd *h);
bool base_httpd_is_tls(const struct base_httpd *h);
/*
 * Queues the response: Content-Type when ctype is non-empty, then the
 * headers in order, then "Connection: close" when must_close or while the
 * server drains. The body is copied. Returns false if MHD refused it.
 */
bool base_httpd_send(struct base_httpd_req *req, int status, const char *ctype,
		     const void *body, size_t len,
		     const struct base_httpd_header *headers, int nheaders,
		     bool must_close);
/*
 * Stops and frees. drain_ms >= 0: stop accepting, let requests in flight
 * finish for up to drain_ms (answers meanwhile say "Connection: close"),
 * then close the rest. drain_ms < 0: stop at once, after the handlers in
 * flight return. NULL is a no-op.
 */
void base_httpd_stop(struct base_httpd *h, int drain_ms);

/*
 * Value of request header `name` (case-insensitive), or NULL. With a
 * connection, from it; without one (fuzzers, unit tests), from the n
 * name/value pairs. Borrowed.
 */
const char *base_httpd_header(struct MHD_Connection *conn,
			      const char *(*pairs)[2], int n, const char *name);

/* "/a//b" -> "/a/b", in place. */
void base_httpd_collapse_slashes(char *path);

#endif
