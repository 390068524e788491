/*
 * decode_json: JSON documents to records, streamed with YAJL (see decode.h).
 *
 * Owns the JSON shapes exports come in: the AdminService envelope
 * {"@odata.context": ..., "value": [...], "@odata.nextLink": ...}, a plain
 * array (ConvertTo-Json of a collection), and a lone object (Windows
 * PowerShell's ConvertTo-Json unwraps a one-element array). It maps each
 * element's keys to columns and leaves every judgement about values to
 * sd_decode_record().
 *
 * No document tree is built: yajl's callbacks collect an element's seven
 * properties into sd_fields as the events arrive and hand them to
 * sd_decode_record() when the element's object closes; other keys and their
 * values, at any depth, are skipped. The document is still judged whole, as
 * when it was parsed into a tree first: a syntax error anywhere wins over a
 * refusal found before it (row cap, "@odata.nextLink"), and a refused
 * document takes back the rows, messages and counts it added, so rows, msgs,
 * rows_seen and rejected are left as they were found.
 *
 * What the parser lets through and we do not: text that is not strict UTF-8
 * (overlong forms, surrogates, beyond U+10FFFF; yajl checks only the shape
 * of a sequence), vertical tab and form feed (yajl takes them for white
 * space), a lone UTF-16 surrogate escape (yajl writes '?' for it: an
 * ObjectID would change on the way), a NUL in a key, numbers that do not fit
 * a long long or a double, nesting deeper than MAX_DEPTH, and a top level
 * that is not an array or an object. All refuse the document, with the
 * reasons jansson, the parser before, gave.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yajl/yajl_parse.h>

#include "record.h"

/* Deeper nesting is refused (jansson's limit, so the same documents are);
 * yajl's own stack is on the heap and has none. */
#define MAX_DEPTH 2048

/* What the next value in an object is for: a property (0..SD_MAX_PROPS-1),
 * the envelope's keys, or nothing. */
enum {
    T_IGNORE = -1,
    T_VALUE = SD_MAX_PROPS,
    T_NEXTLINK
};

#define NO_OFF ((size_t)-1)

/* One object's properties as they arrive. Strings that point into
 * the document are kept as pointers; the others (decoded escapes, which
 * live in yajl's buffer only during the callback) are copied to the arena,
 * which is reused from element to element. */
struct rec {
    struct sd_field f[SD_MAX_PROPS];
    size_t off[SD_MAX_PROPS];           /* arena offset of a copied string, or NO_OFF */
    char name[SD_MAX_PROPS][24];        /* the key as first written */
    int twice;                          /* first column keyed twice in differing case, or -1 */
    char *arena;
    size_t len, alloc;
};

struct jctx {
    struct sd_decode *d;
    yajl_handle h;
    const char *buf;
    size_t len;                         /* bytes given to yajl */
    bool completing;                    /* in yajl_complete_parse: offsets are not ours */
    const struct sd_table *t;           /* whose properties a record has */
    size_t nprops;
    size_t col_len[SD_MAX_PROPS];

    unsigned depth;                     /* containers open */
    int top;                            /* 0, '[' or '{' */
    size_t top_end;                     /* where it closed */
    unsigned rows_level;                /* depth directly inside the rows array, or 0 */
    bool in_elem;                       /* an element object is open at rows_level + 1 */
    uint32_t rownum;
    struct rec elem, obj;               /* the element; the top-level object */
    int elem_target, obj_target;

    /* the envelope: the first key of each name (any case) counts, with the
     * last value given under exactly that key (what a tree gave) */
    bool value_seen, value_is_array;
    char value_name[5];
    bool class_seen;                    /* the table's class name as a key (a combined export) */
    char class_name[64];
    bool link_seen;
    char link_name[15];
    enum sd_field_kind link_kind;
    bool link_nul;                      /* the link's string has a "\u0000" */
    char *link;

    bool failed;                        /* refused, d->error says why; parsing goes on */
    bool oom;
    const char *reason;                 /* a syntax-level refusal from a callback */
    char reason_buf[80];
    size_t err_off;
    char *num;                          /* a number's text, NUL-terminated */
    size_t num_alloc;

    /* what the document found, to give back on refusal */
    size_t rows_n0, arena0, msgs_n0;
    unsigned long dropped0, rejected0;
    uint32_t seen0;
};

/* ---- positions and refusals ----------------------------------------------- */

/* Line and column (1-based, in characters) of the byte before `off`: the
 * last one the parser read, as jansson counted. */
static void position(const char *buf, size_t off, int *line, int *col)
{
    const char *p = buf, *end = buf + off, *nl;
    int l = 1, c = 0;

    while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        l++;
        p = nl + 1;
    }
    for (; p < end; p++)
        if (((unsigned char)*p & 0xc0) != 0x80)
            c++;
    *line = l;
    *col = c;
}

/* bad_byte: the error is the byte at off (it is not a character: not counted) */
static void refuse_at(struct jctx *c, size_t off, bool bad_byte, const char *reason)
{
    int line, col;

    position(c->buf, off, &line, &col);
    col += bad_byte;
    snprintf(c->d->error, sizeof(c->d->error), "%s: JSON error at line %d, column %d: %s",
             c->d->origin, line, col, reason);
}

/* From a callback: stop the parse, reporting where the parser is. */
static int syntax(struct jctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int syntax(struct jctx *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->reason_buf, sizeof(c->reason_buf), fmt, ap);
    va_end(ap);
    c->reason = c->reason_buf;
    c->err_off = c->completing ? c->len : yajl_get_bytes_consumed(c->h);
    return 0;
}

static int out_of_memory(struct jctx *c)
{
    snprintf(c->d->error, sizeof(c->d->error), "%s: out of memory", c->d->origin);
    c->oom = true;
    return 0;
}

/* A refusal that is not about syntax: noted, and the rest is still parsed
 * (a syntax error further on is what the document is refused for). */
static void refuse(struct jctx *c, const char *what)
{
    snprintf(c->d->error, sizeof(c->d->error), "%s: %s", c->d->origin, what);
    c->failed = true;
}

/* Takes back what this document added to rows, msgs and the counts. */
static void rollback(struct jctx *c)
{
    struct sd_decode *d = c->d;

    d->rows->n = c->rows_n0;
    d->rows->arena_len = c->arena0;
    if (d->msgs) {
        for (size_t i = c->msgs_n0; i < d->msgs->n; i++)
            free(d->msgs->v[i].text);
        d->msgs->n = c->msgs_n0;
        d->msgs->dropped = c->dropped0;
    }
    d->rows_seen = c->seen0;
    d->rejected = c->rejected0;
}

/* The reason in yajl's short error text ("parse error: premature EOF\n"),
 * in jansson's words where it had some. */
static void yajl_reason(struct jctx *c, char *out, size_t n)
{
    unsigned char *e = yajl_get_error(c->h, 0, (const unsigned char *)c->buf, c->len);
    const char *r = e ? (const char *)e : "syntax error";
    size_t l;

    if (strncmp(r, "parse error: ", 13) == 0)
        r += 13;
    else if (strncmp(r, "lexical error: ", 15) == 0)
        r += 15;
    if (strncmp(r, "premature EOF", 13) == 0)
        r = "premature end of input";
    else if (strncmp(r, "trailing garbage", 16) == 0)
        r = "end of file expected";
    snprintf(out, n, "%s", r);
    l = strlen(out);
    while (l > 0 && (out[l - 1] == '\n' || out[l - 1] == '.' || out[l - 1] == ' '))
        out[--l] = '\0';
    if (e)
        yajl_free_error(c->h, e);
}

/* ---- text checks the parser does not make ------------------------------------ */

#define BYTES(b) (0x0101010101010101ull * (b))
/* Whether one of the eight bytes of w is zero. */
#define HAS_ZERO(w) (((w) - BYTES(0x01)) & ~(w) & BYTES(0x80))

/* Offset of the first byte that does not start a valid UTF-8 sequence
 * (RFC 3629), or is a vertical tab or form feed (white space to yajl, not
 * to JSON), or len. ASCII goes eight bytes at a time. */
static size_t first_bad(const unsigned char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        uint64_t w;
        uint32_t v;
        size_t n;
        unsigned char u = s[i];

        if (len - i >= 8) {
            memcpy(&w, s + i, 8);
            if (!(w & BYTES(0x80)) && !HAS_ZERO(w ^ BYTES(0x0b)) && !HAS_ZERO(w ^ BYTES(0x0c))) {
                i += 8;
                continue;
            }
        }
        if (u == 0x0b || u == 0x0c)
            return i;
        if (u < 0x80) {
            i++;
            continue;
        }
        if (u >= 0xc2 && u <= 0xdf) {
            n = 2;
            v = u & 0x1f;
        } else if (u >= 0xe0 && u <= 0xef) {
            n = 3;
            v = u & 0x0f;
        } else if (u >= 0xf0 && u <= 0xf4) {
            n = 4;
            v = u & 0x07;
        } else {
            return i;
        }
        if (len - i < n)
            return i;
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return i;
            v = (v << 6) | (s[i + k] & 0x3f);
        }
        if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) || (n == 3 && v < 0x800) ||
            (n == 4 && v < 0x10000))
            return i;
        i += n;
    }
    return len;
}

static unsigned hex4(const char *p)
{
    unsigned v = 0;

    for (int i = 0; i < 4; i++) {
        char h = p[i];

        v = v * 16 + (unsigned)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
    }
    return v;
}

/* A string yajl had to decode (it had escapes): its \u escapes in the
 * document, which yajl has checked for form, must pair surrogates. */
static int check_escapes(struct jctx *c)
{
    const char *b = c->buf;
    size_t q = yajl_get_bytes_consumed(c->h) - 1;       /* the closing quote */
    size_t i = q;

    /* the opening quote: the nearest '"' not escaped by an odd run of '\' */
    while (i-- > 0) {
        if (b[i] == '"') {
            size_t k = i;

            while (k > 0 && b[k - 1] == '\\')
                k--;
            if (((i - k) & 1) == 0)
                break;
        }
    }
    for (size_t p = i + 1; p < q; p++) {
        unsigned v, w;

        if (b[p] != '\\')
            continue;
        if (b[++p] != 'u')
            continue;
        v = hex4(b + p + 1);
        p += 4;
        if (v >= 0xd800 && v <= 0xdbff) {
            if (p + 2 < q && b[p + 1] == '\\' && b[p + 2] == 'u') {
                w = hex4(b + p + 3);
                if (w >= 0xdc00 && w <= 0xdfff) {
                    p += 6;
                    continue;
                }
                return syntax(c, "invalid Unicode '\\u%04X\\u%04X'", v, w);
            }
            return syntax(c, "invalid Unicode '\\u%04X'", v);
        }
        if (v >= 0xdc00 && v <= 0xdfff)
            return syntax(c, "invalid Unicode '\\u%04X'", v);
    }
    return 1;
}

static bool in_document(const struct jctx *c, const void *s, size_t len)
{
    uintptr_t p = (uintptr_t)s, b = (uintptr_t)c->buf;

    return p >= b && p - b <= c->len && len <= c->len - (p - b);
}

/* ---- records ------------------------------------------------------------------- */

static void rec_reset(struct rec *r, size_t nprops)
{
    memset(r->f, 0, nprops * sizeof(r->f[0]));
    for (size_t i = 0; i < nprops; i++)
        r->off[i] = NO_OFF;
    r->twice = -1;
    r->len = 0;
}

static int col_of(const struct jctx *c, const char *key, size_t len)
{
    for (size_t i = 0; i < c->nprops; i++)
        if (c->col_len[i] == len && strncasecmp(key, c->t->props[i], len) == 0)
            return (int)i;
    return -1;
}

/* A key of a record object: the column its value goes to, or T_IGNORE. */
static int rec_key(const struct jctx *c, struct rec *r, const char *key, size_t len)
{
    int col = col_of(c, key, len);

    if (col < 0)
        return T_IGNORE;                /* @odata.etag, __GENUS, PSComputerName, ... */
    if (r->f[col].kind == SD_F_ABSENT) {
        memcpy(r->name[col], key, len);
        return col;
    }
    if (memcmp(r->name[col], key, len) == 0)
        return col;                     /* the same key again: the last value counts */
    /* "Type" and "type": which one was meant cannot be known. */
    if (r->twice < 0)
        r->twice = col;
    return T_IGNORE;
}

static int rec_set(struct jctx *c, struct rec *r, int col, const struct sd_field *v)
{
    r->f[col] = *v;
    r->off[col] = NO_OFF;
    if (v->kind == SD_F_STRING && !in_document(c, v->str, v->len)) {
        if (r->len + v->len > r->alloc) {
            size_t alloc = r->alloc ? r->alloc : 256;
            char *a;

            while (alloc < r->len + v->len)
                alloc *= 2;
            a = realloc(r->arena, alloc);
            if (!a)
                return out_of_memory(c);
            r->arena = a;
            r->alloc = alloc;
        }
        if (v->len)
            memcpy(r->arena + r->len, v->str, v->len);
        r->off[col] = r->len;
        r->f[col].str = NULL;
        r->len += v->len;
    }
    return 1;
}

static bool over_cap(const struct jctx *c, uint32_t rownum)
{
    const struct sd_decode *d = c->d;

    return d->max_rows && (unsigned long long)d->row_base + rownum > d->max_rows;
}

static void refuse_cap(struct jctx *c)
{
    char what[128];

    snprintf(what, sizeof(what), "more than %zu rows (maxRows %zu)", c->d->max_rows,
             c->d->max_rows);
    refuse(c, what);
}

/* A record the validation path cannot even look at: counted and reported
 * like a rejected row. */
static void reject_element(struct jctx *c, uint32_t rownum, const char *what)
{
    if (!c->failed && sd_decode_reject(c->d, rownum, what) < 0)
        c->failed = true;               /* past the row cap, d->error says */
}

static void finish_record(struct jctx *c, struct rec *r, uint32_t rownum)
{
    char what[64];

    if (c->failed)
        return;
    if (r->twice >= 0) {
        snprintf(what, sizeof(what), "%s: given twice (keys differ in case)",
                 c->t->props[r->twice]);
        reject_element(c, rownum, what);
        return;
    }
    for (size_t i = 0; i < c->nprops; i++)
        if (r->off[i] != NO_OFF)        /* arena is NULL until a byte is kept */
            r->f[i].str = r->f[i].len ? r->arena + r->off[i] : "";
    if (sd_decode_record(c->d, rownum, r->f) < 0)
        c->failed = true;               /* row cap or out of memory, d->error says */
}

/* The top-level object has closed: an envelope, a lone record, or neither. */
static void finish_top_object(struct jctx *c)
{
    if (c->value_seen || c->class_seen) {
        if (!c->value_is_array) {
            char what[128];

            snprintf(what, sizeof(what), "JSON \"%s\" is not an array",
                     c->value_seen ? "value" : c->t->wmi_class);
            refuse(c, what);
            return;
        }
        if (c->link_kind != SD_F_ABSENT && c->link_kind != SD_F_NULL &&
            c->link_kind != SD_F_STRING) {
            /* A next link we cannot follow would serve a silently partial table. */
            refuse(c, "JSON \"@odata.nextLink\" is not a string");
            return;
        }
        if (c->link_kind == SD_F_STRING && c->link_nul) {
            /* Cut at the NUL it would be another URL, and another page. */
            refuse(c, "JSON \"@odata.nextLink\" contains a NUL character");
            return;
        }
        if (!c->d->class_only) {
            c->d->next_link = c->link;
            c->link = NULL;
        }
        return;
    }
    if (c->d->class_only)
        return;                         /* no array of this class: class_absent */
    if (c->obj.f[c->t->key_prop].kind != SD_F_ABSENT) {
        finish_record(c, &c->obj, 1);
        return;
    }
    if (c->t == &sd_table_status) {
        refuse(c, "JSON object has neither a \"value\" array nor an ObjectID");
    } else {
        char what[200];

        snprintf(what, sizeof(what), "JSON object has no \"%s\" array, no \"value\" array "
                 "and no %s", c->t->wmi_class, c->t->props[c->t->key_prop]);
        refuse(c, what);
    }
}

/* ---- the envelope's keys ------------------------------------------------------ */

/* Whether key is the envelope key `name` (any case): 0 no, 1 yes (*target
 * set for its value: the first such key, or the same key written the same
 * way), -1 yes but spelled differently from an earlier one: two different
 * tables or next pages, of which one would be dropped silently. */
static int envelope_key(const char *key, size_t len, const char *name, bool *seen,
                        char *first, int t, int *target)
{
    size_t n = strlen(name);

    if (len != n || strncasecmp(key, name, n) != 0)
        return 0;
    if (!*seen) {
        *seen = true;
        memcpy(first, key, n);
        *target = t;
        return 1;
    }
    *target = T_IGNORE;
    if (memcmp(first, key, n) != 0)
        return -1;
    *target = t;
    return 1;
}

static int top_key(struct jctx *c, const char *key, size_t len)
{
    bool again = c->value_seen || c->class_seen;
    /* A combined export names each class's array by the class. */
    int is_class = envelope_key(key, len, c->t->wmi_class, &c->class_seen, c->class_name,
                                T_VALUE, &c->obj_target);
    if (c->d->class_only && !is_class) {
        c->obj_target = T_IGNORE;       /* only the class's array is ours */
        return 1;
    }
    int is_value = is_class ? is_class
                            : envelope_key(key, len, "value", &c->value_seen, c->value_name,
                                           T_VALUE, &c->obj_target);
    int is_link = is_value ? 0 : envelope_key(key, len, "@odata.nextLink", &c->link_seen,
                                              c->link_name, T_NEXTLINK, &c->obj_target);

    if (is_class < 0) {
        char what[128];

        snprintf(what, sizeof(what), "JSON object has \"%s\" twice (keys differ in case)",
                 c->t->wmi_class);
        refuse(c, what);
        return 1;
    }
    if (is_value < 0 || is_link < 0) {
        refuse(c, is_value ? "JSON envelope has \"value\" twice (keys differ in case)"
                           : "JSON envelope has \"@odata.nextLink\" twice (keys differ in case)");
        return 1;
    }
    if (c->class_seen && c->value_seen) {
        char what[128];

        snprintf(what, sizeof(what), "JSON object has both \"value\" and \"%s\"",
                 c->t->wmi_class);
        refuse(c, what);
        return 1;
    }
    if (is_value) {
        if (again && c->obj_target == T_VALUE) {
            /* {"value": [...], "value": [...]}: the last one is the table */
            rollback(c);
            c->failed = false;
            c->d->error[0] = '\0';
            c->rownum = 0;
        }
        return 1;
    }
    if (is_link)
        return 1;
    c->obj_target = rec_key(c, &c->obj, key, len);
    return 1;
}

/* ---- callbacks ---------------------------------------------------------------- */

/* A scalar value, wherever it is. */
static int value(struct jctx *c, const struct sd_field *v)
{
    int t;

    if (c->depth == 0)
        return syntax(c, "'[' or '{' expected");
    if (c->top == '{' && c->depth == 1) {
        t = c->obj_target;
        c->obj_target = T_IGNORE;
        if (t == T_VALUE) {
            c->value_is_array = false;
        } else if (t == T_NEXTLINK) {
            free(c->link);
            c->link = NULL;
            c->link_kind = v->kind;
            c->link_nul = v->kind == SD_F_STRING && memchr(v->str, '\0', v->len) != NULL;
            if (v->kind == SD_F_STRING && !(c->link = strndup(v->str, v->len)))
                return out_of_memory(c);
        } else if (t >= 0) {
            return rec_set(c, &c->obj, t, v);
        }
        return 1;
    }
    if (c->in_elem && c->depth == c->rows_level + 1) {
        t = c->elem_target;
        c->elem_target = T_IGNORE;
        return t >= 0 ? rec_set(c, &c->elem, t, v) : 1;
    }
    if (c->rows_level && c->depth == c->rows_level)
        reject_element(c, ++c->rownum, "not an object");
    return 1;
}

static int on_null(void *ctx)
{
    return value(ctx, &(struct sd_field){ .kind = SD_F_NULL });
}

static int on_boolean(void *ctx, int b)
{
    return value(ctx, &(struct sd_field){ .kind = SD_F_BOOL, .i = b != 0 });
}

static int on_number(void *ctx, const char *s, size_t len)
{
    struct jctx *c = ctx;
    struct sd_field v = { .kind = SD_F_INT };
    bool neg = s[0] == '-';
    char *end;

    if (!memchr(s, '.', len) && !memchr(s, 'e', len) && !memchr(s, 'E', len) &&
        len - neg <= 18) {
        /* the common case, and it cannot overflow */
        long long i = 0;

        for (size_t k = neg; k < len; k++)
            i = i * 10 + (s[k] - '0');
        v.i = neg ? -i : i;
        return value(c, &v);
    }
    if (len + 1 > c->num_alloc) {
        char *n = realloc(c->num, len + 1);

        if (!n)
            return out_of_memory(c);
        c->num = n;
        c->num_alloc = len + 1;
    }
    memcpy(c->num, s, len);
    c->num[len] = '\0';
    errno = 0;
    if (!memchr(s, '.', len) && !memchr(s, 'e', len) && !memchr(s, 'E', len)) {
        v.i = strtoll(c->num, &end, 10);
        if (errno == ERANGE)
            return syntax(c, v.i < 0 ? "too big negative integer" : "too big integer");
    } else {
        v.kind = SD_F_REAL;
        v.r = strtod(c->num, &end);
        if ((v.r == HUGE_VAL || v.r == -HUGE_VAL) && errno == ERANGE)
            return syntax(c, "real number overflow");
    }
    return value(c, &v);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
    struct jctx *c = ctx;

    if (!in_document(c, s, len) && !check_escapes(c))
        return 0;
    return value(c, &(struct sd_field){ .kind = SD_F_STRING, .str = (const char *)s,
                                        .len = len });
}

static int on_key(void *ctx, const unsigned char *s, size_t len)
{
    struct jctx *c = ctx;
    const char *key = (const char *)s;

    if (!in_document(c, s, len)) {
        if (!check_escapes(c))
            return 0;
        if (memchr(key, '\0', len))
            return syntax(c, "NUL byte in object key not supported");
    }
    if (c->top == '{' && c->depth == 1)
        return top_key(c, key, len);
    if (c->in_elem && c->depth == c->rows_level + 1)
        c->elem_target = rec_key(c, &c->elem, key, len);
    return 1;
}

/* The array of records opens, its elements at depth `level`. Pages already
 * past the cap refuse even an empty one, as counting the array did. */
static void rows_start(struct jctx *c, unsigned level)
{
    c->rows_level = level;
    if (!c->failed && over_cap(c, 0))
        refuse_cap(c);
}

static int start(struct jctx *c, bool object)
{
    int t;

    if (c->depth >= MAX_DEPTH)
        return syntax(c, "maximum parsing depth reached");
    if (c->depth == 0) {
        c->top = object ? '{' : '[';
        if (object)
            rec_reset(&c->obj, c->nprops);
        else if (!c->d->class_only)
            rows_start(c, 1);           /* a plain array is one class: not a combined export */
    } else if (c->top == '{' && c->depth == 1) {
        t = c->obj_target;
        c->obj_target = T_IGNORE;
        if (t == T_VALUE) {
            c->value_is_array = !object;
            if (!object)
                rows_start(c, 2);
        } else if (t == T_NEXTLINK) {
            free(c->link);
            c->link = NULL;
            c->link_kind = SD_F_OTHER;
            c->link_nul = false;
        } else if (t >= 0 && !rec_set(c, &c->obj, t, &(struct sd_field){ .kind = SD_F_OTHER })) {
            return 0;
        }
    } else if (c->in_elem && c->depth == c->rows_level + 1) {
        t = c->elem_target;
        c->elem_target = T_IGNORE;
        if (t >= 0 && !rec_set(c, &c->elem, t, &(struct sd_field){ .kind = SD_F_OTHER }))
            return 0;
    } else if (c->rows_level && c->depth == c->rows_level) {
        c->rownum++;
        if (object) {
            c->in_elem = true;
            c->elem_target = T_IGNORE;
            rec_reset(&c->elem, c->nprops);
        } else {
            reject_element(c, c->rownum, "not an object");
        }
    }
    c->depth++;
    return 1;
}

static int end(struct jctx *c)
{
    c->depth--;
    if (c->depth == 0) {
        c->top_end = c->completing ? c->len : yajl_get_bytes_consumed(c->h);
        if (c->top == '{')
            finish_top_object(c);
        c->rows_level = 0;
    } else if (c->top == '{' && c->depth == 1 && c->rows_level == 2) {
        c->rows_level = 0;              /* the "value" array */
    } else if (c->in_elem && c->depth == c->rows_level) {
        c->in_elem = false;
        finish_record(c, &c->elem, c->rownum);
    }
    return !c->oom;
}

static int on_start_map(void *ctx)
{
    return start(ctx, true);
}

static int on_start_array(void *ctx)
{
    return start(ctx, false);
}

static int on_end(void *ctx)
{
    return end(ctx);
}

static const yajl_callbacks callbacks = {
    .yajl_null = on_null,
    .yajl_boolean = on_boolean,
    .yajl_number = on_number,           /* the text: we tell integers from reals */
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_key,
    .yajl_end_map = on_end,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_end,
};

/* Offset of the first byte after the parsed document that is not white
 * space, or c->len. */
static size_t after_document(const struct jctx *c)
{
    size_t p = c->top_end;

    while (p < c->len && (c->buf[p] == ' ' || c->buf[p] == '\t' || c->buf[p] == '\n' ||
                          c->buf[p] == '\r'))
        p++;
    return p;
}

int sd_decode_json(struct sd_decode *d, const char *buf, size_t len)
{
    struct jctx c;
    size_t bad, garbage = len;
    yajl_status st;
    char reason[128];
    int rc;

    /* The link belongs to this page: a stale one would be followed again. */
    free(d->next_link);
    d->next_link = NULL;
    d->class_absent = false;

    memset(&c, 0, sizeof(c));
    c.d = d;
    c.buf = buf;
    c.elem_target = c.obj_target = T_IGNORE;
    c.t = d->rows->t;
    c.nprops = c.t->nprops;
    for (int i = 0; i < c.t->nprops; i++)
        c.col_len[i] = strlen(c.t->props[i]);
    rec_reset(&c.elem, c.nprops);
    rec_reset(&c.obj, c.nprops);
    c.rows_n0 = d->rows->n;
    c.arena0 = d->rows->arena_len;
    if (d->msgs) {
        c.msgs_n0 = d->msgs->n;
        c.dropped0 = d->msgs->dropped;
    }
    c.seen0 = d->rows_seen;
    c.rejected0 = d->rejected;

    /* yajl's defaults are kept: strings checked for UTF-8, no comments, no
     * text after the document. Only what comes before the first bad byte
     * is parsed: a syntax error before it is reported first. */
    bad = first_bad((const unsigned char *)buf, len);
    c.len = bad;
    c.h = yajl_alloc(&callbacks, NULL, &c);
    if (!c.h) {
        out_of_memory(&c);
        return -1;
    }
    st = yajl_parse(c.h, (const unsigned char *)buf, bad);
    if (st == yajl_status_ok && bad == len) {
        c.completing = true;
        st = yajl_complete_parse(c.h);
    }
    rc = -1;
    if (st == yajl_status_client_canceled) {
        if (c.reason)
            refuse_at(&c, c.err_off, false, c.reason);
        /* else out of memory, said */
    } else if (st != yajl_status_ok) {
        yajl_reason(&c, reason, sizeof(reason));
        refuse_at(&c, c.completing ? c.len : yajl_get_bytes_consumed(c.h), false, reason);
    } else if (bad == len && (garbage = after_document(&c)) < len) {
        /* yajl takes an unterminated string after the document for one it
         * has yet to see the end of */
        refuse_at(&c, garbage, true, "end of file expected");
    } else if (bad < len) {
        snprintf(reason, sizeof(reason), (unsigned char)buf[bad] < 0x80 ?
                 "control character 0x%x" : "unable to decode byte 0x%x",
                 (unsigned char)buf[bad]);
        refuse_at(&c, bad, true, reason);
    } else {
        rc = c.failed ? -1 : 0;
    }
    if (rc < 0)
        rollback(&c);
    else
        d->class_absent = d->class_only && !c.class_seen;
    if (st != yajl_status_ok || bad < len || garbage < len) {
        /* unparsable: the link found before the error does not count either */
        free(d->next_link);
        d->next_link = NULL;
    }
    yajl_free(c.h);
    free(c.elem.arena);
    free(c.obj.arena);
    free(c.link);
    free(c.num);
    return rc;
}
