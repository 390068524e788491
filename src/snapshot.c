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
    for (size_t i = 0; i < p->n_error_types; i++)
        if (p->error_types[i] == type)
            return SD_CLASS_ERROR;
    if (type == 1)
        return SD_CLASS_SUCCESS;
    if (type == 2)
        return SD_CLASS_INPROGRESS;
    return SD_CLASS_OTHER;
}

/* qsort has no context argument; the arena is per-thread while sorting. */
static _Thread_local const char *sort_arena;

static int key_cmp(const char *arena, const struct sd_row *a, const struct sd_row *b)
{
    int c;

    if (a->oid_len != b->oid_len)
        return a->oid_len < b->oid_len ? -1 : 1;
    c = memcmp(arena + a->oid_off, arena + b->oid_off, a->oid_len);
    if (c)
        return c;
    if (a->category != b->category)
        return a->category < b->category ? -1 : 1;
    return 0;
}

/* Key order; within a key, the row to keep last (latest date, then seq). */
static int sort_cmp(const void *pa, const void *pb)
{
    const struct sd_row *a = pa, *b = pb;
    int c = key_cmp(sort_arena, a, b);

    if (c)
        return c;
    /* DateAndTime in UTC compares as bytes; "unknown" (8 zeros) sorts first. */
    c = memcmp(a->date, b->date, SD_DATEANDTIME_LEN);
    if (c)
        return c;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void add_summary(struct sd_summary *sum, const struct sd_policy *p, const struct sd_row *r)
{
    switch (sd_policy_class(p, r->type)) {
    case SD_CLASS_SUCCESS:
        sum->rows_success++;
        break;
    case SD_CLASS_INPROGRESS:
        sum->rows_inprogress++;
        break;
    case SD_CLASS_ERROR:
        sum->rows_error++;
        sum->assets_error = (r->assets > UINT32_MAX - sum->assets_error)
                                ? UINT32_MAX : sum->assets_error + r->assets;
        break;
    case SD_CLASS_OTHER:
        sum->rows_other++;
        break;
    }
}

/* Keeps the last row of each run of equal keys (the sort put it last), in place. */
static void dedup(struct sd_snapshot *s, const char *origin, struct sd_msgs *msgs)
{
    struct sd_rows *r = &s->rows;
    size_t out = 0;

    for (size_t i = 0; i < r->n;) {
        size_t j = i + 1;
        while (j < r->n && key_cmp(r->arena, &r->v[i], &r->v[j]) == 0)
            j++;
        const struct sd_row *kept = &r->v[j - 1];
        for (size_t k = i; k + 1 < j; k++) {
            s->duplicates++;
            sd_msgs_add(msgs, SD_MSG_WARN,
                        "%s: row %u: duplicate of row %u (ObjectID %.*s, MessageCategory %u); "
                        "row %u kept", origin, r->v[k].seq, kept->seq, (int)kept->oid_len,
                        sd_row_oid(r, kept), kept->category, kept->seq);
        }
        r->v[out++] = *kept;
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
    sd_rows_init(rows);
    s->rejected = rejected;
    s->policy = *p;
    sort_arena = s->rows.arena;
    if (s->rows.n > 1)
        qsort(s->rows.v, s->rows.n, sizeof(s->rows.v[0]), sort_cmp);
    sort_arena = NULL;
    dedup(s, origin, msgs);
    for (size_t i = 0; i < s->rows.n; i++)
        add_summary(&s->sum, p, &s->rows.v[i]);
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

/* Sub-identifier k of row's index {len, octets..., category}. */
static unsigned long index_subid(const struct sd_rows *r, const struct sd_row *row, size_t k)
{
    if (k == 0)
        return row->oid_len;
    if (k <= row->oid_len)
        return (unsigned char)r->arena[row->oid_off + k - 1];
    return row->category;
}

int sd_snapshot_index_cmp(const struct sd_snapshot *s, size_t i, const unsigned long *idx, size_t n)
{
    const struct sd_row *row = &s->rows.v[i];
    const unsigned char *oid = (const unsigned char *)s->rows.arena + row->oid_off;
    size_t len = row->oid_len, m;

    /* {len, octets..., category} against idx, in OID order, without
     * building the row's OID: this runs log2(n) times per request. */
    if (n == 0)
        return 1;
    if (idx[0] != len)
        return len < idx[0] ? -1 : 1;
    m = n - 1 < len ? n - 1 : len;
    for (size_t k = 0; k < m; k++)
        if (oid[k] != idx[k + 1])
            return oid[k] < idx[k + 1] ? -1 : 1;
    if (n <= len + 1)
        return 1;               /* idx stops inside the row's index */
    if (row->category != idx[len + 1])
        return row->category < idx[len + 1] ? -1 : 1;
    return n == len + 2 ? 0 : -1;
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
    const struct sd_row *row = &s->rows.v[i];
    size_t len = (size_t)row->oid_len + 2;

    for (size_t k = 0; k < len; k++)
        out[k] = index_subid(&s->rows, row, k);
    return len;
}

static bool row_same(const struct sd_rows *ra, const struct sd_row *a,
                     const struct sd_rows *rb, const struct sd_row *b)
{
    return a->oid_len == b->oid_len && a->pkg_len == b->pkg_len &&
           a->category == b->category && a->assets == b->assets &&
           a->object_type == b->object_type && a->type == b->type &&
           a->date_len == b->date_len && memcmp(a->date, b->date, sizeof(a->date)) == 0 &&
           memcmp(sd_row_oid(ra, a), sd_row_oid(rb, b), a->oid_len) == 0 &&
           memcmp(sd_row_pkg(ra, a), sd_row_pkg(rb, b), a->pkg_len) == 0;
}

static bool policy_has(const struct sd_policy *p, int32_t type)
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
        if (!policy_has(b, a->error_types[i]))
            return false;
    for (size_t i = 0; i < b->n_error_types; i++)
        if (!policy_has(a, b->error_types[i]))
            return false;
    return true;
}

bool sd_snapshot_same_rows(const struct sd_snapshot *a, const struct sd_snapshot *b)
{
    if (!a || !b || a->rows.n != b->rows.n || !sd_policy_equal(&a->policy, &b->policy))
        return false;
    for (size_t i = 0; i < a->rows.n; i++)
        if (!row_same(&a->rows, &a->rows.v[i], &b->rows, &b->rows.v[i]))
            return false;
    return true;
}

static bool is_error(const struct sd_policy *p, const struct sd_snapshot *s, size_t i)
{
    return sd_policy_class(p, s->rows.v[i].type) == SD_CLASS_ERROR;
}

/* Key order between row i of a and row j of b. */
static int cross_cmp(const struct sd_snapshot *a, size_t i, const struct sd_snapshot *b, size_t j)
{
    const struct sd_row *ra = &a->rows.v[i], *rb = &b->rows.v[j];
    int c;

    if (ra->oid_len != rb->oid_len)
        return ra->oid_len < rb->oid_len ? -1 : 1;
    c = memcmp(sd_row_oid(&a->rows, ra), sd_row_oid(&b->rows, rb), ra->oid_len);
    if (c)
        return c;
    return ra->category < rb->category ? -1 : ra->category > rb->category;
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
