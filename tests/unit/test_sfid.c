/* test_sfid.c - Salesforce ids: the 15 -> 18 case suffix and id shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "emu/sfid.h"
#include "base/banned.h"

/*
 * The documented algorithm: split the 15-character id into three chunks of
 * five; in each chunk, character i (0..4) that is an upper-case letter sets
 * bit i; the chunk's value indexes "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345".
 */
static void check_to18(const char *id15, const char *want)
{
	char out[EMU_SFID_LEN + 1];

	memset(out, 'X', sizeof(out));
	assert_true(emu_sfid_to18(id15, out));
	assert_string_equal(out, want);
}

static void test_sfid__to18_all_digits_is_aaa(void **state)
{
	(void)state;
	/* "00100" "00000" "00001": no upper case, 0 0 0 -> "AAA". */
	check_to18("001000000000001", "001000000000001AAA");
}

static void test_sfid__to18_upper_case_in_last_chunk(void **state)
{
	(void)state;
	/* "00150" -> 0 'A'; "00000" -> 0 'A';
	 * "VALDt": V=1 A=2 L=4 D=8, t lower -> 15 'P'. */
	check_to18("0015000000VALDt", "0015000000VALDtAAP");
}

static void test_sfid__to18_salesforce_doc_user_id(void **state)
{
	(void)state;
	/* The user id of Salesforce's identity URL example.
	 * "005xx" -> 0 'A'; "00000" -> 0 'A'; "1SwiU": S=2, U=16 -> 18 'S'. */
	check_to18("005xx000001SwiU", "005xx000001SwiUAAS");
}

static void test_sfid__to18_salesforce_doc_org_id(void **state)
{
	(void)state;
	/* "00Dxx": D=4 -> 'E'; "00000" -> 'A'; "01gPL": P=8 L=16 -> 24 'Y'. */
	check_to18("00Dxx0000001gPL", "00Dxx0000001gPLEAY");
}

static void test_sfid__to18_mixed_case_in_every_chunk(void **state)
{
	(void)state;
	/* "a0B5g": B=4 -> 'E'; "00000" -> 'A'; "AbCdE": A=1 C=4 E=16 -> 21 'V'.
	 */
	check_to18("a0B5g00000AbCdE", "a0B5g00000AbCdEEAV");
}

static void test_sfid__to18_all_upper_is_555(void **state)
{
	(void)state;
	/* Every bit set: 31 -> '5' in each chunk. */
	check_to18("ZZZZZZZZZZZZZZZ", "ZZZZZZZZZZZZZZZ555");
}

static void test_sfid__to18_of_18_with_right_suffix_is_itself(void **state)
{
	(void)state;
	check_to18("0015000000VALDtAAP", "0015000000VALDtAAP");
}

static void test_sfid__to18_accepts_lower_case_suffix(void **state)
{
	(void)state;
	/* The suffix letters are compared without case. */
	check_to18("0015000000VALDtaap", "0015000000VALDtAAP");
}

static void test_sfid__rejects_wrong_suffix(void **state)
{
	char out[EMU_SFID_LEN + 1];

	(void)state;
	assert_false(emu_sfid_to18("0015000000VALDtAAA", out));
	assert_false(emu_sfid_is_valid("0015000000VALDtAAA"));
	assert_false(emu_sfid_is_valid("001000000000001AAB"));
}

static void test_sfid__rejects_case_changed_body(void **state)
{
	(void)state;
	/* "vALDt" has lost bit 0 of the last chunk: 'P' no longer matches. */
	assert_false(emu_sfid_is_valid("0015000000vALDtAAP"));
}

static void test_sfid__rejects_wrong_lengths(void **state)
{
	(void)state;
	assert_false(emu_sfid_is_valid(""));
	assert_false(emu_sfid_is_valid("00100000000000"));
	assert_false(emu_sfid_is_valid("0010000000000011"));
	assert_false(emu_sfid_is_valid("00100000000000111"));
	assert_false(emu_sfid_is_valid("001000000000001AAAA"));
}

static void test_sfid__rejects_non_alphanumeric(void **state)
{
	(void)state;
	assert_false(emu_sfid_is_valid("00100000000000!"));
	assert_false(emu_sfid_is_valid("001000000000 01"));
	assert_false(emu_sfid_is_valid("001000000000001AA-"));
}

static void test_sfid__is_valid_accepts_15_and_18(void **state)
{
	(void)state;
	assert_true(emu_sfid_is_valid("005xx000001SwiU"));
	assert_true(emu_sfid_is_valid("005xx000001SwiUAAS"));
}

static void test_sfid__make_zero(void **state)
{
	char out[EMU_SFID_LEN + 1];

	(void)state;
	emu_sfid_make("005", "5g", 0, out);
	/* prefix, pod, reserved '0', nine base-62 digits, suffix. */
	assert_string_equal(out, "0055g0000000000AAA");
}

static void test_sfid__make_counts_in_base_62(void **state)
{
	char out[EMU_SFID_LEN + 1];

	(void)state;
	emu_sfid_make("001", "8d", 61, out);
	assert_string_equal(out, "0018d000000000zAAA");
	emu_sfid_make("001", "8d", 62, out);
	assert_string_equal(out, "0018d0000000010AAA");
}

static void test_sfid__make_three_billion(void **state)
{
	char out[EMU_SFID_LEN + 1];

	(void)state;
	/* 3000000000 = "3H1h2m" in base 62 (0-9A-Za-z).
	 * "0055g" -> 'A'; "00003": none -> 'A'; "H1h2m": H=1 -> 'B'. */
	emu_sfid_make("005", "5g", 3000000000ULL, out);
	assert_string_equal(out, "0055g00003H1h2mAAB");
}

static void test_sfid__make_largest_number(void **state)
{
	char out[EMU_SFID_LEN + 1];

	(void)state;
	/* 62^9 - 1 is nine 'z'. */
	emu_sfid_make("00D", "1a", 13537086546263551ULL, out);
	/* "00D1a": D=4 -> 'E'; "0zzzz" -> 'A'; "zzzzz" -> 'A'. */
	assert_string_equal(out, "00D1a0zzzzzzzzzEAA");
}

static void test_sfid__make_gives_valid_ids(void **state)
{
	static const uint64_t numbers[] = {0, 1, 62, 3000000001ULL,
					   123456789012345ULL};
	char out[EMU_SFID_LEN + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		emu_sfid_make("0PS", "9Z", numbers[i], out);
		assert_int_equal(strlen(out), EMU_SFID_LEN);
		assert_memory_equal(out, "0PS9Z0", 6);
		assert_true(emu_sfid_is_valid(out));
	}
}

static void test_sfid__make_distinct_numbers_give_distinct_ids(void **state)
{
	char a[EMU_SFID_LEN + 1], b[EMU_SFID_LEN + 1];

	(void)state;
	emu_sfid_make("005", "5g", 3000000000ULL, a);
	emu_sfid_make("005", "5g", 3000000001ULL, b);
	assert_string_not_equal(a, b);
	/* ... even compared without case, which is what the suffix is for. */
	assert_true(strcasecmp(a, b) != 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sfid__to18_all_digits_is_aaa),
		cmocka_unit_test(test_sfid__to18_upper_case_in_last_chunk),
		cmocka_unit_test(test_sfid__to18_salesforce_doc_user_id),
		cmocka_unit_test(test_sfid__to18_salesforce_doc_org_id),
		cmocka_unit_test(test_sfid__to18_mixed_case_in_every_chunk),
		cmocka_unit_test(test_sfid__to18_all_upper_is_555),
		cmocka_unit_test(
			test_sfid__to18_of_18_with_right_suffix_is_itself),
		cmocka_unit_test(test_sfid__to18_accepts_lower_case_suffix),
		cmocka_unit_test(test_sfid__rejects_wrong_suffix),
		cmocka_unit_test(test_sfid__rejects_case_changed_body),
		cmocka_unit_test(test_sfid__rejects_wrong_lengths),
		cmocka_unit_test(test_sfid__rejects_non_alphanumeric),
		cmocka_unit_test(test_sfid__is_valid_accepts_15_and_18),
		cmocka_unit_test(test_sfid__make_zero),
		cmocka_unit_test(test_sfid__make_counts_in_base_62),
		cmocka_unit_test(test_sfid__make_three_billion),
		cmocka_unit_test(test_sfid__make_largest_number),
		cmocka_unit_test(test_sfid__make_gives_valid_ids),
		cmocka_unit_test(
			test_sfid__make_distinct_numbers_give_distinct_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
