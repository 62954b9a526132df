/* tmpdir.c - a unit test's own temporary directory: made fresh, removed whole. */
#include "tmpdir.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/banned.h"

int test_tmpdir_make(char *out, size_t n, const char *name)
{
	const char *tmpdir = getenv("TMPDIR");
	int len = snprintf(out, n, "%s/%s.XXXXXX",
			   tmpdir && *tmpdir ? tmpdir : "/tmp", name);

	if (len < 0 || (size_t)len >= n)
		return -1;
	return mkdtemp(out) ? 0 : -1;
}

void test_tmpdir_remove(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (!d) {
		(void)unlink(path);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		char child[PATH_MAX];
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
		if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
			test_tmpdir_remove(child);
		else
			(void)unlink(child);
	}
	closedir(d);
	(void)rmdir(path);
}
