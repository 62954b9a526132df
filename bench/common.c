/* common.c - what the bench programs share: timing, figures, secrets. */
#include "common.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "base/banned.h"

double bench_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int bench_parse_long(const char *s, long lo, long hi, long *out)
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

bool bench_creds_option(struct bench_creds *c, const char *a, const char *v)
{
	if (!strcmp(a, "--url"))
		c->url = v;
	else if (!strcmp(a, "--user"))
		c->user = v;
	else if (!strcmp(a, "--password-file"))
		c->password_file = v;
	else if (!strcmp(a, "--client-id"))
		c->client_id = v;
	else if (!strcmp(a, "--client-secret-file"))
		c->client_secret_file = v;
	else
		return false;
	return true;
}

int bench_option(const char *prog, const char *usage, int argc, char **argv,
		 int i, struct bench_creds *c, const char **v)
{
	const char *a = argv[i];

	if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
		fputs(usage, stdout);
		exit(0);
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "%s: %s needs a value\n%s", prog, a, usage);
		return -1;
	}
	*v = argv[i + 1];
	return bench_creds_option(c, a, *v) ? 1 : 0;
}

void bench_span_begin(struct bench_span *s, long pid)
{
	s->pid = pid;
	s->t0 = bench_now_s();
	s->cpu0 = bench_self_cpu_s();
	s->srv0 = pid ? bench_proc_cpu_s(pid) : -1;
}

void bench_span_end(struct bench_span *s)
{
	double srv1;

	s->elapsed = bench_now_s() - s->t0;
	s->client_cpu = bench_self_cpu_s() - s->cpu0;
	srv1 = s->pid ? bench_proc_cpu_s(s->pid) : -1;
	s->server_cpu = s->srv0 >= 0 && srv1 >= 0 ? srv1 - s->srv0 : -1;
}

int bench_read_secret(const char *prog, const char *path, char *out, size_t n)
{
	FILE *f = fopen(path, "r");
	size_t len;

	if (!f) {
		fprintf(stderr, "%s: cannot open '%s'\n", prog, path);
		return -1;
	}
	if (!fgets(out, (int)n, f)) {
		fclose(f);
		fprintf(stderr, "%s: '%s' is empty\n", prog, path);
		return -1;
	}
	fclose(f);
	len = strcspn(out, "\r\n");
	out[len] = '\0';
	if (!len) {
		fprintf(stderr, "%s: '%s' is empty\n", prog, path);
		return -1;
	}
	return 0;
}

/* Form-encodes one pair onto the body; curl_free()s what it escaped. */
static int form_add(CURL *h, char *dst, size_t *at, size_t cap, const char *key,
		    const char *val)
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

int bench_oauth_password_form(const char *user, const char *pw,
			      const char *client_id, const char *secret,
			      char **body, size_t *len)
{
	/* %XX triples every byte at worst; 128 covers the keys and "&=". */
	size_t cap = 128 + 3 * (strlen(user) + strlen(pw) + strlen(client_id) +
				strlen(secret));
	CURL *h = curl_easy_init();
	char *b = malloc(cap);
	size_t at = 0;
	int rc = -1;

	if (!h || !b)
		goto out;
	b[0] = '\0';
	if (form_add(h, b, &at, cap, "grant_type", "password") ||
	    form_add(h, b, &at, cap, "client_id", client_id) ||
	    form_add(h, b, &at, cap, "client_secret", secret) ||
	    form_add(h, b, &at, cap, "username", user) ||
	    form_add(h, b, &at, cap, "password", pw))
		goto out;
	*body = b;
	*len = at;
	b = NULL;
	rc = 0;
out:
	if (b) {
		explicit_bzero(b, cap);
		free(b);
	}
	curl_easy_cleanup(h);
	return rc;
}

double bench_self_cpu_s(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return -1;
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

double bench_proc_cpu_s(long pid)
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
	/* After the ")" that ends comm: state is 3, utime 14, stime 15. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2,
			 "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
			 "%lu %lu",
			 &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

struct bench_mem bench_proc_mem(long pid)
{
	struct bench_mem m = {-1, -1};
	char path[64], line[256];
	FILE *f;

	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/status");
	f = fopen(path, "r");
	if (!f)
		return m;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "VmRSS:", 6))
			m.rss = strtol(line + 6, NULL, 10);
		else if (!strncmp(line, "VmHWM:", 6))
			m.hwm = strtol(line + 6, NULL, 10);
	}
	fclose(f);
	return m;
}

long bench_self_peak_kib(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? -1 : ru.ru_maxrss;
}

double bench_mib(long kib)
{
	return kib < 0 ? -1 : (double)kib / 1024.0;
}

uint32_t bench_to_us(double dt)
{
	double us = dt * 1e6;

	return us >= 4e9 ? UINT32_MAX : (uint32_t)us;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

void bench_sort_u32(uint32_t *s, size_t n)
{
	if (n)
		qsort(s, n, sizeof(*s), cmp_u32);
}

double bench_pct_ms(const uint32_t *sorted, size_t n, double pct)
{
	size_t rank;

	if (!n)
		return 0;
	rank = (size_t)((pct / 100.0) * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1] / 1000.0;
}

void bench_json_line(const char *bench, const char *prefix, const char *metric,
		     double value, const char *unit)
{
	printf("{\"bench\": \"%s\", \"metric\": \"%s%s%s\", \"value\": %.6g, "
	       "\"unit\": \"%s\"}\n",
	       bench, prefix, *prefix ? "_" : "", metric, value, unit);
}
