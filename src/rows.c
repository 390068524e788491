/* rows: row storage, see rows.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "rows.h"

void sd_rows_init(struct sd_rows *r)
{
    memset(r, 0, sizeof(*r));
}

void sd_rows_fini(struct sd_rows *r)
{
    free(r->v);
    free(r->arena);
    memset(r, 0, sizeof(*r));
}

static int arena_put(struct sd_rows *r, const char *s, size_t len, uint32_t *off)
{
    if (r->arena_len + len > UINT32_MAX)
        return -1;
    if (r->arena_len + len > r->arena_alloc) {
        size_t alloc = r->arena_alloc ? r->arena_alloc : 4096;
        while (alloc < r->arena_len + len)
            alloc *= 2;
        char *a = realloc(r->arena, alloc);
        if (!a)
            return -1;
        r->arena = a;
        r->arena_alloc = alloc;
    }
    if (len)
        memcpy(r->arena + r->arena_len, s, len);
    *off = (uint32_t)r->arena_len;
    r->arena_len += len;
    return 0;
}

int sd_rows_add(struct sd_rows *r, const struct sd_row_in *in)
{
    struct sd_row *row;

    if (in->object_id_len > SD_OBJECTID_MAX || in->package_id_len > SD_DISPLAYSTRING_MAX)
        return -1;
    if (r->n == r->alloc) {
        size_t alloc = r->alloc ? r->alloc * 2 : 256;
        struct sd_row *v = realloc(r->v, alloc * sizeof(*v));
        if (!v)
            return -1;
        r->v = v;
        r->alloc = alloc;
    }
    row = &r->v[r->n];
    memset(row, 0, sizeof(*row));
    if (arena_put(r, in->object_id, in->object_id_len, &row->oid_off) < 0 ||
        arena_put(r, in->package_id, in->package_id_len, &row->pkg_off) < 0)
        return -1;
    row->oid_len = (uint8_t)in->object_id_len;
    row->pkg_len = (uint8_t)in->package_id_len;
    row->category = in->category;
    row->assets = in->assets;
    row->object_type = in->object_type;
    row->type = in->type;
    row->seq = in->seq;
    row->date_len = in->date_len;
    memcpy(row->date, in->date, sizeof(row->date));
    r->n++;
    return 0;
}

void sd_date_unknown(uint8_t date[SD_DATEANDTIME_LEN], uint8_t *len)
{
    memset(date, 0, SD_DATEANDTIME_LEN);
    *len = 8;
}
