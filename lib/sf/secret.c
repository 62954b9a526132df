/* secret.c - a secret's bytes: copied, read from files, wiped when freed. */
#include "sf/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "sf/error.h"
#include "sf/error_int.h"
#include "base/banned.h"

/* A password, a token or a PEM key: anything longer is not a secret file. */
#define SECRET_FILE_MAX (64u * 1024)

struct sf_secret *sf_secret_new(const void *bytes, size_t len)
{
	struct sf_secret *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->bytes = malloc(len + 1);
	if (!s->bytes) {
		free(s);
		return NULL;
	}
	if (len)
		memcpy(s->bytes, bytes, len);
	s->bytes[len] = '\0';
	s->len = len;
	return s;
}

struct sf_secret *sf_secret_dup(const struct sf_secret *s)
{
	if (!s)
		return NULL;
	return sf_secret_new(s->bytes, s->len);
}

void sf_secret_free(struct sf_secret *s)
{
	if (!s)
		return;
	if (s->bytes) {
		explicit_bzero(s->bytes, s->len + 1);
		free(s->bytes);
	}
	explicit_bzero(s, sizeof(*s));
	free(s);
}

/*
 * Reads through a secret buffer (wiped when it grows and when released) and
 * a stack chunk that is wiped too, so no copy of the file's bytes is left
 * behind but the result. The path may be named in messages; the content
 * never is. Refuses anything but a regular file (a FIFO would block, a
 * directory is a mistake) and files over 64 KB.
 */
int sf_secret_from_file(const char *path, struct sf_secret **out,
			struct sf_error *err)
{
	struct base_buf b = BASE_BUF_SECRET_INIT(SECRET_FILE_MAX);
	char chunk[4096];
	struct stat st;
	int fd = -1, rc;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		char why[128];

		if (strerror_r(errno, why, sizeof(why)) != 0)
			snprintf(why, sizeof(why), "errno %d", errno);
		rc = sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				   "read secret '%s': %s", path, why);
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				   "read secret '%s': not a regular file",
				   path);
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = sf__error_set(
				err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				"read secret '%s': read failed (errno %d)",
				path, errno);
			goto out;
		}
		if (n == 0)
			break;
		base_buf_append(&b, chunk, (size_t)n);
		if (base_buf_err(&b))
			break;
	}
	if (base_buf_err(&b) == BASE_ETOOBIG) {
		rc = sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				   "read secret '%s': larger than %u bytes",
				   path, SECRET_FILE_MAX);
		goto out;
	}
	if (base_buf_err(&b)) {
		rc = sf__error_set(err, SF_CLASS_NONE, 0, NULL,
				   "read secret '%s': out of memory", path);
		rc = BASE_ENOMEM;
		goto out;
	}
	/* One trailing newline (an editor's) is not part of the secret. */
	if (b.len && b.data[b.len - 1] == '\n')
		b.len--;
	if (b.len && b.data[b.len - 1] == '\r')
		b.len--;
	*out = sf_secret_new(base_buf_str(&b), b.len);
	if (!*out) {
		rc = sf__error_set(err, SF_CLASS_NONE, 0, NULL,
				   "read secret '%s': out of memory", path);
		rc = BASE_ENOMEM;
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(chunk, sizeof(chunk));
	if (fd >= 0)
		close(fd);
	base_buf_release(&b);
	return rc;
}
