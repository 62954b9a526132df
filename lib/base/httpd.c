/* httpd.c - generic HTTP server plumbing over libmicrohttpd. */
#include "base/httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/datetime.h"
#include "base/log.h"
#include "base/banned.h"

struct base_httpd {
	struct MHD_Daemon *daemon;
	int fd; /* the listening socket; ours until MHD runs, then MHD's */
	int port;
	int threads;
	size_t max_body;
	bool refuse_declared_too_big;
	enum base_httpd_forwarded forwarded;
	bool tls;
	const char *tls_cert_pem, *tls_key_pem; /* borrowed until run */
	base_httpd_handler_fn handler;
	base_httpd_done_fn done;
	void *ctx;
	atomic_int inflight; /* requests between their URI and completion */
	atomic_bool draining;
};

/* Per-request state, created by the URI log callback before headers arrive. */
struct conn_state {
	struct base_httpd *h;
	char *uri; /* raw request target */
	struct base_buf body;
	int64_t start_ms; /* monotonic */
	bool started;     /* the first call (headers only) has been seen */
	bool too_big;
	bool answered;
	bool loopback;
	int status;       /* what was queued */
	size_t bytes;
	char method[16];
	char ip[64];
};

void base_httpd_collapse_slashes(char *path)
{
	char *w = path;

	for (const char *r = path; *r; r++)
		if (!(*r == '/' && w > path && w[-1] == '/'))
			*w++ = *r;
	*w = '\0';
}

const char *base_httpd_header(struct MHD_Connection *conn,
			      const char *(*pairs)[2], int n, const char *name)
{
	if (!conn) {
		for (int i = 0; i < n; i++)
			if (strcasecmp(pairs[i][0], name) == 0)
				return pairs[i][1];
		return NULL;
	}
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
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

/*
 * Replaces out with one X-Forwarded-For entry when it is a valid IPv4 or
 * IPv6 address. The last entry is the one our proxy appended; the ones
 * before it came from the client and may be forged.
 */
static void forwarded_ip(struct MHD_Connection *c,
			 enum base_httpd_forwarded which, char *out, size_t n)
{
	const char *xff =
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
	const char *p, *end;
	char ip[64];
	unsigned char tmp[16];
	size_t len;

	if (!xff || which == BASE_HTTPD_FWD_NONE)
		return;
	if (which == BASE_HTTPD_FWD_FIRST) {
		p = xff;
		while (*p == ' ')
			p++;
		len = strcspn(p, ", ");
	} else {
		p = strrchr(xff, ',');
		p = p ? p + 1 : xff;
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strlen(p);
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		len = (size_t)(end - p);
	}
	if (len == 0 || len >= sizeof(ip))
		return;
	memcpy(ip, p, len);
	ip[len] = '\0';
	if (inet_pton(AF_INET, ip, tmp) == 1 || inet_pton(AF_INET6, ip, tmp) == 1)
		snprintf(out, n, "%s", ip);
}

static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct base_httpd *h = cls;
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
	st->body = BASE_BUF_SECRET_INIT(h->max_body); /* bodies carry passwords */
	st->start_ms = base_time_mono_ms();
	atomic_fetch_add(&h->inflight, 1);
	return st;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct conn_state *st = *con_cls;
	struct base_httpd_done d;

	(void)cls;
	(void)c;
	if (!st)
		return;
	if (st->answered && st->h->done) {
		d = (struct base_httpd_done){
			.method = st->method,
			.uri = st->uri,
			.client_ip = st->ip,
			.status = st->status,
			.bytes = st->bytes,
			.ms = base_time_mono_ms() - st->start_ms,
			.completed = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK,
		};
		st->h->done(st->h->ctx, &d);
	}
	atomic_fetch_sub(&st->h->inflight, 1);
	free(st->uri);
	base_buf_release(&st->body);
	free(st);
	*con_cls = NULL;
}

bool base_httpd_send(struct base_httpd_req *req, int status, const char *ctype,
		     const void *body, size_t len,
		     const struct base_httpd_header *headers, int nheaders,
		     bool must_close)
{
	struct conn_state *st = req->priv;
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body ? (void *)body : (void *)"",
					    MHD_RESPMEM_MUST_COPY);
	if (!r)
		return false;
	if (ctype && ctype[0])
		MHD_add_response_header(r, "Content-Type", ctype);
	for (int i = 0; i < nheaders; i++)
		MHD_add_response_header(r, headers[i].name, headers[i].value);
	if (must_close || atomic_load(&st->h->draining))
		MHD_add_response_header(r, "Connection", "close");
	ret = MHD_queue_response(req->conn, (unsigned)status, r);
	MHD_destroy_response(r);
	st->answered = ret == MHD_YES;
	st->status = status;
	st->bytes = len;
	return ret == MHD_YES;
}

static bool content_length_too_big(struct MHD_Connection *c, size_t max)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						     "Content-Length");
	char *end;
	unsigned long long n;

	if (!cl)
		return false;
	errno = 0;
	n = strtoull(cl, &end, 10);
	return errno == ERANGE || (end != cl && n > max);
}

static enum MHD_Result answer(struct base_httpd *h, struct conn_state *st,
			      struct MHD_Connection *c, const char *method)
{
	struct base_httpd_req req = {.conn = c, .method = method, .priv = st};

	req.uri = st->uri;
	req.too_big = st->too_big;
	if (!st->too_big && base_buf_append(&st->body, "", 0) != 0)
		return MHD_NO;
	req.body = st->too_big ? "" : base_buf_str(&st->body);
	req.body_len = st->too_big ? 0 : st->body.len;
	snprintf(req.client_ip, sizeof(req.client_ip), "%s", st->ip);
	req.peer_is_loopback = st->loopback;
	return h->handler(h->ctx, &req) ? MHD_YES : MHD_NO;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct base_httpd *h = cls;
	struct conn_state *st = *con_cls;

	(void)url;
	(void)version;
	if (!st)
		return MHD_NO;
	/* MHD calls once with the headers, then once per body chunk, then a
	 * last time with no data: only that last call answers, except for a
	 * declared body over the limit when the server refuses those early. */
	if (!st->started) {
		st->started = true;
		snprintf(st->method, sizeof(st->method), "%s", method);
		peer_ip(c, st->ip, sizeof(st->ip), &st->loopback);
		forwarded_ip(c, h->forwarded, st->ip, sizeof(st->ip));
		if (h->refuse_declared_too_big &&
		    content_length_too_big(c, h->max_body)) {
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

int base_httpd_open(const struct base_httpd_opts *o, struct base_httpd **out,
		    struct base_err *err)
{
	struct base_httpd *h;

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
	h->max_body = o->max_body;
	h->refuse_declared_too_big = o->refuse_declared_too_big;
	h->forwarded = o->forwarded;
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

int base_httpd_run(struct base_httpd *h, int threads,
		   base_httpd_handler_fn handler,
		   base_httpd_done_fn done, void *ctx, struct base_err *err)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			 MHD_USE_ITC;

	h->threads = threads > 0 ? threads : 1;
	h->handler = handler;
	h->done = done;
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

int base_httpd_port(const struct base_httpd *h)
{
	return h->port;
}

bool base_httpd_is_tls(const struct base_httpd *h)
{
	return h->tls;
}

void base_httpd_stop(struct base_httpd *h, int drain_ms)
{
	struct timespec ts = {0, 10 * 1000 * 1000};
	int64_t until;

	if (!h)
		return;
	if (h->daemon && drain_ms >= 0) {
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
	} else if (h->daemon) {
		/* MHD closes the listening socket it was given. */
		MHD_stop_daemon(h->daemon);
	} else if (h->fd >= 0) {
		close(h->fd);
	}
	free(h);
}
