/* listen.c - a server's plumbing: HOST:PORT, the ready file, stop signals. */
#include "base/listen.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/banned.h"

int base_listen_parse_arg(struct base_listen_args *o, const char *prog,
			  const char *a, const char *next)
{
	if (!strcmp(a, "--listen"))
		o->listen = next;
	else if (!strcmp(a, "--data"))
		o->data_dir = next;
	else if (!strcmp(a, "--ready-file"))
		o->ready_file = next;
	else if (!strcmp(a, "--threads")) {
		char *end;
		long n = strtol(next, &end, 10);

		if (*end || n < 1 || n > 64) {
			fprintf(stderr, "%s: --threads must be 1 to 64\n", prog);
			return -1;
		}
		o->threads = (int)n;
	} else if (!strcmp(a, "--log-level")) {
		int l = base_log_parse_level(next);

		if (l < 0) {
			fprintf(stderr, "%s: unknown log level '%s'\n", prog,
				next);
			return -1;
		}
		base_log_set_level((enum base_log_level)l);
	} else {
		return 0;
	}
	return 1;
}

int base_listen_split(const char *listen, unsigned flags, char *host, size_t n,
		      int *port)
{
	const char *colon = strrchr(listen, ':');
	char *end;
	long p;

	if (!colon || (size_t)(colon - listen) >= n || colon == listen)
		return -1;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	/* "[::1]:8080" */
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	p = strtol(colon + 1, &end, 10);
	if ((!colon[1] && !(flags & BASE_LISTEN_EMPTY_PORT_OK)) || *end ||
	    p < 0 || p > 65535)
		return -1;
	*port = (int)p;
	return 0;
}

int base_listen_write_ready_file(const char *path, const char *url)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "%s\n", url);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

void base_listen_format_url(char *out, size_t n, const char *scheme,
			    const char *host, int port)
{
	bool v6 = strchr(host, ':') != NULL;

	snprintf(out, n, "%s://%s%s%s:%d", scheme, v6 ? "[" : "", host,
		 v6 ? "]" : "", port);
}

int base_listen_announce(const char *name, const char *prog, const char *url,
			 const char *ready_file)
{
	printf("%s listening on %s\n", name, url);
	fflush(stdout);
	if (ready_file && base_listen_write_ready_file(ready_file, url) != 0) {
		fprintf(stderr, "%s: cannot write ready file '%s'\n", prog,
			ready_file);
		return -1;
	}
	return 0;
}

void base_listen_block_signals(sigset_t *sigs)
{
	sigemptyset(sigs);
	sigaddset(sigs, SIGTERM);
	sigaddset(sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int base_listen_wait(const sigset_t *sigs)
{
	int sig;

	while (sigwait(sigs, &sig) != 0)
		;
	return sig;
}
