/* text.h - one-line messages and line-by-line reading of protocol text. */
#ifndef BASE_TEXT_H
#define BASE_TEXT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Stateless; share freely.
 *
 * Formats a log line into line (size bytes, cut to fit) with CR and LF made
 * spaces, so that a value can never forge a line of its own.
 */
void base_text_vformat_line(char *line, size_t size, const char *fmt,
			    va_list ap) __attribute__((format(printf, 3, 0)));

/*
 * The next line of the n bytes at s, from *at (< n): returns its length
 * without the line end ("\n" or "\r\n"; the last line may have none) and
 * moves *at past that end. The line starts at the old *at.
 */
size_t base_text_next_line(const char *s, size_t n, size_t *at);

#endif
