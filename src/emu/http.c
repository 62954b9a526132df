/* http.c - sfemu's HTTP server over libmicrohttpd. */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/log.h"
#include "base/banned.h"

struct emu_http {
	struct MHD_Daemon *daemon;
	int fd;
	int port;
	bool trust_forwarded_for;
	emu_handler_fn handler;
	void *ctx;
};

/* Per-request state, created by the URI log callback before headers arrive. */
struct conn_state {
	char *uri; /* raw request target */
	struct base_buf body;
	bool started; /* the first call (headers only) has been seen */
	bool too_big;
};

const char *emu_req_header(const struct emu_req *req, const char *name)
{
	/* Without a connection (fuzzers, unit tests) headers come from req. */
	if (!req->conn) {
		for (int i = 0; i < req->nheaders; i++)
			if (strcasecmp(req->headers[i][0], name) == 0)
				return req->headers[i][1];
		return NULL;
	}
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *emu_req_query(const struct emu_req *req, const char *name)
{
	return base_form_get(&req->query, name);
}

void emu_resp_header(struct emu_resp *resp, const char *name,
		     const char *value)
{
	struct emu_resp_header *h = NULL;

	for (int i = 0; i < resp->nheaders; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			h = &resp->headers[i];
	if (!h) {
		if (resp->nheaders == EMU_HTTP_MAX_RESP_HEADERS)
			return;
		h = &resp->headers[resp->nheaders++];
	}
	snprintf(h->name, sizeof(h->name), "%s", name);
	snprintf(h->value, sizeof(h->value), "%s", value);
}

void emu_resp_start(struct emu_resp *resp, int status, const char *ctype)
{
	resp->status = status;
	snprintf(resp->content_type, sizeof(resp->content_type), "%s", ctype);
	base_buf_reset(&resp->body);
}

void emu_http_collapse_slashes(char *path)
{
	char *w = path;

	for (const char *r = path; *r; r++)
		if (!(*r == '/' && w > path && w[-1] == '/'))
			*w++ = *r;
	*w = '\0';
}

static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct conn_state *st = calloc(1, sizeof(*st));

	(void)cls;
	(void)c;
	if (!st)
		return NULL;
	st->uri = strdup(uri ? uri : "/");
	st->body = BASE_BUF_INIT(EMU_HTTP_MAX_BODY);
	return st;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct conn_state *st = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (!st)
		return;
	free(st->uri);
	base_buf_release(&st->body);
	free(st);
	*con_cls = NULL;
}

static void peer_ip(struct MHD_Connection *c, char *out, size_t n,
		    bool *loopback)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, n, "0.0.0.0");
	*loopback = false;
	if (!sa)
		return;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		inet_ntop(AF_INET, &in->sin_addr, out, (socklen_t)n);
		*loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, out, (socklen_t)n);
		*loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
		/* Report v4-mapped peers as plain IPv4. */
		if (strncmp(out, "::ffff:", 7) == 0 && strchr(out + 7, '.')) {
			memmove(out, out + 7, strlen(out + 7) + 1);
			*loopback = strncmp(out, "127.", 4) == 0;
		}
	}
}

/* First address of X-Forwarded-For, if it is a valid IPv4 or IPv6 address. */
static void forwarded_ip(struct MHD_Connection *c, char *out, size_t n)
{
	const char *xff =
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
	char first[64];
	unsigned char tmp[16];
	size_t len;

	if (!xff)
		return;
	while (*xff == ' ')
		xff++;
	len = strcspn(xff, ", ");
	if (len == 0 || len >= sizeof(first))
		return;
	memcpy(first, xff, len);
	first[len] = '\0';
	if (inet_pton(AF_INET, first, tmp) == 1 ||
	    inet_pton(AF_INET6, first, tmp) == 1)
		snprintf(out, n, "%s", first);
}

static enum MHD_Result send_resp(struct MHD_Connection *c,
				 struct emu_resp *resp)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(resp->body.len,
					    resp->body.data ? resp->body.data
							    : (void *)"",
					    MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	if (resp->content_type[0])
		MHD_add_response_header(r, "Content-Type", resp->content_type);
	for (int i = 0; i < resp->nheaders; i++)
		MHD_add_response_header(r, resp->headers[i].name,
					resp->headers[i].value);
	ret = MHD_queue_response(c, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result too_big(struct MHD_Connection *c)
{
	struct emu_resp resp = {.body = BASE_BUF_INIT(1024)};
	enum MHD_Result ret;

	emu_resp_start(&resp, 413, "application/json;charset=UTF-8");
	base_buf_puts(&resp.body,
		      "[{\"message\":\"Request body exceeds the maximum size\","
		      "\"errorCode\":\"REQUEST_ENTITY_TOO_LARGE\"}]");
	emu_resp_header(&resp, "Connection", "close");
	ret = send_resp(c, &resp);
	base_buf_release(&resp.body);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct emu_http *h = cls;
	struct conn_state *st = *con_cls;
	struct emu_req req = {.method = method, .conn = c};
	struct emu_resp resp = {.status = 200};
	struct base_err err = BASE_ERR_INIT;
	enum MHD_Result ret;
	char *q;

	(void)url;
	(void)version;
	if (!st)
		return MHD_NO;
	/* MHD calls once with the headers, then once per body chunk, then a
	 * last time with no data: only that last call answers. */
	if (!st->started) {
		st->started = true;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!st->too_big &&
		    base_buf_append(&st->body, upload, *upload_size) != 0) {
			st->too_big = true;
			base_buf_release(&st->body);
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (st->too_big)
		return too_big(c);

	/* All request data is in: route it. */
	q = strchr(st->uri, '?');
	req.raw_query = "";
	if (q) {
		*q = '\0';
		req.raw_query = q + 1;
		if (strchr(req.raw_query, '#'))
			*strchr(q + 1, '#') = '\0';
	}
	emu_http_collapse_slashes(st->uri);
	req.path = st->uri;
	if (base_form_parse(&req.query, req.raw_query, strlen(req.raw_query),
			    &err) != 0)
		req.query.n = 0; /* handlers see no parameters; bad escapes are ignored */
	if (base_buf_append(&st->body, "", 0) != 0) {
		base_form_release(&req.query);
		return MHD_NO;
	}
	req.body = base_buf_str(&st->body);
	req.body_len = st->body.len;
	peer_ip(c, req.client_ip, sizeof(req.client_ip), &req.peer_is_loopback);
	if (h->trust_forwarded_for)
		forwarded_ip(c, req.client_ip, sizeof(req.client_ip));

	resp.body = BASE_BUF_INIT(EMU_HTTP_MAX_BODY);
	h->handler(h->ctx, &req, &resp);
	if (base_buf_err(&resp.body)) {
		base_error("http: %s %s: response body: %s", method, req.path,
			   base_code_name(base_buf_err(&resp.body)));
		base_buf_release(&resp.body);
		resp.body = BASE_BUF_INIT(1024);
		emu_resp_start(&resp, 500, "application/json;charset=UTF-8");
		base_buf_puts(&resp.body, "[{\"message\":\"response too large\","
					  "\"errorCode\":\"UNKNOWN_EXCEPTION\"}]");
	}
	ret = send_resp(c, &resp);
	base_buf_release(&resp.body);
	base_form_release(&req.query);
	return ret;
}

static int bind_listen(const char *host, int port, int *out_fd, int *out_port,
		       struct base_err *err)
{
	struct sockaddr_storage ss = {0};
	socklen_t len;
	int fd, one = 1;

	if (strchr(host, ':')) {
		struct sockaddr_in6 *in6 = (void *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
			return base_err_set(err, BASE_EINVAL,
					    "bad listen address '%s'", host);
		len = sizeof(*in6);
	} else {
		struct sockaddr_in *in = (void *)&ss;

		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		if (strcmp(host, "localhost") == 0)
			host = "127.0.0.1";
		if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
			return base_err_set(err, BASE_EINVAL,
					    "bad listen address '%s'", host);
		len = sizeof(*in);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return base_err_set_errno(err, BASE_ERR, "socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 128) != 0) {
		base_err_set_errno(err, BASE_ERR, "bind %s:%d", host, port);
		close(fd);
		return BASE_ERR;
	}
	len = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &len);
	*out_port = ntohs(ss.ss_family == AF_INET6
				  ? ((struct sockaddr_in6 *)&ss)->sin6_port
				  : ((struct sockaddr_in *)&ss)->sin_port);
	*out_fd = fd;
	return 0;
}

int emu_http_open(const char *host, int port, bool trust_forwarded_for,
		  struct emu_http **out, struct base_err *err)
{
	struct emu_http *h = calloc(1, sizeof(*h));

	*out = NULL;
	if (!h)
		return base_err_set(err, BASE_ENOMEM, "http server");
	h->fd = -1;
	h->trust_forwarded_for = trust_forwarded_for;
	if (bind_listen(host, port, &h->fd, &h->port, err) != 0) {
		free(h);
		return err ? err->code : BASE_ERR;
	}
	*out = h;
	return 0;
}

int emu_http_run(struct emu_http *h, int threads, emu_handler_fn handler,
		 void *ctx, struct base_err *err)
{
	h->handler = handler;
	h->ctx = ctx;
	h->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL,
		on_request, h, MHD_OPTION_LISTEN_SOCKET, h->fd,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(threads > 0 ? threads : 1),
		MHD_OPTION_URI_LOG_CALLBACK, uri_logger, NULL,
		MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_END);
	if (!h->daemon)
		return base_err_set(err, BASE_ERR, "start http daemon on port %d",
				    h->port);
	return 0;
}

int emu_http_port(const struct emu_http *h)
{
	return h->port;
}

void emu_http_stop(struct emu_http *h)
{
	if (!h)
		return;
	if (h->daemon)
		MHD_stop_daemon(h->daemon);
	if (h->fd >= 0)
		close(h->fd);
	free(h);
}
