/* sf.c - `sfbridge sf`: log in, query, describe and read limits through libsf, for diagnosis. */
#include "bridge/cli/cli.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "bridge/creds/creds.h"
#include "sf/client.h"
#include "sf/error.h"
#include "sf/rest.h"
#include "sf/secret.h"
#include "base/banned.h"

static const char usage[] =
	"usage: sfbridge sf <login|query|describe|limits> [options]\n"
	"\n"
	"  sfbridge sf login\n"
	"  sfbridge sf query \"SELECT Id, Name FROM Account\" [--all]\n"
	"  sfbridge sf describe Account\n"
	"  sfbridge sf limits\n"
	"\n"
	"options (no option carries a secret: secrets come from files or stdin):\n"
	"  --login production|sandbox|mydomain:NAME|URL   where to log in\n"
	"  --username U\n"
	"  --password-file F | --password-stdin\n"
	"  --token-file F                 the security token, appended to the password\n"
	"  --consumer-key K               a connected app's consumer key\n"
	"  --consumer-secret-file F\n"
	"  --private-key-file F           PEM key for the JWT bearer flow\n"
	"  --refresh-token-file F\n"
	"  --access-token-file F --instance-url URL\n"
	"  --method soap|oauth-password|client-credentials|jwt|refresh-token|access-token\n"
	"                                 (default: chosen from the options given)\n"
	"  --api-version NN.0             default 60.0\n"
	"  --ca-file F                    an extra CA bundle\n"
	"  --data DIR                     with no credential options: use the active\n"
	"                                 credentials saved in DIR (see 'sfbridge\n"
	"                                 credentials set'); default ./data\n"
	"  --json                         JSON output\n"
	"  --verbose                      log requests (secrets redacted) on stderr\n"
	"\n"
	"An http:// login URL is accepted only for a loopback address (sfemu).\n"
	"exit: 0 ok, 1 usage or other failure, 2 login refused,\n"
	"      3 unavailable (network, TLS, throttled, Salesforce 5xx)\n";

struct opts {
	const char *cmd;
	const char *arg; /* the SOQL, or the sObject */
	const char *login, *username, *method, *consumer_key, *instance_url;
	const char *password_file, *token_file, *consumer_secret_file;
	const char *private_key_file, *refresh_token_file, *access_token_file;
	const char *api_version, *ca_file, *data;
	bool password_stdin, json, all, verbose;
};

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct sfb_cli_flag valued[] = {
#define V(f, m) SFB_CLI_FLAG(f, struct opts, m)
		V("--login", login), V("--username", username),
		V("--method", method), V("--consumer-key", consumer_key),
		V("--instance-url", instance_url),
		V("--password-file", password_file), V("--token-file", token_file),
		V("--consumer-secret-file", consumer_secret_file),
		V("--private-key-file", private_key_file),
		V("--refresh-token-file", refresh_token_file),
		V("--access-token-file", access_token_file),
		V("--api-version", api_version), V("--ca-file", ca_file),
		V("--data", data),
#undef V
	};
	static const struct sfb_cli_switch switches[] = {
		SFB_CLI_SWITCH("--json", struct opts, json),
		SFB_CLI_SWITCH("--all", struct opts, all),
		SFB_CLI_SWITCH("--verbose", struct opts, verbose),
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
					  argc, argv, &i, "sfbridge sf");
		if (took < 0)
			return -1;
		if (took)
			continue;
		if (a[0] == '-' && a[1]) {
			fprintf(stderr, "sfbridge sf: unknown option '%s'\n", a);
			return -1;
		}
		if (!o->cmd)
			o->cmd = a;
		else if (!o->arg)
			o->arg = a;
		else {
			fprintf(stderr, "sfbridge sf: unexpected argument\n");
			return -1;
		}
	}
	if (!o->cmd) {
		fputs(usage, stderr);
		return -1;
	}
	return 0;
}

static int exit_code(const struct sf_error *e)
{
	if (sf_error_is_login_refusal(e))
		return SFB_EXIT_REFUSED;
	if (e->cls == SF_CLASS_NETWORK || e->cls == SF_CLASS_TLS ||
	    e->cls == SF_CLASS_THROTTLE || e->cls == SF_CLASS_TRANSIENT)
		return SFB_EXIT_UNAVAILABLE;
	return SFB_EXIT_FAIL;
}

static int report(const struct opts *o, const struct sf_error *e)
{
	if (o->json) {
		json_t *v = json_pack("{s:{s:s, s:s, s:i, s:s, s:s}}", "error",
				      "class", sf_class_name(e->cls), "code",
				      e->code, "httpStatus", e->http_status,
				      "message", e->message, "salesforce",
				      e->raw);

		json_dumpf(v, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(v);
	} else {
		fprintf(stderr, "sfbridge sf: %s\n", e->message);
		if (e->raw[0] && !strstr(e->message, e->raw))
			fprintf(stderr, "Salesforce said: %s\n", e->raw);
	}
	return exit_code(e);
}

static void log_line(void *ctx, enum sf_log_level level, const char *line)
{
	static const char *const names[] = {"debug", "info", "warn", "error"};

	(void)ctx;
	fprintf(stderr, "sf %s: %s\n", names[level], line);
}

/* A secret from stdin: one line, without its newline. */
static int secret_from_stdin(struct sf_secret **out, struct sf_error *err)
{
	struct base_buf b = BASE_BUF_SECRET_INIT(4096);
	int c;

	while ((c = getchar()) != EOF && c != '\n')
		base_buf_putc(&b, (char)c);
	if (base_buf_err(&b) || b.len == 0) {
		base_buf_release(&b);
		sf_error_clear(err);
		err->cls = SF_CLASS_INVALID_REQUEST;
		snprintf(err->message, sizeof(err->message),
			 "no password on standard input");
		return -1;
	}
	*out = sf_secret_new(b.data, b.len);
	base_buf_release(&b);
	return *out ? 0 : -1;
}

static enum sf_auth_method pick_method(const struct opts *o, bool *ok)
{
	static const struct {
		const char *name;
		enum sf_auth_method m;
	} names[] = {
		{"soap", SF_AUTH_SOAP_PASSWORD},
		{"oauth-password", SF_AUTH_OAUTH_PASSWORD},
		{"client-credentials", SF_AUTH_CLIENT_CREDENTIALS},
		{"jwt", SF_AUTH_JWT},
		{"refresh-token", SF_AUTH_REFRESH_TOKEN},
		{"access-token", SF_AUTH_ACCESS_TOKEN},
	};

	*ok = true;
	if (o->method) {
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(o->method, names[i].name))
				return names[i].m;
		*ok = false;
		return SF_AUTH_SOAP_PASSWORD;
	}
	if (o->access_token_file)
		return SF_AUTH_ACCESS_TOKEN;
	if (o->refresh_token_file)
		return SF_AUTH_REFRESH_TOKEN;
	if (o->private_key_file)
		return SF_AUTH_JWT;
	if (o->consumer_key && !o->username)
		return SF_AUTH_CLIENT_CREDENTIALS;
	if (o->consumer_key)
		return SF_AUTH_OAUTH_PASSWORD;
	return SF_AUTH_SOAP_PASSWORD;
}

struct secrets {
	struct sf_secret *password, *token, *consumer_secret, *key, *refresh,
		*access;
};

static void secrets_free(struct secrets *s)
{
	sf_secret_free(s->password);
	sf_secret_free(s->token);
	sf_secret_free(s->consumer_secret);
	sf_secret_free(s->key);
	sf_secret_free(s->refresh);
	sf_secret_free(s->access);
}

static int load(const char *path, struct sf_secret **out, struct sf_error *e)
{
	return path ? sf_secret_from_file(path, out, e) : 0;
}

/* True when no option names credentials: the saved ones are meant. */
static bool no_credential_options(const struct opts *o)
{
	return !o->login && !o->username && !o->method && !o->consumer_key &&
	       !o->password_file && !o->password_stdin && !o->token_file &&
	       !o->consumer_secret_file && !o->private_key_file &&
	       !o->refresh_token_file && !o->access_token_file;
}

/* *out: a client for cred, logged in; else the report's exit code. */
static int log_in(const struct opts *o, const struct sf_client_options *co,
		  const struct sf_credentials *cred, struct sf_client **out,
		  struct sf_error *e)
{
	struct sf_client *c = NULL;
	int rc;

	if (sf_client_new(co, &c, e) || sf_client_set_credentials(c, cred, e) ||
	    sf_client_login(c, e)) {
		rc = report(o, e);
		sf_client_free(c);
		return rc;
	}
	*out = c;
	return SFB_EXIT_OK;
}

/*
 * The active credentials of the store, through the lockout guard: refused
 * credentials are never handed to a client (exit 2 with the reason).
 */
static int use_saved(const struct opts *o, struct sf_client_options *co,
		     struct sf_client **out, struct sf_error *e)
{
	struct base_err berr = BASE_ERR_INIT;
	struct sfb_creds *store = NULL;
	struct sfb_active_creds act = {0};
	int rc;

	*out = NULL;
	if (sfb_creds_open(sfb_data_dir(o->data), &store, &berr) ||
	    sfb_creds_load_active(store, &act, &berr)) {
		fprintf(stderr, "sfbridge sf: %s%s\n", berr.msg,
			berr.code == BASE_ENOTFOUND
				? " (give credential options, or save some with "
				  "'sfbridge credentials set')"
				: "");
		rc = berr.code == BASE_EAUTH ? SFB_EXIT_REFUSED : SFB_EXIT_USAGE;
		goto out;
	}
	co->allow_http_loopback = act.allow_http_loopback;
	rc = log_in(o, co, &act.cred, out, e);
out:
	sfb_active_creds_release(&act);
	sfb_creds_close(store);
	return rc;
}

/* A client logged in with the options' credentials. */
static int open_client(const struct opts *o, struct sf_client **out,
		   struct sf_error *e)
{
	struct sf_client_options co = {
		.api_version = o->api_version,
		.ca_file = o->ca_file,
		.allow_http_loopback = true,
		.user_agent = "sfbridge-cli/1.0",
		.log = o->verbose ? log_line : NULL,
	};
	struct sf_credentials cred = {0};
	struct secrets s = {0};
	bool known;
	int rc;

	*out = NULL;
	if (no_credential_options(o))
		return use_saved(o, &co, out, e);
	cred.method = pick_method(o, &known);
	if (!known) {
		fprintf(stderr, "sfbridge sf: unknown --method '%s'\n", o->method);
		return SFB_EXIT_USAGE;
	}
	if (sf_target_parse(o->login ? o->login : "production", true,
			    &cred.target, e))
		return report(o, e);
	if ((o->password_stdin ? secret_from_stdin(&s.password, e)
			       : load(o->password_file, &s.password, e)) ||
	    load(o->token_file, &s.token, e) ||
	    load(o->consumer_secret_file, &s.consumer_secret, e) ||
	    load(o->private_key_file, &s.key, e) ||
	    load(o->refresh_token_file, &s.refresh, e) ||
	    load(o->access_token_file, &s.access, e)) {
		rc = report(o, e);
		goto out;
	}
	cred.username = o->username;
	cred.password = s.password;
	cred.security_token = s.token;
	cred.consumer_key = o->consumer_key;
	cred.consumer_secret = s.consumer_secret;
	cred.private_key_pem = s.key;
	cred.refresh_token = s.refresh;
	cred.access_token = s.access;
	cred.instance_url = o->instance_url;
	rc = log_in(o, &co, &cred, out, e);
out:
	secrets_free(&s);
	return rc;
}

static int do_login(const struct opts *o, struct sf_client *c)
{
	struct sf_session_info si;

	sf_client_session(c, &si);
	if (o->json) {
		json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:b}", "instanceUrl",
				      si.instance_url, "orgId", si.org_id,
				      "userId", si.user_id, "username",
				      si.username, "passwordExpired",
				      si.password_expired);

		json_dumpf(v, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(v);
	} else {
		printf("logged in as %s\norg %s, user %s\ninstance %s\n",
		       si.username[0] ? si.username : "(unknown user)",
		       si.org_id, si.user_id, si.instance_url);
	}
	return SFB_EXIT_OK;
}

/* RFC 4180: quote when needed, double the quotes. */
static void csv_cell(const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

/* Flattens a record to "Account.Name"-style columns, in record order. */
static void flatten(json_t *rec, const char *prefix, json_t *out)
{
	const char *key;
	json_t *v;

	json_object_foreach(rec, key, v) {
		char name[512];

		if (!strcmp(key, "attributes"))
			continue;
		snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "." : "",
			 key);
		if (json_is_object(v))
			flatten(v, name, out);
		else
			json_object_set(out, name, v);
	}
}

static void csv_value(json_t *v)
{
	char *text;

	if (!v || json_is_null(v))
		return;
	if (json_is_string(v)) {
		csv_cell(json_string_value(v));
		return;
	}
	text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	if (text)
		csv_cell(text);
	free(text);
}

static int do_query(const struct opts *o, struct sf_client *c)
{
	struct sf_error e = SF_ERROR_INIT;
	struct sf_query *q = NULL;
	json_t *rec, *header = NULL;
	long long n = 0;
	int rc;

	if (!o->arg) {
		fprintf(stderr, "sfbridge sf query: which SOQL?\n");
		return SFB_EXIT_USAGE;
	}
	if (sf_query_open(c, o->arg, o->all, &q, &e))
		return report(o, &e);
	if (o->json)
		fputs("[", stdout);
	while ((rc = sf_query_next(q, &rec, &e)) == 1) {
		if (o->json) {
			fputs(n ? ",\n" : "\n", stdout);
			json_dumpf(rec, stdout, JSON_COMPACT);
		} else {
			json_t *flat = json_object();
			const char *key;
			json_t *v;
			bool first = true;

			flatten(rec, "", flat);
			if (!header) {
				header = json_incref(flat);
				json_object_foreach(header, key, v) {
					fputs(first ? "" : ",", stdout);
					csv_cell(key);
					first = false;
				}
				putchar('\n');
			}
			first = true;
			json_object_foreach(header, key, v) {
				fputs(first ? "" : ",", stdout);
				csv_value(json_object_get(flat, key));
				first = false;
			}
			putchar('\n');
			json_decref(flat);
		}
		n++;
	}
	if (o->json)
		fputs(n ? "\n]\n" : "]\n", stdout);
	json_decref(header);
	sf_query_close(q);
	if (rc < 0)
		return report(o, &e);
	if (!o->json)
		fprintf(stderr, "%lld record%s\n", n, n == 1 ? "" : "s");
	return SFB_EXIT_OK;
}

static int do_describe(const struct opts *o, struct sf_client *c)
{
	struct sf_error e = SF_ERROR_INIT;
	json_t *d, *f;
	size_t i;

	if (!o->arg) {
		fprintf(stderr, "sfbridge sf describe: which sObject?\n");
		return SFB_EXIT_USAGE;
	}
	if (sf_describe(c, o->arg, &d, &e))
		return report(o, &e);
	if (o->json) {
		json_dumpf(d, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		return SFB_EXIT_OK;
	}
	printf("%-40s %-14s %6s  %s\n", "FIELD", "TYPE", "LENGTH", "FLAGS");
	json_array_foreach(json_object_get(d, "fields"), i, f) {
		printf("%-40s %-14s %6lld  %s%s%s%s\n",
		       json_string_value(json_object_get(f, "name")),
		       json_string_value(json_object_get(f, "type")),
		       (long long)json_integer_value(json_object_get(f, "length")),
		       json_is_true(json_object_get(f, "nillable")) ? "" : "required ",
		       json_is_true(json_object_get(f, "externalId")) ? "external-id " : "",
		       json_is_true(json_object_get(f, "unique")) ? "unique " : "",
		       json_is_true(json_object_get(f, "updateable")) ? "" : "read-only");
	}
	return SFB_EXIT_OK;
}

static int do_limits(const struct opts *o, struct sf_client *c)
{
	struct sf_error e = SF_ERROR_INIT;
	const char *key;
	json_t *l, *v;

	if (sf_limits(c, &l, &e))
		return report(o, &e);
	if (o->json) {
		json_dumpf(l, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	} else {
		printf("%-40s %12s %12s\n", "LIMIT", "MAX", "REMAINING");
		json_object_foreach(l, key, v) {
			printf("%-40s %12lld %12lld\n", key,
			       (long long)json_integer_value(json_object_get(v, "Max")),
			       (long long)json_integer_value(
				       json_object_get(v, "Remaining")));
		}
	}
	json_decref(l);
	return SFB_EXIT_OK;
}

int sfb_cli_sf(int argc, char **argv)
{
	struct opts o = {0};
	struct sf_error e = SF_ERROR_INIT;
	struct sf_client *c = NULL;
	int rc;

	if (parse(argc, argv, &o) != 0)
		return SFB_EXIT_USAGE;
	if (strcmp(o.cmd, "login") && strcmp(o.cmd, "query") &&
	    strcmp(o.cmd, "describe") && strcmp(o.cmd, "limits")) {
		fprintf(stderr, "sfbridge sf: unknown command '%s'\n%s", o.cmd,
			usage);
		return SFB_EXIT_USAGE;
	}
	if (sf_global_init(&e))
		return report(&o, &e);
	rc = open_client(&o, &c, &e);
	if (rc == SFB_EXIT_OK) {
		if (!strcmp(o.cmd, "login"))
			rc = do_login(&o, c);
		else if (!strcmp(o.cmd, "query"))
			rc = do_query(&o, c);
		else if (!strcmp(o.cmd, "describe"))
			rc = do_describe(&o, c);
		else
			rc = do_limits(&o, c);
	}
	sf_client_free(c);
	sf_global_cleanup();
	return rc;
}
