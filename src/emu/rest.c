/* rest.c - the REST API under /services/data: versions, resources, and session checks. */
#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/banned.h"

static void version_label(int v, char *out, size_t n)
{
	static const char *const seasons[] = {"Winter", "Spring", "Summer"};

	/* 20.0 was Winter '11; three releases a year since. */
	snprintf(out, n, "%s '%02d", seasons[(v - 20) % 3], 11 + (v - 20) / 3);
}

static void list_versions(struct emu_resp *resp)
{
	json_t *arr = json_array();
	char label[32], url[64], ver[16];

	for (int v = EMU_API_MIN; v <= EMU_API_MAX; v++) {
		version_label(v, label, sizeof(label));
		snprintf(url, sizeof(url), "/services/data/v%d.0", v);
		snprintf(ver, sizeof(ver), "%d.0", v);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "label",
						     label, "url", url, "version",
						     ver));
	}
	emu_reply_json(resp, 200, arr);
	json_decref(arr);
}

static void list_resources(struct emu_resp *resp, int v)
{
	static const char *const names[] = {
		"sobjects", "query", "queryAll", "limits", "composite", "jobs",
		"tooling", "search", "recent", "identity", NULL};
	json_t *obj = json_object();
	char url[96];

	for (int i = 0; names[i]; i++) {
		snprintf(url, sizeof(url), "/services/data/v%d.0/%s", v, names[i]);
		json_object_set_new(obj, names[i], json_string(url));
	}
	emu_reply_json(resp, 200, obj);
	json_decref(obj);
}

/*
 * The session behind the request, checked the way Salesforce checks every
 * REST call: a live session, an org and a user with API access, and a
 * password that has not expired. Writes the refusal and returns false.
 */
static bool rest_auth(struct emu_org *org, struct emu_req *req,
		      struct emu_resp *resp, struct emu_user *u)
{
	const char *token = emu_req_bearer(req);
	struct emu_session s;

	if (!token || emu_org_session_get(org, token, &s, NULL) != 0 ||
	    emu_org_find_user_by_id(org, s.user_id, u, NULL) != 0 ||
	    !u->is_active || u->is_frozen) {
		emu_reply_sf_error(resp, 401, "INVALID_SESSION_ID",
				   "Session expired or invalid");
		return false;
	}
	if (s.password_expired) {
		emu_reply_sf_error(resp, 403,
				   "INVALID_OPERATION_WITH_EXPIRED_PASSWORD",
				   "The users password has expired, you must "
				   "call SetPassword before attempting any "
				   "other API operations");
		return false;
	}
	if (!emu_org_has_api(org)) {
		emu_reply_sf_error(resp, 403, "API_DISABLED_FOR_ORG",
				   "The REST API is not enabled for this "
				   "Organization.");
		return false;
	}
	if (!emu_org_user_has_perm(org, u, "ApiEnabled")) {
		emu_reply_sf_error(resp, 403, "API_CURRENTLY_DISABLED",
				   "API is disabled for this User");
		return false;
	}
	return true;
}

void emu_rest_handle(struct emu_org *org, struct emu_req *req,
		     struct emu_resp *resp, const char *rest)
{
	char seg[32];
	struct emu_user u;
	size_t n;
	int v;

	if (rest[0] == '\0' || !strcmp(rest, "/")) {
		list_versions(resp);
		return;
	}
	rest++;
	n = strcspn(rest, "/");
	if (n >= sizeof(seg)) {
		emu_reply_sf_error(resp, 404, "NOT_FOUND",
				   "The requested resource does not exist");
		return;
	}
	memcpy(seg, rest, n);
	seg[n] = '\0';
	rest += n;
	if (!strcmp(seg, "latest"))
		v = EMU_API_MAX;
	else if (seg[0] != 'v' || !emu_parse_api_version(seg, &v)) {
		emu_reply_sf_error(resp, 404, "NOT_FOUND",
				   "The requested resource does not exist");
		return;
	}
	if (!rest_auth(org, req, resp, &u))
		return;
	if (rest[0] == '\0' || !strcmp(rest, "/")) {
		list_resources(resp, v);
		return;
	}
	emu_reply_sf_error(resp, 404, "NOT_FOUND",
			   "The requested resource does not exist");
}
