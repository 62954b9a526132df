/* http.c - sfbridge's HTTP server over libmicrohttpd: bodies, limits, access log, graceful stop. */
#include "bridge/web/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/datetime.h"
#include "base/log.h"
#include "base/banned.h"

struct sfb_http {
	struct MHD_Daemon *daemon;
	int fd; /* the listening socket; ours until MHD runs, then MHD's */
	int port;
	int threads;
	bool trust_proxy;
	bool tls;
	const char *tls_cert_pem, *tls_key_pem; /* borrowed until run */
	sfb_handler_fn handler;
	void *ctx;
	atomic_int inflight; /* requests between their URI and completion */
	atomic_bool draining;
};

/* Per-request state, created by the URI log callback before headers arrive. */
struct conn_state {
	struct sfb_http *h;
	char *uri; /* raw request target */
	struct base_buf body;
	int64_t start_ms; /* monotonic */
	bool started;     /* the first call (headers only) has been seen */
	bool too_big;
	bool answered;
	int status;       /* for the access log: what was queued */
	size_t bytes;
	char method[16];
	char ip[64];
};

const char *sfb_req_header(const struct sfb_req *req, const char *name)
{
	/* Without a connection (unit tests) headers come from req. */
	if (!req->conn) {
		for (int i = 0; i < req->nheaders; i++)
			if (strcasecmp(req->headers[i][0], name) == 0)
				return req->headers[i][1];
		return NULL;
	}
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *sfb_req_cookie(const struct sfb_req *req, const char *name)
{
	if (!req->conn)
		return NULL;
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
	char *w = path;

	for (const char *r = path; *r; r++)
		if (!(*r == '/' && w > path && w[-1] == '/'))
			*w++ = *r;
	*w = '\0';
}

static void peer_ip(struct MHD_Connection *c, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, n, "0.0.0.0");
	if (!sa)
		return;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		inet_ntop(AF_INET, &in->sin_addr, out, (socklen_t)n);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, out, (socklen_t)n);
		/* Report v4-mapped peers as plain IPv4. */
		if (strncmp(out, "::ffff:", 7) == 0 && strchr(out + 7, '.'))
			memmove(out, out + 7, strlen(out + 7) + 1);
	}
}

/*
 * The last address of X-Forwarded-For: the one our proxy appended. The
 * entries before it came from the client and may be forged, so using the
 * first one would let anybody pick the IP that login rate limits count.
 */
static void forwarded_ip(struct MHD_Connection *c, char *out, size_t n)
{
	const char *xff =
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
	const char *last, *end;
	char ip[64];
	unsigned char tmp[16];
	size_t len;

	if (!xff)
		return;
	last = strrchr(xff, ',');
	last = last ? last + 1 : xff;
	while (*last == ' ' || *last == '\t')
		last++;
	end = last + strlen(last);
	while (end > last && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	len = (size_t)(end - last);
	if (len == 0 || len >= sizeof(ip))
		return;
	memcpy(ip, last, len);
	ip[len] = '\0';
	if (inet_pton(AF_INET, ip, tmp) == 1 || inet_pton(AF_INET6, ip, tmp) == 1)
		snprintf(out, n, "%s", ip);
}

static bool forwarded_https(struct MHD_Connection *c)
{
	const char *p =
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-Proto");

	return p && strcasecmp(p, "https") == 0;
}

static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct sfb_http *h = cls;
	struct conn_state *st = calloc(1, sizeof(*st));

	(void)c;
	if (!st)
		return NULL;
	st->h = h;
	st->uri = strdup(uri ? uri : "/");
	if (!st->uri) {
		free(st);
		return NULL;
	}
	st->body = BASE_BUF_INIT(SFB_HTTP_MAX_BODY);
	st->start_ms = base_time_mono_ms();
	atomic_fetch_add(&h->inflight, 1);
	return st;
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

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct conn_state *st = *con_cls;
	char path[300];

	(void)cls;
	(void)c;
	if (!st)
		return;
	if (st->answered) {
		log_path(st->uri, path, sizeof(path));
		base_info("access method=%s path=\"%s\" status=%d bytes=%zu "
			  "ms=%lld ip=%s%s",
			  st->method, path, st->status, st->bytes,
			  (long long)(base_time_mono_ms() - st->start_ms), st->ip,
			  toe == MHD_REQUEST_TERMINATED_COMPLETED_OK
				  ? ""
				  : " aborted=1");
	}
	atomic_fetch_sub(&st->h->inflight, 1);
	free(st->uri);
	base_buf_release(&st->body);
	free(st);
	*con_cls = NULL;
}

static enum MHD_Result send_resp(struct sfb_http *h, struct conn_state *st,
				 struct MHD_Connection *c,
				 struct sfb_resp *resp, bool must_close)
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
	if (must_close || atomic_load(&h->draining))
		MHD_add_response_header(r, "Connection", "close");
	ret = MHD_queue_response(c, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	st->answered = ret == MHD_YES;
	st->status = resp->status;
	st->bytes = resp->body.len;
	return ret;
}

static bool content_length_too_big(struct MHD_Connection *c)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						     "Content-Length");
	char *end;
	unsigned long long n;

	if (!cl)
		return false;
	errno = 0;
	n = strtoull(cl, &end, 10);
	return errno == ERANGE || (end != cl && n > SFB_HTTP_MAX_BODY);
}

static enum MHD_Result answer(struct sfb_http *h, struct conn_state *st,
			      struct MHD_Connection *c, const char *method)
{
	struct sfb_req req = {.method = method, .conn = c};
	struct sfb_resp resp = {.status = 200};
	enum MHD_Result ret;
	char *q;

	q = strchr(st->uri, '?');
	req.raw_query = "";
	if (q) {
		*q = '\0';
		req.raw_query = q + 1;
	}
	if ((q = strchr(st->uri, '#')) != NULL)
		*q = '\0';
	sfb_http_collapse_slashes(st->uri);
	req.path = st->uri;
	req.too_big = st->too_big;
	if (!st->too_big && base_buf_append(&st->body, "", 0) != 0)
		return MHD_NO;
	req.body = st->too_big ? "" : base_buf_str(&st->body);
	req.body_len = st->too_big ? 0 : st->body.len;
	req.https = h->tls || (h->trust_proxy && forwarded_https(c));
	snprintf(req.client_ip, sizeof(req.client_ip), "%s", st->ip);

	resp.body = BASE_BUF_INIT(SFB_HTTP_MAX_RESP);
	h->handler(h->ctx, &req, &resp);
	if (base_buf_err(&resp.body) || resp.status < 100 || resp.status > 599) {
		base_error("http: %s %s: response: %s", method, req.path,
			   base_code_name(base_buf_err(&resp.body)));
		base_buf_release(&resp.body);
		resp = (struct sfb_resp){.body = BASE_BUF_INIT(1024)};
		sfb_resp_start(&resp, 500, "text/plain; charset=utf-8");
		base_buf_puts(&resp.body, "internal error\n");
	}
	/* A body we did not read leaves the connection unusable. */
	ret = send_resp(h, st, c, &resp, st->too_big);
	base_buf_release(&resp.body);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct sfb_http *h = cls;
	struct conn_state *st = *con_cls;

	(void)url;
	(void)version;
	if (!st)
		return MHD_NO;
	/* MHD calls once with the headers, then once per body chunk, then a
	 * last time with no data: only that last call answers, except for a
	 * declared body over the limit, refused before it is read. */
	if (!st->started) {
		st->started = true;
		snprintf(st->method, sizeof(st->method), "%s", method);
		for (char *p = st->method; *p; p++)
			if ((unsigned char)*p <= 0x20 || *p == '"' ||
			    (unsigned char)*p >= 0x7f)
				*p = '?';
		peer_ip(c, st->ip, sizeof(st->ip));
		if (h->trust_proxy)
			forwarded_ip(c, st->ip, sizeof(st->ip));
		if (content_length_too_big(c)) {
			st->too_big = true;
			return answer(h, st, c, method);
		}
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
	if (st->answered)
		return MHD_YES;
	return answer(h, st, c, method);
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

int sfb_http_open(const struct sfb_http_opts *o, struct sfb_http **out,
		  struct base_err *err)
{
	struct sfb_http *h;

	*out = NULL;
	if (!!o->tls_cert_pem != !!o->tls_key_pem)
		return base_err_set(err, BASE_EINVAL,
				    "tls needs both a certificate and a key");
	if (o->tls_cert_pem && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
		return base_err_set(err, BASE_EINVAL,
				    "this libmicrohttpd has no TLS support");
	h = calloc(1, sizeof(*h));
	if (!h)
		return base_err_set(err, BASE_ENOMEM, "http server");
	h->fd = -1;
	h->threads = o->threads > 0 ? o->threads : 1;
	h->trust_proxy = o->trust_proxy;
	h->tls = o->tls_cert_pem != NULL;
	h->tls_cert_pem = o->tls_cert_pem;
	h->tls_key_pem = o->tls_key_pem;
	atomic_init(&h->inflight, 0);
	atomic_init(&h->draining, false);
	if (bind_listen(o->host, o->port, &h->fd, &h->port, err) != 0) {
		free(h);
		return err ? err->code : BASE_ERR;
	}
	*out = h;
	return 0;
}

int sfb_http_run(struct sfb_http *h, sfb_handler_fn handler, void *ctx,
		 struct base_err *err)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			 MHD_USE_ITC;

	h->handler = handler;
	h->ctx = ctx;
	if (h->tls)
		flags |= MHD_USE_TLS;
	h->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, h, MHD_OPTION_LISTEN_SOCKET,
		h->fd, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)h->threads,
		MHD_OPTION_URI_LOG_CALLBACK, uri_logger, h,
		MHD_OPTION_NOTIFY_COMPLETED, completed, h,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		h->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END,
		h->tls_cert_pem, MHD_OPTION_HTTPS_MEM_KEY, h->tls_key_pem,
		MHD_OPTION_END);
	h->tls_cert_pem = h->tls_key_pem = NULL;
	if (!h->daemon)
		return base_err_set(err, BASE_ERR,
				    "start http daemon on port %d%s", h->port,
				    h->tls ? " (check the TLS certificate and key)"
					   : "");
	return 0;
}

int sfb_http_port(const struct sfb_http *h)
{
	return h->port;
}

bool sfb_http_is_tls(const struct sfb_http *h)
{
	return h->tls;
}

void sfb_http_stop(struct sfb_http *h, int drain_ms)
{
	struct timespec ts = {0, 10 * 1000 * 1000};
	int64_t until;

	if (!h)
		return;
	if (h->daemon) {
		/* Stop accepting; MHD hands the listening socket back. */
		MHD_socket fd = MHD_quiesce_daemon(h->daemon);

		if (fd != MHD_INVALID_SOCKET)
			close(fd);
		atomic_store(&h->draining, true);
		until = base_time_mono_ms() + drain_ms;
		while (atomic_load(&h->inflight) > 0 &&
		       base_time_mono_ms() < until)
			nanosleep(&ts, NULL);
		if (atomic_load(&h->inflight) > 0)
			base_warn("http: %d request(s) still running after %d ms; "
				  "closing them",
				  atomic_load(&h->inflight), drain_ms);
		MHD_stop_daemon(h->daemon);
	} else if (h->fd >= 0) {
		close(h->fd);
	}
	free(h);
}
