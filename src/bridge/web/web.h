/* web.h - sfbridge's web console: routes, pages, sessions (the app behind http.c). */
#ifndef SFB_WEB_H
#define SFB_WEB_H

#include <stdbool.h>

#include "base/err.h"
#include "bridge/web/http.h"

struct sfb_web_opts {
	const char *data_dir;  /* the store lives here */
	const char *web_dir;   /* templates + stylesheet (web/bridge) */
	const char *workspace; /* the workspace this console serves */
};

/*
 * Internally locked: sfb_web_handle runs on every server thread at once.
 * Each request borrows a store connection from a small pool.
 */
struct sfb_web;

/* Loads the templates and opens the store once (migrations). Caller owns. */
int sfb_web_new(const struct sfb_web_opts *o, struct sfb_web **out,
		struct base_err *err);
void sfb_web_free(struct sfb_web *w);
/* The sfb_handler_fn: ctx is a struct sfb_web. */
void sfb_web_handle(void *ctx, struct sfb_req *req, struct sfb_resp *resp);

/*
 * Where the console's templates are: SFBRIDGE_WEB if set, else web/bridge
 * next to the binary's tree (build/sfbridge -> web/bridge, also one level
 * deeper for build/asan/), else ./web/bridge. Writes the directory into out
 * and returns 0, or -1 when none holds layout.html.
 */
int sfb_web_find_dir(char *out, size_t n);

#endif
