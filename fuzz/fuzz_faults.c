/* fuzz_faults.c - libFuzzer target for sfemu's fault specs (/_emu/faults bodies): arm, match, consume, answer. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emu/faults.h"
#include "base/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The requests each armed list is tried against. */
static const struct {
	const char *method, *path;
} probes[] = {
	{"GET", "/services/data/v60.0/limits"},
	{"POST", "/services/data/v60.0/sobjects/Account"},
	{"POST", "/services/Soap/u/60.0"},
	{"POST", "/services/oauth2/token"},
	{"GET", "/"},
};

/*
 * The input is one spec per line (a JSON object each), armed in order into
 * one list; then every probe runs until nothing matches it any more (or a
 * bound, for faults armed "until removed").
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct emu_faults f = {0};
	const char *p = (const char *)data, *end = p + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct base_err err = BASE_ERR_INIT;
		struct emu_fault armed;
		json_t *spec = json_loadb(p, len, JSON_REJECT_DUPLICATES, NULL);
		int before = f.n, rc;

		p += len + (nl != NULL);
		if (!spec)
			continue;
		rc = emu_faults_add(&f, spec, &armed, &err);
		json_decref(spec);
		if (rc == 0 ? f.n != before + 1 || armed.id <= 0
			    : f.n != before || err.code != rc || !err.msg[0])
			abort();
	}
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		struct emu_req req = {.method = probes[i].method,
				      .path = probes[i].path, .raw_query = ""};
		struct emu_fault x;

		for (int round = 0; round < 8 && emu_faults_take(&f, &req, &x);
		     round++) {
			struct emu_resp resp = {.body = BASE_BUF_INIT(64 * 1024)};

			if (x.kind == EMU_FAULT_DELAY)
				continue;
			emu_fault_reply(&x, &req, &resp);
			if (resp.status < 400 || resp.status > 599 ||
			    !resp.content_type[0] || resp.body.len == 0)
				abort();
			base_buf_release(&resp.body);
		}
	}
	if (f.n < 0 || f.n > EMU_FAULTS_MAX)
		abort();
	return 0;
}
