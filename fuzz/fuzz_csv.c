/* fuzz_csv.c - libFuzzer target for the Bulk API 2.0 CSV reader and writer (lib/base/csv.c). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/csv.h"
#include "base/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char delims[] = {',', '`', '^', '|', ';', '\t'};

/* What base_csv_put writes for every cell, read back, is the same table. */
static void check_round_trip(const struct base_csv *c, char delim, bool crlf)
{
	struct base_buf b = BASE_BUF_INIT(64u * 1024 * 1024);
	struct base_err err = BASE_ERR_INIT;
	struct base_csv back = BASE_CSV_INIT;

	for (size_t r = 0; r <= c->nrows; r++) {
		for (size_t i = 0; i < c->ncols; i++) {
			if (i)
				base_buf_putc(&b, delim);
			base_csv_put(&b, base_csv_cell(c, r, i));
		}
		base_buf_puts(&b, crlf ? "\r\n" : "\n");
	}
	if (base_buf_err(&b))
		goto out;
	if (base_csv_parse(b.data, b.len, delim, crlf, &back, &err) != 0) {
		/* Only a row of nothing but one empty cell is lost (an empty
		 * line is skipped), which changes the row count: allowed. */
		if (err.code == BASE_ENOMEM || c->ncols == 1)
			goto out;
		abort();
	}
	if (back.ncols != c->ncols || (back.nrows != c->nrows && c->ncols != 1))
		abort();
	for (size_t r = 0; c->ncols > 1 && r <= c->nrows; r++) {
		for (size_t i = 0; i < c->ncols; i++) {
			if (strcmp(base_csv_cell(c, r, i), base_csv_cell(&back, r, i)))
				abort();
		}
	}
out:
	base_csv_release(&back);
	base_buf_release(&b);
}

/*
 * The first byte picks the delimiter and line ending; the rest is the
 * upload, in an exact-size copy so ASan sees any read past it. Besides
 * sanitizer reports, aborts when a documented contract breaks: a refusal is
 * BASE_EINVAL (or ENOMEM) with a message and an empty table; a table has a
 * header of distinct, non-empty names, every cell NUL-terminated within
 * BASE_CSV_MAX_CELL, and survives a write and a re-read.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct base_csv c = BASE_CSV_INIT;
	struct base_err err = BASE_ERR_INIT;
	char delim;
	bool crlf;
	char *exact;
	int rc;

	if (size == 0)
		return 0;
	delim = delims[(data[0] & 0x7f) % sizeof(delims)];
	crlf = data[0] & 0x80;
	data++;
	size--;
	exact = malloc(size ? size : 1);
	if (!exact)
		return 0;
	memcpy(exact, data, size);
	rc = base_csv_parse(exact, size, delim, crlf, &c, &err);
	if (rc != 0) {
		if ((rc != BASE_EINVAL && rc != BASE_ENOMEM) || err.code != rc ||
		    !err.msg[0] || c.cells || c.arena || c.ncols || c.nrows)
			abort();
		goto out;
	}
	if (c.ncols == 0 || c.ncols > BASE_CSV_MAX_COLS || !c.cells)
		abort();
	for (size_t r = 0; r <= c.nrows; r++) {
		for (size_t i = 0; i < c.ncols; i++) {
			const char *cell = base_csv_cell(&c, r, i);

			if (!cell || strlen(cell) > BASE_CSV_MAX_CELL ||
			    strlen(cell) > size)
				abort();
			if (r == 0 && !cell[0])
				abort();
		}
	}
	check_round_trip(&c, delim, crlf);
out:
	base_csv_release(&c);
	free(exact);
	return 0;
}
