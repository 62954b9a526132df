/* fuzz_sf_parse.c - libFuzzer target for libsf's parsers of Salesforce replies, and the redactors. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/redact.h"
#include "sf/error.h"
#include "sf/internal.h"
#include "base/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The first byte picks the parser (mod 7), the rest is its input:
 *   0 sf__parse_rest_errors   1 sf__parse_oauth_error
 *   2 sf__parse_soap_fault    3 sf__parse_limit_info (as a C string)
 *   4 sf__error_from_reply, status = 400 + next byte (so 400..655)
 *   5 base_redact_body/header/url   6 sf__classify(status, "code<NUL>text")
 * Besides crashes and sanitizer reports, aborts when an invariant breaks:
 *  - a parser that fails leaves err untouched; one that succeeds leaves
 *    NUL-terminated code/raw/message with no control characters;
 *  - sf__error_from_reply always yields a message "http N: ..." and a
 *    class, and keeps the API usage it was given;
 *  - a redactor's output holds fewer copies of a "&password=VALUE&" field's
 *    value than the input did (form shape), and never grows beyond
 *    11x + marker.
 */

static void check_text(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20)
			abort();
}

static void check_error(const struct sf_error *e)
{
	check_text(e->code, sizeof(e->code));
	check_text(e->raw, sizeof(e->raw));
	check_text(e->message, sizeof(e->message));
	if (e->nfields < 0 || e->nfields > 8)
		abort();
	for (int i = 0; i < e->nfields; i++)
		check_text(e->fields[i], sizeof(e->fields[i]));
}

static void parser(int (*fn)(const char *, size_t, struct sf_error *),
		   const char *s, size_t n)
{
	struct sf_error e = SF_ERROR_INIT, zero = SF_ERROR_INIT;

	if (fn(s, n, &e) != 0) {
		if (memcmp(&e, &zero, sizeof(e)) != 0)
			abort();
		return;
	}
	check_error(&e);
}

static size_t count(const char *h, size_t n, const char *needle, size_t m)
{
	size_t k = 0;

	for (size_t i = 0; h && i + m <= n; i++)
		k += memcmp(h + i, needle, m) == 0;
	return k;
}

static void redactors(const char *s, size_t n)
{
	struct base_buf b = BASE_BUF_INIT(64u * 1024 * 1024);
	const char *pw = NULL;
	size_t pwlen = 0;

	/* a whole "&password=VALUE&" in the input: VALUE must not survive */
	for (size_t i = 0; i + 10 <= n; i++) {
		if (memcmp(s + i, "&password=", 10) == 0) {
			size_t j = i + 10;

			while (j < n && ((s[j] >= 'a' && s[j] <= 'z') ||
					 (s[j] >= '0' && s[j] <= '9')))
				j++;
			if (j < n && s[j] == '&' && j - (i + 10) >= 12) {
				pw = s + i + 10;
				pwlen = j - (i + 10);
			}
			break;
		}
	}
	/* the same bytes may appear elsewhere too: the output must hold
	 * fewer copies than the input */
	if (base_redact_body_to(&b, s, n) == 0 && pw &&
	    count(b.data, b.len, pw, pwlen) >= count(s, n, pw, pwlen))
		abort();
	base_buf_release(&b);
	(void)base_redact_header_to(&b, s, n);
	base_buf_release(&b);
	(void)base_redact_url_to(&b, s, n);
	if (b.len > 11 * n + sizeof(BASE_REDACTED))
		abort();
	base_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s;
	size_t n;
	char *z;

	if (size < 1)
		return 0;
	s = (const char *)data + 1;
	n = size - 1;
	switch (data[0] % 7) {
	case 0:
		parser(sf__parse_rest_errors, s, n);
		break;
	case 1:
		parser(sf__parse_oauth_error, s, n);
		break;
	case 2:
		parser(sf__parse_soap_fault, s, n);
		break;
	case 3: {
		long long used = -2, max = -2;

		z = malloc(n + 1);
		if (!z)
			return 0;
		memcpy(z, s, n);
		z[n] = '\0';
		if (sf__parse_limit_info(z, &used, &max) == 0) {
			if (used < 0 || max < 0)
				abort();
		} else if (used != -2 || max != -2) {
			abort();
		}
		free(z);
		break;
	}
	case 4: {
		struct sf_error e = SF_ERROR_INIT;
		long status;

		if (n < 1)
			return 0;
		status = 400 + (unsigned char)s[0];
		e.api_used = 12;
		e.api_max = 34;
		sf__error_from_reply(status, "text/xml", s + 1, n - 1, &e);
		check_error(&e);
		if (strncmp(e.message, "http ", 5) != 0 ||
		    e.http_status != status || e.cls == SF_CLASS_NONE ||
		    e.api_used != 12 || e.api_max != 34)
			abort();
		break;
	}
	case 5:
		redactors(s, n);
		break;
	case 6: {
		/* "code\0text": both NUL-terminated in a copy */
		const char *text = "";
		size_t cl;

		z = malloc(n + 1);
		if (!z)
			return 0;
		memcpy(z, s, n);
		z[n] = '\0';
		cl = strlen(z);
		if (cl < n)
			text = z + cl + 1;
		if ((int)sf__classify(400 + (long)(n % 200), z, text) >
		    (int)SF_CLASS_TLS)
			abort();
		free(z);
		break;
	}
	}
	return 0;
}
