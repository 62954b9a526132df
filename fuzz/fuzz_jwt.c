/* fuzz_jwt.c - libFuzzer target for emu_jwt_parse and emu_jwt_signature_ok. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "emu/jwt.h"
#include "base/banned.h"

/*
 * A throwaway self-signed test certificate (CN=sfemu fuzz test, RSA 2048,
 * valid until 2126), made with `openssl req -x509 -newkey rsa:2048 -nodes
 * -keyout key.pem -out cert.pem -days 36500 -subj "/CN=sfemu fuzz test"
 * -sha256`.
 * Its key signed the seeds fuzz/corpus/jwt/valid and aud_array_ms_exp, so
 * the fuzzer starts with inputs that reach a successful verification. The
 * key itself was not kept.
 */
static const char test_cert[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIDFzCCAf+gAwIBAgIUf/0+FbQwcVrzoUBNHZ+5T+sHaMMwDQYJKoZIhvcNAQEL\n"
	"BQAwGjEYMBYGA1UEAwwPc2ZlbXUgZnV6eiB0ZXN0MCAXDTI2MTEyOTE5MTQwOVoY\n"
	"DzIxMjYxMTA1MTkxNDA5WjAaMRgwFgYDVQQDDA9zZmVtdSBmdXp6IHRlc3QwggEi\n"
	"MA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQCrjFpZEGFtWwzwfxx2PeazYJFE\n"
	"coHVaxdyMUN5ZDut+7yEUsznTLdzOln46d0e6MHHvupLyiWIcMKYzLmd2cm1HuCr\n"
	"+vQiGptr1PNQkNCeZOftVySuMR2QDYgyiTTD12PCVvvi1a9DN76PjZ2S8zgbZfJM\n"
	"JY5JxJ3TgTndoyIb6izFyIn7xgJMVa1DftlMFGfaPse1YWHcLzdC1SYFTQG8ILdJ\n"
	"kclSdQhatNvJDQDcipSuyyRp7z5JypHAascOULCnJeVOojWXsTIz6FyDns9xRvRo\n"
	"atu/V7jCtEzw2SqmScqBrjuRLj/Q+gPHRml0iIw6W8zMmAjr9tpqIm4o1jtPAgMB\n"
	"AAGjUzBRMB0GA1UdDgQWBBTHN+LYdmA0Rt3o96LpKtwa4IrKmTAfBgNVHSMEGDAW\n"
	"gBTHN+LYdmA0Rt3o96LpKtwa4IrKmTAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3\n"
	"DQEBCwUAA4IBAQCmy/KqEXABp8XUXcAk709M4N6EHMyzsgvfS3/zs7LqlpflTYn7\n"
	"J/RlAEDEJNLGWA3E+IJ6mRBOmv0Lg4XGsR9JbWNu4Cit1mYOXY8KW21YW94c4NIk\n"
	"NBWWUUizmef3x7h3RoIWOBktjSniJEP5wAU1iVfoaYK4lqOs2eOW3e7VkRGZi7yS\n"
	"mIAx69733JoD/xvxgUiUJ4pi998TkGYmuMs7mfNjHrzxp8MZ0yMnRgbYFNHsVQRy\n"
	"n2Pnlynv/FXOlrPBIE/PnjcHAc1IK0z6/c41hKA/abYODspqLl7Zc8OW88ueqGv2\n"
	"Xswh+yqDAM50WOpNaLSDXDcI5gOBl4S6OM6p\n"
	"-----END CERTIFICATE-----\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Besides crashes and sanitizer reports, aborts when a documented invariant
 * breaks: a failure sets err (same code, a message) and leaves the struct
 * zeroed; a success fills iss, sub and aud with NUL-terminated text.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct emu_jwt jwt;
	struct base_err err = BASE_ERR_INIT;
	char *s = malloc(size + 1);
	int rc;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	rc = emu_jwt_parse(s, &jwt, &err);
	if (rc < 0) {
		if (err.code != rc || err.msg[0] == '\0' || jwt.iss[0] ||
		    jwt.sub[0] || jwt.aud[0] || jwt.has_exp)
			abort();
	} else if (rc != 0 || !jwt.iss[0] || !jwt.sub[0] || !jwt.aud[0] ||
		   strnlen(jwt.iss, sizeof(jwt.iss)) == sizeof(jwt.iss) ||
		   strnlen(jwt.sub, sizeof(jwt.sub)) == sizeof(jwt.sub) ||
		   strnlen(jwt.aud, sizeof(jwt.aud)) == sizeof(jwt.aud)) {
		abort();
	}
	(void)emu_jwt_signature_ok(s, test_cert);

	free(s);
	return 0;
}
