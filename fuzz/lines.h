/* lines.h - the '@' lines that start a router-level fuzz input: method and path, headers. */
#ifndef FUZZ_LINES_H
#define FUZZ_LINES_H

#include <stdbool.h>
#include <stddef.h>

#define FUZZ_LINES_MAX_HEADERS 8

/*
 * What the lines said (see harness.h for the format): "@GET /path?q" (the
 * method only when `methods`), "@/path?q", "@Name: value". Strings point
 * into the input, which fuzz_lines_read cuts in place.
 */
struct fuzz_lines {
	char method[16];    /* "" when no line gave one */
	const char *path;   /* NULL when no line gave one; the last one wins */
	const char *headers[FUZZ_LINES_MAX_HEADERS][2];
	int nheaders;       /* past max_headers, header lines are dropped */
};

/*
 * Reads the '@' lines at p (up to end), keeping at most max_headers
 * (<= FUZZ_LINES_MAX_HEADERS) headers; returns where the body starts.
 */
char *fuzz_lines_read(struct fuzz_lines *out, char *p, char *end,
		      bool methods, int max_headers);

#endif
