/* rows: row storage, see rows.h. */
#include "config.h"

#include <stdbool.h>
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
    free(r->intern);
    sd_rows_init_table(r, t);
}

void sd_rows_done(struct sd_rows *r)
{
    free(r->intern);
    r->intern = NULL;
    r->intern_cap = r->intern_n = 0;
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

static uint32_t hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u;           /* FNV-1a */

    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* An entry that still holds its string: a document refused half-way sets
 * arena_len back, and what it added is gone (or overwritten). */
static bool intern_live(const struct sd_rows *r, const struct sd_intern *e, const char *s,
                        size_t len)
{
    return e->len == len && (size_t)e->off + len <= r->arena_len &&
           memcmp(r->arena + e->off, s, len) == 0;
}

#define EMPTY ((struct sd_intern){ UINT32_MAX, UINT8_MAX })

static bool intern_empty(const struct sd_intern *e)
{
    return e->off == UINT32_MAX && e->len == UINT8_MAX;
}

static int intern_grow(struct sd_rows *r)
{
    size_t cap = r->intern_cap ? r->intern_cap * 2 : 1024;
    struct sd_intern *v = malloc(cap * sizeof(*v));

    if (!v)
        return -1;
    for (size_t i = 0; i < cap; i++)
        v[i] = EMPTY;
    for (size_t i = 0; i < r->intern_cap; i++) {
        const struct sd_intern *e = &r->intern[i];
        size_t k;

        if (intern_empty(e) || (size_t)e->off + e->len > r->arena_len)
            continue;                   /* dead entries are not moved */
        for (k = hash(r->arena + e->off, e->len) & (cap - 1); !intern_empty(&v[k]);
             k = (k + 1) & (cap - 1))
            ;
        v[k] = *e;
    }
    free(r->intern);
    r->intern = v;
    r->intern_cap = cap;
    return 0;
}

/* The arena offset of s: an earlier copy, or a new one (remembered). */
static int intern_put(struct sd_rows *r, const char *s, size_t len, uint32_t *off)
{
    size_t k;

    if ((r->intern_n + 1) * 4 > r->intern_cap * 3 && intern_grow(r) < 0)
        return arena_put(r, s, len, off);       /* still correct, only bigger */
    for (k = hash(s, len) & (r->intern_cap - 1);; k = (k + 1) & (r->intern_cap - 1)) {
        struct sd_intern *e = &r->intern[k];

        if (intern_empty(e))
            break;
        if (intern_live(r, e, s, len)) {
            *off = e->off;
            return 0;
        }
        if ((size_t)e->off + e->len > r->arena_len)
            break;                      /* a dead entry: reuse its place */
    }
    if (arena_put(r, s, len, off) < 0)
        return -1;
    if (intern_empty(&r->intern[k]))
        r->intern_n++;
    r->intern[k].off = *off;
    r->intern[k].len = (uint8_t)len;
    return 0;
}

int sd_rows_set_str(struct sd_rows *r, void *row, const struct sd_coldef *c, const char *s,
                    size_t len)
{
    uint32_t off;

    if (len > UINT8_MAX || ((c->flags & SD_C_SHARED) && len == UINT8_MAX))
        return -1;
    if ((c->flags & SD_C_SHARED) ? intern_put(r, s, len, &off) < 0
                                 : arena_put(r, s, len, &off) < 0)
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
