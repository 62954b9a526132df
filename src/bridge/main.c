/* main.c - sfbridge: the Salesforce integration of a PRM app. */
#include <stdio.h>
#include <string.h>

#include "base/jsonmem.h"
#include "bridge/cli/cli.h"
#include "base/banned.h"

static const char usage[] =
	"usage: sfbridge <command> [options]\n"
	"\n"
	"commands:\n"
	"  credentials set|test|show|clear  the Salesforce integration user's credentials\n"
	"  integrations list|enable|disable the integrations, locked until credentials are valid\n"
	"  sf login|query|describe|limits   talk to Salesforce through libsf\n"
	"  keys rotate                      a new master key; stored secrets re-sealed\n"
	"  serve                            the web console and JSON API\n"
	"  admin create|set-password|token  console admins and API tokens\n"
	"\n"
	"Run 'sfbridge <command> --help' for a command's options.\n";

int main(int argc, char **argv)
{
	/* Secrets pass through JSON (API bodies, OAuth replies): wipe it. */
	base_jsonmem_wipe_on_free();
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? SFB_EXIT_USAGE : SFB_EXIT_OK;
	}
	if (!strcmp(argv[1], "credentials"))
		return sfb_cli_credentials(argc - 1, argv + 1);
	if (!strcmp(argv[1], "integrations"))
		return sfb_cli_integrations(argc - 1, argv + 1);
	if (!strcmp(argv[1], "sf"))
		return sfb_cli_sf(argc - 1, argv + 1);
	if (!strcmp(argv[1], "keys"))
		return sfb_cli_keys(argc - 1, argv + 1);
	if (!strcmp(argv[1], "serve"))
		return sfb_cli_serve(argc - 1, argv + 1);
	if (!strcmp(argv[1], "admin"))
		return sfb_cli_admin(argc - 1, argv + 1);
	fprintf(stderr, "sfbridge: unknown command '%s'\n%s", argv[1], usage);
	return SFB_EXIT_USAGE;
}
