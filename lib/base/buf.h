/* buf.h - growable byte buffer with a hard limit and a sticky error. */
#ifndef BASE_BUF_H
#define BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * One thread at a time. Appends past `max` fail with BASE_ETOOBIG, and after
 * the first failure every append does nothing, so a builder checks
 * base_buf_err() once at the end. A secret buffer wipes old memory when it
 * grows and when it is released, so no realloc leaves a copy behind.
 */
struct base_buf {
	char *data; /* NUL-terminated when non-NULL; read via base_buf_str() */
	size_t len, cap;
	size_t max; /* appends that would exceed this fail with ETOOBIG */
	int err;    /* sticky: after the first failure appends do nothing */
	int secret; /* wipe old memory on growth and release */
};

#define BASE_BUF_INIT(limit) ((struct base_buf){.max = (limit)})
#define BASE_BUF_SECRET_INIT(limit) ((struct base_buf){.max = (limit), .secret = 1})

int base_buf_append(struct base_buf *b, const void *p, size_t n);
int base_buf_puts(struct base_buf *b, const char *s);
int base_buf_putc(struct base_buf *b, char c);
int base_buf_printf(struct base_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int base_buf_vprintf(struct base_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Appends s with & < > " ' escaped for XML and HTML text and attributes. */
int base_buf_put_xml(struct base_buf *b, const char *s);
/* Appends s as a JSON string literal, quotes included (s is UTF-8). */
int base_buf_put_json(struct base_buf *b, const char *s);
int base_buf_err(const struct base_buf *b); /* check once, at the end */
const char *base_buf_str(const struct base_buf *b); /* "" when empty */
void base_buf_reset(struct base_buf *b); /* len = 0, keeps memory and error */
/* Hands the memory to the caller (who frees it); the buffer is empty after. */
char *base_buf_detach(struct base_buf *b, size_t *len_out);
void base_buf_release(struct base_buf *b);

#endif
