/* lines.c - reads the '@' lines that start a router-level fuzz input. */
#include "lines.h"

#include <string.h>

#include "base/banned.h"

char *fuzz_lines_read(struct fuzz_lines *out, char *p, char *end,
		      bool methods, int max_headers)
{
	memset(out, 0, sizeof(*out));
	while (p < end && *p == '@') {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *line = p + 1, *colon;
		size_t n;

		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
		/* "GET /x": capital letters, one space, then the path. */
		n = strspn(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
		if (methods && n > 0 && n < sizeof(out->method) &&
		    line[n] == ' ' && line[n + 1] == '/') {
			memcpy(out->method, line, n);
			out->method[n] = '\0';
			line += n + 1;
		}
		if (line[0] == '/') {
			out->path = line;
		} else if ((colon = strchr(line, ':')) != NULL &&
			   out->nheaders < max_headers &&
			   out->nheaders < FUZZ_LINES_MAX_HEADERS) {
			*colon++ = '\0';
			while (*colon == ' ')
				colon++;
			out->headers[out->nheaders][0] = line;
			out->headers[out->nheaders][1] = colon;
			out->nheaders++;
		}
	}
	return p;
}
