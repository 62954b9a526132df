/* integrations.c - `sfbridge integrations list`: the plug-and-play integrations, locked until the credentials are valid. */
#include "bridge/cli/cli.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge/creds/creds.h"
#include "base/banned.h"

static const char usage[] =
	"usage: sfbridge integrations list [--data DIR] [--json]\n"
	"\n"
	"Every integration, locked with the reason until the active Salesforce\n"
	"credentials are valid (no network call: the last validation decides).\n"
	"\n"
	"exit: 0 credentials valid (unlocked), 1 usage error, 2 locked,\n"
	"      3 the last validation could not reach Salesforce\n";

/* The keys are a contract (CLI, JSON API, UI). */
static const struct {
	const char *key, *name, *what;
} integrations[] = {
	{"deal_registration", "Deal Registration",
	 "partner deals to Salesforce Leads or Opportunities"},
	{"deal_import", "Deal Import",
	 "flagged Salesforce Opportunities to partner deals"},
	{"lead_distribution", "Lead Distribution",
	 "Salesforce Leads to partners, with their status back"},
	{"organization_sync", "Organization Sync",
	 "partner organizations and users with Accounts and Contacts"},
	{"referrals", "Referrals", "partner referrals to Salesforce Leads"},
};

/* Why everything is locked, or NULL when the credentials are valid. */
static const char *lock_reason(const struct sfb_creds_result *r, char *buf,
			       size_t n)
{
	const struct sfb_diag *e = sfb_diags_first_error(&r->diags);

	if (!r->active)
		return "No Salesforce credentials are saved: enter them "
		       "(sfbridge credentials set).";
	if (r->refused) {
		snprintf(buf, n,
			 "Salesforce refused the credentials (%s): fix the "
			 "cause, then save new ones or Test again.",
			 e ? sfb_diag_def(e->id)->code : "refused");
		return buf;
	}
	if (r->valid)
		return NULL;
	if (e) {
		snprintf(buf, n, "The credentials are not valid (%s: %s).",
			 sfb_diag_def(e->id)->code, sfb_diag_def(e->id)->title);
		return buf;
	}
	return "The credentials have not been validated yet (sfbridge "
	       "credentials test).";
}

int sfb_cli_integrations(int argc, char **argv)
{
	struct sfb_creds_result r;
	struct base_err err = BASE_ERR_INIT;
	struct sfb_creds *c = NULL;
	const char *data = NULL, *reason;
	bool json = false, list = false;
	char buf[512];
	json_t *v, *arr;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return SFB_EXIT_OK;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--data") && i + 1 < argc) {
			data = argv[++i];
		} else if (!strcmp(argv[i], "list") && !list) {
			list = true;
		} else {
			fprintf(stderr, "sfbridge integrations: unexpected '%s'\n%s",
				argv[i], usage);
			return SFB_EXIT_USAGE;
		}
	}
	if (!list) {
		fputs(usage, stderr);
		return SFB_EXIT_USAGE;
	}
	if (sfb_creds_open(sfb_data_dir(data), &c, &err) != 0) {
		fprintf(stderr, "sfbridge integrations list: %s\n", err.msg);
		return SFB_EXIT_FAIL;
	}
	rc = sfb_creds_show(c, &r, &err);
	sfb_creds_close(c);
	if (rc < 0) {
		fprintf(stderr, "sfbridge integrations list: %s\n", err.msg);
		sfb_creds_result_release(&r);
		return SFB_EXIT_FAIL;
	}
	reason = lock_reason(&r, buf, sizeof(buf));
	if (json) {
		v = sfb_creds_result_json(&r);
		arr = json_array();
		for (size_t i = 0; i < sizeof(integrations) / sizeof(integrations[0]); i++)
			json_array_append_new(
				arr, json_pack("{s:s, s:s, s:b, s:s?}", "key",
					       integrations[i].key, "name",
					       integrations[i].name, "locked",
					       reason != NULL, "reason",
					       reason));
		json_object_set_new(v, "integrations", arr);
		json_dumpf(v, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(v);
	} else {
		printf("Salesforce integrations%s\n",
		       reason ? " (locked)" : "");
		if (reason)
			printf("  %s\n", reason);
		else
			printf("  Connected as %s to %s.\n", r.facts.username,
			       r.facts.org_name[0] ? r.facts.org_name
						   : r.facts.org_id);
		printf("\n");
		for (size_t i = 0; i < sizeof(integrations) / sizeof(integrations[0]); i++)
			printf("  %-20s %-9s %s\n", integrations[i].name,
			       reason ? "locked" : "available",
			       integrations[i].what);
	}
	rc = sfb_creds_result_exit(&r);
	sfb_creds_result_release(&r);
	return rc;
}
