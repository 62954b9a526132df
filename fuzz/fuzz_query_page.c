/* fuzz_query_page.c - libFuzzer target for libsf's query-page JSON reader, checked against jansson. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sf/error.h"
#include "sf/internal.h"
#include "base/banned.h"

/*
 * sf__query_parse_page reads query pages faster than json_loadb and must
 * mean the same thing: whenever jansson accepts a document (object nesting
 * within the reader's 512 levels), the reader must accept it too and build
 * an equal value; whenever the reader accepts one, jansson must as well.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sf_error err = SF_ERROR_INIT;
	json_error_t jerr;
	json_t *ours = NULL;
	json_t *theirs = json_loadb((const char *)data, size, 0, &jerr);
	int rc = sf__query_parse_page((const char *)data, size, &ours, &err);

	if (rc == 0 && !theirs) {
		fprintf(stderr, "reader accepted what jansson refuses: %s\n",
			jerr.text);
		abort();
	}
	if (rc == 0 && !json_equal(ours, theirs)) {
		fprintf(stderr, "reader and jansson disagree on the value\n");
		abort();
	}
	if (rc != 0 && ours) {
		fprintf(stderr, "a refused page left *out set\n");
		abort();
	}
	/* The reader refuses nesting past 512 levels, where jansson allows
	 * 2048, and any NUL byte, where jansson lets one through after a
	 * number ("[10.0\0]"): the refusals of a document jansson accepts. */
	if (rc != 0 && theirs && !strstr(err.message, "nest") &&
	    !memchr(data, '\0', size)) {
		fprintf(stderr, "reader refused what jansson accepts: %s\n",
			err.message);
		abort();
	}
	json_decref(ours);
	json_decref(theirs);
	return 0;
}
