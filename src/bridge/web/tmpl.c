/* tmpl.c - load the console's templates once; render {{name}} placeholders with escaping. */
#include "bridge/web/tmpl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/banned.h"

/* Largest template or static file: they are small, hand-written files. */
#define TMPL_MAX_FILE (256u * 1024)
#define TMPL_MAX_NAME 32

struct tmpl_file {
	char *name;
	char *data;
	size_t len;
};

struct sfb_tmpl_set {
	struct tmpl_file *files;
	size_t n;
};

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* Length of the placeholder name at p (just after "{{"), or 0 if p doesn't
 * start "<name>}}". */
static size_t placeholder_len(const char *p)
{
	size_t n = 0;

	while (n <= TMPL_MAX_NAME && is_name_char(p[n]))
		n++;
	if (n == 0 || n > TMPL_MAX_NAME || p[n] != '}' || p[n + 1] != '}')
		return 0;
	return n;
}

static int check_syntax(const struct tmpl_file *f, struct base_err *err)
{
	const char *p = f->data;
	int line = 1;

	for (; *p; p++) {
		if (*p == '\n')
			line++;
		if (p[0] == '{' && p[1] == '{') {
			size_t n = placeholder_len(p + 2);

			if (n == 0)
				return base_err_set(err, BASE_EINVAL,
						    "template '%s' line %d: "
						    "bad placeholder (want "
						    "{{name}}, name [a-z0-9_])",
						    f->name, line);
			p += n + 3;
		}
	}
	return 0;
}

static int read_file(const char *path, char **out, size_t *len_out,
		     struct base_err *err)
{
	struct base_buf b = BASE_BUF_INIT(TMPL_MAX_FILE);
	char chunk[8192];
	FILE *f = fopen(path, "rb");
	size_t n;

	*out = NULL;
	if (!f)
		return base_err_set_errno(err, BASE_ENOTFOUND, "open '%s'", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		base_buf_append(&b, chunk, n);
	if (ferror(f)) {
		fclose(f);
		base_buf_release(&b);
		return base_err_set(err, BASE_ERR, "read '%s'", path);
	}
	fclose(f);
	base_buf_append(&b, "", 0);
	if (base_buf_err(&b)) {
		int code = base_buf_err(&b);

		base_buf_release(&b);
		return base_err_set(err, code, "read '%s': %s", path,
				    code == BASE_ETOOBIG ? "file too large"
							 : "no memory");
	}
	if (memchr(b.data, '\0', b.len)) {
		base_buf_release(&b);
		return base_err_set(err, BASE_EINVAL, "'%s' holds a NUL byte",
				    path);
	}
	*out = base_buf_detach(&b, len_out);
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int sfb_tmpl_load(const char *dir, const char *const *names, size_t n,
		  struct sfb_tmpl_set **out, struct base_err *err)
{
	struct sfb_tmpl_set *set = calloc(1, sizeof(*set));
	char path[4096];
	int rc = BASE_ERR;

	*out = NULL;
	if (!set)
		return base_err_set(err, BASE_ENOMEM, "templates");
	set->files = calloc(n, sizeof(*set->files));
	if (!set->files) {
		rc = base_err_set(err, BASE_ENOMEM, "templates");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct tmpl_file *f = &set->files[set->n];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		f->name = strdup(names[i]);
		if (!f->name) {
			rc = base_err_set(err, BASE_ENOMEM, "templates");
			goto out;
		}
		set->n++;
		rc = read_file(path, &f->data, &f->len, err);
		if (rc != 0)
			goto out;
		if (ends_with(f->name, ".html")) {
			rc = check_syntax(f, err);
			if (rc != 0)
				goto out;
		}
	}
	*out = set;
	set = NULL;
	rc = 0;
out:
	sfb_tmpl_free(set);
	return rc;
}

void sfb_tmpl_free(struct sfb_tmpl_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++) {
		free(set->files[i].name);
		free(set->files[i].data);
	}
	free(set->files);
	free(set);
}

static const struct tmpl_file *find(const struct sfb_tmpl_set *set,
				    const char *name)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->files[i].name, name) == 0)
			return &set->files[i];
	return NULL;
}

const char *sfb_tmpl_file(const struct sfb_tmpl_set *set, const char *name,
			  size_t *len_out)
{
	const struct tmpl_file *f = find(set, name);

	if (!f)
		return NULL;
	if (len_out)
		*len_out = f->len;
	return f->data;
}

static void vars_set(struct sfb_tmpl_vars *vars, const char *name,
		     const char *value, bool html)
{
	int i;

	for (i = 0; i < vars->n; i++)
		if (strcmp(vars->v[i].name, name) == 0)
			break;
	/* Overflow is a programmer error: the tables are fixed. */
	if (i == SFB_TMPL_MAX_VARS)
		return;
	if (i == vars->n)
		vars->n++;
	vars->v[i].name = name;
	vars->v[i].value = value ? value : "";
	vars->v[i].html = html;
}

void sfb_tmpl_vars_text(struct sfb_tmpl_vars *vars, const char *name,
			const char *value)
{
	vars_set(vars, name, value, false);
}

void sfb_tmpl_vars_html(struct sfb_tmpl_vars *vars, const char *name,
			const char *html)
{
	vars_set(vars, name, html, true);
}

int sfb_tmpl_render(const struct sfb_tmpl_set *set, const char *name,
		    const struct sfb_tmpl_vars *vars, struct base_buf *out,
		    struct base_err *err)
{
	const struct tmpl_file *f = find(set, name);
	const char *p, *run;

	if (!f)
		return base_err_set(err, BASE_ENOTFOUND, "no template '%s'",
				    name);
	for (p = run = f->data; *p; p++) {
		size_t n;
		int i;

		if (p[0] != '{' || p[1] != '{')
			continue;
		n = placeholder_len(p + 2); /* checked at load: n > 0 */
		base_buf_append(out, run, (size_t)(p - run));
		for (i = 0; i < vars->n; i++)
			if (strlen(vars->v[i].name) == n &&
			    memcmp(vars->v[i].name, p + 2, n) == 0)
				break;
		if (i == vars->n)
			return base_err_set(err, BASE_EINVAL,
					    "template '%s': no value for "
					    "'%.*s'",
					    name, (int)n, p + 2);
		if (vars->v[i].html)
			base_buf_puts(out, vars->v[i].value);
		else
			base_buf_put_xml(out, vars->v[i].value);
		p += n + 3;
		run = p + 1;
	}
	base_buf_append(out, run, (size_t)(p - run));
	if (base_buf_err(out))
		return base_err_set(err, base_buf_err(out),
				    "render '%s': output too large", name);
	return 0;
}
