/* server.c - route each request to its protocol module, under the org lock. */
#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/datetime.h"
#include "base/log.h"
#include "base/banned.h"

void emu_reply_json(struct emu_resp *resp, int status, json_t *v)
{
	char *text = json_dumps(v ? v : json_null(),
				JSON_COMPACT | JSON_ENCODE_ANY);

	emu_resp_start(resp, status, "application/json;charset=UTF-8");
	if (text)
		base_buf_puts(&resp->body, text);
	else
		base_buf_puts(&resp->body, "null");
	free(text);
}

void emu_reply_sf_error(struct emu_resp *resp, int status, const char *code,
			const char *message)
{
	json_t *v = json_pack("[{s:s, s:s}]", "message", message, "errorCode",
			      code);

	emu_reply_json(resp, status, v);
	json_decref(v);
}

void emu_reply_admin_error(struct emu_resp *resp, int status, const char *code,
			   const char *message)
{
	json_t *v = json_pack("{s:s, s:s}", "error", code, "message", message);

	emu_reply_json(resp, status, v);
	json_decref(v);
}

bool emu_parse_api_version(const char *seg, int *major)
{
	char *end;
	long v;

	if (seg[0] == 'v')
		seg++;
	if (seg[0] < '1' || seg[0] > '9')
		return false;
	v = strtol(seg, &end, 10);
	if (strcmp(end, ".0") != 0 || v < EMU_API_MIN || v > EMU_API_MAX)
		return false;
	*major = (int)v;
	return true;
}

const char *emu_req_bearer(const struct emu_req *req)
{
	const char *h = emu_req_header(req, "Authorization");

	if (!h)
		return NULL;
	if (strncasecmp(h, "Bearer ", 7) == 0)
		h += 7;
	else if (strncasecmp(h, "OAuth ", 6) == 0)
		h += 6;
	else
		return NULL;
	while (*h == ' ')
		h++;
	return *h ? h : NULL;
}

/* "/services/Soap/u/60.0" or ".../u/60.0/00D..." */
static bool route_soap(struct emu_org *org, struct emu_req *req,
		       struct emu_resp *resp, const char *rest)
{
	char ver[16];
	bool enterprise;
	size_t n;
	int major;

	if ((rest[0] != 'u' && rest[0] != 'c') || rest[1] != '/')
		return false;
	enterprise = rest[0] == 'c';
	rest += 2;
	n = strcspn(rest, "/");
	if (n == 0 || n >= sizeof(ver))
		return false;
	memcpy(ver, rest, n);
	ver[n] = '\0';
	if (ver[0] == 'v')
		return false; /* Salesforce wants "60.0", never "v60.0" */
	if (!emu_parse_api_version(ver, &major))
		major = -(int)strtol(ver, NULL, 10); /* soap.c answers UNSUPPORTED_API_VERSION */
	emu_soap_handle(org, req, resp, enterprise, major);
	return true;
}

static void not_found(struct emu_resp *resp)
{
	emu_reply_sf_error(resp, 404, "NOT_FOUND",
			   "The requested resource does not exist");
}

static bool starts(const char *path, const char *prefix, const char **rest)
{
	size_t n = strlen(prefix);

	if (strncmp(path, prefix, n) != 0 || (path[n] && path[n] != '/'))
		return false;
	*rest = path + n;
	return true;
}

void emu_server_handle(void *ctx, struct emu_req *req, struct emu_resp *resp)
{
	struct emu_org *org = ctx;
	const char *p = req->path, *rest;
	struct emu_fault fault;
	bool faulted = false;

	emu_org_lock(org);
	if (strncmp(p, "/_emu", 5) != 0 && strncmp(p, "/setup", 6) != 0)
		faulted = emu_faults_take(&org->faults, req, &fault);
	if (faulted && (fault.delay_ms > 0 || fault.kind != EMU_FAULT_DELAY)) {
		/* Wait without the lock: other requests go on meanwhile. */
		emu_org_unlock(org);
		if (fault.delay_ms > 0)
			base_sleep_ms(fault.delay_ms);
		if (fault.kind != EMU_FAULT_DELAY) {
			emu_fault_reply(&fault, req, resp);
			base_debug("%s %s -> %d (injected fault %lld)",
				   req->method, req->path, resp->status,
				   fault.id);
			return;
		}
		emu_org_lock(org);
	}
	if (strncmp(p, "/services/Soap/", 15) == 0) {
		if (!route_soap(org, req, resp, p + 15))
			not_found(resp);
	} else if (starts(p, "/services/oauth2", &rest)) {
		emu_oauth_handle(org, req, resp, rest);
	} else if (starts(p, "/id", &rest)) {
		emu_identity_handle(org, req, resp, rest);
	} else if (starts(p, "/services/data", &rest)) {
		emu_rest_handle(org, req, resp, rest);
	} else if (starts(p, "/_emu", &rest) || starts(p, "/setup", &rest)) {
		/* Setup and the test controls answer only this machine. */
		if (!req->peer_is_loopback)
			emu_reply_admin_error(resp, 403, "FORBIDDEN",
					      "only loopback clients may use "
					      "the emulator's admin side");
		else if (p[1] == '_')
			emu_admin_handle(org, req, resp, rest);
		else
			emu_setup_handle(org, req, resp, rest);
	} else if (strcmp(p, "/") == 0) {
		emu_resp_start(resp, 200, "text/plain;charset=UTF-8");
		base_buf_printf(&resp->body,
				"sfemu: an emulated Salesforce org (%s, %s)\n"
				"Setup: %s/setup\n",
				emu_org_conf_str(org, "orgName"), org->id,
				org->base_url);
	} else {
		not_found(resp);
	}
	emu_org_unlock(org);
	base_debug("%s %s -> %d (%s)", req->method, req->path, resp->status,
		   req->client_ip);
}
