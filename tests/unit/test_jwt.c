/* test_jwt.c - RS256 JWT bearer assertions: parsing and signatures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base/b64.h"
#include "base/buf.h"
#include "base/err.h"
#include "emu/jwt.h"
#include "base/banned.h"

#define RS256 "{\"alg\":\"RS256\"}"
#define CLAIMS                                                         \
	"{\"iss\":\"3MVG9consumerkey\",\"sub\":\"admin@example.com\"," \
	"\"aud\":\"https://login.salesforce.com\",\"exp\":1893456000}"

/* Made once per binary in group_setup: RSA keygen is slow. */
struct keys {
	EVP_PKEY *key;    /* signs the assertions */
	char *cert;       /* self-signed X.509 PEM for key */
	char *pubkey;     /* "PUBLIC KEY" PEM for key */
	char *other_cert; /* a different RSA key's certificate */
	char *ec_cert;    /* a P-256 certificate */
};

static char *bio_to_string(BIO *bio)
{
	char *data = NULL;
	long n = BIO_get_mem_data(bio, &data);
	char *s = malloc((size_t)n + 1);

	assert_non_null(s);
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	return s;
}

/* A self-signed certificate for key, valid for an hour; caller frees. */
static char *make_cert(EVP_PKEY *key)
{
	X509 *x = X509_new();
	BIO *bio = BIO_new(BIO_s_mem());
	X509_NAME *name;
	char *pem;

	assert_non_null(x);
	assert_non_null(bio);
	assert_int_equal(X509_set_version(x, 2), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 1), 1);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
	assert_int_equal(X509_set_pubkey(x, key), 1);
	name = X509_get_subject_name(x);
	assert_int_equal(
		X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					   (const unsigned char *)"sfemu test",
					   -1, -1, 0),
		1);
	assert_int_equal(X509_set_issuer_name(x, name), 1);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	assert_int_equal(PEM_write_bio_X509(bio, x), 1);
	pem = bio_to_string(bio);
	BIO_free(bio);
	X509_free(x);
	return pem;
}

static char *make_pubkey_pem(EVP_PKEY *key)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem;

	assert_non_null(bio);
	assert_int_equal(PEM_write_bio_PUBKEY(bio, key), 1);
	pem = bio_to_string(bio);
	BIO_free(bio);
	return pem;
}

static int group_setup(void **state)
{
	struct keys *k = calloc(1, sizeof(*k));
	EVP_PKEY *other, *ec;

	if (!k)
		return -1;
	k->key = EVP_RSA_gen(2048);
	other = EVP_RSA_gen(2048);
	ec = EVP_EC_gen("P-256");
	if (!k->key || !other || !ec)
		return -1;
	k->cert = make_cert(k->key);
	k->pubkey = make_pubkey_pem(k->key);
	k->other_cert = make_cert(other);
	k->ec_cert = make_cert(ec);
	EVP_PKEY_free(other);
	EVP_PKEY_free(ec);
	*state = k;
	return 0;
}

static int group_teardown(void **state)
{
	struct keys *k = *state;

	EVP_PKEY_free(k->key);
	free(k->cert);
	free(k->pubkey);
	free(k->other_cert);
	free(k->ec_cert);
	free(k);
	return 0;
}

/* "<b64url(hdr)>.<b64url(pay)>" into b. */
static void put_signing_input(struct base_buf *b, const char *hdr,
			      const char *pay)
{
	assert_int_equal(base_b64url_encode(b, hdr, strlen(hdr)), 0);
	assert_int_equal(base_buf_putc(b, '.'), 0);
	assert_int_equal(base_b64url_encode(b, pay, strlen(pay)), 0);
}

/* A real RS256 assertion signed with EVP_DigestSign; caller frees. */
static char *sign_rs256(EVP_PKEY *key, const char *hdr, const char *pay)
{
	struct base_buf b = BASE_BUF_INIT(4 * EMU_JWT_MAX_LEN);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char sig[1024];
	size_t siglen = sizeof(sig);

	assert_non_null(md);
	put_signing_input(&b, hdr, pay);
	assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key),
			 1);
	assert_int_equal(EVP_DigestSign(md, sig, &siglen,
					(const unsigned char *)b.data, b.len),
			 1);
	assert_int_equal(base_buf_putc(&b, '.'), 0);
	assert_int_equal(base_b64url_encode(&b, sig, siglen), 0);
	EVP_MD_CTX_free(md);
	return base_buf_detach(&b, NULL);
}

/* An assertion with the literal signature part `sig`; caller frees. */
static char *unsigned_jwt(const char *hdr, const char *pay, const char *sig)
{
	struct base_buf b = BASE_BUF_INIT(4 * EMU_JWT_MAX_LEN);

	put_signing_input(&b, hdr, pay);
	assert_int_equal(base_buf_putc(&b, '.'), 0);
	assert_int_equal(base_buf_puts(&b, sig), 0);
	return base_buf_detach(&b, NULL);
}

/* A heap copy of s[0..n-1] with nothing after the NUL, so ASan sees over-reads.
 */
static char *exact_copy(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	assert_non_null(p);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Parses the assertion `a` and checks the exact code and message. */
static void check_parse_refused(const char *a, int code, const char *msg)
{
	struct emu_jwt jwt;
	struct base_err err = BASE_ERR_INIT;

	assert_int_equal(emu_jwt_parse(a, &jwt, &err), code);
	assert_int_equal(err.code, code);
	assert_string_equal(err.msg, msg);
}

/* Parses hdr.pay.sig and checks the exact code and message. */
static void check_refused(const char *hdr, const char *pay, int code,
			  const char *msg)
{
	char *a = unsigned_jwt(hdr, pay, "c2ln");

	check_parse_refused(a, code, msg);
	free(a);
}

/* Parses hdr.pay.sig, which must succeed, into *jwt. */
static void parse_ok(const char *hdr, const char *pay, struct emu_jwt *jwt)
{
	char *a = unsigned_jwt(hdr, pay, "c2ln");
	struct base_err err = BASE_ERR_INIT;

	assert_int_equal(emu_jwt_parse(a, jwt, &err), 0);
	free(a);
}

/* Whether CLAIMS signed with k->key verifies against `pem`. */
static bool signed_claims_verify(const struct keys *k, const char *pem)
{
	char *a = sign_rs256(k->key, RS256, CLAIMS);
	bool ok = emu_jwt_signature_ok(a, pem);

	free(a);
	return ok;
}

static void test_jwt__parse_fills_claims(void **state)
{
	struct keys *k = *state;
	char *a = sign_rs256(k->key, RS256, CLAIMS);
	struct emu_jwt jwt;
	struct base_err err = BASE_ERR_INIT;

	assert_int_equal(emu_jwt_parse(a, &jwt, &err), 0);
	assert_int_equal(err.code, BASE_OK);
	assert_string_equal(jwt.iss, "3MVG9consumerkey");
	assert_string_equal(jwt.sub, "admin@example.com");
	assert_string_equal(jwt.aud, "https://login.salesforce.com");
	assert_true(jwt.has_exp);
	assert_int_equal(jwt.exp, 1893456000);
	free(a);
}

static void test_jwt__parse_takes_first_aud_of_array(void **state)
{
	struct emu_jwt jwt;

	(void)state;
	parse_ok(RS256,
		 "{\"iss\":\"k\",\"sub\":\"u\",\"aud\":"
		 "[\"https://test.salesforce.com\",\"other\"]}",
		 &jwt);
	assert_string_equal(jwt.aud, "https://test.salesforce.com");
}

static void test_jwt__parse_refuses_empty_aud_array(void **state)
{
	(void)state;
	check_refused(RS256, "{\"iss\":\"k\",\"sub\":\"u\",\"aud\":[]}",
		      BASE_EINVAL, "claim 'aud' is an empty array");
}

static void test_jwt__parse_refuses_non_string_aud_in_array(void **state)
{
	(void)state;
	check_refused(RS256, "{\"iss\":\"k\",\"sub\":\"u\",\"aud\":[7]}",
		      BASE_EINVAL, "claim 'aud' is not a string");
}

static void test_jwt__parse_without_exp_clears_has_exp(void **state)
{
	struct emu_jwt jwt;

	(void)state;
	memset(&jwt, 0x55, sizeof(jwt));
	parse_ok(RS256, "{\"iss\":\"k\",\"sub\":\"u\",\"aud\":\"a\"}", &jwt);
	assert_false(jwt.has_exp);
	assert_int_equal(jwt.exp, 0);
}

static void test_jwt__parse_keeps_exp_in_milliseconds_raw(void **state)
{
	struct emu_jwt jwt;

	(void)state;
	parse_ok(RS256,
		 "{\"iss\":\"k\",\"sub\":\"u\",\"aud\":\"a\","
		 "\"exp\":1893456000000}",
		 &jwt);
	assert_true(jwt.has_exp);
	assert_int_equal(jwt.exp, INT64_C(1893456000000));
}

static void test_jwt__parse_floors_fractional_exp(void **state)
{
	struct emu_jwt jwt;

	(void)state;
	parse_ok(RS256,
		 "{\"iss\":\"k\",\"sub\":\"u\",\"aud\":\"a\","
		 "\"exp\":1893456000.75}",
		 &jwt);
	assert_true(jwt.has_exp);
	assert_int_equal(jwt.exp, 1893456000);
}

static void test_jwt__parse_refuses_string_exp(void **state)
{
	(void)state;
	check_refused(RS256,
		      "{\"iss\":\"k\",\"sub\":\"u\",\"aud\":\"a\","
		      "\"exp\":\"1893456000\"}",
		      BASE_EINVAL, "claim 'exp' is not a number");
}

static void test_jwt__parse_refuses_huge_real_exp(void **state)
{
	(void)state;
	check_refused(
		RS256,
		"{\"iss\":\"k\",\"sub\":\"u\",\"aud\":\"a\",\"exp\":1e300}",
		BASE_EINVAL, "claim 'exp' is out of range");
}

static void test_jwt__parse_refuses_alg_none(void **state)
{
	char *a = unsigned_jwt("{\"alg\":\"none\"}", CLAIMS, "");

	(void)state;
	check_parse_refused(a, BASE_EINVAL, "alg 'none' is not RS256");
	free(a);
}

static void test_jwt__parse_refuses_hs256(void **state)
{
	(void)state;
	check_refused("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", CLAIMS,
		      BASE_EINVAL, "alg 'HS256' is not RS256");
}

static void test_jwt__parse_refuses_lowercase_rs256(void **state)
{
	(void)state;
	check_refused("{\"alg\":\"rs256\"}", CLAIMS, BASE_EINVAL,
		      "alg 'rs256' is not RS256");
}

static void test_jwt__parse_does_not_quote_unprintable_alg(void **state)
{
	(void)state;
	check_refused("{\"alg\":\"RS256\\u001b[31m\"}", CLAIMS, BASE_EINVAL,
		      "alg is not RS256");
}

static void test_jwt__parse_refuses_missing_alg(void **state)
{
	(void)state;
	check_refused("{\"typ\":\"JWT\"}", CLAIMS, BASE_EINVAL,
		      "header has no 'alg'");
}

static void test_jwt__parse_refuses_non_string_alg(void **state)
{
	(void)state;
	check_refused("{\"alg\":256}", CLAIMS, BASE_EINVAL,
		      "alg is not a string");
}

static void test_jwt__parse_refuses_crit_header(void **state)
{
	(void)state;
	check_refused("{\"alg\":\"RS256\",\"crit\":[\"exp\"]}", CLAIMS,
		      BASE_EINVAL, "header 'crit' is not supported");
}

static void test_jwt__parse_refuses_missing_sub(void **state)
{
	(void)state;
	check_refused(RS256, "{\"iss\":\"k\",\"aud\":\"a\",\"exp\":1}",
		      BASE_EINVAL, "claim 'sub' missing");
}

static void test_jwt__parse_refuses_missing_iss(void **state)
{
	(void)state;
	check_refused(RS256, "{\"sub\":\"u\",\"aud\":\"a\"}", BASE_EINVAL,
		      "claim 'iss' missing");
}

static void test_jwt__parse_refuses_missing_aud(void **state)
{
	(void)state;
	check_refused(RS256, "{\"iss\":\"k\",\"sub\":\"u\"}", BASE_EINVAL,
		      "claim 'aud' missing");
}

static void test_jwt__parse_refuses_non_string_iss(void **state)
{
	(void)state;
	check_refused(RS256, "{\"iss\":null,\"sub\":\"u\",\"aud\":\"a\"}",
		      BASE_EINVAL, "claim 'iss' is not a string");
}

static void test_jwt__parse_refuses_empty_sub(void **state)
{
	(void)state;
	check_refused(RS256, "{\"iss\":\"k\",\"sub\":\"\",\"aud\":\"a\"}",
		      BASE_EINVAL, "claim 'sub' is empty");
}

/* Builds {"iss":"k","sub":"<n x 'u'>","aud":"a"}; caller releases b. */
static void claims_with_sub_of(size_t n, struct base_buf *b)
{
	size_t i;

	(void)base_buf_puts(b, "{\"iss\":\"k\",\"sub\":\"");
	for (i = 0; i < n; i++)
		(void)base_buf_putc(b, 'u');
	(void)base_buf_puts(b, "\",\"aud\":\"a\"}");
	assert_int_equal(base_buf_err(b), 0);
}

static void test_jwt__parse_accepts_sub_of_255_bytes(void **state)
{
	struct base_buf pay = BASE_BUF_INIT(1024);
	struct emu_jwt jwt;

	(void)state;
	claims_with_sub_of(255, &pay);
	parse_ok(RS256, base_buf_str(&pay), &jwt);
	assert_int_equal(strlen(jwt.sub), 255);
	base_buf_release(&pay);
}

static void test_jwt__parse_refuses_sub_of_256_bytes(void **state)
{
	struct base_buf pay = BASE_BUF_INIT(1024);

	(void)state;
	claims_with_sub_of(256, &pay);
	check_refused(RS256, base_buf_str(&pay), BASE_ETOOBIG,
		      "claim 'sub' is longer than 255 bytes");
	base_buf_release(&pay);
}

static void test_jwt__parse_refuses_two_parts(void **state)
{
	(void)state;
	check_parse_refused("eyJhbGciOiJSUzI1NiJ9.e30", BASE_EINVAL,
			    "not three dot-separated parts");
}

static void test_jwt__parse_refuses_four_parts(void **state)
{
	(void)state;
	check_parse_refused("a.b.c.d", BASE_EINVAL,
			    "not three dot-separated parts");
}

static void test_jwt__parse_refuses_header_that_is_not_json(void **state)
{
	(void)state;
	check_refused("{alg:RS256}", CLAIMS, BASE_EINVAL, "header is not JSON");
}

static void test_jwt__parse_refuses_header_with_trailing_data(void **state)
{
	(void)state;
	check_refused(RS256 "x", CLAIMS, BASE_EINVAL, "header is not JSON");
}

static void test_jwt__parse_refuses_payload_array(void **state)
{
	(void)state;
	check_refused(RS256, "[\"iss\",\"sub\"]", BASE_EINVAL,
		      "payload is not a JSON object");
}

static void test_jwt__parse_refuses_duplicate_claim(void **state)
{
	(void)state;
	check_refused(
		RS256,
		"{\"iss\":\"k\",\"sub\":\"u\",\"sub\":\"admin\",\"aud\":\"a\"}",
		BASE_EINVAL, "payload has a duplicate key");
}

static void test_jwt__parse_refuses_nul_escape_in_claim(void **state)
{
	(void)state;
	check_refused(RS256,
		      "{\"iss\":\"k\",\"sub\":\"admin\\u0000x\",\"aud\":\"a\"}",
		      BASE_EINVAL, "payload is not JSON");
}

static void test_jwt__parse_refuses_bad_base64_header(void **state)
{
	(void)state;
	check_parse_refused(
		"eyJh!GciOiJSUzI1NiJ9.e30.c2ln", BASE_EINVAL,
		"header: invalid base64url character '!' at offset 4");
}

static void test_jwt__parse_refuses_empty_signature(void **state)
{
	char *a = unsigned_jwt(RS256, CLAIMS, "");

	(void)state;
	check_parse_refused(a, BASE_EINVAL, "signature is empty");
	free(a);
}

static void test_jwt__parse_refuses_bad_base64_signature(void **state)
{
	char *a = unsigned_jwt(RS256, CLAIMS, "c2ln+w");

	(void)state;
	check_parse_refused(a, BASE_EINVAL,
			    "signature: invalid base64url character "
			    "'+' at offset 4");
	free(a);
}

static void test_jwt__parse_refuses_input_over_16_kib(void **state)
{
	char *a = malloc(EMU_JWT_MAX_LEN + 2);

	(void)state;
	assert_non_null(a);
	memset(a, 'a', EMU_JWT_MAX_LEN + 1);
	a[EMU_JWT_MAX_LEN + 1] = '\0';
	check_parse_refused(a, BASE_ETOOBIG,
			    "assertion is longer than 16384 bytes");
	free(a);
}

static void test_jwt__parse_reads_16_kib_exactly(void **state)
{
	char *a = malloc(EMU_JWT_MAX_LEN + 1);

	(void)state;
	assert_non_null(a);
	memset(a, 'a', EMU_JWT_MAX_LEN);
	a[EMU_JWT_MAX_LEN] = '\0';
	check_parse_refused(a, BASE_EINVAL, "not three dot-separated parts");
	free(a);
}

static void test_jwt__parse_refuses_null(void **state)
{
	(void)state;
	check_parse_refused(NULL, BASE_EINVAL, "assertion is missing");
}

static void test_jwt__parse_zeroes_out_on_failure(void **state)
{
	/* Valid claims, then a bad signature part: claims were already read. */
	char *a = unsigned_jwt(RS256, CLAIMS, "c2ln!");
	struct emu_jwt jwt;
	struct base_err err = BASE_ERR_INIT;

	(void)state;
	memset(&jwt, 'x', sizeof(jwt));
	assert_int_equal(emu_jwt_parse(a, &jwt, &err), BASE_EINVAL);
	assert_string_equal(jwt.iss, "");
	assert_string_equal(jwt.sub, "");
	assert_string_equal(jwt.aud, "");
	assert_false(jwt.has_exp);
	free(a);
}

static void test_jwt__parse_stops_at_nul(void **state)
{
	static const char s[] = "eyJhbGciOiJSUzI1NiJ9.e30\0.c2ln";

	(void)state;
	check_parse_refused(s, BASE_EINVAL, "not three dot-separated parts");
}

static void test_jwt__parse_refuses_garbage(void **state)
{
	static const char *const garbage[] = {
		"",
		".",
		"..",
		"...",
		"a.b.c",
		"\xff\xfe.\x80.",
		"=.=.=",
		"e30.e30.e30",
		"W10.W10.W10",
		"bnVsbA.bnVsbA.bnVsbA",
		"eyJhbGciOiJSUzI1NiJ9..c2ln",
		".e30.c2ln",
		"eyJhbGciOiJSUzI1NiJ9.W1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tb.c2ln",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		char *a = exact_copy(garbage[i], strlen(garbage[i]));
		struct emu_jwt jwt;
		struct base_err err = BASE_ERR_INIT;

		assert_int_equal(emu_jwt_parse(a, &jwt, &err), BASE_EINVAL);
		assert_int_equal(err.code, BASE_EINVAL);
		assert_true(err.msg[0] != '\0');
		free(a);
	}
}

/* Every prefix that ends before the signature starts is refused. */
static void test_jwt__parse_refuses_every_truncation(void **state)
{
	struct keys *k = *state;
	char *a = sign_rs256(k->key, RS256, CLAIMS);
	size_t cut = (size_t)(strrchr(a, '.') - a) + 1, n;

	for (n = 0; n <= cut; n++) {
		char *p = exact_copy(a, n);
		struct emu_jwt jwt;
		struct base_err err = BASE_ERR_INIT;

		assert_int_equal(emu_jwt_parse(p, &jwt, &err), BASE_EINVAL);
		free(p);
	}
	free(a);
}

static void test_jwt__signature_ok_for_valid_assertion(void **state)
{
	struct keys *k = *state;

	assert_true(signed_claims_verify(k, k->cert));
}

static void test_jwt__signature_ok_with_public_key_pem(void **state)
{
	struct keys *k = *state;

	assert_true(signed_claims_verify(k, k->pubkey));
}

/* Swap in another payload and keep the original signature. */
static void test_jwt__signature_fails_for_tampered_payload(void **state)
{
	struct keys *k = *state;
	char *good = sign_rs256(k->key, RS256, CLAIMS);
	char *evil = unsigned_jwt(
		RS256,
		"{\"iss\":\"3MVG9consumerkey\",\"sub\":"
		"\"ceo@example.com\",\"aud\":"
		"\"https://login.salesforce.com\",\"exp\":1893456000}",
		strrchr(good, '.') + 1);

	assert_true(emu_jwt_signature_ok(good, k->cert));
	assert_false(emu_jwt_signature_ok(evil, k->cert));
	free(good);
	free(evil);
}

static void test_jwt__signature_fails_for_tampered_signature(void **state)
{
	struct keys *k = *state;
	char *a = sign_rs256(k->key, RS256, CLAIMS);
	char *c = strrchr(a, '.') + 10;

	*c = *c == 'A' ? 'B' : 'A';
	assert_false(emu_jwt_signature_ok(a, k->cert));
	free(a);
}

static void test_jwt__signature_fails_with_wrong_cert(void **state)
{
	struct keys *k = *state;

	assert_false(signed_claims_verify(k, k->other_cert));
}

static void test_jwt__signature_fails_with_ec_cert(void **state)
{
	struct keys *k = *state;

	assert_false(signed_claims_verify(k, k->ec_cert));
}

static void test_jwt__signature_fails_with_bad_cert(void **state)
{
	struct keys *k = *state;
	char *a = sign_rs256(k->key, RS256, CLAIMS);
	char *half = exact_copy(k->cert, strlen(k->cert) / 2);

	assert_false(emu_jwt_signature_ok(a, ""));
	assert_false(emu_jwt_signature_ok(a, "not a certificate"));
	assert_false(emu_jwt_signature_ok(a,
					  "-----BEGIN CERTIFICATE-----\n"
					  "AAAA\n-----END CERTIFICATE-----\n"));
	assert_false(emu_jwt_signature_ok(a, half));
	assert_false(emu_jwt_signature_ok(a, NULL));
	free(half);
	free(a);
}

/* The classic confusion: HMAC keyed with the public certificate text. */
static void test_jwt__signature_fails_for_hs256_keyed_with_cert(void **state)
{
	struct keys *k = *state;
	struct base_buf b = BASE_BUF_INIT(4 * EMU_JWT_MAX_LEN);
	unsigned char mac[EVP_MAX_MD_SIZE];
	size_t maclen = 0;
	char *a;

	put_signing_input(&b, "{\"alg\":\"HS256\"}", CLAIMS);
	assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, k->cert,
				  strlen(k->cert),
				  (const unsigned char *)b.data, b.len, mac,
				  sizeof(mac), &maclen));
	(void)base_buf_putc(&b, '.');
	(void)base_b64url_encode(&b, mac, maclen);
	a = base_buf_detach(&b, NULL);
	assert_false(emu_jwt_signature_ok(a, k->cert));
	free(a);
}

static void test_jwt__signature_fails_for_alg_none(void **state)
{
	struct keys *k = *state;
	char *a = unsigned_jwt("{\"alg\":\"none\"}", CLAIMS, "");

	assert_false(emu_jwt_signature_ok(a, k->cert));
	free(a);
}

static void test_jwt__signature_fails_for_every_truncation(void **state)
{
	struct keys *k = *state;
	char *a = sign_rs256(k->key, RS256, CLAIMS);
	size_t len = strlen(a), n;

	for (n = 0; n < len; n++) {
		char *p = exact_copy(a, n);

		assert_false(emu_jwt_signature_ok(p, k->cert));
		free(p);
	}
	free(a);
}

static void test_jwt__signature_fails_for_garbage(void **state)
{
	struct keys *k = *state;

	assert_false(emu_jwt_signature_ok("", k->cert));
	assert_false(emu_jwt_signature_ok("a.b.c", k->cert));
	assert_false(emu_jwt_signature_ok("..", k->cert));
	assert_false(emu_jwt_signature_ok("a.b.!!!!", k->cert));
	assert_false(emu_jwt_signature_ok(NULL, k->cert));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jwt__parse_fills_claims),
		cmocka_unit_test(test_jwt__parse_takes_first_aud_of_array),
		cmocka_unit_test(test_jwt__parse_refuses_empty_aud_array),
		cmocka_unit_test(
			test_jwt__parse_refuses_non_string_aud_in_array),
		cmocka_unit_test(test_jwt__parse_without_exp_clears_has_exp),
		cmocka_unit_test(test_jwt__parse_keeps_exp_in_milliseconds_raw),
		cmocka_unit_test(test_jwt__parse_floors_fractional_exp),
		cmocka_unit_test(test_jwt__parse_refuses_string_exp),
		cmocka_unit_test(test_jwt__parse_refuses_huge_real_exp),
		cmocka_unit_test(test_jwt__parse_refuses_alg_none),
		cmocka_unit_test(test_jwt__parse_refuses_hs256),
		cmocka_unit_test(test_jwt__parse_refuses_lowercase_rs256),
		cmocka_unit_test(
			test_jwt__parse_does_not_quote_unprintable_alg),
		cmocka_unit_test(test_jwt__parse_refuses_missing_alg),
		cmocka_unit_test(test_jwt__parse_refuses_non_string_alg),
		cmocka_unit_test(test_jwt__parse_refuses_crit_header),
		cmocka_unit_test(test_jwt__parse_refuses_missing_sub),
		cmocka_unit_test(test_jwt__parse_refuses_missing_iss),
		cmocka_unit_test(test_jwt__parse_refuses_missing_aud),
		cmocka_unit_test(test_jwt__parse_refuses_non_string_iss),
		cmocka_unit_test(test_jwt__parse_refuses_empty_sub),
		cmocka_unit_test(test_jwt__parse_accepts_sub_of_255_bytes),
		cmocka_unit_test(test_jwt__parse_refuses_sub_of_256_bytes),
		cmocka_unit_test(test_jwt__parse_refuses_two_parts),
		cmocka_unit_test(test_jwt__parse_refuses_four_parts),
		cmocka_unit_test(
			test_jwt__parse_refuses_header_that_is_not_json),
		cmocka_unit_test(
			test_jwt__parse_refuses_header_with_trailing_data),
		cmocka_unit_test(test_jwt__parse_refuses_payload_array),
		cmocka_unit_test(test_jwt__parse_refuses_duplicate_claim),
		cmocka_unit_test(test_jwt__parse_refuses_nul_escape_in_claim),
		cmocka_unit_test(test_jwt__parse_refuses_bad_base64_header),
		cmocka_unit_test(test_jwt__parse_refuses_empty_signature),
		cmocka_unit_test(test_jwt__parse_refuses_bad_base64_signature),
		cmocka_unit_test(test_jwt__parse_refuses_input_over_16_kib),
		cmocka_unit_test(test_jwt__parse_reads_16_kib_exactly),
		cmocka_unit_test(test_jwt__parse_refuses_null),
		cmocka_unit_test(test_jwt__parse_zeroes_out_on_failure),
		cmocka_unit_test(test_jwt__parse_stops_at_nul),
		cmocka_unit_test(test_jwt__parse_refuses_garbage),
		cmocka_unit_test(test_jwt__parse_refuses_every_truncation),
		cmocka_unit_test(test_jwt__signature_ok_for_valid_assertion),
		cmocka_unit_test(test_jwt__signature_ok_with_public_key_pem),
		cmocka_unit_test(
			test_jwt__signature_fails_for_tampered_payload),
		cmocka_unit_test(
			test_jwt__signature_fails_for_tampered_signature),
		cmocka_unit_test(test_jwt__signature_fails_with_wrong_cert),
		cmocka_unit_test(test_jwt__signature_fails_with_ec_cert),
		cmocka_unit_test(test_jwt__signature_fails_with_bad_cert),
		cmocka_unit_test(
			test_jwt__signature_fails_for_hs256_keyed_with_cert),
		cmocka_unit_test(test_jwt__signature_fails_for_alg_none),
		cmocka_unit_test(
			test_jwt__signature_fails_for_every_truncation),
		cmocka_unit_test(test_jwt__signature_fails_for_garbage),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
