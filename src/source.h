/*
 * source: where the bytes come from. Hands back one complete buffer or an
 * error in words; never part of a document. Runs on the loader thread, so
 * it may wait, but never past what struct sd_fetch_ctl allows: another
 * thread can cancel it and the load has a deadline. Knows nothing of SNMP
 * or of the document's format.
 */
#ifndef SD_SOURCE_H
#define SD_SOURCE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct sd_buf {
    char *data;                 /* owned, NUL-terminated for convenience */
    size_t len;
};

void sd_buf_free(struct sd_buf *b);

/* How a fetch ended: 0 the bytes; SD_FETCH_FAILED, err says why. The other
 * two are the load's limits, not the source's fault: the caller words them
 * (it knows the limit's name and how far the load got). */
#define SD_FETCH_FAILED (-1)
#define SD_FETCH_CANCELLED (-2)         /* *cancel was set: smsdistd is stopping */
#define SD_FETCH_DEADLINE (-3)          /* the load's deadline (loadTimeout) passed */

/* What may cut a fetch short. Borrowed for the whole load. */
struct sd_fetch_ctl {
    const atomic_bool *cancel;  /* set by another thread; NULL: never */
    double deadline;            /* sd_monotonic() seconds; 0: none */
};

/* CLOCK_MONOTONIC in seconds. */
double sd_monotonic(void);

/* 0 while the fetch may go on, else SD_FETCH_CANCELLED or SD_FETCH_DEADLINE.
 * ctl may be NULL. */
int sd_fetch_check(const struct sd_fetch_ctl *ctl);

/* `file:/abs/path` or a plain absolute path: the path; NULL if not a file URI. */
const char *sd_source_file_path(const char *uri);

/*
 * URI as shown in the MIB, logs, notifications and every message: any
 * user:password@ (the userinfo of the authority, up to its last '@')
 * removed. Malloc'd; NULL only when out of memory.
 */
char *sd_source_display(const char *uri);

/*
 * Reads the whole file named by uri into *out: a regular file only (a FIFO,
 * socket or device is refused without waiting for it), at most max_bytes,
 * stopping early as ctl says (ctl may be NULL). Returns 0, SD_FETCH_FAILED
 * with err set ("<path>: <why>"), or SD_FETCH_CANCELLED / SD_FETCH_DEADLINE.
 */
int sd_source_fetch(const char *uri, size_t max_bytes, const struct sd_fetch_ctl *ctl,
                    struct sd_buf *out, char *err, size_t errlen);

#endif
