/* admin.c - `sfbridge admin`: console admin accounts and their personal API tokens. */
#include "bridge/cli/cli.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/datetime.h"
#include "base/err.h"
#include "bridge/store/store.h"
#include "bridge/web/auth.h"
#include "base/banned.h"

static const char usage[] =
	"usage: sfbridge admin create --email E [--password-file F] [--data DIR]\n"
	"       sfbridge admin set-password --email E [--password-file F] [--data DIR]\n"
	"       sfbridge admin token create --email E [--name N] [--data DIR]\n"
	"       sfbridge admin token list --email E [--json] [--data DIR]\n"
	"       sfbridge admin token revoke --email E --prefix sfb_XXXXXX [--data DIR]\n"
	"\n"
	"  create         a web console admin; the password comes from F (its\n"
	"                 first line; '-' reads standard input) or, without\n"
	"                 --password-file, from a prompt that doesn't echo.\n"
	"                 At least 12 characters.\n"
	"  set-password   a new password for an admin; signs out their sessions\n"
	"  token create   a personal API token for the JSON API, printed once:\n"
	"                 only its hash is stored, so keep it somewhere safe\n"
	"  token list     the admin's tokens: name, prefix, created, last used,\n"
	"                 revoked (never the token)\n"
	"  token revoke   revoke the active token with that prefix (as listed);\n"
	"                 calls with it get 401 from then on\n"
	"\n"
	"  --data DIR     the data directory (default: $SFBRIDGE_DATA, else ./data)\n"
	"  SFBRIDGE_WORKSPACE picks the workspace (default: \"default\").\n"
	"\n"
	"exit: 0 ok, 1 failed (the message says why: a weak password, a bad email,\n"
	"      an admin that exists or doesn't, a usage error)\n";

struct opts {
	const char *cmd, *sub;
	const char *email, *password_file, *name, *data, *prefix;
	bool json;
};

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct sfb_cli_flag valued[] = {
		SFB_CLI_FLAG("--email", struct opts, email),
		SFB_CLI_FLAG("--password-file", struct opts, password_file),
		SFB_CLI_FLAG("--name", struct opts, name),
		SFB_CLI_FLAG("--data", struct opts, data),
		SFB_CLI_FLAG("--prefix", struct opts, prefix),
	};

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int took;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			exit(SFB_EXIT_OK);
		}
		if (!strcmp(a, "--json")) {
			o->json = true;
			continue;
		}
		took = sfb_cli_take_value(valued, SFB_CLI_NFLAGS(valued), o,
					  argc, argv, &i, "sfbridge admin");
		if (took < 0)
			return -1;
		if (took)
			continue;
		if (a[0] == '-' && a[1]) {
			fprintf(stderr, "sfbridge admin: unknown option '%s'\n",
				a);
			return -1;
		} else if (!o->cmd) {
			o->cmd = a;
		} else if (!o->sub) {
			o->sub = a;
		} else {
			fprintf(stderr, "sfbridge admin: unexpected argument "
					"'%s'\n",
				a);
			return -1;
		}
	}
	if (!o->cmd) {
		fputs(usage, stderr);
		return -1;
	}
	if (!o->email) {
		fprintf(stderr, "sfbridge admin: --email is required\n");
		return -1;
	}
	return 0;
}

/* Reads one line (without its line ending) from f into a secret buffer. */
static int read_line(FILE *f, struct base_buf *out)
{
	int ch;

	while ((ch = getc(f)) != EOF && ch != '\n')
		base_buf_putc(out, (char)ch);
	if (out->len > 0 && out->data[out->len - 1] == '\r')
		out->data[--out->len] = '\0';
	return base_buf_err(out) ? -1 : 0;
}

static int password_from_file(const char *path, struct base_buf *out)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	int rc;

	if (!f) {
		struct base_err err = BASE_ERR_INIT;

		base_err_set_errno(&err, BASE_ERR, "cannot open '%s'", path);
		fprintf(stderr, "sfbridge admin: %s\n", err.msg);
		return -1;
	}
	rc = read_line(f, out);
	if (f != stdin)
		fclose(f);
	if (rc != 0)
		fprintf(stderr, "sfbridge admin: the password in '%s' is too "
				"long\n",
			path);
	return rc;
}

/* Prompts on the terminal with echo off. */
static int prompt_hidden(const char *prompt, struct base_buf *out)
{
	struct termios old, quiet;
	FILE *tty = fopen("/dev/tty", "r+");
	int rc;

	if (!tty) {
		fprintf(stderr, "sfbridge admin: no terminal to ask for the "
				"password on: use --password-file F (or - for "
				"standard input)\n");
		return -1;
	}
	fputs(prompt, tty);
	fflush(tty);
	if (tcgetattr(fileno(tty), &old) != 0) {
		fclose(tty);
		return -1;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	rc = read_line(tty, out);
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fclose(tty);
	return rc;
}

/* The new password: from --password-file, or asked twice on the terminal. */
static int new_password(const struct opts *o, struct base_buf *pw)
{
	struct base_buf again = BASE_BUF_SECRET_INIT(SFB_AUTH_MAX_PASSWORD + 1);
	struct base_err err = BASE_ERR_INIT;
	int rc = -1;

	if (o->password_file) {
		if (password_from_file(o->password_file, pw) != 0)
			goto out;
	} else {
		if (prompt_hidden("New admin password: ", pw) != 0)
			goto out;
		if (sfb_auth_check_password_policy(base_buf_str(pw), pw->len,
						   &err) != 0) {
			fprintf(stderr, "sfbridge admin: %s\n", err.msg);
			rc = -2;
			goto out;
		}
		if (prompt_hidden("Repeat it: ", &again) != 0)
			goto out;
		if (again.len != pw->len || memcmp(again.data, pw->data, pw->len)) {
			fprintf(stderr, "sfbridge admin: the passwords differ; "
					"nothing was changed\n");
			rc = -2;
			goto out;
		}
	}
	if (sfb_auth_check_password_policy(base_buf_str(pw), pw->len, &err) !=
	    0) {
		fprintf(stderr, "sfbridge admin: %s\n", err.msg);
		rc = -2;
		goto out;
	}
	rc = 0;
out:
	base_buf_release(&again);
	return rc;
}

static int open_store(const struct opts *o, struct sfb_store **s,
		      const char **ws)
{
	struct base_err err = BASE_ERR_INIT;

	if (sfb_workspace_get(ws, &err) != 0 || sfb_auth_init(&err) != 0 ||
	    sfb_store_open(sfb_data_dir(o->data), s, &err) != 0) {
		fprintf(stderr, "sfbridge admin: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int cmd_create(const struct opts *o, bool update)
{
	struct base_buf pw = BASE_BUF_SECRET_INIT(SFB_AUTH_MAX_PASSWORD + 1);
	struct base_err err = BASE_ERR_INIT;
	char email[SFB_AUTH_MAX_EMAIL + 1];
	struct sfb_store *s = NULL;
	struct sfb_admin a;
	const char *ws;
	int rc = SFB_EXIT_FAIL, r;

	if (sfb_auth_normalize_email(o->email, email, sizeof(email), &err) != 0) {
		fprintf(stderr, "sfbridge admin: %s\n", err.msg);
		return SFB_EXIT_USAGE;
	}
	if (open_store(o, &s, &ws) != 0)
		goto out;
	if (!update && sfb_auth_admin_find(sfb_store_db(s), ws, email, &a,
					   NULL) == 0) {
		fprintf(stderr, "sfbridge admin: an admin '%s' already exists "
				"in workspace '%s' (use set-password to change "
				"the password)\n",
			email, ws);
		goto out;
	}
	r = new_password(o, &pw);
	if (r != 0) {
		rc = r == -2 ? SFB_EXIT_USAGE : SFB_EXIT_FAIL;
		goto out;
	}
	if (update)
		r = sfb_auth_admin_set_password(sfb_store_db(s), ws, email,
						base_buf_str(&pw), pw.len, &err);
	else
		r = sfb_auth_admin_create(sfb_store_db(s), ws, email,
					  base_buf_str(&pw), pw.len, &a, &err);
	if (r != 0) {
		fprintf(stderr, "sfbridge admin: %s\n", err.msg);
		rc = r == BASE_EINVAL ? SFB_EXIT_USAGE : SFB_EXIT_FAIL;
		goto out;
	}
	printf(update ? "password changed for admin %s (workspace %s); their "
			"sessions were signed out\n"
		      : "admin %s created (workspace %s)\n",
	       email, ws);
	rc = SFB_EXIT_OK;
out:
	base_buf_release(&pw);
	sfb_store_close(s);
	return rc;
}

/* The store and the admin --email names; messages printed on failure. */
static int find_admin(const struct opts *o, struct sfb_store **s,
		      const char **ws, struct sfb_admin *a)
{
	struct base_err err = BASE_ERR_INIT;
	char email[SFB_AUTH_MAX_EMAIL + 1];

	if (sfb_auth_normalize_email(o->email, email, sizeof(email), &err) != 0) {
		fprintf(stderr, "sfbridge admin: %s\n", err.msg);
		return SFB_EXIT_USAGE;
	}
	if (open_store(o, s, ws) != 0)
		return SFB_EXIT_FAIL;
	if (sfb_auth_admin_find(sfb_store_db(*s), *ws, email, a, &err) != 0) {
		fprintf(stderr, "sfbridge admin: no admin '%s' in workspace "
				"'%s'\n",
			email, *ws);
		return SFB_EXIT_FAIL;
	}
	return SFB_EXIT_OK;
}

static int cmd_token_create(const struct opts *o)
{
	struct base_err err = BASE_ERR_INIT;
	char token[SFB_AUTH_TOKEN_LEN];
	struct sfb_store *s = NULL;
	struct sfb_admin a;
	const char *ws;
	const char *name = o->name && *o->name ? o->name : "cli";
	int rc;

	if (strlen(name) > 100) {
		fprintf(stderr, "sfbridge admin: --name is at most 100 "
				"characters\n");
		return SFB_EXIT_USAGE;
	}
	rc = find_admin(o, &s, &ws, &a);
	if (rc != SFB_EXIT_OK)
		goto out;
	rc = SFB_EXIT_FAIL;
	if (sfb_auth_token_create(sfb_store_db(s), ws, a.id, name,
				  base_time_now_ms(), token, &err) != 0) {
		fprintf(stderr, "sfbridge admin: %s\n", err.msg);
		goto out;
	}
	/* The token alone on stdout, so `$(sfbridge admin token create ...)`
	 * captures it; the advice goes to stderr. */
	printf("%s\n", token);
	fflush(stdout);
	fprintf(stderr, "API token '%s' for %s created. It is shown only "
			"now: store it safely. Use it as 'Authorization: "
			"Bearer <token>'.\n",
		name, a.email);
	explicit_bzero(token, sizeof(token));
	rc = SFB_EXIT_OK;
out:
	sfb_store_close(s);
	return rc;
}

static int cmd_token_list(const struct opts *o)
{
	struct base_err err = BASE_ERR_INIT;
	struct sfb_store *s = NULL;
	struct sfb_admin a;
	json_t *list = NULL, *t;
	const char *ws;
	size_t i;
	int rc = find_admin(o, &s, &ws, &a);

	if (rc != SFB_EXIT_OK)
		goto out;
	if (sfb_auth_token_list(sfb_store_db(s), ws, a.id, &list, &err) != 0) {
		fprintf(stderr, "sfbridge admin: %s\n", err.msg);
		rc = SFB_EXIT_FAIL;
		goto out;
	}
	if (o->json) {
		json_dumpf(list, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		goto out;
	}
	if (json_array_size(list) == 0)
		printf("%s has no API tokens\n", a.email);
	else
		printf("%-12s %-24s %-24s %-24s %s\n", "PREFIX", "CREATED",
		       "LAST USED", "REVOKED", "NAME");
	json_array_foreach(list, i, t) {
		const char *last = json_string_value(json_object_get(t, "lastUsedAt"));
		const char *rev = json_string_value(json_object_get(t, "revokedAt"));

		printf("%-12s %-24s %-24s %-24s %s\n",
		       json_string_value(json_object_get(t, "prefix")),
		       json_string_value(json_object_get(t, "createdAt")),
		       last ? last : "never", rev ? rev : "-",
		       json_string_value(json_object_get(t, "name")));
	}
out:
	json_decref(list);
	sfb_store_close(s);
	return rc;
}

static int cmd_token_revoke(const struct opts *o)
{
	struct base_err err = BASE_ERR_INIT;
	struct sfb_store *s = NULL;
	struct sfb_admin a;
	const char *ws;
	int rc;

	if (!o->prefix || !*o->prefix) {
		fprintf(stderr, "sfbridge admin: token revoke needs --prefix "
				"(see sfbridge admin token list)\n");
		return SFB_EXIT_USAGE;
	}
	rc = find_admin(o, &s, &ws, &a);
	if (rc != SFB_EXIT_OK)
		goto out;
	if (sfb_auth_token_revoke(sfb_store_db(s), ws, a.id, o->prefix,
				  base_time_now_ms(), &err) != 0) {
		fprintf(stderr, "sfbridge admin: %s\n", err.msg);
		rc = SFB_EXIT_FAIL;
		goto out;
	}
	printf("token %s of %s revoked\n", o->prefix, a.email);
out:
	sfb_store_close(s);
	return rc;
}

int sfb_cli_admin(int argc, char **argv)
{
	struct opts o = {0};

	if (parse(argc, argv, &o) != 0)
		return SFB_EXIT_USAGE;
	if (!strcmp(o.cmd, "create") && !o.sub)
		return cmd_create(&o, false);
	if (!strcmp(o.cmd, "set-password") && !o.sub)
		return cmd_create(&o, true);
	if (!strcmp(o.cmd, "token") && o.sub && !strcmp(o.sub, "create"))
		return cmd_token_create(&o);
	if (!strcmp(o.cmd, "token") && o.sub && !strcmp(o.sub, "list"))
		return cmd_token_list(&o);
	if (!strcmp(o.cmd, "token") && o.sub && !strcmp(o.sub, "revoke"))
		return cmd_token_revoke(&o);
	fprintf(stderr, "sfbridge admin: unknown command '%s%s%s'\n%s", o.cmd,
		o.sub ? " " : "", o.sub ? o.sub : "", usage);
	return SFB_EXIT_USAGE;
}
