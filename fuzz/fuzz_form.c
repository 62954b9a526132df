/* fuzz_form.c - libFuzzer target for form, %-decoding and ISO-8601 parsers. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/datetime.h"
#include "base/err.h"
#include "base/form.h"
#include "base/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Years 1970 to 9999: where base_time_format_iso writes what parse reads. */
#define ISO_MAX_MS 253402300799999LL

static void check_form(const char *s, size_t n)
{
	struct base_form f = BASE_FORM_INIT;
	struct base_err err = BASE_ERR_INIT;
	int rc = base_form_parse(&f, s, n, &err);

	if (rc < 0) {
		if ((rc != BASE_EINVAL && rc != BASE_ETOOBIG) ||
		    err.code != rc || !err.msg[0] || f.n != 0)
			abort();
		return;
	}
	if (rc != 0 || f.n < 0 || f.n > BASE_FORM_MAX_PAIRS)
		abort();
	for (int i = 0; i < f.n; i++) {
		const struct base_form_pair *p = &f.pairs[i];

		if (!p->name || !p->value || p->value[p->value_len] != '\0' ||
		    strlen(p->value) > p->value_len || p->value_len > n)
			abort();
		/* The first pair of a name wins, and it is counted. */
		if (base_form_get(&f, p->name) == NULL ||
		    base_form_count(&f, p->name) < 1)
			abort();
	}
	if (f.n > 0 && base_form_get(&f, f.pairs[0].name) != f.pairs[0].value)
		abort();
	base_form_release(&f);
	if (f.n != 0)
		abort();
}

/* Every byte as %XX: decoding it must give the bytes back. */
static char *encode(const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = malloc(3 * n + 1);

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		out[3 * i] = '%';
		out[3 * i + 1] = hex[(unsigned char)s[i] >> 4];
		out[3 * i + 2] = hex[(unsigned char)s[i] & 15];
	}
	out[3 * n] = '\0';
	return out;
}

static void check_decode(const char *s, size_t n, bool plus)
{
	size_t len = (size_t)-1, len2 = (size_t)-1;
	char *dec = base_url_decode(s, n, plus, &len);
	char *enc, *back;

	if (!dec) {
		/* Only a bad escape fails (or a lack of memory). */
		if (!memchr(s, '%', n))
			abort();
		return;
	}
	if (len > n || dec[len] != '\0')
		abort();
	if (!memchr(s, '%', n) && !plus && (len != n || memcmp(dec, s, n) != 0))
		abort();
	enc = encode(dec, len);
	if (!enc)
		abort();
	back = base_url_decode(enc, 3 * len, plus, &len2);
	if (!back || len2 != len || memcmp(back, dec, len) != 0)
		abort();
	free(back);
	free(enc);
	free(dec);
}

static void check_time(const char *s)
{
	int64_t ms = 0, ms2 = 0;
	char iso[32];

	if (base_time_parse_iso(s, &ms) != 0)
		return;
	/* What we write, we read back as the same instant. */
	if (ms < 0 || ms > ISO_MAX_MS)
		return;
	base_time_format_iso(ms, iso, sizeof(iso));
	if (base_time_parse_iso(iso, &ms2) != 0 || ms2 != ms)
		abort();
}

/*
 * The whole input goes to all three parsers: the form parser and the
 * decoder get an exact-size copy (they take a length, so ASan sees any read
 * past it), the timestamp parser a NUL-terminated one. Besides sanitizer
 * reports, aborts when a documented contract breaks (see the checks).
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *exact = malloc(size ? size : 1);
	char *str = malloc(size + 1);

	if (!exact || !str)
		goto out;
	memcpy(exact, data, size);
	memcpy(str, data, size);
	str[size] = '\0';

	check_form(exact, size);
	check_decode(exact, size, true);
	check_decode(exact, size, false);
	check_time(str);
out:
	free(str);
	free(exact);
	return 0;
}
