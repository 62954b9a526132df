/* common.c - what every sfbridge subcommand shares: the data directory. */
#include "bridge/cli/cli.h"

#include <stdlib.h>

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
