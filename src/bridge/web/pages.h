/* pages.h - what the console's page files (pages.c, pages_menu.c, pages_help.c) share. */
#ifndef SFB_WEB_PAGES_H
#define SFB_WEB_PAGES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "bridge/web/web_int.h"

struct sfb_creds_result;

/* Rows of the menu's validation history. */
#define WEB_HISTORY_ROWS 10

/*
 * What the credentials feature knows, no network call: the active
 * credentials and their last validation (sfb_creds_show) into r, which is
 * initialised either way (release it); when asked, sfbridge's refused
 * logins in the lockout window while the guard holds them (else -1), and
 * the last WEB_HISTORY_ROWS validations, newest first (caller owns; NULL on
 * failure). Returns 0, or -1 after logging why, r then empty (the caller
 * shows "locked").
 */
int web_creds_read(struct web_ctx *c, struct sfb_creds_result *r,
		   long long *failures, json_t **history);
/*
 * For a form's POST: true, or false after answering (405 with `allow`,
 * 415 or 400 for the form, a redirect to /login, 403 without the CSRF
 * token).
 */
bool web_admin_post(struct web_ctx *c, const char *allow);
/* The status the pages and the API show, from what web_creds_read read. */
void web_status_from(const struct sfb_creds_result *r, bool failed,
		     struct web_conn_status *st);

/*
 * Renders diagnoses in their JSON form (sfb_diag_to_json), errors first,
 * each code a link to its help page. `only_notes` skips errors.
 */
int web_render_diags(struct web_ctx *c, json_t *arr, bool only_notes,
		     struct base_buf *out);
/* Appends a diagnosis' fix steps (a JSON array of strings) as <li>s. */
void web_put_steps(struct base_buf *out, json_t *fix);
/* A notice box: kind "ok", "warning" or "error" (role alert). */
int web_render_notice(struct web_ctx *c, const char *kind, const char *text,
		      const char *more_html, struct base_buf *out);
/* <a href="/help/diagnoses/CODE"><code class="code">CODE</code></a> */
int web_render_code_link(struct web_ctx *c, const char *code,
			 struct base_buf *out);

/* "2026-11-29T19:04:47.123Z" -> "2026-11-29 19:04 UTC" (n >= 21). */
void web_short_time(const char *iso, char *out, size_t n);
/* 15000 -> "15,000" (n >= 27). */
void web_count(long long v, char *out, size_t n);

#endif
