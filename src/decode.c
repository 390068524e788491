/*
 * decode: document dispatch, see decode.h: the format is told by the first
 * character that is not white space ('{' or '[': JSON, else CSV).
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decode.h"

int sd_col_lookup(const char *name, size_t len)
{
    return sd_table_prop(&sd_table_status, name, len);
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
    } else if (d->class_only) {
        d->class_absent = true;         /* CSV carries one class: the main table's */
        rc = 0;
    } else {
        rc = sd_decode_csv(d, text, n);
    }
    free(owned);
    return rc;
}

