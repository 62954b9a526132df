/* tmpdir.h - a unit test's own temporary directory: made fresh, removed whole. */
#ifndef TEST_TMPDIR_H
#define TEST_TMPDIR_H

#include <stddef.h>

/* Makes $TMPDIR/NAME.XXXXXX (or /tmp/...) and writes its path; 0 or -1. */
int test_tmpdir_make(char *out, size_t n, const char *name);
/* rm -rf of a test's own directory (symlinks are removed, never followed). */
void test_tmpdir_remove(const char *path);

#endif
