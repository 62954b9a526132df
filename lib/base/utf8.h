/* utf8.h - keep text valid UTF-8 before it goes into JSON or XML. */
#ifndef BASE_UTF8_H
#define BASE_UTF8_H

#include <stdbool.h>

/*
 * Replaces each byte that doesn't start a well-formed UTF-8 sequence
 * (overlong forms, surrogates and code points past U+10FFFF included) with
 * '?', in place; a sequence cut off at the end is dropped. Echoed input
 * (a field name, a query) can then never make a reply unencodable.
 */
void base_utf8_sanitize(char *s);
bool base_utf8_valid(const char *s);

#endif
