/* bench_query.c - libsf query iterator over a big result: rows/s, peak RSS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Two modes, each its own process so that seeding never shows in the
 * query's peak memory:
 *
 *   seed   N threads, each with its own client (one login, one keep-alive
 *          connection), take the next batch of 200 Accounts off a shared
 *          counter and write it with sf_collection_create.
 *   query  one client, one sf_query_open("SELECT Id, Name,
 *          NumberOfEmployees FROM Account") and sf_query_next to the end;
 *          every row's Id is read, the way a sync would. Prints rows/s, the
 *          client's CPU time, and its memory (VmRSS, VmHWM from
 *          /proc/self/status) at 100k rows, half way and the end, then the
 *          peak (getrusage ru_maxrss and VmHWM).
 *
 * Secrets come from files (--password-file holds password + token,
 * --client-secret-file the consumer secret); never from the command line.
 * Prints figures and never judges them: the exit status is non-zero only
 * when the run could not happen (bad arguments, no login, a query that
 * broke off, nothing seeded).
 */

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "common.h"
#include "sf/client.h"
#include "sf/rest.h"
#include "sf/secret.h"
#include "base/banned.h"

#define BENCH_NAME  "query"
#define BATCH       200
#define MAX_THREADS 64
#define QUERY_SOQL  "SELECT Id, Name, NumberOfEmployees FROM Account"
#define MAX_MARKS   4

struct options {
	const char *mode;
	struct bench_creds c;
	long long rows;
	int threads;
};

static void json_line(const char *metric, double value, const char *unit)
{
	bench_json_line(BENCH_NAME, "libsf", metric, value, unit);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench_query --mode seed|query --url URL --user NAME\n"
		"                   --password-file F --client-id KEY\n"
		"                   --client-secret-file F [--rows N] "
		"[--threads N]\n");
}

static int parse_args(int argc, char **argv, struct options *o)
{
	*o = (struct options){.rows = 1000000, .threads = 4};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v) {
			fprintf(stderr, "bench_query: %s needs a value\n", a);
			return -1;
		}
		i++;
		if (bench_creds_option(&o->c, a, v))
			continue;
		if (!strcmp(a, "--mode"))
			o->mode = v;
		else if (!strcmp(a, "--rows"))
			o->rows = strtoll(v, NULL, 10);
		else if (!strcmp(a, "--threads"))
			o->threads = (int)strtol(v, NULL, 10);
		else {
			fprintf(stderr, "bench_query: unknown option '%s'\n",
				a);
			return -1;
		}
	}
	if (!o->mode || !o->c.url || !o->c.user || !o->c.password_file ||
	    !o->c.client_id || !o->c.client_secret_file || o->rows <= 0 ||
	    o->threads < 1 || o->threads > MAX_THREADS ||
	    (strcmp(o->mode, "seed") && strcmp(o->mode, "query"))) {
		usage();
		return -1;
	}
	return 0;
}

/* A logged-in client; NULL with the reason on stderr. */
static struct sf_client *client_new(const struct options *o)
{
	struct sf_client_options co = {.allow_http_loopback = true,
				       .api_version = "60.0"};
	struct sf_credentials cr = {.method = SF_AUTH_OAUTH_PASSWORD,
				    .username = o->c.user,
				    .consumer_key = o->c.client_id};
	struct sf_error e = SF_ERROR_INIT;
	struct sf_secret *pw = NULL, *cs = NULL;
	struct sf_client *c = NULL;
	int rc = -1;

	if (sf_secret_from_file(o->c.password_file, &pw, &e) ||
	    sf_secret_from_file(o->c.client_secret_file, &cs, &e))
		goto out;
	cr.password = pw;
	cr.consumer_secret = cs;
	if (sf_target_parse(o->c.url, true, &cr.target, &e) ||
	    sf_client_new(&co, &c, &e) ||
	    sf_client_set_credentials(c, &cr, &e) || sf_client_login(c, &e))
		goto out;
	rc = 0;
out:
	if (rc) {
		fprintf(stderr, "bench_query: %s\n", e.message);
		sf_client_free(c);
		c = NULL;
	}
	sf_secret_free(pw);
	sf_secret_free(cs);
	return c;
}

/* ---- seed ---- */

struct seeder {
	const struct options *o;
	atomic_llong *next_batch;
	pthread_t tid;
	long long ok, failed;
	char first_error[512];
};

static void *seed_thread(void *arg)
{
	struct seeder *s = arg;
	struct sf_client *c = client_new(s->o);
	long long batches = (s->o->rows + BATCH - 1) / BATCH, b;

	if (!c) {
		snprintf(s->first_error, sizeof(s->first_error), "no login");
		return NULL;
	}
	while ((b = atomic_fetch_add(s->next_batch, 1)) < batches) {
		struct sf_error e = SF_ERROR_INIT;
		struct sf_result *res = NULL;
		json_t *recs = json_array();
		size_t n = 0;
		long long first = b * BATCH;
		long long last =
			first + BATCH < s->o->rows ? first + BATCH : s->o->rows;

		for (long long i = first; i < last; i++) {
			char name[40];

			snprintf(name, sizeof(name), "Bench Account %07lld", i);
			json_array_append_new(
				recs,
				json_pack("{s:{s:s}, s:s, s:I}", "attributes",
					  "type", "Account", "Name", name,
					  "NumberOfEmployees", (json_int_t)i));
		}
		if (sf_collection_create(c, recs, false, &res, &n, &e) < 0 &&
		    !s->first_error[0])
			snprintf(s->first_error, sizeof(s->first_error), "%s",
				 e.message);
		for (size_t i = 0; i < n; i++) {
			if (res[i].success)
				s->ok++;
			else
				s->failed++;
		}
		free(res);
		json_decref(recs);
	}
	sf_client_free(c);
	return NULL;
}

static int seed(const struct options *o)
{
	struct seeder w[MAX_THREADS] = {{0}};
	atomic_llong next = 0;
	long long ok = 0, failed = 0;
	double t0, el;

	t0 = bench_now_s();
	for (int i = 0; i < o->threads; i++) {
		w[i].o = o;
		w[i].next_batch = &next;
		if (pthread_create(&w[i].tid, NULL, seed_thread, &w[i])) {
			fprintf(stderr, "bench_query: cannot start a thread\n");
			return 1;
		}
	}
	for (int i = 0; i < o->threads; i++) {
		pthread_join(w[i].tid, NULL);
		ok += w[i].ok;
		failed += w[i].failed;
		if (w[i].first_error[0])
			printf("  seed thread %d first error: %s\n", i,
			       w[i].first_error);
	}
	el = bench_now_s() - t0;
	printf("  %-34s %12lld in %.1f s (%.0f records/s, %d threads, "
	       "sf_collection_create)\n",
	       "seeded Accounts", ok, el, el > 0 ? ok / el : 0, o->threads);
	if (failed)
		printf("  %-34s %12lld\n", "records refused", failed);
	return ok == o->rows ? 0 : 1;
}

/* ---- query ---- */

struct mark {
	long long rows;
	struct bench_mem m;
	bool hit;
};

static int query(const struct options *o)
{
	struct sf_error e = SF_ERROR_INIT;
	struct sf_client *c;
	struct sf_query *q = NULL;
	struct mark marks[MAX_MARKS] = {{0}};
	struct sf_api_usage u0, u1;
	struct bench_mem start, end;
	json_t *rec;
	long long rows = 0, id_bytes = 0;
	double t0, el, cpu0, cpu;
	int nmarks = 0, rc;

	/* 100k (when the run is bigger), half way and the end. */
	if (o->rows > 100000)
		marks[nmarks++].rows = 100000;
	if (o->rows / 2 > 100000)
		marks[nmarks++].rows = o->rows / 2;
	marks[nmarks++].rows = o->rows;

	c = client_new(o);
	if (!c)
		return 1;
	start = bench_proc_mem(0);
	sf_client_api_usage(c, &u0);
	cpu0 = bench_self_cpu_s();
	t0 = bench_now_s();
	rc = sf_query_open(c, QUERY_SOQL, false, &q, &e);
	while (rc == 0 && (rc = sf_query_next(q, &rec, &e)) == 1) {
		const char *id = json_string_value(json_object_get(rec, "Id"));

		id_bytes += id ? (long long)strlen(id) : 0;
		rows++;
		for (int i = 0; i < nmarks; i++) {
			if (!marks[i].hit && rows == marks[i].rows) {
				marks[i].m = bench_proc_mem(0);
				marks[i].hit = true;
			}
		}
		rc = 0;
	}
	el = bench_now_s() - t0;
	cpu = bench_self_cpu_s() - cpu0;
	sf_client_api_usage(c, &u1);
	end = bench_proc_mem(0);
	if (rc < 0) {
		fprintf(stderr, "bench_query: after %lld rows: %s\n", rows,
			e.message);
		sf_query_close(q);
		sf_client_free(c);
		return 1;
	}

	printf("libsf (C, sf_query_open/next): %lld rows of '%s'\n", rows,
	       QUERY_SOQL);
	printf("  %-34s %12.0f\n", "rows/s", rows / el);
	printf("  %-34s %12.2f\n", "elapsed (s)", el);
	printf("  %-34s %12lld\n", "totalSize", sf_query_total(q));
	printf("  %-34s %12lld\n", "HTTP calls (pages)", u1.calls - u0.calls);
	printf("  %-34s %12.2f\n", "client CPU (s)", cpu);
	printf("  %-34s %12.1f\n", "client CPU per 1k rows (ms)",
	       rows ? 1e6 * cpu / (double)rows : 0);
	printf("  %-34s %12.1f\n", "RSS before the query (MiB)",
	       bench_mib(start.rss));
	for (int i = 0; i < nmarks; i++)
		if (marks[i].hit)
			printf("  RSS at %-10lld rows (MiB)         %12.1f  "
			       "(VmHWM %.1f)\n",
			       marks[i].rows, bench_mib(marks[i].m.rss),
			       bench_mib(marks[i].m.hwm));
	printf("  %-34s %12.1f\n", "peak RSS, VmHWM (MiB)", bench_mib(end.hwm));
	printf("  %-34s %12.1f\n", "peak RSS, ru_maxrss (MiB)",
	       bench_mib(bench_self_peak_kib()));

	json_line("rows_per_sec", rows / el, "rows/s");
	json_line("rows", (double)rows, "count");
	json_line("elapsed_s", el, "s");
	json_line("client_cpu_s", cpu, "s");
	json_line("pages", (double)(u1.calls - u0.calls), "count");
	for (int i = 0; i < nmarks; i++) {
		char metric[64];

		if (!marks[i].hit)
			continue;
		snprintf(metric, sizeof(metric), "rss_at_%lld_rows_mib",
			 marks[i].rows);
		json_line(metric, bench_mib(marks[i].m.rss), "MiB");
	}
	json_line("peak_rss_vmhwm_mib", bench_mib(end.hwm), "MiB");
	json_line("peak_rss_maxrss_mib", bench_mib(bench_self_peak_kib()),
		  "MiB");
	fflush(stdout);
	sf_query_close(q);
	sf_client_free(c);
	/* Fewer rows than asked means the seeding or the query went wrong. */
	return rows == o->rows && id_bytes > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct sf_error e = SF_ERROR_INIT;
	struct options o;
	int rc;

	if (parse_args(argc, argv, &o))
		return 2;
	if (sf_global_init(&e)) {
		fprintf(stderr, "bench_query: %s\n", e.message);
		return 1;
	}
	rc = !strcmp(o.mode, "seed") ? seed(&o) : query(&o);
	sf_global_cleanup();
	return rc;
}
