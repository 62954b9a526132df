/* jwt.c - parse and verify an RS256 JWT bearer assertion (RFC 7523). */
#include "jwt.h"

#include <limits.h>
#include <string.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base/b64.h"
#include "base/buf.h"
#include "base/banned.h"

/* Certificates are a few KiB; anything much larger is not one. */
#define CERT_MAX_LEN 65536

/* The three parts of "<header>.<payload>.<signature>", borrowed. */
struct parts {
	const char *hdr, *pay, *sig;
	size_t hdr_len, pay_len, sig_len;
	size_t signed_len; /* length of "<header>.<payload>" */
};

/* Never reads past EMU_JWT_MAX_LEN + 1 bytes, NUL or not. */
static int split(const char *s, struct parts *pt, struct base_err *err)
{
	size_t n = strnlen(s, EMU_JWT_MAX_LEN + 1);
	const char *d1, *d2, *end = s + n;

	if (n > EMU_JWT_MAX_LEN)
		return base_err_set(err, BASE_ETOOBIG,
				    "assertion is longer than %d bytes",
				    EMU_JWT_MAX_LEN);
	d1 = memchr(s, '.', n);
	d2 = d1 ? memchr(d1 + 1, '.', (size_t)(end - d1 - 1)) : NULL;
	if (!d2 || memchr(d2 + 1, '.', (size_t)(end - d2 - 1)))
		return base_err_set(err, BASE_EINVAL,
				    "not three dot-separated parts");
	pt->hdr = s;
	pt->hdr_len = (size_t)(d1 - s);
	pt->pay = d1 + 1;
	pt->pay_len = (size_t)(d2 - d1 - 1);
	pt->sig = d2 + 1;
	pt->sig_len = (size_t)(end - d2 - 1);
	pt->signed_len = (size_t)(d2 - s);
	return 0;
}

/* Decodes one base64url part as a JSON object; caller owns *out. */
static int decode_object(const char *what, const char *s, size_t n,
			 json_t **out, struct base_err *err)
{
	struct base_buf raw = BASE_BUF_INIT(EMU_JWT_MAX_LEN);
	json_error_t jerr;
	json_t *obj = NULL;
	int rc;

	*out = NULL;
	rc = base_b64url_decode(&raw, s, n, err);
	if (rc < 0) {
		base_err_wrap(err, "%s", what);
		goto out;
	}
	/* No JSON_ALLOW_NUL: strings we copy out can't hide a NUL. */
	obj = json_loadb(base_buf_str(&raw), raw.len, JSON_REJECT_DUPLICATES,
			 &jerr);
	if (!obj) {
		if (json_error_code(&jerr) == json_error_duplicate_key)
			rc = base_err_set(err, BASE_EINVAL,
					  "%s has a duplicate key", what);
		else
			rc = base_err_set(err, BASE_EINVAL, "%s is not JSON",
					  what);
		goto out;
	}
	if (!json_is_object(obj)) {
		rc = base_err_set(err, BASE_EINVAL, "%s is not a JSON object",
				  what);
		goto out;
	}
	*out = obj;
	obj = NULL;
	rc = 0;
out:
	json_decref(obj);
	base_buf_release(&raw);
	return rc;
}

/* Printable ASCII and short, so the value can go into a message as is. */
static bool is_quotable(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (i >= 32 || s[i] < ' ' || s[i] > '~' || s[i] == '\'')
			return false;
	return true;
}

static int check_header(const json_t *hdr, struct base_err *err)
{
	const json_t *alg = json_object_get(hdr, "alg");
	const char *name;

	if (!alg)
		return base_err_set(err, BASE_EINVAL, "header has no 'alg'");
	if (!json_is_string(alg))
		return base_err_set(err, BASE_EINVAL, "alg is not a string");
	name = json_string_value(alg);
	if (strcmp(name, "RS256") != 0) {
		if (is_quotable(name))
			return base_err_set(err, BASE_EINVAL,
					    "alg '%s' is not RS256", name);
		return base_err_set(err, BASE_EINVAL, "alg is not RS256");
	}
	/* RFC 7515 4.1.11: we understand no extensions, so any crit fails. */
	if (json_object_get(hdr, "crit"))
		return base_err_set(err, BASE_EINVAL,
				    "header 'crit' is not supported");
	return 0;
}

/* Copies the string v (claim `name`) into dst[size]; v may be NULL. */
static int copy_claim(const char *name, const json_t *v, char *dst, size_t size,
		      struct base_err *err)
{
	size_t n;

	if (!v)
		return base_err_set(err, BASE_EINVAL, "claim '%s' missing",
				    name);
	if (!json_is_string(v))
		return base_err_set(err, BASE_EINVAL,
				    "claim '%s' is not a string", name);
	n = json_string_length(v);
	if (n == 0)
		return base_err_set(err, BASE_EINVAL, "claim '%s' is empty",
				    name);
	if (n >= size)
		return base_err_set(err, BASE_ETOOBIG,
				    "claim '%s' is longer than %zu bytes", name,
				    size - 1);
	memcpy(dst, json_string_value(v), n);
	dst[n] = '\0';
	return 0;
}

static int read_exp(const json_t *v, struct emu_jwt *out, struct base_err *err)
{
	double d;

	if (!v)
		return 0;
	if (json_is_integer(v)) {
		out->exp = (int64_t)json_integer_value(v);
	} else if (json_is_real(v)) {
		d = json_real_value(v);
		/* 2^63 is exact in a double; the range check avoids UB. */
		if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
			return base_err_set(err, BASE_EINVAL,
					    "claim 'exp' is out of range");
		out->exp = (int64_t)d;
		if ((double)out->exp > d)
			out->exp--; /* floor, not truncation */
	} else {
		return base_err_set(err, BASE_EINVAL,
				    "claim 'exp' is not a number");
	}
	out->has_exp = true;
	return 0;
}

static int read_claims(const json_t *pay, struct emu_jwt *out,
		       struct base_err *err)
{
	const json_t *aud = json_object_get(pay, "aud");
	int rc;

	rc = copy_claim("iss", json_object_get(pay, "iss"), out->iss,
			sizeof(out->iss), err);
	if (rc < 0)
		return rc;
	rc = copy_claim("sub", json_object_get(pay, "sub"), out->sub,
			sizeof(out->sub), err);
	if (rc < 0)
		return rc;
	if (json_is_array(aud)) {
		if (json_array_size(aud) == 0)
			return base_err_set(err, BASE_EINVAL,
					    "claim 'aud' is an empty array");
		aud = json_array_get(aud, 0);
	}
	rc = copy_claim("aud", aud, out->aud, sizeof(out->aud), err);
	if (rc < 0)
		return rc;
	return read_exp(json_object_get(pay, "exp"), out, err);
}

int emu_jwt_parse(const char *assertion, struct emu_jwt *out,
		  struct base_err *err)
{
	struct base_buf sig = BASE_BUF_INIT(EMU_JWT_MAX_LEN);
	struct parts pt;
	json_t *hdr = NULL, *pay = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!assertion) {
		rc = base_err_set(err, BASE_EINVAL, "assertion is missing");
		goto out;
	}
	rc = split(assertion, &pt, err);
	if (rc < 0)
		goto out;
	rc = decode_object("header", pt.hdr, pt.hdr_len, &hdr, err);
	if (rc < 0)
		goto out;
	rc = check_header(hdr, err);
	if (rc < 0)
		goto out;
	rc = decode_object("payload", pt.pay, pt.pay_len, &pay, err);
	if (rc < 0)
		goto out;
	rc = read_claims(pay, out, err);
	if (rc < 0)
		goto out;
	if (pt.sig_len == 0) {
		rc = base_err_set(err, BASE_EINVAL, "signature is empty");
		goto out;
	}
	rc = base_b64url_decode(&sig, pt.sig, pt.sig_len, err);
	if (rc < 0)
		base_err_wrap(err, "signature");
out:
	if (rc < 0)
		memset(out, 0, sizeof(*out));
	json_decref(pay);
	json_decref(hdr);
	base_buf_release(&sig);
	return rc;
}

/* An encrypted PEM must not make OpenSSL prompt on the terminal. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* The RSA public key of a PEM certificate or PUBLIC KEY; caller frees. */
static EVP_PKEY *load_rsa_key(const char *pem)
{
	size_t n = strnlen(pem, CERT_MAX_LEN + 1);
	BIO *bio = NULL;
	X509 *cert = NULL;
	EVP_PKEY *key = NULL;

	if (n == 0 || n > CERT_MAX_LEN)
		goto out;
	bio = BIO_new_mem_buf(pem, (int)n);
	if (!bio)
		goto out;
	cert = PEM_read_bio_X509(bio, NULL, no_password, NULL);
	if (cert) {
		key = X509_get_pubkey(cert);
	} else {
		BIO_free(bio);
		bio = BIO_new_mem_buf(pem, (int)n);
		if (!bio)
			goto out;
		key = PEM_read_bio_PUBKEY(bio, NULL, no_password, NULL);
	}
	/* "RSA" only: not RSA-PSS, EC or Ed25519 keys. */
	if (key && !EVP_PKEY_is_a(key, "RSA")) {
		EVP_PKEY_free(key);
		key = NULL;
	}
out:
	X509_free(cert);
	BIO_free(bio);
	return key;
}

bool emu_jwt_signature_ok(const char *assertion, const char *cert_pem)
{
	struct base_buf sig = BASE_BUF_INIT(EMU_JWT_MAX_LEN);
	struct parts pt;
	EVP_PKEY *key = NULL;
	EVP_MD_CTX *md = NULL;
	bool ok = false;

	if (!assertion || !cert_pem)
		goto out;
	if (split(assertion, &pt, NULL) < 0 || pt.sig_len == 0)
		goto out;
	if (base_b64url_decode(&sig, pt.sig, pt.sig_len, NULL) < 0)
		goto out;
	key = load_rsa_key(cert_pem);
	if (!key)
		goto out;
	md = EVP_MD_CTX_new();
	if (!md)
		goto out;
	if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) != 1)
		goto out;
	ok = EVP_DigestVerify(md, (const unsigned char *)base_buf_str(&sig),
			      sig.len, (const unsigned char *)assertion,
			      pt.signed_len) == 1;
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	base_buf_release(&sig);
	/* Leave no failed PEM or verify errors in this thread's queue. */
	ERR_clear_error();
	return ok;
}
