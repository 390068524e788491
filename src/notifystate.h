/*
 * notifystate: the file in which notify.c keeps, across restarts, the rows
 * it announced in error (notifyStateFile), so that a row fixed or gone
 * while smsdistd was stopped is still announced leaving error at the next
 * start. This file knows the format and how to read and replace the file;
 * notify.c decides what goes in it.
 *
 * The format is internal (line-oriented text, versioned):
 *
 *     smsdistd-notify-state 1
 *     TABLE OID=T:VALUE OID=T:VALUE ...
 *
 * one line per announced row: the MIB name of its table, then the varbinds
 * of its entered notification after snmpTrapOID.0 (the last one is
 * smsDistNotifyReason.<index>). OIDs are numeric; T is i (INTEGER), u
 * (Gauge32), c (Counter32), t (TimeTicks), x (OCTET STRING, VALUE in hex),
 * a (IpAddress, hex) or o (OBJECT IDENTIFIER, numeric). Empty lines and
 * lines starting with '#' are skipped. The file is replaced whole
 * (a temporary file PATH.tmp in the same folder, fsync, rename, fsync of
 * the folder): a reader sees the old file or the new one, never a mix.
 */
#ifndef SD_NOTIFYSTATE_H
#define SD_NOTIFYSTATE_H

#include <stddef.h>

#define SD_NSTATE_MAGIC "smsdistd-notify-state"
#define SD_NSTATE_VERSION 1
/* Most varbinds one line may carry, and longest line read. */
#define SD_NSTATE_MAX_VARS 64
#define SD_NSTATE_MAX_LINE 65536

struct variable_list;

/* One entry as a line (no newline): table, then vars (a list without
 * snmpTrapOID.0). Malloc'd; NULL when out of memory or when a value has a
 * type the format does not know. */
char *sd_nstate_format(const char *table, const struct variable_list *vars);

/* Parses an entry line (modified in place: *table then points into it).
 * 0 with *vars a new list (the caller frees it with snmp_free_varbind), or
 * -1 with why set. */
int sd_nstate_parse(char *line, char **table, struct variable_list **vars, char *why,
                    size_t whylen);

enum sd_nstate_read {
    SD_NSTATE_OK,               /* read whole */
    SD_NSTATE_MISSING,          /* no such file: nothing announced yet */
    SD_NSTATE_BAD,              /* a bad line: the entries before it were taken */
    SD_NSTATE_UNREADABLE,       /* not read at all (not a regular file, I/O, header) */
};

/*
 * Reads the file at path, calling take(ctx, line, why, whylen) for each
 * entry line in order (line NUL-terminated and modifiable); take returns 0,
 * or -1 with why set to make that line the bad one. A FIFO, socket or
 * folder is refused without waiting for it. On SD_NSTATE_BAD *bad_line is
 * the bad line's number (from 1) and err says why; on SD_NSTATE_UNREADABLE
 * err says why (with the path); *bad_line is 1 when the header was bad.
 */
enum sd_nstate_read sd_nstate_read(const char *path,
                                   int (*take)(void *ctx, char *line, char *why, size_t whylen),
                                   void *ctx, unsigned *bad_line, char *err, size_t errlen);

/* Replaces the file at path with the header and these lines, atomically.
 * 0, or -1 with err set ("<file>: <why>"); no temporary file stays. */
int sd_nstate_write(const char *path, const char *const *lines, size_t n, char *err,
                    size_t errlen);

/* Whether a file can be created beside path (creates and removes PATH.tmp):
 * 0, or -1 with err set ("cannot create files in <folder>: <why>"). */
int sd_nstate_probe(const char *path, char *err, size_t errlen);

#endif
