/* test_vault.c - sealing, the master key (env, file, modes), rotation and its crash recovery. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/b64.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "bridge/creds/vault.h"
#include "bridge/store/store.h"
#include "tmpdir.h"
#include "base/banned.h"

/* The key 00 01 02 .. 1f, as SFBRIDGE_MASTER_KEY. */
#define ENV_KEY_B64 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

struct fixture {
	char tmp[PATH_MAX];  /* removed at teardown */
	char data[PATH_MAX]; /* tmp/data */
	char key[PATH_MAX + 16];
	char next[PATH_MAX + 16];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	if (test_tmpdir_make(f->tmp, sizeof(f->tmp), "test_vault") != 0) {
		free(f);
		return -1;
	}
	snprintf(f->data, sizeof(f->data), "%s/data", f->tmp);
	snprintf(f->key, sizeof(f->key), "%s/master.key", f->data);
	snprintf(f->next, sizeof(f->next), "%s/master.key.next", f->data);
	unsetenv("SFBRIDGE_MASTER_KEY");
	unsetenv("SFBRIDGE_WORKSPACE");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unsetenv("SFBRIDGE_MASTER_KEY");
	test_tmpdir_remove(f->tmp);
	free(f);
	return 0;
}

static struct sfb_vault *vault_ok(const char *dir)
{
	struct base_err err = BASE_ERR_INIT;
	struct sfb_vault *v = NULL;

	if (sfb_vault_open(dir, &v, &err) != 0)
		fail_msg("sfb_vault_open('%s'): %s", dir, err.msg);
	assert_non_null(v);
	return v;
}

static struct sfb_store *store_ok(const char *dir)
{
	struct base_err err = BASE_ERR_INIT;
	struct sfb_store *s = NULL;

	if (sfb_store_open(dir, &s, &err) != 0)
		fail_msg("sfb_store_open('%s'): %s", dir, err.msg);
	return s;
}

static char *seal_ok(const struct sfb_vault *v, const char *ws, const char *p)
{
	struct base_err err = BASE_ERR_INIT;
	char *out = NULL;

	if (sfb_vault_seal(v, ws, p, strlen(p), &out, &err) != 0)
		fail_msg("seal: %s", err.msg);
	return out;
}

/* Opens a sealed value and checks it equals `want`. */
static void check_opens(const struct sfb_vault *v, const char *ws,
			const char *sealed, const char *want)
{
	struct base_buf out = BASE_BUF_SECRET_INIT(4096);
	struct base_err err = BASE_ERR_INIT;

	if (sfb_vault_open_value(v, ws, sealed, &out, &err) != 0)
		fail_msg("open: %s", err.msg);
	assert_int_equal(out.len, strlen(want));
	assert_memory_equal(out.data, want, out.len);
	base_buf_release(&out);
}

/* Opening fails with `code` and exactly `msg`, and writes nothing. */
static void check_refused(const struct sfb_vault *v, const char *ws,
			  const char *sealed, int code, const char *msg)
{
	struct base_buf out = BASE_BUF_SECRET_INIT(4096);
	struct base_err err = BASE_ERR_INIT;

	assert_int_equal(sfb_vault_open_value(v, ws, sealed, &out, &err), code);
	assert_int_equal(err.code, code);
	assert_string_equal(err.msg, msg);
	assert_int_equal(out.len, 0);
	base_buf_release(&out);
}

static char *slurp(const char *path)
{
	char *buf = calloc(1, 4096);
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_non_null(buf);
	assert_true(fd >= 0);
	n = read(fd, buf, 4095);
	assert_true(n >= 0);
	close(fd);
	return buf;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Opening the vault in dir fails with `code` and exactly `msg`. */
static void check_open_refused(const char *dir, int code, const char *msg)
{
	struct base_err err = BASE_ERR_INIT;
	struct sfb_vault *v = (struct sfb_vault *)1;

	assert_int_equal(sfb_vault_open(dir, &v, &err), code);
	assert_null(v);
	assert_string_equal(err.msg, msg);
}

/* The key file still holds `before`, and no next key was left behind. */
static void check_key_unchanged(const struct fixture *f, const char *before)
{
	char *now = slurp(f->key);

	assert_string_equal(now, before);
	assert_false(exists(f->next));
	free(now);
}

/* ---- the credentials table as the creds module fills it ----------------- */

static const char *const ws_of[] = {"default", "acme-eu", "default"};
static const char *const password_of[] = {"Int-Pass-1", "p\xc3\xa4ss w0rd",
					  "third"};
static const char *const token_of[] = {"AbCdEfGhIjKlMnOpQrStUvWx", NULL,
				       "tok3"};

/* Rows 1..3 (two workspaces); row 2 has no token. */
static void put_credentials(const struct sfb_vault *v, struct sfb_store *s)
{
	for (int i = 0; i < 3; i++) {
		char *pw = seal_ok(v, ws_of[i], password_of[i]);
		char *tok =
			token_of[i] ? seal_ok(v, ws_of[i], token_of[i]) : NULL;
		sqlite3_stmt *st = NULL;

		assert_int_equal(
			sqlite3_prepare_v2(sfb_store_db(s),
					   "INSERT INTO credentials (id, "
					   "workspace_id, status, username, "
					   "password_sealed, token_sealed) "
					   "VALUES (?, ?, ?, 'int@x', ?, ?)",
					   -1, &st, NULL),
			SQLITE_OK);
		sqlite3_bind_int(st, 1, i + 1);
		sqlite3_bind_text(st, 2, ws_of[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, i == 1 ? "active" : "retired", -1,
				  SQLITE_STATIC);
		sqlite3_bind_text(st, 4, pw, -1, SQLITE_STATIC);
		if (tok)
			sqlite3_bind_text(st, 5, tok, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 5);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_finalize(st);
		free(pw);
		free(tok);
	}
}

/* Column `col` of credentials row `id` (caller frees), or NULL. */
static char *column(struct sfb_store *s, int id, const char *col)
{
	sqlite3_stmt *st = NULL;
	char sql[128];
	char *v = NULL;

	snprintf(sql, sizeof(sql), "SELECT %s FROM credentials WHERE id = %d",
		 col, id);
	assert_int_equal(
		sqlite3_prepare_v2(sfb_store_db(s), sql, -1, &st, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	if (sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

/* Every value opens with v, to what was stored, and is under key `id`. */
static void check_credentials(const struct sfb_vault *v, const char *dir,
			      const char *id)
{
	struct sfb_store *s = store_ok(dir);
	char prefix[16];

	snprintf(prefix, sizeof(prefix), "v1:%s:", id);
	for (int i = 0; i < 3; i++) {
		char *pw = column(s, i + 1, "password_sealed");
		char *tok = column(s, i + 1, "token_sealed");

		assert_non_null(pw);
		assert_memory_equal(pw, prefix, strlen(prefix));
		check_opens(v, ws_of[i], pw, password_of[i]);
		if (token_of[i]) {
			assert_non_null(tok);
			assert_memory_equal(tok, prefix, strlen(prefix));
			check_opens(v, ws_of[i], tok, token_of[i]);
		} else {
			assert_null(tok); /* NULL stays NULL */
		}
		free(pw);
		free(tok);
	}
	sfb_store_close(s);
}

/* ---- sealing ------------------------------------------------------------ */

static void test_vault__round_trip(void **state)
{
	struct fixture *f = *state;
	struct sfb_vault *v = vault_ok(f->data);
	static const char bin[] = {'a', 0, 'b', '\n', (char)0xff};
	struct base_buf out = BASE_BUF_SECRET_INIT(64);
	struct base_err err = BASE_ERR_INIT;
	char *sealed = NULL;

	sealed = seal_ok(v, "default", "Int-Pass-1");
	check_opens(v, "default", sealed, "Int-Pass-1");
	free(sealed);
	/* Binary (NUL bytes) and empty plaintexts too. */
	assert_int_equal(
		sfb_vault_seal(v, "default", bin, sizeof(bin), &sealed, &err),
		0);
	assert_int_equal(sfb_vault_open_value(v, "default", sealed, &out, &err),
			 0);
	assert_int_equal(out.len, sizeof(bin));
	assert_memory_equal(out.data, bin, sizeof(bin));
	free(sealed);
	assert_int_equal(sfb_vault_seal(v, "default", "", 0, &sealed, &err), 0);
	check_opens(v, "default", sealed, "");
	free(sealed);
	base_buf_release(&out);
	sfb_vault_free(v);
}

static void test_vault__sealed_text_names_its_key(void **state)
{
	struct fixture *f = *state;
	struct sfb_vault *v = vault_ok(f->data);
	struct base_buf raw = BASE_BUF_INIT(256);
	const char *id = sfb_vault_key_id(v);
	char *sealed = seal_ok(v, "default", "secret-1");

	assert_int_equal(strlen(id), 8);
	assert_int_equal(strspn(id, "0123456789abcdef"), 8);
	assert_memory_equal(sealed, "v1:", 3);
	assert_memory_equal(sealed + 3, id, 8);
	assert_int_equal(sealed[11], ':');
	assert_int_equal(
		base_b64_decode(&raw, sealed + 12, strlen(sealed + 12), NULL),
		0);
	assert_int_equal(raw.len, 24 + strlen("secret-1") + 16);
	assert_null(strstr(sealed, "secret-1"));
	base_buf_release(&raw);
	free(sealed);
	sfb_vault_free(v);
}

static void test_vault__nonce_differs_each_time(void **state)
{
	struct fixture *f = *state;
	struct sfb_vault *v = vault_ok(f->data);
	char *a = seal_ok(v, "default", "same secret");
	char *b = seal_ok(v, "default", "same secret");

	assert_string_not_equal(a, b);
	/* The first 24 bytes after the header are the nonce: 32 base64 chars.
	 */
	assert_true(memcmp(a + 12, b + 12, 32) != 0);
	check_opens(v, "default", a, "same secret");
	check_opens(v, "default", b, "same secret");
	free(a);
	free(b);
	sfb_vault_free(v);
}

static void test_vault__other_workspace_does_not_open(void **state)
{
	struct fixture *f = *state;
	struct sfb_vault *v = vault_ok(f->data);
	char *sealed = seal_ok(v, "acme-eu", "Int-Pass-1");
	char want[256];

	snprintf(want, sizeof(want),
		 "sealed value under key %s does not open in workspace "
		 "'acme-us': damaged, or sealed for another workspace",
		 sfb_vault_key_id(v));
	check_refused(v, "acme-us", sealed, BASE_EPROTO, want);
	free(sealed);
	sfb_vault_free(v);
}

static void test_vault__wrong_key_is_eauth_naming_both_keys(void **state)
{
	struct fixture *f = *state;
	char other[PATH_MAX + 8], want[128];
	struct sfb_vault *a, *b;
	char *sealed;

	snprintf(other, sizeof(other), "%s/other", f->tmp);
	a = vault_ok(f->data);
	b = vault_ok(other);
	assert_string_not_equal(sfb_vault_key_id(a), sfb_vault_key_id(b));
	sealed = seal_ok(a, "default", "Int-Pass-1");
	snprintf(want, sizeof(want),
		 "sealed with key %s; this vault's key is %s",
		 sfb_vault_key_id(a), sfb_vault_key_id(b));
	check_refused(b, "default", sealed, BASE_EAUTH, want);
	free(sealed);
	sfb_vault_free(a);
	sfb_vault_free(b);
}

static void test_vault__damaged_value_is_eproto_never_garbage(void **state)
{
	struct fixture *f = *state;
	struct sfb_vault *v = vault_ok(f->data);
	char *sealed = seal_ok(v, "default", "Int-Pass-1");
	size_t n = strlen(sealed);
	char want[128], *copy;

	/* One ciphertext character changed (stays valid base64). */
	copy = strdup(sealed);
	copy[n - 8] = copy[n - 8] == 'A' ? 'B' : 'A';
	snprintf(want, sizeof(want),
		 "sealed value under key %s does not open in workspace "
		 "'default': damaged, or sealed for another workspace",
		 sfb_vault_key_id(v));
	check_refused(v, "default", copy, BASE_EPROTO, want);
	/* Cut short. */
	copy[0] = '\0';
	strncat(copy, sealed, 12 + 40);
	snprintf(want, sizeof(want),
		 "sealed value under key %s: damaged (too short)",
		 sfb_vault_key_id(v));
	check_refused(v, "default", copy, BASE_EPROTO, want);
	/* Not base64. */
	copy[0] = '\0';
	strncat(copy, sealed, n);
	copy[20] = '*';
	snprintf(want, sizeof(want),
		 "sealed value under key %s: damaged (not base64)",
		 sfb_vault_key_id(v));
	check_refused(v, "default", copy, BASE_EPROTO, want);
	/* No header, an unknown version, a broken key id. */
	check_refused(v, "default", "Int-Pass-1", BASE_EPROTO,
		      "sealed value: damaged (no 'v1:<key id>:' header)");
	check_refused(v, "default", "v2:0011aabb:AAAA", BASE_EPROTO,
		      "sealed value: damaged (no 'v1:<key id>:' header)");
	check_refused(v, "default", "v1:0011AABB:AAAA", BASE_EPROTO,
		      "sealed value: damaged (no 'v1:<key id>:' header)");
	check_refused(v, "default", "v1:0011", BASE_EPROTO,
		      "sealed value: damaged (no 'v1:<key id>:' header)");
	check_refused(v, "default", "", BASE_EPROTO,
		      "sealed value: damaged (no 'v1:<key id>:' header)");
	free(copy);
	free(sealed);
	sfb_vault_free(v);
}

static void test_vault__workspace_must_be_valid(void **state)
{
	struct fixture *f = *state;
	struct sfb_vault *v = vault_ok(f->data);
	struct base_err err = BASE_ERR_INIT;
	char *sealed = (char *)"x";

	assert_int_equal(sfb_vault_seal(v, "Acme", "p", 1, &sealed, &err),
			 BASE_EINVAL);
	assert_null(sealed);
	assert_string_equal(err.msg, "not a workspace id: want 1 to 64 "
				     "characters of a-z, 0-9 and '-'");
	sfb_vault_free(v);
}

static void test_vault__oversized_plaintext_is_refused(void **state)
{
	struct fixture *f = *state;
	struct sfb_vault *v = vault_ok(f->data);
	struct base_err err = BASE_ERR_INIT;
	size_t n = SFB_VAULT_PLAIN_MAX + 1;
	char *big = calloc(1, n), *sealed = NULL;

	assert_non_null(big);
	assert_int_equal(sfb_vault_seal(v, "default", big, n, &sealed, &err),
			 BASE_ETOOBIG);
	assert_null(sealed);
	assert_string_equal(err.msg,
			    "seal: 1048577 bytes, over the limit of 1048576");
	/* The limit itself is fine. */
	assert_int_equal(
		sfb_vault_seal(v, "default", big, n - 1, &sealed, &err), 0);
	free(sealed);
	free(big);
	sfb_vault_free(v);
}

/* ---- the key ------------------------------------------------------------ */

static void test_vault__env_key_is_used_and_nothing_written(void **state)
{
	struct fixture *f = *state;
	unsigned char key[32], h[crypto_generichash_BYTES];
	char want[9];
	struct sfb_vault *v, *again;
	char *sealed;

	for (int i = 0; i < 32; i++)
		key[i] = (unsigned char)i;
	crypto_generichash(h, sizeof(h), key, sizeof(key), NULL, 0);
	sodium_bin2hex(want, sizeof(want), h, 4);
	setenv("SFBRIDGE_MASTER_KEY", ENV_KEY_B64, 1);
	v = vault_ok(f->data);
	assert_string_equal(sfb_vault_key_id(v), want);
	assert_false(exists(f->data)); /* no dir, no key file */
	sealed = seal_ok(v, "default", "Int-Pass-1");
	again = vault_ok(f->data);
	check_opens(again, "default", sealed, "Int-Pass-1");
	free(sealed);
	sfb_vault_free(v);
	sfb_vault_free(again);
}

static void check_env_key_refused(const char *dir, const char *value,
				  const char *msg)
{
	setenv("SFBRIDGE_MASTER_KEY", value, 1);
	check_open_refused(dir, BASE_EINVAL, msg);
}

static void test_vault__bad_env_key_is_refused_clearly(void **state)
{
	struct fixture *f = *state;

	/* 31 bytes, 33 bytes, not base64, a trailing newline. */
	check_env_key_refused(
		f->data, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==",
		"open vault: SFBRIDGE_MASTER_KEY: want the base64 of exactly "
		"32 bytes, it decodes to 31 (make one with 'openssl rand "
		"-base64 32')");
	check_env_key_refused(
		f->data, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g",
		"open vault: SFBRIDGE_MASTER_KEY: want the base64 of exactly "
		"32 bytes, it decodes to 33 (make one with 'openssl rand "
		"-base64 32')");
	check_env_key_refused(
		f->data, "correct horse battery staple",
		"open vault: SFBRIDGE_MASTER_KEY: not base64; want the base64 "
		"of exactly 32 bytes (make one with 'openssl rand -base64 "
		"32')");
	check_env_key_refused(
		f->data, ENV_KEY_B64 "\n",
		"open vault: SFBRIDGE_MASTER_KEY: not base64; want the base64 "
		"of exactly 32 bytes (make one with 'openssl rand -base64 "
		"32')");
	assert_false(exists(f->data));
}

static void test_vault__key_file_is_created_0600_and_reused(void **state)
{
	struct fixture *f = *state;
	struct sfb_vault *v = vault_ok(f->data), *again;
	struct base_buf raw = BASE_BUF_SECRET_INIT(64);
	struct stat st;
	char *text;

	assert_int_equal(stat(f->data, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(f->key, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	text = slurp(f->key);
	assert_int_equal(strlen(text), 45); /* 44 base64 + newline */
	assert_int_equal(text[44], '\n');
	assert_int_equal(base_b64_decode(&raw, text, 44, NULL), 0);
	assert_int_equal(raw.len, 32);
	again = vault_ok(f->data);
	assert_string_equal(sfb_vault_key_id(again), sfb_vault_key_id(v));
	assert_false(exists(f->next));
	sodium_memzero(text, 45);
	free(text);
	base_buf_release(&raw);
	sfb_vault_free(v);
	sfb_vault_free(again);
}

static void test_vault__group_readable_key_file_is_refused(void **state)
{
	struct fixture *f = *state;
	struct sfb_vault *v = vault_ok(f->data);
	struct base_err err = BASE_ERR_INIT;
	char want[PATH_MAX + 160];

	sfb_vault_free(v);
	assert_int_equal(chmod(f->key, 0640), 0);
	snprintf(want, sizeof(want),
		 "open vault: key file '%s' has mode 0640: group and others "
		 "must have no access (chmod 600 it)",
		 f->key);
	check_open_refused(f->data, BASE_EINVAL, want);
	/* Others only, too. */
	assert_int_equal(chmod(f->key, 0604), 0);
	assert_int_equal(sfb_vault_open(f->data, &v, &err), BASE_EINVAL);
	assert_int_equal(chmod(f->key, 0600), 0);
	v = vault_ok(f->data);
	sfb_vault_free(v);
}

static void check_key_file_refused(struct fixture *f, const char *text)
{
	char want[PATH_MAX + 128];

	write_file(f->key, text, 0600);
	snprintf(want, sizeof(want),
		 "open vault: key file '%s' is malformed: want the base64 of "
		 "32 bytes on one line",
		 f->key);
	check_open_refused(f->data, BASE_EINVAL, want);
}

static void test_vault__malformed_key_file_is_refused(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mkdir(f->data, 0700), 0);
	check_key_file_refused(f, "");
	check_key_file_refused(f, "\n");
	check_key_file_refused(f, "not a key\n");
	check_key_file_refused(
		f, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==\n");
	check_key_file_refused(f, ENV_KEY_B64 "\n\n");
	check_key_file_refused(f, ENV_KEY_B64 "\n" ENV_KEY_B64 "\n");
	/* Without the newline, or with it, it is fine. */
	write_file(f->key, ENV_KEY_B64, 0600);
	sfb_vault_free(vault_ok(f->data));
	write_file(f->key, ENV_KEY_B64 "\n", 0600);
	sfb_vault_free(vault_ok(f->data));
}

static void test_vault__missing_key_with_sealed_values_is_refused(void **state)
{
	struct fixture *f = *state;
	struct sfb_vault *v = vault_ok(f->data);
	struct sfb_store *s = store_ok(f->data);
	char want[PATH_MAX + 200];

	put_credentials(v, s);
	sfb_store_close(s);
	sfb_vault_free(v);
	assert_int_equal(unlink(f->key), 0);
	snprintf(want, sizeof(want),
		 "open vault: key file '%s' is missing, and the store holds 5 "
		 "sealed values that a new key could not open: restore the "
		 "key file from a backup",
		 f->key);
	check_open_refused(f->data, BASE_ERR, want);
	assert_false(exists(f->key)); /* no new key was made */
}

/* ---- rotation ----------------------------------------------------------- */

static void test_vault__rotation_reseals_every_value(void **state)
{
	struct fixture *f = *state;
	struct sfb_vault *v = vault_ok(f->data), *fresh;
	struct sfb_store *s = store_ok(f->data);
	struct base_err err = BASE_ERR_INIT;
	struct sfb_vault_rotation r;
	char old_id[9], *old_text, *new_text, *before;
	struct stat st;

	put_credentials(v, s);
	before = column(s, 1, "password_sealed");
	snprintf(old_id, sizeof(old_id), "%s", sfb_vault_key_id(v));
	old_text = slurp(f->key);

	if (sfb_vault_rotate_report(v, s, f->data, &r, &err) != 0)
		fail_msg("rotate: %s", err.msg);
	assert_string_equal(r.old_key_id, old_id);
	assert_string_equal(r.new_key_id, sfb_vault_key_id(v));
	assert_string_not_equal(r.new_key_id, old_id);
	assert_int_equal(r.resealed, 5); /* 3 passwords, 2 tokens */

	/* The key file was replaced, with the same care. */
	new_text = slurp(f->key);
	assert_string_not_equal(new_text, old_text);
	assert_int_equal(stat(f->key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_false(exists(f->next));

	/* The rotated vault and a freshly opened one open every value. */
	check_credentials(v, f->data, r.new_key_id);
	sfb_store_close(s);
	sfb_vault_free(v);
	fresh = vault_ok(f->data);
	assert_string_equal(sfb_vault_key_id(fresh), r.new_key_id);
	check_credentials(fresh, f->data, r.new_key_id);

	/* A copy of a value from before the rotation no longer opens. */
	{
		char want[128];

		snprintf(want, sizeof(want),
			 "sealed with key %s; this vault's key is %s", old_id,
			 r.new_key_id);
		check_refused(fresh, "default", before, BASE_EAUTH, want);
	}
	sfb_vault_free(fresh);
	free(before);
	free(old_text);
	free(new_text);
}

static void test_vault__rotating_twice_and_an_empty_store(void **state)
{
	struct fixture *f = *state;
	struct sfb_vault *v = vault_ok(f->data);
	struct sfb_store *s = store_ok(f->data);
	struct base_err err = BASE_ERR_INIT;
	struct sfb_vault_rotation r1, r2;

	assert_int_equal(sfb_vault_rotate_report(v, s, f->data, &r1, &err), 0);
	assert_int_equal(r1.resealed, 0);
	put_credentials(v, s);
	assert_int_equal(sfb_vault_rotate(v, s, f->data, &err), 0);
	assert_int_equal(sfb_vault_rotate_report(v, s, f->data, &r2, &err), 0);
	assert_int_equal(r2.resealed, 5);
	check_credentials(v, f->data, r2.new_key_id);
	sfb_store_close(s);
	sfb_vault_free(v);
}

static void test_vault__rotation_refused_with_env_key(void **state)
{
	struct fixture *f = *state;
	struct sfb_vault *v;
	struct sfb_store *s = store_ok(f->data);
	struct base_err err = BASE_ERR_INIT;

	setenv("SFBRIDGE_MASTER_KEY", ENV_KEY_B64, 1);
	v = vault_ok(f->data);
	assert_int_equal(sfb_vault_rotate(v, s, f->data, &err), BASE_EINVAL);
	assert_string_equal(err.msg, "rotate key: SFBRIDGE_MASTER_KEY is set: "
				     "sfbridge does not rotate a key it does "
				     "not own");
	assert_false(exists(f->key));
	sfb_store_close(s);
	sfb_vault_free(v);
}

static void test_vault__rotation_refused_while_key_in_use(void **state)
{
	struct fixture *f = *state;
	struct sfb_vault *v = vault_ok(f->data);
	struct sfb_vault *server = vault_ok(f->data);
	struct sfb_store *s = store_ok(f->data);
	struct base_err err = BASE_ERR_INIT;
	char want[PATH_MAX + 128], *before = slurp(f->key);

	put_credentials(v, s);
	assert_int_equal(sfb_vault_rotate(v, s, f->data, &err), BASE_ERR);
	snprintf(want, sizeof(want),
		 "rotate key: the key in '%s' is in use by another sfbridge "
		 "process or vault: stop it, then rotate",
		 f->data);
	assert_string_equal(err.msg, want);
	check_key_unchanged(f, before);
	check_credentials(server, f->data, sfb_vault_key_id(server));
	/* Once the other one is gone, it works. */
	sfb_vault_free(server);
	assert_int_equal(sfb_vault_rotate(v, s, f->data, &err), 0);
	check_credentials(v, f->data, sfb_vault_key_id(v));
	sfb_store_close(s);
	sfb_vault_free(v);
	free(before);
}

static void test_vault__rotation_stops_at_a_damaged_value(void **state)
{
	struct fixture *f = *state;
	struct sfb_vault *v = vault_ok(f->data);
	struct sfb_store *s = store_ok(f->data);
	struct base_err err = BASE_ERR_INIT;
	char *before = slurp(f->key), want[256], old_id[9];

	put_credentials(v, s);
	snprintf(old_id, sizeof(old_id), "%s", sfb_vault_key_id(v));
	assert_int_equal(
		sqlite3_exec(sfb_store_db(s),
			     "INSERT INTO credentials (id, "
			     "workspace_id, status, "
			     "consumer_secret_sealed) VALUES (9, "
			     "'default', 'retired', 'v1:00000000:AAAA')",
			     NULL, NULL, NULL),
		SQLITE_OK);
	assert_int_equal(sfb_vault_rotate(v, s, f->data, &err), BASE_EAUTH);
	/* The new key was thrown away, so only the old one is predictable. */
	snprintf(want, sizeof(want),
		 "rotate key: credentials row 9 column consumer_secret_sealed: "
		 "sealed with key 00000000; this vault's keys are ");
	assert_memory_equal(err.msg, want, strlen(want));
	snprintf(want, sizeof(want), " and %s", old_id);
	assert_string_equal(err.msg + strlen(err.msg) - strlen(want), want);
	/* Nothing changed: same key, same values, no .next. */
	assert_string_equal(sfb_vault_key_id(v), old_id);
	check_key_unchanged(f, before);
	check_credentials(v, f->data, old_id);
	sfb_store_close(s);
	sfb_vault_free(v);
	free(before);
}

/*
 * Runs a rotation that dies at `at`, then opens the vault again as the next
 * process would. Recovery keeps the old key, or with `finishes` completes the
 * rotation (the next key renamed into place); either way every value opens.
 */
static void check_crash_recovery(struct fixture *f, enum sfb_vault__crash at,
				 bool finishes)
{
	struct sfb_vault *v = vault_ok(f->data);
	struct sfb_store *s = store_ok(f->data);
	struct base_err err = BASE_ERR_INIT;
	char old_id[9], *old_text, *next_text, *now;
	struct stat st;

	put_credentials(v, s);
	snprintf(old_id, sizeof(old_id), "%s", sfb_vault_key_id(v));
	old_text = slurp(f->key);
	assert_int_equal(sfb_vault__rotate_crash(v, s, f->data, at, &err),
			 BASE_ERR);
	assert_string_equal(err.msg, "simulated crash");
	sfb_vault_free(v);
	sfb_store_close(s);
	/* The new key was on disk, durably, before anything depended on it. */
	assert_int_equal(stat(f->next, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	next_text = slurp(f->next);
	assert_string_not_equal(next_text, old_text);

	v = vault_ok(f->data);
	assert_false(exists(f->next));
	now = slurp(f->key);
	if (finishes) {
		assert_string_not_equal(sfb_vault_key_id(v), old_id);
		assert_string_equal(now, next_text); /* renamed into place */
		check_credentials(v, f->data, sfb_vault_key_id(v));
	} else {
		assert_string_equal(sfb_vault_key_id(v), old_id);
		assert_string_equal(now, old_text);
		check_credentials(v, f->data, old_id);
	}
	sfb_vault_free(v);
	free(old_text);
	free(next_text);
	free(now);
}

static void test_vault__crash_after_next_written_keeps_old_key(void **state)
{
	check_crash_recovery(*state, SFB_VAULT__CRASH_AFTER_NEXT, false);
}

static void test_vault__crash_before_commit_keeps_old_key(void **state)
{
	check_crash_recovery(*state, SFB_VAULT__CRASH_BEFORE_COMMIT, false);
}

static void test_vault__crash_after_commit_finishes_rotation(void **state)
{
	check_crash_recovery(*state, SFB_VAULT__CRASH_AFTER_COMMIT, true);
}

/*
 * Values under both keys (say, an old backup row restored into the store
 * after the commit): open re-seals the rest under the new key, then renames.
 */
static void test_vault__recovery_with_both_keys_rolls_forward(void **state)
{
	struct fixture *f = *state;
	struct sfb_vault *v = vault_ok(f->data), *old;
	struct sfb_store *s = store_ok(f->data);
	struct base_err err = BASE_ERR_INIT;
	char *old_text, *next_text, *now, *late;
	sqlite3_stmt *st = NULL;

	put_credentials(v, s);
	old_text = slurp(f->key);
	assert_int_equal(sfb_vault__rotate_crash(v, s, f->data,
						 SFB_VAULT__CRASH_AFTER_COMMIT,
						 &err),
			 BASE_ERR);
	sfb_vault_free(v);
	next_text = slurp(f->next);

	/* A value sealed with the old key lands in the store. */
	old_text[44] = '\0';
	setenv("SFBRIDGE_MASTER_KEY", old_text, 1);
	old = vault_ok(f->data);
	unsetenv("SFBRIDGE_MASTER_KEY");
	late = seal_ok(old, "acme-eu", "late-secret");
	assert_int_equal(
		sqlite3_prepare_v2(sfb_store_db(s),
				   "UPDATE credentials SET "
				   "private_key_sealed = ? WHERE id = 2",
				   -1, &st, NULL),
		SQLITE_OK);
	sqlite3_bind_text(st, 1, late, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sfb_store_close(s);
	sfb_vault_free(old);

	v = vault_ok(f->data);
	assert_false(exists(f->next));
	now = slurp(f->key);
	assert_string_equal(now, next_text);
	check_credentials(v, f->data, sfb_vault_key_id(v));
	s = store_ok(f->data);
	free(late);
	late = column(s, 2, "private_key_sealed");
	assert_memory_equal(late + 3, sfb_vault_key_id(v), 8);
	check_opens(v, "acme-eu", late, "late-secret");
	sfb_store_close(s);
	sfb_vault_free(v);
	free(late);
	free(old_text);
	free(next_text);
	free(now);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_vault__round_trip),
		T(test_vault__sealed_text_names_its_key),
		T(test_vault__nonce_differs_each_time),
		T(test_vault__other_workspace_does_not_open),
		T(test_vault__wrong_key_is_eauth_naming_both_keys),
		T(test_vault__damaged_value_is_eproto_never_garbage),
		T(test_vault__workspace_must_be_valid),
		T(test_vault__oversized_plaintext_is_refused),
		T(test_vault__env_key_is_used_and_nothing_written),
		T(test_vault__bad_env_key_is_refused_clearly),
		T(test_vault__key_file_is_created_0600_and_reused),
		T(test_vault__group_readable_key_file_is_refused),
		T(test_vault__malformed_key_file_is_refused),
		T(test_vault__missing_key_with_sealed_values_is_refused),
		T(test_vault__rotation_reseals_every_value),
		T(test_vault__rotating_twice_and_an_empty_store),
		T(test_vault__rotation_refused_with_env_key),
		T(test_vault__rotation_refused_while_key_in_use),
		T(test_vault__rotation_stops_at_a_damaged_value),
		T(test_vault__crash_after_next_written_keeps_old_key),
		T(test_vault__crash_before_commit_keeps_old_key),
		T(test_vault__crash_after_commit_finishes_rotation),
		T(test_vault__recovery_with_both_keys_rolls_forward),
	};

	/* The vault logs key creation and recoveries; keep the TAP clean. */
	base_log_set_level(BASE_LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
