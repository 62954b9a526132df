/* test_crypto.c - random tokens, SHA-256, the OAuth signature, safe compare. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/err.h"
#include "emu/crypto.h"
#include "base/banned.h"

#define BASE62 "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

static const char sf_id_url[] =
	"https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS";

static void test_crypto__random_token_uses_only_alphabet(void **state)
{
	char tok[65];
	size_t i;

	(void)state;
	memset(tok, 'X', sizeof(tok));
	assert_int_equal(emu_random_token(tok, 64, "abc"), 0);
	assert_int_equal(strlen(tok), 64);
	for (i = 0; i < 64; i++)
		assert_non_null(strchr("abc", tok[i]));
}

static void test_crypto__random_token_of_length_zero_is_empty(void **state)
{
	char tok[1] = {'X'};

	(void)state;
	assert_int_equal(emu_random_token(tok, 0, BASE62), 0);
	assert_string_equal(tok, "");
}

static void test_crypto__random_token_single_symbol_alphabet(void **state)
{
	char tok[9];

	(void)state;
	assert_int_equal(emu_random_token(tok, 8, "x"), 0);
	assert_string_equal(tok, "xxxxxxxx");
}

static void test_crypto__random_token_refuses_empty_alphabet(void **state)
{
	char tok[9];

	(void)state;
	memset(tok, 'X', sizeof(tok));
	assert_int_equal(emu_random_token(tok, 8, ""), BASE_ERR);
	assert_string_equal(tok, "");
}

static void test_crypto__random_tokens_differ(void **state)
{
	char a[33], b[33];

	(void)state;
	assert_int_equal(emu_random_token(a, 32, BASE62), 0);
	assert_int_equal(emu_random_token(b, 32, BASE62), 0);
	/* 62^-32 chance of a false failure. */
	assert_string_not_equal(a, b);
}

/*
 * 36 symbols: a plain `byte % 36` would give the first 4 symbols 8/256 and
 * the rest 7/256, i.e. +12.5% over 10000 expected draws. Rejection sampling
 * keeps every count within 6% (6 standard deviations: ~1e-8 false failures).
 */
static void test_crypto__random_token_has_no_modulo_bias(void **state)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	const size_t k = sizeof(alpha) - 1, n = k * 10000;
	size_t counts[36] = {0};
	char *tok = malloc(n + 1);
	size_t i;

	(void)state;
	assert_non_null(tok);
	assert_int_equal(emu_random_token(tok, n, alpha), 0);
	for (i = 0; i < n; i++)
		counts[strchr(alpha, tok[i]) - alpha]++;
	for (i = 0; i < k; i++) {
		assert_in_range(counts[i], 9400, 10600);
	}
	free(tok);
}

/* 255 distinct symbols (every byte but NUL): each one must show up. */
static void test_crypto__random_token_reaches_every_symbol(void **state)
{
	char alpha[256];
	size_t seen[256] = {0};
	char *tok = malloc(255 * 100 + 1);
	size_t i;

	(void)state;
	assert_non_null(tok);
	for (i = 0; i < 255; i++)
		alpha[i] = (char)(i + 1);
	alpha[255] = '\0';
	assert_int_equal(emu_random_token(tok, 255 * 100, alpha), 0);
	for (i = 0; i < 255 * 100; i++)
		seen[(unsigned char)tok[i]]++;
	assert_int_equal(seen[0], 0);
	for (i = 1; i < 256; i++)
		assert_true(seen[i] > 0);
	free(tok);
}

static void test_crypto__sha256_hex_of_abc(void **state)
{
	char hex[65];

	(void)state;
	/* FIPS 180-2 appendix B.1. */
	emu_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
				 "b00361a396177a9cb410ff61f20015ad");
}

static void test_crypto__sha256_hex_of_empty_input(void **state)
{
	char hex[65];

	(void)state;
	emu_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb924"
				 "27ae41e4649b934ca495991b7852b855");
}

static void test_crypto__oauth_signature_matches_openssl(void **state)
{
	struct base_buf sig = BASE_BUF_INIT(128);

	(void)state;
	assert_int_equal(emu_oauth_signature("C1A2B3C4D5E6F7", sf_id_url,
					     "1278448832702", &sig),
			 0);
	/*
	 * Computed once with OpenSSL 3.0, where ID_URL is sf_id_url above:
	 * printf '%s%s' "$ID_URL" 1278448832702 |
	 *   openssl dgst -sha256 -hmac C1A2B3C4D5E6F7 -binary | base64
	 */
	assert_string_equal(base_buf_str(&sig),
			    "9h3IWN7rVMIXpyvUpv2giENSAUTQPBTTiPKYjf4dySo=");
	base_buf_release(&sig);
}

static void test_crypto__oauth_signature_with_empty_secret(void **state)
{
	struct base_buf sig = BASE_BUF_INIT(128);

	(void)state;
	assert_int_equal(
		emu_oauth_signature("", sf_id_url, "1278448832702", &sig), 0);
	/*
	 * Computed once with Python:
	 * base64.b64encode(hmac.new(b'', (id_url + '1278448832702').encode(),
	 *                           hashlib.sha256).digest())
	 */
	assert_string_equal(base_buf_str(&sig),
			    "BkFLK+qnrA/ZJj4um8XnTbdNMwzsbOQWRvpmR4m/XDk=");
	base_buf_release(&sig);
}

static void test_crypto__oauth_signature_reports_buffer_limit(void **state)
{
	struct base_buf sig = BASE_BUF_INIT(43);

	(void)state;
	/* The signature is 44 characters. */
	assert_int_equal(emu_oauth_signature("C1A2B3C4D5E6F7", sf_id_url,
					     "1278448832702", &sig),
			 BASE_ETOOBIG);
	base_buf_release(&sig);
}

static void test_crypto__const_eq_equal_strings(void **state)
{
	(void)state;
	assert_true(emu_const_eq("00Dxx!AQ4AQFz", "00Dxx!AQ4AQFz"));
}

static void test_crypto__const_eq_empty_strings(void **state)
{
	(void)state;
	assert_true(emu_const_eq("", ""));
}

static void test_crypto__const_eq_last_byte_differs(void **state)
{
	(void)state;
	assert_false(emu_const_eq("00Dxx!AQ4AQFz", "00Dxx!AQ4AQFy"));
}

static void test_crypto__const_eq_prefix_is_not_equal(void **state)
{
	(void)state;
	assert_false(emu_const_eq("00Dxx", "00Dxx!AQ4AQFz"));
	assert_false(emu_const_eq("00Dxx!AQ4AQFz", "00Dxx"));
	assert_false(emu_const_eq("", "a"));
}

static void test_crypto__const_eq_null_equals_nothing(void **state)
{
	(void)state;
	assert_false(emu_const_eq(NULL, "a"));
	assert_false(emu_const_eq("a", NULL));
	assert_false(emu_const_eq(NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crypto__random_token_uses_only_alphabet),
		cmocka_unit_test(
			test_crypto__random_token_of_length_zero_is_empty),
		cmocka_unit_test(
			test_crypto__random_token_single_symbol_alphabet),
		cmocka_unit_test(
			test_crypto__random_token_refuses_empty_alphabet),
		cmocka_unit_test(test_crypto__random_tokens_differ),
		cmocka_unit_test(test_crypto__random_token_has_no_modulo_bias),
		cmocka_unit_test(
			test_crypto__random_token_reaches_every_symbol),
		cmocka_unit_test(test_crypto__sha256_hex_of_abc),
		cmocka_unit_test(test_crypto__sha256_hex_of_empty_input),
		cmocka_unit_test(test_crypto__oauth_signature_matches_openssl),
		cmocka_unit_test(
			test_crypto__oauth_signature_with_empty_secret),
		cmocka_unit_test(
			test_crypto__oauth_signature_reports_buffer_limit),
		cmocka_unit_test(test_crypto__const_eq_equal_strings),
		cmocka_unit_test(test_crypto__const_eq_empty_strings),
		cmocka_unit_test(test_crypto__const_eq_last_byte_differs),
		cmocka_unit_test(test_crypto__const_eq_prefix_is_not_equal),
		cmocka_unit_test(test_crypto__const_eq_null_equals_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
