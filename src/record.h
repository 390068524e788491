/*
 * record: the one validation path, below every format decoder.
 *
 * A format decoder (decode_json.c, decode_csv.c) collects one record's
 * property values as sd_fields, knowing nothing of what they mean, and
 * hands them to sd_decode_record(); that checks each column the table's
 * description names (table.h) and adds the row or rejects it. So a row
 * means the same whichever way it arrived, and a new table needs no
 * decoder code. Knows nothing of SNMP, files or HTTP: a decoder is given a
 * buffer and a name to put in messages.
 *
 * A row that cannot be served is skipped, counted in `rejected` and reported
 * in `msgs` with the origin, row number, field and reason. A document that
 * cannot be parsed at all is refused: the decoder returns -1 and `error`
 * says why; rows added before the failure must then be discarded by the
 * caller (it owns `rows`).
 */
#ifndef SD_RECORD_H
#define SD_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msgs.h"
#include "rows.h"
#include "table.h"

struct sd_dateopts;             /* datetime.h */

/* One property value as a decoder saw it, before validation. */
enum sd_field_kind {
    SD_F_ABSENT,                /* key/column not present */
    SD_F_NULL,                  /* JSON null; an empty CSV cell */
    SD_F_STRING,
    SD_F_INT,                   /* JSON integer */
    SD_F_REAL,                  /* JSON real */
    SD_F_BOOL,
    SD_F_OTHER                  /* object, array */
};

struct sd_field {
    enum sd_field_kind kind;
    const char *str;            /* SD_F_STRING: not necessarily NUL-terminated */
    size_t len;
    long long i;                /* SD_F_INT, SD_F_BOOL */
    double r;                   /* SD_F_REAL */
};

struct sd_decode {
    /* in */
    const char *origin;         /* e.g. "/var/lib/smsdistd/export.json" */
    size_t max_rows;            /* 0: no cap; over the cap the document is refused */
    uint32_t row_base;          /* rows already decoded (pages): numbering goes on */
    const struct sd_dateopts *dates;    /* sourceTimeZone/sourceDateFormat; NULL: none */
    bool class_only;            /* read only the table's class array of a combined export */
    /* out, owned by the caller */
    struct sd_rows *rows;
    struct sd_msgs *msgs;
    /* out */
    unsigned long rejected;     /* rows skipped */
    uint32_t rows_seen;         /* records in this document, good or bad */
    char *next_link;            /* JSON "@odata.nextLink", malloc'd, or NULL */
    bool class_absent;          /* class_only, and the document has no such array */
    char error[512];            /* why the document was refused */
};

void sd_decode_init(struct sd_decode *d, const char *origin,
                    struct sd_rows *rows, struct sd_msgs *msgs);
void sd_decode_fini(struct sd_decode *d);

/*
 * Checks one record's fields (one per property of d->rows->t, in its props
 * order) and adds the row or rejects it. rownum is 1-based within the
 * document (row_base is added). Returns 0 (added or rejected), or -1 when
 * the document must be refused (row cap passed, out of memory) with
 * d->error set.
 */
int sd_decode_record(struct sd_decode *d, uint32_t rownum, const struct sd_field fields[]);

/* A record the validation path cannot look at (wrong shape): counted and
 * reported like a rejected row. 0, or -1 past the row cap (d->error set). */
int sd_decode_reject(struct sd_decode *d, uint32_t rownum, const char *what);

/*
 * Text encoding: returns a UTF-8 buffer without BOM in *out (either buf
 * itself, *owned == NULL, or a converted copy that *owned points to and the
 * caller frees). -1 with d->error set for undecodable text.
 */
int sd_text_utf8(struct sd_decode *d, const char *buf, size_t len,
                 const char **out, size_t *outlen, char **owned);

/* The format decoders; buf is UTF-8 without BOM. 0, or -1 with d->error. */
int sd_decode_json(struct sd_decode *d, const char *buf, size_t len);
int sd_decode_csv(struct sd_decode *d, const char *buf, size_t len);

#endif
