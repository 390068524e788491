/* rows: row storage, see rows.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "rows.h"

void sd_rows_init_table(struct sd_rows *r, const struct sd_table *t)
{
    memset(r, 0, sizeof(*r));
    r->t = t;
}

void sd_rows_init(struct sd_rows *r)
{
    sd_rows_init_table(r, &sd_table_status);
}

void sd_rows_fini(struct sd_rows *r)
{
    const struct sd_table *t = r->t;

    free(r->raw);
    free(r->arena);
    sd_rows_init_table(r, t);
}

/* Room for one more row; the new row, zeroed, or NULL. */
static unsigned char *grow(struct sd_rows *r)
{
    size_t size = r->t->row_size;
    unsigned char *row;

    if (r->n == r->alloc) {
        size_t alloc = r->alloc ? r->alloc * 2 : 256;
        unsigned char *v = realloc(r->raw, alloc * size);
        if (!v)
            return NULL;
        r->raw = v;
        r->alloc = alloc;
    }
    row = r->raw + r->n * size;
    memset(row, 0, size);
    return row;
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

    if (r->t != &sd_table_status || in->object_id_len > SD_OBJECTID_MAX ||
        in->package_id_len > SD_DISPLAYSTRING_MAX)
        return -1;
    if (!(row = (struct sd_row *)grow(r)))
        return -1;
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

void *sd_rows_reserve(struct sd_rows *r)
{
    return grow(r);
}

int sd_rows_set_str(struct sd_rows *r, void *row, const struct sd_coldef *c, const char *s,
                    size_t len)
{
    uint32_t off;

    if (len > UINT8_MAX || arena_put(r, s, len, &off) < 0)
        return -1;
    memcpy((unsigned char *)row + c->off, &off, sizeof(off));
    ((unsigned char *)row)[c->aux] = (uint8_t)len;
    return 0;
}

void sd_rows_commit(struct sd_rows *r, void *row, uint32_t seq)
{
    memcpy((unsigned char *)row + r->t->seq_off, &seq, sizeof(seq));
    r->n++;
}

void sd_date_unknown(uint8_t date[SD_DATEANDTIME_LEN], uint8_t *len)
{
    memset(date, 0, SD_DATEANDTIME_LEN);
    *len = 8;
}
