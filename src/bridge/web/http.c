/* http.c - sfbridge's HTTP server over libmicrohttpd: bodies, limits, access log, graceful stop. */
#include "bridge/web/http.h"

#include <microhttpd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/httpd.h"
#include "base/log.h"
#include "base/banned.h"

struct sfb_http {
	struct base_httpd *srv;
	int threads;
	bool trust_proxy;
	sfb_handler_fn handler;
	void *ctx;
};

const char *sfb_req_header(const struct sfb_req *req, const char *name)
{
	return base_httpd_header(req->conn, req->headers, req->nheaders, name);
}

const char *sfb_req_cookie(const struct sfb_req *req, const char *name)
{
	if (!req->conn) {
		for (int i = 0; i < req->ncookies; i++)
			if (strcmp(req->cookies[i][0], name) == 0)
				return req->cookies[i][1];
		return NULL;
	}
	return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

static void set_header(struct sfb_resp *resp, const char *name,
		       const char *value, bool replace)
{
	struct sfb_resp_header *h = NULL;

	if (replace)
		for (int i = 0; i < resp->nheaders; i++)
			if (strcasecmp(resp->headers[i].name, name) == 0)
				h = &resp->headers[i];
	if (!h) {
		if (resp->nheaders == SFB_HTTP_MAX_RESP_HEADERS) {
			base_error("http: too many response headers, dropped '%s'",
				   name);
			return;
		}
		h = &resp->headers[resp->nheaders++];
	}
	snprintf(h->name, sizeof(h->name), "%s", name);
	snprintf(h->value, sizeof(h->value), "%s", value);
}

void sfb_resp_header(struct sfb_resp *resp, const char *name,
		     const char *value)
{
	set_header(resp, name, value, true);
}

void sfb_resp_add_header(struct sfb_resp *resp, const char *name,
			 const char *value)
{
	set_header(resp, name, value, false);
}

void sfb_resp_start(struct sfb_resp *resp, int status, const char *ctype)
{
	resp->status = status;
	snprintf(resp->content_type, sizeof(resp->content_type), "%s", ctype);
	base_buf_reset(&resp->body);
}

void sfb_http_collapse_slashes(char *path)
{
	base_httpd_collapse_slashes(path);
}

static bool forwarded_https(struct MHD_Connection *c)
{
	const char *p =
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-Proto");

	return p && strcasecmp(p, "https") == 0;
}

/*
 * Writes the path for the log: no query string (it may carry a token), and
 * every byte outside printable ASCII, space, '"' and '\' %-escaped, so a
 * request can't forge or break a log line. At most 256 bytes are kept.
 */
static void log_path(const char *uri, char *out, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t w = 0;

	for (const char *p = uri; *p && *p != '?' && *p != '#'; p++) {
		unsigned char ch = (unsigned char)*p;

		if (w + 4 >= n || w >= 256) {
			if (w + 4 < n)
				out[w++] = '.', out[w++] = '.', out[w++] = '.';
			break;
		}
		if (ch <= 0x20 || ch >= 0x7f || ch == '"' || ch == '\\') {
			out[w++] = '%';
			out[w++] = hex[ch >> 4];
			out[w++] = hex[ch & 15];
		} else {
			out[w++] = (char)ch;
		}
	}
	out[w] = '\0';
}

/* The access log line of one answered request. */
static void access_log(void *ctx, const struct base_httpd_done *d)
{
	char method[16], path[300];

	(void)ctx;
	snprintf(method, sizeof(method), "%s", d->method);
	for (char *p = method; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == '"' ||
		    (unsigned char)*p >= 0x7f)
			*p = '?';
	log_path(d->uri, path, sizeof(path));
	base_info("access method=%s path=\"%s\" status=%d bytes=%zu "
		  "ms=%lld ip=%s%s",
		  method, path, d->status, d->bytes, (long long)d->ms,
		  d->client_ip, d->completed ? "" : " aborted=1");
}

static bool send_resp(struct base_httpd_req *breq, struct sfb_resp *resp,
		      bool must_close)
{
	struct base_httpd_header hs[SFB_HTTP_MAX_RESP_HEADERS];

	for (int i = 0; i < resp->nheaders; i++)
		hs[i] = (struct base_httpd_header){resp->headers[i].name,
						   resp->headers[i].value};
	return base_httpd_send(breq, resp->status, resp->content_type,
			       resp->body.data, resp->body.len, hs,
			       resp->nheaders, must_close);
}

static bool answer(void *ctx, struct base_httpd_req *breq)
{
	struct sfb_http *h = ctx;
	struct sfb_req req = {.method = breq->method, .conn = breq->conn};
	struct sfb_resp resp = {.status = 200};
	bool ok;
	char *q;

	q = strchr(breq->uri, '?');
	req.raw_query = "";
	if (q) {
		*q = '\0';
		req.raw_query = q + 1;
	}
	if ((q = strchr(breq->uri, '#')) != NULL)
		*q = '\0';
	sfb_http_collapse_slashes(breq->uri);
	req.path = breq->uri;
	req.too_big = breq->too_big;
	req.body = breq->body;
	req.body_len = breq->body_len;
	req.https = base_httpd_is_tls(h->srv) ||
		    (h->trust_proxy && forwarded_https(breq->conn));
	snprintf(req.client_ip, sizeof(req.client_ip), "%s", breq->client_ip);

	resp.body = BASE_BUF_INIT(SFB_HTTP_MAX_RESP);
	h->handler(h->ctx, &req, &resp);
	if (base_buf_err(&resp.body) || resp.status < 100 || resp.status > 599) {
		base_error("http: %s %s: response: %s", req.method, req.path,
			   base_code_name(base_buf_err(&resp.body)));
		base_buf_release(&resp.body);
		resp = (struct sfb_resp){.body = BASE_BUF_INIT(1024)};
		sfb_resp_start(&resp, 500, "text/plain; charset=utf-8");
		base_buf_puts(&resp.body, "internal error\n");
	}
	/* A body we did not read leaves the connection unusable. */
	ok = send_resp(breq, &resp, breq->too_big);
	base_buf_release(&resp.body);
	return ok;
}

int sfb_http_open(const struct sfb_http_opts *o, struct sfb_http **out,
		  struct base_err *err)
{
	struct base_httpd_opts bo = {
		.host = o->host,
		.port = o->port,
		.max_body = SFB_HTTP_MAX_BODY,
		.refuse_declared_too_big = true,
		.forwarded = o->trust_proxy ? BASE_HTTPD_FWD_LAST
					    : BASE_HTTPD_FWD_NONE,
		.tls_cert_pem = o->tls_cert_pem,
		.tls_key_pem = o->tls_key_pem,
	};
	struct sfb_http *h;

	*out = NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return base_err_set(err, BASE_ENOMEM, "http server");
	h->threads = o->threads > 0 ? o->threads : 1;
	h->trust_proxy = o->trust_proxy;
	if (base_httpd_open(&bo, &h->srv, err) != 0) {
		free(h);
		return err ? err->code : BASE_ERR;
	}
	*out = h;
	return 0;
}

int sfb_http_run(struct sfb_http *h, sfb_handler_fn handler, void *ctx,
		 struct base_err *err)
{
	h->handler = handler;
	h->ctx = ctx;
	return base_httpd_run(h->srv, h->threads, answer, access_log, h, err);
}

int sfb_http_port(const struct sfb_http *h)
{
	return base_httpd_port(h->srv);
}

bool sfb_http_is_tls(const struct sfb_http *h)
{
	return base_httpd_is_tls(h->srv);
}

void sfb_http_stop(struct sfb_http *h, int drain_ms)
{
	if (!h)
		return;
	base_httpd_stop(h->srv, drain_ms < 0 ? 0 : drain_ms);
	free(h);
}
