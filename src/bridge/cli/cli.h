/* cli.h - sfbridge's subcommands and the exit codes they share. */
#ifndef SFB_CLI_H
#define SFB_CLI_H

/*
 * Exit codes (a contract: scripts branch on them):
 *   0 ok, 1 other failure, 2 usage, 3 login refused (credential, policy,
 *   time window, password expired), 4 network or TLS, 5 throttled.
 */
enum sfb_exit {
	SFB_EXIT_OK = 0,
	SFB_EXIT_FAIL = 1,
	SFB_EXIT_USAGE = 2,
	SFB_EXIT_LOGIN = 3,
	SFB_EXIT_NETWORK = 4,
	SFB_EXIT_THROTTLE = 5,
};

/* `sfbridge sf ...`: a small command line over libsf, for diagnosis. */
int sfb_cli_sf(int argc, char **argv);

#endif
