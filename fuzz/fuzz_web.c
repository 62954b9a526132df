/* fuzz_web.c - libFuzzer target for sfbridge's web console and JSON API (sfb_web_handle). */
/*
 * One input is one request, handed to sfb_web_handle as http.c would hand
 * it (no libmicrohttpd: struct sfb_req's headers and cookies for conn ==
 * NULL). Its own small harness, apart from sfemu's fuzz/harness.c.
 *
 * Input format: lines that start with '@', then the body (a form, JSON or
 * anything; none of them starts with '@'):
 *   "@METHOD /path?query\n"  the request line (default: GET /); "@/path"
 *                            alone keeps GET
 *   "@Name: value\n"         a request header, up to MAX_HEADERS; a Cookie
 *                            header is also split into the request's
 *                            cookies ("a=1; b=2"), as the server would;
 *                            "X-Forwarded-Proto: https" marks it https
 * The path is split at '?' and '#' and its repeated slashes collapsed, as
 * http.c does; the client IP is always 127.0.0.1 (so the per-IP sign-in
 * limit holds: see below).
 *
 * Placeholders, replaced before anything else, so the fuzzer reaches what
 * a random secret guards:
 *   @TOKEN@       "Bearer sfb_..." (the admin's API token; for
 *                 "@Authorization: @TOKEN@")
 *   @SESSION@     a signed-in session's cookie value ("@Cookie:
 *                 sfb_session=@SESSION@"); made again if an input signed
 *                 it out
 *   @CSRF@        that session's CSRF token (form field csrf, or the API's
 *                 X-CSRF-Token header)
 *   @LOGIN@       a pre-sign-in cookie value (sfb_login=) and
 *   @LOGIN_CSRF@  its sign-in form's CSRF token: together they reach the
 *                 password check
 *   @PASSWORD@    the admin's password (admin@example.com); at most
 *                 PASSWORD_BUDGET inputs per store use it, the rest are
 *                 skipped: each successful sign-in costs an argon2id hash
 *                 (~64 MiB, 50+ ms). Failed ones are bounded by the
 *                 product's own limit (20 per IP per 15 minutes).
 *
 * The world: a fresh data dir (mkdtemp under $TMPDIR; those of fuzz_web
 * processes that died are removed at start) per store, the vault
 * key in SFBRIDGE_MASTER_KEY (random per process), one admin, its token and
 * session. The store is rebuilt every RESET_EVERY inputs, so sign-in
 * failures, validation rows and signed-out sessions don't pile up and
 * every path stays reachable.
 *
 * The network: a credentials Save or Test makes one login. Every proxy
 * variable points at http://127.0.0.1:9 and NO_PROXY is cleared, so libcurl
 * sends every request, loopback login URLs included (curl bypasses a proxy
 * only for NO_PROXY hosts), to a port that refuses at once: no DNS, no
 * internet, no waiting. Initialisation checks that 127.0.0.1:9 does refuse.
 *
 * Checks after each input (abort on a violation):
 *  - status 100..599 and never 500 (bad input gets a 4xx); the body fit
 *    its limit; every reply has Content-Security-Policy and
 *    X-Content-Type-Options; every Set-Cookie is HttpOnly and SameSite; a
 *    3xx has a Location on this site ("/...", not "//...");
 *  - under /api/: application/json that parses, every 4xx/5xx as
 *    {"error":{"code":string,"message":string,"diagnoses":array}} (a 204
 *    has no body); elsewhere text/html, except redirects (text/plain),
 *    /static/style.css, /healthz's JSON and the favicon's 204;
 *  - HTML never holds "<sfbxss", or sfbxss=" / sfbxss=' then a letter or
 *    digit (any case): the seeds put <sfbxss> and "sfbxss="1 in every
 *    field a page echoes, so unescaped output shows;
 *  - no secret in the body or a header (raw, HTML-escaped, or inside a
 *    JSON reply's strings): the admin's password, the token, the session,
 *    the master key, and any password / securityToken / consumerSecret /
 *    privateKey JSON value or password / token / consumer_secret /
 *    private_key form value of the input of 8 bytes or more. A value the
 *    input, or an earlier one of the same store, also sent somewhere
 *    that may be echoed (another field, the path, a header other than
 *    Authorization and Cookie; a username is stored and shown later) or
 *    that is the product's own text (the binary's bytes, web/bridge) is
 *    not a leak.
 *
 * SFBRIDGE_FUZZ_VERBOSE=1 prints each reply and turns the logs on.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lines.h"
#include "base/b64.h"
#include "base/buf.h"
#include "base/datetime.h"
#include "base/err.h"
#include "base/form.h"
#include "base/log.h"
#include "bridge/store/store.h"
#include "bridge/web/auth.h"
#include "bridge/web/http.h"
#include "bridge/web/web.h"
#include "sf/client.h"
#include "sf/error.h"
#include "base/banned.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RESET_EVERY     2000
#define PASSWORD_BUDGET 3
#define MAX_HEADERS     8
#define MAX_COOKIES     8
#define MAX_SECRETS     (2 * BASE_FORM_MAX_PAIRS + 8)
#define SECRET_MIN      8 /* input secrets shorter than this aren't checked */
#define INPUT_MAX       (2u * 1024 * 1024)
#define WORLD_ECHO_MAX  (64u * 1024 * 1024)
#define ADMIN_EMAIL     "admin@example.com"
#define CLIENT_IP       "127.0.0.1"
/* Refuses at once: nothing listens on the discard port (checked). */
#define DEAD_PROXY      "http://127.0.0.1:9"

/* The JSON API's and the forms' secret fields. */
static const char *const json_secret_keys[] = {
	"password", "securityToken", "consumerSecret", "privateKey", NULL};
static const char *const form_secret_keys[] = {
	"password", "token", "consumer_secret", "private_key", NULL};

/*
 * Single-threaded, like every libFuzzer target: set up once in
 * LLVMFuzzerInitialize, the store rebuilt every RESET_EVERY inputs.
 */
static struct {
	bool verbose;
	char web_dir[PATH_MAX];
	char tmp[PATH_MAX];  /* mkdtemp'd; holds one data dir at a time */
	char data[PATH_MAX]; /* the current store's DATA */
	const char *ws;
	unsigned long runs, worlds;
	struct sfb_web *web;
	struct sfb_store *store; /* the harness's own connection */
	struct sfb_admin admin;
	char master_key[64];
	char password[SFB_AUTH_SECRET_LEN];
	char token[SFB_AUTH_TOKEN_LEN];
	char bearer[SFB_AUTH_TOKEN_LEN + 8];
	char session[SFB_AUTH_SECRET_LEN];
	char csrf[SFB_AUTH_SECRET_LEN];
	char login[SFB_AUTH_SECRET_LEN];
	char login_csrf[SFB_AUTH_SECRET_LEN];
	int password_uses;
	/*
	 * What every input of this store may have had stored and echoed
	 * since (a username, a login): a value sent earlier as data and
	 * shown again by a later reply is no leak. Full: the store is
	 * rebuilt early.
	 */
	struct base_buf world_echo;
	/* The product's own text: the binary's bytes and web/bridge. */
	char *product;
	size_t product_len;
} g;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_web: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* memmem, which C11 lacks. */
static bool contains(const char *hay, size_t n, const char *needle, size_t k)
{
	if (k == 0 || k > n)
		return k == 0;
	for (size_t i = 0; i <= n - k; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, k) == 0)
			return true;
	return false;
}

/* ---- set-up ---- */

/* Appends the whole file at path to b; false if it can't be read. */
static bool slurp(struct base_buf *b, const char *path)
{
	char chunk[65536];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return false;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		base_buf_append(b, chunk, n);
	fclose(f);
	return !base_buf_err(b);
}

/* g.product: every string literal of the product, and its web files. */
static void load_product_text(void)
{
	struct base_buf b = BASE_BUF_INIT((size_t)1 << 30);
	char path[PATH_MAX + 256];
	struct dirent *e;
	DIR *d;

	if (!slurp(&b, "/proc/self/exe"))
		fail("read /proc/self/exe");
	d = opendir(g.web_dir);
	if (!d)
		fail("open '%s'", g.web_dir);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", g.web_dir, e->d_name);
		base_buf_putc(&b, '\0');
		if (!slurp(&b, path))
			fail("read '%s'", path);
	}
	closedir(d);
	g.product_len = b.len;
	g.product = base_buf_detach(&b, NULL);
}

/*
 * No request may leave the machine or wait: every proxy variable names a
 * port that refuses, and no host is exempt. Aborts if that port accepts.
 */
static void isolate_network(void)
{
	static const char *const vars[] = {"ALL_PROXY",   "all_proxy",
					   "HTTPS_PROXY", "https_proxy",
					   "HTTP_PROXY",  "http_proxy"};
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(9),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd;

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (setenv(vars[i], DEAD_PROXY, 1) != 0)
			fail("setenv %s", vars[i]);
	unsetenv("NO_PROXY");
	unsetenv("no_proxy");
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		fail("socket: errno %d", errno);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		fail("something listens on 127.0.0.1:9: the dead proxy must "
		     "refuse, or a credentials Save could reach the network");
	close(fd);
}

static void find_web_dir(void)
{
	char exe[PATH_MAX], probe[PATH_MAX + 32];
	ssize_t n;
	char *slash;

	if (sfb_web_find_dir(g.web_dir, sizeof(g.web_dir)) == 0)
		return;
	/* build/fuzz/bin/fuzz_web -> web/bridge of the tree, from anywhere */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		snprintf(probe, sizeof(probe),
			 "%s/../../../web/bridge/layout.html", exe);
		if (access(probe, R_OK) == 0) {
			snprintf(g.web_dir, sizeof(g.web_dir),
				 "%s/../../../web/bridge", exe);
			return;
		}
	}
	fail("cannot find web/bridge: run from the source tree or set "
	     "SFBRIDGE_WEB");
}

/* Removes DATA (the store and its side files: it has no subdirectories). */
static void remove_data_dir(const char *dir)
{
	char path[PATH_MAX + 256];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/*
 * A run that aborted (a finding) never cleans up: removes the temp dirs
 * of fuzz_web processes that are gone ("sfb-fuzz-web-PID-XXXXXX").
 */
static void remove_stale(const char *tmpdir)
{
	static const char prefix[] = "sfb-fuzz-web-";
	char dir[PATH_MAX], sub[PATH_MAX + 256];
	struct dirent *e, *f;
	DIR *d = opendir(tmpdir), *dd;
	long pid;
	char *end;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, prefix, sizeof(prefix) - 1) != 0)
			continue;
		pid = strtol(e->d_name + sizeof(prefix) - 1, &end, 10);
		if (pid <= 0 || *end != '-' || kill((pid_t)pid, 0) == 0 ||
		    errno != ESRCH)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", tmpdir, e->d_name);
		dd = opendir(dir);
		while (dd && (f = readdir(dd)) != NULL) {
			if (f->d_name[0] == '.')
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", dir, f->d_name);
			remove_data_dir(sub);
		}
		if (dd)
			closedir(dd);
		rmdir(dir);
	}
	closedir(d);
}

static void new_session(void)
{
	struct base_err err = BASE_ERR_INIT;

	if (sfb_auth_session_create(sfb_store_db(g.store), g.ws, g.admin.id,
				    CLIENT_IP, base_time_now_ms(), g.session,
				    &err) != 0 ||
	    sfb_auth_csrf_token(g.session, "session", g.csrf) != 0)
		fail("session: %s", err.msg);
}

/* An input may have signed the session out: then sign in again. */
static void ensure_session(void)
{
	struct base_err err = BASE_ERR_INIT;
	struct sfb_admin a;

	if (sfb_auth_session_get(sfb_store_db(g.store), g.ws, g.session,
				 base_time_now_ms(), &a, &err) == 0)
		return;
	if (err.code != BASE_ENOTFOUND)
		fail("session: %s", err.msg);
	new_session();
}

/* A fresh store with the admin, its API token and a session. */
static void open_world(void)
{
	struct sfb_web_opts o = {.web_dir = g.web_dir, .workspace = g.ws};
	struct base_err err = BASE_ERR_INIT;
	int64_t now = base_time_now_ms();

	snprintf(g.data, sizeof(g.data), "%s/data%lu", g.tmp, g.worlds++);
	o.data_dir = g.data;
	if (sfb_web_new(&o, &g.web, &err) != 0)
		fail("sfb_web_new: %s", err.msg);
	if (sfb_store_open(g.data, &g.store, &err) != 0)
		fail("store: %s", err.msg);
	sfb_auth_random_secret(g.password);
	if (sfb_auth_admin_create(sfb_store_db(g.store), g.ws, ADMIN_EMAIL,
				  g.password, strlen(g.password), &g.admin,
				  &err) != 0 ||
	    sfb_auth_token_create(sfb_store_db(g.store), g.ws, g.admin.id,
				  "fuzz", now, g.token, &err) != 0)
		fail("admin: %s", err.msg);
	snprintf(g.bearer, sizeof(g.bearer), "Bearer %s", g.token);
	new_session();
	sfb_auth_random_secret(g.login);
	if (sfb_auth_csrf_token(g.login, "login", g.login_csrf) != 0)
		fail("login csrf");
	g.password_uses = 0;
	g.world_echo = BASE_BUF_INIT(WORLD_ECHO_MAX);
}

static void close_world(void)
{
	sfb_web_free(g.web);
	sfb_store_close(g.store);
	g.web = NULL;
	g.store = NULL;
	remove_data_dir(g.data);
	base_buf_release(&g.world_echo);
}

static void at_exit(void)
{
	if (g.web)
		close_world();
	if (g.tmp[0])
		rmdir(g.tmp);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct base_buf key = BASE_BUF_INIT(sizeof(g.master_key) - 1);
	struct sf_error se = SF_ERROR_INIT;
	const char *tmpdir = getenv("TMPDIR");
	unsigned char raw[32];

	(void)argc;
	(void)argv;
	g.verbose = getenv("SFBRIDGE_FUZZ_VERBOSE") != NULL;
	base_log_set_level(g.verbose ? BASE_LOG_DEBUG : BASE_LOG_OFF);
	if (!g.verbose)
		unsetenv("SFBRIDGE_LOG_LEVEL"); /* Save's own logger reads it */
	isolate_network();
	/* The store is DATA/sfbridge.db of the default workspace. */
	unsetenv("SFBRIDGE_DB");
	unsetenv("SFBRIDGE_WORKSPACE");
	g.ws = sfb_workspace_default();
	if (sodium_init() < 0)
		fail("sodium_init");
	randombytes_buf(raw, sizeof(raw));
	if (base_b64_encode(&key, raw, sizeof(raw)) != 0)
		fail("master key");
	snprintf(g.master_key, sizeof(g.master_key), "%s", base_buf_str(&key));
	base_buf_release(&key);
	sodium_memzero(raw, sizeof(raw));
	if (setenv("SFBRIDGE_MASTER_KEY", g.master_key, 1) != 0)
		fail("setenv SFBRIDGE_MASTER_KEY");
	find_web_dir();
	if (sf_global_init(&se) != 0)
		fail("sf_global_init: %s", se.message);
	if (!tmpdir || !*tmpdir)
		tmpdir = "/tmp";
	remove_stale(tmpdir);
	snprintf(g.tmp, sizeof(g.tmp), "%s/sfb-fuzz-web-%ld-XXXXXX", tmpdir,
		 (long)getpid());
	if (!mkdtemp(g.tmp))
		fail("mkdtemp '%s': errno %d", g.tmp, errno);
	atexit(at_exit);
	load_product_text();
	open_world();
	return 0;
}

/* ---- one request ---- */

struct placeholder {
	const char *key;
	const char *value;
};

/* Copies data into out with the placeholders replaced. */
static void expand(const uint8_t *data, size_t size, struct base_buf *out)
{
	const struct placeholder phs[] = {
		{"@TOKEN@", g.bearer}, {"@SESSION@", g.session},
		{"@CSRF@", g.csrf},    {"@LOGIN_CSRF@", g.login_csrf},
		{"@LOGIN@", g.login},  {"@PASSWORD@", g.password},
	};
	size_t i = 0;

	while (i < size) {
		bool hit = false;

		for (size_t k = 0;
		     data[i] == '@' && k < sizeof(phs) / sizeof(phs[0]); k++) {
			size_t n = strlen(phs[k].key);

			if (size - i < n || memcmp(data + i, phs[k].key, n))
				continue;
			base_buf_puts(out, phs[k].value);
			i += n;
			hit = true;
			break;
		}
		if (!hit)
			base_buf_putc(out, (char)data[i++]);
	}
}

/* The request as the harness builds it; strings point into `in`. */
struct request {
	char method[16];
	char path[2048];
	const char *headers[MAX_HEADERS][2];
	int nheaders;
	const char *cookies[MAX_COOKIES][2];
	int ncookies;
	char *cookie_copy[MAX_HEADERS]; /* Cookie headers, split in place */
	int ncopies;
	char *body; /* an exact-size copy, NUL-terminated */
	size_t body_len;
};

/* "a=1; b=2" -> cookies (MHD's split: ';', leading spaces dropped). */
static void split_cookies(struct request *rq, const char *value)
{
	char *p = strdup(value);

	if (!p)
		return;
	rq->cookie_copy[rq->ncopies++] = p;
	while (*p && rq->ncookies < MAX_COOKIES) {
		char *end = strchr(p, ';'), *eq;

		if (end)
			*end = '\0';
		while (*p == ' ')
			p++;
		eq = strchr(p, '=');
		if (eq) {
			*eq = '\0';
			rq->cookies[rq->ncookies][0] = p;
			rq->cookies[rq->ncookies][1] = eq + 1;
			rq->ncookies++;
		}
		if (!end)
			break;
		p = end + 1;
	}
}

/* Reads the '@' lines at p, cutting them in place; returns the body. */
static char *read_lines(struct request *rq, char *p, char *end)
{
	struct fuzz_lines l;

	p = fuzz_lines_read(&l, p, end, true, MAX_HEADERS);
	if (l.method[0])
		snprintf(rq->method, sizeof(rq->method), "%s", l.method);
	if (l.path)
		snprintf(rq->path, sizeof(rq->path), "%s", l.path);
	for (int i = 0; i < l.nheaders; i++) {
		rq->headers[rq->nheaders][0] = l.headers[i][0];
		rq->headers[rq->nheaders][1] = l.headers[i][1];
		rq->nheaders++;
		if (!strcasecmp(l.headers[i][0], "Cookie"))
			split_cookies(rq, l.headers[i][1]);
	}
	return p;
}

static void request_release(struct request *rq)
{
	for (int i = 0; i < rq->ncopies; i++)
		free(rq->cookie_copy[i]);
	free(rq->body);
}

/* ---- what the input sent: its secrets, and what a page may echo ---- */

struct sent {
	struct {
		const char *s;
		size_t n;
	} secrets[MAX_SECRETS];
	int nsecrets;
	/* Everything the product may legitimately echo, '\0'-separated. */
	struct base_buf echo;
	struct base_form form, query;
	json_t *json;
};

static void add_secret(struct sent *st, const char *s, size_t n)
{
	if (n >= SECRET_MIN && st->nsecrets < MAX_SECRETS) {
		st->secrets[st->nsecrets].s = s;
		st->secrets[st->nsecrets].n = n;
		st->nsecrets++;
	}
}

static void add_echo(struct sent *st, const char *s, size_t n)
{
	base_buf_append(&st->echo, s, n);
	base_buf_putc(&st->echo, '\0');
}

static bool in_list(const char *k, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(k, *list))
			return true;
	return false;
}

/* Every key and string inside v. */
static void echo_json(struct sent *st, json_t *v)
{
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_string(v)) {
		add_echo(st, json_string_value(v), json_string_length(v));
	} else if (json_is_object(v)) {
		json_object_foreach(v, k, x) {
			add_echo(st, k, strlen(k));
			echo_json(st, x);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			echo_json(st, x);
	}
}

/* The Content-Type check of web.c and api.c. */
static bool ctype_is(const struct sfb_req *req, const char *want)
{
	const char *ct = sfb_req_header(req, "Content-Type");
	size_t n = strlen(want);

	return ct && strncasecmp(ct, want, n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/*
 * Reads the body as the product would (by its Content-Type): secret fields
 * become secrets, everything else may be echoed.
 */
static void read_sent(struct sent *st, const struct sfb_req *req)
{
	char *dec;
	size_t n;

	add_echo(st, req->method, strlen(req->method));
	add_echo(st, req->path, strlen(req->path));
	add_echo(st, req->raw_query, strlen(req->raw_query));
	dec = base_url_decode(req->path, strlen(req->path), false, &n);
	if (dec)
		add_echo(st, dec, n);
	free(dec);
	if (base_form_parse(&st->query, req->raw_query, strlen(req->raw_query),
			    NULL) == 0)
		for (int i = 0; i < st->query.n; i++) {
			add_echo(st, st->query.pairs[i].name,
				 strlen(st->query.pairs[i].name));
			add_echo(st, st->query.pairs[i].value,
				 st->query.pairs[i].value_len);
		}
	for (int i = 0; i < req->nheaders; i++) {
		if (!strcasecmp(req->headers[i][0], "Authorization") ||
		    !strcasecmp(req->headers[i][0], "Cookie"))
			continue;
		add_echo(st, req->headers[i][0], strlen(req->headers[i][0]));
		add_echo(st, req->headers[i][1], strlen(req->headers[i][1]));
	}
	if (ctype_is(req, "application/json")) {
		const char *k;
		json_t *v;

		st->json = json_loadb(req->body, req->body_len,
				      JSON_REJECT_DUPLICATES, NULL);
		if (!json_is_object(st->json)) {
			add_echo(st, req->body, req->body_len);
			return;
		}
		json_object_foreach(st->json, k, v) {
			add_echo(st, k, strlen(k));
			if (in_list(k, json_secret_keys) && json_is_string(v))
				add_secret(st, json_string_value(v),
					   json_string_length(v));
			else
				echo_json(st, v);
		}
	} else if (ctype_is(req, "application/x-www-form-urlencoded") &&
		   base_form_parse(&st->form, req->body, req->body_len, NULL) ==
			   0) {
		for (int i = 0; i < st->form.n; i++) {
			const struct base_form_pair *p = &st->form.pairs[i];

			add_echo(st, p->name, strlen(p->name));
			if (in_list(p->name, form_secret_keys))
				add_secret(st, p->value, p->value_len);
			else
				add_echo(st, p->value, p->value_len);
		}
	} else {
		add_echo(st, req->body, req->body_len);
	}
}

static void sent_release(struct sent *st)
{
	base_buf_release(&st->echo);
	base_form_release(&st->form);
	base_form_release(&st->query);
	json_decref(st->json);
}

/* ---- the checks ---- */

static const char *resp_header(const struct sfb_resp *resp, const char *name)
{
	for (int i = 0; i < resp->nheaders; i++)
		if (!strcasecmp(resp->headers[i].name, name))
			return resp->headers[i].value;
	return NULL;
}

/* s, or its JSON or HTML-escaped form, anywhere in the reply. */
static bool json_has(json_t *v, const char *s, size_t n)
{
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_string(v))
		return contains(json_string_value(v), json_string_length(v), s,
				n);
	if (json_is_object(v)) {
		json_object_foreach(v, k, x)
			if (contains(k, strlen(k), s, n) || json_has(x, s, n))
				return true;
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			if (json_has(x, s, n))
				return true;
	}
	return false;
}

static bool reply_has(const struct sfb_resp *resp, json_t *json, const char *s,
		      size_t n)
{
	struct base_buf esc = BASE_BUF_INIT(8 * n + 16);
	char *plain = NULL;
	bool hit = contains(resp->body.data ? resp->body.data : "",
			    resp->body.len, s, n) ||
		   json_has(json, s, n);

	for (int i = 0; !hit && i < resp->nheaders; i++)
		hit = contains(resp->headers[i].value,
			       strlen(resp->headers[i].value), s, n);
	if (!hit && !memchr(s, '\0', n)) {
		plain = strndup(s, n);
		if (plain && base_buf_put_xml(&esc, plain) == 0 && esc.len != n)
			hit = contains(resp->body.data ? resp->body.data : "",
				       resp->body.len, esc.data, esc.len);
	}
	free(plain);
	base_buf_release(&esc);
	return hit;
}

static void check_secret(const struct sfb_req *req, const struct sfb_resp *resp,
			 json_t *json, const struct sent *st, const char *what,
			 const char *s, size_t n)
{
	if (!reply_has(resp, json, s, n) ||
	    contains(st->echo.data ? st->echo.data : "", st->echo.len, s, n) ||
	    contains(g.world_echo.data ? g.world_echo.data : "",
		     g.world_echo.len, s, n) ||
	    contains(g.product, g.product_len, s, n))
		return;
	fail("%s %s: the reply (%d) holds %s (%zu bytes): %.*s%s\n%s",
	     req->method, req->path, resp->status, what, n,
	     (int)(n < 80 ? n : 80), s, n < 80 ? "" : "...",
	     base_buf_str(&resp->body));
}

/*
 * Unescaped echo: the seeds' <sfbxss, and sfbxss=" or sfbxss=' followed
 * by a letter or digit (a template's own quote, closing an attribute that
 * holds an echoed "...sfbxss=", is followed by a space, '>' or '/').
 */
static void check_html(const struct sfb_req *req, const struct sfb_resp *resp)
{
	const char *b = base_buf_str(&resp->body);

	for (size_t i = 0; i + 6 <= resp->body.len; i++) {
		if (strncasecmp(b + i, "sfbxss", 6) != 0)
			continue;
		if ((i > 0 && b[i - 1] == '<') ||
		    (b[i + 6] == '=' && (b[i + 7] == '"' || b[i + 7] == '\'') &&
		     isalnum((unsigned char)b[i + 8])))
			fail("%s %s: unescaped input in HTML (%d): %s",
			     req->method, req->path, resp->status, b);
	}
}

static void check_api_json(const struct sfb_req *req,
			   const struct sfb_resp *resp, json_t **json)
{
	const char *b = base_buf_str(&resp->body);
	json_t *e;

	if (strncmp(resp->content_type, "application/json", 16) != 0)
		fail("%s %s: API reply %d is '%s', not JSON: %s", req->method,
		     req->path, resp->status, resp->content_type, b);
	if (resp->status == 204) {
		if (resp->body.len)
			fail("%s %s: 204 with a body: %s", req->method,
			     req->path, b);
		return;
	}
	*json = json_loadb(b, resp->body.len, 0, NULL);
	if (!*json)
		fail("%s %s: API reply %d does not parse: %s", req->method,
		     req->path, resp->status, b);
	if (resp->status < 400)
		return;
	e = json_object_get(*json, "error");
	if (!json_is_string(json_object_get(e, "code")) ||
	    !json_is_string(json_object_get(e, "message")) ||
	    !json_is_array(json_object_get(e, "diagnoses")))
		fail("%s %s: API error %d is not {\"error\":{\"code\","
		     "\"message\",\"diagnoses\"}}: %s",
		     req->method, req->path, resp->status, b);
}

static void check_reply(const struct sfb_req *req, const struct sfb_resp *resp,
			const struct sent *st)
{
	const char *p = req->path, *ct = resp->content_type;
	const char *b = base_buf_str(&resp->body);
	const char *loc = resp_header(resp, "Location");
	const struct {
		const char *what, *s;
	} ours[] = {{"the admin's password", g.password},
		    {"the API token", g.token},
		    {"the session cookie", g.session},
		    {"the master key", g.master_key}};
	json_t *json = NULL;

	if (resp->status < 100 || resp->status > 599 ||
	    base_buf_err(&resp->body))
		fail("%s %s: status %d, body error %d", req->method, p,
		     resp->status, base_buf_err(&resp->body));
	if (resp->status == 500)
		fail("%s %s: 500 from outside input: %s", req->method, p, b);
	if (!resp_header(resp, "Content-Security-Policy") ||
	    !resp_header(resp, "X-Content-Type-Options"))
		fail("%s %s: reply %d without the security headers",
		     req->method, p, resp->status);
	for (int i = 0; i < resp->nheaders; i++)
		if (!strcasecmp(resp->headers[i].name, "Set-Cookie") &&
		    (!strstr(resp->headers[i].value, "; HttpOnly") ||
		     !strstr(resp->headers[i].value, "; SameSite=")))
			fail("%s %s: cookie without HttpOnly/SameSite: %s",
			     req->method, p, resp->headers[i].value);
	if (resp->status >= 300 && resp->status < 400 &&
	    (!loc || loc[0] != '/' || loc[1] == '/' || loc[1] == '\\'))
		fail("%s %s: %d to '%s', not a path of this site", req->method,
		     p, resp->status, loc ? loc : "(none)");

	if (!strncmp(p, "/api/", 5)) {
		check_api_json(req, resp, &json);
	} else if (resp->status >= 300 && resp->status < 400) {
		if (strncmp(ct, "text/plain", 10) != 0)
			fail("%s %s: redirect as '%s'", req->method, p, ct);
	} else if (resp->status == 200 && !strcmp(p, "/static/style.css")) {
		if (strncmp(ct, "text/css", 8) != 0)
			fail("%s %s: stylesheet as '%s'", req->method, p, ct);
	} else if (resp->status == 200 && !strcmp(p, "/healthz")) {
		json = json_loadb(b, resp->body.len, 0, NULL);
		if (strncmp(ct, "application/json", 16) != 0 || !json)
			fail("%s %s: health as '%s': %s", req->method, p, ct,
			     b);
	} else if (resp->status == 204) {
		if (resp->body.len)
			fail("%s %s: 204 with a body", req->method, p);
	} else if (strncmp(ct, "text/html", 9) != 0) {
		fail("%s %s: page %d as '%s', not HTML: %s", req->method, p,
		     resp->status, ct, b);
	}
	if (!strncmp(ct, "text/html", 9))
		check_html(req, resp);

	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		check_secret(req, resp, json, st, ours[i].what, ours[i].s,
			     strlen(ours[i].s));
	for (int i = 0; i < st->nsecrets; i++)
		check_secret(req, resp, json, st, "a secret the input sent",
			     st->secrets[i].s, st->secrets[i].n);
	json_decref(json);
}

/* Which placeholders the input uses (before expanding them). */
static bool uses(const uint8_t *data, size_t size, const char *key)
{
	return contains((const char *)data, size, key, strlen(key));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct base_buf in = BASE_BUF_INIT(INPUT_MAX);
	struct request rq = {.method = "GET", .path = "/"};
	struct sfb_req req = {.raw_query = "", .conn = NULL};
	struct sfb_resp resp = {.status = 200};
	struct sent st = {.echo = BASE_BUF_INIT(8 * INPUT_MAX),
			  .form = BASE_FORM_INIT,
			  .query = BASE_FORM_INIT};
	const char *xfp;
	char *body, *q;

	if (++g.runs % RESET_EVERY == 0 || base_buf_err(&g.world_echo)) {
		close_world();
		open_world();
	}
	if (uses(data, size, "@PASSWORD@") &&
	    g.password_uses++ >= PASSWORD_BUDGET)
		goto out;
	if (uses(data, size, "@SESSION@") || uses(data, size, "@CSRF@"))
		ensure_session();
	expand(data, size, &in);
	base_buf_append(&in, "", 0); /* data is NULL for an empty input */
	if (base_buf_err(&in) || !in.data)
		goto out;
	body = read_lines(&rq, in.data, in.data + in.len);

	/* What http.c's answer() does with the URI and the body. */
	q = strchr(rq.path, '?');
	if (q) {
		*q = '\0';
		req.raw_query = q + 1;
	}
	if ((q = strchr(rq.path, '#')) != NULL)
		*q = '\0';
	sfb_http_collapse_slashes(rq.path);
	rq.body_len = (size_t)(in.data + in.len - body);
	req.too_big = rq.body_len > SFB_HTTP_MAX_BODY;
	if (req.too_big)
		rq.body_len = 0;
	rq.body = malloc(rq.body_len + 1);
	if (!rq.body)
		goto out;
	memcpy(rq.body, body, rq.body_len);
	rq.body[rq.body_len] = '\0';
	req.method = rq.method;
	req.path = rq.path;
	req.body = rq.body;
	req.body_len = rq.body_len;
	req.headers = rq.headers;
	req.nheaders = rq.nheaders;
	req.cookies = rq.cookies;
	req.ncookies = rq.ncookies;
	xfp = sfb_req_header(&req, "X-Forwarded-Proto");
	req.https = xfp && !strcasecmp(xfp, "https");
	snprintf(req.client_ip, sizeof(req.client_ip), "%s", CLIENT_IP);

	resp.body = BASE_BUF_INIT(SFB_HTTP_MAX_RESP);
	sfb_web_handle(g.web, &req, &resp);
	if (g.verbose)
		fprintf(stderr, "fuzz_web: %s %s -> %d %s\n%s\n", req.method,
			req.path, resp.status, resp.content_type,
			base_buf_str(&resp.body));
	read_sent(&st, &req);
	if (base_buf_err(&st.echo))
		fail("echo buffer: %d", base_buf_err(&st.echo));
	check_reply(&req, &resp, &st);
	base_buf_append(&g.world_echo, st.echo.data ? st.echo.data : "",
			st.echo.len);
out:
	sent_release(&st);
	base_buf_release(&resp.body);
	base_buf_release(&in);
	request_release(&rq);
	return 0;
}
