/* redact.h - make protocol text (headers, bodies, URLs) safe to log. */
#ifndef BASE_REDACT_H
#define BASE_REDACT_H

#include <stddef.h>

#include "buf.h"

/*
 * Stateless; share freely. Every secret value becomes the marker
 * BASE_REDACTED; the names around it stay, so a log still says what was
 * sent ("Authorization: Bearer <redacted>", "password=<redacted>").
 *
 * The _to functions append the redacted form of (s, n) to `out` and return
 * 0 or a negative base_code. The in-place functions rewrite `b`; they fail
 * closed: if the redacted form can't be built (no memory, over b's limit),
 * the whole text becomes BASE_REDACTED, never the original.
 *
 * What they know (matching ignores case):
 *  - header lines: the values of Authorization and Proxy-Authorization
 *    (the scheme stays), Cookie (every value; names stay), Set-Cookie (the
 *    cookie's value; attributes stay), and of every header whose name holds
 *    "token", "secret", "session", "password" or "api-key". A request line
 *    ("GET /path?q HTTP/1.1") gets the URL treatment.
 *  - URLs: "user:pass@" becomes "<redacted>@"; the values of the query
 *    parameters named in the body list below become <redacted>.
 *  - bodies (SOAP/XML, JSON, form), whatever the content type, since a log
 *    must not trust a label: the text of the elements sessionId and
 *    password (any namespace prefix, CDATA included, up to the matching end
 *    tag); the values of the JSON keys and form fields access_token,
 *    refresh_token, id_token, client_secret, client_assertion, password,
 *    assertion, token, sessionId, security_token and code.
 * A secret whose end is missing (a truncated body) is redacted to the end.
 * Deliberately obfuscated text (JSON "\u0070assword", %-encoded form names)
 * is not recognised: these redact our own requests and Salesforce's
 * replies, not hostile input.
 */
#define BASE_REDACTED "<redacted>"

int base_redact_header_to(struct base_buf *out, const char *s, size_t n);
int base_redact_url_to(struct base_buf *out, const char *s, size_t n);
int base_redact_body_to(struct base_buf *out, const char *s, size_t n);

/* One header line (or a block of CRLF-separated lines), in place. */
void base_redact_header(struct base_buf *b);
/* Text holding URLs anywhere ("GET https://u:p@h/x?access_token=..."). */
void base_redact_url(struct base_buf *b);
void base_redact_body(struct base_buf *b);

#endif
