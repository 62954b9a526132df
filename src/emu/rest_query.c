/* rest_query.c - /query and /queryAll: SOQL run in pages over open cursors; the Tooling API's Profile metadata. */
#include "rest.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "crypto.h"
#include "base/db.h"
#include "soql.h"
#include "base/banned.h"

/* Salesforce's page sizes: 2,000 by default, 200 to 2,000 by header. */
#define PAGE_DEFAULT 2000
#define PAGE_MIN 200
/* A user holds at most 10 open cursors; the oldest gives way. */
#define CURSORS_PER_USER 10
/* An idle cursor lives 15 minutes. */
#define CURSOR_IDLE_MS (15 * 60 * 1000)

/*
 * The output shape of a plain query, built once per plan: top-level keys
 * in SELECT order, with each parent relationship nested at its first use.
 */
struct node {
	const char *key;      /* output key */
	int col;              /* value column, or -1 for a relationship */
	enum emu_ftype type;
	int id_col;           /* relationship: the parent's Id column */
	const struct emu_sobject *object;
	struct node *kids;
	int nkids, cap;
};

struct emu_query_cursor {
	char id[EMU_SFID_LEN + 1]; /* locator: "01g...", then "-<offset>" */
	char user_id[EMU_SFID_LEN + 1];
	struct emu_soql_plan *plan;
	struct node root;
	sqlite3_stmt *st;
	long long served;      /* rows already sent */
	long long total;
	int page;
	int64_t used_ms;
};

static void node_release(struct node *n)
{
	for (int i = 0; i < n->nkids; i++)
		node_release(&n->kids[i]);
	free(n->kids);
	n->kids = NULL;
	n->nkids = n->cap = 0;
}

static struct node *node_add(struct node *n, const char *key)
{
	struct node *k;

	if (n->nkids == n->cap) {
		int cap = n->cap ? n->cap * 2 : 8;
		struct node *p = realloc(n->kids, (size_t)cap * sizeof(*p));

		if (!p)
			return NULL;
		n->kids = p;
		n->cap = cap;
	}
	k = &n->kids[n->nkids++];
	memset(k, 0, sizeof(*k));
	k->key = key;
	k->col = -1;
	k->id_col = -1;
	return k;
}

static struct node *node_find(struct node *n, const char *key)
{
	for (int i = 0; i < n->nkids; i++)
		if (n->kids[i].col < 0 && strcmp(n->kids[i].key, key) == 0)
			return &n->kids[i];
	return NULL;
}

/* The relationship whose path is the first `depth` segments of col's path. */
static const struct emu_soql_rel *rel_of(const struct emu_soql_plan *p,
					 const struct emu_soql_col *c, int depth)
{
	for (int i = 0; i < p->nrels; i++) {
		const struct emu_soql_rel *r = &p->rels[i];
		bool same = r->depth == depth;

		for (int k = 0; same && k < depth; k++)
			same = strcmp(r->path[k], c->path[k]) == 0;
		if (same)
			return r;
	}
	return NULL;
}

static int build_tree(const struct emu_soql_plan *p, struct node *root)
{
	memset(root, 0, sizeof(*root));
	root->col = -1;
	root->id_col = p->id_col;
	root->object = p->object;
	for (int i = 0; i < p->ncols; i++) {
		const struct emu_soql_col *c = &p->cols[i];
		struct node *at = root, *leaf;

		if (p->aggregate || c->depth <= 1) {
			leaf = node_add(root, c->name);
		} else {
			for (int d = 1; d < c->depth; d++) {
				struct node *next = node_find(at, c->path[d - 1]);

				if (!next) {
					const struct emu_soql_rel *r = rel_of(p, c, d);

					next = node_add(at, c->path[d - 1]);
					if (!next || !r)
						return BASE_ENOMEM;
					next->id_col = r->id_col;
					next->object = r->object;
				}
				at = next;
			}
			leaf = node_add(at, c->path[c->depth - 1]);
		}
		if (!leaf)
			return BASE_ENOMEM;
		leaf->col = i;
		leaf->type = c->field ? c->field->type : EMU_FT_INT;
		/* COUNT is a whole number; SUM and AVG are doubles. */
		if (c->agg_fn && (!strncmp(c->agg_fn, "COUNT", 5)))
			leaf->type = EMU_FT_INT;
		else if (c->agg_fn && (!strcmp(c->agg_fn, "SUM") ||
				       !strcmp(c->agg_fn, "AVG")))
			leaf->type = EMU_FT_DOUBLE;
	}
	return 0;
}

static void put_value(struct base_buf *b, sqlite3_stmt *st, int col,
		      enum emu_ftype t)
{
	char num[40];

	if (sqlite3_column_type(st, col) == SQLITE_NULL) {
		base_buf_puts(b, t == EMU_FT_BOOLEAN ? "false" : "null");
		return;
	}
	switch (t) {
	case EMU_FT_BOOLEAN:
		base_buf_puts(b, sqlite3_column_int(st, col) ? "true" : "false");
		return;
	case EMU_FT_INT:
		base_buf_printf(b, "%lld", (long long)sqlite3_column_int64(st, col));
		return;
	case EMU_FT_DOUBLE:
	case EMU_FT_CURRENCY:
	case EMU_FT_PERCENT: {
		double d = sqlite3_column_double(st, col);

		if (!isfinite(d))
			base_buf_puts(b, "null");
		else if (d == floor(d) && fabs(d) < 1e15)
			base_buf_printf(b, "%.1f", d);
		else {
			snprintf(num, sizeof(num), "%.15g", d);
			base_buf_puts(b, num);
		}
		return;
	}
	default:
		base_buf_put_json(b, (const char *)sqlite3_column_text(st, col));
	}
}

static void put_attributes(struct base_buf *b, const struct emu_sobject *o,
			   sqlite3_stmt *st, int id_col, int version)
{
	base_buf_printf(b, "\"attributes\":{\"type\":\"%s\"", o->name);
	if (id_col >= 0)
		base_buf_printf(b, ",\"url\":\"/services/data/v%d.0/sobjects/%s/%s\"",
				version, o->name,
				(const char *)sqlite3_column_text(st, id_col));
	base_buf_putc(b, '}');
}

static void put_node(struct base_buf *b, const struct node *n,
		     sqlite3_stmt *st, int version)
{
	base_buf_putc(b, '{');
	put_attributes(b, n->object, st, n->id_col, version);
	for (int i = 0; i < n->nkids; i++) {
		const struct node *k = &n->kids[i];

		base_buf_putc(b, ',');
		base_buf_put_json(b, k->key);
		base_buf_putc(b, ':');
		if (k->col >= 0)
			put_value(b, st, k->col, k->type);
		else if (k->id_col >= 0 &&
			 sqlite3_column_type(st, k->id_col) == SQLITE_NULL)
			base_buf_puts(b, "null"); /* empty lookup */
		else
			put_node(b, k, st, version);
	}
	base_buf_putc(b, '}');
}

static void put_aggregate(struct base_buf *b, const struct node *root,
			  sqlite3_stmt *st)
{
	base_buf_puts(b, "{\"attributes\":{\"type\":\"AggregateResult\"}");
	for (int i = 0; i < root->nkids; i++) {
		base_buf_putc(b, ',');
		base_buf_put_json(b, root->kids[i].key);
		base_buf_putc(b, ':');
		put_value(b, st, root->kids[i].col, root->kids[i].type);
	}
	base_buf_putc(b, '}');
}

void emu_query_cursor_free(struct emu_query_cursor *c)
{
	if (!c)
		return;
	sqlite3_finalize(c->st);
	node_release(&c->root);
	emu_soql_plan_free(c->plan);
	free(c);
}

static void drop_cursor(struct emu_org *org, int i)
{
	emu_query_cursor_free(org->cursors[i]);
	org->cursors[i] = NULL;
}

/* Frees idle cursors, and the user's oldest past CURSORS_PER_USER. */
static int cursor_slot(struct emu_org *org, const char *user_id)
{
	int64_t now = emu_org_now_ms(org);
	int mine = 0, oldest = -1, free_slot = -1, any_oldest = -1;

	for (int i = 0; i < EMU_ORG_MAX_CURSORS; i++) {
		struct emu_query_cursor *c = org->cursors[i];

		if (c && now - c->used_ms > CURSOR_IDLE_MS) {
			drop_cursor(org, i);
			c = NULL;
		}
		if (!c) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		if (any_oldest < 0 || c->used_ms < org->cursors[any_oldest]->used_ms)
			any_oldest = i;
		if (strcmp(c->user_id, user_id) == 0) {
			mine++;
			if (oldest < 0 || c->used_ms < org->cursors[oldest]->used_ms)
				oldest = i;
		}
	}
	if (mine >= CURSORS_PER_USER) {
		drop_cursor(org, oldest);
		return oldest;
	}
	if (free_slot >= 0)
		return free_slot;
	drop_cursor(org, any_oldest);
	return any_oldest;
}

static bool field_visible(void *ctx, const char *object, const char *field)
{
	return emu_fls_readable(ctx, object, field);
}

int emu_rest_soql(struct emu_rest *r, const char *soql, bool all,
		  struct emu_soql **q, struct emu_soql_plan **plan)
{
	struct emu_soql_opts opts = {
		.include_deleted = all,
		.now_ms = emu_org_now_ms(r->org),
		.time_zone = emu_org_conf_str(r->org, "timeZone"),
		.field_visible = field_visible,
		.ctx = r->org,
	};
	struct emu_soql_error se = {{0}, {0}};

	*q = NULL;
	*plan = NULL;
	if (emu_soql_parse(soql, q, &se) ||
	    emu_soql_compile(*q, r->org->schema, &opts, plan, &se)) {
		emu_soql_free(*q);
		*q = NULL;
		emu_rest_fail(r, 400, se.code, "%s", se.message);
		return -1;
	}
	return 0;
}

sqlite3_stmt *emu_rest_soql_stmt(struct emu_rest *r,
				 const struct emu_soql_plan *plan, bool count)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(r->org->db,
				    count ? plan->count_sql : plan->sql, -1,
				    &st, NULL);

	for (int i = 0; rc == SQLITE_OK && i < plan->nparams; i++) {
		const struct emu_soql_param *q = &plan->params[i];

		switch (q->type) {
		case EMU_SOQL_P_TEXT:
			rc = sqlite3_bind_text(st, i + 1, q->text, -1,
					       SQLITE_STATIC);
			break;
		case EMU_SOQL_P_INT:
			rc = sqlite3_bind_int64(st, i + 1, q->i);
			break;
		case EMU_SOQL_P_REAL:
			rc = sqlite3_bind_double(st, i + 1, q->d);
			break;
		default:
			rc = sqlite3_bind_null(st, i + 1);
		}
	}
	if (rc != SQLITE_OK) {
		base_error("query: %s", sqlite3_errmsg(r->org->db));
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

/*
 * Sends up to one page from the cursor, and the locator of the next page
 * when rows remain. Frees the cursor (slot) when done.
 */
static void send_page(struct emu_rest *r, int slot)
{
	struct emu_query_cursor *c = r->org->cursors[slot];
	struct base_buf *b = &r->resp->body;
	int n = 0, rc = SQLITE_ROW;
	bool done;

	emu_resp_start(r->resp, 200, "application/json;charset=UTF-8");
	base_buf_printf(b, "{\"totalSize\":%lld,", c->total);
	/* Rows are written after the header, which needs "done": build them
	 * into a second buffer first. */
	struct base_buf rows = BASE_BUF_INIT(EMU_HTTP_MAX_BODY);

	while (n < c->page && (rc = sqlite3_step(c->st)) == SQLITE_ROW) {
		if (n)
			base_buf_putc(&rows, ',');
		if (c->plan->aggregate)
			put_aggregate(&rows, &c->root, c->st);
		else
			put_node(&rows, &c->root, c->st, r->version);
		n++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		base_buf_release(&rows);
		emu_rest_fail(r, 500, "UNKNOWN_EXCEPTION", "query failed: %s",
			      sqlite3_errmsg(r->org->db));
		drop_cursor(r->org, slot);
		return;
	}
	c->served += n;
	done = rc == SQLITE_DONE || c->served >= c->total;
	if (!done && n == c->page) {
		/* Peek: a page that ends exactly at the last row is done. */
		done = c->served >= c->total;
	}
	base_buf_printf(b, "\"done\":%s,", done ? "true" : "false");
	if (!done)
		base_buf_printf(b,
				"\"nextRecordsUrl\":\"/services/data/v%d.0/query/"
				"%s-%lld\",",
				r->version, c->id, c->served);
	base_buf_puts(b, "\"records\":[");
	base_buf_append(b, rows.data ? rows.data : "", rows.len);
	base_buf_puts(b, "]}");
	base_buf_release(&rows);
	c->used_ms = emu_org_now_ms(r->org);
	if (done)
		drop_cursor(r->org, slot);
}

static int page_size(struct emu_rest *r)
{
	const char *h = emu_req_header(r->req, "Sforce-Query-Options");
	const char *p = h;
	long n;

	while (p && *p && strncasecmp(p, "batchSize=", 10) != 0)
		p++;
	if (!p || !*p)
		return PAGE_DEFAULT;
	n = strtol(p + 10, NULL, 10);
	if (n < PAGE_MIN)
		return PAGE_MIN;
	return n > PAGE_DEFAULT ? PAGE_DEFAULT : (int)n;
}

/* columns=true: the column metadata the Salesforce CLI asks for. */
static void column_metadata(struct emu_rest *r, const struct emu_soql_plan *p)
{
	json_t *cols = json_array(), *v;
	bool id_selected = false;

	for (int i = 0; i < p->ncols; i++) {
		const struct emu_soql_col *c = &p->cols[i];
		const struct emu_field *f = c->field;
		bool num = f && (f->type == EMU_FT_INT || f->type == EMU_FT_DOUBLE ||
				 f->type == EMU_FT_CURRENCY ||
				 f->type == EMU_FT_PERCENT);
		json_t *col = json_pack(
			"{s:b, s:s, s:b, s:s, s:b, s:s, s:n, s:b, s:[], s:b, s:b, s:b}",
			"aggregate", c->aggregate, "apexType",
			f ? emu_ftype_name(f->type) : "Integer", "booleanType",
			f && f->type == EMU_FT_BOOLEAN, "columnName",
			c->depth > 1 ? c->path[0] : c->name, "custom",
			f && f->custom, "displayName", c->name, "foreignKeyName",
			"insertable", f && f->createable, "joinColumns",
			"numberType", num || (c->agg_fn && !strncmp(c->agg_fn, "COUNT", 5)),
			"textType", f && !num && f->type != EMU_FT_BOOLEAN,
			"updatable", f && f->updateable);

		if (c->depth > 1) {
			json_array_append_new(
				json_object_get(col, "joinColumns"),
				json_pack("{s:b, s:s, s:s, s:[]}", "aggregate",
					  false, "columnName",
					  c->path[c->depth - 1], "displayName",
					  c->name, "joinColumns"));
		}
		if (c->depth == 1 && f && !strcmp(f->name, "Id"))
			id_selected = true;
		json_array_append_new(cols, col);
	}
	v = json_pack("{s:o, s:s, s:b, s:b, s:s}", "columnMetadata", cols,
		      "entityName", p->aggregate ? "AggregateResult" : p->object->name,
		      "groupBy", p->aggregate, "idSelected", id_selected,
		      "keyPrefix", p->object->key_prefix);
	emu_reply_json(r->resp, 200, v);
	json_decref(v);
}

static void run_query(struct emu_rest *r, const char *soql, bool all)
{
	struct emu_soql *q = NULL;
	struct emu_soql_plan *plan = NULL;
	struct emu_query_cursor *c = NULL;
	sqlite3_stmt *count = NULL;
	int slot;

	if (emu_rest_soql(r, soql, all, &q, &plan) != 0)
		goto out;
	if (emu_req_query(r->req, "columns") &&
	    !strcmp(emu_req_query(r->req, "columns"), "true")) {
		column_metadata(r, plan);
		goto out;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !(count = emu_rest_soql_stmt(r, plan, true)) ||
	    sqlite3_step(count) != SQLITE_ROW ||
	    !(c->st = emu_rest_soql_stmt(r, plan, false))) {
		emu_rest_fail(r, 500, "UNKNOWN_EXCEPTION", "query failed");
		goto out;
	}
	c->total = sqlite3_column_int64(count, 0);
	if (plan->count_only) {
		emu_resp_start(r->resp, 200, "application/json;charset=UTF-8");
		base_buf_printf(&r->resp->body,
				"{\"totalSize\":%lld,\"done\":true,\"records\":[]}",
				c->total);
		goto out;
	}
	if (build_tree(plan, &c->root)) {
		emu_rest_fail(r, 500, "UNKNOWN_EXCEPTION", "out of memory");
		goto out;
	}
	/* The locator: a query-locator id, "01g..." as on Salesforce. */
	{
		static const char alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					    "abcdefghijklmnopqrstuvwxyz";
		char rnd[10], id15[16];

		emu_random_token(rnd, 9, alnum);
		snprintf(id15, sizeof(id15), "01g%.2s0%s", r->org->pod, rnd);
		emu_sfid_to18(id15, c->id);
	}
	snprintf(c->user_id, sizeof(c->user_id), "%s", r->user.id);
	c->plan = plan;
	plan = NULL;
	c->page = page_size(r);
	c->used_ms = emu_org_now_ms(r->org);
	slot = cursor_slot(r->org, r->user.id);
	r->org->cursors[slot] = c;
	c = NULL;
	send_page(r, slot);
out:
	sqlite3_finalize(count);
	emu_query_cursor_free(c);
	emu_soql_plan_free(plan);
	emu_soql_free(q);
}

/* GET /query/01g...-2000: the next page of an open cursor. */
static void next_page(struct emu_rest *r, const char *locator)
{
	const char *dash = strrchr(locator, '-');
	long long offset;

	if (dash && dash - locator == EMU_SFID_LEN) {
		offset = strtoll(dash + 1, NULL, 10);
		for (int i = 0; i < EMU_ORG_MAX_CURSORS; i++) {
			struct emu_query_cursor *c = r->org->cursors[i];

			if (!c || strncmp(c->id, locator, EMU_SFID_LEN) != 0 ||
			    strcmp(c->user_id, r->user.id) != 0)
				continue;
			if (emu_org_now_ms(r->org) - c->used_ms > CURSOR_IDLE_MS) {
				drop_cursor(r->org, i);
				break;
			}
			/* A cursor only moves forward. */
			if (offset != c->served)
				break;
			send_page(r, i);
			return;
		}
	}
	emu_rest_fail(r, 400, "INVALID_QUERY_LOCATOR", "invalid query locator");
}

void emu_rest_query(struct emu_rest *r, bool all)
{
	const char *q = emu_req_query(r->req, "q");

	if (strcmp(r->req->method, "GET") != 0 &&
	    strcmp(r->req->method, "HEAD") != 0) {
		emu_rest_method_not_allowed(r, "GET,HEAD");
		return;
	}
	if (r->nsegs == 2) {
		next_page(r, r->segs[1]);
		return;
	}
	if (r->nsegs != 1) {
		emu_rest_fail(r, 404, "NOT_FOUND",
			      "The requested resource does not exist");
		return;
	}
	if (!q || !*q) {
		emu_rest_fail(r, 400, "MALFORMED_QUERY",
			      "A query string has to be specified");
		return;
	}
	run_query(r, q, all);
}

/* ---- Tooling: SELECT ... FROM Profile / SandboxProcess ---- */

static const char *skip_ws(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

static bool word(const char **s, const char *w)
{
	size_t n = strlen(w);
	const char *p = skip_ws(*s);

	if (strncasecmp(p, w, n) != 0 || isalnum((unsigned char)p[n]) ||
	    p[n] == '_')
		return false;
	*s = p + n;
	return true;
}

/* Reads an identifier into out (at most n-1 characters). */
static bool ident(const char **s, char *out, size_t n)
{
	const char *p = skip_ws(*s);
	size_t k = 0;

	while ((isalnum((unsigned char)*p) || *p == '_') && k + 1 < n)
		out[k++] = *p++;
	out[k] = '\0';
	*s = p;
	return k > 0 && !isalnum((unsigned char)*p);
}

/* Reads a '...' literal (with backslash escapes) into out. */
static bool literal(const char **s, char *out, size_t n)
{
	const char *p = skip_ws(*s);
	size_t k = 0;

	if (*p++ != '\'')
		return false;
	while (*p && *p != '\'') {
		if (*p == '\\' && p[1])
			p++;
		if (k + 1 >= n)
			return false;
		out[k++] = *p++;
	}
	out[k] = '\0';
	if (*p != '\'')
		return false;
	*s = p + 1;
	return true;
}

static json_t *profile_metadata(struct emu_org *org, json_t *p)
{
	json_t *perms = json_array(), *ips = json_array();
	const char *key;
	json_t *v, *r;
	size_t i;

	json_object_foreach(json_object_get(p, "permissions"), key, v) {
		if (json_is_true(v))
			json_array_append_new(perms, json_pack("{s:b, s:s}",
							       "enabled", true,
							       "name", key));
	}
	json_array_foreach(json_object_get(p, "loginIpRanges"), i, r) {
		json_array_append_new(
			ips, json_pack("{s:O?, s:O, s:O}", "description",
				       json_object_get(r, "description"),
				       "endAddress", json_object_get(r, "endAddress"),
				       "startAddress",
				       json_object_get(r, "startAddress")));
	}
	(void)org;
	return json_pack("{s:[], s:b, s:n, s:[], s:O, s:o, s:s, s:o}",
			 "applicationVisibilities", "custom", false,
			 "description", "fieldPermissions", "loginHours",
			 json_object_get(p, "loginHours"), "loginIpRanges", ips,
			 "userLicense",
			 json_string_value(json_object_get(p, "userLicense")),
			 "userPermissions", perms);
}

/* Replies 400 with code; returns -1 so "return tooling_error(...)" reads well. */
static int tooling_error(struct emu_rest *r, const char *code, const char *msg)
{
	emu_rest_fail(r, 400, code, "%s", msg);
	return -1;
}

/*
 * The Tooling queries integrations make of a profile:
 *   SELECT Id, Name, FullName, Metadata FROM Profile WHERE Id = '00e...'
 * (or WHERE Name = '...'), and SandboxProcess, which the Salesforce CLI
 * asks for and which a production org answers empty.
 */
static int tooling_query(struct emu_rest *r, const char *q)
{
	char fields[8][32], obj[64], col[32], val[256];
	bool want[4] = {false}; /* Id, Name, FullName, Metadata */
	const char *s = q;
	int nf = 0;
	json_t *p = NULL, *recs, *rec, *v;
	char url[160];

	if (!word(&s, "SELECT"))
		return tooling_error(r, "MALFORMED_QUERY", "unexpected token");
	do {
		if (nf == 8 || !ident(&s, fields[nf], sizeof(fields[0])))
			return tooling_error(r, "MALFORMED_QUERY",
					     "unexpected token in the field list");
		nf++;
		s = skip_ws(s);
	} while (*s == ',' && s++);
	if (!word(&s, "FROM") || !ident(&s, obj, sizeof(obj)))
		return tooling_error(r, "MALFORMED_QUERY", "expecting FROM");
	if (!strcasecmp(obj, "SandboxProcess")) {
		emu_reply_json(r->resp, 200,
			       v = json_pack("{s:i, s:i, s:b, s:n, s:s, s:[]}",
					     "size", 0, "totalSize", 0, "done",
					     true, "queryLocator", "entityTypeName",
					     "SandboxProcess", "records"));
		json_decref(v);
		return 0;
	}
	if (strcasecmp(obj, "Profile") != 0)
		return tooling_error(r, "INVALID_TYPE",
				     "sObject type is not supported by sfemu's "
				     "Tooling API (Profile, SandboxProcess)");
	for (int i = 0; i < nf; i++) {
		static const char *const known[] = {"Id", "Name", "FullName",
						    "Metadata"};
		int k;

		for (k = 0; k < 4 && strcasecmp(fields[i], known[k]); k++)
			;
		if (k == 4)
			return tooling_error(r, "INVALID_FIELD",
					     "No such column on entity 'Profile'");
		want[k] = true;
	}
	if (!word(&s, "WHERE") || !ident(&s, col, sizeof(col)) ||
	    (s = skip_ws(s), *s++ != '=') || !literal(&s, val, sizeof(val)) ||
	    (strcasecmp(col, "Id") && strcasecmp(col, "Name")))
		return tooling_error(r, "MALFORMED_QUERY",
				     "sfemu's Tooling API needs WHERE Id = '...' "
				     "or WHERE Name = '...'");
	if (word(&s, "LIMIT")) {
		s = skip_ws(s);
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (*skip_ws(s))
		return tooling_error(r, "MALFORMED_QUERY", "unexpected token");
	/* Metadata is only returned for one row, as on Salesforce. */
	recs = json_array();
	{
		char id18[EMU_SFID_LEN + 1];
		const char *key = val;

		if (!strcasecmp(col, "Id") && emu_sfid_to18(val, id18))
			key = id18;
		if (emu_org_profile_json(r->org, key, &p, NULL) == 0) {
			snprintf(url, sizeof(url),
				 "/services/data/v%d.0/tooling/sobjects/Profile/%s",
				 r->version,
				 json_string_value(json_object_get(p, "id")));
			rec = json_pack("{s:{s:s, s:s}}", "attributes", "type",
					"Profile", "url", url);
			if (want[0])
				json_object_set(rec, "Id", json_object_get(p, "id"));
			if (want[1])
				json_object_set(rec, "Name", json_object_get(p, "name"));
			if (want[2])
				json_object_set(rec, "FullName",
						json_object_get(p, "name"));
			if (want[3])
				json_object_set_new(rec, "Metadata",
						    profile_metadata(r->org, p));
			json_array_append_new(recs, rec);
		}
	}
	v = json_pack("{s:I, s:I, s:b, s:n, s:s, s:o}", "size",
		      (json_int_t)json_array_size(recs), "totalSize",
		      (json_int_t)json_array_size(recs), "done", true,
		      "queryLocator", "entityTypeName", "Profile", "records", recs);
	emu_reply_json(r->resp, 200, v);
	json_decref(v);
	json_decref(p);
	return 0;
}

void emu_rest_tooling(struct emu_rest *r)
{
	const char *q = emu_req_query(r->req, "q");

	if (r->nsegs == 2 && !strcmp(r->segs[1], "query")) {
		if (strcmp(r->req->method, "GET") != 0)
			emu_rest_method_not_allowed(r, "GET,HEAD");
		else if (!q || strlen(q) > 100000)
			tooling_error(r, "MALFORMED_QUERY",
				      "A query string has to be specified");
		else
			tooling_query(r, q);
		return;
	}
	emu_rest_fail(r, 404, "NOT_FOUND",
		      "The requested resource does not exist");
}
