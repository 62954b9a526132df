/* jsonmem.c - jansson's allocator with a free that wipes. */
#include "jsonmem.h"

#include <jansson.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static void wiping_free(void *p)
{
	if (!p)
		return;
	explicit_bzero(p, malloc_usable_size(p));
	free(p);
}

void base_jsonmem_wipe_on_free(void)
{
	json_set_alloc_funcs(malloc, wiping_free);
}
