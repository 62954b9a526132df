/* serve.c - `sfbridge serve`: the web console and JSON API over libmicrohttpd. */
#include "bridge/cli/cli.h"

#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/listen.h"
#include "base/log.h"
#include "bridge/store/store.h"
#include "bridge/web/http.h"
#include "bridge/web/web.h"
#include "sf/client.h"
#include "sf/error.h"
#include "base/banned.h"

static const char usage[] =
	"usage: sfbridge serve [--listen HOST:PORT] [--data DIR] [--db URL] "
	"[options]\n"
	"\n"
	"  --listen H:P        address to serve on (default 127.0.0.1:8080;\n"
	"                      port 0 picks a free one)\n"
	"  --data DIR          the store's directory (default: $SFBRIDGE_DATA,\n"
	"                      else ./data)\n"
	"  --db URL            the database: sqlite:PATH (also sqlite://PATH,\n"
	"                      sqlite:///ABS/PATH, file:PATH); default:\n"
	"                      $SFBRIDGE_DB, else DIR/sfbridge.db. The master key\n"
	"                      stays in DIR\n"
	"  --ready-file PATH   write the console's base URL to PATH once serving\n"
	"  --threads N         request threads, 1 to 64 (default 4)\n"
	"  --trust-proxy       believe X-Forwarded-For (client IP) and\n"
	"                      X-Forwarded-Proto (https: Secure cookies) from\n"
	"                      the peer; only behind a proxy that sets both\n"
	"  --tls-cert F --tls-key F   serve https with this PEM certificate/key\n"
	"  --web DIR           templates and stylesheet (default: web/bridge of\n"
	"                      the source tree; or $SFBRIDGE_WEB)\n"
	"  --log-level L       debug, info (default; or $SFBRIDGE_LOG_LEVEL),\n"
	"                      warn, error or off. At debug, Save's Salesforce\n"
	"                      traffic is logged too (redacted) when\n"
	"                      SFBRIDGE_LOG_LEVEL=debug\n"
	"\n"
	"SIGTERM or SIGINT stops it: requests in flight finish first (up to 10 s).\n";

#define DRAIN_MS 10000

struct opts {
	struct base_listen_args srv; /* --listen, --data, --ready-file, --threads */
	const char *web_dir;
	const char *db_url;
	const char *tls_cert, *tls_key;
	bool trust_proxy;
};

static int parse(int argc, char **argv, struct opts *o)
{
	const char *env = getenv("SFBRIDGE_LOG_LEVEL");
	struct base_err err = BASE_ERR_INIT;
	const char *db_path;

	if (env && base_log_parse_level(env) >= 0)
		base_log_set_level((enum base_log_level)base_log_parse_level(env));
	o->srv.listen = "127.0.0.1:8080";
	o->srv.threads = 4;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		int r;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			exit(SFB_EXIT_OK);
		} else if (!strcmp(a, "--trust-proxy")) {
			o->trust_proxy = true;
			continue;
		}
		if (!next) {
			fprintf(stderr, "sfbridge serve: %s needs a value\n%s", a,
				usage);
			return -1;
		}
		r = base_listen_parse_arg(&o->srv, "sfbridge serve", a, next);
		if (r < 0)
			return -1;
		if (r == 0 && !strcmp(a, "--web")) {
			o->web_dir = next;
		} else if (r == 0 && !strcmp(a, "--db")) {
			o->db_url = next;
		} else if (r == 0 && !strcmp(a, "--tls-cert")) {
			o->tls_cert = next;
		} else if (r == 0 && !strcmp(a, "--tls-key")) {
			o->tls_key = next;
		} else if (r == 0) {
			fprintf(stderr, "sfbridge serve: unknown option '%s'\n%s",
				a, usage);
			return -1;
		}
		i++;
	}
	if (o->db_url && sfb_store_parse_url(o->db_url, &db_path, &err) != 0) {
		fprintf(stderr, "sfbridge serve: --db: %s\n", err.msg);
		return -1;
	}
	if (!!o->tls_cert != !!o->tls_key) {
		fprintf(stderr, "sfbridge serve: --tls-cert and --tls-key go "
				"together\n");
		return -1;
	}
	return 0;
}

static char *slurp(const char *path)
{
	struct base_buf b = BASE_BUF_SECRET_INIT(1024 * 1024);
	char chunk[4096];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		base_buf_append(&b, chunk, n);
	fclose(f);
	base_buf_append(&b, "", 0);
	if (base_buf_err(&b)) {
		base_buf_release(&b);
		return NULL;
	}
	return base_buf_detach(&b, NULL);
}

static void wipe_free(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

int sfb_cli_serve(int argc, char **argv)
{
	struct base_err err = BASE_ERR_INIT;
	struct opts o = {0};
	struct sfb_http_opts ho = {0};
	struct sf_error se = SF_ERROR_INIT;
	struct sfb_http *http = NULL;
	struct sfb_web *web = NULL;
	struct sfb_web_opts wo = {0};
	char host[256], url[300], web_dir[4096], db[PATH_MAX];
	char *cert = NULL, *key = NULL;
	const char *ws;
	sigset_t sigs;
	int port, rc = SFB_EXIT_FAIL;

	if (parse(argc, argv, &o) != 0)
		return SFB_EXIT_USAGE;
	if (base_listen_split(o.srv.listen, 0, host, sizeof(host), &port) != 0) {
		fprintf(stderr, "sfbridge serve: --listen wants HOST:PORT, not "
				"'%s'\n",
			o.srv.listen);
		return SFB_EXIT_USAGE;
	}
	if (o.web_dir)
		snprintf(web_dir, sizeof(web_dir), "%s", o.web_dir);
	else if (sfb_web_find_dir(web_dir, sizeof(web_dir)) != 0) {
		fprintf(stderr, "sfbridge serve: cannot find the console's "
				"templates (web/bridge); use --web DIR\n");
		return SFB_EXIT_FAIL;
	}
	if (sfb_workspace_get(&ws, &err) != 0) {
		fprintf(stderr, "sfbridge serve: %s\n", err.msg);
		return SFB_EXIT_USAGE;
	}
	/*
	 * Every store this process opens (the console's, the vault's) reads
	 * SFBRIDGE_DB: set it before any is opened and any thread starts.
	 */
	if (o.db_url && setenv(SFB_STORE_DB_ENV, o.db_url, 1) != 0) {
		fprintf(stderr, "sfbridge serve: --db: out of memory\n");
		return SFB_EXIT_FAIL;
	}
	wo.data_dir = sfb_data_dir(o.srv.data_dir);
	if (sfb_store_path(wo.data_dir, db, sizeof(db), &err) != 0) {
		fprintf(stderr, "sfbridge serve: %s\n", err.msg);
		return SFB_EXIT_FAIL;
	}
	wo.web_dir = web_dir;
	wo.workspace = ws;
	if (o.tls_cert) {
		cert = slurp(o.tls_cert);
		key = slurp(o.tls_key);
		if (!cert || !key) {
			fprintf(stderr, "sfbridge serve: cannot read '%s'\n",
				cert ? o.tls_key : o.tls_cert);
			goto out;
		}
	}
	/*
	 * SQLite's memory statistics take one global lock on every allocation:
	 * with a store connection per request thread, that lock was a fifth
	 * of the API's CPU under wrk (bench/web.sh). Before any store opens.
	 */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	/* curl's global init, before any thread starts (Save logs in). */
	if (sf_global_init(&se) != 0) {
		fprintf(stderr, "sfbridge serve: %s\n", se.message);
		goto out;
	}
	if (sfb_web_new(&wo, &web, &err) != 0) {
		fprintf(stderr, "sfbridge serve: %s\n", err.msg);
		goto out;
	}
	/* Block the stop signals before any thread starts, then wait for them. */
	base_listen_block_signals(&sigs);
	ho.host = host;
	ho.port = port;
	ho.threads = o.srv.threads;
	ho.trust_proxy = o.trust_proxy;
	ho.tls_cert_pem = cert;
	ho.tls_key_pem = key;
	if (sfb_http_open(&ho, &http, &err) != 0 ||
	    sfb_http_run(http, sfb_web_handle, web, &err) != 0) {
		fprintf(stderr, "sfbridge serve: %s\n", err.msg);
		goto out;
	}
	base_listen_format_url(url, sizeof(url),
			       sfb_http_is_tls(http) ? "https" : "http", host,
			       sfb_http_port(http));
	base_info("serving workspace '%s', data in '%s', database '%s', "
		  "templates in '%s'",
		  wo.workspace, wo.data_dir, db, web_dir);
	if (base_listen_announce("sfbridge", "sfbridge serve", url,
				 o.srv.ready_file) != 0)
		goto out;
	base_info("signal %d: stopping (requests in flight finish first)",
		  base_listen_wait(&sigs));
	rc = SFB_EXIT_OK;
out:
	sfb_http_stop(http, DRAIN_MS);
	sfb_web_free(web);
	wipe_free(cert);
	wipe_free(key);
	return rc;
}
