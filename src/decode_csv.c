/*
 * decode_csv: CSV documents to records, with libcsv (see decode.h).
 *
 * Owns the Export-Csv shape: an optional "#TYPE ..." line, a header naming
 * the columns (any order, any case, unknown ones ignored), ',' or, for
 * Export-Csv -UseCulture in many locales, ';'. Quoting follows RFC 4180 in
 * libcsv's strict mode, so an unterminated quote refuses the document
 * instead of swallowing the rest of it into one cell. Cells are taken as
 * written (no trimming; RFC 4180 says spaces are part of a field), so " 5"
 * is rejected here exactly as it is in JSON. Values are judged by
 * sd_decode_record() alone.
 */
#include "config.h"

#include <csv.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "record.h"

/* Bytes handed to libcsv at a time, so a refusal (row cap) stops the work
 * early instead of after the whole document. */
#define CSV_CHUNK 65536

struct csv_state {
    struct sd_decode *d;
    bool have_header;
    const struct sd_table *t;   /* whose properties the columns are */
    int *map;                   /* header position -> property, or -1 */
    size_t ncols, map_alloc;    /* ncols: header fields, once read */
    bool seen[SD_MAX_PROPS];    /* header columns met so far */
    /* the record being read */
    size_t nfields;
    bool blank;                 /* so far one field of white space only */
    struct { size_t off, len; bool set; } cell[SD_MAX_PROPS];
    char *buf;                  /* the mapped cells' bytes */
    size_t len, alloc;
    uint32_t rownum;            /* data records after the header */
    bool failed;                /* d->error is set; ignore the rest */
};

static bool is_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return false;
    return true;
}

/* libcsv: no character is white space, so nothing is trimmed. */
static int never_space(unsigned char c)
{
    (void)c;
    return 0;
}

static void fail(struct csv_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fail(struct csv_state *st, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(st->d->error, sizeof(st->d->error), "%s: ", st->d->origin);

    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < sizeof(st->d->error))
        vsnprintf(st->d->error + n, sizeof(st->d->error) - (size_t)n, fmt, ap);
    va_end(ap);
    st->failed = true;
}

static void header_field(struct csv_state *st, size_t i, const char *s, size_t len)
{
    int col = sd_table_prop(st->t, s, len);

    if (i >= st->map_alloc) {
        size_t alloc = st->map_alloc ? st->map_alloc * 2 : 16;
        int *map = realloc(st->map, alloc * sizeof(*map));

        if (!map) {
            fail(st, "out of memory");
            return;
        }
        st->map = map;
        st->map_alloc = alloc;
    }
    st->map[i] = col;
    if (col < 0)
        return;                 /* PSComputerName, __GENUS, CimClass, ... */
    /* Two columns for one property: which one was meant cannot be known. */
    if (st->seen[col])
        fail(st, "CSV header has column %s twice", st->t->props[col]);
    st->seen[col] = true;
}

static void data_field(struct csv_state *st, size_t i, const char *s, size_t len)
{
    int col = i < st->ncols ? st->map[i] : -1;

    if (col < 0)
        return;
    if (st->len + len > st->alloc) {
        size_t alloc = st->alloc ? st->alloc : 1024;
        char *buf;

        while (alloc < st->len + len)
            alloc *= 2;
        buf = realloc(st->buf, alloc);
        if (!buf) {
            fail(st, "out of memory");
            return;
        }
        st->buf = buf;
        st->alloc = alloc;
    }
    if (len)                    /* libcsv may pass NULL for an empty cell */
        memcpy(st->buf + st->len, s, len);
    st->cell[col].off = st->len;
    st->cell[col].len = len;
    st->cell[col].set = true;
    st->len += len;
}

static void on_field(void *s, size_t len, void *data)
{
    struct csv_state *st = data;
    size_t i = st->nfields++;

    if (st->failed)
        return;
    st->blank = i == 0 && is_blank(s, len);
    if (!st->have_header)
        header_field(st, i, s, len);
    else
        data_field(st, i, s, len);
}

static void end_header(struct csv_state *st)
{
    const struct sd_table *t = st->t;

    st->have_header = true;
    st->ncols = st->nfields;
    for (size_t k = 0; k < t->ncols; k++)
        if ((t->cols[k].flags & SD_C_REQUIRED) && !st->seen[t->cols[k].prop]) {
            fail(st, "CSV header has no column %s", t->props[t->cols[k].prop]);
            return;
        }
}

/* A record whose shape is wrong never reaches the validation path, but is
 * counted and capped like any other. */
static void reject_shape(struct csv_state *st)
{
    char what[96];

    snprintf(what, sizeof(what), "has %zu fields, the header has %zu", st->nfields, st->ncols);
    if (sd_decode_reject(st->d, st->rownum, what) < 0)
        st->failed = true;              /* past the row cap, d->error says */
}

static void end_data(struct csv_state *st)
{
    struct sd_field f[SD_MAX_PROPS];

    st->rownum++;
    if (st->nfields != st->ncols) {
        reject_shape(st);
        return;
    }
    memset(f, 0, st->t->nprops * sizeof(f[0]));
    for (int c = 0; c < st->t->nprops; c++) {
        if (!st->cell[c].set)
            continue;           /* an optional column the header lacks */
        f[c].len = st->cell[c].len;
        f[c].kind = f[c].len ? SD_F_STRING : SD_F_NULL;
        /* an empty cell has no bytes: buf may still be NULL (a first row
         * of empty cells), and NULL + 0 is undefined */
        f[c].str = f[c].len ? st->buf + st->cell[c].off : "";
    }
    if (sd_decode_record(st->d, st->rownum, f) < 0)
        st->failed = true;
}

static void on_record(int c, void *data)
{
    struct csv_state *st = data;

    (void)c;
    if (!st->failed && !(st->nfields == 1 && st->blank)) {
        if (!st->have_header)
            end_header(st);
        else
            end_data(st);
    }
    st->nfields = 0;
    st->blank = false;
    st->len = 0;
    memset(st->cell, 0, st->t->nprops * sizeof(st->cell[0]));
}

/* Where the header starts: past leading white space and the "#TYPE ..."
 * line that Windows PowerShell's Export-Csv writes by default. */
static size_t skip_type_line(const char *buf, size_t len)
{
    size_t p = 0;
    const char *nl;

    while (p < len && (buf[p] == ' ' || buf[p] == '\t' || buf[p] == '\r' || buf[p] == '\n'))
        p++;
    if (len - p < 5 || strncasecmp(buf + p, "#TYPE", 5) != 0)
        return 0;
    nl = memchr(buf + p, '\n', len - p);
    return nl ? (size_t)(nl - buf) + 1 : len;
}

/* ';' when the header line has one and no ',' outside quotes (Export-Csv
 * -UseCulture in locales whose list separator is ';'), else ','. */
static unsigned char sniff_delim(const char *s, size_t len)
{
    size_t p = 0, commas = 0, semis = 0;
    bool quoted = false;

    while (p < len && (s[p] == ' ' || s[p] == '\t' || s[p] == '\r' || s[p] == '\n'))
        p++;
    for (; p < len; p++) {
        if (s[p] == '"')
            quoted = !quoted;
        else if (!quoted && (s[p] == '\n' || s[p] == '\r'))
            break;
        else if (!quoted && s[p] == ',')
            commas++;
        else if (!quoted && s[p] == ';')
            semis++;
    }
    return semis && !commas ? ';' : ',';
}

static unsigned long line_at(const char *buf, size_t pos)
{
    unsigned long line = 1;

    for (size_t i = 0; i < pos; i++)
        line += buf[i] == '\n';
    return line;
}

static void parse_error(struct csv_state *st, struct csv_parser *p, const char *buf,
                        size_t pos, bool at_end)
{
    int e = csv_error(p);

    if (e == CSV_ENOMEM)
        fail(st, "out of memory");
    else if (e != CSV_EPARSE)
        fail(st, "CSV error: %s", csv_strerror(e));
    else if (at_end)
        fail(st, "CSV error: unterminated quoted field at end of document");
    else
        fail(st, "CSV error at line %lu: malformed quoted field", line_at(buf, pos));
}

/* Feeds buf[start..len) to libcsv; 0, or -1 with d->error set. */
static int run_parser(struct csv_state *st, struct csv_parser *p, const char *buf,
                      size_t start, size_t len)
{
    for (size_t pos = start; pos < len && !st->failed;) {
        size_t chunk = len - pos < CSV_CHUNK ? len - pos : CSV_CHUNK;
        size_t done = csv_parse(p, buf + pos, chunk, on_field, on_record, st);

        if (done != chunk) {
            parse_error(st, p, buf, pos + done, false);
            return -1;
        }
        pos += chunk;
    }
    if (!st->failed && csv_fini(p, on_field, on_record, st) != 0)
        parse_error(st, p, buf, len, true);
    return st->failed ? -1 : 0;
}

int sd_decode_csv(struct sd_decode *d, const char *buf, size_t len)
{
    struct csv_state st;
    struct csv_parser p;
    size_t start = skip_type_line(buf, len);
    int rc;

    memset(&st, 0, sizeof(st));
    st.d = d;
    st.t = d->rows->t;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        snprintf(d->error, sizeof(d->error), "%s: out of memory", d->origin);
        return -1;
    }
    csv_set_delim(&p, sniff_delim(buf + start, len - start));
    csv_set_space_func(&p, never_space);
    rc = run_parser(&st, &p, buf, start, len);
    if (rc == 0 && !st.have_header) {
        snprintf(d->error, sizeof(d->error), "%s: CSV has no header", d->origin);
        rc = -1;
    }
    csv_free(&p);
    free(st.map);
    free(st.buf);
    return rc;
}
