/* Unit tests: the MIB module's GET and GETNEXT over a known snapshot,
 * without a master agent (mib.h's test seam). */
#include "sd_snmp.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "mib.h"
#include "oids.h"

static const oid objects[] = { SD_OID_OBJECTS };
#define OLEN OID_LENGTH(objects)
#define NBEFORE 20     /* source (with the two config scalars) and summary scalars: before the table */
#define NAFTER 5       /* notification counters: after it */
#define NSCALARS (NBEFORE + NAFTER)

static struct sd_health health;
static struct sd_served served;

static void add(struct sd_rows *r, const char *id, uint32_t cat, int32_t type, uint32_t assets)
{
    struct sd_row_in in = {
        .object_id = id, .object_id_len = strlen(id), .category = cat, .assets = assets,
        .object_type = 31, .type = type, .package_id = "PS100095", .package_id_len = 8,
        .date_len = 11, .date = { 0x07, 0xea, 11, 20, 8, 15, 0, 0, '+', 0, 0 },
    };
    assert_int_equal(sd_rows_add(r, &in), 0);
}

static int setup(void **state)
{
    struct sd_rows r;
    struct sd_msgs m;
    struct sd_policy p;

    sd_rows_init(&r);
    sd_msgs_init(&m, 0);
    sd_policy_default(&p);
    add(&r, "PS100095", 1, 3, 4);
    add(&r, "PS100095", 7, 1, 5);
    add(&r, "ScopeId_B3FF3CC4-0319-4434-9D24-77689C53C615/Application_197d8de7-022d-4c0b-aec4-c339ccc17ba4",
        2, 4, 6);
    served.snap = sd_snapshot_build(&r, &p, 2, "test", &m);
    sd_msgs_fini(&m);
    sd_health_init(&health, time(NULL));
    health.stale_after = 3600;
    sd_health_good(&health, time(NULL));
    served.health = &health;
    served.source_display = "file:/var/lib/smsdistd/export.json";
    sd_mib_serve(&served);
    return 0;
}

static int teardown(void **state)
{
    sd_snapshot_free((struct sd_snapshot *)served.snap);
    served.snap = NULL;
    return 0;
}

static netsnmp_variable_list *vb_for(const oid *sfx, size_t n)
{
    oid name[MAX_OID_LEN];
    netsnmp_variable_list *vb = NULL;

    memcpy(name, objects, sizeof(objects));
    memcpy(name + OLEN, sfx, n * sizeof(oid));
    snmp_varlist_add_variable(&vb, name, OLEN + n, ASN_NULL, NULL, 0);
    assert_non_null(vb);
    return vb;
}

static void test_get_scalars(void **state)
{
    const oid served_sfx[] = { SD_ARC_SOURCE, SD_SRC_ROWS_SERVED, 0 };
    const oid state_sfx[] = { SD_ARC_SOURCE, SD_SRC_STATE, 0 };
    const oid rejected_sfx[] = { SD_ARC_SOURCE, SD_SRC_ROWS_REJECTED, 0 };
    const oid err_sfx[] = { SD_ARC_SUMMARY, SD_SUM_ROWS_ERROR, 0 };
    const oid assets_sfx[] = { SD_ARC_SUMMARY, SD_SUM_ASSETS_ERROR, 0 };
    const oid uri_sfx[] = { SD_ARC_SOURCE, SD_SRC_URI, 0 };
    netsnmp_variable_list *vb;

    vb = vb_for(served_sfx, 3);
    sd_mib_get(vb);
    assert_int_equal(vb->type, ASN_GAUGE);
    assert_int_equal(*vb->val.integer, 3);
    snmp_free_varbind(vb);

    vb = vb_for(state_sfx, 3);
    sd_mib_get(vb);
    assert_int_equal(vb->type, ASN_INTEGER);
    assert_int_equal(*vb->val.integer, SD_STATE_OK);
    snmp_free_varbind(vb);

    vb = vb_for(rejected_sfx, 3);
    sd_mib_get(vb);
    assert_int_equal(*vb->val.integer, 2);
    snmp_free_varbind(vb);

    vb = vb_for(err_sfx, 3);
    sd_mib_get(vb);
    assert_int_equal(*vb->val.integer, 2);      /* Type 3 and Type 4 */
    snmp_free_varbind(vb);

    vb = vb_for(assets_sfx, 3);
    sd_mib_get(vb);
    assert_int_equal(*vb->val.integer, 10);
    snmp_free_varbind(vb);

    vb = vb_for(uri_sfx, 3);
    sd_mib_get(vb);
    assert_int_equal(vb->type, ASN_OCTET_STR);
    assert_int_equal(vb->val_len, strlen(served.source_display));
    assert_memory_equal(vb->val.string, served.source_display, vb->val_len);
    snmp_free_varbind(vb);
}

static void test_get_missing(void **state)
{
    const oid no_zero[] = { SD_ARC_SOURCE, SD_SRC_STATE };
    const oid bad_inst[] = { SD_ARC_SOURCE, SD_SRC_STATE, 1 };
    const oid no_obj[] = { SD_ARC_SOURCE, 99, 0 };
    const oid notify_only[] = { SD_ARC_NOTIFY, SD_NOBJ_REASON, 0 };
    const oid index_col[] = { SD_ARC_TABLE, 1, SD_COLUMN_OBJECTID, 8, 'P', 'S', '1', '0', '0', '0', '9', '5', 1 };
    const oid no_row[] = { SD_ARC_TABLE, 1, SD_COLUMN_TYPE, 8, 'P', 'S', '1', '0', '0', '0', '9', '5', 2 };
    const oid row[] = { SD_ARC_TABLE, 1, SD_COLUMN_TYPE, 8, 'P', 'S', '1', '0', '0', '0', '9', '5', 1 };
    struct { const oid *o; size_t n; u_char want; } cases[] = {
        { no_zero, 2, SNMP_NOSUCHINSTANCE },
        { bad_inst, 3, SNMP_NOSUCHINSTANCE },
        { no_obj, 3, SNMP_NOSUCHOBJECT },
        { notify_only, 3, SNMP_NOSUCHOBJECT },
        { index_col, OID_LENGTH(index_col), SNMP_NOSUCHOBJECT },
        { no_row, OID_LENGTH(no_row), SNMP_NOSUCHINSTANCE },
        { row, OID_LENGTH(row), ASN_INTEGER },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        netsnmp_variable_list *vb = vb_for(cases[i].o, cases[i].n);
        sd_mib_get(vb);
        assert_int_equal(vb->type, cases[i].want);
        snmp_free_varbind(vb);
    }
}

static void test_get_row_columns(void **state)
{
    oid sfx[] = { SD_ARC_TABLE, 1, 0, 8, 'P', 'S', '1', '0', '0', '0', '9', '5', 7 };
    const unsigned char date[11] = { 0x07, 0xea, 11, 20, 8, 15, 0, 0, '+', 0, 0 };
    netsnmp_variable_list *vb;

    sfx[2] = SD_COLUMN_ASSETS;
    vb = vb_for(sfx, OID_LENGTH(sfx));
    sd_mib_get(vb);
    assert_int_equal(vb->type, ASN_GAUGE);
    assert_int_equal(*vb->val.integer, 5);
    snmp_free_varbind(vb);

    sfx[2] = SD_COLUMN_LASTUPDATEDATE;
    vb = vb_for(sfx, OID_LENGTH(sfx));
    sd_mib_get(vb);
    assert_int_equal(vb->type, ASN_OCTET_STR);
    assert_int_equal(vb->val_len, 11);
    assert_memory_equal(vb->val.string, date, 11);
    snmp_free_varbind(vb);

    sfx[2] = SD_COLUMN_OBJECTTYPEID;
    vb = vb_for(sfx, OID_LENGTH(sfx));
    sd_mib_get(vb);
    assert_int_equal(vb->type, ASN_INTEGER);
    assert_int_equal(*vb->val.integer, 31);
    snmp_free_varbind(vb);

    sfx[2] = SD_COLUMN_PACKAGEID;
    vb = vb_for(sfx, OID_LENGTH(sfx));
    sd_mib_get(vb);
    assert_int_equal(vb->val_len, 8);
    assert_memory_equal(vb->val.string, "PS100095", 8);
    snmp_free_varbind(vb);
}

/* Walks with GETNEXT from `start` until the module answers nothing. */
static size_t walk(const oid *start, size_t n, oid names[][MAX_OID_LEN], size_t *lens, size_t max)
{
    netsnmp_variable_list *vb = vb_for(start, n);
    size_t count = 0;

    for (;;) {
        oid prev[MAX_OID_LEN];
        size_t prevlen = vb->name_length;
        memcpy(prev, vb->name, prevlen * sizeof(oid));
        sd_mib_getnext(vb);
        if (snmp_oid_compare(prev, prevlen, vb->name, vb->name_length) == 0)
            break;
        assert_true(count < max);
        /* strictly increasing, always inside smsDistObjects */
        assert_true(snmp_oid_compare(prev, prevlen, vb->name, vb->name_length) < 0);
        assert_int_equal(snmp_oid_ncompare(vb->name, vb->name_length, objects, OLEN, OLEN), 0);
        memcpy(names[count], vb->name, vb->name_length * sizeof(oid));
        lens[count++] = vb->name_length;
        vb->type = ASN_NULL;
    }
    snmp_free_varbind(vb);
    return count;
}

static void test_walk_covers_everything_in_order(void **state)
{
    static oid names[64][MAX_OID_LEN];
    size_t lens[64];
    const oid none[] = { 0 };
    size_t n = walk(none, 0, names, lens, 64);

    assert_int_equal(n, NSCALARS + 5 * 3);
    /* first: smsDistSourceURI.0; first table varbind: Assets of the first row */
    assert_int_equal(lens[0], OLEN + 3);
    assert_int_equal(names[0][OLEN + 1], SD_SRC_URI);
    assert_int_equal(names[NBEFORE][OLEN + 2], SD_COLUMN_ASSETS);
    assert_int_equal(names[NBEFORE][OLEN + 3], 8);                /* PS100095 sorts first */
    /* the 93-character ModelName comes last in each column, at full length */
    assert_int_equal(lens[NBEFORE + 2], OLEN + 3 + 1 + 93 + 1);
    assert_int_equal(names[NBEFORE + 14][OLEN + 2], SD_COLUMN_TYPE);
    /* then the notification counters, smsDistNotifySent.0 first */
    assert_int_equal(names[NBEFORE + 15][OLEN], SD_ARC_NOTIFY);
    assert_int_equal(names[NBEFORE + 15][OLEN + 1], SD_NOBJ_SENT);
    assert_int_equal(names[n - 1][OLEN + 1], SD_NOBJ_DEFERRED);
}

static void test_getnext_from_odd_places(void **state)
{
    static oid names[64][MAX_OID_LEN];
    size_t lens[64];
    const oid col2[] = { SD_ARC_TABLE, 1, SD_COLUMN_MESSAGECATEGORY, 255, 255 };
    const oid past_scalars[] = { SD_ARC_SUMMARY, 99 };
    const oid last_col_end[] = { SD_ARC_TABLE, 1, SD_COLUMN_TYPE, 200 };
    const oid notify[] = { SD_ARC_NOTIFY };
    const oid reason[] = { SD_ARC_NOTIFY, SD_NOBJ_REASON, 0 };
    const oid beyond[] = { SD_ARC_NOTIFY + 1 };

    /* column 2 is not-accessible: the walk goes on at column 3, first row */
    assert_int_equal(walk(col2, OID_LENGTH(col2), names, lens, 64), 15 + NAFTER);
    assert_int_equal(names[0][OLEN + 2], SD_COLUMN_ASSETS);
    assert_int_equal(walk(past_scalars, 2, names, lens, 64), 15 + NAFTER);
    assert_int_equal(walk(last_col_end, OID_LENGTH(last_col_end), names, lens, 64), NAFTER);
    assert_int_equal(walk(notify, 1, names, lens, 64), NAFTER);
    /* accessible-for-notify objects are skipped by walks */
    assert_int_equal(walk(reason, 3, names, lens, 64), NAFTER);
    assert_int_equal(names[0][OLEN + 1], SD_NOBJ_SENT);
    assert_int_equal(walk(beyond, 1, names, lens, 64), 0);
}

/* net-snmp's AgentX parser sign-extends sub-ids >= 2^31 on 64-bit hosts:
 * a category of 4294967295 arrives as 0xffffffffffffffff. */
static void test_sign_extended_subids_still_match(void **state)
{
    struct sd_rows r;
    struct sd_msgs m;
    struct sd_policy p;
    const struct sd_snapshot *keep = served.snap;
    struct sd_snapshot *snap;
    oid sfx[] = { SD_ARC_TABLE, 1, SD_COLUMN_ASSETS, 2, 'P', 'S', (oid)(long)(int32_t)0x80000000u };
    netsnmp_variable_list *vb;

    sd_rows_init(&r);
    sd_msgs_init(&m, 0);
    sd_policy_default(&p);
    add(&r, "PS", 0x80000000u, 1, 11);
    add(&r, "PS", 0xffffffffu, 1, 12);
    snap = sd_snapshot_build(&r, &p, 0, "test", &m);
    served.snap = snap;

    vb = vb_for(sfx, OID_LENGTH(sfx));
    sd_mib_get(vb);
    assert_int_equal(vb->type, ASN_GAUGE);
    assert_int_equal(*vb->val.integer, 11);
    sd_mib_getnext(vb);                 /* answer carries the 32-bit sub-id */
    assert_int_equal(vb->name[vb->name_length - 1], 0xffffffffUL);
    assert_int_equal(*vb->val.integer, 12);
    vb->name[vb->name_length - 1] = (oid)(long)(int32_t)0xffffffffu;
    vb->type = ASN_NULL;
    sd_mib_get(vb);
    assert_int_equal(vb->type, ASN_GAUGE);
    assert_int_equal(*vb->val.integer, 12);
    snmp_free_varbind(vb);

    served.snap = keep;
    sd_snapshot_free(snap);
    sd_msgs_fini(&m);
}

static void test_empty_table_serves_scalars_only(void **state)
{
    static oid names[64][MAX_OID_LEN];
    size_t lens[64];
    const oid none[] = { 0 };
    const struct sd_snapshot *keep = served.snap;

    served.snap = NULL;
    assert_int_equal(walk(none, 0, names, lens, 64), NSCALARS);
    served.snap = keep;
}

static void test_row_varbinds_for_notifications(void **state)
{
    netsnmp_variable_list *vars = NULL, *vb;
    const oid idx[] = { 8, 'P', 'S', '1', '0', '0', '0', '9', '5', 1 };
    unsigned col = SD_COLUMN_FIRST;

    assert_int_equal(sd_mib_add_row(&vars, served.snap, 0, 4), 0);
    for (vb = vars; col <= SD_COLUMN_LAST; vb = vb->next_variable, col++) {
        assert_non_null(vb);
        assert_int_equal(vb->name_length, OLEN + 3 + OID_LENGTH(idx));
        assert_int_equal(vb->name[OLEN], SD_ARC_TABLE);
        assert_int_equal(vb->name[OLEN + 2], col);
        assert_memory_equal(vb->name + OLEN + 3, idx, sizeof(idx));
    }
    assert_int_equal(vars->type, ASN_GAUGE);                    /* Assets */
    assert_int_equal(*vars->val.integer, 4);
    /* then smsDistNotifyReason.<index> = 4 (presentAtStart) */
    assert_non_null(vb);
    assert_int_equal(vb->name_length, OLEN + 2 + OID_LENGTH(idx));
    assert_int_equal(vb->name[OLEN], SD_ARC_NOTIFY);
    assert_int_equal(vb->name[OLEN + 1], SD_NOBJ_REASON);
    assert_memory_equal(vb->name + OLEN + 2, idx, sizeof(idx));
    assert_int_equal(vb->type, ASN_INTEGER);
    assert_int_equal(*vb->val.integer, 4);
    assert_null(vb->next_variable);
    snmp_free_varbind(vars);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_scalars),
        cmocka_unit_test(test_get_missing),
        cmocka_unit_test(test_get_row_columns),
        cmocka_unit_test(test_walk_covers_everything_in_order),
        cmocka_unit_test(test_getnext_from_odd_places),
        cmocka_unit_test(test_sign_extended_subids_still_match),
        cmocka_unit_test(test_row_varbinds_for_notifications),
        cmocka_unit_test(test_empty_table_serves_scalars_only),
    };
    return cmocka_run_group_tests_name("mib", tests, setup, teardown);
}
