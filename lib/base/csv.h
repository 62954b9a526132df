/* csv.h - the CSV of Bulk API 2.0: a strict reader (uploads, results) and a quoting writer. */
#ifndef BASE_CSV_H
#define BASE_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

/*
 * In lib/base, not in src/emu, because both sides read this CSV: sfemu its
 * ingest uploads, libsf the pages of a query job's results. It is syntax
 * only (RFC 4180 plus Salesforce's limits), so sharing it can't hide a
 * misreading of the protocol in both.
 */

/* Salesforce's per-record limits (Bulk API 2.0 limits page). */
#define BASE_CSV_MAX_COLS 5000
#define BASE_CSV_MAX_CELL 32000

/*
 * A parsed table (an upload, a page of results): row 0 is the header, rows
 * 1..nrows the data. Every cell is NUL-terminated UTF-8 text with its
 * quoting undone, and lives in one arena the table owns.
 */
struct base_csv {
	size_t ncols;
	size_t nrows;  /* data rows, the header not counted */
	char **cells;  /* (nrows + 1) * ncols pointers into arena */
	char *arena;
};

#define BASE_CSV_INIT ((struct base_csv){0})

/* Cell (row, col); row 0 is the header. Borrowed, valid until release. */
static inline const char *base_csv_cell(const struct base_csv *c, size_t row,
					size_t col)
{
	return c->cells[row * c->ncols + col];
}

/*
 * Parses `len` bytes (no NUL needed; any byte may appear) as RFC 4180 CSV
 * with `delim` between cells and "\n" (crlf false) or "\r\n" (crlf true)
 * between rows, as a job's columnDelimiter and lineEnding say. Strict, as
 * Salesforce is: an unbalanced quote, a quote inside an unquoted cell, the
 * other line ending outside quotes, a NUL byte, a row with another number
 * of cells than the header, an empty or duplicate header name, more than
 * BASE_CSV_MAX_COLS columns or a cell over BASE_CSV_MAX_CELL bytes are
 * BASE_EINVAL with a one-line reason in err. Empty lines are skipped; a
 * leading UTF-8 BOM is dropped. On success the caller owns *out
 * (base_csv_release); on failure *out is empty.
 */
int base_csv_parse(const char *data, size_t len, char delim, bool crlf,
		   struct base_csv *out, struct base_err *err);
void base_csv_release(struct base_csv *c);

/* Appends s as one quoted cell ("" doubled), as Salesforce writes results. */
void base_csv_put(struct base_buf *b, const char *s);

#endif
