/* bench_data.c - Collections inserts/s, paged query rows/s, sfemu memory. */
#include <curl/curl.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "base/banned.h"

/*
 * Two phases against one org, both through the REST API a client would use:
 *
 *   insert  N threads, each with its own CURL handle (one keep-alive
 *           connection), take the next batch of BATCH records off a shared
 *           atomic counter and POST it to /composite/sobjects. A record
 *           counts as inserted when its result says "success":true.
 *   query   one thread, one cursor: GET /query?q=SELECT Id, Name FROM
 *           Account, then follow nextRecordsUrl until "done":true, the way
 *           clients page.
 *
 * With --server-pid the bench reads sfemu's VmRSS/VmHWM from /proc: before
 * and after the insert phase (VmHWM is the kernel's exact peak), and after
 * every page of the query, printing them at 10%, 50% and 100% of the rows
 * (100k, 500k and 1M by default). Before the query it resets sfemu's VmHWM
 * (writes 5 to /proc/PID/clear_refs), so the query's own peak is visible
 * rather than the insert phase's.
 *
 * Memory is bounded: insert latency samples are allocated up front (one
 * per request, capped), page latencies grow with the page count, replies go
 * into one buffer per thread capped at REPLY_MAX. Benchmarks print figures and never judge them: the exit status
 * is non-zero only when the run itself could not happen (bad arguments, no
 * token, nothing inserted, a query that broke off).
 */

#define MAX_THREADS  64
#define BATCH        200        /* sObject Collections' limit per request */
#define SAMPLE_CAP   (1u << 20) /* per thread, uint32_t microseconds */
#define REPLY_MAX    (64u * 1024 * 1024)
#define SECRET_MAX   4096
#define TOKEN_MAX    4096
#define ERR_TEXT_MAX 200
#define API_VERSION  "60.0"
#define BENCH_NAME   "data"
#define NAME_PREFIX  "Bench Account "
#define QUERY_SOQL   "SELECT Id, Name FROM Account"
#define N_MARKS      3

enum phase { PHASE_INSERT = 1 << 0, PHASE_QUERY = 1 << 1 };

struct options {
	struct bench_creds c;
	const char *label; /* metric prefix: "memory" -> "memory_insert_..." */
	long server_pid;   /* 0: no server CPU or memory figures */
	long records;
	int threads;
	int phases;
};

/* A reply body; appends past `max` are counted in `dropped`, not kept. */
struct reply {
	char *data;
	size_t len, cap, max;
	size_t dropped;
};

/* Immutable once the threads start: share freely. */
struct plan {
	char base[2048];        /* --url without trailing slashes */
	char collections[2200]; /* .../composite/sobjects */
	char query[2200];       /* .../query?q=... */
	/* Holds the bearer token: wiped at the end. */
	struct curl_slist *headers;
	long records;
	long batches;
};

/* One insert thread's state: owned by that thread until it is joined. */
struct worker {
	pthread_t tid;
	const struct plan *plan;
	pthread_barrier_t *start;
	atomic_long *next_batch;
	/* Request latency in microseconds, of 200 replies only. */
	uint32_t *samples;
	size_t n_samples, sample_cap;
	uint64_t requests, ok_records, failed_records, failed_requests;
	uint64_t bytes_out;
	char first_error[ERR_TEXT_MAX + 16];
	char *body; /* one batch of records, rebuilt per request */
	size_t body_cap;
	struct reply reply;
};

/* The query phase's memory marks: at 10%, 50% and 100% of the rows. */
struct mark {
	long at_rows; /* threshold */
	long rows;    /* rows actually read when it was taken */
	struct bench_mem srv;
	long client_rss;
};

static const char usage[] =
	"usage: bench_data --url BASE --user U --password-file F\n"
	"                  --client-id ID --client-secret-file F\n"
	"                  [--records N] [--threads N]\n"
	"                  [--phase insert|query|both]\n"
	"                  [--server-pid PID] [--label L]\n"
	"\n"
	"  --password-file F       password (plus security token), first line\n"
	"  --client-secret-file F  connected app secret, first line\n"
	"  --records N             records to insert (default 1000000)\n"
	"  --threads N             insert threads, one connection each\n"
	"                          (default 4)\n"
	"  --phase P               insert, query or both (default both);\n"
	"                          the query reads every Account, whoever\n"
	"                          inserted it\n"
	"  --server-pid PID        also report that process's CPU and memory\n"
	"  --label L               prefix every metric with L_\n";

static int parse_args(int argc, char **argv, struct options *o)
{
	long v;

	o->threads = 4;
	o->records = 1000000;
	o->phases = PHASE_INSERT | PHASE_QUERY;
	for (int i = 1; i < argc; i += 2) {
		const char *a = argv[i], *next;
		int took = bench_option("bench_data", usage, argc, argv, i,
					&o->c, &next);

		if (took < 0)
			return -1;
		if (took)
			continue;
		if (!strcmp(a, "--label"))
			o->label = next;
		else if (!strcmp(a, "--threads")) {
			if (bench_parse_long(next, 1, MAX_THREADS, &v)) {
				fprintf(stderr,
					"bench_data: --threads must be "
					"1 to %d\n",
					MAX_THREADS);
				return -1;
			}
			o->threads = (int)v;
		} else if (!strcmp(a, "--records")) {
			if (bench_parse_long(next, 1, 100000000, &v)) {
				fprintf(stderr, "bench_data: --records must be "
						"1 to 100000000\n");
				return -1;
			}
			o->records = v;
		} else if (!strcmp(a, "--server-pid")) {
			if (bench_parse_long(next, 1, 1L << 30, &v)) {
				fprintf(stderr,
					"bench_data: bad --server-pid\n");
				return -1;
			}
			o->server_pid = v;
		} else if (!strcmp(a, "--phase")) {
			if (!strcmp(next, "insert"))
				o->phases = PHASE_INSERT;
			else if (!strcmp(next, "query"))
				o->phases = PHASE_QUERY;
			else if (!strcmp(next, "both"))
				o->phases = PHASE_INSERT | PHASE_QUERY;
			else {
				fprintf(stderr,
					"bench_data: --phase is insert, "
					"query or both, not '%s'\n",
					next);
				return -1;
			}
		} else {
			fprintf(stderr, "bench_data: unknown option '%s'\n%s",
				a, usage);
			return -1;
		}
	}
	if (!o->c.url || !o->c.user || !o->c.password_file || !o->c.client_id ||
	    !o->c.client_secret_file) {
		fprintf(stderr,
			"bench_data: --url, --user, --password-file, "
			"--client-id and --client-secret-file are "
			"required\n%s",
			usage);
		return -1;
	}
	return 0;
}

/* ---- replies ---- */

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct reply *r = userdata;
	size_t n = size * nmemb;

	if (r->len + n + 1 > r->cap && r->len + n + 1 <= r->max) {
		size_t cap = r->cap ? r->cap : 64 * 1024;
		char *p;

		while (cap < r->len + n + 1)
			cap *= 2;
		if (cap > r->max)
			cap = r->max;
		p = realloc(r->data, cap);
		if (p) {
			r->data = p;
			r->cap = cap;
		}
	}
	if (r->len + n + 1 <= r->cap) {
		memcpy(r->data + r->len, ptr, n);
		r->len += n;
		r->data[r->len] = '\0';
	} else {
		/* Keep the head of an oversized reply; drop the rest. */
		r->dropped += n;
	}
	return n;
}

static void reply_reset(struct reply *r)
{
	r->len = 0;
	r->dropped = 0;
	if (r->data)
		r->data[0] = '\0';
}

/* Wipes (a reply may hold a token) and frees. */
static void reply_release(struct reply *r)
{
	if (r->data) {
		explicit_bzero(r->data, r->cap);
		free(r->data);
	}
	memset(r, 0, sizeof(*r));
}

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	return s;
}

/*
 * The value after the first "key": in s, or NULL. Minimal on purpose: the
 * bench reads a handful of top-level keys, not arbitrary JSON.
 */
static const char *json_value(const char *s, const char *key)
{
	char needle[64];
	int n = snprintf(needle, sizeof(needle), "\"%s\"", key);

	if (n < 0 || (size_t)n >= sizeof(needle))
		return NULL;
	while ((s = strstr(s, needle)) != NULL) {
		const char *p = skip_ws(s + n);

		if (*p == ':')
			return skip_ws(p + 1);
		s = p;
	}
	return NULL;
}

/* Copies the JSON string value of "key" into out; -1 if absent or too long. */
static int json_string(const char *s, const char *key, char *out, size_t n)
{
	const char *v = json_value(s, key), *e;

	if (!v || *v != '"')
		return -1;
	v++;
	e = strchr(v, '"');
	if (!e || (size_t)(e - v) >= n)
		return -1;
	memcpy(out, v, (size_t)(e - v));
	out[e - v] = '\0';
	return 0;
}

/* Counts "success": true and "success": false in a collections reply. */
static void count_results(const char *s, uint64_t *ok, uint64_t *bad)
{
	while ((s = strstr(s, "\"success\"")) != NULL) {
		const char *p = skip_ws(s + 9);

		if (*p == ':') {
			p = skip_ws(p + 1);
			if (!strncmp(p, "true", 4))
				(*ok)++;
			else if (!strncmp(p, "false", 5))
				(*bad)++;
		}
		s = p;
	}
}

/*
 * Occurrences of needle in the len bytes at s. memchr + memcmp rather than
 * strstr, which some libcs (and ASan) answer with a strlen of the whole
 * rest of a 300 KB page per hit. (memmem would need _GNU_SOURCE.)
 */
static size_t count_str(const char *s, size_t len, const char *needle)
{
	const char *end = s + len;
	size_t n = 0, nlen = strlen(needle);

	while ((size_t)(end - s) >= nlen &&
	       (s = memchr(s, needle[0], (size_t)(end - s) - nlen + 1))) {
		if (!memcmp(s, needle, nlen)) {
			n++;
			s += nlen;
		} else {
			s++;
		}
	}
	return n;
}

/* A short, secret-free description of a failed reply, for diagnostics. */
static void reply_error_text(const struct reply *r, long status, char *out,
			     size_t n)
{
	char code[64] = "", msg[128] = "";
	const char *s = r->data ? r->data : "";

	(void)(json_string(s, "errorCode", code, sizeof(code)) &&
	       json_string(s, "statusCode", code, sizeof(code)) &&
	       json_string(s, "error", code, sizeof(code)));
	(void)(json_string(s, "message", msg, sizeof(msg)) &&
	       json_string(s, "error_description", msg, sizeof(msg)));
	if (!code[0] && !msg[0])
		snprintf(out, n, "http %ld (%zu-byte reply)", status, r->len);
	else
		snprintf(out, n, "http %ld: %s%s%s", status, code,
			 code[0] && msg[0] ? ": " : "", msg);
}

/* ---- /proc ---- */

/* Resets a process's VmHWM to its current RSS (Linux 4.0+); 0 on success. */
static int reset_hwm(long pid)
{
	char path[64];
	int fd, rc;

	snprintf(path, sizeof(path), "/proc/%ld/clear_refs", pid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = write(fd, "5", 1) == 1 ? 0 : -1;
	close(fd);
	return rc;
}

/* ---- statistics and output ---- */

/* Set once in main() before any thread starts; read-only after. */
static const char *metric_prefix = "";

static void json_line(const char *metric, double value, const char *unit)
{
	bench_json_line(BENCH_NAME, metric_prefix, metric, value, unit);
}

static void row_f(const char *label, double v, int decimals)
{
	printf("  %-36s %14.*f\n", label, decimals, v);
}

static void row_u(const char *label, unsigned long long v)
{
	printf("  %-36s %14llu\n", label, v);
}

/* The latency figures of each phase: percentile and name. */
static const struct {
	double pct;
	const char *name;
} latencies[] = {{50, "p50"}, {99, "p99"}, {100, "max"}};

/* Rows "WHAT latency p50 (ms)" and on, of n sorted samples. */
static void rows_latency(const char *what, const uint32_t *s, size_t n)
{
	char label[64];

	for (size_t i = 0; i < sizeof(latencies) / sizeof(latencies[0]); i++) {
		snprintf(label, sizeof(label), "%s latency %s (ms)", what,
			 latencies[i].name);
		row_f(label, bench_pct_ms(s, n, latencies[i].pct), 3);
	}
}

/* Lines "PHASE_p50_ms" and on, of n sorted samples. */
static void json_latency(const char *phase, const uint32_t *s, size_t n)
{
	char metric[64];

	for (size_t i = 0; i < sizeof(latencies) / sizeof(latencies[0]); i++) {
		snprintf(metric, sizeof(metric), "%s_%s_ms", phase,
			 latencies[i].name);
		json_line(metric, bench_pct_ms(s, n, latencies[i].pct), "ms");
	}
}

/*
 * A phase's time rows: elapsed, client and server CPU, and with `n` units
 * done (records, rows) the server's CPU per unit (`per_unit`, in us with
 * `decimals`) and its units/s at one busy core (`at_core`).
 */
static void rows_time(const struct bench_span *t, uint64_t n,
		      const char *per_unit, int decimals, const char *at_core)
{
	row_f("elapsed (s)", t->elapsed, 3);
	row_f("client CPU (% of 1 core)",
	      t->elapsed > 0 ? 100.0 * t->client_cpu / t->elapsed : 0, 1);
	if (t->server_cpu < 0)
		return;
	row_f("server CPU (% of 1 core)", 100.0 * t->server_cpu / t->elapsed,
	      1);
	if (n && t->server_cpu > 0) {
		row_f(per_unit, 1e6 * t->server_cpu / (double)n, decimals);
		/* sfemu serves requests under one org lock: what one core to
		 * itself would give, whatever else runs. */
		row_f(at_core, (double)n / t->server_cpu, 1);
	}
}

/* ---- login ---- */

static CURL *new_handle(struct reply *r)
{
	CURL *h = curl_easy_init();

	if (!h)
		return NULL;
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 300L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	return h;
}

/*
 * The OAuth username-password flow; on success the plan's headers carry
 * "Authorization: Bearer <token>". The password, secret, form body and
 * reply are wiped before return.
 */
static int login(struct plan *p, const struct options *o)
{
	char pw[SECRET_MAX], secret[SECRET_MAX], endpoint[2200];
	char token[TOKEN_MAX], auth[TOKEN_MAX + 32], why[ERR_TEXT_MAX];
	size_t len = 0;
	struct reply r = {.max = REPLY_MAX};
	struct curl_slist *ct = NULL;
	char *body = NULL;
	CURL *h = NULL;
	long status = 0;
	CURLcode cc;
	int rc = -1;

	token[0] = auth[0] = '\0';
	secret[0] = '\0';
	if (bench_read_secret("bench_data", o->c.password_file, pw,
			      sizeof(pw)) ||
	    bench_read_secret("bench_data", o->c.client_secret_file, secret,
			      sizeof(secret)))
		goto out;
	h = new_handle(&r);
	ct = curl_slist_append(
		NULL, "Content-Type: application/x-www-form-urlencoded");
	if (!h || !ct ||
	    bench_oauth_password_form(o->c.user, pw, o->c.client_id, secret,
				      &body, &len)) {
		fprintf(stderr, "bench_data: cannot build the token request\n");
		goto out;
	}
	snprintf(endpoint, sizeof(endpoint), "%s/services/oauth2/token",
		 p->base);
	curl_easy_setopt(h, CURLOPT_URL, endpoint);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)len);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, ct);
	cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		fprintf(stderr, "bench_data: token request to '%s': curl: %s\n",
			endpoint, curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200 || !r.data ||
	    json_string(r.data, "access_token", token, sizeof(token))) {
		reply_error_text(&r, status, why, sizeof(why));
		fprintf(stderr, "bench_data: login of '%s' failed: %s\n",
			o->c.user, why);
		goto out;
	}
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	p->headers = curl_slist_append(NULL, auth);
	if (p->headers)
		p->headers = curl_slist_append(
			p->headers, "Content-Type: application/json");
	if (p->headers)
		p->headers = curl_slist_append(p->headers,
					       "Accept: application/json");
	/* No "Expect: 100-continue" round trip before a big batch. */
	if (p->headers)
		p->headers = curl_slist_append(p->headers, "Expect:");
	if (!p->headers) {
		fprintf(stderr, "bench_data: out of memory\n");
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(secret, sizeof(secret));
	explicit_bzero(token, sizeof(token));
	explicit_bzero(auth, sizeof(auth));
	if (body) {
		explicit_bzero(body, len);
		free(body);
	}
	reply_release(&r);
	curl_slist_free_all(ct);
	curl_easy_cleanup(h);
	return rc;
}

/* Wipes the bearer token in the headers, then frees them. */
static void headers_free(struct curl_slist *l)
{
	for (struct curl_slist *i = l; i; i = i->next)
		explicit_bzero(i->data, strlen(i->data));
	curl_slist_free_all(l);
}

/* ---- insert phase ---- */

/*
 * Builds batch `b`: up to BATCH Accounts with distinct names (a global
 * sequence number) and a NumberOfEmployees that varies. Returns the number
 * of records, 0 on failure.
 */
static long build_batch(struct worker *w, long b, size_t *len)
{
	long first = b * BATCH;
	long n = w->plan->records - first < BATCH ? w->plan->records - first
						  : BATCH;
	size_t at = 0;
	int k;

	k = snprintf(w->body, w->body_cap,
		     "{\"allOrNone\":false,\"records\":[");
	at = (size_t)k;
	for (long i = 0; i < n; i++) {
		long seq = first + i + 1;

		k = snprintf(w->body + at, w->body_cap - at,
			     "%s{\"attributes\":{\"type\":\"Account\"},"
			     "\"Name\":\"" NAME_PREFIX "%09ld\","
			     "\"NumberOfEmployees\":%ld}",
			     i ? "," : "", seq, (seq * 7919) % 100000);
		if (k < 0 || (size_t)k >= w->body_cap - at)
			return 0;
		at += (size_t)k;
	}
	k = snprintf(w->body + at, w->body_cap - at, "]}");
	if (k < 0 || (size_t)k >= w->body_cap - at)
		return 0;
	*len = at + (size_t)k;
	return n;
}

static void note_error(struct worker *w, const char *why)
{
	if (!w->first_error[0])
		snprintf(w->first_error, sizeof(w->first_error), "%s", why);
}

static void *insert_main(void *arg)
{
	struct worker *w = arg;
	const struct plan *p = w->plan;
	CURL *h = new_handle(&w->reply);
	char why[ERR_TEXT_MAX];

	if (!h) {
		note_error(w, "cannot create a curl handle");
	} else {
		/* Warm up: open the keep-alive connection before the clock
		 * starts. "/" is sfemu's banner: no API call is spent. */
		char banner[2200];

		snprintf(banner, sizeof(banner), "%s/", p->base);
		curl_easy_setopt(h, CURLOPT_URL, banner);
		if (curl_easy_perform(h) != CURLE_OK)
			note_error(w, "warm-up: cannot reach the server");
		curl_easy_setopt(h, CURLOPT_URL, p->collections);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, p->headers);
		curl_easy_setopt(h, CURLOPT_POST, 1L);
	}
	pthread_barrier_wait(w->start);
	while (h) {
		long b = atomic_fetch_add(w->next_batch, 1);
		uint64_t ok = 0, bad = 0;
		long n, status = 0;
		size_t len = 0;
		double t0, dt;
		CURLcode cc;

		if (b >= p->batches)
			break;
		n = build_batch(w, b, &len);
		if (!n) {
			note_error(w, "cannot build a batch");
			break;
		}
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, w->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)len);
		reply_reset(&w->reply);
		t0 = bench_now_s();
		cc = curl_easy_perform(h);
		dt = bench_now_s() - t0;
		w->requests++;
		w->bytes_out += len;
		if (cc == CURLE_OK)
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		if (cc == CURLE_OK && status == 200 && w->reply.data)
			count_results(w->reply.data, &ok, &bad);
		if (cc == CURLE_OK && status == 200 &&
		    ok + bad == (uint64_t)n) {
			if (w->n_samples < w->sample_cap)
				w->samples[w->n_samples++] = bench_to_us(dt);
			w->ok_records += ok;
			w->failed_records += bad;
			if (bad) {
				/* The first record error says why. */
				reply_error_text(&w->reply, status, why,
						 sizeof(why));
				note_error(w, why);
			}
			continue;
		}
		w->failed_requests++;
		w->failed_records += (uint64_t)n;
		if (cc != CURLE_OK)
			snprintf(why, sizeof(why), "curl: %s",
				 curl_easy_strerror(cc));
		else if (status == 200)
			snprintf(why, sizeof(why),
				 "http 200 but %llu results "
				 "for %ld records",
				 (unsigned long long)(ok + bad), n);
		else
			reply_error_text(&w->reply, status, why, sizeof(why));
		note_error(w, why);
	}
	curl_easy_cleanup(h);
	return NULL;
}

struct insert_result {
	uint64_t requests, ok, failed_records, failed_requests, bytes_out;
	struct bench_span t;
	struct bench_mem srv_before, srv_after;
	uint32_t *samples; /* sorted; caller frees */
	size_t n_samples;
};

static int run_insert(const struct plan *p, const struct options *o,
		      struct insert_result *res)
{
	struct worker *w = calloc((size_t)o->threads, sizeof(*w));
	atomic_long next_batch = 0;
	pthread_barrier_t start;
	/* Batches go to whichever thread asks first: any one may get them all. */
	size_t per = (size_t)p->batches + 1;
	int rc = -1;

	if (per > SAMPLE_CAP)
		per = SAMPLE_CAP;
	if (!w ||
	    pthread_barrier_init(&start, NULL, (unsigned)o->threads + 1)) {
		fprintf(stderr, "bench_data: out of memory\n");
		free(w);
		return -1;
	}
	for (int i = 0; i < o->threads; i++) {
		w[i].plan = p;
		w[i].start = &start;
		w[i].next_batch = &next_batch;
		w[i].sample_cap = per;
		w[i].samples = malloc(per * sizeof(uint32_t));
		w[i].body_cap = 64 + BATCH * 160;
		w[i].body = malloc(w[i].body_cap);
		w[i].reply.max = REPLY_MAX;
		if (!w[i].samples || !w[i].body) {
			fprintf(stderr, "bench_data: out of memory\n");
			goto out;
		}
	}
	res->srv_before = bench_proc_mem(o->server_pid);
	for (int i = 0; i < o->threads; i++) {
		if (pthread_create(&w[i].tid, NULL, insert_main, &w[i])) {
			fprintf(stderr, "bench_data: cannot start thread\n");
			/* Threads wait on the barrier: can't release them. */
			exit(1);
		}
	}
	pthread_barrier_wait(&start);
	bench_span_begin(&res->t, o->server_pid);
	for (int i = 0; i < o->threads; i++)
		pthread_join(w[i].tid, NULL);
	bench_span_end(&res->t);
	res->srv_after = bench_proc_mem(o->server_pid);

	for (int i = 0; i < o->threads; i++) {
		res->requests += w[i].requests;
		res->ok += w[i].ok_records;
		res->failed_records += w[i].failed_records;
		res->failed_requests += w[i].failed_requests;
		res->bytes_out += w[i].bytes_out;
		res->n_samples += w[i].n_samples;
	}
	res->samples = malloc((res->n_samples ? res->n_samples : 1) *
			      sizeof(uint32_t));
	if (!res->samples) {
		fprintf(stderr, "bench_data: out of memory\n");
		goto out;
	}
	res->n_samples = 0;
	for (int i = 0; i < o->threads; i++) {
		memcpy(res->samples + res->n_samples, w[i].samples,
		       w[i].n_samples * sizeof(uint32_t));
		res->n_samples += w[i].n_samples;
	}
	bench_sort_u32(res->samples, res->n_samples);
	for (int i = 0; i < o->threads; i++)
		if (w[i].first_error[0])
			printf("  insert thread %d first error: %s\n", i,
			       w[i].first_error);
	rc = 0;
out:
	pthread_barrier_destroy(&start);
	for (int i = 0; i < o->threads; i++) {
		free(w[i].samples);
		free(w[i].body);
		reply_release(&w[i].reply);
	}
	free(w);
	return rc;
}

static void table_insert(const struct options *o, const struct insert_result *r)
{
	double rate = r->t.elapsed > 0 ? (double)r->ok / r->t.elapsed : 0;
	double rps = r->t.elapsed > 0 ? (double)r->requests / r->t.elapsed : 0;

	printf("insert: %ld Accounts, %d per request, %d threads "
	       "(one keep-alive connection each)\n",
	       o->records, BATCH, o->threads);
	row_f("inserted records/s", rate, 1);
	row_f("requests/s", rps, 1);
	row_u("records inserted", (unsigned long long)r->ok);
	row_u("records failed", (unsigned long long)r->failed_records);
	row_u("requests failed", (unsigned long long)r->failed_requests);
	rows_latency("request", r->samples, r->n_samples);
	row_f("request body (MiB sent)", (double)r->bytes_out / 1048576.0, 1);
	rows_time(&r->t, r->ok, "server CPU per record (us)", 2,
		  "records/s at 1 busy server core");
	if (o->server_pid) {
		row_f("server RSS before (MiB)", bench_mib(r->srv_before.rss),
		      1);
		row_f("server RSS after (MiB)", bench_mib(r->srv_after.rss), 1);
		row_f("server peak RSS, VmHWM (MiB)",
		      bench_mib(r->srv_after.hwm), 1);
	}
	printf("  (latency of requests answered 200 with one result per "
	       "record)\n");
}

static void json_insert(const struct options *o, const struct insert_result *r)
{
	double rate = r->t.elapsed > 0 ? (double)r->ok / r->t.elapsed : 0;
	double rps = r->t.elapsed > 0 ? (double)r->requests / r->t.elapsed : 0;

	json_line("insert_records_per_sec", rate, "records/s");
	json_line("insert_requests_per_sec", rps, "requests/s");
	json_latency("insert", r->samples, r->n_samples);
	json_line("insert_failed_records", (double)r->failed_records, "count");
	json_line("insert_failed_requests", (double)r->failed_requests,
		  "count");
	if (r->t.server_cpu >= 0 && r->ok)
		json_line("insert_server_cpu_us_per_record",
			  1e6 * r->t.server_cpu / (double)r->ok, "us");
	if (o->server_pid && r->srv_after.rss >= 0) {
		json_line("insert_server_rss_after_mib",
			  bench_mib(r->srv_after.rss), "MiB");
		json_line("insert_server_peak_rss_mib",
			  bench_mib(r->srv_after.hwm), "MiB");
	}
}

/* ---- query phase ---- */

struct query_result {
	uint64_t rows, pages, bytes, total_size;
	double first_page_s;
	struct bench_span t;
	struct bench_mem srv_before;
	bool hwm_reset;
	long srv_peak_sampled;
	struct mark marks[N_MARKS];
	int n_marks;
	uint32_t *samples; /* per page; sorted; caller frees */
	size_t n_samples;
	char error[ERR_TEXT_MAX];
};

/* Pages until "done":true; one handle, one cursor. 0 when every page came. */
static int run_query(const struct plan *p, const struct options *o,
		     struct query_result *res)
{
	struct reply r = {.max = REPLY_MAX};
	CURL *h = new_handle(&r);
	char url[4400], next[2048];
	size_t cap = 1024;
	long status;
	int rc = -1, m = 0;

	/* Begun again below; this one times a failure before the first page. */
	bench_span_begin(&res->t, 0);
	res->samples = malloc(cap * sizeof(uint32_t));
	if (!h || !res->samples) {
		snprintf(res->error, sizeof(res->error), "out of memory");
		goto out;
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, p->headers);
	snprintf(url, sizeof(url), "%s/", p->base);
	curl_easy_setopt(h, CURLOPT_URL, url);
	(void)curl_easy_perform(h); /* warm-up: open the connection */
	res->srv_peak_sampled = -1;
	if (o->server_pid) {
		res->hwm_reset = reset_hwm(o->server_pid) == 0;
		res->srv_before = bench_proc_mem(o->server_pid);
	}
	snprintf(url, sizeof(url), "%s", p->query);
	bench_span_begin(&res->t, o->server_pid);
	for (;;) {
		double p0 = bench_now_s(), dt;
		const char *v;
		size_t n;
		CURLcode cc;
		bool done;

		reply_reset(&r);
		curl_easy_setopt(h, CURLOPT_URL, url);
		cc = curl_easy_perform(h);
		dt = bench_now_s() - p0;
		if (cc != CURLE_OK) {
			snprintf(res->error, sizeof(res->error),
				 "page %llu: curl: %s",
				 (unsigned long long)res->pages + 1,
				 curl_easy_strerror(cc));
			goto out;
		}
		status = 0;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		if (status != 200 || !r.data || r.dropped) {
			char why[ERR_TEXT_MAX - 32];

			reply_error_text(&r, status, why, sizeof(why));
			snprintf(res->error, sizeof(res->error),
				 "page %llu: %s%s",
				 (unsigned long long)res->pages + 1, why,
				 r.dropped ? " (reply too big)" : "");
			goto out;
		}
		if (!res->pages) {
			res->first_page_s = dt;
			v = json_value(r.data, "totalSize");
			if (v)
				res->total_size = strtoull(v, NULL, 10);
			/* The marks: 10%, 50% and all of the rows. */
			res->marks[0].at_rows = (long)(res->total_size / 10);
			res->marks[1].at_rows = (long)(res->total_size / 2);
			res->marks[2].at_rows = (long)res->total_size;
		}
		/* One "attributes" per record: SELECT Id, Name has no
		 * relationship that would nest another. */
		n = count_str(r.data, r.len, "\"attributes\"");
		res->rows += n;
		res->pages++;
		res->bytes += r.len;
		if (res->n_samples == cap) {
			uint32_t *s = realloc(res->samples,
					      2 * cap * sizeof(uint32_t));

			if (!s) {
				snprintf(res->error, sizeof(res->error),
					 "out of memory");
				goto out;
			}
			res->samples = s;
			cap *= 2;
		}
		res->samples[res->n_samples++] = bench_to_us(dt);
		v = json_value(r.data, "done");
		done = !v || strncmp(v, "false", 5) != 0;
		if (o->server_pid) {
			struct bench_mem mm = bench_proc_mem(o->server_pid);

			if (mm.rss > res->srv_peak_sampled)
				res->srv_peak_sampled = mm.rss;
			while (m < N_MARKS &&
			       (res->rows >= (uint64_t)res->marks[m].at_rows ||
				done)) {
				res->marks[m].rows = (long)res->rows;
				res->marks[m].srv = mm;
				res->marks[m].client_rss =
					bench_proc_mem(0).rss;
				m++;
			}
		}
		if (done)
			break;
		if (json_string(r.data, "nextRecordsUrl", next, sizeof(next)) ||
		    next[0] != '/') {
			snprintf(res->error, sizeof(res->error),
				 "page %llu: \"done\":false without a "
				 "nextRecordsUrl",
				 (unsigned long long)res->pages);
			goto out;
		}
		snprintf(url, sizeof(url), "%s%s", p->base, next);
	}
	res->n_marks = m;
	rc = 0;
out:
	bench_span_end(&res->t);
	if (res->samples)
		bench_sort_u32(res->samples, res->n_samples);
	reply_release(&r);
	curl_easy_cleanup(h);
	return rc;
}

static void table_query(const struct options *o, const struct query_result *r)
{
	double rate = r->t.elapsed > 0 ? (double)r->rows / r->t.elapsed : 0;

	printf("query: \"%s\", one cursor, following nextRecordsUrl\n",
	       QUERY_SOQL);
	row_f("rows/s", rate, 1);
	row_u("rows read", (unsigned long long)r->rows);
	row_u("totalSize", (unsigned long long)r->total_size);
	row_u("pages", (unsigned long long)r->pages);
	rows_latency("page", r->samples, r->n_samples);
	row_f("first page (ms, includes the count)", 1e3 * r->first_page_s, 3);
	row_f("bytes received (MiB)", (double)r->bytes / 1048576.0, 1);
	row_f("bytes per row", r->rows ? (double)r->bytes / (double)r->rows : 0,
	      1);
	rows_time(&r->t, r->rows, "server CPU per row (us)", 3,
		  "rows/s at 1 busy server core");
	if (o->server_pid) {
		printf("  server memory while paging (VmHWM %s before the "
		       "query):\n",
		       r->hwm_reset ? "reset"
				    : "NOT reset (clear_refs failed)");
		printf("  %-14s %12s %12s %14s\n", "rows read", "VmRSS MiB",
		       "VmHWM MiB", "client RSS MiB");
		printf("  %-14s %12.1f %12.1f %14s\n", "before",
		       bench_mib(r->srv_before.rss),
		       bench_mib(r->srv_before.hwm), "");
		for (int i = 0; i < r->n_marks; i++)
			printf("  %-14ld %12.1f %12.1f %14.1f\n",
			       r->marks[i].rows, bench_mib(r->marks[i].srv.rss),
			       bench_mib(r->marks[i].srv.hwm),
			       bench_mib(r->marks[i].client_rss));
		if (r->n_marks == N_MARKS)
			row_f("server VmHWM growth, 10% -> 100% (MiB)",
			      bench_mib(r->marks[2].srv.hwm) -
				      bench_mib(r->marks[0].srv.hwm),
			      1);
		row_f("server peak VmRSS sampled per page (MiB)",
		      bench_mib(r->srv_peak_sampled), 1);
	}
}

static void json_query(const struct options *o, const struct query_result *r)
{
	double rate = r->t.elapsed > 0 ? (double)r->rows / r->t.elapsed : 0;
	char label[64], metric[96];

	json_line("query_rows_per_sec", rate, "rows/s");
	json_line("query_rows", (double)r->rows, "count");
	json_line("query_pages", (double)r->pages, "count");
	json_latency("query", r->samples, r->n_samples);
	json_line("query_first_page_ms", 1e3 * r->first_page_s, "ms");
	json_line("query_bytes", (double)r->bytes, "bytes");
	if (r->t.server_cpu >= 0 && r->rows)
		json_line("query_server_cpu_us_per_row",
			  1e6 * r->t.server_cpu / (double)r->rows, "us");
	if (o->server_pid) {
		json_line("query_server_rss_before_mib",
			  bench_mib(r->srv_before.rss), "MiB");
		for (int i = 0; i < r->n_marks; i++) {
			snprintf(label, sizeof(label), "%ld_rows",
				 r->marks[i].at_rows);
			snprintf(metric, sizeof(metric),
				 "query_server_rss_at_%s_mib", label);
			json_line(metric, bench_mib(r->marks[i].srv.rss),
				  "MiB");
			snprintf(metric, sizeof(metric),
				 "query_server_peak_rss_at_%s_mib", label);
			json_line(metric, bench_mib(r->marks[i].srv.hwm),
				  "MiB");
		}
		if (r->n_marks == N_MARKS)
			json_line("query_server_peak_rss_growth_mib",
				  bench_mib(r->marks[2].srv.hwm) -
					  bench_mib(r->marks[0].srv.hwm),
				  "MiB");
	}
}

static int plan_init(struct plan *p, const struct options *o)
{
	const char *end = o->c.url + strlen(o->c.url);
	CURL *h = curl_easy_init();
	char *q;

	while (end > o->c.url && end[-1] == '/')
		end--;
	if ((size_t)(end - o->c.url) >= sizeof(p->base) || !h) {
		fprintf(stderr, "bench_data: --url is too long\n");
		curl_easy_cleanup(h);
		return -1;
	}
	snprintf(p->base, sizeof(p->base), "%.*s", (int)(end - o->c.url),
		 o->c.url);
	snprintf(p->collections, sizeof(p->collections),
		 "%s/services/data/v" API_VERSION "/composite/sobjects",
		 p->base);
	q = curl_easy_escape(h, QUERY_SOQL, 0);
	if (!q) {
		curl_easy_cleanup(h);
		return -1;
	}
	snprintf(p->query, sizeof(p->query),
		 "%s/services/data/v" API_VERSION "/query?q=%s", p->base, q);
	curl_free(q);
	curl_easy_cleanup(h);
	p->records = o->records;
	p->batches = (o->records + BATCH - 1) / BATCH;
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = {0};
	struct plan plan = {0};
	struct insert_result ins = {0};
	struct query_result qr = {0};
	int rc = 1;

	if (parse_args(argc, argv, &o))
		return 2;
	if (o.label)
		metric_prefix = o.label;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "bench_data: curl_global_init failed\n");
		return 1;
	}
	if (plan_init(&plan, &o) || login(&plan, &o))
		goto out;
	printf("data benchmark%s%s against %s (%ld cores online, shared by "
	       "client and server)\n",
	       o.label ? ", " : "", o.label ? o.label : "", plan.base,
	       sysconf(_SC_NPROCESSORS_ONLN));
	if (o.phases & PHASE_INSERT) {
		if (run_insert(&plan, &o, &ins))
			goto out;
		table_insert(&o, &ins);
		fflush(stdout);
		/* Nothing inserted means the setup is wrong, not slow. */
		if (!ins.ok) {
			fprintf(stderr, "bench_data: no record was inserted\n");
			goto out;
		}
	}
	if (o.phases & PHASE_QUERY) {
		if (run_query(&plan, &o, &qr)) {
			table_query(&o, &qr);
			fprintf(stderr, "bench_data: query broke off: %s\n",
				qr.error);
			goto out;
		}
		table_query(&o, &qr);
	}
	printf("  %-36s %14.1f\n", "client peak RSS (MiB)",
	       bench_mib(bench_self_peak_kib()));
	if (o.phases & PHASE_INSERT)
		json_insert(&o, &ins);
	if (o.phases & PHASE_QUERY)
		json_query(&o, &qr);
	json_line("client_peak_rss_mib", bench_mib(bench_self_peak_kib()),
		  "MiB");
	rc = 0;
out:
	fflush(stdout);
	free(ins.samples);
	free(qr.samples);
	headers_free(plan.headers);
	curl_global_cleanup();
	return rc;
}
