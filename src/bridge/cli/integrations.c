/* integrations.c - `sfbridge integrations list|enable|disable`: the plug-and-play integrations, locked until the credentials are valid. */
#include "bridge/cli/cli.h"

#include <jansson.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/datetime.h"
#include "bridge/creds/creds.h"
#include "bridge/integrations/integrations.h"
#include "bridge/store/store.h"
#include "base/banned.h"

static const char usage[] =
	"usage: sfbridge integrations list [--data DIR] [--json]\n"
	"       sfbridge integrations enable|disable NAME [--data DIR] [--json]\n"
	"\n"
	"list: every integration, whether it is switched on, and locked with the\n"
	"reason until the active Salesforce credentials are valid (no network\n"
	"call: the last validation decides).\n"
	"enable, disable: switch one on or off (NAME as `list --json` shows it,\n"
	"e.g. deal_registration). Switching on needs valid credentials; switching\n"
	"off is always allowed.\n"
	"\n"
	"exit: 0 ok (list: credentials valid, unlocked), 1 usage error,\n"
	"      2 locked, 3 the last validation could not reach Salesforce\n";

/* What the command needs: the credentials' state and the store. */
struct state {
	struct sfb_creds_result r;
	struct sfb_store *store;
	const char *ws;
	const char *reason; /* NULL: unlocked */
	char buf[512];
};

static int load(const char *data, struct state *s, struct base_err *err)
{
	struct sfb_creds *c = NULL;
	int rc;

	sfb_creds_result_init(&s->r);
	rc = sfb_workspace_get(&s->ws, err);
	if (rc == 0)
		rc = sfb_creds_open(data, &c, err);
	if (rc == 0)
		rc = sfb_creds_show(c, &s->r, err);
	sfb_creds_close(c);
	if (rc == 0)
		rc = sfb_store_open(data, &s->store, err);
	if (rc < 0)
		return rc;
	s->reason = sfb_integrations_lock_reason(&s->r, s->buf, sizeof(s->buf));
	return 0;
}

static void release(struct state *s)
{
	sfb_creds_result_release(&s->r);
	sfb_store_close(s->store);
}

static json_t *item_json(const struct sfb_integration_def *d,
			 const struct sfb_integration_state *in,
			 const char *reason)
{
	char when[40] = "";

	if (in->changed_ms > 0)
		base_time_format_iso(in->changed_ms, when, sizeof(when));
	return json_pack("{s:s, s:s, s:b, s:b, s:s?, s:s?, s:s?}", "key", d->key,
			 "name", d->name, "enabled", in->enabled, "locked",
			 reason != NULL, "reason", reason, "changedAt",
			 when[0] ? when : NULL, "changedBy",
			 in->changed_by[0] ? in->changed_by : NULL);
}

static int list(struct state *s, bool json, struct base_err *err)
{
	struct sfb_integration_state in[16];
	json_t *v, *arr;

	for (int i = 0; i < sfb_n_integrations; i++)
		if (sfb_integration_get(sfb_store_db(s->store), s->ws,
					sfb_integrations[i].key, &in[i],
					err) != 0)
			return BASE_ERR;
	if (json) {
		v = sfb_creds_result_json(&s->r);
		arr = json_array();
		for (int i = 0; i < sfb_n_integrations; i++)
			json_array_append_new(arr,
					      item_json(&sfb_integrations[i],
							&in[i], s->reason));
		json_object_set_new(v, "integrations", arr);
		json_dumpf(v, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(v);
		return 0;
	}
	printf("Salesforce integrations%s\n", s->reason ? " (locked)" : "");
	if (s->reason)
		printf("  %s\n", s->reason);
	else
		printf("  Connected as %s to %s.\n", s->r.facts.username,
		       s->r.facts.org_name[0] ? s->r.facts.org_name
					      : s->r.facts.org_id);
	printf("\n");
	for (int i = 0; i < sfb_n_integrations; i++)
		printf("  %-20s %-9s %s\n", sfb_integrations[i].name,
		       s->reason ? "locked" : in[i].enabled ? "on" : "off",
		       sfb_integrations[i].about);
	return 0;
}

/* "cli:USER": who switched it, for the audit. */
static void who(char *out, size_t n)
{
	const struct passwd *pw = getpwuid(getuid());

	snprintf(out, n, "cli:%s", pw && pw->pw_name ? pw->pw_name : "unknown");
}

static int set(struct state *s, const char *name, bool enabled, bool json)
{
	struct base_err err = BASE_ERR_INIT;
	struct sfb_integration_state in;
	char by[300];

	who(by, sizeof(by));
	if (sfb_integration_set(sfb_store_db(s->store), s->ws, name, enabled,
				s->reason, by, base_time_now_ms(), &err) != 0) {
		fprintf(stderr, "sfbridge integrations %s: %s\n",
			enabled ? "enable" : "disable", err.msg);
		return err.code == BASE_EINVAL ? SFB_EXIT_REFUSED
		       : err.code == BASE_ENOTFOUND ? SFB_EXIT_USAGE
						     : SFB_EXIT_FAIL;
	}
	if (sfb_integration_get(sfb_store_db(s->store), s->ws, name, &in,
				&err) != 0) {
		fprintf(stderr, "sfbridge integrations: %s\n", err.msg);
		return SFB_EXIT_FAIL;
	}
	if (json) {
		json_t *v = item_json(sfb_integration_find(name), &in, s->reason);

		json_dumpf(v, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(v);
	} else {
		printf("%s is %s.\n", sfb_integration_find(name)->name,
		       in.enabled ? "on" : "off");
	}
	return SFB_EXIT_OK;
}

int sfb_cli_integrations(int argc, char **argv)
{
	struct base_err err = BASE_ERR_INIT;
	struct state s;
	const char *data = NULL, *verb = NULL, *name = NULL;
	bool json = false;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return SFB_EXIT_OK;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--data") && i + 1 < argc) {
			data = argv[++i];
		} else if (!verb && (!strcmp(argv[i], "list") ||
				     !strcmp(argv[i], "enable") ||
				     !strcmp(argv[i], "disable"))) {
			verb = argv[i];
		} else if (verb && strcmp(verb, "list") != 0 && !name &&
			   argv[i][0] != '-') {
			name = argv[i];
		} else {
			fprintf(stderr, "sfbridge integrations: unexpected '%s'\n%s",
				argv[i], usage);
			return SFB_EXIT_USAGE;
		}
	}
	if (!verb || (strcmp(verb, "list") != 0 && !name)) {
		fputs(usage, stderr);
		return SFB_EXIT_USAGE;
	}
	if (name && !sfb_integration_find(name)) {
		fprintf(stderr, "sfbridge integrations: no integration named "
				"'%s' (see `sfbridge integrations list`)\n",
			name);
		return SFB_EXIT_USAGE;
	}
	if (load(sfb_data_dir(data), &s, &err) != 0) {
		fprintf(stderr, "sfbridge integrations: %s\n", err.msg);
		release(&s);
		return SFB_EXIT_FAIL;
	}
	if (!strcmp(verb, "list")) {
		rc = list(&s, json, &err);
		if (rc != 0)
			fprintf(stderr, "sfbridge integrations list: %s\n",
				err.msg);
		rc = rc != 0 ? SFB_EXIT_FAIL : sfb_creds_result_exit(&s.r);
	} else {
		rc = set(&s, name, !strcmp(verb, "enable"), json);
	}
	release(&s);
	return rc;
}
