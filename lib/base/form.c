/* form.c - application/x-www-form-urlencoded and URL query strings. */
#include "form.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *base_url_decode(const char *s, size_t n, bool plus_is_space,
		      size_t *len_out)
{
	char *out = malloc(n + 1);
	size_t j = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi, lo;

			if (i + 2 >= n || (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0) {
				free(out);
				return NULL;
			}
			out[j++] = (char)(hi * 16 + lo);
			i += 2;
		} else if (s[i] == '+' && plus_is_space) {
			out[j++] = ' ';
		} else {
			out[j++] = s[i];
		}
	}
	out[j] = '\0';
	if (len_out)
		*len_out = j;
	return out;
}

int base_form_parse(struct base_form *f, const char *s, size_t n,
		    struct base_err *err)
{
	size_t i = 0;

	f->n = 0;
	while (i < n) {
		size_t start = i, eq = (size_t)-1;

		while (i < n && s[i] != '&') {
			if (s[i] == '=' && eq == (size_t)-1)
				eq = i;
			i++;
		}
		size_t end = i++;
		if (end == start)
			continue; /* "a=1&&b=2" */
		if (f->n == BASE_FORM_MAX_PAIRS) {
			base_form_release(f);
			return base_err_set(err, BASE_ETOOBIG,
					    "form has more than %d fields",
					    BASE_FORM_MAX_PAIRS);
		}
		size_t name_end = eq == (size_t)-1 ? end : eq;
		struct base_form_pair *p = &f->pairs[f->n];

		p->name = base_url_decode(s + start, name_end - start, true, NULL);
		p->value = eq == (size_t)-1
				   ? base_url_decode("", 0, true, &p->value_len)
				   : base_url_decode(s + eq + 1, end - eq - 1,
						     true, &p->value_len);
		f->n++;
		if (!p->name || !p->value) {
			int field = f->n;

			base_form_release(f);
			return base_err_set(err, BASE_EINVAL,
					    "form field %d has a bad %%-escape",
					    field);
		}
	}
	return 0;
}

const char *base_form_get(const struct base_form *f, const char *name)
{
	for (int i = 0; i < f->n; i++)
		if (strcmp(f->pairs[i].name, name) == 0)
			return f->pairs[i].value;
	return NULL;
}

int base_form_count(const struct base_form *f, const char *name)
{
	int c = 0;

	for (int i = 0; i < f->n; i++)
		c += strcmp(f->pairs[i].name, name) == 0;
	return c;
}

void base_form_release(struct base_form *f)
{
	for (int i = 0; i < f->n; i++) {
		if (f->pairs[i].value)
			explicit_bzero(f->pairs[i].value, f->pairs[i].value_len);
		free(f->pairs[i].name);
		free(f->pairs[i].value);
	}
	f->n = 0;
}
