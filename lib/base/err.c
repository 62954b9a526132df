/* err.c - set, wrap and name errors. */
#include "err.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "banned.h"

/* Messages go into JSON replies and logs: keep them on one line. */
static void flatten(char *s)
{
	for (; *s; s++)
		if (*s == '\r' || *s == '\n' || *s == '\t')
			*s = ' ';
}

__attribute__((format(printf, 4, 0))) static int
vset(struct base_err *err, enum base_code code, int sys_errno, const char *fmt,
     va_list ap)
{
	if (!err)
		return code;
	err->code = code;
	err->sys_errno = sys_errno;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	flatten(err->msg);
	return code;
}

int base_err_set(struct base_err *err, enum base_code code, const char *fmt,
		 ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(err, code, 0, fmt, ap);
	va_end(ap);
	return code;
}

int base_err_set_errno(struct base_err *err, enum base_code code,
		       const char *fmt, ...)
{
	int saved = errno;
	char why[128];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vset(err, code, saved, fmt, ap);
	va_end(ap);
	if (!err)
		return code;
	/* XSI strerror_r (we build with _DEFAULT_SOURCE, not _GNU_SOURCE). */
	if (strerror_r(saved, why, sizeof(why)) != 0)
		snprintf(why, sizeof(why), "errno %d", saved);
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", why);
	return code;
}

void base_err_vprefix(char *msg, size_t size, const char *fmt, va_list ap)
{
	char prefix[128];
	char old[BASE_ERR_MSG_MAX];

	assert(size <= sizeof(old));
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	snprintf(old, sizeof(old), "%s", msg);
	snprintf(msg, size, "%s: %s", prefix, old);
	flatten(msg);
}

int base_err_wrap(struct base_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return BASE_ERR;
	va_start(ap, fmt);
	base_err_vprefix(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return err->code;
}

const char *base_code_name(int code)
{
	switch (code) {
	case BASE_OK: return "OK";
	case BASE_ENOMEM: return "ENOMEM";
	case BASE_EINVAL: return "EINVAL";
	case BASE_ENOTFOUND: return "ENOTFOUND";
	case BASE_EAUTH: return "EAUTH";
	case BASE_ERETRY: return "ERETRY";
	case BASE_EPROTO: return "EPROTO";
	case BASE_ETOOBIG: return "ETOOBIG";
	default: return "ERR";
	}
}
