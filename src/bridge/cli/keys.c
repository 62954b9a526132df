/* keys.c - `sfbridge keys rotate`: a new master key, every sealed value re-sealed under it. */
#include "bridge/cli/cli.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "bridge/creds/vault.h"
#include "bridge/store/store.h"
#include "base/banned.h"

static const char usage[] =
	"usage: sfbridge keys rotate [--data DIR] [--json]\n"
	"\n"
	"  rotate   make a new master key, re-seal every stored secret under "
	"it\n"
	"           in one transaction, then replace DIR/master.key; prints "
	"the\n"
	"           old and new key ids and how many values were re-sealed.\n"
	"           Stop every other sfbridge process using DIR first.\n"
	"\n"
	"options:\n"
	"  --data DIR   the data directory (default: $SFBRIDGE_DATA, else "
	"./data)\n"
	"  --json       JSON output\n"
	"\n"
	"With SFBRIDGE_MASTER_KEY set, rotation is refused: that key is "
	"yours.\n"
	"exit: 0 ok, 1 failed or a usage error\n";

struct opts {
	const char *cmd;
	const char *data;
	bool json;
};

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct sfb_cli_flag valued[] = {
		SFB_CLI_FLAG("--data", struct opts, data),
	};

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int took;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			return 1;
		}
		took = sfb_cli_take_value(valued, SFB_CLI_NFLAGS(valued), o,
					  argc, argv, &i, "sfbridge keys");
		if (took < 0)
			return -1;
		if (took)
			continue;
		if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "sfbridge keys: unknown option '%s'\n",
				a);
			return -1;
		} else if (!o->cmd) {
			o->cmd = a;
		} else {
			fprintf(stderr,
				"sfbridge keys: unexpected argument "
				"'%s'\n",
				a);
			return -1;
		}
	}
	if (!o->cmd) {
		fputs(usage, stderr);
		return -1;
	}
	if (strcmp(o->cmd, "rotate") != 0) {
		fprintf(stderr, "sfbridge keys: unknown command '%s'\n%s",
			o->cmd, usage);
		return -1;
	}
	return 0;
}

/* Prints v (and frees it); false when it couldn't be built (bad UTF-8). */
static bool print_json(json_t *v)
{
	if (!v)
		return false;
	json_dumpf(v, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(v);
	return true;
}

static int report_error(const struct opts *o, const struct base_err *err)
{
	if (!o->json || !print_json(json_pack("{s:{s:s, s:s}}", "error", "code",
					      base_code_name(err->code),
					      "message", err->msg)))
		fprintf(stderr, "sfbridge keys rotate: %s\n", err->msg);
	return SFB_EXIT_FAIL;
}

static int rotate(const struct opts *o)
{
	const char *dir = sfb_data_dir(o->data);
	struct base_err err = BASE_ERR_INIT;
	struct sfb_vault_rotation r;
	struct sfb_vault *v = NULL;
	struct sfb_store *s = NULL;
	int rc;

	rc = sfb_vault_open(dir, &v, &err);
	if (rc == 0)
		rc = sfb_store_open(dir, &s, &err);
	if (rc == 0)
		rc = sfb_vault_rotate_report(v, s, dir, &r, &err);
	sfb_store_close(s);
	sfb_vault_free(v);
	if (rc < 0)
		return report_error(o, &err);
	if (!o->json ||
	    !print_json(json_pack("{s:s, s:s, s:I, s:s+}", "oldKeyId",
				  r.old_key_id, "newKeyId", r.new_key_id,
				  "resealed", (json_int_t)r.resealed, "keyFile",
				  dir, "/master.key")))
		printf("master key rotated: %s -> %s, %lld value%s re-sealed\n"
		       "back up '%s/master.key' now: the old key opens "
		       "nothing any more\n",
		       r.old_key_id, r.new_key_id, r.resealed,
		       r.resealed == 1 ? "" : "s", dir);
	return SFB_EXIT_OK;
}

int sfb_cli_keys(int argc, char **argv)
{
	struct opts o = {0};
	int rc = parse(argc, argv, &o);

	if (rc != 0)
		return rc > 0 ? SFB_EXIT_OK : SFB_EXIT_USAGE;
	return rotate(&o);
}
