/*
 * table: what every table does the same way, from its description (see
 * table.h): find a column or property, compare two rows' keys, compare a
 * row's index with a request's sub-identifiers, write the index out.
 *
 * An index is its parts in order: a string part is its length, then one
 * sub-identifier per octet (so shorter strings sort first, as SNMP orders
 * such an index); a number part is the number.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rows.h"
#include "table.h"

const struct sd_coldef *sd_table_column(const struct sd_table *t, unsigned mib)
{
    for (size_t k = 0; k < t->ncols; k++)
        if (t->cols[k].mib == mib)
            return &t->cols[k];
    return NULL;
}

int sd_table_prop(const struct sd_table *t, const char *name, size_t len)
{
    for (int i = 0; i < t->nprops; i++)
        if (strlen(t->props[i]) == len && strncasecmp(t->props[i], name, len) == 0)
            return i;
    return -1;
}

static bool is_text(const struct sd_coldef *c)
{
    return c->kind == SD_K_STRING || c->kind == SD_K_NALSERVER;
}

int sd_rows_key_cmp_any(const struct sd_rows *ra, const void *a, const struct sd_rows *rb,
                        const void *b)
{
    const struct sd_table *t = ra->t;

    for (size_t k = 0; k < t->nindex; k++) {
        const struct sd_coldef *c = &t->cols[t->index[k]];

        if (is_text(c)) {
            uint8_t la = ((const uint8_t *)a)[c->aux], lb = ((const uint8_t *)b)[c->aux];
            int r;

            if (la != lb)
                return la < lb ? -1 : 1;
            r = memcmp(ra->arena + sd_row_u32(a, c->off), rb->arena + sd_row_u32(b, c->off), la);
            if (r)
                return r;
        } else {
            uint32_t ua = sd_row_u32(a, c->off), ub = sd_row_u32(b, c->off);

            if (ua != ub)
                return ua < ub ? -1 : 1;
        }
    }
    return 0;
}

int sd_rows_index_cmp_any(const struct sd_rows *r, const void *row, const unsigned long *idx,
                          size_t n)
{
    const struct sd_table *t = r->t;
    size_t p = 0;

    /* Part by part, without building the row's OID: this runs log2(rows)
     * times per request. idx ending inside the row's index sorts first. */
    for (size_t k = 0; k < t->nindex; k++) {
        const struct sd_coldef *c = &t->cols[t->index[k]];

        if (p == n)
            return 1;
        if (is_text(c)) {
            size_t len = ((const uint8_t *)row)[c->aux];
            const unsigned char *s = (const unsigned char *)r->arena + sd_row_u32(row, c->off);

            if (idx[p] != len)
                return len < idx[p] ? -1 : 1;
            p++;
            for (size_t i = 0; i < len; i++, p++) {
                if (p == n)
                    return 1;
                if (s[i] != idx[p])
                    return s[i] < idx[p] ? -1 : 1;
            }
        } else {
            uint32_t v = sd_row_u32(row, c->off);

            if (v != idx[p])
                return v < idx[p] ? -1 : 1;
            p++;
        }
    }
    return p == n ? 0 : -1;
}

int sd_rows_key_cmp(const struct sd_rows *ra, const void *a, const struct sd_rows *rb,
                    const void *b)
{
    return ra->t->key_cmp ? ra->t->key_cmp(ra, a, rb, b) : sd_rows_key_cmp_any(ra, a, rb, b);
}

int sd_rows_index_cmp(const struct sd_rows *r, const void *row, const unsigned long *idx,
                      size_t n)
{
    return r->t->index_cmp ? r->t->index_cmp(r, row, idx, n)
                           : sd_rows_index_cmp_any(r, row, idx, n);
}

size_t sd_rows_index(const struct sd_rows *r, const void *row, unsigned long *out)
{
    const struct sd_table *t = r->t;
    size_t p = 0;

    for (size_t k = 0; k < t->nindex; k++) {
        const struct sd_coldef *c = &t->cols[t->index[k]];

        if (is_text(c)) {
            size_t len = ((const uint8_t *)row)[c->aux];
            const unsigned char *s = (const unsigned char *)r->arena + sd_row_u32(row, c->off);

            out[p++] = len;
            for (size_t i = 0; i < len; i++)
                out[p++] = s[i];
        } else {
            out[p++] = sd_row_u32(row, c->off);
        }
    }
    return p;
}

bool sd_rows_same(const struct sd_rows *ra, const void *a, const struct sd_rows *rb, const void *b)
{
    const struct sd_table *t = ra->t;
    const uint8_t *pa = a, *pb = b;

    for (size_t k = 0; k < t->ncols; k++) {
        const struct sd_coldef *c = &t->cols[k];

        switch (c->kind) {
        case SD_K_STRING:
        case SD_K_NALSERVER:
            if (pa[c->aux] != pb[c->aux] ||
                memcmp(ra->arena + sd_row_u32(a, c->off), rb->arena + sd_row_u32(b, c->off),
                       pa[c->aux]) != 0)
                return false;
            break;
        case SD_K_UINT:
            if (sd_row_u32(a, c->off) != sd_row_u32(b, c->off))
                return false;
            break;
        case SD_K_BOOL:
            if (pa[c->off] != pb[c->off])
                return false;
            break;
        case SD_K_DATE:
            if (pa[c->aux] != pb[c->aux] || memcmp(pa + c->off, pb + c->off, SD_DATEANDTIME_LEN))
                return false;
            break;
        }
    }
    return true;
}

void sd_rows_key_text(const struct sd_rows *r, const void *row, char *buf, size_t n)
{
    const struct sd_table *t = r->t;
    size_t o = 0;

    buf[0] = '\0';
    for (size_t k = 0; k < t->nindex && o < n; k++) {
        const struct sd_coldef *c = &t->cols[t->index[k]];
        const char *sep = k ? ", " : "";
        int w;

        if (is_text(c)) {
            size_t len;
            const char *s = sd_row_str(r, row, c, &len);

            w = snprintf(buf + o, n - o, "%s%s %.*s", sep,
                         c->kind == SD_K_NALSERVER ? "server" : c->name, (int)len, s);
        } else {
            w = snprintf(buf + o, n - o, "%s%s %u", sep, c->name, sd_row_u32(row, c->off));
        }
        if (w < 0)
            break;
        o += (size_t)w;
    }
}
