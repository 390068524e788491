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

/* Seconds between reloads when pollInterval does not say. */
#define SD_DEFAULT_FILE_POLL 5          /* stat polling beside inotify */
#define SD_DEFAULT_HTTP_POLL 300

/*
 * A kind of source: what a load and the agent need of it, so that neither
 * asks what a URI looks like. A load opens it (a file kind has nothing to
 * open and returns a token), gets the first URL's bytes, follows next
 * pages where the kind has them (next_url NULL: one document), notes what
 * the log should hear, and closes it. The agent watches watch_path(uri)
 * for changes, or, NULL, reloads every pollInterval (default_poll).
 */
struct sd_http_opts;
struct sd_source_kind {
    const char *name;                   /* "file", "https" */
    bool (*claims)(const char *uri);
    bool reason_first;                  /* messages: "reason: URI" (else "path: reason") */
    unsigned default_poll;
    const char *(*watch_path)(const char *uri);
    void *(*open)(const struct sd_http_opts *o, size_t max_bytes, const struct sd_fetch_ctl *ctl,
                  char *err, size_t errlen);
    char *(*first_url)(const char *uri, const char *select);
    int (*get)(void *session, const char *url, size_t max_bytes, const struct sd_fetch_ctl *ctl,
               struct sd_buf *out, char *err, size_t errlen);
    char *(*next_url)(const char *url, const char *link, char *err, size_t errlen);
    const char *(*note)(void *session);
    void (*close)(void *session);
};

extern const struct sd_source_kind sd_source_file;     /* source.c */
extern const struct sd_source_kind sd_source_https;    /* http.c */

/* The kind that claims uri, or NULL: not a source smsdistd can read. */
const struct sd_source_kind *sd_source_kind_of(const char *uri);

#endif
