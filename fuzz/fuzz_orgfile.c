/* fuzz_orgfile.c - libFuzzer target for emu_orgfile_parse (org JSON). */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "emu/org.h"
#include "emu/orgfile.h"
#include "base/banned.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* Seeding an org logs every user; keep the fuzzer's output readable. */
	base_log_set_level(BASE_LOG_OFF);
	return 0;
}

/* One line, as base_err promises: no CR or LF in a message. */
static bool msg_ok(const struct base_err *err)
{
	return err->msg[0] != '\0' && !strchr(err->msg, '\r') &&
	       !strchr(err->msg, '\n');
}

/*
 * Besides crashes and sanitizer reports, aborts when a documented invariant
 * breaks:
 * - a failure returns BASE_EINVAL or BASE_ETOOBIG, sets err to the same
 *   code with a one-line message, and leaves *out NULL;
 * - a success returns an object that is already normalised: parsing its
 *   own dump succeeds and gives the same document back.
 * A definition that parses is then opened as an in-memory org (the store is
 * seeded from it), which must succeed or fail cleanly without leaking.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct base_err err = BASE_ERR_INIT;
	json_t *def = NULL, *again = NULL;
	struct emu_org *org = NULL;
	char *text = NULL, *dump = NULL;
	int rc;

	/* An exact-size copy: the parser gets a length, never a NUL. */
	text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);

	def = (json_t *)1; /* must be overwritten, even on failure */
	rc = emu_orgfile_parse(text, size, &def, &err);
	if (rc < 0) {
		if ((rc != BASE_EINVAL && rc != BASE_ETOOBIG) ||
		    err.code != rc || !msg_ok(&err) || def != NULL)
			abort();
		goto out;
	}
	if (rc != 0 || !json_is_object(def) || err.code != BASE_OK)
		abort();

	dump = json_dumps(def, JSON_COMPACT);
	if (!dump)
		abort();
	err = BASE_ERR_INIT;
	if (emu_orgfile_parse(dump, strlen(dump), &again, &err) != 0 ||
	    !json_equal(def, again))
		abort();

	/* emu_org_open takes def over, on failure too. */
	err = BASE_ERR_INIT;
	rc = emu_org_open(def, NULL, &org, &err);
	def = NULL;
	if (rc < 0 ? (org != NULL || err.code >= 0 || !msg_ok(&err))
		   : (rc != 0 || org == NULL))
		abort();
out:
	emu_org_free(org);
	json_decref(again);
	json_decref(def);
	free(dump);
	free(text);
	return 0;
}
