/* soql.c - parse SOQL, and compile it to one parameterised SQLite SELECT. */
#include "soql.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/datetime.h"
#include "emu/sfid.h"
#include "base/banned.h"

/*
 * Facts about SOQL used below, and where they come from:
 *  [esc]   Quoted string escapes: \n \N \r \R \t \T \b \B \f \F \" \' \\,
 *          \uXXXX, and "LIKE expression only" \_ and \%; any other backslash
 *          is an error. SOQL and SOSL reference, "Quoted String Escape
 *          Sequences".
 *  [dates] Date literals: TODAY, LAST_WEEK ... ranges start at 00:00 in the
 *          user's/org's locale; LAST_N_DAYS:n includes today (LAST_N_DAYS:1
 *          is yesterday and today, LAST_90_DAYS is 91 days); NEXT_N_DAYS:n
 *          starts tomorrow; = means inside the range, < and > either side.
 *          SOQL reference, "Date Formats and Date Literals in WHERE".
 *  [order] ORDER BY is case-insensitive; nulls sort first unless NULLS LAST;
 *          multi-select picklists and long text areas can't be sorted. SOQL
 *          reference, "ORDER BY".
 *  [logic] AND and OR can't be mixed without parentheses ("unexpected token:
 *          OR"), and NOT needs parentheses after AND/OR ("Name <> NULL AND
 *          NOT (x > 0)" gives "unexpected token: 'NOT'"). SOQL reference,
 *          "Logical Operators"; jetstreamapp/soql-parser-js#201.
 *  [caret] Errors echo the offending line of the query, a caret under the
 *          column, then "ERROR at Row:R:Column:C" and the reason; for a
 *          multi-line query only that line is echoed ("\nFROM Maycur_Form__c
 *          \n     ^\nERROR at Row:2:Column:6\nsObject type ..."). Captured
 *          messages in forcedotcom/soql-tooling#86 and several public repos.
 *  [len]   "SOQL statements can not be longer than 100000 characters."
 *          (django-salesforce#164, IlluminatedCloud#466) and "SOQL
 *          statements cannot be empty or null" (Salesforce-Inspector-
 *          Advanced#284), both MALFORMED_QUERY without a caret.
 *  [fields] "The SOQL FIELDS function must have a LIMIT of at most 200"
 *          (MALFORMED_QUERY) for FIELDS(ALL) / FIELDS(CUSTOM); "duplicate
 *          field selected: Id" (INVALID_FIELD) from captured bodies.
 *  [expr]  Unaliased aggregates are named expr0, expr1, ... counting only
 *          the unaliased ones. SOQL reference, "Using Aliases with GROUP BY".
 * Everything marked [UNCONFIRMED] is our best guess at Salesforce's text.
 */

#define SQL_MAX      (8u << 20)  /* bytes of generated SQL */
#define ARENA_MAX    (64u << 20) /* bytes of AST or scratch per query */
#define ARENA_BLOCK  16384
#define PATH_PARTS   8       /* parsed; compile allows 4 (3 relationships) */
#define MAX_PARAMS   30000   /* SQLite allows 32766 */
#define MAX_COLS     1900    /* SQLite allows 2000 result columns */
#define MAX_N        1000000 /* LAST_N_DAYS:n and friends */
#define OFFSET_MAX   2000
#define FIELDS_LIMIT 200
#define TZ_FILE_MAX  65536
/*
 * SQLite 3.40's parser stack holds 100 entries and its expression trees
 * 1000 levels; keep the generated WHERE well inside both (see cost below).
 */
#define SQL_STACK_BUDGET 80
#define SQL_DEPTH_BUDGET 800
#define CHAIN_CHUNK      64

/* ---- arena: the AST and compile scratch live in one, freed at once ---- */

struct ablock {
	struct ablock *next;
	size_t used, cap;
	max_align_t data[];
};

struct arena {
	struct ablock *head;
	size_t total;
};

static void *arena_alloc(struct arena *a, size_t n)
{
	size_t al = sizeof(max_align_t);
	struct ablock *b = a->head;
	void *p;

	if (n > ARENA_MAX)
		return NULL;
	n = n ? (n + al - 1) / al * al : al;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;

		if (a->total + cap > ARENA_MAX)
			return NULL;
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->next = a->head;
		b->used = 0;
		b->cap = cap;
		a->head = b;
		a->total += cap;
	}
	p = (unsigned char *)b->data + b->used;
	b->used += n;
	return p;
}

static void *arena_zalloc(struct arena *a, size_t n)
{
	void *p = arena_alloc(a, n);

	if (p)
		memset(p, 0, n);
	return p;
}

static char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* Returns arr, or a copy twice as big when n reached *cap; NULL on OOM. */
static void *arena_grow(struct arena *a, void *arr, int *cap, int n,
			size_t elem)
{
	int nc;
	void *p;

	if (n < *cap)
		return arr;
	nc = *cap ? *cap * 2 : 8;
	p = arena_alloc(a, (size_t)nc * elem);
	if (!p)
		return NULL;
	if (n)
		memcpy(p, arr, (size_t)n * elem);
	*cap = nc;
	return p;
}

static void arena_release(struct arena *a)
{
	while (a->head) {
		struct ablock *b = a->head;

		a->head = b->next;
		free(b);
	}
	a->total = 0;
}

/* ---- errors in Salesforce's words ---- */

static const char no_column[] =
	"No such column '%s' on entity '%s'. If you are attempting to use a "
	"custom field, be sure to append the '__c' after the custom field "
	"name. Please reference your WSDL or the describe call for the "
	"appropriate names.";
static const char no_relationship[] =
	"Didn't understand relationship '%s' in field path. If you are "
	"attempting to use a custom relationship, be sure to append the '__r' "
	"after the custom relationship name. Please reference your WSDL or the "
	"describe call for the appropriate names.";
static const char no_object[] =
	"sObject type '%s' is not supported. If you are attempting to use a "
	"custom object, be sure to append the '__c' after the entity name. "
	"Please reference your WSDL or the describe call for the appropriate "
	"names.";

static size_t count_chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

/* No caret: messages Salesforce gives without echoing the query. */
__attribute__((format(printf, 4, 5))) static int
fail(struct emu_soql_error *e, int rc, const char *code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return rc;
	snprintf(e->code, sizeof(e->code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return rc;
}

static int nomem(struct emu_soql_error *e)
{
	return fail(e, BASE_ENOMEM, "UNKNOWN_EXCEPTION", "out of memory");
}

/*
 * "\n<line>\n<spaces>^\nERROR at Row:R:Column:C\n<why>" [caret]. Row and
 * column are 1-based, the column counted in characters. A line too long for
 * the message is cut to a window around the column (the column printed stays
 * the real one) [UNCONFIRMED: what Salesforce does with very long lines].
 */
__attribute__((format(printf, 5, 6))) static int
fail_at(struct emu_soql_error *e, const char *text, size_t off,
	const char *code, const char *fmt, ...)
{
	char why[800], tail[900];
	size_t ls = off, le = off, start, end, avail, pre, tl;
	int row = 1;
	va_list ap;

	if (!e)
		return BASE_EINVAL;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < off; i++)
		if (text[i] == '\n')
			row++;
	while (ls > 0 && text[ls - 1] != '\n')
		ls--;
	while (text[le] && text[le] != '\n')
		le++;
	if (le > ls && text[le - 1] == '\r')
		le--;
	if (off > le)
		off = le;
	snprintf(tail, sizeof(tail), "ERROR at Row:%d:Column:%zu\n%s", row,
		 count_chars(text + ls, off - ls) + 1, why);
	tl = strlen(tail);
	avail = sizeof(e->message) - 1 - tl - 4;
	start = ls;
	end = le;
	if ((le - ls) + (off - ls) > avail) {
		pre = off - ls < avail / 3 ? off - ls : avail / 3;
		start = off - pre;
		while (start < off &&
		       ((unsigned char)text[start] & 0xC0) == 0x80)
			start++;
		end = off + (avail - 2 * pre) < le ? off + (avail - 2 * pre)
						   : le;
		while (end > off && ((unsigned char)text[end] & 0xC0) == 0x80)
			end--;
	}
	snprintf(e->code, sizeof(e->code), "%s", code);
	snprintf(e->message, sizeof(e->message), "\n%.*s\n%*s^\n%s",
		 (int)(end - start), text + start,
		 (int)count_chars(text + start, off - start), "", tail);
	return BASE_EINVAL;
}

/* ---- lexer ---- */

enum tkind {
	T_EOF,
	T_IDENT,
	T_STRING,
	T_INT,
	T_DEC,
	T_DATE,
	T_DATETIME,
	T_COMMA,
	T_LP,
	T_RP,
	T_COLON,
	T_EQ,
	T_NE,
	T_LT,
	T_LE,
	T_GT,
	T_GE,
	T_BAD, /* a character or string that can't start a token */
};

struct tok {
	enum tkind kind;
	size_t off, len;
};

static bool id_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool id_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static bool digits_at(const char *s, size_t len, size_t i, size_t n)
{
	if (i + n > len)
		return false;
	for (size_t k = 0; k < n; k++)
		if (!isdigit((unsigned char)s[i + k]))
			return false;
	return true;
}

/*
 * 2026-01-31 or 2026-01-31T10:00:00[.fff](Z|+hh:mm|-hh:mm|+hhmm); the
 * caller saw four digits and '-'. Returns the length, 0 if not a date.
 */
static size_t lex_date(const char *s, size_t len, size_t i, enum tkind *kind)
{
	size_t j = i;

	if (!digits_at(s, len, j, 4) || j + 10 > len || s[j + 4] != '-' ||
	    !digits_at(s, len, j + 5, 2) || s[j + 7] != '-' ||
	    !digits_at(s, len, j + 8, 2))
		return 0;
	j += 10;
	*kind = T_DATE;
	if (j >= len || s[j] != 'T')
		return j - i;
	if (!digits_at(s, len, j + 1, 2) || j + 9 > len || s[j + 3] != ':' ||
	    !digits_at(s, len, j + 4, 2) || s[j + 6] != ':' ||
	    !digits_at(s, len, j + 7, 2))
		return 0;
	j += 9;
	if (j < len && s[j] == '.') {
		size_t k = j + 1;

		while (k < len && isdigit((unsigned char)s[k]))
			k++;
		if (k == j + 1)
			return 0;
		j = k;
	}
	if (j < len && s[j] == 'Z') {
		j++;
	} else if (j < len && (s[j] == '+' || s[j] == '-') &&
		   digits_at(s, len, j + 1, 2)) {
		j += 3;
		if (j < len && s[j] == ':')
			j++;
		if (!digits_at(s, len, j, 2))
			return 0;
		j += 2;
	} else {
		return 0;
	}
	*kind = T_DATETIME;
	return j - i;
}

/* The token at or after byte `pos`; never reads past len. */
static struct tok lex_at(const char *s, size_t len, size_t pos)
{
	struct tok t = {T_EOF, pos, 0};
	size_t i = pos, j;
	char c;

	while (i < len && isspace((unsigned char)s[i]))
		i++;
	t.off = i;
	if (i >= len) {
		t.off = len;
		return t;
	}
	c = s[i];
	if (id_start(c)) {
		/* A dotted path ("Account.Owner.Name") is one token. */
		j = i + 1;
		for (;;) {
			while (j < len && id_char(s[j]))
				j++;
			if (j + 1 < len && s[j] == '.' && id_start(s[j + 1])) {
				j += 2;
				continue;
			}
			break;
		}
		t.kind = T_IDENT;
		t.len = j - i;
		return t;
	}
	if (isdigit((unsigned char)c) ||
	    ((c == '-' || c == '+') && i + 1 < len &&
	     isdigit((unsigned char)s[i + 1]))) {
		enum tkind dk = T_BAD;

		if (isdigit((unsigned char)c) && digits_at(s, len, i, 4) &&
		    i + 4 < len && s[i + 4] == '-') {
			t.len = lex_date(s, len, i, &dk);
			t.kind = dk;
			if (!t.len) {
				t.kind = T_BAD;
				t.len = 4;
			}
			return t;
		}
		j = i + 1;
		while (j < len && isdigit((unsigned char)s[j]))
			j++;
		t.kind = T_INT;
		if (j + 1 < len && s[j] == '.' &&
		    isdigit((unsigned char)s[j + 1])) {
			j++;
			while (j < len && isdigit((unsigned char)s[j]))
				j++;
			t.kind = T_DEC;
		}
		t.len = j - i;
		return t;
	}
	if (c == '\'') {
		for (j = i + 1; j < len && s[j] != '\''; j++)
			if (s[j] == '\\' && j + 1 < len)
				j++;
		if (j >= len) {
			t.kind = T_BAD; /* unterminated */
			t.len = len - i;
			return t;
		}
		t.kind = T_STRING;
		t.len = j + 1 - i;
		return t;
	}
	t.len = 1;
	switch (c) {
	case ',':
		t.kind = T_COMMA;
		break;
	case '(':
		t.kind = T_LP;
		break;
	case ')':
		t.kind = T_RP;
		break;
	case ':':
		t.kind = T_COLON;
		break;
	case '=':
		t.kind = T_EQ;
		break;
	case '!':
		t.kind = T_BAD;
		if (i + 1 < len && s[i + 1] == '=') {
			t.kind = T_NE;
			t.len = 2;
		}
		break;
	case '<':
		t.kind = T_LT;
		if (i + 1 < len && (s[i + 1] == '=' || s[i + 1] == '>')) {
			t.kind = s[i + 1] == '=' ? T_LE : T_NE;
			t.len = 2;
		}
		break;
	case '>':
		t.kind = T_GT;
		if (i + 1 < len && s[i + 1] == '=') {
			t.kind = T_GE;
			t.len = 2;
		}
		break;
	default:
		/* A whole UTF-8 character: the message quotes it intact. */
		t.kind = T_BAD;
		while (i + t.len < len &&
		       ((unsigned char)s[i + t.len] & 0xC0) == 0x80)
			t.len++;
		break;
	}
	return t;
}

/* ---- the AST ---- */

struct path {
	const char *part[PATH_PARTS]; /* as written */
	int n;
	size_t off, len; /* the whole dotted token */
};

enum vkind {
	V_NULL,
	V_TRUE,
	V_FALSE,
	V_STRING,
	V_INT,
	V_DEC,
	V_DATE,
	V_DATETIME,
	V_DATELIT,
};

struct value {
	enum vkind kind;
	size_t off;    /* of the literal, for errors */
	const char *s; /* V_STRING: in LIKE form (see decode_string); V_DATE */
	long long i;   /* V_INT; V_DATELIT: n */
	double d;      /* V_DEC */
	int64_t ms;    /* V_DATETIME */
	int lit;       /* V_DATELIT: index into date_lits */
};

enum agg { AGG_COUNT, AGG_COUNT_DISTINCT, AGG_SUM, AGG_AVG, AGG_MIN, AGG_MAX };
static const char *const agg_names[] = {
	"COUNT", "COUNT_DISTINCT", "SUM", "AVG", "MIN", "MAX"};

enum ikind { I_FIELD, I_AGG, I_FIELDS };
enum fields_kind { FK_ALL, FK_STANDARD, FK_CUSTOM };

struct item {
	enum ikind kind;
	size_t off;
	struct path path; /* I_FIELD, or I_AGG's argument (n == 0: COUNT()) */
	int fn;           /* enum agg, or enum fields_kind */
	const char *alias;
	size_t alias_off;
};

enum ckind { C_AND, C_OR, C_NOT, C_CMP };
enum op {
	OP_EQ,
	OP_NE,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_LIKE,
	OP_IN,
	OP_NOT_IN,
	OP_INCLUDES,
	OP_EXCLUDES,
};

struct cond {
	enum ckind kind;
	struct cond **kids; /* C_AND / C_OR: 2 or more; C_NOT: 1 */
	int nkids;
	struct item lhs; /* C_CMP: a field, or an aggregate in HAVING */
	enum op op;
	size_t op_off;
	struct value *vals;
	int nvals;
};

struct order {
	struct item what;
	bool desc;
	int nulls; /* 0 default (first), 1 first, 2 last */
};

struct emu_soql {
	struct arena arena; /* owns everything below */
	const char *text;
	size_t len;
	struct item *items;
	int nitems;
	const char *from, *alias;
	size_t from_off;
	struct cond *where;
	struct path *group;
	int ngroup;
	struct cond *having;
	size_t having_off;
	struct order *order;
	int norder;
	long long limit, offset;
	bool has_limit, has_offset;
};

/* Date literals: a period unit and where the range sits relative to now. */
enum unit { U_DAY, U_WEEK, U_MONTH, U_QUARTER, U_YEAR };
enum form { F_THIS, F_LAST, F_NEXT, F_LAST_N, F_NEXT_N, F_N_AGO };

static const struct {
	const char *name;
	enum unit unit;
	enum form form;
	int n; /* fixed n, or -1: the literal takes ":n" */
} date_lits[] = {
	{"TODAY", U_DAY, F_THIS, 0},
	{"YESTERDAY", U_DAY, F_LAST, 0},
	{"TOMORROW", U_DAY, F_NEXT, 0},
	{"THIS_WEEK", U_WEEK, F_THIS, 0},
	{"LAST_WEEK", U_WEEK, F_LAST, 0},
	{"NEXT_WEEK", U_WEEK, F_NEXT, 0},
	{"THIS_MONTH", U_MONTH, F_THIS, 0},
	{"LAST_MONTH", U_MONTH, F_LAST, 0},
	{"NEXT_MONTH", U_MONTH, F_NEXT, 0},
	{"THIS_QUARTER", U_QUARTER, F_THIS, 0},
	{"LAST_QUARTER", U_QUARTER, F_LAST, 0},
	{"NEXT_QUARTER", U_QUARTER, F_NEXT, 0},
	{"THIS_YEAR", U_YEAR, F_THIS, 0},
	{"LAST_YEAR", U_YEAR, F_LAST, 0},
	{"NEXT_YEAR", U_YEAR, F_NEXT, 0},
	{"LAST_90_DAYS", U_DAY, F_LAST_N, 90},
	{"NEXT_90_DAYS", U_DAY, F_NEXT_N, 90},
	{"LAST_N_DAYS", U_DAY, F_LAST_N, -1},
	{"NEXT_N_DAYS", U_DAY, F_NEXT_N, -1},
	{"N_DAYS_AGO", U_DAY, F_N_AGO, -1},
	{"LAST_N_WEEKS", U_WEEK, F_LAST_N, -1},
	{"NEXT_N_WEEKS", U_WEEK, F_NEXT_N, -1},
	{"N_WEEKS_AGO", U_WEEK, F_N_AGO, -1},
	{"LAST_N_MONTHS", U_MONTH, F_LAST_N, -1},
	{"NEXT_N_MONTHS", U_MONTH, F_NEXT_N, -1},
	{"N_MONTHS_AGO", U_MONTH, F_N_AGO, -1},
	{"LAST_N_QUARTERS", U_QUARTER, F_LAST_N, -1},
	{"NEXT_N_QUARTERS", U_QUARTER, F_NEXT_N, -1},
	{"N_QUARTERS_AGO", U_QUARTER, F_N_AGO, -1},
	{"LAST_N_YEARS", U_YEAR, F_LAST_N, -1},
	{"NEXT_N_YEARS", U_YEAR, F_NEXT_N, -1},
	{"N_YEARS_AGO", U_YEAR, F_N_AGO, -1},
};
#define NDATE_LITS ((int)(sizeof(date_lits) / sizeof(date_lits[0])))

/* ---- parser ---- */

struct parser {
	struct emu_soql *q;
	const char *s;
	size_t len, pos;
	struct tok t; /* the current token */
	struct emu_soql_error *e;
	int depth;
};

/* SOQL's reserved words, plus our clause words: never an alias. */
static const char *const reserved[] = {
	"AND",    "ASC",   "DESC",     "EXCLUDES", "FIRST",  "FROM",  "GROUP",
	"HAVING", "IN",    "INCLUDES", "LAST",     "LIKE",   "LIMIT", "NOT",
	"NULL",   "NULLS", "OR",       "SELECT",   "WHERE",  "WITH",  "ORDER",
	"OFFSET", "FOR",   "USING",    "UPDATE",   "TYPEOF", "END",   "WHEN",
	"THEN",   "ELSE",  "TRUE",     "FALSE",
};

static void next(struct parser *p)
{
	p->t = lex_at(p->s, p->len, p->pos);
	p->pos = p->t.off + p->t.len;
}

static bool is(const struct parser *p, enum tkind k)
{
	return p->t.kind == k;
}

static bool tok_eq(const struct parser *p, const struct tok *t,
		   const char *word)
{
	size_t n = strlen(word);

	return t->kind == T_IDENT && t->len == n &&
	       strncasecmp(p->s + t->off, word, n) == 0;
}

static bool kw(const struct parser *p, const char *word)
{
	return tok_eq(p, &p->t, word);
}

static bool peek_lp(const struct parser *p)
{
	return lex_at(p->s, p->len, p->pos).kind == T_LP;
}

static bool is_alias(const struct parser *p)
{
	if (!is(p, T_IDENT) || memchr(p->s + p->t.off, '.', p->t.len))
		return false;
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (kw(p, reserved[i]))
			return false;
	return true;
}

static int unexpected(struct parser *p)
{
	size_t n = p->t.len > 200 ? 200 : p->t.len;

	if (is(p, T_EOF))
		return fail_at(p->e, p->s, p->t.off, "MALFORMED_QUERY",
			       "unexpected token: <EOF>");
	return fail_at(p->e, p->s, p->t.off, "MALFORMED_QUERY",
		       "unexpected token: '%.*s'", (int)n, p->s + p->t.off);
}

/* Valid SOQL we don't emulate: say so rather than pretend it is a typo. */
static int unsupported(struct parser *p, size_t off, const char *what)
{
	return fail_at(p->e, p->s, off, "MALFORMED_QUERY",
		       "sfemu does not support %s", what);
}

static int expect(struct parser *p, enum tkind k)
{
	if (!is(p, k))
		return unexpected(p);
	next(p);
	return 0;
}

static int expect_kw(struct parser *p, const char *word)
{
	if (!kw(p, word))
		return unexpected(p);
	next(p);
	return 0;
}

static char *tok_dup(struct parser *p)
{
	return arena_strndup(&p->q->arena, p->s + p->t.off, p->t.len);
}

static int parse_path(struct parser *p, struct path *out)
{
	const char *s = p->s + p->t.off, *end = s + p->t.len;

	if (!is(p, T_IDENT))
		return unexpected(p);
	memset(out, 0, sizeof(*out));
	out->off = p->t.off;
	out->len = p->t.len;
	while (s < end) {
		const char *dot = memchr(s, '.', (size_t)(end - s));
		size_t n = dot ? (size_t)(dot - s) : (size_t)(end - s);

		if (out->n == PATH_PARTS)
			return fail_at(p->e, p->s, out->off, "MALFORMED_QUERY",
				       "sfemu supports at most 3 relationship "
				       "levels in a field path");
		out->part[out->n] = arena_strndup(&p->q->arena, s, n);
		if (!out->part[out->n++])
			return nomem(p->e);
		s += n + (dot ? 1 : 0);
	}
	next(p);
	return 0;
}

static int agg_fn(const struct parser *p)
{
	for (int i = 0; i < (int)(sizeof(agg_names) / sizeof(agg_names[0]));
	     i++)
		if (kw(p, agg_names[i]))
			return i;
	return -1;
}

/* FN '(' [path] ')' : the current token is FN and the next is '('. */
static int parse_agg(struct parser *p, struct item *it)
{
	it->kind = I_AGG;
	it->off = p->t.off;
	it->fn = agg_fn(p);
	next(p);
	next(p); /* '(' */
	if (is(p, T_RP) && it->fn == AGG_COUNT) {
		next(p);
		return 0;
	}
	if (kw(p, "DISTINCT") && it->fn == AGG_COUNT)
		return unsupported(p, p->t.off,
				   "COUNT(DISTINCT x); use COUNT_DISTINCT(x)");
	if (parse_path(p, &it->path))
		return BASE_EINVAL;
	return expect(p, T_RP);
}

static int parse_alias(struct parser *p, struct item *it)
{
	if (!is_alias(p))
		return 0;
	it->alias_off = p->t.off;
	it->alias = tok_dup(p);
	if (!it->alias)
		return nomem(p->e);
	next(p);
	return 0;
}

static int parse_select_item(struct parser *p, struct item *it)
{
	memset(it, 0, sizeof(*it));
	it->off = p->t.off;
	if (is(p, T_LP))
		return unsupported(p, p->t.off,
				   "child relationship subqueries");
	if (!is(p, T_IDENT))
		return unexpected(p);
	if (kw(p, "TYPEOF"))
		return unsupported(p, p->t.off, "TYPEOF");
	if (peek_lp(p)) {
		if (kw(p, "FIELDS")) {
			it->kind = I_FIELDS;
			next(p);
			next(p);
			if (kw(p, "ALL"))
				it->fn = FK_ALL;
			else if (kw(p, "STANDARD"))
				it->fn = FK_STANDARD;
			else if (kw(p, "CUSTOM"))
				it->fn = FK_CUSTOM;
			else
				return unexpected(p);
			next(p);
			return expect(p, T_RP);
		}
		if (agg_fn(p) < 0)
			return fail_at(p->e, p->s, p->t.off, "MALFORMED_QUERY",
				       "sfemu does not support the function "
				       "'%.*s'",
				       (int)(p->t.len > 100 ? 100 : p->t.len),
				       p->s + p->t.off);
		if (parse_agg(p, it))
			return BASE_EINVAL;
		return parse_alias(p, it);
	}
	it->kind = I_FIELD;
	if (parse_path(p, &it->path))
		return BASE_EINVAL;
	return parse_alias(p, it);
}

/* The four hex digits at s[i..i+3] as a number; -1 if they aren't. */
static long hex4(const char *s, size_t n, size_t i)
{
	long v = 0;

	for (size_t k = 0; k < 4; k++) {
		char c = i + k < n ? s[i + k] : '\0';

		if (!isxdigit((unsigned char)c))
			return -1;
		v = v * 16 + (isdigit((unsigned char)c)
				      ? c - '0'
				      : tolower((unsigned char)c) - 'a' + 10);
	}
	return v;
}

/* Writes code point cp as UTF-8; returns the bytes written (1 to 4). */
static size_t put_utf8(char *o, unsigned long cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/*
 * Decodes a quoted literal (the token, quotes included) into "LIKE form":
 * escapes are resolved [esc], except that \_ and \% stay as written and a
 * literal backslash stays doubled, so the text is ready to be a LIKE
 * pattern with ESCAPE '\'; plain() turns it into the value for the other
 * operators. The result is never longer than the token.
 */
static int decode_string(struct parser *p, const char **out)
{
	const char *s = p->s + p->t.off + 1;
	size_t n = p->t.len - 2, j = 0, esc = 0;
	char *o = arena_alloc(&p->q->arena, p->t.len + 1);

	if (!o)
		return nomem(p->e);
	for (size_t i = 0; i < n; i++) {
		long cp;

		if (s[i] != '\\') {
			o[j++] = s[i];
			continue;
		}
		esc = i;
		switch (s[++i]) {
		case 'n':
		case 'N':
			o[j++] = '\n';
			break;
		case 'r':
		case 'R':
			o[j++] = '\r';
			break;
		case 't':
		case 'T':
			o[j++] = '\t';
			break;
		case 'b':
		case 'B':
			o[j++] = '\b';
			break;
		case 'f':
		case 'F':
			o[j++] = '\f';
			break;
		case '"':
			o[j++] = '"';
			break;
		case '\'':
			o[j++] = '\'';
			break;
		case '\\':
		case '_':
		case '%':
			o[j++] = '\\';
			o[j++] = s[i];
			break;
		case 'u':
			cp = hex4(s, n, i + 1);
			i += 4;
			if (cp >= 0xD800 && cp <= 0xDBFF && i + 2 < n &&
			    s[i + 1] == '\\' && s[i + 2] == 'u') {
				long lo = hex4(s, n, i + 3);

				if (lo < 0xDC00 || lo > 0xDFFF)
					goto bad;
				cp = 0x10000 + ((cp - 0xD800) << 10) +
				     (lo - 0xDC00);
				i += 6;
			}
			if (cp <= 0 || (cp >= 0xD800 && cp <= 0xDFFF))
				goto bad;
			j += put_utf8(o + j, (unsigned long)cp);
			/* A literal backslash stays doubled in LIKE form. */
			if (cp == '\\')
				o[j++] = '\\';
			break;
		default:
			goto bad;
		}
	}
	o[j] = '\0';
	*out = o;
	return 0;
bad:
	/* [UNCONFIRMED] wording */
	return fail_at(
		p->e, p->s, p->t.off, "MALFORMED_QUERY",
		"Invalid string literal %.*s. Illegal character sequence "
		"'%.*s' in string literal.",
		(int)(p->t.len > 200 ? 200 : p->t.len), p->s + p->t.off, 2,
		s + esc);
}

static bool leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && leap(y) ? 29 : d[m - 1];
}

static bool valid_ymd(const char *s)
{
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
		(s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	int d = (s[8] - '0') * 10 + (s[9] - '0');

	return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= month_days(y, m);
}

static int bad_value(struct parser *p)
{
	return unexpected(p);
}

static int parse_value(struct parser *p, struct value *v)
{
	char *txt;

	memset(v, 0, sizeof(*v));
	v->off = p->t.off;
	switch (p->t.kind) {
	case T_STRING:
		v->kind = V_STRING;
		if (decode_string(p, &v->s))
			return BASE_EINVAL;
		break;
	case T_INT:
	case T_DEC:
		txt = tok_dup(p);
		if (!txt)
			return nomem(p->e);
		errno = 0;
		if (p->t.kind == T_INT) {
			v->kind = V_INT;
			v->i = strtoll(txt, NULL, 10);
			if (errno != ERANGE)
				break;
		}
		v->kind = V_DEC;
		v->d = strtod(txt, NULL);
		if (!isfinite(v->d))
			return bad_value(p);
		break;
	case T_DATE:
		if (!valid_ymd(p->s + p->t.off))
			return bad_value(p);
		v->kind = V_DATE;
		v->s = tok_dup(p);
		if (!v->s)
			return nomem(p->e);
		break;
	case T_DATETIME:
		txt = tok_dup(p);
		if (!txt)
			return nomem(p->e);
		if (!valid_ymd(txt) || base_time_parse_iso(txt, &v->ms) < 0)
			return bad_value(p);
		v->kind = V_DATETIME;
		break;
	case T_IDENT:
		if (kw(p, "NULL")) {
			v->kind = V_NULL;
			break;
		}
		if (kw(p, "TRUE") || kw(p, "FALSE")) {
			v->kind = kw(p, "TRUE") ? V_TRUE : V_FALSE;
			break;
		}
		for (int i = 0; i < NDATE_LITS; i++) {
			if (!kw(p, date_lits[i].name))
				continue;
			v->kind = V_DATELIT;
			v->lit = i;
			v->i = date_lits[i].n;
			if (date_lits[i].n >= 0)
				goto out;
			next(p);
			if (expect(p, T_COLON))
				return BASE_EINVAL;
			if (!is(p, T_INT) || p->s[p->t.off] == '-' ||
			    p->s[p->t.off] == '+' || p->t.len > 7)
				return unexpected(p);
			v->i = strtoll(p->s + p->t.off, NULL, 10);
			if (v->i > MAX_N)
				return unexpected(p);
			goto out;
		}
		for (size_t i = 0; i + 6 <= p->t.len; i++)
			if (strncasecmp(p->s + p->t.off + i, "FISCAL", 6) == 0)
				return unsupported(p, p->t.off,
						   "fiscal date literals");
		return unexpected(p);
	default:
		return unexpected(p);
	}
out:
	next(p);
	return 0;
}

/* '(' value (',' value)* ')' */
static int parse_list(struct parser *p, struct cond *c)
{
	int cap = 0;

	if (expect(p, T_LP))
		return BASE_EINVAL;
	if (kw(p, "SELECT"))
		return unsupported(p, p->t.off, "semi-join subqueries");
	for (;;) {
		void *np;

		if (c->nvals >= EMU_SOQL_MAX_IN)
			return fail_at(p->e, p->s, p->t.off, "MALFORMED_QUERY",
				       "sfemu allows at most %d values in a "
				       "list",
				       EMU_SOQL_MAX_IN);
		np = arena_grow(&p->q->arena, c->vals, &cap, c->nvals,
				sizeof(*c->vals));
		if (!np)
			return nomem(p->e);
		c->vals = np;
		if (parse_value(p, &c->vals[c->nvals]))
			return BASE_EINVAL;
		c->nvals++;
		if (!is(p, T_COMMA))
			break;
		next(p);
	}
	return expect(p, T_RP);
}

static int parse_cond(struct parser *p, bool having, struct cond **out);

static int parse_field_expr(struct parser *p, bool having, struct cond *c)
{
	c->kind = C_CMP;
	if (kw(p, "NOT") || kw(p, "AND") || kw(p, "OR"))
		return unexpected(p);
	if (is(p, T_IDENT) && peek_lp(p)) {
		/* Aggregates belong in HAVING; date functions: not emulated */
		if (!having || agg_fn(p) < 0)
			return fail_at(p->e, p->s, p->t.off, "MALFORMED_QUERY",
				       "sfemu does not support the function "
				       "'%.*s' here",
				       (int)(p->t.len > 100 ? 100 : p->t.len),
				       p->s + p->t.off);
		if (parse_agg(p, &c->lhs))
			return BASE_EINVAL;
	} else {
		c->lhs.kind = I_FIELD;
		c->lhs.off = p->t.off;
		if (parse_path(p, &c->lhs.path))
			return BASE_EINVAL;
	}
	c->op_off = p->t.off;
	switch (p->t.kind) {
	case T_EQ:
		c->op = OP_EQ;
		break;
	case T_NE:
		c->op = OP_NE;
		break;
	case T_LT:
		c->op = OP_LT;
		break;
	case T_LE:
		c->op = OP_LE;
		break;
	case T_GT:
		c->op = OP_GT;
		break;
	case T_GE:
		c->op = OP_GE;
		break;
	case T_IDENT:
		if (kw(p, "LIKE")) {
			c->op = OP_LIKE;
		} else if (kw(p, "IN")) {
			c->op = OP_IN;
		} else if (kw(p, "INCLUDES")) {
			c->op = OP_INCLUDES;
		} else if (kw(p, "EXCLUDES")) {
			c->op = OP_EXCLUDES;
		} else if (kw(p, "NOT")) {
			next(p);
			if (!kw(p, "IN"))
				return unexpected(p);
			c->op = OP_NOT_IN;
		} else {
			return unexpected(p);
		}
		next(p);
		if (c->op != OP_LIKE)
			return parse_list(p, c);
		goto single;
	default:
		return unexpected(p);
	}
	next(p);
single:
	c->vals = arena_alloc(&p->q->arena, sizeof(*c->vals));
	if (!c->vals)
		return nomem(p->e);
	c->nvals = 1;
	return parse_value(p, &c->vals[0]);
}

static int parse_simple(struct parser *p, bool having, struct cond **out)
{
	struct cond *c;

	if (is(p, T_LP)) {
		next(p);
		if (parse_cond(p, having, out))
			return BASE_EINVAL;
		return expect(p, T_RP);
	}
	c = arena_zalloc(&p->q->arena, sizeof(*c));
	if (!c)
		return nomem(p->e);
	*out = c;
	return parse_field_expr(p, having, c);
}

/*
 * cond := NOT simple | simple (AND simple)* | simple (OR simple)*
 * simple := '(' cond ')' | field-expression            [logic]
 */
static int parse_cond(struct parser *p, bool having, struct cond **out)
{
	struct cond *c, *first;
	const char *op;
	int cap = 0, rc;

	if (++p->depth > EMU_SOQL_MAX_DEPTH)
		return fail_at(p->e, p->s, p->t.off, "MALFORMED_QUERY",
			       "sfemu allows at most %d levels of nested "
			       "conditions",
			       EMU_SOQL_MAX_DEPTH);
	c = arena_zalloc(&p->q->arena, sizeof(*c));
	if (!c)
		return nomem(p->e);
	if (kw(p, "NOT")) {
		c->kind = C_NOT;
		c->nkids = 1;
		c->kids = arena_alloc(&p->q->arena, sizeof(*c->kids));
		if (!c->kids)
			return nomem(p->e);
		next(p);
		rc = parse_simple(p, having, &c->kids[0]);
		*out = c;
		p->depth--;
		return rc;
	}
	if (parse_simple(p, having, &first))
		return BASE_EINVAL;
	if (!kw(p, "AND") && !kw(p, "OR")) {
		*out = first;
		p->depth--;
		return 0;
	}
	c->kind = kw(p, "AND") ? C_AND : C_OR;
	op = c->kind == C_AND ? "AND" : "OR";
	c->kids = arena_grow(&p->q->arena, NULL, &cap, 0, sizeof(*c->kids));
	if (!c->kids)
		return nomem(p->e);
	c->kids[c->nkids++] = first;
	while (kw(p, op)) {
		void *np;

		next(p);
		np = arena_grow(&p->q->arena, c->kids, &cap, c->nkids,
				sizeof(*c->kids));
		if (!np)
			return nomem(p->e);
		c->kids = np;
		if (parse_simple(p, having, &c->kids[c->nkids]))
			return BASE_EINVAL;
		c->nkids++;
	}
	*out = c;
	p->depth--;
	return 0;
}

static int parse_int_clause(struct parser *p, long long *out)
{
	if (!is(p, T_INT) || p->s[p->t.off] == '-' || p->s[p->t.off] == '+')
		return unexpected(p);
	errno = 0;
	*out = strtoll(p->s + p->t.off, NULL, 10);
	if (errno == ERANGE)
		return unexpected(p);
	next(p);
	return 0;
}

static int parse_order_item(struct parser *p, struct order *o)
{
	memset(o, 0, sizeof(*o));
	o->what.off = p->t.off;
	if (is(p, T_IDENT) && peek_lp(p) && agg_fn(p) >= 0) {
		if (parse_agg(p, &o->what))
			return BASE_EINVAL;
	} else {
		o->what.kind = I_FIELD;
		if (parse_path(p, &o->what.path))
			return BASE_EINVAL;
	}
	if (kw(p, "ASC") || kw(p, "DESC")) {
		o->desc = kw(p, "DESC");
		next(p);
	}
	if (kw(p, "NULLS")) {
		next(p);
		if (kw(p, "FIRST"))
			o->nulls = 1;
		else if (kw(p, "LAST"))
			o->nulls = 2;
		else
			return unexpected(p);
		next(p);
	}
	return 0;
}

static int parse_query(struct parser *p)
{
	struct emu_soql *q = p->q;
	int cap = 0;

	next(p);
	if (expect_kw(p, "SELECT"))
		return BASE_EINVAL;
	for (;;) {
		void *np = arena_grow(&q->arena, q->items, &cap, q->nitems,
				      sizeof(*q->items));

		if (!np)
			return nomem(p->e);
		q->items = np;
		if (parse_select_item(p, &q->items[q->nitems]))
			return BASE_EINVAL;
		q->nitems++;
		if (!is(p, T_COMMA))
			break;
		next(p);
	}
	if (expect_kw(p, "FROM"))
		return BASE_EINVAL;
	if (!is(p, T_IDENT) || memchr(p->s + p->t.off, '.', p->t.len))
		return unexpected(p);
	q->from_off = p->t.off;
	q->from = tok_dup(p);
	if (!q->from)
		return nomem(p->e);
	next(p);
	if (is_alias(p)) {
		q->alias = tok_dup(p);
		if (!q->alias)
			return nomem(p->e);
		next(p);
	}
	if (kw(p, "USING"))
		return unsupported(p, p->t.off, "USING SCOPE");
	if (kw(p, "WHERE")) {
		next(p);
		if (parse_cond(p, false, &q->where))
			return BASE_EINVAL;
	}
	if (kw(p, "WITH")) {
		/* Field-level security already applies to every query. */
		next(p);
		if (!kw(p, "SECURITY_ENFORCED") && !kw(p, "USER_MODE") &&
		    !kw(p, "SYSTEM_MODE"))
			return unsupported(p, p->t.off, "this WITH clause");
		next(p);
	}
	if (kw(p, "GROUP")) {
		next(p);
		if (expect_kw(p, "BY"))
			return BASE_EINVAL;
		if ((kw(p, "ROLLUP") || kw(p, "CUBE")) && peek_lp(p))
			return unsupported(p, p->t.off, "GROUP BY ROLLUP/CUBE");
		cap = 0;
		for (;;) {
			void *np = arena_grow(&q->arena, q->group, &cap,
					      q->ngroup, sizeof(*q->group));

			if (!np)
				return nomem(p->e);
			q->group = np;
			if (parse_path(p, &q->group[q->ngroup]))
				return BASE_EINVAL;
			q->ngroup++;
			if (!is(p, T_COMMA))
				break;
			next(p);
		}
	}
	if (kw(p, "HAVING")) {
		q->having_off = p->t.off;
		next(p);
		if (parse_cond(p, true, &q->having))
			return BASE_EINVAL;
	}
	if (kw(p, "ORDER")) {
		next(p);
		if (expect_kw(p, "BY"))
			return BASE_EINVAL;
		cap = 0;
		for (;;) {
			void *np = arena_grow(&q->arena, q->order, &cap,
					      q->norder, sizeof(*q->order));

			if (!np)
				return nomem(p->e);
			q->order = np;
			if (parse_order_item(p, &q->order[q->norder]))
				return BASE_EINVAL;
			q->norder++;
			if (!is(p, T_COMMA))
				break;
			next(p);
		}
	}
	if (kw(p, "LIMIT")) {
		next(p);
		if (parse_int_clause(p, &q->limit))
			return BASE_EINVAL;
		q->has_limit = true;
	}
	if (kw(p, "OFFSET")) {
		next(p);
		if (parse_int_clause(p, &q->offset))
			return BASE_EINVAL;
		q->has_offset = true;
		if (q->offset > OFFSET_MAX)
			return fail(p->e, BASE_EINVAL,
				    "NUMBER_OUTSIDE_VALID_RANGE",
				    "Maximum SOQL offset allowed is %d",
				    OFFSET_MAX);
	}
	if (kw(p, "FOR")) {
		/* FOR VIEW / FOR REFERENCE only update "recently viewed". */
		next(p);
		if (!kw(p, "VIEW") && !kw(p, "REFERENCE"))
			return unsupported(p, p->t.off, "this FOR clause");
		next(p);
	}
	if (!is(p, T_EOF))
		return unexpected(p);
	return 0;
}

int emu_soql_parse(const char *text, struct emu_soql **out,
		   struct emu_soql_error *e)
{
	struct emu_soql *q = NULL;
	struct parser p = {0};
	size_t n = 0, chars = 0;
	char *copy;
	struct arena a = {0};

	*out = NULL;
	if (e)
		memset(e, 0, sizeof(*e));
	if (!text)
		return fail(e, BASE_EINVAL, "MALFORMED_QUERY",
			    "SOQL statements cannot be empty or null");
	/* Count characters without reading past the limit [len]. */
	for (; text[n]; n++) {
		if (((unsigned char)text[n] & 0xC0) != 0x80 &&
		    ++chars > EMU_SOQL_MAX_LEN)
			return fail(e, BASE_EINVAL, "MALFORMED_QUERY",
				    "SOQL statements can not be longer than "
				    "%d characters.",
				    EMU_SOQL_MAX_LEN);
	}
	{
		size_t i = 0;

		while (i < n && isspace((unsigned char)text[i]))
			i++;
		if (i == n)
			return fail(e, BASE_EINVAL, "MALFORMED_QUERY",
				    "SOQL statements cannot be empty or null");
	}
	q = arena_zalloc(&a, sizeof(*q));
	copy = q ? arena_strndup(&a, text, n) : NULL;
	if (!copy) {
		arena_release(&a);
		return nomem(e);
	}
	q->arena = a;
	q->text = copy;
	q->len = n;
	q->limit = -1;
	p.q = q;
	p.s = copy;
	p.len = n;
	p.e = e;
	{
		int rc = parse_query(&p);

		if (rc) {
			emu_soql_free(q);
			return rc == BASE_ENOMEM ? BASE_ENOMEM : BASE_EINVAL;
		}
	}
	*out = q;
	return 0;
}

void emu_soql_free(struct emu_soql *q)
{
	struct arena a;

	if (!q)
		return;
	/* q itself lives in its arena: copy the arena out before freeing. */
	a = q->arena;
	arena_release(&a);
}

/* ---- time zones: enough of TZif (RFC 8536) and POSIX TZ strings ---- */

struct tzrule {
	char kind; /* 'M' month.week.day, 'J' Julian 1-365, 'D' day 0-365 */
	int m, w, d;
	int32_t secs; /* local time of day of the change */
};

struct tz {
	const int64_t *trans; /* UTC seconds of each transition */
	const int32_t *offs;  /* UTC offset in effect from trans[i] */
	int n;
	int32_t off0; /* before the first transition */
	bool has_rule, has_dst;
	int32_t std_off, dst_off;
	struct tzrule start, end;
};

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Howard Hinnant's civil_from_days: days since 1970-01-01 to y/m/d. */
static void civil(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, yy;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yy + (*m <= 2);
}

static int weekday(int64_t day) /* 0 = Sunday */
{
	return (int)(((day % 7) + 11) % 7);
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

static const char *px_num(const char *s, int max_digits, int *out)
{
	int v = 0, n = 0;

	while (isdigit((unsigned char)*s) && n < max_digits) {
		v = v * 10 + (*s++ - '0');
		n++;
	}
	if (!n)
		return NULL;
	*out = v;
	return s;
}

static const char *px_name(const char *s)
{
	const char *b = s;

	if (*s == '<') {
		while (*s && *s != '>')
			s++;
		return *s ? s + 1 : NULL;
	}
	while (isalpha((unsigned char)*s))
		s++;
	return s - b >= 3 ? s : NULL;
}

/* [+-]hh[:mm[:ss]] in seconds. */
static const char *px_time(const char *s, int32_t *out)
{
	int sign = 1, h = 0, m = 0, sec = 0;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if (!(s = px_num(s, 3, &h)))
		return NULL;
	if (*s == ':' && (s = px_num(s + 1, 2, &m)) && *s == ':')
		s = px_num(s + 1, 2, &sec);
	if (!s || h > 167 || m > 59 || sec > 59)
		return NULL;
	*out = sign * (h * 3600 + m * 60 + sec);
	return s;
}

static const char *px_rule(const char *s, struct tzrule *r)
{
	r->secs = 7200;
	r->kind = *s == 'M' || *s == 'J' ? *s++ : 'D';
	if (r->kind == 'M') {
		if (!(s = px_num(s, 2, &r->m)) || *s != '.' ||
		    !(s = px_num(s + 1, 1, &r->w)) || *s != '.' ||
		    !(s = px_num(s + 1, 1, &r->d)))
			return NULL;
		if (r->m < 1 || r->m > 12 || r->w < 1 || r->w > 5 || r->d > 6)
			return NULL;
	} else {
		if (!(s = px_num(s, 3, &r->d)))
			return NULL;
		if ((r->kind == 'J' && (r->d < 1 || r->d > 365)) || r->d > 365)
			return NULL;
	}
	if (*s == '/')
		s = px_time(s + 1, &r->secs);
	return s;
}

/* "PST8PDT,M3.2.0,M11.1.0" (the TZif footer); false if not understood. */
static bool px_parse(const char *s, struct tz *z)
{
	int32_t o;

	if (!(s = px_name(s)) || !(s = px_time(s, &o)))
		return false;
	z->std_off = -o;
	z->has_rule = true;
	if (!*s)
		return true;
	if (!(s = px_name(s)))
		return false;
	z->has_dst = true;
	z->dst_off = z->std_off + 3600;
	if (*s && *s != ',') {
		if (!(s = px_time(s, &o)))
			return false;
		z->dst_off = -o;
	}
	if (!*s) { /* POSIX's default: the US rules */
		z->start = (struct tzrule){'M', 3, 2, 0, 7200};
		z->end = (struct tzrule){'M', 11, 1, 0, 7200};
		return true;
	}
	if (*s != ',' || !(s = px_rule(s + 1, &z->start)) || *s != ',' ||
	    !(s = px_rule(s + 1, &z->end)))
		return false;
	return *s == '\0';
}

static int64_t rule_day(const struct tzrule *r, int64_t y)
{
	int64_t first, d;

	if (r->kind == 'J')
		return base_days_from_civil(y, 1, 1) + r->d - 1 +
		       (leap(y) && r->d >= 60);
	if (r->kind == 'D')
		return base_days_from_civil(y, 1, 1) + r->d;
	first = base_days_from_civil(y, (unsigned)r->m, 1);
	d = first + (r->d - weekday(first) + 7) % 7 + 7 * (r->w - 1);
	while (d >= first + month_days(y, r->m))
		d -= 7;
	return d;
}

static int32_t tz_offset(const struct tz *z, int64_t t)
{
	int64_t y, s, e;
	int m, d;
	bool dst;

	if (z->n > 0 && t < z->trans[0])
		return z->off0;
	if (z->n > 0 && (t < z->trans[z->n - 1] || !z->has_rule)) {
		int lo = 0, hi = z->n - 1;

		while (lo < hi) { /* last i with trans[i] <= t */
			int mid = lo + (hi - lo + 1) / 2;

			if (z->trans[mid] <= t)
				lo = mid;
			else
				hi = mid - 1;
		}
		return z->offs[lo];
	}
	if (!z->has_rule)
		return z->off0;
	if (!z->has_dst)
		return z->std_off;
	civil(floor_div(t + z->std_off, 86400), &y, &m, &d);
	s = rule_day(&z->start, y) * 86400 + z->start.secs - z->std_off;
	e = rule_day(&z->end, y) * 86400 + z->end.secs - z->dst_off;
	dst = s < e ? (t >= s && t < e) : !(t >= e && t < s);
	return dst ? z->dst_off : z->std_off;
}

static bool tz_name_ok(const char *n)
{
	size_t len = strlen(n);

	if (!len || len > 100 || n[0] == '/' || strstr(n, ".."))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)n[i]) && !strchr("/_+-", n[i]))
			return false;
	return true;
}

/* Parses a TZif file; false (and z untouched) if it is not one. */
static bool tz_parse(struct arena *a, const unsigned char *b, size_t n,
		     struct tz *z)
{
	uint32_t isut, isstd, leapc, timec, typec, charc;
	size_t p = 0, tsz = 4, need;
	int64_t *trans;
	int32_t *offs;
	const unsigned char *types;

	for (int pass = 0; pass < 2; pass++) {
		if (n - p < 44 || memcmp(b + p, "TZif", 4) != 0)
			return false;
		isut = be32(b + p + 20);
		isstd = be32(b + p + 24);
		leapc = be32(b + p + 28);
		timec = be32(b + p + 32);
		typec = be32(b + p + 36);
		charc = be32(b + p + 40);
		if (timec > 100000 || typec == 0 || typec > 256 ||
		    charc > 10000 || leapc > 10000 || isut > typec ||
		    isstd > typec)
			return false;
		need = timec * (tsz + 1) + typec * 6 + charc +
		       leapc * (tsz + 4) + isstd + isut;
		if (n - p - 44 < need)
			return false;
		if (pass == 0 && b[p + 4] >= '2') {
			p += 44 + need; /* skip the 32-bit data */
			tsz = 8;
			continue;
		}
		break;
	}
	p += 44;
	types = b + p + timec * (tsz + 1);
	trans = arena_alloc(a, (timec + 1) * sizeof(*trans));
	offs = arena_alloc(a, (timec + 1) * sizeof(*offs));
	if (!trans || !offs)
		return false;
	for (uint32_t i = 0; i < timec; i++) {
		unsigned idx = b[p + timec * tsz + i];

		if (idx >= typec)
			return false;
		trans[i] = tsz == 8 ? be64(b + p + i * 8)
				    : (int32_t)be32(b + p + i * 4);
		offs[i] = (int32_t)be32(types + idx * 6);
		if (i && trans[i] <= trans[i - 1])
			return false;
	}
	z->trans = trans;
	z->offs = offs;
	z->n = (int)timec;
	z->off0 = (int32_t)be32(types);
	if (tsz == 8) {
		size_t f = p + need;
		const unsigned char *nl;
		char rule[128];

		if (f < n && b[f] == '\n' &&
		    (nl = memchr(b + f + 1, '\n', n - f - 1)) &&
		    (size_t)(nl - (b + f + 1)) < sizeof(rule)) {
			size_t len = (size_t)(nl - (b + f + 1));

			memcpy(rule, b + f + 1, len);
			rule[len] = '\0';
			if (len && !px_parse(rule, z)) {
				z->has_rule = z->has_dst = false;
			}
		}
	}
	return true;
}

/* Loads zone `name` into z; UTC when it is NULL, empty or unreadable. */
static void tz_load(struct arena *a, const char *name, struct tz *z)
{
	char path[160];
	unsigned char *buf;
	size_t n;
	FILE *f;

	memset(z, 0, sizeof(*z));
	if (!name || !tz_name_ok(name))
		return;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", name);
	buf = arena_alloc(a, TZ_FILE_MAX + 1);
	if (!buf || !(f = fopen(path, "rb")))
		return;
	n = fread(buf, 1, TZ_FILE_MAX + 1, f);
	fclose(f);
	if (n > TZ_FILE_MAX || !tz_parse(a, buf, n, z))
		memset(z, 0, sizeof(*z));
}

/* ---- compiler ---- */

enum tclass { TC_TEXT, TC_ID, TC_MULTI, TC_BOOL, TC_NUM, TC_DATE, TC_DATETIME };

struct join {
	int parent; /* alias of the child: 0 is the FROM object (t0) */
	const struct emu_field *via;
	const struct emu_sobject *obj;
	const char *rel[3];
	int depth;
	bool selected; /* on the path of a SELECT column: reported in rels */
};

/* A resolved field path. */
struct ref {
	int alias; /* t<alias> holds the field */
	const struct emu_field *f;
	const struct emu_sobject *objs[4];
	const char *canon[4];
	int depth;
};

/* A boolean expression in negation normal form; atoms are SQL text. */
enum nkind { N_ATOM, N_AND, N_OR, N_TRUE, N_FALSE };

struct ncond {
	enum nkind kind;
	const char *sql; /* N_ATOM */
	struct ncond **kids;
	int nkids, cap;
};

struct cost {
	int stack; /* SQLite parser stack entries, estimated */
	int depth; /* SQLite expression tree levels, estimated */
};

struct cc {
	const struct emu_soql *q;
	const struct emu_schema *s;
	const struct emu_soql_opts *o;
	struct emu_soql_error *e;
	const struct emu_sobject *from;
	struct arena a; /* scratch, freed when compile returns */
	struct join joins[EMU_SOQL_MAX_JOINS];
	int njoins;
	struct emu_soql_param *params;
	int nparams, cparams;
	struct ref *refs; /* of plan cols, for duplicate checks */
	int nrefs, crefs;
	struct ref *groups;
	int ngroups;
	struct tz tz;
	bool tz_ready;
	int64_t today; /* local day number in the org time zone */
	bool aggregate;
};

static int fail_q(struct cc *c, size_t off, const char *code, const char *fmt,
		  ...) __attribute__((format(printf, 4, 5)));

static int fail_q(struct cc *c, size_t off, const char *code, const char *fmt,
		  ...)
{
	char why[800];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return fail_at(c->e, c->q->text, off, code, "%s", why);
}

static bool visible(const struct cc *c, const struct emu_sobject *o,
		    const char *field)
{
	return !c->o || !c->o->field_visible ||
	       c->o->field_visible(c->o->ctx, o->name, field);
}

static enum tclass tclass_of(enum emu_ftype t)
{
	switch (t) {
	case EMU_FT_ID:
	case EMU_FT_REFERENCE:
		return TC_ID;
	case EMU_FT_MULTIPICKLIST:
		return TC_MULTI;
	case EMU_FT_BOOLEAN:
		return TC_BOOL;
	case EMU_FT_INT:
	case EMU_FT_DOUBLE:
	case EMU_FT_CURRENCY:
	case EMU_FT_PERCENT:
		return TC_NUM;
	case EMU_FT_DATE:
		return TC_DATE;
	case EMU_FT_DATETIME:
		return TC_DATETIME;
	default:
		return TC_TEXT;
	}
}

/* "Name" -> "\"Name\"", doubling any quote (names come from the schema). */
static void put_ident(struct base_buf *b, const char *name)
{
	base_buf_putc(b, '"');
	for (; *name; name++) {
		if (*name == '"')
			base_buf_putc(b, '"');
		base_buf_putc(b, *name);
	}
	base_buf_putc(b, '"');
}

static void put_col(struct base_buf *b, int alias, const char *name)
{
	base_buf_printf(b, "t%d.", alias);
	put_ident(b, name);
}

static int add_param(struct cc *c, struct base_buf *b, enum emu_soql_ptype t,
		     const char *text, long long i, double d)
{
	struct emu_soql_param *np;

	if (c->nparams >= MAX_PARAMS)
		return fail(c->e, BASE_EINVAL, "QUERY_TOO_COMPLICATED",
			    "Query is either selecting too many fields or the "
			    "filter conditions are very complicated.");
	if (c->nparams == c->cparams) {
		int ncap = c->cparams ? c->cparams * 2 : 16;

		np = realloc(c->params, (size_t)ncap * sizeof(*np));
		if (!np)
			return nomem(c->e);
		c->params = np;
		c->cparams = ncap;
	}
	np = &c->params[c->nparams];
	memset(np, 0, sizeof(*np));
	np->type = t;
	np->i = i;
	np->d = d;
	if (t == EMU_SOQL_P_TEXT && !(np->text = strdup(text)))
		return nomem(c->e);
	c->nparams++;
	base_buf_printf(b, "?%d", c->nparams);
	return 0;
}

static int join(struct cc *c, int parent, const struct emu_field *via,
		const struct emu_sobject *to, size_t off)
{
	const struct join *pj = parent ? &c->joins[parent - 1] : NULL;
	struct join *j;

	for (int i = 0; i < c->njoins; i++)
		if (c->joins[i].parent == parent && c->joins[i].via == via)
			return i + 1;
	if (c->njoins == EMU_SOQL_MAX_JOINS)
		return fail_q(c, off, "MALFORMED_QUERY",
			      "A query can reference at most %d parent "
			      "relationships",
			      EMU_SOQL_MAX_JOINS) /* [UNCONFIRMED] */;
	j = &c->joins[c->njoins++];
	memset(j, 0, sizeof(*j));
	j->parent = parent;
	j->via = via;
	j->obj = to;
	if (pj) {
		memcpy(j->rel, pj->rel, sizeof(j->rel));
		j->depth = pj->depth;
	}
	j->rel[j->depth++] = via->relationship_name;
	return c->njoins;
}

/*
 * Resolves a dotted path against the FROM object: relationship names,
 * then a field. A leading FROM alias or object name is skipped. Unknown or
 * hidden names are INVALID_FIELD with the caret on the path.
 */
static int resolve(struct cc *c, const struct path *p, struct ref *r)
{
	const struct emu_sobject *obj = c->from;
	const struct emu_field *f;
	int i = 0, alias = 0;

	memset(r, 0, sizeof(*r));
	if (p->n >= 2 &&
	    ((c->q->alias && strcasecmp(p->part[0], c->q->alias) == 0) ||
	     (strcasecmp(p->part[0], obj->name) == 0 &&
	      !emu_sobject_relationship(obj, p->part[0]))))
		i = 1;
	if (p->n - i > 4)
		return fail_q(c, p->off, "MALFORMED_QUERY",
			      "sfemu supports at most 3 relationship levels in "
			      "a field path");
	r->objs[0] = obj;
	for (; i < p->n - 1; i++) {
		const struct emu_field *rf =
			emu_sobject_relationship(obj, p->part[i]);
		const struct emu_sobject *to =
			rf && rf->reference_to
				? emu_schema_object(c->s, rf->reference_to)
				: NULL;

		if (!to || !visible(c, obj, rf->name))
			return fail_q(c, p->off, "INVALID_FIELD",
				      no_relationship, p->part[i]);
		alias = join(c, alias, rf, to, p->off);
		if (alias < 0)
			return alias;
		r->canon[r->depth++] = rf->relationship_name;
		r->objs[r->depth] = to;
		obj = to;
	}
	f = emu_sobject_field(obj, p->part[i]);
	if (!f || !visible(c, obj, f->name))
		return fail_q(c, p->off, "INVALID_FIELD", no_column, p->part[i],
			      obj->name);
	r->canon[r->depth++] = f->name;
	r->f = f;
	r->alias = alias;
	return 0;
}

static bool same_ref(const struct ref *a, const struct ref *b)
{
	return a->alias == b->alias && a->f == b->f;
}

static const struct ref *find_group(const struct cc *c, const struct ref *r)
{
	for (int i = 0; i < c->ngroups; i++)
		if (same_ref(&c->groups[i], r))
			return &c->groups[i];
	return NULL;
}

static bool nocase(enum tclass t)
{
	return t == TC_TEXT || t == TC_MULTI;
}

/* Writes the SQL of a field (with its collation when asked). */
static void put_ref(struct base_buf *b, const struct ref *r, bool collate)
{
	put_col(b, r->alias, r->f->name);
	if (collate && nocase(tclass_of(r->f->type)))
		base_buf_puts(b, " COLLATE NOCASE");
}

static void put_agg(struct base_buf *b, int fn, const struct ref *r)
{
	static const char *const sql[] = {
		"count(", "count(DISTINCT ", "sum(", "avg(", "min(", "max("};

	base_buf_puts(b, sql[fn]);
	if (!r) {
		base_buf_putc(b, '*');
	} else {
		put_col(b, r->alias, r->f->name);
		if (fn != AGG_COUNT && fn != AGG_SUM && fn != AGG_AVG &&
		    nocase(tclass_of(r->f->type)))
			base_buf_puts(b, " COLLATE NOCASE");
	}
	base_buf_putc(b, ')');
}

/* Checks an aggregate's argument type; r is NULL for COUNT(). */
static int check_agg(struct cc *c, const struct item *it, const struct ref *r)
{
	enum tclass t;
	bool ok;

	if (!r)
		return 0;
	t = tclass_of(r->f->type);
	switch (it->fn) {
	case AGG_SUM:
	case AGG_AVG:
		ok = t == TC_NUM;
		break;
	case AGG_MIN:
	case AGG_MAX:
		ok = t != TC_BOOL && t != TC_MULTI &&
		     r->f->type != EMU_FT_TEXTAREA;
		break;
	default:
		ok = t != TC_MULTI && r->f->type != EMU_FT_TEXTAREA;
		break;
	}
	if (!ok) /* [UNCONFIRMED] wording */
		return fail_q(c, it->path.off, "INVALID_FIELD",
			      "field %.*s does not support aggregate operator "
			      "%s",
			      (int)it->path.len, c->q->text + it->path.off,
			      agg_names[it->fn]);
	return 0;
}

static int add_col(struct cc *c, struct emu_soql_plan *pl, const char *name,
		   const struct ref *r, bool aggregate, const char *fn)
{
	struct emu_soql_col *col;

	if (pl->ncols >= MAX_COLS)
		return fail(c->e, BASE_EINVAL, "QUERY_TOO_COMPLICATED",
			    "Query is either selecting too many fields or the "
			    "filter conditions are very complicated.");
	if (pl->ncols == 0 ||
	    (pl->ncols >= 8 && (pl->ncols & (pl->ncols - 1)) == 0)) {
		int ncap = pl->ncols ? pl->ncols * 2 : 8; /* 8, 16, 32 ... */
		void *np = realloc(pl->cols, (size_t)ncap * sizeof(*pl->cols));

		if (!np)
			return nomem(c->e);
		pl->cols = np;
	}
	col = &pl->cols[pl->ncols++];
	memset(col, 0, sizeof(*col));
	col->aggregate = aggregate;
	col->agg_fn = fn;
	col->objs[0] = c->from;
	if (!(col->name = strdup(name)))
		return nomem(c->e);
	if (!r)
		return 0;
	col->field = r->f;
	col->depth = r->depth;
	for (int i = 0; i < r->depth; i++) {
		col->objs[i] = r->objs[i];
		if (!(col->path[i] = strdup(r->canon[i])))
			return nomem(c->e);
	}
	return 0;
}

static int remember_ref(struct cc *c, const struct ref *r)
{
	void *np = arena_grow(&c->a, c->refs, &c->crefs, c->nrefs,
			      sizeof(*c->refs));

	if (!np)
		return nomem(c->e);
	c->refs = np;
	c->refs[c->nrefs++] = *r;
	return 0;
}

/* One plain (non-aggregate) SELECT column; rejects duplicates [fields]. */
static int plain_col(struct cc *c, struct emu_soql_plan *pl,
		     struct base_buf *sel, const struct ref *r)
{
	for (int i = 0; i < c->nrefs; i++) {
		if (!same_ref(&c->refs[i], r))
			continue;
		{
			char dotted[512] = "";
			size_t n = 0;

			for (int k = 0; k < r->depth && n < sizeof(dotted); k++)
				n += (size_t)snprintf(
					dotted + n, sizeof(dotted) - n, "%s%s",
					k ? "." : "", r->canon[k]);
			return fail(c->e, BASE_EINVAL, "INVALID_FIELD",
				    "duplicate field selected: %s", dotted);
		}
	}
	for (int a = r->alias; a > 0; a = c->joins[a - 1].parent)
		c->joins[a - 1].selected = true;
	if (pl->ncols)
		base_buf_puts(sel, ", ");
	put_ref(sel, r, false);
	if (remember_ref(c, r))
		return BASE_ENOMEM;
	return add_col(c, pl, r->f->name, r, false, NULL);
}

static int expand_fields(struct cc *c, struct emu_soql_plan *pl,
			 struct base_buf *sel, const struct item *it)
{
	int before = pl->ncols;

	if (c->aggregate)
		return fail_q(c, it->off, "MALFORMED_QUERY",
			      "unexpected token: 'FIELDS'"); /* [UNCONFIRMED] */
	if (it->fn != FK_STANDARD &&
	    (!c->q->has_limit || c->q->limit > FIELDS_LIMIT))
		return fail_q(c, it->off, "MALFORMED_QUERY",
			      "The SOQL FIELDS function must have a LIMIT of "
			      "at most %d",
			      FIELDS_LIMIT);
	for (int i = 0; i < c->from->nfields; i++) {
		const struct emu_field *f = &c->from->fields[i];
		struct ref r = {0};
		int rc;

		if ((it->fn == FK_CUSTOM && !f->custom) ||
		    (it->fn == FK_STANDARD && f->custom) ||
		    !visible(c, c->from, f->name))
			continue;
		r.f = f;
		r.objs[0] = c->from;
		r.canon[0] = f->name;
		r.depth = 1;
		rc = plain_col(c, pl, sel, &r);
		if (rc)
			return rc;
	}
	if (pl->ncols == before) /* [UNCONFIRMED] e.g. FIELDS(CUSTOM), none */
		return fail_q(c, it->off, "MALFORMED_QUERY",
			      "unexpected token: 'FIELDS'");
	return 0;
}

static int compile_select(struct cc *c, struct emu_soql_plan *pl,
			  struct base_buf *sel)
{
	const struct emu_soql *q = c->q;
	int expr = 0, rc;

	for (int i = 0; i < q->nitems; i++) {
		const struct item *it = &q->items[i];
		struct ref r;
		char name[32];

		if (it->kind == I_FIELDS) {
			rc = expand_fields(c, pl, sel, it);
			if (rc)
				return rc;
			continue;
		}
		if (it->kind == I_AGG && it->path.n == 0 &&
		    it->fn == AGG_COUNT) {
			/* COUNT() stands alone [UNCONFIRMED wording]. */
			if (q->nitems > 1 || q->ngroup)
				return fail_q(c, it->off, "MALFORMED_QUERY",
					      "COUNT() must be the only "
					      "element in the SELECT list");
			pl->count_only = true;
			base_buf_puts(sel, "count(*)");
			return add_col(c, pl, it->alias ? it->alias : "expr0",
				       NULL, true, "COUNT");
		}
		if (it->kind == I_AGG && it->path.n == 0)
			return fail_q(c, it->off, "MALFORMED_QUERY",
				      "unexpected token: ')'");
		rc = resolve(c, &it->path, &r);
		if (rc)
			return rc;
		if (!c->aggregate) {
			if (it->alias) /* aliases belong to aggregate queries */
				return fail_q(
					c, it->alias_off, "MALFORMED_QUERY",
					"unexpected token: '%s'", it->alias);
			rc = plain_col(c, pl, sel, &r);
			if (rc)
				return rc;
			continue;
		}
		if (pl->ncols)
			base_buf_puts(sel, ", ");
		if (it->kind == I_FIELD) {
			if (!find_group(c, &r))
				return fail_q(c, it->path.off,
					      "MALFORMED_QUERY",
					      "Field must be grouped or "
					      "aggregated: %.*s",
					      (int)it->path.len,
					      q->text + it->path.off);
			put_ref(sel, &r, false);
			rc = add_col(c, pl, it->alias ? it->alias : r.f->name,
				     &r, true, NULL);
		} else {
			rc = check_agg(c, it, &r);
			if (rc)
				return rc;
			put_agg(sel, it->fn, &r);
			if (!it->alias)
				snprintf(name, sizeof(name), "expr%d", expr++);
			rc = add_col(c, pl, it->alias ? it->alias : name, &r,
				     true, agg_names[it->fn]);
		}
		if (rc)
			return rc;
	}
	/* Output keys of an AggregateResult must be unique [UNCONFIRMED]. */
	for (int i = 0; c->aggregate && i < pl->ncols; i++)
		for (int k = 0; k < i; k++)
			if (strcasecmp(pl->cols[i].name, pl->cols[k].name) == 0)
				return fail(c->e, BASE_EINVAL, "INVALID_FIELD",
					    "duplicate alias: %s",
					    pl->cols[i].name);
	return 0;
}

/* ---- WHERE / HAVING: AST -> negation normal form -> SQL ---- */

static struct ncond *nnode(struct cc *c, enum nkind k)
{
	struct ncond *n = arena_zalloc(&c->a, sizeof(*n));

	if (n)
		n->kind = k;
	return n;
}

static struct ncond *natom(struct cc *c, const struct base_buf *b)
{
	struct ncond *n;

	if (base_buf_err(b))
		return NULL;
	n = nnode(c, N_ATOM);
	if (n && !(n->sql = arena_strndup(&c->a, base_buf_str(b), b->len)))
		return NULL;
	return n;
}

/*
 * Adds kid to an AND/OR node, flattening a kid of the same kind and
 * unwrapping a kid with a single term, so nesting in the SQL only comes
 * from alternating AND and OR.
 */
static int nadd(struct cc *c, struct ncond *n, struct ncond *kid)
{
	while ((kid->kind == N_AND || kid->kind == N_OR) && kid->nkids == 1)
		kid = kid->kids[0];
	if (kid->kind == n->kind) {
		for (int i = 0; i < kid->nkids; i++)
			if (nadd(c, n, kid->kids[i]))
				return BASE_ENOMEM;
		return 0;
	}
	{
		void *np = arena_grow(&c->a, n->kids, &n->cap, n->nkids,
				      sizeof(*n->kids));

		if (!np)
			return BASE_ENOMEM;
		n->kids = np;
		n->kids[n->nkids++] = kid;
	}
	return 0;
}

/* NOT n, pushed down to the atoms (De Morgan). */
static struct ncond *nnot(struct cc *c, const struct ncond *n)
{
	struct ncond *r;
	struct base_buf b;

	switch (n->kind) {
	case N_TRUE:
		return nnode(c, N_FALSE);
	case N_FALSE:
		return nnode(c, N_TRUE);
	case N_ATOM:
		/* SOQL is two-valued: a comparison with null is false, so its
		 * negation is true. */
		b = BASE_BUF_INIT(SQL_MAX);
		base_buf_printf(&b, "NOT coalesce(%s, 0)", n->sql);
		r = natom(c, &b);
		base_buf_release(&b);
		return r;
	default:
		r = nnode(c, n->kind == N_AND ? N_OR : N_AND);
		for (int i = 0; r && i < n->nkids; i++) {
			struct ncond *k = nnot(c, n->kids[i]);

			if (!k || nadd(c, r, k))
				return NULL;
		}
		return r;
	}
}

struct lhs {
	struct base_buf x; /* the SQL of the field or aggregate */
	enum tclass t;
	const struct emu_field *f; /* NULL for an aggregate */
	const char *name;          /* for messages */
};

static const char *type_word(enum emu_ftype t)
{
	/* [UNCONFIRMED] Salesforce's words beyond "date" */
	return t == EMU_FT_REFERENCE ? "id" : emu_ftype_name(t);
}

static int wrong_type(struct cc *c, const struct lhs *l, const struct value *v)
{
	bool quoted = l->t == TC_TEXT || l->t == TC_ID || l->t == TC_MULTI;

	return fail_q(c, v->off, "INVALID_FIELD",
		      "value of filter criterion for field '%s' must be of "
		      "type %s and should %sbe enclosed in quotes",
		      l->name, l->f ? type_word(l->f->type) : "double",
		      quoted ? "" : "not ");
}

/* The value as plain text: LIKE form with its doubled backslashes undone. */
static char *plain(struct cc *c, const char *s)
{
	size_t n = strlen(s), j = 0;
	char *o = arena_alloc(&c->a, n + 1);

	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		o[j++] = s[i];
		if (s[i] == '\\' && s[i + 1] == '\\')
			i++;
	}
	o[j] = '\0';
	return o;
}

/*
 * Salesforce keeps no empty strings: '' in a filter on a text or id field
 * means null [UNCONFIRMED, but clients rely on "Email != ''"].
 */
static bool is_null_value(const struct lhs *l, const struct value *v)
{
	return v->kind == V_NULL ||
	       (v->kind == V_STRING && v->s[0] == '\0' && l->t != TC_BOOL &&
		l->t != TC_NUM && l->t != TC_DATE && l->t != TC_DATETIME);
}

/* Binds one literal for a comparison with l (type already checked). */
static int put_value(struct cc *c, struct base_buf *b, const struct lhs *l,
		     const struct value *v)
{
	char buf[40];
	char *s;

	switch (v->kind) {
	case V_NULL:
		return add_param(c, b, EMU_SOQL_P_NULL, NULL, 0, 0);
	case V_TRUE:
	case V_FALSE:
		return add_param(c, b, EMU_SOQL_P_INT, NULL, v->kind == V_TRUE,
				 0);
	case V_INT:
		return add_param(c, b, EMU_SOQL_P_INT, NULL, v->i, 0);
	case V_DEC:
		return add_param(c, b, EMU_SOQL_P_REAL, NULL, 0, v->d);
	case V_DATE:
		return add_param(c, b, EMU_SOQL_P_TEXT, v->s, 0, 0);
	case V_DATETIME:
		base_time_format_sf(v->ms, buf, sizeof(buf));
		return add_param(c, b, EMU_SOQL_P_TEXT, buf, 0, 0);
	case V_STRING:
		s = plain(c, v->s);
		if (!s)
			return nomem(c->e);
		if (l->t == TC_ID) {
			char id[EMU_SFID_LEN + 1];

			/* [UNCONFIRMED] code and wording */
			if (!emu_sfid_to18(s, id))
				return fail_q(c, v->off,
					      "INVALID_QUERY_FILTER_OPERATOR",
					      "invalid ID field: %.200s", s);
			return add_param(c, b, EMU_SOQL_P_TEXT, id, 0, 0);
		}
		return add_param(c, b, EMU_SOQL_P_TEXT, s, 0, 0);
	default:
		return 0;
	}
}

static int check_value(struct cc *c, const struct lhs *l, const struct value *v)
{
	bool ok;

	switch (v->kind) {
	case V_NULL:
		return 0;
	case V_STRING:
		ok = l->t == TC_TEXT || l->t == TC_ID || l->t == TC_MULTI;
		break;
	case V_TRUE:
	case V_FALSE:
		ok = l->t == TC_BOOL;
		break;
	case V_INT:
	case V_DEC:
		ok = l->t == TC_NUM;
		break;
	case V_DATE:
		ok = l->t == TC_DATE;
		break;
	case V_DATETIME:
		ok = l->t == TC_DATETIME;
		break;
	default: /* date literals */
		ok = l->t == TC_DATE || l->t == TC_DATETIME;
		break;
	}
	return ok ? 0 : wrong_type(c, l, v);
}

static int64_t clamp_day(int64_t d)
{
	static const int64_t lo = -719161; /* 0001-01-02 */
	static const int64_t hi = 2932895; /* 9999-12-30 */

	return d < lo ? lo : d > hi ? hi : d;
}

static int64_t period_start(enum unit u, int64_t today, int64_t k)
{
	int64_t y, idx;
	int m, d;

	civil(today, &y, &m, &d);
	switch (u) {
	case U_DAY:
		return today + k;
	case U_WEEK: /* weeks start on Sunday (en_US) [dates] */
		return today - weekday(today) + 7 * k;
	case U_MONTH:
		idx = y * 12 + (m - 1) + k;
		return base_days_from_civil(
			floor_div(idx, 12),
			(unsigned)(idx - floor_div(idx, 12) * 12 + 1), 1);
	case U_QUARTER:
		idx = y * 4 + (m - 1) / 3 + k;
		return base_days_from_civil(
			floor_div(idx, 4),
			(unsigned)((idx - floor_div(idx, 4) * 4) * 3 + 1), 1);
	default:
		return base_days_from_civil(y + k, 1, 1);
	}
}

static void ensure_tz(struct cc *c)
{
	int64_t now = c->o ? c->o->now_ms : 0, s;

	if (c->tz_ready)
		return;
	/* Keep the clock inside years 1..9999 so no arithmetic overflows. */
	if (now < -62135596800000LL)
		now = -62135596800000LL;
	if (now > 253402214400000LL)
		now = 253402214400000LL;
	tz_load(&c->a, c->o ? c->o->time_zone : NULL, &c->tz);
	s = floor_div(now, 1000);
	c->today = clamp_day(floor_div(s + tz_offset(&c->tz, s), 86400));
	c->tz_ready = true;
}

/* The text a range bound compares with: a date, or the UTC instant of
 * local midnight for datetime fields. */
static void bound_text(struct cc *c, enum tclass t, int64_t day, char *out,
		       size_t n)
{
	int64_t y, L, u;
	int m, d;

	if (t == TC_DATE) {
		civil(day, &y, &m, &d);
		snprintf(out, n, "%04d-%02d-%02d", (int)y, m, d);
		return;
	}
	L = day * 86400;
	u = L - tz_offset(&c->tz, L);
	u = L - tz_offset(&c->tz, u);
	base_time_format_sf(u * 1000, out, n);
}

/* "<x> <cmp> ?n" with text bound to ?n; NULL on failure (c->e may say why). */
static struct ncond *cmp_atom(struct cc *c, const struct lhs *l,
			      const char *cmp, const char *text)
{
	struct base_buf b = BASE_BUF_INIT(SQL_MAX);
	struct ncond *n = NULL;

	base_buf_printf(&b, "%s %s ", base_buf_str(&l->x), cmp);
	if (!add_param(c, &b, EMU_SOQL_P_TEXT, text, 0, 0))
		n = natom(c, &b);
	base_buf_release(&b);
	return n;
}

/* A date literal compared with op, as atoms on [start, end). */
static struct ncond *date_range(struct cc *c, const struct lhs *l, enum op op,
				const struct value *v)
{
	int64_t n = v->i, a, z;
	char ta[40], tz[40];
	struct ncond *res = NULL, *k;
	struct base_buf b = BASE_BUF_INIT(SQL_MAX);
	enum unit u = date_lits[v->lit].unit;

	ensure_tz(c);
	switch (date_lits[v->lit].form) {
	case F_THIS:
		a = period_start(u, c->today, 0);
		z = period_start(u, c->today, 1);
		break;
	case F_LAST:
		a = period_start(u, c->today, -1);
		z = period_start(u, c->today, 0);
		break;
	case F_NEXT:
		a = period_start(u, c->today, 1);
		z = period_start(u, c->today, 2);
		break;
	case F_LAST_N: /* the day-based ones include today [dates] */
		a = period_start(u, c->today, -n);
		z = period_start(u, c->today, u == U_DAY ? 1 : 0);
		break;
	case F_NEXT_N:
		a = period_start(u, c->today, 1);
		z = period_start(u, c->today, n + 1);
		break;
	default:
		a = period_start(u, c->today, -n);
		z = period_start(u, c->today, -n + 1);
		break;
	}
	bound_text(c, l->t, clamp_day(a), ta, sizeof(ta));
	bound_text(c, l->t, clamp_day(z), tz, sizeof(tz));
	switch (op) {
	case OP_EQ:
		res = nnode(c, N_AND);
		if (!res || !(k = cmp_atom(c, l, ">=", ta)) ||
		    nadd(c, res, k) || !(k = cmp_atom(c, l, "<", tz)) ||
		    nadd(c, res, k))
			res = NULL;
		break;
	case OP_NE:
		res = nnode(c, N_OR);
		base_buf_printf(&b, "%s IS NULL", base_buf_str(&l->x));
		if (!res || !(k = natom(c, &b)) || nadd(c, res, k) ||
		    !(k = cmp_atom(c, l, "<", ta)) || nadd(c, res, k) ||
		    !(k = cmp_atom(c, l, ">=", tz)) || nadd(c, res, k))
			res = NULL;
		break;
	case OP_LT:
		res = cmp_atom(c, l, "<", ta);
		break;
	case OP_LE:
		res = cmp_atom(c, l, "<", tz);
		break;
	case OP_GT:
		res = cmp_atom(c, l, ">=", tz);
		break;
	default:
		res = cmp_atom(c, l, ">=", ta);
		break;
	}
	base_buf_release(&b);
	return res;
}

/* '%;' + value with LIKE's specials escaped + ';%' */
static char *includes_pattern(struct cc *c, const char *term, size_t n)
{
	char *o = arena_alloc(&c->a, 2 * n + 5), *w = o;

	if (!o)
		return NULL;
	*w++ = '%';
	*w++ = ';';
	for (size_t i = 0; i < n; i++) {
		if (term[i] == '\\' || term[i] == '%' || term[i] == '_')
			*w++ = '\\';
		*w++ = term[i];
	}
	*w++ = ';';
	*w++ = '%';
	*w = '\0';
	return o;
}

/*
 * INCLUDES ('a;b', 'c'): rows whose multi-select value holds both a and b,
 * or c. Terms are trimmed; stored values are 'x;y;z'.
 */
static struct ncond *includes(struct cc *c, const struct lhs *l,
			      const struct cond *cd)
{
	struct ncond *any = nnode(c, N_OR);
	struct base_buf b = BASE_BUF_INIT(SQL_MAX);

	for (int i = 0; any && i < cd->nvals; i++) {
		const struct value *v = &cd->vals[i];
		struct ncond *all;
		const char *s, *t;

		if (v->kind == V_NULL)
			continue;
		if (!(s = plain(c, v->s)) || !(all = nnode(c, N_AND))) {
			any = NULL;
			break;
		}
		while (*s) {
			const char *semi = strchr(s, ';');
			size_t n = semi ? (size_t)(semi - s) : strlen(s);
			struct ncond *k;
			char *pat;

			t = s;
			s += n + (semi ? 1 : 0);
			while (n && isspace((unsigned char)*t))
				t++, n--;
			while (n && isspace((unsigned char)t[n - 1]))
				n--;
			if (!n)
				continue;
			base_buf_reset(&b);
			base_buf_printf(&b, "(';' || %s || ';') LIKE ",
					base_buf_str(&l->x));
			if (!(pat = includes_pattern(c, t, n)) ||
			    add_param(c, &b, EMU_SOQL_P_TEXT, pat, 0, 0))
				goto fail;
			base_buf_puts(&b, " ESCAPE '\\'");
			if (!(k = natom(c, &b)) || nadd(c, all, k))
				goto fail;
		}
		if (all->nkids && nadd(c, any, all))
			goto fail;
	}
	base_buf_release(&b);
	if (any && any->nkids == 0)
		any->kind = N_FALSE;
	return any;
fail:
	base_buf_release(&b);
	return NULL;
}

/* IN (...): one SQL IN for the plain values, plus nulls and date ranges. */
static struct ncond *in_list(struct cc *c, const struct lhs *l,
			     const struct cond *cd)
{
	struct ncond *any = nnode(c, N_OR), *k;
	struct base_buf b = BASE_BUF_INIT(SQL_MAX);
	int plain_n = 0;
	bool has_null = false;

	if (!any)
		return NULL;
	base_buf_printf(&b, "%s%s IN (", base_buf_str(&l->x),
			nocase(l->t) ? " COLLATE NOCASE" : "");
	for (int i = 0; i < cd->nvals; i++) {
		const struct value *v = &cd->vals[i];

		if (is_null_value(l, v)) {
			has_null = true;
		} else if (v->kind == V_DATELIT) {
			if (!(k = date_range(c, l, OP_EQ, v)) ||
			    nadd(c, any, k))
				goto fail;
		} else {
			if (plain_n++)
				base_buf_puts(&b, ", ");
			if (put_value(c, &b, l, v))
				goto fail;
		}
	}
	base_buf_putc(&b, ')');
	if (plain_n && (!(k = natom(c, &b)) || nadd(c, any, k)))
		goto fail;
	if (has_null) {
		base_buf_reset(&b);
		base_buf_printf(&b, "%s IS NULL", base_buf_str(&l->x));
		if (!(k = natom(c, &b)) || nadd(c, any, k))
			goto fail;
	}
	base_buf_release(&b);
	return any;
fail:
	base_buf_release(&b);
	return NULL;
}

/* Sets c->e for an allocation failure unless something else was said. */
static int leaf_failed(struct cc *c)
{
	if (c->e && c->e->code[0])
		return BASE_EINVAL;
	return nomem(c->e);
}

static int operator_error(struct cc *c, const struct cond *cd, const char *what)
{
	/* [UNCONFIRMED] code and wording */
	return fail_q(c, cd->op_off, "INVALID_QUERY_FILTER_OPERATOR", "%s",
		      what);
}

static int compile_lhs(struct cc *c, const struct cond *cd, bool having,
		       struct lhs *l)
{
	const struct item *it = &cd->lhs;
	struct ref r;
	int rc;

	if (it->kind == I_AGG) {
		bool star = it->path.n == 0;

		if (!star && (rc = resolve(c, &it->path, &r)))
			return rc;
		if ((rc = check_agg(c, it, star ? NULL : &r)))
			return rc;
		put_agg(&l->x, it->fn, star ? NULL : &r);
		l->t = it->fn <= AGG_AVG || star ? TC_NUM
						 : tclass_of(r.f->type);
		l->name = agg_names[it->fn];
		return 0;
	}
	if ((rc = resolve(c, &it->path, &r)))
		return rc;
	if (having && !find_group(c, &r))
		return fail_q(c, it->path.off, "MALFORMED_QUERY",
			      "Field must be grouped or aggregated: %.*s",
			      (int)it->path.len, c->q->text + it->path.off);
	if (!r.f->filterable)
		return fail_q(c, it->path.off, "INVALID_FIELD",
			      "field '%s' can not be filtered in a query call",
			      r.f->name);
	put_ref(&l->x, &r, false);
	l->t = tclass_of(r.f->type);
	l->f = r.f;
	l->name = r.f->name;
	return 0;
}

/* One comparison as a normalised condition. */
static int compile_leaf(struct cc *c, const struct cond *cd, bool having,
			struct ncond **out)
{
	static const char *const ops[] = {"=", "<>", "<", "<=", ">", ">="};
	struct lhs l = {.x = BASE_BUF_INIT(SQL_MAX)};
	struct base_buf b = BASE_BUF_INIT(SQL_MAX);
	const struct value *v = &cd->vals[0];
	struct ncond *n = NULL;
	int rc;

	if ((rc = compile_lhs(c, cd, having, &l)))
		goto out;
	for (int i = 0; i < cd->nvals; i++)
		if ((rc = check_value(c, &l, &cd->vals[i])))
			goto out;
	rc = BASE_EINVAL;
	switch (cd->op) {
	case OP_LIKE:
		if (l.t != TC_TEXT) {
			char what[64];

			snprintf(what, sizeof(what),
				 "invalid operator on %s field",
				 l.f ? type_word(l.f->type) : "aggregate");
			rc = operator_error(c, cd, what);
			goto out;
		}
		if (v->kind == V_NULL) {
			base_buf_printf(&b, "%s LIKE NULL", base_buf_str(&l.x));
		} else {
			base_buf_printf(&b, "%s LIKE ", base_buf_str(&l.x));
			if (add_param(c, &b, EMU_SOQL_P_TEXT, v->s, 0, 0))
				goto out;
			base_buf_puts(&b, " ESCAPE '\\'");
		}
		n = natom(c, &b);
		break;
	case OP_INCLUDES:
	case OP_EXCLUDES:
		if (l.t != TC_MULTI) {
			rc = operator_error(
				c, cd,
				"includes or excludes operator only "
				"valid on multipicklist field");
			goto out;
		}
		n = includes(c, &l, cd);
		if (n && cd->op == OP_EXCLUDES)
			n = nnot(c, n);
		break;
	case OP_IN:
	case OP_NOT_IN:
		n = in_list(c, &l, cd);
		if (n && cd->op == OP_NOT_IN)
			n = nnot(c, n);
		break;
	default:
		if (l.t == TC_MULTI && cd->op != OP_EQ && cd->op != OP_NE) {
			rc = operator_error(c, cd,
					    "invalid operator on multipicklist "
					    "field");
			goto out;
		}
		if (v->kind == V_DATELIT) {
			n = date_range(c, &l, cd->op, v);
			break;
		}
		if (is_null_value(&l, v) &&
		    (cd->op == OP_EQ || cd->op == OP_NE)) {
			base_buf_printf(&b, "%s IS %sNULL", base_buf_str(&l.x),
					cd->op == OP_NE ? "NOT " : "");
			n = natom(c, &b);
			break;
		}
		/* x != 'v' also matches rows where x is null. */
		if (cd->op == OP_NE)
			base_buf_printf(&b, "(%s IS NULL OR ",
					base_buf_str(&l.x));
		base_buf_printf(&b, "%s%s %s ", base_buf_str(&l.x),
				nocase(l.t) ? " COLLATE NOCASE" : "",
				ops[cd->op]);
		if (put_value(c, &b, &l, v))
			goto out;
		if (cd->op == OP_NE)
			base_buf_putc(&b, ')');
		n = natom(c, &b);
		break;
	}
	if (!n) {
		rc = leaf_failed(c);
		goto out;
	}
	rc = 0;
	*out = n;
out:
	base_buf_release(&l.x);
	base_buf_release(&b);
	return rc;
}

static int build(struct cc *c, const struct cond *cd, bool having, bool neg,
		 struct ncond **out)
{
	struct ncond *n = NULL, *k = NULL;
	int rc;

	if (cd->kind == C_NOT)
		return build(c, cd->kids[0], having, !neg, out);
	if (cd->kind == C_CMP) {
		if ((rc = compile_leaf(c, cd, having, &n)))
			return rc;
		if (neg && !(n = nnot(c, n)))
			return nomem(c->e);
		*out = n;
		return 0;
	}
	n = nnode(c, (cd->kind == C_AND) != neg ? N_AND : N_OR);
	if (!n)
		return nomem(c->e);
	for (int i = 0; i < cd->nkids; i++) {
		if ((rc = build(c, cd->kids[i], having, neg, &k)))
			return rc;
		if (nadd(c, n, k))
			return nomem(c->e);
	}
	*out = n;
	return 0;
}

static void cost_max(struct cost *a, struct cost b)
{
	if (b.stack > a->stack)
		a->stack = b.stack;
	if (b.depth > a->depth)
		a->depth = b.depth;
}

static void emit(struct base_buf *b, const struct ncond *n, struct cost *out);

/*
 * k terms joined by op. Long chains are cut into parenthesised groups of
 * CHAIN_CHUNK so neither SQLite's expression depth (a flat chain is as
 * deep as it is long) nor its parser stack (each '(' level) grows much.
 */
static void emit_chain(struct base_buf *b, struct ncond *const *kids, int k,
		       const char *op, struct cost *out)
{
	struct cost worst = {0, 0};

	if (k <= CHAIN_CHUNK) {
		for (int i = 0; i < k; i++) {
			struct cost kc = {0, 0};
			bool wrap =
				kids[i]->kind == N_AND || kids[i]->kind == N_OR;

			if (i)
				base_buf_printf(b, " %s ", op);
			if (wrap)
				base_buf_putc(b, '(');
			emit(b, kids[i], &kc);
			if (wrap)
				base_buf_putc(b, ')');
			kc.stack += wrap;
			cost_max(&worst, kc);
		}
		out->stack = worst.stack + 2;
		out->depth = worst.depth + k;
		return;
	}
	{
		int g = CHAIN_CHUNK, groups;

		while ((k + g - 1) / g > CHAIN_CHUNK)
			g *= CHAIN_CHUNK;
		groups = (k + g - 1) / g;
		for (int j = 0; j < groups; j++) {
			struct cost kc = {0, 0};
			int len = k - j * g < g ? k - j * g : g;

			if (j)
				base_buf_printf(b, " %s ", op);
			base_buf_putc(b, '(');
			emit_chain(b, kids + j * g, len, op, &kc);
			base_buf_putc(b, ')');
			kc.stack += 1;
			cost_max(&worst, kc);
		}
		out->stack = worst.stack + 2;
		out->depth = worst.depth + groups;
	}
}

static void emit(struct base_buf *b, const struct ncond *n, struct cost *out)
{
	switch (n->kind) {
	case N_TRUE:
	case N_FALSE:
		base_buf_puts(b, n->kind == N_TRUE ? "1" : "0");
		*out = (struct cost){1, 1};
		return;
	case N_ATOM: {
		/* Atoms hold no user text, so their parentheses are ours. */
		int d = 0, maxd = 0;

		for (const char *s = n->sql; *s; s++) {
			if (*s == '(' && ++d > maxd)
				maxd = d;
			else if (*s == ')')
				d--;
		}
		base_buf_puts(b, n->sql);
		*out = (struct cost){4 + 3 * maxd, 4 + 2 * maxd};
		return;
	}
	default:
		if (n->nkids == 0) { /* empty AND is true, empty OR false */
			base_buf_puts(b, n->kind == N_AND ? "1" : "0");
			*out = (struct cost){1, 1};
			return;
		}
		emit_chain(b, n->kids, n->nkids,
			   n->kind == N_AND ? "AND" : "OR", out);
		return;
	}
}

/* Compiles WHERE (plus the IsDeleted filter) or HAVING into b. */
static int compile_cond(struct cc *c, const struct cond *cd, bool having,
			bool deleted_filter, struct base_buf *b)
{
	struct ncond *root = nnode(c, N_AND), *k;
	struct base_buf t = BASE_BUF_INIT(64);
	struct cost cost = {0, 0};
	int rc;

	if (!root)
		return nomem(c->e);
	if (deleted_filter) {
		put_col(&t, 0, "IsDeleted");
		base_buf_puts(&t, " = 0");
		k = natom(c, &t);
		base_buf_release(&t);
		if (!k || nadd(c, root, k))
			return nomem(c->e);
	}
	if (cd) {
		if ((rc = build(c, cd, having, false, &k)))
			return rc;
		if (nadd(c, root, k))
			return nomem(c->e);
	}
	if (root->nkids == 0)
		return 0;
	emit(b, root, &cost);
	if (cost.stack > SQL_STACK_BUDGET || cost.depth > SQL_DEPTH_BUDGET)
		return fail(c->e, BASE_EINVAL, "QUERY_TOO_COMPLICATED",
			    "Query is either selecting too many fields or the "
			    "filter conditions are very complicated.");
	return 0;
}

static int compile_group(struct cc *c, struct base_buf *b)
{
	const struct emu_soql *q = c->q;
	int rc;

	if (!q->ngroup)
		return 0;
	c->groups = arena_alloc(&c->a, (size_t)q->ngroup * sizeof(*c->groups));
	if (!c->groups)
		return nomem(c->e);
	for (int i = 0; i < q->ngroup; i++) {
		struct ref *r = &c->groups[i];

		if ((rc = resolve(c, &q->group[i], r)))
			return rc;
		if (!r->f->groupable)
			return fail_q(
				c, q->group[i].off, "INVALID_FIELD",
				"field '%s' can not be grouped in a query "
				"call",
				r->f->name);
		c->ngroups++;
		base_buf_puts(b, i ? ", " : " GROUP BY ");
		put_ref(b, r, true);
	}
	return 0;
}

static int compile_order(struct cc *c, struct base_buf *b)
{
	const struct emu_soql *q = c->q;
	int rc;

	for (int i = 0; i < q->norder; i++) {
		const struct order *o = &q->order[i];
		const struct item *it = &o->what;
		struct ref r;

		base_buf_puts(b, i ? ", " : " ORDER BY ");
		if (it->kind == I_AGG) {
			bool star = it->path.n == 0;

			if (!c->aggregate)
				return fail_q(c, it->off, "MALFORMED_QUERY",
					      "unexpected token: '%s'",
					      agg_names[it->fn]);
			if (!star && (rc = resolve(c, &it->path, &r)))
				return rc;
			if ((rc = check_agg(c, it, star ? NULL : &r)))
				return rc;
			put_agg(b, it->fn, star ? NULL : &r);
		} else {
			if ((rc = resolve(c, &it->path, &r)))
				return rc;
			if (c->aggregate && !find_group(c, &r))
				return fail_q(
					c, it->path.off, "MALFORMED_QUERY",
					"Ordered field must be grouped or "
					"aggregated: %.*s",
					(int)it->path.len,
					q->text + it->path.off);
			if (!r.f->sortable)
				return fail_q(c, it->path.off, "INVALID_FIELD",
					      "field '%s' can not be sorted in "
					      "a query call",
					      r.f->name);
			/* Salesforce sorts by upper-case values [order]. */
			if (nocase(tclass_of(r.f->type))) {
				base_buf_puts(b, "upper(");
				put_ref(b, &r, false);
				base_buf_putc(b, ')');
			} else {
				put_ref(b, &r, false);
			}
		}
		base_buf_printf(b, "%s NULLS %s", o->desc ? " DESC" : "",
				o->nulls == 2 ? "LAST" : "FIRST");
	}
	return 0;
}

static void put_joins(const struct cc *c, struct base_buf *b)
{
	for (int i = 0; i < c->njoins; i++) {
		const struct join *j = &c->joins[i];

		base_buf_puts(b, " LEFT JOIN ");
		put_ident(b, j->obj->name);
		base_buf_printf(b, " AS t%d ON t%d.\"Id\" = ", i + 1, i + 1);
		put_col(b, j->parent, j->via->name);
	}
}

static char *buf_take(struct base_buf *b)
{
	return base_buf_err(b) ? NULL : base_buf_detach(b, NULL);
}

int emu_soql_compile(const struct emu_soql *q, const struct emu_schema *s,
		     const struct emu_soql_opts *o, struct emu_soql_plan **out,
		     struct emu_soql_error *e)
{
	struct emu_soql_error scratch;
	struct cc c = {.q = q, .s = s, .o = o};
	struct base_buf sel = BASE_BUF_INIT(SQL_MAX),
			where = BASE_BUF_INIT(SQL_MAX),
			grp = BASE_BUF_INIT(SQL_MAX),
			hav = BASE_BUF_INIT(SQL_MAX),
			ord = BASE_BUF_INIT(SQL_MAX), lim = BASE_BUF_INIT(256),
			sql = BASE_BUF_INIT(SQL_MAX);
	struct emu_soql_plan *pl = NULL;
	int rc = BASE_ERR;

	*out = NULL;
	/* Always have somewhere to say why: leaf builders read c.e back. */
	if (!e)
		e = &scratch;
	memset(e, 0, sizeof(*e));
	c.e = e;
	pl = calloc(1, sizeof(*pl));
	if (!pl) {
		rc = nomem(e);
		goto out;
	}
	pl->limit = q->has_limit ? q->limit : -1;
	pl->offset = q->has_offset ? q->offset : 0;
	pl->id_col = -1;
	c.from = emu_schema_object(s, q->from);
	if (!c.from || !c.from->queryable) {
		rc = fail_q(&c, q->from_off, "INVALID_TYPE", no_object,
			    q->from);
		goto out;
	}
	pl->object = c.from;
	c.aggregate = q->ngroup > 0;
	for (int i = 0; i < q->nitems; i++)
		if (q->items[i].kind == I_AGG)
			c.aggregate = true;
	pl->aggregate = c.aggregate;
	if (q->having && !q->ngroup) { /* [UNCONFIRMED] wording */
		rc = fail_q(&c, q->having_off, "MALFORMED_QUERY",
			    "unexpected token: 'HAVING'");
		goto out;
	}
	/* GROUP BY first: the SELECT list is checked against it. */
	if ((rc = compile_group(&c, &grp)) ||
	    (rc = compile_select(&c, pl, &sel)))
		goto out;
	if (pl->count_only)
		pl->aggregate = c.aggregate = false;
	if (!c.aggregate && !pl->count_only) {
		/* Ids for "attributes": the record's, then each parent's. */
		pl->id_col = pl->ncols;
		base_buf_puts(&sel, ", t0.\"Id\"");
		for (int i = 0; i < c.njoins; i++)
			if (c.joins[i].selected)
				pl->nrels++;
		if (pl->nrels && !(pl->rels = calloc((size_t)pl->nrels,
						     sizeof(*pl->rels)))) {
			rc = nomem(e);
			goto out;
		}
		for (int i = 0, k = 0; i < c.njoins; i++) {
			struct emu_soql_rel *r = &pl->rels[k];

			if (!c.joins[i].selected)
				continue;
			base_buf_printf(&sel, ", t%d.\"Id\"", i + 1);
			r->depth = c.joins[i].depth;
			r->object = c.joins[i].obj;
			r->id_col = pl->ncols + 1 + k;
			k++;
			for (int d = 0; d < r->depth; d++)
				if (!(r->path[d] = strdup(c.joins[i].rel[d]))) {
					rc = nomem(e);
					goto out;
				}
		}
	}
	if ((rc = compile_cond(&c, q->where, false, !(o && o->include_deleted),
			       &where)) ||
	    (rc = compile_cond(&c, q->having, true, false, &hav)) ||
	    (rc = compile_order(&c, &ord)))
		goto out;
	if (q->has_limit || q->has_offset) {
		base_buf_puts(&lim, " LIMIT ");
		if (q->has_limit)
			rc = add_param(&c, &lim, EMU_SOQL_P_INT, NULL, q->limit,
				       0);
		else
			base_buf_puts(&lim, "-1");
		if (!rc && q->has_offset) {
			base_buf_puts(&lim, " OFFSET ");
			rc = add_param(&c, &lim, EMU_SOQL_P_INT, NULL,
				       q->offset, 0);
		}
		if (rc)
			goto out;
	}
	/* SELECT <cols> FROM "X" AS t0 <joins> WHERE .. GROUP BY .. HAVING ..
	 * ORDER BY .. LIMIT .. */
	base_buf_printf(&sql, "SELECT %s FROM ",
			pl->count_only ? "1" : base_buf_str(&sel));
	put_ident(&sql, c.from->name);
	base_buf_puts(&sql, " AS t0");
	put_joins(&c, &sql);
	if (where.len)
		base_buf_printf(&sql, " WHERE %s", base_buf_str(&where));
	base_buf_puts(&sql, base_buf_str(&grp));
	if (hav.len)
		base_buf_printf(&sql, " HAVING %s", base_buf_str(&hav));
	base_buf_puts(&sql, base_buf_str(&ord));
	base_buf_puts(&sql, base_buf_str(&lim));
	if (base_buf_err(&sel) || base_buf_err(&where) || base_buf_err(&grp) ||
	    base_buf_err(&hav) || base_buf_err(&ord) || base_buf_err(&lim) ||
	    base_buf_err(&sql)) {
		rc = base_buf_err(&sql) == BASE_ETOOBIG ||
				     base_buf_err(&where) == BASE_ETOOBIG
			     ? fail(e, BASE_EINVAL, "QUERY_TOO_COMPLICATED",
				    "Query is either selecting too many fields "
				    "or the filter conditions are very "
				    "complicated.")
			     : nomem(e);
		goto out;
	}
	{
		struct base_buf cnt = BASE_BUF_INIT(SQL_MAX + 64);

		base_buf_printf(&cnt, "SELECT count(*) FROM (%s)",
				base_buf_str(&sql));
		pl->count_sql = buf_take(&cnt);
		base_buf_release(&cnt);
	}
	pl->sql = pl->count_only ? strdup(pl->count_sql) : buf_take(&sql);
	if (!pl->sql || !pl->count_sql) {
		rc = nomem(e);
		goto out;
	}
	pl->params = c.params;
	pl->nparams = c.nparams;
	c.params = NULL;
	c.nparams = 0;
	*out = pl;
	pl = NULL;
	rc = 0;
out:
	for (int i = 0; i < c.nparams; i++)
		free(c.params[i].text);
	free(c.params);
	emu_soql_plan_free(pl);
	arena_release(&c.a);
	base_buf_release(&sel);
	base_buf_release(&where);
	base_buf_release(&grp);
	base_buf_release(&hav);
	base_buf_release(&ord);
	base_buf_release(&lim);
	base_buf_release(&sql);
	return rc;
}

void emu_soql_plan_free(struct emu_soql_plan *p)
{
	if (!p)
		return;
	free(p->sql);
	free(p->count_sql);
	for (int i = 0; i < p->nparams; i++)
		free(p->params[i].text);
	free(p->params);
	for (int i = 0; i < p->ncols; i++) {
		free(p->cols[i].name);
		for (int k = 0; k < 4; k++)
			free(p->cols[i].path[k]);
	}
	free(p->cols);
	for (int i = 0; i < p->nrels; i++)
		for (int k = 0; k < 3; k++)
			free(p->rels[i].path[k]);
	free(p->rels);
	free(p);
}
