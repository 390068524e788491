/*
 * snapshot: sort, deduplicate, summarise, and search by index; see
 * snapshot.h. The sort order is SNMP's order of the index OID
 * {len, octets..., category}: shorter ObjectIDs first, then octets as
 * unsigned, then category. Searches compare a request's sub-identifiers with
 * a row directly, without building the row's OID.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "snapshot.h"

void sd_policy_default(struct sd_policy *p)
{
    memset(p, 0, sizeof(*p));
    p->error_types[0] = 3;
    p->error_types[1] = 4;
    p->n_error_types = 2;
}

enum sd_state_class sd_policy_class(const struct sd_policy *p, int32_t type)
{
    if (sd_policy_has(p, type))
        return SD_CLASS_ERROR;
    if (type == 1)
        return SD_CLASS_SUCCESS;
    if (type == 2)
        return SD_CLASS_INPROGRESS;
    return SD_CLASS_OTHER;
}

/* Key order; within a key, the row to keep last (latest date, then seq). */
static int sort_cmp(const void *pa, const void *pb, void *arg)
{
    const struct sd_rows *r = arg;
    const struct sd_table *t = r->t;
    int c = sd_rows_key_cmp(r, pa, r, pb);
    uint32_t sa, sb;

    if (c)
        return c;
    if (t->newest != SD_NO_COL) {
        /* DateAndTime in UTC compares as bytes; "unknown" (8 zeros) sorts first. */
        uint16_t off = t->cols[t->newest].off;

        c = memcmp((const char *)pa + off, (const char *)pb + off, SD_DATEANDTIME_LEN);
        if (c)
            return c;
    }
    sa = sd_row_u32(pa, t->seq_off);
    sb = sd_row_u32(pb, t->seq_off);
    return sa < sb ? -1 : sa > sb;
}

/* Keeps the last row of each run of equal keys (the sort put it last), in place. */
static void dedup(struct sd_snapshot *s, const char *origin, struct sd_msgs *msgs)
{
    struct sd_rows *r = &s->rows;
    size_t out = 0, size = r->t->row_size;
    char key[600];

    for (size_t i = 0; i < r->n;) {
        size_t j = i + 1;
        while (j < r->n && sd_rows_key_cmp(r, sd_rows_at(r, i), r, sd_rows_at(r, j)) == 0)
            j++;
        const void *kept = sd_rows_at(r, j - 1);
        uint32_t kseq = sd_row_u32(kept, r->t->seq_off);
        if (j - i > 1)
            sd_rows_key_text(r, kept, key, sizeof(key));
        for (size_t k = i; k + 1 < j; k++) {
            s->duplicates++;
            sd_msgs_add(msgs, SD_MSG_WARN, "%s: row %u: duplicate of row %u (%s); row %u kept",
                        origin, sd_row_u32(sd_rows_at(r, k), r->t->seq_off), kseq, key, kseq);
        }
        if (out != j - 1)
            memcpy(r->raw + out * size, kept, size);
        out++;
        i = j;
    }
    r->n = out;
}

struct sd_snapshot *sd_snapshot_build(struct sd_rows *rows, const struct sd_policy *p,
                                      unsigned long rejected, const char *origin,
                                      struct sd_msgs *msgs)
{
    struct sd_snapshot *s = calloc(1, sizeof(*s));

    if (!s) {
        sd_rows_fini(rows);
        return NULL;
    }
    atomic_init(&s->refs, 1);
    s->rows = *rows;
    sd_rows_init_table(rows, s->rows.t);
    s->rejected = rejected;
    s->policy = *p;
    if (s->rows.n > 1)
        qsort_r(s->rows.raw, s->rows.n, s->rows.t->row_size,
                s->rows.t->sort_cmp ? s->rows.t->sort_cmp : sort_cmp, &s->rows);
    dedup(s, origin, msgs);
    sd_rows_done(&s->rows);
    for (size_t i = 0; i < s->rows.n; i++)
        s->rows.t->summarize(&s->sum, p, sd_rows_at(&s->rows, i));
    return s;
}

struct sd_snapshot *sd_snapshot_ref(struct sd_snapshot *s)
{
    if (s)
        atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    return s;
}

void sd_snapshot_free(struct sd_snapshot *s)
{
    if (!s || atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
        return;
    sd_rows_fini(&s->rows);
    free(s);
}

int sd_snapshot_index_cmp(const struct sd_snapshot *s, size_t i, const unsigned long *idx, size_t n)
{
    return sd_rows_index_cmp(&s->rows, sd_rows_at(&s->rows, i), idx, n);
}

long sd_snapshot_find(const struct sd_snapshot *s, const unsigned long *idx, size_t n)
{
    size_t lo = 0, hi = sd_snapshot_count(s);

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = sd_snapshot_index_cmp(s, mid, idx, n);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

size_t sd_snapshot_next(const struct sd_snapshot *s, const unsigned long *idx, size_t n)
{
    size_t lo = 0, hi = sd_snapshot_count(s);

    if (n == 0)
        return 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sd_snapshot_index_cmp(s, mid, idx, n) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t sd_snapshot_next_hint(const struct sd_snapshot *s, const unsigned long *idx, size_t n,
                             size_t *hint)
{
    size_t count = sd_snapshot_count(s), next;

    if (*hint < count && sd_snapshot_index_cmp(s, *hint, idx, n) == 0)
        next = *hint + 1;       /* a walk: the row answered last, then its successor */
    else
        next = sd_snapshot_next(s, idx, n);
    *hint = next;
    return next;
}

size_t sd_snapshot_index(const struct sd_snapshot *s, size_t i, unsigned long *out)
{
    return sd_rows_index(&s->rows, sd_rows_at(&s->rows, i), out);
}

bool sd_policy_has(const struct sd_policy *p, int32_t type)
{
    for (size_t i = 0; i < p->n_error_types; i++)
        if (p->error_types[i] == type)
            return true;
    return false;
}

/* As sets: "errorTypes 3 4" and "errorTypes 4 3" are the same policy. */
bool sd_policy_equal(const struct sd_policy *a, const struct sd_policy *b)
{
    for (size_t i = 0; i < a->n_error_types; i++)
        if (!sd_policy_has(b, a->error_types[i]))
            return false;
    for (size_t i = 0; i < b->n_error_types; i++)
        if (!sd_policy_has(a, b->error_types[i]))
            return false;
    return true;
}

bool sd_snapshot_same_rows(const struct sd_snapshot *a, const struct sd_snapshot *b)
{
    if (!a || !b || a->rows.t != b->rows.t || a->rows.n != b->rows.n ||
        !sd_policy_equal(&a->policy, &b->policy))
        return false;
    for (size_t i = 0; i < a->rows.n; i++)
        if (!sd_rows_same(&a->rows, sd_rows_at(&a->rows, i), &b->rows, sd_rows_at(&b->rows, i)))
            return false;
    return true;
}

static bool is_error(const struct sd_policy *p, const struct sd_snapshot *s, size_t i)
{
    return s->rows.t->classify(p, sd_rows_at(&s->rows, i)) == SD_CLASS_ERROR;
}

/* Key order between row i of a and row j of b. */
static int cross_cmp(const struct sd_snapshot *a, size_t i, const struct sd_snapshot *b, size_t j)
{
    return sd_rows_key_cmp(&a->rows, sd_rows_at(&a->rows, i), &b->rows, sd_rows_at(&b->rows, j));
}

size_t sd_snapshot_diff(const struct sd_snapshot *old, const struct sd_snapshot *new_,
                        const struct sd_policy *p, sd_change_cb *cb, void *ctx)
{
    size_t i = 0, j = 0, no = sd_snapshot_count(old), nn = sd_snapshot_count(new_), calls = 0;

    if (!old) {
        for (j = 0; j < nn; j++)
            if (is_error(p, new_, j)) {
                cb(ctx, SD_CHANGE_PRESENT, new_, j);
                calls++;
            }
        return calls;
    }
    while (i < no || j < nn) {
        int c = i == no ? 1 : j == nn ? -1 : cross_cmp(old, i, new_, j);
        if (c < 0) {                    /* only in old */
            if (is_error(&old->policy, old, i)) {
                cb(ctx, SD_CHANGE_REMOVED, old, i);
                calls++;
            }
            i++;
        } else if (c > 0) {             /* only in new */
            if (is_error(p, new_, j)) {
                cb(ctx, SD_CHANGE_ENTERED, new_, j);
                calls++;
            }
            j++;
        } else {
            bool was = is_error(&old->policy, old, i), now = is_error(p, new_, j);
            if (was != now) {
                cb(ctx, now ? SD_CHANGE_ENTERED : SD_CHANGE_LEFT, new_, j);
                calls++;
            }
            i++;
            j++;
        }
    }
    return calls;
}

struct collect {
    struct sd_changes *out;
    int failed;
};

static void collect(void *ctx, enum sd_change change, const struct sd_snapshot *s, size_t i)
{
    struct collect *c = ctx;
    struct sd_changes *out = c->out;

    if (out->n == out->alloc) {
        size_t alloc = out->alloc ? out->alloc * 2 : 64;
        struct sd_change_item *v = realloc(out->v, alloc * sizeof(*v));
        if (!v) {
            c->failed = 1;
            return;
        }
        out->v = v;
        out->alloc = alloc;
    }
    out->v[out->n].row = (uint32_t)i;
    out->v[out->n].change = (uint8_t)change;
    out->n++;
}

int sd_snapshot_changes(const struct sd_snapshot *old, const struct sd_snapshot *new_,
                        const struct sd_policy *p, struct sd_changes *out)
{
    struct collect c = { out, 0 };

    sd_snapshot_diff(old, new_, p, collect, &c);
    return c.failed ? -1 : 0;
}

void sd_changes_fini(struct sd_changes *c)
{
    free(c->v);
    memset(c, 0, sizeof(*c));
}
