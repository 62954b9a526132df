/* bench_login.c - how many logins per second sfemu serves, and how fast. */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

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
#define ERR_TEXT_MAX  160
#define BENCH_NAME    "login"

enum mode { MODE_SOAP, MODE_OAUTH };

struct options {
	const char *url;
	const char *user;
	const char *password_file;
	const char *client_id;
	const char *client_secret_file;
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

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	long v;

	o->threads = 4;
	o->seconds = 10;
	o->mode = MODE_SOAP;
	for (int i = 1; i < argc; i += 2) {
		const char *a = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			exit(0);
		}
		if (!next) {
			fprintf(stderr, "bench_login: %s needs a value\n%s", a,
				usage);
			return -1;
		}
		if (!strcmp(a, "--url"))
			o->url = next;
		else if (!strcmp(a, "--user"))
			o->user = next;
		else if (!strcmp(a, "--password-file"))
			o->password_file = next;
		else if (!strcmp(a, "--client-id"))
			o->client_id = next;
		else if (!strcmp(a, "--client-secret-file"))
			o->client_secret_file = next;
		else if (!strcmp(a, "--threads")) {
			if (parse_long(next, 1, MAX_THREADS, &v)) {
				fprintf(stderr, "bench_login: --threads must be "
						"1 to %d\n", MAX_THREADS);
				return -1;
			}
			o->threads = (int)v;
		} else if (!strcmp(a, "--seconds")) {
			if (parse_long(next, 1, 86400, &v)) {
				fprintf(stderr, "bench_login: --seconds must be "
						"1 to 86400\n");
				return -1;
			}
			o->seconds = (int)v;
		} else if (!strcmp(a, "--server-pid")) {
			if (parse_long(next, 1, 1L << 30, &v)) {
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
	if (!o->url || !o->user || !o->password_file) {
		fprintf(stderr, "bench_login: --url, --user and --password-file "
				"are required\n%s", usage);
		return -1;
	}
	if (o->mode == MODE_OAUTH &&
	    (!o->client_id || !o->client_secret_file)) {
		fprintf(stderr, "bench_login: oauth mode needs --client-id and "
				"--client-secret-file\n");
		return -1;
	}
	return 0;
}

/*
 * Reads the first line of `path` into `out` (at most n - 1 bytes).
 * The file is the only place a secret comes from: never argv, never env.
 */
static int read_secret(const char *path, char *out, size_t n)
{
	FILE *f = fopen(path, "r");
	size_t len;

	if (!f) {
		fprintf(stderr, "bench_login: cannot open '%s'\n", path);
		return -1;
	}
	if (!fgets(out, (int)n, f)) {
		fclose(f);
		fprintf(stderr, "bench_login: '%s' is empty\n", path);
		return -1;
	}
	fclose(f);
	len = strcspn(out, "\r\n");
	out[len] = '\0';
	if (!len) {
		fprintf(stderr, "bench_login: '%s' is empty\n", path);
		return -1;
	}
	return 0;
}

/* Appends s to the buffer with XML escaping; returns the new length. */
static size_t xml_escape(char *dst, size_t at, size_t cap, const char *s)
{
	for (; *s && at + 7 < cap; s++) {
		const char *rep = NULL;

		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		default: dst[at++] = *s; continue;
		}
		memcpy(dst + at, rep, strlen(rep));
		at += strlen(rep);
	}
	dst[at] = '\0';
	return at;
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
	size_t cap = sizeof(head) + sizeof(mid) + sizeof(tail) +
		     6 * (strlen(user) + strlen(pw)) + 8;
	size_t at;

	p->body = malloc(cap);
	if (!p->body)
		return -1;
	memcpy(p->body, head, sizeof(head));
	at = xml_escape(p->body, sizeof(head) - 1, cap, user);
	memcpy(p->body + at, mid, sizeof(mid));
	at = xml_escape(p->body, at + sizeof(mid) - 1, cap, pw);
	memcpy(p->body + at, tail, sizeof(tail));
	p->body_len = at + sizeof(tail) - 1;
	return 0;
}

/* Form-encodes one pair onto the body; curl_free()s what it escaped. */
static int form_add(CURL *h, char *dst, size_t *at, size_t cap,
		    const char *key, const char *val)
{
	char *e = curl_easy_escape(h, val, 0);
	int n;

	if (!e)
		return -1;
	n = snprintf(dst + *at, cap - *at, "%s%s=%s", *at ? "&" : "", key, e);
	explicit_bzero(e, strlen(e));
	curl_free(e);
	if (n < 0 || (size_t)n >= cap - *at)
		return -1;
	*at += (size_t)n;
	return 0;
}

static int oauth_body(struct plan *p, const char *user, const char *pw,
		      const char *client_id, const char *secret)
{
	size_t cap = 128 + 3 * (strlen(user) + strlen(pw) + strlen(client_id) +
				strlen(secret));
	CURL *h = curl_easy_init();
	size_t at = 0;
	int rc = -1;

	p->body = malloc(cap);
	if (!h || !p->body)
		goto out;
	p->body[0] = '\0';
	if (form_add(h, p->body, &at, cap, "grant_type", "password") ||
	    form_add(h, p->body, &at, cap, "client_id", client_id) ||
	    form_add(h, p->body, &at, cap, "client_secret", secret) ||
	    form_add(h, p->body, &at, cap, "username", user) ||
	    form_add(h, p->body, &at, cap, "password", pw))
		goto out;
	p->body_len = at;
	rc = 0;
out:
	curl_easy_cleanup(h);
	return rc;
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
	deadline = now_s() + w->plan->seconds;
	while (h) {
		double t0 = now_s(), dt;
		bool ok = login_once(h, w, why, sizeof(why));

		dt = now_s() - t0;
		if (ok) {
			w->ok++;
			if (w->n_samples < SAMPLE_CAP) {
				double us = dt * 1e6;

				w->samples[w->n_samples++] =
					us >= 4e9 ? UINT32_MAX : (uint32_t)us;
			} else {
				w->unsampled++;
			}
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

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted samples, in milliseconds. */
static double pct_ms(const uint32_t *s, size_t n, double pct)
{
	size_t rank;

	if (!n)
		return 0;
	rank = (size_t)((pct / 100.0) * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return s[rank - 1] / 1000.0;
}

/* utime + stime of a process, in seconds, or -1 when unknown (non-Linux). */
static double proc_cpu_s(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Fields after the ")" that ends comm: state is 3, utime 14, stime 15. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
				"%lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static double self_cpu_s(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return -1;
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void json_line(const char *mode, const char *metric, double value,
		      const char *unit)
{
	printf("{\"bench\": \"%s\", \"metric\": \"%s_%s\", \"value\": %.6g, "
	       "\"unit\": \"%s\"}\n",
	       BENCH_NAME, mode, metric, value, unit);
}

static int plan_init(struct plan *p, const struct options *o)
{
	char pw[SECRET_MAX], secret[SECRET_MAX];
	const char *base_end = o->url + strlen(o->url);
	int rc = -1;

	secret[0] = '\0';
	while (base_end > o->url && base_end[-1] == '/')
		base_end--;
	p->mode = o->mode;
	p->seconds = o->seconds;
	if (read_secret(o->password_file, pw, sizeof(pw)))
		goto out;
	if (o->mode == MODE_SOAP) {
		snprintf(p->endpoint, sizeof(p->endpoint),
			 "%.*s/services/Soap/u/60.0", (int)(base_end - o->url),
			 o->url);
		p->marker = "sessionId>";
		p->headers = curl_slist_append(
			NULL, "Content-Type: text/xml; charset=UTF-8");
		p->headers = p->headers ? curl_slist_append(p->headers,
							   "SOAPAction: login")
					: NULL;
		if (!p->headers || soap_body(p, o->user, pw))
			goto out;
	} else {
		snprintf(p->endpoint, sizeof(p->endpoint),
			 "%.*s/services/oauth2/token",
			 (int)(base_end - o->url), o->url);
		p->marker = "\"access_token\"";
		p->headers = curl_slist_append(
			NULL, "Content-Type: application/x-www-form-urlencoded");
		p->headers = p->headers ? curl_slist_append(p->headers,
							   "Accept: application/json")
					: NULL;
		if (!p->headers ||
		    read_secret(o->client_secret_file, secret, sizeof(secret)) ||
		    oauth_body(p, o->user, pw, o->client_id, secret))
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
	double t0, elapsed, cpu0, cpu1, srv0 = -1, srv1 = -1, rate;
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
	t0 = now_s();
	cpu0 = self_cpu_s();
	if (o.server_pid)
		srv0 = proc_cpu_s(o.server_pid);
	for (int i = 0; i < o.threads; i++)
		pthread_join(w[i].tid, NULL);
	elapsed = now_s() - t0;
	cpu1 = self_cpu_s();
	if (o.server_pid)
		srv1 = proc_cpu_s(o.server_pid);

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
	qsort(all, n, sizeof(*all), cmp_u32);
	rate = (double)ok / elapsed;

	printf("login benchmark, %s mode: %d threads x %d s against %s "
	       "(%ld cores online)\n",
	       mname, o.threads, o.seconds, plan.endpoint,
	       sysconf(_SC_NPROCESSORS_ONLN));
	printf("  %-26s %12.1f\n", "successful logins/s", rate);
	printf("  %-26s %12llu\n", "successful logins",
	       (unsigned long long)ok);
	printf("  %-26s %12llu\n", "failed logins",
	       (unsigned long long)failed);
	printf("  %-26s %12.3f\n", "latency p50 (ms)", pct_ms(all, n, 50));
	printf("  %-26s %12.3f\n", "latency p90 (ms)", pct_ms(all, n, 90));
	printf("  %-26s %12.3f\n", "latency p99 (ms)", pct_ms(all, n, 99));
	printf("  %-26s %12.3f\n", "latency max (ms)", pct_ms(all, n, 100));
	printf("  %-26s %12.3f\n", "elapsed (s)", elapsed);
	printf("  %-26s %12.1f\n", "client CPU (% of 1 core)",
	       100.0 * (cpu1 - cpu0) / elapsed);
	if (srv0 >= 0 && srv1 >= 0)
		printf("  %-26s %12.1f\n", "server CPU (% of 1 core)",
		       100.0 * (srv1 - srv0) / elapsed);
	if (srv0 >= 0 && srv1 >= 0 && ok)
		printf("  %-26s %12.1f\n", "server CPU per login (us)",
		       1e6 * (srv1 - srv0) / (double)ok);
	if (unsampled)
		printf("  (latency from the first %zu logins; %llu past the "
		       "sample cap not sampled)\n",
		       n, (unsigned long long)unsampled);
	printf("  (latencies are of successful logins only)\n");
	for (int i = 0; i < o.threads; i++)
		if (w[i].first_error[0])
			printf("  thread %d first error: %s\n", i,
			       w[i].first_error);

	json_line(mname, "logins_per_sec", rate, "logins/s");
	json_line(mname, "p50_ms", pct_ms(all, n, 50), "ms");
	json_line(mname, "p90_ms", pct_ms(all, n, 90), "ms");
	json_line(mname, "p99_ms", pct_ms(all, n, 99), "ms");
	json_line(mname, "max_ms", pct_ms(all, n, 100), "ms");
	json_line(mname, "errors", (double)failed, "count");
	if (srv0 >= 0 && srv1 >= 0 && ok)
		json_line(mname, "server_cpu_us_per_login",
			  1e6 * (srv1 - srv0) / (double)ok, "us");
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
