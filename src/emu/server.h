/* server.h - sfemu's request router and the reply helpers every handler shares. */
#ifndef EMU_SERVER_H
#define EMU_SERVER_H

#include <jansson.h>
#include <stdbool.h>

#include "http.h"
#include "org.h"

/* Newest API version sfemu advertises; /services/data lists 31.0 up to it. */
#define EMU_API_MIN 31
#define EMU_API_MAX 66
/* SOAP login() exists up to this version only. */
#define EMU_SOAP_LOGIN_MAX 64

/* The router: takes the org lock for the whole call. */
void emu_server_handle(void *org, struct emu_req *req, struct emu_resp *resp);

/* REST-style error: [{"message":..,"errorCode":..}] with `status`. */
void emu_reply_sf_error(struct emu_resp *resp, int status, const char *code,
			const char *message);
/* JSON body (takes a reference of v; v may be NULL for "null"). */
void emu_reply_json(struct emu_resp *resp, int status, json_t *v);
/* JSON object reply for /_emu/ endpoints: {"error": code, "message": msg}. */
void emu_reply_admin_error(struct emu_resp *resp, int status, const char *code,
			   const char *message);

/* "60.0" from "v60.0"; false unless 31.0 <= version <= EMU_API_MAX. */
bool emu_parse_api_version(const char *seg, int *major);

/* Handlers, one module each. `rest` is the path after the prefix. */
void emu_soap_handle(struct emu_org *org, struct emu_req *req,
		     struct emu_resp *resp, bool enterprise, int version);
void emu_oauth_handle(struct emu_org *org, struct emu_req *req,
		      struct emu_resp *resp, const char *rest);
void emu_identity_handle(struct emu_org *org, struct emu_req *req,
			 struct emu_resp *resp, const char *rest);
void emu_rest_handle(struct emu_org *org, struct emu_req *req,
		     struct emu_resp *resp, const char *rest);
void emu_admin_handle(struct emu_org *org, struct emu_req *req,
		      struct emu_resp *resp, const char *rest);
void emu_setup_handle(struct emu_org *org, struct emu_req *req,
		      struct emu_resp *resp, const char *rest);

/* Bearer/OAuth token of the request, or NULL. Borrowed. */
const char *emu_req_bearer(const struct emu_req *req);

#endif
