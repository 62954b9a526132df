/* log.c - leveled logging to stderr. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "datetime.h"
#include "text.h"
#include "banned.h"

static enum base_log_level min_level = BASE_LOG_INFO;

void base_log_set_level(enum base_log_level level)
{
	min_level = level;
}

int base_log_parse_level(const char *name)
{
	static const char *const names[] = {"debug", "info", "warn", "error",
					    "off"};

	for (int i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

void base_log(enum base_log_level level, const char *fmt, ...)
{
	static const char *const tags[] = {"DEBUG", "INFO ", "WARN ", "ERROR"};
	char line[1024], when[40];
	va_list ap;

	if (level < min_level || level >= BASE_LOG_OFF)
		return;
	va_start(ap, fmt);
	base_text_vformat_line(line, sizeof(line), fmt, ap);
	va_end(ap);
	base_time_format_iso(base_time_now_ms(), when, sizeof(when));
	fprintf(stderr, "%s %s %s\n", when, tags[level], line);
}
