/* common.c - what sfbridge's subcommands share: data dir, valued flags. */
#include "bridge/cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/banned.h"

const char *sfb_data_dir(const char *flag_value)
{
	const char *env = getenv("SFBRIDGE_DATA");

	if (flag_value && *flag_value)
		return flag_value;
	if (env && *env)
		return env;
	return "./data";
}

bool sfb_cli_take_switch(const struct sfb_cli_switch *switches, size_t n,
			 void *opts, const char *arg)
{
	for (size_t k = 0; k < n; k++) {
		if (strcmp(arg, switches[k].flag) == 0) {
			*(bool *)((char *)opts + switches[k].off) = true;
			return true;
		}
	}
	return false;
}

int sfb_cli_take_value(const struct sfb_cli_flag *flags, size_t n, void *opts,
		       int argc, char **argv, int *i, const char *prog)
{
	const char *a = argv[*i];

	for (size_t k = 0; k < n; k++) {
		if (strcmp(a, flags[k].flag) != 0)
			continue;
		if (*i + 1 >= argc) {
			fprintf(stderr, "%s: %s needs a value\n", prog, a);
			return -1;
		}
		*(const char **)((char *)opts + flags[k].off) = argv[++*i];
		return 1;
	}
	return 0;
}
