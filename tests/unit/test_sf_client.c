/* test_sf_client.c - the client against a scripted local server: retries, backoff caps, re-auth once, the guard, signatures; secrets, credentials checks, JWT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <pthread.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/b64.h"
#include "base/buf.h"
#include "base/err.h"
#include "sf/auth_int.h"
#include "sf/client.h"
#include "sf/error.h"
#include "sf/internal.h"
#include "sf/secret.h"
#include "tmpdir.h"
#include "base/banned.h"

/* ---- a scripted HTTP/1.1 server on 127.0.0.1:0 --------------------------- */

#define MAX_STEPS 16

struct step {
	int status;        /* 0: close the connection without a reply */
	const char *type;  /* Content-Type */
	const char *body;  /* "%PORT%" becomes the port */
	const char *extra; /* more header lines, each ending "\r\n" */
};

struct server {
	int fd, port;
	pthread_t th;
	struct step steps[MAX_STEPS];
	int nsteps;
	int served;                   /* requests answered (guarded by lock) */
	char lines[MAX_STEPS][256];   /* "METHOD /path" of each request */
	char auth[MAX_STEPS][256];    /* its Authorization header */
	char bodies[MAX_STEPS][4096]; /* its body (the first 4 KB) */
	pthread_mutex_t lock;
	int stop;
};

static void read_request(int c, char *line, size_t ln, char *auth, size_t an,
			 char *bd, size_t bn)
{
	char buf[65536] = "";
	size_t n = 0;
	long clen = 0;
	char *end = NULL, *p;
	ssize_t r;

	while (n < sizeof(buf) - 1 && !(end = strstr(buf, "\r\n\r\n"))) {
		r = recv(c, buf + n, sizeof(buf) - 1 - n, 0);
		if (r <= 0)
			return;
		n += (size_t)r;
		buf[n] = '\0';
	}
	if (!end)
		return;
	p = strstr(buf, "\r\n");
	snprintf(line, ln, "%.*s", (int)(p - buf), buf);
	if ((p = strstr(buf, "\r\nContent-Length: ")))
		clen = strtol(p + 18, NULL, 10);
	if ((p = strstr(buf, "\r\nAuthorization: ")))
		snprintf(auth, an, "%.*s", (int)strcspn(p + 17, "\r"), p + 17);
	/* the body (small in these tests: it fits in buf) */
	{
		size_t have = n - (size_t)(end + 4 - buf);

		while ((long)have < clen && n < sizeof(buf) - 1) {
			r = recv(c, buf + n, sizeof(buf) - 1 - n, 0);
			if (r <= 0)
				return;
			n += (size_t)r;
			have += (size_t)r;
			buf[n] = '\0';
		}
		snprintf(bd, bn, "%s", end + 4);
	}
}

static void *serve(void *arg)
{
	struct server *s = arg;

	for (;;) {
		int c = accept(s->fd, NULL, NULL);
		struct base_buf out = BASE_BUF_INIT(1 << 20);
		struct base_buf body = BASE_BUF_INIT(1 << 20);
		struct step st;
		int i;
		const char *b;

		if (c < 0)
			return NULL;
		pthread_mutex_lock(&s->lock);
		if (s->stop) {
			pthread_mutex_unlock(&s->lock);
			close(c);
			return NULL;
		}
		i = s->served < s->nsteps ? s->served : s->nsteps - 1;
		st = s->steps[i];
		pthread_mutex_unlock(&s->lock);
		read_request(c, s->lines[i], sizeof(s->lines[i]), s->auth[i],
			     sizeof(s->auth[i]), s->bodies[i],
			     sizeof(s->bodies[i]));
		pthread_mutex_lock(&s->lock);
		s->served++;
		pthread_mutex_unlock(&s->lock);
		if (st.status) {
			for (b = st.body ? st.body : ""; *b; b++) {
				if (strncmp(b, "%PORT%", 6) == 0) {
					base_buf_printf(&body, "%d", s->port);
					b += 5;
				} else {
					base_buf_putc(&body, *b);
				}
			}
			base_buf_printf(&out,
					"HTTP/1.1 %d X\r\nContent-Type: %s\r\n"
					"Content-Length: %zu\r\nConnection: "
					"close\r\n%s\r\n%s",
					st.status,
					st.type ? st.type : "application/json",
					body.len, st.extra ? st.extra : "",
					base_buf_str(&body));
			(void)!write(c, base_buf_str(&out), out.len);
		}
		shutdown(c, SHUT_RDWR);
		close(c);
		base_buf_release(&out);
		base_buf_release(&body);
	}
}

static struct server *server_start(const struct step *steps, int n)
{
	struct server *s = calloc(1, sizeof(*s));
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);

	assert_non_null(s);
	assert_true(n <= MAX_STEPS);
	memcpy(s->steps, steps, sizeof(*steps) * (size_t)n);
	s->nsteps = n;
	pthread_mutex_init(&s->lock, NULL);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->fd >= 0);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->fd, 16), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &len), 0);
	s->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&s->th, NULL, serve, s), 0);
	return s;
}

static int served(struct server *s)
{
	int n;

	pthread_mutex_lock(&s->lock);
	n = s->served;
	pthread_mutex_unlock(&s->lock);
	return n;
}

static void server_stop(struct server *s)
{
	pthread_mutex_lock(&s->lock);
	s->stop = 1;
	pthread_mutex_unlock(&s->lock);
	shutdown(s->fd, SHUT_RDWR); /* wakes accept() */
	close(s->fd);
	pthread_join(s->th, NULL);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* ---- clients against it ----------------------------------------------------
 */

static struct base_buf logged = {.max = 16u << 20};

static void capture(void *ctx, enum sf_log_level level, const char *line)
{
	(void)ctx;
	(void)level;
	if (getenv("TEST_VERBOSE"))
		fprintf(stderr, "log: %s\n", line);
	base_buf_puts(&logged, line);
	base_buf_putc(&logged, '\n');
}

#define CONSUMER_SECRET "cs-very-secret-1"
#define PASSWORD        "pw-very-secret-1"

static struct sf_client *oauth_client(struct server *s, int max_retries)
{
	struct sf_client_options o = {
		.allow_http_loopback = true,
		.max_retries = max_retries,
		.backoff_base_ms = 1,
		.backoff_max_ms = 4,
		.timeout_ms = 5000,
		.log = capture,
		.log_bodies = true,
	};
	struct sf_secret *pw = sf_secret_new(PASSWORD, strlen(PASSWORD));
	struct sf_secret *cs =
		sf_secret_new(CONSUMER_SECRET, strlen(CONSUMER_SECRET));
	struct sf_credentials cr = {
		.method = SF_AUTH_OAUTH_PASSWORD,
		.username = "int@x.test",
		.password = pw,
		.consumer_key = "3MVG9key",
		.consumer_secret = cs,
	};
	struct sf_error err = SF_ERROR_INIT;
	struct sf_client *c = NULL;
	char url[64];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d", s->port);
	assert_int_equal(sf_target_parse(url, true, &cr.target, &err), 0);
	assert_int_equal(sf_client_new(&o, &c, &err), 0);
	assert_int_equal(sf_client_set_credentials(c, &cr, &err), 0);
	sf_secret_free(pw);
	sf_secret_free(cs);
	return c;
}

/* A token reply with a right (or deliberately wrong) signature. */
static char *token_reply(const char *token, bool good_sig)
{
	static const char id[] = "https://login.salesforce.com/id/"
				 "00Dxx0000001gPLEAY/005xx000001SwiUAAS";
	static const char issued[] = "1718900000000";
	struct base_buf msg = BASE_BUF_INIT(1024), sig = BASE_BUF_INIT(128);
	struct base_buf out = BASE_BUF_INIT(4096);
	unsigned char mac[32];
	unsigned int n = 0;

	base_buf_printf(&msg, "%s%s", id, issued);
	HMAC(EVP_sha256(), CONSUMER_SECRET, (int)strlen(CONSUMER_SECRET),
	     (const unsigned char *)base_buf_str(&msg), msg.len, mac, &n);
	base_b64_encode(&sig, mac, n);
	base_buf_printf(&out,
			"{\"access_token\":\"%s\",\"instance_url\":\"http://"
			"127.0.0.1:%%PORT%%\",\"id\":\"%s\",\"token_type\":"
			"\"Bearer\",\"issued_at\":\"%s\",\"signature\":\"%s\"}",
			token, id, issued,
			good_sig ? base_buf_str(&sig) : "AAAA");
	base_buf_release(&msg);
	base_buf_release(&sig);
	return base_buf_detach(&out, NULL);
}

static int get(struct sf_client *c, bool retry_safe, struct sf_error *err)
{
	struct sf_http_resp r = SF_HTTP_RESP_INIT;
	int rc = sf__call(c, "GET", "/sobjects", NULL, NULL, 0, retry_safe, &r,
			  err);

	sf__resp_release(&r);
	return rc;
}

static const char json_503[] = "[{\"errorCode\":\"SERVER_UNAVAILABLE\","
			       "\"message\":\"try later\"}]";

static void test_sf_client__transient_retried_when_safe(void **state)
{
	char *tok = token_reply("00Dxx0000001gPL!tok1", true);
	const struct step steps[] = {
		{200, NULL, tok, NULL},
		{503, "text/html", "<html>down</html>", NULL},
		{503, NULL, json_503, NULL},
		{200, NULL, "{}", "Sforce-Limit-Info: api-usage=7/15000\r\n"},
	};
	struct server *s = server_start(steps, 4);
	struct sf_client *c = oauth_client(s, 4);
	struct sf_error err = SF_ERROR_INIT;
	struct sf_session_info si;
	struct sf_api_usage u;

	(void)state;
	assert_int_equal(get(c, true, &err), 0);
	assert_int_equal(served(s), 4);
	assert_string_equal(s->lines[0],
			    "POST /services/oauth2/token HTTP/1.1");
	assert_string_equal(s->lines[3],
			    "GET /services/data/v60.0/sobjects HTTP/1.1");
	assert_string_equal(s->auth[3], "Bearer 00Dxx0000001gPL!tok1");
	sf_client_session(c, &si);
	assert_string_equal(si.org_id, "00Dxx0000001gPLEAY");
	assert_string_equal(si.user_id, "005xx000001SwiUAAS");
	assert_int_equal(si.issued_ms, 1718900000000LL);
	sf_client_api_usage(c, &u);
	assert_int_equal(u.used, 7);
	assert_int_equal(u.max, 15000);
	assert_int_equal(u.calls, 4);
	assert_int_equal(u.logins, 1);
	sf_client_free(c);
	server_stop(s);
	free(tok);
}

static void test_sf_client__bad_signature_is_invalid_request(void **state)
{
	char *tok = token_reply("00Dxx0000001gPL!tok1", false);
	const struct step steps[] = {{200, NULL, tok, NULL}};
	struct server *s = server_start(steps, 1);
	struct sf_client *c = oauth_client(s, 4);
	struct sf_error err = SF_ERROR_INIT;

	(void)state;
	assert_int_equal(sf_client_login(c, &err), BASE_EINVAL);
	assert_int_equal(err.cls, SF_CLASS_INVALID_REQUEST);
	assert_string_equal(err.code, "signature");
	assert_string_equal(
		err.message,
		"login: token reply's signature doesn't match "
		"Base64(HMAC-SHA256(consumer secret, id + "
		"issued_at)): a wrong consumer secret, or the reply "
		"was altered");
	/* the guard holds: no second request */
	assert_int_equal(get(c, true, &err), BASE_EINVAL);
	assert_int_equal(served(s), 1);
	sf_client_free(c);
	server_stop(s);
	free(tok);
}

static void test_sf_client__not_retried_unless_safe(void **state)
{
	char *tok = token_reply("00Dxx0000001gPL!tok1", true);
	const struct step steps[] = {
		{200, NULL, tok, NULL},
		{503, NULL, json_503, NULL},
		{200, NULL, "{}", NULL},
	};
	struct server *s = server_start(steps, 3);
	struct sf_client *c = oauth_client(s, 4);
	struct sf_error err = SF_ERROR_INIT;

	(void)state;
	assert_int_equal(get(c, false, &err), BASE_ERETRY);
	assert_int_equal(err.cls, SF_CLASS_TRANSIENT);
	assert_string_equal(err.message,
			    "http 503: SERVER_UNAVAILABLE: try later");
	assert_int_equal(served(s), 2);
	sf_client_free(c);
	server_stop(s);
	free(tok);
}

static void test_sf_client__retries_capped(void **state)
{
	char *tok = token_reply("00Dxx0000001gPL!tok1", true);
	const struct step steps[] = {
		{200, NULL, tok, NULL},
		{503, NULL, json_503, NULL},
	};
	struct server *s = server_start(steps, 2);
	struct sf_client *c = oauth_client(s, 2);
	struct sf_error err = SF_ERROR_INIT;

	(void)state;
	assert_int_equal(get(c, true, &err), BASE_ERETRY);
	assert_int_equal(served(s), 1 + 3); /* login, first try, 2 retries */
	sf_client_free(c);
	server_stop(s);
	free(tok);
}

static void test_sf_client__no_reply_is_network_and_retried(void **state)
{
	char *tok = token_reply("00Dxx0000001gPL!tok1", true);
	const struct step steps[] = {
		{200, NULL, tok, NULL},
		{0, NULL, NULL, NULL},
		{200, NULL, "{}", NULL},
	};
	struct server *s = server_start(steps, 3);
	struct sf_client *c = oauth_client(s, 4);
	struct sf_error err = SF_ERROR_INIT;

	(void)state;
	assert_int_equal(get(c, true, &err), 0);
	assert_int_equal(served(s), 3);
	sf_client_free(c);
	server_stop(s);
	free(tok);
}

static void test_sf_client__concurrency_limit_retried_daily_not(void **state)
{
	char *tok = token_reply("00Dxx0000001gPL!tok1", true);
	const struct step steps[] = {
		{200, NULL, tok, NULL},
		{403, NULL,
		 "[{\"errorCode\":\"REQUEST_LIMIT_EXCEEDED\",\"message\":"
		 "\"ConcurrentPerOrgLongTxn Limit exceeded.\"}]",
		 "Sforce-Limit-Info: api-usage=10/15000\r\n"},
		{200, NULL, "{}", NULL},
		{403, NULL,
		 "[{\"errorCode\":\"REQUEST_LIMIT_EXCEEDED\",\"message\":"
		 "\"TotalRequests Limit exceeded.\"}]",
		 "Sforce-Limit-Info: api-usage=15000/15000\r\n"},
		{200, NULL, "{}", NULL},
	};
	struct server *s = server_start(steps, 5);
	struct sf_client *c = oauth_client(s, 4);
	struct sf_error err = SF_ERROR_INIT;

	(void)state;
	assert_int_equal(get(c, true, &err), 0);
	assert_int_equal(served(s), 3);
	assert_int_equal(get(c, true, &err), BASE_ERETRY);
	assert_int_equal(err.cls, SF_CLASS_THROTTLE);
	assert_int_equal(err.api_used, 15000);
	assert_int_equal(err.api_max, 15000);
	assert_int_equal(served(s), 4);
	sf_client_free(c);
	server_stop(s);
	free(tok);
}

static void test_sf_client__reauth_once_then_give_up(void **state)
{
	char *tok1 = token_reply("00Dxx0000001gPL!tok1", true);
	char *tok2 = token_reply("00Dxx0000001gPL!tok2", true);
	static const char expired[] = "[{\"message\":\"Session expired or "
				      "invalid\",\"errorCode\":\"INVALID_"
				      "SESSION_ID\"}]";
	const struct step steps[] = {
		{200, NULL, tok1, NULL}, {401, NULL, expired, NULL},
		{200, NULL, tok2, NULL}, {401, NULL, expired, NULL},
		{200, NULL, "{}", NULL},
	};
	struct server *s = server_start(steps, 5);
	struct sf_client *c = oauth_client(s, 4);
	struct sf_error err = SF_ERROR_INIT;
	struct sf_api_usage u;

	(void)state;
	assert_int_equal(get(c, true, &err), BASE_EAUTH);
	assert_int_equal(err.cls, SF_CLASS_SESSION);
	assert_int_equal(served(s), 4); /* login, call, login, call: no loop */
	assert_string_equal(s->auth[1], "Bearer 00Dxx0000001gPL!tok1");
	assert_string_equal(s->auth[3], "Bearer 00Dxx0000001gPL!tok2");
	sf_client_api_usage(c, &u);
	assert_int_equal(u.logins, 2);
	sf_client_free(c);
	server_stop(s);
	free(tok1);
	free(tok2);
}

static void test_sf_client__reauth_refused_returns_refusal(void **state)
{
	char *tok1 = token_reply("00Dxx0000001gPL!tok1", true);
	const struct step steps[] = {
		{200, NULL, tok1, NULL},
		{401, NULL,
		 "[{\"message\":\"Session expired or invalid\",\"errorCode\":"
		 "\"INVALID_SESSION_ID\"}]",
		 NULL},
		{400, NULL,
		 "{\"error\":\"invalid_grant\",\"error_description\":"
		 "\"authentication failure\"}",
		 NULL},
	};
	struct server *s = server_start(steps, 3);
	struct sf_client *c = oauth_client(s, 4);
	struct sf_error err = SF_ERROR_INIT;

	(void)state;
	assert_int_equal(get(c, true, &err), BASE_EAUTH);
	assert_int_equal(err.cls, SF_CLASS_CREDENTIAL);
	assert_string_equal(err.message, "login: http 400: invalid_grant: "
					 "authentication failure");
	assert_int_equal(get(c, true, &err), BASE_EAUTH);
	assert_int_equal(served(s), 3);
	sf_client_free(c);
	server_stop(s);
	free(tok1);
}

static void test_sf_client__log_has_no_secrets(void **state)
{
	const char *text = base_buf_str(&logged);

	(void)state;
	/* every test above logged through capture() with bodies on */
	assert_non_null(strstr(text, "password=<redacted>"));
	assert_non_null(strstr(text, "Authorization: Bearer <redacted>"));
	assert_null(strstr(text, PASSWORD));
	assert_null(strstr(text, CONSUMER_SECRET));
	assert_null(strstr(text, "!tok1"));
	assert_null(strstr(text, "!tok2"));
	assert_null(strstr(text, "AQsoapsid"));
	assert_non_null(strstr(text, "<sessionId><redacted></sessionId>"));
	base_buf_release(&logged);
}

/* ---- SOAP login
 * ---------------------------------------------------------------- */

static const char soap_ok[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope "
	"xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
	"xmlns=\"urn:partner.soap.sforce.com\"><soapenv:Body><loginResponse>"
	"<result><passwordExpired>%s</passwordExpired><serverUrl>http://"
	"127.0.0.1:%PORT%/services/Soap/u/64.0/00Dxx0000001gPL</serverUrl>"
	"<sessionId>00Dxx0000001gPL!AQsoapsid</sessionId><userId>"
	"005xx000001SwiUAAS</userId><userInfo><organizationId>"
	"00Dxx0000001gPLEAY</organizationId><sessionSecondsValid>900"
	"</sessionSecondsValid></userInfo></result></loginResponse>"
	"</soapenv:Body></soapenv:Envelope>";

static struct sf_client *soap_client(struct server *s, const char *api)
{
	struct sf_client_options o = {
		.api_version = api,
		.allow_http_loopback = true,
		.timeout_ms = 5000,
		.log = capture,
		.log_bodies = true,
	};
	struct sf_secret *pw =
		sf_secret_new("p<w&" PASSWORD, 4 + strlen(PASSWORD));
	struct sf_secret *tok = sf_secret_new("TOK\"1", 5);
	struct sf_credentials cr = {
		.method = SF_AUTH_SOAP_PASSWORD,
		.username = "o'neil@x.test",
		.password = pw,
		.security_token = tok,
	};
	struct sf_error err = SF_ERROR_INIT;
	struct sf_client *c = NULL;
	char url[64];

	snprintf(url, sizeof(url), "http://localhost:%d", s->port);
	assert_int_equal(sf_target_parse(url, true, &cr.target, &err), 0);
	assert_int_equal(sf_client_new(&o, &c, &err), 0);
	assert_int_equal(sf_client_set_credentials(c, &cr, &err), 0);
	sf_secret_free(pw);
	sf_secret_free(tok);
	return c;
}

static char *soap_reply(const char *expired)
{
	struct base_buf b = BASE_BUF_INIT(8192);
	const char *p = strstr(soap_ok, "%s");

	base_buf_append(&b, soap_ok, (size_t)(p - soap_ok));
	base_buf_puts(&b, expired);
	base_buf_puts(&b, p + 2);
	return base_buf_detach(&b, NULL);
}

static void test_sf_client__soap_login_request_and_session(void **state)
{
	char *ok = soap_reply("false");
	const struct step steps[] = {
		{200, "text/xml; charset=UTF-8", ok, NULL},
		{200, NULL, "{}", NULL},
	};
	struct server *s = server_start(steps, 2);
	struct sf_client *c = soap_client(s, "66.0");
	struct sf_error err = SF_ERROR_INIT;
	struct sf_session_info si;

	(void)state;
	assert_int_equal(sf_client_login(c, &err), 0);
	/* login() is gone above 64.0: the client asks at 64.0 */
	assert_string_equal(s->lines[0], "POST /services/Soap/u/64.0 HTTP/1.1");
	/* password || token, XML-escaped whole; the user name escaped too */
	assert_non_null(
		strstr(s->bodies[0],
		       "<urn:username>o&#39;neil@x.test</urn:username>"));
	assert_non_null(strstr(s->bodies[0],
			       "<urn:password>p&lt;w&amp;" PASSWORD "TOK&quot;1"
			       "</urn:password>"));
	sf_client_session(c, &si);
	assert_true(si.active);
	assert_string_equal(si.org_id, "00Dxx0000001gPLEAY");
	assert_string_equal(si.user_id, "005xx000001SwiUAAS");
	assert_int_equal(si.expires_ms - si.issued_ms, 900000);
	assert_int_equal(get(c, true, &err), 0);
	/* REST keeps the client's API version */
	assert_string_equal(s->lines[1],
			    "GET /services/data/v66.0/sobjects HTTP/1.1");
	assert_string_equal(s->auth[1], "Bearer 00Dxx0000001gPL!AQsoapsid");
	sf_client_free(c);
	server_stop(s);
	free(ok);
}

static void test_sf_client__soap_password_expired_is_refusal(void **state)
{
	char *exp = soap_reply("true");
	const struct step steps[] = {{200, "text/xml", exp, NULL}};
	struct server *s = server_start(steps, 1);
	struct sf_client *c = soap_client(s, NULL);
	struct sf_error err = SF_ERROR_INIT;
	struct sf_session_info si;

	(void)state;
	assert_int_equal(sf_client_login(c, &err), BASE_EAUTH);
	assert_int_equal(err.cls, SF_CLASS_PASSWORD_EXPIRED);
	assert_string_equal(s->lines[0], "POST /services/Soap/u/60.0 HTTP/1.1");
	sf_client_session(c, &si);
	assert_false(si.active);
	assert_true(si.password_expired);
	assert_int_equal(get(c, true, &err), BASE_EAUTH);
	assert_int_equal(served(s), 1);
	sf_client_free(c);
	server_stop(s);
	free(exp);
}

static void test_sf_client__login_rate_holds_logins_off(void **state)
{
	const struct step steps[] = {
		{500, "text/xml",
		 "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/"
		 "soap/envelope/\"><soapenv:Body><soapenv:Fault><faultcode>"
		 "sf:REQUEST_LIMIT_EXCEEDED</faultcode><faultstring>"
		 "REQUEST_LIMIT_EXCEEDED: Login Rate Exceeded</faultstring>"
		 "</soapenv:Fault></soapenv:Body></soapenv:Envelope>",
		 NULL},
	};
	struct server *s = server_start(steps, 1);
	struct sf_client *c = soap_client(s, NULL);
	struct sf_error err = SF_ERROR_INIT;

	(void)state;
	assert_int_equal(sf_client_login(c, &err), BASE_ERETRY);
	assert_int_equal(err.cls, SF_CLASS_THROTTLE);
	assert_string_equal(err.message, "login: http 500: "
					 "REQUEST_LIMIT_EXCEEDED: Login Rate "
					 "Exceeded");
	assert_int_equal(get(c, true, &err), BASE_ERETRY);
	assert_int_equal(sf_client_login(c, &err), BASE_ERETRY);
	assert_int_equal(served(s), 1); /* held off: no login for an hour */
	sf_client_free(c);
	server_stop(s);
}

static void test_sf_client__soap_fault_with_200(void **state)
{
	const struct step steps[] = {
		{200, "text/xml",
		 "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/"
		 "soap/envelope/\"><soapenv:Body><soapenv:Fault><faultcode>"
		 "sf:INVALID_LOGIN</faultcode><faultstring>INVALID_LOGIN: "
		 "Invalid username, password, security token; or user locked "
		 "out.</faultstring></soapenv:Fault></soapenv:Body>"
		 "</soapenv:Envelope>",
		 NULL},
	};
	struct server *s = server_start(steps, 1);
	struct sf_client *c = soap_client(s, NULL);
	struct sf_error err = SF_ERROR_INIT;

	(void)state;
	assert_int_equal(sf_client_login(c, &err), BASE_EAUTH);
	assert_int_equal(err.cls, SF_CLASS_CREDENTIAL);
	assert_int_equal(err.http_status, 200);
	sf_client_free(c);
	server_stop(s);
}

/* ---- credentials checks (no network) ----------------------------------------
 */

static void creds_rejected(const struct sf_credentials *cr, const char *msg)
{
	struct sf_creds *out = NULL;
	struct sf_error err = SF_ERROR_INIT;

	assert_int_equal(sf__creds_new(cr, true, &out, &err), BASE_EINVAL);
	assert_null(out);
	assert_int_equal(err.cls, SF_CLASS_INVALID_REQUEST);
	assert_string_equal(err.message, msg);
}

static void test_sf_client__credentials_checked_locally(void **state)
{
	struct sf_secret *pw = sf_secret_new("x", 1);
	struct sf_credentials cr = {.method = SF_AUTH_SOAP_PASSWORD,
				    .username = "u@x"};

	(void)state;
	creds_rejected(&cr, "credentials: soap login needs a password");
	cr.password = pw;
	cr.username = "u@x\r\nX-Evil: 1";
	creds_rejected(&cr, "credentials: the user name is empty, too long or "
			    "holds control characters");
	cr = (struct sf_credentials){.method = SF_AUTH_OAUTH_PASSWORD,
				     .username = "u@x",
				     .password = pw};
	creds_rejected(&cr, "credentials: oauth-password login needs a "
			    "consumer key");
	cr = (struct sf_credentials){.method = SF_AUTH_ACCESS_TOKEN,
				     .access_token = pw,
				     .instance_url = "https://evil.example"};
	creds_rejected(&cr, "instance URL host 'evil.example' is not a "
			    "Salesforce host (*.salesforce.com, *.force.com, "
			    "*.cloudforce.com); add it to SF_ALLOWED_HOSTS to "
			    "allow it");
	cr = (struct sf_credentials){.method = SF_AUTH_CLIENT_CREDENTIALS,
				     .consumer_key = "k",
				     .consumer_secret = pw};
	creds_rejected(&cr,
		       "client credentials need a My Domain login target "
		       "(not login.salesforce.com or test.salesforce.com)");
	cr.target.kind = SF_TARGET_URL;
	snprintf(cr.target.value, sizeof(cr.target.value),
		 "https://evil.example");
	creds_rejected(&cr, "credentials: login URL host 'evil.example' is not "
			    "a Salesforce host (*.salesforce.com, *.force.com, "
			    "*.cloudforce.com); add it to SF_ALLOWED_HOSTS to "
			    "allow it");
	sf_secret_free(pw);
}

/* ---- JWT
 * ------------------------------------------------------------------------ */

static struct sf_secret *pem_of(EVP_PKEY *k, bool encrypted)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;
	struct sf_secret *s;

	if (encrypted)
		assert_int_equal(PEM_write_bio_PrivateKey(
					 b, k, EVP_aes_128_cbc(),
					 (unsigned char *)"pp", 2, NULL, NULL),
				 1);
	else
		assert_int_equal(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0,
							  NULL, NULL),
				 1);
	n = BIO_get_mem_data(b, &p);
	s = sf_secret_new(p, (size_t)n);
	BIO_free(b);
	return s;
}

static void test_sf_client__jwt_assertion_verifies(void **state)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	struct sf_secret *pem = pem_of(k, false);
	struct base_buf jwt = BASE_BUF_INIT(16384), part = BASE_BUF_INIT(16384);
	struct base_buf sig = BASE_BUF_INIT(1024);
	struct sf_error err = SF_ERROR_INIT;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	const char *s, *dot1, *dot2;

	(void)state;
	assert_int_equal(sf__jwt_assertion(pem, "3MVG9key", "u@x.test",
					   "https://login.salesforce.com",
					   1800000000, &jwt, &err),
			 0);
	s = base_buf_str(&jwt);
	dot1 = strchr(s, '.');
	dot2 = strchr(dot1 + 1, '.');
	assert_int_equal(base_b64url_decode(&part, s, (size_t)(dot1 - s), NULL),
			 0);
	assert_string_equal(base_buf_str(&part), "{\"alg\":\"RS256\"}");
	base_buf_reset(&part);
	assert_int_equal(base_b64url_decode(&part, dot1 + 1,
					    (size_t)(dot2 - dot1 - 1), NULL),
			 0);
	assert_string_equal(
		base_buf_str(&part),
		"{\"iss\":\"3MVG9key\",\"sub\":\"u@x.test\",\"aud\":"
		"\"https://login.salesforce.com\",\"exp\":"
		"1800000000}");
	assert_int_equal(
		base_b64url_decode(&sig, dot2 + 1, strlen(dot2 + 1), NULL), 0);
	assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k),
			 1);
	assert_int_equal(EVP_DigestVerify(md, (const unsigned char *)sig.data,
					  sig.len, (const unsigned char *)s,
					  (size_t)(dot2 - s)),
			 1);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	sf_secret_free(pem);
	base_buf_release(&jwt);
	base_buf_release(&part);
	base_buf_release(&sig);
}

static void test_sf_client__jwt_audience_by_target(void **state)
{
	struct sf_target t;
	struct sf_error err = SF_ERROR_INIT;
	char aud[300];

	(void)state;
	sf_target_parse("production", false, &t, &err);
	sf__jwt_audience(&t, aud, sizeof(aud));
	assert_string_equal(aud, "https://login.salesforce.com");
	sf_target_parse("sandbox", false, &t, &err);
	sf__jwt_audience(&t, aud, sizeof(aud));
	assert_string_equal(aud, "https://test.salesforce.com");
	sf_target_parse("mydomain:acme", false, &t, &err);
	sf__jwt_audience(&t, aud, sizeof(aud));
	assert_string_equal(aud, "https://login.salesforce.com");
	sf_target_parse("mydomain:acme--uat", false, &t, &err);
	sf__jwt_audience(&t, aud, sizeof(aud));
	assert_string_equal(aud, "https://test.salesforce.com");
	sf_target_parse("http://127.0.0.1:9999", true, &t, &err);
	sf__jwt_audience(&t, aud, sizeof(aud));
	assert_string_equal(aud, "http://127.0.0.1:9999");
}

static void test_sf_client__jwt_refuses_encrypted_and_non_rsa(void **state)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	EVP_PKEY *ec = EVP_EC_gen("P-256");
	struct sf_secret *enc = pem_of(k, true), *ecp = pem_of(ec, false);
	struct sf_secret *junk = sf_secret_new("not a key", 9);
	struct sf_error err = SF_ERROR_INIT;

	(void)state;
	assert_int_equal(sf__jwt_check_key(enc, &err), BASE_EINVAL);
	assert_string_equal(err.message, "jwt: the private key is not an "
					 "unencrypted PEM private key");
	assert_int_equal(sf__jwt_check_key(junk, &err), BASE_EINVAL);
	assert_int_equal(sf__jwt_check_key(ecp, &err), BASE_EINVAL);
	assert_string_equal(err.message, "jwt: the private key is not RSA "
					 "(RS256 needs an RSA key)");
	EVP_PKEY_free(k);
	EVP_PKEY_free(ec);
	sf_secret_free(enc);
	sf_secret_free(ecp);
	sf_secret_free(junk);
}

/* ---- secrets and forms
 * ------------------------------------------------------------ */

static void test_sf_client__secret_from_file(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX + 8];
	struct sf_secret *s = NULL;
	struct sf_error err = SF_ERROR_INIT;
	FILE *f;

	(void)state;
	assert_int_equal(test_tmpdir_make(dir, sizeof(dir), "sf_secret"), 0);
	snprintf(path, sizeof(path), "%s/pw", dir);
	f = fopen(path, "w");
	fputs("S3cret!\n", f);
	fclose(f);
	assert_int_equal(sf_secret_from_file(path, &s, &err), 0);
	assert_int_equal(s->len, 7);
	assert_string_equal(s->bytes, "S3cret!");
	sf_secret_free(s);
	assert_int_equal(sf_secret_from_file(dir, &s, &err), BASE_EINVAL);
	assert_null(s);
	assert_non_null(strstr(err.message, "not a regular file"));
	f = fopen(path, "w");
	for (int i = 0; i < 70000; i++)
		fputc('x', f);
	fclose(f);
	assert_int_equal(sf_secret_from_file(path, &s, &err), BASE_EINVAL);
	assert_non_null(strstr(err.message, "larger than 65536 bytes"));
	unlink(path);
	assert_int_equal(sf_secret_from_file(path, &s, &err), BASE_EINVAL);
	assert_non_null(strstr(err.message, "No such file"));
	test_tmpdir_remove(dir);
}

static void test_sf_client__form_encoding(void **state)
{
	struct base_buf b = BASE_BUF_INIT(256);

	(void)state;
	sf__form_name(&b, "username");
	sf__form_value(&b, "a b+c@d.e", 9);
	sf__form_name(&b, "password");
	sf__form_value(&b, "p&w=%~*", 7);
	assert_string_equal(base_buf_str(&b),
			    "username=a+b%2Bc%40d.e&password=p%26w%3D%25%7E*");
	base_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sf_client__transient_retried_when_safe),
		cmocka_unit_test(
			test_sf_client__bad_signature_is_invalid_request),
		cmocka_unit_test(test_sf_client__not_retried_unless_safe),
		cmocka_unit_test(test_sf_client__retries_capped),
		cmocka_unit_test(
			test_sf_client__no_reply_is_network_and_retried),
		cmocka_unit_test(
			test_sf_client__concurrency_limit_retried_daily_not),
		cmocka_unit_test(test_sf_client__reauth_once_then_give_up),
		cmocka_unit_test(
			test_sf_client__reauth_refused_returns_refusal),
		cmocka_unit_test(
			test_sf_client__soap_login_request_and_session),
		cmocka_unit_test(
			test_sf_client__soap_password_expired_is_refusal),
		cmocka_unit_test(test_sf_client__login_rate_holds_logins_off),
		cmocka_unit_test(test_sf_client__soap_fault_with_200),
		cmocka_unit_test(test_sf_client__log_has_no_secrets),
		cmocka_unit_test(test_sf_client__credentials_checked_locally),
		cmocka_unit_test(test_sf_client__jwt_assertion_verifies),
		cmocka_unit_test(test_sf_client__jwt_audience_by_target),
		cmocka_unit_test(
			test_sf_client__jwt_refuses_encrypted_and_non_rsa),
		cmocka_unit_test(test_sf_client__secret_from_file),
		cmocka_unit_test(test_sf_client__form_encoding),
	};
	struct sf_error err = SF_ERROR_INIT;

	if (sf_global_init(&err) != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
