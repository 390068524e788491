/*
 * Unit tests: the table descriptions. A table's own fast comparisons must
 * agree with the generic ones read from its description (every pair of a
 * random set of rows, every prefix and extension of every index); an index
 * written out compares equal to its row; every description is consistent
 * (offsets inside the row, index parts that exist, columns in range).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "snapshot.h"

#define NROWS 300

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

/* Random ObjectIDs over a small alphabet, so lengths and prefixes collide. */
static void random_rows(struct sd_rows *r, unsigned seed)
{
    static const char alpha[] = "AB~ ";
    char oid[16];

    srand(seed);
    for (uint32_t i = 0; i < NROWS; i++) {
        size_t len = 1 + (size_t)rand() % 6;
        struct sd_row_in in = { 0 };

        for (size_t k = 0; k < len; k++)
            oid[k] = alpha[rand() % 4];
        in.object_id = oid;
        in.object_id_len = len;
        in.category = (uint32_t)(rand() % 3 == 0 ? 4294967295u - (unsigned)rand() % 2
                                                  : (unsigned)rand() % 4);
        in.package_id = "";
        in.seq = i;
        sd_date_unknown(in.date, &in.date_len);
        assert_int_equal(sd_rows_add(r, &in), 0);
    }
}

static void status_key_cmp_agrees(void **state)
{
    struct sd_rows r;

    (void)state;
    sd_rows_init(&r);
    random_rows(&r, 7);
    assert_non_null(sd_table_status.key_cmp);
    for (size_t i = 0; i < r.n; i++)
        for (size_t j = 0; j < r.n; j++) {
            const void *a = sd_rows_at(&r, i), *b = sd_rows_at(&r, j);

            assert_int_equal(sign(sd_table_status.key_cmp(&r, a, &r, b)),
                             sign(sd_rows_key_cmp_any(&r, a, &r, b)));
        }
    sd_rows_fini(&r);
}

static void status_index_cmp_agrees(void **state)
{
    struct sd_rows r;
    unsigned long idx[SD_OBJECTID_MAX + 4];

    (void)state;
    sd_rows_init(&r);
    random_rows(&r, 11);
    for (size_t j = 0; j < r.n; j++) {
        size_t n = sd_rows_index(&r, sd_rows_at(&r, j), idx);

        assert_int_equal(sd_rows_index_cmp(&r, sd_rows_at(&r, j), idx, n), 0);
        idx[n] = 5;                     /* one sub-identifier past the index */
        for (size_t i = 0; i < r.n; i++) {
            const void *row = sd_rows_at(&r, i);

            for (size_t m = 0; m <= n + 1; m++)
                assert_int_equal(sign(sd_table_status.index_cmp(&r, row, idx, m)),
                                 sign(sd_rows_index_cmp_any(&r, row, idx, m)));
        }
    }
    sd_rows_fini(&r);
}

/* The build sorts by the table's sort_cmp; the order must be key order. */
static void status_sort_is_key_order(void **state)
{
    struct sd_rows r;
    struct sd_msgs m;
    struct sd_policy p;
    struct sd_snapshot *s;

    (void)state;
    sd_rows_init(&r);
    sd_msgs_init(&m, 1000);
    sd_policy_default(&p);
    random_rows(&r, 13);
    s = sd_snapshot_build(&r, &p, 0, "t", &m);
    assert_non_null(s);
    assert_int_equal(s->rows.n + s->duplicates, NROWS);
    for (size_t i = 1; i < s->rows.n; i++)
        assert_true(sd_rows_key_cmp_any(&s->rows, sd_rows_at(&s->rows, i - 1), &s->rows,
                                        sd_rows_at(&s->rows, i)) < 0);
    sd_snapshot_free(s);
    sd_msgs_fini(&m);
}

static void key_text_names_the_key(void **state)
{
    struct sd_rows r;
    struct sd_row_in in = { .object_id = "PS100095", .object_id_len = 8, .category = 42,
                            .package_id = "", .seq = 1 };
    char buf[128];

    (void)state;
    sd_rows_init(&r);
    sd_date_unknown(in.date, &in.date_len);
    assert_int_equal(sd_rows_add(&r, &in), 0);
    sd_rows_key_text(&r, sd_rows_at(&r, 0), buf, sizeof(buf));
    assert_string_equal(buf, "ObjectID PS100095, MessageCategory 42");
    sd_rows_fini(&r);
}

static void check_description(const struct sd_table *t)
{
    size_t index_len = 0;

    assert_true(t->ncols <= SD_MAX_COLS && t->nprops <= SD_MAX_PROPS);
    assert_true(t->key_prop < t->nprops);
    assert_true(t->seq_off + 4 <= t->row_size);
    for (size_t k = 0; k < t->ncols; k++) {
        const struct sd_coldef *c = &t->cols[k];

        assert_true(c->prop < t->nprops);
        assert_true(c->off + (c->kind == SD_K_DATE ? SD_DATEANDTIME_LEN : 4) <= t->row_size ||
                    (c->kind == SD_K_BOOL && c->off < t->row_size));
        if (c->kind == SD_K_STRING || c->kind == SD_K_NALSERVER || c->kind == SD_K_DATE)
            assert_true(c->aux < t->row_size);
        assert_ptr_equal(sd_table_column(t, c->mib), c);
        if (!(c->flags & SD_C_INDEX))
            assert_true(c->mib >= t->first_col && c->mib <= t->last_col);
    }
    for (unsigned col = t->first_col; col <= t->last_col; col++)
        assert_non_null(sd_table_column(t, col));
    for (size_t k = 0; k < t->nindex; k++) {
        const struct sd_coldef *c = &t->cols[t->index[k]];

        assert_true(c->flags & SD_C_INDEX);
        index_len += c->kind == SD_K_UINT ? 1 : 1 + c->max;
    }
    assert_int_equal(index_len, t->max_index);
    /* column prefix {1.3.6.1.4.1.8072.9999.9999.2007.1 arc 1 col} is 14 */
    assert_true(14 + t->max_index <= 128);
    if (t->newest != SD_NO_COL)
        assert_int_equal(t->cols[t->newest].kind, SD_K_DATE);
}

static void descriptions_are_consistent(void **state)
{
    (void)state;
    check_description(&sd_table_status);
    check_description(&sd_table_dp);
    check_description(&sd_table_content);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_key_cmp_agrees),
        cmocka_unit_test(status_index_cmp_agrees),
        cmocka_unit_test(status_sort_is_key_order),
        cmocka_unit_test(key_text_names_the_key),
        cmocka_unit_test(descriptions_are_consistent),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
