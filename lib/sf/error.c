/* error.c - libsf's error type: class names, predicates, setters. */
#include "sf/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "sf/error_int.h"
#include "base/banned.h"

const char *sf_class_name(enum sf_class cls)
{
	switch (cls) {
	case SF_CLASS_NONE:
		return "none";
	case SF_CLASS_CREDENTIAL:
		return "credential";
	case SF_CLASS_POLICY:
		return "policy";
	case SF_CLASS_TIME_WINDOW:
		return "time_window";
	case SF_CLASS_PASSWORD_EXPIRED:
		return "password_expired";
	case SF_CLASS_SESSION:
		return "session";
	case SF_CLASS_THROTTLE:
		return "throttle";
	case SF_CLASS_TRANSIENT:
		return "transient";
	case SF_CLASS_NOT_FOUND:
		return "not_found";
	case SF_CLASS_INVALID_REQUEST:
		return "invalid_request";
	case SF_CLASS_NETWORK:
		return "network";
	case SF_CLASS_TLS:
		return "tls";
	}
	return "unknown";
}

void sf_error_clear(struct sf_error *err)
{
	if (err)
		*err = SF_ERROR_INIT;
}

bool sf_error_is_retryable(const struct sf_error *err)
{
	return err &&
	       (err->cls == SF_CLASS_THROTTLE ||
		err->cls == SF_CLASS_TRANSIENT || err->cls == SF_CLASS_NETWORK);
}

bool sf_error_is_login_refusal(const struct sf_error *err)
{
	return err && (err->cls == SF_CLASS_CREDENTIAL ||
		       err->cls == SF_CLASS_POLICY ||
		       err->cls == SF_CLASS_TIME_WINDOW ||
		       err->cls == SF_CLASS_PASSWORD_EXPIRED);
}

int sf__class_code(enum sf_class cls)
{
	switch (cls) {
	case SF_CLASS_CREDENTIAL:
	case SF_CLASS_POLICY:
	case SF_CLASS_TIME_WINDOW:
	case SF_CLASS_PASSWORD_EXPIRED:
	case SF_CLASS_SESSION:
		return BASE_EAUTH;
	case SF_CLASS_THROTTLE:
	case SF_CLASS_TRANSIENT:
	case SF_CLASS_NETWORK:
		return BASE_ERETRY;
	case SF_CLASS_NOT_FOUND:
		return BASE_ENOTFOUND;
	case SF_CLASS_INVALID_REQUEST:
		return BASE_EINVAL;
	case SF_CLASS_TLS:
		return BASE_ERR;
	case SF_CLASS_NONE:
		break;
	}
	return BASE_EPROTO;
}

void sf__copy_text(char *dst, size_t dsize, const char *s, size_t n)
{
	size_t i, cut;

	if (!dsize)
		return;
	if (!s)
		n = 0;
	cut = n < dsize - 1 ? n : dsize - 1;
	/* Step back over UTF-8 continuation bytes so no character is split. */
	if (cut < n)
		while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
			cut--;
	for (i = 0; i < cut; i++) {
		unsigned char c = (unsigned char)s[i];

		dst[i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
		if (c == '\0')
			break;
	}
	dst[i] = '\0';
}

static void flatten(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20)
			*s = ' ';
}

int sf__error_set(struct sf_error *err, enum sf_class cls, int http_status,
		  const char *code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return sf__class_code(cls);
	err->cls = cls;
	err->http_status = http_status;
	sf__copy_text(err->code, sizeof(err->code), code ? code : "",
		      code ? strlen(code) : 0);
	err->raw[0] = '\0';
	memset(err->fields, 0, sizeof(err->fields));
	err->nfields = 0;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	flatten(err->message);
	return sf__class_code(cls);
}

int sf__error_wrap(struct sf_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return BASE_ERR;
	va_start(ap, fmt);
	base_err_vprefix(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	/* Stricter than base's: every control character, not CR, LF, tab. */
	flatten(err->message);
	return sf__class_code(err->cls);
}
