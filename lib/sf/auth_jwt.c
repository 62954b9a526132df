/* auth_jwt.c - OAuth 2.0 JWT bearer: an RS256 assertion signed with the app's private key. */
#include "sf/auth_int.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>

#include "base/b64.h"
#include "base/datetime.h"
#include "base/err.h"
#include "sf/error_int.h"
#include "base/banned.h"

#define ASSERTION_MAX (16u * 1024)
/* Salesforce wants exp within 3 minutes (salesforce-protocol.md 2.4). */
#define JWT_LIFETIME_S 180
#define JWT_GRANT      "urn:ietf:params:oauth:grant-type:jwt-bearer"

/* Never prompt on a terminal for a passphrase: an encrypted key fails. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static EVP_PKEY *read_key(const struct sf_secret *pem, struct sf_error *err)
{
	BIO *bio;
	EVP_PKEY *k;

	if (!pem || !pem->bytes || pem->len > 64 * 1024) {
		sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
			      "jwt: no private key, or over 64 KB");
		return NULL;
	}
	bio = BIO_new_mem_buf(pem->bytes, (int)pem->len);
	if (!bio) {
		sf__error_set(err, SF_CLASS_NONE, 0, NULL,
			      "jwt: out of memory");
		return NULL;
	}
	k = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (!k) {
		sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
			      "jwt: the private key is not an unencrypted PEM "
			      "private key");
		return NULL;
	}
	if (EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA) {
		EVP_PKEY_free(k);
		sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
			      "jwt: the private key is not RSA (RS256 needs "
			      "an RSA key)");
		return NULL;
	}
	return k;
}

int sf__jwt_check_key(const struct sf_secret *pem, struct sf_error *err)
{
	EVP_PKEY *k = read_key(pem, err);

	if (!k)
		return BASE_EINVAL;
	EVP_PKEY_free(k);
	return 0;
}

void sf__jwt_audience(const struct sf_target *t, char *out, size_t n)
{
	switch (t->kind) {
	case SF_TARGET_URL:
		snprintf(out, n, "%s", t->value);
		return;
	case SF_TARGET_PRODUCTION:
	case SF_TARGET_SANDBOX:
	case SF_TARGET_MYDOMAIN:
		break;
	}
	snprintf(out, n, "%s",
		 sf_target_is_sandbox(t) ? "https://test.salesforce.com"
					 : "https://login.salesforce.com");
}

int sf__jwt_assertion(const struct sf_secret *pem, const char *iss,
		      const char *sub, const char *aud, int64_t exp_s,
		      struct base_buf *out, struct sf_error *err)
{
	static const char header[] = "{\"alg\":\"RS256\"}";
	struct base_buf claims = BASE_BUF_INIT(4096);
	unsigned char sig[1024];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *md = NULL;
	EVP_PKEY *k = NULL;
	int rc = BASE_ERR;

	k = read_key(pem, err);
	if (!k) {
		rc = BASE_EINVAL;
		goto out;
	}
	base_buf_puts(&claims, "{\"iss\":");
	base_buf_put_json(&claims, iss);
	base_buf_puts(&claims, ",\"sub\":");
	base_buf_put_json(&claims, sub);
	base_buf_puts(&claims, ",\"aud\":");
	base_buf_put_json(&claims, aud);
	base_buf_printf(&claims, ",\"exp\":%lld}", (long long)exp_s);
	base_b64url_encode(out, header, sizeof(header) - 1);
	base_buf_putc(out, '.');
	base_b64url_encode(out, base_buf_str(&claims), claims.len);
	if (base_buf_err(&claims) || base_buf_err(out)) {
		rc = sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				   "jwt: the assertion is too large");
		goto out;
	}
	md = EVP_MD_CTX_new();
	if (!md || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) != 1 ||
	    EVP_DigestSign(md, sig, &siglen,
			   (const unsigned char *)base_buf_str(out),
			   out->len) != 1) {
		ERR_clear_error();
		rc = sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				   "jwt: signing the assertion failed (a key "
				   "over 8192 bits?)");
		goto out;
	}
	base_buf_putc(out, '.');
	base_b64url_encode(out, sig, siglen);
	if (base_buf_err(out)) {
		rc = sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				   "jwt: the assertion is too large");
		goto out;
	}
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	base_buf_release(&claims);
	return rc;
}

int sf__auth_jwt(const struct sf_auth_env *env, const struct sf_creds *cr,
		 struct sf_auth_result *out, struct sf_error *err)
{
	struct base_buf jwt = BASE_BUF_SECRET_INIT(ASSERTION_MAX);
	struct base_buf form = BASE_BUF_SECRET_INIT(ASSERTION_MAX * 2);
	char aud[300];
	int rc;

	sf__jwt_audience(&cr->target, aud, sizeof(aud));
	rc = sf__jwt_assertion(
		cr->private_key_pem, cr->consumer_key, cr->username, aud,
		base_time_now_ms() / 1000 + JWT_LIFETIME_S, &jwt, err);
	if (rc < 0)
		goto out;
	sf__form_name(&form, "grant_type");
	sf__form_value(&form, JWT_GRANT, strlen(JWT_GRANT));
	sf__form_name(&form, "assertion");
	sf__form_value(&form, base_buf_str(&jwt), jwt.len);
	if (base_buf_err(&form)) {
		rc = sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				   "jwt: the request is too large");
		goto out;
	}
	rc = sf__oauth_token(env, cr, &form, NULL, out, err);
out:
	base_buf_release(&jwt);
	base_buf_release(&form);
	return rc;
}
