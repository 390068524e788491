/*
 * source: where the bytes come from. Hands back one complete buffer or an
 * error in words; never part of a document. Runs on the loader thread, so
 * it may block, and knows nothing of SNMP or of the document's format.
 */
#ifndef SD_SOURCE_H
#define SD_SOURCE_H

#include <stddef.h>

struct sd_buf {
    char *data;                 /* owned, NUL-terminated for convenience */
    size_t len;
};

void sd_buf_free(struct sd_buf *b);

/* `file:/abs/path` or a plain absolute path: the path; NULL if not a file URI. */
const char *sd_source_file_path(const char *uri);

/* URI as shown in the MIB and logs: any user:password@ removed. Malloc'd. */
char *sd_source_display(const char *uri);

/*
 * Reads the whole source named by uri into *out. Refuses more than
 * max_bytes. Returns 0, or -1 with err set ("<origin>: <why>").
 */
int sd_source_fetch(const char *uri, size_t max_bytes, struct sd_buf *out,
                    char *err, size_t errlen);

#endif
