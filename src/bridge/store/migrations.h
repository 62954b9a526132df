/* migrations.h - the store's schema as numbered SQL migrations (internal to store/). */
#ifndef SFB_STORE_MIGRATIONS_H
#define SFB_STORE_MIGRATIONS_H

#include <stddef.h>

/*
 * Immutable, share freely. Entry i has version i + 1: versions are 1..n with
 * no gaps, and a migration, once released, is never edited (a change is a new
 * migration), because stores in the field have recorded it as applied.
 */
struct sfb_migration {
	int version;
	const char *name; /* recorded in schema_migrations, for operators */
	const char *sql;  /* one or more statements; no transaction control */
};

const struct sfb_migration *sfb_store_migrations(size_t *n_out);

#endif
