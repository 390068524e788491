/*
 * decode: document dispatch and the one row validation path, see decode.h.
 *
 * Owns the column names, the format sniffing (JSON or CSV, by the first
 * character that is not white space) and sd_decode_record(), the only place
 * that decides whether a row can be served: every format hands its records
 * here as sd_fields, so a value means the same in JSON as in CSV. The
 * validation rules are the table in doc/design.md.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "datetime.h"
#include "decode.h"

/* How much of a bad value a message quotes: enough to find it in the
 * source, not enough to flood the log with a 100 kB cell. */
#define SHOW_MAX 40
#define UINT32_LIMIT 4294967295u
#define INT32_LIMIT 2147483647u

const char *const sd_col_names[SD_NCOLS] = {
    [SD_COL_OBJECTID] = "ObjectID",
    [SD_COL_MESSAGECATEGORY] = "MessageCategory",
    [SD_COL_ASSETS] = "Assets",
    [SD_COL_LASTUPDATEDATE] = "LastUpdateDate",
    [SD_COL_OBJECTTYPEID] = "ObjectTypeID",
    [SD_COL_PACKAGEID] = "PackageID",
    [SD_COL_TYPE] = "Type",
};

int sd_col_lookup(const char *name, size_t len)
{
    for (int i = 0; i < SD_NCOLS; i++)
        if (strlen(sd_col_names[i]) == len && strncasecmp(sd_col_names[i], name, len) == 0)
            return i;
    return -1;
}

void sd_decode_init(struct sd_decode *d, const char *origin,
                    struct sd_rows *rows, struct sd_msgs *msgs)
{
    memset(d, 0, sizeof(*d));
    d->origin = origin;
    d->rows = rows;
    d->msgs = msgs;
}

void sd_decode_fini(struct sd_decode *d)
{
    free(d->next_link);
    d->next_link = NULL;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int sd_decode_document(struct sd_decode *d, const char *buf, size_t len)
{
    const char *text;
    char *owned;
    size_t n, p = 0;
    int rc;

    d->error[0] = '\0';
    if (sd_text_utf8(d, buf, len, &text, &n, &owned) < 0)
        return -1;
    while (p < n && is_space(text[p]))
        p++;
    if (p == n) {
        snprintf(d->error, sizeof(d->error), "%s: empty document", d->origin);
        rc = -1;
    } else if (text[p] == '{' || text[p] == '[') {
        rc = sd_decode_json(d, text, n);
    } else {
        rc = sd_decode_csv(d, text, n);
    }
    free(owned);
    return rc;
}

/* ---- validation --------------------------------------------------------- */

/* The value as the source wrote it, for a message: strings quoted, with
 * anything that is not printable ASCII escaped, cut at SHOW_MAX. */
static void show(const struct sd_field *f, char *buf, size_t n)
{
    size_t o = 0;

    switch (f->kind) {
    case SD_F_INT:
        snprintf(buf, n, "%lld", f->i);
        return;
    case SD_F_REAL:
        snprintf(buf, n, "%g", f->r);
        return;
    case SD_F_BOOL:
        snprintf(buf, n, "%s", f->i ? "true" : "false");
        return;
    case SD_F_STRING:
        break;
    default:
        buf[0] = '\0';
        return;
    }
    o += (size_t)snprintf(buf, n, "\"");
    for (size_t i = 0; i < f->len && i < SHOW_MAX && o < n; i++) {
        unsigned char c = (unsigned char)f->str[i];

        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
            o += (size_t)snprintf(buf + o, n - o, c == '"' || c == '\\' ? "\\%c" : "\\x%02x", c);
        else
            o += (size_t)snprintf(buf + o, n - o, "%c", c);
    }
    if (o < n)
        snprintf(buf + o, n - o, "%s\"", f->len > SHOW_MAX ? "..." : "");
}

/* Writes the reason, followed by the offending value when there is one
 * (f non-NULL); returns -1 so checks can `return say(...)`. */
static int say(char *why, size_t n, const struct sd_field *f, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int say(char *why, size_t n, const struct sd_field *f, const char *fmt, ...)
{
    va_list ap;
    size_t o;
    char value[4 * SHOW_MAX + 8];

    va_start(ap, fmt);
    vsnprintf(why, n, fmt, ap);
    va_end(ap);
    o = strlen(why);
    if (f && f->kind != SD_F_ABSENT && f->kind != SD_F_NULL && f->kind != SD_F_OTHER && o < n) {
        show(f, value, sizeof(value));
        snprintf(why + o, n - o, " (%s)", value);
    }
    return -1;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static size_t span_digits(const char *s, size_t len)
{
    size_t p = 0;

    while (p < len && is_digit(s[p]))
        p++;
    return p;
}

/* Decimal number syntax (digits, optional fraction, optional exponent), to
 * tell "1.5" (a number, but not an integer) from "abc" in messages. */
static bool looks_numeric(const char *s, size_t len)
{
    size_t p = span_digits(s, len), mant = p;

    if (p < len && s[p] == '.') {
        size_t f = span_digits(s + p + 1, len - p - 1);

        mant += f;
        p += 1 + f;
    }
    if (mant == 0)
        return false;
    if (p < len && (s[p] == 'e' || s[p] == 'E')) {
        size_t e;

        p++;
        if (p < len && (s[p] == '+' || s[p] == '-'))
            p++;
        e = span_digits(s + p, len - p);
        if (e == 0)
            return false;
        p += e;
    }
    return p == len;
}

static bool has_space(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (is_space(s[i]) || s[i] == '\v' || s[i] == '\f')
            return true;
    return false;
}

/* A decimal string: digits only, no sign, no spaces, at most max. */
static int check_uint_string(const struct sd_field *f, uint32_t max, uint32_t *out,
                             char *why, size_t n)
{
    const char *s = f->str;
    size_t len = f->len, sign;
    uint64_t v = 0;

    if (len == 0)
        return say(why, n, NULL, "null or empty");
    if (span_digits(s, len) == len) {
        for (size_t i = 0; i < len; i++) {
            v = v * 10 + (uint64_t)(s[i] - '0');
            if (v > max)
                return say(why, n, f, "out of range 0..%lu", (unsigned long)max);
        }
        *out = (uint32_t)v;
        return 0;
    }
    if (has_space(s, len))
        return say(why, n, f, "spaces not allowed");
    sign = s[0] == '-' || s[0] == '+';
    if (sign && looks_numeric(s + 1, len - 1))
        return say(why, n, f, s[0] == '-' ? "negative" : "sign not allowed");
    if (looks_numeric(s, len))
        return say(why, n, f, "real number, not an integer");
    return say(why, n, f, "not a number");
}

static int check_uint(const struct sd_field *f, uint32_t max, uint32_t *out,
                      char *why, size_t n)
{
    switch (f->kind) {
    case SD_F_ABSENT:
        return say(why, n, NULL, "missing");
    case SD_F_NULL:
        return say(why, n, NULL, "null or empty");
    case SD_F_BOOL:
        return say(why, n, f, "boolean, not a number");
    case SD_F_REAL:
        return say(why, n, f, "real number, not an integer");
    case SD_F_INT:
        if (f->i < 0)
            return say(why, n, f, "negative");
        if ((unsigned long long)f->i > max)
            return say(why, n, f, "out of range 0..%lu", (unsigned long)max);
        *out = (uint32_t)f->i;
        return 0;
    case SD_F_STRING:
        return check_uint_string(f, max, out, why, n);
    default:
        return say(why, n, NULL, "object or array, not a number");
    }
}

static int check_ascii(const struct sd_field *f, char *why, size_t n)
{
    for (size_t i = 0; i < f->len; i++) {
        unsigned char c = (unsigned char)f->str[i];

        if (c < 0x20 || c > 0x7e)
            return say(why, n, f, "byte 0x%02x at offset %zu is not printable ASCII", c, i);
    }
    return 0;
}

static int check_object_id(const struct sd_field *f, struct sd_row_in *in, char *why, size_t n)
{
    if (f->kind == SD_F_ABSENT)
        return say(why, n, NULL, "missing");
    if (f->kind == SD_F_NULL)
        return say(why, n, NULL, "null or empty");
    if (f->kind != SD_F_STRING)
        return say(why, n, f, "not a string");
    if (f->len == 0)
        return say(why, n, NULL, "empty");
    if (check_ascii(f, why, n) < 0)
        return -1;
    /* Never truncated: two IDs cut to the same prefix would be one row. */
    if (f->len > SD_OBJECTID_MAX)
        return say(why, n, f, "%zu characters, an index holds at most %d",
                   f->len, SD_OBJECTID_MAX);
    in->object_id = f->str;
    in->object_id_len = f->len;
    return 0;
}

static int check_package_id(const struct sd_field *f, struct sd_row_in *in, char *why, size_t n)
{
    in->package_id = "";
    in->package_id_len = 0;
    if (f->kind == SD_F_ABSENT || f->kind == SD_F_NULL)
        return 0;
    if (f->kind != SD_F_STRING)
        return say(why, n, f, "not a string");
    if (check_ascii(f, why, n) < 0)
        return -1;
    if (f->len > SD_DISPLAYSTRING_MAX)
        return say(why, n, f, "%zu characters, at most %d", f->len, SD_DISPLAYSTRING_MAX);
    in->package_id = f->str;
    in->package_id_len = f->len;
    return 0;
}

static int check_date(const struct sd_field *f, const struct sd_dateopts *dates,
                      struct sd_row_in *in, char *why, size_t n)
{
    char reason[256];

    if (f->kind == SD_F_ABSENT || f->kind == SD_F_NULL ||
        (f->kind == SD_F_STRING && f->len == 0)) {
        sd_date_unknown(in->date, &in->date_len);
        return 0;
    }
    if (f->kind != SD_F_STRING)
        return say(why, n, f, "not a string");
    if (sd_datetime_parse_opts(f->str, f->len, dates, in->date, reason, sizeof(reason)) < 0)
        return say(why, n, f, "%s", reason);
    in->date_len = SD_DATEANDTIME_LEN;
    return 0;
}

/* Fills *in from the fields; returns the first bad column, or -1. */
static int check_row(const struct sd_field f[SD_NCOLS], const struct sd_dateopts *dates,
                     struct sd_row_in *in, char *why, size_t n)
{
    uint32_t type = 0;

    if (check_object_id(&f[SD_COL_OBJECTID], in, why, n) < 0)
        return SD_COL_OBJECTID;
    if (check_uint(&f[SD_COL_MESSAGECATEGORY], UINT32_LIMIT, &in->category, why, n) < 0)
        return SD_COL_MESSAGECATEGORY;
    if (check_uint(&f[SD_COL_ASSETS], UINT32_LIMIT, &in->assets, why, n) < 0)
        return SD_COL_ASSETS;
    if (check_date(&f[SD_COL_LASTUPDATEDATE], dates, in, why, n) < 0)
        return SD_COL_LASTUPDATEDATE;
    /* ObjectTypeID and Type are INTEGER textual conventions in the MIB. */
    if (check_uint(&f[SD_COL_OBJECTTYPEID], INT32_LIMIT, &in->object_type, why, n) < 0)
        return SD_COL_OBJECTTYPEID;
    if (check_package_id(&f[SD_COL_PACKAGEID], in, why, n) < 0)
        return SD_COL_PACKAGEID;
    if (check_uint(&f[SD_COL_TYPE], INT32_LIMIT, &type, why, n) < 0)
        return SD_COL_TYPE;
    in->type = (int32_t)type;
    return -1;
}

int sd_decode_record(struct sd_decode *d, uint32_t rownum,
                     const struct sd_field fields[SD_NCOLS])
{
    unsigned long long n = (unsigned long long)d->row_base + rownum;
    struct sd_row_in in;
    char why[512];
    int bad;

    if (d->max_rows && n > d->max_rows) {
        snprintf(d->error, sizeof(d->error), "%s: more than %zu rows (maxRows %zu)",
                 d->origin, d->max_rows, d->max_rows);
        return -1;
    }
    d->rows_seen++;
    memset(&in, 0, sizeof(in));
    bad = check_row(fields, d->dates, &in, why, sizeof(why));
    if (bad >= 0) {
        d->rejected++;
        if (d->msgs)
            sd_msgs_add(d->msgs, SD_MSG_WARN, "%s: row %llu: %s: %s; row skipped",
                        d->origin, n, sd_col_names[bad], why);
        return 0;
    }
    in.seq = (uint32_t)n;
    if (sd_rows_add(d->rows, &in) < 0) {
        snprintf(d->error, sizeof(d->error), "%s: out of memory at row %llu", d->origin, n);
        return -1;
    }
    return 0;
}
