/* schema_std.h - Salesforce's standard objects, as field-definition JSON. */
#ifndef EMU_SCHEMA_STD_H
#define EMU_SCHEMA_STD_H

/* One JSON object per standard sObject; NULL-terminated. */
extern const char *const emu_schema_standard[];
/* Permission names exposed as Permissions<Name> on Profile and PermissionSet. */
extern const char *const emu_schema_permissions[];

#endif
