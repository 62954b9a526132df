/* admin.c - the /_emu/ JSON endpoints: what a Salesforce admin does, plus test controls. */
#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/datetime.h"
#include "base/form.h"
#include "base/db.h"
#include "orgfile.h"
#include "path.h"
#include "base/banned.h"

/*
 * Every handler runs under the org lock, which the router holds. Bodies are
 * JSON objects; a change is validated whole before anything is written, and
 * then written in one transaction, so a refused request changes nothing.
 */

/* Clock offsets beyond a century are a typo, not a test. */
#define MAX_OFFSET_MS (100LL * 366 * 24 * 3600 * 1000)

/* ---- replies ---- */

/* Takes ownership of v. The text is wiped: one reply carries a token. */
static void reply(struct emu_resp *resp, int status, json_t *v)
{
	char *text = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	json_decref(v);
	if (!text) {
		emu_reply_admin_error(resp, 500, "INTERNAL_ERROR",
				      "cannot build the reply");
		return;
	}
	emu_resp_start(resp, status, "application/json;charset=UTF-8");
	emu_resp_header(resp, "Cache-Control", "no-store");
	base_buf_puts(&resp->body, text);
	explicit_bzero(text, strlen(text));
	free(text);
}

/* Replies with the error in err: 404, 400 or 500 by its code. */
static void reply_err(struct emu_resp *resp, const struct base_err *err)
{
	const char *msg = err->msg[0] ? err->msg : "failed";

	switch (err->code) {
	case BASE_ENOTFOUND:
		emu_reply_admin_error(resp, 404, "NOT_FOUND", msg);
		break;
	case BASE_EINVAL:
		emu_reply_admin_error(resp, 400, "INVALID_FIELD", msg);
		break;
	default:
		emu_reply_admin_error(resp, 500, "INTERNAL_ERROR", msg);
	}
}

static void no_endpoint(struct emu_resp *resp)
{
	emu_reply_admin_error(resp, 404, "NOT_FOUND", "no such endpoint");
}

static void reply_bad_method(struct emu_resp *resp, const char *allow)
{
	char msg[96];

	snprintf(msg, sizeof(msg), "use %s", allow);
	emu_reply_admin_error(resp, 405, "METHOD_NOT_ALLOWED", msg);
	emu_resp_header(resp, "Allow", allow);
}

static bool method(const struct emu_req *req, const char *m)
{
	return strcmp(req->method, m) == 0 ||
	       (strcmp(m, "GET") == 0 && strcmp(req->method, "HEAD") == 0);
}

/*
 * The request body as a JSON object whose keys are all in `keys`; an empty
 * body reads as {}. NULL after replying 400. Caller owns the result.
 */
static json_t *body_object(const struct emu_req *req, struct emu_resp *resp,
			   const char *const *keys)
{
	json_error_t jerr;
	const char *key;
	json_t *body, *v;
	char msg[256];

	if (req->body_len == 0)
		return json_object();
	body = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES,
			  &jerr);
	if (!body) {
		snprintf(msg, sizeof(msg),
			 "body is not valid JSON at line %d column %d: %s",
			 jerr.line, jerr.column, jerr.text);
		emu_reply_admin_error(resp, 400, "INVALID_JSON", msg);
		return NULL;
	}
	if (!json_is_object(body)) {
		json_decref(body);
		emu_reply_admin_error(resp, 400, "INVALID_JSON",
				      "body must be a JSON object");
		return NULL;
	}
	json_object_foreach(body, key, v) {
		bool known = false;

		for (int i = 0; keys[i]; i++)
			known = known || strcmp(key, keys[i]) == 0;
		if (!known) {
			snprintf(msg, sizeof(msg), "unknown key '%s'", key);
			json_decref(body);
			emu_reply_admin_error(resp, 400, "INVALID_FIELD", msg);
			return NULL;
		}
	}
	return body;
}

static int want_bool(json_t *body, const char *key, struct base_err *err)
{
	json_t *v = json_object_get(body, key);

	if (v && !json_is_boolean(v))
		return base_err_set(err, BASE_EINVAL,
				    "%s: must be true or false", key);
	return 0;
}

/* JSON string of column i, or null for SQL NULL. */
static json_t *col_json(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	return json_string(base_db_text(st, i));
}

static json_t *iso_json(int64_t ms)
{
	char when[40];

	base_time_format_iso(ms, when, sizeof(when));
	return json_string(when);
}

/* id of the row of `table` with that name (names are NOCASE); "" if none. */
static void id_of(struct emu_org *org, const char *sql, const char *name,
		  char out[EMU_SFID_LEN + 1])
{
	sqlite3_stmt *st;

	out[0] = '\0';
	if (base_db_prepare(org->db, &st, NULL, sql, "s", name))
		return;
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, EMU_SFID_LEN + 1, "%s", base_db_text(st, 0));
	sqlite3_finalize(st);
}

/* ---- users ---- */

/* The user JSON of the contract; NULL when the store fails. Caller owns. */
static json_t *user_json(struct emu_org *org, struct emu_user *u,
			 struct base_err *err)
{
	json_t *psets = NULL, *prof = NULL, *v;
	bool locked = emu_org_user_locked(org, u); /* may auto-unlock: first */

	if (emu_org_user_permset_names(org, u->id, &psets, err))
		return NULL;
	(void)emu_org_profile_json(org, u->profile_id, &prof, NULL);
	v = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:o, s:b, s:b, s:b,"
		" s:b, s:i}",
		"id", u->id, "username", u->username, "email", u->email,
		"firstName", u->first_name, "lastName", u->last_name, "profile",
		json_string_value(json_object_get(prof, "name")), "profileId",
		u->profile_id, "permissionSets", psets, "isActive",
		u->is_active, "isFrozen", u->is_frozen, "isPasswordLocked",
		locked, "passwordExpired", u->password_expired,
		"failedLoginAttempts", u->failed_attempts);
	json_decref(prof);
	if (!v)
		base_err_set(err, BASE_ENOMEM, "user '%s'", u->username);
	return v;
}

static void reply_user(struct emu_org *org, struct emu_resp *resp,
		       const char *username)
{
	struct base_err err = BASE_ERR_INIT;
	struct emu_user u;
	json_t *v;

	if (emu_org_find_user(org, username, &u, &err)) {
		reply_err(resp, &err);
		return;
	}
	v = user_json(org, &u, &err);
	if (!v) {
		reply_err(resp, &err);
		return;
	}
	reply(resp, 200, v);
}

static void list_users(struct emu_org *org, struct emu_resp *resp)
{
	struct base_err err = BASE_ERR_INIT;
	json_t *names, *users = json_array(), *n;
	size_t i;

	names = base_db_column_list(
		org->db,
		"SELECT username FROM emu_user ORDER BY username"
		" COLLATE NOCASE",
		&err);
	if (!names || !users)
		goto fail;
	json_array_foreach(names, i, n) {
		struct emu_user u;
		json_t *v;

		if (emu_org_find_user(org, json_string_value(n), &u, &err) ||
		    !(v = user_json(org, &u, &err)))
			goto fail;
		json_array_append_new(users, v);
	}
	json_decref(names);
	reply(resp, 200, json_pack("{s:o}", "users", users));
	return;
fail:
	json_decref(names);
	json_decref(users);
	reply_err(resp, &err);
}

/* Checks a PATCH /users body and resolves its names into profile_id and
 * psets (ids). 0 or BASE_EINVAL. */
static int check_user_patch(struct emu_org *org, json_t *body,
			    char profile_id[EMU_SFID_LEN + 1], json_t *psets,
			    struct base_err *err)
{
	json_t *v = json_object_get(body, "profile");
	size_t i;
	json_t *n;

	if (want_bool(body, "isActive", err) ||
	    want_bool(body, "isFrozen", err) ||
	    want_bool(body, "passwordExpired", err) ||
	    want_bool(body, "isPasswordLocked", err))
		return BASE_EINVAL;
	/* As on UserLogin: an admin can unlock a user, never lock one. */
	if (json_is_true(json_object_get(body, "isPasswordLocked")))
		return base_err_set(
			err, BASE_EINVAL,
			"isPasswordLocked: can only be set to false "
			"(unlock)");
	if (v) {
		if (!json_is_string(v))
			return base_err_set(err, BASE_EINVAL,
					    "profile: must be a profile name");
		id_of(org, "SELECT id FROM emu_profile WHERE name = ?",
		      json_string_value(v), profile_id);
		if (!profile_id[0])
			return base_err_set(err, BASE_EINVAL,
					    "profile: no profile named '%s'",
					    json_string_value(v));
	}
	v = json_object_get(body, "permissionSets");
	if (v && !json_is_array(v))
		return base_err_set(
			err, BASE_EINVAL,
			"permissionSets: must be an array of names");
	json_array_foreach(v, i, n) {
		char id[EMU_SFID_LEN + 1];
		bool dup = false;
		size_t j;
		json_t *have;

		if (!json_is_string(n))
			return base_err_set(err, BASE_EINVAL,
					    "permissionSets[%zu]: must be a "
					    "permission set name",
					    i);
		id_of(org,
		      "SELECT id FROM permission_set WHERE name = ? AND"
		      " profile_id IS NULL",
		      json_string_value(n), id);
		if (!id[0])
			return base_err_set(
				err, BASE_EINVAL,
				"permissionSets[%zu]: no permission "
				"set named '%s'",
				i, json_string_value(n));
		json_array_foreach(psets, j, have) {
			dup = dup || strcmp(json_string_value(have), id) == 0;
		}
		if (!dup)
			json_array_append_new(psets, json_string(id));
	}
	return 0;
}

static int set_user_flag(struct emu_org *org, const char *user_id,
			 const char *col, json_t *v, struct base_err *err)
{
	char sql[96];

	if (!v)
		return 0;
	snprintf(sql, sizeof(sql), "UPDATE emu_user SET %s = ? WHERE id = ?", col);
	return base_db_run(org->db, err, sql, "bs", json_is_true(v), user_id);
}

static int apply_user_patch(struct emu_org *org, const struct emu_user *u,
			    json_t *body, const char *profile_id, json_t *psets,
			    struct base_err *err)
{
	json_t *active = json_object_get(body, "isActive");
	json_t *frozen = json_object_get(body, "isFrozen");
	size_t i;
	json_t *id;

	if (set_user_flag(org, u->id, "is_active", active, err) ||
	    set_user_flag(org, u->id, "is_frozen", frozen, err) ||
	    set_user_flag(org, u->id, "password_expired",
			  json_object_get(body, "passwordExpired"), err))
		return BASE_ERR;
	if (profile_id[0] &&
	    base_db_run(org->db, err,
		       "UPDATE emu_user SET profile_id = ? WHERE id = ?", "ss",
		       profile_id, u->id))
		return BASE_ERR;
	if (json_object_get(body, "permissionSets")) {
		if (base_db_run(
			    org->db, err,
			    "DELETE FROM permission_set_assignment WHERE"
			    " user_id = ? AND permission_set_id IN (SELECT id"
			    " FROM permission_set WHERE profile_id IS NULL)",
			    "s", u->id))
			return BASE_ERR;
		json_array_foreach(psets, i, id) {
			char aid[EMU_SFID_LEN + 1];

			if (emu_org_new_id(org, "0Pa", aid, err) ||
			    base_db_run(org->db, err,
				       "INSERT INTO permission_set_assignment"
				       " VALUES(?, ?, ?)",
				       "sss", aid, u->id,
				       json_string_value(id)))
				return BASE_ERR;
		}
	}
	if (json_object_get(body, "isPasswordLocked") &&
	    emu_org_unlock_user(org, u->id, err))
		return BASE_ERR;
	/* A frozen or inactive user's sessions end at once. */
	if ((json_is_false(active) || json_is_true(frozen)) &&
	    emu_org_sessions_revoke_user(org, u->id, err))
		return BASE_ERR;
	return 0;
}

static void patch_user(struct emu_org *org, struct emu_req *req,
		       struct emu_resp *resp, const char *username)
{
	static const char *const keys[] = {
		"isActive", "isFrozen",       "passwordExpired",
		"profile",  "permissionSets", "isPasswordLocked",
		NULL};
	struct base_err err = BASE_ERR_INIT;
	char profile_id[EMU_SFID_LEN + 1] = "";
	json_t *body = body_object(req, resp, keys), *psets = json_array();
	struct emu_user u;

	if (!body)
		goto out;
	if (emu_org_find_user(org, username, &u, &err) ||
	    check_user_patch(org, body, profile_id, psets, &err) ||
	    base_db_end(org->db,
		       base_db_begin(org->db, &err) ||
			       apply_user_patch(org, &u, body, profile_id,
						psets, &err),
		       &err)) {
		reply_err(resp, &err);
		goto out;
	}
	reply_user(org, resp, u.username);
out:
	json_decref(body);
	json_decref(psets);
}

static void user_action(struct emu_org *org, struct emu_req *req,
			struct emu_resp *resp, const char *username,
			const char *action)
{
	static const char *const none[] = {NULL};
	static const char *const pw_keys[] = {"password", NULL};
	bool is_pw = strcmp(action, "password") == 0;
	struct base_err err = BASE_ERR_INIT;
	json_t *body = body_object(req, resp, is_pw ? pw_keys : none);
	json_t *pw = json_object_get(body, "password");
	struct emu_user u;
	int rc;

	if (!body)
		return;
	if (emu_org_find_user(org, username, &u, &err))
		goto fail;
	if (is_pw &&
	    (!json_is_string(pw) || json_string_length(pw) < 1 ||
	     json_string_length(pw) > 1024 ||
	     strlen(json_string_value(pw)) != json_string_length(pw))) {
		base_err_set(
			&err, BASE_EINVAL,
			"password: must be a string of 1 to 1024 characters");
		goto fail;
	}
	rc = base_db_begin(org->db, &err);
	if (rc == 0 && strcmp(action, "reset-token") == 0)
		rc = emu_org_reset_token(org, &u,
					 "As requested, your security token "
					 "has been reset.",
					 &err);
	else if (rc == 0 && strcmp(action, "unlock") == 0)
		rc = emu_org_unlock_user(org, u.id, &err);
	else if (rc == 0)
		rc = emu_org_change_password(org, &u, json_string_value(pw),
					     false,
					     "Your password was changed, so "
					     "your security token was reset.",
					     &err);
	if (base_db_end(org->db, rc, &err))
		goto fail;
	json_decref(body);
	if (strcmp(action, "unlock") == 0)
		reply(resp, 200,
		      json_pack("{s:s, s:b}", "username", u.username,
				"isPasswordLocked", 0));
	else
		reply(resp, 200,
		      json_pack("{s:s, s:s}", "username", u.username,
				"emailedTo", u.email));
	return;
fail:
	json_decref(body);
	reply_err(resp, &err);
}

static void users(struct emu_org *org, struct emu_req *req,
		  struct emu_resp *resp, const struct emu_path *p)
{
	if (p->n == 1 && method(req, "GET"))
		list_users(org, resp);
	else if (p->n == 1)
		reply_bad_method(resp, "GET");
	else if (p->n == 2 && method(req, "GET"))
		reply_user(org, resp, p->seg[1]);
	else if (p->n == 2 && method(req, "PATCH"))
		patch_user(org, req, resp, p->seg[1]);
	else if (p->n == 2)
		reply_bad_method(resp, "GET, PATCH");
	else if (p->n == 3 && !(emu_path_is(p, 2, "reset-token") ||
				emu_path_is(p, 2, "unlock") ||
				emu_path_is(p, 2, "password")))
		no_endpoint(resp);
	else if (p->n == 3 && method(req, "POST"))
		user_action(org, req, resp, p->seg[1], p->seg[2]);
	else if (p->n == 3)
		reply_bad_method(resp, "POST");
	else
		no_endpoint(resp);
}

/* ---- profiles ---- */

static void get_profile(struct emu_org *org, struct emu_resp *resp,
			const char *name)
{
	struct base_err err = BASE_ERR_INIT;
	json_t *p;

	if (emu_org_profile_json(org, name, &p, &err)) {
		reply_err(resp, &err);
		return;
	}
	reply(resp, 200, p);
}

static void list_profiles(struct emu_org *org, struct emu_resp *resp)
{
	struct base_err err = BASE_ERR_INIT;
	json_t *ids, *out = json_array(), *id;
	size_t i;

	ids = base_db_column_list(
		org->db, "SELECT id FROM emu_profile ORDER BY name", &err);
	if (!ids || !out)
		goto fail;
	json_array_foreach(ids, i, id) {
		json_t *p;

		if (emu_org_profile_json(org, json_string_value(id), &p, &err))
			goto fail;
		json_array_append_new(out, p);
	}
	json_decref(ids);
	reply(resp, 200, json_pack("{s:o}", "profiles", out));
	return;
fail:
	json_decref(ids);
	json_decref(out);
	reply_err(resp, &err);
}

/* Applies a checked PATCH body to profile p (in memory). */
static int check_profile_patch(json_t *p, json_t *body, struct base_err *err)
{
	json_t *v = json_object_get(body, "permissions");

	if (v) {
		json_t *merged;

		if (emu_orgfile_check_permissions(v, "permissions", err))
			return BASE_EINVAL;
		merged = json_deep_copy(json_object_get(p, "permissions"));
		if (!json_is_object(merged)) {
			json_decref(merged);
			merged = json_object();
		}
		json_object_update(merged, v);
		json_object_set_new(p, "permissions", merged);
	}
	v = json_object_get(body, "loginHours");
	if (v) {
		if (!json_is_null(v) &&
		    emu_orgfile_check_login_hours(v, "loginHours", err))
			return BASE_EINVAL;
		json_object_set(p, "loginHours", v);
	}
	v = json_object_get(body, "loginIpRanges");
	if (v) {
		if (emu_orgfile_check_ip_ranges(v, "startAddress", "endAddress",
						"loginIpRanges", err))
			return BASE_EINVAL;
		json_object_set(p, "loginIpRanges", v);
	}
	return 0;
}

static void patch_profile(struct emu_org *org, struct emu_req *req,
			  struct emu_resp *resp, const char *name)
{
	static const char *const keys[] = {"permissions", "loginHours",
					   "loginIpRanges", NULL};
	struct base_err err = BASE_ERR_INIT;
	json_t *body = body_object(req, resp, keys), *p = NULL;

	if (!body)
		return;
	if (emu_org_profile_json(org, name, &p, &err) ||
	    check_profile_patch(p, body, &err) ||
	    base_db_end(org->db,
		       base_db_begin(org->db, &err) ||
			       emu_org_profile_save(org, p, &err),
		       &err)) {
		reply_err(resp, &err);
		goto out;
	}
	get_profile(org, resp, json_string_value(json_object_get(p, "id")));
out:
	json_decref(p);
	json_decref(body);
}

static void profiles(struct emu_org *org, struct emu_req *req,
		     struct emu_resp *resp, const struct emu_path *p)
{
	if (p->n == 1 && method(req, "GET"))
		list_profiles(org, resp);
	else if (p->n == 1)
		reply_bad_method(resp, "GET");
	else if (p->n == 2 && method(req, "GET"))
		get_profile(org, resp, p->seg[1]);
	else if (p->n == 2 && method(req, "PATCH"))
		patch_profile(org, req, resp, p->seg[1]);
	else if (p->n == 2)
		reply_bad_method(resp, "GET, PATCH");
	else
		no_endpoint(resp);
}

/* ---- org ---- */

static void get_org(struct emu_org *org, struct emu_resp *resp)
{
	json_t *v = json_deep_copy(org->conf);

	if (v)
		json_object_set_new(v, "id", json_string(org->id));
	reply(resp, 200, v);
}

/*
 * Merges a settings patch into s (a copy of conf.settings): each key
 * replaces the old value, except passwordPolicies, whose keys are merged one
 * by one. A null value removes the key, so the default applies again.
 */
static void merge_settings(json_t *s, json_t *patch)
{
	const char *key;
	json_t *v;

	json_object_foreach(patch, key, v) {
		json_t *old = json_object_get(s, key);

		if (json_is_null(v)) {
			json_object_del(s, key);
		} else if (strcmp(key, "passwordPolicies") == 0 &&
			   json_is_object(v) && json_is_object(old)) {
			const char *k;
			json_t *pv;

			json_object_foreach(v, k, pv) {
				if (json_is_null(pv))
					json_object_del(old, k);
				else
					json_object_set_new(old, k,
							    json_deep_copy(pv));
			}
		} else {
			json_object_set_new(s, key, json_deep_copy(v));
		}
	}
}

/* Applies a PATCH /org body to conf (a deep copy) and checks the result. */
static int check_org_patch(json_t *conf, json_t *body, struct base_err *err)
{
	json_t *v = json_object_get(body, "edition");
	size_t i;
	json_t *f;

	if (v) {
		if (!json_is_string(v))
			return base_err_set(err, BASE_EINVAL,
					    "edition: must be a string");
		if (emu_orgfile_check_edition(json_string_value(v), err))
			return BASE_EINVAL;
		json_object_set(conf, "edition", v);
	}
	v = json_object_get(body, "features");
	if (v) {
		if (!json_is_array(v))
			return base_err_set(err, BASE_EINVAL,
					    "features: must be an array of "
					    "strings");
		json_array_foreach(v, i, f) {
			if (!json_is_string(f))
				return base_err_set(err, BASE_EINVAL,
						    "features[%zu]: must be a "
						    "string",
						    i);
		}
		json_object_set_new(conf, "features", json_deep_copy(v));
	}
	v = json_object_get(body, "orgName");
	if (v) {
		if (!json_is_string(v) || json_string_length(v) < 1 ||
		    json_string_length(v) > 80)
			return base_err_set(err, BASE_EINVAL,
					    "orgName: must be a string of 1 to "
					    "80 characters");
		json_object_set(conf, "orgName", v);
	}
	v = json_object_get(body, "licenses");
	if (v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 1000000)
			return base_err_set(err, BASE_EINVAL,
					    "licenses: must be an integer from 0 "
					    "to 1000000");
		json_object_set(conf, "licenses", v);
	}
	v = json_object_get(body, "dailyApiRequestsUsed");
	if (v && (!json_is_integer(v) || json_integer_value(v) < 0))
		return base_err_set(err, BASE_EINVAL,
				    "dailyApiRequestsUsed: must be a "
				    "non-negative integer");
	v = json_object_get(body, "settings");
	if (v) {
		json_t *s;

		if (!json_is_object(v))
			return base_err_set(err, BASE_EINVAL,
					    "settings: must be an object");
		s = json_object_get(conf, "settings");
		if (!json_is_object(s)) {
			s = json_object();
			json_object_set_new(conf, "settings", s);
		}
		merge_settings(s, v);
		/* Fills in the defaults of removed keys, too. */
		if (emu_orgfile_check_settings(s, err))
			return BASE_EINVAL;
	}
	return 0;
}

static void patch_org(struct emu_org *org, struct emu_req *req,
		      struct emu_resp *resp)
{
	static const char *const keys[] = {"edition", "features", "settings",
					   "orgName", "licenses",
					   "dailyApiRequestsUsed", NULL};
	struct base_err err = BASE_ERR_INIT;
	json_t *body = body_object(req, resp, keys), *conf = NULL, *old;
	int rc;

	if (!body)
		return;
	conf = json_deep_copy(org->conf);
	if (!conf) {
		base_err_set(&err, BASE_ENOMEM, "org settings");
		goto fail;
	}
	if (check_org_patch(conf, body, &err))
		goto fail;
	/* Swap the new settings in for the save; on failure, back out. */
	old = org->conf;
	org->conf = conf;
	rc = base_db_begin(org->db, &err);
	if (rc == 0)
		rc = emu_org_save_conf(org, &err);
	/* Tests start from a given API usage (calls "made earlier today"). */
	if (rc == 0 && json_object_get(body, "dailyApiRequestsUsed"))
		rc = emu_org_api_set_used(
			org,
			json_integer_value(json_object_get(body,
							   "dailyApiRequestsUsed")),
			&err);
	if (base_db_end(org->db, rc, &err)) {
		org->conf = old;
		goto fail;
	}
	json_decref(old);
	json_decref(body);
	get_org(org, resp);
	return;
fail:
	json_decref(conf);
	json_decref(body);
	reply_err(resp, &err);
}

/* ---- outbox and login history ---- */

static void outbox(struct emu_org *org, struct emu_req *req,
		   struct emu_resp *resp)
{
	struct base_err err = BASE_ERR_INIT;
	const char *to = emu_req_query(req, "to");
	json_t *msgs = json_array();
	sqlite3_stmt *st;
	int rc;

	if (!msgs ||
	    base_db_prepare(org->db, &st, &err,
			   to ? "SELECT to_addr, subject, body, sent_ms FROM"
				" outbox WHERE to_addr = ? COLLATE NOCASE"
				" ORDER BY id"
			      : "SELECT to_addr, subject, body, sent_ms FROM"
				" outbox ORDER BY id",
			   to ? "s" : NULL, to)) {
		json_decref(msgs);
		reply_err(resp, &err);
		return;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(
			msgs, json_pack("{s:s, s:s, s:s, s:o}", "to",
					base_db_text(st, 0), "subject",
					base_db_text(st, 1), "body",
					base_db_text(st, 2), "time",
					iso_json(sqlite3_column_int64(st, 3))));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(msgs);
		base_err_set(&err, BASE_ERR, "store: %s", sqlite3_errstr(rc));
		reply_err(resp, &err);
		return;
	}
	reply(resp, 200, json_pack("{s:o}", "messages", msgs));
}

static void login_history(struct emu_org *org, struct emu_req *req,
			  struct emu_resp *resp)
{
	struct base_err err = BASE_ERR_INIT;
	const char *who = emu_req_query(req, "username");
	json_t *recs = json_array();
	sqlite3_stmt *st;
	int rc;

	if (!recs ||
	    base_db_prepare(org->db, &st, &err,
			   who ? "SELECT id, user_id, username, login_time_ms,"
				 " source_ip, login_type, status, api_type,"
				 " api_version, application, login_url FROM"
				 " login_history WHERE username = ? COLLATE"
				 " NOCASE ORDER BY rowid"
			       : "SELECT id, user_id, username, login_time_ms,"
				 " source_ip, login_type, status, api_type,"
				 " api_version, application, login_url FROM"
				 " login_history ORDER BY rowid",
			   who ? "s" : NULL, who)) {
		json_decref(recs);
		reply_err(resp, &err);
		return;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(
			recs,
			json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
				  " s:o, s:o, s:o}",
				  "id", col_json(st, 0), "userId",
				  col_json(st, 1), "username", col_json(st, 2),
				  "loginTime",
				  iso_json(sqlite3_column_int64(st, 3)),
				  "sourceIp", col_json(st, 4), "loginType",
				  col_json(st, 5), "status", col_json(st, 6),
				  "apiType", col_json(st, 7), "apiVersion",
				  col_json(st, 8), "application",
				  col_json(st, 9), "loginUrl",
				  col_json(st, 10)));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(recs);
		base_err_set(&err, BASE_ERR, "store: %s", sqlite3_errstr(rc));
		reply_err(resp, &err);
		return;
	}
	reply(resp, 200, json_pack("{s:o}", "records", recs));
}

/* ---- clock ---- */

static void reply_clock(struct emu_org *org, struct emu_resp *resp)
{
	reply(resp, 200,
	      json_pack("{s:o, s:I, s:I}", "now", iso_json(emu_org_now_ms(org)),
			"offsetSeconds",
			(json_int_t)(org->clock_offset_ms / 1000), "offsetMs",
			(json_int_t)org->clock_offset_ms));
}

/* Seconds in v as milliseconds; BASE_EINVAL unless a number in range. */
static int seconds_ms(json_t *v, const char *key, int64_t *out,
		      struct base_err *err)
{
	double d;

	if (!json_is_number(v))
		return base_err_set(err, BASE_EINVAL, "%s: must be a number",
				    key);
	d = json_number_value(v) * 1000.0;
	if (!(d >= -(double)MAX_OFFSET_MS && d <= (double)MAX_OFFSET_MS))
		return base_err_set(err, BASE_EINVAL,
				    "%s: must be within 100 years", key);
	*out = json_is_integer(v) ? (int64_t)json_integer_value(v) * 1000
				  : (int64_t)d;
	return 0;
}

static void post_clock(struct emu_org *org, struct emu_req *req,
		       struct emu_resp *resp)
{
	static const char *const keys[] = {"now", "offsetSeconds",
					   "advanceSeconds", NULL};
	struct base_err err = BASE_ERR_INIT;
	json_t *body = body_object(req, resp, keys), *v;
	int64_t off = 0, ms;

	if (!body)
		return;
	if (json_object_size(body) != 1) {
		base_err_set(&err, BASE_EINVAL,
			     "give exactly one of now, offsetSeconds, "
			     "advanceSeconds");
		goto fail;
	}
	if ((v = json_object_get(body, "now"))) {
		if (!json_is_string(v) ||
		    base_time_parse_iso(json_string_value(v), &ms) != 0) {
			base_err_set(&err, BASE_EINVAL,
				     "now: must be an ISO-8601 timestamp like "
				     "2030-01-15T09:30:00Z");
			goto fail;
		}
		off = ms - base_time_now_ms();
	} else if ((v = json_object_get(body, "offsetSeconds"))) {
		if (seconds_ms(v, "offsetSeconds", &off, &err))
			goto fail;
	} else {
		if (seconds_ms(json_object_get(body, "advanceSeconds"),
			       "advanceSeconds", &ms, &err))
			goto fail;
		off = org->clock_offset_ms + ms;
	}
	if (off < -MAX_OFFSET_MS || off > MAX_OFFSET_MS) {
		base_err_set(&err, BASE_EINVAL,
			     "the clock must stay within 100 years of now");
		goto fail;
	}
	if (base_db_end(org->db,
		       base_db_begin(org->db, &err) ||
			       emu_org_set_clock_offset(org, off, &err),
		       &err))
		goto fail;
	json_decref(body);
	reply_clock(org, resp);
	return;
fail:
	json_decref(body);
	reply_err(resp, &err);
}

/* ---- sessions, apps ---- */

static void expire_sessions(struct emu_org *org, struct emu_req *req,
			    struct emu_resp *resp)
{
	static const char *const none[] = {NULL};
	struct base_err err = BASE_ERR_INIT;
	json_t *body = body_object(req, resp, none);

	if (!body)
		return;
	json_decref(body);
	if (emu_org_sessions_expire_all(org, &err)) {
		reply_err(resp, &err);
		return;
	}
	reply(resp, 200, json_pack("{s:b}", "expired", 1));
}

/* Stands in for a user who approved the app in a browser. */
static void new_refresh_token(struct emu_org *org, struct emu_req *req,
			      struct emu_resp *resp, const char *app_name)
{
	static const char *const keys[] = {"username", NULL};
	struct base_err err = BASE_ERR_INIT;
	json_t *body = body_object(req, resp, keys), *name;
	struct emu_app app = {0};
	struct emu_user u;
	char token[192];

	if (!body)
		return;
	name = json_object_get(body, "username");
	if (!json_is_string(name)) {
		base_err_set(&err, BASE_EINVAL, "username: is required");
		goto fail;
	}
	if (emu_org_find_app_by_name(org, app_name, &app, &err) ||
	    emu_org_find_user(org, json_string_value(name), &u, &err))
		goto fail;
	if (!emu_app_has_flow(&app, "refresh_token")) {
		emu_reply_admin_error(resp, 400, "INVALID_OPERATION",
				      "the app does not allow the "
				      "refresh_token flow");
		goto out;
	}
	if (!u.is_active || u.is_frozen) {
		emu_reply_admin_error(resp, 400, "INVALID_OPERATION",
				      "the user is inactive or frozen and "
				      "cannot approve an app");
		goto out;
	}
	if (base_db_end(org->db,
		       base_db_begin(org->db, &err) ||
			       emu_org_refresh_new(org, u.id, app.id, token,
						   sizeof(token), &err),
		       &err))
		goto fail;
	reply(resp, 200, json_pack("{s:s}", "refresh_token", token));
	explicit_bzero(token, sizeof(token));
	goto out;
fail:
	reply_err(resp, &err);
out:
	emu_app_release(&app);
	json_decref(body);
}

/* ---- API usage ---- */

/* GET /_emu/api-usage: the rolling 24 hours, per user and per resource. */
static void api_usage(struct emu_org *org, struct emu_resp *resp)
{
	long long hour = emu_org_now_ms(org) / 3600000;
	json_t *by_user = json_object(), *by_res = json_object();
	sqlite3_stmt *st;

	if (base_db_prepare(org->db, &st, NULL,
			   "SELECT coalesce(u.username, a.user_id), sum(a.count)"
			   " FROM api_usage a LEFT JOIN emu_user u ON u.id ="
			   " a.user_id WHERE a.hour > ? GROUP BY 1 ORDER BY 1",
			   "i", hour - 24) == 0) {
		while (sqlite3_step(st) == SQLITE_ROW)
			json_object_set_new(by_user, base_db_text(st, 0),
					    json_integer(sqlite3_column_int64(st, 1)));
		sqlite3_finalize(st);
	}
	if (base_db_prepare(org->db, &st, NULL,
			   "SELECT resource, sum(count) FROM api_usage WHERE"
			   " hour > ? GROUP BY 1 ORDER BY 1",
			   "i", hour - 24) == 0) {
		while (sqlite3_step(st) == SQLITE_ROW)
			json_object_set_new(by_res, base_db_text(st, 0),
					    json_integer(sqlite3_column_int64(st, 1)));
		sqlite3_finalize(st);
	}
	reply(resp, 200,
	      json_pack("{s:I, s:I, s:o, s:o}", "used",
			(json_int_t)emu_org_api_used(org), "max",
			(json_int_t)emu_org_api_max(org), "byUser", by_user,
			"byResource", by_res));
}

/* ---- router ---- */

/*
 * /_emu/faults: POST arms one (201), GET lists them, DELETE disarms all;
 * /_emu/faults/{id}: DELETE disarms one.
 */
static void faults(struct emu_org *org, struct emu_req *req,
		   struct emu_resp *resp, const struct emu_path *p)
{
	static const char *const keys[] = {"path",  "fault",   "method",
					   "times", "delayMs", NULL};
	struct base_err err = BASE_ERR_INIT;
	struct emu_fault armed;
	long long id = 0;
	char *end = NULL;
	json_t *body;

	if (p->n == 2) {
		id = strtoll(p->seg[1], &end, 10);
		if (id <= 0 || *end) {
			no_endpoint(resp);
			return;
		}
		if (!method(req, "DELETE")) {
			reply_bad_method(resp, "DELETE");
			return;
		}
	} else if (method(req, "GET")) {
		reply(resp, 200, emu_faults_json(&org->faults));
		return;
	} else if (method(req, "POST")) {
		body = body_object(req, resp, keys);
		if (!body)
			return;
		if (emu_faults_add(&org->faults, body, &armed, &err) != 0) {
			if (err.code == BASE_ETOOBIG)
				emu_reply_admin_error(resp, 409, "TOO_MANY",
						      err.msg);
			else
				reply_err(resp, &err);
		} else {
			reply(resp, 201, emu_fault_json(&armed));
		}
		json_decref(body);
		return;
	} else if (!method(req, "DELETE")) {
		reply_bad_method(resp, "GET, POST, DELETE");
		return;
	}
	if (emu_faults_remove(&org->faults, id, &err) != 0) {
		reply_err(resp, &err);
		return;
	}
	emu_resp_start(resp, 204, "application/json;charset=UTF-8");
}

void emu_admin_handle(struct emu_org *org, struct emu_req *req,
		      struct emu_resp *resp, const char *rest)
{
	struct emu_path p = {0};
	int rc = emu_path_split(&p, rest ? rest : "");

	if (rc == BASE_EINVAL)
		emu_reply_admin_error(resp, 400, "INVALID_FIELD",
				      "bad %-escape in the path");
	else if (rc || p.n == 0)
		no_endpoint(resp);
	if (rc || p.n == 0)
		goto out;
	if (emu_path_is(&p, 0, "users")) {
		users(org, req, resp, &p);
	} else if (emu_path_is(&p, 0, "profiles")) {
		profiles(org, req, resp, &p);
	} else if (emu_path_is(&p, 0, "org") && p.n == 1) {
		if (method(req, "GET"))
			get_org(org, resp);
		else if (method(req, "PATCH"))
			patch_org(org, req, resp);
		else
			reply_bad_method(resp, "GET, PATCH");
	} else if (emu_path_is(&p, 0, "outbox") && p.n == 1) {
		if (method(req, "GET"))
			outbox(org, req, resp);
		else
			reply_bad_method(resp, "GET");
	} else if (emu_path_is(&p, 0, "login-history") && p.n == 1) {
		if (method(req, "GET"))
			login_history(org, req, resp);
		else
			reply_bad_method(resp, "GET");
	} else if (emu_path_is(&p, 0, "clock") && p.n == 1) {
		if (method(req, "GET"))
			reply_clock(org, resp);
		else if (method(req, "POST"))
			post_clock(org, req, resp);
		else
			reply_bad_method(resp, "GET, POST");
	} else if (emu_path_is(&p, 0, "sessions") &&
		   emu_path_is(&p, 1, "expire") && p.n == 2) {
		if (method(req, "POST"))
			expire_sessions(org, req, resp);
		else
			reply_bad_method(resp, "POST");
	} else if (emu_path_is(&p, 0, "apps") &&
		   emu_path_is(&p, 2, "refresh-tokens") && p.n == 3) {
		if (method(req, "POST"))
			new_refresh_token(org, req, resp, p.seg[1]);
		else
			reply_bad_method(resp, "POST");
	} else if (emu_path_is(&p, 0, "api-usage") && p.n == 1) {
		if (method(req, "GET"))
			api_usage(org, resp);
		else
			reply_bad_method(resp, "GET");
	} else if (emu_path_is(&p, 0, "faults") && p.n <= 2) {
		faults(org, req, resp, &p);
	} else if (emu_path_is(&p, 0, "health") && p.n == 1) {
		if (method(req, "GET"))
			reply(resp, 200,
			      json_pack("{s:s, s:s}", "status", "ok", "orgId",
					org->id));
		else
			reply_bad_method(resp, "GET");
	} else {
		no_endpoint(resp);
	}
out:
	emu_path_release(&p);
}
