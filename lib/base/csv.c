/* csv.c - the CSV of Bulk API 2.0: a strict reader (uploads, results) and a quoting writer. */
#include "csv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/banned.h"

/* Cell offsets into the arena while parsing; pointers once done. */
struct offs {
	size_t *v;
	size_t n, cap;
};

static int offs_push(struct offs *o, size_t x)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? 2 * o->cap : 64;
		size_t *v = realloc(o->v, cap * sizeof(*v));

		if (!v)
			return BASE_ENOMEM;
		o->v = v;
		o->cap = cap;
	}
	o->v[o->n++] = x;
	return 0;
}

void base_csv_release(struct base_csv *c)
{
	free(c->cells);
	free(c->arena);
	*c = BASE_CSV_INIT;
}

/* At p (< end): the row separator? Its length in *n. */
static bool at_eol(const char *p, const char *end, bool crlf, size_t *n)
{
	if (crlf && *p == '\r' && p + 1 < end && p[1] == '\n') {
		*n = 2;
		return true;
	}
	if (!crlf && *p == '\n') {
		*n = 1;
		return true;
	}
	return false;
}

/* The other line ending, or half of it, outside quotes. */
static bool wrong_eol(const char *p, const char *end, bool crlf)
{
	if (crlf)
		return *p == '\n' || (*p == '\r' && !(p + 1 < end && p[1] == '\n'));
	return *p == '\r' && p + 1 < end && p[1] == '\n';
}

static int fail(struct base_err *err, size_t row, const char *why)
{
	/* The "LineEnding is invalid..." and "ClientInputError" wording of
	 * Salesforce's job errors is not confirmed; row numbers count the
	 * header as 1. */
	return base_err_set(err, BASE_EINVAL, "row %zu: %s", row, why);
}

/* A row of ncells ends: the header sets the width, every later row keeps it. */
static int end_row(size_t *ncols, size_t ncells, size_t row,
		   struct base_err *err)
{
	if (row == 1)
		*ncols = ncells;
	else if (ncells != *ncols)
		return fail(err, row, "the row has a different number of cells "
				      "than the header");
	return 0;
}

int base_csv_parse(const char *data, size_t len, char delim, bool crlf,
		   struct base_csv *out, struct base_err *err)
{
	const char *p = data, *end = data + len;
	/* Unquoted text, plus one NUL per cell: never more than 2 * len + 1. */
	struct base_buf arena = BASE_BUF_INIT(2 * len + 16);
	struct offs offs = {0};
	size_t row = 1, ncols = 0, incol = 0, eol;
	int rc = BASE_EINVAL;

	*out = BASE_CSV_INIT;
	if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	/* Room for the arena's first byte, so offset 0 always exists. */
	base_buf_putc(&arena, '\0');
	while (p < end) {
		size_t start = arena.len;

		if (incol == 0 && at_eol(p, end, crlf, &eol)) {
			p += eol; /* an empty line */
			continue;
		}
		if (*p == '"') {
			p++;
			for (;;) {
				if (p == end) {
					rc = fail(err, row, "unbalanced quote: a "
						  "quoted cell never ends");
					goto out;
				}
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						base_buf_putc(&arena, '"');
						p += 2;
						continue;
					}
					p++;
					break;
				}
				if (*p == '\0') {
					rc = fail(err, row, "NUL byte in a cell");
					goto out;
				}
				base_buf_putc(&arena, *p++);
			}
			if (p < end && *p != delim && !at_eol(p, end, crlf, &eol)) {
				rc = fail(err, row, "text after the closing quote "
					  "of a cell");
				goto out;
			}
		} else {
			while (p < end && *p != delim && !at_eol(p, end, crlf, &eol)) {
				if (*p == '"') {
					rc = fail(err, row, "quote inside an "
						  "unquoted cell");
					goto out;
				}
				if (*p == '\0') {
					rc = fail(err, row, "NUL byte in a cell");
					goto out;
				}
				if (wrong_eol(p, end, crlf)) {
					rc = fail(err, row, crlf ?
						  "LineEnding is invalid on user "
						  "data. Current LineEnding "
						  "setting is CRLF" :
						  "LineEnding is invalid on user "
						  "data. Current LineEnding "
						  "setting is LF");
					goto out;
				}
				base_buf_putc(&arena, *p++);
			}
		}
		if (arena.len - start > BASE_CSV_MAX_CELL) {
			rc = fail(err, row, "a cell is longer than 32000 "
				  "characters");
			goto out;
		}
		base_buf_putc(&arena, '\0');
		if (base_buf_err(&arena) || offs_push(&offs, start)) {
			rc = base_err_set(err, BASE_ENOMEM, "csv: out of memory");
			goto out;
		}
		incol++;
		if (row == 1 && incol > BASE_CSV_MAX_COLS) {
			rc = fail(err, row, "more than 5000 columns");
			goto out;
		}
		if (p < end && *p == delim) {
			p++; /* another cell follows, maybe an empty last one */
			continue;
		}
		/* End of row: a line ending or the end of the data. */
		if (p < end && at_eol(p, end, crlf, &eol))
			p += eol;
		rc = end_row(&ncols, incol, row++, err);
		if (rc != 0)
			goto out;
		incol = 0;
	}
	/* "a,b,\n" ends a row with an empty last cell. */
	if (incol > 0) {
		size_t start = arena.len;

		base_buf_putc(&arena, '\0');
		if (base_buf_err(&arena) || offs_push(&offs, start)) {
			rc = base_err_set(err, BASE_ENOMEM, "csv: out of memory");
			goto out;
		}
		rc = end_row(&ncols, incol + 1, row++, err);
		if (rc != 0)
			goto out;
	}
	if (ncols == 0) {
		rc = base_err_set(err, BASE_EINVAL, "no header row");
		goto out;
	}
	out->cells = calloc(offs.n, sizeof(*out->cells));
	if (!out->cells) {
		rc = base_err_set(err, BASE_ENOMEM, "csv: out of memory");
		goto out;
	}
	out->arena = base_buf_detach(&arena, NULL);
	for (size_t i = 0; i < offs.n; i++)
		out->cells[i] = out->arena + offs.v[i];
	out->ncols = ncols;
	out->nrows = offs.n / ncols - 1;
	for (size_t i = 0; i < ncols; i++) {
		if (!out->cells[i][0]) {
			rc = fail(err, 1, "an empty column name in the header");
			goto out;
		}
		for (size_t j = 0; j < i; j++) {
			if (!strcasecmp(out->cells[i], out->cells[j])) {
				rc = base_err_set(err, BASE_EINVAL,
						  "row 1: duplicate column '%.80s' "
						  "in the header",
						  out->cells[i]);
				goto out;
			}
		}
	}
	rc = 0;
out:
	if (rc)
		base_csv_release(out);
	free(offs.v);
	base_buf_release(&arena);
	return rc;
}

void base_csv_put(struct base_buf *b, const char *s)
{
	base_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			base_buf_putc(b, '"');
		base_buf_putc(b, *s);
	}
	base_buf_putc(b, '"');
}
