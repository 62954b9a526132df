/* pages_help.c - the help pages: every diagnosis code, from the diagnosis table (creds/diagnose.c). */
#include "bridge/web/pages.h"

#include <jansson.h>
#include <string.h>

#include "bridge/creds/diagnose.h"
#include "base/banned.h"

/* GET /help/diagnoses: every code with its title, in the table's order. */
static void help_index(struct web_ctx *c)
{
	struct sfb_tmpl_vars v = SFB_TMPL_VARS_INIT;
	struct base_buf items = BASE_BUF_INIT(64 * 1024);
	struct base_buf content = BASE_BUF_INIT(WEB_PAGE_MAX);
	int rc = 0;

	for (int id = 0; id < SFB_D__COUNT && rc == 0; id++) {
		const struct sfb_diag_def *def = sfb_diag_def(id);
		struct sfb_tmpl_vars iv = SFB_TMPL_VARS_INIT;
		struct base_buf link = BASE_BUF_INIT(1024);

		rc = web_render_code_link(c, def->code, &link);
		sfb_tmpl_vars_html(&iv, "link", base_buf_str(&link));
		sfb_tmpl_vars_text(&iv, "title", def->title);
		if (rc == 0)
			rc = web_render(c, "help_item.html", &iv, &items);
		base_buf_release(&link);
	}
	sfb_tmpl_vars_html(&v, "items", base_buf_str(&items));
	if (rc == 0 && !base_buf_err(&items) &&
	    web_render(c, "help_index.html", &v, &content) == 0)
		web_send_page(c, 200, "Diagnoses", base_buf_str(&content));
	else
		web_error_page(c, 500, "Something went wrong",
			       "The page could not be built.");
	base_buf_release(&items);
	base_buf_release(&content);
}

/*
 * GET /help/diagnoses/CODE: title, code, severity, explanation and the
 * numbered fix steps, as sfb_diag_to_json gives them for a diagnosis
 * without facts (the table's own steps).
 */
static void help_code(struct web_ctx *c, const char *code)
{
	const struct sfb_diag_def *def = sfb_diag_find(code);
	struct sfb_tmpl_vars v = SFB_TMPL_VARS_INIT;
	struct sfb_diags l = SFB_DIAGS_INIT;
	struct base_buf steps = BASE_BUF_INIT(16384);
	struct base_buf content = BASE_BUF_INIT(WEB_PAGE_MAX);
	json_t *d = NULL;

	if (!def) {
		web_error_page(c, 404, "Page not found",
			       "There is no diagnosis with that code. The "
			       "list of every code is at /help/diagnoses.");
		goto out;
	}
	if (!sfb_diags_add(&l, def->id, NULL))
		goto fail;
	d = sfb_diag_to_json(&l.v[0]);
	if (!d)
		goto fail;
	web_put_steps(&steps, json_object_get(d, "fix"));
	sfb_tmpl_vars_text(&v, "code", def->code);
	sfb_tmpl_vars_text(&v, "title", def->title);
	sfb_tmpl_vars_text(&v, "severity",
			   json_string_value(json_object_get(d, "severity")));
	sfb_tmpl_vars_text(&v, "explanation", def->explanation);
	sfb_tmpl_vars_html(&v, "steps", base_buf_str(&steps));
	if (base_buf_err(&steps) ||
	    web_render(c, "help_diag.html", &v, &content) != 0)
		goto fail;
	web_send_page(c, 200, def->title, base_buf_str(&content));
	goto out;
fail:
	web_error_page(c, 500, "Something went wrong",
		       "The page could not be built.");
out:
	json_decref(d);
	sfb_diags_release(&l);
	base_buf_release(&steps);
	base_buf_release(&content);
}

void web_page_help(struct web_ctx *c, const char *rest)
{
	if (!web_is_get(c->req)) {
		web_bad_method(c, "GET, HEAD");
		return;
	}
	if (!strcmp(rest, ""))
		help_index(c);
	else if (rest[0] == '/')
		help_code(c, rest + 1);
	else
		web_error_page(c, 404, "Page not found",
			       "There is no page at this address.");
}
