/*
 * decode_json: JSON documents to records, with jansson (see decode.h).
 *
 * Owns the JSON shapes exports come in: the AdminService envelope
 * {"@odata.context": ..., "value": [...], "@odata.nextLink": ...}, a plain
 * array (ConvertTo-Json of a collection), and a lone object (Windows
 * PowerShell's ConvertTo-Json unwraps a one-element array). It maps each
 * element's keys to columns and leaves every judgement about values to
 * sd_decode_record().
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decode.h"

/* The top-level key named `name` (case-insensitive, as PowerShell and
 * OData are about key case), or NULL. */
static json_t *get_key(json_t *obj, const char *name)
{
    const char *key;
    json_t *v;

    json_object_foreach(obj, key, v) {
        if (strcasecmp(key, name) == 0)
            return v;
    }
    return NULL;
}

static void to_field(json_t *v, struct sd_field *f)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        f->kind = SD_F_STRING;
        f->str = json_string_value(v);
        f->len = json_string_length(v);
        break;
    case JSON_INTEGER:
        f->kind = SD_F_INT;
        f->i = json_integer_value(v);
        break;
    case JSON_REAL:
        f->kind = SD_F_REAL;
        f->r = json_real_value(v);
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        f->kind = SD_F_BOOL;
        f->i = json_is_true(v);
        break;
    case JSON_NULL:
        f->kind = SD_F_NULL;
        break;
    default:
        f->kind = SD_F_OTHER;
        break;
    }
}

/* A record the validation path cannot even look at: counted and reported
 * like a rejected row. The row cap was checked for the whole array. */
static int reject_element(struct sd_decode *d, uint32_t rownum, const char *what)
{
    d->rows_seen++;
    d->rejected++;
    if (d->msgs)
        sd_msgs_add(d->msgs, SD_MSG_WARN, "%s: row %llu: %s; row skipped", d->origin,
                    (unsigned long long)d->row_base + rownum, what);
    return 0;
}

static int decode_element(struct sd_decode *d, uint32_t rownum, json_t *obj)
{
    struct sd_field f[SD_NCOLS];
    const char *key;
    json_t *v;
    char what[64];

    if (!json_is_object(obj))
        return reject_element(d, rownum, "not an object");
    memset(f, 0, sizeof(f));
    json_object_foreach(obj, key, v) {
        int col = sd_col_lookup(key, strlen(key));

        if (col < 0)
            continue;               /* @odata.etag, __GENUS, PSComputerName, ... */
        if (f[col].kind != SD_F_ABSENT) {
            /* "Type" and "type": which one was meant cannot be known. */
            snprintf(what, sizeof(what), "%s: given twice (keys differ in case)",
                     sd_col_names[col]);
            return reject_element(d, rownum, what);
        }
        to_field(v, &f[col]);
    }
    return sd_decode_record(d, rownum, f);
}

/* Refuses the whole document up front when it has more records than the
 * cap, before spending time validating them. */
static int check_cap(struct sd_decode *d, size_t count)
{
    if (d->max_rows && (unsigned long long)d->row_base + count > d->max_rows) {
        snprintf(d->error, sizeof(d->error), "%s: more than %zu rows (maxRows %zu)",
                 d->origin, d->max_rows, d->max_rows);
        return -1;
    }
    return 0;
}

static int decode_array(struct sd_decode *d, json_t *arr)
{
    size_t i;
    json_t *v;

    if (check_cap(d, json_array_size(arr)) < 0)
        return -1;
    json_array_foreach(arr, i, v) {
        if (decode_element(d, (uint32_t)(i + 1), v) < 0)
            return -1;
    }
    return 0;
}

static int decode_envelope(struct sd_decode *d, json_t *root, json_t *value)
{
    json_t *next = get_key(root, "@odata.nextLink");

    if (!json_is_array(value)) {
        snprintf(d->error, sizeof(d->error), "%s: JSON \"value\" is not an array", d->origin);
        return -1;
    }
    if (next && !json_is_null(next)) {
        /* A next link we cannot follow would serve a silently partial table. */
        if (!json_is_string(next)) {
            snprintf(d->error, sizeof(d->error), "%s: JSON \"@odata.nextLink\" is not a string",
                     d->origin);
            return -1;
        }
        d->next_link = strdup(json_string_value(next));
        if (!d->next_link) {
            snprintf(d->error, sizeof(d->error), "%s: out of memory", d->origin);
            return -1;
        }
    }
    return decode_array(d, value);
}

static int decode_top(struct sd_decode *d, json_t *root)
{
    json_t *value;

    if (json_is_array(root))
        return decode_array(d, root);
    /* json_loadb() without JSON_DECODE_ANY gives an array or an object. */
    value = get_key(root, "value");
    if (value)
        return decode_envelope(d, root, value);
    if (get_key(root, "ObjectID")) {
        if (check_cap(d, 1) < 0)
            return -1;
        return decode_element(d, 1, root);
    }
    snprintf(d->error, sizeof(d->error),
             "%s: JSON object has neither a \"value\" array nor an ObjectID", d->origin);
    return -1;
}

int sd_decode_json(struct sd_decode *d, const char *buf, size_t len)
{
    json_error_t err;
    json_t *root;
    int rc;

    /* The link belongs to this page: a stale one would be followed again. */
    free(d->next_link);
    d->next_link = NULL;
    /* JSON_ALLOW_NUL: a "\u0000" inside one string then rejects only that
     * row (ObjectID and PackageID must be printable ASCII), not the file. */
    root = json_loadb(buf, len, JSON_ALLOW_NUL, &err);
    if (!root) {
        snprintf(d->error, sizeof(d->error), "%s: JSON error at line %d, column %d: %s",
                 d->origin, err.line, err.column, err.text);
        return -1;
    }
    rc = decode_top(d, root);
    json_decref(root);
    return rc;
}
