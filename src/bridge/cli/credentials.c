/* credentials.c - `sfbridge credentials set|test|show|clear`: Save = validate, from the command line. */
#include "bridge/cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/datetime.h"
#include "base/log.h"
#include "bridge/creds/creds.h"
#include "sf/error.h"
#include "sf/secret.h"
#include "base/banned.h"

static const char usage[] =
	"usage: sfbridge credentials <set|test|show|clear> [options]\n"
	"\n"
	"  sfbridge credentials set [--method password|client_credentials|jwt]\n"
	"        [--login production|sandbox|mydomain:NAME|URL] [--username U]\n"
	"        [--password-file F | --password-stdin] [--token-file F]\n"
	"        [--consumer-key K] [--consumer-secret-file F]\n"
	"        [--private-key-file F]\n"
	"      Save = validate: local checks, then exactly one login and the\n"
	"      preflight; on success these become the active credentials, on\n"
	"      failure the active ones stay. A secret never goes on the command\n"
	"      line: files, standard input, or a hidden prompt on a terminal.\n"
	"  sfbridge credentials test [--again]\n"
	"      One login and the preflight with the active credentials. After\n"
	"      Salesforce refused them, nothing logs in with them until new ones\n"
	"      are saved or --again (\"Test again\") asks for one attempt.\n"
	"  sfbridge credentials show      the active credentials (secrets: set or not set)\n"
	"  sfbridge credentials clear     retire them and delete every stored secret\n"
	"\n"
	"common options:\n"
	"  --data DIR     the store and key (default: $SFBRIDGE_DATA, else ./data)\n"
	"  --json         print one JSON object\n"
	"\n"
	"--login: production (login.salesforce.com), sandbox (test.salesforce.com),\n"
	"mydomain:NAME (NAME.my.salesforce.com; NAME--BOX for a sandbox), or an\n"
	"https URL on a Salesforce host. Plain http only for a loopback address\n"
	"written out as a URL (http://127.0.0.1:PORT, a local sfemu).\n"
	"\n"
	"exit: 0 valid, 1 usage error, 2 refused, 3 network or Salesforce unavailable\n";

struct opts {
	const char *cmd;
	const char *data, *method, *login, *username, *consumer_key;
	const char *password_file, *token_file, *consumer_secret_file;
	const char *private_key_file;
	bool password_stdin, json, again;
};

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct sfb_cli_flag valued[] = {
#define V(f, m) SFB_CLI_FLAG(f, struct opts, m)
		V("--data", data), V("--method", method), V("--login", login),
		V("--username", username), V("--consumer-key", consumer_key),
		V("--password-file", password_file),
		V("--token-file", token_file),
		V("--consumer-secret-file", consumer_secret_file),
		V("--private-key-file", private_key_file),
#undef V
	};
	static const struct sfb_cli_switch switches[] = {
		SFB_CLI_SWITCH("--json", struct opts, json),
		SFB_CLI_SWITCH("--again", struct opts, again),
		SFB_CLI_SWITCH("--password-stdin", struct opts, password_stdin),
	};

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int took;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			exit(SFB_EXIT_OK);
		}
		if (sfb_cli_take_switch(switches, SFB_CLI_NFLAGS(switches), o,
					a))
			continue;
		took = sfb_cli_take_value(valued, SFB_CLI_NFLAGS(valued), o,
					  argc, argv, &i,
					  "sfbridge credentials");
		if (took < 0)
			return -1;
		if (took)
			continue;
		if (a[0] == '-' && a[1]) {
			fprintf(stderr,
				"sfbridge credentials: unknown option '%s'%s\n",
				a,
				strstr(a, "password") || strstr(a, "token") ||
						strstr(a, "secret")
					? " (secrets come from files, standard "
					  "input or a prompt, never the command "
					  "line)"
					: "");
			return -1;
		}
		if (o->cmd) {
			fprintf(stderr,
				"sfbridge credentials: unexpected argument "
				"'%s'\n",
				a);
			return -1;
		}
		o->cmd = a;
	}
	if (!o->cmd) {
		fputs(usage, stderr);
		return -1;
	}
	return 0;
}

/* Only the options that make sense for the command. */
static int check_options(const struct opts *o)
{
	bool set = !strcmp(o->cmd, "set");
	bool any_set = o->method || o->login || o->username ||
		       o->consumer_key || o->password_file || o->token_file ||
		       o->consumer_secret_file || o->private_key_file ||
		       o->password_stdin;

	if (!set && any_set) {
		fprintf(stderr,
			"sfbridge credentials %s: the credentials' options "
			"belong to 'set'\n",
			o->cmd);
		return -1;
	}
	if (o->again && strcmp(o->cmd, "test") != 0) {
		fprintf(stderr, "sfbridge credentials: --again belongs to 'test'\n");
		return -1;
	}
	if (o->password_stdin && o->password_file) {
		fprintf(stderr, "sfbridge credentials set: --password-file or "
				"--password-stdin, not both\n");
		return -1;
	}
	return 0;
}

static void log_setup(void)
{
	const char *lvl = getenv("SFBRIDGE_LOG_LEVEL");
	int l = lvl ? base_log_parse_level(lvl) : -1;

	/* The command's output is the report; the log only says more when
	 * asked (its lines are redacted: no secret ever reaches them). */
	base_log_set_level(l >= 0 ? (enum base_log_level)l : BASE_LOG_ERROR);
}

/* ---- secrets from files, stdin or a prompt ---- */

static int read_line(int fd, struct base_buf *b)
{
	char ch;
	ssize_t n;

	while ((n = read(fd, &ch, 1)) == 1 && ch != '\n')
		base_buf_putc(b, ch);
	if (n < 0)
		return -1;
	return base_buf_err(b) ? -1 : 0;
}

/* One line from stdin, without its newline. */
static int secret_from_stdin(struct sf_secret **out)
{
	struct base_buf b = BASE_BUF_SECRET_INIT(64 * 1024);
	int rc = read_line(STDIN_FILENO, &b);

	*out = rc == 0 && b.len ? sf_secret_new(b.data, b.len) : NULL;
	base_buf_release(&b);
	return rc;
}

/*
 * A hidden prompt on the terminal (termios, echo off), only when standard
 * input is one. Returns 0 with *out NULL when there is no terminal or the
 * answer is empty.
 */
static int prompt_secret(const char *label, struct sf_secret **out)
{
	struct base_buf b = BASE_BUF_SECRET_INIT(64 * 1024);
	struct termios old, quiet;
	int fd, rc;

	*out = NULL;
	if (!isatty(STDIN_FILENO))
		return 0;
	fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (tcgetattr(fd, &old) != 0) {
		close(fd);
		return 0;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	(void)!write(fd, label, strlen(label));
	(void)tcsetattr(fd, TCSAFLUSH, &quiet);
	rc = read_line(fd, &b);
	(void)tcsetattr(fd, TCSAFLUSH, &old);
	(void)!write(fd, "\n", 1);
	close(fd);
	if (rc == 0 && b.len)
		*out = sf_secret_new(b.data, b.len);
	base_buf_release(&b);
	return rc;
}

static int from_file(const char *what, const char *path,
		     struct sf_secret **out)
{
	struct sf_error e = SF_ERROR_INIT;

	if (sf_secret_from_file(path, out, &e) != 0) {
		fprintf(stderr, "sfbridge credentials set: %s: %s\n", what,
			e.message);
		return -1;
	}
	return 0;
}

struct secrets {
	struct sf_secret *password, *token, *consumer_secret, *private_key;
};

static void secrets_free(struct secrets *s)
{
	sf_secret_free(s->password);
	sf_secret_free(s->token);
	sf_secret_free(s->consumer_secret);
	sf_secret_free(s->private_key);
}

static int gather(const struct opts *o, enum sfb_method m, struct secrets *s)
{
	bool key = o->consumer_key && *o->consumer_key;

	if (o->password_stdin) {
		if (secret_from_stdin(&s->password) != 0) {
			fprintf(stderr, "sfbridge credentials set: cannot "
					"read the password from standard "
					"input\n");
			return -1;
		}
	} else if (o->password_file) {
		if (from_file("--password-file", o->password_file,
			      &s->password))
			return -1;
	} else if (m == SFB_METHOD_PASSWORD) {
		if (prompt_secret("Password: ", &s->password))
			return -1;
	}
	if (o->token_file) {
		if (from_file("--token-file", o->token_file, &s->token))
			return -1;
	} else if (m == SFB_METHOD_PASSWORD && s->password) {
		if (prompt_secret("Security token (empty if this server is in "
				  "the org's trusted IP ranges): ",
				  &s->token))
			return -1;
	}
	if (o->consumer_secret_file) {
		if (from_file("--consumer-secret-file", o->consumer_secret_file,
			      &s->consumer_secret))
			return -1;
	} else if (key && m != SFB_METHOD_JWT) {
		if (prompt_secret("Consumer secret: ", &s->consumer_secret))
			return -1;
	}
	if (o->private_key_file &&
	    from_file("--private-key-file", o->private_key_file,
		      &s->private_key))
		return -1;
	return 0;
}

/* ---- output ---- */

static const char *method_text(const struct sfb_creds_result *r,
			       const char *consumer_key)
{
	if (!r->has_method)
		return "-";
	switch (r->method) {
	case SFB_METHOD_PASSWORD:
		return consumer_key && *consumer_key
			       ? "username + password + security token "
				 "(OAuth username-password flow)"
			       : "username + password + security token "
				 "(SOAP login)";
	case SFB_METHOD_CLIENT_CREDENTIALS:
		return "OAuth client credentials";
	case SFB_METHOD_JWT:
		return "OAuth JWT bearer";
	}
	return "-";
}

static void print_org(FILE *f, const struct sfb_creds_result *r)
{
	const struct sfb_org_facts *o = &r->facts;

	if (o->username[0])
		fprintf(f, "  user:     %s%s%s%s\n", o->username,
			o->user_id[0] ? " (" : "", o->user_id,
			o->user_id[0] ? ")" : "");
	if (o->org_id[0])
		fprintf(f, "  org:      %s (%s)%s%s, %s\n",
			o->org_name[0] ? o->org_name : "?", o->org_id,
			o->edition[0] ? ", " : "", o->edition,
			o->sandbox ? "sandbox" : "production");
	if (o->instance_url[0])
		fprintf(f, "  instance: %s\n", o->instance_url);
}

static void print_diags(FILE *f, const struct sfb_diags *l)
{
	/* errors first, then warnings, then info */
	for (int sev = SFB_SEV_ERROR; sev <= SFB_SEV_INFO; sev++)
		for (size_t i = 0; i < l->n; i++)
			if ((int)l->v[i].severity == sev) {
				fputc('\n', f);
				sfb_diag_print(f, &l->v[i]);
			}
}

static void print_json(json_t *v)
{
	json_dumpf(v, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
}

static void human_set(const struct sfb_creds_result *r, const char *key)
{
	int code = sfb_creds_result_exit(r);

	if (r->valid && r->active) {
		printf("Credentials saved: they are valid and now active.\n");
		printf("  method:   %s\n", method_text(r, key));
		print_org(stdout, r);
		printf("  cost:     %lld login, %lld API request%s\n",
		       r->login_attempts, r->api_requests,
		       r->api_requests == 1 ? "" : "s");
	} else {
		printf("Credentials not saved: %s.\n",
		       !r->attempted ? "a check before any login failed, "
				       "nothing was sent to Salesforce"
		       : code == 3 ? "Salesforce could not be asked (try "
				     "again later)"
				   : "they did not pass validation");
		if (r->prev_active)
			printf("The credentials that were active stay active "
			       "(%s).\n",
			       r->prev_username);
		else
			printf("No credentials are active.\n");
		if (r->attempted)
			printf("  cost:     %lld login, %lld API request%s\n",
			       r->login_attempts, r->api_requests,
			       r->api_requests == 1 ? "" : "s");
	}
	print_diags(stdout, &r->diags);
}

static void human_test(const struct sfb_creds_result *r)
{
	if (!r->active) {
		printf("No credentials are saved.\n");
	} else if (r->valid) {
		printf("The active credentials are valid.\n");
		print_org(stdout, r);
		printf("  cost:     %lld login, %lld API request%s\n",
		       r->login_attempts, r->api_requests,
		       r->api_requests == 1 ? "" : "s");
	} else if (r->refused && !r->attempted) {
		printf("Salesforce refused these credentials before: sfbridge "
		       "did not try them again (no login was made).\n"
		       "Fix the cause, then save new credentials or run "
		       "'sfbridge credentials test --again' for one "
		       "attempt.\n");
	} else {
		printf("The active credentials did not pass.%s\n",
		       r->refused ? " sfbridge stopped using them: nothing "
				    "logs in with them until new ones are "
				    "saved or 'test --again'."
				  : "");
		if (r->attempted)
			printf("  cost:     %lld login, %lld API request%s\n",
			       r->login_attempts, r->api_requests,
			       r->api_requests == 1 ? "" : "s");
	}
	print_diags(stdout, &r->diags);
}

static const char *set_or_not(bool b)
{
	return b ? "set" : "not set";
}

static json_t *show_json(const struct sfb_creds_result *r)
{
	json_t *v = sfb_creds_result_json(r);
	char when[40] = "";

	if (!r->active) {
		json_object_set_new(v, "credentials", json_null());
		return v;
	}
	if (r->validated_ms > 0)
		base_time_format_iso(r->validated_ms, when, sizeof(when));
	json_object_set_new(
		v, "credentials",
		json_pack("{s:s, s:s*, s:s*, s:{s:s, s:s, s:s, s:s}, s:s*, "
			  "s:b}",
			  "login", r->login, "username",
			  r->username[0] ? r->username : NULL, "consumerKey",
			  r->consumer_key[0] ? r->consumer_key : NULL,
			  "secrets", "password", set_or_not(r->has_password),
			  "token", set_or_not(r->has_token), "consumerSecret",
			  set_or_not(r->has_consumer_secret), "privateKey",
			  set_or_not(r->has_private_key), "validatedAt",
			  when[0] ? when : NULL, "refused", r->refused));
	return v;
}

static void human_show(const struct sfb_creds_result *r)
{
	char when[40] = "never";

	if (!r->active) {
		printf("No credentials are saved ('sfbridge credentials "
		       "set').\n");
		return;
	}
	if (r->validated_ms > 0)
		base_time_format_iso(r->validated_ms, when, sizeof(when));
	printf("Active credentials: %s\n",
	       r->refused ? "REFUSED by Salesforce; sfbridge doesn't use them"
	       : r->valid ? "valid"
			  : "not valid");
	printf("  method:          %s\n", method_text(r, r->consumer_key));
	printf("  login:           %s\n", r->login);
	printf("  username:        %s\n", r->username[0] ? r->username : "-");
	printf("  password:        %s\n", set_or_not(r->has_password));
	printf("  security token:  %s\n", set_or_not(r->has_token));
	printf("  consumer key:    %s\n",
	       r->consumer_key[0] ? r->consumer_key : "-");
	printf("  consumer secret: %s\n", set_or_not(r->has_consumer_secret));
	printf("  private key:     %s\n", set_or_not(r->has_private_key));
	printf("  last validated:  %s\n", when);
	print_org(stdout, r);
	print_diags(stdout, &r->diags);
}

/* ---- commands ---- */

static int do_set(const struct opts *o, struct sfb_creds *c)
{
	struct sfb_candidate cand = {0};
	struct sfb_creds_result r;
	struct secrets s = {0};
	struct base_err err = BASE_ERR_INIT;
	int rc;

	if (o->method && sfb_method_parse(o->method, &cand.method) != 0) {
		fprintf(stderr,
			"sfbridge credentials set: unknown --method '%s' "
			"(password, client_credentials or jwt)\n",
			o->method);
		return SFB_EXIT_USAGE;
	}
	if (!o->method)
		cand.method = o->private_key_file ? SFB_METHOD_JWT
			      : o->consumer_key && !o->username
				      ? SFB_METHOD_CLIENT_CREDENTIALS
				      : SFB_METHOD_PASSWORD;
	if (gather(o, cand.method, &s) != 0) {
		secrets_free(&s);
		return SFB_EXIT_USAGE;
	}
	cand.login = o->login;
	cand.username = o->username;
	cand.consumer_key = o->consumer_key;
	cand.password = s.password;
	cand.token = s.token;
	cand.consumer_secret = s.consumer_secret;
	cand.private_key = s.private_key;
	rc = sfb_creds_save(c, &cand, NULL, &r, &err);
	secrets_free(&s);
	if (rc < 0) {
		fprintf(stderr, "sfbridge credentials set: %s\n", err.msg);
		sfb_creds_result_release(&r);
		return SFB_EXIT_FAIL;
	}
	if (o->json) {
		json_t *v = sfb_creds_result_json(&r);

		print_json(v);
		json_decref(v);
	} else {
		human_set(&r, o->consumer_key);
	}
	rc = sfb_creds_result_exit(&r);
	sfb_creds_result_release(&r);
	return rc;
}

static int do_other(const struct opts *o, struct sfb_creds *c)
{
	struct sfb_creds_result r;
	struct base_err err = BASE_ERR_INIT;
	int rc;

	if (!strcmp(o->cmd, "test"))
		rc = sfb_creds_test(c, o->again, &r, &err);
	else if (!strcmp(o->cmd, "show"))
		rc = sfb_creds_show(c, &r, &err);
	else
		rc = sfb_creds_clear(c, &r, &err);
	if (rc < 0) {
		fprintf(stderr, "sfbridge credentials %s: %s\n", o->cmd,
			err.msg);
		sfb_creds_result_release(&r);
		return SFB_EXIT_FAIL;
	}
	if (o->json) {
		json_t *v = !strcmp(o->cmd, "show") ? show_json(&r)
						    : sfb_creds_result_json(&r);

		print_json(v);
		json_decref(v);
	} else if (!strcmp(o->cmd, "test")) {
		human_test(&r);
	} else if (!strcmp(o->cmd, "show")) {
		human_show(&r);
	} else {
		printf("Credentials cleared: no credentials are active, and "
		       "every stored secret is deleted.\n");
	}
	rc = !strcmp(o->cmd, "clear") ? SFB_EXIT_OK : sfb_creds_result_exit(&r);
	sfb_creds_result_release(&r);
	return rc;
}

int sfb_cli_credentials(int argc, char **argv)
{
	struct opts o = {0};
	struct base_err err = BASE_ERR_INIT;
	struct sf_error se = SF_ERROR_INIT;
	struct sfb_creds *c = NULL;
	int rc;

	if (parse(argc, argv, &o) != 0)
		return SFB_EXIT_USAGE;
	if (strcmp(o.cmd, "set") && strcmp(o.cmd, "test") &&
	    strcmp(o.cmd, "show") && strcmp(o.cmd, "clear")) {
		fprintf(stderr, "sfbridge credentials: unknown command '%s'\n%s",
			o.cmd, usage);
		return SFB_EXIT_USAGE;
	}
	if (check_options(&o) != 0)
		return SFB_EXIT_USAGE;
	log_setup();
	if (sf_global_init(&se) != 0) {
		fprintf(stderr, "sfbridge credentials: %s\n", se.message);
		return SFB_EXIT_FAIL;
	}
	if (sfb_creds_open(sfb_data_dir(o.data), &c, &err) != 0) {
		fprintf(stderr, "sfbridge credentials %s: %s\n", o.cmd, err.msg);
		sf_global_cleanup();
		return SFB_EXIT_FAIL;
	}
	rc = !strcmp(o.cmd, "set") ? do_set(&o, c) : do_other(&o, c);
	sfb_creds_close(c);
	sf_global_cleanup();
	return rc;
}
