/* secret.h - a secret's bytes, kept apart so they can't be printed by accident. */
#ifndef SF_SECRET_H
#define SF_SECRET_H

#include <stddef.h>

struct sf_error;

/*
 * Its own type, so passing it to a %s format fails to compile. The bytes
 * are wiped when freed. One owner; copy with sf_secret_dup.
 */
struct sf_secret {
	char *bytes; /* NUL-terminated; read only in lib/sf/auth*.c */
	size_t len;
};

/* Caller owns the result (sf_secret_free); NULL when out of memory. */
struct sf_secret *sf_secret_new(const void *bytes, size_t len);
struct sf_secret *sf_secret_dup(const struct sf_secret *s);
/* Reads a whole file (a password, a PEM key), dropping one trailing newline. */
int sf_secret_from_file(const char *path, struct sf_secret **out,
			struct sf_error *err);
/* Wipes, then frees. NULL is a no-op. */
void sf_secret_free(struct sf_secret *s);

#endif
