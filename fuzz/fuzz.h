/*
 * fuzz.h: what the decoder harnesses share (fuzz/run.sh builds them).
 *
 * A fresh rows/msgs/decode context per input, torn down after it so
 * LeakSanitizer sees anything a decoder forgot; and the invariants every
 * outcome must keep, checked with __builtin_trap() so a violation is a
 * crash libFuzzer reports and keeps, like any other:
 *  - a row that was added passes the rules of doc/design.md (ObjectID
 *    1..112 printable ASCII, PackageID 0..255 printable ASCII, Type and
 *    ObjectTypeID at most 2147483647, a date either unknown or a valid UTC
 *    DateAndTime);
 *  - an accepted document accounts for every record: rows + rejected = seen,
 *    and never more records than the row cap;
 *  - every message and every refusal reason is printable ASCII (they reach
 *    the log and a DisplayString), and a refusal has one.
 */
#ifndef SD_FUZZ_H
#define SD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decode.h"

#define FZ_CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

static inline int fz_printable(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
            return 0;
    return 1;
}

static inline void fz_check_date(const uint8_t *d, uint8_t len)
{
    static const uint8_t zero[8];
    static const uint8_t dim[13] = { 0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    unsigned year;

    if (len == 8) {
        FZ_CHECK(memcmp(d, zero, 8) == 0);
        return;
    }
    FZ_CHECK(len == SD_DATEANDTIME_LEN);
    year = (unsigned)d[0] << 8 | d[1];
    FZ_CHECK(year >= 1601 && year <= 9999);
    FZ_CHECK(d[2] >= 1 && d[2] <= 12);
    FZ_CHECK(d[3] >= 1 && d[3] <= dim[d[2]]);
    FZ_CHECK(d[4] <= 23 && d[5] <= 59 && d[6] <= 60 && d[7] <= 9);
    FZ_CHECK(d[8] == '+' && d[9] == 0 && d[10] == 0);
}

static inline void fz_check_rows(const struct sd_rows *rows)
{
    for (size_t i = 0; i < rows->n; i++) {
        const struct sd_row *r = &rows->v[i];

        FZ_CHECK(r->oid_len >= 1 && r->oid_len <= SD_OBJECTID_MAX);
        FZ_CHECK(fz_printable(sd_row_oid(rows, r), r->oid_len));
        FZ_CHECK(fz_printable(sd_row_pkg(rows, r), r->pkg_len));
        FZ_CHECK(r->type >= 0);
        FZ_CHECK(r->object_type <= 2147483647u);
        fz_check_date(r->date, r->date_len);
    }
}

/* One decode in a fresh context: fn is sd_decode_document, _json or _csv.
 * clean_refusal: a refused document must leave rows, msgs and the counts as
 * they were (what src/decode_json.c promises; decode.h asks only that the
 * caller discard the rows). */
static inline void fz_decode(int (*fn)(struct sd_decode *, const char *, size_t),
                             const uint8_t *data, size_t size, size_t max_rows,
                             int clean_refusal)
{
    struct sd_rows rows;
    struct sd_msgs msgs;
    struct sd_decode d;
    int rc;

    sd_rows_init(&rows);
    sd_msgs_init(&msgs, 1000);
    sd_decode_init(&d, "fuzz", &rows, &msgs);
    d.max_rows = max_rows;
    rc = fn(&d, (const char *)data, size);
    FZ_CHECK(rc == 0 || rc == -1);
    FZ_CHECK(memchr(d.error, '\0', sizeof(d.error)) != NULL);
    if (rc == 0) {
        FZ_CHECK(rows.n + d.rejected == d.rows_seen);
        FZ_CHECK(max_rows == 0 || d.rows_seen <= max_rows);
    } else {
        FZ_CHECK(strncmp(d.error, "fuzz: ", 6) == 0 && d.error[6] != '\0');
        FZ_CHECK(fz_printable(d.error, strlen(d.error)));
        if (clean_refusal)
            FZ_CHECK(rows.n == 0 && rows.arena_len == 0 && msgs.n == 0 && msgs.dropped == 0 &&
                     d.rows_seen == 0 && d.rejected == 0);
    }
    fz_check_rows(&rows);
    for (size_t i = 0; i < msgs.n; i++)
        FZ_CHECK(fz_printable(msgs.v[i].text, strlen(msgs.v[i].text)));
    sd_decode_fini(&d);
    sd_msgs_fini(&msgs);
    sd_rows_fini(&rows);
}

#endif
