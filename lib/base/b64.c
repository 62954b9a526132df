/* b64.c - base64 and base64url by hand, strict on decode. */
#include "b64.h"

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>

#include "banned.h"

struct alphabet {
	const char *name; /* "base64" or "base64url", for messages */
	char sym[65];     /* 64 symbols, then NUL */
	bool pad;         /* encoder pads to a multiple of 4 */
};

static const struct alphabet std_alphabet = {
	"base64",
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
	true,
};

static const struct alphabet url_alphabet = {
	"base64url",
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
	false,
};

/* The 6-bit value of c, or -1 when c is not in the alphabet. */
static int sextet(const struct alphabet *a, unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (unsigned char)a->sym[62])
		return 62;
	if (c == (unsigned char)a->sym[63])
		return 63;
	return -1;
}

/* Encodes 48 bytes at a time into a stack chunk: one append per 64 chars. */
static int encode(const struct alphabet *a, struct base_buf *out, const void *p,
		  size_t n)
{
	const unsigned char *in = p;
	const char *sym = a->sym;
	char chunk[64];
	size_t len = 0;
	uint32_t v;

	assert(in || n == 0);
	for (; n >= 3; in += 3, n -= 3) {
		v = (uint32_t)in[0] << 16 | (uint32_t)in[1] << 8 | in[2];
		chunk[len++] = sym[v >> 18 & 63];
		chunk[len++] = sym[v >> 12 & 63];
		chunk[len++] = sym[v >> 6 & 63];
		chunk[len++] = sym[v & 63];
		if (len == sizeof(chunk)) {
			(void)base_buf_append(out, chunk, len);
			len = 0;
		}
	}
	if (n > 0) {
		v = (uint32_t)in[0] << 16;
		if (n == 2)
			v |= (uint32_t)in[1] << 8;
		chunk[len++] = sym[v >> 18 & 63];
		chunk[len++] = sym[v >> 12 & 63];
		if (n == 2)
			chunk[len++] = sym[v >> 6 & 63];
		else if (a->pad)
			chunk[len++] = '=';
		if (a->pad)
			chunk[len++] = '=';
	}
	/* Always append, maybe 0 bytes: it reports an earlier sticky error. */
	return base_buf_append(out, chunk, len);
}

int base_b64_encode(struct base_buf *out, const void *p, size_t n)
{
	return encode(&std_alphabet, out, p, n);
}

int base_b64url_encode(struct base_buf *out, const void *p, size_t n)
{
	return encode(&url_alphabet, out, p, n);
}

/*
 * Checks the whole input before appending anything, so invalid text leaves
 * `out` unchanged. Sets *dlen to the number of data characters (padding
 * stripped).
 */
static int validate(const struct alphabet *a, const char *s, size_t n,
		    size_t *dlen, struct base_err *err)
{
	size_t pad = 0, i;
	int last;

	while (pad < 2 && pad < n && s[n - pad - 1] == '=')
		pad++;
	*dlen = n - pad;
	for (i = 0; i < *dlen; i++) {
		unsigned char c = (unsigned char)s[i];

		if (sextet(a, c) >= 0)
			continue;
		if (c == '=')
			return base_err_set(
				err, BASE_EINVAL,
				"%s padding at offset %zu is not at the end",
				a->name, i);
		if (c > ' ' && c < 0x7f)
			return base_err_set(
				err, BASE_EINVAL,
				"invalid %s character '%c' at offset %zu",
				a->name, c, i);
		return base_err_set(err, BASE_EINVAL,
				    "invalid %s byte 0x%02x at offset %zu",
				    a->name, c, i);
	}
	if (*dlen % 4 == 1)
		return base_err_set(err, BASE_EINVAL, "invalid %s length %zu",
				    a->name, n);
	if (pad > 0 && n % 4 != 0)
		return base_err_set(err, BASE_EINVAL, "invalid %s padding",
				    a->name);
	/* The last character of a partial group carries 4 or 2 unused bits. */
	if (*dlen % 4 != 0) {
		last = sextet(a, (unsigned char)s[*dlen - 1]);
		if (last & (*dlen % 4 == 2 ? 0x0f : 0x03))
			return base_err_set(err, BASE_EINVAL,
					    "%s has non-zero trailing bits",
					    a->name);
	}
	return 0;
}

static int decode(const struct alphabet *a, struct base_buf *out, const char *s,
		  size_t n, struct base_err *err)
{
	unsigned char chunk[48];
	size_t dlen, i, len = 0;
	uint32_t v;
	int rc;

	assert(s || n == 0);
	rc = base_buf_err(out);
	if (rc < 0)
		return base_err_set(
			err, rc,
			"decode %s: output buffer failed earlier with %s",
			a->name, base_code_name(rc));
	rc = validate(a, s, n, &dlen, err);
	if (rc < 0)
		return rc;
	for (i = 0; i + 4 <= dlen; i += 4) {
		v = (uint32_t)sextet(a, (unsigned char)s[i]) << 18 |
		    (uint32_t)sextet(a, (unsigned char)s[i + 1]) << 12 |
		    (uint32_t)sextet(a, (unsigned char)s[i + 2]) << 6 |
		    (uint32_t)sextet(a, (unsigned char)s[i + 3]);
		chunk[len++] = (unsigned char)(v >> 16);
		chunk[len++] = (unsigned char)(v >> 8);
		chunk[len++] = (unsigned char)v;
		if (len == sizeof(chunk)) {
			(void)base_buf_append(out, chunk, len);
			len = 0;
		}
	}
	if (dlen - i >= 2) {
		v = (uint32_t)sextet(a, (unsigned char)s[i]) << 18 |
		    (uint32_t)sextet(a, (unsigned char)s[i + 1]) << 12;
		if (dlen - i == 3)
			v |= (uint32_t)sextet(a, (unsigned char)s[i + 2]) << 6;
		chunk[len++] = (unsigned char)(v >> 16);
		if (dlen - i == 3)
			chunk[len++] = (unsigned char)(v >> 8);
	}
	rc = base_buf_append(out, chunk, len);
	if (rc == BASE_ETOOBIG)
		return base_err_set(
			err, rc,
			"decoded %s exceeds the output limit of %zu bytes",
			a->name, out->max);
	if (rc < 0)
		return base_err_set(err, rc, "decode %s: out of memory",
				    a->name);
	return 0;
}

int base_b64_decode(struct base_buf *out, const char *s, size_t n,
		    struct base_err *err)
{
	return decode(&std_alphabet, out, s, n, err);
}

int base_b64url_decode(struct base_buf *out, const char *s, size_t n,
		       struct base_err *err)
{
	return decode(&url_alphabet, out, s, n, err);
}
