/* bench_login.c - how many logins per second sfemu serves, and how fast. */
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "base/buf.h"
#include "base/banned.h"

/*
 * Each thread owns one CURL easy handle (so one keep-alive connection) and
 * logs in again and again until the deadline. Latencies of successful
 * logins go into a per-thread array allocated up front, so memory stays
 * bounded however fast the server is; past the cap logins are still
 * counted but no longer sampled. Benchmarks print figures and never judge
 * them: the exit status is non-zero only when the run itself could not
 * happen (bad arguments, unreadable secret file, no successful login).
 */

#define MAX_THREADS   64
#define SAMPLE_CAP    2000000 /* per thread: 8 MB of uint32_t microseconds */
#define REPLY_MAX     (64 * 1024)
#define SECRET_MAX    4096
#define BODY_MAX      (64 * 1024) /* SOAP body: two escaped secret lines */
#define ERR_TEXT_MAX  160
#define BENCH_NAME    "login"

enum mode { MODE_SOAP, MODE_OAUTH };

struct options {
	struct bench_creds c;
	long server_pid; /* 0: don't report server CPU */
	int threads;
	int seconds;
	enum mode mode;
};

/* Immutable once the threads start: share freely. */
struct plan {
	char endpoint[2048];
	char *body; /* holds the password: wiped and freed at the end */
	size_t body_len;
	struct curl_slist *headers;
	const char *marker; /* a success reply contains this */
	enum mode mode;
	int seconds;
};

/* The reply of one request; bounded by REPLY_MAX. */
struct reply {
	char data[REPLY_MAX + 1];
	size_t len;
};

/* One thread's state: owned by that thread until it is joined. */
struct worker {
	pthread_t tid;
	const struct plan *plan;
	pthread_barrier_t *start;
	uint32_t *samples; /* latency in microseconds, successful logins only */
	size_t n_samples;
	uint64_t ok, failed, unsampled;
	char first_error[ERR_TEXT_MAX + 16]; /* room for "warm-up: " */
	struct reply reply;
};

static const char usage[] =
	"usage: bench_login --url BASE --user U --password-file F\n"
	"                   [--threads N] [--seconds S] [--mode soap|oauth]\n"
	"                   [--client-id ID --client-secret-file F]\n"
	"                   [--server-pid PID]\n"
	"\n"
	"  --password-file F       password (plus security token), first line\n"
	"  --client-secret-file F  connected app secret, first line (oauth)\n"
	"  --server-pid PID        also report that process's CPU time (Linux)\n";

static int parse_args(int argc, char **argv, struct options *o)
{
	long v;

	o->threads = 4;
	o->seconds = 10;
	o->mode = MODE_SOAP;
	for (int i = 1; i < argc; i += 2) {
		const char *a = argv[i], *next;
		int took = bench_option("bench_login", usage, argc, argv, i,
					&o->c, &next);

		if (took < 0)
			return -1;
		if (took)
			continue;
		if (!strcmp(a, "--threads")) {
			if (bench_parse_long(next, 1, MAX_THREADS, &v)) {
				fprintf(stderr, "bench_login: --threads must be "
						"1 to %d\n", MAX_THREADS);
				return -1;
			}
			o->threads = (int)v;
		} else if (!strcmp(a, "--seconds")) {
			if (bench_parse_long(next, 1, 86400, &v)) {
				fprintf(stderr, "bench_login: --seconds must be "
						"1 to 86400\n");
				return -1;
			}
			o->seconds = (int)v;
		} else if (!strcmp(a, "--server-pid")) {
			if (bench_parse_long(next, 1, 1L << 30, &v)) {
				fprintf(stderr, "bench_login: bad --server-pid\n");
				return -1;
			}
			o->server_pid = v;
		} else if (!strcmp(a, "--mode")) {
			if (!strcmp(next, "soap"))
				o->mode = MODE_SOAP;
			else if (!strcmp(next, "oauth"))
				o->mode = MODE_OAUTH;
			else {
				fprintf(stderr, "bench_login: --mode is soap "
						"or oauth, not '%s'\n", next);
				return -1;
			}
		} else {
			fprintf(stderr, "bench_login: unknown option '%s'\n%s",
				a, usage);
			return -1;
		}
	}
	if (!o->c.url || !o->c.user || !o->c.password_file) {
		fprintf(stderr, "bench_login: --url, --user and --password-file "
				"are required\n%s", usage);
		return -1;
	}
	if (o->mode == MODE_OAUTH &&
	    (!o->c.client_id || !o->c.client_secret_file)) {
		fprintf(stderr, "bench_login: oauth mode needs --client-id and "
				"--client-secret-file\n");
		return -1;
	}
	return 0;
}

static int soap_body(struct plan *p, const char *user, const char *pw)
{
	static const char head[] =
		"<?xml version=\"1.0\" encoding=\"utf-8\"?>"
		"<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/"
		"soap/envelope/\" xmlns:urn=\"urn:partner.soap.sforce.com\">"
		"<soapenv:Body><urn:login><urn:username>";
	static const char mid[] = "</urn:username><urn:password>";
	static const char tail[] =
		"</urn:password></urn:login></soapenv:Body></soapenv:Envelope>";
	struct base_buf b = BASE_BUF_SECRET_INIT(BODY_MAX);

	base_buf_puts(&b, head);
	base_buf_put_xml(&b, user);
	base_buf_puts(&b, mid);
	base_buf_put_xml(&b, pw);
	base_buf_puts(&b, tail);
	if (base_buf_err(&b)) {
		base_buf_release(&b);
		return -1;
	}
	p->body = base_buf_detach(&b, &p->body_len);
	return 0;
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct reply *r = userdata;
	size_t n = size * nmemb;
	size_t room = REPLY_MAX - r->len;

	/* Keep the head of an oversized reply; accept the rest unread. */
	memcpy(r->data + r->len, ptr, n < room ? n : room);
	r->len += n < room ? n : room;
	r->data[r->len] = '\0';
	return n;
}

/* The text of the first <TAG> or "TAG":"..." in the reply, for diagnostics. */
static void reply_error_text(const struct reply *r, enum mode mode, char *out,
			     size_t n)
{
	const char *s, *e;

	if (mode == MODE_SOAP) {
		s = strstr(r->data, "faultstring>");
		if (s)
			s += strlen("faultstring>");
		e = s ? strchr(s, '<') : NULL;
	} else {
		s = strstr(r->data, "\"error_description\"");
		if (!s)
			s = strstr(r->data, "\"error\"");
		s = s ? strchr(s + 1, ':') : NULL;
		s = s ? strchr(s, '"') : NULL;
		if (s)
			s++;
		e = s ? strchr(s, '"') : NULL;
	}
	if (!s || !e)
		snprintf(out, n, "(%zu-byte reply)", r->len);
	else
		snprintf(out, n, "%.*s", (int)(e - s), s);
}

static CURL *new_handle(struct worker *w)
{
	const struct plan *p = w->plan;
	CURL *h = curl_easy_init();

	if (!h)
		return NULL;
	curl_easy_setopt(h, CURLOPT_URL, p->endpoint);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, p->body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)p->body_len);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, p->headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &w->reply);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	return h;
}

/* One login; true when the reply is a 200 carrying a session. */
static bool login_once(CURL *h, struct worker *w, char *why, size_t n)
{
	CURLcode cc;
	long status = 0;

	w->reply.len = 0;
	w->reply.data[0] = '\0';
	cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		snprintf(why, n, "curl: %s", curl_easy_strerror(cc));
		return false;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (status == 200 && strstr(w->reply.data, w->plan->marker))
		return true;
	snprintf(why, n, "http %ld: ", status);
	reply_error_text(&w->reply, w->plan->mode, why + strlen(why),
			 n - strlen(why));
	return false;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	CURL *h = new_handle(w);
	char why[ERR_TEXT_MAX];
	double deadline;

	/* Warm up: open the keep-alive connection before the clock starts. */
	if (h && !login_once(h, w, why, sizeof(why)))
		snprintf(w->first_error, sizeof(w->first_error),
			 "warm-up: %s", why);
	pthread_barrier_wait(w->start);
	deadline = bench_now_s() + w->plan->seconds;
	while (h) {
		double t0 = bench_now_s(), dt;
		bool ok = login_once(h, w, why, sizeof(why));

		dt = bench_now_s() - t0;
		if (ok) {
			w->ok++;
			if (w->n_samples < SAMPLE_CAP)
				w->samples[w->n_samples++] = bench_to_us(dt);
			else
				w->unsampled++;
		} else {
			w->failed++;
			if (!w->first_error[0])
				snprintf(w->first_error, sizeof(w->first_error),
					 "%s", why);
		}
		if (t0 + dt >= deadline)
			break;
	}
	if (!h)
		snprintf(w->first_error, sizeof(w->first_error),
			 "cannot create a curl handle");
	/* The reply may hold a session id: don't leave it in memory. */
	explicit_bzero(w->reply.data, sizeof(w->reply.data));
	curl_easy_cleanup(h);
	return NULL;
}

/* The list of headers `a` and `b`, or NULL when out of memory. */
static struct curl_slist *header_pair(const char *a, const char *b)
{
	struct curl_slist *l = curl_slist_append(NULL, a), *l2;

	if (!l)
		return NULL;
	l2 = curl_slist_append(l, b);
	if (!l2)
		curl_slist_free_all(l);
	return l2;
}

static int plan_init(struct plan *p, const struct options *o)
{
	char pw[SECRET_MAX], secret[SECRET_MAX];
	const char *base_end = o->c.url + strlen(o->c.url);
	int rc = -1;

	secret[0] = '\0';
	while (base_end > o->c.url && base_end[-1] == '/')
		base_end--;
	p->mode = o->mode;
	p->seconds = o->seconds;
	if (bench_read_secret("bench_login", o->c.password_file, pw,
			      sizeof(pw)))
		goto out;
	if (o->mode == MODE_SOAP) {
		snprintf(p->endpoint, sizeof(p->endpoint),
			 "%.*s/services/Soap/u/60.0",
			 (int)(base_end - o->c.url), o->c.url);
		p->marker = "sessionId>";
		p->headers =
			header_pair("Content-Type: text/xml; charset=UTF-8",
				    "SOAPAction: login");
		if (!p->headers || soap_body(p, o->c.user, pw))
			goto out;
	} else {
		snprintf(p->endpoint, sizeof(p->endpoint),
			 "%.*s/services/oauth2/token",
			 (int)(base_end - o->c.url), o->c.url);
		p->marker = "\"access_token\"";
		p->headers = header_pair(
			"Content-Type: application/x-www-form-urlencoded",
			"Accept: application/json");
		if (!p->headers ||
		    bench_read_secret("bench_login", o->c.client_secret_file,
				      secret, sizeof(secret)) ||
		    bench_oauth_password_form(o->c.user, pw, o->c.client_id,
					      secret, &p->body, &p->body_len))
			goto out;
	}
	rc = 0;
out:
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(secret, sizeof(secret));
	return rc;
}

static void plan_release(struct plan *p)
{
	if (p->body) {
		explicit_bzero(p->body, p->body_len);
		free(p->body);
	}
	curl_slist_free_all(p->headers);
}

int main(int argc, char **argv)
{
	struct options o = {0};
	struct plan plan = {0};
	struct worker *w = NULL;
	pthread_barrier_t start;
	uint32_t *all = NULL;
	uint64_t ok = 0, failed = 0, unsampled = 0;
	size_t n = 0;
	struct bench_span t;
	double rate;
	const char *mname;
	int rc = 1, started = 0;

	if (parse_args(argc, argv, &o))
		return 2;
	mname = o.mode == MODE_SOAP ? "soap" : "oauth";
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "bench_login: curl_global_init failed\n");
		return 1;
	}
	if (plan_init(&plan, &o))
		goto out;
	w = calloc((size_t)o.threads, sizeof(*w));
	if (!w || pthread_barrier_init(&start, NULL, (unsigned)o.threads + 1)) {
		fprintf(stderr, "bench_login: out of memory\n");
		goto out;
	}
	for (int i = 0; i < o.threads; i++) {
		w[i].plan = &plan;
		w[i].start = &start;
		w[i].samples = malloc(SAMPLE_CAP * sizeof(uint32_t));
		if (!w[i].samples) {
			fprintf(stderr, "bench_login: out of memory\n");
			goto out_barrier;
		}
	}
	for (; started < o.threads; started++) {
		if (pthread_create(&w[started].tid, NULL, worker_main,
				   &w[started])) {
			fprintf(stderr, "bench_login: cannot start thread\n");
			/* Threads wait on the barrier: can't release them. */
			exit(1);
		}
	}
	pthread_barrier_wait(&start);
	bench_span_begin(&t, o.server_pid);
	for (int i = 0; i < o.threads; i++)
		pthread_join(w[i].tid, NULL);
	bench_span_end(&t);

	for (int i = 0; i < o.threads; i++) {
		ok += w[i].ok;
		failed += w[i].failed;
		unsampled += w[i].unsampled;
		n += w[i].n_samples;
	}
	all = malloc((n ? n : 1) * sizeof(uint32_t));
	if (!all) {
		fprintf(stderr, "bench_login: out of memory\n");
		goto out_barrier;
	}
	n = 0;
	for (int i = 0; i < o.threads; i++) {
		memcpy(all + n, w[i].samples,
		       w[i].n_samples * sizeof(uint32_t));
		n += w[i].n_samples;
	}
	bench_sort_u32(all, n);
	rate = (double)ok / t.elapsed;

	printf("login benchmark, %s mode: %d threads x %d s against %s "
	       "(%ld cores online)\n",
	       mname, o.threads, o.seconds, plan.endpoint,
	       sysconf(_SC_NPROCESSORS_ONLN));
	printf("  %-26s %12.1f\n", "successful logins/s", rate);
	printf("  %-26s %12llu\n", "successful logins",
	       (unsigned long long)ok);
	printf("  %-26s %12llu\n", "failed logins",
	       (unsigned long long)failed);
	printf("  %-26s %12.3f\n", "latency p50 (ms)",
	       bench_pct_ms(all, n, 50));
	printf("  %-26s %12.3f\n", "latency p90 (ms)",
	       bench_pct_ms(all, n, 90));
	printf("  %-26s %12.3f\n", "latency p99 (ms)",
	       bench_pct_ms(all, n, 99));
	printf("  %-26s %12.3f\n", "latency max (ms)",
	       bench_pct_ms(all, n, 100));
	printf("  %-26s %12.3f\n", "elapsed (s)", t.elapsed);
	printf("  %-26s %12.1f\n", "client CPU (% of 1 core)",
	       100.0 * t.client_cpu / t.elapsed);
	if (t.server_cpu >= 0)
		printf("  %-26s %12.1f\n", "server CPU (% of 1 core)",
		       100.0 * t.server_cpu / t.elapsed);
	if (t.server_cpu >= 0 && ok)
		printf("  %-26s %12.1f\n", "server CPU per login (us)",
		       1e6 * t.server_cpu / (double)ok);
	if (unsampled)
		printf("  (latency from the first %zu logins; %llu past the "
		       "sample cap not sampled)\n",
		       n, (unsigned long long)unsampled);
	printf("  (latencies are of successful logins only)\n");
	for (int i = 0; i < o.threads; i++)
		if (w[i].first_error[0])
			printf("  thread %d first error: %s\n", i,
			       w[i].first_error);

	bench_json_line(BENCH_NAME, mname, "logins_per_sec", rate, "logins/s");
	bench_json_line(BENCH_NAME, mname, "p50_ms", bench_pct_ms(all, n, 50),
			"ms");
	bench_json_line(BENCH_NAME, mname, "p90_ms", bench_pct_ms(all, n, 90),
			"ms");
	bench_json_line(BENCH_NAME, mname, "p99_ms", bench_pct_ms(all, n, 99),
			"ms");
	bench_json_line(BENCH_NAME, mname, "max_ms", bench_pct_ms(all, n, 100),
			"ms");
	bench_json_line(BENCH_NAME, mname, "errors", (double)failed, "count");
	if (t.server_cpu >= 0 && ok)
		bench_json_line(BENCH_NAME, mname, "server_cpu_us_per_login",
				1e6 * t.server_cpu / (double)ok, "us");
	fflush(stdout);
	/* No successful login means the setup is wrong, not that it's slow. */
	rc = ok ? 0 : 1;
out_barrier:
	pthread_barrier_destroy(&start);
out:
	if (w)
		for (int i = 0; i < o.threads; i++)
			free(w[i].samples);
	free(w);
	free(all);
	plan_release(&plan);
	curl_global_cleanup();
	return rc;
}
