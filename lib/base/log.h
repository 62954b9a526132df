/* log.h - leveled logging to stderr; callers never pass secrets. */
#ifndef BASE_LOG_H
#define BASE_LOG_H

enum base_log_level {
	BASE_LOG_DEBUG = 0,
	BASE_LOG_INFO = 1,
	BASE_LOG_WARN = 2,
	BASE_LOG_ERROR = 3,
	BASE_LOG_OFF = 4,
};

/* Set once in main() before threads start; read-only afterwards. */
void base_log_set_level(enum base_log_level level);
/* Parses "debug", "info", "warn", "error" or "off"; -1 when unknown. */
int base_log_parse_level(const char *name);
/*
 * One line: "2026-11-29T19:04:47.123Z INFO  sfemu: <msg>". CR and LF in the
 * message become spaces so that a value can never forge a log line.
 */
void base_log(enum base_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define base_debug(...) base_log(BASE_LOG_DEBUG, __VA_ARGS__)
#define base_info(...) base_log(BASE_LOG_INFO, __VA_ARGS__)
#define base_warn(...) base_log(BASE_LOG_WARN, __VA_ARGS__)
#define base_error(...) base_log(BASE_LOG_ERROR, __VA_ARGS__)

#endif
