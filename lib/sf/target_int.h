/* target_int.h - the URL rules of login targets, applied to instance URLs too. */
#ifndef SF_TARGET_INT_H
#define SF_TARGET_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "sf/error.h"

/*
 * Checks an instance URL from a login reply or a caller (serverUrl,
 * instance_url) by the rules of sf_target_parse (client.h), so that a token
 * is only ever sent where a login target could point; any path is allowed
 * and dropped. Writes "scheme://host[:port]" (lower-case host) to out.
 * Fails with SF_CLASS_INVALID_REQUEST and says why.
 */
int sf__instance_url(const char *url, bool allow_http_loopback, char *out,
		     size_t n, struct sf_error *err);

/* The host of "scheme://host[:port]..." into out (lower case); false when
 * there is none or it doesn't fit. */
bool sf__url_host(const char *url, char *out, size_t n);

#endif
