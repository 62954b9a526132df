/* jsonmem.h - jansson's memory, wiped when freed: parsed bodies and replies hold secrets. */
#ifndef BASE_JSONMEM_H
#define BASE_JSONMEM_H

/*
 * Makes every block jansson frees from now on zeroed first (its whole
 * usable size), so a password parsed from a request body or a token from
 * an OAuth reply doesn't linger in freed memory after json_decref. Call
 * once at start, before any JSON value exists (jansson's allocator must
 * not change while values are alive); process-wide.
 */
void base_jsonmem_wipe_on_free(void);

#endif
