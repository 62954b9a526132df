/* orgfile.h - read and check an org-definition file, filling in Salesforce's defaults. */
#ifndef EMU_ORGFILE_H
#define EMU_ORGFILE_H

#include <jansson.h>

#include "base/err.h"

/* Largest org-definition file accepted. */
#define EMU_ORGFILE_MAX (8u * 1024 * 1024)

/*
 * Parses and checks the org definition in `text` and returns it normalised:
 * every optional key present with its default. On error (BASE_EINVAL) the
 * message names the key and why ("users[1].profile: no profile named 'X'")
 * and *out is NULL. Caller owns *out (json_decref).
 */
int emu_orgfile_parse(const char *text, size_t len, json_t **out,
		      struct base_err *err);
/* Reads `path` and calls emu_orgfile_parse; the message starts with the path. */
int emu_orgfile_load(const char *path, json_t **out, struct base_err *err);

/* Checks settings / profile fragments, as PATCH /_emu/... applies them. */
int emu_orgfile_check_settings(json_t *settings, struct base_err *err);
int emu_orgfile_check_login_hours(json_t *hours, const char *where,
				  struct base_err *err);
int emu_orgfile_check_ip_ranges(json_t *ranges, const char *start_key,
				const char *end_key, const char *where,
				struct base_err *err);
int emu_orgfile_check_permissions(json_t *perms, const char *where,
				  struct base_err *err);
int emu_orgfile_check_edition(const char *edition, struct base_err *err);

/* True when an edition has the API (Professional needs the "API" feature). */
int emu_orgfile_edition_has_api(const char *edition, json_t *features);

#endif
