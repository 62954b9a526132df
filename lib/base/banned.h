/* banned.h - turn unbounded or non-reentrant libc calls into compile errors. */
#ifndef BASE_BANNED_H
#define BASE_BANNED_H

/* Include last in every .c file, after all system and project headers. */
#define BANNED(f) sorry_##f##_is_banned_use_a_bounded_or_r_version

#undef strcpy
#define strcpy(...) BANNED(strcpy)
#undef strcat
#define strcat(...) BANNED(strcat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(...) BANNED(strtok)
#undef atoi
#define atoi(...) BANNED(atoi)
#undef strerror
#define strerror(...) BANNED(strerror)
#undef gmtime
#define gmtime(...) BANNED(gmtime)
#undef localtime
#define localtime(...) BANNED(localtime)

#endif
