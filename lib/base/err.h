/* err.h - one error type for every module: a code plus a one-line message. */
#ifndef BASE_ERR_H
#define BASE_ERR_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Actions return 0 or a negative base_code. The code that detects a failure
 * sets the message; each caller adds one base_err_wrap() prefix and never
 * changes the code. Messages are one line, lower case, and never carry
 * secrets, bodies or SQL values.
 */
enum base_code {
	BASE_OK = 0,
	BASE_ERR = -1,      /* generic: the message says what */
	BASE_ENOMEM = -2,
	BASE_EINVAL = -3,
	BASE_ENOTFOUND = -4,
	BASE_EAUTH = -5,    /* credentials rejected: re-auth, don't retry */
	BASE_ERETRY = -6,   /* transient: timeout, 503, rate limit */
	BASE_EPROTO = -7,   /* peer sent something we cannot parse */
	BASE_ETOOBIG = -8,  /* input exceeded a configured limit */
};

struct base_err {
	enum base_code code;
	int sys_errno; /* errno at the failure site, or 0 */
	char msg[256]; /* one line, no secrets: "ctx: ctx: cause" */
};

#define BASE_ERR_INIT ((struct base_err){.code = BASE_OK})

/* All return `code` (so `return base_err_set(...)` works). err may be NULL. */
int base_err_set(struct base_err *err, enum base_code code, const char *fmt,
		 ...) __attribute__((format(printf, 3, 4)));
/* Like base_err_set, and appends ": <strerror(errno)>". */
int base_err_set_errno(struct base_err *err, enum base_code code,
		       const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prefixes "<fmt>: " to the message; returns the unchanged code. */
int base_err_wrap(struct base_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * The wrap step, for error types of their own (libsf's sf_error) too:
 * prefixes "<fmt>: " to msg, a message in a buffer of `size` bytes (at most
 * BASE_ERR_MSG_MAX), cutting what doesn't fit; CR, LF and tab become spaces.
 */
#define BASE_ERR_MSG_MAX 1024
void base_err_vprefix(char *msg, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* "EINVAL" for BASE_EINVAL; static string. */
const char *base_code_name(int code);

#endif
