/*
 * record: the one validation path, see record.h.
 *
 * The only place that decides whether a row can be served: each column of
 * the table's description is checked by its kind and limits, in the
 * description's order, and the first bad one is reported. The rules are the
 * table in doc/design.md.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "datetime.h"
#include "record.h"

/* One checked value, before it is stored in the row. */
struct sd_val {
    uint32_t u;                 /* UINT, BOOL */
    const char *s;              /* STRING, NALSERVER */
    size_t len;
    uint8_t date[SD_DATEANDTIME_LEN];
    uint8_t date_len;
};

/* How much of a bad value a message quotes: enough to find it in the
 * source, not enough to flood the log with a 100 kB cell. */
#define SHOW_MAX 40

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

#define BYTES(b) (0x0101010101010101ull * (b))

static int check_ascii(const struct sd_field *f, char *why, size_t n)
{
    size_t i = 0;

    /* Eight bytes at a time while all are 0x20..0x7e: none below 0x20
     * (the borrow trick), none at 0x7f or above (adding 1 reaches 0x80). */
    for (; i + 8 <= f->len; i += 8) {
        uint64_t w;

        memcpy(&w, f->str + i, 8);
        if ((((w - BYTES(0x20)) & ~w) | (w + BYTES(0x01)) | w) & BYTES(0x80))
            break;
    }
    for (; i < f->len; i++) {
        unsigned char c = (unsigned char)f->str[i];

        if (c < 0x20 || c > 0x7e)
            return say(why, n, f, "byte 0x%02x at offset %zu is not printable ASCII", c, i);
    }
    return 0;
}

/* A string column: absent or null is "" unless required, then ASCII and length. */
static int check_string(const struct sd_coldef *c, const struct sd_field *f, struct sd_val *v,
                        char *why, size_t n)
{
    v->s = "";
    v->len = 0;
    if (f->kind == SD_F_ABSENT || f->kind == SD_F_NULL) {
        if (!(c->flags & SD_C_REQUIRED))
            return 0;
        return say(why, n, NULL, f->kind == SD_F_ABSENT ? "missing" : "null or empty");
    }
    if (f->kind != SD_F_STRING)
        return say(why, n, f, "not a string");
    if (f->len == 0 && (c->flags & SD_C_NONEMPTY))
        return say(why, n, NULL, "empty");
    if (check_ascii(f, why, n) < 0)
        return -1;
    /* Never truncated: two IDs cut to the same prefix would be one row. */
    if (f->len > c->max)
        return say(why, n, f, (c->flags & SD_C_INDEX) ? "%zu characters, an index holds at most %u"
                                                      : "%zu characters, at most %u",
                   f->len, (unsigned)c->max);
    v->s = f->str;
    v->len = f->len;
    return 0;
}

/*
 * The server of a NAL path: the name between the last "\\" and the final
 * "\", as in ["Display=\\DP01.corp.example\"]MSWNET:["SMS_SITE=PS1"]\\DP01.corp.example\
 */
static int check_nal_server(const struct sd_coldef *c, const struct sd_field *f,
                            struct sd_val *v, char *why, size_t n)
{
    struct sd_val path;
    const char *s, *end;
    size_t len;

    /* the path's own length is its column's business (smsDistDPNALPath);
     * here only the server name must fit an index */
    if (check_string(&(struct sd_coldef){ .flags = SD_C_REQUIRED | SD_C_NONEMPTY,
                                          .max = UINT32_MAX }, f, &path, why, n) < 0)
        return -1;
    s = path.s;
    len = path.len;
    if (len < 4 || s[len - 1] != '\\')
        return say(why, n, f, "not a NAL path (no \\\\SERVER\\ at its end)");
    end = s + len - 1;
    const char *p = end;
    while (p > s && !(p[-1] == '\\' && p - 1 > s && p[-2] == '\\'))
        p--;
    if (p == s || p == end)
        return say(why, n, f, "not a NAL path (no \\\\SERVER\\ at its end)");
    for (const char *q = p; q < end; q++)
        if (*q == '\\' || *q == '"' || *q == ']')
            return say(why, n, f, "not a NAL path (no \\\\SERVER\\ at its end)");
    if ((size_t)(end - p) > c->max)
        return say(why, n, f, "server name of %zu characters, an index holds at most %u",
                   (size_t)(end - p), (unsigned)c->max);
    v->s = p;
    v->len = (size_t)(end - p);
    return 0;
}

static int check_bool(const struct sd_coldef *c, const struct sd_field *f, struct sd_val *v,
                      char *why, size_t n)
{
    v->u = 2;                   /* TruthValue false */
    switch (f->kind) {
    case SD_F_ABSENT:
    case SD_F_NULL:
        if (!(c->flags & SD_C_REQUIRED))
            return 0;
        return say(why, n, NULL, f->kind == SD_F_ABSENT ? "missing" : "null or empty");
    case SD_F_BOOL:
        v->u = f->i ? 1 : 2;
        return 0;
    case SD_F_STRING:
        /* Export-Csv writes True and False */
        if (f->len == 4 && strncasecmp(f->str, "true", 4) == 0) {
            v->u = 1;
            return 0;
        }
        if (f->len == 5 && strncasecmp(f->str, "false", 5) == 0)
            return 0;
        return say(why, n, f, "not true or false");
    default:
        return say(why, n, f, "not true or false");
    }
}

static int check_date(const struct sd_field *f, const struct sd_dateopts *dates,
                      struct sd_val *v, char *why, size_t n)
{
    char reason[256];

    if (f->kind == SD_F_ABSENT || f->kind == SD_F_NULL ||
        (f->kind == SD_F_STRING && f->len == 0)) {
        sd_date_unknown(v->date, &v->date_len);
        return 0;
    }
    if (f->kind != SD_F_STRING)
        return say(why, n, f, "not a string");
    if (sd_datetime_parse_opts(f->str, f->len, dates, v->date, reason, sizeof(reason)) < 0)
        return say(why, n, f, "%s", reason);
    v->date_len = SD_DATEANDTIME_LEN;
    return 0;
}

static int check_col(const struct sd_coldef *c, const struct sd_field *f,
                     const struct sd_dateopts *dates, struct sd_val *v, char *why, size_t n)
{
    switch (c->kind) {
    case SD_K_STRING:
        return check_string(c, f, v, why, n);
    case SD_K_NALSERVER:
        return check_nal_server(c, f, v, why, n);
    case SD_K_UINT:
        if (!(c->flags & SD_C_REQUIRED) && (f->kind == SD_F_ABSENT || f->kind == SD_F_NULL)) {
            v->u = 0;
            return 0;
        }
        return check_uint(f, c->max, &v->u, why, n);
    case SD_K_BOOL:
        return check_bool(c, f, v, why, n);
    case SD_K_DATE:
        return check_date(f, dates, v, why, n);
    }
    return say(why, n, NULL, "unknown column kind");
}

/* Refuses the document once the row cap is passed; 0 while under it. */
static int row_cap(struct sd_decode *d, unsigned long long n)
{
    if (d->max_rows && n > d->max_rows) {
        snprintf(d->error, sizeof(d->error), "%s: more than %zu rows (maxRows %zu)",
                 d->origin, d->max_rows, d->max_rows);
        return -1;
    }
    return 0;
}

int sd_decode_reject(struct sd_decode *d, uint32_t rownum, const char *what)
{
    unsigned long long n = (unsigned long long)d->row_base + rownum;

    if (row_cap(d, n) < 0)
        return -1;
    d->rows_seen++;
    d->rejected++;
    if (d->msgs)
        sd_msgs_add(d->msgs, SD_MSG_WARN, "%s: row %llu: %s; row skipped", d->origin, n, what);
    return 0;
}

int sd_decode_record(struct sd_decode *d, uint32_t rownum, const struct sd_field fields[])
{
    struct sd_rows *rows = d->rows;
    const struct sd_table *t = rows->t;
    unsigned long long n = (unsigned long long)d->row_base + rownum;
    size_t mark = rows->arena_len;
    unsigned char *row;
    char why[512];

    if (row_cap(d, n) < 0)
        return -1;
    d->rows_seen++;
    if (!(row = sd_rows_reserve(rows)))
        goto oom;
    for (size_t k = 0; k < t->ncols; k++) {
        const struct sd_coldef *c = &t->cols[k];
        struct sd_val v;

        if (check_col(c, &fields[c->prop], d->dates, &v, why, sizeof(why)) < 0) {
            rows->arena_len = mark;     /* the slot is not committed */
            d->rejected++;
            if (d->msgs)
                sd_msgs_add(d->msgs, SD_MSG_WARN, "%s: row %llu: %s: %s; row skipped",
                            d->origin, n, c->name, why);
            return 0;
        }
        switch (c->kind) {
        case SD_K_STRING:
        case SD_K_NALSERVER:
            if (sd_rows_set_str(rows, row, c, v.s, v.len) < 0)
                goto oom;
            break;
        case SD_K_UINT:
            memcpy(row + c->off, &v.u, sizeof(v.u));
            break;
        case SD_K_BOOL:
            row[c->off] = (uint8_t)v.u;
            break;
        case SD_K_DATE:
            memcpy(row + c->off, v.date, SD_DATEANDTIME_LEN);
            row[c->aux] = v.date_len;
            break;
        }
    }
    sd_rows_commit(rows, row, (uint32_t)n);
    return 0;

oom:
    rows->arena_len = mark;
    snprintf(d->error, sizeof(d->error), "%s: out of memory at row %llu", d->origin, n);
    return -1;
}
