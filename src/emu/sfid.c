/* sfid.c - Salesforce record ids: 15-character ids and their 18-character form. */
#include "sfid.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "base/banned.h"

static const char b62[] =
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static const char suffix_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

static void add_suffix(char id[EMU_SFID_LEN + 1])
{
	for (int chunk = 0; chunk < 3; chunk++) {
		int bits = 0;

		for (int i = 0; i < 5; i++)
			if (isupper((unsigned char)id[chunk * 5 + i]))
				bits |= 1 << i;
		id[15 + chunk] = suffix_chars[bits];
	}
	id[EMU_SFID_LEN] = '\0';
}

void emu_sfid_make(const char *prefix, const char pod[2], uint64_t number,
		   char out[EMU_SFID_LEN + 1])
{
	memcpy(out, prefix, 3);
	out[3] = pod[0];
	out[4] = pod[1];
	out[5] = '0';
	for (int i = 14; i >= 6; i--) {
		out[i] = b62[number % 62];
		number /= 62;
	}
	add_suffix(out);
}

static bool all_b62(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]))
			return false;
	return true;
}

bool emu_sfid_to18(const char *id, char out[EMU_SFID_LEN + 1])
{
	size_t n = strlen(id);

	if ((n != 15 && n != 18) || !all_b62(id, (int)n))
		return false;
	memcpy(out, id, 15);
	add_suffix(out);
	return n == 15 || strncasecmp(out + 15, id + 15, 3) == 0;
}

bool emu_sfid_is_valid(const char *id)
{
	char tmp[EMU_SFID_LEN + 1];

	return emu_sfid_to18(id, tmp);
}
