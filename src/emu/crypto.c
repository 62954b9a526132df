/* crypto.c - random tokens, SHA-256, OAuth token signature, safe compare. */
#include "crypto.h"

#include <assert.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "base/b64.h"
#include "base/err.h"
#include "base/banned.h"

/*
 * A byte r is accepted only when r < limit, the largest multiple of k that
 * fits in 256, so r % k is uniform over the alphabet. At worst (k = 129)
 * about half the bytes are rejected; we draw in batches.
 */
int emu_random_token(char *out, size_t len, const char *alphabet)
{
	unsigned char batch[256];
	size_t k, limit, i = 0, j = sizeof(batch);
	int rc = BASE_ERR;

	assert(out && alphabet);
	k = strnlen(alphabet, 257);
	if (k < 1 || k > 256)
		goto out;
	limit = 256 - 256 % k;
	while (i < len) {
		if (j == sizeof(batch)) {
			if (RAND_bytes(batch, (int)sizeof(batch)) != 1)
				goto out;
			j = 0;
		}
		if (batch[j] < limit)
			out[i++] = alphabet[batch[j] % k];
		j++;
	}
	out[len] = '\0';
	rc = 0;
out:
	if (rc < 0) {
		explicit_bzero(out, len);
		out[0] = '\0';
	}
	/* The unused bytes would tell the rest of the token's stream. */
	explicit_bzero(batch, sizeof(batch));
	return rc;
}

void emu_sha256_hex(const void *p, size_t n, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	unsigned int i;

	if (EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32) {
		out[0] = '\0';
		return;
	}
	for (i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

int emu_oauth_signature(const char *client_secret, const char *id_url,
			const char *issued_at, struct base_buf *out)
{
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	size_t mdlen = 0;
	char digest[] = "SHA256";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest,
						 0),
		OSSL_PARAM_construct_end(),
	};
	int rc = BASE_ERR;

	assert(client_secret && id_url && issued_at && out);
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!mac)
		goto out;
	ctx = EVP_MAC_CTX_new(mac);
	if (!ctx)
		goto out;
	/* A non-NULL key pointer, so an empty secret is an empty key. */
	if (EVP_MAC_init(ctx, (const unsigned char *)client_secret,
			 strlen(client_secret), params) != 1 ||
	    EVP_MAC_update(ctx, (const unsigned char *)id_url,
			   strlen(id_url)) != 1 ||
	    EVP_MAC_update(ctx, (const unsigned char *)issued_at,
			   strlen(issued_at)) != 1 ||
	    EVP_MAC_final(ctx, md, &mdlen, sizeof(md)) != 1)
		goto out;
	rc = base_b64_encode(out, md, mdlen);
out:
	EVP_MAC_CTX_free(ctx); /* wipes the key schedule */
	EVP_MAC_free(mac);
	return rc;
}

bool emu_const_eq(const char *a, const char *b)
{
	size_t la, lb;

	if (!a || !b)
		return false;
	la = strlen(a);
	lb = strlen(b);
	if (la != lb) {
		/* Same work as a real compare of a, so only lengths show. */
		(void)CRYPTO_memcmp(a, a, la);
		return false;
	}
	return CRYPTO_memcmp(a, b, la) == 0;
}
