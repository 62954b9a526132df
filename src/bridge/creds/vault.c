/* vault.c - secrets sealed with libsodium; the master key, its file and its rotation. */
#include "bridge/creds/vault.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/b64.h"
#include "base/log.h"
#include "bridge/store/store.h"
#include "base/db.h"
#include "base/banned.h"

#define KEY_BYTES   crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES   crypto_aead_xchacha20poly1305_ietf_ABYTES
#define KEY_ID_LEN  8
/* "v1:" + key id + ":" */
#define HEADER_LEN (3 + KEY_ID_LEN + 1)
/* The key file's text: base64 of 32 bytes (44) and a newline. */
#define KEY_TEXT_MAX 64

#define KEY_FILE  "master.key"
#define NEXT_FILE "master.key.next"
#define LOCK_FILE "master.key.lock"
#define ENV_KEY   "SFBRIDGE_MASTER_KEY"

struct key {
	unsigned char *bytes; /* KEY_BYTES, sodium_malloc'd; NULL when unset */
	char id[KEY_ID_LEN + 1];
};

/*
 * Two flocks keep processes apart. The data directory itself is the state
 * lock: held exclusively while a vault loads, creates or recovers the key
 * files, and for a whole rotation. master.key.lock is the use lock: every
 * vault on a key file holds it shared for its life, and rotation needs it
 * exclusively, because a running process keeps the old key in memory and
 * would go on sealing with it.
 */
struct sfb_vault {
	struct key key;  /* seals, and opens what it sealed */
	struct key prev; /* opens only: set while a rotation is under way */
	char *dir;       /* NULL with SFBRIDGE_MASTER_KEY */
	int dir_fd;  /* the state lock, and for fsync; -1 with the env key */
	int lock_fd; /* the use lock; -1 with the env key */
	bool from_env;
};

/* Counts of sealed values by the key that sealed them. */
struct census {
	long long key, next, other;
};

static int key_alloc(struct key *k, struct base_err *err)
{
	k->bytes = sodium_malloc(KEY_BYTES);
	if (!k->bytes)
		return base_err_set(err, BASE_ENOMEM, "allocate key memory");
	return 0;
}

/* Computes the id and makes the bytes read-only: a loaded key never changes. */
static void key_seal_up(struct key *k)
{
	unsigned char h[crypto_generichash_BYTES];

	crypto_generichash(h, sizeof(h), k->bytes, KEY_BYTES, NULL, 0);
	sodium_bin2hex(k->id, sizeof(k->id), h, KEY_ID_LEN / 2);
	(void)sodium_mprotect_readonly(k->bytes);
}

static int key_generate(struct key *k, struct base_err *err)
{
	int rc = key_alloc(k, err);

	if (rc < 0)
		return rc;
	randombytes_buf(k->bytes, KEY_BYTES);
	key_seal_up(k);
	return 0;
}

/* sodium_free wipes (and unlocks) the memory before it unmaps it. */
static void key_free(struct key *k)
{
	sodium_free(k->bytes);
	k->bytes = NULL;
	k->id[0] = '\0';
}

/*
 * Decodes the base64 text of a key. On EINVAL *decoded is the length it
 * decoded to, or -1 when it isn't base64 at all. Sets no message: the
 * caller knows where the text came from.
 */
static int key_decode(struct key *k, const char *text, size_t n, long *decoded)
{
	struct base_buf raw = BASE_BUF_SECRET_INIT(1024);
	int rc = base_b64_decode(&raw, text, n, NULL);

	*decoded = rc == 0 ? (long)raw.len : -1;
	if (rc == 0 && raw.len != KEY_BYTES)
		rc = BASE_EINVAL;
	if (rc == 0)
		rc = key_alloc(k, NULL);
	if (rc == 0) {
		memcpy(k->bytes, raw.data, KEY_BYTES);
		key_seal_up(k);
	}
	base_buf_release(&raw);
	return rc < 0 ? BASE_EINVAL : 0;
}

/* A sealed value's key id, or false when it has no "v1:<8 hex>:" header. */
static bool parse_header(const char *sealed, char id[KEY_ID_LEN + 1])
{
	if (strncmp(sealed, "v1:", 3) != 0)
		return false;
	for (int i = 0; i < KEY_ID_LEN; i++) {
		char c = sealed[3 + i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
		id[i] = c;
	}
	id[KEY_ID_LEN] = '\0';
	return sealed[HEADER_LEN - 1] == ':';
}

static int check_workspace(const char *ws, struct base_err *err)
{
	if (!sfb_workspace_is_valid(ws))
		return base_err_set(err, BASE_EINVAL,
				    "not a workspace id: want 1 to 64 "
				    "characters of a-z, 0-9 and '-'");
	return 0;
}

static int seal_with(const struct key *k, const char *ws, const void *plain,
		     size_t n, char **out, struct base_err *err)
{
	struct base_buf text = BASE_BUF_INIT(
		HEADER_LEN + 4 * ((NONCE_BYTES + n + TAG_BYTES) / 3 + 1));
	unsigned char *box = NULL; /* nonce || ciphertext (not secret) */
	unsigned long long clen;
	int rc;

	*out = NULL;
	rc = check_workspace(ws, err);
	if (rc < 0)
		goto out;
	if (n > SFB_VAULT_PLAIN_MAX) {
		rc = base_err_set(err, BASE_ETOOBIG,
				  "seal: %zu bytes, over the limit of %d", n,
				  SFB_VAULT_PLAIN_MAX);
		goto out;
	}
	box = malloc(NONCE_BYTES + n + TAG_BYTES);
	if (!box) {
		rc = base_err_set(err, BASE_ENOMEM, "seal");
		goto out;
	}
	randombytes_buf(box, NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(
		box + NONCE_BYTES, &clen, plain, n, (const unsigned char *)ws,
		strlen(ws), NULL, box, k->bytes);
	(void)base_buf_printf(&text, "v1:%s:", k->id);
	(void)base_b64_encode(&text, box, NONCE_BYTES + (size_t)clen);
	if (base_buf_err(&text)) {
		rc = base_err_set(err, base_buf_err(&text), "seal");
		goto out;
	}
	*out = base_buf_detach(&text, NULL);
	rc = 0;
out:
	free(box);
	base_buf_release(&text);
	return rc;
}

static const struct key *find_key(const struct sfb_vault *v, const char *id)
{
	if (v->key.bytes && !strcmp(v->key.id, id))
		return &v->key;
	if (v->prev.bytes && !strcmp(v->prev.id, id))
		return &v->prev;
	return NULL;
}

int sfb_vault_seal(const struct sfb_vault *v, const char *workspace,
		   const void *plain, size_t n, char **out,
		   struct base_err *err)
{
	return seal_with(&v->key, workspace, plain, n, out, err);
}

int sfb_vault_open_value(const struct sfb_vault *v, const char *workspace,
			 const char *sealed, struct base_buf *out,
			 struct base_err *err)
{
	struct base_buf box =
		BASE_BUF_INIT(NONCE_BYTES + SFB_VAULT_PLAIN_MAX + TAG_BYTES);
	unsigned char *plain = NULL;
	unsigned long long n;
	const struct key *k;
	char id[KEY_ID_LEN + 1];
	size_t len;
	int rc;

	assert(out->secret); /* plaintext only ever goes into secret buffers */
	rc = check_workspace(workspace, err);
	if (rc < 0)
		goto out;
	if (!parse_header(sealed, id)) {
		rc = base_err_set(err, BASE_EPROTO,
				  "sealed value: damaged (no 'v1:<key id>:' "
				  "header)");
		goto out;
	}
	k = find_key(v, id);
	if (!k && v->prev.bytes) {
		rc = base_err_set(err, BASE_EAUTH,
				  "sealed with key %s; this vault's keys are "
				  "%s and %s",
				  id, v->key.id, v->prev.id);
		goto out;
	}
	if (!k) {
		rc = base_err_set(err, BASE_EAUTH,
				  "sealed with key %s; this vault's key is %s",
				  id, v->key.id);
		goto out;
	}
	len = strlen(sealed + HEADER_LEN);
	rc = base_b64_decode(&box, sealed + HEADER_LEN, len, NULL);
	if (rc == BASE_ETOOBIG) {
		rc = base_err_set(err, BASE_ETOOBIG,
				  "sealed value: over the limit of %d bytes",
				  SFB_VAULT_PLAIN_MAX);
		goto out;
	}
	if (rc < 0 || box.len < NONCE_BYTES + TAG_BYTES) {
		rc = base_err_set(err,
				  rc == BASE_ENOMEM ? BASE_ENOMEM : BASE_EPROTO,
				  "sealed value under key %s: damaged (%s)",
				  k->id, rc < 0 ? "not base64" : "too short");
		goto out;
	}
	/* +1: sodium_malloc(0) is allowed, but keep the arithmetic plain. */
	plain = sodium_malloc(box.len - NONCE_BYTES - TAG_BYTES + 1);
	if (!plain) {
		rc = base_err_set(err, BASE_ENOMEM, "open sealed value");
		goto out;
	}
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    plain, &n, NULL,
		    (const unsigned char *)box.data + NONCE_BYTES,
		    box.len - NONCE_BYTES, (const unsigned char *)workspace,
		    strlen(workspace), (const unsigned char *)box.data,
		    k->bytes) != 0) {
		rc = base_err_set(err, BASE_EPROTO,
				  "sealed value under key %s does not open in "
				  "workspace '%s': damaged, or sealed for "
				  "another workspace",
				  k->id, workspace);
		goto out;
	}
	rc = base_buf_append(out, plain, (size_t)n);
	if (rc < 0)
		base_err_set(err, rc, "open sealed value: %zu bytes",
			     (size_t)n);
out:
	sodium_free(plain);
	base_buf_release(&box);
	return rc;
}

const char *sfb_vault_key_id(const struct sfb_vault *v)
{
	return v->key.id;
}

/* ---- key files ---------------------------------------------------------- */

static int sync_dir(struct sfb_vault *v, struct base_err *err)
{
	if (fsync(v->dir_fd) != 0)
		return base_err_set_errno(err, BASE_ERR, "fsync data dir '%s'",
					  v->dir);
	return 0;
}

static bool file_exists(struct sfb_vault *v, const char *name)
{
	struct stat st;

	return fstatat(v->dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Reads DATA/<name> into k; BASE_ENOTFOUND when there is no such file. */
static int read_key_file(struct sfb_vault *v, const char *name, struct key *k,
			 struct base_err *err)
{
	char text[KEY_TEXT_MAX + 1];
	struct stat st;
	ssize_t got;
	size_t n = 0;
	long decoded;
	int fd, rc;

	fd = openat(v->dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return base_err_set(err, BASE_ENOTFOUND,
					    "key file '%s/%s': not found",
					    v->dir, name);
		return base_err_set_errno(err, BASE_ERR, "key file '%s/%s'",
					  v->dir, name);
	}
	if (fstat(fd, &st) != 0) {
		rc = base_err_set_errno(err, BASE_ERR, "key file '%s/%s'",
					v->dir, name);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = base_err_set(err, BASE_EINVAL,
				  "key file '%s/%s': not a regular file",
				  v->dir, name);
		goto out;
	}
	if (st.st_mode & 077) {
		rc = base_err_set(err, BASE_EINVAL,
				  "key file '%s/%s' has mode %04o: group and "
				  "others must have no access (chmod 600 it)",
				  v->dir, name, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	while (n < sizeof(text) &&
	       (got = read(fd, text + n, sizeof(text) - n)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = base_err_set_errno(err, BASE_ERR,
						"read key file '%s/%s'", v->dir,
						name);
			goto out;
		}
		n += (size_t)got;
	}
	if (n > 0 && text[n - 1] == '\n')
		n--;
	rc = n < sizeof(text) - 1 ? key_decode(k, text, n, &decoded)
				  : BASE_EINVAL;
	if (rc < 0)
		rc = base_err_set(err, BASE_EINVAL,
				  "key file '%s/%s' is malformed: want the "
				  "base64 of 32 bytes on one line",
				  v->dir, name);
out:
	sodium_memzero(text, sizeof(text));
	close(fd);
	return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * link(2) fails if `to` exists. On a file system without hard links, a
 * checked rename does the same, since the state lock keeps other vaults out.
 */
static int link_no_replace(struct sfb_vault *v, const char *from,
			   const char *to)
{
	if (linkat(v->dir_fd, from, v->dir_fd, to, 0) == 0)
		return 0;
	if (errno != EPERM && errno != EOPNOTSUPP && errno != ENOSYS)
		return -1;
	if (file_exists(v, to)) {
		errno = EEXIST;
		return -1;
	}
	return renameat(v->dir_fd, from, v->dir_fd, to);
}

/*
 * Writes k to DATA/<name>, which must not exist, so that the file is either
 * absent or complete: the text goes to <name>.tmp (O_EXCL, 0600, fsync'ed),
 * which is then hard-linked to <name> (fails if it exists) and removed; the
 * directory is fsync'ed last. Runs under the state lock.
 */
static int install_key_file(struct sfb_vault *v, const char *name,
			    const struct key *k, struct base_err *err)
{
	struct base_buf text = BASE_BUF_SECRET_INIT(KEY_TEXT_MAX);
	char tmp[64];
	int fd = -1, rc;

	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	(void)base_b64_encode(&text, k->bytes, KEY_BYTES);
	(void)base_buf_putc(&text, '\n');
	if (base_buf_err(&text)) {
		rc = base_err_set(err, base_buf_err(&text), "encode key");
		goto out;
	}
	/* A crash can leave a stale .tmp; no one else writes it now. */
	(void)unlinkat(v->dir_fd, tmp, 0);
	fd = openat(v->dir_fd, tmp,
		    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		rc = base_err_set_errno(err, BASE_ERR,
					"create key file '%s/%s'", v->dir, tmp);
		goto out;
	}
	if (write_all(fd, text.data, text.len) != 0 || fsync(fd) != 0) {
		rc = base_err_set_errno(err, BASE_ERR, "write key file '%s/%s'",
					v->dir, tmp);
		goto out;
	}
	if (link_no_replace(v, tmp, name) != 0) {
		rc = base_err_set_errno(
			err, BASE_ERR, "create key file '%s/%s'", v->dir, name);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0) {
		close(fd);
		(void)unlinkat(v->dir_fd, tmp, 0);
	}
	if (rc == 0)
		rc = sync_dir(v, err);
	base_buf_release(&text);
	return rc;
}

/* ---- the store's sealed values ------------------------------------------ */

/* A failed read of a sealed column: "read TABLE.COLUMN: <sqlite message>". */
static int read_failed(sqlite3 *db, const struct sfb_store_sealed_column *col,
		       struct base_err *err)
{
	return base_err_set(err, BASE_ERR, "read %s.%s: %s", col->table,
			    col->column, sqlite3_errmsg(db));
}

/* Prepares `sql`, a read of the sealed column col; caller finalizes *st. */
static int prepare_read(sqlite3 *db, const struct sfb_store_sealed_column *col,
			const char *sql, sqlite3_stmt **st,
			struct base_err *err)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		return read_failed(db, col, err);
	return 0;
}

/* Counts the store's sealed values by key: v->key, `next`, or another. */
static int take_census(struct sfb_store *s, const char *key_id,
		       const char *next_id, struct census *c,
		       struct base_err *err)
{
	sqlite3 *db = sfb_store_db(s);
	const struct sfb_store_sealed_column *col;
	size_t ncol;
	int rc = 0;

	*c = (struct census){0};
	col = sfb_store_sealed_columns(&ncol);
	for (size_t i = 0; i < ncol && rc == 0; i++) {
		sqlite3_stmt *st = NULL;
		char sql[256], id[KEY_ID_LEN + 1];
		int step;

		/* Names come from a static table, never from input. */
		snprintf(sql, sizeof(sql),
			 "SELECT substr(\"%s\", 1, %d) FROM \"%s\" "
			 "WHERE \"%s\" IS NOT NULL",
			 col[i].column, HEADER_LEN, col[i].table,
			 col[i].column);
		rc = prepare_read(db, &col[i], sql, &st, err);
		if (rc < 0)
			break;
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			const char *h =
				(const char *)sqlite3_column_text(st, 0);

			if (h && parse_header(h, id) && !strcmp(id, key_id))
				c->key++;
			else if (h && parse_header(h, id) &&
				 !strcmp(id, next_id))
				c->next++;
			else
				c->other++;
		}
		if (step != SQLITE_DONE)
			rc = read_failed(db, &col[i], err);
		sqlite3_finalize(st);
	}
	return rc;
}

/* Re-seals one row's value under v->key; *done counts it. */
static int reseal_row(struct sfb_vault *v, sqlite3 *db,
		      const struct sfb_store_sealed_column *col,
		      long long rowid, const char *ws, const char *sealed,
		      long long *done, struct base_err *err)
{
	struct base_buf plain = BASE_BUF_SECRET_INIT(SFB_VAULT_PLAIN_MAX);
	sqlite3_stmt *st = NULL;
	char *again = NULL;
	char id[KEY_ID_LEN + 1], sql[256];
	int rc;

	if (parse_header(sealed, id) && !strcmp(id, v->key.id))
		return 0; /* already under the new key */
	rc = sfb_vault_open_value(v, ws ? ws : "", sealed, &plain, err);
	if (rc == 0)
		rc = seal_with(&v->key, ws, plain.data, plain.len, &again, err);
	if (rc < 0)
		goto out;
	snprintf(sql, sizeof(sql),
		 "UPDATE \"%s\" SET \"%s\" = ? WHERE rowid = ?", col->table,
		 col->column);
	if (base_db_prepare(db, &st, NULL, sql, "si", again, rowid) != 0 ||
	    sqlite3_step(st) != SQLITE_DONE) {
		rc = base_err_set(err, BASE_ERR, "%s", sqlite3_errmsg(db));
		goto out;
	}
	(*done)++;
out:
	if (rc < 0)
		base_err_wrap(err, "%s row %lld column %s", col->table, rowid,
			      col->column);
	sqlite3_finalize(st);
	free(again);
	base_buf_release(&plain);
	return rc;
}

/*
 * Re-seals every sealed value not under v->key (opening it with v->key or
 * v->prev) inside the caller's transaction. One row per step, walking up by
 * rowid, so no statement reads a table while it is being changed.
 */
static int reseal_all(struct sfb_vault *v, struct sfb_store *s, long long *done,
		      struct base_err *err)
{
	sqlite3 *db = sfb_store_db(s);
	const struct sfb_store_sealed_column *col;
	size_t ncol;
	int rc = 0;

	*done = 0;
	col = sfb_store_sealed_columns(&ncol);
	for (size_t i = 0; i < ncol && rc == 0; i++) {
		sqlite3_stmt *st = NULL;
		long long last = -1;
		char sql[256];

		snprintf(sql, sizeof(sql),
			 "SELECT rowid, workspace_id, \"%s\" FROM \"%s\" "
			 "WHERE rowid > ? AND \"%s\" IS NOT NULL "
			 "ORDER BY rowid LIMIT 1",
			 col[i].column, col[i].table, col[i].column);
		rc = prepare_read(db, &col[i], sql, &st, err);
		if (rc < 0)
			break;
		for (;;) {
			int step;

			sqlite3_reset(st);
			sqlite3_bind_int64(st, 1, last);
			step = sqlite3_step(st);
			if (step == SQLITE_DONE)
				break;
			if (step != SQLITE_ROW) {
				rc = read_failed(db, &col[i], err);
				break;
			}
			last = sqlite3_column_int64(st, 0);
			rc = reseal_row(
				v, db, &col[i], last,
				(const char *)sqlite3_column_text(st, 1),
				base_db_text(st, 2), done,
				err);
			if (rc < 0)
				break;
		}
		sqlite3_finalize(st);
	}
	return rc;
}

/* ---- opening: load, create, recover ------------------------------------- */

/*
 * master.key.next exists: a rotation stopped before its rename. Whichever
 * key the store's values are under decides (see vault.h). Runs under the
 * state lock; takes ownership of *next.
 */
static int recover(struct sfb_vault *v, struct key *next, struct base_err *err)
{
	struct sfb_store *s = NULL;
	struct census c = {0};
	long long done = 0;
	bool have_store;
	int rc = sfb_store_exists(v->dir, &have_store, err);

	if (rc < 0)
		goto out;
	if (have_store) {
		rc = sfb_store_open(v->dir, &s, err);
		if (rc == 0)
			rc = take_census(s, v->key.id, next->id, &c, err);
		if (rc < 0)
			goto out;
	}
	if (c.next == 0 && c.key > 0) {
		/* The re-seal never committed: the old key stays. */
		if (unlinkat(v->dir_fd, NEXT_FILE, 0) != 0) {
			rc = base_err_set_errno(err, BASE_ERR, "remove '%s/%s'",
						v->dir, NEXT_FILE);
			goto out;
		}
		rc = sync_dir(v, err);
		if (rc == 0)
			base_warn("vault: undid an interrupted key rotation in "
				  "'%s': the key stays %s",
				  v->dir, v->key.id);
		goto out;
	}
	/* Committed (or nothing to re-seal): finish it, re-sealing any rest. */
	v->prev = v->key;
	v->key = *next;
	*next = (struct key){0};
	if (c.key > 0) {
		rc = sfb_store_begin(s, err);
		if (rc == 0)
			rc = reseal_all(v, s, &done, err);
		if (rc == 0)
			rc = sfb_store_commit(s, err);
		if (rc < 0) {
			sfb_store_rollback(s);
			goto out;
		}
	}
	if (renameat(v->dir_fd, NEXT_FILE, v->dir_fd, KEY_FILE) != 0) {
		rc = base_err_set_errno(err, BASE_ERR, "rename '%s/%s'", v->dir,
					NEXT_FILE);
		goto out;
	}
	rc = sync_dir(v, err);
	if (rc < 0)
		goto out;
	key_free(&v->prev);
	base_warn("vault: finished an interrupted key rotation in '%s': the "
		  "key is now %s",
		  v->dir, v->key.id);
out:
	key_free(next);
	sfb_store_close(s);
	if (rc < 0)
		base_err_wrap(err,
			      "finish the interrupted key rotation in '%s'",
			      v->dir);
	return rc;
}

/* No key file: make one, unless the store already holds sealed values. */
static int create_key(struct sfb_vault *v, struct base_err *err)
{
	struct sfb_store *s = NULL;
	struct census c = {0};
	bool have_store;
	int rc;

	if (file_exists(v, NEXT_FILE))
		return base_err_set(err, BASE_ERR,
				    "key file '%s/%s' is missing but '%s' "
				    "exists: restore '%s' from a backup",
				    v->dir, KEY_FILE, NEXT_FILE, KEY_FILE);
	rc = sfb_store_exists(v->dir, &have_store, err);
	if (rc < 0)
		return rc;
	if (have_store) {
		rc = sfb_store_open(v->dir, &s, err);
		if (rc == 0)
			rc = take_census(s, "", "", &c, err);
		sfb_store_close(s);
		if (rc < 0)
			return rc;
	}
	if (c.other > 0)
		return base_err_set(
			err, BASE_ERR,
			"key file '%s/%s' is missing, and the store "
			"holds %lld sealed values that a new key "
			"could not open: restore the key file from "
			"a backup",
			v->dir, KEY_FILE, c.other);
	rc = key_generate(&v->key, err);
	if (rc == 0)
		rc = install_key_file(v, KEY_FILE, &v->key, err);
	if (rc == 0)
		base_info("vault: created master key %s in '%s/%s': back it up",
			  v->key.id, v->dir, KEY_FILE);
	return rc;
}

static int load_key_file(struct sfb_vault *v, struct base_err *err)
{
	struct key next = {0};
	int rc;

	(void)unlinkat(v->dir_fd, KEY_FILE ".tmp", 0);
	(void)unlinkat(v->dir_fd, NEXT_FILE ".tmp", 0);
	rc = read_key_file(v, KEY_FILE, &v->key, err);
	if (rc == BASE_ENOTFOUND)
		return create_key(v, err);
	if (rc < 0)
		return rc;
	rc = read_key_file(v, NEXT_FILE, &next, err);
	if (rc == BASE_ENOTFOUND)
		return 0;
	if (rc < 0)
		return base_err_wrap(err, "interrupted key rotation");
	return recover(v, &next, err);
}

static int load_env_key(struct sfb_vault *v, const char *text,
			struct base_err *err)
{
	long decoded;

	v->from_env = true;
	if (key_decode(&v->key, text, strlen(text), &decoded) == 0)
		return 0;
	if (decoded >= 0)
		return base_err_set(err, BASE_EINVAL,
				    ENV_KEY
				    ": want the base64 of exactly 32 "
				    "bytes, it decodes to %ld (make one with "
				    "'openssl rand -base64 32')",
				    decoded);
	return base_err_set(
		err, BASE_EINVAL,
		ENV_KEY ": not base64; want the base64 of exactly "
			"32 bytes (make one with 'openssl rand -base64 32')");
}

int sfb_vault_open(const char *data_dir, struct sfb_vault **out,
		   struct base_err *err)
{
	struct sfb_vault *v = NULL;
	const char *env = getenv(ENV_KEY);
	int rc;

	*out = NULL;
	if (sodium_init() < 0)
		return base_err_set(err, BASE_ERR,
				    "open vault: libsodium "
				    "failed to initialise");
	v = calloc(1, sizeof(*v));
	if (!v)
		return base_err_set(err, BASE_ENOMEM, "open vault");
	v->dir_fd = v->lock_fd = -1;
	if (env && *env) {
		rc = load_env_key(v, env, err);
		goto out;
	}
	v->dir = strdup(data_dir);
	if (!v->dir) {
		rc = base_err_set(err, BASE_ENOMEM, "open vault");
		goto out;
	}
	rc = sfb_store_make_dir(data_dir, err);
	if (rc < 0)
		goto out;
	v->dir_fd = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (v->dir_fd < 0) {
		rc = base_err_set_errno(err, BASE_ERR, "data dir '%s'",
					data_dir);
		goto out;
	}
	v->lock_fd = openat(v->dir_fd, LOCK_FILE,
			    O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (v->lock_fd < 0 || flock(v->dir_fd, LOCK_EX) != 0 ||
	    flock(v->lock_fd, LOCK_SH) != 0) {
		rc = base_err_set_errno(err, BASE_ERR, "lock '%s/%s'", v->dir,
					LOCK_FILE);
		goto out;
	}
	rc = load_key_file(v, err);
	(void)flock(v->dir_fd, LOCK_UN);
out:
	if (rc < 0) {
		base_err_wrap(err, "open vault");
		sfb_vault_free(v);
		return rc;
	}
	*out = v;
	return 0;
}

void sfb_vault_free(struct sfb_vault *v)
{
	if (!v)
		return;
	key_free(&v->key);
	key_free(&v->prev);
	if (v->lock_fd >= 0)
		close(v->lock_fd); /* releases the locks */
	if (v->dir_fd >= 0)
		close(v->dir_fd);
	free(v->dir);
	free(v);
}

/* ---- rotation ----------------------------------------------------------- */

static int rotate(struct sfb_vault *v, struct sfb_store *s,
		  const char *data_dir, int crash_at,
		  struct sfb_vault_rotation *out, struct base_err *err)
{
	struct key old = {0}, fresh = {0};
	long long done = 0;
	bool locked = false, next_written = false, committed = false;
	int rc;

	*out = (struct sfb_vault_rotation){0};
	if (v->from_env) {
		base_err_set(err, BASE_EINVAL,
			     ENV_KEY " is set: sfbridge does not rotate a key "
				     "it does not own");
		return base_err_wrap(err, "rotate key");
	}
	if (strcmp(data_dir, v->dir) != 0) {
		base_err_set(err, BASE_EINVAL,
			     "the vault was opened on '%s', not '%s'", v->dir,
			     data_dir);
		return base_err_wrap(err, "rotate key");
	}
	assert(!v->prev.bytes); /* open finished any earlier rotation */
	if (flock(v->dir_fd, LOCK_EX) != 0) {
		base_err_set_errno(err, BASE_ERR, "lock '%s'", v->dir);
		return base_err_wrap(err, "rotate key");
	}
	/* Converting shared to exclusive drops the shared lock first. */
	if (flock(v->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		rc = errno == EWOULDBLOCK
			     ? base_err_set(err, BASE_ERR,
					    "the key in '%s' is in use by "
					    "another sfbridge process or "
					    "vault: stop it, then rotate",
					    v->dir)
			     : base_err_set_errno(err, BASE_ERR, "lock '%s/%s'",
						  v->dir, LOCK_FILE);
		goto out;
	}
	locked = true;
	if (file_exists(v, NEXT_FILE)) {
		rc = base_err_set(err, BASE_ERR,
				  "'%s/%s' exists: another rotation is "
				  "unfinished",
				  v->dir, NEXT_FILE);
		goto out;
	}
	do {
		key_free(&fresh);
		rc = key_generate(&fresh, err);
	} while (rc == 0 && !strcmp(fresh.id, v->key.id));
	if (rc < 0)
		goto out;
	snprintf(out->old_key_id, sizeof(out->old_key_id), "%s", v->key.id);
	snprintf(out->new_key_id, sizeof(out->new_key_id), "%s", fresh.id);

	/* 1. The new key is on disk before any value depends on it. */
	rc = install_key_file(v, NEXT_FILE, &fresh, err);
	if (rc < 0)
		goto out;
	next_written = true;
	if (crash_at == SFB_VAULT__CRASH_AFTER_NEXT)
		goto crash;

	/* 2. Seal with the new key, open with either. */
	old = v->key;
	v->key = fresh;
	v->prev = old;
	fresh = (struct key){0};
	rc = sfb_store_begin(s, err);
	if (rc == 0)
		rc = reseal_all(v, s, &done, err);
	if (rc < 0)
		goto out;
	if (crash_at == SFB_VAULT__CRASH_BEFORE_COMMIT)
		goto crash;

	/* 3. From here on the values need the new key. */
	rc = sfb_store_commit(s, err);
	if (rc < 0)
		goto out;
	committed = true;
	if (crash_at == SFB_VAULT__CRASH_AFTER_COMMIT)
		goto crash;

	/* 4. */
	if (renameat(v->dir_fd, NEXT_FILE, v->dir_fd, KEY_FILE) != 0) {
		rc = base_err_set_errno(err, BASE_ERR,
					"re-sealed %lld values under key %s, "
					"but rename '%s/%s' failed (the next "
					"start finishes the rotation)",
					done, v->key.id, v->dir, NEXT_FILE);
		goto out;
	}
	rc = sync_dir(v, err);
	if (rc < 0)
		goto out;
	key_free(&v->prev);
	out->resealed = done;
out:
	if (rc < 0 && !committed) {
		/* Nothing depends on the new key: forget it. */
		sfb_store_rollback(s);
		if (v->prev.bytes) {
			key_free(&v->key);
			v->key = v->prev;
			v->prev = (struct key){0};
		}
		if (next_written) {
			(void)unlinkat(v->dir_fd, NEXT_FILE, 0);
			(void)fsync(v->dir_fd);
		}
	}
	/* After a commit v keeps both keys (if the rename failed), so it
	 * still opens every value. */
	key_free(&fresh);
	if (locked)
		(void)flock(v->lock_fd, LOCK_SH);
	(void)flock(v->dir_fd, LOCK_UN);
	if (rc < 0) {
		*out = (struct sfb_vault_rotation){0};
		base_err_wrap(err, "rotate key");
	}
	return rc;
crash:
	/* As a killed process: the transaction is lost, the locks go. */
	sfb_store_rollback(s);
	key_free(&fresh);
	(void)flock(v->lock_fd, LOCK_UN);
	(void)flock(v->dir_fd, LOCK_UN);
	*out = (struct sfb_vault_rotation){0};
	return base_err_set(err, BASE_ERR, "simulated crash");
}

int sfb_vault_rotate_report(struct sfb_vault *v, struct sfb_store *s,
			    const char *data_dir,
			    struct sfb_vault_rotation *out,
			    struct base_err *err)
{
	return rotate(v, s, data_dir, 0, out, err);
}

int sfb_vault_rotate(struct sfb_vault *v, struct sfb_store *s,
		     const char *data_dir, struct base_err *err)
{
	struct sfb_vault_rotation r;

	return rotate(v, s, data_dir, 0, &r, err);
}

int sfb_vault__rotate_crash(struct sfb_vault *v, struct sfb_store *s,
			    const char *data_dir, enum sfb_vault__crash at,
			    struct base_err *err)
{
	struct sfb_vault_rotation r;

	return rotate(v, s, data_dir, (int)at, &r, err);
}
