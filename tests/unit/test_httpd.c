/* test_httpd.c - the generic HTTP server: port 0, bodies, the body limit, stop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/httpd.h"
#include "base/banned.h"

#define MAX_BODY 16

/* Answers "too_big=N len=N body=..." as text/plain. */
static bool echo(void *ctx, struct base_httpd_req *req)
{
	char out[256];
	int n;

	(void)ctx;
	n = snprintf(out, sizeof(out), "too_big=%d len=%zu body=%s",
		     req->too_big ? 1 : 0, req->body_len, req->body);
	return base_httpd_send(req, req->too_big ? 413 : 200, "text/plain",
			       out, (size_t)n, NULL, 0, req->too_big);
}

static struct base_httpd *start(bool refuse_declared)
{
	struct base_httpd_opts o = {
		.host = "127.0.0.1",
		.port = 0,
		.max_body = MAX_BODY,
		.refuse_declared_too_big = refuse_declared,
	};
	struct base_err err = BASE_ERR_INIT;
	struct base_httpd *h = NULL;

	assert_int_equal(base_httpd_open(&o, &h, &err), 0);
	assert_non_null(h);
	assert_true(base_httpd_port(h) > 0);
	assert_false(base_httpd_is_tls(h));
	assert_int_equal(base_httpd_run(h, 2, echo, NULL, NULL, &err), 0);
	return h;
}

/* Sends `raw` and reads until the server closes; returns the reply. */
static void roundtrip(int port, const char *raw, char *reply, size_t n)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	struct timeval tv = {.tv_sec = 10};
	size_t got = 0;
	ssize_t r;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(send(fd, raw, strlen(raw), MSG_NOSIGNAL),
			 (ssize_t)strlen(raw));
	while (got + 1 < n && (r = recv(fd, reply + got, n - 1 - got, 0)) > 0)
		got += (size_t)r;
	reply[got] = '\0';
	close(fd);
}

static void test_httpd__chunked_body_reaches_handler(void **state)
{
	struct base_httpd *h = start(false);
	char reply[2048];

	(void)state;
	roundtrip(base_httpd_port(h),
		  "POST /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
		  "Transfer-Encoding: chunked\r\n\r\n"
		  "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
		  reply, sizeof(reply));
	base_httpd_stop(h, 1000);

	assert_non_null(strstr(reply, "HTTP/1.1 200"));
	assert_non_null(strstr(reply, "Content-Type: text/plain"));
	assert_non_null(strstr(reply, "too_big=0 len=11 body=hello world"));
}

static void test_httpd__oversized_chunked_body_takes_limit_path(void **state)
{
	struct base_httpd *h = start(false);
	char reply[2048];

	(void)state;
	roundtrip(base_httpd_port(h),
		  "POST /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
		  "Transfer-Encoding: chunked\r\n\r\n"
		  "a\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\n\r\n",
		  reply, sizeof(reply));
	base_httpd_stop(h, -1);

	assert_non_null(strstr(reply, "HTTP/1.1 413"));
	assert_non_null(strstr(reply, "too_big=1 len=0 body="));
	assert_null(strstr(reply, "0123456789")); /* nothing of it was kept */
}

static void test_httpd__declared_oversized_body_is_refused_early(void **state)
{
	struct base_httpd *h = start(true);
	char reply[2048];

	(void)state;
	roundtrip(base_httpd_port(h),
		  "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n",
		  reply, sizeof(reply));
	base_httpd_stop(h, 1000);

	assert_non_null(strstr(reply, "HTTP/1.1 413"));
	assert_non_null(strstr(reply, "Connection: close"));
	assert_non_null(strstr(reply, "too_big=1 len=0 body="));
}

static void test_httpd__bad_host_is_einval(void **state)
{
	struct base_httpd_opts o = {.host = "not-an-ip", .max_body = 1};
	struct base_err err = BASE_ERR_INIT;
	struct base_httpd *h = (void *)1;

	(void)state;
	assert_int_equal(base_httpd_open(&o, &h, &err), BASE_EINVAL);
	assert_null(h);
	assert_string_equal(err.msg, "bad listen address 'not-an-ip'");
	base_httpd_stop(NULL, 0); /* a no-op */
}

static void test_httpd__collapse_slashes(void **state)
{
	char p[] = "//a///b/";

	(void)state;
	base_httpd_collapse_slashes(p);
	assert_string_equal(p, "/a/b/");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_httpd__chunked_body_reaches_handler),
		cmocka_unit_test(test_httpd__oversized_chunked_body_takes_limit_path),
		cmocka_unit_test(test_httpd__declared_oversized_body_is_refused_early),
		cmocka_unit_test(test_httpd__bad_host_is_einval),
		cmocka_unit_test(test_httpd__collapse_slashes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
