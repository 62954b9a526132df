/* tmpl.h - the console's HTML templates: {{name}} substitution, escaped unless the value is HTML we built. */
#ifndef SFB_WEB_TMPL_H
#define SFB_WEB_TMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

/*
 * A template is a file of web/ with {{name}} placeholders (name: [a-z0-9_],
 * 1-32 characters; no spaces, no logic). A value is either text, which is
 * HTML-escaped (& < > " '), or HTML built by rendering another template
 * (sfb_tmpl_vars_html); which one is decided in C, where the value's origin
 * is known, never by the template. A placeholder without a value fails the
 * render, so a typo shows up in the first test rather than as a blank.
 *
 * The set is loaded once at start, is immutable afterwards, and can be
 * shared freely between threads.
 */
struct sfb_tmpl_set;

/*
 * Loads DIR/<name> for each of the n names (templates and static files
 * alike) and checks every {{...}} in the .html ones. Caller owns the result.
 */
int sfb_tmpl_load(const char *dir, const char *const *names, size_t n,
		  struct sfb_tmpl_set **out, struct base_err *err);
void sfb_tmpl_free(struct sfb_tmpl_set *set);
/* A loaded file's bytes (for static files), or NULL. Borrowed. */
const char *sfb_tmpl_file(const struct sfb_tmpl_set *set, const char *name,
			  size_t *len_out);

#define SFB_TMPL_MAX_VARS 40

/* Values for one render; they are borrowed, not copied. */
struct sfb_tmpl_vars {
	struct {
		const char *name;
		const char *value;
		bool html;
	} v[SFB_TMPL_MAX_VARS];
	int n;
};

#define SFB_TMPL_VARS_INIT ((struct sfb_tmpl_vars){.n = 0})

/* Sets (or replaces) a text value; NULL means "". */
void sfb_tmpl_vars_text(struct sfb_tmpl_vars *vars, const char *name,
			const char *value);
/* Sets (or replaces) a value that is already safe HTML (a rendered template). */
void sfb_tmpl_vars_html(struct sfb_tmpl_vars *vars, const char *name,
			const char *html);

/* Appends template `name` rendered with `vars` to out. */
int sfb_tmpl_render(const struct sfb_tmpl_set *set, const char *name,
		    const struct sfb_tmpl_vars *vars, struct base_buf *out,
		    struct base_err *err);

#endif
