/* path.c - a request path split into %-decoded segments. */
#include "path.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/form.h"
#include "base/banned.h"

void emu_path_release(struct emu_path *p)
{
	for (int i = 0; i < p->n; i++)
		free(p->seg[i]);
	p->n = 0;
}

int emu_path_split(struct emu_path *p, const char *rest)
{
	p->n = 0;
	while (*rest) {
		size_t n, len;
		char *s;

		while (*rest == '/')
			rest++;
		n = strcspn(rest, "/");
		if (n == 0)
			break;
		if (p->n == EMU_PATH_MAX_SEGS) {
			emu_path_release(p);
			return BASE_ENOTFOUND;
		}
		s = base_url_decode(rest, n, false, &len);
		if (!s || strlen(s) != len) {
			free(s);
			emu_path_release(p);
			return BASE_EINVAL;
		}
		p->seg[p->n++] = s;
		rest += n;
	}
	return 0;
}

bool emu_path_is(const struct emu_path *p, int i, const char *s)
{
	return i < p->n && strcmp(p->seg[i], s) == 0;
}
