/* harness.h - the router-level fuzz targets' org, requests and reply checks. */
#ifndef FUZZ_HARNESS_H
#define FUZZ_HARNESS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emu/http.h"

/*
 * An input is a request body, optionally preceded by lines that start with
 * '@' (neither a SOAP body, a form nor a JSON body does, so little is lost):
 *   "@/path?query\n"      the path, after the target's path_prefix; a '?'
 *                         starts the query string
 *   "@GET /path?query\n"  with FUZZ_METHOD_LINES: the method too
 *   "@Name: value\n"      a request header (up to 4; they come before the
 *                         defaults Content-Type, Host and, with FUZZ_LOGIN,
 *                         Authorization, so they win)
 * Placeholders (struct fuzz_placeholder) are replaced before anything else.
 * The rest is the body; with FUZZ_INPUT_AS_QUERY, a path line ending in '='
 * ("@GET /services/data/v60.0/query?q=") takes the rest of the input,
 * %-encoded by the harness, as that value, and the body is empty.
 */

/* What a placeholder stands for. Tokens are random, so the fuzzer could
 * never guess one: placeholders let it reach the paths behind them. */
enum fuzz_value {
	FUZZ_SOAP_SESSION,         /* a SOAP session of admin@example.com */
	FUZZ_SOAP_SESSION_EXPIRED, /* one of expired@example.com */
	FUZZ_OAUTH_SESSION,        /* admin@'s access token for the app */
	FUZZ_REFRESH_TOKEN,        /* admin@'s refresh token for the app */
	FUZZ_USER_ID,              /* admin@example.com's 18-character id */
	FUZZ_ACCOUNT_ID,           /* seed Account with Ext__c "X1" */
	FUZZ_DEAL_ID,              /* seed Deal__c with Deal_Key__c "D1" */
};

/* `key` in an input becomes `value`; made at most once per input, and only
 * when the input uses it. */
struct fuzz_placeholder {
	const char *key; /* "@SID@" */
	enum fuzz_value value;
};

enum fuzz_flags {
	FUZZ_METHOD_LINES = 1 << 0,   /* "@GET /path" lines (default POST) */
	FUZZ_LOGIN = 1 << 1,          /* log in once per org (OAuth password
				       * flow); send that token as Bearer */
	FUZZ_INPUT_AS_QUERY = 1 << 2, /* a path ending in '=' takes the body */
};

/* One request as it ran and its reply, borrowed by a target's check. */
struct fuzz_call {
	const struct emu_req *req;
	const struct emu_resp *resp;
	json_t *json; /* the parsed JSON reply; NULL when it isn't JSON */
	/* The whole input after placeholders, '@' lines included. */
	const char *input;
	size_t input_len;
};

/* One per target, immutable. */
struct fuzz_target {
	const char *name;         /* "fuzz_soap": opens every message */
	unsigned flags;           /* enum fuzz_flags */
	const char *path_prefix;  /* put before an '@' line's path */
	const char *default_path; /* the whole path when no line gives one */
	const char *content_type; /* the default Content-Type */
	/* Paths the target may reach, or NULL for any: an input whose path
	 * leaves it is skipped, so that it can't reach handlers whose replies
	 * the target's check doesn't know (or the harness's own session). */
	const char *only_under;
	const struct fuzz_placeholder *placeholders;
	size_t nplaceholders;
	/* Runs after the shared checks of every reply; NULL for none. */
	void (*check)(const struct fuzz_call *c);
};

/*
 * From LLVMFuzzerInitialize: keeps t (it must outlive the process), quiets
 * the logs unless SFEMU_FUZZ_VERBOSE is set (then prints every reply), and
 * opens the org. Returns 0, for LLVMFuzzerInitialize to return.
 */
int fuzz_harness_init(const struct fuzz_target *t);

/*
 * From LLVMFuzzerTestOneInput: runs one input through emu_server_handle,
 * then checks the reply. The org is rebuilt every FUZZ_ORG_RESET_EVERY
 * inputs (see harness.c). Besides crashes and sanitizer reports, aborts
 * when a reply is broken:
 *  - the status is not 100 to 599, the body overflowed, or there is no
 *    Content-Type (only a 204 may lack one);
 *  - text/xml is not a well-formed SOAP Envelope;
 *  - application/json does not parse (an empty body is allowed);
 * and then whatever the target's check finds. Returns 0, for
 * LLVMFuzzerTestOneInput to return.
 */
int fuzz_harness_run(const uint8_t *data, size_t size);

/*
 * Defines libFuzzer's two entry points for the harness target `t` (a
 * struct fuzz_target the file defines), which are the same for every
 * router-level target. Use it once, at file scope, with a ';' after it
 * (the redundant declaration at the end takes it).
 */
#define FUZZ_HARNESS_TARGET(t)                                        \
	int LLVMFuzzerInitialize(int *argc, char ***argv);            \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size); \
	int LLVMFuzzerInitialize(int *argc, char ***argv)             \
	{                                                             \
		(void)argc;                                           \
		(void)argv;                                           \
		return fuzz_harness_init(&(t));                       \
	}                                                             \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)  \
	{                                                             \
		return fuzz_harness_run(data, size);                  \
	}                                                             \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)

/* Prints "<target>: <message>" and aborts, so libFuzzer saves the input. */
void fuzz_harness_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/*
 * Fails when the reply carries a secret of the org (a password, a security
 * token, a consumer secret) or the harness's own session token. With
 * unless_sent, a secret the input itself carries doesn't count (a parser
 * error may quote the input).
 */
void fuzz_harness_check_secrets(const struct fuzz_call *c, bool unless_sent);

#endif
