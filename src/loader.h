/*
 * loader: fetch → decode → build, off the main thread.
 *
 * One worker thread. The main thread submits a request (a newer request
 * replaces one not yet started, so a burst of changes costs one load) and
 * watches sd_loader_fd() in its select loop; when it is readable,
 * sd_loader_take() hands over the finished result. The worker touches only
 * its own buffers: what it wants logged travels in the result's msgs.
 *
 * Everything that grows with the table happens here, so the main thread's
 * part of a reload is a pointer swap: the worker also compares the new rows
 * with the request's base snapshot (same rows? which rows entered or left
 * Error?) and frees what the main thread retires. It runs at a lower CPU
 * priority than the request path.
 */
#ifndef SD_LOADER_H
#define SD_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include "datetime.h"
#include "http.h"
#include "msgs.h"
#include "snapshot.h"

#define SD_LOAD_ALSO_MAX 2

struct sd_load_params {
    const struct sd_table *table;       /* what the rows are; NULL: sd_table_status */
    const char *uri;            /* copied on submit */
    struct sd_policy policy;
    size_t max_rows;
    size_t max_bytes;
    size_t log_rows;            /* row messages kept per load */
    unsigned load_timeout;      /* seconds for the whole load, all pages (loadTimeout); 0 none */
    struct sd_http_opts http;   /* for http(s) sources */
    struct sd_snapshot *base;   /* compare with this (borrowed; submit takes a ref) */
    struct sd_dateopts dates;   /* dates.tz borrowed; submit takes a ref */
    bool class_only;            /* only the table's array of a combined export counts */
    /* More tables read from the same document (a combined export file):
     * each decoded, class_only, from the bytes the main table was. */
    struct sd_load_also {
        const struct sd_table *table;
        struct sd_policy policy;
        struct sd_snapshot *base;       /* borrowed; submit takes a ref */
    } also[SD_LOAD_ALSO_MAX];
    size_t n_also;
};

struct sd_load_result {
    const struct sd_table *table;       /* what snap's rows are */
    struct sd_snapshot *snap;   /* owned; NULL when the load failed */
    struct sd_msgs msgs;        /* row-level messages, to log */
    char error[768];            /* why the load failed */
    char origin[512];           /* what was read, for messages */
    char auth_note[512];        /* httpAuth windows: why NTLM was used, or "" */
    struct sd_snapshot *base;   /* owned ref: what `same` and `changes` refer to */
    bool same;                  /* snap has exactly base's rows */
    bool absent;                /* class_only, and the document has no such array (snap empty) */
    struct sd_changes changes;  /* base -> snap (base NULL: error rows of snap) */
    bool changes_ok;            /* false: out of memory, recompute */
    unsigned long rows_seen;
    unsigned long rejected;
    unsigned pages;
    double fetch_s, decode_s, build_s;
    struct sd_load_result *also[SD_LOAD_ALSO_MAX];     /* owned: the also tables' results */
    size_t n_also;
};

/* Runs one load in the calling thread (the worker, tests, the benchmark). */
struct sd_load_result *sd_load_run(const struct sd_load_params *p);
void sd_load_result_free(struct sd_load_result *r);

struct sd_loader;
struct sd_loader *sd_loader_start(void);
int sd_loader_fd(const struct sd_loader *l);
int sd_loader_submit(struct sd_loader *l, const struct sd_load_params *p);
/* The finished result, or NULL if none is ready; drains the wakeup pipe. */
struct sd_load_result *sd_loader_take(struct sd_loader *l);
/* Hands a snapshot reference or a result to the worker to free. */
void sd_loader_retire(struct sd_loader *l, struct sd_snapshot *s, struct sd_load_result *r);
/* Stops and joins the worker. A load under way is abandoned: a transfer
 * within about a second, a file read between two reads. */
void sd_loader_stop(struct sd_loader *l);

#endif
