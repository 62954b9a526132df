/* faults.h - injected failures: the next matching requests get a 503, a row lock, the daily limit, an HTML error page, or a delay. */
#ifndef EMU_FAULTS_H
#define EMU_FAULTS_H

#include <jansson.h>
#include <stdbool.h>

#include "base/err.h"
#include "http.h"

/*
 * A test arms a fault through POST /_emu/faults (admin.c); the router
 * (server.c) asks, for every request off the wire outside /_emu and
 * /setup, whether one matches, before the request reaches its protocol
 * module. A matching fault is consumed once per request (`times`; 0 =
 * until removed). The replies are Salesforce's shapes
 * (salesforce-protocol.md section 3.6 and 9):
 *
 *   unavailable     503; REST: [{"errorCode":"SERVER_UNAVAILABLE",...}],
 *                   elsewhere an HTML page
 *   server_error    500 [{"errorCode":"UNKNOWN_EXCEPTION",...}]  (REST only)
 *   lock_row        400 [{"errorCode":"UNABLE_TO_LOCK_ROW",...}] (REST only)
 *   request_limit   403 [{"errorCode":"REQUEST_LIMIT_EXCEEDED",
 *                   "message":"TotalRequests Limit exceeded."}]   (REST only)
 *   html            503 text/html, as a proxy or maintenance page sends
 *   delay           no failure: the request waits delayMs, then runs
 *
 * Any kind may carry delayMs (the wait comes first, outside the org lock,
 * so other requests go on meanwhile). Faults live in memory only.
 */
enum emu_fault_kind {
	EMU_FAULT_UNAVAILABLE,
	EMU_FAULT_SERVER_ERROR,
	EMU_FAULT_LOCK_ROW,
	EMU_FAULT_REQUEST_LIMIT,
	EMU_FAULT_HTML,
	EMU_FAULT_DELAY,
};

#define EMU_FAULTS_MAX 32
#define EMU_FAULT_DELAY_MAX_MS 60000

struct emu_fault {
	long long id;
	char method[16];  /* "" = any */
	char path[256];   /* exact, or a prefix when it ends in '*' */
	enum emu_fault_kind kind;
	int remaining;    /* -1: until removed */
	int delay_ms;
	long long hits;
};

/* Guarded by the org lock. Zeroed is empty. */
struct emu_faults {
	struct emu_fault v[EMU_FAULTS_MAX];
	int n;
	long long next_id;
};

/*
 * Arms the fault described by a JSON object {"path", "fault", "method"?,
 * "times"?, "delayMs"?} (the caller has refused other keys); a bad value
 * is BASE_EINVAL with the reason in err, a full list BASE_ETOOBIG. *out:
 * the armed fault.
 */
int emu_faults_add(struct emu_faults *f, json_t *spec, struct emu_fault *out,
		   struct base_err *err);
/* Removes one (BASE_ENOTFOUND when no such id) or, with id 0, all. */
int emu_faults_remove(struct emu_faults *f, long long id, struct base_err *err);
/* {"faults": [...]} (new reference). */
json_t *emu_faults_json(const struct emu_faults *f);
json_t *emu_fault_json(const struct emu_fault *x);

/* The first armed fault matching req, consumed once: true with a copy. */
bool emu_faults_take(struct emu_faults *f, const struct emu_req *req,
		     struct emu_fault *out);
/* The fault's reply (not for EMU_FAULT_DELAY, which has none). */
void emu_fault_reply(const struct emu_fault *x, const struct emu_req *req,
		     struct emu_resp *resp);

#endif
