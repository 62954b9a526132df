/* main.c - sfbridge: the Salesforce integration of a PRM app. */
#include <stdio.h>
#include <string.h>

#include "bridge/cli/cli.h"
#include "base/banned.h"

static const char usage[] =
	"usage: sfbridge <command> [options]\n"
	"\n"
	"commands:\n"
	"  sf login|query|describe|limits   talk to Salesforce through libsf\n"
	"\n"
	"Run 'sfbridge <command> --help' for a command's options.\n";

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? SFB_EXIT_USAGE : SFB_EXIT_OK;
	}
	if (!strcmp(argv[1], "sf"))
		return sfb_cli_sf(argc - 1, argv + 1);
	fprintf(stderr, "sfbridge: unknown command '%s'\n%s", argv[1], usage);
	return SFB_EXIT_USAGE;
}
