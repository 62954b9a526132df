/* http.h - sfemu's HTTP server: libmicrohttpd in, one request/response pair per call. */
#ifndef EMU_HTTP_H
#define EMU_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/form.h"

struct MHD_Connection;

/* Largest request body sfemu reads; a bigger one gets 413 before it is read. */
#define EMU_HTTP_MAX_BODY (160u * 1024 * 1024)
#define EMU_HTTP_MAX_RESP_HEADERS 12

/* One request, borrowed by the handler for the duration of the call. */
struct emu_req {
	const char *method;
	const char *path;      /* raw (still %-encoded), repeated '/' collapsed */
	const char *raw_query; /* after '?', "" when none */
	struct base_form query; /* decoded query parameters */
	const char *body;      /* NUL-terminated; body_len excludes the NUL */
	size_t body_len;
	char client_ip[64];    /* TCP peer, or X-Forwarded-For when trusted */
	bool peer_is_loopback; /* about the TCP peer, never the forwarded one */
	struct MHD_Connection *conn;
	/* Used only when conn is NULL (fuzzers, unit tests): name/value pairs. */
	const char *(*headers)[2];
	int nheaders;
	/* Set on the requests /composite and /composite/batch make for their
	 * subrequests (rest_composite.c); false for a request off the wire. */
	bool subrequest;
	bool uncounted; /* a /composite subrequest: the composite counted once */
};

struct emu_resp_header {
	char name[48];
	char value[512];
};

/* What a handler fills in; the server sends it. */
struct emu_resp {
	int status;
	char content_type[64];
	struct base_buf body;
	struct emu_resp_header headers[EMU_HTTP_MAX_RESP_HEADERS];
	int nheaders;
};

/* Value of request header `name` (case-insensitive), or NULL. Borrowed. */
const char *emu_req_header(const struct emu_req *req, const char *name);
/* Decoded query parameter, or NULL. Borrowed. */
const char *emu_req_query(const struct emu_req *req, const char *name);
/* Sets or replaces a response header; values are truncated at 511 bytes. */
void emu_resp_header(struct emu_resp *resp, const char *name,
		     const char *value);
/* Sets status and content type, and empties the body. */
void emu_resp_start(struct emu_resp *resp, int status, const char *ctype);

typedef void (*emu_handler_fn)(void *ctx, struct emu_req *req,
			       struct emu_resp *resp);

struct emu_http;

/*
 * Binds host:port (port 0 picks a free one) without serving yet, so the
 * caller can learn the port before any request runs. Caller owns the result;
 * free with emu_http_stop().
 */
int emu_http_open(const char *host, int port, bool trust_forwarded_for,
		  struct emu_http **out, struct base_err *err);
/* Starts serving with a pool of `threads` threads; handler runs on those. */
int emu_http_run(struct emu_http *h, int threads, emu_handler_fn handler,
		 void *ctx, struct base_err *err);
/* The port actually bound. */
int emu_http_port(const struct emu_http *h);
/* Stops accepting, waits for handlers in flight, frees. NULL is a no-op. */
void emu_http_stop(struct emu_http *h);

/* Collapses repeated '/' in place ("//services//data" -> "/services/data"). */
void emu_http_collapse_slashes(char *path);

#endif
