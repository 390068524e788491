/*
 * fuzz_tables: the per-DP tables (doc/per-dp-tables.md), smsDistDPTable and
 * smsDistContentDPTable, on the raw bytes: sd_decode_json (a refusal must
 * take back all it added) and sd_decode_document (encodings, JSON/CSV
 * sniffing), each with and without class_only (the combined export's own
 * array only) and with and without a row cap. fuzz/run.sh builds it.
 *
 * What fuzz.h checks of the main table is checked here from each table's
 * description, whatever its columns are:
 *  - a stored string is printable ASCII, inside the arena, at most its
 *    column's max, non-empty when an index part, and a NAL path's server
 *    has no '\'; a number is at most its max; a truth value is 1 or 2; a
 *    date is unknown or a valid UTC DateAndTime; rows keep document order;
 *  - an accepted document accounts for every record (rows + rejected ==
 *    seen, never more than the cap); class_absent only with class_only, and
 *    then nothing was read; every message and refusal is printable ASCII;
 *  - shared strings (SD_C_SHARED, stored once per load) read back right:
 *    the same document decoded again into the same rows gives the same
 *    rows, and so does it decoded after its first or second half (often
 *    refused, and taken back: the rollback rule) into the same rows;
 *  - as served: sorted by index, unique, duplicates counted, every row
 *    found by its own index (sd_rows_index, sd_snapshot_find/next), the
 *    summary counting each row once.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>

#include "fuzz.h"
#include "snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef int decode_fn(struct sd_decode *, const char *, size_t);

struct ctx {
    struct sd_rows rows;
    struct sd_msgs msgs;
    struct sd_decode d;
};

static void ctx_init(struct ctx *c, const struct sd_table *t, bool class_only, size_t max_rows)
{
    sd_rows_init_table(&c->rows, t);
    sd_msgs_init(&c->msgs, 1000);
    sd_decode_init(&c->d, "fuzz", &c->rows, &c->msgs);
    c->d.class_only = class_only;
    c->d.max_rows = max_rows;
}

static void ctx_fini(struct ctx *c)
{
    sd_decode_fini(&c->d);
    sd_msgs_fini(&c->msgs);
    sd_rows_fini(&c->rows);
}

/* Rows [from, n) of r, by the description of their table; in_order: they
 * were added by one decode, in document order. */
static void check_rows(const struct sd_rows *r, size_t from, bool in_order)
{
    const struct sd_table *t = r->t;
    uint32_t prev = 0;

    for (size_t i = from; i < r->n; i++) {
        const uint8_t *row = sd_rows_at(r, i);
        uint32_t seq = sd_row_u32(row, t->seq_off);

        FZ_CHECK(!in_order || i == from || seq > prev);
        prev = seq;
        for (size_t k = 0; k < t->ncols; k++) {
            const struct sd_coldef *c = &t->cols[k];

            switch (c->kind) {
            case SD_K_STRING:
            case SD_K_NALSERVER: {
                size_t len = row[c->aux];
                uint32_t off = sd_row_u32(row, c->off);
                const char *s = r->arena + off;

                FZ_CHECK(len <= c->max);
                FZ_CHECK((size_t)off + len <= r->arena_len);
                FZ_CHECK(fz_printable(s, len));
                if (c->flags & (SD_C_INDEX | SD_C_NONEMPTY))
                    FZ_CHECK(len >= 1);
                if (c->kind == SD_K_NALSERVER)
                    FZ_CHECK(memchr(s, '\\', len) == NULL);
                break;
            }
            case SD_K_UINT:
                FZ_CHECK(sd_row_u32(row, c->off) <= c->max);
                break;
            case SD_K_BOOL:
                FZ_CHECK(row[c->off] == 1 || row[c->off] == 2);
                break;
            case SD_K_DATE:
                fz_check_date(row + c->off, row[c->aux]);
                break;
            default:
                FZ_CHECK(0);
            }
        }
    }
}

static void check_msgs(const struct sd_msgs *m)
{
    for (size_t i = 0; i < m->n; i++)
        FZ_CHECK(fz_printable(m->v[i].text, strlen(m->v[i].text)));
}

/* What every outcome of one decode into c (rows n0.. are new) must keep. */
static void check_outcome(struct ctx *c, int rc, size_t n0, uint32_t seen0, unsigned long rej0,
                          bool clean_refusal)
{
    FZ_CHECK(rc == 0 || rc == -1);
    FZ_CHECK(memchr(c->d.error, '\0', sizeof(c->d.error)) != NULL);
    if (rc == 0) {
        FZ_CHECK(c->rows.n - n0 + (c->d.rejected - rej0) == (size_t)(c->d.rows_seen - seen0));
        FZ_CHECK(c->d.max_rows == 0 || c->d.rows_seen <= c->d.max_rows);
        if (c->d.class_absent)
            FZ_CHECK(c->d.class_only && c->rows.n == n0 && c->d.rows_seen == seen0 &&
                     c->d.rejected == rej0);
    } else {
        FZ_CHECK(strncmp(c->d.error, "fuzz: ", 6) == 0 && c->d.error[6] != '\0');
        FZ_CHECK(fz_printable(c->d.error, strlen(c->d.error)));
        if (clean_refusal)
            FZ_CHECK(c->rows.n == n0 && c->d.rows_seen == seen0 && c->d.rejected == rej0);
    }
    check_rows(&c->rows, n0, true);
    check_msgs(&c->msgs);
}

/* Rows a[fa, fa + n) and b[fb, fb + n) hold the same values (seq too). */
static void check_same(const struct sd_rows *a, size_t fa, const struct sd_rows *b, size_t fb,
                       size_t n)
{
    FZ_CHECK(fa + n <= a->n && fb + n <= b->n);
    for (size_t i = 0; i < n; i++) {
        const void *ra = sd_rows_at(a, fa + i), *rb = sd_rows_at(b, fb + i);

        FZ_CHECK(sd_rows_same(a, ra, b, rb));
        FZ_CHECK(sd_row_u32(ra, a->t->seq_off) == sd_row_u32(rb, b->t->seq_off));
    }
}

/* Sort, dedup, summary and index search of what was decoded. */
static void check_snapshot(struct ctx *c)
{
    const struct sd_table *t = c->rows.t;
    struct sd_policy p = { .error_types = { 3, 6 }, .n_error_types = 2 };
    size_t n = c->rows.n, hint = 0;
    struct sd_msgs m;
    struct sd_snapshot *s;
    unsigned long *idx = malloc((t->max_index + 1) * sizeof(*idx));

    FZ_CHECK(idx != NULL);
    sd_msgs_init(&m, 1000);
    s = sd_snapshot_build(&c->rows, &p, 0, "fuzz", &m);
    FZ_CHECK(s != NULL);
    FZ_CHECK(s->rows.n + s->duplicates == n);
    FZ_CHECK(m.n + m.dropped == s->duplicates);
    check_msgs(&m);
    check_rows(&s->rows, 0, false);             /* sorted now: seq order is gone */
    for (size_t i = 0; i < s->rows.n; i++) {
        const void *row = sd_rows_at(&s->rows, i);
        size_t len = sd_snapshot_index(s, i, idx);

        FZ_CHECK(len >= t->nindex && len <= t->max_index);
        if (i)
            FZ_CHECK(sd_rows_key_cmp(&s->rows, sd_rows_at(&s->rows, i - 1), &s->rows, row) < 0);
        FZ_CHECK(sd_rows_index_cmp(&s->rows, row, idx, len) == 0);
        FZ_CHECK(sd_rows_index_cmp_any(&s->rows, row, idx, len) == 0);
        FZ_CHECK(sd_snapshot_find(s, idx, len) == (long)i);
        FZ_CHECK(sd_snapshot_next(s, idx, len) == i + 1);
        FZ_CHECK(sd_snapshot_next_hint(s, idx, len, &hint) == i + 1);
        /* a prefix sorts first: what follows it is this row or one before */
        if (len > 1)
            FZ_CHECK(sd_snapshot_next(s, idx, len - 1) <= i);
    }
    FZ_CHECK(sd_snapshot_same_rows(s, s));
    if (t == &sd_table_dp) {
        FZ_CHECK(s->sum.fig[SD_FIG_DPS] == s->rows.n);
        FZ_CHECK(s->sum.fig[SD_FIG_DPS_IN_ERROR] <= s->rows.n);
    } else if (t == &sd_table_content) {
        FZ_CHECK(s->sum.fig[SD_FIG_CONTENT_ROWS] == s->rows.n);
        FZ_CHECK(s->sum.fig[SD_FIG_CONTENT_FAILED] + s->sum.fig[SD_FIG_CONTENT_PENDING] <=
                 s->rows.n);
    }
    sd_snapshot_free(s);
    sd_msgs_fini(&m);
    free(idx);
}

/*
 * One table, one decoder, one setting: decode and check. Without a cap,
 * also: decode again into the same rows (the same rows again, the first
 * ones untouched: shared strings found, not mistaken), then take that back
 * by the rollback rule; a part of it, then the whole, into other rows (a
 * refused part is taken back, its strings are gone and must not be found);
 * and the snapshot.
 */
static void run(const struct sd_table *t, decode_fn *fn, const uint8_t *data, size_t size,
                bool class_only, size_t max_rows)
{
    const char *buf = (const char *)data;
    bool clean = fn == sd_decode_json;
    struct ctx c, fresh;
    int rc, rc2;
    size_t n1, a1;
    uint32_t seen1;
    unsigned long rej1;

    ctx_init(&c, t, class_only, max_rows);
    rc = fn(&c.d, buf, size);
    check_outcome(&c, rc, 0, 0, 0, clean);
    if (!class_only)
        FZ_CHECK(!c.d.class_absent);
    if (rc < 0 && clean)
        FZ_CHECK(c.rows.n == 0 && c.rows.arena_len == 0 && c.msgs.n == 0 &&
                 c.msgs.dropped == 0);
    if (max_rows || rc < 0) {
        ctx_fini(&c);
        return;
    }

    /* again, into the same rows */
    n1 = c.rows.n;
    a1 = c.rows.arena_len;
    seen1 = c.d.rows_seen;
    rej1 = c.d.rejected;
    rc2 = fn(&c.d, buf, size);
    FZ_CHECK(rc2 == 0);
    check_outcome(&c, rc2, n1, seen1, rej1, clean);
    FZ_CHECK(c.d.rows_seen == 2 * seen1);
    FZ_CHECK(c.rows.n == 2 * n1);
    ctx_init(&fresh, t, class_only, 0);
    FZ_CHECK(fn(&fresh.d, buf, size) == 0);
    FZ_CHECK(fresh.rows.n == n1);
    check_same(&c.rows, 0, &fresh.rows, 0, n1);
    check_same(&c.rows, n1, &fresh.rows, 0, n1);
    c.rows.n = n1;                      /* the rollback rule, as a caller applies it */
    c.rows.arena_len = a1;
    check_same(&c.rows, 0, &fresh.rows, 0, n1);

    /* a part of it (its first half, its second half), then the whole, into
     * the same rows: what the part added stays (accepted) or is taken back
     * (refused: by sd_decode_json itself, else by the rollback rule), and
     * the whole reads the same as fresh either way */
    for (int part = 0; part < 2 && size > 1; part++) {
        struct ctx h;
        int rch;
        size_t nh;

        ctx_init(&h, t, class_only, 0);
        rch = part == 0 ? fn(&h.d, buf, size / 2) : fn(&h.d, buf + size / 2, size - size / 2);
        check_outcome(&h, rch, 0, 0, 0, clean);
        if (rch < 0) {
            h.rows.n = 0;
            h.rows.arena_len = 0;
        }
        nh = h.rows.n;
        FZ_CHECK(fn(&h.d, buf, size) == 0);
        FZ_CHECK(h.rows.n == nh + n1);
        check_same(&h.rows, nh, &fresh.rows, 0, n1);
        ctx_fini(&h);
    }
    ctx_fini(&fresh);

    if (!clean)
        check_snapshot(&c);
    ctx_fini(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct sd_table *const tables[] = { &sd_table_dp, &sd_table_content };

    for (size_t k = 0; k < 2; k++) {
        run(tables[k], sd_decode_json, data, size, false, 0);
        run(tables[k], sd_decode_json, data, size, true, 0);
        run(tables[k], sd_decode_json, data, size, false, 3);
        run(tables[k], sd_decode_json, data, size, true, 3);
        run(tables[k], sd_decode_document, data, size, false, 0);
        run(tables[k], sd_decode_document, data, size, true, 0);
        run(tables[k], sd_decode_document, data, size, false, 3);
    }
    return 0;
}
