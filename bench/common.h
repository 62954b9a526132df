/* common.h - what the bench programs share: timing, figures, secrets. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Linked into every bench/bench_*.c (see the Makefile's bench rule). All
 * stateless: call from any thread. Errors go to stderr prefixed with
 * `prog` ("bench_login: ..."), never with a secret in them.
 */

/* A process's memory at one moment, in KiB; -1 when unknown (not Linux). */
struct bench_mem {
	long rss, hwm;
};

/* Where and as whom a bench program logs in: the options they all take. */
struct bench_creds {
	const char *url;                /* --url: the org's base URL */
	const char *user;               /* --user */
	const char *password_file;      /* --password-file: password + token */
	const char *client_id;          /* --client-id: consumer key */
	const char *client_secret_file; /* --client-secret-file */
};

/*
 * Wall and CPU time across one phase: this process's, and with a pid
 * another's (sfemu's). Begin, run the phase, end; then read the figures.
 */
struct bench_span {
	long pid; /* 0: no server figures */
	double t0, cpu0, srv0;
	double elapsed;    /* seconds of wall time */
	double client_cpu; /* CPU seconds of this process */
	double server_cpu; /* CPU seconds of pid; -1 when unknown */
};

/* Seconds on the monotonic clock. */
double bench_now_s(void);
/* Parses a whole decimal number in [lo, hi]; 0, or -1 leaving *out alone. */
int bench_parse_long(const char *s, long lo, long hi, long *out);
/* Takes option `a` with value `v` (borrowed) if it is one of bench_creds'. */
bool bench_creds_option(struct bench_creds *c, const char *a, const char *v);
/*
 * Reads the "--option value" pair at argv[i] the way bench programs take
 * options: --help or -h prints `usage` to stdout and exits 0, and the
 * bench_creds options go to `c`. Returns 1 when it took the pair, 0 when
 * the caller should (*v is then the value), -1 after saying what is wrong.
 */
int bench_option(const char *prog, const char *usage, int argc, char **argv,
		 int i, struct bench_creds *c, const char **v);

void bench_span_begin(struct bench_span *s, long pid);
void bench_span_end(struct bench_span *s);

/*
 * Reads the first line of `path` into `out` (at most n - 1 bytes, without
 * the line end); -1 when it can't be read or is empty. The file is the only
 * place a secret comes from: never argv, never env. The caller wipes `out`.
 */
int bench_read_secret(const char *prog, const char *path, char *out, size_t n);

/*
 * The OAuth username-password token request body, form-encoded. On success
 * *body is the caller's (wipe *len bytes, then free); on failure it is NULL.
 */
int bench_oauth_password_form(const char *user, const char *pw,
			      const char *client_id, const char *secret,
			      char **body, size_t *len);

/* utime + stime of this process, in seconds, or -1 when unknown. */
double bench_self_cpu_s(void);
/* utime + stime of process `pid`, in seconds, or -1 when unknown. */
double bench_proc_cpu_s(long pid);
/* VmRSS and VmHWM of process `pid` (0: this process). */
struct bench_mem bench_proc_mem(long pid);
/* This process's peak RSS so far (getrusage ru_maxrss), KiB; -1 unknown. */
long bench_self_peak_kib(void);
/* KiB to MiB; -1 stays "unknown" (-1). */
double bench_mib(long kib);

/* A duration in seconds as microseconds, saturating at UINT32_MAX. */
uint32_t bench_to_us(double dt);
/* Sorts latency samples ascending, for bench_pct_ms(). */
void bench_sort_u32(uint32_t *s, size_t n);
/* Nearest-rank percentile of sorted microsecond samples, in ms; 0 if none. */
double bench_pct_ms(const uint32_t *sorted, size_t n, double pct);

/*
 * One figure as a JSON line: {"bench": BENCH, "metric": "PREFIX_METRIC",
 * "value": V, "unit": UNIT}; an empty prefix adds no "_".
 */
void bench_json_line(const char *bench, const char *prefix, const char *metric,
		     double value, const char *unit);

#endif
