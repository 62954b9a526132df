/* utf8.c - keep text valid UTF-8 before it goes into JSON or XML. */
#include "utf8.h"

#include <stddef.h>

#include "banned.h"

/* Length of the well-formed sequence at s, or 0 (RFC 3629, table 3-7). */
static size_t seq_len(const unsigned char *s)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		unsigned char lo = c == 0xE0 ? 0xA0 : 0x80;
		unsigned char hi = c == 0xED ? 0x9F : 0xBF;

		return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		unsigned char lo = c == 0xF0 ? 0x90 : 0x80;
		unsigned char hi = c == 0xF4 ? 0x8F : 0xBF;

		return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 &&
		       (s[3] & 0xC0) == 0x80
			       ? 4
			       : 0;
	}
	return 0;
}

void base_utf8_sanitize(char *s)
{
	unsigned char *p = (unsigned char *)s;

	while (*p) {
		size_t n = seq_len(p);

		if (n) {
			p += n;
			continue;
		}
		/* A truncated sequence at the very end: drop it. */
		if (*p >= 0xC2 && *p <= 0xF4) {
			size_t k = 1;

			while (p[k] && (p[k] & 0xC0) == 0x80 && k < 4)
				k++;
			if (!p[k]) {
				*p = '\0';
				return;
			}
		}
		*p++ = '?';
	}
}

bool base_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = seq_len(p);

		if (!n)
			return false;
		p += n;
	}
	return true;
}
