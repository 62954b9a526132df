/* test_b64.c - base64 and base64url: RFC 4648 vectors and strict decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/b64.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/banned.h"

/* RFC 4648 section 10. */
static const char *const rfc_plain[] = {"",     "f",     "fo",    "foo",
					"foob", "fooba", "foobar"};
static const char *const rfc_b64[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
				      "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
static const char *const rfc_unpadded[] = {
	"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};

/* Decodes s with the standard alphabet and checks code and message. */
static void check_b64_rejects(const char *s, size_t n, const char *msg)
{
	struct base_buf out = BASE_BUF_INIT(1024);
	struct base_err err = BASE_ERR_INIT;

	assert_int_equal(base_b64_decode(&out, s, n, &err), BASE_EINVAL);
	assert_int_equal(err.code, BASE_EINVAL);
	assert_string_equal(err.msg, msg);
	assert_int_equal(out.len, 0);
	base_buf_release(&out);
}

static void test_b64__encode_rfc4648_vectors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rfc_plain) / sizeof(rfc_plain[0]); i++) {
		struct base_buf out = BASE_BUF_INIT(64);

		assert_int_equal(base_b64_encode(&out, rfc_plain[i],
						 strlen(rfc_plain[i])),
				 0);
		assert_string_equal(base_buf_str(&out), rfc_b64[i]);
		base_buf_release(&out);
	}
}

static void test_b64__url_encode_rfc4648_vectors_unpadded(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rfc_plain) / sizeof(rfc_plain[0]); i++) {
		struct base_buf out = BASE_BUF_INIT(64);

		assert_int_equal(base_b64url_encode(&out, rfc_plain[i],
						    strlen(rfc_plain[i])),
				 0);
		assert_string_equal(base_buf_str(&out), rfc_unpadded[i]);
		base_buf_release(&out);
	}
}

static void test_b64__alphabets_differ_in_last_two_symbols(void **state)
{
	static const unsigned char in[] = {0xfb, 0xff, 0xbf};
	struct base_buf std = BASE_BUF_INIT(64);
	struct base_buf url = BASE_BUF_INIT(64);

	(void)state;
	assert_int_equal(base_b64_encode(&std, in, sizeof(in)), 0);
	assert_int_equal(base_b64url_encode(&url, in, sizeof(in)), 0);
	assert_string_equal(base_buf_str(&std), "+/+/");
	assert_string_equal(base_buf_str(&url), "-_-_");
	base_buf_release(&std);
	base_buf_release(&url);
}

static void test_b64__encode_appends_to_buffer(void **state)
{
	struct base_buf out = BASE_BUF_INIT(64);

	(void)state;
	(void)base_buf_puts(&out, "sig=");
	assert_int_equal(base_b64_encode(&out, "fo", 2), 0);
	assert_string_equal(base_buf_str(&out), "sig=Zm8=");
	base_buf_release(&out);
}

static void test_b64__encode_reports_buffer_limit(void **state)
{
	struct base_buf out = BASE_BUF_INIT(3);

	(void)state;
	assert_int_equal(base_b64_encode(&out, "foo", 3), BASE_ETOOBIG);
	assert_int_equal(base_buf_err(&out), BASE_ETOOBIG);
	base_buf_release(&out);
}

static void test_b64__encode_long_input_crosses_chunks(void **state)
{
	unsigned char in[100];
	struct base_buf out = BASE_BUF_INIT(1024);

	(void)state;
	memset(in, 0, sizeof(in));
	assert_int_equal(base_b64_encode(&out, in, sizeof(in)), 0);
	/* 100 zero bytes: 33 groups "AAAA", then one byte "AA==". */
	assert_int_equal(out.len, 136);
	assert_memory_equal(out.data + 128, "AAAAAA==", 8);
	base_buf_release(&out);
}

static void test_b64__decode_rfc4648_vectors_padded(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rfc_plain) / sizeof(rfc_plain[0]); i++) {
		struct base_buf out = BASE_BUF_INIT(64);
		struct base_err err = BASE_ERR_INIT;

		assert_int_equal(base_b64_decode(&out, rfc_b64[i],
						 strlen(rfc_b64[i]), &err),
				 0);
		assert_string_equal(base_buf_str(&out), rfc_plain[i]);
		assert_int_equal(out.len, strlen(rfc_plain[i]));
		base_buf_release(&out);
	}
}

static void test_b64__decode_accepts_missing_padding(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rfc_plain) / sizeof(rfc_plain[0]); i++) {
		struct base_buf out = BASE_BUF_INIT(64);
		struct base_err err = BASE_ERR_INIT;

		assert_int_equal(base_b64_decode(&out, rfc_unpadded[i],
						 strlen(rfc_unpadded[i]), &err),
				 0);
		assert_string_equal(base_buf_str(&out), rfc_plain[i]);
		base_buf_release(&out);
	}
}

static void test_b64__decode_reads_only_n_bytes(void **state)
{
	struct base_buf out = BASE_BUF_INIT(64);
	struct base_err err = BASE_ERR_INIT;

	(void)state;
	/* "Zm9v" then garbage that must not be looked at. */
	assert_int_equal(base_b64_decode(&out, "Zm9v!!!!", 4, &err), 0);
	assert_string_equal(base_buf_str(&out), "foo");
	base_buf_release(&out);
}

static void test_b64__decode_rejects_url_alphabet_character(void **state)
{
	(void)state;
	check_b64_rejects("Zm-v", 4,
			  "invalid base64 character '-' at offset 2");
}

static void test_b64url__decode_rejects_std_alphabet_character(void **state)
{
	struct base_buf out = BASE_BUF_INIT(64);
	struct base_err err = BASE_ERR_INIT;

	(void)state;
	assert_int_equal(base_b64url_decode(&out, "Zm9v+A", 6, &err),
			 BASE_EINVAL);
	assert_int_equal(err.code, BASE_EINVAL);
	assert_string_equal(err.msg,
			    "invalid base64url character '+' at offset 4");
	assert_int_equal(out.len, 0);
	base_buf_release(&out);
}

static void test_b64url__decode_accepts_url_symbols(void **state)
{
	struct base_buf out = BASE_BUF_INIT(64);
	struct base_err err = BASE_ERR_INIT;

	(void)state;
	assert_int_equal(base_b64url_decode(&out, "-_-_", 4, &err), 0);
	assert_int_equal(out.len, 3);
	assert_memory_equal(out.data, "\xfb\xff\xbf", 3);
	base_buf_release(&out);
}

static void test_b64url__decode_jwt_header(void **state)
{
	static const char hdr[] = "eyJhbGciOiJSUzI1NiJ9";
	struct base_buf out = BASE_BUF_INIT(64);
	struct base_err err = BASE_ERR_INIT;

	(void)state;
	assert_int_equal(base_b64url_decode(&out, hdr, strlen(hdr), &err), 0);
	assert_string_equal(base_buf_str(&out), "{\"alg\":\"RS256\"}");
	base_buf_release(&out);
}

static void test_b64__decode_rejects_line_break(void **state)
{
	(void)state;
	check_b64_rejects("Zm9v\nZg==", 9,
			  "invalid base64 byte 0x0a at offset 4");
}

static void test_b64__decode_rejects_space(void **state)
{
	(void)state;
	check_b64_rejects("Zm9v Zg==", 9,
			  "invalid base64 byte 0x20 at offset 4");
}

static void test_b64__decode_rejects_nul_within_length(void **state)
{
	(void)state;
	check_b64_rejects("Zm\0v", 4, "invalid base64 byte 0x00 at offset 2");
}

static void test_b64__decode_rejects_high_byte(void **state)
{
	(void)state;
	check_b64_rejects("Zm9\xc3", 4, "invalid base64 byte 0xc3 at offset 3");
}

static void test_b64__decode_rejects_length_one_mod_four(void **state)
{
	(void)state;
	check_b64_rejects("Zm9vZ", 5, "invalid base64 length 5");
}

static void test_b64__decode_rejects_short_padding(void **state)
{
	(void)state;
	check_b64_rejects("Zg=", 3, "invalid base64 padding");
}

static void test_b64__decode_rejects_padding_after_full_group(void **state)
{
	(void)state;
	check_b64_rejects("Zm9v==", 6, "invalid base64 padding");
}

static void test_b64__decode_rejects_lone_padding(void **state)
{
	(void)state;
	check_b64_rejects("=", 1, "invalid base64 padding");
}

static void test_b64__decode_rejects_three_pad_characters(void **state)
{
	(void)state;
	check_b64_rejects("Zg===", 5,
			  "base64 padding at offset 2 is not at the end");
}

static void test_b64__decode_rejects_padding_in_the_middle(void **state)
{
	(void)state;
	check_b64_rejects("Zg==Zg==", 8,
			  "base64 padding at offset 2 is not at the end");
}

static void test_b64__decode_rejects_nonzero_trailing_bits(void **state)
{
	(void)state;
	/* "Zg" is "f"; "Zh" differs only in the 4 bits that carry nothing. */
	check_b64_rejects("Zh==", 4, "base64 has non-zero trailing bits");
	check_b64_rejects("Zm9", 3, "base64 has non-zero trailing bits");
}

static void test_b64__decode_empty_input_is_empty(void **state)
{
	struct base_buf out = BASE_BUF_INIT(64);
	struct base_err err = BASE_ERR_INIT;

	(void)state;
	assert_int_equal(base_b64_decode(&out, "", 0, &err), 0);
	assert_int_equal(out.len, 0);
	assert_string_equal(base_buf_str(&out), "");
	base_buf_release(&out);
}

static void test_b64__decode_leaves_buffer_unchanged_on_error(void **state)
{
	struct base_buf out = BASE_BUF_INIT(64);
	struct base_err err = BASE_ERR_INIT;

	(void)state;
	(void)base_buf_puts(&out, "abc");
	/* The bad character comes after two good groups. */
	assert_int_equal(base_b64_decode(&out, "Zm9vZm9v!", 9, &err),
			 BASE_EINVAL);
	assert_string_equal(err.msg,
			    "invalid base64 character '!' at offset 8");
	assert_string_equal(base_buf_str(&out), "abc");
	assert_int_equal(out.len, 3);
	assert_int_equal(base_buf_err(&out), 0);
	base_buf_release(&out);
}

static void test_b64__decode_reports_buffer_limit(void **state)
{
	struct base_buf out = BASE_BUF_INIT(2);
	struct base_err err = BASE_ERR_INIT;

	(void)state;
	assert_int_equal(base_b64_decode(&out, "Zm9v", 4, &err), BASE_ETOOBIG);
	assert_int_equal(err.code, BASE_ETOOBIG);
	assert_string_equal(
		err.msg, "decoded base64 exceeds the output limit of 2 bytes");
	base_buf_release(&out);
}

static void test_b64__decode_reports_earlier_buffer_failure(void **state)
{
	struct base_buf out = BASE_BUF_INIT(2);
	struct base_err err = BASE_ERR_INIT;

	(void)state;
	(void)base_buf_puts(&out, "too long");
	assert_int_equal(base_b64_decode(&out, "Zg", 2, &err), BASE_ETOOBIG);
	assert_string_equal(err.msg, "decode base64: output buffer failed "
				     "earlier with ETOOBIG");
	base_buf_release(&out);
}

static void test_b64__decode_accepts_null_err(void **state)
{
	struct base_buf out = BASE_BUF_INIT(64);

	(void)state;
	assert_int_equal(base_b64_decode(&out, "!", 1, NULL), BASE_EINVAL);
	base_buf_release(&out);
}

/* Every length 0..200 and both alphabets, over all 256 byte values. */
static void test_b64__round_trips_every_length(void **state)
{
	unsigned char in[200];
	size_t n, i;

	(void)state;
	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 37 + 11);
	for (n = 0; n <= sizeof(in); n++) {
		struct base_buf enc = BASE_BUF_INIT(1024);
		struct base_buf dec = BASE_BUF_INIT(1024);
		struct base_buf uenc = BASE_BUF_INIT(1024);
		struct base_buf udec = BASE_BUF_INIT(1024);
		struct base_err err = BASE_ERR_INIT;

		assert_int_equal(base_b64_encode(&enc, in, n), 0);
		assert_int_equal(enc.len, (n + 2) / 3 * 4);
		assert_int_equal(base_b64_decode(&dec, enc.data, enc.len, &err),
				 0);
		assert_int_equal(dec.len, n);
		if (n)
			assert_memory_equal(dec.data, in, n);
		assert_int_equal(base_b64url_encode(&uenc, in, n), 0);
		assert_int_equal(uenc.len, (n * 4 + 2) / 3);
		assert_int_equal(
			base_b64url_decode(&udec, uenc.data, uenc.len, &err),
			0);
		assert_int_equal(udec.len, n);
		if (n)
			assert_memory_equal(udec.data, in, n);
		base_buf_release(&enc);
		base_buf_release(&dec);
		base_buf_release(&uenc);
		base_buf_release(&udec);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64__encode_rfc4648_vectors),
		cmocka_unit_test(test_b64__url_encode_rfc4648_vectors_unpadded),
		cmocka_unit_test(
			test_b64__alphabets_differ_in_last_two_symbols),
		cmocka_unit_test(test_b64__encode_appends_to_buffer),
		cmocka_unit_test(test_b64__encode_reports_buffer_limit),
		cmocka_unit_test(test_b64__encode_long_input_crosses_chunks),
		cmocka_unit_test(test_b64__decode_rfc4648_vectors_padded),
		cmocka_unit_test(test_b64__decode_accepts_missing_padding),
		cmocka_unit_test(test_b64__decode_reads_only_n_bytes),
		cmocka_unit_test(
			test_b64__decode_rejects_url_alphabet_character),
		cmocka_unit_test(
			test_b64url__decode_rejects_std_alphabet_character),
		cmocka_unit_test(test_b64url__decode_accepts_url_symbols),
		cmocka_unit_test(test_b64url__decode_jwt_header),
		cmocka_unit_test(test_b64__decode_rejects_line_break),
		cmocka_unit_test(test_b64__decode_rejects_space),
		cmocka_unit_test(test_b64__decode_rejects_nul_within_length),
		cmocka_unit_test(test_b64__decode_rejects_high_byte),
		cmocka_unit_test(test_b64__decode_rejects_length_one_mod_four),
		cmocka_unit_test(test_b64__decode_rejects_short_padding),
		cmocka_unit_test(
			test_b64__decode_rejects_padding_after_full_group),
		cmocka_unit_test(test_b64__decode_rejects_lone_padding),
		cmocka_unit_test(test_b64__decode_rejects_three_pad_characters),
		cmocka_unit_test(
			test_b64__decode_rejects_padding_in_the_middle),
		cmocka_unit_test(
			test_b64__decode_rejects_nonzero_trailing_bits),
		cmocka_unit_test(test_b64__decode_empty_input_is_empty),
		cmocka_unit_test(
			test_b64__decode_leaves_buffer_unchanged_on_error),
		cmocka_unit_test(test_b64__decode_reports_buffer_limit),
		cmocka_unit_test(
			test_b64__decode_reports_earlier_buffer_failure),
		cmocka_unit_test(test_b64__decode_accepts_null_err),
		cmocka_unit_test(test_b64__round_trips_every_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
