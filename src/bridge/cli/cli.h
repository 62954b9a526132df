/* cli.h - sfbridge's subcommands and the exit codes they share. */
#ifndef SFB_CLI_H
#define SFB_CLI_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Exit codes (a contract: scripts branch on them; issue 5):
 *   0 ok (credentials valid), 1 usage error or sfbridge's own failure,
 *   2 refused (Salesforce or a local check refused the credentials or the
 *   org's setup), 3 unavailable (network, TLS, throttled, Salesforce 5xx:
 *   try again later).
 */
enum sfb_exit {
	SFB_EXIT_OK = 0,
	SFB_EXIT_FAIL = 1,
	SFB_EXIT_USAGE = 1,
	SFB_EXIT_REFUSED = 2,
	SFB_EXIT_UNAVAILABLE = 3,
};

/* `sfbridge sf ...`: a small command line over libsf, for diagnosis. */
int sfb_cli_sf(int argc, char **argv);
/* `sfbridge keys rotate`: a new master key, every sealed value re-sealed. */
int sfb_cli_keys(int argc, char **argv);

/*
 * The data directory every command works in: the --data flag's value if
 * given (non-empty), else SFBRIDGE_DATA if set (non-empty), else "./data".
 * Borrowed (argv, the environment or a static).
 */
const char *sfb_data_dir(const char *flag_value);

/*
 * A flag that takes a value, stored in the `const char *` member at `off`
 * of a command's options struct: SFB_CLI_FLAG("--data", struct opts, data).
 */
struct sfb_cli_flag {
	const char *flag;
	size_t off;
};
#define SFB_CLI_FLAG(f, type, member) {f, offsetof(type, member)}
#define SFB_CLI_NFLAGS(table) (sizeof(table) / sizeof((table)[0]))

/*
 * A flag that takes no value and sets the `bool` member at `off`:
 * SFB_CLI_SWITCH("--json", struct opts, json).
 */
struct sfb_cli_switch {
	const char *flag;
	size_t off;
};
#define SFB_CLI_SWITCH(f, type, member) {f, offsetof(type, member)}

/* If arg is one of the n switches, sets it in opts: true. Else false. */
bool sfb_cli_take_switch(const struct sfb_cli_switch *switches, size_t n,
			 void *opts, const char *arg);

/*
 * If argv[*i] is one of the n flags, stores the next argument (borrowed
 * from argv) in opts and moves *i onto it: 1. 0 when argv[*i] is none of
 * them. -1 when the value is missing, after "PROG: FLAG needs a value" on
 * stderr.
 */
int sfb_cli_take_value(const struct sfb_cli_flag *flags, size_t n, void *opts,
		       int argc, char **argv, int *i, const char *prog);

/* `sfbridge credentials set|test|show|clear` (src/bridge/creds/). */
int sfb_cli_credentials(int argc, char **argv);
/* `sfbridge integrations list`: locked until the credentials are valid. */
int sfb_cli_integrations(int argc, char **argv);

/* `sfbridge serve`: the web console and JSON API (src/bridge/web/). */
int sfb_cli_serve(int argc, char **argv);
/* `sfbridge admin create|set-password|token create`: console admins. */
int sfb_cli_admin(int argc, char **argv);

#endif
