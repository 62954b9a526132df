/* buf.c - growable byte buffer with a hard limit and a sticky error. */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "banned.h"

static void wipe(void *p, size_t n)
{
	if (p && n)
		explicit_bzero(p, n);
}

static int grow(struct base_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->err)
		return b->err;
	if (extra > b->max || b->len > b->max - extra)
		return b->err = BASE_ETOOBIG;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	if (b->secret) {
		/* Never realloc a secret: copy, then wipe the old block. */
		p = malloc(cap);
		if (!p)
			return b->err = BASE_ENOMEM;
		if (b->data) {
			memcpy(p, b->data, b->len + 1);
			wipe(b->data, b->cap);
			free(b->data);
		}
	} else {
		p = realloc(b->data, cap);
		if (!p)
			return b->err = BASE_ENOMEM;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

int base_buf_append(struct base_buf *b, const void *p, size_t n)
{
	int rc = grow(b, n);

	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int base_buf_puts(struct base_buf *b, const char *s)
{
	return base_buf_append(b, s, strlen(s));
}

int base_buf_putc(struct base_buf *b, char c)
{
	return base_buf_append(b, &c, 1);
}

int base_buf_vprintf(struct base_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n, rc;

	if (b->err)
		return b->err;
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return b->err = BASE_EINVAL;
	rc = grow(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int base_buf_printf(struct base_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = base_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int base_buf_put_xml(struct base_buf *b, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		const char *rep = NULL;

		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		base_buf_append(b, run, (size_t)(s - run));
		base_buf_puts(b, rep);
		run = s + 1;
	}
	return base_buf_append(b, run, (size_t)(s - run));
}

int base_buf_put_json(struct base_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	base_buf_putc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[7];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		base_buf_append(b, run, (size_t)(s - run));
		run = s + 1;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			base_buf_append(b, esc, 6);
			continue;
		}
		base_buf_append(b, esc, 2);
	}
	base_buf_append(b, run, (size_t)(s - run));
	return base_buf_putc(b, '"');
}

int base_buf_err(const struct base_buf *b)
{
	return b->err;
}

const char *base_buf_str(const struct base_buf *b)
{
	return b->data ? b->data : "";
}

void base_buf_reset(struct base_buf *b)
{
	if (b->secret)
		wipe(b->data, b->cap);
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *base_buf_detach(struct base_buf *b, size_t *len_out)
{
	char *p = b->data;

	if (len_out)
		*len_out = b->len;
	if (!p) {
		p = calloc(1, 1);
		if (len_out)
			*len_out = 0;
	}
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void base_buf_release(struct base_buf *b)
{
	if (b->secret)
		wipe(b->data, b->cap);
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->err = 0;
}
