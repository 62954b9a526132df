/* store.h - sfbridge's store: SQLite (default) behind one interface, migrations, workspaces. */
#ifndef SFB_STORE_H
#define SFB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/*
 * One connection, one thread at a time (open one per thread). Every table
 * carries workspace_id. Migrations are numbered SQL files compiled in
 * (src/bridge/store/migrations.c), applied in order at open inside one
 * transaction each; a store newer than this binary is refused.
 *
 * The connection runs in WAL mode with foreign keys on, a 5 s busy timeout
 * and synchronous=FULL: a commit is on disk when sfb_store_commit returns
 * (key rotation depends on it). The database file is created with mode 0600.
 */
struct sfb_store;

/* The database file inside DATA, unless SFBRIDGE_DB names another. */
#define SFB_STORE_FILE "sfbridge.db"
/*
 * A database URL (sfb_store_parse_url) that every command's store uses
 * instead of DATA/sfbridge.db when set and non-empty; `serve --db URL` sets
 * it for its own process. The master key stays in DATA either way.
 */
#define SFB_STORE_DB_ENV "SFBRIDGE_DB"

/*
 * The SQLite file a database URL names: `sqlite:PATH`, `sqlite://PATH`
 * (so `sqlite:///ABS/PATH` is absolute), `file:PATH` or `file://PATH`;
 * schemes are case-insensitive. PostgreSQL and any other scheme, a value
 * without one, and an empty PATH are BASE_EINVAL. The message never repeats
 * the URL (a PostgreSQL one may carry a password). *path_out is borrowed:
 * it points into url.
 */
int sfb_store_parse_url(const char *url, const char **path_out,
			struct base_err *err);
/*
 * The database file for DATA: $SFBRIDGE_DB's path when set and non-empty
 * (a relative one gets "./" in front, so SQLite never reads it as a
 * special name such as ":memory:"), else DATA/sfbridge.db.
 */
int sfb_store_path(const char *data_dir, char *out, size_t size,
		   struct base_err *err);
/* Whether the database file for DATA (sfb_store_path) exists yet. */
int sfb_store_exists(const char *data_dir, bool *out, struct base_err *err);

/*
 * Opens the database file for DATA (sfb_store_path), creating the
 * directory that holds it (DATA unless SFBRIDGE_DB says otherwise) with
 * mode 0700. Caller owns.
 */
int sfb_store_open(const char *data_dir, struct sfb_store **out,
		   struct base_err *err);
/* Rolls back a transaction left open. NULL is a no-op. */
void sfb_store_close(struct sfb_store *s);
/* The SQLite handle, for the modules that own tables (creds, web sessions). */
struct sqlite3 *sfb_store_db(struct sfb_store *s);
/*
 * BEGIN IMMEDIATE: the write lock is taken now, so a transaction never fails
 * half-way with SQLITE_BUSY. Transactions don't nest. After a failed commit,
 * call sfb_store_rollback.
 */
int sfb_store_begin(struct sfb_store *s, struct base_err *err);
int sfb_store_commit(struct sfb_store *s, struct base_err *err);
/* A no-op when no transaction is open. */
void sfb_store_rollback(struct sfb_store *s);
/* Schema version after migrations. */
int sfb_store_version(struct sfb_store *s);
/* The newest schema version this binary knows (its last migration). */
int sfb_store_latest_version(void);

/*
 * Creates DATA (and missing parents) with mode 0700; an existing directory
 * is left as it is. The vault calls it too, since it may run first.
 */
int sfb_store_make_dir(const char *data_dir, struct base_err *err);

/*
 * A column that holds vault-sealed text; the row's workspace_id is the
 * associated data. The list lives next to the migrations (migrations.c): a
 * migration that adds a sealed column adds it there, and key rotation
 * re-seals every listed column. Immutable, share freely.
 */
struct sfb_store_sealed_column {
	const char *table;
	const char *column;
};
const struct sfb_store_sealed_column *sfb_store_sealed_columns(size_t *n_out);

/*
 * Workspace ids are 1 to 64 characters of [a-z0-9-].
 * sfb_workspace_default: SFBRIDGE_WORKSPACE (unset or empty: "default").
 * Returns NULL when SFBRIDGE_WORKSPACE is not a valid id: callers that want
 * the reason call sfb_workspace_get. Borrowed (the environment or a static).
 */
const char *sfb_workspace_default(void);
int sfb_workspace_get(const char **out, struct base_err *err);
bool sfb_workspace_is_valid(const char *ws);

#endif
