/* Unit tests: snapshot sort order, duplicates, summaries and index search. */
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

static void add(struct sd_rows *r, const char *oid, uint32_t cat, int32_t type,
                uint32_t assets, uint8_t day, uint32_t seq)
{
    struct sd_row_in in = {
        .object_id = oid, .object_id_len = strlen(oid), .category = cat,
        .assets = assets, .object_type = 2, .type = type,
        .package_id = "PKG", .package_id_len = 3, .seq = seq,
    };
    in.date_len = 11;
    in.date[0] = 0x07; in.date[1] = 0xea; in.date[2] = 11; in.date[3] = day; in.date[8] = '+';
    assert_int_equal(sd_rows_add(r, &in), 0);
}

static struct sd_snapshot *build(struct sd_rows *r, struct sd_msgs *m)
{
    struct sd_policy p;

    sd_policy_default(&p);
    return sd_snapshot_build(r, &p, 0, "test", m);
}

/* {len, octets..., category} as sub-identifiers */
static size_t idx(const char *oid, unsigned long cat, unsigned long *out)
{
    size_t n = strlen(oid);

    out[0] = n;
    for (size_t i = 0; i < n; i++)
        out[i + 1] = (unsigned char)oid[i];
    out[n + 1] = cat;
    return n + 2;
}

static void test_order_is_snmp_index_order(void **state)
{
    struct sd_rows r;
    struct sd_msgs m;
    struct sd_snapshot *s;
    unsigned long want[130], got[130];
    /* Shorter ObjectIDs first, whatever their letters; then octets, then category. */
    const char *order[][2] = { { "ZZ", "1" }, { "AAA", "0" }, { "AAA", "7" }, { "AAB", "1" },
                               { "PS100095", "1" }, { "PS100095", "4294967295" } };

    sd_rows_init(&r);
    sd_msgs_init(&m, 0);
    add(&r, "PS100095", 4294967295u, 1, 1, 1, 1);
    add(&r, "AAB", 1, 1, 1, 1, 2);
    add(&r, "AAA", 7, 1, 1, 1, 3);
    add(&r, "ZZ", 1, 1, 1, 1, 4);
    add(&r, "PS100095", 1, 1, 1, 1, 5);
    add(&r, "AAA", 0, 1, 1, 1, 6);
    s = build(&r, &m);
    assert_non_null(s);
    assert_int_equal(r.n, 0);           /* rows were taken over */
    assert_int_equal(sd_snapshot_count(s), 6);
    for (size_t i = 0; i < 6; i++) {
        size_t wn = idx(order[i][0], strtoul(order[i][1], NULL, 10), want);
        size_t gn = sd_snapshot_index(s, i, got);
        assert_int_equal(gn, wn);
        assert_memory_equal(got, want, wn * sizeof(want[0]));
        assert_int_equal(sd_snapshot_index_cmp(s, i, want, wn), 0);
    }
    sd_snapshot_free(s);
    sd_msgs_fini(&m);
}

static void test_duplicates_keep_latest_then_last(void **state)
{
    struct sd_rows r;
    struct sd_msgs m;
    struct sd_snapshot *s;

    sd_rows_init(&r);
    sd_msgs_init(&m, 0);
    add(&r, "PS100001", 1, 1, 10, 20, 1);       /* newest date: kept */
    add(&r, "PS100001", 1, 3, 11, 19, 2);
    add(&r, "PS100002", 1, 1, 12, 5, 3);
    add(&r, "PS100002", 1, 2, 13, 5, 4);        /* same date, later: kept */
    add(&r, "PS100002", 1, 3, 14, 5, 5 - 5);    /* same date, earliest seq */
    s = build(&r, &m);
    assert_int_equal(sd_snapshot_count(s), 2);
    assert_int_equal(s->duplicates, 3);
    assert_int_equal(s->rows.v[0].assets, 10);
    assert_int_equal(s->rows.v[1].assets, 13);
    assert_int_equal(m.n, 3);
    assert_non_null(strstr(m.v[0].text, "duplicate of row 1"));
    assert_non_null(strstr(m.v[0].text, "row 1 kept"));
    sd_snapshot_free(s);
    sd_msgs_fini(&m);
}

static void test_summary_by_type(void **state)
{
    struct sd_rows r;
    struct sd_msgs m;
    struct sd_snapshot *s;

    sd_rows_init(&r);
    sd_msgs_init(&m, 0);
    add(&r, "A1", 1, 1, 5, 1, 1);
    add(&r, "A2", 1, 2, 6, 1, 2);
    add(&r, "A3", 1, 3, 7, 1, 3);
    add(&r, "A4", 1, 4, 8, 1, 4);
    add(&r, "A5", 1, 99, 9, 1, 5);
    add(&r, "A6", 1, 3, 4294967295u, 1, 6);
    s = build(&r, &m);
    assert_int_equal(s->sum.rows_success, 1);
    assert_int_equal(s->sum.rows_inprogress, 1);
    assert_int_equal(s->sum.rows_error, 3);
    assert_int_equal(s->sum.rows_other, 1);
    assert_int_equal(s->sum.assets_error, 4294967295u);   /* saturates */
    sd_snapshot_free(s);
    sd_msgs_fini(&m);
}

static void test_policy_is_configurable(void **state)
{
    struct sd_policy p = { .error_types = { 3 }, .n_error_types = 1 };

    assert_int_equal(sd_policy_class(&p, 3), SD_CLASS_ERROR);
    assert_int_equal(sd_policy_class(&p, 4), SD_CLASS_OTHER);
    assert_int_equal(sd_policy_class(&p, 1), SD_CLASS_SUCCESS);
    assert_int_equal(sd_policy_class(&p, 2), SD_CLASS_INPROGRESS);
}

static struct sd_snapshot *three(struct sd_msgs *m)
{
    struct sd_rows r;

    sd_rows_init(&r);
    add(&r, "AB", 5, 1, 1, 1, 1);
    add(&r, "AB", 9, 1, 1, 1, 2);
    add(&r, "ABC", 1, 1, 1, 1, 3);
    return build(&r, m);
}

static void test_find_exact_only(void **state)
{
    struct sd_msgs m;
    struct sd_snapshot *s;
    unsigned long k[130];
    size_t n;

    sd_msgs_init(&m, 0);
    s = three(&m);
    n = idx("AB", 9, k);
    assert_int_equal(sd_snapshot_find(s, k, n), 1);
    assert_int_equal(sd_snapshot_find(s, k, n - 1), -1);       /* prefix: no row */
    k[n] = 0;
    assert_int_equal(sd_snapshot_find(s, k, n + 1), -1);       /* longer: no row */
    n = idx("AB", 6, k);
    assert_int_equal(sd_snapshot_find(s, k, n), -1);
    assert_int_equal(sd_snapshot_find(NULL, k, n), -1);
    sd_snapshot_free(s);
    sd_msgs_fini(&m);
}

static void test_next_with_partial_and_odd_indexes(void **state)
{
    struct sd_msgs m;
    struct sd_snapshot *s;
    unsigned long k[130];
    size_t n;

    sd_msgs_init(&m, 0);
    s = three(&m);
    assert_int_equal(sd_snapshot_next(s, k, 0), 0);            /* no index: first row */
    k[0] = 2;
    assert_int_equal(sd_snapshot_next(s, k, 1), 0);            /* {2}: AB.5 is after it */
    n = idx("AB", 5, k);
    assert_int_equal(sd_snapshot_next(s, k, n), 1);
    n = idx("AB", 7, k);
    assert_int_equal(sd_snapshot_next(s, k, n), 1);
    n = idx("AB", 9, k);
    assert_int_equal(sd_snapshot_next(s, k, n), 2);
    n = idx("ABC", 1, k);
    assert_int_equal(sd_snapshot_next(s, k, n), 3);            /* past the last */
    k[0] = 2; k[1] = 'A'; k[2] = 4000;                          /* sub-id past any octet */
    assert_int_equal(sd_snapshot_next(s, k, 3), 2);
    k[0] = 1;                                                   /* length 1: before all */
    assert_int_equal(sd_snapshot_next(s, k, 1), 0);
    k[0] = 200;                                                 /* longer than any */
    assert_int_equal(sd_snapshot_next(s, k, 1), 3);
    assert_int_equal(sd_snapshot_next(NULL, k, 1), 0);
    sd_snapshot_free(s);
    sd_msgs_fini(&m);
}

static void test_next_with_a_walk_cursor(void **state)
{
    struct sd_msgs m;
    struct sd_snapshot *s;
    unsigned long k[130];
    size_t n, hint;

    sd_msgs_init(&m, 0);
    s = three(&m);                      /* AB.5, AB.9, ABC.1 */
    n = idx("AB", 5, k);
    hint = 0;                           /* right: the successor without a search */
    assert_int_equal(sd_snapshot_next_hint(s, k, n, &hint), 1);
    assert_int_equal(hint, 1);
    hint = 2;                           /* wrong: still the right answer */
    assert_int_equal(sd_snapshot_next_hint(s, k, n, &hint), 1);
    hint = 999;                         /* out of range (a stale cursor) */
    assert_int_equal(sd_snapshot_next_hint(s, k, n, &hint), 1);
    n = idx("AB", 7, k);                /* between rows: not equal to any */
    hint = 0;
    assert_int_equal(sd_snapshot_next_hint(s, k, n, &hint), 1);
    n = idx("ABC", 1, k);               /* the last row: past the end */
    hint = 2;
    assert_int_equal(sd_snapshot_next_hint(s, k, n, &hint), 3);
    sd_snapshot_free(s);
    sd_msgs_fini(&m);
}

static void test_same_rows(void **state)
{
    struct sd_msgs m;
    struct sd_snapshot *a, *b, *c;
    struct sd_rows r;

    sd_msgs_init(&m, 0);
    a = three(&m);
    b = three(&m);
    sd_rows_init(&r);
    add(&r, "AB", 5, 1, 1, 1, 1);
    add(&r, "AB", 9, 1, 2, 1, 2);       /* Assets differ */
    add(&r, "ABC", 1, 1, 1, 1, 3);
    c = build(&r, &m);
    assert_true(sd_snapshot_same_rows(a, b));
    assert_false(sd_snapshot_same_rows(a, c));
    assert_false(sd_snapshot_same_rows(a, NULL));
    sd_snapshot_free(a);
    sd_snapshot_free(b);
    sd_snapshot_free(c);
    sd_msgs_fini(&m);
}

static void test_empty_snapshot(void **state)
{
    struct sd_rows r;
    struct sd_msgs m;
    struct sd_snapshot *s;
    unsigned long k[4] = { 1, 'A', 1 };

    sd_rows_init(&r);
    sd_msgs_init(&m, 0);
    s = build(&r, &m);
    assert_int_equal(sd_snapshot_count(s), 0);
    assert_int_equal(sd_snapshot_next(s, k, 3), 0);
    assert_int_equal(sd_snapshot_find(s, k, 3), -1);
    sd_snapshot_free(s);
    sd_msgs_fini(&m);
}

struct seen {
    int change[16];
    char oid[16][16];
    uint32_t cat[16];
    size_t n;
};

static void record(void *ctx, enum sd_change change, const struct sd_snapshot *s, size_t i)
{
    struct seen *seen = ctx;
    const struct sd_row *r = &s->rows.v[i];

    assert_true(seen->n < 16);
    seen->change[seen->n] = change;
    snprintf(seen->oid[seen->n], sizeof(seen->oid[0]), "%.*s", (int)r->oid_len, sd_row_oid(&s->rows, r));
    seen->cat[seen->n] = r->category;
    seen->n++;
}

static void test_diff_finds_every_transition(void **state)
{
    struct sd_rows r;
    struct sd_msgs m;
    struct sd_snapshot *a, *b;
    struct sd_policy p;
    struct seen seen = { .n = 0 };

    sd_policy_default(&p);
    sd_msgs_init(&m, 0);
    sd_rows_init(&r);
    add(&r, "AA", 1, 1, 1, 1, 1);       /* success -> error: entered */
    add(&r, "AB", 1, 3, 1, 1, 2);       /* error -> success: left */
    add(&r, "AC", 1, 4, 1, 1, 3);       /* error -> gone: removed */
    add(&r, "AD", 1, 3, 1, 1, 4);       /* error -> error (other type): nothing */
    add(&r, "AE", 1, 2, 1, 1, 5);       /* in progress -> success: nothing */
    a = build(&r, &m);
    sd_rows_init(&r);
    add(&r, "AA", 1, 3, 1, 1, 1);
    add(&r, "AB", 1, 1, 1, 1, 2);
    add(&r, "AD", 1, 4, 1, 1, 4);
    add(&r, "AE", 1, 1, 1, 1, 5);
    add(&r, "B", 7, 4, 1, 1, 6);        /* new, in error: entered */
    add(&r, "ZZZ", 1, 1, 1, 1, 7);      /* new, fine: nothing */
    b = build(&r, &m);

    assert_int_equal(sd_snapshot_diff(a, b, &p, record, &seen), 4);
    /* in index order: "B" (length 1) first */
    assert_int_equal(seen.change[0], SD_CHANGE_ENTERED);
    assert_string_equal(seen.oid[0], "B");
    assert_int_equal(seen.cat[0], 7);
    assert_int_equal(seen.change[1], SD_CHANGE_ENTERED);
    assert_string_equal(seen.oid[1], "AA");
    assert_int_equal(seen.change[2], SD_CHANGE_LEFT);
    assert_string_equal(seen.oid[2], "AB");
    assert_int_equal(seen.change[3], SD_CHANGE_REMOVED);
    assert_string_equal(seen.oid[3], "AC");

    seen.n = 0;                         /* no old snapshot: the error rows as they are */
    assert_int_equal(sd_snapshot_diff(NULL, b, &p, record, &seen), 3);
    assert_int_equal(seen.change[0], SD_CHANGE_PRESENT);

    seen.n = 0;                         /* the same snapshot: nothing */
    assert_int_equal(sd_snapshot_diff(b, b, &p, record, &seen), 0);
    sd_snapshot_free(a);
    sd_snapshot_free(b);
    sd_msgs_fini(&m);
}

/* errorTypes 3 -> 3 5 with the same rows: not "the same", and the diff
 * judges each side by its own policy (issue: a policy change applied at once). */
static void test_policy_change_alone_is_a_change(void **state)
{
    struct sd_rows r;
    struct sd_msgs m;
    struct sd_snapshot *a, *b;
    struct sd_policy p3 = { .error_types = { 3 }, .n_error_types = 1 };
    struct sd_policy p35 = { .error_types = { 5, 3 }, .n_error_types = 2 };
    struct sd_policy p53 = { .error_types = { 3, 5 }, .n_error_types = 2 };
    struct seen seen = { .n = 0 };

    sd_msgs_init(&m, 0);
    sd_rows_init(&r);
    add(&r, "AA", 1, 3, 1, 1, 1);       /* error under both */
    add(&r, "AB", 1, 5, 1, 1, 2);       /* error only under 3 5: entered */
    add(&r, "AC", 1, 1, 1, 1, 3);       /* success under both */
    a = sd_snapshot_build(&r, &p3, 0, "test", &m);
    sd_rows_init(&r);
    add(&r, "AA", 1, 3, 1, 1, 1);
    add(&r, "AB", 1, 5, 1, 1, 2);
    add(&r, "AC", 1, 1, 1, 1, 3);
    b = sd_snapshot_build(&r, &p35, 0, "test", &m);

    assert_true(sd_policy_equal(&p35, &p53));
    assert_false(sd_policy_equal(&p3, &p35));
    assert_false(sd_snapshot_same_rows(a, b));
    assert_int_equal(a->sum.rows_error, 1);
    assert_int_equal(b->sum.rows_error, 2);
    assert_int_equal(sd_snapshot_diff(a, b, &p35, record, &seen), 1);
    assert_int_equal(seen.change[0], SD_CHANGE_ENTERED);
    assert_string_equal(seen.oid[0], "AB");
    seen.n = 0;                         /* and back: 3 5 -> 3, AB left */
    assert_int_equal(sd_snapshot_diff(b, a, &p3, record, &seen), 1);
    assert_int_equal(seen.change[0], SD_CHANGE_LEFT);
    assert_string_equal(seen.oid[0], "AB");
    sd_snapshot_free(a);
    sd_snapshot_free(b);
    sd_msgs_fini(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_is_snmp_index_order),
        cmocka_unit_test(test_duplicates_keep_latest_then_last),
        cmocka_unit_test(test_summary_by_type),
        cmocka_unit_test(test_policy_is_configurable),
        cmocka_unit_test(test_policy_change_alone_is_a_change),
        cmocka_unit_test(test_find_exact_only),
        cmocka_unit_test(test_next_with_partial_and_odd_indexes),
        cmocka_unit_test(test_next_with_a_walk_cursor),
        cmocka_unit_test(test_same_rows),
        cmocka_unit_test(test_empty_snapshot),
        cmocka_unit_test(test_diff_finds_every_transition),
    };
    return cmocka_run_group_tests_name("snapshot", tests, NULL, NULL);
}
