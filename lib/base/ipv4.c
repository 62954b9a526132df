/* ipv4.c - dotted-quad IPv4 addresses as host-order integers. */
#include "ipv4.h"

#include <arpa/inet.h>

#include "banned.h"

bool base_ipv4_parse(const char *s, uint32_t *out)
{
	struct in_addr a;

	/* inet_pton accepts exactly four decimal octets, nothing else. */
	if (!s || inet_pton(AF_INET, s, &a) != 1)
		return false;
	*out = ntohl(a.s_addr);
	return true;
}

bool base_ipv4_in_range(const char *ip, const char *start, const char *end)
{
	uint32_t a, lo, hi;

	return base_ipv4_parse(ip, &a) && base_ipv4_parse(start, &lo) &&
	       base_ipv4_parse(end, &hi) && lo <= a && a <= hi;
}
