/* main.c - sfemu: a local Salesforce org that speaks Salesforce's wire protocols. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <sqlite3.h>
#include <libxml/xmlerror.h>

#include "base/listen.h"
#include "base/log.h"
#include "http.h"
#include "org.h"
#include "orgfile.h"
#include "server.h"
#include "base/banned.h"

static const char usage[] =
	"usage: sfemu --org FILE.json [--listen HOST:PORT] [--data DIR]\n"
	"             [--ready-file PATH] [--trust-forwarded-for]\n"
	"             [--threads N] [--log-level debug|info|warn|error]\n"
	"\n"
	"  --org FILE        org definition (JSON; see docs/sfemu.md)\n"
	"  --listen H:P      address to serve on (default 127.0.0.1:0, a free port)\n"
	"  --data DIR        keep the org's state in DIR across restarts\n"
	"                    (without it the org lives in memory)\n"
	"  --ready-file PATH write the base URL to PATH once serving\n"
	"  --trust-forwarded-for  take the client IP from X-Forwarded-For\n";

struct options {
	const char *org_file;
	struct base_listen_args srv; /* --listen, --data, --ready-file, --threads */
	bool trust_forwarded_for;
};

static int parse_args(int argc, char **argv, struct options *o)
{
	o->srv.listen = "127.0.0.1:0";
	o->srv.threads = 4;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		int r;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			exit(0);
		} else if (!strcmp(a, "--trust-forwarded-for")) {
			o->trust_forwarded_for = true;
			continue;
		}
		if (!next) {
			fprintf(stderr, "sfemu: %s needs a value\n%s", a, usage);
			return -1;
		}
		r = base_listen_parse_arg(&o->srv, "sfemu", a, next);
		if (r < 0)
			return -1;
		if (r == 0 && !strcmp(a, "--org")) {
			o->org_file = next;
		} else if (r == 0) {
			fprintf(stderr, "sfemu: unknown option '%s'\n%s", a, usage);
			return -1;
		}
		i++;
	}
	if (!o->org_file) {
		fprintf(stderr, "sfemu: --org is required\n%s", usage);
		return -1;
	}
	return 0;
}

/* libxml2 reports a client's bad XML on stderr by default; the client
 * already gets a fault, so say nothing. */
static void xml_quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void xml_quiet_structured(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

int main(int argc, char **argv)
{
	struct base_err err = BASE_ERR_INIT;
	struct options o = {0};
	struct emu_org *org = NULL;
	struct emu_http *http = NULL;
	json_t *def = NULL;
	char host[256];
	sigset_t sigs;
	int port, rc = 1;

	if (parse_args(argc, argv, &o) != 0)
		return 2;
	if (base_listen_split(o.srv.listen, BASE_LISTEN_EMPTY_PORT_OK, host,
			      sizeof(host), &port) != 0) {
		fprintf(stderr, "sfemu: --listen wants HOST:PORT, not '%s'\n",
			o.srv.listen);
		return 2;
	}
	/* SQLite's memory statistics take a global lock on every allocation. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	xmlInitParser();
	xmlThrDefSetGenericErrorFunc(NULL, xml_quiet);
	xmlThrDefSetStructuredErrorFunc(NULL, xml_quiet_structured);
	xmlSetGenericErrorFunc(NULL, xml_quiet);
	xmlSetStructuredErrorFunc(NULL, xml_quiet_structured);
	if (emu_orgfile_load(o.org_file, &def, &err) != 0) {
		fprintf(stderr, "sfemu: %s\n", err.msg);
		goto out;
	}
	if (emu_org_open(def, o.srv.data_dir, &org, &err) != 0) {
		fprintf(stderr, "sfemu: %s\n", err.msg);
		goto out;
	}
	/* Block the stop signals before any thread starts, then wait for them. */
	base_listen_block_signals(&sigs);
	if (emu_http_open(host, port, o.trust_forwarded_for, &http, &err) != 0) {
		fprintf(stderr, "sfemu: %s\n", err.msg);
		goto out;
	}
	/* base_url is written before the first request can read it. */
	base_listen_format_url(org->base_url, sizeof(org->base_url), "http",
			       host, emu_http_port(http));
	base_info("org '%s' (%s, %s) id %s", emu_org_conf_str(org, "orgName"),
		  emu_org_conf_str(org, "edition"),
		  o.srv.data_dir ? o.srv.data_dir : "in memory", org->id);
	if (emu_http_run(http, o.srv.threads, emu_server_handle, org, &err) != 0) {
		fprintf(stderr, "sfemu: %s\n", err.msg);
		goto out;
	}
	if (base_listen_announce("sfemu", "sfemu", org->base_url,
				 o.srv.ready_file) != 0)
		goto out;
	base_info("signal %d: stopping", base_listen_wait(&sigs));
	rc = 0;
out:
	emu_http_stop(http);
	emu_org_free(org);
	xmlCleanupParser();
	return rc;
}
