/* listen.h - a server's plumbing: HOST:PORT, the ready file, stop signals. */
#ifndef BASE_LISTEN_H
#define BASE_LISTEN_H

#include <signal.h>
#include <stddef.h>

/* The options every server command takes. */
struct base_listen_args {
	const char *listen;     /* --listen HOST:PORT */
	const char *data_dir;   /* --data DIR */
	const char *ready_file; /* --ready-file PATH */
	int threads;            /* --threads N, 1 to 64 */
};

enum base_listen_flags {
	BASE_LISTEN_EMPTY_PORT_OK = 1 << 0, /* "host:" means port 0 */
};

/*
 * Takes option `a` with its value `next` when it is --listen, --data,
 * --ready-file, --threads or --log-level (which sets the log level).
 * Returns 1 when it took it, 0 when `a` is another option, and -1 after
 * printing "<prog>: <why>" to stderr when the value is bad. The strings are
 * borrowed from argv.
 */
int base_listen_parse_arg(struct base_listen_args *o, const char *prog,
			  const char *a, const char *next);
/*
 * Splits "HOST:PORT" or "[V6]:PORT" into host (a buffer of n bytes) and a
 * port of 0 to 65535. Returns 0, or -1 when it is not of that shape.
 */
int base_listen_split(const char *listen, unsigned flags, char *host, size_t n,
		      int *port);
/*
 * Writes "url\n" to path whole (a temp file, then rename), so a reader never
 * sees half a URL. Returns 0 or -1.
 */
int base_listen_write_ready_file(const char *path, const char *url);
/*
 * "scheme://host:port" in out (n bytes), with an IPv6 host in brackets.
 */
void base_listen_format_url(char *out, size_t n, const char *scheme,
			    const char *host, int port);
/*
 * Says "<name> listening on <url>" on stdout, then writes the ready file
 * when ready_file is set. 0, or -1 after "<prog>: cannot write ready file
 * '<path>'" on stderr.
 */
int base_listen_announce(const char *name, const char *prog, const char *url,
			 const char *ready_file);
/*
 * Blocks SIGTERM and SIGINT (they are put in *sigs) in the calling thread,
 * and ignores SIGPIPE. Call it before any thread starts, so that every
 * thread inherits the mask and base_listen_wait() alone receives them.
 */
void base_listen_block_signals(sigset_t *sigs);
/* Waits for one of *sigs; returns its number. */
int base_listen_wait(const sigset_t *sigs);

#endif
