/* vault.h - secrets sealed with libsodium before they touch the store. */
#ifndef SFB_VAULT_H
#define SFB_VAULT_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

/*
 * XChaCha20-Poly1305 (crypto_aead_xchacha20poly1305_ietf), a random nonce
 * per secret, the workspace id as associated data, so a sealed value copied
 * to another workspace doesn't open. A sealed value is text:
 * "v1:<key id>:<base64 nonce||ciphertext>" (key id = first 8 hex of
 * BLAKE2b(key)), so a wrong key is told apart from a damaged value.
 *
 * The key: SFBRIDGE_MASTER_KEY (base64 of 32 bytes) if set, else
 * DATA/master.key (created with mode 0600 on first use; refused if group
 * or others can read it). Immutable once loaded; share freely.
 *
 * Key material lives in sodium_malloc'd memory (guard pages, mlock'ed where
 * the limits allow, read-only once loaded) and is wiped when the vault is
 * freed. The key file holds the base64 of the 32 bytes and one newline; any
 * other content, or any group/other permission bit, is refused. A missing
 * key file is created only if the store holds no sealed value (a new key
 * could not open them: restore the old one from a backup instead).
 *
 * A vault on a key file holds a shared lock on DATA/master.key.lock for its
 * life, so that rotation is refused while any other vault (a server, a
 * worker) is using the key it would replace.
 */
struct sfb_vault;

/* Plaintexts longer than this are refused with BASE_ETOOBIG. */
#define SFB_VAULT_PLAIN_MAX (1024 * 1024)

/* Caller owns *out (sfb_vault_free). Finishes an interrupted rotation. */
int sfb_vault_open(const char *data_dir, struct sfb_vault **out,
		   struct base_err *err);
/* Wipes the keys. NULL is a no-op. */
void sfb_vault_free(struct sfb_vault *v);
/* "3f9a01c2": which key sealed a value. Borrowed, valid until v is freed. */
const char *sfb_vault_key_id(const struct sfb_vault *v);

/*
 * Seals n bytes; *out is the text form (caller frees with free()). The
 * workspace must be a valid workspace id (store.h), else BASE_EINVAL.
 */
int sfb_vault_seal(const struct sfb_vault *v, const char *workspace,
		   const void *plain, size_t n, char **out,
		   struct base_err *err);
/*
 * Opens a sealed value into `out` (a secret buffer: BASE_BUF_SECRET_INIT;
 * the plaintext is appended; on failure `out` is unchanged).
 * A value sealed under another key fails with BASE_EAUTH and says so ("sealed
 * with key 1a2b3c4d; this vault's key is 3f9a01c2"); a damaged value with
 * BASE_EPROTO. Never garbage.
 */
int sfb_vault_open_value(const struct sfb_vault *v, const char *workspace,
			 const char *sealed, struct base_buf *out,
			 struct base_err *err);

/*
 * `sfbridge keys rotate`: a new key, every sealed value in the store
 * re-sealed under it, crash-safe: the new key is written to
 * DATA/master.key.next first, values are re-sealed in one transaction, then
 * the key file is replaced by rename. Opening the vault finishes or undoes
 * an interrupted rotation (values are opened with whichever key sealed
 * them). With SFBRIDGE_MASTER_KEY set, rotation is refused: the operator
 * owns that key.
 *
 * Step by step, and what a crash at each point leaves:
 *  1. master.key.next is written (0600, fsync'ed, directory fsync'ed).
 *     Crash: the store's values are all under the old key; the next open
 *     deletes master.key.next.
 *  2. One transaction re-seals every column sfb_store_sealed_columns()
 *     lists. Crash: SQLite rolls it back; as in 1.
 *  3. Commit (synchronous=FULL: on disk when it returns). Crash: the values
 *     are all under the new key; the next open renames master.key.next over
 *     master.key.
 *  4. rename(master.key.next, master.key), directory fsync'ed. Done.
 * (Should the store ever hold values under both keys, open re-seals the
 * rest under the new key and then renames: it never deletes a key that
 * still seals a value.)
 *
 * Not safe to call while other threads use v; afterwards v holds only the
 * new key. Refused while another vault has the key file open (any process,
 * this one included), and if a value can't be opened (nothing changes:
 * delete or fix that value first). data_dir must be the one v was opened
 * on; s is a store open on it, with no transaction open.
 */
struct sfb_store;
int sfb_vault_rotate(struct sfb_vault *v, struct sfb_store *s,
		     const char *data_dir, struct base_err *err);

/* What a rotation did, for `sfbridge keys rotate` to print. */
struct sfb_vault_rotation {
	char old_key_id[9];
	char new_key_id[9];
	long long resealed; /* values re-sealed */
};
/* sfb_vault_rotate, and fills *out (zeroed on failure). */
int sfb_vault_rotate_report(struct sfb_vault *v, struct sfb_store *s,
			    const char *data_dir,
			    struct sfb_vault_rotation *out,
			    struct base_err *err);

/*
 * Test hook: rotate, but stop dead at a crash point, leaving the files and
 * the store as a killed process would (the open transaction is lost, the
 * locks released). Returns BASE_ERR; afterwards only sfb_vault_free(v) is
 * valid.
 */
enum sfb_vault__crash {
	SFB_VAULT__CRASH_AFTER_NEXT = 1, /* master.key.next written */
	SFB_VAULT__CRASH_BEFORE_COMMIT,  /* values re-sealed, not committed */
	SFB_VAULT__CRASH_AFTER_COMMIT, /* committed, master.key not replaced */
};
int sfb_vault__rotate_crash(struct sfb_vault *v, struct sfb_store *s,
			    const char *data_dir, enum sfb_vault__crash at,
			    struct base_err *err);

#endif
