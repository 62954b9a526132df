/* path.h - a request path split into %-decoded segments. */
#ifndef EMU_PATH_H
#define EMU_PATH_H

#include <stdbool.h>

/*
 * For the routers of /_emu/ and /setup, which name things (users, profiles)
 * by path segment. One thread at a time.
 */
#define EMU_PATH_MAX_SEGS 4

struct emu_path {
	char *seg[EMU_PATH_MAX_SEGS]; /* decoded, NUL-free; owned */
	int n;
};

/*
 * Splits "/users/a%40b/unlock" into its decoded segments; empty segments
 * (repeated or trailing slashes) are skipped. 0; BASE_EINVAL on a bad
 * %-escape or a %00; BASE_ENOTFOUND past EMU_PATH_MAX_SEGS segments. On
 * failure the path is left empty.
 */
int emu_path_split(struct emu_path *p, const char *rest);
/* Whether segment i exists and is s. */
bool emu_path_is(const struct emu_path *p, int i, const char *s);
void emu_path_release(struct emu_path *p);

#endif
