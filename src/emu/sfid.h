/* sfid.h - Salesforce record ids: 15-character ids and their 18-character form. */
#ifndef EMU_SFID_H
#define EMU_SFID_H

#include <stdbool.h>
#include <stdint.h>

/*
 * An id is a 3-character key prefix ("005" User), 2 characters of pod, one
 * reserved '0', and a 9-character base-62 number; the 18-character form adds
 * a 3-character suffix that encodes which of the first 15 are upper case, so
 * the id survives case-insensitive comparison.
 */
#define EMU_SFID_LEN 18

/* Builds the 18-character id; out needs 19 bytes. */
void emu_sfid_make(const char *prefix, const char pod[2], uint64_t number,
		   char out[EMU_SFID_LEN + 1]);
/* Writes the 18-character form of a 15- or 18-character id; false if malformed. */
bool emu_sfid_to18(const char *id, char out[EMU_SFID_LEN + 1]);
/* A 15- or 18-character id of [0-9A-Za-z] (and, for 18, a matching suffix). */
bool emu_sfid_is_valid(const char *id);

#endif
