/* ipv4.h - dotted-quad IPv4 addresses as host-order integers. */
#ifndef BASE_IPV4_H
#define BASE_IPV4_H

#include <stdbool.h>
#include <stdint.h>

/* Strict "a.b.c.d" (0-255 each, no leading '+', no extra text). */
bool base_ipv4_parse(const char *s, uint32_t *out);
/* start <= ip <= end, all dotted quads; false if any fails to parse. */
bool base_ipv4_in_range(const char *ip, const char *start, const char *end);

#endif
