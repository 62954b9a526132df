/* form.h - application/x-www-form-urlencoded and URL query strings. */
#ifndef BASE_FORM_H
#define BASE_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define BASE_FORM_MAX_PAIRS 64

struct base_form_pair {
	char *name;  /* decoded, NUL-terminated */
	char *value; /* decoded; "" for "name" without '=' */
	size_t value_len; /* a value may hold %00 */
};

/* One thread at a time. Values may be secrets: base_form_release wipes them. */
struct base_form {
	struct base_form_pair pairs[BASE_FORM_MAX_PAIRS];
	int n;
};

#define BASE_FORM_INIT ((struct base_form){.n = 0})

/*
 * Parses `n` bytes of "a=1&b=x+y%21". Fails with BASE_EINVAL on a bad
 * %-escape and BASE_ETOOBIG past BASE_FORM_MAX_PAIRS pairs; on failure the
 * form is left empty.
 */
int base_form_parse(struct base_form *f, const char *s, size_t n,
		    struct base_err *err);
/* First value of `name`, or NULL; borrowed, valid until release. */
const char *base_form_get(const struct base_form *f, const char *name);
/* Number of pairs named `name` (a repeated parameter is often a mistake). */
int base_form_count(const struct base_form *f, const char *name);
void base_form_release(struct base_form *f);

/*
 * Percent-decodes n bytes of s into a new string (caller frees); '+' becomes
 * a space only when plus_is_space. NULL on a bad escape or no memory.
 */
char *base_url_decode(const char *s, size_t n, bool plus_is_space,
		      size_t *len_out);

#endif
