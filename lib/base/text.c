/* text.c - one-line messages and line-by-line reading of protocol text. */
#include "text.h"

#include <stdio.h>

#include "banned.h"

void base_text_vformat_line(char *line, size_t size, const char *fmt,
			    va_list ap)
{
	vsnprintf(line, size, fmt, ap);
	for (char *p = line; *p; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
}

size_t base_text_next_line(const char *s, size_t n, size_t *at)
{
	size_t start = *at, end = start, text;

	while (end < n && s[end] != '\n')
		end++;
	text = end;
	if (text > start && s[text - 1] == '\r')
		text--;
	*at = end < n ? end + 1 : end;
	return text - start;
}
